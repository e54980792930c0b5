//! Declarative sets (`tagdesk hive import --set`, issue 23 §2) through the binary against
//! the simulator: each patron brought to exactly its row within the scope (never-seen
//! patrons get an add and a remove, known ones only what differs, unscoped tags survive),
//! an unchanged patron sends nothing, the preview says each difference, and the undo puts
//! every patron back.

mod support;

use serde_json::{Value, json};
use support::cli::*;

/// The scope of these tests: the profile's catalogue.
const CATALOGUE: &str = r#"tags = [ { api_field = "vip", name = "VIP" }, { api_field = "newsletter", name = "Newsletter" }, { api_field = "beta_tester", name = "Beta tester" } ]
"#;

/// What tagdesk last confirmed (the workspace file): the whole tag sets of these patrons,
/// as the simulator's demo seed holds them.
const KNOWN: [(&str, &[&str]); 4] = [
    ("creator_0108", &["vip", "beta_tester", "payment_issue"]),
    (
        "anon_9b21e0",
        &["vip", "beta_tester", "trusted_creator", "minor_account"],
    ),
    ("mod_queue_77", &["newsletter", "high_risk", "spam_watch"]),
    ("shop_owner_12", &["vip", "spam_watch"]),
];

/// The file: brand_new and user_abc123 were never seen by tagdesk (user_abc123 holds
/// newsletter in Hive); creator_0108 and anon_9b21e0 hold extra scoped tags;
/// mod_queue_77 lacks vip and holds unscoped tags; shop_owner_12 is already as asked.
const FILE: &str = "user_id,user_tags\nbrand_new,vip\nuser_abc123,\"vip, beta_tester\"\n\
                    creator_0108,vip\nanon_9b21e0,\nmod_queue_77,\"newsletter,vip\"\n\
                    shop_owner_12,vip\n";

const PATRONS: [&str; 6] = [
    "brand_new",
    "user_abc123",
    "creator_0108",
    "anon_9b21e0",
    "mod_queue_77",
    "shop_owner_12",
];

async fn env() -> Env {
    let env = Env::new().await;
    let config = env.default_config().replacen(
        "api_key_env = \"TEST_HIVE_KEY\"\n",
        &format!("api_key_env = \"TEST_HIVE_KEY\"\n{CATALOGUE}"),
        1,
    );
    env.write_config(&config);
    let patrons: Vec<Value> = KNOWN
        .iter()
        .map(|(id, tags)| {
            json!({
                "id": id,
                "tags": tags.iter().map(|t| json!({"api_field": t, "confirmed_at": null})).collect::<Vec<_>>(),
                "note": "confirmed earlier",
                "confirmed_at": "2026-01-01T00:00:00Z",
                "complete": true,
            })
        })
        .collect();
    let data = env.data_dir();
    std::fs::create_dir_all(&data).expect("data dir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    let workspace = data.join("workspace-staging.json");
    std::fs::write(
        &workspace,
        serde_json::to_vec(&json!({ "patrons": patrons })).unwrap(),
    )
    .expect("write the workspace");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&workspace, std::fs::Permissions::from_mode(0o600))
            .expect("chmod");
    }
    env
}

fn p(path: &std::path::Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[tokio::test(flavor = "multi_thread")]
async fn set_brings_every_patron_to_exactly_its_row_and_undo_brings_them_back() {
    let env = env().await;
    let before: Vec<Vec<String>> = PATRONS.iter().map(|id| env.hive_tags(id)).collect();
    let f = env.file("set.csv", FILE);
    let out = env
        .run(&["--json", "hive", "import", p(&f), "--set", "--yes"])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = json(&out)["batch_id"].as_str().unwrap().to_string();
    assert_eq!(json(&out)["op"], "hive_set");

    // Exactly the rows within the scope; unscoped tags untouched.
    assert_eq!(env.hive_tags("brand_new"), ["vip"]);
    assert_eq!(env.hive_tags("user_abc123"), ["beta_tester", "vip"]);
    assert_eq!(env.hive_tags("creator_0108"), ["payment_issue", "vip"]);
    assert_eq!(
        env.hive_tags("anon_9b21e0"),
        ["minor_account", "trusted_creator"]
    );
    assert_eq!(
        env.hive_tags("mod_queue_77"),
        ["high_risk", "newsletter", "spam_watch", "vip"]
    );
    assert_eq!(env.hive_tags("shop_owner_12"), ["spam_watch", "vip"]);
    // Only what differs was sent: adds for the two never seen and mod_queue_77; removes
    // for the two never seen and the two with extra tags; nothing for shop_owner_12.
    assert_eq!(env.requests("hive.add"), 3);
    assert_eq!(env.requests("hive.remove"), 4);

    let shown = env.run(&["--json", "batch", "show", &id]).await;
    assert_eq!(code(&shown), 0, "{}", stderr(&shown));
    let rows = json(&shown)["rows"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 8, "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r["target"] == "shop_owner_12" && r["outcome"] == "unchanged"),
        "{rows:?}"
    );

    let undo = env.run(&["--json", "batch", "undo", &id, "--yes"]).await;
    assert_eq!(code(&undo), 0, "{}", stderr(&undo));
    let after: Vec<Vec<String>> = PATRONS.iter().map(|id| env.hive_tags(id)).collect();
    assert_eq!(after, before, "every patron back to what it held");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_preview_shows_each_patrons_difference_and_a_dry_run_sends_nothing() {
    let env = env().await;
    let f = env.file("set.csv", FILE);
    let out = env
        .run(&["--json", "hive", "import", p(&f), "--set", "--dry-run"])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let plan = json(&out)["plan"].as_array().unwrap().clone();
    let effects: Vec<(&str, &str, &str)> = plan
        .iter()
        .map(|r| {
            (
                r["target"].as_str().unwrap(),
                r["op"].as_str().unwrap(),
                r["effect"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        effects,
        [
            (
                "brand_new",
                "hive_add",
                "? unknown: will send add vip + remove newsletter, beta_tester"
            ),
            ("brand_new", "hive_remove", "↳ ?newsletter ?beta_tester"),
            (
                "user_abc123",
                "hive_add",
                "? unknown: will send add vip, beta_tester + remove newsletter"
            ),
            ("user_abc123", "hive_remove", "↳ ?newsletter"),
            ("creator_0108", "hive_remove", "−beta_tester"),
            ("anon_9b21e0", "hive_remove", "−vip −beta_tester"),
            ("mod_queue_77", "hive_add", "+vip"),
            (
                "shop_owner_12",
                "hive_add",
                "= unchanged: holds exactly vip"
            ),
        ]
    );
    assert_eq!(plan[7]["unchanged"], true);
    assert_eq!(env.requests("hive.add") + env.requests("hive.remove"), 0);

    // A run says the same differences (standard error) before it sends.
    let out = env.run(&["hive", "import", p(&f), "--set"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("set: 6 patrons: 3 to change"), "{err}");
    assert!(err.contains("2 not known"), "{err}");
    assert!(err.contains("1 unchanged"), "{err}");
    assert!(err.contains("creator_0108   −beta_tester"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patron_already_as_asked_sends_nothing() {
    let env = env().await;
    let f = env.file(
        "same.csv",
        "shop_owner_12,vip\ncreator_0108,\"vip, beta_tester\"\n",
    );
    let out = env
        .run(&["--json", "hive", "import", p(&f), "--set", "--yes"])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["unchanged"], 2, "{}", stdout(&out));
    assert_eq!(env.requests("hive.add") + env.requests("hive.remove"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_set_run_again_sends_nothing_even_for_patrons_first_seen_by_it() {
    let env = env().await;
    let f = env.file("set.csv", FILE);
    let out = env
        .run(&["--json", "hive", "import", p(&f), "--set", "--yes"])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let sent = env.requests("hive.add") + env.requests("hive.remove");
    assert_eq!(sent, 7);
    // brand_new and user_abc123 were never seen: Hive has now confirmed each scoped tag
    // present or absent, which is all a set needs to know (not their whole tag sets).
    let dry = env
        .run(&["--json", "hive", "import", p(&f), "--set", "--dry-run"])
        .await;
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    let plan = json(&dry)["plan"].as_array().cloned().unwrap_or_default();
    let effects: Vec<(&str, &str)> = plan
        .iter()
        .map(|r| {
            (
                r["target"].as_str().unwrap_or_default(),
                r["effect"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        effects.contains(&("brand_new", "= unchanged: holds exactly vip")),
        "{effects:?}"
    );
    assert!(
        effects.contains(&("user_abc123", "= unchanged: holds exactly vip, beta_tester")),
        "{effects:?}"
    );
    let again = env
        .run(&["--json", "hive", "import", p(&f), "--set", "--yes"])
        .await;
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(json(&again)["unchanged"], 6, "{}", stdout(&again));
    assert_eq!(
        env.requests("hive.add") + env.requests("hive.remove"),
        sent,
        "nothing sent the second time"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scope_narrows_the_set_and_bad_input_is_refused_before_anything_is_sent() {
    let env = env().await;
    // Only beta_tester is in scope: vip on creator_0108 is not touched.
    let f = env.file("scoped.csv", "creator_0108,\n");
    let out = env
        .run(&[
            "--json",
            "hive",
            "import",
            p(&f),
            "--set",
            "--scope",
            "beta_tester",
            "--yes",
        ])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(env.hive_tags("creator_0108"), ["payment_issue", "vip"]);

    // A row tag outside the scope: the row is invalid, naming the tag and the scope.
    let f = env.file("outside.csv", "user_abc123,\"vip, escalated\"\n");
    let out = env.run(&["hive", "import", p(&f), "--set"]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("escalated is outside the set's scope (vip, newsletter, beta_tester)"),
        "{}",
        stderr(&out)
    );
    // --set and --remove say opposite things.
    let out = env
        .run(&["hive", "import", p(&f), "--set", "--remove"])
        .await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // A scope field outside the catalogue is a warning.
    let f = env.file("warn.csv", "user_abc123,\n");
    let out = env
        .run(&[
            "hive",
            "import",
            p(&f),
            "--set",
            "--scope",
            "newsletter,escalated",
            "--dry-run",
        ])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: --scope: api_field escalated is not in the profile's"),
        "{}",
        stderr(&out)
    );
    // No catalogue and no --scope: nothing to set.
    env.write_config(&env.default_config());
    let out = env.run(&["hive", "import", p(&f), "--set"]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--set needs a scope"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.requests("hive.add"), 0);
    assert_eq!(env.requests("hive.remove"), 1, "only the scoped run sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_set_whose_removes_failed_is_finished_by_a_resume() {
    use tagdesk::sim::faults::FaultRule;
    let env = env().await;
    env.sim
        .set_faults(vec!["hive.remove:drop".parse::<FaultRule>().unwrap()]);
    let f = env.file("set.csv", "brand_new,vip\ncreator_0108,vip\n");
    let out = env
        .run(&["--json", "hive", "import", p(&f), "--set", "--yes"])
        .await;
    assert_ne!(code(&out), 0, "the removes failed: {}", stdout(&out));
    let id = json(&out)["batch_id"].as_str().unwrap().to_string();
    assert_eq!(json(&out)["ok"], 1, "{}", stdout(&out));
    assert_eq!(
        env.hive_tags("creator_0108"),
        ["beta_tester", "payment_issue", "vip"]
    );

    env.sim.set_faults(Vec::new());
    let adds = env.requests("hive.add");
    let out = env.run(&["--json", "batch", "resume", &id, "--yes"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        env.requests("hive.add"),
        adds,
        "only the removes are sent again"
    );
    assert_eq!(env.hive_tags("brand_new"), ["vip"]);
    assert_eq!(env.hive_tags("creator_0108"), ["payment_issue", "vip"]);
}
