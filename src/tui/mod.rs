//! The console: terminal ownership, the event loop, and the pieces it drives.

pub mod app;
pub mod filter;
mod flows;
pub mod forms;
pub mod keymap;
pub mod view;

use std::io::{self, Write};
use std::time::Duration;

use chrono::{Local, Offset, Utc};
use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event, EventStream};
use ratatui::crossterm::execute;
use tokio::sync::mpsc;

use crate::backend::{self, Clients};
use crate::sim::seed::Seed;
use app::{
    App, CeregoSettings, Effect, HiveSettings, HiveTagInfo, KnownPatron, KnownTag, Message,
    Settings, TagTypeInfo,
};

/// Owns the terminal while the console runs: restores it exactly once, on every way out
/// (normal quit, error, or unwinding panic; the panic hook installed by `ratatui::init`
/// covers panics too).
pub struct TerminalGuard {
    terminal: DefaultTerminal,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<Self> {
        let terminal = ratatui::try_init()?;
        execute!(io::stdout(), EnableBracketedPaste)?;
        Ok(Self { terminal })
    }

    pub fn terminal(&mut self) -> &mut DefaultTerminal {
        &mut self.terminal
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = execute!(io::stdout(), DisableBracketedPaste);
        let _ = ratatui::try_restore();
        let _ = io::stdout().flush();
    }
}

/// Settings for demo mode, from the seed the embedded simulator serves.
pub fn demo_settings(seed: &Seed) -> Settings {
    Settings {
        demo: true,
        profile: "demo".into(),
        cerego: Some(CeregoSettings {
            partner_id: seed.cerego.partner_id.clone(),
            tag_types: seed
                .cerego
                .tag_types
                .iter()
                .map(|t| TagTypeInfo {
                    id: t.id.clone(),
                    name: t.name.clone(),
                })
                .collect(),
        }),
        hive: Some(HiveSettings {
            catalogue: seed
                .hive
                .tags
                .iter()
                .map(|t| HiveTagInfo {
                    api_field: t.api_field.clone(),
                    name: t.name.clone(),
                })
                .collect(),
        }),
        patrons: seed
            .hive
            .patrons
            .iter()
            .map(|p| KnownPatron {
                id: p.id.clone(),
                tags: p
                    .tags
                    .iter()
                    .map(|t| KnownTag {
                        api_field: t.to_string(),
                        confirmed_at: None,
                    })
                    .collect(),
                note: "tags from the demo seed; Hive has no read endpoint".into(),
                confirmed_at: None,
                complete: true,
            })
            .collect(),
        utc_offset: Local::now().offset().fix(),
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

/// Resolves when the process is asked to stop (SIGTERM, SIGHUP, SIGINT).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let kinds = [
            SignalKind::terminate(),
            SignalKind::hangup(),
            SignalKind::interrupt(),
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

/// Runs the console until the operator quits or a stop signal arrives.
pub async fn run(settings: Settings, clients: Clients) -> color_eyre::Result<()> {
    let (request_tx, request_rx) = mpsc::unbounded_channel();
    let (reply_tx, mut reply_rx) = mpsc::unbounded_channel();
    let backend = backend::spawn(clients, request_rx, reply_tx);

    let mut guard = TerminalGuard::enter()?;
    let size = guard.terminal().size()?;
    let (mut app, effects) = App::new(settings, Utc::now());
    app.update(Message::Resize(size.width, size.height));
    for effect in effects {
        if let Effect::Send(request) = effect {
            let _ = request_tx.send(request);
        }
    }

    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let stop = stop_signal();
    tokio::pin!(stop);
    let mut quit = false;
    while !quit {
        guard.terminal().draw(|frame| view::draw(&app, frame))?;
        // Block until something happens: no redraw while idle.
        let mut batch = Vec::new();
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(e)) => batch.extend(to_message(e)),
                // The terminal is gone (hang-up) or unreadable: leave instead of spinning.
                Some(Err(_)) | None => batch.push(Message::Stop),
            },
            Some(reply) = reply_rx.recv() => batch.push(Message::Reply(Box::new(reply))),
            _ = tick.tick(), if app.needs_tick() => batch.push(Message::Tick),
            _ = &mut stop => batch.push(Message::Stop),
        }
        // Fold in replies that are already waiting before drawing again.
        while let Ok(reply) = reply_rx.try_recv() {
            batch.push(Message::Reply(Box::new(reply)));
        }
        for message in batch {
            app.now = Utc::now();
            for effect in app.update(message) {
                match effect {
                    Effect::Send(request) => {
                        let _ = request_tx.send(request);
                    }
                    Effect::Quit => quit = true,
                }
            }
        }
    }
    drop(guard);
    drop(request_tx);
    backend.abort();
    Ok(())
}
