//! Running one Op: the clients, retries under the policy, a listing page by page within its
//! limits, and the journal records around it (intent before, outcome after).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::core::op::cerego::UserList;
use crate::core::op::{ApiError, Exchange, Op, Output, Service};
use crate::core::printable::plural;
use crate::core::redact::{Redactor, Scrub};
use crate::engine::api::cerego::CeregoClient;
use crate::engine::api::hive::HiveClient;
use crate::engine::api::{self, Call};
use crate::engine::journal::{Journal, OutcomeRecord, RequestInfo};
use crate::engine::listing;
pub use crate::engine::listing::{DEFAULT_LIST_CONCURRENCY, MAX_LIST_CONCURRENCY};
use crate::engine::retry::{self, RetryNotice, RetryPolicy};

/// Bounds on one listing of a partner's users, so that no server can make tagdesk read (and
/// the console hold) more than this (`[limits]` in the configuration). Both are generous
/// enough for a partner of a million users; a listing that stops at one says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListLimits {
    /// Users read, at most.
    pub max_users: u64,
    /// Bytes of user data read, at most: the fields the console keeps of each user (see
    /// `core::model::kept_bytes`), not the JSON around them, so the bound follows what a
    /// listing costs in memory whatever the page size or the document's verbosity.
    pub max_bytes: u64,
    /// Page requests in flight at once once the first page has told the number of pages
    /// (1 to [`MAX_LIST_CONCURRENCY`]; 1 lists one page after another).
    pub concurrency: usize,
}

/// Default [`ListLimits::max_users`]: twice the largest partner tagdesk is measured with.
pub const DEFAULT_MAX_USERS: u64 = 2_000_000;
/// Default [`ListLimits::max_bytes`]: about 3 million users of typical size.
pub const DEFAULT_MAX_LIST_BYTES: u64 = 512 * 1024 * 1024;

impl Default for ListLimits {
    fn default() -> Self {
        Self {
            max_users: DEFAULT_MAX_USERS,
            max_bytes: DEFAULT_MAX_LIST_BYTES,
            concurrency: DEFAULT_LIST_CONCURRENCY,
        }
    }
}

/// The clients the backend may use, and what it needs to use them; a service without a
/// client answers every Op for it with a clear error instead of sending anything.
#[derive(Debug, Clone, Default)]
pub struct Clients {
    pub hive: Option<HiveClient>,
    pub cerego: Option<CeregoClient>,
    /// The profile's keys: redacted from every reply before anyone sees it.
    pub redactor: Redactor,
    pub limits: ListLimits,
}

impl Clients {
    /// The base URL of `service`'s client ("" when it has none).
    pub fn base_url(&self, service: Service) -> &str {
        match service {
            Service::Hive => self.hive.as_ref().map(HiveClient::base_url),
            Service::Cerego => self.cerego.as_ref().map(CeregoClient::base_url),
        }
        .unwrap_or("")
    }

    /// The longest total timeout of the configured clients.
    pub(crate) fn total_timeout(&self) -> Duration {
        let h = self.hive.as_ref().map(HiveClient::total_timeout);
        let c = self.cerego.as_ref().map(CeregoClient::total_timeout);
        h.into_iter()
            .chain(c)
            .max()
            .unwrap_or(api::DEFAULT_TOTAL_TIMEOUT)
    }

    fn until(&self, deadline: tokio::time::Instant) -> Self {
        Self {
            hive: self.hive.as_ref().map(|c| c.until(deadline)),
            cerego: self.cerego.as_ref().map(|c| c.until(deadline)),
            ..self.clone()
        }
    }
}

/// One page of a user list as it arrives (the console shows users while the rest load).
#[derive(Debug, Clone)]
pub struct PageProgress {
    pub users: Vec<crate::core::op::cerego::CeregoUser>,
    pub page: u32,
    pub total_pages: Option<u64>,
    pub total_count: Option<u64>,
    /// Users listed so far, this page included.
    pub listed: u64,
}

/// What the caller hears while an Op runs.
pub struct Hooks<'a> {
    /// A retry is about to wait.
    pub notify: &'a (dyn Fn(RetryNotice) + Send + Sync),
    /// A page of a user list arrived.
    pub on_page: &'a (dyn Fn(PageProgress) + Send + Sync),
    /// Keep a listing's users in the result too (false when `on_page` consumes them, so a
    /// listing of any size costs one page of memory).
    pub keep_users: bool,
    /// A Cerego update: the value it replaces, journaled with its intent (for undo).
    pub prior: Option<&'a str>,
}

fn unconfigured(service: Service) -> ApiError {
    ApiError::NotConfigured { service }
}

/// Runs one Op once (no retries; a user list: its first page only). Public so tests can
/// drive the clients exactly as the backend does.
pub async fn execute(clients: &Clients, op: &Op) -> (Vec<Exchange>, Result<Output, ApiError>) {
    fn done<T>(call: Call<T>, wrap: fn(T) -> Output) -> (Vec<Exchange>, Result<Output, ApiError>) {
        (call.exchanges, call.result.map(wrap))
    }
    let missing = |service| (Vec::new(), Err(unconfigured(service)));
    match op {
        Op::HiveAdd { patron, fields } => match &clients.hive {
            Some(c) => done(c.add(patron, fields).await, Output::Hive),
            None => missing(Service::Hive),
        },
        Op::HiveRemove { patron, fields } => match &clients.hive {
            Some(c) => done(c.remove(patron, fields).await, Output::Hive),
            None => missing(Service::Hive),
        },
        Op::CeregoAdd {
            user,
            tag_type,
            value,
        } => match &clients.cerego {
            Some(c) => done(c.add_tag(tag_type, user, value).await, Output::Tag),
            None => missing(Service::Cerego),
        },
        Op::CeregoUpdate { tag, value } => match &clients.cerego {
            Some(c) => done(c.update_tag(tag, value).await, Output::Tag),
            None => missing(Service::Cerego),
        },
        Op::CeregoSet { user, tags } => match &clients.cerego {
            Some(c) => done(c.set_tags(user, tags).await, Output::TagsSet),
            None => missing(Service::Cerego),
        },
        Op::CeregoListUsers { .. } => match &clients.cerego {
            Some(c) => {
                let call = c.users_page(op, 1).await;
                let listing = call.map(|p| UserList {
                    listed: p.users.len() as u64,
                    users: p.users,
                    total_count: p.total_count,
                    pages_fetched: 1,
                    cut: None,
                });
                done(listing, Output::Users)
            }
            None => missing(Service::Cerego),
        },
        Op::CeregoProfile => match &clients.cerego {
            Some(c) => done(c.profile().await, Output::KeyOwner),
            None => missing(Service::Cerego),
        },
        Op::Raw(raw) => {
            let call = match raw.service {
                Service::Hive => match &clients.hive {
                    Some(c) => c.raw(raw).await,
                    None => return missing(Service::Hive),
                },
                Service::Cerego => match &clients.cerego {
                    Some(c) => c.raw(raw).await,
                    None => return missing(Service::Cerego),
                },
            };
            (call.exchanges, call.result)
        }
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the policy says stop; every retry
/// is announced through `notify` before its wait.
pub(crate) async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    op: &Op,
    notify: &(dyn Fn(RetryNotice) + Send + Sync),
    redactor: &Redactor,
    mut attempt: F,
) -> (Vec<Exchange>, Result<T, ApiError>, Vec<RetryNotice>)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = (Vec<Exchange>, Result<T, ApiError>)>,
{
    let started = Instant::now();
    let mut exchanges = Vec::new();
    let mut retries = Vec::new();
    let mut number = 1;
    loop {
        let (mut ex, result) = attempt().await;
        exchanges.append(&mut ex);
        let Err(error) = &result else {
            return (exchanges, result, retries);
        };
        let next = number + 1;
        let Some((wait, from_retry_after)) =
            retry::next_wait(policy, op, error, next, started.elapsed(), Utc::now())
        else {
            return (exchanges, result, retries);
        };
        let notice = RetryNotice {
            attempt: next,
            max_attempts: policy.max_attempts,
            wait_ms: wait.as_millis() as u64,
            at: Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default(),
            reason: redactor.text(&error.to_string()).into_owned(),
            from_retry_after,
            status: error.status(),
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
        number = next;
    }
}

/// Runs `op` with retries under `policy` (a listing: every page, within the limits),
/// without journaling: the caller writes the intent before and the outcome after. A
/// listing's users are dropped from the result unless `hooks.keep_users`.
pub async fn attempt(
    clients: &Clients,
    op: &Op,
    policy: &RetryPolicy,
    hooks: &Hooks<'_>,
) -> (Vec<Exchange>, Result<Output, ApiError>, Vec<RetryNotice>) {
    let (exchanges, mut result, retries) = match op {
        Op::CeregoListUsers { .. } => listing::list_all(clients, op, policy, hooks).await,
        Op::HiveAdd { .. }
        | Op::HiveRemove { .. }
        | Op::CeregoAdd { .. }
        | Op::CeregoUpdate { .. }
        | Op::CeregoSet { .. }
        | Op::CeregoProfile
        | Op::Raw(_) => {
            // The retry budget bounds the whole operation, the last attempt included.
            let span = policy.budget.max(clients.total_timeout());
            let bounded = clients.until(tokio::time::Instant::now() + span);
            with_retries(policy, op, hooks.notify, &clients.redactor, || {
                execute(&bounded, op)
            })
            .await
        }
    };
    if !hooks.keep_users
        && let Ok(Output::Users(list)) = &mut result
    {
        list.users = Vec::new();
    }
    (exchanges, result, retries)
}

/// The journal as the backend shares it between request tasks.
pub type SharedJournal = Arc<Mutex<Journal>>;

/// What one journaled execution produced.
pub struct Execution {
    pub exchanges: Vec<Exchange>,
    pub retries: Vec<RetryNotice>,
    pub result: Result<Output, ApiError>,
    /// The request was sent but its outcome could not be journaled: why.
    pub journal_error: Option<String>,
}

/// Runs one Op with its journal records around it: the intent before anything is sent
/// (a mutation whose intent cannot be written is not sent), then the attempts (transient
/// failures retried under `policy`, each retry announced through `notify` before its
/// wait), then one outcome record. Keys are redacted from everything it returns.
pub async fn execute_journaled(
    clients: &Clients,
    journal: Option<&SharedJournal>,
    journal_id: &str,
    op: &Op,
    policy: &RetryPolicy,
    notify: &(dyn Fn(RetryNotice) + Send + Sync),
    on_page: &(dyn Fn(PageProgress) + Send + Sync),
) -> Execution {
    let hooks = Hooks {
        notify,
        on_page,
        keep_users: true,
        prior: None,
    };
    execute_journaled_with(clients, journal, journal_id, op, policy, &hooks).await
}

/// [`execute_journaled`] with every hook spelled out.
pub async fn execute_journaled_with(
    clients: &Clients,
    journal: Option<&SharedJournal>,
    journal_id: &str,
    op: &Op,
    policy: &RetryPolicy,
    hooks: &Hooks<'_>,
) -> Execution {
    // A key of the profile typed as data (a patron id, a value) is never sent, journaled
    // or remembered.
    if serde_json::to_value(op).is_ok_and(|v| clients.redactor.finds_key(&v)) {
        return Execution {
            exchanges: Vec::new(),
            retries: Vec::new(),
            result: Err(ApiError::Local {
                message: "the request holds an API key of this profile (not shown): a key is \
                          never sent as data"
                    .into(),
            }),
            journal_error: None,
        };
    }
    if let Some(journal) = journal {
        let (j, id, o, req, prior) = (
            journal.clone(),
            journal_id.to_string(),
            op.clone(),
            RequestInfo::planned(op, clients.base_url(op.service())),
            hooks.prior.map(str::to_string),
        );
        let written =
            crate::engine::blocking(move || lock(&j).record_intent_with(&id, &o, Some(req), prior))
                .await;
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
                    result: Err(ApiError::JournalUnwritable { reason }),
                    journal_error: None,
                };
            }
        }
    }
    let started = Instant::now();
    let (mut exchanges, mut result, mut retries) = attempt(clients, op, policy, hooks).await;
    let mut journal_error = None;
    if let Some(journal) = journal {
        let mut outcome =
            OutcomeRecord::from_execution(journal_id, &exchanges, &result, started.elapsed());
        if !retries.is_empty() {
            outcome.summary = format!(
                "{} (after {})",
                outcome.summary,
                plural(retries.len() as u64, "retry", "retries")
            );
        }
        let j = journal.clone();
        let failure = match crate::engine::blocking(move || lock(&j).record_outcome(outcome)).await
        {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(reason) = failure {
            let message = format!(
                "the outcome of \"{}\" (journal id {journal_id}) could not be written to the \
                 journal: {reason}",
                op.describe()
            );
            tracing::error!("{message}");
            journal_error = Some(message);
        }
    }
    let r = &clients.redactor;
    exchanges.scrub(r);
    result.scrub(r);
    retries.scrub(r);
    if let Err(e) = &result {
        tracing::warn!("{}: {e}", op.describe());
    }
    Execution {
        exchanges,
        retries,
        result,
        journal_error,
    }
}

pub(crate) fn lock(j: &SharedJournal) -> std::sync::MutexGuard<'_, Journal> {
    j.lock().unwrap_or_else(|e| e.into_inner())
}
