//! The control API (`/_sim/…`): state, faults and reset.

use super::*;

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
