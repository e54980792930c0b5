//! `?`: help in pages (`Tab` / `→` / `←`): the key table in force and what forms take; the
//! Hive outcomes (the documented 7 + 7 messages with their scenario, glyph and colour, the
//! three error codes, and which were seen since the console started); a legend of every
//! glyph and colour the console uses.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{Popup, centered};
use crate::tui::app::{App, Effect};
use crate::tui::keymap::Action;
use crate::tui::theme::{self, Themed};

impl App {
    pub(in crate::tui) fn help_key(
        &mut self,
        action: Option<Action>,
        scroll: u16,
        page: usize,
    ) -> Vec<Effect> {
        let closes = matches!(
            action,
            Some(Action::Close | Action::Quit | Action::Help | Action::Inspect)
        );
        if closes {
            return Vec::new();
        }
        let turned = match action {
            Some(Action::NextPane) => Some((page + 1) % PAGES.len()),
            Some(Action::PrevPane) => Some((page + PAGES.len() - 1) % PAGES.len()),
            _ => None,
        };
        if let Some(page) = turned {
            self.popup = Some(Popup::Help { scroll: 0, page });
            return Vec::new();
        }
        let max = help_max_scroll(self, page) as usize;
        let scroll = Self::scrolled(action, scroll as usize, max)
            .map(|s| s as u16)
            .unwrap_or(scroll);
        self.popup = Some(Popup::Help { scroll, page });
        Vec::new()
    }
}

/// The help's pages, in order.
pub const PAGES: [&str; 3] = ["Keys", "Hive outcomes", "Legend"];

fn page_lines(app: &App, page: usize) -> Vec<Line<'static>> {
    match page {
        1 => super::help_pages::outcome_lines(app),
        2 => super::help_pages::legend_lines(),
        _ => help_lines(app),
    }
}

fn help_lines(app: &App) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from("Keys".bold())];
    for b in app.settings.keymap.entries() {
        // Every key of the action, so that second keys (delete, End, ctrl-d…) are found too.
        let keys = &b.keys_label;
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<12}"), theme::KEY),
            Span::raw(b.help),
        ]));
    }
    if let Some(address) = &app.settings.simulator {
        lines.push(Line::from(""));
        lines.push(Line::from("The demo simulator".bold()));
        lines.push(Line::from(format!(
            "  {address}  (both APIs; point curl at it)"
        )));
        lines.push(Line::from(format!(
            "  curl -H 'Authorization: token {}' -d '{{\"patron_id\":\"p\",\"user_tags_api_fields\":[\"vip\"]}}' {address}/api/v1/user_tags/add",
            crate::sim::DEFAULT_HIVE_KEY
        )));
        lines.push(Line::from(format!(
            "  control API: {address}/_sim/state · /_sim/faults · /_sim/reset"
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from("In forms".bold()));
    let k = |a| app.settings.keymap.first_key(a);
    for text in [
        format!(
            "{} submits · {} cancels",
            k(Action::Submit),
            k(Action::Close)
        ),
        format!(
            "{} completes api_fields from the catalogue",
            k(Action::NextPane)
        ),
        format!(
            "{}/{} change the Cerego tag type, or walk the recent look-ups",
            k(Action::Up),
            k(Action::Down)
        ),
        "←/→ home/end move the cursor · ctrl-w deletes a word · paste works".to_string(),
    ] {
        lines.push(Line::from(format!("  {text}")));
    }
    lines
}

/// Where a page draws: as wide as the terminal allows (a margin of two columns, at most 150),
/// as tall as its lines once wrapped (the header and status rows stay visible).
/// The page's wrapped lines are counted once: they give both the height and how far the
/// page scrolls.
fn help_area(area: Rect, lines: &[Line<'static>]) -> (Rect, u16) {
    let width = area.width.saturating_sub(4).min(150);
    let rows = Paragraph::new(lines.to_vec())
        .wrap(Wrap { trim: false })
        .line_count(width.saturating_sub(2));
    let h = (rows as u16)
        .saturating_add(2)
        .min(area.height.saturating_sub(2));
    let max_scroll = (rows as u16).saturating_add(2).saturating_sub(h);
    (centered(area, width, h), max_scroll)
}

/// Where page `page` of the help goes in `area` (for the mouse).
pub(super) fn help_rect(app: &App, page: usize, area: Rect) -> Rect {
    help_area(area, &page_lines(app, page)).0
}

/// How far page `page` of the help can scroll at the console's current size.
pub fn help_max_scroll(app: &App, page: usize) -> u16 {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    help_area(area, &page_lines(app, page)).1
}

pub fn draw_help(app: &App, scroll: u16, page: usize, frame: &mut Frame, area: Rect) {
    let lines = page_lines(app, page);
    let (popup, max_scroll) = help_area(area, &lines);
    frame.render_widget(Clear, popup);
    let k = |a| app.settings.keymap.first_key(a);
    let hint = if max_scroll > 0 {
        format!(
            " {}/→ next page · {}/{} scroll · {} close ",
            k(Action::NextPane),
            k(Action::Up),
            k(Action::Down),
            k(Action::Close)
        )
    } else {
        format!(
            " {}/→ next page · {} / {} close ",
            k(Action::NextPane),
            k(Action::Close),
            k(Action::Help)
        )
    };
    // The pages as tabs; the current one reversed and marked, so it shows without colour.
    let mut title = vec![Span::raw(" Help ").bold()];
    for (i, name) in PAGES.iter().enumerate() {
        title.push(Span::raw("│"));
        if i == page {
            title.push(Span::styled(format!(" ▶ {name} "), theme::SELECTED));
        } else {
            title.push(Span::raw(format!(" {name} ")).muted());
        }
    }
    let block = Block::bordered()
        .border_style(theme::BORDER_INFO)
        .title(Line::from(title))
        .title_bottom(Line::from(hint).muted());
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max_scroll), 0)),
        popup,
    );
}
