//! The simulated Cerego partner API: partner user tags (both families, SPEC §1.0) and the
//! partner's users, on one compact state ([`store`]).

mod json;
#[cfg(test)]
mod list_tests;
mod store;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Value, json};

pub use store::{CeregoState, SYNTHETIC_USER_BASE, SimTag, SimUser};
use store::{Who, canonical_u32, num_key};

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

    fn has_tag_type(&self, id: &str) -> bool {
        self.tag_types.iter().any(|t| t.id.as_str() == id)
    }

    fn user_not_found(&self, user_id: &str) -> Reply {
        error(
            StatusCode::NOT_FOUND,
            &format!("User {user_id} not found in partner {}.", self.partner_id),
        )
    }

    /// `POST /v3/partner_user_tag_types/:tag_type_id/partner_user_tags` (legacy, SPEC §1.1).
    pub fn add_tag(&mut self, tag_type_id: &str, body: &[u8]) -> Reply {
        let Some(tag_type) = self.tag_types.iter().find(|t| t.id.as_str() == tag_type_id) else {
            return type_not_found(tag_type_id);
        };
        let tag_type_name = tag_type.name.clone();
        let obj = match parse_object(body) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let user_id = match required_string(&obj, "user_id", "user_id") {
            Ok(v) => v,
            Err(r) => return r,
        };
        let value = match required_string(&obj, "value", "value") {
            Ok(v) => v,
            Err(r) => return r,
        };
        let Some(pos) = self.user_pos(&user_id) else {
            return self.user_not_found(&user_id);
        };
        if let Some(existing) = self.tag_of_type(pos, tag_type_id) {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!(
                    "User {user_id} already has a tag of type {tag_type_id} ({tag_type_name}): \
                     tag {}. Update that tag instead.",
                    self.tag_id(existing)
                ),
            );
        }
        let slot = self.new_tag(pos, tag_type_id, &value);
        (StatusCode::CREATED, self.tag_document(slot))
    }

    /// `PUT /v3/partner_user_tags/:id` (legacy, SPEC §1.2).
    pub fn update_tag(&mut self, tag_id: &str, body: &[u8]) -> Reply {
        let Some(slot) = self.slot_of(tag_id) else {
            return error(
                StatusCode::NOT_FOUND,
                &format!("Partner user tag {tag_id} not found."),
            );
        };
        let obj = match parse_object(body) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let value = match required_string(&obj, "value", "value") {
            Ok(v) => v,
            Err(r) => return r,
        };
        self.set_value(slot, &value);
        (StatusCode::OK, self.tag_document(slot))
    }

    /// `POST /v3/users/:user_id/partner_user_tags` (the set family, SPEC §1.6). Decisions:
    /// the user is checked first (404), then the whole body (400: not an object; `tags`
    /// missing, empty or not an array; an entry not an object; a missing, empty or
    /// non-string `partner_user_tag_type_id` or `value`), then every tag type (404); only
    /// then is anything changed, so a request with one bad entry changes nothing. Each
    /// entry is an upsert of the user's tag of that type: the value changes and the tag
    /// keeps its id (its updated-at is now), or a tag is created; types not named are left
    /// alone; entries apply in order, so of two naming one type the later wins. The answer
    /// is 200 with every tag the user holds afterwards, oldest first, each shaped as the
    /// legacy endpoints' tag, and `meta` counting them.
    pub fn set_tags(&mut self, user_id: &str, body: &[u8]) -> Reply {
        let Some(pos) = self.user_pos(user_id) else {
            return self.user_not_found(user_id);
        };
        let wanted = match parse_set_body(body) {
            Ok(w) => w,
            Err(r) => return r,
        };
        if let Some((type_id, _)) = wanted.iter().find(|(t, _)| !self.has_tag_type(t)) {
            return type_not_found(type_id);
        }
        for (type_id, value) in &wanted {
            match self.tag_of_type(pos, type_id) {
                Some(slot) => self.set_value(slot, value),
                None => {
                    self.new_tag(pos, type_id, value);
                }
            }
        }
        let data: Vec<Value> = self
            .tags_of(pos)
            .map(|slot| self.tag_resource(slot))
            .collect();
        let count = data.len();
        (
            StatusCode::OK,
            json!({"data": data, "meta": {"total-pages": 1, "total-count": count}}),
        )
    }

    /// `GET /v3/partners/:partner_id/users` (SPEC §1.3): pages of users with their tags in
    /// `included`. A page costs O(page) without a query (O(page + department users)
    /// when they are left out); a query (an email, a member id or a user id, any case)
    /// scans the users once. Department users are listed, and found by a query, only when
    /// `include_department_users` is `true` or `1` (absent, empty, `false` or `0`: left
    /// out; anything else: 400); the counts follow.
    pub fn list_users(&self, partner_id: &str, params: &HashMap<String, String>) -> Reply {
        match self.users_page(partner_id, params) {
            Ok(page) => (
                StatusCode::OK,
                serde_json::to_value(&page).unwrap_or(Value::Null),
            ),
            Err(reply) => reply,
        }
    }

    /// [`Self::list_users`] as bytes: the page serialized straight from the state (what the
    /// HTTP route sends), or the error reply.
    pub fn list_users_body(
        &self,
        partner_id: &str,
        params: &HashMap<String, String>,
    ) -> Result<Vec<u8>, Reply> {
        let page = self.users_page(partner_id, params)?;
        serde_json::to_vec(&page).map_err(|e| {
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("The page could not be written: {e}."),
            )
        })
    }

    /// The page a listing asks for, or the error it gets.
    fn users_page(
        &self,
        partner_id: &str,
        params: &HashMap<String, String>,
    ) -> Result<json::UsersPage<'_>, Reply> {
        if partner_id != self.partner_id {
            return Err(error(
                StatusCode::NOT_FOUND,
                &format!("Partner {partner_id} not found."),
            ));
        }
        let page = match params.get("page[number]").map(|p| p.trim()) {
            None | Some("") => 1,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(error(
                        StatusCode::BAD_REQUEST,
                        "page[number] must be a whole number from 1 up.",
                    ));
                }
            },
        };
        let explicit_size = params
            .get("page[size]")
            .map(|p| p.trim())
            .filter(|p| !p.is_empty() && self.honour_page_size);
        let size = match explicit_size {
            None => self.page_size,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if (1..=100).contains(&n) => n,
                _ => {
                    return Err(error(
                        StatusCode::BAD_REQUEST,
                        "page[size] must be a whole number from 1 to 100.",
                    ));
                }
            },
        };
        let include = match params
            .get("include_department_users")
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("" | "false" | "0") => false,
            Some("true" | "1") => true,
            Some(_) => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "include_department_users must be true or false.",
                ));
            }
        };
        let query = params
            .get("query")
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty());
        let skip = (page - 1).saturating_mul(size);
        let (total, on_page) = match &query {
            None => self.page_of(include, skip, size),
            Some(q) => {
                let synthetic = synthetic_number(q);
                let mut total = 0;
                let mut on_page = Vec::new();
                for pos in 0..self.user_count() {
                    if (include || !self.is_department(pos)) && self.matches(pos, q, synthetic) {
                        if total >= skip && on_page.len() < size {
                            on_page.push(pos);
                        }
                        total += 1;
                    }
                }
                (total, on_page)
            }
        };
        let total_pages = total.div_ceil(size);
        let mut shared = String::new();
        if let Some(q) = &query {
            shared.push_str(&format!("query={}&", urlencode(q)));
        }
        if include {
            shared.push_str("include_department_users=true&");
        }
        if let Some(n) = explicit_size {
            shared.push_str(&format!("page[size]={}&", urlencode(n)));
        }
        let base = format!("/v3/partners/{partner_id}/users?{shared}page[number]=");
        Ok(json::UsersPage {
            state: self,
            positions: on_page,
            self_link: format!("{base}{page}"),
            next_link: (page < total_pages).then(|| format!("{base}{}", page + 1)),
            total_pages,
            total_count: total,
        })
    }

    /// `size` positions of listed users from the `skip`th on, and how many are listed.
    fn page_of(&self, include: bool, skip: usize, size: usize) -> (usize, Vec<usize>) {
        let n = self.user_count();
        if include {
            let start = skip.min(n);
            return (n, (start..start.saturating_add(size).min(n)).collect());
        }
        let departments = &self.departments;
        let total = n - departments.len();
        if skip >= total {
            return (total, Vec::new());
        }
        // The position of the `skip`th user outside departments: past every department
        // user before it.
        let mut pos = skip;
        for &d in departments {
            if d as usize <= pos {
                pos += 1;
            } else {
                break;
            }
        }
        let mut next_department = departments.partition_point(|&d| (d as usize) < pos);
        let mut on_page = Vec::with_capacity(size.min(total - skip));
        while on_page.len() < size && pos < n {
            if departments.get(next_department) == Some(&(pos as u32)) {
                next_department += 1;
            } else {
                on_page.push(pos);
            }
            pos += 1;
        }
        (total, on_page)
    }

    /// The user has this email, member id or id (`q` lowercased; `synthetic`: the number
    /// of the synthetic user `q` names, if it names one).
    fn matches(&self, pos: usize, q: &str, synthetic: Option<u32>) -> bool {
        match &self.users[pos].who {
            Who::Named(u) => {
                u.email.as_deref().map(str::to_lowercase).as_deref() == Some(q)
                    || u.member_id.as_deref().map(str::to_lowercase).as_deref() == Some(q)
                    || u.id == q
            }
            Who::Synthetic(i) => synthetic == Some(*i),
        }
    }
}

/// The synthetic user a lowercased query names by email, member id or id, if any (so a
/// query does not make the fields of every synthetic user).
fn synthetic_number(q: &str) -> Option<u32> {
    if let Some(n) = q
        .strip_prefix("synthetic.")
        .and_then(|r| r.strip_suffix("@example.edu"))
    {
        return canonical_u32(n);
    }
    if let Some(n) = q.strip_prefix("s-") {
        return canonical_u32(n);
    }
    num_key(q)
        .and_then(|id| id.checked_sub(SYNTHETIC_USER_BASE))
        .and_then(|n| u32::try_from(n).ok())
}

fn type_not_found(tag_type_id: &str) -> Reply {
    error(
        StatusCode::NOT_FOUND,
        &format!("Partner user tag type {tag_type_id} not found."),
    )
}

/// The `(tag type id, value)` pairs of a set request, or the 400 that refuses it.
fn parse_set_body(body: &[u8]) -> Result<Vec<(String, String)>, Reply> {
    let obj = parse_object(body)?;
    let items = match obj.get("tags") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        None | Some(Value::Null) | Some(Value::Array(_)) => {
            return Err(error(StatusCode::BAD_REQUEST, "tags is required."));
        }
        Some(_) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "tags must be an array of objects.",
            ));
        }
    };
    let mut wanted = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        let Value::Object(o) = item else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                &format!("tags[{n}] must be an object."),
            ));
        };
        let type_id = required_string(
            o,
            "partner_user_tag_type_id",
            &format!("tags[{n}].partner_user_tag_type_id"),
        )?;
        let value = required_string(o, "value", &format!("tags[{n}].value"))?;
        wanted.push((type_id, value));
    }
    Ok(wanted)
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

fn parse_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Reply> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON object.",
        )),
    }
}

/// The non-blank string at `key`, or a 400 naming it as `label`.
fn required_string(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    label: &str,
) -> Result<String, Reply> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) | Some(Value::Null) | None => Err(error(
            StatusCode::BAD_REQUEST,
            &format!("{label} is required."),
        )),
        Some(_) => Err(error(
            StatusCode::BAD_REQUEST,
            &format!("{label} must be a string."),
        )),
    }
}
