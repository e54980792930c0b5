//! The append-only audit journal: one JSON Lines file per profile in the data directory.
//!
//! Every [`Op`] leaves two records, linked by id: an [`IntentRecord`] written *before* the
//! request goes out (what was about to happen, as the equivalent CLI command and the request
//! body) and an [`OutcomeRecord`] written after it (status, response body or error, duration).
//! An intent without an outcome therefore means "sent, or about to be sent, and nobody saw
//! what happened" — which is exactly what an audit must be able to say after a crash.
//!
//! Durability and integrity rules, and why:
//! - Each record is serialised whole, then written with a single `write_all` of line + `\n`
//!   and `sync_data` (fsync), under an advisory lock on the file so two tagdesk processes on
//!   the same profile never interleave lines. A failed write is rolled back to the previous
//!   length so a half line is never followed by a good one.
//! - On [`Journal::open`] the file is scanned. A torn last line (no line end and not a
//!   record, or a final line that is not JSON at all) is cut back to the end of the last good
//!   line and reported in [`OpenReport::torn_tail`]. A last line that *is* a complete record
//!   but lost only its line end is kept and completed instead: cutting it would destroy a
//!   good record. Bad lines anywhere else are left exactly where they are and reported with
//!   their line numbers — an audit trail is never silently edited.
//! - Secrets never reach the disk: every string in the record (values and object keys,
//!   request and response bodies, error messages) has each secret replaced by
//!   [`REDACTED`], and the serialised text is checked again for the raw and the
//!   JSON-escaped form of each secret. A line is only written if it still reads back as a
//!   record; a record that cannot be redacted without becoming unreadable (a secret that
//!   coincides with the journal's own structure, such as a numeric id) is refused with an
//!   error rather than written.
//! - Files are created 0600 and the directory 0700 (unix). An existing journal file with
//!   wider permissions is narrowed to 0600; an existing directory is left alone, since
//!   `TAGDESK_DATA_DIR` may point at a directory tagdesk does not own.
//! - Nothing in the file can make the reader panic: invalid UTF-8, binary garbage, and lines
//!   over [`MAX_LINE_BYTES`] are reported as problems, never unwrapped.
//!
//! The exports used by `tagdesk log` (human, CSV, JSON lines) and `--since` parsing live in
//! the `export` submodule and are re-exported here; the record types live in `record`,
//! redaction in `redact`, and line scanning and tail repair in `scan`.

mod export;
mod record;
mod redact;
mod scan;

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::op::Op;

pub use export::{parse_since, to_csv, to_human, to_json_lines};
pub use record::{
    IntentRecord, OutcomeError, OutcomeKind, OutcomeRecord, Record, RequestInfo, body_value,
};

/// Corrupt or otherwise unreadable lines: (1-based line number, reason).
pub type LineProblems = Vec<(usize, String)>;

/// What every occurrence of a secret is replaced with.
pub const REDACTED: &str = "[redacted]";
/// Lines longer than this are reported as corrupt without being held in memory.
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;
/// Request and response bodies longer than this are journaled as a truncated string (a
/// full user list can be megabytes; the journal is for auditing, not for archiving data).
pub const MAX_STORED_BODY_BYTES: usize = 256 * 1024;
/// Longest profile part of a journal file name.
const MAX_PROFILE_FILE_CHARS: usize = 100;

/// The journal file for `profile` in `dir`: `dir/journal-<profile>.jsonl`.
///
/// The profile name is made safe for a file name: ASCII letters, digits, `_` and `-` are
/// kept, every other character becomes `_`, an empty name becomes `_`, and the name is cut
/// at 100 characters. Two profiles whose names differ only in such characters share a file;
/// every record also carries the exact profile name, so they can still be told apart.
pub fn file_for(dir: &Path, profile: &str) -> PathBuf {
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
    dir.join(format!("journal-{safe}.jsonl"))
}

/// A fresh record id, unique across process restarts: the process start in unix
/// milliseconds (hex), the process id (hex) and a process-wide counter.
pub fn new_id() -> String {
    static START: OnceLock<u64> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let start = *START.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{start:x}-{:x}-{n}", std::process::id())
}

/// Why the journal could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal {}: could not {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
    /// A record that could not be turned into a safe, readable line; nothing was written.
    #[error("journal {}: {reason}", path.display())]
    Record { path: PathBuf, reason: String },
}

impl JournalError {
    fn io(path: &Path, action: &'static str) -> impl FnOnce(io::Error) -> JournalError {
        let path = path.to_path_buf();
        move |source| JournalError::Io {
            path,
            action,
            source,
        }
    }
}

/// What [`Journal::open`] found and repaired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// What was cut from the end of the file, described with its byte count.
    pub torn_tail: Option<String>,
    /// The last line was a complete record missing only its line end; the line end was added.
    pub newline_added: bool,
    /// Lines (1-based) that are not records, left in place.
    pub corrupt_lines: LineProblems,
    /// Records read.
    pub records: usize,
    /// Ids of intents without an outcome, in file order: requests that were in flight when a
    /// previous run ended without journaling them as abandoned (or that another tagdesk on
    /// the same profile is running right now). See [`Journal::record_abandoned`].
    pub pending: Vec<String>,
}

impl OpenReport {
    /// Nothing was repaired and nothing is corrupt.
    pub fn is_clean(&self) -> bool {
        self.torn_tail.is_none() && !self.newline_added && self.corrupt_lines.is_empty()
    }

    /// One sentence per finding, for the action log or stderr.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(t) = &self.torn_tail {
            out.push(format!("journal: {t}"));
        }
        if self.newline_added {
            out.push("journal: the last record had lost its line end; it was added".into());
        }
        for (line, reason) in &self.corrupt_lines {
            out.push(format!(
                "journal line {line} is corrupt (left in place): {reason}"
            ));
        }
        out
    }
}

/// The open journal of one profile. Appends only.
pub struct Journal {
    path: PathBuf,
    profile: String,
    file: File,
    /// Non-empty, longest first (so a secret containing another is redacted whole).
    secrets: Vec<String>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .field("profile", &self.profile)
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .finish()
    }
}

impl Journal {
    /// Opens (creating if needed) the journal of `profile` in `dir`, repairing a torn tail.
    /// `secrets` (API keys) are redacted from every record written; empty strings are
    /// ignored.
    pub fn open(
        dir: &Path,
        profile: &str,
        secrets: Vec<String>,
    ) -> Result<(Journal, OpenReport), JournalError> {
        create_private_dir(dir).map_err(JournalError::io(dir, "create the directory"))?;
        let path = file_for(dir, profile);
        let file = open_private_file(&path)?;
        // Best effort: make the new directory entry durable too.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        let report = {
            let _lock = FileLock::acquire(&file).map_err(JournalError::io(&path, "lock"))?;
            scan::repair(&file, &path)?
        };
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        let journal = Journal {
            path,
            profile: profile.to_string(),
            file,
            secrets,
        };
        Ok((journal, report))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// Journals that `op` is about to be sent. Call it before sending; if it fails, the
    /// caller should not send a mutation it could not journal.
    pub fn record_intent(
        &mut self,
        id: &str,
        op: &Op,
        request: Option<RequestInfo>,
    ) -> Result<(), JournalError> {
        let intent = IntentRecord::new(id, &self.profile, op, request);
        self.append(&Record::Intent(intent))
    }

    /// Journals how a request ended.
    pub fn record_outcome(&mut self, outcome: OutcomeRecord) -> Result<(), JournalError> {
        self.append(&Record::Outcome(outcome))
    }

    /// Journals each id as abandoned (tagdesk quit with it in flight; outcome unknown).
    pub fn record_abandoned<'a>(
        &mut self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), JournalError> {
        for id in ids {
            self.record_outcome(OutcomeRecord::abandoned(id))?;
        }
        Ok(())
    }

    /// Appends any record: redacted, whole, one write, fsync'd. On a failed write the file
    /// is cut back to its previous length so no partial line stays behind.
    pub fn append(&mut self, record: &Record) -> Result<(), JournalError> {
        let line = redact::redacted_line(record, &self.secrets).map_err(|reason| {
            JournalError::Record {
                path: self.path.clone(),
                reason,
            }
        })?;
        let mut bytes = line.into_bytes();
        bytes.push(b'\n');
        let _lock = FileLock::acquire(&self.file).map_err(JournalError::io(&self.path, "lock"))?;
        let before = self
            .file
            .metadata()
            .map_err(JournalError::io(&self.path, "read the size of"))?
            .len();
        if let Err(e) = (&self.file).write_all(&bytes) {
            let _ = self.file.set_len(before);
            return Err(JournalError::io(&self.path, "append to")(e));
        }
        self.file
            .sync_data()
            .map_err(JournalError::io(&self.path, "sync"))
    }
}

/// Holds an exclusive advisory lock for its lifetime; platforms without file locks get no
/// lock rather than an error.
struct FileLock<'a>(Option<&'a File>);

impl<'a> FileLock<'a> {
    fn acquire(file: &'a File) -> io::Result<Self> {
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

/// Creates `dir` (and its parents) 0700 on unix; an existing directory is left alone.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn open_private_file(path: &Path) -> Result<File, JournalError> {
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

/// Everything a journal file holds, in file order, plus what could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalContents {
    pub records: Vec<Record>,
    /// (1-based line, reason): corrupt lines, an incomplete last line, outcomes without an
    /// intent before them.
    pub problems: LineProblems,
}

/// Reads a journal file without changing it. A file that does not exist reads as empty
/// (a profile that never sent anything has no journal yet).
pub fn read(path: &Path) -> Result<JournalContents, JournalError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(JournalContents::default()),
        Err(e) => return Err(JournalError::io(path, "open")(e)),
    };
    let mut contents = JournalContents::default();
    let mut intents: HashSet<String> = HashSet::new();
    scan::scan_lines(&file, MAX_LINE_BYTES, |line| {
        let (meta, parsed) = line.split();
        match parsed {
            scan::Parsed::Record(record) => {
                match &*record {
                    Record::Intent(i) => {
                        intents.insert(i.id.clone());
                    }
                    Record::Outcome(o) if !intents.contains(&o.id) => {
                        contents.problems.push((
                            meta.number,
                            format!("an outcome for id {} without an intent before it", o.id),
                        ));
                    }
                    Record::Outcome(_) => {}
                }
                contents.records.push(*record);
            }
            scan::Parsed::Unknown(reason) => contents.problems.push((meta.number, reason)),
            scan::Parsed::Invalid(reason) if !meta.terminated => contents.problems.push((
                meta.number,
                format!(
                    "an incomplete last line of {} bytes, an interrupted write ({reason})",
                    meta.len
                ),
            )),
            scan::Parsed::Invalid(reason) => contents.problems.push((meta.number, reason)),
        }
    })
    .map_err(JournalError::io(path, "read"))?;
    Ok(contents)
}

/// One Op as the log shows it: its intent and, once known, its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub intent: IntentRecord,
    pub outcome: Option<OutcomeRecord>,
}

impl Entry {
    pub fn id(&self) -> &str {
        &self.intent.id
    }

    pub fn time(&self) -> DateTime<Utc> {
        self.intent.time
    }

    /// No outcome recorded: still in flight, or a run ended without journaling it (outcome
    /// unknown).
    pub fn is_pending(&self) -> bool {
        self.outcome.is_none()
    }

    /// `ok`, `http_error`, ..., `abandoned`, or `pending` when no outcome is recorded.
    pub fn result_label(&self) -> &'static str {
        self.outcome
            .as_ref()
            .map_or("pending", |o| o.result.as_str())
    }

    pub fn status(&self) -> Option<u16> {
        self.outcome.as_ref().and_then(|o| o.status)
    }

    pub fn summary(&self) -> &str {
        self.outcome.as_ref().map_or(
            "no outcome recorded (in flight, or tagdesk stopped first: outcome unknown)",
            |o| o.summary.as_str(),
        )
    }
}

/// Pairs intents with their outcomes by id, in intent order. An outcome without an intent
/// is left out (`read` reports it). If an id has several outcomes, a real one beats
/// `abandoned` whichever came first (at quit, an answer can land just before or just after
/// the in-flight requests are journaled as abandoned); otherwise the last one wins.
pub fn entries(records: impl IntoIterator<Item = Record>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for record in records {
        match record {
            Record::Intent(intent) => {
                index.insert(intent.id.clone(), out.len());
                out.push(Entry {
                    intent,
                    outcome: None,
                });
            }
            Record::Outcome(outcome) => {
                if let Some(&i) = index.get(&outcome.id)
                    && let Some(entry) = out.get_mut(i)
                {
                    let keep_earlier = outcome.result == OutcomeKind::Abandoned
                        && entry
                            .outcome
                            .as_ref()
                            .is_some_and(|o| o.result != OutcomeKind::Abandoned);
                    if !keep_earlier {
                        entry.outcome = Some(outcome);
                    }
                }
            }
        }
    }
    out
}

/// The last `n` entries of a journal file and the problems found reading it, for the
/// console's action log at start.
pub fn recent(path: &Path, n: usize) -> Result<(Vec<Entry>, LineProblems), JournalError> {
    let contents = read(path)?;
    let mut all = entries(contents.records);
    let skip = all.len().saturating_sub(n);
    all.drain(..skip);
    Ok((all, contents.problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let a = new_id();
        let b = new_id();
        assert_ne!(a, b);
        assert_eq!(a.split('-').count(), 3);
    }

    #[test]
    fn file_names_are_sanitised() {
        let d = Path::new("/d");
        assert_eq!(file_for(d, "work"), Path::new("/d/journal-work.jsonl"));
        assert_eq!(
            file_for(d, "a/../b é"),
            Path::new("/d/journal-a____b__.jsonl")
        );
        assert_eq!(file_for(d, ""), Path::new("/d/journal-_.jsonl"));
    }
}
