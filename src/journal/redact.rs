//! Keeping secrets out of the journal.

use serde_json::Value;

use super::{REDACTED, Record};

/// Serialises `record` with every secret redacted; refuses if the result does not read back.
pub(super) fn redacted_line(record: &Record, secrets: &[String]) -> Result<String, String> {
    let mut value =
        serde_json::to_value(record).map_err(|e| format!("could not serialise a record: {e}"))?;
    if !secrets.is_empty() {
        redact_value(&mut value, secrets);
    }
    let mut text =
        serde_json::to_string(&value).map_err(|e| format!("could not serialise a record: {e}"))?;
    // Belt and braces: a secret may still appear in the text across JSON structure or in a
    // number. Replace it there too; the read-back check below decides whether that is safe.
    for secret in secrets {
        let escaped = serde_json::to_string(secret.as_str())
            .ok()
            .and_then(|q| Some(q.get(1..q.len().checked_sub(1)?)?.to_string()));
        for form in std::iter::once(secret.as_str()).chain(escaped.as_deref()) {
            if !form.is_empty() && text.contains(form) {
                text = text.replace(form, REDACTED);
            }
        }
    }
    match serde_json::from_str::<Record>(&text) {
        Ok(_) => Ok(text),
        Err(e) => Err(format!(
            "a record for id {} would not read back once secrets were redacted ({e}); \
             it was not written",
            record.id()
        )),
    }
}

fn redact_str(s: &mut String, secrets: &[String]) {
    for secret in secrets {
        if s.contains(secret.as_str()) {
            *s = s.replace(secret.as_str(), REDACTED);
        }
    }
}

fn redact_value(value: &mut Value, secrets: &[String]) {
    match value {
        Value::String(s) => redact_str(s, secrets),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, secrets)),
        Value::Object(map) => {
            let key_has_secret = map
                .keys()
                .any(|k| secrets.iter().any(|s| k.contains(s.as_str())));
            if key_has_secret {
                let old = std::mem::take(map);
                for (mut k, mut v) in old {
                    redact_str(&mut k, secrets);
                    redact_value(&mut v, secrets);
                    map.insert(k, v);
                }
            } else {
                map.values_mut().for_each(|v| redact_value(v, secrets));
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{IntentRecord, OutcomeRecord, RequestInfo};
    use crate::op::Op;

    #[test]
    fn redaction_covers_escaped_forms_and_keys() {
        let secrets = vec!["se\"cret-key".to_string()];
        let op = Op::CeregoProfile;
        let mut intent = IntentRecord::new("1", "p", &op, None);
        intent.request = Some(RequestInfo::new(
            "POST",
            "http://h/?k=se\"cret-key",
            Some(r#"{"se\"cret-key": "x se\"cret-key y"}"#),
        ));
        let line = redacted_line(&Record::Intent(intent), &secrets).unwrap();
        assert!(!line.contains("cret-key"), "{line}");
        assert!(line.contains(REDACTED));
    }

    #[test]
    fn redaction_that_breaks_a_record_is_refused() {
        // A (silly) secret equal to a numeric status cannot be redacted without breaking
        // the line, so nothing is written.
        let out = OutcomeRecord {
            status: Some(4221),
            ..OutcomeRecord::abandoned("x")
        };
        let err = redacted_line(&Record::Outcome(out), &["4221".to_string()]).unwrap_err();
        assert!(err.contains("would not read back"), "{err}");
    }
}
