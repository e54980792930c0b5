//! The action log pane: one line per request.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::text::{cell, fit};
use super::{SPINNER, pane_block};
use crate::api::hive::HiveOutcome;
use crate::api::outcome::HiveAction;
use crate::api::outcome::{MessageCheck, Severity};
use crate::backend::Output;
use crate::journal::{Entry, OutcomeKind};
use crate::op::Op;
use crate::tui::app::{App, LogEntry, Pane};

/// The colour of an outcome severity.
pub fn severity_color(s: Severity) -> Color {
    match s {
        Severity::Applied => Color::Green,
        Severity::AlreadyThere => Color::Cyan,
        Severity::Partial => Color::Yellow,
        Severity::Nothing => Color::Red,
    }
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

/// A mark, a text and a colour summing up a log entry's result.
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
            Color::Yellow,
            None,
        );
    };
    let status = reply
        .exchanges
        .last()
        .and_then(|e| e.status)
        .map(|s| format!("{s} "))
        .unwrap_or_default();
    match &reply.result {
        Err(e) => ("✗".into(), e.to_string(), Color::Red, None),
        Ok(Output::Hive(o)) => {
            let s = o.scenario();
            let mark = severity_mark(s.severity());
            let text = o
                .message
                .clone()
                .unwrap_or_else(|| "(no message in the response)".into());
            (
                mark.into(),
                text,
                severity_color(s.severity()),
                Some(o.message_check()),
            )
        }
        Ok(Output::Tag(t)) => (
            "✓".into(),
            format!(
                "{status}tag {} = \"{}\"",
                t.id,
                t.value.as_deref().unwrap_or("?")
            ),
            Color::Green,
            None,
        ),
        Ok(Output::Users(list)) => (
            "✓".into(),
            format!(
                "{status}{} users ({} page{})",
                list.users.len(),
                list.pages_fetched,
                if list.pages_fetched == 1 { "" } else { "s" }
            ),
            Color::Green,
            None,
        ),
        Ok(Output::Profile(p)) => (
            "✓".into(),
            format!("{status}{}", p.name.as_deref().unwrap_or(&p.id)),
            Color::Green,
            None,
        ),
    }
}

/// A Hive outcome read back from a journaled response body, if it is one.
pub fn journaled_hive(entry: &Entry) -> Option<HiveOutcome> {
    let action = match entry.intent.op {
        Op::HiveAdd { .. } => HiveAction::Add,
        Op::HiveRemove { .. } => HiveAction::Remove,
        _ => return None,
    };
    let outcome = entry.outcome.as_ref()?;
    if outcome.result != OutcomeKind::Ok {
        return None;
    }
    let body = outcome.response_body.as_ref()?;
    HiveOutcome::parse(action, body.to_string().as_bytes()).ok()
}

/// The summary of an entry from an earlier run's journal.
fn history_summary(entry: &Entry) -> (String, String, Color, Option<MessageCheck>) {
    let Some(outcome) = &entry.outcome else {
        return (
            "?".into(),
            entry.summary().to_string(),
            Color::Magenta,
            None,
        );
    };
    match outcome.result {
        OutcomeKind::Ok => match journaled_hive(entry) {
            Some(o) => {
                let s = o.scenario();
                (
                    severity_mark(s.severity()).into(),
                    outcome.summary.clone(),
                    severity_color(s.severity()),
                    Some(o.message_check()),
                )
            }
            None => ("✓".into(), outcome.summary.clone(), Color::Green, None),
        },
        OutcomeKind::Abandoned | OutcomeKind::Timeout => {
            ("?".into(), outcome.summary.clone(), Color::Magenta, None)
        }
        OutcomeKind::Cancelled | OutcomeKind::Refused => {
            ("-".into(), outcome.summary.clone(), Color::DarkGray, None)
        }
        _ => ("✗".into(), outcome.summary.clone(), Color::Red, None),
    }
}

pub fn draw_log(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Log;
    let title = Line::from(vec![
        Span::raw(" "),
        Span::styled("Action log", Style::new().bold()),
        Span::raw(format!(" · {} ", app.log.len())),
    ]);
    let block = pane_block(app, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if app.log.is_empty() {
        frame.render_widget(
            Paragraph::new("No requests yet. Every request and its outcome will show here.")
                .dark_gray(),
            inner,
        );
        return;
    }
    let w = inner.width as usize;
    let target_w = if w >= 100 { 16 } else { 12 };
    let items: Vec<ListItem> = app
        .log
        .iter()
        .map(|entry| {
            let (mark, text, color, check) = summary(app, entry);
            let local = app.local(entry.started_at);
            let time = if local.date_naive() == app.local(app.now).date_naive() {
                local.format("%H:%M:%S").to_string()
            } else {
                local.format("%b %d  ").to_string()
            };
            let time_style = if entry.history.is_some() {
                Style::new().dark_gray().italic()
            } else {
                Style::new().dark_gray()
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
                    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
                ));
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let list = List::new(items).highlight_style(if focused {
        Style::new().add_modifier(Modifier::REVERSED)
    } else {
        Style::new()
    });
    let mut state = ListState::default().with_selected(Some(app.log_selected));
    frame.render_stateful_widget(list, inner, &mut state);
}
