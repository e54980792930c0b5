//! What a Hive add or remove answered: the outcome message and the per-tag arrays, read
//! leniently from whatever shape the server sent.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::scenario::{HiveAction, MessageCheck, Scenario};

/// A Hive outcome taken apart (see [`HiveOutcome::breakdown`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown {
    /// The documented scenario, in words ("some tags added, some already there").
    pub scenario: &'static str,
    /// The changed array's name and its api_fields (`(none)` when empty).
    pub changed: (&'static str, String),
    /// The unchanged array's name and its api_fields.
    pub unchanged: (&'static str, String),
    /// Each failed api_field with the server's reason.
    pub failed: Vec<(String, String)>,
    /// The server's message, verbatim.
    pub message: Option<String>,
    /// What the documentation says for this scenario, if anything.
    pub documented: Option<&'static str>,
    pub check: MessageCheck,
}

/// One entry of `failed`: the api_field and, when the server gave one, the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedTag {
    pub api_field: String,
    pub reason: Option<String>,
}

/// A Hive add or remove response, kept verbatim where it matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiveOutcome {
    pub action: HiveAction,
    /// The server's message, exactly as sent (None if the field was missing).
    pub message: Option<String>,
    pub patron_id: Option<String>,
    /// `added_tag_ids` or `removed_tag_ids`.
    pub changed: Vec<String>,
    /// `pre_existing_tag_ids` or `non_existent_tag_ids`.
    pub unchanged: Vec<String>,
    pub failed: Vec<FailedTag>,
    /// Response fields the documentation promises that were absent (the client is lenient,
    /// but says so).
    pub missing_fields: Vec<String>,
    /// Tags the reply named that the request did not ask for: left out of the arrays above,
    /// shown, and never undone (see [`HiveOutcome::confine`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
    /// The reply's `patron_id` when it names another patron than the request's: the arrays
    /// are then not this patron's, and are left empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign_patron: Option<String>,
}

impl HiveOutcome {
    pub fn scenario(&self) -> Scenario {
        Scenario::from_counts(
            self.action,
            self.changed.len(),
            self.unchanged.len(),
            self.failed.len(),
        )
    }

    /// One line for the log and the journal: the server's message verbatim, or what the
    /// arrays say when there is no message — then what tagdesk set aside (a reply for
    /// another patron, tags the request did not name).
    pub fn summary(&self) -> String {
        let mut out = match &self.message {
            Some(m) => m.clone(),
            None => format!(
                "(no message) {} changed, {} unchanged, {} failed",
                self.changed.len(),
                self.unchanged.len(),
                self.failed.len()
            ),
        };
        if let Some(note) = self.set_aside() {
            out.push_str(" · ");
            out.push_str(&note);
        }
        out
    }

    /// What tagdesk did not take from the reply, in words (None: it took everything).
    pub fn set_aside(&self) -> Option<String> {
        if let Some(other) = &self.foreign_patron {
            return Some(format!(
                "the reply is for patron {other:?}, not this one: its arrays are ignored and \
                 the outcome is unknown"
            ));
        }
        (!self.extra.is_empty()).then(|| {
            format!(
                "ignored: the reply also named {}, which the request did not ask for",
                self.extra.join(", ")
            )
        })
    }

    /// The server's message against the documented one — and a reply for another patron is
    /// a MISMATCH, one naming tags the request did not ask for is UNDOCUMENTED, whatever it
    /// says.
    pub fn message_check(&self) -> MessageCheck {
        if self.foreign_patron.is_some() {
            return MessageCheck::Mismatch;
        }
        if !self.extra.is_empty() {
            return MessageCheck::Undocumented;
        }
        self.scenario().check(self.message.as_deref())
    }

    /// The outcome small enough to journal whatever the server sent: the message and each
    /// failure's reason cut to [`KEPT_TEXT_BYTES`], at most [`KEPT_EXTRA`] extra names (the
    /// arrays are already confined to the request's own tags).
    pub fn compact(&self) -> Self {
        let mut o = self.clone();
        o.message = o.message.map(|m| cut_text(&m));
        for f in &mut o.failed {
            f.api_field = cut_text(&f.api_field);
            f.reason = f.reason.take().map(|r| cut_text(&r));
        }
        if o.extra.len() > KEPT_EXTRA {
            let more = o.extra.len() - KEPT_EXTRA;
            o.extra.truncate(KEPT_EXTRA);
            o.extra.push(format!("… and {more} more"));
        }
        o.extra = o.extra.iter().map(|e| cut_text(e)).collect();
        o
    }

    /// [`Self::confine`] to what `op` (a Hive add or remove) asked; other Ops leave it as
    /// it is.
    pub fn confine_to(self, op: &super::Op) -> Self {
        if let super::Op::HiveAdd { patron, fields } | super::Op::HiveRemove { patron, fields } = op
        {
            let asked: Vec<String> = fields.iter().map(ToString::to_string).collect();
            self.confine(patron.as_str(), &asked)
        } else {
            self
        }
    }

    /// Keeps only what the reply says about the request: the tags it asked for, for the
    /// patron it named. Names outside `asked` in the changed and unchanged arrays move to
    /// `extra`; a `patron_id` naming someone
    /// else empties the arrays and is kept in `foreign_patron`. Undo, the counts and the
    /// known state read only what is left.
    pub fn confine(mut self, patron: &str, asked: &[String]) -> Self {
        if let Some(id) = &self.patron_id
            && id != patron
        {
            self.foreign_patron = Some(id.clone());
            self.extra.clear();
            self.changed.clear();
            self.unchanged.clear();
            self.failed.clear();
            return self;
        }
        let mut extra = Vec::new();
        let mut keep = |list: &mut Vec<String>| {
            list.retain(|t| {
                let ok = asked.iter().any(|a| a == t);
                if !ok && !extra.contains(t) {
                    extra.push(t.clone());
                }
                ok
            });
        };
        // `failed` is kept whole: a failure changes nothing, so it is never undone, and an
        // entry in a shape that names no api_field is still the server's word.
        keep(&mut self.changed);
        keep(&mut self.unchanged);
        for t in extra {
            if !self.extra.contains(&t) {
                self.extra.push(t);
            }
        }
        self
    }

    /// The outcome taken apart, as plain text: the CLI prints it and the inspector styles
    /// it, so both say the same words.
    pub fn breakdown(&self) -> Breakdown {
        let scenario = self.scenario();
        let (changed, unchanged) = Self::array_names(self.action);
        let list = |items: &[String]| {
            if items.is_empty() {
                "(none)".to_string()
            } else {
                items.join(", ")
            }
        };
        Breakdown {
            scenario: scenario.label(),
            changed: (changed, list(&self.changed)),
            unchanged: (unchanged, list(&self.unchanged)),
            failed: self
                .failed
                .iter()
                .map(|f| {
                    let reason = f.reason.as_deref().unwrap_or("(no reason given)");
                    (f.api_field.clone(), reason.to_string())
                })
                .collect(),
            message: self.message.clone(),
            documented: scenario.documented_message(),
            check: self.message_check(),
        }
    }

    /// Names of the two arrays for this action, as the API spells them.
    pub fn array_names(action: HiveAction) -> (&'static str, &'static str) {
        match action {
            HiveAction::Add => ("added_tag_ids", "pre_existing_tag_ids"),
            HiveAction::Remove => ("removed_tag_ids", "non_existent_tag_ids"),
        }
    }

    /// Parses a 2xx body. Unknown fields are ignored; missing arrays count as empty and are
    /// listed in `missing_fields`.
    pub fn parse(action: HiveAction, body: &[u8]) -> Result<Self, String> {
        let json: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
        Self::from_value(action, &json)
    }

    /// [`Self::parse`] of a body already read as JSON (a journaled response, say).
    pub fn from_value(action: HiveAction, json: &Value) -> Result<Self, String> {
        let obj = json
            .as_object()
            .ok_or_else(|| "expected a JSON object".to_string())?;
        let (changed_key, unchanged_key) = Self::array_names(action);
        let mut missing = Vec::new();
        let mut strings = |key: &str| -> Result<Vec<String>, String> {
            match obj.get(key) {
                None | Some(Value::Null) => {
                    missing.push(key.to_string());
                    Ok(Vec::new())
                }
                Some(Value::Array(items)) => Ok(items.iter().filter_map(id_string).collect()),
                Some(other) => Err(format!("\"{key}\" should be an array, found {other}")),
            }
        };
        let changed = strings(changed_key)?;
        let unchanged = strings(unchanged_key)?;
        let failed = match obj.get("failed") {
            None | Some(Value::Null) => {
                missing.push("failed".into());
                Vec::new()
            }
            Some(Value::Array(items)) => items.iter().map(failed_entry).collect(),
            Some(other) => return Err(format!("\"failed\" should be an array, found {other}")),
        };
        let message = match obj.get("message") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => {
                missing.push("message".into());
                None
            }
            Some(other) => Some(other.to_string()),
        };
        let patron_id = obj.get("patron_id").and_then(id_string);
        if patron_id.is_none() {
            missing.push("patron_id".into());
        }
        Ok(Self {
            action,
            message,
            patron_id,
            changed,
            unchanged,
            failed,
            missing_fields: missing,
            extra: Vec::new(),
            foreign_patron: None,
        })
    }
}

/// How much of the message, a failure's reason or an extra name [`HiveOutcome::compact`]
/// keeps.
pub const KEPT_TEXT_BYTES: usize = 4096;
/// How many extra names [`HiveOutcome::compact`] keeps.
pub const KEPT_EXTRA: usize = 50;

fn cut_text(text: &str) -> String {
    if text.len() <= KEPT_TEXT_BYTES {
        return text.to_string();
    }
    let mut cut = KEPT_TEXT_BYTES;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… [cut: {} bytes in all]", &text[..cut], text.len())
}

fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A `failed` entry may be a string, or an object naming the api_field under one of several
/// keys and the reason under another (SPEC.md 2.4).
fn failed_entry(v: &Value) -> FailedTag {
    match v {
        Value::Object(map) => {
            let api_field = ["api_field", "tag", "tag_id", "id"]
                .iter()
                .find_map(|k| map.get(*k).and_then(id_string))
                .unwrap_or_else(|| v.to_string());
            let reason = ["error", "message", "reason"]
                .iter()
                .find_map(|k| match map.get(*k) {
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(Value::Null) | None => None,
                    Some(other) => Some(other.to_string()),
                });
            FailedTag { api_field, reason }
        }
        other => FailedTag {
            api_field: id_string(other).unwrap_or_else(|| other.to_string()),
            reason: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let body = br#"{
            "message": "Successfully added tags to patron. Some tags may already exist on patron.",
            "patron_id": "user_abc123",
            "added_tag_ids": ["vip"],
            "pre_existing_tag_ids": ["newsletter"],
            "failed": []
        }"#;
        let o = HiveOutcome::parse(HiveAction::Add, body).unwrap();
        assert_eq!(o.changed, ["vip"]);
        assert_eq!(o.unchanged, ["newsletter"]);
        assert!(o.failed.is_empty());
        assert!(o.missing_fields.is_empty());
        assert_eq!(o.message_check(), MessageCheck::Match);
    }

    #[test]
    fn failed_entries_in_every_shape() {
        let body = br#"{"message": "m", "patron_id": "p", "removed_tag_ids": [],
            "non_existent_tag_ids": [], "failed": [
                "plain",
                {"api_field": "a", "error": "Tag api_field does not exist in application."},
                {"tag": "b", "message": "nope"},
                {"tag_id": 7, "reason": "bad"},
                {"id": "d"},
                {"something": "else"},
                42
            ]}"#;
        let o = HiveOutcome::parse(HiveAction::Remove, body).unwrap();
        let got: Vec<(&str, Option<&str>)> = o
            .failed
            .iter()
            .map(|f| (f.api_field.as_str(), f.reason.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("plain", None),
                ("a", Some("Tag api_field does not exist in application.")),
                ("b", Some("nope")),
                ("7", Some("bad")),
                ("d", None),
                (r#"{"something":"else"}"#, None),
                ("42", None),
            ]
        );
    }

    #[test]
    fn only_the_tags_asked_for_count_and_a_foreign_patron_counts_for_nothing() {
        let body = br#"{"message": "Successfully added tags to patron.", "patron_id": "p",
            "added_tag_ids": ["vip", "admin", "newsletter"], "pre_existing_tag_ids": [],
            "failed": [{"api_field": "root", "error": "x"}]}"#;
        let asked = ["vip".to_string()];
        let o = HiveOutcome::parse(HiveAction::Add, body)
            .unwrap()
            .confine("p", &asked);
        assert_eq!(o.changed, ["vip"]);
        assert_eq!(
            o.failed.len(),
            1,
            "a failure is the server's word, never undone"
        );
        assert_eq!(o.extra, ["admin", "newsletter"]);
        assert_eq!(o.message_check(), MessageCheck::Undocumented);
        assert!(o.summary().contains("admin, newsletter"), "{}", o.summary());
        let other = HiveOutcome::parse(HiveAction::Add, body)
            .unwrap()
            .confine("q", &asked);
        assert!(other.changed.is_empty() && other.extra.is_empty());
        assert_eq!(other.foreign_patron.as_deref(), Some("p"));
        assert_eq!(other.message_check(), MessageCheck::Mismatch);
    }

    #[test]
    fn missing_arrays_are_lenient_but_reported() {
        let o = HiveOutcome::parse(HiveAction::Add, br#"{"added_tag_ids": ["x"]}"#).unwrap();
        assert_eq!(o.changed, ["x"]);
        assert_eq!(
            o.missing_fields,
            ["pre_existing_tag_ids", "failed", "message", "patron_id"]
        );
        assert_eq!(o.message_check(), MessageCheck::Mismatch);
    }

    #[test]
    fn wrong_shapes_are_decode_errors() {
        assert!(HiveOutcome::parse(HiveAction::Add, b"[1,2]").is_err());
        assert!(HiveOutcome::parse(HiveAction::Add, b"{\"added_tag_ids\": 5}").is_err());
        assert!(HiveOutcome::parse(HiveAction::Add, b"{\"message\": \"Succ").is_err());
    }

    #[test]
    fn the_breakdown_names_each_array_and_each_failure() {
        let body = br#"{"message": "Some tags were added. Some tags may already exist on patron. Some tags failed to add.",
            "patron_id": "p", "added_tag_ids": ["vip"], "pre_existing_tag_ids": [],
            "failed": [{"api_field": "bogus", "error": "Tag api_field does not exist in application."}, "x"]}"#;
        let b = HiveOutcome::parse(HiveAction::Add, body)
            .unwrap()
            .breakdown();
        assert_eq!(b.changed, ("added_tag_ids", "vip".to_string()));
        assert_eq!(b.unchanged, ("pre_existing_tag_ids", "(none)".to_string()));
        assert_eq!(
            b.failed,
            [
                (
                    "bogus".to_string(),
                    "Tag api_field does not exist in application.".to_string()
                ),
                ("x".to_string(), "(no reason given)".to_string())
            ]
        );
        assert!(b.documented.is_some());
    }
}
