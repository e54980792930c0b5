//! The real console in a pseudo-terminal (issue 19): quit while a batch has requests in
//! flight (item 8) — the quit dialog counts the batch's requests, and every way out (`q` then
//! abandon, `Ctrl-C`, SIGTERM) journals each of them as abandoned, exactly once; and a key
//! typed as a patron id (item 9) is never drawn, sent or written.

mod support;

use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::pty::*;

/// The simulator's first Hive add takes 3 s; `batch_in_flight` slows every later one to 30 s
/// once the first has arrived.
const FIRST_ADD: &str = "hive.add:latency=3000*1";

/// Starts the console and imports a file of six Hive adds against a simulator started with
/// [`FIRST_ADD`]. A run's first request goes alone (a refused key costs one request): once
/// it has arrived, the simulator answers every later add only after 30 s, so when the first
/// has its answer the batch's four workers each have a request in flight. Returns the
/// first row's intent id and the ids of the four in flight.
fn batch_in_flight(dirs: &Dirs, sim: &Sim) -> (Tui, String, Vec<String>) {
    dirs.write_config(&sim.base_url());
    let file = dirs.path().join("six.csv");
    let rows: String = (0..6).map(|i| format!("q{i},vip\n")).collect();
    std::fs::write(&file, rows).expect("write the batch file");
    let mut tui = Tui::start(dirs, Mode::Config { hive_key: HIVE_KEY });
    tui.wait_for("profile: e2e");
    tui.send("2");
    // The known patrons are loaded before an import may act on them (until then `I` says
    // to wait): the title counts them once they are.
    tui.wait_for("Patrons · 0 known");
    tui.send("I");
    tui.send(file.to_str().expect("utf-8 path"));
    tui.send("\r");
    tui.wait_for("6 requests");
    tui.send("\r");
    let deadline = Instant::now() + Duration::from_secs(20);
    while sim.requests("hive.add") < 1 {
        assert!(
            Instant::now() < deadline,
            "the batch's first add never arrived"
        );
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(sim.requests("hive.add"), 1, "the first request goes alone");
    sim.add_fault("hive.add:latency=30000");
    let mut ids = wait_for_batch_intents(dirs, 5);
    let first = ids.remove(0);
    (tui, first, ids)
}

fn batch_intents(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .filter(|r| r["kind"] == "intent" && r["batch"].is_object())
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect()
}

fn wait_for_batch_intents(dirs: &Dirs, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(text) = std::fs::read_to_string(dirs.journal()) {
            let records: Vec<Value> = text
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect();
            let ids = batch_intents(&records);
            if ids.len() >= n {
                // The intent is on disk before its request leaves: let it leave.
                thread::sleep(Duration::from_millis(300));
                return ids;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no {n} batch intents in the journal"
        );
        thread::sleep(Duration::from_millis(25));
    }
}

/// The batch's first row was answered; each of the intents in flight has exactly one
/// outcome, abandoned.
fn assert_each_abandoned_once(dirs: &Dirs, first: &str, ids: &[String]) {
    let records = journal_records(&dirs.journal());
    let mut started = vec![first.to_string()];
    started.extend_from_slice(ids);
    assert_eq!(
        batch_intents(&records),
        started,
        "no row started after the quit"
    );
    let answered = outcomes_for(&records, first);
    assert_eq!(answered.len(), 1, "one outcome for {first}: {records:#?}");
    assert_eq!(answered[0]["result"], "ok", "{:#}", answered[0]);
    for id in ids {
        let outcomes = outcomes_for(&records, id);
        assert_eq!(outcomes.len(), 1, "one outcome for {id}: {records:#?}");
        assert_eq!(outcomes[0]["result"], "abandoned", "{:#}", outcomes[0]);
    }
}

#[test]
fn q_then_abandon_counts_and_journals_the_batch_requests_in_flight() {
    let dirs = Dirs::new();
    let sim = Sim::start(&[FIRST_ADD]);
    let (mut tui, first, ids) = batch_in_flight(&dirs, &sim);
    assert_eq!(ids.len(), 4);
    tui.send("\x1b");
    tui.send("q");
    tui.wait_for("4 requests are still in flight");
    tui.wait_for("1 request still to finish");
    tui.send("a");
    let status = tui.wait_exit();
    assert!(status.success(), "{status:?}");
    tui.wait_for("4 requests were still in flight; journaled as abandoned");
    assert_each_abandoned_once(&dirs, &first, &ids);
}

#[test]
fn ctrl_c_mid_batch_journals_its_requests_in_flight() {
    let dirs = Dirs::new();
    let sim = Sim::start(&[FIRST_ADD]);
    let (mut tui, first, ids) = batch_in_flight(&dirs, &sim);
    tui.send("\x03");
    tui.wait_exit();
    assert_each_abandoned_once(&dirs, &first, &ids);
}

#[test]
fn sigterm_mid_batch_journals_its_requests_in_flight() {
    let dirs = Dirs::new();
    let sim = Sim::start(&[FIRST_ADD]);
    let (mut tui, first, ids) = batch_in_flight(&dirs, &sim);
    tui.signal("-TERM");
    let status = tui.wait_exit();
    assert!(status.success(), "{status:?}");
    assert_each_abandoned_once(&dirs, &first, &ids);
}

#[test]
fn a_key_typed_as_a_patron_id_is_never_drawn_sent_or_remembered() {
    let dirs = Dirs::new();
    let sim = Sim::start(&[]);
    dirs.write_config(&sim.base_url());
    let mut tui = Tui::start(&dirs, Mode::Config { hive_key: HIVE_KEY });
    tui.wait_for("profile: e2e");
    tui.send("2");
    tui.wait_for("Patrons ·");
    tui.send("o");
    tui.wait_for("Open a Hive patron");
    tui.send(HIVE_KEY);
    tui.wait_for("[redacted]");
    tui.send("\r");
    tui.wait_for("Opened patron [redacted]");
    add_hive_tags(&mut tui, "vip");
    tui.wait_for("holds an API key");
    assert!(!tui.screen().contains(HIVE_KEY), "{}", tui.screen());
    tui.send("q");
    let status = tui.wait_exit();
    assert!(status.success(), "{status:?}");
    let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
    assert!(!raw.contains(HIVE_KEY), "the key reached the terminal");
    // Nothing was sent; nothing tagdesk wrote holds the key.
    let state: Value = serde_json::from_str(&sim.control("GET", "/_sim/state", "")).expect("state");
    assert_eq!(
        state["requests"]["hive.add"].as_u64().unwrap_or(0),
        0,
        "{state}"
    );
    let mut stack = vec![dirs.data()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&p).expect("read")).into_owned();
                assert!(
                    !text.contains(HIVE_KEY),
                    "{} holds the key: {text}",
                    p.display()
                );
            }
        }
    }
}
