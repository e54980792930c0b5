//! Property tests: arbitrary bytes, arbitrary JSON and near-valid documents fed to every
//! response parser, and arbitrary Message sequences (keys, pastes, replies, resizes down to
//! 1x1, draws) fed to the console. Nothing may panic, and the invariants below must hold.
//!
//! Cases that showed a bug in `src/` are kept at the end as ordinary regression tests.

mod support;

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestCaseError;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use serde_json::{Value, json};

use support::Harness;
use tagdesk::core::domain::{
    ApiField, CeregoUserId, LookupQuery, PartnerId, PatronId, TagId, TagTypeId, TagValue,
};
use tagdesk::core::op::ApiError;
use tagdesk::core::op::Op;
use tagdesk::core::op::Output;
use tagdesk::core::op::cerego::{CeregoTag, KeyOwner, UsersPage};
use tagdesk::core::op::hive::HiveOutcome;
use tagdesk::core::op::scenario::{HiveAction, MessageCheck, Scenario};
use tagdesk::sim::Model;
use tagdesk::sim::hive::HiveState;
use tagdesk::sim::seed::{DEMO_SEED, Seed};
use tagdesk::tui::app::Message;
use tagdesk::tui::keymap;
use tagdesk::tui::popups::Popup;

// ---------------------------------------------------------------------------------------------
// Shared fixtures and strategies
// ---------------------------------------------------------------------------------------------

/// No regression files are written (this suite must not create files next to itself).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    }
}

fn demo_seed() -> &'static Seed {
    static SEED: OnceLock<Seed> = OnceLock::new();
    SEED.get_or_init(|| Seed::parse(DEMO_SEED, "assets/demo.toml").expect("the demo seed parses"))
}

/// The 14 outcome messages of the Hive documentation, character for character (SPEC.md).
const DOCUMENTED: [&str; 14] = [
    "Successfully added tags to patron.",
    "Successfully added tags to patron. Some tags may already exist on patron.",
    "Some tags were added. Some tags failed to add.",
    "Some tags were added. Some tags may already exist on patron. Some tags failed to add.",
    "No tags were added. All tags already exist on patron.",
    "No tags were added. Some tags may already exist on patron. Some tags failed to add.",
    "No tags were added. All tags failed to add.",
    "Successfully removed tags from patron.",
    "Successfully removed tags from patron. Some tags may not exist on patron.",
    "Some tags were removed. Some tags failed to remove.",
    "Some tags were removed. Some tags may not exist on patron. Some tags failed to remove.",
    "No tags were removed. All tags do not exist on patron.",
    "No tags were removed. Some tags do not exist on patron. Some tags failed to remove.",
    "No tags were removed. All tags failed to remove.",
];

/// Object keys the parsers look at, so generated objects often hit real code paths.
const KEYS: &[&str] = &[
    "data",
    "id",
    "type",
    "attributes",
    "relationships",
    "included",
    "meta",
    "links",
    "next",
    "self",
    "total-pages",
    "total_pages",
    "total-count",
    "total_count",
    "value",
    "name",
    "email",
    "username",
    "member-id",
    "member_id",
    "guid",
    "user",
    "partner-user-tag-type",
    "partner-user-tags",
    "partner_user_tags",
    "created-at",
    "updated-at",
    "last-logged-in-at",
    "message",
    "patron_id",
    "added_tag_ids",
    "pre_existing_tag_ids",
    "removed_tag_ids",
    "non_existent_tag_ids",
    "failed",
    "api_field",
    "tag",
    "tag_id",
    "error",
    "reason",
    "errors",
    "error_code",
    "code",
    "detail",
    "title",
    "error_description",
    "user_tags_api_fields",
    "status",
    "",
];

/// Strings with a meaning somewhere in tagdesk, plus a few classic troublemakers.
const WORDS: &[&str] = &[
    "",
    " ",
    "  \t ",
    "\n",
    "vip",
    "newsletter",
    "beta_tester",
    "nope",
    "user_abc123",
    "user_def456",
    "1185304",
    "84001",
    "3",
    "5",
    "4242",
    "users",
    "partner-user-tags",
    "Successfully added tags to patron.",
    "No tags were removed. All tags failed to remove.",
    "null",
    "<html><head><title>502 Bad Gateway</title></head></html>",
    "<h1>",
    "é",
    "👍🏽",
    "\u{202e}",
    "\u{200b}",
    "\u{feff}",
    "\u{0}",
    "\u{85}",
    "-1",
    "0",
    "99999999999999999999999",
    "ada.lovelace@example.edu",
    "M-1001",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,24}",
        2 => "(?s).{0,24}",
        2 => prop::collection::vec(
            prop_oneof![
                select(&[
                    '\0', '\n', '\r', '\t', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{2028}',
                    '\u{200b}', '\u{202e}', '\u{feff}', ' ', ',', 'é', '👍', '漢', 'a', '1',
                ][..]),
                any::<char>(),
            ],
            0..16,
        )
        .prop_map(|cs| cs.into_iter().collect()),
        3 => select(WORDS).prop_map(str::to_string),
        1 => (select(WORDS), 1usize..120).prop_map(|(w, n)| format!("{w}x").repeat(n)),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        select(&[0u64, 1, 3, 84001, 1185304, i64::MAX as u64, u64::MAX][..]).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        select(&[1e308, -1e308, 5e-324, -0.0, 1e19, 1.5, 3.0][..]).prop_map(|f| json!(f)),
    ]
}

fn key_name() -> impl Strategy<Value = String> {
    prop_oneof![3 => select(KEYS).prop_map(str::to_string), 1 => text()]
}

/// Arbitrary JSON of bounded depth and size.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        2 => number(),
        3 => text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key_name(), inner), 0..6)
                .prop_map(|kvs| Value::Object(kvs.into_iter().collect())),
        ]
    })
}

/// Texts serde_json reads in surprising ways: huge numbers, deep nesting, bad escapes.
fn tricky_documents() -> Vec<String> {
    let mut docs: Vec<String> = [
        "1e999",
        "-1e999",
        "18446744073709551616",
        "-9223372036854775809",
        r#"{"data": {"id": 123456789012345678901234567890}}"#,
        r#"{"data": {"id": 1e400}}"#,
        r#"{"data": [{"id": 1e308, "relationships": {"partner-user-tags": {"data": [{"id": 1e400}]}}}]}"#,
        r#"{"data": [], "meta": {"total-pages": 1e400, "total-count": -1}}"#,
        r#"{"data": [], "meta": {"total-pages": "99999999999999999999999", "total-count": 1.5}}"#,
        r#"{"added_tag_ids": [1e308, 18446744073709551615, -9223372036854775808, 0.1], "pre_existing_tag_ids": [], "failed": [{"id": 1e300}]}"#,
        r#"{"removed_tag_ids": [], "non_existent_tag_ids": [-0], "failed": [1e-400]}"#,
        r#""\ud800""#,
        r#"{"message": "\u0000\u001b[31m"}"#,
        r#"{"errors": [{"title": 1e400}]}"#,
        r#"{"errors": {"value": [1e308, null, "", "  "]}}"#,
        "\u{feff}{}",
        "{\"message\": \"a\"} trailing",
        "",
        "   \n\t ",
        "<html",
        "<!DOCTYPE html><title></title><h1>   </h1>",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    docs.push(format!("{}{}", "[".repeat(200), "]".repeat(200)));
    docs.push(format!(
        "{}1{}",
        "{\"message\":".repeat(130),
        "}".repeat(130)
    ));
    docs.push(format!(
        "{}\"x\"{}",
        "{\"error\":".repeat(100),
        "}".repeat(100)
    ));
    docs
}

/// Bodies: raw bytes, serialized JSON (whole or cut short), and the tricky documents.
fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..200),
        3 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => (json_value(), any::<Index>()).prop_map(|(v, i)| {
            let mut s = v.to_string().into_bytes();
            s.truncate(i.index(s.len() + 1));
            s
        }),
        1 => select(tricky_documents()).prop_map(String::into_bytes),
        1 => text().prop_map(|s| Value::String(s).to_string().into_bytes()),
        2 => near_valid().prop_map(|v| v.to_string().into_bytes()),
    ]
}

// ---------------------------------------------------------------------------------------------
// Near-valid documents: real answers of the simulator with a few fields replaced or removed
// ---------------------------------------------------------------------------------------------

fn op_hive_add(patron: &str, fields: &str) -> Op {
    Op::HiveAdd {
        patron: PatronId::parse(patron).expect("patron"),
        fields: ApiField::parse_list(fields).expect("fields"),
    }
}

fn op_hive_remove(patron: &str, fields: &str) -> Op {
    Op::HiveRemove {
        patron: PatronId::parse(patron).expect("patron"),
        fields: ApiField::parse_list(fields).expect("fields"),
    }
}

/// Valid documents of every kind the clients read, as the simulator writes them, plus the
/// documented error shapes.
fn valid_documents() -> &'static [Value] {
    static DOCS: OnceLock<Vec<Value>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let mut model = Model::new(demo_seed());
        let ops = [
            op_hive_add("user_abc123", "vip newsletter nope"),
            op_hive_add("user_abc123", "vip"),
            op_hive_remove("user_def456", "newsletter vip nope"),
            op_hive_remove("nobody_at_all", "vip"),
            Op::CeregoUpdate {
                tag: TagId::parse("84001").unwrap(),
                value: TagValue::parse("Platinum").unwrap(),
            },
            Op::CeregoAdd {
                user: CeregoUserId::parse("1185304").unwrap(),
                tag_type: TagTypeId::parse("3").unwrap(),
                value: TagValue::parse("Spring 2026").unwrap(),
            },
            Op::CeregoAdd {
                user: CeregoUserId::parse("1185304").unwrap(),
                tag_type: TagTypeId::parse("3").unwrap(),
                value: TagValue::parse("again").unwrap(),
            },
            Op::CeregoListUsers {
                partner: PartnerId::parse("4242").unwrap(),
                query: None,
            },
            Op::CeregoListUsers {
                partner: PartnerId::parse("4242").unwrap(),
                query: Some("ada.lovelace@example.edu".into()),
            },
            Op::CeregoListUsers {
                partner: PartnerId::parse("1").unwrap(),
                query: None,
            },
            Op::CeregoProfile,
        ];
        let mut docs: Vec<Value> = ops.iter().map(|op| model.answer(op).1).collect();
        docs.push(json!({"errors": [{"status": "404", "title": "Not Found",
            "detail": "User 9 not found"}]}));
        docs.push(json!({"errors": {"value": ["can't be blank"]}}));
        docs.push(json!({"error": {"message": "nested", "code": 7}}));
        docs.push(json!({
            "message": "Some tags were removed. Some tags failed to remove.",
            "patron_id": "p", "removed_tag_ids": ["a"], "non_existent_tag_ids": [],
            "failed": ["plain", {"tag": "b", "message": "nope"}, {"tag_id": 7, "reason": "bad"},
                {"id": "d"}, {"something": "else"}, 42]
        }));
        docs.push(json!({"patron_id": "user_abc123",
            "user_tags_api_fields": ["vip", " newsletter ", "nope", "vip", ""]}));
        docs
    })
}

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Idx(usize),
}

#[derive(Debug, Clone)]
enum Mutation {
    Remove(Index),
    Replace(Index, Value),
    /// A value as a JSON string of itself (an id sent as a number, an object as text, ...).
    Stringify(Index),
    /// A value wrapped in an array.
    Wrap(Index),
    Null(Index),
    /// The key of a member renamed (e.g. a field sent under another name, or as "").
    Rename(Index, String),
    /// A value replaced by another of the same JSON type (the shape stays valid).
    SameType(Index, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => any::<Index>().prop_map(Mutation::Remove),
        3 => (any::<Index>(), json_value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        1 => any::<Index>().prop_map(Mutation::Stringify),
        1 => any::<Index>().prop_map(Mutation::Wrap),
        1 => any::<Index>().prop_map(Mutation::Null),
        1 => (any::<Index>(), key_name()).prop_map(|(i, k)| Mutation::Rename(i, k)),
        3 => (any::<Index>(), prop_oneof![
            3 => text().prop_map(Value::String),
            1 => number(),
            1 => any::<bool>().prop_map(Value::Bool),
            1 => json_value(),
        ])
            .prop_map(|(i, v)| Mutation::SameType(i, v)),
    ]
}

fn collect_paths(v: &Value, prefix: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                prefix.push(Seg::Key(k.clone()));
                collect_paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(Seg::Idx(i));
                collect_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    let mut cur = v;
    for seg in path {
        cur = match seg {
            Seg::Key(k) => cur.as_object_mut()?.get_mut(k)?,
            Seg::Idx(i) => cur.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(cur)
}

fn mutate(doc: &mut Value, m: &Mutation) {
    let mut paths = Vec::new();
    collect_paths(doc, &mut Vec::new(), &mut paths);
    let index = match m {
        Mutation::Remove(i)
        | Mutation::Replace(i, _)
        | Mutation::Stringify(i)
        | Mutation::Wrap(i)
        | Mutation::Null(i)
        | Mutation::Rename(i, _)
        | Mutation::SameType(i, _) => i,
    };
    let path = &paths[index.index(paths.len())];
    if let Mutation::Rename(_, new_key) = m {
        if let Some((Seg::Key(old), parent)) = path.split_last()
            && let Some(Value::Object(map)) = at_mut(doc, parent)
            && let Some(v) = map.remove(old)
        {
            map.insert(new_key.clone(), v);
        }
        return;
    }
    if let Mutation::Remove(_) = m {
        let Some((last, parent)) = path.split_last() else {
            *doc = Value::Null;
            return;
        };
        match (at_mut(doc, parent), last) {
            (Some(Value::Object(map)), Seg::Key(k)) => {
                map.remove(k);
            }
            (Some(Value::Array(items)), Seg::Idx(i)) if *i < items.len() => {
                items.remove(*i);
            }
            _ => {}
        }
        return;
    }
    let Some(target) = at_mut(doc, path) else {
        return;
    };
    *target = match m {
        Mutation::SameType(_, v) => {
            let same = std::mem::discriminant(target) == std::mem::discriminant(v);
            if same { v.clone() } else { return }
        }
        Mutation::Replace(_, v) => v.clone(),
        Mutation::Stringify(_) => Value::String(target.to_string()),
        Mutation::Wrap(_) => Value::Array(vec![target.take()]),
        _ => Value::Null,
    };
}

fn near_valid() -> impl Strategy<Value = Value> {
    (
        0..valid_documents().len(),
        prop::collection::vec(mutation(), 1..4),
    )
        .prop_map(|(i, mutations)| {
            let mut doc = valid_documents()[i].clone();
            for m in &mutations {
                mutate(&mut doc, m);
            }
            doc
        })
}

/// Any body a parser might meet: bytes, JSON, near-valid JSON.
fn any_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => body_bytes(),
        2 => near_valid().prop_map(|v| v.to_string().into_bytes()),
        1 => (0..valid_documents().len()).prop_map(|i| valid_documents()[i].to_string().into_bytes()),
    ]
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => select(&[200u16, 201, 204, 299, 400, 401, 403, 404, 422, 429, 500, 502, 503][..]),
        1 => any::<u16>(),
        1 => 100u16..600,
    ]
}

fn action() -> impl Strategy<Value = HiveAction> {
    prop_oneof![Just(HiveAction::Add), Just(HiveAction::Remove)]
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

// ---------------------------------------------------------------------------------------------
// 1. Response parsers
// ---------------------------------------------------------------------------------------------

fn check_hive_outcome(action: HiveAction, o: &HiveOutcome) -> Result<(), TestCaseError> {
    prop_assert_eq!(o.action, action);
    let total = o.changed.len() + o.unchanged.len() + o.failed.len();
    let scenario = o.scenario();
    prop_assert_eq!(scenario.documented_message().is_some(), total > 0);
    match o.message_check() {
        MessageCheck::Undocumented => prop_assert_eq!(total, 0),
        MessageCheck::Match => prop_assert_eq!(o.message.as_deref(), scenario.documented_message()),
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

// ---------------------------------------------------------------------------------------------
// The simulator: its model answers every valid Op with what the clients can read
// ---------------------------------------------------------------------------------------------

fn valid<T>(
    parse: fn(&str) -> Result<T, tagdesk::core::domain::InvalidInput>,
    seeded: &'static [&'static str],
    other: impl Strategy<Value = String>,
) -> impl Strategy<Value = T>
where
    T: std::fmt::Debug + Clone,
{
    prop_oneof![
        3 => select(seeded).prop_map(move |s| parse(s).expect("seeded value parses")),
        1 => other.prop_filter_map("valid", move |s| parse(&s).ok()),
    ]
}

fn patron_id() -> impl Strategy<Value = PatronId> {
    valid(
        PatronId::parse,
        &[
            "user_abc123",
            "user_def456",
            "user_ghi789",
            "creator_0017",
            "fresh_patron",
        ],
        prop_oneof!["\\PC{1,30}", "(?s).{1,10}"],
    )
}

fn api_field() -> impl Strategy<Value = ApiField> {
    valid(
        ApiField::parse,
        &[
            "vip",
            "newsletter",
            "beta_tester",
            "high_risk",
            "escalated",
            "nope",
            "payment_issue",
        ],
        "[^ ,]{1,20}",
    )
}

fn numeric_id<T: std::fmt::Debug + Clone>(
    parse: fn(&str) -> Result<T, tagdesk::core::domain::InvalidInput>,
    seeded: &'static [&'static str],
) -> impl Strategy<Value = T> {
    valid(parse, seeded, "[0-9]{1,18}")
}

fn tag_value() -> impl Strategy<Value = TagValue> {
    valid(
        TagValue::parse,
        &["Gold", "Platinum", "EMEA", "The value of the tag", "-5"],
        prop_oneof!["\\PC{1,40}", "(?s).{1,20}", "x{250,256}"],
    )
}

/// Any Op the types allow (ids mostly from the demo seed, so the answers are interesting).
fn any_op() -> impl Strategy<Value = Op> {
    let fields = || prop::collection::vec(api_field(), 0..5);
    prop_oneof![
        (patron_id(), fields()).prop_map(|(patron, fields)| Op::HiveAdd { patron, fields }),
        (patron_id(), fields()).prop_map(|(patron, fields)| Op::HiveRemove { patron, fields }),
        (
            numeric_id(
                CeregoUserId::parse,
                &["1185304", "1185310", "1185317", "1000001", "1"]
            ),
            numeric_id(TagTypeId::parse, &["3", "5", "7", "9", "11", "4"]),
            tag_value(),
        )
            .prop_map(|(user, tag_type, value)| Op::CeregoAdd {
                user,
                tag_type,
                value
            }),
        (
            numeric_id(
                TagId::parse,
                &["84001", "84002", "84010", "84050", "84200", "0"]
            ),
            tag_value()
        )
            .prop_map(|(tag, value)| Op::CeregoUpdate { tag, value }),
        (
            numeric_id(PartnerId::parse, &["4242", "1"]),
            proptest::option::of(prop_oneof![
                select(&["ada.lovelace@example.edu", "M-1001", "1185304", " m-1002 "][..])
                    .prop_map(str::to_string),
                text(),
            ]),
        )
            .prop_map(|(partner, query)| Op::CeregoListUsers { partner, query }),
        Just(Op::CeregoProfile),
    ]
}

proptest! {
    #![proptest_config(config(96))]

    /// The model answers every Op (sequences on one evolving state) with a status the
    /// clients know and a body they read back to the matching output.
    #[test]
    fn model_answers_are_readable(ops in prop::collection::vec(any_op(), 1..12)) {
        let mut model = Model::new(demo_seed());
        for op in &ops {
            let (status, body) = model.answer(op);
            prop_assert!(
                [200u16, 201, 400, 404, 422].contains(&status),
                "{op:?} answered {status}: {body}"
            );
            let result = tagdesk::core::op::interpret(op, status, body.to_string().as_bytes());
            match (op, &result) {
                (Op::HiveAdd { fields, .. } | Op::HiveRemove { fields, .. }, Ok(Output::Hive(o))) => {
                    prop_assert_eq!(status, 200);
                    prop_assert_eq!(o.message_check(), MessageCheck::Match, "{}", body);
                    prop_assert!(o.missing_fields.is_empty(), "{:?}", o.missing_fields);
                    let distinct: HashSet<&str> = fields.iter().map(|f| f.as_str()).collect();
                    prop_assert_eq!(o.changed.len() + o.unchanged.len() + o.failed.len(), distinct.len());
                }
                (Op::CeregoAdd { user, tag_type, value }, Ok(Output::Tag(tag))) => {
                    prop_assert_eq!(status, 201);
                    prop_assert_eq!(tag.user_id.as_deref(), Some(user.as_str()));
                    prop_assert_eq!(tag.tag_type_id.as_deref(), Some(tag_type.as_str()));
                    prop_assert_eq!(tag.value.as_deref(), Some(value.as_str()));
                    prop_assert!(TagId::parse(&tag.id).is_ok(), "tag id {}", tag.id);
                }
                (Op::CeregoUpdate { tag: id, value }, Ok(Output::Tag(tag))) => {
                    prop_assert_eq!(status, 200);
                    prop_assert_eq!(&tag.id, id.as_str());
                    prop_assert_eq!(tag.value.as_deref(), Some(value.as_str()));
                }
                (Op::CeregoListUsers { .. }, Ok(Output::Users(list))) => {
                    prop_assert_eq!(status, 200);
                    prop_assert!(list.users.len() <= 100);
                    for u in &list.users {
                        prop_assert!(CeregoUserId::parse(&u.id).is_ok(), "user id {}", u.id);
                        for t in &u.tags {
                            prop_assert!(t.value.is_some(), "tag {} without its included document", t.id);
                        }
                    }
                }
                (Op::CeregoProfile, Ok(Output::KeyOwner(p))) => {
                    prop_assert_eq!(status, 200);
                    prop_assert!(!p.id.is_empty());
                }
                (_, Err(ApiError::Http { status: s, message, .. })) => {
                    prop_assert_eq!(*s, status);
                    prop_assert!(!(200..300).contains(&status));
                    prop_assert!(!message.trim().is_empty());
                }
                (op, other) => prop_assert!(false, "{op:?} answered {status} {body}, read as {other:?}"),
            }
        }
    }

    /// The simulated Hive endpoint answers anything with 200 and one of the 14 documented
    /// messages (a body the client reads as a Match), or 400 with a documented error code.
    #[test]
    fn sim_hive_handle_answers_anything(
        calls in prop::collection::vec((action(), prop_oneof![
            2 => body_bytes(),
            3 => near_valid().prop_map(|v| v.to_string().into_bytes()),
            2 => (patron_id(), prop::collection::vec(prop_oneof![
                    3 => api_field().prop_map(|f| Value::String(f.to_string())),
                    1 => json_value(),
                ], 0..5))
                .prop_map(|(p, f)| json!({"patron_id": p.as_str(), "user_tags_api_fields": f})
                    .to_string().into_bytes()),
        ]), 1..8),
    ) {
        let mut state = HiveState::from_seed(&demo_seed().hive);
        for (action, body) in &calls {
            let (status, answer) = state.handle(*action, body);
            let status = status.as_u16();
            prop_assert!(answer.is_object(), "{answer}");
            match status {
                200 => {
                    let message = answer.get("message").and_then(Value::as_str).unwrap_or("");
                    prop_assert!(DOCUMENTED.contains(&message), "{answer}");
                    let o = HiveOutcome::parse(*action, answer.to_string().as_bytes())
                        .map_err(TestCaseError::fail)?;
                    prop_assert_eq!(o.message_check(), MessageCheck::Match, "{}", answer);
                    prop_assert!(o.missing_fields.is_empty());
                }
                400 => {
                    let code = answer.get("error_code").and_then(Value::as_str).unwrap_or("");
                    prop_assert!(["PARAM_REQUIRED", "INVALID_PATRON"].contains(&code), "{answer}");
                    let (read_code, message) =
                        tagdesk::core::op::error::extract_error_message(400, answer.to_string().as_bytes());
                    prop_assert_eq!(read_code.as_deref(), Some(code));
                    prop_assert!(!message.trim().is_empty());
                }
                other => prop_assert!(false, "status {other}: {answer}"),
            }
        }
    }
}

/// The documented table, independently of the code: every non-empty combination has its
/// message and the 14 are distinct.
#[test]
fn the_fourteen_documented_messages() {
    let mut got = Vec::new();
    for action in [HiveAction::Add, HiveAction::Remove] {
        for (c, u, f) in [
            (1, 0, 0),
            (1, 1, 0),
            (1, 0, 1),
            (1, 1, 1),
            (0, 1, 0),
            (0, 1, 1),
            (0, 0, 1),
        ] {
            let s = Scenario::from_counts(action, c, u, f);
            got.push(s.documented_message().expect("documented"));
        }
        assert_eq!(
            Scenario::from_counts(action, 0, 0, 0).documented_message(),
            None
        );
    }
    assert_eq!(got, DOCUMENTED);
}

// ---------------------------------------------------------------------------------------------
// Seeds and configuration files
// ---------------------------------------------------------------------------------------------

const CONFIG_TEMPLATE: &str = include_str!("../assets/config.template.toml");

#[derive(Debug, Clone)]
enum Edit {
    Delete(Index, usize),
    Insert(Index, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<Index>(), 1usize..12).prop_map(|(i, n)| Edit::Delete(i, n)),
        (
            any::<Index>(),
            prop_oneof![
                text(),
                select(
                    &[
                        "\"",
                        "'",
                        "[",
                        "]",
                        "[[",
                        "=",
                        "\n",
                        "#",
                        "{",
                        "}",
                        ",",
                        "\"\"\"",
                        "\\u00",
                        "é",
                        "1e999",
                        "99999999999999999999"
                    ][..]
                )
                .prop_map(str::to_string),
            ],
        )
            .prop_map(|(i, s)| Edit::Insert(i, s)),
    ]
}

fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        match e {
            Edit::Delete(i, n) => {
                let at = i.index(chars.len() + 1);
                let end = (at + n).min(chars.len());
                chars.drain(at..end);
            }
            Edit::Insert(i, s) => {
                let at = i.index(chars.len() + 1);
                chars.splice(at..at, s.chars());
            }
        }
    }
    chars.into_iter().collect()
}

/// A TOML document as JSON, mutated like the response documents, written back as TOML (or,
/// when TOML cannot express the result, as JSON text, which is just another invalid input).
fn mutated_toml(source: &'static str) -> impl Strategy<Value = String> {
    let doc: Value = {
        let table: toml::Table = toml::from_str(source).expect("the source is TOML");
        serde_json::to_value(table).expect("TOML as JSON")
    };
    prop::collection::vec(mutation(), 1..4).prop_map(move |mutations| {
        let mut doc = doc.clone();
        for m in &mutations {
            mutate(&mut doc, m);
        }
        strip_nulls(&mut doc);
        toml::to_string(&doc).unwrap_or_else(|_| doc.to_string())
    })
}

/// TOML has no null: drop them (a null member is a missing member).
fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => {
            items.retain(|v| !v.is_null());
            items.iter_mut().for_each(strip_nulls);
        }
        _ => {}
    }
}

fn toml_text(source: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        1 => "(?s).{0,200}",
        1 => prop::collection::vec(any::<u8>(), 0..200)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        3 => prop::collection::vec(edit(), 1..5).prop_map(move |e| apply_edits(source, &e)),
        3 => mutated_toml(source),
    ]
}

proptest! {
    #![proptest_config(config(96))]

    /// Seed::parse never panics; an accepted seed builds a model, its ids are ones the
    /// console can type, and it survives a trip through TOML unchanged.
    #[test]
    fn seed_parse_never_panics(text in toml_text(DEMO_SEED)) {
        if let Ok(seed) = Seed::parse(&text, "x") {
            let mut model = Model::new(&seed);
            let _ = model.answer(&Op::CeregoProfile);
            let (_, users) = model.answer(&Op::CeregoListUsers {
                partner: seed.cerego.partner_id.clone(),
                query: None,
            });
            let _ = tagdesk::core::op::interpret(
                &Op::CeregoListUsers { partner: seed.cerego.partner_id.clone(), query: None },
                200,
                users.to_string().as_bytes(),
            );
            if let Ok(again) = toml::to_string(&seed) {
                let reparsed = Seed::parse(&again, "x");
                prop_assert!(reparsed.is_ok(), "{:?}", reparsed.err());
                prop_assert_eq!(reparsed.ok(), Some(seed));
            }
        }
    }

    /// config::parse never panics, and its errors name the file.
    #[test]
    fn config_parse_never_panics(text in toml_text(CONFIG_TEMPLATE)) {
        match tagdesk::config::parse(&text, Path::new("cfg.toml")) {
            Ok(c) => {
                prop_assert!(c.timeouts.connect > 0.0 && c.timeouts.connect <= 600.0);
                prop_assert!(c.timeouts.total > 0.0 && c.timeouts.total <= 3600.0);
                if let Some(d) = &c.default_profile {
                    prop_assert!(c.profiles.contains_key(d));
                }
            }
            Err(e) => prop_assert!(e.to_string().starts_with("cfg.toml"), "{e}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Domain values
// ---------------------------------------------------------------------------------------------

fn raw_input() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "(?s).{0,30}",
        2 => "\\PC{0,30}",
        2 => text(),
        2 => "[ \t]{0,2}[0-9]{0,22}[ \t\n]{0,2}",
        2 => "[ ,]{0,2}[a-z_]{1,6}([ ,\t]{1,3}[a-z_]{1,6}){0,4}[ ,]{0,2}",
        1 => (select(&["x", "é", "9", " ", "👍", "a b"][..]), 95usize..260).prop_map(|(s, n)| s.repeat(n)),
        1 => ("[ \u{a0}\u{2003}\u{3000}\u{85}\t]{0,3}", "\\PC{1,10}", "[ \u{a0}\u{2003}\u{3000}\u{85}\t]{0,3}")
            .prop_map(|(a, b, c)| format!("{a}{b}{c}")),
    ]
}

/// Accepted values are trimmed, non-empty, within `max` characters, free of control
/// characters, and read back as themselves.
fn check_text_value<T: PartialEq + std::fmt::Debug>(
    raw: &str,
    parse: fn(&str) -> Result<T, tagdesk::core::domain::InvalidInput>,
    as_str: fn(&T) -> &str,
    max: usize,
) -> Result<Option<String>, TestCaseError> {
    match parse(raw) {
        Ok(v) => {
            let s = as_str(&v).to_string();
            prop_assert!(!s.is_empty());
            prop_assert_eq!(s.as_str(), raw.trim());
            prop_assert!(!has_control(&s), "{s:?}");
            prop_assert!(s.chars().count() <= max, "{} chars", s.chars().count());
            prop_assert_eq!(parse(&s).ok(), Some(v));
            Ok(Some(s))
        }
        Err(e) => {
            prop_assert!(!e.problem.is_empty());
            prop_assert!(e.to_string().starts_with(e.field));
            Ok(None)
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn domain_values_are_idempotent(raw in raw_input()) {
        check_text_value(&raw, PatronId::parse, |v| v.as_str(), 256)?;
        check_text_value(&raw, TagValue::parse, |v| v.as_str(), 255)?;
        check_text_value(&raw, LookupQuery::parse, |v| v.as_str(), 254)?;
        if let Some(s) = check_text_value(&raw, ApiField::parse, |v| v.as_str(), 100)? {
            prop_assert!(!s.contains(char::is_whitespace) && !s.contains(','), "{s:?}");
        }
        for id in [
            check_text_value(&raw, CeregoUserId::parse, |v| v.as_str(), 18)?,
            check_text_value(&raw, TagTypeId::parse, |v| v.as_str(), 18)?,
            check_text_value(&raw, TagId::parse, |v| v.as_str(), 18)?,
            check_text_value(&raw, PartnerId::parse, |v| v.as_str(), 18)?,
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!(id.chars().all(|c| c.is_ascii_digit()), "{id:?}");
        }
    }

    #[test]
    fn api_field_lists_are_idempotent(raw in raw_input()) {
        if let Ok(list) = ApiField::parse_list(&raw) {
            prop_assert!(!list.is_empty());
            let names: Vec<&str> = list.iter().map(|f| f.as_str()).collect();
            let distinct: HashSet<&str> = names.iter().copied().collect();
            prop_assert_eq!(distinct.len(), names.len(), "duplicates in {:?}", names);
            for f in &list {
                prop_assert!(!has_control(f.as_str()));
                prop_assert_eq!(ApiField::parse(f.as_str()).ok(), Some(f.clone()));
            }
            prop_assert_eq!(ApiField::parse_list(&names.join(", ")).ok(), Some(list.clone()));
            prop_assert_eq!(ApiField::parse_list(&names.join(" ")).ok(), Some(list));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. The console
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Step {
    Key(KeyCode, KeyModifiers),
    Type(String),
    Paste(String),
    /// Paste into whatever has the keyboard, then Enter (fills and submits a form).
    Fill(String),
    Resize(u16, u16),
    ReplyAll,
    /// Answer one pending request (out of order).
    ReplyOne(Index),
    /// Answer one pending request with an arbitrary status and body (a server that
    /// misbehaves), read by the clients' own parsers.
    ReplyArbitrary(Index, u16, Vec<u8>),
    /// One pending request fails without an answer (connection refused, timeout).
    ReplyFailure(Index, bool),
    /// The backend announces a retry of one pending request.
    Retrying(Index),
    Tick,
    Draw,
    /// A whole operator flow (open a form, fill it, confirm), so that sessions often reach
    /// requests, replies and their errors.
    Flow(Vec<Step>),
}

fn key_pool() -> Vec<(KeyCode, KeyModifiers)> {
    let none = KeyModifiers::NONE;
    let mut pool: Vec<(KeyCode, KeyModifiers)> = keymap::Keymap::default()
        .bound_events()
        .iter()
        .map(|e| (e.code, e.modifiers))
        .collect();
    pool.extend(('a'..='z').map(|c| (KeyCode::Char(c), none)));
    pool.extend(('A'..='Z').map(|c| (KeyCode::Char(c), KeyModifiers::SHIFT)));
    pool.extend(('0'..='9').map(|c| (KeyCode::Char(c), none)));
    pool.extend([
        (KeyCode::Enter, none),
        (KeyCode::Enter, none),
        (KeyCode::Esc, none),
        (KeyCode::Tab, none),
        (KeyCode::BackTab, KeyModifiers::SHIFT),
        (KeyCode::Up, none),
        (KeyCode::Down, none),
        (KeyCode::Down, none),
        (KeyCode::Left, none),
        (KeyCode::Right, none),
        (KeyCode::Home, none),
        (KeyCode::End, none),
        (KeyCode::PageUp, none),
        (KeyCode::PageDown, none),
        (KeyCode::Backspace, none),
        (KeyCode::Delete, none),
        (KeyCode::Char('u'), KeyModifiers::CONTROL),
        (KeyCode::Char('w'), KeyModifiers::CONTROL),
        (KeyCode::Char('p'), KeyModifiers::CONTROL),
        (KeyCode::Char('n'), KeyModifiers::CONTROL),
        (KeyCode::Char(' '), none),
        (KeyCode::Char('y'), none),
        (KeyCode::Char('y'), none),
        (KeyCode::Char('n'), none),
        (KeyCode::Char('/'), none),
        (KeyCode::Char('ß'), none),
        (KeyCode::F(1), none),
    ]);
    // Quitting ends a run, so the quit keys get their own, rarer, branch.
    let quit = |k: &(KeyCode, KeyModifiers)| {
        matches!(k, (KeyCode::Char('q'), _)) || *k == (KeyCode::Char('c'), KeyModifiers::CONTROL)
    };
    pool.retain(|k| !quit(k));
    pool
}

fn console_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(&[
            "vip", "newsletter", "vip, newsletter", "nope", "beta_tester escalated", "user_abc123",
            "fresh_patron", "1185304", "Gold", "Platinum", "EMEA", "ada", "hopper",
            "ada.lovelace@example.edu", "M-1001", "x", "zzzz", " ", "a b", "vip", "newsletter",
            "escalated vip", "Gold", "1185310", "user_def456",
        ][..])
            .prop_map(str::to_string),
        1 => "(?s).{0,40}",
        1 => text(),
    ]
}

fn flow() -> impl Strategy<Value = Vec<Step>> {
    let k = |c: char| Step::Key(KeyCode::Char(c), KeyModifiers::NONE);
    let fill = |w: &'static [&'static str]| select(w).prop_map(|t| Step::Fill(t.to_string()));
    let fields: &'static [&'static str] = &[
        "vip",
        "newsletter",
        "vip newsletter nope",
        "beta_tester, escalated",
        "nope",
        "high_risk",
    ];
    let patrons: &'static [&'static str] = &[
        "user_abc123",
        "user_def456",
        "fresh_patron",
        "another_one",
        "creator_0017",
    ];
    let values: &'static [&'static str] = &["Gold", "Platinum", "EMEA", "x", "Spring 2026"];
    let queries: &'static [&'static str] = &[
        "ada.lovelace@example.edu",
        "M-1002",
        "1185317",
        "nobody@example.edu",
    ];
    let answer = prop_oneof![
        3 => Just(vec![Step::ReplyAll]),
        1 => Just(vec![]),
        1 => any::<Index>().prop_map(|i| vec![Step::ReplyOne(i)]),
    ];
    prop_oneof![
        // Hive: add to the selected patron.
        (fill(fields), answer.clone())
            .prop_map(move |(f, a)| [vec![k('2'), k('a'), f], a].concat()),
        // Hive: open a patron by id.
        fill(patrons).prop_map(move |p| vec![k('o'), p]),
        // Hive: remove typed api_fields (asks first).
        (fill(fields), answer.clone())
            .prop_map(move |(f, a)| [vec![k('2'), k('D'), f, k('y')], a].concat()),
        // Hive: mark the selected tag and remove the marked ones.
        (0usize..4, answer.clone()).prop_map(move |(n, a)| {
            let mut steps = vec![k('2'), Step::Key(KeyCode::Tab, KeyModifiers::NONE)];
            steps.extend((0..n).map(|_| k('j')));
            steps.extend([k(' '), k('d'), k('y')]);
            [steps, a].concat()
        }),
        // Cerego: add a tag to the selected user (or edit instead).
        (fill(values), any::<bool>(), answer.clone()).prop_map(move |(v, up, a)| {
            let mut steps = vec![k('1'), k('a')];
            if up {
                steps.push(Step::Key(KeyCode::Down, KeyModifiers::NONE));
            }
            steps.extend([v, k('y'), Step::Key(KeyCode::Enter, KeyModifiers::NONE)]);
            [steps, a].concat()
        }),
        // Cerego: edit the selected tag.
        (0usize..3, fill(values), answer.clone()).prop_map(move |(n, v, a)| {
            let mut steps = vec![k('1'), Step::Key(KeyCode::Tab, KeyModifiers::NONE)];
            steps.extend((0..n).map(|_| k('j')));
            steps.extend([k('e'), v]);
            [steps, a].concat()
        }),
        // Cerego: look a user up, or reload the list.
        (fill(queries), answer.clone()).prop_map(move |(q, a)| [vec![k('f'), q], a].concat()),
        answer.prop_map(move |a| [vec![k('r')], a].concat()),
        // The log: select an entry, inspect it, scroll, draw at some size.
        (0usize..4, (1u16..=200, 1u16..=60)).prop_map(move |(n, (w, ht))| {
            let mut steps = vec![Step::Key(KeyCode::BackTab, KeyModifiers::SHIFT)];
            steps.extend((0..n).map(|_| k('k')));
            steps.extend([
                Step::Key(KeyCode::Enter, KeyModifiers::NONE),
                Step::Draw,
                k('j'),
                Step::Key(KeyCode::PageDown, KeyModifiers::NONE),
                Step::Resize(w, ht),
            ]);
            steps
        }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let size = prop_oneof![
        2 => (1u16..=200, 1u16..=60),
        2 => (1u16..=12, 1u16..=8),
        1 => select(&[(80u16, 24u16), (120, 40), (40, 10), (1, 1), (200, 60), (60, 20)][..]),
    ];
    prop_oneof![
        60 => select(key_pool()).prop_map(|(c, m)| Step::Key(c, m)),
        1 => select(&[(KeyCode::Char('q'), KeyModifiers::NONE),
            (KeyCode::Char('c'), KeyModifiers::CONTROL)][..]).prop_map(|(c, m)| Step::Key(c, m)),
        4 => console_text().prop_map(|t| Step::Type(t.chars().take(12).collect())),
        5 => console_text().prop_map(Step::Paste),
        6 => console_text().prop_map(Step::Fill),
        5 => size.prop_map(|(w, h)| Step::Resize(w, h)),
        8 => Just(Step::ReplyAll),
        4 => any::<Index>().prop_map(Step::ReplyOne),
        1 => any::<Index>().prop_map(Step::Retrying),
        2 => (any::<Index>(), status(), any_body())
            .prop_map(|(i, s, b)| Step::ReplyArbitrary(i, s, b)),
        1 => (any::<Index>(), any::<bool>()).prop_map(|(i, c)| Step::ReplyFailure(i, c)),
        1 => Just(Step::Tick),
        4 => Just(Step::Draw),
        8 => flow().prop_map(Step::Flow),
    ]
}

/// Profiles the console can start with.
fn harness(variant: u8) -> Harness {
    let seed = demo_seed().clone();
    match variant {
        0 => Harness::with_seed(seed, 80, 24),
        1 => Harness::with_settings(seed, 100, 30, |s| {
            s.policy.confirm = true;
            s.policy.profile = "prod".into();
            s.profile = "prod".into();
            s.profiles = vec!["prod".into(), "staging".into()];
        }),
        2 => Harness::with_settings(seed, 80, 24, |s| {
            s.policy.read_only = true;
            s.persist = true;
        }),
        3 => Harness::with_seed(Seed::empty(), 60, 20),
        4 => Harness::with_settings(seed, 80, 24, |s| {
            s.cerego = None;
            s.unavailable = vec![tagdesk::config::Unavailable {
                service: tagdesk::core::op::Service::Cerego,
                configured: true,
                reason: "Cerego: no API key".into(),
            }];
        }),
        _ => Harness::with_settings(seed, 80, 24, |s| {
            s.hive = None;
            s.patrons.clear();
            s.unavailable = vec![tagdesk::config::Unavailable {
                service: tagdesk::core::op::Service::Hive,
                configured: true,
                reason: "Hive: no API key".into(),
            }];
        }),
    }
}

fn resize_terminal(h: &mut Harness, w: u16, ht: u16) {
    h.send(Message::Resize(w, ht));
    h.terminal.backend_mut().resize(w, ht);
    h.draw();
}

/// Runs one step. Returns false when a reply did not come from the simulator's model (so
/// tagdesk's view may rightly differ from the model afterwards).
fn run_step(h: &mut Harness, step: &Step) -> bool {
    match step {
        Step::Key(code, mods) => h.key_mod(*code, *mods),
        Step::Type(t) => {
            for c in t.chars() {
                if h.quit {
                    break;
                }
                h.key(KeyCode::Char(c));
            }
        }
        Step::Paste(t) => h.paste(t),
        Step::Fill(t) => {
            h.paste(t);
            h.key(KeyCode::Enter);
        }
        Step::Resize(w, ht) => resize_terminal(h, *w, *ht),
        Step::ReplyAll => h.reply_all(),
        Step::ReplyOne(i) => {
            if !h.pending.is_empty() {
                let r = h.pending.remove(i.index(h.pending.len()));
                let reply = h.answer(&r);
                h.send(Message::Reply(Box::new(reply)));
            }
        }
        Step::ReplyArbitrary(i, status, body) => {
            if h.pending.is_empty() {
                return true;
            }
            let r = h.pending.remove(i.index(h.pending.len()));
            let mut reply = h.answer(&r);
            // The model answered (and changed its state); the App sees another answer.
            if let Some(ex) = reply.exchanges.first_mut() {
                ex.status = Some(*status);
                ex.response_body = Some(String::from_utf8_lossy(body).into_owned());
            }
            reply.result = tagdesk::core::op::interpret(&r.op, *status, body);
            h.send(Message::Reply(Box::new(reply)));
            return false;
        }
        Step::ReplyFailure(i, connect) => {
            if h.pending.is_empty() {
                return true;
            }
            let r = h.pending.remove(i.index(h.pending.len()));
            let mut reply = h.answer(&r);
            reply.exchanges.clear();
            reply.result = Err(if *connect {
                ApiError::Network {
                    message: "connection refused".into(),
                    connect: true,
                }
            } else {
                ApiError::Timeout { ms: 20_000 }
            });
            h.send(Message::Reply(Box::new(reply)));
            return false;
        }
        Step::Retrying(i) => {
            if !h.pending.is_empty() {
                let id = h.pending[i.index(h.pending.len())].id;
                let notice = tagdesk::engine::retry::RetryNotice {
                    attempt: 2,
                    max_attempts: 4,
                    wait_ms: 1500,
                    at: h.app.now + chrono::Duration::milliseconds(1500),
                    reason: "HTTP 503: Service Unavailable (empty body)".into(),
                    from_retry_after: false,
                };
                h.send(Message::Retrying { id, notice });
            }
        }
        Step::Tick => h.send(Message::Tick),
        Step::Draw => h.draw(),
        Step::Flow(steps) => {
            let mut faithful = true;
            for s in steps {
                if h.quit || h.switched.is_some() {
                    break;
                }
                faithful &= run_step(h, s);
            }
            return faithful;
        }
    }
    true
}

/// `faithful`: every reply so far came from the model, so tagdesk's view must match it.
fn check_invariants(h: &Harness, faithful: bool) -> Result<(), TestCaseError> {
    let app = &h.app;
    let c = &app.cerego;
    prop_assert!(
        c.list.selected() < c.list.visible().len().max(1),
        "cerego.selected {} of {} visible",
        c.list.selected(),
        c.list.visible().len()
    );
    prop_assert!(
        c.list.visible().iter().all(|&i| i < app.known.cerego.len()),
        "cerego.visible out of range"
    );
    let user_tags = app.selected_user().map(|u| u.tags.len()).unwrap_or(0);
    prop_assert!(
        c.tag_selected < user_tags.max(1),
        "cerego.tag_selected {} of {} tags",
        c.tag_selected,
        user_tags
    );
    let hv = &app.hive;
    prop_assert!(
        hv.list.selected() < hv.list.visible().len().max(1),
        "hive.selected {} of {} visible",
        hv.list.selected(),
        hv.list.visible().len()
    );
    prop_assert!(
        hv.list
            .visible()
            .iter()
            .all(|&i| i < app.known.hive.patrons.len()),
        "hive.visible out of range"
    );
    let patron = app.selected_patron();
    let patron_tags = patron.map(|p| p.tags.len()).unwrap_or(0);
    prop_assert!(
        hv.tag_selected < patron_tags.max(1),
        "hive.tag_selected {} of {} tags",
        hv.tag_selected,
        patron_tags
    );
    prop_assert!(
        app.log.list.selected() < app.log.list.visible().len().max(1),
        "log selection {} of {} visible",
        app.log.list.selected(),
        app.log.list.visible().len()
    );
    match &app.popup {
        Some(Popup::Inspector { key, .. }) => prop_assert!(app.log.get(key).is_some()),
        Some(Popup::Profiles { selected }) => {
            prop_assert!(*selected < app.settings.profiles.len().max(1))
        }
        _ => {}
    }
    // Marks belong to the patron they were made on: every mark is a tag of the selected
    // patron (see `bug_marks_survive_a_filter_that_changes_the_patron`).
    match patron {
        Some(p) => {
            for m in &hv.marked {
                prop_assert!(
                    p.tags.iter().any(|t| &t.api_field == m),
                    "mark {} is not a tag of the selected patron {}",
                    m,
                    p.id
                );
            }
        }
        None => prop_assert!(hv.marked.is_empty(), "marks without a selected patron"),
    }
    for p in &app.known.hive.patrons {
        let known: HashSet<&str> = p.tags.iter().map(|t| t.api_field.as_str()).collect();
        prop_assert_eq!(known.len(), p.tags.len(), "duplicate tags on {}", p.id);
    }
    prop_assert_eq!(app.in_flight(), h.pending.len(), "in flight vs pending");
    let pending_ids: HashSet<u64> = h.pending.iter().map(|r| r.id).collect();
    prop_assert_eq!(pending_ids.len(), h.pending.len(), "request ids are unique");
    if !faithful {
        return Ok(());
    }
    // tagdesk's own view of Hive (built from responses) agrees with the simulator: every
    // reply has been applied, so a patron's known tags are what Hive holds.
    for p in &app.known.hive.patrons {
        let known: HashSet<&str> = p.tags.iter().map(|t| t.api_field.as_str()).collect();
        let truth: HashSet<&str> = h
            .model
            .hive
            .patrons
            .get(p.id.as_str())
            .map(|tags| tags.iter().map(String::as_str).collect())
            .unwrap_or_default();
        if p.complete {
            prop_assert_eq!(&known, &truth, "patron {}", p.id);
        } else {
            prop_assert!(
                known.is_subset(&truth),
                "patron {}: {:?} vs {:?}",
                p.id,
                known,
                truth
            );
        }
    }
    // The same for Cerego: every user shown carries exactly the tags the simulator holds.
    for u in app.known.cerego.users() {
        let shown: Vec<(String, Option<String>)> = u
            .tags
            .iter()
            .map(|t| (t.id.clone(), t.value.clone()))
            .collect();
        let mut shown_sorted = shown.clone();
        shown_sorted.sort();
        let mut truth: Vec<(String, Option<String>)> = h
            .model
            .cerego
            .tags
            .values()
            .filter(|t| t.user_id == u.id)
            .map(|t| (t.id.to_string(), Some(t.value.clone())))
            .collect();
        truth.sort();
        prop_assert_eq!(shown_sorted, truth, "user {}", u.id);
    }
    Ok(())
}

fn run_console(variant: u8, preload: bool, steps: &[Step]) -> Result<(), TestCaseError> {
    let mut h = harness(variant);
    if preload {
        h.reply_all();
    }
    let mut faithful = true;
    check_invariants(&h, faithful)?;
    for step in steps {
        if h.quit || h.switched.is_some() {
            break;
        }
        faithful &= run_step(&mut h, step);
        check_invariants(&h, faithful)?;
    }
    h.draw();
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    /// Arbitrary sessions on every kind of profile: nothing panics (updating or drawing, at
    /// any size from 1x1 to 200x60) and the selections, the log and the requests in flight
    /// stay consistent after every message.
    #[test]
    fn console_survives_any_session(
        variant in 0u8..6,
        preload in prop::bool::weighted(0.8),
        steps in prop::collection::vec(step(), 0..60),
    ) {
        run_console(variant, preload, &steps)?;
    }
}

/// Every size from 1x1 to 30x12 (and a few wide / tall ones) draws every main screen.
#[test]
fn console_draws_at_every_small_size() {
    let mut h = Harness::demo(80, 24);
    let screens: [&[KeyCode]; 4] = [
        &[],
        &[KeyCode::Char('2')],
        &[KeyCode::Char('?')],
        &[KeyCode::Esc, KeyCode::Tab, KeyCode::Tab, KeyCode::Enter],
    ];
    for keys in screens {
        for k in keys {
            h.key(*k);
        }
        for w in 1..=30 {
            for ht in 1..=12 {
                resize_terminal(&mut h, w, ht);
            }
        }
        for (w, ht) in [(200, 1), (1, 60), (200, 2), (2, 60), (200, 60)] {
            resize_terminal(&mut h, w, ht);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bugs the properties above found (fixed), kept as regression tests
// ---------------------------------------------------------------------------------------------

#[test]
fn bug_error_message_blank_for_json_string_body() {
    for body in [&br#""""#[..], br#""   ""#, b" \"\\n\" "] {
        let (_, message) = tagdesk::core::op::error::extract_error_message(502, body);
        assert!(
            !message.trim().is_empty(),
            "blank message {message:?} for {:?}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn bug_error_message_blank_for_rails_errors_without_text() {
    for body in [
        &br#"{"errors": {"": []}}"#[..],
        br#"{"errors": {" ": [null, ""]}}"#,
        br#"{"error": {"errors": {"": {}}}}"#,
    ] {
        let (_, message) = tagdesk::core::op::error::extract_error_message(422, body);
        assert!(
            !message.trim().is_empty(),
            "blank message {message:?} for {:?}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn bug_marks_survive_a_filter_that_changes_the_patron() {
    // Found by console_survives_any_session (minimal case: variant 4, keys ' ', '/', 'k').
    // Mark user_abc123's tag "newsletter", then filter the list so that user_def456 (which
    // also has "newsletter") becomes the selected patron: the mark stays, and `d` then offers
    // to remove "newsletter" from user_def456, a patron the operator never marked.
    let mut h = harness(0);
    h.reply_all();
    h.key(KeyCode::Char('2'));
    assert_eq!(
        h.app.selected_patron().map(|p| p.id.as_str()),
        Some("user_abc123")
    );
    h.key(KeyCode::Char(' '));
    assert!(h.app.hive.marked.contains("newsletter"));
    h.key(KeyCode::Char('/'));
    h.paste("def");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.selected_patron().map(|p| p.id.as_str()),
        Some("user_def456")
    );
    let stale = h.app.hive.marked.clone();
    h.key(KeyCode::Char('d'));
    let offered = match &h.app.popup {
        Some(Popup::Confirm(c)) => format!("{:?}", c.on_yes),
        other => format!("{other:?}"),
    };
    assert!(
        stale.is_empty(),
        "marks {stale:?} made on user_abc123 survived the change of patron; `d` now offers: {offered}"
    );
}

#[test]
fn bug_edit_of_a_tag_with_a_long_id_closes_silently() {
    // A server may list tag ids tagdesk cannot send back (19+ digits, or not digits at all);
    // editing such a tag must say why nothing was sent, not close the form silently.
    let mut h = Harness::with_seed(Seed::demo(), 100, 30);
    let request = h.pending.remove(0);
    let body = br#"{"data": [{"id": "1185304", "type": "users", "attributes": {"name": "Ada Lovelace"},
        "relationships": {"partner-user-tags": {"data": [{"id": "1234567890123456789", "type": "partner-user-tags"}]}}}],
        "included": [{"id": "1234567890123456789", "type": "partner-user-tags", "attributes": {"value": "Gold"},
        "relationships": {"partner-user-tag-type": {"data": {"id": "5"}}}}],
        "meta": {"total-pages": 1, "total-count": 1}}"#;
    let reply = tagdesk::engine::backend::Reply {
        id: request.id,
        op: request.op.clone(),
        exchanges: Vec::new(),
        retries: Vec::new(),
        result: tagdesk::core::op::interpret(&request.op, 200, body),
        finished_at: h.app.now,
        journal_error: None,
    };
    h.send(Message::Reply(Box::new(reply)));
    let tag = &h.app.selected_user().expect("a user").tags[0];
    assert!(
        TagId::parse(&tag.id).is_err(),
        "the listed id is not a valid TagId"
    );
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('e'));
    assert!(
        matches!(h.app.popup, Some(Popup::Form(_))),
        "the edit form opens"
    );
    h.paste(" changed");
    h.key(KeyCode::Enter);
    let sent = !h.pending.is_empty();
    let told = h.app.status.is_some() || h.app.popup.is_some();
    assert!(
        sent || told,
        "Enter neither sent the update nor said why (status {:?})",
        h.app.status
    );
}

#[test]
fn bug_api_field_form_panics_on_multibyte_whitespace() {
    // Found by console_survives_any_session: the Hive add form, a paste holding U+2000 (EN
    // QUAD: whitespace, not a control character, so the paste keeps it), then a draw.
    for ws in ['\u{a0}', '\u{2000}', '\u{2028}', '\u{3000}'] {
        let drawn = std::panic::catch_unwind(|| {
            let mut h = Harness::demo(80, 24);
            h.key(KeyCode::Char('2'));
            h.key(KeyCode::Char('a'));
            assert!(matches!(h.app.popup, Some(Popup::Form(_))));
            h.paste(&format!("vip{ws}ne"));
            h.draw();
        });
        let completed = std::panic::catch_unwind(|| {
            let mut h = Harness::demo(80, 24);
            h.key(KeyCode::Char('2'));
            h.key(KeyCode::Char('a'));
            h.paste(&format!("vip{ws}ne"));
            h.key(KeyCode::Tab);
        });
        assert!(
            drawn.is_ok() && completed.is_ok(),
            "U+{:04X}: draw {}, Tab {}",
            ws as u32,
            if drawn.is_ok() { "ok" } else { "panicked" },
            if completed.is_ok() { "ok" } else { "panicked" },
        );
    }
}
