//! What the console remembers between runs, per profile: the Hive patrons it knows and
//! their last-confirmed tags (Hive has no read endpoint), and recent Cerego look-ups.
//!
//! Two files in the data dir:
//! - `workspace-PROFILE.json`, the snapshot: every known patron and the look-ups, written
//!   whole to a temporary file (0600), synced and renamed over the old one, so a crash
//!   leaves either the old or the new file. (This is the format tagdesk always used, so an
//!   older workspace loads as a snapshot with no changes.)
//! - `workspace-PROFILE.changes.jsonl`, the change log (see [`log`]): what changed since
//!   the snapshot, one line per change, appended. Saving after a reply costs O(change),
//!   not O(known patrons).
//!
//! Loading reads the snapshot, then applies the log's changes in order. The log is folded
//! into a new snapshot (compaction) when a load finds it larger than the snapshot (and than
//! [`COMPACT_MIN_BYTES`]) or holding damaged lines, or when an append takes it past
//! [`APPEND_COMPACT_BYTES`]; compaction runs under the log's lock so no concurrent append is
//! lost. A snapshot that cannot be read is moved aside
//! (`.corrupt-<time>`) and reported; so is a change log that cannot be read as a whole; a
//! damaged line is skipped and reported (a torn last line — a crash while appending — is
//! simply dropped). Nothing in these files stops tagdesk.

mod log;

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::core::model::{KnownPatron, KnownState};
use crate::core::redact::Redactor;
use crate::engine::fs::{MAX_WORKSPACE_BYTES, ReadError, read_text};
pub use log::{Answer, Change};

/// How many Cerego look-ups are remembered.
pub const MAX_LOOKUPS: usize = 20;

/// Loading folds the change log into the snapshot once the log is larger than the snapshot
/// and than this.
pub const COMPACT_MIN_BYTES: u64 = 1024 * 1024;

/// An append folds the log into the snapshot once the log is larger than this, so that it
/// stays readable (under [`MAX_WORKSPACE_BYTES`]) even when nothing loads the workspace (a
/// profile used only by scripts). Below it, compaction waits for the next load, which reads
/// everything anyway: a command never pays for it after a small change.
pub const APPEND_COMPACT_BYTES: u64 = MAX_WORKSPACE_BYTES / 2;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    #[serde(default)]
    pub patrons: Vec<KnownPatron>,
    /// Most recent first.
    #[serde(default)]
    pub cerego_lookups: Vec<String>,
    /// In a save: whether `patrons` is every known patron, or only those that changed
    /// since the last save. Not stored.
    #[serde(skip)]
    pub extent: Extent,
}

/// What a [`Workspace`] given to [`save`] holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Extent {
    /// Every known patron: saved as a new snapshot (saved patrons not in it are forgotten).
    #[default]
    Whole,
    /// The patrons added or changed since the last save: appended to the change log.
    Changes,
}

/// The snapshot file of `profile` in `dir`.
pub fn file_for(dir: &Path, profile: &str) -> PathBuf {
    dir.join(format!("workspace-{}.json", safe(profile)))
}

/// The change log of `profile` in `dir`.
pub fn changes_file_for(dir: &Path, profile: &str) -> PathBuf {
    dir.join(format!("workspace-{}.changes.jsonl", safe(profile)))
}

pub(crate) fn safe(profile: &str) -> String {
    profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Loads the workspace: the snapshot, then the change log's changes. Missing files are an
/// empty workspace; what cannot be read is set aside or skipped and reported in the second
/// value. Compacts the log when it is due (see the module's documentation).
pub fn load(dir: &Path, profile: &str) -> (Workspace, Option<String>) {
    let loaded = load_files(dir, profile);
    if !loaded.due() {
        return (loaded.workspace, joined(loaded.problems));
    }
    // Again under the log's lock, so that no change appended meanwhile is lost.
    let mut problems = loaded.problems;
    match compact(dir, profile) {
        Ok((again, notes)) => {
            problems.extend(again.problems);
            problems.extend(notes);
            problems.dedup();
            (again.workspace, joined(problems))
        }
        Err(e) => {
            problems.push(format!(
                "{}: the change log could not be folded into the snapshot: {e}",
                changes_file_for(dir, profile).display()
            ));
            (loaded.workspace, joined(problems))
        }
    }
}

fn joined(problems: Vec<String>) -> Option<String> {
    (!problems.is_empty()).then(|| problems.join("; "))
}

/// A workspace as read from its files, and what was found on the way.
struct Loaded {
    workspace: Workspace,
    problems: Vec<String>,
    snapshot_bytes: u64,
    log: log::LogContents,
    /// The change log exists but could not be read as a whole (too large, not a file…).
    log_unreadable: bool,
}

impl Loaded {
    /// Whether the log should be folded into a new snapshot.
    fn due(&self) -> bool {
        self.log.bytes > COMPACT_MIN_BYTES.max(self.snapshot_bytes)
            || !self.log.damaged.is_empty()
            || self.log.torn_tail
            || self.log_unreadable
    }
}

fn load_files(dir: &Path, profile: &str) -> Loaded {
    let mut problems = Vec::new();
    let (snapshot, snapshot_bytes) = match load_snapshot(&file_for(dir, profile)) {
        Ok(loaded) => loaded,
        Err(problem) => {
            problems.push(problem);
            (Workspace::default(), 0)
        }
    };
    let path = changes_file_for(dir, profile);
    let mut log_unreadable = false;
    let contents = match log::read(&path) {
        Ok(c) => c,
        Err(e) => {
            log_unreadable = true;
            problems.push(format!(
                "{}: the change log {e}; its changes are not used",
                path.display()
            ));
            log::LogContents::default()
        }
    };
    if contents.torn_tail {
        problems.push(format!(
            "{}: the last change was an incomplete write (tagdesk stopped while saving); it \
             was dropped",
            path.display()
        ));
    }
    if let Some((line, why)) = contents.damaged.first() {
        problems.push(format!(
            "{}: {} damaged line{} skipped (line {line}: {why})",
            path.display(),
            contents.damaged.len(),
            if contents.damaged.len() == 1 { "" } else { "s" }
        ));
    }
    let Workspace {
        patrons,
        mut cerego_lookups,
        ..
    } = snapshot;
    let mut known = KnownState::with_patrons(patrons);
    for change in contents.changes.iter().cloned() {
        change.apply(&mut known, &mut cerego_lookups);
    }
    Loaded {
        workspace: Workspace {
            patrons: known.hive.into_patrons(),
            cerego_lookups,
            extent: Extent::Whole,
        },
        problems,
        snapshot_bytes,
        log: contents,
        log_unreadable,
    }
}

/// Reads the snapshot: the workspace and its size, or why it could not be used. A damaged
/// one (not UTF-8, not the format) is moved aside (`.corrupt-<time>`); one that cannot be
/// read (too large, not a file, no permission) is left where it is.
fn load_snapshot(path: &Path) -> Result<(Workspace, u64), String> {
    let damaged = match read_text(path, MAX_WORKSPACE_BYTES) {
        Ok(text) => match serde_json::from_str::<Workspace>(&text) {
            Ok(w) => return Ok((w, text.len() as u64)),
            Err(e) => e.to_string(),
        },
        Err(ReadError::NotFound) => return Ok((Workspace::default(), 0)),
        Err(e @ ReadError::NotUtf8(_)) => e.to_string(),
        Err(e) => {
            return Err(format!(
                "{}: the workspace {e}; tagdesk starts with an empty one",
                path.display()
            ));
        }
    };
    let aside = path.with_extension(format!(
        "json.corrupt-{}",
        Utc::now().format("%Y%m%dT%H%M%S")
    ));
    let what = match std::fs::rename(path, &aside) {
        Ok(()) => format!("moved aside to {}", aside.display()),
        Err(m) => format!("could not be moved aside ({m})"),
    };
    Err(format!(
        "{}: the workspace file is damaged ({damaged}); it was {what} and tagdesk starts with \
         an empty one",
        path.display()
    ))
}

/// Folds the change log into a new snapshot and empties the log, under the log's lock.
/// Returns what was loaded, and notes (where a copy of an unreadable log was kept).
fn compact(dir: &Path, profile: &str) -> std::io::Result<(Loaded, Vec<String>)> {
    crate::engine::fs::create_private_dir(dir)?;
    let path = changes_file_for(dir, profile);
    let file = log::open(&path)?;
    let _lock = log::Locked::acquire(&file)?;
    let loaded = load_files(dir, profile);
    let mut notes = Vec::new();
    if !loaded.log.damaged.is_empty() || loaded.log_unreadable {
        // What this tagdesk could not read (a newer tagdesk's lines?) is kept in a copy.
        let aside = path.with_extension(format!(
            "jsonl.corrupt-{}",
            Utc::now().format("%Y%m%dT%H%M%S")
        ));
        std::fs::copy(&path, &aside)?;
        notes.push(format!(
            "{}: a copy of the change log was kept at {}",
            path.display(),
            aside.display()
        ));
    }
    write_snapshot(&file_for(dir, profile), &loaded.workspace)?;
    file.set_len(0)?;
    file.sync_data()?;
    Ok((loaded, notes))
}

/// Writes the snapshot as compact JSON (one line: at 100,000 known patrons 65% of the
/// indented form older tagdesks wrote; both read alike, by any tagdesk).
fn write_snapshot(path: &Path, workspace: &Workspace) -> std::io::Result<()> {
    let text = serde_json::to_vec(workspace).map_err(std::io::Error::other)?;
    crate::engine::fs::write_private(path, text)
}

/// Saves: a [`Extent::Whole`] workspace as a new snapshot (the change log emptied), a
/// [`Extent::Changes`] one by appending its patrons (and its look-ups, when it has any) to
/// the change log.
pub fn save(dir: &Path, profile: &str, workspace: &Workspace) -> std::io::Result<()> {
    match workspace.extent {
        Extent::Whole => {
            crate::engine::fs::create_private_dir(dir)?;
            let file = log::open(&changes_file_for(dir, profile))?;
            let _lock = log::Locked::acquire(&file)?;
            write_snapshot(&file_for(dir, profile), workspace)?;
            file.set_len(0)?;
            file.sync_data()
        }
        Extent::Changes => {
            let mut changes: Vec<Change> = workspace
                .patrons
                .iter()
                .cloned()
                .map(Change::Patron)
                .collect();
            if !workspace.cerego_lookups.is_empty() {
                changes.push(Change::Lookups(workspace.cerego_lookups.clone()));
            }
            append(dir, profile, &changes)
        }
    }
}

/// Appends changes to the change log (O(changes), whatever the workspace's size); compacts
/// it only when it has grown past [`APPEND_COMPACT_BYTES`].
pub fn append(dir: &Path, profile: &str, changes: &[Change]) -> std::io::Result<()> {
    append_compacting_past(dir, profile, changes, APPEND_COMPACT_BYTES)
}

fn append_compacting_past(
    dir: &Path,
    profile: &str,
    changes: &[Change],
    limit: u64,
) -> std::io::Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    crate::engine::fs::create_private_dir(dir)?;
    let file = log::open(&changes_file_for(dir, profile))?;
    let len = {
        let _lock = log::Locked::acquire(&file)?;
        log::append_locked(&file, changes)?
    };
    if len > limit {
        // The changes are saved either way; a compaction that fails now is tried again at
        // the next append or load.
        let _ = compact(dir, profile);
    }
    Ok(())
}

/// Saves the console's workspace off its thread, in the order the saves were asked for: a
/// thread of its own appends each change. Look-ups are written only when they differ from
/// the last ones written. Dropping it waits for what was asked to be written.
pub struct Saver {
    tx: Option<std::sync::mpsc::Sender<Workspace>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Saver {
    /// `lookups`: the look-ups the loaded workspace holds.
    pub fn start(dir: PathBuf, profile: String, lookups: Vec<String>) -> Self {
        Self::start_without_keys(dir, profile, lookups, Redactor::default())
    }

    /// [`Saver::start`], never writing a patron whose id, or a look-up that, is one of
    /// `keys` (a key typed as data is not remembered).
    pub fn start_without_keys(
        dir: PathBuf,
        profile: String,
        lookups: Vec<String>,
        keys: Redactor,
    ) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Workspace>();
        let thread = std::thread::Builder::new()
            .name("workspace".into())
            .spawn(move || write_in_turn(&dir, &profile, lookups, &keys, rx))
            .ok();
        Self {
            tx: thread.is_some().then_some(tx),
            thread,
        }
    }

    /// [`Saver::start_without_keys`] that first loads the workspace on its thread and hands
    /// it (and what could not be read of it) to `loaded`, so that whoever starts it need not
    /// wait for the load: saves asked for meanwhile are written after it, in order.
    pub fn start_loading(
        dir: PathBuf,
        profile: String,
        keys: Redactor,
        loaded: Box<dyn FnOnce(Workspace, Option<String>) + Send>,
    ) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Workspace>();
        let thread = std::thread::Builder::new()
            .name("workspace".into())
            .spawn(move || {
                let (workspace, problem) = load(&dir, &profile);
                let lookups = workspace.cerego_lookups.clone();
                loaded(workspace, problem);
                write_in_turn(&dir, &profile, lookups, &keys, rx);
            })
            .ok();
        Self {
            tx: thread.is_some().then_some(tx),
            thread,
        }
    }

    /// Asks for a save; never waits.
    pub fn save(&self, workspace: Workspace) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(workspace);
        }
    }
}

/// The saver's thread: each workspace asked for, written in turn; look-ups only when they
/// differ from the last ones written (`written`).
fn write_in_turn(
    dir: &Path,
    profile: &str,
    mut written: Vec<String>,
    keys: &Redactor,
    rx: std::sync::mpsc::Receiver<Workspace>,
) {
    for mut w in rx {
        if !keys.is_empty() {
            w.patrons.retain(|p| !keys.is_key(p.id.as_str()));
            w.cerego_lookups.retain(|l| !keys.is_key(l));
        }
        let lookups = w.cerego_lookups.clone();
        if w.extent == Extent::Changes && lookups == written {
            w.cerego_lookups.clear();
        }
        match save(dir, profile, &w) {
            Ok(()) => written = lookups,
            Err(e) => tracing::error!("saving the workspace: {e}"),
        }
    }
}

impl Drop for Saver {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests;
