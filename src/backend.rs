//! The backend task: the only place that talks to the APIs.
//!
//! The UI sends `Request { id, op }` and gets `Reply { id, .. }` back on another channel, so
//! the console never waits on the network. Each request runs in its own task, so several can
//! be in flight at once; the client timeouts bound every one of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::api::cerego::{CeregoClient, CeregoTag, Profile, UserList};
use crate::api::hive::{HiveClient, HiveOutcome};
use crate::api::{self, ApiError, Call, Exchange};
use crate::journal::{Journal, OutcomeRecord, RequestInfo};
use crate::op::Op;
use crate::retry::{self, RetryNotice, RetryPolicy};

/// Identifies a request for the lifetime of the process.
pub type RequestId = u64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: RequestId,
    pub op: Op,
}

/// What a successful Op produced.
#[derive(Debug, Clone)]
pub enum Output {
    Hive(HiveOutcome),
    Tag(CeregoTag),
    Users(UserList),
    Profile(Profile),
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub id: RequestId,
    pub op: Op,
    /// Every exchange, across attempts.
    pub exchanges: Vec<Exchange>,
    /// The retries that were made before the final result.
    pub retries: Vec<RetryNotice>,
    pub result: Result<Output, ApiError>,
    pub finished_at: DateTime<Utc>,
}

/// The clients the backend may use; a service without a client answers every Op for it
/// with a clear error instead of sending anything.
#[derive(Debug, Clone, Default)]
pub struct Clients {
    pub hive: Option<HiveClient>,
    pub cerego: Option<CeregoClient>,
}

/// One page of a user list as it arrives (the console shows users while the rest load).
#[derive(Debug, Clone)]
pub struct PageProgress {
    pub users: Vec<crate::api::cerego::CeregoUser>,
    pub page: u32,
    pub total_pages: Option<u64>,
}

/// Runs one Op against the clients. Public so the CLI shares exactly this path.
pub async fn execute(clients: &Clients, op: &Op) -> (Vec<Exchange>, Result<Output, ApiError>) {
    execute_with(clients, op, &|_| {}).await
}

/// [`execute`], reporting each page of a user list through `on_page`.
pub async fn execute_with(
    clients: &Clients,
    op: &Op,
    on_page: &(dyn Fn(PageProgress) + Send + Sync),
) -> (Vec<Exchange>, Result<Output, ApiError>) {
    fn done<T>(call: Call<T>, wrap: fn(T) -> Output) -> (Vec<Exchange>, Result<Output, ApiError>) {
        (call.exchanges, call.result.map(wrap))
    }
    let unconfigured = |service: &str| {
        (
            Vec::new(),
            Err(ApiError::Network {
                message: format!("{service} is not configured for this profile (no API key)"),
                connect: true,
            }),
        )
    };
    match op {
        Op::HiveAdd { patron, fields } => match &clients.hive {
            Some(c) => done(c.add(patron, fields).await, Output::Hive),
            None => unconfigured("Hive"),
        },
        Op::HiveRemove { patron, fields } => match &clients.hive {
            Some(c) => done(c.remove(patron, fields).await, Output::Hive),
            None => unconfigured("Hive"),
        },
        Op::CeregoAdd {
            user,
            tag_type,
            value,
        } => match &clients.cerego {
            Some(c) => done(c.add_tag(tag_type, user, value).await, Output::Tag),
            None => unconfigured("Cerego"),
        },
        Op::CeregoUpdate { tag, value } => match &clients.cerego {
            Some(c) => done(c.update_tag(tag, value).await, Output::Tag),
            None => unconfigured("Cerego"),
        },
        Op::CeregoListUsers { partner, query } => match &clients.cerego {
            Some(c) => {
                let report = |page: &crate::api::cerego::UsersPage, number: u32| {
                    on_page(PageProgress {
                        users: page.users.clone(),
                        page: number,
                        total_pages: page.total_pages,
                    })
                };
                done(
                    c.list_users_with(partner, query.as_deref(), &report).await,
                    Output::Users,
                )
            }
            None => unconfigured("Cerego"),
        },
        Op::CeregoProfile => match &clients.cerego {
            Some(c) => done(c.profile().await, Output::Profile),
            None => unconfigured("Cerego"),
        },
    }
}

/// Reads a whole response to an Op the way the clients do (one page for a user list).
/// Lets tests and tools turn a status and body into exactly the reply the console gets.
pub fn interpret(op: &Op, status: u16, body: &[u8]) -> Result<Output, ApiError> {
    use crate::api::cerego::UsersPage;
    use crate::api::outcome::HiveAction;
    match op {
        Op::HiveAdd { .. } => api::interpret(status, body, None, |b| {
            HiveOutcome::parse(HiveAction::Add, b)
        })
        .map(Output::Hive),
        Op::HiveRemove { .. } => api::interpret(status, body, None, |b| {
            HiveOutcome::parse(HiveAction::Remove, b)
        })
        .map(Output::Hive),
        Op::CeregoAdd { .. } | Op::CeregoUpdate { .. } => {
            api::interpret(status, body, None, CeregoTag::parse_document).map(Output::Tag)
        }
        Op::CeregoListUsers { .. } => {
            api::interpret(status, body, None, UsersPage::parse).map(|p| {
                Output::Users(UserList {
                    users: p.users,
                    total_count: p.total_count,
                    pages_fetched: 1,
                })
            })
        }
        Op::CeregoProfile => {
            api::interpret(status, body, None, Profile::parse).map(Output::Profile)
        }
    }
}

/// The request an Op will make, as the journal records it before sending.
pub fn planned_request(op: &Op, clients: &Clients) -> RequestInfo {
    use serde_json::json;
    let hive = clients.hive.as_ref().map(|c| c.base_url()).unwrap_or("");
    let cerego = clients.cerego.as_ref().map(|c| c.base_url()).unwrap_or("");
    let (method, url, body) = match op {
        Op::HiveAdd { patron, fields } => (
            "POST",
            api::join_url(hive, crate::api::hive::ADD_PATH),
            Some(HiveClient::body(patron, fields)),
        ),
        Op::HiveRemove { patron, fields } => (
            "POST",
            api::join_url(hive, crate::api::hive::REMOVE_PATH),
            Some(HiveClient::body(patron, fields)),
        ),
        Op::CeregoAdd {
            user,
            tag_type,
            value,
        } => (
            "POST",
            api::join_url(
                cerego,
                &format!("/v3/partner_user_tag_types/{tag_type}/partner_user_tags"),
            ),
            Some(json!({"user_id": user.as_str(), "value": value.as_str()})),
        ),
        Op::CeregoUpdate { tag, value } => (
            "PUT",
            api::join_url(cerego, &format!("/v3/partner_user_tags/{tag}")),
            Some(json!({"value": value.as_str()})),
        ),
        Op::CeregoListUsers { partner, .. } => (
            "GET",
            api::join_url(cerego, &format!("/v3/partners/{partner}/users")),
            None,
        ),
        Op::CeregoProfile => ("GET", api::join_url(cerego, "/v3/my/profile"), None),
    };
    RequestInfo {
        method: method.to_string(),
        url,
        body,
    }
}

/// The journal as the backend shares it between request tasks.
pub type SharedJournal = Arc<Mutex<Journal>>;

/// What one journaled execution produced.
pub struct Execution {
    pub exchanges: Vec<Exchange>,
    pub retries: Vec<RetryNotice>,
    pub result: Result<Output, ApiError>,
}

/// Runs one Op with its journal records around it: the intent before anything is sent
/// (a mutation whose intent cannot be written is not sent), then the attempts (transient
/// failures retried under `policy`, each retry announced through `notify` before its
/// wait), then one outcome record.
pub async fn execute_journaled(
    clients: &Clients,
    journal: Option<&SharedJournal>,
    journal_id: &str,
    op: &Op,
    policy: &RetryPolicy,
    notify: &(dyn Fn(RetryNotice) + Send + Sync),
    on_page: &(dyn Fn(PageProgress) + Send + Sync),
) -> Execution {
    if let Some(journal) = journal {
        let (j, id, o, req) = (
            journal.clone(),
            journal_id.to_string(),
            op.clone(),
            planned_request(op, clients),
        );
        let written =
            tokio::task::spawn_blocking(move || lock(&j).record_intent(&id, &o, Some(req))).await;
        let failure = match written {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(reason) = failure {
            tracing::error!("journal: {reason}");
            if op.is_mutation() {
                return Execution {
                    exchanges: Vec::new(),
                    retries: Vec::new(),
                    result: Err(ApiError::Network {
                        message: format!("not sent: the journal could not be written: {reason}"),
                        connect: true,
                    }),
                };
            }
        }
    }
    let started = Instant::now();
    let mut exchanges = Vec::new();
    let mut retries = Vec::new();
    let mut attempt = 1;
    let result = loop {
        let (mut ex, result) = execute_with(clients, op, on_page).await;
        exchanges.append(&mut ex);
        let Err(error) = &result else {
            break result;
        };
        let next = attempt + 1;
        let Some((wait, from_retry_after)) =
            retry::next_wait(policy, op, error, next, started.elapsed(), Utc::now())
        else {
            break result;
        };
        let notice = RetryNotice {
            attempt: next,
            max_attempts: policy.max_attempts,
            wait_ms: wait.as_millis() as u64,
            at: Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default(),
            reason: error.to_string(),
            from_retry_after,
        };
        tracing::warn!(
            "{}: {}; retry {}/{} in {} ms",
            op.describe(),
            notice.reason,
            notice.attempt,
            notice.max_attempts,
            notice.wait_ms
        );
        notify(notice.clone());
        retries.push(notice);
        tokio::time::sleep(wait).await;
        attempt = next;
    };
    if let Some(journal) = journal {
        let mut outcome =
            OutcomeRecord::from_execution(journal_id, &exchanges, &result, started.elapsed());
        if !retries.is_empty() {
            outcome.summary = format!(
                "{} (after {} retr{})",
                outcome.summary,
                retries.len(),
                if retries.len() == 1 { "y" } else { "ies" }
            );
        }
        let j = journal.clone();
        match tokio::task::spawn_blocking(move || lock(&j).record_outcome(outcome)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!("journal: {e}"),
            Err(e) => tracing::error!("journal: {e}"),
        }
    }
    if let Err(e) = &result {
        tracing::warn!("{}: {e}", op.describe());
    }
    Execution {
        exchanges,
        retries,
        result,
    }
}

fn lock(j: &SharedJournal) -> std::sync::MutexGuard<'_, Journal> {
    j.lock().unwrap_or_else(|e| e.into_inner())
}

/// The backend: its task and what it needs to settle requests still in flight at quit.
pub struct Backend {
    task: tokio::task::JoinHandle<()>,
    in_flight: Arc<Mutex<HashMap<RequestId, String>>>,
    journal: Option<SharedJournal>,
}

impl Backend {
    /// Journals every request still in flight as abandoned (outcome unknown) and stops.
    /// Returns how many there were.
    pub fn abandon_in_flight(self) -> usize {
        self.task.abort();
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
    let shared_journal = journal.clone();
    let task = tokio::spawn(async move {
        while let Some(Request { id, op }) = requests.recv().await {
            let clients = clients.clone();
            let events = events.clone();
            let journal = shared_journal.clone();
            let tracked = tracked.clone();
            let journal_id = crate::journal::new_id();
            tracked
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id, journal_id.clone());
            tokio::spawn(async move {
                let progress = events.clone();
                let notify = move |notice: RetryNotice| {
                    let _ = progress.send(Event::Retrying { id, notice });
                };
                let pages = events.clone();
                let on_page = move |progress: PageProgress| {
                    let _ = pages.send(Event::Page { id, progress });
                };
                let run = execute_journaled(
                    &clients,
                    journal.as_ref(),
                    &journal_id,
                    &op,
                    &policy,
                    &notify,
                    &on_page,
                )
                .await;
                tracked
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&id);
                // The UI may have gone away; then nobody wants the reply.
                let _ = events.send(Event::Done(Box::new(Reply {
                    id,
                    op,
                    exchanges: run.exchanges,
                    retries: run.retries,
                    result: run.result,
                    finished_at: Utc::now(),
                })));
            });
        }
    });
    Backend {
        task,
        in_flight,
        journal,
    }
}
