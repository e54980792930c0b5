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
use crate::core::plan::BatchOp;
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
        // A probe runs one step at a time and stops where the rest would mean nothing.
        let probe = crate::engine::probe::steps_of(&plan).filter(|_| plan.op == BatchOp::Probe);
        let ctx = Arc::new(RunContext {
            clients: self.clients.clone(),
            journal,
            profile: self.profile.clone(),
            demo: self.demo,
            policy: self.policy,
            options: match probe {
                Some(_) => crate::engine::probe::run_options(),
                None => RunOptions::default(),
            },
        });
        let stopper = self.controls.get(&batch_id).cloned();
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
                concurrency_auto: false,
                rate: None,
                undo_of: plan.undo_of.clone(),
                writer: Writer::current().clone(),
                audit: plan.audit.clone(),
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
            let progress = match (probe, stopper) {
                (Some(steps), Some(control)) => {
                    let judged = Default::default();
                    crate::engine::probe::judging(steps, judged, control, progress)
                }
                _ => progress,
            };
            // One runner per batch: this batch, and the batch an undo undoes.
            let mut locks = Vec::new();
            for id in std::iter::once(&plan.batch_id).chain(plan.undo_of.as_ref()) {
                match batch::lock_batch(&data_dir, id) {
                    Ok(l) => locks.push(l),
                    Err(e) => {
                        ended(
                            &events,
                            &batch_id,
                            format!("batch {id}: {e}; nothing was sent"),
                            todo.len(),
                        );
                        return;
                    }
                }
            }
            // What to resend was read before the lock: if another tagdesk has sent any of
            // it since, nothing is sent twice.
            if resume && let Some(done) = sent_since(&ctx.journal, &plan, &todo).await {
                ended(
                    &events,
                    &batch_id,
                    format!(
                        "batch {batch_id} was resumed elsewhere since it was offered ({done} of \
                         its rows have ended since): nothing was sent; open it again to see \
                         what is left"
                    ),
                    todo.len(),
                );
                return;
            }
            let batch_id_for_marks = plan.batch_id.clone();
            batch::mark_running(&data_dir, &batch_id_for_marks, &ctx.profile, ctx.demo);
            let report = batch::run(ctx, Arc::new(plan), todo, begin, watch_rx, progress).await;
            batch::mark_ended(&data_dir, &batch_id_for_marks);
            drop(locks);
            let _ = events.send(Event::BatchEnded {
                batch_id,
                report: Box::new(report),
            });
        });
        self.tasks.push(task);
    }

    /// Lists the profile's batches off the loop; they come back as
    /// [`Message::BatchesListed`].
    pub fn list_batches(&self) {
        let tx = self.messages.clone();
        let journal = self.journal_path();
        let (profile, demo) = (self.profile.clone(), self.demo);
        let data_dir = self.data_dir.clone();
        tokio::task::spawn_blocking(move || {
            let result = list_batches(journal.as_deref(), &data_dir, (&profile, demo));
            let _ = tx.send(Message::BatchesListed { result });
        });
    }

    /// Reads a batch back off the loop; it comes back as [`Message::BatchLoaded`].
    pub fn load_batch(&self, batch_id: String, then: crate::tui::app::BatchUse) {
        let tx = self.messages.clone();
        let journal = self.journal_path();
        let data_dir = self.data_dir.clone();
        let (profile, demo) = (self.profile.clone(), self.demo);
        tokio::task::spawn_blocking(move || {
            let result = load_batch(journal.as_deref(), &data_dir, &batch_id, (&profile, demo))
                .map(Box::new);
            let _ = tx.send(Message::BatchLoaded {
                batch_id,
                then,
                result,
            });
        });
    }

    /// The profile's journal file, when the journal could be opened.
    fn journal_path(&self) -> Option<PathBuf> {
        self.journal
            .as_ref()
            .map(|_| crate::engine::journal::file_for(&self.data_dir, &self.profile))
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

/// How many rows of `todo` no longer need sending, per the journal now (None: all still
/// do, or the journal cannot be read — the run's own checks then apply).
async fn sent_since(journal: &SharedJournal, plan: &SavedPlan, todo: &[usize]) -> Option<usize> {
    use crate::engine::batch::history;
    let path = journal
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .path()
        .to_path_buf();
    let (plan, todo) = (plan.clone(), todo.to_vec());
    tokio::task::spawn_blocking(move || {
        let entries = history::entries_of(&path, &plan).ok()?;
        let left = history::to_resume(&plan, &entries);
        let done = todo.iter().filter(|i| !left.contains(i)).count();
        (done > 0).then_some(done)
    })
    .await
    .ok()
    .flatten()
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

/// A batch an earlier run left unfinished, the rows to send again, each one's last known
/// outcome (`abandoned`, `pending`, `error`…; `never sent` when it has no attempt), and every
/// attempt of every row (an undo after the resume reads them all).
#[derive(Debug, Clone)]
pub struct ResumeOffer {
    pub plan: SavedPlan,
    pub todo: Vec<usize>,
    pub last: HashMap<usize, String>,
    pub attempts: Vec<Vec<crate::engine::journal::Entry>>,
}

/// The most recent batch an earlier run on `profile` (and demo mode, or not) left
/// interrupted, with the rows to resend, if any: another profile's batch is never offered.
pub fn interrupted(
    journal_path: &std::path::Path,
    data_dir: &std::path::Path,
    profile: &str,
    demo: bool,
) -> Option<ResumeOffer> {
    use crate::engine::batch::history;
    // The markers say which batch a crash left unfinished, without reading the journal;
    // only then is the journal read for that batch's rows.
    let id = batch::unfinished(data_dir, profile, demo)
        .into_iter()
        .next()?;
    let plan = batch::load(data_dir, &id)
        .ok()
        .filter(|p| p.belongs_to(profile, demo))?;
    let attempts = history::attempts_of(journal_path, &plan).ok()?;
    let entries: Vec<_> = attempts.iter().map(|a| a.last().cloned()).collect();
    let todo = history::to_resume(&plan, &entries);
    let last = last_outcomes(&plan, &entries, &todo);
    (!todo.is_empty()).then_some(ResumeOffer {
        plan,
        todo,
        last,
        attempts,
    })
}

/// The last known outcome of each row of `todo`, as its latest journal entry says.
pub fn last_outcomes(
    plan: &SavedPlan,
    entries: &[Option<crate::engine::journal::Entry>],
    todo: &[usize],
) -> HashMap<usize, String> {
    todo.iter()
        .filter_map(|&i| {
            let row = plan.rows.get(i)?;
            let word = match entries.get(i).and_then(Option::as_ref) {
                Some(entry) => batch::report::report(row, Some(entry)).outcome.as_str(),
                None => "never sent",
            };
            Some((i, word.to_string()))
        })
        .collect()
}

/// The batches of `profile` in the journal whose active file is `journal`, newest first
/// (the batches view). Demo mode lists none: its simulator started fresh, so earlier demo
/// batches can be neither resumed nor undone there (`tagdesk --demo batch list` has them).
pub fn list_batches(
    journal: Option<&std::path::Path>,
    data_dir: &std::path::Path,
    (profile, demo): (&str, bool),
) -> Result<Vec<batch::history::BatchInfo>, String> {
    let Some(journal) = journal else {
        return Err("the journal is unavailable".into());
    };
    if demo {
        return Ok(Vec::new());
    }
    let mut list = batch::history::list(journal)?;
    list.retain(|b| b.profile == profile);
    count_cut_short(journal, data_dir, &mut list)?;
    Ok(list)
}

/// A batch whose run was cut short (killed) has no closing record with its counts: they
/// are counted from its rows' latest journal entries (one pass over the journal for all of
/// them), the rows never sent pending.
fn count_cut_short(
    journal: &std::path::Path,
    data_dir: &std::path::Path,
    list: &mut [batch::history::BatchInfo],
) -> Result<(), String> {
    use crate::engine::batch::{RowOutcome, report};
    use crate::engine::journal::BatchCounts;
    let wanted: std::collections::HashSet<String> = list
        .iter()
        .filter(|b| b.counts.is_none() && b.state != batch::history::BatchState::Running)
        .map(|b| b.batch_id.clone())
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut outcomes: HashMap<(String, usize), RowOutcome> = HashMap::new();
    crate::engine::journal::stream(journal, None, |entry| {
        if let Some(tag) = &entry.intent.batch
            && wanted.contains(&tag.id)
        {
            let row = crate::core::plan::PlanRow {
                lines: Vec::new(),
                op: entry.intent.op.clone(),
                unchanged: false,
                prior: entry.intent.prior.clone(),
                want: None,
                warnings: Vec::new(),
                seen: Default::default(),
                expect: None,
                source: Vec::new(),
            };
            let outcome = report::report(&row, Some(&entry)).outcome;
            outcomes.insert((tag.id.clone(), tag.row), outcome);
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    for info in list.iter_mut().filter(|b| wanted.contains(&b.batch_id)) {
        // The requests its plan holds (without its plan file: the rows seen).
        let requests = batch::load(data_dir, &info.batch_id)
            .map(|p| p.rows.iter().filter(|r| !r.unchanged).count())
            .ok();
        let mut counts = BatchCounts::default();
        let mut seen = 0usize;
        for ((_, _), outcome) in outcomes.iter().filter(|((id, _), _)| *id == info.batch_id) {
            report::count(&mut counts, *outcome);
            seen += 1;
        }
        counts.requests = seen;
        counts.pending += requests.unwrap_or(seen).saturating_sub(seen);
        info.counts = Some(counts);
    }
    Ok(())
}

/// A batch read back: its plan file and its rows' latest journal entries — only a batch
/// of the console's own profile (and demo mode), which made it.
pub fn load_batch(
    journal: Option<&std::path::Path>,
    data_dir: &std::path::Path,
    batch_id: &str,
    (profile, demo): (&str, bool),
) -> Result<crate::tui::app::LoadedBatch, String> {
    let Some(journal) = journal else {
        return Err("the journal is unavailable".into());
    };
    let plan = batch::load(data_dir, batch_id)?;
    if plan.profile != profile || plan.demo != demo {
        let of = |p: &str, d: bool| {
            if d {
                "demo mode".to_string()
            } else {
                format!("profile {p}")
            }
        };
        return Err(format!(
            "batch {batch_id} belongs to {}, not {}",
            of(&plan.profile, plan.demo),
            of(profile, demo)
        ));
    }
    let running_elsewhere = batch::history::info(journal, batch_id)?
        .is_some_and(|i| i.state == batch::history::BatchState::Running);
    let attempts = batch::history::attempts_of(journal, &plan)?;
    let entries = attempts.iter().map(|a| a.last().cloned()).collect();
    Ok(crate::tui::app::LoadedBatch {
        plan,
        entries,
        attempts,
        running_elsewhere,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan of one Hive add on `profile`, whose run a process now gone left unfinished.
    fn left_unfinished(data_dir: &std::path::Path, id: &str, profile: &str, demo: bool) {
        let table = crate::core::plan::read_table(b"p1,vip\n").unwrap();
        let built = crate::core::plan::hive_plan(&table, None, false, &[]);
        let mut plan = SavedPlan::empty(built.op);
        plan.batch_id = id.into();
        plan.profile = profile.into();
        plan.demo = demo;
        plan.data_rows = built.data_rows;
        plan.rows = built.rows;
        batch::save(data_dir, &plan).unwrap();
        batch::mark_running(data_dir, id, profile, demo);
        // The marker's writer is this (live) process: make it one that is gone.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let path = batch::dir(data_dir).join(format!("{id}.running"));
        let mut marker: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        marker["pid"] = pid.into();
        marker["start"] = serde_json::Value::Null;
        std::fs::write(&path, serde_json::to_vec(&marker).unwrap()).unwrap();
    }

    #[tokio::test]
    async fn an_offer_sent_elsewhere_since_is_not_sent_again() {
        use crate::engine::journal::{
            BatchTag, IntentRecord, Journal, JournalOptions, OutcomeRecord, Record,
        };
        let dir = tempfile::tempdir().unwrap();
        let table = crate::core::plan::read_table(b"p1,vip\np2,vip\n").unwrap();
        let built = crate::core::plan::hive_plan(&table, None, false, &[]);
        let mut plan = SavedPlan::empty(built.op);
        plan.batch_id = "B1".into();
        plan.profile = "staging".into();
        plan.rows = built.rows;
        let (journal, _) =
            Journal::open_with(dir.path(), "staging", Vec::new(), JournalOptions::default())
                .unwrap();
        let journal: SharedJournal = Arc::new(std::sync::Mutex::new(journal));
        assert_eq!(sent_since(&journal, &plan, &[0, 1]).await, None);
        // Another tagdesk sends row 0 and gets an answer.
        let mut intent = IntentRecord::at("J1", "staging", false, &plan.rows[0].op, None);
        intent.batch = Some(BatchTag {
            id: "B1".into(),
            row: 0,
            line: 1,
            lines: Vec::new(),
        });
        // The server's answer: an HTTP error (a final outcome, not resent).
        let mut answer = OutcomeRecord::refused("J1", "400");
        answer.result = crate::engine::journal::OutcomeKind::HttpError;
        answer.status = Some(400);
        let records = [Record::Intent(Box::new(intent)), Record::Outcome(answer)];
        journal.lock().unwrap().append_many(&records).unwrap();
        assert_eq!(sent_since(&journal, &plan, &[0, 1]).await, Some(1));
        assert_eq!(sent_since(&journal, &plan, &[1]).await, None);
    }

    #[test]
    fn the_resume_offer_lists_only_this_profiles_batches() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal-staging.jsonl");
        left_unfinished(dir.path(), "demo-batch", "demo", true);
        assert!(
            interrupted(&journal, dir.path(), "staging", false).is_none(),
            "a killed demo batch is not offered to profile staging"
        );
        left_unfinished(dir.path(), "prod-batch", "prod", false);
        assert!(interrupted(&journal, dir.path(), "staging", false).is_none());
        left_unfinished(dir.path(), "staging-batch", "staging", false);
        let offer = interrupted(&journal, dir.path(), "staging", false).expect("offered");
        let (plan, todo) = (offer.plan, offer.todo);
        assert_eq!(plan.batch_id, "staging-batch");
        assert_eq!(todo, [0]);
        let plan = interrupted(&journal, dir.path(), "prod", false)
            .expect("offered")
            .plan;
        assert_eq!(plan.batch_id, "prod-batch");
        assert!(interrupted(&journal, dir.path(), "demo", false).is_none());
    }
}
