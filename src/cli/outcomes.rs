//! `tagdesk outcomes`: the documented Hive outcome table (text, `--json`, `--markdown`), and
//! `tagdesk outcomes check [FILE]`, which explains any saved Hive response body: its
//! scenario, the documented message, MATCH / MISMATCH with the difference shown.

use serde_json::{Value, json};

use super::{Format, exit, fail, flush, out};
use crate::core::op::diff::{Level, explain};
use crate::core::op::hive::HiveOutcome;
use crate::core::op::scenario::{
    DOCUMENTED, DOCUMENTED_ERRORS, HiveAction, MessageCheck, Scenario,
};
use crate::core::printable::{json_text, printable};

/// The arrays a scenario has non-empty, in the response's own names.
fn arrays(s: &Scenario) -> Vec<&'static str> {
    let (changed, unchanged) = HiveOutcome::array_names(s.action);
    [
        (s.changed, changed),
        (s.unchanged, unchanged),
        (s.failed, "failed"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| name)
    .collect()
}

/// `tagdesk outcomes`: the table.
pub fn table(format: Format, markdown: bool) -> u8 {
    if format == Format::Json {
        let outcomes: Vec<Value> = DOCUMENTED
            .iter()
            .map(|s| {
                json!({
                    "operation": s.action.name(),
                    "scenario": s.label(),
                    "non_empty": arrays(s),
                    "message": s.documented_message(),
                })
            })
            .collect();
        out(&json_text(&json!({
            "outcomes": outcomes,
            "errors": DOCUMENTED_ERRORS,
        })));
    } else if markdown {
        for action in [HiveAction::Add, HiveAction::Remove] {
            out(&format!("### {}\n", action.name()));
            out("| scenario (non-empty arrays) | message |");
            out("|---|---|");
            for s in DOCUMENTED.iter().filter(|s| s.action == action) {
                out(&format!(
                    "| {} | `{}` |",
                    arrays(s).join(" + "),
                    s.documented_message().unwrap_or("")
                ));
            }
            out("");
        }
        out("| status | error_code | when |");
        out("|---|---|---|");
        for e in DOCUMENTED_ERRORS {
            out(&format!("| {} | {} | {} |", e.status, e.error_code, e.when));
        }
    } else {
        out("Hive user_tags outcomes, as documented (messages verbatim)");
        for action in [HiveAction::Add, HiveAction::Remove] {
            out("");
            for s in DOCUMENTED.iter().filter(|s| s.action == action) {
                out(&format!(
                    "{:<7} {:<44} {}",
                    s.action.name(),
                    s.label(),
                    s.documented_message().unwrap_or("")
                ));
            }
        }
        out("");
        for e in DOCUMENTED_ERRORS {
            out(&format!("{:<7} {:<44} {}", e.status, e.error_code, e.when));
        }
    }
    flush();
    exit::OK
}

/// `tagdesk outcomes check [FILE]`: explains one saved response body.
pub fn check(file: &str, format: Format) -> u8 {
    let bytes = match crate::engine::batch::read_source(file) {
        Ok(b) => b,
        Err(e) => return fail(format, &e, exit::USAGE),
    };
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            return fail(
                format,
                &format!("not a Hive response: the body is not JSON ({e})"),
                exit::USAGE,
            );
        }
    };
    if let Some(code) = body.get("error_code").and_then(Value::as_str) {
        let Some(doc) = DOCUMENTED_ERRORS.iter().find(|e| e.error_code == code) else {
            return fail(
                format,
                &format!("an error body with an undocumented error_code {code:?}"),
                exit::USAGE,
            );
        };
        let message = body.get("message").and_then(Value::as_str).unwrap_or("");
        match format {
            Format::Json => out(&json_text(&json!({
                "kind": "error",
                "status": body.get("status").cloned().unwrap_or(json!(doc.status)),
                "documented_status": doc.status,
                "error_code": code,
                "when": doc.when,
                "message": message,
            }))),
            Format::Human => {
                out(&format!(
                    "documented error: HTTP {} {code} — {}",
                    doc.status, doc.when
                ));
                out(&format!("message: {}", printable(message)));
            }
        }
        flush();
        return exit::OK;
    }
    let has = |k: &str| body.get(k).is_some();
    let action = if has("added_tag_ids") || has("pre_existing_tag_ids") {
        HiveAction::Add
    } else if has("removed_tag_ids") || has("non_existent_tag_ids") {
        HiveAction::Remove
    } else {
        return fail(
            format,
            "not a Hive add/remove response: it has none of added_tag_ids, \
             pre_existing_tag_ids, removed_tag_ids, non_existent_tag_ids, error_code",
            exit::USAGE,
        );
    };
    let outcome = match HiveOutcome::from_value(action, &body) {
        Ok(o) => o,
        Err(e) => {
            return fail(format, &format!("not a Hive response: {e}"), exit::USAGE);
        }
    };
    let b = outcome.breakdown();
    // A MISMATCH read: another scenario's documented message, then where it differs.
    let explained = b
        .message
        .as_deref()
        .and_then(|m| explain(outcome.scenario(), m));
    let verdict = match b.check {
        MessageCheck::Match => "MATCH",
        MessageCheck::Mismatch => "MISMATCH",
        MessageCheck::Undocumented => "UNDOCUMENTED",
    };
    match format {
        Format::Json => out(&json_text(&json!({
            "kind": "outcome",
            "operation": action.name(),
            "scenario": b.scenario,
            "message": b.message,
            "documented": b.documented,
            "check": verdict,
            "server_sent_scenario": explained.as_ref().and_then(|e| e.sent).map(|s| s.label()),
            "difference": explained.as_ref().map(|e| e.plain()),
            "difference_by": explained.as_ref().map(|e| e.level.name()),
            b.changed.0: outcome.changed,
            b.unchanged.0: outcome.unchanged,
            "failed": outcome.failed,
        }))),
        Format::Human => {
            out(&format!("operation   {}", action.name()));
            out(&format!("scenario    {} · {verdict}", b.scenario));
            if let Some(lead) = explained.as_ref().and_then(|e| e.lead()) {
                out(&format!("mismatch    {lead}"));
            }
            out(&format!(
                "message     {}",
                printable(b.message.as_deref().unwrap_or("(none)"))
            ));
            out(&format!(
                "documented  {}",
                b.documented
                    .unwrap_or("(no message is documented for empty arrays)")
            ));
            if let Some(e) = &explained {
                let by = match e.level {
                    Level::Characters => "by character",
                    Level::Words => "by word",
                };
                out(&format!(
                    "difference  {}   ({by}: [-…-] documented only, {{+…+}} server only)",
                    printable(&e.plain())
                ));
            }
            out(&format!("{:<21} {}", b.changed.0, b.changed.1));
            out(&format!("{:<21} {}", b.unchanged.0, b.unchanged.1));
            let failed = if b.failed.is_empty() {
                "(none)".to_string()
            } else {
                b.failed
                    .iter()
                    .map(|(f, why)| format!("{f}: {why}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out(&format!("{:<21} {}", "failed", printable(&failed)));
        }
    }
    flush();
    match b.check {
        MessageCheck::Match => exit::OK,
        MessageCheck::Mismatch | MessageCheck::Undocumented => exit::SOME_FAILED,
    }
}
