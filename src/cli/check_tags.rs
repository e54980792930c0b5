//! `tagdesk config check`, Cerego's tag endpoints: which of the two families (SPEC §1.0)
//! the server answers, found with requests that change nothing, each reported exactly as
//! sent.
//!
//! - legacy: `POST /v3/partner_user_tag_types/:type/partner_user_tags` with a `user_id` and
//!   **no value** — the docs make the value required, so the request cannot create a tag;
//!   a 400 (or 422) means the endpoint is there and refused it.
//! - set: `POST /v3/users/:user_id/partner_user_tags` with an **empty list** of tags — it
//!   names no tag type, so it sets nothing; any answer but 404/405 means the endpoint is
//!   there.
//!
//! The user is the first of the partner's listing (a read), else the key's owner. The
//! profile's own family passes or fails the check; the other is reported for information.

use serde_json::{Value, json};

use crate::config::Profile;
use crate::core::domain::TagsApi;
use crate::core::op::{ApiError, Method, Op, RawRequest, Service};
use crate::engine::api::cerego::CeregoClient;

/// One family's probe, as `config check` reports it.
pub struct FamilyProbe {
    pub family: TagsApi,
    /// Whether the server answers this family (None: it could not be told).
    pub answers: Option<bool>,
    /// What was sent and what came back.
    pub detail: String,
}

/// What an answer to a probe says of its endpoint.
fn verdict(result: &Result<crate::core::op::Output, ApiError>) -> (Option<bool>, String) {
    match result {
        Ok(_) => (Some(true), "2xx: the endpoint answers".into()),
        Err(ApiError::Http {
            status: 404 | 405, ..
        }) => (
            Some(false),
            format!(
                "{}: the endpoint does not answer (or does not know the user or tag type)",
                result_line(result)
            ),
        ),
        Err(ApiError::Http {
            status: 401 | 403, ..
        }) => (
            None,
            format!("{}: the key was refused", result_line(result)),
        ),
        Err(ApiError::Http { status, .. }) if *status < 500 => (
            Some(true),
            format!(
                "{}: the endpoint answers (and refused the probe: nothing changed)",
                result_line(result)
            ),
        ),
        Err(_) => (None, format!("{}: cannot tell", result_line(result))),
    }
}

fn result_line(result: &Result<crate::core::op::Output, ApiError>) -> String {
    match result {
        Ok(o) => o.summary(),
        Err(e) => e.to_string(),
    }
}

fn probe_request(path: String, body: Value, label: &str) -> RawRequest {
    RawRequest {
        service: Service::Cerego,
        method: Method::Post,
        path,
        body: Some(body),
        wrong_key: false,
        label: label.into(),
    }
}

/// The user the probes name: the partner's first listed user, else the key's owner.
async fn probe_user(client: &CeregoClient, profile: &Profile) -> Option<String> {
    let cerego = profile.cerego.as_ref()?;
    let listing = Op::CeregoListUsers {
        partner: cerego.partner_id.clone(),
        query: None,
        departments: false,
    };
    if let Ok(page) = client.users_page(&listing, 1).await.result
        && let Some(u) = page.users.first()
    {
        return Some(u.id.clone());
    }
    client.profile().await.result.ok().map(|p| p.id)
}

/// Probes both families; returns them legacy first.
pub async fn probe(client: &CeregoClient, profile: &Profile) -> Vec<FamilyProbe> {
    let Some(user) = probe_user(client, profile).await else {
        let why = "not probed: neither the partner's listing nor the key's profile named a user";
        return [TagsApi::Legacy, TagsApi::Set]
            .into_iter()
            .map(|family| FamilyProbe {
                family,
                answers: None,
                detail: why.into(),
            })
            .collect();
    };
    let mut out = Vec::new();
    let first_type = profile
        .cerego
        .as_ref()
        .and_then(|c| c.tag_types.first())
        .map(|t| t.id.to_string());
    out.push(match first_type {
        Some(ty) => {
            let raw = probe_request(
                format!("/v3/partner_user_tag_types/{ty}/partner_user_tags"),
                json!({"user_id": user}),
                "config check: no value, creates nothing",
            );
            let sent = format!("sent POST {} {}", raw.path, raw.body_text());
            let (answers, said) = verdict(&client.raw(&raw).await.result);
            FamilyProbe {
                family: TagsApi::Legacy,
                answers,
                detail: format!("{sent} (no value: creates nothing) → {said}"),
            }
        }
        None => FamilyProbe {
            family: TagsApi::Legacy,
            answers: None,
            detail: "not probed: the profile configures no tag types (cerego.tag_types)".into(),
        },
    });
    let raw = probe_request(
        format!("/v3/users/{user}/partner_user_tags"),
        json!({"tags": []}),
        "config check: an empty list, sets nothing",
    );
    let sent = format!("sent POST {} {}", raw.path, raw.body_text());
    let (answers, said) = verdict(&client.raw(&raw).await.result);
    out.push(FamilyProbe {
        family: TagsApi::Set,
        answers,
        detail: format!("{sent} (an empty list: sets nothing) → {said}"),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> Result<crate::core::op::Output, ApiError> {
        Err(ApiError::Http {
            status,
            code: None,
            message: "m".into(),
            retry_after: None,
        })
    }

    #[test]
    fn verdicts_follow_the_status() {
        assert_eq!(verdict(&http(400)).0, Some(true));
        assert_eq!(verdict(&http(422)).0, Some(true));
        assert_eq!(verdict(&http(404)).0, Some(false));
        assert_eq!(verdict(&http(405)).0, Some(false));
        assert_eq!(verdict(&http(401)).0, None);
        assert_eq!(verdict(&http(503)).0, None);
        let (_, said) = verdict(&http(404));
        assert!(said.starts_with("HTTP 404"), "{said}");
        assert_eq!(
            verdict(&Ok(crate::core::op::Output::Raw { status: 200 })).0,
            Some(true)
        );
    }
}
