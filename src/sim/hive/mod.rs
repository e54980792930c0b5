//! The simulated Hive user_tags API: strict about requests, faithful in its answers.

mod patrons;

use std::collections::HashSet;

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use super::seed::HiveSeed;
use crate::core::domain::HiveTag;
use crate::core::op::scenario::{HiveAction, Scenario};
pub use patrons::{Patrons, SYNTHETIC_PATRON_PREFIX};

/// The reason given in `failed` for an api_field the application does not define.
pub const UNKNOWN_FIELD_ERROR: &str = "Tag api_field does not exist in application.";
/// The INVALID_PATRON message (remove only).
pub const INVALID_PATRON_MESSAGE: &str = "No patron matches the provided patron_id.";
/// The INVALID_API_KEY message.
pub const INVALID_KEY_MESSAGE: &str = "No application matches the provided API key.";

#[derive(Debug, Clone, Serialize)]
pub struct HiveState {
    pub catalogue: Vec<HiveTag>,
    /// patron id → api_fields, in the order they were added.
    pub patrons: Patrons,
}

impl HiveState {
    pub fn from_seed(seed: &HiveSeed) -> Self {
        Self {
            catalogue: seed.tags.clone(),
            patrons: Patrons::from_seed(seed),
        }
    }

    /// Handles the body of an add or remove request and returns the status and JSON body.
    pub fn handle(&mut self, action: HiveAction, body: &[u8]) -> (StatusCode, Value) {
        let (patron, fields) = match parse_request(body) {
            Ok(parsed) => parsed,
            Err(message) => return error(StatusCode::BAD_REQUEST, "PARAM_REQUIRED", &message),
        };
        let (changed_key, unchanged_key) = match action {
            HiveAction::Add => ("added_tag_ids", "pre_existing_tag_ids"),
            HiveAction::Remove => ("removed_tag_ids", "non_existent_tag_ids"),
        };

        let mut changed = Vec::new();
        let mut unchanged = Vec::new();
        let mut failed = Vec::new();
        // Sets, so that a request costs time in proportion to its size, whatever the size.
        let catalogue: HashSet<&str> = self
            .catalogue
            .iter()
            .map(|t| t.api_field.as_str())
            .collect();
        let defined: Vec<bool> = fields
            .iter()
            .map(|f| catalogue.contains(f.as_str()))
            .collect();
        // Add creates an unknown patron before applying tags (even if every tag then fails).
        let Some(entry) = self.patrons.entry(&patron, action == HiveAction::Add) else {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_PATRON",
                INVALID_PATRON_MESSAGE,
            );
        };
        let mut present: HashSet<u32> = entry.tags.iter().copied().collect();
        for (field, defined) in fields.into_iter().zip(defined) {
            if !defined {
                failed.push(json!({"api_field": field, "error": UNKNOWN_FIELD_ERROR}));
                continue;
            }
            match action {
                HiveAction::Add => {
                    let id = entry.fields.intern(&field);
                    if present.insert(id) {
                        entry.tags.push(id);
                        changed.push(field);
                    } else {
                        unchanged.push(field);
                    }
                }
                HiveAction::Remove => match entry.fields.find(&field) {
                    Some(id) if present.remove(&id) => changed.push(field),
                    _ => unchanged.push(field),
                },
            }
        }
        if action == HiveAction::Remove && !changed.is_empty() {
            entry.tags.retain(|t| present.contains(t));
        }
        let scenario = Scenario::from_counts(action, changed.len(), unchanged.len(), failed.len());
        // parse_request guarantees at least one api_field, so one array is non-empty.
        let message = scenario.documented_message().unwrap_or_default();
        (
            StatusCode::OK,
            json!({
                "message": message,
                "patron_id": patron,
                changed_key: changed,
                unchanged_key: unchanged,
                "failed": failed,
            }),
        )
    }
}

/// The Hive error body.
pub fn error(status: StatusCode, code: &str, message: &str) -> (StatusCode, Value) {
    (
        status,
        json!({
            "error": true,
            "status": status.as_u16(),
            "error_code": code,
            "message": message,
            "show_alert": false,
        }),
    )
}

/// Validates a request body: a patron id and at least one usable api_field (trimmed,
/// de-duplicated, request order kept).
fn parse_request(body: &[u8]) -> Result<(String, Vec<String>), String> {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(obj) = json.as_object() else {
        return Err("patron_id is required.".into());
    };
    let patron = match obj.get("patron_id") {
        None | Some(Value::Null) => return Err("patron_id is required.".into()),
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err("patron_id is required.".into());
        }
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err("patron_id must be a string.".into()),
    };
    let items = match obj.get("user_tags_api_fields") {
        None | Some(Value::Null) => return Err("user_tags_api_fields is required.".into()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err("user_tags_api_fields must be an array of strings.".into());
        }
    };
    let mut fields: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for item in items {
        if let Value::String(s) = item {
            let s = s.trim();
            if !s.is_empty() && seen.insert(s) {
                fields.push(s.to_string());
            }
        }
    }
    if fields.is_empty() {
        return Err("user_tags_api_fields is required.".into());
    }
    Ok((patron, fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::seed::Seed;

    fn state() -> HiveState {
        HiveState::from_seed(&Seed::demo().hive)
    }

    fn call(s: &mut HiveState, action: HiveAction, body: Value) -> (u16, Value) {
        let (status, v) = s.handle(action, body.to_string().as_bytes());
        (status.as_u16(), v)
    }

    #[test]
    fn the_documented_example() {
        let mut s = state();
        let (status, v) = call(
            &mut s,
            HiveAction::Add,
            json!({"patron_id": "user_abc123", "user_tags_api_fields": ["vip", "newsletter"]}),
        );
        assert_eq!(status, 200);
        assert_eq!(
            v,
            json!({
                "message": "Successfully added tags to patron. Some tags may already exist on patron.",
                "patron_id": "user_abc123",
                "added_tag_ids": ["vip"],
                "pre_existing_tag_ids": ["newsletter"],
                "failed": []
            })
        );
    }

    #[test]
    fn duplicates_blanks_and_order() {
        let mut s = state();
        let (_, v) = call(
            &mut s,
            HiveAction::Add,
            json!({"patron_id": "fresh", "user_tags_api_fields": [" vip ", "", "escalated", "vip", 5]}),
        );
        assert_eq!(v["added_tag_ids"], json!(["vip", "escalated"]));
        assert_eq!(s.patrons.get("fresh"), Some(vec!["vip", "escalated"]));
        let (status, v) = call(
            &mut s,
            HiveAction::Add,
            json!({"patron_id": "fresh", "user_tags_api_fields": ["  ", ""]}),
        );
        assert_eq!(status, 400);
        assert_eq!(v["message"], "user_tags_api_fields is required.");
    }

    #[test]
    fn param_required_names_the_field() {
        let mut s = state();
        let cases = [
            (json!({}), "patron_id is required."),
            (
                json!({"patron_id": null, "user_tags_api_fields": ["vip"]}),
                "patron_id is required.",
            ),
            (
                json!({"patron_id": 12, "user_tags_api_fields": ["vip"]}),
                "patron_id must be a string.",
            ),
            (
                json!({"patron_id": "p"}),
                "user_tags_api_fields is required.",
            ),
            (
                json!({"patron_id": "p", "user_tags_api_fields": []}),
                "user_tags_api_fields is required.",
            ),
            (
                json!({"patron_id": "p", "user_tags_api_fields": "vip"}),
                "user_tags_api_fields must be an array of strings.",
            ),
        ];
        for (body, message) in cases {
            let (status, v) = call(&mut s, HiveAction::Add, body.clone());
            assert_eq!(status, 400, "{body}");
            assert_eq!(v["error_code"], "PARAM_REQUIRED");
            assert_eq!(v["message"], message, "{body}");
        }
        let (status, v) = s.handle(HiveAction::Remove, b"not json");
        assert_eq!(
            (status.as_u16(), v["error_code"].as_str()),
            (400, Some("PARAM_REQUIRED"))
        );
    }

    #[test]
    fn many_fields_cost_time_in_proportion() {
        // 100,000 api_fields, half known, many repeated: handled in one linear pass.
        let mut s = state();
        let fields: Vec<String> = (0..100_000usize)
            .map(|i| match i % 4 {
                0 => "vip".to_string(),
                1 => format!("unknown_{}", i % 5000),
                _ => format!("f{i}"),
            })
            .collect();
        let (status, v) = call(
            &mut s,
            HiveAction::Add,
            json!({"patron_id": "bulk", "user_tags_api_fields": fields}),
        );
        assert_eq!(status, 200);
        assert_eq!(v["added_tag_ids"], json!(["vip"]));
        let distinct_unknown: HashSet<&String> =
            fields.iter().filter(|f| f.as_str() != "vip").collect();
        assert_eq!(
            v["failed"].as_array().unwrap().len(),
            distinct_unknown.len(),
            "each unknown api_field once"
        );
        let (_, v) = call(
            &mut s,
            HiveAction::Remove,
            json!({"patron_id": "bulk", "user_tags_api_fields": ["vip", "vip", "newsletter"]}),
        );
        assert_eq!(v["removed_tag_ids"], json!(["vip"]));
        assert_eq!(v["non_existent_tag_ids"], json!(["newsletter"]));
        assert_eq!(s.patrons.get("bulk"), Some(vec![]));
    }

    #[test]
    fn remove_needs_an_existing_patron_but_add_creates_one() {
        let mut s = state();
        let (status, v) = call(
            &mut s,
            HiveAction::Remove,
            json!({"patron_id": "ghost", "user_tags_api_fields": ["vip"]}),
        );
        assert_eq!(status, 400);
        assert_eq!(v["error_code"], "INVALID_PATRON");
        assert!(!s.patrons.contains_key("ghost"));
        let (_, v) = call(
            &mut s,
            HiveAction::Add,
            json!({"patron_id": "ghost", "user_tags_api_fields": ["no_such_tag"]}),
        );
        assert_eq!(v["message"], "No tags were added. All tags failed to add.");
        assert_eq!(
            v["failed"],
            json!([{"api_field": "no_such_tag", "error": UNKNOWN_FIELD_ERROR}])
        );
        assert!(s.patrons.contains_key("ghost"), "add creates the patron");
    }

    #[test]
    fn synthetic_patrons_answer_like_any_other_and_show_in_id_order() {
        let mut seed = Seed::demo();
        seed.add_synthetic(0, 12);
        let mut s = HiveState::from_seed(&seed.hive);
        assert_eq!(s.patrons.len(), 24 + 12);
        let held: Vec<String> = s
            .patrons
            .get("synth_3")
            .unwrap()
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(held.len(), 3);
        let (status, v) = call(
            &mut s,
            HiveAction::Remove,
            json!({"patron_id": "synth_3", "user_tags_api_fields": [held[0], "vip"]}),
        );
        assert_eq!(status, 200);
        assert_eq!(v["removed_tag_ids"], json!([held[0]]));
        assert_eq!(s.patrons.get("synth_3").unwrap(), held[1..]);
        // Gone (a setup step), then created again by an add.
        s.patrons.remove("synth_5");
        assert!(!s.patrons.contains_key("synth_5"));
        assert_eq!(s.patrons.len(), 24 + 11);
        let (status, v) = call(
            &mut s,
            HiveAction::Remove,
            json!({"patron_id": "synth_5", "user_tags_api_fields": ["vip"]}),
        );
        assert_eq!(
            (status, v["error_code"].as_str()),
            (400, Some("INVALID_PATRON"))
        );
        call(
            &mut s,
            HiveAction::Add,
            json!({"patron_id": "synth_5", "user_tags_api_fields": ["vip"]}),
        );
        assert_eq!(s.patrons.get("synth_5"), Some(vec!["vip"]));
        s.patrons.insert("synth_6", &["escalated".to_string()]);
        assert_eq!(s.patrons.get("synth_6"), Some(vec!["escalated"]));
        assert_eq!(s.patrons.len(), 24 + 12);
        // Not synthetic: another number, leading zeros, past the last one.
        for id in ["synth_05", "synth_12", "synth_"] {
            assert!(!s.patrons.contains_key(id), "{id}");
        }
        let shown = serde_json::to_value(&s.patrons).unwrap();
        let keys: Vec<&String> = shown.as_object().unwrap().keys().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "ordered by id, as a map of them would be");
        assert_eq!(keys.len(), 36);
        assert_eq!(shown["synth_5"], json!(["vip"]));
    }
}
