//! The partner's users a plan names, and only those: what `cerego import` (its dry-run too)
//! and `batch resume` plan a Cerego file from.
//!
//! A file that names at most [`MAX_LOOKUPS`] distinct users is planned from **look-ups**:
//! the first page of the partner's listing (its count, and any named user on it), then one
//! `?query=USER_ID` request per user not on it, [`ListLimits::concurrency`] in flight, paced
//! as a listing is (a 429 or 503 holds them all). The look-up's answer is searched for the
//! user with exactly that id (a query may match several users: an email, a member id); a
//! user it does not find is not in the partner — once the server has shown that it finds
//! users by id (one look-up found its user, or a look-up of a user from the first page did).
//! A file naming more users, or more than the listing has pages left (a small partner),
//! lists the partner instead ([`crate::engine::listing`], concurrently) — as does a server
//! whose query does not find users by id, or whose look-up answer runs to more than one
//! page. Either way only the named users are kept, each as the console's compact row: a
//! listing is filtered page by page, so a file planned against a million users holds a few
//! rows, not a million.
//!
//! [`ListLimits::concurrency`]: crate::engine::exec::ListLimits

use std::collections::HashSet;
use std::sync::Mutex;

use futures_util::StreamExt;
use futures_util::stream;

use crate::core::model::KnownUsers;
use crate::core::op::cerego::{CeregoUser, UsersPage};
use crate::core::op::{ApiError, Op, Output, Service};
use crate::core::redact::Scrub;
use crate::engine::exec::{Clients, Hooks, PageProgress};
use crate::engine::listing::{Fetched, Fetcher, MAX_LIST_CONCURRENCY, list_all};
use crate::engine::retry::{RetryNotice, RetryPolicy};

/// Past this many distinct users a file's plan lists the partner instead of looking each
/// user up.
pub const MAX_LOOKUPS: usize = 200;

/// How the named users were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// The listing's first page and `requests` requests in all (look-ups included).
    LookedUp { requests: usize },
    /// The partner's listing, `pages` pages.
    Listed { pages: u32 },
}

/// The named users the partner has, as compact rows (a named user it does not have is
/// simply absent), and how they were read.
#[derive(Debug, Clone)]
pub struct Named {
    pub users: KnownUsers,
    pub read: Read,
}

/// Reads the users `ids` names from the partner `listing` (an `Op::CeregoListUsers`
/// without a query) lists: by look-ups or by a filtered listing, as the module says.
pub async fn named_users(
    clients: &Clients,
    listing: &Op,
    ids: &[&str],
    policy: &RetryPolicy,
    notify: &(dyn Fn(RetryNotice) + Send + Sync),
) -> Result<Named, ApiError> {
    let mut wanted: Vec<&str> = Vec::with_capacity(ids.len());
    let mut distinct = HashSet::with_capacity(ids.len());
    for id in ids {
        if distinct.insert(*id) {
            wanted.push(id);
        }
    }
    let Op::CeregoListUsers {
        partner,
        departments,
        ..
    } = listing
    else {
        return Err(ApiError::Local {
            message: "not a listing of the partner's users".into(),
        });
    };
    if wanted.len() > MAX_LOOKUPS {
        return listed(clients, listing, &distinct, policy, notify).await;
    }
    let on_page = |_: PageProgress| {};
    let hooks = Hooks {
        notify,
        on_page: &on_page,
        keep_users: false,
        prior: None,
    };
    let Some(fetcher) = Fetcher::new(clients, policy, &hooks) else {
        return Err(ApiError::NotConfigured {
            service: Service::Cerego,
        });
    };
    let scrubbed = |mut users: Vec<CeregoUser>| {
        for u in &mut users {
            u.scrub(&clients.redactor);
        }
        users
    };
    let first = answer(fetcher.page(listing, 1).await)?;
    let probe = first.users.first().map(|u| u.id.clone());
    let mut found: Vec<CeregoUser> = scrubbed(first.users)
        .into_iter()
        .filter(|u| distinct.contains(u.id.as_str()))
        .collect();
    let on_first: HashSet<String> = found.iter().map(|u| u.id.clone()).collect();
    let left: Vec<&str> = wanted
        .into_iter()
        .filter(|id| !on_first.contains(*id))
        .collect();
    let pages_left = first.total_pages.map(|t| t.saturating_sub(1));
    if !left.is_empty() && pages_left.is_some_and(|p| left.len() as u64 >= p) {
        // Listing the rest costs no more requests than looking the users up.
        return listed(clients, listing, &distinct, policy, notify).await;
    }
    let look_up = |id: &str| Op::CeregoListUsers {
        partner: partner.clone(),
        query: Some(id.to_string()),
        departments: *departments,
    };
    let concurrency = clients.limits.concurrency.clamp(1, MAX_LIST_CONCURRENCY);
    let mut answers = stream::iter(left.iter().copied())
        .map(|id| {
            let (fetcher, op) = (&fetcher, look_up(id));
            async move { (id, fetcher.page(&op, 1).await) }
        })
        .buffer_unordered(concurrency);
    let mut requests = 1 + left.len();
    let (mut hits, mut missing, mut unsure) = (0usize, 0usize, false);
    while let Some((id, fetched)) = answers.next().await {
        // A failed look-up fails the plan, as a failed listing does (the rest are dropped).
        let page = answer(fetched)?;
        let more = page.total_pages.map_or(page.has_next_link, |t| t > 1);
        match scrubbed(page.users).into_iter().find(|u| u.id == id) {
            Some(user) => {
                hits += 1;
                found.push(user);
            }
            // The answer runs on: the user may be on a later page.
            None if more => unsure = true,
            None => missing += 1,
        }
    }
    drop(answers);
    if missing > 0 && hits == 0 && !unsure {
        // Nothing found by id yet: does this server's query find users by id at all? Ask
        // for a user the first page listed.
        if let Some(probe) = probe {
            requests += 1;
            let page = answer(fetcher.page(&look_up(&probe), 1).await)?;
            unsure = !page.users.iter().any(|u| u.id == probe);
        }
    }
    if unsure {
        return listed(clients, listing, &distinct, policy, notify).await;
    }
    let mut users = KnownUsers::default();
    users.named_only = true;
    users.total_count = first.total_count;
    users.intake(found);
    Ok(Named {
        users,
        read: Read::LookedUp { requests },
    })
}

/// A page as it came back, or its failure (its transcripts and retries were heard).
fn answer((_, result, _): Fetched) -> Result<UsersPage, ApiError> {
    result
}

/// The partner's listing, every page, keeping only the users `wanted` names (each page is
/// filtered as it arrives; the rest are never held).
async fn listed(
    clients: &Clients,
    listing: &Op,
    wanted: &HashSet<&str>,
    policy: &RetryPolicy,
    notify: &(dyn Fn(RetryNotice) + Send + Sync),
) -> Result<Named, ApiError> {
    let kept = Mutex::new(Vec::new());
    let on_page = |p: PageProgress| {
        let named = p
            .users
            .into_iter()
            .filter(|u| wanted.contains(u.id.as_str()));
        kept.lock().unwrap_or_else(|e| e.into_inner()).extend(named);
    };
    let hooks = Hooks {
        notify,
        on_page: &on_page,
        keep_users: false,
        prior: None,
    };
    let (_, result, _) = list_all(clients, listing, policy, &hooks).await;
    let list = match result? {
        Output::Users(list) => list,
        _ => {
            return Err(ApiError::Local {
                message: "the user list answer was not a user list".into(),
            });
        }
    };
    let mut users = KnownUsers::default();
    users.named_only = true;
    // As a listing of every user would say: the users it listed.
    users.total_count = Some(list.listed);
    users.cut = list.cut;
    users.intake(kept.into_inner().unwrap_or_else(|e| e.into_inner()));
    Ok(Named {
        users,
        read: Read::Listed {
            pages: list.pages_fetched,
        },
    })
}
