//! Reading a journal of any size: backwards from the end for the console's history, and
//! forwards in constant memory (seeking backwards first for `--since`) for `tagdesk log`.
//!
//! Neither ever holds the file in memory: the console reads at most [`RECENT_BUDGET_BYTES`]
//! from the end, and `tagdesk log` holds only the entries still waiting for their outcome
//! (bounded by [`PAIRING_WINDOW_BYTES`]).

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::scan::{self, Parsed};
use super::{
    BatchRecord, Entry, JournalError, MAX_LINE_BYTES, OutcomeKind, OutcomeRecord, Record, Spot,
    files_of, later_outcome_wins,
};

/// The most the console's history reads from the end of the journal.
pub const RECENT_BUDGET_BYTES: u64 = 16 * 1024 * 1024;
/// The most `tagdesk log` holds of entries waiting for their outcome before it prints the
/// oldest as it stands (an outcome normally follows its intent within a minute).
pub const PAIRING_WINDOW_BYTES: usize = 64 * 1024 * 1024;
/// Records are written in time order, but several writers interleave: `--since` keeps
/// reading back this far past the first record older than the limit.
const SINCE_SLACK_MINUTES: i64 = 10;
const CHUNK: usize = 64 * 1024;

/// One line read backwards.
enum BackLine {
    Line {
        start: u64,
        bytes: Vec<u8>,
    },
    /// A line longer than the limit ends at this offset; nothing before it is read.
    TooLong {
        end: u64,
    },
}

/// The lines of a file from the last to the first, reading chunks backwards.
struct Backward<'a> {
    file: &'a File,
    chunk: Vec<u8>,
    chunk_start: u64,
    /// The end (exclusive) of the next line to return; None when done.
    seg_end: Option<u64>,
    read: u64,
}

impl<'a> Backward<'a> {
    fn new(file: &'a File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        let mut me = Self {
            file,
            chunk: Vec::new(),
            chunk_start: len,
            seg_end: None,
            read: 0,
        };
        if len > 0 {
            me.load(len.saturating_sub(1), len)?;
            let ends_with_newline = me.chunk.last() == Some(&b'\n');
            me.seg_end = Some(if ends_with_newline { len - 1 } else { len });
        }
        Ok(me)
    }

    fn load(&mut self, start: u64, end: u64) -> io::Result<()> {
        let size = (end - start) as usize;
        self.chunk.resize(size, 0);
        let mut f = self.file;
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut self.chunk)?;
        self.chunk_start = start;
        self.read += size as u64;
        Ok(())
    }

    fn next_line(&mut self) -> io::Result<Option<BackLine>> {
        let Some(end) = self.seg_end else {
            return Ok(None);
        };
        loop {
            let cached = end >= self.chunk_start
                && end <= self.chunk_start + self.chunk.len() as u64
                && !self.chunk.is_empty();
            if cached {
                let upto = (end - self.chunk_start) as usize;
                if let Some(i) = self.chunk[..upto].iter().rposition(|&b| b == b'\n') {
                    let start = self.chunk_start + i as u64 + 1;
                    let bytes = self.chunk[i + 1..upto].to_vec();
                    self.seg_end = Some(start - 1);
                    return Ok(Some(BackLine::Line { start, bytes }));
                }
                if self.chunk_start == 0 {
                    let bytes = self.chunk[..upto].to_vec();
                    self.seg_end = None;
                    return Ok(Some(BackLine::Line { start: 0, bytes }));
                }
                let have = end - self.chunk_start;
                if have > MAX_LINE_BYTES as u64 {
                    self.seg_end = None;
                    return Ok(Some(BackLine::TooLong { end }));
                }
                let want = (have * 2).max(CHUNK as u64);
                self.load(end.saturating_sub(want), end)?;
            } else {
                self.load(end.saturating_sub(CHUNK as u64), end)?;
            }
        }
    }
}

/// The parts of a record `--since` needs to read.
#[derive(Deserialize)]
struct TimeOnly {
    time: DateTime<Utc>,
}

/// The last `n` entries of a journal (its rotated files included) and the problems met
/// reading them, for the console's action log at start. Reads backwards from the end, at
/// most [`RECENT_BUDGET_BYTES`], whatever the size of the journal.
/// Lines that could not be read, and where.
pub type SpotProblems = Vec<(Spot, String)>;

pub fn recent(path: &Path, n: usize) -> Result<(Vec<Entry>, SpotProblems), JournalError> {
    read_back(path, n, false).map(|r| (r.entries, r.problems))
}

/// What [`recent_lines`] read from the end of a journal.
#[derive(Debug, Clone, Default)]
pub struct RecentLines {
    /// The entries of the last lines, oldest first: a batch's rows all count as one line.
    pub entries: Vec<Entry>,
    /// The batch records (start, resume, end) read on the way, oldest first.
    pub batches: Vec<BatchRecord>,
    pub problems: SpotProblems,
}

/// The entries of the last `n` lines of the console's action log, where every row of a
/// batch belongs to one line (the batch's) and every other entry is a line of its own, and
/// the batch records read on the way: a 400-row batch costs the history one line, not 400,
/// so the hand-made changes before it stay. Reads backwards from the end, at most
/// [`RECENT_BUDGET_BYTES`], like [`recent`].
pub fn recent_lines(path: &Path, n: usize) -> Result<RecentLines, JournalError> {
    read_back(path, n, true)
}

/// Reads entries backwards until `n` lines were found (with `group`, a batch's rows are one
/// line; without, every entry is one).
fn read_back(path: &Path, n: usize, group: bool) -> Result<RecentLines, JournalError> {
    let mut problems = Vec::new();
    let mut batch_records: Vec<BatchRecord> = Vec::new();
    let mut lines_found = 0usize;
    let mut batches_seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut outcomes: HashMap<String, OutcomeRecord> = HashMap::new();
    let mut found: Vec<Entry> = Vec::new();
    let mut budget = RECENT_BUDGET_BYTES;
    'files: for file_path in files_of(path).iter().rev() {
        let file = match File::open(file_path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(JournalError::io(file_path, "open")(e)),
        };
        let mut lines = Backward::new(&file).map_err(JournalError::io(file_path, "read"))?;
        while lines_found < n || group {
            if lines.read > budget {
                break 'files;
            }
            let line = lines
                .next_line()
                .map_err(JournalError::io(file_path, "read"))?;
            match line {
                None => break,
                Some(BackLine::TooLong { end }) => {
                    problems.push((
                        Spot::Byte(end),
                        "a line longer than the limit; the history stops here".into(),
                    ));
                    break 'files;
                }
                Some(BackLine::Line { start, bytes }) => {
                    match scan::classify(&bytes, false, bytes.len() as u64, MAX_LINE_BYTES) {
                        Parsed::Record(record) => match *record {
                            Record::Outcome(o) => {
                                // Read backwards, an earlier outcome replaces a later one
                                // unless the later one is real and this one is not.
                                let replace = match outcomes.get(&o.id) {
                                    None => true,
                                    Some(later) => !later_outcome_wins(Some(&o), later),
                                };
                                if replace {
                                    outcomes.insert(o.id.clone(), o);
                                }
                            }
                            Record::Intent(intent) => {
                                // A row of a batch already counted adds no line.
                                let new_line = match (&intent.batch, group) {
                                    (Some(tag), true) => batches_seen.insert(tag.id.clone()),
                                    _ => true,
                                };
                                if new_line {
                                    if lines_found >= n {
                                        break 'files;
                                    }
                                    lines_found += 1;
                                }
                                let outcome = outcomes.remove(&intent.id);
                                found.push(Entry {
                                    intent: *intent,
                                    outcome,
                                });
                            }
                            Record::Batch(b) if group => batch_records.push(b),
                            Record::Batch(_) | Record::DryRun(_) => {}
                        },
                        Parsed::Unknown(reason) | Parsed::Invalid(reason) => {
                            if !bytes.is_empty() {
                                problems.push((Spot::Byte(start), reason));
                            }
                        }
                    }
                }
            }
        }
        budget = budget.saturating_sub(lines.read);
        if lines_found >= n && !group {
            break;
        }
    }
    found.reverse();
    batch_records.reverse();
    // Only the records of the batches whose rows are shown.
    batch_records.retain(|b| batches_seen.contains(&b.batch_id));
    Ok(RecentLines {
        entries: found,
        batches: batch_records,
        problems,
    })
}

/// What [`stream`] met on its way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamReport {
    /// Entries handed to the caller.
    pub entries: usize,
    /// Lines that could not be read: the file, where, and why.
    pub problems: Vec<(PathBuf, Spot, String)>,
}

/// An entry waiting in the pairing window.
struct Waiting {
    entry: Entry,
    bytes: usize,
    /// Records read when an `abandoned` outcome arrived (a real one may still follow).
    abandoned_at: Option<u64>,
}

/// Calls `each` for every entry of the journal whose active file is `path` (its rotated
/// files first), in intent order, from `since` on (all entries when None). Memory stays
/// bounded whatever the size of the journal: with `since`, reading starts near the first
/// entry at or after it (found by reading backwards); entries wait only for their outcome,
/// within [`PAIRING_WINDOW_BYTES`].
pub fn stream(
    path: &Path,
    since: Option<DateTime<Utc>>,
    mut each: impl FnMut(Entry) -> io::Result<()>,
) -> Result<StreamReport, StreamError> {
    let files = files_of(path);
    let (first_file, first_offset) = match since {
        Some(t) => start_for(&files, t - Duration::minutes(SINCE_SLACK_MINUTES))?,
        None => (0, 0),
    };
    let mut report = StreamReport::default();
    let mut queue: VecDeque<Waiting> = VecDeque::new();
    let mut index: HashMap<String, u64> = HashMap::new();
    let mut next_seq: u64 = 0;
    let mut front_seq: u64 = 0;
    let mut queued_bytes = 0usize;
    let mut records: u64 = 0;
    for (i, file_path) in files.iter().enumerate().skip(first_file) {
        let file = match File::open(file_path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(JournalError::io(file_path, "open")(e).into()),
        };
        let offset = if i == first_file { first_offset } else { 0 };
        let mut reader = &file;
        reader
            .seek(SeekFrom::Start(offset))
            .map_err(JournalError::io(file_path, "read"))?;
        let mut failed: Option<io::Error> = None;
        scan::scan_lines(reader, MAX_LINE_BYTES, offset, |line| {
            if failed.is_some() {
                return;
            }
            let (meta, parsed) = line.split();
            let spot = if offset == 0 {
                Spot::Line(meta.number)
            } else {
                Spot::Byte(meta.start)
            };
            match parsed {
                Parsed::Record(record) => {
                    records += 1;
                    match *record {
                        Record::Intent(intent) => {
                            if since.is_none_or(|t| intent.time >= t) {
                                index.insert(intent.id.clone(), next_seq);
                                next_seq += 1;
                                queued_bytes += meta.len as usize;
                                queue.push_back(Waiting {
                                    entry: Entry {
                                        intent: *intent,
                                        outcome: None,
                                    },
                                    bytes: meta.len as usize,
                                    abandoned_at: None,
                                });
                            }
                        }
                        Record::Outcome(o) => {
                            if let Some(seq) = index.get(&o.id).copied()
                                && let Some(w) = seq
                                    .checked_sub(front_seq)
                                    .and_then(|k| queue.get_mut(k as usize))
                                && later_outcome_wins(w.entry.outcome.as_ref(), &o)
                            {
                                w.abandoned_at =
                                    (o.result == OutcomeKind::Abandoned).then_some(records);
                                w.entry.outcome = Some(o);
                            }
                        }
                        Record::Batch(_) | Record::DryRun(_) => {}
                    }
                }
                Parsed::Unknown(reason) => report.problems.push((file_path.clone(), spot, reason)),
                Parsed::Invalid(reason) => report.problems.push((file_path.clone(), spot, reason)),
            }
            // Hand over, in order, the entries whose outcome is settled.
            while let Some(front) = queue.front() {
                let settled = match (&front.entry.outcome, front.abandoned_at) {
                    (Some(_), None) => true,
                    // A real answer may land just after "abandoned" (at quit): wait a little.
                    (Some(_), Some(at)) => records.saturating_sub(at) >= 64,
                    (None, _) => queued_bytes > PAIRING_WINDOW_BYTES,
                };
                if !settled {
                    break;
                }
                let Some(w) = queue.pop_front() else { break };
                queued_bytes = queued_bytes.saturating_sub(w.bytes);
                index.remove(w.entry.id());
                front_seq += 1;
                report.entries += 1;
                if let Err(e) = each(w.entry) {
                    failed = Some(e);
                    return;
                }
            }
        })
        .map_err(JournalError::io(file_path, "read"))?;
        if let Some(e) = failed {
            return Err(StreamError::Output(e));
        }
    }
    for w in queue {
        report.entries += 1;
        each(w.entry).map_err(StreamError::Output)?;
    }
    Ok(report)
}

/// Why [`stream`] stopped.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The caller's output failed (a closed pipe, say).
    #[error("{0}")]
    Output(io::Error),
}

/// Where reading must start so that every entry at or after `limit` is seen: reading the
/// files backwards, the line after the last record older than `limit`.
fn start_for(files: &[PathBuf], limit: DateTime<Utc>) -> Result<(usize, u64), JournalError> {
    for (i, file_path) in files.iter().enumerate().rev() {
        let file = match File::open(file_path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(JournalError::io(file_path, "open")(e)),
        };
        let mut lines = Backward::new(&file).map_err(JournalError::io(file_path, "read"))?;
        while let Some(line) = lines
            .next_line()
            .map_err(JournalError::io(file_path, "read"))?
        {
            match line {
                // Nothing before an over-long line can be read backwards: start after it.
                BackLine::TooLong { end } => return Ok((i, end)),
                BackLine::Line { start, bytes } => {
                    if let Ok(t) = serde_json::from_slice::<TimeOnly>(&bytes)
                        && t.time < limit
                    {
                        let after = start + bytes.len() as u64 + 1;
                        return Ok((i, after));
                    }
                }
            }
        }
    }
    Ok((0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn backward(content: &[u8]) -> Vec<String> {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(content).unwrap();
        let mut b = Backward::new(&f).unwrap();
        let mut out = Vec::new();
        while let Some(l) = b.next_line().unwrap() {
            match l {
                BackLine::Line { start, bytes } => {
                    out.push(format!("{start}:{}", String::from_utf8_lossy(&bytes)))
                }
                BackLine::TooLong { end } => out.push(format!("too long <{end}")),
            }
        }
        out
    }

    #[test]
    fn reads_lines_backwards_with_offsets() {
        assert_eq!(backward(b""), Vec::<String>::new());
        assert_eq!(backward(b"a\nbb\n"), ["2:bb", "0:a"]);
        assert_eq!(backward(b"a\nbb"), ["2:bb", "0:a"]);
        assert_eq!(backward(b"\n\nx\n"), ["2:x", "1:", "0:"]);
        let long = format!("{}\n{}\nz\n", "x".repeat(200_000), "y".repeat(70_000));
        let got = backward(long.as_bytes());
        assert_eq!(got[0], format!("{}:z", 200_001 + 70_001));
        assert!(got[1].starts_with("200001:yyy") && got[1].len() == 7 + 70_000);
        assert!(got[2].starts_with("0:xxx"));
    }
}
