//! The batches view's rows: this run's batches (live, from `App::batches`) and the
//! profile's earlier ones (as the journal lists them, read by the loop), one row each,
//! newest first, with where each stands and what can be done with it.

use chrono::{DateTime, Utc};

use super::batch::{BatchPhase, BatchView};
use crate::engine::batch::history::{BatchInfo, BatchState};
use crate::engine::journal::BatchCounts;

/// The profile's batches as the journal last listed them.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Newest first, this profile's only.
    pub batches: Vec<BatchInfo>,
    /// A reading is under way.
    pub reading: bool,
    /// Why the last reading failed.
    pub error: Option<String>,
}

/// Where a batch stands, as the view says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Running,
    Paused,
    Cancelling,
    /// This run's, stopped by the operator with rows left.
    Cancelled,
    Finished,
    /// An earlier run's, cancelled or cut short with rows left: it can be resumed.
    Interrupted,
    /// Another tagdesk is running it now.
    Elsewhere,
    /// An earlier run saved its plan but could not journal its start: nothing was sent; it
    /// can be resumed (which starts it).
    NotStarted,
}

impl Standing {
    pub fn word(self) -> &'static str {
        match self {
            Standing::Running => "running",
            Standing::Paused => "paused",
            Standing::Cancelling => "cancelling",
            Standing::Cancelled => "cancelled",
            Standing::Finished => "finished",
            Standing::Interrupted => "interrupted",
            Standing::Elsewhere => "running elsewhere",
            Standing::NotStarted => "not started",
        }
    }

    /// The mark before the row (readable without colour).
    pub fn glyph(self) -> &'static str {
        match self {
            Standing::Running | Standing::Elsewhere => "▶",
            Standing::Paused => "‖",
            Standing::Cancelling | Standing::Cancelled | Standing::Interrupted => "◼",
            Standing::NotStarted => "·",
            Standing::Finished => "✓",
        }
    }

    /// Whether its rows are being sent now (by this console or another process).
    pub fn sending(self) -> bool {
        matches!(
            self,
            Standing::Running | Standing::Paused | Standing::Cancelling | Standing::Elsewhere
        )
    }
}

/// One row of the batches view.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRow {
    pub batch_id: String,
    pub created_at: DateTime<Utc>,
    /// `hive_add`, `cerego_import`, `undo`…
    pub op: &'static str,
    /// Where the rows came from, in words: `import people.csv`, `Hive add to marked
    /// patrons` (an undo's is what it undid: [`BatchRow::undo_of`]).
    pub source: String,
    /// The batch or journal entry an undo undid.
    pub undo_of: Option<String>,
    pub standing: Standing,
    /// `done/total` requests for this run's batches, `N rows` for earlier ones.
    pub size: String,
    /// The counts worth saying (`398 ok · 2 partial`), or why there are none.
    pub counts: String,
    /// A batch of this run.
    pub this_run: bool,
    /// Rows are left to send (never sent, or without a known outcome).
    pub unfinished: bool,
}

impl BatchRow {
    /// Whether `R` can resume it: nothing is sending it and rows are left.
    pub fn resumable(&self) -> bool {
        !self.standing.sending() && self.unfinished
    }

    /// Whether `u` can undo it: nothing is sending it.
    pub fn undoable(&self) -> bool {
        !self.standing.sending()
    }
}

/// The non-zero counts, in the order the batch window lists them.
pub fn counts_text(c: &BatchCounts) -> String {
    let parts: Vec<String> = [
        (c.ok, "ok"),
        (c.partial, "partial"),
        (c.failed, "failed"),
        (c.refused, "refused"),
        (c.errors, if c.errors == 1 { "error" } else { "errors" }),
        (c.pending, "pending"),
        (c.unchanged, "unchanged"),
        (c.mismatched, "mismatched"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| format!("{n} {word}"))
    .collect();
    if parts.is_empty() {
        "nothing sent".into()
    } else {
        parts.join(" · ")
    }
}

/// A batch view's row: this run's batch as it stands now.
fn live_row(b: &BatchView) -> BatchRow {
    // Rows that did not end: never sent, or left pending by a cancel.
    let left = b.todo.len().saturating_sub(b.done());
    let needs_resume = b.counts.errors > 0;
    let standing = match b.phase {
        BatchPhase::Running => Standing::Running,
        BatchPhase::Paused => Standing::Paused,
        BatchPhase::Cancelling => Standing::Cancelling,
        BatchPhase::Finished if b.earlier && (left > 0 || needs_resume) => Standing::Interrupted,
        BatchPhase::Finished if left > 0 || b.cancelled => Standing::Cancelled,
        BatchPhase::Finished => Standing::Finished,
    };
    let mut counts = b.counts;
    counts.pending = left;
    BatchRow {
        batch_id: b.plan.batch_id.clone(),
        // When this run started sending it (for a resume: the resume).
        created_at: b.started_at,
        op: b.plan.op.name(),
        source: super::words::batch_source(b.plan.op.name(), b.plan.source.as_deref()),
        undo_of: b.plan.undo_of.clone(),
        standing,
        size: format!("{}/{}", b.done(), b.todo.len()),
        counts: counts_text(&counts),
        this_run: !b.earlier,
        unfinished: left > 0 || needs_resume,
    }
}

/// A batch view's row: an earlier run's batch as the journal lists it.
fn listed_row(info: &BatchInfo) -> BatchRow {
    let standing = match info.state {
        BatchState::Running => Standing::Elsewhere,
        BatchState::Interrupted => Standing::Interrupted,
        BatchState::Finished => Standing::Finished,
        BatchState::NotStarted => Standing::NotStarted,
    };
    BatchRow {
        batch_id: info.batch_id.clone(),
        created_at: info.created_at,
        op: info.op,
        source: super::words::batch_source(info.op, info.source.as_deref()),
        undo_of: info.undo_of.clone(),
        standing,
        size: crate::core::printable::plural(info.rows as u64, "row", "rows"),
        counts: match &info.counts {
            Some(c) => counts_text(c),
            None => "cut short: counts unknown".into(),
        },
        this_run: false,
        unfinished: matches!(info.state, BatchState::Interrupted | BatchState::NotStarted),
    }
}

/// Every batch of the profile, newest first: this run's as they stand now, the earlier ones
/// as the journal listed them (a batch read back from the journal shows what its rows say).
pub fn rows(batches: &[BatchView], listing: &Listing) -> Vec<BatchRow> {
    let mut rows: Vec<BatchRow> = batches.iter().map(live_row).collect();
    for info in &listing.batches {
        match rows.iter_mut().find(|r| r.batch_id == info.batch_id) {
            // Read back: what the journal says of its state where it says more (another
            // process is running it).
            Some(r) if !r.this_run && info.state == BatchState::Running => {
                r.standing = Standing::Elsewhere;
            }
            Some(_) => {}
            None => rows.push(listed_row(info)),
        }
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    rows
}
