//! Quit with requests in flight: wait for them, or abandon them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

use super::mouse::{Button, button_hits, button_line};
use super::{Popup, centered};
use crate::tui::app::{App, Effect, Level};
use crate::tui::keymap::Action;
use crate::tui::mouse::Hits;
use crate::tui::theme::{self};

impl App {
    pub(in crate::tui) fn quit(&mut self, force: bool) -> Vec<Effect> {
        if force || self.busy() == 0 {
            return vec![Effect::Quit];
        }
        self.popup = Some(Popup::Quit);
        Vec::new()
    }

    pub(in crate::tui) fn quit_key(&mut self, action: Option<Action>) -> Vec<Effect> {
        match action {
            Some(Action::Wait) => {
                let n = self.busy();
                if n == 0 {
                    // Everything got its outcome while the dialog was open.
                    return vec![Effect::Quit];
                }
                self.quit_when_idle = true;
                let message = format!(
                    "Quitting when the {n} request{} in flight finish{}… ({} to stay, {} to abandon)",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "es" } else { "" },
                    self.key(Action::Close),
                    self.key(Action::ForceQuit)
                );
                self.set_status(Level::Warn, message);
                Vec::new()
            }
            Some(Action::Abandon) => vec![Effect::Quit],
            Some(Action::No | Action::Close | Action::Quit) => {
                self.quit_when_idle = false;
                Vec::new()
            }
            _ => {
                self.popup = Some(Popup::Quit);
                Vec::new()
            }
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
fn layout(app: &App, area: Rect) -> (Rect, Vec<Line<'static>>) {
    let n = app.in_flight();
    let left = app.batch_rows_left();
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
        button_line(app, &buttons()),
    ]);
    let width = 72.min(area.width);
    (centered(area, width, lines.len() as u16 + 2), lines)
}

/// The dialog's buttons for the mouse: a click on one presses its key.
pub(super) fn hits(app: &App, area: Rect, hits: &mut Hits) {
    let (popup, lines) = layout(app, area);
    hits.popup(popup, false, None);
    let y = popup.y + lines.len() as u16;
    if y + 1 < popup.bottom() {
        let row = (popup.x + 1, y, popup.right().saturating_sub(1));
        button_hits(app, &buttons(), row, hits);
    }
}

pub fn draw_quit(app: &App, frame: &mut Frame, area: Rect) {
    let (popup, lines) = layout(app, area);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme::BORDER_ASK)
        .title(" Quit? ".bold());
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
