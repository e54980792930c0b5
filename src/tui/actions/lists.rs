//! The three lists (Cerego users, Hive patrons, the action log) kept in step with what is
//! known: each item's filter text is written once, when the item arrives or changes, and a
//! filter's search runs off the UI thread when the list is large (see `tui::filter`).

use crate::core::model::{KnownPatron, User};
use crate::tui::app::{App, Message, Pane, Tab};
use crate::tui::filter::{Exact, SEP, Waker};

/// The Cerego list filters on name, email, user id and member id; an exact id, member id
/// or email (any case) ranks first and is selected, so `e` never edits a near-miss.
pub const USER_EXACT: Exact = Exact {
    fields: &[1, 2, 3],
    ignore_case: true,
};

/// The patron list filters on the patron id; the exact id ranks first.
pub const PATRON_EXACT: Exact = Exact {
    fields: &[0],
    ignore_case: false,
};

/// A user's filter text: name, email, id, member id.
pub fn user_haystack(u: &User<'_>, out: &mut String) {
    out.push_str(u.name.unwrap_or(""));
    out.push(SEP);
    out.push_str(u.email.unwrap_or(""));
    out.push(SEP);
    out.push_str(u.id);
    out.push(SEP);
    out.push_str(u.member_id.unwrap_or(""));
}

pub(super) fn patron_haystack(p: &KnownPatron, out: &mut String) {
    out.push_str(p.id.as_str());
}

impl App {
    /// Brings the user list in step with the known users: new users are appended (and
    /// matched, when a filter is active), changed ones rewritten; when users left, the list
    /// starts over. O(what changed).
    pub(in crate::tui) fn sync_cerego(&mut self) {
        let changes = self.known.cerego.take_changes();
        let users = &self.known.cerego;
        let list = &mut self.cerego.list;
        let before = list.selected_index();
        if let Some(moved) = &changes.moved {
            // A complete listing removed or reordered users: the selection, the rows shown
            // until the filter's search lands, and the marks stay on the same users; marks
            // of users who left go with them.
            let to = |i: usize| {
                moved
                    .get(i)
                    .filter(|&&m| m != u32::MAX)
                    .map(|&m| m as usize)
            };
            let write = |i: usize, s: &mut String| {
                if let Some(u) = users.get(i) {
                    user_haystack(&u, s)
                }
            };
            list.rebuild_moved(users.len(), write, before.and_then(to), moved);
            let marks = &mut self.cerego.marks;
            marks.ids.retain(|id| users.position(id).is_some());
            marks.anchor = marks.anchor.and_then(to);
        } else if changes.reset || users.len() < list.len() {
            let keep = before.filter(|&i| i < users.len());
            list.rebuild(
                users.len(),
                |i, s| {
                    if let Some(u) = users.get(i) {
                        user_haystack(&u, s)
                    }
                },
                keep,
            );
        } else {
            for i in changes.replaced {
                if let Some(u) = users.get(i).filter(|_| i < list.len()) {
                    list.replace(i, |s| user_haystack(&u, s));
                }
            }
            for i in list.len()..users.len() {
                if let Some(u) = users.get(i) {
                    list.push(|s| user_haystack(&u, s));
                }
            }
        }
        if list.selected_index() != before {
            self.cerego.tag_selected = 0;
        }
    }

    /// Brings the patron list in step with the known patrons (who only ever arrive).
    pub(in crate::tui) fn sync_hive(&mut self) {
        let patrons = self.known.hive.patrons();
        let list = &mut self.hive.list;
        let before = list.selected_index();
        if patrons.len() < list.len() {
            list.rebuild(patrons.len(), |i, s| patron_haystack(&patrons[i], s), None);
        } else {
            for p in &patrons[list.len()..] {
                list.push(|s| patron_haystack(p, s));
            }
        }
        if list.selected_index() != before {
            self.hive.tag_selected = 0;
            // Marks belong to the patron they were made on.
            self.hive.marked.clear();
        }
    }

    /// What is known was replaced whole (a simulator reset): both lists start over.
    pub(in crate::tui) fn reset_lists(&mut self) {
        self.known.cerego.take_changes();
        let users = &self.known.cerego;
        self.cerego.list.rebuild(
            users.len(),
            |i, s| {
                if let Some(u) = users.get(i) {
                    user_haystack(&u, s)
                }
            },
            None,
        );
        let patrons = self.known.hive.patrons();
        self.hive
            .list
            .rebuild(patrons.len(), |i, s| patron_haystack(&patrons[i], s), None);
    }

    /// Whether a message may act on the selected row (a key or a click outside the filter
    /// line).
    pub(in crate::tui) fn acts_on_rows(&self, message: &Message) -> bool {
        let editing = match self.focus {
            Pane::Log => self.log.list.filter.editing,
            _ => match self.tab {
                Tab::Cerego => self.cerego.list.filter.editing,
                Tab::Hive => self.hive.list.filter.editing,
            },
        };
        match message {
            Message::Key(_) | Message::Paste(_) => !editing || self.popup.is_some(),
            Message::Mouse(_) => true,
            _ => false,
        }
    }

    /// Whether a filter's search is still running (its list shows the previous rows).
    pub fn filters_running(&self) -> bool {
        self.cerego.list.is_filtering()
            || self.hive.list.is_filtering()
            || self.log.list.is_filtering()
    }

    /// Shows the searches that have landed; returns whether a list changed.
    pub(in crate::tui) fn poll_filters(&mut self) -> bool {
        let before = (
            self.cerego.list.selected_index(),
            self.hive.list.selected_index(),
        );
        let cerego = self.cerego.list.poll();
        let hive = self.hive.list.poll();
        let log = self.log.list.poll();
        self.after_search(before, log);
        cerego || hive || log
    }

    /// Waits for every search in flight and shows its rows (before an action that acts on
    /// the selection, and in tests).
    pub fn settle_filters(&mut self) {
        let before = (
            self.cerego.list.selected_index(),
            self.hive.list.selected_index(),
        );
        self.cerego.list.settle();
        self.hive.list.settle();
        let log = self.log.list.settle();
        self.after_search(before, log);
    }

    fn after_search(&mut self, (user, patron): (Option<usize>, Option<usize>), log: bool) {
        if self.cerego.list.selected_index() != user {
            self.cerego.tag_selected = 0;
        }
        if self.hive.list.selected_index() != patron {
            self.hive.tag_selected = 0;
            self.hive.marked.clear();
        }
        if log {
            self.log.searched();
        }
    }

    /// Who the lists wake when a search lands off the UI thread (the event loop).
    pub fn set_filter_waker(&mut self, waker: Option<Waker>) {
        self.cerego.list.set_waker(waker.clone());
        self.hive.list.set_waker(waker.clone());
        self.log.list.set_waker(waker);
    }

    /// Searches of up to `rows` rows run at once in the UI thread (0: every search runs in
    /// the background, as for a large list; for tests and benchmarks).
    pub fn set_filter_inline_rows(&mut self, rows: usize) {
        self.cerego.list.set_inline_rows(rows);
        self.hive.list.set_inline_rows(rows);
        self.log.list.set_inline_rows(rows);
    }
}
