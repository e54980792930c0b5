//! What a reply means for what tagdesk knows: the fold of `(Op, result)` into
//! [`KnownState`]. Every rule is here, once, and tested without IO:
//! - Hive: an api_field added or pre-existing is present; removed or non-existent is absent;
//!   a failed one tells nothing (unchanged); INVALID_PATRON on a remove means the patron
//!   has no tags at all; a patron opened by hand is incomplete until then.
//! - Cerego: a complete listing replaces the list (users it did not name are gone, unless it
//!   was cut short by a limit); a look-up adds what it found; a created or updated tag
//!   replaces its namesake on its user.

use chrono::{DateTime, Utc};

use super::{KnownState, KnownTag};
use crate::core::domain::PatronId;
use crate::core::op::hive::HiveOutcome;
use crate::core::op::scenario::HiveAction;
use crate::core::op::{ApiError, Op, Output};

/// What a fold changed, so a view can follow (select what was found, say what happened).
#[derive(Debug, Clone, PartialEq)]
pub enum Folded {
    /// Nothing known changed.
    Nothing,
    /// A complete listing ended; `cut` says why it stopped short, if it did.
    Listed { cut: Option<String> },
    /// A complete listing failed: the list stays as it was.
    ListingFailed,
    /// A look-up found these users (ids, in the server's order).
    LookedUp { query: String, found: Vec<String> },
    /// Cerego created a tag (stored on its user when the user is known).
    TagCreated { tag_id: String },
    /// Cerego changed a tag's value.
    TagUpdated { tag_id: String },
    /// Cerego set tag values on a user; `known` says whether every value set is now shown
    /// (false when the response listed no tags and a tag was new, or the user is not listed).
    TagsSet { user: String, known: bool },
    /// Hive answered an add or remove on this patron.
    Patron { id: PatronId, outcome: HiveOutcome },
    /// Hive does not know this patron: it has no tags.
    PatronUnknown { id: PatronId },
}

impl KnownState {
    /// Folds a successful reply to `op` into what is known.
    pub fn apply(&mut self, op: &Op, output: &Output, at: DateTime<Utc>) -> Folded {
        match op {
            Op::HiveAdd { patron, .. } | Op::HiveRemove { patron, .. } => match output {
                Output::Hive(outcome) => self.hive_outcome(patron, outcome, at),
                Output::Tag(_)
                | Output::TagsSet(_)
                | Output::Users(_)
                | Output::KeyOwner(_)
                | Output::Raw { .. } => Folded::Nothing,
            },
            Op::CeregoListUsers { query, .. } => {
                let Output::Users(list) = output else {
                    return Folded::Nothing;
                };
                let users = &mut self.cerego;
                match query {
                    None => {
                        if !users.is_listing() {
                            users.begin_listing();
                        }
                        users.intake_from(&list.users);
                        // Users the complete listing did not name are gone from the
                        // partner; a listing cut short by a limit says nothing of the rest.
                        users.end_listing(list.cut.is_none());
                        users.total_count = list.total_count;
                        users.cut = list.cut.clone();
                        Folded::Listed {
                            cut: list.cut.clone(),
                        }
                    }
                    Some(q) => {
                        users.intake_from(&list.users);
                        Folded::LookedUp {
                            query: q.clone(),
                            found: list.users.iter().map(|u| u.id.clone()).collect(),
                        }
                    }
                }
            }
            Op::CeregoAdd { user, .. } => {
                let Output::Tag(tag) = output else {
                    return Folded::Nothing;
                };
                self.cerego.store_tag(user.as_str(), tag.clone());
                Folded::TagCreated {
                    tag_id: tag.id.clone(),
                }
            }
            Op::CeregoUpdate { tag: id, .. } => {
                let Output::Tag(tag) = output else {
                    return Folded::Nothing;
                };
                // The reply names the tag's user; the list is searched only when it does
                // not (a scan of every user).
                let owner = self
                    .cerego
                    .tag_of(id.as_str(), tag.user_id.as_deref())
                    .and_then(|(at, _)| self.cerego.get(at))
                    .map(|u| u.id.to_string())
                    .or_else(|| tag.user_id.clone());
                if let Some(owner) = owner {
                    self.cerego.store_tag(&owner, tag.clone());
                }
                Folded::TagUpdated {
                    tag_id: tag.id.clone(),
                }
            }
            Op::CeregoSet { user, tags } => {
                let Output::TagsSet(set) = output else {
                    return Folded::Nothing;
                };
                let known = self
                    .cerego
                    .store_set(user.as_str(), tags, set.tags.as_deref());
                Folded::TagsSet {
                    user: user.to_string(),
                    known,
                }
            }
            // A raw request is shown as answered; what is known is not built from it.
            Op::CeregoProfile | Op::Raw(_) => Folded::Nothing,
        }
    }

    /// Folds a failed reply to `op` into what is known (most failures tell nothing).
    pub fn apply_error(&mut self, op: &Op, error: &ApiError, at: DateTime<Utc>) -> Folded {
        match op {
            Op::HiveRemove { patron, .. } if error.code() == Some("INVALID_PATRON") => {
                let p = self.hive.entry(patron);
                p.tags.clear();
                p.complete = true;
                p.confirmed_at = Some(at);
                p.note = "Hive does not know this patron (INVALID_PATRON): it has no tags".into();
                Folded::PatronUnknown { id: patron.clone() }
            }
            Op::CeregoListUsers { query: None, .. } => {
                self.cerego.abandon_listing();
                Folded::ListingFailed
            }
            Op::HiveAdd { .. }
            | Op::HiveRemove { .. }
            | Op::CeregoListUsers { query: Some(_), .. }
            | Op::CeregoAdd { .. }
            | Op::CeregoUpdate { .. }
            | Op::CeregoSet { .. }
            | Op::CeregoProfile
            | Op::Raw(_) => Folded::Nothing,
        }
    }

    /// Folds a whole reply.
    pub fn apply_result(
        &mut self,
        op: &Op,
        result: &Result<Output, ApiError>,
        at: DateTime<Utc>,
    ) -> Folded {
        match result {
            Ok(output) => self.apply(op, output, at),
            Err(error) => self.apply_error(op, error, at),
        }
    }

    fn hive_outcome(
        &mut self,
        patron: &PatronId,
        outcome: &HiveOutcome,
        at: DateTime<Utc>,
    ) -> Folded {
        let p = self.hive.entry(patron);
        // Added or pre-existing: present. Removed or non-existent: absent. Failed: the
        // reply says nothing about it, so what was known stays.
        let named = outcome.changed.iter().chain(outcome.unchanged.iter());
        match outcome.action {
            HiveAction::Add => {
                for field in named {
                    match p.tags.iter_mut().find(|t| t.api_field == *field) {
                        Some(t) => t.confirmed_at = Some(at),
                        None => p.tags.push(KnownTag {
                            api_field: field.clone(),
                            confirmed_at: Some(at),
                        }),
                    }
                }
            }
            HiveAction::Remove => {
                let absent: Vec<&String> = named.collect();
                p.tags.retain(|t| !absent.contains(&&t.api_field));
            }
        }
        p.confirmed_at = Some(at);
        p.note = format!("last {} confirmed by Hive", outcome.action.name());
        Folded::Patron {
            id: patron.clone(),
            outcome: outcome.clone(),
        }
    }
}

impl KnownState {
    /// The playground set a simulator up (`POST /_sim/setup`): what it made Hive patrons
    /// hold is known from then on, as a reply would have said — so no pane shows what the
    /// simulator no longer holds. (Cerego setups touch a user the list may not show; the
    /// next listing or look-up brings them.)
    pub fn apply_setup(&mut self, steps: &[crate::core::playground::Setup], at: DateTime<Utc>) {
        use crate::core::playground::Setup;
        for step in steps {
            let Setup::HivePatron { patron, tags } = step else {
                continue;
            };
            let Ok(id) = PatronId::parse(patron) else {
                continue;
            };
            let p = self.hive.entry(&id);
            p.complete = true;
            p.confirmed_at = Some(at);
            match tags {
                Some(tags) => {
                    p.tags = tags
                        .iter()
                        .map(|t| KnownTag {
                            api_field: t.clone(),
                            confirmed_at: Some(at),
                        })
                        .collect();
                    p.note = "set up by the playground".into();
                }
                None => {
                    p.tags.clear();
                    p.note = "set up by the playground: Hive does not know this patron".into();
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "fold_tests.rs"]
mod tests;
