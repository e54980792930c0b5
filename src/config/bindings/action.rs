//! What a key can ask for ([`Action`], named as in `[keys]`) and where ([`Context`]): which
//! actions each context reads, and the default keys.

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
    /// Marks a range of the list: from where it was pressed to where it is pressed again.
    MarkRange,
    /// Inverts the marks of the rows the list shows.
    InvertMarks,
    /// Imports a CSV file as a batch.
    Import,
    /// Undoes the selected log entry or batch (a preview first).
    Undo,
    /// A running batch: pause or go on.
    Pause,
    /// A running batch: stop sending (what is in flight finishes).
    CancelBatch,
    /// An import's preview: whether the first row is a header.
    Header,
    /// An import's preview: which column holds the users.
    Column,
    /// The playground's scenario picker.
    Scenarios,
    /// The simulator: back to its seed (asks first).
    ResetSim,
    /// The simulator: add or clear fault rules.
    Faults,
    /// The action log: the next quick filter.
    QuickFilter,
    /// A tour stepped by hand: play the next step.
    TourNext,
    /// The inspector: the next / previous log entry.
    NextEntry,
    PrevEntry,
    /// The inspector: copy the command, a curl line, the response or the id.
    Copy,
    /// The inspector: send the entry's Op again (through the gate, as a new entry).
    Resend,
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
    pub const ALL: [Action; 48] = [
        Action::Add,
        Action::Edit,
        Action::Remove,
        Action::RemoveTyped,
        Action::Mark,
        Action::MarkRange,
        Action::InvertMarks,
        Action::Import,
        Action::Undo,
        Action::Pause,
        Action::CancelBatch,
        Action::Header,
        Action::Column,
        Action::Scenarios,
        Action::ResetSim,
        Action::Faults,
        Action::QuickFilter,
        Action::TourNext,
        Action::NextEntry,
        Action::PrevEntry,
        Action::Copy,
        Action::Resend,
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
            Action::MarkRange => "mark_range",
            Action::InvertMarks => "invert_marks",
            Action::Import => "import",
            Action::Undo => "undo",
            Action::Pause => "pause",
            Action::CancelBatch => "cancel_batch",
            Action::Header => "header",
            Action::Column => "column",
            Action::Scenarios => "scenarios",
            Action::ResetSim => "reset_sim",
            Action::Faults => "faults",
            Action::QuickFilter => "quick_filter",
            Action::TourNext => "tour_next",
            Action::NextEntry => "next_entry",
            Action::PrevEntry => "prev_entry",
            Action::Copy => "copy",
            Action::Resend => "resend",
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
    pub(super) fn defaults(self) -> (&'static [&'static str], &'static str) {
        match self {
            Action::Add => (&["a"], "a"),
            Action::Edit => (&["e"], "e"),
            Action::Remove => (&["d", "delete"], "d"),
            Action::RemoveTyped => (&["D"], "D"),
            Action::Mark => (&["space"], "space"),
            Action::MarkRange => (&["v"], "v"),
            Action::InvertMarks => (&["*"], "*"),
            Action::Import => (&["I"], "I"),
            Action::Undo => (&["u"], "u"),
            Action::Pause => (&["p"], "p"),
            Action::CancelBatch => (&["c"], "c"),
            Action::Header => (&["h"], "h"),
            Action::Column => (&["c"], "c"),
            Action::Scenarios => (&["S"], "S"),
            Action::ResetSim => (&["ctrl-r"], "C-r"),
            Action::Faults => (&["F"], "F"),
            Action::QuickFilter => (&["m"], "m"),
            Action::TourNext => (&["n"], "n"),
            Action::NextEntry => (&["n"], "n"),
            Action::PrevEntry => (&["p"], "p"),
            Action::Copy => (&["y"], "y"),
            Action::Resend => (&["r"], "r"),
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
    /// A batch's preview (marked rows, an import, an undo, a resume).
    Preview,
    /// A running or finished batch.
    Batch,
    /// The playground's scenario picker.
    Scenarios,
    /// A short menu (the simulator's faults, what to copy).
    Menu,
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
    pub const ALL: [Context; 12] = [
        Context::Main,
        Context::Filter,
        Context::Form,
        Context::Confirm,
        Context::Help,
        Context::Inspector,
        Context::Quit,
        Context::Profiles,
        Context::Preview,
        Context::Batch,
        Context::Scenarios,
        Context::Menu,
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
            Context::Help => [
                Action::Close,
                Action::Quit,
                Action::Help,
                Action::Inspect,
                Action::NextPane,
                Action::PrevPane,
            ]
            .into_iter()
            .chain(NAVIGATION)
            .chain([Action::ForceQuit])
            .collect(),
            Context::Inspector => [
                Action::Close,
                Action::Quit,
                Action::Inspect,
                Action::NextEntry,
                Action::PrevEntry,
                Action::Copy,
                Action::Resend,
            ]
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
            Context::Profiles | Context::Scenarios | Context::Menu => {
                [Action::Submit, Action::Close, Action::Quit]
                    .into_iter()
                    .chain(NAVIGATION)
                    .chain([Action::ForceQuit])
                    .collect()
            }
            Context::Preview => [
                Action::Submit,
                Action::Close,
                Action::Header,
                Action::Column,
                Action::Remove,
            ]
            .into_iter()
            .chain(NAVIGATION)
            .chain([Action::ForceQuit])
            .collect(),
            Context::Batch => [
                Action::Pause,
                Action::CancelBatch,
                Action::Inspect,
                Action::Undo,
                Action::Close,
                Action::Quit,
            ]
            .into_iter()
            .chain(NAVIGATION)
            .chain([Action::ForceQuit])
            .collect(),
        }
    }

    /// Whether the main screen reads `action` (the popups' own actions it does not).
    fn reads(self, action: Action) -> bool {
        match action {
            Action::Submit
            | Action::Yes
            | Action::No
            | Action::Wait
            | Action::Abandon
            | Action::Pause
            | Action::CancelBatch
            | Action::Header
            | Action::Column
            | Action::NextEntry
            | Action::PrevEntry
            | Action::Copy
            | Action::Resend => false,
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
            | Action::Scenarios
            | Action::ResetSim
            | Action::Faults
            | Action::QuickFilter
            | Action::TourNext
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
    pub(super) fn aliases(self) -> &'static [(Action, &'static str)] {
        match self {
            Context::Form => &[(Action::Up, "ctrl-p"), (Action::Down, "ctrl-n")],
            // The help's pages turn with the arrows too.
            Context::Help => &[(Action::NextPane, "right"), (Action::PrevPane, "left")],
            Context::Main
            | Context::Filter
            | Context::Confirm
            | Context::Inspector
            | Context::Quit
            | Context::Profiles
            | Context::Preview
            | Context::Batch
            | Context::Scenarios
            | Context::Menu => &[],
        }
    }

    /// A text field has the keyboard: keys that type a character are text.
    pub fn is_text(self) -> bool {
        matches!(self, Context::Filter | Context::Form)
    }

    /// How the context is named in an error message.
    pub(super) fn name(self) -> &'static str {
        match self {
            Context::Main => "the main screen",
            Context::Filter => "a filter",
            Context::Form => "forms",
            Context::Confirm => "confirmations",
            Context::Help => "the help",
            Context::Inspector => "the inspector",
            Context::Quit => "the quit dialog",
            Context::Profiles => "the profile picker",
            Context::Preview => "a batch preview",
            Context::Batch => "the batch window",
            Context::Scenarios => "the scenario picker",
            Context::Menu => "menus",
        }
    }
}
