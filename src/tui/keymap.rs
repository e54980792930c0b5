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
        help: "filter the list or the action log (fuzzy); Esc clears",
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

/// A key as the table compares it: for characters and Shift-Tab the Shift modifier is
/// dropped (terminals differ in whether they report it; the character already says it).
fn normalize((code, mods): (KeyCode, KeyModifiers)) -> (KeyCode, KeyModifiers) {
    match code {
        KeyCode::Char(_) | KeyCode::BackTab => (code, mods - KeyModifiers::SHIFT),
        _ => (code, mods),
    }
}

/// The name of an action in the `[keys]` table of the configuration file.
pub fn action_name(action: Action) -> &'static str {
    match action {
        Action::Up => "up",
        Action::Down => "down",
        Action::PageUp => "page_up",
        Action::PageDown => "page_down",
        Action::First => "first",
        Action::Last => "last",
        Action::NextPane => "next_pane",
        Action::PrevPane => "prev_pane",
        Action::TabCerego => "tab_cerego",
        Action::TabHive => "tab_hive",
        Action::Add => "add",
        Action::Edit => "edit",
        Action::Remove => "remove",
        Action::RemoveTyped => "remove_typed",
        Action::Mark => "mark",
        Action::Open => "open",
        Action::Refresh => "refresh",
        Action::Lookup => "lookup",
        Action::SwitchProfile => "switch_profile",
        Action::Filter => "filter",
        Action::Inspect => "inspect",
        Action::Help => "help",
        Action::Quit => "quit",
        Action::ForceQuit => "force_quit",
        Action::Suspend => "suspend",
        Action::Close => "close",
    }
}

/// Reads a key as written in the configuration: `a`, `G`, `?`, `ctrl-x`, `alt-x`, `enter`,
/// `esc`, `tab`, `backtab`, `space`, `backspace`, `delete`, `insert`, `up`, `down`, `left`,
/// `right`, `home`, `end`, `pgup`, `pgdn`, `f1`…`f12`.
pub fn parse_key(text: &str) -> Result<(KeyCode, KeyModifiers), String> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = text.trim();
    loop {
        let lower = rest.to_ascii_lowercase();
        if let Some(r) = lower
            .strip_prefix("ctrl-")
            .or_else(|| lower.strip_prefix("c-"))
        {
            mods |= KeyModifiers::CONTROL;
            rest = &rest[rest.len() - r.len()..];
        } else if let Some(r) = lower
            .strip_prefix("alt-")
            .or_else(|| lower.strip_prefix("m-"))
        {
            mods |= KeyModifiers::ALT;
            rest = &rest[rest.len() - r.len()..];
        } else if let Some(r) = lower.strip_prefix("shift-") {
            mods |= KeyModifiers::SHIFT;
            rest = &rest[rest.len() - r.len()..];
        } else {
            break;
        }
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) if !c.is_control() => {
            KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                c.to_ascii_lowercase()
            } else {
                c
            })
        }
        _ => match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            f if f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse::<u8>().unwrap_or(1))
            }
            _ => {
                return Err(format!(
                    "\"{text}\" is not a key (examples: a, G, ctrl-x, enter, f2)"
                ));
            }
        },
    };
    Ok(normalize((code, mods)))
}

/// One action's keys in the table in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub action: Action,
    pub keys: Vec<(KeyCode, KeyModifiers)>,
    /// How the first key is shown in hints and help.
    pub label: String,
    pub help: &'static str,
    pub scope: Scope,
    pub hint: bool,
}

impl Entry {
    /// Every key of the action, as the help shows them (`d/delete`).
    pub fn keys_label(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for k in &self.keys {
            let name = key_name(*k);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names.join("/")
    }
}

/// How a key is written for people: `a`, `G`, `space`, `↑`, `delete`, `C-c`, `f2`.
pub fn key_name((code, mods): (KeyCode, KeyModifiers)) -> String {
    let base = match code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "home".into(),
        KeyCode::End => "end".into(),
        KeyCode::Enter => "enter".into(),
        KeyCode::Esc => "esc".into(),
        KeyCode::Tab => "tab".into(),
        KeyCode::BackTab => "S-tab".into(),
        KeyCode::Delete => "delete".into(),
        KeyCode::Insert => "insert".into(),
        KeyCode::Backspace => "backspace".into(),
        KeyCode::F(n) => format!("f{n}"),
        other => format!("{other:?}").to_lowercase(),
    };
    let mut out = String::new();
    if mods.contains(KeyModifiers::CONTROL) {
        out.push_str("C-");
    }
    if mods.contains(KeyModifiers::ALT) {
        out.push_str("M-");
    }
    out.push_str(&base);
    out
}

/// The key table in force: [`BINDINGS`] with the configuration's `[keys]` overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    entries: Vec<Entry>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self {
            entries: BINDINGS
                .iter()
                .map(|b| {
                    let mut keys: Vec<_> = b.keys.iter().map(|k| normalize(*k)).collect();
                    keys.dedup();
                    Entry {
                        action: b.action,
                        keys,
                        label: b.label.to_string(),
                        help: b.help,
                        scope: b.scope,
                        hint: b.hint,
                    }
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// Applies overrides (action name → keys, replacing that action's defaults). Unknown
    /// actions, unreadable keys and a key bound to two actions are refused with the reason.
    pub fn with_overrides(
        overrides: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<Self, String> {
        let mut map = Self::default();
        for (name, keys) in overrides {
            let Some(entry) = map
                .entries
                .iter_mut()
                .find(|e| action_name(e.action) == name)
            else {
                let known: Vec<&str> = map.entries.iter().map(|e| action_name(e.action)).collect();
                return Err(format!(
                    "unknown action \"{name}\"; actions: {}",
                    known.join(", ")
                ));
            };
            if keys.is_empty() {
                return Err(format!("{name}: give at least one key"));
            }
            entry.keys = keys
                .iter()
                .map(|k| parse_key(k))
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{name}: {e}"))?;
            entry.label = keys[0].trim().to_string();
        }
        let mut seen: std::collections::HashMap<(KeyCode, KeyModifiers), Action> =
            Default::default();
        for e in &map.entries {
            for k in &e.keys {
                if let Some(other) = seen.insert(*k, e.action)
                    && other != e.action
                {
                    return Err(format!(
                        "the key {} is bound to both {} and {}",
                        e.label,
                        action_name(other),
                        action_name(e.action)
                    ));
                }
            }
        }
        Ok(map)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Looks a key up in the table.
    pub fn action_for(&self, key: &KeyEvent) -> Option<Action> {
        let pressed = normalize((key.code, key.modifiers));
        self.entries
            .iter()
            .find(|e| e.keys.contains(&pressed))
            .map(|e| e.action)
    }

    /// The label of an action's first key (for messages such as "press e to edit").
    pub fn label_for(&self, action: Action) -> &str {
        self.entries
            .iter()
            .find(|e| e.action == action)
            .map(|e| e.label.as_str())
            .unwrap_or("?")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reachable_and_no_key_bound_twice() {
        let map = Keymap::default();
        let mut seen = std::collections::HashSet::new();
        for e in map.entries() {
            for k in &e.keys {
                assert!(seen.insert(*k), "{k:?} is bound twice");
            }
        }
        let key = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        assert_eq!(map.action_for(&key), Some(Action::Add));
        let key = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.action_for(&key), Some(Action::ForceQuit));
        let key = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(map.action_for(&key), Some(Action::Last));
        assert_eq!(map.label_for(Action::Edit), "e");
        let remove = map
            .entries()
            .iter()
            .find(|e| e.action == Action::Remove)
            .unwrap();
        assert_eq!(remove.keys_label(), "d/delete");
        let quit = map
            .entries()
            .iter()
            .find(|e| e.action == Action::ForceQuit)
            .unwrap();
        assert_eq!(quit.keys_label(), "C-c");
    }

    #[test]
    fn overrides_replace_an_actions_keys() {
        let o = [(
            "add".to_string(),
            vec!["insert".to_string(), "ctrl-A".into()],
        )]
        .into();
        let map = Keymap::with_overrides(&o).unwrap();
        let ins = KeyEvent::new(KeyCode::Insert, KeyModifiers::NONE);
        assert_eq!(map.action_for(&ins), Some(Action::Add));
        let ctrl_a = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL);
        assert_eq!(map.action_for(&ctrl_a), Some(Action::Add));
        let a = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        assert_eq!(map.action_for(&a), None, "the default is replaced");
        assert_eq!(map.label_for(Action::Add), "insert");
    }

    #[test]
    fn bad_overrides_are_refused_with_the_reason() {
        let bad = |name: &str, key: &str| {
            Keymap::with_overrides(&[(name.to_string(), vec![key.to_string()])].into()).unwrap_err()
        };
        assert!(bad("fly", "x").contains("unknown action \"fly\""));
        assert!(bad("add", "ctrl-").contains("is not a key"));
        assert!(bad("add", "q").contains("bound to both"));
        assert!(parse_key("f13").is_err());
        assert_eq!(
            parse_key("F2").unwrap(),
            (KeyCode::F(2), KeyModifiers::NONE)
        );
    }
}
