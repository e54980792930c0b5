//! The standalone binary: `tagdesk sim` as a process, its flags and its signals.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use super::*;

/// A running `tagdesk sim` child process. Killed (SIGKILL) if the test fails before it
/// exits on its own.
struct SimProcess {
    child: Option<std::process::Child>,
    pid: u32,
    base: String,
    stdout: Option<BufReader<std::process::ChildStdout>>,
}

impl SimProcess {
    /// Spawns `tagdesk sim --listen 127.0.0.1:0 EXTRA...` and reads its first line.
    async fn spawn(extra: &[&str]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tagdesk"));
        cmd.args(["sim", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        support::env::clean_env().apply(&mut cmd);
        let mut child = cmd.spawn().expect("tagdesk sim starts");
        let pid = child.id();
        let stdout = child.stdout.take().expect("piped stdout");
        let mut process = Self {
            child: Some(child),
            pid,
            base: String::new(),
            stdout: None,
        };
        let (first, reader) = tokio::time::timeout(
            Duration::from_secs(30),
            tokio::task::spawn_blocking(move || {
                let mut reader = BufReader::new(stdout);
                let mut line = String::new();
                reader.read_line(&mut line).expect("read stdout");
                (line, reader)
            }),
        )
        .await
        .expect("the first line arrives")
        .expect("reader thread");
        process.stdout = Some(reader);
        process.base = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        let port: u16 = process
            .base
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("not a loopback URL: {}", process.base))
            .parse()
            .expect("a port");
        assert_ne!(port, 0, "the real port is printed, not 0");
        process
    }

    fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .args([format!("-{name}"), self.pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -{name} {}", self.pid);
    }

    /// Waits (up to `limit`) for the process to exit; its status and the rest of its stdout.
    async fn wait(&mut self, limit: Duration) -> (std::process::ExitStatus, String) {
        let mut child = self.child.take().expect("not waited for yet");
        let mut reader = self.stdout.take().expect("stdout");
        let waited = tokio::time::timeout(
            limit,
            tokio::task::spawn_blocking(move || {
                let status = child.wait().expect("wait");
                let mut rest = String::new();
                let _ = reader.read_to_string(&mut rest);
                (status, rest)
            }),
        )
        .await;
        match waited {
            Ok(joined) => joined.expect("waiter thread"),
            Err(_) => {
                // Still running: the waiter thread reaps it once this kill lands.
                let _ = Command::new("kill")
                    .args(["-KILL", &self.pid.to_string()])
                    .status();
                panic!("tagdesk sim did not exit within {limit:?}");
            }
        }
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[tokio::test]
async fn the_sim_binary_serves_and_stops_cleanly_on_sigterm() {
    let mut sim = SimProcess::spawn(&[]).await;

    // One real request (a keep-alive client stays open while the server stops).
    let http = reqwest::Client::new();
    let response = http
        .get(format!("{}/v3/my/profile", sim.base))
        .header("authorization", format!("Bearer {DEFAULT_CEREGO_KEY}"))
        .send()
        .await
        .expect("the binary answers");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["data"]["id"], "1000001");

    sim.signal("TERM");
    let (status, rest) = sim.wait(Duration::from_secs(10)).await;
    assert!(status.success(), "clean exit, got {status:?}");
    assert!(
        rest.contains("Cerego: partner 4242 with 36 users"),
        "{rest}"
    );
    assert_eq!(rest.lines().last(), Some("stopping"), "{rest}");
    drop(http);
}

#[tokio::test]
async fn the_sim_binary_stops_on_sighup_even_with_a_request_in_flight() {
    let mut sim = SimProcess::spawn(&["--latency-ms", "60000"]).await;
    let url = format!("{}/v3/my/profile", sim.base);
    let in_flight = tokio::spawn(async move {
        reqwest::Client::new()
            .get(url)
            .header("authorization", format!("Bearer {DEFAULT_CEREGO_KEY}"))
            .send()
            .await
    });
    // The control API is not delayed: watch the request arrive, then signal.
    let state_url = format!("{}/_sim/state", sim.base);
    loop {
        let (_, state) = raw(Method::GET, state_url.clone(), None, None).await;
        if state["requests"]["cerego.profile"] == 1 {
            break;
        }
        assert!(!in_flight.is_finished(), "the delayed request ended early");
        tokio::task::yield_now().await;
    }
    sim.signal("HUP");
    let (status, rest) = sim.wait(Duration::from_secs(15)).await;
    assert!(status.success(), "clean exit, got {status:?}");
    assert_eq!(rest.lines().last(), Some("stopping"), "{rest}");
    // The delayed request is cut off rather than answered after a minute.
    let answer = tokio::time::timeout(Duration::from_secs(10), in_flight)
        .await
        .expect("the client is released")
        .expect("task");
    assert!(answer.is_err(), "{answer:?}");
}

#[tokio::test]
async fn the_sim_binary_takes_keys_and_faults_from_its_flags() {
    let mut sim =
        SimProcess::spawn(&["--hive-key", "flag-hive-key", "--fault", "hive.add:503*1"]).await;
    let client = HiveClient::new(&ClientConfig::new(sim.base.clone(), "flag-hive-key")).unwrap();
    let err = client
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await
        .result
        .unwrap_err();
    assert_eq!(err.status(), Some(503), "the --fault rule applies once");
    let o = client
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await
        .result
        .expect("then the add goes through");
    assert_eq!(o.changed, ["vip"]);
    let default_key = HiveClient::new(&ClientConfig::new(sim.base.clone(), DEFAULT_HIVE_KEY))
        .unwrap()
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await
        .result
        .unwrap_err();
    assert_eq!(default_key.code(), Some("INVALID_API_KEY"));
    sim.signal("TERM");
    let (status, rest) = sim.wait(Duration::from_secs(10)).await;
    assert!(status.success(), "clean exit, got {status:?}");
    assert!(rest.contains("Faults: hive.add:503*1"), "{rest}");
    assert!(rest.contains("\"flag-hive-key\""), "{rest}");
}

/// `tagdesk sim --users N --patrons N` adds deterministic synthetic users (with tags) and
/// patrons to the seed: the listing counts them, a synthetic user is found by email, and a
/// synthetic patron answers a remove like any other.
#[tokio::test(flavor = "multi_thread")]
async fn the_standalone_simulator_adds_synthetic_users_and_patrons() {
    let sim = SimProcess::spawn(&["--users", "120", "--patrons", "50"]).await;
    let http = reqwest::Client::new();
    let users: Value = http
        .get(format!("{}/v3/partners/4242/users", sim.base))
        .header("authorization", format!("Bearer {DEFAULT_CEREGO_KEY}"))
        .send()
        .await
        .expect("the listing")
        .json()
        .await
        .expect("JSON");
    assert_eq!(users["meta"]["total-count"], 36 + 120, "{}", users["meta"]);
    let found: Value = http
        .get(format!(
            "{}/v3/partners/4242/users?query=synthetic.119@example.edu",
            sim.base
        ))
        .header("authorization", format!("Bearer {DEFAULT_CEREGO_KEY}"))
        .send()
        .await
        .expect("a look-up")
        .json()
        .await
        .expect("JSON");
    assert_eq!(found["data"][0]["id"], "3000119", "{found}");
    let client = HiveClient::new(&ClientConfig::new(sim.base.clone(), DEFAULT_HIVE_KEY)).unwrap();
    let call = client
        .remove(
            &tagdesk::core::domain::PatronId::parse("synth_49").unwrap(),
            &tagdesk::core::domain::ApiField::parse_list("vip").unwrap(),
        )
        .await;
    assert!(
        call.result.is_ok(),
        "a known patron, not INVALID_PATRON: {:?}",
        call.result
    );
}

/// Issue 21: `tagdesk sim --print-profile NAME` prints a `[profiles.NAME]` block pointing
/// at itself; saved as the configuration, `config check` passes every check against it.
#[tokio::test]
async fn the_printed_profile_passes_config_check_against_that_simulator() {
    let mut sim = SimProcess::spawn(&["--print-profile", "local"]).await;
    let mut reader = sim.stdout.take().expect("stdout");
    let lines = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking(move || {
            let mut lines = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).expect("read stdout") == 0 {
                    break;
                }
                let end = line.starts_with("# end of [profiles.local]");
                lines.push(line);
                if end {
                    break;
                }
            }
            (lines, reader)
        }),
    )
    .await
    .expect("the block arrives")
    .expect("reader thread");
    let (lines, reader) = lines;
    sim.stdout = Some(reader);
    let start = lines
        .iter()
        .position(|l| l.trim_end() == "[profiles.local]")
        .unwrap_or_else(|| panic!("no [profiles.local] in {lines:?}"));
    let block: String = lines[start..].concat();
    assert!(block.ends_with("# end of [profiles.local]\n"), "{block}");
    assert!(
        block.contains(&format!("base_url = \"{}\"", sim.base)),
        "{block}"
    );
    assert!(
        block.contains(&format!("api_key = \"{DEFAULT_CEREGO_KEY}\"")),
        "{block}"
    );
    assert!(block.contains("partner_id = \"4242\""), "{block}");
    assert!(block.contains("tags_api = \"set\""), "{block}");

    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, &block).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tagdesk"));
    cmd.arg("--config")
        .arg(&config)
        .args(["config", "check", "--profile", "local"])
        .stdin(Stdio::null());
    support::env::clean_env()
        .dirs(dir.path().join("data"), dir.path().join("xdg"))
        .apply(&mut cmd);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("config check runs"))
        .await
        .expect("join");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains('✗'), "{text}");
    for passed in [
        "✓ cerego: GET /v3/my/profile → 200",
        "✓ cerego tags (set, this profile's)",
        "✓ hive: probe",
    ] {
        assert!(text.contains(passed), "{passed}: {text}");
    }
}
