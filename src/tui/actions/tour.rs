//! A tour: the plays of a [`Tour`] one after another, each with its caption in a banner and
//! a pause (or a key) between them, so a presenter can narrate. A step's fault rule is added
//! first, then the simulator is set up, then the request goes through the normal path; the
//! next step waits for its answer. At the end the console stays on the result.

use crate::core::playground::tour::Tour;
use crate::tui::app::{App, Effect, Level, SimCommand};
use crate::tui::state::playground::{TourPhase, TourState};

impl App {
    /// Starts a tour (the first step at the next tick).
    pub fn start_tour(&mut self, tour: Tour) {
        if tour.steps.is_empty() {
            return;
        }
        let since = self.now - chrono::Duration::milliseconds(tour.step_ms as i64);
        self.play.tour = Some(TourState {
            steps: tour.steps,
            step_ms: tour.step_ms,
            manual: tour.manual,
            at: 0,
            phase: TourPhase::Ready { since },
        });
    }

    pub(in crate::tui) fn tour_running(&self) -> bool {
        self.play.tour.as_ref().is_some_and(TourState::is_running)
    }

    /// `Esc` while a tour runs: stop after what is in flight.
    pub(in crate::tui) fn stop_tour(&mut self) {
        if let Some(tour) = &mut self.play.tour {
            let at = tour.at + 1;
            let of = tour.steps.len();
            tour.phase = TourPhase::Stopped;
            self.set_status(Level::Info, format!("Tour stopped at step {at} of {of}."));
        }
    }

    /// The manual tour's key: play the next step now.
    pub(in crate::tui) fn tour_next(&mut self) -> Vec<Effect> {
        match &self.play.tour {
            Some(t) if matches!(t.phase, TourPhase::Ready { .. }) => self.begin_step(),
            Some(t) if t.is_running() => {
                self.set_status(Level::Info, "The step is still playing.");
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Time passed or something arrived: move the tour on if its step is done or its pause
    /// is over.
    pub(in crate::tui) fn tour_tick(&mut self) -> Vec<Effect> {
        let Some(tour) = &self.play.tour else {
            return Vec::new();
        };
        match &tour.phase {
            TourPhase::Waiting { key } => {
                let answered = self.log.get(key).is_none_or(|e| !e.is_pending());
                if answered {
                    self.step_done();
                }
                Vec::new()
            }
            TourPhase::Ready { since } if !tour.manual => {
                let due = *since + chrono::Duration::milliseconds(tour.step_ms as i64);
                if self.now >= due {
                    self.begin_step()
                } else {
                    Vec::new()
                }
            }
            TourPhase::Ready { .. }
            | TourPhase::Fault
            | TourPhase::SettingUp
            | TourPhase::Done
            | TourPhase::Stopped => Vec::new(),
        }
    }

    fn begin_step(&mut self) -> Vec<Effect> {
        let Some(tour) = &mut self.play.tour else {
            return Vec::new();
        };
        let Some(step) = tour.steps.get(tour.at).cloned() else {
            tour.phase = TourPhase::Done;
            return Vec::new();
        };
        match step.fault {
            Some(rule) => {
                tour.phase = TourPhase::Fault;
                vec![Effect::Sim(SimCommand::AddFault(rule))]
            }
            None => {
                tour.phase = TourPhase::SettingUp;
                self.play(step.play)
            }
        }
    }

    /// The simulator answered a command while the tour waited for its step's fault.
    pub(in crate::tui) fn tour_fault_added(&mut self, ok: bool) -> Vec<Effect> {
        let Some(tour) = &mut self.play.tour else {
            return Vec::new();
        };
        if tour.phase != TourPhase::Fault {
            return Vec::new();
        }
        if !ok {
            tour.phase = TourPhase::Stopped;
            return Vec::new();
        }
        let Some(play) = tour.steps.get(tour.at).map(|s| s.play.clone()) else {
            return Vec::new();
        };
        tour.phase = TourPhase::SettingUp;
        self.play(play)
    }

    /// The step's request was handed over (or refused): wait for its answer, or go on.
    pub(in crate::tui) fn tour_sent(&mut self, sent: Option<String>) {
        let Some(tour) = &mut self.play.tour else {
            return;
        };
        if tour.phase != TourPhase::SettingUp {
            return;
        }
        match sent {
            Some(key) => tour.phase = TourPhase::Waiting { key },
            None => self.step_done(),
        }
    }

    fn step_done(&mut self) {
        let now = self.now;
        let Some(tour) = &mut self.play.tour else {
            return;
        };
        tour.at += 1;
        tour.phase = if tour.at >= tour.steps.len() {
            TourPhase::Done
        } else {
            TourPhase::Ready { since: now }
        };
    }
}
