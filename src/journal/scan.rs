//! Reading a journal file line by line, and repairing its tail when it is opened.
//!
//! Nothing here trusts the file: lines are classified, never unwrapped, and a single line
//! is never held in memory past the limit.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::{JournalError, MAX_LINE_BYTES, OpenReport, Record};

/// What was wrong with a line, if anything, as far as repairing the tail is concerned.
enum LineProblem {
    None,
    /// JSON, but not a record: kept and reported even at the end of the file, since it may
    /// be a record from a newer tagdesk.
    Unknown(String),
    /// Not JSON at all: cut when it is the last line.
    Invalid(String),
}

/// Scans the whole file, cuts or completes its last line if needed, and reports.
pub(super) fn repair(file: &File, path: &Path) -> Result<OpenReport, JournalError> {
    let mut reader = file;
    reader
        .seek(SeekFrom::Start(0))
        .map_err(JournalError::io(path, "read"))?;
    let mut report = OpenReport::default();
    let mut pending: HashMap<String, usize> = HashMap::new();
    let mut last: Option<(LineMeta, LineProblem)> = None;
    scan_lines(reader, MAX_LINE_BYTES, |line| {
        // Only the last line may be cut, so a line's problem is reported once the next
        // line shows it was not the last.
        if let Some((prev, LineProblem::Unknown(reason) | LineProblem::Invalid(reason))) =
            last.take()
        {
            report.corrupt_lines.push((prev.number, reason));
        }
        let (meta, parsed) = line.split();
        let problem = match parsed {
            Parsed::Record(record) => {
                report.records += 1;
                match *record {
                    Record::Intent(i) => {
                        pending.insert(i.id, meta.number);
                    }
                    Record::Outcome(o) => {
                        pending.remove(&o.id);
                    }
                }
                LineProblem::None
            }
            Parsed::Unknown(reason) => LineProblem::Unknown(reason),
            Parsed::Invalid(reason) => LineProblem::Invalid(reason),
        };
        last = Some((meta, problem));
    })
    .map_err(JournalError::io(path, "read"))?;

    if let Some((line, problem)) = last {
        match problem {
            LineProblem::Invalid(reason) => {
                cut(file, path, line.start)?;
                let what = if line.terminated {
                    "was not a record"
                } else {
                    "was an incomplete write"
                };
                report.torn_tail = Some(format!(
                    "cut {} bytes from the end: the last line (line {}) {what} ({reason})",
                    line.len, line.number
                ));
            }
            LineProblem::None | LineProblem::Unknown(_) => {
                if !line.terminated {
                    let mut w = file;
                    w.write_all(b"\n")
                        .and_then(|()| file.sync_data())
                        .map_err(JournalError::io(path, "complete the last line of"))?;
                    report.newline_added = true;
                }
                if let LineProblem::Unknown(reason) = problem {
                    report.corrupt_lines.push((line.number, reason));
                }
            }
        }
    }
    let mut pending: Vec<(String, usize)> = pending.into_iter().collect();
    pending.sort_by_key(|(_, n)| *n);
    report.pending = pending.into_iter().map(|(id, _)| id).collect();
    Ok(report)
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
pub(super) fn scan_lines(
    reader: impl Read,
    limit: usize,
    mut each: impl FnMut(Line),
) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut buf: Vec<u8> = Vec::new();
    let mut too_long = false;
    let mut start: u64 = 0;
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

fn classify(bytes: &[u8], too_long: bool, len: u64, limit: usize) -> Parsed {
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
        scan_lines(bytes, limit, |l| {
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
