//! The playground: every documented outcome of both APIs as a scenario that a simulator can
//! be set up for and then played — Hive's 7 add and 7 remove scenarios in the documented
//! tables' order, its three error codes, and Cerego's add, update and errors.
//!
//! A [`Play`] says what the simulator must hold first ([`Setup`], applied through the
//! simulator's `POST /_sim/setup`) so its outcome is certain, and what to send then: an
//! [`Op`] through the normal path, or a [`RawRequest`] for what tagdesk's own checks would
//! stop (a missing field, an empty list, an empty value, a wrong key).
//!
//! Hive's 14 outcome plays are the steps of the live probe's sequence
//! ([`crate::core::probe`]): what each sends and what it should produce come from there;
//! the playground sets each step's state up directly instead of reaching it step by step.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::domain::{ApiField, CeregoUserId, PatronId, TagId, TagTypeId, TagValue};
use super::op::request::{HIVE_ADD_PATH, Method};
use super::op::scenario::{DOCUMENTED, HiveAction, Scenario};
use super::op::{Op, RawRequest, Service};

mod cerego;
pub mod tour;

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
    /// A scripted step: whatever the server answers.
    Any,
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
    out.extend(cerego::plays());
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

/// A documented outcome's play: the probe's step for it ([`crate::core::probe::walk`]),
/// on a patron of its own that holds, of what the step sends, what the probe's patron holds
/// at that step — `vip` and `newsletter` in the roles of the two api_fields, `not_a_tag` in
/// that of the missing one.
fn hive_play(s: &Scenario) -> Play {
    use crate::core::probe::{self, Role};
    let name = |r: &Role| match r {
        Role::First => DEFINED[0],
        Role::Second => DEFINED[1],
        Role::Missing => UNDEFINED,
    };
    let names = |roles: &[Role]| roles.iter().map(name).collect::<Vec<_>>();
    let add = s.action == HiveAction::Add;
    let step = probe::step_for(s);
    let (sent, held, changed, unchanged, failed) = match &step {
        Some(w) => (
            names(w.def.sent),
            names(
                &w.held
                    .iter()
                    .copied()
                    .filter(|r| w.def.sent.contains(r))
                    .collect::<Vec<_>>(),
            ),
            names(&w.changed),
            names(&w.unchanged),
            names(&w.failed),
        ),
        None => Default::default(),
    };
    let id = format!("demo_{}", probe::slug(s));
    let holds = if held.is_empty() {
        "holds no tags".to_string()
    } else {
        format!("holds {}", held.join(", "))
    };
    let mut fates = Vec::new();
    for f in &changed {
        fates.push(format!(
            "{f} {}",
            if add { "is added" } else { "is removed" }
        ));
    }
    for f in &unchanged {
        fates.push(format!(
            "{f} {}",
            if add {
                "is already there"
            } else {
                "is not there"
            }
        ));
    }
    for f in &failed {
        fates.push(format!("{f} is not defined in the application"));
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
        key: probe::key(s),
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
                "sent with a wrong key",
                true,
            ),
        },
    ]
}

#[cfg(test)]
mod tests;
