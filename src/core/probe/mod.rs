//! The probe's sequence: the one definition of how one patron and two api_fields go through
//! all 14 documented Hive outcomes, in an order where each step's state is what the steps
//! before it left — so `tagdesk probe hive` can produce them on a live application through
//! the API alone, and the playground plays the same steps on the simulator (where it sets
//! each step's state up directly, for speed).
//!
//! A step names its api_fields by [`Role`]: the two the application defines ([`Role::First`],
//! [`Role::Second`]) and one it cannot define ([`Role::Missing`]). What a step should
//! produce (the arrays, hence the scenario) is derived by [`walk`] from the state, never
//! written by hand, and a test proves the 14 are the documented ones, once each, and that
//! the patron ends holding neither field.

pub mod judge;

use serde_json::json;

use super::domain::{ApiField, PatronId};
use super::op::request::{HIVE_ADD_PATH, Method};
use super::op::scenario::{HiveAction, Scenario};
use super::op::{Op, RawRequest, Service};

/// The patron the probe drives unless told otherwise.
pub const DEFAULT_PATRON: &str = "tagdesk_probe";
/// The start of the api_field the probe makes up for the `failed` cases.
pub const MISSING_PREFIX: &str = "tagdesk_probe_missing_";
/// The start of the patron id the probe makes up for `INVALID_PATRON`.
pub const NOBODY_PREFIX: &str = "tagdesk_probe_nobody_";
/// The key of the first step, which clears the two api_fields from the patron.
pub const CLEAR_KEY: &str = "hive.remove.clear";

/// Which api_field a step sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The first api_field the application defines.
    First,
    /// The second one.
    Second,
    /// An api_field the application does not define.
    Missing,
}

/// One step of the sequence as written: add or remove these api_fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepDef {
    pub action: HiveAction,
    pub sent: &'static [Role],
}

/// The 14 outcome steps, in the order the probe sends them (after clearing the patron).
pub const SEQUENCE: [StepDef; 14] = {
    use HiveAction::{Add, Remove};
    use Role::{First as A, Missing as M, Second as B};
    const fn s(action: HiveAction, sent: &'static [Role]) -> StepDef {
        StepDef { action, sent }
    }
    [
        s(Add, &[A]),
        s(Remove, &[A, B, M]),
        s(Remove, &[B]),
        s(Remove, &[B, M]),
        s(Remove, &[M]),
        s(Add, &[M]),
        s(Add, &[A, M]),
        s(Add, &[B, A]),
        s(Add, &[B]),
        s(Add, &[B, M]),
        s(Remove, &[A]),
        s(Add, &[A, B, M]),
        s(Remove, &[A, M]),
        s(Remove, &[B, A]),
    ]
};

/// A step of the sequence with what it should produce: the state before it, and the
/// arrays of the answer (`changed`: added / removed; `unchanged`: pre-existing /
/// non-existent), hence its scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walked {
    pub def: StepDef,
    /// The api_fields the patron holds before the step (of the two real ones).
    pub held: Vec<Role>,
    pub changed: Vec<Role>,
    pub unchanged: Vec<Role>,
    pub failed: Vec<Role>,
    pub scenario: Scenario,
}

/// The sequence walked from a patron holding neither api_field.
pub fn walk() -> Vec<Walked> {
    let mut held: Vec<Role> = Vec::new();
    SEQUENCE
        .iter()
        .map(|def| {
            let before = held.clone();
            let (mut changed, mut unchanged, mut failed) = (Vec::new(), Vec::new(), Vec::new());
            for &role in def.sent {
                let has = held.contains(&role);
                match (role, def.action, has) {
                    (Role::Missing, ..) => failed.push(role),
                    (_, HiveAction::Add, false) | (_, HiveAction::Remove, true) => {
                        changed.push(role)
                    }
                    (_, HiveAction::Add, true) | (_, HiveAction::Remove, false) => {
                        unchanged.push(role)
                    }
                }
            }
            match def.action {
                HiveAction::Add => held.extend(changed.iter().copied()),
                HiveAction::Remove => held.retain(|r| !changed.contains(r)),
            }
            held.sort();
            let scenario =
                Scenario::from_counts(def.action, changed.len(), unchanged.len(), failed.len());
            Walked {
                def: *def,
                held: before,
                changed,
                unchanged,
                failed,
                scenario,
            }
        })
        .collect()
}

/// The step of the sequence that produces `scenario`.
pub fn step_for(scenario: &Scenario) -> Option<Walked> {
    walk().into_iter().find(|w| &w.scenario == scenario)
}

/// The scenario's short name in keys (`added_pre_failed`, `add_failed`): the playground's
/// keys are `hive.ACTION.SLUG`.
pub fn slug(s: &Scenario) -> String {
    let add = s.action == HiveAction::Add;
    let mut parts = Vec::new();
    if s.changed {
        parts.push(if add { "added" } else { "removed" });
    }
    if s.unchanged {
        parts.push(if add { "pre" } else { "absent" });
    }
    if s.failed {
        parts.push("failed");
    }
    if parts == ["failed"] {
        format!("{}_failed", s.action.name())
    } else {
        parts.join("_")
    }
}

/// The key of a scenario's step (the playground's key for it).
pub fn key(s: &Scenario) -> String {
    format!("hive.{}.{}", s.action.name(), slug(s))
}

/// The three api_fields a run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub first: ApiField,
    pub second: ApiField,
    pub missing: ApiField,
}

impl Fields {
    pub fn of(&self, role: Role) -> &ApiField {
        match role {
            Role::First => &self.first,
            Role::Second => &self.second,
            Role::Missing => &self.missing,
        }
    }

    pub fn names(&self, roles: &[Role]) -> Vec<String> {
        roles.iter().map(|r| self.of(*r).to_string()).collect()
    }
}

/// What a step of a run is expected to bring back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// The clearing remove: any outcome without `failed`, or `INVALID_PATRON` when the
    /// patron does not exist yet (its first run).
    Clear,
    /// A documented outcome with exactly these arrays (api_field names).
    Outcome {
        scenario: Scenario,
        changed: Vec<String>,
        unchanged: Vec<String>,
        failed: Vec<String>,
    },
    /// A documented error.
    Error { status: u16, code: &'static str },
}

/// One step of a run: its key, the request, and what should come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeStep {
    /// Stable across runs (`--compare` matches steps by it); the outcome steps' keys are
    /// the playground's.
    pub key: String,
    pub op: Op,
    pub expected: Expected,
}

impl ProbeStep {
    /// `add` or `remove`.
    pub fn verb(&self) -> &'static str {
        if matches!(self.op, Op::HiveRemove { .. }) {
            "remove"
        } else {
            "add"
        }
    }

    /// The api_fields the request names (none for the empty-list request).
    pub fn fields(&self) -> Vec<String> {
        if let Op::HiveAdd { fields, .. } | Op::HiveRemove { fields, .. } = &self.op {
            return fields.iter().map(ToString::to_string).collect();
        }
        let Op::Raw(raw) = &self.op else {
            return Vec::new();
        };
        raw.body
            .as_ref()
            .and_then(|b| b.get("user_tags_api_fields"))
            .and_then(|f| f.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn hive(action: HiveAction, patron: &PatronId, fields: Vec<ApiField>) -> Op {
    let patron = patron.clone();
    match action {
        HiveAction::Add => Op::HiveAdd { patron, fields },
        HiveAction::Remove => Op::HiveRemove { patron, fields },
    }
}

fn raw_add(patron: &PatronId, fields: Vec<String>, label: &str, wrong_key: bool) -> Op {
    Op::Raw(Box::new(RawRequest {
        service: Service::Hive,
        method: Method::Post,
        path: HIVE_ADD_PATH.into(),
        body: Some(json!({"patron_id": patron.as_str(), "user_tags_api_fields": fields})),
        wrong_key,
        label: label.into(),
    }))
}

/// Every step of a run on `patron` with `fields`: the clearing remove, the 14 outcomes,
/// then `INVALID_PATRON` (a remove on `nobody`, a patron id no one has), `PARAM_REQUIRED`
/// (a raw add with an empty list) and `INVALID_API_KEY` (a raw add of the missing field
/// with a wrong key: should it be accepted, nothing changes).
pub fn steps(patron: &PatronId, fields: &Fields, nobody: &PatronId) -> Vec<ProbeStep> {
    let mut out = vec![ProbeStep {
        key: CLEAR_KEY.into(),
        op: hive(
            HiveAction::Remove,
            patron,
            vec![fields.first.clone(), fields.second.clone()],
        ),
        expected: Expected::Clear,
    }];
    for w in walk() {
        out.push(ProbeStep {
            key: key(&w.scenario),
            op: hive(
                w.def.action,
                patron,
                w.def.sent.iter().map(|r| fields.of(*r).clone()).collect(),
            ),
            expected: Expected::Outcome {
                scenario: w.scenario,
                changed: fields.names(&w.changed),
                unchanged: fields.names(&w.unchanged),
                failed: fields.names(&w.failed),
            },
        });
    }
    out.push(ProbeStep {
        key: "hive.error.invalid_patron".into(),
        op: hive(HiveAction::Remove, nobody, vec![fields.first.clone()]),
        expected: Expected::Error {
            status: 400,
            code: "INVALID_PATRON",
        },
    });
    out.push(ProbeStep {
        key: "hive.error.param_empty".into(),
        op: raw_add(patron, Vec::new(), "empty user_tags_api_fields", false),
        expected: Expected::Error {
            status: 400,
            code: "PARAM_REQUIRED",
        },
    });
    out.push(ProbeStep {
        key: "hive.error.invalid_api_key".into(),
        op: raw_add(
            patron,
            vec![fields.missing.to_string()],
            "sent with a wrong key",
            true,
        ),
        expected: Expected::Error {
            status: 403,
            code: "INVALID_API_KEY",
        },
    });
    out
}

/// The made-up names of a run, from a random number: the api_field no application has and
/// the patron id no one has.
pub fn made_up(salt: u64) -> (String, String) {
    (
        format!("{MISSING_PREFIX}{:08x}", salt >> 32),
        format!("{NOBODY_PREFIX}{:08x}", salt & 0xffff_ffff),
    )
}

#[cfg(test)]
mod tests;
