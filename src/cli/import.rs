//! `tagdesk hive import` and `tagdesk cerego import`: a CSV file (or standard input) read,
//! validated and planned, then previewed (`--dry-run`) or run as a batch.

use serde_json::json;

use super::args::ImportArgs;
use super::batch::{known_state, print_row_errors, users_for_planning};
use super::dry_run::catalogue_of;
use super::launch::{Launch, Summary, launch};
use super::{Format, err, exit, fail, flush, out};
use crate::core::plan::{self, read_table};
use crate::core::printable::{json_text, plural, printable};
use crate::engine::batch::{self, SavedPlan};
use crate::engine::journal;
use crate::session::Session;

/// Which import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Hive {
        remove: bool,
    },
    /// `--set`: each row the complete set of the scoped tags (`--scope`, else the catalogue).
    HiveSet {
        scope: Option<String>,
    },
    Cerego,
}

/// Reads, validates, plans and launches an import; returns the exit code.
pub(crate) async fn import(
    session: &Session,
    args: ImportArgs,
    kind: Kind,
    format: Format,
    yes: bool,
) -> u8 {
    let bytes = match batch::read_source(&args.file) {
        Ok(b) => b,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    let mut table = match read_table(&bytes) {
        Ok(t) => t,
        Err(e) => return fail(format, &format!("{}: {e}", args.file), exit::USAGE),
    };
    let keys = crate::core::redact::Redactor::new(session.profile.secrets());
    table.refuse_keys(|cell| keys.is_key(cell) || cell.split(',').any(|p| keys.is_key(p)));
    // Only the file's digest is kept: its bytes (up to 256 MiB) and, once planned, its cells
    // are not held for the whole run.
    let sha256 = batch::sha256_hex(&bytes);
    drop(bytes);
    let mut known = known_state(session);
    let built = match kind {
        Kind::Hive { remove } => {
            plan::hive_import_plan(&table, remove, &catalogue_of(session).0, &known.hive)
        }
        Kind::HiveSet { scope } => {
            match plan::set_scope(scope.as_deref(), &catalogue_of(session).0) {
                Ok((scope, warnings)) => {
                    for w in warnings {
                        err(&format!("tagdesk: warning: {}", printable(&w)));
                    }
                    plan::hive_set_plan(&table, None, &scope, &known)
                }
                Err(e) => return fail(format, &e, exit::USAGE),
            }
        }
        Kind::Cerego => {
            let named = plan::cerego_user_ids(&table, None);
            let named: Vec<&str> = named.iter().map(|id| id.as_str()).collect();
            let users = match users_for_planning(session, &named, format).await {
                Ok(u) => u,
                Err(code) => return code,
            };
            let mut p = plan::cerego_plan(&table, None, &catalogue_of(session).1, &users);
            if session.profile.cerego.as_ref().map(|c| c.tags_api)
                == Some(crate::core::domain::TagsApi::Set)
            {
                p = plan::for_set_api(p);
            }
            known.cerego = users;
            p
        }
    };
    drop(table);
    if built.data_rows == 0 {
        return fail(
            format,
            &format!("{} has no data rows: nothing to send", args.file),
            exit::USAGE,
        );
    }
    if !built.invalid.is_empty() && !args.skip_invalid {
        return refuse_invalid(session, &built, format);
    }
    let warnings = built.warnings();
    let unchanged = built.unchanged();
    let mut rows = built.rows;
    // What tagdesk knows of each Hive row's tags before the first attempt: an undo after a
    // crash rests on it.
    for row in &mut rows {
        row.note_seen(&known);
    }
    let notes: Vec<String> = plan::export::no_tags_note(&rows).into_iter().collect();
    let saved = SavedPlan {
        batch_id: journal::new_id(),
        created_at: chrono::Utc::now(),
        profile: session.profile.name.clone(),
        demo: session.profile.demo,
        op: built.op,
        source: Some(args.file.clone()),
        sha256: Some(sha256),
        data_rows: built.data_rows,
        rows,
        skipped: built.invalid.clone(),
        undo_of: None,
        notes,
        check_by_hand: Vec::new(),
        retry_of: None,
        audit: Default::default(),
    };
    if saved.op == plan::BatchOp::HiveSet && !args.dry_run && format == Format::Human {
        super::set_preview::print(&saved, &known);
    }
    let todo = saved.to_send();
    if todo.is_empty() && unchanged > 0 {
        super::err("tagdesk: nothing to send: every row is unchanged (already what the file says)");
    }
    let plan_out = args.plan_out.plan_out.clone();
    let l = Launch {
        todo,
        resume: false,
        run: args.run,
        dry_run: args.dry_run,
        skipped: built.invalid,
        warnings,
        known,
        unchanged,
        plan: saved,
        lock: None,
    };
    match plan_out {
        Some(path) => super::plan_file::plan_out(session, l, &path, format).await,
        None => launch(session, l, format, yes).await,
    }
}

/// A file with invalid rows and no `--skip-invalid`: every bad row listed, nothing sent.
pub(crate) fn refuse_invalid(
    session: &Session,
    plan: &crate::core::plan::Plan,
    format: Format,
) -> u8 {
    let code = exit::USAGE;
    match format {
        Format::Human => {
            print_row_errors(&plan.invalid, "");
            err(&format!(
                "tagdesk: {} of {} invalid: nothing was sent (fix them, or pass --skip-invalid \
                 to send the valid rows)",
                plural(plan.invalid.len() as u64, "row", "rows"),
                plan.data_rows
            ));
        }
        Format::Json => {
            let summary = Summary {
                batch_id: String::new(),
                rows: plan.data_rows,
                skipped: 0,
                exit_code: code,
                undo_of: None,
                op: plan.op.name(),
                invalid: plan.invalid.clone(),
                warnings: plan.warnings(),
                notes: Vec::new(),
                ..Summary::of(&SavedPlan::empty(plan.op), &session.profile.name)
            };
            out(&json_text(&json!(summary)));
        }
    }
    flush();
    code
}
