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

impl Bindings {
    /// Applies overrides (action name → keys, replacing that action's defaults). Unknown
    /// actions, unreadable keys and a key bound to two actions one context reads are
    /// refused with the reason.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let mut table = Self::default();
        for (name, keys) in overrides {
            let Some(entry) = table.keys.iter_mut().find(|(a, _, _)| a.name() == name) else {
                let known: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                return Err(format!(
                    "unknown action \"{name}\"; actions: {}",
                    known.join(", ")
                ));
            };
            if keys.is_empty() {
                return Err(format!("{name}: give at least one key"));
            }
            entry.1 = keys
                .iter()
                .map(|k| Chord::parse(k))
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{name}: {e}"))?;
            entry.2 = keys[0].trim().to_string();
        }
        for context in Context::ALL {
            table.check(context)?;
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

    /// No key of `context` may mean two actions there.
    fn check(&self, context: Context) -> Result<(), String> {
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
                        return Err(format!(
                            "the key {} is bound to both {} and {}{place}",
                            self.label(action),
                            other.name(),
                            action.name()
                        ));
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
        assert_eq!(chord("F2"), Chord::new(Key::F(2), Mods::NONE));
    }
}
