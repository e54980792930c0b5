//! Plans: the ordered rows of a batch, each a validated [`Op`] with the physical lines it
//! came from — or a row error with its line and reason. Built from a CSV file ([`hive_plan`],
//! [`cerego_plan`]), from rows marked in the console ([`marked_hive_plan`]), or from an
//! earlier batch (resume and undo, in the engine, from the journal). One engine runs every
//! plan, for the console and the CLI alike.
//!
//! Pure: the caller reads the file and the partner's user list; this module decides.
//!
//! One file a service: `hive.rs` and `cerego.rs` read their files into plans; the types
//! every plan is made of are here, and both are re-exported so a caller names
//! `core::plan::hive_plan` as before.

mod cerego;
pub mod csv;
pub mod expect;
pub mod export;
pub mod file;
mod hive;
mod predict;
mod set;

use serde::{Deserialize, Serialize};

use crate::core::domain::{CeregoUserId, TagTypeId, TagValue};
use crate::core::op::Op;
use crate::core::printable::printable;
pub use cerego::{CEREGO_COLUMNS, cerego_plan, cerego_row, cerego_user_ids, for_set_api};
pub use csv::{Layout, RawRow, Table, detect_layout, read_table};
pub use export::hive_import_plan;
pub use hive::{HIVE_COLUMNS, hive_plan, marked_hive_plan, split_tags};
pub use predict::{Expect, Prediction, predict, predict_all, set_groups};
pub use set::{hive_set_plan, set_scope};

/// Plans over this many requests ask the operator to type the count before they run.
pub const TYPE_THE_COUNT_ABOVE: usize = 100;

/// What a batch does, as `tagdesk batch list` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchOp {
    HiveAdd,
    HiveRemove,
    /// `tagdesk hive import --set`: each patron's scoped tags set to exactly a list (an add
    /// and a remove per patron, sent in that order).
    HiveSet,
    CeregoImport,
    Undo,
    /// `tagdesk probe hive`: the documented outcomes checked against a live application.
    Probe,
}

impl BatchOp {
    pub fn name(self) -> &'static str {
        match self {
            BatchOp::HiveAdd => "hive_add",
            BatchOp::HiveRemove => "hive_remove",
            BatchOp::HiveSet => "hive_set",
            BatchOp::CeregoImport => "cerego_import",
            BatchOp::Undo => "undo",
            BatchOp::Probe => "probe",
        }
    }

    /// In words, for the confirmation and the console.
    pub fn describe(self) -> &'static str {
        match self {
            BatchOp::HiveAdd => "add Hive tags",
            BatchOp::HiveRemove => "remove Hive tags",
            BatchOp::HiveSet => "set Hive tags exactly",
            BatchOp::CeregoImport => "set Cerego tag values",
            BatchOp::Undo => "undo an earlier change",
            BatchOp::Probe => "probe the live Hive application",
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
    /// A Hive row: what tagdesk knew, when the plan was made (before any attempt), of each
    /// api_field it names — on the patron (`true`) or not (`false`); a field tagdesk did
    /// not know is absent. The undo of a row whose outcome is unknown rests on it.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub seen: std::collections::BTreeMap<String, bool>,
    /// A Hive row: the outcome its file's `expect` column names (a class or a scenario's
    /// short key, see [`expect`]); the results judge the answer against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    /// The original cells of the row's first line, as read from the file (a row of a file
    /// only): the results' `source` column, so a results file filtered to its failures is
    /// a file to fix and import again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<String>,
}

impl PlanRow {
    /// Records in [`PlanRow::seen`] what `known` says of the row's api_fields (a Hive row;
    /// other rows are left as they are).
    pub fn note_seen(&mut self, known: &crate::core::model::KnownState) {
        let (Op::HiveAdd { patron, fields } | Op::HiveRemove { patron, fields }) = &self.op else {
            return;
        };
        let Some(p) = known.hive.get(patron) else {
            return;
        };
        for f in fields {
            let name = f.to_string();
            if let Some(held) = p.holds(&name) {
                self.seen.insert(name, held);
            }
        }
    }

    /// The first line of the row (0 for a row that came from no file).
    pub fn line(&self) -> usize {
        self.lines.first().copied().unwrap_or(0)
    }

    fn of(op: Op, line: usize) -> Self {
        Self::derived(vec![line], op, None)
    }

    /// A row made from no file (an undo's, a resume's): its lines, its request and the
    /// value it replaces; nothing else known.
    pub fn derived(lines: Vec<usize>, op: Op, prior: Option<String>) -> Self {
        Self {
            lines,
            op,
            unchanged: false,
            prior,
            want: None,
            warnings: Vec::new(),
            seen: Default::default(),
            expect: None,
            source: Vec::new(),
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
        row_warnings(&self.rows)
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

/// The cells a data row may have: as many as the header row when there is one, else the
/// kind's columns (or as far as the layout's columns reach).
fn width(table: &Table, layout: &Layout, names: &[&str]) -> usize {
    let reach = layout.columns.iter().max().map_or(0, |c| c + 1);
    match table.rows.first() {
        Some(header) if layout.header => header.cells.len().max(reach),
        _ => names.len().max(reach),
    }
}

/// Why `row` has more cells than the file's columns (`width`), if it does: the extra cells
/// would be dropped silently — or, without a header, say that this is a file of another
/// kind. Empty cells at the end of a row (a trailing comma) are not counted.
fn extra_cells(row: &RawRow, width: usize, names: &[&str], header: bool) -> Option<String> {
    let used = row
        .cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1);
    (used > width).then(|| {
        let of = if header {
            format!("the header names {width}")
        } else {
            format!(
                "without a header row the file has {width} ({})",
                names.join(", ")
            )
        };
        format!(
            "the row has {used} cells but {of}: the extra cells would be ignored (is this a \
             file of another kind?)"
        )
    })
}

/// The cell of `row` in `column`, or why there is none (`name`: the column's name).
fn cell<'a>(row: &'a RawRow, column: usize, name: &str) -> Result<&'a str, String> {
    row.cells.get(column).map(String::as_str).ok_or_else(|| {
        format!(
            "no {name} column (the row has {} cell{})",
            row.cells.len(),
            if row.cells.len() == 1 { "" } else { "s" }
        )
    })
}

/// Every row's warnings with the line it is on (a plan, a saved plan, a plan file).
pub fn row_warnings(rows: &[PlanRow]) -> Vec<RowError> {
    rows.iter()
        .flat_map(|r| {
            r.warnings.iter().map(|w| RowError {
                line: r.line(),
                reason: w.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
