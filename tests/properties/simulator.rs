//! The simulator: its model answers every valid Op with what the clients can read.

use super::*;

// ---------------------------------------------------------------------------------------------
// The simulator: its model answers every valid Op with what the clients can read
// ---------------------------------------------------------------------------------------------

pub(crate) fn valid<T>(
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

pub(crate) fn patron_id() -> impl Strategy<Value = PatronId> {
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

pub(crate) fn api_field() -> impl Strategy<Value = ApiField> {
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

pub(crate) fn numeric_id<T: std::fmt::Debug + Clone>(
    parse: fn(&str) -> Result<T, tagdesk::core::domain::InvalidInput>,
    seeded: &'static [&'static str],
) -> impl Strategy<Value = T> {
    valid(parse, seeded, "[0-9]{1,18}")
}

pub(crate) fn tag_value() -> impl Strategy<Value = TagValue> {
    valid(
        TagValue::parse,
        &["Gold", "Platinum", "EMEA", "The value of the tag", "-5"],
        prop_oneof!["\\PC{1,40}", "(?s).{1,20}", "x{250,256}"],
    )
}

/// Any Op the types allow (ids mostly from the demo seed, so the answers are interesting).
pub(crate) fn any_op() -> impl Strategy<Value = Op> {
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
                CeregoUserId::parse,
                &["1185304", "1185310", "1185317", "1000001", "1"]
            ),
            prop::collection::vec(
                (
                    numeric_id(TagTypeId::parse, &["3", "5", "7", "9", "11", "4"]),
                    tag_value()
                ),
                0..4
            ),
        )
            .prop_map(|(user, tags)| Op::CeregoSet {
                user,
                tags: tags
                    .into_iter()
                    .map(|(tag_type, value)| tagdesk::core::domain::TagSetting { tag_type, value })
                    .collect(),
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
            proptest::bool::ANY,
        )
            .prop_map(|(partner, query, departments)| Op::CeregoListUsers {
                partner,
                query,
                departments
            }),
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
                (Op::CeregoSet { tags, .. }, Ok(Output::TagsSet(set))) => {
                    // Every named type now has its value (the last one named, if twice).
                    prop_assert_eq!(status, 200);
                    let listed = set.tags.as_ref().expect("the simulator lists the user's tags");
                    for t in tags {
                        let last = tags.iter().rev().find(|s| s.tag_type == t.tag_type).map(|s| s.value.as_str());
                        prop_assert!(
                            listed.iter().any(|l| l.tag_type_id.as_deref() == Some(t.tag_type.as_str())
                                && l.value.as_deref() == last),
                            "type {} not set: {}", t.tag_type, body
                        );
                    }
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
pub(crate) fn the_fourteen_documented_messages() {
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
