//! The batch window: a running or finished batch's progress (a gauge, the counts, the rate
//! and the time left), the slow-down the server asked for, and its rows with their outcome
//! glyphs. `p` pauses or goes on, `c` cancels (requests in flight finish), Enter opens the
//! selected row in the inspector, `u` undoes a finished batch, Esc closes the window (the
//! batch goes on; its line in the action log follows it).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{Popup, centered};
use crate::core::printable::plural;
use crate::engine::batch::{Control, RowOutcome};
use crate::tui::app::{App, Effect, Level};
use crate::tui::keymap::Action;
use crate::tui::state::batch::BatchPhase;
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::fit;

impl App {
    pub(in crate::tui) fn batch_key(
        &mut self,
        action: Option<Action>,
        batch_id: String,
    ) -> Vec<Effect> {
        let Some(b) = self.batch(&batch_id) else {
            return Vec::new();
        };
        let (max, selected, phase) = (b.todo.len().saturating_sub(1), b.selected, b.phase);
        let reopen = |app: &mut App| {
            app.popup = Some(Popup::Batch {
                batch_id: batch_id.clone(),
            })
        };
        if let Some(to) = Self::scrolled(action, selected, max) {
            if let Some(b) = self
                .batches
                .iter_mut()
                .find(|b| b.plan.batch_id == batch_id)
            {
                b.selected = to;
            }
            reopen(self);
            return Vec::new();
        }
        match action {
            Some(Action::Close) | Some(Action::Quit) => Vec::new(),
            Some(Action::Pause) => {
                reopen(self);
                match phase {
                    BatchPhase::Running => self.control_batch(&batch_id, Control::Pause),
                    BatchPhase::Paused => self.control_batch(&batch_id, Control::Run),
                    BatchPhase::Cancelling | BatchPhase::Finished => Vec::new(),
                }
            }
            Some(Action::CancelBatch) => {
                reopen(self);
                if matches!(phase, BatchPhase::Running | BatchPhase::Paused) {
                    self.set_status(
                        Level::Warn,
                        "Cancelling: requests in flight finish, the rest stay pending (resume \
                         them later with `tagdesk batch resume`).",
                    );
                    self.control_batch(&batch_id, Control::Cancel)
                } else {
                    Vec::new()
                }
            }
            Some(Action::Inspect) => {
                let key = self.batch(&batch_id).and_then(|b| {
                    let row = *b.todo.get(b.selected)?;
                    b.entries.get(&row).map(|e| e.key.clone())
                });
                match key {
                    Some(key) => self.popup = Some(Popup::Inspector { key, scroll: 0 }),
                    None => {
                        reopen(self);
                        self.set_status(Level::Info, "That row has no outcome yet.");
                    }
                }
                Vec::new()
            }
            Some(Action::Undo) if phase == BatchPhase::Finished => {
                if let Some(i) = self.log.entries().iter().position(|e| e.key == batch_id) {
                    self.log.list.select_index(i);
                }
                self.undo_selected();
                Vec::new()
            }
            _ => {
                reopen(self);
                Vec::new()
            }
        }
    }
}

/// Draws the batch window.
pub fn draw_batch(app: &App, batch_id: &str, frame: &mut Frame, area: Rect) {
    let Some(b) = app.batch(batch_id) else {
        return;
    };
    let rect = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    let w = rect.width.saturating_sub(4) as usize;
    let total = b.todo.len();
    let done = b.done();
    let bar_w = w.saturating_sub(40).clamp(10, 50);
    let filled = (done * bar_w)
        .checked_div(total)
        .unwrap_or(bar_w)
        .min(bar_w);
    let rate = b.rate(app.now);
    let eta = b
        .eta(app.now)
        .map(|s| format!(" · ETA {s:.0} s"))
        .unwrap_or_default();
    let phase = match b.phase {
        BatchPhase::Running => "running",
        BatchPhase::Paused => "paused",
        BatchPhase::Cancelling => "cancelling",
        BatchPhase::Finished => "finished",
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("█".repeat(filled), Style::new().fg(theme::OK)),
            Span::styled("░".repeat(bar_w - filled), Style::new().fg(theme::MUTED)),
            Span::raw(format!(" {done}/{total} · {rate:.1}/s{eta} · ")),
            Span::styled(phase, Style::new().bold()),
        ]),
        Line::from(fit(
            &format!(
                "ok {} · partial {} · failed {} · refused {} · errors {} · pending {} · \
                 unchanged {}",
                b.counts.ok,
                b.counts.partial,
                b.counts.failed,
                b.counts.refused,
                b.counts.errors,
                total.saturating_sub(done) + b.counts.pending,
                b.counts.unchanged
            ),
            w,
        )),
    ];
    if let Some(t) = &b.throttled {
        lines.push(Line::from(fit(t, w).warn()));
    }
    if let Some(e) = &b.journal_error {
        lines.push(Line::from(fit(e, w).error()));
    }
    lines.push(Line::from(
        fit(
            &format!(
                "  {:<8} {:<22} {:<14} {:<10} message",
                "line", "target", "op", "outcome"
            ),
            w,
        )
        .bold(),
    ));
    let room = (rect.height as usize)
        .saturating_sub(lines.len() + 4)
        .max(3);
    let first = b.selected.saturating_sub(room.saturating_sub(1));
    for (pos, &row) in b.todo.iter().enumerate().skip(first).take(room) {
        let Some(plan_row) = b.plan.rows.get(row) else {
            continue;
        };
        let report = b.reports.get(&row);
        let outcome = report.map_or(RowOutcome::Pending, |r| r.outcome);
        let message = report.and_then(|r| r.message.as_deref()).unwrap_or("");
        let colour = match outcome {
            RowOutcome::Ok => theme::OK,
            RowOutcome::Partial => theme::WARN,
            RowOutcome::Failed | RowOutcome::Refused | RowOutcome::Error => theme::ERROR,
            RowOutcome::Abandoned => theme::UNKNOWN,
            RowOutcome::Pending | RowOutcome::Unchanged => theme::MUTED,
        };
        let line_no = if plan_row.lines.is_empty() {
            "-".to_string()
        } else {
            plan_row.line().to_string()
        };
        let text = format!(
            "{} {:<8} {:<22} {:<14} {:<10} {}",
            outcome.glyph(),
            line_no,
            fit(&plan_row.op.target(), 22),
            plan_row.op.name(),
            outcome.as_str(),
            message
        );
        let style = if pos == b.selected {
            theme::SELECTED
        } else {
            Style::new().fg(colour)
        };
        lines.push(Line::from(Span::styled(fit(&text, w), style)));
    }
    let keys = &app.settings.keymap;
    let hint = if b.phase == BatchPhase::Finished {
        format!(
            "{} inspect row · {} undo the batch · {} close",
            keys.first_key(Action::Inspect),
            keys.first_key(Action::Undo),
            keys.first_key(Action::Close)
        )
    } else {
        format!(
            "{} {} · {} cancel · {} inspect row · {} close (the batch goes on)",
            keys.first_key(Action::Pause),
            if b.phase == BatchPhase::Paused {
                "go on"
            } else {
                "pause"
            },
            keys.first_key(Action::CancelBatch),
            keys.first_key(Action::Inspect),
            keys.first_key(Action::Close)
        )
    };
    lines.push(Line::from(fit(&hint, w).muted()));
    let title = format!(
        " Batch {} · {} · {} ",
        b.plan.batch_id,
        b.plan.op.name(),
        b.plan
            .source
            .clone()
            .unwrap_or_else(|| plural(total as u64, "request", "requests"))
    );
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(fit(&title, w))
                .border_style(theme::BORDER_INFO),
        ),
        rect,
    );
}
