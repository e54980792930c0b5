//! Which files a profile's journal is: the active one and its rotated predecessors.

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
