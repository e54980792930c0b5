//! The popups' side of the mouse (`tui::mouse`): each popup registers its rectangle, its
//! buttons — each an action of its own key table, so a click presses that key — and its
//! choices ([`super::Room::hits`]). The helpers here draw a row of buttons and a
//! bottom-border hint line *and* say where their parts are, so what is clickable is exactly
//! what is drawn.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::tui::keymap::{Action, Keymap};
use crate::tui::mouse::{Hits, Target};

/// A dialog's button: a key badge and a word, standing for an action of its key table.
pub(super) struct Button {
    pub action: Action,
    pub style: Style,
    pub label: String,
}

/// The gap between two buttons of a row.
const GAP: &str = "    ";

/// A row of buttons as the dialogs draw it: ` y  send     n  cancel`.
pub(super) fn button_line(keymap: &Keymap, buttons: &[Button]) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, b) in buttons.iter().enumerate() {
        let gap = if i + 1 < buttons.len() { GAP } else { "" };
        spans.push(Span::styled(
            format!(" {} ", keymap.first_key(b.action)),
            b.style,
        ));
        spans.push(Span::raw(format!(" {}{gap}", b.label)));
    }
    Line::from(spans)
}

/// Where the buttons of a row drawn by [`button_line`] at `(x, y)` are (badge and word),
/// no further right than `right`.
pub(super) fn button_hits(
    keymap: &Keymap,
    buttons: &[Button],
    (x, y, right): (u16, u16, u16),
    hits: &mut Hits,
) {
    let mut x = x;
    for b in buttons {
        let badge = keymap.first_key(b.action).width() + 2;
        let width = (badge + 1 + b.label.width()) as u16;
        let end = x.saturating_add(width).min(right);
        if end > x {
            hits.add(Rect::new(x, y, end - x, 1), Target::Button(b.action));
        }
        x = x.saturating_add(width + GAP.len() as u16);
    }
}

/// One item of a popup's bottom-border hint line (` enter submit · esc cancel `): its text,
/// and the action a click on it presses (None: it only informs).
pub(super) struct Hint {
    pub action: Option<Action>,
    pub text: String,
}

impl Hint {
    pub fn button(action: Action, text: String) -> Self {
        Self {
            action: Some(action),
            text,
        }
    }

    pub fn text(text: String) -> Self {
        Self { action: None, text }
    }
}

const SEPARATOR: &str = " · ";

/// The hint line's text.
pub(super) fn hint_text(hints: &[Hint]) -> String {
    let items: Vec<&str> = hints.iter().map(|h| h.text.as_str()).collect();
    format!(" {} ", items.join(SEPARATOR))
}

/// The hits of a popup that lists a choice a row (`rows` of them, from its first inner row)
/// above its hints: the popup, each row, each hint.
pub(super) fn choice_hits(popup: Rect, rows: usize, hints: &[Hint], hits: &mut Hits) {
    hits.popup(popup, true, None);
    let inner = ratatui::widgets::Block::bordered().inner(popup);
    for i in 0..rows.min(inner.height as usize) {
        let row = Rect::new(inner.x, inner.y + i as u16, inner.width, 1);
        hits.add(row, Target::Choice(i));
    }
    hint_hits(hints, popup, hits);
}

/// Where the hints drawn by [`hint_text`] as `popup`'s bottom title are (a block draws a
/// left-aligned title from just after its corner).
pub(super) fn hint_hits(hints: &[Hint], popup: Rect, hits: &mut Hits) {
    let y = popup.bottom().saturating_sub(1);
    let right = popup.right().saturating_sub(1);
    // The corner, then the line's leading space.
    let mut x = popup.x.saturating_add(2);
    for h in hints {
        let width = h.text.width() as u16;
        let end = x.saturating_add(width).min(right);
        if let Some(action) = h.action
            && end > x
        {
            hits.add(Rect::new(x, y, end - x, 1), Target::Button(action));
        }
        x = x.saturating_add(width + SEPARATOR.width() as u16);
    }
}
