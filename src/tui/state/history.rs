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
            target: format!("{total} × {name}"),
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
