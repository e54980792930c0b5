//! The popups: each a struct in its own file that owns its state, answers a key with an
//! [`Outcome`] and draws from its state and a [`Cx`] — the narrow, read-only view of the
//! console a popup may see (the key table, the settings, the request log, the batches,
//! what is in flight). A popup never touches the App: what should happen (stay, close,
//! open another; say something, send, run) is its outcome's, and [`App::apply`]
//! (`outcome.rs`) is the one place those consequences reach the App. An unhandled key is
//! simply `Stay`, so a popup cannot vanish because a branch forgot to put it back.
//!
//! Adding a popup: its file here (a struct implementing [`Room`], with its unit tests), a
//! line in [`popup_list!`]'s list below, its [`Context`] in `config::bindings` (unless it
//! reads an existing one, as the short menus share `Menu`), and — only when it asks the App
//! for something no popup asked for yet — a [`Do`] and its arm in [`App::apply`].

mod batch;
mod batches;
mod choose_tag;
mod confirm;
mod copy;
mod faults;
mod form;
mod help;
mod help_pages;
mod inspector;
mod messages;
mod mouse;
mod outcome;
mod palette;
mod preview;
mod profiles;
mod quit;
mod resend;
mod scenarios;
#[cfg(test)]
mod testing;

use chrono::{DateTime, FixedOffset, Utc};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

pub use batch::BatchWindow;
pub use batches::BatchesView;
pub use choose_tag::TagChooser;
pub use confirm::{Confirm, OnYes};
pub use copy::{CopyItem, CopyMenu, copy_items};
pub use faults::Faults;
pub use form::{Form, FormEvent, FormKind, edit, path_parts, tag_label, user_name};
pub use help::{Help, PAGES as HELP_PAGES, help_max_scroll};
pub use inspector::{Inspector, inspector_lines, inspector_max_scroll};
pub use messages::MessageHistory;
pub use outcome::{Do, Next, Outcome};
pub use palette::{Entry as PaletteEntry, Palette};
pub use preview::{ImportSource, Preview};
pub use profiles::Profiles;
pub use quit::Quit;
pub use scenarios::{PLAY_ALL_STEP_MS, Scenarios};

use crate::core::model::User;
use crate::tui::app::{App, Settings};
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::Hits;
use crate::tui::state::LogEntry;
use crate::tui::state::batch::BatchView;
use crate::tui::state::batches::Listing;
use crate::tui::state::playground::PlayState;
use crate::tui::state::requests::RequestLog;

/// What a popup may see of the console: read-only, and only what popups need.
pub struct Cx<'a> {
    pub settings: &'a Settings,
    /// The action log (this run's requests and the journal's history).
    pub log: &'a RequestLog,
    /// The batches of this run (and earlier ones read back from the journal).
    pub batches: &'a [BatchView],
    /// The profile's batches as the journal last listed them (the batches view).
    pub listing: &'a Listing,
    /// The playground: what was played, the simulator's faults.
    pub play: &'a PlayState,
    /// The status line's last messages (the message history).
    pub messages: &'a crate::tui::state::messages::Messages,
    /// The Cerego user selected in the list (a form shows the tag it would change).
    pub selected_user: Option<User<'a>>,
    /// The selected user is as the user cache had them: what a form on them says.
    pub cached_note: Option<String>,
    /// The terminal's size.
    pub size: (u16, u16),
    pub now: DateTime<Utc>,
    /// The spinner's frame.
    pub frame: usize,
    /// Requests waiting for their reply.
    pub in_flight: usize,
    /// Rows of running batches that have not ended yet.
    pub batch_rows_left: usize,
    /// A profile switch is under way.
    pub switching: bool,
}

impl Cx<'_> {
    /// The label of an action's key in the table in force ("press {} to add").
    pub fn key_label(&self, action: Action) -> &str {
        self.settings.keymap.label_for(action)
    }

    /// The name of an action's first key (`↑`, `enter`), for a popup's own hints.
    pub fn first_key(&self, action: Action) -> String {
        self.settings.keymap.first_key(action)
    }

    /// The log entry with this journal id: this run's or the journal's, or a batch row's.
    pub fn entry(&self, key: &str) -> Option<&LogEntry> {
        self.log
            .get(key)
            .or_else(|| self.batches.iter().find_map(|b| b.entry(key)))
    }

    pub fn batch(&self, batch_id: &str) -> Option<&BatchView> {
        self.batches.iter().find(|b| b.plan.batch_id == batch_id)
    }

    /// What quitting would leave without an outcome: requests in flight and batch rows.
    pub fn unfinished(&self) -> usize {
        self.in_flight + self.batch_rows_left
    }

    /// What an undo can name, for its words (`undo of import people.csv (3 rows, 10:02)`).
    pub fn known(&self) -> crate::tui::state::words::Known<'_> {
        crate::tui::state::words::Known {
            batches: self.batches,
            listing: self.listing,
            log: self.log,
            now: self.now,
            offset: self.settings.utc_offset,
        }
    }

    /// The time shown for a UTC instant, in the console's zone.
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.settings.utc_offset)
    }
}

/// What a click on the `n`th choice of a popup's list did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chosen {
    /// It was the selected one: take it (the popup's submit key).
    Take,
    /// It is selected now (or nothing changed).
    Selected,
}

/// A click on the `n`th choice of a picker whose selection is `selected`: a click selects,
/// a click on the selected one takes it (the second click of a double click only selects).
pub(super) fn choose(selected: &mut usize, n: usize, double: bool) -> Chosen {
    if *selected == n {
        return Chosen::Take;
    }
    if !double {
        *selected = n;
    }
    Chosen::Selected
}

/// A popup: its key table, its keys, its drawing and its mouse spots.
pub trait Room {
    /// The key table this popup reads.
    fn context(&self) -> Context;

    /// A key, as the action the popup's table makes of it (`None`: no action; a text
    /// field may still take the key itself).
    fn on_key(&mut self, action: Option<Action>, key: KeyEvent, cx: &Cx) -> Outcome;

    /// Draws the popup over the screen.
    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect);

    /// Registers the popup's spots for the mouse, from the same layout as `draw`. A popup
    /// that registers nothing takes the pointer from the screen beneath and ignores it,
    /// which is always safe.
    fn hits(&self, _cx: &Cx, _area: Rect, _hits: &mut Hits) {}

    /// A click on the `n`th choice of the popup's list.
    fn choose(&mut self, _n: usize, _double: bool) -> Chosen {
        Chosen::Selected
    }

    /// Text pasted while the popup is open (a form takes it; the others ignore it).
    fn paste(&mut self, _text: &str) {}
}

impl<T: Room + ?Sized> Room for Box<T> {
    fn context(&self) -> Context {
        (**self).context()
    }
    fn on_key(&mut self, action: Option<Action>, key: KeyEvent, cx: &Cx) -> Outcome {
        (**self).on_key(action, key, cx)
    }
    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        (**self).draw(cx, frame, area)
    }
    fn hits(&self, cx: &Cx, area: Rect, hits: &mut Hits) {
        (**self).hits(cx, area, hits)
    }
    fn choose(&mut self, n: usize, double: bool) -> Chosen {
        (**self).choose(n, double)
    }
    fn paste(&mut self, text: &str) {
        (**self).paste(text)
    }
}

/// The popup list: each variant names its room; the one dispatch over them is written here.
macro_rules! popup_list {
    ($($(#[$doc:meta])* $variant:ident($room:ty),)*) => {
        /// The open popup.
        #[derive(Debug, Clone)]
        pub enum Popup {
            $($(#[$doc])* $variant($room),)*
        }

        impl Popup {
            fn room(&self) -> &dyn Room {
                match self {
                    $(Popup::$variant(p) => p,)*
                }
            }

            fn room_mut(&mut self) -> &mut dyn Room {
                match self {
                    $(Popup::$variant(p) => p,)*
                }
            }
        }
    };
}

popup_list! {
    /// `?`: the help, in pages.
    Help(Help),
    /// A form: one input line.
    Form(Box<Form>),
    /// A question before anything changes.
    Confirm(Confirm),
    /// The inspector of one log entry.
    Inspector(Inspector),
    /// The profile picker.
    Profiles(Profiles),
    /// Quit with requests in flight: wait for them, or abandon them.
    Quit(Quit),
    /// A batch's preview, before anything is sent.
    Preview(Box<Preview>),
    /// The window of a batch (this run's, or an earlier one read back).
    Batch(BatchWindow),
    /// The profile's batches.
    Batches(BatchesView),
    /// The playground's scenario picker.
    Scenarios(Scenarios),
    /// The simulator's faults menu.
    Faults(Faults),
    /// What to copy of a log entry (opened from its inspector).
    Copy(CopyMenu),
    /// Which of a user's tags to edit.
    ChooseTag(TagChooser),
    /// `:` / `ctrl-p`: every action of the main screen, filtered as you type.
    Palette(Palette),
    /// `H`: the status line's last messages, whole.
    Messages(MessageHistory),
}

impl Popup {
    /// The key table this popup reads.
    pub fn context(&self) -> Context {
        self.room().context()
    }

    /// See [`Room::on_key`].
    pub fn on_key(&mut self, action: Option<Action>, key: KeyEvent, cx: &Cx) -> Outcome {
        self.room_mut().on_key(action, key, cx)
    }

    /// See [`Room::draw`].
    pub fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        self.room().draw(cx, frame, area)
    }

    /// See [`Room::hits`].
    pub fn hits(&self, cx: &Cx, area: Rect, hits: &mut Hits) {
        self.room().hits(cx, area, hits)
    }

    /// See [`Room::choose`].
    pub fn choose(&mut self, n: usize, double: bool) -> Chosen {
        self.room_mut().choose(n, double)
    }

    /// See [`Room::paste`].
    pub fn paste(&mut self, text: &str) {
        self.room_mut().paste(text)
    }
}

impl App {
    /// What a popup may see of the App.
    pub fn cx(&self) -> Cx<'_> {
        Cx {
            settings: &self.settings,
            log: &self.log,
            batches: &self.batches,
            listing: &self.listing,
            play: &self.play,
            messages: &self.messages,
            selected_user: self.selected_user(),
            cached_note: self
                .selected_is_cached()
                .then(|| self.cached_note())
                .flatten(),
            size: self.size,
            now: self.now,
            frame: self.frame,
            in_flight: self.in_flight(),
            batch_rows_left: self.batch_rows_left(),
            switching: self.switching.is_some(),
        }
    }

    /// A key while a popup is open: the popup's own table decides what it asks for, the
    /// popup answers with its outcome, and the App applies it.
    pub(in crate::tui) fn popup_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(context) = self.popup.as_ref().map(Popup::context) else {
            return Vec::new();
        };
        let action = self.settings.keymap.action_in(context, &key);
        if action == Some(Action::ForceQuit) {
            return vec![Effect::Quit];
        }
        let (in_flight, batch_rows_left) = (self.in_flight(), self.batch_rows_left());
        let cached_note = self
            .selected_is_cached()
            .then(|| self.cached_note())
            .flatten();
        // The popup is borrowed mutably beside the parts of the App its view reads.
        let selected_user = self
            .cerego
            .list
            .selected_index()
            .and_then(|i| self.known.cerego.get(i));
        let cx = Cx {
            settings: &self.settings,
            log: &self.log,
            batches: &self.batches,
            listing: &self.listing,
            play: &self.play,
            messages: &self.messages,
            selected_user,
            cached_note,
            size: self.size,
            now: self.now,
            frame: self.frame,
            in_flight,
            batch_rows_left,
            switching: self.switching.is_some(),
        };
        let Some(popup) = self.popup.as_mut() else {
            return Vec::new();
        };
        let outcome = popup.on_key(action, key, &cx);
        self.apply(outcome)
    }
}

use crate::tui::app::Effect;

/// Moves a scroll position or a cursor by a navigation action (the key table in force
/// decides which keys those are, in popups as everywhere else).
pub(crate) fn scrolled(action: Option<Action>, at: usize, max: usize) -> Option<usize> {
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
