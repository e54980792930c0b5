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
                // A reply naming another user's tag is not this user's tag.
                if tag.belongs_to(user.as_str()) {
                    self.cerego.store_tag(user.as_str(), tag.clone());
                }
                Folded::TagCreated {
                    tag_id: tag.id.clone(),
                }
            }
            Op::CeregoUpdate { tag: id, .. } => {
                let Output::Tag(tag) = output else {
                    return Folded::Nothing;
                };
                // The reply names the tag's user; when it does not, the tag index says
                // whose tag it is.
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
                p.absent.clear();
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
                    p.absent.retain(|a| a != field);
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
                // With the whole set known, absence is already implied.
                if !p.complete {
                    for field in absent {
                        if !p.absent.contains(field) {
                            p.absent.push(field.clone());
                        }
                    }
                }
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
            p.absent.clear();
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
mod tests {
    //! The fold's rules, one reply at a time.

    use chrono::TimeZone;

    use super::*;
    use crate::core::domain::{ApiField, CeregoUserId, PartnerId, TagId, TagTypeId, TagValue};
    use crate::core::model::KnownPatron;
    use crate::core::op::cerego::{CeregoTag, CeregoUser, UserList};
    use crate::core::op::hive::FailedTag;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    fn patron(id: &str) -> PatronId {
        PatronId::parse(id).unwrap()
    }

    fn hive(action: HiveAction, changed: &[&str], unchanged: &[&str], failed: &[&str]) -> Output {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Output::Hive(HiveOutcome {
            action,
            message: Some("m".into()),
            patron_id: Some("p".into()),
            changed: strings(changed),
            unchanged: strings(unchanged),
            failed: failed
                .iter()
                .map(|f| FailedTag {
                    api_field: f.to_string(),
                    reason: None,
                })
                .collect(),
            missing_fields: Vec::new(),
            extra: Vec::new(),
            foreign_patron: None,
        })
    }

    fn add(p: &str) -> Op {
        Op::HiveAdd {
            patron: patron(p),
            fields: vec![ApiField::parse("x").unwrap()],
        }
    }

    fn remove(p: &str) -> Op {
        Op::HiveRemove {
            patron: patron(p),
            fields: vec![ApiField::parse("x").unwrap()],
        }
    }

    fn tags(state: &KnownState, p: &str) -> Vec<String> {
        let mut t: Vec<String> = state
            .hive
            .get(&patron(p))
            .map(|p| p.tags.iter().map(|t| t.api_field.clone()).collect())
            .unwrap_or_default();
        t.sort();
        t
    }

    fn known(p: &str, fields: &[&str]) -> KnownState {
        let fields: Vec<ApiField> = fields.iter().map(|f| ApiField::parse(f).unwrap()).collect();
        KnownState::with_patrons(vec![KnownPatron::from_seed(patron(p), &fields)])
    }

    #[test]
    fn added_and_pre_existing_are_present_and_confirmed() {
        let mut s = known("p", &["old"]);
        let folded = s.apply(
            &add("p"),
            &hive(HiveAction::Add, &["vip"], &["newsletter"], &[]),
            at(),
        );
        assert!(matches!(folded, Folded::Patron { .. }));
        assert_eq!(tags(&s, "p"), ["newsletter", "old", "vip"]);
        let p = s.hive.get(&patron("p")).unwrap();
        assert_eq!(p.confirmed_at, Some(at()));
        assert_eq!(p.note, "last add confirmed by Hive");
        // The seeded tag the reply did not name is not confirmed.
        let old = p.tags.iter().find(|t| t.api_field == "old").unwrap();
        assert_eq!(old.confirmed_at, None);
    }

    #[test]
    fn removed_and_non_existent_are_absent() {
        let mut s = known("p", &["a", "b", "c"]);
        s.apply(
            &remove("p"),
            &hive(HiveAction::Remove, &["a"], &["b", "zzz"], &[]),
            at(),
        );
        assert_eq!(tags(&s, "p"), ["c"]);
    }

    #[test]
    fn a_remove_on_a_patron_known_in_part_records_what_hive_confirmed_absent() {
        let mut s = KnownState::default();
        s.hive.open(&patron("p"));
        s.apply(
            &remove("p"),
            &hive(HiveAction::Remove, &["a"], &["b"], &["c"]),
            at(),
        );
        let p = s.hive.get(&patron("p")).unwrap();
        assert_eq!(
            p.absent,
            ["a", "b"],
            "removed and non-existent; failed tells nothing"
        );
        assert_eq!((p.holds("a"), p.holds("c")), (Some(false), None));
        // An add confirming one present takes it out of the absent ones.
        s.apply(&add("p"), &hive(HiveAction::Add, &["a"], &[], &[]), at());
        let p = s.hive.get(&patron("p")).unwrap();
        assert_eq!(p.absent, ["b"]);
        assert_eq!((p.holds("a"), p.holds("b")), (Some(true), Some(false)));
        assert!(!p.complete, "still not the whole set");
        // Once the whole set is known, absence is implied and not listed.
        let mut s = known("q", &["x"]);
        s.apply(
            &remove("q"),
            &hive(HiveAction::Remove, &["x"], &["y"], &[]),
            at(),
        );
        let q = s.hive.get(&patron("q")).unwrap();
        assert!(q.absent.is_empty() && q.holds("y") == Some(false));
    }

    #[test]
    fn failed_tags_leave_what_was_known() {
        let mut s = known("p", &["a"]);
        s.apply(
            &remove("p"),
            &hive(HiveAction::Remove, &[], &[], &["a"]),
            at(),
        );
        assert_eq!(tags(&s, "p"), ["a"], "a failed remove tells nothing");
        s.apply(
            &add("p"),
            &hive(HiveAction::Add, &[], &[], &["bogus"]),
            at(),
        );
        assert_eq!(tags(&s, "p"), ["a"], "a failed add adds nothing");
    }

    #[test]
    fn invalid_patron_on_remove_means_known_empty() {
        let mut s = known("p", &["a", "b"]);
        let e = ApiError::Http {
            status: 400,
            code: Some("INVALID_PATRON".into()),
            message: "No patron matches the provided patron_id.".into(),
            retry_after: None,
        };
        let folded = s.apply_error(&remove("p"), &e, at());
        assert_eq!(folded, Folded::PatronUnknown { id: patron("p") });
        let p = s.hive.get(&patron("p")).unwrap();
        assert!(p.tags.is_empty());
        assert!(p.complete);
        // Any other failure tells nothing.
        let mut s = known("p", &["a"]);
        let folded = s.apply_error(&remove("p"), &ApiError::Timeout { ms: 1 }, at());
        assert_eq!(folded, Folded::Nothing);
        assert_eq!(tags(&s, "p"), ["a"]);
    }

    #[test]
    fn only_what_changed_since_the_last_save_is_handed_out() {
        let mut s = KnownState::with_patrons(vec![
            KnownPatron::from_seed(patron("a"), &[ApiField::parse("x").unwrap()]),
            KnownPatron::from_seed(patron("b"), &[]),
        ]);
        assert!(s.hive.take_changed().is_empty(), "what was loaded is saved");
        s.apply(&add("b"), &hive(HiveAction::Add, &["vip"], &[], &[]), at());
        s.hive.open(&patron("c"));
        s.hive.put(KnownPatron::from_seed(patron("a"), &[]));
        let changed: Vec<String> = s
            .hive
            .take_changed()
            .iter()
            .map(|p| p.id.to_string())
            .collect();
        assert_eq!(changed, ["a", "b", "c"], "in the order first seen");
        assert!(s.hive.take_changed().is_empty());
        assert_eq!(s.hive.len(), 3);
    }

    #[test]
    fn a_patron_opened_by_hand_is_incomplete_until_hive_answers() {
        let mut s = KnownState::default();
        assert!(s.hive.open(&patron("new")));
        assert!(!s.hive.open(&patron("new")), "opened once");
        let p = s.hive.get(&patron("new")).unwrap();
        assert!(!p.complete);
        assert!(p.tags.is_empty());
        // A reply tells about the fields it names, not the others: still incomplete.
        s.apply(
            &add("new"),
            &hive(HiveAction::Add, &["vip"], &[], &[]),
            at(),
        );
        let p = s.hive.get(&patron("new")).unwrap();
        assert!(!p.complete);
        assert_eq!(tags(&s, "new"), ["vip"]);
    }

    #[test]
    fn a_reply_names_a_patron_never_seen_before() {
        let mut s = KnownState::default();
        s.apply(
            &add("fresh"),
            &hive(HiveAction::Add, &["vip"], &[], &[]),
            at(),
        );
        assert_eq!(tags(&s, "fresh"), ["vip"]);
    }

    fn user(id: &str, tags: &[(&str, &str)]) -> CeregoUser {
        CeregoUser {
            id: id.into(),
            tags: tags
                .iter()
                .map(|(tid, v)| CeregoTag {
                    id: tid.to_string(),
                    value: Some(v.to_string()),
                    ..CeregoTag::default()
                })
                .collect(),
            ..CeregoUser::default()
        }
    }

    fn listing(query: Option<&str>) -> Op {
        Op::CeregoListUsers {
            partner: PartnerId::parse("4242").unwrap(),
            query: query.map(str::to_string),
            departments: false,
        }
    }

    fn users(list: Vec<CeregoUser>, cut: Option<&str>) -> Output {
        Output::Users(UserList {
            listed: list.len() as u64,
            total_count: Some(list.len() as u64),
            users: list,
            pages_fetched: 1,
            cut: cut.map(str::to_string),
        })
    }

    fn ids(s: &KnownState) -> Vec<&str> {
        s.cerego.iter().map(|u| u.id).collect()
    }

    #[test]
    fn a_complete_listing_drops_users_it_did_not_name() {
        let mut s = KnownState::default();
        s.cerego.begin_listing();
        s.cerego.intake(vec![user("1", &[]), user("2", &[])]);
        s.apply(&listing(None), &users(Vec::new(), None), at());
        assert_eq!(ids(&s), ["1", "2"]);
        // The next listing no longer names 1.
        s.cerego.begin_listing();
        let new = s.cerego.intake(vec![user("2", &[]), user("3", &[])]);
        assert_eq!(new, 2..3, "only 3 is new");
        let folded = s.apply(&listing(None), &users(Vec::new(), None), at());
        assert_eq!(folded, Folded::Listed { cut: None });
        assert_eq!(ids(&s), ["2", "3"]);
        assert_eq!(s.cerego.position("3"), Some(1), "the index follows");
        assert!(!s.cerego.is_listing());
    }

    #[test]
    fn a_listing_cut_short_keeps_the_users_it_did_not_reach() {
        let mut s = KnownState::default();
        s.cerego.begin_listing();
        s.cerego.intake(vec![user("1", &[]), user("2", &[])]);
        s.apply(&listing(None), &users(Vec::new(), None), at());
        s.cerego.begin_listing();
        s.cerego.intake(vec![user("2", &[])]);
        let folded = s.apply(&listing(None), &users(Vec::new(), Some("max_users")), at());
        assert_eq!(
            folded,
            Folded::Listed {
                cut: Some("max_users".into())
            }
        );
        assert_eq!(ids(&s), ["1", "2"]);
        assert_eq!(s.cerego.cut.as_deref(), Some("max_users"));
    }

    #[test]
    fn a_failed_listing_keeps_the_list() {
        let mut s = KnownState::default();
        s.cerego.begin_listing();
        s.cerego.intake(vec![user("1", &[])]);
        s.apply(&listing(None), &users(Vec::new(), None), at());
        s.cerego.begin_listing();
        let folded = s.apply_error(&listing(None), &ApiError::Timeout { ms: 1 }, at());
        assert_eq!(folded, Folded::ListingFailed);
        assert_eq!(ids(&s), ["1"]);
        assert!(!s.cerego.is_listing());
    }

    #[test]
    fn a_look_up_adds_what_it_found_and_counts_for_a_listing_in_progress() {
        let mut s = KnownState::default();
        s.cerego.begin_listing();
        let folded = s.apply(
            &listing(Some("joan")),
            &users(vec![user("9", &[])], None),
            at(),
        );
        assert_eq!(
            folded,
            Folded::LookedUp {
                query: "joan".into(),
                found: vec!["9".into()]
            }
        );
        // The listing in progress then ends without naming 9: the look-up saw it, so it stays.
        s.apply(&listing(None), &users(vec![user("1", &[])], None), at());
        assert_eq!(ids(&s), ["9", "1"]);
    }

    #[test]
    fn created_and_updated_tags_land_on_their_user() {
        let mut s = KnownState::default();
        s.cerego.intake(vec![user("7", &[("84001", "Gold")])]);
        let add = Op::CeregoAdd {
            user: CeregoUserId::parse("7").unwrap(),
            tag_type: TagTypeId::parse("3").unwrap(),
            value: TagValue::parse("Spring").unwrap(),
        };
        let created = CeregoTag {
            id: "84002".into(),
            value: Some("Spring".into()),
            ..CeregoTag::default()
        };
        let folded = s.apply(&add, &Output::Tag(created), at());
        assert_eq!(
            folded,
            Folded::TagCreated {
                tag_id: "84002".into()
            }
        );
        let update = Op::CeregoUpdate {
            tag: TagId::parse("84001").unwrap(),
            value: TagValue::parse("Silver").unwrap(),
        };
        let updated = CeregoTag {
            id: "84001".into(),
            value: Some("Silver".into()),
            ..CeregoTag::default()
        };
        s.apply(&update, &Output::Tag(updated), at());
        let u = s.cerego.get(0).unwrap();
        let values: Vec<(&str, Option<&str>)> = u.tags.iter().map(|t| (t.id, t.value)).collect();
        assert_eq!(
            values,
            [("84001", Some("Silver")), ("84002", Some("Spring"))]
        );
    }

    #[test]
    fn reads_and_mismatched_outputs_change_nothing() {
        let mut s = known("p", &["a"]);
        assert_eq!(
            s.apply(&Op::CeregoProfile, &users(Vec::new(), None), at()),
            Folded::Nothing
        );
        assert_eq!(
            s.apply(&add("p"), &users(Vec::new(), None), at()),
            Folded::Nothing
        );
        assert_eq!(tags(&s, "p"), ["a"]);
    }

    #[test]
    fn a_playground_setup_is_known_as_a_reply_would_say() {
        use crate::core::playground::Setup;
        let mut k = KnownState::default();
        k.apply_setup(
            &[
                Setup::HivePatron {
                    patron: "demo_pre".into(),
                    tags: Some(vec!["newsletter".into()]),
                },
                Setup::HivePatron {
                    patron: "demo_no_such_patron".into(),
                    tags: None,
                },
            ],
            at(),
        );
        let p = k.hive.get(&PatronId::parse("demo_pre").unwrap()).unwrap();
        assert!(p.complete && p.has("newsletter") && p.tags.len() == 1);
        let gone = k
            .hive
            .get(&PatronId::parse("demo_no_such_patron").unwrap())
            .unwrap();
        assert!(gone.complete && gone.tags.is_empty());
    }
}
