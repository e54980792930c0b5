//! Cerego tag types by the names people know them by: wherever a tag type id is asked
//! (`cerego add --type`, `cerego set TYPE=VALUE`, a Cerego CSV's `tag_type_id` column), a
//! name the profile configures (`[[profiles.*.cerego.tag_types]]`, matched without regard
//! to case) is read as its id; and wherever one is shown, its name stands beside or for the
//! id. What is sent and journaled is always the id.

use super::domain::{TagSetting, TagType, TagTypeId, TagValue};
use super::printable::printable;

/// Reads a tag type given by a person: a configured id, a configured name (any case), or
/// any other id (a number: the server decides whether the type exists). Anything else is
/// refused, the configured types listed.
pub fn resolve(raw: &str, types: &[TagType]) -> Result<TagTypeId, String> {
    let given = raw.trim();
    if given.is_empty() {
        // Refused there with the usual words ("must not be empty").
        return TagTypeId::parse(raw).map_err(|e| e.to_string());
    }
    if let Some(t) = types.iter().find(|t| t.id.as_str() == given) {
        return Ok(t.id.clone());
    }
    let wanted = given.to_lowercase();
    let mut named: Vec<&TagType> = Vec::new();
    for t in types {
        if t.name.trim().to_lowercase() == wanted && !named.iter().any(|n| n.id == t.id) {
            named.push(t);
        }
    }
    match named.as_slice() {
        [one] => return Ok(one.id.clone()),
        [] => {}
        several => {
            return Err(format!(
                "tag type \"{}\" names several of the profile's tag types ({}): give the id",
                printable(given),
                listed(several.iter().copied())
            ));
        }
    }
    if given.chars().all(|c| c.is_ascii_digit()) {
        return TagTypeId::parse(given).map_err(|e| e.to_string());
    }
    Err(unknown(given, types))
}

/// The refusal of a tag type that is neither a configured name nor an id.
fn unknown(given: &str, types: &[TagType]) -> String {
    let given = printable(given);
    if types.is_empty() {
        format!(
            "unknown tag type \"{given}\": the profile configures no tag types \
             (cerego.tag_types), so give the tag type id (a number like 3)"
        )
    } else {
        format!(
            "unknown tag type \"{given}\": the profile's tag types are {}",
            listed(types.iter())
        )
    }
}

/// `Cohort (3), Plan (5)`: the types as the refusals list them.
pub fn listed<'a>(types: impl Iterator<Item = &'a TagType>) -> String {
    types
        .map(|t| {
            if t.name.trim().is_empty() {
                t.id.to_string()
            } else {
                format!("{} ({})", printable(t.name.trim()), t.id)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads `TYPE=VALUE` where TYPE is a tag type name or id (split at the first `=`).
pub fn setting(raw: &str, types: &[TagType]) -> Result<TagSetting, String> {
    let Some((tag_type, value)) = raw.split_once('=') else {
        return Err(format!(
            "tag setting: \"{}\" is not TYPE=VALUE (a tag type name or id, \"=\", then the \
             value, like Plan=Silver or 5=Silver)",
            printable(raw)
        ));
    };
    Ok(TagSetting {
        tag_type: resolve(tag_type, types)?,
        value: TagValue::parse(value).map_err(|e| e.to_string())?,
    })
}

/// The configured name of tag type `id`, if it has a non-empty one.
pub fn name_of<'a>(id: &str, types: &'a [TagType]) -> Option<&'a str> {
    types
        .iter()
        .find(|t| t.id.as_str() == id)
        .map(|t| t.name.trim())
        .filter(|n| !n.is_empty())
}

/// What to show for tag type `id`: its configured name, else the id.
pub fn label(id: &str, types: &[TagType]) -> String {
    name_of(id, types).unwrap_or(id).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types() -> Vec<TagType> {
        [("3", "Cohort"), ("5", "Plan"), ("2024", "Region")]
            .iter()
            .map(|(id, name)| TagType {
                id: TagTypeId::parse(id).unwrap(),
                name: name.to_string(),
            })
            .collect()
    }

    #[test]
    fn names_in_any_case_and_ids_both_read_as_the_id() {
        let t = types();
        assert_eq!(resolve("Cohort", &t).unwrap().as_str(), "3");
        assert_eq!(resolve(" pLAN ", &t).unwrap().as_str(), "5");
        assert_eq!(resolve("5", &t).unwrap().as_str(), "5");
        // An id the profile does not configure is still an id: the server decides.
        assert_eq!(resolve("77", &t).unwrap().as_str(), "77");
        assert_eq!(label("5", &t), "Plan");
        assert_eq!(label("77", &t), "77");
    }

    #[test]
    fn an_unknown_name_lists_the_configured_types() {
        let e = resolve("Plann", &types()).unwrap_err();
        assert_eq!(
            e,
            "unknown tag type \"Plann\": the profile's tag types are Cohort (3), Plan (5), \
             Region (2024)"
        );
        let e = resolve("Plan", &[]).unwrap_err();
        assert!(e.contains("configures no tag types"), "{e}");
        assert!(
            resolve("", &types())
                .unwrap_err()
                .contains("must not be empty")
        );
        assert!(
            resolve("  ", &types())
                .unwrap_err()
                .starts_with("tag type id")
        );
    }

    #[test]
    fn a_name_shared_by_two_types_asks_for_the_id() {
        let mut t = types();
        t.push(TagType {
            id: TagTypeId::parse("9").unwrap(),
            name: "PLAN".into(),
        });
        let e = resolve("plan", &t).unwrap_err();
        assert!(
            e.contains("Plan (5), PLAN (9)") && e.contains("give the id"),
            "{e}"
        );
    }

    #[test]
    fn settings_take_a_name_or_an_id_before_the_first_equals() {
        let t = types();
        let s = setting("Plan=Silver = Gold", &t).unwrap();
        assert_eq!(
            (s.tag_type.as_str(), s.value.as_str()),
            ("5", "Silver = Gold")
        );
        assert_eq!(setting("3=x", &t).unwrap().tag_type.as_str(), "3");
        assert!(
            setting("Silver", &t)
                .unwrap_err()
                .contains("is not TYPE=VALUE")
        );
        assert!(
            setting("Plann=x", &t)
                .unwrap_err()
                .starts_with("unknown tag type")
        );
        assert!(setting("Plan=", &t).unwrap_err().starts_with("tag value"));
    }
}
