//! A harness that runs the real console App on ratatui's TestBackend.
//!
//! Requests the App sends are answered by the simulator's model (the same rules the HTTP
//! server applies), read back through the clients' own parsers, and fed to the App as
//! backend replies, so a test drives the console only through Messages: keys, pastes,
//! resizes and replies.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use serde_json::Value;
use tagdesk::core::op::Exchange;
use tagdesk::engine::backend::{Reply, Request};
use tagdesk::sim::Model;
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::{App, Effect, Message};
use tagdesk::tui::mouse::{Hits, Pointer};
use tagdesk::tui::{demo_settings, view};

/// The instant every harness starts at.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 12, 0, 0)
        .single()
        .expect("valid date")
}

pub struct Harness {
    pub app: App,
    pub model: Model,
    pub pending: Vec<Request>,
    pub terminal: Terminal<TestBackend>,
    pub quit: bool,
    /// Clients that are never used to send: they give requests their URLs.
    clients: tagdesk::engine::exec::Clients,
    /// The last workspace the App asked to save.
    pub saved: Option<tagdesk::engine::workspace::Workspace>,
    /// The last user cache the App asked to write.
    pub user_cache: Option<std::sync::Arc<Vec<u8>>>,
    /// The profile the App asked to switch to.
    pub switched: Option<String>,
    /// Batches the App asked to run, not yet run by [`Harness::run_batch`].
    pub jobs: Vec<tagdesk::tui::app::RunBatch>,
    /// Import files the App asked to read.
    pub reads: Vec<(String, tagdesk::core::op::Service)>,
    /// Commands for the simulator's control API, in order.
    pub sim_commands: Vec<tagdesk::tui::app::SimCommand>,
    /// What the App asked to copy, as the OSC 52 sequences the loop writes.
    pub copied: Vec<String>,
    /// The fault rules the simulator would hold (the model has none of its own).
    pub faults: Vec<String>,
    seed: Seed,
    /// Pause / cancel requests, in order.
    pub controls: Vec<(String, tagdesk::engine::batch::Control)>,
    /// Seconds since t0; every message advances the clock by one second.
    clock: i64,
    seeded_at: String,
    /// The mouse, as the loop has it: clicks resolved on the screen last drawn.
    pointer: Pointer,
    /// The pointer's clock: clicks are a second apart unless a test double-clicks.
    pointer_at: std::time::Instant,
    /// Wait for the filters' searches after every message, as if the operator paused
    /// (true by default, so what a test sees does not depend on timing); a test of a
    /// search in flight turns it off.
    pub settle: bool,
    /// The data directory whose journal and batch plans the batches view reads (None: the
    /// journal is unavailable, as when it cannot be opened).
    pub data_dir: Option<std::path::PathBuf>,
}

impl Harness {
    pub fn with_seed(seed: Seed, width: u16, height: u16) -> Self {
        Self::with_settings(seed, width, height, |_| {})
    }

    /// Like `with_seed`, with the settings adjusted first (profile policy, colour, ...).
    pub fn with_settings(
        seed: Seed,
        width: u16,
        height: u16,
        adjust: impl FnOnce(&mut tagdesk::tui::app::Settings),
    ) -> Self {
        let mut settings = demo_settings(&seed);
        settings.utc_offset = FixedOffset::east_opt(0).expect("zero offset");
        // The console's tests of adds and edits are about the legacy endpoints (add +
        // update); the set endpoint, the default, has its own (tests/set_api.rs).
        if let Some(c) = settings.cerego.as_mut() {
            c.tags_api = tagdesk::core::domain::TagsApi::Legacy;
        }
        adjust(&mut settings);
        let (app, effects) = App::new(settings, t0());
        let mut h = Self {
            app,
            model: Model::new(&seed),
            pending: Vec::new(),
            terminal: Terminal::new(TestBackend::new(width, height)).expect("test terminal"),
            quit: false,
            clients: tagdesk::engine::exec::Clients {
                hive: Some(
                    tagdesk::engine::api::hive::HiveClient::new(
                        &tagdesk::engine::api::ClientConfig::new("http://sim.test", "unused"),
                    )
                    .expect("client"),
                ),
                cerego: Some(
                    tagdesk::engine::api::cerego::CeregoClient::new(
                        &tagdesk::engine::api::ClientConfig::new("http://sim.test", "unused"),
                    )
                    .expect("client"),
                ),
                ..Default::default()
            },
            saved: None,
            user_cache: None,
            switched: None,
            jobs: Vec::new(),
            reads: Vec::new(),
            controls: Vec::new(),
            sim_commands: Vec::new(),
            faults: Vec::new(),
            copied: Vec::new(),
            seed: seed.clone(),
            clock: 0,
            seeded_at: seed.cerego.seeded_at.clone(),
            pointer: Pointer::default(),
            pointer_at: std::time::Instant::now(),
            settle: true,
            data_dir: None,
        };
        h.apply(effects);
        h.send(Message::Resize(width, height));
        h
    }

    /// The demo seed, with the Cerego user list already answered.
    pub fn demo(width: u16, height: u16) -> Self {
        let mut h = Self::with_seed(Seed::demo(), width, height);
        h.reply_all();
        h
    }

    fn apply(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Send(r) => {
                    // As the backend does: a new listing of the whole partner replaces one
                    // under way (the console has ended that one's line already).
                    if matches!(
                        r.op,
                        tagdesk::core::op::Op::CeregoListUsers { query: None, .. }
                    ) {
                        self.pending.retain(|p| {
                            !matches!(
                                p.op,
                                tagdesk::core::op::Op::CeregoListUsers { query: None, .. }
                            )
                        });
                    }
                    self.pending.push(r)
                }
                Effect::Quit => self.quit = true,
                Effect::Save(w) => self.saved = Some(*w),
                Effect::SaveUserCache(bytes) => self.user_cache = Some(bytes),
                Effect::SwitchProfile(p) => self.switched = Some(p),
                Effect::SwitchToDemo => self.switched = Some("demo mode".into()),
                Effect::Suspend => {}
                Effect::RunBatch(job) => self.jobs.push(*job),
                Effect::ReadImport { path, service } => self.reads.push((path, service)),
                // The directory is listed at once, as the loop would off its thread.
                Effect::ListDirectory { dir } => {
                    let result = tagdesk::tui::batches::list_directory(&dir);
                    self.send(Message::Listed { dir, result });
                }
                Effect::ControlBatch { batch_id, control } => {
                    self.controls.push((batch_id, control))
                }
                // The journal is read at once, with the loop's own functions.
                Effect::ListBatches => {
                    let journal = self.journal_path();
                    let settings = &self.app.settings;
                    let dir = self.data_dir.clone().unwrap_or_default();
                    let result = tagdesk::tui::batches::list_batches(
                        journal.as_deref(),
                        &dir,
                        (&settings.profile, settings.demo),
                    );
                    self.send(Message::BatchesListed { result });
                }
                Effect::LoadBatch { batch_id, then } => {
                    let journal = self.journal_path();
                    let dir = self.data_dir.clone().unwrap_or_default();
                    let settings = &self.app.settings;
                    let result = tagdesk::tui::batches::load_batch(
                        journal.as_deref(),
                        &dir,
                        &batch_id,
                        (&settings.profile, settings.demo),
                    )
                    .map(Box::new);
                    self.send(Message::BatchLoaded {
                        batch_id,
                        then,
                        result,
                    });
                }
                // The control API, carried out on the model as the simulator would.
                Effect::Copy { text, .. } => self.copied.push(tagdesk::tui::terminal::osc52(&text)),
                Effect::Sim(command) => {
                    use tagdesk::tui::app::SimCommand;
                    self.sim_commands.push(command.clone());
                    match &command {
                        SimCommand::Reset => {
                            self.model = Model::new(&self.seed);
                            self.faults.clear();
                        }
                        SimCommand::AddFault(rule) => self.faults.push(rule.clone()),
                        SimCommand::ClearFaults => self.faults.clear(),
                        SimCommand::ReadFaults => {}
                    }
                    let result = Ok(self.faults.clone());
                    self.send(Message::Sim { command, result });
                }
                // The simulator's model is set up at once, as `POST /_sim/setup` would.
                Effect::SetUpPlay { key, steps, .. } => {
                    let result = self.model.setup(&steps);
                    self.send(Message::PlayReady { key, result });
                }
            }
        }
    }

    /// The profile's journal file in the data directory, if there is one.
    pub fn journal_path(&self) -> Option<std::path::PathBuf> {
        let dir = self.data_dir.as_ref()?;
        Some(tagdesk::engine::journal::file_for(
            dir,
            &self.app.settings.profile,
        ))
    }

    pub fn send(&mut self, m: Message) {
        self.clock += 1;
        self.app.now = t0() + chrono::Duration::seconds(self.clock);
        let effects = self.app.update(m);
        if self.settle {
            self.app.settle_filters();
        }
        self.apply(effects);
    }

    pub fn key(&mut self, code: KeyCode) {
        self.key_mod(code, KeyModifiers::NONE);
    }

    pub fn key_mod(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.send(Message::Key(KeyEvent::new(code, mods)));
    }

    /// Types text one key at a time.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let mods = if c.is_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.key_mod(KeyCode::Char(c), mods);
        }
    }

    pub fn paste(&mut self, text: &str) {
        self.send(Message::Paste(text.to_string()));
    }

    /// Answers every pending request, oldest first.
    pub fn reply_all(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for r in pending {
            let reply = self.answer(&r);
            self.send(Message::Reply(Box::new(reply)));
        }
    }

    /// Runs the oldest batch the App asked for against the simulator's model, as the engine
    /// would: at most `rows` of its requests (all when None), each reported as it ends;
    /// the batch ends once every request has.
    pub fn run_batch(&mut self, rows: Option<usize>) {
        use tagdesk::engine::batch::{Progress, RunReport, report};
        use tagdesk::engine::journal::{BatchTag, Entry, IntentRecord, OutcomeRecord};
        let Some(job) = self.jobs.first().cloned() else {
            return;
        };
        let id = job.plan.batch_id.clone();
        let done_before = self.app.batch(&id).map(|b| b.reports.len()).unwrap_or(0);
        let todo: Vec<usize> = job.todo.iter().copied().skip(done_before).collect();
        let take = rows.unwrap_or(todo.len()).min(todo.len());
        for (n, &row) in todo.iter().take(take).enumerate() {
            let plan_row = &job.plan.rows[row];
            let request = Request {
                id: 10_000 + n as u64,
                op: plan_row.op.clone(),
                journal_id: format!("{id}-row{row}"),
                prior: None,
            };
            let reply = self.answer(&request);
            let mut intent = IntentRecord::at(&request.journal_id, "demo", true, &request.op, None);
            intent.time = self.app.now;
            intent.batch = Some(BatchTag {
                id: id.clone(),
                row,
                line: plan_row.line(),
                lines: Vec::new(),
            });
            let mut outcome = OutcomeRecord::from_execution(
                &request.journal_id,
                &reply.exchanges,
                &reply.result,
                std::time::Duration::from_millis(12),
            );
            outcome.time = self.app.now;
            let entry = Entry {
                intent,
                outcome: Some(outcome),
            };
            let r = report::report(plan_row, Some(&entry));
            self.send(Message::Batch {
                batch_id: id.clone(),
                progress: Progress::Done {
                    row,
                    report: Box::new(r),
                    entry: Box::new(entry),
                    op: Box::new(request.op.clone()),
                    result: Box::new(reply.result.clone()),
                },
            });
        }
        if take == todo.len() {
            self.jobs.remove(0);
            self.send(Message::BatchEnded {
                batch_id: id,
                report: Box::new(RunReport::default()),
            });
        }
    }

    /// The reply the backend would produce for a request against the simulator.
    pub fn answer(&mut self, r: &Request) -> Reply {
        let (status, mut body) = self.model.answer(&r.op);
        self.pin_timestamps(&mut body);
        let text = body.to_string();
        let planned = tagdesk::engine::journal::RequestInfo::planned(
            &r.op,
            self.clients.base_url(r.op.service()),
        );
        Reply {
            id: r.id,
            op: r.op.clone(),
            retries: Vec::new(),
            exchanges: vec![Exchange {
                method: planned.method,
                url: planned.url,
                request_body: planned.body.map(|b| b.to_string()),
                status: Some(status),
                response_body: Some(text.clone()),
                duration_ms: 12,
            }],
            result: tagdesk::core::op::interpret(&r.op, status, text.as_bytes()),
            finished_at: self.app.now,
            journal_error: None,
        }
    }

    /// Tags created or updated during a test get a fixed time instead of the wall clock.
    fn pin_timestamps(&self, v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    if (k == "created-at" || k == "updated-at")
                        && val.as_str().is_some_and(|s| s != self.seeded_at)
                    {
                        *val = Value::String("2026-03-14T12:00:05.000Z".into());
                    } else {
                        self.pin_timestamps(val);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.pin_timestamps(i)),
            _ => {}
        }
    }

    pub fn draw(&mut self) {
        let app = &self.app;
        self.terminal
            .draw(|f| view::draw(app, f))
            .expect("draw to the test backend");
    }

    /// The clickable spots of the screen as it is drawn now (what the loop keeps).
    pub fn hits(&mut self) -> Hits {
        self.draw();
        let area = self.terminal.backend().buffer().area;
        view::hits(&self.app, area)
    }

    /// A mouse event at a cell, resolved on the screen as drawn now, `after` the last one.
    fn mouse(&mut self, kind: MouseEventKind, (x, y): (u16, u16), after: std::time::Duration) {
        let hits = self.hits();
        self.pointer_at += after;
        let event = MouseEvent {
            kind,
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        };
        if let Some(m) = self.pointer.message(&hits, &event, self.pointer_at) {
            self.send(m);
        }
    }

    /// A left click at a cell (and its release).
    pub fn click(&mut self, x: u16, y: u16) {
        let apart = std::time::Duration::from_secs(2);
        self.mouse(MouseEventKind::Down(MouseButton::Left), (x, y), apart);
        self.mouse(
            MouseEventKind::Up(MouseButton::Left),
            (x, y),
            Default::default(),
        );
    }

    /// Two quick clicks at a cell.
    pub fn double_click(&mut self, x: u16, y: u16) {
        self.click(x, y);
        let quick = std::time::Duration::from_millis(150);
        self.mouse(MouseEventKind::Down(MouseButton::Left), (x, y), quick);
    }

    /// One notch of the wheel at a cell.
    pub fn wheel(&mut self, x: u16, y: u16, down: bool) {
        let kind = if down {
            MouseEventKind::ScrollDown
        } else {
            MouseEventKind::ScrollUp
        };
        self.mouse(kind, (x, y), std::time::Duration::from_secs(2));
    }

    /// Where `text` first shows on the screen: the cell of its first character.
    pub fn find(&mut self, text: &str) -> Option<(u16, u16)> {
        self.draw();
        let buffer = self.terminal.backend().buffer().clone();
        for y in 0..buffer.area.height {
            let mut line = String::new();
            let mut starts = Vec::new();
            for x in 0..buffer.area.width {
                starts.push((line.len(), x));
                line.push_str(buffer[(x, y)].symbol());
            }
            if let Some(at) = line.find(text) {
                let x = starts
                    .iter()
                    .rev()
                    .find(|(byte, _)| *byte <= at)
                    .map_or(0, |(_, x)| *x);
                return Some((x, y));
            }
        }
        None
    }

    /// Clicks the first cell showing `text`; panics with the screen when none does.
    pub fn click_text(&mut self, text: &str) {
        let Some((x, y)) = self.find(text) else {
            panic!("{text:?} is not on the screen:\n{}", self.screen());
        };
        self.click(x, y);
    }

    /// The screen as text (one line per row).
    pub fn screen(&mut self) -> String {
        self.draw();
        let buffer = self.terminal.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buffer.area.height {
            let mut line = String::new();
            for x in 0..buffer.area.width {
                line.push_str(buffer[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// The screen with colours: each row, then the runs of foreground / background colour
    /// and modifiers that differ from the default.
    pub fn screen_styled(&mut self) -> String {
        self.draw();
        let buffer = self.terminal.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buffer.area.height {
            let mut text = String::new();
            let mut runs: Vec<String> = Vec::new();
            let mut run: Option<(u16, String)> = None;
            for x in 0..buffer.area.width {
                let c = &buffer[(x, y)];
                text.push_str(c.symbol());
                let style = format!("{:?}/{:?}/{:?}", c.fg, c.bg, c.modifier);
                let plain = c.fg == ratatui::style::Color::Reset
                    && c.bg == ratatui::style::Color::Reset
                    && c.modifier.is_empty();
                match &run {
                    Some((_, s)) if *s == style => {}
                    _ => {
                        if let Some((start, s)) = run.take() {
                            runs.push(format!("{start}-{}:{s}", x - 1));
                        }
                        if !plain {
                            run = Some((x, style));
                        }
                    }
                }
            }
            if let Some((start, s)) = run.take() {
                runs.push(format!("{start}-{}:{s}", buffer.area.width - 1));
            }
            out.push_str(text.trim_end());
            out.push('\n');
            if !runs.is_empty() {
                out.push_str(&format!("    {}\n", runs.join(" ")));
            }
        }
        out
    }
}
