//! The configuration's JSON Schema (`tagdesk config schema`, `schemas/config.schema.json`),
//! generated from the very types the reader uses ([`FileConfig`] and everything under it).
//!
//! The derived parts follow serde's attributes (`deny_unknown_fields` becomes
//! `additionalProperties: false`, so an editor flags a misspelt key). The values the reader
//! checks by hand — ids, api_fields, colours, themes, keys, URLs, ranges — are described
//! here by what the reader accepts, so the schema refuses no file that `tagdesk config check`
//! would take, and accepts as few as it can of those it would refuse.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use super::FileConfig;
use super::bindings::Action;
use crate::core::domain::{API_FIELD_MAX, ApiField, NUMERIC_ID_MAX, PartnerId, TagTypeId};

/// Where editors find the schema: the line `config init` writes first in the template, and
/// the file it writes beside the configuration.
pub const SCHEMA_FILE: &str = "config.schema.json";

/// The configuration's JSON Schema (draft-07, which taplo, tombi and Even Better TOML all
/// read), as pretty JSON with a trailing newline.
pub fn schema_text() -> String {
    let mut schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<FileConfig>();
    // TOML has no null: an optional key is one that may be left out.
    without_null(schema.as_object_mut().into_iter().flatten());
    schema.insert("title".into(), "tagdesk configuration".into());
    schema.insert(
        "description".into(),
        "tagdesk's configuration file (config.toml). See docs/src/configuration.md; \
         `tagdesk config check` checks a file and each profile's keys."
            .into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Takes `null` out of every schema under these entries: `"type": ["string", "null"]`
/// becomes `"type": "string"`, and `"anyOf": [S, {"type": "null"}]` becomes S itself (merged
/// into the schema that held it, its description kept).
fn without_null<'a>(entries: impl Iterator<Item = (&'a String, &'a mut serde_json::Value)>) {
    use serde_json::Value;
    for (_, value) in entries {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(types)) = map.get_mut("type") {
                    types.retain(|t| t != "null");
                    if types.len() == 1 {
                        let only = types.remove(0);
                        map.insert("type".into(), only);
                    }
                }
                if map.get("default") == Some(&Value::Null) {
                    map.remove("default");
                }
                // Doc comments' line breaks are the source's, not the text's.
                if let Some(Value::String(text)) = map.get_mut("description") {
                    *text = text
                        .replace(".\n\n", ".\u{0}")
                        .replace('\n', " ")
                        .replace('\u{0}', ".\n\n");
                }
                let null = serde_json::json!({"type": "null"});
                if let Some(Value::Array(any)) = map.get("anyOf")
                    && any.len() == 2
                    && any.contains(&null)
                    && let Some(Value::Object(other)) = any.iter().find(|s| **s != null).cloned()
                {
                    map.remove("anyOf");
                    for (k, v) in other {
                        map.entry(k).or_insert(v);
                    }
                }
                without_null(map.iter_mut());
            }
            Value::Array(items) => {
                for item in items {
                    if let Value::Object(map) = item {
                        without_null(map.iter_mut());
                    }
                }
            }
            _ => {}
        }
    }
}

/// `[A-Za-z]` for each letter of `word`: a case-insensitive pattern for the regular
/// expressions of JSON Schema, which have no flags.
fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
            } else {
                regex_escape(c)
            }
        })
        .collect()
}

fn regex_escape(c: char) -> String {
    if "\\^$.|?*+()[]{}".contains(c) {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

/// A numeric id as `domain::numeric` reads it: 1 to 18 digits, surrounding spaces trimmed.
fn numeric_id(description: &str, example: &str) -> Schema {
    json_schema!({
        "type": "string",
        "description": description,
        "pattern": format!("^\\s*[0-9]{{1,{NUMERIC_ID_MAX}}}\\s*$"),
        "examples": [example],
    })
}

impl JsonSchema for PartnerId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PartnerId".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        numeric_id(
            "The Cerego partner's id: a number written as a string (1 to 18 digits).",
            "4242",
        )
    }
}

impl JsonSchema for TagTypeId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TagTypeId".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        numeric_id(
            "A Cerego partner user tag type id: a number written as a string (1 to 18 \
             digits; Cerego support gives them).",
            "3",
        )
    }
}

impl JsonSchema for ApiField {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ApiField".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A Hive tag's api_field (\"API value\" in the dashboard): 1 to 100 \
                characters, no spaces, commas or control characters.",
            "pattern": format!(
                "^\\s*[^\\s,\\u0000-\\u001f\\u007f-\\u009f]{{1,{API_FIELD_MAX}}}\\s*$"
            ),
            "examples": ["vip_user"],
        })
    }
}

/// The colour names `colour::Colour::parse` knows, as the docs spell them.
const COLOUR_NAMES: [&str; 17] = [
    "reset",
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "dark-gray",
    "light-red",
    "light-green",
    "light-yellow",
    "light-blue",
    "light-magenta",
    "light-cyan",
    "white",
];

/// A profile's `color`: a colour name (any case; `-`, `_` or spaces between the words;
/// `grey` for `gray`), `#rrggbb`, or a 256-colour index.
pub(super) fn colour(_: &mut SchemaGenerator) -> Schema {
    let names: Vec<String> = COLOUR_NAMES
        .iter()
        .map(|name| {
            // `grey` reads as `gray`: the `a` of gray only.
            name.replace("gray", "gr\u{1}y")
                .chars()
                .filter(|c| *c != '-')
                .map(|c| match c {
                    '\u{1}' => "[aAeE]".to_string(),
                    c => any_case(&c.to_string()),
                })
                .collect::<Vec<_>>()
                .join("[-_ ]*")
        })
        .collect();
    json_schema!({
        "type": "string",
        "description": "The colour of the console's header for this profile: a colour name \
            (red, light-blue, dark-gray, …), #rrggbb, or a 256-colour index (0-255).",
        "anyOf": [
            {"enum": COLOUR_NAMES},
            {"pattern": format!("^\\s*(?:{})\\s*$", names.join("|"))},
            {"pattern": "^\\s*#[0-9A-Fa-f]{6}\\s*$"},
            {"pattern": "^\\s*\\+?0*(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\s*$"},
        ],
        "examples": ["green", "#1e90ff"],
    })
}

/// The file's `theme`.
pub(super) fn theme(_: &mut SchemaGenerator) -> Schema {
    let names = ["dark", "light", "monochrome", "mono", "none"];
    let any: Vec<String> = names.iter().map(|n| any_case(n)).collect();
    json_schema!({
        "type": "string",
        "description": "The console's colours: dark (the default), light (for light \
            backgrounds) or monochrome (no colour; NO_COLOR selects it too).",
        "anyOf": [
            {"enum": ["dark", "light", "monochrome"]},
            {"pattern": format!("^\\s*(?:{})\\s*$", any.join("|"))},
        ],
    })
}

/// A base URL: http or https (plain http only to this machine unless the profile allows it).
pub(super) fn base_url(generator: &mut SchemaGenerator) -> Schema {
    let _ = generator;
    json_schema!({
        "type": "string",
        "description": "The API's base URL: https, or http to this machine (another host \
            needs allow_insecure_http = true in the profile).",
        "pattern": format!("^\\s*{}s?://", any_case("http")),
    })
}

/// One key as `[keys]` writes it (`bindings::Chord::parse`).
fn chord() -> Schema {
    let named = [
        "enter",
        "return",
        "esc",
        "escape",
        "tab",
        "backtab",
        "space",
        "backspace",
        "delete",
        "del",
        "insert",
        "ins",
        "up",
        "down",
        "left",
        "right",
        "home",
        "end",
        "pgup",
        "pageup",
        "pgdn",
        "pagedown",
    ];
    let mods = ["ctrl-", "c-", "alt-", "m-", "shift-"];
    let named: Vec<String> = named.iter().map(|n| any_case(n)).collect();
    let mods: Vec<String> = mods.iter().map(|m| any_case(m)).collect();
    json_schema!({
        "type": "string",
        "description": "A key: a character (a, G, ?), a name (enter, esc, tab, backtab, space, \
            backspace, delete, insert, up, down, left, right, home, end, pgup, pgdn, f1…f12), \
            with ctrl-, alt- or shift- before it.",
        "pattern": format!(
            "^\\s*(?:{})*(?:[^\\u0000-\\u001f\\u007f-\\u009f]|{}|[fF](?:1[0-2]|0*[1-9]))\\s*$",
            mods.join("|"),
            named.join("|")
        ),
    })
}

/// `[keys]`: each action by its name, with the keys that replace its defaults.
pub(super) fn keys(_: &mut SchemaGenerator) -> Schema {
    let mut properties = serde_json::Map::new();
    for action in Action::ALL {
        let spec = action.spec();
        let what = spec
            .main
            .map(|m| m.help.to_string())
            .unwrap_or_else(|| format!("the {} action of a popup", action.name()));
        properties.insert(
            action.name().into(),
            json_schema!({
                "type": "array",
                "description": format!("{what} (default: {})", spec.keys.join(", ")),
                "items": chord(),
                "minItems": 1,
                "default": spec.keys,
            })
            .into(),
        );
    }
    json_schema!({
        "type": "object",
        "description": "Console key overrides: action name → the keys that replace its \
            defaults (see docs/src/console.md, Rebinding keys).",
        "properties": properties,
        "additionalProperties": false,
    })
}
