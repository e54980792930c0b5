//! Batches: throughput, concurrency under latency, the journal's cost per row, and memory.
//!
//! `cargo bench --bench batch` prints medians (3 runs each, all in one run of the bench, so
//! the figures compare) against a `tagdesk sim` in its own process:
//!
//! - Throughput: a 10,000-row Hive import (`tagdesk hive import`, every row journaled) at
//!   the default concurrency (4) and at 16, beside `xargs -P 8` running one `curl` per row
//!   over the same rows on the same simulator (skipped when curl is not installed).
//! - Latency: with `hive:latency=50` on the simulator, 400 rows at 4, 8 and 16 in flight,
//!   against the ideal concurrency ÷ latency. With `BENCH_BEFORE_BIN` set to another
//!   `tagdesk` binary (one built from an older commit), its runs alternate with this
//!   build's, run by run, and both are printed.
//! - The journal per row: the engine in this process, 2,000 rows at 16 in flight, with group
//!   commit (one write + one fsync for whatever intents and outcomes have gathered) and
//!   without it (one fsync per record).
//! - Memory: the peak resident size (VmHWM) of `tagdesk hive import` on a 100,000-row file,
//!   as a dry-run (preview) and as a run.
//! - Adaptive concurrency: with `hive:latency=100` and `hive:rate_limit=100` (a 429 with
//!   Retry-After: 1 past 100 requests in the last second), 1,000 rows at `--concurrency` 4,
//!   16, 32 and auto, the runs interleaved: rows/s and the 429s received (from the `--json`
//!   summary).
//! - Sets: `tagdesk hive import --set --scope vip,newsletter` on 10,000 patrons tagdesk has
//!   never seen (so each gets both requests: the add of vip, then the remove of newsletter:
//!   20,000 requests) at the default concurrency, beside `xargs -P 8` running one `curl` per
//!   request (every add, then every remove) on the same simulator.
//!
//! `cargo bench --bench batch -- adaptive` runs only the sections named.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tagdesk::core::plan::{self, BatchOp};
use tagdesk::core::redact::Redactor;
use tagdesk::engine::api::ClientConfig;
use tagdesk::engine::api::hive::HiveClient;
use tagdesk::engine::batch::{self, Control, RunContext, RunOptions, SavedPlan};
use tagdesk::engine::exec::Clients;
use tagdesk::engine::journal::{BatchEvent, Journal, Writer};

#[path = "common/mod.rs"]
mod common;

use common::{BIN, measure, median, start_sim};
const RUNS: usize = 3;
const KEY: &str = "demo-hive-key";

fn config(dir: &Path, base: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "default_profile = \"bench\"\n[profiles.bench.hive]\nbase_url = \"{base}\"\napi_key_env = \"BENCH_HIVE_KEY\"\n"
        ),
    )
    .expect("config");
    path
}

fn rows_file(dir: &Path, name: &str, n: usize) -> PathBuf {
    let path = dir.join(name);
    let mut text = String::from("user_id,user_tags\n");
    for i in 0..n {
        text.push_str(&format!("{name}_{i},\"vip, newsletter\"\n"));
    }
    std::fs::write(&path, text).expect("rows");
    path
}

fn tagdesk(dir: &Path, config: &Path, args: &[&str]) -> Command {
    tagdesk_bin(BIN, dir, config, args)
}

/// `tagdesk` as [`tagdesk`] runs it, from the binary `bin`.
fn tagdesk_bin(bin: &str, dir: &Path, config: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin);
    c.arg("--config")
        .arg(config)
        .args(args)
        .env("BENCH_HIVE_KEY", KEY)
        .env("TAGDESK_DATA_DIR", dir.join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn timed(mut c: Command) -> Duration {
    let started = Instant::now();
    let status = c.status().expect("run");
    assert!(status.success() || status.code() == Some(1), "{status}");
    started.elapsed()
}

fn curl_available() -> bool {
    Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `xargs -P 8` running one curl per row (patron ids on stdin).
fn curl_fanout(base: &str, ids: &[String]) -> Duration {
    curl_requests(base, "add", "[\"vip\",\"newsletter\"]", ids)
}

/// `xargs -P 8` running one curl per patron of `ids`: `action` (add or remove) of the
/// api_fields `fields` (a JSON array).
fn curl_requests(base: &str, action: &str, fields: &str, ids: &[String]) -> Duration {
    let url = format!("{base}/api/v1/user_tags/{action}");
    let body = format!("{{\"patron_id\":\"{{}}\",\"user_tags_api_fields\":{fields}}}");
    let started = Instant::now();
    let mut child = Command::new("xargs")
        .args([
            "-P",
            "8",
            "-I",
            "{}",
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "-H",
            &format!("Authorization: token {KEY}"),
            "-H",
            "Content-Type: application/json",
            "-d",
            &body,
            &url,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("xargs");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        for id in ids {
            writeln!(stdin, "{id}").expect("write ids");
        }
    }
    child.wait().expect("xargs");
    started.elapsed()
}

fn throughput(root: &Path) {
    let sim = start_sim(&[]);
    let dir = root.join("throughput");
    std::fs::create_dir_all(&dir).expect("dir");
    let config = config(&dir, &sim.base);
    const N: usize = 10_000;
    println!("\nthroughput: a {N}-row Hive import against `tagdesk sim` (no latency)");
    let mut rows_per_s = Vec::new();
    for concurrency in ["4", "16"] {
        let times: Vec<Duration> = (0..RUNS)
            .map(|run| {
                let file = rows_file(&dir, &format!("c{concurrency}r{run}"), N);
                timed(tagdesk(
                    &dir,
                    &config,
                    &[
                        "hive",
                        "import",
                        "--concurrency",
                        concurrency,
                        file.to_str().expect("path"),
                    ],
                ))
            })
            .collect();
        let m = median(times);
        let rate = N as f64 / m.as_secs_f64();
        rows_per_s.push(rate);
        println!(
            "  tagdesk hive import --concurrency {concurrency:<3} {:>8.0} rows/s  (median {:.2} s, every row journaled)",
            rate,
            m.as_secs_f64()
        );
    }
    if curl_available() {
        let times: Vec<Duration> = (0..RUNS)
            .map(|run| {
                let ids: Vec<String> = (0..N).map(|i| format!("curl{run}_{i}")).collect();
                curl_fanout(&sim.base, &ids)
            })
            .collect();
        let m = median(times);
        let rate = N as f64 / m.as_secs_f64();
        println!(
            "  xargs -P 8 curl (one per row)      {:>8.0} rows/s  (median {:.2} s, nothing journaled)",
            rate,
            m.as_secs_f64()
        );
        println!(
            "  ratio tagdesk/curl: {:.2}× at 4, {:.2}× at 16",
            rows_per_s[0] / rate,
            rows_per_s[1] / rate
        );
    } else {
        println!("  (curl is not installed: the xargs/curl comparison is skipped)");
    }
}

fn latency(root: &Path) {
    let sim = start_sim(&["--fault", "hive:latency=50"]);
    let dir = root.join("latency");
    std::fs::create_dir_all(&dir).expect("dir");
    let config = config(&dir, &sim.base);
    const N: usize = 400;
    println!("\nconcurrency under latency: {N} rows, hive:latency=50 on the simulator");
    let mut bins = Vec::new();
    if let Ok(before) = std::env::var("BENCH_BEFORE_BIN") {
        bins.push(("before", before));
    }
    bins.push(("this build", BIN.to_string()));
    for concurrency in [4usize, 8, 16] {
        let c = concurrency.to_string();
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); bins.len()];
        // Run by run, each binary in turn, so a change in the machine's load falls on both.
        for run in 0..RUNS {
            for (b, (_, bin)) in bins.iter().enumerate() {
                let file = rows_file(&dir, &format!("l{c}r{run}b{b}"), N);
                let args = [
                    "hive",
                    "import",
                    "--concurrency",
                    &c,
                    file.to_str().expect("path"),
                ];
                times[b].push(timed(tagdesk_bin(bin, &dir, &config, &args)));
            }
        }
        for ((name, _), t) in bins.iter().zip(times) {
            let m = median(t);
            let rate = N as f64 / m.as_secs_f64();
            let ideal = concurrency as f64 / 0.050;
            let label = if bins.len() > 1 {
                format!(" ({name})")
            } else {
                String::new()
            };
            println!(
                "  {concurrency:>2} in flight{label}: {rate:>6.0} rows/s, ideal {ideal:>4.0} → {:.0}% (median {:.2} s)",
                100.0 * rate / ideal,
                m.as_secs_f64()
            );
        }
    }
}

fn journal_cost(root: &Path) {
    let sim = start_sim(&[]);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    const N: usize = 2_000;
    println!("\nthe journal per row: {N} rows in this process, 16 in flight, no latency");
    for group in [true, false] {
        let times: Vec<Duration> = (0..RUNS)
            .map(|run| {
                let dir = root.join(format!("journal-{group}-{run}"));
                let (journal, _) = Journal::open(&dir, "bench", vec![]).expect("journal");
                let journal = Arc::new(std::sync::Mutex::new(journal));
                let client = HiveClient::new(&ClientConfig {
                    base_url: sim.base.clone(),
                    api_key: KEY.to_string().into(),
                    connect_timeout: Duration::from_secs(5),
                    total_timeout: Duration::from_secs(30),
                })
                .expect("client");
                let table = plan::read_table(
                    (0..N)
                        .map(|i| format!("j{group}{run}_{i},vip\n"))
                        .collect::<String>()
                        .as_bytes(),
                )
                .expect("within the row limit");
                let p = plan::hive_plan(&table, None, false, &[]);
                let saved = SavedPlan {
                    batch_id: format!("bench{group}{run}"),
                    created_at: chrono::Utc::now(),
                    profile: "bench".into(),
                    demo: false,
                    op: BatchOp::HiveAdd,
                    source: None,
                    sha256: None,
                    data_rows: N,
                    rows: p.rows,
                    skipped: Vec::new(),
                    undo_of: None,
                    notes: Vec::new(),
                    check_by_hand: Vec::new(),
                    retry_of: None,
                    audit: Default::default(),
                };
                let todo = saved.to_send();
                let ctx = Arc::new(RunContext {
                    clients: Clients {
                        hive: Some(client),
                        cerego: None,
                        redactor: Redactor::new(vec![]),
                        limits: Default::default(),
                    },
                    journal,
                    profile: "bench".into(),
                    demo: false,
                    policy: Default::default(),
                    options: RunOptions {
                        concurrency: batch::Concurrency::Fixed(16),
                        rate: None,
                        group_commit: group,
                        max_errors: usize::MAX,
                    },
                });
                let (_tx, rx) = tokio::sync::watch::channel(Control::Run);
                let begin = BatchEvent::Resume {
                    requests: N,
                    writer: Writer::current().clone(),
                };
                let started = Instant::now();
                let report = rt.block_on(batch::run(
                    ctx,
                    Arc::new(saved),
                    todo,
                    begin,
                    rx,
                    Arc::new(|_| {}),
                ));
                assert_eq!(report.counts.ok, N);
                started.elapsed()
            })
            .collect();
        let m = median(times);
        println!(
            "  group commit {:<3}: {:>6.0} µs per row ({:.0} rows/s)",
            if group { "on" } else { "off" },
            m.as_secs_f64() * 1e6 / N as f64,
            N as f64 / m.as_secs_f64()
        );
    }
}

fn memory(root: &Path) {
    let sim = start_sim(&[]);
    let dir = root.join("memory");
    std::fs::create_dir_all(&dir).expect("dir");
    let config = config(&dir, &sim.base);
    const N: usize = 100_000;
    let file = rows_file(&dir, "big", N);
    let path = file.to_str().expect("path");
    println!("\nmemory: a {N}-row Hive file");
    let (took, peak, _) = measure(tagdesk(
        &dir,
        &config,
        &["hive", "import", "--dry-run", path],
    ));
    println!(
        "  preview (--dry-run): peak RSS {:.0} MiB, {:.1} s",
        peak as f64 / 1024.0,
        took.as_secs_f64()
    );
    let (took, peak, _) = measure(tagdesk(
        &dir,
        &config,
        &["hive", "import", "--concurrency", "16", path],
    ));
    println!(
        "  run (16 in flight):  peak RSS {:.0} MiB, {:.1} s",
        peak as f64 / 1024.0,
        took.as_secs_f64()
    );
}

fn adaptive(root: &Path) {
    const LIMIT: usize = 100;
    let sim = start_sim(&[
        "--fault",
        "hive:latency=100",
        "--fault",
        &format!("hive:rate_limit={LIMIT}"),
    ]);
    let dir = root.join("adaptive");
    std::fs::create_dir_all(&dir).expect("dir");
    let config = config(&dir, &sim.base);
    const N: usize = 1_000;
    println!(
        "\nadaptive concurrency: {N} rows, hive:latency=100 and hive:rate_limit={LIMIT} (429 + \
         Retry-After: 1 past {LIMIT}/s)"
    );
    let modes = ["4", "16", "32", "auto"];
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); modes.len()];
    let mut refusals: Vec<Vec<u64>> = vec![Vec::new(); modes.len()];
    let mut peaks: Vec<Vec<u64>> = vec![Vec::new(); modes.len()];
    for run in 0..RUNS {
        for (m, mode) in modes.iter().enumerate() {
            let file = rows_file(&dir, &format!("a{mode}r{run}"), N);
            let mut c = tagdesk(
                &dir,
                &config,
                &[
                    "--json",
                    "hive",
                    "import",
                    "--concurrency",
                    mode,
                    file.to_str().expect("path"),
                ],
            );
            c.stdout(Stdio::piped());
            let started = Instant::now();
            let out = c.output().expect("run");
            times[m].push(started.elapsed());
            let summary: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("a --json summary");
            assert_eq!(summary["ok"], N, "every row lands: {summary}");
            refusals[m].push(summary["concurrency"]["throttled"].as_u64().unwrap_or(0));
            peaks[m].push(summary["concurrency"]["peak"].as_u64().unwrap_or(0));
        }
    }
    let mid = |mut v: Vec<u64>| {
        v.sort_unstable();
        v[v.len() / 2]
    };
    for (m, mode) in modes.iter().enumerate() {
        let t = median(times[m].clone());
        println!(
            "  --concurrency {mode:<4} {:>5.0} rows/s (median {:.1} s), 429s received {:>4} (runs: {}), highest limit {}",
            N as f64 / t.as_secs_f64(),
            t.as_secs_f64(),
            mid(refusals[m].clone()),
            refusals[m]
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(" / "),
            mid(peaks[m].clone())
        );
    }
    println!("  (the limit: {LIMIT} rows/s)");
}

fn set(root: &Path) {
    let sim = start_sim(&[]);
    let dir = root.join("set");
    std::fs::create_dir_all(&dir).expect("dir");
    let config = config(&dir, &sim.base);
    const N: usize = 10_000;
    println!(
        "\nsets: `hive import --set --scope vip,newsletter` on {N} patrons never seen (an add and a \
         remove each: {} requests)",
        2 * N
    );
    let times: Vec<Duration> = (0..RUNS)
        .map(|run| {
            let path = dir.join(format!("set{run}.csv"));
            let mut text = String::from("user_id,user_tags\n");
            for i in 0..N {
                text.push_str(&format!("set{run}_{i},vip\n"));
            }
            std::fs::write(&path, text).expect("rows");
            let mut c = tagdesk(
                &dir,
                &config,
                &[
                    "--json",
                    "hive",
                    "import",
                    "--set",
                    "--scope",
                    "vip,newsletter",
                    path.to_str().expect("path"),
                ],
            );
            c.stdout(Stdio::piped());
            let started = Instant::now();
            let out = c.output().expect("run");
            let took = started.elapsed();
            let summary: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("a --json summary");
            assert_eq!(summary["requests"], 2 * N, "both requests sent: {summary}");
            // Every add lands (`ok`); every remove finds newsletter absent (`unchanged`).
            assert_eq!(summary["ok"], N, "every add lands: {summary}");
            assert_eq!(summary["unchanged"], N, "every remove answered: {summary}");
            took
        })
        .collect();
    let m = median(times);
    let rate = (2 * N) as f64 / m.as_secs_f64();
    println!(
        "  tagdesk hive import --set            {:>8.0} requests/s  (median {:.2} s, every request journaled)",
        rate,
        m.as_secs_f64()
    );
    if curl_available() {
        let times: Vec<Duration> = (0..RUNS)
            .map(|run| {
                let ids: Vec<String> = (0..N).map(|i| format!("curlset{run}_{i}")).collect();
                curl_requests(&sim.base, "add", "[\"vip\"]", &ids)
                    + curl_requests(&sim.base, "remove", "[\"newsletter\"]", &ids)
            })
            .collect();
        let c = median(times);
        let curl_rate = (2 * N) as f64 / c.as_secs_f64();
        println!(
            "  xargs -P 8 curl (one per request)    {:>8.0} requests/s  (median {:.2} s, nothing journaled)",
            curl_rate,
            c.as_secs_f64()
        );
        println!("  ratio tagdesk/curl: {:.2}×", rate / curl_rate);
    } else {
        println!("  (curl is not installed: the xargs/curl comparison is skipped)");
    }
}

/// A section of the bench: its name on the command line and what it runs.
type Section = (&'static str, fn(&Path));

fn main() {
    let root = tempfile::tempdir().expect("tempdir");
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    println!("tagdesk batch benchmarks ({RUNS} runs each, medians)");
    let sections: [Section; 6] = [
        ("throughput", throughput),
        ("latency", latency),
        ("journal", journal_cost),
        ("memory", memory),
        ("adaptive", adaptive),
        ("set", set),
    ];
    for (name, section) in sections {
        if wanted(name) {
            section(root.path());
        }
    }
}
