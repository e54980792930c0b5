//! The console against a partner of a million users: `tagdesk sim --users N` in its own
//! process, and the console's loop in another (this bench re-run in a child mode: the real
//! backend, `App::update` and a 120x40 frame drawn on TestBackend after each batch of
//! messages, as the event loop does). It reports:
//!
//! - the first frame that shows users, and the time to the whole list;
//! - the longest UI-thread stall while the list loads (one loop turn: the messages waiting,
//!   then the frame) and while typing a 7-character filter into the loaded list, one key
//!   every 100 ms, the searches' results drawn as they land;
//! - the time from the 7th key to its settled result;
//! - the console's resident size once the list is loaded, and its peak (VmHWM, sampled from
//!   /proc while it runs).
//!
//! `cargo bench --bench console_scale` (N = 1,000,000; `CONSOLE_SCALE_USERS=100000` for a
//! smaller partner; `CONSOLE_SCALE_FAULT='cerego:latency=100'` puts a round trip before each
//! page, as over the internet). docs/src/performance.md quotes these figures.

use std::time::{Duration, Instant};

use chrono::Utc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tagdesk::engine::backend::Event;
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::{App, Effect, Message};
use tagdesk::tui::view;

#[path = "common/mod.rs"]
mod common;

use common::{measure, start_sim};

/// What the operator types once the list is loaded.
const FILTER: &str = "user 42";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child-console") {
        return child_console(&args[2]);
    }
    let users: u64 = std::env::var("CONSOLE_SCALE_USERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let started = Instant::now();
    let users_arg = users.to_string();
    let fault = std::env::var("CONSOLE_SCALE_FAULT").ok();
    let mut args = vec!["--users", &users_arg];
    if let Some(f) = &fault {
        args.extend(["--fault", f]);
    }
    let sim = start_sim(&args);
    println!(
        "tagdesk sim --users {users}{}: listening after {:.2?}",
        fault.map(|f| format!(" --fault '{f}'")).unwrap_or_default(),
        started.elapsed()
    );
    let mut c = std::process::Command::new(std::env::current_exe().expect("self"));
    c.arg("--child-console").arg(&sim.base);
    let (took, peak_kib, out) = measure(c);
    print!("{out}");
    println!(
        "console process: {took:.2?} in all, peak RSS {} MiB (VmHWM sampled by the parent)",
        peak_kib / 1024
    );
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn key(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// The UI thread's time on a CPU so far (`CLOCK_THREAD_CPUTIME_ID`): a turn's wall time
/// minus this is time the thread was ready but another had the core (this bench shares two
/// cores with the simulator, the backend and the search threads, and the machine with
/// whatever else runs).
fn on_cpu() -> Duration {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID)
        .map(Duration::from)
        .unwrap_or_default()
}

/// One loop turn being measured.
struct Turn {
    wall: Instant,
    cpu: Duration,
}

impl Turn {
    fn start() -> Self {
        Self {
            cpu: on_cpu(),
            wall: Instant::now(),
        }
    }
}

/// The stalls seen in one phase: every loop turn's wall time and its time on a CPU.
#[derive(Default)]
struct Stalls {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Stalls {
    fn end(&mut self, turn: &Turn) {
        self.wall.push(turn.wall.elapsed());
        self.cpu.push(on_cpu().saturating_sub(turn.cpu));
    }

    fn report(&mut self, what: &str) {
        let stats = |v: &mut Vec<Duration>| {
            v.sort();
            let n = v.len().max(1);
            let at = |q: f64| {
                v.get(((n - 1) as f64 * q) as usize)
                    .copied()
                    .unwrap_or_default()
            };
            format!(
                "longest {:.2?}, p99 {:.2?}, median {:.2?}",
                at(1.0),
                at(0.99),
                at(0.5)
            )
        };
        println!(
            "{what}: {} loop turns; wall: {}; on a CPU: {}",
            self.wall.len(),
            stats(&mut self.wall),
            stats(&mut self.cpu)
        );
    }
}

fn child_console(base: &str) {
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
        let (filter_tx, mut filter_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        app.set_filter_waker(Some(std::sync::Arc::new(move || {
            let _ = filter_tx.send(());
        })));
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
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
            if let Effect::Send(r) = e {
                request_tx.send(r).expect("send");
            }
        }
        terminal.draw(|f| view::draw(&app, f)).expect("draw");
        let to_message = |event: Event| Some(tagdesk::tui::event_message(event));
        // Loading: one loop turn per wake-up, the replies already waiting folded in first.
        let mut loading = Stalls::default();
        let mut first_frame = None;
        let mut done = false;
        while !done {
            let mut batch = Vec::new();
            tokio::select! {
                Some(event) = event_rx.recv() => batch.extend(to_message(event)),
                Some(()) = filter_rx.recv() => batch.push(Message::Filtered),
            }
            while let Ok(event) = event_rx.try_recv() {
                batch.extend(to_message(event));
            }
            let turn = Turn::start();
            for m in batch {
                done |= matches!(m, Message::Reply(_));
                app.update(m);
            }
            terminal.draw(|f| view::draw(&app, f)).expect("draw");
            loading.end(&turn);
            if first_frame.is_none() && !app.known.cerego.is_empty() {
                first_frame = Some(started.elapsed());
            }
        }
        let whole = started.elapsed();
        let loaded = app.known.cerego.len();
        let (rss, hwm) = (status_kib("VmRSS:"), status_kib("VmHWM:"));
        println!(
            "listing: {loaded} users of {} — first frame with users {:.2?}, whole list {whole:.2?}",
            app.known.cerego.total_count.unwrap_or(0),
            first_frame.unwrap_or_default(),
        );
        println!(
            "memory once loaded: RSS {} MiB, peak so far {} MiB, user rows {} MiB",
            rss / 1024,
            hwm / 1024,
            app.known.cerego.row_bytes() >> 20
        );
        loading.report("UI thread while loading");
        // The title, the log line and `G` agree with the server's total.
        let total = app.known.cerego.total_count.unwrap_or(0);
        assert_eq!(loaded as u64, total, "every user listed");
        app.update(Message::Key(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE)));
        assert_eq!(app.cerego.list.selected(), loaded - 1, "G goes to the last user");
        app.update(key('g'));
        terminal.draw(|f| view::draw(&app, f)).expect("draw");
        let screen: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(
            screen.contains(&format!("partner 4242 · {loaded}")) && screen.contains(&format!("{loaded} users")),
            "the title and the log line name every user"
        );
        // Typing: one key every 100 ms; the searches' results are drawn as they land.
        let mut typing = Stalls::default();
        let turn = Turn::start();
        app.update(key('/'));
        terminal.draw(|f| view::draw(&app, f)).expect("draw");
        typing.end(&turn);
        let mut last_key = Instant::now();
        for (n, c) in FILTER.chars().enumerate() {
            let turn = Turn::start();
            app.update(key(c));
            terminal.draw(|f| view::draw(&app, f)).expect("draw");
            typing.end(&turn);
            last_key = turn.wall;
            if n + 1 == FILTER.len() {
                break;
            }
            let until = tokio::time::Instant::now() + Duration::from_millis(100);
            while let Ok(Some(())) = tokio::time::timeout_at(until, filter_rx.recv()).await {
                let turn = Turn::start();
                app.update(Message::Filtered);
                terminal.draw(|f| view::draw(&app, f)).expect("draw");
                typing.end(&turn);
            }
        }
        while app.filters_running() {
            if filter_rx.recv().await.is_none() {
                break;
            }
            let turn = Turn::start();
            app.update(Message::Filtered);
            terminal.draw(|f| view::draw(&app, f)).expect("draw");
            typing.end(&turn);
        }
        let settled = last_key.elapsed();
        typing.report(&format!("UI thread while typing \"{FILTER}\""));
        println!(
            "filter \"{FILTER}\": {} rows shown, settled {settled:.2?} after the last key (keys 100 ms apart)",
            app.cerego.list.visible().len()
        );
        println!(
            "memory at the end: RSS {} MiB, peak {} MiB",
            status_kib("VmRSS:") / 1024,
            status_kib("VmHWM:") / 1024
        );
        drop(request_tx);
        backend.abandon_in_flight();
    });
}
