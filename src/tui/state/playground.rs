//! What the console remembers of the playground (`S`): the picker's position, the play
//! whose simulator setup is under way, and the scenarios played since the console started.

use std::collections::BTreeSet;

#[derive(Debug, Clone, Default)]
pub struct PlayState {
    /// Where the picker was left (it opens there again).
    pub last_selected: usize,
    /// The play whose setup the simulator is carrying out.
    pub setting_up: Option<crate::core::playground::Play>,
    /// The keys of the plays sent since the console started.
    pub played: BTreeSet<String>,
    /// The simulator's active fault rules, as last read (shown in the header).
    pub faults: Vec<String>,
    /// The tour, while one runs (and after, until another starts: its banner stays).
    pub tour: Option<TourState>,
    /// Who the last play acts on, and its tags before it (the Tags pane's before → after).
    pub subject: Option<Subject>,
}

/// The patron or user a play acts on, as the console selected it when the play was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The tab it is on: Hive (a patron) or Cerego (a user).
    pub tab: crate::tui::app::Tab,
    /// The patron id or the Cerego user id.
    pub id: String,
    /// The Cerego tag type the play acts on, when it names one (the line shows only it).
    pub tag_type: Option<String>,
    /// Its tags before the request (`None`: Hive does not know the patron).
    pub before: Option<Vec<String>>,
    /// The request, and the journal id it was sent with (`None`: not sent yet, e.g. while
    /// the gate asks).
    pub op: crate::core::op::Op,
    pub key: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// A tour running in the console (`tagdesk demo`, or "play all" in the picker).
#[derive(Debug, Clone)]
pub struct TourState {
    pub steps: Vec<crate::core::playground::tour::TourStep>,
    pub step_ms: u64,
    pub manual: bool,
    /// The step being played, or the next one (counting from 0).
    pub at: usize,
    pub phase: TourPhase,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TourPhase {
    /// Waiting for the pause to end (or, manual, for the key) before step `at`.
    Ready {
        since: chrono::DateTime<chrono::Utc>,
    },
    /// The step's fault rule is being added.
    Fault,
    /// The simulator is being set up for the step.
    SettingUp,
    /// The step's request (this journal id) is waiting for its answer.
    Waiting { key: String },
    /// Every step was played.
    Done,
    /// The operator stopped it.
    Stopped,
}

impl TourState {
    pub fn is_running(&self) -> bool {
        !matches!(self.phase, TourPhase::Done | TourPhase::Stopped)
    }

    /// The caption on screen: the step being played, or the one played last.
    pub fn caption(&self) -> Option<&str> {
        let shown = match self.phase {
            TourPhase::Ready { .. } if self.at > 0 => self.at - 1,
            TourPhase::Done | TourPhase::Stopped => self.at.saturating_sub(1),
            _ => self.at,
        };
        self.steps.get(shown).map(|s| s.caption.as_str())
    }
}
