//! The action log's history: earlier runs' journal entries as lines, where the rows of a
//! batch are one line — the batch's, with its size, where it stands and its counts, as this
//! run's batches read live — so a 400-row batch costs one line and the hand-made changes
//! before it stay in view.

use std::collections::{BTreeMap, HashMap};

use super::batches::counts_text;
use super::requests::{LogEntry, RequestState, Summary};
use crate::core::plan::PlanRow;
use crate::engine::batch::history::BatchState;
use crate::engine::batch::recent::{BatchLine, Recent};
use crate::engine::batch::report;
use crate::engine::journal::{BatchCounts, Entry};
use crate::tui::theme;

/// The log lines of earlier runs, oldest first: one per entry, one per batch (where its
/// first row was).
pub fn lines(history: Recent) -> Vec<LogEntry> {
    enum Slot {
        Entry(Box<LogEntry>),
        Batch(String),
    }
    let Recent { entries, batches } = history;
    let mut slots = Vec::new();
    let mut rows: HashMap<String, BTreeMap<usize, Entry>> = HashMap::new();
    for e in entries {
        match e.intent.batch.as_ref().map(|t| (t.id.clone(), t.row)) {
            Some((id, row)) => {
                let group = rows.entry(id.clone()).or_insert_with(|| {
                    slots.push(Slot::Batch(id));
                    BTreeMap::new()
                });
                // The latest attempt of a row is its outcome (entries come oldest first).
                group.insert(row, e);
            }
            None => slots.push(Slot::Entry(Box::new(LogEntry::from_entry(e)))),
        }
    }
    slots
        .into_iter()
        .filter_map(|slot| match slot {
            Slot::Entry(e) => Some(*e),
            Slot::Batch(id) => {
                let info = batches.iter().find(|b| b.batch_id == id);
                let group = rows.remove(&id)?;
                batch_line(id, group, info)
            }
        })
        .collect()
}

/// A batch's one line: its rows' latest outcomes counted, the rows never sent pending.
fn batch_line(
    batch_id: String,
    rows: BTreeMap<usize, Entry>,
    info: Option<&BatchLine>,
) -> Option<LogEntry> {
    let first = rows.values().min_by_key(|e| e.intent.time)?;
    let op = first.intent.op.clone();
    let started_at = info.map_or(first.intent.time, |b| b.created_at);
    let mut counts = BatchCounts::default();
    for e in rows.values() {
        let row = PlanRow {
            lines: Vec::new(),
            op: e.intent.op.clone(),
            unchanged: false,
            prior: e.intent.prior.clone(),
            want: None,
            warnings: Vec::new(),
            seen: Default::default(),
            expect: None,
            source: Vec::new(),
        };
        report::count(&mut counts, report::report(&row, Some(e)).outcome);
    }
    let total = info.map_or(rows.len(), |b| b.requests.max(rows.len()));
    counts.pending += total - rows.len();
    counts.unchanged = info.map_or(0, |b| b.unchanged);
    let done = total - counts.pending;
    let phase = match info.map(|b| (b.state, b.cancelled)) {
        Some((BatchState::Running, _)) => "running elsewhere",
        Some((BatchState::Finished, _)) => "done",
        Some((BatchState::Interrupted, true)) => "cancelled",
        Some((BatchState::Interrupted, false)) => "interrupted",
        Some((BatchState::NotStarted, _)) => "not started",
        None if counts.pending + counts.errors > 0 => "interrupted",
        None => "done",
    };
    let running = phase == "running elsewhere";
    let c = &counts;
    let (mark, colour) = if running {
        ("…", theme::MUTED)
    } else if c.errors + c.pending > 0 {
        ("?", theme::UNKNOWN)
    } else if c.refused + c.failed > 0 && c.ok + c.partial == 0 {
        ("✗", theme::ERROR)
    } else if c.refused + c.failed + c.partial > 0 {
        ("◐", theme::WARN)
    } else {
        ("✓", theme::OK)
    };
    let text = format!("{phase} {done}/{total} · {}", counts_text(&counts));
    let name = info.map_or(op.name(), |b| b.op.name());
    Some(LogEntry {
        key: batch_id,
        id: None,
        started_at,
        state: RequestState::EarlierBatch {
            what: format!("{} batch", op.service().name()),
            target: format!("{total} × {}", super::words::batch_verb(name)),
        },
        op,
        summary: Some(Summary {
            mark,
            text,
            colour,
            check: None,
            tags: None,
        }),
        prior: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::{ApiField, PatronId};
    use crate::core::op::{ApiError, Op};
    use crate::engine::journal::{BatchTag, IntentRecord, OutcomeRecord};

    fn add(patron: &str) -> Op {
        Op::HiveAdd {
            patron: PatronId::parse(patron).unwrap(),
            fields: vec![ApiField::parse("vip").unwrap()],
        }
    }

    /// An entry; in a batch's row when `row` says so; timed out when `answered`.
    fn entry(id: &str, row: Option<usize>, answered: bool) -> Entry {
        let mut intent = IntentRecord::new(id, "work", &add("user_abc123"), None);
        intent.batch = row.map(|row| BatchTag {
            id: "b-1".into(),
            row,
            line: row + 2,
            lines: Vec::new(),
        });
        let outcome = answered.then(|| {
            OutcomeRecord::from_execution(
                id,
                &[],
                &Err(ApiError::Timeout { ms: 1 }),
                std::time::Duration::from_millis(1),
            )
        });
        Entry { intent, outcome }
    }

    #[test]
    fn a_batchs_rows_are_one_line_where_its_first_row_was_and_its_latest_attempts_count() {
        let entries = vec![
            entry("hand-a", None, true),
            entry("r0", Some(0), true),
            // A row's first attempt, cut short, and a hand-made change meanwhile.
            entry("r1", Some(1), false),
            entry("hand-b", None, true),
            entry("r1-again", Some(1), true),
        ];
        let info = BatchLine {
            batch_id: "b-1".into(),
            created_at: entries[1].intent.time,
            op: crate::core::plan::BatchOp::HiveAdd,
            source: Some("t.csv".into()),
            undo_of: None,
            requests: 3,
            unchanged: 0,
            state: BatchState::Interrupted,
            cancelled: false,
        };
        let out = lines(Recent {
            entries,
            batches: vec![info],
        });
        let keys: Vec<&str> = out.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["hand-a", "b-1", "hand-b"]);
        let batch = &out[1];
        assert!(batch.is_batch());
        assert_eq!(batch.target(), "3 × add");
        let summary = batch.summary.as_ref().unwrap();
        // Row 1's latest attempt (timed out) counts, not its first; row 2 was never sent.
        assert_eq!(summary.text, "interrupted 2/3 · 2 errors · 1 pending");
        assert_eq!(summary.mark, "?");
    }
}
