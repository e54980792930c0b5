//! What a successful Op produced, and how a whole response becomes that value.

use super::Op;
use super::cerego::{CeregoTag, KeyOwner, TagsSet, UserList, UsersPage};
use super::error::{self, ApiError};
use super::hive::HiveOutcome;
use super::scenario::HiveAction;
use crate::core::printable::plural;

/// What a successful Op produced.
#[derive(Debug, Clone)]
pub enum Output {
    Hive(HiveOutcome),
    Tag(CeregoTag),
    /// A "set tags" request succeeded (with the user's tags when the response listed them).
    TagsSet(TagsSet),
    Users(UserList),
    KeyOwner(KeyOwner),
    /// A raw request to a path no Op uses answered with a success status (its body is in
    /// the transcript).
    Raw {
        status: u16,
    },
}

impl Output {
    /// One line saying what the Op produced: the same words in the console's log, in the
    /// journal, and in `tagdesk log` (the Hive message verbatim).
    pub fn summary(&self) -> String {
        match self {
            Output::Hive(o) => o.summary(),
            Output::Tag(t) => match &t.value {
                Some(v) => format!("tag {} = \"{v}\"", t.id),
                None => format!("tag {}", t.id),
            },
            Output::TagsSet(t) => t.summary(),
            Output::Users(l) => {
                let pages = plural(u64::from(l.pages_fetched), "page", "pages");
                let mut out = match l.total_count {
                    Some(total) if total != l.listed => {
                        format!(
                            "{} of {} ({pages})",
                            l.listed,
                            plural(total, "user", "users")
                        )
                    }
                    _ => format!("{} ({pages})", plural(l.listed, "user", "users")),
                };
                if let Some(cut) = &l.cut {
                    out.push_str(&format!(" — cut short: {cut}"));
                }
                out
            }
            Output::KeyOwner(p) => match &p.name {
                Some(name) => format!("profile {}: {name}", p.id),
                None => format!("profile {}", p.id),
            },
            Output::Raw { status } => format!("HTTP {status} (raw request)"),
        }
    }
}

/// Reads a whole response to an Op the way the clients do (one page for a user list).
/// Lets tests and tools turn a status and body into exactly the reply the console gets.
pub fn interpret(op: &Op, status: u16, body: &[u8]) -> Result<Output, ApiError> {
    match op {
        Op::HiveAdd { .. } => error::interpret(status, body, None, |b| {
            HiveOutcome::parse(HiveAction::Add, b)
        })
        .map(|o| Output::Hive(o.confine_to(op))),
        Op::HiveRemove { .. } => error::interpret(status, body, None, |b| {
            HiveOutcome::parse(HiveAction::Remove, b)
        })
        .map(|o| Output::Hive(o.confine_to(op))),
        Op::CeregoAdd { .. } | Op::CeregoUpdate { .. } => {
            error::interpret(status, body, None, CeregoTag::parse_document).map(Output::Tag)
        }
        Op::CeregoSet { .. } => {
            error::interpret(status, body, None, |b| Ok(TagsSet::parse_lenient(b)))
                .map(Output::TagsSet)
        }
        Op::CeregoListUsers { .. } => {
            error::interpret(status, body, None, UsersPage::parse).map(|p| {
                Output::Users(UserList {
                    listed: p.users.len() as u64,
                    users: p.users,
                    total_count: p.total_count,
                    pages_fetched: 1,
                    cut: None,
                })
            })
        }
        Op::CeregoProfile => {
            error::interpret(status, body, None, KeyOwner::parse).map(Output::KeyOwner)
        }
        Op::Raw(raw) => interpret_raw(raw.endpoint(), status, body, None),
    }
}

/// Reads the answer to a raw request the way the Op with the same endpoint would be read, so
/// a raw Hive request that succeeds is still classified (and any other success is kept as
/// its status).
pub fn interpret_raw(
    endpoint: &str,
    status: u16,
    body: &[u8],
    retry_after: Option<String>,
) -> Result<Output, ApiError> {
    match endpoint {
        "hive.add" => error::interpret(status, body, retry_after, |b| {
            HiveOutcome::parse(HiveAction::Add, b)
        })
        .map(Output::Hive),
        "hive.remove" => error::interpret(status, body, retry_after, |b| {
            HiveOutcome::parse(HiveAction::Remove, b)
        })
        .map(Output::Hive),
        "cerego.add" | "cerego.update" => {
            error::interpret(status, body, retry_after, CeregoTag::parse_document).map(Output::Tag)
        }
        "cerego.set" => {
            error::interpret(status, body, retry_after, |b| Ok(TagsSet::parse_lenient(b)))
                .map(Output::TagsSet)
        }
        _ => {
            error::interpret(status, body, retry_after, |_| Ok(())).map(|()| Output::Raw { status })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_counts_in_good_english() {
        let list = |listed: u64, pages: u32, total: Option<u64>| {
            Output::Users(UserList {
                listed,
                users: Vec::new(),
                total_count: total,
                pages_fetched: pages,
                cut: None,
            })
            .summary()
        };
        assert_eq!(list(1, 1, Some(1)), "1 user (1 page)");
        assert_eq!(list(36, 2, None), "36 users (2 pages)");
        assert_eq!(list(1, 1, Some(40)), "1 of 40 users (1 page)");
    }
}
