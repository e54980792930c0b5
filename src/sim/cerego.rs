//! The simulated Cerego partner API: partner user tags and the partner's users.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use super::seed::{CeregoSeed, ProfileSeed};
use crate::core::domain::TagType;

#[derive(Debug, Clone, Serialize)]
pub struct SimUser {
    pub id: String,
    pub name: String,
    pub username: String,
    pub email: String,
    pub member_id: Option<String>,
    pub guid: String,
    pub created_at: String,
    pub last_logged_in_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimTag {
    pub id: u64,
    pub user_id: String,
    pub tag_type_id: String,
    pub value: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CeregoState {
    pub partner_id: String,
    pub page_size: usize,
    pub profile: ProfileSeed,
    pub tag_types: Vec<TagType>,
    pub users: Vec<SimUser>,
    pub tags: BTreeMap<u64, SimTag>,
    pub next_tag_id: u64,
    /// user id → the ids of the user's tags, so a page of users costs O(page), not
    /// O(page × every tag).
    #[serde(skip)]
    pub(super) tags_of: HashMap<String, Vec<u64>>,
    /// user id → position in `users`.
    #[serde(skip)]
    pub(super) user_index: HashMap<String, usize>,
}

type Reply = (StatusCode, Value);

/// A JSON:API error document.
pub fn error(status: StatusCode, detail: &str) -> Reply {
    (
        status,
        json!({"errors": [{
            "status": status.as_u16().to_string(),
            "title": status.canonical_reason().unwrap_or("Error"),
            "detail": detail,
        }]}),
    )
}

/// A stable, UUID-shaped guid derived from the user id (so screens are reproducible).
pub(super) fn guid_for(id: &str) -> String {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in id.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013B);
    }
    let hex = format!("{h:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

pub(super) fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl CeregoState {
    pub fn from_seed(seed: &CeregoSeed) -> Self {
        let mut tags = BTreeMap::new();
        let mut next = seed.first_tag_id;
        let users = seed
            .users
            .iter()
            .map(|u| {
                for (type_id, value) in &u.tags {
                    tags.insert(
                        next,
                        SimTag {
                            id: next,
                            user_id: u.id.to_string(),
                            tag_type_id: type_id.clone(),
                            value: value.to_string(),
                            created_at: seed.seeded_at.clone(),
                            updated_at: seed.seeded_at.clone(),
                        },
                    );
                    next += 1;
                }
                SimUser {
                    id: u.id.to_string(),
                    name: u.name.clone(),
                    username: u.username.clone(),
                    email: u.email.clone(),
                    member_id: u.member_id.clone(),
                    guid: guid_for(u.id.as_str()),
                    created_at: u.created_at.clone(),
                    last_logged_in_at: u.last_logged_in_at.clone(),
                }
            })
            .collect();
        let mut state = Self {
            partner_id: seed.partner_id.to_string(),
            page_size: seed.page_size,
            profile: seed.profile.clone(),
            tag_types: seed.tag_types.clone(),
            users,
            tags,
            next_tag_id: next,
            tags_of: HashMap::new(),
            user_index: HashMap::new(),
        };
        state.user_index = state
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
        for t in state.tags.values() {
            state
                .tags_of
                .entry(t.user_id.clone())
                .or_default()
                .push(t.id);
        }
        state
    }

    fn tags_for(&self, user_id: &str) -> impl Iterator<Item = &SimTag> {
        self.tags_of
            .get(user_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.tags.get(id))
    }

    pub fn profile(&self) -> Reply {
        let p = &self.profile;
        (
            StatusCode::OK,
            json!({
                "data": {
                    "id": p.id.as_str(),
                    "type": "users",
                    "attributes": {"name": p.name, "email": p.email, "username": p.username},
                },
                "meta": {"total-pages": null, "total-count": null},
            }),
        )
    }

    pub fn add_tag(&mut self, tag_type_id: &str, body: &[u8]) -> Reply {
        let Some(tag_type) = self.tag_types.iter().find(|t| t.id.as_str() == tag_type_id) else {
            return error(
                StatusCode::NOT_FOUND,
                &format!("Partner user tag type {tag_type_id} not found."),
            );
        };
        let tag_type_name = tag_type.name.clone();
        let obj = match parse_object(body) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let user_id = match required_string(&obj, "user_id") {
            Ok(v) => v,
            Err(r) => return r,
        };
        let value = match required_string(&obj, "value") {
            Ok(v) => v,
            Err(r) => return r,
        };
        if !self.user_index.contains_key(&user_id) {
            return error(
                StatusCode::NOT_FOUND,
                &format!("User {user_id} not found in partner {}.", self.partner_id),
            );
        }
        if let Some(existing) = self
            .tags_for(&user_id)
            .find(|t| t.tag_type_id == tag_type_id)
        {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!(
                    "User {user_id} already has a tag of type {tag_type_id} ({tag_type_name}): \
                     tag {}. Update that tag instead.",
                    existing.id
                ),
            );
        }
        let id = self.next_tag_id;
        self.next_tag_id += 1;
        let stamp = now();
        let tag = SimTag {
            id,
            user_id,
            tag_type_id: tag_type_id.to_string(),
            value,
            created_at: stamp.clone(),
            updated_at: stamp,
        };
        let doc = tag_document(&tag);
        self.tags_of
            .entry(tag.user_id.clone())
            .or_default()
            .push(id);
        self.tags.insert(id, tag);
        (StatusCode::CREATED, doc)
    }

    pub fn update_tag(&mut self, tag_id: &str, body: &[u8]) -> Reply {
        let Some(tag) = tag_id
            .parse::<u64>()
            .ok()
            .and_then(|id| self.tags.get_mut(&id))
        else {
            return error(
                StatusCode::NOT_FOUND,
                &format!("Partner user tag {tag_id} not found."),
            );
        };
        let obj = match parse_object(body) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let value = match required_string(&obj, "value") {
            Ok(v) => v,
            Err(r) => return r,
        };
        tag.value = value;
        tag.updated_at = now();
        (StatusCode::OK, tag_document(tag))
    }

    pub fn list_users(&self, partner_id: &str, params: &HashMap<String, String>) -> Reply {
        if partner_id != self.partner_id {
            return error(
                StatusCode::NOT_FOUND,
                &format!("Partner {partner_id} not found."),
            );
        }
        let page = match params.get("page[number]").map(|p| p.trim()) {
            None | Some("") => 1,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "page[number] must be a whole number from 1 up.",
                    );
                }
            },
        };
        let size = match params.get("page[size]").map(|p| p.trim()) {
            None | Some("") => self.page_size,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if (1..=100).contains(&n) => n,
                _ => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "page[size] must be a whole number from 1 to 100.",
                    );
                }
            },
        };
        let query = params
            .get("query")
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty());
        // Without a query a page is a slice of the users: O(page), whatever their number.
        let (total, on_page): (usize, Vec<&SimUser>) = match &query {
            None => {
                let start = (page - 1).saturating_mul(size).min(self.users.len());
                let end = start.saturating_add(size).min(self.users.len());
                (self.users.len(), self.users[start..end].iter().collect())
            }
            Some(q) => {
                let matching: Vec<&SimUser> = self
                    .users
                    .iter()
                    .filter(|u| {
                        u.email.to_lowercase() == *q
                            || u.member_id.as_deref().map(str::to_lowercase).as_deref() == Some(q)
                            || u.id == *q
                    })
                    .collect();
                let total = matching.len();
                let on_page = matching
                    .into_iter()
                    .skip((page - 1).saturating_mul(size))
                    .take(size)
                    .collect();
                (total, on_page)
            }
        };
        let total_pages = total.div_ceil(size);
        let mut included = Vec::new();
        let data: Vec<Value> = on_page
            .iter()
            .map(|u| {
                let tags: Vec<&SimTag> = self.tags_for(&u.id).collect();
                included.extend(tags.iter().map(|t| tag_resource(t)));
                json!({
                    "id": u.id,
                    "type": "users",
                    "attributes": {
                        "name": u.name,
                        "username": u.username,
                        "email": u.email,
                        "member-id": u.member_id,
                        "guid": u.guid,
                        "created-at": u.created_at,
                        "last-logged-in-at": u.last_logged_in_at,
                    },
                    "relationships": {
                        "partner-user-tags": {
                            "data": tags.iter().map(|t| json!({"id": t.id.to_string(), "type": "partner-user-tags"})).collect::<Vec<_>>()
                        }
                    }
                })
            })
            .collect();
        let base = format!("/v3/partners/{partner_id}/users");
        let link = |n: usize| match &query {
            Some(q) => format!("{base}?query={}&page[number]={n}", urlencode(q)),
            None => format!("{base}?page[number]={n}"),
        };
        let mut links = json!({"self": link(page)});
        if page < total_pages {
            links["next"] = json!(link(page + 1));
        }
        (
            StatusCode::OK,
            json!({
                "data": data,
                "included": included,
                "links": links,
                "meta": {"total-pages": total_pages, "total-count": total},
            }),
        )
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn tag_resource(t: &SimTag) -> Value {
    json!({
        "id": t.id.to_string(),
        "type": "partner-user-tags",
        "attributes": {
            "value": t.value,
            "created-at": t.created_at,
            "updated-at": t.updated_at,
        },
        "relationships": {
            "user": {"data": {"id": t.user_id, "type": "users"}},
            "partner-user-tag-type": {"data": {"id": t.tag_type_id, "type": "partner-user-tag-types"}},
        }
    })
}

fn tag_document(t: &SimTag) -> Value {
    json!({
        "data": tag_resource(t),
        "meta": {"total-pages": null, "total-count": null},
    })
}

fn parse_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Reply> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON object.",
        )),
    }
}

fn required_string(obj: &serde_json::Map<String, Value>, key: &str) -> Result<String, Reply> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) | Some(Value::Null) | None => Err(error(
            StatusCode::BAD_REQUEST,
            &format!("{key} is required."),
        )),
        Some(_) => Err(error(
            StatusCode::BAD_REQUEST,
            &format!("{key} must be a string."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::seed::Seed;

    fn state() -> CeregoState {
        CeregoState::from_seed(&Seed::demo().cerego)
    }

    #[test]
    fn add_then_duplicate_then_update() {
        let mut s = state();
        let body = json!({"user_id": "1185304", "value": "The value of the tag"}).to_string();
        let (status, doc) = s.add_tag("3", body.as_bytes());
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(doc["data"]["type"], "partner-user-tags");
        assert_eq!(
            doc["data"]["relationships"]["partner-user-tag-type"]["data"]["id"],
            "3"
        );
        let id = doc["data"]["id"].as_str().unwrap().to_string();

        let (status, err) = s.add_tag("3", body.as_bytes());
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let detail = err["errors"][0]["detail"].as_str().unwrap();
        assert!(
            detail.contains("already has a tag of type 3") && detail.contains(&id),
            "{detail}"
        );

        let (status, doc) = s.update_tag(&id, br#"{"value": "New"}"#);
        assert_eq!(status, StatusCode::OK);
        assert_eq!(doc["data"]["attributes"]["value"], "New");
    }

    #[test]
    fn not_found_and_bad_request() {
        let mut s = state();
        assert_eq!(
            s.add_tag("999", br#"{"user_id": "1185304", "value": "x"}"#)
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            s.add_tag("3", br#"{"user_id": "1", "value": "x"}"#).0,
            StatusCode::NOT_FOUND
        );
        let (status, err) = s.add_tag("3", br#"{"user_id": "1185304", "value": "  "}"#);
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(err["errors"][0]["detail"], "value is required.");
        let (_, err) = s.add_tag("3", br#"{"user_id": 1185304, "value": "x"}"#);
        assert_eq!(err["errors"][0]["detail"], "user_id must be a string.");
        assert_eq!(
            s.update_tag("77", br#"{"value": "x"}"#).0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(s.update_tag("84001", b"{}").0, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn pagination_and_query() {
        let s = state();
        let params = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let (_, p1) = s.list_users("4242", &params(&[]));
        assert_eq!(p1["data"].as_array().unwrap().len(), 25);
        assert_eq!(p1["meta"]["total-pages"], 2);
        assert_eq!(p1["meta"]["total-count"], s.users.len());
        assert!(p1["links"]["next"].is_string());
        let (_, p2) = s.list_users("4242", &params(&[("page[number]", "2")]));
        assert_eq!(p2["data"].as_array().unwrap().len(), s.users.len() - 25);
        assert!(p2["links"].get("next").is_none());
        let (_, q) = s.list_users("4242", &params(&[("query", "ADA.lovelace@example.edu")]));
        assert_eq!(q["data"][0]["id"], "1185304");
        assert_eq!(q["meta"]["total-count"], 1);
        let (_, q) = s.list_users("4242", &params(&[("query", "M-1001")]));
        assert_eq!(q["data"][0]["id"], "1185304");
        assert_eq!(
            s.list_users("4242", &params(&[("page[number]", "0")])).0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(s.list_users("1", &params(&[])).0, StatusCode::NOT_FOUND);
    }
}
