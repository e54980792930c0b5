//! The fourteen Hive scenarios, through the client and as raw HTTP, then Hive's errors.

use super::*;

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
