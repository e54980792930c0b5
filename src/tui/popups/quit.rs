//! Quit with requests in flight: wait for them, or abandon them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

use ratatui::crossterm::event::KeyEvent;

use super::mouse::{Button, button_hits, button_line};
use super::{Cx, Do, Outcome, Room, centered};
use crate::tui::app::{Effect, Level};
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::Hits;
use crate::tui::theme::{self};

/// The quit dialog: requests are in flight (or batch rows still to finish).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quit;

impl Room for Quit {
    fn context(&self) -> Context {
        Context::Quit
    }

    fn on_key(&mut self, action: Option<Action>, _key: KeyEvent, cx: &Cx) -> Outcome {
        match action {
            Some(Action::Wait) => {
                let n = cx.unfinished();
                if n == 0 {
                    // Everything got its outcome while the dialog was open.
                    return Outcome::close().effect(Effect::Quit);
                }
                let message = format!(
                    "Quitting when the {n} request{} in flight finish{}… ({} to stay, {} to abandon)",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "es" } else { "" },
                    cx.key_label(Action::Close),
                    cx.key_label(Action::ForceQuit)
                );
                Outcome::close()
                    .and(Do::QuitWhenIdle(true))
                    .say(Level::Warn, message)
            }
            Some(Action::Abandon) => Outcome::close().effect(Effect::Quit),
            Some(Action::No | Action::Close | Action::Quit) => {
                Outcome::close().and(Do::QuitWhenIdle(false))
            }
            _ => Outcome::stay(),
        }
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        let (popup, lines) = layout(cx, area);
        frame.render_widget(Clear, popup);
        let block = Block::bordered()
            .border_style(theme::BORDER_ASK)
            .title(" Quit? ".bold());
        frame.render_widget(Paragraph::new(lines).block(block), popup);
    }

    /// The dialog's buttons for the mouse: a click on one presses its key.
    fn hits(&self, cx: &Cx, area: Rect, hits: &mut Hits) {
        let (popup, lines) = layout(cx, area);
        hits.popup(popup, false, None);
        let y = popup.y + lines.len() as u16;
        if y + 1 < popup.bottom() {
            let row = (popup.x + 1, y, popup.right().saturating_sub(1));
            button_hits(&cx.settings.keymap, &buttons(), row, hits);
        }
    }
}

/// The dialog's buttons: wait, abandon, stay.
fn buttons() -> [Button; 3] {
    let button = |action, style, label: &str| Button {
        action,
        style,
        label: label.into(),
    };
    [
        button(Action::Wait, theme::BADGE_SAFE, "wait, then quit"),
        button(Action::Abandon, theme::BADGE_ACT, "abandon and quit"),
        button(Action::Close, theme::BADGE_NONE, "stay"),
    ]
}

/// Where the dialog goes in `area`, and its lines (the buttons last).
fn layout(cx: &Cx, area: Rect) -> (Rect, Vec<Line<'static>>) {
    let n = cx.in_flight;
    let left = cx.batch_rows_left;
    let mut lines = vec![Line::from(format!(
        "{n} request{} still in flight.",
        if n == 1 { " is" } else { "s are" }
    ))];
    if left > 0 {
        lines.push(Line::from(format!(
            "A batch has {left} request{} still to finish: abandoning stops it, and the next",
            if left == 1 { "" } else { "s" }
        )));
        lines.push(Line::from(
            "start offers to resume it (or `tagdesk batch resume ID`).",
        ));
    }
    // "1 request … abandoning it", "2 requests … abandoning them".
    let (them, each) = if n + left == 1 {
        ("it", "it has")
    } else {
        ("them", "each has")
    };
    lines.extend([
        Line::from(format!(
            "Abandoning {them} now leaves the outcome unknown: the server may"
        )),
        Line::from(format!(
            "or may not have carried {them} out (the journal records {them} as"
        )),
        Line::from(format!(
            "abandoned). Waiting quits as soon as {each} its outcome."
        )),
        Line::from(""),
        button_line(&cx.settings.keymap, &buttons()),
    ]);
    let width = 72.min(area.width);
    (centered(area, width, lines.len() as u16 + 2), lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::popups::testing::{app, press, said, screen};
    use crate::tui::popups::{Do, Next};

    #[test]
    fn wait_quits_at_once_when_nothing_is_left_in_flight() {
        let app = app();
        let mut cx = app.cx();
        cx.in_flight = 0;
        let out = press(&mut Quit, &cx, "w");
        assert!(out.closes());
        assert!(matches!(out.then.as_slice(), [Do::Effect(Effect::Quit)]));
    }

    #[test]
    fn wait_quits_when_idle_and_says_how_to_stay_or_abandon() {
        let app = app();
        let mut cx = app.cx();
        cx.in_flight = 2;
        let out = press(&mut Quit, &cx, "w");
        assert!(out.closes());
        assert!(matches!(out.then[0], Do::QuitWhenIdle(true)));
        assert_eq!(
            said(&out),
            ["Quitting when the 2 requests in flight finish… (esc to stay, C-c to abandon)"]
        );
        // Abandon quits now; stay and close forget the wish to quit; other keys stay.
        let out = press(&mut Quit, &cx, "a");
        assert!(matches!(out.then.as_slice(), [Do::Effect(Effect::Quit)]));
        for key in ["esc", "n", "q"] {
            let out = press(&mut Quit, &cx, key);
            assert!(out.closes(), "{key}");
            assert!(
                matches!(out.then.as_slice(), [Do::QuitWhenIdle(false)]),
                "{key}"
            );
        }
        let out = press(&mut Quit, &cx, "x");
        assert!(matches!(out.next, Next::Stay) && out.then.is_empty());
    }

    #[test]
    fn the_dialog_counts_what_is_in_flight_and_offers_its_keys() {
        let app = app();
        let mut cx = app.cx();
        cx.in_flight = 1;
        let text = screen(&Quit, &cx, 80, 24);
        assert!(text.contains("1 request is still in flight."), "{text}");
        assert!(text.contains("Abandoning it now"), "{text}");
        assert!(text.contains(" w  wait, then quit"), "{text}");
        assert!(text.contains(" a  abandon and quit"), "{text}");
        // Batch rows are counted apart, with what abandoning them means.
        cx.batch_rows_left = 3;
        let text = screen(&Quit, &cx, 80, 24);
        assert!(
            text.contains("A batch has 3 requests still to finish"),
            "{text}"
        );
    }
}
