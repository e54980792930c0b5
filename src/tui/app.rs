//! The console's state and its one consumer of messages.
//!
//! `App::update` is pure: it takes a [`Message`] (a key, a paste, a resize, a backend reply,
//! a tick) and returns the [`Effect`]s the loop must carry out (send a request, quit). It
//! never performs IO, so tests drive the real App with messages and snapshot what it draws.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, Utc};
use ratatui::crossterm::event::{KeyEvent, KeyEventKind};
use tui_input::Input;

pub use super::message::{BatchUse, Effect, LoadedBatch, Message, RunBatch, SimCommand};
pub use super::settings::{CeregoSettings, HiveSettings, Settings};
use super::state::batch::{BatchView, Marks};
use super::state::requests::RequestLog;
use crate::core::model::{KnownPatron, KnownState, User};
use crate::core::op::{Op, Service};
use crate::engine::backend::RequestId;

use super::keymap::Action;
use super::popups::{Help, Inspector, Popup};
pub use super::state::Filter;
use super::state::{Fallback, FilteredList};

/// The console's two services, as tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Cerego,
    Hive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    List,
    Tags,
    Log,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    NotConfigured,
    Loading,
    Loaded,
    Failed(String),
}

/// The Cerego list as the console shows it (the users themselves are `App::known`'s).
#[derive(Debug)]
pub struct CeregoView {
    pub load: Load,
    /// The known users that pass the filter, and the selected one.
    pub list: FilteredList,
    pub tag_selected: usize,
    /// The tag the operator put the tags pane's cursor on, as (user id, tag id): while the
    /// cursor is still on it, it is the one `e` edits, even from the user list.
    pub tag_chosen: Option<(String, String)>,
    /// While the list loads: the last page received and the page count, if known.
    pub progress: Option<(u32, Option<u64>)>,
    /// Users marked for a batch (by user id).
    pub marks: Marks,
    /// The list shown at start came from the user cache of this time (kept once the
    /// refresh replaced it, so the title can say the list is current).
    pub from_cache: Option<DateTime<Utc>>,
}

#[derive(Debug)]
pub struct HiveView {
    /// The known patrons that pass the filter, and the selected one.
    pub list: FilteredList,
    pub tag_selected: usize,
    /// api_fields marked for removal on the selected patron.
    pub marked: BTreeSet<String>,
    /// Patrons marked for a batch (by patron id).
    pub marks: Marks,
}

pub struct App {
    pub settings: Settings,
    pub tab: Tab,
    pub focus: Pane,
    /// What tagdesk knows of both services (what replies mean is `core::model`'s).
    pub known: KnownState,
    pub cerego: CeregoView,
    pub hive: HiveView,
    /// Every request of this run and the journal's history (the action log).
    pub log: RequestLog,
    pub popup: Option<Popup>,
    pub status: Option<(Level, String)>,
    /// The status line's last messages, whole (`H`; `actions::messages`).
    pub messages: super::state::messages::Messages,
    pub size: (u16, u16),
    pub now: DateTime<Utc>,
    /// Animation frame for the in-flight spinner.
    pub frame: usize,
    /// The operator chose to quit once the requests in flight have their outcome.
    pub quit_when_idle: bool,
    /// The profile being switched to, while its keys are resolved.
    pub switching: Option<(String, bool)>,
    /// The batches of this run, oldest first (and earlier ones read back from the journal).
    pub batches: Vec<BatchView>,
    /// Undos the history showed that finished in earlier runs: (what was undone, by which
    /// batch, when it was started).
    pub(super) earlier_undos: Vec<(String, String, DateTime<Utc>)>,
    /// Every attempt the journal holds of each row of a batch read back (by batch id): an
    /// undo after a crash and a resume reads them all, as `tagdesk batch undo` does.
    pub(super) journaled:
        std::collections::HashMap<String, Vec<Vec<crate::engine::journal::Entry>>>,
    /// An undo asked for again after the console said it was already undone (of this id).
    pub(super) undo_again: Option<String>,
    /// The profile's batches as the journal last listed them (the batches view).
    pub listing: super::state::batches::Listing,
    /// Batch ids are `PREFIX-1`, `PREFIX-2`… instead of unique ones (tests, scripted demos).
    pub id_prefix: Option<String>,
    pub(super) batch_serial: u64,
    pub play: super::state::playground::PlayState,
    pub(super) next_id: RequestId,
    /// While the saved workspace is still being read: what this run learned of Hive patrons
    /// meanwhile, replayed onto the saved patrons when they arrive (`actions::workspace`).
    pub(super) hive_pending: Option<Vec<super::actions::Learned>>,
    /// A resume offer that waits for the known patrons (its preview predicts from them).
    pub(super) resume_waiting: Option<Box<super::actions::ResumeOffer>>,
}

/// Rows a page-up / page-down moves.
const PAGE: usize = 10;

impl App {
    /// Builds the App and the effects to run at start (loading the Cerego user list).
    pub fn new(settings: Settings, now: DateTime<Utc>) -> (Self, Vec<Effect>) {
        let mut known = KnownState::with_patrons(settings.patrons.clone());
        if settings.cerego.is_some() {
            known.cerego.begin_listing();
        }
        let cerego_load = if settings.cerego.is_some() {
            Load::Loading
        } else {
            Load::NotConfigured
        };
        let mut app = Self {
            tab: if settings.cerego.is_none() && settings.hive.is_some() {
                Tab::Hive
            } else {
                Tab::Cerego
            },
            settings,
            focus: Pane::List,
            known,
            cerego: CeregoView {
                load: cerego_load,
                list: FilteredList::new(super::actions::USER_EXACT, Fallback::First),
                tag_selected: 0,
                tag_chosen: None,
                progress: None,
                marks: Marks::default(),
                from_cache: None,
            },
            hive: HiveView {
                list: FilteredList::new(super::actions::PATRON_EXACT, Fallback::First),
                tag_selected: 0,
                marked: BTreeSet::new(),
                marks: Marks::default(),
            },
            log: RequestLog::default(),
            popup: None,
            status: None,
            messages: Default::default(),
            size: (80, 24),
            now,
            frame: 0,
            quit_when_idle: false,
            switching: None,
            batches: Vec::new(),
            listing: Default::default(),
            earlier_undos: Vec::new(),
            journaled: Default::default(),
            undo_again: None,
            id_prefix: None,
            batch_serial: 0,
            play: Default::default(),
            next_id: 1,
            hive_pending: None,
            resume_waiting: None,
        };
        app.hive_pending = app.settings.patrons_loading.then(Vec::new);
        if let Some(notice) = app.settings.keys_notice() {
            app.set_status(Level::Warn, notice);
        }
        app.refilter_hive();
        let mut effects = Vec::new();
        if let Some(c) = &app.settings.cerego {
            let op = c.listing(None);
            effects.push(app.log_and_send(op));
        }
        effects.extend(app.start_faults());
        (app, effects)
    }

    /// Requests still waiting for a reply: single ones and the rows of running batches.
    pub fn in_flight(&self) -> usize {
        self.log.in_flight() + self.batch_in_flight()
    }

    /// Puts earlier runs' journal entries at the top of the action log (a batch's rows as
    /// one line).
    pub fn load_history(&mut self, history: impl Into<crate::engine::batch::recent::Recent>) {
        let history = history.into();
        use crate::engine::batch::history::BatchState;
        self.earlier_undos = history
            .batches
            .iter()
            .filter(|b| b.state == BatchState::Finished && !b.cancelled)
            .filter_map(|b| Some((b.undo_of.clone()?, b.batch_id.clone(), b.created_at)))
            .collect();
        self.log.prepend_history(history);
    }

    /// The whole workspace, as it would be saved from scratch (O(known patrons)).
    pub fn workspace(&self) -> crate::engine::workspace::Workspace {
        crate::engine::workspace::Workspace {
            patrons: self.known.hive.patrons().to_vec(),
            cerego_lookups: self.settings.lookups.clone(),
            extent: crate::engine::workspace::Extent::Whole,
        }
    }

    /// The effect that saves what changed in the workspace since the last save, when this
    /// profile keeps one: the patrons added or changed (O(change), whatever the number of
    /// patrons known) and the look-ups (at most 20).
    pub(super) fn save_effect(&mut self) -> Option<Effect> {
        if self.patrons_loading() {
            // What a saved workspace holds is not known yet: nothing is written until it
            // is, then what this run learned is saved on top of it.
            return None;
        }
        let patrons = self.known.hive.take_changed();
        self.settings.persist.then(|| {
            Effect::Save(Box::new(crate::engine::workspace::Workspace {
                patrons,
                cerego_lookups: self.settings.lookups.clone(),
                extent: crate::engine::workspace::Extent::Changes,
            }))
        })
    }

    /// The effect that saves the whole workspace (what was known was replaced).
    pub(super) fn save_whole_effect(&mut self) -> Option<Effect> {
        if self.patrons_loading() {
            return None;
        }
        self.known.hive.take_changed();
        self.settings
            .persist
            .then(|| Effect::Save(Box::new(self.workspace())))
    }

    /// Whether the loop should send ticks (only while the spinner shows).
    pub fn needs_tick(&self) -> bool {
        self.unfinished() > 0 || self.tour_running()
    }

    /// Opens `popup` over whatever is open (the main screen's actions; a popup's own keys
    /// open another through its `Outcome`).
    pub(in crate::tui) fn open(&mut self, popup: Popup) {
        self.popup = Some(popup);
    }

    pub fn update(&mut self, message: Message) -> Vec<Effect> {
        // An action must act on the rows the filter's text names, not on those of an
        // earlier query still on screen: a search in flight lands first (see `tui::filter`).
        if self.filters_running() && self.acts_on_rows(&message) {
            self.settle_filters();
        }
        let effects = self.handle(message);
        self.sync_cerego();
        self.sync_hive();
        self.poll_filters();
        self.refresh_palette();
        effects
    }

    fn handle(&mut self, message: Message) -> Vec<Effect> {
        match message {
            // A search landed off the UI thread (`update` takes it).
            Message::Filtered => Vec::new(),
            Message::CachedUsers(cached) => {
                self.show_cached_users(*cached);
                Vec::new()
            }
            Message::Key(key) if key.kind == KeyEventKind::Release => Vec::new(),
            Message::Key(key) => self.on_key(key),
            Message::Paste(text) => {
                self.on_paste(&text);
                Vec::new()
            }
            Message::Mouse(gesture) => self.on_mouse(gesture),
            Message::Resize(w, h) => {
                self.size = (w, h);
                Vec::new()
            }
            Message::Reply(reply) => {
                let mut effects = self.on_reply(*reply);
                effects.extend(self.refresh_faults());
                // The quit dialog only asks what to do with requests in flight: once the
                // last one has its outcome the question is moot, and the operator asked to quit.
                let asked = self.quit_when_idle || matches!(self.popup, Some(Popup::Quit(_)));
                if asked && self.unfinished() == 0 {
                    effects.push(Effect::Quit);
                }
                effects
            }
            Message::Page { id, progress } => {
                let wanted = self.log.is_pending_where(id, |op| {
                    matches!(op, Op::CeregoListUsers { query: None, .. })
                });
                if wanted {
                    self.cerego.progress = Some((progress.page, progress.total_pages));
                    if let Some(total) = progress.total_count {
                        if self.known.cerego.total_count.is_none() || progress.page == 1 {
                            self.known.cerego.reserve(total);
                            self.cerego.list.reserve(total);
                        }
                        self.known.cerego.total_count = Some(total);
                    }
                    self.intake_users(progress.users);
                }
                Vec::new()
            }
            Message::Retrying { id, notice } => {
                self.log.retrying(id, notice);
                Vec::new()
            }
            Message::Batch { batch_id, progress } => {
                self.batch_progress(&batch_id, progress);
                Vec::new()
            }
            Message::BatchEnded { batch_id, report } => {
                let mut effects = self.batch_ended(&batch_id, *report);
                if self.quit_when_idle && self.unfinished() == 0 {
                    effects.push(Effect::Quit);
                }
                effects
            }
            Message::ImportRead {
                path,
                service,
                result,
            } => {
                self.import_read(path, service, result);
                Vec::new()
            }
            Message::Listed { dir, result } => {
                if let Some(Popup::Form(form)) = &mut self.popup {
                    form.complete_path(&dir, result);
                }
                Vec::new()
            }
            Message::BatchesListed { result } => {
                self.batches_listed(result);
                Vec::new()
            }
            Message::BatchLoaded {
                batch_id,
                then,
                result,
            } => self.batch_loaded(&batch_id, then, result),
            Message::PlayReady { key, result } => self.play_ready(&key, result),
            Message::Sim { command, result } => self.sim_answered(command, result),
            Message::Tick => {
                self.frame = self.frame.wrapping_add(1);
                self.tour_tick()
            }
            Message::Stop => vec![Effect::Quit],
            Message::WorkspaceLoaded { workspace, problem } => {
                self.workspace_loaded(*workspace, problem)
            }
            Message::Switching { profile, command } => {
                self.switching = Some((profile, command));
                Vec::new()
            }
            Message::SwitchFailed { profile, reason } => {
                self.switching = None;
                self.set_status(
                    Level::Error,
                    format!(
                        "Cannot switch to profile {profile}: {reason}. Still on {}.",
                        self.settings.profile
                    ),
                );
                Vec::new()
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.popup.is_some() {
            return self.popup_key(key);
        }
        if self.focused_filter_mut().editing {
            return self.filter_key(key);
        }
        let Some(action) = self.settings.keymap.action_for(&key) else {
            return Vec::new();
        };
        // A new action: what the status line said about the last one is stale now.
        if !self.quit_when_idle {
            self.status = None;
        }
        self.on_action(action)
    }

    /// The label of an action's key in the table in force ("press {} to add").
    pub fn key_label(&self, action: Action) -> &str {
        self.settings.keymap.label_for(action)
    }

    /// Why `service` cannot be used in this profile.
    pub fn unavailable(&self, service: Service) -> String {
        self.settings
            .unavailable
            .iter()
            .find(|u| u.service == service)
            .map(|u| u.reason.clone())
            .unwrap_or_else(|| format!("{} is not configured for this profile", service.name()))
    }

    fn on_action(&mut self, action: Action) -> Vec<Effect> {
        if let Err(no) = super::keymap::availability(self, action) {
            self.set_status(no.level, no.reason);
            return Vec::new();
        }
        match action {
            Action::Up => self.move_selection(-1),
            Action::Down => self.move_selection(1),
            Action::PageUp => self.move_selection(-(PAGE as i64)),
            Action::PageDown => self.move_selection(PAGE as i64),
            Action::First => self.move_selection(i64::MIN / 2),
            Action::Last => self.move_selection(i64::MAX / 2),
            Action::NextPane => self.cycle_focus(1),
            Action::PrevPane => self.cycle_focus(-1),
            Action::TabCerego => self.switch_tab(Tab::Cerego),
            Action::TabHive => self.switch_tab(Tab::Hive),
            Action::Filter => {
                // The tags pane has no filter of its own: `/` there filters the list.
                if self.focus == Pane::Tags {
                    self.focus = Pane::List;
                }
                self.focused_filter_mut().editing = true;
            }
            Action::Inspect => match self.focus {
                Pane::Log => {
                    if let Some(entry) = self.log.selected()
                        && entry.is_batch()
                    {
                        let batch_id = entry.key.clone();
                        return self.open_batch(&batch_id);
                    } else if let Some(entry) = self.log.selected() {
                        let key = entry.key.clone();
                        self.open(Popup::Inspector(Inspector::new(key)));
                    }
                }
                Pane::List => self.focus = Pane::Tags,
                _ => {}
            },
            Action::Help => self.open(Popup::Help(Help::default())),
            Action::Palette => self.open_palette(),
            Action::Messages => self.open(Popup::Messages(Default::default())),
            Action::Close if self.tour_running() => self.stop_tour(),
            Action::Close => {
                if self.quit_when_idle {
                    self.quit_when_idle = false;
                    self.set_status(Level::Info, "Staying.");
                    return Vec::new();
                }
                if self.focus == Pane::List && self.has_marks() {
                    let n = self.marks().len();
                    self.marks_mut().clear();
                    self.set_status(Level::Info, format!("Cleared {n} marks."));
                } else if self.tab == Tab::Hive
                    && !self.hive.marked.is_empty()
                    && self.focus != Pane::Log
                {
                    self.hive.marked.clear();
                } else if !self.focused_filter_mut().text().is_empty() {
                    self.focused_filter_mut().input = Input::default();
                    self.refilter_focused();
                }
            }
            Action::Quit => return self.quit(false),
            Action::ForceQuit => return self.quit(true),
            Action::Suspend => return vec![Effect::Suspend],
            Action::Add if self.has_marks() && self.focus != Pane::Log => self.batch_form(false),
            Action::Remove | Action::RemoveTyped
                if self.tab == Tab::Hive && self.has_marks() && self.focus == Pane::List =>
            {
                self.batch_form(true)
            }
            Action::Add => return self.add(),
            Action::Edit => return self.edit(),
            Action::Remove => return self.remove(),
            Action::RemoveTyped => self.remove_typed(),
            Action::Mark if self.focus == Pane::List => self.mark_row(),
            Action::Mark => self.toggle_mark(),
            Action::MarkRange => self.mark_range(),
            Action::InvertMarks => self.invert_marks(),
            Action::Import => self.import_form(),
            Action::Undo => return self.undo_selected(),
            Action::Batches => return self.batches_view(),
            Action::Open => self.open_patron(),
            Action::Refresh => return self.refresh(),
            Action::Lookup => self.lookup_form(),
            Action::SwitchProfile => self.profile_picker(),
            Action::Scenarios => self.scenario_picker(),
            Action::ResetSim => self.ask_reset_sim(),
            Action::Faults => self.faults_menu(),
            Action::TourNext => return self.tour_next(),
            Action::QuickFilter if self.focus == Pane::Log => {
                self.log.cycle_quick();
                let label = self.log.quick.label();
                let text = if label.is_empty() {
                    "Action log: every entry.".to_string()
                } else {
                    format!(
                        "Action log: {label} ({} to change).",
                        self.key_label(Action::QuickFilter)
                    )
                };
                self.set_status(Level::Info, text);
            }
            Action::QuickFilter => self.set_status(
                Level::Info,
                format!(
                    "{} filters the action log: {} to it first.",
                    self.key_label(Action::QuickFilter),
                    self.key_label(Action::NextPane)
                ),
            ),
            Action::WrapLog => self.toggle_log_wrap(),
            // The popups' own actions: the main screen's table does not read them.
            Action::Submit
            | Action::Yes
            | Action::No
            | Action::Wait
            | Action::Abandon
            | Action::Pause
            | Action::CancelBatch
            | Action::Header
            | Action::SkipInvalid
            | Action::SetMode
            | Action::Column
            | Action::NextEntry
            | Action::PrevEntry
            | Action::Copy
            | Action::Resend
            | Action::Resume => {}
        }
        Vec::new()
    }

    pub fn selected_user(&self) -> Option<User<'_>> {
        self.cerego
            .list
            .selected_index()
            .and_then(|i| self.known.cerego.get(i))
    }

    pub fn selected_patron(&self) -> Option<&KnownPatron> {
        self.hive.list.selected_item(self.known.hive.patrons())
    }

    /// The time shown for a UTC instant, in the console's zone.
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.settings.utc_offset)
    }
}
