//! The playground from the console: the scenario picker's consequences (play one, or all
//! as a tour) and the simulator's answer to a play's setup.

use crate::core::playground::{Play, SetupReply, plays};
use crate::tui::app::{App, Effect, Level};
use crate::tui::keymap::Action;
use crate::tui::popups::{PLAY_ALL_STEP_MS, Popup, Scenarios};

impl App {
    /// `S`: the scenario picker, on the play chosen last; on a live profile (not demo mode,
    /// not a `tagdesk sim` on this machine), the probe of the live application instead.
    pub(in crate::tui) fn scenario_picker(&mut self) {
        let simulator =
            self.settings.demo || self.settings.hive.as_ref().is_some_and(|h| h.local_sim);
        if !simulator {
            self.probe_offer();
            return;
        }
        self.open(Popup::Scenarios(Scenarios {
            selected: self.play.last_selected,
        }));
    }

    /// The picker's row `n` was chosen: that play, or (past the last) every play as a tour.
    pub(in crate::tui) fn play_row(&mut self, n: usize) -> Vec<Effect> {
        self.play.last_selected = n;
        match plays().into_iter().nth(n) {
            Some(play) => self.play(play),
            None => {
                self.start_tour(crate::core::playground::tour::Tour {
                    steps: crate::core::playground::tour::every_play(),
                    step_ms: PLAY_ALL_STEP_MS,
                    manual: false,
                });
                self.set_status(
                    Level::Info,
                    format!(
                        "Playing every scenario, one every {} s after its answer ({} stops).",
                        PLAY_ALL_STEP_MS / 1000,
                        self.key_label(Action::Close)
                    ),
                );
                Vec::new()
            }
        }
    }

    /// Asks the loop to set the simulator up for `play`; the request follows when it is.
    pub(in crate::tui) fn play(&mut self, play: Play) -> Vec<Effect> {
        if self.refuse_while_switching() {
            return Vec::new();
        }
        if let Some(waiting) = &self.play.setting_up {
            let text = format!("Still setting up the simulator for \"{}\".", waiting.title);
            self.set_status(Level::Warn, text);
            return Vec::new();
        }
        self.set_status(
            Level::Info,
            format!("Setting up the simulator for \"{}\"…", play.title),
        );
        let effect = Effect::SetUpPlay {
            key: play.key.clone(),
            service: play.service(),
            steps: play.setup.clone(),
        };
        self.play.setting_up = Some(play);
        vec![effect]
    }

    /// The simulator was set up for the play `key` (or could not be): send its request.
    pub(in crate::tui) fn play_ready(
        &mut self,
        key: &str,
        reply: Result<SetupReply, String>,
    ) -> Vec<Effect> {
        let Some(play) = self.play.setting_up.take().filter(|p| p.key == key) else {
            return Vec::new();
        };
        // What the setup made the simulator hold is known now, as a reply would say; the
        // console turns to the play's patron or user.
        let op = reply.and_then(|r| {
            self.known.apply_setup(&play.setup, self.now);
            self.refilter_hive();
            let op = play.op(&r)?;
            self.turn_to_subject(&play, &r, &op);
            Ok(op)
        });
        match op {
            Ok(op) => {
                self.play.played.insert(play.key.clone());
                let effects = self.gate_and_send(op, false);
                let sent = effects.iter().find_map(|e| match e {
                    Effect::Send(r) => Some(r.journal_id.clone()),
                    _ => None,
                });
                self.subject_sent(sent.as_ref());
                if sent.is_some() {
                    self.set_status(
                        Level::Info,
                        format!("Playing \"{}\": {}", play.title, play.explain),
                    );
                }
                self.tour_sent(sent);
                effects
            }
            Err(e) => {
                self.set_status(
                    Level::Error,
                    format!("\"{}\" was not played: {e}", play.title),
                );
                self.tour_sent(None);
                Vec::new()
            }
        }
    }

    /// The probe of the live application (`tagdesk probe hive` on the profile's first two
    /// api_fields), previewed: the preview is the gate (it says what the probe creates and
    /// sends, and a read-only profile refuses it there); Enter runs it as a batch.
    fn probe_offer(&mut self) {
        let profile = self.settings.profile.clone();
        let Some(hive) = &self.settings.hive else {
            let text = format!(
                "{}: there is no application to probe.",
                self.unavailable(crate::core::op::Service::Hive)
            );
            self.set_status(Level::Warn, text);
            return;
        };
        let fields: Vec<String> = hive
            .catalogue
            .iter()
            .take(2)
            .map(|t| t.api_field.to_string())
            .collect();
        let [a, b] = fields.as_slice() else {
            self.set_status(
                Level::Warn,
                format!(
                    "The probe needs two api_fields the application defines: list them in \
                     hive.tags of profile {profile}, or run `tagdesk --profile {profile} probe \
                     hive --fields A,B`."
                ),
            );
            return;
        };
        let patron = crate::core::probe::DEFAULT_PATRON;
        match crate::engine::probe::steps_for(patron, a, b) {
            Ok((_, steps)) => {
                let notes = vec![format!(
                    "Probe of the live application: patron {patron} (Hive creates it on the \
                     first add) goes through every documented outcome with {a} and {b}, and \
                     ends holding neither."
                )];
                let id = self.new_batch_id();
                let plan = crate::engine::probe::plan(id, &profile, false, &steps, notes);
                self.open_preview(
                    plan,
                    Vec::new(),
                    None,
                    false,
                    "probe of the live application".into(),
                );
            }
            Err(e) => self.set_status(Level::Error, format!("The probe cannot start: {e}")),
        }
    }
}
