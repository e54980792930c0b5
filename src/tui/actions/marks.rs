//! Marking rows of the user or patron list for a batch: space marks and moves down, `v`
//! marks a range, `*` inverts the marks of the rows shown, Esc clears; `a` / `d` with marks
//! ask once what every marked row gets.

use crate::tui::app::{App, Level, Tab};
use crate::tui::popups::{Form, FormKind, Popup};
use crate::tui::state::batch::Marks;

impl App {
    /// The marks of the tab's list.
    pub(in crate::tui) fn marks(&self) -> &Marks {
        match self.tab {
            Tab::Cerego => &self.cerego.marks,
            Tab::Hive => &self.hive.marks,
        }
    }

    pub(in crate::tui) fn marks_mut(&mut self) -> &mut Marks {
        match self.tab {
            Tab::Cerego => &mut self.cerego.marks,
            Tab::Hive => &mut self.hive.marks,
        }
    }

    pub(in crate::tui) fn has_marks(&self) -> bool {
        !self.marks().is_empty()
    }

    /// The ids of the tab's list, item by item (patron ids or user ids).
    fn list_id(&self, index: usize) -> Option<String> {
        match self.tab {
            Tab::Cerego => self.known.cerego.get(index).map(|u| u.id.to_string()),
            Tab::Hive => self
                .known
                .hive
                .patrons()
                .get(index)
                .map(|p| p.id.to_string()),
        }
    }

    fn list_selected_index(&self) -> Option<usize> {
        match self.tab {
            Tab::Cerego => self.cerego.list.selected_index(),
            Tab::Hive => self.hive.list.selected_index(),
        }
    }

    fn list_visible(&self) -> Vec<usize> {
        match self.tab {
            Tab::Cerego => self.cerego.list.visible().to_vec(),
            Tab::Hive => self.hive.list.visible().to_vec(),
        }
    }

    fn marks_said(&mut self) {
        let n = self.marks().len();
        let noun = match self.tab {
            Tab::Cerego => "user",
            Tab::Hive => "patron",
        };
        self.set_status(
            Level::Info,
            format!(
                "{n} {noun}{} marked: {} acts on every marked one; {} clears.",
                if n == 1 { "" } else { "s" },
                self.key_label(crate::tui::keymap::Action::Add),
                self.key_label(crate::tui::keymap::Action::Close)
            ),
        );
    }

    /// Space in the list: marks or unmarks the selected row, then moves down.
    pub(in crate::tui) fn mark_row(&mut self) {
        let Some(id) = self.list_selected_index().and_then(|i| self.list_id(i)) else {
            return;
        };
        self.marks_mut().toggle(&id);
        self.move_selection(1);
        self.marks_said();
    }

    /// `v`: the first press notes where the range starts, the second marks every row shown
    /// between there and here.
    pub(in crate::tui) fn mark_range(&mut self) {
        let Some(here) = self.list_selected_index() else {
            return;
        };
        match self.marks_mut().anchor.take() {
            None => {
                self.marks_mut().anchor = Some(here);
                self.set_status(
                    Level::Info,
                    format!(
                        "Range started: move to its other end and press {} again.",
                        self.key_label(crate::tui::keymap::Action::MarkRange)
                    ),
                );
            }
            Some(anchor) => {
                let visible = self.list_visible();
                let (a, b) = (
                    visible.iter().position(|&i| i == anchor),
                    visible.iter().position(|&i| i == here),
                );
                let (Some(a), Some(b)) = (a, b) else {
                    self.set_status(Level::Warn, "The range's start is no longer shown.");
                    return;
                };
                let ids: Vec<String> = visible[a.min(b)..=a.max(b)]
                    .iter()
                    .filter_map(|&i| self.list_id(i))
                    .collect();
                self.marks_mut().ids.extend(ids);
                self.marks_said();
            }
        }
    }

    /// `*`: the rows shown that were marked are unmarked, the others marked.
    pub(in crate::tui) fn invert_marks(&mut self) {
        let ids: Vec<String> = self
            .list_visible()
            .into_iter()
            .filter_map(|i| self.list_id(i))
            .collect();
        for id in ids {
            self.marks_mut().toggle(&id);
        }
        self.marks_said();
    }

    /// `a` / `d` with marks: the form for what every marked row gets.
    pub(in crate::tui) fn batch_form(&mut self, remove: bool) {
        let count = self.marks().len();
        let kind = match self.tab {
            Tab::Hive => FormKind::HiveBatch { remove, count },
            Tab::Cerego => FormKind::CeregoBatch {
                count,
                type_index: 0,
            },
        };
        self.open(Popup::Form(Box::new(Form::new(kind, ""))));
    }
}
