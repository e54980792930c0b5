//! A question before anything changes: what would be sent, and where.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

use super::mouse::{Button, button_hits, button_line};
use super::{Form, FormKind, Popup, centered};
use crate::core::domain::{ApiField, PatronId};
use crate::core::op::Op;
use crate::tui::app::{App, Effect, Level};
use crate::tui::keymap::Action;
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
    /// Reset the simulator to its seed (and the console's view with it).
    ResetSim,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub yes: String,
    pub on_yes: OnYes,
}

impl App {
    pub(in crate::tui) fn confirm_key(
        &mut self,
        action: Option<Action>,
        confirm: Confirm,
    ) -> Vec<Effect> {
        match action {
            Some(Action::Yes) => self.confirmed(confirm.on_yes),
            Some(Action::No | Action::Close | Action::Quit) => {
                self.set_status(Level::Info, "Cancelled: nothing was sent.");
                Vec::new()
            }
            _ => {
                self.popup = Some(Popup::Confirm(confirm));
                Vec::new()
            }
        }
    }

    pub(in crate::tui) fn confirmed(&mut self, on_yes: OnYes) -> Vec<Effect> {
        match on_yes {
            OnYes::Send(op) => self.request(op, true),
            OnYes::Quit => vec![Effect::Quit],
            OnYes::SwitchProfile(name) => vec![Effect::SwitchProfile(name)],
            OnYes::ResetSim => {
                self.set_status(Level::Info, "Resetting the simulator…");
                vec![Effect::Sim(crate::tui::app::SimCommand::Reset)]
            }
            OnYes::EditInstead {
                tag_id,
                user_name,
                type_name,
                old_value,
                value,
            } => {
                self.popup = Some(Popup::Form(Box::new(Form::new(
                    FormKind::CeregoEdit {
                        tag_id,
                        user_name,
                        type_name,
                        old_value,
                        user_id: String::new(),
                        tag_type: None,
                    },
                    &value,
                ))));
                Vec::new()
            }
        }
    }

    pub(in crate::tui) fn confirm_hive_remove(&mut self, patron: PatronId, fields: Vec<ApiField>) {
        let names: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
        self.popup = Some(Popup::Confirm(Confirm {
            title: " Remove Hive tags? ".into(),
            lines: vec![
                format!("Patron:  {patron}"),
                format!("Tags:    {}", names.join(", ")),
                String::new(),
                format!(
                    "Sends POST /api/v1/user_tags/remove for {} tag{}.",
                    names.len(),
                    if names.len() == 1 { "" } else { "s" }
                ),
            ]
            .into_iter()
            .chain(self.settings.policy.confirm.then(|| {
                format!(
                    "Profile {} asks for confirmation.",
                    self.settings.policy.profile.to_uppercase()
                )
            }))
            .collect(),
            yes: "remove".into(),
            on_yes: OnYes::Send(Op::HiveRemove { patron, fields }),
        }));
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
fn layout(app: &App, c: &Confirm, area: Rect) -> (Rect, Vec<Line<'static>>) {
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
    lines.push(button_line(app, &buttons(c)));
    (centered(area, width, lines.len() as u16 + 2), lines)
}

pub fn draw_confirm(app: &App, c: &Confirm, frame: &mut Frame, area: Rect) {
    let (popup, lines) = layout(app, c, area);
    let width = popup.width;
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme::BORDER_ASK)
        .title(Line::from(fit(&c.title, width.saturating_sub(4) as usize)).bold());
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// The dialog's buttons for the mouse: a click on one presses its key.
pub(super) fn hits(app: &App, c: &Confirm, area: Rect, hits: &mut Hits) {
    let (popup, lines) = layout(app, c, area);
    hits.popup(popup, false, None);
    // Below the top border, the last line.
    let y = popup.y + lines.len() as u16;
    if y + 1 < popup.bottom() {
        let row = (popup.x + 1, y, popup.right().saturating_sub(1));
        button_hits(app, &buttons(c), row, hits);
    }
}
