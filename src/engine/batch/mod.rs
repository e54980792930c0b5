//! Batches: one engine runs every plan (a CSV import, the console's marked rows, a resume,
//! an undo) for the console and the CLI alike.
//!
//! A batch is its plan file (`batches/BATCH_ID.json` in the data directory: the rows it
//! runs, so rows never sent can be found again) plus its journal records: a header (source
//! file and its SHA-256, profile, operation, rows, options), each row's intent and outcome
//! tagged with the batch id and the row's lines, and a closing record with the counts.
//! `history` reads batches back (list, show, resume, undo); `run` runs one; `report` says
//! how each row ended.

pub mod history;
mod limit;
pub mod lock;
mod queue;
pub mod recent;
pub mod report;
mod run;
pub mod stop;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::core::plan::file::PlanAudit;
use crate::core::plan::{BatchOp, PlanRow, RowError};
pub use limit::ConcurrencyReport;
pub use lock::{BatchLock, LockError, take as lock_batch};
pub use report::{RowOutcome, RowReport};
pub use run::{Control, Progress, RunContext, RunReport, run};
pub use stop::{DEFAULT_MAX_ERRORS, Stopped};

/// Requests in flight at once, unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// The most requests in flight at once.
pub const MAX_CONCURRENCY: usize = 32;

/// How many requests a batch keeps in flight (`--concurrency N|auto`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concurrency {
    /// At most this many, 1 to [`MAX_CONCURRENCY`].
    Fixed(usize),
    /// Adaptive ([`crate::core::aimd`]): starts at 4, grows while the server keeps up,
    /// halves on a 429 or 503, never above [`MAX_CONCURRENCY`].
    Auto,
}

impl Concurrency {
    pub fn is_auto(self) -> bool {
        self == Self::Auto
    }

    /// The limit it starts at.
    pub fn start(self) -> usize {
        match self {
            Self::Fixed(n) => n.clamp(1, MAX_CONCURRENCY),
            Self::Auto => crate::core::aimd::Aimd::START,
        }
    }
}

impl std::str::FromStr for Concurrency {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.eq_ignore_ascii_case("auto") {
            return Ok(Self::Auto);
        }
        match s.parse::<usize>() {
            Ok(n) if (1..=MAX_CONCURRENCY).contains(&n) => Ok(Self::Fixed(n)),
            _ => Err(format!(
                "\"{raw}\" is not a concurrency: give a number of requests in flight from 1 to \
                 {MAX_CONCURRENCY}, or auto (starts at 4, grows while the server keeps up, \
                 halves on 429/503)"
            )),
        }
    }
}

impl std::fmt::Display for Concurrency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Fixed(n) => write!(f, "{n}"),
            Self::Auto => write!(f, "auto"),
        }
    }
}

/// How a batch runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOptions {
    pub concurrency: Concurrency,
    /// Requests per second at most (None: unlimited).
    pub rate: Option<f64>,
    /// Gather the records of several workers into one write and one fsync (always, except
    /// in the benchmark that measures what it saves).
    pub group_commit: bool,
    /// Stop sending after this many rows refused or in error (`--max-errors`; a refused
    /// key stops at the first).
    pub max_errors: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            concurrency: Concurrency::Fixed(DEFAULT_CONCURRENCY),
            rate: None,
            group_commit: true,
            max_errors: DEFAULT_MAX_ERRORS,
        }
    }
}

/// A batch's plan as saved beside the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub batch_id: String,
    pub created_at: DateTime<Utc>,
    pub profile: String,
    #[serde(default)]
    pub demo: bool,
    pub op: BatchOp,
    /// The source file's name (`-`: standard input), if any.
    pub source: Option<String>,
    pub sha256: Option<String>,
    /// Data rows read from the source.
    pub data_rows: usize,
    pub rows: Vec<PlanRow>,
    /// Rows left out by `--skip-invalid`.
    #[serde(default)]
    pub skipped: Vec<RowError>,
    /// The batch or journal id this batch undoes.
    #[serde(default)]
    pub undo_of: Option<String>,
    /// What the plan could not do (rows an undo cannot reverse, and why).
    #[serde(default)]
    pub notes: Vec<String>,
    /// An undo: the rows whose undo tagdesk cannot decide (an attempt of unknown outcome
    /// and no knowledge of the tag before it), each with its line and tags. They are listed
    /// and the undo exits non-zero.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub check_by_hand: Vec<String>,
    /// `batch retry`: the batch whose failed rows this one sends again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_of: Option<String>,
    /// A plan applied from a plan file: its author and the approval it ran on
    /// (`author`, `approved_by`, `approved_at`).
    #[serde(flatten)]
    pub audit: PlanAudit,
}

impl SavedPlan {
    /// A plan of no rows (for a summary of a file that could not be planned).
    pub fn empty(op: BatchOp) -> Self {
        Self {
            batch_id: String::new(),
            created_at: Utc::now(),
            profile: String::new(),
            demo: false,
            op,
            source: None,
            sha256: None,
            data_rows: 0,
            rows: Vec::new(),
            skipped: Vec::new(),
            undo_of: None,
            notes: Vec::new(),
            check_by_hand: Vec::new(),
            retry_of: None,
            audit: PlanAudit::default(),
        }
    }

    /// Whether the batch belongs to `profile` (and demo mode, or not): a batch is shown,
    /// resumed and undone only where it was made, for its journal is that profile's.
    pub fn belongs_to(&self, profile: &str, demo: bool) -> bool {
        self.profile == profile && self.demo == demo
    }

    /// The rows that send a request, by index.
    pub fn to_send(&self) -> Vec<usize> {
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.unchanged)
            .map(|(i, _)| i)
            .collect()
    }
}

/// Where batch plans are kept.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("batches")
}

fn file_for(data_dir: &Path, batch_id: &str) -> Result<PathBuf, String> {
    let safe = !batch_id.is_empty()
        && batch_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !safe {
        return Err(format!("\"{batch_id}\" is not a batch id"));
    }
    Ok(dir(data_dir).join(format!("{batch_id}.json")))
}

/// Saves a plan (0600, written whole then renamed, so a crash leaves the old or the new).
pub fn save(data_dir: &Path, plan: &SavedPlan) -> Result<(), String> {
    let path = file_for(data_dir, &plan.batch_id)?;
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    crate::engine::fs::create_private_dir(data_dir).map_err(fail)?;
    crate::engine::fs::create_private_dir(&dir(data_dir)).map_err(fail)?;
    let text = serde_json::to_vec(plan).map_err(|e| e.to_string())?;
    crate::engine::fs::write_private(&path, text).map_err(fail)
}

/// What a `.running` marker holds: the process running the batch, and the profile (and
/// demo mode) it runs on, so each profile finds only its own unfinished batches.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Marker {
    #[serde(flatten)]
    writer: crate::engine::journal::Writer,
    /// Absent in markers of older versions: the plan file says then.
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    demo: bool,
}

/// Marks a batch as running in this process (`batches/BATCH_ID.running`, holding the
/// writer's identity and the batch's profile), so the next start on that profile can find
/// a batch a crash left unfinished without reading the journal. Best effort: the journal
/// stays the record.
pub fn mark_running(data_dir: &Path, batch_id: &str, profile: &str, demo: bool) {
    let Ok(path) = file_for(data_dir, batch_id).map(|p| p.with_extension("running")) else {
        return;
    };
    let _ = crate::engine::fs::create_private_dir(data_dir);
    let _ = crate::engine::fs::create_private_dir(&dir(data_dir));
    let marker = Marker {
        writer: crate::engine::journal::Writer::current().clone(),
        profile: Some(profile.to_string()),
        demo,
    };
    if let Ok(text) = serde_json::to_vec(&marker)
        && let Err(e) = crate::engine::fs::write_private(&path, text)
    {
        tracing::warn!("{}: {e}", path.display());
    }
}

/// The batch's run ended (finished or cancelled): it is no longer unfinished.
pub fn mark_ended(data_dir: &Path, batch_id: &str) {
    if let Ok(path) = file_for(data_dir, batch_id).map(|p| p.with_extension("running")) {
        let _ = std::fs::remove_file(path);
    }
}

/// The batches of `profile` (and demo mode, or not) whose run ended without closing them
/// (their process is gone), newest first. Other profiles' markers are left alone.
pub fn unfinished(data_dir: &Path, profile: &str, demo: bool) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir(data_dir)) else {
        return Vec::new();
    };
    let mut found: Vec<(std::time::SystemTime, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let id = name.strip_suffix(".running")?.to_string();
            let text = std::fs::read(e.path()).ok()?;
            let marker: Marker = serde_json::from_slice(&text).ok()?;
            let ours = match &marker.profile {
                Some(p) => p == profile && marker.demo == demo,
                None => header(data_dir, &id).is_some_and(|h| h.belongs_to(profile, demo)),
            };
            let when = e.metadata().and_then(|m| m.modified()).ok()?;
            (ours && marker.writer.is_gone()).then_some((when, id))
        })
        .collect();
    found.sort();
    found.into_iter().rev().map(|(_, id)| id).collect()
}

/// A plan file's header: who made the batch, and what it is, without its rows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PlanHeader {
    pub batch_id: String,
    pub created_at: DateTime<Utc>,
    pub profile: String,
    #[serde(default)]
    pub demo: bool,
    pub op: BatchOp,
    pub source: Option<String>,
    pub data_rows: usize,
    #[serde(default)]
    pub undo_of: Option<String>,
    #[serde(default)]
    pub retry_of: Option<String>,
    #[serde(flatten)]
    pub audit: PlanAudit,
}

impl PlanHeader {
    pub fn belongs_to(&self, profile: &str, demo: bool) -> bool {
        self.profile == profile && self.demo == demo
    }
}

/// The header of the plan of `batch_id`, if its file can be read.
fn header(data_dir: &Path, batch_id: &str) -> Option<PlanHeader> {
    let path = file_for(data_dir, batch_id).ok()?;
    let text = crate::engine::fs::read_text(&path, MAX_PLAN_BYTES).ok()?;
    serde_json::from_str(&text).ok()
}

/// The headers of every readable plan file in `batches/`, any profile's. Temporary files a
/// dead process left behind (`*.tmp-PID`) are removed on the way.
pub fn plan_headers(data_dir: &Path) -> Vec<PlanHeader> {
    let Ok(entries) = std::fs::read_dir(dir(data_dir)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name
            .rsplit_once(".tmp-")
            .and_then(|(_, p)| p.parse::<u32>().ok())
        {
            let gone = crate::engine::journal::Writer {
                pid,
                start: None,
                boot: None,
            }
            .is_gone();
            if gone && pid != std::process::id() {
                let _ = std::fs::remove_file(e.path());
            }
            continue;
        }
        if let Some(id) = name.strip_suffix(".json")
            && let Some(h) = header(data_dir, id)
        {
            out.push(h);
        }
    }
    out
}

/// Plans larger than this are not read back (a 100,000-row plan is about 15 MiB).
const MAX_PLAN_BYTES: u64 = 512 * 1024 * 1024;

/// Loads a saved plan.
pub fn load(data_dir: &Path, batch_id: &str) -> Result<SavedPlan, String> {
    use crate::engine::fs::{ReadError, read_text};
    let path = file_for(data_dir, batch_id)?;
    match read_text(&path, MAX_PLAN_BYTES) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| format!("{}: the batch plan cannot be read: {e}", path.display())),
        Err(ReadError::NotFound) => Err(format!(
            "no batch {batch_id} in {} (see `tagdesk batch list`)",
            dir(data_dir).display()
        )),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Batch files larger than this are refused (a million rows of a typical export is far
/// smaller).
pub const MAX_SOURCE_BYTES: u64 = 256 * 1024 * 1024;

/// The bytes of `file` (`-`: standard input), within [`MAX_SOURCE_BYTES`].
pub fn read_source(file: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    if file == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_SOURCE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("standard input could not be read: {e}"))?;
    } else {
        // Looked at before it is opened: opening a FIFO waits for a writer, for ever.
        let not_regular = |meta: &std::fs::Metadata| {
            (!meta.is_file()).then(|| {
                format!(
                    "{file} is not a regular file ({}): give a file, or `-` to read standard \
                     input",
                    file_kind(meta)
                )
            })
        };
        let meta = std::fs::metadata(file).map_err(|e| format!("{file}: {e}"))?;
        if let Some(e) = not_regular(&meta) {
            return Err(e);
        }
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            // Should it have been swapped for a FIFO since, the open does not wait.
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(nix::libc::O_NONBLOCK);
        }
        let f = options.open(file).map_err(|e| format!("{file}: {e}"))?;
        let meta = f.metadata().map_err(|e| format!("{file}: {e}"))?;
        if let Some(e) = not_regular(&meta) {
            return Err(e);
        }
        f.take(MAX_SOURCE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{file}: {e}"))?;
    }
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(format!(
            "{file} is larger than {} MiB: split it into several files",
            MAX_SOURCE_BYTES >> 20
        ));
    }
    Ok(bytes)
}

/// What a file that is not a regular file is, in words.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    "not a plain file"
}

/// The SHA-256 of `bytes`, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_is_auto_or_1_to_32() {
        assert_eq!("auto".parse(), Ok(Concurrency::Auto));
        assert_eq!(" Auto ".parse(), Ok(Concurrency::Auto));
        assert_eq!("16".parse(), Ok(Concurrency::Fixed(16)));
        assert_eq!(Concurrency::Auto.start(), 4);
        assert_eq!(Concurrency::Fixed(9).to_string(), "9");
        for bad in ["0", "33", "many", "", "1.5"] {
            let e = bad.parse::<Concurrency>().unwrap_err();
            assert!(e.contains("1 to 32, or auto"), "{bad}: {e}");
        }
    }

    #[test]
    fn batches_stop_after_20_errors_unless_told_otherwise() {
        // The console runs its batches with the default options.
        assert_eq!(RunOptions::default().max_errors, 20);
        assert_eq!(DEFAULT_MAX_ERRORS, 20);
    }

    #[test]
    fn a_batch_whose_process_is_gone_is_unfinished_until_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        mark_running(dir.path(), "mine", "staging", false);
        assert!(dir.path().join("batches/mine.running").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(dir.path().join("batches/mine.running")).unwrap();
            assert_eq!(
                meta.permissions().mode() & 0o777,
                0o600,
                "markers are private"
            );
        }
        assert!(
            unfinished(dir.path(), "staging", false).is_empty(),
            "this process is alive"
        );
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = crate::engine::journal::Writer {
            pid: child.id(),
            start: None,
            boot: None,
        };
        child.wait().unwrap();
        std::fs::write(
            dir.path().join("batches").join("crashed.running"),
            serde_json::to_vec(&gone).unwrap(),
        )
        .unwrap();
        // A marker of an older version names no profile: the plan file says.
        let mut plan = SavedPlan::empty(BatchOp::HiveAdd);
        plan.batch_id = "crashed".into();
        plan.profile = "staging".into();
        save(dir.path(), &plan).unwrap();
        assert_eq!(unfinished(dir.path(), "staging", false), ["crashed"]);
        assert!(unfinished(dir.path(), "prod", false).is_empty());
        assert!(unfinished(dir.path(), "staging", true).is_empty());
        let theirs = Marker {
            writer: gone.clone(),
            profile: Some("prod".into()),
            demo: false,
        };
        std::fs::write(
            dir.path().join("batches").join("theirs.running"),
            serde_json::to_vec(&theirs).unwrap(),
        )
        .unwrap();
        assert_eq!(
            unfinished(dir.path(), "staging", false),
            ["crashed"],
            "another profile's unfinished batch is not offered here"
        );
        assert_eq!(unfinished(dir.path(), "prod", false), ["theirs"]);
        mark_ended(dir.path(), "crashed");
        assert!(unfinished(dir.path(), "staging", false).is_empty());
        assert!(file_for(dir.path(), "../x").is_err(), "ids are not paths");
    }
}
