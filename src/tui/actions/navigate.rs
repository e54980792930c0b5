//! Moving around: tabs, panes, the selection, and the filters.

use ratatui::crossterm::event::KeyEvent;
use tui_input::Input;

use crate::tui::app::{App, Effect, Pane, Tab};
use crate::tui::keymap::{Action, Context};
use crate::tui::state::Filter;

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

    /// `w`: the action log shows each entry whole (wrapped) or one line each; the selected
    /// entry stays on screen either way.
    pub(in crate::tui) fn toggle_log_wrap(&mut self) {
        self.log.wrap = !self.log.wrap;
        let key = self.key_label(Action::WrapLog);
        let text = if self.log.wrap {
            format!("Action log: each entry whole, wrapped ({key}: one line each).")
        } else {
            format!("Action log: one line each ({key}: each entry whole).")
        };
        self.set_status(crate::tui::app::Level::Info, text);
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
                self.cerego.tag_chosen = self.selected_user().and_then(|u| {
                    let tag = u.tags.get(self.cerego.tag_selected)?;
                    Some((u.id.to_string(), tag.id.to_string()))
                });
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

    /// The focused filter's text changed: its list searches again (in the background for a
    /// large list; see `tui::filter`).
    pub(in crate::tui) fn refilter_focused(&mut self) {
        if self.focus == Pane::Log {
            self.log.list.refresh();
            if !self.log.list.is_filtering() {
                self.log.searched();
            }
        } else {
            self.refilter();
        }
    }

    /// Pasted text: the open popup's, else the filter line being typed in (on one line).
    pub(in crate::tui) fn on_paste(&mut self, text: &str) {
        match &mut self.popup {
            Some(popup) => popup.paste(text),
            None => {
                let flat: String = text
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                let filter = self.focused_filter_mut();
                if filter.editing {
                    let value = format!("{}{}", filter.input.value(), flat);
                    filter.input = Input::new(value);
                    self.refilter_focused();
                }
            }
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

    /// The Cerego list after its filter or its users changed; the tags pane goes back to
    /// its first row.
    pub(in crate::tui) fn refilter_cerego(&mut self) {
        self.sync_cerego();
        self.cerego.list.refresh();
        self.cerego.tag_selected = 0;
    }

    pub(in crate::tui) fn refilter_hive(&mut self) {
        let keep = self.selected_patron().map(|p| p.id.clone());
        self.sync_hive();
        self.hive.list.refresh();
        self.hive.tag_selected = 0;
        // Marks belong to the patron they were made on.
        if self.selected_patron().map(|p| &p.id) != keep.as_ref() {
            self.hive.marked.clear();
        }
    }
}
