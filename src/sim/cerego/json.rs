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
        let t = &self.tags[slot];
        json!({
            "id": self.tag_id(slot).to_string(),
            "type": "partner-user-tags",
            "attributes": {
                "value": self.strings.get(t.value),
                "created-at": self.strings.get(t.created),
                "updated-at": self.strings.get(t.updated),
            },
            "relationships": {
                "user": {"data": {"id": self.user_id(t.user as usize), "type": "users"}},
                "partner-user-tag-type": {"data": {
                    "id": self.strings.get(t.kind),
                    "type": "partner-user-tag-types",
                }},
            }
        })
    }

    /// A document of one tag, as the legacy endpoints answer.
    pub(super) fn tag_document(&self, slot: usize) -> Value {
        json!({
            "data": self.tag_resource(slot),
            "meta": {"total-pages": null, "total-count": null},
        })
    }

    /// A user resource of the listing (SPEC §1.3); its tags go to `included`.
    pub(super) fn user_resource(&self, pos: usize, included: &mut Vec<Value>) -> Value {
        let u = self.user_view(pos);
        let mut refs = Vec::new();
        for slot in self.tags_of(pos) {
            refs.push(json!({"id": self.tag_id(slot).to_string(), "type": "partner-user-tags"}));
            included.push(self.tag_resource(slot));
        }
        json!({
            "id": u.id,
            "type": "users",
            "attributes": {
                "name": u.name,
                "username": u.username,
                "email": u.email,
                "member-id": u.member_id,
                "guid": guid_for(&u.id),
                "created-at": u.created_at,
                "last-logged-in-at": u.last_logged_in_at,
            },
            "relationships": {"partner-user-tags": {"data": refs}},
        })
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
