//! Batches in the console: marks, the preview of marked rows and of an import, a running
//! batch, a finished one with mixed outcomes, and the undo preview — driven through
//! Messages on TestBackend, answered by the simulator's model, snapshotted with insta.

mod support;

use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use support::Harness;
use tagdesk::core::op::{Op, Service};
use tagdesk::engine::batch::Control;
use tagdesk::tui::app::{Message, Pane, Tab};
use tagdesk::tui::popups::{BatchWindow, Inspector, Popup};

const LARGE: (u16, u16) = (120, 32);

fn snapshot(name: &str, screen: String) {
    insta::assert_snapshot!(name, screen);
}

fn hive(size: (u16, u16)) -> Harness {
    let mut h = Harness::demo(size.0, size.1);
    // Batch ids that do not change from run to run, for the snapshots.
    h.app.id_prefix = Some("batch".into());
    h.key(KeyCode::Char('2'));
    assert_eq!(h.app.tab, Tab::Hive);
    h
}

fn tags_of(h: &Harness, patron: &str) -> Vec<String> {
    h.model
        .hive
        .patrons
        .get(patron)
        .map(|t| t.into_iter().map(String::from).collect())
        .unwrap_or_default()
}

/// Marks the first three patrons: space twice, then a range of one with `v` `v`.
fn mark_three(h: &mut Harness) {
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('v'));
    h.key(KeyCode::Char('v'));
    assert_eq!(h.app.hive.marks.len(), 3);
}

#[test]
fn marks_are_shown_counted_inverted_and_cleared() {
    let mut h = hive(LARGE);
    mark_three(&mut h);
    let screen = h.screen();
    assert!(screen.contains("3 marked"), "{screen}");
    snapshot("batch_marks_120x32", screen);
    h.key(KeyCode::Char('*'));
    let known = h.app.known.hive.len();
    assert_eq!(
        h.app.hive.marks.len(),
        known - 3,
        "inverted over the rows shown"
    );
    h.key(KeyCode::Esc);
    assert!(h.app.hive.marks.is_empty());
    assert!(!h.screen().contains("marked"));
}

#[test]
fn adding_to_marked_patrons_is_one_preview_then_one_batch() {
    let mut h = hive(LARGE);
    let before: Vec<Vec<String>> = ["user_abc123", "user_def456", "user_ghi789"]
        .iter()
        .map(|p| tags_of(&h, p))
        .collect();
    mark_three(&mut h);
    h.key(KeyCode::Char('a'));
    h.type_text("vip, escalated");
    h.key(KeyCode::Enter);
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("a preview opens, nothing is sent yet")
    };
    assert_eq!(p.todo.len(), 3);
    assert!(h.pending.is_empty() && h.jobs.is_empty());
    snapshot("batch_marked_preview_120x32", h.screen());
    h.key(KeyCode::Enter);
    assert_eq!(h.jobs.len(), 1, "Enter runs the plan");
    assert!(h.app.hive.marks.is_empty(), "the marks did their job");

    // Running: one row done of three.
    h.run_batch(Some(1));
    let screen = h.screen();
    assert!(screen.contains("1/3"), "{screen}");
    snapshot("batch_running_120x32", screen);
    h.key(KeyCode::Char('p'));
    assert_eq!(h.controls.last().map(|c| c.1), Some(Control::Pause));
    assert!(h.screen().contains("paused"));
    h.key(KeyCode::Char('p'));
    assert_eq!(h.controls.last().map(|c| c.1), Some(Control::Run));
    // Quitting while the batch runs asks first, and says what abandoning it means.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('q'));
    assert!(matches!(h.app.popup, Some(Popup::Quit(_))));
    assert!(
        h.screen()
            .contains("A batch has 2 requests still to finish")
    );
    h.key(KeyCode::Esc);
    assert!(!h.quit);
    h.app.focus = Pane::Log;
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.app.popup, Some(Popup::Batch(BatchWindow { .. }))),
        "Enter on the batch's log line reopens its window"
    );
    h.run_batch(None);
    assert!(h.screen().contains("finished"));

    // The undo preview removes exactly what was added.
    h.key(KeyCode::Char('u'));
    let Some(Popup::Preview(undo)) = &h.app.popup else {
        panic!("u opens the undo's preview")
    };
    let removes: Vec<String> = undo
        .plan
        .rows
        .iter()
        .map(|r| match &r.op {
            Op::HiveRemove { patron, fields } => format!(
                "{patron}: {}",
                fields
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => panic!("an undo of an add removes: {other:?}"),
        })
        .collect();
    assert!(
        removes
            .iter()
            .all(|r| r.contains("vip") || r.contains("escalated"))
    );
    snapshot("batch_undo_preview_120x32", h.screen());
    h.key(KeyCode::Enter);
    h.run_batch(None);
    let after: Vec<Vec<String>> = ["user_abc123", "user_def456", "user_ghi789"]
        .iter()
        .map(|p| tags_of(&h, p))
        .collect();
    assert_eq!(after, before, "every patron has its exact tags again");
}

#[test]
fn a_finished_batch_with_mixed_outcomes_and_its_log_line() {
    let mut h = hive(LARGE);
    h.key(KeyCode::Char('I'));
    h.type_text("patrons.csv");
    h.key(KeyCode::Enter);
    assert_eq!(h.reads, [("patrons.csv".to_string(), Service::Hive)]);
    let file = "user_id,user_tags\r\nuser_abc123,\"vip, bogus\"\r\nuser_def456,newsletter\r\nnew_patron,nope\r\n";
    h.send(Message::ImportRead {
        path: "patrons.csv".into(),
        service: Service::Hive,
        result: Ok(Arc::new(file.as_bytes().to_vec())),
    });
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("the import's preview opens")
    };
    assert_eq!(p.todo.len(), 3);
    assert!(p.source.as_ref().is_some_and(|s| s.layout.header));
    snapshot("batch_import_preview_120x32", h.screen());
    // The header choice re-plans the file: without a header its first row is data.
    h.key(KeyCode::Char('h'));
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("still the preview")
    };
    assert_eq!(p.plan.rows.len(), 4);
    h.key(KeyCode::Char('h'));
    // d turns the file into removals, and back.
    h.key(KeyCode::Char('d'));
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("still the preview")
    };
    assert!(p.plan.rows.iter().all(|r| r.op.name() == "hive_remove"));
    assert!(h.screen().contains("REMOVE the listed tags"));
    h.key(KeyCode::Char('d'));
    h.key(KeyCode::Enter);
    h.run_batch(None);
    let screen = h.screen();
    assert!(screen.contains("partial"), "{screen}");
    assert!(screen.contains("failed"), "{screen}");
    snapshot("batch_finished_mixed_120x32", screen);
    // Enter on a row opens its inspector entry.
    h.key(KeyCode::Enter);
    assert!(matches!(
        h.app.popup,
        Some(Popup::Inspector(Inspector { .. }))
    ));
    h.key(KeyCode::Esc);
    // The action log shows one line for the batch.
    h.key(KeyCode::Esc);
    h.app.focus = Pane::Log;
    let screen = h.screen();
    assert!(screen.contains("Hive batch"), "{screen}");
    assert_eq!(
        h.app.log.iter().filter(|e| e.is_batch()).count(),
        1,
        "one line per batch"
    );
}

#[test]
fn cerego_marks_plan_add_update_or_nothing() {
    let mut h = Harness::demo(LARGE.0, LARGE.1);
    // The first three users; Cohort (type 3) is the first configured type.
    for _ in 0..3 {
        h.key(KeyCode::Char(' '));
    }
    h.key(KeyCode::Char('a'));
    h.type_text("Spring 2026");
    h.key(KeyCode::Enter);
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("a preview opens")
    };
    let ops: Vec<&str> = p.plan.rows.iter().map(|r| r.op.name()).collect();
    assert_eq!(ops, ["cerego_add", "cerego_update", "cerego_update"]);
    assert!(
        p.plan.rows[2].unchanged,
        "Alan Turing already has Spring 2026"
    );
    assert_eq!(p.todo.len(), 2);
}

#[test]
fn read_only_refuses_batches_at_the_key() {
    let mut h = Harness::with_settings(tagdesk::sim::seed::Seed::demo(), LARGE.0, LARGE.1, |s| {
        s.policy.read_only = true
    });
    h.reply_all();
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('a'));
    assert!(h.app.popup.is_none());
    assert!(h.screen().contains("read-only"));
    h.key_mod(KeyCode::Char('I'), KeyModifiers::SHIFT);
    assert!(h.app.popup.is_none());
}

#[test]
fn a_confirm_profile_wants_the_count_typed_for_a_big_batch() {
    let mut h = Harness::with_settings(tagdesk::sim::seed::Seed::demo(), LARGE.0, LARGE.1, |s| {
        s.policy.confirm = true
    });
    h.reply_all();
    h.key(KeyCode::Char('2'));
    let rows: String = (0..101).map(|i| format!("bulk_{i},vip\n")).collect();
    h.send(Message::ImportRead {
        path: "bulk.csv".into(),
        service: Service::Hive,
        result: Ok(Arc::new(rows.into_bytes())),
    });
    let screen = h.screen();
    assert!(screen.contains("asks for confirmation"), "{screen}");
    assert!(screen.contains("Type 101 to send them"), "{screen}");
    h.key(KeyCode::Enter);
    assert!(h.jobs.is_empty(), "not without the count");
    assert!(matches!(h.app.popup, Some(Popup::Preview(_))));
    h.type_text("100");
    h.key(KeyCode::Enter);
    assert!(h.jobs.is_empty(), "not with the wrong count");
    for _ in 0..3 {
        h.key(KeyCode::Backspace);
    }
    h.type_text("101");
    h.key(KeyCode::Enter);
    assert_eq!(h.jobs.len(), 1);
    assert_eq!(h.jobs[0].todo.len(), 101);
}

#[test]
fn an_interrupted_batch_is_offered_for_resume() {
    let mut h = hive(LARGE);
    let table = tagdesk::core::plan::read_table(b"user_abc123,vip\nuser_def456,vip\n").unwrap();
    let plan = tagdesk::core::plan::hive_plan(&table, None, false, &[]);
    let saved = tagdesk::engine::batch::SavedPlan {
        batch_id: "crashed".into(),
        created_at: chrono::Utc::now(),
        profile: "demo".into(),
        demo: true,
        op: plan.op,
        source: Some("t.csv".into()),
        sha256: None,
        data_rows: plan.data_rows,
        rows: plan.rows,
        skipped: Vec::new(),
        undo_of: None,
        notes: Vec::new(),
        check_by_hand: Vec::new(),
        retry_of: None,
        audit: Default::default(),
    };
    let last = [(1, "abandoned".to_string())].into();
    h.app.offer_resume(saved, vec![1], last);
    let screen = h.screen();
    assert!(screen.contains("This batch was interrupted"), "{screen}");
    // Only the row to send again, with its last known outcome; the done one is counted.
    assert!(screen.contains("1 request to send again"), "{screen}");
    assert!(screen.contains("1 already done"), "{screen}");
    let row = screen
        .lines()
        .find(|l| l.contains("user_def456") && l.contains("Hive add"))
        .unwrap_or_else(|| panic!("the row to resend: {screen}"));
    assert!(row.contains("last: abandoned"), "{row}");
    assert!(
        !screen.contains("user_abc123 Hive add"),
        "the done row is not listed: {screen}"
    );
    snapshot("batch_resume_preview_120x32", screen);
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("the offer is a preview")
    };
    assert_eq!(p.todo, [1], "only the unfinished row");
    h.key(KeyCode::Enter);
    assert_eq!(h.jobs.len(), 1);
    assert!(h.jobs[0].resume, "a resume of the same batch");
    assert_eq!(h.jobs[0].plan.batch_id, "crashed");
}

#[test]
fn a_single_cerego_edit_is_undone_to_the_value_it_replaced() {
    let mut h = Harness::demo(LARGE.0, LARGE.1);
    // Ada Lovelace's first tag: Plan = Gold (tag 84001).
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('e'));
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("Platinum");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.pending[0].prior.as_deref(),
        Some("Gold"),
        "journaled for undo"
    );
    h.reply_all();
    h.app.focus = Pane::Log;
    h.key(KeyCode::Char('G'));
    h.key(KeyCode::Char('u'));
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("u opens the undo's preview: {}", h.screen())
    };
    assert!(
        matches!(&p.plan.rows[0].op, Op::CeregoUpdate { tag, value } if tag.as_str() == "84001" && value.as_str() == "Gold"),
        "{:?}",
        p.plan.rows
    );
    h.key(KeyCode::Enter);
    h.run_batch(None);
    let value = h
        .model
        .cerego
        .tags()
        .find(|t| t.id == 84001)
        .map(|t| t.value.clone());
    assert_eq!(value.as_deref(), Some("Gold"));
}

#[test]
fn a_cancelled_batch_says_so_and_counts_only_the_rows_that_ended() {
    use tagdesk::engine::batch::{RunReport, report};
    let mut h = hive(LARGE);
    mark_three(&mut h);
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.popup, Some(Popup::Batch(_))));
    // One row ends, then the operator cancels: the other two are never sent.
    h.run_batch(Some(1));
    h.key(KeyCode::Char('c'));
    assert_eq!(h.controls.len(), 1);
    let job = h.jobs.remove(0);
    let left: Vec<_> = job.todo[1..]
        .iter()
        .map(|&row| (row, report::report(&job.plan.rows[row], None)))
        .collect();
    h.send(Message::BatchEnded {
        batch_id: job.plan.batch_id.clone(),
        report: Box::new(RunReport {
            rows: left,
            cancelled: true,
            ..RunReport::default()
        }),
    });
    let screen = h.screen();
    assert!(
        screen.contains(" 1/3 · "),
        "done counts ended rows only: {screen}"
    );
    assert!(screen.contains("cancelled"), "{screen}");
    assert!(!screen.contains("finished"), "{screen}");
    assert!(screen.contains("pending 2"), "{screen}");
    snapshot("batch_cancelled_120x32", screen);
    let line = h.app.log.entries().last().map(|e| e.key.clone());
    let summary = h.app.batch(&line.unwrap()).map(|b| b.summary()).unwrap();
    assert!(summary.starts_with("cancelled 1/3"), "{summary}");
}

/// The demo console with a Cerego import's preview open: Grace Hopper's Cohort changes,
/// Ada Lovelace gets one, Alan Turing's is already as asked, one row is invalid.
fn cerego_import(size: (u16, u16)) -> Harness {
    let mut h = Harness::demo(size.0, size.1);
    h.app.id_prefix = Some("batch".into());
    h.key_mod(KeyCode::Char('I'), KeyModifiers::SHIFT);
    h.type_text("cohorts.csv");
    h.key(KeyCode::Enter);
    let file = "user_id,tag_type_id,value\n1185310,3,Winter 2027\n1185304,3,Spring 2026\n\
                1185317,3,Spring 2026\nnot a user,3,Spring 2026\n";
    h.send(Message::ImportRead {
        path: "cohorts.csv".into(),
        service: Service::Cerego,
        result: Ok(Arc::new(file.as_bytes().to_vec())),
    });
    assert!(matches!(h.app.popup, Some(Popup::Preview(_))));
    h
}

#[test]
fn the_preview_shows_who_and_the_value_it_will_write() {
    let mut h = cerego_import(LARGE);
    let screen = h.screen();
    // The user by name and id, the old value and the new one, whole at 120 columns.
    let grace = screen
        .lines()
        .find(|l| l.contains("Grace Hopper (user 1185310)"))
        .unwrap_or_else(|| panic!("Grace Hopper's row: {screen}"));
    assert!(
        grace.contains("update Cohort: \"Autumn 2025\" → \"Winter 2027\""),
        "{grace}"
    );
    assert!(screen.contains("Ada Lovelace (user 1185304)"), "{screen}");
    // The basis once, in the header; the Hive sentence only in Hive previews.
    assert!(
        screen.contains("Basis: from the partner's user list"),
        "{screen}"
    );
    assert!(!screen.contains("Hive has no read endpoint"), "{screen}");
    // Every invalid row listed; nothing can be sent until it is fixed or left out.
    assert!(screen.contains("line 5"), "{screen}");
    assert!(!screen.contains("enter send"), "{screen}");
    assert!(screen.contains("i leave the invalid rows out"), "{screen}");
    snapshot("batch_cerego_preview_120x32", screen);
    let mut small = cerego_import((80, 24));
    snapshot("batch_cerego_preview_80x24", small.screen());
    h.key(KeyCode::Enter);
    assert!(h.jobs.is_empty(), "not with an invalid row");
    assert!(h.screen().contains("press i to leave them out"));
}

#[test]
fn invalid_rows_can_be_left_out_from_the_preview() {
    let mut h = cerego_import(LARGE);
    h.key(KeyCode::Char('i'));
    let screen = h.screen();
    assert!(screen.contains("1 invalid row, left out"), "{screen}");
    assert!(screen.contains("enter send"), "{screen}");
    assert!(
        screen.contains("1 invalid row left out: Enter sends the other 2 requests."),
        "{screen}"
    );
    h.key(KeyCode::Enter);
    assert_eq!(h.jobs.len(), 1);
    assert_eq!(h.jobs[0].todo.len(), 2, "Alan Turing's row is unchanged");
    assert_eq!(
        h.jobs[0].plan.skipped.len(),
        1,
        "the plan says what was left out"
    );
    assert!(h.screen().contains("1 invalid row left out."));
}

#[test]
fn the_end_of_a_long_preview_shows_its_last_rows() {
    let mut h = hive(LARGE);
    let rows: String = (0..40).map(|i| format!("bulk_{i},vip\n")).collect();
    h.send(Message::ImportRead {
        path: "bulk.csv".into(),
        service: Service::Hive,
        result: Ok(Arc::new(rows.into_bytes())),
    });
    assert!(!h.screen().contains("bulk_39"));
    h.key_mod(KeyCode::Char('G'), KeyModifiers::SHIFT);
    let screen = h.screen();
    assert!(screen.contains("bulk_39"), "{screen}");
    let shown = screen.lines().filter(|l| l.contains("bulk_")).count();
    assert!(
        shown > 10,
        "the screen is full of the last rows, not one: {screen}"
    );
    assert!(screen.contains("of 40"), "{screen}");
}

#[test]
fn a_batch_already_undone_says_when_before_a_second_undo() {
    let mut h = hive(LARGE);
    mark_three(&mut h);
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.run_batch(None);
    let batch = h.jobs.first().map(|j| j.plan.batch_id.clone());
    assert!(batch.is_none(), "the batch ran");
    // Undo it from its window, and run the undo.
    h.key(KeyCode::Char('u'));
    assert!(matches!(h.app.popup, Some(Popup::Preview(_))));
    h.key(KeyCode::Enter);
    h.run_batch(None);
    h.key(KeyCode::Esc);
    // The original batch's line again: u says when it was undone, and sends nothing.
    h.app.focus = Pane::Log;
    let first = h
        .app
        .log
        .entries()
        .iter()
        .position(|e| e.key == "batch-1")
        .expect("the batch's line");
    h.app.log.list.select_index(first);
    h.key(KeyCode::Char('u'));
    assert!(
        h.app.popup.is_none(),
        "no preview at once: {:?}",
        h.app.popup
    );
    let screen = h.screen();
    assert!(screen.contains("Already undone at"), "{screen}");
    assert!(
        screen.contains("(batch batch-2): press u again"),
        "{screen}"
    );
    // A second press goes on, as the CLI's --again.
    h.key(KeyCode::Char('u'));
    assert!(matches!(h.app.popup, Some(Popup::Preview(_))));
}

#[test]
fn the_console_undo_reads_every_attempt_of_a_row_read_back_from_the_journal() {
    use tagdesk::engine::journal::{BatchTag, Entry, IntentRecord, OutcomeRecord};
    let mut h = hive(LARGE);
    assert!(!tags_of(&h, "user_abc123").contains(&"vip".to_string()));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    let job = h.jobs[0].clone();
    let id = job.plan.batch_id.clone();
    // A first attempt landed (the simulator added vip) but its answer was never journaled:
    // a crash (the next start journals it abandoned), then this run's attempt is answered
    // "already there".
    let op = job.plan.rows[0].op.clone();
    let first = tagdesk::engine::backend::Request {
        id: 1,
        op: op.clone(),
        journal_id: format!("{id}-first"),
        prior: None,
    };
    let _ = h.answer(&first);
    let mut intent = IntentRecord::at(&first.journal_id, "demo", true, &op, None);
    intent.batch = Some(BatchTag {
        id: id.clone(),
        row: 0,
        line: 0,
        lines: Vec::new(),
    });
    let unknown = Entry {
        intent,
        outcome: Some(OutcomeRecord::abandoned(&first.journal_id)),
    };
    h.run_batch(None);
    h.key(KeyCode::Esc);
    h.app.focus = Pane::Log;
    // Without the journal's attempts, the undo sees only "already there": nothing to undo.
    h.key(KeyCode::Char('u'));
    assert!(h.app.popup.is_none(), "{:?}", h.app.popup);
    let said = h
        .app
        .status
        .as_ref()
        .map(|s| s.1.clone())
        .unwrap_or_default();
    assert!(said.starts_with("Nothing to undo"), "{said}");
    // Read back from the journal, the first attempt counts: vip was not there before it.
    h.app.remember_attempts(&id, vec![vec![unknown]]);
    h.key(KeyCode::Char('u'));
    let Some(Popup::Preview(undo)) = &h.app.popup else {
        panic!("the undo's preview: {}", h.screen())
    };
    assert!(
        matches!(&undo.plan.rows[..], [row] if matches!(&row.op, Op::HiveRemove { fields, .. }
            if fields.iter().map(|f| f.as_str()).collect::<Vec<_>>() == ["vip"])),
        "{:?}",
        undo.plan.rows
    );
}

#[test]
fn s_in_an_import_preview_sets_each_patrons_tags_exactly() {
    let mut h = hive(LARGE);
    h.key(KeyCode::Char('I'));
    h.type_text("tiers.csv");
    h.key(KeyCode::Enter);
    let file = "user_id,user_tags\nuser_abc123,vip\ncreator_0108,vip\nstreamer_luna,\nbrand_new,\"vip, newsletter\"\n";
    h.send(Message::ImportRead {
        path: "tiers.csv".into(),
        service: Service::Hive,
        result: Ok(Arc::new(file.as_bytes().to_vec())),
    });
    // An add first: streamer_luna's empty cell is an invalid row then.
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("the import's preview opens")
    };
    assert_eq!(p.invalid.len(), 1);
    let screen = h.screen();
    assert!(screen.contains("s set"), "{screen}");
    snapshot("batch_set_preview_add_120x32", screen);
    h.key(KeyCode::Char('s'));
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("still the preview")
    };
    assert_eq!(p.plan.op.name(), "hive_set");
    assert!(p.invalid.is_empty(), "{:?}", p.invalid);
    // user_abc123: +vip −newsletter (2 requests); creator_0108: −beta_tester −payment_issue;
    // streamer_luna: unchanged; brand_new: never seen, an add and a remove.
    assert_eq!(p.todo.len(), 5);
    let screen = h.screen();
    assert!(screen.contains("+vip −newsletter"), "{screen}");
    assert!(
        screen.contains("= unchanged: holds none of the scoped tags"),
        "{screen}"
    );
    assert!(
        screen.contains("? unknown: will send add vip, newsletter + remove"),
        "{screen}"
    );
    assert!(screen.contains("s add"), "{screen}");
    snapshot("batch_set_preview_set_120x32", screen);
    // s again: back to adds.
    h.key(KeyCode::Char('s'));
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("still the preview")
    };
    assert_eq!(p.plan.op.name(), "hive_add");
    h.key(KeyCode::Char('s'));
    h.key(KeyCode::Enter);
    h.run_batch(None);
    assert_eq!(tags_of(&h, "user_abc123"), ["vip"]);
    assert_eq!(tags_of(&h, "creator_0108"), ["vip"]);
    assert_eq!(tags_of(&h, "streamer_luna"), Vec::<String>::new());
    let mut fresh = tags_of(&h, "brand_new");
    fresh.sort();
    assert_eq!(fresh, ["newsletter", "vip"]);
}

#[test]
fn an_export_imported_in_the_console_sends_only_what_tagdesk_did_not_confirm() {
    // Issue 23 §1: the console's preview reads an export as the CLI does.
    let mut h = hive(LARGE);
    h.key(KeyCode::Char('I'));
    h.type_text("patrons.csv");
    h.key(KeyCode::Enter);
    let file = "# user_tags: the tags tagdesk last confirmed\r\nuser_id,user_tags,confirmed_at\r\n\
                user_abc123,newsletter,\r\nnever_seen,,\r\nuser_def456,\"newsletter, vip\",\r\n";
    h.send(Message::ImportRead {
        path: "patrons.csv".into(),
        service: Service::Hive,
        result: Ok(Arc::new(file.as_bytes().to_vec())),
    });
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("the import's preview opens")
    };
    assert!(p.invalid.is_empty(), "{:?}", p.invalid);
    assert_eq!(p.plan.rows.len(), 3);
    assert_eq!(p.plan.rows.iter().filter(|r| r.unchanged).count(), 2);
    assert_eq!(p.todo.len(), 1, "only user_def456's vip is sent");
    assert_eq!(p.plan.rows[p.todo[0]].op.target(), "user_def456");
}
