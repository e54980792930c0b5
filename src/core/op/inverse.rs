//! Undo: the Op that reverses a change, computed from its **outcome**, never from its input.
//! A Hive add is undone by removing exactly the tags the reply says were added (never the
//! pre-existing ones); a remove by adding back exactly the removed ones (never the
//! non-existent ones); a Cerego update by setting the value it replaced. What cannot be
//! undone says why.

use super::{ApiField, Invertibility, Op, Output};

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
        Invertibility::FromPriorValue => {
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
