//! `tagdesk batch retry ID [--failed] [--refused] [--errors]`: a new batch of the rows of
//! batch ID whose last outcome is in those classes, re-planned against what tagdesk knows
//! now (a Hive row's op again, what is known of its tags noted afresh; a Cerego row from
//! what the file asked, against a fresh read of its users, as a resume does), then
//! previewed, gated and run through the same launch as an import.

use std::collections::HashMap;

use serde_json::json;

use super::args_retry::RetryArgs;
use super::batch::{
    command_in, journal_path, known_state, load_here, not_running, report_damage,
    users_for_planning,
};
use super::launch::{Launch, Summary, launch, lock_batch};
use super::{Format, err, exit, fail, flush, out};
use crate::core::printable::{json_text, plural};
use crate::engine::batch::history::{self, BatchInfo};
use crate::engine::batch::{self, PlanHeader, RowOutcome, SavedPlan};
use crate::engine::journal;
use crate::session::Session;

/// Which outcomes a retry takes (`--failed`, `--refused`, `--errors`; none given: all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Classes {
    pub failed: bool,
    pub refused: bool,
    pub errors: bool,
}

impl Classes {
    pub(crate) fn of(args: &RetryArgs) -> Self {
        let any = args.failed || args.refused || args.errors;
        Self {
            failed: args.failed || !any,
            refused: args.refused || !any,
            errors: args.errors || !any,
        }
    }

    /// Whether a row that ended `outcome` is retried: `failed` and `partial` (the API
    /// answered, some tags failed) with --failed, `refused` with --refused, `error` and
    /// `abandoned` (no usable answer) with --errors. Never a row that needs nothing, nor one
    /// never sent (`batch resume` sends those).
    pub(crate) fn takes(self, outcome: RowOutcome) -> bool {
        match outcome {
            RowOutcome::Failed | RowOutcome::Partial => self.failed,
            RowOutcome::Refused => self.refused,
            RowOutcome::Error | RowOutcome::Abandoned => self.errors,
            RowOutcome::Ok | RowOutcome::Unchanged | RowOutcome::Pending => false,
        }
    }

    /// In words: "failed, refused or without an answer".
    fn words(self) -> String {
        let mut w = Vec::new();
        if self.failed {
            w.push("failed");
        }
        if self.refused {
            w.push("refused");
        }
        if self.errors {
            w.push("without a usable answer");
        }
        match w.split_last() {
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// `batch retry`: plans the new batch and launches it; returns the exit code.
pub(crate) async fn retry(session: &Session, args: RetryArgs, format: Format, yes: bool) -> u8 {
    let id = args.batch_id.clone();
    let path = journal_path(session);
    let original = match load_here(session, &id, "retry") {
        Ok(p) => p,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    // Nobody resumes the batch while its rows are sent again here.
    let _held = if args.dry_run {
        None
    } else {
        match lock_batch(session, &id) {
            Ok(l) => Some(l),
            Err(e) => return fail(format, &e, exit::USAGE),
        }
    };
    if let Err(e) = not_running(&path, &id) {
        return fail(format, &e, exit::USAGE);
    }
    report_damage(&path);
    let entries = match history::entries_of(&path, &original) {
        Ok(e) => e,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    let classes = Classes::of(&args);
    let outcomes: Vec<RowOutcome> = history::reports(&original, &entries)
        .iter()
        .map(|r| r.outcome)
        .collect();
    let chosen: Vec<usize> = (0..original.rows.len())
        .filter(|&i| !original.rows[i].unchanged && classes.takes(outcomes[i]))
        .collect();
    let place = session.profile.place();
    let pending = outcomes
        .iter()
        .filter(|o| **o == RowOutcome::Pending)
        .count();
    if pending > 0 && format == Format::Human {
        err(&format!(
            "tagdesk: note: {} of batch {id} never sent: `{}` sends them",
            plural(pending as u64, "row was", "rows were"),
            command_in(&place, &format!("batch resume {id}"))
        ));
    }
    if chosen.is_empty() {
        return nothing_to_retry(session, &original, classes, format);
    }
    for h in batch::plan_headers(&session.paths.data_dir) {
        if h.retry_of.as_deref() == Some(id.as_str()) && format == Format::Human {
            err(&format!(
                "tagdesk: note: batch {id} was already retried as batch {} (`{}` retries \
                 what still fails there)",
                h.batch_id,
                command_in(&place, &format!("batch retry {}", h.batch_id))
            ));
        }
    }
    let mut known = known_state(session);
    let rows = chosen
        .iter()
        .map(|&i| {
            let mut row = original.rows[i].clone();
            row.seen.clear();
            row.note_seen(&known);
            row
        })
        .collect::<Vec<_>>();
    let mut plan = SavedPlan {
        batch_id: journal::new_id(),
        created_at: chrono::Utc::now(),
        data_rows: rows.len(),
        rows,
        retry_of: Some(id.clone()),
        ..original
    };
    plan.skipped.clear();
    plan.notes.clear();
    plan.check_by_hand.clear();
    let all: Vec<usize> = (0..plan.rows.len()).collect();
    let named: Vec<&str> = plan
        .rows
        .iter()
        .filter_map(|r| r.want.as_ref().map(|w| w.user.as_str()))
        .collect();
    let todo = if named.is_empty() {
        all
    } else {
        let users = match users_for_planning(session, &named, format).await {
            Ok(u) => u,
            Err(code) => return code,
        };
        let todo = history::replan_cerego(&mut plan, &all, &users);
        known.cerego = users;
        todo
    };
    let unchanged = plan.rows.len() - todo.len();
    err(&format!(
        "tagdesk: retrying {} of batch {id} ({}) as batch {}{}",
        plural(plan.rows.len() as u64, "row", "rows"),
        classes.words(),
        plan.batch_id,
        if unchanged > 0 {
            format!(": {unchanged} found already done")
        } else {
            String::new()
        }
    ));
    let l = Launch {
        todo,
        resume: false,
        run: args.run,
        dry_run: args.dry_run,
        skipped: Vec::new(),
        warnings: Vec::new(),
        known,
        unchanged,
        plan,
        lock: None,
    };
    match args.plan_out.plan_out {
        Some(path) => super::plan_file::plan_out(session, l, &path, format).await,
        None => launch(session, l, format, yes).await,
    }
}

/// No row of the batch is in the classes asked for: says so, sends nothing, exit 0.
fn nothing_to_retry(
    session: &Session,
    original: &SavedPlan,
    classes: Classes,
    format: Format,
) -> u8 {
    let id = &original.batch_id;
    match format {
        Format::Json => {
            let summary = Summary {
                batch_id: String::new(),
                retry_of: Some(id.clone()),
                notes: vec![format!(
                    "no row of batch {id} {}: nothing to retry",
                    classes.words()
                )],
                ..Summary::of(&SavedPlan::empty(original.op), &session.profile.name)
            };
            out(&json_text(&json!(summary)));
        }
        Format::Human => err(&format!(
            "tagdesk: no row of batch {id} {}: nothing to retry, nothing was sent",
            classes.words()
        )),
    }
    flush();
    exit::OK
}

/// Fills in each listed batch's `retry_of` from its plan file.
pub(crate) fn link_retries(list: &mut [BatchInfo], headers: &[PlanHeader]) {
    let by_id: HashMap<&str, &PlanHeader> =
        headers.iter().map(|h| (h.batch_id.as_str(), h)).collect();
    for b in list.iter_mut().filter(|b| b.retry_of.is_none()) {
        b.retry_of = by_id
            .get(b.batch_id.as_str())
            .and_then(|h| h.retry_of.clone());
    }
}

/// What `batch list` adds to a retry's line: `  (retry of ID)`.
pub(crate) fn retry_note(b: &BatchInfo) -> String {
    b.retry_of
        .as_deref()
        .map(|of| format!("  (retry of {of})"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(failed: bool, refused: bool, errors: bool) -> Classes {
        Classes::of(&RetryArgs {
            batch_id: "b".into(),
            failed,
            refused,
            errors,
            dry_run: false,
            plan_out: Default::default(),
            run: crate::cli::args::RunArgs {
                concurrency: batch::Concurrency::Fixed(4),
                rate: None,
                results: None,
                force: false,
                max_errors: batch::DEFAULT_MAX_ERRORS,
            },
        })
    }

    #[test]
    fn no_flag_takes_every_class_and_never_ok_unchanged_or_pending() {
        let all = classes(false, false, false);
        for o in RowOutcome::ALL {
            let expected = !matches!(
                o,
                RowOutcome::Ok | RowOutcome::Unchanged | RowOutcome::Pending
            );
            assert_eq!(all.takes(o), expected, "{o:?}");
        }
        assert_eq!(all.words(), "failed, refused or without a usable answer");
    }

    #[test]
    fn each_flag_takes_its_own_outcomes() {
        let failed = classes(true, false, false);
        assert!(failed.takes(RowOutcome::Failed) && failed.takes(RowOutcome::Partial));
        assert!(!failed.takes(RowOutcome::Refused) && !failed.takes(RowOutcome::Error));
        let refused = classes(false, true, false);
        assert!(refused.takes(RowOutcome::Refused) && !refused.takes(RowOutcome::Failed));
        let errors = classes(false, false, true);
        assert!(errors.takes(RowOutcome::Error) && errors.takes(RowOutcome::Abandoned));
        assert!(!errors.takes(RowOutcome::Refused));
        assert_eq!(classes(true, true, false).words(), "failed or refused");
    }
}
