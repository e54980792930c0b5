//! Scale: a journal of 1 GB and a partner of 100,000 users, with their memory.
//!
//! `cargo bench --bench scale` prints medians of several runs and the peak resident size
//! (VmHWM, sampled from /proc while the measured process runs). Each measured process is a
//! separate one — the release `tagdesk` binary, or this bench re-run in a child mode — so
//! its peak is its own. docs/src/performance.md quotes these figures; re-run after changing the code
//! under them.
//!
//! - Journal: opening it as the console does at start (`Journal::open` reading the tail,
//!   then the history of 200 entries read backwards), and `tagdesk log --since 1h`; on a
//!   10 MB journal and on a 1 GB one (sparse: a hole between old and recent records), to
//!   show that the cost follows the tail, not the size.
//! - Users: a `tagdesk sim` seeded with 100,000 users (4,000 pages of 25), listed by
//!   `tagdesk cerego users` (streamed to /dev/null) and by the console's path (the backend
//!   handing pages to `App::update`, as the console does).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::Utc;
use tagdesk::core::op::Op;
use tagdesk::engine::journal::{IntentRecord, Journal, JournalOptions, OutcomeRecord, Record};
use tagdesk::sim::seed::Seed;

#[path = "common/mod.rs"]
mod common;

use common::{BIN, measure, median, start_sim};
const RUNS: usize = 7;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--child-open") => return child_open(Path::new(&args[2])),
        Some("--child-console-listing") => return child_console_listing(&args[2]),
        _ => {}
    }
    let dir = tempfile::tempdir().expect("tempdir");
    println!("tagdesk scale benchmarks ({RUNS} runs each, medians; peak RSS = max VmHWM)");
    journal_benches(dir.path());
    user_benches(dir.path());
}

// ------------------------------------------------------------------------------------------
// The journal.
// ------------------------------------------------------------------------------------------

fn line(id: &str, time: chrono::DateTime<Utc>, intent: bool) -> String {
    let op = Op::HiveAdd {
        patron: tagdesk::core::domain::PatronId::parse(&format!("patron_{id}")).expect("id"),
        fields: tagdesk::core::domain::ApiField::parse_list("vip newsletter").expect("fields"),
    };
    let record = if intent {
        let mut i = IntentRecord::new(id, "bench", &op, None);
        i.time = time;
        Record::Intent(Box::new(i))
    } else {
        let mut o = OutcomeRecord::cancelled(id, "bench");
        o.time = time;
        Record::Outcome(o)
    };
    format!("{}\n", serde_json::to_string(&record).expect("record"))
}

/// A journal of `size` bytes: real records up to 10 MB, then (past that) a sparse hole, then
/// 300 entries from the last minutes.
fn make_journal(dir: &Path, size: u64) {
    std::fs::create_dir_all(dir).expect("dir");
    let path = tagdesk::engine::journal::file_for(dir, "bench");
    let mut f = std::fs::File::create(&path).expect("journal");
    let old = Utc::now() - chrono::Duration::days(30);
    let mut written = 0u64;
    let mut i = 0;
    while written < size.min(10 << 20) - (300 * 700) {
        let pair = format!(
            "{}{}",
            line(&format!("o{i}"), old, true),
            line(&format!("o{i}"), old, false)
        );
        f.write_all(pair.as_bytes()).expect("write");
        written += pair.len() as u64;
        i += 1;
    }
    let hole = size > written + (1 << 20);
    if hole {
        f.set_len(size - (300 * 700)).expect("hole");
    }
    let recent = Utc::now() - chrono::Duration::minutes(10);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("append");
    if hole {
        f.write_all(b"\n").expect("line end after the hole");
    }
    for n in 0..300 {
        let pair = format!(
            "{}{}",
            line(&format!("n{n}"), recent, true),
            line(&format!("n{n}"), recent, false)
        );
        f.write_all(pair.as_bytes()).expect("write");
    }
}

/// What the console does with its journal at start.
fn console_open(dir: &Path) -> usize {
    let options = JournalOptions {
        demo: false,
        // Keep the file as it is between runs.
        rotate_bytes: u64::MAX,
    };
    let (journal, _report) = Journal::open_with(dir, "bench", vec![], options).expect("open");
    let (entries, _) = tagdesk::engine::journal::recent(journal.path(), 200).expect("recent");
    entries.len()
}

fn child_open(dir: &Path) {
    let n = console_open(dir);
    println!("{n}");
}

fn journal_benches(root: &Path) {
    for (label, size) in [("10 MB", 10u64 << 20), ("1 GB", 1u64 << 30)] {
        let dir = root.join(format!("journal-{size}"));
        make_journal(&dir, size);
        let mut open_times = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            let n = console_open(&dir);
            open_times.push(started.elapsed());
            assert_eq!(n, 200);
        }
        let (_, open_peak, _) = measure({
            let mut c = Command::new(std::env::current_exe().expect("self"));
            c.arg("--child-open").arg(&dir);
            c
        });
        let mut log_peak = 0;
        // `tagdesk --demo log` reads journal-demo.jsonl: the bench journal, linked.
        let mut by_profile = Vec::new();
        for _ in 0..RUNS {
            let mut c = Command::new(BIN);
            c.args(["--demo", "log", "--since", "1h"])
                .env("TAGDESK_DATA_DIR", &dir)
                .env("TAGDESK_CONFIG", dir.join("none.toml"));
            let demo = tagdesk::engine::journal::file_for(&dir, "demo");
            if !demo.exists() {
                std::fs::hard_link(tagdesk::engine::journal::file_for(&dir, "bench"), &demo)
                    .expect("link");
            }
            let (t, peak, out) = measure(c);
            assert_eq!(out.lines().filter(|l| !l.starts_with(' ')).count(), 300);
            by_profile.push(t);
            log_peak = log_peak.max(peak);
        }
        println!(
            "journal {label:>6}: console start (open + 200 entries of history) {:>8.2?} median, peak RSS {} MiB",
            median(open_times),
            open_peak / 1024
        );
        println!(
            "journal {label:>6}: `tagdesk log --since 1h` (300 recent entries) {:>8.2?} median, peak RSS {} MiB",
            median(by_profile),
            log_peak / 1024
        );
    }
}

// ------------------------------------------------------------------------------------------
// A partner of 100,000 users.
// ------------------------------------------------------------------------------------------

/// The console's listing in this process: the real backend against the simulator, each page
/// handed to `App::update` as the console's loop does.
fn child_console_listing(base: &str) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let seed = Seed::demo();
        let mut profile = seed.demo_profile(
            base,
            tagdesk::config::DemoKeys {
                hive: tagdesk::sim::DEFAULT_HIVE_KEY,
                cerego: tagdesk::sim::DEFAULT_CEREGO_KEY,
            },
        );
        profile.limits.max_users = 1_000_000;
        let clients = tagdesk::session::clients_for(&profile).expect("clients");
        let settings = tagdesk::tui::settings_from(&profile, Vec::new(), Vec::new(), Vec::new());
        let (mut app, effects) = tagdesk::tui::app::App::new(settings, Utc::now());
        let (request_tx, request_rx) = tokio::sync::mpsc::unbounded_channel();
        let (event_tx, mut event_rx) = tokio::sync::mpsc::unbounded_channel();
        let backend = tagdesk::engine::backend::spawn(
            clients,
            None,
            tagdesk::engine::retry::RetryPolicy::default(),
            request_rx,
            event_tx,
        );
        for e in effects {
            if let tagdesk::tui::app::Effect::Send(r) = e {
                request_tx.send(r).expect("send");
            }
        }
        let started = Instant::now();
        while let Some(event) = event_rx.recv().await {
            let done = matches!(event, tagdesk::engine::backend::Event::Done(_));
            app.update(tagdesk::tui::event_message(event));
            if done {
                break;
            }
        }
        let took = started.elapsed();
        drop(request_tx);
        backend.abandon_in_flight();
        println!("{} {}", app.known.cerego.len(), took.as_millis());
    });
}

fn user_benches(root: &Path) {
    let n = 100_000;
    let seed_path: PathBuf = root.join("users-100k.toml");
    std::fs::write(&seed_path, toml::to_string(&Seed::grown(n)).expect("seed")).expect("write");
    let sim = start_sim(&["--seed", seed_path.to_str().expect("a UTF-8 path")]);
    let config = root.join("users.toml");
    std::fs::write(
        &config,
        format!(
            "[limits]\nmax_users = 1000000\n[profiles.b.cerego]\nbase_url = \"{}\"\npartner_id = \"4242\"\napi_key_env = \"B_KEY\"\n",
            sim.base
        ),
    )
    .expect("config");
    let mut cli_times = Vec::new();
    let mut cli_peak = 0;
    for _ in 0..3 {
        let mut c = Command::new(BIN);
        c.args(["--config"])
            .arg(&config)
            .args(["cerego", "users"])
            .env("B_KEY", tagdesk::sim::DEFAULT_CEREGO_KEY)
            .env("TAGDESK_DATA_DIR", root.join("data"));
        let (t, peak, out) = measure(c);
        assert_eq!(out.lines().count(), n + 1, "every user and a header");
        cli_times.push(t);
        cli_peak = cli_peak.max(peak);
    }
    println!(
        "users 100,000 (4,000 pages): `tagdesk cerego users` {:>8.2?} median, peak RSS {} MiB",
        median(cli_times),
        cli_peak / 1024
    );
    let mut console_times = Vec::new();
    let mut console_peak = 0;
    for _ in 0..3 {
        let mut c = Command::new(std::env::current_exe().expect("self"));
        c.arg("--child-console-listing").arg(&sim.base);
        let (t, peak, out) = measure(c);
        let loaded: usize = out
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert_eq!(loaded, n, "{out}");
        console_times.push(t);
        console_peak = console_peak.max(peak);
    }
    println!(
        "users 100,000 (4,000 pages): console listing (backend + App::update per page) {:>8.2?} median, peak RSS {} MiB",
        median(console_times),
        console_peak / 1024
    );
}
