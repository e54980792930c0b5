//! The playground: every documented outcome of both APIs as a scenario that a simulator can
//! be set up for and then played — Hive's 7 add and 7 remove scenarios in the documented
//! tables' order, its three error codes, and Cerego's add, update and errors.
//!
//! A [`Play`] says what the simulator must hold first ([`Setup`], applied through the
//! simulator's `POST /_sim/setup`) so its outcome is certain, and what to send then: an
//! [`Op`] through the normal path, or a [`RawRequest`] for what tagdesk's own checks would
//! stop (a missing field, an empty list, an empty value, a wrong key).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::domain::{ApiField, CeregoUserId, PatronId, TagId, TagTypeId, TagValue};
use super::op::request::{HIVE_ADD_PATH, Method};
use super::op::scenario::{DOCUMENTED, HiveAction, Scenario};
use super::op::{Op, RawRequest, Service};

/// Two api_fields the playground makes sure the Hive application defines, and one it makes
/// sure it does not.
pub const DEFINED: [&str; 2] = ["vip", "newsletter"];
pub const UNDEFINED: &str = "not_a_tag";

/// The Cerego user the playground acts on (added to the partner when missing).
pub const PLAYER_ID: &str = "990001";
pub const PLAYER_NAME: &str = "Demo Player";
pub const PLAYER_EMAIL: &str = "demo.player@example.com";
/// The tag types it uses: (id, name).
pub const TAG_TYPES: [(&str, &str); 3] = [("5", "Plan"), ("7", "Region"), ("9", "Onboarding")];
/// Ids the playground makes sure nothing has.
pub const NO_SUCH_TAG_TYPE: &str = "999999";
pub const NO_SUCH_USER: &str = "999999999";
pub const NO_SUCH_TAG: &str = "999999999";

/// One fact a simulator is made to hold before a play.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Setup {
    /// The Hive application defines every api_field of `defined` and none of `undefined`.
    HiveCatalogue {
        defined: Vec<String>,
        undefined: Vec<String>,
    },
    /// The patron holds exactly `tags`; `None`: no patron has this id.
    HivePatron {
        patron: String,
        tags: Option<Vec<String>>,
    },
    /// The partner has this user (added when missing).
    CeregoUser {
        id: String,
        name: String,
        email: String,
    },
    /// This tag type exists (added when missing).
    CeregoTagType {
        id: String,
        name: String,
    },
    /// The user holds a tag of this type with this value; `None`: no tag of this type.
    CeregoTag {
        user: String,
        tag_type: String,
        value: Option<String>,
    },
    /// No user, tag type or tag has this id.
    CeregoNoUser {
        id: String,
    },
    CeregoNoTagType {
        id: String,
    },
    CeregoNoTag {
        id: String,
    },
}

/// What a simulator answers a setup: the id of every tag a [`Setup::CeregoTag`] step left.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupReply {
    #[serde(default)]
    pub tags: Vec<SetTag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetTag {
    pub user: String,
    pub tag_type: String,
    pub tag_id: String,
}

/// The groups of the picker, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    HiveAdd,
    HiveRemove,
    HiveError,
    Cerego,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::HiveAdd => "Hive · add (documented table order)",
            Group::HiveRemove => "Hive · remove (documented table order)",
            Group::HiveError => "Hive · errors",
            Group::Cerego => "Cerego",
        }
    }
}

/// What a play is certain to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A Hive reply of this documented scenario (and its documented message).
    Hive(Scenario),
    /// An HTTP error with this status (and Hive error code).
    Error {
        status: u16,
        code: Option<&'static str>,
    },
    /// A Cerego success with this status.
    Created,
    Updated,
}

/// What a play sends once the simulator is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Send {
    Op(Op),
    /// Update the tag the setup left on `user` for `tag_type` (its id is known only then).
    UpdateSetTag {
        user: String,
        tag_type: String,
        value: TagValue,
    },
}

/// One scenario of the playground.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Play {
    /// Stable and unique (`hive.add.added_pre_failed`, `cerego.422`): scripts name plays by it.
    pub key: String,
    pub group: Group,
    pub title: String,
    /// One line: what is set up, what is sent, what happens.
    pub explain: String,
    pub expect: Expect,
    pub setup: Vec<Setup>,
    pub send: Send,
}

impl Play {
    pub fn service(&self) -> Service {
        match self.group {
            Group::HiveAdd | Group::HiveRemove | Group::HiveError => Service::Hive,
            Group::Cerego => Service::Cerego,
        }
    }

    /// The Op to send, once the simulator answered the setup with `reply`.
    pub fn op(&self, reply: &SetupReply) -> Result<Op, String> {
        match &self.send {
            Send::Op(op) => Ok(op.clone()),
            Send::UpdateSetTag {
                user,
                tag_type,
                value,
            } => {
                let set = reply
                    .tags
                    .iter()
                    .find(|t| &t.user == user && &t.tag_type == tag_type)
                    .ok_or_else(|| {
                        format!("the simulator did not say which tag user {user} holds of type {tag_type}")
                    })?;
                let tag = TagId::parse(&set.tag_id).map_err(|e| e.to_string())?;
                Ok(Op::CeregoUpdate {
                    tag,
                    value: value.clone(),
                })
            }
        }
    }
}

/// Every play, in the picker's order.
pub fn plays() -> Vec<Play> {
    let mut out: Vec<Play> = DOCUMENTED.iter().map(hive_play).collect();
    out.extend(hive_errors());
    out.extend(cerego_plays());
    out
}

/// The play with this key.
pub fn find(key: &str) -> Option<Play> {
    plays().into_iter().find(|p| p.key == key)
}

fn catalogue() -> Setup {
    Setup::HiveCatalogue {
        defined: DEFINED.iter().map(|s| s.to_string()).collect(),
        undefined: vec![UNDEFINED.to_string()],
    }
}

fn fields(names: &[&str]) -> Vec<ApiField> {
    names
        .iter()
        .filter_map(|n| ApiField::parse(n).ok())
        .collect()
}

fn patron(id: &str) -> PatronId {
    PatronId::parse(id).unwrap_or_else(|_| unreachable_patron())
}

/// Every id this module builds is a literal that parses; this only keeps the code free of
/// `expect` (a test proves every play builds).
fn unreachable_patron() -> PatronId {
    PatronId::parse("demo").unwrap_or_else(|_| unreachable!("a literal patron id parses"))
}

fn hive_play(s: &Scenario) -> Play {
    let [vip, newsletter] = DEFINED;
    let add = s.action == HiveAction::Add;
    let mut held = Vec::new();
    let mut sent = Vec::new();
    let mut parts = Vec::new();
    if s.changed {
        sent.push(vip);
        parts.push(if add { "added" } else { "removed" });
        if !add {
            held.push(vip);
        }
    }
    if s.unchanged {
        sent.push(newsletter);
        parts.push(if add { "pre" } else { "absent" });
        if add {
            held.push(newsletter);
        }
    }
    if s.failed {
        sent.push(UNDEFINED);
        parts.push("failed");
    }
    let slug = if parts == ["failed"] {
        format!("{}_failed", s.action.name())
    } else {
        parts.join("_")
    };
    let id = format!("demo_{slug}");
    let holds = if held.is_empty() {
        "holds no tags".to_string()
    } else {
        format!("holds {}", held.join(", "))
    };
    let mut fates = Vec::new();
    if s.changed {
        fates.push(format!(
            "{vip} {}",
            if add { "is added" } else { "is removed" }
        ));
    }
    if s.unchanged {
        fates.push(format!(
            "{newsletter} {}",
            if add {
                "is already there"
            } else {
                "is not there"
            }
        ));
    }
    if s.failed {
        fates.push(format!("{UNDEFINED} is not defined in the application"));
    }
    let explain = format!(
        "{id} {holds}; {} {}: {}",
        s.action.name(),
        sent.join(", "),
        fates.join(", ")
    );
    let op = if add {
        Op::HiveAdd {
            patron: patron(&id),
            fields: fields(&sent),
        }
    } else {
        Op::HiveRemove {
            patron: patron(&id),
            fields: fields(&sent),
        }
    };
    Play {
        key: format!("hive.{}.{slug}", s.action.name()),
        group: if add {
            Group::HiveAdd
        } else {
            Group::HiveRemove
        },
        title: s.label().to_string(),
        explain,
        expect: Expect::Hive(*s),
        setup: vec![
            catalogue(),
            Setup::HivePatron {
                patron: id,
                tags: Some(held.iter().map(|s| s.to_string()).collect()),
            },
        ],
        send: Send::Op(op),
    }
}

fn raw_hive(patron: &str, body: serde_json::Value, label: &str, wrong_key: bool) -> Send {
    let mut body = body;
    if let Some(map) = body.as_object_mut() {
        map.insert("patron_id".into(), json!(patron));
    }
    Send::Op(Op::Raw(Box::new(RawRequest {
        service: Service::Hive,
        method: Method::Post,
        path: HIVE_ADD_PATH.into(),
        body: Some(body),
        wrong_key,
        label: label.into(),
    })))
}

fn hive_errors() -> Vec<Play> {
    let error = |status, code| Expect::Error {
        status,
        code: Some(code),
    };
    vec![
        Play {
            key: "hive.error.param_missing".into(),
            group: Group::HiveError,
            title: "PARAM_REQUIRED · field missing".into(),
            explain: "a raw add without user_tags_api_fields (tagdesk itself never sends one): \
                      400 PARAM_REQUIRED"
                .into(),
            expect: error(400, "PARAM_REQUIRED"),
            setup: vec![catalogue()],
            send: raw_hive(
                "demo_param_missing",
                json!({}),
                "no user_tags_api_fields",
                false,
            ),
        },
        Play {
            key: "hive.error.param_empty".into(),
            group: Group::HiveError,
            title: "PARAM_REQUIRED · empty list".into(),
            explain: "a raw add with an empty user_tags_api_fields list: 400 PARAM_REQUIRED".into(),
            expect: error(400, "PARAM_REQUIRED"),
            setup: vec![catalogue()],
            send: raw_hive(
                "demo_param_empty",
                json!({"user_tags_api_fields": []}),
                "empty user_tags_api_fields",
                false,
            ),
        },
        Play {
            key: "hive.error.invalid_patron".into(),
            group: Group::HiveError,
            title: "INVALID_PATRON".into(),
            explain: "remove vip from demo_no_such_patron, a patron Hive does not know (add \
                      would create it): 400 INVALID_PATRON"
                .into(),
            expect: error(400, "INVALID_PATRON"),
            setup: vec![
                catalogue(),
                Setup::HivePatron {
                    patron: "demo_no_such_patron".into(),
                    tags: None,
                },
            ],
            send: Send::Op(Op::HiveRemove {
                patron: patron("demo_no_such_patron"),
                fields: fields(&[DEFINED[0]]),
            }),
        },
        Play {
            key: "hive.error.invalid_api_key".into(),
            group: Group::HiveError,
            title: "INVALID_API_KEY".into(),
            explain: "a raw add sent with a key no application has: 403 INVALID_API_KEY, \
                      nothing changes"
                .into(),
            expect: error(403, "INVALID_API_KEY"),
            setup: vec![catalogue()],
            send: raw_hive(
                "demo_wrong_key",
                json!({"user_tags_api_fields": [DEFINED[0]]}),
                "a wrong key",
                true,
            ),
        },
    ]
}

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

fn cerego_plays() -> Vec<Play> {
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
                "a wrong key",
                true,
            ),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_outcome_has_one_play_in_the_tables_order() {
        let all = plays();
        let hive: Vec<Scenario> = all
            .iter()
            .filter_map(|p| match p.expect {
                Expect::Hive(s) => Some(s),
                _ => None,
            })
            .collect();
        assert_eq!(hive, DOCUMENTED.to_vec());
        for code in ["PARAM_REQUIRED", "INVALID_PATRON", "INVALID_API_KEY"] {
            assert!(
                all.iter()
                    .any(|p| matches!(p.expect, Expect::Error { code: Some(c), .. } if c == code)),
                "{code}"
            );
        }
        let statuses: Vec<u16> = all
            .iter()
            .filter(|p| p.group == Group::Cerego)
            .filter_map(|p| match p.expect {
                Expect::Error { status, .. } => Some(status),
                _ => None,
            })
            .collect();
        assert_eq!(statuses, vec![422, 404, 404, 404, 400, 401]);
        let mut keys: Vec<&str> = all.iter().map(|p| p.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), all.len(), "keys are unique");
    }

    #[test]
    fn hive_plays_name_the_patron_after_the_scenario() {
        let p = find("hive.add.added_pre_failed").unwrap();
        assert!(
            p.explain
                .starts_with("demo_added_pre_failed holds newsletter;"),
            "{}",
            p.explain
        );
        assert_eq!(
            p.setup[1],
            Setup::HivePatron {
                patron: "demo_added_pre_failed".into(),
                tags: Some(vec!["newsletter".into()]),
            }
        );
        let Send::Op(Op::HiveAdd { fields, .. }) = &p.send else {
            panic!("{:?}", p.send)
        };
        let names: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
        assert_eq!(names, ["vip", "newsletter", "not_a_tag"]);
        assert_eq!(find("hive.add.add_failed").unwrap().setup.len(), 2);
        let remove = find("hive.remove.absent").unwrap();
        assert_eq!(
            remove.setup[1],
            Setup::HivePatron {
                patron: "demo_absent".into(),
                tags: Some(vec![])
            }
        );
    }

    #[test]
    fn an_update_play_needs_the_tag_the_setup_left() {
        let p = find("cerego.update").unwrap();
        assert!(p.op(&SetupReply::default()).is_err());
        let reply = SetupReply {
            tags: vec![SetTag {
                user: PLAYER_ID.into(),
                tag_type: "5".into(),
                tag_id: "84100".into(),
            }],
        };
        assert_eq!(
            p.op(&reply).unwrap(),
            Op::CeregoUpdate {
                tag: TagId::parse("84100").unwrap(),
                value: value("Gold")
            }
        );
    }

    #[test]
    fn setups_travel_as_json() {
        for p in plays() {
            let text = serde_json::to_string(&p.setup).unwrap();
            let back: Vec<Setup> = serde_json::from_str(&text).unwrap();
            assert_eq!(back, p.setup);
        }
    }
}
