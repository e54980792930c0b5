//! Where tagdesk keeps its files, and the private-file rules for the configuration.

use std::path::{Path, PathBuf};

use super::*;

/// The XDG base directory variables tagdesk honours on every OS (the `directories` crate
/// reads them on Linux only).
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
pub const XDG_DATA_HOME: &str = "XDG_DATA_HOME";

/// Where tagdesk keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    /// What chose `config_file`.
    pub config_from: Origin,
    /// What chose `data_dir`.
    pub data_from: Origin,
    /// XDG variables that are set to a relative path, and so ignored (as the XDG base
    /// directory specification says).
    pub ignored: Vec<&'static str>,
}

/// What chose a location, as `tagdesk config path` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--config`.
    Flag,
    /// A variable: `TAGDESK_CONFIG`, `TAGDESK_DATA_DIR`, `XDG_CONFIG_HOME`, `XDG_DATA_HOME`.
    Var(&'static str),
    /// The platform's directories (the `directories` crate).
    Platform,
    /// No home directory: the current directory.
    CurrentDir,
}

impl Origin {
    /// The origin in a word or two (`--config`, `XDG_CONFIG_HOME`, `platform default`).
    pub fn name(self) -> &'static str {
        match self {
            Origin::Flag => "--config",
            Origin::Var(v) => v,
            Origin::Platform => "platform default",
            Origin::CurrentDir => "current directory (no home directory)",
        }
    }
}

impl Paths {
    /// `--config`, then `TAGDESK_CONFIG` / `TAGDESK_DATA_DIR`, then `$XDG_CONFIG_HOME/tagdesk`
    /// / `$XDG_DATA_HOME/tagdesk` (on every OS, when set to an absolute path), then the
    /// platform directories (e.g. `~/.config/tagdesk`, `~/.local/share/tagdesk`, macOS's
    /// `~/Library/Application Support/tagdesk`).
    pub fn resolve(config_flag: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Self {
        let dirs = directories::ProjectDirs::from("", "", "tagdesk");
        let set = |name: &'static str| {
            env(name)
                .filter(|s| !s.is_empty())
                .map(|s| (PathBuf::from(s), Origin::Var(name)))
        };
        let mut ignored = Vec::new();
        let mut xdg = |name: &'static str| {
            let (path, origin) = set(name)?;
            if path.is_absolute() {
                Some((path.join("tagdesk"), origin))
            } else {
                ignored.push(name);
                None
            }
        };
        let xdg_config = xdg(XDG_CONFIG_HOME);
        let xdg_data = xdg(XDG_DATA_HOME);
        let (config_file, config_from) = config_flag
            .map(|p| (p.to_path_buf(), Origin::Flag))
            .or_else(|| set(ENV_CONFIG))
            .or_else(|| xdg_config.map(|(d, o)| (d.join("config.toml"), o)))
            .or_else(|| {
                dirs.as_ref()
                    .map(|d| (d.config_dir().join("config.toml"), Origin::Platform))
            })
            .unwrap_or_else(|| (PathBuf::from("tagdesk.toml"), Origin::CurrentDir));
        let (data_dir, data_from) = set(ENV_DATA_DIR)
            .or(xdg_data)
            .or_else(|| {
                dirs.as_ref()
                    .map(|d| (d.data_dir().to_path_buf(), Origin::Platform))
            })
            .unwrap_or_else(|| (PathBuf::from(".tagdesk"), Origin::CurrentDir));
        Self {
            config_file,
            data_dir,
            config_from,
            data_from,
            ignored,
        }
    }
}

/// Like ssh: a configuration file that holds a key must not be readable by others.
pub fn permission_warning(path: &Path, config: &FileConfig) -> Option<String> {
    let holds_key = config.profiles.values().any(|p| {
        p.cerego.as_ref().is_some_and(|c| c.key.api_key.is_some())
            || p.hive.as_ref().is_some_and(|h| h.key.api_key.is_some())
    });
    if !holds_key {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Some(format!(
                "{} holds an API key and is readable by group or others (mode {mode:03o}); run: chmod 600 {}",
                path.display(),
                path.display()
            ));
        }
    }
    None
}

/// Writes `text` to `path` creating it 0600, never overwriting.
pub fn write_new_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::engine::fs::create_private_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(flag: Option<&str>, vars: &[(&str, &str)]) -> Paths {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        Paths::resolve(flag.map(Path::new), &env)
    }

    /// Where the `directories` crate puts them with none of the variables (read from the
    /// process's environment, so only compared, never spelled out).
    fn platform() -> Paths {
        resolve(None, &[])
    }

    #[test]
    fn xdg_homes_are_honoured_on_every_os() {
        let p = resolve(
            None,
            &[
                (XDG_CONFIG_HOME, "/xdg/config"),
                (XDG_DATA_HOME, "/xdg/data"),
            ],
        );
        assert_eq!(p.config_file, Path::new("/xdg/config/tagdesk/config.toml"));
        assert_eq!(p.data_dir, Path::new("/xdg/data/tagdesk"));
        assert_eq!(p.config_from, Origin::Var(XDG_CONFIG_HOME));
        assert_eq!(p.data_from, Origin::Var(XDG_DATA_HOME));
        assert!(p.ignored.is_empty());
        // Each on its own.
        let p = resolve(None, &[(XDG_DATA_HOME, "/xdg/data")]);
        assert_eq!(p.data_dir, Path::new("/xdg/data/tagdesk"));
        assert_eq!(p.config_file, platform().config_file);
        assert_eq!(p.config_from, platform().config_from);
    }

    #[test]
    fn empty_or_relative_xdg_homes_are_ignored() {
        let p = resolve(None, &[(XDG_CONFIG_HOME, ""), (XDG_DATA_HOME, "")]);
        assert_eq!(p.config_file, platform().config_file);
        assert_eq!(p.data_dir, platform().data_dir);
        assert!(p.ignored.is_empty(), "empty is unset");
        let p = resolve(
            None,
            &[(XDG_CONFIG_HOME, "rel/config"), (XDG_DATA_HOME, "./data")],
        );
        assert_eq!(p.config_file, platform().config_file);
        assert_eq!(p.data_dir, platform().data_dir);
        assert_ne!(p.config_from, Origin::Var(XDG_CONFIG_HOME));
        assert_eq!(p.ignored, [XDG_CONFIG_HOME, XDG_DATA_HOME]);
    }

    #[test]
    fn the_flag_and_tagdesk_variables_come_before_xdg() {
        let xdg = [
            (XDG_CONFIG_HOME, "/xdg/config"),
            (XDG_DATA_HOME, "/xdg/data"),
        ];
        let mut vars = xdg.to_vec();
        vars.extend([(ENV_CONFIG, "/env/c.toml"), (ENV_DATA_DIR, "/env/data")]);
        let p = resolve(None, &vars);
        assert_eq!(p.config_file, Path::new("/env/c.toml"));
        assert_eq!(p.config_from, Origin::Var(ENV_CONFIG));
        assert_eq!(p.data_dir, Path::new("/env/data"));
        assert_eq!(p.data_from, Origin::Var(ENV_DATA_DIR));
        let p = resolve(Some("/flag.toml"), &vars);
        assert_eq!(p.config_file, Path::new("/flag.toml"));
        assert_eq!(p.config_from, Origin::Flag);
        // An empty TAGDESK_ variable is unset: XDG answers.
        let mut vars = xdg.to_vec();
        vars.extend([(ENV_CONFIG, ""), (ENV_DATA_DIR, "")]);
        let p = resolve(None, &vars);
        assert_eq!(p.config_from, Origin::Var(XDG_CONFIG_HOME));
        assert_eq!(p.data_from, Origin::Var(XDG_DATA_HOME));
    }
}
