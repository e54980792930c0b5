//! tagdesk against hostile servers, files and limits (issue 8, items 13–29): escape
//! sequences and bidi characters in every server string, a server that echoes the key, short
//! keys, an endless user list, a 1 GB journal, a writer still in flight, a full disk, files
//! that are not files, a network-facing simulator, plain http, the retry budget, a dropped
//! create, large bodies and a closed pipe.
//!
//! Memory bounds are asserted from /proc (the child's peak resident size, sampled until it
//! exits) or from the structure (what was read); nothing here times how fast anything runs,
//! only that it ends within generous bounds.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::env::clean_env;
use tagdesk::sim::{SimOptions, Simulator};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const BIN: &str = env!("CARGO_BIN_EXE_tagdesk");
const HIVE_KEY: &str = "hive-SECRET-5150";
const CEREGO_KEY: &str = "cerego-SECRET-2112";

/// Escape sequences and invisible characters a hostile server can send.
const NASTY: &str = "\u{1b}[2J\u{1b}]52;c;SGVsbG8=\u{7}\u{1b}]8;;http://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\\rover\u{8}\u{202e}dir\u{2066}iso\u{200b}zw";

/// Whether printed output holds anything that would act on a terminal.
fn acts_on_a_terminal(bytes: &[u8]) -> Option<String> {
    // CSV ends its lines with CRLF (RFC 4180); any other CR is a problem.
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    text.chars()
        .find(|&c| c != '\n' && tagdesk::core::printable::is_risky(c))
        .map(|c| format!("{c:?} in {text}"))
}

struct Dirs {
    root: tempfile::TempDir,
}

impl Dirs {
    fn new() -> Self {
        Self {
            root: tempfile::tempdir().expect("tempdir"),
        }
    }
    fn config(&self) -> PathBuf {
        self.root.path().join("config.toml")
    }
    fn data(&self) -> PathBuf {
        self.root.path().join("data")
    }
    fn write_config(&self, text: &str) {
        std::fs::write(self.config(), text).expect("config");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(self.config(), std::fs::Permissions::from_mode(0o600))
                .expect("chmod");
        }
    }
    /// A profile `h` with both services at `base`.
    fn config_for(&self, base: &str, extra: &str) {
        self.write_config(&format!(
            r#"default_profile = "h"
[timeouts]
connect = 2
total = 5
{extra}
[profiles.h.cerego]
base_url = "{base}"
partner_id = "4242"
api_key_env = "T_CEREGO_KEY"
tag_types = [{{ id = "3", name = "Cohort" }}]
tags_api = "legacy"  # these tests drive the legacy add / update (the default is "set")
[profiles.h.hive]
base_url = "{base}"
api_key_env = "T_HIVE_KEY"
"#
        ));
    }
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--config")
            .arg(self.config())
            .args(args)
            .stdin(Stdio::null());
        clean_env()
            .dirs(self.data(), self.root.path().join("xdg"))
            .var("T_HIVE_KEY", HIVE_KEY)
            .var("T_CEREGO_KEY", CEREGO_KEY)
            .apply(&mut c);
        c
    }
    async fn run(&self, args: &[&str]) -> Output {
        let mut c = self.command(args);
        tokio::task::spawn_blocking(move || c.output().expect("run tagdesk"))
            .await
            .expect("join")
    }
    fn journal(&self) -> PathBuf {
        tagdesk::engine::journal::file_for(&self.data(), "h")
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}
fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs a command to its end, sampling its peak resident size (VmHWM) from /proc until it
/// exits. Returns the output and the peak in KiB.
fn run_measured(mut command: Command, limit: Duration) -> (Output, u64) {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn");
    let pid = child.id();
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let started = Instant::now();
    let mut peak = 0u64;
    let status = loop {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status"))
            && let Some(line) = s.lines().find(|l| l.starts_with("VmHWM:"))
            && let Some(kb) = line.split_whitespace().nth(1).and_then(|n| n.parse().ok())
        {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the command did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let output = Output {
        status,
        stdout: out_reader.join().expect("stdout"),
        stderr: err_reader.join().expect("stderr"),
    };
    (output, peak)
}

/// The simulator on loopback, accepting this file's keys.
async fn sim() -> Simulator {
    Simulator::start_local(SimOptions {
        hive_key: HIVE_KEY.into(),
        cerego_key: CEREGO_KEY.into(),
        ..SimOptions::default()
    })
    .await
    .expect("sim")
}

// ------------------------------------------------------------------------------------------
// Item 13: every server string is made printable, on every output path.
// ------------------------------------------------------------------------------------------

async fn nasty_server() -> MockServer {
    let server = MockServer::start().await;
    let hive = json!({
        "message": format!("Successfully added tags to patron.{NASTY}"),
        "patron_id": format!("p{NASTY}"),
        "added_tag_ids": [format!("vip{NASTY}")],
        "pre_existing_tag_ids": [],
        "failed": [{"api_field": format!("x{NASTY}"), "error": format!("=HYPERLINK(\"http://evil\"){NASTY}")}],
    });
    Mock::given(method("POST"))
        .and(path("/api/v1/user_tags/add"))
        .respond_with(ResponseTemplate::new(200).set_body_json(hive))
        .mount(&server)
        .await;
    let users = json!({
        "data": [{"id": "7", "type": "users",
            "attributes": {"name": format!("Eve{NASTY}"), "email": format!("eve{NASTY}@x.org")},
            "relationships": {"partner-user-tags": {"data": [{"id": "1", "type": "partner-user-tags"}]}}}],
        "included": [{"id": "1", "type": "partner-user-tags",
            "attributes": {"value": format!("=cmd|' /C calc'!A0{NASTY}")},
            "relationships": {"partner-user-tag-type": {"data": {"id": "3"}}}}],
        "meta": {"total-pages": 1, "total-count": 1}
    });
    Mock::given(method("GET"))
        .and(path("/v3/partners/4242/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(users))
        .mount(&server)
        .await;
    let profile = json!({"data": {"id": "1", "type": "users",
        "attributes": {"name": format!("Admin{NASTY}"), "email": format!("a{NASTY}@x.org")}}});
    Mock::given(method("GET"))
        .and(path("/v3/my/profile"))
        .respond_with(ResponseTemplate::new(200).set_body_json(profile))
        .mount(&server)
        .await;
    // A Hive error whose code and message carry the same sequences.
    Mock::given(method("POST"))
        .and(path("/api/v1/user_tags/remove"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": true, "status": 400,
            "error_code": format!("INVALID_PATRON{NASTY}"),
            "message": format!("No patron{NASTY}"), "show_alert": false
        })))
        .mount(&server)
        .await;
    // A Cerego tag created with a hostile value.
    Mock::given(method("POST"))
        .and(path_regex(
            "^/v3/partner_user_tag_types/.*/partner_user_tags$",
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "data": {"id": "9", "type": "partner-user-tags",
                "attributes": {"value": format!("@SUM(1){NASTY}")},
                "relationships": {"partner-user-tag-type": {"data": {"id": "3"}}}}
        })))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path_regex("^/v3/partner_user_tags/.*$"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "errors": [{"status": "422", "title": format!("Bad{NASTY}"), "detail": format!("no{NASTY}")}]
        })))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn server_text_never_reaches_the_terminal_raw() {
    let server = nasty_server().await;
    let dirs = Dirs::new();
    dirs.config_for(&server.uri(), "");
    for args in [
        vec!["hive", "add", "p", "vip"],
        vec!["--json", "hive", "add", "p", "vip"],
        vec!["cerego", "users"],
        vec!["--json", "cerego", "users"],
        vec!["cerego", "profile"],
        vec!["hive", "remove", "p", "vip"],
        vec!["--json", "hive", "remove", "p", "vip"],
        vec!["cerego", "add", "--user", "7", "--type", "3", "v"],
        vec!["--json", "cerego", "add", "--user", "7", "--type", "3", "v"],
        vec!["cerego", "update", "1", "v"],
        vec!["--json", "cerego", "update", "1", "v"],
        vec!["log"],
        vec!["log", "--csv"],
        vec!["log", "--json"],
    ] {
        let o = dirs.run(&args).await;
        assert!(
            code(&o) == 0 || code(&o) == 1 || code(&o) == 3,
            "{args:?}: {}",
            stderr(&o)
        );
        if let Some(bad) = acts_on_a_terminal(&o.stdout) {
            panic!("{args:?} stdout: {bad}");
        }
        if let Some(bad) = acts_on_a_terminal(&o.stderr) {
            panic!("{args:?} stderr: {bad}");
        }
    }
    // JSON stays JSON, with the characters escaped rather than lost.
    let j = dirs.run(&["--json", "hive", "add", "p", "vip"]).await;
    let v: Value = serde_json::from_slice(&j.stdout).expect("JSON");
    assert!(
        v["result"]["message"]
            .as_str()
            .unwrap_or("")
            .contains('\u{202e}')
    );
    assert!(stdout(&j).contains("\\u202e"));
    // Spreadsheet formulas are neutralised in the CSV.
    let csv = stdout(&dirs.run(&["log", "--csv"]).await);
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
    let users = stdout(&dirs.run(&["cerego", "users"]).await);
    assert!(users.contains("Eve\\u{1b}[2J"), "{users}");
}

// ------------------------------------------------------------------------------------------
// Items 14 and 15: keys echoed by a server are redacted; short keys break nothing.
// ------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_key_echoed_by_the_server_is_redacted_everywhere() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/user_tags/add"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "error": true, "status": 403, "error_code": "INVALID_API_KEY",
            "message": format!("your key is {HIVE_KEY}, and it is wrong"), "show_alert": false
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/my/profile"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": {"id": "1",
            "type": "users", "attributes": {"name": format!("owner of {CEREGO_KEY}")}}})),
        )
        .mount(&server)
        .await;
    let dirs = Dirs::new();
    dirs.config_for(&server.uri(), "");
    for args in [
        vec!["hive", "add", "p", "vip"],
        vec!["--json", "hive", "add", "p", "vip"],
        vec!["cerego", "profile"],
        vec!["--json", "cerego", "profile"],
        vec!["config", "check"],
        vec!["log"],
        vec!["log", "--json"],
    ] {
        let o = dirs.run(&args).await;
        for key in [HIVE_KEY, CEREGO_KEY] {
            assert!(!stdout(&o).contains(key), "{args:?}: {}", stdout(&o));
            assert!(!stderr(&o).contains(key), "{args:?}: {}", stderr(&o));
        }
    }
    let o = dirs.run(&["hive", "add", "p", "vip"]).await;
    assert!(
        stderr(&o).contains("your key is [redacted]"),
        "{}",
        stderr(&o)
    );
    let journal = std::fs::read_to_string(dirs.journal()).expect("journal");
    assert!(!journal.contains(HIVE_KEY) && !journal.contains(CEREGO_KEY));
}

#[tokio::test(flavor = "multi_thread")]
async fn short_keys_never_break_a_request_or_the_journal() {
    for (hive_key, cerego_key) in [("k", "demo"), ("e", "t")] {
        let sim = Simulator::start_local(SimOptions {
            hive_key: hive_key.into(),
            cerego_key: cerego_key.into(),
            ..SimOptions::default()
        })
        .await
        .expect("sim");
        let dirs = Dirs::new();
        dirs.config_for(&sim.base_url(), "");
        let run = |args: &[&str]| {
            let mut c = dirs.command(args);
            c.env("T_HIVE_KEY", hive_key)
                .env("T_CEREGO_KEY", cerego_key);
            c
        };
        let mut c = run(&["hive", "add", "user_abc123", "vip"]);
        let o = tokio::task::spawn_blocking(move || c.output().expect("run"))
            .await
            .expect("join");
        assert_eq!(code(&o), 0, "key {hive_key:?}: {}", stderr(&o));
        let mut c = run(&["cerego", "profile"]);
        let o = tokio::task::spawn_blocking(move || c.output().expect("run"))
            .await
            .expect("join");
        assert_eq!(code(&o), 0, "key {cerego_key:?}: {}", stderr(&o));
        let contents = tagdesk::engine::journal::read(&dirs.journal()).expect("read");
        assert!(contents.problems.is_empty(), "{:?}", contents.problems);
        assert_eq!(contents.records.len(), 4, "two intents, two outcomes");
        let mut c = run(&["log", "--json"]);
        let o = tokio::task::spawn_blocking(move || c.output().expect("run"))
            .await
            .expect("join");
        assert_eq!(code(&o), 0);
        assert_eq!(stdout(&o).lines().count(), 2);
    }
}

// ------------------------------------------------------------------------------------------
// Item 16: an endless user list costs bounded memory and says where it stopped.
// ------------------------------------------------------------------------------------------

/// Pages of `per_page` users forever (`links.next` on every page, no totals).
struct Endless {
    per_page: usize,
}

impl Respond for Endless {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: usize = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page[number]")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        let users: Vec<Value> = (0..self.per_page)
            .map(|i| {
                let id = page * self.per_page + i;
                json!({"id": id.to_string(), "type": "users",
                    "attributes": {"name": format!("User {id}"), "email": format!("u{id}@example.org")},
                    "relationships": {"partner-user-tags": {"data": []}}})
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "data": users,
            "links": {"next": format!("/v3/partners/4242/users?page[number]={}", page + 1)},
            "meta": {"total-pages": null, "total-count": null}
        }))
    }
}

/// A server whose partner 4242 lists users with `responder`.
async fn users_server(responder: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/partners/4242/users"))
        .respond_with(responder)
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_user_list_streams_in_bounded_memory_and_is_cut_with_a_reason() {
    let server = users_server(Endless { per_page: 1000 }).await;
    let dirs = Dirs::new();
    dirs.config_for(&server.uri(), "[limits]\nmax_users = 150000\n");
    let command = dirs.command(&["cerego", "users"]);
    let (o, peak_kib) =
        tokio::task::spawn_blocking(move || run_measured(command, Duration::from_secs(240)))
            .await
            .expect("join");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o).lines().count(),
        150_000 + 1,
        "a header and every user"
    );
    let err = stderr(&o);
    assert!(
        err.contains("cut short") && err.contains("max_users"),
        "{err}"
    );
    // 150,000 users held at once would take well over this; one page at a time does not.
    assert!(peak_kib < 120 * 1024, "peak {peak_kib} KiB");
    // The journal keeps a summary of the listing, not its pages.
    let journal = std::fs::metadata(dirs.journal()).expect("journal").len();
    assert!(journal < 64 * 1024, "journal of {journal} bytes");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_listing_is_bounded_too() {
    use tagdesk::core::op::Output;
    use tagdesk::engine::exec::{Clients, Hooks, ListLimits, execute_journaled_with};
    let server = users_server(Endless { per_page: 100 }).await;
    let cfg = tagdesk::engine::api::ClientConfig::new(server.uri(), CEREGO_KEY);
    let clients = Clients {
        cerego: Some(tagdesk::engine::api::cerego::CeregoClient::new(&cfg).expect("client")),
        limits: ListLimits {
            max_users: 2_050,
            max_bytes: 1 << 30,
            ..ListLimits::default()
        },
        ..Default::default()
    };
    let op = tagdesk::core::op::Op::CeregoListUsers {
        partner: tagdesk::core::domain::PartnerId::parse("4242").expect("id"),
        query: None,
        departments: false,
    };
    let pages = std::sync::Mutex::new(0u32);
    let on_page = |_: tagdesk::engine::exec::PageProgress| {
        *pages.lock().expect("lock") += 1;
    };
    let hooks = Hooks {
        notify: &|_| {},
        on_page: &on_page,
        keep_users: false,
        prior: None,
    };
    let run = execute_journaled_with(
        &clients,
        None,
        "t",
        &op,
        &tagdesk::engine::retry::RetryPolicy::none(),
        &hooks,
    )
    .await;
    let Ok(Output::Users(list)) = run.result else {
        panic!("{:?}", run.result.err())
    };
    assert_eq!(list.listed, 2_050);
    assert!(list.users.is_empty(), "the pages carried the users");
    assert!(list.cut.as_deref().unwrap_or("").contains("max_users"));
    assert_eq!(*pages.lock().expect("lock"), 21);
    assert!(
        run.exchanges.len() <= 7,
        "transcripts of {} pages kept",
        run.exchanges.len()
    );
}

// ------------------------------------------------------------------------------------------
// Item 17: a 1 GB journal opens from its tail; `tagdesk log --since` seeks.
// ------------------------------------------------------------------------------------------

fn record_line(id: &str, time: chrono::DateTime<chrono::Utc>, intent: bool) -> String {
    use tagdesk::engine::journal::{IntentRecord, OutcomeRecord, Record};
    let op = tagdesk::core::op::Op::HiveAdd {
        patron: tagdesk::core::domain::PatronId::parse(&format!("patron_{id}")).expect("id"),
        fields: vec![tagdesk::core::domain::ApiField::parse("vip").expect("field")],
    };
    let record = if intent {
        let mut i = IntentRecord::new(id, "h", &op, None);
        i.time = time;
        i.writer = None;
        Record::Intent(Box::new(i))
    } else {
        let mut o = OutcomeRecord::cancelled(id, "test");
        o.time = time;
        Record::Outcome(o)
    };
    format!("{}\n", serde_json::to_string(&record).expect("record"))
}

/// A journal of 1 GiB: a few records a week old, a gigabyte hole (sparse: it takes no disk),
/// then a few records from the last minutes.
fn gigabyte_journal(path: &Path) {
    let week_ago = chrono::Utc::now() - chrono::Duration::days(7);
    let mut f = std::fs::File::create(path).expect("journal");
    for i in 0..3 {
        f.write_all(record_line(&format!("old-{i}"), week_ago, true).as_bytes())
            .expect("write");
        f.write_all(record_line(&format!("old-{i}"), week_ago, false).as_bytes())
            .expect("write");
    }
    let len = f.metadata().expect("meta").len();
    f.set_len(len + (1 << 30)).expect("sparse hole");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("reopen");
    f.write_all(b"\n").expect("line end");
    let now = chrono::Utc::now() - chrono::Duration::minutes(5);
    for i in 0..5 {
        f.write_all(record_line(&format!("new-{i}"), now, true).as_bytes())
            .expect("write");
        f.write_all(record_line(&format!("new-{i}"), now, false).as_bytes())
            .expect("write");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gigabyte_journal_costs_its_tail_not_its_size() {
    let dirs = Dirs::new();
    std::fs::create_dir_all(dirs.data()).expect("data dir");
    let sim = sim().await;
    dirs.config_for(&sim.base_url(), "");
    let path = dirs.journal();
    gigabyte_journal(&path);

    // `tagdesk log --since 1h` reads back from the end and stops at the old records.
    let command = dirs.command(&["log", "--since", "1h"]);
    let (o, peak_kib) =
        tokio::task::spawn_blocking(move || run_measured(command, Duration::from_secs(120)))
            .await
            .expect("join");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let entries = |out: &str, what: &str| {
        out.lines()
            .filter(|l| !l.starts_with(' ') && l.contains(what))
            .count()
    };
    assert_eq!(entries(&out, "patron_new-"), 5, "{out}");
    assert!(!out.contains("patron_old-"), "{out}");
    assert!(peak_kib < 100 * 1024, "peak {peak_kib} KiB");

    // What the console does at start: open (tail only) and read its history backwards.
    let (journal, report) =
        tagdesk::engine::journal::Journal::open(&dirs.data(), "h", vec![]).expect("open");
    assert!(
        report.scanned_from > 1 << 30,
        "only the tail was read (from {})",
        report.scanned_from
    );
    let rotated = report.rotated.clone().expect("rotated past the size limit");
    assert!(rotated.exists());
    drop(journal);
    let (recent, _) = tagdesk::engine::journal::recent(&path, 200).expect("recent");
    let ids: Vec<&str> = recent.iter().map(|e| e.id()).collect();
    assert_eq!(ids, ["new-0", "new-1", "new-2", "new-3", "new-4"]);

    // A CLI command on that journal works, and `log` reads the rotated file with the new one.
    let add = dirs.run(&["hive", "add", "user_abc123", "vip"]).await;
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let command = dirs.command(&["log", "--since", "1h"]);
    let (o, _) =
        tokio::task::spawn_blocking(move || run_measured(command, Duration::from_secs(120)))
            .await
            .expect("join");
    assert_eq!(entries(&stdout(&o), "Hive    add"), 6, "{}", stdout(&o));
}

// ------------------------------------------------------------------------------------------
// Item 18: a request in flight in a CLI is not declared abandoned by a console start.
// ------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_live_cli_request_gets_exactly_one_outcome() {
    let sim = sim().await;
    sim.set_faults(vec!["hive.add:latency=2500".parse().expect("rule")]);
    let dirs = Dirs::new();
    dirs.config_for(&sim.base_url(), "");
    let mut cli = dirs.command(&["hive", "add", "user_abc123", "vip"]);
    let child = cli
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cli");
    // Wait for its intent.
    let path = dirs.journal();
    let started = Instant::now();
    while !std::fs::read_to_string(&path).is_ok_and(|t| t.contains("\"intent\"")) {
        assert!(started.elapsed() < Duration::from_secs(20), "no intent");
        std::thread::sleep(Duration::from_millis(20));
    }
    // A console starts on the same profile meanwhile.
    let (mut journal, report) =
        tagdesk::engine::journal::Journal::open(&dirs.data(), "h", vec![]).expect("open");
    assert_eq!(report.pending.len(), 1, "the CLI's intent is open");
    let abandoned = journal.abandon_orphans(&report).expect("orphans");
    assert!(abandoned.is_empty(), "its writer is alive: not abandoned");
    drop(journal);
    let status = tokio::task::spawn_blocking(move || {
        let mut child = child;
        child.wait().expect("wait")
    })
    .await
    .expect("join");
    assert!(status.success());
    let contents = tagdesk::engine::journal::read(&path).expect("read");
    let outcomes: Vec<&str> = contents
        .records
        .iter()
        .filter_map(|r| match r {
            tagdesk::engine::journal::Record::Outcome(o) => Some(o.result.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(outcomes, ["ok"], "exactly one outcome, the real one");
    // Once its writer is gone, an open intent is abandoned at the next start.
    let mut j = tagdesk::engine::journal::Journal::open(&dirs.data(), "h", vec![])
        .expect("open")
        .0;
    let mut gone = tagdesk::engine::journal::IntentRecord::new(
        "from-a-dead-run",
        "h",
        &tagdesk::core::op::Op::CeregoProfile,
        None,
    );
    gone.writer = Some(tagdesk::engine::journal::Writer {
        pid: u32::MAX - 7,
        start: Some(1),
        boot: None,
    });
    j.append(&tagdesk::engine::journal::Record::Intent(Box::new(gone)))
        .expect("append");
    drop(j);
    let (mut j, report) =
        tagdesk::engine::journal::Journal::open(&dirs.data(), "h", vec![]).expect("open");
    assert_eq!(
        j.abandon_orphans(&report).expect("orphans"),
        ["from-a-dead-run"]
    );
}

// ------------------------------------------------------------------------------------------
// Item 19: an outcome the journal cannot keep is an error, with a non-zero exit.
// ------------------------------------------------------------------------------------------

/// The console's backend without a journal (it could not be opened at start): a change is
/// not sent, since nothing could record its intent; a read still is.
#[tokio::test(flavor = "multi_thread")]
async fn without_a_journal_the_console_sends_no_change() {
    use tagdesk::core::op::{ApiError, Op};
    use tagdesk::engine::backend::{self, Event, Request as BackendRequest};
    use tagdesk::engine::exec::Clients;
    let sim = sim().await;
    let hive = tagdesk::engine::api::ClientConfig::new(sim.base_url(), HIVE_KEY);
    let cerego = tagdesk::engine::api::ClientConfig::new(sim.base_url(), CEREGO_KEY);
    let clients = Clients {
        hive: Some(tagdesk::engine::api::hive::HiveClient::new(&hive).expect("client")),
        cerego: Some(tagdesk::engine::api::cerego::CeregoClient::new(&cerego).expect("client")),
        ..Default::default()
    };
    let (request_tx, request_rx) = tokio::sync::mpsc::unbounded_channel();
    let (event_tx, mut event_rx) = tokio::sync::mpsc::unbounded_channel();
    let _backend = backend::spawn(clients, None, Default::default(), request_rx, event_tx);
    let add = Op::HiveAdd {
        patron: tagdesk::core::domain::PatronId::parse("p").expect("id"),
        fields: vec![tagdesk::core::domain::ApiField::parse("vip").expect("field")],
    };
    for (id, op) in [(1, add), (2, Op::CeregoProfile)] {
        request_tx
            .send(BackendRequest {
                id,
                op,
                journal_id: String::new(),
                prior: None,
            })
            .expect("send");
        let reply = loop {
            match tokio::time::timeout(Duration::from_secs(10), event_rx.recv()).await {
                Ok(Some(Event::Done(reply))) => break reply,
                Ok(Some(_)) => continue,
                other => panic!("no reply: {}", other.is_ok()),
            }
        };
        if id == 1 {
            let Err(ApiError::JournalUnwritable { reason }) = &reply.result else {
                panic!("{:?}", reply.result)
            };
            assert!(reason.contains("not sent"), "{reason}");
            assert!(reply.exchanges.is_empty(), "nothing went over the wire");
        } else {
            assert!(
                reply.result.is_ok(),
                "a read still works: {:?}",
                reply.result
            );
        }
    }
    let state = sim.state_json();
    assert_eq!(
        state["requests"].get("hive.add"),
        None,
        "{}",
        state["requests"]
    );
    assert_eq!(state["requests"]["cerego.profile"], 1);
}

/// Runs `command` with the file size limit set to `limit` bytes and SIGXFSZ ignored, so a
/// write past the limit fails with EFBIG — what a full disk looks like to a writer.
#[cfg(target_os = "linux")]
fn with_file_size_limit(mut command: Command, limit: u64) -> Output {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls (setrlimit, sigaction) between fork and exec.
    unsafe {
        command.pre_exec(move || {
            nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_FSIZE, limit, limit)
                .map_err(std::io::Error::from)?;
            nix::sys::signal::signal(
                nix::sys::signal::Signal::SIGXFSZ,
                nix::sys::signal::SigHandler::SigIgn,
            )
            .map_err(std::io::Error::from)?;
            Ok(())
        });
    }
    command.output().expect("run")
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn a_lost_outcome_is_reported_and_exits_non_zero() {
    let sim = sim().await;
    let dirs = Dirs::new();
    dirs.config_for(&sim.base_url(), "");
    // One run, to learn how long an intent line is.
    let first = dirs.run(&["hive", "add", "user_abc123", "vip"]).await;
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let text = std::fs::read_to_string(dirs.journal()).expect("journal");
    let intent_len = text.lines().next().expect("intent").len() as u64 + 1;
    let size = text.len() as u64;
    let sent_before = sim.state_json()["requests"]["hive.add"]
        .as_u64()
        .unwrap_or(0);
    // Room for the intent (and a little), not for the outcome.
    let command = dirs.command(&["hive", "add", "user_abc123", "vip"]);
    let o =
        tokio::task::spawn_blocking(move || with_file_size_limit(command, size + intent_len + 40))
            .await
            .expect("join");
    let sent_after = sim.state_json()["requests"]["hive.add"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(sent_after, sent_before + 1, "the change was sent");
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("could not be written to the journal")
            && err.contains("Hive: add vip to patron user_abc123"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

// ------------------------------------------------------------------------------------------
// Item 22: configuration and seed paths must name small regular files.
// ------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn config_and_seed_paths_that_are_not_small_files_are_refused() {
    let dirs = Dirs::new();
    let fifo = dirs.root.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let big = dirs.root.path().join("big.toml");
    std::fs::write(&big, "# padding\n".repeat(200_000)).expect("big");
    for (path, says) in [
        (PathBuf::from("/dev/zero"), "character device"),
        (fifo.clone(), "FIFO"),
        (big.clone(), "limit"),
        (dirs.root.path().to_path_buf(), "directory"),
    ] {
        let mut c = Command::new(BIN);
        c.arg("--config")
            .arg(&path)
            .args(["config", "check"])
            .stdin(Stdio::null());
        clean_env()
            .var("TAGDESK_DATA_DIR", dirs.data())
            .apply(&mut c);
        let (o, _) = tokio::task::spawn_blocking(move || run_measured(c, Duration::from_secs(20)))
            .await
            .expect("join");
        assert_eq!(code(&o), 2, "{}: {}", path.display(), stderr(&o));
        assert!(
            stderr(&o).contains(says),
            "{}: {}",
            path.display(),
            stderr(&o)
        );
    }
    for path in [PathBuf::from("/dev/zero"), fifo] {
        let mut c = Command::new(BIN);
        c.args(["sim", "--listen", "127.0.0.1:0", "--seed"])
            .arg(&path)
            .stdin(Stdio::null());
        clean_env().apply(&mut c);
        let (o, _) = tokio::task::spawn_blocking(move || run_measured(c, Duration::from_secs(20)))
            .await
            .expect("join");
        assert_eq!(code(&o), 2, "{}: {}", path.display(), stderr(&o));
    }
}

// ------------------------------------------------------------------------------------------
// Item 23: the simulator's control API answers this machine only.
// ------------------------------------------------------------------------------------------

/// An address of this machine that is not loopback (the interface a default route uses).
/// This machine's address as other hosts see it, or None (with a note on stderr) on a
/// machine that has no route off loopback — there the two tests that need one cannot make
/// their point, and say so instead of failing for a reason that is not tagdesk's.
fn outward_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    let found = ["10.255.255.255:1", "192.0.2.1:1", "198.51.100.1:1"]
        .iter()
        .find_map(|target| {
            socket.connect(target).ok()?;
            let ip = socket.local_addr().ok()?.ip();
            (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
        });
    if found.is_none() {
        eprintln!("skipped: this machine has no non-loopback address to test from");
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn the_control_api_answers_loopback_clients_only() {
    let sim = Simulator::start("0.0.0.0:0".parse().expect("addr"), SimOptions::default())
        .await
        .expect("sim");
    let port = sim.addr().port();
    let Some(address) = outward_address() else {
        return;
    };
    let outside = format!("http://{address}:{port}");
    let inside = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for (base, allowed) in [(&inside, true), (&outside, false)] {
        for (m, p) in [
            (reqwest::Method::GET, "/_sim/state"),
            (reqwest::Method::POST, "/_sim/reset"),
            (reqwest::Method::DELETE, "/_sim/faults"),
        ] {
            let r = client
                .request(m.clone(), format!("{base}{p}"))
                .send()
                .await
                .expect("answer");
            assert_eq!(
                r.status().is_success(),
                allowed,
                "{m} {base}{p}: {}",
                r.status()
            );
            if !allowed {
                assert_eq!(r.status(), 403);
            }
        }
    }
    // The simulated APIs themselves answer from anywhere (that is what --listen is for).
    let r = client
        .post(format!("{outside}/api/v1/user_tags/add"))
        .header("Authorization", "token demo-hive-key")
        .json(&json!({"patron_id": "p", "user_tags_api_fields": ["vip"]}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);

    // `tagdesk sim` warns when it listens beyond this machine.
    let mut c = Command::new(BIN);
    c.args(["sim", "--listen", "0.0.0.0:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null());
    clean_env().apply(&mut c);
    let mut child = c.spawn().expect("sim");
    let mut err = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    err.read_line(&mut line).expect("warning");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.contains("warning") && line.contains("reachable from other hosts"),
        "{line}"
    );
}

// ------------------------------------------------------------------------------------------
// Item 24: plain http to another machine is refused unless the profile allows it.
// ------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_to_another_host_needs_allow_insecure_http() {
    let sim = Simulator::start(
        "0.0.0.0:0".parse().expect("addr"),
        SimOptions {
            hive_key: HIVE_KEY.into(),
            cerego_key: CEREGO_KEY.into(),
            ..SimOptions::default()
        },
    )
    .await
    .expect("sim");
    let Some(address) = outward_address() else {
        return;
    };
    let base = format!("http://{address}:{}", sim.addr().port());
    let dirs = Dirs::new();
    dirs.config_for(&base, "");
    let refused = dirs.run(&["hive", "add", "user_abc123", "vip"]).await;
    assert_eq!(code(&refused), 2, "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("in clear") && stderr(&refused).contains("allow_insecure_http"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("config.toml:"), "names the line");
    let text = std::fs::read_to_string(dirs.config())
        .expect("config")
        .replace(
            "[profiles.h.cerego]",
            "[profiles.h]\nallow_insecure_http = true\n[profiles.h.cerego]",
        );
    dirs.write_config(&text);
    let allowed = dirs.run(&["hive", "add", "user_abc123", "vip"]).await;
    assert_eq!(code(&allowed), 0, "{}", stderr(&allowed));
}

// ------------------------------------------------------------------------------------------
// Item 25: the retry budget bounds the whole operation, the last attempt included.
// ------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn the_retry_budget_bounds_the_last_attempt_too() {
    use tagdesk::engine::exec::{Clients, execute_journaled};
    let sim = Simulator::start_local(SimOptions::default())
        .await
        .expect("sim");
    // Every answer is slow and then a 503: each attempt takes 3 s, so a second attempt
    // started within the 4 s budget would end at about 6 s if nothing cut it.
    sim.set_faults(vec![
        "hive.add:latency=3000".parse().expect("rule"),
        "hive.add:503".parse().expect("rule"),
    ]);
    let cfg =
        tagdesk::engine::api::ClientConfig::new(sim.base_url(), tagdesk::sim::DEFAULT_HIVE_KEY)
            .with_timeouts(Duration::from_secs(2), Duration::from_millis(3_500));
    let clients = Clients {
        hive: Some(tagdesk::engine::api::hive::HiveClient::new(&cfg).expect("client")),
        ..Default::default()
    };
    let policy = tagdesk::engine::retry::RetryPolicy {
        max_attempts: 10,
        base: Duration::from_millis(50),
        max_wait: Duration::from_millis(200),
        budget: Duration::from_secs(4),
    };
    let op = tagdesk::core::op::Op::HiveAdd {
        patron: tagdesk::core::domain::PatronId::parse("p").expect("id"),
        fields: vec![tagdesk::core::domain::ApiField::parse("vip").expect("field")],
    };
    let started = Instant::now();
    let run = execute_journaled(&clients, None, "t", &op, &policy, &|_| {}, &|_| {}).await;
    let took = started.elapsed();
    assert!(run.result.is_err());
    assert!(!run.retries.is_empty(), "it did retry");
    assert!(
        took < Duration::from_millis(5_000),
        "the 4 s budget held: took {took:?}"
    );
}

// ------------------------------------------------------------------------------------------
// Item 26: a Cerego add that may have reached the server says so.
// ------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_cerego_add_says_the_tag_may_exist() {
    let sim = sim().await;
    sim.set_faults(vec!["cerego.add:drop".parse().expect("rule")]);
    let dirs = Dirs::new();
    dirs.config_for(&sim.base_url(), "");
    let o = dirs
        .run(&[
            "cerego", "add", "--user", "1185304", "--type", "3", "Spring",
        ])
        .await;
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("could not reach the server"), "{err}");
    assert!(err.contains("may have been carried out"), "{err}");
    assert!(
        err.contains("tagdesk --profile h cerego users --query 1185304"),
        "{err}"
    );
}

// ------------------------------------------------------------------------------------------
// Item 28: the simulator answers large bodies with 413.
// ------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn large_bodies_get_413_in_the_services_shape() {
    let sim = Simulator::start_local(SimOptions::default())
        .await
        .expect("sim");
    let fields: Vec<String> = (0..200_000).map(|i| format!("field_{i}")).collect();
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/user_tags/add", sim.base_url()))
        .header("Authorization", "token demo-hive-key")
        .json(&json!({"patron_id": "p", "user_tags_api_fields": fields}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(body["error_code"], "PAYLOAD_TOO_LARGE");
    // Just under the limit, it is handled (linear in its size).
    let fields: Vec<String> = (0..60_000).map(|i| format!("f{i}")).collect();
    let started = Instant::now();
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/user_tags/add", sim.base_url()))
        .header("Authorization", "token demo-hive-key")
        .json(&json!({"patron_id": "p", "user_tags_api_fields": fields}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

// ------------------------------------------------------------------------------------------
// Item 29: a closed pipe ends a command quietly.
// ------------------------------------------------------------------------------------------

/// Runs the command, reads one line of its output, closes the pipe, and waits.
fn head_one(mut command: Command) -> (i32, String) {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("first line");
    drop(out);
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    let status = child.wait().expect("wait");
    (status.code().unwrap_or(-1), err)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_pipe_ends_quietly() {
    let server = users_server(Endless { per_page: 500 }).await;
    let dirs = Dirs::new();
    dirs.config_for(&server.uri(), "[limits]\nmax_users = 20000\n");
    let c = dirs.command(&["cerego", "users"]);
    let (status, err) = tokio::task::spawn_blocking(move || head_one(c))
        .await
        .expect("join");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status, 141, "{err}");
    // `tagdesk log | head` too: a journal longer than a pipe holds.
    let mut lines = String::new();
    for i in 0..2000 {
        lines.push_str(&record_line(&format!("r{i}"), chrono::Utc::now(), true));
    }
    std::fs::create_dir_all(dirs.data()).expect("data");
    std::fs::write(dirs.journal(), lines).expect("journal");
    let c = dirs.command(&["log"]);
    let (status, err) = tokio::task::spawn_blocking(move || head_one(c))
        .await
        .expect("join");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status, 141, "{err}");
}

/// A listing that fails part-way, streamed as JSON: still one valid JSON object, with the
/// users printed so far and the error.
struct FailsAtPage3;

impl Respond for FailsAtPage3 {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: usize = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page[number]")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        if page >= 3 {
            return ResponseTemplate::new(500)
                .set_body_json(json!({"errors": [{"detail": "boom"}]}));
        }
        Endless { per_page: 2 }.respond(request)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_that_fails_part_way_is_still_one_json_object() {
    let server = users_server(FailsAtPage3).await;
    let dirs = Dirs::new();
    dirs.config_for(&server.uri(), "");
    let o = dirs.run(&["--json", "cerego", "users"]).await;
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["ok"], false);
    assert_eq!(v["result"]["users"].as_array().map(Vec::len), Some(4));
    assert_eq!(v["error"]["status"], 500);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("boom")
    );
}

/// Item 14: a key echoed inside JSON with escapes (`\/`, `\u0041`) is found once decoded and
/// redacted from what the console's inspector shows.
#[tokio::test(flavor = "multi_thread")]
async fn an_escaped_key_in_a_json_body_is_redacted_too() {
    use tagdesk::engine::exec::{Clients, execute_journaled};
    let key = "hive/SECRET-A77";
    let server = MockServer::start().await;
    // The key written with an escaped slash and an escaped letter.
    let body = r#"{"message": "your key hive\/SECRET-\u004177 is noted", "patron_id": "p",
        "added_tag_ids": ["vip"], "pre_existing_tag_ids": [], "failed": []}"#;
    Mock::given(method("POST"))
        .and(path("/api/v1/user_tags/add"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let profile_key = tagdesk::engine::api::ClientConfig::new(server.uri(), key);
    let clients = Clients {
        hive: Some(tagdesk::engine::api::hive::HiveClient::new(&profile_key).expect("client")),
        redactor: tagdesk::core::redact::Redactor::new([key.to_string()]),
        ..Default::default()
    };
    let op = tagdesk::core::op::Op::HiveAdd {
        patron: tagdesk::core::domain::PatronId::parse("p").expect("id"),
        fields: vec![tagdesk::core::domain::ApiField::parse("vip").expect("field")],
    };
    let run = execute_journaled(
        &clients,
        None,
        "t",
        &op,
        &tagdesk::engine::retry::RetryPolicy::none(),
        &|_| {},
        &|_| {},
    )
    .await;
    let shown = run.exchanges[0].response_body.clone().expect("a body");
    let decoded: Value = serde_json::from_str(&shown).expect("still JSON");
    let message = decoded["message"].as_str().expect("message");
    assert!(!message.contains(key), "{message}");
    assert!(message.contains("[redacted]"), "{message}");
    let Ok(tagdesk::core::op::Output::Hive(o)) = run.result else {
        panic!("a Hive outcome")
    };
    assert!(!o.message.unwrap_or_default().contains(key));
}
