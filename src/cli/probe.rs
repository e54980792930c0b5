//! `tagdesk probe hive`: the documented outcome table checked against a live application.
//! One test patron goes through the probe's sequence (`core::probe`) as a batch of the one
//! batch engine (`engine::probe`); each answer is judged, the report printed (or `--json`),
//! saved (`--save`) and compared with an earlier one (`--compare`).

use std::sync::{Arc, Mutex};

use serde_json::json;
use tokio::sync::watch;

use super::args::ProbeArgs;
use super::batch::{command_in, known_state, open_journal, policy_of};
use super::launch::lock_batch;
use super::results::Target;
use super::{Format, err, exit, fail, flush, out};
use crate::core::gate::{self, PlanDecision};
use crate::core::op::diff::{diff, plain};
use crate::core::printable::{json_text, printable};
use crate::core::probe::judge::{Check, Judged, Report, Stop, compare};
use crate::core::probe::{Expected, ProbeStep};
use crate::engine::batch::{self, Control, Progress, RunContext};
use crate::engine::journal::{self, BatchEvent, Writer};
use crate::session::Session;

/// The two api_fields to probe with: `--fields A,B`, else the first two of the catalogue.
fn two_fields(session: &Session, given: Option<&str>) -> Result<(String, String), String> {
    let names: Vec<String> = match given {
        Some(list) => list
            .split(',')
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect(),
        None => super::dry_run::catalogue_of(session)
            .0
            .iter()
            .take(2)
            .map(|t| t.api_field.to_string())
            .collect(),
    };
    match (given, names.as_slice()) {
        (_, [a, b]) => Ok((a.clone(), b.clone())),
        (Some(_), _) => Err(format!(
            "--fields takes exactly two api_fields the application defines, separated by a \
             comma (e.g. --fields vip,newsletter), not {}",
            names.len()
        )),
        (None, _) => Err(format!(
            "the probe needs two api_fields the Hive application defines, and profile {} \
             lists {} in hive.tags: give them with --fields A,B (nothing was sent)",
            session.profile.name,
            names.len()
        )),
    }
}

/// The earlier report `--compare` names, read before anything is sent.
fn earlier(path: &std::path::Path) -> Result<Report, String> {
    let shown = path.display();
    let bytes = batch::read_source(&path.to_string_lossy())?;
    serde_json::from_slice(&bytes)
        .map_err(|e| format!("{shown} is not a report saved by `tagdesk probe hive --save` ({e})"))
}

/// `tagdesk probe hive`.
pub(crate) async fn probe_hive(
    session: &Session,
    args: ProbeArgs,
    format: Format,
    yes: bool,
) -> u8 {
    let usage = |m: &str| fail(format, m, exit::USAGE);
    let (a, b) = match two_fields(session, args.fields.as_deref()) {
        Ok(f) => f,
        Err(e) => return usage(&e),
    };
    let (patron, steps) = match crate::engine::probe::steps_for(&args.patron, &a, &b) {
        Ok(s) => s,
        Err(e) => return usage(&format!("{e} (nothing was sent)")),
    };
    if let Some(why) = steps
        .iter()
        .find_map(|s| super::refuse_key_as_data(session, &s.op))
    {
        return usage(&why);
    }
    let before = match args.compare.as_deref().map(earlier).transpose() {
        Ok(b) => b,
        Err(e) => return usage(&format!("not sent: {e}")),
    };
    let save = match &args.save {
        Some(path) => match super::results::check(session, path, None, false, true) {
            Ok(Target::Stdout) if format == Format::Json => {
                return usage(
                    "--save - and --json both write to standard output: give --save a file",
                );
            }
            Ok(t) => Some(t),
            Err(e) => return usage(&format!("not sent: {e}")),
        },
        None => None,
    };
    let live = !session.profile.demo;
    match gate::check_probe(
        &policy_of(session),
        live,
        patron.as_str(),
        [&a, &b],
        steps.len(),
    ) {
        PlanDecision::Allow => {}
        PlanDecision::Refuse(reason) => return usage(&reason),
        PlanDecision::Confirm { question, .. } => {
            if !yes && !super::run::ask(&question) {
                return usage(&format!(
                    "not sent: the probe changes tags on the application of profile {}: answer \
                     at the prompt, or pass --yes",
                    session.profile.name
                ));
            }
        }
    }
    let clients = match session.clients() {
        Ok(c) if c.hive.is_some() => c,
        Ok(_) => {
            let why = session
                .profile
                .unavailable(crate::core::op::Service::Hive)
                .map(|u| u.reason.clone())
                .unwrap_or_else(|| "Hive is not configured".into());
            return usage(&format!("{why}: nothing was sent"));
        }
        Err(e) => return usage(&e.0),
    };
    let journal = match open_journal(session, false) {
        Ok(j) => j,
        Err(e) => return usage(&format!("not sent: {e}")),
    };
    let notes = vec![format!(
        "probe of patron {patron} with {a} and {b}: Hive creates the patron on the first add"
    )];
    let plan = crate::engine::probe::plan(
        journal::new_id(),
        &session.profile.name,
        session.profile.demo,
        &steps,
        notes,
    );
    let _lock = match lock_batch(session, &plan.batch_id) {
        Ok(l) => l,
        Err(e) => return usage(&e),
    };
    if let Err(e) = batch::save(&session.paths.data_dir, &plan) {
        return usage(&format!("not sent: the batch plan cannot be saved: {e}"));
    }
    let begin = BatchEvent::Start {
        op: plan.op,
        source: plan.source.clone(),
        sha256: None,
        rows: plan.data_rows,
        requests: plan.rows.len(),
        skipped: 0,
        concurrency: 1,
        concurrency_auto: false,
        rate: None,
        undo_of: None,
        writer: Writer::current().clone(),
        audit: Default::default(),
    };
    let ctx = Arc::new(RunContext {
        clients,
        journal,
        profile: session.profile.name.clone(),
        demo: session.profile.demo,
        policy: session.profile.retry,
        options: crate::engine::probe::run_options(),
    });
    let known = Arc::new(Mutex::new(known_state(session)));
    let judged = Arc::new(Mutex::new(Vec::new()));
    let (control, watch_rx) = watch::channel(Control::Run);
    let inner: Arc<dyn Fn(Progress) + Send + Sync> = {
        let known = known.clone();
        Arc::new(move |p: Progress| {
            if let Progress::Done { op, result, .. } = p {
                known
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .apply_result(&op, &result, chrono::Utc::now());
            }
        })
    };
    let progress =
        crate::engine::probe::judging(steps.clone(), judged.clone(), control.clone(), inner);
    let place = session.profile.place();
    let mut signals = super::signals::Signals::install();
    let journal = ctx.journal.clone();
    let cancel = tokio::spawn(async move {
        let stop = signals.next().await;
        let _ = control.send(Control::Cancel);
        let stop = if stop == super::signals::Stop::Interrupt {
            err(
                "\ntagdesk: stopping the probe after the step in flight (Ctrl-C again to stop at once)",
            );
            signals.next().await
        } else {
            stop
        };
        super::signals::abandon_and_exit(
            Some(&journal),
            stop,
            ". Run the probe again: it clears the patron first",
        )
    });
    let plan = Arc::new(plan);
    let data_dir = &session.paths.data_dir;
    batch::mark_running(
        data_dir,
        &plan.batch_id,
        &session.profile.name,
        session.profile.demo,
    );
    let todo: Vec<usize> = (0..plan.rows.len()).collect();
    let run = batch::run(ctx, plan.clone(), todo, begin, watch_rx, progress).await;
    cancel.abort();
    batch::mark_ended(data_dir, &plan.batch_id);
    let mut judged = std::mem::take(&mut *judged.lock().unwrap_or_else(|e| e.into_inner()));
    judged.sort_by_key(|(row, _)| *row);
    let stop = judged.iter().find_map(|(_, j)| j.stop.clone());
    let mut report = Report {
        probe_id: plan.batch_id.clone(),
        profile: session.profile.name.clone(),
        patron: patron.to_string(),
        steps: judged.iter().map(|(_, j)| j.result.clone()).collect(),
        matched: 0,
        mismatched: 0,
        exit_code: exit::OK,
        changes: None,
    };
    report.count();
    let incomplete = report.steps.len() < steps.len();
    report.exit_code = match &stop {
        Some(Stop::Refused(_)) => exit::REFUSED,
        Some(Stop::Unreachable(_)) => exit::UNREACHABLE,
        Some(Stop::Undefined(_)) => exit::SOME_FAILED,
        None if incomplete => exit::UNREACHABLE,
        None if report.clean() => exit::OK,
        None => exit::SOME_FAILED,
    };
    if let Some(e) = &run.journal_error {
        err(&format!("tagdesk: {}", printable(e)));
        if report.exit_code == exit::OK {
            report.exit_code = exit::JOURNAL;
        }
    }
    if let Some(b) = &before {
        report.changes = Some(compare(&b.steps, &report.steps));
    }
    if !session.profile.demo {
        // What the probe left on its patron is known now, as after any change.
        super::launch::save_changed_patrons(session, &known);
    }
    let text = json_text(&json!(report));
    let mut to_stdout = false;
    if let Some(target) = &save {
        let written = match target {
            Target::Stdout => {
                to_stdout = true;
                out(&text);
                Ok(())
            }
            Target::File { full, .. } => crate::engine::fs::write_private(full, &text)
                .map_err(|e| format!("{}: {e}", target.shown())),
        };
        if let Err(e) = written {
            err(&format!(
                "tagdesk: probe {} was run, but its report could not be saved: {}",
                plan.batch_id,
                printable(&e)
            ));
            if report.exit_code == exit::OK {
                report.exit_code = exit::JOURNAL;
            }
        }
    }
    match format {
        Format::Json => out(&json_text(&json!(report))),
        Format::Human => {
            let line = |t: &str| if to_stdout { err(t) } else { out(t) };
            for (row, j) in &judged {
                for l in human_step(*row, steps.len(), &steps[*row], j) {
                    line(&l);
                }
            }
            for l in summary(
                &report,
                &steps,
                stop.as_ref(),
                &known.lock().unwrap_or_else(|e| e.into_inner()),
                [&a, &b],
            ) {
                line(&l);
            }
            if let Some(changes) = &report.changes {
                let since = args
                    .compare
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                if changes.is_empty() {
                    line(&format!("nothing changed since {since}"));
                } else {
                    line(&format!("changed since {since}:"));
                    for c in changes {
                        line(&format!("  {}", printable(&c.describe())));
                    }
                }
            }
            err(&format!(
                "tagdesk: every request is journaled: `{}`",
                command_in(&place, &format!("batch show {}", plan.batch_id))
            ));
        }
    }
    flush();
    report.exit_code
}

/// One step, for people: what was sent, what came back, the check and the arrays.
fn human_step(row: usize, of: usize, step: &ProbeStep, j: &Judged) -> Vec<String> {
    let r = &j.result;
    let status = match (r.http_status, &r.error_code) {
        (Some(s), Some(c)) => format!("HTTP {s} {c}"),
        (Some(s), None) => format!("HTTP {s}"),
        (None, _) => "no answer".into(),
    };
    let fields = if r.fields.is_empty() {
        "[] (an empty list)".to_string()
    } else {
        r.fields.join(", ")
    };
    use crate::core::op::Op;
    let on = if let Op::HiveAdd { patron, .. } | Op::HiveRemove { patron, .. } = &step.op {
        patron.to_string()
    } else if let Op::Raw(raw) = &step.op {
        raw.body
            .as_ref()
            .and_then(|b| b.get("patron_id"))
            .and_then(|p| p.as_str())
            .unwrap_or("the patron")
            .to_string()
    } else {
        "the patron".into()
    };
    let wrong_key = matches!(&step.op, Op::Raw(raw) if raw.wrong_key);
    let mut out = vec![format!(
        "{:>2}/{of} {:<34} {} {} on {}{} · {status} · {}{}",
        row + 1,
        r.step,
        r.op,
        fields,
        printable(&on),
        if wrong_key { " with a wrong key" } else { "" },
        r.check.as_str(),
        if r.arrays_ok {
            ""
        } else {
            " · arrays not as expected"
        }
    )];
    let pad = |label: &str, text: &str| format!("       {label:<11} {}", printable(text));
    match (&r.scenario, &r.expected_scenario) {
        (Some(s), Some(e)) if s != e => out.push(pad("scenario", &format!("{s} (expected: {e})"))),
        (Some(s), _) => out.push(pad("scenario", s)),
        (None, Some(e)) => out.push(pad("scenario", &format!("none (expected: {e})"))),
        (None, None) => {}
    }
    out.push(pad(
        "server",
        r.message.as_deref().unwrap_or("(no message)"),
    ));
    match (&r.documented, &r.message) {
        (Some(d), Some(m)) => {
            out.push(pad("documented", d));
            if d != m {
                out.push(pad(
                    "difference",
                    &format!(
                        "{}   ([-…-] documented only, {{+…+}} server only)",
                        plain(&diff(d, m))
                    ),
                ));
            }
        }
        (Some(d), None) => out.push(pad("documented", d)),
        (None, _) => {
            if let Expected::Error { status, code } = &step.expected {
                out.push(pad("documented", &format!("HTTP {status} {code}")));
            }
        }
    }
    if let Some(a) = &j.arrays {
        out.push(pad("arrays", a));
    }
    out
}

/// The end of the report: the counts, what the patron holds, why a run stopped.
fn summary(
    report: &Report,
    steps: &[ProbeStep],
    stop: Option<&Stop>,
    known: &crate::core::model::KnownState,
    fields: [&str; 2],
) -> Vec<String> {
    let outcomes = |want: fn(&Expected) -> bool| {
        let of = steps.iter().filter(|s| want(&s.expected)).count();
        let ok = report
            .steps
            .iter()
            .zip(steps)
            .filter(|(r, s)| want(&s.expected) && r.check == Check::Match && r.arrays_ok)
            .count();
        (ok, of)
    };
    let (o_ok, o_of) = outcomes(|e| matches!(e, Expected::Outcome { .. }));
    let (e_ok, e_of) = outcomes(|e| matches!(e, Expected::Error { .. }));
    let mut out = vec![
        String::new(),
        format!(
            "probe {} · profile {} · patron {}: {o_ok} of {o_of} documented outcomes MATCH as \
             expected · {e_ok} of {e_of} documented errors as documented · {} MATCH, {} \
             MISMATCH in all",
            report.probe_id, report.profile, report.patron, report.matched, report.mismatched
        ),
    ];
    let patron = crate::core::domain::PatronId::parse(&report.patron).ok();
    let p = patron.as_ref().and_then(|id| known.hive.get(id));
    let held: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| p.is_some_and(|p| p.has(f)))
        .collect();
    let finished = stop.is_none() && report.steps.len() == steps.len();
    out.push(if p.is_none() || (!finished && held.is_empty()) {
        // No answer confirmed what the patron holds (a run stopped early, or nothing came
        // back): say so rather than guess.
        format!(
            "what patron {} holds now is not confirmed (the probe did not finish): run it \
             again to clear {} and {}",
            report.patron, fields[0], fields[1]
        )
    } else if held.is_empty() {
        format!(
            "patron {} holds neither {} nor {} now",
            report.patron, fields[0], fields[1]
        )
    } else {
        format!(
            "patron {} still holds {}: run the probe again to clear it",
            report.patron,
            held.join(", ")
        )
    });
    match stop {
        Some(Stop::Refused(why)) => out.push(format!(
            "stopped: the API refused a request: {}",
            printable(why)
        )),
        Some(Stop::Unreachable(why)) => {
            out.push(format!("stopped: no usable answer: {}", printable(why)))
        }
        Some(Stop::Undefined(fields)) => out.push(format!(
            "stopped: the application does not define {} (the clearing remove reported it \
             failed): give two api_fields it defines with --fields A,B",
            fields.join(", ")
        )),
        None if report.steps.len() < steps.len() => out.push(format!(
            "stopped after {} of {} steps",
            report.steps.len(),
            steps.len()
        )),
        None => {}
    }
    out
}

/// A probe is shown (`batch show`, `batch list`), never resumed or undone: it ends with its
/// patron holding none of its tags, and running it again clears whatever an interrupted
/// run left (its first step removes both api_fields).
pub(crate) fn only_shown(
    plan: &crate::engine::batch::SavedPlan,
    verb: &str,
    place: &crate::core::op::Place,
) -> Result<(), String> {
    if plan.op != crate::core::plan::BatchOp::Probe || verb == "show" {
        return Ok(());
    }
    Err(format!(
        "batch {} is a probe: there is nothing to {verb} — a probe ends with its patron holding \
         none of its tags, and `{}` run again clears what an interrupted one left (nothing \
         was sent)",
        plan.batch_id,
        command_in(place, "probe hive")
    ))
}
