//! Undo from the console (`u` on the action log: an entry of this run or of the journal, or
//! a batch), and the offer to resume a batch an earlier run left unfinished — each opens a
//! preview first.

use chrono::{DateTime, Utc};

use crate::core::plan::{BatchOp, PlanRow};
use crate::engine::batch::{SavedPlan, history};
use crate::engine::journal::Entry;
use crate::tui::app::{App, BatchUse, Effect, Level};
use crate::tui::keymap::Action;
use crate::tui::popups::Popup;
use crate::tui::state::batch::BatchPhase;
use crate::tui::state::requests::RequestState;

impl App {
    /// `u` on the action log: the undo of the selected entry or batch, previewed.
    pub(in crate::tui) fn undo_selected(&mut self) -> Vec<Effect> {
        let Some(entry) = self.log.selected().cloned() else {
            self.set_status(Level::Info, "Nothing selected in the action log.");
            return Vec::new();
        };
        let (profile, demo) = (self.settings.profile.clone(), self.settings.demo);
        if !matches!(
            entry.state,
            RequestState::Batch { .. } | RequestState::EarlierBatch { .. }
        ) && self.refuse_repeat_undo(&entry.key)
        {
            return Vec::new();
        }
        let plan = match &entry.state {
            RequestState::Batch { .. } | RequestState::EarlierBatch { .. } => {
                return self.undo_batch(&entry.key);
            }
            RequestState::Pending { .. } => {
                self.set_status(
                    Level::Warn,
                    "That request has no outcome yet: nothing to undo.",
                );
                return Vec::new();
            }
            RequestState::FromJournal { entry: e, .. } => {
                let id = self.new_batch_id();
                history::undo_entry(e, id, &profile, demo)
            }
            RequestState::Done(reply) => {
                let Ok(output) = &reply.result else {
                    self.set_status(
                        Level::Info,
                        "That request failed: it changed nothing to undo.",
                    );
                    return Vec::new();
                };
                let id = self.new_batch_id();
                let single = single_undo(&reply.op, output, entry.prior.as_deref(), &entry.key);
                let mut plan = SavedPlan {
                    batch_id: id,
                    created_at: Utc::now(),
                    profile,
                    demo,
                    op: BatchOp::Undo,
                    source: None,
                    sha256: None,
                    data_rows: 0,
                    rows: Vec::new(),
                    skipped: Vec::new(),
                    undo_of: Some(entry.key.clone()),
                    notes: Vec::new(),
                    check_by_hand: Vec::new(),
                    retry_of: None,
                    audit: Default::default(),
                };
                match single {
                    Ok(row) => plan.rows.push(row),
                    Err(note) => plan.notes.push(note),
                }
                plan.data_rows = plan.rows.len();
                plan
            }
        };
        self.preview_undo(plan, &entry.key);
        Vec::new()
    }

    /// The undo of a batch, previewed: this run's (or one read back) from its rows'
    /// outcomes; an earlier run's is read back from the journal first.
    pub(in crate::tui) fn undo_batch(&mut self, batch_id: &str) -> Vec<Effect> {
        if self.refuse_repeat_undo(batch_id) {
            return Vec::new();
        }
        let Some(b) = self.batch(batch_id) else {
            return self.read_back(batch_id, BatchUse::Undo);
        };
        if b.phase != BatchPhase::Finished {
            self.set_status(
                Level::Warn,
                "The batch is still running: undo it once it has ended.",
            );
            return Vec::new();
        }
        if b.plan.op == BatchOp::Probe {
            self.set_status(
                Level::Info,
                "A probe is not undone: it ends with its patron holding none of its tags, and \
                 run again (S) it clears what an interrupted one left.",
            );
            return Vec::new();
        }
        // Every attempt of each row the console knows: those the journal held when the batch
        // was read back (an earlier run's, before a crash), then this run's — the same rule
        // as `tagdesk batch undo`, which reads every attempt in the journal.
        let journaled = self.journaled.get(batch_id);
        let entries: Vec<Vec<Entry>> = (0..b.plan.rows.len())
            .map(|i| {
                let mut attempts: Vec<Entry> = journaled
                    .and_then(|rows| rows.get(i))
                    .cloned()
                    .unwrap_or_default();
                if let Some(e) = b.entries.get(&i).and_then(|e| e.history())
                    && !attempts.iter().any(|a| a.intent.id == e.intent.id)
                {
                    attempts.push(e.clone());
                }
                attempts
            })
            .collect();
        let original = b.plan.clone();
        let id = self.new_batch_id();
        let (profile, demo) = (self.settings.profile.clone(), self.settings.demo);
        let plan = history::undo_plan(&original, &entries, id, &profile, demo);
        self.preview_undo(plan, batch_id);
        Vec::new()
    }

    /// Opens an undo's preview, or says why there is nothing to undo.
    fn preview_undo(&mut self, plan: SavedPlan, of: &str) {
        if plan.rows.is_empty() {
            let why = plan.notes.join("; ");
            self.set_status(
                Level::Info,
                if why.is_empty() {
                    "Nothing to undo.".to_string()
                } else {
                    format!("Nothing to undo: {why}.")
                },
            );
            return;
        }
        let from = format!("undo of {}", self.cx().known().undone(of));
        self.open_preview(plan, Vec::new(), None, false, from);
    }

    /// An interrupted batch's resume, as a preview of only the rows to send again, each
    /// with its last known outcome (`last`, by plan row).
    pub fn offer_resume(
        &mut self,
        plan: SavedPlan,
        todo: Vec<usize>,
        last: std::collections::HashMap<usize, String>,
    ) {
        if self.patrons_loading() {
            // Its preview predicts from the known patrons: it is offered once they are in.
            self.resume_waiting = Some(Box::new(super::ResumeOffer { plan, todo, last }));
            return;
        }
        let from = format!(
            "resume of {} ({})",
            crate::tui::state::words::batch_what(plan.op.name(), plan.source.as_deref()),
            crate::core::printable::plural(plan.rows.len() as u64, "row", "rows"),
        );
        let mut preview_plan = plan;
        preview_plan.notes.insert(
            0,
            format!(
                "This batch was interrupted: {} never sent or without a known outcome. Enter \
                 sends them again (they converge); Esc leaves it ({} lists it again; `tagdesk \
                 batch resume` later).",
                crate::core::printable::plural(todo.len() as u64, "row was", "rows were"),
                self.key_label(crate::tui::keymap::Action::Batches)
            ),
        );
        self.open_preview(preview_plan, Vec::new(), None, true, from);
        if let Some(Popup::Preview(p)) = &mut self.popup {
            p.todo = todo;
            p.last = last;
        }
    }
}

/// The undo row of one reply of this run.
fn single_undo(
    op: &crate::core::op::Op,
    output: &crate::core::op::Output,
    prior: Option<&str>,
    key: &str,
) -> Result<PlanRow, String> {
    use crate::core::op::inverse::{Inverse, inverse};
    match inverse(op, output, prior) {
        Inverse::Op { op: undo, .. } => Ok(PlanRow {
            lines: Vec::new(),
            // What the undo replaces: the value the original update set.
            prior: crate::core::op::inverse::undo_prior(op),
            op: undo,
            unchanged: false,
            want: None,
            warnings: Vec::new(),
            seen: Default::default(),
            expect: None,
            source: Vec::new(),
        }),
        Inverse::Nothing(why) | Inverse::Impossible(why) => Err(format!("{key}: {why}")),
    }
}

impl App {
    /// The finished undo of `id` (a batch or a journal entry) the console knows of — this
    /// run's, an earlier run's from the history or the batches view — and when it ran.
    fn earlier_undo(&self, id: &str) -> Option<(String, DateTime<Utc>)> {
        let this_run = self
            .batches
            .iter()
            .filter(|b| b.plan.undo_of.as_deref() == Some(id))
            .filter(|b| b.phase == BatchPhase::Finished && b.done() == b.todo.len())
            .map(|b| {
                (
                    b.plan.batch_id.clone(),
                    b.finished_at.unwrap_or(b.started_at),
                )
            });
        let listed = self
            .listing
            .batches
            .iter()
            .filter(|b| b.undo_of.as_deref() == Some(id))
            .filter(|b| b.state == crate::engine::batch::history::BatchState::Finished)
            .map(|b| (b.batch_id.clone(), b.ended_at.unwrap_or(b.created_at)));
        let history = self
            .earlier_undos
            .iter()
            .filter(|(of, _, _)| of == id)
            .map(|(_, by, at)| (by.clone(), *at));
        this_run
            .chain(listed)
            .chain(history)
            .max_by_key(|(_, at)| *at)
    }

    /// An undo of something already undone is not started again at once: the console says
    /// when it was undone, and a second press goes on (as the CLI's `--again`).
    fn refuse_repeat_undo(&mut self, id: &str) -> bool {
        let Some((by, at)) = self.earlier_undo(id) else {
            return false;
        };
        if self.undo_again.as_deref() == Some(id) {
            self.undo_again = None;
            return false;
        }
        let at = self.local(at).format("%Y-%m-%d %H:%M:%S");
        let text = format!(
            "Already undone at {at} (batch {by}): press {} again to undo it again.",
            self.key_label(Action::Undo)
        );
        self.set_status(Level::Warn, text);
        self.undo_again = Some(id.to_string());
        true
    }

    /// Keeps every attempt the journal holds of a batch's rows, for its undo.
    pub fn remember_attempts(&mut self, batch_id: &str, attempts: Vec<Vec<Entry>>) {
        if attempts.iter().any(|a| !a.is_empty()) {
            self.journaled.insert(batch_id.to_string(), attempts);
        }
    }
}
