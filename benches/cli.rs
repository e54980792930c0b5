//! The command line's speed, and the Hive workspace at 100,000 known patrons.
//!
//! `cargo bench --bench cli` prints medians, all measured in one run against one
//! `tagdesk sim` in its own process, with a profile (hive and cerego, plain http on
//! loopback) in a configuration file:
//!
//! - One `tagdesk hive add` (whole process, wall time): on a fresh data dir, and on a grown
//!   one (a 6 MiB journal and a workspace of 100,000 known patrons).
//! - `xargs -P 8` running one `tagdesk hive add` per row beside `xargs -P 8` running one
//!   `curl` per row with the same body and headers (rows/s; skipped without curl).
//! - Building an API client in this process: plain http, and https (the first one loads the
//!   system's roots for the whole process).
//! - The Hive workspace at 100,000 known patrons, in this process: the console's share of
//!   a Hive reply (`App::update`), what it hands to the saver (the changed patron) beside
//!   the whole-workspace copy it used to make, saving one reply's change (an append) beside
//!   rewriting the whole workspace, and loading the workspace (the console's start).
//!
//! Set `BENCH_BEFORE_BIN` to another `tagdesk` binary (say, one built from an older
//! commit) to measure it side by side: blocks of its runs alternate with this build's, each
//! block after a `sync` (so that one binary's writes are not paid for by the other's fsyncs).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tagdesk::core::domain::PatronId;
use tagdesk::core::model::{KnownPatron, KnownTag};
use tagdesk::core::op::Output;
use tagdesk::core::op::hive::HiveOutcome;
use tagdesk::core::op::scenario::HiveAction;
use tagdesk::engine::api::ClientConfig;
use tagdesk::engine::api::hive::HiveClient;
use tagdesk::engine::backend::Reply;
use tagdesk::engine::workspace::{self, Extent, Workspace};
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::{App, Effect, Message};
use tagdesk::tui::demo_settings;

#[path = "common/mod.rs"]
mod common;

use common::{BIN, median, start_sim};

const KEY: &str = "demo-hive-key";
const PATRONS: usize = 100_000;

fn main() {
    let before = std::env::var("BENCH_BEFORE_BIN").ok();
    let mut bins: Vec<(&str, String)> = Vec::new();
    if let Some(b) = &before {
        bins.push(("before", b.clone()));
    }
    bins.push(("this build", BIN.to_string()));
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = start_sim(&[]);
    let config = config(dir.path(), &sim.base);
    println!(
        "tagdesk CLI benchmarks (medians), simulator at {}",
        sim.base
    );
    one_op(dir.path(), &config, &bins);
    fanout(dir.path(), &config, &sim.base, &bins);
    client_setup();
    workspace_at_scale(dir.path());
}

/// Building an API client in this process: plain http (no roots), and https (the system's
/// roots, loaded by the first https client of the process and shared by the others).
fn client_setup() {
    let build = |base: &str| {
        let started = Instant::now();
        HiveClient::new(&ClientConfig::new(base, KEY)).expect("client");
        started.elapsed()
    };
    let http: Vec<Duration> = (0..21).map(|_| build("http://127.0.0.1:9")).collect();
    let first = build("https://api.hivemoderation.com");
    let later: Vec<Duration> = (0..21)
        .map(|_| build("https://api.hivemoderation.com"))
        .collect();
    // What every client used to pay, whatever its URL: reqwest's own TLS set-up, which loads
    // the system's roots.
    let old: Vec<Duration> = (0..21)
        .map(|_| {
            let started = Instant::now();
            reqwest::Client::builder().build().expect("client");
            started.elapsed()
        })
        .collect();
    println!(
        "building an API client: plain http {:.3} ms; https, the first of the process {:.1} ms \
         (loads the system's roots), every later one {:.3} ms; before, every client {:.1} ms",
        ms(median(http)),
        ms(first),
        ms(median(later)),
        ms(median(old))
    );
}

fn config(dir: &Path, base: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "default_profile = \"bench\"\n\
             [profiles.bench.hive]\nbase_url = \"{base}\"\napi_key_env = \"BENCH_HIVE_KEY\"\n\
             [profiles.bench.cerego]\nbase_url = \"{base}\"\npartner_id = \"4242\"\n\
             api_key_env = \"BENCH_CEREGO_KEY\"\n"
        ),
    )
    .expect("config");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    path
}

fn tagdesk(bin: &str, data: &Path, config: &Path) -> Command {
    let mut c = Command::new(bin);
    c.arg("--config")
        .arg(config)
        .env("BENCH_HIVE_KEY", KEY)
        .env("BENCH_CEREGO_KEY", "demo-cerego-key")
        .env("TAGDESK_DATA_DIR", data)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn hive_add(bin: &str, data: &Path, config: &Path, patron: &str) -> Duration {
    let mut c = tagdesk(bin, data, config);
    c.args(["hive", "add", patron, "vip", "newsletter"]);
    let started = Instant::now();
    let status = c.status().expect("run");
    let took = started.elapsed();
    assert!(status.success(), "{bin} hive add: {status}");
    took
}

// ------------------------------------------------------------------------------------------
// One operation, whole process.
// ------------------------------------------------------------------------------------------

fn one_op(dir: &Path, config: &Path, bins: &[(&str, String)]) {
    const ROUNDS: usize = 5;
    const RUNS: usize = 9;
    for grown in [false, true] {
        let data: Vec<PathBuf> = (0..bins.len())
            .map(|i| {
                let d = dir.join(format!("one-{grown}-{i}"));
                std::fs::create_dir_all(&d).expect("data dir");
                if grown {
                    grow(&d, &bins[i].1, config);
                }
                d
            })
            .collect();
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); bins.len()];
        // Blocks of runs, alternating between the binaries, each after a `sync`: what one
        // binary left to write back must not land in the other's fsyncs.
        for round in 0..ROUNDS {
            for (i, (_, bin)) in bins.iter().enumerate() {
                sync();
                // The first run of a block warms the page cache.
                for run in 0..=RUNS {
                    let t = hive_add(bin, &data[i], config, &format!("one_{round}_{run}"));
                    if run > 0 {
                        times[i].push(t);
                    }
                }
            }
        }
        let what = if grown {
            "a 6 MiB journal and 100,000 known patrons"
        } else {
            "a fresh data dir"
        };
        for ((name, _), t) in bins.iter().zip(times) {
            println!(
                "one `tagdesk hive add` ({what}), {name}: {:.1} ms",
                ms(median(t))
            );
        }
    }
}

/// Writes back everything dirty, so that the next measurement pays only for its own writes.
fn sync() {
    let _ = Command::new("sync").status();
}

/// A data dir as after months of use: a journal past the 4 MiB tail window and a workspace
/// of [`PATRONS`] known patrons (in the snapshot format every tagdesk reads).
fn grow(data: &Path, bin: &str, config: &Path) {
    hive_add(bin, data, config, "seed_patron");
    let journal = data.join("journal-bench.jsonl");
    let pair = std::fs::read(&journal).expect("journal");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&journal)
        .expect("journal");
    let mut len = pair.len();
    while len < 6 << 20 {
        file.write_all(&pair).expect("grow the journal");
        len += pair.len();
    }
    let w = Workspace {
        patrons: patrons(PATRONS),
        ..Workspace::default()
    };
    std::fs::write(
        workspace::file_for(data, "bench"),
        serde_json::to_vec_pretty(&w).expect("json"),
    )
    .expect("workspace");
    let _ = std::fs::remove_file(workspace::changes_file_for(data, "bench"));
}

fn patrons(n: usize) -> Vec<KnownPatron> {
    let at = Some(Utc::now());
    (0..n)
        .map(|i| KnownPatron {
            id: PatronId::parse(&format!("patron_{i:06}")).expect("id"),
            tags: ["vip", "newsletter"]
                .iter()
                .map(|t| KnownTag {
                    api_field: (*t).into(),
                    confirmed_at: at,
                })
                .collect(),
            note: "last add confirmed by Hive".into(),
            confirmed_at: at,
            complete: false,
            absent: Vec::new(),
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

// ------------------------------------------------------------------------------------------
// xargs -P 8: tagdesk beside curl.
// ------------------------------------------------------------------------------------------

fn fanout(dir: &Path, config: &Path, base: &str, bins: &[(&str, String)]) {
    const ROWS: usize = 400;
    const ROUNDS: usize = 3;
    let curl = Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); bins.len() + 1];
    for round in 0..ROUNDS {
        for (i, (_, bin)) in bins.iter().enumerate() {
            sync();
            let data = dir.join(format!("fan-{round}-{i}"));
            std::fs::create_dir_all(&data).expect("data dir");
            let mut c = Command::new("xargs");
            c.args(["-P", "8", "-I", "{}", bin, "--config"])
                .arg(config)
                .args(["hive", "add", "{}", "vip", "newsletter"])
                .env("BENCH_HIVE_KEY", KEY)
                .env("BENCH_CEREGO_KEY", "demo-cerego-key")
                .env("TAGDESK_DATA_DIR", &data);
            rates[i].push(rows_per_second(c, &format!("t{round}_{i}"), ROWS));
        }
        if curl {
            sync();
            let mut c = Command::new("xargs");
            c.args(["-P", "8", "-I", "{}", "curl", "-s", "-o", "/dev/null", "-H"])
                .arg(format!("Authorization: token {KEY}"))
                .args(["-H", "Content-Type: application/json", "-d"])
                .arg("{\"patron_id\":\"{}\",\"user_tags_api_fields\":[\"vip\",\"newsletter\"]}")
                .arg(format!("{base}/api/v1/user_tags/add"));
            rates[bins.len()].push(rows_per_second(c, &format!("c{round}"), ROWS));
        }
    }
    let mid = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let curl_rate = curl.then(|| mid(rates[bins.len()].clone()));
    for (i, (name, _)) in bins.iter().enumerate() {
        let r = mid(rates[i].clone());
        let beside = curl_rate
            .map(|c| format!(" ({:.2}× curl)", r / c))
            .unwrap_or_default();
        println!("xargs -P 8 tagdesk hive add, {name}: {r:.0} rows/s{beside}");
    }
    match curl_rate {
        Some(c) => println!("xargs -P 8 curl, same rows: {c:.0} rows/s"),
        None => println!("xargs -P 8 curl: skipped (no curl)"),
    }
}

/// Runs `xargs` over `rows` patron ids on its stdin; rows per second.
fn rows_per_second(mut c: Command, prefix: &str, rows: usize) -> f64 {
    let started = Instant::now();
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("xargs");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        for i in 0..rows {
            writeln!(stdin, "{prefix}_{i}").expect("ids");
        }
    }
    let status = child.wait().expect("xargs");
    assert!(status.success(), "xargs: {status}");
    rows as f64 / started.elapsed().as_secs_f64()
}

// ------------------------------------------------------------------------------------------
// The Hive workspace at 100,000 known patrons.
// ------------------------------------------------------------------------------------------

fn workspace_at_scale(dir: &Path) {
    const RUNS: usize = 21;
    let known = patrons(PATRONS);

    // The console: a reply to a Hive add on a patron, with 100,000 known.
    let seed = Seed::demo();
    let mut settings = demo_settings(&seed);
    settings.patrons = known.clone();
    settings.persist = true;
    let (mut app, _) = App::new(settings, Utc::now());
    key(&mut app, KeyCode::Char('2'));
    let mut update = Vec::new();
    let mut handed = 0;
    for _ in 0..RUNS {
        key(&mut app, KeyCode::Char('a'));
        for c in "vip".chars() {
            key(&mut app, KeyCode::Char(c));
        }
        let Some(request) = key(&mut app, KeyCode::Enter)
            .into_iter()
            .find_map(|e| match e {
                Effect::Send(r) => Some(r),
                _ => None,
            })
        else {
            panic!("the add is sent");
        };
        let reply = Message::Reply(Box::new(Reply {
            id: request.id,
            op: request.op,
            exchanges: Vec::new(),
            retries: Vec::new(),
            result: Ok(Output::Hive(HiveOutcome {
                action: HiveAction::Add,
                message: Some("Successfully added tags to patron.".into()),
                patron_id: None,
                changed: vec!["vip".into()],
                unchanged: Vec::new(),
                failed: Vec::new(),
                missing_fields: Vec::new(),
                extra: Vec::new(),
                foreign_patron: None,
            })),
            finished_at: Utc::now(),
            journal_error: None,
        }));
        let started = Instant::now();
        let effects = app.update(reply);
        update.push(started.elapsed());
        for e in effects {
            if let Effect::Save(w) = e {
                handed = w.patrons.len();
            }
        }
    }
    let copies: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(app.workspace());
            started.elapsed()
        })
        .collect();
    println!(
        "Hive reply at {PATRONS} known patrons, console (App::update, UI thread): {:.2} ms; \
         it hands the saver {handed} patron (the whole-workspace copy it used to make: {:.1} ms)",
        ms(median(update)),
        ms(median(copies))
    );

    // Saving: one reply's change appended, beside the whole workspace rewritten.
    let data = dir.join("workspace");
    let whole = Workspace {
        patrons: known,
        cerego_lookups: Vec::new(),
        extent: Extent::Whole,
    };
    let timed = |f: &mut dyn FnMut()| {
        let t: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .collect();
        ms(median(t))
    };
    let rewrite = timed(&mut || workspace::save(&data, "bench", &whole).expect("save"));
    let snapshot = std::fs::metadata(workspace::file_for(&data, "bench")).map_or(0, |m| m.len());
    let mut n = 0;
    let append = timed(&mut || {
        n += 1;
        let mut p = whole.patrons[n].clone();
        p.tags.pop();
        let change = Workspace {
            patrons: vec![p],
            cerego_lookups: Vec::new(),
            extent: Extent::Changes,
        };
        workspace::save(&data, "bench", &change).expect("append");
    });
    let load = timed(&mut || {
        std::hint::black_box(workspace::load(&data, "bench"));
    });
    println!(
        "Hive workspace at {PATRONS} known patrons ({:.1} MB snapshot): saving one reply's \
         change {append:.2} ms (rewriting the whole workspace: {rewrite:.0} ms); loading it \
         {load:.0} ms",
        snapshot as f64 / 1e6
    );
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Message::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}
