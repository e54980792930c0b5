//! Quit with requests in flight: wait for them, or abandon them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{Popup, centered};
use crate::tui::app::{App, Effect, Level};
use crate::tui::keymap::Action;
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

pub fn draw_quit(app: &App, frame: &mut Frame, area: Rect) {
    let k = |a| app.settings.keymap.first_key(a);
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
        Line::from(vec![
            Span::styled(format!(" {} ", k(Action::Wait)), theme::BADGE_SAFE),
            Span::raw(" wait, then quit    "),
            Span::styled(format!(" {} ", k(Action::Abandon)), theme::BADGE_ACT),
            Span::raw(" abandon and quit    "),
            Span::styled(format!(" {} ", k(Action::Close)), theme::BADGE_NONE),
            Span::raw(" stay"),
        ]),
    ]);
    let width = 72.min(area.width);
    let popup = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme::BORDER_ASK)
        .title(" Quit? ".bold());
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
