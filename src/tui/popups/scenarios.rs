//! `S`: the scenario picker of the playground. Every documented outcome of both APIs, Hive
//! first in the documented tables' order; choosing one sets the simulator up so the outcome
//! is certain, then sends the request through the normal path (journal, log, inspector).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::mouse::{Hint, hint_hits, hint_text};
use super::{Popup, centered};
use crate::core::playground::{Expect, Group, Play, SetupReply, plays};
use crate::tui::app::{App, Effect, Level};
use crate::tui::keymap::Action;
use crate::tui::mouse::{Hits, Target};
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::fit;

/// The pause between the steps of "play all".
pub const PLAY_ALL_STEP_MS: u64 = 2_500;

impl App {
    pub(in crate::tui) fn scenario_picker(&mut self) {
        self.popup = Some(Popup::Scenarios {
            selected: self.play.last_selected,
        });
    }

    pub(in crate::tui) fn scenarios_key(
        &mut self,
        action: Option<Action>,
        selected: usize,
    ) -> Vec<Effect> {
        let all = plays();
        if matches!(action, Some(Action::Close | Action::Quit)) {
            return Vec::new();
        }
        // The last row plays them all, as a tour.
        if let Some(to) = Self::scrolled(action, selected, all.len()) {
            self.popup = Some(Popup::Scenarios { selected: to });
            return Vec::new();
        }
        if action != Some(Action::Submit) {
            self.popup = Some(Popup::Scenarios { selected });
            return Vec::new();
        }
        self.play.last_selected = selected;
        match all.into_iter().nth(selected) {
            Some(play) => self.play(play),
            None => {
                self.start_tour(crate::core::playground::tour::Tour {
                    steps: crate::core::playground::tour::every_play(),
                    step_ms: PLAY_ALL_STEP_MS,
                    manual: false,
                });
                self.set_status(
                    Level::Info,
                    format!(
                        "Playing every scenario, one every {} s after its answer ({} stops).",
                        PLAY_ALL_STEP_MS / 1000,
                        self.key(Action::Close)
                    ),
                );
                Vec::new()
            }
        }
    }

    /// Asks the loop to set the simulator up for `play`; the request follows when it is.
    pub(in crate::tui) fn play(&mut self, play: Play) -> Vec<Effect> {
        if self.refuse_while_switching() {
            return Vec::new();
        }
        if let Some(waiting) = &self.play.setting_up {
            let text = format!("Still setting up the simulator for \"{}\".", waiting.title);
            self.set_status(Level::Warn, text);
            return Vec::new();
        }
        self.set_status(
            Level::Info,
            format!("Setting up the simulator for \"{}\"…", play.title),
        );
        let effect = Effect::SetUpPlay {
            key: play.key.clone(),
            service: play.service(),
            steps: play.setup.clone(),
        };
        self.play.setting_up = Some(play);
        vec![effect]
    }

    /// The simulator was set up for the play `key` (or could not be): send its request.
    pub(in crate::tui) fn play_ready(
        &mut self,
        key: &str,
        reply: Result<SetupReply, String>,
    ) -> Vec<Effect> {
        let Some(play) = self.play.setting_up.take().filter(|p| p.key == key) else {
            return Vec::new();
        };
        // What the setup made the simulator hold is known now, as a reply would say.
        if reply.is_ok() {
            self.known.apply_setup(&play.setup, self.now);
            self.refilter_hive();
        }
        let op = reply.and_then(|r| play.op(&r));
        match op {
            Ok(op) => {
                self.play.played.insert(play.key.clone());
                let effects = self.request(op, false);
                let sent = effects.iter().find_map(|e| match e {
                    Effect::Send(r) => Some(r.journal_id.clone()),
                    _ => None,
                });
                if sent.is_some() {
                    self.set_status(
                        Level::Info,
                        format!("Playing \"{}\": {}", play.title, play.explain),
                    );
                }
                self.tour_sent(sent);
                effects
            }
            Err(e) => {
                self.set_status(
                    Level::Error,
                    format!("\"{}\" was not played: {e}", play.title),
                );
                self.tour_sent(None);
                Vec::new()
            }
        }
    }
}

/// The picker's lines: group headings, then one line per play (title and explanation);
/// where the selected play's line is, and which play each line shows.
fn lines(
    app: &App,
    selected: usize,
    width: usize,
) -> (Vec<Line<'static>>, usize, Vec<Option<usize>>) {
    let mut lines = Vec::new();
    let mut shows = Vec::new();
    let mut at = 0;
    let mut group: Option<Group> = None;
    let title_width = 34.min(width / 2);
    for (i, play) in plays().iter().enumerate() {
        if group != Some(play.group) {
            if group.is_some() {
                lines.push(Line::from(""));
                shows.push(None);
            }
            group = Some(play.group);
            lines.push(Line::from(Span::styled(
                format!(" {}", play.group.title()),
                theme::HEADER,
            )));
            shows.push(None);
        }
        if i == selected {
            at = lines.len();
        }
        let played = app.play.played.contains(&play.key);
        let (glyph, colour) = expect_glyph(play.expect);
        let title = format!(
            "{} {} ",
            if i == selected { "▶" } else { " " },
            fit(&play.title, title_width.saturating_sub(3)),
        );
        let style = if i == selected {
            theme::SELECTED
        } else {
            Style::new()
        };
        let rest = width.saturating_sub(title_width + 6);
        lines.push(Line::from(vec![
            Span::styled(format!("{glyph} "), Style::new().fg(colour)),
            Span::styled(format!("{title:<title_width$}"), style),
            Span::raw(if played { "✓ " } else { "  " }),
            Span::raw(fit(&play.explain, rest)).muted(),
        ]));
        shows.push(Some(i));
    }
    let all = plays().len();
    lines.push(Line::from(""));
    shows.push(None);
    if selected == all {
        at = lines.len();
    }
    let title = format!("{} play all ", if selected == all { "▶" } else { " " });
    lines.push(Line::from(vec![
        Span::raw("  "),
        Span::styled(
            format!("{title:<title_width$}"),
            if selected == all {
                theme::SELECTED
            } else {
                Style::new().bold()
            },
        ),
        Span::raw("  "),
        Span::raw(fit(
            "every scenario in order, a pause between steps, captions in a banner (Esc stops)",
            width.saturating_sub(title_width + 6),
        ))
        .muted(),
    ]));
    shows.push(Some(all));
    (lines, at, shows)
}

/// How a play's expected outcome is shown: the log's glyph and colour for it.
fn expect_glyph(expect: Expect) -> (&'static str, ratatui::style::Color) {
    match expect {
        Expect::Hive(s) => {
            let severity = s.severity();
            (
                crate::tui::state::summary::severity_mark(severity),
                theme::severity(severity),
            )
        }
        Expect::Created | Expect::Updated => ("✓", theme::OK),
        Expect::Error { .. } => ("✗", theme::ERROR),
        Expect::Any => ("·", theme::TEXT),
    }
}

/// Where the picker's parts go in `area`.
struct Picker {
    popup: Rect,
    /// The list's lines, from `scroll` on, in `list`.
    lines: Vec<Line<'static>>,
    /// The play each line shows.
    shows: Vec<Option<usize>>,
    scroll: usize,
    list: Rect,
    /// The selected play's explanation, in full, in `detail`.
    explain: String,
    detail: Rect,
    hints: [Hint; 4],
}

fn layout(app: &App, selected: usize, area: Rect) -> Picker {
    let width = area.width.saturating_sub(4).min(150);
    let height = area.height.saturating_sub(2);
    let popup = centered(area, width, height);
    let inner = width.saturating_sub(2) as usize;
    let (lines, at, shows) = lines(app, selected, inner);
    let explain = plays().get(selected).map_or_else(
        || "Plays every scenario above in order, as `tagdesk demo` does.".to_string(),
        |p| p.explain.clone(),
    );
    // The explanation of the selected play in full, under the list.
    let detail_rows = (explain.chars().count() / inner.max(1) + 1).min(3) as u16;
    let list_rows = height.saturating_sub(3 + detail_rows) as usize;
    let scroll = at
        .saturating_sub(list_rows.saturating_sub(2) / 2)
        .min(lines.len().saturating_sub(list_rows));
    let inner_area = Block::bordered().inner(popup);
    let list = Rect {
        height: list_rows as u16,
        ..inner_area
    };
    let detail = Rect {
        y: inner_area.y + list_rows as u16 + 1,
        height: detail_rows,
        ..inner_area
    };
    let k = |a| app.settings.keymap.first_key(a);
    let hints = [
        Hint::button(
            Action::Submit,
            format!("{} set up & send", k(Action::Submit)),
        ),
        Hint::text(format!("{}/{} move", k(Action::Up), k(Action::Down))),
        Hint::button(Action::Close, format!("{} close", k(Action::Close))),
        Hint::text("✓ played".into()),
    ];
    Picker {
        popup,
        lines,
        shows,
        scroll,
        list,
        explain,
        detail,
        hints,
    }
}

pub fn draw_scenarios(app: &App, selected: usize, frame: &mut Frame, area: Rect) {
    let p = layout(app, selected, area);
    frame.render_widget(Clear, p.popup);
    let where_ = match &app.settings.simulator {
        Some(sim) => format!(" on the simulator at {sim} "),
        None => " on this profile's simulator ".to_string(),
    };
    let block = Block::bordered()
        .border_style(theme::BORDER_INFO)
        .title(Line::from(vec![
            " Scenarios ".bold(),
            Span::raw(format!("· {} ", plays().len())),
            Span::raw(where_).muted(),
        ]))
        .title_bottom(Line::from(hint_text(&p.hints)).muted());
    frame.render_widget(block, p.popup);
    frame.render_widget(Paragraph::new(p.lines).scroll((p.scroll as u16, 0)), p.list);
    frame.render_widget(
        Paragraph::new(crate::core::printable::printable(&p.explain).into_owned())
            .wrap(Wrap { trim: true }),
        p.detail,
    );
}

/// The picker for the mouse: a play per line (headings take nothing), and its hints.
pub(super) fn hits(app: &App, selected: usize, area: Rect, hits: &mut Hits) {
    let p = layout(app, selected, area);
    hits.popup(p.popup, true, None);
    let shown = p.shows.iter().skip(p.scroll).take(p.list.height as usize);
    for (row, play) in shown.enumerate() {
        if let Some(play) = play {
            let line = Rect::new(p.list.x, p.list.y + row as u16, p.list.width, 1);
            hits.add(line, Target::Choice(*play));
        }
    }
    hint_hits(&p.hints, p.popup, hits);
}
