//! `?`: help in pages (`Tab` / `→` / `←`): the key table in force and what forms take; the
//! Hive outcomes (the documented 7 + 7 messages with their scenario, glyph and colour, the
//! three error codes, and which were seen since the console started); a legend of every
//! glyph and colour the console uses.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use ratatui::crossterm::event::KeyEvent;

use super::{Cx, Outcome, Room, centered, scrolled};
use crate::tui::app::App;
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::Hits;
use crate::tui::theme::{self, Themed};

/// The help: which page, and how far it is scrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Help {
    pub scroll: u16,
    /// Which page ([`PAGES`]).
    pub page: usize,
}

impl Room for Help {
    fn context(&self) -> Context {
        Context::Help
    }

    fn on_key(&mut self, action: Option<Action>, _key: KeyEvent, cx: &Cx) -> Outcome {
        let closes = matches!(
            action,
            Some(Action::Close | Action::Quit | Action::Help | Action::Inspect)
        );
        if closes {
            return Outcome::close();
        }
        let turned = match action {
            Some(Action::NextPane) => Some((self.page + 1) % PAGES.len()),
            Some(Action::PrevPane) => Some((self.page + PAGES.len() - 1) % PAGES.len()),
            _ => None,
        };
        if let Some(page) = turned {
            *self = Help { scroll: 0, page };
            return Outcome::stay();
        }
        let max = max_scroll(cx, self.page) as usize;
        if let Some(to) = scrolled(action, self.scroll as usize, max) {
            self.scroll = to as u16;
        }
        Outcome::stay()
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        draw_help(cx, self.scroll, self.page, frame, area)
    }

    /// Read-only: the wheel scrolls it, a click outside closes it.
    fn hits(&self, cx: &Cx, area: Rect, hits: &mut Hits) {
        let rect = help_area(area, &page_lines(cx, self.page)).0;
        hits.popup(rect, true, Some(Action::Close));
    }
}

/// The help's pages, in order.
pub const PAGES: [&str; 3] = ["Keys", "Hive outcomes", "Legend"];

fn page_lines(cx: &Cx, page: usize) -> Vec<Line<'static>> {
    match page {
        1 => super::help_pages::outcome_lines(cx),
        2 => super::help_pages::legend_lines(),
        _ => help_lines(cx),
    }
}

fn help_lines(cx: &Cx) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from("Keys".bold())];
    for b in cx.settings.keymap.entries() {
        // Every key of the action, so that second keys (delete, End, ctrl-d…) are found too.
        let keys = &b.keys_label;
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<12}"), theme::KEY),
            Span::raw(b.help),
        ]));
    }
    if let Some(address) = &cx.settings.simulator {
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
    let k = |a| cx.first_key(a);
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
            "{}/{} change the Cerego tag type, move to the user's other tags (an edit), or \
             walk the recent look-ups",
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

/// How far page `page` of the help can scroll at the console's current size.
fn max_scroll(cx: &Cx, page: usize) -> u16 {
    let area = Rect::new(0, 0, cx.size.0, cx.size.1);
    help_area(area, &page_lines(cx, page)).1
}

/// How far page `page` of the help can scroll at the console's current size.
pub fn help_max_scroll(app: &App, page: usize) -> u16 {
    max_scroll(&app.cx(), page)
}

fn draw_help(cx: &Cx, scroll: u16, page: usize, frame: &mut Frame, area: Rect) {
    let lines = page_lines(cx, page);
    let (popup, max_scroll) = help_area(area, &lines);
    frame.render_widget(Clear, popup);
    let k = |a| cx.first_key(a);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::popups::testing::{app, press, screen};

    #[test]
    fn tab_turns_the_pages_and_help_or_esc_closes() {
        let app = app();
        let cx = app.cx();
        let mut help = Help::default();
        assert!(press(&mut help, &cx, "tab").stays());
        assert_eq!(help.page, 1);
        assert!(press(&mut help, &cx, "backtab").stays());
        assert!(press(&mut help, &cx, "backtab").stays());
        assert_eq!(help.page, PAGES.len() - 1, "backwards past the first");
        for key in ["?", "esc", "q", "enter"] {
            assert!(press(&mut help, &cx, key).closes(), "{key}");
        }
    }

    #[test]
    fn scrolling_stops_at_the_last_line_and_a_new_page_starts_at_the_top() {
        let mut app = app();
        app.size = (80, 12);
        let cx = app.cx();
        let max = max_scroll(&cx, 0);
        assert!(max > 0, "the keys page is longer than 12 rows");
        let mut help = Help::default();
        let _ = press(&mut help, &cx, "G");
        assert_eq!(help.scroll, max);
        let _ = press(&mut help, &cx, "j");
        assert_eq!(help.scroll, max, "never past the end");
        let _ = press(&mut help, &cx, "tab");
        assert_eq!(help, Help { scroll: 0, page: 1 });
    }

    #[test]
    fn the_keys_page_reads_the_key_table_in_force() {
        let app = app();
        let text = screen(&Help::default(), &app.cx(), 120, 40);
        assert!(text.contains("▶ Keys"), "{text}");
        assert!(text.contains("add tags (Hive: api_fields"), "{text}");
        let mut app = app;
        app.settings.keymap = crate::tui::keymap::Keymap::with_overrides(
            &[("add".to_string(), vec!["insert".to_string()])].into(),
        )
        .expect("a valid override");
        let text = screen(&Help::default(), &app.cx(), 120, 40);
        assert!(text.contains("insert"), "{text}");
    }
}
