//! The action log pane: one line per request.

use crate::tui::theme::{self, Themed};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::text::{cell, fit};
use super::{SPINNER, pane_block, pane_title, selection_style, selection_symbol};
use crate::core::op::Output;
use crate::core::op::scenario::{MessageCheck, Severity};
use crate::engine::journal::{Entry, OutcomeKind};
use crate::tui::app::{App, LogEntry, Pane};
use crate::tui::keymap::Action;

/// The colour of an outcome severity.
pub fn severity_color(s: Severity) -> Color {
    theme::severity(s)
}

/// The mark of an outcome severity.
pub fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Applied => "✓",
        Severity::AlreadyThere => "=",
        Severity::Partial => "◐",
        Severity::Nothing => "✗",
    }
}

/// A mark, a text and a colour summing up a log entry's result. An entry reads the same
/// whether it happened in this run or comes from the journal: the status, then
/// [`Output::summary`] (the Hive message verbatim), then the retries it took.
pub fn summary(app: &App, entry: &LogEntry) -> (String, String, Color, Option<MessageCheck>) {
    if let Some(h) = &entry.history {
        return history_summary(h);
    }
    let Some(reply) = &entry.reply else {
        let text = match entry.retries.last() {
            Some(r) => {
                let left = (r.at - app.now).num_milliseconds().max(0) as f64 / 1000.0;
                if left > 0.0 {
                    format!(
                        "retry {}/{} in {left:.0}s · {}",
                        r.attempt, r.max_attempts, r.reason
                    )
                } else {
                    format!(
                        "retry {}/{} sent… · {}",
                        r.attempt, r.max_attempts, r.reason
                    )
                }
            }
            None => "pending…".into(),
        };
        return (
            SPINNER[app.frame % SPINNER.len()].to_string(),
            text,
            theme::WARN,
            None,
        );
    };
    let status = reply.exchanges.last().and_then(|e| e.status);
    let retries = match reply.retries.len() {
        0 => String::new(),
        1 => " (after 1 retry)".to_string(),
        n => format!(" (after {n} retries)"),
    };
    let journal = if reply.journal_error.is_some() {
        " · NOT JOURNALED"
    } else {
        ""
    };
    match &reply.result {
        Err(e) => (
            "✗".into(),
            format!("{e}{retries}{journal}"),
            theme::ERROR,
            None,
        ),
        Ok(Output::Hive(o)) => {
            let s = o.scenario();
            (
                severity_mark(s.severity()).into(),
                format!("{}{retries}{journal}", o.summary()),
                severity_color(s.severity()),
                Some(o.message_check()),
            )
        }
        Ok(output) => (
            "✓".into(),
            format!(
                "{}{}{retries}{journal}",
                status_prefix(status),
                output.summary()
            ),
            theme::OK,
            None,
        ),
    }
}

fn status_prefix(status: Option<u16>) -> String {
    status.map(|s| format!("{s} ")).unwrap_or_default()
}

/// The summary of an entry from an earlier run's journal.
fn history_summary(entry: &Entry) -> (String, String, Color, Option<MessageCheck>) {
    let Some(outcome) = &entry.outcome else {
        return (
            "?".into(),
            entry.summary().to_string(),
            theme::UNKNOWN,
            None,
        );
    };
    match outcome.result {
        OutcomeKind::Ok => match entry.hive_outcome() {
            Some(o) => {
                let s = o.scenario();
                (
                    severity_mark(s.severity()).into(),
                    outcome.summary.clone(),
                    severity_color(s.severity()),
                    Some(o.message_check()),
                )
            }
            None => (
                "✓".into(),
                format!("{}{}", status_prefix(outcome.status), outcome.summary),
                theme::OK,
                None,
            ),
        },
        OutcomeKind::Abandoned | OutcomeKind::Timeout => {
            ("?".into(), outcome.summary.clone(), theme::UNKNOWN, None)
        }
        OutcomeKind::Cancelled | OutcomeKind::Refused => {
            ("-".into(), outcome.summary.clone(), theme::MUTED, None)
        }
        _ => ("✗".into(), outcome.summary.clone(), theme::ERROR, None),
    }
}

/// What `/` on the action log matches: the service and operation, the target (patron,
/// user, tag), the result text and the MISMATCH mark.
pub fn log_search_text(app: &App, entry: &LogEntry) -> String {
    let (mark, text, _, check) = summary(app, entry);
    let check = match check {
        Some(MessageCheck::Mismatch) => " MISMATCH",
        Some(MessageCheck::Match) => " MATCH",
        _ => "",
    };
    let result = match &entry.history {
        Some(h) => h.result_label(),
        None => match &entry.reply {
            Some(r) if r.result.is_ok() => "ok",
            Some(_) => "failed",
            None => "pending",
        },
    };
    format!(
        "{} {} {} {mark} {text}{check} {result}",
        entry.op.service().name(),
        entry.op.verb(),
        entry.op.target()
    )
}

pub fn draw_log(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Log;
    let filtered = app.log_filter.is_active();
    let count = if filtered {
        format!(" · {} of {}", app.log_visible.len(), app.log.len())
    } else {
        format!(" · {}", app.log.len())
    };
    let block = pane_block(app, pane_title(app, "Action log", count, focused), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let inner = if filtered {
        let [rows, line] = ratatui::layout::Layout::vertical([
            ratatui::layout::Constraint::Fill(1),
            ratatui::layout::Constraint::Length(1),
        ])
        .areas(inner);
        draw_log_filter(app, frame, line);
        rows
    } else {
        inner
    };
    if app.log.is_empty() {
        frame.render_widget(
            Paragraph::new("No requests yet. Every request and its outcome will show here.")
                .muted(),
            inner,
        );
        return;
    }
    if app.log_visible.is_empty() {
        frame.render_widget(
            Paragraph::new(format!(
                "No entry matches the filter. {} clears it.",
                app.key(Action::Close)
            ))
            .muted(),
            inner,
        );
        return;
    }
    let symbol = selection_symbol(app);
    let w = (inner.width as usize).saturating_sub(symbol.chars().count());
    // The target column grows with the terminal: patron ids are free-form and often long.
    let target_w = (w / 6).clamp(12, 40);
    // Only the rows on screen are built.
    let selected = app
        .log_visible
        .iter()
        .position(|&i| i == app.log_selected)
        .unwrap_or(app.log_visible.len() - 1);
    let height = inner.height.max(1) as usize;
    let start = (selected + 1)
        .saturating_sub(height)
        .min(app.log_visible.len().saturating_sub(1));
    let shown = &app.log_visible[start..(start + height).min(app.log_visible.len())];
    let items: Vec<ListItem> = shown
        .iter()
        .filter_map(|&i| app.log.get(i))
        .map(|entry| {
            let (mark, text, color, check) = summary(app, entry);
            let local = app.local(entry.started_at);
            let time = if local.date_naive() == app.local(app.now).date_naive() {
                local.format("%H:%M:%S").to_string()
            } else {
                local.format("%b %d  ").to_string()
            };
            let time_style = if entry.history.is_some() {
                Style::new().fg(theme::MUTED).italic()
            } else {
                Style::new().fg(theme::MUTED)
            };
            let mut spans = vec![
                Span::styled(format!("{time} "), time_style),
                Span::raw(cell(
                    &format!("{} {}", entry.op.service().name(), entry.op.verb()),
                    13,
                )),
                Span::raw(" "),
                Span::raw(cell(&entry.op.target(), target_w)),
                Span::raw(" "),
                Span::styled(format!("{mark} "), Style::new().fg(color).bold()),
            ];
            let used = 9 + 14 + target_w + 1 + 2;
            let tail = match check {
                Some(MessageCheck::Mismatch) => " MISMATCH",
                _ => "",
            };
            let room = w.saturating_sub(used + tail.len());
            spans.push(Span::styled(fit(&text, room), Style::new().fg(color)));
            if !tail.is_empty() {
                spans.push(Span::styled(
                    tail,
                    Style::new().fg(theme::UNKNOWN).add_modifier(Modifier::BOLD),
                ));
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let list = List::new(items)
        .highlight_style(selection_style(app, focused, false))
        .highlight_symbol(symbol);
    let mut state = ListState::default().with_selected(Some(selected - start));
    frame.render_stateful_widget(list, inner, &mut state);
}

fn draw_log_filter(app: &App, frame: &mut Frame, area: Rect) {
    let f = &app.log_filter;
    let style = if f.editing {
        Style::new().fg(theme::WARN)
    } else {
        Style::new().fg(theme::ACCENT)
    };
    let count = format!(" {} of {}", app.log_visible.len(), app.log.len());
    let room = (area.width as usize).saturating_sub(count.len() + 2);
    let text = fit(f.text(), room);
    frame.render_widget(
        Line::from(vec![
            Span::styled("/", style.bold()),
            Span::styled(text.clone(), style),
            Span::styled(count, Style::new().fg(theme::MUTED)),
        ]),
        area,
    );
    if f.editing {
        let x = area.x + 1 + unicode_width::UnicodeWidthStr::width(text.as_str()) as u16;
        frame.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
    }
}
