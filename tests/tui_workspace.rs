//! The console's first frame does not wait for the saved workspace (issue 20, item 3): the
//! known Hive patrons arrive as a message after it, and until then nothing acts on an empty
//! view as if it were the truth; what this run learned meanwhile is kept and saved on top of
//! the saved patrons.

mod support;

use chrono::{TimeZone, Utc};
use ratatui::crossterm::event::KeyCode;
use support::Harness;
use tagdesk::core::domain::PatronId;
use tagdesk::core::model::{KnownPatron, KnownTag};
use tagdesk::core::op::{ApiField, Op};
use tagdesk::engine::backend::Request;
use tagdesk::engine::journal::{Entry, IntentRecord, OutcomeRecord};
use tagdesk::engine::workspace::{Extent, Workspace};
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::{Message, Pane};
use tagdesk::tui::popups::Popup;

/// The console as it starts on a profile with a saved workspace: no patrons yet, the
/// workspace still being read.
fn starting() -> Harness {
    let mut h = Harness::with_settings(Seed::demo(), 120, 40, |s| {
        s.patrons = Vec::new();
        s.patrons_loading = true;
        s.persist = true;
    });
    h.reply_all();
    h
}

fn saved_patron(id: &str, tags: &[&str]) -> KnownPatron {
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).single();
    KnownPatron {
        id: PatronId::parse(id).expect("id"),
        tags: tags
            .iter()
            .map(|t| KnownTag {
                api_field: t.to_string(),
                confirmed_at: at,
            })
            .collect(),
        note: "last add confirmed by Hive".into(),
        confirmed_at: at,
        complete: true,
        absent: Vec::new(),
    }
}

fn loaded(patrons: Vec<KnownPatron>, lookups: &[&str]) -> Message {
    Message::WorkspaceLoaded {
        workspace: Box::new(Workspace {
            patrons,
            cerego_lookups: lookups.iter().map(|l| l.to_string()).collect(),
            extent: Extent::Whole,
        }),
        problem: None,
    }
}

fn status(h: &Harness) -> String {
    h.app.status.clone().map(|(_, t)| t).unwrap_or_default()
}

#[test]
fn the_first_frame_shows_the_patrons_loading_and_they_appear_when_they_arrive() {
    let mut h = starting();
    h.key(KeyCode::Char('2'));
    let screen = h.screen();
    assert!(screen.contains("loading known patrons…"), "{screen}");
    assert!(screen.contains("Loading the known patrons…"), "{screen}");
    assert!(
        h.saved.is_none(),
        "nothing is saved before the workspace is in"
    );
    h.send(loaded(
        vec![
            saved_patron("alice_1", &["vip"]),
            saved_patron("bob_2", &["vip", "newsletter"]),
        ],
        &[],
    ));
    assert!(!h.app.patrons_loading());
    let screen = h.screen();
    assert!(screen.contains("2 known"), "{screen}");
    assert!(
        screen.contains("alice_1") && screen.contains("bob_2"),
        "{screen}"
    );
    assert!(!screen.contains("loading known patrons"), "{screen}");
}

#[test]
fn hive_actions_wait_for_the_known_patrons_instead_of_acting_on_an_empty_view() {
    let mut h = starting();
    h.key(KeyCode::Char('2'));
    for key in ['a', 'o', 'I'] {
        h.type_text(&key.to_string());
        assert!(h.app.popup.is_none(), "{key} opens nothing yet");
        assert!(
            status(&h).contains("Loading the known Hive patrons"),
            "{key}: {}",
            status(&h)
        );
    }
    assert!(h.pending.is_empty(), "nothing sent");
    h.send(loaded(vec![saved_patron("alice_1", &["vip"])], &[]));
    h.key(KeyCode::Char('a'));
    assert!(
        matches!(h.app.popup, Some(Popup::Form(_))),
        "once they are in, the add form opens"
    );
}

/// An earlier run's Hive add, as the journal holds it.
fn journaled_add(h: &mut Harness, patron: &str, fields: &str) -> Entry {
    let op = Op::HiveAdd {
        patron: PatronId::parse(patron).expect("patron"),
        fields: ApiField::parse_list(fields).expect("fields"),
    };
    let reply = h.answer(&Request {
        id: 999,
        op: op.clone(),
        journal_id: String::new(),
        prior: None,
    });
    let intent = IntentRecord::new("old-add", "demo", &op, None);
    let outcome = OutcomeRecord::from_execution(
        "old-add",
        &reply.exchanges,
        &reply.result,
        std::time::Duration::from_millis(40),
    );
    Entry {
        intent,
        outcome: Some(outcome),
    }
}

#[test]
fn a_hive_write_made_before_the_patrons_arrive_is_kept_on_top_of_them() {
    let mut h = starting();
    let old = journaled_add(&mut h, "user_abc123", "vip");
    h.app.load_history(vec![old]);
    h.key(KeyCode::Char('2'));
    while h.app.focus != Pane::Log {
        h.key(KeyCode::Tab);
    }
    // The earlier run's add (above this run's listing), sent again from the inspector
    // before the workspace is in.
    h.key(KeyCode::Up);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('y'));
    assert_eq!(h.pending.len(), 1, "{}", status(&h));
    h.reply_all();
    assert!(h.saved.is_none(), "a partial view is never saved");
    // The saved workspace knew the patron with another tag, and another patron.
    h.send(loaded(
        vec![
            saved_patron("user_abc123", &["newsletter"]),
            saved_patron("bob_2", &["vip"]),
        ],
        &[],
    ));
    let p = h
        .app
        .known
        .hive
        .get(&PatronId::parse("user_abc123").unwrap())
        .expect("known")
        .clone();
    assert!(
        p.has("vip") && p.has("newsletter"),
        "the saved tag and the one confirmed this run: {p:?}"
    );
    assert_eq!(h.app.known.hive.len(), 2);
    let saved = h.saved.clone().expect("saved once the workspace is in");
    assert_eq!(saved.extent, Extent::Changes);
    assert_eq!(saved.patrons.len(), 1, "only what this run changed");
    assert!(saved.patrons[0].has("vip") && saved.patrons[0].has("newsletter"));
}

#[test]
fn a_look_up_made_before_the_workspace_arrives_is_kept_first() {
    let mut h = starting();
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('f'));
    // A look-up that finds someone (only those are kept as recent).
    h.type_text("ada.lovelace@example.edu");
    h.key(KeyCode::Enter);
    h.reply_all();
    assert_eq!(h.app.settings.lookups, vec!["ada.lovelace@example.edu"]);
    assert!(h.saved.is_none(), "the saved look-ups are not overwritten");
    h.send(loaded(
        Vec::new(),
        &["older@example.edu", "ada.lovelace@example.edu"],
    ));
    assert_eq!(
        h.app.settings.lookups,
        vec!["ada.lovelace@example.edu", "older@example.edu"]
    );
    let saved = h.saved.clone().expect("saved");
    assert_eq!(
        saved.cerego_lookups,
        vec!["ada.lovelace@example.edu", "older@example.edu"]
    );
}

#[test]
fn a_resume_offer_waits_for_the_known_patrons_then_predicts_from_them() {
    let mut h = starting();
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
    h.app
        .offer_resume(saved, vec![0, 1], [(1, "abandoned".to_string())].into());
    assert!(
        h.app.popup.is_none(),
        "no preview predicted from an empty view"
    );
    h.send(loaded(vec![saved_patron("user_def456", &["vip"])], &[]));
    let screen = h.screen();
    assert!(screen.contains("This batch was interrupted"), "{screen}");
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("the offer is shown once the patrons are in")
    };
    assert_eq!(p.todo, vec![0, 1]);
}
