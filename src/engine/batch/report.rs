//! How one row of a batch ended, read from its journal entry: the same for a row that just
//! finished, for `batch show` days later, and for the results file.

use serde::Serialize;

use crate::core::op::scenario::{HiveAction, Scenario};
use crate::core::op::{ApiError, Op, Output, interpret};
use crate::core::plan::{PlanRow, expect};
use crate::engine::journal::{BatchCounts, Entry, OutcomeError, OutcomeKind};

pub use crate::core::op::verdict::RowOutcome;

/// One row of `batch show --json` and of the results file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowReport {
    /// Its first line in the source file.
    pub line: usize,
    /// Every line merged into it.
    pub lines: Vec<usize>,
    pub target: String,
    /// The Op's name (`hive_add`, `cerego_update`, ...).
    pub op: &'static str,
    pub outcome: RowOutcome,
    pub http_status: Option<u16>,
    pub error_code: Option<String>,
    /// The Hive scenario in the documentation's terms.
    pub scenario: Option<String>,
    /// `MATCH` / `MISMATCH` / `UNDOCUMENTED`: the Hive message against the documented one.
    pub check: Option<String>,
    /// The outcome the file's `expect` column names (a class or a scenario's short key).
    pub expect: Option<String>,
    /// What the row got in those terms (`added_pre`, `refused INVALID_PATRON`); None
    /// without an expectation or a usable answer.
    pub got: Option<String>,
    /// `MATCH` / `MISMATCH`: the answer against `expect` (None: no expectation, or no
    /// usable answer yet — pending, error).
    pub expect_check: Option<String>,
    /// The server's message verbatim (Hive's outcome message, an error's message), or what
    /// tagdesk knows when there was none.
    pub message: Option<String>,
    pub added: Vec<String>,
    pub pre_existing: Vec<String>,
    pub removed: Vec<String>,
    pub non_existent: Vec<String>,
    pub failed: Vec<String>,
    pub journal_id: Option<String>,
    /// The original cells of the row's first line in the source file, as read (empty for
    /// a row that came from no file).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<String>,
}

/// The reply an outcome record holds, as the Op would have read it live: a Hive outcome
/// as it was read when it arrived (kept apart from the body, which may be cut), else the
/// body read again. None when it cannot be read (a body cut in the journal, say).
pub fn output_of(entry: &Entry) -> Option<Output> {
    let outcome = entry.outcome.as_ref()?;
    if outcome.result != OutcomeKind::Ok {
        return None;
    }
    if let Some(hive) = &outcome.hive {
        return Some(Output::Hive(hive.clone().confine_to(&entry.intent.op)));
    }
    let body = match outcome.response_body.as_ref()? {
        serde_json::Value::String(s) => s.clone().into_bytes(),
        other => serde_json::to_vec(other).ok()?,
    };
    interpret(&entry.intent.op, outcome.status.unwrap_or(200), &body).ok()
}

/// How `row` ended, from its latest journal entry (None: never sent), judged against the
/// outcome its file expects.
pub fn report(row: &PlanRow, entry: Option<&Entry>) -> RowReport {
    let mut r = answered(row, entry);
    let action = if matches!(row.op, Op::HiveAdd { .. }) {
        HiveAction::Add
    } else if matches!(row.op, Op::HiveRemove { .. }) {
        HiveAction::Remove
    } else {
        return r;
    };
    let Some(want) = &row.expect else {
        return r;
    };
    let scenario = r.scenario.is_some().then(|| match action {
        HiveAction::Add => {
            Scenario::from_counts(action, r.added.len(), r.pre_existing.len(), r.failed.len())
        }
        HiveAction::Remove => Scenario::from_counts(
            action,
            r.removed.len(),
            r.non_existent.len(),
            r.failed.len(),
        ),
    });
    r.got = expect::got(r.outcome, scenario.as_ref(), r.error_code.as_deref());
    r.expect_check = expect::judge(want, action, r.outcome, scenario.as_ref()).map(str::to_string);
    r.expect = Some(want.clone());
    r
}

fn answered(row: &PlanRow, entry: Option<&Entry>) -> RowReport {
    let op: &Op = entry.map_or(&row.op, |e| &e.intent.op);
    let mut r = RowReport {
        line: row.line(),
        lines: row.lines.clone(),
        target: op.target(),
        op: op.name(),
        outcome: RowOutcome::Pending,
        http_status: None,
        error_code: None,
        scenario: None,
        check: None,
        expect: None,
        got: None,
        expect_check: None,
        message: None,
        added: Vec::new(),
        pre_existing: Vec::new(),
        removed: Vec::new(),
        non_existent: Vec::new(),
        failed: Vec::new(),
        journal_id: entry.map(|e| e.intent.id.clone()),
        source: row.source.clone(),
    };
    if row.unchanged {
        r.outcome = RowOutcome::Unchanged;
        r.message = Some(match (&row.prior, &row.op) {
            (Some(v), _) => format!("unchanged: the value is already \"{v}\""),
            (None, Op::HiveAdd { fields, .. } | Op::HiveRemove { fields, .. })
                if fields.is_empty() =>
            {
                "unchanged: no user_tags, nothing to send".into()
            }
            (None, Op::HiveAdd { .. }) => {
                "unchanged: every tag was last confirmed on the patron, not sent".into()
            }
            (None, _) => "unchanged: nothing needed sending".into(),
        });
        return r;
    }
    let Some(entry) = entry else {
        r.message = Some("not sent".into());
        return r;
    };
    let Some(outcome) = &entry.outcome else {
        let gone = entry
            .intent
            .writer
            .as_ref()
            .is_none_or(crate::engine::journal::Writer::is_gone);
        r.outcome = if gone {
            RowOutcome::Abandoned
        } else {
            RowOutcome::Pending
        };
        r.message = Some(if gone {
            "no outcome recorded: the run that sent it ended first; outcome unknown".into()
        } else {
            "in flight".into()
        });
        return r;
    };
    r.http_status = outcome.status;
    match outcome.result {
        OutcomeKind::Ok => match output_of(entry) {
            Some(Output::Hive(o)) => {
                let scenario = o.scenario();
                r.scenario = Some(scenario.label().to_string());
                r.check = Some(
                    match o.message_check() {
                        crate::core::op::scenario::MessageCheck::Match => "MATCH",
                        crate::core::op::scenario::MessageCheck::Mismatch => "MISMATCH",
                        crate::core::op::scenario::MessageCheck::Undocumented => "UNDOCUMENTED",
                    }
                    .to_string(),
                );
                r.outcome = RowOutcome::of_hive(&o);
                r.message = match (o.message.clone(), o.set_aside()) {
                    (Some(m), Some(n)) => Some(format!("{m} · {n}")),
                    (None, Some(n)) => Some(n),
                    (m, None) => m,
                };
                let failed: Vec<String> = o.failed.iter().map(|f| f.api_field.clone()).collect();
                match o.action {
                    crate::core::op::scenario::HiveAction::Add => {
                        r.added = o.changed;
                        r.pre_existing = o.unchanged;
                    }
                    crate::core::op::scenario::HiveAction::Remove => {
                        r.removed = o.changed;
                        r.non_existent = o.unchanged;
                    }
                }
                r.failed = failed;
            }
            Some(other) => {
                r.outcome = RowOutcome::Ok;
                r.message = Some(other.summary());
            }
            None if hive_op(&entry.intent.op) => {
                r.outcome = RowOutcome::Error;
                r.message = Some(format!(
                    "{} · the reply's arrays cannot be read back from the journal (its body \
                     was cut there): outcome unknown",
                    outcome.summary
                ));
            }
            None => {
                r.outcome = RowOutcome::Ok;
                r.message = Some(outcome.summary.clone());
            }
        },
        OutcomeKind::HttpError => {
            r.outcome = RowOutcome::Refused;
            match &outcome.error {
                Some(OutcomeError::Api(ApiError::Http { code, message, .. })) => {
                    r.error_code = code.clone();
                    r.message = Some(message.clone());
                }
                _ => r.message = Some(outcome.summary.clone()),
            }
        }
        kind @ (OutcomeKind::Network
        | OutcomeKind::Timeout
        | OutcomeKind::Decode
        | OutcomeKind::Refused
        | OutcomeKind::Abandoned
        | OutcomeKind::Cancelled) => {
            r.outcome = of_kind(kind);
            r.message = Some(outcome.summary.clone());
        }
    }
    r
}

/// The outcome word of a journaled ending that carries no reply to read (for an `ok` the
/// reply decides: see [`RowOutcome::of_output`]). The console's history reads it too.
pub fn of_kind(kind: OutcomeKind) -> RowOutcome {
    match kind {
        OutcomeKind::Ok => RowOutcome::Ok,
        OutcomeKind::HttpError => RowOutcome::Refused,
        OutcomeKind::Network
        | OutcomeKind::Timeout
        | OutcomeKind::Decode
        | OutcomeKind::Refused => RowOutcome::Error,
        OutcomeKind::Abandoned => RowOutcome::Abandoned,
        OutcomeKind::Cancelled => RowOutcome::Pending,
    }
}

/// Whether `op` is a Hive add or remove, whose outcome is its reply's arrays.
fn hive_op(op: &Op) -> bool {
    matches!(op, Op::HiveAdd { .. } | Op::HiveRemove { .. })
}

/// Whether the row's request was sent and answered or lost (a request in the counts): not
/// one never sent, nor a Cerego row that needed nothing sent. A Hive row answered "already
/// there" was sent.
pub fn was_sent(r: &RowReport) -> bool {
    match r.outcome {
        RowOutcome::Pending => false,
        RowOutcome::Unchanged => r.http_status.is_some() || r.scenario.is_some(),
        RowOutcome::Ok
        | RowOutcome::Partial
        | RowOutcome::Failed
        | RowOutcome::Refused
        | RowOutcome::Error
        | RowOutcome::Abandoned => true,
    }
}

/// Adds one row's outcome to `counts` (a request, unless nothing was sent).
pub fn count(counts: &mut BatchCounts, outcome: RowOutcome) {
    match outcome {
        RowOutcome::Ok => counts.ok += 1,
        RowOutcome::Partial => counts.partial += 1,
        RowOutcome::Failed => counts.failed += 1,
        RowOutcome::Refused => counts.refused += 1,
        RowOutcome::Error | RowOutcome::Abandoned => counts.errors += 1,
        RowOutcome::Pending => counts.pending += 1,
        RowOutcome::Unchanged => counts.unchanged += 1,
    }
}

/// Adds one row to `counts`: its outcome, and a mismatch with its expectation.
pub fn tally(counts: &mut BatchCounts, r: &RowReport) {
    count(counts, r.outcome);
    if r.expect_check.as_deref() == Some(expect::MISMATCH) {
        counts.mismatched += 1;
    }
}

/// The columns of `batch show --csv` and of `--results`.
pub const CSV_COLUMNS: [&str; 20] = [
    "line",
    "lines",
    "target",
    "op",
    "outcome",
    "http_status",
    "error_code",
    "scenario",
    "check",
    "expect",
    "got",
    "expect_check",
    "message",
    "added",
    "pre_existing",
    "removed",
    "non_existent",
    "failed",
    "journal_id",
    "source",
];

/// The cells of a source row as one CSV line (RFC 4180: a cell holding a comma, a quote, a
/// line break or a space at either end is quoted, its quotes doubled): what the file held.
pub fn source_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\r', '\n']) || c.starts_with(' ') || c.ends_with(' ') {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One CSV line of a row (cells quoted and made printable; arrays joined with spaces).
pub fn csv_line(r: &RowReport) -> String {
    use crate::core::printable::{csv_cell, printable};
    let join = |v: &[String]| v.join(" ");
    let lines = r
        .lines
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    [
        r.line.to_string(),
        lines,
        r.target.clone(),
        r.op.to_string(),
        r.outcome.as_str().to_string(),
        r.http_status.map(|s| s.to_string()).unwrap_or_default(),
        r.error_code.clone().unwrap_or_default(),
        r.scenario.clone().unwrap_or_default(),
        r.check.clone().unwrap_or_default(),
        r.expect.clone().unwrap_or_default(),
        r.got.clone().unwrap_or_default(),
        r.expect_check.clone().unwrap_or_default(),
        r.message
            .as_deref()
            .map(|m| printable(m).into_owned())
            .unwrap_or_default(),
        join(&r.added),
        join(&r.pre_existing),
        join(&r.removed),
        join(&r.non_existent),
        join(&r.failed),
        r.journal_id.clone().unwrap_or_default(),
        source_line(&r.source),
    ]
    .iter()
    .map(|c| csv_cell(c))
    .collect::<Vec<_>>()
    .join(",")
}
