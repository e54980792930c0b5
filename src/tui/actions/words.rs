//! What a Cerego change does, in the words of the change: a set's log line says
//! `Cohort = "Fall 2026" (was "Spring 2026")` — each tag type by its configured name, with
//! the value it replaced — instead of the user's whole tag list; an undo's line says what it
//! restored on whom; a Cerego confirmation names the user and the old value.

use crate::core::op::Op;
use crate::core::op::inverse::{decode_set_prior, encode_set_prior};
use crate::core::plan::BatchOp;
use crate::core::printable::printable;
use crate::engine::batch::SavedPlan;
use crate::tui::app::App;

/// `Cohort = "Fall 2026"`, then what it replaced when that is known (`was`: `None` not
/// known, `Some(None)` the user had no tag of the type): ` (was "Spring 2026")`, ` (new)`,
/// ` (unchanged)`.
fn setting_words(name: &str, value: &str, was: Option<Option<&str>>) -> String {
    let was = match was {
        None => String::new(),
        Some(None) => " (new)".into(),
        Some(Some(old)) if old == value => " (unchanged)".into(),
        Some(Some(old)) => format!(" (was \"{}\")", printable(old)),
    };
    format!("{name} = \"{}\"{was}", printable(value))
}

impl App {
    /// What a Cerego update or set replaces, as far as tagdesk knows it: an update's current
    /// value; a set's value of each type, or that the user has none (the set creates it).
    /// Journaled with the intent, so the change can be undone.
    pub(in crate::tui) fn prior_of(&self, op: &Op) -> Option<String> {
        match op {
            // The selected user holds the tag being edited (else the list is searched).
            Op::CeregoUpdate { tag, .. } => {
                let hint = self.selected_user().map(|u| u.id.to_string());
                self.known.cerego.tag_value(tag.as_str(), hint.as_deref())
            }
            Op::CeregoSet { user, tags } => {
                let types: Vec<&str> = tags.iter().map(|t| t.tag_type.as_str()).collect();
                self.known
                    .cerego
                    .set_prior(user.as_str(), &types)
                    .map(|p| encode_set_prior(&p))
            }
            Op::HiveAdd { .. }
            | Op::HiveRemove { .. }
            | Op::CeregoAdd { .. }
            | Op::CeregoListUsers { .. }
            | Op::CeregoProfile
            | Op::Raw(_) => None,
        }
    }

    /// A Cerego update's or set's settings in words, `prior` being what its entry recorded
    /// it replaced: `Cohort = "Fall 2026" (was "Spring 2026")`. None for other Ops.
    pub(in crate::tui) fn change_words(&self, op: &Op, prior: Option<&str>) -> Option<String> {
        match op {
            Op::CeregoSet { tags, .. } => {
                let prior = prior.and_then(decode_set_prior);
                let words: Vec<String> = tags
                    .iter()
                    .map(|t| {
                        let ty = t.tag_type.as_str();
                        let was = prior.as_ref().and_then(|p| p.get(ty)).map(Option::as_deref);
                        setting_words(&self.tag_type_name(Some(ty)), t.value.as_str(), was)
                    })
                    .collect();
                Some(words.join(", "))
            }
            Op::CeregoUpdate { tag, value } => Some(setting_words(
                &self.tag_name(tag.as_str()),
                value.as_str(),
                prior.map(Some),
            )),
            Op::HiveAdd { .. }
            | Op::HiveRemove { .. }
            | Op::CeregoAdd { .. }
            | Op::CeregoListUsers { .. }
            | Op::CeregoProfile
            | Op::Raw(_) => None,
        }
    }

    /// The line a Cerego change's confirmation adds: whom it changes, and from what to what
    /// (`Ada Lovelace (user 1185304): Cohort = "Fall 2026" (was "Spring 2026")`).
    pub(in crate::tui) fn confirm_words(&self, op: &Op) -> Option<String> {
        let (whom, what) = match op {
            Op::CeregoAdd {
                user,
                tag_type,
                value,
            } => (
                self.user_words(user.as_str()),
                setting_words(
                    &self.tag_type_name(Some(tag_type.as_str())),
                    value.as_str(),
                    Some(None),
                ),
            ),
            Op::CeregoSet { user, .. } => (
                self.user_words(user.as_str()),
                self.change_words(op, self.prior_of(op).as_deref())?,
            ),
            Op::CeregoUpdate { tag, .. } => (
                self.owner_words(tag.as_str()),
                self.change_words(op, self.prior_of(op).as_deref())?,
            ),
            Op::HiveAdd { .. }
            | Op::HiveRemove { .. }
            | Op::CeregoListUsers { .. }
            | Op::CeregoProfile
            | Op::Raw(_) => return None,
        };
        Some(format!("{whom}: {what}"))
    }

    /// What an undo batch restores, for its log line: its one change's words and on whom
    /// (`Plan = "Gold" on Ada Lovelace (user 1185304)`, `vip on patron user_abc123`), or,
    /// for several, what it undoes. None for another batch.
    pub(in crate::tui) fn undo_words(&self, plan: &SavedPlan) -> Option<String> {
        if plan.op != BatchOp::Undo {
            return None;
        }
        if let [row] = plan.rows.as_slice() {
            return Some(self.restore_words(&row.op));
        }
        let of = plan.undo_of.as_deref()?;
        Some(format!("what {} changed", self.cx().known().undone(of)))
    }

    /// One undo row's change, as what it puts back on whom.
    fn restore_words(&self, op: &Op) -> String {
        let fields = |fields: &[crate::core::domain::ApiField]| {
            fields
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match op {
            Op::CeregoSet { user, tags } => {
                let values: Vec<String> = tags
                    .iter()
                    .map(|t| {
                        let name = self.tag_type_name(Some(t.tag_type.as_str()));
                        setting_words(&name, t.value.as_str(), None)
                    })
                    .collect();
                format!(
                    "{} on {}",
                    values.join(", "),
                    self.user_words(user.as_str())
                )
            }
            Op::CeregoUpdate { tag, value } => format!(
                "{} on {}",
                setting_words(&self.tag_name(tag.as_str()), value.as_str(), None),
                self.owner_words(tag.as_str())
            ),
            Op::HiveAdd { patron, fields: f } => format!("{} on patron {patron}", fields(f)),
            Op::HiveRemove { patron, fields: f } => {
                format!("patron {patron} without {}", fields(f))
            }
            Op::CeregoAdd { .. } | Op::CeregoListUsers { .. } | Op::CeregoProfile | Op::Raw(_) => {
                op.describe()
            }
        }
    }

    /// A user as a person reads it: `Ada Lovelace (user 1185304)`, or `user 1185304`.
    fn user_words(&self, id: &str) -> String {
        match self.known.cerego.user(id).and_then(|u| u.name) {
            Some(name) => format!("{} (user {id})", printable(name)),
            None => format!("user {id}"),
        }
    }

    /// The user holding a tag, in words (`the user of tag 84001` when none known does).
    fn owner_words(&self, tag: &str) -> String {
        let hint = self.selected_user().map(|u| u.id.to_string());
        let cerego = &self.known.cerego;
        match cerego
            .tag_of(tag, hint.as_deref())
            .and_then(|(at, _)| cerego.get(at))
        {
            Some(user) => self.user_words(user.id),
            None => format!("the user of tag {tag}"),
        }
    }

    /// A tag by its type's configured name (`Plan`), or `tag 84001` when its type is not
    /// known.
    fn tag_name(&self, tag: &str) -> String {
        let hint = self.selected_user().map(|u| u.id.to_string());
        match self
            .known
            .cerego
            .tag_of(tag, hint.as_deref())
            .and_then(|(_, t)| t.tag_type_id)
        {
            Some(ty) => self.tag_type_name(Some(ty)),
            None => format!("tag {tag}"),
        }
    }
}
