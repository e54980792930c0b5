//! The inspector: everything about one request, with Hive's outcome taken apart.

use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::Hits;
use crate::tui::theme::{self, Themed};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use ratatui::crossterm::event::KeyEvent;

use super::{BatchWindow, CopyMenu, Cx, Do, OnYes, Outcome, Popup, Room, centered, scrolled};
use crate::core::op::Output;
use crate::core::op::hive::HiveOutcome;
use crate::core::op::scenario::MessageCheck;
use crate::core::op::{ApiError, Exchange};
use crate::engine::journal::Entry;
use crate::tui::app::{App, Level};
use crate::tui::state::LogEntry;
use crate::tui::view::log::summary;
use crate::tui::view::text::clean;

/// The inspector of the log entry with this journal id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspector {
    pub key: String,
    pub scroll: u16,
    /// Opened from this batch's window: closing the inspector goes back to it.
    pub batch: Option<String>,
}

impl Inspector {
    pub fn new(key: String) -> Self {
        Self {
            key,
            scroll: 0,
            batch: None,
        }
    }

    /// The inspector of a row of a batch, opened from its window.
    pub fn of_batch_row(key: String, batch_id: String) -> Self {
        Self {
            batch: Some(batch_id),
            ..Self::new(key)
        }
    }

    /// Closing: back to the batch window it was opened from, else to the screen.
    fn close(&self) -> Outcome {
        match &self.batch {
            Some(batch_id) => Outcome::open(Popup::Batch(BatchWindow {
                batch_id: batch_id.clone(),
            })),
            None => Outcome::close(),
        }
    }
}

impl Room for Inspector {
    fn context(&self) -> Context {
        Context::Inspector
    }

    fn on_key(&mut self, action: Option<Action>, _key: KeyEvent, cx: &Cx) -> Outcome {
        let closes = matches!(action, Some(Action::Close | Action::Quit | Action::Inspect));
        if closes {
            return self.close();
        }
        let max = max_scroll(cx, &self.key) as usize;
        // j / k past the end (or the start) go on to the next (previous) entry.
        let step = match action {
            Some(Action::NextEntry) => Some(true),
            Some(Action::PrevEntry) => Some(false),
            Some(Action::Down) if self.scroll as usize >= max => Some(true),
            Some(Action::Up) if self.scroll == 0 => Some(false),
            _ => None,
        };
        if let Some(forward) = step {
            return match cx.log.next_from(&self.key, forward) {
                Some(next) => {
                    self.key = next.clone();
                    self.scroll = 0;
                    Outcome::stay().and(Do::SelectEntry(next))
                }
                // The first / last entry: it stays where it is, and says so.
                None => Outcome::stay().say(
                    Level::Info,
                    if forward {
                        "This is the last entry of the log."
                    } else {
                        "This is the first entry of the log."
                    },
                ),
            };
        }
        match action {
            Some(Action::Copy) => {
                return Outcome::open(Popup::Copy(CopyMenu {
                    key: self.key.clone(),
                    selected: 0,
                    batch: self.batch.clone(),
                }));
            }
            Some(Action::Resend) => return self.resend(cx),
            Some(Action::Edit) => return self.edit(cx),
            _ => {}
        }
        if let Some(to) = scrolled(action, self.scroll as usize, max) {
            self.scroll = to as u16;
        }
        Outcome::stay()
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        draw_inspector(cx, &self.key, self.scroll, frame, area)
    }

    /// Read-only: the wheel scrolls it, a click outside closes it.
    fn hits(&self, _cx: &Cx, area: Rect, hits: &mut Hits) {
        hits.popup(inspector_area(area), true, Some(Action::Close));
    }
}

impl Inspector {
    /// `r`: the entry's Op again, through the write gate, as a new entry; the inspector
    /// follows it (unless the gate refuses). A change is sent again only once the operator
    /// said yes to a question naming it and its target (and the profile, when it asks for
    /// confirmation); a read is simply read again.
    fn resend(&self, cx: &Cx) -> Outcome {
        let Some(op) = cx.entry(&self.key).map(|e| &e.op) else {
            return Outcome::close();
        };
        if matches!(op, crate::core::op::Op::CeregoListUsers { query: None, .. }) {
            return Outcome::stay().say(
                Level::Info,
                format!(
                    "Reload the user list with {}.",
                    cx.key_label(Action::Refresh)
                ),
            );
        }
        if !op.is_mutation() {
            return Outcome::stay().and(Do::Resend(self.key.clone()));
        }
        let title = format!(" Send {} again? ", crate::tui::state::words::op_words(op));
        let on_yes = OnYes::Resend(self.key.clone());
        Outcome::open(Popup::Confirm(super::resend::question(
            op,
            cx.settings,
            title,
            on_yes,
        )))
    }
}

fn heading(text: &str) -> Line<'static> {
    Line::from(Span::styled(format!("── {text} "), theme::KEY))
}

fn field(name: &str, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name:<22}"), Style::new().fg(theme::MUTED)),
        Span::raw(clean(&value.into())),
    ])
}

/// Pretty-prints a JSON body; anything else is shown as it came.
fn pretty(body: &str) -> Vec<Line<'static>> {
    let text = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| body.to_string()),
        Err(_) if body.is_empty() => "(empty body)".to_string(),
        Err(_) => body.to_string(),
    };
    text.lines()
        .map(|l| Line::from(clean(&l.replace('\t', "    "))))
        .collect()
}

fn exchange_lines(ex: &Exchange, scheme: &str) -> Vec<Line<'static>> {
    let mut lines = vec![heading("Request")];
    lines.push(Line::from(vec![
        Span::styled(format!("{} ", clean(&ex.method)), Style::new().bold()),
        Span::raw(clean(&ex.url)),
    ]));
    lines.push(field("Authorization", format!("{scheme} [redacted]")));
    if let Some(body) = &ex.request_body {
        lines.extend(pretty(body));
    }
    lines.push(Line::from(""));
    lines.push(heading("Response"));
    match ex.status {
        Some(status) => {
            let color = if (200..300).contains(&status) {
                theme::OK
            } else {
                theme::ERROR
            };
            lines.push(Line::from(vec![
                Span::styled(format!("HTTP {status}"), Style::new().fg(color).bold()),
                Span::styled(
                    format!("  ({} ms)", ex.duration_ms),
                    Style::new().fg(theme::MUTED),
                ),
            ]));
            lines.extend(pretty(ex.response_body.as_deref().unwrap_or("")));
        }
        None => lines.push(Line::from(
            format!("no response ({} ms)", ex.duration_ms).error(),
        )),
    }
    lines
}

fn hive_lines(o: &HiveOutcome) -> Vec<Line<'static>> {
    // The same breakdown the CLI prints (HiveOutcome::breakdown), styled.
    let b = o.breakdown();
    let color = theme::severity(o.scenario().severity());
    let mut lines = vec![heading("Outcome")];
    lines.push(Line::from(vec![
        Span::styled(format!("{:<22}", "scenario"), Style::new().fg(theme::MUTED)),
        Span::styled(b.scenario.to_string(), Style::new().fg(color).bold()),
    ]));
    lines.push(field(b.changed.0, b.changed.1.clone()));
    lines.push(field(b.unchanged.0, b.unchanged.1.clone()));
    if b.failed.is_empty() {
        lines.push(field("failed", "(none)"));
    } else {
        lines.push(field("failed", ""));
        for (api_field, reason) in &b.failed {
            lines.push(Line::from(vec![
                Span::raw(format!("  • {} ", clean(api_field))),
                Span::styled(
                    format!("— {}", clean(reason)),
                    Style::new().fg(theme::ERROR),
                ),
            ]));
        }
    }
    lines.push(Line::from(""));
    // A MISMATCH read: another scenario's documented message is said first.
    let explained = b
        .message
        .as_deref()
        .and_then(|m| crate::core::op::diff::explain(o.scenario(), m));
    if let Some(lead) = explained.as_ref().and_then(|e| e.lead()) {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<22}", "mismatch"), Style::new().fg(theme::MUTED)),
            Span::styled(clean(&lead), Style::new().fg(theme::ERROR).bold()),
        ]));
    }
    lines.push(field(
        "server message",
        match &b.message {
            Some(m) => format!("\"{m}\""),
            None => "(missing)".into(),
        },
    ));
    lines.push(field(
        "documented message",
        match b.documented {
            Some(m) => format!("\"{m}\""),
            None => "(the documentation has none for empty arrays)".into(),
        },
    ));
    // Where a MISMATCH differs: [-missing-] and {+added+}, readable without colour too.
    if let Some(explained) = explained {
        use crate::core::op::diff::{Level, Part};
        let mut spans = vec![Span::styled(
            format!("{:<22}", "difference"),
            Style::new().fg(theme::MUTED),
        )];
        let by = match explained.level {
            Level::Characters => "by character",
            Level::Words => "by word",
        };
        for part in explained.parts {
            spans.push(match part {
                Part::Same(s) => Span::raw(clean(&s)),
                Part::Missing(s) => Span::styled(
                    format!("[-{}-]", clean(&s)),
                    Style::new()
                        .fg(theme::ERROR)
                        .add_modifier(ratatui::style::Modifier::CROSSED_OUT),
                ),
                Part::Added(s) => Span::styled(
                    format!("{{+{}+}}", clean(&s)),
                    Style::new()
                        .fg(theme::OK)
                        .add_modifier(ratatui::style::Modifier::UNDERLINED),
                ),
            });
        }
        lines.push(Line::from(spans));
        lines.push(field(
            "",
            format!("{by}: [-…-] is in the documented message only, {{+…+}} in the server's only"),
        ));
    }
    let check = match b.check {
        MessageCheck::Match => Span::styled(" MATCH ", theme::BADGE_SAFE),
        MessageCheck::Mismatch => Span::styled(" MISMATCH ", theme::BADGE_MISMATCH),
        MessageCheck::Undocumented => Span::styled(" UNDOCUMENTED ", theme::BADGE_ACT),
    };
    lines.push(Line::from(vec![
        Span::styled(format!("{:<22}", "check"), Style::new().fg(theme::MUTED)),
        check,
    ]));
    if !o.missing_fields.is_empty() {
        lines.push(field(
            "missing fields",
            format!("{} (treated as empty)", o.missing_fields.join(", ")),
        ));
    }
    lines
}

fn error_lines(e: &ApiError) -> Vec<Line<'static>> {
    let mut lines = vec![heading("Error")];
    match e {
        ApiError::Http {
            status,
            code,
            message,
            retry_after,
        } => {
            lines.push(field("status", status.to_string()));
            lines.push(field(
                "error code",
                code.clone().unwrap_or_else(|| "(none)".into()),
            ));
            lines.push(field("message", message.clone()));
            if let Some(r) = retry_after {
                lines.push(field("Retry-After", r.clone()));
            }
        }
        ApiError::Decode { status, message } => {
            lines.push(field("status", status.to_string()));
            lines.push(field(
                "problem",
                format!("the body could not be read: {message}"),
            ));
        }
        ApiError::Timeout { .. }
        | ApiError::Network { .. }
        | ApiError::NotConfigured { .. }
        | ApiError::JournalUnwritable { .. }
        | ApiError::Local { .. } => {
            lines.push(Line::from(clean(&e.to_string())).error());
        }
    }
    lines
}

/// An earlier run's entry, as the journal kept it.
fn history_lines(h: &Entry, hive: Option<&HiveOutcome>) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(
        format!("From the journal (journal id {}).", h.intent.id).muted(),
    )];
    if let Some(o) = hive {
        lines.push(Line::from(""));
        lines.extend(hive_lines(o));
    }
    match &h.outcome {
        None => lines.push(Line::from(
            "No outcome was recorded: tagdesk stopped before the answer arrived. Whether the change happened is unknown.".unknown(),
        )),
        Some(o) => {
            lines.push(Line::from(""));
            lines.push(heading("Outcome record"));
            lines.push(field("result", o.result.as_str()));
            if let Some(e) = &o.error {
                lines.push(field("error", e.to_string()));
            }
            if let Some(d) = o.duration_ms {
                lines.push(field("duration", format!("{d} ms")));
            }
        }
    }
    if let Some(r) = &h.intent.request {
        lines.push(Line::from(""));
        lines.push(heading("Request"));
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", clean(&r.method)), Style::new().bold()),
            Span::raw(clean(&r.url)),
        ]));
        if let Some(b) = &r.body {
            lines.extend(pretty(&b.to_string()));
        }
    }
    if let Some(o) = &h.outcome
        && (o.status.is_some() || o.response_body.is_some())
    {
        lines.push(Line::from(""));
        lines.push(heading("Response"));
        if let Some(st) = o.status {
            lines.push(Line::from(format!("HTTP {st}").bold()));
        }
        if let Some(b) = &o.response_body {
            let text = match b {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            lines.extend(pretty(&text));
        }
    }
    lines
}

/// Every line of the inspector for one log entry.
pub fn inspector_lines(cx: &Cx, entry: &LogEntry) -> Vec<Line<'static>> {
    let (mark, text, color, _) = summary(entry, cx.now, cx.frame);
    let started = cx
        .local(entry.started_at)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    // The command names the profile (or --demo) the entry ran on, so pasting it repeats
    // the action in the same place.
    let command = match entry.history() {
        Some(h) => h.command(),
        None => entry.op.cli_command(&cx.settings.place),
    };
    let mut lines = vec![
        Line::from(Span::styled(
            clean(&entry.op.describe()),
            Style::new().bold(),
        )),
        field("started", started),
        field("command", command),
        Line::from(vec![
            Span::styled(format!("{:<22}", "result"), Style::new().fg(theme::MUTED)),
            Span::styled(clean(&format!("{mark} {text}")), Style::new().fg(color)),
        ]),
        Line::from(""),
    ];
    if let Some(h) = entry.history() {
        lines.extend(history_lines(h, entry.hive_outcome()));
        return lines;
    }
    let Some(reply) = entry.reply() else {
        lines.push(Line::from("Waiting for the reply…".warn()));
        return lines;
    };
    if let Some(problem) = &reply.journal_error {
        lines.push(heading("Journal"));
        lines.push(Line::from(clean(problem)).error());
        lines.push(Line::from(""));
    }
    if !reply.retries.is_empty() {
        lines.push(heading("Retries"));
        for r in &reply.retries {
            lines.push(Line::from(format!(
                "  attempt {}/{} after {:.1} s{} — {}",
                r.attempt,
                r.max_attempts,
                r.wait_ms as f64 / 1000.0,
                if r.from_retry_after {
                    " (Retry-After)"
                } else {
                    ""
                },
                clean(&r.reason)
            )));
        }
        lines.push(Line::from(""));
    }
    match &reply.result {
        Ok(Output::Hive(o)) => lines.extend(hive_lines(o)),
        Err(e) => lines.extend(error_lines(e)),
        Ok(_) => {}
    }
    let scheme = match entry.op.service() {
        crate::core::op::Service::Hive => "token",
        crate::core::op::Service::Cerego => "Bearer",
    };
    for (i, ex) in reply.exchanges.iter().enumerate() {
        lines.push(Line::from(""));
        if reply.exchanges.len() > 1 {
            lines.push(Line::from(
                format!("Exchange {} of {}", i + 1, reply.exchanges.len()).bold(),
            ));
        }
        lines.extend(exchange_lines(ex, scheme));
    }
    lines
}

/// Where the inspector draws in an area, and its bordered block.
fn inspector_area(area: Rect) -> Rect {
    centered(
        area,
        area.width.saturating_sub(6).max(20),
        area.height.saturating_sub(4).max(8),
    )
}

/// How far the inspector of log entry `key` can scroll at the console's current size: its
/// last line at the bottom of the popup, never past it.
fn max_scroll(cx: &Cx, key: &str) -> u16 {
    let Some(entry) = cx.entry(key) else {
        return 0;
    };
    let popup = inspector_area(Rect::new(0, 0, cx.size.0, cx.size.1));
    let inner_w = popup.width.saturating_sub(2);
    let inner_h = popup.height.saturating_sub(2) as usize;
    let rows = Paragraph::new(inspector_lines(cx, entry))
        .wrap(Wrap { trim: false })
        .line_count(inner_w);
    u16::try_from(rows.saturating_sub(inner_h)).unwrap_or(u16::MAX)
}

/// How far the inspector of log entry `key` can scroll at the console's current size.
pub fn inspector_max_scroll(app: &App, key: &str) -> u16 {
    max_scroll(&app.cx(), key)
}

fn draw_inspector(cx: &Cx, key: &str, scroll: u16, frame: &mut Frame, area: Rect) {
    let Some(log_entry) = cx.entry(key) else {
        return;
    };
    let popup = inspector_area(area);
    frame.render_widget(Clear, popup);
    let title = match (log_entry.history(), log_entry.id) {
        (Some(h), _) => format!(" Inspector · from the journal ({}) ", clean(h.id())),
        (None, Some(id)) => format!(" Inspector · request #{id} "),
        (None, None) => format!(" Inspector · {} ", clean(&log_entry.key)),
    };
    let block = Block::bordered()
        .border_style(theme::BORDER_INFO)
        .title(Line::from(title).bold())
        .title_bottom(
            Line::from(format!(
                " {}/{} scroll · {}/{} next/prev · {} copy · {} re-send · {} edit · {} close ",
                cx.first_key(Action::Up),
                cx.first_key(Action::Down),
                cx.first_key(Action::NextEntry),
                cx.first_key(Action::PrevEntry),
                cx.first_key(Action::Copy),
                cx.first_key(Action::Resend),
                cx.first_key(Action::Edit),
                cx.first_key(Action::Close)
            ))
            .muted(),
        );
    let lines = inspector_lines(cx, log_entry);
    let inner_w = popup.width.saturating_sub(2);
    let inner_h = popup.height.saturating_sub(2) as usize;
    let rows = Paragraph::new(lines.clone())
        .wrap(Wrap { trim: false })
        .line_count(inner_w);
    let max = u16::try_from(rows.saturating_sub(inner_h)).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max), 0)),
        popup,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::{ApiField, PatronId};
    use crate::core::op::Op;
    use crate::tui::popups::testing::{app, press, said, screen};

    /// The demo console with a Hive add of this run after its Cerego listing.
    fn with_an_add() -> (crate::tui::app::App, String, String) {
        let mut app = app();
        let listing = app.log.entries()[0].key.clone();
        let op = Op::HiveAdd {
            patron: PatronId::parse("user_1").expect("an id"),
            fields: vec![ApiField::parse("vip").expect("a field")],
        };
        app.log.push_pending("add-1".into(), 99, app.now, op, None);
        (app, listing, "add-1".into())
    }

    #[test]
    fn next_and_previous_walk_the_log_and_say_where_it_ends() {
        let (app, listing, add) = with_an_add();
        let cx = app.cx();
        let mut inspector = Inspector::new(listing.clone());
        let out = press(&mut inspector, &cx, "n");
        assert!(out.stays());
        assert_eq!(inspector.key, add);
        assert!(matches!(&out.then[..], [Do::SelectEntry(k)] if *k == add));
        let out = press(&mut inspector, &cx, "n");
        assert_eq!(said(&out), ["This is the last entry of the log."]);
        assert_eq!(inspector.key, add, "it stays on the last");
        let _ = press(&mut inspector, &cx, "p");
        assert_eq!(inspector.key, listing);
        let out = press(&mut inspector, &cx, "p");
        assert_eq!(said(&out), ["This is the first entry of the log."]);
        for key in ["esc", "q", "enter"] {
            assert!(press(&mut inspector, &cx, key).closes(), "{key}");
        }
    }

    #[test]
    fn resend_asks_before_a_change_and_not_for_the_user_list() {
        let (app, listing, add) = with_an_add();
        let cx = app.cx();
        let out = press(&mut Inspector::new(add.clone()), &cx, "r");
        let Some(Popup::Confirm(confirm)) = out.opens() else {
            panic!("a question first: {out:?}");
        };
        assert_eq!(confirm.on_yes, OnYes::Resend(add.clone()));
        assert_eq!(confirm.title, " Send Hive add again? ");
        assert_eq!(confirm.lines[0], "Hive: add vip to patron user_1");
        assert_eq!(confirm.lines[1], "Target:  user_1");
        assert!(out.then.is_empty(), "nothing is sent before the answer");
        let out = press(&mut Inspector::new(listing), &cx, "r");
        assert_eq!(said(&out), ["Reload the user list with r."]);
        // An entry that is gone closes the inspector.
        assert!(press(&mut Inspector::new("gone".into()), &cx, "r").closes());
    }

    #[test]
    fn closing_an_inspector_opened_from_a_batch_window_goes_back_to_it() {
        let (app, _, add) = with_an_add();
        let cx = app.cx();
        for key in ["esc", "q", "enter"] {
            let mut inspector = Inspector::of_batch_row(add.clone(), "batch-1".into());
            let out = press(&mut inspector, &cx, key);
            assert!(
                matches!(out.opens(), Some(Popup::Batch(w)) if w.batch_id == "batch-1"),
                "{key}: {out:?}"
            );
        }
    }

    #[test]
    fn copy_opens_the_copy_menu_of_the_entry() {
        let (app, _, add) = with_an_add();
        let out = press(&mut Inspector::new(add.clone()), &app.cx(), "y");
        assert!(
            matches!(out.opens(), Some(Popup::Copy(CopyMenu { key, selected: 0, .. })) if *key == add)
        );
    }

    #[test]
    fn the_inspector_shows_the_command_and_its_keys() {
        let (app, _, add) = with_an_add();
        let text = screen(&Inspector::new(add), &app.cx(), 120, 40);
        assert!(text.contains("Inspector · request #99"), "{text}");
        assert!(
            text.contains("tagdesk --demo hive add user_1 vip"),
            "{text}"
        );
        assert!(text.contains("Waiting for the reply…"), "{text}");
        assert!(
            text.contains("y copy · r re-send · e edit · esc close"),
            "{text}"
        );
    }
}
