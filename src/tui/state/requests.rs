//! The request store behind the action log: every request of this run and every entry of
//! the journal's history, keyed by journal id, each in an explicit state. A row's summary
//! (its mark, text and colour, the Hive message check) is computed once, when its reply or
//! its history arrives — drawing reads it, never re-reads a body.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use ratatui::style::Color;

use super::list::{Fallback, FilteredList};
pub use super::summary::{Summary, severity_mark, tag_glyphs};
use super::summary::{history_summary, reply_summary};
use crate::core::op::hive::HiveOutcome;
use crate::core::op::scenario::MessageCheck;
use crate::core::op::{Op, Output};
use crate::engine::backend::{Reply, RequestId};
use crate::engine::journal::Entry;
use crate::engine::retry::RetryNotice;

/// Where a request is in its life.
#[derive(Debug, Clone)]
pub enum RequestState {
    /// Sent, no outcome yet; the retries announced so far.
    Pending { retries: Vec<RetryNotice> },
    /// This run's request, answered (or failed for good).
    Done(Box<Reply>),
    /// An earlier run's entry, as the journal kept it (its Hive outcome read once).
    FromJournal {
        entry: Box<Entry>,
        hive: Option<Box<HiveOutcome>>,
    },
    /// A batch of this run (its rows are in `App::batches`): what it is and its size.
    Batch { what: String, target: String },
    /// A batch of an earlier run, its rows grouped into one line as the journal kept them
    /// (Enter reads it back): what it is and its size.
    EarlierBatch { what: String, target: String },
}

/// One line of the action log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// The journal id: the entry's key, in this run and in the journal alike.
    pub key: String,
    /// This run's request id (None for the journal's history).
    pub id: Option<RequestId>,
    pub started_at: DateTime<Utc>,
    pub op: Op,
    pub state: RequestState,
    /// The row's summary, once settled.
    pub summary: Option<Summary>,
    /// A Cerego update of this run: the value it replaced (for undo).
    pub prior: Option<String>,
}

impl LogEntry {
    pub fn is_pending(&self) -> bool {
        matches!(self.state, RequestState::Pending { .. })
    }

    pub fn reply(&self) -> Option<&Reply> {
        match &self.state {
            RequestState::Done(r) => Some(r),
            RequestState::Pending { .. }
            | RequestState::FromJournal { .. }
            | RequestState::Batch { .. }
            | RequestState::EarlierBatch { .. } => None,
        }
    }

    /// Whether the line stands for a whole batch (this run's or an earlier one's).
    pub fn is_batch(&self) -> bool {
        matches!(
            self.state,
            RequestState::Batch { .. } | RequestState::EarlierBatch { .. }
        )
    }

    /// The operation column: service and verb, or what a batch does.
    pub fn what(&self) -> String {
        match &self.state {
            RequestState::Batch { what, .. } | RequestState::EarlierBatch { what, .. } => {
                what.clone()
            }
            _ => format!("{} {}", self.op.service().name(), self.op.verb()),
        }
    }

    /// The target column: what the Op acts on, or the size of a batch.
    pub fn target(&self) -> String {
        match &self.state {
            RequestState::Batch { target, .. } | RequestState::EarlierBatch { target, .. } => {
                target.clone()
            }
            _ => self.op.target(),
        }
    }

    /// An entry of an earlier run (or a batch row), as the journal keeps it.
    pub fn from_entry(e: Entry) -> Self {
        let hive = e.hive_outcome().map(Box::new);
        let summary = history_summary(&e, hive.as_deref());
        LogEntry {
            key: e.intent.id.clone(),
            id: None,
            started_at: e.intent.time,
            op: e.intent.op.clone(),
            prior: e.intent.prior.clone(),
            state: RequestState::FromJournal {
                entry: Box::new(e),
                hive,
            },
            summary: Some(summary),
        }
    }

    pub fn history(&self) -> Option<&Entry> {
        match &self.state {
            RequestState::FromJournal { entry, .. } => Some(entry),
            RequestState::Pending { .. }
            | RequestState::Done(_)
            | RequestState::Batch { .. }
            | RequestState::EarlierBatch { .. } => None,
        }
    }

    /// The Hive outcome the row shows (a reply's, or the journal's read once).
    pub fn hive_outcome(&self) -> Option<&HiveOutcome> {
        match &self.state {
            RequestState::Done(r) => match &r.result {
                Ok(Output::Hive(o)) => Some(o),
                Ok(_) | Err(_) => None,
            },
            RequestState::FromJournal { hive, .. } => hive.as_deref(),
            RequestState::Pending { .. }
            | RequestState::Batch { .. }
            | RequestState::EarlierBatch { .. } => None,
        }
    }

    /// The retries announced while pending.
    pub fn retries(&self) -> &[RetryNotice] {
        match &self.state {
            RequestState::Pending { retries } => retries,
            RequestState::Done(r) => &r.retries,
            RequestState::FromJournal { .. }
            | RequestState::Batch { .. }
            | RequestState::EarlierBatch { .. } => &[],
        }
    }

    /// One word for the filter: ok, failed, pending, or the journal's result.
    fn result_word(&self) -> &'static str {
        match &self.state {
            RequestState::Pending { .. } => "pending",
            RequestState::Done(r) if r.result.is_ok() => "ok",
            RequestState::Done(_) => "failed",
            RequestState::FromJournal { entry, .. } => entry.result_label(),
            RequestState::Batch { .. } | RequestState::EarlierBatch { .. } => "batch",
        }
    }
}

/// The action log's filter matches the service and operation, the target (patron, user,
/// tag), the result text and the MATCH / MISMATCH mark.
impl LogEntry {
    fn haystack(&self, out: &mut String) {
        use std::fmt::Write;
        let (mark, text, check) = match &self.summary {
            Some(s) => (
                s.mark,
                s.text.as_str(),
                match s.check {
                    Some(MessageCheck::Mismatch) => " MISMATCH",
                    Some(MessageCheck::Match) => " MATCH",
                    Some(MessageCheck::Undocumented) | None => "",
                },
            ),
            None => ("", "pending…", ""),
        };
        let _ = write!(
            out,
            "{} {} {mark} {text}{check} {}",
            self.what(),
            self.target(),
            self.result_word()
        );
    }
}

/// The action log's quick filters (`m` on the log cycles through them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum QuickFilter {
    #[default]
    All,
    /// Changes only: reads (user lists, look-ups, the key's profile) hidden.
    Changes,
    /// Failures only: errors, refusals, partial and unknown outcomes.
    Failures,
    /// Hive replies whose message is not the documented one.
    Mismatches,
    /// One patron, user or tag: the target of the entry selected when it was chosen.
    Target(String),
}

impl QuickFilter {
    /// How the log's title names it ("" for all).
    pub fn label(&self) -> String {
        match self {
            QuickFilter::All => String::new(),
            QuickFilter::Changes => "changes only".into(),
            QuickFilter::Failures => "failures only".into(),
            QuickFilter::Mismatches => "MISMATCH only".into(),
            QuickFilter::Target(t) => format!("only {t}"),
        }
    }

    fn keeps(&self, e: &LogEntry) -> bool {
        match self {
            QuickFilter::All => true,
            QuickFilter::Changes => e.is_batch() || e.op.is_mutation(),
            QuickFilter::Failures => e.summary.as_ref().is_some_and(|s| {
                use crate::core::op::verdict::RowOutcome;
                [
                    RowOutcome::Partial,
                    RowOutcome::Failed,
                    RowOutcome::Refused,
                    RowOutcome::Error,
                    RowOutcome::Abandoned,
                ]
                .iter()
                .any(|o| o.glyph() == s.mark)
            }),
            QuickFilter::Mismatches => e
                .summary
                .as_ref()
                .is_some_and(|s| s.check == Some(MessageCheck::Mismatch)),
            QuickFilter::Target(t) => !e.is_batch() && e.target() == *t,
        }
    }
}

/// Every request of this run and the journal's history, in order, with the log's filter
/// and selection.
#[derive(Debug)]
pub struct RequestLog {
    entries: Vec<LogEntry>,
    /// journal id → position in `entries`.
    by_key: HashMap<String, usize>,
    /// The entries that pass the log's filter, and the selected one.
    pub list: FilteredList,
    /// The quick filter on top of the text one.
    pub quick: QuickFilter,
    /// The target of the entry selected when the quick filters were first turned on (what
    /// "this target" means once the others have hidden it).
    quick_anchor: Option<String>,
    /// The first this many entries are earlier runs' (the journal's history).
    history: usize,
    /// Whether the pane shows each entry whole, wrapped over as many lines as it takes
    /// (`w`), instead of one line cut to fit.
    pub wrap: bool,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            by_key: HashMap::new(),
            list: FilteredList::new(crate::tui::filter::Exact::NONE, Fallback::Last),
            quick: QuickFilter::All,
            quick_anchor: None,
            history: 0,
            wrap: false,
        }
    }
}

impl RequestLog {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    /// How many entries, from the first, are earlier runs' (the journal's history).
    pub fn history_len(&self) -> usize {
        self.history
    }

    pub fn iter(&self) -> std::slice::Iter<'_, LogEntry> {
        self.entries.iter()
    }

    /// Forgets every entry (the journal keeps them).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.by_key.clear();
        self.history = 0;
        self.quick = QuickFilter::All;
        self.quick_anchor = None;
        self.list.rebuild(0, |_, _| {}, None);
    }

    /// The entry with this journal id.
    pub fn get(&self, key: &str) -> Option<&LogEntry> {
        self.by_key.get(key).and_then(|&i| self.entries.get(i))
    }

    /// The selected entry, if it passes the filter.
    pub fn selected(&self) -> Option<&LogEntry> {
        self.list.selected_item(&self.entries)
    }

    /// This run's request `id`, while it waits for its outcome.
    pub fn pending(&self, id: RequestId) -> Option<&LogEntry> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.id == Some(id) && e.is_pending())
    }

    /// Requests still waiting for their outcome.
    pub fn in_flight(&self) -> usize {
        self.entries.iter().filter(|e| e.is_pending()).count()
    }

    /// A request of this run was sent: it is pending, last, and selected.
    pub fn push_pending(
        &mut self,
        key: String,
        id: RequestId,
        started_at: DateTime<Utc>,
        op: Op,
        prior: Option<String>,
    ) {
        self.by_key.insert(key.clone(), self.entries.len());
        self.entries.push(LogEntry {
            key,
            id: Some(id),
            started_at,
            op,
            state: RequestState::Pending {
                retries: Vec::new(),
            },
            summary: None,
            prior,
        });
        self.appended();
    }

    /// A batch of this run started: one line for it, last and selected.
    pub fn push_batch(
        &mut self,
        key: String,
        started_at: DateTime<Utc>,
        op: Op,
        what: String,
        target: String,
    ) {
        self.by_key.insert(key.clone(), self.entries.len());
        self.entries.push(LogEntry {
            key,
            id: None,
            started_at,
            op,
            state: RequestState::Batch { what, target },
            summary: None,
            prior: None,
        });
        self.appended();
    }

    /// The entry just appended: into the list, and selected.
    fn appended(&mut self) {
        let last = self.entries.len() - 1;
        let entry = &self.entries[last];
        self.list.push(|s| entry.haystack(s));
        self.apply_quick();
        if !self.list.select_index(last) {
            self.list.select_last();
        }
    }

    /// Entry `i` changed (its outcome arrived, a batch moved on).
    fn changed(&mut self, i: usize) {
        if let Some(entry) = self.entries.get(i) {
            self.list.replace(i, |s| entry.haystack(s));
            self.apply_quick();
        }
    }

    fn apply_quick(&mut self) {
        if self.quick != QuickFilter::All {
            let (entries, quick) = (&self.entries, &self.quick);
            self.list
                .retain(|i| entries.get(i).is_some_and(|e| quick.keeps(e)));
        }
    }

    /// A batch's line says where it is now.
    pub fn set_batch_summary(
        &mut self,
        key: &str,
        mark: &'static str,
        text: String,
        colour: Color,
    ) {
        if let Some(&i) = self.by_key.get(key)
            && let Some(e) = self.entries.get_mut(i)
        {
            e.summary = Some(Summary {
                mark,
                text,
                colour,
                check: None,
                tags: None,
            });
            self.changed(i);
        }
    }

    /// Puts earlier runs' journal entries before this run's (a batch's rows as one line),
    /// the last one selected.
    pub fn prepend_history(&mut self, history: impl Into<crate::engine::batch::recent::Recent>) {
        let mut old = super::history::lines(history.into());
        self.history += old.len();
        old.append(&mut self.entries);
        self.entries = old;
        self.by_key = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key.clone(), i))
            .collect();
        let entries = &self.entries;
        self.list
            .rebuild(entries.len(), |i, s| entries[i].haystack(s), None);
        self.apply_quick();
        self.list.select_last();
    }

    /// A request of this run got its outcome; returns whether it was one of ours still
    /// pending.
    pub fn settle(&mut self, reply: &Reply) -> bool {
        self.settle_worded(reply, None)
    }

    /// As [`settle`](Self::settle), a successful change said in `words` (what a Cerego
    /// change set and what it replaced) instead of the reply's summary.
    pub fn settle_worded(&mut self, reply: &Reply, words: Option<&str>) -> bool {
        let Some(i) = self
            .entries
            .iter()
            .position(|e| e.id == Some(reply.id) && e.is_pending())
        else {
            return false;
        };
        let entry = &mut self.entries[i];
        entry.summary = Some(reply_summary(reply, words));
        entry.state = RequestState::Done(Box::new(reply.clone()));
        self.changed(i);
        true
    }

    /// A pending request of this run announced a retry.
    pub fn retrying(&mut self, id: RequestId, notice: RetryNotice) {
        if let Some(LogEntry {
            state: RequestState::Pending { retries },
            ..
        }) = self.entries.iter_mut().find(|e| e.id == Some(id))
        {
            retries.push(notice);
        }
    }

    /// Whether this run's request `id` is still pending and satisfies `what`.
    pub fn is_pending_where(&self, id: RequestId, what: impl Fn(&Op) -> bool) -> bool {
        self.entries
            .iter()
            .any(|e| e.id == Some(id) && e.is_pending() && what(&e.op))
    }

    /// The request entry shown after (or before) the one with this journal id, in the
    /// log's order and filter, skipping batch lines.
    pub fn next_from(&self, key: &str, forward: bool) -> Option<String> {
        let at = *self.by_key.get(key)?;
        let visible = self.list.visible();
        let pos = visible.iter().position(|&i| i == at)?;
        let next = if forward {
            visible[pos + 1..]
                .iter()
                .copied()
                .find(|&i| self.entries.get(i).is_some_and(|e| !e.is_batch()))
        } else {
            visible[..pos]
                .iter()
                .rev()
                .copied()
                .find(|&i| self.entries.get(i).is_some_and(|e| !e.is_batch()))
        }?;
        self.entries.get(next).map(|e| e.key.clone())
    }

    /// Selects the entry with this journal id (this run's or the journal's).
    pub fn select_key(&mut self, key: &str) {
        if let Some(&i) = self.by_key.get(key) {
            self.list.select_index(i);
        }
    }

    /// Recomputes the visible entries after the filter or the quick filter changed (the
    /// selection stays on its entry, else goes to the last visible one).
    pub fn refilter(&mut self) {
        self.list.research();
        self.apply_quick();
    }

    /// The text filter's search landed: the quick filter goes on top again.
    pub fn searched(&mut self) {
        self.apply_quick();
    }

    /// The next quick filter: all → changes → failures → MISMATCH → the selected entry's
    /// target → all.
    pub fn cycle_quick(&mut self) {
        self.quick = match &self.quick {
            QuickFilter::All => {
                self.quick_anchor = self
                    .selected()
                    .filter(|e| !e.is_batch())
                    .map(LogEntry::target);
                QuickFilter::Changes
            }
            QuickFilter::Changes => QuickFilter::Failures,
            QuickFilter::Failures => QuickFilter::Mismatches,
            QuickFilter::Mismatches => match self.quick_anchor.take() {
                Some(target) => QuickFilter::Target(target),
                None => QuickFilter::All,
            },
            QuickFilter::Target(_) => QuickFilter::All,
        };
        self.refilter();
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::core::domain::{ApiField, PatronId};
    use crate::core::op::ApiError;
    use crate::engine::journal::{IntentRecord, OutcomeRecord};

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    fn add() -> Op {
        Op::HiveAdd {
            patron: PatronId::parse("user_abc123").unwrap(),
            fields: vec![ApiField::parse("vip").unwrap()],
        }
    }

    fn reply(id: RequestId, result: Result<Output, ApiError>) -> Reply {
        Reply {
            id,
            op: add(),
            exchanges: Vec::new(),
            retries: Vec::new(),
            result,
            finished_at: at(),
            journal_error: None,
        }
    }

    #[test]
    fn a_request_goes_from_pending_to_done_once() {
        let mut log = RequestLog::default();
        log.push_pending("j-1".into(), 7, at(), add(), None);
        assert_eq!(log.in_flight(), 1);
        assert_eq!(log.selected().map(|e| e.key.as_str()), Some("j-1"));
        assert!(log.get("j-1").is_some_and(|e| e.summary.is_none()));
        let notice = RetryNotice {
            attempt: 2,
            max_attempts: 4,
            wait_ms: 1000,
            at: at(),
            reason: "HTTP 503".into(),
            from_retry_after: false,
            status: None,
        };
        log.retrying(7, notice);
        assert_eq!(log.get("j-1").map(|e| e.retries().len()), Some(1));
        assert!(
            !log.settle(&reply(8, Err(ApiError::Timeout { ms: 1 }))),
            "not ours"
        );
        assert!(log.settle(&reply(7, Err(ApiError::Timeout { ms: 1 }))));
        assert!(
            !log.settle(&reply(7, Err(ApiError::Timeout { ms: 1 }))),
            "settled once"
        );
        let entry = log.get("j-1").unwrap();
        assert!(matches!(entry.state, RequestState::Done(_)));
        let summary = entry.summary.as_ref().unwrap();
        // A timeout has no usable answer: `error`, the batch window's `!` too.
        assert_eq!(summary.mark, "!");
        assert!(
            summary.text.starts_with("no answer within"),
            "{}",
            summary.text
        );
        assert_eq!(log.in_flight(), 0);
    }

    #[test]
    fn history_is_keyed_by_its_journal_id_and_summarised_once() {
        let mut log = RequestLog::default();
        log.push_pending("live".into(), 1, at(), add(), None);
        let intent = IntentRecord::new("old-1", "demo", &add(), None);
        let outcome = OutcomeRecord::from_execution(
            "old-1",
            &[],
            &Err(ApiError::Timeout { ms: 1 }),
            std::time::Duration::from_millis(5),
        );
        let entry = crate::engine::journal::entries([
            crate::engine::journal::Record::Intent(Box::new(intent)),
            crate::engine::journal::Record::Outcome(outcome),
        ]);
        log.prepend_history(entry);
        assert_eq!(log.len(), 2);
        let old = log.get("old-1").unwrap();
        assert!(old.id.is_none());
        assert!(old.history().is_some());
        // The same word as live: a timeout is `error` (`!`), history or not.
        assert_eq!(old.summary.as_ref().map(|s| s.mark), Some("!"));
        // The live entry is still found by its key after the history went before it.
        assert_eq!(log.get("live").and_then(|e| e.id), Some(1));
        assert_eq!(log.selected().map(|e| e.key.as_str()), Some("live"));
    }

    #[test]
    fn the_filter_keeps_the_selection_on_its_entry() {
        let mut log = RequestLog::default();
        log.push_pending("a".into(), 1, at(), add(), None);
        log.push_pending("b".into(), 2, at(), Op::CeregoProfile, None);
        log.list.filter.input = tui_input::Input::new("hive".into());
        log.refilter();
        assert_eq!(log.list.visible().len(), 1);
        assert_eq!(log.selected().map(|e| e.key.as_str()), Some("a"));
        log.list.filter.input = tui_input::Input::new(String::new());
        log.refilter();
        assert_eq!(log.selected().map(|e| e.key.as_str()), Some("a"));
    }
}
