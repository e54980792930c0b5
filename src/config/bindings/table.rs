//! The one table of what is fixed about each action: its default keys and how the first is
//! shown, the keys a context adds, and — when the main screen reads it — its help line, where
//! it is offered and the status bar's word for it. [`Action::ALL`], the defaults, the main
//! screen's actions, the help and the hints all read it; its `[keys]` name is the one serde
//! derives from the variant (`Action::name`).
//!
//! The command palette lists the main screen's actions by their title (a short verb phrase;
//! the help line unless the row gives one), and `[keys]` refuses a printable key for the
//! actions that take a form out of its field (`exits_forms`).
//!
//! What is not a column: which popup reads which of its own actions, in which order of
//! precedence (`Context::actions` lists that per context), and whether a key types text in a
//! form or a filter line (that is a property of the key, `Chord::is_text`, whatever the
//! action).

use super::{Action, Context};

/// Where the main screen offers an action (for the hints and the help's grouping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Lists,
    Tags,
    Log,
    HiveOnly,
    /// Demo mode (the playground).
    Demo,
}

/// How the main screen presents an action it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnMain {
    /// The help's line.
    pub help: &'static str,
    /// The command palette's title: a short verb phrase (the help line unless given).
    pub title: &'static str,
    pub scope: Scope,
    /// The status bar's word for it, when the status bar hints it.
    pub hint: Option<&'static str>,
}

/// One action's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub action: Action,
    /// The default keys, written as `[keys]` writes them (`[keys]` replaces them).
    pub keys: &'static [&'static str],
    /// How the first default key is shown in hints and help.
    pub label: &'static str,
    /// Keys one context adds to the action's own (`[keys]` does not replace them).
    pub context_keys: &'static [(Context, &'static str)],
    /// `Some` when the main screen reads the action; `None` for the popups' own actions
    /// (each popup shows its own).
    pub main: Option<OnMain>,
    /// `Some(example)` when the action takes a form out of its field: `[keys]` refuses a
    /// key for it that the field would type, suggesting `example`.
    pub exits_forms: Option<&'static str>,
}

/// A row with the action's default keys and the label of the first; read by popups only
/// until [`Spec::main`] says how the main screen presents it.
const fn keys(action: Action, keys: &'static [&'static str], label: &'static str) -> Spec {
    Spec {
        action,
        keys,
        label,
        context_keys: &[],
        main: None,
        exits_forms: None,
    }
}

impl Spec {
    /// The main screen reads the action: its help line and where it is offered.
    const fn main(self, help: &'static str, scope: Scope) -> Spec {
        Spec {
            main: Some(OnMain {
                help,
                title: help,
                scope,
                hint: None,
            }),
            ..self
        }
    }

    /// The command palette's title, when the help line is not one.
    const fn title(self, title: &'static str) -> Spec {
        let Some(main) = self.main else {
            panic!("only an action the main screen reads has a title");
        };
        Spec {
            main: Some(OnMain { title, ..main }),
            ..self
        }
    }

    /// The action takes a form out of its field: it needs a key the field does not type.
    const fn exits_forms(self, example: &'static str) -> Spec {
        Spec {
            exits_forms: Some(example),
            ..self
        }
    }

    /// The status bar hints the action with `word` (only an action the main screen reads).
    const fn hint(self, word: &'static str) -> Spec {
        let Some(main) = self.main else {
            panic!("only an action the main screen reads is hinted");
        };
        Spec {
            main: Some(OnMain {
                hint: Some(word),
                ..main
            }),
            ..self
        }
    }

    /// Keys one context adds to the action's own.
    const fn in_context(self, context_keys: &'static [(Context, &'static str)]) -> Spec {
        Spec {
            context_keys,
            ..self
        }
    }
}

use Scope::*;

/// Every action once, in the order the help lists them (what each is: [`Action`]'s
/// docs). The order is also the main screen's order of precedence (the error for a key
/// overridden onto two actions names the earlier first). A row without `main` is a popup's
/// own action: `Context::actions` says which popups read it.
pub const TABLE: &[Spec] = &[
    keys(Action::Add, &["a"], "a")
        .main(
            "add tags (Hive: api_fields; Cerego: a tag of a type)",
            Everywhere,
        )
        .title("add tags")
        .hint("add"),
    keys(Action::Edit, &["e"], "e")
        .main(
            "edit a Cerego tag's value (the chosen one; asks which among several)",
            Tags,
        )
        .title("edit a Cerego tag's value")
        .hint("edit"),
    keys(Action::Remove, &["d", "delete"], "d")
        .main("remove the selected or marked Hive tags (asks first)", Tags)
        .title("remove the selected or marked Hive tags")
        .hint("remove"),
    keys(Action::RemoveTyped, &["D"], "D")
        .main(
            "remove Hive api_fields by typing them (also ones not shown)",
            HiveOnly,
        )
        .title("remove Hive api_fields by typing them"),
    keys(Action::Mark, &["space"], "space")
        .main(
            "mark a row for a batch (Hive tags pane: a tag to remove)",
            Everywhere,
        )
        .title("mark the row (or the Hive tag)"),
    keys(Action::MarkRange, &["v"], "v")
        .main("mark a range: press at one end, move, press again", Lists)
        .title("mark a range of rows"),
    keys(Action::InvertMarks, &["*"], "*").main("invert the marks of the rows shown", Lists),
    keys(Action::Import, &["I"], "I")
        .main("import a CSV file as a batch (preview first)", Everywhere)
        .title("import a CSV file as a batch"),
    keys(Action::Undo, &["u"], "u")
        .main("undo the selected log entry or batch (preview first)", Log)
        .title("undo the selected log entry or batch")
        .hint("undo"),
    keys(Action::Batches, &["B"], "B")
        .main(
            "batches: this profile's, newest first (open, resume, undo)",
            Everywhere,
        )
        .title("batches: open, resume or undo one"),
    keys(Action::Resume, &["R"], "R"),
    keys(Action::Pause, &["p"], "p"),
    keys(Action::CancelBatch, &["c"], "c"),
    keys(Action::Header, &["h"], "h"),
    keys(Action::Column, &["c"], "c"),
    keys(Action::SkipInvalid, &["i"], "i"),
    keys(Action::SetMode, &["s"], "s"),
    keys(Action::Scenarios, &["S"], "S")
        .main("scenarios: set up and send any documented outcome", Demo)
        .title("play a documented outcome (the playground)")
        .hint("playground"),
    keys(Action::ResetSim, &["ctrl-r"], "C-r")
        .main("simulator: reset to its seed (asks first)", Everywhere)
        .title("reset the simulator to its seed"),
    keys(Action::Faults, &["F"], "F")
        .main("simulator: add or clear faults", Everywhere)
        .title("add or clear the simulator's faults"),
    keys(Action::QuickFilter, &["m"], "m")
        .main(
            "action log: changes only → failures → MISMATCH → this target → all",
            Log,
        )
        .title("action log: the next quick filter")
        .hint("view"),
    keys(Action::WrapLog, &["w"], "w")
        .main(
            "action log: wrap each entry whole (messages and per-tag marks) or one line each",
            Log,
        )
        .title("action log: wrap whole entries or one line each"),
    keys(Action::TourNext, &["n"], "n")
        .main(
            "tour stepped by hand (tagdesk demo --manual): the next step",
            Everywhere,
        )
        .title("play the tour's next step"),
    keys(Action::Messages, &["H"], "H")
        .main(
            "message history: the last status messages, whole (newest first)",
            Everywhere,
        )
        .title("show the message history"),
    keys(Action::NextEntry, &["n"], "n"),
    keys(Action::PrevEntry, &["p"], "p"),
    keys(Action::Copy, &["y"], "y"),
    keys(Action::Resend, &["r"], "r"),
    keys(Action::Open, &["o"], "o")
        .main("open a Hive patron by typing its id", HiveOnly)
        .title("open a Hive patron by its id")
        .hint("open patron"),
    keys(Action::Filter, &["/"], "/")
        .main(
            "filter the list or the action log (fuzzy); Esc clears",
            Lists,
        )
        .title("filter the list or the action log")
        .hint("filter"),
    keys(Action::Inspect, &["enter"], "enter")
        .main(
            "inspect the selected log entry (request, response, outcome)",
            Log,
        )
        .title("inspect the selected log entry")
        .hint("inspect"),
    keys(Action::Refresh, &["r"], "r").main("reload the Cerego user list", Everywhere),
    keys(Action::Lookup, &["f"], "f")
        .main("look up a Cerego user by email or member id", Everywhere)
        .title("look up a Cerego user"),
    keys(Action::SwitchProfile, &["P"], "P").main("switch profile", Everywhere),
    keys(Action::NextPane, &["tab"], "tab")
        .main("next pane", Everywhere)
        .hint("pane")
        // The help's pages turn with the arrows too.
        .in_context(&[(Context::Help, "right")]),
    keys(Action::PrevPane, &["backtab"], "S-tab")
        .main("previous pane", Everywhere)
        .in_context(&[(Context::Help, "left")]),
    keys(Action::TabCerego, &["1"], "1")
        .main("Cerego users", Everywhere)
        .title("show the Cerego users"),
    keys(Action::TabHive, &["2"], "2")
        .main("Hive patrons", Everywhere)
        .title("show the Hive patrons"),
    // A form and the palette also take ctrl-p / ctrl-n for ↑ / ↓, as readline does.
    keys(Action::Up, &["up", "k"], "↑/k")
        .main("move up", Everywhere)
        .in_context(&[(Context::Form, "ctrl-p"), (Context::Palette, "ctrl-p")]),
    keys(Action::Down, &["down", "j"], "↓/j")
        .main("move down", Everywhere)
        .in_context(&[(Context::Form, "ctrl-n"), (Context::Palette, "ctrl-n")]),
    keys(Action::PageUp, &["pgup", "ctrl-u"], "PgUp").main("page up", Everywhere),
    keys(Action::PageDown, &["pgdn", "ctrl-d"], "PgDn").main("page down", Everywhere),
    keys(Action::First, &["home", "g"], "g").main("first item", Everywhere),
    keys(Action::Last, &["end", "G"], "G").main("last item", Everywhere),
    keys(Action::Palette, &[":", "ctrl-p"], ":")
        .main(
            "command palette: every action, filtered as you type; Enter runs it",
            Everywhere,
        )
        .title("the command palette")
        .hint("commands"),
    keys(Action::Help, &["?"], "?")
        .main("this help", Everywhere)
        .title("show the help")
        .hint("help"),
    keys(Action::Close, &["esc"], "esc")
        .main("close a popup, clear the filter or the marks", Everywhere)
        .exits_forms("e.g. esc or ctrl-g"),
    keys(Action::Quit, &["q"], "q")
        .main("quit (asks first while requests are in flight)", Everywhere)
        .hint("quit"),
    keys(Action::ForceQuit, &["ctrl-c"], "C-c")
        .main(
            "quit now (requests in flight are journaled as abandoned)",
            Everywhere,
        )
        .title("quit now"),
    keys(Action::Suspend, &["ctrl-z"], "C-z")
        .main("suspend to the shell (fg resumes)", Everywhere)
        .title("suspend to the shell"),
    keys(Action::Submit, &["enter"], "enter").exits_forms("e.g. enter or ctrl-s"),
    keys(Action::Yes, &["y", "Y", "enter"], "y"),
    keys(Action::No, &["n", "N"], "n"),
    keys(Action::Wait, &["w", "W", "enter"], "w"),
    keys(Action::Abandon, &["a", "A", "y"], "a"),
];

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::Chord;
    use super::super::action::variant_names;
    use super::*;

    /// The action's name as serde writes it (independent of `Action::name`).
    fn serde_name(action: Action) -> String {
        match serde_json::to_value(action).unwrap() {
            serde_json::Value::String(name) => name,
            other => panic!("{action:?} is written as {other}"),
        }
    }

    #[test]
    fn every_action_has_exactly_one_row() {
        // Serde's derive lists every variant, so a variant added without a row, or a row
        // written twice, fails here.
        let variants = variant_names();
        let rows: Vec<String> = TABLE.iter().map(|s| serde_name(s.action)).collect();
        for variant in variants {
            let n = rows.iter().filter(|r| r == variant).count();
            assert_eq!(n, 1, "the action {variant} has {n} rows in the table");
        }
        assert_eq!(rows.len(), variants.len());
        assert_eq!(Action::ALL.len(), TABLE.len());
    }

    #[test]
    fn an_actions_name_is_the_one_serde_reads_and_writes() {
        for action in Action::ALL {
            let name = action.name();
            assert_eq!(serde_name(action), name, "{action:?}");
            let read: Action = serde_json::from_value(serde_json::json!(name)).unwrap();
            assert_eq!(read, action);
            assert_eq!(action.spec().action, action);
        }
        assert_eq!(Action::PageUp.name(), "page_up");
    }

    #[test]
    fn every_default_key_and_context_key_is_readable() {
        for spec in TABLE {
            assert!(
                !spec.keys.is_empty(),
                "{:?} has no default key",
                spec.action
            );
            let texts = spec
                .keys
                .iter()
                .chain(spec.context_keys.iter().map(|(_, k)| k));
            for text in texts {
                assert!(Chord::parse(text).is_ok(), "{:?}: {text}", spec.action);
            }
        }
    }

    #[test]
    fn every_main_action_has_a_distinct_short_title() {
        // The palette lists the titles one a row, and filters on them.
        let titles: Vec<&str> = TABLE.iter().filter_map(|s| Some(s.main?.title)).collect();
        for title in &titles {
            assert!(
                !title.is_empty() && title.chars().count() <= 60 && !title.ends_with('.'),
                "{title:?}"
            );
            let n = titles.iter().filter(|t| *t == title).count();
            assert_eq!(n, 1, "the title {title:?} is given {n} times");
        }
        // Forms read submit and close: both must keep a key the field does not type.
        let exits: Vec<Action> = TABLE
            .iter()
            .filter(|s| s.exits_forms.is_some())
            .map(|s| s.action)
            .collect();
        assert_eq!(exits, [Action::Close, Action::Submit]);
    }

    /// The page that lists the `[keys]` actions, between the two markers.
    const KEYS_DOC: &str = "docs/src/console.md";
    const BEGIN: &str = "<!-- keys:actions -->";
    const END: &str = "<!-- /keys:actions -->";

    /// The action names of `text` (the words of its code spans outside parentheses), each
    /// with the keys in code spans of the parentheses that follow it (`yes` (`y Y enter`)).
    fn code_words(text: &str) -> Vec<(String, Vec<String>)> {
        let mut names: Vec<(String, Vec<String>)> = Vec::new();
        let mut depth = 0usize;
        for (i, part) in text.split('`').enumerate() {
            if i % 2 == 0 {
                for c in part.chars() {
                    match c {
                        '(' => depth += 1,
                        ')' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                }
                continue;
            }
            let words = part.split_whitespace().map(str::to_string);
            match names.last_mut() {
                Some((_, keys)) if depth > 0 => keys.extend(words),
                _ => names.extend(words.map(|w| (w, Vec::new()))),
            }
        }
        names
    }

    #[test]
    fn code_words_tells_names_from_keys() {
        let words = code_words("A: `a b\nc`, and `d` (e, f; `x y`) and `g` (`z`).");
        let s = |w: &[&str]| w.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        let expected = [
            ("a", s(&[])),
            ("b", s(&[])),
            ("c", s(&[])),
            ("d", s(&["x", "y"])),
            ("g", s(&["z"])),
        ]
        .map(|(n, k)| (n.to_string(), k));
        assert_eq!(words, expected);
    }

    #[test]
    fn the_docs_name_every_action_as_the_table_does() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(KEYS_DOC);
        let text = std::fs::read_to_string(&path).expect("read the docs of [keys]");
        assert_eq!(text.matches(BEGIN).count(), 1, "one {BEGIN} in {KEYS_DOC}");
        assert_eq!(text.matches(END).count(), 1, "one {END} in {KEYS_DOC}");
        let list = &text[text.find(BEGIN).unwrap() + BEGIN.len()..text.find(END).unwrap()];
        let listed = code_words(list);
        for spec in TABLE {
            let name = spec.action.name();
            assert!(
                listed.iter().any(|(n, _)| n == name),
                "{KEYS_DOC} does not list the action `{name}`"
            );
        }
        for (name, keys) in &listed {
            let Some(spec) = TABLE.iter().find(|s| s.action.name() == name) else {
                panic!("{KEYS_DOC} lists `{name}`, which is no action");
            };
            // The keys it gives an action are the action's default keys.
            assert!(
                keys.is_empty() || keys == spec.keys,
                "{KEYS_DOC} gives `{name}` the keys {keys:?}, the table {:?}",
                spec.keys
            );
        }
    }
}
