//! Before a `hive import --set` is sent: each patron's difference from what tagdesk last
//! confirmed (`+vip −beta_tester`, `? unknown: will send …`, `= unchanged …`), counted, and
//! the first patrons listed (`--dry-run` lists every request).

use super::err;
use crate::core::model::KnownState;
use crate::core::plan::{predict_all, set_groups};
use crate::core::printable::{grouped, plural, printable};
use crate::engine::batch::SavedPlan;

/// Patrons listed before the question; the rest are counted.
const SHOWN: usize = 20;

/// Prints the set's differences to standard error.
pub(crate) fn print(plan: &SavedPlan, known: &KnownState) {
    let predictions = predict_all(plan.op, &plan.rows, known, &[], &[]);
    let groups = set_groups(&plan.rows);
    let diffs: Vec<(String, &str)> = groups
        .iter()
        .filter_map(|g| {
            let target = plan.rows.get(g.start)?.op.target();
            Some((target, predictions.get(g.start)?.effect.as_str()))
        })
        .collect();
    let unknown = diffs.iter().filter(|(_, d)| d.starts_with('?')).count();
    let unchanged = diffs.iter().filter(|(_, d)| d.starts_with('=')).count();
    let change = diffs.len() - unknown - unchanged;
    err(&format!(
        "tagdesk: set: {}: {change} to change from what tagdesk last confirmed, {unknown} not \
         known (add and remove sent in full), {unchanged} unchanged",
        plural(diffs.len() as u64, "patron", "patrons")
    ));
    let width = diffs
        .iter()
        .take(SHOWN)
        .map(|(t, _)| t.chars().count())
        .max()
        .unwrap_or(0)
        .min(32);
    for (target, diff) in diffs.iter().take(SHOWN) {
        err(&format!(
            "  {:<width$}  {}",
            printable(target),
            printable(diff)
        ));
    }
    if diffs.len() > SHOWN {
        err(&format!(
            "  … and {} more (--dry-run lists every one)",
            grouped((diffs.len() - SHOWN) as u64)
        ));
    }
}
