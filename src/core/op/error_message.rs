//! Finding the best message in an error body, whatever its shape.
//!
//! Error bodies come as Hive's `{error_code, message}`, JSON:API `{"errors": [...]}`, Rails'
//! `{"errors": {"field": ["..."]}}`, plain `{"message": ...}`, an HTML page from a proxy, plain
//! text, or nothing at all. The operator always gets the status plus the most specific text
//! the body offers.

use serde_json::Value;

/// Longest message kept from an error body.
const MAX_MESSAGE: usize = 300;

/// Returns `(error code, message)` for an error response.
pub fn extract_error_message(status: u16, body: &[u8]) -> (Option<String>, String) {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return (None, format!("{} (empty body)", reason(status)));
    }
    if let Ok(json) = serde_json::from_str::<Value>(trimmed) {
        let code = json
            .get("error_code")
            .or_else(|| json.get("code"))
            .and_then(scalar);
        let message = json_message(&json)
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| match json {
                Value::String(ref text) if text.trim().is_empty() => {
                    format!("{} (blank message)", reason(status))
                }
                ref other => cut(&other.to_string()),
            });
        return (code, message);
    }
    if looks_like_html(trimmed) {
        let message = html_title(trimmed)
            .or_else(|| html_text(trimmed))
            .unwrap_or_else(|| reason(status).to_string());
        return (None, cut(&message));
    }
    let first_line = trimmed.lines().next().unwrap_or_default();
    (None, cut(first_line))
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn json_message(json: &Value) -> Option<String> {
    // JSON:API: {"errors": [{"title", "detail"}]}
    if let Some(list) = json.get("errors").and_then(Value::as_array) {
        let parts: Vec<String> = list.iter().filter_map(jsonapi_error).collect();
        if !parts.is_empty() {
            return Some(cut(&parts.join("; ")));
        }
    }
    // Rails: {"errors": {"value": ["can't be blank"]}}
    if let Some(map) = json.get("errors").and_then(Value::as_object) {
        let parts: Vec<String> = map
            .iter()
            .map(|(field, v)| match v {
                Value::Array(items) => {
                    let msgs: Vec<String> = items.iter().filter_map(scalar).collect();
                    format!("{field} {}", msgs.join(", "))
                }
                other => format!("{field} {}", scalar(other).unwrap_or_default()),
            })
            .collect();
        let text = parts.join("; ");
        if !text.trim().is_empty() {
            return Some(cut(text.trim()));
        }
    }
    for key in ["message", "detail", "error_description", "error", "title"] {
        match json.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => return Some(cut(s.trim())),
            Some(nested @ Value::Object(_)) => {
                if let Some(m) = json_message(nested) {
                    return Some(m);
                }
            }
            _ => {}
        }
    }
    if let Value::String(s) = json
        && !s.trim().is_empty()
    {
        return Some(cut(s.trim()));
    }
    None
}

fn jsonapi_error(e: &Value) -> Option<String> {
    let title = e.get("title").and_then(scalar);
    let detail = e.get("detail").and_then(scalar);
    match (title, detail) {
        (Some(t), Some(d)) if d.contains(&t) => Some(d),
        (Some(t), Some(d)) => Some(format!("{t}: {d}")),
        (Some(t), None) => Some(t),
        (None, Some(d)) => Some(d),
        (None, None) => scalar(e),
    }
}

fn looks_like_html(s: &str) -> bool {
    let head: String = s.chars().take(200).collect::<String>().to_ascii_lowercase();
    head.starts_with('<')
        && (head.contains("<html")
            || head.contains("<!doctype")
            || head.contains("<body")
            || head.contains("<h1")
            || head.contains("<head"))
}

fn html_title(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    for tag in ["title", "h1"] {
        let open = format!("<{tag}");
        if let Some(start) = lower.find(&open) {
            let after_open = lower[start..].find('>').map(|i| start + i + 1)?;
            let end = lower[after_open..]
                .find(&format!("</{tag}"))
                .map(|i| after_open + i)?;
            let text = collapse(&s[after_open..end]);
            if !text.is_empty() {
                return Some(text);
            }
        }
    }
    None
}

fn html_text(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let text = collapse(&out);
    (!text.is_empty()).then_some(text)
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_MESSAGE {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX_MESSAGE - 1).collect();
    out.push('…');
    out
}

/// The standard reason phrase for a status, or a generic one (from the `http` crate, the
/// status vocabulary reqwest and axum share; pure).
pub fn reason(status: u16) -> &'static str {
    // Cerego's docs say what a 403 means; a body that says nothing gets their words.
    if status == 403 {
        return "Forbidden: the resource you requested is not available given your permissions";
    }
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unexpected status")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_403_says_what_cerego_documents() {
        assert_eq!(
            extract_error_message(403, b"").1,
            "Forbidden: the resource you requested is not available given your permissions \
             (empty body)"
        );
        assert_eq!(reason(404), "Not Found");
    }

    #[test]
    fn hive_error_body() {
        let body = br#"{"error": true, "status": 400, "error_code": "PARAM_REQUIRED",
            "message": "user_tags_api_fields is required.", "show_alert": false}"#;
        assert_eq!(
            extract_error_message(400, body),
            (
                Some("PARAM_REQUIRED".into()),
                "user_tags_api_fields is required.".into()
            )
        );
    }

    #[test]
    fn jsonapi_error_body() {
        let body = br#"{"errors": [{"status": "404", "title": "Not Found", "detail": "User 9 not found"}]}"#;
        assert_eq!(
            extract_error_message(404, body),
            (None, "Not Found: User 9 not found".into())
        );
    }

    #[test]
    fn rails_error_body() {
        let body = br#"{"errors": {"value": ["can't be blank"]}}"#;
        assert_eq!(extract_error_message(400, body).1, "value can't be blank");
    }

    #[test]
    fn html_and_empty_and_text_bodies() {
        let html =
            b"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>";
        assert_eq!(
            extract_error_message(502, html),
            (None, "502 Bad Gateway".into())
        );
        let html = b"<!DOCTYPE html><body><p>Down for   maintenance</p></body>";
        assert_eq!(extract_error_message(503, html).1, "Down for maintenance");
        assert_eq!(
            extract_error_message(503, b""),
            (None, "Service Unavailable (empty body)".into())
        );
        assert_eq!(extract_error_message(500, b"boom\nmore").1, "boom");
        assert_eq!(
            extract_error_message(799, b"  ").1,
            "Unexpected status (empty body)"
        );
    }

    #[test]
    fn long_and_binary_bodies_are_cut_not_fatal() {
        let long = "x".repeat(5000);
        let (_, m) = extract_error_message(500, long.as_bytes());
        assert_eq!(m.chars().count(), MAX_MESSAGE);
        let (_, m) = extract_error_message(500, &[0xff, 0xfe, 0x00, 0x41]);
        assert!(!m.is_empty());
    }

    // A regression the property tests found (kept beside the code it guards).
    #[test]
    fn bug_error_message_blank_for_json_string_body() {
        for body in [&br#""""#[..], br#""   ""#, b" \"\\n\" "] {
            let (_, message) = extract_error_message(502, body);
            assert!(
                !message.trim().is_empty(),
                "blank message {message:?} for {:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    // A regression the property tests found (kept beside the code it guards).
    #[test]
    fn bug_error_message_blank_for_rails_errors_without_text() {
        for body in [
            &br#"{"errors": {"": []}}"#[..],
            br#"{"errors": {" ": [null, ""]}}"#,
            br#"{"error": {"errors": {"": {}}}}"#,
        ] {
            let (_, message) = extract_error_message(422, body);
            assert!(
                !message.trim().is_empty(),
                "blank message {message:?} for {:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
