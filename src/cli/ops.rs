//! Command-line arguments become Ops here, checked with the same rules as typed input, so
//! a bad value is refused before anything is sent. Pure, and unit-tested below.

use super::args::{CeregoCommand, HiveCommand};
use crate::core::domain::{
    ApiField, CeregoUserId, LookupQuery, PartnerId, PatronId, TagId, TagTypeId, TagValue,
};
use crate::core::op::Op;

/// A `hive add` / `hive remove` command as its Op: the same rules as typed input, and
/// the first bad value refused with its reason.
pub fn hive_op(c: HiveCommand) -> Result<Op, String> {
    let (patron, fields, add) = match c {
        HiveCommand::Add { patron, api_fields } => (patron, api_fields, true),
        HiveCommand::Remove { patron, api_fields } => (patron, api_fields, false),
        HiveCommand::Import { .. } => {
            return Err("an import is a batch, not one Op (see `tagdesk hive import`)".into());
        }
    };
    let patron = PatronId::parse(&patron).map_err(|e| e.to_string())?;
    let mut parsed: Vec<ApiField> = Vec::new();
    // Each argument is one api_field; commas may also separate them. A space inside an
    // argument is refused (api_fields use underscores), not silently split.
    for raw in &fields {
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let f = ApiField::parse(part).map_err(|e| e.to_string())?;
            if !parsed.contains(&f) {
                parsed.push(f);
            }
        }
    }
    if parsed.is_empty() {
        return Err("api_fields: give at least one api_field".into());
    }
    Ok(if add {
        Op::HiveAdd {
            patron,
            fields: parsed,
        }
    } else {
        Op::HiveRemove {
            patron,
            fields: parsed,
        }
    })
}

/// A `cerego` command as its Op. `partner` says which partner the profile lists (or why
/// Cerego cannot be used), asked only by `cerego users`.
pub fn cerego_op(
    c: CeregoCommand,
    partner: impl FnOnce() -> Result<PartnerId, String>,
) -> Result<Op, String> {
    Ok(match c {
        CeregoCommand::Add {
            user,
            tag_type,
            value,
        } => Op::CeregoAdd {
            user: CeregoUserId::parse(&user).map_err(|e| e.to_string())?,
            tag_type: TagTypeId::parse(&tag_type).map_err(|e| e.to_string())?,
            value: TagValue::parse(&value).map_err(|e| e.to_string())?,
        },
        CeregoCommand::Update { tag_id, value } => Op::CeregoUpdate {
            tag: TagId::parse(&tag_id).map_err(|e| e.to_string())?,
            value: TagValue::parse(&value).map_err(|e| e.to_string())?,
        },
        CeregoCommand::Users { query } => {
            let partner = partner()?;
            let query = query
                .map(|q| LookupQuery::parse(&q).map(|q| q.to_string()))
                .transpose()
                .map_err(|e| e.to_string())?;
            Op::CeregoListUsers { partner, query }
        }
        CeregoCommand::Profile => Op::CeregoProfile,
        CeregoCommand::Import { .. } => {
            return Err("an import is a batch, not one Op (see `tagdesk cerego import`)".into());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hive(add: bool, patron: &str, fields: &[&str]) -> Result<Op, String> {
        let patron = patron.to_string();
        let api_fields = fields.iter().map(|f| f.to_string()).collect();
        hive_op(if add {
            HiveCommand::Add { patron, api_fields }
        } else {
            HiveCommand::Remove { patron, api_fields }
        })
    }

    fn partner() -> Result<PartnerId, String> {
        PartnerId::parse("4242").map_err(|e| e.to_string())
    }

    #[test]
    fn hive_arguments_split_on_commas_and_dedupe() {
        let op = hive(true, " user_abc123 ", &["vip,newsletter", "vip"]).unwrap();
        assert_eq!(
            op,
            Op::HiveAdd {
                patron: PatronId::parse("user_abc123").unwrap(),
                fields: ApiField::parse_list("vip newsletter").unwrap(),
            }
        );
        assert!(matches!(
            hive(false, "p", &["vip"]).unwrap(),
            Op::HiveRemove { .. }
        ));
    }

    #[test]
    fn bad_hive_arguments_are_refused_with_the_reason() {
        let e = hive(true, "p", &["two words"]).unwrap_err();
        assert!(e.starts_with("api_field"), "{e}");
        let e = hive(true, "p", &[",", " "]).unwrap_err();
        assert_eq!(e, "api_fields: give at least one api_field");
        let e = hive(true, "   ", &["vip"]).unwrap_err();
        assert!(e.starts_with("patron id"), "{e}");
    }

    #[test]
    fn cerego_arguments_become_ops() {
        let op = cerego_op(
            CeregoCommand::Add {
                user: "1185304".into(),
                tag_type: "3".into(),
                value: "The value".into(),
            },
            partner,
        )
        .unwrap();
        assert!(matches!(op, Op::CeregoAdd { .. }));
        let op = cerego_op(
            CeregoCommand::Update {
                tag_id: "84918".into(),
                value: "-5".into(),
            },
            partner,
        )
        .unwrap();
        assert_eq!(
            op.cli_command(&crate::core::op::Place::Demo),
            "tagdesk --demo cerego update -- 84918 -5"
        );
        let op = cerego_op(
            CeregoCommand::Users {
                query: Some("a@b.c".into()),
            },
            partner,
        )
        .unwrap();
        assert_eq!(
            op,
            Op::CeregoListUsers {
                partner: PartnerId::parse("4242").unwrap(),
                query: Some("a@b.c".into())
            }
        );
        assert_eq!(
            cerego_op(CeregoCommand::Profile, || Err("unused".into())).unwrap(),
            Op::CeregoProfile
        );
    }

    #[test]
    fn bad_cerego_arguments_are_refused_before_anything_is_sent() {
        let e = cerego_op(
            CeregoCommand::Add {
                user: "abc".into(),
                tag_type: "3".into(),
                value: "v".into(),
            },
            partner,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "user id: \"abc\" is not a number; user ids are numbers like 1185304"
        );
        let e = cerego_op(
            CeregoCommand::Update {
                tag_id: "1".into(),
                value: "two\nlines".into(),
            },
            partner,
        )
        .unwrap_err();
        assert!(e.contains("line break"), "{e}");
        // Without Cerego in the profile, a listing says why.
        let e = cerego_op(CeregoCommand::Users { query: None }, || {
            Err("Cerego is not configured in profile p: nothing was sent".into())
        })
        .unwrap_err();
        assert!(e.contains("not configured"), "{e}");
    }
}
