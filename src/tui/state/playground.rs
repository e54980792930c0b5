//! What the console remembers of the playground (`S`): the picker's position, the play
//! whose simulator setup is under way, and the scenarios played since the console started.

use std::collections::BTreeSet;

#[derive(Debug, Clone, Default)]
pub struct PlayState {
    /// Where the picker was left (it opens there again).
    pub last_selected: usize,
    /// The title of the play whose setup the simulator is carrying out.
    pub setting_up: Option<String>,
    /// The keys of the plays sent since the console started.
    pub played: BTreeSet<String>,
    /// The simulator's active fault rules, as last read (shown in the header).
    pub faults: Vec<String>,
}
