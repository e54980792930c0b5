//! `tagdesk log`: reading `--since`, and the human, CSV and JSON-lines forms of entries.
//!
//! Journal text came from servers and operators, so every form goes through
//! [`crate::core::printable`]: printing the log must not drive the terminal, and a CSV opened in a
//! spreadsheet must not run formulas.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{Entry, OutcomeRecord, RequestInfo};
use crate::core::op::scenario::MessageCheck;
use crate::core::printable::{csv_cell, json_text, printable};

/// Reads `--since WHEN`: an RFC 3339 time (`2026-11-22T10:00:00Z`), a date (`2026-11-22`,
/// meaning midnight UTC), or a duration back from `now` (`45s`, `30m`, `2h`, `7d`, `2w`).
pub fn parse_since(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let t = s.trim();
    let refuse = || {
        format!(
            "cannot read \"{s}\" as a time: give an RFC 3339 time (2026-11-22T10:00:00Z), \
             a date (2026-11-22, midnight UTC) or how long ago (45s, 30m, 2h, 7d, 2w)"
        )
    };
    if t.is_empty() {
        return Err(refuse());
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(t) {
        return Ok(time.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return date
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
            .ok_or_else(refuse);
    }
    let Some(unit) = t.chars().last() else {
        return Err(refuse());
    };
    let digits = &t[..t.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse());
    }
    let seconds_per: i64 = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return Err(refuse()),
    };
    digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(seconds_per))
        .and_then(TimeDelta::try_seconds)
        .and_then(|delta| now.checked_sub_signed(delta))
        .ok_or_else(|| format!("\"{s}\" reaches further back than a date can go"))
}

/// RFC 3339 in UTC with milliseconds, the form every export uses.
fn stamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The Hive scenario of an entry and how its message compares with the documented one
/// (`MATCH`, `MISMATCH`, `UNDOCUMENTED`), when the entry is an answered Hive add or remove.
fn scenario_and_check(e: &Entry) -> Option<(&'static str, &'static str, Option<&'static str>)> {
    let o = e.hive_outcome()?;
    let s = o.scenario();
    let check = match o.message_check() {
        MessageCheck::Match => "MATCH",
        MessageCheck::Mismatch => "MISMATCH",
        MessageCheck::Undocumented => "UNDOCUMENTED",
    };
    Some((s.label(), check, s.documented_message()))
}

/// The CSV header `tagdesk log --csv` prints first (CRLF line end).
pub fn csv_header() -> &'static str {
    "time,profile,service,operation,target,result,status,scenario,message_check,summary,command,id\r\n"
}

/// One entry as a CSV row (RFC 4180, CRLF line end). Every cell goes through
/// [`crate::core::printable::csv_cell`]: made printable, and neutralised against formula
/// injection (a cell starting with `=`, `+`, `-` or `@` gets a leading `'`).
pub fn csv_row(e: &Entry) -> String {
    let status = e.status().map(|s| s.to_string()).unwrap_or_default();
    let (scenario, check) = scenario_and_check(e)
        .map(|(s, c, _)| (s, c))
        .unwrap_or(("", ""));
    let fields = [
        stamp(e.time()),
        e.intent.profile.clone(),
        e.intent.op.service().name().to_string(),
        e.intent.op.verb().to_string(),
        e.intent.target.clone(),
        e.result_label().to_string(),
        status,
        scenario.to_string(),
        check.to_string(),
        e.summary().to_string(),
        e.command(),
        e.intent.id.clone(),
    ];
    let row: Vec<String> = fields.iter().map(|f| csv_cell(f)).collect();
    let mut out = row.join(",");
    out.push_str("\r\n");
    out
}

/// CSV with [`csv_header`] and one [`csv_row`] per entry.
pub fn to_csv(entries: &[Entry]) -> String {
    let mut out = csv_header().to_string();
    for e in entries {
        out.push_str(&csv_row(e));
    }
    out
}

/// One exported entry: the columns of the CSV plus the full request and outcome.
#[derive(Serialize)]
struct Exported<'a> {
    id: &'a str,
    time: String,
    profile: &'a str,
    demo: bool,
    service: &'a str,
    operation: &'a str,
    target: &'a str,
    describe: &'a str,
    command: String,
    result: &'a str,
    status: Option<u16>,
    scenario: Option<&'static str>,
    message_check: Option<&'static str>,
    documented_message: Option<&'static str>,
    summary: &'a str,
    request: Option<&'a RequestInfo>,
    outcome: Option<&'a OutcomeRecord>,
}

/// One entry as a JSON object on one line (ending in `\n`), for `tagdesk log --json`.
/// Control characters are escaped by JSON; bidirectional and zero-width characters are
/// written as `\uXXXX` escapes too ([`crate::core::printable::json_text`]).
pub fn json_entry(e: &Entry) -> String {
    let sc = scenario_and_check(e);
    let exported = Exported {
        id: e.id(),
        time: stamp(e.time()),
        profile: &e.intent.profile,
        demo: e.intent.demo,
        service: e.intent.op.service().name(),
        operation: e.intent.op.verb(),
        target: &e.intent.target,
        describe: &e.intent.describe,
        command: e.command(),
        result: e.result_label(),
        status: e.status(),
        scenario: sc.map(|(s, _, _)| s),
        message_check: sc.map(|(_, c, _)| c),
        documented_message: sc.and_then(|(_, _, d)| d),
        summary: e.summary(),
        request: e.intent.request.as_ref(),
        outcome: e.outcome.as_ref(),
    };
    let value = serde_json::to_value(&exported).unwrap_or_else(|err| {
        let mut fallback = serde_json::Map::new();
        fallback.insert("id".into(), Value::String(e.id().to_string()));
        fallback.insert("export_error".into(), Value::String(err.to_string()));
        Value::Object(fallback)
    });
    let mut line = json_text(&value);
    line.push('\n');
    line
}

/// One JSON object per entry and line (ending in `\n`), for `tagdesk log --json`.
pub fn to_json_lines(entries: &[Entry]) -> String {
    entries.iter().map(json_entry).collect()
}

/// For people: one line per entry (UTC time, journal id — what `tagdesk undo` takes —,
/// service, verb, target, result, summary), the Hive scenario and MATCH / MISMATCH when
/// there is one, then the equivalent command indented under it. Every value is made
/// printable.
///
/// ```text
/// 2026-11-22 10:00:05Z  19a9b1f4c2e-3f1a-1  Hive    add      user_abc123  ok  Successfully added tags to patron.
///     scenario: added only · MATCH
///     $ tagdesk --profile work hive add user_abc123 vip
/// ```
pub fn human_entry(e: &Entry) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {:<18}  {:<6}  {:<7}  {}  {}  {}",
        e.time().format("%Y-%m-%d %H:%M:%SZ"),
        printable(e.id()),
        e.intent.op.service().name(),
        e.intent.op.verb(),
        printable(&e.intent.target),
        e.result_label(),
        printable(e.summary()),
    );
    if let Some((scenario, check, documented)) = scenario_and_check(e) {
        let _ = write!(out, "    scenario: {scenario} · {check}");
        if check == "MISMATCH"
            && let Some(d) = documented
        {
            let _ = write!(out, " (documented: \"{d}\")");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "    $ {}", printable(&e.command()));
    out
}

/// [`human_entry`] for each entry.
pub fn to_human(entries: &[Entry]) -> String {
    entries.iter().map(human_entry).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_header_names_every_column() {
        assert_eq!(csv_header().trim_end().split(',').count(), 12);
    }
}
