//! Domain values: the validation rules hold for any input.

use super::*;

// ---------------------------------------------------------------------------------------------
// Domain values
// ---------------------------------------------------------------------------------------------

pub(crate) fn raw_input() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "(?s).{0,30}",
        2 => "\\PC{0,30}",
        2 => text(),
        2 => "[ \t]{0,2}[0-9]{0,22}[ \t\n]{0,2}",
        2 => "[ ,]{0,2}[a-z_]{1,6}([ ,\t]{1,3}[a-z_]{1,6}){0,4}[ ,]{0,2}",
        1 => (select(&["x", "é", "9", " ", "👍", "a b"][..]), 95usize..260).prop_map(|(s, n)| s.repeat(n)),
        1 => ("[ \u{a0}\u{2003}\u{3000}\u{85}\t]{0,3}", "\\PC{1,10}", "[ \u{a0}\u{2003}\u{3000}\u{85}\t]{0,3}")
            .prop_map(|(a, b, c)| format!("{a}{b}{c}")),
    ]
}

/// Accepted values are trimmed, non-empty, within `max` characters, free of control
/// characters, and read back as themselves.
pub(crate) fn check_text_value<T: PartialEq + std::fmt::Debug>(
    raw: &str,
    parse: fn(&str) -> Result<T, tagdesk::core::domain::InvalidInput>,
    as_str: fn(&T) -> &str,
    max: usize,
) -> Result<Option<String>, TestCaseError> {
    match parse(raw) {
        Ok(v) => {
            let s = as_str(&v).to_string();
            prop_assert!(!s.is_empty());
            prop_assert_eq!(s.as_str(), raw.trim());
            prop_assert!(!has_control(&s), "{s:?}");
            prop_assert!(s.chars().count() <= max, "{} chars", s.chars().count());
            prop_assert_eq!(parse(&s).ok(), Some(v));
            Ok(Some(s))
        }
        Err(e) => {
            prop_assert!(!e.problem.is_empty());
            prop_assert!(e.to_string().starts_with(e.field));
            Ok(None)
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn domain_values_are_idempotent(raw in raw_input()) {
        check_text_value(&raw, PatronId::parse, |v| v.as_str(), 256)?;
        check_text_value(&raw, TagValue::parse, |v| v.as_str(), 255)?;
        check_text_value(&raw, LookupQuery::parse, |v| v.as_str(), 254)?;
        if let Some(s) = check_text_value(&raw, ApiField::parse, |v| v.as_str(), 100)? {
            prop_assert!(!s.contains(char::is_whitespace) && !s.contains(','), "{s:?}");
        }
        for id in [
            check_text_value(&raw, CeregoUserId::parse, |v| v.as_str(), 18)?,
            check_text_value(&raw, TagTypeId::parse, |v| v.as_str(), 18)?,
            check_text_value(&raw, TagId::parse, |v| v.as_str(), 18)?,
            check_text_value(&raw, PartnerId::parse, |v| v.as_str(), 18)?,
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!(id.chars().all(|c| c.is_ascii_digit()), "{id:?}");
        }
    }

    #[test]
    fn api_field_lists_are_idempotent(raw in raw_input()) {
        if let Ok(list) = ApiField::parse_list(&raw) {
            prop_assert!(!list.is_empty());
            let names: Vec<&str> = list.iter().map(|f| f.as_str()).collect();
            let distinct: HashSet<&str> = names.iter().copied().collect();
            prop_assert_eq!(distinct.len(), names.len(), "duplicates in {:?}", names);
            for f in &list {
                prop_assert!(!has_control(f.as_str()));
                prop_assert_eq!(ApiField::parse(f.as_str()).ok(), Some(f.clone()));
            }
            prop_assert_eq!(ApiField::parse_list(&names.join(", ")).ok(), Some(list.clone()));
            prop_assert_eq!(ApiField::parse_list(&names.join(" ")).ok(), Some(list));
        }
    }
}
