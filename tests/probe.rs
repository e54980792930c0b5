//! `tagdesk probe hive` through the binary: against a spawned `tagdesk sim` (every
//! documented outcome MATCH, the errors as documented, the patron left clean, every step
//! journaled), against a server whose add messages drift by one word (MISMATCH on exactly
//! those steps, exit 1, the JSON's fields), `--compare` between two saves, a read-only
//! profile, `--demo`; and `S` in the console on a live profile.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::response::IntoResponse;
use ratatui::crossterm::event::KeyCode;
use serde_json::Value;
use support::cli::*;

const STEP_FIELDS: [&str; 11] = [
    "step",
    "op",
    "fields",
    "http_status",
    "error_code",
    "scenario",
    "expected_scenario",
    "message",
    "documented",
    "check",
    "arrays_ok",
];

/// `tagdesk sim` as a child process, killed when dropped.
struct Sim {
    child: std::process::Child,
    base: String,
    /// Kept open: the simulator writes to it.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_sim() -> Sim {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tagdesk"));
    cmd.args(["sim", "--listen", "127.0.0.1:0", "--hive-key", HIVE_KEY])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    support::env::clean_env().apply(&mut cmd);
    let mut child = cmd.spawn().expect("tagdesk sim starts");
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    stdout.read_line(&mut line).expect("its first line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{line:?}"))
        .to_string();
    Sim {
        child,
        base,
        _stdout: stdout,
    }
}

/// The test environment's configuration with a `probe` profile on `base` (and a read-only
/// one), the probe's two api_fields in its catalogue.
fn with_probe_profiles(env: &Env, base: &str) {
    let config = format!(
        "{}\n[profiles.probe.hive]\nbase_url = \"{base}\"\napi_key_env = \"TEST_HIVE_KEY\"\n\
         tags = [{{ api_field = \"vip\", name = \"VIP\" }}, {{ api_field = \"newsletter\", name = \
         \"Newsletter\" }}]\n\n[profiles.probe_locked]\nread_only = true\n[profiles.probe_locked.hive]\n\
         base_url = \"{base}\"\napi_key_env = \"TEST_HIVE_KEY\"\ntags = [{{ api_field = \"vip\", \
         name = \"VIP\" }}, {{ api_field = \"newsletter\", name = \"Newsletter\" }}]\n",
        env.default_config()
    );
    env.write_config(&config);
}

async fn get_json(url: &str) -> Value {
    reqwest::get(url)
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON")
}

fn checks(report: &Value) -> Vec<(String, String, bool)> {
    report["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_string(),
                s["check"].as_str().unwrap().to_string(),
                s["arrays_ok"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn against_tagdesk_sim_every_outcome_matches_and_the_patron_ends_clean() {
    let sim = spawn_sim();
    let env = Env::new().await;
    with_probe_profiles(&env, &sim.base);
    let o = env
        .run(&["--profile", "probe", "probe", "hive", "--yes", "--json"])
        .await;
    assert_eq!(code(&o), 0, "{}\n{}", stdout(&o), stderr(&o));
    let report = json(&o);
    let keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "probe_id",
            "profile",
            "patron",
            "steps",
            "matched",
            "mismatched",
            "exit_code"
        ]
    );
    assert_eq!(report["patron"], "tagdesk_probe");
    assert_eq!(report["profile"], "probe");
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 18, "the clear, the 14 outcomes, the 3 errors");
    for s in steps {
        let fields: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(fields, STEP_FIELDS);
        assert_eq!(s["check"], "MATCH", "{s}");
        assert_eq!(s["arrays_ok"], true, "{s}");
    }
    // The 14 documented outcomes, each with its documented message, character for character.
    let outcomes: Vec<&Value> = steps[1..15].iter().collect();
    let mut scenarios: Vec<&str> = outcomes
        .iter()
        .map(|s| s["scenario"].as_str().unwrap())
        .collect();
    scenarios.sort_unstable();
    scenarios.dedup();
    assert_eq!(scenarios.len(), 14);
    for s in &outcomes {
        assert_eq!(s["message"], s["documented"], "{s}");
        assert_eq!(s["scenario"], s["expected_scenario"]);
    }
    // The three documented errors.
    let errors: Vec<(u64, &str)> = steps[15..]
        .iter()
        .map(|s| {
            (
                s["http_status"].as_u64().unwrap(),
                s["error_code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (400, "INVALID_PATRON"),
            (400, "PARAM_REQUIRED"),
            (403, "INVALID_API_KEY")
        ]
    );
    assert_eq!(report["matched"], 18);
    assert_eq!(report["mismatched"], 0);
    // The patron exists and holds none of the probe's tags; the made-up patron was not
    // created.
    let state = get_json(&format!("{}/_sim/state", sim.base)).await;
    let patrons = &state["hive"]["patrons"];
    let held = patrons["tagdesk_probe"].to_string();
    assert_ne!(held, "null", "the first add created the patron: {patrons}");
    assert!(
        !held.contains("vip") && !held.contains("newsletter"),
        "{held}"
    );
    assert!(
        !patrons.to_string().contains("tagdesk_probe_nobody_"),
        "{patrons}"
    );
    // Every step is journaled, as a batch of kind probe.
    let id = report["probe_id"].as_str().unwrap();
    let shown = env
        .run(&["--profile", "probe", "--json", "batch", "show", id])
        .await;
    assert_eq!(code(&shown), 0, "{}", stderr(&shown));
    let batch = json(&shown);
    assert_eq!(batch["op"], "probe");
    assert_eq!(batch["rows"].as_array().unwrap().len(), 18);
    let listed = env.run(&["--profile", "probe", "batch", "list"]).await;
    assert!(stdout(&listed).contains(id) && stdout(&listed).contains("probe"));
    // A probe is not resumed or undone: it says to run it again, and sends nothing.
    let before = get_json(&format!("{}/_sim/state", sim.base)).await["requests"].clone();
    for verb in ["undo", "resume"] {
        let o = env
            .run(&["--profile", "probe", "--yes", "batch", verb, id])
            .await;
        assert_eq!(code(&o), 2, "{verb}");
        assert!(stderr(&o).contains("probe hive"), "{}", stderr(&o));
    }
    let after = get_json(&format!("{}/_sim/state", sim.base)).await["requests"].clone();
    assert_eq!(before, after, "nothing was sent");
    // The human report says the same, and no key reached the output or the data folder.
    let human = env
        .run(&["--profile", "probe", "probe", "hive", "--yes"])
        .await;
    assert_eq!(code(&human), 0, "{}", stderr(&human));
    let text = stdout(&human);
    assert!(
        text.contains("14 of 14 documented outcomes MATCH as expected · 3 of 3 documented errors as documented"),
        "{text}"
    );
    assert!(
        text.contains("expected added [vip], got added [vip]"),
        "{text}"
    );
    assert!(text.contains("patron tagdesk_probe holds neither vip nor newsletter now"));
    for out in [stdout(&o), stderr(&o), text, stderr(&human)] {
        assert!(!out.contains(HIVE_KEY));
        assert!(
            !out.contains("not-a-valid-key"),
            "the wrong key is not printed"
        );
    }
    assert_no_secret_under(&env.data_dir());
}

/// A proxy in front of the simulator whose successful add answers say "tag" where the
/// documentation says "tags", once (one word of drift).
async fn drifting_server(upstream: String) -> String {
    async fn forward(State(upstream): State<String>, request: Request) -> axum::response::Response {
        let path = request.uri().path().to_string();
        let auth = request
            .headers()
            .get("authorization")
            .cloned()
            .expect("a key");
        let body: Bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
            .await
            .unwrap();
        let answer = reqwest::Client::new()
            .post(format!("{upstream}{path}"))
            .header("authorization", auth)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        let mut json: Value = answer.json().await.unwrap();
        if status == 200
            && path.ends_with("/add")
            && let Some(m) = json["message"].as_str()
        {
            json["message"] = Value::String(m.replacen("tags", "tag", 1));
        }
        (
            axum::http::StatusCode::from_u16(status).unwrap(),
            axum::Json(json),
        )
            .into_response()
    }
    let app = axum::Router::new().fallback(forward).with_state(upstream);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_whose_add_messages_drift_gives_mismatch_on_exactly_those_steps() {
    let env = Env::new().await;
    let drift = drifting_server(env.sim.base_url().to_string()).await;
    with_probe_profiles(&env, &env.sim.base_url());
    let first = env.dir.path().join("first.json");
    let second = env.dir.path().join("second.json");
    let clean = env
        .run(&[
            "--profile",
            "probe",
            "probe",
            "hive",
            "--yes",
            "--save",
            first.to_str().unwrap(),
        ])
        .await;
    assert_eq!(code(&clean), 0, "{}", stderr(&clean));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&first).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the report is private");
    }
    // The same application behind the drifting server.
    with_probe_profiles(&env, &drift);
    let o = env
        .run(&[
            "--profile",
            "probe",
            "probe",
            "hive",
            "--yes",
            "--json",
            "--save",
            second.to_str().unwrap(),
            "--compare",
            first.to_str().unwrap(),
        ])
        .await;
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let report = json(&o);
    assert_eq!(report["exit_code"], 1);
    let mismatched: Vec<String> = checks(&report)
        .into_iter()
        .filter(|(_, check, _)| check == "MISMATCH")
        .map(|(step, ..)| step)
        .collect();
    let adds: Vec<String> = checks(&report)
        .into_iter()
        .filter(|(step, ..)| step.starts_with("hive.add."))
        .map(|(step, ..)| step)
        .collect();
    assert_eq!(adds.len(), 7);
    assert_eq!(mismatched, adds, "exactly the add outcomes");
    assert_eq!(report["mismatched"], 7);
    assert_eq!(report["matched"], 11);
    assert!(
        checks(&report).iter().all(|(_, _, arrays_ok)| *arrays_ok),
        "the arrays are right: only the wording drifted"
    );
    let added = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "hive.add.added")
        .unwrap();
    assert_eq!(added["message"], "Successfully added tag to patron.");
    assert_eq!(added["documented"], "Successfully added tags to patron.");
    // --compare names the steps whose message changed since the first save.
    let changes = report["changes"]
        .as_array()
        .expect("changes with --compare");
    let mut named: Vec<&str> = changes
        .iter()
        .filter(|c| c["what"] == "message")
        .map(|c| c["step"].as_str().unwrap())
        .collect();
    named.sort_unstable();
    let mut want: Vec<&str> = adds.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(named, want);
    // The same in words, between the two saves' runs.
    let human = env
        .run(&[
            "--profile",
            "probe",
            "probe",
            "hive",
            "--yes",
            "--compare",
            first.to_str().unwrap(),
        ])
        .await;
    assert_eq!(code(&human), 1);
    let text = stdout(&human);
    assert!(text.contains("changed since"), "{text}");
    assert!(
        text.contains("hive.add.added_pre: the server's message is now worded differently"),
        "{text}"
    );
    assert!(text.contains("MISMATCH"), "{text}");
    assert!(text.contains("difference"), "{text}");
    // Compared with the drifting run, nothing changed.
    let same = env
        .run(&[
            "--profile",
            "probe",
            "--json",
            "probe",
            "hive",
            "--yes",
            "--compare",
            second.to_str().unwrap(),
        ])
        .await;
    assert_eq!(json(&same)["changes"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_sent_by_a_read_only_profile_or_without_two_fields() {
    let env = Env::new().await;
    with_probe_profiles(&env, &env.sim.base_url());
    let locked = env
        .run(&["--profile", "probe_locked", "probe", "hive", "--yes"])
        .await;
    assert_eq!(code(&locked), 2);
    assert!(stderr(&locked).contains("read-only"), "{}", stderr(&locked));
    // staging lists no api_fields: the message names --fields.
    let none = env.run(&["probe", "hive", "--yes"]).await;
    assert_eq!(code(&none), 2);
    assert!(stderr(&none).contains("--fields"), "{}", stderr(&none));
    let one = env
        .run(&["probe", "hive", "--yes", "--fields", "vip"])
        .await;
    assert_eq!(code(&one), 2);
    assert!(stderr(&one).contains("exactly two"), "{}", stderr(&one));
    // Without --yes and no terminal to ask on, a live profile is not probed.
    let unasked = env.run(&["--profile", "probe", "probe", "hive"]).await;
    assert_eq!(code(&unasked), 2);
    assert!(stderr(&unasked).contains("--yes"), "{}", stderr(&unasked));
    let bad_compare = env.dir.path().join("not-a-report.json");
    std::fs::write(&bad_compare, "{}").unwrap();
    let o = env
        .run(&[
            "--profile",
            "probe",
            "probe",
            "hive",
            "--yes",
            "--compare",
            bad_compare.to_str().unwrap(),
        ])
        .await;
    assert_eq!(code(&o), 2);
    for endpoint in ["hive.add", "hive.remove"] {
        assert_eq!(env.requests(endpoint), 0, "{endpoint}: nothing was sent");
    }
    // With --fields, staging is probed on those.
    let given = env
        .run(&[
            "--json",
            "probe",
            "hive",
            "--yes",
            "--fields",
            "vip,newsletter",
            "--patron",
            "qa_probe",
        ])
        .await;
    assert_eq!(code(&given), 0, "{}", stderr(&given));
    assert_eq!(json(&given)["patron"], "qa_probe");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_key_or_no_answer_stops_the_probe_at_once_and_claims_nothing_about_the_patron() {
    let env = Env::new().await;
    // A key the simulator does not know (Hive's 403 stops the run at its first request), and
    // an address where nothing listens.
    let base = env.sim.base_url();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let profile = |name: &str, base: &str, key_var: &str| {
        format!(
            "[profiles.{name}.hive]\nbase_url = \"{base}\"\napi_key_env = \"{key_var}\"\n\
             tags = [{{ api_field = \"vip\", name = \"VIP\" }}, {{ api_field = \"newsletter\", \
             name = \"Newsletter\" }}]\n"
        )
    };
    env.write_config(&format!(
        "{}\n{}\n{}",
        env.default_config(),
        profile("wrong_key", &base, "TEST_WRONG_KEY"),
        profile("nobody_there", &closed, "TEST_HIVE_KEY"),
    ));
    let refused = env
        .run(&["--profile", "wrong_key", "probe", "hive", "--yes"])
        .await;
    assert_eq!(code(&refused), 3, "{}", stderr(&refused));
    assert_eq!(env.requests("hive.remove"), 1, "one request, then it stops");
    assert_eq!(env.requests("hive.add"), 0);
    let out = stdout(&refused);
    assert!(out.contains("stopped: the API refused a request"), "{out}");
    assert!(
        !out.contains("holds neither"),
        "nothing confirmed it: {out}"
    );
    assert!(out.contains("not confirmed"), "{out}");
    // (TEST_WRONG_KEY is "not-the-key": the refused key is not printed either.)
    assert!(!out.contains("not-the-key") && !stderr(&refused).contains("not-the-key"));
    // Nothing listening: exit 4, and again no claim about the patron.
    let gone = env
        .run(&["--profile", "nobody_there", "probe", "hive", "--yes"])
        .await;
    assert_eq!(code(&gone), 4, "{}", stderr(&gone));
    let out = stdout(&gone);
    assert!(out.contains("stopped: no usable answer"), "{out}");
    assert!(!out.contains("holds neither"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_probe_runs_on_the_embedded_simulator() {
    let env = Env::new().await;
    let o = env.run(&["--demo", "--json", "probe", "hive"]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report = json(&o);
    assert_eq!(report["profile"], "demo");
    let outcomes = checks(&report)
        .iter()
        .filter(|(step, check, ok)| {
            !step.starts_with("hive.error.")
                && step != "hive.remove.clear"
                && check == "MATCH"
                && *ok
        })
        .count();
    assert_eq!(outcomes, 14);
    assert_eq!(report["exit_code"], 0);
}

#[test]
fn s_on_a_live_profile_previews_the_probe_and_runs_it_as_a_batch() {
    use tagdesk::tui::popups::Popup;
    let mut h = support::Harness::with_settings(tagdesk::sim::seed::Seed::demo(), 120, 40, |s| {
        s.demo = false;
        s.profile = "prod".into();
        s.policy.profile = "prod".into();
        s.hive.as_mut().expect("hive").local_sim = false;
    });
    h.reply_all();
    h.key(KeyCode::Char('S'));
    assert!(
        matches!(h.app.popup, Some(Popup::Preview(_))),
        "the probe is previewed, not the simulator's picker: {:?}",
        h.app.status
    );
    let screen = h.screen();
    assert!(screen.contains("tagdesk_probe"), "{screen}");
    assert!(screen.contains("live Hive application"), "{screen}");
    h.key(KeyCode::Enter);
    let job = h.jobs.first().expect("the probe runs as a batch").clone();
    assert_eq!(job.plan.op, tagdesk::core::plan::BatchOp::Probe);
    assert_eq!(job.todo.len(), 18);
    h.run_batch(None);
    let b = h
        .app
        .batch(&job.plan.batch_id)
        .expect("a batch of this run");
    assert_eq!(b.reports.len(), 18);
    // On a read-only profile the preview refuses it.
    let mut ro = support::Harness::with_settings(tagdesk::sim::seed::Seed::demo(), 120, 40, |s| {
        s.demo = false;
        s.policy.read_only = true;
        s.hive.as_mut().expect("hive").local_sim = false;
    });
    ro.reply_all();
    ro.key(KeyCode::Char('S'));
    ro.key(KeyCode::Enter);
    assert!(ro.jobs.is_empty(), "nothing is sent");
    assert!(ro.screen().contains("read-only"));
}
