//! A list the operator filters and moves through: which items pass the filter, in which
//! order, and which one is selected. The items themselves live elsewhere (what tagdesk
//! knows is `core::model`'s; the log is the request store's): the list keeps each item's
//! haystack (the text the filter matches, written once when the item arrives) and the
//! visible rows, so one type serves the Cerego users, the Hive patrons and the action log.
//!
//! Filtering runs off the UI thread for a large list (see `tui::filter`): a keystroke
//! starts a search and returns; the list shows the previous rows until the search lands
//! ([`FilteredList::poll`]), or until the App needs the answer at once
//! ([`FilteredList::settle`]). Items appended while a filter is active are matched as they
//! arrive (O(page)).

use std::sync::Arc;

use tui_input::Input;

use crate::tui::filter::{
    self, Exact, Haystacks, INLINE_ROWS, Outcome, Query, RowMatcher, Running, Spec, Verdict, Waker,
};

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

/// Where the selection goes when the selected item is filtered out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    First,
    Last,
}

/// What a search in flight will do once it lands.
#[derive(Debug)]
struct Pending {
    job: Running,
    query: Query,
    /// A new query: the item to keep selected. None: rows appended since the last one.
    keep: Option<Option<usize>>,
}

/// The visible rows (indices into the items, in order) and the selected one.
pub struct FilteredList {
    pub filter: Filter,
    hay: Haystacks,
    exact: Exact,
    fallback: Fallback,
    /// The query the visible rows answer (None: no filter, every item shows).
    shown: Option<Query>,
    visible: Arc<Vec<usize>>,
    /// The first `exact_count` visible rows name the query exactly.
    exact_count: usize,
    /// Items `0..covered` are decided for `shown`.
    covered: usize,
    /// Position in `visible`.
    selected: usize,
    /// Whether `visible` is exactly the query's answer (not trimmed by [`Self::retain`]),
    /// so a longer query may search only these rows.
    narrowable: bool,
    pending: Option<Pending>,
    /// Items replaced while a search ran: checked again when it lands.
    dirty: Vec<usize>,
    matcher: RowMatcher,
    inline_rows: usize,
    waker: Option<Waker>,
}

impl Default for FilteredList {
    fn default() -> Self {
        Self::new(Exact::NONE, Fallback::First)
    }
}

impl std::fmt::Debug for FilteredList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilteredList")
            .field("filter", &self.filter.text())
            .field("items", &self.hay.len())
            .field("visible", &self.visible.len())
            .field("selected", &self.selected)
            .field("filtering", &self.pending.is_some())
            .finish()
    }
}

impl FilteredList {
    /// An empty list whose items `exact` names (see `tui::filter::Exact`).
    pub fn new(exact: Exact, fallback: Fallback) -> Self {
        Self {
            filter: Filter::default(),
            hay: Haystacks::default(),
            exact,
            fallback,
            shown: None,
            visible: Arc::new(Vec::new()),
            exact_count: 0,
            covered: 0,
            selected: 0,
            narrowable: true,
            pending: None,
            dirty: Vec::new(),
            matcher: RowMatcher::default(),
            inline_rows: INLINE_ROWS,
            waker: None,
        }
    }

    /// Indices of the items that pass the filter, in display order.
    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    /// How many items the list holds (filtered or not).
    pub fn len(&self) -> usize {
        self.hay.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hay.is_empty()
    }

    /// The selected row's position among the visible ones.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The index (into the items) of the selected row.
    pub fn selected_index(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }

    pub fn selected_item<'a, T>(&self, items: &'a [T]) -> Option<&'a T> {
        self.selected_index().and_then(|i| items.get(i))
    }

    /// Whether a search is still running (the visible rows answer an earlier query).
    pub fn is_filtering(&self) -> bool {
        self.pending.is_some()
    }

    /// Who to wake when a search lands off the UI thread.
    pub fn set_waker(&mut self, waker: Option<Waker>) {
        self.waker = waker;
    }

    /// Room for `items` in all (a listing's total): the visible rows grow once, early.
    pub fn reserve(&mut self, items: u64) {
        let more = (items.min(2_000_000) as usize).saturating_sub(self.hay.len());
        if self.shown.is_none() {
            Arc::make_mut(&mut self.visible).reserve(more);
        }
    }

    /// Searches of up to this many rows run at once in the UI thread (tests set 0 to run
    /// every search in the background).
    pub fn set_inline_rows(&mut self, rows: usize) {
        self.inline_rows = rows;
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

    /// The position among the visible rows of item `index`, if it is visible.
    fn position_of(&self, index: usize) -> Option<usize> {
        if self.shown.is_none() && self.narrowable {
            // Every item shows, in order.
            return (self.visible.get(index) == Some(&index)).then_some(index);
        }
        if self.narrowable {
            // Both parts are in list order.
            let (exact, rest) = self
                .visible
                .split_at(self.exact_count.min(self.visible.len()));
            if let Ok(p) = exact.binary_search(&index) {
                return Some(p);
            }
            if let Ok(p) = rest.binary_search(&index) {
                return Some(exact.len() + p);
            }
            return None;
        }
        self.visible.iter().position(|&i| i == index)
    }

    /// Selects the row showing item `index`, if it is visible; returns whether it is.
    pub fn select_index(&mut self, index: usize) -> bool {
        match self.position_of(index) {
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

    /// Keeps only the visible rows whose item passes `keep` (a second filter on top of the
    /// text one); the selection stays on its item, else goes to the last row.
    pub fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        let selected = self.selected_index();
        let exact: Vec<usize> = self.visible[..self.exact_count.min(self.visible.len())]
            .iter()
            .copied()
            .filter(|&i| keep(i))
            .collect();
        self.exact_count = exact.len();
        Arc::make_mut(&mut self.visible).retain(|&i| keep(i));
        self.narrowable = false;
        self.selected = selected
            .and_then(|s| self.visible.iter().position(|&i| i == s))
            .unwrap_or(self.visible.len().saturating_sub(1));
    }

    /// Clears the filter (and leaves its line); every item shows again.
    pub fn clear_filter(&mut self) {
        self.filter = Filter::default();
        self.refresh();
    }

    // ---------------------------------------------------------------------------------
    // The items.
    // ---------------------------------------------------------------------------------

    /// An item was appended; `write` writes its haystack. With a filter shown it is
    /// matched now (O(1)); while a search runs it is checked when that lands.
    pub fn push(&mut self, write: impl FnOnce(&mut String)) {
        let index = self.hay.len();
        self.hay.push_with(write);
        if self.pending.is_some() {
            if self.shown.is_none() {
                // The unfiltered rows shown meanwhile grow as before.
                Arc::make_mut(&mut self.visible).push(index);
            }
            return;
        }
        match &self.shown {
            None => {
                Arc::make_mut(&mut self.visible).push(index);
                self.covered = index + 1;
            }
            Some(_) if self.covered == index => self.decide(index),
            Some(_) => {}
        }
    }

    /// Item `index` changed; `write` writes its new haystack.
    pub fn replace(&mut self, index: usize, write: impl FnOnce(&mut String)) {
        if !self.hay.replace_with(index, write) {
            return;
        }
        // The search in flight read the old text: the item is checked again when it lands.
        // The rows shown meanwhile follow now (a longer query may start from them).
        if self.pending.is_some() {
            self.dirty.push(index);
        }
        if self.shown.is_some() && index < self.covered {
            self.forget(index);
            self.place(index);
        }
    }

    /// Every item changed (they were replaced, or some left): `write(i, out)` writes item
    /// `i`'s haystack; `keep` is the item to keep selected.
    pub fn rebuild(
        &mut self,
        items: usize,
        mut write: impl FnMut(usize, &mut String),
        keep: Option<usize>,
    ) {
        self.pending = None;
        self.dirty.clear();
        self.hay.clear();
        for i in 0..items {
            self.hay.push_with(|s| write(i, s));
        }
        self.shown = None;
        // Until a search lands, the old rows would point at the wrong items.
        self.visible = Arc::new(Vec::new());
        self.exact_count = 0;
        self.start(self.filter.text().to_string(), keep, false);
    }

    /// [`Self::rebuild`] after the items moved (`moved`: each old position's new one,
    /// `u32::MAX` for an item gone): until the filter's search lands, the rows shown are
    /// the old ones where they moved to, so the screen never blanks meanwhile.
    pub fn rebuild_moved(
        &mut self,
        items: usize,
        write: impl FnMut(usize, &mut String),
        keep: Option<usize>,
        moved: &[u32],
    ) {
        let old = self.visible.clone();
        self.rebuild(items, write, keep);
        if self.pending.is_none() {
            return;
        }
        let shown: Vec<usize> = old
            .iter()
            .filter_map(|&i| moved.get(i).filter(|&&m| m != u32::MAX))
            .map(|&m| m as usize)
            .collect();
        self.selected = keep
            .and_then(|k| shown.iter().position(|&i| i == k))
            .unwrap_or(0);
        self.visible = Arc::new(shown);
        self.narrowable = false;
    }

    /// Searches every item again for the filter's text (a second filter on top changed).
    pub fn research(&mut self) {
        let keep = self.selected_index();
        self.shown = None;
        self.start(self.filter.text().to_string(), keep, false);
    }

    /// The filter's text changed: shows its rows (at once for a small list, else when the
    /// search lands). The selection stays on its item when it still shows, goes to an exact
    /// match when there is one, else to the first (or last) row.
    pub fn refresh(&mut self) {
        let text = self.filter.text();
        let target = match &self.pending {
            Some(p) => Some(p.query.text.as_str()),
            None => self.shown.as_ref().map(|q| q.text.as_str()),
        };
        let same = match target {
            Some(t) => t == text,
            None => text.trim().is_empty(),
        };
        if same {
            return;
        }
        if self.shown.as_ref().is_some_and(|s| s.text == text) {
            // Back to the query shown (a character typed, then erased): nothing to search.
            self.pending = None;
            self.dirty.clear();
            self.catch_up();
            return;
        }
        let keep = self.selected_index();
        self.start(text.to_string(), keep, true);
    }

    fn start(&mut self, text: String, keep: Option<usize>, may_narrow: bool) {
        self.pending = None;
        self.dirty.clear();
        if text.trim().is_empty() {
            self.shown = None;
            self.visible = Arc::new((0..self.hay.len()).collect());
            self.exact_count = 0;
            self.covered = self.hay.len();
            self.narrowable = true;
            self.select_after(keep, false);
            return;
        }
        let query = Query::parse(&text);
        let narrow = may_narrow
            && self.narrowable
            && self.shown.as_ref().is_some_and(|s| s.narrows_to(&text));
        let spec = Spec {
            query: query.clone(),
            exact: self.exact,
            hay: self.hay.clone(),
            base: None,
            recheck: narrow.then(|| (self.visible.clone(), self.exact_count)),
            from: if narrow { self.covered } else { 0 },
        };
        self.launch(spec, query, Some(keep));
    }

    /// Runs `spec` here when it is small, else in the background.
    fn launch(&mut self, spec: Spec, query: Query, keep: Option<Option<usize>>) {
        if spec.rows() > self.inline_rows
            && let Some(job) = Running::start(spec.clone(), self.waker.clone())
        {
            self.pending = Some(Pending { job, query, keep });
            return;
        }
        let outcome = filter::run_here(&spec);
        self.land(query, outcome, keep);
    }

    /// A search's outcome becomes the visible rows.
    fn land(&mut self, query: Query, outcome: Outcome, keep: Option<Option<usize>>) {
        let had_exact = self.exact_count > 0;
        let selected = self.selected_index();
        self.shown = Some(query);
        self.visible = Arc::new(outcome.visible);
        self.exact_count = outcome.exact_count;
        self.covered = outcome.covered;
        self.narrowable = true;
        match keep {
            Some(keep) => self.select_after(keep, true),
            None => self.select_after(selected, !had_exact),
        }
        for i in std::mem::take(&mut self.dirty) {
            if i < self.covered {
                self.forget(i);
                self.place(i);
            }
        }
        self.catch_up();
    }

    /// Decides the items appended since the last search: here when they are few, else in
    /// the background.
    fn catch_up(&mut self) {
        let behind = self.hay.len().saturating_sub(self.covered);
        if behind == 0 {
            return;
        }
        if behind <= self.inline_rows.max(1) {
            for i in self.covered..self.hay.len() {
                self.decide(i);
            }
            return;
        }
        let Some(query) = self.shown.clone() else {
            return;
        };
        let spec = Spec {
            query: query.clone(),
            exact: self.exact,
            hay: self.hay.clone(),
            base: Some((self.visible.clone(), self.exact_count)),
            recheck: None,
            from: self.covered,
        };
        self.launch(spec, query, None);
    }

    /// Where the selection goes after the rows changed: to an exact match when
    /// `exact_wins` and there is one, else to `keep` if it shows, else the fallback.
    fn select_after(&mut self, keep: Option<usize>, exact_wins: bool) {
        let kept = keep.and_then(|k| self.position_of(k));
        self.selected = match (exact_wins && self.exact_count > 0, kept) {
            (true, _) => 0,
            (false, Some(pos)) => pos,
            (false, None) => match self.fallback {
                Fallback::First => 0,
                Fallback::Last => self.visible.len().saturating_sub(1),
            },
        };
    }

    /// Decides the next item (`index == covered`) for the shown query.
    fn decide(&mut self, index: usize) {
        self.covered = index + 1;
        self.place(index);
    }

    /// Puts item `index` where the shown query puts it, if it matches (the selection stays
    /// on its item; a first exact match is selected).
    fn place(&mut self, index: usize) {
        let Some(query) = &self.shown else {
            return;
        };
        let verdict = self.matcher.verdict(query, self.exact, self.hay.get(index));
        let selected = self.selected_index();
        let visible = Arc::make_mut(&mut self.visible);
        let at = match verdict {
            Verdict::No => return,
            Verdict::Exact => {
                let at = visible[..self.exact_count].partition_point(|&i| i < index);
                self.exact_count += 1;
                at
            }
            Verdict::Fuzzy => {
                self.exact_count + visible[self.exact_count..].partition_point(|&i| i < index)
            }
        };
        visible.insert(at, index);
        if verdict == Verdict::Exact && self.exact_count == 1 {
            self.selected = 0;
        } else if let Some(s) = selected {
            self.selected = self.position_of(s).unwrap_or(self.selected);
        }
    }

    /// Takes item `index` out of the visible rows (it is about to be decided again).
    fn forget(&mut self, index: usize) {
        let Some(pos) = self.position_of(index) else {
            return;
        };
        let selected = self.selected_index();
        Arc::make_mut(&mut self.visible).remove(pos);
        if pos < self.exact_count {
            self.exact_count -= 1;
        }
        if let Some(s) = selected.filter(|&s| s != index) {
            self.selected = self.position_of(s).unwrap_or(0);
        } else {
            self.selected = self.selected.min(self.visible.len().saturating_sub(1));
        }
    }

    // ---------------------------------------------------------------------------------
    // Searches in flight.
    // ---------------------------------------------------------------------------------

    /// Takes a search's outcome if it has landed; returns whether the visible rows changed.
    pub fn poll(&mut self) -> bool {
        let Some(ended) = self.pending.as_ref().and_then(|p| p.job.try_take()) else {
            return false;
        };
        self.finish(ended);
        true
    }

    /// Waits for the search in flight, if any, and shows its rows.
    pub fn settle(&mut self) -> bool {
        let mut changed = false;
        while let Some(p) = &self.pending {
            let ended = p.job.wait();
            self.finish(ended);
            changed = true;
        }
        changed
    }

    fn finish(&mut self, ended: Option<Outcome>) {
        let Some(p) = self.pending.take() else {
            return;
        };
        match ended {
            Some(outcome) => self.land(p.query, outcome, p.keep),
            None => {
                // The search could not finish: do it here.
                let text = p.query.text.clone();
                let keep = p.keep.flatten().or(self.selected_index());
                self.shown = None;
                let inline = std::mem::replace(&mut self.inline_rows, usize::MAX);
                self.start(text, keep, false);
                self.inline_rows = inline;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROWS: [&str; 4] = ["adam", "bea", "ada", "grace"];

    /// The patron list's rule: the whole haystack is the id, compared as written.
    const BY_ID: Exact = Exact {
        fields: &[0],
        ignore_case: false,
    };

    fn list_of(rows: &[&str]) -> FilteredList {
        let mut list = FilteredList::new(BY_ID, Fallback::First);
        for r in rows {
            list.push(|s| s.push_str(r));
        }
        list
    }

    fn typed(list: &mut FilteredList, text: &str) {
        list.filter.input = Input::new(text.to_string());
        list.refresh();
    }

    fn shown(list: &FilteredList, rows: &[&str]) -> Vec<String> {
        list.visible()
            .iter()
            .map(|&i| rows[i].to_string())
            .collect()
    }

    #[test]
    fn an_exact_match_ranks_first_and_is_selected() {
        let mut list = list_of(&ROWS);
        assert_eq!(list.visible(), [0, 1, 2, 3]);
        typed(&mut list, "ada");
        assert_eq!(list.visible(), [2, 0], "exact first, then the near-miss");
        assert_eq!(list.selected_index(), Some(2));
    }

    #[test]
    fn the_selection_stays_on_its_item_across_filters() {
        let mut list = list_of(&ROWS);
        list.move_by(3);
        assert_eq!(list.selected_index(), Some(3));
        typed(&mut list, "a");
        assert_eq!(list.selected_index(), Some(3), "grace still shows");
        typed(&mut list, "zzz");
        assert_eq!(list.selected_index(), None);
        assert!(!list.move_by(1), "an empty list does not move");
        typed(&mut list, "");
        assert_eq!(list.selected(), 0, "a lost selection goes to the first row");
    }

    #[test]
    fn moving_clamps_and_appending_keeps_the_order() {
        let mut list = list_of(&ROWS[..2]);
        assert!(list.move_by(10));
        assert_eq!(list.selected(), 1);
        assert!(!list.move_by(1));
        assert!(list.move_by(-5));
        assert_eq!(list.selected(), 0);
        list.push(|s| s.push_str("ada"));
        list.push(|s| s.push_str("grace"));
        assert_eq!(list.visible(), [0, 1, 2, 3]);
    }

    #[test]
    fn items_appended_under_a_filter_are_matched_as_they_arrive() {
        let rows = ["adam", "bea", "ada", "grace", "adam2", "ada"];
        let mut list = list_of(&rows[..2]);
        typed(&mut list, "ada");
        assert_eq!(list.visible(), [0]);
        list.push(|s| s.push_str(rows[2]));
        assert_eq!(list.visible(), [2, 0], "an exact match goes first");
        assert_eq!(list.selected_index(), Some(2), "and is selected");
        list.move_by(1);
        list.push(|s| s.push_str(rows[3]));
        list.push(|s| s.push_str(rows[4]));
        list.push(|s| s.push_str(rows[5]));
        assert_eq!(shown(&list, &rows), ["ada", "ada", "adam", "adam2"]);
        assert_eq!(
            list.selected_index(),
            Some(0),
            "the operator's choice stays once an exact match was shown"
        );
    }

    #[test]
    fn a_replaced_item_moves_to_where_its_new_text_puts_it() {
        let mut rows = ROWS.map(String::from).to_vec();
        let mut list = list_of(&ROWS);
        typed(&mut list, "ada");
        rows[1] = "ada".into();
        list.replace(1, |s| s.push_str("ada"));
        assert_eq!(list.visible(), [1, 2, 0]);
        rows[2] = "zed".into();
        list.replace(2, |s| s.push_str("zed"));
        assert_eq!(list.visible(), [1, 0]);
        typed(&mut list, "");
        assert_eq!(list.visible(), [0, 1, 2, 3]);
    }

    #[test]
    fn a_longer_query_searches_only_the_previous_rows_and_agrees_with_a_full_scan() {
        let rows: Vec<String> = (0..200).map(|i| format!("user{i} u{i}@x.org")).collect();
        let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
        let mut list = list_of(&refs);
        for text in ["u", "u1", "u12", "u12 x", "u12 x.o", "u1", "!u1", "!u1 2"] {
            typed(&mut list, text);
            let expected = filter::ranked(text, &rows, |i| rows[i] == text.trim());
            assert_eq!(list.visible(), expected, "{text}");
        }
    }

    #[test]
    fn a_background_search_lands_where_a_full_scan_would() {
        let rows: Vec<String> = (0..3_000).map(|i| format!("row {i}")).collect();
        let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
        let mut list = list_of(&refs);
        list.set_inline_rows(0);
        list.move_by(5);
        typed(&mut list, "row 1");
        assert!(list.is_filtering());
        assert_eq!(list.visible().len(), 3_000, "the old rows show meanwhile");
        // Items arrive and change while it runs.
        list.push(|s| s.push_str("row 1"));
        list.push(|s| s.push_str("row 99999"));
        list.replace(0, |s| s.push_str("row 1x"));
        assert!(list.settle());
        assert!(!list.is_filtering());
        let mut now = rows.clone();
        now.push("row 1".into());
        now.push("row 99999".into());
        now[0] = "row 1x".into();
        let expected = filter::ranked("row 1", &now, |i| now[i] == "row 1");
        assert_eq!(list.visible(), expected);
        assert_eq!(
            list.selected_index(),
            Some(1),
            "the exact match is selected"
        );
        // Narrowing in the background too, then clearing.
        typed(&mut list, "row 12");
        list.settle();
        assert_eq!(
            list.visible(),
            filter::ranked("row 12", &now, |i| now[i] == "row 12")
        );
        typed(&mut list, "");
        assert!(!list.is_filtering(), "no filter needs no search");
        assert_eq!(list.visible().len(), now.len());
    }

    #[test]
    fn a_rebuild_starts_over_and_keeps_the_item_asked_for() {
        let mut list = list_of(&ROWS);
        typed(&mut list, "a");
        let rows = ["grace", "adam", "ada"];
        list.rebuild(3, |i, s| s.push_str(rows[i]), Some(1));
        assert_eq!(list.visible(), [0, 1, 2]);
        assert_eq!(list.selected_index(), Some(1));
        typed(&mut list, "ada");
        assert_eq!(list.visible(), [2, 1]);
    }

    #[test]
    fn a_rebuild_after_items_moved_keeps_their_rows_on_screen_until_the_search_lands() {
        let rows: Vec<String> = (0..3_000).map(|i| format!("row {i}")).collect();
        let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
        let mut list = list_of(&refs);
        list.set_inline_rows(0);
        typed(&mut list, "row 12");
        list.settle();
        list.select_index(12);
        // Item 0 left: every other item moved up one place.
        let now: Vec<String> = rows[1..].to_vec();
        let moved: Vec<u32> = (0..3_000u32).map(|i| i.wrapping_sub(1)).collect();
        list.rebuild_moved(now.len(), |i, s| s.push_str(&now[i]), Some(11), &moved);
        assert!(list.is_filtering());
        let before: Vec<usize> = filter::ranked("row 12", &rows, |i| rows[i] == "row 12")
            .into_iter()
            .filter(|&i| i > 0)
            .map(|i| i - 1)
            .collect();
        assert_eq!(list.visible(), before, "the same rows, where they moved to");
        assert_eq!(list.selected_index(), Some(11), "on the same item");
        list.settle();
        assert_eq!(
            list.visible(),
            filter::ranked("row 12", &now, |i| now[i] == "row 12")
        );
        assert_eq!(list.selected_index(), Some(11));
    }

    #[test]
    fn a_quick_filter_on_top_then_a_longer_query_searches_everything_again() {
        let mut list = FilteredList::new(Exact::NONE, Fallback::Last);
        for r in ROWS {
            list.push(|s| s.push_str(r));
        }
        typed(&mut list, "g");
        assert_eq!(
            list.selected_index(),
            Some(3),
            "the fallback is the last row"
        );
        typed(&mut list, "a");
        list.retain(|i| i != 0);
        assert_eq!(list.visible(), [1, 2, 3]);
        typed(&mut list, "ad");
        assert_eq!(
            list.visible(),
            [0, 2],
            "the retained rows are not the query's answer"
        );
    }

    /// Found by the property test (tests/properties/filter.rs): an item changed while a search
    /// ran, then the query grew before it landed; the longer query starts from the rows shown,
    /// which must already know the change.
    #[test]
    fn an_item_changed_during_a_search_is_found_by_a_longer_query_started_before_it_lands() {
        let mut rows = vec![""; 12];
        rows.push("b");
        let mut list = list_of(&rows);
        list.set_inline_rows(0);
        typed(&mut list, "b");
        list.settle();
        typed(&mut list, "b1");
        list.replace(3, |s| s.push_str("B1"));
        typed(&mut list, "b1 ");
        list.settle();
        assert_eq!(list.visible(), [3]);
    }
}
