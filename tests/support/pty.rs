//! The real `tagdesk` binary in a pseudo-terminal (portable-pty), its screen read back
//! through a terminal emulator (vt100): the console ([`Tui`]) in its own directories
//! ([`Dirs`]), the standalone simulator ([`Sim`]) it talks to, and the journal helpers the
//! end-to-end tests (`tests/e2e.rs`) check against. Every process starts in the shared clean
//! environment ([`super::env`]).
//!
//! Timeouts are generous on purpose (the test machine is small and shared); nothing here
//! asserts how fast anything happens, only that it happens within a bound.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::process::{Child as ProcChild, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};
use serde_json::Value;

use super::env::clean_env;

pub const BIN: &str = env!("CARGO_BIN_EXE_tagdesk");
pub const ROWS: u16 = 35;
pub const COLS: u16 = 120;
/// How long to wait for something to show on screen.
pub const SHOW: Duration = Duration::from_secs(20);
/// How long to wait for a process to end.
pub const EXIT: Duration = Duration::from_secs(15);
pub const POLL: Duration = Duration::from_millis(50);

pub const HIVE_KEY: &str = "demo-hive-key";
pub const CEREGO_KEY: &str = "demo-cerego-key";
pub const WRONG_KEY: &str = "wrong-e2e-5c1d";

// ---------------------------------------------------------------------------------------
// The console in a pty.
// ---------------------------------------------------------------------------------------

/// A `tagdesk` console running in a pseudo-terminal. Killed on drop (also on panic).
pub struct Tui {
    pub parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Option<Box<dyn Write + Send>>,
    child: Box<dyn Child + Send + Sync>,
    reader: Option<JoinHandle<()>>,
    /// Asks the reader thread to stop (see `hang_up`).
    stop: Arc<std::sync::atomic::AtomicBool>,
    status: Option<ExitStatus>,
    // Kept open for the child's lifetime (or until the test hangs up); dropped last.
    master: Option<Box<dyn MasterPty + Send>>,
}

/// Where one test's files live: config, data, home.
pub struct Dirs {
    root: tempfile::TempDir,
}

impl Dirs {
    pub fn new() -> Self {
        Self {
            root: tempfile::tempdir().expect("tempdir"),
        }
    }
    pub fn path(&self) -> &Path {
        self.root.path()
    }
    pub fn data(&self) -> PathBuf {
        self.path().join("data")
    }
    pub fn config(&self) -> PathBuf {
        self.path().join("config.toml")
    }
    pub fn journal(&self) -> PathBuf {
        self.data().join("journal-e2e.jsonl")
    }

    /// A config whose `e2e` profile points both services at `base`.
    pub fn write_config(&self, base: &str) {
        let text = format!(
            r#"default_profile = "e2e"
[timeouts]
connect = 2
total = 5
[profiles.e2e.cerego]
base_url = "{base}"
partner_id = "4242"
api_key_env = "E2E_CEREGO_KEY"
tag_types = [ {{ id = "3", name = "Cohort" }}, {{ id = "5", name = "Plan" }}, {{ id = "7", name = "Region" }}, {{ id = "9", name = "Onboarding" }}, {{ id = "11", name = "Cost center" }} ]
[profiles.e2e.hive]
base_url = "{base}"
api_key_env = "E2E_HIVE_KEY"
tags = [ {{ api_field = "vip", name = "VIP" }}, {{ api_field = "newsletter", name = "Newsletter" }} ]
"#
        );
        std::fs::write(self.config(), text).expect("write config");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(self.config(), std::fs::Permissions::from_mode(0o600))
                .expect("chmod config");
        }
    }
}

/// How to start the console.
pub enum Mode<'a> {
    Demo,
    /// These arguments, nothing else (`demo --step-ms 0`).
    Args(&'a [&'a str]),
    /// `--demo` and these options.
    DemoWith(&'a [&'a str]),
    /// `--config <dirs>/config.toml`, with this Hive key in `E2E_HIVE_KEY`.
    Config {
        hive_key: &'a str,
    },
}

impl Tui {
    pub fn start(dirs: &Dirs, mode: Mode) -> Self {
        Self::start_with(dirs, mode, &[])
    }

    pub fn start_with(dirs: &Dirs, mode: Mode, env: &[(&str, &str)]) -> Self {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");

        let mut cmd = CommandBuilder::new(BIN);
        let (home, xdg) = (dirs.path().join("home"), dirs.path().join("xdg"));
        std::fs::create_dir_all(&home).expect("home dir");
        std::fs::create_dir_all(&xdg).expect("xdg dir");
        clean_env()
            .var("TERM", "xterm-256color")
            .var("HOME", &home)
            .dirs(dirs.data(), &xdg)
            .var("E2E_CEREGO_KEY", CEREGO_KEY)
            .apply(&mut cmd);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(dirs.path());
        match mode {
            Mode::Demo => {
                cmd.env_remove("E2E_HIVE_KEY");
                cmd.arg("--demo");
            }
            Mode::Args(args) => {
                cmd.env_remove("E2E_HIVE_KEY");
                for a in args {
                    cmd.arg(a);
                }
            }
            Mode::DemoWith(args) => {
                cmd.env_remove("E2E_HIVE_KEY");
                cmd.arg("--demo");
                cmd.args(args);
            }
            Mode::Config { hive_key } => {
                cmd.env("E2E_HIVE_KEY", hive_key);
                cmd.arg("--config");
                cmd.arg(dirs.config());
            }
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn tagdesk");
        // Only the child holds the slave now, so the reader sees the end when it exits.
        drop(pair.slave);

        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(ROWS).expect("rows"),
            NonZeroU16::new(COLS).expect("cols"),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        // The master reads without blocking, so the reader thread can be stopped and every
        // descriptor of the master closed: that is what makes the terminal go away in
        // `hang_up`.
        if let Some(fd) = pair.master.as_raw_fd() {
            use nix::fcntl::{FcntlArg, OFlag, fcntl};
            // SAFETY: the descriptor belongs to `pair.master`, alive for this call.
            let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
            let flags = fcntl(fd, FcntlArg::F_GETFL).expect("flags");
            fcntl(
                fd,
                FcntlArg::F_SETFL(OFlag::from_bits_truncate(flags) | OFlag::O_NONBLOCK),
            )
            .expect("non-blocking master");
        }
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let (p, r, halt) = (parser.clone(), raw.clone(), stop.clone());
        let reader = thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        if halt.load(std::sync::atomic::Ordering::SeqCst) {
                            break;
                        }
                        thread::sleep(Duration::from_millis(5));
                    }
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        r.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .extend_from_slice(&buf[..n]);
                        p.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .process(&buf[..n]);
                    }
                }
            }
        });
        let writer = Some(pair.master.take_writer().expect("pty writer"));
        Self {
            parser,
            raw,
            writer,
            child,
            reader: Some(reader),
            stop,
            status: None,
            master: Some(pair.master),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("pid")
    }

    pub fn screen(&self) -> String {
        self.parser
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .screen()
            .contents()
    }

    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Has the child exited? Remembers the status.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        if self.status.is_none()
            && let Ok(Some(status)) = self.child.try_wait()
        {
            self.status = Some(status);
        }
        self.status.clone()
    }

    /// Waits until the screen contains `text`; panics with the screen after `timeout`, or
    /// as soon as the console has exited without showing it.
    pub fn wait_for_within(&mut self, text: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if let Some(status) = self.exited() {
                // Let the reader catch up with the last output before giving up.
                thread::sleep(Duration::from_millis(200));
                let screen = self.screen();
                if screen.contains(text) {
                    return screen;
                }
                panic!("tagdesk exited ({status:?}) before showing {text:?}; screen:\n{screen}");
            }
            if Instant::now() >= deadline {
                panic!("timed out after {timeout:?} waiting for {text:?}; screen:\n{screen}");
            }
            thread::sleep(POLL);
        }
    }

    pub fn wait_for(&mut self, text: &str) -> String {
        self.wait_for_within(text, SHOW)
    }

    /// The bottom row (the status line).
    pub fn status_line(&self) -> String {
        let parser = self.parser.lock().unwrap_or_else(|e| e.into_inner());
        parser
            .screen()
            .rows(0, COLS)
            .last()
            .unwrap_or_default()
            .trim_end()
            .to_string()
    }

    /// Waits until the status line says nothing is in flight.
    pub fn wait_idle(&mut self) {
        let deadline = Instant::now() + SHOW;
        while !self.status_line().ends_with("idle") {
            if self.exited().is_some() || Instant::now() >= deadline {
                panic!("never idle; screen:\n{}", self.screen());
            }
            thread::sleep(POLL);
        }
    }

    /// Waits until some line of the screen contains every one of `parts`.
    pub fn wait_for_line(&mut self, parts: &[&str]) -> String {
        let deadline = Instant::now() + SHOW;
        loop {
            let screen = self.screen();
            if let Some(line) = screen.lines().find(|l| parts.iter().all(|p| l.contains(p))) {
                return line.to_string();
            }
            if self.exited().is_some() || Instant::now() >= deadline {
                panic!("no line with all of {parts:?}; screen:\n{screen}");
            }
            thread::sleep(POLL);
        }
    }

    /// Writes bytes to the terminal, as typed. A lone Esc is followed by a pause, or
    /// crossterm would read it and the next key as Alt+key.
    pub fn send(&mut self, keys: &str) {
        let writer = self.writer.as_mut().expect("the terminal is open");
        writer.write_all(keys.as_bytes()).expect("write to pty");
        writer.flush().expect("flush pty");
        if keys.ends_with('\x1b') {
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (bounded) for the console to exit, then for the reader to drain the output.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + EXIT;
        let status = loop {
            if let Some(status) = self.exited() {
                break status;
            }
            if Instant::now() >= deadline {
                panic!(
                    "tagdesk did not exit within {EXIT:?}; screen:\n{}",
                    self.screen()
                );
            }
            thread::sleep(POLL);
        };
        if let Some(reader) = self.reader.take() {
            let deadline = Instant::now() + Duration::from_secs(5);
            while !reader.is_finished() && Instant::now() < deadline {
                thread::sleep(POLL);
            }
            if reader.is_finished() {
                let _ = reader.join();
            }
        }
        status
    }

    /// Closes the terminal, as a terminal emulator or tmux pane that goes away does: the
    /// console gets SIGHUP and its terminal fails with EIO.
    pub fn hang_up(&mut self) {
        // What the reader already has stays in `raw` and the screen; then every descriptor
        // of the master is closed.
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.writer = None;
        self.master = None;
    }

    /// The attributes of the cell at (row, col).
    pub fn cell(&self, row: u16, col: u16) -> (String, bool, bool) {
        let parser = self.parser.lock().unwrap_or_else(|e| e.into_inner());
        match parser.screen().cell(row, col) {
            Some(c) => (c.contents().to_string(), c.bold(), c.inverse()),
            None => (String::new(), false, false),
        }
    }

    /// How many cells of the screen have a colour (foreground or background) of their own.
    pub fn coloured_cells(&self) -> usize {
        let parser = self.parser.lock().unwrap_or_else(|e| e.into_inner());
        let screen = parser.screen();
        let (rows, cols) = screen.size();
        (0..rows.get())
            .flat_map(|r| (0..cols.get()).map(move |c| (r, c)))
            .filter_map(|(r, c)| screen.cell(r, c))
            .filter(|cell| {
                cell.fgcolor() != vt100::Color::Default || cell.bgcolor() != vt100::Color::Default
            })
            .count()
    }

    /// Sends a signal to the console process (`kill -SIG PID`).
    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.pid().to_string()])
            .status()
            .expect("run kill")
            .success();
        assert!(ok, "kill {sig} {} failed", self.pid());
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if self.exited().is_none() {
            // SIGHUP, a short grace period, then SIGKILL.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------
// The standalone simulator.
// ---------------------------------------------------------------------------------------

/// `tagdesk sim` on a free loopback port. Killed on drop (also on panic).
pub struct Sim {
    child: ProcChild,
    addr: String,
}

impl Sim {
    pub fn start(faults: &[&str]) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.args(["sim", "--listen", "127.0.0.1:0"]);
        for f in faults {
            cmd.args(["--fault", f]);
        }
        clean_env().apply(&mut cmd);
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn tagdesk sim");
        let stdout = child.stdout.take().expect("sim stdout");
        let (tx, rx) = mpsc::channel();
        // Hands over the first line, then keeps draining so the sim never blocks on a pipe.
        thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next();
            let _ = tx.send(first);
            for _ in lines {}
        });
        let first = match rx.recv_timeout(SHOW) {
            Ok(Some(Ok(line))) => line,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the simulator did not announce its address: {other:?}");
            }
        };
        let addr = first
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line from the simulator: {first:?}"))
            .trim()
            .to_string();
        Self { child, addr }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// One request to the control API; returns the body, panicking on a non-2xx status.
    pub fn control(&self, method: &str, path: &str, body: &str) -> String {
        let mut stream = TcpStream::connect(&self.addr).expect("connect to the simulator");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("read timeout");
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream.write_all(request.as_bytes()).expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let status_line = response.lines().next().unwrap_or_default().to_string();
        assert!(
            status_line.starts_with("HTTP/1.1 2"),
            "{method} {path} {body}: {response}"
        );
        response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default()
    }

    /// How many requests of `endpoint` (`hive.add`, …) the simulator has received (counted
    /// as they arrive, before any latency).
    pub fn requests(&self, endpoint: &str) -> u64 {
        let state: Value = serde_json::from_str(&self.control("GET", "/_sim/state", ""))
            .expect("the simulator's state is JSON");
        state["requests"][endpoint].as_u64().unwrap_or(0)
    }

    pub fn add_fault(&self, spec: &str) {
        let body = serde_json::json!({ "spec": spec }).to_string();
        let active = self.control("POST", "/_sim/faults", &body);
        assert!(active.contains("hive.add"), "faults now: {active}");
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------

/// Every record of a journal file, each line parsed (panics on a line that is not JSON).
pub fn journal_records(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("read journal");
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("journal line {} is not JSON ({e}): {l:?}", i + 1))
        })
        .collect()
}

/// Waits until the journal holds an intent for a Hive add of `field`; returns its id.
pub fn wait_for_intent(path: &Path, field: &str) -> String {
    let deadline = Instant::now() + SHOW;
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            for line in text.lines() {
                let Ok(v) = serde_json::from_str::<Value>(line) else {
                    continue;
                };
                if v["kind"] == "intent"
                    && v["op"]["op"] == "hive_add"
                    && v["op"]["fields"]
                        .as_array()
                        .is_some_and(|f| f.iter().any(|x| x == field))
                {
                    return v["id"].as_str().expect("intent id").to_string();
                }
            }
        }
        if Instant::now() >= deadline {
            panic!(
                "no intent for a Hive add of {field} in {}: {:?}",
                path.display(),
                std::fs::read_to_string(path).ok()
            );
        }
        thread::sleep(POLL);
    }
}

pub fn outcomes_for<'a>(records: &'a [Value], id: &str) -> Vec<&'a Value> {
    records
        .iter()
        .filter(|r| r["kind"] == "outcome" && r["id"] == id)
        .collect()
}

/// In a config profile the patron list starts empty: open one by its id.
pub fn open_patron(tui: &mut Tui, patron: &str) {
    tui.send("2");
    // The saved patrons loaded ("Patrons · N known", not "loading known patrons…"): until
    // then `o` is refused, and under load the key could land before them.
    tui.wait_for_line(&["Patrons ·", " known ─"]);
    tui.send("o");
    tui.wait_for("Open a Hive patron");
    tui.send(patron);
    tui.send("\r");
    tui.wait_for(&format!("Opened patron {patron}"));
}

/// Adds Hive api_fields to the selected patron through the form.
pub fn add_hive_tags(tui: &mut Tui, fields: &str) {
    tui.send("a");
    tui.wait_for("Add Hive tags to");
    tui.send(fields);
    tui.send("\r");
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}
