//! Fault injection: latency, error statuses, malformed bodies and dropped connections, for
//! the whole simulator, one API, or one endpoint. The rules and their text form
//! (`hive.add:503*1`) are [`crate::core::fault`]'s; this applies them to a request.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

pub use crate::core::fault::{ENDPOINTS, FaultKind, FaultRule};

/// The requests each rate-limit rule let through in the last second, by the rule's text.
pub type RateWindows = HashMap<String, VecDeque<Instant>>;

const WINDOW: Duration = Duration::from_secs(1);

/// The answer to a request past a rate limit.
fn too_many() -> FaultKind {
    FaultKind::Status {
        status: 429,
        retry_after: Some(1),
    }
}

/// Whether a rate-limit rule refuses a request arriving `now`; one it lets through is
/// counted in its window.
fn over_limit(windows: &mut RateWindows, rule: &FaultRule, per_second: u32, now: Instant) -> bool {
    let window = windows.entry(rule.to_string()).or_default();
    while window
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
    {
        window.pop_front();
    }
    if window.len() >= per_second as usize {
        return true;
    }
    window.push_back(now);
    false
}

/// What the fault layer injects into one request (not to be confused with the write gate's `Decision`).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Injection {
    pub latency_ms: u64,
    /// How long the answer is held back after the request was carried out.
    pub late_ms: u64,
    /// The first terminal fault that fired (status, malformed or drop).
    pub terminal: Option<FaultKind>,
}

/// Applies the rules to one request arriving `now`: every matching latency rule that fires
/// adds up; the first matching terminal rule that fires wins (a rate limit fires when the
/// request is past it). Rules with a count are used up and removed.
pub fn decide(
    rules: &mut Vec<FaultRule>,
    windows: &mut RateWindows,
    endpoint: &str,
    now: Instant,
) -> Injection {
    let mut decision = Injection::default();
    let mut i = 0;
    while i < rules.len() {
        let rule = &mut rules[i];
        let is_terminal = !matches!(
            rule.kind,
            FaultKind::Latency { .. } | FaultKind::Late { .. }
        );
        let eligible = rule.matches(endpoint) && !(is_terminal && decision.terminal.is_some());
        let fires = eligible
            && match rule.kind {
                FaultKind::RateLimit { per_second } => {
                    over_limit(windows, rule, per_second, now)
                        && (rule.rate >= 1.0 || fastrand::f64() < rule.rate)
                }
                _ => rule.rate >= 1.0 || fastrand::f64() < rule.rate,
            };
        if fires {
            match &rule.kind {
                FaultKind::Latency { ms } => decision.latency_ms += ms,
                FaultKind::Late { ms } => decision.late_ms += ms,
                FaultKind::RateLimit { .. } => decision.terminal = Some(too_many()),
                other => decision.terminal = Some(other.clone()),
            }
            if let Some(n) = rule.times.as_mut() {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    rules.remove(i);
                    continue;
                }
            }
        }
        i += 1;
    }
    decision
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decide_targets_counts_and_stacks() {
        let mut rules: Vec<FaultRule> = [
            "hive:latency=100",
            "hive.add:503*1",
            "all:500",
            "cerego.users:latency=5",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        let d = decide(
            &mut rules,
            &mut RateWindows::new(),
            "hive.add",
            Instant::now(),
        );
        assert_eq!(d.latency_ms, 100);
        assert_eq!(
            d.terminal,
            Some(FaultKind::Status {
                status: 503,
                retry_after: None
            })
        );
        assert_eq!(rules.len(), 3, "the counted rule is used up");
        let d = decide(
            &mut rules,
            &mut RateWindows::new(),
            "hive.add",
            Instant::now(),
        );
        assert_eq!(
            d.terminal,
            Some(FaultKind::Status {
                status: 500,
                retry_after: None
            })
        );
        let d = decide(
            &mut rules,
            &mut RateWindows::new(),
            "cerego.users",
            Instant::now(),
        );
        assert_eq!(d.latency_ms, 5);
        let mut none: Vec<FaultRule> = vec!["hive:drop@0".parse().unwrap()];
        assert_eq!(
            decide(
                &mut none,
                &mut RateWindows::new(),
                "hive.add",
                Instant::now()
            ),
            Injection::default()
        );
    }

    #[test]
    fn a_rate_limit_refuses_what_is_past_n_in_the_last_second() {
        let mut rules: Vec<FaultRule> = ["hive:latency=100", "hive:rate_limit=3"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let mut windows = RateWindows::new();
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut at_ms =
            |ms: u64, endpoint: &str| decide(&mut rules, &mut windows, endpoint, at(ms)).terminal;
        for ms in [0, 100, 200] {
            assert_eq!(at_ms(ms, "hive.add"), None, "within the limit at {ms} ms");
        }
        let refused = Some(FaultKind::Status {
            status: 429,
            retry_after: Some(1),
        });
        assert_eq!(at_ms(300, "hive.add"), refused, "the fourth in a second");
        assert_eq!(
            at_ms(900, "hive.remove"),
            refused,
            "the target is all of hive"
        );
        assert_eq!(
            at_ms(900, "cerego.users"),
            None,
            "other targets are not limited"
        );
        // A second after the first went through, one more may.
        assert_eq!(at_ms(1000, "hive.add"), None);
        assert_eq!(at_ms(1050, "hive.add"), refused);
        // Refused requests did not count: after a quiet second, three go through again.
        for ms in [2300, 2301, 2302] {
            assert_eq!(at_ms(ms, "hive.add"), None);
        }
        assert_eq!(at_ms(2303, "hive.add"), refused);
    }
}
