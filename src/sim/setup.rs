//! `POST /_sim/setup`: make the simulator hold given facts before a playground scenario
//! (see [`crate::core::playground`]), so its outcome is certain. Every step is idempotent:
//! playing a scenario twice sets up the same state twice.

use super::*;
use crate::core::domain::{ApiField, HiveTag, TagType, TagTypeId};
use crate::core::playground::{SetTag, Setup, SetupReply};

impl Model {
    /// Applies every step in order; the first step that cannot hold stops it with the reason.
    pub fn setup(&mut self, steps: &[Setup]) -> Result<SetupReply, String> {
        let mut reply = SetupReply::default();
        for step in steps {
            match step {
                Setup::HiveCatalogue { defined, undefined } => {
                    for field in defined {
                        let api_field = ApiField::parse(field).map_err(|e| e.to_string())?;
                        if !self.hive.catalogue.iter().any(|t| t.api_field == api_field) {
                            self.hive.catalogue.push(HiveTag {
                                name: field.replace('_', " "),
                                api_field,
                            });
                        }
                    }
                    self.hive
                        .catalogue
                        .retain(|t| !undefined.iter().any(|u| t.api_field.as_str() == u));
                }
                Setup::HivePatron { patron, tags } => match tags {
                    Some(tags) => {
                        self.hive.patrons.insert(patron, tags);
                    }
                    None => {
                        self.hive.patrons.remove(patron);
                    }
                },
                Setup::CeregoUser { id, name, email } => {
                    self.cerego.ensure_user(id, name, email)?;
                }
                Setup::CeregoTagType { id, name } => {
                    if !self.cerego.tag_types.iter().any(|t| t.id.as_str() == id) {
                        let id = TagTypeId::parse(id).map_err(|e| e.to_string())?;
                        self.cerego.tag_types.push(TagType {
                            id,
                            name: name.clone(),
                        });
                    }
                }
                Setup::CeregoTag {
                    user,
                    tag_type,
                    value,
                } => {
                    if let Some(id) = self.cerego.set_tag(user, tag_type, value.as_deref())? {
                        reply.tags.push(SetTag {
                            user: user.clone(),
                            tag_type: tag_type.clone(),
                            tag_id: id.to_string(),
                        });
                    }
                }
                Setup::CeregoNoUser { id } => self.cerego.remove_user(id),
                Setup::CeregoNoTagType { id } => {
                    self.cerego.tag_types.retain(|t| t.id.as_str() != id);
                    self.cerego.remove_tags_of_type(id);
                }
                Setup::CeregoNoTag { id } => self.cerego.remove_tag(id),
            }
        }
        Ok(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::playground::{Expect, plays};

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
