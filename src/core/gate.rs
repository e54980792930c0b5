//! The one write gate. Every Op that changes something passes here, from the console and
//! from the CLI alike, before it is journaled or sent.

use crate::core::op::{Op, Service};
use crate::core::plan::{BatchOp, TYPE_THE_COUNT_ABOVE};
use crate::core::printable::plural;

/// What the active profile allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub profile: String,
    /// `--read-only` or `read_only = true`: changes are refused, reads still work.
    pub read_only: bool,
    /// Read-only because of `--read-only` on the command line, not the profile's own
    /// `read_only = true` (the refusal then says so, not "profile X is read-only").
    pub read_only_flag: bool,
    /// `confirm = true`: every change asks first, naming the profile.
    pub confirm: bool,
    /// `require_approval = true`: a batch runs only from an approved plan file (`tagdesk
    /// apply`, which checks the approval itself); any other batch is refused.
    pub require_approval: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Ask the operator this question first; send only on yes.
    Confirm(String),
    /// Refused, with the reason; nothing is sent.
    Refuse(String),
}

impl Policy {
    /// Why changes are refused: `profile prod is read-only`, or `read-only (--read-only)`
    /// when only the command line made it so.
    pub fn read_only_why(&self) -> String {
        if self.read_only_flag {
            "read-only (--read-only)".to_string()
        } else {
            format!("profile {} is read-only", self.profile)
        }
    }
}

/// Decides whether `op` may go out under `policy`.
pub fn check(op: &Op, policy: &Policy) -> Decision {
    if !op.is_mutation() {
        return Decision::Allow;
    }
    if policy.read_only {
        return Decision::Refuse(format!(
            "{}: \"{}\" was not sent",
            policy.read_only_why(),
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

/// What a batch's gate decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanDecision {
    Allow,
    /// Ask once; `type_count`: the operator must type this number (a plan over
    /// [`crate::core::plan::TYPE_THE_COUNT_ABOVE`] requests).
    Confirm {
        question: String,
        type_count: Option<usize>,
    },
    Refuse(String),
}

/// What a service's tags drive downstream, said where a batch is confirmed.
pub fn downstream(service: Service) -> &'static str {
    match service {
        Service::Hive => {
            "Hive rules can use user tags as conditions and act on them (and assign tags \
             themselves)"
        }
        Service::Cerego => {
            "Cerego tag values drive Smart Groups, which can enrol users in courses \
             automatically"
        }
    }
}

/// What one change drives downstream, in a line short enough for a dialog at 80 columns
/// (said where a single change is confirmed; SPEC §1.7 and Hive's rules).
pub fn drives(service: Service) -> &'static str {
    match service {
        Service::Cerego => "Tag values drive Smart Groups: this may enrol the user in courses.",
        Service::Hive => "Hive moderation rules may act on this patron's user tags.",
    }
}

/// Gates a whole plan once: a read-only profile refuses it whole; a confirm profile asks
/// once, naming the profile, the request count, the operation and what the tags drive.
pub fn check_plan(op: BatchOp, service: Service, requests: usize, policy: &Policy) -> PlanDecision {
    if requests == 0 {
        return PlanDecision::Allow;
    }
    let what = format!(
        "{} ({})",
        plural(requests as u64, "request", "requests"),
        op.describe()
    );
    if policy.read_only {
        return PlanDecision::Refuse(format!(
            "{}: the batch of {what} was not sent",
            policy.read_only_why()
        ));
    }
    if policy.require_approval && op != BatchOp::Probe {
        return PlanDecision::Refuse(format!(
            "profile {} requires approval: the batch of {what} was not sent (write it with \
             --plan-out PLAN.json, have someone else run `tagdesk plan approve PLAN.json`, then \
             `tagdesk apply PLAN.json`)",
            policy.profile
        ));
    }
    if op == BatchOp::Probe {
        // Only a live application is probed as a batch (the console's `S`): always asked.
        return PlanDecision::Confirm {
            question: format!(
                "Send the probe's {what} to the live Hive application of profile {}? {}.",
                policy.profile.to_uppercase(),
                drives(Service::Hive).trim_end_matches('.')
            ),
            type_count: None,
        };
    }
    if policy.confirm {
        return PlanDecision::Confirm {
            question: format!(
                "Profile {} asks for confirmation. Send {what} through {}? {}.",
                policy.profile.to_uppercase(),
                service.name(),
                downstream(service)
            ),
            type_count: (requests > TYPE_THE_COUNT_ABOVE).then_some(requests),
        };
    }
    PlanDecision::Allow
}

/// Gates a probe (`tagdesk probe hive`, `S` on a live profile): a read-only profile refuses
/// it; a live application is asked once, told what the probe creates and sends; the demo
/// simulator asks only on a `confirm = true` profile.
pub fn check_probe(
    policy: &Policy,
    live: bool,
    patron: &str,
    fields: [&str; 2],
    requests: usize,
) -> PlanDecision {
    if policy.read_only {
        return PlanDecision::Refuse(format!(
            "{}: the probe was not sent (it adds and removes tags)",
            policy.read_only_why()
        ));
    }
    if !live && !policy.confirm {
        return PlanDecision::Allow;
    }
    let [a, b] = fields;
    PlanDecision::Confirm {
        question: format!(
            "Probe the Hive application of profile {}: {} to patron {patron} (Hive creates \
             it on the first add if it does not exist yet), adding and removing {a} and {b} \
             and a made-up api_field no application has, a remove on a made-up patron id, \
             one request with an empty list and one with a wrong key. The patron ends \
             holding neither {a} nor {b}. {}. Send it?",
            policy.profile.to_uppercase(),
            plural(requests as u64, "request", "requests"),
            drives(Service::Hive).trim_end_matches('.')
        ),
        type_count: None,
    }
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
            read_only_flag: false,
            confirm,
            require_approval: false,
        }
    }

    #[test]
    fn read_only_by_the_command_line_does_not_blame_the_profile() {
        let flag = Policy {
            read_only_flag: true,
            ..policy(true, false)
        };
        let d = check(&add(), &flag);
        assert!(
            matches!(&d, Decision::Refuse(r) if r.starts_with("read-only (--read-only): \"Hive")
                && !r.contains("profile")),
            "{d:?}"
        );
        let d = check_plan(BatchOp::HiveAdd, Service::Hive, 2, &flag);
        assert!(
            matches!(&d, PlanDecision::Refuse(r) if r.starts_with("read-only (--read-only): the batch of 2 requests")),
            "{d:?}"
        );
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
            departments: false,
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
        assert_eq!(
            mutations, 6,
            "Hive add/remove, Cerego add/update/set, a raw POST"
        );
    }

    #[test]
    fn a_require_approval_profile_refuses_a_batch_that_is_not_an_applied_plan() {
        let gated = Policy {
            require_approval: true,
            ..policy(false, false)
        };
        let d = check_plan(BatchOp::HiveAdd, Service::Hive, 3, &gated);
        let PlanDecision::Refuse(why) = d else {
            panic!("refused: {d:?}")
        };
        assert!(
            why.contains("requires approval") && why.contains("--plan-out"),
            "{why}"
        );
        assert_eq!(
            check_plan(BatchOp::HiveAdd, Service::Hive, 3, &policy(false, false)),
            PlanDecision::Allow
        );
        assert!(matches!(
            check_plan(BatchOp::Probe, Service::Hive, 3, &gated),
            PlanDecision::Confirm { .. }
        ));
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

    #[test]
    fn a_plan_is_gated_once_and_big_ones_ask_for_the_count() {
        let d = check_plan(BatchOp::HiveAdd, Service::Hive, 300, &policy(true, true));
        assert!(
            matches!(&d, PlanDecision::Refuse(r) if r.contains("read-only") && r.contains("300 requests")),
            "{d:?}"
        );
        let d = check_plan(
            BatchOp::CeregoImport,
            Service::Cerego,
            101,
            &policy(false, true),
        );
        let PlanDecision::Confirm {
            question,
            type_count,
        } = d
        else {
            panic!("a confirm profile asks")
        };
        assert!(question.contains("PROD") && question.contains("101 requests"));
        assert!(question.contains("Smart Groups"), "{question}");
        assert_eq!(type_count, Some(101));
        let d = check_plan(BatchOp::HiveAdd, Service::Hive, 100, &policy(false, true));
        assert!(matches!(
            d,
            PlanDecision::Confirm {
                type_count: None,
                ..
            }
        ));
        assert_eq!(
            check_plan(BatchOp::HiveAdd, Service::Hive, 5, &policy(false, false)),
            PlanDecision::Allow
        );
    }
}
