//! Drawing's twin for the mouse: where each clickable thing of the screen is, computed from
//! the App with the same layout functions drawing uses (`screen`, `list_areas`, `window`,
//! the header's and status line's spans), so a click lands on what was drawn there.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;

use super::panes::{list_areas, window};
use super::{header_right, header_tabs, hint_spans, screen, status_right};
use crate::tui::app::{App, Pane, Tab};
use crate::tui::mouse::{Hits, Target};

/// The clickable rectangles of the screen `view::draw` draws in `area` for `app`.
pub fn hits(app: &App, area: Rect) -> Hits {
    let mut hits = Hits::default();
    let Some(screen) = screen(app, area) else {
        return hits;
    };
    header(app, screen.header, &mut hits);
    hits.add(screen.list, Target::Pane(Pane::List));
    hits.add(screen.tags, Target::Pane(Pane::Tags));
    hits.add(screen.log, Target::Pane(Pane::Log));
    list_rows(app, screen.list, &mut hits);
    tag_rows(app, screen.tags, &mut hits);
    log_rows(app, screen.log, &mut hits);
    status(app, screen.status, &mut hits);
    if let Some(popup) = &app.popup {
        popup.hits(&app.cx(), area, &mut hits);
    }
    hits
}

/// Adds one spot per span, left to right from `x` and no further than `right`.
fn spans(hits: &mut Hits, (x, y, right): (u16, u16, u16), items: Vec<(Option<Target>, u16)>) {
    let mut x = x;
    for (target, width) in items {
        let end = x.saturating_add(width).min(right);
        if let Some(target) = target
            && end > x
        {
            hits.add(Rect::new(x, y, end - x, 1), target);
        }
        x = x.saturating_add(width);
    }
}

fn header(app: &App, area: Rect, hits: &mut Hits) {
    let (_, left, _) = header_right(app, area);
    let items = header_tabs(app)
        .into_iter()
        .map(|(tab, span)| (tab.map(Target::Tab), span.width() as u16))
        .collect();
    spans(hits, (left.x, left.y, left.right()), items);
}

fn status(app: &App, area: Rect, hits: &mut Hits) {
    let (_, left, _) = status_right(app, area);
    let items = hint_spans(app, left.width)
        .into_iter()
        .map(|(action, [key, word])| {
            (
                Some(Target::Hint(action)),
                (key.width() + word.width()) as u16,
            )
        })
        .collect();
    spans(hits, (left.x, left.y, left.right()), items);
}

/// One spot per row drawn: `keys` are the rows' keys, the first at `area.y`.
fn rows(hits: &mut Hits, area: Rect, (tab, pane): (Tab, Pane), keys: Vec<String>) {
    for (i, key) in keys.into_iter().enumerate() {
        let y = area.y.saturating_add(i as u16);
        if y >= area.bottom() {
            break;
        }
        let row = Rect::new(area.x, y, area.width, 1);
        hits.add(row, Target::Row { tab, pane, key });
    }
}

/// The user or patron list: the rows `draw_users` / `draw_patrons` draw, in their window
/// (only those: the cost does not grow with the list).
fn list_rows(app: &App, area: Rect, hits: &mut Hits) {
    let inner = Block::bordered().inner(area);
    let (selected, visible, filter) = match app.tab {
        Tab::Cerego => {
            let list = &app.cerego.list;
            (list.selected(), list.visible(), &list.filter)
        }
        // An unconfigured service's pane says so instead of listing what a workspace knew.
        Tab::Hive if app.settings.hive.is_none() => return,
        Tab::Hive => {
            let list = &app.hive.list;
            (list.selected(), list.visible(), &list.filter)
        }
    };
    if visible.is_empty() {
        return;
    }
    let notice = app.tab == Tab::Cerego && super::cerego::cut_notice(app).is_some();
    let (rows_area, _) = list_areas(inner, filter, notice);
    let shown = &visible[window(selected, visible.len(), rows_area.height as usize)];
    let keys = match app.tab {
        Tab::Cerego => shown
            .iter()
            .filter_map(|&i| app.known.cerego.get(i))
            .map(|u| u.id.to_string())
            .collect(),
        Tab::Hive => shown
            .iter()
            .filter_map(|&i| app.known.hive.patrons().get(i))
            .map(|p| p.id.to_string())
            .collect(),
    };
    rows(hits, rows_area, (app.tab, Pane::List), keys);
}

/// The selected user's or patron's tags, under the pane's two info lines and the table's
/// header, scrolled as the table scrolls to its selection.
fn tag_rows(app: &App, area: Rect, hits: &mut Hits) {
    let (keys, selected): (Vec<String>, usize) = match app.tab {
        Tab::Cerego => (
            app.selected_user()
                .map(|u| u.tags.iter().map(|t| t.id.to_string()).collect())
                .unwrap_or_default(),
            app.cerego.tag_selected,
        ),
        Tab::Hive => (
            app.selected_patron()
                .map(|p| p.tags.iter().map(|t| t.api_field.to_string()).collect())
                .unwrap_or_default(),
            app.hive.tag_selected,
        ),
    };
    if keys.is_empty() {
        return;
    }
    let inner = Block::bordered().inner(area);
    let (_, _, rows_area) = super::panes::tags_areas(app, inner);
    let body = Rect {
        y: rows_area.y.saturating_add(1),
        height: rows_area.height.saturating_sub(1),
        ..rows_area
    };
    let selected = selected.min(keys.len() - 1);
    let shown = window(selected, keys.len(), body.height as usize);
    rows(hits, body, (app.tab, Pane::Tags), keys[shown].to_vec());
}

/// The action log's entries on screen, named by journal id.
fn log_rows(app: &App, area: Rect, hits: &mut Hits) {
    let inner = Block::bordered().inner(area);
    // The filter line shows for the quick filter too, as `draw_log` draws it.
    let filtered =
        app.log.list.filter.is_active() || app.log.quick != crate::tui::state::QuickFilter::All;
    let inner = if filtered {
        let [rows, _] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
        rows
    } else {
        inner
    };
    // The rows `draw_log` draws (a wrapped entry takes its lines); the line between earlier
    // runs and this run takes no click.
    let width = (inner.width as usize).saturating_sub(super::selection_symbol(app).chars().count());
    let layout = super::log::log_layout(app, width, inner.height as usize);
    let mut y = inner.y;
    for (row, lines) in layout.rows {
        let height = (lines.len() as u16).min(inner.bottom().saturating_sub(y));
        if height == 0 {
            break;
        }
        if let super::log::LogRow::Entry(i) = row
            && let Some(e) = app.log.entries().get(i)
        {
            let key = e.key.clone();
            let target = Target::Row {
                tab: app.tab,
                pane: Pane::Log,
                key,
            };
            hits.add(Rect::new(inner.x, y, inner.width, height), target);
        }
        y = y.saturating_add(height);
    }
}
