//! The one outcome vocabulary: how a request ended, in eight words, each with its glyph.
//! The action log, the inspector, the batch window, `batch show`, `--results`, the summary
//! counts and the exit code all read a request's ending from here, so "All tags already
//! exist" is `unchanged` (`=`) everywhere and "No tags were added… some failed" is `failed`
//! (`✗`) everywhere.

use serde::{Deserialize, Serialize};

use super::Output;
use super::hive::HiveOutcome;

/// How a request (a batch row, a single command) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    /// Answered: changed as asked (Hive: something added or removed, nothing failed).
    Ok,
    /// Answered: everything already was as asked (Hive: every tag pre-existing, or every
    /// tag non-existent; Cerego: the value was already set, so nothing was sent).
    Unchanged,
    /// Answered: some tags changed, some failed.
    Partial,
    /// Answered: nothing changed and something failed.
    Failed,
    /// An HTTP error status: the server said no.
    Refused,
    /// No usable answer (unreachable, timed out, an answer tagdesk cannot read, not sent for
    /// a local reason): whether it took effect is unknown.
    Error,
    /// The run that sent it ended before the answer: outcome unknown.
    Abandoned,
    /// Never sent (or in flight right now).
    Pending,
}

impl RowOutcome {
    /// Every outcome, in the order the legend and the counts list them.
    pub const ALL: [RowOutcome; 8] = [
        RowOutcome::Ok,
        RowOutcome::Unchanged,
        RowOutcome::Partial,
        RowOutcome::Failed,
        RowOutcome::Refused,
        RowOutcome::Error,
        RowOutcome::Abandoned,
        RowOutcome::Pending,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RowOutcome::Ok => "ok",
            RowOutcome::Unchanged => "unchanged",
            RowOutcome::Partial => "partial",
            RowOutcome::Failed => "failed",
            RowOutcome::Refused => "refused",
            RowOutcome::Error => "error",
            RowOutcome::Abandoned => "abandoned",
            RowOutcome::Pending => "pending",
        }
    }

    /// The glyph the action log, the batch window and the legend show.
    pub fn glyph(self) -> &'static str {
        match self {
            RowOutcome::Ok => "✓",
            RowOutcome::Unchanged => "=",
            RowOutcome::Partial => "◐",
            RowOutcome::Failed => "✗",
            RowOutcome::Refused => "⊘",
            RowOutcome::Error => "!",
            RowOutcome::Abandoned => "?",
            RowOutcome::Pending => "·",
        }
    }

    /// What the word means, for the legend and the help.
    pub fn meaning(self) -> &'static str {
        match self {
            RowOutcome::Ok => "changed as asked",
            RowOutcome::Unchanged => "everything already as asked",
            RowOutcome::Partial => "some changed, some failed",
            RowOutcome::Failed => "nothing changed, something failed",
            RowOutcome::Refused => "the server said no (an HTTP error status)",
            RowOutcome::Error => "no usable answer: outcome unknown",
            RowOutcome::Abandoned => "tagdesk ended before the answer: outcome unknown",
            RowOutcome::Pending => "not sent yet",
        }
    }

    /// Whether a resume sends the row again: it was never sent, or nobody knows whether it
    /// took effect.
    pub fn needs_resume(self) -> bool {
        matches!(
            self,
            RowOutcome::Pending | RowOutcome::Abandoned | RowOutcome::Error
        )
    }

    /// Whether nobody knows if the request took effect (it may have landed).
    pub fn unknown(self) -> bool {
        matches!(self, RowOutcome::Abandoned | RowOutcome::Error)
    }

    /// A request that ended in an error: an HTTP error status is `refused` (the server said
    /// no); anything else (unreachable, timed out, unreadable, not sent for a local reason)
    /// is `error`.
    pub fn of_error(e: &super::ApiError) -> RowOutcome {
        match e {
            super::ApiError::Http { .. } => RowOutcome::Refused,
            super::ApiError::Network { .. }
            | super::ApiError::Timeout { .. }
            | super::ApiError::Decode { .. }
            | super::ApiError::NotConfigured { .. }
            | super::ApiError::JournalUnwritable { .. }
            | super::ApiError::Local { .. } => RowOutcome::Error,
        }
    }

    /// A successful reply: a Hive answer by its arrays, anything else `ok`.
    pub fn of_output(output: &Output) -> RowOutcome {
        match output {
            Output::Hive(o) => RowOutcome::of_hive(o),
            Output::Tag(_)
            | Output::TagsSet(_)
            | Output::Users(_)
            | Output::KeyOwner(_)
            | Output::Raw { .. } => RowOutcome::Ok,
        }
    }

    /// A Hive answer, classified from its arrays (never from its message). An answer that
    /// names none of the tags asked for in any array — every array empty, or the answer
    /// was for another patron — says nothing about this request: `error`.
    pub fn of_hive(o: &HiveOutcome) -> RowOutcome {
        let s = o.scenario();
        if o.foreign_patron.is_some() {
            return RowOutcome::Error;
        }
        match (s.changed, s.unchanged, s.failed) {
            (true, _, false) => RowOutcome::Ok,
            (true, _, true) => RowOutcome::Partial,
            (false, _, true) => RowOutcome::Failed,
            (false, true, false) => RowOutcome::Unchanged,
            (false, false, false) => RowOutcome::Error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::op::hive::FailedTag;
    use crate::core::op::scenario::HiveAction;

    fn hive(changed: usize, unchanged: usize, failed: usize) -> HiveOutcome {
        HiveOutcome {
            action: HiveAction::Add,
            message: None,
            patron_id: Some("p".into()),
            changed: (0..changed).map(|i| format!("c{i}")).collect(),
            unchanged: (0..unchanged).map(|i| format!("u{i}")).collect(),
            failed: (0..failed)
                .map(|i| FailedTag {
                    api_field: format!("f{i}"),
                    reason: None,
                })
                .collect(),
            missing_fields: Vec::new(),
            extra: Vec::new(),
            foreign_patron: None,
        }
    }

    #[test]
    fn every_documented_scenario_has_one_word() {
        let of = |c, u, f| RowOutcome::of_hive(&hive(c, u, f));
        assert_eq!(of(1, 0, 0), RowOutcome::Ok);
        assert_eq!(of(1, 1, 0), RowOutcome::Ok);
        assert_eq!(of(1, 0, 1), RowOutcome::Partial);
        assert_eq!(of(1, 1, 1), RowOutcome::Partial);
        assert_eq!(of(0, 1, 0), RowOutcome::Unchanged);
        assert_eq!(of(0, 1, 1), RowOutcome::Failed);
        assert_eq!(of(0, 0, 1), RowOutcome::Failed);
        assert_eq!(of(0, 0, 0), RowOutcome::Error);
        let mut foreign = hive(1, 0, 0);
        foreign.foreign_patron = Some("someone_else".into());
        assert_eq!(RowOutcome::of_hive(&foreign), RowOutcome::Error);
    }

    #[test]
    fn the_glyphs_are_distinct() {
        let mut glyphs: Vec<&str> = RowOutcome::ALL.iter().map(|o| o.glyph()).collect();
        glyphs.sort_unstable();
        glyphs.dedup();
        assert_eq!(glyphs.len(), 8);
    }
}
