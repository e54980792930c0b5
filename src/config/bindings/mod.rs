//! The `[keys]` table's schema: the actions a key can be bound to, the contexts that read
//! each of them, how a key is written, and the default table. What is fixed about each
//! action — its default keys, and how the main screen presents it — is one row of one
//! table ([`TABLE`]).
//!
//! Keys are plain values here ([`Chord`]); the console turns terminal events into chords in
//! one place (`tui::keymap`), so neither this module nor the console's handlers name a
//! terminal key code. Rebinding an action in `[keys]` reaches every context that reads it:
//! `close` closes every popup, `up` moves in every list, popup and form.

use std::collections::{BTreeMap, HashMap};

mod action;
mod chord;
mod table;

pub use action::{Action, Context};
pub use chord::{Chord, Key, Mods};
pub use table::{OnMain, Scope, Spec, TABLE};

/// The key table in force: the defaults with the configuration's `[keys]` overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bindings {
    /// Per action (in [`Action::ALL`] order): its keys and the label of the first.
    keys: Vec<(Action, Vec<Chord>, String)>,
    /// What each key asks for in each context, built once (a key press is one lookup).
    table: HashMap<(Context, Chord), Action>,
}

impl Default for Bindings {
    fn default() -> Self {
        let keys = Action::ALL
            .iter()
            .map(|&a| {
                let spec = a.spec();
                let mut chords: Vec<Chord> = spec
                    .keys
                    .iter()
                    .filter_map(|t| Chord::parse(t).ok())
                    .collect();
                chords.dedup();
                (a, chords, spec.label.to_string())
            })
            .collect();
        let mut bindings = Self {
            keys,
            table: HashMap::new(),
        };
        bindings.build_table();
        bindings
    }
}

/// Why a `[keys]` table was refused: the reason, and the action it is about (so the error
/// can name that action's line of the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysError {
    /// The `[keys]` name the reason is about, when it is one of the table's.
    pub action: Option<String>,
    pub message: String,
}

impl std::fmt::Display for KeysError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Bindings {
    /// Applies overrides (action name → keys, replacing that action's defaults). Unknown
    /// actions, unreadable keys and a key bound to two actions one context reads are
    /// refused with the reason.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        Self::read(overrides).map_err(|e| e.message)
    }

    /// [`with_overrides`](Self::with_overrides), the refusal naming its action. Besides
    /// unknown actions, unreadable keys and a key that means two things in one context, a
    /// table that leaves a form without a way out is refused: `close` with no key, or
    /// `submit` / `close` with a printable key (a form's field would type it).
    pub fn read(overrides: &BTreeMap<String, Vec<String>>) -> Result<Self, KeysError> {
        let mut table = Self::default();
        for (name, keys) in overrides {
            let refuse = |message: String| KeysError {
                action: Some(name.clone()),
                message,
            };
            let Some(entry) = table.keys.iter_mut().find(|(a, _, _)| a.name() == name) else {
                let known: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                return Err(refuse(format!(
                    "unknown action \"{name}\"; actions: {}",
                    known.join(", ")
                )));
            };
            let action = entry.0;
            if keys.is_empty() {
                return Err(refuse(if action == Action::Close {
                    "close = [] leaves every popup and form without a way out: give at least \
                     one key (e.g. esc)"
                        .to_string()
                } else {
                    format!("{name}: give at least one key")
                }));
            }
            entry.1 = keys
                .iter()
                .map(|k| Chord::parse(k))
                .collect::<Result<_, _>>()
                .map_err(|e| refuse(format!("{name}: {e}")))?;
            entry.2 = keys[0].trim().to_string();
            // The actions that take a form out of its field need a key that types nothing.
            if let Some(example) = action.spec().exits_forms
                && let Some((text, _)) = keys.iter().zip(&entry.1).find(|(_, c)| c.is_text())
            {
                let field = if action == Action::Close {
                    "would be typed into the field, and the form could not be closed"
                } else {
                    "would be typed into the field"
                };
                return Err(refuse(format!(
                    "forms need a non-printable key for {name}: '{}' {field} ({example})",
                    text.trim()
                )));
            }
        }
        for context in Context::ALL {
            // The error points at the action that took the key (not close, when close is
            // one of the two and both were overridden).
            table
                .check(context)
                .map_err(|(message, actions)| KeysError {
                    action: actions
                        .into_iter()
                        .filter(|a| overrides.contains_key(a.name()))
                        .min_by_key(|a| *a == Action::Close)
                        .map(|a| a.name().to_string()),
                    message,
                })?;
        }
        table.build_table();
        Ok(table)
    }

    /// Fills the lookup table from the keys (first action of a context's order wins,
    /// though `check` has made sure no key means two things in one context).
    fn build_table(&mut self) {
        let mut table = HashMap::new();
        for context in Context::ALL {
            for action in context.actions() {
                for chord in self.chords_in(context, action) {
                    table.entry((context, chord)).or_insert(action);
                }
            }
        }
        self.table = table;
    }

    /// No key of `context` may mean two actions there (the refusal names both).
    fn check(&self, context: Context) -> Result<(), (String, [Action; 2])> {
        let mut seen: Vec<(Chord, Action)> = Vec::new();
        for action in context.actions() {
            for chord in self.chords_in(context, action) {
                match seen.iter().find(|(c, _)| *c == chord) {
                    Some((_, other)) if *other != action => {
                        let place = if context == Context::Main {
                            String::new()
                        } else {
                            format!(" in {}", context.name())
                        };
                        let message = format!(
                            "the key {} is bound to both {} and {}{place}",
                            chord.name(),
                            other.name(),
                            action.name()
                        );
                        return Err((message, [*other, action]));
                    }
                    Some(_) => {}
                    None => seen.push((chord, action)),
                }
            }
        }
        Ok(())
    }

    /// The keys of `action` that work in `context` (in a text field, not the ones that
    /// type a character).
    fn chords_in(&self, context: Context, action: Action) -> Vec<Chord> {
        let own = self.keys(action).iter().copied();
        let added = action
            .spec()
            .context_keys
            .iter()
            .filter(|(c, _)| *c == context)
            .filter_map(|(_, text)| Chord::parse(text).ok());
        own.chain(added)
            .filter(|c| !(context.is_text() && c.is_text()))
            .collect()
    }

    /// What `chord` asks for in `context`, if anything.
    pub fn action_in(&self, context: Context, chord: Chord) -> Option<Action> {
        self.table.get(&(context, chord)).copied()
    }

    /// Every key of an action.
    pub fn keys(&self, action: Action) -> &[Chord] {
        self.keys
            .iter()
            .find(|(a, _, _)| *a == action)
            .map(|(_, k, _)| k.as_slice())
            .unwrap_or(&[])
    }

    /// How an action's first key is shown (for texts such as "press e to edit").
    pub fn label(&self, action: Action) -> &str {
        self.keys
            .iter()
            .find(|(a, _, _)| *a == action)
            .map(|(_, _, l)| l.as_str())
            .unwrap_or("?")
    }

    /// Every key of the action, as the help shows them (`d/delete`).
    pub fn keys_label(&self, action: Action) -> String {
        let mut names: Vec<String> = Vec::new();
        for k in self.keys(action) {
            let name = k.name();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chord(text: &str) -> Chord {
        Chord::parse(text).unwrap()
    }

    #[test]
    fn no_key_means_two_things_in_any_context() {
        let b = Bindings::default();
        for context in Context::ALL {
            b.check(context).unwrap();
        }
        assert_eq!(b.action_in(Context::Main, chord("a")), Some(Action::Add));
        assert_eq!(
            b.action_in(Context::Quit, chord("a")),
            Some(Action::Abandon),
            "the quit dialog reads a as abandon"
        );
        assert_eq!(
            b.action_in(Context::Main, chord("ctrl-c")),
            Some(Action::ForceQuit)
        );
        assert_eq!(
            b.action_in(Context::Main, chord("shift-G")),
            Some(Action::Last)
        );
        assert_eq!(b.label(Action::Edit), "e");
        assert_eq!(b.keys_label(Action::Remove), "d/delete");
        assert_eq!(b.keys_label(Action::ForceQuit), "C-c");
    }

    #[test]
    fn a_text_field_keeps_the_characters() {
        let b = Bindings::default();
        assert_eq!(b.action_in(Context::Form, chord("k")), None, "k is text");
        assert_eq!(b.action_in(Context::Form, chord("up")), Some(Action::Up));
        assert_eq!(
            b.action_in(Context::Form, chord("ctrl-p")),
            Some(Action::Up)
        );
        assert_eq!(b.action_in(Context::Filter, chord("q")), None);
        assert_eq!(
            b.action_in(Context::Filter, chord("ctrl-c")),
            Some(Action::ForceQuit)
        );
    }

    #[test]
    fn overrides_reach_every_context_that_reads_the_action() {
        let o: BTreeMap<String, Vec<String>> = [
            ("close".to_string(), vec!["ctrl-g".to_string()]),
            ("up".to_string(), vec!["ctrl-k".to_string()]),
        ]
        .into();
        let b = Bindings::with_overrides(&o).unwrap();
        for context in [
            Context::Main,
            Context::Form,
            Context::Confirm,
            Context::Help,
            Context::Inspector,
            Context::Quit,
            Context::Profiles,
        ] {
            assert_eq!(
                b.action_in(context, chord("ctrl-g")),
                Some(Action::Close),
                "{context:?}"
            );
            assert_ne!(b.action_in(context, chord("esc")), Some(Action::Close));
        }
        for context in [
            Context::Main,
            Context::Form,
            Context::Help,
            Context::Profiles,
        ] {
            assert_eq!(b.action_in(context, chord("ctrl-k")), Some(Action::Up));
        }
        assert_eq!(b.label(Action::Close), "ctrl-g");
    }

    #[test]
    fn bad_overrides_are_refused_with_the_reason() {
        let bad = |name: &str, key: &str| {
            Bindings::with_overrides(&[(name.to_string(), vec![key.to_string()])].into())
                .unwrap_err()
        };
        assert!(bad("fly", "x").contains("unknown action \"fly\""));
        assert!(bad("add", "ctrl-").contains("is not a key"));
        assert!(bad("add", "q").contains("bound to both"));
        let e = bad("yes", "esc");
        assert_eq!(
            e, "the key esc is bound to both yes and close in confirmations",
            "{e}"
        );
        assert!(Chord::parse("f13").is_err());
        // The key named is the one bound twice, not the action's first.
        let e = Bindings::with_overrides(
            &[("yes".to_string(), vec!["y".to_string(), "esc".to_string()])].into(),
        )
        .unwrap_err();
        assert_eq!(
            e, "the key esc is bound to both yes and close in confirmations",
            "{e}"
        );
        assert_eq!(chord("F2"), Chord::new(Key::F(2), Mods::NONE));
    }

    fn read(pairs: &[(&str, &[&str])]) -> Result<Bindings, KeysError> {
        let o: BTreeMap<String, Vec<String>> = pairs
            .iter()
            .map(|(a, keys)| (a.to_string(), keys.iter().map(|k| k.to_string()).collect()))
            .collect();
        Bindings::read(&o)
    }

    #[test]
    fn submit_and_close_need_a_key_a_form_does_not_type() {
        for (action, key) in [
            ("submit", "a"),
            ("submit", "space"),
            ("submit", "shift-X"),
            ("close", "x"),
            ("close", "?"),
        ] {
            let e = read(&[(action, &["ctrl-s", key])]).unwrap_err();
            assert_eq!(e.action.as_deref(), Some(action));
            assert!(
                e.message.starts_with(&format!(
                    "forms need a non-printable key for {action}: '{key}' would be typed into the field"
                )),
                "{e}"
            );
        }
        // With a modifier, or a key that types nothing, they are fine.
        for keys in [&["ctrl-s"][..], &["alt-s", "enter"], &["f2"], &["insert"]] {
            assert!(read(&[("submit", keys)]).is_ok(), "{keys:?}");
        }
        let b = read(&[("close", &["ctrl-g", "f10"])]).unwrap();
        for context in [Context::Form, Context::Filter, Context::Main, Context::Quit] {
            assert_eq!(b.action_in(context, chord("f10")), Some(Action::Close));
        }
        // Other actions may take a printable key: a form types it, the main screen reads it.
        assert!(read(&[("add", &["x"])]).is_ok());
    }

    #[test]
    fn close_cannot_be_left_without_a_key_in_any_context() {
        let e = read(&[("close", &[])]).unwrap_err();
        assert_eq!(e.action.as_deref(), Some("close"));
        assert!(e.message.contains("without a way out"), "{e}");
        // Its only key taken by an action of one context: refused, naming the taker.
        let e = read(&[("close", &["ctrl-g"]), ("wait", &["ctrl-g"])]).unwrap_err();
        assert_eq!(e.action.as_deref(), Some("wait"));
        assert_eq!(
            e.message,
            "the key C-g is bound to both wait and close in the quit dialog"
        );
        let e = read(&[("copy", &["esc"])]).unwrap_err();
        assert_eq!(
            e.action.as_deref(),
            Some("copy"),
            "close was not overridden"
        );
        assert!(e.message.contains("in the inspector"), "{e}");
    }

    #[test]
    fn the_defaults_and_their_own_keys_written_out_pass() {
        assert!(read(&[]).unwrap() == Bindings::default());
        let every: Vec<(&str, &[&str])> = TABLE
            .iter()
            .map(|spec| (spec.action.name(), spec.keys))
            .collect();
        // The same table (only the labels differ: `up` as written, not `↑/k`).
        let written = read(&every).unwrap();
        assert!(written.table == Bindings::default().table);
        let b = Bindings::default();
        for context in Context::ALL {
            if context.actions().contains(&Action::Close) {
                assert!(
                    b.chords_in(context, Action::Close).contains(&chord("esc")),
                    "{context:?}"
                );
            }
        }
    }
}
