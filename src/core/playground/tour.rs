//! A tour: plays in order with a caption each, for a presenter to narrate — every
//! documented outcome (`tagdesk demo`, or "play all" in the picker), or a custom sequence
//! from a TOML script (`tagdesk demo --script FILE`).
//!
//! A script is a list of `[[step]]` tables. A step either names a playground scenario by
//! its key (`scenario = "hive.add.added_pre_failed"`), or spells an operation:
//!
//! ```toml
//! [[step]]
//! caption = "Adding a tag the patron already has"
//! op = "hive_add"                  # hive_add | hive_remove | cerego_add | cerego_update
//! patron = "demo_tour"
//! fields = ["vip", "newsletter"]
//! tags = ["newsletter"]            # optional: the patron holds exactly these first
//! fault = "hive.add:503=1*1"       # optional: a simulator fault rule added first
//! ```
//!
//! Cerego steps take `user`, `tag_type` and `value` (add) or `tag` and `value` (update).

use serde::Deserialize;

use super::{Group, Play, Send, Setup, find, plays};
use crate::core::domain::{ApiField, CeregoUserId, PatronId, TagId, TagTypeId, TagValue};
use crate::core::op::Op;

/// One step: a play, the caption shown while it runs, and a fault rule to add first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TourStep {
    pub play: Play,
    pub caption: String,
    /// A simulator fault rule in its text form, added before the step is played (the
    /// caller checks its syntax: the rules are the simulator's).
    pub fault: Option<String>,
}

/// How a tour moves on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tour {
    pub steps: Vec<TourStep>,
    /// The pause after a step's answer before the next step starts.
    pub step_ms: u64,
    /// Wait for a key instead of the pause.
    pub manual: bool,
}

/// Every documented outcome, in the picker's order, each captioned with its title and what
/// it shows.
pub fn every_play() -> Vec<TourStep> {
    plays()
        .into_iter()
        .map(|play| TourStep {
            caption: format!("{} — {}", play.title, play.explain),
            play,
            fault: None,
        })
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    #[serde(default)]
    step: Vec<ScriptStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptStep {
    caption: Option<String>,
    scenario: Option<String>,
    op: Option<String>,
    patron: Option<String>,
    fields: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    user: Option<String>,
    tag_type: Option<String>,
    tag: Option<String>,
    value: Option<String>,
    fault: Option<String>,
}

/// Reads a tour script; every problem names its step (counting from 1).
pub fn from_script(text: &str) -> Result<Vec<TourStep>, String> {
    let script: Script = toml::from_str(text).map_err(|e| e.to_string())?;
    if script.step.is_empty() {
        return Err("the script has no [[step]]".into());
    }
    script
        .step
        .into_iter()
        .enumerate()
        .map(|(i, s)| step(s).map_err(|e| format!("step {}: {e}", i + 1)))
        .collect()
}

fn need(value: Option<String>, name: &str, op: &str) -> Result<String, String> {
    value.ok_or_else(|| format!("{op} needs `{name}`"))
}

fn step(s: ScriptStep) -> Result<TourStep, String> {
    let play = match (s.scenario.as_deref(), s.op.as_deref()) {
        (Some(_), Some(_)) => return Err("give either `scenario` or `op`, not both".into()),
        (None, None) => return Err("give `scenario` (a playground key) or `op`".into()),
        (Some(key), None) => find(key).ok_or_else(|| unknown_scenario(key))?,
        (None, Some(op)) => scripted(op, &s)?,
    };
    let caption = s.caption.unwrap_or_else(|| play.title.clone());
    Ok(TourStep {
        play,
        caption,
        fault: s.fault,
    })
}

/// An unknown scenario key, with every valid one (`tagdesk demo --list` prints them with
/// their titles).
fn unknown_scenario(key: &str) -> String {
    let keys: Vec<String> = plays().into_iter().map(|p| p.key).collect();
    format!(
        "no scenario {key:?}; the scenario keys are: {} (`tagdesk demo --list` shows each \
         with its title)",
        keys.join(", ")
    )
}

fn scripted(op: &str, s: &ScriptStep) -> Result<Play, String> {
    let e = |x: crate::core::domain::InvalidInput| x.to_string();
    let (group, built, setup) = match op {
        "hive_add" | "hive_remove" => {
            let patron = PatronId::parse(&need(s.patron.clone(), "patron", op)?).map_err(e)?;
            let fields = s
                .fields
                .clone()
                .ok_or_else(|| format!("{op} needs `fields`"))?
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    ApiField::parse(f).map_err(|x| format!("`fields` item {}: {x}", i + 1))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if fields.is_empty() {
                return Err(format!("{op} needs at least one of `fields`"));
            }
            // Checked as the fields are: the patron holds exactly these first.
            let setup = match &s.tags {
                Some(tags) => vec![Setup::HivePatron {
                    patron: patron.to_string(),
                    tags: Some(
                        tags.iter()
                            .enumerate()
                            .map(|(i, t)| {
                                ApiField::parse(t)
                                    .map(|f| f.to_string())
                                    .map_err(|x| format!("`tags` item {}: {x}", i + 1))
                            })
                            .collect::<Result<_, _>>()?,
                    ),
                }],
                None => Vec::new(),
            };
            let op = if op == "hive_add" {
                Op::HiveAdd { patron, fields }
            } else {
                Op::HiveRemove { patron, fields }
            };
            let group = if matches!(op, Op::HiveAdd { .. }) {
                Group::HiveAdd
            } else {
                Group::HiveRemove
            };
            (group, op, setup)
        }
        "cerego_add" => (
            Group::Cerego,
            Op::CeregoAdd {
                user: CeregoUserId::parse(&need(s.user.clone(), "user", op)?).map_err(e)?,
                tag_type: TagTypeId::parse(&need(s.tag_type.clone(), "tag_type", op)?)
                    .map_err(e)?,
                value: TagValue::parse(&need(s.value.clone(), "value", op)?).map_err(e)?,
            },
            Vec::new(),
        ),
        "cerego_update" => (
            Group::Cerego,
            Op::CeregoUpdate {
                tag: TagId::parse(&need(s.tag.clone(), "tag", op)?).map_err(e)?,
                value: TagValue::parse(&need(s.value.clone(), "value", op)?).map_err(e)?,
            },
            Vec::new(),
        ),
        other => {
            return Err(format!(
                "unknown op {other:?} (hive_add, hive_remove, cerego_add, cerego_update)"
            ));
        }
    };
    if s.tags.is_some() && !matches!(op, "hive_add" | "hive_remove") {
        return Err("`tags` sets up a Hive patron: only for hive_add / hive_remove".into());
    }
    Ok(Play {
        key: format!("script.{op}"),
        group,
        title: built.describe(),
        explain: built.describe(),
        expect: super::Expect::Any,
        setup,
        send: Send::Op(built),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_tour_is_every_play_in_order() {
        let tour = every_play();
        assert_eq!(tour.len(), plays().len());
        assert!(
            tour[0]
                .caption
                .starts_with("all tags added — demo_added holds no tags")
        );
    }

    #[test]
    fn a_script_mixes_scenarios_and_spelled_operations() {
        let steps = from_script(
            r#"
            [[step]]
            scenario = "hive.add.added_pre_failed"
            caption = "Three arrays at once"

            [[step]]
            op = "hive_add"
            patron = "demo_tour"
            fields = ["vip", "newsletter"]
            tags = ["newsletter"]
            fault = "hive.add:503=1*1"

            [[step]]
            op = "cerego_update"
            tag = "84001"
            value = "Silver"
            "#,
        )
        .unwrap();
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].caption, "Three arrays at once");
        assert_eq!(steps[1].fault.as_deref(), Some("hive.add:503=1*1"));
        assert_eq!(
            steps[1].play.setup,
            vec![Setup::HivePatron {
                patron: "demo_tour".into(),
                tags: Some(vec!["newsletter".into()])
            }]
        );
        assert_eq!(
            steps[2].caption,
            "Cerego: set the value of tag 84001 to \"Silver\""
        );
    }

    /// `tags` (what the patron holds first) is checked as `fields` are, each named by its
    /// place.
    #[test]
    fn tags_are_checked_as_operator_input_is() {
        let script = |tags: &str| {
            from_script(&format!(
                "[[step]]\nop = \"hive_add\"\npatron = \"p\"\nfields = [\"vip\"]\ntags = {tags}"
            ))
        };
        assert_eq!(
            script(r#"["vip", "not a tag,"]"#).unwrap_err(),
            "step 1: `tags` item 2: api_field: \"not a tag,\" contains a space; api_fields use \
             underscores (e.g. \"not_a_tag,\")"
        );
        let esc = script(r#"["ok", "\u001b[31m"]"#).unwrap_err();
        assert!(
            esc.starts_with("step 1: `tags` item 2: api_field:"),
            "{esc}"
        );
        assert!(esc.contains("U+001B") && !esc.contains('\u{1b}'), "{esc}");
        let long = script(&format!("[\"{}\"]", "t".repeat(300_000))).unwrap_err();
        assert!(long.contains("is 300000 characters long"), "{long}");
        assert!(long.len() < 200, "the value is not repeated");
        let steps = script(r#"[" vip "]"#).unwrap();
        assert_eq!(
            steps[0].play.setup,
            vec![Setup::HivePatron {
                patron: "p".into(),
                tags: Some(vec!["vip".into()])
            }],
            "trimmed as operator input is"
        );
        let field =
            from_script("[[step]]\nop = \"hive_add\"\npatron = \"p\"\nfields = [\"vip\", \"a,b\"]")
                .unwrap_err();
        assert!(
            field.starts_with("step 1: `fields` item 2: api_field:"),
            "{field}"
        );
    }

    #[test]
    fn the_example_script_in_assets_reads() {
        let steps = from_script(include_str!("../../../assets/tour.toml")).unwrap();
        assert_eq!(steps.len(), 6);
        assert!(steps.iter().any(|s| s.fault.is_some()));
    }

    #[test]
    fn script_errors_name_their_step() {
        let bad = |text: &str| from_script(text).unwrap_err();
        assert!(bad("").contains("no [[step]]"));
        assert!(
            bad("[[step]]\nop = \"hive_ad\"\npatron = \"p\"\nfields = [\"x\"]")
                .starts_with("step 1: unknown op")
        );
        assert!(bad("[[step]]\nscenario = \"hive.add.added\"\n[[step]]\nop = \"hive_add\"\npatron = \"p\"").starts_with("step 2: hive_add needs `fields`"));
        let unknown = bad("[[step]]\nscenario = \"nope\"");
        assert!(unknown.contains("no scenario \"nope\""), "{unknown}");
        for play in plays() {
            assert!(unknown.contains(&play.key), "{} in {unknown}", play.key);
        }
        assert!(unknown.contains("tagdesk demo --list"), "{unknown}");
        assert!(
            bad("[[step]]\nscenario = \"hive.add.added\"\ncolour = 1").contains("unknown field")
        );
        assert!(
            bad("[[step]]\nop = \"hive_add\"\npatron = \"p\"\nfields = [\"a b\"]")
                .starts_with("step 1:")
        );
    }
}
