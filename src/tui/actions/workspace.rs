//! The saved workspace arriving after the first frame: the console starts at once and reads
//! the known Hive patrons and the look-ups off the UI thread (at 100,000 known patrons that
//! takes a few hundred milliseconds). Until they arrive:
//!
//! - nothing acts on the known patrons as if they were all there is: a Hive add or remove
//!   form, opening a patron, a Hive batch's preview and a resume offer wait, saying so
//!   (`keymap::availability`, [`App::waits_for_patrons`]);
//! - whatever this run learns of Hive patrons all the same (a reply to an undo or a resent
//!   entry) is kept as it was learned, and replayed onto the saved patrons when they arrive
//!   — the fold is the same function of (request, answer, time) either way, so the result is
//!   what it would have been had the workspace been there from the start;
//! - nothing is saved (a save then would overwrite what is saved with a partial view); once
//!   the workspace is in, what this run learned is saved on top of it, and the look-ups made
//!   meanwhile come first in the merged list.

use chrono::{DateTime, Utc};

use crate::core::domain::PatronId;
use crate::core::model::KnownState;
use crate::core::op::{ApiError, Op, Output, Service};
use crate::engine::workspace::{MAX_LOOKUPS, Workspace};
use crate::tui::app::{App, Effect, Level};

/// What this run learned of Hive patrons before the saved ones arrived.
#[derive(Debug, Clone)]
pub enum Learned {
    /// A patron opened by hand.
    Opened(PatronId),
    /// A Hive reply, folded as it came.
    Reply(Box<LearnedReply>),
}

/// A Hive reply as it was folded: the request, its answer, when.
#[derive(Debug, Clone)]
pub struct LearnedReply {
    op: Op,
    result: Result<Output, ApiError>,
    at: DateTime<Utc>,
}

/// A resume offer held until the known patrons are in.
#[derive(Debug, Clone)]
pub struct ResumeOffer {
    pub plan: crate::engine::batch::SavedPlan,
    pub todo: Vec<usize>,
    pub last: std::collections::HashMap<usize, String>,
}

/// What the operator is told while the known patrons load.
pub fn loading_text() -> String {
    "Loading the known Hive patrons (their last-confirmed tags are needed first); try again \
     in a moment."
        .into()
}

impl App {
    /// Whether the saved workspace (known patrons, look-ups) is still being read.
    pub fn patrons_loading(&self) -> bool {
        self.hive_pending.is_some()
    }

    /// Records a Hive reply folded before the saved patrons arrived (see the module).
    pub(in crate::tui) fn learned_reply(
        &mut self,
        op: &Op,
        result: &Result<Output, ApiError>,
        at: DateTime<Utc>,
    ) {
        if let Some(pending) = &mut self.hive_pending
            && op.service() == Service::Hive
        {
            pending.push(Learned::Reply(Box::new(LearnedReply {
                op: op.clone(),
                result: result.clone(),
                at,
            })));
        }
    }

    /// Records a patron opened by hand before the saved patrons arrived.
    pub(in crate::tui) fn learned_open(&mut self, id: &PatronId) {
        if let Some(pending) = &mut self.hive_pending {
            pending.push(Learned::Opened(id.clone()));
        }
    }

    /// Whether a plan must wait for the known patrons (it has Hive rows, and they are still
    /// loading): says so when it must.
    pub(in crate::tui) fn waits_for_patrons(
        &mut self,
        ops: impl IntoIterator<Item = Service>,
    ) -> bool {
        let waits = self.patrons_loading() && ops.into_iter().any(|s| s == Service::Hive);
        if waits {
            self.set_status(Level::Info, loading_text());
        }
        waits
    }

    /// The saved workspace arrived: its patrons, with what this run learned meanwhile on
    /// top; the look-ups merged; a waiting resume offer shown; what changed saved.
    pub(in crate::tui) fn workspace_loaded(
        &mut self,
        workspace: Workspace,
        problem: Option<String>,
    ) -> Vec<Effect> {
        let Some(learned) = self.hive_pending.take() else {
            // Loaded already (or never to be loaded): nothing to merge.
            return Vec::new();
        };
        let Workspace {
            patrons,
            cerego_lookups,
            ..
        } = workspace;
        let mut state = KnownState::with_patrons(patrons);
        for l in learned {
            match l {
                Learned::Opened(id) => {
                    state.hive.open(&id);
                }
                Learned::Reply(r) => {
                    state.apply_result(&r.op, &r.result, r.at);
                }
            }
        }
        let keep = self.selected_patron().map(|p| p.id.clone());
        self.known.hive = state.hive;
        let keep = keep.and_then(|id| self.known.hive.position(&id));
        let patrons = self.known.hive.patrons();
        self.hive.list.rebuild(
            patrons.len(),
            |i, s| super::lists::patron_haystack(&patrons[i], s),
            keep,
        );
        for l in cerego_lookups {
            if !self.settings.lookups.contains(&l) {
                self.settings.lookups.push(l);
            }
        }
        self.settings.lookups.truncate(MAX_LOOKUPS);
        if let Some(problem) = problem {
            self.set_status(Level::Warn, problem);
        } else if self
            .status
            .as_ref()
            .is_some_and(|(_, text)| *text == loading_text())
        {
            self.set_status(
                Level::Info,
                format!(
                    "{} known Hive patrons loaded.",
                    crate::core::printable::grouped(self.known.hive.len() as u64)
                ),
            );
        }
        if let Some(offer) = self.resume_waiting.take() {
            self.offer_resume(offer.plan, offer.todo, offer.last);
        }
        self.save_effect().into_iter().collect()
    }
}
