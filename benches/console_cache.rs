//! Console start with a cached 100,000-user list (issue 20, "the list is there at start"):
//! the time to the first frame that shows users, and the console's peak resident size then,
//! while the listing that refreshes the list is still running.
//!
//! The parent writes a user cache of N users (the simulator's synthetic users' shape: a
//! name, an email, a member id, a last login and three tags each) through the console's own
//! writer, starts `tagdesk sim --users N --fault cerego:latency=100` (so the refresh takes
//! the time it would over the internet), and runs the console's start in a child process, as
//! the event loop does it: `App::new`, the listing sent to the real backend, the cache read
//! off the loop (`engine::user_cache::load`) and handed to the App, a 120x40 frame drawn on
//! TestBackend after each batch of messages. The child reports the first frame showing users
//! (from `App::new`), checks the refresh had not finished by then, and exits; the parent
//! samples its peak RSS (VmHWM). It also reports the UI thread's cost of encoding the cache
//! once a listing completes.
//!
//! `cargo bench --bench console_cache` (N = 100,000; `CONSOLE_CACHE_USERS` to change it).

use std::time::Instant;

use chrono::Utc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tagdesk::core::model::{CacheMeta, KnownUsers, encode_cache};
use tagdesk::core::op::cerego::{CeregoTag, CeregoUser};
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::{App, Effect, Message};
use tagdesk::tui::view;

#[path = "common/mod.rs"]
mod common;

use common::{measure, median, start_sim};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child-console") {
        return child_console(&args[2], &args[3]);
    }
    let users: usize = std::env::var("CONSOLE_CACHE_USERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let known = synthetic(users);
    let meta = CacheMeta {
        as_of: Utc::now(),
        partner: "4242".into(),
        departments: false,
        total_count: Some(users as u64),
        cut: None,
    };
    let encodes: Vec<_> = (0..3)
        .map(|_| {
            let t = Instant::now();
            let bytes = encode_cache(&known, &meta);
            (t.elapsed(), bytes)
        })
        .collect();
    let bytes = encodes.last().map(|(_, b)| b.clone()).unwrap_or_default();
    println!(
        "cache of {users} users: {} KiB on disk; encoding it (the UI thread, once a listing completes): median {:.2?}",
        bytes.len() / 1024,
        median(encodes.iter().map(|(t, _)| *t).collect())
    );
    {
        let writer = tagdesk::engine::user_cache::Writer::start(dir.path().into(), "demo".into());
        writer.save(std::sync::Arc::new(bytes));
    }
    drop(known);
    let sim = start_sim(&[
        "--users",
        &users.to_string(),
        "--fault",
        "cerego:latency=100",
    ]);
    for run in 1..=3 {
        let mut c = std::process::Command::new(std::env::current_exe().expect("self"));
        c.arg("--child-console")
            .arg(&sim.base)
            .arg(dir.path().as_os_str());
        let (_, peak_kib, out) = measure(c);
        print!("run {run}: {}", out);
        println!(
            "run {run}: console peak RSS {} MiB (VmHWM)",
            peak_kib / 1024
        );
    }
}

/// N users shaped like the simulator's synthetic ones.
fn synthetic(n: usize) -> KnownUsers {
    let mut known = KnownUsers::default();
    let users: Vec<CeregoUser> = (0..n)
        .map(|i| CeregoUser {
            id: (3_000_000 + i).to_string(),
            name: Some(format!("Synthetic User {i}")),
            email: Some(format!("synthetic.{i}@example.edu")),
            member_id: Some(format!("S-{i}")),
            last_logged_in_at: Some("2026-01-01T08:00:00.000Z".into()),
            tags: (0..3)
                .map(|t| CeregoTag {
                    id: (90_000_000 + i * 3 + t).to_string(),
                    value: Some(["Gold", "EMEA", "Cohort 2026"][t].into()),
                    tag_type_id: Some(["5", "7", "3"][t].into()),
                    updated_at: Some("2026-01-05T09:00:00.000Z".into()),
                    ..CeregoTag::default()
                })
                .collect(),
            ..CeregoUser::default()
        })
        .collect();
    known.intake(users);
    known
}

fn child_console(base: &str, data_dir: &str) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let seed = Seed::demo();
        let profile = seed.demo_profile(
            base,
            tagdesk::config::DemoKeys {
                hive: tagdesk::sim::DEFAULT_HIVE_KEY,
                cerego: tagdesk::sim::DEFAULT_CEREGO_KEY,
            },
        );
        let clients = tagdesk::session::clients_for(&profile).expect("clients");
        let settings = tagdesk::tui::settings_from(&profile, Vec::new(), Vec::new(), Vec::new());
        let started = Instant::now();
        let (mut app, effects) = App::new(settings, Utc::now());
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        let (request_tx, request_rx) = tokio::sync::mpsc::unbounded_channel();
        let (event_tx, mut event_rx) = tokio::sync::mpsc::unbounded_channel();
        let (message_tx, mut message_rx) = tokio::sync::mpsc::unbounded_channel();
        let _backend = tagdesk::engine::backend::spawn(
            clients,
            None,
            tagdesk::engine::retry::RetryPolicy::default(),
            request_rx,
            event_tx,
        );
        for e in effects {
            if let Effect::Send(r) = e {
                request_tx.send(r).expect("send");
            }
        }
        // The cache, read off the loop as the console's start does.
        let dir = std::path::PathBuf::from(data_dir);
        let limits = profile.limits;
        tokio::task::spawn_blocking(move || {
            let loaded = tagdesk::engine::user_cache::load(&dir, "demo", &limits, ("4242", false));
            if let Ok(Some(cached)) = loaded {
                let _ = message_tx.send(Message::CachedUsers(Box::new(cached)));
            }
        });
        terminal.draw(|f| view::draw(&app, f)).expect("draw");
        let first_frame = loop {
            let mut batch = Vec::new();
            tokio::select! {
                Some(event) = event_rx.recv() => batch.push(tagdesk::tui::event_message(event)),
                Some(m) = message_rx.recv() => batch.push(m),
            }
            while let Ok(event) = event_rx.try_recv() {
                batch.push(tagdesk::tui::event_message(event));
            }
            for m in batch {
                assert!(
                    !matches!(m, Message::Reply(_)),
                    "the refresh finished before the cache showed"
                );
                app.update(m);
            }
            terminal.draw(|f| view::draw(&app, f)).expect("draw");
            if !app.known.cerego.is_empty() {
                break started.elapsed();
            }
        };
        let screen: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(screen.contains("as of "), "the title says the list is cached");
        println!(
            "first frame showing {} cached users: {first_frame:.2?} after App::new (refresh still running: {})",
            app.known.cerego.len(),
            app.refresh_label().unwrap_or_default()
        );
    });
    // Leave without waiting for the refresh.
    std::process::exit(0);
}
