//! The simulated Cerego partner's rows, compact so that a million users start in well under
//! a second and fit in a few tens of MiB:
//!
//! - a user is a row of 32 bytes: a named user (from the seed or a setup step) keeps its
//!   fields in a box; a synthetic one (`tagdesk sim --users N`) is only its number, its
//!   fields derived from it when shown;
//! - a tag is a row of 20 bytes in a vector indexed by `id - first_tag_id` (ids are handed
//!   out in order and never reused; a removed tag leaves a dead row), its tag type id, value
//!   and timestamps interned;
//! - the tags of a user are found from its row (the slots of the tags it was created with,
//!   which are contiguous, then those added later), so a page of users costs O(page);
//! - users are found by id through a hash map for named users and a vector of positions
//!   for synthetic ones.

use std::borrow::Cow;
use std::collections::HashMap;

use super::super::intern::Strings;
use super::super::seed::{CeregoSeed, ProfileSeed, UserSeed};
use super::now;
use crate::core::domain::TagType;

mod setup;

/// Synthetic user N has id `SYNTHETIC_USER_BASE + N`.
pub const SYNTHETIC_USER_BASE: u64 = 3_000_000;

/// A user the seed or a setup step named, with its fields as given.
#[derive(Debug, Clone, PartialEq)]
pub struct SimUser {
    pub id: String,
    pub name: String,
    pub username: String,
    pub email: Option<String>,
    pub member_id: Option<String>,
    pub department: Option<String>,
    pub created_at: String,
    pub last_logged_in_at: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) enum Who {
    Named(Box<SimUser>),
    /// Synthetic user N: every field follows from N.
    Synthetic(u32),
}

#[derive(Debug, Clone)]
pub(super) struct UserRow {
    pub(super) who: Who,
    /// The slots of the tags the user was created with: `first_tag..first_tag + made_with`.
    first_tag: u32,
    made_with: u32,
    /// Slots of tags added since, in the order they were added. Boxed: 8 bytes in every
    /// row rather than 24, as most users never get a tag later.
    #[allow(clippy::box_collection)]
    later: Option<Box<Vec<u32>>>,
}

/// A tag as the state holds it, copied out (see [`CeregoState::tags`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SimTag {
    pub id: u64,
    pub user_id: String,
    pub tag_type_id: String,
    pub value: String,
    pub created_at: String,
    pub updated_at: String,
}

/// The row of a removed tag.
const DEAD: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
pub(super) struct TagRow {
    /// Position of the user in `users` (`DEAD`: the tag was removed).
    pub(super) user: u32,
    pub(super) kind: u32,
    pub(super) value: u32,
    pub(super) created: u32,
    pub(super) updated: u32,
}

/// A user's fields as served: borrowed from a named user, made for a synthetic one.
pub(super) struct UserView<'a> {
    pub(super) id: Cow<'a, str>,
    pub(super) name: Cow<'a, str>,
    pub(super) username: Cow<'a, str>,
    pub(super) email: Option<Cow<'a, str>>,
    pub(super) member_id: Option<Cow<'a, str>>,
    pub(super) department: Option<&'a str>,
    pub(super) created_at: &'a str,
    pub(super) last_logged_in_at: Option<&'a str>,
}

/// A numeric id without leading zeros as a number (the key of most users); others by text.
pub(super) fn num_key(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.is_empty() || b.len() > 19 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if b.len() > 1 && b[0] == b'0' {
        return None;
    }
    id.parse().ok()
}

/// A number without leading zeros, as `format!("{n}")` writes it.
pub(super) fn canonical_u32(s: &str) -> Option<u32> {
    num_key(s).and_then(|n| u32::try_from(n).ok())
}

/// Users by id: named users in hash maps (numeric ids as numbers), synthetic user N at
/// `synthetic[N]` (no hashing: a million are indexed as fast as they are written).
#[derive(Debug, Clone, Default)]
struct UserIndex {
    by_num: HashMap<u64, u32>,
    by_text: HashMap<String, u32>,
    /// Position of synthetic user N, or `DEAD` when there is none.
    synthetic: Vec<u32>,
}

impl UserIndex {
    fn get(&self, id: &str) -> Option<u32> {
        match num_key(id) {
            Some(n) => self.by_num.get(&n).copied().or_else(|| {
                let i = usize::try_from(n.checked_sub(SYNTHETIC_USER_BASE)?).ok()?;
                self.synthetic.get(i).copied().filter(|&p| p != DEAD)
            }),
            None => self.by_text.get(id).copied(),
        }
    }

    fn insert(&mut self, id: &str, pos: u32) {
        match num_key(id) {
            Some(n) => self.by_num.insert(n, pos),
            None => self.by_text.insert(id.to_string(), pos),
        };
    }
}

/// The simulated partner: its profile, tag types, users and their tags.
#[derive(Debug, Clone)]
pub struct CeregoState {
    pub partner_id: String,
    pub page_size: usize,
    /// Whether `page[size]` is honoured (else ignored: every page is `page_size`).
    pub honour_page_size: bool,
    pub profile: ProfileSeed,
    pub tag_types: Vec<TagType>,
    pub(super) users: Vec<UserRow>,
    /// Positions in `users` of department users, ascending.
    pub(super) departments: Vec<u32>,
    pub(super) tags: Vec<TagRow>,
    pub(super) first_tag_id: u64,
    pub(super) strings: Strings,
    index: UserIndex,
    /// `created_at` of synthetic users (interned).
    synthetic_created: u32,
}

fn pos32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(DEAD - 1)
}

impl CeregoState {
    pub fn from_seed(seed: &CeregoSeed) -> Self {
        let mut strings = Strings::default();
        let synthetic_created = strings.intern(
            seed.users
                .first()
                .map_or("2024-01-01T10:00:00.000Z", |u| u.created_at.as_str()),
        );
        let mut state = Self {
            partner_id: seed.partner_id.to_string(),
            page_size: seed.page_size,
            honour_page_size: seed.honour_page_size,
            profile: seed.profile.clone(),
            tag_types: seed.tag_types.clone(),
            users: Vec::new(),
            departments: Vec::new(),
            tags: Vec::new(),
            first_tag_id: seed.first_tag_id,
            strings,
            index: UserIndex::default(),
            synthetic_created,
        };
        let seeded = state.strings.intern(&seed.seeded_at);
        // The tags synthetic users copy, in turn: those of the seed's users outside
        // departments.
        let mut patterns: Vec<Vec<(u32, u32)>> = Vec::new();
        for u in &seed.users {
            let pattern = state.push_seeded(u, seeded);
            if u.department.is_none() {
                patterns.push(pattern);
            }
        }
        state.push_synthetic(seed.synthetic_users, &patterns, seeded);
        state
    }

    /// Adds a seed's user and its tags; returns the tags as (type, value).
    fn push_seeded(&mut self, u: &UserSeed, stamp: u32) -> Vec<(u32, u32)> {
        let pos = pos32(self.users.len());
        let first_tag = pos32(self.tags.len());
        let mut pattern = Vec::with_capacity(u.tags.len());
        for (type_id, value) in &u.tags {
            let kind = self.strings.intern(type_id);
            let value = self.strings.intern(value.as_str());
            pattern.push((kind, value));
            self.tags.push(TagRow {
                user: pos,
                kind,
                value,
                created: stamp,
                updated: stamp,
            });
        }
        let email = Some(u.email.clone()).filter(|e| !e.is_empty());
        self.push_user(
            SimUser {
                id: u.id.to_string(),
                name: u.name.clone(),
                username: u.username.clone(),
                email,
                member_id: u.member_id.clone(),
                department: u.department.clone(),
                created_at: u.created_at.clone(),
                last_logged_in_at: u.last_logged_in_at.clone(),
            },
            first_tag,
        );
        pattern
    }

    fn push_synthetic(&mut self, n: u64, patterns: &[Vec<(u32, u32)>], stamp: u32) {
        let n = u32::try_from(n).unwrap_or(u32::MAX / 2);
        let per_round: usize = patterns.iter().map(Vec::len).sum();
        let rounds = (n as usize).div_ceil(patterns.len().max(1));
        self.users.reserve(n as usize);
        self.tags.reserve(per_round.saturating_mul(rounds));
        // A named user with a synthetic user's id wins over it.
        let mut taken = std::collections::HashSet::new();
        for &id in self.index.by_num.keys() {
            if let Some(i) = id
                .checked_sub(SYNTHETIC_USER_BASE)
                .filter(|&i| i < u64::from(n))
            {
                taken.insert(i as u32);
            }
        }
        self.index.synthetic = Vec::with_capacity(n as usize);
        for i in 0..n {
            if taken.contains(&i) {
                self.index.synthetic.push(DEAD);
                continue;
            }
            let pos = pos32(self.users.len());
            let first_tag = pos32(self.tags.len());
            if let Some(pattern) = patterns.get(i as usize % patterns.len().max(1)) {
                self.tags
                    .extend(pattern.iter().map(|&(kind, value)| TagRow {
                        user: pos,
                        kind,
                        value,
                        created: stamp,
                        updated: stamp,
                    }));
            }
            self.index.synthetic.push(pos);
            self.users.push(UserRow {
                who: Who::Synthetic(i),
                first_tag,
                made_with: pos32(self.tags.len()) - first_tag,
                later: None,
            });
        }
    }

    /// Appends a named user whose tags (if any) were pushed from slot `first_tag` on.
    fn push_user(&mut self, user: SimUser, first_tag: u32) {
        let pos = pos32(self.users.len());
        self.index.insert(&user.id, pos);
        if user.department.is_some() {
            self.departments.push(pos);
        }
        self.users.push(UserRow {
            who: Who::Named(Box::new(user)),
            first_tag,
            made_with: pos32(self.tags.len()) - first_tag,
            later: None,
        });
    }

    /// Every user, department users included.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// The tags users hold now.
    pub fn tag_count(&self) -> usize {
        self.tags.iter().filter(|t| t.user != DEAD).count()
    }

    /// The slots of every tag users hold now, in id order.
    pub(super) fn live_slots(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.tags.len()).filter(|&s| self.tags[s].user != DEAD)
    }

    /// Every tag users hold now, in id order (copied out: for tests and tools).
    pub fn tags(&self) -> impl Iterator<Item = SimTag> + '_ {
        self.live_slots().map(|slot| self.sim_tag(slot))
    }

    /// The tags of one user, oldest first (none for an unknown user).
    pub fn tags_of_user(&self, user_id: &str) -> Vec<SimTag> {
        match self.user_pos(user_id) {
            Some(pos) => self.tags_of(pos).map(|slot| self.sim_tag(slot)).collect(),
            None => Vec::new(),
        }
    }

    fn sim_tag(&self, slot: usize) -> SimTag {
        let t = &self.tags[slot];
        SimTag {
            id: self.tag_id(slot),
            user_id: self.user_id(t.user as usize).into_owned(),
            tag_type_id: self.strings.get(t.kind).to_string(),
            value: self.strings.get(t.value).to_string(),
            created_at: self.strings.get(t.created).to_string(),
            updated_at: self.strings.get(t.updated).to_string(),
        }
    }

    /// The id the next new tag gets.
    pub fn next_tag_id(&self) -> u64 {
        self.first_tag_id + self.tags.len() as u64
    }

    pub(super) fn user_pos(&self, id: &str) -> Option<usize> {
        self.index.get(id).map(|p| p as usize)
    }

    pub(super) fn is_department(&self, pos: usize) -> bool {
        matches!(&self.users[pos].who, Who::Named(u) if u.department.is_some())
    }

    pub(super) fn user_id(&self, pos: usize) -> Cow<'_, str> {
        match &self.users.get(pos).map(|r| &r.who) {
            Some(Who::Named(u)) => Cow::Borrowed(u.id.as_str()),
            Some(Who::Synthetic(i)) => Cow::Owned(synthetic_id(*i)),
            None => Cow::Borrowed(""),
        }
    }

    pub(super) fn user_view(&self, pos: usize) -> UserView<'_> {
        match &self.users[pos].who {
            Who::Named(u) => UserView {
                id: Cow::Borrowed(&u.id),
                name: Cow::Borrowed(&u.name),
                username: Cow::Borrowed(&u.username),
                email: u.email.as_deref().map(Cow::Borrowed),
                member_id: u.member_id.as_deref().map(Cow::Borrowed),
                department: u.department.as_deref(),
                created_at: &u.created_at,
                last_logged_in_at: u.last_logged_in_at.as_deref(),
            },
            Who::Synthetic(i) => UserView {
                id: Cow::Owned(synthetic_id(*i)),
                name: Cow::Owned(format!("Synthetic User {i}")),
                username: Cow::Owned(format!("synthetic{i}")),
                email: Some(Cow::Owned(format!("synthetic.{i}@example.edu"))),
                member_id: Some(Cow::Owned(format!("S-{i}"))),
                department: None,
                created_at: self.strings.get(self.synthetic_created),
                last_logged_in_at: None,
            },
        }
    }

    /// The slots of the user's tags, oldest first.
    pub(super) fn tags_of(&self, pos: usize) -> impl Iterator<Item = usize> + '_ {
        let row = &self.users[pos];
        let made = row.first_tag as usize..(row.first_tag + row.made_with) as usize;
        made.chain(row.later.iter().flat_map(|l| l.iter().map(|&s| s as usize)))
            .filter(|&s| self.tags.get(s).is_some_and(|t| t.user != DEAD))
    }

    /// The slot of the user's tag of this type, if it has one.
    pub(super) fn tag_of_type(&self, pos: usize, type_id: &str) -> Option<usize> {
        self.tags_of(pos)
            .find(|&s| self.strings.get(self.tags[s].kind) == type_id)
    }

    /// The slot of a live tag.
    pub(super) fn slot_of(&self, tag_id: &str) -> Option<usize> {
        let id = tag_id.parse::<u64>().ok()?;
        let slot = usize::try_from(id.checked_sub(self.first_tag_id)?).ok()?;
        self.tags.get(slot).filter(|t| t.user != DEAD).map(|_| slot)
    }

    pub(super) fn tag_id(&self, slot: usize) -> u64 {
        self.first_tag_id + slot as u64
    }

    /// A new tag for the user at `pos`, created now; its slot.
    pub(super) fn new_tag(&mut self, pos: usize, type_id: &str, value: &str) -> usize {
        let slot = self.tags.len();
        let stamp = self.strings.intern(&now());
        let kind = self.strings.intern(type_id);
        let value = self.strings.intern(value);
        self.tags.push(TagRow {
            user: pos32(pos),
            kind,
            value,
            created: stamp,
            updated: stamp,
        });
        self.users[pos]
            .later
            .get_or_insert_with(Default::default)
            .push(pos32(slot));
        slot
    }

    /// Changes a tag's value, now.
    pub(super) fn set_value(&mut self, slot: usize, value: &str) {
        let stamp = self.strings.intern(&now());
        let value = self.strings.intern(value);
        if let Some(t) = self.tags.get_mut(slot) {
            t.value = value;
            t.updated = stamp;
        }
    }
}

pub(super) fn synthetic_id(i: u32) -> String {
    (SYNTHETIC_USER_BASE + u64::from(i)).to_string()
}
