//! Batches as the console holds them: the rows marked in a list, and each batch of this run
//! with its progress and its rows' outcomes (read once, as they arrive).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::requests::LogEntry;
use crate::engine::batch::{RowOutcome, RowReport, SavedPlan};
use crate::engine::journal::BatchCounts;

/// The rows marked in a list (patron ids or user ids), and a range being drawn.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    pub ids: HashSet<String>,
    /// `v` was pressed on this position of the list's items: the next `v` marks the range.
    pub anchor: Option<usize>,
}

impl Marks {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Marks or unmarks one id; returns whether it is marked now.
    pub fn toggle(&mut self, id: &str) -> bool {
        if self.ids.remove(id) {
            false
        } else {
            self.ids.insert(id.to_string());
            true
        }
    }

    pub fn clear(&mut self) {
        self.ids.clear();
        self.anchor = None;
    }
}

/// Where a batch of this run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchPhase {
    Running,
    Paused,
    /// Cancelled: requests in flight finish, the rest stay pending.
    Cancelling,
    Finished,
}

/// One batch of this run: its plan and every row's outcome so far.
#[derive(Debug, Clone)]
pub struct BatchView {
    pub plan: Arc<SavedPlan>,
    /// The rows this run sends, in plan order.
    pub todo: Vec<usize>,
    /// Plan row → its report, once it ended.
    pub reports: HashMap<usize, RowReport>,
    /// Plan row → its log entry (for the inspector), once it ended.
    pub entries: HashMap<usize, LogEntry>,
    /// Journal id → plan row, so the inspector finds a row's entry at once.
    by_key: HashMap<String, usize>,
    pub counts: BatchCounts,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub phase: BatchPhase,
    /// The last slow-down the server asked for.
    pub throttled: Option<String>,
    /// The row selected in the batch window (an index into `todo`).
    pub selected: usize,
    /// The batch stopped because the journal could not be written.
    pub journal_error: Option<String>,
    /// The operator cancelled it: the rows not sent stay pending (resumable).
    pub cancelled: bool,
    /// Rows that ended (every outcome but pending).
    ended: usize,
    /// An earlier run's batch, read back from the journal (the batches view, the history).
    pub earlier: bool,
    /// Rows whose request left and has not ended yet (plan rows).
    pub sending: std::collections::HashSet<usize>,
}

impl BatchView {
    pub fn new(
        plan: Arc<SavedPlan>,
        todo: Vec<usize>,
        unchanged: usize,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            plan,
            todo,
            reports: HashMap::new(),
            entries: HashMap::new(),
            by_key: HashMap::new(),
            counts: BatchCounts {
                unchanged,
                ..BatchCounts::default()
            },
            started_at: now,
            finished_at: None,
            phase: BatchPhase::Running,
            throttled: None,
            selected: 0,
            journal_error: None,
            cancelled: false,
            ended: 0,
            earlier: false,
            sending: std::collections::HashSet::new(),
        }
    }

    /// Rows ended so far: a row left pending (a cancelled or stopped batch) has not.
    pub fn done(&self) -> usize {
        self.ended
    }

    /// Where the batch is, in a word: running, paused, cancelling, then cancelled (by the
    /// operator, or stopped with rows still pending) or `finished`.
    pub fn phase_word(&self, finished: &'static str) -> &'static str {
        match self.phase {
            BatchPhase::Running => "running",
            BatchPhase::Paused => "paused",
            BatchPhase::Cancelling => "cancelling",
            // Read back from the journal with rows left: its run was cancelled or cut short.
            BatchPhase::Finished if self.earlier && self.done() < self.todo.len() => "interrupted",
            BatchPhase::Finished if self.cancelled || self.counts.pending > 0 => "cancelled",
            BatchPhase::Finished => finished,
        }
    }

    /// A row ended.
    pub fn row_done(&mut self, row: usize, report: RowReport, entry: Option<LogEntry>) {
        self.sending.remove(&row);
        if self.reports.contains_key(&row) {
            return;
        }
        crate::engine::batch::report::tally(&mut self.counts, &report);
        if crate::engine::batch::report::was_sent(&report) {
            self.counts.requests += 1;
        }
        if report.outcome != RowOutcome::Pending {
            self.ended += 1;
        }
        self.reports.insert(row, report);
        if let Some(e) = entry {
            self.by_key.insert(e.key.clone(), row);
            self.entries.insert(row, e);
        }
    }

    /// The log entry of the row journaled under `key`.
    pub fn entry(&self, key: &str) -> Option<&LogEntry> {
        self.by_key.get(key).and_then(|row| self.entries.get(row))
    }

    /// Requests per second since the start (up to the end, once finished).
    pub fn rate(&self, now: DateTime<Utc>) -> f64 {
        let end = self.finished_at.unwrap_or(now);
        let secs = (end - self.started_at).num_milliseconds().max(1) as f64 / 1000.0;
        self.done() as f64 / secs
    }

    /// Seconds left at the current rate, while running.
    pub fn eta(&self, now: DateTime<Utc>) -> Option<f64> {
        let left = self.todo.len().saturating_sub(self.done());
        let rate = self.rate(now);
        (self.phase == BatchPhase::Running && left > 0 && rate > 0.0).then(|| left as f64 / rate)
    }

    /// The mark the action log shows for the batch.
    pub fn mark(&self) -> &'static str {
        let c = &self.counts;
        match self.phase {
            BatchPhase::Running | BatchPhase::Paused | BatchPhase::Cancelling => "…",
            BatchPhase::Finished if c.errors + c.pending > 0 => "?",
            BatchPhase::Finished if c.refused + c.failed > 0 && c.ok + c.partial == 0 => "✗",
            BatchPhase::Finished if c.refused + c.failed + c.partial > 0 => "◐",
            BatchPhase::Finished if c.ok == 0 && c.unchanged > 0 => "=",
            BatchPhase::Finished => "✓",
        }
    }

    /// One line: where the batch is and its counts.
    pub fn summary(&self) -> String {
        let c = &self.counts;
        let phase = self.phase_word("done");
        let mut parts = vec![format!("{phase} {}/{}", self.done(), self.todo.len())];
        for (n, word) in [
            (c.ok, "ok"),
            (c.partial, "partial"),
            (c.failed, "failed"),
            (c.refused, "refused"),
            (c.errors, if c.errors == 1 { "error" } else { "errors" }),
            (c.pending, "pending"),
            (c.unchanged, "unchanged"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {word}"));
            }
        }
        parts.join(" · ")
    }
}
