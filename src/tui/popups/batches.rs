//! `B`: the batches view — the profile's batches, newest first: this run's as they stand
//! now, the earlier runs' as the journal lists them (read by the loop when the view opens),
//! each with where it stands, its size and its counts. Enter opens a batch's window (an
//! earlier one is read back from the journal first), `R` resumes one with rows left
//! (through the resume preview), `u` undoes one nothing is sending (through the undo
//! preview), Esc closes.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{Chosen, Cx, Do, Outcome, Room, centered, choose, scrolled};
use crate::core::printable::{plural, printable};
use crate::tui::app::Level;
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::{Hits, Target};
use crate::tui::state::batches::{BatchRow, Standing, rows};
use crate::tui::state::words::batch_op_words;
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::{cell, fit};

/// The batches view; its selection is a position in the rows, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchesView {
    pub selected: usize,
}

impl Room for BatchesView {
    fn context(&self) -> Context {
        Context::Batches
    }

    fn on_key(&mut self, action: Option<Action>, _key: KeyEvent, cx: &Cx) -> Outcome {
        let rows = rows(cx.batches, cx.listing);
        if matches!(action, Some(Action::Close | Action::Quit)) {
            return Outcome::close();
        }
        if let Some(to) = scrolled(action, self.selected, rows.len().saturating_sub(1)) {
            self.selected = to;
            return Outcome::stay();
        }
        let Some(row) = rows.get(self.selected.min(rows.len().saturating_sub(1))) else {
            return match action {
                Some(Action::Submit | Action::Resume | Action::Undo) => {
                    Outcome::stay().say(Level::Info, "No batch to act on yet.")
                }
                _ => Outcome::stay(),
            };
        };
        let id = row.batch_id.clone();
        let read_only = |what: &str| {
            Outcome::stay().say(
                Level::Error,
                format!(
                    "Profile {} is read-only: {what} is refused, nothing is sent.",
                    cx.settings.profile
                ),
            )
        };
        match action {
            Some(Action::Submit) => Outcome::close().and(Do::OpenBatch(id)),
            Some(Action::Resume) if cx.settings.policy.read_only => read_only("resuming a batch"),
            Some(Action::Resume) if row.resumable() => Outcome::close().and(Do::ResumeBatch(id)),
            Some(Action::Resume) => Outcome::stay().say(Level::Info, not_resumable(row)),
            Some(Action::Undo) if cx.settings.policy.read_only => read_only("undoing a batch"),
            Some(Action::Undo) if row.undoable() => Outcome::close().and(Do::UndoBatch(id)),
            Some(Action::Undo) => Outcome::stay().say(
                Level::Warn,
                format!(
                    "Batch {id} is {}: undo it once it has ended.",
                    row.standing.word()
                ),
            ),
            _ => Outcome::stay(),
        }
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        let view = layout(cx, self.selected, area);
        frame.render_widget(Clear, view.popup);
        frame.render_widget(
            Paragraph::new(view.lines).block(
                Block::bordered()
                    .title(view.title)
                    .border_style(theme::BORDER_INFO),
            ),
            view.popup,
        );
    }

    /// The view for the mouse: a batch per row (a click selects, a click on the selected
    /// one opens it); the wheel scrolls.
    fn hits(&self, cx: &Cx, area: Rect, hits: &mut Hits) {
        let view = layout(cx, self.selected, area);
        hits.popup(view.popup, true, None);
        for (i, n) in (view.first..view.first + view.shown).enumerate() {
            let y = view.rows_y + i as u16;
            let inner = Block::bordered().inner(view.popup);
            hits.add(Rect::new(inner.x, y, inner.width, 1), Target::Choice(n));
        }
    }

    fn choose(&mut self, n: usize, double: bool) -> Chosen {
        choose(&mut self.selected, n, double)
    }
}

/// Why `R` does nothing for this batch.
fn not_resumable(row: &BatchRow) -> String {
    if row.standing.sending() {
        format!(
            "Batch {} is {}: nothing to resume while it is being sent.",
            row.batch_id,
            row.standing.word()
        )
    } else {
        format!(
            "Batch {} has nothing left to send: every row has its outcome.",
            row.batch_id
        )
    }
}

/// The view as drawn in `area`.
struct Layout {
    popup: Rect,
    title: String,
    lines: Vec<Line<'static>>,
    /// The first row shown, how many are, and the screen row of the first.
    first: usize,
    shown: usize,
    rows_y: u16,
}

/// Where a batch's rows came from, in words; an undo's is what it undid.
fn source(cx: &Cx, row: &BatchRow) -> String {
    match &row.undo_of {
        Some(of) => format!("undo of {}", cx.known().undone(of)),
        None => row.source.clone(),
    }
}

/// The time a batch started, as the view shows it: `today 14:02` or `Mar 13 09:12`.
fn started(cx: &Cx, at: DateTime<Utc>) -> String {
    let local = cx.local(at);
    if local.date_naive() == cx.local(cx.now).date_naive() {
        local.format("today %H:%M").to_string()
    } else {
        local.format("%b %d %H:%M").to_string()
    }
}

fn layout(cx: &Cx, selected: usize, area: Rect) -> Layout {
    // At most nearly the whole screen; as tall as its lines.
    let most = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    let popup = most;
    let w = popup.width.saturating_sub(4) as usize;
    let rows = rows(cx.batches, cx.listing);
    let selected = selected.min(rows.len().saturating_sub(1));
    // The start time goes to the details below when the screen is narrow.
    let wide = w >= 100;
    let state_w = if wide { 18 } else { 12 };
    let fixed = 2 + state_w + if wide { 13 } else { 0 } + 14 + 10;
    let source_w = (w.saturating_sub(fixed) / 2).clamp(8, 26);
    let mut lines = Vec::new();
    let head = format!(
        "  {}{}{}{}{}counts",
        cell("state", state_w),
        if wide {
            cell("started", 13)
        } else {
            String::new()
        },
        cell("action", 14),
        cell("size", 10),
        cell("from", source_w + 1),
    );
    lines.push(Line::from(fit(&head, w).bold()));
    // Below the rows: a blank line, the selected batch's two lines, a note, the keys.
    let room = (popup.height as usize).saturating_sub(2 + 1 + 5).max(1);
    let first = selected.saturating_sub(room - 1);
    let shown = rows.len().saturating_sub(first).min(room);
    for (i, row) in rows.iter().enumerate().skip(first).take(room) {
        let text = format!(
            "{} {} {}{}{}{} {}",
            row.standing.glyph(),
            cell(row.standing.word(), state_w - 1),
            if wide {
                cell(&started(cx, row.created_at), 13)
            } else {
                String::new()
            },
            cell(batch_op_words(row.op), 14),
            cell(&row.size, 10),
            cell(&printable(&source(cx, row)), source_w),
            row.counts
        );
        let style = if i == selected {
            theme::SELECTED
        } else {
            Style::new().fg(colour(row.standing))
        };
        lines.push(Line::from(Span::styled(fit(&text, w), style)));
    }
    if rows.is_empty() {
        let text = if cx.listing.reading {
            "Reading the journal…".to_string()
        } else {
            format!("No batches in profile {} yet.", cx.settings.profile)
        };
        lines.push(Line::from(fit(&text, w).muted()));
    }
    // Rows the list does not reach stay blank, so the details keep their place.
    while lines.len() < 1 + room.min(rows.len().max(1)) {
        lines.push(Line::from(""));
    }
    lines.push(Line::from(""));
    if let Some(row) = rows.get(selected) {
        let from = if row.this_run {
            "this run"
        } else {
            "an earlier run"
        };
        lines.push(Line::from(fit(
            &format!(
                "Batch {} · {} · {} · started {} ({from})",
                row.batch_id,
                batch_op_words(row.op),
                printable(&source(cx, row)),
                started(cx, row.created_at)
            ),
            w,
        )));
        lines.push(Line::from(fit(&what_next(cx, row), w).fg(theme::TEXT)));
    }
    let note = if let Some(e) = &cx.listing.error {
        Some(fit(&format!("Earlier batches could not be read: {e}"), w).error())
    } else if cx.listing.reading && !rows.is_empty() {
        Some(fit("Reading the journal for earlier batches…", w).muted())
    } else if cx.settings.demo {
        Some(
            fit(
                "Demo mode lists this run's batches (earlier demo runs: `tagdesk --demo batch \
                 list`).",
                w,
            )
            .muted(),
        )
    } else {
        None
    };
    lines.extend(note.map(Line::from));
    let keys = format!(
        "{} open · {} resume · {} undo · {} close",
        cx.first_key(Action::Submit),
        cx.first_key(Action::Resume),
        cx.first_key(Action::Undo),
        cx.first_key(Action::Close)
    );
    lines.push(Line::from(fit(&keys, w).muted()));
    let title = fit(
        &format!(
            " Batches · profile {} · {} ",
            cx.settings.profile,
            plural(rows.len() as u64, "batch", "batches")
        ),
        w,
    );
    let popup = centered(area, most.width, (lines.len() as u16 + 2).min(most.height));
    let inner = Block::bordered().inner(popup);
    Layout {
        popup,
        title,
        lines,
        first,
        shown,
        rows_y: inner.y + 1,
    }
}

/// What the keys do for the selected batch.
fn what_next(cx: &Cx, row: &BatchRow) -> String {
    let resume = cx.first_key(Action::Resume);
    let undo = cx.first_key(Action::Undo);
    match row.standing {
        Standing::Elsewhere => {
            "Another tagdesk is sending it now: wait for it to end there.".to_string()
        }
        s if s.sending() => format!(
            "Being sent: enter shows its progress. {} undoes it once it has ended.",
            undo
        ),
        _ if row.resumable() => format!(
            "Rows are left to send: {resume} resumes them (a preview first); {undo} undoes what \
             was sent."
        ),
        _ => format!("Every row has its outcome: {undo} undoes it (a preview first)."),
    }
}

fn colour(standing: Standing) -> ratatui::style::Color {
    match standing {
        Standing::Running | Standing::Paused | Standing::Cancelling | Standing::Elsewhere => {
            theme::ACCENT
        }
        Standing::Cancelled | Standing::Interrupted | Standing::NotStarted => theme::WARN,
        Standing::Finished => theme::TEXT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::popups::Popup;
    use crate::tui::popups::testing::{app, hive_preview, keys, press, said, screen};

    #[test]
    fn an_empty_view_says_there_is_nothing_and_acts_on_nothing() {
        let app = app();
        let cx = app.cx();
        let mut view = BatchesView::default();
        let text = screen(&view, &cx, 120, 30);
        assert!(text.contains("No batches in profile demo yet."), "{text}");
        assert!(
            text.contains("enter open · R resume · u undo · esc close"),
            "{text}"
        );
        let out = press(&mut view, &cx, "R");
        assert!(out.stays());
        assert_eq!(said(&out), ["No batch to act on yet."]);
        assert!(press(&mut view, &cx, "esc").closes());
    }

    #[test]
    fn a_running_batch_opens_but_is_neither_resumed_nor_undone() {
        let mut app = hive_preview();
        keys(&mut app, &["enter", "esc"]);
        let cx = app.cx();
        let mut view = BatchesView::default();
        let text = screen(&view, &cx, 120, 30);
        assert!(text.contains("running"), "{text}");
        assert!(
            text.contains("batch-1 · Hive add · marked patrons"),
            "{text}"
        );
        let out = press(&mut view, &cx, "R");
        assert_eq!(
            said(&out),
            ["Batch batch-1 is running: nothing to resume while it is being sent."]
        );
        let out = press(&mut view, &cx, "u");
        assert_eq!(
            said(&out),
            ["Batch batch-1 is running: undo it once it has ended."]
        );
        let out = press(&mut view, &cx, "enter");
        assert!(out.closes());
        assert!(matches!(&out.then[..], [Do::OpenBatch(id)] if id == "batch-1"));
    }

    #[test]
    fn a_read_only_profile_refuses_resume_and_undo_in_the_view() {
        let mut app = hive_preview();
        keys(&mut app, &["enter", "esc"]);
        app.settings.policy.read_only = true;
        let cx = app.cx();
        let mut view = BatchesView::default();
        let out = press(&mut view, &cx, "u");
        assert!(out.stays());
        assert!(said(&out)[0].contains("read-only"), "{:?}", said(&out));
        assert!(matches!(app.popup, None | Some(Popup::Batch(_))));
    }
}
