//! One environment for every `tagdesk` a test starts, whichever way it starts it (a
//! `std::process::Command` for the CLI and the simulator, portable-pty's `CommandBuilder`
//! for the console in a pseudo-terminal): every inherited variable whose name starts with
//! `TAGDESK_` is removed (a developer's own profile, key, URL or data directory must not
//! reach a test), and so are the conventions tagdesk follows ([`CONVENTIONS`]: a
//! developer's `NO_COLOR` must not change a test's screens), then the test's own are set.

use std::ffi::{OsStr, OsString};
use std::path::Path;

/// A command whose environment can be changed: both ways the tests start `tagdesk`.
pub trait EnvTarget {
    fn set_var(&mut self, key: &OsStr, value: &OsStr);
    fn remove_var(&mut self, key: &OsStr);
}

impl EnvTarget for std::process::Command {
    fn set_var(&mut self, key: &OsStr, value: &OsStr) {
        self.env(key, value);
    }
    fn remove_var(&mut self, key: &OsStr) {
        self.env_remove(key);
    }
}

impl EnvTarget for portable_pty::CommandBuilder {
    fn set_var(&mut self, key: &OsStr, value: &OsStr) {
        self.env(key, value);
    }
    fn remove_var(&mut self, key: &OsStr) {
        self.env_remove(key);
    }
}

/// The variables of general conventions that tagdesk reads: removed too.
pub const CONVENTIONS: [&str; 6] = [
    "NO_COLOR",
    "CLICOLOR_FORCE",
    "COMPLETE",
    "SOURCE_DATE_EPOCH",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
];

/// The environment of one `tagdesk` under test: built with [`clean_env`], applied with
/// [`CleanEnv::apply`].
#[derive(Debug, Clone, Default)]
pub struct CleanEnv {
    set: Vec<(OsString, OsString)>,
}

/// No inherited `TAGDESK_` variable, and nothing set yet.
pub fn clean_env() -> CleanEnv {
    CleanEnv::default()
}

impl CleanEnv {
    /// Where the test's `tagdesk` keeps its files: `TAGDESK_DATA_DIR` (journal, logs) and
    /// `XDG_CONFIG_HOME` (so no configuration of the developer's is found).
    pub fn dirs(self, data: impl AsRef<Path>, xdg_config: impl AsRef<Path>) -> Self {
        self.var("TAGDESK_DATA_DIR", data.as_ref())
            .var("XDG_CONFIG_HOME", xdg_config.as_ref())
    }

    /// One more variable (set after the inherited `TAGDESK_` ones are removed).
    pub fn var(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.set
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Removes every inherited `TAGDESK_` variable and the [`CONVENTIONS`] from `cmd`'s
    /// environment, then sets this environment's variables.
    pub fn apply<C: EnvTarget + ?Sized>(&self, cmd: &mut C) {
        for key in tagdesk_vars(std::env::vars_os()) {
            cmd.remove_var(&key);
        }
        for key in CONVENTIONS {
            cmd.remove_var(OsStr::new(key));
        }
        for (key, value) in &self.set {
            cmd.set_var(key, value);
        }
    }
}

/// The names among `vars` that start with `TAGDESK_` (`vars`: an environment, as
/// `std::env::vars_os` gives it).
pub fn tagdesk_vars(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Vec<OsString> {
    vars.into_iter()
        .map(|(key, _)| key)
        .filter(|key| key.to_string_lossy().starts_with("TAGDESK_"))
        .collect()
}
