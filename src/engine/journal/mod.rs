//! The append-only audit journal: one JSON Lines file per profile in the data directory.
//!
//! Every [`Op`] leaves two records, linked by id: an [`IntentRecord`] written *before* the
//! request goes out (what was about to happen, as the equivalent CLI command and the request
//! body, and which process sent it) and an [`OutcomeRecord`] written after it (status,
//! response body or error, duration). An intent without an outcome therefore means "sent, or
//! about to be sent, and nobody saw what happened" — which is exactly what an audit must be
//! able to say after a crash.
//!
//! Durability and integrity rules, and why:
//! - Each record is serialised whole, then written with a single `write_all` of line + `\n`
//!   and `sync_data` (fsync), under an advisory lock on the file so two tagdesk processes on
//!   the same profile never interleave lines. A failed write is rolled back to the previous
//!   length so a half line is never followed by a good one.
//! - Opening costs O(tail), not O(file): [`Journal::open`] looks at the last
//!   [`TAIL_WINDOW_BYTES`] only (the whole file when it is smaller, with line numbers). A
//!   torn last line (no line end and not a record, or a final line that is not JSON at all)
//!   is cut back to the end of the last good line and reported in [`OpenReport::torn_tail`].
//!   A last line that *is* a complete record but lost only its line end is kept and
//!   completed instead: cutting it would destroy a good record. Bad lines anywhere else are
//!   left exactly where they are and reported — an audit trail is never silently edited.
//!   [`Journal::open_to_append`] (a command sending one request) looks at the last line
//!   only. Opening takes no lock while it reads: the lock is taken only to repair or
//!   rotate, so concurrent commands on one profile never wait for each other's scan.
//! - Rotation: an active file of [`DEFAULT_ROTATE_BYTES`] or more is renamed to
//!   `journal-PROFILE.TIME.jsonl` before the next intent, and a new active file is started.
//!   Rotated files are kept (an audit trail is not pruned) and read by `tagdesk log`.
//! - The console's history ([`recent`]) reads backwards from the end; `tagdesk log`
//!   ([`stream`]) reads forwards in constant memory and seeks backwards for `--since`.
//! - Secrets never reach the disk: keys are redacted structurally (see `redact`), so a short
//!   key can never corrupt a record; a record that cannot be redacted without changing its
//!   meaning is refused rather than written.
//! - Files are created 0600 and the directory 0700 (unix). An existing journal file with
//!   wider permissions is narrowed to 0600; an existing directory is left alone, since
//!   `TAGDESK_DATA_DIR` may point at a directory tagdesk does not own.
//! - Nothing in the file can make the reader panic: invalid UTF-8, binary garbage, and lines
//!   over [`MAX_LINE_BYTES`] are reported as problems, never unwrapped.
//!
//! The exports used by `tagdesk log` (human, CSV, JSON lines) and `--since` parsing live in
//! the `export` submodule; the record types live in `record`, redaction in `redact`, line
//! scanning and tail repair in `scan`, reading backwards and streaming in `read`, and the
//! identity of the writing process in `writer`.

mod contents;
mod export;
mod files;
mod filter;
pub mod har;
mod read;
mod record;
mod redact;
mod scan;
mod writer;

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::core::op::Op;
use crate::core::redact::Redactor;

pub use crate::core::redact::REDACTED;
use contents::later_outcome_wins;
pub use contents::{Entry, JournalContents, each_record, entries, read};
pub use export::{
    csv_header, csv_row, human_entry, json_entry, parse_since, to_csv, to_human, to_json_lines,
};
use files::{FileLock, is_active, open_private_file, rotated_name};
pub use files::{file_for, files_of};
pub use filter::Filter;
pub use read::{RecentLines, StreamReport, recent, recent_lines, stream};
pub use record::{
    BatchCounts, BatchEvent, BatchRecord, BatchTag, DryRunRecord, IntentRecord,
    MAX_STORED_READ_BODY_BYTES, OutcomeError, OutcomeKind, OutcomeRecord, Record, RequestInfo,
    body_value,
};
pub use writer::Writer;

/// Where a problem was found: a line number when the file was read from its start, else a
/// byte offset (reading only the tail cannot count the lines before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spot {
    Line(usize),
    Byte(u64),
}

impl std::fmt::Display for Spot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Spot::Line(n) => write!(f, "line {n}"),
            Spot::Byte(b) => write!(f, "the line at byte {b}"),
        }
    }
}

/// Corrupt or otherwise unreadable lines: (1-based line number, reason).
pub type LineProblems = Vec<(usize, String)>;

/// Lines longer than this are reported as corrupt without being held in memory.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;
/// Request and response bodies longer than this are journaled as a truncated string (the
/// journal is for auditing, not for archiving data).
pub const MAX_STORED_BODY_BYTES: usize = 256 * 1024;
/// How much of the end of the journal [`Journal::open`] reads: enough for every request a
/// run can have in flight, small enough that a journal of any size opens at once.
pub const TAIL_WINDOW_BYTES: u64 = 4 * 1024 * 1024;
/// The size past which the active journal file is rotated (configurable: `[journal]
/// rotate_mib`).
pub const DEFAULT_ROTATE_BYTES: u64 = 32 * 1024 * 1024;
/// Longest profile part of a journal file name.
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
    /// tagdesk is quitting: what was in flight is journaled as abandoned, and nothing more is
    /// written through this handle (an answer arriving now would be a second outcome).
    #[error("journal {}: closed, tagdesk is quitting", path.display())]
    Closed { path: PathBuf },
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
    /// Lines that are not records, left in place (in the part of the file that was read).
    pub corrupt_lines: Vec<(Spot, String)>,
    /// Records read (in the part of the file that was read).
    pub records: usize,
    /// Where reading started: 0 when the whole file was read, else the start of the tail
    /// window (a journal larger than [`TAIL_WINDOW_BYTES`]).
    pub scanned_from: u64,
    /// Ids of intents without an outcome, in file order: requests that were in flight when a
    /// previous run ended without journaling them as abandoned, or that another tagdesk on
    /// the same profile is running right now. See [`Journal::abandon_orphans`].
    pub pending: Vec<String>,
    /// The writers of the pending intents, where the intent names one.
    pub writers: HashMap<String, Writer>,
    /// The file the active journal was rotated to when it was opened, if it was.
    pub rotated: Option<PathBuf>,
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
        for (spot, reason) in &self.corrupt_lines {
            out.push(format!(
                "journal {spot} is corrupt (left in place): {reason}"
            ));
        }
        out
    }
}

/// How a journal is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalOptions {
    /// Records are written for demo mode (commands say `--demo`).
    pub demo: bool,
    /// Rotate the active file once it reaches this many bytes.
    pub rotate_bytes: u64,
}

impl Default for JournalOptions {
    fn default() -> Self {
        Self {
            demo: false,
            rotate_bytes: DEFAULT_ROTATE_BYTES,
        }
    }
}

/// The open journal of one profile. Appends only.
pub struct Journal {
    path: PathBuf,
    profile: String,
    file: File,
    redactor: Redactor,
    options: JournalOptions,
    /// Intents written through this handle whose outcome is not written yet: the requests
    /// in flight, which a way out journals as abandoned ([`Journal::abandon_in_flight`]).
    in_flight: std::collections::BTreeSet<String>,
    /// Set once what was in flight was abandoned: nothing more is written.
    closed: bool,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .field("profile", &self.profile)
            .field("redactor", &self.redactor)
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
        Self::open_with(dir, profile, secrets, JournalOptions::default())
    }

    /// [`Journal::open`] with options (demo mode, rotation size).
    pub fn open_with(
        dir: &Path,
        profile: &str,
        secrets: Vec<String>,
        options: JournalOptions,
    ) -> Result<(Journal, OpenReport), JournalError> {
        Self::open_window(
            dir,
            profile,
            secrets,
            options,
            scan::Window::Tail(TAIL_WINDOW_BYTES),
        )
    }

    /// [`Journal::open_with`] for a command that sends one request and reads nothing back:
    /// only the last line is looked at (repaired if torn), whatever the size of the file.
    /// The report's `pending` and `corrupt_lines` then cover that line only.
    pub fn open_to_append(
        dir: &Path,
        profile: &str,
        secrets: Vec<String>,
        options: JournalOptions,
    ) -> Result<(Journal, OpenReport), JournalError> {
        Self::open_window(dir, profile, secrets, options, scan::Window::LastLine)
    }

    fn open_window(
        dir: &Path,
        profile: &str,
        secrets: Vec<String>,
        options: JournalOptions,
        window: scan::Window,
    ) -> Result<(Journal, OpenReport), JournalError> {
        create_private_dir(dir).map_err(JournalError::io(dir, "create the directory"))?;
        let path = file_for(dir, profile);
        let existed = path.exists();
        let mut file = open_private_file(&path)?;
        // Best effort: make a new directory entry durable too (an fsync of the directory
        // can take long on a busy disk, so only when the file is new).
        if !existed && let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        // The scan takes no lock, so tagdesk processes opening the same journal do not wait
        // for each other; the lock is taken only to repair or rotate, and the tail is looked
        // at again under it (another writer may have been in the middle of a line).
        let (mut report, fix) = scan::inspect(&file, &path, window)?;
        let len = |file: &File| {
            file.metadata()
                .map(|m| m.len())
                .map_err(JournalError::io(&path, "inspect"))
        };
        let full = |len: u64| len >= options.rotate_bytes.max(1);
        if fix.is_some() || full(len(&file)?) {
            let lock = FileLock::acquire(&file).map_err(JournalError::io(&path, "lock"))?;
            if fix.is_some() {
                let (again, fix) = scan::inspect(&file, &path, window)?;
                report = again;
                if let Some(fix) = fix {
                    scan::apply(&file, &path, fix)?;
                }
            }
            if !is_active(&file, &path) {
                // Another tagdesk rotated it meanwhile: append to the new active file.
                drop(lock);
                file = open_private_file(&path)?;
            } else if full(len(&file)?) {
                let to = rotated_name(&path);
                std::fs::rename(&path, &to).map_err(JournalError::io(&path, "rotate"))?;
                report.rotated = Some(to);
                drop(lock);
                file = open_private_file(&path)?;
            }
        }
        let journal = Journal {
            path,
            profile: profile.to_string(),
            file,
            redactor: Redactor::new(secrets),
            options,
            in_flight: std::collections::BTreeSet::new(),
            closed: false,
        };
        Ok((journal, report))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The keys this journal redacts.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Journals that `op` is about to be sent. Call it before sending; if it fails, the
    /// caller should not send a mutation it could not journal.
    pub fn record_intent(
        &mut self,
        id: &str,
        op: &Op,
        request: Option<RequestInfo>,
    ) -> Result<(), JournalError> {
        self.record_intent_with(id, op, request, None)
    }

    /// [`Journal::record_intent`] for a change whose prior value is known (a Cerego update).
    pub fn record_intent_with(
        &mut self,
        id: &str,
        op: &Op,
        request: Option<RequestInfo>,
        prior: Option<String>,
    ) -> Result<(), JournalError> {
        let mut intent = IntentRecord::at(id, &self.profile, self.options.demo, op, request);
        intent.prior = prior;
        self.append(&Record::Intent(Box::new(intent)))
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

    /// Journals as abandoned the pending intents of `report` whose writer is provably gone
    /// (a run that was killed); intents of a writer that is still running (a CLI waiting
    /// for its answer) are left alone. Returns the ids journaled.
    pub fn abandon_orphans(&mut self, report: &OpenReport) -> Result<Vec<String>, JournalError> {
        let mut done = Vec::new();
        for id in &report.pending {
            let gone = report.writers.get(id).is_none_or(Writer::is_gone);
            if !gone {
                continue;
            }
            let mut outcome = OutcomeRecord::abandoned(id);
            outcome.summary = "abandoned: the run that sent it ended before the outcome \
                               arrived (killed?); outcome unknown"
                .into();
            self.record_outcome(outcome)?;
            done.push(id.clone());
        }
        Ok(done)
    }

    /// Appends any record: redacted, whole, one write, fsync'd. On a failed write the file
    /// is cut back to its previous length so no partial line stays behind. The active file
    /// is rotated first when it has grown past the rotation size (before an intent, so a
    /// request's two records usually share a file; readers pair across files anyway).
    pub fn append(&mut self, record: &Record) -> Result<(), JournalError> {
        self.refuse_if_closed()?;
        let line = redact::redacted_line(record, &self.redactor).map_err(|reason| {
            JournalError::Record {
                path: self.path.clone(),
                reason,
            }
        })?;
        let mut bytes = line.into_bytes();
        bytes.push(b'\n');
        self.follow_rotation()?;
        if matches!(record, Record::Intent(_)) {
            self.rotate_if_full()?;
        }
        self.write_synced(&bytes)?;
        self.track(record);
        Ok(())
    }

    /// Appends several records with one write and one fsync (group commit): a batch's
    /// workers hand their intents and outcomes to one writer, so durability does not cap
    /// throughput. All or nothing: a failed write is cut back like [`Journal::append`].
    pub fn append_many(&mut self, records: &[Record]) -> Result<(), JournalError> {
        if records.is_empty() {
            return Ok(());
        }
        self.refuse_if_closed()?;
        let mut bytes = Vec::new();
        for record in records {
            let line = redact::redacted_line(record, &self.redactor).map_err(|reason| {
                JournalError::Record {
                    path: self.path.clone(),
                    reason,
                }
            })?;
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
        self.follow_rotation()?;
        if records.iter().any(|r| matches!(r, Record::Intent(_))) {
            self.rotate_if_full()?;
        }
        self.write_synced(&bytes)?;
        for record in records {
            self.track(record);
        }
        Ok(())
    }

    /// Keeps count of the requests in flight: an intent written starts one, its outcome
    /// ends it.
    fn track(&mut self, record: &Record) {
        match record {
            Record::Intent(intent) => {
                self.in_flight.insert(intent.id.clone());
            }
            Record::Outcome(outcome) => {
                self.in_flight.remove(&outcome.id);
            }
            Record::Batch(_) | Record::DryRun(_) => {}
        }
    }

    fn refuse_if_closed(&self) -> Result<(), JournalError> {
        if self.closed {
            return Err(JournalError::Closed {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    /// The requests in flight: intents written through this handle without an outcome.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Every way out of tagdesk (a quit, a signal, a lost terminal) passes here: each request
    /// still in flight — single or a batch's row — is journaled as abandoned (outcome
    /// unknown), and the journal takes nothing more, so an answer arriving afterwards cannot
    /// add a second outcome. Returns the ids journaled.
    pub fn abandon_in_flight(&mut self) -> Result<Vec<String>, JournalError> {
        let ids: Vec<String> = std::mem::take(&mut self.in_flight).into_iter().collect();
        let records: Vec<Record> = ids
            .iter()
            .map(|id| Record::Outcome(OutcomeRecord::abandoned(id)))
            .collect();
        let written = self.append_many(&records);
        self.closed = true;
        written.map(|()| ids)
    }

    /// One write of whole lines and an fsync, under the file lock; cut back on failure.
    fn write_synced(&mut self, bytes: &[u8]) -> Result<(), JournalError> {
        let _lock = FileLock::acquire(&self.file).map_err(JournalError::io(&self.path, "lock"))?;
        let before = self
            .file
            .metadata()
            .map_err(JournalError::io(&self.path, "read the size of"))?
            .len();
        if let Err(e) = (&self.file).write_all(bytes) {
            let _ = self.file.set_len(before);
            return Err(JournalError::io(&self.path, "append to")(e));
        }
        self.file
            .sync_data()
            .map_err(JournalError::io(&self.path, "sync"))
    }

    /// Another tagdesk rotated the file we hold: write to the new active file instead.
    fn follow_rotation(&mut self) -> Result<(), JournalError> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ours = self
                .file
                .metadata()
                .map_err(JournalError::io(&self.path, "inspect"))?;
            let same = std::fs::metadata(&self.path)
                .is_ok_and(|m| m.ino() == ours.ino() && m.dev() == ours.dev());
            if !same {
                self.file = open_private_file(&self.path)?;
            }
        }
        Ok(())
    }

    fn rotate_if_full(&mut self) -> Result<(), JournalError> {
        let lock = FileLock::acquire(&self.file).map_err(JournalError::io(&self.path, "lock"))?;
        // Another tagdesk may have rotated it while we waited for the lock: then the file we
        // hold is no longer the active one, and there is nothing to rotate.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ours = self
                .file
                .metadata()
                .map_err(JournalError::io(&self.path, "inspect"))?;
            let active = std::fs::metadata(&self.path)
                .is_ok_and(|m| m.ino() == ours.ino() && m.dev() == ours.dev());
            if !active {
                drop(lock);
                self.file = open_private_file(&self.path)?;
                return Ok(());
            }
        }
        let len = self
            .file
            .metadata()
            .map_err(JournalError::io(&self.path, "read the size of"))?
            .len();
        if len < self.options.rotate_bytes.max(1) {
            return Ok(());
        }
        let to = rotated_name(&self.path);
        std::fs::rename(&self.path, &to).map_err(JournalError::io(&self.path, "rotate"))?;
        drop(lock);
        self.file = open_private_file(&self.path)?;
        tracing::info!("journal rotated to {}", to.display());
        Ok(())
    }
}

pub use crate::engine::fs::create_private_dir;

#[cfg(test)]
mod tests;
