//! How the Cerego state shows: JSON:API resources for the API, and the whole state for
//! `GET /_sim/state` (the same shape as before the rows were made compact).

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::{Value, json};

use super::guid_for;
use super::store::CeregoState;

impl CeregoState {
    /// A partner-user-tag resource (SPEC §1.1).
    pub(super) fn tag_resource(&self, slot: usize) -> Value {
        serde_json::to_value(TagResource::new(self, slot)).unwrap_or(Value::Null)
    }

    /// A document of one tag, as the legacy endpoints answer.
    pub(super) fn tag_document(&self, slot: usize) -> Value {
        json!({
            "data": self.tag_resource(slot),
            "meta": {"total-pages": null, "total-count": null},
        })
    }
}

/// A page of the partner's users (SPEC §1.3), serialized straight from the state: the
/// users at `positions` in `data`, their tags in `included`, then `links` and `meta`. The
/// HTTP route writes it without building a `Value` per resource (a page of 100 users was
/// 3–7 ms of the simulator's time that way, on the cores the client under test shares).
pub(super) struct UsersPage<'a> {
    pub(super) state: &'a CeregoState,
    pub(super) positions: Vec<usize>,
    pub(super) self_link: String,
    pub(super) next_link: Option<String>,
    pub(super) total_pages: usize,
    pub(super) total_count: usize,
}

impl Serialize for UsersPage<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let state = self.state;
        let mut st = s.serialize_struct("UsersPage", 4)?;
        st.serialize_field(
            "data",
            &Seq(|| {
                self.positions
                    .iter()
                    .map(move |&pos| UserResource::new(state, pos))
            }),
        )?;
        st.serialize_field(
            "included",
            &Seq(|| {
                self.positions
                    .iter()
                    .flat_map(move |&pos| state.tags_of(pos))
                    .map(move |slot| TagResource::new(state, slot))
            }),
        )?;
        st.serialize_field(
            "links",
            &Links {
                self_: &self.self_link,
                next: self.next_link.as_deref(),
            },
        )?;
        st.serialize_field(
            "meta",
            &Meta {
                total_pages: self.total_pages,
                total_count: self.total_count,
            },
        )?;
        st.end()
    }
}

/// A sequence serialized from an iterator made on demand.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

#[derive(serde::Serialize)]
struct Links<'a> {
    #[serde(rename = "self")]
    self_: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct Meta {
    #[serde(rename = "total-pages")]
    total_pages: usize,
    #[serde(rename = "total-count")]
    total_count: usize,
}

/// `{"id": …, "type": …}`, a JSON:API resource identifier.
#[derive(serde::Serialize)]
struct Ident<'a> {
    id: Cow<'a, str>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(serde::Serialize)]
struct Data<T> {
    data: T,
}

#[derive(serde::Serialize)]
struct TagResource<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    attributes: TagAttributes<'a>,
    relationships: TagRelationships<'a>,
}

#[derive(serde::Serialize)]
struct TagAttributes<'a> {
    value: &'a str,
    #[serde(rename = "created-at")]
    created_at: &'a str,
    #[serde(rename = "updated-at")]
    updated_at: &'a str,
}

#[derive(serde::Serialize)]
struct TagRelationships<'a> {
    user: Data<Ident<'a>>,
    #[serde(rename = "partner-user-tag-type")]
    tag_type: Data<Ident<'a>>,
}

impl<'a> TagResource<'a> {
    fn new(state: &'a CeregoState, slot: usize) -> Self {
        let t = &state.tags[slot];
        let strings = &state.strings;
        TagResource {
            id: state.tag_id(slot).to_string(),
            kind: "partner-user-tags",
            attributes: TagAttributes {
                value: strings.get(t.value),
                created_at: strings.get(t.created),
                updated_at: strings.get(t.updated),
            },
            relationships: TagRelationships {
                user: Data {
                    data: Ident {
                        id: state.user_id(t.user as usize),
                        kind: "users",
                    },
                },
                tag_type: Data {
                    data: Ident {
                        id: Cow::Borrowed(strings.get(t.kind)),
                        kind: "partner-user-tag-types",
                    },
                },
            },
        }
    }
}

/// A user resource of the listing (SPEC §1.3); its tags go to `included`.
struct UserResource<'a> {
    state: &'a CeregoState,
    pos: usize,
}

impl<'a> UserResource<'a> {
    fn new(state: &'a CeregoState, pos: usize) -> Self {
        UserResource { state, pos }
    }
}

#[derive(serde::Serialize)]
struct UserAttributes<'a> {
    name: Cow<'a, str>,
    username: Cow<'a, str>,
    email: Option<Cow<'a, str>>,
    #[serde(rename = "member-id")]
    member_id: Option<Cow<'a, str>>,
    guid: String,
    #[serde(rename = "created-at")]
    created_at: &'a str,
    #[serde(rename = "last-logged-in-at")]
    last_logged_in_at: Option<&'a str>,
}

impl Serialize for UserResource<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let state = self.state;
        let u = state.user_view(self.pos);
        let mut st = s.serialize_struct("UserResource", 4)?;
        st.serialize_field("id", &u.id)?;
        st.serialize_field("type", "users")?;
        st.serialize_field(
            "attributes",
            &UserAttributes {
                guid: guid_for(&u.id),
                name: u.name,
                username: u.username,
                email: u.email,
                member_id: u.member_id,
                created_at: u.created_at,
                last_logged_in_at: u.last_logged_in_at,
            },
        )?;
        #[derive(serde::Serialize)]
        struct Relationships<T> {
            #[serde(rename = "partner-user-tags")]
            tags: Data<T>,
        }
        st.serialize_field(
            "relationships",
            &Relationships {
                tags: Data {
                    data: Seq(|| {
                        state.tags_of(self.pos).map(|slot| Ident {
                            id: Cow::Owned(state.tag_id(slot).to_string()),
                            kind: "partner-user-tags",
                        })
                    }),
                },
            },
        )?;
        st.end()
    }
}

impl Serialize for CeregoState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("CeregoState", 7)?;
        st.serialize_field("partner_id", &self.partner_id)?;
        st.serialize_field("page_size", &self.page_size)?;
        st.serialize_field("profile", &self.profile)?;
        st.serialize_field("tag_types", &self.tag_types)?;
        st.serialize_field("users", &Users(self))?;
        st.serialize_field("tags", &Tags(self))?;
        st.serialize_field("next_tag_id", &self.next_tag_id())?;
        st.end()
    }
}

struct Users<'a>(&'a CeregoState);

#[derive(serde::Serialize)]
struct UserJson<'a> {
    id: Cow<'a, str>,
    name: Cow<'a, str>,
    username: Cow<'a, str>,
    email: Option<Cow<'a, str>>,
    member_id: Option<Cow<'a, str>>,
    guid: String,
    created_at: &'a str,
    last_logged_in_at: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    department: Option<&'a str>,
}

impl Serialize for Users<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let state = self.0;
        s.collect_seq((0..state.user_count()).map(|pos| {
            let u = state.user_view(pos);
            UserJson {
                guid: guid_for(&u.id),
                id: u.id,
                name: u.name,
                username: u.username,
                email: u.email,
                member_id: u.member_id,
                created_at: u.created_at,
                last_logged_in_at: u.last_logged_in_at,
                department: u.department,
            }
        }))
    }
}

struct Tags<'a>(&'a CeregoState);

#[derive(serde::Serialize)]
struct TagJson<'a> {
    id: u64,
    user_id: String,
    tag_type_id: &'a str,
    value: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
}

impl Serialize for Tags<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let state = self.0;
        let strings = &state.strings;
        s.collect_map(state.live_slots().map(|slot| {
            let t = &state.tags[slot];
            let id = state.tag_id(slot);
            let tag = TagJson {
                id,
                user_id: state.user_id(t.user as usize).into_owned(),
                tag_type_id: strings.get(t.kind),
                value: strings.get(t.value),
                created_at: strings.get(t.created),
                updated_at: strings.get(t.updated),
            };
            (id, tag)
        }))
    }
}
