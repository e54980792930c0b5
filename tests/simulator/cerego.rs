//! The Cerego endpoints: the legacy family, the user list, the profile, and the set
//! endpoint beside them.

use super::*;

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
