//! The popups, each with its state, its key handling and its drawing in one file (as
//! gitui's `popups/`): a popup reads the key table of its own context, so `[keys]` reaches
//! it, and draws from its state alone.

mod batch;
mod confirm;
mod copy;
mod faults;
mod form;
mod help;
mod help_pages;
mod inspector;
mod mouse;
mod preview;
mod profiles;
mod quit;
mod scenarios;

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

pub use confirm::{Confirm, OnYes};
pub use copy::{CopyItem, copy_items};
pub use form::{Form, FormEvent, FormKind, edit};
pub use help::{PAGES as HELP_PAGES, help_max_scroll};
pub use inspector::{inspector_lines, inspector_max_scroll};
pub use mouse::hits;
pub use preview::{ImportSource, Preview};

use crate::tui::app::{App, Effect};
use crate::tui::keymap::{Action, Context};

#[derive(Debug, Clone)]
pub enum Popup {
    Help {
        scroll: u16,
        /// Which page ([`help::PAGES`]).
        page: usize,
    },
    Form(Box<Form>),
    Confirm(Confirm),
    /// The inspector of the log entry with this journal id.
    Inspector {
        key: String,
        scroll: u16,
    },
    /// The profile picker.
    Profiles {
        selected: usize,
    },
    /// Quit with requests in flight: wait for them, or abandon them.
    Quit,
    /// A batch's preview, before anything is sent.
    Preview(Box<Preview>),
    /// The window of a batch of this run.
    Batch {
        batch_id: String,
    },
    /// The playground's scenario picker.
    Scenarios {
        selected: usize,
    },
    /// The simulator's faults menu.
    Faults {
        selected: usize,
    },
    /// What to copy of the log entry with this journal id (opened from its inspector).
    Copy {
        key: String,
        selected: usize,
    },
}

impl Popup {
    /// The key table this popup reads.
    pub fn context(&self) -> Context {
        match self {
            Popup::Help { .. } => Context::Help,
            Popup::Inspector { .. } => Context::Inspector,
            Popup::Profiles { .. } => Context::Profiles,
            Popup::Quit => Context::Quit,
            Popup::Confirm(_) => Context::Confirm,
            Popup::Form(_) => Context::Form,
            Popup::Preview(_) => Context::Preview,
            Popup::Batch { .. } => Context::Batch,
            Popup::Scenarios { .. } => Context::Scenarios,
            Popup::Faults { .. } | Popup::Copy { .. } => Context::Menu,
        }
    }
}

impl App {
    /// A key while a popup is open: the popup's own table decides what it asks for.
    pub(in crate::tui) fn popup_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(popup) = self.popup.take() else {
            return Vec::new();
        };
        let action = self.settings.keymap.action_in(popup.context(), &key);
        if action == Some(Action::ForceQuit) {
            return vec![Effect::Quit];
        }
        match popup {
            Popup::Help { scroll, page } => self.help_key(action, scroll, page),
            Popup::Inspector { key, scroll } => self.inspector_key(action, key, scroll),
            Popup::Profiles { selected } => self.profiles_key(action, selected),
            Popup::Quit => self.quit_key(action),
            Popup::Confirm(confirm) => self.confirm_key(action, confirm),
            Popup::Form(form) => self.form_key(action, key, form),
            Popup::Preview(preview) => self.preview_key(action, key, preview),
            Popup::Batch { batch_id } => self.batch_key(action, batch_id),
            Popup::Scenarios { selected } => self.scenarios_key(action, selected),
            Popup::Faults { selected } => self.faults_key(action, selected),
            Popup::Copy { key, selected } => self.copy_key(action, key, selected),
        }
    }

    /// Moves a scroll position or a cursor by a navigation action (the key table in force
    /// decides which keys those are, in popups as everywhere else).
    pub(in crate::tui) fn scrolled(action: Option<Action>, at: usize, max: usize) -> Option<usize> {
        let to = match action? {
            Action::Down => at.saturating_add(1),
            Action::Up => at.saturating_sub(1),
            Action::PageDown => at.saturating_add(10),
            Action::PageUp => at.saturating_sub(10),
            Action::First => 0,
            Action::Last => max,
            _ => return None,
        };
        Some(to.min(max))
    }
}

/// Draws the open popup over the screen.
pub fn draw(app: &App, popup: &Popup, frame: &mut ratatui::Frame, area: Rect) {
    match popup {
        Popup::Help { scroll, page } => help::draw_help(app, *scroll, *page, frame, area),
        Popup::Form(form) => form::draw_form(app, form, frame, area),
        Popup::Confirm(c) => confirm::draw_confirm(app, c, frame, area),
        Popup::Inspector { key, scroll } => {
            inspector::draw_inspector(app, key, *scroll, frame, area)
        }
        Popup::Profiles { selected } => profiles::draw_profiles(app, *selected, frame, area),
        Popup::Quit => quit::draw_quit(app, frame, area),
        Popup::Preview(p) => preview::draw_preview(app, p, frame, area),
        Popup::Batch { batch_id } => batch::draw_batch(app, batch_id, frame, area),
        Popup::Scenarios { selected } => scenarios::draw_scenarios(app, *selected, frame, area),
        Popup::Faults { selected } => faults::draw_faults(app, *selected, frame, area),
        Popup::Copy { key, selected } => copy::draw_copy(app, key, *selected, frame, area),
    }
}

/// A row of a short menu: `▶` and the selection style on the chosen one, cut to `width`.
pub(super) fn menu_row(text: &str, selected: bool, width: usize) -> ratatui::text::Line<'static> {
    let (marker, style) = if selected {
        ("▶", crate::tui::theme::SELECTED)
    } else {
        (" ", ratatui::style::Style::new())
    };
    ratatui::text::Line::from(ratatui::text::Span::styled(
        crate::tui::view::text::fit(&format!("{marker} {text}"), width),
        style,
    ))
}

/// A rectangle of at most `w` x `h`, centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
