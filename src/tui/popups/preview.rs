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

use super::{Cx, Do, Outcome, Room, centered, edit, scrolled};
use crate::core::domain::{HiveTag, TagType};
use crate::core::gate::{self, PlanDecision, Policy};
use crate::core::model::KnownState;
use crate::core::op::Service;
use crate::core::plan::{Layout, Prediction, RowError, Table, predict};
use crate::core::printable::plural;
use crate::engine::batch::SavedPlan;
use crate::tui::app::Level;
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::Hits;
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

impl Room for Preview {
    fn context(&self) -> Context {
        Context::Preview
    }

    fn on_key(&mut self, action: Option<Action>, key: KeyEvent, _cx: &Cx) -> Outcome {
        let max = self.plan.rows.len().saturating_sub(1);
        if let Some(to) = scrolled(action, self.scroll, max) {
            self.scroll = to;
            return Outcome::stay();
        }
        match action {
            Some(Action::Close) => {
                Outcome::close().say(Level::Info, "Backed out: nothing was sent.")
            }
            Some(Action::Submit) => self.submit(),
            Some(Action::Header) | Some(Action::Column) | Some(Action::Remove)
                if self.source.is_some() =>
            {
                let Some(mut source) = self.source.clone() else {
                    return Outcome::stay();
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
                // The file read again as now laid out: a new preview takes this one's place.
                Outcome::close().and(Do::Reread(Box::new(source)))
            }
            _ => {
                if self.type_count().is_some() && edit(&mut self.typed, key) {
                    let digits: String = self
                        .typed
                        .value()
                        .chars()
                        .filter(char::is_ascii_digit)
                        .collect();
                    self.typed = Input::new(digits);
                }
                Outcome::stay()
            }
        }
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        draw_preview(cx, self, frame, area)
    }

    /// The preview covers nearly the screen: the wheel moves it anywhere; its keys do the rest.
    fn hits(&self, _cx: &Cx, area: Rect, hits: &mut Hits) {
        hits.popup(area, true, None);
    }
}

impl Preview {
    /// Enter: run the plan, unless rows are invalid, there is nothing to send, the write
    /// gate refuses, or it wants the count typed and it is not.
    fn submit(&self) -> Outcome {
        if !self.invalid.is_empty() {
            let n = self.invalid.len();
            return Outcome::stay().say(
                Level::Error,
                format!(
                    "{} invalid: nothing is sent until the file is fixed (the CLI's \
                     --skip-invalid sends the valid rows).",
                    plural(n as u64, "row is", "rows are")
                ),
            );
        }
        if self.todo.is_empty() {
            return Outcome::close().say(
                Level::Info,
                "Nothing to send: every row is already as asked.",
            );
        }
        match &self.gate {
            PlanDecision::Refuse(reason) => Outcome::close().say(Level::Error, reason.clone()),
            PlanDecision::Confirm {
                type_count: Some(n),
                ..
            } if self.typed.value() != n.to_string() => Outcome::stay().say(
                Level::Warn,
                format!("Type {n}, the number of requests, to send them."),
            ),
            PlanDecision::Allow | PlanDecision::Confirm { .. } => Outcome::close().and(Do::Submit),
        }
    }
}

/// Draws the preview.
fn draw_preview(cx: &Cx, p: &Preview, frame: &mut Frame, area: Rect) {
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
                cx.settings.profile
            ),
            w.saturating_sub(14),
        )),
    ]));
    if let Some(s) = &p.source {
        let keys = &cx.settings.keymap;
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
    let keys = &cx.settings.keymap;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::popups::testing::{hive_preview, press, said, screen};
    use crate::tui::popups::{Next, Popup};

    fn preview(app: &crate::tui::app::App) -> Preview {
        match &app.popup {
            Some(Popup::Preview(p)) => (**p).clone(),
            other => panic!("a preview: {other:?}"),
        }
    }

    #[test]
    fn enter_runs_a_valid_plan_and_esc_backs_out() {
        let app = hive_preview();
        let cx = app.cx();
        let mut p = preview(&app);
        assert_eq!(p.todo.len(), 2);
        let out = press(&mut p, &cx, "enter");
        assert!(out.closes());
        assert!(matches!(&out.then[..], [Do::Submit]));
        let out = press(&mut p, &cx, "esc");
        assert!(out.closes());
        assert_eq!(said(&out), ["Backed out: nothing was sent."]);
        let out = press(&mut p, &cx, "j");
        assert!(matches!(out.next, Next::Stay));
        assert_eq!(p.scroll, 1);
    }

    #[test]
    fn invalid_rows_keep_the_preview_open_and_an_empty_plan_sends_nothing() {
        let app = hive_preview();
        let cx = app.cx();
        let mut p = preview(&app);
        p.invalid.push(RowError {
            line: 3,
            reason: "not a patron id".into(),
        });
        let out = press(&mut p, &cx, "enter");
        assert!(out.stays());
        assert!(said(&out)[0].starts_with("1 row is invalid: nothing is sent"));
        let mut p = preview(&app);
        p.todo.clear();
        let out = press(&mut p, &cx, "enter");
        assert!(out.closes());
        assert_eq!(
            said(&out),
            ["Nothing to send: every row is already as asked."]
        );
    }

    #[test]
    fn a_gate_that_wants_the_count_typed_takes_only_digits() {
        let app = hive_preview();
        let cx = app.cx();
        let mut p = preview(&app);
        p.gate = PlanDecision::Confirm {
            question: "Type the count".into(),
            type_count: Some(2),
        };
        let out = press(&mut p, &cx, "enter");
        assert!(out.stays());
        assert_eq!(
            said(&out),
            ["Type 2, the number of requests, to send them."]
        );
        for key in ["x", "2"] {
            let _ = press(&mut p, &cx, key);
        }
        assert_eq!(p.typed.value(), "2", "only digits are typed");
        assert!(matches!(
            &press(&mut p, &cx, "enter").then[..],
            [Do::Submit]
        ));
    }

    #[test]
    fn the_preview_counts_the_requests_and_names_the_profile() {
        let app = hive_preview();
        let text = screen(&preview(&app), &app.cx(), 120, 40);
        assert!(text.contains("2 requests"), "{text}");
        assert!(text.contains("profile demo"), "{text}");
    }
}
