//! The simulator at scale: how fast `tagdesk sim --users N --patrons N` is ready and how
//! much memory it holds, and what one page of the user list costs as the partner grows.
//!
//! `cargo bench --bench sim` (release). Every simulator is the release `tagdesk` binary in
//! its own process:
//!
//! - ready: from spawning `tagdesk sim --listen 127.0.0.1:0 --users 1000000 --patrons
//!   1000000` to its `listening on` line (the state is built before it listens); peak RSS
//!   is its VmHWM read from /proc at that moment and again after the page requests below;
//!   medians of 5 runs;
//! - one page: `GET /v3/partners/4242/users?page[size]=100&page[number]=P` over one kept-alive
//!   connection, for 60 pages spread over the whole list (first, middle, last included),
//!   at 1,000 / 100,000 / 1,000,000 synthetic users (plus the 36 of the demo seed); the
//!   median and the slowest. The same for a query by email (a scan of every user). Then
//!   the same pages served in this process (`CeregoState::list_users_body`, what the HTTP
//!   route writes, no HTTP), to show
//!   the simulator's own share.
//!
//! Last, `POST /_sim/setup`'s work for 110,000 api_fields, in this process.
//!
//! `TAGDESK_SIM_BIN=/path/to/tagdesk` measures another build (to compare before/after).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/mod.rs"]
mod common;

use common::{BIN, median};

const READY_RUNS: usize = 5;
const PAGES: usize = 60;

fn bin() -> String {
    std::env::var("TAGDESK_SIM_BIN").unwrap_or_else(|_| BIN.to_string())
}

fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

struct Running {
    child: Child,
    base: String,
    ready: Duration,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(users: u64, patrons: u64) -> Running {
    let started = Instant::now();
    let mut child = Command::new(bin())
        .args(["sim", "--listen", "127.0.0.1:0"])
        .args([
            "--users",
            &users.to_string(),
            "--patrons",
            &patrons.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("tagdesk sim");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    out.read_line(&mut first).expect("first line");
    let ready = started.elapsed();
    std::thread::spawn(move || for _ in out.lines() {});
    let base = first
        .trim()
        .strip_prefix("listening on ")
        .expect("the listening line")
        .to_string();
    Running { child, base, ready }
}

/// Medians and the slowest of GETs of these paths, each once, over one connection.
fn time_gets(base: &str, paths: &[String]) -> (Duration, Duration) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let client = reqwest::Client::new();
        let get = |path: &str| {
            client
                .get(format!("{base}{path}"))
                .header(
                    "authorization",
                    format!("Bearer {}", tagdesk::sim::DEFAULT_CEREGO_KEY),
                )
                .send()
        };
        // Warm the connection.
        let _ = get(&paths[0]).await.expect("warm-up").bytes().await;
        let mut times = Vec::new();
        for path in paths {
            let started = Instant::now();
            let response = get(path).await.expect("a page");
            assert!(response.status().is_success(), "{path}");
            let body = response.bytes().await.expect("body");
            times.push(started.elapsed());
            assert!(body.len() > 100);
        }
        let slowest = times.iter().max().copied().unwrap_or_default();
        (median(times), slowest)
    })
}

fn main() {
    println!("tagdesk simulator benchmarks (release binary {})", bin());
    let million = 1_000_000;
    let mut ready = Vec::new();
    let mut peaks = Vec::new();
    let mut after = Vec::new();
    for _ in 0..READY_RUNS {
        let sim = spawn(million, million);
        ready.push(sim.ready);
        peaks.push(peak_kib(sim.child.id()));
        let paths: Vec<String> = (0..10)
            .map(|i| {
                format!(
                    "/v3/partners/4242/users?page[size]=100&page[number]={}",
                    1 + i * 1000
                )
            })
            .collect();
        time_gets(&sim.base, &paths);
        after.push(peak_kib(sim.child.id()));
    }
    peaks.sort_unstable();
    after.sort_unstable();
    println!(
        "ready, 1,000,000 users + 1,000,000 patrons: {:>8.2?} median of {READY_RUNS} (slowest {:.2?}), peak RSS {} MiB at ready, {} MiB after 10 pages (medians)",
        median(ready.clone()),
        ready.iter().max().copied().unwrap_or_default(),
        peaks[peaks.len() / 2] / 1024,
        after[after.len() / 2] / 1024,
    );
    for users in [1_000u64, 100_000, million] {
        let sim = spawn(users, 0);
        let total = users + 36;
        let last = total.div_ceil(100);
        let paths: Vec<String> = (0..PAGES as u64)
            .map(|i| {
                let page = 1 + i * (last - 1) / (PAGES as u64 - 1);
                format!("/v3/partners/4242/users?page[size]=100&page[number]={page}")
            })
            .collect();
        let (page, slowest) = time_gets(&sim.base, &paths);
        let queries: Vec<String> = (0..20u64)
            .map(|i| {
                format!(
                    "/v3/partners/4242/users?query=synthetic.{}@example.edu",
                    i * (users - 1) / 19
                )
            })
            .collect();
        let (query, _) = time_gets(&sim.base, &queries);
        let mut seed = tagdesk::sim::seed::Seed::demo();
        seed.add_synthetic(users, 0);
        let model = tagdesk::sim::Model::new(&seed);
        let mut served = Vec::new();
        for path in &paths {
            let number = path.rsplit('=').next().expect("a page number");
            let params: std::collections::HashMap<String, String> = [
                ("page[size]".to_string(), "100".to_string()),
                ("page[number]".to_string(), number.to_string()),
            ]
            .into();
            let started = Instant::now();
            let bytes = model
                .cerego
                .list_users_body("4242", &params)
                .expect("a page");
            served.push(started.elapsed());
            assert!(bytes.len() > 100);
        }
        println!(
            "{total:>9} users: one page of 100 {:>9.2?} median of {PAGES} (slowest {:.2?}) over HTTP, {:>9.2?} in process; a query by email {:>9.2?} median of 20",
            page,
            slowest,
            median(served),
            query
        );
    }
    // `POST /_sim/setup`'s work, in process: one step defining 110,000 api_fields (what a
    // 1 MiB body holds), on a fresh demo model each time.
    let fields: Vec<String> = (0..110_000).map(|i| format!("f{i:x}")).collect();
    let steps = [tagdesk::core::playground::Setup::HiveCatalogue {
        defined: fields,
        undefined: vec!["newsletter".into()],
    }];
    let mut took = Vec::new();
    for _ in 0..READY_RUNS {
        let mut model = tagdesk::sim::Model::new(&tagdesk::sim::seed::Seed::demo());
        let started = Instant::now();
        model.setup(&steps).expect("a valid setup");
        took.push(started.elapsed());
    }
    println!(
        "setup of 110,000 api_fields: {:>9.2?} median of {READY_RUNS} in process",
        median(took)
    );
}
