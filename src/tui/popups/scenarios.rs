//! `S`: the scenario picker of the playground. Every documented outcome of both APIs, Hive
//! first in the documented tables' order; choosing one sets the simulator up so the outcome
//! is certain, then sends the request through the normal path (journal, log, inspector).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::mouse::{Hint, hint_hits, hint_text};
use ratatui::crossterm::event::KeyEvent;

use super::{Chosen, Cx, Do, Outcome, Room, centered, choose, scrolled};
use crate::core::playground::{Expect, Group, plays};
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::{Hits, Target};
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::fit;

/// The pause between the steps of "play all".
pub const PLAY_ALL_STEP_MS: u64 = 2_500;

/// The scenario picker: every play, then "play all".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scenarios {
    pub selected: usize,
}

impl Room for Scenarios {
    fn context(&self) -> Context {
        Context::Scenarios
    }

    fn on_key(&mut self, action: Option<Action>, _key: KeyEvent, _cx: &Cx) -> Outcome {
        if matches!(action, Some(Action::Close | Action::Quit)) {
            return Outcome::close();
        }
        // The last row plays them all, as a tour.
        if let Some(to) = scrolled(action, self.selected, plays().len()) {
            self.selected = to;
            return Outcome::stay();
        }
        if action != Some(Action::Submit) {
            return Outcome::stay();
        }
        Outcome::close().and(Do::Play(self.selected))
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        draw_scenarios(cx, self.selected, frame, area)
    }

    /// The picker for the mouse: a play per line (headings take nothing), and its hints.
    fn hits(&self, cx: &Cx, area: Rect, hits: &mut Hits) {
        let p = layout(cx, self.selected, area);
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

    fn choose(&mut self, n: usize, double: bool) -> Chosen {
        choose(&mut self.selected, n, double)
    }
}

/// How the picker marks a play already played (not `✓`, the log's mark of an applied
/// outcome, which the glyph column uses).
pub const PLAYED_MARK: &str = "•";

/// The picker's lines: group headings, then one line per play (its expected outcome's
/// glyph, title, played mark, key — what a tour script names it by — and explanation);
/// where the selected play's line is, and which play each line shows.
fn lines(
    cx: &Cx,
    selected: usize,
    width: usize,
) -> (Vec<Line<'static>>, usize, Vec<Option<usize>>) {
    let mut lines = Vec::new();
    let mut shows = Vec::new();
    let mut at = 0;
    let mut group: Option<Group> = None;
    let title_width = 34.min(width / 2);
    let plays = plays();
    let longest_key = plays.iter().map(|p| p.key.chars().count()).max();
    let key_width = longest_key
        .unwrap_or(0)
        .min(width.saturating_sub(title_width + 6));
    // What the explanation has left; too little shows none (the selected play's is shown
    // whole under the list).
    let rest = width.saturating_sub(title_width + 6 + key_width + 2);
    let rest = if rest < 8 { 0 } else { rest };
    for (i, play) in plays.iter().enumerate() {
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
        let played = cx.play.played.contains(&play.key);
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
        let key = fit(&play.key, key_width);
        lines.push(Line::from(vec![
            Span::styled(format!("{glyph} "), Style::new().fg(colour)),
            Span::styled(format!("{title:<title_width$}"), style),
            Span::raw(if played {
                format!("{PLAYED_MARK} ")
            } else {
                "  ".to_string()
            }),
            Span::raw(format!("{key:<key_width$}  ")),
            Span::raw(fit(&play.explain, rest)).muted(),
        ]));
        shows.push(Some(i));
    }
    let all = plays.len();
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

fn layout(cx: &Cx, selected: usize, area: Rect) -> Picker {
    let width = area.width.saturating_sub(4).min(150);
    let height = area.height.saturating_sub(2);
    let popup = centered(area, width, height);
    let inner = width.saturating_sub(2) as usize;
    let (lines, at, shows) = lines(cx, selected, inner);
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
    let k = |a| cx.first_key(a);
    let hints = [
        Hint::button(
            Action::Submit,
            format!("{} set up & send", k(Action::Submit)),
        ),
        Hint::text(format!("{}/{} move", k(Action::Up), k(Action::Down))),
        Hint::button(Action::Close, format!("{} close", k(Action::Close))),
        Hint::text(format!("{PLAYED_MARK} played")),
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

fn draw_scenarios(cx: &Cx, selected: usize, frame: &mut Frame, area: Rect) {
    let p = layout(cx, selected, area);
    frame.render_widget(Clear, p.popup);
    let where_ = match &cx.settings.simulator {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::popups::testing::{app, press, screen};

    #[test]
    fn enter_plays_the_selected_row_and_the_last_row_plays_them_all() {
        let app = app();
        let cx = app.cx();
        let mut picker = Scenarios::default();
        let _ = press(&mut picker, &cx, "j");
        let out = press(&mut picker, &cx, "enter");
        assert!(out.closes());
        assert!(matches!(&out.then[..], [Do::Play(1)]));
        let _ = press(&mut picker, &cx, "G");
        assert_eq!(
            picker.selected,
            plays().len(),
            "play all, past the last play"
        );
        assert!(
            matches!(&press(&mut picker, &cx, "enter").then[..], [Do::Play(n)] if *n == plays().len())
        );
        assert!(press(&mut picker, &cx, "esc").closes());
        assert!(press(&mut picker, &cx, "x").stays());
    }

    #[test]
    fn a_click_selects_and_a_click_on_the_selected_row_takes_it() {
        let mut picker = Scenarios::default();
        assert_eq!(picker.choose(3, false), Chosen::Selected);
        assert_eq!(picker.selected, 3);
        assert_eq!(picker.choose(3, true), Chosen::Take);
        // The second click of a double click on another row only selects it.
        assert_eq!(picker.choose(5, true), Chosen::Selected);
        assert_eq!(picker.selected, 3);
    }

    #[test]
    fn the_picker_lists_every_play_and_marks_the_played_ones() {
        let mut app = app();
        let first = plays()[0].clone();
        app.play.played.insert(first.key.clone());
        let text = screen(&Scenarios::default(), &app.cx(), 150, 50);
        assert!(
            text.contains(&format!("Scenarios · {}", plays().len())),
            "{text}"
        );
        let row = text
            .lines()
            .find(|l| l.contains(&first.title))
            .expect("the first play's row");
        assert!(
            row.contains(&format!("{PLAYED_MARK} {}", first.key)),
            "{row}"
        );
        assert!(text.contains(&format!("{PLAYED_MARK} played")), "{text}");
        assert!(text.contains("play all"), "{text}");
    }

    /// Every row shows its play's key (what a tour script's `scenario` names), at 80
    /// columns too; the played mark is not the log's `✓` for an applied outcome.
    #[test]
    fn every_row_shows_its_key_and_the_played_mark_is_not_the_outcome_glyph() {
        assert_ne!(
            PLAYED_MARK,
            crate::tui::state::summary::severity_mark(crate::core::op::scenario::Severity::Applied)
        );
        let mut app = app();
        for play in plays() {
            app.play.played.insert(play.key.clone());
        }
        for width in [80, 150] {
            let text = screen(&Scenarios::default(), &app.cx(), width, 60);
            for play in plays() {
                let row = text
                    .lines()
                    .find(|l| l.contains(&format!(" {} ", play.key)))
                    .unwrap_or_else(|| panic!("{} at {width}:\n{text}", play.key));
                assert!(row.contains(PLAYED_MARK), "{row}");
            }
        }
    }
}
