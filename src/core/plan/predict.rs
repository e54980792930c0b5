//! Dry-run: what each row of a plan is expected to do, from what tagdesk knows — labelled as
//! a prediction, with what it is based on. Hive has no read endpoint, so a Hive prediction
//! is only as good as tagdesk's last confirmed view of the patron (SPEC.md 2.4).

use serde::Serialize;

use super::{BatchOp, PlanRow};
use crate::core::domain::{HiveTag, TagType};
use crate::core::model::KnownState;
use crate::core::op::Op;
use crate::core::printable::printable;

/// The expected effect on one api_field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// Add: not on the patron as far as tagdesk knows; it would be added.
    Added,
    /// Add: already on the patron; Hive reports it as pre-existing.
    Present,
    /// Remove: on the patron; it would be removed.
    Removed,
    /// Remove: not on the patron; Hive reports it as non-existent.
    Absent,
    /// Not in the profile's catalogue: Hive reports it as failed.
    Fails,
    /// tagdesk does not know (a patron never seen, or seen only in part).
    Unknown,
}

impl Expect {
    /// The glyph the preview and the results use (documented in docs/src/batches.md).
    pub fn glyph(self) -> &'static str {
        match self {
            Expect::Added => "+",
            Expect::Present => "=",
            Expect::Removed => "−",
            Expect::Absent => "∅",
            Expect::Fails => "✗",
            Expect::Unknown => "?",
        }
    }
}

/// A row's expected effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prediction {
    /// Hive: each api_field and its expected fate (empty for Cerego).
    pub fields: Vec<(String, Expect)>,
    /// One line: `+vip =newsletter ✗bogus`, `update Cohort: "Fall" → "Spring"`, ...
    pub effect: String,
    /// What the prediction rests on: `last confirmed at …`, `unknown: never seen`, ...
    pub basis: String,
}

/// Predicts `row` from `known` (the Hive patrons tagdesk has seen; the partner's users).
pub fn predict(
    row: &PlanRow,
    known: &KnownState,
    catalogue: &[HiveTag],
    tag_types: &[TagType],
) -> Prediction {
    let type_name = |id: &str| {
        tag_types.iter().find(|t| t.id.as_str() == id).map_or_else(
            || format!("tag type {id}"),
            |t| printable(&t.name).into_owned(),
        )
    };
    match &row.op {
        Op::HiveAdd { patron, fields } | Op::HiveRemove { patron, fields } => {
            let remove = matches!(row.op, Op::HiveRemove { .. });
            let seen = known.hive.get(patron);
            let fields: Vec<(String, Expect)> = fields
                .iter()
                .map(|f| {
                    let name = f.to_string();
                    let fate =
                        if !catalogue.is_empty() && !catalogue.iter().any(|t| t.api_field == *f) {
                            Expect::Fails
                        } else {
                            match seen.and_then(|p| p.holds(&name)) {
                                Some(true) if remove => Expect::Removed,
                                Some(true) => Expect::Present,
                                Some(false) if remove => Expect::Absent,
                                Some(false) => Expect::Added,
                                None => Expect::Unknown,
                            }
                        };
                    (name, fate)
                })
                .collect();
            let mut effect = fields
                .iter()
                .map(|(f, e)| format!("{}{}", e.glyph(), printable(f)))
                .collect::<Vec<_>>()
                .join(" ");
            // An export's row already as it says (see `export::hive_import_plan`).
            if row.unchanged {
                effect = if fields.is_empty() {
                    "unchanged: no user_tags, nothing to send".into()
                } else {
                    format!("unchanged: {effect}")
                };
            }
            let basis = match seen {
                Some(p) => match p.confirmed_at {
                    Some(t) => format!(
                        "last confirmed at {}{}",
                        t.format("%Y-%m-%d %H:%M:%S UTC"),
                        if p.complete {
                            ""
                        } else {
                            " (only the tags Hive has named)"
                        }
                    ),
                    None if p.complete => {
                        format!("not confirmed by Hive yet ({})", printable(&p.note))
                    }
                    None => "unknown: seen, but no tags confirmed yet".into(),
                },
                None if remove => "unknown: never seen (Hive answers INVALID_PATRON if no patron \
                                   has this id)"
                    .into(),
                None => "unknown: never seen (Hive creates the patron if it is new)".into(),
            };
            Prediction {
                fields,
                effect,
                basis,
            }
        }
        Op::CeregoAdd {
            tag_type, value, ..
        } => Prediction {
            fields: Vec::new(),
            effect: format!(
                "add {} = \"{}\"",
                type_name(tag_type.as_str()),
                printable(value.as_str())
            ),
            basis: "the user has no tag of this type in the partner's user list".into(),
        },
        Op::CeregoUpdate { value, .. } => {
            let name = row
                .want
                .as_ref()
                .map_or_else(|| "the tag".to_string(), |w| type_name(w.tag_type.as_str()));
            let effect = if row.unchanged {
                format!(
                    "unchanged: {name} is already \"{}\"",
                    printable(value.as_str())
                )
            } else {
                format!(
                    "update {name}: {} → \"{}\"",
                    row.prior.as_deref().map_or_else(
                        || "(value unknown)".to_string(),
                        |p| format!("\"{}\"", printable(p))
                    ),
                    printable(value.as_str())
                )
            };
            Prediction {
                fields: Vec::new(),
                effect,
                basis: "from the partner's user list read before planning".into(),
            }
        }
        Op::CeregoSet { tags, .. } => {
            let prior = row
                .prior
                .as_deref()
                .and_then(crate::core::op::inverse::decode_set_prior)
                .unwrap_or_default();
            let parts: Vec<String> = tags
                .iter()
                .map(|t| {
                    let was = match prior.get(t.tag_type.as_str()) {
                        Some(Some(p)) => format!("\"{}\" → ", printable(p)),
                        Some(None) => "(new) ".to_string(),
                        None => "(value unknown) → ".to_string(),
                    };
                    format!(
                        "{}: {was}\"{}\"",
                        type_name(t.tag_type.as_str()),
                        printable(t.value.as_str())
                    )
                })
                .collect();
            Prediction {
                fields: Vec::new(),
                effect: format!("set {}", parts.join(", ")),
                basis: "from the partner's user list read before planning (one set request \
                        per user)"
                    .into(),
            }
        }
        Op::CeregoListUsers { .. } | Op::CeregoProfile => Prediction {
            fields: Vec::new(),
            effect: "a read: changes nothing".into(),
            basis: String::new(),
        },
        Op::Raw(raw) => Prediction {
            fields: Vec::new(),
            effect: format!("raw request: {}", printable(&raw.label)),
            basis: "a raw request is sent as written: only the server's answer says what it did"
                .into(),
        },
    }
}

/// Predictions of every row of a plan, in order. In a set (`BatchOp::HiveSet`) the first
/// row of each patron says the patron's whole difference from what tagdesk last confirmed —
/// `+vip −beta_tester`, `? unknown: will send add vip + remove beta_tester`, or `=
/// unchanged …` — and the patron's next row (its remove) is marked as part of it.
pub fn predict_all(
    op: BatchOp,
    rows: &[PlanRow],
    known: &KnownState,
    catalogue: &[HiveTag],
    tag_types: &[TagType],
) -> Vec<Prediction> {
    let mut out: Vec<Prediction> = rows
        .iter()
        .map(|r| predict(r, known, catalogue, tag_types))
        .collect();
    if op != BatchOp::HiveSet {
        return out;
    }
    for g in set_groups(rows) {
        // A never-seen patron's remove follows its add, which creates the patron if it is
        // new: Hive cannot answer that remove INVALID_PATRON, as a lone remove's basis says.
        let added_first =
            matches!(rows[g.start].op, Op::HiveAdd { .. }) && !rows[g.start].unchanged;
        for (r, p) in rows[g.start + 1..g.end]
            .iter()
            .zip(&mut out[g.start + 1..g.end])
        {
            p.effect = format!("↳ {}", p.effect);
            if let Op::HiveRemove { patron, .. } = &r.op
                && added_first
                && known.hive.get(patron).is_none()
            {
                p.basis = "unknown: never seen (the add before it creates the patron if it is new)"
                    .into();
            }
        }
        out[g.start].effect = set_difference(&rows[g.clone()], known);
    }
    out
}

/// The rows of each patron of a set plan (its add and remove, or its one unchanged row:
/// consecutive rows about the same patron from the same lines), in order.
pub fn set_groups(rows: &[PlanRow]) -> Vec<std::ops::Range<usize>> {
    let mut groups = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let patron = rows[i].op.target();
        let mut j = i + 1;
        while j < rows.len() && rows[j].lines == rows[i].lines && rows[j].op.target() == patron {
            j += 1;
        }
        groups.push(i..j);
        i = j;
    }
    groups
}

/// One patron's difference in a set, from its rows (an add and / or a remove, or one
/// unchanged row) and what tagdesk knows of the patron.
fn set_difference(rows: &[PlanRow], known: &KnownState) -> String {
    let names = |fields: &[crate::core::domain::ApiField]| {
        fields
            .iter()
            .map(|f| printable(f.as_str()).into_owned())
            .collect::<Vec<_>>()
    };
    let mut add = Vec::new();
    let mut remove = Vec::new();
    let mut patron = None;
    for r in rows {
        match &r.op {
            Op::HiveAdd { fields, .. } if r.unchanged => {
                return format!("= unchanged: holds exactly {}", names(fields).join(", "));
            }
            Op::HiveRemove { .. } if r.unchanged => {
                return "= unchanged: holds none of the scoped tags".into();
            }
            Op::HiveAdd { patron: p, fields } => {
                patron = Some(p);
                add = names(fields);
            }
            Op::HiveRemove { patron: p, fields } => {
                patron = Some(p);
                remove = names(fields);
            }
            Op::CeregoAdd { .. }
            | Op::CeregoUpdate { .. }
            | Op::CeregoSet { .. }
            | Op::CeregoListUsers { .. }
            | Op::CeregoProfile
            | Op::Raw(_) => {}
        }
    }
    // The planner sent only the difference when it knew every scoped api_field; when it
    // did not, the rows name the whole scope, so knowing each field the rows name is the
    // same test.
    let fields_known = patron
        .and_then(|p| known.hive.get(p))
        .is_some_and(|p| add.iter().chain(&remove).all(|f| p.holds(f).is_some()));
    if fields_known {
        add.iter()
            .map(|f| format!("{}{f}", Expect::Added.glyph()))
            .chain(
                remove
                    .iter()
                    .map(|f| format!("{}{f}", Expect::Removed.glyph())),
            )
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        let mut parts = Vec::new();
        if !add.is_empty() {
            parts.push(format!("add {}", add.join(", ")));
        }
        if !remove.is_empty() {
            parts.push(format!("remove {}", remove.join(", ")));
        }
        format!("? unknown: will send {}", parts.join(" + "))
    }
}
