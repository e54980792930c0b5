//! The embedded simulator over real HTTP on loopback: every Hive scenario and error, the
//! Cerego endpoints, the control API, and the `tagdesk sim` binary itself.
//!
//! Each test starts its own simulator (its state is mutable), on a free port.

mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use support::{fields, partner, patron};
use tagdesk::core::domain::{CeregoUserId, PartnerId, TagId, TagTypeId, TagValue};
use tagdesk::core::op::ApiError;
use tagdesk::core::op::scenario::{HiveAction, MessageCheck};
use tagdesk::engine::api::ClientConfig;
use tagdesk::engine::api::cerego::CeregoClient;
use tagdesk::engine::api::hive::HiveClient;
use tagdesk::sim::{DEFAULT_CEREGO_KEY, DEFAULT_HIVE_KEY, SimOptions, Simulator};

const UNKNOWN_FIELD: &str = "Tag api_field does not exist in application.";

// ---------------------------------------------------------------------------------------
// Helpers

async fn start() -> Simulator {
    Simulator::start_local(SimOptions::default())
        .await
        .expect("the simulator starts on a free loopback port")
}

fn hive(sim: &Simulator) -> HiveClient {
    HiveClient::new(&ClientConfig::new(sim.base_url(), DEFAULT_HIVE_KEY)).expect("hive client")
}

fn cerego(sim: &Simulator) -> CeregoClient {
    CeregoClient::new(&ClientConfig::new(sim.base_url(), DEFAULT_CEREGO_KEY))
        .expect("cerego client")
}

fn tag_type(s: &str) -> TagTypeId {
    TagTypeId::parse(s).unwrap()
}

fn user(s: &str) -> CeregoUserId {
    CeregoUserId::parse(s).unwrap()
}

fn value(s: &str) -> TagValue {
    TagValue::parse(s).unwrap()
}

/// One raw request; the answer's status and body (`Value::Null` for a body that is not JSON).
async fn raw(
    method: Method,
    url: String,
    auth: Option<String>,
    body: Option<Vec<u8>>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    let response = request.send().await.expect("the simulator answers");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a whole body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn hive_raw(sim: &Simulator, action: &str, body: Value) -> (u16, Value) {
    raw(
        Method::POST,
        format!("{}/api/v1/user_tags/{action}", sim.base_url()),
        Some(format!("token {DEFAULT_HIVE_KEY}")),
        Some(body.to_string().into_bytes()),
    )
    .await
}

async fn cerego_raw(
    sim: &Simulator,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    raw(
        method,
        format!("{}{path}", sim.base_url()),
        Some(format!("Bearer {DEFAULT_CEREGO_KEY}")),
        body.map(|b| b.to_string().into_bytes()),
    )
    .await
}

async fn control(sim: &Simulator, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    raw(
        method,
        format!("{}/_sim/{path}", sim.base_url()),
        None,
        body.map(|b| b.to_string().into_bytes()),
    )
    .await
}

fn patron_tags(sim: &Simulator, id: &str) -> Option<Vec<String>> {
    let state = sim.state_json();
    state["hive"]["patrons"]
        .get(id)
        .map(|v| serde_json::from_value(v.clone()).expect("a list of api_fields"))
}

fn hive_error(status: u16, code: &str, message: &str) -> Value {
    json!({
        "error": true,
        "status": status,
        "error_code": code,
        "message": message,
        "show_alert": false
    })
}

// ---------------------------------------------------------------------------------------
// The fourteen Hive scenarios

struct Scenario {
    action: HiveAction,
    patron: &'static str,
    request: &'static [&'static str],
    changed: &'static [&'static str],
    unchanged: &'static [&'static str],
    failed: &'static [&'static str],
    message: &'static str,
    /// The patron's tags afterwards, in the simulator's state.
    after: &'static [&'static str],
}

// Seed: user_abc123 = [newsletter];
//       user_def456 = [newsletter, beta_tester, trusted_creator, spam_watch].
// Requests are deliberately not in alphabetical or stored order, so "arrays follow the
// request order" is actually tested.
const SCENARIOS: [Scenario; 14] = [
    Scenario {
        action: HiveAction::Add,
        patron: "user_abc123",
        request: &["verified_email", "beta_tester"],
        changed: &["verified_email", "beta_tester"],
        unchanged: &[],
        failed: &[],
        message: "Successfully added tags to patron.",
        after: &["newsletter", "verified_email", "beta_tester"],
    },
    Scenario {
        action: HiveAction::Add,
        patron: "user_abc123",
        request: &["vip", "newsletter"],
        changed: &["vip"],
        unchanged: &["newsletter"],
        failed: &[],
        message: "Successfully added tags to patron. Some tags may already exist on patron.",
        after: &["newsletter", "vip"],
    },
    Scenario {
        action: HiveAction::Add,
        patron: "user_abc123",
        request: &["zz_unknown", "vip", "aa_unknown"],
        changed: &["vip"],
        unchanged: &[],
        failed: &["zz_unknown", "aa_unknown"],
        message: "Some tags were added. Some tags failed to add.",
        after: &["newsletter", "vip"],
    },
    Scenario {
        action: HiveAction::Add,
        patron: "user_abc123",
        request: &["spam_watch", "newsletter", "no_such_tag"],
        changed: &["spam_watch"],
        unchanged: &["newsletter"],
        failed: &["no_such_tag"],
        message: "Some tags were added. Some tags may already exist on patron. Some tags failed to add.",
        after: &["newsletter", "spam_watch"],
    },
    Scenario {
        action: HiveAction::Add,
        patron: "user_def456",
        request: &["spam_watch", "newsletter"],
        changed: &[],
        unchanged: &["spam_watch", "newsletter"],
        failed: &[],
        message: "No tags were added. All tags already exist on patron.",
        after: &["newsletter", "beta_tester", "trusted_creator", "spam_watch"],
    },
    Scenario {
        action: HiveAction::Add,
        patron: "user_abc123",
        request: &["ghost", "newsletter"],
        changed: &[],
        unchanged: &["newsletter"],
        failed: &["ghost"],
        message: "No tags were added. Some tags may already exist on patron. Some tags failed to add.",
        after: &["newsletter"],
    },
    Scenario {
        action: HiveAction::Add,
        patron: "user_abc123",
        request: &["ghost_b", "ghost_a"],
        changed: &[],
        unchanged: &[],
        failed: &["ghost_b", "ghost_a"],
        message: "No tags were added. All tags failed to add.",
        after: &["newsletter"],
    },
    Scenario {
        action: HiveAction::Remove,
        patron: "user_def456",
        request: &["spam_watch", "newsletter"],
        changed: &["spam_watch", "newsletter"],
        unchanged: &[],
        failed: &[],
        message: "Successfully removed tags from patron.",
        after: &["beta_tester", "trusted_creator"],
    },
    Scenario {
        action: HiveAction::Remove,
        patron: "user_def456",
        request: &["vip", "beta_tester"],
        changed: &["beta_tester"],
        unchanged: &["vip"],
        failed: &[],
        message: "Successfully removed tags from patron. Some tags may not exist on patron.",
        after: &["newsletter", "trusted_creator", "spam_watch"],
    },
    Scenario {
        action: HiveAction::Remove,
        patron: "user_def456",
        request: &["trusted_creator", "bogus"],
        changed: &["trusted_creator"],
        unchanged: &[],
        failed: &["bogus"],
        message: "Some tags were removed. Some tags failed to remove.",
        after: &["newsletter", "beta_tester", "spam_watch"],
    },
    Scenario {
        action: HiveAction::Remove,
        patron: "user_def456",
        request: &["bogus", "vip", "newsletter"],
        changed: &["newsletter"],
        unchanged: &["vip"],
        failed: &["bogus"],
        message: "Some tags were removed. Some tags may not exist on patron. Some tags failed to remove.",
        after: &["beta_tester", "trusted_creator", "spam_watch"],
    },
    Scenario {
        action: HiveAction::Remove,
        patron: "user_def456",
        request: &["vip", "escalated"],
        changed: &[],
        unchanged: &["vip", "escalated"],
        failed: &[],
        message: "No tags were removed. All tags do not exist on patron.",
        after: &["newsletter", "beta_tester", "trusted_creator", "spam_watch"],
    },
    Scenario {
        action: HiveAction::Remove,
        patron: "user_def456",
        request: &["escalated", "bogus"],
        changed: &[],
        unchanged: &["escalated"],
        failed: &["bogus"],
        message: "No tags were removed. Some tags do not exist on patron. Some tags failed to remove.",
        after: &["newsletter", "beta_tester", "trusted_creator", "spam_watch"],
    },
    Scenario {
        action: HiveAction::Remove,
        patron: "user_def456",
        request: &["bogus", "also_bogus"],
        changed: &[],
        unchanged: &[],
        failed: &["bogus", "also_bogus"],
        message: "No tags were removed. All tags failed to remove.",
        after: &["newsletter", "beta_tester", "trusted_creator", "spam_watch"],
    },
];

#[tokio::test]
async fn every_hive_scenario_through_the_client() {
    for s in &SCENARIOS {
        let label = format!("{:?} {:?} on {}", s.action, s.request, s.patron);
        let sim = start().await;
        let client = hive(&sim);
        let call = match s.action {
            HiveAction::Add => client.add(&patron(s.patron), &fields(s.request)).await,
            HiveAction::Remove => client.remove(&patron(s.patron), &fields(s.request)).await,
        };
        let o = call.result.unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(o.action, s.action, "{label}");
        assert_eq!(o.message.as_deref(), Some(s.message), "{label}");
        assert_eq!(o.message_check(), MessageCheck::Match, "{label}");
        assert_eq!(o.patron_id.as_deref(), Some(s.patron), "{label}");
        assert_eq!(o.changed, s.changed, "{label}");
        assert_eq!(o.unchanged, s.unchanged, "{label}");
        let failed: Vec<&str> = o.failed.iter().map(|f| f.api_field.as_str()).collect();
        assert_eq!(failed, s.failed, "{label}");
        for f in &o.failed {
            assert_eq!(f.reason.as_deref(), Some(UNKNOWN_FIELD), "{label}");
        }
        assert!(
            o.missing_fields.is_empty(),
            "{label}: {:?}",
            o.missing_fields
        );
        assert_eq!(
            patron_tags(&sim, s.patron).as_deref(),
            Some(
                s.after
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .as_slice()
            ),
            "{label}: state afterwards"
        );
    }
}

#[tokio::test]
async fn every_hive_scenario_as_raw_http() {
    for s in &SCENARIOS {
        let label = format!("{:?} {:?} on {}", s.action, s.request, s.patron);
        let sim = start().await;
        let (changed_key, unchanged_key, path) = match s.action {
            HiveAction::Add => ("added_tag_ids", "pre_existing_tag_ids", "add"),
            HiveAction::Remove => ("removed_tag_ids", "non_existent_tag_ids", "remove"),
        };
        let (status, body) = hive_raw(
            &sim,
            path,
            json!({"patron_id": s.patron, "user_tags_api_fields": s.request}),
        )
        .await;
        let failed: Vec<Value> = s
            .failed
            .iter()
            .map(|f| json!({"api_field": f, "error": UNKNOWN_FIELD}))
            .collect();
        assert_eq!(status, 200, "{label}");
        assert_eq!(
            body,
            json!({
                "message": s.message,
                "patron_id": s.patron,
                changed_key: s.changed,
                unchanged_key: s.unchanged,
                "failed": failed,
            }),
            "{label}"
        );
        // The message is the documented text, byte for byte.
        assert_eq!(body["message"].as_str(), Some(s.message), "{label}");
    }
}

#[tokio::test]
async fn the_documented_add_example_returns_exactly_the_documented_body() {
    let sim = start().await;
    let (status, body) = hive_raw(
        &sim,
        "add",
        json!({"patron_id": "user_abc123", "user_tags_api_fields": ["vip", "newsletter"]}),
    )
    .await;
    let documented: Value = serde_json::from_str(
        r#"{
"message": "Successfully added tags to patron. Some tags may already exist on patron.",
"patron_id": "user_abc123",
"added_tag_ids": ["vip"],
"pre_existing_tag_ids": ["newsletter"],
"failed": []
}"#,
    )
    .unwrap();
    assert_eq!(status, 200);
    assert_eq!(body, documented);
}

#[tokio::test]
async fn duplicate_and_blank_api_fields_are_treated_once() {
    let sim = start().await;
    let (status, body) = hive_raw(
        &sim,
        "add",
        json!({"patron_id": "user_abc123",
               "user_tags_api_fields": [" vip ", "vip", "", "newsletter", "newsletter"]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["added_tag_ids"], json!(["vip"]));
    assert_eq!(body["pre_existing_tag_ids"], json!(["newsletter"]));
    assert_eq!(
        patron_tags(&sim, "user_abc123").unwrap(),
        ["newsletter", "vip"]
    );
}

// ---------------------------------------------------------------------------------------
// Hive errors

#[tokio::test]
async fn param_required_names_the_missing_field() {
    let sim = start().await;
    let cases = [
        (json!({}), "patron_id is required."),
        (
            json!({"user_tags_api_fields": ["vip"]}),
            "patron_id is required.",
        ),
        (
            json!({"patron_id": "", "user_tags_api_fields": ["vip"]}),
            "patron_id is required.",
        ),
        (
            json!({"patron_id": "   ", "user_tags_api_fields": ["vip"]}),
            "patron_id is required.",
        ),
        (
            json!({"patron_id": null, "user_tags_api_fields": ["vip"]}),
            "patron_id is required.",
        ),
        (
            json!({"patron_id": 12, "user_tags_api_fields": ["vip"]}),
            "patron_id must be a string.",
        ),
        (
            json!({"patron_id": "new_patron"}),
            "user_tags_api_fields is required.",
        ),
        (
            json!({"patron_id": "new_patron", "user_tags_api_fields": null}),
            "user_tags_api_fields is required.",
        ),
        (
            json!({"patron_id": "new_patron", "user_tags_api_fields": []}),
            "user_tags_api_fields is required.",
        ),
        (
            json!({"patron_id": "new_patron", "user_tags_api_fields": ["", "  "]}),
            "user_tags_api_fields is required.",
        ),
    ];
    for action in ["add", "remove"] {
        for (body, message) in &cases {
            let (status, got) = hive_raw(&sim, action, body.clone()).await;
            assert_eq!(status, 400, "{action} {body}");
            assert_eq!(
                got,
                hive_error(400, "PARAM_REQUIRED", message),
                "{action} {body}"
            );
        }
    }
    assert_eq!(
        patron_tags(&sim, "new_patron"),
        None,
        "a refused request creates nothing"
    );

    // Not JSON at all.
    let (status, got) = raw(
        Method::POST,
        format!("{}/api/v1/user_tags/add", sim.base_url()),
        Some(format!("token {DEFAULT_HIVE_KEY}")),
        Some(b"patron_id=user_abc123".to_vec()),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(got["error_code"], "PARAM_REQUIRED");

    // Through the client: an empty list is sent as [] and refused by the server.
    let err = hive(&sim)
        .add(&patron("user_abc123"), &[])
        .await
        .result
        .unwrap_err();
    assert_eq!(
        err,
        ApiError::Http {
            status: 400,
            code: Some("PARAM_REQUIRED".into()),
            message: "user_tags_api_fields is required.".into(),
            retry_after: None,
        }
    );
}

#[tokio::test]
async fn remove_from_an_unknown_patron_is_invalid_patron() {
    let sim = start().await;
    let message = "No patron matches the provided patron_id.";
    let (status, body) = hive_raw(
        &sim,
        "remove",
        json!({"patron_id": "nobody_here", "user_tags_api_fields": ["vip"]}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body, hive_error(400, "INVALID_PATRON", message));

    let err = hive(&sim)
        .remove(&patron("nobody_here"), &fields(&["vip"]))
        .await
        .result
        .unwrap_err();
    assert_eq!(
        err,
        ApiError::Http {
            status: 400,
            code: Some("INVALID_PATRON".into()),
            message: message.into(),
            retry_after: None,
        }
    );
    assert_eq!(
        patron_tags(&sim, "nobody_here"),
        None,
        "remove never creates a patron"
    );
}

#[tokio::test]
async fn add_creates_an_unknown_patron() {
    let sim = start().await;
    assert_eq!(patron_tags(&sim, "brand_new_patron"), None);
    let o = hive(&sim)
        .add(&patron("brand_new_patron"), &fields(&["vip", "escalated"]))
        .await
        .result
        .expect("add to a new patron");
    assert_eq!(o.changed, ["vip", "escalated"]);
    assert_eq!(
        o.message.as_deref(),
        Some("Successfully added tags to patron.")
    );
    assert_eq!(
        patron_tags(&sim, "brand_new_patron").unwrap(),
        ["vip", "escalated"]
    );
    // Now that the patron exists, remove works on it.
    let o = hive(&sim)
        .remove(&patron("brand_new_patron"), &fields(&["vip"]))
        .await
        .result
        .expect("remove from the created patron");
    assert_eq!(o.changed, ["vip"]);
    assert_eq!(
        patron_tags(&sim, "brand_new_patron").unwrap(),
        ["escalated"]
    );

    // Even when every tag fails, the patron is created (SPEC 2.1: created, then tags applied).
    let o = hive(&sim)
        .add(&patron("another_new_one"), &fields(&["ghost"]))
        .await
        .result
        .expect("add");
    assert_eq!(
        o.message.as_deref(),
        Some("No tags were added. All tags failed to add.")
    );
    assert_eq!(patron_tags(&sim, "another_new_one"), Some(vec![]));
}

#[tokio::test]
async fn a_wrong_hive_key_is_invalid_api_key() {
    let sim = start().await;
    let expected = hive_error(
        403,
        "INVALID_API_KEY",
        "No application matches the provided API key.",
    );
    let url = format!("{}/api/v1/user_tags/add", sim.base_url());
    let body = json!({"patron_id": "user_abc123", "user_tags_api_fields": ["vip"]})
        .to_string()
        .into_bytes();
    for auth in [
        Some("token wrong-key".to_string()),
        Some(format!("Bearer {DEFAULT_HIVE_KEY}")),
        Some(format!("token {DEFAULT_CEREGO_KEY}")),
        None,
    ] {
        let (status, got) = raw(Method::POST, url.clone(), auth.clone(), Some(body.clone())).await;
        assert_eq!((status, &got), (403, &expected), "auth {auth:?}");
    }

    let wrong = HiveClient::new(&ClientConfig::new(sim.base_url(), "not-the-key")).unwrap();
    for call in [
        wrong.add(&patron("user_abc123"), &fields(&["vip"])).await,
        wrong
            .remove(&patron("user_abc123"), &fields(&["newsletter"]))
            .await,
    ] {
        assert_eq!(
            call.result.unwrap_err(),
            ApiError::Http {
                status: 403,
                code: Some("INVALID_API_KEY".into()),
                message: "No application matches the provided API key.".into(),
                retry_after: None,
            }
        );
    }
    assert_eq!(
        patron_tags(&sim, "user_abc123").unwrap(),
        ["newsletter"],
        "nothing changed"
    );
}

// ---------------------------------------------------------------------------------------
// Cerego

#[tokio::test]
async fn cerego_add_then_duplicate_then_update() {
    let sim = start().await;
    let client = cerego(&sim);
    // 1185304 has tags of types 5 and 7, not 3.
    let call = client
        .add_tag(&tag_type("3"), &user("1185304"), &value("Autumn 2026"))
        .await;
    assert_eq!(call.exchanges[0].status, Some(201));
    let tag = call.result.expect("add");
    assert_eq!(tag.value.as_deref(), Some("Autumn 2026"));
    assert_eq!(tag.tag_type_id.as_deref(), Some("3"));
    assert_eq!(tag.user_id.as_deref(), Some("1185304"));
    assert!(tag.created_at.is_some() && tag.updated_at.is_some());
    let tag_id = tag.id.clone();

    // A second add of the same type is refused: the user already has one.
    let err = client
        .add_tag(&tag_type("3"), &user("1185304"), &value("Spring 2027"))
        .await
        .result
        .unwrap_err();
    assert_eq!(err.status(), Some(422));
    let ApiError::Http { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("already has a tag of type 3"), "{message}");
    assert!(
        message.contains(&tag_id),
        "names the tag to edit: {message}"
    );
    // A seeded tag type (5) is refused the same way.
    let err = client
        .add_tag(&tag_type("5"), &user("1185304"), &value("Silver"))
        .await
        .result
        .unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert!(
        err.to_string().contains("already has a tag of type 5"),
        "{err}"
    );

    // Update the new tag by its own id.
    let call = client
        .update_tag(&TagId::parse(&tag_id).unwrap(), &value("Spring 2027"))
        .await;
    assert_eq!(call.exchanges[0].method, "PUT");
    let updated = call.result.expect("update");
    assert_eq!(updated.id, tag_id);
    assert_eq!(updated.value.as_deref(), Some("Spring 2027"));
    assert_eq!(updated.tag_type_id.as_deref(), Some("3"));

    // The listing reflects both the add and the update.
    let list = client
        .list_users(&partner(), Some("ada.lovelace@example.edu"))
        .await
        .result
        .expect("listing");
    let ada = &list.users[0];
    let by_type: Vec<(Option<&str>, Option<&str>)> = ada
        .tags
        .iter()
        .map(|t| (t.tag_type_id.as_deref(), t.value.as_deref()))
        .collect();
    assert!(
        by_type.contains(&(Some("3"), Some("Spring 2027"))),
        "{by_type:?}"
    );
    assert!(by_type.contains(&(Some("5"), Some("Gold"))), "{by_type:?}");
}

#[tokio::test]
async fn cerego_add_answers_201_with_a_tag_document_over_raw_http() {
    let sim = start().await;
    let (status, body) = cerego_raw(
        &sim,
        Method::POST,
        "/v3/partner_user_tag_types/3/partner_user_tags",
        Some(json!({"user_id": "1185304", "value": "The value of the tag"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(body["data"]["type"], "partner-user-tags");
    assert_eq!(body["data"]["attributes"]["value"], "The value of the tag");
    assert_eq!(
        body["data"]["relationships"]["user"]["data"],
        json!({"id": "1185304", "type": "users"})
    );
    assert_eq!(
        body["data"]["relationships"]["partner-user-tag-type"]["data"],
        json!({"id": "3", "type": "partner-user-tag-types"})
    );
    assert_eq!(
        body["meta"],
        json!({"total-pages": null, "total-count": null})
    );
    let (status, body) = cerego_raw(
        &sim,
        Method::POST,
        "/v3/partner_user_tag_types/3/partner_user_tags",
        Some(json!({"user_id": "1185304", "value": "again"})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["status"], "422");
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("already has a tag of type 3")
    );
}

#[tokio::test]
async fn cerego_not_found_cases() {
    let sim = start().await;
    let client = cerego(&sim);
    let cases = [
        (
            "unknown tag type",
            client
                .add_tag(&tag_type("999"), &user("1185304"), &value("x"))
                .await
                .result,
        ),
        (
            "unknown user",
            client
                .add_tag(&tag_type("3"), &user("1"), &value("x"))
                .await
                .result,
        ),
        (
            "unknown tag",
            client
                .update_tag(&TagId::parse("77").unwrap(), &value("x"))
                .await
                .result,
        ),
    ];
    for (what, result) in cases {
        let err = result.unwrap_err();
        assert_eq!(err.status(), Some(404), "{what}: {err:?}");
        assert!(err.to_string().contains("Not Found"), "{what}: {err}");
    }
    let err = client
        .list_users(&PartnerId::parse("1").unwrap(), None)
        .await
        .result
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    // The raw body is a JSON:API error document.
    let (status, body) = cerego_raw(
        &sim,
        Method::PUT,
        "/v3/partner_user_tags/77",
        Some(json!({"value": "x"})),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"errors": [{"status": "404", "title": "Not Found",
                           "detail": "Partner user tag 77 not found."}]})
    );
}

#[tokio::test]
async fn cerego_missing_value_is_400() {
    let sim = start().await;
    let before = sim.state_json()["cerego"].clone();
    let add = "/v3/partner_user_tag_types/3/partner_user_tags";
    for (body, detail) in [
        (json!({"user_id": "1185304"}), "value is required."),
        (
            json!({"user_id": "1185304", "value": ""}),
            "value is required.",
        ),
        (
            json!({"user_id": "1185304", "value": null}),
            "value is required.",
        ),
        (json!({"value": "x"}), "user_id is required."),
    ] {
        let (status, got) = cerego_raw(&sim, Method::POST, add, Some(body.clone())).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(got["errors"][0]["status"], "400", "{body}");
        assert_eq!(got["errors"][0]["detail"], detail, "{body}");
    }
    let (status, got) = cerego_raw(
        &sim,
        Method::PUT,
        "/v3/partner_user_tags/84001",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(got["errors"][0]["detail"], "value is required.");
    // Nothing was created or changed.
    let after = sim.state_json()["cerego"].clone();
    assert_eq!(after["tags"]["84001"]["value"], "Gold");
    assert_eq!(after, before);
}

#[tokio::test]
async fn cerego_wrong_bearer_token_is_401() {
    let sim = start().await;
    let before = sim.state_json()["cerego"].clone();
    let wrong = CeregoClient::new(&ClientConfig::new(sim.base_url(), "wrong-token")).unwrap();
    let profile = wrong.profile().await.result.unwrap_err();
    assert_eq!(profile.status(), Some(401));
    let add = wrong
        .add_tag(&tag_type("3"), &user("1185304"), &value("x"))
        .await
        .result
        .unwrap_err();
    assert_eq!(add.status(), Some(401));
    let list = wrong.list_users(&partner(), None).await;
    assert_eq!(list.exchanges.len(), 1, "no paging after a 401");
    assert_eq!(list.result.unwrap_err().status(), Some(401));
    // The Hive key is not a Cerego token, nor is the Hive scheme accepted.
    let (status, body) = raw(
        Method::GET,
        format!("{}/v3/my/profile", sim.base_url()),
        Some(format!("token {DEFAULT_CEREGO_KEY}")),
        None,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["errors"][0]["title"], "Unauthorized");
    assert_eq!(sim.state_json()["cerego"], before, "nothing changed");
}

#[tokio::test]
async fn cerego_user_list_pages_through_all_36_users() {
    let sim = start().await;
    let call = cerego(&sim).list_users(&partner(), None).await;
    assert_eq!(call.exchanges.len(), 2);
    let list = call.result.expect("listing");
    assert_eq!(list.pages_fetched, 2);
    assert_eq!(list.total_count, Some(36));
    assert_eq!(list.users.len(), 36);
    let mut ids: Vec<&str> = list.users.iter().map(|u| u.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 36, "no user twice");
    let ada = list
        .users
        .iter()
        .find(|u| u.id == "1185304")
        .expect("1185304 is listed");
    assert_eq!(ada.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(ada.member_id.as_deref(), Some("M-1001"));
    let mut types: Vec<(&str, &str)> = ada
        .tags
        .iter()
        .map(|t| {
            (
                t.tag_type_id
                    .as_deref()
                    .expect("tag type known via included"),
                t.value.as_deref().expect("value known via included"),
            )
        })
        .collect();
    types.sort_unstable();
    assert_eq!(types, [("5", "Gold"), ("7", "EMEA")]);
    // Page sizes as served: 25 then 11.
    let (_, p1) = cerego_raw(
        &sim,
        Method::GET,
        "/v3/partners/4242/users?page%5Bnumber%5D=1",
        None,
    )
    .await;
    let (_, p2) = cerego_raw(
        &sim,
        Method::GET,
        "/v3/partners/4242/users?page%5Bnumber%5D=2",
        None,
    )
    .await;
    assert_eq!(p1["data"].as_array().unwrap().len(), 25);
    assert_eq!(p2["data"].as_array().unwrap().len(), 11);
    assert_eq!(p1["meta"], json!({"total-pages": 2, "total-count": 36}));
}

#[tokio::test]
async fn cerego_user_list_query_by_email_member_id_or_user_id() {
    let sim = start().await;
    let client = cerego(&sim);
    for q in [
        "ada.lovelace@example.edu",
        "ADA.LOVELACE@example.edu",
        "M-1001",
        "1185304",
    ] {
        let call = client.list_users(&partner(), Some(q)).await;
        assert_eq!(call.exchanges.len(), 1, "{q}");
        assert!(call.exchanges[0].url.contains("query="), "{q}");
        let list = call.result.expect("listing");
        let ids: Vec<&str> = list.users.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids, ["1185304"], "{q}");
        assert_eq!(list.total_count, Some(1));
    }
    let list = client
        .list_users(&partner(), Some("nobody@example.edu"))
        .await
        .result
        .expect("empty listing");
    assert!(list.users.is_empty());
    assert_eq!(list.total_count, Some(0));
    assert_eq!(list.pages_fetched, 1);
}

#[tokio::test]
async fn cerego_profile_is_the_key_owner() {
    let sim = start().await;
    let call = cerego(&sim).profile().await;
    assert_eq!(call.exchanges[0].status, Some(200));
    let p = call.result.expect("profile");
    assert_eq!(p.id, "1000001");
    assert_eq!(p.name.as_deref(), Some("Morgan Reyes"));
    assert_eq!(p.email.as_deref(), Some("morgan.reyes@support.example.com"));
    assert_eq!(p.username.as_deref(), Some("mreyes"));
}

#[tokio::test]
async fn unknown_routes_are_404_json() {
    let sim = start().await;
    let (status, body) = raw(Method::GET, format!("{}/nope", sim.base_url()), None, None).await;
    assert_eq!(status, 404);
    assert_eq!(body["message"], "No route for GET /nope.");
}

// ---------------------------------------------------------------------------------------
// Control API

#[tokio::test]
async fn control_state_shows_the_seed_and_counts_requests() {
    let sim = start().await;
    let (status, state) = control(&sim, Method::GET, "state", None).await;
    assert_eq!(status, 200);
    assert_eq!(state, sim.state_json(), "HTTP and in-process views agree");
    assert_eq!(state["cerego"]["partner_id"], "4242");
    // The state holds every user: the 36 listed by default and the 2 department users.
    assert_eq!(state["cerego"]["users"].as_array().unwrap().len(), 38);
    let type_ids: Vec<&str> = state["cerego"]["tag_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(type_ids, ["3", "5", "7", "9", "11"]);
    assert_eq!(
        state["hive"]["patrons"]["user_abc123"],
        json!(["newsletter"])
    );
    assert_eq!(state["faults"], json!([]));
    assert_eq!(state["requests"], json!({}));

    hive(&sim)
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await
        .result
        .unwrap();
    cerego(&sim)
        .list_users(&partner(), None)
        .await
        .result
        .unwrap();
    let (_, state) = control(&sim, Method::GET, "state", None).await;
    assert_eq!(state["requests"], json!({"cerego.users": 2, "hive.add": 1}));
    assert_eq!(
        state["hive"]["patrons"]["user_abc123"],
        json!(["newsletter", "vip"])
    );
}

#[tokio::test]
async fn control_faults_post_put_delete() {
    let sim = start().await;
    // POST as JSON.
    let (status, rules) = control(
        &sim,
        Method::POST,
        "faults",
        Some(json!({"target": "hive.add", "kind": "status", "status": 503, "times": 1})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        rules,
        json!([{"target": "hive.add", "kind": "status", "status": 503, "rate": 1.0, "times": 1}])
    );
    // POST in text form adds to the list.
    let (status, rules) = control(
        &sim,
        Method::POST,
        "faults",
        Some(json!({"spec": "cerego.profile:429=2"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(rules.as_array().unwrap().len(), 2);
    assert_eq!(
        rules[1],
        json!({"target": "cerego.profile", "kind": "status", "status": 429, "retry_after": 2, "rate": 1.0})
    );
    let (_, listed) = control(&sim, Method::GET, "faults", None).await;
    assert_eq!(listed, rules);

    // The rules act on the API.
    let err = hive(&sim)
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await
        .result
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(
        hive(&sim)
            .add(&patron("user_abc123"), &fields(&["vip"]))
            .await
            .result
            .is_ok(),
        "*1 is used up"
    );
    let err = cerego(&sim).profile().await.result.unwrap_err();
    assert!(
        matches!(&err, ApiError::Http { status: 429, retry_after: Some(s), .. } if s == "2"),
        "{err:?}"
    );

    // Bad rules are refused with a reason and change nothing.
    for bad in [
        json!({"spec": "moon:503"}),
        json!({"spec": "hive:200"}),
        json!({"target": "hive", "kind": "status", "status": 200}),
        json!({"target": "hive", "kind": "teapot"}),
    ] {
        let (status, body) = control(&sim, Method::POST, "faults", Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{bad}: {body}"
        );
    }
    let (_, listed) = control(&sim, Method::GET, "faults", None).await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "only the profile rule is left"
    );

    // PUT replaces the whole list (JSON and text forms mixed).
    let (status, rules) = control(
        &sim,
        Method::PUT,
        "faults",
        Some(json!([
            {"target": "hive.remove", "kind": "malformed"},
            {"spec": "cerego.users:drop*2"}
        ])),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        rules,
        json!([
            {"target": "hive.remove", "kind": "malformed", "rate": 1.0},
            {"target": "cerego.users", "kind": "drop", "rate": 1.0, "times": 2}
        ])
    );
    assert!(
        cerego(&sim).profile().await.result.is_ok(),
        "the profile rule was replaced"
    );
    let (status, _) = control(
        &sim,
        Method::PUT,
        "faults",
        Some(json!({"spec": "hive:503"})),
    )
    .await;
    assert_eq!(status, 400, "PUT wants a list");

    // DELETE clears every rule.
    let (status, rules) = control(&sim, Method::DELETE, "faults", None).await;
    assert_eq!((status, rules), (200, json!([])));
    assert_eq!(sim.state_json()["faults"], json!([]));
    assert!(
        hive(&sim)
            .remove(&patron("user_abc123"), &fields(&["vip"]))
            .await
            .result
            .is_ok()
    );
}

#[tokio::test]
async fn control_reset_restores_the_seed() {
    let sim = start().await;
    let (_, pristine) = control(&sim, Method::GET, "state", None).await;

    hive(&sim)
        .add(&patron("someone_new"), &fields(&["vip"]))
        .await
        .result
        .unwrap();
    hive(&sim)
        .remove(&patron("user_abc123"), &fields(&["newsletter"]))
        .await
        .result
        .unwrap();
    cerego(&sim)
        .add_tag(&tag_type("3"), &user("1185304"), &value("x"))
        .await
        .result
        .unwrap();
    cerego(&sim)
        .update_tag(&TagId::parse("84001").unwrap(), &value("Changed"))
        .await
        .result
        .unwrap();
    control(
        &sim,
        Method::POST,
        "faults",
        Some(json!({"spec": "all:500"})),
    )
    .await;
    let (_, dirty) = control(&sim, Method::GET, "state", None).await;
    assert_ne!(dirty, pristine);

    let (status, body) = control(&sim, Method::POST, "reset", None).await;
    assert_eq!((status, body), (200, json!({"reset": true})));
    let (_, after) = control(&sim, Method::GET, "state", None).await;
    assert_eq!(
        after, pristine,
        "state, faults and counts are back to the seed"
    );
    // And the API works again with seed data (the 500 rule is gone).
    let o = hive(&sim)
        .add(&patron("user_abc123"), &fields(&["vip", "newsletter"]))
        .await
        .result
        .expect("no fault after reset");
    assert_eq!(o.changed, ["vip"]);
    assert_eq!(o.unchanged, ["newsletter"]);
}

// ---------------------------------------------------------------------------------------
// The standalone binary

/// A running `tagdesk sim` child process. Killed (SIGKILL) if the test fails before it
/// exits on its own.
struct SimProcess {
    child: Option<std::process::Child>,
    pid: u32,
    base: String,
    stdout: Option<BufReader<std::process::ChildStdout>>,
}

impl SimProcess {
    /// Spawns `tagdesk sim --listen 127.0.0.1:0 EXTRA...` and reads its first line.
    async fn spawn(extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tagdesk"))
            .args(["sim", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tagdesk sim starts");
        let pid = child.id();
        let stdout = child.stdout.take().expect("piped stdout");
        let mut process = Self {
            child: Some(child),
            pid,
            base: String::new(),
            stdout: None,
        };
        let (first, reader) = tokio::time::timeout(
            Duration::from_secs(30),
            tokio::task::spawn_blocking(move || {
                let mut reader = BufReader::new(stdout);
                let mut line = String::new();
                reader.read_line(&mut line).expect("read stdout");
                (line, reader)
            }),
        )
        .await
        .expect("the first line arrives")
        .expect("reader thread");
        process.stdout = Some(reader);
        process.base = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        let port: u16 = process
            .base
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("not a loopback URL: {}", process.base))
            .parse()
            .expect("a port");
        assert_ne!(port, 0, "the real port is printed, not 0");
        process
    }

    fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .args([format!("-{name}"), self.pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -{name} {}", self.pid);
    }

    /// Waits (up to `limit`) for the process to exit; its status and the rest of its stdout.
    async fn wait(&mut self, limit: Duration) -> (std::process::ExitStatus, String) {
        let mut child = self.child.take().expect("not waited for yet");
        let mut reader = self.stdout.take().expect("stdout");
        let waited = tokio::time::timeout(
            limit,
            tokio::task::spawn_blocking(move || {
                let status = child.wait().expect("wait");
                let mut rest = String::new();
                let _ = reader.read_to_string(&mut rest);
                (status, rest)
            }),
        )
        .await;
        match waited {
            Ok(joined) => joined.expect("waiter thread"),
            Err(_) => {
                // Still running: the waiter thread reaps it once this kill lands.
                let _ = Command::new("kill")
                    .args(["-KILL", &self.pid.to_string()])
                    .status();
                panic!("tagdesk sim did not exit within {limit:?}");
            }
        }
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[tokio::test]
async fn the_sim_binary_serves_and_stops_cleanly_on_sigterm() {
    let mut sim = SimProcess::spawn(&[]).await;

    // One real request (a keep-alive client stays open while the server stops).
    let http = reqwest::Client::new();
    let response = http
        .get(format!("{}/v3/my/profile", sim.base))
        .header("authorization", format!("Bearer {DEFAULT_CEREGO_KEY}"))
        .send()
        .await
        .expect("the binary answers");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["data"]["id"], "1000001");

    sim.signal("TERM");
    let (status, rest) = sim.wait(Duration::from_secs(10)).await;
    assert!(status.success(), "clean exit, got {status:?}");
    assert!(
        rest.contains("Cerego: partner 4242 with 36 users"),
        "{rest}"
    );
    assert_eq!(rest.lines().last(), Some("stopping"), "{rest}");
    drop(http);
}

#[tokio::test]
async fn the_sim_binary_stops_on_sighup_even_with_a_request_in_flight() {
    let mut sim = SimProcess::spawn(&["--latency-ms", "60000"]).await;
    let url = format!("{}/v3/my/profile", sim.base);
    let in_flight = tokio::spawn(async move {
        reqwest::Client::new()
            .get(url)
            .header("authorization", format!("Bearer {DEFAULT_CEREGO_KEY}"))
            .send()
            .await
    });
    // The control API is not delayed: watch the request arrive, then signal.
    let state_url = format!("{}/_sim/state", sim.base);
    loop {
        let (_, state) = raw(Method::GET, state_url.clone(), None, None).await;
        if state["requests"]["cerego.profile"] == 1 {
            break;
        }
        assert!(!in_flight.is_finished(), "the delayed request ended early");
        tokio::task::yield_now().await;
    }
    sim.signal("HUP");
    let (status, rest) = sim.wait(Duration::from_secs(15)).await;
    assert!(status.success(), "clean exit, got {status:?}");
    assert_eq!(rest.lines().last(), Some("stopping"), "{rest}");
    // The delayed request is cut off rather than answered after a minute.
    let answer = tokio::time::timeout(Duration::from_secs(10), in_flight)
        .await
        .expect("the client is released")
        .expect("task");
    assert!(answer.is_err(), "{answer:?}");
}

#[tokio::test]
async fn the_sim_binary_takes_keys_and_faults_from_its_flags() {
    let mut sim =
        SimProcess::spawn(&["--hive-key", "flag-hive-key", "--fault", "hive.add:503*1"]).await;
    let client = HiveClient::new(&ClientConfig::new(sim.base.clone(), "flag-hive-key")).unwrap();
    let err = client
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await
        .result
        .unwrap_err();
    assert_eq!(err.status(), Some(503), "the --fault rule applies once");
    let o = client
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await
        .result
        .expect("then the add goes through");
    assert_eq!(o.changed, ["vip"]);
    let default_key = HiveClient::new(&ClientConfig::new(sim.base.clone(), DEFAULT_HIVE_KEY))
        .unwrap()
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await
        .result
        .unwrap_err();
    assert_eq!(default_key.code(), Some("INVALID_API_KEY"));
    sim.signal("TERM");
    let (status, rest) = sim.wait(Duration::from_secs(10)).await;
    assert!(status.success(), "clean exit, got {status:?}");
    assert!(rest.contains("Faults: hive.add:503*1"), "{rest}");
    assert!(rest.contains("\"flag-hive-key\""), "{rest}");
}

/// `tagdesk sim --users N --patrons N` adds deterministic synthetic users (with tags) and
/// patrons to the seed: the listing counts them, a synthetic user is found by email, and a
/// synthetic patron answers a remove like any other.
#[tokio::test(flavor = "multi_thread")]
async fn the_standalone_simulator_adds_synthetic_users_and_patrons() {
    let sim = SimProcess::spawn(&["--users", "120", "--patrons", "50"]).await;
    let http = reqwest::Client::new();
    let users: Value = http
        .get(format!("{}/v3/partners/4242/users", sim.base))
        .header("authorization", format!("Bearer {DEFAULT_CEREGO_KEY}"))
        .send()
        .await
        .expect("the listing")
        .json()
        .await
        .expect("JSON");
    assert_eq!(users["meta"]["total-count"], 36 + 120, "{}", users["meta"]);
    let found: Value = http
        .get(format!(
            "{}/v3/partners/4242/users?query=synthetic.119@example.edu",
            sim.base
        ))
        .header("authorization", format!("Bearer {DEFAULT_CEREGO_KEY}"))
        .send()
        .await
        .expect("a look-up")
        .json()
        .await
        .expect("JSON");
    assert_eq!(found["data"][0]["id"], "3000119", "{found}");
    let client = HiveClient::new(&ClientConfig::new(sim.base.clone(), DEFAULT_HIVE_KEY)).unwrap();
    let call = client
        .remove(
            &tagdesk::core::domain::PatronId::parse("synth_49").unwrap(),
            &tagdesk::core::domain::ApiField::parse_list("vip").unwrap(),
        )
        .await;
    assert!(
        call.result.is_ok(),
        "a known patron, not INVALID_PATRON: {:?}",
        call.result
    );
}

/// The set endpoint (SPEC §1.6) over HTTP, beside the legacy family on the same data: an
/// upsert that keeps the tag's id, 400 / 404 / 401 in the JSON:API error shape, and the
/// fault target `cerego.set` (a `cerego.set:503*1` rule answers the next set 503, then the
/// set goes through; the legacy endpoints are not its target).
#[tokio::test]
async fn cerego_set_route_upserts_and_answers_its_faults() {
    let sim = start().await;
    let path = "/v3/users/1185304/partner_user_tags";
    let body = json!({"tags": [
        {"partner_user_tag_type_id": "5", "value": "Silver"},
        {"partner_user_tag_type_id": "3", "value": "Spring 2026"},
    ]});
    let (_, before) = cerego_raw(
        &sim,
        Method::GET,
        "/v3/partners/4242/users?query=1185304",
        None,
    )
    .await;
    let gold = before["included"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["attributes"]["value"] == "Gold")
        .expect("Ada's Plan tag")["id"]
        .clone();

    control(
        &sim,
        Method::POST,
        "faults",
        Some(json!({"spec": "cerego.set:503*1"})),
    )
    .await;
    let (status, err) = cerego_raw(&sim, Method::POST, path, Some(body.clone())).await;
    assert_eq!(status, 503);
    assert_eq!(err["errors"][0]["status"], "503");
    // The legacy family is another target: not hit.
    let (status, _) = cerego_raw(
        &sim,
        Method::PUT,
        "/v3/partner_user_tags/84001",
        Some(json!({"value": "Gold"})),
    )
    .await;
    assert_eq!(status, 200);

    let (status, doc) = cerego_raw(&sim, Method::POST, path, Some(body)).await;
    assert_eq!(status, 200, "{doc}");
    let data = doc["data"].as_array().expect("data: the user's tags");
    assert_eq!(data.len(), 3, "{doc}");
    let plan = data
        .iter()
        .find(|t| t["relationships"]["partner-user-tag-type"]["data"]["id"] == "5")
        .expect("the Plan tag");
    assert_eq!(plan["id"], gold, "the tag keeps its id");
    assert_eq!(plan["attributes"]["value"], "Silver");
    assert_eq!(plan["type"], "partner-user-tags");
    assert_eq!(doc["meta"]["total-count"], 3);
    assert_eq!(sim.state_json()["requests"]["cerego.set"], 2);

    // The listing (legacy family's view) shows the change.
    let (_, after) = cerego_raw(
        &sim,
        Method::GET,
        "/v3/partners/4242/users?query=1185304",
        None,
    )
    .await;
    let values: Vec<&str> = after["included"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["attributes"]["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["Silver", "EMEA", "Spring 2026"]);

    let (status, err) = cerego_raw(
        &sim,
        Method::POST,
        path,
        Some(json!({"tags": [{"partner_user_tag_type_id": "5", "value": ""}]})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(err["errors"][0]["detail"], "tags[0].value is required.");
    let (status, _) = cerego_raw(
        &sim,
        Method::POST,
        "/v3/users/999/partner_user_tags",
        Some(json!({"tags": [{"partner_user_tag_type_id": "5", "value": "x"}]})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, err) = raw(
        Method::POST,
        format!("{}{path}", sim.base_url()),
        Some("Bearer wrong".into()),
        Some(b"{}".to_vec()),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(err["errors"][0]["status"], "401");
}
