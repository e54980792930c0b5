//! `H`: the message history — the status line's last messages, newest first, each whole
//! (wrapped, with its time and level), scrollable. The status line shows one message in at
//! most two lines; here every one can be read to its end.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{Cx, Outcome, Room, centered, scrolled};
use crate::tui::app::Level;
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::Hits;
use crate::tui::state::messages::KEPT;
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::{clean, wrap_words};

/// The message history's popup: how far it is scrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MessageHistory {
    pub scroll: usize,
}

impl Room for MessageHistory {
    /// A page to read, as the help is: its keys scroll and close.
    fn context(&self) -> Context {
        Context::Help
    }

    fn on_key(&mut self, action: Option<Action>, key: KeyEvent, cx: &Cx) -> Outcome {
        // The key that opened it closes it too.
        let again = cx.settings.keymap.action_for(&key) == Some(Action::Messages);
        let closes = matches!(
            action,
            Some(Action::Close | Action::Quit | Action::Help | Action::Inspect)
        );
        if closes || again {
            return Outcome::close();
        }
        let (_, max) = area_and_scroll(cx, Rect::new(0, 0, cx.size.0, cx.size.1));
        if let Some(to) = scrolled(action, self.scroll, max) {
            self.scroll = to;
        }
        Outcome::stay()
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        let (popup, max) = area_and_scroll(cx, area);
        let lines = history_lines(cx, popup.width.saturating_sub(2) as usize);
        frame.render_widget(Clear, popup);
        let k = |a| cx.first_key(a);
        let hint = if max > 0 {
            format!(
                " {}/{} scroll · {} close ",
                k(Action::Up),
                k(Action::Down),
                k(Action::Close)
            )
        } else {
            format!(" {} close ", k(Action::Close))
        };
        let title = format!(
            " Messages · {} (newest first, the last {KEPT} kept) ",
            cx.messages.len()
        );
        let block = Block::bordered()
            .border_style(theme::BORDER_INFO)
            .title(title.bold())
            .title_bottom(Line::from(hint).muted());
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .scroll((self.scroll.min(max) as u16, 0)),
            popup,
        );
    }

    /// Read-only: the wheel scrolls it, a click outside closes it.
    fn hits(&self, cx: &Cx, area: Rect, hits: &mut Hits) {
        hits.popup(area_and_scroll(cx, area).0, true, Some(Action::Close));
    }
}

/// Where the popup draws in `area` (as wide as the terminal allows, at most 120 columns;
/// as tall as its lines, the header and status rows left visible) and how far it scrolls.
fn area_and_scroll(cx: &Cx, area: Rect) -> (Rect, usize) {
    let width = area.width.saturating_sub(4).min(120);
    let rows = history_lines(cx, width.saturating_sub(2) as usize).len();
    let h = (rows as u16)
        .saturating_add(2)
        .min(area.height.saturating_sub(2));
    let max = rows.saturating_sub(h.saturating_sub(2) as usize);
    (centered(area, width, h), max)
}

/// Every message, newest first: its time and level glyph, then its text wrapped under
/// itself to `width` columns.
fn history_lines(cx: &Cx, width: usize) -> Vec<Line<'static>> {
    if cx.messages.is_empty() {
        return vec![Line::from("No messages yet.").muted()];
    }
    // `12:00:05 ✗ ` then the text; its further lines start under the text.
    let indent = 11;
    let room = width.saturating_sub(indent).max(10);
    let mut lines = Vec::new();
    for said in cx.messages.newest_first() {
        let (glyph, style) = match said.level {
            Level::Info => (" ", Style::new().fg(theme::ACCENT)),
            Level::Warn => ("!", Style::new().fg(theme::WARN)),
            Level::Error => ("✗", Style::new().fg(theme::ERROR).bold()),
        };
        let mut text = clean(&said.text);
        if said.times > 1 {
            text.push_str(&format!(" (×{})", said.times));
        }
        for (i, part) in wrap_words(&text, room).into_iter().enumerate() {
            let head = if i == 0 {
                Span::raw(format!("{} {glyph} ", cx.local(said.at).format("%H:%M:%S"))).muted()
            } else {
                Span::raw(" ".repeat(indent))
            };
            lines.push(Line::from(vec![head, Span::styled(part, style)]));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::popups::testing::{app, press, screen};

    #[test]
    fn shows_every_message_whole_newest_first_and_closes() {
        let mut app = app();
        let long = "Hive add on demo_added_failed: Some tags were added. Some tags failed to add. \
                    The arrays say: added vip, failed not_a_tag.";
        app.set_status(Level::Info, "an older message");
        app.set_status(Level::Error, long);
        let text = screen(&MessageHistory::default(), &app.cx(), 80, 24);
        let first = text.find("an older message").expect("the older message");
        let newest = text.find("Hive add on").expect("the newest message");
        assert!(newest < first, "newest first: {text}");
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("added vip, failed not_a_tag."),
            "whole: {text}"
        );
        assert!(text.contains("✗ Hive add"), "{text}");
        let cx = app.cx();
        let mut popup = MessageHistory::default();
        assert!(press(&mut popup, &cx, "j").stays());
        for key in ["esc", "H", "q"] {
            assert!(press(&mut popup, &cx, key).closes(), "{key}");
        }
    }

    #[test]
    fn scrolls_no_further_than_its_last_line() {
        let mut app = app();
        app.size = (80, 12);
        for i in 0..30 {
            app.set_status(Level::Info, format!("message {i}"));
        }
        let cx = app.cx();
        let mut popup = MessageHistory::default();
        let _ = press(&mut popup, &cx, "G");
        let max = popup.scroll;
        assert!(max > 0);
        let _ = press(&mut popup, &cx, "j");
        assert_eq!(popup.scroll, max);
        let text = screen(&popup, &cx, 80, 12);
        assert!(text.contains("message 0"), "the oldest at the end: {text}");
    }
}
