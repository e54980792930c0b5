//! What tagdesk knows of both services: the partner's Cerego users with their tags, and the
//! Hive patrons it has seen with theirs.
//!
//! Hive has no read endpoint, so its half is tagdesk's own view, built from replies
//! (SPEC.md 2.4). [`fold`] is the one place that says what a reply means for this
//! knowledge; the console, the CLI, dry-run and undo all read it from here.

mod cache;
mod fold;
mod row;
mod users;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::core::domain::PatronId;

pub use cache::{CacheMeta, CachedUsers, decode_cache, encode_cache};
pub use fold::Folded;
pub use row::{Stamp, Tag, Tags, User, UserRow, kept_bytes};
pub use users::{Changes, KnownUsers};

/// Both services, as far as tagdesk knows them.
#[derive(Debug, Clone, Default)]
pub struct KnownState {
    pub cerego: KnownUsers,
    pub hive: KnownPatrons,
}

impl KnownState {
    /// Starts from the patrons a workspace or the demo seed holds.
    pub fn with_patrons(patrons: Vec<KnownPatron>) -> Self {
        Self {
            cerego: KnownUsers::default(),
            hive: KnownPatrons::new(patrons),
        }
    }
}

/// The Hive patrons tagdesk has seen (typed, or named in a reply), indexed by id so a reply
/// costs O(1) whatever the number of patrons known (a batch of 100,000 folds each row).
#[derive(Debug, Clone, Default)]
pub struct KnownPatrons {
    patrons: Vec<KnownPatron>,
    /// patron id → position in `patrons`.
    index: HashMap<PatronId, usize>,
    /// Positions of the patrons added or changed since [`KnownPatrons::new`] or the last
    /// [`KnownPatrons::take_changed`]: what a saved workspace does not hold yet, so saving
    /// costs O(change), not O(patrons).
    changed: BTreeSet<usize>,
}

impl KnownPatrons {
    /// Known patrons from a workspace or a seed (a repeated id keeps its first entry).
    pub fn new(patrons: Vec<KnownPatron>) -> Self {
        let mut known = Self::default();
        for p in patrons {
            known.insert(p);
        }
        known.changed.clear();
        known
    }

    /// The patrons added or changed since the last call (or since [`KnownPatrons::new`]), in
    /// the order tagdesk first saw them; the record of changes starts again empty.
    pub fn take_changed(&mut self) -> Vec<KnownPatron> {
        std::mem::take(&mut self.changed)
            .into_iter()
            .filter_map(|i| self.patrons.get(i).cloned())
            .collect()
    }

    /// Every known patron, in the order tagdesk first saw them.
    pub fn patrons(&self) -> &[KnownPatron] {
        &self.patrons
    }

    pub fn into_patrons(self) -> Vec<KnownPatron> {
        self.patrons
    }

    pub fn len(&self) -> usize {
        self.patrons.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patrons.is_empty()
    }

    /// The position of a patron in [`KnownPatrons::patrons`].
    pub fn position(&self, id: &PatronId) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn get(&self, id: &PatronId) -> Option<&KnownPatron> {
        self.position(id).and_then(|i| self.patrons.get(i))
    }

    /// Adds a patron unless one with its id is known; returns whether it was added.
    pub fn insert(&mut self, patron: KnownPatron) -> bool {
        if self.index.contains_key(&patron.id) {
            return false;
        }
        self.index.insert(patron.id.clone(), self.patrons.len());
        self.changed.insert(self.patrons.len());
        self.patrons.push(patron);
        true
    }

    /// Puts a patron as it is now known: replaces the one with its id, or adds it.
    pub fn put(&mut self, patron: KnownPatron) {
        match self.position(&patron.id) {
            Some(i) => {
                self.changed.insert(i);
                self.patrons[i] = patron;
            }
            None => {
                self.insert(patron);
            }
        }
    }

    /// Adds a patron opened by hand (tags unknown until Hive answers); returns whether it
    /// was new.
    pub fn open(&mut self, id: &PatronId) -> bool {
        self.insert(KnownPatron {
            id: id.clone(),
            tags: Vec::new(),
            note: "opened by hand; tags unknown until Hive answers an add or remove".into(),
            confirmed_at: None,
            complete: false,
            absent: Vec::new(),
        })
    }

    fn entry(&mut self, id: &PatronId) -> &mut KnownPatron {
        let index = match self.position(id) {
            Some(i) => i,
            None => {
                self.insert(KnownPatron {
                    id: id.clone(),
                    tags: Vec::new(),
                    note: String::new(),
                    confirmed_at: None,
                    complete: false,
                    absent: Vec::new(),
                });
                self.patrons.len() - 1
            }
        };
        self.changed.insert(index);
        &mut self.patrons[index]
    }
}

/// A Hive tag as tagdesk last saw it on a patron.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownTag {
    pub api_field: String,
    /// When a response last confirmed it; None when it came from the seed or a saved view.
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// A Hive patron tagdesk knows about: its own view, built from responses. This is also the
/// workspace file's format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownPatron {
    pub id: PatronId,
    #[serde(default)]
    pub tags: Vec<KnownTag>,
    /// Where the view came from or what was last learned ("from the demo seed", ...).
    #[serde(default)]
    pub note: String,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Whether `tags` is the patron's whole tag set. A patron opened by hand starts unknown;
    /// responses then tell about the api_fields they name, never about the others.
    #[serde(default)]
    pub complete: bool,
    /// While `tags` is not the whole set: the api_fields Hive last confirmed the patron
    /// does not hold (a remove answered them removed or non-existent, and no add since).
    /// Empty once complete (then every api_field not in `tags` is absent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<String>,
}

impl KnownPatron {
    /// A patron of the demo seed: its tags, complete, not confirmed by Hive yet.
    pub fn from_seed(id: PatronId, tags: &[crate::core::domain::ApiField]) -> Self {
        Self {
            id,
            tags: tags
                .iter()
                .map(|t| KnownTag {
                    api_field: t.to_string(),
                    confirmed_at: None,
                })
                .collect(),
            note: "tags from the demo seed; Hive has no read endpoint".into(),
            confirmed_at: None,
            complete: true,
            absent: Vec::new(),
        }
    }

    pub fn has(&self, api_field: &str) -> bool {
        self.tags.iter().any(|t| t.api_field == api_field)
    }

    /// Whether the patron holds `api_field`, as far as tagdesk knows: Some(true) confirmed
    /// present, Some(false) absent (the whole set is known, or Hive confirmed it absent),
    /// None not known.
    pub fn holds(&self, api_field: &str) -> Option<bool> {
        if self.has(api_field) {
            Some(true)
        } else if self.complete || self.absent.iter().any(|a| a == api_field) {
            Some(false)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod set_tests;
