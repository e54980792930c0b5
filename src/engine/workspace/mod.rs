//! What the console remembers between runs, per profile: the Hive patrons it knows and
//! their last-confirmed tags (Hive has no read endpoint), and recent Cerego look-ups.
//!
//! Saved as JSON in the data dir, written to a temporary file (0600) and renamed over the
//! old one, so a crash leaves either the old or the new file. A file that cannot be read
//! is moved aside (`.corrupt-<time>`) and reported; it never stops tagdesk.

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::core::model::KnownPatron;

/// How many Cerego look-ups are remembered.
pub const MAX_LOOKUPS: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    #[serde(default)]
    pub patrons: Vec<KnownPatron>,
    /// Most recent first.
    #[serde(default)]
    pub cerego_lookups: Vec<String>,
}

pub fn file_for(dir: &Path, profile: &str) -> PathBuf {
    let safe: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("workspace-{safe}.json"))
}

/// Loads the workspace; a missing file is an empty workspace, a broken one is set aside
/// and reported in the second value. The file must be a regular file of at most
/// [`crate::engine::fs::MAX_WORKSPACE_BYTES`].
pub fn load(dir: &Path, profile: &str) -> (Workspace, Option<String>) {
    use crate::engine::fs::{MAX_WORKSPACE_BYTES, ReadError, read_text};
    let path = file_for(dir, profile);
    let parsed = match read_text(&path, MAX_WORKSPACE_BYTES) {
        Ok(text) => serde_json::from_str::<Workspace>(&text).map_err(|e| e.to_string()),
        Err(ReadError::NotFound) => return (Workspace::default(), None),
        Err(e @ ReadError::NotUtf8(_)) => Err(e.to_string()),
        Err(e) => {
            return (
                Workspace::default(),
                Some(format!(
                    "{}: the workspace {e}; tagdesk starts with an empty one",
                    path.display()
                )),
            );
        }
    };
    match parsed {
        Ok(w) => (w, None),
        Err(e) => {
            let aside = path.with_extension(format!(
                "json.corrupt-{}",
                Utc::now().format("%Y%m%dT%H%M%S")
            ));
            let moved = std::fs::rename(&path, &aside);
            let what = match moved {
                Ok(()) => format!("moved aside to {}", aside.display()),
                Err(m) => format!("could not be moved aside ({m})"),
            };
            (
                Workspace::default(),
                Some(format!(
                    "{}: the workspace file is damaged ({e}); it was {what} and tagdesk starts with an empty one",
                    path.display()
                )),
            )
        }
    }
}

/// Saves atomically: a private temporary file, fsync'd, renamed over the old one.
pub fn save(dir: &Path, profile: &str, workspace: &Workspace) -> std::io::Result<()> {
    crate::engine::fs::create_private_dir(dir)?;
    let text = serde_json::to_vec_pretty(workspace).map_err(std::io::Error::other)?;
    crate::engine::fs::write_private(&file_for(dir, profile), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let (w, warn) = load(dir.path(), "p");
        assert_eq!(w, Workspace::default());
        assert!(warn.is_none());
        let w = Workspace {
            patrons: vec![KnownPatron {
                id: crate::core::domain::PatronId::parse("user_1").unwrap(),
                tags: vec![crate::core::model::KnownTag {
                    api_field: "vip".into(),
                    confirmed_at: None,
                }],
                note: "n".into(),
                confirmed_at: None,
                complete: false,
            }],
            cerego_lookups: vec!["a@b.c".into()],
        };
        save(dir.path(), "p", &w).unwrap();
        assert_eq!(load(dir.path(), "p").0, w);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file_for(dir.path(), "p"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(file_for(dir.path(), "p"), b"{\"patrons\": [tru").unwrap();
        let (w2, warn) = load(dir.path(), "p");
        assert_eq!(w2, Workspace::default());
        let warn = warn.unwrap();
        assert!(
            warn.contains("damaged") && warn.contains("moved aside"),
            "{warn}"
        );
        assert!(!file_for(dir.path(), "p").exists());
        let aside = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().contains("corrupt"));
        assert!(aside);
    }
}
