//! A batch's preview: every request with its validation and its predicted effect, the
//! counts per category, and for an import the dashboard's choice (is there a header row,
//! which column holds the users). Enter runs it (through the write gate, once; a confirm
//! profile over 100 requests wants the count typed), Esc backs out.

use std::sync::Arc;

mod draw;
mod rows;

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use tui_input::Input;

use super::{Cx, Do, Outcome, Room, edit, scrolled};
use crate::core::domain::{HiveTag, TagType};
use crate::core::gate::{self, PlanDecision, Policy};
use crate::core::model::KnownState;
use crate::core::op::Service;
use crate::core::plan::{Layout, Prediction, RowError, Table, predict_all};
use crate::core::printable::plural;
use crate::engine::batch::SavedPlan;
use crate::tui::app::Level;
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::Hits;

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
    /// A Hive file: set each patron's catalogue tags to exactly the row's list.
    pub set: bool,
}

/// One row of the preview's list, written once when the preview is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The file's lines the row came from (`-` for none).
    pub lines: String,
    /// Who it is about: a patron id, or a Cerego user's name and id.
    pub target: String,
    pub op: String,
    /// What it is predicted to do: `+vip =newsletter`, `update Cohort: "Fall" → "Spring"`.
    pub effect: String,
    /// What the prediction rests on, when it differs from the preview's common basis.
    pub basis: Option<String>,
    /// Nothing to send (the value is already as asked).
    pub unchanged: bool,
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
    /// One per plan row: what the list shows of it.
    pub shown: Vec<Shown>,
    /// What most rows' predictions rest on, said once in the header.
    pub basis: Option<String>,
    /// The widths of the line, target and op columns (the widest value, within bounds).
    pub widths: (usize, usize, usize),
    /// The service the plan talks to.
    pub service: Service,
    /// The invalid rows are left out: the valid ones can be sent.
    pub skip_invalid: bool,
    /// A resume: each row's last known outcome (abandoned, pending, error…), by plan row.
    pub last: std::collections::HashMap<usize, String>,
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
        let predictions: Vec<Prediction> =
            predict_all(plan.op, &plan.rows, known, catalogue, types);
        let (shown, basis) = rows::shown(&plan.rows, &predictions, known);
        let widths = rows::widths(&shown);
        let warnings = crate::core::plan::row_warnings(&plan.rows);
        let todo = plan.to_send();
        let service = plan.rows.first().map_or(Service::Hive, |r| r.op.service());
        let gate = gate::check_plan(plan.op, service, todo.len(), policy);
        Self {
            plan,
            todo,
            invalid,
            warnings,
            predictions,
            shown,
            basis,
            widths,
            service,
            skip_invalid: false,
            last: Default::default(),
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

    fn on_key(&mut self, action: Option<Action>, key: KeyEvent, cx: &Cx) -> Outcome {
        // The list scrolls until its last line is at the bottom (`G` shows the last rows).
        let max = self.max_scroll(cx.size, cx);
        if let Some(to) = scrolled(action, self.scroll.min(max), max) {
            self.scroll = to;
            return Outcome::stay();
        }
        match action {
            Some(Action::Close) => {
                Outcome::close().say(Level::Info, "Backed out: nothing was sent.")
            }
            Some(Action::Submit) => self.submit(cx),
            Some(Action::SkipInvalid) if !self.invalid.is_empty() => {
                self.skip_invalid = !self.skip_invalid;
                let n = plural(self.invalid.len() as u64, "invalid row", "invalid rows");
                let text = if self.skip_invalid {
                    format!(
                        "{n} left out: Enter sends the other {}.",
                        plural(self.todo.len() as u64, "request", "requests")
                    )
                } else {
                    format!("{n} included again: nothing is sent until they are fixed.")
                };
                Outcome::stay().say(Level::Info, text)
            }
            Some(Action::Header | Action::Column | Action::Remove | Action::SetMode)
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
                        source.set = false;
                    }
                } else if action == Some(Action::SetMode) {
                    if source.service != Service::Hive {
                        return Outcome::stay().say(
                            Level::Info,
                            "Set is for Hive files: a Cerego import already sets each value.",
                        );
                    }
                    source.set = !source.set;
                    source.remove = false;
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
        self.draw_preview(cx, frame, area)
    }

    /// The preview covers nearly the screen: the wheel moves it anywhere; its keys do the rest.
    fn hits(&self, _cx: &Cx, area: Rect, hits: &mut Hits) {
        hits.popup(area, true, None);
    }
}

impl Preview {
    /// Enter: run the plan, unless rows are invalid, there is nothing to send, the write
    /// gate refuses, or it wants the count typed and it is not.
    fn submit(&self, cx: &Cx) -> Outcome {
        if !self.invalid.is_empty() && !self.skip_invalid {
            let n = self.invalid.len();
            return Outcome::stay().say(
                Level::Error,
                format!(
                    "{} invalid: nothing is sent until the file is fixed, or press {} to \
                     leave them out and send the others.",
                    plural(n as u64, "row is", "rows are"),
                    cx.first_key(Action::SkipInvalid)
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
        // Two rows fit on the screen: the list does not scroll.
        let out = press(&mut p, &cx, "j");
        assert!(matches!(out.next, Next::Stay));
        assert_eq!(p.scroll, 0);
    }

    #[test]
    fn the_list_scrolls_to_its_last_line_at_the_bottom_and_no_further() {
        let mut app = hive_preview();
        app.size = (80, 12);
        let cx = app.cx();
        let mut p = preview(&app);
        p.warnings = (0..20)
            .map(|i| RowError {
                line: i,
                reason: format!("warning {i}"),
            })
            .collect();
        let max = p.max_scroll(cx.size, &cx);
        assert!(max > 0);
        let _ = press(&mut p, &cx, "G");
        assert_eq!(p.scroll, max);
        let _ = press(&mut p, &cx, "j");
        assert_eq!(p.scroll, max, "never past the end");
        let text = screen(&p, &cx, 80, 12);
        assert!(
            text.contains("warning 19"),
            "the last line is shown: {text}"
        );
        // Every warning is listed, none left behind a count.
        assert_eq!(p.body_len(), 2 + 2 + 20);
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
    fn the_preview_counts_warnings_and_data_rows_in_good_english() {
        let app = hive_preview();
        let cx = app.cx();
        let mut p = preview(&app);
        for n in [1, 2] {
            p.plan.data_rows = n;
            p.warnings = (0..n)
                .map(|i| RowError {
                    line: i + 2,
                    reason: format!("warning {i}"),
                })
                .collect();
            let text = screen(&p, &cx, 120, 40);
            let counted = if n == 1 {
                "· 1 warning · 1 data row ·"
            } else {
                "· 2 warnings · 2 data rows ·"
            };
            assert!(text.contains(counted), "{counted} in {text}");
        }
    }

    #[test]
    fn the_preview_counts_the_requests_and_names_the_profile() {
        let app = hive_preview();
        let text = screen(&preview(&app), &app.cx(), 120, 40);
        assert!(text.contains("2 requests"), "{text}");
        assert!(text.contains("profile demo"), "{text}");
    }
}
