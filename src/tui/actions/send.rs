//! Sending one Op: the write gate (confirm / refuse), no duplicate of a request in flight,
//! nothing new while a profile switch resolves, and the log entry made before it leaves.

use crate::core::gate::Decision;
use crate::core::op::Op;
use crate::engine::backend::Request;
use crate::tui::app::{App, Effect, Level};
use crate::tui::popups::{Confirm, Inspector, OnYes, Popup};

impl App {
    /// Sends an Op through the write gate: allowed Ops go out, confirm profiles ask first
    /// (unless the operator already confirmed in a dialog naming the profile), read-only
    /// profiles refuse with the reason in the status line.
    pub(in crate::tui) fn gate_and_send(&mut self, op: Op, confirmed: bool) -> Vec<Effect> {
        if self.refuse_while_switching() {
            return Vec::new();
        }
        if let Some(same) = self.log.iter().find(|e| e.is_pending() && e.op == op) {
            let at = self.local(same.started_at).format("%H:%M:%S");
            self.set_status(
                Level::Warn,
                format!(
                    "Same request already in flight (sent at {at}): nothing was sent. Wait for its outcome."
                ),
            );
            return Vec::new();
        }
        match crate::core::gate::check(&op, &self.settings.policy) {
            Decision::Allow => {}
            Decision::Confirm(_) if confirmed => {}
            Decision::Confirm(question) => {
                self.open(Popup::Confirm(Confirm {
                    title: format!(" {} ", self.settings.policy.profile.to_uppercase()),
                    // A Cerego change names the user and what it replaces.
                    lines: [question]
                        .into_iter()
                        .chain(self.confirm_words(&op))
                        .chain([
                            crate::core::gate::drives(op.service()).to_string(),
                            op.cli_command(&self.settings.place),
                        ])
                        .collect(),
                    yes: "send".into(),
                    on_yes: OnYes::Send(op),
                }));
                return Vec::new();
            }
            Decision::Refuse(reason) => {
                self.set_status(Level::Error, reason);
                return Vec::new();
            }
        }
        self.status = None;
        vec![self.log_and_send(op)]
    }

    /// The inspector's `r`: the entry's Op again, through the write gate, as a new entry
    /// (`confirmed`: the operator said yes to a question naming it and the profile); the
    /// inspector follows the new entry unless the gate asked something in its place.
    pub(in crate::tui) fn resend(&mut self, key: &str, confirmed: bool) -> Vec<Effect> {
        let Some(op) = self.entry(key).map(|e| e.op.clone()) else {
            return Vec::new();
        };
        self.send_and_follow(op, confirmed)
    }

    /// `op` through the write gate as a new entry, which the inspector then shows (unless
    /// the gate asked something in its place, or another popup is open).
    pub(in crate::tui) fn send_and_follow(&mut self, op: Op, confirmed: bool) -> Vec<Effect> {
        let before = self.log.len();
        let effects = self.gate_and_send(op, confirmed);
        let sent = self.log.len() > before;
        let showing = matches!(self.popup, None | Some(Popup::Inspector(_)));
        if sent
            && showing
            && let Some(entry) = self.log.entries().last()
        {
            let inspector = Inspector::new(entry.key.clone());
            self.open(Popup::Inspector(inspector));
        }
        effects
    }

    /// While a profile switch is resolving, nothing new is sent: a request started now would
    /// be abandoned by the switch without the operator having agreed to it.
    pub(in crate::tui) fn refuse_while_switching(&self) -> bool {
        // The status line says so while the switch runs (see `view::status_text`).
        self.switching.is_some()
    }

    /// Records an Op in the log as pending and returns the effect that sends it. The
    /// journal id is made here, so the log and the journal name the request alike.
    pub(in crate::tui) fn log_and_send(&mut self, op: Op) -> Effect {
        let id = self.next_id;
        self.next_id += 1;
        let journal_id = crate::engine::journal::new_id();
        // What it replaces, as far as tagdesk knows it: journaled with the intent, so the
        // change can be undone.
        let prior = self.prior_of(&op);
        self.log
            .push_pending(journal_id.clone(), id, self.now, op.clone(), prior.clone());
        Effect::Send(Request {
            id,
            op,
            journal_id,
            prior,
        })
    }
}
