//! Export files: what tagdesk knows, written in the import formats, so an operator edits the
//! file and imports it back (docs/src/batches.md, "Export, edit, import back"), and the
//! import of such a file, which sends nothing for a row that is already what it says.
//!
//! Hive: `user_id,user_tags,confirmed_at`, `user_tags` the tags tagdesk last confirmed on
//! the patron (Hive has no read endpoint), under a `# ` comment line that says so; with
//! `dashboard`, exactly the Hive dashboard's `user_id,user_tags`. Cerego:
//! `user_id,tag_type_id,tag_type,value`, one row per user and configured tag type the user
//! has. Pure: the caller reads the known state or the partner's users and writes the text.

use chrono::SecondsFormat;

use super::{HIVE_COLUMNS, Plan, PlanRow, Table, detect_layout, hive_plan};
use crate::core::domain::{HiveTag, PatronId, TagType};
use crate::core::model::{KnownPatron, KnownPatrons};
use crate::core::op::Op;

/// The columns of a Hive export (the import's two, and when each patron was confirmed).
pub const HIVE_EXPORT_COLUMNS: [&str; 3] = ["user_id", "user_tags", "confirmed_at"];

/// The columns of a Cerego export (`tag_type` the configured name, read back as a check).
pub const CEREGO_EXPORT_COLUMNS: [&str; 4] = ["user_id", "tag_type_id", "tag_type", "value"];

/// The first line of a Hive export (not of a dashboard one): an import skips it.
pub const HIVE_EXPORT_COMMENT: &str = "# user_tags: the tags tagdesk last confirmed on each \
     patron (Hive has no read endpoint: not necessarily the tags it holds now); confirmed_at: \
     when; both empty for a patron tagdesk never saw";

/// An export's text and what it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Export {
    pub text: String,
    /// Data rows written.
    pub rows: usize,
    /// Patrons or users considered.
    pub subjects: usize,
    /// Hive `--dashboard`: patrons left out because tagdesk knows no tag of theirs (the
    /// dashboard takes no row without tags). Cerego: tags left out because the listing did
    /// not give their value.
    pub left_out: usize,
}

/// `cell` as a CSV cell (RFC 4180): quoted when it holds a comma, a quote, a line break or
/// space at either end, its quotes doubled.
pub fn csv_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let needs = cell.contains([',', '"', '\r', '\n']) || cell.trim() != cell;
    if needs {
        format!("\"{}\"", cell.replace('"', "\"\"")).into()
    } else {
        cell.into()
    }
}

fn push_line(text: &mut String, cells: &[&str]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&csv_cell(c));
    }
    text.push('\n');
}

/// The Hive export of `patrons` (each id with what tagdesk knows of it, if anything), in
/// the given order; `dashboard`: the dashboard's two columns, no comment, and only patrons
/// with a known tag.
pub fn hive_export<'a>(
    patrons: impl IntoIterator<Item = (&'a PatronId, Option<&'a KnownPatron>)>,
    dashboard: bool,
) -> Export {
    let mut e = Export::default();
    if dashboard {
        push_line(&mut e.text, &HIVE_COLUMNS);
    } else {
        e.text.push_str(HIVE_EXPORT_COMMENT);
        e.text.push('\n');
        push_line(&mut e.text, &HIVE_EXPORT_COLUMNS);
    }
    for (id, known) in patrons {
        e.subjects += 1;
        let tags = known.map_or_else(String::new, |p| {
            p.tags
                .iter()
                .map(|t| t.api_field.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        });
        if dashboard {
            if tags.is_empty() {
                e.left_out += 1;
                continue;
            }
            push_line(&mut e.text, &[id.as_str(), &tags]);
        } else {
            let at = known
                .and_then(|p| p.confirmed_at)
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
                .unwrap_or_default();
            push_line(&mut e.text, &[id.as_str(), &tags, &at]);
        }
        e.rows += 1;
    }
    e
}

/// The header of a Cerego export.
pub fn cerego_export_header() -> Export {
    let mut e = Export::default();
    push_line(&mut e.text, &CEREGO_EXPORT_COLUMNS);
    e
}

/// Adds one user's rows to a Cerego export: for each configured tag type (in the profile's
/// order) the user has a tag of, its id, name and value. `tags`: (tag_type_id, value) of
/// each of the user's tags as listed.
pub fn cerego_export_user<'a>(
    e: &mut Export,
    user: &str,
    tags: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>,
    tag_types: &[TagType],
) {
    e.subjects += 1;
    let tags: Vec<_> = tags.into_iter().collect();
    for t in tag_types {
        let found = tags.iter().find(|(ty, _)| *ty == Some(t.id.as_str()));
        match found {
            Some((_, Some(value))) => {
                push_line(&mut e.text, &[user, t.id.as_str(), t.name.trim(), value]);
                e.rows += 1;
            }
            Some((_, None)) => e.left_out += 1,
            None => {}
        }
    }
}

/// Reads a list of ids (`--patrons FILE`, `--users FILE`): one a line, blank lines and
/// lines starting with `#` skipped, each id once (the first time), in the file's order.
/// Any id `parse` refuses, or a line holding a comma (a CSV row, not an id), fails the
/// whole list with every bad line named.
pub fn read_id_list<T: PartialEq>(
    bytes: &[u8],
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|e| format!("not UTF-8 text (line {})", line_of(bytes, e.valid_up_to())))?;
    let mut ids = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let raw = line.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let parsed = if raw.contains(',') {
            Err(format!(
                "\"{}\" holds a comma: give one id a line",
                crate::core::printable::printable(raw)
            ))
        } else {
            parse(raw)
        };
        match parsed {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(reason) => bad.push(format!("line {}: {reason}", i + 1)),
        }
    }
    if !bad.is_empty() {
        let more = bad.len().saturating_sub(10);
        bad.truncate(10);
        if more > 0 {
            bad.push(format!("and {more} more"));
        }
        return Err(bad.join("; "));
    }
    if ids.is_empty() {
        return Err("no ids in the file (one a line; blank lines and # comments skipped)".into());
    }
    Ok(ids)
}

fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Whether `table` is a Hive export: its first row is a header naming `confirmed_at` beside
/// the import's columns.
pub fn is_hive_export(table: &Table) -> bool {
    let Ok(layout) = detect_layout(table, &HIVE_EXPORT_COLUMNS) else {
        return false;
    };
    layout.header
}

/// A Hive file planned as [`hive_plan`] does; for a Hive export (see [`is_hive_export`])
/// also: a row with an empty `user_tags` cell (a patron tagdesk never confirmed a tag on)
/// is unchanged, not an error — there is nothing to add or remove — and an add whose every
/// api_field tagdesk last confirmed on the patron is unchanged (predicted `=` for each),
/// so an unedited export sends nothing. Other files are planned exactly as before: a row
/// there is sent even if tagdesk believes its tags are present (another tool may have
/// removed them).
pub fn hive_import_plan(
    table: &Table,
    remove: bool,
    catalogue: &[HiveTag],
    known: &KnownPatrons,
) -> Plan {
    if !is_hive_export(table) {
        return hive_plan(table, None, remove, catalogue);
    }
    let Ok(layout) = detect_layout(table, &HIVE_COLUMNS) else {
        return hive_plan(table, None, remove, catalogue);
    };
    let (id_column, tags_column) = (layout.columns[0], layout.columns[1]);
    let mut rest = Table {
        rows: Vec::with_capacity(table.rows.len()),
        unreadable: table.unreadable.clone(),
    };
    let mut empty: Vec<(PatronId, usize)> = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        let no_tags = i > 0
            && row
                .cells
                .get(tags_column)
                .is_some_and(|c| c.trim().is_empty());
        let patron = row
            .cells
            .get(id_column)
            .and_then(|c| PatronId::parse(c).ok());
        match patron {
            Some(p) if no_tags => empty.push((p, row.line)),
            _ => rest.rows.push(row.clone()),
        }
    }
    let mut plan = hive_plan(&rest, Some(layout), remove, catalogue);
    plan.data_rows += empty.len();
    for (patron, line) in empty {
        let same = plan.rows.iter_mut().find(|r| {
            matches!(&r.op, Op::HiveAdd { patron: p, .. } | Op::HiveRemove { patron: p, .. }
                if *p == patron)
        });
        if let Some(r) = same {
            r.lines.push(line);
            r.lines.sort_unstable();
            continue;
        }
        let op = if remove {
            Op::HiveRemove {
                patron,
                fields: Vec::new(),
            }
        } else {
            Op::HiveAdd {
                patron,
                fields: Vec::new(),
            }
        };
        let mut r = PlanRow::of(op, line);
        r.unchanged = true;
        plan.rows.push(r);
    }
    if !remove {
        for r in &mut plan.rows {
            if let Op::HiveAdd { patron, fields } = &r.op
                && let Some(p) = known.get(patron)
                && fields.iter().all(|f| p.has(f.as_str()))
            {
                r.unchanged = true;
            }
        }
    }
    plan.rows.sort_by_key(PlanRow::line);
    plan
}

/// A Hive row with nothing to add or remove (an export's row of a patron tagdesk never
/// confirmed a tag on).
pub fn no_tags(row: &PlanRow) -> bool {
    matches!(&row.op, Op::HiveAdd { fields, .. } | Op::HiveRemove { fields, .. } if fields.is_empty())
}

/// The note an import prints when rows had no tags (None when none had).
pub fn no_tags_note(rows: &[PlanRow]) -> Option<String> {
    let lines: Vec<String> = rows
        .iter()
        .filter(|r| no_tags(r))
        .map(|r| r.line().to_string())
        .collect();
    if lines.is_empty() {
        return None;
    }
    let shown = if lines.len() > 12 {
        format!("{}, …", lines[..12].join(", "))
    } else {
        lines.join(", ")
    };
    Some(format!(
        "{} of the export with empty user_tags (patrons tagdesk never confirmed a tag on): \
         nothing to send, left unchanged (line{} {shown})",
        crate::core::printable::plural(lines.len() as u64, "row", "rows"),
        if lines.len() == 1 { "" } else { "s" }
    ))
}

#[cfg(test)]
mod tests;
