//! Moving around: tabs, panes, the selection, and the filters.

use ratatui::crossterm::event::KeyEvent;
use tui_input::Input;

use crate::core::model::KnownPatron;
use crate::core::op::cerego::CeregoUser;
use crate::tui::app::{App, Effect, Pane, Tab};
use crate::tui::keymap::{Action, Context};
use crate::tui::state::{Filter, Filterable};

impl App {
    pub(in crate::tui) fn switch_tab(&mut self, tab: Tab) {
        self.tab = tab;
        if self.focus == Pane::Tags {
            self.focus = Pane::List;
        }
    }

    pub(in crate::tui) fn cycle_focus(&mut self, step: i32) {
        let order = [Pane::List, Pane::Tags, Pane::Log];
        let i = order.iter().position(|p| *p == self.focus).unwrap_or(0) as i32;
        self.focus = order[(i + step).rem_euclid(order.len() as i32) as usize];
    }

    pub(in crate::tui) fn move_selection(&mut self, delta: i64) {
        fn step(current: usize, len: usize, delta: i64) -> usize {
            if len == 0 {
                return 0;
            }
            (current as i64)
                .saturating_add(delta)
                .clamp(0, len as i64 - 1) as usize
        }
        match (self.focus, self.tab) {
            (Pane::Log, _) => {
                self.log.list.move_by(delta);
            }
            (Pane::List, Tab::Cerego) => {
                if self.cerego.list.move_by(delta) {
                    self.cerego.tag_selected = 0;
                }
            }
            (Pane::List, Tab::Hive) => {
                if self.hive.list.move_by(delta) {
                    self.hive.tag_selected = 0;
                    self.hive.marked.clear();
                }
            }
            (Pane::Tags, Tab::Cerego) => {
                let len = self.selected_user().map(|u| u.tags.len()).unwrap_or(0);
                self.cerego.tag_selected = step(self.cerego.tag_selected, len, delta);
            }
            (Pane::Tags, Tab::Hive) => {
                let len = self.selected_patron().map(|p| p.tags.len()).unwrap_or(0);
                self.hive.tag_selected = step(self.hive.tag_selected, len, delta);
            }
        }
    }

    /// The filter of the current tab's list.
    pub fn current_filter_mut(&mut self) -> &mut Filter {
        match self.tab {
            Tab::Cerego => &mut self.cerego.list.filter,
            Tab::Hive => &mut self.hive.list.filter,
        }
    }

    /// The filter `/` edits: the action log's when the log has the keyboard, else the list's.
    pub fn focused_filter_mut(&mut self) -> &mut Filter {
        if self.focus == Pane::Log {
            &mut self.log.list.filter
        } else {
            self.current_filter_mut()
        }
    }

    pub(in crate::tui) fn refilter_focused(&mut self) {
        if self.focus == Pane::Log {
            self.log.refilter();
        } else {
            self.refilter();
        }
    }

    /// A key while a filter line has the keyboard: its actions (close clears, submit,
    /// down or next pane keep the filter and leave the line), or text.
    pub(in crate::tui) fn filter_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match self.settings.keymap.action_in(Context::Filter, &key) {
            Some(Action::ForceQuit) => return vec![Effect::Quit],
            Some(Action::Close) => {
                let f = self.focused_filter_mut();
                f.editing = false;
                f.input = Input::default();
                self.refilter_focused();
            }
            Some(_) => self.focused_filter_mut().editing = false,
            None => {
                if crate::tui::popups::edit(&mut self.focused_filter_mut().input, key) {
                    self.refilter_focused();
                }
            }
        }
        Vec::new()
    }

    /// Recomputes the visible rows of the current tab's list after its filter changed.
    pub(in crate::tui) fn refilter(&mut self) {
        match self.tab {
            Tab::Cerego => self.refilter_cerego(),
            Tab::Hive => self.refilter_hive(),
        }
    }

    /// The rows of the Cerego list that pass the filter (see `Filterable for CeregoUser`).
    pub(in crate::tui) fn refilter_cerego(&mut self) {
        self.cerego.list.refilter(self.known.cerego.users());
        self.cerego.tag_selected = 0;
    }

    pub(in crate::tui) fn refilter_hive(&mut self) {
        let keep = self.selected_patron().map(|p| p.id.clone());
        self.hive.list.refilter(self.known.hive.patrons());
        self.hive.tag_selected = 0;
        // Marks belong to the patron they were made on.
        if self.selected_patron().map(|p| &p.id) != keep.as_ref() {
            self.hive.marked.clear();
        }
    }
}

/// The Cerego list filters on name, email, user id and member id; an exact id, member id
/// or email (any case) ranks first and is selected, so `e` never edits a near-miss.
impl Filterable for CeregoUser {
    fn haystack(&self) -> String {
        format!(
            "{} {} {} {}",
            self.name.as_deref().unwrap_or(""),
            self.email.as_deref().unwrap_or(""),
            self.id,
            self.member_id.as_deref().unwrap_or("")
        )
    }

    fn is_exactly(&self, query: &str) -> bool {
        let query = query.to_lowercase();
        let same = |v: &Option<String>| v.as_deref().is_some_and(|v| v.to_lowercase() == query);
        self.id == query || same(&self.member_id) || same(&self.email)
    }

    fn same(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// The patron list filters on the patron id; the exact id ranks first.
impl Filterable for KnownPatron {
    fn haystack(&self) -> String {
        self.id.to_string()
    }

    fn is_exactly(&self, query: &str) -> bool {
        self.id.as_str() == query
    }

    fn same(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
