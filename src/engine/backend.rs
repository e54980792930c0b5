//! The backend task: the only place that talks to the APIs.
//!
//! The UI sends `Request { id, op }` and gets `Reply { id, .. }` back on another channel, so
//! the console never waits on the network. Each request runs in its own task, so several can
//! be in flight at once; the client timeouts bound every one of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::core::op::{ApiError, Exchange, Op, Output};
use crate::engine::exec::{
    Clients, Hooks, PageProgress, SharedJournal, execute_journaled_with, lock,
};
use crate::engine::retry::{RetryNotice, RetryPolicy};

/// Identifies a request for the lifetime of the process.
pub type RequestId = u64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: RequestId,
    pub op: Op,
    /// The journal id the request is recorded under (the console keys its log by it);
    /// empty: the backend makes one.
    pub journal_id: String,
    /// A Cerego update: the value it replaces, as the console knew it (journaled with the
    /// intent, so the change can be undone).
    pub prior: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub id: RequestId,
    pub op: Op,
    /// Every exchange, across attempts (a long listing keeps its first pages and its last).
    pub exchanges: Vec<Exchange>,
    /// The retries that were made before the final result.
    pub retries: Vec<RetryNotice>,
    pub result: Result<Output, ApiError>,
    pub finished_at: DateTime<Utc>,
    /// The outcome could not be written to the journal (the request was sent).
    pub journal_error: Option<String>,
}

/// The backend: its task and what it needs to settle requests still in flight at quit.
pub struct Backend {
    task: tokio::task::JoinHandle<()>,
    in_flight: Arc<Mutex<HashMap<RequestId, String>>>,
    /// The listings under way: stopped (every page request in flight dropped) when the
    /// backend stops, as at a profile switch, so that no page keeps arriving afterwards.
    listings: Listings,
    journal: Option<SharedJournal>,
}

type Listings = Arc<Mutex<HashMap<RequestId, Running>>>;

/// A listing under way: what stops it, and what it was (to answer for it when a newer
/// listing of the whole partner replaces it).
struct Running {
    handle: futures_util::future::AbortHandle,
    op: Op,
}

/// What a listing replaced by a newer one of the whole partner answers.
pub const REPLACED_LISTING: &str =
    "stopped: a new listing of the partner's users replaced it (nothing was changed)";

impl Backend {
    /// Journals every request still in flight as abandoned (outcome unknown) and stops.
    /// Returns how many there were.
    pub fn abandon_in_flight(self) -> usize {
        self.task.abort();
        // A listing is a read: stopping it loses nothing, and its page requests stop now.
        for (_, listing) in self
            .listings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
        {
            listing.handle.abort();
        }
        let ids: Vec<String> = self
            .in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .map(|(_, j)| j)
            .collect();
        if let Some(journal) = &self.journal
            && let Err(e) = lock(journal).record_abandoned(ids.iter().map(String::as_str))
        {
            tracing::error!("journal: {e}");
        }
        ids.len()
    }
}

/// What the backend tells the console.
#[derive(Debug, Clone)]
pub enum Event {
    /// A request failed transiently and will be sent again.
    Retrying {
        id: RequestId,
        notice: RetryNotice,
    },
    /// A page of a user list arrived (more may follow).
    Page {
        id: RequestId,
        progress: PageProgress,
    },
    Done(Box<Reply>),
    /// A batch of this run made progress.
    Batch {
        batch_id: String,
        progress: crate::engine::batch::Progress,
    },
    /// A batch of this run ended.
    BatchEnded {
        batch_id: String,
        report: Box<crate::engine::batch::RunReport>,
    },
}

/// Spawns the backend loop. It ends when the request channel closes.
pub fn spawn(
    clients: Clients,
    journal: Option<SharedJournal>,
    policy: RetryPolicy,
    mut requests: mpsc::UnboundedReceiver<Request>,
    events: mpsc::UnboundedSender<Event>,
) -> Backend {
    let in_flight: Arc<Mutex<HashMap<RequestId, String>>> = Arc::default();
    let tracked = in_flight.clone();
    let listings: Listings = Arc::default();
    let running = listings.clone();
    let shared_journal = journal.clone();
    let task = tokio::spawn(async move {
        while let Some(Request {
            id,
            op,
            journal_id,
            prior,
        }) = requests.recv().await
        {
            let clients = clients.clone();
            let events = events.clone();
            let journal = shared_journal.clone();
            let tracked = tracked.clone();
            let journal_id = if journal_id.is_empty() {
                crate::engine::journal::new_id()
            } else {
                journal_id
            };
            tracked
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id, journal_id.clone());
            let is_listing = matches!(op, Op::CeregoListUsers { .. });
            if matches!(op, Op::CeregoListUsers { query: None, .. }) {
                // A new listing of the whole partner (the console's `r`) replaces one under
                // way: its page requests stop now, and it is answered for here.
                replace_listings(&running, &tracked, shared_journal.as_ref(), &events);
            }
            let listed = running.clone();
            let op_kept = op.clone();
            let (work, handle) = futures_util::future::abortable(async move {
                let progress = events.clone();
                let notify = move |notice: RetryNotice| {
                    let _ = progress.send(Event::Retrying { id, notice });
                };
                let pages = events.clone();
                let on_page = move |progress: PageProgress| {
                    let _ = pages.send(Event::Page { id, progress });
                };
                // The console takes the partner listing's users page by page, so its final
                // reply does not carry them a second time; a look-up's users come in the reply.
                let hooks = Hooks {
                    notify: &notify,
                    on_page: &on_page,
                    keep_users: !matches!(op, Op::CeregoListUsers { query: None, .. }),
                    prior: prior.as_deref(),
                };
                // No journal (it could not be opened): a change is not sent, as nothing could
                // record its intent; reads still work.
                let run = if journal.is_none() && op.is_mutation() {
                    crate::engine::exec::Execution {
                        exchanges: Vec::new(),
                        retries: Vec::new(),
                        result: Err(crate::core::op::ApiError::JournalUnwritable {
                            reason: "the journal could not be opened when the console started, \
                                     so this change was not sent (reads still work)"
                                .into(),
                        }),
                        journal_error: None,
                    }
                } else {
                    execute_journaled_with(
                        &clients,
                        journal.as_ref(),
                        &journal_id,
                        &op,
                        &policy,
                        &hooks,
                    )
                    .await
                };
                tracked
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&id);
                let registered = listed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&id)
                    .is_some();
                if is_listing && !registered {
                    // Replaced or stopped meanwhile: whoever took it off the list answers.
                    return;
                }
                // The UI may have gone away; then nobody wants the reply.
                let _ = events.send(Event::Done(Box::new(Reply {
                    id,
                    op,
                    exchanges: run.exchanges,
                    retries: run.retries,
                    result: run.result,
                    finished_at: Utc::now(),
                    journal_error: run.journal_error,
                })));
            });
            // Registered before it starts, so its own removal at the end always follows.
            if is_listing {
                running.lock().unwrap_or_else(|e| e.into_inner()).insert(
                    id,
                    Running {
                        handle,
                        op: op_kept,
                    },
                );
            }
            tokio::spawn(work);
        }
    });
    Backend {
        task,
        in_flight,
        listings,
        journal,
    }
}

/// Stops every listing of the whole partner under way (their page requests are dropped
/// now), journals each as abandoned (a read: nothing to settle) and answers for it.
fn replace_listings(
    running: &Listings,
    tracked: &Arc<Mutex<HashMap<RequestId, String>>>,
    journal: Option<&SharedJournal>,
    events: &mpsc::UnboundedSender<Event>,
) {
    let replaced: Vec<(RequestId, Running)> = {
        let mut running = running.lock().unwrap_or_else(|e| e.into_inner());
        let ids: Vec<RequestId> = running
            .iter()
            .filter(|(_, r)| matches!(r.op, Op::CeregoListUsers { query: None, .. }))
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| running.remove(&id).map(|r| (id, r)))
            .collect()
    };
    let mut journal_ids = Vec::new();
    for (id, listing) in replaced {
        listing.handle.abort();
        if let Some(j) = tracked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id)
        {
            journal_ids.push(j);
        }
        let _ = events.send(Event::Done(Box::new(Reply {
            id,
            op: listing.op,
            exchanges: Vec::new(),
            retries: Vec::new(),
            result: Err(ApiError::Local {
                message: REPLACED_LISTING.into(),
            }),
            finished_at: Utc::now(),
            journal_error: None,
        })));
    }
    if let (Some(journal), false) = (journal, journal_ids.is_empty()) {
        let journal = journal.clone();
        tokio::spawn(crate::engine::blocking(move || {
            if let Err(e) = lock(&journal).record_abandoned(journal_ids.iter().map(String::as_str))
            {
                tracing::error!("journal: {e}");
            }
        }));
    }
}
