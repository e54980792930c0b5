//! A list the operator filters and moves through: which items pass the filter, in which
//! order, and which one is selected. The items themselves live elsewhere (what tagdesk
//! knows is `core::model`'s; the log is the request store's), so one type serves the
//! Cerego users, the Hive patrons and the action log.

use std::marker::PhantomData;
use std::ops::Range;

use tui_input::Input;

use crate::tui::filter;

/// A list's incremental filter line.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub input: Input,
    /// The filter line has the keyboard.
    pub editing: bool,
}

impl Filter {
    pub fn text(&self) -> &str {
        self.input.value()
    }

    pub fn is_active(&self) -> bool {
        self.editing || !self.input.value().is_empty()
    }
}

/// How a list's items are filtered: the text the filter matches, and what the operator's
/// text names exactly (an exact id ranks first and is selected, so an action never lands
/// on a near-miss).
pub trait Filterable {
    /// The text the filter matches against.
    fn haystack(&self) -> String;
    /// Whether `query` (trimmed) names this item exactly.
    fn is_exactly(&self, query: &str) -> bool;
    /// Whether two items are the same one (to keep the selection across a refilter).
    fn same(&self, other: &Self) -> bool;
}

/// The visible rows (indices into the items, in order) and the selected one.
#[derive(Debug, Clone)]
pub struct FilteredList<T> {
    pub filter: Filter,
    visible: Vec<usize>,
    /// Position in `visible`.
    selected: usize,
    items: PhantomData<fn(&T)>,
}

impl<T> Default for FilteredList<T> {
    fn default() -> Self {
        Self {
            filter: Filter::default(),
            visible: Vec::new(),
            selected: 0,
            items: PhantomData,
        }
    }
}

impl<T> FilteredList<T> {
    /// Indices of the items that pass the filter, in display order.
    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    /// The selected row's position among the visible ones.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The index (into the items) of the selected row.
    pub fn selected_index(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }

    pub fn selected_item<'a>(&self, items: &'a [T]) -> Option<&'a T> {
        self.selected_index().and_then(|i| items.get(i))
    }

    /// Moves the selection by `delta` rows (clamped); returns whether it moved.
    pub fn move_by(&mut self, delta: i64) -> bool {
        if self.visible.is_empty() {
            return false;
        }
        let to = (self.selected as i64)
            .saturating_add(delta)
            .clamp(0, self.visible.len() as i64 - 1) as usize;
        let moved = to != self.selected;
        self.selected = to;
        moved
    }

    /// Selects the row showing item `index`, if it is visible; returns whether it is.
    pub fn select_index(&mut self, index: usize) -> bool {
        match self.visible.iter().position(|&i| i == index) {
            Some(pos) => {
                self.selected = pos;
                true
            }
            None => false,
        }
    }

    /// Selects the last visible row.
    pub fn select_last(&mut self) {
        self.selected = self.visible.len().saturating_sub(1);
    }

    /// Items were appended (a page of a listing): with no filter and every item shown, the
    /// new rows are appended as they are (O(new)); otherwise the caller refilters.
    pub fn extend(&mut self, new: Range<usize>) -> bool {
        if self.filter.text().trim().is_empty() && self.visible.len() == new.start {
            self.visible.extend(new);
            true
        } else {
            false
        }
    }

    /// Clears the filter (and leaves its line).
    /// Keeps only the visible rows whose item passes `keep` (a second filter on top of the
    /// text one); the selection stays on its item, else goes to the last row.
    pub fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        let selected = self.selected_index();
        self.visible.retain(|&i| keep(i));
        self.selected = selected
            .and_then(|s| self.visible.iter().position(|&i| i == s))
            .unwrap_or(self.visible.len().saturating_sub(1));
    }

    pub fn clear_filter(&mut self) {
        self.filter = Filter::default();
    }

    /// Recomputes the visible rows with `haystack` and `exact` given per item (for items
    /// whose text needs more than the item, such as the log's local times); the selection
    /// stays on the same item when it is still visible (`keep`), goes to an exact match
    /// when there is one, else to `fallback` (first or last).
    pub fn refilter_with(
        &mut self,
        len: usize,
        haystack: impl Fn(usize) -> String,
        exact: impl Fn(usize, &str) -> bool,
        keep: Option<usize>,
        fallback: Fallback,
    ) {
        let query = self.filter.text().trim().to_string();
        if query.is_empty() {
            self.visible = (0..len).collect();
        } else {
            let hay: Vec<String> = (0..len).map(&haystack).collect();
            self.visible = filter::ranked(self.filter.text(), &hay, |i| exact(i, &query));
        }
        let exact_first =
            !query.is_empty() && self.visible.first().is_some_and(|&i| exact(i, &query));
        let kept = keep.and_then(|k| self.visible.iter().position(|&i| i == k));
        self.selected = match (exact_first, kept) {
            (true, _) => 0,
            (false, Some(pos)) => pos,
            (false, None) => match fallback {
                Fallback::First => 0,
                Fallback::Last => self.visible.len().saturating_sub(1),
            },
        };
    }
}

/// Where the selection goes when the selected item is filtered out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    First,
    Last,
}

impl<T: Filterable> FilteredList<T> {
    /// Recomputes the visible rows after the filter or the items changed.
    pub fn refilter(&mut self, items: &[T]) {
        let keep = self
            .selected_item(items)
            .and_then(|sel| items.iter().position(|i| i.same(sel)));
        self.refilter_with(
            items.len(),
            |i| items[i].haystack(),
            |i, q| items[i].is_exactly(q),
            keep,
            Fallback::First,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Row(&'static str);

    impl Filterable for Row {
        fn haystack(&self) -> String {
            self.0.to_string()
        }
        fn is_exactly(&self, query: &str) -> bool {
            self.0 == query
        }
        fn same(&self, other: &Self) -> bool {
            self.0 == other.0
        }
    }

    const ROWS: [Row; 4] = [Row("adam"), Row("bea"), Row("ada"), Row("grace")];

    fn typed(list: &mut FilteredList<Row>, text: &str) {
        list.filter.input = Input::new(text.to_string());
        list.refilter(&ROWS);
    }

    #[test]
    fn an_exact_match_ranks_first_and_is_selected() {
        let mut list = FilteredList::default();
        list.refilter(&ROWS);
        assert_eq!(list.visible(), [0, 1, 2, 3]);
        typed(&mut list, "ada");
        assert_eq!(list.visible(), [2, 0], "exact first, then the near-miss");
        assert_eq!(list.selected_item(&ROWS).map(|r| r.0), Some("ada"));
    }

    #[test]
    fn the_selection_stays_on_its_item_across_filters() {
        let mut list = FilteredList::default();
        list.refilter(&ROWS);
        list.move_by(3);
        assert_eq!(list.selected_item(&ROWS).map(|r| r.0), Some("grace"));
        typed(&mut list, "a");
        assert_eq!(list.selected_item(&ROWS).map(|r| r.0), Some("grace"));
        typed(&mut list, "zzz");
        assert_eq!(list.selected_item(&ROWS).map(|r| r.0), None);
        assert!(!list.move_by(1), "an empty list does not move");
        typed(&mut list, "");
        assert_eq!(list.selected(), 0, "a lost selection goes to the first row");
    }

    #[test]
    fn moving_clamps_and_appending_keeps_the_order() {
        let mut list: FilteredList<Row> = FilteredList::default();
        assert!(list.extend(0..2));
        assert!(list.move_by(10));
        assert_eq!(list.selected(), 1);
        assert!(!list.move_by(1));
        assert!(list.move_by(-5));
        assert_eq!(list.selected(), 0);
        assert!(list.extend(2..4));
        assert_eq!(list.visible(), [0, 1, 2, 3]);
        list.filter.input = Input::new("a".into());
        assert!(!list.extend(4..5), "a filtered list is refiltered instead");
    }
}
