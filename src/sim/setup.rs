//! `POST /_sim/setup`: make the simulator hold given facts before a playground scenario
//! (see [`crate::core::playground`]), so its outcome is certain. Every step is idempotent:
//! playing a scenario twice sets up the same state twice.
//!
//! Every value is checked first as operator input is ([`crate::core::domain`]): a setup
//! with one bad value changes nothing and names the value's step and position. Then the
//! steps cost time in proportion to their number: the catalogue and the tag types are
//! looked up in sets and rebuilt once at the end, the tags of removed tag types are found
//! in one pass at the end, and a run of removed users re-indexes the users once.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::core::domain::{
    self, ApiField, CeregoUserId, HiveTag, InvalidInput, LOOKUP_MAX, PatronId, TAG_VALUE_MAX,
    TagId, TagType, TagTypeId, TagValue,
};
use crate::core::playground::{SetTag, Setup, SetupReply};

impl Model {
    /// Checks every value of every step, then applies the steps in order; the first step
    /// that cannot hold stops it with the reason.
    pub fn setup(&mut self, steps: &[Setup]) -> Result<SetupReply, String> {
        let steps = checked(steps)?;
        let mut catalogue = Keyed::new(std::mem::take(&mut self.hive.catalogue), |t: &HiveTag| {
            t.api_field.as_str()
        });
        let mut types = Keyed::new(std::mem::take(&mut self.cerego.tag_types), |t: &TagType| {
            t.id.as_str()
        });
        let result = self.apply(&steps, &mut catalogue, &mut types);
        self.hive.catalogue = catalogue.finish();
        self.cerego.tag_types = types.finish();
        result
    }

    fn apply(
        &mut self,
        steps: &[Setup],
        catalogue: &mut Keyed<HiveTag>,
        types: &mut Keyed<TagType>,
    ) -> Result<SetupReply, String> {
        let mut reply = SetupReply::default();
        // Tag types whose tags go: type id → the first tag slot they no longer cover (tags
        // are appended, so later tags are never in it). Applied in one pass at the end.
        let mut cleared: HashMap<String, usize> = HashMap::new();
        // Users to remove, applied (in one pass) before a step that looks users up.
        let mut gone: Vec<String> = Vec::new();
        for step in steps {
            if matches!(step, Setup::CeregoUser { .. } | Setup::CeregoTag { .. }) {
                self.cerego.remove_users(&std::mem::take(&mut gone));
            }
            match step {
                Setup::HiveCatalogue { defined, undefined } => {
                    for field in defined {
                        let api_field = ApiField::parse(field).map_err(|e| e.to_string())?;
                        catalogue.add(HiveTag {
                            name: field.replace('_', " "),
                            api_field,
                        });
                    }
                    for field in undefined {
                        catalogue.remove(field);
                    }
                }
                Setup::HivePatron { patron, tags } => match tags {
                    Some(tags) => self.hive.patrons.insert(patron, tags),
                    None => self.hive.patrons.remove(patron),
                },
                Setup::CeregoUser { id, name, email } => {
                    self.cerego.ensure_user(id, name, email)?;
                }
                Setup::CeregoTagType { id, name } => {
                    let id = TagTypeId::parse(id).map_err(|e| e.to_string())?;
                    types.add(TagType {
                        id,
                        name: name.clone(),
                    });
                }
                Setup::CeregoTag {
                    user,
                    tag_type,
                    value,
                } => {
                    if let Some(&below) = cleared.get(tag_type) {
                        self.cerego.drop_tags_of_type(user, tag_type, below);
                    }
                    if let Some(id) = self.cerego.set_tag(user, tag_type, value.as_deref())? {
                        reply.tags.push(SetTag {
                            user: user.clone(),
                            tag_type: tag_type.clone(),
                            tag_id: id.to_string(),
                        });
                    }
                }
                Setup::CeregoNoUser { id } => gone.push(id.clone()),
                Setup::CeregoNoTagType { id } => {
                    types.remove(id);
                    cleared.insert(id.clone(), self.cerego.tags_len());
                }
                Setup::CeregoNoTag { id } => self.cerego.remove_tag(id),
            }
        }
        self.cerego.remove_users(&gone);
        self.cerego.remove_tags_of_types(&cleared);
        Ok(reply)
    }
}

/// A list of rows keyed by an id (the Hive catalogue, the tag types) that many steps add
/// to and remove from: the ids present are a set, and the list is rebuilt once at the end.
struct Keyed<T> {
    list: Vec<T>,
    ids: Option<HashSet<String>>,
    key: fn(&T) -> &str,
}

impl<T> Keyed<T> {
    fn new(list: Vec<T>, key: fn(&T) -> &str) -> Self {
        Self {
            list,
            ids: None,
            key,
        }
    }

    /// The ids present (read from the list the first time a step needs them).
    fn ids(&mut self) -> &mut HashSet<String> {
        let (list, key) = (&self.list, self.key);
        self.ids
            .get_or_insert_with(|| list.iter().map(|t| key(t).to_string()).collect())
    }

    /// Adds the row at the end, unless a row of its id is present.
    fn add(&mut self, row: T) {
        let id = (self.key)(&row).to_string();
        if self.ids().insert(id) {
            self.list.push(row);
        }
    }

    fn remove(&mut self, id: &str) {
        self.ids().remove(id);
    }

    /// The rows present, in the order they were added: a row removed and added again is
    /// the one added last.
    fn finish(self) -> Vec<T> {
        let Some(mut ids) = self.ids else {
            return self.list;
        };
        let key = self.key;
        let mut kept: Vec<T> = self
            .list
            .into_iter()
            .rev()
            .filter(|t| ids.remove(key(t)))
            .collect();
        kept.reverse();
        kept
    }
}

/// Every step with its values checked as operator input is checked (trimmed like it); the
/// first bad value is named by its step (counting from 1), the step's kind and where in the
/// step it is.
fn checked(steps: &[Setup]) -> Result<Vec<Setup>, String> {
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            checked_step(step)
                .map_err(|(at, e)| format!("setup step {} ({}), {at}: {e}", i + 1, kind_of(step)))
        })
        .collect()
}

type Bad = (String, InvalidInput);

fn one<T: ToString>(
    at: &str,
    raw: &str,
    parse: impl Fn(&str) -> Result<T, InvalidInput>,
) -> Result<String, Bad> {
    parse(raw)
        .map(|v| v.to_string())
        .map_err(|e| (format!("`{at}`"), e))
}

fn each<T: ToString>(
    at: &str,
    raw: &[String],
    parse: impl Fn(&str) -> Result<T, InvalidInput>,
) -> Result<Vec<String>, Bad> {
    raw.iter()
        .enumerate()
        .map(|(i, v)| {
            parse(v)
                .map(|v| v.to_string())
                .map_err(|e| (format!("`{at}` item {}", i + 1), e))
        })
        .collect()
}

fn checked_step(step: &Setup) -> Result<Setup, Bad> {
    let name = |s: &str| domain::check_text("name", s, TAG_VALUE_MAX);
    let email = |s: &str| domain::check_text("email", s, LOOKUP_MAX);
    Ok(match step {
        Setup::HiveCatalogue { defined, undefined } => Setup::HiveCatalogue {
            defined: each("defined", defined, ApiField::parse)?,
            undefined: each("undefined", undefined, ApiField::parse)?,
        },
        Setup::HivePatron { patron, tags } => Setup::HivePatron {
            patron: one("patron", patron, PatronId::parse)?,
            tags: match tags {
                Some(tags) => Some(each("tags", tags, ApiField::parse)?),
                None => None,
            },
        },
        Setup::CeregoUser {
            id,
            name: n,
            email: m,
        } => Setup::CeregoUser {
            id: one("id", id, CeregoUserId::parse)?,
            name: one("name", n, name)?,
            email: one("email", m, email)?,
        },
        Setup::CeregoTagType { id, name: n } => Setup::CeregoTagType {
            id: one("id", id, TagTypeId::parse)?,
            name: one("name", n, name)?,
        },
        Setup::CeregoTag {
            user,
            tag_type,
            value,
        } => Setup::CeregoTag {
            user: one("user", user, CeregoUserId::parse)?,
            tag_type: one("tag_type", tag_type, TagTypeId::parse)?,
            value: match value {
                Some(v) => Some(one("value", v, TagValue::parse)?),
                None => None,
            },
        },
        Setup::CeregoNoUser { id } => Setup::CeregoNoUser {
            id: one("id", id, CeregoUserId::parse)?,
        },
        Setup::CeregoNoTagType { id } => Setup::CeregoNoTagType {
            id: one("id", id, TagTypeId::parse)?,
        },
        Setup::CeregoNoTag { id } => Setup::CeregoNoTag {
            id: one("id", id, TagId::parse)?,
        },
    })
}

/// A step's `kind`, as its JSON names it.
fn kind_of(step: &Setup) -> &'static str {
    match step {
        Setup::HiveCatalogue { .. } => "hive_catalogue",
        Setup::HivePatron { .. } => "hive_patron",
        Setup::CeregoUser { .. } => "cerego_user",
        Setup::CeregoTagType { .. } => "cerego_tag_type",
        Setup::CeregoTag { .. } => "cerego_tag",
        Setup::CeregoNoUser { .. } => "cerego_no_user",
        Setup::CeregoNoTagType { .. } => "cerego_no_tag_type",
        Setup::CeregoNoTag { .. } => "cerego_no_tag",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::playground::{Expect, plays};

    fn catalogue(model: &Model) -> Vec<&str> {
        model
            .hive
            .catalogue
            .iter()
            .map(|t| t.api_field.as_str())
            .collect()
    }

    /// Steps apply in order, however they are carried out: a field removed then defined
    /// again is defined (at the end), a tag type likewise, and a run of removals is the
    /// same as one removal after another.
    #[test]
    fn steps_apply_in_order() {
        let mut model = Model::new(&Seed::demo());
        let before = catalogue(&model).len();
        let steps: Vec<Setup> = serde_json::from_value(serde_json::json!([
            {"kind": "hive_catalogue", "defined": ["zz_new", "vip"], "undefined": ["vip"]},
            {"kind": "hive_catalogue", "defined": ["vip"], "undefined": ["zz_new", "escalated"]},
            {"kind": "cerego_tag_type", "id": "77", "name": "Old"},
            {"kind": "cerego_no_tag_type", "id": "77"},
            {"kind": "cerego_tag_type", "id": "77", "name": "New"},
            {"kind": "cerego_tag_type", "id": "77", "name": "Ignored: present"},
        ]))
        .unwrap();
        model.setup(&steps).unwrap();
        let fields = catalogue(&model);
        assert_eq!(fields.len(), before - 1, "escalated gone, vip kept once");
        assert_eq!(fields.last(), Some(&"vip"), "defined again: at the end");
        assert!(!fields.contains(&"zz_new") && !fields.contains(&"escalated"));
        let types: Vec<(&str, &str)> = model
            .cerego
            .tag_types
            .iter()
            .map(|t| (t.id.as_str(), t.name.as_str()))
            .collect();
        assert_eq!(types.iter().filter(|t| t.0 == "77").count(), 1);
        assert_eq!(types.last(), Some(&("77", "New")));
    }

    /// A removed tag type takes its tags with it, but not a tag of that type set up after
    /// the removal; removed users go with their tags, and the others keep theirs.
    #[test]
    fn removals_take_what_was_there_before_them_only() {
        let mut model = Model::new(&Seed::demo());
        let holders = |m: &Model, kind: &str| -> Vec<String> {
            m.cerego
                .tags()
                .filter(|t| t.tag_type_id == kind)
                .map(|t| t.user_id)
                .collect()
        };
        assert!(
            holders(&model, "5").len() > 3,
            "the demo seed has Plan tags"
        );
        let ada_had = model.cerego.tags_of_user("1185304").len();
        // Who holds what, but Plan (type 5) and Grace Hopper (1185310): kept as it was,
        // users after a removed one included.
        let others = |m: &Model| -> Vec<(String, String, String)> {
            m.cerego
                .tags()
                .filter(|t| t.tag_type_id != "5" && t.user_id.starts_with("11"))
                .filter(|t| t.user_id != "1185310")
                .map(|t| (t.user_id, t.tag_type_id, t.value))
                .collect()
        };
        let kept = others(&model);
        assert!(!model.cerego.tags_of_user("1185310").is_empty());
        let steps: Vec<Setup> = serde_json::from_value(serde_json::json!([
            {"kind": "cerego_user", "id": "990001", "name": "Demo Player", "email": "p@example.com"},
            {"kind": "cerego_tag", "user": "990001", "tag_type": "5", "value": "Silver"},
            {"kind": "cerego_no_tag_type", "id": "5"},
            {"kind": "cerego_tag", "user": "990001", "tag_type": "5", "value": "Gold"},
            {"kind": "cerego_user", "id": "990002", "name": "Two", "email": "t@example.com"},
            {"kind": "cerego_tag", "user": "990002", "tag_type": "7", "value": "EMEA"},
            {"kind": "cerego_no_user", "id": "990002"},
            {"kind": "cerego_no_user", "id": "1185310"},
            {"kind": "cerego_no_user", "id": "999999999"},
        ]))
        .unwrap();
        let reply = model.setup(&steps).unwrap();
        assert_eq!(holders(&model, "5"), ["990001"]);
        let player = model.cerego.tags_of_user("990001");
        assert_eq!(player.len(), 1);
        assert_eq!(player[0].value, "Gold");
        let told = reply.tags.iter().rfind(|t| t.user == "990001").unwrap();
        assert_eq!(told.tag_id, player[0].id.to_string(), "the reply names it");
        assert_eq!(model.cerego.tags_of_user("990002"), []);
        assert_eq!(model.cerego.tags_of_user("1185310"), []);
        assert_eq!(model.cerego.user_count(), 38 + 1 - 1);
        let ada = model.cerego.tags_of_user("1185304");
        assert_eq!(ada.len(), ada_had - 1, "only her Plan tag went");
        assert!(ada.iter().all(|t| t.user_id == "1185304"));
        assert_eq!(others(&model), kept);
        assert!(!model.cerego.tags().any(|t| t.user_id == "1185310"));
        // Every play still gives its outcome on this model.
        for play in plays() {
            let reply = model.setup(&play.setup).unwrap();
            assert!(play.op(&reply).is_ok(), "{}", play.key);
        }
    }

    /// Every play, set up on a fresh demo model and answered by it, gives its expected
    /// outcome — twice in a row (the setup is idempotent).
    #[test]
    fn every_play_gives_its_outcome_on_the_model() {
        let mut model = Model::new(&Seed::demo());
        for round in 0..2 {
            for play in plays() {
                let reply = model.setup(&play.setup).unwrap();
                let op = play.op(&reply).unwrap();
                let (status, body) = model.answer(&op);
                let got = crate::core::op::interpret(&op, status, body.to_string().as_bytes());
                match (play.expect, got) {
                    (Expect::Hive(s), Ok(crate::core::op::Output::Hive(o))) => {
                        assert_eq!(o.scenario(), s, "{} round {round}", play.key)
                    }
                    (Expect::Error { status: want, code }, Err(e)) => {
                        assert_eq!(e.status(), Some(want), "{} {e}", play.key);
                        assert_eq!(e.code(), code, "{}", play.key);
                    }
                    (Expect::Created, Ok(_)) => assert_eq!(status, 201, "{}", play.key),
                    (Expect::Updated, Ok(_)) => assert_eq!(status, 200, "{}", play.key),
                    (want, got) => panic!("{}: expected {want:?}, got {got:?}", play.key),
                }
            }
        }
    }
}
