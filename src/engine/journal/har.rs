//! Journal entries as an HTTP Archive (HAR 1.2): what `tagdesk log --har` and `tagdesk
//! batch show --har` write, to attach to a ticket with Hive or Cerego support and to open
//! in a browser's developer tools.
//!
//! The journal keeps each request's method, URL and body, and each answer's status, body
//! and duration; it never keeps headers (and never a key: keys are redacted before a record
//! is written). So the headers a HAR shows are the ones tagdesk always sends, with the
//! `Authorization` value replaced by [`REDACTED`], and a query parameter named like a key
//! is replaced too. A response's headers were not kept: the HAR lists none. An entry with no
//! answer (a timeout, an unreachable server, tagdesk stopped first) has status 0, as
//! browsers write a request that got no response; its `comment` says what happened.

use chrono::SecondsFormat;
use serde_json::{Value, json};

use super::{Entry, REDACTED};
use crate::core::op::raw::auth_scheme;

/// Query parameters whose value is a secret wherever they appear.
const SECRET_PARAMS: &[&str] = &[
    "key",
    "api_key",
    "apikey",
    "access_token",
    "token",
    "auth",
    "authorization",
];

/// The HAR document of `entries` (intent order), as one JSON value.
pub fn to_har(entries: &[Entry]) -> Value {
    json!({
        "log": {
            "version": "1.2",
            "creator": {
                "name": "tagdesk",
                "version": env!("CARGO_PKG_VERSION"),
            },
            "entries": entries.iter().map(har_entry).collect::<Vec<_>>(),
        }
    })
}

/// The text of a body as it went or came: a string as it is, JSON as JSON.
fn body_text(body: &Value) -> String {
    match body {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `url` with each secret query parameter's value replaced, and its query as HAR lists it.
fn url_and_query(url: &str) -> (String, Vec<Value>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), Vec::new());
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let mut pairs = Vec::new();
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let secret = SECRET_PARAMS.contains(&name.to_ascii_lowercase().as_str());
        let value = if secret { REDACTED } else { value };
        kept.push(format!("{name}={value}"));
        pairs.push(json!({ "name": name, "value": value }));
    }
    let mut url = format!("{base}?{}", kept.join("&"));
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    (url, pairs)
}

/// The MIME type a body reads as: JSON when it parsed as JSON when journaled.
fn mime(body: &Value) -> &'static str {
    match body {
        Value::String(_) => "text/plain",
        _ => "application/json",
    }
}

fn har_entry(e: &Entry) -> Value {
    // An intent journaled without its request line: the Op's own.
    let (method, url, body) = match &e.intent.request {
        Some(r) => (r.method.clone(), r.url.clone(), r.body.clone()),
        None => {
            let spec = e.intent.op.request();
            (spec.method.as_str().to_string(), spec.path, spec.body)
        }
    };
    let (url, query) = url_and_query(&url);
    let scheme = auth_scheme(e.intent.op.service());
    let mut request_headers = vec![
        json!({ "name": "Authorization", "value": format!("{scheme} {REDACTED}") }),
        json!({ "name": "Accept", "value": "application/json" }),
    ];
    let mut request = json!({
        "method": method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "queryString": query,
        "headersSize": -1,
        "bodySize": 0,
    });
    if let Some(b) = &body {
        let text = body_text(b);
        request_headers.push(json!({ "name": "Content-Type", "value": "application/json" }));
        request["bodySize"] = json!(text.len());
        request["postData"] = json!({ "mimeType": "application/json", "params": [], "text": text });
    }
    request["headers"] = Value::Array(request_headers);

    let outcome = e.outcome.as_ref();
    let status = outcome.and_then(|o| o.status).unwrap_or(0);
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let answered = status != 0;
    let response_body = outcome.and_then(|o| o.response_body.as_ref());
    let content = match response_body {
        Some(b) => {
            let text = body_text(b);
            json!({ "size": text.len(), "mimeType": mime(b), "text": text })
        }
        None => json!({ "size": 0, "mimeType": "", "text": "" }),
    };
    let body_size = match response_body {
        Some(b) => json!(body_text(b).len()),
        None if answered => json!(0),
        None => json!(-1),
    };
    let response = json!({
        "status": status,
        "statusText": reason,
        "httpVersion": if answered { "HTTP/1.1" } else { "" },
        "headers": [],
        "cookies": [],
        "content": content,
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": body_size,
    });
    let wait = outcome.and_then(|o| o.duration_ms).unwrap_or(0);
    json!({
        "startedDateTime": e.time().to_rfc3339_opts(SecondsFormat::Millis, true),
        "time": wait,
        "request": request,
        "response": response,
        "cache": {},
        "timings": { "send": 0, "wait": wait, "receive": 0 },
        "comment": format!(
            "{} · journal id {} · {}: {}",
            e.intent.describe,
            e.id(),
            e.result_label(),
            e.summary()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_query_parameter_is_redacted_in_the_url_and_the_list() {
        let (url, query) = url_and_query("https://x.test/v3/users?page=2&api_key=s3cret&q=a#top");
        assert_eq!(
            url,
            "https://x.test/v3/users?page=2&api_key=[redacted]&q=a#top"
        );
        assert_eq!(
            query[1],
            json!({ "name": "api_key", "value": "[redacted]" })
        );
        assert_eq!(query.len(), 3);
        let (url, query) = url_and_query("https://x.test/a");
        assert_eq!((url.as_str(), query.len()), ("https://x.test/a", 0));
    }
}
