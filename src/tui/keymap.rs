//! Keys become semantic actions here, and only here. The same table drives key handling,
//! the help overlay and the status-bar hints, so they cannot drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    NextPane,
    PrevPane,
    TabCerego,
    TabHive,
    Add,
    Edit,
    Remove,
    RemoveTyped,
    Mark,
    Open,
    Refresh,
    Lookup,
    SwitchProfile,
    Filter,
    Inspect,
    Help,
    Quit,
    ForceQuit,
    Suspend,
    Close,
}

/// Where an action is offered (for hints and help grouping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Lists,
    Tags,
    Log,
    HiveOnly,
}

pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    pub scope: Scope,
    /// Shown in the status bar's hints.
    pub hint: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

/// The key table. Order is the order of the help overlay.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Char('a'), NONE)],
        label: "a",
        action: Action::Add,
        help: "add tags (Hive: api_fields; Cerego: a tag of a type)",
        scope: Scope::Everywhere,
        hint: true,
    },
    Binding {
        keys: &[(KeyCode::Char('e'), NONE)],
        label: "e",
        action: Action::Edit,
        help: "edit the selected Cerego tag's value",
        scope: Scope::Tags,
        hint: true,
    },
    Binding {
        keys: &[(KeyCode::Char('d'), NONE), (KeyCode::Delete, NONE)],
        label: "d",
        action: Action::Remove,
        help: "remove the selected or marked Hive tags (asks first)",
        scope: Scope::Tags,
        hint: true,
    },
    Binding {
        keys: &[(KeyCode::Char('D'), SHIFT), (KeyCode::Char('D'), NONE)],
        label: "D",
        action: Action::RemoveTyped,
        help: "remove Hive api_fields by typing them (also ones not shown)",
        scope: Scope::HiveOnly,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Char(' '), NONE)],
        label: "space",
        action: Action::Mark,
        help: "mark / unmark a Hive tag for removal",
        scope: Scope::HiveOnly,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Char('o'), NONE)],
        label: "o",
        action: Action::Open,
        help: "open a Hive patron by typing its id",
        scope: Scope::HiveOnly,
        hint: true,
    },
    Binding {
        keys: &[(KeyCode::Char('/'), NONE)],
        label: "/",
        action: Action::Filter,
        help: "filter the list (fuzzy, case-insensitive); Esc clears",
        scope: Scope::Lists,
        hint: true,
    },
    Binding {
        keys: &[(KeyCode::Enter, NONE)],
        label: "enter",
        action: Action::Inspect,
        help: "inspect the selected log entry (request, response, outcome)",
        scope: Scope::Log,
        hint: true,
    },
    Binding {
        keys: &[(KeyCode::Char('r'), NONE)],
        label: "r",
        action: Action::Refresh,
        help: "reload the Cerego user list",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Char('f'), NONE)],
        label: "f",
        action: Action::Lookup,
        help: "look up a Cerego user by email or member id",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Char('P'), SHIFT), (KeyCode::Char('P'), NONE)],
        label: "P",
        action: Action::SwitchProfile,
        help: "switch profile",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Tab, NONE)],
        label: "tab",
        action: Action::NextPane,
        help: "next pane",
        scope: Scope::Everywhere,
        hint: true,
    },
    Binding {
        keys: &[(KeyCode::BackTab, SHIFT), (KeyCode::BackTab, NONE)],
        label: "S-tab",
        action: Action::PrevPane,
        help: "previous pane",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Char('1'), NONE)],
        label: "1",
        action: Action::TabCerego,
        help: "Cerego users",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Char('2'), NONE)],
        label: "2",
        action: Action::TabHive,
        help: "Hive patrons",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Up, NONE), (KeyCode::Char('k'), NONE)],
        label: "↑/k",
        action: Action::Up,
        help: "move up",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Down, NONE), (KeyCode::Char('j'), NONE)],
        label: "↓/j",
        action: Action::Down,
        help: "move down",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::PageUp, NONE), (KeyCode::Char('u'), CTRL)],
        label: "PgUp",
        action: Action::PageUp,
        help: "page up",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::PageDown, NONE), (KeyCode::Char('d'), CTRL)],
        label: "PgDn",
        action: Action::PageDown,
        help: "page down",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Home, NONE), (KeyCode::Char('g'), NONE)],
        label: "g",
        action: Action::First,
        help: "first item",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[
            (KeyCode::End, NONE),
            (KeyCode::Char('G'), SHIFT),
            (KeyCode::Char('G'), NONE),
        ],
        label: "G",
        action: Action::Last,
        help: "last item",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Char('?'), NONE), (KeyCode::Char('?'), SHIFT)],
        label: "?",
        action: Action::Help,
        help: "this help",
        scope: Scope::Everywhere,
        hint: true,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE)],
        label: "esc",
        action: Action::Close,
        help: "close a popup, clear the filter or the marks",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Char('q'), NONE)],
        label: "q",
        action: Action::Quit,
        help: "quit (asks first while requests are in flight)",
        scope: Scope::Everywhere,
        hint: true,
    },
    Binding {
        keys: &[(KeyCode::Char('c'), CTRL)],
        label: "C-c",
        action: Action::ForceQuit,
        help: "quit now (requests in flight are journaled as abandoned)",
        scope: Scope::Everywhere,
        hint: false,
    },
    Binding {
        keys: &[(KeyCode::Char('z'), CTRL)],
        label: "C-z",
        action: Action::Suspend,
        help: "suspend to the shell (fg resumes)",
        scope: Scope::Everywhere,
        hint: false,
    },
];

/// Looks a key up in the table.
pub fn action_for(key: &KeyEvent) -> Option<Action> {
    BINDINGS
        .iter()
        .find(|b| {
            b.keys
                .iter()
                .any(|(code, mods)| *code == key.code && *mods == key.modifiers)
        })
        .map(|b| b.action)
}

/// The label of the first binding for an action (for messages such as "press e to edit").
pub fn label_for(action: Action) -> &'static str {
    BINDINGS
        .iter()
        .find(|b| b.action == action)
        .map(|b| b.label)
        .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reachable_and_no_key_bound_twice() {
        let mut seen = std::collections::HashSet::new();
        for b in BINDINGS {
            for k in b.keys {
                assert!(seen.insert(*k), "{k:?} is bound twice");
            }
        }
        let key = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        assert_eq!(action_for(&key), Some(Action::Add));
        let key = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&key), Some(Action::ForceQuit));
        assert_eq!(label_for(Action::Edit), "e");
    }
}
