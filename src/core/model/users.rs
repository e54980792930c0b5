//! The partner's Cerego users as tagdesk knows them: compact rows ([`UserRow`]) in list
//! order, an index by user id, an index by tag id (whose user holds a tag, without a scan
//! of every user), and what changed since a view last looked.

use std::hash::{BuildHasher, RandomState};
use std::ops::Range;

use chrono::{DateTime, Utc};
use hashbrown::HashTable;

use super::row::{Tag, User, UserRow};
use crate::core::op::cerego::{CeregoTag, CeregoUser};

/// What changed in the list since [`KnownUsers::take_changes`] was last called (appended
/// users are not listed: a view compares lengths).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Users left the list: positions changed, a view starts over.
    pub reset: bool,
    /// Users replaced in place (a page seen twice, a look-up of a listed user).
    pub replaced: Vec<usize>,
    /// With `reset`, when a complete listing removed or reordered users: each old
    /// position's new one (`u32::MAX`: the user is gone), so a view keeps its selection
    /// and the rows it shows on the same users.
    pub moved: Option<Vec<u32>>,
}

/// Rows read back from the user cache that no live read has replaced yet.
#[derive(Debug, Clone)]
struct Cached {
    /// When the cached listing completed.
    as_of: DateTime<Utc>,
    /// Per position: still the cache's.
    stale: Vec<bool>,
    /// How many positions are still the cache's.
    left: usize,
}

/// Past this many replacements before a view looks, it starts over instead.
const MAX_REPLACED: usize = 4096;

/// The most users [`KnownUsers::reserve`] makes room for ahead (the default `max_users`).
const MAX_RESERVED: u64 = 2_000_000;

/// The users whose tags tell how large the tag index of a listing will be.
const SAMPLE_USERS: usize = 256;

/// A table hash from the 32 bits kept with each position (the table takes its bucket from
/// the low bits and its tag from the high ones).
fn spread(h: u32) -> u64 {
    (u64::from(h) << 32) | u64::from(h)
}

/// The partner's users as listed, looked up and changed, indexed by id (page intake and
/// a look-up cost O(users added), whatever the list's size).
#[derive(Debug, Clone, Default)]
pub struct KnownUsers {
    rows: Vec<UserRow>,
    /// Positions in `rows` with 32 bits of the hash of the user's id, so growing the table
    /// reads only the table (not a million rows in random order).
    index: HashTable<(u32, u32)>,
    /// For each tag of each row: the row's position with 32 bits of the hash of the tag's
    /// id (8 bytes a tag, sized once from the tags a user the first users have: about
    /// 18 MiB for a million users of a tag each, 36 MiB at the simulator's 2.8).
    tags: HashTable<(u32, u32)>,
    /// The users a listing's first page announced ([`Self::reserve`]).
    expected: usize,
    hasher: RandomState,
    /// The partner's user count, as the last listing's server said.
    pub total_count: Option<u64>,
    /// Why the last complete listing stopped short (a limit), if it did.
    pub cut: Option<String>,
    /// Only the users a plan named were kept (see `engine::named`): `total_count` is the
    /// partner's count, not `len`.
    pub named_only: bool,
    /// Per position, where the listing in progress named the user (0: not yet; else 1 +
    /// its place in the listing): users it does not name leave the list when it completes,
    /// and the rest take the listing's order.
    listing: Option<Vec<u32>>,
    /// Users the listing in progress has named so far.
    named: u32,
    /// Rows still from the user cache (None: every row was read live).
    cached: Option<Cached>,
    changes: Changes,
}

impl KnownUsers {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The user at a position of the list.
    pub fn get(&self, position: usize) -> Option<User<'_>> {
        self.rows.get(position).map(UserRow::view)
    }

    /// Every user, in list order.
    pub fn iter(&self) -> impl Iterator<Item = User<'_>> + '_ {
        self.rows.iter().map(UserRow::view)
    }

    /// The bytes the rows hold (for the figures; the vector and the index come on top).
    pub fn row_bytes(&self) -> usize {
        self.rows.iter().map(UserRow::size).sum()
    }

    /// How many users the partner has, as far as tagdesk knows: the list's length, or for
    /// a list of only the users a plan named, the count the server gave (if it gave one).
    pub fn partner_count(&self) -> Option<u64> {
        if self.named_only {
            self.total_count
        } else {
            Some(self.rows.len() as u64)
        }
    }

    /// The position of a user in the list.
    pub fn position(&self, id: &str) -> Option<usize> {
        let h = self.hash(id);
        self.index
            .find(spread(h), |&(p, ph)| {
                ph == h && self.rows[p as usize].id() == id
            })
            .map(|&(p, _)| p as usize)
    }

    fn hash(&self, id: &str) -> u32 {
        let h = self.hasher.hash_one(id);
        (h >> 32) as u32 ^ h as u32
    }

    /// Room for `users` in all (a listing's total, as its first page says): the index grows
    /// once, while small, instead of rehashing a large table in the UI thread. A server's
    /// claim past [`MAX_RESERVED`] users is not taken at its word.
    pub fn reserve(&mut self, users: u64) {
        let more = (users.min(MAX_RESERVED) as usize).saturating_sub(self.rows.len());
        self.rows.reserve(more);
        self.index.reserve(more, |&(_, h)| spread(h));
        self.expected = users.min(MAX_RESERVED) as usize;
        if let Some(seen) = &mut self.listing {
            seen.reserve(more);
        }
    }

    /// The user with this id.
    pub fn user(&self, id: &str) -> Option<User<'_>> {
        self.position(id).and_then(|p| self.get(p))
    }

    /// A complete listing starts: the users it names are counted from now.
    pub fn begin_listing(&mut self) {
        self.listing = Some(vec![0; self.rows.len()]);
        self.named = 0;
    }

    /// The users of a user cache (rows already checked), as of when that listing completed:
    /// every row counts as not read live until a page or a look-up replaces it.
    pub fn from_cache(rows: Vec<UserRow>, as_of: DateTime<Utc>) -> Self {
        let mut users = Self {
            rows,
            ..Self::default()
        };
        users.reindex();
        let n = users.rows.len();
        users.cached = (n > 0).then(|| Cached {
            as_of,
            stale: vec![true; n],
            left: n,
        });
        users
    }

    /// Takes the users of a cache read at start, if nothing is known yet (a page that came
    /// first wins: it is live). A listing in progress goes on, counting the cached users as
    /// not named yet. Returns whether they were taken.
    pub fn adopt(&mut self, cached: KnownUsers) -> bool {
        if !self.rows.is_empty() || cached.rows.is_empty() {
            return false;
        }
        let listing = self.listing.is_some();
        *self = Self {
            listing: listing.then(|| vec![0; cached.rows.len()]),
            ..cached
        };
        true
    }

    /// When the cached listing the rows not yet read live come from completed (None: every
    /// row was read live).
    pub fn cached_as_of(&self) -> Option<DateTime<Utc>> {
        self.cached.as_ref().map(|c| c.as_of)
    }

    /// Whether the user at `position` is still as the cache had it (not read live).
    pub fn is_cached(&self, position: usize) -> bool {
        self.cached
            .as_ref()
            .is_some_and(|c| c.stale.get(position).copied().unwrap_or(false))
    }

    /// The rows, in list order (for the user cache).
    pub(super) fn rows(&self) -> &[UserRow] {
        &self.rows
    }

    /// Whether a complete listing is in progress.
    pub fn is_listing(&self) -> bool {
        self.listing.is_some()
    }

    /// Users arrived (a listing's page, a look-up): each replaces the one with its id or is
    /// appended. Returns the positions of users new to the list (appended, so a view can
    /// extend itself without re-reading the rest).
    pub fn intake(&mut self, users: Vec<CeregoUser>) -> Range<usize> {
        self.intake_from(&users)
    }

    /// [`Self::intake`] from borrowed users.
    pub fn intake_from(&mut self, users: &[CeregoUser]) -> Range<usize> {
        let before = self.rows.len();
        for user in users {
            let at = self.put(UserRow::new(user));
            if let Some(c) = &mut self.cached
                && let Some(stale) = c.stale.get_mut(at)
                && *stale
            {
                *stale = false;
                c.left -= 1;
            }
            if self.cached.as_ref().is_some_and(|c| c.left == 0) {
                self.cached = None;
            }
            if let Some(seen) = &mut self.listing {
                self.named = self.named.saturating_add(1);
                match seen.get_mut(at) {
                    Some(0) => seen[at] = self.named,
                    Some(_) => {}
                    None => seen.push(self.named),
                }
            }
        }
        before..self.rows.len()
    }

    /// Replaces the row with the same id, or appends it; returns its position.
    fn put(&mut self, row: UserRow) -> usize {
        match self.position(row.id()) {
            Some(at) => {
                if self.rows[at] == row {
                    return at;
                }
                self.replace(at, row);
                if self.changes.replaced.len() < MAX_REPLACED {
                    self.changes.replaced.push(at);
                } else {
                    self.changes.reset = true;
                }
                at
            }
            None => {
                let at = self.rows.len();
                let h = self.hash(row.id());
                self.index
                    .insert_unique(spread(h), (at as u32, h), |&(_, h)| spread(h));
                self.rows.push(row);
                if let Some(c) = &mut self.cached {
                    c.stale.push(false);
                }
                self.index_tags(at);
                at
            }
        }
    }

    /// Puts `row` at `at` in place of the row there, the tag index following.
    fn replace(&mut self, at: usize, row: UserRow) {
        let old: Vec<u32> = self.rows[at]
            .view()
            .tags
            .iter()
            .map(|t| self.hash(t.id))
            .collect();
        for h in old {
            if let Ok(entry) = self
                .tags
                .find_entry(spread(h), |&(p, ph)| p as usize == at && ph == h)
            {
                entry.remove();
            }
        }
        self.rows[at] = row;
        self.index_tags(at);
    }

    /// Adds the tags of the row at `at` to the tag index.
    fn index_tags(&mut self, at: usize) {
        let hashes: Vec<u32> = self.rows[at]
            .view()
            .tags
            .iter()
            .map(|t| self.hash(t.id))
            .collect();
        let room = self.tags.capacity() - self.tags.len();
        if hashes.len() > room {
            self.tags
                .reserve(self.tags_ahead(hashes.len()), |&(_, h)| spread(h));
        }
        for h in hashes {
            self.tags
                .insert_unique(spread(h), (at as u32, h), |&(_, h)| spread(h));
        }
    }

    /// Room to make in the tag index for `need` more tags: once the first
    /// [`SAMPLE_USERS`] users tell how many tags a user has, for every user the listing
    /// announced (so a large index is not rebuilt again and again as a listing loads).
    fn tags_ahead(&self, need: usize) -> usize {
        let users = self.rows.len();
        if users < SAMPLE_USERS || self.expected <= users {
            return need;
        }
        let tags = self.tags.len() + need;
        // A tenth more than the sample says, and never more than 8 tags a user ahead.
        let per_user = (tags as f64 / users as f64 * 1.1).min(8.0);
        let ahead = (self.expected as f64 * per_user) as usize;
        ahead.saturating_sub(self.tags.len()).max(need)
    }

    /// The listing in progress ended (`complete`: it was not cut short by a limit): users
    /// it did not name are gone from the partner, and the rest take the listing's order
    /// (users found otherwise meanwhile, by a look-up, follow). A listing cut short says
    /// nothing of the rest, so they stay where they are.
    pub fn end_listing(&mut self, complete: bool) {
        let Some(seen) = self.listing.take() else {
            return;
        };
        if !complete {
            return;
        }
        // Every row left was read live by this listing (or after it started).
        self.cached = None;
        let place = |i: usize| seen.get(i).copied().unwrap_or(u32::MAX);
        let n = self.rows.len();
        let in_order = (0..n).all(|i| place(i) != 0)
            && (1..n).all(|i| place(i - 1) <= place(i) || place(i) == u32::MAX);
        if in_order {
            return;
        }
        let mut order: Vec<usize> = (0..n).filter(|&i| place(i) != 0).collect();
        order.sort_by_key(|&i| place(i));
        let mut moved = vec![u32::MAX; n];
        let mut old = std::mem::take(&mut self.rows);
        self.rows = Vec::with_capacity(order.len());
        for (new, &i) in order.iter().enumerate() {
            moved[i] = new as u32;
            let row = std::mem::replace(&mut old[i], UserRow::empty());
            self.rows.push(row);
        }
        drop(old);
        self.reindex();
        self.changes = Changes {
            reset: true,
            replaced: Vec::new(),
            moved: Some(moved),
        };
    }

    /// A listing failed: the list stays as it was.
    pub fn abandon_listing(&mut self) {
        self.listing = None;
    }

    fn reindex(&mut self) {
        self.index.clear();
        self.tags.clear();
        self.index.reserve(self.rows.len(), |&(_, h)| spread(h));
        for at in 0..self.rows.len() {
            let h = self.hash(self.rows[at].id());
            self.index
                .insert_unique(spread(h), (at as u32, h), |&(_, h)| spread(h));
            self.index_tags(at);
        }
    }

    /// What changed since the last call (for a view that keeps its own copy of the rows'
    /// text, such as the filter).
    pub fn take_changes(&mut self) -> Changes {
        std::mem::take(&mut self.changes)
    }

    /// The position of the user holding the tag with this id (from the tag index; of two
    /// users listed with it, the first in the list).
    pub fn owner_of(&self, tag_id: &str) -> Option<usize> {
        let h = self.hash(tag_id);
        self.tags
            .iter_hash(spread(h))
            .filter(|&&(p, ph)| {
                ph == h
                    && self
                        .get(p as usize)
                        .is_some_and(|u| u.tags.iter().any(|t| t.id == tag_id))
            })
            .map(|&(p, _)| p as usize)
            .min()
    }

    /// The tag with this id on the user `hint` names, else on whichever user holds it.
    pub fn tag_of(&self, tag_id: &str, hint: Option<&str>) -> Option<(usize, Tag<'_>)> {
        let on = |at: usize| {
            self.get(at)
                .and_then(|u| u.tags.iter().find(|t| t.id == tag_id))
                .map(|t| (at, t))
        };
        hint.and_then(|id| self.position(id))
            .and_then(on)
            .or_else(|| self.owner_of(tag_id).and_then(on))
    }

    /// The value of a tag as last listed (None when the tag or its value is unknown).
    pub fn tag_value(&self, tag_id: &str, hint: Option<&str>) -> Option<String> {
        self.tag_of(tag_id, hint)
            .and_then(|(_, t)| t.value.map(str::to_string))
    }

    /// What a set of these tag types would replace on this user: each type's current
    /// value, or `None` for a type the user has no tag of (the set creates it). `None`
    /// overall when tagdesk has not listed the user, or a tag's type or value is unknown
    /// (a listing without `included`): then what it replaces is not known.
    pub fn set_prior(
        &self,
        user_id: &str,
        types: &[&str],
    ) -> Option<crate::core::op::inverse::SetPrior> {
        let user = self.user(user_id)?;
        if user.tags.iter().any(|t| t.tag_type_id.is_none()) {
            return None;
        }
        let mut prior = crate::core::op::inverse::SetPrior::new();
        for ty in types {
            let value = match user.tags.iter().find(|t| t.tag_type_id == Some(*ty)) {
                Some(t) => Some(t.value?.to_string()),
                None => None,
            };
            prior.insert(ty.to_string(), value);
        }
        Some(prior)
    }

    /// Folds a successful set into the user's tags: the tags the response listed replace
    /// theirs (one tag per type: a listed tag drops another of its type); without them, the
    /// values set go into the user's tags of those types, and a type the user had no tag of
    /// stays unknown until a reload (its new tag's id is not known). Returns whether every
    /// type set is now known with its value.
    pub(super) fn store_set(
        &mut self,
        user_id: &str,
        settings: &[crate::core::domain::TagSetting],
        listed: Option<&[CeregoTag]>,
    ) -> bool {
        let Some(at) = self.position(user_id) else {
            return false;
        };
        let mut user = self.rows[at].view().to_user();
        if let Some(tags) = listed {
            // A listed tag whose `user` names someone else is not this user's tag.
            for tag in tags.iter().filter(|t| t.belongs_to(user_id)) {
                if let Some(ty) = &tag.tag_type_id {
                    user.tags
                        .retain(|t| t.id == tag.id || t.tag_type_id.as_ref() != Some(ty));
                }
                match user.tags.iter_mut().find(|t| t.id == tag.id) {
                    Some(t) => *t = tag.clone(),
                    None => user.tags.push(tag.clone()),
                }
            }
        } else {
            for s in settings {
                if let Some(t) = user
                    .tags
                    .iter_mut()
                    .find(|t| t.tag_type_id.as_deref() == Some(s.tag_type.as_str()))
                {
                    t.value = Some(s.value.to_string());
                }
            }
        }
        let known = settings.iter().all(|s| {
            user.tags.iter().any(|t| {
                t.tag_type_id.as_deref() == Some(s.tag_type.as_str())
                    && t.value.as_deref() == Some(s.value.as_str())
            })
        });
        // The id, name and email stay: the filter's text for the row does not change.
        self.replace(at, UserRow::new(&user));
        known
    }

    /// Puts a tag the server returned into its user's list (replacing one with the same
    /// id). A user tagdesk has not listed is left unknown.
    pub(super) fn store_tag(&mut self, user_id: &str, tag: CeregoTag) -> bool {
        let Some(at) = self.position(user_id) else {
            return false;
        };
        let mut user = self.rows[at].view().to_user();
        match user.tags.iter_mut().find(|t| t.id == tag.id) {
            Some(t) => *t = tag,
            None => user.tags.push(tag),
        }
        // The id, name and email stay: the filter's text for the row does not change.
        self.replace(at, UserRow::new(&user));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, name: &str) -> CeregoUser {
        CeregoUser {
            id: id.into(),
            name: Some(name.into()),
            ..CeregoUser::default()
        }
    }

    #[test]
    fn intake_appends_new_users_and_replaces_known_ones_in_place() {
        let mut u = KnownUsers::default();
        assert_eq!(u.intake(vec![user("1", "a"), user("2", "b")]), 0..2);
        assert_eq!(u.take_changes(), Changes::default());
        assert_eq!(u.intake(vec![user("2", "B"), user("3", "c")]), 2..3);
        assert_eq!(u.get(1).and_then(|v| v.name), Some("B"));
        assert_eq!(u.position("3"), Some(2));
        assert_eq!(u.position("4"), None);
        assert_eq!(u.take_changes().replaced, [1]);
    }

    #[test]
    fn a_complete_listing_drops_users_it_did_not_name() {
        let mut u = KnownUsers::default();
        u.intake(vec![user("1", "a"), user("2", "b"), user("3", "c")]);
        u.begin_listing();
        u.intake(vec![user("3", "c"), user("1", "a"), user("4", "d")]);
        u.end_listing(true);
        let ids: Vec<&str> = u.iter().map(|v| v.id).collect();
        assert_eq!(ids, ["3", "1", "4"], "in the listing's order");
        assert_eq!(u.position("4"), Some(2));
        assert_eq!(u.position("2"), None);
        let changes = u.take_changes();
        assert!(changes.reset);
        assert_eq!(changes.moved, Some(vec![1, u32::MAX, 0, 2]));
        // Cut short: nothing leaves.
        u.begin_listing();
        u.intake(vec![user("1", "a")]);
        u.end_listing(false);
        assert_eq!(u.len(), 3);
        assert!(!u.take_changes().reset);
    }

    fn tagged(id: &str, tags: &[(&str, &str)]) -> CeregoUser {
        let mut u = user(id, id);
        u.tags = tags
            .iter()
            .map(|(tag, ty)| CeregoTag {
                id: tag.to_string(),
                value: Some(format!("value of {tag}")),
                tag_type_id: Some(ty.to_string()),
                ..CeregoTag::default()
            })
            .collect();
        u
    }

    #[test]
    fn the_tag_index_names_each_tags_owner_through_every_change() {
        let mut u = KnownUsers::default();
        u.intake(vec![
            tagged("a", &[("900", "3")]),
            tagged("b", &[("901", "3"), ("905", "5")]),
            tagged("c", &[]),
        ]);
        assert_eq!(u.owner_of("900"), Some(0));
        assert_eq!((u.owner_of("901"), u.owner_of("905")), (Some(1), Some(1)));
        assert_eq!(u.owner_of("999"), None);
        // A page lists b again with another tag: 901 is no longer anyone's.
        u.intake(vec![tagged("b", &[("902", "3"), ("905", "5")])]);
        assert_eq!((u.owner_of("901"), u.owner_of("902")), (None, Some(1)));
        assert_eq!(u.owner_of("905"), Some(1));
        // A tag created for c, then a set on c whose answer replaces it.
        assert!(u.store_tag("c", tagged("c", &[("903", "3")]).tags.remove(0)));
        assert_eq!(u.owner_of("903"), Some(2));
        let setting = crate::core::domain::TagSetting {
            tag_type: crate::core::domain::TagTypeId::parse("3").unwrap(),
            value: crate::core::domain::TagValue::parse("value of 904").unwrap(),
        };
        let listed = tagged("c", &[("904", "3")]).tags;
        assert!(u.store_set("c", &[setting], Some(&listed)));
        assert_eq!((u.owner_of("903"), u.owner_of("904")), (None, Some(2)));
        // A complete listing without a: everyone after it moves up one place.
        u.begin_listing();
        u.intake(vec![
            tagged("b", &[("902", "3"), ("905", "5")]),
            tagged("c", &[("904", "3")]),
        ]);
        u.end_listing(true);
        assert_eq!(u.owner_of("900"), None);
        assert_eq!((u.owner_of("902"), u.owner_of("904")), (Some(0), Some(1)));
        assert_eq!(u.tag_value("905", None).as_deref(), Some("value of 905"));
    }

    #[test]
    fn the_tag_index_is_sized_once_for_the_announced_listing() {
        let mut u = KnownUsers::default();
        u.reserve(100_000);
        // The first rebuild past the sample sizes it.
        let page: Vec<CeregoUser> = (0..4 * SAMPLE_USERS)
            .map(|i| {
                let (a, b) = (format!("{}", 2 * i), format!("{}", 2 * i + 1));
                tagged(&i.to_string(), &[(&a, "3"), (&b, "5")])
            })
            .collect();
        u.intake(page);
        // Two tags a user, for the 100,000 users announced: no rebuild as the rest load.
        assert!(u.tags.capacity() >= 200_000, "{}", u.tags.capacity());
        assert!(u.tags.capacity() < 800_000, "{}", u.tags.capacity());
        assert_eq!(u.owner_of("513"), Some(256));
    }

    #[test]
    fn cached_rows_count_as_not_read_live_until_a_page_or_a_look_up_replaces_them() {
        let as_of = DateTime::<Utc>::default();
        let rows = ["1", "2", "3"]
            .map(|id| UserRow::new(&user(id, "x")))
            .to_vec();
        let cache = KnownUsers::from_cache(rows, as_of);
        let mut u = KnownUsers::default();
        u.begin_listing();
        assert!(u.adopt(cache.clone()));
        assert!(!u.adopt(cache), "only into an empty list");
        assert_eq!(u.cached_as_of(), Some(as_of));
        assert!(u.is_cached(0) && u.is_cached(2));
        assert_eq!(u.take_changes(), Changes::default());
        // The refresh names 2 (unchanged: no change to show), then 3 (changed), then a new 4.
        u.intake(vec![user("2", "x")]);
        assert!(!u.is_cached(1), "read live, even unchanged");
        assert_eq!(u.take_changes(), Changes::default());
        u.intake(vec![user("3", "y"), user("4", "z")]);
        assert_eq!(u.take_changes().replaced, [2]);
        assert!(u.is_cached(0) && !u.is_cached(3));
        assert!(u.cached_as_of().is_some(), "user 1 is still the cache's");
        u.end_listing(true);
        assert_eq!(
            u.cached_as_of(),
            None,
            "a complete listing leaves nothing cached"
        );
        let ids: Vec<&str> = u.iter().map(|v| v.id).collect();
        assert_eq!(ids, ["2", "3", "4"]);
        // A listing cut short leaves the cached rows it did not reach as they were.
        let rows = ["1", "2"].map(|id| UserRow::new(&user(id, "x"))).to_vec();
        let mut u = KnownUsers::default();
        u.begin_listing();
        u.adopt(KnownUsers::from_cache(rows, as_of));
        u.intake(vec![user("1", "x")]);
        u.end_listing(false);
        assert!(!u.is_cached(0) && u.is_cached(1));
        assert_eq!(u.len(), 2);
    }

    #[test]
    fn a_tag_is_found_on_the_hinted_user_first() {
        let mut u = KnownUsers::default();
        let mut a = user("1", "a");
        a.tags.push(CeregoTag {
            id: "900".into(),
            value: Some("Gold".into()),
            ..CeregoTag::default()
        });
        u.intake(vec![user("0", "z"), a]);
        assert_eq!(u.tag_value("900", Some("1")).as_deref(), Some("Gold"));
        assert_eq!(u.tag_value("900", Some("0")).as_deref(), Some("Gold"));
        assert_eq!(u.tag_value("900", None).as_deref(), Some("Gold"));
        assert_eq!(u.tag_value("901", None), None);
        assert!(u.store_tag(
            "1",
            CeregoTag {
                id: "900".into(),
                value: Some("Silver".into()),
                ..CeregoTag::default()
            }
        ));
        assert_eq!(u.tag_value("900", None).as_deref(), Some("Silver"));
        assert!(!u.store_tag("9", CeregoTag::default()), "an unknown user");
    }
}
