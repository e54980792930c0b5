//! Batches read back from the journal and their plan files: the list, one batch's rows,
//! which rows a resume sends, and the plan that undoes a batch or a single entry.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::SavedPlan;
use super::report::{self, RowOutcome, RowReport, output_of};
use crate::core::model::KnownUsers;
use crate::core::op::attempts::{Attempt, undo_hive_after_unknown};
use crate::core::op::inverse::{Inverse, inverse};
use crate::core::op::{Op, Output};
use crate::core::plan::{BatchOp, PlanRow, cerego_row};
use crate::core::printable::plural;
use crate::engine::journal::{self, BatchCounts, BatchEvent, Entry, Record, Writer};

/// Where a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    /// A process is running it now.
    Running,
    /// Its last run ended and closed the batch.
    Finished,
    /// Cancelled, or its process ended without closing it: `batch resume` takes it up.
    Interrupted,
    /// Its plan was saved but its start never reached the journal (a full disk): nothing
    /// was sent; `batch resume` sends it.
    NotStarted,
}

impl BatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Running => "running",
            BatchState::Finished => "finished",
            BatchState::Interrupted => "interrupted",
            BatchState::NotStarted => "not_started",
        }
    }
}

/// One batch as `batch list` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchInfo {
    pub batch_id: String,
    pub created_at: DateTime<Utc>,
    pub profile: String,
    pub op: &'static str,
    pub rows: usize,
    pub state: BatchState,
    #[serde(skip)]
    pub source: Option<String>,
    #[serde(skip)]
    pub undo_of: Option<String>,
    /// `batch retry`: the batch whose rows it sends again (from its plan file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_of: Option<String>,
    /// The counts of its last run, once one ended.
    #[serde(skip)]
    pub counts: Option<BatchCounts>,
    /// When its last run ended.
    #[serde(skip)]
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub audit: crate::core::plan::file::PlanAudit,
}

enum Last {
    Started(Writer),
    Ended { cancelled: bool, pending: usize },
}

/// Every batch in the journal whose active file is `journal_path`, newest first.
pub fn list(journal_path: &Path) -> Result<Vec<BatchInfo>, String> {
    let mut found: Vec<(BatchInfo, Last)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    journal::each_record(journal_path, |record| {
        let Record::Batch(b) = record else {
            return;
        };
        match b.event {
            BatchEvent::Start {
                op,
                source,
                rows,
                undo_of,
                writer,
                audit,
                ..
            } => {
                index.insert(b.batch_id.clone(), found.len());
                found.push((
                    BatchInfo {
                        batch_id: b.batch_id,
                        created_at: b.time,
                        profile: b.profile,
                        op: op.name(),
                        rows,
                        state: BatchState::Running,
                        source,
                        undo_of,
                        retry_of: None,
                        counts: None,
                        ended_at: None,
                        audit,
                    },
                    Last::Started(writer),
                ));
            }
            BatchEvent::Resume { writer, .. } => {
                if let Some(&i) = index.get(&b.batch_id) {
                    found[i].1 = Last::Started(writer);
                }
            }
            BatchEvent::End { counts, cancelled } => {
                if let Some(&i) = index.get(&b.batch_id) {
                    found[i].0.counts = Some(counts);
                    found[i].0.ended_at = Some(b.time);
                    found[i].1 = Last::Ended {
                        cancelled,
                        pending: counts.pending,
                    };
                }
            }
        }
    })
    .map_err(|e| e.to_string())?;
    let mut out: Vec<BatchInfo> = found
        .into_iter()
        .map(|(mut info, last)| {
            info.state = match last {
                Last::Ended { cancelled, pending } if cancelled || pending > 0 => {
                    BatchState::Interrupted
                }
                Last::Ended { .. } => BatchState::Finished,
                Last::Started(w) if w.is_gone() => BatchState::Interrupted,
                Last::Started(_) => BatchState::Running,
            };
            info
        })
        .collect();
    out.reverse();
    Ok(out)
}

/// The batches of `profile` (and demo mode, or not) whose plan file is in `headers` but
/// whose start is not among `known` (it could not be journaled), newest first.
pub fn unstarted(
    known: &[BatchInfo],
    headers: &[super::PlanHeader],
    profile: &str,
    demo: bool,
) -> Vec<BatchInfo> {
    let mut out: Vec<BatchInfo> = headers
        .iter()
        .filter(|h| h.belongs_to(profile, demo))
        .filter(|h| !known.iter().any(|b| b.batch_id == h.batch_id))
        .map(|h| BatchInfo {
            batch_id: h.batch_id.clone(),
            created_at: h.created_at,
            profile: h.profile.clone(),
            op: h.op.name(),
            rows: h.data_rows,
            state: BatchState::NotStarted,
            source: h.source.clone(),
            undo_of: h.undo_of.clone(),
            retry_of: h.retry_of.clone(),
            counts: None,
            ended_at: None,
            audit: h.audit.clone(),
        })
        .collect();
    out.sort_by_key(|b| std::cmp::Reverse(b.created_at));
    out
}

/// The latest undo of `id` (a batch or a journal entry), if there is one: an undo that
/// finished is not started again without being asked (the console and the CLI say when).
pub fn last_undo_of(journal_path: &Path, id: &str) -> Result<Option<BatchInfo>, String> {
    Ok(list(journal_path)?
        .into_iter()
        .find(|b| b.undo_of.as_deref() == Some(id)))
}

/// The batch `batch_id` as `batch list` shows it, if the journal has it.
pub fn info(journal_path: &Path, batch_id: &str) -> Result<Option<BatchInfo>, String> {
    Ok(list(journal_path)?
        .into_iter()
        .find(|b| b.batch_id == batch_id))
}

/// The latest journal entry of each row of `plan` (None: never sent).
pub fn entries_of(journal_path: &Path, plan: &SavedPlan) -> Result<Vec<Option<Entry>>, String> {
    Ok(attempts_of(journal_path, plan)?
        .into_iter()
        .map(|mut a| a.pop())
        .collect())
}

/// Every journal entry of each row of `plan`, oldest first (empty: never sent): a row
/// resumed after a crash has several.
pub fn attempts_of(journal_path: &Path, plan: &SavedPlan) -> Result<Vec<Vec<Entry>>, String> {
    let mut rows: Vec<Vec<Entry>> = vec![Vec::new(); plan.rows.len()];
    journal::stream(journal_path, None, |entry| {
        if let Some(tag) = &entry.intent.batch
            && tag.id == plan.batch_id
            && let Some(slot) = rows.get_mut(tag.row)
        {
            slot.push(entry);
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok(rows)
}

/// Every row's report, in plan order.
pub fn reports(plan: &SavedPlan, entries: &[Option<Entry>]) -> Vec<RowReport> {
    plan.rows
        .iter()
        .zip(entries)
        .map(|(row, e)| report::report(row, e.as_ref()))
        .collect()
}

/// The rows a resume sends: never sent, or sent with no usable answer. Safe for Hive add
/// and remove and for Cerego updates (they converge); a Cerego add is re-planned first
/// (see [`replan_cerego`]).
pub fn to_resume(plan: &SavedPlan, entries: &[Option<Entry>]) -> Vec<usize> {
    plan.rows
        .iter()
        .zip(entries)
        .enumerate()
        .filter(|(_, (row, e))| {
            !row.unchanged && report::report(row, e.as_ref()).outcome.needs_resume()
        })
        .map(|(i, _)| i)
        .collect()
}

/// Re-plans the Cerego rows of `todo` against a fresh user list: a row whose value is now
/// what the file asked (an earlier attempt took effect) becomes unchanged and leaves
/// `todo`; an add whose tag now exists becomes an update. Returns the rows still to send.
pub fn replan_cerego(plan: &mut SavedPlan, todo: &[usize], users: &KnownUsers) -> Vec<usize> {
    let mut out = Vec::new();
    for &i in todo {
        let Some(row) = plan.rows.get_mut(i) else {
            continue;
        };
        let Some(want) = row.want.clone() else {
            out.push(i);
            continue;
        };
        if let Ok(fresh) = cerego_row(want, users, row.line()) {
            row.op = fresh.op;
            row.prior = fresh.prior;
            row.unchanged = fresh.unchanged;
        }
        if !row.unchanged {
            out.push(i);
        }
    }
    out
}

/// The plan that undoes the rows of `original`, from **every** attempt of each row (oldest
/// first; empty: never sent). A row whose attempts all have a known outcome is undone from
/// its answer; a row with any attempt of unknown outcome is undone from what it asked (see
/// [`crate::core::op::attempts`]), and what cannot be decided is listed in
/// `check_by_hand`.
pub fn undo_plan(
    original: &SavedPlan,
    attempts: &[Vec<Entry>],
    batch_id: String,
    profile: &str,
    demo: bool,
) -> SavedPlan {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut check_by_hand = Vec::new();
    let mut nothing = 0usize;
    let mut never_sent = 0usize;
    let mut patrons_stay = 0usize;
    let mut from_asked = 0usize;
    for (row, tries) in original.rows.iter().zip(attempts) {
        let Some(last) = tries.last() else {
            never_sent += 1;
            continue;
        };
        let undo = undo_row(row, tries);
        if undo.from_asked {
            from_asked += 1;
        }
        if let Some(c) = undo.check {
            check_by_hand.push(c);
        }
        match undo.effect {
            Undo::Row(r, note) => {
                match note {
                    // The same note for every Hive add: said once, with the count.
                    Some(_) if matches!(last.intent.op, Op::HiveAdd { .. }) => patrons_stay += 1,
                    Some(n) => notes.push(n),
                    None => {}
                }
                rows.push(*r);
            }
            Undo::Nothing => nothing += 1,
            Undo::Note(n) => notes.push(n),
        }
    }
    if from_asked > 0 {
        notes.push(format!(
            "{} an attempt whose outcome is unknown (the run ended before \
             its answer, or the answer cannot be read): {} undone from what it asked — a \
             Hive add by removing its tags except those tagdesk knew were there before, a \
             remove by adding back what an answer says it removed or tagdesk saw there before, \
             a Cerego change by setting back the value its first attempt replaced",
            plural(from_asked as u64, "row has", "rows have"),
            if from_asked == 1 { "it is" } else { "each is" }
        ));
    }
    if patrons_stay > 0 {
        notes.push(format!(
            "{}: no API deletes patrons",
            if patrons_stay == 1 {
                "if Hive created the patron this add named, it stays".to_string()
            } else {
                format!(
                    "if Hive created any of the {patrons_stay} patrons these adds named, they stay"
                )
            }
        ));
    }
    if nothing > 0 {
        notes.push(format!(
            "{} nothing (no tags added or removed, refused, or unchanged): \
             nothing to undo",
            plural(nothing as u64, "row changed", "rows changed")
        ));
    }
    if never_sent > 0 {
        notes.push(format!(
            "{} never sent: nothing to undo",
            plural(never_sent as u64, "row was", "rows were")
        ));
    }
    for c in &check_by_hand {
        notes.push(format!("check by hand: {c}"));
    }
    SavedPlan {
        batch_id,
        created_at: Utc::now(),
        profile: profile.to_string(),
        demo,
        op: BatchOp::Undo,
        source: None,
        sha256: None,
        data_rows: rows.len(),
        rows,
        skipped: Vec::new(),
        undo_of: Some(original.batch_id.clone()),
        notes,
        check_by_hand,
        retry_of: None,
        audit: Default::default(),
    }
}

/// The plan that undoes one journal entry.
pub fn undo_entry(entry: &Entry, batch_id: String, profile: &str, demo: bool) -> SavedPlan {
    let row = PlanRow::derived(
        Vec::new(),
        entry.intent.op.clone(),
        entry.intent.prior.clone(),
    );
    let single = SavedPlan {
        batch_id: entry.intent.id.clone(),
        created_at: entry.intent.time,
        profile: profile.to_string(),
        demo,
        op: BatchOp::Undo,
        source: None,
        sha256: None,
        data_rows: 1,
        rows: vec![row],
        skipped: Vec::new(),
        undo_of: None,
        notes: Vec::new(),
        check_by_hand: Vec::new(),
        retry_of: None,
        audit: Default::default(),
    };
    let mut plan = undo_plan(&single, &[vec![entry.clone()]], batch_id, profile, demo);
    plan.undo_of = Some(entry.intent.id.clone());
    if plan.rows.is_empty() && plan.notes.is_empty() {
        plan.notes.push("nothing to undo".into());
    }
    plan
}

enum Undo {
    /// Send this row, with what it leaves as it is (a patron Hive may have created, a
    /// Cerego tag a set created).
    Row(Box<PlanRow>, Option<String>),
    Nothing,
    Note(String),
}

/// One row's undo: what to send, whether it rests on the row's request (an attempt of
/// unknown outcome), and what the operator must check by hand.
struct RowUndo {
    effect: Undo,
    from_asked: bool,
    check: Option<String>,
}

/// What can be read of one attempt's ending.
fn attempt_of(row: &PlanRow, entry: &Entry) -> (RowOutcome, Option<Output>) {
    // A row re-planned as unchanged (a Cerego value found set on resume) still has its
    // attempts: read them for what they are.
    let as_sent = PlanRow {
        unchanged: false,
        ..row.clone()
    };
    let r = report::report(&as_sent, Some(entry));
    (r.outcome, output_of(entry))
}

fn undo_row(row: &PlanRow, attempts: &[Entry]) -> RowUndo {
    let Some(last) = attempts.last() else {
        return RowUndo {
            effect: Undo::Nothing,
            from_asked: false,
            check: None,
        };
    };
    let at = if row.line() > 0 {
        format!("line {} ({})", row.line(), last.intent.op.target())
    } else {
        format!(
            "journal id {} ({})",
            last.intent.id,
            last.intent.op.target()
        )
    };
    let read: Vec<(RowOutcome, Option<Output>)> =
        attempts.iter().map(|e| attempt_of(row, e)).collect();
    // `pending` is a request cancelled before it was sent (an undo of a running batch is
    // refused before this).
    let unknown = read.iter().any(|(o, _)| o.unknown());
    if unknown {
        return undo_from_asked(row, attempts, &read, &at);
    }
    let plain = |effect| RowUndo {
        effect,
        from_asked: false,
        check: None,
    };
    // Every attempt's outcome is known: the one that was answered says what changed.
    let Some((entry, output)) =
        attempts
            .iter()
            .zip(&read)
            .rev()
            .find_map(|(e, (o, out))| match o {
                RowOutcome::Ok | RowOutcome::Partial | RowOutcome::Failed => {
                    out.as_ref().map(|out| (e, out))
                }
                RowOutcome::Unchanged
                | RowOutcome::Refused
                | RowOutcome::Error
                | RowOutcome::Abandoned
                | RowOutcome::Pending => None,
            })
    else {
        return plain(Undo::Nothing);
    };
    // A Cerego change is undone to the value its first attempt replaced.
    let prior = attempts[0].intent.prior.as_deref();
    plain(
        match inverse(
            &entry.intent.op,
            output,
            prior.or(entry.intent.prior.as_deref()),
        ) {
            Inverse::Op { op, note } => Undo::Row(
                Box::new(undo_row_of(row, &entry.intent.op, op)),
                note.map(|n| format!("{at}: {n}")),
            ),
            Inverse::Nothing(_) => Undo::Nothing,
            Inverse::Impossible(why) => Undo::Note(format!("{at}: {why}")),
        },
    )
}

/// The undo row that reverses `original` with `op`.
fn undo_row_of(row: &PlanRow, original: &Op, op: Op) -> PlanRow {
    // What the undo replaces: the value the original update set.
    PlanRow::derived(
        row.lines.clone(),
        op,
        crate::core::op::inverse::undo_prior(original),
    )
}

/// The undo of a row with an attempt of unknown outcome: from what it asked.
fn undo_from_asked(
    row: &PlanRow,
    attempts: &[Entry],
    read: &[(RowOutcome, Option<Output>)],
    at: &str,
) -> RowUndo {
    let first = &attempts[0];
    let op = &first.intent.op;
    let tries: Vec<Attempt<'_>> = read
        .iter()
        .map(|(o, out)| match (o, out) {
            (_, Some(Output::Hive(h))) if h.foreign_patron.is_none() => Attempt::Hive(h),
            (RowOutcome::Refused | RowOutcome::Unchanged, _) => Attempt::NoEffect,
            (RowOutcome::Pending, _) => Attempt::NoEffect,
            _ => Attempt::Unknown,
        })
        .collect();
    if let Some(h) = undo_hive_after_unknown(op, &tries, &row.seen) {
        let check = (!h.check_by_hand.is_empty()).then(|| {
            format!(
                "{at}: an attempt's outcome is unknown and tagdesk never saw {} on the patron \
                 before it, so whether to add {} back cannot be decided",
                h.check_by_hand.join(", "),
                if h.check_by_hand.len() == 1 {
                    "it"
                } else {
                    "them"
                }
            )
        });
        let effect = match h.op {
            Some(undo) => {
                let note = matches!(op, Op::HiveAdd { .. }).then(|| {
                    format!("{at}: if Hive created the patron for this add, the patron stays")
                });
                Undo::Row(Box::new(undo_row_of(row, op, undo)), note)
            }
            None => Undo::Nothing,
        };
        return RowUndo {
            effect,
            from_asked: true,
            check,
        };
    }
    // A Cerego change: back to what the first attempt replaced. The latest Op is the one
    // that was sent last (an add re-planned as an update of the tag it created).
    let latest = &attempts[attempts.len() - 1].intent.op;
    let effect =
        match crate::core::op::inverse::inverse_from_prior(op, first.intent.prior.as_deref()) {
            Inverse::Op { op: undo, note } => Undo::Row(
                Box::new(undo_row_of(row, latest, undo)),
                note.map(|n| format!("{at}: {n}")),
            ),
            Inverse::Nothing(_) => Undo::Nothing,
            Inverse::Impossible(why) => {
                return RowUndo {
                    effect: Undo::Nothing,
                    from_asked: true,
                    check: Some(format!(
                        "{at}: an attempt's outcome is unknown and it {why}",
                    )),
                };
            }
        };
    RowUndo {
        effect,
        from_asked: true,
        check: None,
    }
}

/// The journal entry with id `id`, if the journal has it.
pub fn find_entry(journal_path: &Path, id: &str) -> Result<Option<Entry>, String> {
    let mut found = None;
    journal::stream(journal_path, None, |entry| {
        if entry.intent.id == id {
            found = Some(entry);
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok(found)
}
