//! A reply arrives: settle its log entry, fold it into what is known (`core::model`), then
//! let the view follow and say what happened.

use crate::core::model::Folded;
use crate::core::op::cerego::CeregoUser;
use crate::core::op::scenario::Severity;
use crate::core::op::{ApiError, Op};
use crate::core::printable::plural;
use crate::engine::backend::Reply;
use crate::tui::app::{App, Effect, Level};
use crate::tui::keymap::Action;

impl App {
    /// A backend reply: settle its log line, fold the result into what is known
    /// (`core::model`), then let the view follow and say what happened.
    pub(in crate::tui) fn on_reply(&mut self, reply: Reply) -> Vec<Effect> {
        // A Cerego change's line says what it changed, in its own words.
        let words = self
            .log
            .pending(reply.id)
            .and_then(|e| self.change_words(&e.op, e.prior.as_deref()));
        if !self.log.settle_worded(&reply, words.as_deref()) {
            // Not ours (or no longer wanted).
            return Vec::new();
        }
        if let Some(problem) = &reply.journal_error {
            self.set_status(Level::Error, problem.clone());
        }
        let journal_ok = reply.journal_error.is_none();
        let folded = self
            .known
            .apply_result(&reply.op, &reply.result, reply.finished_at);
        self.learned_reply(&reply.op, &reply.result, reply.finished_at);
        if let (Folded::ListingFailed, Err(e)) = (&folded, &reply.result) {
            self.cerego.load = crate::tui::app::Load::Failed(e.to_string());
        }
        let effects = self.show_fold(folded, journal_ok);
        if let Err(e) = &reply.result
            && journal_ok
        {
            self.say_failure(&reply.op, e);
        }
        effects
    }

    /// The view after a fold: selection, filters, load state, the status line.
    pub(in crate::tui) fn show_fold(&mut self, folded: Folded, journal_ok: bool) -> Vec<Effect> {
        match folded {
            Folded::Nothing | Folded::TagCreated { .. } | Folded::TagUpdated { .. } => {
                if let Folded::TagCreated { tag_id } | Folded::TagUpdated { tag_id } = &folded
                    && journal_ok
                {
                    let verb = if matches!(folded, Folded::TagCreated { .. }) {
                        "created"
                    } else {
                        "updated"
                    };
                    self.set_status(Level::Info, format!("Cerego {verb} tag {tag_id}."));
                }
                Vec::new()
            }
            Folded::TagsSet { user, known } => {
                if journal_ok {
                    if known {
                        self.set_status(
                            Level::Info,
                            format!("Cerego set the tags of user {user}."),
                        );
                    } else {
                        self.set_status(
                            Level::Info,
                            format!(
                                "Cerego set the tags of user {user}; the response did not list \
                                 them: press {} to reload and see the new tag.",
                                self.key_label(Action::Refresh)
                            ),
                        );
                    }
                }
                Vec::new()
            }
            Folded::Listed { cut } => {
                self.cerego.progress = None;
                self.cerego.load = crate::tui::app::Load::Loaded;
                self.refilter_cerego();
                if let Some(cut) = cut
                    && journal_ok
                {
                    let msg = format!(
                        "Showing {}: {cut}. Press {} to look up others.",
                        plural(self.known.cerego.len() as u64, "user", "users"),
                        self.key_label(Action::Lookup)
                    );
                    self.set_status(Level::Warn, msg);
                }
                // The list as it now is, for the next start (off the UI thread).
                self.cache_effect().into_iter().collect()
            }
            Folded::ListingFailed => {
                // The reason is the failure's (see `say_failure`).
                self.cerego.progress = None;
                Vec::new()
            }
            Folded::LookedUp { query, found } => {
                // A look-up: what was found is in the list now; select the first.
                if self.cerego.load != crate::tui::app::Load::Loaded {
                    self.cerego.load = crate::tui::app::Load::Loaded;
                }
                self.cerego.list.clear_filter();
                self.refilter_cerego();
                if let Some(index) = found.first().and_then(|id| self.known.cerego.position(id)) {
                    self.cerego.list.select_index(index);
                }
                let n = found.len();
                if journal_ok {
                    self.set_status(
                        if n == 0 { Level::Warn } else { Level::Info },
                        format!(
                            "Look-up \"{query}\": {} found.",
                            plural(n as u64, "user", "users")
                        ),
                    );
                }
                // Only a look-up that found someone is worth recalling (↑ in the form); one
                // that failed or found no one is not kept.
                if n == 0 {
                    return Vec::new();
                }
                let lookups = &mut self.settings.lookups;
                lookups.retain(|q| *q != query);
                lookups.insert(0, query);
                lookups.truncate(crate::engine::workspace::MAX_LOOKUPS);
                self.save_effect().into_iter().collect()
            }
            Folded::Patron { id, outcome } => {
                self.refilter_hive();
                self.hive.marked.clear();
                if journal_ok {
                    let level = match outcome.scenario().severity() {
                        Severity::Applied | Severity::AlreadyThere => Level::Info,
                        Severity::Partial | Severity::Nothing => Level::Warn,
                    };
                    let message = outcome
                        .message
                        .clone()
                        .unwrap_or_else(|| "(no message in the response)".into());
                    self.set_status(
                        level,
                        format!("Hive {} on {id}: {message}", outcome.action.name()),
                    );
                }
                let len = self.selected_patron().map(|p| p.tags.len()).unwrap_or(0);
                self.hive.tag_selected = self.hive.tag_selected.min(len.saturating_sub(1));
                self.save_effect().into_iter().collect()
            }
            Folded::PatronUnknown { .. } => {
                self.refilter_hive();
                self.hive.marked.clear();
                self.save_effect().into_iter().collect()
            }
        }
    }

    /// The status line for a failed request: what failed, and what to do about it when
    /// there is something to do.
    pub(in crate::tui) fn say_failure(&mut self, op: &Op, e: &ApiError) {
        let message = if matches!(op, Op::CeregoListUsers { .. }) {
            format!("Loading Cerego users failed: {e}")
        } else if matches!(op, Op::CeregoAdd { .. }) && e.status() == Some(422) {
            format!(
                "Cerego refused the add: the user already has a tag of that type. Press {} to reload, then {} to edit it.",
                self.key_label(Action::Refresh),
                self.key_label(Action::Edit)
            )
        } else if matches!(op, Op::CeregoAdd { .. })
            && matches!(
                e,
                ApiError::Network { connect: false, .. } | ApiError::Timeout { .. }
            )
        {
            format!(
                "{e}: the tag may have been created; reload the user ({}) before adding again.",
                self.key_label(Action::Refresh)
            )
        } else if matches!(op, Op::HiveRemove { .. }) && e.code() == Some("INVALID_PATRON") {
            // The patron pane says what this means; the log line shows the error.
            return;
        } else {
            format!("{} failed: {e}", op.describe())
        };
        self.set_status(Level::Error, message);
    }

    /// Adds users that arrived (a page, a look-up), keeping the visible rows in step: the
    /// new users are appended and, when a filter is active, matched as they arrive: O(page).
    pub(in crate::tui) fn intake_users(&mut self, users: Vec<CeregoUser>) {
        self.known.cerego.intake(users);
        self.sync_cerego();
    }
}
