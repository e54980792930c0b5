//! Plan files (`--plan-out PLAN.json`): a plan validated and predicted, written with the
//! digests that let `tagdesk apply` refuse it once edited or stale, and the approvals
//! `tagdesk plan approve` records. Any command that builds a [`Launch`] can write one
//! instead of running it ([`plan_out`]); a `require_approval` profile runs a batch only
//! from an approved one ([`approval_refusal`], checked in `launch`).
//!
//! A process aid and an audit trail, not a security boundary: anyone who can edit the file
//! can edit the plan.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::batch::{command_in, print_row_errors, users_for_planning};
use super::dry_run::catalogue_of;
use super::launch::Launch;
use super::results::Target;
use super::{Format, err, exit, fail, flush, out};
use crate::core::model::KnownState;
use crate::core::plan::file::{self as digest, Approval, PlanAudit, same_person};
use crate::core::plan::{BatchOp, predict};
use crate::core::printable::{json_text, plural, printable};
use crate::engine::batch::SavedPlan;
use crate::session::Session;

/// The plan file format this tagdesk writes (and the newest it reads).
pub(crate) const FORMAT: u32 = 1;
/// Plan files larger than this are not read (as for batch plans).
const MAX_PLAN_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// A plan file as written by `--plan-out`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PlanFile {
    /// Marks a tagdesk plan file: its format version.
    pub tagdesk_plan: u32,
    /// The profile it was made for (and whether in demo mode): applied there only.
    pub profile: String,
    #[serde(default)]
    pub demo: bool,
    /// Who made it: the configuration's `operator`, else the login name.
    pub author: String,
    pub created_at: DateTime<Utc>,
    /// What it does, in words.
    pub does: String,
    pub source: Option<String>,
    /// The SHA-256 of the source file's bytes.
    pub source_sha256: Option<String>,
    pub requests: usize,
    pub unchanged: usize,
    /// The SHA-256 over what tagdesk knew of the patrons and users the plan touches.
    pub known_digest: String,
    /// Each of those subjects' own digest, so a stale plan names who changed.
    pub known: BTreeMap<String, String>,
    /// The SHA-256 of the rows' canonical JSON: an edited row changes it.
    pub rows_digest: String,
    #[serde(default)]
    pub approvals: Vec<Approval>,
    /// The batch an apply ran it as (a plan is applied once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_as: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_at: Option<DateTime<Utc>>,
    /// Each row's prediction when it was made, for people reading the file.
    #[serde(default)]
    pub predictions: Vec<serde_json::Value>,
    /// The plan itself: its rows, with their operations.
    pub plan: SavedPlan,
}

impl PlanFile {
    /// The approval that counts for `require_approval`: by someone other than the author,
    /// of these rows.
    pub(crate) fn counting_approval(&self) -> Option<&Approval> {
        digest::counting_approval(&self.approvals, &self.author, &self.rows_digest)
    }

    /// Whether the rows are the ones the digest was taken over.
    pub(crate) fn rows_intact(&self) -> bool {
        digest::rows_digest(&self.plan.rows) == self.rows_digest
            && self.plan.profile == self.profile
            && self.plan.demo == self.demo
    }
}

/// The name plan files record for whoever runs tagdesk: the configuration's `operator`,
/// else the login name (USER, USERNAME), else `unknown`.
pub(crate) fn operator(session: &Session) -> String {
    let file = crate::config::load(&session.paths.config_file)
        .ok()
        .flatten()
        .and_then(|(f, _)| f.operator);
    file.or_else(|| super::env("USER"))
        .or_else(|| super::env("USERNAME"))
        .map(|n| n.trim().to_string())
        .filter(|n| digest::check_name(n).is_ok())
        .unwrap_or_else(|| "unknown".into())
}

/// Why a batch may not run on this profile: `require_approval = true` and the plan carries
/// no approval by someone other than its author (it did not come from an approved plan
/// file). None when it may.
pub(crate) fn approval_refusal(session: &Session, plan: &SavedPlan) -> Option<String> {
    if !session.profile.require_approval {
        return None;
    }
    let a = &plan.audit;
    let approved = match (&a.approved_by, &a.author) {
        (Some(by), Some(author)) => !same_person(by, author),
        _ => false,
    };
    (!approved).then(|| {
        let place = session.profile.place();
        format!(
            "not sent: profile {} requires approval (require_approval = true): write the plan \
             with --plan-out PLAN.json, have someone else run `{}`, then `{}`",
            session.profile.name,
            command_in(&place, "plan approve PLAN.json"),
            command_in(&place, "apply PLAN.json")
        )
    })
}

/// `author A · approved by B at T`, for `batch show`; None for a batch with no author.
pub(crate) fn audit_line(a: &PlanAudit) -> Option<String> {
    let author = a.author.as_deref()?;
    let approval = match (&a.approved_by, a.approved_at) {
        (Some(by), Some(at)) => format!(
            "approved by {} at {}",
            printable(by),
            at.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        _ => "no approval".into(),
    };
    Some(format!("plan by {} · {approval}", printable(author)))
}

/// What `batch list` adds to an applied plan's line: `  (plan by A, approved by B)`;
/// nothing for a batch with no author.
pub(crate) fn list_note(a: &PlanAudit) -> String {
    let Some(author) = a.author.as_deref() else {
        return String::new();
    };
    let approval = a.approved_by.as_deref().map_or_else(
        || "no approval".to_string(),
        |by| format!("approved by {}", printable(by)),
    );
    format!("  (plan by {}, {approval})", printable(author))
}

/// Reads a plan file; the reason it cannot be used otherwise.
pub(crate) fn read(path: &Path) -> Result<PlanFile, String> {
    let shown = path.display();
    let text = crate::engine::fs::read_text(path, MAX_PLAN_FILE_BYTES)
        .map_err(|e| format!("{shown}: {e}"))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{shown} is not a tagdesk plan file (not JSON: {e})"))?;
    match value.get("tagdesk_plan").and_then(|v| v.as_u64()) {
        None => return Err(format!("{shown} is not a tagdesk plan file")),
        Some(v) if v > u64::from(FORMAT) => {
            return Err(format!(
                "{shown} is a plan file of format {v}, written by a newer tagdesk (this one \
                 reads format {FORMAT})"
            ));
        }
        Some(_) => {}
    }
    serde_json::from_value(value)
        .map_err(|e| format!("{shown}: the plan file cannot be read (was it edited?): {e}"))
}

/// Writes `file` at `path` (0600, whole, then renamed into place), refusing the places
/// `--results` refuses and any existing file that is not a tagdesk plan file.
pub(crate) fn write(session: &Session, path: &Path, file: &PlanFile) -> Result<(), String> {
    let target = super::results::check_as(
        &session.paths,
        "--plan-out",
        path,
        file.plan.source.as_deref(),
        false,
        true,
    )?;
    let Target::File { full, .. } = target else {
        return Err("--plan-out - would write the plan to standard output: give a file".into());
    };
    if full.exists() && read(&full).is_err() {
        return Err(format!(
            "{} exists and is not a tagdesk plan file: it is left alone (give another name)",
            path.display()
        ));
    }
    let text = serde_json::to_vec_pretty(file).map_err(|e| e.to_string())?;
    crate::engine::fs::write_private(&full, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// What tagdesk knows now of the subjects of `plan`: the workspace's patrons (the seed's
/// in demo mode) and, for Cerego rows, those users as the partner lists them (a read).
pub(crate) async fn current_known(
    session: &Session,
    plan: &SavedPlan,
    format: Format,
) -> Result<KnownState, u8> {
    let mut known = super::batch::known_state(session);
    let users = digest::cerego_users(&plan.rows);
    if !users.is_empty() {
        let ids: Vec<&str> = users.iter().map(String::as_str).collect();
        known.cerego = users_for_planning(session, &ids, format).await?;
    }
    Ok(known)
}

/// The plan file of `plan` as planned against `known`, by `author`.
pub(crate) fn make(
    session: &Session,
    mut plan: SavedPlan,
    known: &KnownState,
    author: String,
) -> PlanFile {
    let (catalogue, tag_types) = catalogue_of(session);
    let predictions = plan
        .rows
        .iter()
        .map(|row| {
            let p = predict(row, known, &catalogue, &tag_types);
            json!({
                "line": row.line(),
                "target": row.op.target(),
                "op": row.op.name(),
                "unchanged": row.unchanged,
                "effect": p.effect,
                "basis": p.basis,
            })
        })
        .collect();
    plan.audit = PlanAudit {
        author: Some(author.clone()),
        approved_by: None,
        approved_at: None,
    };
    let subjects = digest::subject_digests(&plan.rows, known);
    PlanFile {
        tagdesk_plan: FORMAT,
        profile: plan.profile.clone(),
        demo: plan.demo,
        author,
        created_at: Utc::now(),
        does: plan.op.describe().to_string(),
        source: plan.source.clone(),
        source_sha256: plan.sha256.clone(),
        requests: plan.to_send().len(),
        unchanged: plan.rows.iter().filter(|r| r.unchanged).count(),
        known_digest: digest::known_digest(&subjects),
        known: subjects,
        rows_digest: digest::rows_digest(&plan.rows),
        approvals: Vec::new(),
        applied_as: None,
        applied_at: None,
        predictions,
        plan,
    }
}

/// `--plan-out PATH`: writes the plan `launch` would run to `path` and sends nothing; the
/// exit code. Works for any [`Launch`] (an import, an undo, a retry).
pub(crate) async fn plan_out(session: &Session, launch: Launch, path: &Path, format: Format) -> u8 {
    print_row_errors(&launch.warnings, "warning: ");
    if !launch.skipped.is_empty() {
        print_row_errors(&launch.skipped, "skipped (--skip-invalid): ");
    }
    for n in &launch.plan.notes {
        err(&format!("tagdesk: {}", printable(n)));
    }
    let mut known = launch.known;
    // An import of Cerego rows has just read those users; anything else reads them now.
    if launch.plan.op != BatchOp::CeregoImport {
        match current_known(session, &launch.plan, format).await {
            Ok(k) => known.cerego = k.cerego,
            Err(code) => return code,
        }
    }
    let file = make(session, launch.plan, &known, operator(session));
    if let Err(e) = write(session, path, &file) {
        return fail(format, &format!("not written: {e}"), exit::USAGE);
    }
    let shown = path.display().to_string();
    match format {
        Format::Json => out(&json_text(&json!({
            "plan_out": shown,
            "profile": file.profile,
            "author": file.author,
            "op": file.plan.op.name(),
            "rows": file.plan.rows.len(),
            "requests": file.requests,
            "unchanged": file.unchanged,
            "rows_digest": file.rows_digest,
            "known_digest": file.known_digest,
            "sent": 0,
            "exit_code": exit::OK,
        }))),
        Format::Human => {
            let place = session.profile.place();
            out(&format!(
                "plan written to {}: {} ({}, {} unchanged) for profile {}, by {}; nothing was \
                 sent",
                printable(&shown),
                file.does,
                plural(file.requests as u64, "request", "requests"),
                file.unchanged,
                file.profile,
                printable(&file.author)
            ));
            err(&format!(
                "tagdesk: next: `{}`, someone else `{}`, then `{}`",
                command_in(&place, &format!("plan show {shown}")),
                command_in(&place, &format!("plan approve {shown}")),
                command_in(&place, &format!("apply {shown}"))
            ));
        }
    }
    flush();
    exit::OK
}
