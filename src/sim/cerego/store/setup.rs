//! What `POST /_sim/setup` changes in the partner's rows (see `crate::sim::setup`): users
//! made and removed, tags set and removed, for many steps in one pass where it matters.

use super::*;

impl CeregoState {
    /// A user with this id exists (created now with these fields if it did not).
    pub(in crate::sim) fn ensure_user(
        &mut self,
        id: &str,
        name: &str,
        email: &str,
    ) -> Result<(), String> {
        if self.user_pos(id).is_some() {
            return Ok(());
        }
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("a Cerego user id is digits, not {id:?}"));
        }
        let first_tag = pos32(self.tags.len());
        self.push_user(
            SimUser {
                id: id.to_string(),
                name: name.to_string(),
                username: email.split('@').next().unwrap_or(email).to_string(),
                email: Some(email.to_string()),
                member_id: None,
                department: None,
                created_at: now(),
                last_logged_in_at: None,
            },
            first_tag,
        );
        Ok(())
    }

    /// No user with any of these ids (nor their tags). One pass over the users and the
    /// tags, however many ids: positions after a removed user move.
    pub(in crate::sim) fn remove_users(&mut self, ids: &[String]) {
        let gone: std::collections::HashSet<usize> =
            ids.iter().filter_map(|id| self.user_pos(id)).collect();
        if gone.is_empty() {
            return;
        }
        for &pos in &gone {
            let slots: Vec<usize> = self.tags_of(pos).collect();
            for s in slots {
                self.tags[s].user = DEAD;
            }
        }
        // Each kept user's new position.
        let mut moved = vec![DEAD; self.users.len()];
        let mut next = 0;
        for (pos, new) in moved.iter_mut().enumerate() {
            if !gone.contains(&pos) {
                *new = next;
                next += 1;
            }
        }
        for t in &mut self.tags {
            if t.user != DEAD {
                t.user = moved.get(t.user as usize).copied().unwrap_or(DEAD);
            }
        }
        let mut pos = 0;
        self.users.retain(|_| {
            pos += 1;
            !gone.contains(&(pos - 1))
        });
        let synthetic = self.index.synthetic.len();
        self.index = UserIndex {
            synthetic: vec![DEAD; synthetic],
            ..UserIndex::default()
        };
        self.departments.clear();
        for pos in 0..self.users.len() {
            let p = pos32(pos);
            match &self.users[pos].who {
                Who::Named(u) => {
                    self.index.insert(&u.id, p);
                    if u.department.is_some() {
                        self.departments.push(p);
                    }
                }
                Who::Synthetic(i) => {
                    if let Some(slot) = self.index.synthetic.get_mut(*i as usize) {
                        *slot = p;
                    }
                }
            }
        }
    }

    /// No tag with this id.
    pub(in crate::sim) fn remove_tag(&mut self, tag_id: &str) {
        if let Some(slot) = self.slot_of(tag_id) {
            self.tags[slot].user = DEAD;
        }
    }

    /// How many tag slots there are (a new tag takes the next one).
    pub(in crate::sim) fn tags_len(&self) -> usize {
        self.tags.len()
    }

    /// No tag of these types on any user, among the tags in slots below the number given
    /// for each type. One pass over the tags, however many types.
    pub(in crate::sim) fn remove_tags_of_types(&mut self, below: &HashMap<String, usize>) {
        let below: HashMap<u32, usize> = below
            .iter()
            .filter_map(|(type_id, &slot)| Some((self.strings.find(type_id)?, slot)))
            .collect();
        if below.is_empty() {
            return;
        }
        for (slot, t) in self.tags.iter_mut().enumerate() {
            if t.user != DEAD && below.get(&t.kind).is_some_and(|&end| slot < end) {
                t.user = DEAD;
            }
        }
    }

    /// No tag of this type on this user among the tags in slots below `below`.
    pub(in crate::sim) fn drop_tags_of_type(&mut self, user: &str, type_id: &str, below: usize) {
        let (Some(pos), Some(kind)) = (self.user_pos(user), self.strings.find(type_id)) else {
            return;
        };
        let slots: Vec<usize> = self
            .tags_of(pos)
            .filter(|&s| s < below && self.tags[s].kind == kind)
            .collect();
        for s in slots {
            self.tags[s].user = DEAD;
        }
    }

    /// The user holds one tag of `tag_type` with `value` (keeping an existing tag's id; any
    /// other tag of the type goes), or none of the type; the id of the tag it holds.
    pub(in crate::sim) fn set_tag(
        &mut self,
        user: &str,
        tag_type: &str,
        value: Option<&str>,
    ) -> Result<Option<u64>, String> {
        let Some(pos) = self.user_pos(user) else {
            return Err(format!("no user {user} in the partner: set it up first"));
        };
        let existing: Vec<usize> = self
            .tags_of(pos)
            .filter(|&s| self.strings.get(self.tags[s].kind) == tag_type)
            .collect();
        let Some(value) = value else {
            for s in existing {
                self.tags[s].user = DEAD;
            }
            return Ok(None);
        };
        if let Some((&keep, extra)) = existing.split_first() {
            for &s in extra {
                self.tags[s].user = DEAD;
            }
            self.set_value(keep, value);
            return Ok(Some(self.tag_id(keep)));
        }
        let slot = self.new_tag(pos, tag_type, value);
        Ok(Some(self.tag_id(slot)))
    }
}
