use super::*;
use crate::core::domain::{ApiField, PatronId};
use crate::core::model::KnownTag;
use crate::core::op::hive::HiveOutcome;
use crate::core::op::scenario::HiveAction;
use crate::core::op::{ApiError, Op, Output};

fn patron(id: &str, tags: &[&str]) -> KnownPatron {
    KnownPatron {
        id: PatronId::parse(id).unwrap(),
        tags: tags
            .iter()
            .map(|t| KnownTag {
                api_field: (*t).into(),
                confirmed_at: None,
            })
            .collect(),
        note: "n".into(),
        confirmed_at: None,
        complete: false,
        absent: Vec::new(),
    }
}

fn changes(patrons: Vec<KnownPatron>) -> Workspace {
    Workspace {
        patrons,
        cerego_lookups: Vec::new(),
        extent: Extent::Changes,
    }
}

fn ids(w: &Workspace) -> Vec<&str> {
    w.patrons.iter().map(|p| p.id.as_str()).collect()
}

fn log_text(dir: &Path) -> String {
    std::fs::read_to_string(changes_file_for(dir, "p")).unwrap_or_default()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn hive_add(id: &str, fields: &str) -> Op {
    Op::HiveAdd {
        patron: PatronId::parse(id).unwrap(),
        fields: ApiField::parse_list(fields).unwrap(),
    }
}

fn added(id: &str, fields: &[&str]) -> Result<Output, ApiError> {
    Ok(Output::Hive(HiveOutcome {
        action: HiveAction::Add,
        message: Some("Successfully added tags to patron.".into()),
        patron_id: Some(id.into()),
        changed: fields.iter().map(|f| (*f).into()).collect(),
        unchanged: Vec::new(),
        failed: Vec::new(),
        missing_fields: Vec::new(),
        extra: Vec::new(),
        foreign_patron: None,
    }))
}

#[test]
fn round_trip_and_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let (w, warn) = load(dir.path(), "p");
    assert_eq!(w, Workspace::default());
    assert!(warn.is_none());
    let w = Workspace {
        patrons: vec![patron("user_1", &["vip"])],
        cerego_lookups: vec!["a@b.c".into()],
        extent: Extent::Whole,
    };
    save(dir.path(), "p", &w).unwrap();
    assert_eq!(load(dir.path(), "p").0, w);
    #[cfg(unix)]
    assert_eq!(mode(&file_for(dir.path(), "p")), 0o600);
    std::fs::write(file_for(dir.path(), "p"), b"{\"patrons\": [tru").unwrap();
    let (w2, warn) = load(dir.path(), "p");
    assert_eq!(w2, Workspace::default());
    let warn = warn.unwrap();
    assert!(
        warn.contains("damaged") && warn.contains("moved aside"),
        "{warn}"
    );
    assert!(!file_for(dir.path(), "p").exists());
    let aside = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().contains("corrupt"));
    assert!(aside);
}

#[test]
fn appended_changes_reload_as_the_state_they_describe() {
    let dir = tempfile::tempdir().unwrap();
    let whole = Workspace {
        patrons: vec![patron("a", &["vip"]), patron("b", &[])],
        cerego_lookups: vec!["x@y.z".into()],
        extent: Extent::Whole,
    };
    save(dir.path(), "p", &whole).unwrap();
    let snapshot = std::fs::read(file_for(dir.path(), "p")).unwrap();
    // b changes, c is new, then a reply about a, then new look-ups.
    save(
        dir.path(),
        "p",
        &changes(vec![patron("b", &["beta"]), patron("c", &["new"])]),
    )
    .unwrap();
    let at = Utc::now();
    let op = hive_add("a", "newsletter");
    let reply = Change::from_reply(&op, &added("a", &["newsletter"]), at).unwrap();
    append(
        dir.path(),
        "p",
        &[reply, Change::Lookups(vec!["q".into(), "x@y.z".into()])],
    )
    .unwrap();
    assert_eq!(
        std::fs::read(file_for(dir.path(), "p")).unwrap(),
        snapshot,
        "saving changes leaves the snapshot alone"
    );
    assert_eq!(log_text(dir.path()).lines().count(), 4);

    // What the same steps give in memory.
    let mut known = KnownState::with_patrons(whole.patrons.clone());
    known.hive.put(patron("b", &["beta"]));
    known.hive.put(patron("c", &["new"]));
    known.apply_result(&op, &added("a", &["newsletter"]), at);
    let (w, warn) = load(dir.path(), "p");
    assert!(warn.is_none(), "{warn:?}");
    assert_eq!(w.patrons, known.hive.into_patrons());
    assert_eq!(ids(&w), ["a", "b", "c"]);
    assert_eq!(w.cerego_lookups, ["q", "x@y.z"]);
}

#[test]
fn a_reply_that_teaches_nothing_is_not_a_change() {
    let at = Utc::now();
    let op = hive_add("a", "vip");
    let network = Err(ApiError::Network {
        message: "refused".into(),
        connect: true,
    });
    assert!(Change::from_reply(&op, &network, at).is_none());
    let invalid = Err(ApiError::Http {
        status: 400,
        code: Some("INVALID_PATRON".into()),
        message: "the server's words".into(),
        retry_after: None,
    });
    let remove = Op::HiveRemove {
        patron: PatronId::parse("a").unwrap(),
        fields: ApiField::parse_list("vip").unwrap(),
    };
    let Some(Change::Reply { answer, .. }) = Change::from_reply(&remove, &invalid, at) else {
        panic!("INVALID_PATRON on a remove says the patron has no tags");
    };
    assert_eq!(
        answer,
        Answer::Error(ApiError::Http {
            status: 400,
            code: Some("INVALID_PATRON".into()),
            message: String::new(),
            retry_after: None,
        }),
        "the server's message is not kept"
    );
}

/// Patrons with 40 tags each: about 1.5 KiB a line.
fn heavy(range: std::ops::Range<usize>) -> Vec<KnownPatron> {
    let tags: Vec<String> = (0..40).map(|i| format!("tag_{i:03}")).collect();
    let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
    range.map(|i| patron(&format!("p{i}"), &tags)).collect()
}

#[test]
fn a_load_folds_a_log_larger_than_the_snapshot_into_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = Workspace {
        patrons: vec![patron("a", &[])],
        ..Workspace::default()
    };
    save(dir.path(), "p", &first).unwrap();
    // A small log stays a log.
    save(dir.path(), "p", &changes(heavy(0..10))).unwrap();
    let (w, _) = load(dir.path(), "p");
    assert_eq!(w.patrons.len(), 11);
    assert!(!log_text(dir.path()).is_empty(), "under COMPACT_MIN_BYTES");
    // Past COMPACT_MIN_BYTES and the snapshot's size: folded in by the next load.
    save(dir.path(), "p", &changes(heavy(0..1_000))).unwrap();
    assert!(log_text(dir.path()).len() as u64 > COMPACT_MIN_BYTES);
    let (w, warn) = load(dir.path(), "p");
    assert!(warn.is_none(), "{warn:?}");
    assert!(log_text(dir.path()).is_empty(), "folded into the snapshot");
    assert_eq!(w.patrons.len(), 1_001);
    assert_eq!(w.patrons[0].id.as_str(), "a");
    assert!(w.patrons.iter().skip(1).all(|p| p.tags.len() == 40));
    assert_eq!(
        load(dir.path(), "p"),
        (w, None),
        "the same from the snapshot alone"
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&file_for(dir.path(), "p")), 0o600);
        assert_eq!(mode(&changes_file_for(dir.path(), "p")), 0o600);
    }
}

#[test]
fn an_append_past_the_limit_folds_the_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let limit = 64 * 1024;
    let mut n = 0;
    while log_text(dir.path()).len() as u64 <= limit / 2 {
        let batch: Vec<Change> = heavy(n..n + 5).into_iter().map(Change::Patron).collect();
        append_compacting_past(dir.path(), "p", &batch, limit).unwrap();
        n += 5;
    }
    assert!(!file_for(dir.path(), "p").exists(), "not yet");
    loop {
        let batch: Vec<Change> = heavy(n..n + 5).into_iter().map(Change::Patron).collect();
        append_compacting_past(dir.path(), "p", &batch, limit).unwrap();
        n += 5;
        if log_text(dir.path()).is_empty() {
            break;
        }
        assert!(
            log_text(dir.path()).len() as u64 <= limit,
            "never past the limit"
        );
    }
    let (w, warn) = load(dir.path(), "p");
    assert!(warn.is_none(), "{warn:?}");
    assert_eq!(w.patrons.len(), n);
}

#[test]
fn a_torn_last_line_is_dropped_then_cut_before_the_next_append() {
    let dir = tempfile::tempdir().unwrap();
    save(dir.path(), "p", &changes(vec![patron("a", &["vip"])])).unwrap();
    let path = changes_file_for(dir.path(), "p");
    let good = log_text(dir.path());
    let mut torn = good.clone();
    torn.push_str("{\"patron\":{\"id\":\"b\",\"ta");
    std::fs::write(&path, &torn).unwrap();
    // A command appends after the crash: the half line goes first.
    append(dir.path(), "p", &[Change::Patron(patron("c", &[]))]).unwrap();
    let text = log_text(dir.path());
    assert!(text.starts_with(&good) && !text.contains("\"ta{"), "{text}");
    assert_eq!(ids(&load(dir.path(), "p").0), ["a", "c"]);

    // Loading with a torn tail: the change is dropped, said so, and the log compacted.
    std::fs::write(&path, &torn).unwrap();
    let (w, warn) = load(dir.path(), "p");
    assert_eq!(ids(&w), ["a"]);
    let warn = warn.expect("reported");
    assert!(warn.contains("incomplete write"), "{warn}");
    assert!(log_text(dir.path()).is_empty(), "folded into the snapshot");
    assert_eq!(load(dir.path(), "p"), (w, None));
}

#[test]
fn damaged_lines_are_skipped_reported_and_kept_in_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    save(dir.path(), "p", &changes(vec![patron("a", &[])])).unwrap();
    let path = changes_file_for(dir.path(), "p");
    let mut text = log_text(dir.path());
    text.push_str("not json at all\n\u{0}\u{1}binary\n{\"from_the_future\":1}\n");
    std::fs::write(&path, text.as_bytes()).unwrap();
    save(dir.path(), "p", &changes(vec![patron("b", &[])])).unwrap();
    let (w, warn) = load(dir.path(), "p");
    assert_eq!(ids(&w), ["a", "b"], "the good lines around them count");
    let warn = warn.expect("reported");
    assert!(warn.contains("3 damaged lines skipped (line 2:"), "{warn}");
    assert!(warn.contains("a copy of the change log was kept"), "{warn}");
    let copy = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .contains("changes.jsonl.corrupt-")
        })
        .expect("a copy");
    assert!(
        std::fs::read_to_string(copy.path())
            .unwrap()
            .contains("from_the_future")
    );
    assert_eq!(load(dir.path(), "p"), (w, None), "reported once");
}

#[test]
fn a_workspace_of_the_old_format_loads_and_takes_changes() {
    let dir = tempfile::tempdir().unwrap();
    // As tagdesk wrote it before the change log: pretty JSON, the whole workspace.
    let old = r#"{
  "patrons": [
    {
      "id": "user_1",
      "tags": [
        {
          "api_field": "vip",
          "confirmed_at": "2026-03-14T12:00:00Z"
        }
      ],
      "note": "last add confirmed by Hive",
      "confirmed_at": "2026-03-14T12:00:00Z",
      "complete": false
    }
  ],
  "cerego_lookups": [
    "ada@example.com"
  ]
}"#;
    std::fs::write(file_for(dir.path(), "p"), old).unwrap();
    let (w, warn) = load(dir.path(), "p");
    assert!(warn.is_none(), "{warn:?}");
    assert_eq!(ids(&w), ["user_1"]);
    assert_eq!(w.patrons[0].tags[0].api_field, "vip");
    assert_eq!(w.cerego_lookups, ["ada@example.com"]);
    let at = Utc::now();
    let op = hive_add("user_1", "beta");
    append(
        dir.path(),
        "p",
        &[Change::from_reply(&op, &added("user_1", &["beta"]), at).unwrap()],
    )
    .unwrap();
    let (w, _) = load(dir.path(), "p");
    let tags: Vec<&str> = w.patrons[0]
        .tags
        .iter()
        .map(|t| t.api_field.as_str())
        .collect();
    assert_eq!(tags, ["vip", "beta"]);
}

#[cfg(unix)]
#[test]
fn both_files_are_private_even_when_they_existed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let log = changes_file_for(dir.path(), "p");
    std::fs::write(&log, "").unwrap();
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
    save(dir.path(), "p", &changes(vec![patron("a", &[])])).unwrap();
    assert_eq!(mode(&log), 0o600);
    save(dir.path(), "p", &Workspace::default()).unwrap();
    assert_eq!(mode(&file_for(dir.path(), "p")), 0o600);
}

#[test]
fn what_is_not_a_file_is_refused_never_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(changes_file_for(dir.path(), "p")).unwrap();
    assert!(save(dir.path(), "p", &changes(vec![patron("a", &[])])).is_err());
    let (w, warn) = load(dir.path(), "p");
    assert_eq!(w, Workspace::default());
    let warn = warn.expect("reported");
    assert!(warn.contains("not a regular file"), "{warn}");
}

#[test]
fn concurrent_appends_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|s| {
        for t in 0..8 {
            let dir = dir.path();
            s.spawn(move || {
                for i in 0..25 {
                    let p = patron(&format!("t{t}_{i}"), &["vip"]);
                    save(dir, "p", &changes(vec![p])).unwrap();
                }
            });
        }
    });
    assert_eq!(load(dir.path(), "p").0.patrons.len(), 200);
}

#[test]
fn a_snapshot_is_written_compact_and_private_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = changes(vec![patron("a", &["one", "two"]), patron("b", &[])]);
    w.extent = Extent::Whole;
    w.cerego_lookups = vec!["ada@example.com".into()];
    save(dir.path(), "p", &w).unwrap();
    let text = std::fs::read_to_string(file_for(dir.path(), "p")).unwrap();
    assert_eq!(text.lines().count(), 1, "compact: {text}");
    assert!(!text.contains("  "), "no indentation: {text}");
    #[cfg(unix)]
    assert_eq!(mode(&file_for(dir.path(), "p")), 0o600);
    let (back, warn) = load(dir.path(), "p");
    assert!(warn.is_none(), "{warn:?}");
    assert_eq!(back.patrons, w.patrons);
    assert_eq!(back.cerego_lookups, w.cerego_lookups);
}

#[test]
fn a_saver_that_loads_hands_the_workspace_over_then_writes_what_was_asked_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let mut whole = changes(vec![patron("a", &["one"])]);
    whole.extent = Extent::Whole;
    whole.cerego_lookups = vec!["old".into()];
    save(dir.path(), "p", &whole).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let saver = Saver::start_loading(
            dir.path().to_path_buf(),
            "p".into(),
            Redactor::default(),
            Box::new(move |w, problem| {
                let _ = tx.send((w, problem));
            }),
        );
        // Asked before the load is handed over: written after it, never lost.
        let mut w = changes(vec![patron("b", &["two"])]);
        w.cerego_lookups = vec!["old".into()];
        saver.save(w);
    }
    let (loaded, problem) = rx.recv().unwrap();
    assert!(problem.is_none(), "{problem:?}");
    assert_eq!(
        ids(&loaded),
        ["a"],
        "the workspace as it was before this run's saves"
    );
    let text = log_text(dir.path());
    assert_eq!(text.lines().count(), 1, "the patron only: {text}");
    assert!(
        !text.contains("lookups"),
        "the look-ups did not change: {text}"
    );
    let (w, _) = load(dir.path(), "p");
    assert_eq!(ids(&w), ["a", "b"]);
}

#[test]
fn the_saver_writes_in_order_and_look_ups_only_when_they_change() {
    let dir = tempfile::tempdir().unwrap();
    {
        let saver = Saver::start(dir.path().to_path_buf(), "p".into(), vec!["old".into()]);
        let mut w = changes(vec![patron("a", &["one"])]);
        w.cerego_lookups = vec!["old".into()];
        saver.save(w.clone());
        w.patrons = vec![patron("a", &["two"])];
        saver.save(w.clone());
        w.patrons = Vec::new();
        w.cerego_lookups = vec!["new".into(), "old".into()];
        saver.save(w);
    }
    let text = log_text(dir.path());
    assert_eq!(text.lines().count(), 3, "{text}");
    assert_eq!(text.matches("lookups").count(), 1, "{text}");
    let (w, _) = load(dir.path(), "p");
    assert_eq!(w.patrons[0].tags[0].api_field, "two");
    assert_eq!(w.cerego_lookups, ["new", "old"]);
}

#[test]
fn a_whole_save_replaces_every_patron() {
    let dir = tempfile::tempdir().unwrap();
    save(
        dir.path(),
        "p",
        &changes(vec![patron("a", &[]), patron("b", &[])]),
    )
    .unwrap();
    save(
        dir.path(),
        "p",
        &Workspace {
            patrons: vec![patron("c", &[])],
            ..Workspace::default()
        },
    )
    .unwrap();
    assert!(log_text(dir.path()).is_empty());
    assert_eq!(ids(&load(dir.path(), "p").0), ["c"]);
}
