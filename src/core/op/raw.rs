//! Raw requests: a request sent exactly as written, past tagdesk's own input checks, so that
//! the server's real answer to something tagdesk would never send (a missing field, an empty
//! list, a wrong key) can be shown. Only the playground makes them; they are marked "raw"
//! wherever they appear.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::request::{HIVE_ADD_PATH, HIVE_REMOVE_PATH, Method, RequestSpec};
use super::{Service, shell_quote};

/// The key a raw request sends instead of the profile's when it asks for a wrong one. It is
/// not a secret: no service issues it.
pub const WRONG_KEY: &str = "not-a-valid-key";

/// One request, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawRequest {
    pub service: Service,
    pub method: Method,
    /// Under the service's base URL, e.g. `/api/v1/user_tags/add`.
    pub path: String,
    pub body: Option<Value>,
    /// Send [`WRONG_KEY`] instead of the profile's key.
    #[serde(default)]
    pub wrong_key: bool,
    /// What the request is for, in a few words ("no user_tags_api_fields").
    pub label: String,
}

impl RawRequest {
    pub fn spec(&self) -> RequestSpec {
        RequestSpec {
            method: self.method,
            path: self.path.clone(),
            query: Vec::new(),
            body: self.body.clone(),
        }
    }

    /// The endpoint's short name (`hive.add`, …), or `raw` for a path no Op uses.
    pub fn endpoint(&self) -> &'static str {
        match (self.service, self.path.as_str()) {
            (Service::Hive, HIVE_ADD_PATH) => "hive.add",
            (Service::Hive, HIVE_REMOVE_PATH) => "hive.remove",
            (Service::Cerego, p) if p.starts_with("/v3/partner_user_tag_types/") => "cerego.add",
            (Service::Cerego, p) if p.starts_with("/v3/partner_user_tags/") => "cerego.update",
            (Service::Cerego, p)
                if p.starts_with("/v3/users/") && p.ends_with("/partner_user_tags") =>
            {
                "cerego.set"
            }
            _ => "raw",
        }
    }

    /// The body as one line of JSON ("" when there is none).
    pub fn body_text(&self) -> String {
        self.body.as_ref().map(Value::to_string).unwrap_or_default()
    }
}

/// The environment variable a copied command reads a service's key from (never its value).
pub fn key_variable(service: Service) -> &'static str {
    match service {
        Service::Hive => "TAGDESK_HIVE_API_KEY",
        Service::Cerego => "TAGDESK_CEREGO_API_KEY",
    }
}

/// The word before the key in a service's `Authorization` header.
pub fn auth_scheme(service: Service) -> &'static str {
    match service {
        Service::Hive => "token",
        Service::Cerego => "Bearer",
    }
}

/// A `curl` command line for a request, quoted for a POSIX shell. The key is written as
/// `$TAGDESK_HIVE_API_KEY` / `$TAGDESK_CEREGO_API_KEY` (or the deliberately wrong key of a
/// raw request), never as its value; `base` is the service's base URL, or a variable
/// (`$TAGDESK_HIVE_URL`) that the shell expands.
pub fn curl_command(service: Service, base: &str, spec: &RequestSpec, wrong_key: bool) -> String {
    let mut url = format!(
        "{}/{}",
        base.trim_end_matches('/'),
        spec.path.trim_start_matches('/')
    );
    if !spec.query.is_empty() {
        let query: Vec<String> = spec
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        url = format!("{url}?{}", query.join("&"));
    }
    let key = if wrong_key {
        format!("Authorization: {} {WRONG_KEY}", auth_scheme(service))
    } else {
        format!(
            "Authorization: {} ${}",
            auth_scheme(service),
            key_variable(service)
        )
    };
    let mut words = vec![
        "curl".to_string(),
        "-sS".to_string(),
        "-X".to_string(),
        spec.method.as_str().to_string(),
        url_word(base, &url),
        "-H".to_string(),
        // Double quotes so the shell expands the variable.
        format!("\"{}\"", key.replace('"', "\\\"")),
    ];
    if let Some(body) = &spec.body {
        words.push("-H".into());
        words.push(shell_quote("Content-Type: application/json"));
        words.push("--data".into());
        words.push(shell_quote(&body.to_string()));
    }
    words.join(" ")
}

/// The URL as one shell word: a variable base in double quotes (so it expands, with
/// anything that would not survive them escaped), anything else single-quoted as needed.
fn url_word(base: &str, url: &str) -> String {
    if base.starts_with('$') {
        let escaped: String = url
            .chars()
            .flat_map(|c| match c {
                '"' | '\\' | '`' => vec!['\\', c],
                _ => vec![c],
            })
            .collect();
        format!("\"{escaped}\"")
    } else {
        shell_quote(url)
    }
}

/// Percent-encodes a query word (everything but unreserved characters).
fn encode(word: &str) -> String {
    let mut out = String::new();
    for b in word.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn missing_field() -> RawRequest {
        RawRequest {
            service: Service::Hive,
            method: Method::Post,
            path: HIVE_ADD_PATH.into(),
            body: Some(json!({"patron_id": "demo_param_missing"})),
            wrong_key: false,
            label: "no user_tags_api_fields".into(),
        }
    }

    #[test]
    fn curl_names_the_key_variable_never_a_value() {
        let raw = missing_field();
        let line = curl_command(Service::Hive, "http://127.0.0.1:9/", &raw.spec(), false);
        assert_eq!(
            line,
            "curl -sS -X POST http://127.0.0.1:9/api/v1/user_tags/add \
             -H \"Authorization: token $TAGDESK_HIVE_API_KEY\" \
             -H 'Content-Type: application/json' \
             --data '{\"patron_id\":\"demo_param_missing\"}'"
        );
        let wrong = curl_command(Service::Cerego, "http://h", &raw.spec(), true);
        assert!(wrong.contains("\"Authorization: Bearer not-a-valid-key\""));
    }

    #[test]
    fn curl_encodes_the_query() {
        let spec = RequestSpec {
            method: Method::Get,
            path: "/v3/partners/4242/users".into(),
            query: vec![
                ("query".into(), "ada lovelace&x".into()),
                ("page[number]".into(), "2".into()),
            ],
            body: None,
        };
        let line = curl_command(Service::Cerego, "https://p.example", &spec, false);
        assert!(line.contains(
            "'https://p.example/v3/partners/4242/users?query=ada%20lovelace%26x&page%5Bnumber%5D=2'"
        ));
        assert!(!line.contains("--data"));
    }

    #[test]
    fn the_equivalent_command_of_a_raw_op_is_curl_on_the_url_variable() {
        let op = super::super::Op::Raw(Box::new(missing_field()));
        let line = op.cli_command(&super::super::Place::Demo);
        assert!(
            line.starts_with("curl -sS -X POST \"$TAGDESK_HIVE_URL/api/v1/user_tags/add\" "),
            "{line}"
        );
        assert!(line.contains("$TAGDESK_HIVE_API_KEY"));
        assert!(
            line.ends_with("  # raw request, sent through tagdesk --demo"),
            "{line}"
        );
        let line = op.cli_command(&super::super::Place::of("prod eu", false));
        assert!(line.ends_with("tagdesk --profile 'prod eu'"), "{line}");
    }

    #[test]
    fn a_raw_op_names_what_its_body_names() {
        let hive = super::super::Op::Raw(Box::new(missing_field()));
        assert_eq!(hive.target(), "demo_param_missing");
        let cerego = super::super::Op::Raw(Box::new(RawRequest {
            service: Service::Cerego,
            method: Method::Post,
            path: "/v3/partner_user_tag_types/7/partner_user_tags".into(),
            body: Some(json!({"user_id": "990001", "value": "EMEA"})),
            wrong_key: true,
            label: "sent with a wrong key".into(),
        }));
        assert_eq!(cerego.target(), "user 990001");
        assert_eq!(
            cerego.describe(),
            "Cerego: raw POST /v3/partner_user_tag_types/7/partner_user_tags (sent with a wrong key)"
        );
    }

    #[test]
    fn endpoints_follow_the_path() {
        let mut raw = missing_field();
        assert_eq!(raw.endpoint(), "hive.add");
        raw.path = HIVE_REMOVE_PATH.into();
        assert_eq!(raw.endpoint(), "hive.remove");
        raw.service = Service::Cerego;
        raw.path = "/v3/users/1185304/partner_user_tags".into();
        assert_eq!(raw.endpoint(), "cerego.set");
        raw.path = "/elsewhere".into();
        assert_eq!(raw.endpoint(), "raw");
    }

    #[test]
    fn a_raw_op_survives_the_journal_format() {
        let op = super::super::Op::Raw(Box::new(missing_field()));
        let text = serde_json::to_string(&op).unwrap();
        assert!(text.contains("\"op\":\"raw\""), "{text}");
        let back: super::super::Op = serde_json::from_str(&text).unwrap();
        assert_eq!(back, op);
    }
}
