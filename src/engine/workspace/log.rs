//! The workspace's change log: one JSON line per change, appended beside the snapshot.
//!
//! Appending costs O(change) whatever the number of known patrons: a writer takes the
//! log's lock, cuts a torn last line left by a crash (so a new line never sticks to it),
//! writes its lines with one write and lets go. Several tagdesk processes on one
//! profile append without losing each other's changes (the whole-file rewrite it replaces
//! kept only the last writer's). Reading never trusts the file: a line that is not a
//! change is skipped and reported, never unwrapped.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::core::model::{Folded, KnownPatron, KnownState};
use crate::core::op::hive::HiveOutcome;
use crate::core::op::{ApiError, Op, Output};
use crate::engine::fs::{MAX_WORKSPACE_BYTES, ReadError, read_bytes};

/// One line of the change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// A patron as it is now known (added or changed): replaces the one with its id.
    Patron(KnownPatron),
    /// A Hive reply, folded into the patrons when the workspace is loaded. A command that
    /// sends one request writes this: it learns something about one patron without
    /// reading what is known of the others.
    Reply {
        op: Op,
        answer: Answer,
        at: DateTime<Utc>,
    },
    /// The Cerego look-ups, most recent first.
    Lookups(Vec<String>),
}

/// What a [`Change::Reply`] answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Hive(HiveOutcome),
    /// A refusal (its status and code: the server's message is not kept).
    Error(ApiError),
}

impl Change {
    /// What a reply to `op` taught about Hive patrons, as a change; None when it taught
    /// nothing (a Cerego reply, most failures).
    pub fn from_reply(
        op: &Op,
        result: &Result<Output, ApiError>,
        at: DateTime<Utc>,
    ) -> Option<Self> {
        if !matches!(op, Op::HiveAdd { .. } | Op::HiveRemove { .. }) {
            return None;
        }
        // Whether a reply changes what is known depends on the reply, not on what was
        // known: try it on nothing.
        if KnownState::default().apply_result(op, result, at) == Folded::Nothing {
            return None;
        }
        let answer = match result {
            Ok(Output::Hive(outcome)) => Answer::Hive(outcome.clone()),
            Err(ApiError::Http { status, code, .. }) => Answer::Error(ApiError::Http {
                status: *status,
                code: code.clone(),
                message: String::new(),
                retry_after: None,
            }),
            Ok(_) | Err(_) => return None,
        };
        Some(Change::Reply {
            op: op.clone(),
            answer,
            at,
        })
    }

    /// Applies the change to what is known (and to the look-ups).
    pub fn apply(self, known: &mut KnownState, lookups: &mut Vec<String>) {
        match self {
            Change::Patron(p) => known.hive.put(p),
            Change::Reply { op, answer, at } => {
                let result = match answer {
                    Answer::Hive(o) => Ok(Output::Hive(o)),
                    Answer::Error(e) => Err(e),
                };
                known.apply_result(&op, &result, at);
            }
            Change::Lookups(l) => *lookups = l,
        }
    }
}

/// The changes of a log, in order, and what could not be read.
#[derive(Debug, Default)]
pub(super) struct LogContents {
    pub changes: Vec<Change>,
    /// Lines that are not changes: (1-based line number, why), the torn last line apart.
    pub damaged: Vec<(usize, String)>,
    /// The last line was an incomplete write (a crash while appending).
    pub torn_tail: bool,
    /// The log's size in bytes.
    pub bytes: u64,
}

/// Reads the log at `path` (a missing log has no changes).
pub(super) fn read(path: &Path) -> Result<LogContents, ReadError> {
    let bytes = match read_bytes(path, MAX_WORKSPACE_BYTES) {
        Ok(b) => b,
        Err(ReadError::NotFound) => return Ok(LogContents::default()),
        Err(e) => return Err(e),
    };
    let mut out = LogContents {
        bytes: bytes.len() as u64,
        ..LogContents::default()
    };
    let ends_clean = bytes.last().is_none_or(|&b| b == b'\n');
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    // `split` yields an empty piece after the final line end.
    let count = if ends_clean {
        lines.len().saturating_sub(1)
    } else {
        lines.len()
    };
    for (i, line) in lines.iter().take(count).enumerate() {
        let last = i + 1 == count;
        let parsed = std::str::from_utf8(line)
            .map_err(|e| format!("not valid UTF-8 (at byte {})", e.valid_up_to()))
            .and_then(|text| serde_json::from_str::<Change>(text).map_err(|e| e.to_string()));
        match parsed {
            Ok(change) => out.changes.push(change),
            Err(_) if last && !ends_clean => out.torn_tail = true,
            Err(why) => out.damaged.push((i + 1, why)),
        }
    }
    Ok(out)
}

/// Opens the log for appending (created 0600; an existing one is narrowed to 0600). Refuses
/// what is not a regular file.
pub(super) fn open(path: &Path) -> io::Result<File> {
    if let Ok(meta) = std::fs::symlink_metadata(path)
        && !meta.is_file()
    {
        return Err(io::Error::other(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    crate::engine::fs::make_private(&file)?;
    Ok(file)
}

/// Holds the log's exclusive lock while alive (no lock where the platform has none).
pub(super) struct Locked<'a>(&'a File, bool);

impl<'a> Locked<'a> {
    pub(super) fn acquire(file: &'a File) -> io::Result<Self> {
        match file.lock() {
            Ok(()) => Ok(Self(file, true)),
            Err(e) if e.kind() == io::ErrorKind::Unsupported => Ok(Self(file, false)),
            Err(e) => Err(e),
        }
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        if self.1 {
            let _ = self.0.unlock();
        }
    }
}

/// Appends `changes` to the log in `file` with one write, after cutting a torn last line.
/// The caller holds the lock. Returns the log's size afterwards.
///
/// Not synced: the log is a cache of what replies taught, and the journal (synced before
/// and after every request) is the record. A crash may lose the last changes or leave half
/// a line, which the next load drops and the next append cuts; it never loses the file.
pub(super) fn append_locked(file: &File, changes: &[Change]) -> io::Result<u64> {
    let mut bytes = Vec::new();
    for change in changes {
        serde_json::to_writer(&mut bytes, change).map_err(io::Error::other)?;
        bytes.push(b'\n');
    }
    cut_torn_tail(file)?;
    if bytes.is_empty() {
        return Ok(file.metadata()?.len());
    }
    let before = file.metadata()?.len();
    let mut writer = file;
    if let Err(e) = writer.write_all(&bytes) {
        // Never leave half a line behind for the next writer to stick to.
        let _ = file.set_len(before);
        return Err(e);
    }
    Ok(before + bytes.len() as u64)
}

/// Cuts the file back to the end of its last complete line, if it does not end with one.
fn cut_torn_tail(file: &File) -> io::Result<()> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    let mut reader = file;
    let mut buf = vec![0u8; 64 * 1024];
    let mut end = len;
    let mut keep = 0;
    while end > 0 {
        let size = end.min(buf.len() as u64) as usize;
        let start = end - size as u64;
        reader.seek(SeekFrom::Start(start))?;
        reader.read_exact(&mut buf[..size])?;
        if end == len && buf[size - 1] == b'\n' {
            return Ok(());
        }
        if let Some(i) = buf[..size].iter().rposition(|&b| b == b'\n') {
            keep = start + i as u64 + 1;
            break;
        }
        end = start;
    }
    file.set_len(keep)?;
    file.sync_data()
}
