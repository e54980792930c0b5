//! A plan written to a file to be approved and applied later (`--plan-out`, `tagdesk plan`,
//! `tagdesk apply`): the digests that tell whether its rows were edited and whether what
//! tagdesk knows of the patrons and users it touches changed since it was made.
//!
//! Pure: the caller reads the files and the partner's users; this module decides. A process
//! aid and an audit trail, not a security boundary: anyone who can edit the file can edit
//! its rows and recompute the digests.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::PlanRow;
use crate::core::model::KnownState;
use crate::core::op::Op;

/// Who made a batch's plan and who approved it, as the batch header and the plan file
/// record them (each absent for a batch made without a plan file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAudit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<DateTime<Utc>>,
}

/// One approval recorded in a plan file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub by: String,
    pub at: DateTime<Utc>,
    /// The rows it approved (the plan's `rows_digest` then).
    pub rows_digest: String,
}

/// The first approval of `rows_digest` by someone other than `author`: the one that counts
/// for `require_approval`. An author's approval of their own plan is recorded, not counted.
pub fn counting_approval<'a>(
    approvals: &'a [Approval],
    author: &str,
    rows_digest: &str,
) -> Option<&'a Approval> {
    approvals
        .iter()
        .find(|a| a.rows_digest == rows_digest && !same_person(&a.by, author))
}

/// Names compared as people type them: case and surrounding spaces ignored.
pub fn same_person(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Why `name` cannot name an operator or an approver: empty, over 100 characters, or with
/// control characters.
pub fn check_name(name: &str) -> Result<(), String> {
    let n = name.trim();
    if n.is_empty() {
        return Err("a name cannot be empty".into());
    }
    if n.chars().count() > 100 {
        return Err("a name is at most 100 characters".into());
    }
    if n.chars().any(char::is_control) {
        return Err("a name cannot hold control characters (tabs, newlines, escapes)".into());
    }
    Ok(())
}

/// What a row acts on, as a plan file names it: `patron ID`, `user ID`, or `tag ID` (a
/// Cerego update known only by its tag, an undo's).
pub fn subject_of(row: &PlanRow) -> Option<String> {
    if let Some(w) = &row.want {
        return Some(format!("user {}", w.user));
    }
    match &row.op {
        Op::HiveAdd { patron, .. } | Op::HiveRemove { patron, .. } => {
            Some(format!("patron {patron}"))
        }
        Op::CeregoAdd { user, .. } | Op::CeregoSet { user, .. } => Some(format!("user {user}")),
        Op::CeregoUpdate { tag, .. } => Some(format!("tag {tag}")),
        Op::CeregoListUsers { .. } | Op::CeregoProfile | Op::Raw(_) => None,
    }
}

/// The Cerego users the rows name (their ids), for reading their current tags.
pub fn cerego_users(rows: &[PlanRow]) -> Vec<String> {
    let mut ids: Vec<String> = rows
        .iter()
        .filter_map(subject_of)
        .filter_map(|s| s.strip_prefix("user ").map(str::to_string))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The digest of the rows: the SHA-256 of their canonical JSON (serde's field order, no
/// spaces), so reformatting the file changes nothing and editing any row does.
pub fn rows_digest(rows: &[PlanRow]) -> String {
    sha256_hex(&serde_json::to_vec(rows).unwrap_or_default())
}

/// What tagdesk knows of one subject, as the text its digest is taken over: a patron's
/// tags (sorted) and whether they are its whole set; a user's tags (type, id and value,
/// sorted); `unknown` when tagdesk knows nothing of it.
fn known_text(subject: &str, known: &KnownState) -> String {
    if let Some(id) = subject.strip_prefix("patron ") {
        let Some(p) = known.hive.patrons().iter().find(|p| p.id.as_str() == id) else {
            return "unknown".into();
        };
        let mut tags: Vec<&str> = p.tags.iter().map(|t| t.api_field.as_str()).collect();
        tags.sort_unstable();
        tags.dedup();
        // Fields confirmed absent count too (an older plan file, made before they were
        // known, digests a patron without them the same way).
        let mut absent: Vec<&str> = p.absent.iter().map(String::as_str).collect();
        absent.sort_unstable();
        absent.dedup();
        let absent = if absent.is_empty() {
            String::new()
        } else {
            format!(" absent={}", absent.join(","))
        };
        return format!("complete={} tags={}{absent}", p.complete, tags.join(","));
    }
    if let Some(id) = subject.strip_prefix("user ") {
        let Some(u) = known.cerego.user(id) else {
            return "unknown".into();
        };
        let mut tags: Vec<String> = u
            .tags
            .iter()
            .map(|t| {
                format!(
                    "{}\u{1f}{}\u{1f}{}",
                    t.tag_type_id.unwrap_or(""),
                    t.id,
                    t.value.unwrap_or("")
                )
            })
            .collect();
        tags.sort();
        return tags.join("\u{1e}");
    }
    if let Some(id) = subject.strip_prefix("tag ") {
        return known
            .cerego
            .tag_value(id, None)
            .unwrap_or_else(|| "unknown".into());
    }
    "unknown".into()
}

/// The digest of what `known` says of each subject the rows touch (and only those).
pub fn subject_digests(rows: &[PlanRow], known: &KnownState) -> BTreeMap<String, String> {
    rows.iter()
        .filter_map(subject_of)
        .map(|s| {
            let d = sha256_hex(known_text(&s, known).as_bytes());
            (s, d)
        })
        .collect()
}

/// One digest over every subject's digest (`subject\tdigest\n`, sorted by subject).
pub fn known_digest(subjects: &BTreeMap<String, String>) -> String {
    let mut text = String::new();
    for (s, d) in subjects {
        text.push_str(s);
        text.push('\t');
        text.push_str(d);
        text.push('\n');
    }
    sha256_hex(text.as_bytes())
}

/// The subjects whose digest differs between `then` and `now` (or is missing from either).
pub fn changed_subjects(
    then: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut out: Vec<String> = then
        .iter()
        .filter(|(s, d)| now.get(*s) != Some(*d))
        .map(|(s, _)| s.clone())
        .collect();
    out.extend(now.keys().filter(|s| !then.contains_key(*s)).cloned());
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::{ApiField, PatronId};
    use crate::core::model::{KnownPatron, KnownState};

    fn add(patron: &str, fields: &[&str]) -> PlanRow {
        PlanRow::of(
            Op::HiveAdd {
                patron: PatronId::parse(patron).unwrap(),
                fields: fields.iter().map(|f| ApiField::parse(f).unwrap()).collect(),
            },
            2,
        )
    }

    fn known(patrons: &[(&str, &[&str])]) -> KnownState {
        KnownState::with_patrons(
            patrons
                .iter()
                .map(|(id, tags)| {
                    let tags: Vec<ApiField> =
                        tags.iter().map(|t| ApiField::parse(t).unwrap()).collect();
                    KnownPatron::from_seed(PatronId::parse(id).unwrap(), &tags)
                })
                .collect(),
        )
    }

    #[test]
    fn the_rows_digest_changes_with_any_row_and_not_with_formatting() {
        let rows = vec![add("p1", &["vip"]), add("p2", &["beta"])];
        let d = rows_digest(&rows);
        assert_eq!(d.len(), 64);
        // The same rows read back from a reformatted file: the same digest.
        let pretty = serde_json::to_string_pretty(&rows).unwrap();
        let back: Vec<PlanRow> = serde_json::from_str(&pretty).unwrap();
        assert_eq!(rows_digest(&back), d);
        let mut edited = rows.clone();
        edited[1] = add("p2", &["admin"]);
        assert_ne!(rows_digest(&edited), d, "an edited tag is seen");
        assert_ne!(rows_digest(&rows[..1]), d, "a removed row is seen");
    }

    #[test]
    fn the_known_digest_covers_only_the_subjects_touched_and_names_who_changed() {
        let rows = vec![add("p1", &["vip"]), add("p2", &["beta"])];
        let before = known(&[("p1", &["a"]), ("p2", &[]), ("p3", &["x"])]);
        let then = subject_digests(&rows, &before);
        assert_eq!(
            then.keys().collect::<Vec<_>>(),
            ["patron p1", "patron p2"],
            "p3 is not in the plan"
        );
        // A patron the plan does not touch changes: nothing is stale.
        let other = known(&[("p1", &["a"]), ("p2", &[]), ("p3", &["y"])]);
        let now = subject_digests(&rows, &other);
        assert_eq!(known_digest(&now), known_digest(&then));
        assert!(changed_subjects(&then, &now).is_empty());
        // Tag order does not matter; a tag more on p2 does.
        let changed = known(&[("p1", &["a"]), ("p2", &["new"])]);
        let now = subject_digests(&rows, &changed);
        assert_ne!(known_digest(&now), known_digest(&then));
        assert_eq!(changed_subjects(&then, &now), ["patron p2"]);
        // A patron tagdesk forgot is a change too.
        let forgotten = known(&[("p2", &[])]);
        let now = subject_digests(&rows, &forgotten);
        assert_eq!(changed_subjects(&then, &now), ["patron p1"]);
    }

    #[test]
    fn only_another_persons_approval_of_these_rows_counts() {
        let at = Utc::now();
        let a = |by: &str, d: &str| Approval {
            by: by.into(),
            at,
            rows_digest: d.into(),
        };
        let approvals = vec![a("Alice", "d1"), a("bob", "old")];
        assert!(counting_approval(&approvals, " alice ", "d1").is_none());
        assert!(counting_approval(&approvals, "alice", "d2").is_none());
        let more = vec![a("alice", "d1"), a("bob", "d1")];
        assert_eq!(counting_approval(&more, "alice", "d1").unwrap().by, "bob");
    }

    #[test]
    fn names_are_printable_and_short() {
        assert!(check_name("Dana Q.").is_ok());
        assert!(check_name("  ").is_err());
        assert!(check_name("a\u{1b}[31m").is_err());
        assert!(check_name(&"x".repeat(101)).is_err());
        assert!(check_name(&"é".repeat(100)).is_ok());
    }
}
