//! When a batch stops sending on its own (`--max-errors N`, default 20): after N rows
//! `refused` or `error`, or at the first row whose key the service refused (Hive 403
//! `INVALID_API_KEY`, Cerego 401) — sending the rest with the same key would only be
//! refused again. The requests in flight finish; the rest stay `pending` for a resume.
//!
//! The rule is pure: the runner feeds each row's outcome in, and reads whether to go on.
//! [`FirstAlone`] makes a run's first request go alone, so a refused key is sent once.

use serde::Serialize;

use crate::core::op::verdict::RowOutcome;
use crate::core::op::{ApiError, Op, Service};

/// The rows refused or in error a batch takes before it stops, unless told otherwise.
pub const DEFAULT_MAX_ERRORS: usize = 20;

/// Why a batch stopped sending on its own (`stopped` in the `--json` summary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stopped {
    /// `max_errors` (N rows refused or in error) or `key_refused` (the service refused the
    /// profile's key).
    pub reason: &'static str,
    /// The rows refused or in error when it stopped (in-flight rows that ended after it
    /// are not counted here).
    pub after: usize,
    /// The `--max-errors` it ran with.
    pub max_errors: usize,
    /// With `key_refused`: the service (`hive`, `cerego`), the status and error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

impl Stopped {
    /// Why, in words, after "stopped sending: " (never the key itself: tagdesk never has
    /// it in an error).
    pub fn describe(&self) -> String {
        match self.service {
            Some(service) => format!(
                "the {} API refused the profile's API key (HTTP {}{}), so no other row was \
                 sent: check the key (`tagdesk config check`)",
                service_label(service),
                self.http_status.unwrap_or_default(),
                self.error_code
                    .as_deref()
                    .map(|c| format!(" {c}"))
                    .unwrap_or_default()
            ),
            None => format!(
                "{} refused or in error (--max-errors {})",
                crate::core::printable::plural(self.after as u64, "row was", "rows were"),
                self.max_errors
            ),
        }
    }
}

/// A service as the JSON names it (`hive`, `cerego`), and in words.
fn service_key(service: Service) -> &'static str {
    match service {
        Service::Hive => "hive",
        Service::Cerego => "cerego",
    }
}

fn service_label(key: &str) -> &'static str {
    if key == "cerego" { "Cerego" } else { "Hive" }
}

/// A refusal of the profile's key: the service, the status and the error code.
pub type KeyRefusal = (Service, u16, Option<String>);

/// Whether `err`, the answer to `op`, says the service refused the key: Hive's 403
/// `INVALID_API_KEY`, Cerego's 401. A raw request (the probe's deliberate wrong key) is
/// not a batch's key being refused.
pub fn key_refused(op: &Op, err: &ApiError) -> Option<KeyRefusal> {
    let ApiError::Http { status, code, .. } = err else {
        return None;
    };
    let refused = match op.service() {
        _ if matches!(op, Op::Raw(_)) => false,
        Service::Hive => *status == 403 && code.as_deref() == Some("INVALID_API_KEY"),
        Service::Cerego => *status == 401,
    };
    refused.then(|| (op.service(), *status, code.clone()))
}

/// The stop rule of one run: counts the rows refused or in error.
#[derive(Debug, Clone)]
pub struct StopRule {
    max_errors: usize,
    bad: usize,
    stopped: Option<Stopped>,
}

impl StopRule {
    /// `max_errors` of 0 is read as 1 (the command line refuses 0).
    pub fn new(max_errors: usize) -> Self {
        Self {
            max_errors: max_errors.max(1),
            bad: 0,
            stopped: None,
        }
    }

    /// Takes one row's outcome (`key`: the service refused the key, with its service,
    /// status and code); true when the batch must stop now. Once stopped, it stays so and
    /// keeps the first reason.
    pub fn observe(&mut self, outcome: RowOutcome, key: Option<KeyRefusal>) -> bool {
        if matches!(outcome, RowOutcome::Refused | RowOutcome::Error) {
            self.bad += 1;
        }
        if self.stopped.is_some() {
            return true;
        }
        if let Some((service, status, code)) = key {
            self.stopped = Some(Stopped {
                reason: "key_refused",
                after: self.bad,
                max_errors: self.max_errors,
                service: Some(service_key(service)),
                http_status: Some(status),
                error_code: code,
            });
        } else if self.bad >= self.max_errors {
            self.stopped = Some(Stopped {
                reason: "max_errors",
                after: self.bad,
                max_errors: self.max_errors,
                service: None,
                http_status: None,
                error_code: None,
            });
        }
        self.stopped.is_some()
    }

    pub fn stopped(&self) -> Option<&Stopped> {
        self.stopped.as_ref()
    }
}

/// A run's first request goes alone: the other workers wait for its answer, so a refused
/// key (or a wrong base URL) costs one request, not one per slot of `--concurrency`.
/// The worker that passes first holds a [`FirstTurn`]; when that turn ends, however it
/// ends (an answer, a row put back, a failed journal, no row left), the gate opens for
/// every worker and stays open.
#[derive(Debug)]
pub struct FirstAlone {
    taken: std::sync::atomic::AtomicBool,
    opened: tokio::sync::watch::Sender<bool>,
}

impl Default for FirstAlone {
    fn default() -> Self {
        Self {
            taken: Default::default(),
            opened: tokio::sync::watch::Sender::new(false),
        }
    }
}

/// The first worker's turn: the gate opens when it is dropped.
#[must_use = "the gate opens when the first turn is dropped"]
pub struct FirstTurn<'a>(Option<&'a FirstAlone>);

impl Drop for FirstTurn<'_> {
    fn drop(&mut self) {
        if let Some(gate) = self.0 {
            gate.opened.send_replace(true);
        }
    }
}

impl FirstAlone {
    /// Returns at once for the first caller (holding the first turn) and once the gate is
    /// open; the other callers wait until the first turn ends.
    pub async fn pass(&self) -> FirstTurn<'_> {
        // Every later row of the run: the gate is open, nothing to wait for.
        if *self.opened.borrow() {
            return FirstTurn(None);
        }
        if !self.taken.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return FirstTurn(Some(self));
        }
        // The sender lives in `self`, so the channel cannot close while this waits.
        let _ = self.opened.subscribe().wait_for(|open| *open).await;
        FirstTurn(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::{ApiField, PatronId};

    fn add() -> Op {
        Op::HiveAdd {
            patron: PatronId::parse("p1").unwrap(),
            fields: vec![ApiField::parse("vip").unwrap()],
        }
    }

    fn http(status: u16, code: Option<&str>) -> ApiError {
        ApiError::Http {
            status,
            code: code.map(str::to_string),
            message: "no".into(),
            retry_after: None,
        }
    }

    #[test]
    fn n_rows_refused_or_in_error_stop_the_batch_and_others_do_not_count() {
        let mut rule = StopRule::new(3);
        for o in [
            RowOutcome::Ok,
            RowOutcome::Failed,
            RowOutcome::Partial,
            RowOutcome::Unchanged,
            RowOutcome::Pending,
            RowOutcome::Refused,
            RowOutcome::Error,
        ] {
            assert!(!rule.observe(o, None), "{o:?}");
        }
        assert!(rule.observe(RowOutcome::Refused, None));
        let s = rule.stopped().unwrap().clone();
        assert_eq!((s.reason, s.after, s.max_errors), ("max_errors", 3, 3));
        assert_eq!(
            s.describe(),
            "3 rows were refused or in error (--max-errors 3)"
        );
        // Rows in flight that end later do not change the reason.
        assert!(rule.observe(RowOutcome::Ok, None));
        assert_eq!(rule.stopped().unwrap().reason, "max_errors");
    }

    #[test]
    fn a_refused_key_stops_at_the_first_row_whatever_n() {
        let mut rule = StopRule::new(1000);
        assert!(rule.observe(
            RowOutcome::Refused,
            Some((Service::Hive, 403, Some("INVALID_API_KEY".into())))
        ));
        let s = rule.stopped().unwrap();
        assert_eq!((s.reason, s.after), ("key_refused", 1));
        assert!(
            s.describe()
                .contains("Hive API refused the profile's API key (HTTP 403 INVALID_API_KEY)"),
            "{}",
            s.describe()
        );
    }

    #[test]
    fn only_the_documented_key_refusals_count() {
        let refused = |op: &Op, e: ApiError| key_refused(op, &e).is_some();
        assert_eq!(
            key_refused(&add(), &http(403, Some("INVALID_API_KEY"))),
            Some((Service::Hive, 403, Some("INVALID_API_KEY".into())))
        );
        assert!(!refused(&add(), http(403, Some("OTHER"))));
        assert!(!refused(&add(), http(401, None)));
        assert!(!refused(&add(), http(400, Some("INVALID_PATRON"))));
        let cerego = Op::CeregoProfile;
        assert!(refused(&cerego, http(401, None)));
        assert!(!refused(&cerego, http(403, None)));
        assert!(!refused(&add(), ApiError::Timeout { ms: 10 }));
    }

    #[test]
    fn the_first_request_goes_alone_and_the_others_wait_for_its_end() {
        use futures_util::FutureExt;
        let gate = FirstAlone::default();
        let first = gate.pass().now_or_never().expect("the first goes at once");
        let mut second = Box::pin(gate.pass());
        assert!(second.as_mut().now_or_never().is_none(), "the second waits");
        drop(first);
        let second = second
            .now_or_never()
            .expect("and goes once the first ended");
        assert!(gate.pass().now_or_never().is_some(), "as every later one");
        drop(second);
        assert!(
            gate.pass().now_or_never().is_some(),
            "and the gate stays open"
        );
    }
}
