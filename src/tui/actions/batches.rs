//! The batches view (`B`) and what it asks for: the profile's batches listed by the loop,
//! a batch's window (an earlier run's read back from the journal first, into a finished
//! `BatchView` the same window shows), and the resume of a batch with rows left, through
//! the resume preview.

use std::sync::Arc;

use crate::engine::batch::history;
use crate::engine::batch::history::BatchInfo;
use crate::tui::app::{App, BatchUse, Effect, Level, Load, LoadedBatch};
use crate::tui::popups::{BatchWindow, BatchesView, Popup};
use crate::tui::state::batch::{BatchPhase, BatchView};
use crate::tui::state::requests::LogEntry;

impl App {
    /// `B`: the batches view opens with this run's batches; the journal's list of the
    /// profile's batches is read meanwhile.
    pub(in crate::tui) fn batches_view(&mut self) -> Vec<Effect> {
        self.listing.reading = true;
        self.open(Popup::Batches(BatchesView::default()));
        vec![Effect::ListBatches]
    }

    /// The journal's list of the profile's batches arrived.
    pub(in crate::tui) fn batches_listed(&mut self, result: Result<Vec<BatchInfo>, String>) {
        self.listing.reading = false;
        match result {
            Ok(list) => {
                self.listing.batches = list;
                self.listing.error = None;
            }
            Err(e) => self.listing.error = Some(e),
        }
    }

    /// A batch's window: this run's at once, an earlier run's once read back.
    pub(in crate::tui) fn open_batch(&mut self, batch_id: &str) -> Vec<Effect> {
        if self.batch(batch_id).is_none() {
            return self.read_back(batch_id, BatchUse::Show);
        }
        self.open(Popup::Batch(BatchWindow {
            batch_id: batch_id.to_string(),
        }));
        Vec::new()
    }

    /// Asks the loop to read a batch back from the journal, then to show, resume or undo it.
    pub(in crate::tui) fn read_back(&mut self, batch_id: &str, then: BatchUse) -> Vec<Effect> {
        self.set_status(
            Level::Info,
            format!("Reading batch {batch_id} from the journal…"),
        );
        vec![Effect::LoadBatch {
            batch_id: batch_id.to_string(),
            then,
        }]
    }

    /// A batch was read back: it becomes a finished batch of the console (its rows with
    /// their outcomes), then its window, resume or undo follows.
    pub(in crate::tui) fn batch_loaded(
        &mut self,
        batch_id: &str,
        then: BatchUse,
        result: Result<Box<LoadedBatch>, String>,
    ) -> Vec<Effect> {
        let loaded = match result {
            Ok(l) => *l,
            Err(e) => {
                self.set_status(
                    Level::Error,
                    format!("Cannot read batch {batch_id}: {e}. Nothing was sent."),
                );
                return Vec::new();
            }
        };
        if loaded.running_elsewhere && then != BatchUse::Show {
            self.set_status(
                Level::Warn,
                format!(
                    "Batch {batch_id} is being sent by another tagdesk right now: wait for it \
                     to end (or cancel it there) first. Nothing was sent."
                ),
            );
            return Vec::new();
        }
        self.remember_attempts(batch_id, loaded.attempts.clone());
        // A batch this run is sending stays as it is; one read back is read afresh.
        if self.batch(batch_id).is_none_or(|b| b.earlier) {
            let view = earlier_view(loaded);
            self.batches.retain(|b| b.plan.batch_id != batch_id);
            self.batches.push(view);
        }
        self.status = None;
        match then {
            BatchUse::Show => self.open_batch(batch_id),
            BatchUse::Resume => self.resume_batch(batch_id),
            BatchUse::Undo => self.undo_batch(batch_id),
        }
    }

    /// The resume of a batch nothing is sending: its rows never sent or without a known
    /// outcome, previewed (a Cerego row re-planned against the user list first, so a row
    /// an earlier attempt already did is not sent again).
    pub(in crate::tui) fn resume_batch(&mut self, batch_id: &str) -> Vec<Effect> {
        let Some(b) = self.batch(batch_id) else {
            return self.read_back(batch_id, BatchUse::Resume);
        };
        if b.phase != BatchPhase::Finished {
            self.set_status(
                Level::Warn,
                format!("Batch {batch_id} is still being sent: nothing to resume yet."),
            );
            return Vec::new();
        }
        if b.plan.op == crate::core::plan::BatchOp::Probe {
            self.set_status(
                Level::Info,
                "A probe is not resumed: run it again (S), it starts by clearing its patron.",
            );
            return Vec::new();
        }
        let mut plan = (*b.plan).clone();
        let mut todo: Vec<usize> = b
            .todo
            .iter()
            .copied()
            .filter(|row| b.reports.get(row).is_none_or(|r| r.outcome.needs_resume()))
            .collect();
        if todo.iter().any(|&i| plan.rows[i].want.is_some()) {
            if self.cerego.load != Load::Loaded {
                self.set_status(
                    Level::Warn,
                    "The partner's user list has not finished loading: a Cerego resume is \
                     re-planned against it. Try again once it has.",
                );
                return Vec::new();
            }
            todo = history::replan_cerego(&mut plan, &todo, &self.known.cerego);
        }
        if todo.is_empty() {
            self.set_status(
                Level::Info,
                format!("Batch {batch_id} has nothing left to send."),
            );
            return Vec::new();
        }
        // Each row's last known outcome, as the resume preview shows it.
        let last = todo
            .iter()
            .map(|row| {
                let word = b
                    .reports
                    .get(row)
                    .map_or("never sent", |r| r.outcome.as_str());
                (*row, word.to_string())
            })
            .collect();
        self.offer_resume(plan, todo, last);
        Vec::new()
    }
}

/// A batch read back from the journal as the console holds a finished batch: every row it
/// sends (the unchanged ones aside), each with its outcome and its log entry.
fn earlier_view(loaded: LoadedBatch) -> BatchView {
    let LoadedBatch { plan, entries, .. } = loaded;
    let reports = history::reports(&plan, &entries);
    let todo: Vec<usize> = (0..plan.rows.len())
        .filter(|&i| !plan.rows[i].unchanged)
        .collect();
    let unchanged = plan.rows.len() - todo.len();
    let sent = entries.iter().flatten();
    let started = sent
        .clone()
        .map(|e| e.intent.time)
        .min()
        .unwrap_or(plan.created_at);
    let ended = sent
        .filter_map(|e| e.outcome.as_ref().map(|o| o.time))
        .max();
    let rows: Vec<bool> = plan.rows.iter().map(|r| r.unchanged).collect();
    let mut view = BatchView::new(Arc::new(plan), todo, unchanged, started);
    for (row, (report, entry)) in reports.into_iter().zip(entries).enumerate() {
        if let Some(e) = entry
            && !rows[row]
        {
            view.row_done(row, report, Some(LogEntry::from_entry(e)));
        }
    }
    view.phase = BatchPhase::Finished;
    view.finished_at = Some(ended.unwrap_or(started));
    view.earlier = true;
    view
}
