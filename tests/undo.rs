//! Undo you can trust (issue 19, items 2, 5 and 6), through the binary: an undo after a
//! crash considers every attempt of a row (against the simulator, a latency fault making
//! the request land before its answer, then kill -9); a Hive reply over the journal's body
//! cap keeps its outcome; arrays naming tags the request did not ask for, or another
//! patron, are never undone (hostile servers).

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::cli::*;
use tagdesk::sim::faults::FaultRule;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Starts `args` (an import), waits until `landed` says its request took effect in the
/// simulator (whose latency fault holds the answer back), and kills it with SIGKILL: the
/// change is made and its outcome is never journaled. Returns the batch id.
async fn kill_after_landing(env: &Env, args: &[&str], landed: impl Fn(&Env) -> bool) -> String {
    env.sim
        .set_faults(vec!["hive:late=1500".parse::<FaultRule>().unwrap()]);
    let mut child = env
        .command(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn tagdesk");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !landed(env) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(landed(env), "the request never landed");
    child.kill().expect("kill -9");
    child.wait().expect("wait");
    env.sim.set_faults(Vec::new());
    let list = env.run(&["--json", "batch", "list"]).await;
    let list = json(&list);
    assert_eq!(list[0]["state"], "interrupted", "{list}");
    list[0]["batch_id"].as_str().unwrap().to_string()
}

/// Resumes `id` (the resend answers "already there" / "not there"): every row `unchanged`.
async fn resume(env: &Env, id: &str) {
    let out = env.run(&["--json", "batch", "resume", id, "--yes"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let shown = env.run(&["--json", "batch", "show", id]).await;
    for r in json(&shown)["rows"].as_array().unwrap() {
        assert_eq!(r["outcome"], "unchanged", "{r}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_undo_after_a_crash_reverses_what_the_rows_asked() {
    let env = Env::new().await;
    // tagdesk has seen seen_1 with vip (it added it), so it knows vip was there before.
    let out = env.run(&["hive", "add", "seen_1", "vip"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // A Hive remove whose answer was lost: the resend says "not there"; the undo adds
    // back what tagdesk last saw present.
    let rm = env.file("rm.csv", "seen_1,vip\n");
    let id = kill_after_landing(
        &env,
        &[
            "--json",
            "hive",
            "import",
            "--remove",
            "--yes",
            rm.to_str().unwrap(),
        ],
        |e| e.hive_tags("seen_1").is_empty(),
    )
    .await;
    resume(&env, &id).await;
    assert!(env.hive_tags("seen_1").is_empty());
    let undo = env.run(&["--json", "batch", "undo", &id, "--yes"]).await;
    assert_eq!(code(&undo), 0, "{}", stderr(&undo));
    assert_eq!(env.hive_tags("seen_1"), ["vip"], "the removed tag is back");

    // A Hive add whose answer was lost on a patron tagdesk never saw: the undo removes what
    // it asked to add.
    let add = env.file("add.csv", "fresh_9,\"vip, newsletter\"\n");
    let id = kill_after_landing(
        &env,
        &["--json", "hive", "import", "--yes", add.to_str().unwrap()],
        |e| e.hive_tags("fresh_9").len() == 2,
    )
    .await;
    resume(&env, &id).await;
    let undo = env.run(&["--json", "batch", "undo", &id, "--yes"]).await;
    assert_eq!(code(&undo), 0, "{}", stderr(&undo));
    assert!(
        env.hive_tags("fresh_9").is_empty(),
        "{:?}",
        env.hive_tags("fresh_9")
    );

    // A remove of a tag tagdesk never saw on the patron: whether it was there before cannot
    // be decided — "check by hand", and the undo exits non-zero.
    let before = env.hive_tags("user_abc123");
    assert!(before.contains(&"newsletter".to_string()), "{before:?}");
    let rm = env.file("rm2.csv", "user_abc123,newsletter\n");
    let id = kill_after_landing(
        &env,
        &[
            "--json",
            "hive",
            "import",
            "--remove",
            "--yes",
            rm.to_str().unwrap(),
        ],
        |e| {
            !e.hive_tags("user_abc123")
                .contains(&"newsletter".to_string())
        },
    )
    .await;
    resume(&env, &id).await;
    let undo = env.run(&["--json", "batch", "undo", &id, "--yes"]).await;
    assert_eq!(code(&undo), 4, "{}", stderr(&undo));
    assert!(
        stderr(&undo).contains("check by hand") && stderr(&undo).contains("newsletter"),
        "{}",
        stderr(&undo)
    );
}

/// A config whose Hive is `base` (a hostile server).
fn hostile_config(env: &Env, base: &str) {
    env.write_config(&format!(
        r#"default_profile = "staging"
[timeouts]
connect = 2
total = 5
[profiles.staging.hive]
base_url = "{base}"
api_key_env = "TEST_HIVE_KEY"
"#
    ));
}

/// The Hive fields a request asked for.
fn asked(request: &Request) -> Vec<String> {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    body["user_tags_api_fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A Hive that answers every remove with what it was asked to remove.
async fn mount_honest_remove(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/api/v1/user_tags/remove"))
        .respond_with(|r: &Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
            ResponseTemplate::new(200).set_body_json(json!({
                "message": "Successfully removed tags from patron.",
                "patron_id": body["patron_id"],
                "removed_tag_ids": asked(r),
                "non_existent_tag_ids": [],
                "failed": []
            }))
        })
        .mount(server)
        .await;
}

async fn removes(server: &MockServer) -> Vec<Vec<String>> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/api/v1/user_tags/remove")
        .map(asked)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_over_the_journal_cap_keeps_its_outcome() {
    let env = Env::new().await;
    let server = MockServer::start().await;
    hostile_config(&env, &server.uri());
    // 300 KiB of padding: the journal keeps the body cut at 256 KiB.
    Mock::given(method("POST"))
        .and(path("/api/v1/user_tags/add"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "message": "Some tags were added. Some tags failed to add.",
            "patron_id": "big_1",
            "added_tag_ids": ["vip"],
            "pre_existing_tag_ids": [],
            "failed": [{"api_field": "bogus", "error": "Tag api_field does not exist in application."}],
            "debug": "x".repeat(300 * 1024)
        })))
        .mount(&server)
        .await;
    mount_honest_remove(&server).await;
    let f = env.file("big.csv", "big_1,\"vip, bogus\"\n");
    let out = env
        .run(&["--json", "hive", "import", "--yes", f.to_str().unwrap()])
        .await;
    assert_eq!(code(&out), 1, "a tag failed: {}", stderr(&out));
    let id = json(&out)["batch_id"].as_str().unwrap().to_string();
    assert_eq!(json(&out)["partial"], 1);
    let shown = env.run(&["--json", "batch", "show", &id]).await;
    let row = &json(&shown)["rows"][0];
    assert_eq!(row["outcome"], "partial", "{row}");
    assert_eq!(row["added"], json!(["vip"]));
    assert_eq!(row["failed"], json!(["bogus"]));
    let journal = std::fs::read_to_string(tagdesk::engine::journal::file_for(
        &env.data_dir(),
        "staging",
    ))
    .unwrap();
    assert!(
        journal.contains("bytes in all"),
        "the body is cut in the journal"
    );

    let undo = env.run(&["--json", "batch", "undo", &id, "--yes"]).await;
    assert_eq!(code(&undo), 0, "{}", stderr(&undo));
    assert_eq!(removes(&server).await, [vec!["vip".to_string()]]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cut_reply_in_an_older_journal_reads_unknown_and_its_undo_exits_non_zero() {
    let env = Env::new().await;
    let server = MockServer::start().await;
    hostile_config(&env, &server.uri());
    Mock::given(method("POST"))
        .and(path("/api/v1/user_tags/remove"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "message": "Successfully removed tags from patron.",
            "patron_id": "big_2",
            "removed_tag_ids": ["vip"],
            "non_existent_tag_ids": [],
            "failed": [],
            "debug": "x".repeat(300 * 1024)
        })))
        .mount(&server)
        .await;
    let f = env.file("rm.csv", "big_2,vip\n");
    let out = env
        .run(&[
            "--json",
            "hive",
            "import",
            "--remove",
            "--yes",
            f.to_str().unwrap(),
        ])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = json(&out)["batch_id"].as_str().unwrap().to_string();
    // A journal written before the outcome was kept apart from the body: drop the field.
    let path = tagdesk::engine::journal::file_for(&env.data_dir(), "staging");
    let text = std::fs::read_to_string(&path).unwrap();
    let old: String = text
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            if let Some(o) = v.as_object_mut() {
                o.remove("hive");
            }
            format!("{v}\n")
        })
        .collect();
    std::fs::write(&path, old).unwrap();
    let shown = env.run(&["--json", "batch", "show", &id]).await;
    let row = &json(&shown)["rows"][0];
    assert_eq!(row["outcome"], "error", "arrays that cannot be read: {row}");
    // tagdesk never saw big_2: whether vip was there cannot be decided.
    let undo = env.run(&["--json", "batch", "undo", &id, "--yes"]).await;
    assert_eq!(code(&undo), 4, "{}", stderr(&undo));
    assert!(stderr(&undo).contains("check by hand"), "{}", stderr(&undo));
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_the_request_did_not_name_and_another_patron_are_never_undone() {
    let env = Env::new().await;
    let server = MockServer::start().await;
    hostile_config(&env, &server.uri());
    Mock::given(method("POST"))
        .and(path("/api/v1/user_tags/add"))
        .respond_with(|r: &Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
            // For "other_p" the reply names someone else.
            let patron = if body["patron_id"] == "other_p" {
                json!("victim")
            } else {
                body["patron_id"].clone()
            };
            ResponseTemplate::new(200).set_body_json(json!({
                "message": "Successfully added tags to patron.",
                "patron_id": patron,
                "added_tag_ids": ["vip", "admin", "newsletter"],
                "pre_existing_tag_ids": [],
                "failed": []
            }))
        })
        .mount(&server)
        .await;
    mount_honest_remove(&server).await;
    let f = env.file("x.csv", "greedy_1,vip\nother_p,vip\n");
    let out = env
        .run(&["--json", "hive", "import", "--yes", f.to_str().unwrap()])
        .await;
    let id = json(&out)["batch_id"].as_str().unwrap().to_string();
    let shown = env.run(&["--json", "batch", "show", &id]).await;
    let rows = json(&shown)["rows"].clone();
    assert_eq!(rows[0]["added"], json!(["vip"]), "{}", rows[0]);
    assert_eq!(rows[0]["check"], "UNDOCUMENTED");
    assert!(
        rows[0]["message"]
            .as_str()
            .unwrap()
            .contains("admin, newsletter"),
        "{}",
        rows[0]
    );
    assert_eq!(rows[1]["check"], "MISMATCH", "{}", rows[1]);
    assert_eq!(rows[1]["added"], json!([]));
    assert_eq!(
        rows[1]["outcome"], "error",
        "a reply for another patron: unknown"
    );
    assert!(rows[1]["message"].as_str().unwrap().contains("victim"));

    let undo = env.run(&["--json", "batch", "undo", &id, "--yes"]).await;
    assert_eq!(code(&undo), 0, "{}", stderr(&undo));
    let mut sent = removes(&server).await;
    sent.sort();
    // greedy_1: only vip; other_p: what its row asked (its answer told nothing of it).
    assert_eq!(sent, [vec!["vip".to_string()], vec!["vip".to_string()]]);
    let patrons: Vec<String> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/api/v1/user_tags/remove")
        .map(|r| {
            serde_json::from_slice::<Value>(&r.body).unwrap()["patron_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(!patrons.contains(&"victim".to_string()), "{patrons:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_outcome_vocabulary_in_batch_show_the_results_and_the_exit_code() {
    let env = Env::new().await;
    // user_abc123 has newsletter: "All tags already exist" is `unchanged`, not `ok`.
    let f = env.file("same.csv", "user_abc123,newsletter\n");
    let results = env.dir.path().join("same-results.csv");
    let out = env
        .run(&[
            "--json",
            "hive",
            "import",
            "--yes",
            "--results",
            results.to_str().unwrap(),
            f.to_str().unwrap(),
        ])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(
        (j["ok"].clone(), j["unchanged"].clone()),
        (json!(0), json!(1)),
        "{j}"
    );
    assert_eq!(j["requests"], 1, "it was sent: {j}");
    let id = j["batch_id"].as_str().unwrap().to_string();
    let shown = env.run(&["--json", "batch", "show", &id]).await;
    assert_eq!(json(&shown)["rows"][0]["outcome"], "unchanged");
    let csv = std::fs::read_to_string(&results).unwrap();
    assert!(csv.lines().nth(1).unwrap().contains(",unchanged,"), "{csv}");

    // "No tags were added. Some tags may already exist… Some tags failed": `failed`, exit 1.
    let f = env.file("fail.csv", "user_abc123,\"newsletter, not_in_catalogue\"\n");
    let out = env
        .run(&["--json", "hive", "import", "--yes", f.to_str().unwrap()])
        .await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(
        (j["failed"].clone(), j["partial"].clone()),
        (json!(1), json!(0)),
        "{j}"
    );
    let id = j["batch_id"].as_str().unwrap().to_string();
    let shown = env.run(&["--json", "batch", "show", &id]).await;
    assert_eq!(json(&shown)["rows"][0]["outcome"], "failed");
}
