//! Property tests: arbitrary bytes, arbitrary JSON and near-valid documents fed to every
//! response parser, and arbitrary Message sequences (keys, pastes, replies, resizes down to
//! 1x1, draws) fed to the console. Nothing may panic, and the invariants below must hold.
//!
//! One file per subject: `documents` (near-valid documents), `parsers`, `simulator`,
//! `files` (seeds and configuration), `domain`, `console`; the strategies they share are here.
//! Cases that showed a bug are kept as regression tests beside the code they guard.

#[path = "../support/mod.rs"]
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
use tagdesk::tui::popups::{Inspector, Popup, Profiles};

mod documents;
mod parsers;
mod simulator;

// The strategies each subject defines are shared with the others.
#[allow(unused_imports)]
pub(crate) use {console::*, documents::*, domain::*, files::*, parsers::*, simulator::*};
mod console;
mod domain;
mod files;
mod filter;

// ---------------------------------------------------------------------------------------------
// Shared fixtures and strategies
// ---------------------------------------------------------------------------------------------

/// No regression files are written (this suite must not create files next to itself).
pub(crate) fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    }
}

pub(crate) fn demo_seed() -> &'static Seed {
    static SEED: OnceLock<Seed> = OnceLock::new();
    SEED.get_or_init(|| Seed::parse(DEMO_SEED, "assets/demo.toml").expect("the demo seed parses"))
}

/// The 14 outcome messages of the Hive documentation, character for character (SPEC.md).
pub(crate) const DOCUMENTED: [&str; 14] = [
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
pub(crate) const KEYS: &[&str] = &[
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
pub(crate) const WORDS: &[&str] = &[
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

pub(crate) fn text() -> impl Strategy<Value = String> {
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

pub(crate) fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        select(&[0u64, 1, 3, 84001, 1185304, i64::MAX as u64, u64::MAX][..]).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        select(&[1e308, -1e308, 5e-324, -0.0, 1e19, 1.5, 3.0][..]).prop_map(|f| json!(f)),
    ]
}

pub(crate) fn key_name() -> impl Strategy<Value = String> {
    prop_oneof![3 => select(KEYS).prop_map(str::to_string), 1 => text()]
}

/// Arbitrary JSON of bounded depth and size.
pub(crate) fn json_value() -> impl Strategy<Value = Value> {
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
pub(crate) fn tricky_documents() -> Vec<String> {
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
pub(crate) fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
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
