//! `tagdesk plan show|approve PLAN.json` and `tagdesk apply PLAN.json`: a plan file read,
//! checked (its rows against their digest, its subjects against what tagdesk knows now, its
//! approvals) and, for `apply`, run through the one batch engine as an import is.

use std::path::Path;

use chrono::Utc;
use serde_json::json;

use super::args_plan::{ApplyArgs, PlanCommand};
use super::batch::command_in;
use super::launch::{Launch, launch};
use super::plan_file::{self, PlanFile, current_known, operator};
use super::{Format, err, exit, fail, flush, out};
use crate::core::plan::RowError;
use crate::core::plan::file::{self as digest, Approval, PlanAudit, same_person};
use crate::core::printable::{json_text, plural, printable};
use crate::engine::{batch, journal};
use crate::session::Session;

pub(crate) async fn plan_command(session: &Session, command: PlanCommand, format: Format) -> u8 {
    match command {
        PlanCommand::Show { file } => show(session, &file, format).await,
        PlanCommand::Approve { file, name } => approve(session, &file, name, format),
    }
}

/// Whether the plan was made for the profile in force (and demo mode, or not).
fn for_this_profile(session: &Session, pf: &PlanFile) -> bool {
    pf.profile == session.profile.name && pf.demo == session.profile.demo
}

fn profile_label(profile: &str, demo: bool) -> String {
    if demo {
        format!("{profile} (demo mode)")
    } else {
        profile.to_string()
    }
}

/// The subjects whose known state changed since the plan was made (empty: not stale).
async fn stale_subjects(
    session: &Session,
    pf: &PlanFile,
    format: Format,
) -> Result<(Vec<String>, crate::core::model::KnownState), u8> {
    let known = current_known(session, &pf.plan, format).await?;
    let now = digest::subject_digests(&pf.plan.rows, &known);
    Ok((digest::changed_subjects(&pf.known, &now), known))
}

/// `plan show`.
async fn show(session: &Session, path: &Path, format: Format) -> u8 {
    let pf = match plan_file::read(path) {
        Ok(pf) => pf,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    let intact = pf.rows_intact();
    let here = for_this_profile(session, &pf);
    let users = digest::cerego_users(&pf.plan.rows).len();
    let stale = if here {
        if users > 0 && format == Format::Human {
            err(&format!(
                "tagdesk: reading {} from Cerego to check the plan is current (a read: \
                 nothing is changed)",
                plural(users as u64, "user", "users")
            ));
        }
        match stale_subjects(session, &pf, format).await {
            Ok((changed, _)) => Some(changed),
            Err(code) => return code,
        }
    } else {
        None
    };
    let counting = pf.counting_approval().cloned();
    match format {
        Format::Json => out(&json_text(&json!({
            "file": path.display().to_string(),
            "profile": pf.profile,
            "demo": pf.demo,
            "for_this_profile": here,
            "author": pf.author,
            "created_at": pf.created_at,
            "op": pf.plan.op.name(),
            "does": pf.does,
            "source": pf.source,
            "source_sha256": pf.source_sha256,
            "rows": pf.plan.rows.len(),
            "requests": pf.requests,
            "unchanged": pf.unchanged,
            "rows_digest": pf.rows_digest,
            "known_digest": pf.known_digest,
            "edited": !intact,
            "stale": stale.as_ref().map(|c| !c.is_empty()),
            "changed": stale.clone().unwrap_or_default(),
            "approvals": pf.approvals.iter().map(|a| json!({
                "by": a.by,
                "at": a.at,
                "counts": !same_person(&a.by, &pf.author) && a.rows_digest == pf.rows_digest,
            })).collect::<Vec<_>>(),
            "approved_by": counting.as_ref().map(|a| a.by.clone()),
            "require_approval": here && session.profile.require_approval,
            "applied_as": pf.applied_as,
            "predictions": pf.predictions,
            "exit_code": exit::OK,
        }))),
        Format::Human => {
            let t = |at: chrono::DateTime<Utc>| at.format("%Y-%m-%d %H:%M:%S UTC").to_string();
            out(&format!(
                "plan {}: {} · {} · {} · {} unchanged",
                printable(&path.display().to_string()),
                pf.does,
                plural(pf.plan.rows.len() as u64, "row", "rows"),
                plural(pf.requests as u64, "request", "requests"),
                pf.unchanged
            ));
            out(&format!(
                "profile:   {}{}",
                profile_label(&pf.profile, pf.demo),
                if here {
                    if session.profile.require_approval {
                        " (requires approval by someone other than the author)"
                    } else {
                        ""
                    }
                } else {
                    " — not the profile in force: apply refuses it here"
                }
            ));
            out(&format!(
                "author:    {} · made {}",
                printable(&pf.author),
                t(pf.created_at)
            ));
            if let Some(src) = &pf.source {
                out(&format!(
                    "source:    {}{}",
                    printable(src),
                    pf.source_sha256
                        .as_deref()
                        .map(|s| format!(" (sha256 {s})"))
                        .unwrap_or_default()
                ));
            }
            if pf.approvals.is_empty() {
                out("approvals: none");
            }
            for a in &pf.approvals {
                let why = if same_person(&a.by, &pf.author) {
                    " — the author's own: recorded, does not count"
                } else if a.rows_digest != pf.rows_digest {
                    " — of other rows: does not count"
                } else {
                    ""
                };
                out(&format!(
                    "approvals: {} at {}{why}",
                    printable(&a.by),
                    t(a.at)
                ));
            }
            out(&format!(
                "rows:      {}",
                if intact {
                    "as made (the rows digest matches)"
                } else {
                    "EDITED since the plan was made: apply and approve refuse it"
                }
            ));
            out(&format!(
                "state:     {}",
                match &stale {
                    None => "not checked (made for another profile)".to_string(),
                    Some(c) if c.is_empty() => {
                        "current: what tagdesk knows of its patrons and users is unchanged".into()
                    }
                    Some(c) => format!(
                        "STALE: {} changed since the plan was made (apply refuses it; \
                         --replan plans it again)",
                        printable(&c.join(", "))
                    ),
                }
            ));
            if let Some(id) = &pf.applied_as {
                out(&format!("applied:   as batch {id}"));
            }
            for p in &pf.predictions {
                let s = |k: &str| p.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                out(&format!(
                    "line {:<6} {:<24} {:<14} {}   [prediction: {}]",
                    p.get("line").and_then(|v| v.as_u64()).unwrap_or(0),
                    printable(&s("target")),
                    s("op"),
                    printable(&s("effect")),
                    printable(&s("basis"))
                ));
            }
        }
    }
    flush();
    exit::OK
}

/// `plan approve`.
fn approve(session: &Session, path: &Path, name: Option<String>, format: Format) -> u8 {
    let mut pf = match plan_file::read(path) {
        Ok(pf) => pf,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    let by = name
        .map(|n| n.trim().to_string())
        .unwrap_or_else(|| operator(session));
    if let Err(e) = digest::check_name(&by) {
        return fail(format, &format!("--as {by:?}: {e}"), exit::USAGE);
    }
    if !pf.rows_intact() {
        return fail(
            format,
            &format!(
                "not approved: the rows of {} were edited after the plan was made (their \
                 digest does not match): make a new plan with --plan-out",
                path.display()
            ),
            exit::USAGE,
        );
    }
    if let Some(id) = &pf.applied_as {
        return fail(
            format,
            &format!(
                "not approved: {} was already applied as batch {id}",
                path.display()
            ),
            exit::USAGE,
        );
    }
    let own = same_person(&by, &pf.author);
    let earlier = pf
        .approvals
        .iter()
        .find(|a| same_person(&a.by, &by) && a.rows_digest == pf.rows_digest)
        .cloned();
    let approval = match earlier {
        Some(a) => a,
        None => {
            let a = Approval {
                by: by.clone(),
                at: Utc::now(),
                rows_digest: pf.rows_digest.clone(),
            };
            pf.approvals.push(a.clone());
            if let Err(e) = rewrite(path, &pf) {
                return fail(format, &format!("not approved: {e}"), exit::USAGE);
            }
            a
        }
    };
    match format {
        Format::Json => out(&json_text(&json!({
            "file": path.display().to_string(),
            "approved_by": approval.by,
            "approved_at": approval.at,
            "author": pf.author,
            "counts": !own,
            "exit_code": exit::OK,
        }))),
        Format::Human => {
            out(&format!(
                "{} approved by {} at {}",
                printable(&path.display().to_string()),
                printable(&approval.by),
                approval.at.format("%Y-%m-%d %H:%M:%S UTC")
            ));
            if own {
                err(&format!(
                    "tagdesk: note: {} is the plan's author: the approval is recorded but does \
                     not count for a require_approval profile (someone else must approve it)",
                    printable(&by)
                ));
            }
        }
    }
    flush();
    exit::OK
}

/// Writes a plan file tagdesk wrote (just read back) again in place, whole.
fn rewrite(path: &Path, pf: &PlanFile) -> Result<(), String> {
    let text = serde_json::to_vec_pretty(pf).map_err(|e| e.to_string())?;
    crate::engine::fs::write_private(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// `tagdesk apply`.
pub(crate) async fn apply(session: &Session, args: ApplyArgs, format: Format, yes: bool) -> u8 {
    let path = args.file.as_path();
    let shown = path.display().to_string();
    let refuse = |why: String| fail(format, &format!("not sent: {why}"), exit::USAGE);
    let mut pf = match plan_file::read(path) {
        Ok(pf) => pf,
        Err(e) => return refuse(e),
    };
    if !for_this_profile(session, &pf) {
        return refuse(format!(
            "{shown} was made for profile {}, not {} (the profile in force): apply it there \
             (--profile {})",
            profile_label(&pf.profile, pf.demo),
            profile_label(&session.profile.name, session.profile.demo),
            pf.profile
        ));
    }
    if !pf.rows_intact() {
        return refuse(format!(
            "the rows of {shown} were edited after the plan was made (their digest does not \
             match): make a new plan with --plan-out"
        ));
    }
    if let Some(id) = &pf.applied_as
        && batch::load(&session.paths.data_dir, id).is_ok()
    {
        return refuse(format!(
            "{shown} was already applied as batch {id} (a plan is applied once; `{}` shows \
             it, `{}` finishes it)",
            command_in(&session.profile.place(), &format!("batch show {id}")),
            command_in(&session.profile.place(), &format!("batch resume {id}"))
        ));
    }
    let (changed, known) = match stale_subjects(session, &pf, format).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    if args.replan {
        pf = replan(session, pf, &known);
        if let Err(e) = rewrite(path, &pf) {
            return refuse(format!("the new plan cannot be written: {e}"));
        }
        err(&format!(
            "tagdesk: replanned {shown} from what tagdesk knows now: {} ({} unchanged); \
             earlier approvals no longer apply",
            plural(pf.requests as u64, "request", "requests"),
            pf.unchanged
        ));
        if session.profile.require_approval {
            return refuse(format!(
                "the replanned {shown} needs a new approval by someone other than {} (profile \
                 {} requires approval): `{}`, then `{}`",
                printable(&pf.author),
                session.profile.name,
                command_in(&session.profile.place(), &format!("plan approve {shown}")),
                command_in(&session.profile.place(), &format!("apply {shown}"))
            ));
        }
    } else if !changed.is_empty() {
        return refuse(format!(
            "{shown} is stale: what tagdesk knows of {} changed since the plan was made ({}); \
             `{}` plans it again from what tagdesk knows now{}",
            printable(&changed.join(", ")),
            pf.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            command_in(&session.profile.place(), &format!("apply {shown} --replan")),
            if session.profile.require_approval {
                " (and it then needs a new approval)"
            } else {
                ""
            }
        ));
    }
    let approval = pf.counting_approval().cloned();
    if session.profile.require_approval && approval.is_none() {
        let own = pf.approvals.iter().any(|a| same_person(&a.by, &pf.author));
        return refuse(format!(
            "profile {} requires approval by someone other than the plan's author ({}){}: `{}` \
             (by another person), then apply it",
            session.profile.name,
            printable(&pf.author),
            if own {
                "; the author's own approval is recorded but does not count"
            } else {
                ""
            },
            command_in(&session.profile.place(), &format!("plan approve {shown}"))
        ));
    }
    let mut plan = pf.plan.clone();
    plan.batch_id = journal::new_id();
    plan.created_at = Utc::now();
    plan.audit = PlanAudit {
        author: Some(pf.author.clone()),
        approved_by: approval.as_ref().map(|a| a.by.clone()),
        approved_at: approval.as_ref().map(|a| a.at),
    };
    // Recorded before anything is sent: a second apply finds the batch and is refused.
    pf.applied_as = Some(plan.batch_id.clone());
    pf.applied_at = Some(plan.created_at);
    if let Err(e) = rewrite(path, &pf) {
        return refuse(format!(
            "the apply cannot be recorded in the plan file: {e}"
        ));
    }
    err(&format!(
        "tagdesk: applying {} as batch {} (plan by {}{})",
        printable(&shown),
        plan.batch_id,
        printable(&pf.author),
        approval
            .as_ref()
            .map(|a| format!(", approved by {}", printable(&a.by)))
            .unwrap_or_default()
    ));
    let warnings: Vec<RowError> = crate::core::plan::row_warnings(&plan.rows);
    let l = Launch {
        todo: plan.to_send(),
        resume: false,
        run: args.run,
        dry_run: false,
        skipped: plan.skipped.clone(),
        warnings,
        known,
        unchanged: plan.rows.iter().filter(|r| r.unchanged).count(),
        plan,
        lock: None,
    };
    launch(session, l, format, yes).await
}

/// The plan of `pf` planned again against `known`: each Hive row's knowledge noted afresh,
/// each Cerego row re-planned from what it asked; by whoever runs it now, unapproved.
fn replan(session: &Session, pf: PlanFile, known: &crate::core::model::KnownState) -> PlanFile {
    let mut plan = pf.plan;
    for row in &mut plan.rows {
        row.seen.clear();
        row.note_seen(known);
    }
    let all: Vec<usize> = (0..plan.rows.len()).collect();
    batch::history::replan_cerego(&mut plan, &all, &known.cerego);
    plan_file::make(session, plan, known, operator(session))
}
