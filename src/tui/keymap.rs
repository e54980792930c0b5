//! Keys become semantic actions here, and only here: terminal events are turned into
//! [`Chord`]s (the one place that names terminal key codes) and looked up in the table of
//! the context that has the keyboard (`config::bindings`, overridable in `[keys]`). The
//! same table drives key handling, the help overlay, the status-bar hints and every
//! "press X" text, so they cannot drift apart; [`availability`] says which actions can do
//! anything where the operator is, for the handlers and the hints alike.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, Level, Pane, Tab};
pub use crate::config::bindings::{Action, Bindings, Chord, Context, Key, Mods, Scope};
use crate::core::op::Service;

/// One action of the main screen in the table in force, as the help and hints show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionKeys {
    pub action: Action,
    /// How the first key is shown in hints and help.
    pub label: String,
    /// Every key of the action (`d/delete`).
    pub keys_label: String,
    pub help: &'static str,
    /// The command palette's title.
    pub title: &'static str,
    pub scope: Scope,
    /// The status bar's word for it, when it is hinted.
    pub hint: Option<&'static str>,
}

/// The key table in force: the defaults with the configuration's `[keys]` overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Bindings,
    /// The main screen's actions as help and hints show them, made once.
    entries: Vec<ActionKeys>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self::of(Bindings::default())
    }
}

impl Keymap {
    fn of(bindings: Bindings) -> Self {
        // The main screen's actions, as the action table presents them (in its order).
        let entries = crate::config::bindings::TABLE
            .iter()
            .filter_map(|spec| {
                let main = spec.main?;
                Some(ActionKeys {
                    action: spec.action,
                    label: bindings.label(spec.action).to_string(),
                    keys_label: bindings.keys_label(spec.action),
                    help: main.help,
                    title: main.title,
                    scope: main.scope,
                    hint: main.hint,
                })
            })
            .collect();
        Self { bindings, entries }
    }

    /// Applies overrides (action name → keys); see [`Bindings::with_overrides`].
    pub fn with_overrides(
        overrides: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<Self, String> {
        Ok(Self::of(Bindings::with_overrides(overrides)?))
    }

    /// What a key asks for on the main screen.
    pub fn action_for(&self, key: &KeyEvent) -> Option<Action> {
        self.action_in(Context::Main, key)
    }

    /// What a key asks for in `context`.
    pub fn action_in(&self, context: Context, key: &KeyEvent) -> Option<Action> {
        self.bindings.action_in(context, chord(key)?)
    }

    /// The label of an action's first key (for texts such as "press e to edit").
    pub fn label_for(&self, action: Action) -> &str {
        self.bindings.label(action)
    }

    /// The name of an action's first key (`↑`, `enter`), for a popup's own hints.
    pub fn first_key(&self, action: Action) -> String {
        self.bindings
            .keys(action)
            .first()
            .map(Chord::name)
            .unwrap_or_else(|| "?".into())
    }

    /// The key event that asks for `action` in `context` (its first key that does there):
    /// a click on a button presses it, so the click takes the key's path.
    pub fn event_for(&self, context: Context, action: Action) -> Option<KeyEvent> {
        self.bindings
            .keys(action)
            .iter()
            .filter_map(|c| event_of(*c))
            .find(|key| self.action_in(context, key) == Some(action))
    }

    /// The main screen's actions in help order.
    pub fn entries(&self) -> &[ActionKeys] {
        &self.entries
    }

    /// Every key event bound to something (for tests that press every bound key).
    pub fn bound_events(&self) -> Vec<KeyEvent> {
        Action::ALL
            .iter()
            .flat_map(|&a| self.bindings.keys(a).iter().filter_map(|c| event_of(*c)))
            .collect()
    }
}

/// A terminal key event as the table compares it (None for keys no table binds: media
/// keys, modifier presses…).
pub fn chord(key: &KeyEvent) -> Option<Chord> {
    let k = match key.code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        KeyCode::Insert => Key::Insert,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::F(n) => Key::F(n),
        _ => return None,
    };
    let m = key.modifiers;
    Some(Chord::new(
        k,
        Mods {
            ctrl: m.contains(KeyModifiers::CONTROL),
            alt: m.contains(KeyModifiers::ALT),
            shift: m.contains(KeyModifiers::SHIFT),
        },
    ))
}

/// The terminal event a chord stands for.
fn event_of(chord: Chord) -> Option<KeyEvent> {
    let code = match chord.key {
        Key::Char(c) => KeyCode::Char(c),
        Key::Enter => KeyCode::Enter,
        Key::Esc => KeyCode::Esc,
        Key::Tab => KeyCode::Tab,
        Key::BackTab => KeyCode::BackTab,
        Key::Backspace => KeyCode::Backspace,
        Key::Delete => KeyCode::Delete,
        Key::Insert => KeyCode::Insert,
        Key::Up => KeyCode::Up,
        Key::Down => KeyCode::Down,
        Key::Left => KeyCode::Left,
        Key::Right => KeyCode::Right,
        Key::Home => KeyCode::Home,
        Key::End => KeyCode::End,
        Key::PageUp => KeyCode::PageUp,
        Key::PageDown => KeyCode::PageDown,
        Key::F(n) => KeyCode::F(n),
    };
    let mut mods = KeyModifiers::NONE;
    if chord.mods.ctrl {
        mods |= KeyModifiers::CONTROL;
    }
    if chord.mods.alt {
        mods |= KeyModifiers::ALT;
    }
    if chord.mods.shift {
        mods |= KeyModifiers::SHIFT;
    }
    Some(KeyEvent::new(code, mods))
}

/// The key event written as the configuration writes keys (`"enter"`, `"ctrl-c"`, `"a"`):
/// for tests and benchmarks, which then need no terminal key codes either.
pub fn key_event(text: &str) -> Option<KeyEvent> {
    event_of(Chord::parse(text).ok()?)
}

/// Why an action cannot do anything where the operator is: how loud to say it, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub level: Level,
    pub reason: String,
}

/// Whether `action` can do anything where the operator is, and if not why. The one place
/// that decides it: the handlers say the reason instead of acting, and the hints offer
/// only what is available.
pub fn availability(app: &App, action: Action) -> Result<(), Unavailable> {
    let no = |level, reason: String| Err(Unavailable { level, reason });
    let read_only = |what: &str| {
        let why = app.settings.policy.read_only_why();
        let mut chars = why.chars();
        let first = chars.next().map(|c| c.to_uppercase().to_string());
        no(
            Level::Error,
            format!(
                "{}{}: {what} is refused, nothing is sent (reads still work).",
                first.unwrap_or_default(),
                chars.as_str()
            ),
        )
    };
    let configured = |tab: Tab| match tab {
        Tab::Cerego => app.settings.cerego.is_some(),
        Tab::Hive => app.settings.hive.is_some(),
    };
    let service = |tab: Tab| match tab {
        Tab::Cerego => Service::Cerego,
        Tab::Hive => Service::Hive,
    };
    let policy_read_only = app.settings.policy.read_only;
    match action {
        Action::Add if policy_read_only => read_only("adding tags"),
        Action::Add if !configured(app.tab) => no(
            Level::Warn,
            format!(
                "{}: nothing can be added.",
                app.unavailable(service(app.tab))
            ),
        ),
        Action::Edit if app.tab == Tab::Hive => no(
            Level::Info,
            format!(
                "Hive tags have no value to edit: add ({}) or remove ({}) them.",
                app.key_label(Action::Add),
                app.key_label(Action::Remove)
            ),
        ),
        Action::Edit if policy_read_only => read_only("editing a tag"),
        Action::Edit if !configured(Tab::Cerego) => no(
            Level::Warn,
            format!("{}: nothing to edit.", app.unavailable(Service::Cerego)),
        ),
        Action::Remove if app.tab == Tab::Cerego => no(
            Level::Warn,
            format!(
                "Cerego's API has no way to remove a tag, so nothing was sent. Press {} to change its value instead.",
                app.key_label(Action::Edit)
            ),
        ),
        Action::RemoveTyped if app.tab == Tab::Cerego => no(
            Level::Warn,
            "Cerego's API has no way to remove a tag, so nothing was sent.".into(),
        ),
        Action::Remove | Action::RemoveTyped if policy_read_only => read_only("removing tags"),
        Action::Remove | Action::RemoveTyped if !configured(Tab::Hive) => no(
            Level::Warn,
            format!("{}: nothing to remove.", app.unavailable(Service::Hive)),
        ),
        Action::Mark if app.focus == Pane::Log => no(
            Level::Info,
            "Marks select rows of the user or patron list (tab to it).".into(),
        ),
        Action::Mark | Action::MarkRange | Action::InvertMarks if !configured(app.tab) => no(
            Level::Warn,
            format!("{}: nothing to mark.", app.unavailable(service(app.tab))),
        ),
        Action::Mark if app.focus == Pane::Tags && (app.tab == Tab::Cerego || policy_read_only) => {
            no(
                Level::Info,
                "Marks in the tags pane select Hive tags for removal; in the list pane they \
                 select rows for a batch."
                    .into(),
            )
        }
        Action::MarkRange | Action::InvertMarks if app.focus != Pane::List => no(
            Level::Info,
            "Ranges and inversion mark rows of the user or patron list (tab to it).".into(),
        ),
        Action::Import if policy_read_only => read_only("importing a batch"),
        Action::Import if !configured(app.tab) => no(
            Level::Warn,
            format!(
                "{}: nothing can be imported.",
                app.unavailable(service(app.tab))
            ),
        ),
        // What acts on a Hive patron's last-confirmed tags waits for the saved ones.
        Action::Add | Action::Remove | Action::RemoveTyped | Action::Import
            if app.tab == Tab::Hive && app.patrons_loading() =>
        {
            no(Level::Info, super::actions::loading_text())
        }
        Action::Open if configured(Tab::Hive) && app.patrons_loading() => {
            no(Level::Info, super::actions::loading_text())
        }
        Action::Undo if policy_read_only => read_only("undoing a change"),
        Action::Undo if app.focus != Pane::Log => no(
            Level::Info,
            "Select an entry or a batch in the action log (tab to it), then undo it.".into(),
        ),
        Action::Lookup if !configured(Tab::Cerego) => no(
            Level::Warn,
            format!("{}: nothing to look up.", app.unavailable(Service::Cerego)),
        ),
        Action::Refresh if !configured(Tab::Cerego) => no(
            Level::Warn,
            format!("{}: nothing to reload.", app.unavailable(Service::Cerego)),
        ),
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
        | Action::MarkRange
        | Action::InvertMarks
        | Action::Import
        | Action::Undo
        | Action::Batches
        | Action::Resume
        | Action::Open
        | Action::Refresh
        | Action::Lookup
        | Action::SwitchProfile
        | Action::Scenarios
        | Action::ResetSim
        | Action::Faults
        | Action::QuickFilter
        | Action::WrapLog
        | Action::TourNext
        | Action::Messages
        | Action::NextEntry
        | Action::PrevEntry
        | Action::Copy
        | Action::Resend
        | Action::Filter
        | Action::Inspect
        | Action::Palette
        | Action::Help
        | Action::Quit
        | Action::ForceQuit
        | Action::Suspend
        | Action::Close
        | Action::Submit
        | Action::Yes
        | Action::No
        | Action::Wait
        | Action::Abandon
        | Action::Pause
        | Action::CancelBatch
        | Action::Header
        | Action::SkipInvalid
        | Action::SetMode
        | Action::Column => Ok(()),
    }
}

/// Whether an action is offered where the operator is (its scope), for the hints.
pub fn in_scope(app: &App, scope: Scope) -> bool {
    match scope {
        Scope::Everywhere => true,
        Scope::Lists => app.focus != Pane::Tags,
        Scope::Tags => app.focus != Pane::Log,
        Scope::Log => app.focus == Pane::Log,
        Scope::HiveOnly => app.tab == Tab::Hive,
        Scope::Demo => app.settings.demo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(text: &str) -> KeyEvent {
        key_event(text).unwrap()
    }

    #[test]
    fn terminal_events_become_actions() {
        let map = Keymap::default();
        assert_eq!(map.action_for(&ev("a")), Some(Action::Add));
        assert_eq!(map.action_for(&ev("ctrl-c")), Some(Action::ForceQuit));
        assert_eq!(map.action_for(&ev("shift-G")), Some(Action::Last));
        assert_eq!(map.action_in(Context::Quit, &ev("w")), Some(Action::Wait));
        assert_eq!(map.label_for(Action::Edit), "e");
        let remove = map
            .entries()
            .iter()
            .find(|e| e.action == Action::Remove)
            .unwrap();
        assert_eq!(remove.keys_label, "d/delete");
    }

    #[test]
    fn every_bound_key_round_trips() {
        let map = Keymap::default();
        for e in map.bound_events() {
            let c = chord(&e).unwrap();
            assert_eq!(chord(&event_of(c).unwrap()), Some(c));
        }
    }

    #[test]
    fn overrides_replace_an_actions_keys() {
        let o = [(
            "add".to_string(),
            vec!["insert".to_string(), "ctrl-A".into()],
        )]
        .into();
        let map = Keymap::with_overrides(&o).unwrap();
        assert_eq!(map.action_for(&ev("insert")), Some(Action::Add));
        assert_eq!(map.action_for(&ev("ctrl-a")), Some(Action::Add));
        assert_eq!(map.action_for(&ev("a")), None, "the default is replaced");
        assert_eq!(map.label_for(Action::Add), "insert");
    }

    #[test]
    fn one_availability_feeds_the_handler_and_the_hints() {
        use crate::tui::app::{App, Message};
        let seed = crate::sim::seed::Seed::demo();
        let mut settings = crate::tui::demo_settings(&seed);
        settings.policy.read_only = true;
        let (mut app, _) = App::new(settings, chrono::Utc::now());
        let no = availability(&app, Action::Add).unwrap_err();
        assert_eq!(no.level, Level::Error);
        assert!(
            no.reason.contains("read-only: adding tags is refused"),
            "{no:?}"
        );
        let hinted = |app: &App| -> Vec<&'static str> {
            crate::tui::view::hints(app)
                .into_iter()
                .map(|(_, h)| h)
                .collect()
        };
        assert!(
            !hinted(&app).contains(&"add"),
            "no hint for what is unavailable"
        );
        // The key says the same reason, and nothing opens.
        app.update(Message::Key(ev("a")));
        assert!(app.popup.is_none());
        assert_eq!(
            app.status.as_ref().map(|s| s.1.as_str()),
            Some(no.reason.as_str())
        );
        // Reads stay available.
        assert!(availability(&app, Action::Refresh).is_ok());
        assert!(availability(&app, Action::Lookup).is_ok());
        // Remove on the Cerego tab explains the API has none, whatever the profile.
        let cerego = availability(&app, Action::Remove).unwrap_err();
        assert!(
            cerego.reason.contains("no way to remove a tag"),
            "{cerego:?}"
        );
    }
}
