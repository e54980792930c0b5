//! The one write gate. Every Op that changes something passes here, from the console and
//! from the CLI alike, before it is journaled or sent.

use crate::core::op::Op;

/// What the active profile allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub profile: String,
    /// `--read-only` or `read_only = true`: changes are refused, reads still work.
    pub read_only: bool,
    /// `confirm = true`: every change asks first, naming the profile.
    pub confirm: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Ask the operator this question first; send only on yes.
    Confirm(String),
    /// Refused, with the reason; nothing is sent.
    Refuse(String),
}

/// Decides whether `op` may go out under `policy`.
pub fn check(op: &Op, policy: &Policy) -> Decision {
    if !op.is_mutation() {
        return Decision::Allow;
    }
    if policy.read_only {
        return Decision::Refuse(format!(
            "profile {} is read-only: \"{}\" was not sent",
            policy.profile,
            op.describe()
        ));
    }
    if policy.confirm {
        return Decision::Confirm(format!(
            "Profile {} asks for confirmation. {}?",
            policy.profile.to_uppercase(),
            op.describe()
        ));
    }
    Decision::Allow
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::{ApiField, PartnerId, PatronId};

    fn add() -> Op {
        Op::HiveAdd {
            patron: PatronId::parse("p").unwrap(),
            fields: vec![ApiField::parse("vip").unwrap()],
        }
    }

    fn policy(read_only: bool, confirm: bool) -> Policy {
        Policy {
            profile: "prod".into(),
            read_only,
            confirm,
        }
    }

    #[test]
    fn read_only_refuses_changes_but_not_reads() {
        let d = check(&add(), &policy(true, true));
        assert!(
            matches!(&d, Decision::Refuse(r) if r.contains("prod is read-only")),
            "{d:?}"
        );
        let read = Op::CeregoListUsers {
            partner: PartnerId::parse("1").unwrap(),
            query: None,
        };
        assert_eq!(check(&read, &policy(true, true)), Decision::Allow);
    }

    #[test]
    fn read_only_refuses_every_change_and_passes_every_read() {
        // Over one example of every Op variant: a new mutating Op cannot slip through a
        // read-only profile unnoticed.
        let locked = policy(true, false);
        for op in crate::core::op::one_of_each() {
            let d = check(&op, &locked);
            if op.is_mutation() {
                assert!(matches!(d, Decision::Refuse(_)), "{op:?}: {d:?}");
            } else {
                assert_eq!(d, Decision::Allow, "{op:?}");
            }
            // A change is never allowed without the operator on a confirm profile either.
            if op.is_mutation() {
                assert!(matches!(
                    check(&op, &policy(false, true)),
                    Decision::Confirm(_)
                ));
            }
        }
        let mutations = crate::core::op::one_of_each()
            .iter()
            .filter(|o| o.is_mutation())
            .count();
        assert_eq!(mutations, 4, "Hive add/remove, Cerego add/update");
    }

    #[test]
    fn confirm_profiles_ask_naming_the_profile() {
        let d = check(&add(), &policy(false, true));
        assert!(
            matches!(&d, Decision::Confirm(q) if q.contains("PROD") && q.contains("add vip")),
            "{d:?}"
        );
        assert_eq!(check(&add(), &policy(false, false)), Decision::Allow);
    }
}
