//! Where tagdesk keeps its files, and the private-file rules for the configuration.

use std::path::{Path, PathBuf};

use super::*;

/// Where tagdesk keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// The platform directories (e.g. `~/.config/tagdesk`, `~/.local/share/tagdesk`), with
    /// `--config`, `TAGDESK_CONFIG` and `TAGDESK_DATA_DIR` taking precedence.
    pub fn resolve(config_flag: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Self {
        let dirs = directories::ProjectDirs::from("", "", "tagdesk");
        let config_file = config_flag
            .map(Path::to_path_buf)
            .or_else(|| env(ENV_CONFIG).filter(|s| !s.is_empty()).map(PathBuf::from))
            .or_else(|| dirs.as_ref().map(|d| d.config_dir().join("config.toml")))
            .unwrap_or_else(|| PathBuf::from("tagdesk.toml"));
        let data_dir = env(ENV_DATA_DIR)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .or_else(|| dirs.as_ref().map(|d| d.data_dir().to_path_buf()))
            .unwrap_or_else(|| PathBuf::from(".tagdesk"));
        Self {
            config_file,
            data_dir,
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
