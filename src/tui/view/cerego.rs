//! The Cerego tab: the partner's users and the selected user's tags.

use crate::tui::theme::{self, Themed};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState};

use super::panes::*;
use super::text::{cell, fit};
use super::{selection_style, selection_symbol};
use crate::core::op::Service;
use crate::tui::app::{App, Load, Pane};
use crate::tui::keymap::Action;

/// The title of a list shown from the user cache: its age and how far the refresh is
/// ("as of 10:02 · refreshing 37%"), what became of the refresh, and, once the refresh
/// replaced every cached row, that the list is current.
fn cache_detail(app: &App, loaded: usize) -> Option<String> {
    let view = &app.cerego;
    view.from_cache?;
    let users = &app.known.cerego;
    let Some(as_of) = users.cached_as_of() else {
        // Every row was read live: current, once the refresh is over.
        return (view.load == Load::Loaded && view.progress.is_none()).then(|| {
            let of = match users.total_count {
                Some(t) if users.cut.is_some() || t != loaded as u64 => format!(" of {t}"),
                _ => String::new(),
            };
            format!(" · {loaded}{of} · current")
        });
    };
    let at = app.as_of_label(as_of);
    let state = match (&view.load, app.refresh_label()) {
        (_, Some(p)) => p,
        (Load::Failed(_), None) => "refresh failed".into(),
        // A refresh cut short by a limit: the rows it did not reach are the cache's.
        _ => "some rows not refreshed".into(),
    };
    Some(format!(" · as of {at} · {state} · {loaded}"))
}

/// Why `service` cannot be used, in a few words for a pane's title: `not configured`,
/// `key not set`, `key unavailable`.
pub(super) fn unusable(app: &App, service: Service) -> &'static str {
    app.settings
        .unavailable
        .iter()
        .find(|u| u.service == service)
        .map_or("not configured", |u| u.short())
}

/// The line above the reason in a pane whose service cannot be used.
pub(super) fn unusable_heading(app: &App, service: Service) -> String {
    let name = service.name();
    match unusable(app, service) {
        "key not set" => format!("{name}'s API key is not set:"),
        "key unavailable" => format!("{name}'s API key could not be read:"),
        "incomplete" => format!("{name} is not fully configured for this profile:"),
        _ => format!("{name} is not configured for this profile:"),
    }
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
    let mut detail = match (&partner, view.progress, app.known.cerego.total_count) {
        (None, _, _) => format!(" · {}", unusable(app, Service::Cerego)),
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
    if let Some(cached) = cache_detail(app, loaded) {
        detail = cached;
    }
    if !view.marks.is_empty() {
        detail.push_str(&format!(" · {} marked", view.marks.len()));
    }
    let rows_area = list_frame(
        app,
        frame,
        area,
        ("Users", detail),
        (&view.list, app.known.cerego.len()),
        cut_notice(app),
    );
    match &view.load {
        Load::NotConfigured => {
            return empty_message(
                frame,
                rows_area,
                super::panes::unavailable_lines(app, Service::Cerego),
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
                    Line::from(
                        format!("Press {} to try again.", app.key_label(Action::Refresh)).muted(),
                    ),
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
                app.key_label(Action::Close),
                app.key_label(Action::Lookup)
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
    let on_screen: Vec<crate::core::model::User> = view.list.visible()[shown.clone()]
        .iter()
        .filter_map(|&i| app.known.cerego.get(i))
        .collect();
    let longest_name = on_screen
        .iter()
        .map(|u| unicode_width::UnicodeWidthStr::width(u.name.unwrap_or("")))
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
            let name = u.name.unwrap_or("(no name)");
            let name = if view.marks.is_empty() {
                name.to_string()
            } else if view.marks.contains(u.id) {
                format!("● {name}")
            } else {
                format!("  {name}")
            };
            let mut cells = vec![cell(&name, name_w)];
            if show_email {
                cells.push(cell(u.email.unwrap_or(""), email_w));
            }
            cells.push(cell(u.id, id_w));
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

/// The line over the users when the last listing stopped at a limit (`[limits]`): how
/// many of how many, and how to reach the others. Never a silent cut.
pub(super) fn cut_notice(app: &App) -> Option<String> {
    let users = &app.known.cerego;
    users.cut.as_ref()?;
    if app.cerego.progress.is_some() || app.settings.cerego.is_none() {
        return None;
    }
    // Short enough for the pane at 80 columns; the log line and the status line say which
    // limit stopped the listing.
    let of = match users.total_count {
        Some(t) => format!(" of {}", grouped(t)),
        None => ", cut at a limit".into(),
    };
    Some(format!(
        "Showing {}{of} — {} looks up others",
        grouped(users.len() as u64),
        app.key_label(Action::Lookup)
    ))
}

/// `1000000` → `1,000,000`.
pub(super) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn draw_cerego_tags(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Tags;
    let user = app.selected_user();
    let heading = user.map(|u| u.name.unwrap_or(u.id).to_string());
    let Some((info, rows_area)) = tags_frame(app, frame, area, heading, "No user selected.") else {
        return;
    };
    let Some(user) = user else {
        return;
    };
    let w = info.width as usize;
    let mut first = format!("id {}", user.id);
    if let Some(m) = user.member_id {
        first.push_str(&format!(" · member {m}"));
    }
    if let Some(e) = user.email {
        first.push_str(&format!(" · {e}"));
    }
    let last = match user.last_logged_in_at {
        Some(t) => format!(
            "last login {}",
            short_time(app, &t.to_string(), "%Y-%m-%d %H:%M")
        ),
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
                format!("No tags. Press {} to add one.", app.key_label(Action::Add)).muted(),
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
            let value = match t.value {
                Some(v) => Span::raw(cell(v, layout.value_w)),
                None => Span::styled(
                    cell("(value unknown)", layout.value_w),
                    Style::new().fg(theme::MUTED),
                ),
            };
            let mut cells = vec![
                Span::raw(cell(&app.tag_type_name(t.tag_type_id), layout.type_w)),
                value,
            ];
            if layout.id_w > 0 {
                cells.push(Span::raw(cell(t.id, layout.id_w)));
            }
            if layout.time_w > 0 {
                let at = t
                    .updated_at
                    .map(|s| short_time(app, &s.to_string(), layout.time_format))
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

#[cfg(test)]
mod tests {
    use super::{TagColumns, grouped};

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(500_000), "500,000");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }

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
