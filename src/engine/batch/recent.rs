//! The console's history at start: the journal's last lines, where every row of a batch
//! belongs to the batch's one line, and what each of those batches is (its operation, its
//! size, its source) and where it stands — read here, off the console's UI thread, because
//! telling a batch running in another process from an interrupted one asks the system.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::history::BatchState;
use crate::core::plan::BatchOp;
use crate::engine::journal::{self, BatchEvent, BatchRecord, Entry, JournalError, Writer};

/// A batch of an earlier run, as its history line shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchLine {
    pub batch_id: String,
    pub created_at: DateTime<Utc>,
    pub op: BatchOp,
    pub source: Option<String>,
    pub undo_of: Option<String>,
    /// Requests its first run planned to send.
    pub requests: usize,
    /// Rows that needed no request (its first run's count).
    pub unchanged: usize,
    pub state: BatchState,
    /// Its last run was cancelled by the operator.
    pub cancelled: bool,
}

/// What the action log shows of earlier runs.
#[derive(Debug, Clone, Default)]
pub struct Recent {
    /// The entries of the last lines, oldest first (a batch's rows included).
    pub entries: Vec<Entry>,
    /// The batches those rows belong to, when their start was read.
    pub batches: Vec<BatchLine>,
}

impl From<Vec<Entry>> for Recent {
    fn from(entries: Vec<Entry>) -> Self {
        Recent {
            entries,
            batches: Vec::new(),
        }
    }
}

/// The last `lines` lines of the action log of the journal whose active file is
/// `journal_path`: every entry a line, except a batch's rows, which are one line together.
pub fn recent(journal_path: &Path, lines: usize) -> Result<Recent, JournalError> {
    let read = journal::recent_lines(journal_path, lines)?;
    Ok(Recent {
        entries: read.entries,
        batches: batch_lines(read.batches),
    })
}

enum Last {
    Started(Writer),
    Ended { cancelled: bool, pending: usize },
}

/// The batches of these records (in file order), with where each stands.
pub fn batch_lines(records: Vec<BatchRecord>) -> Vec<BatchLine> {
    let mut found: Vec<(BatchLine, Last, bool)> = Vec::new();
    for record in records {
        let at = found
            .iter()
            .position(|(b, ..)| b.batch_id == record.batch_id);
        match (record.event, at) {
            (
                BatchEvent::Start {
                    op,
                    source,
                    requests,
                    undo_of,
                    writer,
                    ..
                },
                None,
            ) => found.push((
                BatchLine {
                    batch_id: record.batch_id,
                    created_at: record.time,
                    op,
                    source,
                    undo_of,
                    requests,
                    unchanged: 0,
                    state: BatchState::Running,
                    cancelled: false,
                },
                Last::Started(writer),
                false,
            )),
            (BatchEvent::Start { .. }, Some(_)) => {}
            (BatchEvent::Resume { writer, .. }, Some(i)) => found[i].1 = Last::Started(writer),
            (BatchEvent::End { counts, cancelled }, Some(i)) => {
                let (line, last, ended_once) = &mut found[i];
                if !*ended_once {
                    line.unchanged = counts.unchanged;
                    *ended_once = true;
                }
                *last = Last::Ended {
                    cancelled,
                    pending: counts.pending,
                };
            }
            (BatchEvent::Resume { .. } | BatchEvent::End { .. }, None) => {}
        }
    }
    found
        .into_iter()
        .map(|(mut line, last, _)| {
            (line.state, line.cancelled) = match last {
                Last::Ended { cancelled, pending } if cancelled || pending > 0 => {
                    (BatchState::Interrupted, cancelled)
                }
                Last::Ended { .. } => (BatchState::Finished, false),
                Last::Started(w) if w.is_gone() => (BatchState::Interrupted, false),
                Last::Started(_) => (BatchState::Running, false),
            };
            line
        })
        .collect()
}
