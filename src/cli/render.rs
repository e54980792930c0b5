//! How an outcome is printed: human lines and JSON objects, a listing streamed row by row.

use super::{Format, err, out, out_raw};
use serde_json::{Value, json};

use crate::core::domain::TagType;
use crate::core::op::hive::HiveOutcome;
use crate::core::op::scenario::MessageCheck;
use crate::core::op::{Op, Output};
use crate::core::printable::{json_text, printable};
use crate::core::tag_names;
use crate::engine::exec::PageProgress;

/// Prints a user listing page by page: a header and rows for people, or one JSON object
/// whose `result.users` array is written as pages arrive.
pub(crate) struct UserPrinter {
    format: Format,
    /// The profile's tag types: a tag shows its type's name.
    types: Vec<TagType>,
    started: std::sync::atomic::AtomicBool,
    first_user: std::sync::atomic::AtomicBool,
}

impl UserPrinter {
    pub(crate) fn new(format: Format, types: &[TagType]) -> Self {
        Self {
            format,
            types: types.to_vec(),
            started: std::sync::atomic::AtomicBool::new(false),
            first_user: std::sync::atomic::AtomicBool::new(true),
        }
    }

    pub(crate) fn page(&self, page: &PageProgress) {
        use std::sync::atomic::Ordering;
        let first = !self.started.swap(true, Ordering::SeqCst);
        match self.format {
            Format::Human => {
                if first {
                    out(&format!("{:<10} {:<24} {:<32} tags", "id", "name", "email"));
                }
                for u in &page.users {
                    out(&user_row(u, &self.types));
                }
            }
            Format::Json => {
                if first {
                    out_raw("{\"result\":{\"users\":[");
                }
                for u in &page.users {
                    let sep = if self.first_user.swap(false, Ordering::SeqCst) {
                        ""
                    } else {
                        ","
                    };
                    let mut user = json!(u);
                    name_tag_types(&mut user, &self.types);
                    out_raw(&format!("{sep}{}", json_text(&user)));
                }
            }
        }
    }

    pub(crate) fn finish_human(&self, output: &Output) {
        if let Output::Users(_) = output {
            // The summary ends with "— cut short: …" when a limit stopped the listing.
            err(&format!("tagdesk: {}", printable(&output.summary())));
        }
    }

    /// Closes the streamed JSON object with the rest of `value` (its other fields).
    pub(crate) fn finish_json(&self, mut value: Value) {
        use std::sync::atomic::Ordering;
        if !self.started.load(Ordering::SeqCst) {
            out_raw("{\"result\":{\"users\":[");
        }
        let (result_rest, rest) = match value.as_object_mut() {
            Some(map) => {
                let result = map.remove("result");
                let result_rest = match result {
                    Some(Value::Object(mut r)) => {
                        r.remove("users");
                        r
                    }
                    _ => serde_json::Map::new(),
                };
                (result_rest, std::mem::take(map))
            }
            None => (serde_json::Map::new(), serde_json::Map::new()),
        };
        let mut tail = String::from("]");
        for (k, v) in result_rest {
            tail.push_str(&format!(",{}:{}", json_text(&json!(k)), json_text(&v)));
        }
        tail.push('}');
        for (k, v) in rest {
            tail.push_str(&format!(",{}:{}", json_text(&json!(k)), json_text(&v)));
        }
        tail.push('}');
        out(&tail);
    }
}

/// One user as a line of `tagdesk cerego users`: each tag as `TAG_ID:TYPE=VALUE`, TYPE the
/// configured name of its tag type (else its id).
fn user_row(u: &crate::core::op::cerego::CeregoUser, types: &[TagType]) -> String {
    let tags: Vec<String> = u
        .tags
        .iter()
        .map(|t| {
            format!(
                "{}:{}={}",
                t.id,
                t.tag_type_id
                    .as_deref()
                    .map_or_else(|| "?".to_string(), |id| tag_names::label(id, types)),
                t.value.as_deref().unwrap_or("?")
            )
        })
        .collect();
    printable(&format!(
        "{:<10} {:<24} {:<32} {}",
        u.id,
        u.name.as_deref().unwrap_or(""),
        u.email.as_deref().unwrap_or(""),
        tags.join(" ")
    ))
    .into_owned()
}

/// Adds `tag_type_name` beside every `tag_type_id` of `value` that names a configured tag
/// type (the fields already there are kept as they are).
pub(crate) fn name_tag_types(value: &mut Value, types: &[TagType]) {
    if types.is_empty() {
        return;
    }
    match value {
        Value::Object(map) => {
            let name = map
                .get("tag_type_id")
                .and_then(Value::as_str)
                .and_then(|id| tag_names::name_of(id, types));
            if let Some(name) = name {
                map.insert("tag_type_name".into(), json!(name));
            }
            for v in map.values_mut() {
                name_tag_types(v, types);
            }
        }
        Value::Array(items) => {
            for v in items {
                name_tag_types(v, types);
            }
        }
        _ => {}
    }
}

/// What a tag's type reads as for people: `Plan, type 5`, or `type 5` without a name.
fn type_label(id: Option<&str>, types: &[TagType]) -> String {
    let id = id.unwrap_or("?");
    match tag_names::name_of(id, types) {
        Some(name) => format!("{}, type {}", printable(name), printable(id)),
        None => format!("type {}", printable(id)),
    }
}

/// The JSON form of a result, each tag's type named beside its id.
pub fn output_json(output: &Output, types: &[TagType]) -> Value {
    let mut value = output_value(output);
    name_tag_types(&mut value, types);
    value
}

fn output_value(output: &Output) -> Value {
    match output {
        Output::Hive(o) => {
            let s = o.scenario();
            let (changed, unchanged) = HiveOutcome::array_names(o.action);
            json!({
                "message": o.message,
                "patron_id": o.patron_id,
                changed: o.changed,
                unchanged: o.unchanged,
                "failed": o.failed,
                "scenario": s.label(),
                "documented_message": s.documented_message(),
                "message_check": o.message_check(),
                "missing_fields": o.missing_fields,
            })
        }
        Output::Tag(t) => json!(t),
        Output::TagsSet(s) => json!(s),
        Output::Users(u) => json!(u),
        Output::KeyOwner(p) => json!(p),
        Output::Raw { status } => json!({ "status": status }),
    }
}

/// The human form of a result, made printable; a tag's type shows its configured name.
pub fn human(op: &Op, output: &Output, status: Option<u16>, types: &[TagType]) -> String {
    let status = status.map(|s| format!("HTTP {s}")).unwrap_or_default();
    match output {
        Output::Hive(o) => {
            let b = o.breakdown();
            let check = match b.check {
                MessageCheck::Match => "MATCH".to_string(),
                MessageCheck::Mismatch => {
                    format!("MISMATCH (documented: \"{}\")", b.documented.unwrap_or(""))
                }
                MessageCheck::Undocumented => "UNDOCUMENTED (all arrays empty)".to_string(),
            };
            let (changed, changed_list) = &b.changed;
            let (unchanged, unchanged_list) = &b.unchanged;
            let mut out = format!(
                "{} · {status}\n{}\nscenario: {} · {check}\n{changed:<22}{}\n{unchanged:<22}{}\n",
                printable(&op.describe()),
                printable(
                    b.message
                        .as_deref()
                        .unwrap_or("(no message in the response)")
                ),
                b.scenario,
                printable(changed_list),
                printable(unchanged_list),
            );
            if b.failed.is_empty() {
                out.push_str(&format!("{:<22}(none)", "failed"));
            } else {
                out.push_str("failed");
                for (field, reason) in &b.failed {
                    out.push_str(&format!("\n  {} — {}", printable(field), printable(reason)));
                }
            }
            out
        }
        Output::Tag(t) => format!(
            "{} · {status}\ntag {} ({}) of user {} = \"{}\" · updated {}",
            printable(&op.describe()),
            printable(&t.id),
            type_label(t.tag_type_id.as_deref(), types),
            printable(t.user_id.as_deref().unwrap_or("?")),
            printable(t.value.as_deref().unwrap_or("")),
            printable(t.updated_at.as_deref().unwrap_or("?")),
        ),
        Output::TagsSet(set) => {
            let mut out = format!("{} · {status}", printable(&op.describe()));
            match &set.tags {
                None => out.push_str("\n(the response listed no tags)"),
                Some(tags) if tags.is_empty() => out.push_str("\nthe user has no tags"),
                Some(tags) => {
                    for t in tags {
                        out.push_str(&format!(
                            "\ntag {} ({}) = \"{}\" · updated {}",
                            printable(&t.id),
                            type_label(t.tag_type_id.as_deref(), types),
                            printable(t.value.as_deref().unwrap_or("")),
                            printable(t.updated_at.as_deref().unwrap_or("?")),
                        ));
                    }
                }
            }
            out
        }
        // A listing is printed page by page as it arrives (see `UserPrinter`); this is
        // what stays to say at its end.
        Output::Users(_) => printable(&output.summary()).into_owned(),
        Output::KeyOwner(p) => format!(
            "{} · {status}\n{} <{}> (user {})",
            printable(&op.describe()),
            printable(p.name.as_deref().unwrap_or("?")),
            printable(p.email.as_deref().unwrap_or("?")),
            printable(&p.id)
        ),
        Output::Raw { .. } => format!("{} · {status}", printable(&op.describe())),
    }
}
