//! The user cache file: each profile's last complete Cerego listing, kept so that the next
//! console start shows the list at once while a fresh listing runs (the format is
//! `core::model::cache`'s).
//!
//! `users-PROFILE.cache` in the data dir, 0600, written whole (a temporary file, synced,
//! renamed over the old one) on a thread of its own after a listing completes, and read at
//! start off the UI loop, within `[limits]`. A file that cannot be read whole is ignored
//! (and reported in the log): the listing that runs anyway replaces it. With `[cache] users
//! = false` nothing is written and an existing file is removed unread.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::core::model::{CachedUsers, decode_cache};
use crate::engine::exec::ListLimits;
use crate::engine::fs::{ReadError, create_private_dir, read_bytes, write_private};

/// Bytes a row takes in the file beyond the user data `max_list_mib` counts (its header,
/// its length, packed timestamps): a generous bound, so a file within the limits always
/// reads.
const ROW_OVERHEAD: u64 = 64;

/// The cache file of `profile` in `dir`.
pub fn file_for(dir: &Path, profile: &str) -> PathBuf {
    dir.join(format!(
        "users-{}.cache",
        crate::engine::workspace::safe(profile)
    ))
}

/// The largest cache file read: the limits' user data and each user's overhead.
pub fn read_limit(limits: &ListLimits) -> u64 {
    limits
        .max_bytes
        .saturating_add(limits.max_users.saturating_mul(ROW_OVERHEAD))
        .saturating_add(1 << 20)
}

/// Reads the cache of `profile`, if there is one, for the listing this profile makes now
/// (`partner`, with or without department users): Ok(None) when there is no file, Err with
/// the reason when there is one that is not shown (damaged, too large, of another listing).
pub fn load(
    dir: &Path,
    profile: &str,
    limits: &ListLimits,
    (partner, departments): (&str, bool),
) -> Result<Option<CachedUsers>, String> {
    let path = file_for(dir, profile);
    let bytes = match read_bytes(&path, read_limit(limits)) {
        Ok(b) => b,
        Err(ReadError::NotFound) => return Ok(None),
        Err(e) => return Err(format!("the user cache {} {e}; ignored", path.display())),
    };
    let ignored = |why: String| format!("the user cache {}: {why}; ignored", path.display());
    let cached = decode_cache(&bytes, limits.max_users).map_err(ignored)?;
    if cached.meta.partner != partner || cached.meta.departments != departments {
        return Err(ignored(format!(
            "it lists partner {}{}, not the listing this profile makes",
            cached.meta.partner,
            if cached.meta.departments {
                " with department users"
            } else {
                ""
            }
        )));
    }
    Ok(Some(cached))
}

/// Removes the cache of `profile` (the cache is off): whether there was one.
pub fn remove(dir: &Path, profile: &str) -> std::io::Result<bool> {
    match std::fs::remove_file(file_for(dir, profile)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Writes caches on a thread of its own, in order; only the latest of those waiting is
/// written. Dropping it waits for the write under way.
pub struct Writer {
    tx: Option<std::sync::mpsc::Sender<Arc<Vec<u8>>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    pub fn start(dir: PathBuf, profile: String) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Arc<Vec<u8>>>();
        let thread = std::thread::Builder::new()
            .name("user-cache".into())
            .spawn(move || {
                while let Ok(mut bytes) = rx.recv() {
                    while let Ok(later) = rx.try_recv() {
                        bytes = later;
                    }
                    let path = file_for(&dir, &profile);
                    let written =
                        create_private_dir(&dir).and_then(|()| write_private(&path, &*bytes));
                    match written {
                        Ok(()) => tracing::info!(
                            "user cache written: {} ({} bytes)",
                            path.display(),
                            bytes.len()
                        ),
                        Err(e) => tracing::error!("writing the user cache {}: {e}", path.display()),
                    }
                }
            })
            .ok();
        Self {
            tx: thread.is_some().then_some(tx),
            thread,
        }
    }

    /// Asks for a write; never waits.
    pub fn save(&self, bytes: Arc<Vec<u8>>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(bytes);
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
