//! Undo from **every attempt** of a request. A request whose first attempt landed but whose
//! answer was never journaled (kill -9, power loss, a full disk) is sent again by a resume,
//! and the second answer says "already there" / "not there": undo cannot read the change
//! from the latest answer alone. When any attempt's outcome is unknown, the undo reverses
//! what the row **asked**, from what tagdesk knew before the first attempt:
//!
//! - Hive add: remove every tag it asked to add, except one known to be on the patron
//!   before the first attempt (tagdesk's view when the plan was made, or an answer that
//!   came before the first unknown attempt said it pre-existed) and one Hive reported as
//!   failed.
//! - Hive remove: add back every tag an answer says it removed, and every tag tagdesk saw
//!   on the patron before the first attempt; a tag tagdesk knew to be absent stays absent;
//!   a tag tagdesk never saw cannot be decided: "check by hand".
//! - Cerego update or set: set back the value the **first** intent recorded (see
//!   [`super::inverse::inverse_from_prior`]).

use std::collections::BTreeMap;

use super::hive::HiveOutcome;
use super::{ApiField, Op};

/// What tagdesk can read of one attempt's ending, oldest first.
#[derive(Debug, Clone, Copy)]
pub enum Attempt<'a> {
    /// Answered, and the Hive arrays were read (confined to what the request asked).
    Hive(&'a HiveOutcome),
    /// Ended without taking effect (the server said no, or it was never sent).
    NoEffect,
    /// Nobody knows whether it took effect (no answer, an answer that cannot be read).
    Unknown,
}

/// The undo of a Hive row with an attempt of unknown outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiveUndo {
    /// The request that reverses what can be decided (None: nothing to send).
    pub op: Option<Op>,
    /// The tags whose fate cannot be decided: the operator checks them by hand.
    pub check_by_hand: Vec<String>,
}

/// The undo of a Hive add or remove (`op`) from all its attempts, when at least one is of
/// unknown outcome; `seen` is what tagdesk knew of each tag before the first attempt
/// (true: on the patron). None when `op` is not a Hive add or remove.
pub fn undo_hive_after_unknown(
    op: &Op,
    attempts: &[Attempt<'_>],
    seen: &BTreeMap<String, bool>,
) -> Option<HiveUndo> {
    let (patron, fields, action) = op.hive_change()?;
    let add = action == super::scenario::HiveAction::Add;
    let first_unknown = attempts
        .iter()
        .position(|a| matches!(a, Attempt::Unknown))
        .unwrap_or(attempts.len());
    let read: Vec<(usize, &HiveOutcome)> = attempts
        .iter()
        .enumerate()
        .filter_map(|(i, a)| match a {
            Attempt::Hive(o) => Some((i, *o)),
            Attempt::NoEffect | Attempt::Unknown => None,
        })
        .collect();
    let changed = |f: &str| read.iter().any(|(_, o)| o.changed.iter().any(|t| t == f));
    // "pre-existing" / "non-existent" from an answer before any attempt of unknown outcome:
    // the state before the row touched the patron.
    let unchanged_before = |f: &str| {
        read.iter()
            .any(|(i, o)| *i < first_unknown && o.unchanged.iter().any(|t| t == f))
    };
    let failed_last = |f: &str| {
        read.last()
            .is_some_and(|(_, o)| o.failed.iter().any(|t| t.api_field == f))
    };
    let mut back: Vec<ApiField> = Vec::new();
    let mut check = Vec::new();
    for field in fields {
        let f = field.as_str();
        let send = if changed(f) {
            true
        } else if unchanged_before(f) || failed_last(f) {
            false
        } else if add {
            // Removed unless tagdesk knew it was there before the first attempt.
            seen.get(f) != Some(&true)
        } else {
            match seen.get(f) {
                Some(true) => true,
                Some(false) => false,
                None => {
                    check.push(f.to_string());
                    false
                }
            }
        };
        if send && !back.contains(field) {
            back.push(field.clone());
        }
    }
    let op = (!back.is_empty()).then(|| {
        if add {
            Op::HiveRemove {
                patron: patron.clone(),
                fields: back,
            }
        } else {
            Op::HiveAdd {
                patron: patron.clone(),
                fields: back,
            }
        }
    });
    Some(HiveUndo {
        op,
        check_by_hand: check,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::op::PatronId;
    use crate::core::op::scenario::HiveAction;

    fn fields(list: &[&str]) -> Vec<ApiField> {
        list.iter().map(|f| ApiField::parse(f).unwrap()).collect()
    }

    fn answer(action: HiveAction, changed: &[&str], unchanged: &[&str]) -> HiveOutcome {
        HiveOutcome {
            action,
            message: None,
            patron_id: Some("p".into()),
            changed: changed.iter().map(|s| s.to_string()).collect(),
            unchanged: unchanged.iter().map(|s| s.to_string()).collect(),
            failed: Vec::new(),
            missing_fields: Vec::new(),
            extra: Vec::new(),
            foreign_patron: None,
        }
    }

    fn patron() -> PatronId {
        PatronId::parse("p").unwrap()
    }

    #[test]
    fn an_add_resent_after_a_lost_answer_is_still_undone() {
        let op = Op::HiveAdd {
            patron: patron(),
            fields: fields(&["vip", "news", "old"]),
        };
        // The first attempt landed unseen; the resend says all three "already exist".
        let again = answer(HiveAction::Add, &[], &["vip", "news", "old"]);
        let seen = BTreeMap::from([("old".to_string(), true), ("news".to_string(), false)]);
        let undo = undo_hive_after_unknown(&op, &[Attempt::Unknown, Attempt::Hive(&again)], &seen)
            .unwrap();
        assert_eq!(
            undo.op,
            Some(Op::HiveRemove {
                patron: patron(),
                fields: fields(&["vip", "news"])
            }),
            "old was there before the first attempt: it stays"
        );
        assert!(undo.check_by_hand.is_empty());
    }

    #[test]
    fn a_remove_resent_after_a_lost_answer_adds_back_what_was_seen() {
        let op = Op::HiveRemove {
            patron: patron(),
            fields: fields(&["vip", "gone", "never_seen"]),
        };
        let again = answer(HiveAction::Remove, &[], &["vip", "gone", "never_seen"]);
        let seen = BTreeMap::from([("vip".to_string(), true), ("gone".to_string(), false)]);
        let undo = undo_hive_after_unknown(&op, &[Attempt::Unknown, Attempt::Hive(&again)], &seen)
            .unwrap();
        assert_eq!(
            undo.op,
            Some(Op::HiveAdd {
                patron: patron(),
                fields: fields(&["vip"])
            })
        );
        assert_eq!(undo.check_by_hand, ["never_seen"]);
    }

    #[test]
    fn an_answer_before_the_unknown_attempt_tells_the_state_before() {
        let op = Op::HiveRemove {
            patron: patron(),
            fields: fields(&["a", "b"]),
        };
        let first = answer(HiveAction::Remove, &["a"], &["b"]);
        let undo = undo_hive_after_unknown(
            &op,
            &[Attempt::Hive(&first), Attempt::Unknown],
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(
            undo.op,
            Some(Op::HiveAdd {
                patron: patron(),
                fields: fields(&["a"])
            })
        );
        assert!(undo.check_by_hand.is_empty());
    }
}
