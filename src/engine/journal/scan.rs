//! Reading a journal file line by line, and repairing its tail when it is opened.
//!
//! Nothing here trusts the file: lines are classified, never unwrapped, and a single line
//! is never held in memory past the limit.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::{JournalError, MAX_LINE_BYTES, OpenReport, Record, Spot, Writer};

/// What was wrong with a line, if anything, as far as repairing the tail is concerned.
enum LineProblem {
    None,
    /// JSON, but not a record: kept and reported even at the end of the file, since it may
    /// be a record from a newer tagdesk.
    Unknown(String),
    /// Not JSON at all: cut when it is the last line.
    Invalid(String),
}

/// Which part of the file [`inspect`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Window {
    /// The last `n` bytes (all of the file when it is smaller): pending intents and
    /// corrupt lines there are reported.
    Tail(u64),
    /// The last line only: enough to know whether the tail needs a repair before
    /// appending (a command that sends one request).
    LastLine,
}

/// What must be done to the file before appending to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fix {
    /// Cut the file back to this length (a torn last line).
    Cut(u64),
    /// End the last line with a line end.
    Complete,
}

/// Reads the end of the file (see [`Window`]) without changing it, and says what repair
/// its last line needs, if any. The report is written as if the repair were done. Costs
/// O(window), whatever the size of the file; takes no lock (the caller takes one only
/// when there is something to repair, and looks again under it).
pub(super) fn inspect(
    file: &File,
    path: &Path,
    window: Window,
) -> Result<(OpenReport, Option<Fix>), JournalError> {
    let len = file
        .metadata()
        .map_err(JournalError::io(path, "inspect"))?
        .len();
    let report = OpenReport::default();
    let from = match window {
        Window::Tail(window) if len <= window => 0,
        Window::Tail(window) => {
            match line_start_after(file, len - window, len)
                .map_err(JournalError::io(path, "read"))?
            {
                Some(p) => p,
                None => return giant_tail(file, path, len - window, len, report),
            }
        }
        Window::LastLine if len == 0 => 0,
        Window::LastLine => {
            let floor = len.saturating_sub(MAX_LINE_BYTES as u64);
            match last_line_end_before(file, len - 1, floor)
                .map_err(JournalError::io(path, "read"))?
            {
                Some(p) => p,
                None => return giant_tail(file, path, floor, len, report),
            }
        }
    };
    scan_from(file, path, from, report)
}

fn scan_from(
    file: &File,
    path: &Path,
    from: u64,
    mut report: OpenReport,
) -> Result<(OpenReport, Option<Fix>), JournalError> {
    report.scanned_from = from;
    let spot = |meta: &LineMeta| {
        if from == 0 {
            Spot::Line(meta.number)
        } else {
            Spot::Byte(meta.start)
        }
    };
    let mut reader = file;
    reader
        .seek(SeekFrom::Start(from))
        .map_err(JournalError::io(path, "read"))?;
    let mut pending: HashMap<String, (usize, Option<Writer>)> = HashMap::new();
    let mut last: Option<(LineMeta, LineProblem)> = None;
    scan_lines(reader, MAX_LINE_BYTES, from, |line| {
        // Only the last line may be cut, so a line's problem is reported once the next
        // line shows it was not the last.
        if let Some((prev, LineProblem::Unknown(reason) | LineProblem::Invalid(reason))) =
            last.take()
        {
            report.corrupt_lines.push((spot(&prev), reason));
        }
        let (meta, parsed) = line.split();
        let problem = match parsed {
            Parsed::Record(record) => {
                report.records += 1;
                match *record {
                    Record::Intent(i) => {
                        pending.insert(i.id, (meta.number, i.writer));
                    }
                    Record::Outcome(o) => {
                        pending.remove(&o.id);
                    }
                    Record::Batch(_) | Record::DryRun(_) => {}
                }
                LineProblem::None
            }
            Parsed::Unknown(reason) => LineProblem::Unknown(reason),
            Parsed::Invalid(reason) => LineProblem::Invalid(reason),
        };
        last = Some((meta, problem));
    })
    .map_err(JournalError::io(path, "read"))?;

    let mut fix = None;
    if let Some((line, problem)) = last {
        match problem {
            LineProblem::Invalid(reason) => {
                fix = Some(Fix::Cut(line.start));
                let what = if line.terminated {
                    "was not a record"
                } else {
                    "was an incomplete write"
                };
                let which = match spot(&line) {
                    Spot::Line(n) => format!("line {n}"),
                    Spot::Byte(b) => format!("at byte {b}"),
                };
                report.torn_tail = Some(format!(
                    "cut {} bytes from the end: the last line ({which}) {what} ({reason})",
                    line.len
                ));
            }
            LineProblem::None | LineProblem::Unknown(_) => {
                if !line.terminated {
                    fix = Some(Fix::Complete);
                    report.newline_added = true;
                }
                if let LineProblem::Unknown(reason) = problem {
                    report.corrupt_lines.push((spot(&line), reason));
                }
            }
        }
    }
    let mut pending: Vec<(String, (usize, Option<Writer>))> = pending.into_iter().collect();
    pending.sort_by_key(|(_, (n, _))| *n);
    for (id, (_, writer)) in pending {
        if let Some(w) = writer {
            report.writers.insert(id.clone(), w);
        }
        report.pending.push(id);
    }
    Ok((report, fix))
}

/// Applies what [`inspect`] asked for (the caller holds the file's lock).
pub(super) fn apply(file: &File, path: &Path, fix: Fix) -> Result<(), JournalError> {
    match fix {
        Fix::Cut(len) => cut(file, path, len),
        Fix::Complete => complete_last_line(file, path),
    }
}

/// The start of the first line that begins at or after `at` (the byte after the first line
/// end at or after `at - 1`), or None when `[at, len)` holds no line end.
fn line_start_after(file: &File, at: u64, len: u64) -> io::Result<Option<u64>> {
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let from = at.saturating_sub(1);
    reader.seek(SeekFrom::Start(from))?;
    let mut pos = from;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() || pos >= len {
            return Ok(None);
        }
        if let Some(i) = chunk.iter().position(|&b| b == b'\n') {
            return Ok(Some(pos + i as u64 + 1));
        }
        let n = chunk.len();
        reader.consume(n);
        pos += n as u64;
    }
}

/// The window holds no line end at all: the last line started before it. Cut it when its
/// start is within [`MAX_LINE_BYTES`] (an over-long torn write); otherwise leave it,
/// report it, and end the file with a line end so that new records start clean.
fn giant_tail(
    file: &File,
    path: &Path,
    window_start: u64,
    len: u64,
    mut report: OpenReport,
) -> Result<(OpenReport, Option<Fix>), JournalError> {
    report.scanned_from = window_start;
    let floor = len.saturating_sub(MAX_LINE_BYTES as u64);
    let start =
        last_line_end_before(file, window_start, floor).map_err(JournalError::io(path, "read"))?;
    match start {
        Some(start) => {
            report.torn_tail = Some(format!(
                "cut {} bytes from the end: the last line (at byte {start}) was an incomplete \
                 write with no line end",
                len - start
            ));
            Ok((report, Some(Fix::Cut(start))))
        }
        None => {
            report.newline_added = true;
            report.corrupt_lines.push((
                Spot::Byte(len.saturating_sub(MAX_LINE_BYTES as u64)),
                format!(
                    "the last {} MiB of the journal hold no line end; left in place",
                    MAX_LINE_BYTES >> 20
                ),
            ));
            Ok((report, Some(Fix::Complete)))
        }
    }
}

/// The byte after the last line end in `[floor, before)`, or `Some(0)` when `floor` is the
/// start of the file and there is none; None when there is none and the search stopped at
/// `floor`.
fn last_line_end_before(file: &File, before: u64, floor: u64) -> io::Result<Option<u64>> {
    let mut end = before;
    let mut buf = vec![0u8; 64 * 1024];
    while end > floor {
        let size = (end - floor).min(buf.len() as u64) as usize;
        let start = end - size as u64;
        let mut reader = file;
        reader.seek(SeekFrom::Start(start))?;
        reader.read_exact(&mut buf[..size])?;
        if let Some(i) = buf[..size].iter().rposition(|&b| b == b'\n') {
            return Ok(Some(start + i as u64 + 1));
        }
        end = start;
    }
    Ok((floor == 0).then_some(0))
}

fn complete_last_line(file: &File, path: &Path) -> Result<(), JournalError> {
    let mut w = file;
    w.write_all(b"\n")
        .and_then(|()| file.sync_data())
        .map_err(JournalError::io(path, "complete the last line of"))
}

fn cut(file: &File, path: &Path, len: u64) -> Result<(), JournalError> {
    file.set_len(len)
        .and_then(|()| file.sync_data())
        .map_err(JournalError::io(path, "cut the torn last line of"))
}

/// Where a line sits in the file.
#[derive(Debug, Clone, Copy)]
pub(super) struct LineMeta {
    /// 1-based.
    pub(super) number: usize,
    /// Byte offset of its first byte.
    pub(super) start: u64,
    /// Bytes, line end included.
    pub(super) len: u64,
    pub(super) terminated: bool,
}

pub(super) struct Line {
    meta: LineMeta,
    parsed: Parsed,
}

impl Line {
    pub(super) fn split(self) -> (LineMeta, Parsed) {
        (self.meta, self.parsed)
    }
}

pub(super) enum Parsed {
    Record(Box<Record>),
    /// Valid JSON, but not a record this version understands (kept, reported).
    Unknown(String),
    /// Not JSON at all: garbage, a torn write, invalid UTF-8, an over-long line.
    Invalid(String),
}

/// Calls `each` for every line of `reader`, never holding more than `limit` bytes of one line.
/// `base` is the file offset `reader` starts at (offsets in [`LineMeta`] are file offsets).
pub(super) fn scan_lines(
    reader: impl Read,
    limit: usize,
    base: u64,
    mut each: impl FnMut(Line),
) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut buf: Vec<u8> = Vec::new();
    let mut too_long = false;
    let mut start: u64 = base;
    let mut len: u64 = 0;
    let mut number = 0usize;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        let (piece, ends) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            if buf.len() + piece > limit {
                too_long = true;
                buf = Vec::new();
            } else {
                buf.extend_from_slice(&chunk[..piece]);
            }
        }
        let consumed = piece + usize::from(ends);
        reader.consume(consumed);
        len += consumed as u64;
        if ends {
            number += 1;
            let meta = LineMeta {
                number,
                start,
                len,
                terminated: true,
            };
            let parsed = classify(&buf, too_long, len, limit);
            each(Line { meta, parsed });
            start += len;
            len = 0;
            buf.clear();
            too_long = false;
        }
    }
    if len > 0 {
        number += 1;
        let meta = LineMeta {
            number,
            start,
            len,
            terminated: false,
        };
        let parsed = classify(&buf, too_long, len, limit);
        each(Line { meta, parsed });
    }
    Ok(())
}

pub(super) fn classify(bytes: &[u8], too_long: bool, len: u64, limit: usize) -> Parsed {
    if too_long {
        return Parsed::Invalid(format!(
            "the line is {len} bytes long, over the {limit}-byte limit"
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return Parsed::Invalid(format!(
                "not valid UTF-8 (bad byte at column {})",
                e.valid_up_to() + 1
            ));
        }
    };
    if text.trim().is_empty() {
        return Parsed::Invalid("an empty line".into());
    }
    match serde_json::from_str::<Record>(text) {
        Ok(r) => Parsed::Record(Box::new(r)),
        Err(e) => match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => Parsed::Unknown(format!("JSON, but not a journal record: {e}")),
            Err(e) => Parsed::Invalid(format!("not JSON: {e}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(bytes: &[u8], limit: usize) -> Vec<(LineMeta, String)> {
        let mut out = Vec::new();
        scan_lines(bytes, limit, 0, |l| {
            let what = match l.parsed {
                Parsed::Record(_) => "record".to_string(),
                Parsed::Unknown(r) => format!("unknown: {r}"),
                Parsed::Invalid(r) => format!("invalid: {r}"),
            };
            out.push((l.meta, what));
        })
        .unwrap();
        out
    }

    #[test]
    fn scanner_tracks_offsets_and_caps_long_lines() {
        let data = b"aaaa\n{\"x\":1}\n0123456789abcdef\nxy";
        let got = lines(data, 8);
        assert_eq!(got.len(), 4);
        assert_eq!((got[0].0.start, got[0].0.len), (0, 5));
        assert!(got[0].1.starts_with("invalid: not JSON"));
        assert!(got[1].1.starts_with("unknown:"));
        assert!(got[2].1.contains("over the 8-byte limit"), "{}", got[2].1);
        assert_eq!((got[3].0.start, got[3].0.len), (30, 2));
        assert!(!got[3].0.terminated);
        assert!(got.iter().take(3).all(|(m, _)| m.terminated));
    }
}
