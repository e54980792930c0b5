//! `Op::request()`: the one description of the HTTP request an Op makes.
//!
//! The clients send it, the journal records it as the intent before sending, and the
//! simulator's model answers it — so the method, path and body of an endpoint are written
//! here once, and a new endpoint is described in one place.

use serde_json::{Value, json};

use super::Op;

/// Hive: add tags to a patron.
pub const HIVE_ADD_PATH: &str = "/api/v1/user_tags/add";
/// Hive: remove tags from a patron.
pub const HIVE_REMOVE_PATH: &str = "/api/v1/user_tags/remove";
/// Cerego: the API key owner's profile.
pub const CEREGO_PROFILE_PATH: &str = "/v3/my/profile";

/// The HTTP methods the two APIs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }
}

/// One HTTP request, without where it goes (the base URL is the profile's) or how it is
/// authorised (the key is the client's).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestSpec {
    pub method: Method,
    /// The path under the service's base URL, e.g. `/v3/partner_user_tags/84918`.
    pub path: String,
    /// Query parameters, in the order they are sent.
    pub query: Vec<(String, String)>,
    /// The JSON body, for the requests that carry one.
    pub body: Option<Value>,
}

impl RequestSpec {
    fn new(method: Method, path: impl Into<String>, body: Option<Value>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body,
        }
    }

    /// The value of a query parameter, if the request carries it.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The body of a Hive add or remove.
fn hive_body(patron: &super::PatronId, fields: &[super::ApiField]) -> Value {
    json!({
        "patron_id": patron.as_str(),
        "user_tags_api_fields": fields.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
    })
}

impl Op {
    /// The request this Op makes (a user list: its first page).
    pub fn request(&self) -> RequestSpec {
        self.page_request(1)
    }

    /// The request for page `page` (counting from 1) of a user list; any other Op makes one
    /// request whatever the page.
    pub fn page_request(&self, page: u32) -> RequestSpec {
        match self {
            Op::HiveAdd { patron, fields } => {
                RequestSpec::new(Method::Post, HIVE_ADD_PATH, Some(hive_body(patron, fields)))
            }
            Op::HiveRemove { patron, fields } => RequestSpec::new(
                Method::Post,
                HIVE_REMOVE_PATH,
                Some(hive_body(patron, fields)),
            ),
            Op::CeregoAdd {
                user,
                tag_type,
                value,
            } => RequestSpec::new(
                Method::Post,
                format!("/v3/partner_user_tag_types/{tag_type}/partner_user_tags"),
                Some(json!({"user_id": user.as_str(), "value": value.as_str()})),
            ),
            Op::CeregoUpdate { tag, value } => RequestSpec::new(
                Method::Put,
                format!("/v3/partner_user_tags/{tag}"),
                Some(json!({"value": value.as_str()})),
            ),
            Op::CeregoSet { user, tags } => RequestSpec::new(
                Method::Post,
                format!("/v3/users/{user}/partner_user_tags"),
                Some(json!({"tags": tags
                    .iter()
                    .map(|t| json!({
                        "partner_user_tag_type_id": t.tag_type.as_str(),
                        "value": t.value.as_str(),
                    }))
                    .collect::<Vec<_>>()})),
            ),
            Op::CeregoListUsers {
                partner,
                query,
                departments,
            } => {
                let mut spec =
                    RequestSpec::new(Method::Get, format!("/v3/partners/{partner}/users"), None);
                if let Some(q) = query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                    spec.query.push(("query".into(), q.to_string()));
                }
                if *departments {
                    spec.query
                        .push(("include_department_users".into(), "true".into()));
                }
                spec.query.push(("page[number]".into(), page.to_string()));
                spec
            }
            Op::CeregoProfile => RequestSpec::new(Method::Get, CEREGO_PROFILE_PATH, None),
            Op::Raw(raw) => raw.spec(),
        }
    }

    /// The endpoint's short name, as the simulator's fault rules and request counts use it
    /// (`hive.add`, `cerego.users`, …).
    pub fn endpoint(&self) -> &'static str {
        match self {
            Op::HiveAdd { .. } => "hive.add",
            Op::HiveRemove { .. } => "hive.remove",
            Op::CeregoAdd { .. } => "cerego.add",
            Op::CeregoUpdate { .. } => "cerego.update",
            Op::CeregoSet { .. } => "cerego.set",
            Op::CeregoListUsers { .. } => "cerego.users",
            Op::CeregoProfile => "cerego.profile",
            Op::Raw(raw) => raw.endpoint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::{
        ApiField, CeregoUserId, PartnerId, PatronId, TagId, TagSetting, TagTypeId, TagValue,
    };

    #[test]
    fn every_documented_request_shape() {
        let add = Op::HiveAdd {
            patron: PatronId::parse("user_abc123").unwrap(),
            fields: ApiField::parse_list("vip newsletter").unwrap(),
        };
        let spec = add.request();
        assert_eq!(spec.method, Method::Post);
        assert_eq!(spec.path, "/api/v1/user_tags/add");
        assert_eq!(
            spec.body,
            Some(
                json!({"patron_id": "user_abc123", "user_tags_api_fields": ["vip", "newsletter"]})
            )
        );
        let cerego = Op::CeregoAdd {
            user: CeregoUserId::parse("1185304").unwrap(),
            tag_type: TagTypeId::parse("3").unwrap(),
            value: TagValue::parse("Gold").unwrap(),
        };
        let spec = cerego.request();
        assert_eq!(spec.path, "/v3/partner_user_tag_types/3/partner_user_tags");
        assert_eq!(
            spec.body,
            Some(json!({"user_id": "1185304", "value": "Gold"}))
        );
        let update = Op::CeregoUpdate {
            tag: TagId::parse("84918").unwrap(),
            value: TagValue::parse("Silver").unwrap(),
        };
        assert_eq!(update.request().method, Method::Put);
        assert_eq!(update.request().path, "/v3/partner_user_tags/84918");
        let set = Op::CeregoSet {
            user: CeregoUserId::parse("1185304").unwrap(),
            tags: vec![
                TagSetting::parse("5=California").unwrap(),
                TagSetting::parse("9=Marketing").unwrap(),
            ],
        };
        let spec = set.request();
        assert_eq!(spec.method, Method::Post);
        assert_eq!(spec.path, "/v3/users/1185304/partner_user_tags");
        assert_eq!(
            spec.body,
            Some(json!({"tags": [
                {"partner_user_tag_type_id": "5", "value": "California"},
                {"partner_user_tag_type_id": "9", "value": "Marketing"}
            ]}))
        );
        assert_eq!(set.endpoint(), "cerego.set");
        let departments = Op::CeregoListUsers {
            partner: PartnerId::parse("4242").unwrap(),
            query: None,
            departments: true,
        };
        assert_eq!(
            departments.page_request(1).query,
            vec![
                ("include_department_users".to_string(), "true".to_string()),
                ("page[number]".to_string(), "1".to_string())
            ]
        );
        let list = Op::CeregoListUsers {
            partner: PartnerId::parse("4242").unwrap(),
            query: Some("  joan ".into()),
            departments: false,
        };
        let spec = list.page_request(3);
        assert_eq!(spec.method, Method::Get);
        assert_eq!(spec.path, "/v3/partners/4242/users");
        assert_eq!(
            spec.query,
            vec![
                ("query".to_string(), "joan".to_string()),
                ("page[number]".to_string(), "3".to_string())
            ]
        );
        assert_eq!(spec.body, None);
        assert_eq!(Op::CeregoProfile.request().path, "/v3/my/profile");
    }

    #[test]
    fn every_op_has_a_request_and_an_endpoint() {
        for op in crate::core::op::one_of_each() {
            let spec = op.request();
            assert!(spec.path.starts_with('/'), "{op:?}");
            // A change carries a body; a read never does.
            assert_eq!(spec.body.is_some(), op.is_mutation(), "{op:?}");
            assert_eq!(
                op.endpoint().starts_with("hive."),
                op.service() == super::super::Service::Hive,
                "{op:?}"
            );
        }
    }
}
