//! Running a plan: bounded concurrency, a client-side rate, a whole-batch slow-down on 429
//! and 503, pause / resume / cancel, and group commit of the journal.
//!
//! Every row's intent is on disk before its request leaves, and its outcome reaches the
//! journal as it arrives. Workers hand their records to one committer task, which writes
//! whatever has gathered in one `write` and one `fsync` — under concurrency several
//! intents share a sync, so durability does not cap throughput.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot, watch};

use super::limit::{ConcurrencyReport, Limiter};
use super::report::{self, RowOutcome, RowReport};
use super::stop::{FirstAlone, StopRule, Stopped, key_refused};
use super::{RunOptions, SavedPlan};
use crate::core::op::{ApiError, Exchange, Op, Output};
use crate::core::plan::PlanRow;
use crate::core::printable::plural;
use crate::engine::exec::{self, Clients, Hooks, PageProgress, SharedJournal, lock};
use crate::engine::journal::OutcomeKind;
use crate::engine::journal::{
    BatchCounts, BatchEvent, BatchRecord, BatchTag, Entry, IntentRecord, OutcomeRecord, Record,
    RequestInfo, new_id,
};
use crate::engine::pace::Pace;
use crate::engine::retry::{Deferral, RetryNotice, RetryPolicy};

/// Whether the batch runs, waits, or stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Run,
    /// No new request starts; those in flight finish.
    Pause,
    /// No new request starts; those in flight finish; the rest stay pending.
    Cancel,
}

/// What the caller hears while a batch runs.
#[derive(Debug, Clone)]
pub enum Progress {
    /// The row's intent is journaled and its request is leaving.
    Sent { row: usize },
    /// The row ended: how, and the reply (for the known state's fold).
    Done {
        row: usize,
        report: Box<RowReport>,
        /// The row's intent and outcome, as journaled.
        entry: Box<Entry>,
        op: Box<crate::core::op::Op>,
        result: Box<Result<crate::core::op::Output, crate::core::op::ApiError>>,
    },
    /// The server asked the whole batch to slow down (429 / 503): no request starts
    /// before `wait_ms` has passed.
    Throttled { wait_ms: u64, reason: String },
    /// `--concurrency auto` changed how many requests may be in flight.
    Limit { limit: usize },
}

/// Everything a run needs.
pub struct RunContext {
    pub clients: Clients,
    pub journal: SharedJournal,
    pub profile: String,
    pub demo: bool,
    pub policy: RetryPolicy,
    pub options: RunOptions,
}

/// How a run ended.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    /// Counts of this run's rows (those it was asked to send, plus the plan's unchanged
    /// rows when it was the first run).
    pub counts: BatchCounts,
    /// The report of every row this run was asked to send, by plan row.
    pub rows: Vec<(usize, RowReport)>,
    pub cancelled: bool,
    /// The journal failed: the batch stopped, and why.
    pub journal_error: Option<String>,
    /// The server asked for a longer wait than tagdesk makes: the batch stopped sending
    /// (the rest stay pending, for a resume), and when the server said to come back.
    pub deferred: Option<Deferral>,
    /// How many requests were in flight at most, and the 429s and 503s received.
    pub concurrency: ConcurrencyReport,
    /// The batch stopped sending on its own (`--max-errors`, a refused key), and why.
    pub stopped: Option<Stopped>,
}

struct Commit {
    records: Vec<Record>,
    done: oneshot::Sender<Result<(), String>>,
}

/// The one writer of a batch's records.
#[derive(Clone)]
struct Committer(mpsc::UnboundedSender<Commit>);

impl Committer {
    fn start(journal: SharedJournal, group: bool) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Commit>();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut waiting = vec![first];
                if group {
                    while let Ok(more) = rx.try_recv() {
                        waiting.push(more);
                    }
                }
                let records: Vec<Record> = waiting
                    .iter_mut()
                    .flat_map(|c| std::mem::take(&mut c.records))
                    .collect();
                let j = journal.clone();
                let written = tokio::task::spawn_blocking(move || lock(&j).append_many(&records))
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.map_err(|e| e.to_string()));
                for c in waiting {
                    let _ = c.done.send(written.clone());
                }
            }
        });
        Self(tx)
    }

    async fn write(&self, records: Vec<Record>) -> Result<(), String> {
        let (done, wait) = oneshot::channel();
        self.0
            .send(Commit { records, done })
            .map_err(|_| "the journal writer stopped".to_string())?;
        wait.await
            .map_err(|_| "the journal writer stopped".to_string())?
    }
}

struct Shared {
    plan: Arc<SavedPlan>,
    queue: super::queue::RowQueue,
    pace: Pace,
    limit: Limiter,
    committer: Committer,
    journal_error: Mutex<Option<String>>,
    deferred: Mutex<Option<Deferral>>,
    rule: Mutex<StopRule>,
    /// The run's first request goes alone (see [`FirstAlone`]).
    first: FirstAlone,
}

impl Shared {
    /// The journal failed: no further row starts, and the run reports why.
    fn stop(&self, message: String) {
        tracing::error!("{message}");
        self.journal_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(message);
    }

    /// A row taken but not sent goes back to the front of the queue.
    fn put_back(&self, index: usize) {
        self.queue.put_back(index);
    }

    /// The server asked for a wait longer than tagdesk makes: no further row starts.
    fn defer(&self, deferral: Deferral) {
        tracing::warn!("batch stopped: {}", deferral.describe());
        self.deferred
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(deferral);
    }

    fn stopped(&self) -> bool {
        self.journal_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
            || self
                .deferred
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_some()
            || self.rule().stopped().is_some()
    }

    fn rule(&self) -> std::sync::MutexGuard<'_, StopRule> {
        self.rule.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs the rows `todo` (indices into `plan.rows`) of `plan`: `begin` is journaled first
/// (the batch's start, or a resume), then every row, then the end with its counts.
pub async fn run(
    ctx: Arc<RunContext>,
    plan: Arc<SavedPlan>,
    todo: Vec<usize>,
    begin: BatchEvent,
    mut control: watch::Receiver<Control>,
    progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> RunReport {
    let committer = Committer::start(ctx.journal.clone(), ctx.options.group_commit);
    let header = |event: BatchEvent| {
        Record::Batch(BatchRecord {
            batch_id: plan.batch_id.clone(),
            time: chrono::Utc::now(),
            profile: ctx.profile.clone(),
            demo: ctx.demo,
            event,
        })
    };
    let mut out = RunReport::default();
    if let Err(e) = committer.write(vec![header(begin)]).await {
        out.journal_error = Some(format!("the batch was not started: {e}"));
        out.counts.pending = todo.len();
        return out;
    }
    let shared = Arc::new(Shared {
        plan: plan.clone(),
        queue: super::queue::RowQueue::new(&plan, &todo),
        pace: Pace::new(ctx.options.rate),
        limit: Limiter::new(ctx.options.concurrency),
        committer: committer.clone(),
        journal_error: Mutex::new(None),
        deferred: Mutex::new(None),
        rule: Mutex::new(StopRule::new(ctx.options.max_errors)),
        first: FirstAlone::default(),
    });
    let results: Arc<Mutex<Vec<(usize, RowReport)>>> = Arc::new(Mutex::new(Vec::new()));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..shared.limit.ceiling().min(todo.len().max(1)) {
        let (ctx, shared, results, progress, control) = (
            ctx.clone(),
            shared.clone(),
            results.clone(),
            progress.clone(),
            control.clone(),
        );
        workers.spawn(async move {
            worker(ctx, &shared, results, progress, control).await;
        });
    }
    while workers.join_next().await.is_some() {}
    out.cancelled = *control.borrow_and_update() == Control::Cancel;
    out.journal_error = shared
        .journal_error
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    out.deferred = shared
        .deferred
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    out.concurrency = shared.limit.report();
    out.stopped = shared.rule().stopped().cloned();
    let mut rows = std::mem::take(&mut *results.lock().unwrap_or_else(|e| e.into_inner()));
    let sent: std::collections::HashSet<usize> = rows.iter().map(|(i, _)| *i).collect();
    for &i in &todo {
        if !sent.contains(&i)
            && let Some(row) = plan.rows.get(i)
        {
            rows.push((i, report::report(row, None)));
        }
    }
    rows.sort_by_key(|(i, _)| *i);
    for (_, r) in &rows {
        report::tally(&mut out.counts, r);
        if report::was_sent(r) {
            out.counts.requests += 1;
        }
    }
    out.rows = rows;
    let end = BatchEvent::End {
        counts: out.counts,
        cancelled: out.cancelled
            || out.journal_error.is_some()
            || out.deferred.is_some()
            || out.stopped.is_some(),
    };
    if let Err(e) = committer.write(vec![header(end)]).await {
        out.journal_error.get_or_insert(e);
    }
    out
}

async fn wait_while_paused(control: &mut watch::Receiver<Control>) -> bool {
    loop {
        let now = *control.borrow_and_update();
        match now {
            Control::Run => return true,
            Control::Cancel => return false,
            Control::Pause => {
                if control.changed().await.is_err() {
                    return false;
                }
            }
        }
    }
}

/// One of the batch's workers; `run` starts as many as the batch's concurrency (never more
/// than rows). A worker owns only its receiver of the batch's control (run, pause,
/// cancel); the plan, the queue of row indices still to send, the pace and the committer
/// it shares with the others (`Shared`), so the workers together send every row once, in
/// queue order (a row about a target in flight waits for it: see `queue`), at most
/// `concurrency` at a time, and one task writes the journal.
///
/// Each turn of the loop is one row, in the order that keeps the journal honest (the run's
/// first row goes alone, so a refused key costs one request): [`next_row`] waits while the batch is paused and for the pace (the `--rate` and any
/// slow-down a 429 or 503 asked for); [`journal_intent`] puts the row's intent on disk
/// before anything leaves; [`send`] sends it with the engine's retries, holding the whole
/// batch back when the server throttles; [`journal_outcome`] writes how it ended as it
/// arrives; [`record_result`] reports the row to the caller (`Progress`) and to the run's
/// report.
///
/// A worker stops when no row is left, when the batch is cancelled (rows not taken stay
/// pending; requests in flight finish), or when the journal fails (the row whose intent
/// could not be written goes back to the queue, and no worker starts another row).
async fn worker(
    ctx: Arc<RunContext>,
    shared: &Shared,
    results: Arc<Mutex<Vec<(usize, RowReport)>>>,
    progress: Arc<dyn Fn(Progress) + Send + Sync>,
    mut control: watch::Receiver<Control>,
) {
    loop {
        // The run's first request goes alone; the others start once it has its answer.
        let _first = shared.first.pass().await;
        let epoch = shared.limit.acquire().await;
        let Some(index) = next_row(shared, &mut control).await else {
            shared.limit.release();
            return;
        };
        let Some(row) = shared.plan.rows.get(index) else {
            shared.limit.release();
            continue;
        };
        let Some(intent) = journal_intent(&ctx, shared, index, row).await else {
            shared.limit.release();
            return;
        };
        progress(Progress::Sent { row: index });
        let started = Instant::now();
        let (exchanges, result, retries) =
            send(&ctx, shared, progress.as_ref(), &row.op, epoch).await;
        shared.limit.release();
        // A Retry-After beyond what tagdesk waits stops the batch: this row was not carried
        // out (a 429 or 503 is a refusal to process), so it stays pending for a resume.
        let deferral = result
            .as_ref()
            .err()
            .and_then(|e| crate::engine::retry::deferral(&ctx.policy, e, chrono::Utc::now()));
        let sent = Sent {
            exchanges: &exchanges,
            result: &result,
            retries: &retries,
            deferral: deferral.as_ref(),
        };
        let outcome = journal_outcome(shared, &intent.id, row, sent, started).await;
        if let Some(d) = deferral {
            shared.defer(d);
        }
        let entry = Entry {
            intent,
            outcome: Some(outcome),
        };
        let key = result.as_ref().err().and_then(|e| key_refused(&row.op, e));
        let outcome = record_result(&ctx, &results, progress.as_ref(), index, row, entry, result);
        let why = {
            let mut rule = shared.rule();
            (rule.stopped().is_none() && rule.observe(outcome, key))
                .then(|| rule.stopped().map(Stopped::describe))
        };
        if let Some(why) = why.flatten() {
            tracing::warn!("batch stopped sending: {why}");
        }
        shared.queue.done(index);
    }
}

/// The next row this worker sends, once the batch runs and its turn has come: None when the batch is cancelled,
/// the journal has failed, it stopped on its own (`--max-errors`, a refused key), or no row
/// is left. A row taken before a pause
/// or a cancel that came while waiting for the turn goes back to the front of the queue.
async fn next_row(shared: &Shared, control: &mut watch::Receiver<Control>) -> Option<usize> {
    loop {
        if !wait_while_paused(control).await || shared.stopped() {
            return None;
        }
        let index = shared.queue.pop().await?;
        shared.pace.turn().await;
        if *control.borrow() == Control::Run {
            return Some(index);
        }
        // Paused or cancelled while waiting for the turn: the row goes back.
        shared.put_back(index);
    }
}

/// Journals the row's intent (tagged with the batch, the row and its lines, and the value
/// an undo would set back) before its request leaves. None when the journal could not take
/// it: nothing is sent that could not be journaled, so the batch stops and the row goes
/// back to the queue (it is reported pending).
async fn journal_intent(
    ctx: &RunContext,
    shared: &Shared,
    index: usize,
    row: &PlanRow,
) -> Option<IntentRecord> {
    let op = &row.op;
    let id = new_id();
    let mut intent = IntentRecord::at(
        &id,
        &ctx.profile,
        ctx.demo,
        op,
        Some(RequestInfo::planned(op, ctx.clients.base_url(op.service()))),
    );
    intent.batch = Some(BatchTag {
        id: shared.plan.batch_id.clone(),
        row: index,
        line: row.line(),
        lines: if row.lines.len() > 1 {
            row.lines.clone()
        } else {
            Vec::new()
        },
    });
    intent.prior = row.prior.clone();
    if let Err(e) = shared
        .committer
        .write(vec![Record::Intent(Box::new(intent.clone()))])
        .await
    {
        shared.stop(format!(
            "the journal could not be written, so the batch stopped: {e}"
        ));
        shared.put_back(index);
        return None;
    }
    Some(intent)
}

/// Sends the row's request with the engine's retries. A 429 or 503 on the way holds the
/// whole batch back (every worker waits, then requests are spaced) and is reported as
/// `Progress::Throttled`; a success eases the pace back towards full speed.
async fn send(
    ctx: &RunContext,
    shared: &Shared,
    progress: &(dyn Fn(Progress) + Send + Sync),
    op: &Op,
    epoch: u64,
) -> (Vec<Exchange>, Result<Output, ApiError>, Vec<RetryNotice>) {
    let shrink = |status: Option<u16>| {
        if matches!(status, Some(429 | 503))
            && let Some(limit) = shared.limit.throttled(epoch)
        {
            progress(Progress::Limit { limit });
        }
    };
    let throttle = |n: RetryNotice| {
        shrink(n.status);
        if matches!(n.status, Some(429 | 503)) {
            shared
                .pace
                .hold(Instant::now() + Duration::from_millis(n.wait_ms));
            progress(Progress::Throttled {
                wait_ms: n.wait_ms,
                reason: n.reason.clone(),
            });
        }
    };
    let on_page = |_: PageProgress| {};
    let hooks = Hooks {
        notify: &throttle,
        on_page: &on_page,
        keep_users: false,
        prior: None,
    };
    let started = Instant::now();
    let (exchanges, result, retries) = exec::attempt(&ctx.clients, op, &ctx.policy, &hooks).await;
    match &result {
        Ok(_) => {
            shared.pace.eased();
            // Only a first attempt's time says how fast the server is.
            if retries.is_empty()
                && let Some(limit) = shared.limit.succeeded(started.elapsed())
            {
                progress(Progress::Limit { limit });
            }
        }
        // A refusal that was not retried (no attempts left, or a wait too long).
        Err(ApiError::Http { status, .. }) => shrink(Some(*status)),
        Err(_) => {}
    }
    (exchanges, result, retries)
}

/// What one row's request came to.
struct Sent<'a> {
    exchanges: &'a [Exchange],
    result: &'a Result<Output, ApiError>,
    retries: &'a [RetryNotice],
    /// The server asked for a wait longer than tagdesk makes.
    deferral: Option<&'a Deferral>,
}

/// Journals how the row ended (its retries counted in the summary), as it arrives. When the
/// journal cannot take it the batch stops; the row is still reported as it ended. A row the
/// server deferred beyond the cap is journaled as not carried out (`cancelled`, with the
/// server's answer kept): it reads pending, and a resume sends it.
async fn journal_outcome(
    shared: &Shared,
    id: &str,
    row: &PlanRow,
    sent: Sent<'_>,
    started: Instant,
) -> OutcomeRecord {
    let Sent {
        exchanges,
        result,
        retries,
        deferral,
    } = sent;
    let mut outcome = OutcomeRecord::from_execution(id, exchanges, result, started.elapsed());
    if let Some(d) = deferral {
        outcome.result = OutcomeKind::Cancelled;
        outcome.summary = format!(
            "not carried out: {}; the batch stopped sending (a resume sends it)",
            d.describe()
        );
    }
    if !retries.is_empty() {
        outcome.summary = format!(
            "{} (after {})",
            outcome.summary,
            plural(retries.len() as u64, "retry", "retries")
        );
    }
    if let Err(e) = shared
        .committer
        .write(vec![Record::Outcome(outcome.clone())])
        .await
    {
        let message = format!(
            "the outcome of row {} (journal id {id}) could not be written to the journal, \
             so the batch stopped: {e}",
            row.line()
        );
        shared.stop(message);
    }
    outcome
}

/// Reports the row to the caller (`Progress::Done`, with the reply for the known state's
/// fold) and to the run's report, its message and reply scrubbed of the keys.
fn record_result(
    ctx: &RunContext,
    results: &Mutex<Vec<(usize, RowReport)>>,
    progress: &(dyn Fn(Progress) + Send + Sync),
    index: usize,
    row: &PlanRow,
    entry: Entry,
    mut result: Result<Output, ApiError>,
) -> RowOutcome {
    let mut r = report::report(row, Some(&entry));
    if let Some(m) = &mut r.message {
        *m = ctx.clients.redactor.text(m).into_owned();
    }
    crate::core::redact::Scrub::scrub(&mut result, &ctx.clients.redactor);
    progress(Progress::Done {
        row: index,
        report: Box::new(r.clone()),
        entry: Box::new(entry),
        op: Box::new(row.op.clone()),
        result: Box::new(result),
    });
    let outcome = r.outcome;
    results
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((index, r));
    outcome
}
