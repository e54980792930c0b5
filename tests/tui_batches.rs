//! The console's batches across runs: the batches view (`B`: list, open, resume, undo the
//! profile's batches, this run's and earlier ones read back from the journal) and the action
//! log's history, where an earlier batch is one line — driven through Messages on
//! TestBackend, the journal written by the engine's own journal writer in a temporary data
//! directory and read back with the loop's own functions.

mod support;

use chrono::{DateTime, TimeZone, Utc};
use ratatui::crossterm::event::KeyCode;
use support::Harness;
use tagdesk::core::domain::{ApiField, PatronId};
use tagdesk::core::op::Op;
use tagdesk::core::plan::{BatchOp, PlanRow};
use tagdesk::engine::backend::Request;
use tagdesk::engine::batch::{self, SavedPlan};
use tagdesk::engine::journal::{
    BatchCounts, BatchEvent, BatchRecord, BatchTag, IntentRecord, Journal, OutcomeRecord, Record,
    Writer,
};
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::{Effect, Pane};
use tagdesk::tui::popups::Popup;

const PROFILE: &str = "work";

fn at(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, h, m, 0)
        .single()
        .expect("a valid time")
}

fn add(patron: &str) -> Op {
    Op::HiveAdd {
        patron: PatronId::parse(patron).expect("a patron id"),
        fields: vec![ApiField::parse("vip").expect("an api_field")],
    }
}

/// A process that is provably gone (another boot): what a killed run leaves as writer.
fn gone() -> Writer {
    Writer {
        pid: 1,
        start: Some(0),
        boot: Some("an earlier boot".into()),
    }
}

/// Earlier runs of profile `work`, written with the engine's journal writer into a data
/// directory; requests are answered by the simulator's model, as they were then.
struct Earlier {
    dir: tempfile::TempDir,
    journal: Journal,
    scratch: Harness,
    /// A batch not ended is still being sent by a live process (else its run was killed).
    live: bool,
}

impl Earlier {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (journal, _) = Journal::open(dir.path(), PROFILE, Vec::new()).expect("the journal");
        Self {
            dir,
            journal,
            scratch: Harness::demo(80, 24),
            live: false,
        }
    }

    /// One request sent and answered at `time` (in a batch's row when `tag` says so).
    fn request(&mut self, id: &str, op: &Op, time: DateTime<Utc>, tag: Option<BatchTag>) {
        let mut intent = IntentRecord::at(id, PROFILE, false, op, None);
        intent.time = time;
        intent.batch = tag;
        self.journal
            .append(&Record::Intent(Box::new(intent)))
            .expect("an intent");
        let reply = self.scratch.answer(&Request {
            id: 1,
            op: op.clone(),
            journal_id: id.into(),
            prior: None,
        });
        let mut outcome = OutcomeRecord::from_execution(
            id,
            &reply.exchanges,
            &reply.result,
            std::time::Duration::from_millis(12),
        );
        outcome.time = time;
        self.journal.record_outcome(outcome).expect("an outcome");
    }

    /// A change made by hand (one `hive add`).
    fn by_hand(&mut self, id: &str, patron: &str, time: DateTime<Utc>) {
        self.request(id, &add(patron), time, None);
    }

    /// A batch adding `vip` to `patrons`, of which the first `sent` were sent; it ended
    /// (closed by its run) or its run was killed.
    fn batch(
        &mut self,
        id: &str,
        source: &str,
        patrons: &[String],
        sent: usize,
        ended: bool,
        time: DateTime<Utc>,
    ) {
        let rows: Vec<PlanRow> = patrons
            .iter()
            .enumerate()
            .map(|(i, p)| PlanRow {
                lines: vec![i + 2],
                op: add(p),
                unchanged: false,
                prior: None,
                want: None,
                warnings: Vec::new(),
                seen: Default::default(),
                expect: None,
                source: Vec::new(),
            })
            .collect();
        let plan = SavedPlan {
            batch_id: id.into(),
            created_at: time,
            profile: PROFILE.into(),
            demo: false,
            op: BatchOp::HiveAdd,
            source: Some(source.into()),
            sha256: None,
            data_rows: rows.len(),
            rows,
            skipped: Vec::new(),
            undo_of: None,
            notes: Vec::new(),
            check_by_hand: Vec::new(),
            retry_of: None,
            audit: Default::default(),
        };
        batch::save(self.dir.path(), &plan).expect("the plan file");
        let record = |event, time| {
            Record::Batch(BatchRecord {
                batch_id: id.into(),
                time,
                profile: PROFILE.into(),
                demo: false,
                event,
            })
        };
        let writer = if ended || self.live {
            Writer::current().clone()
        } else {
            gone()
        };
        self.journal
            .append(&record(
                BatchEvent::Start {
                    op: BatchOp::HiveAdd,
                    source: Some(source.into()),
                    sha256: None,
                    rows: patrons.len(),
                    requests: patrons.len(),
                    skipped: 0,
                    concurrency: 4,
                    concurrency_auto: false,
                    rate: None,
                    undo_of: None,
                    writer,
                    audit: Default::default(),
                },
                time,
            ))
            .expect("the start");
        for (row, p) in patrons.iter().enumerate().take(sent) {
            let tag = BatchTag {
                id: id.into(),
                row,
                line: row + 2,
                lines: Vec::new(),
            };
            let when = time + chrono::Duration::milliseconds(row as i64 * 10);
            self.request(&format!("{id}-{row}"), &add(p), when, Some(tag));
        }
        if ended {
            let counts = BatchCounts {
                requests: sent,
                ok: sent,
                pending: patrons.len() - sent,
                ..BatchCounts::default()
            };
            let end = BatchEvent::End {
                counts,
                cancelled: false,
            };
            let last = time + chrono::Duration::seconds(5);
            self.journal.append(&record(end, last)).expect("the end");
        }
    }

    /// The console of profile `work` over this data directory, its history loaded as the
    /// loop loads it at start.
    fn console(&self, width: u16, height: u16) -> Harness {
        let mut h = Harness::with_settings(Seed::demo(), width, height, |s| {
            s.profile = PROFILE.into();
            s.demo = false;
        });
        h.reply_all();
        h.app.id_prefix = Some("batch".into());
        h.data_dir = Some(self.dir.path().to_path_buf());
        let path = h.journal_path().expect("a journal");
        let recent = tagdesk::engine::batch::recent::recent(&path, tagdesk::tui::HISTORY)
            .expect("the history");
        h.app.load_history(recent);
        h
    }
}

fn patrons(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}_{i:04}")).collect()
}

/// A finished batch of Mar 12, an interrupted one of Mar 13 (3 of 6 rows sent, its run
/// killed), and a hand-made change between them.
fn two_earlier_batches() -> Earlier {
    let mut e = Earlier::new();
    e.batch(
        "1a20852cd06-3c4b-2",
        "tickets.csv",
        &patrons("ticket", 5),
        5,
        true,
        at(12, 17, 40),
    );
    e.by_hand("hand-1", "user_abc123", at(13, 9, 0));
    e.batch(
        "1a20e3f9b11-41c2-1",
        "cohort_export.csv",
        &patrons("cohort", 6),
        3,
        false,
        at(13, 9, 12),
    );
    e
}

/// This run's batch: `vip` added to two marked patrons, one row done.
fn start_a_batch(h: &mut Harness) {
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert_eq!(h.jobs.len(), 1, "the batch runs");
    h.run_batch(Some(1));
    h.key(KeyCode::Esc);
    assert!(h.app.popup.is_none());
}

// Item 16: the batches view lists this run's batch and the earlier ones, newest first,
// each with where it stands and its counts; the status line counts the running batch.
#[test]
fn b_lists_the_profiles_batches_newest_first_with_state_and_counts() {
    let e = two_earlier_batches();
    let mut h = e.console(120, 32);
    start_a_batch(&mut h);
    let screen = h.screen();
    assert!(
        screen.contains("batch 1/2") && !screen.contains(" idle "),
        "the status line counts the running batch as work in flight:\n{screen}"
    );
    h.key(KeyCode::Char('B'));
    let Some(Popup::Batches(_)) = &h.app.popup else {
        panic!("B opens the batches view: {:?}", h.app.popup);
    };
    let screen = h.screen();
    let at_line = |text: &str| {
        screen
            .lines()
            .position(|l| l.contains(text))
            .unwrap_or_else(|| panic!("{text} is not listed:\n{screen}"))
    };
    let (now, interrupted, finished) = (
        at_line("running"),
        at_line("interrupted"),
        at_line("tickets.csv"),
    );
    assert!(now < interrupted && interrupted < finished, "{screen}");
    assert!(screen.contains("3 ok · 3 pending"), "{screen}");
    assert!(screen.contains("5 ok"), "{screen}");
    assert!(screen.contains("1/2"), "{screen}");
    insta::assert_snapshot!("batches_view_120x32", screen);
}

#[test]
fn the_batches_view_reads_at_80_columns() {
    let e = two_earlier_batches();
    let mut h = e.console(80, 24);
    h.key(KeyCode::Char('B'));
    let screen = h.screen();
    assert!(screen.contains("interrupted"), "{screen}");
    assert!(screen.contains("cohort_export.csv"), "{screen}");
    insta::assert_snapshot!("batches_view_80x24", screen);
}

// Item 16: R resumes an interrupted batch of an earlier run through the resume preview,
// which sends only its rows never sent.
#[test]
fn r_resumes_an_interrupted_earlier_batch_through_its_preview() {
    let e = two_earlier_batches();
    let mut h = e.console(120, 32);
    h.key(KeyCode::Char('B'));
    // Newest first: the interrupted batch, then the finished one.
    h.key(KeyCode::Char('R'));
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("R opens the resume preview:\n{}", h.screen());
    };
    assert!(p.resume);
    assert_eq!(p.plan.batch_id, "1a20e3f9b11-41c2-1");
    assert_eq!(p.todo, vec![3, 4, 5], "only the rows never sent");
    assert_eq!(p.last.get(&3).map(String::as_str), Some("never sent"));
    assert!(h.jobs.is_empty(), "nothing runs before Enter");
    h.key(KeyCode::Enter);
    assert_eq!(h.jobs.len(), 1);
    assert!(h.jobs[0].resume);
    assert_eq!(h.jobs[0].todo, vec![3, 4, 5]);
    // A finished batch has nothing to resume: it says so and stays.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('B'));
    h.key(KeyCode::Char('G'));
    h.key(KeyCode::Char('R'));
    assert!(matches!(h.app.popup, Some(Popup::Batches(_))));
    assert!(
        h.screen()
            .contains("Batch 1a20852cd06-3c4b-2 has nothing left to send"),
        "{}",
        h.screen()
    );
}

// Item 16: Enter opens an earlier batch's window (read back from the journal), and u undoes
// it through the undo preview.
#[test]
fn enter_opens_an_earlier_batch_and_u_undoes_it() {
    let e = two_earlier_batches();
    let mut h = e.console(120, 32);
    h.key(KeyCode::Char('B'));
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Enter);
    let Some(Popup::Batch(w)) = &h.app.popup else {
        panic!("Enter opens the batch window:\n{}", h.screen());
    };
    assert_eq!(w.batch_id, "1a20852cd06-3c4b-2");
    let screen = h.screen();
    assert!(screen.contains("an earlier run"), "{screen}");
    assert!(screen.contains("ticket_0004"), "{screen}");
    insta::assert_snapshot!("batches_earlier_window_120x32", screen);
    h.key(KeyCode::Char('u'));
    let Some(Popup::Preview(undo)) = &h.app.popup else {
        panic!("u opens the undo preview:\n{}", h.screen());
    };
    assert_eq!(undo.plan.undo_of.as_deref(), Some("1a20852cd06-3c4b-2"));
    assert_eq!(undo.plan.rows.len(), 5);
    assert!(
        undo.plan
            .rows
            .iter()
            .all(|r| matches!(r.op, Op::HiveRemove { .. }))
    );
    // From the view too, without opening the window first.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('B'));
    h.key(KeyCode::Char('u'));
    let Some(Popup::Preview(undo)) = &h.app.popup else {
        panic!("u in the view opens the undo preview:\n{}", h.screen());
    };
    assert_eq!(undo.plan.undo_of.as_deref(), Some("1a20e3f9b11-41c2-1"));
    assert_eq!(undo.plan.rows.len(), 3, "the rows that were sent");
}

// Item 16: a batch of this run that was cancelled can be resumed from the view.
#[test]
fn a_cancelled_batch_of_this_run_is_resumed_from_the_view() {
    let e = Earlier::new();
    let mut h = e.console(120, 32);
    h.key(KeyCode::Char('2'));
    for _ in 0..3 {
        h.key(KeyCode::Char(' '));
    }
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.run_batch(Some(1));
    h.key(KeyCode::Char('c'));
    // The engine ends it with the rows not sent still pending.
    h.jobs.clear();
    h.send(tagdesk::tui::app::Message::BatchEnded {
        batch_id: "batch-1".into(),
        report: Box::default(),
    });
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('B'));
    let screen = h.screen();
    assert!(screen.contains("cancelled"), "{screen}");
    h.key(KeyCode::Char('R'));
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("R opens the resume preview:\n{}", h.screen());
    };
    assert_eq!(p.todo, vec![1, 2]);
}

// Item 17: after a restart, a 400-row batch is one line of the history, and the hand-made
// changes before it are still listed; the history is parted from this run by a line.
#[test]
fn the_history_groups_a_batch_into_one_line_and_keeps_earlier_changes() {
    let mut e = Earlier::new();
    for i in 0..3 {
        e.by_hand(&format!("before-{i}"), "user_abc123", at(13, 8, 10 + i));
    }
    e.batch(
        "1a2f00c0ffee-400-1",
        "big_import.csv",
        &patrons("bulk", 400),
        400,
        true,
        at(13, 9, 0),
    );
    e.by_hand("after-0", "user_def456", at(13, 10, 5));
    let mut h = e.console(120, 40);
    // Three hand-made, the batch, one hand-made; then this run's user list.
    assert_eq!(h.app.log.history_len(), 5);
    assert_eq!(h.app.log.len(), 6);
    let keys: Vec<&str> = h.app.log.entries().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys[..5],
        [
            "before-0",
            "before-1",
            "before-2",
            "1a2f00c0ffee-400-1",
            "after-0"
        ]
    );
    let screen = h.screen();
    assert!(
        screen.contains("400 × add") && screen.contains("done 400/400 · 400 ok"),
        "{screen}"
    );
    assert!(
        screen.contains("── ↑ earlier runs (from the journal) · this run ↓"),
        "{screen}"
    );
    insta::assert_snapshot!("history_grouped_batch_120x40", screen);
    // Enter on the batch's line opens its window, read back from the journal.
    h.app.focus = Pane::Log;
    h.app.log.select_key("1a2f00c0ffee-400-1");
    h.key(KeyCode::Enter);
    let Some(Popup::Batch(w)) = &h.app.popup else {
        panic!("Enter on a history batch opens its window:\n{}", h.screen());
    };
    assert_eq!(w.batch_id, "1a2f00c0ffee-400-1");
    assert!(h.screen().contains("400/400"), "{}", h.screen());
    h.key(KeyCode::Esc);
    // The parting line takes no click: the rows below it are this run's, where drawn.
    h.click_text("Cerego list");
    assert!(
        h.app
            .log
            .selected()
            .is_some_and(|e| e.history().is_none() && !e.is_batch()),
        "the click selects this run's listing"
    );
    h.click_text("400 × add");
    assert_eq!(
        h.app.log.selected().map(|e| e.key.as_str()),
        Some("1a2f00c0ffee-400-1")
    );
    // u on the batch's line undoes the whole batch (read back from the journal).
    let mut fresh = e.console(120, 40);
    fresh.app.focus = Pane::Log;
    fresh.app.log.select_key("1a2f00c0ffee-400-1");
    fresh.key(KeyCode::Char('u'));
    let Some(Popup::Preview(undo)) = &fresh.app.popup else {
        panic!(
            "u on a history batch opens its undo preview:\n{}",
            fresh.screen()
        );
    };
    assert_eq!(undo.plan.undo_of.as_deref(), Some("1a2f00c0ffee-400-1"));
    assert_eq!(undo.plan.rows.len(), 400);
}

// Item 17: the 200-line limit counts lines, so a batch bigger than it does not push the
// hand-made changes out.
#[test]
fn the_history_limit_counts_a_batch_as_one_line() {
    let mut e = Earlier::new();
    e.by_hand("first", "user_abc123", at(13, 8, 0));
    e.batch(
        "1a2f00c0ffee-250-1",
        "t.csv",
        &patrons("bulk", 250),
        250,
        true,
        at(13, 9, 0),
    );
    let path = tagdesk::engine::journal::file_for(e.dir.path(), PROFILE);
    let recent = tagdesk::engine::batch::recent::recent(&path, 200).expect("the history");
    assert_eq!(
        recent.entries.len(),
        251,
        "every row of the batch, and the change"
    );
    assert_eq!(recent.batches.len(), 1);
    assert_eq!(recent.batches[0].requests, 250);
    let h = e.console(120, 40);
    let keys: Vec<&str> = h.app.log.entries().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys[..2], ["first", "1a2f00c0ffee-250-1"]);
    // Two lines of history: no more than the limit asks, whatever the batch's size.
    let two = tagdesk::engine::batch::recent::recent(&path, 1).expect("the history");
    assert!(two.entries.iter().all(|e| e.intent.batch.is_some()));
}

// The loop's effect for `B`: the journal's list, as the harness carries it out.
#[test]
fn b_asks_the_loop_for_the_list_of_batches() {
    let e = Earlier::new();
    let mut h = e.console(120, 32);
    let effects = h.app.update(tagdesk::tui::app::Message::Key(
        ratatui::crossterm::event::KeyEvent::new(
            KeyCode::Char('B'),
            ratatui::crossterm::event::KeyModifiers::SHIFT,
        ),
    ));
    assert_eq!(effects, vec![Effect::ListBatches]);
}

// Item 16: a batch another tagdesk is sending now is listed as such, and neither resumed
// nor undone — from the view or from its history line.
#[test]
fn a_batch_running_elsewhere_is_neither_resumed_nor_undone() {
    let mut e = Earlier::new();
    e.live = true;
    e.batch(
        "1a30aaaa-live-1",
        "live.csv",
        &patrons("live", 4),
        2,
        false,
        at(14, 11, 0),
    );
    let mut h = e.console(120, 32);
    h.key(KeyCode::Char('B'));
    let screen = h.screen();
    assert!(screen.contains("running elsewhere"), "{screen}");
    h.key(KeyCode::Char('R'));
    assert!(
        h.screen()
            .contains("is running elsewhere: nothing to resume while it is being sent"),
        "{}",
        h.screen()
    );
    h.key(KeyCode::Esc);
    h.app.focus = Pane::Log;
    h.app.log.select_key("1a30aaaa-live-1");
    assert!(
        h.screen().contains("running elsewhere 2/4"),
        "{}",
        h.screen()
    );
    h.key(KeyCode::Char('u'));
    assert!(h.app.popup.is_none(), "no undo preview");
    assert!(
        h.screen()
            .contains("is being sent by another tagdesk right now"),
        "{}",
        h.screen()
    );
}
