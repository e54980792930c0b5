//! Undo: the Op that reverses a change, computed from its **outcome**, never from its input.
//! A Hive add is undone by removing exactly the tags the reply says were added (never the
//! pre-existing ones); a remove by adding back exactly the removed ones (never the
//! non-existent ones); a Cerego update by setting the value it replaced. What cannot be
//! undone says why.

use std::collections::BTreeMap;

use super::{ApiField, Invertibility, Op, Output, TagSetting, TagTypeId, TagValue};

/// What a Cerego "set tags" request replaced, per tag type, as its intent records it:
/// the value the type had, or `None` when the user had no tag of that type (the set
/// created it).
pub type SetPrior = BTreeMap<String, Option<String>>;

/// The journal's spelling of a [`SetPrior`] (the intent's `prior` is one string): a JSON
/// object, `{"5": "Fall", "9": null}`.
pub fn encode_set_prior(prior: &SetPrior) -> String {
    serde_json::to_string(prior).unwrap_or_default()
}

/// Reads [`encode_set_prior`]'s text back; `None` when it is not one.
pub fn decode_set_prior(text: &str) -> Option<SetPrior> {
    serde_json::from_str(text).ok()
}

/// The inverse of a set, from the values it replaced.
fn undo_set(user: &super::CeregoUserId, tags: &[TagSetting], prior: Option<&str>) -> Inverse {
    let Some(prior) = prior.and_then(decode_set_prior) else {
        return Inverse::Impossible(
            "the values this set replaced were not recorded, so they cannot be set back".into(),
        );
    };
    let mut back = Vec::new();
    let mut created = Vec::new();
    for t in tags {
        match prior.get(t.tag_type.as_str()) {
            None => {
                return Inverse::Impossible(format!(
                    "the value tag type {} had before was not recorded, so it cannot be set back",
                    t.tag_type
                ));
            }
            Some(None) => created.push(t.tag_type.to_string()),
            Some(Some(p)) if p == t.value.as_str() => {}
            Some(Some(p)) => match (TagTypeId::parse(t.tag_type.as_str()), TagValue::parse(p)) {
                (Ok(tag_type), Ok(value)) => back.push(TagSetting { tag_type, value }),
                (Err(e), _) | (_, Err(e)) => {
                    return Inverse::Impossible(format!(
                        "the value it replaced cannot be sent back ({e})"
                    ));
                }
            },
        }
    }
    let created_note = (!created.is_empty()).then(|| {
        format!(
            "the set created the tag of type {}; it stays: the Cerego API has no endpoint to \
             delete a partner user tag",
            created.join(", type ")
        )
    });
    if back.is_empty() {
        return match created_note {
            Some(note) => Inverse::Impossible(format!("cannot be undone: {note}")),
            None => Inverse::Nothing("the set gave every type the value it already had".into()),
        };
    }
    Inverse::Op {
        op: Op::CeregoSet {
            user: user.clone(),
            tags: back,
        },
        note: created_note,
    }
}

/// The prior an undo row records: what the original change set, which the undo replaces.
pub fn undo_prior(op: &Op) -> Option<String> {
    match op {
        Op::CeregoUpdate { value, .. } => Some(value.to_string()),
        Op::CeregoSet { tags, .. } => Some(encode_set_prior(
            &tags
                .iter()
                .map(|t| (t.tag_type.to_string(), Some(t.value.to_string())))
                .collect(),
        )),
        Op::HiveAdd { .. }
        | Op::HiveRemove { .. }
        | Op::CeregoAdd { .. }
        | Op::CeregoListUsers { .. }
        | Op::CeregoProfile
        | Op::Raw(_) => None,
    }
}

/// How to undo one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inverse {
    /// Send this Op. `note` says what it leaves as it is (a patron Hive created).
    Op { op: Op, note: Option<String> },
    /// The change changed nothing, so nothing needs undoing.
    Nothing(String),
    /// It cannot be undone through the API.
    Impossible(String),
}

fn fields_of(ids: &[String]) -> Result<Vec<ApiField>, String> {
    ids.iter()
        .map(|id| {
            ApiField::parse(id).map_err(|e| {
                format!("Hive named a tag tagdesk cannot send back ({id:?}: {e}); undo it by hand")
            })
        })
        .collect()
}

/// The inverse of `op`, which ended with `output`; `prior` is the value a Cerego update
/// replaced, as its intent recorded it.
pub fn inverse(op: &Op, output: &Output, prior: Option<&str>) -> Inverse {
    match op.invertibility() {
        Invertibility::NothingChanged => Inverse::Nothing("a read changes nothing".into()),
        Invertibility::Impossible(why) => Inverse::Impossible(format!("cannot be undone: {why}")),
        Invertibility::FromOutcome => {
            let (Op::HiveAdd { patron, .. } | Op::HiveRemove { patron, .. }, Output::Hive(o)) =
                (op, output)
            else {
                return Inverse::Impossible("the reply is not a Hive outcome".into());
            };
            let fields = match fields_of(&o.changed) {
                Ok(f) => f,
                Err(e) => return Inverse::Impossible(e),
            };
            let add = matches!(op, Op::HiveAdd { .. });
            if fields.is_empty() {
                return Inverse::Nothing(if add {
                    "no tags were added: nothing to undo".into()
                } else {
                    "no tags were removed: nothing to undo".into()
                });
            }
            if add {
                Inverse::Op {
                    op: Op::HiveRemove {
                        patron: patron.clone(),
                        fields,
                    },
                    note: Some(
                        "if Hive created the patron for this add, the patron stays: no API \
                         deletes patrons"
                            .into(),
                    ),
                }
            } else {
                Inverse::Op {
                    op: Op::HiveAdd {
                        patron: patron.clone(),
                        fields,
                    },
                    note: None,
                }
            }
        }
        Invertibility::FromPriorValue => inverse_from_prior(op, prior),
    }
}

/// The inverse of a Cerego update or set from the value(s) it replaced, as its **first**
/// intent recorded them — whatever its reply said, or whether a reply came at all (an undo
/// after a crash sets back what the row found before its first attempt).
pub fn inverse_from_prior(op: &Op, prior: Option<&str>) -> Inverse {
    match op.invertibility() {
        Invertibility::NothingChanged => Inverse::Nothing("a read changes nothing".into()),
        Invertibility::Impossible(why) => Inverse::Impossible(format!("cannot be undone: {why}")),
        Invertibility::FromOutcome => {
            Inverse::Impossible("a Hive change is undone from its outcome".into())
        }
        Invertibility::FromPriorValue => {
            if let Op::CeregoSet { user, tags } = op {
                return undo_set(user, tags, prior);
            }
            let Op::CeregoUpdate { tag, value } = op else {
                return Inverse::Impossible("not a Cerego update".into());
            };
            match prior {
                None => Inverse::Impossible(
                    "the value this update replaced was not recorded, so it cannot be set back"
                        .into(),
                ),
                Some(p) if p == value.as_str() => {
                    Inverse::Nothing("the update set the value it already had".into())
                }
                Some(p) => match super::TagValue::parse(p) {
                    Ok(v) => Inverse::Op {
                        op: Op::CeregoUpdate {
                            tag: tag.clone(),
                            value: v,
                        },
                        note: None,
                    },
                    Err(e) => Inverse::Impossible(format!(
                        "the value it replaced cannot be sent back ({e})"
                    )),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::op::hive::HiveOutcome;
    use crate::core::op::scenario::HiveAction;
    use crate::core::op::{PatronId, TagId, TagValue};

    fn hive(action: HiveAction, changed: &[&str], unchanged: &[&str]) -> Output {
        Output::Hive(HiveOutcome {
            action,
            message: None,
            patron_id: Some("p".into()),
            changed: changed.iter().map(|s| s.to_string()).collect(),
            unchanged: unchanged.iter().map(|s| s.to_string()).collect(),
            failed: Vec::new(),
            missing_fields: Vec::new(),
            extra: Vec::new(),
            foreign_patron: None,
        })
    }

    fn fields(list: &[&str]) -> Vec<ApiField> {
        list.iter().map(|f| ApiField::parse(f).unwrap()).collect()
    }

    #[test]
    fn an_add_is_undone_by_removing_only_what_was_added() {
        let op = Op::HiveAdd {
            patron: PatronId::parse("p").unwrap(),
            fields: fields(&["vip", "news", "bogus"]),
        };
        let out = hive(HiveAction::Add, &["vip"], &["news"]);
        let Inverse::Op { op: undo, note } = inverse(&op, &out, None) else {
            panic!("expected an op")
        };
        assert_eq!(
            undo,
            Op::HiveRemove {
                patron: PatronId::parse("p").unwrap(),
                fields: fields(&["vip"])
            }
        );
        assert!(note.unwrap().contains("patron stays"));
        let nothing = hive(HiveAction::Add, &[], &["news"]);
        assert!(matches!(inverse(&op, &nothing, None), Inverse::Nothing(_)));
    }

    #[test]
    fn a_remove_is_undone_by_adding_back_only_what_was_removed() {
        let op = Op::HiveRemove {
            patron: PatronId::parse("p").unwrap(),
            fields: fields(&["vip", "gone"]),
        };
        let out = hive(HiveAction::Remove, &["vip"], &["gone"]);
        let Inverse::Op { op: undo, .. } = inverse(&op, &out, None) else {
            panic!("expected an op")
        };
        assert_eq!(
            undo,
            Op::HiveAdd {
                patron: PatronId::parse("p").unwrap(),
                fields: fields(&["vip"])
            }
        );
    }

    fn set(pairs: &[&str]) -> Op {
        Op::CeregoSet {
            user: crate::core::op::CeregoUserId::parse("7").unwrap(),
            tags: pairs
                .iter()
                .map(|p| TagSetting::parse(p).unwrap())
                .collect(),
        }
    }

    #[test]
    fn a_set_is_undone_by_setting_back_the_values_it_replaced() {
        let op = set(&["5=California", "9=Marketing", "3=Gold"]);
        let out = Output::TagsSet(Default::default());
        let prior = encode_set_prior(&SetPrior::from([
            ("5".to_string(), Some("Oregon".to_string())),
            ("9".to_string(), None),
            ("3".to_string(), Some("Gold".to_string())),
        ]));
        assert_eq!(prior, r#"{"3":"Gold","5":"Oregon","9":null}"#);
        let Inverse::Op { op: undo, note } = inverse(&op, &out, Some(&prior)) else {
            panic!("expected an op")
        };
        // Only the type whose value changed goes back; the created one stays, and says so.
        assert_eq!(undo, set(&["5=Oregon"]));
        assert!(note.unwrap().contains("created the tag of type 9"));
        // The undo's own prior is what the set wrote, so undoing the undo works too.
        assert_eq!(
            decode_set_prior(&undo_prior(&op).unwrap()).unwrap()["5"].as_deref(),
            Some("California")
        );
        let only_created = encode_set_prior(&SetPrior::from([("9".to_string(), None)]));
        let Inverse::Impossible(why) = inverse(&set(&["9=x"]), &out, Some(&only_created)) else {
            panic!("a created tag cannot be removed")
        };
        assert!(why.contains("no endpoint to"), "{why}");
        let same = encode_set_prior(&SetPrior::from([("9".to_string(), Some("x".into()))]));
        assert!(matches!(
            inverse(&set(&["9=x"]), &out, Some(&same)),
            Inverse::Nothing(_)
        ));
        assert!(matches!(inverse(&op, &out, None), Inverse::Impossible(_)));
        assert!(matches!(
            inverse(&op, &out, Some("not json")),
            Inverse::Impossible(_)
        ));
        let partial = encode_set_prior(&SetPrior::from([("5".to_string(), Some("Oregon".into()))]));
        let Inverse::Impossible(why) = inverse(&op, &out, Some(&partial)) else {
            panic!("a type without a recorded value cannot be undone")
        };
        assert!(why.contains("type 9"), "{why}");
    }

    #[test]
    fn a_cerego_update_goes_back_to_the_recorded_value_and_an_add_cannot() {
        let op = Op::CeregoUpdate {
            tag: TagId::parse("9").unwrap(),
            value: TagValue::parse("Spring").unwrap(),
        };
        let out = Output::Tag(crate::core::op::cerego::CeregoTag {
            id: "9".into(),
            value: Some("Spring".into()),
            tag_type_id: None,
            user_id: None,
            created_at: None,
            updated_at: None,
        });
        let Inverse::Op { op: undo, .. } = inverse(&op, &out, Some("Fall")) else {
            panic!("expected an op")
        };
        assert_eq!(
            undo,
            Op::CeregoUpdate {
                tag: TagId::parse("9").unwrap(),
                value: TagValue::parse("Fall").unwrap()
            }
        );
        assert!(matches!(inverse(&op, &out, None), Inverse::Impossible(_)));
        assert!(matches!(
            inverse(&op, &out, Some("Spring")),
            Inverse::Nothing(_)
        ));
        let add = Op::CeregoAdd {
            user: crate::core::op::CeregoUserId::parse("1").unwrap(),
            tag_type: crate::core::op::TagTypeId::parse("3").unwrap(),
            value: TagValue::parse("x").unwrap(),
        };
        let Inverse::Impossible(why) = inverse(&add, &out, None) else {
            panic!("a Cerego add cannot be undone")
        };
        assert!(why.contains("no endpoint to delete"), "{why}");
    }
}
