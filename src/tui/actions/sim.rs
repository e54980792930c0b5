//! The simulator from the console (demo mode, or a profile pointed at `tagdesk sim`):
//! `ctrl-r` resets it to its seed — and the console's view with it, so no pane shows what
//! the simulator no longer holds — and `F` adds or clears fault rules, shown in the header.

use crate::core::model::KnownState;
use crate::tui::app::{App, Effect, Level, Load, SimCommand};
use crate::tui::popups::{Confirm, Faults, OnYes, Popup};

/// The fault rules the faults menu offers: (rule, what it does). They cover the four kinds
/// of the control API: an error status with Retry-After, latency, a malformed body, a
/// dropped connection.
pub const FAULT_PRESETS: [(&str, &str); 8] = [
    (
        "hive:503=2*1",
        "Hive answers 503 once, Retry-After 2 s (the log shows the retry)",
    ),
    (
        "hive:429=1*3",
        "Hive answers 429 three times, Retry-After 1 s",
    ),
    ("cerego:503=2*1", "Cerego answers 503 once, Retry-After 2 s"),
    ("all:latency=800", "every answer comes 800 ms late"),
    (
        "hive:malformed*1",
        "Hive's next answer is a truncated JSON body",
    ),
    (
        "cerego:malformed*1",
        "Cerego's next answer is a truncated JSON body",
    ),
    (
        "hive:drop*1",
        "Hive drops the next connection without answering",
    ),
    (
        "cerego:drop*1",
        "Cerego drops the next connection without answering",
    ),
];

impl App {
    pub(in crate::tui) fn ask_reset_sim(&mut self) {
        if self.unfinished() > 0 {
            self.set_status(
                Level::Warn,
                "Requests are in flight: wait for them before resetting the simulator.",
            );
            return;
        }
        let what = match &self.settings.simulator {
            Some(address) => format!("the demo simulator at {address}"),
            None => "this profile's simulator (a `tagdesk sim` on this machine)".to_string(),
        };
        self.open(Popup::Confirm(Confirm {
            title: " Reset the simulator? ".into(),
            lines: vec![
                format!("Puts {what} back to its seed:"),
                "its users, tags and patrons, no faults, request counts cleared.".into(),
                "The console forgets what it knew and reloads; the action log stays.".into(),
            ],
            yes: "reset".into(),
            on_yes: OnYes::ResetSim,
        }));
    }

    pub(in crate::tui) fn faults_menu(&mut self) {
        self.open(Popup::Faults(Faults::default()));
    }

    /// The simulator answered a command: show its fault rules, and after a reset start the
    /// console's view again from what the simulator now holds.
    pub(in crate::tui) fn sim_answered(
        &mut self,
        command: SimCommand,
        result: Result<Vec<String>, String>,
    ) -> Vec<Effect> {
        let faults = match result {
            Ok(faults) => faults,
            Err(e) => {
                if command != SimCommand::ReadFaults {
                    self.set_status(Level::Error, format!("The simulator did not do it: {e}"));
                }
                if matches!(command, SimCommand::AddFault(_)) {
                    return self.tour_fault_added(false);
                }
                return Vec::new();
            }
        };
        self.play.faults = faults;
        match command {
            SimCommand::Reset => {
                let effects = self.reset_view();
                self.set_status(
                    Level::Info,
                    "Simulator reset to its seed; the console's view starts again from it.",
                );
                effects
            }
            SimCommand::AddFault(rule) => {
                self.set_status(
                    Level::Info,
                    format!(
                        "Fault added: {rule}. Active: {}.",
                        self.play.faults.join(" · ")
                    ),
                );
                self.tour_fault_added(true)
            }
            SimCommand::ClearFaults => {
                self.set_status(Level::Info, "Every fault cleared.");
                Vec::new()
            }
            SimCommand::ReadFaults => Vec::new(),
        }
    }

    /// At start on a profile pointed at `tagdesk sim`: read the faults it already has (a
    /// `--fault` it was started with, rules added through its control API), so the header
    /// and `F` show them from the first requests on.
    pub(in crate::tui) fn start_faults(&self) -> Option<Effect> {
        self.settings
            .local_sim
            .then_some(Effect::Sim(SimCommand::ReadFaults))
    }

    /// After a reply, while faults are shown: read them again (a rule with a count retires
    /// once it has fired), so the header never shows a fault that is gone.
    pub(in crate::tui) fn refresh_faults(&self) -> Option<Effect> {
        (!self.play.faults.is_empty()).then_some(Effect::Sim(SimCommand::ReadFaults))
    }

    /// What the console knew is what the simulator held before the reset: start again from
    /// the seed's patrons (demo mode; none on another profile) and reload the user list.
    fn reset_view(&mut self) -> Vec<Effect> {
        let patrons = if self.settings.demo {
            self.settings.patrons.clone()
        } else {
            Vec::new()
        };
        self.known = KnownState::with_patrons(patrons);
        self.hive.marked.clear();
        self.hive.marks.clear();
        self.cerego.marks.clear();
        self.hive.tag_selected = 0;
        self.cerego.tag_selected = 0;
        self.reset_lists();
        self.refilter_hive();
        let mut effects = Vec::new();
        if let Some(c) = &self.settings.cerego {
            self.known.cerego.begin_listing();
            self.cerego.load = Load::Loading;
            self.cerego.progress = None;
            let op = c.listing(None);
            self.refilter_cerego();
            effects.push(self.log_and_send(op));
        }
        effects.extend(self.save_whole_effect());
        effects
    }
}
