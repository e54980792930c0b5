//! `--dry-run`: every request a plan would send, predicted from what tagdesk knows, with the
//! exact request and the equivalent command line; nothing is sent, and the journal gets one
//! `dry_run` record.

use serde_json::json;

use super::batch::open_journal;
use super::launch::{Launch, Summary};
use super::{Format, err, exit, flush, out};
use crate::core::op::Place;
use crate::core::plan::{Prediction, predict_all};
use crate::core::printable::{json_text, plural, printable};
use crate::engine::exec::{self, Clients};
use crate::engine::journal::{BatchCounts, DryRunRecord, Record, RequestInfo};
use crate::session::Session;

/// One predicted request, for a dry-run's JSON.
pub(crate) fn planned_json(
    launch: &Launch,
    index: usize,
    p: &Prediction,
    clients: Option<&Clients>,
    place: &Place,
) -> serde_json::Value {
    let row = &launch.plan.rows[index];
    let base = clients.map_or("", |c| c.base_url(row.op.service()));
    json!({
        "line": row.line(),
        "lines": row.lines,
        "target": row.op.target(),
        "op": row.op.name(),
        "unchanged": row.unchanged,
        "effect": p.effect,
        "basis": p.basis,
        "fields": p.fields.iter().map(|(f, e)| json!({"api_field": f, "expect": e})).collect::<Vec<_>>(),
        "request": (!row.unchanged).then(|| RequestInfo::planned(&row.op, base)),
        "command": row.op.cli_command(place),
        "warnings": row.warnings,
        "expect": row.expect,
        "contradicted": crate::core::plan::expect::beside_prediction(row, p).map(|(_, c)| c),
    })
}

pub(crate) fn dry_run(session: &Session, launch: &Launch, format: Format) -> u8 {
    let place = session.profile.place();
    let clients = session.clients().ok();
    let (catalogue, tag_types) = catalogue_of(session);
    let mut planned = Vec::new();
    let mut contradicted = Vec::new();
    let predictions = predict_all(
        launch.plan.op,
        &launch.plan.rows,
        &launch.known,
        &catalogue,
        &tag_types,
    );
    for ((i, row), p) in launch.plan.rows.iter().enumerate().zip(&predictions) {
        if crate::core::plan::expect::beside_prediction(row, p).is_some_and(|(_, c)| c) {
            contradicted.push(row.line().to_string());
        }
        match format {
            Format::Json => planned.push(planned_json(launch, i, p, clients.as_ref(), &place)),
            Format::Human => {
                let base = clients
                    .as_ref()
                    .map_or("", |c| c.base_url(row.op.service()));
                let lines = row
                    .lines
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                let expect = crate::core::plan::expect::beside_prediction(row, p)
                    .map(|(text, _)| format!("   [{text}]"))
                    .unwrap_or_default();
                out(&format!(
                    "line {lines:<6} {:<24} {:<14} {}   [prediction: {}]{expect}",
                    printable(&row.op.target()),
                    row.op.name(),
                    p.effect,
                    printable(&p.basis)
                ));
                if !row.unchanged {
                    let req = RequestInfo::planned(&row.op, base);
                    out(&format!(
                        "    {} {} {}",
                        req.method,
                        printable(&req.url),
                        req.body.as_ref().map(json_text).unwrap_or_default()
                    ));
                    out(&format!("    {}", printable(&row.op.cli_command(&place))));
                }
            }
        }
    }
    let requests = launch.todo.len();
    let unchanged = launch.unchanged;
    // The one record a dry-run leaves: what was planned (best effort: a dry-run sends
    // nothing, so a journal that cannot be written does not stop it).
    let record = Record::DryRun(DryRunRecord {
        batch_id: launch.plan.batch_id.clone(),
        time: chrono::Utc::now(),
        profile: session.profile.name.clone(),
        op: launch.plan.op,
        source: launch.plan.source.clone(),
        sha256: launch.plan.sha256.clone(),
        rows: launch.plan.data_rows,
        requests,
        unchanged,
        invalid: launch.skipped.len(),
    });
    match open_journal(session, false) {
        Ok(j) => {
            if let Err(e) = exec::lock(&j).append(&record) {
                err(&format!("tagdesk: journal: {e}"));
            }
        }
        Err(e) => err(&format!("tagdesk: {e}")),
    }
    let summary = Summary {
        dry_run: true,
        counts: BatchCounts {
            unchanged,
            ..BatchCounts::default()
        },
        skipped: launch.skipped.len(),
        invalid: launch.skipped.clone(),
        warnings: launch.warnings.clone(),
        plan: (format == Format::Json).then_some(planned),
        ..Summary::of(&launch.plan, &session.profile.name)
    };
    match format {
        Format::Json => out(&json_text(&json!(summary))),
        Format::Human => {
            err(&format!(
                "tagdesk: dry-run: {} would be sent{}; nothing was sent. Predictions come from \
                 what tagdesk last saw, not from the service.",
                plural(requests as u64, "request", "requests"),
                if unchanged > 0 {
                    format!(", {unchanged} unchanged")
                } else {
                    String::new()
                }
            ));
            if !contradicted.is_empty() {
                err(&format!(
                    "tagdesk: dry-run: the prediction of line {} already contradicts its expect \
                     column (from what tagdesk last saw: the run may still match)",
                    contradicted.join(", ")
                ));
            }
        }
    }
    flush();
    exit::OK
}

pub(crate) fn catalogue_of(
    session: &Session,
) -> (
    Vec<crate::core::domain::HiveTag>,
    Vec<crate::core::domain::TagType>,
) {
    (
        session
            .profile
            .hive
            .as_ref()
            .map(|h| h.tags.clone())
            .unwrap_or_default(),
        session
            .profile
            .cerego
            .as_ref()
            .map(|c| c.tag_types.clone())
            .unwrap_or_default(),
    )
}
