//! Notices the console gives once per profile (`notices.toml` in the data dir, 0600,
//! written whole): which were given, so the next start does not repeat them.
//!
//! The file is a table of notice → profiles told, e.g.
//! `tags_api_default = ["staging", "prod"]`. A file that cannot be read is taken as empty
//! (the worst outcome is a notice given once more) and written anew.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file's name in the data dir.
pub const FILE: &str = "notices.toml";
/// The largest notices file read (it holds a few profile names).
const MAX_BYTES: u64 = 256 * 1024;

/// The notice that a profile without `cerego.tags_api` now uses the set endpoint.
pub const TAGS_API_DEFAULT: &str = "tags_api_default";

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE)
}

/// Whether `notice` is still to be given on `profile`; when it is, records it as given
/// (so it is given once). Blocking: call it off the UI thread.
pub fn tell_once(data_dir: &Path, notice: &str, profile: &str) -> std::io::Result<bool> {
    let path = path(data_dir);
    let mut told: BTreeMap<String, Vec<String>> = match super::fs::read_text(&path, MAX_BYTES) {
        Ok(text) => toml::from_str(&text).unwrap_or_default(),
        Err(_) => BTreeMap::new(),
    };
    let profiles = told.entry(notice.to_string()).or_default();
    if profiles.iter().any(|p| p == profile) {
        return Ok(false);
    }
    profiles.push(profile.to_string());
    profiles.sort();
    let text = toml::to_string(&told).map_err(std::io::Error::other)?;
    super::fs::create_private_dir(data_dir)?;
    super::fs::write_private(
        &path,
        format!(
            "# Notices tagdesk's console gave once per profile (delete to see them again).\n{text}"
        ),
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_is_given_once_per_profile_and_the_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        assert!(tell_once(&data, TAGS_API_DEFAULT, "staging").unwrap());
        assert!(!tell_once(&data, TAGS_API_DEFAULT, "staging").unwrap());
        assert!(tell_once(&data, TAGS_API_DEFAULT, "prod").unwrap());
        assert!(tell_once(&data, "other", "staging").unwrap());
        let text = std::fs::read_to_string(path(&data)).unwrap();
        assert!(
            text.contains("tags_api_default = [\"prod\", \"staging\"]"),
            "{text}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path(&data)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // A file that cannot be read is taken as empty and written anew.
        std::fs::write(path(&data), "not = [toml").unwrap();
        assert!(tell_once(&data, TAGS_API_DEFAULT, "staging").unwrap());
        assert!(!tell_once(&data, TAGS_API_DEFAULT, "staging").unwrap());
    }
}
