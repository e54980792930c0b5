//! The console's start on a data dir with 100,000 known Hive patrons (issue 20, item 3):
//! the real release binary in a pseudo-terminal, its screen read back through vt100. It
//! reports, per binary (medians of `RUNS` starts, each in a fresh copy of the data dir):
//!
//! - the first frame: from spawning the process to the first screen showing the patron
//!   pane's title;
//! - the patrons: to the screen showing "100000 known";
//! - the peak resident size (VmHWM) once the patrons are shown.
//!
//! The data dir holds `workspace-bench.json` as an older tagdesk wrote it (pretty JSON,
//! two confirmed tags per patron) and no journal; the profile has only Hive, pointed at a
//! closed port (nothing is sent at start). `BENCH_BEFORE_BIN=/path/to/old/tagdesk cargo
//! bench --bench console_start` measures an older binary in the same run, starts of the two
//! alternating. The README quotes these figures.

use std::io::Read;
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use tagdesk::core::domain::PatronId;
use tagdesk::core::model::{KnownPatron, KnownTag};
use tagdesk::engine::workspace::{self, Workspace};

const BIN: &str = env!("CARGO_BIN_EXE_tagdesk");
const PATRONS: usize = 100_000;
const RUNS: usize = 5;

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "default_profile = \"bench\"\n[profiles.bench.hive]\nbase_url = \
         \"http://127.0.0.1:9\"\napi_key_env = \"BENCH_HIVE_KEY\"\n",
    )
    .expect("config");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let grown = dir.path().join("grown");
    std::fs::create_dir_all(&grown).expect("dir");
    let w = Workspace {
        patrons: patrons(PATRONS),
        ..Workspace::default()
    };
    std::fs::write(
        workspace::file_for(&grown, "bench"),
        serde_json::to_vec_pretty(&w).expect("json"),
    )
    .expect("workspace");
    let size = std::fs::metadata(workspace::file_for(&grown, "bench")).map_or(0, |m| m.len());
    drop(w);
    let mut bins = vec![("now".to_string(), BIN.to_string())];
    if let Ok(before) = std::env::var("BENCH_BEFORE_BIN") {
        bins.insert(0, ("before".to_string(), before));
    }
    println!(
        "console start, {PATRONS} known Hive patrons ({:.1} MB snapshot in the old format); \
         medians of {RUNS}",
        size as f64 / 1e6
    );
    for (fresh, label) in [(true, "a fresh data dir"), (false, "100,000 known patrons")] {
        let mut results: Vec<Vec<Start>> = vec![Vec::new(); bins.len()];
        for run in 0..RUNS {
            for (i, (_, bin)) in bins.iter().enumerate() {
                let data = dir.path().join(format!("run-{fresh}-{i}-{run}"));
                std::fs::create_dir_all(&data).expect("data");
                if !fresh {
                    std::fs::copy(
                        workspace::file_for(&grown, "bench"),
                        workspace::file_for(&data, "bench"),
                    )
                    .expect("copy");
                }
                let want = if fresh { "0 known" } else { "100000 known" };
                results[i].push(start(bin, &config, &data, dir.path(), want));
                let _ = std::fs::remove_dir_all(&data);
            }
        }
        for ((name, _), r) in bins.iter().zip(results) {
            let med = |f: fn(&Start) -> Duration| {
                let mut v: Vec<Duration> = r.iter().map(f).collect();
                v.sort();
                v[v.len() / 2]
            };
            let mut peaks: Vec<u64> = r.iter().map(|s| s.peak_kib).collect();
            peaks.sort();
            println!(
                "{label}, {name}: first frame {:.1} ms, patrons shown {:.1} ms, peak RSS {} MiB",
                ms(med(|s| s.first_frame)),
                ms(med(|s| s.patrons)),
                peaks[peaks.len() / 2] / 1024
            );
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[derive(Clone)]
struct Start {
    first_frame: Duration,
    patrons: Duration,
    peak_kib: u64,
}

/// One console start: the time to the first frame, to `want` on screen, and the peak RSS
/// then (after a short settle, so the load's peak is in).
fn start(bin: &str, config: &Path, data: &Path, root: &Path, want: &str) -> Start {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    let mut cmd = CommandBuilder::new(bin);
    for (k, _) in std::env::vars() {
        if k.starts_with("TAGDESK_") {
            cmd.env_remove(k);
        }
    }
    let home: PathBuf = root.join("home");
    std::fs::create_dir_all(&home).expect("home");
    cmd.env("TERM", "xterm-256color");
    cmd.env("HOME", &home);
    cmd.env("XDG_CONFIG_HOME", root.join("xdg"));
    cmd.env("TAGDESK_DATA_DIR", data);
    cmd.env("BENCH_HIVE_KEY", "bench-hive-key-0123456789");
    cmd.arg("--config").arg(config);
    cmd.arg("--no-mouse");
    let started = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).expect("spawn");
    drop(pair.slave);
    let pid = child.process_id().expect("pid");
    let parser = Arc::new(Mutex::new(vt100::Parser::new(
        NonZeroU16::new(40).expect("rows"),
        NonZeroU16::new(120).expect("cols"),
        0,
    )));
    let mut reader = pair.master.try_clone_reader().expect("reader");
    let p = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            p.lock().expect("parser").process(&buf[..n]);
        }
    });
    let screen = || parser.lock().expect("parser").screen().contents();
    let wait_for = |text: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if screen().contains(text) {
                return started.elapsed();
            }
            assert!(Instant::now() < deadline, "never showed {text:?}: {}", screen());
            std::thread::sleep(Duration::from_micros(500));
        }
    };
    let first_frame = wait_for("Patrons");
    let patrons = wait_for(want);
    std::thread::sleep(Duration::from_millis(300));
    let peak_kib = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();
    Start {
        first_frame,
        patrons,
        peak_kib,
    }
}

fn patrons(n: usize) -> Vec<KnownPatron> {
    let at = Some(Utc::now());
    (0..n)
        .map(|i| KnownPatron {
            id: PatronId::parse(&format!("patron_{i:06}")).expect("id"),
            tags: ["vip", "newsletter"]
                .iter()
                .map(|t| KnownTag {
                    api_field: t.to_string(),
                    confirmed_at: at,
                })
                .collect(),
            note: "last add confirmed by Hive".into(),
            confirmed_at: at,
            complete: true,
        })
        .collect()
}
