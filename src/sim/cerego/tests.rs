//! The Cerego simulator's decisions, on the demo seed.

use super::*;
use crate::sim::seed::Seed;

fn state() -> CeregoState {
    CeregoState::from_seed(&Seed::demo().cerego)
}

#[test]
fn add_then_duplicate_then_update() {
    let mut s = state();
    let body = json!({"user_id": "1185304", "value": "The value of the tag"}).to_string();
    let (status, doc) = s.add_tag("3", body.as_bytes());
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(doc["data"]["type"], "partner-user-tags");
    assert_eq!(
        doc["data"]["relationships"]["partner-user-tag-type"]["data"]["id"],
        "3"
    );
    let id = doc["data"]["id"].as_str().unwrap().to_string();

    let (status, err) = s.add_tag("3", body.as_bytes());
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let detail = err["errors"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("already has a tag of type 3") && detail.contains(&id),
        "{detail}"
    );

    let (status, doc) = s.update_tag(&id, br#"{"value": "New"}"#);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["data"]["attributes"]["value"], "New");
}

#[test]
fn not_found_and_bad_request() {
    let mut s = state();
    assert_eq!(
        s.add_tag("999", br#"{"user_id": "1185304", "value": "x"}"#)
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.add_tag("3", br#"{"user_id": "1", "value": "x"}"#).0,
        StatusCode::NOT_FOUND
    );
    let (status, err) = s.add_tag("3", br#"{"user_id": "1185304", "value": "  "}"#);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["errors"][0]["detail"], "value is required.");
    let (_, err) = s.add_tag("3", br#"{"user_id": 1185304, "value": "x"}"#);
    assert_eq!(err["errors"][0]["detail"], "user_id must be a string.");
    assert_eq!(
        s.update_tag("77", br#"{"value": "x"}"#).0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.update_tag("84001", b"{}").0, StatusCode::BAD_REQUEST);
}

#[test]
fn pagination_and_query() {
    let s = state();
    let params = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let (_, p1) = s.list_users("4242", &params(&[]));
    assert_eq!(p1["data"].as_array().unwrap().len(), 25);
    assert_eq!(p1["meta"]["total-pages"], 2);
    assert_eq!(p1["meta"]["total-count"], s.user_count() - 2);
    assert!(p1["links"]["next"].is_string());
    let (_, p2) = s.list_users("4242", &params(&[("page[number]", "2")]));
    assert_eq!(
        p2["data"].as_array().unwrap().len(),
        s.user_count() - 2 - 25
    );
    assert!(p2["links"].get("next").is_none());
    let (_, q) = s.list_users("4242", &params(&[("query", "ADA.lovelace@example.edu")]));
    assert_eq!(q["data"][0]["id"], "1185304");
    assert_eq!(q["meta"]["total-count"], 1);
    let (_, q) = s.list_users("4242", &params(&[("query", "M-1001")]));
    assert_eq!(q["data"][0]["id"], "1185304");
    assert_eq!(
        s.list_users("4242", &params(&[("page[number]", "0")])).0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(s.list_users("1", &params(&[])).0, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------
// The set endpoint (SPEC §1.6): every decision.

fn set(s: &mut CeregoState, user: &str, body: Value) -> (StatusCode, Value) {
    s.set_tags(user, body.to_string().as_bytes())
}

fn snapshot(s: &CeregoState) -> Value {
    serde_json::to_value(s).unwrap()
}

/// The user's tags as (id, type, value).
fn tags_of(s: &CeregoState, user: &str) -> Vec<(u64, String, String)> {
    s.tags_of_user(user)
        .into_iter()
        .map(|t| (t.id, t.tag_type_id, t.value))
        .collect()
}

#[test]
fn set_upserts_per_type_keeping_the_id_and_leaves_other_types_alone() {
    let mut s = state();
    let before = s.tags_of_user("1185304");
    let gold = before
        .iter()
        .find(|t| t.tag_type_id == "5")
        .unwrap()
        .clone();
    let emea = before
        .iter()
        .find(|t| t.tag_type_id == "7")
        .unwrap()
        .clone();
    let next = s.next_tag_id();
    let (status, doc) = set(
        &mut s,
        "1185304",
        json!({"tags": [
            {"partner_user_tag_type_id": "5", "value": "Silver"},
            {"partner_user_tag_type_id": "3", "value": "Spring 2026"},
        ]}),
    );
    assert_eq!(status, StatusCode::OK);
    let after = s.tags_of_user("1185304");
    let plan = after.iter().find(|t| t.tag_type_id == "5").unwrap();
    assert_eq!(plan.id, gold.id, "an upsert keeps the tag's id");
    assert_eq!(plan.value, "Silver");
    assert_eq!(plan.created_at, gold.created_at);
    assert_ne!(plan.updated_at, gold.updated_at, "updated-at is now");
    assert!(after.contains(&emea), "a type not named is left alone");
    let cohort = after.iter().find(|t| t.tag_type_id == "3").unwrap();
    assert_eq!(cohort.id, next, "a type the user lacked gets a new tag");
    assert_eq!(after.len(), 3);
    // The answer: every tag of the user after the change, oldest first, each shaped as the
    // legacy tag resource.
    let data = doc["data"].as_array().unwrap();
    let ids: Vec<&str> = data.iter().map(|t| t["id"].as_str().unwrap()).collect();
    let want: Vec<String> = after.iter().map(|t| t.id.to_string()).collect();
    assert_eq!(ids, want);
    for (resource, tag) in data.iter().zip(&after) {
        assert_eq!(resource["type"], "partner-user-tags");
        assert_eq!(resource["attributes"]["value"], tag.value.as_str());
        assert_eq!(
            resource["attributes"]["created-at"],
            tag.created_at.as_str()
        );
        assert_eq!(
            resource["attributes"]["updated-at"],
            tag.updated_at.as_str()
        );
        assert_eq!(
            resource["relationships"]["user"]["data"],
            json!({"id": "1185304", "type": "users"})
        );
        assert_eq!(
            resource["relationships"]["partner-user-tag-type"]["data"],
            json!({"id": tag.tag_type_id, "type": "partner-user-tag-types"})
        );
        let (_, legacy) = s.update_tag(&tag.id.to_string(), br#"{"value": "probe"}"#);
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(resource), keys(&legacy["data"]), "the legacy shape");
    }
    assert_eq!(doc["meta"], json!({"total-pages": 1, "total-count": 3}));
}

#[test]
fn set_is_idempotent_and_the_later_of_two_entries_for_a_type_wins() {
    let mut s = state();
    let body = json!({"tags": [
        {"partner_user_tag_type_id": "9", "value": "Invited"},
        {"partner_user_tag_type_id": "9", "value": "Active"},
    ]});
    set(&mut s, "1185304", body.clone());
    let once = tags_of(&s, "1185304");
    set(&mut s, "1185304", body);
    assert_eq!(tags_of(&s, "1185304"), once, "a retry converges");
    let of_type: Vec<_> = once.iter().filter(|t| t.1 == "9").collect();
    assert_eq!(of_type.len(), 1);
    assert_eq!(of_type[0].2, "Active");
}

#[test]
fn set_refuses_a_bad_body_with_400_and_changes_nothing() {
    let mut s = state();
    let before = snapshot(&s);
    let good = json!({"partner_user_tag_type_id": "5", "value": "Silver"});
    let cases: Vec<(Value, &str)> = vec![
        (json!([good]), "The request body must be a JSON object."),
        (json!({}), "tags is required."),
        (json!({"tags": null}), "tags is required."),
        (json!({"tags": []}), "tags is required."),
        (
            json!({"tags": "5=Silver"}),
            "tags must be an array of objects.",
        ),
        (
            json!({"tags": {"5": "Silver"}}),
            "tags must be an array of objects.",
        ),
        (json!({"tags": [good, 5]}), "tags[1] must be an object."),
        (
            json!({"tags": [good, {"value": "x"}]}),
            "tags[1].partner_user_tag_type_id is required.",
        ),
        (
            json!({"tags": [{"partner_user_tag_type_id": 5, "value": "x"}]}),
            "tags[0].partner_user_tag_type_id must be a string.",
        ),
        (
            json!({"tags": [good, {"partner_user_tag_type_id": "3"}]}),
            "tags[1].value is required.",
        ),
        (
            json!({"tags": [good, {"partner_user_tag_type_id": "3", "value": ""}]}),
            "tags[1].value is required.",
        ),
        (
            json!({"tags": [good, {"partner_user_tag_type_id": "3", "value": "  "}]}),
            "tags[1].value is required.",
        ),
        (
            json!({"tags": [good, {"partner_user_tag_type_id": "3", "value": null}]}),
            "tags[1].value is required.",
        ),
        (
            json!({"tags": [{"partner_user_tag_type_id": "3", "value": 7}]}),
            "tags[0].value must be a string.",
        ),
    ];
    for (body, detail) in cases {
        let (status, err) = set(&mut s, "1185304", body.clone());
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(err["errors"][0]["status"], "400");
        assert_eq!(err["errors"][0]["detail"], detail, "{body}");
    }
    let (status, _) = s.set_tags("1185304", b"not json");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(snapshot(&s), before, "nothing changed");
}

#[test]
fn set_answers_404_for_an_unknown_user_or_tag_type_and_changes_nothing() {
    let mut s = state();
    let before = snapshot(&s);
    let body = json!({"tags": [{"partner_user_tag_type_id": "5", "value": "Silver"}]});
    let (status, err) = set(&mut s, "999", body);
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        err["errors"][0]["detail"],
        "User 999 not found in partner 4242."
    );
    // One unknown type among good entries: the good ones are not applied either.
    let (status, err) = set(
        &mut s,
        "1185304",
        json!({"tags": [
            {"partner_user_tag_type_id": "5", "value": "Silver"},
            {"partner_user_tag_type_id": "404", "value": "x"},
        ]}),
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        err["errors"][0]["detail"],
        "Partner user tag type 404 not found."
    );
    assert_eq!(snapshot(&s), before, "nothing changed");
    // The user is checked before the body.
    assert_eq!(s.set_tags("999", b"{}").0, StatusCode::NOT_FOUND);
}

#[test]
fn both_families_work_on_the_same_tags() {
    let mut s = state();
    let (_, doc) = set(
        &mut s,
        "1185304",
        json!({"tags": [{"partner_user_tag_type_id": "3", "value": "Autumn 2025"}]}),
    );
    let id = doc["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["relationships"]["partner-user-tag-type"]["data"]["id"] == "3")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, err) = s.add_tag("3", br#"{"user_id": "1185304", "value": "x"}"#);
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the set's tag is there"
    );
    assert!(err["errors"][0]["detail"].as_str().unwrap().contains(&id));
    let (status, _) = s.update_tag(&id, br#"{"value": "Summer 2026"}"#);
    assert_eq!(status, StatusCode::OK);
    let (_, doc) = set(
        &mut s,
        "1185304",
        json!({"tags": [{"partner_user_tag_type_id": "5", "value": "Gold"}]}),
    );
    let cohort = doc["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap();
    assert_eq!(cohort["attributes"]["value"], "Summer 2026");
}
