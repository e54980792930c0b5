//! A partner's users, every page, within [`ListLimits`]: the first page, then — once it
//! tells the number of pages — the rest concurrently (at most `ListLimits::concurrency` in
//! flight, paced as a batch is: a 429 or 503 holds and spaces every page request, easing back
//! as pages come in), handed on in the server's order. Where no page count is given the
//! listing follows `links.next` one page at a time.
//!
//! Pages that arrive early wait for the ones before them (at most `concurrency` pages are
//! held), so the consumer sees users in order, the "page 37 of 4,002" progress counts pages
//! handed on, and a streaming consumer's memory stays bounded. Dropping the listing drops
//! every request in flight: no page arrives afterwards.

use std::time::Instant;

use futures_util::StreamExt;
use futures_util::stream;

use crate::core::op::cerego::{UserList, UsersPage};
use crate::core::op::{ApiError, Exchange, Op, Output, Service};
use crate::core::printable::plural;
use crate::core::redact::Scrub;
use crate::engine::api::cerego::CeregoClient;
use crate::engine::exec::{Clients, Hooks, ListLimits, PageProgress, with_retries};
use crate::engine::pace::Pace;
use crate::engine::retry::{RetryNotice, RetryPolicy};

/// A listing keeps the transcript of its first page and of its latest one (the rest are
/// counted in the last one's URL): a summary, whatever the number of pages.
const KEPT_PAGE_EXCHANGES: usize = 1;

/// Default [`ListLimits::concurrency`]: page requests in flight once the count is known.
pub const DEFAULT_LIST_CONCURRENCY: usize = 8;
/// The most page requests a listing keeps in flight (`[limits] list_concurrency`).
pub const MAX_LIST_CONCURRENCY: usize = 32;

/// One page as it came back: its transcripts, the page or the failure, the retries made.
pub(crate) type Fetched = (Vec<Exchange>, Result<UsersPage, ApiError>, Vec<RetryNotice>);

/// Every page of a partner's users, each page retried on its own (a 503 on page 300 does
/// not restart the listing), within [`ListLimits`].
pub(crate) async fn list_all(
    clients: &Clients,
    op: &Op,
    policy: &RetryPolicy,
    hooks: &Hooks<'_>,
) -> (Vec<Exchange>, Result<Output, ApiError>, Vec<RetryNotice>) {
    let (Op::CeregoListUsers { .. }, Some(client)) = (op, &clients.cerego) else {
        let error = ApiError::NotConfigured {
            service: Service::Cerego,
        };
        return (Vec::new(), Err(error), Vec::new());
    };
    let fetcher = Fetcher {
        clients,
        client,
        policy,
        hooks,
        pace: Pace::new(None),
    };
    let mut listing = Listing::new(clients, hooks);
    let first = fetcher.page(op, 1).await;
    let Some(mut more) = listing.take(1, first) else {
        return listing.finish();
    };
    let mut page: u32 = 1;
    let concurrency = clients.limits.concurrency.clamp(1, MAX_LIST_CONCURRENCY);
    if let Some(total) = listing.total_pages
        && more
        && concurrency > 1
    {
        // The count is known: the rest concurrently, handed on in order (`buffered` holds
        // at most `concurrency` pages, and dropping it drops the requests in flight).
        let last = u32::try_from(total).unwrap_or(u32::MAX);
        let mut pages = stream::iter(2..=last)
            .map(|p| {
                let fetcher = &fetcher;
                async move { (p, fetcher.page(op, p).await) }
            })
            .buffered(concurrency);
        while let Some((p, fetched)) = pages.next().await {
            page = p;
            match listing.take(p, fetched) {
                Some(true) => {}
                Some(false) => {
                    more = false;
                    break;
                }
                None => return listing.finish(),
            }
        }
    }
    // No count (or a later page says there are more than the first one did): one page at
    // a time, following the server.
    while more {
        let Some(next) = page.checked_add(1) else {
            break;
        };
        page = next;
        let fetched = fetcher.page(op, page).await;
        match listing.take(page, fetched) {
            Some(m) => more = m,
            None => return listing.finish(),
        }
    }
    listing.finish()
}

/// What every page request of one listing (or one set of look-ups) shares: the client,
/// the retry policy, the hooks and the pace.
pub(crate) struct Fetcher<'a> {
    clients: &'a Clients,
    client: &'a CeregoClient,
    policy: &'a RetryPolicy,
    hooks: &'a Hooks<'a>,
    pace: Pace,
}

impl<'a> Fetcher<'a> {
    /// None when the profile has no Cerego client.
    pub(crate) fn new(
        clients: &'a Clients,
        policy: &'a RetryPolicy,
        hooks: &'a Hooks<'a>,
    ) -> Option<Self> {
        Some(Self {
            clients,
            client: clients.cerego.as_ref()?,
            policy,
            hooks,
            pace: Pace::new(None),
        })
    }

    /// Page `page` of `op` (a listing, or a look-up: an `Op::CeregoListUsers` with a query)
    /// with its retries, in its turn: a 429 or 503 holds every request sharing this fetcher
    /// until the wait it names, and a page that comes back eases the pace.
    pub(crate) async fn page(&self, op: &Op, page: u32) -> Fetched {
        self.pace.turn().await;
        let span = self.policy.budget.max(self.clients.total_timeout());
        let c = self.client.until(tokio::time::Instant::now() + span);
        let notify = |n: RetryNotice| {
            if matches!(n.status, Some(429 | 503)) {
                self.pace
                    .hold(Instant::now() + std::time::Duration::from_millis(n.wait_ms));
            }
            (self.hooks.notify)(n);
        };
        let (ex, result, retries) =
            with_retries(self.policy, op, &notify, &self.clients.redactor, || {
                // Each attempt on a task of its own: the request, the body and its parse go
                // on while the consumer takes the pages before it (on another worker where
                // the runtime has one), and dropping the listing aborts it.
                let attempt = Attempt(tokio::spawn({
                    let (c, op) = (c.clone(), op.clone());
                    async move {
                        let call = c.users_page(&op, page).await;
                        (call.exchanges, call.result)
                    }
                }));
                async move {
                    attempt.await.unwrap_or_else(|e| {
                        let message = format!("the request for page {page} stopped: {e}");
                        (Vec::new(), Err(ApiError::Local { message }))
                    })
                }
            })
            .await;
        if result.is_ok() {
            self.pace.eased();
        }
        (ex, result, retries)
    }
}

/// A page request on its own task, aborted when dropped (a listing dropped mid-way leaves
/// no request behind).
struct Attempt<T>(tokio::task::JoinHandle<T>);

impl<T> std::future::Future for Attempt<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for Attempt<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The listing so far: pages are taken in order, whatever order they arrived in.
struct Listing<'a> {
    clients: &'a Clients,
    hooks: &'a Hooks<'a>,
    limits: ListLimits,
    exchanges: Vec<Exchange>,
    omitted: usize,
    retries: Vec<RetryNotice>,
    list: UserList,
    bytes: u64,
    /// The page count the latest page gave.
    total_pages: Option<u64>,
    error: Option<ApiError>,
}

impl<'a> Listing<'a> {
    fn new(clients: &'a Clients, hooks: &'a Hooks<'a>) -> Self {
        Self {
            clients,
            hooks,
            limits: clients.limits,
            exchanges: Vec::new(),
            omitted: 0,
            retries: Vec::new(),
            list: UserList::default(),
            bytes: 0,
            total_pages: None,
            error: None,
        }
    }

    /// Takes page `page` (the next one in order): whether another page follows, or None when
    /// the listing ends here (a failure, or a limit reached: `finish` says which).
    fn take(&mut self, page: u32, (ex, result, mut r): Fetched) -> Option<bool> {
        self.retries.append(&mut r);
        for e in ex {
            if self.exchanges.len() > KEPT_PAGE_EXCHANGES {
                // Keep the first pages and the latest one; count what was dropped.
                self.exchanges.pop();
                self.omitted += 1;
            }
            self.exchanges.push(e);
        }
        let mut parsed = match result {
            Ok(p) => p,
            Err(e) => {
                self.error = Some(e);
                return None;
            }
        };
        let list = &mut self.list;
        list.pages_fetched = page;
        list.total_count = parsed.total_count.or(list.total_count);
        self.total_pages = parsed.total_pages;
        let empty = parsed.users.is_empty();
        let room = self.limits.max_users.saturating_sub(list.listed);
        let truncated = parsed.users.len() as u64 > room;
        if truncated {
            parsed.users.truncate(room as usize);
        }
        list.listed += parsed.users.len() as u64;
        for u in &mut parsed.users {
            u.scrub(&self.clients.redactor);
            self.bytes += crate::core::model::kept_bytes(u) as u64;
        }
        if self.hooks.keep_users {
            list.users.extend(parsed.users.iter().cloned());
        }
        (self.hooks.on_page)(PageProgress {
            users: parsed.users,
            page,
            total_pages: parsed.total_pages,
            total_count: list.total_count,
            listed: list.listed,
        });
        let more = match parsed.total_pages {
            Some(total) => u64::from(page) < total && !empty,
            None => parsed.has_next_link && !empty,
        };
        if !more && !truncated {
            return Some(false);
        }
        let partner_has = list
            .total_count
            .map(|t| format!("; the partner has {t}"))
            .unwrap_or_default();
        if truncated || list.listed >= self.limits.max_users {
            list.cut = Some(format!(
                "stopped at {}, the max_users limit ([limits] in the configuration){}",
                plural(list.listed, "user", "users"),
                partner_has
            ));
            return Some(false);
        }
        if self.bytes >= self.limits.max_bytes {
            list.cut = Some(format!(
                "stopped after {} MiB of user data, the max_list_mib limit ([limits] in the \
                 configuration), at {}{}",
                self.bytes >> 20,
                plural(list.listed, "user", "users"),
                partner_has
            ));
            return Some(false);
        }
        Some(true)
    }

    fn finish(mut self) -> (Vec<Exchange>, Result<Output, ApiError>, Vec<RetryNotice>) {
        if self.omitted > 0
            && let Some(last) = self.exchanges.last_mut()
        {
            last.url = format!(
                "{} (after {} not kept)",
                last.url,
                plural(self.omitted as u64, "more page", "more pages")
            );
        }
        let result = match self.error {
            Some(e) => Err(e),
            None => Ok(Output::Users(self.list)),
        };
        (self.exchanges, result, self.retries)
    }
}
