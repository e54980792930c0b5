//! The help's reference pages: the documented Hive outcomes (with what this console has seen
//! since it started) and a legend of every glyph and colour the console uses.

use std::collections::{BTreeSet, HashSet};

use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};

use super::Cx;
use crate::core::op::scenario::{DOCUMENTED, DOCUMENTED_ERRORS, HiveAction, Scenario, Severity};
use crate::core::op::verdict::RowOutcome;
use crate::core::op::{ApiError, Output, Service};
use crate::tui::state::summary::{outcome_colour, severity_mark};
use crate::tui::theme::{self, Themed};

/// The Hive scenarios and error codes answered since the console started (history from
/// earlier runs does not count).
fn seen(cx: &Cx) -> (HashSet<Scenario>, BTreeSet<String>) {
    let mut scenarios = HashSet::new();
    let mut codes = BTreeSet::new();
    for entry in cx.log.iter() {
        let Some(reply) = entry.reply() else {
            continue;
        };
        if entry.op.service() != Service::Hive {
            continue;
        }
        match &reply.result {
            Ok(Output::Hive(o)) => {
                scenarios.insert(o.scenario());
            }
            Err(ApiError::Http {
                code: Some(code), ..
            }) => {
                codes.insert(code.clone());
            }
            Ok(_) | Err(_) => {}
        }
    }
    (scenarios, codes)
}

fn seen_mark(seen: bool) -> Span<'static> {
    if seen {
        Span::styled("seen ", Style::new().fg(theme::OK).bold())
    } else {
        Span::raw("     ")
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Applied => "green",
        Severity::AlreadyThere => "cyan",
        Severity::Partial => "yellow",
        Severity::Nothing => "red",
    }
}

/// The documented 7 + 7 messages and the three error codes, seen ones marked.
pub fn outcome_lines(cx: &Cx) -> Vec<Line<'static>> {
    let (scenarios, codes) = seen(cx);
    let mut lines = vec![Line::from(
        "The documented messages, in the tables' order; \"seen\": answered since the console started. S plays any of them."
            .muted(),
    )];
    for action in [HiveAction::Add, HiveAction::Remove] {
        lines.push(Line::from(""));
        lines.push(Line::from(
            match action {
                HiveAction::Add => "Add  (●●● = added · pre-existing · failed)",
                HiveAction::Remove => "Remove  (●●● = removed · non-existent · failed)",
            }
            .bold(),
        ));
        for s in DOCUMENTED.iter().filter(|s| s.action == action) {
            let severity = s.severity();
            let colour = theme::severity(severity);
            let flags = format!(
                "{}{}{}",
                if s.changed { "●" } else { "·" },
                if s.unchanged { "●" } else { "·" },
                if s.failed { "●" } else { "·" },
            );
            lines.push(Line::from(vec![
                seen_mark(scenarios.contains(s)),
                Span::styled(
                    format!("{} ", severity_mark(severity)),
                    Style::new().fg(colour).bold(),
                ),
                Span::raw(format!("{flags}  ")),
                Span::styled(
                    s.documented_message().unwrap_or("").to_string(),
                    Style::new().fg(colour),
                ),
                Span::raw(format!("  ({}, {})", s.label(), severity_name(severity))).muted(),
            ]));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from("Error codes".bold()));
    for e in DOCUMENTED_ERRORS {
        lines.push(Line::from(vec![
            seen_mark(codes.contains(e.error_code)),
            Span::styled("✗ ", Style::new().fg(theme::ERROR).bold()),
            Span::raw(format!("{} {:<16}", e.status, e.error_code)),
            Span::raw(e.when.to_string()).muted(),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(
        "● / · = the response's array is non-empty / empty; the glyph and colour are the action log's."
            .muted(),
    ));
    lines
}

/// Every glyph and colour the console uses, and what it means.
pub fn legend_lines() -> Vec<Line<'static>> {
    let entry = |glyph: &str, style: Style, text: &str| {
        Line::from(vec![
            Span::styled(format!("  {glyph:<12}"), style),
            Span::raw(text.to_string()),
        ])
    };
    let fg = |c| Style::new().fg(c).bold();
    let mut lines = vec![Line::from(
        "Outcomes: the mark before each action-log line and each batch row".bold(),
    )];
    for word in RowOutcome::ALL {
        lines.push(entry(
            word.glyph(),
            fg(outcome_colour(word)),
            &format!("{}: {}", word.as_str(), word.meaning()),
        ));
    }
    lines.push(entry(
        "⠋ …",
        fg(theme::WARN),
        "in flight (the spinner turns while it waits; retries count down)",
    ));
    lines.push(Line::from(""));
    lines.push(Line::from("Per tag, after a Hive message".bold()));
    for (g, text) in [
        ("+vip", "added"),
        ("=vip", "already there (pre-existing)"),
        ("−vip", "removed"),
        ("∅vip", "not there (non-existent), nothing to remove"),
        (
            "✗vip",
            "failed: the application does not define it, or the server said why",
        ),
        (
            "?vip",
            "in a dry-run: unknown, tagdesk has not seen this patron's tags",
        ),
    ] {
        lines.push(entry(g, Style::new().bold(), text));
    }
    lines.push(Line::from(""));
    lines.push(Line::from("Badges".bold()));
    lines.push(entry(
        " MATCH ",
        theme::BADGE_SAFE,
        "the server's message is the documented one for its scenario",
    ));
    lines.push(entry(
        " MISMATCH ",
        theme::BADGE_MISMATCH,
        "it differs ([-missing-] / {+added+}), or the reply is for another patron",
    ));
    lines.push(entry(
        " UNDOCUMENTED ",
        theme::BADGE_ACT,
        "all arrays empty, or tags the request did not name (never undone)",
    ));
    lines.push(entry(
        " DEMO ",
        theme::BADGE_ACT,
        "the built-in simulator: nothing real is touched",
    ));
    lines.push(entry(
        " faults: … ",
        theme::badge(theme::ERROR),
        "the simulator injects these faults (F)",
    ));
    lines.push(entry(
        " raw ",
        Style::new().bold(),
        "in the operation column: a request sent as written (the playground)",
    ));
    lines.push(Line::from(""));
    lines.push(Line::from("Lists".bold()));
    lines.push(entry(
        "▶",
        theme::SELECTED,
        "the selected row (reverse video without colour)",
    ));
    lines.push(entry(
        "●",
        Style::new().bold(),
        "marked for a batch (space, v, *)",
    ));
    lines.push(entry(
        super::scenarios::PLAYED_MARK,
        Style::new().bold(),
        "in the scenario picker: played since the console started",
    ));
    lines.push(Line::from(""));
    lines.push(Line::from("Batches".bold()));
    lines.push(entry(
        "…",
        Style::new().bold(),
        "running, paused or cancelling",
    ));
    lines.push(entry(
        "✓ = ◐ ✗ ?",
        Style::new().bold(),
        "finished: all ok / all unchanged / some failed / none applied / some outcomes unknown",
    ));
    lines.push(Line::from(""));
    lines.push(Line::from(
        "Colour is never the only carrier: every colour comes with a glyph or a word (NO_COLOR shows the same screens)."
            .muted(),
    ));
    lines
}
