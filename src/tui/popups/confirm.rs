//! A question before anything changes: what would be sent, and where.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

use ratatui::crossterm::event::KeyEvent;

use super::mouse::{Button, button_hits, button_line};
use super::{Cx, Do, Outcome, Room, centered};
use crate::core::op::Op;
use crate::tui::app::Level;
use crate::tui::keymap::{Action, Context, Keymap};
use crate::tui::mouse::Hits;
use crate::tui::theme::{self};
use crate::tui::view::text::fit;

/// What a confirmation does when the operator says yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnYes {
    Send(Op),
    /// Open the edit form for an existing Cerego tag, starting from `value`.
    EditInstead {
        tag_id: String,
        user_name: String,
        type_name: String,
        old_value: String,
        value: String,
    },
    Quit,
    SwitchProfile(String),
    /// Leave for demo mode (the profile picker's last choice).
    SwitchToDemo,
    /// Reset the simulator to its seed (and the console's view with it).
    ResetSim,
    /// Send the log entry with this journal id again (the inspector's re-send).
    Resend(String),
    /// Send this change (the inspector's edit before re-send), the inspector following it.
    SendAndFollow(Op),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub yes: String,
    pub on_yes: OnYes,
}

impl Room for Confirm {
    fn context(&self) -> Context {
        Context::Confirm
    }

    fn on_key(&mut self, action: Option<Action>, _key: KeyEvent, _cx: &Cx) -> Outcome {
        match action {
            Some(Action::Yes) => Outcome::close().and(Do::Confirmed(self.on_yes.clone())),
            Some(Action::No | Action::Close | Action::Quit) => {
                Outcome::close().say(Level::Info, "Cancelled: nothing was sent.")
            }
            _ => Outcome::stay(),
        }
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        let (popup, lines) = layout(&cx.settings.keymap, self, area);
        let width = popup.width;
        frame.render_widget(Clear, popup);
        let block = Block::bordered()
            .border_style(theme::BORDER_ASK)
            .title(Line::from(fit(&self.title, width.saturating_sub(4) as usize)).bold());
        frame.render_widget(Paragraph::new(lines).block(block), popup);
    }

    /// The dialog's buttons for the mouse: a click on one presses its key.
    fn hits(&self, cx: &Cx, area: Rect, hits: &mut Hits) {
        let keymap = &cx.settings.keymap;
        let (popup, lines) = layout(keymap, self, area);
        hits.popup(popup, false, None);
        // Below the top border, the last line.
        let y = popup.y + lines.len() as u16;
        if y + 1 < popup.bottom() {
            let row = (popup.x + 1, y, popup.right().saturating_sub(1));
            button_hits(keymap, &buttons(self), row, hits);
        }
    }
}

/// The dialog's buttons: its yes and its no.
fn buttons(c: &Confirm) -> [Button; 2] {
    [
        Button {
            action: Action::Yes,
            style: theme::BADGE_ACT,
            label: fit(&c.yes, 40),
        },
        Button {
            action: Action::No,
            style: theme::BADGE_NONE,
            label: "cancel".into(),
        },
    ]
}

/// Where the dialog goes in `area`, and its lines (the buttons last).
fn layout(keymap: &Keymap, c: &Confirm, area: Rect) -> (Rect, Vec<Line<'static>>) {
    let width = c
        .lines
        .iter()
        .map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) as u16)
        .max()
        .unwrap_or(20)
        .max(30)
        + 4;
    let width = width.min(area.width.saturating_sub(2));
    let mut lines: Vec<Line> = c
        .lines
        .iter()
        .map(|l| Line::from(fit(l, width.saturating_sub(4) as usize)))
        .collect();
    lines.push(Line::from(""));
    lines.push(button_line(keymap, &buttons(c)));
    (centered(area, width, lines.len() as u16 + 2), lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::{ApiField, PatronId};
    use crate::tui::popups::testing::{app, press, said, screen};

    fn remove() -> Confirm {
        let op = Op::HiveRemove {
            patron: PatronId::parse("user_1").expect("an id"),
            fields: vec![ApiField::parse("vip").expect("a field")],
        };
        Confirm {
            title: " Remove Hive tags? ".into(),
            lines: vec!["Patron:  user_1".into(), "Tags:    vip".into()],
            yes: "remove".into(),
            on_yes: OnYes::Send(op),
        }
    }

    #[test]
    fn yes_hands_on_what_was_asked_and_no_cancels() {
        let app = app();
        let cx = app.cx();
        let mut confirm = remove();
        let out = press(&mut confirm, &cx, "y");
        assert!(out.closes());
        assert!(matches!(&out.then[..], [Do::Confirmed(yes)] if *yes == remove().on_yes));
        for key in ["n", "esc", "q"] {
            let out = press(&mut confirm, &cx, key);
            assert!(out.closes(), "{key}");
            assert_eq!(said(&out), ["Cancelled: nothing was sent."], "{key}");
        }
        assert!(press(&mut confirm, &cx, "x").stays());
    }

    #[test]
    fn the_dialog_shows_its_lines_and_its_two_buttons() {
        let app = app();
        let text = screen(&remove(), &app.cx(), 80, 24);
        assert!(text.contains("Remove Hive tags?"), "{text}");
        assert!(text.contains("Tags:    vip"), "{text}");
        assert!(text.contains(" y  remove     n  cancel"), "{text}");
    }
}
