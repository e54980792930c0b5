//! Drawing: a pure function of the App. No IO, no locks, no business logic here.

mod inspector;
mod log;
mod panes;
mod popups;
mod text;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::app::{App, Level, Pane, Popup, Tab};
use super::keymap::{Action, Scope};

pub use text::fit;

/// Smallest terminal the console draws in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        draw_too_small(frame, area);
        return;
    }
    let [header, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(app, frame, header);
    // The log takes more room while it has the keyboard.
    let log_height = if app.focus == Pane::Log {
        (body.height * 3 / 5).max(5)
    } else {
        (body.height * 2 / 5).clamp(5, 16)
    };
    let [top, log_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(log_height)]).areas(body);
    let list_width = (top.width * 9 / 20).clamp(30, 64);
    let [list_area, tags_area] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Fill(1)]).areas(top);
    match app.tab {
        Tab::Cerego => {
            panes::draw_users(app, frame, list_area);
            panes::draw_cerego_tags(app, frame, tags_area);
        }
        Tab::Hive => {
            panes::draw_patrons(app, frame, list_area);
            panes::draw_hive_tags(app, frame, tags_area);
        }
    }
    log::draw_log(app, frame, log_area);
    draw_status(app, frame, status);
    match &app.popup {
        None => {}
        Some(Popup::Help { scroll }) => popups::draw_help(app, *scroll, frame, area),
        Some(Popup::Form(form)) => popups::draw_form(app, form, frame, area),
        Some(Popup::Confirm(c)) => popups::draw_confirm(c, frame, area),
        Some(Popup::Quit) => popups::draw_quit(app, frame, area),
        Some(Popup::Profiles { selected }) => popups::draw_profiles(app, *selected, frame, area),
        Some(Popup::Inspector { entry, scroll }) => {
            inspector::draw_inspector(app, *entry, *scroll, frame, area)
        }
    }
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

fn draw_header(app: &App, frame: &mut Frame, area: Rect) {
    let tab = |label: &'static str, key: &'static str, active: bool| {
        let style = if active {
            Style::new().fg(Color::Black).bg(Color::Cyan).bold()
        } else {
            Style::new().fg(Color::Gray)
        };
        Span::styled(format!(" {key} {label} "), style)
    };
    let mut left = vec![
        Span::styled(" tagdesk ", Style::new().bold()),
        tab("Cerego", "1", app.tab == Tab::Cerego),
        Span::raw(" "),
        tab("Hive", "2", app.tab == Tab::Hive),
    ];
    let color = app.settings.color.parse::<Color>().unwrap_or(Color::Cyan);
    let mut badges = String::new();
    if app.settings.policy.read_only {
        badges.push_str(" · read-only");
    }
    if app.settings.policy.confirm {
        badges.push_str(" · confirms changes");
    }
    let mut right = vec![Span::styled(
        format!(" profile: {}{badges} ", app.settings.profile),
        if app.settings.demo {
            Style::new().fg(Color::Gray)
        } else {
            Style::new().fg(Color::Black).bg(color).bold()
        },
    )];
    if app.settings.demo {
        let badge = if area.width >= 110 {
            " DEMO · simulator, nothing real is touched "
        } else {
            " DEMO · simulator "
        };
        right.push(Span::styled(
            badge,
            Style::new().fg(Color::Black).bg(Color::Yellow).bold(),
        ));
    }
    let right_width: u16 = right.iter().map(|s| s.width() as u16).sum();
    let [l, r] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_width)]).areas(area);
    left.push(Span::raw(""));
    frame.render_widget(Line::from(left), l);
    frame.render_widget(Line::from(right).alignment(Alignment::Right), r);
}

/// The hints for the current context, generated from the key table.
pub fn hints(app: &App) -> Vec<(&str, &'static str)> {
    app.settings
        .keymap
        .entries()
        .iter()
        .filter(|b| b.hint)
        .filter(|b| match b.scope {
            Scope::Everywhere => true,
            Scope::Lists => app.focus == Pane::List,
            Scope::Tags => app.focus != Pane::Log,
            Scope::Log => app.focus == Pane::Log,
            Scope::HiveOnly => app.tab == Tab::Hive,
        })
        .filter(|b| match b.action {
            Action::Edit => app.tab == Tab::Cerego,
            Action::Remove => app.tab == Tab::Hive,
            _ => true,
        })
        .map(|b| (b.label.as_str(), short_help(b.action)))
        .collect()
}

fn short_help(action: Action) -> &'static str {
    match action {
        Action::Add => "add",
        Action::Edit => "edit",
        Action::Remove => "remove",
        Action::Open => "open patron",
        Action::Filter => "filter",
        Action::Inspect => "inspect",
        Action::NextPane => "pane",
        Action::Help => "help",
        Action::Quit => "quit",
        _ => "",
    }
}

fn draw_status(app: &App, frame: &mut Frame, area: Rect) {
    let n = app.in_flight();
    let right = if n > 0 {
        Span::styled(
            format!(" {} {n} in flight ", SPINNER[app.frame % SPINNER.len()]),
            Style::new().fg(Color::Yellow),
        )
    } else {
        Span::styled(" idle ", Style::new().fg(Color::DarkGray))
    };
    let right_width = right.width() as u16;
    let [l, r] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_width)]).areas(area);
    let line = match &app.status {
        Some((level, text)) => {
            let style = match level {
                Level::Info => Style::new().fg(Color::Cyan),
                Level::Warn => Style::new().fg(Color::Yellow),
                Level::Error => Style::new().fg(Color::Red),
            };
            Line::from(Span::styled(
                fit(&format!(" {text}"), l.width as usize),
                style,
            ))
        }
        None => {
            let mut spans = Vec::new();
            for (key, help) in hints(app) {
                spans.push(Span::styled(
                    format!(" {key}"),
                    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                ));
                spans.push(Span::styled(
                    format!(" {help} "),
                    Style::new().fg(Color::Gray),
                ));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(line, l);
    frame.render_widget(right, r);
}

/// A bordered block whose border shows whether the pane has the keyboard.
pub(crate) fn pane_block(app: &App, title: Line<'static>, focused: bool) -> Block<'static> {
    // The focused pane's border carries the profile's colour (cyan in demo mode).
    let accent = if app.settings.demo {
        Color::Cyan
    } else {
        app.settings.color.parse().unwrap_or(Color::Cyan)
    };
    let style = if focused {
        Style::new().fg(accent)
    } else {
        Style::new().fg(Color::DarkGray)
    };
    Block::bordered().border_style(style).title(title)
}
