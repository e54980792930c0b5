//! The edit of one of a user's Cerego tags: the form of the tag the operator chose, and the
//! form's ↑/↓ (Tab/Shift-Tab) moving to the user's other tags.

use super::*;
use crate::core::model::{Tag, User};
use crate::core::printable::printable;
use crate::tui::app::Settings;

/// How a tag is named where a person chooses it: `Plan=Gold` (its type's configured name).
pub fn tag_label(settings: &Settings, tag: &Tag) -> String {
    format!(
        "{}={}",
        settings.tag_type_name(tag.tag_type_id),
        printable(tag.value.unwrap_or_default())
    )
}

/// A user's name as a form's title says it.
pub fn user_name(user: &User) -> String {
    user.name
        .map(str::to_string)
        .unwrap_or_else(|| format!("user {}", user.id))
}

impl Form {
    /// The edit of the user's `index`th tag, its current value in the field (None when the
    /// user has no such tag).
    pub fn edit_tag(settings: &Settings, user: &User, index: usize) -> Option<Form> {
        let tag = user.tags.get(index)?;
        let kind = FormKind::CeregoEdit {
            tag_id: tag.id.to_string(),
            user_name: user_name(user),
            type_name: settings.tag_type_name(tag.tag_type_id),
            old_value: tag.value.unwrap_or_default().to_string(),
            user_id: user.id.to_string(),
            tag_type: tag.tag_type_id.map(str::to_string),
        };
        Some(Form::new(kind, tag.value.unwrap_or_default()))
    }

    /// Where the edited tag is among its user's tags, and how many they have: `(at, n)`
    /// (None when the form is no edit, or the user is not the one selected any more).
    pub fn tag_position(&self, user: Option<User>) -> Option<(usize, usize)> {
        let FormKind::CeregoEdit {
            tag_id, user_id, ..
        } = &self.kind
        else {
            return None;
        };
        let user = user.filter(|u| u.id == user_id.as_str())?;
        let at = user.tags.iter().position(|t| t.id == tag_id.as_str())?;
        Some((at, user.tags.len()))
    }

    /// ↓ (`step` 1) / ↑ (-1) in an edit: the edit of the user's next / previous tag, with
    /// that tag's value in the field (what was typed for the other tag is not carried over:
    /// each tag's edit starts from its own value, as `was` says).
    pub(super) fn move_tag(&mut self, cx: &Cx, step: i32) {
        let Some(user) = cx.selected_user else {
            return;
        };
        let Some((at, n)) = self.tag_position(Some(user)) else {
            return;
        };
        if n < 2 {
            self.note = Some(format!("{} has no other tag.", user_name(&user)));
            return;
        }
        let to = (at as i32 + step).rem_euclid(n as i32) as usize;
        if let Some(mut form) = Form::edit_tag(cx.settings, &user, to) {
            form.cached = self.cached;
            *self = form;
        }
    }
}
