//! Batches from the command line: `batch list`, `batch show`, `batch resume`, `batch undo`
//! and `undo`, plus what the import, launch and dry-run code shares (the journal, the known
//! state, the partner's users). Running a plan is `launch`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::json;

use super::args::{BatchCommand, RunArgs};
use super::launch::{Launch, finish, launch, lock_batch, results_usable};
use super::{Format, err, exit, fail, flush, out};
use crate::core::gate::Policy;
use crate::core::model::KnownState;
use crate::core::op::{Place, Service};
use crate::core::plan::RowError;
use crate::core::printable::{json_text, plural, printable};
use crate::engine::batch::{self, SavedPlan, history};
use crate::engine::exec::{Clients, SharedJournal};
use crate::engine::journal::{self, BatchCounts, Journal, JournalOptions};
use crate::session::Session;

/// `tagdesk [--profile NAME | --demo] WORDS…`: a command that runs in the same place.
pub(crate) fn command_in(place: &Place, words: &str) -> String {
    match place {
        Place::Demo => format!("tagdesk --demo {words}"),
        Place::Profile(p) => format!(
            "tagdesk --profile {} {words}",
            crate::core::op::shell_quote(p)
        ),
    }
}

pub(crate) fn policy_of(session: &Session) -> Policy {
    Policy {
        profile: session.profile.name.clone(),
        read_only: session.profile.read_only,
        read_only_flag: session.profile.read_only_flag,
        confirm: session.profile.confirm,
        // `launch` checks the approval a plan carries (plan_file::approval_refusal).
        require_approval: false,
    }
}

/// The service a plan talks to (its first row's), Hive for an empty plan.
pub(crate) fn service_of(plan: &SavedPlan) -> Service {
    plan.rows.first().map_or(Service::Hive, |r| r.op.service())
}

/// Opens the profile's journal; with `close_orphans`, intents a killed run left without an
/// outcome are journaled as abandoned first (a resume does this; a dry-run writes nothing
/// but its own record).
pub(crate) fn open_journal(
    session: &Session,
    close_orphans: bool,
) -> Result<SharedJournal, String> {
    let options = JournalOptions {
        demo: session.profile.demo,
        rotate_bytes: session.profile.journal_rotate_bytes,
    };
    let (mut j, report) = Journal::open_with(
        &session.paths.data_dir,
        &session.profile.name,
        session.profile.secrets(),
        options,
    )
    .map_err(|e| format!("the journal cannot be opened: {e}"))?;
    // Each finding once per command; unreadable lines not again once `report_damage` has
    // reported every file's (in the words of `tagdesk log`).
    let mut repaired = report.clone();
    if DAMAGE_REPORTED.load(Ordering::Relaxed) {
        repaired.corrupt_lines.clear();
    }
    let mut shown = SHOWN.lock().unwrap_or_else(|e| e.into_inner());
    for w in repaired.warnings() {
        if !shown.contains(&w) {
            err(&format!("tagdesk: {}", printable(&w)));
            shown.push(w);
        }
    }
    drop(shown);
    // Rows a killed run left in flight become abandoned, so a resume sends them again.
    if close_orphans && let Err(e) = j.abandon_orphans(&report) {
        err(&format!("tagdesk: journal: {e}"));
    }
    Ok(Arc::new(Mutex::new(j)))
}

pub(crate) fn journal_path(session: &Session) -> std::path::PathBuf {
    journal::file_for(&session.paths.data_dir, &session.profile.name)
}

/// The known state a plan's predictions start from: the demo seed's patrons in demo mode,
/// else the profile's workspace.
pub(crate) fn known_state(session: &Session) -> KnownState {
    if session.profile.demo {
        let seed = crate::sim::seed::Seed::demo();
        KnownState::with_patrons(
            seed.hive
                .patrons
                .iter()
                .map(|p| crate::core::model::KnownPatron::from_seed(p.id.clone(), &p.tags))
                .collect(),
        )
    } else {
        let (w, problem) =
            crate::engine::workspace::load(&session.paths.data_dir, &session.profile.name);
        if let Some(p) = problem {
            err(&format!("tagdesk: warning: {}", printable(&p)));
        }
        KnownState::with_patrons(w.patrons)
    }
}

/// The partner's users a Cerego plan names (`ids`), or the exit code after saying why they
/// cannot be read: looked up one by one for a few users, else the listing filtered to them
/// (see `engine::named`).
pub(crate) async fn users_for_planning(
    session: &Session,
    ids: &[&str],
    format: Format,
) -> Result<crate::core::model::KnownUsers, u8> {
    let clients = session
        .clients()
        .map_err(|e| fail(format, &e.0, exit::USAGE))?;
    named_users(session, &clients, ids)
        .await
        .map_err(|e| fail(format, &format!("not sent: {e}"), exit::USAGE))
}

/// Reads the users `ids` names from the partner, for planning a Cerego file.
async fn named_users(
    session: &Session,
    clients: &Clients,
    ids: &[&str],
) -> Result<crate::core::model::KnownUsers, String> {
    let Some(cerego) = &session.profile.cerego else {
        return Err(super::partner_of(session).err().unwrap_or_default());
    };
    let op = cerego.listing(None);
    let notify = |n: crate::engine::retry::RetryNotice| {
        err(&format!(
            "tagdesk: reading the partner's users: {}; retry {}/{}",
            printable(&n.reason),
            n.attempt,
            n.max_attempts
        ));
    };
    match crate::engine::named::named_users(clients, &op, ids, &session.profile.retry, &notify)
        .await
    {
        Ok(named) => {
            if let Some(cut) = &named.users.cut {
                err(&format!(
                    "tagdesk: warning: the user list is incomplete ({}): rows for users past \
                     the limit are reported as not in the partner",
                    printable(cut)
                ));
            }
            Ok(named.users)
        }
        Err(e) => Err(format!(
            "the partner's users could not be read, so the file cannot be planned: {e}"
        )),
    }
}

pub(crate) fn print_row_errors(errors: &[RowError], what: &str) {
    for e in errors {
        err(&format!("tagdesk: {what}{e}"));
    }
}

/// `tagdesk batch …`.
pub(crate) async fn batch_command(
    session: &Session,
    command: BatchCommand,
    format: Format,
    yes: bool,
) -> u8 {
    let path = journal_path(session);
    match command {
        BatchCommand::List => match history::list(&path) {
            Ok(mut list) => {
                report_damage(&path);
                let (name, demo) = (&session.profile.name, session.profile.demo);
                let headers = batch::plan_headers(&session.paths.data_dir);
                list.extend(history::unstarted(&list, &headers, name, demo));
                super::retry::link_retries(&mut list, &headers);
                list.sort_by_key(|b| std::cmp::Reverse(b.created_at));
                if format == Format::Human {
                    others_note(&headers, name, demo);
                }
                match format {
                    Format::Json => out(&json_text(&json!(list))),
                    Format::Human => {
                        if list.is_empty() {
                            err(&format!(
                                "tagdesk: no batches in profile {} yet",
                                session.profile.name
                            ));
                        }
                        for b in &list {
                            out(&format!(
                                "{}  {}  {:<13} {:>7} {:<4}  {:<11} {}",
                                b.batch_id,
                                b.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                                b.op,
                                b.rows,
                                if b.rows == 1 { "row" } else { "rows" },
                                b.state.as_str(),
                                printable(
                                    b.source
                                        .as_deref()
                                        .or(b.undo_of.as_deref().map(|_| "undo"))
                                        .unwrap_or("")
                                ) + super::retry::retry_note(b).as_str()
                                    + super::plan_file::list_note(&b.audit).as_str()
                            ));
                        }
                    }
                }
                flush();
                exit::OK
            }
            Err(e) => fail(format, &e, exit::USAGE),
        },
        BatchCommand::Show {
            batch_id,
            csv,
            har,
            force,
        } => super::batch_show::show(session, &path, &batch_id, csv, (har, force), format),
        BatchCommand::Retry(args) => super::retry::retry(session, args, format, yes).await,
        BatchCommand::Resume { batch_id, run } => {
            resume(session, &batch_id, run, format, yes).await
        }
        BatchCommand::Undo {
            batch_id,
            dry_run,
            again,
            plan_out,
            run,
        } => {
            let plan = match load_here(session, &batch_id, "undo") {
                Ok(p) => p,
                Err(e) => return fail(format, &e, exit::USAGE),
            };
            // Held until the undo ends: nobody resumes or undoes the batch meanwhile.
            let _lock = if dry_run {
                None
            } else {
                match lock_batch(session, &batch_id) {
                    Ok(l) => Some(l),
                    Err(e) => return fail(format, &e, exit::USAGE),
                }
            };
            if let Err(e) = not_running(&path, &batch_id) {
                return fail(format, &e, exit::USAGE);
            }
            if let Err(e) = not_undone(session, &batch_id, "batch", again, dry_run) {
                return fail(format, &e, exit::USAGE);
            }
            report_damage(&path);
            // Every attempt of each row: a row resent after a crash has several.
            let attempts = match history::attempts_of(&path, &plan) {
                Ok(e) => e,
                Err(e) => return fail(format, &e, exit::USAGE),
            };
            let undo = history::undo_plan(
                &plan,
                &attempts,
                journal::new_id(),
                &session.profile.name,
                session.profile.demo,
            );
            let out = plan_out.plan_out;
            start_undo(session, undo, run, (dry_run, out), format, yes).await
        }
    }
}

/// Says on standard error that other profiles' batches are not listed, and how to see them.
fn others_note(headers: &[batch::PlanHeader], profile: &str, demo: bool) {
    let mut places: Vec<(String, Place, usize)> = Vec::new();
    for h in headers.iter().filter(|h| !h.belongs_to(profile, demo)) {
        let (label, place) = if h.demo {
            ("demo mode".to_string(), Place::Demo)
        } else {
            (
                format!("profile {}", h.profile),
                Place::Profile(h.profile.clone()),
            )
        };
        match places.iter_mut().find(|(_, p, _)| *p == place) {
            Some((_, _, n)) => *n += 1,
            None => places.push((label, place, 1)),
        }
    }
    places.sort_by(|a, b| a.0.cmp(&b.0));
    for (label, place, n) in places {
        err(&printable(&format!(
            "tagdesk: {} of {label} not listed: `{}`",
            plural(n as u64, "batch", "batches"),
            command_in(&place, "batch list")
        )));
    }
}

/// The plan of `batch_id`, if it belongs to this profile (and demo mode, or not): a batch
/// is shown, resumed and undone only where it was made.
pub(super) fn load_here(
    session: &Session,
    batch_id: &str,
    verb: &str,
) -> Result<SavedPlan, String> {
    let plan = batch::load(&session.paths.data_dir, batch_id)?;
    super::probe::only_shown(&plan, verb, &session.profile.place())?;
    let (name, demo) = (&session.profile.name, session.profile.demo);
    if plan.belongs_to(name, demo) {
        return Ok(plan);
    }
    let (made, theirs) = if plan.demo {
        ("in demo mode".to_string(), Place::Demo)
    } else {
        (
            format!("on profile {}", plan.profile),
            Place::Profile(plan.profile.clone()),
        )
    };
    let here = if demo {
        "this is demo mode".to_string()
    } else {
        format!("this is profile {name}")
    };
    Err(format!(
        "batch {batch_id} was made {made}; {here}: run `{}`",
        command_in(&theirs, &format!("batch {verb} {batch_id}"))
    ))
}

/// `report_damage` has reported the journal's unreadable lines.
static DAMAGE_REPORTED: AtomicBool = AtomicBool::new(false);
/// The journal warnings this command has printed.
static SHOWN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Prints what `tagdesk log` prints about lines of the journal that cannot be read (on
/// standard error): the rows they held read as never sent.
pub(super) fn report_damage(journal_path: &std::path::Path) {
    DAMAGE_REPORTED.store(true, Ordering::Relaxed);
    match journal::stream(journal_path, None, |_| Ok(())) {
        Ok(report) => super::log::print_problems(&report.problems),
        Err(e) => err(&format!("tagdesk: {}", printable(&e.to_string()))),
    }
}

/// Refuses to undo `id` (a batch or a journal entry) again once an undo of it finished,
/// unless `again`; an undo that was interrupted or left errors is resumed rather than
/// started over. A dry-run only says so.
fn not_undone(
    session: &Session,
    id: &str,
    what: &str,
    again: bool,
    dry_run: bool,
) -> Result<(), String> {
    if again {
        return Ok(());
    }
    let Some(undo) = history::last_undo_of(&journal_path(session), id)? else {
        return Ok(());
    };
    let place = session.profile.place();
    let complete =
        undo.state == history::BatchState::Finished && undo.counts.is_some_and(|c| c.errors == 0);
    let why = if complete {
        format!(
            "{what} {id} was already undone at {} (batch {}): pass --again to undo it again",
            undo.ended_at
                .unwrap_or(undo.created_at)
                .format("%Y-%m-%d %H:%M:%S UTC"),
            undo.batch_id
        )
    } else {
        format!(
            "{what} {id} has an unfinished undo (batch {}, started at {}): `{}` finishes it \
             (or pass --again to start another)",
            undo.batch_id,
            undo.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            command_in(&place, &format!("batch resume {}", undo.batch_id))
        )
    };
    if dry_run {
        err(&format!("tagdesk: note: {}", printable(&why)));
        return Ok(());
    }
    Err(why)
}

pub(crate) fn not_running(path: &std::path::Path, batch_id: &str) -> Result<(), String> {
    match history::info(path, batch_id)? {
        Some(info) if info.state == history::BatchState::Running => Err(format!(
            "batch {batch_id} is running in another tagdesk right now: wait for it to end (or \
             cancel it there) first"
        )),
        _ => Ok(()),
    }
}

pub(crate) async fn start_undo(
    session: &Session,
    undo: SavedPlan,
    run: RunArgs,
    (dry_run, plan_out): (bool, Option<std::path::PathBuf>),
    format: Format,
    yes: bool,
) -> u8 {
    let todo = undo.to_send();
    let launch_it = Launch {
        todo,
        resume: false,
        run,
        dry_run,
        skipped: Vec::new(),
        warnings: Vec::new(),
        known: known_state(session),
        unchanged: 0,
        plan: undo,
        lock: None,
    };
    match plan_out {
        Some(path) => super::plan_file::plan_out(session, launch_it, &path, format).await,
        None => launch(session, launch_it, format, yes).await,
    }
}

pub(crate) async fn resume(
    session: &Session,
    batch_id: &str,
    run: RunArgs,
    format: Format,
    yes: bool,
) -> u8 {
    let path = journal_path(session);
    let mut plan = match load_here(session, batch_id, "resume") {
        Ok(p) => p,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    if let Err(e) = results_usable(session, &run, &plan, format) {
        return fail(format, &format!("not sent: {e}"), exit::USAGE);
    }
    // One runner per batch: taken before reading what is left to send, held to the end.
    let lock = match lock_batch(session, batch_id) {
        Ok(l) => l,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    if let Err(e) = not_running(&path, batch_id) {
        return fail(format, &e, exit::USAGE);
    }
    report_damage(&path);
    // Close what a killed run left in flight first, so those rows read as abandoned.
    if let Err(e) = open_journal(session, true) {
        return fail(format, &format!("not sent: {e}"), exit::USAGE);
    }
    // A batch whose start never reached the journal is started, not resumed.
    let started = match history::info(&path, batch_id) {
        Ok(info) => info.is_some(),
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    let entries = match history::entries_of(&path, &plan) {
        Ok(e) => e,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    let mut todo = history::to_resume(&plan, &entries);
    let before = todo.len();
    let named: Vec<&str> = todo
        .iter()
        .filter_map(|&i| plan.rows[i].want.as_ref())
        .map(|w| w.user.as_str())
        .collect();
    if !named.is_empty() {
        let users = match users_for_planning(session, &named, format).await {
            Ok(u) => u,
            Err(code) => return code,
        };
        todo = history::replan_cerego(&mut plan, &todo, &users);
    }
    let now_unchanged = before - todo.len();
    if todo.is_empty() {
        if now_unchanged > 0 {
            // Rows found already done: the plan file says so from now on.
            if let Err(e) = batch::save(&session.paths.data_dir, &plan) {
                err(&format!("tagdesk: warning: {e}"));
            }
        }
        err(&format!(
            "tagdesk: batch {batch_id} has nothing left to send"
        ));
        let counts = BatchCounts {
            unchanged: now_unchanged,
            ..BatchCounts::default()
        };
        return finish(
            session,
            &plan,
            &[],
            counts,
            None,
            (None, None),
            &run,
            Vec::new(),
            Vec::new(),
            format,
        );
    }
    err(&format!(
        "tagdesk: resuming batch {batch_id}: {} to send{}",
        plural(todo.len() as u64, "row", "rows"),
        if now_unchanged > 0 {
            format!(" ({now_unchanged} found already done)")
        } else {
            String::new()
        }
    ));
    let launch_it = Launch {
        todo,
        resume: started,
        run,
        dry_run: false,
        skipped: Vec::new(),
        warnings: Vec::new(),
        known: known_state(session),
        unchanged: now_unchanged,
        plan,
        lock: Some(lock),
    };
    launch(session, launch_it, format, yes).await
}

/// `tagdesk undo JOURNAL_ID`.
pub(crate) async fn undo_command(
    session: &Session,
    journal_id: &str,
    run: RunArgs,
    dry_run: bool,
    again: bool,
    format: Format,
    yes: bool,
) -> u8 {
    let path = journal_path(session);
    let _lock = if dry_run {
        None
    } else {
        match lock_batch(session, journal_id) {
            Ok(l) => Some(l),
            Err(e) => return fail(format, &e, exit::USAGE),
        }
    };
    let entry = match history::find_entry(&path, journal_id) {
        Ok(Some(e)) => e,
        Ok(None) => {
            return fail(
                format,
                &format!(
                    "no journal entry {journal_id} in profile {} (see `tagdesk log`)",
                    session.profile.name
                ),
                exit::USAGE,
            );
        }
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    if let Err(e) = not_undone(session, journal_id, "journal entry", again, dry_run) {
        return fail(format, &e, exit::USAGE);
    }
    let undo = history::undo_entry(
        &entry,
        journal::new_id(),
        &session.profile.name,
        session.profile.demo,
    );
    start_undo(session, undo, run, (dry_run, None), format, yes).await
}
