//! Batches from the command line against the simulator: CSV shapes, validation with line
//! numbers, dry-run, the gate, exit codes, results, resume after a kill, undo, Cerego
//! add / update / unchanged, and throttling.

mod support;

use std::process::Output;

use serde_json::Value;
use support::cli::*;
use tagdesk::sim::faults::FaultRule;

impl Env {
    fn tags_of(&self, patron: &str) -> Option<Vec<String>> {
        self.sim.state_json()["hive"]["patrons"][patron]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
    }

    fn cerego_value(&self, user: &str, tag_type: &str) -> Option<String> {
        let state = self.sim.state_json();
        state["cerego"]["tags"]
            .as_object()?
            .values()
            .find(|t| t["user_id"] == user && t["tag_type_id"] == tag_type)
            .and_then(|t| t["value"].as_str().map(str::to_string))
    }
}

fn p(path: &std::path::Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn show(env: &Env, out: &Output) -> Value {
    let id = json(out)["batch_id"]
        .as_str()
        .expect("a batch id")
        .to_string();
    let shown = env
        .command(&["--json", "batch", "show", &id])
        .output()
        .expect("batch show");
    assert_eq!(code(&shown), 0, "{}", stderr(&shown));
    json(&shown)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hive_file_with_bom_crlf_quoted_lists_and_merged_patrons() {
    let env = Env::new().await;
    let file = env.file(
        "tags.csv",
        b"\xEF\xBB\xBFUser_Tags,note,USER_ID\r\n\"vip, newsletter\",x,new_one\r\n\r\nbeta_tester,y,user_abc123\r\n\"escalated\",z,new_one\r\n",
    );
    let out = env.run(&["--json", "hive", "import", p(&file)]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(j["rows"], 3);
    assert_eq!(j["requests"], 2, "new_one's two lines are one request");
    assert_eq!(j["ok"], 2);
    assert_eq!(j["dry_run"], false);
    assert_eq!(j["exit_code"], 0);
    assert!(stderr(&out).contains("new_one is on lines 2, 5: merged"));
    assert_eq!(
        env.tags_of("new_one").unwrap(),
        strs(&["vip", "newsletter", "escalated"])
    );
    assert_eq!(
        sorted(env.tags_of("user_abc123").unwrap()),
        strs(&["beta_tester", "newsletter"])
    );
    assert_eq!(env.requests("hive.add"), 2);

    // batch show names every request with its lines and arrays.
    let shown = show(&env, &out);
    let rows = shown["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["line"], 2);
    assert_eq!(rows[0]["lines"], serde_json::json!([2, 5]));
    assert_eq!(rows[0]["op"], "hive_add");
    assert_eq!(rows[0]["outcome"], "ok");
    assert_eq!(
        rows[0]["added"],
        serde_json::json!(["vip", "newsletter", "escalated"])
    );
    assert_eq!(rows[1]["pre_existing"], serde_json::json!([]));
    assert_eq!(rows[1]["check"], "MATCH");
    assert_eq!(rows[0]["message"], "Successfully added tags to patron.");
    assert!(rows[0]["journal_id"].is_string());

    // Without a header, column 1 is the patron; --remove removes.
    let file = env.file("rm.csv", b"new_one,\"vip,escalated\"\n");
    let out = env
        .run(&["--json", "hive", "import", "--remove", p(&file)])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(env.tags_of("new_one").unwrap(), strs(&["newsletter"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_rows_stop_the_file_unless_skipped() {
    let env = Env::new().await;
    let file = env.file(
        "bad.csv",
        b"user_id,user_tags\np1,vip\n,vip\np3,\"vip user\"\n\np5\n",
    );
    let out = env.run(&["hive", "import", p(&file)]).await;
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("line 3: patron id"), "{err}");
    assert!(
        err.contains("line 4: api_field: \"vip user\" contains a space"),
        "{err}"
    );
    assert!(err.contains("line 6: no user_tags column"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    assert_eq!(env.hive_requests(), 0);

    let out = env.run(&["--json", "hive", "import", p(&file)]).await;
    assert_eq!(code(&out), 2);
    let j = json(&out);
    assert_eq!(j["exit_code"], 2);
    let lines: Vec<u64> = j["invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 6]);

    let out = env
        .run(&["--json", "hive", "import", "--skip-invalid", p(&file)])
        .await;
    assert_eq!(code(&out), 0, "skipped rows do not change the exit code");
    let j = json(&out);
    assert_eq!(j["skipped"], 3);
    assert_eq!(j["requests"], 1);
    assert!(stderr(&out).contains("skipped (--skip-invalid): line 4"));
    assert_eq!(env.hive_requests(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_sends_nothing_and_journals_only_its_record() {
    let env = Env::new().await;
    env.run(&["hive", "add", "user_abc123", "vip"]).await;
    let before = env.hive_requests();
    let file = env.file(
        "t.csv",
        b"user_abc123,\"vip, newsletter, beta_tester\"\nfresh,vip\n",
    );
    let out = env
        .run(&["--json", "hive", "import", "--dry-run", p(&file)])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(env.hive_requests(), before, "a dry-run sends nothing");
    let j = json(&out);
    assert_eq!(j["dry_run"], true);
    assert_eq!(j["requests"], 0);
    let plan = j["plan"].as_array().unwrap();
    assert_eq!(plan.len(), 2);
    assert_eq!(plan[0]["effect"], "=vip ?newsletter ?beta_tester");
    assert!(
        plan[0]["basis"]
            .as_str()
            .unwrap()
            .starts_with("last confirmed at")
    );
    assert!(
        plan[1]["basis"]
            .as_str()
            .unwrap()
            .starts_with("unknown: never seen")
    );
    assert_eq!(plan[0]["request"]["method"], "POST");
    assert!(
        plan[0]["command"]
            .as_str()
            .unwrap()
            .starts_with("tagdesk --profile staging hive add user_abc123")
    );
    let journal = std::fs::read_to_string(env.data_dir().join("journal-staging.jsonl")).unwrap();
    let kinds: Vec<String> = journal
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds, ["intent", "outcome", "dry_run"]);

    // An intent a killed run left open stays open through a dry-run (only a resume or the
    // console closes it): the dry-run writes its own record and nothing else.
    let orphan = r#"{"kind":"intent","id":"orphan-1","time":"2026-11-23T10:00:00Z","profile":"staging","op":{"op":"hive_add","patron":"p","fields":["vip"]},"target":"p","describe":"d","command":"c","request":null,"writer":{"pid":4000000000}}"#;
    let path = env.data_dir().join("journal-staging.jsonl");
    std::fs::write(&path, format!("{journal}{orphan}\n")).unwrap();
    let out = env
        .run(&["--json", "hive", "import", "--dry-run", p(&file)])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let after = std::fs::read_to_string(&path).unwrap();
    let added: Vec<String> = after
        .lines()
        .skip(journal.lines().count() + 1)
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(added, ["dry_run"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_gate_checks_the_plan_once() {
    let env = Env::new().await;
    let file = env.file("t.csv", b"a,vip\nb,vip\n");
    let locked = env
        .run(&["--profile", "locked", "hive", "import", p(&file)])
        .await;
    assert_eq!(code(&locked), 2);
    assert!(stderr(&locked).contains("read-only"), "{}", stderr(&locked));
    let asked = env
        .run(&["--profile", "prod", "hive", "import", p(&file)])
        .await;
    assert_eq!(code(&asked), 2, "no terminal to answer: refused");
    assert!(stderr(&asked).contains("asks for confirmation"));
    assert_eq!(env.hive_requests(), 0);
    let yes = env
        .run(&["--profile", "prod", "hive", "import", "--yes", p(&file)])
        .await;
    assert_eq!(code(&yes), 0, "{}", stderr(&yes));
    assert_eq!(env.hive_requests(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_and_the_results_file() {
    let env = Env::new().await;
    // Some tags fail → 1.
    let file = env.file("f.csv", b"p1,\"vip, nope\"\n");
    let out = env.run(&["hive", "import", p(&file)]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // A refused remove (INVALID_PATRON) → 3, with the server's message verbatim.
    let file = env.file("r.csv", b"user_id,user_tags\nghost,vip\np1,vip\n");
    let results = env.dir.path().join("out.csv");
    let out = env
        .run(&[
            "--json",
            "hive",
            "import",
            "--remove",
            "--results",
            p(&results),
            p(&file),
        ])
        .await;
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(j["refused"], 1);
    assert_eq!(j["ok"], 1);
    assert_eq!(j["results"], p(&results));
    let csv = std::fs::read_to_string(&results).unwrap();
    // Everything tagdesk writes is private to its user (docs/src/files.md), the results too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&results).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the results file is 0600");
    }
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "line,lines,target,op,outcome,http_status,error_code,scenario,check,expect,got,expect_check,message,added,pre_existing,removed,non_existent,failed,journal_id,source"
    );
    let ghost = lines.next().unwrap();
    assert!(
        ghost.starts_with("2,2,ghost,hive_remove,refused,400,INVALID_PATRON,"),
        "{ghost}"
    );
    let p1 = lines.next().unwrap();
    assert!(
        p1.starts_with("3,3,p1,hive_remove,ok,200,,all tags removed,MATCH,,,,Successfully removed tags from patron.,,,vip,,,"),
        "{p1}"
    );
    // Unreachable → 4.
    env.sim
        .set_faults(vec!["hive:drop".parse::<FaultRule>().unwrap()]);
    let file = env.file("d.csv", b"p1,vip\n");
    let out = env.run(&["--json", "hive", "import", p(&file)]).await;
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert_eq!(json(&out)["errors"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn undo_returns_every_patron_to_its_exact_tags() {
    let env = Env::new().await;
    let before_abc = env.tags_of("user_abc123").unwrap();
    let before_def = env.tags_of("user_def456").unwrap();
    let file = env.file(
        "t.csv",
        b"user_abc123,\"vip, newsletter\"\nuser_def456,\"escalated, spam_watch, bogus\"\nbrand_new,vip\n",
    );
    let out = env.run(&["--json", "hive", "import", p(&file)]).await;
    assert_eq!(code(&out), 1, "bogus fails: {}", stderr(&out));
    let id = json(&out)["batch_id"].as_str().unwrap().to_string();

    let dry = env
        .run(&["--json", "batch", "undo", &id, "--dry-run"])
        .await;
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    let plan = json(&dry)["plan"].as_array().unwrap().clone();
    assert_eq!(plan.len(), 3);
    assert_eq!(plan[0]["op"], "hive_remove");
    assert_eq!(
        plan[0]["command"].as_str().unwrap(),
        "tagdesk --profile staging hive remove user_abc123 vip"
    );
    assert_eq!(
        plan[1]["command"].as_str().unwrap(),
        "tagdesk --profile staging hive remove user_def456 escalated"
    );
    assert!(stderr(&dry).contains("they stay"), "{}", stderr(&dry));

    let undo = env.run(&["--json", "batch", "undo", &id]).await;
    assert_eq!(code(&undo), 0, "{}", stderr(&undo));
    let j = json(&undo);
    assert_eq!(j["undo_of"], id.as_str());
    assert_ne!(j["batch_id"], id.as_str());
    assert_eq!(env.tags_of("user_abc123").unwrap(), before_abc);
    assert_eq!(env.tags_of("user_def456").unwrap(), before_def);
    assert_eq!(env.tags_of("brand_new").unwrap(), Vec::<String>::new());

    // The undo is a batch of its own, listed with op "undo".
    let list = env.run(&["--json", "batch", "list"]).await;
    let list = json(&list);
    assert_eq!(list[0]["op"], "undo");
    assert_eq!(list[0]["state"], "finished");
    assert_eq!(list[1]["batch_id"], id.as_str());
    assert_eq!(list[1]["op"], "hive_add");
    assert_eq!(list[1]["rows"], 3);

    // One log entry is undone the same way.
    let single = env
        .run(&[
            "--json",
            "hive",
            "remove",
            "user_ghi789",
            "high_risk",
            "vip",
        ])
        .await;
    let jid = json(&single)["journal_id"].as_str().unwrap().to_string();
    let undo = env.run(&["--json", "undo", &jid]).await;
    assert_eq!(code(&undo), 0, "{}", stderr(&undo));
    assert_eq!(json(&undo)["undo_of"], jid.as_str());
    assert!(
        env.tags_of("user_ghi789")
            .unwrap()
            .contains(&"high_risk".to_string())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cerego_rows_add_update_or_stay_and_updates_undo() {
    let env = Env::new().await;
    let file = env.file(
        "c.csv",
        b"user_id,tag_type_id,value\n1185304,3,Spring 2026\n1185310,3,Spring 2026\n1185317,3,Spring 2026\n",
    );
    let dry = env
        .run(&["--json", "cerego", "import", "--dry-run", p(&file)])
        .await;
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    let plan = json(&dry)["plan"].as_array().unwrap().clone();
    assert_eq!(plan[0]["op"], "cerego_add");
    assert_eq!(
        plan[1]["effect"],
        "update Cohort: \"Autumn 2025\" → \"Spring 2026\""
    );
    assert_eq!(plan[2]["unchanged"], true);
    assert_eq!(
        env.requests("cerego.add") + env.requests("cerego.update"),
        0
    );

    let out = env.run(&["--json", "cerego", "import", p(&file)]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(
        (
            j["requests"].as_u64(),
            j["ok"].as_u64(),
            j["unchanged"].as_u64()
        ),
        (Some(2), Some(2), Some(1))
    );
    assert_eq!(
        env.cerego_value("1185304", "3").as_deref(),
        Some("Spring 2026")
    );
    assert_eq!(
        env.cerego_value("1185310", "3").as_deref(),
        Some("Spring 2026")
    );
    let shown = show(&env, &out);
    let outcomes: Vec<&str> = shown["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["ok", "ok", "unchanged"]);

    let id = j["batch_id"].as_str().unwrap().to_string();
    let undo = env.run(&["--json", "batch", "undo", &id]).await;
    assert_eq!(code(&undo), 0, "{}", stderr(&undo));
    assert_eq!(json(&undo)["requests"], 1, "only the update can be undone");
    assert!(
        stderr(&undo).contains("no endpoint to delete"),
        "{}",
        stderr(&undo)
    );
    assert_eq!(
        env.cerego_value("1185310", "3").as_deref(),
        Some("Autumn 2025")
    );

    // Unknown tag types and users are errors with their lines.
    let bad = env.file("b.csv", b"1185304,99,x\n999,3,x\n");
    let out = env.run(&["cerego", "import", p(&bad)]).await;
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("line 1: tag type 99 is not configured"));
    assert!(stderr(&out).contains("line 2: user 999 is not among the partner's"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_slows_the_whole_batch_and_every_row_lands() {
    let env = Env::new().await;
    env.sim
        .set_faults(vec!["hive.add:429=1*1".parse::<FaultRule>().unwrap()]);
    let rows: String = (0..12).map(|i| format!("t{i},vip\n")).collect();
    let file = env.file("t.csv", rows.as_bytes());
    let started = std::time::Instant::now();
    let out = env
        .run(&["--json", "hive", "import", "--concurrency", "4", p(&file)])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["ok"], 12);
    assert!(
        stderr(&out).contains("asked to slow down"),
        "{}",
        stderr(&out)
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(900),
        "Retry-After honoured"
    );
    for i in 0..12 {
        assert_eq!(env.tags_of(&format!("t{i}")).unwrap(), strs(&["vip"]));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_batch_resumes_and_every_row_ends_once() {
    let env = Env::new().await;
    env.sim
        .set_faults(vec!["hive:latency=150".parse::<FaultRule>().unwrap()]);
    let rows: String = (0..40)
        .map(|i| format!("k{i},\"vip, newsletter\"\n"))
        .collect();
    let file = env.file("k.csv", rows.as_bytes());
    let mut child = env
        .command(&["--json", "hive", "import", "--concurrency", "2", p(&file)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn tagdesk");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while env.hive_requests() < 6 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    env.sim.set_faults(Vec::new());

    let list = env.run(&["--json", "batch", "list"]).await;
    let list = json(&list);
    assert_eq!(list[0]["state"], "interrupted");
    assert_eq!(list[0]["op"], "hive_add");
    let id = list[0]["batch_id"].as_str().unwrap().to_string();

    let out = env.run(&["--json", "batch", "resume", &id]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let resumed = json(&out)["requests"].as_u64().unwrap();
    assert!(
        resumed > 0 && resumed < 40,
        "only the unfinished rows: {resumed}"
    );

    let shown = env
        .command(&["--json", "batch", "show", &id])
        .output()
        .unwrap();
    let shown = json(&shown);
    let rows = shown["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 40);
    for r in rows {
        assert_eq!(r["outcome"], "ok", "{r}");
    }
    for i in 0..40 {
        assert_eq!(
            env.tags_of(&format!("k{i}")).unwrap(),
            strs(&["vip", "newsletter"])
        );
    }
    // Resuming a finished batch sends nothing and exits 0.
    let before = env.hive_requests();
    let again = env.run(&["--json", "batch", "resume", &id]).await;
    assert_eq!(code(&again), 0);
    assert_eq!(json(&again)["requests"], 0);
    assert_eq!(env.hive_requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn standard_input_is_a_file_too() {
    let env = Env::new().await;
    let mut c = env.command(&["--json", "hive", "import", "-"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let out = tokio::task::spawn_blocking(move || {
        let mut child = c.spawn().expect("spawn");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin
                .write_all(b"user_id,user_tags\npiped,\"vip, newsletter\"\n")
                .expect("write");
        }
        child.wait_with_output().expect("wait")
    })
    .await
    .expect("join");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["ok"], 1);
    assert_eq!(env.tags_of("piped").unwrap(), strs(&["vip", "newsletter"]));
    let list = env.run(&["--json", "batch", "list"]).await;
    assert_eq!(json(&list)[0]["rows"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rate_spaces_requests_and_ctrl_c_leaves_the_rest_pending() {
    let env = Env::new().await;
    let file = env.file("r.csv", b"r1,vip\nr2,vip\nr3,vip\nr4,vip\nr5,vip\n");
    let started = std::time::Instant::now();
    let out = env
        .run(&["--json", "hive", "import", "--rate", "10", p(&file)])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(400),
        "5 requests at 10/s take at least 0.4 s"
    );
    let bad = env.run(&["hive", "import", "--rate", "0", p(&file)]).await;
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("is not a rate"), "{}", stderr(&bad));

    // Ctrl-C (SIGINT): requests in flight finish, the rest stay pending (exit 4), and the
    // batch is interrupted until a resume sends the rest.
    env.sim
        .set_faults(vec!["hive:latency=200".parse::<FaultRule>().unwrap()]);
    let rows: String = (0..30).map(|i| format!("c{i},vip\n")).collect();
    let file = env.file("c.csv", rows.as_bytes());
    let child = env
        .command(&["--json", "hive", "import", "--concurrency", "2", p(&file)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while env.hive_requests() < 10 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .expect("signal");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().expect("wait"))
        .await
        .expect("join");
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let j = json(&out);
    let pending = j["pending"].as_u64().unwrap();
    assert!(pending > 0 && pending < 30, "{j}");
    assert_eq!(j["ok"].as_u64().unwrap() + pending, 30);
    let list = env.run(&["--json", "batch", "list"]).await;
    assert_eq!(json(&list)[0]["state"], "interrupted");
    env.sim.set_faults(Vec::new());
    let id = j["batch_id"].as_str().unwrap().to_string();
    let resumed = env.run(&["--json", "batch", "resume", &id]).await;
    assert_eq!(code(&resumed), 0, "{}", stderr(&resumed));
    assert_eq!(json(&resumed)["requests"].as_u64(), Some(pending));
    for i in 0..30 {
        assert_eq!(env.tags_of(&format!("c{i}")).unwrap(), strs(&["vip"]));
    }
}

/// The `"concurrency_auto"` flag of the batch's start record in the journal.
fn journaled_auto(env: &Env, batch_id: &str) -> Option<bool> {
    let journal = std::fs::read_to_string(env.data_dir().join("journal-staging.jsonl")).ok()?;
    journal
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|r| r["batch_id"] == batch_id && r["event"] == "start")
        .map(|r| r["concurrency_auto"].as_bool().unwrap_or(false))
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrency_auto_grows_while_the_server_keeps_up() {
    let env = Env::new().await;
    env.sim
        .set_faults(vec!["hive:latency=50".parse::<FaultRule>().unwrap()]);
    let rows: String = (0..120).map(|i| format!("g{i},vip\n")).collect();
    let file = env.file("g.csv", rows.as_bytes());
    let out = env
        .run(&[
            "--json",
            "hive",
            "import",
            "--concurrency",
            "auto",
            p(&file),
        ])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(j["ok"], 120);
    let c = &j["concurrency"];
    assert_eq!(c["auto"], true, "{c}");
    assert_eq!(c["throttled"], 0, "{c}");
    assert_eq!(c["lowest"], 4, "it starts at 4 and nothing shrank it: {c}");
    let peak = c["peak"].as_u64().unwrap();
    assert!(peak > 4 && peak <= 32, "grew while the latency held: {c}");
    // The progress line shows the current limit.
    let err = stderr(&out);
    assert!(
        err.contains("120/120 · ok 120") && err.contains(" (auto)"),
        "{err}"
    );
    assert!(err.contains("concurrency (auto) ended at"), "{err}");
    let id = j["batch_id"].as_str().unwrap();
    assert_eq!(
        journaled_auto(&env, id),
        Some(true),
        "the journal says auto"
    );

    // A fixed number stays fixed, and the journal says so.
    let file = env.file("f.csv", b"f1,vip\nf2,vip\n");
    let out = env
        .run(&["--json", "hive", "import", "--concurrency", "7", p(&file)])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(j["concurrency"]["auto"], false);
    assert_eq!(j["concurrency"]["peak"], 7);
    assert!(!stderr(&out).contains("(auto)"), "{}", stderr(&out));
    let id = j["batch_id"].as_str().unwrap();
    assert_eq!(journaled_auto(&env, id), Some(false));
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrency_auto_shrinks_on_a_rate_limit_and_every_row_lands() {
    let env = Env::new().await;
    env.sim.set_faults(vec![
        "hive:latency=50".parse::<FaultRule>().unwrap(),
        // Ten a second: the limit cannot have grown past 6 (4 + 5 successes take it there)
        // when the first refusals come, so one halving takes it below its start of 4,
        // whatever the timing of the run's first request (it goes alone).
        "hive:rate_limit=10".parse::<FaultRule>().unwrap(),
    ]);
    let rows: String = (0..40).map(|i| format!("s{i},vip\n")).collect();
    let file = env.file("s.csv", rows.as_bytes());
    let out = env
        .run(&[
            "--json",
            "hive",
            "import",
            "--concurrency",
            "auto",
            p(&file),
        ])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(j["ok"], 40, "every row landed: {j}");
    let c = &j["concurrency"];
    assert!(c["throttled"].as_u64().unwrap() > 0, "429s came: {c}");
    assert!(
        c["lowest"].as_u64().unwrap() < 4,
        "the limit was halved below its start: {c}"
    );
    let err = stderr(&out);
    assert!(err.contains("asked to slow down"), "{err}");
    assert!(err.contains("(concurrency "), "{err}");
    for i in 0..40 {
        assert_eq!(env.tags_of(&format!("s{i}")).unwrap(), strs(&["vip"]));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrency_takes_auto_or_1_to_32_and_nothing_else() {
    let env = Env::new().await;
    let file = env.file("x.csv", b"x1,vip\n");
    for bad in ["0", "33", "fast", "2.5", ""] {
        let out = env
            .run(&["hive", "import", "--concurrency", bad, p(&file)])
            .await;
        assert_eq!(code(&out), 2, "{bad}");
        assert!(
            stderr(&out).contains("is not a concurrency")
                && stderr(&out).contains("1 to 32, or auto"),
            "{bad}: {}",
            stderr(&out)
        );
    }
    assert_eq!(env.hive_requests(), 0, "nothing was sent");
    for good in ["AUTO", "32", "1"] {
        let out = env
            .run(&["--json", "hive", "import", "--concurrency", good, p(&file)])
            .await;
        assert_eq!(code(&out), 0, "{good}: {}", stderr(&out));
    }
    let help = env.run(&["hive", "import", "--help"]).await;
    assert!(
        stdout(&help).contains("--concurrency <N|auto>"),
        "{}",
        stdout(&help)
    );
}
