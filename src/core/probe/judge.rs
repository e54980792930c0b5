//! Reading a probe's answers: each step's check (MATCH / MISMATCH / UNDOCUMENTED) and
//! whether its arrays are what the sequence should produce, whether the run goes on, the
//! report `--json` prints and `--save` writes, and what changed since an earlier one.

use serde::{Deserialize, Serialize};

use super::{Expected, ProbeStep};
use crate::core::op::hive::HiveOutcome;
use crate::core::op::scenario::{DOCUMENTED_ERRORS, HiveAction, Scenario};
use crate::core::op::{ApiError, Output};

/// Whether a step's answer is the documented one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Check {
    Match,
    Mismatch,
    Undocumented,
}

impl Check {
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Match => "MATCH",
            Check::Mismatch => "MISMATCH",
            Check::Undocumented => "UNDOCUMENTED",
        }
    }
}

/// One step as the report gives it (the fields of `--json`'s `steps`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepResult {
    pub step: String,
    pub op: String,
    pub fields: Vec<String>,
    pub http_status: Option<u16>,
    pub error_code: Option<String>,
    /// What the answer is: the scenario its arrays describe, or the error code.
    pub scenario: Option<String>,
    pub expected_scenario: Option<String>,
    /// The server's message, verbatim.
    pub message: Option<String>,
    /// The documented message of the scenario the arrays describe (None for errors, whose
    /// messages Hive does not document).
    pub documented: Option<String>,
    pub check: Check,
    pub arrays_ok: bool,
}

/// Why a run stopped before its last step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The API refused a request the sequence needs (exit 3).
    Refused(String),
    /// No usable answer (exit 4).
    Unreachable(String),
    /// The clearing remove reported these api_fields as not defined in the application.
    Undefined(Vec<String>),
}

/// What a step came to, and the arrays it had (for the human output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub result: StepResult,
    /// "expected added [vip], got added [vip]", for an outcome step.
    pub arrays: Option<String>,
    pub stop: Option<Stop>,
}

/// The arrays of a Hive answer (or an expectation) in words: `added [vip] · failed [x]`.
pub fn arrays_text(
    action: HiveAction,
    changed: &[String],
    unchanged: &[String],
    failed: &[String],
) -> String {
    let (c, u) = match action {
        HiveAction::Add => ("added", "pre-existing"),
        HiveAction::Remove => ("removed", "non-existent"),
    };
    let parts: Vec<String> = [(c, changed), (u, unchanged), ("failed", failed)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(name, v)| format!("{name} [{}]", v.join(", ")))
        .collect();
    if parts.is_empty() {
        "no tags in any array".into()
    } else {
        parts.join(" · ")
    }
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

/// Whether an error code is one Hive documents, with the status it documents.
fn documented_error(status: u16, code: Option<&str>) -> bool {
    DOCUMENTED_ERRORS
        .iter()
        .any(|e| Some(e.error_code) == code && e.status == status)
}

/// Judges one step's answer. `http_status` is the status received, if any.
pub fn judge(
    step: &ProbeStep,
    http_status: Option<u16>,
    result: &Result<Output, ApiError>,
) -> Judged {
    let mut r = StepResult {
        step: step.key.clone(),
        op: step.verb().into(),
        fields: step.fields(),
        http_status,
        error_code: None,
        scenario: None,
        expected_scenario: match &step.expected {
            Expected::Clear => None,
            Expected::Outcome { scenario, .. } => Some(scenario.label().into()),
            Expected::Error { code, .. } => Some((*code).into()),
        },
        message: None,
        documented: None,
        check: Check::Undocumented,
        arrays_ok: false,
    };
    let mut arrays = None;
    let mut stop = None;
    match result {
        Ok(Output::Hive(o)) => {
            outcome(&mut r, o);
            let failed: Vec<String> = o.failed.iter().map(|f| f.api_field.clone()).collect();
            let got = arrays_text(o.action, &o.changed, &o.unchanged, &failed);
            match &step.expected {
                Expected::Clear => {
                    r.arrays_ok = failed.is_empty();
                    if !failed.is_empty() {
                        stop = Some(Stop::Undefined(failed));
                    }
                    arrays = Some(format!("expected no failed tags, got {got}"));
                }
                Expected::Outcome {
                    scenario,
                    changed,
                    unchanged,
                    failed: want_failed,
                } => {
                    r.arrays_ok = o.action == scenario.action
                        && sorted(&o.changed) == sorted(changed)
                        && sorted(&o.unchanged) == sorted(unchanged)
                        && sorted(&failed) == sorted(want_failed);
                    let want = arrays_text(scenario.action, changed, unchanged, want_failed);
                    arrays = Some(format!("expected {want}, got {got}"));
                }
                Expected::Error { .. } => {
                    // The documented error did not come; at least nothing should change.
                    r.check = Check::Mismatch;
                    r.arrays_ok = o.changed.is_empty();
                }
            }
        }
        Ok(_) => {
            r.message = Some("an answer that is not a Hive add or remove response".into());
            stop = Some(Stop::Unreachable(
                "the answer is not a Hive response".into(),
            ));
        }
        Err(ApiError::Http {
            status,
            code,
            message,
            ..
        }) => {
            r.http_status = Some(*status);
            r.error_code = code.clone();
            r.scenario = code.clone();
            r.message = Some(message.clone());
            r.arrays_ok = true;
            let documented = documented_error(*status, code.as_deref());
            match &step.expected {
                Expected::Error { status: s, code: c } => {
                    r.check = if *s == *status && code.as_deref() == Some(*c) {
                        Check::Match
                    } else if documented {
                        Check::Mismatch
                    } else {
                        Check::Undocumented
                    };
                }
                Expected::Clear if code.as_deref() == Some("INVALID_PATRON") && *status == 400 => {
                    r.check = Check::Match;
                }
                Expected::Clear | Expected::Outcome { .. } => {
                    r.check = if documented {
                        Check::Mismatch
                    } else {
                        Check::Undocumented
                    };
                    r.arrays_ok = false;
                    stop = Some(Stop::Refused(result_line(result)));
                }
            }
        }
        Err(e) => {
            r.http_status = http_status.or(e.status());
            r.message = Some(e.to_string());
            stop = Some(Stop::Unreachable(e.to_string()));
        }
    }
    Judged {
        result: r,
        arrays,
        stop,
    }
}

fn result_line(result: &Result<Output, ApiError>) -> String {
    match result {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

/// Fills a step's result from a Hive answer: its scenario, message, documented message and
/// check (the empty answer has no documented message: UNDOCUMENTED).
fn outcome(r: &mut StepResult, o: &HiveOutcome) {
    let s: Scenario = o.scenario();
    let documented = s.documented_message();
    r.scenario = Some(s.label().into());
    r.message = o.message.clone();
    r.documented = documented.map(String::from);
    r.check = match (documented, o.message.as_deref()) {
        (None, _) => Check::Undocumented,
        (Some(d), Some(m)) if d == m => Check::Match,
        _ => Check::Mismatch,
    };
}

/// A whole run, as `--json` prints it and `--save` writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub probe_id: String,
    pub profile: String,
    pub patron: String,
    pub steps: Vec<StepResult>,
    pub matched: usize,
    pub mismatched: usize,
    pub exit_code: u8,
    /// With `--compare`: what changed since the earlier report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<Change>>,
}

impl Report {
    /// Counts the checks.
    pub fn count(&mut self) {
        self.matched = self
            .steps
            .iter()
            .filter(|s| s.check == Check::Match)
            .count();
        self.mismatched = self
            .steps
            .iter()
            .filter(|s| s.check == Check::Mismatch)
            .count();
    }

    /// Every step MATCH with the arrays expected.
    pub fn clean(&self) -> bool {
        self.steps
            .iter()
            .all(|s| s.check == Check::Match && s.arrays_ok)
    }
}

/// One difference between two runs, by step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub step: String,
    /// `message`, `status`, `check`, `new` (a step the earlier run did not have) or
    /// `missing` (one this run did not reach).
    pub what: String,
    pub before: Option<String>,
    pub now: Option<String>,
}

impl Change {
    /// In a line, for people.
    pub fn describe(&self) -> String {
        let show = |v: &Option<String>| v.as_deref().map_or("(none)".into(), |v| format!("{v:?}"));
        match self.what.as_str() {
            "message" => format!(
                "{}: the server's message is now worded differently: {} (was {})",
                self.step,
                show(&self.now),
                show(&self.before)
            ),
            "status" => format!(
                "{}: now answers {} (was {})",
                self.step,
                self.now.as_deref().unwrap_or("no status"),
                self.before.as_deref().unwrap_or("no status")
            ),
            "check" => format!(
                "{}: now {} (was {})",
                self.step,
                self.now.as_deref().unwrap_or("?"),
                self.before.as_deref().unwrap_or("?")
            ),
            "new" => format!("{}: a step the earlier run did not have", self.step),
            _ => format!("{}: not reached in this run", self.step),
        }
    }
}

fn status_text(s: &StepResult) -> Option<String> {
    s.http_status.map(|st| match &s.error_code {
        Some(c) => format!("{st} {c}"),
        None => st.to_string(),
    })
}

/// What changed from `before` to `now`, step by step (matched by key): a status (and error
/// code), a message, a check. The clearing remove is left out.
pub fn compare(before: &[StepResult], now: &[StepResult]) -> Vec<Change> {
    let mut out = Vec::new();
    // The clearing remove answers after the state an earlier run left (a patron that does
    // not exist yet on the first run): not a change of the application.
    let now: Vec<&StepResult> = now.iter().filter(|s| s.step != super::CLEAR_KEY).collect();
    let before: Vec<&StepResult> = before
        .iter()
        .filter(|s| s.step != super::CLEAR_KEY)
        .collect();
    for n in now.iter().copied() {
        let Some(b) = before.iter().find(|b| b.step == n.step) else {
            out.push(Change {
                step: n.step.clone(),
                what: "new".into(),
                before: None,
                now: None,
            });
            continue;
        };
        let change = |what: &str, before: Option<String>, now: Option<String>| Change {
            step: n.step.clone(),
            what: what.into(),
            before,
            now,
        };
        if status_text(b) != status_text(n) {
            out.push(change("status", status_text(b), status_text(n)));
        }
        if b.message != n.message {
            out.push(change("message", b.message.clone(), n.message.clone()));
        }
        if b.check != n.check {
            out.push(change(
                "check",
                Some(b.check.as_str().into()),
                Some(n.check.as_str().into()),
            ));
        }
    }
    for b in before
        .iter()
        .filter(|b| !now.iter().any(|n| n.step == b.step))
    {
        out.push(Change {
            step: b.step.clone(),
            what: "missing".into(),
            before: None,
            now: None,
        });
    }
    out
}
