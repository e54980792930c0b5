//! Cerego's "set tags" family (SPEC §1.6) end to end: the client against a plain mock
//! server (what goes over the wire, every plausible answer read leniently), the simulator's
//! decisions, the CLI, the console, undo and `config check`; and the legacy family
//! unchanged beside it.

mod support;

use serde_json::json;
use tagdesk::core::domain::{CeregoUserId, TagSetting};
use tagdesk::engine::api::ClientConfig;
use tagdesk::engine::api::cerego::CeregoClient;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "set-api-cerego-key-5c1e";

fn client(server: &MockServer) -> CeregoClient {
    CeregoClient::new(&ClientConfig::new(format!("{}/v3/", server.uri()), KEY))
        .expect("cerego client")
}

fn settings(pairs: &[&str]) -> Vec<TagSetting> {
    pairs
        .iter()
        .map(|p| TagSetting::parse(p).expect("setting"))
        .collect()
}

#[tokio::test]
async fn the_client_sends_the_documented_body_and_accepts_any_success() {
    let user = CeregoUserId::parse("1185304").expect("id");
    let documented = json!({"tags": [
        {"partner_user_tag_type_id": "5", "value": "California"},
        {"partner_user_tag_type_id": "9", "value": "Marketing"}
    ]});
    // The response is undocumented: a list of the user's tags, an empty 204, an HTML page,
    // a JSON:API document without tags — each is a success.
    let answers: Vec<(ResponseTemplate, Option<usize>)> = vec![
        (
            ResponseTemplate::new(200).set_body_json(json!({"data": [
                {"id": "1", "type": "partner-user-tags", "attributes": {"value": "California"},
                 "relationships": {"partner-user-tag-type": {"data": {"id": "5"}}}},
                {"id": "2", "type": "partner-user-tags", "attributes": {"value": "Marketing"},
                 "relationships": {"partner-user-tag-type": {"data": {"id": "9"}}}}
            ]})),
            Some(2),
        ),
        (ResponseTemplate::new(204), None),
        (
            ResponseTemplate::new(200).set_body_raw("<html>ok</html>", "text/html"),
            None,
        ),
        (
            ResponseTemplate::new(201).set_body_json(json!({"meta": {"ok": true}})),
            None,
        ),
    ];
    for (answer, tags) in answers {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v3/users/1185304/partner_user_tags"))
            .and(header("authorization", format!("Bearer {KEY}").as_str()))
            .and(header("content-type", "application/json"))
            .and(body_json(documented.clone()))
            .respond_with(answer)
            .expect(1)
            .mount(&server)
            .await;
        let call = client(&server)
            .set_tags(&user, &settings(&["5=California", "9=Marketing"]))
            .await;
        let set = call.result.clone().expect("any 2xx is a success");
        assert_eq!(set.tags.as_ref().map(Vec::len), tags);
        let sent = serde_json::to_string(&call.exchanges).expect("transcript");
        assert!(!sent.contains(KEY), "the key never reaches the transcript");
        assert_eq!(call.exchanges[0].method, "POST");
    }
}

#[tokio::test]
async fn a_refused_set_shows_status_and_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/users/7/partner_user_tags"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"errors": [{
            "status": "403", "title": "Forbidden",
            "detail": "the resource you requested is not available given your permissions"
        }]})))
        .mount(&server)
        .await;
    let call = client(&server)
        .set_tags(&CeregoUserId::parse("7").expect("id"), &settings(&["5=x"]))
        .await;
    let e = call.result.expect_err("a 403 is an error");
    assert_eq!(e.status(), Some(403));
    assert!(
        e.to_string()
            .contains("not available given your permissions"),
        "{e}"
    );
}
