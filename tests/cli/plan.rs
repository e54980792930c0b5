//! Issue 23 §4: a plan a second person approves — `--plan-out`, `plan show`, `plan
//! approve`, `apply`, `require_approval`, through the binary against the simulator.

use serde_json::Value;

use crate::support::cli::*;

/// The test configuration with `operator = "dana"` and a `gated` profile that requires
/// approval.
fn gated_config(env: &Env) -> String {
    let base = env.sim.base_url();
    format!(
        "operator = \"dana\"\n{}\n[profiles.gated]\nrequire_approval = true\n\
         [profiles.gated.hive]\nbase_url = \"{base}\"\napi_key_env = \"TEST_HIVE_KEY\"\n",
        env.default_config()
    )
}

fn csv(env: &Env, name: &str, text: &str) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, text).expect("write csv");
    path.display().to_string()
}

fn read_plan(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("plan file")).expect("plan json")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gated_profile_runs_only_a_plan_another_person_approved() {
    let env = Env::new().await;
    env.write_config(&gated_config(&env));
    let file = csv(&env, "vip.csv", "plan_a,vip\nplan_b,newsletter\n");
    let plan = env.dir.path().join("vip.plan.json").display().to_string();

    // A direct import is refused on the gated profile, nothing sent.
    let direct = env
        .run(&["--profile", "gated", "--yes", "hive", "import", &file])
        .await;
    assert_eq!(code(&direct), 2, "{}", stderr(&direct));
    assert!(
        stderr(&direct).contains("requires approval") && stderr(&direct).contains("--plan-out"),
        "{}",
        stderr(&direct)
    );
    assert_eq!(env.requests("hive.add"), 0);

    // --plan-out writes the plan and sends nothing.
    let made = env
        .run(&[
            "--profile",
            "gated",
            "hive",
            "import",
            &file,
            "--plan-out",
            &plan,
        ])
        .await;
    assert_eq!(code(&made), 0, "{}", stderr(&made));
    assert_eq!(env.requests("hive.add"), 0, "--plan-out sends nothing");
    let written = read_plan(&plan);
    assert_eq!(written["tagdesk_plan"], 1);
    assert_eq!(written["author"], "dana");
    assert_eq!(written["profile"], "gated");
    assert_eq!(written["requests"], 2);
    assert_eq!(written["rows_digest"].as_str().map(str::len), Some(64));
    assert_eq!(written["known_digest"].as_str().map(str::len), Some(64));
    assert!(written["known"]["patron plan_a"].is_string(), "{written}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&plan).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Unapproved: refused.
    let unapproved = env
        .run(&["--profile", "gated", "--yes", "apply", &plan])
        .await;
    assert_eq!(code(&unapproved), 2, "{}", stderr(&unapproved));
    assert!(stderr(&unapproved).contains("requires approval by someone other than"));
    assert_eq!(env.requests("hive.add"), 0);

    // The author's own approval is recorded but does not count.
    let own = env
        .run(&["--profile", "gated", "plan", "approve", &plan])
        .await;
    assert_eq!(code(&own), 0, "{}", stderr(&own));
    assert!(stderr(&own).contains("does not count"), "{}", stderr(&own));
    assert_eq!(read_plan(&plan)["approvals"][0]["by"], "dana");
    let still = env
        .run(&["--profile", "gated", "--yes", "apply", &plan])
        .await;
    assert_eq!(code(&still), 2);
    assert!(
        stderr(&still).contains("own approval is recorded but does not count"),
        "{}",
        stderr(&still)
    );
    assert_eq!(env.requests("hive.add"), 0);

    // Sam approves; plan show says so and the plan is current.
    let sam = env
        .run(&[
            "--profile",
            "gated",
            "plan",
            "approve",
            &plan,
            "--as",
            "sam",
        ])
        .await;
    assert_eq!(code(&sam), 0, "{}", stderr(&sam));
    let shown = env
        .run(&["--profile", "gated", "--json", "plan", "show", &plan])
        .await;
    assert_eq!(code(&shown), 0, "{}", stderr(&shown));
    let j = json(&shown);
    assert_eq!(j["approved_by"], "sam");
    assert_eq!(j["stale"], false);
    assert_eq!(j["edited"], false);
    assert_eq!(j["predictions"].as_array().map(Vec::len), Some(2));
    let human = env
        .run(&["--profile", "gated", "plan", "show", &plan])
        .await;
    assert!(
        stdout(&human).contains("author:    dana"),
        "{}",
        stdout(&human)
    );
    assert!(stdout(&human).contains("the author's own: recorded, does not count"));

    // Approved by another person: it runs.
    let applied = env
        .run(&["--profile", "gated", "--yes", "--json", "apply", &plan])
        .await;
    assert_eq!(code(&applied), 0, "{}", stderr(&applied));
    assert_eq!(env.requests("hive.add"), 2);
    let batch_id = json(&applied)["batch_id"].as_str().unwrap().to_string();
    assert_eq!(read_plan(&plan)["applied_as"], batch_id.as_str());

    // The journal's batch header names author and approver.
    let show = env
        .run(&["--profile", "gated", "batch", "show", &batch_id])
        .await;
    assert!(
        stdout(&show).contains("plan by dana · approved by sam at "),
        "{}",
        stdout(&show)
    );
    let list = env
        .run(&["--profile", "gated", "--json", "batch", "list"])
        .await;
    let listed = json(&list);
    let b = &listed.as_array().unwrap()[0];
    assert_eq!(b["batch_id"], batch_id.as_str());
    assert_eq!(b["author"], "dana");
    assert_eq!(b["approved_by"], "sam");
    assert!(b["approved_at"].is_string());
    let list = env.run(&["--profile", "gated", "batch", "list"]).await;
    let line = stdout(&list)
        .lines()
        .find(|l| l.starts_with(batch_id.as_str()))
        .map(str::to_string)
        .unwrap_or_default();
    assert!(
        line.ends_with("(plan by dana, approved by sam)"),
        "batch list names author and approver: {}",
        stdout(&list)
    );

    // A plan is applied once.
    let again = env
        .run(&["--profile", "gated", "--yes", "apply", &plan])
        .await;
    assert_eq!(code(&again), 2);
    assert!(stderr(&again).contains("already applied as batch"));
    assert_eq!(env.requests("hive.add"), 2);

    // Its undo is gated the same way, and can be planned.
    let undo = env
        .run(&["--profile", "gated", "--yes", "batch", "undo", &batch_id])
        .await;
    assert_eq!(code(&undo), 2, "{}", stderr(&undo));
    assert!(stderr(&undo).contains("requires approval"));
    let undo_plan = env.dir.path().join("undo.plan.json").display().to_string();
    let planned = env
        .run(&[
            "--profile",
            "gated",
            "batch",
            "undo",
            &batch_id,
            "--plan-out",
            &undo_plan,
        ])
        .await;
    assert_eq!(code(&planned), 0, "{}", stderr(&planned));
    assert_eq!(read_plan(&undo_plan)["plan"]["undo_of"], batch_id.as_str());
    assert_eq!(env.requests("hive.remove"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_an_edited_or_another_profiles_plan_is_refused() {
    let env = Env::new().await;
    env.write_config(&gated_config(&env));
    let file = csv(&env, "news.csv", "stale_a,newsletter\nstale_b,newsletter\n");
    let plan = env.dir.path().join("news.plan.json").display().to_string();
    let made = env
        .run(&["hive", "import", &file, "--plan-out", &plan])
        .await;
    assert_eq!(code(&made), 0, "{}", stderr(&made));

    // Another profile: refused.
    let other = env
        .run(&["--profile", "gated", "--yes", "apply", &plan])
        .await;
    assert_eq!(code(&other), 2);
    assert!(
        stderr(&other).contains("was made for profile staging, not gated"),
        "{}",
        stderr(&other)
    );

    // A direct change to stale_b since: stale, naming it.
    let direct = env.run(&["hive", "add", "stale_b", "vip"]).await;
    assert_eq!(code(&direct), 0, "{}", stderr(&direct));
    let before = env.requests("hive.add");
    let stale = env.run(&["--yes", "apply", &plan]).await;
    assert_eq!(code(&stale), 2, "{}", stderr(&stale));
    assert!(
        stderr(&stale).contains("is stale") && stderr(&stale).contains("patron stale_b"),
        "{}",
        stderr(&stale)
    );
    assert!(
        !stderr(&stale).contains("patron stale_a"),
        "only who changed"
    );
    assert_eq!(env.requests("hive.add"), before, "nothing sent");
    let shown = env.run(&["--json", "plan", "show", &plan]).await;
    assert_eq!(json(&shown)["stale"], true);
    assert_eq!(json(&shown)["changed"][0], "patron stale_b");

    // --replan plans it again; this profile needs no approval, so it runs.
    let replanned = env
        .run(&["--yes", "--json", "apply", &plan, "--replan"])
        .await;
    assert_eq!(code(&replanned), 0, "{}", stderr(&replanned));
    assert_eq!(env.requests("hive.add"), before + 2);
    assert!(read_plan(&plan)["approvals"].as_array().unwrap().is_empty());

    // Rows edited after the plan was made (and approved): refused.
    let plan2 = env.dir.path().join("edit.plan.json").display().to_string();
    let made = env
        .run(&[
            "--profile",
            "gated",
            "hive",
            "import",
            &file,
            "--plan-out",
            &plan2,
        ])
        .await;
    assert_eq!(code(&made), 0, "{}", stderr(&made));
    let approved = env
        .run(&[
            "--profile",
            "gated",
            "plan",
            "approve",
            &plan2,
            "--as",
            "sam",
        ])
        .await;
    assert_eq!(code(&approved), 0);
    let text = std::fs::read_to_string(&plan2).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let row = serde_json::to_string(&v["plan"]["rows"][0]).unwrap();
    assert!(row.contains("newsletter"), "{row}");
    v["plan"]["rows"][0] = serde_json::from_str(&row.replace("newsletter", "vip")).unwrap();
    std::fs::write(&plan2, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let before = env.requests("hive.add");
    let edited = env
        .run(&["--profile", "gated", "--yes", "apply", &plan2])
        .await;
    assert_eq!(code(&edited), 2);
    assert!(
        stderr(&edited).contains("were edited"),
        "{}",
        stderr(&edited)
    );
    let reapprove = env
        .run(&[
            "--profile",
            "gated",
            "plan",
            "approve",
            &plan2,
            "--as",
            "kim",
        ])
        .await;
    assert_eq!(code(&reapprove), 2, "an edited plan is not approved");
    assert_eq!(env.requests("hive.add"), before);

    // --plan-out never replaces a file tagdesk did not write.
    let mine = csv(&env, "notes.txt", "my notes\n");
    let refused = env
        .run(&["hive", "import", &file, "--plan-out", &mine])
        .await;
    assert_eq!(code(&refused), 2);
    assert!(stderr(&refused).contains("not a tagdesk plan file"));
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "my notes\n");
}
