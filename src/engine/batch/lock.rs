//! One runner per batch: an exclusive advisory lock (`batches/BATCH_ID.lock`, the standard
//! library's `File::try_lock`, `flock` on unix) held for the whole run of a batch — its
//! start, a resume, an undo of it — by the process that runs it. A second runner is
//! refused with the holder's pid instead of sending every unfinished row again.
//!
//! The lock file holds the holder's pid, for the message. It is never removed: removing a
//! lock file another process has open would let two processes each hold "the" lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The lock of one batch, held until dropped (or the process ends, however it ends).
#[derive(Debug)]
pub struct BatchLock {
    file: File,
    path: PathBuf,
}

impl BatchLock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for BatchLock {
    fn drop(&mut self) {
        // No pid of a process that no longer holds it is left for the next refusal to name.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// Why a batch could not be locked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockError {
    /// Another process runs the batch now (its pid, when it had written it yet).
    Held { pid: Option<u32> },
    /// The lock file could not be opened or locked.
    Io(String),
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Held { pid: Some(pid) } => {
                write!(f, "another tagdesk (pid {pid}) is running it right now")
            }
            LockError::Held { pid: None } => {
                write!(f, "another tagdesk is running it right now")
            }
            LockError::Io(e) => write!(f, "its lock cannot be taken: {e}"),
        }
    }
}

/// Takes the lock of `batch_id` without waiting: `LockError::Held` when another process
/// (or another lock in this one) holds it.
pub fn take(data_dir: &Path, batch_id: &str) -> Result<BatchLock, LockError> {
    let path = super::file_for(data_dir, batch_id)
        .map_err(LockError::Io)?
        .with_extension("lock");
    let io = |e: std::io::Error| LockError::Io(format!("{}: {e}", path.display()));
    crate::engine::fs::create_private_dir(&super::dir(data_dir)).map_err(io)?;
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Err(LockError::Held { pid: holder(&file) }),
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    // Ours now: say who holds it.
    let written = file
        .set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| file.write_all(format!("{}\n", std::process::id()).as_bytes()));
    if let Err(e) = written {
        tracing::warn!("{}: {e}", path.display());
    }
    Ok(BatchLock { file, path })
}

/// The pid the holder wrote in the lock file. A holder that has just taken the lock writes
/// it a moment later: waited for, briefly.
fn holder(file: &File) -> Option<u32> {
    for _ in 0..50 {
        let mut text = String::new();
        let mut reader = file;
        let read = reader
            .seek(SeekFrom::Start(0))
            .and_then(|_| reader.take(64).read_to_string(&mut text));
        if let Ok(pid) = text.trim().parse() {
            return Some(pid);
        }
        if read.is_err() {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_has_one_holder_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let held = take(dir.path(), "B1").expect("the first takes it");
        assert_eq!(
            take(dir.path(), "B1").unwrap_err(),
            LockError::Held {
                pid: Some(std::process::id())
            }
        );
        assert!(take(dir.path(), "B2").is_ok(), "another batch is free");
        drop(held);
        assert!(take(dir.path(), "B1").is_ok(), "released when dropped");
        assert!(matches!(take(dir.path(), "../x"), Err(LockError::Io(_))));
    }
}
