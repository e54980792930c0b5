//! Which files a profile's journal is (the active one and its rotated predecessors), and
//! opening and locking them.

use super::*;

const MAX_PROFILE_FILE_CHARS: usize = 100;

fn safe_profile(profile: &str) -> String {
    let mut safe: String = profile
        .chars()
        .take(MAX_PROFILE_FILE_CHARS)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        safe.push('_');
    }
    safe
}

/// The journal file for `profile` in `dir`: `dir/journal-<profile>.jsonl`.
///
/// The profile name is made safe for a file name: ASCII letters, digits, `_` and `-` are
/// kept, every other character becomes `_`, an empty name becomes `_`, and the name is cut
/// at 100 characters. Two profiles whose names differ only in such characters share a file;
/// every record also carries the exact profile name, so they can still be told apart.
pub fn file_for(dir: &Path, profile: &str) -> PathBuf {
    dir.join(format!("journal-{}.jsonl", safe_profile(profile)))
}

/// The files of the journal whose active file is `active`, oldest first: the rotated ones
/// (`journal-P.TIME.jsonl`, in time order), then the active file itself (listed even when it
/// does not exist yet).
pub fn files_of(active: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (active.parent(), active.file_name()) else {
        return vec![active.to_path_buf()];
    };
    let name = name.to_string_lossy();
    let stem = name.strip_suffix(".jsonl").unwrap_or(&name).to_string();
    let prefix = format!("{stem}.");
    let mut rotated: Vec<((String, u32), PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            let middle = n.strip_prefix(&prefix)?.strip_suffix(".jsonl")?.to_string();
            // TIME is 20261123T062400Z, optionally -N; nothing else is ours.
            let stamp_like = middle.len() >= 16
                && middle
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, 'T' | 'Z' | '-'));
            stamp_like.then(|| {
                // TIME, then the -N of a second rotation within the same second, in order.
                let (stamp, n) = match middle.split_once('-') {
                    Some((stamp, n)) => (stamp.to_string(), n.parse::<u32>().unwrap_or(0)),
                    None => (middle.clone(), 1),
                };
                ((stamp, n), e.path())
            })
        })
        .collect();
    rotated.sort();
    let mut out: Vec<PathBuf> = rotated.into_iter().map(|(_, p)| p).collect();
    out.push(active.to_path_buf());
    out
}

/// A fresh name for the active file `active` rotated now.
pub(super) fn rotated_name(active: &Path) -> PathBuf {
    let name = active
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".jsonl").unwrap_or(&name).to_string();
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let dir = active.parent().unwrap_or(Path::new("."));
    let mut candidate = dir.join(format!("{stem}.{stamp}.jsonl"));
    let mut n = 2;
    while candidate.exists() {
        candidate = dir.join(format!("{stem}.{stamp}-{n}.jsonl"));
        n += 1;
    }
    candidate
}

/// Whether `file` is still the file at `path` (not rotated away by another tagdesk).
pub(super) fn is_active(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(ours) = file.metadata() else {
            return true;
        };
        std::fs::metadata(path).is_ok_and(|m| m.ino() == ours.ino() && m.dev() == ours.dev())
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Holds an exclusive advisory lock for its lifetime; platforms without file locks get no
/// lock rather than an error.
pub(super) struct FileLock<'a>(Option<&'a File>);

impl<'a> FileLock<'a> {
    pub(super) fn acquire(file: &'a File) -> io::Result<Self> {
        match file.lock() {
            Ok(()) => Ok(Self(Some(file))),
            Err(e) if e.kind() == io::ErrorKind::Unsupported => Ok(Self(None)),
            Err(e) => Err(e),
        }
    }
}

impl Drop for FileLock<'_> {
    fn drop(&mut self) {
        if let Some(f) = self.0 {
            // Closing the file releases the lock anyway; nothing useful to do on failure.
            let _ = f.unlock();
        }
    }
}

pub(super) fn open_private_file(path: &Path) -> Result<File, JournalError> {
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path).map_err(JournalError::io(path, "open"))?;
    let meta = file.metadata().map_err(JournalError::io(path, "inspect"))?;
    if !meta.is_file() {
        return Err(JournalError::Record {
            path: path.to_path_buf(),
            reason: "is not a regular file".into(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(JournalError::io(path, "restrict the permissions of"))?;
        }
    }
    Ok(file)
}
