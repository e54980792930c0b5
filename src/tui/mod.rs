//! The console: terminal ownership, the event loop, and the pieces it drives.

pub mod app;
pub mod filter;
mod flows;
pub mod forms;
pub mod keymap;
pub mod state;
pub mod theme;
pub mod view;

use std::io::{self, Write};
use std::time::Duration;

use chrono::{Local, Offset, Utc};
use futures_util::StreamExt;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, Event, EventStream,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use tokio::sync::mpsc;

use std::sync::{Arc, Mutex};

use crate::config::Profile;
use crate::core::model::KnownPatron;
use crate::engine::backend;
use crate::engine::journal::Journal;
use crate::engine::workspace::Workspace;
use crate::session::Session;
use crate::sim::seed::Seed;
use app::{App, CeregoSettings, Effect, HiveSettings, Message, Settings};

/// Puts the terminal back as the shell expects it: cooked mode, main screen, no
/// bracketed paste or mouse reporting, cursor visible. Safe to call more than once.
pub fn restore_terminal() {
    let _ = ratatui::crossterm::terminal::disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        Show
    );
    let _ = io::stdout().flush();
}

/// Restores the terminal before the previous panic hook prints, so the panic message lands
/// on a usable screen. Installed once per process.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
    });
}

/// Owns the terminal while the console runs: restores it exactly once on every way out
/// (normal quit, error, unwinding panic) through `Drop`, and through the panic hook too.
pub struct TerminalGuard {
    /// Never dropped: ratatui's `Terminal` prints to stderr from its `Drop` when it cannot
    /// show the cursor, which panics — and aborts — when the terminal is gone (a hang-up).
    /// [`restore_terminal`] does everything that drop would, without printing.
    terminal: std::mem::ManuallyDrop<ratatui::DefaultTerminal>,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<Self> {
        install_panic_hook();
        ratatui::crossterm::terminal::enable_raw_mode()?;
        let entered = execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste);
        if let Err(e) = entered {
            restore_terminal();
            return Err(e);
        }
        let terminal =
            ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))
                .inspect_err(|_| restore_terminal())?;
        Ok(Self {
            terminal: std::mem::ManuallyDrop::new(terminal),
        })
    }

    pub fn terminal(&mut self) -> &mut ratatui::DefaultTerminal {
        &mut self.terminal
    }

    /// Ctrl-Z: give the terminal back, stop the process (SIGTSTP, as a shell expects), and
    /// take the terminal again when the shell continues it.
    #[cfg(unix)]
    pub fn suspend(&mut self) -> io::Result<()> {
        restore_terminal();
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGTSTP);
        // Here again after SIGCONT.
        ratatui::crossterm::terminal::enable_raw_mode()?;
        execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
        self.terminal.clear()
    }

    #[cfg(not(unix))]
    pub fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// The demo seed's patrons, as the console knows them at start.
fn seed_patrons(seed: &Seed) -> Vec<KnownPatron> {
    seed.hive
        .patrons
        .iter()
        .map(|p| KnownPatron::from_seed(p.id.clone(), &p.tags))
        .collect()
}

/// The console's settings for a profile.
pub fn settings_from(
    profile: &Profile,
    profiles: Vec<String>,
    patrons: Vec<KnownPatron>,
    lookups: Vec<String>,
) -> Settings {
    Settings {
        demo: profile.demo,
        profile: profile.name.clone(),
        cerego: profile.cerego.as_ref().map(|c| CeregoSettings {
            partner_id: c.partner_id.clone(),
            tag_types: c.tag_types.clone(),
        }),
        hive: profile.hive.as_ref().map(|h| HiveSettings {
            catalogue: h.tags.clone(),
        }),
        patrons,
        utc_offset: Local::now().offset().fix(),
        policy: crate::core::gate::Policy {
            profile: profile.name.clone(),
            read_only: profile.read_only,
            confirm: profile.confirm,
        },
        color: crate::config::colour::Colour::parse(&profile.color)
            .unwrap_or(crate::config::colour::Colour::Cyan),
        profiles,
        unavailable: profile.unavailable.clone(),
        place: profile.place(),
        no_color: false,
        persist: !profile.demo,
        lookups,
        // Checked when the configuration was read; the defaults otherwise.
        keymap: keymap::Keymap::with_overrides(&profile.keys).unwrap_or_default(),
    }
}

/// Whether `NO_COLOR` asks for no colour (any non-empty value, as no-color.org says).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// The settings of a session: known Hive patrons come from the demo seed in demo mode,
/// otherwise from the saved workspace.
pub fn settings_for(session: &Session, workspace: &Workspace) -> Settings {
    let patrons = match &session.simulator {
        Some(sim) => seed_patrons(&sim.options().seed),
        None => workspace.patrons.clone(),
    };
    let mut settings = settings_from(
        &session.profile,
        session.profiles.clone(),
        patrons,
        workspace.cerego_lookups.clone(),
    );
    settings.no_color = no_color_requested();
    settings
}

/// Demo-mode settings straight from a seed (for tests and benchmarks).
pub fn demo_settings(seed: &Seed) -> Settings {
    let keys = crate::config::DemoKeys {
        hive: "",
        cerego: "",
    };
    let profile = seed.demo_profile("http://127.0.0.1:0", keys);
    settings_from(&profile, Vec::new(), seed_patrons(seed), Vec::new())
}

fn event_message(event: backend::Event) -> Message {
    match event {
        backend::Event::Retrying { id, notice } => Message::Retrying { id, notice },
        backend::Event::Page { id, progress } => Message::Page { id, progress },
        backend::Event::Done(reply) => Message::Reply(reply),
    }
}

fn to_message(event: Event) -> Option<Message> {
    match event {
        Event::Key(key) => Some(Message::Key(key)),
        Event::Paste(text) => Some(Message::Paste(text)),
        Event::Resize(w, h) => Some(Message::Resize(w, h)),
        _ => None,
    }
}

/// Resolves when the process is asked to stop (SIGTERM, SIGHUP, SIGINT, SIGQUIT).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let kinds = [
            SignalKind::terminate(),
            SignalKind::hangup(),
            SignalKind::interrupt(),
            SignalKind::quit(),
        ];
        let mut streams: Vec<_> = kinds.iter().filter_map(|k| signal(*k).ok()).collect();
        if streams.is_empty() {
            std::future::pending::<()>().await;
        }
        let waits = streams.iter_mut().map(|s| Box::pin(s.recv()));
        futures_util::future::select_all(waits).await;
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// How a console run ended.
pub enum RunEnd {
    Quit,
    /// Start again on this profile, already resolved (keys and all).
    Switch(Box<crate::session::Prepared>),
}

/// How many journal entries of earlier runs the action log shows at start.
pub const HISTORY: usize = 200;

/// Writes to stderr without ever panicking (the terminal may be gone).
fn say(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}

/// Runs the console until the operator quits, switches profile, or a stop signal arrives.
/// Whatever ends it — a quit, a signal, a lost terminal, an error — the requests still in
/// flight are journaled as abandoned before it returns.
pub async fn run(
    session: &Session,
    options: &crate::session::Options,
) -> color_eyre::Result<RunEnd> {
    let profile = &session.profile;
    let clients = session.clients()?;
    let data_dir = session.paths.data_dir.clone();
    let mut notices: Vec<String> = session.warnings.clone();

    // The journal: history for the log, and the record of this run.
    let journal_options = crate::engine::journal::JournalOptions {
        demo: profile.demo,
        rotate_bytes: profile.journal_rotate_bytes,
    };
    let journal = match Journal::open_with(
        &data_dir,
        &profile.name,
        profile.secrets(),
        journal_options,
    ) {
        Ok((mut journal, report)) => {
            notices.extend(report.warnings());
            // Intents of an earlier run that never got an outcome and whose writer is gone
            // (it was killed): their fate is unknown, and the journal now says so. A CLI
            // still waiting for its answer keeps its intent open.
            match journal.abandon_orphans(&report) {
                Ok(ids) if !ids.is_empty() => notices.push(format!(
                    "{} of an earlier run had no recorded outcome; journaled as abandoned (outcome unknown)",
                    if ids.len() == 1 {
                        "1 request".to_string()
                    } else {
                        format!("{} requests", ids.len())
                    }
                )),
                Ok(_) => {}
                Err(e) => notices.push(format!("journal: {e}")),
            }
            Some(Arc::new(Mutex::new(journal)))
        }
        Err(e) => {
            notices.push(format!(
                "journal unavailable, changes are not recorded: {e}"
            ));
            None
        }
    };
    let history = match &journal {
        Some(j) => {
            let path = j
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .path()
                .to_path_buf();
            match crate::engine::journal::recent(&path, HISTORY) {
                Ok((entries, _)) => entries,
                Err(e) => {
                    notices.push(e.to_string());
                    Vec::new()
                }
            }
        }
        None => Vec::new(),
    };
    let workspace = if profile.demo {
        Workspace::default()
    } else {
        let (w, problem) = crate::engine::workspace::load(&data_dir, &profile.name);
        notices.extend(problem);
        w
    };
    let settings = settings_for(session, &workspace);

    let (request_tx, request_rx) = mpsc::unbounded_channel();
    let (reply_tx, mut reply_rx) = mpsc::unbounded_channel();
    let backend = backend::spawn(clients, journal, profile.retry, request_rx, reply_tx);

    let (switch_tx, mut switch_rx) = mpsc::unbounded_channel::<SwitchEvent>();
    let mut state = Loop { end: None };
    let result = drive(
        &mut state,
        settings,
        history,
        notices,
        &data_dir,
        &profile.name,
        &request_tx,
        &mut reply_rx,
        (&switch_tx, &mut switch_rx),
        options,
    )
    .await;
    drop(request_tx);
    // Every way out passes here: abandon what is still in flight, then report.
    let abandoned = tokio::task::spawn_blocking(move || backend.abandon_in_flight())
        .await
        .unwrap_or(0);
    if abandoned > 0 {
        say(&format!(
            "tagdesk: {} still in flight; journaled as abandoned (outcome unknown)",
            if abandoned == 1 {
                "1 request was".to_string()
            } else {
                format!("{abandoned} requests were")
            }
        ));
    }
    result?;
    Ok(state.end.take().unwrap_or(RunEnd::Quit))
}

/// What the background resolution of a profile switch reports.
enum SwitchEvent {
    /// A key command of this profile is about to run (it may take up to 15 s).
    RunningKeyCommand(String),
    /// The prepared session, or (profile, why it cannot be used).
    Resolved(Box<Result<crate::session::Prepared, (String, String)>>),
}

/// What the loop leaves behind for [`run`].
struct Loop {
    end: Option<RunEnd>,
}

/// The event loop proper: owns the terminal (restored when it returns, on any path).
#[allow(clippy::too_many_arguments)]
async fn drive(
    state: &mut Loop,
    settings: Settings,
    history: Vec<crate::engine::journal::Entry>,
    notices: Vec<String>,
    data_dir: &std::path::Path,
    profile_name: &str,
    request_tx: &mpsc::UnboundedSender<backend::Request>,
    reply_rx: &mut mpsc::UnboundedReceiver<backend::Event>,
    (switch_tx, switch_rx): (
        &mpsc::UnboundedSender<SwitchEvent>,
        &mut mpsc::UnboundedReceiver<SwitchEvent>,
    ),
    options: &crate::session::Options,
) -> color_eyre::Result<()> {
    let mut guard = TerminalGuard::enter()?;
    let size = guard.terminal().size()?;
    let (mut app, effects) = App::new(settings, Utc::now());
    app.load_history(history);
    app.update(Message::Resize(size.width, size.height));
    if let Some(first) = notices.first() {
        let more = if notices.len() > 1 {
            format!(" (+{} more in the log file)", notices.len() - 1)
        } else {
            String::new()
        };
        app.set_status(app::Level::Warn, format!("{first}{more}"));
    }
    for n in &notices {
        tracing::warn!("{n}");
    }
    let mut pending_effects = effects;

    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let stop = stop_signal();
    tokio::pin!(stop);
    let outcome = 'events: loop {
        for effect in pending_effects.drain(..) {
            match effect {
                Effect::Send(request) => {
                    let _ = request_tx.send(request);
                }
                Effect::Quit => state.end = Some(RunEnd::Quit),
                Effect::SwitchProfile(name) => {
                    app.update(Message::Switching {
                        profile: name.clone(),
                        command: false,
                    });
                    let mut target = options.clone();
                    target.profile = Some(name.clone());
                    target.demo = false;
                    let tx = switch_tx.clone();
                    // The configuration is read, and the keys resolved, off the UI loop.
                    tokio::task::spawn_blocking(move || {
                        let env = |k: &str| std::env::var(k).ok();
                        let announce = |profile: &str| {
                            let _ = tx.send(SwitchEvent::RunningKeyCommand(profile.to_string()));
                        };
                        // A profile none of whose services can be used is not worth
                        // leaving this one for: the switch fails in place, with the reasons.
                        let prepared = crate::session::prepare_announcing(&target, &env, &announce)
                            .map_err(|e| (name.clone(), e.0))
                            .and_then(|p| match &p.profile {
                                Some(profile)
                                    if profile.cerego.is_none() && profile.hive.is_none() =>
                                {
                                    let why: Vec<String> = profile
                                        .unavailable
                                        .iter()
                                        .map(|u| u.reason.clone())
                                        .collect();
                                    Err((name.clone(), why.join("; ")))
                                }
                                Some(_) => Ok(p),
                                None => Err((name.clone(), "it resolves to demo mode".into())),
                            });
                        let _ = tx.send(SwitchEvent::Resolved(Box::new(prepared)));
                    });
                }
                Effect::Suspend => {
                    if let Err(e) = guard.suspend() {
                        break 'events Err(e.into());
                    }
                    events = EventStream::new();
                }
                Effect::Save(workspace) => {
                    let (dir, name) = (data_dir.to_path_buf(), profile_name.to_string());
                    tokio::task::spawn_blocking(move || {
                        if let Err(e) = crate::engine::workspace::save(&dir, &name, &workspace) {
                            tracing::error!("saving the workspace: {e}");
                        }
                    });
                }
            }
        }
        if state.end.is_some() {
            break Ok(());
        }
        if let Err(e) = guard.terminal().draw(|frame| view::draw(&app, frame)) {
            // The terminal is gone or broken: leave (in-flight requests are abandoned by
            // the caller, on this path too).
            break Err(e.into());
        }
        // Block until something happens: no redraw while idle.
        let mut batch = Vec::new();
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(e)) => batch.extend(to_message(e)),
                // The terminal is gone (hang-up) or unreadable: leave instead of spinning.
                Some(Err(_)) | None => batch.push(Message::Stop),
            },
            Some(event) = reply_rx.recv() => batch.push(event_message(event)),
            Some(switched) = switch_rx.recv() => match switched {
                SwitchEvent::RunningKeyCommand(profile) => {
                    batch.push(Message::Switching { profile, command: true });
                }
                SwitchEvent::Resolved(resolved) => match *resolved {
                    Ok(prepared) => state.end = Some(RunEnd::Switch(Box::new(prepared))),
                    Err((profile, reason)) => {
                        batch.push(Message::SwitchFailed { profile, reason });
                    }
                },
            },
            _ = tick.tick(), if app.needs_tick() => batch.push(Message::Tick),
            _ = &mut stop => batch.push(Message::Stop),
        }
        // Fold in replies that are already waiting before drawing again.
        while let Ok(event) = reply_rx.try_recv() {
            batch.push(event_message(event));
        }
        for message in batch {
            app.now = Utc::now();
            pending_effects.extend(app.update(message));
        }
    };
    drop(guard);
    outcome
}
