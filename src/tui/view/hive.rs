//! The Hive tab: the known patrons and the selected patron's tags.

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
use crate::tui::app::{App, Pane};
use crate::tui::keymap::Action;

pub fn draw_patrons(app: &App, frame: &mut Frame, area: Rect) {
    let view = &app.hive;
    let focused = app.focus == Pane::List;
    let mut detail = if app.settings.hive.is_some() && app.patrons_loading() {
        " · loading known patrons…".to_string()
    } else if app.settings.hive.is_some() {
        format!(" · {} known", app.known.hive.len())
    } else {
        format!(" · {}", super::cerego::unusable(app, Service::Hive))
    };
    if !view.marks.is_empty() {
        detail.push_str(&format!(" · {} marked", view.marks.len()));
    }
    let rows_area = list_frame(
        app,
        frame,
        area,
        ("Patrons", detail),
        (&view.list, app.known.hive.len()),
        None,
    );
    if app.settings.hive.is_none() {
        return empty_message(
            frame,
            rows_area,
            super::panes::unavailable_lines(app, Service::Hive),
        );
    }
    if view.list.visible().is_empty() {
        let msg = if app.patrons_loading() {
            "Loading the known patrons…".to_string()
        } else if app.known.hive.is_empty() {
            format!(
                "No patrons known yet. Press {} to open one by its id.",
                app.key_label(Action::Open)
            )
        } else {
            format!(
                "No patron matches the filter. {} clears it.",
                app.key_label(Action::Close)
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
        .filter_map(|&i| app.known.hive.patrons().get(i))
        .map(|p| {
            let n = p.tags.len();
            let count = match (p.complete, n) {
                (false, 0) => "?".to_string(),
                (false, n) => format!("{n}+ tag{}", if n == 1 { "" } else { "s" }),
                (true, n) => format!("{n} tag{}", if n == 1 { "" } else { "s" }),
            };
            Row::new(vec![
                Span::raw(cell(&marked(&view.marks, p.id.as_str()), id_w)),
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
    // Hive has no read endpoint: what is shown is what tagdesk's own requests confirmed,
    // and Hive's rules or a dashboard upload can change tags without tagdesk seeing it.
    // The why is added when the pane is wide enough to show it whole.
    let (mut when, why) = match patron.confirmed_at {
        Some(t) => (
            format!(
                "last confirmed by tagdesk at {}",
                app.local(t).format("%H:%M:%S")
            ),
            " · rules and dashboard uploads may change tags unseen",
        ),
        None => (
            "not confirmed by tagdesk yet".to_string(),
            " (Hive has no endpoint to read tags)",
        ),
    };
    if when.chars().count() + why.chars().count() <= w {
        when.push_str(why);
    }
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(fit(&when, w)).muted(),
            Line::from(fit(&patron.note, w)).muted(),
        ]),
        info,
    );
    if patron.tags.is_empty() {
        let msg = if patron.confirmed_at.is_some() {
            format!("No tags. Press {} to add some.", app.key_label(Action::Add))
        } else {
            format!(
                "No tags known. Press {} to add, or {} to remove by api_field.",
                app.key_label(Action::Add),
                app.key_label(Action::Remove)
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

/// A list row's first cell with its batch mark (`●`), once anything is marked.
pub fn marked(marks: &crate::tui::state::batch::Marks, id: &str) -> String {
    if marks.is_empty() {
        id.to_string()
    } else if marks.contains(id) {
        format!("● {id}")
    } else {
        format!("  {id}")
    }
}
