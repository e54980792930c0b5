//! Cerego plans: a file of `user_id`, `tag_type_id`, `value` compared with the partner's
//! user list (add, update or unchanged), and the same plan grouped for the set family.

use std::collections::HashMap;

use super::{
    BatchOp, CeregoWant, Layout, Plan, PlanRow, RowError, Table, cell, extra_cells, width,
};
use crate::core::domain::{CeregoUserId, TagId, TagType, TagTypeId, TagValue};
use crate::core::model::KnownUsers;
use crate::core::op::Op;
use crate::core::printable::printable;
use crate::core::tag_names;

/// The columns of a Cerego batch file.
pub const CEREGO_COLUMNS: [&str; 3] = ["user_id", "tag_type_id", "value"];

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
                    seen: Default::default(),
                    expect: None,
                    source: row.source.clone(),
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

/// The users a Cerego file names, each once, in the file's order: whom its plan must know
/// (see `engine::named`). Rows it cannot read are left to [`cerego_plan`] to report.
pub fn cerego_user_ids(table: &Table, layout: Option<Layout>) -> Vec<CeregoUserId> {
    let Ok(layout) = layout.map_or_else(|| super::detect_layout(table, &CEREGO_COLUMNS), Ok) else {
        return Vec::new();
    };
    let Some(&column) = layout.columns.first() else {
        return Vec::new();
    };
    let mut seen = std::collections::HashSet::new();
    table
        .rows
        .iter()
        .skip(usize::from(layout.header))
        .filter_map(|row| row.cells.get(column))
        .filter_map(|c| CeregoUserId::parse(c).ok())
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

/// Reads a Cerego file (`user_id`, `tag_type_id`, `value`) into a plan against the
/// partner's users as listed once before planning. `tag_type_id` is an id or a configured
/// tag type's name (any case), read as its id. A tag type the profile does not
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
    let width = width(table, &layout, &CEREGO_COLUMNS);
    // An export's `tag_type` column (the configured name): checked against the id.
    let name_column = table.rows.first().filter(|_| layout.header).and_then(|h| {
        h.cells
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case("tag_type"))
    });
    let mut seen: HashMap<(CeregoUserId, TagTypeId), usize> = HashMap::new();
    for row in table.rows.iter().skip(skip) {
        let parsed = (|| -> Result<PlanRow, String> {
            if let Some(reason) = extra_cells(row, width, &CEREGO_COLUMNS, layout.header) {
                return Err(reason);
            }
            let user = CeregoUserId::parse(cell(row, layout.columns[0], "user_id")?)
                .map_err(|e| e.to_string())?;
            // A configured name stands for its id (the plan and the journal hold the id).
            let tag_type =
                tag_names::resolve(cell(row, layout.columns[1], "tag_type_id")?, tag_types)?;
            let value = TagValue::parse(cell(row, layout.columns[2], "value")?)
                .map_err(|e| e.to_string())?;
            if !tag_types.iter().any(|t| t.id == tag_type) {
                return Err(format!(
                    "tag type {tag_type} is not configured in this profile (configured: {})",
                    if tag_types.is_empty() {
                        "none".to_string()
                    } else {
                        tag_names::listed(tag_types.iter())
                    }
                ));
            }
            if let Some(named) = name_column
                .and_then(|c| row.cells.get(c))
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
            {
                check_type_name(named, &tag_type, tag_types)?;
            }
            if users.position(user.as_str()).is_none() {
                return Err(match users.partner_count() {
                    Some(n) => format!(
                        "user {user} is not among the partner's {}",
                        crate::core::printable::plural(n, "user", "users")
                    ),
                    None => format!("user {user} is not among the partner's users"),
                });
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
            Ok(mut r) => {
                r.source = row.cells.clone();
                plan.rows.push(r);
            }
            Err(reason) => plan.invalid.push(RowError {
                line: row.line,
                reason,
            }),
        }
    }
    plan.layout = Some(layout);
    plan
}

/// A row's `tag_type` cell (an export's configured name) against its `tag_type_id`: a
/// mismatch names both, since either may be the edit that went wrong.
fn check_type_name(named: &str, id: &TagTypeId, tag_types: &[TagType]) -> Result<(), String> {
    let configured = tag_types.iter().find(|t| t.id == *id);
    match configured {
        Some(t) if t.name.trim().to_lowercase() == named.to_lowercase() => Ok(()),
        _ => Err(format!(
            "tag_type \"{}\" does not match tag_type_id {id}{}: correct one of them (or empty \
             the tag_type cell)",
            printable(named),
            configured.map_or_else(String::new, |t| format!(
                " (configured as \"{}\")",
                printable(t.name.trim())
            ))
        )),
    }
}
