//! Leaving: quitting (asking first while requests are in flight) and switching profile.

use crate::tui::app::{App, Effect, Level};
use crate::tui::popups::{Popup, Profiles, Quit};

impl App {
    /// `q` (or `Ctrl-C`, `force`): quit now when nothing is in flight, else ask.
    pub(in crate::tui) fn quit(&mut self, force: bool) -> Vec<Effect> {
        if force || self.unfinished() == 0 {
            return vec![Effect::Quit];
        }
        self.open(Popup::Quit(Quit));
        Vec::new()
    }

    /// `P`: the profile picker, on the current profile.
    pub(in crate::tui) fn profile_picker(&mut self) {
        // Outside demo mode the picker always has somewhere to go: demo mode, its last
        // choice. In demo mode, the file's profiles.
        if self.settings.demo && self.settings.profiles.is_empty() {
            let msg = "Demo mode has one profile. Profiles come from the configuration file (see docs/src/configuration.md).";
            return self.set_status(Level::Info, msg);
        }
        let selected = self
            .settings
            .profiles
            .iter()
            .position(|p| *p == self.settings.profile)
            .unwrap_or(0);
        self.open(Popup::Profiles(Profiles { selected }));
    }
}
