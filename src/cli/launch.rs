//! Running a plan from the command line: the gate once (asking on a terminal, the count
//! typed for a big plan), the plan file, progress on stderr, results on stdout and in
//! `--results`, and the one summary object `--json` prints.

use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::json;
use tokio::sync::watch;

use super::args::RunArgs;
use super::batch::{command_in, open_journal, policy_of, print_row_errors, service_of};
use super::dry_run::dry_run;
use super::progress::ProgressLine;
use super::results::Target;
use super::{Format, err, exit, fail, flush, out};
use crate::core::gate::{self, PlanDecision};
use crate::core::model::KnownState;
use crate::core::op::Service;
use crate::core::plan::RowError;
use crate::core::printable::{json_text, plural, printable};
use crate::engine::batch::{
    self, BatchLock, ConcurrencyReport, Control, Progress, RowReport, RunContext, RunOptions,
    SavedPlan, report,
};
use crate::engine::journal::{BatchCounts, BatchEvent, Writer};
use crate::session::Session;

/// A plan ready to be checked, previewed and run.
pub(crate) struct Launch {
    pub plan: SavedPlan,
    /// The rows to send, by index.
    pub todo: Vec<usize>,
    /// The first run of the batch, or a resume of it.
    pub resume: bool,
    pub run: RunArgs,
    pub dry_run: bool,
    /// Invalid rows left out by `--skip-invalid`.
    pub skipped: Vec<RowError>,
    pub warnings: Vec<RowError>,
    /// What tagdesk knows, for predictions (and folded with the outcomes afterwards).
    pub known: KnownState,
    /// Rows that need nothing sent (already set), counted as `unchanged`.
    pub unchanged: usize,
    /// The batch's lock, when the caller took it before reading what to send (a resume);
    /// else `launch` takes it.
    pub lock: Option<BatchLock>,
}

/// The one object `--json` prints for an import, a resume or an undo.
#[derive(Debug, Serialize)]
pub(crate) struct Summary {
    pub(crate) batch_id: String,
    pub(crate) dry_run: bool,
    pub(crate) rows: usize,
    /// `requests`, `ok`, `partial`, `failed`, `refused`, `errors`, `pending`, `unchanged`.
    #[serde(flatten)]
    pub(crate) counts: BatchCounts,
    pub(crate) skipped: usize,
    pub(crate) results: Option<String>,
    pub(crate) exit_code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) undo_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) retry_of: Option<String>,
    /// The batch stopped sending on its own (`--max-errors`, a refused key), and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stopped: Option<batch::Stopped>,
    pub(crate) profile: String,
    pub(crate) op: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) invalid: Vec<RowError>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) warnings: Vec<RowError>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) journal_error: Option<String>,
    /// How many requests were in flight (`limit`, `peak`, `lowest`, `auto`) and the 429s
    /// and 503s received (`throttled`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) concurrency: Option<ConcurrencyReport>,
    /// A dry-run: every request it would send, predicted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) plan: Option<Vec<serde_json::Value>>,
}

impl Summary {
    /// The summary of `plan` with nothing counted yet.
    pub(crate) fn of(plan: &SavedPlan, profile: &str) -> Self {
        Self {
            batch_id: plan.batch_id.clone(),
            dry_run: false,
            rows: plan.data_rows,
            counts: BatchCounts::default(),
            skipped: plan.skipped.len(),
            results: None,
            exit_code: exit::OK,
            undo_of: plan.undo_of.clone(),
            retry_of: plan.retry_of.clone(),
            stopped: None,
            profile: profile.to_string(),
            op: plan.op.name(),
            invalid: Vec::new(),
            warnings: Vec::new(),
            notes: plan.notes.clone(),
            journal_error: None,
            concurrency: None,
            plan: None,
        }
    }
}

/// The exit code of a batch run, from its counts.
pub fn batch_exit(c: &BatchCounts) -> u8 {
    if c.errors > 0 || c.pending > 0 {
        exit::UNREACHABLE
    } else if c.refused > 0 {
        exit::REFUSED
    } else if c.failed > 0 || c.partial > 0 {
        exit::SOME_FAILED
    } else {
        exit::OK
    }
}

/// Asks on the terminal; a plan over the threshold must have its count typed.
pub(crate) fn confirm(question: &str, type_count: Option<usize>) -> bool {
    if !super::run::ask(question) {
        return false;
    }
    let Some(n) = type_count else {
        return true;
    };
    let mut stderr = std::io::stderr().lock();
    let _ = std::io::Write::write_all(
        &mut stderr,
        format!("Type the number of requests ({n}) to go on: ").as_bytes(),
    );
    let _ = std::io::Write::flush(&mut stderr);
    drop(stderr);
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    answer.trim() == n.to_string()
}

/// Checks, previews or runs a plan; returns the exit code.
pub(crate) async fn launch(session: &Session, launch: Launch, format: Format, yes: bool) -> u8 {
    for row in launch.plan.rows.iter().filter(|r| r.lines.len() > 1) {
        err(&format!(
            "tagdesk: {} is on lines {}: merged into one request",
            printable(&row.op.target()),
            row.lines
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    print_row_errors(&launch.warnings, "warning: ");
    if !launch.skipped.is_empty() {
        print_row_errors(&launch.skipped, "skipped (--skip-invalid): ");
    }
    for n in &launch.plan.notes {
        err(&format!("tagdesk: {}", printable(n)));
    }
    if launch.dry_run {
        return dry_run(session, &launch, format);
    }
    if let Some(why) = super::plan_file::approval_refusal(session, &launch.plan) {
        return fail(format, &why, exit::USAGE);
    }
    if let Err(e) = results_usable(session, &launch.run, &launch.plan, format) {
        return fail(format, &format!("not sent: {e}"), exit::USAGE);
    }
    // One runner per batch, from before the question to the end of the run.
    let _lock = match launch.lock {
        Some(l) => l,
        None => match lock_batch(session, &launch.plan.batch_id) {
            Ok(l) => l,
            Err(e) => return fail(format, &e, exit::USAGE),
        },
    };
    let service = service_of(&launch.plan);
    match gate::check_plan(
        launch.plan.op,
        service,
        launch.todo.len(),
        &policy_of(session),
    ) {
        PlanDecision::Allow => {}
        PlanDecision::Refuse(reason) => return fail(format, &reason, exit::USAGE),
        PlanDecision::Confirm {
            question,
            type_count,
        } => {
            if !yes && !confirm(&question, type_count) {
                return fail(
                    format,
                    &format!(
                        "not sent: profile {} asks for confirmation (answer at the prompt, or \
                         pass --yes)",
                        session.profile.name
                    ),
                    exit::USAGE,
                );
            }
        }
    }
    let clients = match session.clients() {
        Ok(c) => c,
        Err(e) => return fail(format, &e.0, exit::USAGE),
    };
    if !launch.todo.is_empty() {
        let missing = match service {
            Service::Hive => clients.hive.is_none(),
            Service::Cerego => clients.cerego.is_none(),
        };
        if missing {
            let why = session
                .profile
                .unavailable(service)
                .map(|u| u.reason.clone())
                .unwrap_or_else(|| format!("{} is not configured", service.name()));
            return fail(format, &format!("{why}: nothing was sent"), exit::USAGE);
        }
    }
    let journal = match open_journal(session, false) {
        Ok(j) => j,
        Err(e) => return fail(format, &format!("not sent: {e}"), exit::USAGE),
    };
    if let Err(e) = batch::save(&session.paths.data_dir, &launch.plan) {
        return fail(
            format,
            &format!("not sent: the batch plan cannot be saved: {e}"),
            exit::USAGE,
        );
    }
    let begin = if launch.resume {
        BatchEvent::Resume {
            requests: launch.todo.len(),
            writer: Writer::current().clone(),
        }
    } else {
        BatchEvent::Start {
            op: launch.plan.op,
            source: launch.plan.source.clone(),
            sha256: launch.plan.sha256.clone(),
            rows: launch.plan.data_rows,
            requests: launch.todo.len(),
            skipped: launch.skipped.len(),
            concurrency: launch.run.concurrency.start(),
            concurrency_auto: launch.run.concurrency.is_auto(),
            rate: launch.run.rate,
            undo_of: launch.plan.undo_of.clone(),
            writer: Writer::current().clone(),
            audit: launch.plan.audit.clone(),
        }
    };
    let ctx = Arc::new(RunContext {
        clients,
        journal,
        profile: session.profile.name.clone(),
        demo: session.profile.demo,
        policy: session.profile.retry,
        options: RunOptions {
            concurrency: launch.run.concurrency,
            rate: launch.run.rate,
            group_commit: true,
            max_errors: launch.run.max_errors,
        },
    });
    let bar = Arc::new(ProgressLine::new(launch.todo.len(), launch.run.concurrency));
    let known = Arc::new(Mutex::new(launch.known));
    let progress: Arc<dyn Fn(Progress) + Send + Sync> = {
        let (bar, known) = (bar.clone(), known.clone());
        Arc::new(move |p: Progress| match p {
            Progress::Sent { .. } => {}
            Progress::Done {
                report, op, result, ..
            } => {
                bar.done(report.outcome);
                known
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .apply_result(&op, &result, chrono::Utc::now());
            }
            Progress::Throttled { wait_ms, reason } => bar.throttled(wait_ms, &reason),
            Progress::Limit { limit } => bar.limit(limit),
        })
    };
    let (control, watch_rx) = watch::channel(Control::Run);
    let place = session.profile.place();
    let resume_hint = command_in(&place, &format!("batch resume {}", launch.plan.batch_id));
    // A first Ctrl-C cancels (requests in flight finish); a second one, a SIGTERM or a
    // SIGHUP stops at once, the requests in flight journaled as abandoned.
    let mut signals = super::signals::Signals::install();
    let journal = ctx.journal.clone();
    let cancel = tokio::spawn(async move {
        let mut stop = signals.next().await;
        let _ = control.send(Control::Cancel);
        if stop == super::signals::Stop::Interrupt {
            err(&format!(
                "\ntagdesk: cancelling: requests in flight finish, the rest stay pending \
                 (`{resume_hint}` sends them; Ctrl-C again to stop at once)"
            ));
            stop = signals.next().await;
        }
        super::signals::abandon_and_exit(
            Some(&journal),
            stop,
            &format!(". The batch is unfinished: `{resume_hint}` sends what is left"),
        )
    });
    let plan = Arc::new(launch.plan);
    batch::mark_running(
        &session.paths.data_dir,
        &plan.batch_id,
        &session.profile.name,
        session.profile.demo,
    );
    let report = batch::run(
        ctx,
        plan.clone(),
        launch.todo.clone(),
        begin,
        watch_rx,
        progress,
    )
    .await;
    cancel.abort();
    batch::mark_ended(&session.paths.data_dir, &plan.batch_id);
    bar.finish(&report.concurrency);
    if let Some(d) = &report.deferred {
        err(&format!(
            "tagdesk: the batch stopped sending: {}. The rows not carried out stay pending: \
             `{}` sends them (after {})",
            d.describe(),
            command_in(&place, &format!("batch resume {}", plan.batch_id)),
            d.until.format("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    if let Some(s) = &report.stopped {
        let pending = plural(report.counts.pending as u64, "row", "rows");
        let resume = command_in(&place, &format!("batch resume {}", plan.batch_id));
        err(&format!(
            "tagdesk: the batch stopped sending: {}; {pending} pending: `{resume}` sends them",
            s.describe()
        ));
    }
    if !session.profile.demo && service == Service::Hive {
        save_changed_patrons(session, &known);
    }
    let mut counts = report.counts;
    counts.unchanged += launch.unchanged;
    finish(
        session,
        &plan,
        &report.rows,
        counts,
        report.journal_error,
        (Some(report.concurrency), report.stopped),
        &launch.run,
        launch.skipped,
        launch.warnings,
        format,
    )
}

/// Appends the Hive patrons a run changed to the profile's workspace change log (only
/// those: what another tagdesk learned meanwhile about the others is kept); a failure is a
/// warning, as the changes themselves are journaled.
pub(crate) fn save_changed_patrons(session: &Session, known: &Mutex<KnownState>) {
    use crate::engine::workspace::{Change, append};
    let mut known = known.lock().unwrap_or_else(|e| e.into_inner());
    let changes = known.hive.take_changed().into_iter().map(Change::Patron);
    let (dir, profile) = (&session.paths.data_dir, &session.profile.name);
    if let Err(e) = append(dir, profile, &changes.collect::<Vec<Change>>()) {
        err(&format!(
            "tagdesk: warning: the workspace could not be saved: {e}"
        ));
    }
}

/// Writes the results, prints the rows and the summary; returns the exit code.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish(
    session: &Session,
    plan: &SavedPlan,
    rows: &[(usize, RowReport)],
    counts: BatchCounts,
    journal_error: Option<String>,
    (concurrency, stopped): (Option<ConcurrencyReport>, Option<batch::Stopped>),
    run: &RunArgs,
    skipped: Vec<RowError>,
    warnings: Vec<RowError>,
    format: Format,
) -> u8 {
    let mut code = super::expect_check::exit_code(batch_exit(&counts), &counts, rows);
    if !plan.check_by_hand.is_empty() {
        // An undo that could not decide some rows: it is not done until someone looks.
        for c in &plan.check_by_hand {
            err(&format!("tagdesk: check by hand: {}", printable(c)));
        }
        if code == exit::OK {
            code = exit::UNREACHABLE;
        }
    }
    if let Some(e) = &journal_error {
        err(&format!("tagdesk: {}", printable(e)));
        if code == exit::OK {
            code = exit::JOURNAL;
        }
    }
    let mut results = None;
    let mut to_stdout = false;
    if let Some(path) = &run.results {
        let mut text = report::CSV_COLUMNS.join(",");
        text.push('\n');
        for (_, r) in rows {
            text.push_str(&report::csv_line(r));
            text.push('\n');
        }
        // Checked again: the path may have changed while the batch ran.
        let written =
            super::results::check(session, path, plan.source.as_deref(), run.force, false)
                .and_then(|target| match &target {
                    Target::Stdout => {
                        to_stdout = true;
                        super::out_raw(&text);
                        Ok(target)
                    }
                    Target::File { full, .. } => crate::engine::fs::write_private(full, text)
                        .map(|()| target.clone())
                        .map_err(|e| format!("{}: {e}", path.display())),
                });
        match written {
            Ok(target) => results = Some(target.shown()),
            Err(e) => {
                err(&format!(
                    "tagdesk: batch {} was run, but its results could not be written: {} \
                     (`{}` prints them)",
                    plan.batch_id,
                    printable(&e),
                    command_in(
                        &session.profile.place(),
                        &format!("batch show --csv {}", plan.batch_id)
                    )
                ));
                if code == exit::OK {
                    code = exit::JOURNAL;
                }
            }
        }
    }
    let place = session.profile.place();
    match format {
        Format::Json => {
            let summary = Summary {
                counts,
                skipped: skipped.len(),
                results,
                exit_code: code,
                invalid: skipped,
                warnings,
                journal_error,
                concurrency,
                stopped,
                ..Summary::of(plan, &session.profile.name)
            };
            out(&json_text(&json!(summary)));
        }
        Format::Human => {
            // With `--results -` standard output carries the CSV alone.
            let line = |text: &str| if to_stdout { err(text) } else { out(text) };
            if !to_stdout {
                for (_, r) in rows {
                    out(&human_row(r));
                }
            }
            line(&format!(
                "batch {} ({}): {} sent · {} ok · {} partial · {} failed · {} refused · {} \
                 errors · {} pending · {} unchanged{}{}",
                plan.batch_id,
                plan.op.name(),
                plural(counts.requests as u64, "request", "requests"),
                counts.ok,
                counts.partial,
                counts.failed,
                counts.refused,
                counts.errors,
                counts.pending,
                counts.unchanged,
                super::expect_check::summary_part(&counts),
                results
                    .map(|r| format!(" · results in {r}"))
                    .unwrap_or_default()
            ));
            if counts.pending > 0 || counts.errors > 0 {
                err(&format!(
                    "tagdesk: unsent or unknown rows remain: `{}` sends them",
                    command_in(&place, &format!("batch resume {}", plan.batch_id))
                ));
            }
            if counts.ok + counts.partial > 0 {
                err(&format!(
                    "tagdesk: to undo it: `{}` (add --dry-run to see what it would send)",
                    command_in(&place, &format!("batch undo {}", plan.batch_id))
                ));
            }
        }
    }
    flush();
    code
}

/// One result line for people.
pub(crate) fn human_row(r: &RowReport) -> String {
    let mut tags = Vec::new();
    tags.extend(r.added.iter().map(|t| format!("+{t}")));
    tags.extend(r.pre_existing.iter().map(|t| format!("={t}")));
    tags.extend(r.removed.iter().map(|t| format!("−{t}")));
    tags.extend(r.non_existent.iter().map(|t| format!("∅{t}")));
    tags.extend(r.failed.iter().map(|t| format!("✗{t}")));
    let status = r
        .http_status
        .map(|s| format!("HTTP {s}"))
        .unwrap_or_default();
    format!(
        "line {:<5} {} {:<10} {:<24} {:<8} {}{}{}{}",
        r.line,
        r.outcome.glyph(),
        r.outcome.as_str(),
        printable(&r.target),
        status,
        r.error_code
            .as_deref()
            .map(|c| format!("{c}: "))
            .unwrap_or_default(),
        printable(r.message.as_deref().unwrap_or("")),
        if tags.is_empty() {
            String::new()
        } else {
            format!("  {}", printable(&tags.join(" ")))
        },
        super::expect_check::mark(r)
    )
}

/// Whether the `--results` of `run` can be written, checked before anything is sent.
pub(crate) fn results_usable(
    session: &Session,
    run: &RunArgs,
    plan: &SavedPlan,
    format: Format,
) -> Result<(), String> {
    let Some(path) = &run.results else {
        return Ok(());
    };
    let target = super::results::check(session, path, plan.source.as_deref(), run.force, true)?;
    if target == Target::Stdout && format == Format::Json {
        return Err(
            "--results - and --json both write to standard output: give --results a file".into(),
        );
    }
    Ok(())
}

/// Takes the lock of `batch_id` for this run, or says who holds it.
pub(crate) fn lock_batch(session: &Session, batch_id: &str) -> Result<BatchLock, String> {
    batch::lock_batch(&session.paths.data_dir, batch_id).map_err(|e| match e {
        batch::LockError::Held { .. } => format!(
            "not sent: batch {batch_id} is being run: {e}; wait for it to end (or cancel it \
             there) first"
        ),
        batch::LockError::Io(_) => format!("not sent: batch {batch_id}: {e}"),
    })
}
