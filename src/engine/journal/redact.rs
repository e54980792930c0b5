//! Keeping secrets out of the journal, without ever breaking a record.
//!
//! Redaction is structural: the record is turned into a JSON value and keys are replaced
//! inside the *values* that can carry text from an operator or a server (the Op's fields,
//! the target, the command, the request URL and bodies, the response body, error messages,
//! the summary). The journal's own structure — field names, the record kind, ids, times,
//! result kinds, statuses — is never touched, and the serialised text is never edited. So a
//! short key such as `k` or `demo` can make a value read `[redacted]` where it appeared, but
//! it can never turn a record into a line that does not read back.

use serde_json::{Map, Value};

use super::Record;
use crate::core::redact::Redactor;

/// Fields of a record that hold tagdesk's own structure, never free text.
const STRUCTURAL: &[&str] = &[
    "kind",
    "id",
    "time",
    "result",
    "status",
    "duration_ms",
    "writer",
    "demo",
];

/// Serialises `record` with every key redacted; refuses if the result does not read back
/// (which only happens when a key coincides with a value that must keep its form, such as a
/// Cerego id made of digits).
pub(super) fn redacted_line(record: &Record, redactor: &Redactor) -> Result<String, String> {
    let mut value =
        serde_json::to_value(record).map_err(|e| format!("could not serialise a record: {e}"))?;
    if redactor.is_empty() {
        return serde_json::to_string(&value)
            .map_err(|e| format!("could not serialise a record: {e}"));
    }
    if let Value::Object(map) = &mut value {
        redact_record(map, redactor);
    }
    let text =
        serde_json::to_string(&value).map_err(|e| format!("could not serialise a record: {e}"))?;
    match serde_json::from_str::<Record>(&text) {
        Ok(_) => Ok(text),
        Err(e) => Err(format!(
            "a record for id {} holds an API key in a value that cannot be redacted without \
             changing its meaning ({e}); it was not written",
            record.id()
        )),
    }
}

fn redact_record(map: &mut Map<String, Value>, r: &Redactor) {
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            k if STRUCTURAL.contains(&k) => {}
            "op" => redact_op(value, r),
            "request" => redact_fields(value, r, &["method"]),
            "error" => redact_fields(value, r, &["kind", "status", "connect", "ms"]),
            // Bodies are the server's or the operator's text, structure and all.
            "response_body" => r.value(value),
            // The Hive outcome as read: its field names and `action` are tagdesk's own.
            "hive" => redact_hive(value, r),
            _ => r.value(value),
        }
    }
}

/// The Op's fields are validated values (a patron id of at most 256 characters, an
/// api_field without spaces…): a field holding a key is replaced whole by `[redacted]`,
/// which every text field accepts, so a short key that occurs many times cannot make the
/// field too long to read back.
fn redact_op(value: &mut Value, r: &Redactor) {
    let Value::Object(map) = value else {
        return r.value(value);
    };
    for (k, v) in map.iter_mut() {
        if k == "op" {
            continue;
        }
        match v {
            Value::String(s) if r.hits(s) => *s = crate::core::redact::REDACTED.to_string(),
            Value::Array(items) => {
                for item in items.iter_mut() {
                    if let Value::String(s) = item
                        && r.hits(s)
                    {
                        *s = crate::core::redact::REDACTED.to_string();
                    }
                }
            }
            other => r.value(other),
        }
    }
}

/// Redacts the text of a journaled Hive outcome (tags, the message, reasons), never its
/// field names or its `action`.
fn redact_hive(value: &mut Value, r: &Redactor) {
    let Value::Object(map) = value else {
        return r.value(value);
    };
    for (k, v) in map.iter_mut() {
        match (k.as_str(), v) {
            ("action", _) => {}
            ("failed", Value::Array(items)) => {
                for item in items.iter_mut() {
                    redact_fields(item, r, &[]);
                }
            }
            (_, v) => r.value(v),
        }
    }
}

/// Redacts an object's values except the named structural ones (a plain string is redacted
/// as a whole).
fn redact_fields(value: &mut Value, r: &Redactor, keep: &[&str]) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if !keep.contains(&k.as_str()) {
                    r.value(v);
                }
            }
        }
        other => r.value(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::op::Op;
    use crate::engine::journal::{IntentRecord, OutcomeRecord, RequestInfo};

    fn redactor(keys: &[&str]) -> Redactor {
        Redactor::new(keys.iter().map(|k| k.to_string()))
    }

    #[test]
    fn redaction_covers_values_and_body_keys() {
        let r = redactor(&["se\"cret-key"]);
        let op = Op::CeregoProfile;
        let mut intent = IntentRecord::new("1", "p", &op, None);
        intent.request = Some(RequestInfo::new(
            "POST",
            "http://h/?k=se\"cret-key",
            Some(r#"{"se\"cret-key": "x se\"cret-key y"}"#),
        ));
        let line = redacted_line(&Record::Intent(Box::new(intent)), &r).unwrap();
        assert!(!line.contains("cret-key"), "{line}");
        assert!(line.contains(crate::core::redact::REDACTED));
    }

    #[test]
    fn short_keys_never_break_a_record() {
        // Every letter of the journal's own field names and kinds is a key here.
        let r = redactor(&["k", "t", "i", "n", "o", "demo", "e", "a"]);
        let op = Op::HiveAdd {
            patron: crate::core::domain::PatronId::parse("demo_patron").unwrap(),
            fields: vec![crate::core::domain::ApiField::parse("vip").unwrap()],
        };
        let intent = IntentRecord::new("id-1", "demo", &op, None);
        let line = redacted_line(&Record::Intent(Box::new(intent)), &r).unwrap();
        let back: Record = serde_json::from_str(&line).unwrap();
        assert!(matches!(back, Record::Intent(_)));
        assert!(!line.contains("demo_patron"), "{line}");
        let outcome = OutcomeRecord::abandoned("id-1");
        let line = redacted_line(&Record::Outcome(outcome), &r).unwrap();
        assert!(matches!(
            serde_json::from_str::<Record>(&line).unwrap(),
            Record::Outcome(_)
        ));
        // A Hive outcome kept apart from the body reads back too.
        let reply = crate::core::op::hive::HiveOutcome::parse(
            crate::core::op::scenario::HiveAction::Add,
            br#"{"message": "Successfully added tags to patron.", "patron_id": "demo_patron",
                "added_tag_ids": ["vip"], "pre_existing_tag_ids": [],
                "failed": [{"api_field": "bogus", "error": "not defined"}]}"#,
        )
        .unwrap();
        let mut outcome = OutcomeRecord::from_execution(
            "id-1",
            &[],
            &Ok(crate::core::op::Output::Hive(reply.clone())),
            std::time::Duration::from_millis(1),
        );
        outcome.hive = Some(reply);
        let line = redacted_line(&Record::Outcome(outcome), &r).unwrap();
        assert!(matches!(
            serde_json::from_str::<Record>(&line).unwrap(),
            Record::Outcome(_)
        ));
    }

    #[test]
    fn a_one_letter_key_in_a_long_patron_id_still_reads_back() {
        let r = redactor(&["k"]);
        let patron = "k".repeat(200);
        let op = Op::HiveAdd {
            patron: crate::core::domain::PatronId::parse(&patron).unwrap(),
            fields: vec![crate::core::domain::ApiField::parse("kkk").unwrap()],
        };
        let intent = IntentRecord::new("id-2", "p", &op, None);
        let line = redacted_line(&Record::Intent(Box::new(intent)), &r).unwrap();
        let Record::Intent(back) = serde_json::from_str::<Record>(&line).unwrap() else {
            panic!("an intent")
        };
        let Op::HiveAdd { patron, fields } = back.op else {
            panic!("the op")
        };
        assert_eq!(patron.as_str(), "[redacted]");
        assert_eq!(fields[0].as_str(), "[redacted]");
    }

    #[test]
    fn a_key_that_would_change_an_id_is_refused_not_mangled() {
        let r = redactor(&["1185304"]);
        let op = Op::CeregoAdd {
            user: crate::core::domain::CeregoUserId::parse("1185304").unwrap(),
            tag_type: crate::core::domain::TagTypeId::parse("3").unwrap(),
            value: crate::core::domain::TagValue::parse("v").unwrap(),
        };
        let intent = IntentRecord::new("x", "p", &op, None);
        let err = redacted_line(&Record::Intent(Box::new(intent)), &r).unwrap_err();
        assert!(err.contains("cannot be redacted"), "{err}");
    }
}
