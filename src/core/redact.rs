//! Keeping API keys out of everything tagdesk shows or writes.
//!
//! Keys never go into a request transcript (the Authorization header is not recorded), but a
//! server can echo one back ("your key abc… is not valid"), and an operator can paste one
//! into a field by mistake. A [`Redactor`] holds the keys of the session and replaces every
//! occurrence inside text values with `[redacted]`: in the console's replies, in the CLI's
//! output (text and JSON), in the journal and in the log file.
//!
//! Redaction works on values, never on serialised text, so a short key (`k`, `demo`) can
//! make a value read oddly but can never break the structure around it (see
//! `journal::redact` for how the journal keeps its own fields intact).

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

/// What every occurrence of a key is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Keys shorter than this are found only as a whole value (a one-letter test key would be
/// inside every word); longer ones anywhere in a text.
pub const MIN_EMBEDDED_KEY: usize = 8;

/// The session's keys, longest first (so a key containing another is redacted whole).
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Arc<Vec<String>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor([{} redacted])", self.secrets.len())
    }
}

impl Redactor {
    /// Every key, and the forms a server can echo it in inside JSON text: escaped as JSON
    /// strings escape it, and with `/` written `\/` (as PHP does).
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut all: Vec<String> = Vec::new();
        for s in secrets.into_iter().filter(|s| !s.is_empty()) {
            let escaped = serde_json::to_string(&s)
                .ok()
                .and_then(|q| q.get(1..q.len().saturating_sub(1)).map(str::to_string))
                .unwrap_or_default();
            let slashed = escaped.replace('/', "\\/");
            all.push(s);
            all.extend([escaped, slashed].into_iter().filter(|v| !v.is_empty()));
        }
        all.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        all.dedup();
        Self {
            secrets: Arc::new(all),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    /// Whether `s` is a key typed (or pasted) as data: the whole value, trimmed, or a value
    /// holding a key of at least [`MIN_EMBEDDED_KEY`] characters. Such a value is refused
    /// where it enters (a patron id, a CSV cell): it is never sent, shown or written.
    pub fn is_key(&self, s: &str) -> bool {
        let t = s.trim();
        self.secrets
            .iter()
            .any(|k| t == k || (k.len() >= MIN_EMBEDDED_KEY && t.contains(k.as_str())))
    }

    /// Whether any string of `v` (or any object key) [`is_key`](Self::is_key).
    pub fn finds_key(&self, v: &Value) -> bool {
        match v {
            Value::String(s) => self.is_key(s),
            Value::Array(items) => items.iter().any(|i| self.finds_key(i)),
            Value::Object(map) => map.iter().any(|(k, i)| self.is_key(k) || self.finds_key(i)),
            Value::Null | Value::Bool(_) | Value::Number(_) => false,
        }
    }

    /// The keys long enough ([`MIN_EMBEDDED_KEY`]) to be replaced inside any text — a line
    /// of output, JSON included — without ever matching a word or a field name.
    pub fn for_text(&self) -> Redactor {
        Self {
            secrets: Arc::new(
                self.secrets
                    .iter()
                    .filter(|k| k.len() >= MIN_EMBEDDED_KEY)
                    .cloned()
                    .collect(),
            ),
        }
    }

    /// Whether `s` holds a key.
    pub fn hits(&self, s: &str) -> bool {
        self.secrets.iter().any(|k| s.contains(k.as_str()))
    }

    /// `s` with every key replaced; borrowed when it holds none.
    pub fn text<'a>(&self, s: &'a str) -> Cow<'a, str> {
        if !self.hits(s) {
            return Cow::Borrowed(s);
        }
        let mut out = s.to_string();
        for k in self.secrets.iter() {
            if out.contains(k.as_str()) {
                out = out.replace(k.as_str(), REDACTED);
            }
        }
        Cow::Owned(out)
    }

    /// Redacts a string in place.
    pub fn string(&self, s: &mut String) {
        if let Cow::Owned(o) = self.text(s) {
            *s = o;
        }
    }

    /// Redacts an optional string in place.
    pub fn opt(&self, s: &mut Option<String>) {
        if let Some(s) = s {
            self.string(s);
        }
    }

    /// Redacts every string (and object key) of a JSON value in place.
    pub fn value(&self, v: &mut Value) {
        if self.is_empty() {
            return;
        }
        match v {
            Value::String(s) => self.string(s),
            Value::Array(items) => items.iter_mut().for_each(|i| self.value(i)),
            Value::Object(map) => {
                if map.keys().any(|k| self.hits(k)) {
                    let old = std::mem::take(map);
                    for (k, mut item) in old {
                        self.value(&mut item);
                        map.insert(self.text(&k).into_owned(), item);
                    }
                } else {
                    map.values_mut().for_each(|i| self.value(i));
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

/// Values that can have keys redacted from their text in place.
pub trait Scrub {
    fn scrub(&mut self, r: &Redactor);
}

impl Scrub for String {
    fn scrub(&mut self, r: &Redactor) {
        r.string(self);
    }
}

impl<T: Scrub> Scrub for Option<T> {
    fn scrub(&mut self, r: &Redactor) {
        if let Some(v) = self {
            v.scrub(r);
        }
    }
}

impl<T: Scrub> Scrub for Vec<T> {
    fn scrub(&mut self, r: &Redactor) {
        self.iter_mut().for_each(|v| v.scrub(r));
    }
}

impl<T: Scrub, E: Scrub> Scrub for Result<T, E> {
    fn scrub(&mut self, r: &Redactor) {
        match self {
            Ok(v) => v.scrub(r),
            Err(e) => e.scrub(r),
        }
    }
}

impl Scrub for Value {
    fn scrub(&mut self, r: &Redactor) {
        r.value(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_every_key_longest_first() {
        let r = Redactor::new(["abc".to_string(), "abcdef".into(), String::new()]);
        assert_eq!(r.text("x abcdef y abc"), "x [redacted] y [redacted]");
        assert!(matches!(r.text("nothing"), Cow::Borrowed(_)));
        let mut v = serde_json::json!({"abc": ["abcdef", 1, {"k": "zabc"}]});
        r.value(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"[redacted]": ["[redacted]", 1, {"k": "z[redacted]"}]})
        );
        assert!(!format!("{r:?}").contains("abc"));
    }

    #[test]
    fn escaped_forms_in_json_text_are_redacted_too() {
        let r = Redactor::new(["sk/live\"9".to_string()]);
        // serde's escaping, and PHP's escaped slash.
        assert_eq!(
            r.text(r#"{"m":"key sk/live\"9"}"#),
            r#"{"m":"key [redacted]"}"#
        );
        assert_eq!(
            r.text(r#"{"m":"key sk\/live\"9"}"#),
            r#"{"m":"key [redacted]"}"#
        );
    }

    #[test]
    fn a_key_as_data_is_found_whole_or_embedded_when_long_enough() {
        let r = Redactor::new(["hive-SECRET-7f3a9c".to_string(), "k".into()]);
        assert!(r.is_key("hive-SECRET-7f3a9c"));
        assert!(r.is_key(" hive-SECRET-7f3a9c "));
        assert!(
            r.is_key("xhive-SECRET-7f3a9cx"),
            "a long key inside a value"
        );
        assert!(r.is_key("k"));
        assert!(!r.is_key("kiwi"), "a short key only as the whole value");
        assert!(r.finds_key(&serde_json::json!({"op": {"patron": "hive-SECRET-7f3a9c"}})));
        assert!(!r.finds_key(&serde_json::json!({"op": {"patron": "kiwi"}})));
        let t = r.for_text();
        assert_eq!(t.text("a k hive-SECRET-7f3a9c"), "a k [redacted]");
    }
}
