//! Retrying transient failures, only where repeating is safe.
//!
//! Transient: a connection that could not be made, 429, 502, 503 and 504 (and a connection
//! dropped mid-request). Safe to repeat: Hive add and remove (repeating them converges on
//! the same tags), Cerego update (sets the same value) and every read. Cerego add is a POST
//! that creates something, so it is retried only when the connection was never made — the
//! request provably was not sent; after any other failure the operator is told to check.
//!
//! Waits grow exponentially with jitter, a `Retry-After` (seconds or an HTTP date) is
//! honoured, and both the number of attempts and the total time are bounded.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::core::op::ApiError;
use crate::core::op::{Op, RetrySafety};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The first wait; each later one doubles, up to `max_wait`.
    pub base: Duration,
    pub max_wait: Duration,
    /// No retry starts once this much time has passed since the first attempt, and no wait
    /// may end past it.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base: Duration::from_millis(400),
            max_wait: Duration::from_secs(10),
            budget: Duration::from_secs(45),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
}

/// One retry, as the log and the inspector show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryNotice {
    /// The attempt that is about to start (2 for the first retry).
    pub attempt: u32,
    pub max_attempts: u32,
    pub wait_ms: u64,
    /// When the next attempt starts.
    pub at: DateTime<Utc>,
    /// What failed ("HTTP 503 SERVICE_UNAVAILABLE: ...").
    pub reason: String,
    /// Whether the wait came from the server's Retry-After.
    pub from_retry_after: bool,
    /// The HTTP status that caused the retry, if one arrived (a batch slows down on 429 and
    /// 503).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// Whether the failure is worth another attempt at all.
pub fn is_transient(error: &ApiError) -> bool {
    match error {
        ApiError::Network { .. } => true,
        ApiError::Http { status, .. } => matches!(status, 429 | 502 | 503 | 504),
        // Waiting does not configure a service, free a disk or fix a body.
        ApiError::Timeout { .. }
        | ApiError::Decode { .. }
        | ApiError::NotConfigured { .. }
        | ApiError::JournalUnwritable { .. }
        | ApiError::Local { .. } => false,
    }
}

/// Whether `op` may be sent again after `error`.
pub fn may_retry(op: &Op, error: &ApiError) -> bool {
    if !is_transient(error) {
        return false;
    }
    match op.retry_safety() {
        RetrySafety::Repeatable => true,
        // Only when it provably never left.
        RetrySafety::OnlyIfNeverSent => matches!(error, ApiError::Network { connect: true, .. }),
    }
}

/// A `Retry-After` value: delta-seconds (too many to count: for ever) or an HTTP date.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(v.parse::<u64>().unwrap_or(u64::MAX)));
    }
    let when = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    Some((when - now).to_std().unwrap_or(Duration::ZERO))
}

/// The wait before attempt `next` (2 for the first retry): exponential with "equal jitter"
/// (half fixed, half random), so many clients do not retry in lockstep.
pub fn backoff(policy: &RetryPolicy, next: u32) -> Duration {
    let exp = policy
        .base
        .saturating_mul(1u32 << (next.saturating_sub(2)).min(16));
    let capped = exp.min(policy.max_wait);
    let half = capped / 2;
    half + half.mul_f64(fastrand::f64())
}

/// Decides the wait before attempt `next`, or None when no further attempt should be made.
pub fn next_wait(
    policy: &RetryPolicy,
    op: &Op,
    error: &ApiError,
    next: u32,
    elapsed: Duration,
    now: DateTime<Utc>,
) -> Option<(Duration, bool)> {
    if next > policy.max_attempts || !may_retry(op, error) {
        return None;
    }
    let from_header = match error {
        ApiError::Http {
            retry_after: Some(v),
            ..
        } => parse_retry_after(v, now),
        _ => None,
    };
    let (wait, honoured) = match from_header {
        Some(w) => (w, true),
        None => (backoff(policy, next), false),
    };
    if honoured && wait > policy.max_wait {
        return None;
    }
    if elapsed + wait >= policy.budget {
        return None;
    }
    Some((wait, honoured))
}

/// The server asked for a longer wait than tagdesk makes (a `Retry-After` above the
/// policy's `max_wait`): a batch stops sending rather than send every row into the refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deferral {
    /// The status that asked (429 or 503).
    pub status: u16,
    /// The `Retry-After` as the server sent it.
    pub retry_after: String,
    /// How long it asked for, in seconds.
    pub wait_secs: u64,
    /// When it said to come back.
    pub until: DateTime<Utc>,
}

impl Deferral {
    /// One sentence for people: what the server asked, and when it said to come back.
    pub fn describe(&self) -> String {
        format!(
            "the server answered HTTP {} with Retry-After: {} — come back at {} (in {}), longer \
             than tagdesk waits",
            self.status,
            crate::core::printable::printable(&self.retry_after),
            self.until.format("%Y-%m-%d %H:%M:%S UTC"),
            human_wait(self.wait_secs)
        )
    }
}

/// `45 s`, `12 min`, `3 h`, `27 days`.
fn human_wait(secs: u64) -> String {
    match secs {
        0..120 => format!("{secs} s"),
        120..7200 => format!("{} min", secs / 60),
        7200..172_800 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86_400),
    }
}

/// Whether `error` is a 429 or 503 whose `Retry-After` asks for more than `policy.max_wait`:
/// the wait is not made (see [`next_wait`]), and a batch should stop sending until then.
pub fn deferral(policy: &RetryPolicy, error: &ApiError, now: DateTime<Utc>) -> Option<Deferral> {
    let ApiError::Http {
        status: status @ (429 | 503),
        retry_after: Some(value),
        ..
    } = error
    else {
        return None;
    };
    let wait = parse_retry_after(value, now)?;
    if wait <= policy.max_wait {
        return None;
    }
    let until = chrono::Duration::from_std(wait)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    Some(Deferral {
        status: *status,
        retry_after: value.clone(),
        wait_secs: wait.as_secs(),
        until,
    })
}

impl crate::core::redact::Scrub for RetryNotice {
    fn scrub(&mut self, r: &crate::core::redact::Redactor) {
        self.reason.scrub(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::{ApiField, CeregoUserId, PatronId, TagTypeId, TagValue};

    fn hive() -> Op {
        Op::HiveAdd {
            patron: PatronId::parse("p").unwrap(),
            fields: vec![ApiField::parse("vip").unwrap()],
        }
    }

    fn cerego_add() -> Op {
        Op::CeregoAdd {
            user: CeregoUserId::parse("1").unwrap(),
            tag_type: TagTypeId::parse("3").unwrap(),
            value: TagValue::parse("v").unwrap(),
        }
    }

    fn http(status: u16, retry_after: Option<&str>) -> ApiError {
        ApiError::Http {
            status,
            code: None,
            message: "m".into(),
            retry_after: retry_after.map(str::to_string),
        }
    }

    #[test]
    fn what_is_retried() {
        for s in [429, 502, 503, 504] {
            assert!(may_retry(&hive(), &http(s, None)), "{s}");
            assert!(
                !may_retry(&cerego_add(), &http(s, None)),
                "a POST that may have landed: {s}"
            );
        }
        for s in [400, 401, 403, 404, 422, 500] {
            assert!(!may_retry(&hive(), &http(s, None)), "{s}");
        }
        let connect = ApiError::Network {
            message: "refused".into(),
            connect: true,
        };
        let reset = ApiError::Network {
            message: "reset".into(),
            connect: false,
        };
        assert!(may_retry(&cerego_add(), &connect));
        assert!(!may_retry(&cerego_add(), &reset));
        assert!(may_retry(&hive(), &reset));
        assert!(!may_retry(&hive(), &ApiError::Timeout { ms: 10 }));
    }

    #[test]
    fn only_a_create_and_a_raw_request_are_kept_from_retrying_a_503() {
        // Over one example of every Op variant: deciding a new Op's retry safety is not
        // optional (may_retry is an exhaustive match), and only Cerego add waits for proof
        // (a raw request is sent once, as written, so its answer is the one shown).
        for op in crate::core::op::one_of_each() {
            let retried = may_retry(&op, &http(503, None));
            assert_eq!(
                retried,
                !matches!(op, Op::CeregoAdd { .. } | Op::Raw(_)),
                "{op:?}"
            );
            assert!(!may_retry(
                &op,
                &ApiError::Local {
                    message: "x".into()
                }
            ));
            // Waiting configures no service and frees no disk.
            let service = op.service();
            assert!(!may_retry(&op, &ApiError::NotConfigured { service }));
            assert!(!may_retry(
                &op,
                &ApiError::JournalUnwritable {
                    reason: "disk full".into()
                }
            ));
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 10:00:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX)),
            "too many seconds to count is for ever, not no header"
        );
    }

    #[test]
    fn a_wait_above_the_cap_defers_a_batch_and_says_until_when() {
        let p = RetryPolicy::default();
        let now = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(deferral(&p, &http(429, Some("10")), now), None, "the cap");
        assert_eq!(deferral(&p, &http(429, None), now), None);
        assert_eq!(deferral(&p, &http(500, Some("600")), now), None);
        let d = deferral(&p, &http(429, Some("99999999")), now).unwrap();
        assert_eq!(d.status, 429);
        assert_eq!(d.wait_secs, 99_999_999);
        assert_eq!(d.until.to_rfc3339(), "2030-01-22T19:46:39+00:00");
        assert!(
            d.describe()
                .contains("come back at 2030-01-22 19:46:39 UTC")
        );
        let d = deferral(&p, &http(503, Some("Thu, 01 Jan 2099 00:00:00 GMT")), now).unwrap();
        assert_eq!(d.until.to_rfc3339(), "2099-01-01T00:00:00+00:00");
        assert!(d.describe().contains("days"), "{}", d.describe());
        let d = deferral(&p, &http(429, Some("99999999999999999999999")), now).unwrap();
        assert_eq!(d.until, DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn waits_grow_and_are_bounded() {
        let p = RetryPolicy::default();
        for next in 2..=8 {
            let w = backoff(&p, next);
            let full = p.base.saturating_mul(1 << (next - 2)).min(p.max_wait);
            assert!(w >= full / 2 && w <= full, "{next}: {w:?} vs {full:?}");
        }
        let now = Utc::now();
        let e = http(503, None);
        assert!(next_wait(&p, &hive(), &e, 2, Duration::ZERO, now).is_some());
        assert!(
            next_wait(&p, &hive(), &e, 5, Duration::ZERO, now).is_none(),
            "count bound"
        );
        assert!(
            next_wait(&p, &hive(), &e, 2, p.budget, now).is_none(),
            "time bound"
        );
        let (w, honoured) =
            next_wait(&p, &hive(), &http(429, Some("2")), 2, Duration::ZERO, now).unwrap();
        assert_eq!((w, honoured), (Duration::from_secs(2), true));
        assert!(next_wait(&p, &hive(), &http(429, Some("600")), 2, Duration::ZERO, now).is_none());
    }
}
