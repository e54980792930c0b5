//! How a Cerego "set tags" reply folds into what is known, and what it replaces.

use chrono::{DateTime, TimeZone, Utc};

use super::{Folded, KnownState};
use crate::core::op::cerego::{CeregoTag, CeregoUser, TagsSet};
use crate::core::op::{CeregoUserId, Op, Output, TagSetting};

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

fn tag(id: &str, ty: &str, value: &str) -> CeregoTag {
    CeregoTag {
        id: id.into(),
        value: Some(value.into()),
        tag_type_id: Some(ty.into()),
        ..CeregoTag::default()
    }
}

fn known_user(tags: Vec<CeregoTag>) -> KnownState {
    let mut s = KnownState::default();
    s.cerego.intake(vec![CeregoUser {
        id: "7".into(),
        tags,
        ..CeregoUser::default()
    }]);
    s
}

fn set(pairs: &[&str]) -> Op {
    Op::CeregoSet {
        user: CeregoUserId::parse("7").unwrap(),
        tags: pairs
            .iter()
            .map(|p| TagSetting::parse(p).unwrap())
            .collect(),
    }
}

fn values(s: &KnownState) -> Vec<(String, String, String)> {
    s.cerego
        .get(0)
        .unwrap()
        .tags
        .iter()
        .map(|t| {
            (
                t.id.to_string(),
                t.tag_type_id.unwrap_or_default().to_string(),
                t.value.unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_listed_tags_replace_the_users_tags_of_their_types() {
    let mut s = known_user(vec![tag("1", "5", "Oregon"), tag("2", "3", "Gold")]);
    let reply = Output::TagsSet(TagsSet {
        tags: Some(vec![
            tag("1", "5", "California"),
            tag("2", "3", "Gold"),
            tag("9", "9", "Marketing"),
        ]),
    });
    let folded = s.apply(&set(&["5=California", "9=Marketing"]), &reply, at());
    assert_eq!(
        folded,
        Folded::TagsSet {
            user: "7".into(),
            known: true
        }
    );
    let v = values(&s);
    assert!(
        v.contains(&("1".into(), "5".into(), "California".into())),
        "{v:?}"
    );
    assert!(
        v.contains(&("9".into(), "9".into(), "Marketing".into())),
        "{v:?}"
    );
    assert_eq!(v.len(), 3);
}

#[test]
fn without_listed_tags_known_values_follow_and_new_ones_wait_for_a_reload() {
    let mut s = known_user(vec![tag("1", "5", "Oregon")]);
    let reply = Output::TagsSet(TagsSet { tags: None });
    let folded = s.apply(&set(&["5=California", "9=Marketing"]), &reply, at());
    assert_eq!(
        folded,
        Folded::TagsSet {
            user: "7".into(),
            known: false
        },
        "the new type-9 tag's id is unknown"
    );
    assert_eq!(
        values(&s),
        [("1".to_string(), "5".to_string(), "California".to_string())]
    );
}

#[test]
fn what_a_set_replaces_is_known_only_when_every_tag_is() {
    let s = known_user(vec![tag("1", "5", "Oregon")]);
    let prior = s.cerego.set_prior("7", &["5", "9"]).unwrap();
    assert_eq!(prior["5"].as_deref(), Some("Oregon"));
    assert_eq!(prior["9"], None, "no tag of type 9: the set creates it");
    assert!(
        s.cerego.set_prior("8", &["5"]).is_none(),
        "an unlisted user"
    );
    // A listing without `included`: the tag's type is unknown, so is what a set replaces.
    let s = known_user(vec![CeregoTag {
        id: "1".into(),
        ..CeregoTag::default()
    }]);
    assert!(s.cerego.set_prior("7", &["5"]).is_none());
}

#[test]
fn a_listed_tag_of_another_user_is_not_this_users_tag() {
    let mut s = known_user(vec![tag("1", "5", "Oregon")]);
    let mut foreign = tag("44", "9", "Marketing");
    foreign.user_id = Some("8".into());
    let mut own = tag("1", "5", "California");
    own.user_id = Some("7".into());
    let reply = Output::TagsSet(TagsSet {
        tags: Some(vec![own, foreign]),
    });
    s.apply(&set(&["5=California"]), &reply, at());
    assert_eq!(
        values(&s),
        [("1".to_string(), "5".to_string(), "California".to_string())],
        "user 8's tag 44 must not become user 7's"
    );
    // An add answered with another user's tag stores nothing under this user.
    let add = Op::CeregoAdd {
        user: CeregoUserId::parse("7").unwrap(),
        tag_type: crate::core::op::TagTypeId::parse("9").unwrap(),
        value: crate::core::op::TagValue::parse("Marketing").unwrap(),
    };
    let mut other = tag("45", "9", "Marketing");
    other.user_id = Some("8".into());
    s.apply(&add, &Output::Tag(other), at());
    assert_eq!(values(&s).len(), 1, "{:?}", values(&s));
}
