//! The simulated Hive user_tags API: strict about requests, faithful in its answers.

use std::collections::{BTreeMap, HashSet};

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use super::seed::HiveSeed;
use crate::core::domain::HiveTag;
use crate::core::op::scenario::{HiveAction, Scenario};

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
    pub patrons: BTreeMap<String, Vec<String>>,
}

impl HiveState {
    pub fn from_seed(seed: &HiveSeed) -> Self {
        Self {
            catalogue: seed.tags.clone(),
            patrons: seed
                .patrons
                .iter()
                .map(|p| {
                    (
                        p.id.to_string(),
                        p.tags.iter().map(|t| t.to_string()).collect(),
                    )
                })
                .collect(),
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
        if action == HiveAction::Remove && !self.patrons.contains_key(&patron) {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_PATRON",
                INVALID_PATRON_MESSAGE,
            );
        }
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
        let tags = self.patrons.entry(patron.clone()).or_default();
        let mut present: HashSet<String> = tags.iter().cloned().collect();
        for (field, defined) in fields.into_iter().zip(defined) {
            if !defined {
                failed.push(json!({"api_field": field, "error": UNKNOWN_FIELD_ERROR}));
                continue;
            }
            match action {
                HiveAction::Add if present.contains(&field) => unchanged.push(field),
                HiveAction::Add => {
                    present.insert(field.clone());
                    tags.push(field.clone());
                    changed.push(field);
                }
                HiveAction::Remove if present.remove(&field) => changed.push(field),
                HiveAction::Remove => unchanged.push(field),
            }
        }
        if action == HiveAction::Remove && !changed.is_empty() {
            tags.retain(|t| present.contains(t));
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
        assert_eq!(s.patrons["fresh"], ["vip", "escalated"]);
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
        assert!(s.patrons["bulk"].is_empty());
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
}
