//! The list pane (users / patrons) and the tags pane of each service.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState};

use super::pane_block;
use super::text::{cell, fit};
use crate::tui::app::{App, Filter, Load, Pane};

const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);

fn title(parts: Vec<Span<'static>>) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    spans.extend(parts);
    spans.push(Span::raw(" "));
    Line::from(spans)
}

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
        Style::new().fg(Color::Yellow)
    } else {
        Style::new().fg(Color::Cyan)
    };
    let count = format!(" {shown} of {total}");
    let room = (area.width as usize).saturating_sub(count.len() + 2);
    let text = fit(filter.text(), room);
    let line = Line::from(vec![
        Span::styled("/", style.bold()),
        Span::styled(text.clone(), style),
        Span::styled(count, Style::new().fg(Color::DarkGray)),
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
    let block = pane_block(
        app,
        title(vec![
            Span::styled(name, Style::new().bold()),
            Span::raw(detail),
        ]),
        app.focus == Pane::List,
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
        .map(|c| c.partner_id.to_string())
        .unwrap_or_default();
    // While pages arrive the title says how far the load is (and drops the partner id to
    // stay readable at 80 columns).
    let detail = match (view.progress, view.total_count) {
        (Some((page, Some(pages))), _) => {
            format!(" · loading {page}/{pages} · {}", view.users.len())
        }
        (Some((page, None)), _) => format!(" · loading {page}… · {}", view.users.len()),
        (None, Some(n)) => format!(" · partner {partner} · {n}"),
        (None, None) => format!(" · partner {partner} · {}", view.users.len()),
    };
    let rows_area = list_frame(
        app,
        frame,
        area,
        ("Users", detail),
        &view.filter,
        (view.visible.len(), view.users.len()),
    );
    match &view.load {
        Load::NotConfigured => {
            return empty_message(
                frame,
                rows_area,
                vec![
                    Line::from("Cerego is not configured for this profile."),
                    Line::from("See the README: Configuration.".dark_gray()),
                ],
            );
        }
        Load::Loading if view.users.is_empty() => {
            return empty_message(
                frame,
                rows_area,
                vec![Line::from("Loading users…".yellow())],
            );
        }
        Load::Failed(e) if view.users.is_empty() => {
            return empty_message(
                frame,
                rows_area,
                vec![
                    Line::from("Could not load users:".red()),
                    Line::from(e.clone()),
                    Line::from("Press r to try again.".dark_gray()),
                ],
            );
        }
        _ => {}
    }
    if view.visible.is_empty() {
        let msg = if view.users.is_empty() {
            "This partner has no users."
        } else {
            "No user matches the filter. Esc clears it."
        };
        return empty_message(frame, rows_area, vec![Line::from(msg.dark_gray())]);
    }
    let w = rows_area.width as usize;
    let id_w = 8;
    let show_email = w >= 40;
    let shown = window(view.selected, view.visible.len(), rows_area.height as usize);
    let on_screen: Vec<&crate::api::cerego::CeregoUser> = view.visible[shown.clone()]
        .iter()
        .filter_map(|&i| view.users.get(i))
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
        .row_highlight_style(if focused {
            SELECTED
        } else {
            Style::new().bold()
        });
    let mut state = TableState::default().with_selected(Some(view.selected - shown.start));
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
    let heading = selected
        .as_ref()
        .map(|s| format!(" · {s}"))
        .unwrap_or_default();
    let block = pane_block(
        app,
        title(vec![
            Span::styled("Tags", Style::new().bold()),
            Span::raw(heading),
        ]),
        app.focus == Pane::Tags,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if selected.is_none() {
        empty_message(frame, inner, vec![Line::from(nothing_selected.dark_gray())]);
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
            Line::from(fit(&first, w)).dark_gray(),
            Line::from(fit(&last, w)).dark_gray(),
        ]),
        info,
    );
    if user.tags.is_empty() {
        return empty_message(
            frame,
            rows_area,
            vec![Line::from("No tags. Press a to add one.".dark_gray())],
        );
    }
    let w = rows_area.width as usize;
    // Narrow panes (80 columns) keep the updated-at column, without the year.
    let (type_w, id_w, time_w, time_format) = if w >= 56 {
        (12usize, 6usize, 16usize, "%Y-%m-%d %H:%M")
    } else {
        (10, 6, 11, "%m-%d %H:%M")
    };
    let value_w = w.saturating_sub(type_w + id_w + time_w + 3);
    let header = Row::new(vec![
        cell("Type", type_w),
        cell("Value", value_w),
        cell("Id", id_w),
        cell("Updated", time_w),
    ])
    .style(Style::new().fg(Color::DarkGray).bold());
    let rows: Vec<Row> = user
        .tags
        .iter()
        .map(|t| {
            let value = match &t.value {
                Some(v) => Span::raw(cell(v, value_w)),
                None => Span::styled(cell("(value unknown)", value_w), Style::new().dark_gray()),
            };
            let at = t
                .updated_at
                .as_deref()
                .map(|s| short_time(app, s, time_format))
                .unwrap_or_default();
            Row::new(vec![
                Span::raw(cell(&app.tag_type_name(t.tag_type_id.as_deref()), type_w)),
                value,
                Span::raw(cell(&t.id, id_w)),
                Span::styled(cell(&at, time_w), Style::new().dark_gray()),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(type_w as u16),
        Constraint::Length(value_w as u16),
        Constraint::Length(id_w as u16),
        Constraint::Length(time_w as u16),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(if focused { SELECTED } else { Style::new() });
    let mut state = TableState::default().with_selected(Some(app.cerego.tag_selected));
    frame.render_stateful_widget(table, rows_area, &mut state);
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
    let rows_area = list_frame(
        app,
        frame,
        area,
        ("Patrons", format!(" · {} known", view.patrons.len())),
        &view.filter,
        (view.visible.len(), view.patrons.len()),
    );
    if app.settings.hive.is_none() {
        return empty_message(
            frame,
            rows_area,
            vec![
                Line::from("Hive is not configured for this profile."),
                Line::from("See the README: Configuration.".dark_gray()),
            ],
        );
    }
    if view.visible.is_empty() {
        let msg = if view.patrons.is_empty() {
            "No patrons known yet. Press o to open one by its id."
        } else {
            "No patron matches the filter. Esc clears it."
        };
        return empty_message(frame, rows_area, vec![Line::from(msg.dark_gray())]);
    }
    let w = rows_area.width as usize;
    let count_w = 8;
    let id_w = w.saturating_sub(count_w + 1);
    let shown = window(view.selected, view.visible.len(), rows_area.height as usize);
    let rows: Vec<Row> = view.visible[shown.clone()]
        .iter()
        .filter_map(|&i| view.patrons.get(i))
        .map(|p| {
            let n = p.tags.len();
            let count = match (p.complete, n) {
                (false, 0) => "?".to_string(),
                (false, n) => format!("{n}+ tag{}", if n == 1 { "" } else { "s" }),
                (true, n) => format!("{n} tag{}", if n == 1 { "" } else { "s" }),
            };
            Row::new(vec![
                Span::raw(cell(p.id.as_str(), id_w)),
                Span::styled(format!("{count:>count_w$}"), Style::new().dark_gray()),
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
    .row_highlight_style(if focused {
        SELECTED
    } else {
        Style::new().bold()
    });
    let mut state = TableState::default().with_selected(Some(view.selected - shown.start));
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
            Line::from(fit(&when, w)).dark_gray(),
            Line::from(fit(&patron.note, w)).dark_gray(),
        ]),
        info,
    );
    if patron.tags.is_empty() {
        let msg = if patron.confirmed_at.is_some() {
            "No tags. Press a to add some."
        } else {
            "No tags known. Press a to add, or d to remove by api_field."
        };
        return empty_message(frame, rows_area, vec![Line::from(msg.dark_gray())]);
    }
    let catalogue = app
        .settings
        .hive
        .as_ref()
        .map(|h| h.catalogue.as_slice())
        .unwrap_or(&[]);
    let w = rows_area.width as usize;
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
    .style(Style::new().fg(Color::DarkGray).bold());
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
                        Style::new().fg(Color::Red).bold()
                    } else {
                        Style::new().dark_gray()
                    },
                ),
                Span::raw(cell(&t.api_field, field_w)),
                Span::raw(cell(&name, name_w)),
                Span::styled(cell(&when, time_w), Style::new().dark_gray()),
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
    .row_highlight_style(if focused { SELECTED } else { Style::new() });
    let mut state = TableState::default().with_selected(Some(app.hive.tag_selected));
    frame.render_stateful_widget(table, rows_area, &mut state);
}
