//! Validated values that travel to the APIs.
//!
//! Everything an operator types, a script passes or a file holds goes through one of these
//! constructors before it may become part of an [`crate::core::op::Op`]. The rules are deliberately
//! the same in the console, the CLI and the simulator's seed loader, so a value that is refused
//! in one place is refused everywhere, with the same message.
//!
//! Limits (documented in docs/src/console.md, Input rules):
//! - patron id: 1–256 characters, no control characters.
//! - Hive api_field: 1–100 characters, no whitespace, commas or control characters.
//! - Cerego ids (user, tag type, tag, partner): 1–18 ASCII digits.
//! - Cerego tag value: 1–255 characters, no control characters (so no line breaks).
//!
//! Surrounding whitespace is trimmed (a pasted `" user_abc123 "` means `user_abc123`);
//! whitespace inside a value is kept.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest patron id accepted.
pub const PATRON_ID_MAX: usize = 256;
/// Longest Hive api_field accepted.
pub const API_FIELD_MAX: usize = 100;
/// Longest Cerego tag value accepted.
pub const TAG_VALUE_MAX: usize = 255;
/// Longest numeric id accepted (fits an i64 / u64 comfortably).
pub const NUMERIC_ID_MAX: usize = 18;

/// Why a value was refused. `field` names what the operator was filling in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InvalidInput {
    pub field: &'static str,
    pub problem: String,
}

impl InvalidInput {
    fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}

/// Shared checks: trimmed, non-empty, not too long, free of control characters.
fn clean_text(field: &'static str, raw: &str, max: usize) -> Result<String, InvalidInput> {
    let trimmed = raw.trim();
    if raw.is_empty() {
        return Err(InvalidInput::new(field, "must not be empty"));
    }
    if trimmed.is_empty() {
        return Err(InvalidInput::new(field, "must not be only whitespace"));
    }
    if let Some(c) = trimmed.chars().find(|c| c.is_control()) {
        let what = match c {
            '\n' | '\r' => "a line break".to_string(),
            '\t' => "a tab".to_string(),
            other => format!("the control character U+{:04X}", other as u32),
        };
        return Err(InvalidInput::new(
            field,
            format!("must be a single line of text, but contains {what}"),
        ));
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(InvalidInput::new(
            field,
            format!("is {len} characters long; the limit is {max}"),
        ));
    }
    Ok(trimmed.to_string())
}

/// Free text that is not one of the types below (a Cerego user's name or email, a tag
/// type's name, as a simulator setup gives them): the same checks, at most `max`
/// characters; the trimmed text.
pub fn check_text(field: &'static str, raw: &str, max: usize) -> Result<String, InvalidInput> {
    clean_text(field, raw, max)
}

macro_rules! text_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// For literals in tagdesk's own code only (checked in debug builds and tests).
            #[allow(dead_code)]
            pub(crate) fn from_literal(s: &'static str) -> Self {
                debug_assert!(Self::parse(s).is_ok(), "invalid literal {s:?}");
                Self(s.to_string())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidInput;
            fn try_from(s: String) -> Result<Self, InvalidInput> {
                Self::parse(&s)
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidInput;
            fn from_str(s: &str) -> Result<Self, InvalidInput> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

text_newtype!(
    /// A Hive patron id: free-form, as the customer's platform names its users.
    PatronId
);
text_newtype!(
    /// A Hive tag's api_field ("API value" in the dashboard), e.g. `vip_user`.
    ApiField
);
text_newtype!(
    /// A Cerego user id (numeric).
    CeregoUserId
);
text_newtype!(
    /// A Cerego partner user tag type id (numeric, set up per account).
    TagTypeId
);
text_newtype!(
    /// A Cerego partner user tag id (numeric, `data.id` of a tag document).
    TagId
);
text_newtype!(
    /// A Cerego partner id (numeric).
    PartnerId
);
text_newtype!(
    /// The value of a Cerego tag.
    TagValue
);
text_newtype!(
    /// A Cerego user look-up: an email or a member id.
    LookupQuery
);

/// Longest look-up query accepted (an email address is at most 254 characters).
pub const LOOKUP_MAX: usize = 254;

impl LookupQuery {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        clean_text("query", raw, LOOKUP_MAX).map(Self)
    }
}

impl PatronId {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        clean_text("patron id", raw, PATRON_ID_MAX).map(Self)
    }
}

impl ApiField {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let s = clean_text("api_field", raw, API_FIELD_MAX)?;
        if s.contains(char::is_whitespace) {
            return Err(InvalidInput::new(
                "api_field",
                format!(
                    "\"{s}\" contains a space; api_fields use underscores (e.g. \"{}\")",
                    s.split_whitespace().collect::<Vec<_>>().join("_")
                ),
            ));
        }
        if s.contains(',') {
            return Err(InvalidInput::new(
                "api_field",
                format!("\"{s}\" contains a comma; give one api_field at a time"),
            ));
        }
        Ok(Self(s))
    }

    /// Splits operator input such as `"vip, newsletter beta"` into api_fields (commas and
    /// whitespace both separate), dropping duplicates but keeping the first-seen order.
    pub fn parse_list(raw: &str) -> Result<Vec<ApiField>, InvalidInput> {
        let mut out: Vec<ApiField> = Vec::new();
        for part in raw.split(|c: char| c == ',' || c.is_whitespace()) {
            if part.is_empty() {
                continue;
            }
            let field = ApiField::parse(part)?;
            if !out.contains(&field) {
                out.push(field);
            }
        }
        if out.is_empty() {
            return Err(InvalidInput::new(
                "api_fields",
                "give at least one api_field (separate several with commas or spaces)",
            ));
        }
        Ok(out)
    }
}

fn numeric(field: &'static str, raw: &str, example: &str) -> Result<String, InvalidInput> {
    let s = clean_text(field, raw, NUMERIC_ID_MAX + 64)?;
    if !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(InvalidInput::new(
            field,
            format!("\"{s}\" is not a number; {field}s are numbers like {example}"),
        ));
    }
    if s.len() > NUMERIC_ID_MAX {
        return Err(InvalidInput::new(
            field,
            format!("is {} digits long; the limit is {NUMERIC_ID_MAX}", s.len()),
        ));
    }
    Ok(s)
}

impl CeregoUserId {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        numeric("user id", raw, "1185304").map(Self)
    }
}

impl TagTypeId {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        numeric("tag type id", raw, "3").map(Self)
    }
}

impl TagId {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        numeric("tag id", raw, "84918").map(Self)
    }
}

impl PartnerId {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        numeric("partner id", raw, "4242").map(Self)
    }
}

impl TagValue {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        clean_text("tag value", raw, TAG_VALUE_MAX).map(Self)
    }
}

/// A Cerego tag type: its id and the name people know it by. The one type for it, shared
/// by the configuration (`[[profiles.*.cerego.tag_types]]`), the simulator's seed and the
/// console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TagType {
    pub id: TagTypeId,
    /// The name people know the tag type by (e.g. Cohort, Plan).
    pub name: String,
}

/// One object of a Cerego "set tags" request: the tag type and the value it should have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagSetting {
    pub tag_type: TagTypeId,
    pub value: TagValue,
}

impl TagSetting {
    /// Reads `TYPE=VALUE` (the CLI's and the batch files' spelling): the type id before the
    /// first `=`, the value after it, each checked like typed input.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let Some((tag_type, value)) = raw.split_once('=') else {
            return Err(InvalidInput::new(
                "tag setting",
                format!(
                    "\"{}\" is not TYPE=VALUE (a tag type id, \"=\", then the value, like \
                     5=California)",
                    crate::core::printable::printable(raw)
                ),
            ));
        };
        Ok(Self {
            tag_type: TagTypeId::parse(tag_type)?,
            value: TagValue::parse(value)?,
        })
    }

    /// Checks a request's settings: at least one, and each tag type named once (two values
    /// for one type in one request would leave the result to the server's whim).
    pub fn check_list(settings: &[TagSetting]) -> Result<(), InvalidInput> {
        if settings.is_empty() {
            return Err(InvalidInput::new("tags", "give at least one TYPE=VALUE"));
        }
        for (i, s) in settings.iter().enumerate() {
            if settings[..i].iter().any(|t| t.tag_type == s.tag_type) {
                return Err(InvalidInput::new(
                    "tags",
                    format!(
                        "tag type {} is named twice; one request sets each type once",
                        s.tag_type
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Which of Cerego's two families of tag endpoints a profile uses (SPEC §1.0): the
/// current docs' one "set tags" endpoint (the default), or the original document's add +
/// update pair.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TagsApi {
    /// `POST /v3/partner_user_tag_types/:id/partner_user_tags` and `PUT
    /// /v3/partner_user_tags/:id` (the original document's add + update).
    Legacy,
    /// `POST /v3/users/:user_id/partner_user_tags` (the current docs; the default).
    #[default]
    Set,
}

impl TagsApi {
    pub fn name(self) -> &'static str {
        match self {
            TagsApi::Legacy => "legacy",
            TagsApi::Set => "set",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        match raw.trim() {
            "legacy" => Ok(TagsApi::Legacy),
            "set" => Ok(TagsApi::Set),
            other => Err(InvalidInput::new(
                "tags_api",
                format!(
                    "\"{}\" is neither \"legacy\" nor \"set\"",
                    crate::core::printable::printable(other)
                ),
            )),
        }
    }
}

/// A tag of the Hive application's catalogue: its api_field and its display name. The one
/// type for it, shared by the configuration, the simulator's seed and the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HiveTag {
    pub api_field: ApiField,
    /// The tag's name in the Hive dashboard.
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patron_ids_are_trimmed_and_checked() {
        assert_eq!(
            PatronId::parse("  user_abc123 ").unwrap().as_str(),
            "user_abc123"
        );
        assert_eq!(
            PatronId::parse("").unwrap_err().to_string(),
            "patron id: must not be empty"
        );
        assert_eq!(
            PatronId::parse(" \t ").unwrap_err().to_string(),
            "patron id: must not be only whitespace"
        );
        assert!(
            PatronId::parse("a\nb")
                .unwrap_err()
                .to_string()
                .contains("a line break")
        );
        assert!(
            PatronId::parse("a\u{7}b")
                .unwrap_err()
                .to_string()
                .contains("U+0007")
        );
        let long = "x".repeat(PATRON_ID_MAX + 1);
        assert_eq!(
            PatronId::parse(&long).unwrap_err().to_string(),
            "patron id: is 257 characters long; the limit is 256"
        );
        assert!(PatronId::parse(&"é".repeat(PATRON_ID_MAX)).is_ok());
        // Spaces inside a patron id are allowed: the id is free-form.
        assert!(PatronId::parse("jane doe").is_ok());
    }

    #[test]
    fn api_fields_reject_spaces_and_commas() {
        assert_eq!(ApiField::parse("vip").unwrap().as_str(), "vip");
        let err = ApiField::parse("vip user").unwrap_err().to_string();
        assert!(err.contains("\"vip_user\""), "{err}");
        assert!(ApiField::parse("a,b").is_err());
        assert!(ApiField::parse(&"a".repeat(API_FIELD_MAX + 1)).is_err());
    }

    #[test]
    fn api_field_lists_split_on_commas_and_spaces_and_dedupe() {
        let list = ApiField::parse_list("vip, newsletter  beta,vip,,").unwrap();
        let names: Vec<_> = list.iter().map(|f| f.as_str()).collect();
        assert_eq!(names, ["vip", "newsletter", "beta"]);
        assert!(ApiField::parse_list(" , ,").is_err());
        assert!(ApiField::parse_list("ok, bad\u{1}").is_err());
    }

    #[test]
    fn numeric_ids_are_digits_only() {
        assert_eq!(
            CeregoUserId::parse(" 1185304 ").unwrap().as_str(),
            "1185304"
        );
        let err = CeregoUserId::parse("12a").unwrap_err().to_string();
        assert_eq!(
            err,
            "user id: \"12a\" is not a number; user ids are numbers like 1185304"
        );
        assert!(TagTypeId::parse("-3").is_err());
        assert!(TagId::parse(&"9".repeat(NUMERIC_ID_MAX + 1)).is_err());
        assert!(PartnerId::parse("").is_err());
    }

    #[test]
    fn tag_values_keep_inner_spaces_but_not_line_breaks() {
        assert_eq!(
            TagValue::parse(" The value of the tag ").unwrap().as_str(),
            "The value of the tag"
        );
        assert!(TagValue::parse("two\nlines").is_err());
        assert!(TagValue::parse(&"v".repeat(TAG_VALUE_MAX)).is_ok());
        assert!(TagValue::parse(&"v".repeat(TAG_VALUE_MAX + 1)).is_err());
    }

    #[test]
    fn serde_goes_through_validation() {
        let ok: PatronId = serde_json::from_str("\"user_abc123\"").unwrap();
        assert_eq!(ok.as_str(), "user_abc123");
        assert!(serde_json::from_str::<PatronId>("\"   \"").is_err());
    }
}
