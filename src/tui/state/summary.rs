//! What a settled line of the action log says — its mark, text and colour, the Hive message
//! check and the per-tag breakdown — computed once, when a reply or a journal entry arrives.

use ratatui::style::Color;

use crate::core::op::hive::HiveOutcome;
use crate::core::op::scenario::{MessageCheck, Severity};
use crate::core::op::verdict::RowOutcome;
use crate::core::op::{Op, Output};
use crate::engine::backend::Reply;
use crate::engine::batch::report::of_kind;
use crate::engine::journal::{Entry, OutcomeKind};
use crate::tui::theme;

/// What a settled row says.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The outcome's glyph ([`RowOutcome::glyph`]: ✓ = ◐ ✗ ⊘ ! ? ·), the same as the batch
    /// window's.
    pub mark: &'static str,
    pub text: String,
    pub colour: Color,
    /// For a Hive outcome: whether the message is the documented one.
    pub check: Option<MessageCheck>,
    /// For a Hive outcome: each api_field's fate (`+vip =newsletter ✗bogus` for an add,
    /// `−vip ∅newsletter ✗bogus` for a remove).
    pub tags: Option<String>,
}

/// Each api_field of a Hive outcome with its fate: `+` added, `=` already there, `−`
/// removed, `∅` not there, `✗` failed (the glyphs docs/src/inspecting.md documents).
pub fn tag_glyphs(o: &HiveOutcome) -> String {
    let (changed, unchanged) = match o.action {
        crate::core::op::scenario::HiveAction::Add => ("+", "="),
        crate::core::op::scenario::HiveAction::Remove => ("−", "∅"),
    };
    o.changed
        .iter()
        .map(|t| format!("{changed}{t}"))
        .chain(o.unchanged.iter().map(|t| format!("{unchanged}{t}")))
        .chain(o.failed.iter().map(|f| format!("✗{}", f.api_field)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The colour of an outcome word, in the log, the batch window and the legend alike.
pub fn outcome_colour(o: RowOutcome) -> Color {
    match o {
        RowOutcome::Ok => theme::OK,
        RowOutcome::Unchanged => theme::ACCENT,
        RowOutcome::Partial => theme::WARN,
        RowOutcome::Failed | RowOutcome::Refused | RowOutcome::Error => theme::ERROR,
        RowOutcome::Abandoned => theme::UNKNOWN,
        RowOutcome::Pending => theme::MUTED,
    }
}

/// The mark of an outcome severity (the scenario table of the help).
pub fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Applied => "✓",
        Severity::AlreadyThere => "=",
        Severity::Partial => "◐",
        Severity::Nothing => "✗",
    }
}

/// A reply's summary: the status, then `Output::summary` (the Hive message verbatim) or,
/// for a change the console words itself, `words`, then the retries it took.
pub(super) fn reply_summary(reply: &Reply, words: Option<&str>) -> Summary {
    let status = reply.exchanges.last().and_then(|e| e.status);
    let retries = match reply.retries.len() {
        0 => String::new(),
        1 => " (after 1 retry)".to_string(),
        n => format!(" (after {n} retries)"),
    };
    let journal = if reply.journal_error.is_some() {
        " · NOT JOURNALED"
    } else {
        ""
    };
    match &reply.result {
        Err(e) => Summary {
            mark: RowOutcome::of_error(e).glyph(),
            text: format!("{e}{retries}{journal}"),
            colour: theme::ERROR,
            check: None,
            tags: None,
        },
        Ok(Output::Hive(o)) => {
            let s = o.scenario().severity();
            Summary {
                mark: RowOutcome::of_hive(o).glyph(),
                text: format!("{}{retries}{journal}", o.summary()),
                colour: theme::severity(s),
                check: Some(o.message_check()),
                tags: Some(tag_glyphs(o)),
            }
        }
        Ok(output) => Summary {
            mark: RowOutcome::of_output(output).glyph(),
            text: format!(
                "{}{}{retries}{journal}",
                status_prefix(status),
                words.map_or_else(|| output.summary(), str::to_string)
            ),
            colour: theme::OK,
            check: None,
            tags: None,
        },
    }
}

fn status_prefix(status: Option<u16>) -> String {
    status.map(|s| format!("{s} ")).unwrap_or_default()
}

/// The summary of an entry from an earlier run's journal.
pub(super) fn history_summary(entry: &Entry, hive: Option<&HiveOutcome>) -> Summary {
    let plain = |mark, text: &str, colour| Summary {
        mark,
        text: text.to_string(),
        colour,
        check: None,
        tags: None,
    };
    let Some(outcome) = &entry.outcome else {
        return plain(
            RowOutcome::Abandoned.glyph(),
            entry.summary(),
            theme::UNKNOWN,
        );
    };
    match outcome.result {
        OutcomeKind::Ok => match hive {
            Some(o) => {
                let s = o.scenario().severity();
                Summary {
                    mark: RowOutcome::of_hive(o).glyph(),
                    text: outcome.summary.clone(),
                    colour: theme::severity(s),
                    check: Some(o.message_check()),
                    tags: Some(tag_glyphs(o)),
                }
            }
            // A Hive reply whose arrays cannot be read back (a body cut in the journal).
            None if matches!(entry.intent.op, Op::HiveAdd { .. } | Op::HiveRemove { .. }) => plain(
                RowOutcome::Error.glyph(),
                &format!(
                    "{} · the reply's arrays cannot be read back: outcome unknown",
                    outcome.summary
                ),
                theme::ERROR,
            ),
            None => plain(
                RowOutcome::Ok.glyph(),
                &format!("{}{}", status_prefix(outcome.status), outcome.summary),
                theme::OK,
            ),
        },
        kind => {
            let word = of_kind(kind);
            plain(word.glyph(), &outcome.summary, outcome_colour(word))
        }
    }
}
