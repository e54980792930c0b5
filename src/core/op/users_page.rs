//! The quick reading of a page of Cerego users: straight into typed fields, borrowing the
//! body's strings, for the documents a Cerego server writes (every id and attribute a
//! string or null, one spelling of each name). Anything else — a numeric id, a number
//! where text belongs, a name written both ways, a field of an unexpected shape — makes
//! it give up, and [`super::cerego::UsersPage::parse`] reads the page the lenient way, so
//! both ways give the same page for every body (the tests below hold them to it).
//!
//! Why: a listing reads every page's body, and the lenient reading builds a `Value` (an
//! ordered map per object) of every user and tag first — most of a 100,000-user
//! listing's time on the client, on the cores the pages' requests share.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::cerego::{CeregoTag, CeregoUser};

/// The parts of a users page the listing reads: users, tags, and the `meta` and `links`
/// (small, read as values by the same code as the lenient reading).
pub(super) struct Page {
    pub users: Vec<CeregoUser>,
    pub meta: Option<Value>,
    pub links: Option<Value>,
}

/// The page, or None when the body is not the plain shape this reads (then the lenient
/// reading decides, errors included).
pub(super) fn read(body: &[u8]) -> Option<Page> {
    // A value the structs below skip is only scanned; the lenient reading refuses a body
    // whose skipped parts are not JSON a `Value` holds (a number out of range, a string
    // that is not UTF-8): so refuse it here too, reading every part once without keeping it.
    serde_json::from_slice::<Valid>(body).ok()?;
    let Obj(doc): Obj<Doc<'_>> = serde_json::from_slice(body).ok()?;
    let mut included: HashMap<String, CeregoTag> = HashMap::new();
    for Obj(tag) in doc.included.unwrap_or_default() {
        let is_tag = matches!(
            tag.kind.as_deref(),
            Some("partner-user-tags" | "partner_user_tags")
        );
        if !is_tag {
            continue;
        }
        let Some(id) = tag.id else { continue };
        let attributes = tag.attributes.map(Obj::inner).unwrap_or_default();
        let relationships = tag.relationships.map(Obj::inner).unwrap_or_default();
        let tag = CeregoTag {
            id: id.into_owned(),
            value: owned(attributes.value),
            tag_type_id: relationships.tag_type.and_then(|r| r.0.id()),
            user_id: relationships.user.and_then(|r| r.0.id()),
            created_at: owned(attributes.created_at),
            updated_at: owned(attributes.updated_at),
        };
        included.insert(tag.id.clone(), tag);
    }
    let users = doc
        .data
        .unwrap_or_default()
        .into_iter()
        .filter_map(|Obj(u)| {
            let id = u.id?.into_owned();
            let refs = u
                .relationships
                .and_then(|r| r.0.tags)
                .and_then(|r| r.0.data)
                .unwrap_or_default();
            let tags = refs
                .into_iter()
                .filter_map(|r| r.0.id)
                .map(|tag| {
                    included.get(tag.as_ref()).cloned().unwrap_or(CeregoTag {
                        id: tag.into_owned(),
                        ..CeregoTag::default()
                    })
                })
                .filter(|t| t.belongs_to(&id))
                .collect();
            let a = u.attributes.map(Obj::inner).unwrap_or_default();
            Some(CeregoUser {
                id,
                name: owned(a.name),
                username: owned(a.username),
                email: owned(a.email),
                member_id: owned(a.member_id),
                guid: owned(a.guid),
                created_at: owned(a.created_at),
                last_logged_in_at: owned(a.last_logged_in_at),
                tags,
            })
        })
        .collect();
    Some(Page {
        users,
        meta: doc.meta,
        links: doc.links,
    })
}

fn owned(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

/// Any JSON value, read as a `Value` would read it (every number in range, every string
/// valid), and kept nowhere.
struct Valid;

impl<'de> Deserialize<'de> for Valid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Valid)
    }
}

impl<'de> serde::de::Visitor<'de> for Valid {
    type Value = Valid;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Valid, E> {
        Ok(Valid)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Valid, E> {
        Ok(Valid)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Valid, E> {
        Ok(Valid)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Valid, E> {
        Ok(Valid)
    }
    fn visit_str<E>(self, _: &str) -> Result<Valid, E> {
        Ok(Valid)
    }
    fn visit_unit<E>(self) -> Result<Valid, E> {
        Ok(Valid)
    }
    fn visit_none<E>(self) -> Result<Valid, E> {
        Ok(Valid)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Valid, D::Error> {
        Valid::deserialize(d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Valid, A::Error> {
        while seq.next_element::<Valid>()?.is_some() {}
        Ok(Valid)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Valid, A::Error> {
        while map.next_entry::<Valid, Valid>()?.is_some() {}
        Ok(Valid)
    }
}

/// A JSON object read as `T`, and only an object: serde would read a struct from an array
/// too, field by field, where the lenient reading finds no field in an array.
struct Obj<T>(T);

impl<T> Obj<T> {
    fn inner(self) -> T {
        self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Only<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Only<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Obj)
            }
        }
        d.deserialize_map(Only(std::marker::PhantomData))
    }
}

// Every struct refuses a name written both ways (serde's "duplicate field"), so a body the
// lenient reading would read one way or the other is left to it.

#[derive(Deserialize)]
struct Doc<'a> {
    #[serde(borrow)]
    data: Option<Vec<Obj<User<'a>>>>,
    #[serde(borrow)]
    included: Option<Vec<Obj<Tag<'a>>>>,
    meta: Option<Value>,
    links: Option<Value>,
}

#[derive(Deserialize)]
struct User<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    attributes: Option<Obj<UserAttributes<'a>>>,
    #[serde(borrow)]
    relationships: Option<Obj<UserRelationships<'a>>>,
}

#[derive(Deserialize, Default)]
struct UserAttributes<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    username: Option<Cow<'a, str>>,
    #[serde(borrow)]
    email: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "member-id", alias = "member_id")]
    member_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    guid: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "created-at", alias = "created_at")]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "last-logged-in-at", alias = "last_logged_in_at")]
    last_logged_in_at: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct UserRelationships<'a> {
    #[serde(borrow, rename = "partner-user-tags", alias = "partner_user_tags")]
    tags: Option<Obj<RefList<'a>>>,
}

#[derive(Deserialize)]
struct RefList<'a> {
    #[serde(borrow)]
    data: Option<Vec<Obj<Ref<'a>>>>,
}

#[derive(Deserialize)]
struct Ref<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    attributes: Option<Obj<TagAttributes<'a>>>,
    #[serde(borrow)]
    relationships: Option<Obj<TagRelationships<'a>>>,
}

#[derive(Deserialize, Default)]
struct TagAttributes<'a> {
    #[serde(borrow)]
    value: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "created-at", alias = "created_at")]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "updated-at", alias = "updated_at")]
    updated_at: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
struct TagRelationships<'a> {
    #[serde(
        borrow,
        rename = "partner-user-tag-type",
        alias = "partner_user_tag_type"
    )]
    tag_type: Option<Obj<Rel<'a>>>,
    #[serde(borrow)]
    user: Option<Obj<Rel<'a>>>,
}

/// `{"data": {"id": …}}` or `{"data": null}`.
#[derive(Deserialize)]
struct Rel<'a> {
    #[serde(borrow)]
    data: Option<Obj<Ref<'a>>>,
}

impl Rel<'_> {
    fn id(self) -> Option<String> {
        self.data.and_then(|d| d.0.id).map(Cow::into_owned)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::super::cerego::UsersPage;
    use super::read;

    /// Both readings of `body` give the same page (or the same error).
    fn same(body: &[u8]) {
        assert_eq!(
            UsersPage::parse(body),
            UsersPage::parse_lenient(body),
            "{}",
            String::from_utf8_lossy(body)
        );
    }

    #[test]
    fn a_plain_page_is_read_quickly_and_as_the_lenient_reading_reads_it() {
        let body = json!({
            "data": [
                {"id": "1185304", "type": "users",
                 "attributes": {"name": "Ada", "email": "ada@example.edu", "member-id": null,
                   "created-at": "2024-01-01T10:00:00.000Z", "extra": {"deep": [1, 2]}},
                 "relationships": {"partner-user-tags": {"data": [
                     {"id": "7", "type": "partner-user-tags"},
                     {"id": "8", "type": "partner-user-tags"},
                     {"id": "9", "type": "partner-user-tags"}]}}},
                {"id": "2", "type": "users", "attributes": null}
            ],
            "included": [
                {"id": "7", "type": "partner-user-tags",
                 "attributes": {"value": "Silver", "created-at": "x", "updated-at": "y"},
                 "relationships": {"user": {"data": {"id": "1185304", "type": "users"}},
                   "partner-user-tag-type": {"data": {"id": "5", "type": "partner-user-tag-types"}}}},
                {"id": "8", "type": "partner-user-tags",
                 "relationships": {"user": {"data": {"id": "someone-else"}}}},
                {"id": "3", "type": "courses", "attributes": {"value": "not a tag"}}
            ],
            "links": {"self": "/p?page[number]=1", "next": "/p?page[number]=2"},
            "meta": {"total-pages": 2, "total-count": "40"}
        })
        .to_string();
        assert!(
            read(body.as_bytes()).is_some(),
            "the plain shape is read quickly"
        );
        let page = UsersPage::parse(body.as_bytes()).expect("page");
        assert_eq!(page.users.len(), 2);
        let ada = &page.users[0];
        assert_eq!(ada.email.as_deref(), Some("ada@example.edu"));
        // Tag 8 names another user: not Ada's; tag 9 is not included: its id alone.
        let tags: Vec<(&str, Option<&str>)> = ada
            .tags
            .iter()
            .map(|t| (t.id.as_str(), t.value.as_deref()))
            .collect();
        assert_eq!(tags, [("7", Some("Silver")), ("9", None)]);
        assert_eq!(ada.tags[0].tag_type_id.as_deref(), Some("5"));
        assert_eq!((page.total_pages, page.total_count), (Some(2), Some(40)));
        assert!(page.has_next_link);
        same(body.as_bytes());
    }

    #[test]
    fn shapes_the_quick_reading_leaves_to_the_lenient_one_read_the_same() {
        let bodies = [
            // A numeric id, a number where text belongs.
            json!({"data": [{"id": 7, "attributes": {"name": "Ann"}}]}),
            json!({"data": [{"id": "7", "attributes": {"name": 12}}]}),
            // A name written both ways, once null.
            json!({"data": [{"id": "7", "attributes": {"member-id": null, "member_id": "M"}}]}),
            // Arrays where objects belong.
            json!({"data": [{"id": "7", "attributes": ["Ann"]}]}),
            json!({"data": [["7"]]}),
            json!([{"data": []}]),
            json!({"data": [{"id": "7", "relationships": {"partner-user-tags": {"data": [["1"]]}}}]}),
            json!({"data": [{"id": "7", "relationships": {"partner_user_tags": {"data": {"id": "1"}}}}]}),
            json!({"data": [{"id": "7", "relationships": "none"}]}),
            // Snake-case spellings, one way only.
            json!({"data": [{"id": "7", "attributes": {"member_id": "M", "last_logged_in_at": "t"},
                "relationships": {"partner_user_tags": {"data": [{"id": 1}]}}}],
                "included": [{"id": 1, "type": "partner_user_tags", "attributes": {"value": "v"}}],
                "meta": {"total_pages": "3"}}),
            // No data, data not a list, not JSON.
            json!({"meta": null, "links": null}),
            json!({"data": {"id": "7"}}),
            json!({"data": null, "included": "x"}),
        ];
        for body in bodies {
            same(body.to_string().as_bytes());
        }
        // A name written twice (a JSON object may say it twice; the last one counts).
        same(br#"{"data": [{"id": "7", "attributes": {"name": "a", "name": "b"}}]}"#);
        same(br#"{"data": [], "data": [{"id": "7"}]}"#);
        // Not JSON a `Value` holds, in a part the quick reading skips.
        same(br#"{"errors": [{"title": 1e400}], "data": []}"#);
        same(b"{\"data\": [], \"x\": \"\xff\"}");
        same(br#"{"data": [], "x": "\ud800"}"#);
        same(b"not json");
        same(b"");
    }

    /// A string or null, or (unless `plain`) now and then a number, a list or an object.
    fn text(plain: bool) -> BoxedStrategy<Value> {
        let simple = prop_oneof![
            4 => "[a-z0-9]{0,3}".prop_map(Value::from),
            1 => Just(Value::Null),
        ];
        if plain {
            return simple.boxed();
        }
        prop_oneof![
            12 => simple,
            1 => (0u32..50).prop_map(Value::from),
            1 => Just(json!(["x"])),
            1 => Just(json!({"x": 1})),
        ]
        .boxed()
    }

    /// An object of some of `names`, each written dasherized, or (unless `plain`) in
    /// snake_case or both ways.
    fn object(names: &'static [&'static str], plain: bool) -> BoxedStrategy<Value> {
        let spellings = if plain { 0u8..1 } else { 0u8..4 };
        proptest::collection::vec((0..names.len(), spellings, text(plain)), 0..5)
            .prop_map(move |f| {
                let mut m = serde_json::Map::new();
                for (i, spelling, v) in f {
                    let name = names[i];
                    if spelling != 1 {
                        m.insert(name.to_string(), v.clone());
                    }
                    if spelling >= 1 {
                        m.insert(name.replace('-', "_"), v);
                    }
                }
                Value::Object(m)
            })
            .boxed()
    }

    fn id(plain: bool) -> BoxedStrategy<Value> {
        let text = "[1-4]".prop_map(Value::from);
        if plain {
            return text.boxed();
        }
        prop_oneof![8 => text, 1 => (1u8..5).prop_map(Value::from), 1 => Just(Value::Null)].boxed()
    }

    fn reference(plain: bool) -> BoxedStrategy<Value> {
        let one = id(plain).prop_map(|id| json!({"id": id, "type": "partner-user-tags"}));
        if plain {
            return one.boxed();
        }
        prop_oneof![8 => one, 1 => Just(json!([])), 1 => Just(json!({"type": "x"}))].boxed()
    }

    fn user(plain: bool) -> BoxedStrategy<Value> {
        let names: &'static [&'static str] = &[
            "name",
            "email",
            "member-id",
            "created-at",
            "last-logged-in-at",
        ];
        let rel = if plain { 0u8..1 } else { 0u8..4 };
        let refs = proptest::collection::vec(reference(plain), 0..4);
        (id(plain), object(names, plain), refs, rel)
            .prop_map(|(id, attributes, refs, rel)| {
                let rels = match rel {
                    0 => json!({"partner-user-tags": {"data": refs}}),
                    1 => json!({"partner_user_tags": {"data": refs}}),
                    2 => json!({"partner-user-tags": {"data": null}}),
                    _ => json!({}),
                };
                json!({"id": id, "type": "users", "attributes": attributes, "relationships": rels})
            })
            .boxed()
    }

    fn tag(plain: bool) -> BoxedStrategy<Value> {
        let names: &'static [&'static str] = &["value", "created-at", "updated-at"];
        let kind = prop_oneof![
            Just("partner-user-tags"),
            Just("partner_user_tags"),
            Just("courses")
        ];
        (
            id(plain),
            kind,
            object(names, plain),
            id(plain),
            proptest::option::of(id(plain)),
        )
            .prop_map(|(id, kind, attributes, owner, tag_type)| {
                let mut rels = json!({"user": {"data": {"id": owner, "type": "users"}}});
                if let Some(t) = tag_type {
                    rels["partner-user-tag-type"] = json!({"data": {"id": t}});
                }
                json!({"id": id, "type": kind, "attributes": attributes, "relationships": rels})
            })
            .boxed()
    }

    fn page(plain: bool) -> impl Strategy<Value = Value> {
        (
            proptest::collection::vec(user(plain), 0..4),
            proptest::collection::vec(tag(plain), 0..5),
            text(plain),
            text(plain),
        )
            .prop_map(|(users, tags, pages, next)| {
                json!({
                    "data": users,
                    "included": tags,
                    "links": {"next": next},
                    "meta": {"total-pages": pages, "total-count": 9},
                })
            })
    }

    proptest! {
        /// Pages of the plain shape: read quickly, and as the lenient reading reads them.
        #[test]
        fn plain_pages_are_read_quickly_and_the_same(body in page(true)) {
            let bytes = body.to_string().into_bytes();
            prop_assert!(read(&bytes).is_some(), "{body}");
            same(&bytes);
        }

        /// Pages of any shape: the same page (or error) either way.
        #[test]
        fn both_readings_give_the_same_page(body in page(false)) {
            same(body.to_string().as_bytes());
        }
    }
}
