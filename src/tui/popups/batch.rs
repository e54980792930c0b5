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

use ratatui::crossterm::event::KeyEvent;

use super::{Cx, Do, Inspector, Outcome, Popup, Room, centered, scrolled};
use crate::core::printable::plural;
use crate::engine::batch::{Control, RowOutcome};
use crate::tui::app::Level;
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::Hits;
use crate::tui::state::batch::BatchPhase;
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::fit;

/// The window of the batch with this id (its selection is the batch's own, so the window
/// opens again where it was).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchWindow {
    pub batch_id: String,
}

impl Room for BatchWindow {
    fn context(&self) -> Context {
        Context::Batch
    }

    fn on_key(&mut self, action: Option<Action>, _key: KeyEvent, cx: &Cx) -> Outcome {
        let Some(b) = cx.batch(&self.batch_id) else {
            return Outcome::close();
        };
        let (max, phase) = (b.todo.len().saturating_sub(1), b.phase);
        let batch_id = self.batch_id.clone();
        if let Some(row) = scrolled(action, b.selected, max) {
            return Outcome::stay().and(Do::SelectBatchRow { batch_id, row });
        }
        let control = |control| Do::ControlBatch {
            batch_id: self.batch_id.clone(),
            control,
        };
        match action {
            Some(Action::Close) | Some(Action::Quit) => Outcome::close(),
            Some(Action::Pause) => match phase {
                BatchPhase::Running => Outcome::stay().and(control(Control::Pause)),
                BatchPhase::Paused => Outcome::stay().and(control(Control::Run)),
                BatchPhase::Cancelling | BatchPhase::Finished => Outcome::stay(),
            },
            Some(Action::CancelBatch) => {
                if matches!(phase, BatchPhase::Running | BatchPhase::Paused) {
                    Outcome::stay()
                        .say(
                            Level::Warn,
                            "Cancelling: requests in flight finish, the rest stay pending \
                             (resume them later with `tagdesk batch resume`).",
                        )
                        .and(control(Control::Cancel))
                } else {
                    Outcome::stay()
                }
            }
            Some(Action::Inspect) => {
                let key = b
                    .todo
                    .get(b.selected)
                    .and_then(|row| b.entries.get(row))
                    .map(|e| e.key.clone());
                match key {
                    Some(key) => Outcome::open(Popup::Inspector(Inspector::of_batch_row(
                        key,
                        self.batch_id.clone(),
                    ))),
                    None => Outcome::stay().say(Level::Info, "That row has no outcome yet."),
                }
            }
            Some(Action::Undo) if phase == BatchPhase::Finished => {
                Outcome::close().and(Do::UndoBatch(batch_id))
            }
            _ => Outcome::stay(),
        }
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        draw_batch(cx, &self.batch_id, frame, area)
    }

    /// The window covers nearly the screen: the wheel moves it anywhere; its keys do the rest.
    fn hits(&self, _cx: &Cx, area: Rect, hits: &mut Hits) {
        hits.popup(area, true, None);
    }
}

/// Draws the batch window.
fn draw_batch(cx: &Cx, batch_id: &str, frame: &mut Frame, area: Rect) {
    let Some(b) = cx.batch(batch_id) else {
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
    let rate = b.rate(cx.now);
    let eta = b
        .eta(cx.now)
        .map(|s| format!(" · ETA {s:.0} s"))
        .unwrap_or_default();
    let phase = b.phase_word("finished");
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
                 unchanged {}{}",
                b.counts.ok,
                b.counts.partial,
                b.counts.failed,
                b.counts.refused,
                b.counts.errors,
                total.saturating_sub(done),
                b.counts.unchanged,
                match b.counts.mismatched {
                    0 => String::new(),
                    n => format!(" · mismatched {n}"),
                }
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
                "line", "target", "request", "outcome"
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
        // A row of a file with an `expect` column: its answer judged against it.
        let judged = match report.map(|r| (&r.expect_check, &r.expect, &r.got)) {
            Some((Some(check), Some(want), Some(got))) if check != "MATCH" => {
                format!("{check}: expected {want}, got {got} · ")
            }
            Some((Some(check), Some(want), _)) => format!("{check} (expect {want}) · "),
            _ => String::new(),
        };
        let colour = crate::tui::state::summary::outcome_colour(outcome);
        // A row from no file line (marked rows, an undo's own) has no line to show.
        let line_no = if plan_row.lines.is_empty() {
            String::new()
        } else {
            plan_row.line().to_string()
        };
        let text = format!(
            "{} {:<8} {:<22} {:<14} {:<10} {judged}{}",
            outcome.glyph(),
            line_no,
            fit(&plan_row.op.target(), 22),
            crate::tui::state::words::op_words(&plan_row.op),
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
    let keys = &cx.settings.keymap;
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
    // What the batch is, in words (its id is what `tagdesk batch` commands take).
    let what = match (&b.plan.undo_of, b.plan.op) {
        (Some(of), _) => format!("undo of {}", cx.known().undone(of)),
        (None, op) => format!(
            "{} · {}",
            crate::tui::state::words::batch_op_words(op.name()),
            crate::tui::state::words::batch_origin(op.name(), b.plan.source.as_deref())
        ),
    };
    let title = format!(
        " Batch {} · {} · {}{} ",
        b.plan.batch_id,
        what,
        plural(total as u64, "request", "requests"),
        // Read back from the journal: what its rows say, not a run of this console.
        if b.earlier { " · an earlier run" } else { "" }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::popups::testing::{hive_preview, keys, press, said, screen};

    /// The demo console with a batch of two rows started (its window open).
    fn running() -> (crate::tui::app::App, BatchWindow) {
        let mut app = hive_preview();
        keys(&mut app, &["enter"]);
        let Some(Popup::Batch(window)) = app.popup.clone() else {
            panic!("the batch window: {:?}", app.popup);
        };
        (app, window)
    }

    #[test]
    fn pause_goes_on_and_cancel_control_a_running_batch() {
        let (app, mut window) = running();
        let cx = app.cx();
        let control = |out: &Outcome| match &out.then[..] {
            [.., Do::ControlBatch { control, .. }] => Some(*control),
            _ => None,
        };
        let out = press(&mut window, &cx, "p");
        assert!(out.stays());
        assert_eq!(control(&out), Some(Control::Pause));
        let out = press(&mut window, &cx, "c");
        assert_eq!(control(&out), Some(Control::Cancel));
        assert!(said(&out)[0].starts_with("Cancelling: requests in flight finish"));
        assert!(press(&mut window, &cx, "esc").closes());
    }

    #[test]
    fn rows_are_selected_and_a_row_without_outcome_says_so() {
        let (app, mut window) = running();
        let cx = app.cx();
        let out = press(&mut window, &cx, "j");
        assert!(
            matches!(&out.then[..], [Do::SelectBatchRow { row: 1, batch_id }] if *batch_id == window.batch_id)
        );
        let out = press(&mut window, &cx, "enter");
        assert!(out.stays());
        assert_eq!(said(&out), ["That row has no outcome yet."]);
        // Undo is for a finished batch only.
        assert!(press(&mut window, &cx, "u").then.is_empty());
        // A batch that is gone closes its window.
        let mut gone = BatchWindow {
            batch_id: "gone".into(),
        };
        assert!(press(&mut gone, &cx, "j").closes());
    }

    #[test]
    fn the_window_shows_the_progress_and_the_keys_of_a_running_batch() {
        let (app, window) = running();
        let text = screen(&window, &app.cx(), 120, 30);
        assert!(
            text.contains("Batch batch-1 · Hive add · marked patrons"),
            "{text}"
        );
        assert!(text.contains("0/2"), "{text}");
        assert!(text.contains("p pause · c cancel"), "{text}");
    }
}
