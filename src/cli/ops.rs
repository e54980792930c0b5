//! Command-line arguments become Ops here, checked with the same rules as typed input, so
//! a bad value is refused before anything is sent. Pure, and unit-tested below.

use super::args::{CeregoCommand, HiveCommand};
use crate::core::domain::{
    ApiField, CeregoUserId, LookupQuery, PartnerId, PatronId, TagId, TagSetting, TagType, TagValue,
    TagsApi,
};
use crate::core::op::Op;
use crate::core::tag_names;

/// What a `cerego` command needs of the profile: the partner it lists, the family of tag
/// endpoints it uses, whether listings include department users.
#[derive(Debug, Clone)]
pub struct CeregoContext {
    pub profile: String,
    pub partner: PartnerId,
    pub tags_api: TagsApi,
    pub departments: bool,
    /// Demo mode: the simulator answers both families, so neither is refused.
    pub demo: bool,
    /// The profile's tag types, so a tag type may be given by name.
    pub tag_types: Vec<TagType>,
}

impl CeregoContext {
    /// Refuses a command of the other family, saying what to use instead.
    fn family(&self, wanted: TagsApi, command: &str) -> Result<(), String> {
        if self.tags_api == wanted || self.demo {
            return Ok(());
        }
        let p = &self.profile;
        Err(match self.tags_api {
            TagsApi::Set => format!(
                "profile {p} uses Cerego's set API (cerego.tags_api = \"set\"), which has no \
                 separate {command}: use `tagdesk cerego set --user USER TYPE=VALUE` (it creates \
                 the tag or changes its value); nothing was sent"
            ),
            TagsApi::Legacy => format!(
                "profile {p} uses Cerego's legacy tag endpoints (cerego.tags_api = \"legacy\"): \
                 use `tagdesk cerego add` or `tagdesk cerego update`, or set cerego.tags_api = \
                 \"set\" in the profile (the default; {} for one run); nothing was sent",
                crate::config::ENV_CEREGO_TAGS_API.to_string() + "=set"
            ),
        })
    }
}

/// A `hive add` / `hive remove` command as its Op: the same rules as typed input, and
/// the first bad value refused with its reason.
pub fn hive_op(c: HiveCommand) -> Result<Op, String> {
    let (patron, fields, add) = match c {
        HiveCommand::Add { patron, api_fields } => (patron, api_fields, true),
        HiveCommand::Remove { patron, api_fields } => (patron, api_fields, false),
        HiveCommand::Import { .. } | HiveCommand::Export(_) => {
            return Err("an import or export is not one Op (see `tagdesk hive import`)".into());
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

/// A `cerego` command as its Op. `context` says what the profile's Cerego is (or why
/// Cerego cannot be used); asked by every command but `profile`, after the arguments are
/// checked.
pub fn cerego_op(
    c: CeregoCommand,
    context: impl FnOnce() -> Result<CeregoContext, String>,
) -> Result<Op, String> {
    Ok(match c {
        CeregoCommand::Add {
            user,
            tag_type,
            value,
        } => {
            let user = CeregoUserId::parse(&user).map_err(|e| e.to_string())?;
            let value = TagValue::parse(&value).map_err(|e| e.to_string())?;
            let c = context()?;
            c.family(TagsApi::Legacy, "add")?;
            Op::CeregoAdd {
                user,
                tag_type: tag_names::resolve(&tag_type, &c.tag_types)
                    .map_err(|e| format!("{e}; nothing was sent"))?,
                value,
            }
        }
        CeregoCommand::Update { tag_id, value } => {
            let op = Op::CeregoUpdate {
                tag: TagId::parse(&tag_id).map_err(|e| e.to_string())?,
                value: TagValue::parse(&value).map_err(|e| e.to_string())?,
            };
            context()?.family(TagsApi::Legacy, "update")?;
            op
        }
        CeregoCommand::Set { user, tags } => {
            let user = CeregoUserId::parse(&user).map_err(|e| e.to_string())?;
            let c = context()?;
            c.family(TagsApi::Set, "set")?;
            let tags = tags
                .iter()
                .map(|t| tag_names::setting(t, &c.tag_types))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("{e}; nothing was sent"))?;
            TagSetting::check_list(&tags).map_err(|e| e.to_string())?;
            Op::CeregoSet { user, tags }
        }
        CeregoCommand::Users {
            query,
            include_department_users,
        } => {
            let query = query
                .map(|q| LookupQuery::parse(&q).map(|q| q.to_string()))
                .transpose()
                .map_err(|e| e.to_string())?;
            let c = context()?;
            Op::CeregoListUsers {
                partner: c.partner,
                query,
                departments: include_department_users || c.departments,
            }
        }
        CeregoCommand::Profile => Op::CeregoProfile,
        CeregoCommand::Import { .. } | CeregoCommand::Export(_) => {
            return Err("an import or export is not one Op (see `tagdesk cerego import`)".into());
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

    fn on(tags_api: TagsApi) -> impl FnOnce() -> Result<CeregoContext, String> {
        move || {
            Ok(CeregoContext {
                profile: "p".into(),
                partner: PartnerId::parse("4242").map_err(|e| e.to_string())?,
                tags_api,
                departments: false,
                demo: false,
                tag_types: ["Cohort:3", "Plan:5"]
                    .iter()
                    .filter_map(|t| t.split_once(':'))
                    .map(|(name, id)| TagType {
                        id: crate::core::domain::TagTypeId::parse(id).unwrap(),
                        name: name.into(),
                    })
                    .collect(),
            })
        }
    }

    fn partner() -> Result<CeregoContext, String> {
        on(TagsApi::Legacy)()
    }

    #[test]
    fn set_arguments_become_one_set_and_each_family_keeps_its_commands() {
        let set = |tags: &[&str], api| {
            cerego_op(
                CeregoCommand::Set {
                    user: "1185304".into(),
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                },
                on(api),
            )
        };
        let op = set(&["5=California", "9=Sales = Marketing"], TagsApi::Set).unwrap();
        let Op::CeregoSet { user, tags } = &op else {
            panic!("{op:?}")
        };
        assert_eq!(user.as_str(), "1185304");
        assert_eq!(
            tags[1].value.as_str(),
            "Sales = Marketing",
            "split at the first ="
        );
        let e = set(&["5=a", "5=b"], TagsApi::Set).unwrap_err();
        assert!(e.contains("tag type 5 is named twice"), "{e}");
        let e = set(&["California"], TagsApi::Set).unwrap_err();
        assert!(e.contains("is not TYPE=VALUE"), "{e}");
        let e = set(&["5="], TagsApi::Set).unwrap_err();
        assert!(e.starts_with("tag value"), "{e}");
        let e = set(&["5=x"], TagsApi::Legacy).unwrap_err();
        assert!(
            e.contains("legacy tag endpoints") && e.contains("nothing was sent"),
            "{e}"
        );
        let add = CeregoCommand::Add {
            user: "1".into(),
            tag_type: "3".into(),
            value: "v".into(),
        };
        let e = cerego_op(add, on(TagsApi::Set)).unwrap_err();
        assert!(e.contains("cerego set --user USER TYPE=VALUE"), "{e}");
        let users = CeregoCommand::Users {
            query: None,
            include_department_users: true,
        };
        assert!(matches!(
            cerego_op(users, partner).unwrap(),
            Op::CeregoListUsers {
                departments: true,
                ..
            }
        ));
    }

    #[test]
    fn tag_types_are_given_by_configured_name_or_id() {
        let add = |tag_type: &str| {
            cerego_op(
                CeregoCommand::Add {
                    user: "1185304".into(),
                    tag_type: tag_type.into(),
                    value: "Spring".into(),
                },
                partner,
            )
        };
        for given in ["Cohort", "cohort", "3"] {
            let Op::CeregoAdd { tag_type, .. } = add(given).unwrap() else {
                panic!("{given}")
            };
            assert_eq!(tag_type.as_str(), "3", "{given}");
        }
        let e = add("Plann").unwrap_err();
        assert_eq!(
            e,
            "unknown tag type \"Plann\": the profile's tag types are Cohort (3), Plan (5); \
             nothing was sent"
        );
        let set = |tags: &[&str]| {
            cerego_op(
                CeregoCommand::Set {
                    user: "1185304".into(),
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                },
                on(TagsApi::Set),
            )
        };
        let Op::CeregoSet { tags, .. } = set(&["Plan=Silver", "3=Spring"]).unwrap() else {
            panic!()
        };
        let got: Vec<(&str, &str)> = tags
            .iter()
            .map(|t| (t.tag_type.as_str(), t.value.as_str()))
            .collect();
        assert_eq!(got, [("5", "Silver"), ("3", "Spring")]);
        let e = set(&["Plann=Silver"]).unwrap_err();
        assert!(e.starts_with("unknown tag type \"Plann\""), "{e}");
        // A name and its id are the same type, named twice.
        let e = set(&["plan=a", "5=b"]).unwrap_err();
        assert!(e.contains("tag type 5 is named twice"), "{e}");
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
                include_department_users: false,
            },
            partner,
        )
        .unwrap();
        assert_eq!(
            op,
            Op::CeregoListUsers {
                partner: PartnerId::parse("4242").unwrap(),
                query: Some("a@b.c".into()),
                departments: false,
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
        let e = cerego_op(
            CeregoCommand::Users {
                query: None,
                include_department_users: false,
            },
            || Err("Cerego is not configured in profile p: nothing was sent".into()),
        )
        .unwrap_err();
        assert!(e.contains("not configured"), "{e}");
    }
}
