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

// ---------------------------------------------------------------------------------------
// The console on a set profile (driven through the harness, answered by the simulator's
// model).

use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use support::Harness;
use tagdesk::core::domain::{PartnerId, TagsApi};
use tagdesk::core::op::Op;
use tagdesk::core::op::inverse::decode_set_prior;
use tagdesk::tui::app::Pane;
use tagdesk::tui::popups::Popup;

fn set_console() -> Harness {
    let mut h = Harness::with_settings(tagdesk::sim::seed::Seed::demo(), 120, 32, |s| {
        if let Some(c) = s.cerego.as_mut() {
            c.tags_api = TagsApi::Set;
        }
    });
    h.reply_all();
    h
}

/// The server's view of a user's tags: (tag id, type, value), from a fresh listing.
fn served_tags(h: &mut Harness, user: &str) -> Vec<(String, String, String)> {
    let listing = Op::CeregoListUsers {
        partner: PartnerId::parse("4242").expect("partner"),
        query: Some("ada.lovelace@example.edu".into()),
        departments: false,
    };
    let (status, body) = h.model.answer(&listing);
    assert_eq!(status, 200);
    let page =
        tagdesk::core::op::cerego::UsersPage::parse(body.to_string().as_bytes()).expect("a page");
    let u = page.users.iter().find(|u| u.id == user).expect("the user");
    let mut tags: Vec<(String, String, String)> = u
        .tags
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                t.tag_type_id.clone().unwrap_or_default(),
                t.value.clone().unwrap_or_default(),
            )
        })
        .collect();
    tags.sort();
    tags
}

#[test]
fn the_console_adds_and_edits_through_one_set_and_undoes_the_edit() {
    let mut h = set_console();
    // Ada Lovelace (1185304) has Plan (5) = Gold as tag 84001 and Region (7) = EMEA.
    let before = served_tags(&mut h, "1185304");
    h.key(KeyCode::Char('a'));
    assert!(
        h.screen().contains("Set a Cerego tag on Ada Lovelace"),
        "{}",
        h.screen()
    );
    h.type_text("Spring 2026");
    h.key(KeyCode::Enter);
    let Some(Op::CeregoSet { user, tags }) = h.pending.first().map(|r| r.op.clone()) else {
        panic!("a set goes out: {:?}", h.pending)
    };
    assert_eq!(user.as_str(), "1185304");
    assert_eq!(tags.len(), 1);
    assert_eq!(
        tags[0].tag_type.as_str(),
        "3",
        "the first type Ada lacks: Cohort"
    );
    let prior = decode_set_prior(h.pending[0].prior.as_deref().expect("prior")).expect("json");
    assert_eq!(prior["3"], None, "recorded as created");
    h.reply_all();
    let after_add = served_tags(&mut h, "1185304");
    assert_eq!(after_add.len(), before.len() + 1);
    assert!(
        after_add
            .iter()
            .any(|(_, ty, v)| ty == "3" && v == "Spring 2026")
    );

    // Edit Plan: one set naming type 5; the tag keeps its id.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('e'));
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("Platinum");
    h.key(KeyCode::Enter);
    let Some(Op::CeregoSet { tags, .. }) = h.pending.first().map(|r| r.op.clone()) else {
        panic!("an edit is a set too: {:?}", h.pending)
    };
    assert_eq!(
        tags.iter()
            .map(|t| format!("{}={}", t.tag_type, t.value))
            .collect::<Vec<_>>(),
        ["5=Platinum"]
    );
    h.reply_all();
    let edited = served_tags(&mut h, "1185304");
    assert!(
        edited.contains(&("84001".into(), "5".into(), "Platinum".into())),
        "{edited:?}"
    );
    let shown = h.screen();
    assert!(shown.contains("Platinum"), "{shown}");
    assert!(
        shown.contains("set"),
        "the log says which endpoint family: {shown}"
    );

    // Undo the edit: a set back to Gold.
    h.app.focus = Pane::Log;
    h.key(KeyCode::Char('G'));
    h.key(KeyCode::Char('u'));
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("u opens the undo's preview: {}", h.screen())
    };
    assert!(
        matches!(&p.plan.rows[0].op, Op::CeregoSet { tags, .. }
            if tags.len() == 1 && tags[0].value.as_str() == "Gold"),
        "{:?}",
        p.plan.rows
    );
    h.key(KeyCode::Enter);
    h.run_batch(None);
    let undone = served_tags(&mut h, "1185304");
    assert!(
        undone.contains(&("84001".into(), "5".into(), "Gold".into())),
        "{undone:?}"
    );

    // The add created a tag: its undo says it cannot remove it.
    h.key(KeyCode::Esc);
    h.app.focus = Pane::Log;
    h.key(KeyCode::Char('G'));
    let mut said = String::new();
    for _ in 0..12 {
        if h.app.log.selected().is_some_and(
            |e| matches!(&e.op, Op::CeregoSet { tags, .. } if tags[0].tag_type.as_str() == "3"),
        ) {
            h.key(KeyCode::Char('u'));
            said = h.screen();
            break;
        }
        h.key(KeyCode::Char('k'));
    }
    let ops: Vec<String> = h.app.log.iter().map(|e| e.op.describe()).collect();
    assert!(
        said.contains("the set created the tag of type 3; it stays"),
        "{said}{ops:?}"
    );
}

// ---------------------------------------------------------------------------------------
// The CLI, `config check` and batches on a set profile; the legacy family beside it.

use support::cli::{Env, code, json, stderr, stdout};

fn set_profile_config(env: &Env) -> String {
    env.default_config()
        .replace(
            "tag_types = [{ id = \"3\", name = \"Cohort\" }]",
            "tag_types = [{ id = \"3\", name = \"Cohort\" }, { id = \"5\", name = \"Plan\" }]",
        )
        .replace("tags_api = \"legacy\"", "tags_api = \"set\"")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_sets_tags_in_one_request_and_keeps_each_family_to_its_commands() {
    let env = Env::new().await;
    // Legacy (said in the profile): add and update work as before; set is refused.
    let refused = env
        .run(&["cerego", "set", "--user", "1185304", "5=x"])
        .await;
    assert_eq!(code(&refused), 2, "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("legacy tag endpoints"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(env.requests("cerego.set"), 0);
    // The demo's simulator serves both families, so --demo takes both commands.
    let demo = env
        .run(&["--demo", "cerego", "set", "--user", "1185304", "5=x"])
        .await;
    assert_eq!(code(&demo), 0, "{}", stderr(&demo));
    let add = env
        .run(&["cerego", "add", "--user", "1185304", "--type", "3", "Fall"])
        .await;
    assert_eq!(code(&add), 0, "{}", stderr(&add));

    env.write_config(&set_profile_config(&env));
    let refused = env
        .run(&["cerego", "add", "--user", "1185304", "--type", "3", "x"])
        .await;
    assert_eq!(code(&refused), 2);
    assert!(stderr(&refused).contains("cerego set --user USER TYPE=VALUE"));
    assert_eq!(
        env.requests("cerego.add"),
        1,
        "only the legacy add went out"
    );

    let set = env
        .run(&[
            "--json",
            "cerego",
            "set",
            "--user",
            "1185304",
            "5=Platinum",
            "3=Spring 2026",
        ])
        .await;
    assert_eq!(code(&set), 0, "{}", stderr(&set));
    let j = json(&set);
    assert_eq!(j["op"]["op"], "cerego_set");
    assert_eq!(
        j["command"],
        "tagdesk --profile staging cerego set --user 1185304 5=Platinum '3=Spring 2026'"
    );
    let tags = j["result"]["tags"]
        .as_array()
        .expect("the user's tags")
        .clone();
    let find = |ty: &str| {
        tags.iter().find(|t| t["tag_type_id"] == ty).map(|t| {
            (
                t["id"].as_str().unwrap_or("").to_string(),
                t["value"].clone(),
            )
        })
    };
    assert_eq!(
        find("5"),
        Some(("84001".into(), "Platinum".into())),
        "same id"
    );
    assert_eq!(find("3").map(|t| t.1), Some("Spring 2026".into()));
    assert_eq!(
        find("7").map(|t| t.1),
        Some("EMEA".into()),
        "types not named stay"
    );
    assert_eq!(env.requests("cerego.set"), 1, "one request for two types");

    // Bad input is refused before anything is sent; the server's refusals are shown.
    let empty = env.run(&["cerego", "set", "--user", "1185304", "5="]).await;
    assert_eq!(code(&empty), 2);
    let unknown = env.run(&["cerego", "set", "--user", "999999", "5=x"]).await;
    assert_eq!(code(&unknown), 3, "{}", stdout(&unknown));
    assert!(stderr(&unknown).contains("404"), "{}", stderr(&unknown));
    assert_eq!(env.requests("cerego.set"), 2);

    // The journal names the endpoint.
    let log = env.run(&["log", "--json"]).await;
    let text = stdout(&log);
    assert!(
        text.contains("/v3/users/1185304/partner_user_tags"),
        "{text}"
    );
    assert!(text.contains(r#""operation":"set""#), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn config_check_says_which_family_answers_and_what_it_sent() {
    let env = Env::new().await;
    env.write_config(&set_profile_config(&env));
    let check = env.run(&["config", "check", "--profile", "staging"]).await;
    let out = stdout(&check);
    assert_eq!(code(&check), 0, "{out}{}", stderr(&check));
    assert!(
        out.contains("✓ cerego tags (set, this profile's): sent POST /v3/users/"),
        "{out}"
    );
    assert!(out.contains("{\"tags\":[]}"), "{out}");
    assert!(
        out.contains(
            "– cerego tags (legacy): sent POST /v3/partner_user_tag_types/3/partner_user_tags"
        ),
        "{out}"
    );
    // Nothing changed: no tag was created or set by the probes.
    let state = env.sim.state_json();
    assert_eq!(state["requests"]["cerego.set"], 1);
    let users = env
        .run(&[
            "--json",
            "cerego",
            "users",
            "--query",
            "ada.lovelace@example.edu",
        ])
        .await;
    let ada = json(&users)["result"]["users"][0]["tags"]
        .as_array()
        .map(Vec::len);
    assert_eq!(ada, Some(2), "Ada still has her two seeded tags");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_set_batch_groups_each_users_rows_and_its_undo_sets_the_values_back() {
    let env = Env::new().await;
    env.write_config(&set_profile_config(&env));
    let file = env.dir.path().join("tags.csv");
    std::fs::write(
        &file,
        "user_id,tag_type_id,value\n1185304,5,Platinum\n1185304,3,Spring 2026\n1185310,3,Fall\n",
    )
    .expect("csv");
    let run = env
        .run(&[
            "--json",
            "--yes",
            "cerego",
            "import",
            file.to_str().expect("path"),
        ])
        .await;
    assert_eq!(code(&run), 0, "{}{}", stdout(&run), stderr(&run));
    assert_eq!(env.requests("cerego.set"), 2, "one request per user");
    let batch = json(&run)["batch_id"]
        .as_str()
        .expect("batch id")
        .to_string();
    let undo = env.run(&["--yes", "batch", "undo", &batch]).await;
    let said = format!("{}{}", stdout(&undo), stderr(&undo));
    assert!(said.contains("created the tag of type 3"), "{said}");
    let users = env
        .run(&[
            "--json",
            "cerego",
            "users",
            "--query",
            "ada.lovelace@example.edu",
        ])
        .await;
    let tags = json(&users)["result"]["users"][0]["tags"].clone();
    let plan = tags
        .as_array()
        .and_then(|t| t.iter().find(|t| t["tag_type_id"] == "5"))
        .map(|t| t["value"].clone());
    assert_eq!(plan, Some("Gold".into()), "the undo set Plan back: {tags}");
}

/// Issue 21: today's Cerego API is the default. A profile that does not say `tags_api`
/// sends the set endpoint (`POST /v3/users/:id/partner_user_tags`), refuses the legacy
/// commands, and `config check` says it uses set by default and how to keep legacy.
#[tokio::test(flavor = "multi_thread")]
async fn a_profile_without_tags_api_sends_the_set_endpoint() {
    let env = Env::new().await;
    let unsaid = env.default_config().replace("tags_api = \"legacy\"\n", "");
    assert!(!unsaid.contains("tags_api"));
    env.write_config(&unsaid);
    let set = env
        .run(&["cerego", "set", "--user", "1185304", "3=Spring 2026"])
        .await;
    assert_eq!(code(&set), 0, "{}", stderr(&set));
    assert_eq!(env.requests("cerego.set"), 1);
    assert_eq!(env.requests("cerego.add"), 0);
    assert_eq!(env.requests("cerego.update"), 0);
    let add = env
        .run(&["cerego", "add", "--user", "1185304", "--type", "3", "x"])
        .await;
    assert_eq!(code(&add), 2, "{}", stderr(&add));
    assert_eq!(env.requests("cerego.add"), 0, "nothing was sent");

    let check = env.run(&["config", "check", "--profile", "staging"]).await;
    let out = stdout(&check);
    assert_eq!(code(&check), 0, "{out}");
    assert!(out.contains("✓ cerego tags (set, this profile's)"), "{out}");
    assert!(
        out.contains("cerego tags_api: uses \"set\"")
            && out.contains("by default")
            && out.contains("tags_api = \"legacy\" in [profiles.staging.cerego]"),
        "{out}"
    );
    // A profile that says it is told which it uses and how to switch, without "default".
    env.write_config(&env.default_config());
    let check = env.run(&["config", "check", "--profile", "staging"]).await;
    let out = stdout(&check);
    assert!(
        out.contains("cerego tags_api: uses \"legacy\"")
            && out.contains("tags_api = \"set\" switches")
            && !out.contains("by default"),
        "{out}"
    );
}
