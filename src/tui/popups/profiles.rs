//! `P`: the profile picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::mouse::{Hint, hint_hits, hint_text};
use super::{Confirm, OnYes, Popup, centered};
use crate::tui::app::{App, Effect, Level};
use crate::tui::keymap::Action;
use crate::tui::mouse::{Hits, Target};
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::fit;

impl App {
    pub(in crate::tui) fn profile_picker(&mut self) {
        if self.settings.profiles.len() < 2 {
            let msg = if self.settings.demo {
                "Demo mode has one profile. Profiles come from the configuration file (see the README)."
            } else {
                "The configuration file defines only this profile."
            };
            return self.set_status(Level::Info, msg);
        }
        let selected = self
            .settings
            .profiles
            .iter()
            .position(|p| *p == self.settings.profile)
            .unwrap_or(0);
        self.popup = Some(Popup::Profiles { selected });
    }

    pub(in crate::tui) fn profiles_key(
        &mut self,
        action: Option<Action>,
        selected: usize,
    ) -> Vec<Effect> {
        let n = self.settings.profiles.len();
        if matches!(action, Some(Action::Close | Action::Quit)) {
            return Vec::new();
        }
        if let Some(to) = Self::scrolled(action, selected, n.saturating_sub(1)) {
            self.popup = Some(Popup::Profiles { selected: to });
            return Vec::new();
        }
        if action != Some(Action::Submit) {
            self.popup = Some(Popup::Profiles { selected });
            return Vec::new();
        }
        let Some(name) = self.settings.profiles.get(selected).cloned() else {
            return Vec::new();
        };
        if name == self.settings.profile {
            return Vec::new();
        }
        if self.switching.is_some() {
            self.set_status(Level::Warn, "A profile switch is already under way.");
            return Vec::new();
        }
        let pending = self.in_flight();
        if pending > 0 {
            let (requests, them) = if pending == 1 {
                ("1 request is".to_string(), "it")
            } else {
                (format!("{pending} requests are"), "them")
            };
            self.popup = Some(Popup::Confirm(Confirm {
                title: " Switch profile? ".into(),
                lines: vec![
                    format!("{requests} still in flight."),
                    format!("Switching to {name} abandons {them} (journaled as abandoned)."),
                ],
                yes: format!("switch to {name}"),
                on_yes: OnYes::SwitchProfile(name),
            }));
            return Vec::new();
        }
        vec![Effect::SwitchProfile(name)]
    }
}

/// Where the picker goes in `area`, its lines (one per profile) and its hints.
fn layout(app: &App, selected: usize, area: Rect) -> (Rect, Vec<Line<'static>>, [Hint; 2]) {
    let mut lines = Vec::new();
    for (i, name) in app.settings.profiles.iter().enumerate() {
        let current = *name == app.settings.profile;
        let text = format!(
            " {} {}{} ",
            if i == selected { "▶" } else { " " },
            fit(name, 60),
            if current { "  (current)" } else { "" }
        );
        let style = if i == selected {
            theme::SELECTED
        } else {
            Style::new()
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    let width = lines
        .iter()
        .map(|l| l.width() as u16)
        .max()
        .unwrap_or(10)
        .max(28)
        + 2;
    let k = |a| app.settings.keymap.first_key(a);
    let hints = [
        Hint::button(Action::Submit, format!("{} switch", k(Action::Submit))),
        Hint::button(Action::Close, format!("{} close", k(Action::Close))),
    ];
    (centered(area, width, lines.len() as u16 + 2), lines, hints)
}

pub fn draw_profiles(app: &App, selected: usize, frame: &mut Frame, area: Rect) {
    let (popup, lines, hints) = layout(app, selected, area);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme::BORDER_INFO)
        .title(" Switch profile ".bold())
        .title_bottom(Line::from(hint_text(&hints)).muted());
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// The picker for the mouse: a profile per row, and its hints.
pub(super) fn hits(app: &App, selected: usize, area: Rect, hits: &mut Hits) {
    let (popup, lines, hints) = layout(app, selected, area);
    hits.popup(popup, true, None);
    let inner = Block::bordered().inner(popup);
    for i in 0..lines.len().min(inner.height as usize) {
        let row = Rect::new(inner.x, inner.y + i as u16, inner.width, 1);
        hits.add(row, Target::Choice(i));
    }
    hint_hits(&hints, popup, hits);
}
