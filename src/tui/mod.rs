//! The console: terminal ownership, the event loop, and the pieces it drives.

mod actions;
pub mod app;
pub mod batches;
pub mod filter;
pub mod keymap;
pub mod message;
pub mod mouse;
pub mod popups;
mod screen_keys;
mod settings;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod view;

use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt;
use ratatui::crossterm::event::{Event, EventStream};
use tokio::sync::mpsc;

use std::sync::{Arc, Mutex};

use crate::engine::backend;
use crate::engine::journal::Journal;
use crate::session::Session;
use app::{App, Effect, Message, Settings};
pub use settings::{demo_settings, settings_for, settings_from};
pub use terminal::{TerminalGuard, restore_terminal};
use terminal::{say, to_message};

/// The message the App gets for an event of the backend (the loop's translation; benches
/// and tests that drive the App with the real backend use it too).
pub fn event_message(event: backend::Event) -> Message {
    match event {
        backend::Event::Retrying { id, notice } => Message::Retrying { id, notice },
        backend::Event::Page { id, progress } => Message::Page { id, progress },
        backend::Event::Done(reply) => Message::Reply(reply),
        backend::Event::Batch { batch_id, progress } => Message::Batch { batch_id, progress },
        backend::Event::BatchEnded { batch_id, report } => Message::BatchEnded { batch_id, report },
    }
}

/// How a console run ended.
pub enum RunEnd {
    Quit,
    /// Start again on this profile, already resolved (keys and all).
    Switch(Box<crate::session::Prepared>),
}

/// How many lines of earlier runs the action log shows at start (a batch's rows are one).
pub const HISTORY: usize = 200;

/// Runs the console until the operator quits, switches profile, or a stop signal arrives.
/// Whatever ends it — a quit, a signal, a lost terminal, an error — the requests still in
/// flight are journaled as abandoned before it returns.
pub async fn run(
    session: &Session,
    options: &crate::session::Options,
    tour: Option<crate::core::playground::tour::Tour>,
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
                "journal unavailable, changes are not sent (reads still work): {e}"
            ));
            None
        }
    };
    // Demo mode starts clean: its simulator starts fresh from the seed, so earlier demo runs
    // stay in the journal (`tagdesk --demo log`) but off the screen.
    let history = match &journal {
        Some(_) if profile.demo => Default::default(),
        Some(j) => {
            let path = j
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .path()
                .to_path_buf();
            match crate::engine::batch::recent::recent(&path, HISTORY) {
                Ok(recent) => recent,
                Err(e) => {
                    notices.push(e.to_string());
                    Default::default()
                }
            }
        }
        None => Default::default(),
    };
    let settings = settings_for(session);
    // First: a profile without its keys says which variable to set (status line and log).
    if let Some(notice) = settings.keys_notice() {
        notices.insert(0, notice);
    }
    if let Some(notice) = tags_api_notice(profile, &data_dir).await {
        notices.insert(0, notice);
    }
    // The saved workspace (known patrons, look-ups) is read on the saver's thread, after the
    // first frame's work has started: it arrives as a message (`Message::WorkspaceLoaded`).
    // Saves run on that thread too, in order, after the load; dropping the saver at the end
    // of `run` waits for the last one.
    let (workspace_tx, workspace_rx) = mpsc::unbounded_channel::<Message>();
    let keys = crate::core::redact::Redactor::new(profile.secrets());
    let saver = if settings.patrons_loading {
        crate::engine::workspace::Saver::start_loading(
            data_dir.clone(),
            profile.name.clone(),
            keys,
            Box::new(move |workspace, problem| {
                let _ = workspace_tx.send(Message::WorkspaceLoaded {
                    workspace: Box::new(workspace),
                    problem,
                });
            }),
        )
    } else {
        crate::engine::workspace::Saver::start_without_keys(
            data_dir.clone(),
            profile.name.clone(),
            Vec::new(),
            keys,
        )
    };

    let (request_tx, request_rx) = mpsc::unbounded_channel();
    let (reply_tx, mut reply_rx) = mpsc::unbounded_channel();
    let (message_tx, mut message_rx) = mpsc::unbounded_channel();
    let cache_writer = start_user_cache(profile, settings.cache_users, &data_dir, &message_tx);
    let journal_path = journal.as_ref().map(|j| {
        j.lock()
            .unwrap_or_else(|e| e.into_inner())
            .path()
            .to_path_buf()
    });
    // A demo batch cannot be resumed against a simulator that started fresh.
    let resume_offer = journal_path
        .as_deref()
        .filter(|_| !profile.demo)
        .and_then(|p| batches::interrupted(p, &data_dir, &profile.name, profile.demo));
    let mut runner = batches::BatchRunner::new(
        clients.clone(),
        journal.clone(),
        profile.name.clone(),
        profile.demo,
        profile.retry,
        data_dir.clone(),
        reply_tx.clone(),
        message_tx,
    );
    // Kept for the way out: the batches' rows in flight are journaled through it.
    let exit_journal = journal.clone();
    let backend = backend::spawn(clients, journal, profile.retry, request_rx, reply_tx);

    let (switch_tx, mut switch_rx) = mpsc::unbounded_channel::<SwitchEvent>();
    let mut state = Loop {
        end: None,
        screen_keys: crate::core::redact::Redactor::new(profile.secrets()).for_text(),
    };
    let result = drive(
        &mut state,
        settings,
        history,
        notices,
        (&saver, cache_writer.as_ref()),
        &request_tx,
        &mut reply_rx,
        (&switch_tx, &mut switch_rx),
        (&mut runner, &mut message_rx, resume_offer, tour),
        workspace_rx,
        options,
        profile.mouse,
    )
    .await;
    drop(request_tx);
    runner.abort_all();
    // Every way out passes here: abandon what is still in flight — single requests and the
    // rows of running batches — then report. The journal then takes nothing more, so an
    // answer that arrives meanwhile is not a second outcome.
    let abandoned = tokio::task::spawn_blocking(move || {
        let mut n = backend.abandon_in_flight();
        if let Some(journal) = &exit_journal {
            match crate::engine::exec::lock(journal).abandon_in_flight() {
                Ok(ids) => n += ids.len(),
                Err(e) => tracing::error!("journal: {e}"),
            }
        }
        n
    })
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

/// The user cache at start, off the UI loop: read and handed to the App (a file that cannot
/// be shown is reported in the log and ignored), or — the cache being off — removed unread.
/// Returns the writer of the caches of this run, when the profile keeps one.
fn start_user_cache(
    profile: &crate::config::Profile,
    on: bool,
    data_dir: &std::path::Path,
    messages: &mpsc::UnboundedSender<Message>,
) -> Option<crate::engine::user_cache::Writer> {
    use crate::engine::user_cache;
    let (dir, name) = (data_dir.to_path_buf(), profile.name.clone());
    if !on {
        if !profile.demo {
            tokio::task::spawn_blocking(move || match user_cache::remove(&dir, &name) {
                Ok(true) => tracing::info!("user cache of {name} removed ([cache] users = false)"),
                Ok(false) => {}
                Err(e) => tracing::error!("removing the user cache of {name}: {e}"),
            });
        }
        return None;
    }
    if let Some(c) = &profile.cerego {
        let (limits, tx) = (profile.limits, messages.clone());
        let listing = (c.partner_id.to_string(), c.include_department_users);
        let (dir, name) = (dir.clone(), name.clone());
        tokio::task::spawn_blocking(move || {
            match user_cache::load(&dir, &name, &limits, (&listing.0, listing.1)) {
                Ok(Some(cached)) => {
                    tracing::info!(
                        "user cache: {} users as of {}",
                        cached.users.len(),
                        cached.meta.as_of
                    );
                    let _ = tx.send(Message::CachedUsers(Box::new(cached)));
                }
                Ok(None) => {}
                Err(e) => tracing::warn!("{e}"),
            }
        });
    }
    Some(user_cache::Writer::start(dir, name))
}

/// The once-per-profile notice that a profile which does not say `cerego.tags_api` now
/// sends to the set endpoint (the default was "legacy"). Read and recorded off the UI
/// thread, in `notices.toml` of the data dir.
async fn tags_api_notice(
    profile: &crate::config::Profile,
    data_dir: &std::path::Path,
) -> Option<String> {
    use crate::engine::notices;
    if profile.demo
        || !profile
            .cerego
            .as_ref()
            .is_some_and(|c| c.tags_api_defaulted)
    {
        return None;
    }
    let (dir, name) = (data_dir.to_path_buf(), profile.name.clone());
    let first = tokio::task::spawn_blocking(move || {
        notices::tell_once(&dir, notices::TAGS_API_DEFAULT, &name)
    })
    .await;
    let text = format!(
        "Cerego: profile {} does not set tags_api, so it now uses the set endpoint (POST \
         /v3/users/:id/partner_user_tags; earlier tagdesks used the legacy ones): write \
         tags_api = \"legacy\" in [profiles.{}.cerego] to keep them; tagdesk config check \
         says which the server answers",
        profile.name, profile.name
    );
    match first {
        Ok(Ok(false)) => None,
        Ok(Ok(true)) => Some(text),
        // Not recorded: given now, and again at the next start.
        Ok(Err(e)) => {
            tracing::warn!("{}: {e}", notices::FILE);
            Some(text)
        }
        Err(_) => Some(text),
    }
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
    /// The profile's keys, overwritten wherever a frame shows one ([`screen_keys`]).
    screen_keys: crate::core::redact::Redactor,
}

/// The event loop proper: owns the terminal (restored when it returns, on any path).
#[allow(clippy::too_many_arguments)]
async fn drive(
    state: &mut Loop,
    settings: Settings,
    history: crate::engine::batch::recent::Recent,
    notices: Vec<String>,
    (saver, cache_writer): (
        &crate::engine::workspace::Saver,
        Option<&crate::engine::user_cache::Writer>,
    ),
    request_tx: &mpsc::UnboundedSender<backend::Request>,
    reply_rx: &mut mpsc::UnboundedReceiver<backend::Event>,
    (switch_tx, switch_rx): (
        &mpsc::UnboundedSender<SwitchEvent>,
        &mut mpsc::UnboundedReceiver<SwitchEvent>,
    ),
    (runner, message_rx, resume_offer, tour): (
        &mut batches::BatchRunner,
        &mut mpsc::UnboundedReceiver<Message>,
        Option<batches::ResumeOffer>,
        Option<crate::core::playground::tour::Tour>,
    ),
    mut workspace_rx: mpsc::UnboundedReceiver<Message>,
    options: &crate::session::Options,
    mouse: bool,
) -> color_eyre::Result<()> {
    let mut guard = TerminalGuard::enter(mouse)?;
    // Where things are on the screen last drawn, for the mouse (`tui::mouse`).
    let mut hits = mouse::Hits::default();
    let mut pointer = mouse::Pointer::default();
    let size = guard.terminal().size()?;
    let (mut app, effects) = App::new(settings, Utc::now());
    // A filter's search that lands off the UI thread wakes the loop (no polling: an idle
    // console costs no CPU).
    let (filter_tx, mut filter_rx) = mpsc::unbounded_channel::<()>();
    app.set_filter_waker(Some(std::sync::Arc::new(move || {
        let _ = filter_tx.send(());
    })));
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
    if let Some(offer) = resume_offer {
        app.remember_attempts(&offer.plan.batch_id, offer.attempts);
        app.offer_resume(offer.plan, offer.todo, offer.last);
    }
    if let Some(tour) = tour {
        app.start_tour(tour);
    }

    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let stop = terminal::stop_signals();
    tokio::pin!(stop);
    let outcome = 'events: loop {
        for effect in pending_effects.drain(..) {
            match effect {
                Effect::Send(request) => {
                    let _ = request_tx.send(request);
                }
                Effect::ReadImport { path, service } => runner.read_import(path, service),
                Effect::ListDirectory { dir } => runner.list_directory(dir),
                Effect::RunBatch(job) => runner.run(*job),
                Effect::ControlBatch { batch_id, control } => runner.control(&batch_id, control),
                Effect::ListBatches => runner.list_batches(),
                Effect::LoadBatch { batch_id, then } => runner.load_batch(batch_id, then),
                Effect::SetUpPlay {
                    key,
                    service,
                    steps,
                } => runner.set_up_play(key, service, steps),
                Effect::Sim(command) => runner.sim(command),
                Effect::Copy { what, text } => {
                    if let Err(e) = terminal::copy_to_clipboard(&text) {
                        app.set_status(app::Level::Error, format!("Could not copy {what}: {e}"));
                    }
                }
                Effect::Quit => state.end = Some(RunEnd::Quit),
                Effect::SwitchToDemo => {
                    app.update(Message::Switching {
                        profile: "demo".into(),
                        command: false,
                    });
                    let mut target = options.clone();
                    target.profile = None;
                    target.demo = true;
                    let tx = switch_tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let env = |k: &str| std::env::var(k).ok();
                        let prepared = crate::session::prepare(&target, &env)
                            .map_err(|e| ("demo".to_string(), e.0));
                        let _ = tx.send(SwitchEvent::Resolved(Box::new(prepared)));
                    });
                }
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
                Effect::Save(workspace) => saver.save(*workspace),
                Effect::SaveUserCache(bytes) => {
                    if let Some(writer) = cache_writer {
                        writer.save(bytes);
                    }
                }
            }
        }
        if state.end.is_some() {
            break Ok(());
        }
        let drawn = guard.terminal().draw(|frame| {
            view::draw(&app, frame);
            screen_keys::redact(frame.buffer_mut(), &state.screen_keys);
            if mouse {
                hits = view::hits(&app, frame.area());
            }
        });
        if let Err(e) = drawn {
            // The terminal is gone or broken: leave (in-flight requests are abandoned by
            // the caller, on this path too).
            break Err(e.into());
        }
        // Block until something happens: no redraw while idle.
        let mut batch = Vec::new();
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Mouse(m))) => {
                    batch.extend(pointer.message(&hits, &m, std::time::Instant::now()));
                }
                Some(Ok(e)) => batch.extend(to_message(e)),
                // The terminal is gone (hang-up) or unreadable: leave instead of spinning.
                Some(Err(_)) | None => batch.push(Message::Stop),
            },
            Some(event) = reply_rx.recv() => batch.push(event_message(event)),
            Some(message) = message_rx.recv() => batch.push(message),
            Some(message) = workspace_rx.recv() => batch.push(message),
            Some(()) = filter_rx.recv() => {
                while filter_rx.try_recv().is_ok() {}
                batch.push(Message::Filtered);
            }
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
    // Leaving before the saved workspace arrived (a quit in its first moments): what this
    // run learned of Hive patrons is merged into it and saved all the same.
    if app.patrons_loading()
        && let Ok(Some(loaded)) = tokio::time::timeout(WORKSPACE_WAIT, workspace_rx.recv()).await
    {
        for effect in app.update(loaded) {
            if let Effect::Save(workspace) = effect {
                saver.save(*workspace);
            }
        }
    }
    outcome
}

/// How long leaving waits for a saved workspace still being read (local files, at most
/// 64 MiB each: normally well under a second).
const WORKSPACE_WAIT: Duration = Duration::from_secs(30);
