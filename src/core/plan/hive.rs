//! Hive plans: a dashboard-shaped file (`user_id`, `user_tags`) read into add or remove
//! requests, one per patron, and the console's marked patrons as a plan.

use std::collections::HashMap;

use super::{BatchOp, Layout, Plan, PlanRow, RowError, Table, cell, expect, extra_cells, width};
use crate::core::domain::{ApiField, HiveTag, PatronId};
use crate::core::op::Op;
use crate::core::op::scenario::HiveAction;

/// The columns of a Hive batch file, as the dashboard names them.
pub const HIVE_COLUMNS: [&str; 2] = ["user_id", "user_tags"];

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
    let width = width(table, &layout, &HIVE_COLUMNS);
    let action = if remove {
        HiveAction::Remove
    } else {
        HiveAction::Add
    };
    // The optional `expect` column, found by its header only.
    let expect_column = table.rows.first().filter(|_| layout.header).and_then(|h| {
        h.cells
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case(expect::EXPECT_COLUMN))
    });
    let mut by_patron: HashMap<PatronId, usize> = HashMap::new();
    for row in table.rows.iter().skip(skip) {
        let parsed = extra_cells(row, width, &HIVE_COLUMNS, layout.header)
            .map_or(Ok(()), Err)
            .and_then(|()| cell(row, layout.columns[0], "user_id"))
            .and_then(|p| PatronId::parse(p).map_err(|e| e.to_string()))
            .and_then(|p| {
                let tags = cell(row, layout.columns[1], "user_tags")?;
                Ok((p, split_tags(tags)?))
            })
            .and_then(|(p, tags)| {
                let cell = expect_column.and_then(|c| row.cells.get(c));
                let wanted = cell.map_or(Ok(None), |c| expect::parse(c, action))?;
                Ok((p, tags, wanted))
            });
        let (patron, fields, wanted) = match parsed {
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
                if let Some(reason) = expect::disagree(merged, wanted.as_deref()) {
                    plan.invalid.push(RowError {
                        line: row.line,
                        reason,
                    });
                    continue;
                }
                merged.expect = merged.expect.take().or(wanted);
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
                r.expect = wanted;
                r.source = row.cells.clone();
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
