//! The action log pane: one line per request.

use crate::tui::theme::{self, Themed};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::text::{cell, fit};
use super::{SPINNER, pane_block, pane_title, selection_style, selection_symbol};
use crate::core::op::scenario::MessageCheck;
use crate::tui::app::{App, Pane};
use crate::tui::keymap::Action;
use crate::tui::state::LogEntry;

/// A mark, a text and a colour summing up a log entry: a settled entry's summary (made once,
/// when its reply or history arrived), or what a pending one is waiting for.
pub fn summary(
    entry: &LogEntry,
    now: chrono::DateTime<chrono::Utc>,
    frame: usize,
) -> (String, String, Color, Option<MessageCheck>) {
    if let Some(s) = &entry.summary {
        return (
            s.mark.to_string(),
            s.text.clone(),
            s.colour,
            s.check.clone(),
        );
    }
    let text = match entry.retries().last() {
        Some(r) => {
            let left = (r.at - now).num_milliseconds().max(0) as f64 / 1000.0;
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
    (
        SPINNER[frame % SPINNER.len()].to_string(),
        text,
        theme::WARN,
        None,
    )
}

pub fn draw_log(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Log;
    let filtered =
        app.log.list.filter.is_active() || app.log.quick != crate::tui::state::QuickFilter::All;
    let quick = app.log.quick.label();
    let count = match (filtered, quick.is_empty()) {
        (true, false) => format!(
            " · {} · {} of {}",
            crate::tui::view::text::fit(&quick, 40),
            app.log.list.visible().len(),
            app.log.len()
        ),
        (true, true) => format!(" · {} of {}", app.log.list.visible().len(), app.log.len()),
        (false, _) => format!(" · {}", app.log.len()),
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
    let visible = app.log.list.visible();
    if visible.is_empty() {
        frame.render_widget(
            Paragraph::new(format!(
                "No entry matches the filter. {} clears it.",
                app.key_label(Action::Close)
            ))
            .muted(),
            inner,
        );
        return;
    }
    let symbol = selection_symbol(app);
    let w = (inner.width as usize).saturating_sub(symbol.chars().count());
    // Only the rows on screen are built.
    let (rows, selected) = log_rows(app, inner.height as usize);
    let shown: Vec<usize> = rows
        .iter()
        .filter_map(|r| match r {
            LogRow::Entry(i) => Some(*i),
            LogRow::Since => None,
        })
        .collect();
    // The target column is as wide as the longest target shown, within a share of the
    // terminal that grows with it (patron ids are free-form and often long); the message
    // and its breakdown get the rest.
    let longest = shown
        .iter()
        .filter_map(|&i| app.log.entries().get(i))
        .map(|e| unicode_width::UnicodeWidthStr::width(e.target().as_str()))
        .max()
        .unwrap_or(0);
    let target_w = longest.clamp(8, (w / 6).clamp(12, 40));
    let entry_item = |entry: &LogEntry| {
        let (mark, text, color, check) = summary(entry, app.now, app.frame);
        let local = app.local(entry.started_at);
        let time = if local.date_naive() == app.local(app.now).date_naive() {
            local.format("%H:%M:%S").to_string()
        } else {
            local.format("%b %d  ").to_string()
        };
        let time_style = if entry.history().is_some() {
            Style::new().fg(theme::MUTED).italic()
        } else {
            Style::new().fg(theme::MUTED)
        };
        let mut spans = vec![
            Span::styled(format!("{time} "), time_style),
            Span::raw(cell(&entry.what(), 13)),
            Span::raw(" "),
            Span::raw(cell(&entry.target(), target_w)),
            Span::raw(" "),
            Span::styled(format!("{mark} "), Style::new().fg(color).bold()),
        ];
        let used = 9 + 14 + target_w + 1 + 2;
        let (tail, tail_style) = match check {
            Some(MessageCheck::Mismatch) => (
                " MISMATCH",
                Style::new().fg(theme::UNKNOWN).add_modifier(Modifier::BOLD),
            ),
            Some(MessageCheck::Match) => (" MATCH", Style::new().fg(theme::MUTED)),
            Some(MessageCheck::Undocumented) | None => ("", Style::new()),
        };
        let room = w.saturating_sub(used + tail.len());
        let message_w = unicode_width::UnicodeWidthStr::width(text.as_str());
        spans.push(Span::styled(fit(&text, room), Style::new().fg(color)));
        // The per-tag breakdown follows the message when there is room for it whole.
        if let Some(tags) = entry.summary.as_ref().and_then(|s| s.tags.as_deref()) {
            let tags_w = unicode_width::UnicodeWidthStr::width(tags) + 2;
            if message_w + tags_w <= room {
                spans.push(Span::styled(
                    format!("  {tags}"),
                    Style::new().fg(theme::TEXT),
                ));
            }
        }
        if !tail.is_empty() {
            spans.push(Span::styled(tail, tail_style));
        }
        ListItem::new(Line::from(spans))
    };
    let items: Vec<ListItem> = rows
        .iter()
        .map(|row| match row {
            LogRow::Entry(i) => app
                .log
                .entries()
                .get(*i)
                .map_or_else(|| ListItem::new(""), entry_item),
            LogRow::Since => ListItem::new(since_line(w)),
        })
        .collect();
    let list = List::new(items)
        .highlight_style(selection_style(app, focused, false))
        .highlight_symbol(symbol);
    let mut state = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(list, inner, &mut state);
}

/// A row of the log pane: an entry (its position in the log), or the line that parts the
/// earlier runs' entries (above it) from this run's (below it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LogRow {
    Entry(usize),
    Since,
}

/// The rows the log pane shows in `height` rows, and which of them is the selected entry.
/// The journal's history and this run's entries are parted by a line of their own (not by
/// a style, so it reads without colour or italics), after the last earlier entry the
/// filter keeps.
pub(super) fn log_rows(app: &App, height: usize) -> (Vec<LogRow>, usize) {
    let visible = app.log.list.visible();
    if visible.is_empty() {
        return (Vec::new(), 0);
    }
    let history = app.log.history_len();
    let split = visible.partition_point(|&i| i < history);
    let parted = split > 0;
    let len = visible.len() + usize::from(parted);
    let selected = app.log.list.selected().min(visible.len() - 1);
    let at = selected + usize::from(parted && selected >= split);
    let shown = super::panes::window(at, len, height);
    let start = shown.start;
    let rows = shown
        .map(|r| match r {
            r if parted && r == split => LogRow::Since,
            r if parted && r > split => LogRow::Entry(visible[r - 1]),
            r => LogRow::Entry(visible[r]),
        })
        .collect();
    (rows, at - start)
}

/// The line between the earlier runs' entries and this run's.
fn since_line(width: usize) -> Line<'static> {
    let text = "── ↑ earlier runs (from the journal) · this run ↓ ";
    let fill = width.saturating_sub(unicode_width::UnicodeWidthStr::width(text));
    Line::from(Span::styled(
        fit(&format!("{text}{}", "─".repeat(fill)), width),
        Style::new().fg(theme::MUTED),
    ))
}

fn draw_log_filter(app: &App, frame: &mut Frame, area: Rect) {
    let f = &app.log.list.filter;
    let style = if f.editing {
        Style::new().fg(theme::WARN)
    } else {
        Style::new().fg(theme::ACCENT)
    };
    let count = format!(" {} of {}", app.log.list.visible().len(), app.log.len());
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
