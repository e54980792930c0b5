//! The audit journal against real files: linking, permissions, redaction, repair of torn
//! tails, reporting of corruption, and the `tagdesk log` exports.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use tagdesk::core::domain::{ApiField, PatronId, TagId, TagValue};
use tagdesk::core::op::Op;
use tagdesk::core::op::Output;
use tagdesk::core::op::hive::HiveOutcome;
use tagdesk::core::op::scenario::HiveAction;
use tagdesk::core::op::{ApiError, Exchange};
use tagdesk::engine::journal::{
    self, Entry, IntentRecord, Journal, OutcomeKind, OutcomeRecord, Record, RequestInfo,
};

const SECRET: &str = "sk-live-0123456789abcdef";

fn hive_add(patron: &str, fields: &str) -> Op {
    Op::HiveAdd {
        patron: PatronId::parse(patron).unwrap(),
        fields: ApiField::parse_list(fields).unwrap(),
    }
}

fn cerego_update(tag: &str, value: &str) -> Op {
    Op::CeregoUpdate {
        tag: TagId::parse(tag).unwrap(),
        value: TagValue::parse(value).unwrap(),
    }
}

fn exchange(body: &str, status: u16, response: &str) -> Exchange {
    Exchange {
        method: "POST".into(),
        url: "http://127.0.0.1:9/api/v1/user_tags/add".into(),
        request_body: Some(body.into()),
        status: Some(status),
        response_body: Some(response.into()),
        duration_ms: 12,
    }
}

fn hive_ok(message: &str) -> Output {
    Output::Hive(HiveOutcome {
        action: HiveAction::Add,
        message: Some(message.into()),
        patron_id: Some("user_abc123".into()),
        changed: vec!["vip".into()],
        unchanged: vec![],
        failed: vec![],
        missing_fields: vec![],
        extra: Vec::new(),
        foreign_patron: None,
    })
}

fn open(dir: &Path) -> (Journal, journal::OpenReport) {
    Journal::open(dir, "work", vec![SECRET.to_string()]).unwrap()
}

/// Writes `n` complete intent/outcome pairs and returns the file's bytes.
fn write_pairs(dir: &Path, n: usize) -> Vec<u8> {
    let (mut j, _) = open(dir);
    for i in 0..n {
        let id = format!("id-{i}");
        j.record_intent(&id, &hive_add("p1", "vip"), None).unwrap();
        j.record_outcome(OutcomeRecord::refused(&id, "read-only profile"))
            .unwrap();
    }
    fs::read(j.path()).unwrap()
}

fn append_raw(path: &Path, bytes: &[u8]) {
    let mut f = fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(bytes).unwrap();
}

#[test]
fn intents_and_outcomes_are_linked_by_id_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, report) = open(dir.path());
    assert!(report.is_clean());
    assert_eq!(report.records, 0);

    let add = hive_add("user_abc123", "vip");
    let a = journal::new_id();
    let body = r#"{"patron_id":"user_abc123","api_fields":["vip"]}"#;
    let ex = exchange(body, 200, r#"{"message":"Tags added"}"#);
    j.record_intent(&a, &add, Some(RequestInfo::from_exchange(&ex)))
        .unwrap();
    j.record_outcome(OutcomeRecord::from_execution(
        &a,
        std::slice::from_ref(&ex),
        &Ok(hive_ok("Tag(s) added successfully.")),
        Duration::from_millis(42),
    ))
    .unwrap();

    let update = cerego_update("84918", "gold, \"plus\"");
    let b = journal::new_id();
    assert_ne!(a, b);
    j.record_intent(&b, &update, None).unwrap();
    let err = ApiError::Http {
        status: 422,
        code: None,
        message: "value is invalid".into(),
        retry_after: None,
    };
    j.record_outcome(OutcomeRecord::from_execution(
        &b,
        &[],
        &Err(err.clone()),
        Duration::from_millis(7),
    ))
    .unwrap();

    let contents = journal::read(j.path()).unwrap();
    assert!(contents.problems.is_empty(), "{:?}", contents.problems);
    let ids: Vec<(&str, &str)> = contents
        .records
        .iter()
        .map(|r| match r {
            Record::Intent(i) => ("intent", i.id.as_str()),
            Record::Outcome(o) => ("outcome", o.id.as_str()),
            Record::Batch(b) => ("batch", b.batch_id.as_str()),
            Record::DryRun(d) => ("dry_run", d.batch_id.as_str()),
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("intent", a.as_str()),
            ("outcome", a.as_str()),
            ("intent", b.as_str()),
            ("outcome", b.as_str())
        ]
    );

    let entries = journal::entries(contents.records);
    assert_eq!(entries.len(), 2);
    let (first, second) = (&entries[0], &entries[1]);
    assert_eq!(first.intent.op, add);
    assert_eq!(
        first.intent.command,
        add.cli_command(&tagdesk::core::op::Place::of("work", false))
    );
    assert!(
        first
            .intent
            .command
            .starts_with("tagdesk --profile work hive add")
    );
    assert_eq!(first.intent.target, add.target());
    assert_eq!(first.intent.describe, add.describe());
    assert_eq!(first.intent.profile, "work");
    let request = first.intent.request.as_ref().unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.body.as_ref().unwrap()["api_fields"][0],
        serde_json::json!("vip")
    );
    let outcome = first.outcome.as_ref().unwrap();
    assert_eq!(outcome.result, OutcomeKind::Ok);
    assert_eq!(outcome.status, Some(200));
    assert_eq!(outcome.duration_ms, Some(42));
    assert_eq!(outcome.summary, "Tag(s) added successfully.");
    assert_eq!(
        outcome.response_body,
        Some(serde_json::json!({"message": "Tags added"}))
    );

    assert_eq!(
        second.intent.command,
        update.cli_command(&tagdesk::core::op::Place::of("work", false))
    );
    assert_eq!(second.result_label(), "http_error");
    assert_eq!(second.status(), Some(422));
    assert_eq!(second.summary(), "HTTP 422: value is invalid");
    assert_eq!(
        second.outcome.as_ref().unwrap().error,
        Some(journal::OutcomeError::Api(err))
    );

    // Reopening counts the records and finds nothing in flight.
    drop(j);
    let (_, report) = open(dir.path());
    assert!(report.is_clean());
    assert_eq!(report.records, 4);
    assert!(report.pending.is_empty());
}

#[test]
fn non_json_response_bodies_are_kept_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = open(dir.path());
    let ex = exchange("{}", 502, "<html>Bad Gateway</html>");
    j.record_intent("x", &hive_add("p", "vip"), None).unwrap();
    let err = ApiError::Http {
        status: 502,
        code: None,
        message: "Bad Gateway".into(),
        retry_after: None,
    };
    j.record_outcome(OutcomeRecord::from_execution(
        "x",
        &[ex],
        &Err(err),
        Duration::ZERO,
    ))
    .unwrap();
    let (entries, problems) = journal::recent(j.path(), 10).unwrap();
    assert!(problems.is_empty());
    assert_eq!(
        entries[0].outcome.as_ref().unwrap().response_body,
        Some(serde_json::json!("<html>Bad Gateway</html>"))
    );
}

#[cfg(unix)]
#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data").join("tagdesk");
    let (j, _) = open(&dir);
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(j.path()), 0o600);
    assert_eq!(j.path(), journal::file_for(&dir, "work"));

    // A journal left world-readable by something else is narrowed on open.
    drop(j);
    let path = journal::file_for(&dir, "work");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let _ = open(&dir);
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn secrets_never_reach_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = Journal::open(
        dir.path(),
        "work",
        vec![SECRET.to_string(), String::new(), "tok\"en\\2".to_string()],
    )
    .unwrap();
    assert!(!format!("{j:?}").contains(SECRET));

    // The operator pasted the key as a tag value; the server echoes it everywhere.
    let op = cerego_update("1", &format!("oops {SECRET}"));
    let body = format!(r#"{{"value":"oops {SECRET}","key":"tok\"en\\2"}}"#);
    let ex = Exchange {
        method: "PUT".into(),
        url: format!("http://h/v3/partner_user_tags/1?api_key={SECRET}"),
        request_body: Some(body),
        status: Some(401),
        response_body: Some(format!(r#"{{"{SECRET}": "bad key {SECRET}"}}"#)),
        duration_ms: 1,
    };
    j.record_intent("s1", &op, Some(RequestInfo::from_exchange(&ex)))
        .unwrap();
    let err = ApiError::Http {
        status: 401,
        code: Some("UNAUTHORIZED".into()),
        message: format!("key {SECRET} is not valid"),
        retry_after: None,
    };
    j.record_outcome(OutcomeRecord::from_execution(
        "s1",
        &[ex],
        &Err(err),
        Duration::from_millis(3),
    ))
    .unwrap();
    j.record_outcome(OutcomeRecord::refused("s2", &format!("no: {SECRET}")))
        .unwrap();
    // A response that is not JSON, with the secret split by nothing but text.
    j.record_outcome(OutcomeRecord::from_execution(
        "s3",
        &[exchange("x", 500, &format!("plain {SECRET} text"))],
        &Err(ApiError::Decode {
            status: 500,
            message: SECRET.into(),
        }),
        Duration::ZERO,
    ))
    .unwrap();

    let text = fs::read_to_string(j.path()).unwrap();
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains("en\\\\2"), "{text}");
    assert!(text.matches("[redacted]").count() >= 8, "{text}");

    // Everything still reads back, redacted.
    let contents = journal::read(j.path()).unwrap();
    assert_eq!(contents.records.len(), 4);
    let entries = journal::entries(contents.records);
    assert_eq!(
        entries[0].intent.command,
        "tagdesk --profile work cerego update 1 'oops [redacted]'"
    );
    for export in [
        journal::to_csv(&entries),
        journal::to_human(&entries),
        journal::to_json_lines(&entries),
    ] {
        assert!(!export.contains(SECRET));
    }
}

#[test]
fn a_torn_last_line_is_cut_and_reported_then_appends_are_clean() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_pairs(dir.path(), 2);
    let path = journal::file_for(dir.path(), "work");
    let torn = br#"{"kind":"intent","id":"id-9","time":"2026-"#;
    append_raw(&path, torn);

    let (mut j, report) = open(dir.path());
    let cut = report
        .torn_tail
        .as_deref()
        .expect("a torn tail is reported");
    assert!(cut.contains(&format!("{} bytes", torn.len())), "{cut}");
    assert!(cut.contains("line 5"), "{cut}");
    assert!(report.corrupt_lines.is_empty());
    assert_eq!(report.records, 4);
    assert_eq!(fs::read(&path).unwrap(), good);

    j.record_intent("id-new", &hive_add("p2", "beta"), None)
        .unwrap();
    let contents = journal::read(&path).unwrap();
    assert!(contents.problems.is_empty(), "{:?}", contents.problems);
    assert_eq!(contents.records.len(), 5);
    assert_eq!(contents.records[4].id(), "id-new");
}

#[test]
fn a_final_line_that_is_not_json_is_cut_too() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_pairs(dir.path(), 1);
    let path = journal::file_for(dir.path(), "work");
    append_raw(&path, b"{\"kind\":\"outc\0\0\0\n");

    let (mut j, report) = open(dir.path());
    let cut = report.torn_tail.expect("reported");
    assert!(cut.contains("17 bytes"), "{cut}");
    assert_eq!(fs::read(&path).unwrap(), good);
    j.record_outcome(OutcomeRecord::abandoned("id-0")).unwrap();
    assert!(journal::read(&path).unwrap().problems.is_empty());
}

#[test]
fn a_complete_record_missing_only_its_line_end_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut expected = write_pairs(dir.path(), 1);
    let path = journal::file_for(dir.path(), "work");
    // Drop the final newline: the record itself is whole.
    expected.pop();
    fs::write(&path, &expected).unwrap();

    let (mut j, report) = open(dir.path());
    assert!(report.newline_added);
    assert!(report.torn_tail.is_none());
    assert_eq!(report.records, 2);
    expected.push(b'\n');
    assert_eq!(fs::read(&path).unwrap(), expected);
    j.record_intent("next", &hive_add("p", "vip"), None)
        .unwrap();
    assert_eq!(journal::read(&path).unwrap().records.len(), 3);
}

#[test]
fn corruption_in_the_middle_is_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_pairs(dir.path(), 2);
    let path = journal::file_for(dir.path(), "work");
    // Lines 1-2 good, line 3 garbage, lines 4-5 good, line 6 a record of a future kind.
    let text = String::from_utf8(good).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut damaged = format!("{}\n{}\nthis is not a record\n", lines[0], lines[1]);
    damaged.push_str(&format!("{}\n{}\n", lines[2], lines[3]));
    damaged.push_str("{\"kind\":\"checkpoint\",\"id\":\"c1\"}\n");
    fs::write(&path, &damaged).unwrap();

    let (j, report) = open(dir.path());
    assert!(report.torn_tail.is_none());
    let numbers: Vec<journal::Spot> = report.corrupt_lines.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        numbers,
        [journal::Spot::Line(3), journal::Spot::Line(6)],
        "{:?}",
        report.corrupt_lines
    );
    assert!(report.corrupt_lines[0].1.contains("not JSON"));
    assert!(report.corrupt_lines[1].1.contains("not a journal record"));
    assert_eq!(report.records, 4);
    assert_eq!(report.warnings().len(), 2);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        damaged,
        "nothing edited"
    );

    let contents = journal::read(j.path()).unwrap();
    assert_eq!(contents.records.len(), 4);
    let numbers: Vec<usize> = contents.problems.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, [3, 6]);
}

#[test]
fn binary_garbage_and_invalid_utf8_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal::file_for(dir.path(), "work");
    let mut garbage: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    garbage.extend_from_slice(b"\n\xff\xfe{\"kind\":\"intent\"}\n\0\0\0\n\n");
    fs::write(&path, &garbage).unwrap();

    let contents = journal::read(&path).unwrap();
    assert!(contents.records.is_empty());
    assert!(
        contents
            .problems
            .iter()
            .any(|(_, r)| r.contains("not valid UTF-8"))
    );

    let (mut j, report) = open(dir.path());
    assert_eq!(report.records, 0);
    assert!(report.torn_tail.is_some(), "the empty last line is cut");
    assert!(!report.corrupt_lines.is_empty());
    j.record_intent("a", &hive_add("p", "vip"), None).unwrap();
    let contents = journal::read(&path).unwrap();
    assert_eq!(contents.records.len(), 1);
}

#[test]
fn a_missing_journal_reads_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let contents = journal::read(&dir.path().join("nope.jsonl")).unwrap();
    assert!(contents.records.is_empty() && contents.problems.is_empty());
}

#[test]
fn pending_and_abandoned_entries() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = open(dir.path());
    j.record_intent("done", &hive_add("p", "vip"), None)
        .unwrap();
    j.record_intent("lost", &hive_add("p", "beta"), None)
        .unwrap();
    j.record_intent("quit", &hive_add("p", "gamma"), None)
        .unwrap();
    j.record_outcome(OutcomeRecord::cancelled("done", "operator pressed Esc"))
        .unwrap();
    j.record_abandoned(["quit"]).unwrap();
    // An outcome nobody asked for is reported by read, and left out of entries.
    j.record_outcome(OutcomeRecord::abandoned("ghost")).unwrap();
    drop(j);

    let (_, report) = open(dir.path());
    assert_eq!(report.pending, ["lost"]);

    let contents = journal::read(&journal::file_for(dir.path(), "work")).unwrap();
    assert_eq!(contents.problems.len(), 1);
    assert_eq!(contents.problems[0].0, 6);
    assert!(contents.problems[0].1.contains("ghost"));
    let entries = journal::entries(contents.records);
    let labels: Vec<&str> = entries.iter().map(Entry::result_label).collect();
    assert_eq!(labels, ["cancelled", "pending", "abandoned"]);
    assert!(entries[1].is_pending());
    assert!(entries[1].summary().contains("outcome unknown"));
    assert!(entries[2].summary().contains("outcome unknown"));

    // A real answer beats an "abandoned" written around it at quit, in either order.
    let mut records = vec![Record::Intent(Box::new(IntentRecord::new(
        "r",
        "work",
        &hive_add("p", "vip"),
        None,
    )))];
    let ok = OutcomeRecord::from_execution("r", &[], &Ok(hive_ok("done")), Duration::ZERO);
    records.push(Record::Outcome(ok.clone()));
    records.push(Record::Outcome(OutcomeRecord::abandoned("r")));
    assert_eq!(journal::entries(records.clone())[0].result_label(), "ok");
    records.swap(1, 2);
    assert_eq!(journal::entries(records)[0].result_label(), "ok");

    let (recent, _) = journal::recent(&journal::file_for(dir.path(), "work"), 2).unwrap();
    let ids: Vec<&str> = recent.iter().map(Entry::id).collect();
    assert_eq!(ids, ["lost", "quit"]);
}

#[test]
fn parse_since_accepts_the_documented_forms() {
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    let at = |s: &str| journal::parse_since(s, now);
    let t = |y, mo, d, h, mi, s| Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
    assert_eq!(at("2026-11-22T10:00:00Z"), Ok(t(2026, 11, 22, 10, 0, 0)));
    assert_eq!(
        at("2026-11-22T10:00:00+02:00"),
        Ok(t(2026, 11, 22, 8, 0, 0))
    );
    assert_eq!(at("2026-11-21"), Ok(t(2026, 11, 21, 0, 0, 0)));
    assert_eq!(at("45s"), Ok(t(2026, 11, 22, 11, 59, 15)));
    assert_eq!(at("30m"), Ok(t(2026, 11, 22, 11, 30, 0)));
    assert_eq!(at(" 2h "), Ok(t(2026, 11, 22, 10, 0, 0)));
    assert_eq!(at("7d"), Ok(t(2026, 11, 15, 12, 0, 0)));
    for bad in [
        "",
        "yesterday",
        "2h30m",
        "-2h",
        "2 h",
        "h",
        "3y",
        "2026-13-01",
        "2026-11-22T25:00:00Z",
        "99999999999999999999d",
        "9999999999999d",
        "5é",
    ] {
        let err = at(bad).expect_err(bad);
        assert!(!err.is_empty());
    }
    assert!(at("soon").unwrap_err().contains("30m"));
}

fn entry(summary: &str, target_patron: &str) -> Entry {
    let time: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 5).unwrap();
    let op = hive_add(target_patron, "vip");
    let mut intent = IntentRecord::new("id-1", "work", &op, None);
    intent.time = time;
    let mut outcome =
        OutcomeRecord::from_execution("id-1", &[], &Ok(hive_ok(summary)), Duration::from_millis(5));
    outcome.time = time;
    Entry {
        intent,
        outcome: Some(outcome),
    }
}

#[test]
fn csv_quotes_commas_quotes_and_escapes_line_breaks() {
    // A line break inside a value is written escaped (\n): one record is one line, and a
    // CR from a server can never rewrite what a terminal shows.
    let e = entry("Added \"vip\", twice\nsecond line", "jane, doe");
    let csv = journal::to_csv(&[e]);
    assert_eq!(
        csv,
        "time,profile,service,operation,target,result,status,scenario,message_check,summary,command,id\r\n\
         2026-11-22T10:00:05.000Z,work,Hive,add,\"jane, doe\",ok,,,,\
         \"Added \"\"vip\"\", twice\\nsecond line\",\
         \"tagdesk --profile work hive add 'jane, doe' vip\",id-1\r\n"
    );
    assert_eq!(
        journal::to_csv(&[]),
        "time,profile,service,operation,target,result,status,scenario,message_check,summary,command,id\r\n"
    );
}

#[test]
fn human_and_json_exports() {
    let e = entry("Tag(s) added\u{1b}[2J", "user_abc123");
    let human = journal::to_human(std::slice::from_ref(&e));
    assert_eq!(
        human,
        // The journal id, what `tagdesk undo` takes, in its own column after the time.
        "2026-11-22 10:00:05Z  id-1                Hive    add      user_abc123  ok  Tag(s) added\\u{1b}[2J\n    \
         $ tagdesk --profile work hive add user_abc123 vip\n"
    );
    let json = journal::to_json_lines(&[e.clone(), e]);
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0]["command"],
        "tagdesk --profile work hive add user_abc123 vip"
    );
    assert_eq!(lines[0]["result"], "ok");
    assert_eq!(lines[0]["service"], "Hive");
    assert_eq!(lines[0]["outcome"]["duration_ms"], 5);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the file holds, opening it never panics, only ever changes its tail, and
    /// leaves a file that ends in a line end and to which a record appends cleanly.
    #[test]
    fn any_bytes_open_safely(
        prefix in 0usize..3,
        bytes in proptest::collection::vec(
            prop_oneof![Just(b'\n'), Just(b'{'), Just(b'"'), any::<u8>()], 0..400),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut content = if prefix > 0 { write_pairs(dir.path(), prefix) } else { Vec::new() };
        content.extend_from_slice(&bytes);
        let path = journal::file_for(dir.path(), "work");
        fs::write(&path, &content).unwrap();

        let before = journal::read(&path).unwrap();
        let (mut j, report) = open(dir.path());
        let after = fs::read(&path).unwrap();
        prop_assert!(after.is_empty() || after.ends_with(b"\n"));
        if report.newline_added {
            prop_assert_eq!(&after[..content.len()], &content[..]);
        } else {
            prop_assert!(content.starts_with(&after));
        }
        prop_assert_eq!(report.records, before.records.len());

        j.record_intent("fresh", &hive_add("p", "vip"), None).unwrap();
        let contents = journal::read(&path).unwrap();
        prop_assert_eq!(contents.records.last().map(Record::id), Some("fresh"));
        prop_assert_eq!(contents.records.len(), before.records.len() + 1);
    }
}

/// Item 17: rotation past a size; `stream` reads the rotated files and the active one in
/// order, pairing across them; `recent` reads backwards across them too.
#[test]
fn rotated_files_are_kept_and_read_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let options = journal::JournalOptions {
        demo: false,
        rotate_bytes: 1500,
    };
    let (mut j, _) = Journal::open_with(dir.path(), "work", vec![], options).unwrap();
    for i in 0..12 {
        let id = format!("r{i}");
        j.record_intent(&id, &hive_add("p", "vip"), None).unwrap();
        j.record_outcome(OutcomeRecord::cancelled(&id, "test"))
            .unwrap();
    }
    drop(j);
    let path = journal::file_for(dir.path(), "work");
    let files = journal::files_of(&path);
    assert!(files.len() >= 3, "{files:?}");
    for f in &files[..files.len() - 1] {
        assert!(fs::metadata(f).unwrap().len() >= 1500, "{}", f.display());
    }
    let mut ids = Vec::new();
    let report = journal::stream(&path, None, |e| {
        assert!(e.outcome.is_some(), "{} paired", e.id());
        ids.push(e.id().to_string());
        Ok(())
    })
    .unwrap();
    let expected: Vec<String> = (0..12).map(|i| format!("r{i}")).collect();
    assert_eq!(ids, expected);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let (recent, _) = journal::recent(&path, 5).unwrap();
    let ids: Vec<&str> = recent.iter().map(Entry::id).collect();
    assert_eq!(ids, ["r7", "r8", "r9", "r10", "r11"]);
}

/// Item 12: exports carry the Hive scenario and MATCH / MISMATCH.
#[test]
fn exports_carry_the_scenario_and_the_message_check() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = open(dir.path());
    let body = r#"{"message": "Successfully added tags to patron.", "patron_id": "p",
        "added_tag_ids": ["vip"], "pre_existing_tag_ids": [], "failed": []}"#;
    let odd = r#"{"message": "Tags added!", "patron_id": "p",
        "added_tag_ids": ["vip"], "pre_existing_tag_ids": [], "failed": []}"#;
    for (id, response) in [("m", body), ("x", odd)] {
        j.record_intent(id, &hive_add("p", "vip"), None).unwrap();
        let output =
            tagdesk::core::op::interpret(&hive_add("p", "vip"), 200, response.as_bytes()).unwrap();
        j.record_outcome(OutcomeRecord::from_execution(
            id,
            &[exchange("{}", 200, response)],
            &Ok(output),
            Duration::ZERO,
        ))
        .unwrap();
    }
    let entries = journal::entries(journal::read(j.path()).unwrap().records);
    let csv = journal::to_csv(&entries);
    assert!(csv.contains(",all tags added,MATCH,"), "{csv}");
    assert!(csv.contains(",all tags added,MISMATCH,"), "{csv}");
    let json: Vec<serde_json::Value> = journal::to_json_lines(&entries)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(json[0]["scenario"], "all tags added");
    assert_eq!(json[0]["message_check"], "MATCH");
    assert_eq!(json[1]["message_check"], "MISMATCH");
    assert_eq!(
        json[1]["documented_message"],
        "Successfully added tags to patron."
    );
    let human = journal::to_human(&entries);
    assert!(
        human.contains("scenario: all tags added · MATCH"),
        "{human}"
    );
    assert!(
        human.contains(
            "scenario: all tags added · MISMATCH (documented: \"Successfully added tags to patron.\")"
        ),
        "{human}"
    );
}

/// Item 17: opening a journal larger than the tail window reads only the window.
#[test]
fn a_large_journal_is_opened_from_its_tail() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal::file_for(dir.path(), "work");
    // 6 MiB of old, finished entries, then one open intent.
    let mut text = String::new();
    let (mut j, _) = open(dir.path());
    j.record_intent("first", &hive_add("p", "vip"), None)
        .unwrap();
    j.record_outcome(OutcomeRecord::cancelled("first", "x"))
        .unwrap();
    drop(j);
    let pair = fs::read_to_string(&path).unwrap();
    while text.len() < 6 << 20 {
        text.push_str(&pair);
    }
    fs::write(&path, &text).unwrap();
    let (mut j, _) = open(dir.path());
    j.record_intent("open", &hive_add("p", "vip"), None)
        .unwrap();
    drop(j);
    let (_, report) = open(dir.path());
    assert!(report.scanned_from > 0, "only the tail was read");
    assert!(
        report.scanned_from >= (text.len() as u64).saturating_sub(journal::TAIL_WINDOW_BYTES),
        "{}",
        report.scanned_from
    );
    assert_eq!(report.pending, ["open"]);
    assert!(report.is_clean(), "{:?}", report.warnings());
}

/// Issue 12: a command that sends one request looks at the last line only (whatever lies
/// before it), and still repairs a torn one.
#[test]
fn opening_to_append_reads_only_the_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let pair = write_pairs(dir.path(), 1);
    let path = journal::file_for(dir.path(), "work");
    append_raw(&path, b"not a record, in the middle\n");
    append_raw(&path, &pair);
    let good = fs::read(&path).unwrap();
    let options = journal::JournalOptions::default();
    let (_, report) =
        Journal::open_to_append(dir.path(), "work", vec![SECRET.to_string()], options).unwrap();
    assert!(
        report.is_clean(),
        "the middle is not read: {:?}",
        report.warnings()
    );
    assert_eq!(report.records, 1);
    assert!(report.scanned_from > 0);

    append_raw(&path, br#"{"kind":"intent","id":"id-9","ti"#);
    let (mut j, report) =
        Journal::open_to_append(dir.path(), "work", vec![SECRET.to_string()], options).unwrap();
    assert!(report.torn_tail.is_some(), "{:?}", report.warnings());
    assert_eq!(fs::read(&path).unwrap(), good);
    j.record_outcome(OutcomeRecord::abandoned("id-0")).unwrap();
    let contents = journal::read(&path).unwrap();
    assert_eq!(
        contents.problems.len(),
        1,
        "only the line in the middle: {:?}",
        contents.problems
    );
}

/// Issue 12: opening a journal while another tagdesk holds its lock (writing a record) does
/// not wait for it: the lock is taken only to repair or rotate.
#[test]
fn opening_does_not_wait_for_a_writer_holding_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    write_pairs(dir.path(), 3);
    let path = journal::file_for(dir.path(), "work");
    let holder = fs::File::open(&path).unwrap();
    holder.lock().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let d = dir.path().to_path_buf();
    std::thread::spawn(move || {
        let full = Journal::open(&d, "work", vec![]).map(|(_, r)| r.records);
        let last =
            Journal::open_to_append(&d, "work", vec![], Default::default()).map(|(_, r)| r.records);
        let _ = tx.send((full.ok(), last.ok()));
    });
    // Generous: only a wait for the lock (which is never released first) can miss it.
    let opened = rx.recv_timeout(Duration::from_secs(60));
    holder.unlock().unwrap();
    assert_eq!(
        opened.expect("opening waited for the lock"),
        (Some(6), Some(1))
    );
}
