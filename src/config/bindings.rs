//! The `[keys]` table's schema: the actions a key can be bound to, the contexts that read
//! each of them, how a key is written, and the default table.
//!
//! Keys are plain values here ([`Chord`]); the console turns terminal events into chords in
//! one place (`tui::keymap`), so neither this module nor the console's handlers name a
//! terminal key code. Rebinding an action in `[keys]` reaches every context that reads it:
//! `close` closes every popup, `up` moves in every list, popup and form.

use std::collections::BTreeMap;

/// A key without its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

/// Modifier keys held with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Mods {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

impl Mods {
    pub const NONE: Mods = Mods {
        ctrl: false,
        alt: false,
        shift: false,
    };
    pub const CTRL: Mods = Mods {
        ctrl: true,
        alt: false,
        shift: false,
    };
}

/// One key press as the table compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord {
    pub key: Key,
    pub mods: Mods,
}

impl Chord {
    /// A chord as the table compares it: for characters and Shift-Tab the Shift modifier is
    /// dropped (terminals differ in whether they report it; the character already says it).
    pub fn new(key: Key, mods: Mods) -> Self {
        let mods = match key {
            Key::Char(_) | Key::BackTab => Mods {
                shift: false,
                ..mods
            },
            _ => mods,
        };
        Self { key, mods }
    }

    /// Whether this key types a character (in a text field it is text, never an action).
    pub fn is_text(&self) -> bool {
        matches!(self.key, Key::Char(_)) && !self.mods.ctrl && !self.mods.alt
    }

    /// Reads a key as written in the configuration: `a`, `G`, `?`, `ctrl-x`, `alt-x`,
    /// `enter`, `esc`, `tab`, `backtab`, `space`, `backspace`, `delete`, `insert`, `up`,
    /// `down`, `left`, `right`, `home`, `end`, `pgup`, `pgdn`, `f1`…`f12`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut mods = Mods::NONE;
        let mut rest = text.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("c-"))
            {
                mods.ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("m-"))
            {
                mods.alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-") {
                mods.shift = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let key = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => {
                Key::Char(if mods.ctrl { c.to_ascii_lowercase() } else { c })
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => Key::Enter,
                "esc" | "escape" => Key::Esc,
                "tab" => Key::Tab,
                "backtab" => Key::BackTab,
                "space" => Key::Char(' '),
                "backspace" => Key::Backspace,
                "delete" | "del" => Key::Delete,
                "insert" | "ins" => Key::Insert,
                "up" => Key::Up,
                "down" => Key::Down,
                "left" => Key::Left,
                "right" => Key::Right,
                "home" => Key::Home,
                "end" => Key::End,
                "pgup" | "pageup" => Key::PageUp,
                "pgdn" | "pagedown" => Key::PageDown,
                f => match f.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    Some(n) if (1..=12).contains(&n) => Key::F(n),
                    _ => {
                        return Err(format!(
                            "\"{text}\" is not a key (examples: a, G, ctrl-x, enter, f2)"
                        ));
                    }
                },
            },
        };
        Ok(Self::new(key, mods))
    }

    /// How a key is written for people: `a`, `G`, `space`, `↑`, `delete`, `C-c`, `f2`.
    pub fn name(&self) -> String {
        let base = match self.key {
            Key::Char(' ') => "space".to_string(),
            Key::Char(c) => c.to_string(),
            Key::Up => "↑".into(),
            Key::Down => "↓".into(),
            Key::Left => "←".into(),
            Key::Right => "→".into(),
            Key::PageUp => "PgUp".into(),
            Key::PageDown => "PgDn".into(),
            Key::Home => "home".into(),
            Key::End => "end".into(),
            Key::Enter => "enter".into(),
            Key::Esc => "esc".into(),
            Key::Tab => "tab".into(),
            Key::BackTab => "S-tab".into(),
            Key::Delete => "delete".into(),
            Key::Insert => "insert".into(),
            Key::Backspace => "backspace".into(),
            Key::F(n) => format!("f{n}"),
        };
        let mut out = String::new();
        if self.mods.ctrl {
            out.push_str("C-");
        }
        if self.mods.alt {
            out.push_str("M-");
        }
        out.push_str(&base);
        out
    }
}

/// Everything a key can ask for. Which ones a key can reach depends on the [`Context`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
    /// A form or the profile picker: send / choose.
    Submit,
    /// A confirmation: yes.
    Yes,
    /// A confirmation or the quit dialog: no / stay.
    No,
    /// The quit dialog: quit once the requests in flight have their outcome.
    Wait,
    /// The quit dialog: quit now, journaling the requests in flight as abandoned.
    Abandon,
}

impl Action {
    /// Every action, in the order the help lists them.
    pub const ALL: [Action; 31] = [
        Action::Add,
        Action::Edit,
        Action::Remove,
        Action::RemoveTyped,
        Action::Mark,
        Action::Open,
        Action::Filter,
        Action::Inspect,
        Action::Refresh,
        Action::Lookup,
        Action::SwitchProfile,
        Action::NextPane,
        Action::PrevPane,
        Action::TabCerego,
        Action::TabHive,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::First,
        Action::Last,
        Action::Help,
        Action::Close,
        Action::Quit,
        Action::ForceQuit,
        Action::Suspend,
        Action::Submit,
        Action::Yes,
        Action::No,
        Action::Wait,
        Action::Abandon,
    ];

    /// The action's name in the `[keys]` table.
    pub fn name(self) -> &'static str {
        match self {
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
            Action::Submit => "submit",
            Action::Yes => "yes",
            Action::No => "no",
            Action::Wait => "wait",
            Action::Abandon => "abandon",
        }
    }

    /// The default keys, and how the first is shown in hints.
    fn defaults(self) -> (&'static [&'static str], &'static str) {
        match self {
            Action::Add => (&["a"], "a"),
            Action::Edit => (&["e"], "e"),
            Action::Remove => (&["d", "delete"], "d"),
            Action::RemoveTyped => (&["D"], "D"),
            Action::Mark => (&["space"], "space"),
            Action::Open => (&["o"], "o"),
            Action::Filter => (&["/"], "/"),
            Action::Inspect => (&["enter"], "enter"),
            Action::Refresh => (&["r"], "r"),
            Action::Lookup => (&["f"], "f"),
            Action::SwitchProfile => (&["P"], "P"),
            Action::NextPane => (&["tab"], "tab"),
            Action::PrevPane => (&["backtab"], "S-tab"),
            Action::TabCerego => (&["1"], "1"),
            Action::TabHive => (&["2"], "2"),
            Action::Up => (&["up", "k"], "↑/k"),
            Action::Down => (&["down", "j"], "↓/j"),
            Action::PageUp => (&["pgup", "ctrl-u"], "PgUp"),
            Action::PageDown => (&["pgdn", "ctrl-d"], "PgDn"),
            Action::First => (&["home", "g"], "g"),
            Action::Last => (&["end", "G"], "G"),
            Action::Help => (&["?"], "?"),
            Action::Close => (&["esc"], "esc"),
            Action::Quit => (&["q"], "q"),
            Action::ForceQuit => (&["ctrl-c"], "C-c"),
            Action::Suspend => (&["ctrl-z"], "C-z"),
            Action::Submit => (&["enter"], "enter"),
            Action::Yes => (&["y", "Y", "enter"], "y"),
            Action::No => (&["n", "N"], "n"),
            Action::Wait => (&["w", "W", "enter"], "w"),
            Action::Abandon => (&["a", "A", "y"], "a"),
        }
    }
}

/// Where keys are read: the main screen, or the popup or text field that has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Main,
    /// Typing a list's or the log's filter.
    Filter,
    Form,
    Confirm,
    Help,
    Inspector,
    Quit,
    Profiles,
}

const NAVIGATION: [Action; 6] = [
    Action::Up,
    Action::Down,
    Action::PageUp,
    Action::PageDown,
    Action::First,
    Action::Last,
];

impl Context {
    pub const ALL: [Context; 8] = [
        Context::Main,
        Context::Filter,
        Context::Form,
        Context::Confirm,
        Context::Help,
        Context::Inspector,
        Context::Quit,
        Context::Profiles,
    ];

    /// The actions this context reads, in order of precedence.
    pub fn actions(self) -> Vec<Action> {
        match self {
            Context::Main => Action::ALL
                .iter()
                .copied()
                .filter(|a| Context::Main.reads(*a))
                .collect(),
            Context::Filter => vec![
                Action::Close,
                Action::Submit,
                Action::Down,
                Action::NextPane,
                Action::ForceQuit,
            ],
            Context::Form => vec![
                Action::Submit,
                Action::Close,
                Action::Up,
                Action::Down,
                Action::NextPane,
                Action::PrevPane,
                Action::ForceQuit,
            ],
            Context::Confirm => vec![
                Action::Yes,
                Action::No,
                Action::Close,
                Action::Quit,
                Action::ForceQuit,
            ],
            Context::Help => [Action::Close, Action::Quit, Action::Help, Action::Inspect]
                .into_iter()
                .chain(NAVIGATION)
                .chain([Action::ForceQuit])
                .collect(),
            Context::Inspector => [Action::Close, Action::Quit, Action::Inspect]
                .into_iter()
                .chain(NAVIGATION)
                .chain([Action::ForceQuit])
                .collect(),
            Context::Quit => vec![
                Action::Wait,
                Action::Abandon,
                Action::No,
                Action::Close,
                Action::Quit,
                Action::ForceQuit,
            ],
            Context::Profiles => [Action::Submit, Action::Close, Action::Quit]
                .into_iter()
                .chain(NAVIGATION)
                .chain([Action::ForceQuit])
                .collect(),
        }
    }

    /// Whether the main screen reads `action` (the popups' own actions it does not).
    fn reads(self, action: Action) -> bool {
        match action {
            Action::Submit | Action::Yes | Action::No | Action::Wait | Action::Abandon => false,
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last
            | Action::NextPane
            | Action::PrevPane
            | Action::TabCerego
            | Action::TabHive
            | Action::Add
            | Action::Edit
            | Action::Remove
            | Action::RemoveTyped
            | Action::Mark
            | Action::Open
            | Action::Refresh
            | Action::Lookup
            | Action::SwitchProfile
            | Action::Filter
            | Action::Inspect
            | Action::Help
            | Action::Quit
            | Action::ForceQuit
            | Action::Suspend
            | Action::Close => self == Context::Main,
        }
    }

    /// Keys this context adds to an action's own (a form also takes ctrl-p / ctrl-n for
    /// ↑ / ↓, as readline does).
    fn aliases(self) -> &'static [(Action, &'static str)] {
        match self {
            Context::Form => &[(Action::Up, "ctrl-p"), (Action::Down, "ctrl-n")],
            Context::Main
            | Context::Filter
            | Context::Confirm
            | Context::Help
            | Context::Inspector
            | Context::Quit
            | Context::Profiles => &[],
        }
    }

    /// A text field has the keyboard: keys that type a character are text.
    pub fn is_text(self) -> bool {
        matches!(self, Context::Filter | Context::Form)
    }

    /// How the context is named in an error message.
    fn name(self) -> &'static str {
        match self {
            Context::Main => "the main screen",
            Context::Filter => "a filter",
            Context::Form => "forms",
            Context::Confirm => "confirmations",
            Context::Help => "the help",
            Context::Inspector => "the inspector",
            Context::Quit => "the quit dialog",
            Context::Profiles => "the profile picker",
        }
    }
}

/// The key table in force: the defaults with the configuration's `[keys]` overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bindings {
    /// Per action (in [`Action::ALL`] order): its keys and the label of the first.
    keys: Vec<(Action, Vec<Chord>, String)>,
}

impl Default for Bindings {
    fn default() -> Self {
        let keys = Action::ALL
            .iter()
            .map(|&a| {
                let (texts, label) = a.defaults();
                let mut chords: Vec<Chord> =
                    texts.iter().filter_map(|t| Chord::parse(t).ok()).collect();
                chords.dedup();
                (a, chords, label.to_string())
            })
            .collect();
        Self { keys }
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
        Ok(table)
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
        let aliases = context
            .aliases()
            .iter()
            .filter(|(a, _)| *a == action)
            .filter_map(|(_, text)| Chord::parse(text).ok());
        own.chain(aliases)
            .filter(|c| !(context.is_text() && c.is_text()))
            .collect()
    }

    /// What `chord` asks for in `context`, if anything.
    pub fn action_in(&self, context: Context, chord: Chord) -> Option<Action> {
        context
            .actions()
            .into_iter()
            .find(|&a| self.chords_in(context, a).contains(&chord))
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
