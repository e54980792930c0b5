//! What a key can ask for ([`Action`], named as in `[keys]`) and where ([`Context`]): which
//! actions each context reads. What is fixed about each action is in one table
//! ([`TABLE`](super::TABLE)).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::table::{Spec, TABLE};

/// Everything a key can ask for. Which ones a key can reach depends on the [`Context`].
/// Its `[keys]` name is the one serde gives it (`PageUp` is `page_up`); every variant has
/// one row in [`TABLE`](super::TABLE) (a test checks it against serde's list of variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// Edit a Cerego tag's value; in the inspector, edit a Hive add or remove before it is
    /// sent again.
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
    /// The batches view: the profile's batches, this run's and earlier runs'.
    Batches,
    /// The batches view: resume an interrupted batch (a preview first).
    Resume,
    /// A running batch: pause or go on.
    Pause,
    /// A running batch: stop sending (what is in flight finishes).
    CancelBatch,
    /// An import's preview: whether the first row is a header.
    Header,
    /// An import's preview: which column holds the users.
    Column,
    /// A batch's preview: leave the invalid rows out (send the others), or take them back.
    SkipInvalid,
    /// A Hive import's preview: set each patron's tags to exactly the row's list (scope: the
    /// catalogue), or add them.
    SetMode,
    /// The playground's scenario picker.
    Scenarios,
    /// The simulator: back to its seed (asks first).
    ResetSim,
    /// The simulator: add or clear fault rules.
    Faults,
    /// The action log: the next quick filter.
    QuickFilter,
    /// The action log: each entry whole, wrapped over several lines, or one line each.
    WrapLog,
    /// A tour stepped by hand: play the next step.
    TourNext,
    /// The message history: the status line's last messages, whole.
    Messages,
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
    /// The command palette: every action of the main screen, filtered as you type.
    Palette,
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
    /// Every action, in the order the help lists them (the table's order).
    pub const ALL: [Action; TABLE.len()] = {
        let mut all = [Action::Up; TABLE.len()];
        let mut i = 0;
        while i < all.len() {
            all[i] = TABLE[i].action;
            i += 1;
        }
        all
    };

    /// The action's name in the `[keys]` table: serde's name of the variant.
    pub fn name(self) -> &'static str {
        // Serde lists the variants in the order they are declared, as `as usize` numbers
        // them (a test checks every name against serde's serialization).
        variant_names()[self as usize]
    }

    /// The action's row in the table.
    pub fn spec(self) -> &'static Spec {
        TABLE
            .iter()
            .find(|s| s.action == self)
            .expect("every action has a row in the table (tested)")
    }
}

/// The `[keys]` names of [`Action`]'s variants in the order they are declared, as serde's
/// derived `Deserialize` knows them, read once: serde hands them to the deserializer when
/// it asks for an enum, and this deserializer keeps them and reads nothing.
pub(super) fn variant_names() -> &'static [&'static str] {
    use serde::de::{Error, Visitor, value};

    struct Names(Option<&'static [&'static str]>);

    impl<'de> serde::Deserializer<'de> for &mut Names {
        type Error = value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, value::Error> {
            Err(value::Error::custom(
                "only an enum's variant names are read",
            ))
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            _name: &'static str,
            variants: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, value::Error> {
            self.0 = Some(variants);
            Err(value::Error::custom("the names are read"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map struct
            identifier ignored_any
        }
    }

    static NAMES: OnceLock<&'static [&'static str]> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = Names(None);
        let _ = Action::deserialize(&mut names);
        names
            .0
            .expect("serde's derived Deserialize names an enum's variants")
    })
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
    /// The batches view: the profile's batches.
    Batches,
    /// The playground's scenario picker.
    Scenarios,
    /// A short menu (the simulator's faults, what to copy, which tag to edit).
    Menu,
    /// The command palette (typing filters it).
    Palette,
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
    pub const ALL: [Context; 14] = [
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
        Context::Batches,
        Context::Scenarios,
        Context::Menu,
        Context::Palette,
    ];

    /// The actions this context reads, in order of precedence.
    pub fn actions(self) -> Vec<Action> {
        match self {
            // The main screen reads the actions the table says it does, in its order.
            Context::Main => TABLE
                .iter()
                .filter(|s| s.main.is_some())
                .map(|s| s.action)
                .collect(),
            Context::Filter => vec![
                Action::Close,
                Action::Submit,
                Action::Down,
                Action::NextPane,
                Action::ForceQuit,
            ],
            Context::Palette => vec![
                Action::Submit,
                Action::Close,
                Action::Up,
                Action::Down,
                Action::PageUp,
                Action::PageDown,
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
                Action::Edit,
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
                Action::SkipInvalid,
                Action::SetMode,
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
            Context::Batches => [
                Action::Submit,
                Action::Resume,
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

    /// A text field has the keyboard: keys that type a character are text.
    pub fn is_text(self) -> bool {
        matches!(self, Context::Filter | Context::Form | Context::Palette)
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
            Context::Batches => "the batches view",
            Context::Scenarios => "the scenario picker",
            Context::Menu => "menus",
            Context::Palette => "the command palette",
        }
    }
}
