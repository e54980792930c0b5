//! `Op`: the one description of every API action.
//!
//! A key press or a CLI invocation first becomes an `Op`; only then is it checked, journaled,
//! shown and executed. Because the value is plain data it can describe itself for the action
//! log and print the equivalent `tagdesk` command line, so anything done by hand can be
//! repeated from a script.

use serde::{Deserialize, Serialize};

pub use crate::core::domain::{
    ApiField, CeregoUserId, PartnerId, PatronId, TagId, TagSetting, TagTypeId, TagValue, TagsApi,
};

pub mod attempts;
pub mod cerego;
mod cli_line;
pub mod diff;
pub mod error;
mod error_message;
pub mod hive;
pub mod inverse;
pub mod outcome;
pub mod raw;
pub mod request;
pub mod scenario;
mod scrub;
mod users_page;
pub mod verdict;

pub use cli_line::shell_quote;
pub use error::{ApiError, Exchange};
pub use outcome::{Output, interpret};
pub use raw::RawRequest;
pub use request::{Method, RequestSpec};

/// Which service an [`Op`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Cerego,
    Hive,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Cerego => "Cerego",
            Service::Hive => "Hive",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// `POST /api/v1/user_tags/add`
    HiveAdd {
        patron: PatronId,
        fields: Vec<ApiField>,
    },
    /// `POST /api/v1/user_tags/remove`
    HiveRemove {
        patron: PatronId,
        fields: Vec<ApiField>,
    },
    /// `POST /v3/partner_user_tag_types/:tag_type_id/partner_user_tags`
    CeregoAdd {
        user: CeregoUserId,
        tag_type: TagTypeId,
        value: TagValue,
    },
    /// `PUT /v3/partner_user_tags/:id`
    CeregoUpdate { tag: TagId, value: TagValue },
    /// `POST /v3/users/:user_id/partner_user_tags` (the set family): each named tag type
    /// gets its value, the tag created when the user has none of that type.
    CeregoSet {
        user: CeregoUserId,
        tags: Vec<TagSetting>,
    },
    /// `GET /v3/partners/:partner_id/users` (every page)
    CeregoListUsers {
        partner: PartnerId,
        query: Option<String>,
        /// `include_department_users`: users of the partner's departments too.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        departments: bool,
    },
    /// `GET /v3/my/profile`
    CeregoProfile,
    /// A request sent as written, past the input checks (the playground's PARAM_REQUIRED,
    /// 400 and wrong-key scenarios), so the server's own answer is shown.
    Raw(Box<RawRequest>),
}

impl Op {
    pub fn service(&self) -> Service {
        // Exhaustive on purpose: a new Op does not compile until its service is decided.
        match self {
            Op::HiveAdd { .. } | Op::HiveRemove { .. } => Service::Hive,
            Op::CeregoAdd { .. }
            | Op::CeregoUpdate { .. }
            | Op::CeregoSet { .. }
            | Op::CeregoListUsers { .. }
            | Op::CeregoProfile => Service::Cerego,
            Op::Raw(raw) => raw.service,
        }
    }

    /// Whether this Op changes anything on the server (and so must pass the write gate).
    /// Exhaustive on purpose: a new Op is not a read until someone says so.
    pub fn is_mutation(&self) -> bool {
        match self {
            Op::HiveAdd { .. }
            | Op::HiveRemove { .. }
            | Op::CeregoAdd { .. }
            | Op::CeregoUpdate { .. }
            | Op::CeregoSet { .. } => true,
            Op::CeregoListUsers { .. } | Op::CeregoProfile => false,
            // Whatever it asks, it goes through the write gate unless it only reads.
            Op::Raw(raw) => raw.method != request::Method::Get,
        }
    }

    /// Whether sending this Op again is safe when an attempt failed in a way that may have
    /// reached the server. Exhaustive on purpose: a new Op is not retried until someone
    /// decides it is safe.
    pub fn retry_safety(&self) -> RetrySafety {
        match self {
            // A create makes one more tag each time it is carried out; a raw request is
            // sent once, as written, so its answer is the one shown.
            Op::CeregoAdd { .. } | Op::Raw(_) => RetrySafety::OnlyIfNeverSent,
            // Converge on the same state when repeated, or change nothing.
            Op::HiveAdd { .. }
            | Op::HiveRemove { .. }
            | Op::CeregoUpdate { .. }
            | Op::CeregoSet { .. }
            | Op::CeregoListUsers { .. }
            | Op::CeregoProfile => RetrySafety::Repeatable,
        }
    }

    /// How this Op could be undone. Exhaustive on purpose: a new Op has no undo until
    /// someone says what it is.
    pub fn invertibility(&self) -> Invertibility {
        match self {
            // Removing what was added (only the tags the reply says were added).
            Op::HiveAdd { .. } | Op::HiveRemove { .. } => Invertibility::FromOutcome,
            // Setting the value it had before (known from the state before the change).
            // Setting the values they had before (known from the state before the change);
            // a tag the set created stays (no endpoint deletes one).
            Op::CeregoUpdate { .. } | Op::CeregoSet { .. } => Invertibility::FromPriorValue,
            Op::CeregoAdd { .. } => Invertibility::Impossible(
                "the Cerego API has no endpoint to delete a partner user tag",
            ),
            Op::CeregoListUsers { .. } | Op::CeregoProfile => Invertibility::NothingChanged,
            Op::Raw(_) => Invertibility::Impossible(
                "a raw request is shown as the server answered it, never undone",
            ),
        }
    }

    /// What this Op touches (what it changes, for a mutation). Exhaustive on purpose: a
    /// new Op says what it acts on before the fold, dry-run and undo can use it.
    pub fn subject(&self) -> Subject<'_> {
        match self {
            Op::HiveAdd { patron, .. } | Op::HiveRemove { patron, .. } => Subject::Patron(patron),
            Op::CeregoAdd { user, .. } | Op::CeregoSet { user, .. } => Subject::User(user),
            Op::CeregoUpdate { tag, .. } => Subject::Tag(tag),
            Op::CeregoListUsers { partner, .. } => Subject::Partner(partner),
            Op::CeregoProfile => Subject::KeyOwner,
            Op::Raw(raw) => Subject::Raw(&raw.path),
        }
    }

    /// Every [`Op::name`], in the order of the enum (`tagdesk log --op` takes one of them).
    pub const NAMES: [&'static str; 8] = [
        "hive_add",
        "hive_remove",
        "cerego_add",
        "cerego_update",
        "cerego_set",
        "cerego_list_users",
        "cerego_profile",
        "raw",
    ];

    /// The Op's name as the journal and `batch show` spell it (`hive_add`, `cerego_update`).
    pub fn name(&self) -> &'static str {
        match self {
            Op::HiveAdd { .. } => "hive_add",
            Op::HiveRemove { .. } => "hive_remove",
            Op::CeregoAdd { .. } => "cerego_add",
            Op::CeregoUpdate { .. } => "cerego_update",
            Op::CeregoSet { .. } => "cerego_set",
            Op::CeregoListUsers { .. } => "cerego_list_users",
            Op::CeregoProfile => "cerego_profile",
            Op::Raw(_) => "raw",
        }
    }

    /// A short verb for the action log's operation column.
    pub fn verb(&self) -> &'static str {
        match self {
            Op::HiveAdd { .. } | Op::CeregoAdd { .. } => "add",
            Op::HiveRemove { .. } => "remove",
            Op::CeregoUpdate { .. } => "update",
            Op::CeregoSet { .. } => "set",
            Op::CeregoListUsers { .. } => "list",
            Op::CeregoProfile => "profile",
            Op::Raw(_) => "raw",
        }
    }

    /// What the Op acts on, for the action log's target column.
    pub fn target(&self) -> String {
        match self {
            Op::HiveAdd { patron, .. } | Op::HiveRemove { patron, .. } => patron.to_string(),
            Op::CeregoAdd { user, .. } | Op::CeregoSet { user, .. } => format!("user {user}"),
            Op::CeregoUpdate { tag, .. } => format!("tag {tag}"),
            Op::CeregoListUsers { partner, .. } => format!("partner {partner}"),
            Op::CeregoProfile => "my profile".to_string(),
            // What the body names: the patron, or the Cerego user; else the path.
            Op::Raw(raw) => {
                let field = |name: &str| {
                    raw.body
                        .as_ref()
                        .and_then(|b| b.get(name))
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                };
                field("patron_id")
                    .or_else(|| field("user_id").map(|u| format!("user {u}")))
                    .unwrap_or_else(|| raw.path.clone())
            }
        }
    }

    /// One line, for people: what this Op will do.
    pub fn describe(&self) -> String {
        match self {
            Op::HiveAdd { patron, fields } => {
                format!("Hive: add {} to patron {patron}", join_fields(fields))
            }
            Op::HiveRemove { patron, fields } => {
                format!("Hive: remove {} from patron {patron}", join_fields(fields))
            }
            Op::CeregoAdd {
                user,
                tag_type,
                value,
            } => format!(
                "Cerego: add a tag of type {tag_type} to user {user} with value \"{value}\""
            ),
            Op::CeregoUpdate { tag, value } => {
                format!("Cerego: set the value of tag {tag} to \"{value}\"")
            }
            Op::CeregoSet { user, tags } => format!(
                "Cerego: set {} on user {user}",
                tags.iter()
                    .map(|t| format!("type {} = \"{}\"", t.tag_type, t.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Op::CeregoListUsers {
                partner,
                query,
                departments,
            } => {
                let with = if *departments {
                    " (department users included)"
                } else {
                    ""
                };
                match query {
                    Some(q) => format!(
                        "Cerego: look up \"{q}\" among the users of partner {partner}{with}"
                    ),
                    None => format!("Cerego: list the users of partner {partner}{with}"),
                }
            }
            Op::CeregoProfile => "Cerego: fetch the API key owner's profile".to_string(),
            // The label says what is unusual about it (a missing field, a wrong key).
            Op::Raw(raw) => format!(
                "{}: raw {} {} ({})",
                raw.service.name(),
                raw.method.as_str(),
                raw.path,
                raw.label,
            ),
        }
    }
}

/// What an Op acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// A Hive patron's tags.
    Patron(&'a PatronId),
    /// A Cerego user's tags (a new tag).
    User(&'a CeregoUserId),
    /// One Cerego tag's value.
    Tag(&'a TagId),
    /// The partner's user list (read only).
    Partner(&'a PartnerId),
    /// The API key's owner (read only).
    KeyOwner,
    /// Whatever a raw request's path names.
    Raw(&'a str),
}

/// Whether an Op may be sent again after a failure that may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrySafety {
    /// Repeating it converges on the same state (or it changes nothing).
    Repeatable,
    /// Each send may create something: retried only when it provably never left.
    OnlyIfNeverSent,
}

/// How an Op could be undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invertibility {
    /// A read: there is nothing to undo.
    NothingChanged,
    /// The opposite Op, built from what the reply says changed.
    FromOutcome,
    /// The same Op with the value known from before the change.
    FromPriorValue,
    /// It cannot be undone through the API, and why.
    Impossible(&'static str),
}

/// Where an Op runs: the profile it was sent through, or demo mode (the built-in simulator).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Place {
    Demo,
    Profile(String),
}

impl Place {
    pub fn of(profile: &str, demo: bool) -> Self {
        if demo {
            Place::Demo
        } else {
            Place::Profile(profile.to_string())
        }
    }
}

fn join_fields(fields: &[ApiField]) -> String {
    fields
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One example of every Op variant, for tests that must hold for all of them (the write
/// gate, retries). [`variant`] is an exhaustive match, so adding a variant does not compile
/// until it has a number; the test below then fails until this list has an example of it.
#[cfg(test)]
pub(crate) fn one_of_each() -> Vec<Op> {
    let patron = PatronId::parse("p").expect("literal");
    let fields = vec![ApiField::parse("vip").expect("literal")];
    vec![
        Op::HiveAdd {
            patron: patron.clone(),
            fields: fields.clone(),
        },
        Op::HiveRemove { patron, fields },
        Op::CeregoAdd {
            user: CeregoUserId::parse("1").expect("literal"),
            tag_type: TagTypeId::parse("3").expect("literal"),
            value: TagValue::parse("v").expect("literal"),
        },
        Op::CeregoUpdate {
            tag: TagId::parse("9").expect("literal"),
            value: TagValue::parse("v").expect("literal"),
        },
        Op::CeregoSet {
            user: CeregoUserId::parse("1").expect("literal"),
            tags: vec![TagSetting::parse("3=v").expect("literal")],
        },
        Op::CeregoListUsers {
            partner: PartnerId::parse("4242").expect("literal"),
            query: None,
            departments: false,
        },
        Op::CeregoProfile,
        Op::Raw(Box::new(RawRequest {
            service: Service::Hive,
            method: request::Method::Post,
            path: request::HIVE_ADD_PATH.into(),
            body: Some(serde_json::json!({"patron_id": "p"})),
            wrong_key: false,
            label: "no user_tags_api_fields".into(),
        })),
    ]
}

/// The number of an Op's variant (see [`one_of_each`]).
#[cfg(test)]
pub(crate) fn variant(op: &Op) -> usize {
    match op {
        Op::HiveAdd { .. } => 0,
        Op::HiveRemove { .. } => 1,
        Op::CeregoAdd { .. } => 2,
        Op::CeregoUpdate { .. } => 3,
        Op::CeregoListUsers { .. } => 4,
        Op::CeregoProfile => 5,
        Op::Raw(_) => 6,
        Op::CeregoSet { .. } => 7,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_of_each_has_every_variant_once() {
        let mut seen: Vec<usize> = super::one_of_each().iter().map(super::variant).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..seen.len()).collect::<Vec<_>>());
        let highest = super::one_of_each().iter().map(super::variant).max();
        assert_eq!(highest, Some(seen.len() - 1), "a variant has no example");
    }

    use super::*;

    fn patron(s: &str) -> PatronId {
        PatronId::parse(s).unwrap()
    }

    fn fields(s: &str) -> Vec<ApiField> {
        ApiField::parse_list(s).unwrap()
    }

    #[test]
    fn every_op_name_is_its_journal_tag() {
        for op in one_of_each() {
            let json = serde_json::to_value(&op).unwrap();
            assert_eq!(json["op"], op.name(), "{op:?}");
        }
        let names: Vec<&str> = one_of_each().iter().map(Op::name).collect();
        assert_eq!(
            names,
            Op::NAMES,
            "Op::NAMES lists every name once, in order"
        );
    }

    #[test]
    fn every_op_says_what_it_touches_and_whether_it_can_be_undone() {
        for op in one_of_each() {
            let subject = op.subject();
            let changes = matches!(
                subject,
                Subject::Patron(_) | Subject::User(_) | Subject::Tag(_) | Subject::Raw(_)
            );
            assert_eq!(changes, op.is_mutation(), "{op:?}");
            assert_eq!(
                op.invertibility() == Invertibility::NothingChanged,
                !op.is_mutation(),
                "{op:?}"
            );
        }
        assert!(matches!(Op::CeregoProfile.subject(), Subject::KeyOwner));
    }

    #[test]
    fn hive_ops_describe_and_render_cli() {
        let op = Op::HiveAdd {
            patron: patron("user_abc123"),
            fields: fields("vip newsletter"),
        };
        assert_eq!(
            op.describe(),
            "Hive: add vip, newsletter to patron user_abc123"
        );
        assert_eq!(
            op.cli_command(&Place::Demo),
            "tagdesk --demo hive add user_abc123 vip newsletter"
        );
        assert_eq!(
            op.cli_command(&Place::of("prod eu", false)),
            "tagdesk --profile 'prod eu' hive add user_abc123 vip newsletter"
        );
        assert!(op.is_mutation());
        assert_eq!(op.service(), Service::Hive);

        let op = Op::HiveRemove {
            patron: patron("jane doe's"),
            fields: fields("vip"),
        };
        assert_eq!(
            op.cli_command(&Place::of("p", false)),
            r"tagdesk --profile p hive remove 'jane doe'\''s' vip"
        );

        let op = Op::HiveRemove {
            patron: patron("-odd"),
            fields: fields("vip"),
        };
        assert_eq!(
            op.cli_command(&Place::Demo),
            "tagdesk --demo hive remove -- -odd vip"
        );
    }

    #[test]
    fn cerego_ops_describe_and_render_cli() {
        let op = Op::CeregoAdd {
            user: CeregoUserId::parse("1185304").unwrap(),
            tag_type: TagTypeId::parse("3").unwrap(),
            value: TagValue::parse("The value of the tag").unwrap(),
        };
        assert_eq!(
            op.cli_command(&Place::of("staging", false)),
            "tagdesk --profile staging cerego add --user 1185304 --type 3 'The value of the tag'"
        );
        let op = Op::CeregoUpdate {
            tag: TagId::parse("84918").unwrap(),
            value: TagValue::parse("-5").unwrap(),
        };
        assert_eq!(
            op.cli_command(&Place::Demo),
            "tagdesk --demo cerego update -- 84918 -5"
        );
        assert_eq!(
            op.describe(),
            "Cerego: set the value of tag 84918 to \"-5\""
        );
        let op = Op::CeregoSet {
            user: CeregoUserId::parse("1185304").unwrap(),
            tags: vec![
                TagSetting::parse("5=California").unwrap(),
                TagSetting::parse("9=Sales and Marketing").unwrap(),
            ],
        };
        assert_eq!(
            op.cli_command(&Place::of("staging", false)),
            "tagdesk --profile staging cerego set --user 1185304 5=California \
             '9=Sales and Marketing'"
        );
        assert_eq!(
            op.describe(),
            "Cerego: set type 5 = \"California\", type 9 = \"Sales and Marketing\" on user 1185304"
        );
        assert_eq!(op.verb(), "set");
        assert_eq!(op.target(), "user 1185304");
        assert_eq!(op.retry_safety(), RetrySafety::Repeatable, "it converges");
        let op = Op::CeregoListUsers {
            partner: PartnerId::parse("4242").unwrap(),
            query: None,
            departments: true,
        };
        assert_eq!(
            op.cli_command(&Place::Demo),
            "tagdesk --demo cerego users --include-department-users"
        );
        assert_eq!(
            op.describe(),
            "Cerego: list the users of partner 4242 (department users included)"
        );
        let op = Op::CeregoListUsers {
            partner: PartnerId::parse("4242").unwrap(),
            query: Some("a@b.c".into()),
            departments: false,
        };
        assert_eq!(
            op.cli_command(&Place::Demo),
            "tagdesk --demo cerego users --query a@b.c"
        );
        assert!(!op.is_mutation());
        assert!(!Op::CeregoProfile.is_mutation());
    }

    #[test]
    fn shell_quote_handles_empty_and_specials() {
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
        assert_eq!(shell_quote("x"), "x");
    }

    #[test]
    fn ops_round_trip_through_json() {
        let op = Op::HiveAdd {
            patron: patron("p1"),
            fields: fields("vip"),
        };
        let json = serde_json::to_string(&op).unwrap();
        assert_eq!(json, r#"{"op":"hive_add","patron":"p1","fields":["vip"]}"#);
        let back: Op = serde_json::from_str(&json).unwrap();
        assert_eq!(back, op);
    }
}
