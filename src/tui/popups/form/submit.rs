//! What Enter sends, once a form's input is valid: the App's side of a form (`Do::Submit`).

use super::*;
use crate::core::domain::{ApiField, CeregoUserId, PatronId, TagId, TagValue};
use crate::core::op::Op;
use crate::tui::app::{App, Effect, Level};
use crate::tui::popups::{Confirm, OnYes, Popup};

impl App {
    /// Enter in a form whose input is valid (the form checked it): send it, confirm it first
    /// or preview it, as its kind asks.
    pub(in crate::tui) fn submit(&mut self, form: Form) -> Vec<Effect> {
        if form.resend.is_some() {
            return self.submit_edited(&form);
        }
        let text = form.input.value().to_string();
        // A user as the cache had them is never the ground for a change.
        if form.cached
            && let Some(effects) = self.recheck_cached_form(form.clone())
        {
            return effects;
        }
        match form.kind.clone() {
            FormKind::HiveOpen => {
                let Ok(id) = PatronId::parse(&text) else {
                    return Vec::new();
                };
                self.open_known_patron(id);
                self.save_effect().into_iter().collect()
            }
            FormKind::CeregoLookup => {
                let (Ok(query), Some(c)) = (
                    crate::core::domain::LookupQuery::parse(&text),
                    self.settings.cerego.as_ref(),
                ) else {
                    return Vec::new();
                };
                // It enters the recent look-ups once it found someone (`show_fold`).
                let op = c.listing(Some(query.to_string()));
                self.gate_and_send(op, false)
            }
            FormKind::HiveAdd { patron } => match ApiField::parse_list(&text) {
                Ok(fields) => {
                    self.status = None;
                    self.gate_and_send(Op::HiveAdd { patron, fields }, false)
                }
                Err(_) => Vec::new(),
            },
            FormKind::HiveRemove { patron } => {
                if let Ok(fields) = ApiField::parse_list(&text) {
                    self.confirm_hive_remove(patron, fields);
                }
                Vec::new()
            }
            FormKind::CeregoAdd {
                user_id,
                user_name,
                type_index,
                set,
            } => {
                let Some(tag_type) = self
                    .settings
                    .cerego
                    .as_ref()
                    .and_then(|c| c.tag_types.get(type_index))
                    .cloned()
                else {
                    return Vec::new();
                };
                let user = match CeregoUserId::parse(&user_id) {
                    Ok(u) => u,
                    Err(e) => {
                        self.set_status(
                            Level::Error,
                            format!("Cannot add to user \"{user_id}\" as Cerego listed it: {e}. Nothing was sent."),
                        );
                        return Vec::new();
                    }
                };
                let Ok(value) = TagValue::parse(&text) else {
                    return Vec::new();
                };
                if set {
                    return self.set_tag(user, &user_id, tag_type.id, value);
                }
                // Cerego only creates a tag of a type the user lacks: offer to edit instead.
                let existing = self
                    .known
                    .cerego
                    .user(&user_id)
                    .and_then(|u| {
                        u.tags
                            .iter()
                            .find(|t| t.tag_type_id == Some(tag_type.id.as_str()))
                    })
                    .map(|t| (t.id.to_string(), t.value.unwrap_or_default().to_string()));
                if let Some((existing_id, old)) = existing {
                    self.open(Popup::Confirm(Confirm {
                        title: " Tag type already used ".into(),
                        lines: vec![
                            format!(
                                "{user_name} already has a {} tag (tag {}):",
                                tag_type.name, existing_id
                            ),
                            format!("  \"{old}\""),
                            "Cerego adds a tag only for a type the user does not have yet,".into(),
                            format!(
                                "so this add would be refused. Edit that tag to \"{value}\" instead?"
                            ),
                        ],
                        yes: "edit instead".into(),
                        on_yes: OnYes::EditInstead {
                            tag_id: existing_id,
                            user_name,
                            type_name: tag_type.name,
                            old_value: old,
                            value: value.to_string(),
                        },
                    }));
                    return Vec::new();
                }
                self.status = None;
                self.gate_and_send(
                    Op::CeregoAdd {
                        user,
                        tag_type: tag_type.id,
                        value,
                    },
                    false,
                )
            }
            FormKind::CeregoEdit {
                tag_id,
                old_value,
                user_id,
                tag_type,
                ..
            } if self.cerego_tags_api() == crate::core::domain::TagsApi::Set => {
                let Ok(value) = TagValue::parse(&text) else {
                    return Vec::new();
                };
                let (Ok(user), Some(Ok(tag_type))) = (
                    CeregoUserId::parse(&user_id),
                    tag_type
                        .as_deref()
                        .map(crate::core::domain::TagTypeId::parse),
                ) else {
                    self.set_status(
                        Level::Error,
                        format!(
                            "Tag {tag_id}'s type is not known (the listing did not include it), \
                             and the set API names tags by type: press {} to reload. Nothing \
                             was sent.",
                            self.key_label(crate::tui::keymap::Action::Refresh)
                        ),
                    );
                    return Vec::new();
                };
                if value.as_str() == old_value {
                    self.set_status(Level::Info, "The value is unchanged: nothing was sent.");
                    return Vec::new();
                }
                self.set_tag(user, &user_id, tag_type, value)
            }
            FormKind::CeregoEdit {
                tag_id, old_value, ..
            } => {
                let tag = match TagId::parse(&tag_id) {
                    Ok(t) => t,
                    Err(e) => {
                        self.set_status(
                            Level::Error,
                            format!("Cannot edit tag \"{tag_id}\" as Cerego listed it: {e}. Nothing was sent."),
                        );
                        return Vec::new();
                    }
                };
                let Ok(value) = TagValue::parse(&text) else {
                    return Vec::new();
                };
                if value.as_str() == old_value {
                    self.set_status(Level::Info, "The value is unchanged: nothing was sent.");
                    return Vec::new();
                }
                self.status = None;
                self.gate_and_send(Op::CeregoUpdate { tag, value }, false)
            }
            FormKind::HiveBatch { remove, .. } => match ApiField::parse_list(&text) {
                Ok(fields) => {
                    self.marked_hive_preview(&fields, remove);
                    Vec::new()
                }
                Err(_) => Vec::new(),
            },
            FormKind::CeregoBatch { type_index, .. } => {
                if let Ok(value) = TagValue::parse(&text) {
                    self.marked_cerego_preview(type_index, value);
                }
                Vec::new()
            }
            FormKind::Import { service } => {
                self.set_status(Level::Info, format!("Reading {text}…"));
                vec![Effect::ReadImport {
                    path: text.trim().to_string(),
                    service,
                }]
            }
        }
    }
}
