//! The operator's actions (add, edit, remove, open, refresh), the popups that gather their
//! input, and how replies change the console's view.

use crate::core::domain::{ApiField, CeregoUserId, PatronId, TagId, TagValue};
use crate::core::op::ApiError;
use crate::core::op::Op;
use crate::engine::backend::Reply;

use super::app::{App, Confirm, Effect, Level, OnYes, Pane, Popup, Tab};
use super::forms::{Form, FormEvent, FormKind};
use super::keymap::{Action, Context};
use crate::core::model::Folded;
use crate::core::op::scenario::Severity;
use ratatui::crossterm::event::KeyEvent;

impl App {
    /// Moves a scroll position or a cursor by a navigation action (the key table in force
    /// decides which keys those are, in popups as everywhere else).
    fn scrolled(action: Option<Action>, at: usize, max: usize) -> Option<usize> {
        let to = match action? {
            Action::Down => at.saturating_add(1),
            Action::Up => at.saturating_sub(1),
            Action::PageDown => at.saturating_add(10),
            Action::PageUp => at.saturating_sub(10),
            Action::First => 0,
            Action::Last => max,
            _ => return None,
        };
        Some(to.min(max))
    }

    pub(super) fn popup_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(popup) = self.popup.take() else {
            return Vec::new();
        };
        let context = match &popup {
            Popup::Help { .. } => Context::Help,
            Popup::Inspector { .. } => Context::Inspector,
            Popup::Profiles { .. } => Context::Profiles,
            Popup::Quit => Context::Quit,
            Popup::Confirm(_) => Context::Confirm,
            Popup::Form(_) => Context::Form,
        };
        let action = self.settings.keymap.action_in(context, &key);
        if action == Some(Action::ForceQuit) {
            return vec![Effect::Quit];
        }
        match popup {
            Popup::Help { scroll } => {
                let closes = matches!(
                    action,
                    Some(Action::Close | Action::Quit | Action::Help | Action::Inspect)
                );
                if closes {
                    return Vec::new();
                }
                let max = super::view::help_max_scroll(self) as usize;
                let scroll = Self::scrolled(action, scroll as usize, max)
                    .map(|s| s as u16)
                    .unwrap_or(scroll);
                self.popup = Some(Popup::Help { scroll });
                Vec::new()
            }
            Popup::Inspector { key, scroll } => {
                let closes = matches!(action, Some(Action::Close | Action::Quit | Action::Inspect));
                if closes {
                    return Vec::new();
                }
                let max = super::view::inspector_max_scroll(self, &key) as usize;
                let scroll = Self::scrolled(action, scroll as usize, max)
                    .map(|s| s as u16)
                    .unwrap_or(scroll);
                self.popup = Some(Popup::Inspector { key, scroll });
                Vec::new()
            }
            Popup::Profiles { selected } => {
                let n = self.settings.profiles.len();
                if matches!(action, Some(Action::Close | Action::Quit)) {
                    return Vec::new();
                }
                if let Some(to) = Self::scrolled(action, selected, n.saturating_sub(1)) {
                    self.popup = Some(Popup::Profiles { selected: to });
                    return Vec::new();
                }
                if action != Some(Action::Submit) {
                    self.popup = Some(Popup::Profiles { selected });
                    return Vec::new();
                }
                let Some(name) = self.settings.profiles.get(selected).cloned() else {
                    return Vec::new();
                };
                if name == self.settings.profile {
                    return Vec::new();
                }
                if self.switching.is_some() {
                    self.set_status(Level::Warn, "A profile switch is already under way.");
                    return Vec::new();
                }
                let pending = self.in_flight();
                if pending > 0 {
                    let (requests, them) = if pending == 1 {
                        ("1 request is".to_string(), "it")
                    } else {
                        (format!("{pending} requests are"), "them")
                    };
                    self.popup = Some(Popup::Confirm(Confirm {
                        title: " Switch profile? ".into(),
                        lines: vec![
                            format!("{requests} still in flight."),
                            format!(
                                "Switching to {name} abandons {them} (journaled as abandoned)."
                            ),
                        ],
                        yes: format!("switch to {name}"),
                        on_yes: OnYes::SwitchProfile(name),
                    }));
                    return Vec::new();
                }
                vec![Effect::SwitchProfile(name)]
            }
            Popup::Quit => match action {
                Some(Action::Wait) => {
                    let n = self.in_flight();
                    if n == 0 {
                        // Everything got its outcome while the dialog was open.
                        return vec![Effect::Quit];
                    }
                    self.quit_when_idle = true;
                    let message = format!(
                        "Quitting when the {n} request{} in flight finish{}… ({} to stay, {} to abandon)",
                        if n == 1 { "" } else { "s" },
                        if n == 1 { "es" } else { "" },
                        self.key(Action::Close),
                        self.key(Action::ForceQuit)
                    );
                    self.set_status(Level::Warn, message);
                    Vec::new()
                }
                Some(Action::Abandon) => vec![Effect::Quit],
                Some(Action::No | Action::Close | Action::Quit) => {
                    self.quit_when_idle = false;
                    Vec::new()
                }
                _ => {
                    self.popup = Some(Popup::Quit);
                    Vec::new()
                }
            },
            Popup::Confirm(confirm) => match action {
                Some(Action::Yes) => self.confirmed(confirm.on_yes),
                Some(Action::No | Action::Close | Action::Quit) => {
                    self.set_status(Level::Info, "Cancelled: nothing was sent.");
                    Vec::new()
                }
                _ => {
                    self.popup = Some(Popup::Confirm(confirm));
                    Vec::new()
                }
            },
            Popup::Form(mut form) => match form.handle_key(action, key) {
                FormEvent::Cancel => {
                    self.set_status(Level::Info, "Cancelled: nothing was sent.");
                    Vec::new()
                }
                FormEvent::Submit => self.submit(*form),
                FormEvent::Cycle(step) if form.kind == FormKind::CeregoLookup => {
                    let recent = self.settings.lookups.clone();
                    form.walk_history(&recent, step);
                    self.popup = Some(Popup::Form(form));
                    Vec::new()
                }
                FormEvent::Cycle(step) => {
                    if let FormKind::CeregoAdd { type_index, .. } = &mut form.kind {
                        let n = self
                            .settings
                            .cerego
                            .as_ref()
                            .map(|c| c.tag_types.len())
                            .unwrap_or(0)
                            .max(1) as i32;
                        *type_index = (*type_index as i32 + step).rem_euclid(n) as usize;
                    }
                    self.popup = Some(Popup::Form(form));
                    Vec::new()
                }
                FormEvent::Complete => {
                    let catalogue = self.catalogue_fields();
                    form.complete(&catalogue);
                    self.popup = Some(Popup::Form(form));
                    Vec::new()
                }
                FormEvent::Changed | FormEvent::Ignored => {
                    self.popup = Some(Popup::Form(form));
                    Vec::new()
                }
            },
        }
    }

    fn confirmed(&mut self, on_yes: OnYes) -> Vec<Effect> {
        match on_yes {
            OnYes::Send(op) => self.request(op, true),
            OnYes::Quit => vec![Effect::Quit],
            OnYes::SwitchProfile(name) => vec![Effect::SwitchProfile(name)],
            OnYes::EditInstead {
                tag_id,
                user_name,
                type_name,
                old_value,
                value,
            } => {
                self.popup = Some(Popup::Form(Box::new(Form::new(
                    FormKind::CeregoEdit {
                        tag_id,
                        user_name,
                        type_name,
                        old_value,
                    },
                    &value,
                ))));
                Vec::new()
            }
        }
    }

    /// Enter in a form: refuse invalid input in place, otherwise confirm or send.
    fn submit(&mut self, mut form: Form) -> Vec<Effect> {
        if let Err(e) = form.validate() {
            form.error = Some(e);
            self.popup = Some(Popup::Form(Box::new(form)));
            return Vec::new();
        }
        let text = form.input.value().to_string();
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
                let op = Op::CeregoListUsers {
                    partner: c.partner_id.clone(),
                    query: Some(query.to_string()),
                };
                let lookups = &mut self.settings.lookups;
                lookups.retain(|q| q != query.as_str());
                lookups.insert(0, query.to_string());
                lookups.truncate(crate::engine::workspace::MAX_LOOKUPS);
                let mut effects = self.request(op, false);
                effects.extend(self.save_effect());
                effects
            }
            FormKind::HiveAdd { patron } => match ApiField::parse_list(&text) {
                Ok(fields) => {
                    self.status = None;
                    self.request(Op::HiveAdd { patron, fields }, false)
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
                // Cerego only creates a tag of a type the user lacks: offer to edit instead.
                let existing = self
                    .known
                    .cerego
                    .users()
                    .iter()
                    .find(|u| u.id == user_id)
                    .and_then(|u| {
                        u.tags
                            .iter()
                            .find(|t| t.tag_type_id.as_deref() == Some(tag_type.id.as_str()))
                    })
                    .cloned();
                if let Some(existing) = existing {
                    let old = existing.value.clone().unwrap_or_default();
                    self.popup = Some(Popup::Confirm(Confirm {
                        title: " Tag type already used ".into(),
                        lines: vec![
                            format!(
                                "{user_name} already has a {} tag (tag {}):",
                                tag_type.name, existing.id
                            ),
                            format!("  \"{old}\""),
                            "Cerego adds a tag only for a type the user does not have yet,".into(),
                            format!(
                                "so this add would be refused. Edit that tag to \"{value}\" instead?"
                            ),
                        ],
                        yes: "edit instead".into(),
                        on_yes: OnYes::EditInstead {
                            tag_id: existing.id,
                            user_name,
                            type_name: tag_type.name,
                            old_value: old,
                            value: value.to_string(),
                        },
                    }));
                    return Vec::new();
                }
                self.status = None;
                self.request(
                    Op::CeregoAdd {
                        user,
                        tag_type: tag_type.id,
                        value,
                    },
                    false,
                )
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
                self.request(Op::CeregoUpdate { tag, value }, false)
            }
        }
    }

    fn confirm_hive_remove(&mut self, patron: PatronId, fields: Vec<ApiField>) {
        let names: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
        self.popup = Some(Popup::Confirm(Confirm {
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

    /// Refuses a change on a read-only profile at the key, before any form opens.
    fn refuse_read_only(&mut self, what: &str) -> bool {
        if !self.settings.policy.read_only {
            return false;
        }
        self.set_status(
            Level::Error,
            format!(
                "Profile {} is read-only: {what} is refused, nothing is sent (reads still work).",
                self.settings.profile
            ),
        );
        true
    }

    pub(super) fn add(&mut self) -> Vec<Effect> {
        if self.refuse_read_only("adding tags") {
            return Vec::new();
        }
        match self.tab {
            Tab::Hive => {
                if self.settings.hive.is_none() {
                    let why = self.unavailable(crate::core::op::Service::Hive);
                    self.set_status(Level::Warn, format!("{why}: nothing can be added."));
                    return Vec::new();
                }
                let Some(patron) = self.selected_patron().map(|p| p.id.clone()) else {
                    self.set_status(
                        Level::Warn,
                        format!(
                            "No patron selected: press {} to open one by its id.",
                            self.key(Action::Open)
                        ),
                    );
                    return Vec::new();
                };
                self.popup = Some(Popup::Form(Box::new(Form::new(
                    FormKind::HiveAdd { patron },
                    "",
                ))));
            }
            Tab::Cerego => {
                if self.settings.cerego.is_none() {
                    let why = self.unavailable(crate::core::op::Service::Cerego);
                    self.set_status(Level::Warn, format!("{why}: nothing can be added."));
                    return Vec::new();
                }
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
                            .any(|tag| tag.tag_type_id.as_deref() == Some(t.id.as_str()))
                    })
                    .unwrap_or(0);
                let kind = FormKind::CeregoAdd {
                    user_id: user.id.clone(),
                    user_name: user
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("user {}", user.id)),
                    type_index,
                };
                self.popup = Some(Popup::Form(Box::new(Form::new(kind, ""))));
            }
        }
        Vec::new()
    }

    pub(super) fn edit(&mut self) -> Vec<Effect> {
        if self.tab == Tab::Cerego && self.refuse_read_only("editing a tag") {
            return Vec::new();
        }
        match self.tab {
            Tab::Hive => {
                let msg = format!(
                    "Hive tags have no value to edit: add ({}) or remove ({}) them.",
                    self.key(Action::Add),
                    self.key(Action::Remove)
                );
                self.set_status(Level::Info, msg);
            }
            Tab::Cerego => {
                let Some(user) = self.selected_user() else {
                    self.set_status(Level::Warn, "No user selected.");
                    return Vec::new();
                };
                let Some(tag) = user.tags.get(self.cerego.tag_selected).cloned() else {
                    let msg = format!(
                        "This user has no tags to edit: press {} to add one.",
                        self.key(Action::Add)
                    );
                    self.set_status(Level::Warn, msg);
                    return Vec::new();
                };
                let kind = FormKind::CeregoEdit {
                    tag_id: tag.id.clone(),
                    user_name: user
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("user {}", user.id)),
                    type_name: self.tag_type_name(tag.tag_type_id.as_deref()),
                    old_value: tag.value.clone().unwrap_or_default(),
                };
                let value = tag.value.unwrap_or_default();
                self.popup = Some(Popup::Form(Box::new(Form::new(kind, &value))));
            }
        }
        Vec::new()
    }

    pub(super) fn remove(&mut self) -> Vec<Effect> {
        match self.tab {
            Tab::Cerego => {
                let msg = format!(
                    "Cerego's API has no way to remove a tag, so nothing was sent. Press {} to change its value instead.",
                    self.key(Action::Edit)
                );
                self.set_status(Level::Warn, msg);
            }
            Tab::Hive => {
                if self.refuse_read_only("removing tags") {
                    return Vec::new();
                }
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
                        self.key(Action::Mark),
                        self.key(Action::Remove)
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
                    self.popup = Some(Popup::Form(Box::new(Form::new(
                        FormKind::HiveRemove { patron: patron.id },
                        "",
                    ))));
                } else {
                    self.confirm_hive_remove(patron.id, fields);
                }
            }
        }
        Vec::new()
    }

    /// Opens the form for removing api_fields typed by the operator.
    pub(super) fn remove_typed(&mut self) {
        if self.tab != Tab::Hive {
            return self.set_status(
                Level::Warn,
                "Cerego's API has no way to remove a tag, so nothing was sent.",
            );
        }
        if self.refuse_read_only("removing tags") {
            return;
        }
        match self.selected_patron().map(|p| p.id.clone()) {
            Some(patron) => {
                self.popup = Some(Popup::Form(Box::new(Form::new(
                    FormKind::HiveRemove { patron },
                    "",
                ))));
            }
            None => self.set_status(Level::Warn, "No patron selected."),
        }
    }

    /// Marks or unmarks the tag under the cursor and moves to the next one, so a run of
    /// tags is marked by pressing the key repeatedly.
    pub(super) fn toggle_mark(&mut self) {
        if self.tab != Tab::Hive {
            return;
        }
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

    /// Opens the look-up form, empty; ↑/↓ walk the recent queries.
    pub(super) fn lookup_form(&mut self) {
        if self.settings.cerego.is_none() {
            let why = self.unavailable(crate::core::op::Service::Cerego);
            return self.set_status(Level::Warn, format!("{why}: nothing to look up."));
        }
        self.tab = Tab::Cerego;
        self.popup = Some(Popup::Form(Box::new(Form::new(FormKind::CeregoLookup, ""))));
    }

    pub(super) fn profile_picker(&mut self) {
        if self.settings.profiles.len() < 2 {
            let msg = if self.settings.demo {
                "Demo mode has one profile. Profiles come from the configuration file (see the README)."
            } else {
                "The configuration file defines only this profile."
            };
            return self.set_status(Level::Info, msg);
        }
        let selected = self
            .settings
            .profiles
            .iter()
            .position(|p| *p == self.settings.profile)
            .unwrap_or(0);
        self.popup = Some(Popup::Profiles { selected });
    }

    pub(super) fn open_patron(&mut self) {
        if self.tab != Tab::Hive {
            self.tab = Tab::Hive;
        }
        self.popup = Some(Popup::Form(Box::new(Form::new(FormKind::HiveOpen, ""))));
    }

    /// Selects a patron, adding it to the known list first if needed.
    fn open_known_patron(&mut self, id: PatronId) {
        self.known.hive.open(&id);
        self.hive.list.clear_filter();
        self.refilter_hive();
        if let Some(index) = self.known.hive.patrons.iter().position(|p| p.id == id) {
            self.hive.list.select_index(index);
        }
        self.hive.marked.clear();
        self.focus = Pane::Tags;
        self.set_status(Level::Info, format!("Opened patron {id}."));
    }

    pub(super) fn refresh(&mut self) -> Vec<Effect> {
        let Some(c) = &self.settings.cerego else {
            let why = self.unavailable(crate::core::op::Service::Cerego);
            self.set_status(Level::Warn, format!("{why}: nothing to reload."));
            return Vec::new();
        };
        let op = Op::CeregoListUsers {
            partner: c.partner_id.clone(),
            query: None,
        };
        if self.refuse_while_switching() {
            return Vec::new();
        }
        // Only a listing of this run that has no answer yet is "loading": entries of the
        // journal's history never get a reply and must not block a reload.
        if self
            .log
            .iter()
            .any(|e| e.is_pending() && matches!(e.op, Op::CeregoListUsers { query: None, .. }))
        {
            self.set_status(Level::Info, "The user list is already loading.");
            return Vec::new();
        }
        self.cerego.load = super::app::Load::Loading;
        self.known.cerego.begin_listing();
        vec![self.send(op)]
    }

    /// A backend reply: settle its log line, fold the result into what is known
    /// (`core::model`), then let the view follow and say what happened.
    pub(super) fn on_reply(&mut self, reply: Reply) -> Vec<Effect> {
        if !self.log.settle(&reply) {
            // Not ours (or no longer wanted).
            return Vec::new();
        }
        if let Some(problem) = &reply.journal_error {
            self.set_status(Level::Error, problem.clone());
        }
        let journal_ok = reply.journal_error.is_none();
        let folded = self
            .known
            .apply_result(&reply.op, &reply.result, reply.finished_at);
        if let (Folded::ListingFailed, Err(e)) = (&folded, &reply.result) {
            self.cerego.load = super::app::Load::Failed(e.to_string());
        }
        let effects = self.follow(folded, journal_ok);
        if let Err(e) = &reply.result
            && journal_ok
        {
            self.say_failure(&reply.op, e);
        }
        effects
    }

    /// The view after a fold: selection, filters, load state, the status line.
    fn follow(&mut self, folded: Folded, journal_ok: bool) -> Vec<Effect> {
        match folded {
            Folded::Nothing | Folded::TagCreated { .. } | Folded::TagUpdated { .. } => {
                if let Folded::TagCreated { tag_id } | Folded::TagUpdated { tag_id } = &folded
                    && journal_ok
                {
                    let verb = if matches!(folded, Folded::TagCreated { .. }) {
                        "created"
                    } else {
                        "updated"
                    };
                    self.set_status(Level::Info, format!("Cerego {verb} tag {tag_id}."));
                }
                Vec::new()
            }
            Folded::Listed { cut } => {
                self.cerego.progress = None;
                self.cerego.load = super::app::Load::Loaded;
                self.refilter_cerego();
                if let Some(cut) = cut
                    && journal_ok
                {
                    let msg = format!(
                        "Showing {} users: {cut}. Press {} to look up others.",
                        self.known.cerego.len(),
                        self.key(Action::Lookup)
                    );
                    self.set_status(Level::Warn, msg);
                }
                Vec::new()
            }
            Folded::ListingFailed => {
                // The reason is the failure's (see `say_failure`).
                self.cerego.progress = None;
                Vec::new()
            }
            Folded::LookedUp { query, found } => {
                // A look-up: what was found is in the list now; select the first.
                if self.cerego.load != super::app::Load::Loaded {
                    self.cerego.load = super::app::Load::Loaded;
                }
                self.cerego.list.clear_filter();
                self.refilter_cerego();
                if let Some(index) = found.first().and_then(|id| self.known.cerego.position(id)) {
                    self.cerego.list.select_index(index);
                }
                let n = found.len();
                if journal_ok {
                    self.set_status(
                        if n == 0 { Level::Warn } else { Level::Info },
                        format!(
                            "Look-up \"{query}\": {n} user{} found.",
                            if n == 1 { "" } else { "s" }
                        ),
                    );
                }
                Vec::new()
            }
            Folded::Patron { id, outcome } => {
                self.refilter_hive();
                self.hive.marked.clear();
                if journal_ok {
                    let level = match outcome.scenario().severity() {
                        Severity::Applied | Severity::AlreadyThere => Level::Info,
                        Severity::Partial | Severity::Nothing => Level::Warn,
                    };
                    let message = outcome
                        .message
                        .clone()
                        .unwrap_or_else(|| "(no message in the response)".into());
                    self.set_status(
                        level,
                        format!("Hive {} on {id}: {message}", outcome.action.name()),
                    );
                }
                let len = self.selected_patron().map(|p| p.tags.len()).unwrap_or(0);
                self.hive.tag_selected = self.hive.tag_selected.min(len.saturating_sub(1));
                self.save_effect().into_iter().collect()
            }
            Folded::PatronUnknown { .. } => {
                self.refilter_hive();
                self.hive.marked.clear();
                self.save_effect().into_iter().collect()
            }
        }
    }

    /// The status line for a failed request: what failed, and what to do about it when
    /// there is something to do.
    fn say_failure(&mut self, op: &Op, e: &ApiError) {
        let message = if matches!(op, Op::CeregoListUsers { .. }) {
            format!("Loading Cerego users failed: {e}")
        } else if matches!(op, Op::CeregoAdd { .. }) && e.status() == Some(422) {
            format!(
                "Cerego refused the add: the user already has a tag of that type. Press {} to reload, then {} to edit it.",
                self.key(Action::Refresh),
                self.key(Action::Edit)
            )
        } else if matches!(op, Op::CeregoAdd { .. })
            && matches!(
                e,
                ApiError::Network { connect: false, .. } | ApiError::Timeout { .. }
            )
        {
            format!(
                "{e}: the tag may have been created; reload the user ({}) before adding again.",
                self.key(Action::Refresh)
            )
        } else if matches!(op, Op::HiveRemove { .. }) && e.code() == Some("INVALID_PATRON") {
            // The patron pane says what this means; the log line shows the error.
            return;
        } else {
            format!("{} failed: {e}", op.describe())
        };
        self.set_status(Level::Error, message);
    }
}
