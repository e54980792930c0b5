//! Fault injection: latency, error statuses, malformed bodies and dropped connections, for
//! the whole simulator, one API, or one endpoint. The rules and their text form
//! (`hive.add:503*1`) are [`crate::core::fault`]'s; this applies them to a request.

pub use crate::core::fault::{ENDPOINTS, FaultKind, FaultRule};

/// What the fault layer injects into one request (not to be confused with the write gate's `Decision`).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Injection {
    pub latency_ms: u64,
    /// How long the answer is held back after the request was carried out.
    pub late_ms: u64,
    /// The first terminal fault that fired (status, malformed or drop).
    pub terminal: Option<FaultKind>,
}

/// Applies the rules to one request: every matching latency rule that fires adds up; the
/// first matching terminal rule that fires wins. Rules with a count are used up and removed.
pub fn decide(rules: &mut Vec<FaultRule>, endpoint: &str) -> Injection {
    let mut decision = Injection::default();
    let mut i = 0;
    while i < rules.len() {
        let rule = &mut rules[i];
        let is_terminal = !matches!(
            rule.kind,
            FaultKind::Latency { .. } | FaultKind::Late { .. }
        );
        let eligible = rule.matches(endpoint) && !(is_terminal && decision.terminal.is_some());
        if eligible && (rule.rate >= 1.0 || fastrand::f64() < rule.rate) {
            match &rule.kind {
                FaultKind::Latency { ms } => decision.latency_ms += ms,
                FaultKind::Late { ms } => decision.late_ms += ms,
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
        let d = decide(&mut rules, "hive.add");
        assert_eq!(d.latency_ms, 100);
        assert_eq!(
            d.terminal,
            Some(FaultKind::Status {
                status: 503,
                retry_after: None
            })
        );
        assert_eq!(rules.len(), 3, "the counted rule is used up");
        let d = decide(&mut rules, "hive.add");
        assert_eq!(
            d.terminal,
            Some(FaultKind::Status {
                status: 500,
                retry_after: None
            })
        );
        let d = decide(&mut rules, "cerego.users");
        assert_eq!(d.latency_ms, 5);
        let mut none: Vec<FaultRule> = vec!["hive:drop@0".parse().unwrap()];
        assert_eq!(decide(&mut none, "hive.add"), Injection::default());
    }
}
