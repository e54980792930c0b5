//! The `expect` column on the command line: each judged row's mark in the results, the
//! mismatches named on stderr and counted in the summary, and the expectation beside a
//! dry-run's prediction (flagged when the prediction already contradicts it).

use super::{err, exit};
use crate::core::plan::expect;
use crate::core::printable::printable;
use crate::engine::batch::{RowOutcome, RowReport};
use crate::engine::journal::BatchCounts;

/// The most mismatches named one by one on stderr (the results list them all).
const NAMED: usize = 20;

/// A row's mark after its result line: `expect ok: MATCH`, `expect pre: MISMATCH (got
/// added)`, `expect ok: not judged (no answer)`; empty for a row with no expectation.
pub(crate) fn mark(r: &RowReport) -> String {
    let Some(want) = &r.expect else {
        return String::new();
    };
    match (r.expect_check.as_deref(), &r.got) {
        (Some(expect::MATCH), _) => format!("  expect {want}: MATCH"),
        (Some(check), Some(got)) => format!("  expect {want}: {check} (got {})", printable(got)),
        (Some(check), None) => format!("  expect {want}: {check}"),
        (None, _) => format!("  expect {want}: not judged (no answer)"),
    }
}

/// The exit code of a run whose rows may have expectations, from the code its counts give
/// (`code`): a mismatch is exit 1 when nothing worse applies, and a failure a row expected
/// (an `add_failed` row that got it) is no failure of the run — a file of such rows is a
/// check that passes with 0. Names each mismatch on stderr.
pub(crate) fn exit_code(code: u8, counts: &BatchCounts, rows: &[(usize, RowReport)]) -> u8 {
    name_mismatches(rows.iter().map(|(_, r)| r));
    let expected = |r: &RowReport| {
        !matches!(r.outcome, RowOutcome::Failed | RowOutcome::Partial)
            || r.expect_check.as_deref() == Some(expect::MATCH)
    };
    match code {
        exit::OK if counts.mismatched > 0 => exit::SOME_FAILED,
        exit::SOME_FAILED if counts.mismatched == 0 && rows.iter().all(|(_, r)| expected(r)) => {
            exit::OK
        }
        c => c,
    }
}

/// The summary's part about expectations: ` · 2 mismatched` (nothing when none did).
pub(crate) fn summary_part(c: &BatchCounts) -> String {
    if c.mismatched == 0 {
        String::new()
    } else {
        format!(" · {} mismatched", c.mismatched)
    }
}

/// Names on stderr each row whose answer is not the outcome its file expects.
fn name_mismatches<'a>(rows: impl Iterator<Item = &'a RowReport>) {
    let bad: Vec<&RowReport> = rows
        .filter(|r| r.expect_check.as_deref() == Some(expect::MISMATCH))
        .collect();
    for r in bad.iter().take(NAMED) {
        err(&format!(
            "tagdesk: MISMATCH: line {}: {} expected {}, got {}",
            r.line,
            printable(&r.target),
            r.expect.as_deref().unwrap_or_default(),
            printable(r.got.as_deref().unwrap_or("no outcome"))
        ));
    }
    if bad.len() > NAMED {
        err(&format!(
            "tagdesk: … and {} more rows not as expected (the results list them all)",
            bad.len() - NAMED
        ));
    }
}
