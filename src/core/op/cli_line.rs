//! The equivalent `tagdesk` command line of an Op, so anything done by hand can be
//! repeated from a script.

use super::{Op, Place};

impl Op {
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
            Op::CeregoSet { user, tags } => {
                push("cerego");
                push("set");
                push("--user");
                push(user.as_str());
                // TYPE=VALUE never starts with '-': a type id is digits.
                for t in tags {
                    push(&format!("{}={}", t.tag_type, t.value));
                }
            }
            Op::CeregoListUsers {
                query, departments, ..
            } => {
                push("cerego");
                push("users");
                if let Some(q) = query {
                    push("--query");
                    push(q);
                }
                if *departments {
                    push("--include-department-users");
                }
            }
            Op::CeregoProfile => {
                push("cerego");
                push("profile");
            }
            // tagdesk has no command that sends a request past its checks: the equivalent
            // is curl, against the service's URL variable (never the key's value).
            Op::Raw(raw) => {
                let base = match raw.service {
                    super::Service::Hive => "$TAGDESK_HIVE_URL",
                    super::Service::Cerego => "$TAGDESK_CEREGO_URL",
                };
                // A shell comment names where it ran, as every rendered command does.
                let place = match place {
                    Place::Demo => "--demo".to_string(),
                    Place::Profile(name) => format!("--profile {}", shell_quote(name)),
                };
                return format!(
                    "{}  # raw request, sent through tagdesk {place}",
                    super::raw::curl_command(raw.service, base, &raw.spec(), raw.wrong_key)
                );
            }
        }
        words
            .iter()
            .map(|w| shell_quote(w))
            .collect::<Vec<_>>()
            .join(" ")
    }
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
