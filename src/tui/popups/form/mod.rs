//! Popup forms: one single-line input each (tui-input), validated as the operator types
//! with the domain types' own messages; what Enter sends; how a form is drawn.

use ratatui::crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{Cx, Do, Outcome, Room};
use crate::core::domain::{ApiField, PatronId, TagValue};
use crate::core::printable::plural;
use crate::tui::app::{Effect, Level};
use crate::tui::keymap::{Action, Context};

/// A key typed into a text field: tui-input reads the terminal event itself (cursor keys,
/// ctrl-w, …). Returns whether the text or the cursor changed.
pub fn edit(input: &mut Input, key: KeyEvent) -> bool {
    input.handle_event(&Event::Key(key)).is_some()
}

/// Which form is open, with what it needs to know about its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    HiveAdd {
        patron: PatronId,
    },
    HiveRemove {
        patron: PatronId,
    },
    HiveOpen,
    CeregoLookup,
    CeregoAdd {
        user_id: String,
        user_name: String,
        /// Index into the configured tag types.
        type_index: usize,
        /// The profile is on Cerego's set family: the value is set (created or changed).
        set: bool,
    },
    CeregoEdit {
        tag_id: String,
        user_name: String,
        type_name: String,
        old_value: String,
        /// For the set family, which names the user and the tag type instead of the tag.
        user_id: String,
        tag_type: Option<String>,
    },
    /// api_fields to add to (or remove from) every marked patron.
    HiveBatch {
        remove: bool,
        count: usize,
    },
    /// A value of a tag type to set on every marked user.
    CeregoBatch {
        count: usize,
        type_index: usize,
    },
    /// The path of a CSV file to import.
    Import {
        service: crate::core::op::Service,
    },
}

#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub input: Input,
    /// The validation message for the current text (shown inline, blocks submit). A form
    /// opens without one: it appears once the text was edited, or on Enter.
    pub error: Option<String>,
    /// Enter refused the text: its error shows as one even on an empty field.
    pub refused: bool,
    /// A remark that does not block submit (e.g. a paste was cleaned up).
    pub note: Option<String>,
    /// Tab completion state for api_field lists: (prefix typed, next candidate index).
    pub completion: Option<(String, usize)>,
    /// Which recent entry ↑/↓ put in the field (0 = the most recent), if any.
    pub history: Option<usize>,
    /// Opened on a user as the user cache had them (not yet read live): Enter sends
    /// nothing until the user was read live (`App::recheck_cached_form`).
    pub cached: bool,
    /// Opened by this inspector's edit before re-send: Enter asks before sending, and Esc
    /// goes back to it.
    pub resend: Option<super::Inspector>,
}

/// What a key did to a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormEvent {
    Changed,
    Submit,
    Cancel,
    /// Up / Down (Tab / Shift-Tab where nothing completes): in the Cerego add form, cycle
    /// the tag type; in the edit, move to the user's next / previous tag.
    Cycle(i32),
    Complete,
    Ignored,
}

/// Where the word being typed starts: just after the last comma or whitespace character
/// (whatever its width in bytes), or 0.
fn word_start(value: &str) -> usize {
    value
        .char_indices()
        .rev()
        .find(|&(_, c)| c == ',' || c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// A path being typed, as completion reads it: its directory as typed (up to the last `/`,
/// empty for the current one) and the start of the name.
pub fn path_parts(value: &str) -> (String, String) {
    match value.rfind('/') {
        Some(i) => (value[..=i].to_string(), value[i + 1..].to_string()),
        None => (String::new(), value.to_string()),
    }
}

impl Form {
    /// A form on `initial`, with no error shown yet: nothing was typed to be wrong (Enter
    /// still checks the text, and says why it refuses it).
    pub fn new(kind: FormKind, initial: &str) -> Self {
        Self {
            kind,
            input: Input::new(initial.to_string()),
            error: None,
            refused: false,
            note: None,
            completion: None,
            history: None,
            cached: false,
            resend: None,
        }
    }

    /// ↑ (`step` -1) puts the next older of `recent` (most recent first) in the field, ↓ the
    /// next newer; past the newest the field is empty again.
    pub fn walk_history(&mut self, recent: &[String], step: i32) {
        if recent.is_empty() {
            self.note = Some("No recent look-ups yet.".into());
            return;
        }
        self.history = match (self.history, step < 0) {
            (None, true) => Some(0),
            (Some(i), true) => Some((i + 1).min(recent.len() - 1)),
            (None, false) | (Some(0), false) => None,
            (Some(i), false) => Some(i - 1),
        };
        let text = self
            .history
            .and_then(|i| recent.get(i))
            .cloned()
            .unwrap_or_default();
        let cursor = text.chars().count();
        self.input = Input::new(text).with_cursor(cursor);
        self.note = None;
        self.error = self.validate().err();
    }

    pub fn title(&self) -> String {
        match &self.kind {
            FormKind::HiveAdd { patron } => format!(" Add Hive tags to {patron} "),
            FormKind::HiveRemove { patron } => format!(" Remove Hive tags from {patron} "),
            FormKind::HiveOpen => " Open a Hive patron ".to_string(),
            FormKind::CeregoLookup => " Look up a Cerego user ".to_string(),
            FormKind::CeregoAdd {
                user_name,
                set: false,
                ..
            } => format!(" Add a Cerego tag to {user_name} "),
            FormKind::CeregoAdd {
                user_name,
                set: true,
                ..
            } => format!(" Set a Cerego tag on {user_name} "),
            FormKind::CeregoEdit { user_name, .. } => format!(" Edit a Cerego tag of {user_name} "),
            FormKind::HiveBatch { remove, count } => format!(
                " {} Hive tags {} {} ",
                if *remove { "Remove" } else { "Add" },
                if *remove { "from" } else { "to" },
                plural(*count as u64, "marked patron", "marked patrons")
            ),
            FormKind::CeregoBatch { count, .. } => format!(
                " Set a Cerego tag on {} ",
                plural(*count as u64, "marked user", "marked users")
            ),
            FormKind::Import { service } => format!(" Import a {} CSV file ", service.name()),
        }
    }

    pub fn label(&self) -> &'static str {
        match self.kind {
            FormKind::HiveAdd { .. } | FormKind::HiveRemove { .. } | FormKind::HiveBatch { .. } => {
                "api_fields"
            }
            FormKind::HiveOpen => "patron id",
            FormKind::CeregoLookup => "query",
            FormKind::CeregoAdd { .. }
            | FormKind::CeregoEdit { .. }
            | FormKind::CeregoBatch { .. } => "value",
            FormKind::Import { .. } => "file",
        }
    }

    /// Checks the current text with the domain rules.
    pub fn validate(&self) -> Result<(), String> {
        let text = self.input.value();
        let result = match self.kind {
            FormKind::HiveAdd { .. } | FormKind::HiveRemove { .. } | FormKind::HiveBatch { .. } => {
                ApiField::parse_list(text).map(|_| ())
            }
            FormKind::HiveOpen => PatronId::parse(text).map(|_| ()),
            FormKind::CeregoLookup => crate::core::domain::LookupQuery::parse(text).map(|_| ()),
            FormKind::CeregoAdd { .. }
            | FormKind::CeregoEdit { .. }
            | FormKind::CeregoBatch { .. } => TagValue::parse(text).map(|_| ()),
            FormKind::Import { .. } => {
                if text.trim().is_empty() {
                    return Err("file: give the path of a CSV file (Tab completes)".into());
                }
                Ok(())
            }
        };
        result.map_err(|e| e.to_string())
    }

    /// Whether the form edits a list of api_fields (and so completes from the catalogue).
    pub fn completes_api_fields(&self) -> bool {
        matches!(
            self.kind,
            FormKind::HiveAdd { .. } | FormKind::HiveRemove { .. } | FormKind::HiveBatch { .. }
        )
    }

    /// What a key does to the form: `action` is what the key table of forms says it asks
    /// for (submit, close, up, down, next/previous pane); any other key is typed.
    pub fn handle_key(&mut self, action: Option<Action>, key: KeyEvent) -> FormEvent {
        match action {
            Some(Action::Submit) => return FormEvent::Submit,
            Some(Action::Close) => return FormEvent::Cancel,
            Some(Action::Up | Action::PrevPane) => return FormEvent::Cycle(-1),
            Some(Action::Down) => return FormEvent::Cycle(1),
            Some(Action::NextPane) => {
                return if self.completes_api_fields()
                    || matches!(self.kind, FormKind::Import { .. })
                {
                    FormEvent::Complete
                } else {
                    FormEvent::Cycle(1)
                };
            }
            Some(_) => return FormEvent::Ignored,
            None => {}
        }
        if edit(&mut self.input, key) {
            self.completion = None;
            self.note = None;
            self.refused = false;
            self.error = self.validate().err();
            FormEvent::Changed
        } else {
            FormEvent::Ignored
        }
    }

    /// Inserts pasted text at the cursor. Line breaks and tabs become spaces (every input is
    /// one line), other control characters are dropped, and the form says so.
    pub fn paste(&mut self, text: &str) {
        let mut cleaned = String::with_capacity(text.len());
        let mut changed = false;
        for c in text.chars() {
            match c {
                '\r' | '\n' | '\t' => {
                    changed = true;
                    if !cleaned.ends_with(' ') {
                        cleaned.push(' ');
                    }
                }
                c if c.is_control() => changed = true,
                c => cleaned.push(c),
            }
        }
        let value = self.input.value().to_string();
        let cursor_byte = value
            .char_indices()
            .nth(self.input.cursor())
            .map(|(i, _)| i)
            .unwrap_or(value.len());
        let mut new_value = String::with_capacity(value.len() + cleaned.len());
        new_value.push_str(&value[..cursor_byte]);
        new_value.push_str(&cleaned);
        new_value.push_str(&value[cursor_byte..]);
        let cursor = self.input.cursor() + cleaned.chars().count();
        self.input = Input::new(new_value).with_cursor(cursor);
        self.completion = None;
        self.error = self.validate().err();
        self.note = changed.then(|| {
            "The pasted text had line breaks or control characters: they were replaced by spaces \
             or dropped."
                .to_string()
        });
    }

    /// Tab completion of the last word from the catalogue: the first Tab completes to the
    /// first match, further Tabs cycle through the other matches.
    pub fn complete(&mut self, catalogue: &[String]) {
        let value = self.input.value().to_string();
        let split_at = word_start(&value);
        let (head, word) = value.split_at(split_at);
        let (prefix, index) = match &self.completion {
            Some((prefix, index)) => (prefix.clone(), *index),
            None => (word.to_string(), 0),
        };
        let already: Vec<&str> = head
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .collect();
        let candidates: Vec<&String> = catalogue
            .iter()
            .filter(|f| f.to_lowercase().starts_with(&prefix.to_lowercase()))
            .filter(|f| !already.contains(&f.as_str()))
            .collect();
        if candidates.is_empty() {
            self.note = Some(format!(
                "No api_field in the catalogue starts with \"{prefix}\"."
            ));
            return;
        }
        let pick = candidates[index % candidates.len()];
        let new_value = format!("{head}{pick}");
        let cursor = new_value.chars().count();
        self.input = Input::new(new_value).with_cursor(cursor);
        self.completion = Some((prefix, index + 1));
        self.note = None;
        self.error = self.validate().err();
    }

    /// Tab completion of a file path: the longest common completion of the names in its
    /// directory that start with what was typed (a directory gets its `/`), from `listed`,
    /// the names the loop read in `dir` (as a shell's completion reads one directory). A
    /// listing of another directory than the one the field names now is stale: ignored.
    pub fn complete_path(&mut self, dir: &str, listed: Result<Vec<(String, bool)>, String>) {
        let value = self.input.value().to_string();
        let (typed_dir, prefix) = path_parts(&value);
        if typed_dir != dir {
            return;
        }
        let Ok(entries) = listed else {
            let read_from = if dir.is_empty() { "." } else { dir };
            self.note = Some(format!("Cannot read the directory {read_from}."));
            return;
        };
        let mut names: Vec<(String, bool)> = entries
            .into_iter()
            .filter(|(name, _)| {
                name.starts_with(&prefix) && (!name.starts_with('.') || prefix.starts_with('.'))
            })
            .collect();
        names.sort();
        let Some((first, _)) = names.first() else {
            self.note = Some(format!("No file starts with \"{value}\"."));
            return;
        };
        let mut common = first.clone();
        for (n, _) in &names[1..] {
            while !n.starts_with(&common) {
                common.pop();
            }
        }
        let mut completed = format!("{dir}{common}");
        if names.len() == 1 && names[0].1 {
            completed.push('/');
        }
        self.note = (names.len() > 1).then(|| {
            let shown: Vec<&str> = names.iter().take(8).map(|(n, _)| n.as_str()).collect();
            format!(
                "{}{}",
                shown.join("  "),
                if names.len() > 8 { "  …" } else { "" }
            )
        });
        let cursor = completed.chars().count();
        self.input = Input::new(completed).with_cursor(cursor);
        self.error = self.validate().err();
    }

    /// The catalogue entries that match the word being typed (for the suggestion line).
    pub fn suggestions<'a>(&self, catalogue: &'a [String]) -> Vec<&'a str> {
        let value = self.input.value();
        let split_at = word_start(value);
        let head = &value[..split_at];
        let prefix = match &self.completion {
            Some((prefix, _)) => prefix.as_str(),
            None => &value[split_at..],
        };
        let already: Vec<&str> = head
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .collect();
        catalogue
            .iter()
            .map(String::as_str)
            .filter(|f| f.to_lowercase().starts_with(&prefix.to_lowercase()))
            .filter(|f| !already.contains(f))
            .collect()
    }
}

mod draw;
mod edit;
mod submit;

pub use edit::{tag_label, user_name};

impl Room for Form {
    fn context(&self) -> Context {
        Context::Form
    }

    fn on_key(&mut self, action: Option<Action>, key: KeyEvent, cx: &Cx) -> Outcome {
        match self.handle_key(action, key) {
            FormEvent::Cancel => match self.resend.take() {
                Some(inspector) => Outcome::open(super::Popup::Inspector(inspector))
                    .say(Level::Info, "Cancelled: nothing was sent."),
                None => Outcome::close().say(Level::Info, "Cancelled: nothing was sent."),
            },
            // Invalid input is refused in place; valid input is the App's to send.
            FormEvent::Submit => match self.validate() {
                Err(e) => {
                    self.error = Some(e);
                    self.refused = true;
                    Outcome::stay()
                }
                Ok(()) => Outcome::close().and(Do::Submit),
            },
            FormEvent::Cycle(step) if self.kind == FormKind::CeregoLookup => {
                self.walk_history(&cx.settings.lookups, step);
                Outcome::stay()
            }
            FormEvent::Cycle(step) if matches!(self.kind, FormKind::CeregoEdit { .. }) => {
                self.move_tag(cx, step);
                Outcome::stay()
            }
            FormEvent::Cycle(step) => {
                if let FormKind::CeregoAdd { type_index, .. }
                | FormKind::CeregoBatch { type_index, .. } = &mut self.kind
                {
                    let n = cx
                        .settings
                        .cerego
                        .as_ref()
                        .map(|c| c.tag_types.len())
                        .unwrap_or(0)
                        .max(1) as i32;
                    *type_index = (*type_index as i32 + step).rem_euclid(n) as usize;
                }
                Outcome::stay()
            }
            // A path completes from its directory, which the loop reads (`Message::Listed`).
            FormEvent::Complete if matches!(self.kind, FormKind::Import { .. }) => {
                let (dir, _) = path_parts(self.input.value());
                Outcome::stay().effect(Effect::ListDirectory { dir })
            }
            FormEvent::Complete => {
                self.complete(&cx.settings.catalogue_fields());
                Outcome::stay()
            }
            FormEvent::Changed | FormEvent::Ignored => Outcome::stay(),
        }
    }

    fn draw(&self, cx: &Cx, frame: &mut ratatui::Frame, area: ratatui::layout::Rect) {
        draw::draw_form(cx, self, frame, area)
    }

    /// The form for the mouse: its submit and cancel hints (a click presses their keys).
    fn hits(&self, cx: &Cx, area: ratatui::layout::Rect, hits: &mut crate::tui::mouse::Hits) {
        draw::hits(cx, self, area, hits)
    }

    fn paste(&mut self, text: &str) {
        Form::paste(self, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::{Context, Keymap, key_event};

    /// A key as the console hands it to a form: looked up in the forms' table first.
    fn press(f: &mut Form, text: &str) -> FormEvent {
        let key = key_event(text).unwrap();
        let action = Keymap::default().action_in(Context::Form, &key);
        f.handle_key(action, key)
    }

    fn key(c: char) -> String {
        c.to_string()
    }

    fn hive_form() -> Form {
        Form::new(
            FormKind::HiveAdd {
                patron: PatronId::parse("p").unwrap(),
            },
            "",
        )
    }

    #[test]
    fn typing_validates_inline() {
        let mut f = hive_form();
        assert_eq!(f.error, None, "nothing typed: no error shown yet");
        assert_eq!(press(&mut f, "x"), FormEvent::Changed);
        assert_eq!(press(&mut f, "backspace"), FormEvent::Changed);
        assert!(
            f.error.is_some(),
            "emptied by the operator: now it says why"
        );
        for c in "vip".chars() {
            assert_eq!(press(&mut f, &key(c)), FormEvent::Changed);
        }
        assert_eq!(f.error, None);
        assert_eq!(press(&mut f, "enter"), FormEvent::Submit);
        assert_eq!(press(&mut f, "k"), FormEvent::Changed, "k is typed, not up");
        assert_eq!(f.input.value(), "vipk");
        assert_eq!(press(&mut f, "ctrl-p"), FormEvent::Cycle(-1));
    }

    #[test]
    fn history_walks_recent_queries() {
        let recent: Vec<String> = vec!["new@x.org".into(), "M-1020".into()];
        let mut f = Form::new(FormKind::CeregoLookup, "");
        assert_eq!(f.input.value(), "");
        f.walk_history(&recent, -1);
        assert_eq!(f.input.value(), "new@x.org");
        f.walk_history(&recent, -1);
        f.walk_history(&recent, -1);
        assert_eq!(f.input.value(), "M-1020", "stops at the oldest");
        f.walk_history(&recent, 1);
        assert_eq!(f.input.value(), "new@x.org");
        f.walk_history(&recent, 1);
        assert_eq!(f.input.value(), "", "past the newest: empty again");
        f.walk_history(&recent, -1);
        press(&mut f, "x");
        assert_eq!(
            f.input.value(),
            "new@x.orgx",
            "typing edits the recalled query"
        );
    }

    #[test]
    fn paste_flattens_lines() {
        let mut f = hive_form();
        f.paste("vip\nnewsletter\r\n\u{7}beta");
        assert_eq!(f.input.value(), "vip newsletter beta");
        assert!(f.note.is_some());
        assert_eq!(f.error, None);
    }

    #[test]
    fn completion_cycles_through_matches() {
        let catalogue: Vec<String> = ["vip", "verified_email", "newsletter"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut f = hive_form();
        f.paste("newsletter v");
        assert_eq!(f.suggestions(&catalogue), ["vip", "verified_email"]);
        f.complete(&catalogue);
        assert_eq!(f.input.value(), "newsletter vip");
        f.complete(&catalogue);
        assert_eq!(f.input.value(), "newsletter verified_email");
        f.complete(&catalogue);
        assert_eq!(f.input.value(), "newsletter vip");
        press(&mut f, "space");
        press(&mut f, "z");
        f.complete(&catalogue);
        assert!(f.note.as_deref().unwrap_or("").contains("\"z\""));
    }
}

#[cfg(test)]
mod path_tests {
    use super::*;

    #[test]
    fn tab_completes_a_path_to_the_common_part_and_a_directory_gets_its_slash() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("alpha.csv"), "").unwrap();
        std::fs::write(dir.path().join("alpine.csv"), "").unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let base = dir.path().to_string_lossy().into_owned();
        let kind = FormKind::Import {
            service: crate::core::op::Service::Hive,
        };
        // What the loop does for the form: list the directory the field names.
        let complete = |form: &mut Form| {
            let (dir, _) = path_parts(form.input.value());
            form.complete_path(&dir, crate::tui::batches::list_directory(&dir));
        };
        let mut form = Form::new(kind.clone(), &format!("{base}/al"));
        complete(&mut form);
        assert_eq!(form.input.value(), format!("{base}/alp"));
        assert!(
            form.note
                .as_deref()
                .is_some_and(|n| n.contains("alpha.csv"))
        );
        let mut form = Form::new(kind.clone(), &format!("{base}/d"));
        complete(&mut form);
        assert_eq!(form.input.value(), format!("{base}/data/"));
        let mut form = Form::new(kind, &format!("{base}/zz"));
        complete(&mut form);
        assert!(form.note.as_deref().is_some_and(|n| n.contains("No file")));
    }
}

#[cfg(test)]
mod room_tests {
    use super::*;
    use crate::tui::popups::testing::{app, press, said, screen};

    fn hive_add() -> Form {
        Form::new(
            FormKind::HiveAdd {
                patron: PatronId::parse("user_1").expect("an id"),
            },
            "",
        )
    }

    #[test]
    fn enter_refuses_invalid_input_in_place_and_hands_on_valid_input() {
        let app = app();
        let cx = app.cx();
        let mut form = hive_add();
        let out = press(&mut form, &cx, "enter");
        assert!(out.stays() && out.then.is_empty());
        assert!(form.error.is_some(), "the reason is shown in the form");
        for key in ["v", "i", "p"] {
            assert!(press(&mut form, &cx, key).stays());
        }
        assert_eq!(form.input.value(), "vip");
        let out = press(&mut form, &cx, "enter");
        assert!(out.closes());
        assert!(matches!(&out.then[..], [Do::Submit]));
        let out = press(&mut form, &cx, "esc");
        assert!(out.closes());
        assert_eq!(said(&out), ["Cancelled: nothing was sent."]);
    }

    #[test]
    fn tab_completes_from_the_catalogue_and_a_path_asks_the_loop_for_its_directory() {
        let app = app();
        let cx = app.cx();
        let mut form = hive_add();
        let catalogue = cx.settings.catalogue_fields();
        let first = catalogue.first().expect("the demo has a catalogue").clone();
        let _ = press(&mut form, &cx, "tab");
        assert_eq!(form.input.value(), first);
        let mut import = Form::new(
            FormKind::Import {
                service: crate::core::op::Service::Hive,
            },
            "data/pat",
        );
        let out = press(&mut import, &cx, "tab");
        assert!(out.stays());
        assert!(matches!(
            &out.then[..],
            [Do::Effect(Effect::ListDirectory { dir })] if dir == "data/"
        ));
        // The listing lands: the name completes; a listing of another directory is stale.
        import.complete_path("elsewhere/", Ok(vec![("patrons.csv".into(), false)]));
        assert_eq!(import.input.value(), "data/pat");
        import.complete_path("data/", Ok(vec![("patrons.csv".into(), false)]));
        assert_eq!(import.input.value(), "data/patrons.csv");
    }

    #[test]
    fn up_and_down_change_the_cerego_tag_type() {
        let app = app();
        let cx = app.cx();
        let types = cx
            .settings
            .cerego
            .as_ref()
            .expect("demo cerego")
            .tag_types
            .len();
        assert!(types > 1);
        let mut form = Form::new(
            FormKind::CeregoBatch {
                count: 2,
                type_index: 0,
            },
            "",
        );
        let _ = press(&mut form, &cx, "up");
        assert!(
            matches!(form.kind, FormKind::CeregoBatch { type_index, .. } if type_index == types - 1)
        );
        let _ = press(&mut form, &cx, "down");
        assert!(matches!(
            form.kind,
            FormKind::CeregoBatch { type_index: 0, .. }
        ));
    }

    #[test]
    fn the_form_draws_its_title_field_and_hints() {
        let app = app();
        let text = screen(&hive_add(), &app.cx(), 80, 24);
        assert!(text.contains("Add Hive tags to user_1"), "{text}");
        assert!(text.contains("api_fields"), "{text}");
        assert!(text.contains("enter submit · esc cancel"), "{text}");
    }
}
