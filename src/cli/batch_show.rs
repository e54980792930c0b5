//! `tagdesk batch show ID`: every request of a batch and its outcome, as text, `--json`,
//! `--csv` (the columns of `--results`) or `--har FILE` (HAR 1.2, every attempt of every
//! row, for a ticket with the service's support).

use std::path::{Path, PathBuf};

use serde_json::json;

use super::batch::{load_here, report_damage};
use super::launch::human_row;
use super::{Format, exit, fail, flush, out};
use crate::core::printable::json_text;
use crate::engine::batch::{history, report};
use crate::session::Session;

/// `batch show`: `har` is `--har FILE` and `--force`.
pub(super) fn show(
    session: &Session,
    path: &Path,
    batch_id: &str,
    csv: bool,
    har: (Option<PathBuf>, bool),
    format: Format,
) -> u8 {
    let har = match &har {
        (Some(file), force) => match super::log::har_target(&session.paths, file, *force, format) {
            Ok(target) => Some(target),
            Err(e) => return fail(format, &e, exit::USAGE),
        },
        (None, _) => None,
    };
    let plan = match load_here(session, batch_id, "show") {
        Ok(p) => p,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    report_damage(path);
    if let Some(target) = har {
        // Every attempt of every row (a row resumed after a crash has several), in the
        // order they were sent.
        let mut entries: Vec<_> = match history::attempts_of(path, &plan) {
            Ok(rows) => rows.into_iter().flatten().collect(),
            Err(e) => return fail(format, &e, exit::USAGE),
        };
        entries.sort_by_key(|e| e.time());
        return match super::log::write_har(&target, &entries) {
            Ok(()) => {
                flush();
                exit::OK
            }
            Err(e) => fail(format, &e, exit::USAGE),
        };
    }
    let entries = match history::entries_of(path, &plan) {
        Ok(e) => e,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    let rows = history::reports(&plan, &entries);
    if let (Some(of), Format::Human) = (&plan.retry_of, format) {
        super::err(&format!(
            "tagdesk: batch {batch_id} is a retry of batch {of}"
        ));
    }
    if csv {
        out(&report::CSV_COLUMNS.join(","));
        for r in &rows {
            out(&report::csv_line(r));
        }
    } else {
        match format {
            Format::Json => out(&json_text(&json!({
                "batch_id": plan.batch_id,
                "profile": plan.profile,
                "op": plan.op.name(),
                "undo_of": plan.undo_of,
                "retry_of": plan.retry_of,
                "source": plan.source,
                "sha256": plan.sha256,
                "author": plan.audit.author,
                "approved_by": plan.audit.approved_by,
                "approved_at": plan.audit.approved_at,
                "rows": rows,
            }))),
            Format::Human => {
                if let Some(line) = super::plan_file::audit_line(&plan.audit) {
                    out(&line);
                }
                for r in &rows {
                    out(&human_row(r));
                }
            }
        }
    }
    flush();
    exit::OK
}
