//! The list pane (users / patrons) and the tags pane of each service.

use crate::tui::theme::{self, Themed};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState};

use super::text::{cell, fit};
use super::{pane_block, pane_title, selection_style, selection_symbol};
use crate::core::op::Service;
use crate::tui::app::{App, Filter, Load, Pane};
use crate::tui::keymap::Action;

/// Splits a list pane's inner area into rows and, when a filter is active, a filter line.
fn list_areas(area: Rect, filter: &Filter) -> (Rect, Option<Rect>) {
    if filter.is_active() {
        let [rows, line] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        (rows, Some(line))
    } else {
        (area, None)
    }
}

fn draw_filter(frame: &mut Frame, area: Rect, filter: &Filter, shown: usize, total: usize) {
    let style = if filter.editing {
        Style::new().fg(theme::WARN)
    } else {
        Style::new().fg(theme::ACCENT)
    };
    let count = format!(" {shown} of {total}");
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
fn window(selected: usize, len: usize, height: usize) -> std::ops::Range<usize> {
    let height = height.max(1);
    let start = (selected + 1)
        .saturating_sub(height)
        .min(len.saturating_sub(1));
    start..(start + height).min(len)
}

/// A list pane's frame: the bordered block titled `(name, detail)`, and the filter line
/// (with `shown of total`) while a filter is active. Returns the area left for the rows.
fn list_frame(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    (name, detail): (&'static str, String),
    filter: &Filter,
    (shown, total): (usize, usize),
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
    let (rows_area, filter_area) = list_areas(inner, filter);
    if let Some(line) = filter_area {
        draw_filter(frame, line, filter, shown, total);
    }
    rows_area
}

fn empty_message(frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
}

pub fn draw_users(app: &App, frame: &mut Frame, area: Rect) {
    let view = &app.cerego;
    let focused = app.focus == Pane::List;
    let partner = app
        .settings
        .cerego
        .as_ref()
        .map(|c| c.partner_id.to_string());
    // While pages arrive the title says how far the load is (and drops the partner id to
    // stay readable at 80 columns); a listing cut by a limit says so.
    let loaded = app.known.cerego.len();
    let detail = match (&partner, view.progress, app.known.cerego.total_count) {
        (None, _, _) => " · not configured".to_string(),
        (Some(_), Some((page, Some(pages))), Some(total)) => {
            format!(" · loading {page}/{pages} · {loaded} of {total}")
        }
        (Some(_), Some((page, Some(pages))), None) => {
            format!(" · loading {page}/{pages} · {loaded}")
        }
        (Some(_), Some((page, None)), _) => format!(" · loading {page}… · {loaded}"),
        (Some(p), None, Some(total))
            if app.known.cerego.cut.is_some() || total != loaded as u64 =>
        {
            format!(" · partner {p} · {loaded} of {total}")
        }
        (Some(p), None, _) => format!(" · partner {p} · {loaded}"),
    };
    let rows_area = list_frame(
        app,
        frame,
        area,
        ("Users", detail),
        &view.list.filter,
        (view.list.visible().len(), app.known.cerego.len()),
    );
    match &view.load {
        Load::NotConfigured => {
            return empty_message(
                frame,
                rows_area,
                vec![
                    Line::from("Cerego is not configured for this profile:"),
                    Line::from(fit(&app.unavailable(Service::Cerego), 500)),
                    Line::from("See the README: Configuration.".muted()),
                ],
            );
        }
        Load::Loading if app.known.cerego.is_empty() => {
            return empty_message(frame, rows_area, vec![Line::from("Loading users…".warn())]);
        }
        Load::Failed(e) if app.known.cerego.is_empty() => {
            return empty_message(
                frame,
                rows_area,
                vec![
                    Line::from("Could not load users:".error()),
                    Line::from(fit(e, 2000)),
                    Line::from(format!("Press {} to try again.", app.key(Action::Refresh)).muted()),
                ],
            );
        }
        _ => {}
    }
    if view.list.visible().is_empty() {
        let msg = if app.known.cerego.is_empty() {
            "This partner has no users.".to_string()
        } else {
            format!(
                "No user matches the filter. {} clears it; {} looks up a user who is not listed.",
                app.key(Action::Close),
                app.key(Action::Lookup)
            )
        };
        return empty_message(frame, rows_area, vec![Line::from(msg.muted())]);
    }
    let w = (rows_area.width as usize).saturating_sub(selection_symbol(app).chars().count());
    let id_w = 8;
    let show_email = w >= 40;
    let shown = window(
        view.list.selected(),
        view.list.visible().len(),
        rows_area.height as usize,
    );
    let on_screen: Vec<&crate::core::op::cerego::CeregoUser> = view.list.visible()[shown.clone()]
        .iter()
        .filter_map(|&i| app.known.cerego.get(i))
        .collect();
    let longest_name = on_screen
        .iter()
        .map(|u| unicode_width::UnicodeWidthStr::width(u.name.as_deref().unwrap_or("")))
        .max()
        .unwrap_or(0);
    let name_w = if show_email {
        longest_name.clamp(8, (w - id_w - 2) / 2)
    } else {
        w.saturating_sub(id_w + 1)
    };
    let email_w = w.saturating_sub(name_w + id_w + 2);
    let rows: Vec<Row> = on_screen
        .iter()
        .map(|u| {
            let name = u.name.as_deref().unwrap_or("(no name)");
            let mut cells = vec![cell(name, name_w)];
            if show_email {
                cells.push(cell(u.email.as_deref().unwrap_or(""), email_w));
            }
            cells.push(cell(&u.id, id_w));
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Length(name_w as u16)];
    if show_email {
        widths.push(Constraint::Length(email_w as u16));
    }
    widths.push(Constraint::Length(id_w as u16));
    let table = Table::new(rows, widths)
        .column_spacing(1)
        .row_highlight_style(selection_style(app, focused, true))
        .highlight_symbol(selection_symbol(app));
    let mut state = TableState::default().with_selected(Some(view.list.selected() - shown.start));
    frame.render_stateful_widget(table, rows_area, &mut state);
}

/// The tags pane's frame, titled with what is selected: returns the two-line info area and
/// the rows area, or draws `nothing_selected` and returns None.
fn tags_frame(
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
    let [info, rows] = Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(inner);
    Some((info, rows))
}

pub fn draw_cerego_tags(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Tags;
    let user = app.selected_user();
    let heading = user.map(|u| u.name.clone().unwrap_or_else(|| u.id.clone()));
    let Some((info, rows_area)) = tags_frame(app, frame, area, heading, "No user selected.") else {
        return;
    };
    let Some(user) = user else {
        return;
    };
    let w = info.width as usize;
    let mut first = format!("id {}", user.id);
    if let Some(m) = &user.member_id {
        first.push_str(&format!(" · member {m}"));
    }
    if let Some(e) = &user.email {
        first.push_str(&format!(" · {e}"));
    }
    let last = match &user.last_logged_in_at {
        Some(t) => format!("last login {}", short_time(app, t, "%Y-%m-%d %H:%M")),
        None => "never logged in".to_string(),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(fit(&first, w)).muted(),
            Line::from(fit(&last, w)).muted(),
        ]),
        info,
    );
    if user.tags.is_empty() {
        return empty_message(
            frame,
            rows_area,
            vec![Line::from(
                format!("No tags. Press {} to add one.", app.key(Action::Add)).muted(),
            )],
        );
    }
    let w = (rows_area.width as usize).saturating_sub(selection_symbol(app).chars().count());
    let layout = TagColumns::for_width(w);
    let mut header = vec![cell("Type", layout.type_w), cell("Value", layout.value_w)];
    if layout.id_w > 0 {
        header.push(cell("Id", layout.id_w));
    }
    if layout.time_w > 0 {
        header.push(cell("Updated", layout.time_w));
    }
    let header = Row::new(header).style(theme::HEADER);
    let rows: Vec<Row> = user
        .tags
        .iter()
        .map(|t| {
            let value = match &t.value {
                Some(v) => Span::raw(cell(v, layout.value_w)),
                None => Span::styled(
                    cell("(value unknown)", layout.value_w),
                    Style::new().fg(theme::MUTED),
                ),
            };
            let mut cells = vec![
                Span::raw(cell(
                    &app.tag_type_name(t.tag_type_id.as_deref()),
                    layout.type_w,
                )),
                value,
            ];
            if layout.id_w > 0 {
                cells.push(Span::raw(cell(&t.id, layout.id_w)));
            }
            if layout.time_w > 0 {
                let at = t
                    .updated_at
                    .as_deref()
                    .map(|s| short_time(app, s, layout.time_format))
                    .unwrap_or_default();
                cells.push(Span::styled(
                    cell(&at, layout.time_w),
                    Style::new().fg(theme::MUTED),
                ));
            }
            Row::new(cells)
        })
        .collect();
    let widths: Vec<Constraint> = [layout.type_w, layout.value_w, layout.id_w, layout.time_w]
        .into_iter()
        .filter(|w| *w > 0)
        .map(|w| Constraint::Length(w as u16))
        .collect();
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(selection_style(app, focused, false))
        .highlight_symbol(selection_symbol(app));
    let mut state = TableState::default().with_selected(Some(app.cerego.tag_selected));
    frame.render_stateful_widget(table, rows_area, &mut state);
}

/// The Cerego tags table's columns for a width: the value (the one thing edited) and the
/// type always show; narrower panes drop the least important column first — the full
/// updated-at date shrinks, then goes, then the tag id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TagColumns {
    pub type_w: usize,
    pub value_w: usize,
    pub id_w: usize,
    pub time_w: usize,
    pub time_format: &'static str,
}

impl TagColumns {
    /// The narrowest the value column may be before another column goes.
    const MIN_VALUE: usize = 10;

    pub fn for_width(w: usize) -> Self {
        let candidates = [
            (12, 6, 16, "%Y-%m-%d %H:%M"),
            (10, 6, 11, "%m-%d %H:%M"),
            (10, 6, 0, ""),
            (10, 0, 0, ""),
        ];
        for (type_w, id_w, time_w, time_format) in candidates {
            let gaps = 1 + usize::from(id_w > 0) + usize::from(time_w > 0);
            let value_w = w.saturating_sub(type_w + id_w + time_w + gaps);
            if value_w >= Self::MIN_VALUE {
                return Self {
                    type_w,
                    value_w,
                    id_w,
                    time_w,
                    time_format,
                };
            }
        }
        let type_w = (w / 3).max(1);
        Self {
            type_w,
            value_w: w.saturating_sub(type_w + 1),
            id_w: 0,
            time_w: 0,
            time_format: "",
        }
    }
}

/// `2026-01-05T09:00:00.000Z` → `2026-01-05 09:00` in the console's zone.
fn short_time(app: &App, iso: &str, format: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(iso) {
        Ok(t) => app
            .local(t.with_timezone(&chrono::Utc))
            .format(format)
            .to_string(),
        Err(_) => iso.to_string(),
    }
}

pub fn draw_patrons(app: &App, frame: &mut Frame, area: Rect) {
    let view = &app.hive;
    let focused = app.focus == Pane::List;
    let detail = if app.settings.hive.is_some() {
        format!(" · {} known", app.known.hive.patrons.len())
    } else {
        " · not configured".to_string()
    };
    let rows_area = list_frame(
        app,
        frame,
        area,
        ("Patrons", detail),
        &view.list.filter,
        (view.list.visible().len(), app.known.hive.patrons.len()),
    );
    if app.settings.hive.is_none() {
        return empty_message(
            frame,
            rows_area,
            vec![
                Line::from("Hive is not configured for this profile:"),
                Line::from(fit(&app.unavailable(Service::Hive), 500)),
                Line::from("See the README: Configuration.".muted()),
            ],
        );
    }
    if view.list.visible().is_empty() {
        let msg = if app.known.hive.patrons.is_empty() {
            format!(
                "No patrons known yet. Press {} to open one by its id.",
                app.key(Action::Open)
            )
        } else {
            format!(
                "No patron matches the filter. {} clears it.",
                app.key(Action::Close)
            )
        };
        return empty_message(frame, rows_area, vec![Line::from(msg.muted())]);
    }
    let w = (rows_area.width as usize).saturating_sub(selection_symbol(app).chars().count());
    let count_w = 8;
    let id_w = w.saturating_sub(count_w + 1);
    let shown = window(
        view.list.selected(),
        view.list.visible().len(),
        rows_area.height as usize,
    );
    let rows: Vec<Row> = view.list.visible()[shown.clone()]
        .iter()
        .filter_map(|&i| app.known.hive.patrons.get(i))
        .map(|p| {
            let n = p.tags.len();
            let count = match (p.complete, n) {
                (false, 0) => "?".to_string(),
                (false, n) => format!("{n}+ tag{}", if n == 1 { "" } else { "s" }),
                (true, n) => format!("{n} tag{}", if n == 1 { "" } else { "s" }),
            };
            Row::new(vec![
                Span::raw(cell(p.id.as_str(), id_w)),
                Span::styled(format!("{count:>count_w$}"), Style::new().fg(theme::MUTED)),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(id_w as u16),
            Constraint::Length(count_w as u16),
        ],
    )
    .column_spacing(1)
    .row_highlight_style(selection_style(app, focused, true))
    .highlight_symbol(selection_symbol(app));
    let mut state = TableState::default().with_selected(Some(view.list.selected() - shown.start));
    frame.render_stateful_widget(table, rows_area, &mut state);
}

pub fn draw_hive_tags(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Tags;
    let patron = app.selected_patron();
    let heading = patron.map(|p| p.id.to_string());
    let Some((info, rows_area)) = tags_frame(app, frame, area, heading, "No patron selected.")
    else {
        return;
    };
    let Some(patron) = patron else {
        return;
    };
    let w = info.width as usize;
    let when = match patron.confirmed_at {
        Some(t) => format!(
            "as last confirmed by Hive at {}",
            app.local(t).format("%H:%M:%S")
        ),
        None => "not confirmed by Hive yet".to_string(),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(fit(&when, w)).muted(),
            Line::from(fit(&patron.note, w)).muted(),
        ]),
        info,
    );
    if patron.tags.is_empty() {
        let msg = if patron.confirmed_at.is_some() {
            format!("No tags. Press {} to add some.", app.key(Action::Add))
        } else {
            format!(
                "No tags known. Press {} to add, or {} to remove by api_field.",
                app.key(Action::Add),
                app.key(Action::Remove)
            )
        };
        return empty_message(frame, rows_area, vec![Line::from(msg.muted())]);
    }
    let catalogue = app
        .settings
        .hive
        .as_ref()
        .map(|h| h.catalogue.as_slice())
        .unwrap_or(&[]);
    let w = (rows_area.width as usize).saturating_sub(selection_symbol(app).chars().count());
    let (mark_w, time_w) = (3usize, 10usize);
    let rest = w.saturating_sub(mark_w + time_w + 3);
    let field_w = rest / 2;
    let name_w = rest - field_w;
    let header = Row::new(vec![
        cell("", mark_w),
        cell("api_field", field_w),
        cell("Name", name_w),
        cell("Confirmed", time_w),
    ])
    .style(theme::HEADER);
    let rows: Vec<Row> = patron
        .tags
        .iter()
        .map(|t| {
            let marked = app.hive.marked.contains(&t.api_field);
            let name = catalogue
                .iter()
                .find(|c| c.api_field.as_str() == t.api_field)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| "(not in catalogue)".into());
            let when = match t.confirmed_at {
                Some(at) => app.local(at).format("%H:%M:%S").to_string(),
                None => "earlier".into(),
            };
            Row::new(vec![
                Span::styled(
                    cell(if marked { "[x]" } else { "[ ]" }, mark_w),
                    if marked {
                        Style::new().fg(theme::ERROR).bold()
                    } else {
                        Style::new().fg(theme::MUTED)
                    },
                ),
                Span::raw(cell(&t.api_field, field_w)),
                Span::raw(cell(&name, name_w)),
                Span::styled(cell(&when, time_w), Style::new().fg(theme::MUTED)),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(mark_w as u16),
            Constraint::Length(field_w as u16),
            Constraint::Length(name_w as u16),
            Constraint::Length(time_w as u16),
        ],
    )
    .header(header)
    .column_spacing(1)
    .row_highlight_style(selection_style(app, focused, false))
    .highlight_symbol(selection_symbol(app));
    let mut state = TableState::default().with_selected(Some(app.hive.tag_selected));
    frame.render_stateful_widget(table, rows_area, &mut state);
}

#[cfg(test)]
mod tests {
    use super::TagColumns;

    #[test]
    fn narrow_tag_tables_keep_the_value() {
        for w in 14..120 {
            let c = TagColumns::for_width(w);
            assert!(c.value_w >= 1, "{w}: {c:?}");
            let used = c.type_w
                + c.value_w
                + c.id_w
                + c.time_w
                + 1
                + usize::from(c.id_w > 0)
                + usize::from(c.time_w > 0);
            assert!(used <= w, "{w}: {c:?}");
        }
        let at_60_columns = TagColumns::for_width(26);
        assert!(at_60_columns.value_w >= 10, "{at_60_columns:?}");
        assert_eq!(at_60_columns.time_w, 0, "the updated-at column goes first");
        let wide = TagColumns::for_width(62);
        assert!(wide.time_w == 16 && wide.id_w == 6, "{wide:?}");
    }
}
