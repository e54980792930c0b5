//! A batch's preview: every request with its validation and its predicted effect, the
//! counts per category, and for an import the dashboard's choice (is there a header row,
//! which column holds the users). Enter runs it (through the write gate, once; a confirm
//! profile over 100 requests wants the count typed), Esc backs out.

use std::sync::Arc;

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use tui_input::Input;

use super::{Popup, centered, edit};
use crate::core::domain::{HiveTag, TagType};
use crate::core::gate::{self, PlanDecision, Policy};
use crate::core::model::KnownState;
use crate::core::op::Service;
use crate::core::plan::{Layout, Prediction, RowError, Table, predict};
use crate::core::printable::plural;
use crate::engine::batch::SavedPlan;
use crate::tui::app::{App, Effect, Level};
use crate::tui::keymap::Action;
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::fit;

/// The file an import came from, kept so the operator can change how it is read.
#[derive(Debug, Clone)]
pub struct ImportSource {
    pub path: String,
    pub sha256: String,
    pub table: Arc<Table>,
    pub layout: Layout,
    pub service: Service,
    /// A Hive file: remove the listed tags instead of adding them.
    pub remove: bool,
}

#[derive(Debug, Clone)]
pub struct Preview {
    pub plan: SavedPlan,
    /// The rows to send.
    pub todo: Vec<usize>,
    pub invalid: Vec<RowError>,
    pub warnings: Vec<RowError>,
    /// One per plan row, computed once.
    pub predictions: Vec<Prediction>,
    pub source: Option<ImportSource>,
    /// Resuming an interrupted batch.
    pub resume: bool,
    /// Where the plan came from, for the title.
    pub from: String,
    /// What the write gate says (once, for the whole plan).
    pub gate: PlanDecision,
    /// The count the operator typed, when the gate asks for it.
    pub typed: Input,
    pub scroll: usize,
}

impl Preview {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        plan: SavedPlan,
        invalid: Vec<RowError>,
        source: Option<ImportSource>,
        resume: bool,
        from: String,
        known: &KnownState,
        catalogue: &[HiveTag],
        types: &[TagType],
        policy: &Policy,
    ) -> Self {
        let predictions = plan
            .rows
            .iter()
            .map(|r| predict(r, known, catalogue, types))
            .collect();
        let warnings = plan
            .rows
            .iter()
            .flat_map(|r| {
                r.warnings.iter().map(|w| RowError {
                    line: r.line(),
                    reason: w.clone(),
                })
            })
            .collect();
        let todo = plan.to_send();
        let service = plan.rows.first().map_or(Service::Hive, |r| r.op.service());
        let gate = gate::check_plan(plan.op, service, todo.len(), policy);
        Self {
            plan,
            todo,
            invalid,
            warnings,
            predictions,
            source,
            resume,
            from,
            gate,
            typed: Input::default(),
            scroll: 0,
        }
    }

    fn type_count(&self) -> Option<usize> {
        match &self.gate {
            PlanDecision::Confirm { type_count, .. } => *type_count,
            PlanDecision::Allow | PlanDecision::Refuse(_) => None,
        }
    }
}

impl App {
    pub(in crate::tui) fn preview_key(
        &mut self,
        action: Option<Action>,
        key: KeyEvent,
        mut preview: Box<Preview>,
    ) -> Vec<Effect> {
        let max = preview.plan.rows.len().saturating_sub(1);
        if let Some(to) = Self::scrolled(action, preview.scroll, max) {
            preview.scroll = to;
            self.popup = Some(Popup::Preview(preview));
            return Vec::new();
        }
        match action {
            Some(Action::Close) => {
                self.set_status(Level::Info, "Backed out: nothing was sent.");
                Vec::new()
            }
            Some(Action::Submit) => self.submit_preview(preview),
            Some(Action::Header) | Some(Action::Column) | Some(Action::Remove)
                if preview.source.is_some() =>
            {
                let Some(mut source) = preview.source.take() else {
                    return Vec::new();
                };
                if action == Some(Action::Header) {
                    source.layout.header = !source.layout.header;
                } else if action == Some(Action::Remove) {
                    if source.service == Service::Hive {
                        source.remove = !source.remove;
                    }
                } else {
                    // The users' column moves to the next one; the others follow it.
                    let width = source
                        .table
                        .rows
                        .iter()
                        .map(|r| r.cells.len())
                        .max()
                        .unwrap_or(1)
                        .max(source.layout.columns.len());
                    for c in &mut source.layout.columns {
                        *c = (*c + 1) % width;
                    }
                }
                self.preview_import(source);
                Vec::new()
            }
            _ => {
                if preview.type_count().is_some() && edit(&mut preview.typed, key) {
                    let digits: String = preview
                        .typed
                        .value()
                        .chars()
                        .filter(char::is_ascii_digit)
                        .collect();
                    preview.typed = Input::new(digits);
                }
                self.popup = Some(Popup::Preview(preview));
                Vec::new()
            }
        }
    }

    fn submit_preview(&mut self, preview: Box<Preview>) -> Vec<Effect> {
        if !preview.invalid.is_empty() {
            let n = preview.invalid.len();
            self.popup = Some(Popup::Preview(preview));
            self.set_status(
                Level::Error,
                format!(
                    "{} invalid: nothing is sent until the file is fixed (the CLI's \
                     --skip-invalid sends the valid rows).",
                    plural(n as u64, "row is", "rows are")
                ),
            );
            return Vec::new();
        }
        if preview.todo.is_empty() {
            self.set_status(
                Level::Info,
                "Nothing to send: every row is already as asked.",
            );
            return Vec::new();
        }
        match preview.gate.clone() {
            PlanDecision::Refuse(reason) => {
                self.set_status(Level::Error, reason);
                Vec::new()
            }
            PlanDecision::Confirm {
                type_count: Some(n),
                ..
            } if preview.typed.value() != n.to_string() => {
                self.popup = Some(Popup::Preview(preview));
                self.set_status(
                    Level::Warn,
                    format!("Type {n}, the number of requests, to send them."),
                );
                Vec::new()
            }
            PlanDecision::Allow | PlanDecision::Confirm { .. } => self.run_preview(*preview),
        }
    }
}

/// Draws the preview.
pub fn draw_preview(app: &App, p: &Preview, frame: &mut Frame, area: Rect) {
    let rect = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    let w = rect.width.saturating_sub(4) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let unchanged = p.plan.rows.iter().filter(|r| r.unchanged).count();
    lines.push(Line::from(vec![
        Span::styled(
            format!("{} ", plural(p.todo.len() as u64, "request", "requests")),
            Style::new().bold(),
        ),
        Span::raw(fit(
            &format!(
                "· {} unchanged · {} invalid · {} warnings · {} data rows · profile {}",
                unchanged,
                p.invalid.len(),
                p.warnings.len(),
                p.plan.data_rows,
                app.settings.profile
            ),
            w.saturating_sub(14),
        )),
    ]));
    if let Some(s) = &p.source {
        let keys = &app.settings.keymap;
        lines.push(Line::from(
            fit(
                &format!(
                    "file {} · header row: {} ({}) · users in column {} ({}){}",
                    s.path,
                    if s.layout.header { "yes" } else { "no" },
                    keys.first_key(Action::Header),
                    s.layout.columns.first().map_or(1, |c| c + 1),
                    keys.first_key(Action::Column),
                    match (s.service, s.remove) {
                        (Service::Hive, true) => " · REMOVE the listed tags",
                        (Service::Hive, false) => " · add the listed tags",
                        (Service::Cerego, _) => "",
                    }
                ),
                w,
            )
            .muted(),
        ));
    }
    lines.push(Line::from(
        fit(
            "Predictions come from what tagdesk last saw (Hive has no read endpoint), not from \
             the service.",
            w,
        )
        .muted(),
    ));
    lines.push(Line::from(
        fit(
            &format!(
                "{:<8} {:<22} {:<14} {:<28} basis",
                "line", "target", "op", "prediction"
            ),
            w,
        )
        .bold(),
    ));
    let reserved = 6 + p.invalid.len().min(4) + p.plan.notes.len().min(3) + 3;
    let room = (rect.height as usize).saturating_sub(reserved + 2).max(3);
    for (i, row) in p.plan.rows.iter().enumerate().skip(p.scroll).take(room) {
        let pred = &p.predictions[i];
        let lines_text = if row.lines.is_empty() {
            "-".to_string()
        } else {
            row.lines
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        let text = format!(
            "{:<8} {:<22} {:<14} {:<28} {}",
            fit(&lines_text, 8),
            fit(&row.op.target(), 22),
            row.op.name(),
            fit(&pred.effect, 28),
            pred.basis
        );
        let line = Line::from(fit(&text, w));
        lines.push(if row.unchanged { line.muted() } else { line });
    }
    if p.plan.rows.len() > room {
        lines.push(Line::from(
            format!(
                "… rows {}–{} of {}",
                p.scroll + 1,
                (p.scroll + room).min(p.plan.rows.len()),
                p.plan.rows.len()
            )
            .muted(),
        ));
    }
    for e in p.invalid.iter().take(4) {
        lines.push(Line::from(fit(&format!("✗ {e}"), w).error()));
    }
    if p.invalid.len() > 4 {
        lines.push(Line::from(
            format!("… {} more invalid rows", p.invalid.len() - 4).error(),
        ));
    }
    for n in p.plan.notes.iter().take(3) {
        lines.push(Line::from(fit(n, w).warn()));
    }
    match &p.gate {
        PlanDecision::Refuse(reason) => lines.push(Line::from(fit(reason, w).error())),
        PlanDecision::Confirm {
            question,
            type_count,
        } => {
            lines.push(Line::from(fit(question, w).warn()));
            if let Some(n) = type_count {
                lines.push(Line::from(vec![
                    Span::styled(format!("Type {n} to send them: "), theme::KEY),
                    Span::raw(p.typed.value().to_string()),
                    Span::raw("▏"),
                ]));
            }
        }
        PlanDecision::Allow => {}
    }
    let keys = &app.settings.keymap;
    let mut hint = format!(
        "{} send · {} back out · {}/{} scroll",
        keys.first_key(Action::Submit),
        keys.first_key(Action::Close),
        keys.first_key(Action::Up),
        keys.first_key(Action::Down)
    );
    if let Some(s) = &p.source {
        hint.push_str(&format!(
            " · {} header row · {} users' column",
            keys.first_key(Action::Header),
            keys.first_key(Action::Column)
        ));
        if s.service == Service::Hive {
            hint.push_str(&format!(
                " · {} {}",
                keys.first_key(Action::Remove),
                if s.remove {
                    "add instead"
                } else {
                    "remove instead"
                }
            ));
        }
    }
    lines.push(Line::from(fit(&hint, w).muted()));
    let title = format!(
        " Preview · {} · {} ",
        p.plan.op.name(),
        fit(&p.from, w.saturating_sub(24))
    );
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title).border_style(theme::KEY)),
        rect,
    );
}
