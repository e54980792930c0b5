//! Running a probe (`tagdesk probe hive`, or `S` in the console on a live profile): its
//! steps as one batch of the one batch engine — every request journaled, listed by
//! `batch list` and `batch show` — sent one at a time in the sequence's order, and stopped
//! as soon as an answer makes the rest meaningless (the API refuses the profile's key, the
//! server cannot be reached, or one of the two api_fields is not defined).

use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::batch::{Concurrency, Control, Progress, RunOptions, SavedPlan};
use crate::core::domain::{ApiField, PatronId};
use crate::core::op::Op;
use crate::core::plan::{BatchOp, PlanRow};
use crate::core::probe::judge::{Judged, judge};
use crate::core::probe::{self, Fields, ProbeStep};

/// How a probe runs: one request at a time (each step's state is what the one before it
/// left), never in a burst.
pub fn run_options() -> RunOptions {
    RunOptions {
        concurrency: Concurrency::Fixed(1),
        rate: None,
        group_commit: true,
        // Its documented errors are what it checks: they do not stop it.
        max_errors: usize::MAX,
    }
}

/// The made-up names of a new run (a fresh random number each time).
pub fn made_up() -> (String, String) {
    probe::made_up(fastrand::u64(..))
}

/// A probe's plan: its steps as the rows of a batch of kind `probe`.
pub fn plan(
    batch_id: String,
    profile: &str,
    demo: bool,
    steps: &[ProbeStep],
    notes: Vec<String>,
) -> SavedPlan {
    let rows: Vec<PlanRow> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| PlanRow::derived(vec![i + 1], s.op.clone(), None))
        .collect();
    let mut plan = SavedPlan::empty(BatchOp::Probe);
    plan.batch_id = batch_id;
    plan.profile = profile.to_string();
    plan.demo = demo;
    plan.source = Some("probe hive".into());
    plan.data_rows = rows.len();
    plan.rows = rows;
    plan.notes = notes;
    plan
}

/// The steps a probe's plan was made of (its patron, api_fields and made-up names read
/// back from its rows), or None when the plan is not a probe's.
pub fn steps_of(plan: &SavedPlan) -> Option<Vec<ProbeStep>> {
    let ops: Vec<&Op> = plan.rows.iter().map(|r| &r.op).collect();
    let Some(Op::HiveRemove { patron, fields }) = ops.first() else {
        return None;
    };
    let [first, second] = fields.as_slice() else {
        return None;
    };
    let nobody = ops.iter().rev().find_map(|op| {
        let Op::HiveRemove { patron: p, .. } = op else {
            return None;
        };
        (p != patron).then(|| p.clone())
    })?;
    let missing = ops.iter().find_map(|op| {
        let Op::HiveAdd { fields, .. } = op else {
            return None;
        };
        fields
            .iter()
            .find(|f| f.as_str().starts_with(probe::MISSING_PREFIX))
            .cloned()
    })?;
    let fields = Fields {
        first: first.clone(),
        second: second.clone(),
        missing,
    };
    let steps = probe::steps(patron, &fields, &nobody);
    let same = steps.len() == ops.len() && steps.iter().zip(&ops).all(|(s, op)| &s.op == *op);
    same.then_some(steps)
}

/// Builds a probe's steps from what the operator gave.
pub fn steps_for(
    patron: &str,
    first: &str,
    second: &str,
) -> Result<(PatronId, Vec<ProbeStep>), String> {
    let patron = PatronId::parse(patron).map_err(|e| e.to_string())?;
    let first = ApiField::parse(first).map_err(|e| e.to_string())?;
    let second = ApiField::parse(second).map_err(|e| e.to_string())?;
    if first == second {
        return Err(format!(
            "the probe needs two different api_fields (--fields A,B), not {first} twice"
        ));
    }
    let (missing, nobody) = made_up();
    let fields = Fields {
        first,
        second,
        missing: ApiField::parse(&missing).map_err(|e| e.to_string())?,
    };
    let nobody = PatronId::parse(&nobody).map_err(|e| e.to_string())?;
    let steps = probe::steps(&patron, &fields, &nobody);
    Ok((patron, steps))
}

/// Wraps a batch's progress so that each ended step is judged (kept in `judged`, by row)
/// and the run is cancelled as soon as a step says the rest cannot mean anything.
pub fn judging(
    steps: Vec<ProbeStep>,
    judged: Arc<Mutex<Vec<(usize, Judged)>>>,
    control: watch::Sender<Control>,
    inner: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Arc<dyn Fn(Progress) + Send + Sync> {
    Arc::new(move |p: Progress| {
        if let Progress::Done {
            row,
            report,
            result,
            ..
        } = &p
            && let Some(step) = steps.get(*row)
        {
            let j = judge(step, report.http_status, result);
            if j.stop.is_some() {
                let _ = control.send(Control::Cancel);
            }
            judged
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((*row, j));
        }
        inner(p);
    })
}
