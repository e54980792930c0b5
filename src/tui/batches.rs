//! The loop's side of batches: reading an import's file, saving a plan and running it with
//! the engine (the same one the CLI uses), pause / cancel, and the offer to resume a batch
//! an earlier run left unfinished. Progress comes back as backend events, file reads as
//! messages, so the App stays pure.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::app::{Message, RunBatch};
use crate::core::op::Service;
use crate::engine::backend::Event;
use crate::engine::batch::{self, Control, Progress, RunContext, RunOptions, RunReport, SavedPlan};
use crate::engine::exec::{Clients, SharedJournal};
use crate::engine::journal::{BatchEvent, Writer};
use crate::engine::retry::RetryPolicy;

pub struct BatchRunner {
    pub clients: Clients,
    pub journal: Option<SharedJournal>,
    pub profile: String,
    pub demo: bool,
    pub policy: RetryPolicy,
    pub data_dir: PathBuf,
    pub events: mpsc::UnboundedSender<Event>,
    pub messages: mpsc::UnboundedSender<Message>,
    controls: HashMap<String, watch::Sender<Control>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl BatchRunner {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        clients: Clients,
        journal: Option<SharedJournal>,
        profile: String,
        demo: bool,
        policy: RetryPolicy,
        data_dir: PathBuf,
        events: mpsc::UnboundedSender<Event>,
        messages: mpsc::UnboundedSender<Message>,
    ) -> Self {
        Self {
            clients,
            journal,
            profile,
            demo,
            policy,
            data_dir,
            events,
            messages,
            controls: HashMap::new(),
            tasks: Vec::new(),
        }
    }

    /// Reads an import's file off the loop.
    pub fn read_import(&self, path: String, service: Service) {
        let tx = self.messages.clone();
        let keys = self.clients.redactor.clone();
        tokio::task::spawn_blocking(move || {
            let result = batch::read_source(&path)
                .and_then(|bytes| refuse_keys(&keys, bytes))
                .map(Arc::new);
            let _ = tx.send(Message::ImportRead {
                path,
                service,
                result,
            });
        });
    }

    /// Lists the directory a path being typed names, off the loop (Tab in the import form);
    /// the names come back as [`Message::Listed`].
    pub fn list_directory(&self, dir: String) {
        let tx = self.messages.clone();
        tokio::task::spawn_blocking(move || {
            let result = list_directory(&dir);
            let _ = tx.send(Message::Listed { dir, result });
        });
    }

    /// Sets the simulator behind `service` up for a play, off the loop; the answer comes back
    /// as [`Message::PlayReady`].
    pub fn set_up_play(
        &self,
        key: String,
        service: Service,
        steps: Vec<crate::core::playground::Setup>,
    ) {
        let tx = self.messages.clone();
        let base = self.clients.base_url(service).to_string();
        tokio::spawn(async move {
            let result = match crate::engine::api::sim::SimControl::new(&base) {
                Err(_) if base.is_empty() => Err(format!("{} is not configured", service.name())),
                Ok(control) => control.setup(&steps).await,
                Err(e) => Err(e),
            };
            let _ = tx.send(Message::PlayReady { key, result });
        });
    }

    /// Carries out a command on the simulator behind each configured service (once per
    /// distinct address), off the loop; the fault rules after it come back as
    /// [`Message::Sim`].
    pub fn sim(&self, command: crate::tui::app::SimCommand) {
        use crate::engine::api::sim::SimControl;
        use crate::tui::app::SimCommand;
        let tx = self.messages.clone();
        let mut bases: Vec<String> = [Service::Hive, Service::Cerego]
            .iter()
            .map(|s| self.clients.base_url(*s).to_string())
            .filter(|b| !b.is_empty())
            .collect();
        bases.dedup();
        tokio::spawn(async move {
            let run = async {
                // The first simulator's rules are the ones shown; the first failure stops.
                let mut shown = None;
                for base in &bases {
                    let control = SimControl::new(base)?;
                    match &command {
                        SimCommand::Reset => control.reset().await?,
                        SimCommand::AddFault(spec) => {
                            control.add_fault(spec).await?;
                        }
                        SimCommand::ClearFaults => control.clear_faults().await?,
                        SimCommand::ReadFaults => {}
                    }
                    let rules = control.faults().await?;
                    shown.get_or_insert(rules);
                }
                shown.ok_or_else(|| "no service is configured".to_string())
            };
            let result = run.await;
            let _ = tx.send(Message::Sim { command, result });
        });
    }

    /// Saves the plan and runs it; progress and the end come back as events.
    pub fn run(&mut self, job: RunBatch) {
        let RunBatch { plan, todo, resume } = job;
        let batch_id = plan.batch_id.clone();
        let events = self.events.clone();
        let Some(journal) = self.journal.clone() else {
            ended(
                &events,
                &batch_id,
                "the journal is unavailable, so the batch was not sent".into(),
                todo.len(),
            );
            return;
        };
        let (control, watch_rx) = watch::channel(Control::Run);
        self.controls.insert(batch_id.clone(), control);
        let ctx = Arc::new(RunContext {
            clients: self.clients.clone(),
            journal,
            profile: self.profile.clone(),
            demo: self.demo,
            policy: self.policy,
            options: RunOptions::default(),
        });
        let data_dir = self.data_dir.clone();
        let begin = if resume {
            BatchEvent::Resume {
                requests: todo.len(),
                writer: Writer::current().clone(),
            }
        } else {
            BatchEvent::Start {
                op: plan.op,
                source: plan.source.clone(),
                sha256: plan.sha256.clone(),
                rows: plan.data_rows,
                requests: todo.len(),
                skipped: plan.skipped.len(),
                concurrency: batch::DEFAULT_CONCURRENCY,
                rate: None,
                undo_of: plan.undo_of.clone(),
                writer: Writer::current().clone(),
            }
        };
        let task = tokio::spawn(async move {
            let saved = plan.clone();
            let dir = data_dir.clone();
            let stored = tokio::task::spawn_blocking(move || batch::save(&dir, &saved)).await;
            if let Err(why) = stored
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| format!("the batch plan cannot be saved: {e}")))
            {
                ended(
                    &events,
                    &batch_id,
                    format!("{why}; nothing was sent"),
                    todo.len(),
                );
                return;
            }
            let progress_events = events.clone();
            let id = batch_id.clone();
            let progress: Arc<dyn Fn(Progress) + Send + Sync> = Arc::new(move |p| {
                let _ = progress_events.send(Event::Batch {
                    batch_id: id.clone(),
                    progress: p,
                });
            });
            let batch_id_for_marks = plan.batch_id.clone();
            batch::mark_running(&data_dir, &batch_id_for_marks);
            let report = batch::run(ctx, Arc::new(plan), todo, begin, watch_rx, progress).await;
            batch::mark_ended(&data_dir, &batch_id_for_marks);
            let _ = events.send(Event::BatchEnded {
                batch_id,
                report: Box::new(report),
            });
        });
        self.tasks.push(task);
    }

    pub fn control(&self, batch_id: &str, control: Control) {
        if let Some(tx) = self.controls.get(batch_id) {
            let _ = tx.send(control);
        }
    }

    /// Stops every batch now (quit): requests in flight keep an intent without an outcome,
    /// which the next start journals as abandoned and offers to resume.
    pub fn abort_all(&mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
        }
    }
}

/// A file with an API key of the profile in a cell is refused whole, the lines named and
/// the key never shown: it would be sent, drawn and written as data.
fn refuse_keys(keys: &crate::core::redact::Redactor, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    if keys.is_empty() {
        return Ok(bytes);
    }
    let mut table = crate::core::plan::read_table(&bytes)?;
    let before = table.unreadable.len();
    table.refuse_keys(|cell| keys.is_key(cell) || cell.split(',').any(|p| keys.is_key(p)));
    if table.unreadable.len() == before {
        return Ok(bytes);
    }
    let mut lines: Vec<String> = table
        .unreadable
        .iter()
        .filter(|(_, why)| why.contains("holds an API key"))
        .map(|(line, _)| line.to_string())
        .collect();
    lines.dedup();
    Err(format!(
        "{} {} {} an API key of this profile (not shown): a key is never sent as data",
        if lines.len() == 1 { "line" } else { "lines" },
        lines.join(", "),
        if lines.len() == 1 { "holds" } else { "hold" },
    ))
}

/// Tells the App a batch ended without running.
fn ended(events: &mpsc::UnboundedSender<Event>, batch_id: &str, why: String, todo: usize) {
    let mut report = RunReport {
        journal_error: Some(why),
        ..RunReport::default()
    };
    report.counts.pending = todo;
    let _ = events.send(Event::BatchEnded {
        batch_id: batch_id.to_string(),
        report: Box::new(report),
    });
}

/// A batch an earlier run left unfinished, and the rows to send again.
pub type ResumeOffer = (SavedPlan, Vec<usize>);

/// The most recent batch an earlier run left interrupted, with the rows to resend, if any.
pub fn interrupted(
    journal_path: &std::path::Path,
    data_dir: &std::path::Path,
) -> Option<ResumeOffer> {
    use crate::engine::batch::history;
    // The markers say which batch a crash left unfinished, without reading the journal;
    // only then is the journal read for that batch's rows.
    let id = batch::unfinished(data_dir).into_iter().next()?;
    let plan = batch::load(data_dir, &id).ok()?;
    let entries = history::entries_of(journal_path, &plan).ok()?;
    let todo = history::to_resume(&plan, &entries);
    (!todo.is_empty()).then_some((plan, todo))
}

/// The names in `dir` (empty: the current directory) and whether each is a directory, at
/// most 10,000 of them: what completing a path reads.
pub fn list_directory(dir: &str) -> Result<Vec<(String, bool)>, String> {
    let read_from = if dir.is_empty() { "." } else { dir };
    let entries = std::fs::read_dir(read_from).map_err(|e| e.to_string())?;
    Ok(entries
        .filter_map(Result::ok)
        .take(10_000)
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (name, is_dir)
        })
        .collect())
}
