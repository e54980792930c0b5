//! Which entries `tagdesk log` shows: "what did we do to patron X", what failed, which Hive
//! answers did not say what the documentation says, one kind of operation.

use super::{Entry, OutcomeKind};
use crate::core::op::Op;
use crate::core::op::cerego::CeregoTag;
use crate::core::op::scenario::MessageCheck;

/// The filters of `tagdesk log`; an entry is shown when it passes every one given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// A patron id or a Cerego user id (or a tag id): the entries that acted on it.
    pub target: Option<String>,
    /// Only outcomes that failed: refused by tagdesk, an HTTP error, no answer or an
    /// unreadable one, or a Hive answer where some tags failed.
    pub failed: bool,
    /// Only Hive answers whose message is not the documented one for what the arrays say.
    pub mismatch: bool,
    /// Only these kinds of operation ([`Op::NAMES`]); all when empty.
    pub ops: Vec<String>,
}

impl Filter {
    /// Whether no filter is given (every entry passes).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Whether `entry` passes every filter given.
    pub fn matches(&self, entry: &Entry) -> bool {
        let op = &entry.intent.op;
        (self.ops.is_empty() || self.ops.iter().any(|o| o == op.name()))
            && self.target.as_deref().is_none_or(|t| acted_on(entry, t))
            && (!self.failed || failed(entry))
            && (!self.mismatch
                || entry
                    .hive_outcome()
                    .is_some_and(|o| o.message_check() == MessageCheck::Mismatch))
    }
}

/// Whether `entry` acted on `id`: the patron of a Hive change, the user of a Cerego add or
/// set, the tag of an update or the user it belongs to (from its answer), the patron or user
/// a raw request's body names.
fn acted_on(entry: &Entry, id: &str) -> bool {
    let id = id.trim();
    match &entry.intent.op {
        Op::HiveAdd { patron, .. } | Op::HiveRemove { patron, .. } => patron.as_str() == id,
        Op::CeregoAdd { user, .. } | Op::CeregoSet { user, .. } => user.as_str() == id,
        Op::CeregoUpdate { tag, .. } => {
            tag.as_str() == id
                || entry
                    .outcome
                    .as_ref()
                    .and_then(|o| o.response_body.as_ref())
                    .and_then(|b| b.get("data"))
                    .and_then(CeregoTag::from_resource)
                    .and_then(|t| t.user_id)
                    .is_some_and(|u| u == id)
        }
        Op::CeregoListUsers { .. } | Op::CeregoProfile => false,
        Op::Raw(_) => {
            let target = entry.intent.target.as_str();
            target == id || target.strip_prefix("user ") == Some(id)
        }
    }
}

/// Refused, an error, or a Hive answer with failed tags. An outcome still unknown (pending,
/// abandoned) or cancelled before sending is not a failure.
fn failed(entry: &Entry) -> bool {
    let Some(outcome) = &entry.outcome else {
        return false;
    };
    match outcome.result {
        OutcomeKind::HttpError
        | OutcomeKind::Network
        | OutcomeKind::Timeout
        | OutcomeKind::Decode
        | OutcomeKind::Refused => true,
        OutcomeKind::Ok => entry.hive_outcome().is_some_and(|o| !o.failed.is_empty()),
        OutcomeKind::Abandoned | OutcomeKind::Cancelled => false,
    }
}
