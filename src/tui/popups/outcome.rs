//! What a popup's key asks for ([`Outcome`]: what becomes of the popup, then what the App
//! should do), and [`App::apply`], the one place those consequences reach the App.

use super::{Form, FormKind, ImportSource, OnYes, Popup};
use crate::engine::batch::Control;
use crate::tui::app::{App, Effect, Level};

/// What becomes of the popup that answered a key.
#[derive(Debug)]
pub enum Next {
    /// It stays open (with whatever it changed in itself).
    Stay,
    /// It closes.
    Close,
    /// It gives way to another popup.
    Open(Popup),
}

/// What a popup asks of the App, beyond its own state.
#[derive(Debug, Clone)]
pub enum Do {
    /// Say something on the status line.
    Status(Level, String),
    /// Ask the loop for something (quit, switch profile, the simulator, the clipboard…).
    Effect(Effect),
    /// A confirmation said yes.
    Confirmed(OnYes),
    /// Carry out what the popup that just closed was filled in for: a form's input (sent,
    /// confirmed or previewed), a preview's plan (run).
    Submit,
    /// Read the log entry with this journal id again (a read: nothing changes), through the
    /// write gate; the inspector follows the new entry.
    Resend(String),
    /// Select the log entry with this journal id in the action log.
    SelectEntry(String),
    /// Quit once the requests in flight have their outcome (or not any more).
    QuitWhenIdle(bool),
    /// Move a batch window's selection to `row` (of the batch's rows to send).
    SelectBatchRow { batch_id: String, row: usize },
    /// Pause, resume or cancel a running batch.
    ControlBatch { batch_id: String, control: Control },
    /// Undo a batch nothing is sending (a preview first; an earlier run's is read back from
    /// the journal first).
    UndoBatch(String),
    /// Open a batch's window (an earlier run's is read back from the journal first).
    OpenBatch(String),
    /// Resume a batch with rows left to send (its resume preview first).
    ResumeBatch(String),
    /// Play the playground's `n`th scenario (the one past the last: play them all).
    Play(usize),
    /// Read an import's file again, as the operator now says it is laid out.
    Reread(Box<ImportSource>),
    /// Press the key of this action where the keyboard now is (the command palette ran it).
    Press(crate::tui::keymap::Action),
}

/// A popup's answer to a key.
#[must_use]
#[derive(Debug)]
pub struct Outcome {
    pub next: Next,
    /// What to do, in order, once `next` took effect.
    pub then: Vec<Do>,
}

impl Outcome {
    pub fn stay() -> Self {
        Self {
            next: Next::Stay,
            then: Vec::new(),
        }
    }

    pub fn close() -> Self {
        Self {
            next: Next::Close,
            then: Vec::new(),
        }
    }

    pub fn open(popup: Popup) -> Self {
        Self {
            next: Next::Open(popup),
            then: Vec::new(),
        }
    }

    /// And then `what`.
    pub fn and(mut self, what: Do) -> Self {
        self.then.push(what);
        self
    }

    /// And then say `text` on the status line.
    pub fn say(self, level: Level, text: impl Into<String>) -> Self {
        self.and(Do::Status(level, text.into()))
    }

    /// And then ask the loop for `effect`.
    pub fn effect(self, effect: Effect) -> Self {
        self.and(Do::Effect(effect))
    }

    /// Whether the popup stays open.
    pub fn stays(&self) -> bool {
        matches!(self.next, Next::Stay)
    }

    /// Whether the popup closes (without another taking its place).
    pub fn closes(&self) -> bool {
        matches!(self.next, Next::Close)
    }

    /// The popup that takes this one's place, if any.
    pub fn opens(&self) -> Option<&Popup> {
        match &self.next {
            Next::Open(p) => Some(p),
            Next::Stay | Next::Close => None,
        }
    }
}

impl App {
    /// Applies a popup's outcome: first what becomes of the popup, then what it asked for,
    /// in order (which may open another popup: a confirmation the write gate asks for).
    pub(in crate::tui) fn apply(&mut self, outcome: Outcome) -> Vec<Effect> {
        let mut closed = match outcome.next {
            Next::Stay => None,
            Next::Close => self.popup.take(),
            Next::Open(popup) => self.popup.replace(popup),
        };
        let mut effects = Vec::new();
        for what in outcome.then {
            effects.extend(self.carry_out(what, &mut closed));
        }
        effects
    }

    fn carry_out(&mut self, what: Do, closed: &mut Option<Popup>) -> Vec<Effect> {
        match what {
            Do::Status(level, text) => self.set_status(level, text),
            Do::Effect(effect) => return vec![effect],
            Do::Confirmed(on_yes) => return self.confirmed(on_yes),
            Do::Submit => match closed.take() {
                Some(Popup::Form(form)) => return self.submit(*form),
                Some(Popup::Preview(preview)) => return self.run_preview(*preview),
                _ => {}
            },
            Do::Resend(key) => return self.resend(&key, false),
            Do::SelectEntry(key) => self.log.select_key(&key),
            Do::QuitWhenIdle(quit) => self.quit_when_idle = quit,
            Do::SelectBatchRow { batch_id, row } => self.select_batch_row(&batch_id, row),
            Do::ControlBatch { batch_id, control } => {
                return self.control_batch(&batch_id, control);
            }
            Do::UndoBatch(batch_id) => {
                self.log.select_key(&batch_id);
                return self.undo_batch(&batch_id);
            }
            Do::OpenBatch(batch_id) => return self.open_batch(&batch_id),
            Do::ResumeBatch(batch_id) => return self.resume_batch(&batch_id),
            Do::Play(n) => return self.play_row(n),
            Do::Reread(source) => self.preview_import(*source),
            Do::Press(action) => return self.press(action),
        }
        Vec::new()
    }

    /// A confirmation said yes: what it asked about.
    pub(in crate::tui) fn confirmed(&mut self, on_yes: OnYes) -> Vec<Effect> {
        match on_yes {
            OnYes::Send(op) => self.gate_and_send(op, true),
            OnYes::Resend(key) => self.resend(&key, true),
            OnYes::SendAndFollow(op) => self.send_and_follow(op, true),
            OnYes::Quit => vec![Effect::Quit],
            OnYes::SwitchProfile(name) => vec![Effect::SwitchProfile(name)],
            OnYes::SwitchToDemo => vec![Effect::SwitchToDemo],
            OnYes::ResetSim => {
                self.set_status(Level::Info, "Resetting the simulator…");
                vec![Effect::Sim(crate::tui::app::SimCommand::Reset)]
            }
            OnYes::EditInstead {
                tag_id,
                user_name,
                type_name,
                old_value,
                value,
            } => {
                // The selected user's tag when it is still listed (its edit can then move to
                // the user's other tags), with the value the add was for in the field.
                let listed = self.selected_user().and_then(|u| {
                    let index = u.tags.iter().position(|t| t.id == tag_id)?;
                    Form::edit_tag(&self.settings, &u, index)
                });
                let mut form = listed.unwrap_or_else(|| {
                    Form::new(
                        FormKind::CeregoEdit {
                            tag_id,
                            user_name,
                            type_name,
                            old_value,
                            user_id: String::new(),
                            tag_type: None,
                        },
                        "",
                    )
                });
                let cursor = value.chars().count();
                form.input = tui_input::Input::new(value).with_cursor(cursor);
                self.open(Popup::Form(Box::new(form)));
                Vec::new()
            }
        }
    }
}
