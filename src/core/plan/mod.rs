//! Plans: the ordered rows of a batch, each a validated [`Op`] with the physical lines it
//! came from — or a row error with its line and reason. Built from a CSV file ([`hive_plan`],
//! [`cerego_plan`]), from rows marked in the console ([`marked_hive_plan`]), or from an
//! earlier batch (resume and undo, in the engine, from the journal). One engine runs every
//! plan, for the console and the CLI alike.
//!
//! Pure: the caller reads the file and the partner's user list; this module decides.

pub mod csv;
mod predict;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::core::domain::{
    ApiField, CeregoUserId, HiveTag, PatronId, TagId, TagType, TagTypeId, TagValue,
};
use crate::core::model::KnownUsers;
use crate::core::op::Op;
use crate::core::printable::printable;
pub use csv::{Layout, RawRow, Table, detect_layout, read_table};
pub use predict::{Expect, Prediction, predict};

/// The columns of a Hive batch file, as the dashboard names them.
pub const HIVE_COLUMNS: [&str; 2] = ["user_id", "user_tags"];
/// The columns of a Cerego batch file.
pub const CEREGO_COLUMNS: [&str; 3] = ["user_id", "tag_type_id", "value"];
/// Plans over this many requests ask the operator to type the count before they run.
pub const TYPE_THE_COUNT_ABOVE: usize = 100;

/// What a batch does, as `tagdesk batch list` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchOp {
    HiveAdd,
    HiveRemove,
    CeregoImport,
    Undo,
}

impl BatchOp {
    pub fn name(self) -> &'static str {
        match self {
            BatchOp::HiveAdd => "hive_add",
            BatchOp::HiveRemove => "hive_remove",
            BatchOp::CeregoImport => "cerego_import",
            BatchOp::Undo => "undo",
        }
    }

    /// In words, for the confirmation and the console.
    pub fn describe(self) -> &'static str {
        match self {
            BatchOp::HiveAdd => "add Hive tags",
            BatchOp::HiveRemove => "remove Hive tags",
            BatchOp::CeregoImport => "set Cerego tag values",
            BatchOp::Undo => "undo an earlier change",
        }
    }
}

/// What a Cerego row of the file asked for: the user, the tag type and the value. Resume
/// re-plans a row from it against a fresh user list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeregoWant {
    pub user: CeregoUserId,
    pub tag_type: TagTypeId,
    pub value: TagValue,
}

/// One request of a plan (several lines of a file when one patron appears on several).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    /// The physical lines it came from, in file order (the first is the row's line).
    pub lines: Vec<usize>,
    pub op: Op,
    /// Nothing needs sending: the value is already what the file asks (Cerego).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unchanged: bool,
    /// A Cerego update: the value it replaces, so an undo can set it back. None when the
    /// value was unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior: Option<String>,
    /// A Cerego row: what the file asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub want: Option<CeregoWant>,
    /// Things to know that do not stop the row (an api_field outside the catalogue).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl PlanRow {
    /// The first line of the row (0 for a row that came from no file).
    pub fn line(&self) -> usize {
        self.lines.first().copied().unwrap_or(0)
    }

    fn of(op: Op, line: usize) -> Self {
        Self {
            lines: vec![line],
            op,
            unchanged: false,
            prior: None,
            want: None,
            warnings: Vec::new(),
        }
    }
}

/// A row that cannot be sent, with the physical line it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, printable(&self.reason))
    }
}

/// A batch ready to check, preview and run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub op: BatchOp,
    pub rows: Vec<PlanRow>,
    /// Rows that cannot be sent; any of them stops the whole plan unless the operator asks
    /// to skip them.
    pub invalid: Vec<RowError>,
    /// Data rows read from the file (the header and blank lines not counted; unreadable
    /// rows counted).
    pub data_rows: usize,
    /// How the file was read (None for a plan that came from no file).
    pub layout: Option<Layout>,
}

impl Plan {
    /// Requests the plan would send (unchanged rows send nothing).
    pub fn requests(&self) -> usize {
        self.rows.iter().filter(|r| !r.unchanged).count()
    }

    /// Rows that are already what the file asks.
    pub fn unchanged(&self) -> usize {
        self.rows.iter().filter(|r| r.unchanged).count()
    }

    /// Rows made of several lines of the file (one patron named on several lines).
    pub fn merged(&self) -> impl Iterator<Item = &PlanRow> {
        self.rows.iter().filter(|r| r.lines.len() > 1)
    }

    /// Warnings of every row, with their line.
    pub fn warnings(&self) -> Vec<RowError> {
        self.rows
            .iter()
            .flat_map(|r| {
                r.warnings.iter().map(|w| RowError {
                    line: r.line(),
                    reason: w.clone(),
                })
            })
            .collect()
    }

    /// The layout to read `table` with (the caller's, else the detected one), the header
    /// row no longer counted as data; None (and the reason as a row error) when the first
    /// row is half a header.
    fn take_layout(
        &mut self,
        table: &Table,
        layout: Option<Layout>,
        names: &[&str],
    ) -> Option<Layout> {
        match layout.map_or_else(|| detect_layout(table, names), Ok) {
            Ok(l) => {
                self.data_rows = self.data_rows.saturating_sub(usize::from(l.header));
                Some(l)
            }
            Err((line, reason)) => {
                self.invalid.push(RowError { line, reason });
                None
            }
        }
    }

    fn empty(op: BatchOp, table: &Table) -> Self {
        Self {
            op,
            rows: Vec::new(),
            invalid: table
                .unreadable
                .iter()
                .map(|(line, reason)| RowError {
                    line: *line,
                    reason: reason.clone(),
                })
                .collect(),
            data_rows: table.rows.len() + table.unreadable.len(),
            layout: None,
        }
    }
}

fn cell<'a>(row: &'a RawRow, column: usize, name: &str) -> Result<&'a str, String> {
    row.cells.get(column).map(String::as_str).ok_or_else(|| {
        format!(
            "no {name} column (the row has {} cell{})",
            row.cells.len(),
            if row.cells.len() == 1 { "" } else { "s" }
        )
    })
}

/// Splits a `user_tags` cell (`"vip, newsletter"`) into api_fields, dropping repeats.
pub fn split_tags(raw: &str) -> Result<Vec<ApiField>, String> {
    let mut out: Vec<ApiField> = Vec::new();
    for part in raw.split(',') {
        if part.trim().is_empty() {
            continue;
        }
        let field = ApiField::parse(part).map_err(|e| e.to_string())?;
        if !out.contains(&field) {
            out.push(field);
        }
    }
    if out.is_empty() {
        return Err("user_tags: no api_fields in the cell (separate several with commas)".into());
    }
    Ok(out)
}

/// Reads a Hive file (the dashboard's shape) into a plan: add, or remove with `remove`.
/// `layout` overrides the detected header / columns (the console's preview lets the
/// operator choose); `catalogue` is the profile's configured tags (empty: unknown).
pub fn hive_plan(
    table: &Table,
    layout: Option<Layout>,
    remove: bool,
    catalogue: &[HiveTag],
) -> Plan {
    let op = if remove {
        BatchOp::HiveRemove
    } else {
        BatchOp::HiveAdd
    };
    let mut plan = Plan::empty(op, table);
    let Some(layout) = plan.take_layout(table, layout, &HIVE_COLUMNS) else {
        return plan;
    };
    let skip = usize::from(layout.header);
    let mut by_patron: HashMap<PatronId, usize> = HashMap::new();
    for row in table.rows.iter().skip(skip) {
        let parsed = cell(row, layout.columns[0], "user_id")
            .and_then(|p| PatronId::parse(p).map_err(|e| e.to_string()))
            .and_then(|p| {
                let tags = cell(row, layout.columns[1], "user_tags")?;
                Ok((p, split_tags(tags)?))
            });
        let (patron, fields) = match parsed {
            Ok(x) => x,
            Err(reason) => {
                plan.invalid.push(RowError {
                    line: row.line,
                    reason,
                });
                continue;
            }
        };
        let warnings: Vec<String> = fields
            .iter()
            .filter(|f| !catalogue.is_empty() && !catalogue.iter().any(|t| t.api_field == **f))
            .map(|f| {
                format!(
                    "api_field {f} is not in the profile's tag catalogue: Hive will report it as \
                     failed if the application has no such tag"
                )
            })
            .collect();
        match by_patron.get(&patron) {
            Some(&i) => {
                let merged = &mut plan.rows[i];
                merged.lines.push(row.line);
                if let Op::HiveAdd { fields: have, .. } | Op::HiveRemove { fields: have, .. } =
                    &mut merged.op
                {
                    for f in fields {
                        if !have.contains(&f) {
                            have.push(f);
                        }
                    }
                }
                merged.warnings.extend(warnings);
            }
            None => {
                by_patron.insert(patron.clone(), plan.rows.len());
                let op = if remove {
                    Op::HiveRemove { patron, fields }
                } else {
                    Op::HiveAdd { patron, fields }
                };
                let mut r = PlanRow::of(op, row.line);
                r.warnings = warnings;
                plan.rows.push(r);
            }
        }
    }
    for r in &mut plan.rows {
        r.warnings.dedup();
    }
    plan.layout = Some(layout);
    plan
}

/// One plan row per patron for the same api_fields: the console's marked patrons.
pub fn marked_hive_plan(patrons: &[PatronId], fields: &[ApiField], remove: bool) -> Plan {
    let rows = patrons
        .iter()
        .map(|p| {
            let op = if remove {
                Op::HiveRemove {
                    patron: p.clone(),
                    fields: fields.to_vec(),
                }
            } else {
                Op::HiveAdd {
                    patron: p.clone(),
                    fields: fields.to_vec(),
                }
            };
            PlanRow {
                lines: Vec::new(),
                ..PlanRow::of(op, 0)
            }
        })
        .collect();
    Plan {
        op: if remove {
            BatchOp::HiveRemove
        } else {
            BatchOp::HiveAdd
        },
        rows,
        invalid: Vec::new(),
        data_rows: patrons.len(),
        layout: None,
    }
}

/// How a wanted Cerego value compares with what the user has: an add, an update from the
/// old value, or unchanged. `users` is the partner's user list, read once before planning.
/// An existing tag whose id the API would not take in a path is an error.
pub fn cerego_row(want: CeregoWant, users: &KnownUsers, line: usize) -> Result<PlanRow, String> {
    let existing = users.user(want.user.as_str()).and_then(|u| {
        u.tags
            .iter()
            .find(|t| t.tag_type_id == Some(want.tag_type.as_str()))
    });
    let mut row = match existing {
        None => PlanRow::of(
            Op::CeregoAdd {
                user: want.user.clone(),
                tag_type: want.tag_type.clone(),
                value: want.value.clone(),
            },
            line,
        ),
        Some(tag) => {
            let id = TagId::parse(tag.id).map_err(|_| {
                format!(
                    "the user's tag of type {} has an id tagdesk cannot use ({})",
                    want.tag_type,
                    printable(tag.id)
                )
            })?;
            let mut r = PlanRow::of(
                Op::CeregoUpdate {
                    tag: id,
                    value: want.value.clone(),
                },
                line,
            );
            r.unchanged = tag.value == Some(want.value.as_str());
            r.prior = tag.value.map(str::to_string);
            if tag.value.is_none() {
                r.warnings.push(format!(
                    "the current value of tag {} is unknown (the user list did not include \
                     it): an undo cannot set it back",
                    tag.id
                ));
            }
            r
        }
    };
    row.want = Some(want);
    Ok(row)
}

/// A Cerego plan for a profile on the set family (SPEC §1.6): each user's rows become one
/// set request (one object per tag type), at the place of the user's first row, with the
/// values they replace recorded for an undo (a type the user had no tag of is recorded as
/// created; a replaced value that was unknown is not recorded, so that type's undo says
/// so). Rows already at their value stay as they are and send nothing.
pub fn for_set_api(plan: Plan) -> Plan {
    let mut rows: Vec<PlanRow> = Vec::with_capacity(plan.rows.len());
    let mut by_user: HashMap<CeregoUserId, usize> = HashMap::new();
    let mut priors: HashMap<usize, crate::core::op::inverse::SetPrior> = HashMap::new();
    for row in plan.rows {
        let (Some(want), false) = (row.want.clone(), row.unchanged) else {
            rows.push(row);
            continue;
        };
        let replaced = match &row.op {
            Op::CeregoAdd { .. } => Some(None),
            Op::CeregoUpdate { .. } => row.prior.clone().map(Some),
            Op::HiveAdd { .. }
            | Op::HiveRemove { .. }
            | Op::CeregoSet { .. }
            | Op::CeregoListUsers { .. }
            | Op::CeregoProfile
            | Op::Raw(_) => {
                rows.push(row);
                continue;
            }
        };
        let setting = crate::core::domain::TagSetting {
            tag_type: want.tag_type.clone(),
            value: want.value.clone(),
        };
        let at = match by_user.get(&want.user) {
            Some(&at) => at,
            None => {
                by_user.insert(want.user.clone(), rows.len());
                rows.push(PlanRow {
                    lines: Vec::new(),
                    op: Op::CeregoSet {
                        user: want.user.clone(),
                        tags: Vec::new(),
                    },
                    unchanged: false,
                    prior: None,
                    want: None,
                    warnings: Vec::new(),
                });
                rows.len() - 1
            }
        };
        let grouped = &mut rows[at];
        grouped.lines.extend(row.lines);
        grouped.warnings.extend(row.warnings);
        if let Op::CeregoSet { tags, .. } = &mut grouped.op {
            tags.push(setting);
        }
        if let Some(replaced) = replaced {
            priors
                .entry(at)
                .or_default()
                .insert(want.tag_type.to_string(), replaced);
        }
    }
    for (at, prior) in priors {
        if let Some(row) = rows.get_mut(at) {
            row.prior = Some(crate::core::op::inverse::encode_set_prior(&prior));
        }
    }
    Plan { rows, ..plan }
}

/// Reads a Cerego file (`user_id`, `tag_type_id`, `value`) into a plan against the
/// partner's users as listed once before planning. A tag type the profile does not
/// configure, a user not in the partner, and the same user and tag type twice are errors.
pub fn cerego_plan(
    table: &Table,
    layout: Option<Layout>,
    tag_types: &[TagType],
    users: &KnownUsers,
) -> Plan {
    let mut plan = Plan::empty(BatchOp::CeregoImport, table);
    let Some(layout) = plan.take_layout(table, layout, &CEREGO_COLUMNS) else {
        return plan;
    };
    let skip = usize::from(layout.header);
    let mut seen: HashMap<(CeregoUserId, TagTypeId), usize> = HashMap::new();
    for row in table.rows.iter().skip(skip) {
        let parsed = (|| -> Result<PlanRow, String> {
            let user = CeregoUserId::parse(cell(row, layout.columns[0], "user_id")?)
                .map_err(|e| e.to_string())?;
            let tag_type = TagTypeId::parse(cell(row, layout.columns[1], "tag_type_id")?)
                .map_err(|e| e.to_string())?;
            let value = TagValue::parse(cell(row, layout.columns[2], "value")?)
                .map_err(|e| e.to_string())?;
            if !tag_types.iter().any(|t| t.id == tag_type) {
                return Err(format!(
                    "tag type {tag_type} is not configured in this profile (configured: {})",
                    if tag_types.is_empty() {
                        "none".to_string()
                    } else {
                        tag_types
                            .iter()
                            .map(|t| format!("{} {}", t.id, t.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ));
            }
            if users.position(user.as_str()).is_none() {
                return Err(format!(
                    "user {user} is not among the partner's {} users",
                    users.len()
                ));
            }
            if let Some(first) = seen.get(&(user.clone(), tag_type.clone())) {
                return Err(format!(
                    "user {user} and tag type {tag_type} are already set on line {first}"
                ));
            }
            seen.insert((user.clone(), tag_type.clone()), row.line);
            cerego_row(
                CeregoWant {
                    user,
                    tag_type,
                    value,
                },
                users,
                row.line,
            )
        })();
        match parsed {
            Ok(r) => plan.rows.push(r),
            Err(reason) => plan.invalid.push(RowError {
                line: row.line,
                reason,
            }),
        }
    }
    plan.layout = Some(layout);
    plan
}

#[cfg(test)]
mod tests;
