//! Seeds and configuration files: any text is read or refused with a reason, never a panic.

use super::*;

// ---------------------------------------------------------------------------------------------
// Seeds and configuration files
// ---------------------------------------------------------------------------------------------

pub(crate) const CONFIG_TEMPLATE: &str = include_str!("../../assets/config.template.toml");

#[derive(Debug, Clone)]
pub(crate) enum Edit {
    Delete(Index, usize),
    Insert(Index, String),
}

pub(crate) fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<Index>(), 1usize..12).prop_map(|(i, n)| Edit::Delete(i, n)),
        (
            any::<Index>(),
            prop_oneof![
                text(),
                select(
                    &[
                        "\"",
                        "'",
                        "[",
                        "]",
                        "[[",
                        "=",
                        "\n",
                        "#",
                        "{",
                        "}",
                        ",",
                        "\"\"\"",
                        "\\u00",
                        "é",
                        "1e999",
                        "99999999999999999999"
                    ][..]
                )
                .prop_map(str::to_string),
            ],
        )
            .prop_map(|(i, s)| Edit::Insert(i, s)),
    ]
}

pub(crate) fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        match e {
            Edit::Delete(i, n) => {
                let at = i.index(chars.len() + 1);
                let end = (at + n).min(chars.len());
                chars.drain(at..end);
            }
            Edit::Insert(i, s) => {
                let at = i.index(chars.len() + 1);
                chars.splice(at..at, s.chars());
            }
        }
    }
    chars.into_iter().collect()
}

/// A TOML document as JSON, mutated like the response documents, written back as TOML (or,
/// when TOML cannot express the result, as JSON text, which is just another invalid input).
pub(crate) fn mutated_toml(source: &'static str) -> impl Strategy<Value = String> {
    let doc: Value = {
        let table: toml::Table = toml::from_str(source).expect("the source is TOML");
        serde_json::to_value(table).expect("TOML as JSON")
    };
    prop::collection::vec(mutation(), 1..4).prop_map(move |mutations| {
        let mut doc = doc.clone();
        for m in &mutations {
            mutate(&mut doc, m);
        }
        strip_nulls(&mut doc);
        toml::to_string(&doc).unwrap_or_else(|_| doc.to_string())
    })
}

/// TOML has no null: drop them (a null member is a missing member).
pub(crate) fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => {
            items.retain(|v| !v.is_null());
            items.iter_mut().for_each(strip_nulls);
        }
        _ => {}
    }
}

pub(crate) fn toml_text(source: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        1 => "(?s).{0,200}",
        1 => prop::collection::vec(any::<u8>(), 0..200)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        3 => prop::collection::vec(edit(), 1..5).prop_map(move |e| apply_edits(source, &e)),
        3 => mutated_toml(source),
    ]
}

proptest! {
    #![proptest_config(config(96))]

    /// Seed::parse never panics; an accepted seed builds a model, its ids are ones the
    /// console can type, and it survives a trip through TOML unchanged.
    #[test]
    fn seed_parse_never_panics(text in toml_text(DEMO_SEED)) {
        if let Ok(seed) = Seed::parse(&text, "x") {
            let mut model = Model::new(&seed);
            let _ = model.answer(&Op::CeregoProfile);
            let (_, users) = model.answer(&Op::CeregoListUsers {
                partner: seed.cerego.partner_id.clone(),
                query: None,
                departments: false,
            });
            let _ = tagdesk::core::op::interpret(
                &Op::CeregoListUsers { partner: seed.cerego.partner_id.clone(), query: None, departments: false },
                200,
                users.to_string().as_bytes(),
            );
            if let Ok(again) = toml::to_string(&seed) {
                let reparsed = Seed::parse(&again, "x");
                prop_assert!(reparsed.is_ok(), "{:?}", reparsed.err());
                prop_assert_eq!(reparsed.ok(), Some(seed));
            }
        }
    }

    /// config::parse never panics, and its errors name the file.
    #[test]
    fn config_parse_never_panics(text in toml_text(CONFIG_TEMPLATE)) {
        match tagdesk::config::parse(&text, Path::new("cfg.toml")) {
            Ok(c) => {
                prop_assert!(c.timeouts.connect > 0.0 && c.timeouts.connect <= 600.0);
                prop_assert!(c.timeouts.total > 0.0 && c.timeouts.total <= 3600.0);
                if let Some(d) = &c.default_profile {
                    prop_assert!(c.profiles.contains_key(d));
                }
            }
            Err(e) => prop_assert!(e.to_string().starts_with("cfg.toml"), "{e}"),
        }
    }
}
