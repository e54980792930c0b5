//! Fault rules, the shape the simulator injects them in and its control API speaks:
//! latency, error statuses, malformed bodies and dropped connections, for the whole
//! simulator, one API, or one endpoint. Here (pure) so that the simulator, which applies
//! them, and the engine's control client, which reads them back, share one type without the
//! engine knowing the simulator.
//!
//! A rule in text form (for `tagdesk sim --fault`) is `TARGET:KIND[@RATE][*TIMES]`:
//! - TARGET: `all`, `hive`, `cerego`, or an endpoint: `hive.add`, `hive.remove`,
//!   `cerego.add`, `cerego.update`, `cerego.set`, `cerego.users`, `cerego.profile`.
//! - KIND: `latency=MS`, a status from 400 to 599 with an optional Retry-After in seconds
//!   (`503`, `429=2`), `rate_limit=N` (a 429 with `Retry-After: 1` for each request past N
//!   in the last second), `malformed` (200 with a truncated JSON body) or `drop` (the
//!   connection is closed without a complete response).
//! - RATE: the share of matching requests it applies to, 0 to 1 (default 1).
//! - TIMES: apply to this many requests, then retire the rule (default: forever).
//!
//! Examples: `hive:latency=800`, `hive.add:503*1`, `cerego:429=2@0.3`, `all:drop@0.1`,
//! `hive:rate_limit=150`.
//! The same rules as JSON go through the control API (`/_sim/faults`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Every endpoint name a rule can target.
pub const ENDPOINTS: [&str; 7] = [
    "hive.add",
    "hive.remove",
    "cerego.add",
    "cerego.update",
    "cerego.set",
    "cerego.users",
    "cerego.profile",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    Latency {
        ms: u64,
    },
    /// The request is carried out at once and its answer held back this long: a change
    /// that lands before its answer (what a crash test needs).
    Late {
        ms: u64,
    },
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// A server's rate limit: a request that arrives when `per_second` requests matching
    /// the rule's target went through in the last second is refused with 429 and
    /// `Retry-After: 1` (refused requests do not count towards the limit).
    RateLimit {
        per_second: u32,
    },
    Malformed,
    Drop,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default = "default_target")]
    pub target: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    #[serde(default = "default_rate")]
    pub rate: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

fn default_target() -> String {
    "all".into()
}
fn default_rate() -> f64 {
    1.0
}

impl FaultRule {
    /// Checks a rule that came in as JSON.
    pub fn validate(&self) -> Result<(), String> {
        let t = self.target.as_str();
        if !(t == "all" || t == "hive" || t == "cerego" || ENDPOINTS.contains(&t)) {
            return Err(format!(
                "unknown target \"{t}\"; use all, hive, cerego or one of {}",
                ENDPOINTS.join(", ")
            ));
        }
        if self.times == Some(0) {
            return Err("a count of 0 would never apply; leave *TIMES out for no limit".into());
        }
        if !(0.0..=1.0).contains(&self.rate) || self.rate.is_nan() {
            return Err(format!("rate {} is not between 0 and 1", self.rate));
        }
        match self.kind {
            FaultKind::Status { status, .. } if !(400..=599).contains(&status) => Err(format!(
                "status {status} is not an error status (400 to 599)"
            )),
            FaultKind::Latency { ms } | FaultKind::Late { ms } if ms > 600_000 => {
                Err(format!("latency {ms} ms is over the 600000 ms limit"))
            }
            FaultKind::RateLimit { per_second: 0 } => {
                Err("a rate limit of 0 refuses everything; use 429 for that".into())
            }
            _ => Ok(()),
        }
    }

    /// Whether the rule covers this endpoint.
    pub fn matches(&self, endpoint: &str) -> bool {
        match self.target.as_str() {
            "all" => true,
            "hive" => endpoint.starts_with("hive."),
            "cerego" => endpoint.starts_with("cerego."),
            t => t == endpoint,
        }
    }
}

impl FromStr for FaultRule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (target, rest) = s
            .split_once(':')
            .ok_or_else(|| format!("\"{s}\": expected TARGET:KIND, e.g. hive.add:503"))?;
        let (rest, times) = match rest.split_once('*') {
            Some((r, n)) => (
                r,
                Some(
                    n.parse::<u32>()
                        .map_err(|_| format!("\"{s}\": *{n} is not a count"))?,
                ),
            ),
            None => (rest, None),
        };
        let (kind, rate) = match rest.split_once('@') {
            Some((k, r)) => (
                k,
                r.parse::<f64>()
                    .map_err(|_| format!("\"{s}\": @{r} is not a rate between 0 and 1"))?,
            ),
            None => (rest, 1.0),
        };
        let (name, arg) = match kind.split_once('=') {
            Some((n, a)) => (n, Some(a)),
            None => (kind, None),
        };
        let number = |a: Option<&str>, what: &str| -> Result<Option<u64>, String> {
            a.map(|a| {
                a.parse::<u64>()
                    .map_err(|_| format!("\"{s}\": {what} \"{a}\" is not a whole number"))
            })
            .transpose()
        };
        let kind = match name {
            "latency" => FaultKind::Latency {
                ms: number(arg, "latency")?
                    .ok_or_else(|| format!("\"{s}\": latency needs milliseconds, e.g. latency=500"))?,
            },
            "late" => FaultKind::Late {
                ms: number(arg, "late")?
                    .ok_or_else(|| format!("\"{s}\": late needs milliseconds, e.g. late=500"))?,
            },
            "rate_limit" => FaultKind::RateLimit {
                per_second: number(arg, "rate limit")?
                    .ok_or_else(|| {
                        format!("\"{s}\": rate_limit needs requests per second, e.g. rate_limit=20")
                    })?
                    .try_into()
                    .map_err(|_| format!("\"{s}\": the rate limit is too large"))?,
            },
            "malformed" => FaultKind::Malformed,
            "drop" => FaultKind::Drop,
            code => FaultKind::Status {
                status: code.parse::<u16>().map_err(|_| {
                    format!(
                        "\"{s}\": unknown fault \"{code}\"; use latency=MS, late=MS, a status such as 503, rate_limit=N, malformed or drop"
                    )
                })?,
                retry_after: number(arg, "Retry-After")?,
            },
        };
        let rule = FaultRule {
            target: target.to_string(),
            kind,
            rate,
            times,
        };
        rule.validate().map_err(|e| format!("\"{s}\": {e}"))?;
        Ok(rule)
    }
}

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.target)?;
        match &self.kind {
            FaultKind::Latency { ms } => write!(f, "latency={ms}")?,
            FaultKind::Late { ms } => write!(f, "late={ms}")?,
            FaultKind::Status {
                status,
                retry_after: Some(secs),
            } => write!(f, "{status}={secs}")?,
            FaultKind::Status { status, .. } => write!(f, "{status}")?,
            FaultKind::RateLimit { per_second } => write!(f, "rate_limit={per_second}")?,
            FaultKind::Malformed => write!(f, "malformed")?,
            FaultKind::Drop => write!(f, "drop")?,
        }
        if self.rate < 1.0 {
            write!(f, "@{}", self.rate)?;
        }
        if let Some(n) = self.times {
            write!(f, "*{n}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let r: FaultRule = "hive.add:503*1".parse().unwrap();
        assert_eq!(
            r.kind,
            FaultKind::Status {
                status: 503,
                retry_after: None
            }
        );
        assert_eq!(r.times, Some(1));
        let r: FaultRule = "cerego:429=2@0.3".parse().unwrap();
        assert_eq!(
            r.kind,
            FaultKind::Status {
                status: 429,
                retry_after: Some(2)
            }
        );
        assert_eq!(r.rate, 0.3);
        assert_eq!(r.to_string(), "cerego:429=2@0.3");
        let r: FaultRule = "hive:latency=800".parse().unwrap();
        assert_eq!(r.kind, FaultKind::Latency { ms: 800 });
        assert_eq!(
            "all:drop@0.1".parse::<FaultRule>().unwrap().kind,
            FaultKind::Drop
        );
        assert_eq!(
            "all:malformed".parse::<FaultRule>().unwrap().to_string(),
            "all:malformed"
        );
        let r: FaultRule = "hive:rate_limit=150".parse().unwrap();
        assert_eq!(r.kind, FaultKind::RateLimit { per_second: 150 });
        assert_eq!(r.to_string(), "hive:rate_limit=150");
        let json: FaultRule =
            serde_json::from_str(r#"{"target":"hive","kind":"rate_limit","per_second":150}"#)
                .unwrap();
        assert_eq!(json, r, "the control API's JSON says the same");
    }

    #[test]
    fn rejects_nonsense_with_a_reason() {
        for (spec, needle) in [
            ("hive", "TARGET:KIND"),
            ("moon:503", "unknown target"),
            ("hive:200", "not an error status"),
            ("hive:latency", "needs milliseconds"),
            ("hive:503@2", "not between 0 and 1"),
            ("hive:teapot", "unknown fault"),
            ("hive:503*x", "not a count"),
            ("hive:rate_limit", "needs requests per second"),
            ("hive:rate_limit=0", "refuses everything"),
            ("hive:rate_limit=x", "not a whole number"),
        ] {
            let err = spec.parse::<FaultRule>().unwrap_err();
            assert!(err.contains(needle), "{spec}: {err}");
        }
    }
}
