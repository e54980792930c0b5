//! A partner's users listed over a round trip: `tagdesk cerego users` against `tagdesk sim
//! --users N --fault 'cerego:latency=MS'` (each page answered after MS milliseconds, on
//! loopback otherwise), beside a reference client and the limit the round trips set.
//!
//! For each partner size it runs, alternately and in one run:
//! - `tagdesk cerego users` with the defaults (`list_concurrency = 8`, the server's page size);
//! - the same with `[profiles.bench.cerego] page_size = 100` (the simulator honours up to 100);
//! - one page after another (`list_concurrency = 1`, the design before issue 20), at 10,000
//!   users only unless `LISTING_SERIAL=all` (at 100,000 users it takes about 7 minutes a run);
//! - a reference client in this process: page 1, then the other pages 8 at a time
//!   (reqwest, each body read and parsed as JSON, nothing else kept).
//!
//! and prints the median wall time of each, the limit `1 + ⌈(pages − 1) ÷ 8⌉` round trips
//! of MS, and the ratio to the reference. Peak RSS is sampled from /proc for the binary.
//!
//! `cargo bench --bench listing` (sizes 10,000 and 100,000, 100 ms, 3 runs each).
//! `LISTING_USERS=10000`, `LISTING_LATENCY_MS=50`, `LISTING_RUNS=5` change them;
//! `BENCH_BEFORE_BIN=path/to/older/tagdesk` adds an older build's default run beside.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

#[path = "common/mod.rs"]
mod common;

use common::{BIN, measure, median, start_sim};

const KEY: &str = "demo-cerego-key";
const PARTNER: &str = "4242";
const REFERENCE_IN_FLIGHT: usize = 8;

fn main() {
    let sizes: Vec<u64> = std::env::var("LISTING_USERS")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    let latency: u64 = env_number("LISTING_LATENCY_MS", 100);
    let runs: usize = env_number("LISTING_RUNS", 3) as usize;
    let serial_all = std::env::var("LISTING_SERIAL").is_ok_and(|v| v == "all");
    let before = std::env::var("BENCH_BEFORE_BIN").ok();
    let dir = tempfile::tempdir().expect("tempdir");
    for users in sizes {
        let fault = format!("cerego:latency={latency}");
        let sim = start_sim(&["--users", &users.to_string(), "--fault", &fault]);
        let mut ways: Vec<Way> = Vec::new();
        if let Some(b) = &before {
            ways.push(Way::binary(
                "before (BENCH_BEFORE_BIN), defaults",
                b,
                "",
                "",
            ));
        }
        ways.push(Way::binary("list_concurrency = 8 (default)", BIN, "", ""));
        ways.push(Way::binary(
            "list_concurrency = 8, page_size = 100",
            BIN,
            "",
            "page_size = 100\n",
        ));
        if users <= 10_000 || serial_all {
            ways.push(Way::binary(
                "list_concurrency = 1 (one page after another)",
                BIN,
                "list_concurrency = 1\n",
                "",
            ));
        }
        ways.push(Way::Reference {
            label: "reference: 8 pages in flight",
            size: None,
        });
        ways.push(Way::Reference {
            label: "reference: 8 in flight, page[size]=100",
            size: Some(100),
        });
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); ways.len()];
        let mut peaks: Vec<u64> = vec![0; ways.len()];
        let mut pages = (0u64, 0u64);
        for _ in 0..runs {
            for (i, way) in ways.iter().enumerate() {
                match way {
                    Way::Binary {
                        bin,
                        limits,
                        cerego,
                        ..
                    } => {
                        let config = config(dir.path(), &sim.base, limits, cerego);
                        let mut c = Command::new(bin);
                        c.arg("--config")
                            .arg(&config)
                            .env("BENCH_CEREGO_KEY", KEY)
                            .env("TAGDESK_DATA_DIR", dir.path().join("data"))
                            .args(["cerego", "users"]);
                        let (took, peak, out) = measure(c);
                        let listed = out.lines().count() as u64;
                        assert!(
                            listed >= users,
                            "{bin}: listed {listed} lines of {users} users"
                        );
                        times[i].push(took);
                        peaks[i] = peaks[i].max(peak);
                    }
                    Way::Reference { size, .. } => {
                        let started = Instant::now();
                        let (listed, n) = rt.block_on(reference(&sim.base, *size));
                        times[i].push(started.elapsed());
                        assert!(listed >= users, "reference listed {listed} of {users}");
                        if size.is_some() {
                            pages.1 = n;
                        } else {
                            pages.0 = n;
                        }
                    }
                }
            }
        }
        println!(
            "\n{users} users, cerego:latency={latency} (loopback otherwise), median of {runs}:"
        );
        let reference = median(times[ways.len() - 2].clone());
        let reference_100 = median(times[ways.len() - 1].clone());
        for (i, way) in ways.iter().enumerate() {
            let m = median(times[i].clone());
            let against = if way.label().contains("page_size = 100") {
                reference_100
            } else {
                reference
            };
            let peak = if peaks[i] > 0 {
                format!(", peak RSS {} MiB", peaks[i] / 1024)
            } else {
                String::new()
            };
            println!(
                "  {:<48} {:>8.2?} ({:.2}× the reference){peak}  runs {:.2?}",
                way.label(),
                m,
                m.as_secs_f64() / against.as_secs_f64(),
                times[i]
            );
        }
        for (n, what) in [(pages.0, "server's page size"), (pages.1, "page[size]=100")] {
            let trips = 1 + (n.saturating_sub(1)).div_ceil(REFERENCE_IN_FLIGHT as u64);
            println!(
                "  limit, {what}: {n} pages = {trips} round trips of {latency} ms at 8 in flight = {:.2?}",
                Duration::from_millis(trips * latency)
            );
        }
    }
}

enum Way {
    Binary {
        label: String,
        bin: String,
        limits: String,
        cerego: String,
    },
    Reference {
        label: &'static str,
        size: Option<u32>,
    },
}

impl Way {
    fn binary(label: &str, bin: &str, limits: &str, cerego: &str) -> Self {
        Way::Binary {
            label: label.to_string(),
            bin: bin.to_string(),
            limits: limits.to_string(),
            cerego: cerego.to_string(),
        }
    }

    fn label(&self) -> &str {
        match self {
            Way::Binary { label, .. } => label,
            Way::Reference { label, .. } => label,
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn config(dir: &Path, base: &str, limits: &str, cerego: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "default_profile = \"bench\"\n\
             [limits]\n{limits}\
             [profiles.bench.cerego]\nbase_url = \"{base}\"\npartner_id = \"{PARTNER}\"\n\
             api_key_env = \"BENCH_CEREGO_KEY\"\n{cerego}"
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

/// Page 1, then the rest 8 at a time, each parsed as JSON: the users counted and the pages.
async fn reference(base: &str, size: Option<u32>) -> (u64, u64) {
    let client = reqwest::Client::new();
    let url = |page: u64| {
        let size = size.map(|s| format!("&page[size]={s}")).unwrap_or_default();
        format!("{base}/v3/partners/{PARTNER}/users?page[number]={page}{size}")
    };
    let fetch = |page: u64| {
        let client = client.clone();
        let url = url(page);
        async move {
            let body = client
                .get(url)
                .header("Authorization", format!("Bearer {KEY}"))
                .send()
                .await
                .expect("page")
                .bytes()
                .await
                .expect("body");
            serde_json::from_slice::<serde_json::Value>(&body).expect("json")
        }
    };
    let first = fetch(1).await;
    let count = |v: &serde_json::Value| v["data"].as_array().map_or(0, |a| a.len() as u64);
    let total = first["meta"]["total-pages"].as_u64().expect("total-pages");
    let mut listed = count(&first);
    let mut rest = futures_util::stream::iter(2..=total)
        .map(fetch)
        .buffer_unordered(REFERENCE_IN_FLIGHT);
    while let Some(page) = rest.next().await {
        listed += count(&page);
    }
    (listed, total)
}
