//! Hive outcome classification: which documented scenario a response belongs to, the
//! message the documentation gives for it, and whether the server said exactly that.
//!
//! The scenario is derived from the arrays alone, never from the message, so a server whose
//! wording drifts is still classified correctly and the drift is shown as a MISMATCH.

use serde::{Deserialize, Serialize};

/// Add or remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HiveAction {
    Add,
    Remove,
}

impl HiveAction {
    pub fn name(self) -> &'static str {
        match self {
            HiveAction::Add => "add",
            HiveAction::Remove => "remove",
        }
    }
}

impl super::Op {
    /// A Hive add or remove: its patron, its api_fields and which it is; None for any
    /// other Op.
    pub fn hive_change(&self) -> Option<(&super::PatronId, &[super::ApiField], HiveAction)> {
        use super::Op;
        match self {
            Op::HiveAdd { patron, fields } => Some((patron, fields, HiveAction::Add)),
            Op::HiveRemove { patron, fields } => Some((patron, fields, HiveAction::Remove)),
            Op::CeregoAdd { .. }
            | Op::CeregoUpdate { .. }
            | Op::CeregoSet { .. }
            | Op::CeregoListUsers { .. }
            | Op::CeregoProfile
            | Op::Raw(_) => None,
        }
    }
}

/// Which of the three per-tag arrays of a response are non-empty.
///
/// `changed` is `added_tag_ids` / `removed_tag_ids`; `unchanged` is `pre_existing_tag_ids` /
/// `non_existent_tag_ids`; `failed` is `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scenario {
    pub action: HiveAction,
    pub changed: bool,
    pub unchanged: bool,
    pub failed: bool,
}

/// How the operator should read a scenario at a glance (drives the colour in the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Every tag ended up as asked and at least one changed.
    Applied,
    /// Nothing failed and nothing changed: every tag already was as asked.
    AlreadyThere,
    /// Some tags changed and some failed.
    Partial,
    /// Nothing changed and at least one tag failed.
    Nothing,
}

/// Whether the server's message is the documented one for the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageCheck {
    Match,
    /// The server said something else (shown verbatim next to the documented text).
    Mismatch,
    /// The arrays are all empty: the documentation has no message for that.
    Undocumented,
}

/// The 14 documented scenarios, in the documentation's tables' order (add, then remove;
/// each: changed only, changed + unchanged, changed + failed, all three, unchanged only,
/// unchanged + failed, failed only).
pub const DOCUMENTED: [Scenario; 14] = {
    const fn s(action: HiveAction, changed: bool, unchanged: bool, failed: bool) -> Scenario {
        Scenario {
            action,
            changed,
            unchanged,
            failed,
        }
    }
    use HiveAction::{Add, Remove};
    [
        s(Add, true, false, false),
        s(Add, true, true, false),
        s(Add, true, false, true),
        s(Add, true, true, true),
        s(Add, false, true, false),
        s(Add, false, true, true),
        s(Add, false, false, true),
        s(Remove, true, false, false),
        s(Remove, true, true, false),
        s(Remove, true, false, true),
        s(Remove, true, true, true),
        s(Remove, false, true, false),
        s(Remove, false, true, true),
        s(Remove, false, false, true),
    ]
};

/// An error code the Hive documentation lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DocumentedError {
    pub status: u16,
    pub error_code: &'static str,
    pub when: &'static str,
}

/// The three documented error codes.
pub const DOCUMENTED_ERRORS: [DocumentedError; 3] = [
    DocumentedError {
        status: 400,
        error_code: "PARAM_REQUIRED",
        when: "a required parameter is missing or empty",
    },
    DocumentedError {
        status: 400,
        error_code: "INVALID_PATRON",
        when: "remove only: no patron has that patron_id",
    },
    DocumentedError {
        status: 403,
        error_code: "INVALID_API_KEY",
        when: "no application matches the key",
    },
];

impl Scenario {
    pub fn from_counts(
        action: HiveAction,
        changed: usize,
        unchanged: usize,
        failed: usize,
    ) -> Self {
        Self {
            action,
            changed: changed > 0,
            unchanged: unchanged > 0,
            failed: failed > 0,
        }
    }

    /// The message the public documentation gives for this scenario, character for character.
    pub fn documented_message(&self) -> Option<&'static str> {
        use HiveAction::*;
        Some(
            match (self.action, self.changed, self.unchanged, self.failed) {
                (Add, true, false, false) => "Successfully added tags to patron.",
                (Add, true, true, false) => {
                    "Successfully added tags to patron. Some tags may already exist on patron."
                }
                (Add, true, false, true) => "Some tags were added. Some tags failed to add.",
                (Add, true, true, true) => {
                    "Some tags were added. Some tags may already exist on patron. Some tags failed to add."
                }
                (Add, false, true, false) => {
                    "No tags were added. All tags already exist on patron."
                }
                (Add, false, true, true) => {
                    "No tags were added. Some tags may already exist on patron. Some tags failed to add."
                }
                (Add, false, false, true) => "No tags were added. All tags failed to add.",
                (Remove, true, false, false) => "Successfully removed tags from patron.",
                (Remove, true, true, false) => {
                    "Successfully removed tags from patron. Some tags may not exist on patron."
                }
                (Remove, true, false, true) => {
                    "Some tags were removed. Some tags failed to remove."
                }
                (Remove, true, true, true) => {
                    "Some tags were removed. Some tags may not exist on patron. Some tags failed to remove."
                }
                (Remove, false, true, false) => {
                    "No tags were removed. All tags do not exist on patron."
                }
                (Remove, false, true, true) => {
                    "No tags were removed. Some tags do not exist on patron. Some tags failed to remove."
                }
                (Remove, false, false, true) => "No tags were removed. All tags failed to remove.",
                (_, false, false, false) => return None,
            },
        )
    }

    /// A short name for the scenario in the documentation's own terms.
    pub fn label(&self) -> &'static str {
        use HiveAction::*;
        match (self.action, self.changed, self.unchanged, self.failed) {
            (Add, true, false, false) => "all tags added",
            (Add, true, true, false) => "added + some already exist",
            (Add, true, false, true) => "added + some failed",
            (Add, true, true, true) => "added + some already exist + some failed",
            (Add, false, true, false) => "all tags already exist",
            (Add, false, true, true) => "all tags already exist + some failed",
            (Add, false, false, true) => "all tags failed to add",
            (Remove, true, false, false) => "all tags removed",
            (Remove, true, true, false) => "removed + some don't exist",
            (Remove, true, false, true) => "removed + some failed",
            (Remove, true, true, true) => "removed + some don't exist + some failed",
            (Remove, false, true, false) => "all tags don't exist",
            (Remove, false, true, true) => "all tags don't exist + some failed",
            (Remove, false, false, true) => "all tags failed to remove",
            (_, false, false, false) => "empty response (undocumented)",
        }
    }

    pub fn severity(&self) -> Severity {
        match (self.changed, self.failed) {
            (true, false) => Severity::Applied,
            (true, true) => Severity::Partial,
            (false, true) => Severity::Nothing,
            (false, false) => {
                if self.unchanged {
                    Severity::AlreadyThere
                } else {
                    Severity::Nothing
                }
            }
        }
    }

    /// Compares the server's message with the documented one, byte for byte.
    pub fn check(&self, server_message: Option<&str>) -> MessageCheck {
        match self.documented_message() {
            None => MessageCheck::Undocumented,
            Some(doc) if server_message == Some(doc) => MessageCheck::Match,
            Some(_) => MessageCheck::Mismatch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_list_is_the_table_in_order() {
        let listed: Vec<&str> = DOCUMENTED
            .iter()
            .map(|s| s.documented_message().unwrap())
            .collect();
        let table: Vec<&str> = TABLE.iter().map(|t| t.4).collect();
        assert_eq!(listed, table);
    }

    /// Every documented scenario, as (action, changed, unchanged, failed, message), copied
    /// from the seed document's two tables.
    const TABLE: [(HiveAction, bool, bool, bool, &str); 14] = [
        (
            HiveAction::Add,
            true,
            false,
            false,
            "Successfully added tags to patron.",
        ),
        (
            HiveAction::Add,
            true,
            true,
            false,
            "Successfully added tags to patron. Some tags may already exist on patron.",
        ),
        (
            HiveAction::Add,
            true,
            false,
            true,
            "Some tags were added. Some tags failed to add.",
        ),
        (
            HiveAction::Add,
            true,
            true,
            true,
            "Some tags were added. Some tags may already exist on patron. Some tags failed to add.",
        ),
        (
            HiveAction::Add,
            false,
            true,
            false,
            "No tags were added. All tags already exist on patron.",
        ),
        (
            HiveAction::Add,
            false,
            true,
            true,
            "No tags were added. Some tags may already exist on patron. Some tags failed to add.",
        ),
        (
            HiveAction::Add,
            false,
            false,
            true,
            "No tags were added. All tags failed to add.",
        ),
        (
            HiveAction::Remove,
            true,
            false,
            false,
            "Successfully removed tags from patron.",
        ),
        (
            HiveAction::Remove,
            true,
            true,
            false,
            "Successfully removed tags from patron. Some tags may not exist on patron.",
        ),
        (
            HiveAction::Remove,
            true,
            false,
            true,
            "Some tags were removed. Some tags failed to remove.",
        ),
        (
            HiveAction::Remove,
            true,
            true,
            true,
            "Some tags were removed. Some tags may not exist on patron. Some tags failed to remove.",
        ),
        (
            HiveAction::Remove,
            false,
            true,
            false,
            "No tags were removed. All tags do not exist on patron.",
        ),
        (
            HiveAction::Remove,
            false,
            true,
            true,
            "No tags were removed. Some tags do not exist on patron. Some tags failed to remove.",
        ),
        (
            HiveAction::Remove,
            false,
            false,
            true,
            "No tags were removed. All tags failed to remove.",
        ),
    ];

    #[test]
    fn all_fourteen_scenarios_have_their_documented_message() {
        for (action, c, u, f, message) in TABLE {
            let s = Scenario::from_counts(action, c as usize * 2, u as usize, f as usize * 3);
            assert_eq!(s.documented_message(), Some(message), "{s:?}");
            assert_eq!(s.check(Some(message)), MessageCheck::Match, "{s:?}");
        }
    }

    #[test]
    fn a_different_message_is_a_mismatch() {
        let s = Scenario::from_counts(HiveAction::Remove, 0, 1, 1);
        // The documented text says "Some tags do not exist", not "may not exist".
        assert_eq!(
            s.check(Some(
                "No tags were removed. Some tags may not exist on patron. Some tags failed to remove."
            )),
            MessageCheck::Mismatch
        );
        assert_eq!(s.check(None), MessageCheck::Mismatch);
        // A trailing space is already a mismatch: the comparison is byte for byte.
        assert_eq!(
            Scenario::from_counts(HiveAction::Add, 1, 0, 0)
                .check(Some("Successfully added tags to patron. ")),
            MessageCheck::Mismatch
        );
    }

    #[test]
    fn empty_arrays_are_undocumented() {
        let s = Scenario::from_counts(HiveAction::Add, 0, 0, 0);
        assert_eq!(s.documented_message(), None);
        assert_eq!(s.check(Some("anything")), MessageCheck::Undocumented);
        assert_eq!(s.severity(), Severity::Nothing);
    }

    #[test]
    fn severity_follows_the_arrays() {
        let sev = |c, u, f| Scenario::from_counts(HiveAction::Add, c, u, f).severity();
        assert_eq!(sev(1, 0, 0), Severity::Applied);
        assert_eq!(sev(1, 1, 0), Severity::Applied);
        assert_eq!(sev(1, 0, 1), Severity::Partial);
        assert_eq!(sev(0, 1, 0), Severity::AlreadyThere);
        assert_eq!(sev(0, 1, 1), Severity::Nothing);
        assert_eq!(sev(0, 0, 1), Severity::Nothing);
    }
}
