//! `POST /_sim/setup`: make the simulator hold given facts before a playground scenario
//! (see [`crate::core::playground`]), so its outcome is certain. Every step is idempotent:
//! playing a scenario twice sets up the same state twice.

use super::cerego::{CeregoState, SimTag, SimUser, guid_for, now};
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
                        self.hive.patrons.insert(patron.clone(), tags.clone());
                    }
                    None => {
                        self.hive.patrons.remove(patron);
                    }
                },
                Setup::CeregoUser { id, name, email } => {
                    ensure_user(&mut self.cerego, id, name, email)?;
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
                    if let Some(id) = set_tag(&mut self.cerego, user, tag_type, value.as_deref())? {
                        reply.tags.push(SetTag {
                            user: user.clone(),
                            tag_type: tag_type.clone(),
                            tag_id: id.to_string(),
                        });
                    }
                }
                Setup::CeregoNoUser { id } => remove_user(&mut self.cerego, id),
                Setup::CeregoNoTagType { id } => {
                    self.cerego.tag_types.retain(|t| t.id.as_str() != id);
                    let gone: Vec<u64> = self
                        .cerego
                        .tags
                        .values()
                        .filter(|t| &t.tag_type_id == id)
                        .map(|t| t.id)
                        .collect();
                    for tag in gone {
                        remove_tag(&mut self.cerego, tag);
                    }
                }
                Setup::CeregoNoTag { id } => {
                    if let Ok(id) = id.parse::<u64>() {
                        remove_tag(&mut self.cerego, id);
                    }
                }
            }
        }
        Ok(reply)
    }
}

fn ensure_user(c: &mut CeregoState, id: &str, name: &str, email: &str) -> Result<(), String> {
    if c.user_index.contains_key(id) {
        return Ok(());
    }
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("a Cerego user id is digits, not {id:?}"));
    }
    c.user_index.insert(id.to_string(), c.users.len());
    c.users.push(SimUser {
        id: id.to_string(),
        name: name.to_string(),
        username: email.split('@').next().unwrap_or(email).to_string(),
        email: email.to_string(),
        member_id: None,
        guid: guid_for(id),
        created_at: now(),
        last_logged_in_at: None,
    });
    Ok(())
}

fn remove_user(c: &mut CeregoState, id: &str) {
    if c.user_index.remove(id).is_none() {
        return;
    }
    c.users.retain(|u| u.id != id);
    c.user_index = c
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.clone(), i))
        .collect();
    for tag in c.tags_of.remove(id).unwrap_or_default() {
        c.tags.remove(&tag);
    }
}

fn remove_tag(c: &mut CeregoState, id: u64) {
    if let Some(tag) = c.tags.remove(&id)
        && let Some(ids) = c.tags_of.get_mut(&tag.user_id)
    {
        ids.retain(|t| *t != id);
    }
}

/// The user holds a tag of `tag_type` with `value` (keeping an existing tag's id), or none.
fn set_tag(
    c: &mut CeregoState,
    user: &str,
    tag_type: &str,
    value: Option<&str>,
) -> Result<Option<u64>, String> {
    if !c.user_index.contains_key(user) {
        return Err(format!("no user {user} in the partner: set it up first"));
    }
    let existing: Vec<u64> = c
        .tags_of
        .get(user)
        .into_iter()
        .flatten()
        .copied()
        .filter(|id| c.tags.get(id).is_some_and(|t| t.tag_type_id == tag_type))
        .collect();
    let Some(value) = value else {
        for id in existing {
            remove_tag(c, id);
        }
        return Ok(None);
    };
    if let Some((&keep, extra)) = existing.split_first() {
        for &id in extra {
            remove_tag(c, id);
        }
        if let Some(tag) = c.tags.get_mut(&keep) {
            tag.value = value.to_string();
            tag.updated_at = now();
        }
        return Ok(Some(keep));
    }
    let id = c.next_tag_id;
    c.next_tag_id += 1;
    let stamp = now();
    c.tags.insert(
        id,
        SimTag {
            id,
            user_id: user.to_string(),
            tag_type_id: tag_type.to_string(),
            value: value.to_string(),
            created_at: stamp.clone(),
            updated_at: stamp,
        },
    );
    c.tags_of.entry(user.to_string()).or_default().push(id);
    Ok(Some(id))
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
