//! The signals that end a command — SIGINT (`Ctrl-C`), SIGTERM and SIGHUP — and the one way
//! out they share: every request still in flight is journaled as `abandoned` (outcome
//! unknown) before the process exits with the conventional status (128 + the signal's
//! number: 130, 143, 129).
//!
//! A single command (`hive add`, `cerego update`, …) stops at once on any of them. A batch
//! treats a first `Ctrl-C` as a cancel (requests in flight finish, the rest stay pending);
//! a second `Ctrl-C`, a SIGTERM or a SIGHUP stops it at once the same way.

use super::{err, flush};
use crate::engine::exec::{SharedJournal, lock};

/// A signal that ends a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Interrupt,
    Terminate,
    HangUp,
}

impl Stop {
    pub fn name(self) -> &'static str {
        match self {
            Stop::Interrupt => "SIGINT",
            Stop::Terminate => "SIGTERM",
            Stop::HangUp => "SIGHUP",
        }
    }

    /// The exit status a shell expects after this signal: 128 + its number.
    pub fn exit_code(self) -> i32 {
        128 + match self {
            Stop::HangUp => 1,
            Stop::Interrupt => 2,
            Stop::Terminate => 15,
        }
    }
}

/// The handlers, installed from the moment this is made (so a signal that arrives before
/// anyone waits is not lost, and no longer kills the process without a journal record).
pub struct Signals {
    #[cfg(unix)]
    streams: Vec<(Stop, tokio::signal::unix::Signal)>,
}

impl Signals {
    /// Installs the handlers. Make it only once a command is about to send: before that the
    /// default (the process ends) is what an operator at a prompt expects.
    pub fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = [
                (Stop::Interrupt, SignalKind::interrupt()),
                (Stop::Terminate, SignalKind::terminate()),
                (Stop::HangUp, SignalKind::hangup()),
            ]
            .into_iter()
            .filter_map(|(stop, kind)| signal(kind).ok().map(|s| (stop, s)))
            .collect();
            Self { streams }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    /// The next signal.
    pub async fn next(&mut self) -> Stop {
        #[cfg(unix)]
        {
            if self.streams.is_empty() {
                return std::future::pending().await;
            }
            let waits = self.streams.iter_mut().map(|(stop, s)| {
                Box::pin(async move {
                    s.recv().await;
                    *stop
                })
            });
            futures_util::future::select_all(waits).await.0
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Stop::Interrupt
        }
    }
}

/// Journals what is in flight as abandoned, says so on stderr, and ends the process. The
/// journal stays locked until the end, so an answer arriving meanwhile cannot be written as a
/// second outcome.
pub fn abandon_and_exit(journal: Option<&SharedJournal>, stop: Stop, what: &str) -> ! {
    flush();
    let mut guard = journal.map(lock);
    let abandoned = match guard.as_mut().map(|j| j.abandon_in_flight()) {
        Some(Ok(ids)) => ids.len(),
        Some(Err(e)) => {
            err(&format!(
                "tagdesk: {}: the requests in flight could not be journaled as abandoned: {e}",
                stop.name()
            ));
            0
        }
        None => 0,
    };
    let journaled = match abandoned {
        0 => String::new(),
        1 => "; the request in flight was journaled as abandoned (outcome unknown: it may or \
              may not have been carried out)"
            .to_string(),
        n => format!(
            "; the {n} requests in flight were journaled as abandoned (outcome unknown: they \
             may or may not have been carried out)"
        ),
    };
    err(&format!(
        "\ntagdesk: {}: stopped{journaled}{what}",
        stop.name()
    ));
    std::process::exit(stop.exit_code())
}
