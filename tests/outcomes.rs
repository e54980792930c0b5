//! `tagdesk outcomes`: the documented table, and `outcomes check` explaining saved response
//! bodies — every documented scenario (bodies from the simulator's own rules), a server whose
//! wording differs by one character, documented error bodies, and what is not Hive at all.

mod support;

use serde_json::{Value, json};
use support::cli::*;
use tagdesk::core::op::scenario::{DOCUMENTED, HiveAction};

fn check(env: &Env, body: &str) -> std::process::Output {
    let path = env.dir.path().join("body.json");
    std::fs::write(&path, body).expect("write the body");
    env.command(&["outcomes", "check", path.to_str().expect("path")])
        .output()
        .expect("run")
}

/// A response body for a documented scenario, with its documented message.
fn body_for(
    action: HiveAction,
    changed: bool,
    unchanged: bool,
    failed: bool,
    message: &str,
) -> Value {
    let some = |on: bool, what: &str| if on { json!([what]) } else { json!([]) };
    let failed = if failed {
        json!([{"api_field": "bogus", "error": "Tag api_field does not exist in application."}])
    } else {
        json!([])
    };
    match action {
        HiveAction::Add => json!({
            "message": message, "patron_id": "p",
            "added_tag_ids": some(changed, "vip"),
            "pre_existing_tag_ids": some(unchanged, "newsletter"),
            "failed": failed,
        }),
        HiveAction::Remove => json!({
            "message": message, "patron_id": "p",
            "removed_tag_ids": some(changed, "vip"),
            "non_existent_tag_ids": some(unchanged, "newsletter"),
            "failed": failed,
        }),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_table_lists_every_documented_message_verbatim() {
    let env = Env::new().await;
    let out = env.run(&["--json", "outcomes"]).await;
    assert_eq!(code(&out), 0);
    let j = json(&out);
    let outcomes = j["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 14);
    assert_eq!(outcomes[0]["operation"], "add");
    assert_eq!(outcomes[0]["message"], "Successfully added tags to patron.");
    assert_eq!(
        outcomes[12]["message"],
        "No tags were removed. Some tags do not exist on patron. Some tags failed to remove."
    );
    let errors: Vec<(u64, &str)> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["status"].as_u64().unwrap(),
                e["error_code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (400, "PARAM_REQUIRED"),
            (400, "INVALID_PATRON"),
            (403, "INVALID_API_KEY")
        ]
    );
    let md = env.run(&["outcomes", "--markdown"]).await;
    assert!(stdout(&md).contains("| added_tag_ids + pre_existing_tag_ids | `Successfully added tags to patron. Some tags may already exist on patron.` |"));
    let text = env.run(&["outcomes"]).await;
    for s in DOCUMENTED {
        assert!(stdout(&text).contains(s.documented_message().unwrap()));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_documented_body_matches_and_a_one_character_drift_is_shown() {
    let env = Env::new().await;
    for s in DOCUMENTED {
        let doc = s.documented_message().unwrap();
        let body = body_for(s.action, s.changed, s.unchanged, s.failed, doc);
        let out = check(&env, &body.to_string());
        assert_eq!(code(&out), 0, "{doc}: {}", stderr(&out));
        assert!(stdout(&out).contains("MATCH"), "{}", stdout(&out));
        assert!(stdout(&out).contains(s.label()), "{}", stdout(&out));
    }
    let drift = body_for(
        HiveAction::Add,
        false,
        true,
        false,
        "No tags were added. All tags already exists on patron.",
    );
    let out = check(&env, &drift.to_string());
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("MISMATCH"), "{text}");
    assert!(
        text.contains("No tags were added. All tags already exist{+s+} on patron."),
        "{text}"
    );
    let path = env.dir.path().join("body.json");
    let out = env
        .command(&["--json", "outcomes", "check", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(json(&out)["check"], "MISMATCH");
    assert_eq!(json(&out)["scenario"], "all tags already exist");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_scenarios_message_is_named_first_then_compared_word_by_word() {
    let env = Env::new().await;
    // Nothing was there to remove, but the server says it removed the tags.
    let body = body_for(
        HiveAction::Remove,
        false,
        true,
        false,
        "Successfully removed tags from patron.",
    );
    let out = check(&env, &body.to_string());
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let lead = "mismatch    the server sent the documented message of \"all tags removed\"; \
                the arrays say \"all tags don't exist\"";
    let at_lead = text
        .find(lead)
        .unwrap_or_else(|| panic!("said first: {text}"));
    let at_difference = text.find("difference  ").expect("then the difference");
    assert!(at_lead < at_difference, "{text}");
    assert!(
        text.contains(
            "difference  [-No tags were -]{+Successfully +}removed[-. All-] tags \
             [-do not exist on -]{+from +}patron.   (by word:"
        ),
        "{text}"
    );
    let path = env.dir.path().join("body.json");
    let out = env
        .command(&["--json", "outcomes", "check", path.to_str().unwrap()])
        .output()
        .unwrap();
    let v = json(&out);
    assert_eq!(v["check"], "MISMATCH");
    assert_eq!(v["scenario"], "all tags don't exist");
    assert_eq!(v["server_sent_scenario"], "all tags removed");
    assert_eq!(v["difference_by"], "word");

    // A one-character slip is no other scenario's message, and stays character by character.
    let slip = body_for(
        HiveAction::Remove,
        false,
        true,
        false,
        "No tags were removed. All tags do not exist on patron!",
    );
    std::fs::write(&path, slip.to_string()).unwrap();
    let out = env
        .command(&["--json", "outcomes", "check", path.to_str().unwrap()])
        .output()
        .unwrap();
    let v = json(&out);
    assert_eq!(v["server_sent_scenario"], Value::Null);
    assert_eq!(v["difference_by"], "character");
    assert_eq!(
        v["difference"],
        "No tags were removed. All tags do not exist on patron[-.-]{+!+}"
    );
    let text = stdout(&check(&env, &slip.to_string()));
    assert!(!text.contains("mismatch    "), "{text}");
    assert!(text.contains("(by character:"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn error_bodies_are_explained_and_other_bodies_refused() {
    let env = Env::new().await;
    let out = check(
        &env,
        r#"{"error": true, "status": 400, "error_code": "PARAM_REQUIRED", "message": "user_tags_api_fields is required.", "show_alert": false}"#,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("documented error: HTTP 400 PARAM_REQUIRED"));
    assert!(stdout(&out).contains("user_tags_api_fields is required."));
    for (body, why) in [
        ("<html>502</html>", "not JSON"),
        (r#"{"data": []}"#, "not a Hive add/remove response"),
        (r#"{"error_code": "NOPE"}"#, "undocumented error_code"),
    ] {
        let out = check(&env, body);
        assert_eq!(code(&out), 2, "{body}");
        assert!(stderr(&out).contains(why), "{body}: {}", stderr(&out));
    }
}
