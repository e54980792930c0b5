//! What the Cerego partner API (v3, JSON:API) answers: partner user tags, the partner's
//! users page by page, and the API key's owner — read leniently from the documents.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A partner user tag. Fields other than the id may be unknown when the server omitted them
/// (for example a user's tag listed without its `included` document).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CeregoTag {
    pub id: String,
    pub value: Option<String>,
    pub tag_type_id: Option<String>,
    pub user_id: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

/// A user of the partner, with the tags the listing carried.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CeregoUser {
    pub id: String,
    pub name: Option<String>,
    pub username: Option<String>,
    pub email: Option<String>,
    pub member_id: Option<String>,
    pub guid: Option<String>,
    pub created_at: Option<String>,
    pub last_logged_in_at: Option<String>,
    pub tags: Vec<CeregoTag>,
}

/// Every user of a partner (all pages), as listed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserList {
    /// The users, when the caller kept them (a console or a CLI that streams pages gets them
    /// page by page instead, and this stays empty).
    pub users: Vec<CeregoUser>,
    /// Users listed, kept or not.
    #[serde(default)]
    pub listed: u64,
    pub total_count: Option<u64>,
    pub pages_fetched: u32,
    /// Why the listing stopped before the last page (a limit), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<String>,
}

/// The API key owner, from `/v3/my/profile`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeyOwner {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub username: Option<String>,
}

/// Reads an attribute under its JSON:API (dasherized) name or its snake_case twin.
fn attr<'a>(obj: &'a Value, name: &str) -> Option<&'a Value> {
    let attrs = obj.get("attributes")?;
    attrs
        .get(name)
        .or_else(|| attrs.get(name.replace('-', "_")))
        .filter(|v| !v.is_null())
}

fn attr_string(obj: &Value, name: &str) -> Option<String> {
    attr(obj, name).map(value_string)
}

fn value_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn id_of(v: &Value) -> Option<String> {
    match v.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn relationship<'a>(obj: &'a Value, name: &str) -> Option<&'a Value> {
    let rels = obj.get("relationships")?;
    rels.get(name)
        .or_else(|| rels.get(name.replace('-', "_")))
        .and_then(|r| r.get("data"))
        .filter(|v| !v.is_null())
}

fn type_is(obj: &Value, name: &str) -> bool {
    obj.get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t == name || t == name.replace('-', "_"))
}

impl CeregoTag {
    /// Whether the tag may be `user`'s: its own `user` relationship names that user, or no
    /// one.
    pub fn belongs_to(&self, user: &str) -> bool {
        self.user_id.as_deref().is_none_or(|u| u == user)
    }

    /// Reads a tag resource object (`data` of a tag document, or an `included` entry).
    pub fn from_resource(obj: &Value) -> Option<Self> {
        Some(Self {
            id: id_of(obj)?,
            value: attr_string(obj, "value"),
            tag_type_id: relationship(obj, "partner-user-tag-type").and_then(id_of),
            user_id: relationship(obj, "user").and_then(id_of),
            created_at: attr_string(obj, "created-at"),
            updated_at: attr_string(obj, "updated-at"),
        })
    }

    /// Parses a whole tag document (`{"data": {...}, "meta": {...}}`).
    pub fn parse_document(body: &[u8]) -> Result<Self, String> {
        let json: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
        let data = json
            .get("data")
            .ok_or_else(|| "the document has no \"data\"".to_string())?;
        Self::from_resource(data).ok_or_else(|| "\"data\" carries no tag id".to_string())
    }
}

impl CeregoUser {
    /// A user resource, with its tags resolved from `included`. A tag whose own `user`
    /// relationship names another user is not this user's tag, whatever the user's list of
    /// references says: it is left out.
    fn from_resource(obj: &Value, included: &HashMap<String, CeregoTag>) -> Option<Self> {
        let id = id_of(obj)?;
        let tags = match relationship(obj, "partner-user-tags") {
            Some(Value::Array(refs)) => refs
                .iter()
                .filter_map(id_of)
                .map(|tag| {
                    included.get(&tag).cloned().unwrap_or(CeregoTag {
                        id: tag,
                        ..CeregoTag::default()
                    })
                })
                .filter(|t| t.belongs_to(&id))
                .collect(),
            _ => Vec::new(),
        };
        Some(Self {
            id,
            name: attr_string(obj, "name"),
            username: attr_string(obj, "username"),
            email: attr_string(obj, "email"),
            member_id: attr_string(obj, "member-id"),
            guid: attr_string(obj, "guid"),
            created_at: attr_string(obj, "created-at"),
            last_logged_in_at: attr_string(obj, "last-logged-in-at"),
            tags,
        })
    }
}

/// One page of `GET /v3/partners/:id/users`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsersPage {
    pub users: Vec<CeregoUser>,
    pub total_pages: Option<u64>,
    pub total_count: Option<u64>,
    pub has_next_link: bool,
    /// The size of the body the page was read from.
    pub bytes: usize,
}

impl UsersPage {
    /// Reads a page: the plain shape quickly ([`super::users_page`]), anything else
    /// leniently — the same page either way.
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        match super::users_page::read(body) {
            Some(page) => Ok(Self::of(
                page.users,
                page.meta.as_ref(),
                page.links.as_ref(),
                body.len(),
            )),
            None => Self::parse_lenient(body),
        }
    }

    /// Reads a page of any shape the lenient way: a `Value` first, then each user and tag.
    pub(super) fn parse_lenient(body: &[u8]) -> Result<Self, String> {
        let json: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
        let data = match json.get("data") {
            Some(Value::Array(items)) => items.as_slice(),
            Some(Value::Null) | None => &[],
            Some(_) => return Err("\"data\" should be a list of users".into()),
        };
        let included: HashMap<String, CeregoTag> = json
            .get("included")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter(|o| type_is(o, "partner-user-tags"))
                    .filter_map(CeregoTag::from_resource)
                    .map(|t| (t.id.clone(), t))
                    .collect()
            })
            .unwrap_or_default();
        let users = data
            .iter()
            .filter_map(|o| CeregoUser::from_resource(o, &included))
            .collect();
        Ok(Self::of(
            users,
            json.get("meta"),
            json.get("links"),
            body.len(),
        ))
    }

    /// The page of these users, with the counts of `meta` and whether `links` has a next.
    fn of(
        users: Vec<CeregoUser>,
        meta: Option<&Value>,
        links: Option<&Value>,
        bytes: usize,
    ) -> Self {
        let meta_number = |key: &str| {
            meta.and_then(|m| m.get(key).or_else(|| m.get(key.replace('-', "_"))))
                .and_then(|v| match v {
                    Value::Number(n) => n.as_u64(),
                    Value::String(s) => s.parse().ok(),
                    _ => None,
                })
        };
        let has_next_link = links
            .and_then(|l| l.get("next"))
            .is_some_and(|n| n.is_string());
        Self {
            users,
            total_pages: meta_number("total-pages"),
            total_count: meta_number("total-count"),
            has_next_link,
            bytes,
        }
    }
}

/// What a "set tags" request answered (SPEC §1.6: the response is undocumented, so any
/// success is a success and the tags are read when the body carries them).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TagsSet {
    /// The user's tags as the response listed them (all of them, on the simulator), or
    /// `None` when the body carried no tag resources.
    pub tags: Option<Vec<CeregoTag>>,
}

impl TagsSet {
    /// Reads whatever came back: a JSON:API `data` list of tags, a single tag, or nothing
    /// usable (never an error: the request succeeded whatever the body says).
    pub fn parse_lenient(body: &[u8]) -> Self {
        let Ok(json) = serde_json::from_slice::<Value>(body) else {
            return Self::default();
        };
        let tags = match json.get("data") {
            Some(Value::Array(items)) => {
                let tags: Vec<CeregoTag> =
                    items.iter().filter_map(CeregoTag::from_resource).collect();
                // An empty list is an answer (the user has no tags); a list of things that
                // are not tags is not.
                (tags.len() == items.len()).then_some(tags)
            }
            Some(one @ Value::Object(_)) => CeregoTag::from_resource(one).map(|t| vec![t]),
            _ => None,
        };
        Self { tags }
    }

    /// One line: the user's tags after the change, as far as the response said.
    pub fn summary(&self) -> String {
        let Some(tags) = &self.tags else {
            return "tags set (the response listed no tags)".into();
        };
        const SHOWN: usize = 4;
        let mut parts: Vec<String> = tags
            .iter()
            .take(SHOWN)
            .map(|t| {
                let ty = t
                    .tag_type_id
                    .as_deref()
                    .map(|ty| format!(" (type {ty})"))
                    .unwrap_or_default();
                match &t.value {
                    Some(v) => format!("tag {}{ty} = \"{v}\"", t.id),
                    None => format!("tag {}{ty}", t.id),
                }
            })
            .collect();
        if tags.len() > SHOWN {
            parts.push(format!("{} more", tags.len() - SHOWN));
        }
        match tags.len() {
            0 => "tags set; the user has no tags".into(),
            n => format!(
                "tags set; the user has {}: {}",
                crate::core::printable::plural(n as u64, "tag", "tags"),
                parts.join(", ")
            ),
        }
    }
}

impl KeyOwner {
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let json: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
        let data = json
            .get("data")
            .ok_or_else(|| "the document has no \"data\"".to_string())?;
        Ok(Self {
            id: id_of(data).ok_or_else(|| "\"data\" carries no id".to_string())?,
            name: attr_string(data, "name"),
            email: attr_string(data, "email"),
            username: attr_string(data, "username"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG_DOC: &str = r#"{
      "data": {"id": "84918", "type": "partner-user-tags",
        "attributes": {"value": "The value of the tag",
          "created-at": "2020-11-19T00:14:19.000Z", "updated-at": "2020-11-19T00:14:19.000Z"},
        "relationships": {"user": {"data": {"id": "1185304", "type": "users"}},
          "partner-user-tag-type": {"data": {"id": "3", "type": "partner-user-tag-types"}}}},
      "meta": {"total-pages": null, "total-count": null}}"#;

    #[test]
    fn parses_the_documented_tag() {
        let t = CeregoTag::parse_document(TAG_DOC.as_bytes()).unwrap();
        assert_eq!(t.id, "84918");
        assert_eq!(t.value.as_deref(), Some("The value of the tag"));
        assert_eq!(t.tag_type_id.as_deref(), Some("3"));
        assert_eq!(t.user_id.as_deref(), Some("1185304"));
        assert_eq!(t.updated_at.as_deref(), Some("2020-11-19T00:14:19.000Z"));
    }

    #[test]
    fn users_without_included_keep_tag_ids() {
        let body = br#"{"data": [{"id": 7, "type": "users", "attributes": {"name": "Ann"},
            "relationships": {"partner-user-tags": {"data": [{"id": "1", "type": "partner-user-tags"}]}}}],
            "meta": {"total-pages": "3", "total-count": 61}}"#;
        let page = UsersPage::parse(body).unwrap();
        assert_eq!(page.users[0].id, "7");
        assert_eq!(page.users[0].tags[0].id, "1");
        assert_eq!(page.users[0].tags[0].value, None);
        assert_eq!(page.total_pages, Some(3));
        assert_eq!(page.total_count, Some(61));
    }

    #[test]
    fn an_included_tag_of_another_user_is_left_out() {
        let body = br#"{"data": [{"id": "7", "type": "users",
              "relationships": {"partner-user-tags": {"data": [{"id": "1"}, {"id": "2"}, {"id": "3"}]}}}],
            "included": [
              {"id": "1", "type": "partner-user-tags", "attributes": {"value": "Gold"},
               "relationships": {"user": {"data": {"id": "7"}}, "partner-user-tag-type": {"data": {"id": "3"}}}},
              {"id": "2", "type": "partner-user-tags", "attributes": {"value": "Stolen"},
               "relationships": {"user": {"data": {"id": "8"}}, "partner-user-tag-type": {"data": {"id": "4"}}}},
              {"id": "3", "type": "partner-user-tags", "attributes": {"value": "Plain"},
               "relationships": {"partner-user-tag-type": {"data": {"id": "5"}}}}]}"#;
        let page = UsersPage::parse(body).unwrap();
        let ids: Vec<&str> = page.users[0].tags.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["1", "3"], "tag 2 names user 8: it is not user 7's");
    }

    #[test]
    fn users_with_included_resolve_values() {
        let body = br#"{"data": [{"id": "7", "type": "users",
              "attributes": {"name": "Ann", "email": "ann@x.org", "last-logged-in-at": null},
              "relationships": {"partner-user-tags": {"data": [{"id": "1", "type": "partner-user-tags"}]}}}],
            "included": [{"id": "1", "type": "partner-user-tags", "attributes": {"value": "Gold"},
              "relationships": {"partner-user-tag-type": {"data": {"id": "3"}}}}]}"#;
        let page = UsersPage::parse(body).unwrap();
        let u = &page.users[0];
        assert_eq!(u.email.as_deref(), Some("ann@x.org"));
        assert_eq!(u.last_logged_in_at, None);
        assert_eq!(u.tags[0].value.as_deref(), Some("Gold"));
        assert_eq!(u.tags[0].tag_type_id.as_deref(), Some("3"));
        assert_eq!(page.total_pages, None);
    }

    #[test]
    fn a_null_email_is_no_email() {
        let body = br#"{"data": [{"id": "8", "type": "users",
              "attributes": {"name": "Dept Lee", "email": null, "has-password": true},
              "meta": {"can-edit": false},
              "relationships": {"partner-user-tags": {"data": []}}}],
            "meta": {"total-pages": 1, "total-count": 1}}"#;
        let page = UsersPage::parse(body).unwrap();
        assert_eq!(page.users[0].id, "8");
        assert_eq!(page.users[0].email, None);
        assert_eq!(page.users[0].name.as_deref(), Some("Dept Lee"));
    }

    #[test]
    fn a_set_response_is_read_leniently() {
        let list = br#"{"data": [
            {"id": "1", "type": "partner-user-tags", "attributes": {"value": "California"},
             "relationships": {"partner-user-tag-type": {"data": {"id": "5"}}}},
            {"id": "2", "type": "partner-user-tags", "attributes": {"value": "Marketing"},
             "relationships": {"partner-user-tag-type": {"data": {"id": "9"}}}}]}"#;
        let set = TagsSet::parse_lenient(list);
        let tags = set.tags.as_ref().unwrap();
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[1].tag_type_id.as_deref(), Some("9"));
        assert_eq!(
            set.summary(),
            "tags set; the user has 2 tags: tag 1 (type 5) = \"California\", tag 2 (type 9) = \"Marketing\""
        );
        let one = TagsSet::parse_lenient(TAG_DOC.as_bytes());
        assert_eq!(one.tags.unwrap()[0].id, "84918");
        // Bodies the docs do not promise are successes without tags.
        for body in [
            &b""[..],
            b"<html>ok</html>",
            b"{}",
            b"{\"data\": 5}",
            b"{\"data\": [1]}",
        ] {
            let set = TagsSet::parse_lenient(body);
            assert_eq!(set.tags, None, "{}", String::from_utf8_lossy(body));
            assert_eq!(set.summary(), "tags set (the response listed no tags)");
        }
        let none = TagsSet::parse_lenient(br#"{"data": []}"#);
        assert_eq!(none.summary(), "tags set; the user has no tags");
    }

    #[test]
    fn bad_documents_are_errors_not_panics() {
        assert!(CeregoTag::parse_document(b"{}").is_err());
        assert!(CeregoTag::parse_document(b"{\"data\": {}}").is_err());
        assert!(UsersPage::parse(b"{\"data\": 5}").is_err());
        assert!(UsersPage::parse(b"<html>").is_err());
        assert!(KeyOwner::parse(b"{\"data\": []}").is_err());
    }
}
