//! The two kinds of journal line: the intent before a request and the outcome after it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::core::op::hive::HiveOutcome;
use crate::core::op::{ApiError, Exchange, Op, Output};

use super::MAX_STORED_BODY_BYTES;
use super::writer::Writer;
use crate::core::op::Place;

/// Response bodies of reads (user lists, the profile) longer than this are journaled as a
/// one-line summary: the journal audits changes, it does not archive the partner's data.
pub const MAX_STORED_READ_BODY_BYTES: usize = 16 * 1024;

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Intent(Box<IntentRecord>),
    Outcome(OutcomeRecord),
    /// A batch started, resumed or ended (the rows' intents and outcomes name it).
    Batch(BatchRecord),
    /// A dry-run of a plan: what would have been sent; nothing was.
    DryRun(DryRunRecord),
}

impl Record {
    /// The id of the intent / outcome, or of the batch.
    pub fn id(&self) -> &str {
        match self {
            Record::Intent(i) => &i.id,
            Record::Outcome(o) => &o.id,
            Record::Batch(b) => &b.batch_id,
            Record::DryRun(d) => &d.batch_id,
        }
    }
}

/// Where an intent sits in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchTag {
    /// The batch id.
    pub id: String,
    /// The row's index in the batch's plan.
    pub row: usize,
    /// Its first physical line in the source file (0 when it came from no file).
    pub line: usize,
    /// Every line merged into it, when more than one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<usize>,
}

/// Counts of a batch run, by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCounts {
    pub requests: usize,
    pub ok: usize,
    pub partial: usize,
    pub failed: usize,
    pub refused: usize,
    pub errors: usize,
    pub pending: usize,
    pub unchanged: usize,
    /// Answered rows whose outcome is not the one their file's `expect` column names.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mismatched: usize,
}

/// For `skip_serializing_if`: a count of zero is left out.
pub(crate) fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What happened to a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum BatchEvent {
    /// The plan is about to run: its source, size and options.
    Start {
        op: crate::core::plan::BatchOp,
        /// The source file's name (`-` for standard input), if it came from a file.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
        /// The SHA-256 of the source file's bytes, hex.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256: Option<String>,
        /// Data rows read from the source.
        rows: usize,
        /// Requests planned.
        requests: usize,
        /// Rows left out by `--skip-invalid`.
        #[serde(default)]
        skipped: usize,
        /// Requests in flight at most (with `concurrency_auto`: the limit it started at).
        concurrency: usize,
        /// `--concurrency auto`: the limit adapted as the batch ran.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        concurrency_auto: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rate: Option<f64>,
        /// The batch or journal id this batch undoes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        undo_of: Option<String>,
        writer: Writer,
        /// A plan applied from a plan file: its author and approver.
        #[serde(flatten)]
        audit: crate::core::plan::file::PlanAudit,
    },
    /// A later run takes up the batch's unfinished rows.
    Resume { requests: usize, writer: Writer },
    /// The run ended: its counts, and whether the operator cancelled it.
    End {
        counts: BatchCounts,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        cancelled: bool,
    },
}

/// A batch's header, resume and closing records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRecord {
    pub batch_id: String,
    pub time: DateTime<Utc>,
    pub profile: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
    #[serde(flatten)]
    pub event: BatchEvent,
}

/// A dry-run: the plan that would have run, and nothing sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DryRunRecord {
    pub batch_id: String,
    pub time: DateTime<Utc>,
    pub profile: String,
    pub op: crate::core::plan::BatchOp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    pub rows: usize,
    pub requests: usize,
    pub unchanged: usize,
    pub invalid: usize,
}

/// Written before a request is sent: what is about to happen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentRecord {
    pub id: String,
    pub time: DateTime<Utc>,
    pub profile: String,
    pub op: Op,
    /// `op.target()`, kept so the line reads on its own.
    pub target: String,
    /// `op.describe()`.
    pub describe: String,
    /// `op.cli_command(..)`: the command that repeats this Op from a shell, naming the
    /// profile (or `--demo`).
    pub command: String,
    /// The request about to be sent, if known (secrets redacted like everything else).
    pub request: Option<RequestInfo>,
    /// Sent in demo mode (to the built-in simulator), not through a configured profile.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
    /// The process that wrote the intent, so a later run can tell whether it is still
    /// waiting for the answer (absent in journals of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer: Option<Writer>,
    /// The batch this intent belongs to, and its row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchTag>,
    /// A Cerego update: the value it replaces, so it can be undone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior: Option<String>,
}

impl IntentRecord {
    /// An intent stamped now, written by this process, for a configured profile.
    pub fn new(id: &str, profile: &str, op: &Op, request: Option<RequestInfo>) -> Self {
        Self::at(id, profile, false, op, request)
    }

    /// An intent stamped now, written by this process; `demo` for demo mode.
    pub fn at(id: &str, profile: &str, demo: bool, op: &Op, request: Option<RequestInfo>) -> Self {
        Self {
            id: id.to_string(),
            time: Utc::now(),
            profile: profile.to_string(),
            op: op.clone(),
            target: op.target(),
            describe: op.describe(),
            command: op.cli_command(&Place::of(profile, demo)),
            request,
            demo,
            writer: Some(Writer::current().clone()),
            batch: None,
            prior: None,
        }
    }

    /// Where the Op ran.
    pub fn place(&self) -> Place {
        Place::of(&self.profile, self.demo)
    }

    /// The command that repeats the Op, naming its profile (also for intents journaled by
    /// versions that did not name it).
    pub fn replay_command(&self) -> String {
        self.op.cli_command(&self.place())
    }
}

/// The request line and body of an HTTP call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestInfo {
    pub method: String,
    pub url: String,
    /// The body as JSON when it is JSON, otherwise as a string (see [`body_value`]).
    pub body: Option<Value>,
}

impl RequestInfo {
    /// The request `op` will make against `base_url`, as its intent records it before
    /// sending: `Op::request()`'s method, path and body. (A listing's intent names the
    /// endpoint without its page number: it stands for every page.)
    pub fn planned(op: &Op, base_url: &str) -> Self {
        let spec = op.request();
        Self {
            method: spec.method.as_str().to_string(),
            url: crate::engine::api::join_url(base_url, &spec.path),
            body: spec.body,
        }
    }

    pub fn new(method: impl Into<String>, url: impl Into<String>, body: Option<&str>) -> Self {
        Self {
            method: method.into(),
            url: url.into(),
            body: body.map(body_value),
        }
    }

    /// The request half of an exchange the clients recorded.
    pub fn from_exchange(exchange: &Exchange) -> Self {
        Self::new(
            exchange.method.clone(),
            exchange.url.clone(),
            exchange.request_body.as_deref(),
        )
    }
}

/// A body as the journal keeps it: parsed JSON when it is JSON, the text itself otherwise
/// (so a JSON string body and a plain-text body look alike — the audit needs the content,
/// not the content type). Bodies over [`MAX_STORED_BODY_BYTES`] are cut at a character
/// boundary and kept as a string ending in a note of the full size.
pub fn body_value(body: &str) -> Value {
    if body.len() > MAX_STORED_BODY_BYTES {
        let mut cut = MAX_STORED_BODY_BYTES;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        return Value::String(format!(
            "{}… [cut: {} bytes in all, the first {cut} journaled]",
            &body[..cut],
            body.len()
        ));
    }
    serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_string()))
}

/// How an Op ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// A 2xx answer that was understood.
    Ok,
    /// The server answered with an error status.
    HttpError,
    /// The server could not be reached.
    Network,
    /// No complete answer in time: the change may or may not have happened.
    Timeout,
    /// A 2xx answer that could not be read.
    Decode,
    /// tagdesk quit with the request in flight: outcome unknown.
    Abandoned,
    /// The operator cancelled it before it was sent.
    Cancelled,
    /// tagdesk refused to send it (e.g. the write gate of a read-only profile).
    Refused,
}

impl OutcomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Ok => "ok",
            OutcomeKind::HttpError => "http_error",
            OutcomeKind::Network => "network",
            OutcomeKind::Timeout => "timeout",
            OutcomeKind::Decode => "decode",
            OutcomeKind::Abandoned => "abandoned",
            OutcomeKind::Cancelled => "cancelled",
            OutcomeKind::Refused => "refused",
        }
    }

    pub fn of_error(error: &ApiError) -> Self {
        match error {
            ApiError::Network { .. } => OutcomeKind::Network,
            ApiError::Timeout { .. } => OutcomeKind::Timeout,
            ApiError::Http { .. } => OutcomeKind::HttpError,
            ApiError::Decode { .. } => OutcomeKind::Decode,
            ApiError::NotConfigured { .. }
            | ApiError::JournalUnwritable { .. }
            | ApiError::Local { .. } => OutcomeKind::Refused,
        }
    }
}

/// The error part of an outcome: a typed API error, or a plain message for outcomes that
/// never reached the API (refused, cancelled, abandoned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OutcomeError {
    Api(ApiError),
    Message(String),
}

impl std::fmt::Display for OutcomeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutcomeError::Api(e) => e.fmt(f),
            OutcomeError::Message(m) => f.write_str(m),
        }
    }
}

/// Written after a request: how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeRecord {
    /// The id of the intent this answers.
    pub id: String,
    pub time: DateTime<Utc>,
    pub result: OutcomeKind,
    pub status: Option<u16>,
    pub error: Option<OutcomeError>,
    /// The last response body received, as [`body_value`] keeps it (cut past
    /// [`MAX_STORED_BODY_BYTES`]).
    pub response_body: Option<Value>,
    pub duration_ms: Option<u64>,
    /// One line for people: the Hive message verbatim, `HTTP 422: ...`, and so on.
    pub summary: String,
    /// A Hive add or remove that was answered: the outcome as read when it arrived (the
    /// arrays confined to what the request asked, the message), kept apart from the body,
    /// which may be cut. Absent in journals written before it existed: their outcome is
    /// read from the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hive: Option<HiveOutcome>,
}

impl OutcomeRecord {
    /// The outcome of one [`crate::engine::exec::execute`] call that took `duration`. The
    /// response body of a large read is kept as a summary only.
    pub fn from_execution(
        id: &str,
        exchanges: &[Exchange],
        result: &Result<Output, ApiError>,
        duration: Duration,
    ) -> Self {
        let last = exchanges.last();
        let (kind, error, summary) = match result {
            Ok(output) => (OutcomeKind::Ok, None, output.summary()),
            Err(e) => (
                OutcomeKind::of_error(e),
                Some(OutcomeError::Api(e.clone())),
                e.to_string(),
            ),
        };
        let status = last
            .and_then(|x| x.status)
            .or_else(|| result.as_ref().err().and_then(ApiError::status));
        Self {
            id: id.to_string(),
            time: Utc::now(),
            result: kind,
            status,
            error,
            response_body: last.and_then(|x| x.response_body.as_deref()).map(|body| {
                let read = matches!(result, Ok(Output::Users(_) | Output::KeyOwner(_)));
                if read && body.len() > MAX_STORED_READ_BODY_BYTES {
                    Value::String(format!(
                        "[a read of {} bytes: summarised, not journaled]",
                        body.len()
                    ))
                } else {
                    body_value(body)
                }
            }),
            duration_ms: Some(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)),
            summary,
            // Kept beside the body it was read from (which may be cut).
            hive: match result {
                Ok(Output::Hive(o)) if last.is_some_and(|x| x.response_body.is_some()) => {
                    Some(o.compact())
                }
                Ok(_) | Err(_) => None,
            },
        }
    }

    /// tagdesk quit with the request in flight: whether it took effect is unknown.
    pub fn abandoned(id: &str) -> Self {
        Self::without_answer(
            id,
            OutcomeKind::Abandoned,
            "abandoned: tagdesk quit with the request in flight; outcome unknown".to_string(),
        )
    }

    /// tagdesk refused to send the request; `reason` says why.
    pub fn refused(id: &str, reason: &str) -> Self {
        Self::without_answer(id, OutcomeKind::Refused, format!("refused: {reason}"))
    }

    /// The operator cancelled the request before it was sent.
    pub fn cancelled(id: &str, reason: &str) -> Self {
        Self::without_answer(id, OutcomeKind::Cancelled, format!("cancelled: {reason}"))
    }

    fn without_answer(id: &str, result: OutcomeKind, summary: String) -> Self {
        Self {
            id: id.to_string(),
            time: Utc::now(),
            result,
            status: None,
            error: Some(OutcomeError::Message(summary.clone())),
            response_body: None,
            duration_ms: None,
            summary,
            hive: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_bodies_are_cut_at_a_char_boundary() {
        let body = "é".repeat(MAX_STORED_BODY_BYTES);
        let Value::String(s) = body_value(&body) else {
            panic!("expected a string")
        };
        assert!(s.contains("bytes in all"));
        assert!(s.len() < MAX_STORED_BODY_BYTES + 100);
    }
}
