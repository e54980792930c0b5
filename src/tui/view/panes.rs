//! What both services' panes share: the list frame with its filter line, the visible
//! window of a long list, the tags frame, and empty-pane messages.

use crate::tui::theme::{self, Themed};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::fit;
use super::{pane_block, pane_title};
use crate::tui::app::{App, Filter, Pane};
use crate::tui::state::FilteredList;

/// Splits a list pane's inner area into rows and, when a filter is active, a filter line;
/// with `notice`, the first line says why the list is not the whole (a listing cut at a
/// limit).
pub(super) fn list_areas(area: Rect, filter: &Filter, notice: bool) -> (Rect, Option<Rect>) {
    let area = if notice {
        let [_, rows] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        rows
    } else {
        area
    };
    if filter.is_active() {
        let [rows, line] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        (rows, Some(line))
    } else {
        (area, None)
    }
}

pub(super) fn draw_filter(frame: &mut Frame, area: Rect, list: &FilteredList, total: usize) {
    let filter = &list.filter;
    let style = if filter.editing {
        Style::new().fg(theme::WARN)
    } else {
        Style::new().fg(theme::ACCENT)
    };
    // While a search runs the rows are the previous query's: say so instead of a count.
    let count = if list.is_filtering() {
        format!(" searching {total}…")
    } else {
        format!(" {} of {total}", list.visible().len())
    };
    let room = (area.width as usize).saturating_sub(count.len() + 2);
    let text = fit(filter.text(), room);
    let line = Line::from(vec![
        Span::styled("/", style.bold()),
        Span::styled(text.clone(), style),
        Span::styled(count, Style::new().fg(theme::MUTED)),
    ]);
    frame.render_widget(line, area);
    if filter.editing {
        let x = area.x + 1 + unicode_width::UnicodeWidthStr::width(text.as_str()) as u16;
        frame.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
    }
}

/// The rows of a list that fit in `height`, scrolled so that `selected` shows (at the
/// bottom once it is past the first screenful). Only these rows are built each frame, so
/// drawing costs the same for 30 users or 30,000.
pub(super) fn window(selected: usize, len: usize, height: usize) -> std::ops::Range<usize> {
    let height = height.max(1);
    let start = (selected + 1)
        .saturating_sub(height)
        .min(len.saturating_sub(1));
    start..(start + height).min(len)
}

/// A list pane's frame: the bordered block titled `(name, detail)`, the notice line when
/// there is one, and the filter line (with `shown of total`) while a filter is active.
/// Returns the area left for the rows.
pub(super) fn list_frame(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    (name, detail): (&'static str, String),
    (list, total): (&FilteredList, usize),
    notice: Option<String>,
) -> Rect {
    let focused = app.focus == Pane::List;
    // Corners, the spaces around the title, and the focus marker.
    let room = (area.width as usize).saturating_sub(name.len() + 4 + if focused { 2 } else { 0 });
    let block = pane_block(
        app,
        pane_title(app, name, fit(&detail, room), focused),
        focused,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (rows_area, filter_area) = list_areas(inner, &list.filter, notice.is_some());
    if let Some(text) = notice {
        let line = Rect::new(inner.x, inner.y, inner.width, 1.min(inner.height));
        frame.render_widget(
            Line::from(fit(&text, inner.width as usize)).style(Style::new().fg(theme::WARN)),
            line,
        );
    }
    if let Some(line) = filter_area {
        draw_filter(frame, line, list, total);
    }
    rows_area
}

pub(super) fn empty_message(frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
}

/// What a service's list says when the profile cannot use it: a key that is not set names
/// the variable to set, and says that demo mode is still there and `config check` explains.
pub(super) fn unavailable_lines(
    app: &App,
    service: crate::core::op::Service,
) -> Vec<Line<'static>> {
    let missing = app
        .settings
        .unavailable
        .iter()
        .find(|u| u.service == service && u.configured);
    match missing.and_then(|u| u.set_var.as_deref()) {
        Some(var) => vec![
            Line::from(super::cerego::unusable_heading(app, service).warn()),
            Line::from(format!("Set {} and start tagdesk again.", fit(var, 200))),
            Line::from(
                format!(
                    "tagdesk --demo (or {} → demo) still opens demo mode; tagdesk config check \
                     explains.",
                    app.key_label(crate::tui::keymap::Action::SwitchProfile)
                )
                .muted(),
            ),
            Line::from("See docs/src/configuration.md.".muted()),
        ],
        None => vec![
            Line::from(super::cerego::unusable_heading(app, service)),
            Line::from(fit(&app.unavailable(service), 500)),
            Line::from("See docs/src/configuration.md.".muted()),
        ],
    }
}

/// The tags pane's frame, titled with what is selected: returns the two-line info area and
/// the rows area, or draws `nothing_selected` and returns None.
pub(super) fn tags_frame(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    selected: Option<String>,
    nothing_selected: &'static str,
) -> Option<(Rect, Rect)> {
    // A long patron id or name is cut to the pane, never drawn over its border.
    let room = (area.width as usize).saturating_sub(4 + 4 + 2);
    let heading = selected
        .as_ref()
        .map(|s| fit(&format!(" · {s}"), room))
        .unwrap_or_default();
    let focused = app.focus == Pane::Tags;
    let block = pane_block(app, pane_title(app, "Tags", heading, focused), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if selected.is_none() {
        empty_message(frame, inner, vec![Line::from(nothing_selected.muted())]);
        return None;
    }
    let (info, subject, rows) = tags_areas(app, inner);
    if let Some((area, lines)) = subject {
        let style = Style::new().fg(theme::ACCENT).add_modifier(Modifier::BOLD);
        let lines: Vec<Line> = lines.into_iter().map(|l| Line::styled(l, style)).collect();
        frame.render_widget(Paragraph::new(lines), area);
    }
    Some((info, rows))
}

/// The tags pane's parts inside its border: two info lines; the last play's before → after
/// (at most two lines) when the selected patron or user is its subject; the rows.
pub(super) fn tags_areas(app: &App, inner: Rect) -> (Rect, Option<(Rect, Vec<String>)>, Rect) {
    let lines = app
        .subject_line()
        .map(|text| super::text::wrap_two(&text, inner.width as usize, inner.width as usize))
        .unwrap_or_default();
    let [info, subject, rows] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(lines.len() as u16),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let subject = (!lines.is_empty()).then_some((subject, lines));
    (info, subject, rows)
}

/// `2026-01-05T09:00:00.000Z` → `2026-01-05 09:00` in the console's zone.
pub(super) fn short_time(app: &App, iso: &str, format: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(iso) {
        Ok(t) => app
            .local(t.with_timezone(&chrono::Utc))
            .format(format)
            .to_string(),
        Err(_) => iso.to_string(),
    }
}
