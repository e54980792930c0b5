//! Every response parser, fed arbitrary bytes, JSON and near-valid documents.

use super::*;

// ---------------------------------------------------------------------------------------------
// 1. Response parsers
// ---------------------------------------------------------------------------------------------

pub(crate) fn check_hive_outcome(action: HiveAction, o: &HiveOutcome) -> Result<(), TestCaseError> {
    prop_assert_eq!(o.action, action);
    let total = o.changed.len() + o.unchanged.len() + o.failed.len();
    let scenario = o.scenario();
    prop_assert_eq!(scenario.documented_message().is_some(), total > 0);
    // A reply for another patron is a MISMATCH whatever it says (its arrays are set aside);
    // one naming tags the request did not ask for is UNDOCUMENTED (issue 19, item 6).
    match o.message_check() {
        MessageCheck::Undocumented => prop_assert!(total == 0 || !o.extra.is_empty()),
        MessageCheck::Match => {
            prop_assert!(o.extra.is_empty() && o.foreign_patron.is_none());
            prop_assert_eq!(o.message.as_deref(), scenario.documented_message());
        }
        MessageCheck::Mismatch if o.foreign_patron.is_some() => prop_assert_eq!(total, 0),
        MessageCheck::Mismatch => {
            prop_assert!(total > 0);
            prop_assert_ne!(o.message.as_deref(), scenario.documented_message());
        }
    }
    let (changed_key, unchanged_key) = HiveOutcome::array_names(action);
    for f in &o.missing_fields {
        prop_assert!(
            [changed_key, unchanged_key, "failed", "message", "patron_id"].contains(&f.as_str()),
            "unexpected missing field {f:?}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// HiveOutcome::parse never panics; what it returns is self-consistent.
    #[test]
    fn hive_outcome_parse_never_panics(action in action(), body in any_body()) {
        if let Ok(o) = HiveOutcome::parse(action, &body) {
            check_hive_outcome(action, &o)?;
        }
    }

    /// Built from arrays: the documented message exists iff an array is non-empty, the arrays
    /// keep every string / number id, every `failed` entry, and a documented message matches.
    #[test]
    fn hive_outcome_from_arrays(
        action in action(),
        changed in prop::collection::vec(prop_oneof![4 => text().prop_map(Value::String), 1 => number(), 1 => json_value()], 0..4),
        unchanged in prop::collection::vec(prop_oneof![4 => text().prop_map(Value::String), 1 => number(), 1 => json_value()], 0..4),
        failed in prop::collection::vec(json_value(), 0..4),
        use_documented in any::<bool>(),
        message in text(),
        patron in prop_oneof![text().prop_map(Value::String), number()],
    ) {
        let ids = |items: &[Value]| items.iter().filter(|v| v.is_string() || v.is_number()).count();
        let (n_changed, n_unchanged) = (ids(&changed), ids(&unchanged));
        let expected = Scenario::from_counts(action, n_changed, n_unchanged, failed.len());
        let message = match (use_documented, expected.documented_message()) {
            (true, Some(doc)) => doc.to_string(),
            _ => message,
        };
        let (changed_key, unchanged_key) = HiveOutcome::array_names(action);
        let mut body = serde_json::Map::new();
        body.insert("message".into(), Value::String(message.clone()));
        body.insert("patron_id".into(), patron);
        body.insert(changed_key.into(), Value::Array(changed.clone()));
        body.insert(unchanged_key.into(), Value::Array(unchanged.clone()));
        body.insert("failed".into(), Value::Array(failed.clone()));
        let o = HiveOutcome::parse(action, Value::Object(body).to_string().as_bytes())
            .map_err(|e| TestCaseError::fail(format!("a well-formed outcome was refused: {e}")))?;
        prop_assert_eq!(o.changed.len(), n_changed);
        prop_assert_eq!(o.unchanged.len(), n_unchanged);
        prop_assert_eq!(o.failed.len(), failed.len());
        prop_assert!(o.missing_fields.is_empty(), "{:?}", o.missing_fields);
        prop_assert_eq!(o.message.as_deref(), Some(message.as_str()));
        prop_assert_eq!(o.scenario(), expected);
        let any_id_array = n_changed + n_unchanged + failed.len() > 0;
        prop_assert_eq!(o.scenario().documented_message().is_some(), any_id_array);
        if use_documented && any_id_array {
            prop_assert_eq!(o.message_check(), MessageCheck::Match);
        }
        check_hive_outcome(action, &o)?;
        // Only ids in the arrays: documented iff any input array is non-empty.
        if ids(&changed) == changed.len() && ids(&unchanged) == unchanged.len() {
            let non_empty = !changed.is_empty() || !unchanged.is_empty() || !failed.is_empty();
            prop_assert_eq!(o.scenario().documented_message().is_some(), non_empty);
        }
    }

    /// The Cerego parsers never panic, and refuse a body that is not JSON.
    #[test]
    fn cerego_parsers_never_panic(body in any_body()) {
        let is_json = serde_json::from_slice::<Value>(&body).is_ok();
        let tag = CeregoTag::parse_document(&body);
        let page = UsersPage::parse(&body);
        let profile = KeyOwner::parse(&body);
        if !is_json {
            prop_assert!(tag.is_err() && page.is_err() && profile.is_err());
        }
    }

    /// Error messages are never longer than 300 characters and never blank; codes are never
    /// blank.
    #[test]
    fn extract_error_message_is_bounded(status in status(), body in any_body()) {
        let (code, message) = tagdesk::core::op::error::extract_error_message(status, &body);
        prop_assert!(message.chars().count() <= 300, "{} chars", message.chars().count());
        prop_assert!(
            !message.trim().is_empty(),
            "blank message for {:?}",
            String::from_utf8_lossy(&body)
        );
        if let Some(code) = code {
            prop_assert!(!code.trim().is_empty());
        }
    }

    /// interpret: a status outside 2xx is an Http error carrying extract_error_message's
    /// verdict and the parser is not called; a 2xx goes to the parser, whose error becomes
    /// Decode with the same status.
    #[test]
    fn interpret_routes_by_status(
        status in status(),
        body in any_body(),
        retry_after in proptest::option::of("[0-9]{1,4}|\\PC{0,10}"),
        parser_ok in any::<bool>(),
    ) {
        let mut called = false;
        let result = tagdesk::core::op::error::interpret(status, &body, retry_after.clone(), |b| {
            called = true;
            if b != &body[..] {
                return Err("the parser got another body".to_string());
            }
            if parser_ok { Ok(b.len()) } else { Err("refused".to_string()) }
        });
        if (200..300).contains(&status) {
            prop_assert!(called);
            match result {
                Ok(n) => prop_assert!(parser_ok && n == body.len()),
                Err(ApiError::Decode { status: s, message }) => {
                    prop_assert!(!parser_ok);
                    prop_assert_eq!(s, status);
                    prop_assert_eq!(message, "refused");
                }
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        } else {
            prop_assert!(!called);
            let (want_code, want_message) = tagdesk::core::op::error::extract_error_message(status, &body);
            match result {
                Err(ApiError::Http { status: s, code, message, retry_after: r }) => {
                    prop_assert_eq!(s, status);
                    prop_assert_eq!(code, want_code);
                    prop_assert_eq!(message, want_message);
                    prop_assert_eq!(r, retry_after);
                }
                other => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }

    /// backend::interpret: never panics; a 2xx gives the output kind of its Op or a Decode
    /// error; anything else is an Http error with that status.
    #[test]
    fn backend_interpret_matches_the_op(op in any_op(), status in status(), body in any_body()) {
        let result = tagdesk::core::op::interpret(&op, status, &body);
        if (200..300).contains(&status) {
            match (&op, &result) {
                (Op::HiveAdd { .. }, Ok(Output::Hive(o))) => {
                    prop_assert_eq!(o.action, HiveAction::Add);
                    check_hive_outcome(HiveAction::Add, o)?;
                }
                (Op::HiveRemove { .. }, Ok(Output::Hive(o))) => {
                    prop_assert_eq!(o.action, HiveAction::Remove);
                    check_hive_outcome(HiveAction::Remove, o)?;
                }
                (Op::CeregoAdd { .. } | Op::CeregoUpdate { .. }, Ok(Output::Tag(_))) => {}
                (Op::CeregoListUsers { .. }, Ok(Output::Users(list))) => {
                    prop_assert_eq!(list.pages_fetched, 1);
                }
                (Op::CeregoProfile, Ok(Output::KeyOwner(_))) => {}
                // Any success of a set is one, whatever its body.
                (Op::CeregoSet { .. }, Ok(Output::TagsSet(_))) => {}
                (_, Err(ApiError::Decode { status: s, message })) => {
                    prop_assert_eq!(*s, status);
                    prop_assert!(!message.is_empty());
                }
                (op, other) => prop_assert!(false, "{op:?} gave {other:?}"),
            }
        } else {
            match &result {
                Err(ApiError::Http { status: s, message, .. }) => {
                    prop_assert_eq!(*s, status);
                    prop_assert!(message.chars().count() <= 300);
                }
                other => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }
}
