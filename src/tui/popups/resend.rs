//! Sending an entry's change again from the inspector: as it was (`r`), or edited first
//! (`e`: the add or remove form, filled with the entry's operation, patron and api_fields).
//! Either way a change is sent only once the operator said yes to a question naming it and
//! its target, then through the write gate, as a new entry the inspector follows.

use super::{Confirm, Cx, Form, FormKind, Inspector, OnYes, Outcome, Popup};
use crate::core::domain::ApiField;
use crate::core::op::Op;
use crate::tui::app::{App, Effect, Level, Settings};
use crate::tui::keymap::Action;
use crate::tui::state::words::op_words;
use crate::tui::view::text::clean;

/// The question before a change is sent again: what, on whom, the command, and the
/// profile's rule when it asks for confirmation.
pub(super) fn question(op: &Op, settings: &Settings, title: String, on_yes: OnYes) -> Confirm {
    let policy = &settings.policy;
    let mut lines = vec![
        clean(&op.describe()),
        format!("Target:  {}", clean(&op.target())),
        String::new(),
        "It is sent as a new request, journaled anew; the entry shown stays as it was.".into(),
        op.cli_command(&settings.place),
    ];
    if policy.confirm {
        lines.push(format!(
            "Profile {} asks for confirmation.",
            policy.profile.to_uppercase()
        ));
    }
    Confirm {
        title,
        lines,
        yes: "send again".into(),
        on_yes,
    }
}

impl Inspector {
    /// `e`: the entry's change in its form, to edit before it is sent again. Only a Hive
    /// add or remove has one (its patron and api_fields); anything else says what `r` does.
    pub(super) fn edit(&self, cx: &Cx) -> Outcome {
        let Some(op) = cx.entry(&self.key).map(|e| &e.op) else {
            return Outcome::close();
        };
        let (kind, fields) = match op {
            Op::HiveAdd { patron, fields } => (
                FormKind::HiveAdd {
                    patron: patron.clone(),
                },
                fields,
            ),
            Op::HiveRemove { patron, fields } => (
                FormKind::HiveRemove {
                    patron: patron.clone(),
                },
                fields,
            ),
            Op::CeregoAdd { .. }
            | Op::CeregoUpdate { .. }
            | Op::CeregoSet { .. }
            | Op::CeregoListUsers { .. }
            | Op::CeregoProfile
            | Op::Raw(_) => {
                let resend = cx.key_label(Action::Resend);
                let what = if op.is_mutation() {
                    format!("{resend} sends this one again as it was")
                } else {
                    format!("this is a read: {resend} reads it again")
                };
                return Outcome::stay().say(
                    Level::Info,
                    format!(
                        "Only a Hive add or remove can be edited before it is sent again; {what}."
                    ),
                );
            }
        };
        let text = fields
            .iter()
            .map(ApiField::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        let cursor = text.chars().count();
        let mut form = Form::new(kind, &text);
        form.input = tui_input::Input::new(text).with_cursor(cursor);
        form.resend = Some(Inspector {
            key: self.key.clone(),
            scroll: 0,
            batch: self.batch.clone(),
        });
        Outcome::open(Popup::Form(Box::new(form)))
    }
}

impl App {
    /// Enter in a form the inspector's `e` opened: the edited change, asked about first.
    pub(in crate::tui) fn submit_edited(&mut self, form: &Form) -> Vec<Effect> {
        let Ok(fields) = ApiField::parse_list(form.input.value()) else {
            return Vec::new();
        };
        let op = match &form.kind {
            FormKind::HiveAdd { patron } => Op::HiveAdd {
                patron: patron.clone(),
                fields,
            },
            FormKind::HiveRemove { patron } => Op::HiveRemove {
                patron: patron.clone(),
                fields,
            },
            _ => return Vec::new(),
        };
        let title = format!(" Send the edited {}? ", op_words(&op));
        let confirm = question(&op, &self.settings, title, OnYes::SendAndFollow(op.clone()));
        self.open(Popup::Confirm(confirm));
        Vec::new()
    }
}
