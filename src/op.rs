//! `Op`: the one description of every API action.
//!
//! A key press or a CLI invocation first becomes an `Op`; only then is it checked, journaled,
//! shown and executed. Because the value is plain data it can describe itself for the action
//! log and print the equivalent `tagdesk` command line, so anything done by hand can be
//! repeated from a script.

use serde::{Deserialize, Serialize};

use crate::domain::{ApiField, CeregoUserId, PartnerId, PatronId, TagId, TagTypeId, TagValue};

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
    /// `GET /v3/partners/:partner_id/users` (every page)
    CeregoListUsers {
        partner: PartnerId,
        query: Option<String>,
    },
    /// `GET /v3/my/profile`
    CeregoProfile,
}

impl Op {
    pub fn service(&self) -> Service {
        // Exhaustive on purpose: a new Op does not compile until its service is decided.
        match self {
            Op::HiveAdd { .. } | Op::HiveRemove { .. } => Service::Hive,
            Op::CeregoAdd { .. }
            | Op::CeregoUpdate { .. }
            | Op::CeregoListUsers { .. }
            | Op::CeregoProfile => Service::Cerego,
        }
    }

    /// Whether this Op changes anything on the server (and so must pass the write gate).
    /// Exhaustive on purpose: a new Op is not a read until someone says so.
    pub fn is_mutation(&self) -> bool {
        match self {
            Op::HiveAdd { .. }
            | Op::HiveRemove { .. }
            | Op::CeregoAdd { .. }
            | Op::CeregoUpdate { .. } => true,
            Op::CeregoListUsers { .. } | Op::CeregoProfile => false,
        }
    }

    /// A short verb for the action log's operation column.
    pub fn verb(&self) -> &'static str {
        match self {
            Op::HiveAdd { .. } | Op::CeregoAdd { .. } => "add",
            Op::HiveRemove { .. } => "remove",
            Op::CeregoUpdate { .. } => "update",
            Op::CeregoListUsers { .. } => "list",
            Op::CeregoProfile => "profile",
        }
    }

    /// What the Op acts on, for the action log's target column.
    pub fn target(&self) -> String {
        match self {
            Op::HiveAdd { patron, .. } | Op::HiveRemove { patron, .. } => patron.to_string(),
            Op::CeregoAdd { user, .. } => format!("user {user}"),
            Op::CeregoUpdate { tag, .. } => format!("tag {tag}"),
            Op::CeregoListUsers { partner, .. } => format!("partner {partner}"),
            Op::CeregoProfile => "my profile".to_string(),
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
            Op::CeregoListUsers { partner, query } => match query {
                Some(q) => format!("Cerego: look up \"{q}\" among the users of partner {partner}"),
                None => format!("Cerego: list the users of partner {partner}"),
            },
            Op::CeregoProfile => "Cerego: fetch the API key owner's profile".to_string(),
        }
    }

    /// The equivalent `tagdesk` command line, quoted for a POSIX shell. It names where the
    /// Op ran (`--profile NAME`, or `--demo`), so pasting it always acts on the same place.
    pub fn cli_command(&self, place: &Place) -> String {
        let mut words: Vec<String> = vec!["tagdesk".into()];
        match place {
            Place::Demo => words.push("--demo".into()),
            Place::Profile(name) => {
                words.push("--profile".into());
                words.push(name.clone());
            }
        }
        let mut push = |w: &str| words.push(w.to_string());
        match self {
            Op::HiveAdd { patron, fields } | Op::HiveRemove { patron, fields } => {
                push("hive");
                push(if matches!(self, Op::HiveAdd { .. }) {
                    "add"
                } else {
                    "remove"
                });
                let positional: Vec<&str> = std::iter::once(patron.as_str())
                    .chain(fields.iter().map(|f| f.as_str()))
                    .collect();
                if positional.iter().any(|w| w.starts_with('-')) {
                    push("--");
                }
                for w in positional {
                    push(w);
                }
            }
            Op::CeregoAdd {
                user,
                tag_type,
                value,
            } => {
                push("cerego");
                push("add");
                push("--user");
                push(user.as_str());
                push("--type");
                push(tag_type.as_str());
                if value.as_str().starts_with('-') {
                    push("--");
                }
                push(value.as_str());
            }
            Op::CeregoUpdate { tag, value } => {
                push("cerego");
                push("update");
                if value.as_str().starts_with('-') {
                    push("--");
                }
                push(tag.as_str());
                push(value.as_str());
            }
            Op::CeregoListUsers { query, .. } => {
                push("cerego");
                push("users");
                if let Some(q) = query {
                    push("--query");
                    push(q);
                }
            }
            Op::CeregoProfile => {
                push("cerego");
                push("profile");
            }
        }
        words
            .iter()
            .map(|w| shell_quote(w))
            .collect::<Vec<_>>()
            .join(" ")
    }
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

/// Quotes a word for a POSIX shell: plain words stay as they are, anything else is wrapped
/// in single quotes with embedded single quotes written as `'\''`.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.,/:@%+=".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
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
        Op::CeregoListUsers {
            partner: PartnerId::parse("4242").expect("literal"),
            query: None,
        },
        Op::CeregoProfile,
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
        let op = Op::CeregoListUsers {
            partner: PartnerId::parse("4242").unwrap(),
            query: Some("a@b.c".into()),
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
