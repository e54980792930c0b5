//! The binary at the edges (issue 19, items 7–10): a server asking for a wait longer than
//! tagdesk makes, signals with requests in flight, keys arriving as data, and input that
//! is unbounded or malformed.

mod support;

use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::cli::*;
use tagdesk::sim::faults::FaultRule;

impl Env {
    fn fault(&self, rule: &str) {
        self.sim
            .set_faults(vec![rule.parse::<FaultRule>().expect("a fault rule")]);
    }

    /// Every record of the staging journal.
    fn journal(&self) -> Vec<Value> {
        let path = self.data_dir().join("journal-staging.jsonl");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).expect("a journal line"))
            .collect()
    }

    /// The intents of the staging journal, each with its outcomes.
    fn intents(&self) -> Vec<(Value, Vec<Value>)> {
        let records = self.journal();
        records
            .iter()
            .filter(|r| r["kind"] == "intent")
            .map(|i| {
                let outcomes = records
                    .iter()
                    .filter(|o| o["kind"] == "outcome" && o["id"] == i["id"])
                    .cloned()
                    .collect();
                (i.clone(), outcomes)
            })
            .collect()
    }
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Waits for `child` at most `limit`; kills it (and fails) past that.
fn wait_within(mut child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "tagdesk did not end within {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---- item 10: panics and unbounded input ----------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_outside_its_bounds_is_refused_when_parsed() {
    let env = Env::new().await;
    let file = env.file("t.csv", b"r1,vip\nr2,vip\n");
    for rate in ["1e-20", "1e-19", "0.0009", "0", "-1", "10001", "inf", "NaN"] {
        let flag = format!("--rate={rate}");
        let out = env.run(&["hive", "import", "--yes", &flag, p(&file)]).await;
        assert_eq!(code(&out), 2, "--rate {rate}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("from 0.001 to 10,000"),
            "--rate {rate}: {}",
            stderr(&out)
        );
    }
    assert_eq!(env.hive_requests(), 0, "nothing was sent");
    // The bounds themselves are rates.
    for rate in ["0.001", "10000"] {
        let out = env
            .run(&["hive", "import", "--dry-run", "--rate", rate, p(&file)])
            .await;
        assert_eq!(code(&out), 0, "--rate {rate}: {}", stderr(&out));
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let env = Env::new().await;
    let fifo = env.dir.path().join("rows.fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).expect("mkfifo");
    for service in ["hive", "cerego"] {
        let child = env
            .command(&[service, "import", p(&fifo)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let out = tokio::task::spawn_blocking(move || wait_within(child, Duration::from_secs(15)))
            .await
            .expect("join");
        assert_eq!(code(&out), 2, "{service}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("is not a regular file (a FIFO)"),
            "{service}: {}",
            stderr(&out)
        );
    }
    assert_eq!(env.hive_requests(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_over_the_row_limit_is_refused_with_the_limit() {
    let env = Env::new().await;
    // 1,000,001 short rows: about 4 MB.
    let mut rows = String::with_capacity(4_200_000);
    for _ in 0..=1_000_000 {
        rows.push_str("p,v\n");
    }
    let file = env.file("huge.csv", rows.as_bytes());
    let out = env.run(&["hive", "import", "--yes", p(&file)]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("more than 1,000,000 rows"),
        "{}",
        stderr(&out)
    );
    // --skip-invalid does not send the first million.
    let out = env
        .run(&["hive", "import", "--yes", "--skip-invalid", p(&file)])
        .await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(env.hive_requests(), 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_quoting_and_extra_cells_name_their_line_and_send_nothing() {
    let env = Env::new().await;
    // A quote never closed at the end of the file.
    let open = env.file("open.csv", b"q1,vip\nq2,\"vip\n");
    let out = env.run(&["hive", "import", "--yes", p(&open)]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
    assert!(stderr(&out).contains("never closed"), "{}", stderr(&out));
    // A stray quote would change an id.
    let stray = env.file("stray.csv", b"q1,vip\n\"q2\"x,vip\n");
    let out = env.run(&["hive", "import", "--yes", p(&stray)]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
    // A Cerego file (user, tag type, value; no header) given to a Hive import.
    let cerego = env.file("cerego.csv", b"1185304,3,Spring\n1185305,3,Fall\n");
    let out = env.run(&["hive", "import", "--yes", p(&cerego)]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("line 1") && e.contains("line 2") && e.contains("3 cells"),
        "{e}"
    );
    assert_eq!(env.hive_requests(), 0, "nothing was sent");
    // --skip-invalid applies: the good rows go, the bad one is listed.
    let mixed = env.file("mixed.csv", b"q1,vip\nq2,vip,extra\n");
    let out = env
        .run(&[
            "--json",
            "hive",
            "import",
            "--yes",
            "--skip-invalid",
            p(&mixed),
        ])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["skipped"], 1);
    assert_eq!(env.hive_requests(), 1);
}

// ---- item 7: a Retry-After above the cap -------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_above_the_cap_stops_the_batch_until_a_resume() {
    let env = Env::new().await;
    env.fault("hive.add:429=99999999");
    let rows: String = (0..50).map(|i| format!("w{i},vip\n")).collect();
    let file = env.file("w.csv", rows.as_bytes());
    let started = Instant::now();
    let out = env
        .run(&[
            "--json",
            "hive",
            "import",
            "--yes",
            "--concurrency",
            "4",
            p(&file),
        ])
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "no wait is made"
    );
    // Only what was in flight was sent; the batch did not finish (docs/src/batches.md: 4, resumable).
    let sent = env.requests("hive.add");
    assert!(
        (1..=4).contains(&sent),
        "only the requests in flight: {sent}"
    );
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let e = stderr(&out);
    assert!(e.contains("stopped sending"), "{e}");
    assert!(e.contains("Retry-After: 99999999"), "{e}");
    // When the server said to come back: about three years from now.
    let year = (chrono::Utc::now() + chrono::Duration::seconds(99_999_999))
        .format("%Y-%m-%d")
        .to_string();
    assert!(e.contains(&year), "{year} in {e}");
    let summary = json(&out);
    assert_eq!(summary["pending"], 50, "{summary}");
    let id = summary["batch_id"]
        .as_str()
        .expect("a batch id")
        .to_string();
    assert!(e.contains(&format!("batch resume {id}")), "{e}");

    // The server is well again: the resume sends every row, and each ends once.
    env.sim.set_faults(Vec::new());
    let out = env.run(&["--json", "batch", "resume", &id, "--yes"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["requests"], 50);
    let shown = env.run(&["--json", "batch", "show", &id]).await;
    let shown = json(&shown);
    let rows = shown["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 50);
    assert!(rows.iter().all(|r| r["outcome"] == "ok"), "{shown}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_date_years_away_stops_the_batch_at_what_was_in_flight() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    // A hostile server: every add is refused with a come-back date in 2099.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/user_tags/add"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "Thu, 01 Jan 2099 00:00:00 GMT")
                .set_body_json(serde_json::json!({"error": true, "status": 429,
                    "message": "slow down"})),
        )
        .mount(&server)
        .await;
    let env = Env::new().await;
    env.write_config(
        &env.default_config()
            .replace(&env.sim.base_url(), &server.uri()),
    );
    let rows: String = (0..50).map(|i| format!("d{i},vip\n")).collect();
    let file = env.file("d.csv", rows.as_bytes());
    let out = env
        .run(&[
            "--json",
            "hive",
            "import",
            "--yes",
            "--concurrency",
            "4",
            p(&file),
        ])
        .await;
    let received = server.received_requests().await.unwrap_or_default().len();
    assert!(
        (1..=4).contains(&received),
        "only what was in flight: {received}"
    );
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let e = stderr(&out);
    assert!(e.contains("come back at 2099-01-01 00:00:00 UTC"), "{e}");
    assert_eq!(json(&out)["pending"], 50);
}

// ---- item 8: every way out journals what is in flight --------------------------------------

/// Waits until the journal holds `n` intents (requests on their way), at most 15 s.
async fn wait_for_intents(env: &Env, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while env.intents().len() < n {
        assert!(
            Instant::now() < deadline,
            "no {n} intents: {:?}",
            env.journal()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The intent is on disk before the request leaves: give it the moment to leave.
    tokio::time::sleep(Duration::from_millis(200)).await;
}

/// An environment whose requests may take 20 s, with the simulator's Hive adds slowed so a
/// request is in flight when a signal comes.
async fn slow_env() -> Env {
    let env = Env::new().await;
    env.write_config(&env.default_config().replace("total = 1.5", "total = 20"));
    env.fault("hive.add:latency=3000");
    env
}

fn signal(child: &Child, sig: nix::sys::signal::Signal) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
    nix::sys::signal::kill(pid, sig).expect("kill");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_single_command_journals_its_request_as_abandoned_on_every_signal() {
    use nix::sys::signal::Signal;
    for (sig, status) in [
        (Signal::SIGINT, 130),
        (Signal::SIGTERM, 143),
        (Signal::SIGHUP, 129),
    ] {
        let env = slow_env().await;
        let child = env
            .command(&["hive", "add", "s1", "vip"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        wait_for_intents(&env, 1).await;
        signal(&child, sig);
        let out = tokio::task::spawn_blocking(move || wait_within(child, Duration::from_secs(2)))
            .await
            .expect("join");
        assert_eq!(code(&out), status, "{sig}: {}", stderr(&out));
        let e = stderr(&out);
        assert!(e.contains(sig.as_str()), "{sig}: {e}");
        assert!(e.contains("journaled as abandoned"), "{sig}: {e}");
        let intents = env.intents();
        assert_eq!(intents.len(), 1, "{sig}");
        let (intent, outcomes) = &intents[0];
        assert_eq!(outcomes.len(), 1, "{sig}: one outcome: {outcomes:?}");
        assert_eq!(outcomes[0]["result"], "abandoned", "{sig}: {outcomes:?}");
        assert!(e.contains(intent["id"].as_str().unwrap()), "{sig}: {e}");
        // The log reads it as abandoned too.
        let log = env.run(&["--json", "log"]).await;
        assert!(stdout(&log).contains("\"abandoned\""), "{}", stdout(&log));
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_batch_stopped_by_a_signal_journals_its_rows_in_flight_and_resumes() {
    use nix::sys::signal::Signal;
    for (sigs, status) in [
        (vec![Signal::SIGTERM], 143),
        (vec![Signal::SIGHUP], 129),
        // The first Ctrl-C cancels (requests in flight finish); the second stops at once.
        (vec![Signal::SIGINT, Signal::SIGINT], 130),
    ] {
        let env = slow_env().await;
        let rows: String = (0..6).map(|i| format!("b{i},vip\n")).collect();
        let file = env.file("b.csv", rows.as_bytes());
        let child = env
            .command(&["hive", "import", "--yes", "--concurrency", "2", p(&file)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // The first row goes alone (3 s); then both workers have a request in flight.
        wait_for_intents(&env, 3).await;
        for s in &sigs {
            signal(&child, *s);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let out = tokio::task::spawn_blocking(move || wait_within(child, Duration::from_secs(2)))
            .await
            .expect("join");
        assert_eq!(code(&out), status, "{sigs:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("batch resume"), "{}", stderr(&out));
        let intents = env.intents();
        assert_eq!(
            intents.len(),
            3,
            "{sigs:?}: only the first row and the rows in flight were sent"
        );
        let (_, answered) = &intents[0];
        assert_eq!(answered.len(), 1, "{sigs:?}: {answered:?}");
        assert_eq!(answered[0]["result"], "ok", "{sigs:?}");
        for (_, outcomes) in &intents[1..] {
            assert_eq!(outcomes.len(), 1, "{sigs:?}: {outcomes:?}");
            assert_eq!(outcomes[0]["result"], "abandoned", "{sigs:?}");
        }
        // The batch is unfinished; a resume sends the abandoned rows and the rest (the
        // first row is done).
        env.sim.set_faults(Vec::new());
        let list = env.run(&["--json", "batch", "list"]).await;
        let id = json(&list)[0]["batch_id"].as_str().unwrap().to_string();
        let out = env.run(&["--json", "batch", "resume", &id, "--yes"]).await;
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(json(&out)["requests"], 5, "{sigs:?}");
    }
}

// ---- item 9: keys arriving as data -----------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_key_typed_as_data_is_never_sent_shown_or_written() {
    let env = Env::new().await;
    let mut printed = Vec::new();
    // On the command line, as a patron id, a tag, a Cerego user and a value.
    for args in [
        vec!["hive", "add", HIVE_KEY, "vip"],
        vec!["--json", "hive", "add", CEREGO_KEY, "vip"],
        vec!["hive", "remove", "user_abc123", HIVE_KEY],
        vec!["cerego", "update", "84001", CEREGO_KEY],
    ] {
        let out = env.run(&args).await;
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("API key of this profile")
                || stderr(&out).contains("API key of this profile"),
            "{args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        printed.push(out);
    }
    assert_eq!(env.hive_requests(), 0, "nothing was sent");
    // In CSV cells: the valid rows go, the rows with a key are listed by line only.
    let file = env.file(
        "keys.csv",
        format!("k1,vip\n{HIVE_KEY},vip\nk3,\"vip, {CEREGO_KEY}\"\nk4,vip\n").as_bytes(),
    );
    let results = env.dir.path().join("results.csv");
    for json_flag in [false, true] {
        let mut args = vec!["hive", "import", "--yes", "--skip-invalid", "--results"];
        args.push(p(&results));
        args.push(p(&file));
        if json_flag {
            args.insert(0, "--json");
        }
        let out = env.run(&args).await;
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let both = format!("{}{}", stdout(&out), stderr(&out));
        assert!(both.contains("line 2") && both.contains("line 3"), "{both}");
        printed.push(out);
        let dry = env
            .run(&["--json", "hive", "import", "--dry-run", p(&file)])
            .await;
        assert_eq!(code(&dry), 2, "invalid rows stop a dry-run too");
        printed.push(dry);
    }
    assert_eq!(env.hive_requests(), 4, "k1 and k4, twice");
    // Without --skip-invalid, nothing is sent.
    let out = env.run(&["hive", "import", "--yes", p(&file)]).await;
    assert_eq!(code(&out), 2);
    printed.push(out);
    // What tagdesk shows of its batches and its journal.
    for args in [
        vec!["batch", "list"],
        vec!["--json", "log"],
        vec!["log", "--csv"],
    ] {
        printed.push(env.run(&args).await);
    }
    let list = env.run(&["--json", "batch", "list"]).await;
    for b in json(&list).as_array().expect("batches") {
        let id = b["batch_id"].as_str().unwrap().to_string();
        printed.push(env.run(&["--json", "batch", "show", &id]).await);
        printed.push(env.run(&["batch", "show", &id, "--csv"]).await);
    }
    for out in &printed {
        for key in [HIVE_KEY, CEREGO_KEY] {
            assert!(!stdout(out).contains(key), "{}", stdout(out));
            assert!(!stderr(out).contains(key), "{}", stderr(out));
        }
    }
    let written = std::fs::read_to_string(&results).expect("the results file");
    assert!(
        !written.contains(HIVE_KEY) && !written.contains(CEREGO_KEY),
        "{written}"
    );
    assert_no_secret_under(&env.data_dir());
}
