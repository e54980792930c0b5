//! `tagdesk log`: reading `--since`, and the human, CSV and JSON-lines forms of entries.
//!
//! Journal text came from servers and operators, so the human form escapes control and
//! bidirectional-override characters: printing the log must not drive the terminal.

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{Entry, OutcomeRecord, RequestInfo};

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

/// CSV (RFC 4180: CRLF line ends, fields with commas, quotes or line breaks quoted, quotes
/// doubled) with the header
/// `time,profile,service,operation,target,result,status,summary,command,id`.
///
/// Values are exported as they are; a spreadsheet that evaluates cells starting with `=`
/// will evaluate them, as with any CSV.
pub fn to_csv(entries: &[Entry]) -> String {
    let mut out =
        String::from("time,profile,service,operation,target,result,status,summary,command,id\r\n");
    for e in entries {
        let status = e.status().map(|s| s.to_string()).unwrap_or_default();
        let fields = [
            stamp(e.time()),
            e.intent.profile.clone(),
            e.intent.op.service().name().to_string(),
            e.intent.op.verb().to_string(),
            e.intent.target.clone(),
            e.result_label().to_string(),
            status,
            e.summary().to_string(),
            e.intent.command.clone(),
            e.intent.id.clone(),
        ];
        let row: Vec<Cow<'_, str>> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_field(s: &str) -> Cow<'_, str> {
    if s.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(s)
    }
}

/// One exported entry: the columns of the CSV plus the full request and outcome.
#[derive(Serialize)]
struct Exported<'a> {
    id: &'a str,
    time: String,
    profile: &'a str,
    service: &'a str,
    operation: &'a str,
    target: &'a str,
    describe: &'a str,
    command: &'a str,
    result: &'a str,
    status: Option<u16>,
    summary: &'a str,
    request: Option<&'a RequestInfo>,
    outcome: Option<&'a OutcomeRecord>,
}

/// One JSON object per entry and line (ending in `\n`), for `tagdesk log --json`.
pub fn to_json_lines(entries: &[Entry]) -> String {
    let mut out = String::new();
    for e in entries {
        let exported = Exported {
            id: e.id(),
            time: stamp(e.time()),
            profile: &e.intent.profile,
            service: e.intent.op.service().name(),
            operation: e.intent.op.verb(),
            target: &e.intent.target,
            describe: &e.intent.describe,
            command: &e.intent.command,
            result: e.result_label(),
            status: e.status(),
            summary: e.summary(),
            request: e.intent.request.as_ref(),
            outcome: e.outcome.as_ref(),
        };
        let line = serde_json::to_string(&exported).unwrap_or_else(|err| {
            let mut fallback = serde_json::Map::new();
            fallback.insert("id".into(), Value::String(e.id().to_string()));
            fallback.insert("export_error".into(), Value::String(err.to_string()));
            Value::Object(fallback).to_string()
        });
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// For people: one line per entry (UTC time, service, verb, target, result, summary), then
/// the equivalent command indented under it.
///
/// ```text
/// 2026-11-22 10:00:05Z  Hive    add      user_abc123  ok  Tag(s) added successfully.
///     $ tagdesk hive add user_abc123 vip
/// ```
pub fn to_human(entries: &[Entry]) -> String {
    let mut out = String::new();
    for e in entries {
        let _ = writeln!(
            out,
            "{}  {:<6}  {:<7}  {}  {}  {}",
            e.time().format("%Y-%m-%d %H:%M:%SZ"),
            e.intent.op.service().name(),
            e.intent.op.verb(),
            printable(&e.intent.target),
            e.result_label(),
            printable(e.summary()),
        );
        let _ = writeln!(out, "    $ {}", printable(&e.intent.command));
    }
    out
}

/// Escapes characters that would act on a terminal instead of showing: control characters
/// and the bidirectional overrides and isolates.
fn printable(s: &str) -> Cow<'_, str> {
    let risky = |c: char| {
        c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(risky) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if risky(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_terminal_controls() {
        assert_eq!(printable("plain é"), "plain é");
        assert_eq!(printable("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\nc");
        assert_eq!(printable("x\u{202e}y"), "x\\u{202e}y");
    }

    #[test]
    fn csv_fields_quote_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
