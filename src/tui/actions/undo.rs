//! Undo from the console (`u` on the action log: an entry of this run or of the journal, or
//! a batch), and the offer to resume a batch an earlier run left unfinished — each opens a
//! preview first.

use chrono::Utc;

use crate::core::plan::{BatchOp, PlanRow};
use crate::engine::batch::{SavedPlan, history};
use crate::engine::journal::Entry;
use crate::tui::app::{App, Level};
use crate::tui::popups::Popup;
use crate::tui::state::batch::BatchPhase;
use crate::tui::state::requests::RequestState;

impl App {
    /// `u` on the action log: the undo of the selected entry or batch, previewed.
    pub(in crate::tui) fn undo_selected(&mut self) {
        let Some(entry) = self.log.selected().cloned() else {
            self.set_status(Level::Info, "Nothing selected in the action log.");
            return;
        };
        let id = self.new_batch_id();
        let (profile, demo) = (self.settings.profile.clone(), self.settings.demo);
        let plan = match &entry.state {
            RequestState::Batch { .. } => {
                let Some(b) = self.batch(&entry.key) else {
                    return;
                };
                if b.phase != BatchPhase::Finished {
                    self.set_status(
                        Level::Warn,
                        "The batch is still running: undo it once it has ended.",
                    );
                    return;
                }
                // The attempts the console has seen of each row (this run's): the same
                // rule as `tagdesk batch undo`, which reads every attempt in the journal.
                let attempts: Vec<Vec<Entry>> = (0..b.plan.rows.len())
                    .map(|i| {
                        b.entries
                            .get(&i)
                            .and_then(|e| e.history().cloned())
                            .into_iter()
                            .collect()
                    })
                    .collect();
                history::undo_plan(&b.plan, &attempts, id, &profile, demo)
            }
            RequestState::Pending { .. } => {
                self.set_status(
                    Level::Warn,
                    "That request has no outcome yet: nothing to undo.",
                );
                return;
            }
            RequestState::FromJournal { entry: e, .. } => {
                history::undo_entry(e, id, &profile, demo)
            }
            RequestState::Done(reply) => {
                let Ok(output) = &reply.result else {
                    self.set_status(
                        Level::Info,
                        "That request failed: it changed nothing to undo.",
                    );
                    return;
                };
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
                };
                match single {
                    Ok(row) => plan.rows.push(row),
                    Err(note) => plan.notes.push(note),
                }
                plan.data_rows = plan.rows.len();
                plan
            }
        };
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
        let from = format!("undo of {}", entry.key);
        self.open_preview(plan, Vec::new(), None, false, from);
    }

    /// An interrupted batch found at start: its unsent rows offered for resume.
    pub fn offer_resume(&mut self, plan: SavedPlan, todo: Vec<usize>) {
        let from = format!("resume of {}", plan.batch_id);
        let mut preview_plan = plan;
        preview_plan.notes.insert(
            0,
            format!(
                "This batch was interrupted: {} never sent or without a known outcome. Enter \
                 sends them again (they converge); Esc leaves it (`tagdesk batch resume` later).",
                crate::core::printable::plural(todo.len() as u64, "row was", "rows were")
            ),
        );
        self.open_preview(preview_plan, Vec::new(), None, true, from);
        if let Some(Popup::Preview(p)) = &mut self.popup {
            p.todo = todo;
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
        }),
        Inverse::Nothing(why) | Inverse::Impossible(why) => Err(format!("{key}: {why}")),
    }
}
