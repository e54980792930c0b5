//! Batches in the console: marking rows (space, a range with `v`, `*` inverts, Esc clears),
//! the plan of an action on every marked row, an import, an undo or a resume, its preview,
//! and the batch's life (progress, pause, cancel, the end).

use std::sync::Arc;

use chrono::Utc;

use crate::core::domain::{ApiField, CeregoUserId, PatronId, TagValue};
use crate::core::op::Service;
use crate::core::plan::{self, BatchOp, CeregoWant, Plan, cerego_row};
use crate::engine::batch::{Control, Progress, RunReport, SavedPlan};
use crate::tui::app::{App, Effect, Level, RunBatch, Tab};
use crate::tui::popups::{BatchWindow, Form, FormKind, ImportSource, Popup, Preview};
use crate::tui::state::batch::{BatchPhase, BatchView};
use crate::tui::state::requests::LogEntry;
use crate::tui::theme;

impl App {
    fn new_plan(&mut self, mut plan: Plan, source: Option<(String, String)>) -> SavedPlan {
        // What the console knows of each Hive row's tags before the first attempt: an undo
        // after a crash rests on it.
        for row in &mut plan.rows {
            row.note_seen(&self.known);
        }
        SavedPlan {
            batch_id: self.new_batch_id(),
            created_at: Utc::now(),
            profile: self.settings.profile.clone(),
            demo: self.settings.demo,
            op: plan.op,
            source: source.as_ref().map(|(name, _)| name.clone()),
            sha256: source.map(|(_, sha)| sha),
            data_rows: plan.data_rows,
            rows: plan.rows,
            skipped: Vec::new(),
            undo_of: None,
            notes: Vec::new(),
            check_by_hand: Vec::new(),
            retry_of: None,
            audit: Default::default(),
        }
    }

    /// The marked patrons, in list order, as one plan; its preview opens.
    pub(in crate::tui) fn marked_hive_preview(&mut self, fields: &[ApiField], remove: bool) {
        let patrons: Vec<PatronId> = self
            .known
            .hive
            .patrons()
            .iter()
            .filter(|p| self.hive.marks.contains(p.id.as_str()))
            .map(|p| p.id.clone())
            .collect();
        let plan = plan::marked_hive_plan(&patrons, fields, remove);
        let saved = self.new_plan(plan, None);
        self.open_preview(saved, Vec::new(), None, false, "marked patrons".into());
    }

    /// The marked users get a value of a tag type: each an add, an update or nothing.
    pub(in crate::tui) fn marked_cerego_preview(&mut self, type_index: usize, value: TagValue) {
        if let Some(why) = self.marked_not_live() {
            self.set_status(Level::Warn, why);
            return;
        }
        let Some(tag_type) = self
            .settings
            .cerego
            .as_ref()
            .and_then(|c| c.tag_types.get(type_index))
            .map(|t| t.id.clone())
        else {
            return;
        };
        let mut rows = Vec::new();
        let mut invalid = Vec::new();
        for u in self.known.cerego.iter() {
            if !self.cerego.marks.contains(u.id) {
                continue;
            }
            let row = CeregoUserId::parse(u.id)
                .map_err(|e| e.to_string())
                .and_then(|user| {
                    let want = CeregoWant {
                        user,
                        tag_type: tag_type.clone(),
                        value: value.clone(),
                    };
                    cerego_row(want, &self.known.cerego, 0)
                });
            match row {
                Ok(mut r) => {
                    r.lines = Vec::new();
                    rows.push(r);
                }
                Err(reason) => invalid.push(format!("user {}: {reason}", u.id)),
            }
        }
        let plan = self.for_tags_api(Plan {
            op: BatchOp::CeregoImport,
            data_rows: rows.len(),
            rows,
            invalid: Vec::new(),
            layout: None,
        });
        let mut saved = self.new_plan(plan, None);
        saved.notes = invalid;
        self.open_preview(saved, Vec::new(), None, false, "marked users".into());
    }

    /// A Cerego plan as this profile sends it: on the set family, one request per user.
    fn for_tags_api(&self, plan: Plan) -> Plan {
        match self.cerego_tags_api() {
            crate::core::domain::TagsApi::Legacy => plan,
            crate::core::domain::TagsApi::Set => plan::for_set_api(plan),
        }
    }

    /// `I`: the import form for the tab's service.
    pub(in crate::tui) fn import_form(&mut self) {
        let service = match self.tab {
            Tab::Cerego => Service::Cerego,
            Tab::Hive => Service::Hive,
        };
        self.open(Popup::Form(Box::new(Form::new(
            FormKind::Import { service },
            "",
        ))));
    }

    /// The import's file arrived: plan it and open the preview.
    pub(in crate::tui) fn import_read(
        &mut self,
        path: String,
        service: Service,
        result: Result<Arc<Vec<u8>>, String>,
    ) {
        let bytes = match result {
            Ok(b) => b,
            Err(e) => {
                self.set_status(
                    Level::Error,
                    format!("Cannot import: {e}. Nothing was sent."),
                );
                return;
            }
        };
        if service == Service::Cerego && self.cerego.load != crate::tui::app::Load::Loaded {
            self.set_status(
                Level::Warn,
                "The partner's user list has not finished loading: a Cerego import is planned \
                 against it. Try again once it has.",
            );
            return;
        }
        self.status = None;
        let table = match plan::read_table(&bytes) {
            Ok(t) => t,
            Err(e) => {
                self.set_status(
                    Level::Error,
                    format!("Cannot import {path}: {e}. Nothing was sent."),
                );
                return;
            }
        };
        let names: &[&str] = match service {
            Service::Hive => &plan::HIVE_COLUMNS,
            Service::Cerego => &plan::CEREGO_COLUMNS,
        };
        let layout = plan::detect_layout(&table, names).unwrap_or(plan::Layout {
            header: false,
            columns: (0..names.len()).collect(),
        });
        let source = ImportSource {
            path,
            sha256: crate::engine::batch::sha256_hex(&bytes),
            table: Arc::new(table),
            layout,
            service,
            remove: false,
            set: false,
        };
        self.preview_import(source);
    }

    /// (Re)plans an import with its source's layout and opens the preview.
    pub(in crate::tui) fn preview_import(&mut self, mut source: ImportSource) {
        let scope = match plan::set_scope(None, self.catalogue()) {
            Ok((scope, _)) => scope,
            Err(_) if source.set => {
                source.set = false;
                self.set_status(
                    Level::Warn,
                    "Set needs the profile's tag catalogue (hive.tags), the tags a set covers: \
                     it is empty, so the file is read as an add.",
                );
                Vec::new()
            }
            Err(_) => Vec::new(),
        };
        let plan = match source.service {
            Service::Hive if source.set => plan::hive_set_plan(
                &source.table,
                Some(source.layout.clone()),
                &scope,
                &self.known,
            ),
            // An export read with its own header: its unchanged rows send nothing.
            Service::Hive
                if source.layout.header && plan::export::is_hive_export(&source.table) =>
            {
                plan::hive_import_plan(
                    &source.table,
                    source.remove,
                    self.catalogue(),
                    &self.known.hive,
                )
            }
            Service::Hive => plan::hive_plan(
                &source.table,
                Some(source.layout.clone()),
                source.remove,
                self.catalogue(),
            ),
            Service::Cerego => self.for_tags_api(plan::cerego_plan(
                &source.table,
                Some(source.layout.clone()),
                self.tag_types(),
                &self.known.cerego,
            )),
        };
        let invalid = plan.invalid.clone();
        let name = source.path.clone();
        let saved = self.new_plan(plan, Some((name.clone(), source.sha256.clone())));
        self.open_preview(saved, invalid, Some(source), false, name);
    }

    pub(in crate::tui) fn open_preview(
        &mut self,
        plan: SavedPlan,
        invalid: Vec<plan::RowError>,
        source: Option<ImportSource>,
        resume: bool,
        from: String,
    ) {
        if self.waits_for_patrons(plan.rows.iter().map(|r| r.op.service())) {
            return;
        }
        let preview = Preview::new(
            plan,
            invalid,
            source,
            resume,
            from,
            &self.known,
            self.catalogue(),
            self.tag_types(),
            &self.settings.policy,
        );
        self.open(Popup::Preview(Box::new(preview)));
    }

    /// Enter in a preview the gate allows: the batch starts.
    pub(in crate::tui) fn run_preview(&mut self, preview: Preview) -> Vec<Effect> {
        let todo = preview.todo.clone();
        let mut plan = preview.plan;
        // Left out on purpose, as the CLI's --skip-invalid does: the plan says which.
        let left_out = if preview.skip_invalid {
            plan.skipped = preview.invalid;
            plan.skipped.len()
        } else {
            0
        };
        let first = plan
            .rows
            .first()
            .map(|r| r.op.clone())
            .unwrap_or(crate::core::op::Op::CeregoProfile);
        let service = first.service();
        let what = format!("{} batch", service.name());
        let target = format!(
            "{} × {}",
            todo.len(),
            crate::tui::state::words::batch_verb(plan.op.name())
        );
        let unchanged = plan.rows.iter().filter(|r| r.unchanged).count();
        let view = BatchView::new(Arc::new(plan.clone()), todo.clone(), unchanged, self.now);
        let key = plan.batch_id.clone();
        self.log
            .push_batch(key.clone(), self.now, first, what, target);
        self.batches.retain(|b| b.plan.batch_id != key);
        self.batches.push(view);
        self.refresh_batch_line(&key);
        if preview.source.is_none() && !preview.resume {
            // The marks did their job.
            self.marks_mut().clear();
        }
        self.open(Popup::Batch(BatchWindow {
            batch_id: key.clone(),
        }));
        let left_out = if left_out > 0 {
            format!(
                " {} left out.",
                crate::core::printable::plural(left_out as u64, "invalid row", "invalid rows")
            )
        } else {
            String::new()
        };
        let pace = if plan.op == BatchOp::Probe {
            "one step at a time".to_string()
        } else {
            format!(
                "{} in flight at most",
                crate::engine::batch::DEFAULT_CONCURRENCY
            )
        };
        self.set_status(
            Level::Info,
            format!("Batch {key} started: {pace}.{left_out}"),
        );
        vec![Effect::RunBatch(Box::new(RunBatch {
            plan,
            todo,
            resume: preview.resume,
        }))]
    }

    pub fn batch(&self, batch_id: &str) -> Option<&BatchView> {
        self.batches.iter().find(|b| b.plan.batch_id == batch_id)
    }

    /// Moves a batch window's selection to `row` of the batch's rows to send.
    pub(in crate::tui) fn select_batch_row(&mut self, batch_id: &str, row: usize) {
        if let Some(b) = self.batch_mut(batch_id) {
            b.selected = row;
        }
    }

    fn batch_mut(&mut self, batch_id: &str) -> Option<&mut BatchView> {
        self.batches
            .iter_mut()
            .find(|b| b.plan.batch_id == batch_id)
    }

    fn refresh_batch_line(&mut self, batch_id: &str) {
        let Some(b) = self.batch(batch_id) else {
            return;
        };
        let (mark, mut text) = (b.mark(), b.summary());
        // An undo says what it puts back on whom.
        if let Some(words) = self.undo_words(&b.plan) {
            let verb = match mark {
                "✓" => "restored",
                "…" => "restoring",
                _ => "to restore",
            };
            text = format!("{verb} {words} · {text}");
        }
        let colour = match mark {
            "✓" => theme::OK,
            "◐" => theme::WARN,
            "✗" => theme::ERROR,
            "?" => theme::UNKNOWN,
            _ => theme::MUTED,
        };
        self.log.set_batch_summary(batch_id, mark, text, colour);
    }

    /// A row of a batch ended, or the server asked it to slow down.
    pub(in crate::tui) fn batch_progress(&mut self, batch_id: &str, progress: Progress) {
        match progress {
            Progress::Sent { row } => {
                if let Some(b) = self.batch_mut(batch_id) {
                    b.sending.insert(row);
                }
            }
            // The console's batches run at a fixed concurrency.
            Progress::Limit { .. } => {}
            Progress::Throttled { wait_ms, reason } => {
                if let Some(b) = self.batch_mut(batch_id) {
                    b.throttled = Some(format!(
                        "the server asked to slow down ({reason}): every worker waited {:.1} s",
                        wait_ms as f64 / 1000.0
                    ));
                }
            }
            Progress::Done {
                row,
                report,
                entry,
                op,
                result,
            } => {
                let at = self.now;
                self.known.apply_result(&op, &result, at);
                self.learned_reply(&op, &result, at);
                let log_entry = LogEntry::from_entry(*entry);
                if let Some(b) = self.batch_mut(batch_id) {
                    b.row_done(row, *report, Some(log_entry));
                }
                self.refresh_batch_line(batch_id);
            }
        }
    }

    /// The batch ended: its counts are final; the known patrons are saved.
    pub(in crate::tui) fn batch_ended(&mut self, batch_id: &str, report: RunReport) -> Vec<Effect> {
        let now = self.now;
        if let Some(b) = self.batch_mut(batch_id) {
            for (row, r) in report.rows {
                b.row_done(row, r, None);
            }
            b.phase = BatchPhase::Finished;
            b.cancelled |= report.cancelled;
            b.finished_at = Some(now);
            b.journal_error = report.journal_error.clone();
            if let Some(d) = &report.deferred {
                b.throttled = Some(format!(
                    "stopped sending: {}; the rest stay pending (resume after {})",
                    d.describe(),
                    d.until.format("%Y-%m-%d %H:%M UTC")
                ));
            }
            if let Some(s) = &report.stopped {
                b.throttled = Some(format!("stopped sending: {}", s.describe()));
            }
        }
        self.refresh_batch_line(batch_id);
        self.refilter_hive();
        if let Some(e) = report.journal_error {
            self.set_status(Level::Error, e);
        } else if let Some(d) = report.deferred {
            self.set_status(
                Level::Warn,
                format!(
                    "Batch {batch_id} stopped sending: {}. The rest stay pending: resume it \
                     after {}.",
                    d.describe(),
                    d.until.format("%Y-%m-%d %H:%M UTC")
                ),
            );
        } else if let Some(s) = &report.stopped {
            let text = format!(
                "Batch {batch_id} stopped sending: {}. The rest stay pending: resume it from \
                 the batches view once fixed.",
                s.describe()
            );
            self.set_status(Level::Warn, text);
        } else if let Some(b) = self.batch(batch_id) {
            // What the batch was, in words, beside the id `tagdesk batch` commands take.
            let what = match &b.plan.undo_of {
                Some(of) => format!("undo of {}", self.cx().known().undone(of)),
                None => {
                    crate::tui::state::words::batch_what(b.plan.op.name(), b.plan.source.as_deref())
                }
            };
            let text = format!("Batch {batch_id} ({what}): {}.", b.summary());
            self.set_status(Level::Info, text);
        }
        self.save_effect().into_iter().collect()
    }

    /// Pause / go on / cancel the batch in the batch window.
    pub(in crate::tui) fn control_batch(
        &mut self,
        batch_id: &str,
        control: Control,
    ) -> Vec<Effect> {
        let Some(b) = self.batch_mut(batch_id) else {
            return Vec::new();
        };
        if b.phase == BatchPhase::Finished {
            return Vec::new();
        }
        b.phase = match control {
            Control::Run => BatchPhase::Running,
            Control::Pause => BatchPhase::Paused,
            Control::Cancel => BatchPhase::Cancelling,
        };
        b.cancelled |= control == Control::Cancel;
        self.refresh_batch_line(batch_id);
        vec![Effect::ControlBatch {
            batch_id: batch_id.to_string(),
            control,
        }]
    }

    /// Requests of running batches not sent yet (those in flight are counted by
    /// [`App::in_flight`]).
    pub fn batch_rows_left(&self) -> usize {
        self.batches
            .iter()
            .filter(|b| b.phase != BatchPhase::Finished)
            .map(|b| {
                b.todo
                    .len()
                    .saturating_sub(b.done())
                    .saturating_sub(b.sending.len())
            })
            .sum()
    }

    /// Batch requests that have left and not ended yet.
    pub fn batch_in_flight(&self) -> usize {
        self.batches
            .iter()
            .filter(|b| b.phase != BatchPhase::Finished)
            .map(|b| b.sending.len())
            .sum()
    }

    /// What quitting would leave without an outcome: requests in flight and batch rows.
    pub fn unfinished(&self) -> usize {
        self.in_flight() + self.batch_rows_left()
    }

    /// A new batch id: unique across runs (as journal ids are), or `PREFIX-N` when the App
    /// was given a prefix (tests and scripted demos, whose screens must not change).
    pub(in crate::tui) fn new_batch_id(&mut self) -> String {
        match &self.id_prefix {
            Some(prefix) => {
                self.batch_serial += 1;
                format!("{prefix}-{}", self.batch_serial)
            }
            None => crate::engine::journal::new_id(),
        }
    }

    /// The profile's Hive tag catalogue (empty when not configured).
    fn catalogue(&self) -> &[crate::core::domain::HiveTag] {
        self.settings
            .hive
            .as_ref()
            .map_or(&[], |h| h.catalogue.as_slice())
    }

    /// The profile's Cerego tag types (empty when not configured).
    fn tag_types(&self) -> &[crate::core::domain::TagType] {
        self.settings
            .cerego
            .as_ref()
            .map_or(&[], |c| c.tag_types.as_slice())
    }

    /// The log entry with this journal id: this run's or the journal's, or a batch row's.
    pub fn entry(&self, key: &str) -> Option<&LogEntry> {
        self.log
            .get(key)
            .or_else(|| self.batches.iter().find_map(|b| b.entry(key)))
    }
}
