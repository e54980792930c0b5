//! Drawing: a pure function of the App. No IO, no locks, no business logic here.
//!
//! Colour never carries meaning alone: the focused pane's title is marked `▶` and bold, the
//! selected row is reversed (bold when its pane is not focused), the active tab is bold, and
//! status messages start with `✗` (error) or `!` (warning). With `NO_COLOR` set, no colour is
//! drawn at all (the buffer is stripped of it after drawing) and the selection, the active
//! tab and the focused title use reverse video too.

mod cerego;
mod hits;
mod hive;
pub(crate) mod log;
mod panes;
pub(crate) mod text;

pub use hits::hits;

use crate::tui::theme::{self};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::app::{App, Level, Pane, Tab};
use super::keymap::{self, Action};
use super::popups;

pub use popups::{help_max_scroll, inspector_max_scroll};
pub use text::fit;

/// Smallest terminal the console draws in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// The marker of the focused pane's title and, without colour, of the selected row.
pub const MARKER: &str = "▶";

/// Where the main screen's parts go: drawing and the mouse's hit map share it.
pub(crate) struct Screen {
    pub header: Rect,
    pub list: Rect,
    pub tags: Rect,
    pub log: Rect,
    /// A tour's caption line (empty when no tour).
    pub banner: Rect,
    pub status: Rect,
}

/// The main screen's layout in `area`; None when the terminal is too small to draw.
pub(crate) fn screen(app: &App, area: Rect) -> Option<Screen> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    // A caption or a status message too long for its line takes a second one.
    let banner_rows = app
        .play
        .tour
        .as_ref()
        .map_or(0, |tour| banner_lines(app, tour, area.width).0.len() as u16);
    let status_rows = status_lines(app, area)
        .map_or(1, |(_, lines)| lines.len() as u16)
        .max(1);
    let [header, body, banner, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(banner_rows),
        Constraint::Length(status_rows),
    ])
    .areas(area);
    // The log takes more room while it has the keyboard.
    let log_height = if app.focus == Pane::Log {
        (body.height * 3 / 5).max(5)
    } else {
        (body.height * 2 / 5).clamp(5, 16)
    };
    let [top, log] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(log_height)]).areas(body);
    let list_width = (top.width * 9 / 20).clamp(30, 64);
    let [list, tags] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Fill(1)]).areas(top);
    Some(Screen {
        header,
        list,
        tags,
        log,
        banner,
        status,
    })
}

pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let Some(screen) = screen(app, area) else {
        draw_too_small(frame, area);
        return;
    };
    draw_header(app, frame, screen.header);
    match app.tab {
        Tab::Cerego => {
            cerego::draw_users(app, frame, screen.list);
            cerego::draw_cerego_tags(app, frame, screen.tags);
        }
        Tab::Hive => {
            hive::draw_patrons(app, frame, screen.list);
            hive::draw_hive_tags(app, frame, screen.tags);
        }
    }
    log::draw_log(app, frame, screen.log);
    if let Some(tour) = &app.play.tour {
        draw_banner(app, tour, frame, screen.banner);
    }
    draw_status(app, frame, screen.status);
    if let Some(popup) = &app.popup {
        popup.draw(&app.cx(), frame, area);
    }
    // The frame is drawn in the dark palette; the theme in force redraws its colours
    // (monochrome: none at all).
    theme::apply(frame.buffer_mut(), app.settings.theme);
}

fn draw_too_small(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::from("Terminal too small".bold()),
        Line::from(format!("{}x{}", area.width, area.height)),
        Line::from(format!("tagdesk needs {MIN_WIDTH}x{MIN_HEIGHT}")),
    ];
    let y = area.height.saturating_sub(3) / 2;
    let inner = Rect {
        y: area.y + y,
        height: area.height.saturating_sub(y).min(3),
        ..area
    };
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        inner,
    );
}

/// The header's left part: the name and the tabs (each span with the tab it shows).
pub(crate) fn header_tabs(app: &App) -> Vec<(Option<Tab>, Span<'static>)> {
    let no_color = app.settings.no_color();
    let tab = |label: &'static str, key: &str, active: bool| {
        let style = match (active, no_color) {
            (true, false) => theme::SELECTED,
            (true, true) => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            (false, _) => Style::new().fg(theme::TEXT),
        };
        Span::styled(format!(" {key} {label} "), style)
    };
    vec![
        (None, Span::styled(" tagdesk ", Style::new().bold())),
        (
            Some(Tab::Cerego),
            tab(
                "Cerego",
                app.key_label(Action::TabCerego),
                app.tab == Tab::Cerego,
            ),
        ),
        (None, Span::raw(" ")),
        (
            Some(Tab::Hive),
            tab("Hive", app.key_label(Action::TabHive), app.tab == Tab::Hive),
        ),
    ]
}

/// The header's right part (profile and badges), and the header split around it.
pub(crate) fn header_right(app: &App, area: Rect) -> (Vec<Span<'static>>, Rect, Rect) {
    let color = theme::colour(app.settings.color);
    let mut badges = String::new();
    if app.settings.policy.read_only {
        badges.push_str(" · read-only");
    }
    if app.settings.policy.confirm {
        badges.push_str(" · confirms changes");
    }
    let mut right = vec![Span::styled(
        fit(
            &format!(" profile: {}{badges} ", app.settings.profile),
            (area.width / 2) as usize,
        ),
        if app.settings.demo {
            Style::new().fg(theme::TEXT)
        } else {
            theme::badge(color)
        },
    )];
    if app.settings.demo {
        let badge = if area.width >= 110 {
            " DEMO · simulator, nothing real is touched "
        } else {
            " DEMO · simulator "
        };
        right.push(Span::styled(badge, theme::BADGE_ACT));
    }
    // The simulator's active faults, so nobody mistakes an injected 503 for a real one.
    if !app.play.faults.is_empty() {
        right.insert(
            0,
            Span::styled(
                fit(
                    &format!(" faults: {} ", app.play.faults.join(" · ")),
                    (area.width / 3) as usize,
                ),
                theme::badge(theme::ERROR),
            ),
        );
        right.insert(1, Span::raw(" "));
    }
    let right_width: u16 = right.iter().map(|s| s.width() as u16).sum();
    let [l, r] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_width)]).areas(area);
    (right, l, r)
}

fn draw_header(app: &App, frame: &mut Frame, area: Rect) {
    let (right, l, r) = header_right(app, area);
    let mut left: Vec<Span> = header_tabs(app).into_iter().map(|(_, s)| s).collect();
    left.push(Span::raw(""));
    frame.render_widget(Line::from(left), l);
    frame.render_widget(Line::from(right).alignment(Alignment::Right), r);
}

/// The hints for the current context, generated from the key table.
pub fn hints(app: &App) -> Vec<(&str, &'static str)> {
    hinted(app)
        .into_iter()
        .map(|(_, key, hint)| (key, hint))
        .collect()
}

/// The hinted actions with their key and word.
fn hinted(app: &App) -> Vec<(Action, &str, &'static str)> {
    app.settings
        .keymap
        .entries()
        .iter()
        .filter(|b| keymap::in_scope(app, b.scope))
        .filter(|b| keymap::availability(app, b.action).is_ok())
        .filter_map(|b| Some((b.action, b.label.as_str(), b.hint?)))
        .collect()
}

/// The hints kept however narrow the status line: the palette lists every other action.
const HINTS_KEPT: [Action; 3] = [Action::Palette, Action::Help, Action::Quit];

/// The status line's hints as drawn in `width` columns: two spans (key, word) per hinted
/// action, shown only while the status line has nothing to say. What does not fit goes, the
/// last first, except [`HINTS_KEPT`].
pub(crate) fn hint_spans(app: &App, width: u16) -> Vec<(Action, [Span<'static>; 2])> {
    if status_text(app).is_some() {
        return Vec::new();
    }
    let mut hints = hinted(app);
    let drawn = |hints: &[(Action, &str, &str)]| -> usize {
        hints
            .iter()
            .map(|(_, k, w)| k.width() + w.width() + 3)
            .sum()
    };
    while drawn(&hints) > width as usize {
        let Some(last) = hints.iter().rposition(|(a, ..)| !HINTS_KEPT.contains(a)) else {
            break;
        };
        hints.remove(last);
    }
    hints
        .into_iter()
        .map(|(action, key, help)| {
            (
                action,
                [
                    Span::styled(format!(" {key}"), theme::KEY),
                    Span::styled(format!(" {help} "), Style::new().fg(theme::TEXT)),
                ],
            )
        })
        .collect()
}

/// What the status line says: the message of the last action, or what is going on.
fn status_text(app: &App) -> Option<(Level, String)> {
    if let Some((profile, command)) = &app.switching {
        // The console stays on its profile (the header still names it) until this answers.
        let text = if *command {
            format!(
                "Switching: running api_key_cmd for profile {profile}… (nothing new is sent meanwhile)"
            )
        } else {
            format!("Switching to profile {profile}… (nothing new is sent meanwhile)")
        };
        return Some((Level::Info, text));
    }
    if app.quit_when_idle {
        let n = app.in_flight();
        return Some((
            Level::Warn,
            format!(
                "Quitting when the {n} request{} in flight finish{}… (Esc to stay, Ctrl-C to abandon)",
                if n == 1 { "" } else { "s" },
                if n == 1 { "es" } else { "" }
            ),
        ));
    }
    app.status.clone()
}

/// A tour's caption, where the presenter's audience looks: the step, what it shows, and
/// what comes next.
fn draw_banner(
    app: &App,
    tour: &crate::tui::state::playground::TourState,
    frame: &mut Frame,
    area: Rect,
) {
    let (lines, right) = banner_lines(app, tour, area.width);
    let right_width = (right.chars().count() as u16).min(area.width / 3);
    // The caption's first line stops short of the right part, on the first row only.
    let first_row = Rect { height: 1, ..area };
    let [_, r] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_width)]).areas(first_row);
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|text| Line::from(Span::styled(text, theme::SELECTED)))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            fit(&right, r.width as usize),
            theme::BADGE_NONE,
        ))),
        r,
    );
}

/// The banner's caption as drawn in a line `width` wide (one line, or two when it is
/// longer), and its right part.
fn banner_lines(
    app: &App,
    tour: &crate::tui::state::playground::TourState,
    width: u16,
) -> (Vec<String>, String) {
    use crate::tui::state::playground::TourPhase;
    let of = tour.steps.len();
    let step = (tour.at + 1).min(of);
    let (left, right) = match &tour.phase {
        TourPhase::Done => (
            format!("Tour finished: {of} steps. "),
            format!(
                " {} quits · {} plays one ",
                app.key_label(Action::Quit),
                app.key_label(Action::Scenarios)
            ),
        ),
        TourPhase::Stopped => (
            format!("Tour stopped at step {step} of {of}. "),
            format!(" {} plays one ", app.key_label(Action::Scenarios)),
        ),
        TourPhase::Ready { since } => {
            let shown = tour.at.min(of);
            let next = if tour.manual {
                format!(
                    " {} next step · {} stops ",
                    app.key_label(Action::TourNext),
                    app.key_label(Action::Close)
                )
            } else {
                let due = *since + chrono::Duration::milliseconds(tour.step_ms as i64);
                let left = (due - app.now).num_milliseconds().max(0) as f64 / 1000.0;
                format!(
                    " next in {left:.0} s · {} stops ",
                    app.key_label(Action::Close)
                )
            };
            (format!("Tour {shown}/{of} · "), next)
        }
        TourPhase::Fault | TourPhase::SettingUp | TourPhase::Waiting { .. } => (
            format!("Tour {step}/{of} ▶ "),
            format!(" playing… · {} stops ", app.key_label(Action::Close)),
        ),
    };
    let caption = tour.caption().unwrap_or("");
    let right_width = (right.chars().count() as u16).min(width / 3);
    // The right part is on the first line: a second one has the whole width.
    let room = width.saturating_sub(right_width).saturating_sub(1) as usize;
    let whole = width.saturating_sub(1) as usize;
    let lines = text::wrap_two(&format!("{left}{caption}"), room, whole)
        .into_iter()
        .map(|l| format!(" {l}"))
        .collect();
    (lines, right)
}

/// The status line's right part (idle, or the spinner with the requests in flight and the
/// batches being sent), and the line split around it.
pub(crate) fn status_right(app: &App, area: Rect) -> (Span<'static>, Rect, Rect) {
    let n = app.in_flight();
    let mut work = Vec::new();
    if n > 0 {
        work.push(format!("{n} in flight"));
    }
    let sending: Vec<_> = app
        .batches
        .iter()
        .filter(|b| b.phase != crate::tui::state::batch::BatchPhase::Finished)
        .collect();
    match sending[..] {
        [] => {}
        [b] => work.push(format!(
            "batch {}/{}{}",
            b.done(),
            b.todo.len(),
            match b.phase {
                crate::tui::state::batch::BatchPhase::Paused => " paused",
                crate::tui::state::batch::BatchPhase::Cancelling => " cancelling",
                _ => "",
            }
        )),
        _ => work.push(format!(
            "{} batches · {} left",
            sending.len(),
            crate::core::printable::plural(app.batch_rows_left() as u64, "row", "rows")
        )),
    }
    let right = if !work.is_empty() {
        Span::styled(
            format!(
                " {} {} ",
                SPINNER[app.frame % SPINNER.len()],
                work.join(" · ")
            ),
            Style::new().fg(theme::WARN),
        )
    } else {
        Span::styled(" idle ", Style::new().fg(theme::MUTED))
    };
    let right_width = right.width() as u16;
    let [l, r] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_width)]).areas(area);
    (right, l, r)
}

/// The status message as drawn in the status line's `area`: its level, and its text in one
/// line, or two when it is longer (the message history, `H`, has it whole).
fn status_lines(app: &App, area: Rect) -> Option<(Level, Vec<String>)> {
    let (level, text) = status_text(app)?;
    let (_, l, _) = status_right(app, area);
    // The glyph says the level where colour cannot.
    let glyph = match level {
        Level::Info => "",
        Level::Warn => "! ",
        Level::Error => "✗ ",
    };
    // The right part stays in the bottom-right corner: with a second line, the first one
    // has the whole width.
    let room = l.width.saturating_sub(1) as usize;
    let whole = area.width.saturating_sub(1) as usize;
    let one = text::wrap_two(&format!("{glyph}{text}"), room, room);
    let lines = if one.len() == 1 {
        one
    } else {
        let mut two = text::wrap_two(&format!("{glyph}{text}"), whole, room);
        // Whole on the first row: the second holds only the right part.
        two.resize(2, String::new());
        two
    }
    .into_iter()
    .map(|l| format!(" {l}"))
    .collect();
    Some((level, lines))
}

fn draw_status(app: &App, frame: &mut Frame, area: Rect) {
    // The right part is on the last row; a message's first line has the whole width.
    let last_row = Rect {
        y: area.bottom().saturating_sub(1),
        height: 1,
        ..area
    };
    let (right, l, r) = status_right(app, last_row);
    let lines = match status_lines(app, area) {
        Some((level, lines)) => {
            let style = match level {
                Level::Info => Style::new().fg(theme::ACCENT),
                Level::Warn => Style::new().fg(theme::WARN),
                Level::Error => Style::new().fg(theme::ERROR).bold(),
            };
            lines
                .into_iter()
                .map(|text| Line::from(Span::styled(text, style)))
                .collect()
        }
        None => {
            let hints: Vec<Span> = hint_spans(app, l.width)
                .into_iter()
                .flat_map(|(_, spans)| spans)
                .collect();
            frame.render_widget(Line::from(hints), l);
            Vec::new()
        }
    };
    frame.render_widget(Paragraph::new(lines), area);
    frame.render_widget(right, r);
}

/// A pane's title: ` ▶ Name detail ` bold when the pane has the keyboard, ` Name detail `
/// otherwise (reversed too without colour).
pub(crate) fn pane_title(app: &App, name: &str, detail: String, focused: bool) -> Line<'static> {
    if focused {
        let style = if app.settings.no_color() {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        };
        Line::from(vec![
            Span::raw(" "),
            Span::styled(format!("{MARKER} {name}{detail}"), style),
            Span::raw(" "),
        ])
    } else {
        Line::from(vec![Span::raw(format!(" {name}{detail} "))])
    }
}

/// A bordered block whose border shows whether the pane has the keyboard.
pub(crate) fn pane_block(app: &App, title: Line<'static>, focused: bool) -> Block<'static> {
    // The focused pane's border carries the profile's colour (cyan in demo mode).
    let accent = if app.settings.demo {
        theme::ACCENT
    } else {
        theme::colour(app.settings.color)
    };
    let style = if focused {
        Style::new().fg(accent)
    } else {
        Style::new().fg(theme::MUTED)
    };
    Block::bordered().border_style(style).title(title)
}

/// How the selected row of a table or list is drawn: reversed in the focused pane, bold in
/// an unfocused list (and, without colour, in an unfocused tags pane too).
pub(crate) fn selection_style(app: &App, focused: bool, list: bool) -> Style {
    match (focused, list) {
        (true, _) => Style::new().add_modifier(Modifier::REVERSED),
        (false, true) => Style::new().add_modifier(Modifier::BOLD),
        (false, false) if app.settings.no_color() => Style::new().add_modifier(Modifier::BOLD),
        (false, false) => Style::new(),
    }
}

/// The symbol before the selected row: `▶ ` without colour, nothing with it.
pub(crate) fn selection_symbol(app: &App) -> &'static str {
    if app.settings.no_color() { "▶ " } else { "" }
}
