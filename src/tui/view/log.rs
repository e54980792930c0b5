//! The action log pane: one line per request.

use crate::tui::theme::{self, Themed};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::text::{cell, clean, fit, wrap_words};
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
    // Only the rows on screen are built (and, wrapped, only their messages are wrapped).
    let layout = log_layout(app, w, inner.height as usize);
    let items: Vec<ListItem> = layout
        .rows
        .into_iter()
        .map(|(_, lines)| ListItem::new(lines))
        .collect();
    let list = List::new(items)
        .highlight_style(selection_style(app, focused, false))
        .highlight_symbol(symbol);
    let mut state = ListState::default().with_selected(Some(layout.selected));
    frame.render_stateful_widget(list, inner, &mut state);
}

/// The log pane's rows on screen, each with its lines (one, or a wrapped entry's several),
/// and which of them is the selected entry. Drawing and the mouse both read it.
pub(super) struct LogLayout {
    pub rows: Vec<(LogRow, Vec<Line<'static>>)>,
    pub selected: usize,
}

/// Lays out the log pane's rows in `width` columns (after the selection symbol) and `height`
/// rows. Without wrapping each entry is one line, cut to fit; with it (`w`) an entry's whole
/// message, its per-tag marks and its MATCH / MISMATCH read on as many lines as they take,
/// and the window is chosen by those heights so the selected entry stays on screen. Either
/// way only the entries near the selection are measured: a large log costs no more.
pub(super) fn log_layout(app: &App, width: usize, height: usize) -> LogLayout {
    let (rows, selected) = log_rows(app, height);
    // The target column is as wide as the longest target shown, within a share of the
    // terminal that grows with it (patron ids are free-form and often long); the message
    // and its breakdown get the rest. (Wrapped, fewer entries show, all of them among
    // these, so the column does not move when wrapping is turned on.)
    let longest = rows
        .iter()
        .filter_map(|r| match r {
            LogRow::Entry(i) => app.log.entries().get(*i),
            LogRow::Since => None,
        })
        .map(|e| unicode_width::UnicodeWidthStr::width(e.target().as_str()))
        .max()
        .unwrap_or(0);
    let columns = Columns {
        width,
        target: longest.clamp(8, (width / 6).clamp(12, 40)),
    };
    let lines = |row: &LogRow| match row {
        LogRow::Entry(i) => app.log.entries().get(*i).map_or_else(
            || vec![Line::default()],
            |e| entry_lines(app, e, columns, app.log.wrap.then_some(height)),
        ),
        LogRow::Since => vec![since_line(width)],
    };
    if !app.log.wrap {
        let rows = rows.into_iter().map(|r| (r, lines(&r))).collect();
        return LogLayout { rows, selected };
    }
    wrapped_window(app, height, lines)
}

/// The rows that fit in `height` lines when entries take several: from the top while the
/// selected entry fits there, else ending with the selected entry (as [`window`] does with
/// one line each).
///
/// [`window`]: super::panes::window
fn wrapped_window(
    app: &App,
    height: usize,
    lines: impl Fn(&LogRow) -> Vec<Line<'static>>,
) -> LogLayout {
    let Some((len, at)) = row_count(app) else {
        return LogLayout {
            rows: Vec::new(),
            selected: 0,
        };
    };
    let height = height.max(1);
    // Back from the selected row while the rows fit.
    let mut shown: Vec<(LogRow, Vec<Line<'static>>)> = Vec::new();
    let mut used = 0;
    for r in (0..=at).rev() {
        let row = row_at(app, r);
        let mut l = lines(&row);
        if used + l.len() > height {
            if shown.is_empty() {
                // The selected entry alone is taller than the pane: its first lines.
                l.truncate(height);
                shown.push((row, l));
            }
            break;
        }
        used += l.len();
        shown.push((row, l));
    }
    shown.reverse();
    let selected = shown.len().saturating_sub(1);
    // Everything up to the selection fits: the rows after it fill the rest.
    if shown.len() == at + 1 {
        for r in at + 1..len {
            let row = row_at(app, r);
            let l = lines(&row);
            if used + l.len() > height {
                break;
            }
            used += l.len();
            shown.push((row, l));
        }
    }
    LogLayout {
        rows: shown,
        selected,
    }
}

/// How many rows the log pane has (its visible entries, and the line between earlier runs
/// and this run when both show) and which one is the selected entry.
fn row_count(app: &App) -> Option<(usize, usize)> {
    let visible = app.log.list.visible();
    if visible.is_empty() {
        return None;
    }
    let split = visible.partition_point(|&i| i < app.log.history_len());
    let parted = split > 0;
    let selected = app.log.list.selected().min(visible.len() - 1);
    Some((
        visible.len() + usize::from(parted),
        selected + usize::from(parted && selected >= split),
    ))
}

/// The log pane's row `r` (of [`row_count`]'s).
fn row_at(app: &App, r: usize) -> LogRow {
    let visible = app.log.list.visible();
    let split = visible.partition_point(|&i| i < app.log.history_len());
    match r {
        r if split > 0 && r == split => LogRow::Since,
        r if split > 0 && r > split => LogRow::Entry(visible[r - 1]),
        r => LogRow::Entry(visible[r]),
    }
}

/// The widths an entry's line is laid out in: the pane's, and the target column's.
#[derive(Clone, Copy)]
struct Columns {
    width: usize,
    target: usize,
}

/// An entry's line, cut to fit; or with `wrap` (at most that many lines), its whole
/// message, per-tag marks and check, the message column continued on the lines below.
fn entry_lines(
    app: &App,
    entry: &LogEntry,
    columns: Columns,
    wrap: Option<usize>,
) -> Vec<Line<'static>> {
    let Columns { width: w, target } = columns;
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
        Span::raw(cell(&entry.target(), target)),
        Span::raw(" "),
        Span::styled(format!("{mark} "), Style::new().fg(color).bold()),
    ];
    let used = 9 + 14 + target + 1 + 2;
    let (tail, tail_style) = match check {
        Some(MessageCheck::Mismatch) => (
            " MISMATCH",
            Style::new().fg(theme::UNKNOWN).add_modifier(Modifier::BOLD),
        ),
        Some(MessageCheck::Match) => (" MATCH", Style::new().fg(theme::MUTED)),
        Some(MessageCheck::Undocumented) | None => ("", Style::new()),
    };
    let tags = entry.summary.as_ref().and_then(|s| s.tags.as_deref());
    if let Some(most) = wrap {
        let message = Style::new().fg(color);
        let tags = tags.map(|t| (t, Style::new().fg(theme::TEXT)));
        let tail = (!tail.is_empty()).then_some((tail, tail_style));
        let mut rows = wrap_message(w.saturating_sub(used).max(1), (&text, message), tags, tail);
        rows.truncate(most.max(1));
        let indent = " ".repeat(used);
        return rows
            .into_iter()
            .enumerate()
            .map(|(n, row)| {
                let lead = if n == 0 {
                    std::mem::take(&mut spans)
                } else {
                    vec![Span::raw(indent.clone())]
                };
                Line::from(lead.into_iter().chain(row).collect::<Vec<_>>())
            })
            .collect();
    }
    let room = w.saturating_sub(used + tail.len());
    let message_w = unicode_width::UnicodeWidthStr::width(text.as_str());
    spans.push(Span::styled(fit(&text, room), Style::new().fg(color)));
    // The per-tag breakdown follows the message when there is room for it whole.
    if let Some(tags) = tags {
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
    vec![Line::from(spans)]
}

/// A message wrapped at spaces in `width` columns, then its per-tag marks (two spaces after
/// it, or on lines of their own when they do not fit after it), then the check word: the
/// spans of each line.
fn wrap_message(
    width: usize,
    (text, style): (&str, Style),
    tags: Option<(&str, Style)>,
    tail: Option<(&'static str, Style)>,
) -> Vec<Vec<Span<'static>>> {
    use unicode_width::UnicodeWidthStr;
    let mut rows: Vec<(Vec<Span<'static>>, usize)> = wrap_words(&clean(text), width)
        .into_iter()
        .map(|l| {
            let used = l.width();
            (vec![Span::styled(l, style)], used)
        })
        .collect();
    if let Some((tags, tags_style)) = tags.filter(|(t, _)| !t.is_empty()) {
        let tags = clean(tags);
        let last = rows.last_mut().expect("wrap_words gives a line");
        if last.1 + 2 + tags.width() <= width {
            last.1 += 2 + tags.width();
            last.0.push(Span::styled(format!("  {tags}"), tags_style));
        } else {
            rows.extend(wrap_words(&tags, width).into_iter().map(|l| {
                let used = l.width();
                (vec![Span::styled(l, tags_style)], used)
            }));
        }
    }
    if let Some((tail, tail_style)) = tail {
        let last = rows.last_mut().expect("wrap_words gives a line");
        if last.1 + tail.width() <= width {
            last.0.push(Span::styled(tail, tail_style));
        } else {
            rows.push((vec![Span::styled(tail.trim_start(), tail_style)], 0));
        }
    }
    rows.into_iter().map(|(spans, _)| spans).collect()
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
fn log_rows(app: &App, height: usize) -> (Vec<LogRow>, usize) {
    let Some((len, at)) = row_count(app) else {
        return (Vec::new(), 0);
    };
    let shown = super::panes::window(at, len, height);
    let start = shown.start;
    (shown.map(|r| row_at(app, r)).collect(), at - start)
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
