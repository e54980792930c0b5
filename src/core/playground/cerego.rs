//! The Cerego plays: add, update, and every documented error, on the playground's user.

use serde_json::json;

use super::*;

fn player_setup() -> Vec<Setup> {
    let mut steps = vec![Setup::CeregoUser {
        id: PLAYER_ID.into(),
        name: PLAYER_NAME.into(),
        email: PLAYER_EMAIL.into(),
    }];
    steps.extend(TAG_TYPES.iter().map(|(id, name)| Setup::CeregoTagType {
        id: (*id).into(),
        name: (*name).into(),
    }));
    steps
}

fn holds(tag_type: &str, value: Option<&str>) -> Setup {
    Setup::CeregoTag {
        user: PLAYER_ID.into(),
        tag_type: tag_type.into(),
        value: value.map(str::to_string),
    }
}

fn cerego_add(user: &str, tag_type: &str, value: &str) -> Send {
    match (
        CeregoUserId::parse(user),
        TagTypeId::parse(tag_type),
        TagValue::parse(value),
    ) {
        (Ok(user), Ok(tag_type), Ok(value)) => Send::Op(Op::CeregoAdd {
            user,
            tag_type,
            value,
        }),
        _ => unreachable!("the playground's Cerego literals parse"),
    }
}

fn value(v: &str) -> TagValue {
    TagValue::parse(v).unwrap_or_else(|_| unreachable!("a literal tag value parses"))
}

fn raw_cerego_add(body: serde_json::Value, label: &str, wrong_key: bool) -> Send {
    Send::Op(Op::Raw(Box::new(RawRequest {
        service: Service::Cerego,
        method: Method::Post,
        path: format!(
            "/v3/partner_user_tag_types/{}/partner_user_tags",
            TAG_TYPES[1].0
        ),
        body: Some(body),
        wrong_key,
        label: label.into(),
    })))
}

pub(super) fn plays() -> Vec<Play> {
    let with = |extra: Vec<Setup>| {
        let mut steps = player_setup();
        steps.extend(extra);
        steps
    };
    let error = |status| Expect::Error { status, code: None };
    let (plan, region, onboarding) = (TAG_TYPES[0], TAG_TYPES[1], TAG_TYPES[2]);
    vec![
        Play {
            key: "cerego.add".into(),
            group: Group::Cerego,
            title: "add a tag · 201".into(),
            explain: format!(
                "{PLAYER_NAME} ({PLAYER_ID}) has no {} tag; add {} = EMEA: a new tag is created",
                region.1, region.1
            ),
            expect: Expect::Created,
            setup: with(vec![holds(region.0, None)]),
            send: cerego_add(PLAYER_ID, region.0, "EMEA"),
        },
        Play {
            key: "cerego.update".into(),
            group: Group::Cerego,
            title: "update a value · 200".into(),
            explain: format!(
                "{PLAYER_NAME}'s {} tag is Silver; set it to Gold: same tag, new value",
                plan.1
            ),
            expect: Expect::Updated,
            setup: with(vec![holds(plan.0, Some("Silver"))]),
            send: Send::UpdateSetTag {
                user: PLAYER_ID.into(),
                tag_type: plan.0.into(),
                value: value("Gold"),
            },
        },
        Play {
            key: "cerego.422".into(),
            group: Group::Cerego,
            title: "second tag of a type · 422".into(),
            explain: format!(
                "{PLAYER_NAME} already has an {} tag; adding another is refused (edit it instead)",
                onboarding.1
            ),
            expect: error(422),
            setup: with(vec![holds(onboarding.0, Some("Invited"))]),
            send: cerego_add(PLAYER_ID, onboarding.0, "Completed"),
        },
        Play {
            key: "cerego.404.tag_type".into(),
            group: Group::Cerego,
            title: "unknown tag type · 404".into(),
            explain: format!("add a tag of type {NO_SUCH_TAG_TYPE}, which the partner has not"),
            expect: error(404),
            setup: with(vec![Setup::CeregoNoTagType {
                id: NO_SUCH_TAG_TYPE.into(),
            }]),
            send: cerego_add(PLAYER_ID, NO_SUCH_TAG_TYPE, "x"),
        },
        Play {
            key: "cerego.404.user".into(),
            group: Group::Cerego,
            title: "unknown user · 404".into(),
            explain: format!(
                "add a {} tag to user {NO_SUCH_USER}, who is not in the partner",
                region.1
            ),
            expect: error(404),
            setup: with(vec![Setup::CeregoNoUser {
                id: NO_SUCH_USER.into(),
            }]),
            send: cerego_add(NO_SUCH_USER, region.0, "EMEA"),
        },
        Play {
            key: "cerego.404.tag".into(),
            group: Group::Cerego,
            title: "unknown tag · 404".into(),
            explain: format!("update tag {NO_SUCH_TAG}, which does not exist"),
            expect: error(404),
            setup: with(vec![Setup::CeregoNoTag {
                id: NO_SUCH_TAG.into(),
            }]),
            send: Send::Op(Op::CeregoUpdate {
                tag: TagId::parse(NO_SUCH_TAG)
                    .unwrap_or_else(|_| unreachable!("a literal tag id parses")),
                value: value("Gold"),
            }),
        },
        Play {
            key: "cerego.400".into(),
            group: Group::Cerego,
            title: "empty value · 400".into(),
            explain: format!(
                "a raw add of a {} tag with an empty value (tagdesk itself never sends one)",
                region.1
            ),
            expect: error(400),
            setup: with(vec![holds(region.0, None)]),
            send: raw_cerego_add(
                json!({"user_id": PLAYER_ID, "value": ""}),
                "an empty value",
                false,
            ),
        },
        Play {
            key: "cerego.401".into(),
            group: Group::Cerego,
            title: "wrong key · 401".into(),
            explain: "a raw add sent with a key Cerego does not know: 401, nothing changes".into(),
            expect: error(401),
            setup: with(vec![holds(region.0, None)]),
            send: raw_cerego_add(
                json!({"user_id": PLAYER_ID, "value": "EMEA"}),
                "sent with a wrong key",
                true,
            ),
        },
    ]
}
