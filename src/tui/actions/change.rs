//! Changing tags: add, edit and remove (with marks), refused up front on a read-only
//! profile.

use crate::core::domain::{ApiField, PatronId};
use crate::core::op::Op;
use crate::tui::app::{App, Effect, Level, Pane, Tab};
use crate::tui::keymap::Action;
use crate::tui::popups::{Confirm, Form, FormKind, OnYes, Popup, TagChooser};

impl App {
    pub(in crate::tui) fn add(&mut self) -> Vec<Effect> {
        match self.tab {
            Tab::Hive => {
                let Some(patron) = self.selected_patron().map(|p| p.id.clone()) else {
                    self.set_status(
                        Level::Warn,
                        format!(
                            "No patron selected: press {} to open one by its id.",
                            self.key_label(Action::Open)
                        ),
                    );
                    return Vec::new();
                };
                self.open(Popup::Form(Box::new(Form::new(
                    FormKind::HiveAdd { patron },
                    "",
                ))));
            }
            Tab::Cerego => {
                let types = self
                    .settings
                    .cerego
                    .as_ref()
                    .map(|c| c.tag_types.clone())
                    .unwrap_or_default();
                if types.is_empty() {
                    self.set_status(
                        Level::Warn,
                        "No Cerego tag types are configured for this profile, so there is nothing to add.",
                    );
                    return Vec::new();
                }
                let Some(user) = self.selected_user() else {
                    self.set_status(Level::Warn, "No user selected.");
                    return Vec::new();
                };
                // Start on the first type the user does not have yet.
                let type_index = types
                    .iter()
                    .position(|t| {
                        !user
                            .tags
                            .iter()
                            .any(|tag| tag.tag_type_id == Some(t.id.as_str()))
                    })
                    .unwrap_or(0);
                let kind = FormKind::CeregoAdd {
                    user_id: user.id.to_string(),
                    user_name: user
                        .name
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("user {}", user.id)),
                    type_index,
                    set: self.cerego_tags_api() == crate::core::domain::TagsApi::Set,
                };
                let mut form = Form::new(kind, "");
                form.cached = self.selected_is_cached();
                self.open(Popup::Form(Box::new(form)));
            }
        }
        Vec::new()
    }

    /// Sends a set of one tag type's value (the set family: add and edit are one
    /// operation), unless the user's tag of that type already has it.
    pub(in crate::tui) fn set_tag(
        &mut self,
        user: crate::core::domain::CeregoUserId,
        user_id: &str,
        tag_type: crate::core::domain::TagTypeId,
        value: crate::core::domain::TagValue,
    ) -> Vec<Effect> {
        let current = self
            .known
            .cerego
            .set_prior(user_id, &[tag_type.as_str()])
            .and_then(|p| p.get(tag_type.as_str()).cloned().flatten());
        if current.as_deref() == Some(value.as_str()) {
            self.set_status(Level::Info, "The value is unchanged: nothing was sent.");
            return Vec::new();
        }
        self.status = None;
        self.gate_and_send(
            crate::core::op::Op::CeregoSet {
                user,
                tags: vec![crate::core::domain::TagSetting { tag_type, value }],
            },
            false,
        )
    }

    /// `e`: the edit of the tag the operator chose — the tags pane's cursor when the pane
    /// has the focus or its cursor was moved on this user; the only tag; or, among several,
    /// the one picked in a chooser (never silently the first).
    pub(in crate::tui) fn edit(&mut self) -> Vec<Effect> {
        // Availability (keymap::availability) has said this is the Cerego tab.
        let Some(user) = self.selected_user() else {
            self.set_status(Level::Warn, "No user selected.");
            return Vec::new();
        };
        let cached = self.selected_is_cached();
        let under_cursor = user.tags.get(self.cerego.tag_selected);
        let chosen = self.focus == Pane::Tags
            || under_cursor.is_some_and(|t| {
                self.cerego.tag_chosen.as_ref() == Some(&(user.id.to_string(), t.id.to_string()))
            });
        let index = match user.tags.len() {
            0 => {
                let msg = format!(
                    "No tag to edit: {} has none yet — press {} to add one.",
                    crate::tui::popups::user_name(&user),
                    self.key_label(Action::Add)
                );
                self.set_status(Level::Warn, msg);
                return Vec::new();
            }
            1 => 0,
            _ if chosen && self.cerego.tag_selected < user.tags.len() => self.cerego.tag_selected,
            _ => {
                let chooser = TagChooser {
                    user_id: user.id.to_string(),
                    selected: self.cerego.tag_selected.min(user.tags.len() - 1),
                    cached,
                };
                self.open(Popup::ChooseTag(chooser));
                return Vec::new();
            }
        };
        if let Some(mut form) = Form::edit_tag(&self.settings, &user, index) {
            form.cached = cached;
            self.open(Popup::Form(Box::new(form)));
        }
        Vec::new()
    }

    pub(in crate::tui) fn remove(&mut self) -> Vec<Effect> {
        // Availability (keymap::availability) has said this is the Hive tab, writable.
        let Some(patron) = self.selected_patron().cloned() else {
            self.set_status(Level::Warn, "No patron selected.");
            return Vec::new();
        };
        let fields: Vec<ApiField> = if !self.hive.marked.is_empty() {
            // In the order the tags are shown.
            patron
                .tags
                .iter()
                .filter(|t| self.hive.marked.contains(&t.api_field))
                .filter_map(|t| ApiField::parse(&t.api_field).ok())
                .collect()
        } else if patron.tags.is_empty() {
            Vec::new()
        } else if self.focus != Pane::Tags {
            // The tags cursor is not on screen as a choice: let the operator pick.
            self.focus = Pane::Tags;
            let msg = format!(
                "Choose the tag to remove ({} marks several), then press {} again.",
                self.key_label(Action::Mark),
                self.key_label(Action::Remove)
            );
            self.set_status(Level::Info, msg);
            return Vec::new();
        } else {
            patron
                .tags
                .get(self.hive.tag_selected)
                .and_then(|t| ApiField::parse(&t.api_field).ok())
                .into_iter()
                .collect()
        };
        if fields.is_empty() {
            // No known tags: let the operator type which ones to remove.
            self.open(Popup::Form(Box::new(Form::new(
                FormKind::HiveRemove { patron: patron.id },
                "",
            ))));
        } else {
            self.confirm_hive_remove(patron.id, fields);
        }
        Vec::new()
    }

    /// Opens the form for removing api_fields typed by the operator.
    pub(in crate::tui) fn remove_typed(&mut self) {
        match self.selected_patron().map(|p| p.id.clone()) {
            Some(patron) => {
                self.open(Popup::Form(Box::new(Form::new(
                    FormKind::HiveRemove { patron },
                    "",
                ))));
            }
            None => self.set_status(Level::Warn, "No patron selected."),
        }
    }

    /// Marks or unmarks the tag under the cursor and moves to the next one, so a run of
    /// tags is marked by pressing the key repeatedly.
    pub(in crate::tui) fn toggle_mark(&mut self) {
        let Some((tag, count)) = self.selected_patron().and_then(|p| {
            p.tags
                .get(self.hive.tag_selected)
                .map(|t| (t.api_field.clone(), p.tags.len()))
        }) else {
            return;
        };
        if !self.hive.marked.remove(&tag) {
            self.hive.marked.insert(tag);
        }
        if self.focus == Pane::Tags && self.hive.tag_selected + 1 < count {
            self.hive.tag_selected += 1;
        }
        self.focus = Pane::Tags;
    }

    pub(in crate::tui) fn confirm_hive_remove(&mut self, patron: PatronId, fields: Vec<ApiField>) {
        let names: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
        self.open(Popup::Confirm(Confirm {
            title: " Remove Hive tags? ".into(),
            lines: vec![
                format!("Patron:  {patron}"),
                format!("Tags:    {}", names.join(", ")),
                String::new(),
                format!(
                    "Sends POST /api/v1/user_tags/remove for {} tag{}.",
                    names.len(),
                    if names.len() == 1 { "" } else { "s" }
                ),
            ]
            .into_iter()
            .chain(self.settings.policy.confirm.then(|| {
                format!(
                    "Profile {} asks for confirmation.",
                    self.settings.policy.profile.to_uppercase()
                )
            }))
            .collect(),
            yes: "remove".into(),
            on_yes: OnYes::Send(Op::HiveRemove { patron, fields }),
        }));
    }
}
