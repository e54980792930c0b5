//! The console's words and forms (issue 21 §4): `e` edits the tag the operator chose (or
//! asks which) and its form moves between the user's tags; forms open without an error;
//! only a look-up that found someone is recalled; batches and requests are said in words
//! (no `cerego_import`, no bare `undo of ID`, no `cerego_update` on an unchanged row, no
//! line `-`), with counted words in good English.

mod support;

use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use support::*;
use tagdesk::core::op::{Op, Service};
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::{Message, Pane};
use tagdesk::tui::popups::{FormKind, Popup};

/// The form open now: its kind and its field.
fn form(h: &Harness) -> (FormKind, String) {
    match &h.app.popup {
        Some(Popup::Form(f)) => (f.kind.clone(), f.input.value().to_string()),
        other => panic!("a form is open, not {other:?}"),
    }
}

/// The tag the open edit form edits: its type name and the value it had.
fn editing(h: &Harness) -> (String, String) {
    match form(h).0 {
        FormKind::CeregoEdit {
            type_name,
            old_value,
            ..
        } => (type_name, old_value),
        other => panic!("the edit form, not {other:?}"),
    }
}

// Ada Lovelace, the demo's first user, has Plan=Gold and Region=EMEA.

#[test]
fn e_on_a_user_with_several_tags_and_none_chosen_asks_which() {
    let mut h = Harness::demo(100, 30);
    assert_eq!(h.app.focus, Pane::List);
    h.key(KeyCode::Char('e'));
    assert!(
        matches!(h.app.popup, Some(Popup::ChooseTag(_))),
        "a chooser, not the first tag's edit: {:?}",
        h.app.popup
    );
    let screen = h.screen();
    assert!(
        screen.contains("Edit which tag of Ada Lovelace?"),
        "{screen}"
    );
    assert!(screen.contains("▶ Plan=Gold"), "{screen}");
    assert!(screen.contains("Region=EMEA"), "{screen}");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert_eq!(editing(&h), ("Region".into(), "EMEA".into()));
    assert_eq!(form(&h).1, "EMEA", "the field holds the chosen tag's value");
    // Esc in the chooser sends nothing and leaves no popup.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('e'));
    h.key(KeyCode::Esc);
    assert!(h.app.popup.is_none());
    assert!(h.pending.is_empty());
}

#[test]
fn e_edits_the_tag_chosen_in_the_tags_pane_even_from_the_user_list() {
    let mut h = Harness::demo(100, 30);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Pane::Tags);
    h.key(KeyCode::Down);
    h.key(KeyCode::Char('e'));
    assert_eq!(editing(&h).0, "Region", "the tag under the cursor");
    h.key(KeyCode::Esc);
    // Back in the user list, the choice made on this user still holds.
    h.key_mod(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(h.app.focus, Pane::List);
    h.key(KeyCode::Char('e'));
    assert_eq!(editing(&h).0, "Region");
    h.key(KeyCode::Esc);
    // Another user: no tag of theirs was chosen, so it asks again.
    h.key(KeyCode::Down);
    h.key(KeyCode::Up);
    h.key(KeyCode::Char('e'));
    assert!(matches!(h.app.popup, Some(Popup::ChooseTag(_))));
}

#[test]
fn e_on_a_user_with_one_tag_edits_it_and_with_none_says_how_to_add() {
    let mut seed = Seed::demo();
    let first = seed.cerego.users[0].tags.pop_first().expect("Ada has tags");
    seed.cerego.users[0].tags = [first].into_iter().collect();
    seed.cerego.users[1].tags.clear();
    let mut h = Harness::with_seed(seed, 100, 30);
    h.reply_all();
    h.key(KeyCode::Char('e'));
    assert_eq!(editing(&h).0, "Plan", "her only tag, without asking");
    h.key(KeyCode::Esc);
    h.key(KeyCode::Down);
    h.key(KeyCode::Char('e'));
    assert!(h.app.popup.is_none());
    let status = h.app.status.clone().expect("a status").1;
    assert_eq!(
        status,
        "No tag to edit: Grace Hopper has none yet — press a to add one."
    );
}

#[test]
fn the_edit_form_moves_between_the_users_tags() {
    let mut h = Harness::demo(100, 30);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('e'));
    assert_eq!(editing(&h).0, "Plan");
    let screen = h.screen();
    assert!(screen.contains("◀ Plan · tag 84001 ▶"), "{screen}");
    assert!(screen.contains("1 of 2; ↑/↓ another tag"), "{screen}");
    h.type_text("X");
    h.key(KeyCode::Down);
    assert_eq!(editing(&h), ("Region".into(), "EMEA".into()));
    assert_eq!(
        form(&h).1,
        "EMEA",
        "each tag's edit starts from its own value"
    );
    h.key(KeyCode::Tab);
    assert_eq!(editing(&h).0, "Plan", "Tab moves too, and wraps");
    h.key_mod(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(editing(&h).0, "Region");
    h.key(KeyCode::Up);
    assert_eq!(editing(&h).0, "Plan");
    // The edit sent is the tag the form shows now.
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("Platinum");
    h.key(KeyCode::Enter);
    match &h.pending.last().expect("an update").op {
        Op::CeregoUpdate { tag, value } => {
            assert_eq!((tag.as_str(), value.as_str()), ("84001", "Platinum"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn forms_open_without_an_error_shown() {
    let mut h = Harness::demo(100, 30);
    let opened = |h: &mut Harness, keys: &[char]| {
        for k in keys {
            h.key(KeyCode::Char(*k));
        }
        let screen = h.screen();
        let Some(Popup::Form(f)) = &h.app.popup else {
            panic!("a form opens:\n{screen}");
        };
        assert_eq!(f.error, None, "{screen}");
        assert!(!screen.contains('✗'), "{screen}");
        h.key(KeyCode::Esc);
    };
    opened(&mut h, &['a']);
    opened(&mut h, &['f']);
    opened(&mut h, &['I']);
    opened(&mut h, &['2', 'a']);
    opened(&mut h, &['o']);
    // Enter on the empty field says why it refuses; so does an edit that empties it.
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("✗ api_fields"), "{}", h.screen());
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('a'));
    h.type_text("v");
    h.key(KeyCode::Backspace);
    assert!(h.screen().contains("give at least one api_field"));
}

#[test]
fn only_a_look_up_that_found_someone_is_kept_as_recent() {
    let mut h = Harness::with_settings(Seed::demo(), 100, 30, |s| s.persist = true);
    h.reply_all();
    h.saved = None;
    let look_up = |h: &mut Harness, query: &str| {
        h.key(KeyCode::Char('f'));
        h.type_text(query);
        h.key(KeyCode::Enter);
    };
    // The server fails: not kept.
    look_up(&mut h, "ada.lovelace@example.edu");
    let request = h.pending.remove(0);
    h.send(Message::Reply(Box::new(reply_with(
        &request,
        500,
        b"{}",
        t0(),
    ))));
    assert!(h.app.settings.lookups.is_empty(), "a failed look-up");
    assert!(h.saved.is_none(), "nothing saved for it");
    // Nobody matches: not kept either.
    look_up(&mut h, "nobody@example.edu");
    h.reply_all();
    assert!(
        h.app.settings.lookups.is_empty(),
        "a look-up that found no one"
    );
    // Found: kept, first, and saved.
    look_up(&mut h, "ada.lovelace@example.edu");
    h.reply_all();
    assert_eq!(h.app.settings.lookups, ["ada.lovelace@example.edu"]);
    let saved = h.saved.clone().expect("the workspace is saved");
    assert_eq!(saved.cerego_lookups, ["ada.lovelace@example.edu"]);
}

/// The demo console with `people.csv` read for a Cerego import: Ada's Plan to Silver,
/// Grace's Plan already Gold, Alan's Cohort to Spring.
fn cerego_import(h: &mut Harness) {
    h.key(KeyCode::Char('I'));
    h.type_text("people.csv");
    h.key(KeyCode::Enter);
    let file = "user_id,tag_type_id,value\n1185304,5,Silver\n1185310,5,Gold\n1185317,3,Spring\n";
    h.send(Message::ImportRead {
        path: "data/people.csv".into(),
        service: Service::Cerego,
        result: Ok(Arc::new(file.as_bytes().to_vec())),
    });
}

#[test]
fn a_batch_and_its_undo_are_said_in_words() {
    let mut h = Harness::demo(120, 32);
    h.app.id_prefix = Some("batch".into());
    cerego_import(&mut h);
    let screen = h.screen();
    for internal in [
        "cerego_import",
        "cerego_update",
        "1 data rows",
        "1 warnings",
    ] {
        assert!(!screen.contains(internal), "{internal}:\n{screen}");
    }
    assert!(
        screen.contains("Preview · Cerego set · data/people.csv"),
        "{screen}"
    );
    assert!(screen.contains("Cerego update"), "{screen}");
    assert!(
        screen.contains("Grace Hopper (user 1185310) nothing to send"),
        "an unchanged row sends nothing, and says so:\n{screen}"
    );
    h.key(KeyCode::Enter);
    h.run_batch(None);
    let screen = h.screen();
    assert!(
        screen.contains("· Cerego set · import people.csv · 2 requests"),
        "{screen}"
    );
    assert!(!screen.contains("cerego_"), "{screen}");
    let status = h.app.status.clone().expect("a status").1;
    assert!(status.contains("(import people.csv): done 2/2"), "{status}");
    h.key(KeyCode::Esc);
    // A Hive import, undone from its window: the undo says what it undoes.
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('I'));
    h.type_text("patrons.csv");
    h.key(KeyCode::Enter);
    h.send(Message::ImportRead {
        path: "in/patrons.csv".into(),
        service: Service::Hive,
        result: Ok(Arc::new(b"user_abc123,vip\nuser_def456,vip\n".to_vec())),
    });
    h.key(KeyCode::Enter);
    h.run_batch(None);
    h.key(KeyCode::Char('u'));
    let screen = h.screen();
    assert!(
        screen.contains("Preview · undo of import patrons.csv (2 rows, 12:00)"),
        "{screen}"
    );
    assert!(!screen.contains("undo of batch-"), "{screen}");
    h.key(KeyCode::Enter);
    h.run_batch(None);
    let screen = h.screen();
    assert!(
        screen.contains("Batch batch-") && screen.contains("· undo of import patrons.csv (2 rows"),
        "{screen}"
    );
    h.key(KeyCode::Esc);
    // The batches view and the action log say the same in words.
    h.key(KeyCode::Char('B'));
    let screen = h.screen();
    assert!(screen.contains("undo of import patrons.csv"), "{screen}");
    assert!(screen.contains("Cerego set"), "{screen}");
    assert!(screen.contains("people.csv"), "{screen}");
    assert!(
        !screen.contains("cerego_import") && !screen.contains("hive_add"),
        "{screen}"
    );
    h.key(KeyCode::Esc);
    let screen = h.screen();
    assert!(screen.contains("2 × set"), "{screen}");
    assert!(screen.contains("2 × add"), "{screen}");
    assert!(screen.contains("2 × undo"), "{screen}");
}

#[test]
fn marked_rows_have_no_line_dash_and_one_is_counted_in_the_singular() {
    let mut h = Harness::demo(120, 32);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('a'));
    let screen = h.screen();
    assert!(
        screen.contains("Add Hive tags to 1 marked patron "),
        "{screen}"
    );
    h.type_text("vip");
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(
        screen.contains("Preview · Hive add · marked patrons"),
        "{screen}"
    );
    assert!(screen.contains("1 request · "), "{screen}");
    assert!(screen.contains("· 1 data row ·"), "{screen}");
    assert!(!screen.contains("hive_add"), "{screen}");
    assert!(
        !screen
            .lines()
            .any(|l| l.contains("│-  ") || l.contains("│ -  ")),
        "{screen}"
    );
}

/// The demo console on the given family of Cerego tag endpoints (and a `confirm` profile
/// when asked), with Alan Turing — Cohort "Spring 2026" — selected.
fn on_alan(api: tagdesk::core::domain::TagsApi, confirm: bool) -> Harness {
    let mut h = Harness::with_settings(Seed::demo(), 160, 36, |s| {
        if let Some(c) = s.cerego.as_mut() {
            c.tags_api = api;
        }
        s.policy.confirm = confirm;
    });
    h.reply_all();
    h.key(KeyCode::Char('/'));
    h.type_text("Alan Turing");
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("Tags · Alan Turing"), "{}", h.screen());
    h
}

/// Edits Alan's Cohort to "Fall 2026" from the tags pane.
fn edit_cohort(h: &mut Harness) {
    h.key(KeyCode::Tab);
    for _ in 0..6 {
        if editing_type(h) == "Cohort" {
            break;
        }
        h.key(KeyCode::Esc);
        h.key(KeyCode::Down);
    }
    assert_eq!(editing(h).0, "Cohort", "Alan has a Cohort tag");
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("Fall 2026");
    h.key(KeyCode::Enter);
}

/// Opens the edit of the tag under the tags pane's cursor and says its type.
fn editing_type(h: &mut Harness) -> String {
    h.key(KeyCode::Char('e'));
    editing(h).0
}

/// The action log's line holding `text`, if any.
fn log_line(h: &mut Harness, text: &str) -> Option<String> {
    let screen = h.screen();
    let start = screen.lines().position(|l| l.contains("Action log"))?;
    screen
        .lines()
        .skip(start)
        .find(|l| l.contains(text))
        .map(str::to_string)
}

#[test]
fn a_cerego_change_is_logged_in_the_words_of_the_change_and_its_undo_says_what_it_restored() {
    use tagdesk::core::domain::TagsApi;
    for api in [TagsApi::Set, TagsApi::Legacy] {
        let mut h = on_alan(api, false);
        edit_cohort(&mut h);
        h.reply_all();
        let line = log_line(&mut h, "Cohort = \"Fall 2026\" (was \"Spring 2026\")")
            .unwrap_or_else(|| panic!("{api:?}: {}", h.screen()));
        assert!(
            !line.contains("the user has"),
            "not the whole tag list: {line}"
        );
        assert!(!line.contains("type 3"), "the type by its name: {line}");
        // Undone from the log: the undo's line says what it put back, on whom.
        while h.app.focus != Pane::Log {
            h.key(KeyCode::Tab);
        }
        h.key(KeyCode::Char('u'));
        h.key(KeyCode::Enter);
        h.run_batch(None);
        h.key(KeyCode::Esc);
        let undo = log_line(&mut h, "1 × undo").unwrap_or_else(|| panic!("{}", h.screen()));
        assert!(
            undo.contains("restored Cohort = \"Spring 2026\" on Alan Turing (user 1185317)"),
            "{api:?}: {undo}"
        );
        assert!(undo.contains("done 1/1"), "{undo}");
    }
    // A Hive undo says the same of a patron.
    let mut h = Harness::demo(160, 36);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.reply_all();
    while h.app.focus != Pane::Log {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Char('u'));
    h.key(KeyCode::Enter);
    h.run_batch(None);
    h.key(KeyCode::Esc);
    let undo = log_line(&mut h, "1 × undo").unwrap_or_else(|| panic!("{}", h.screen()));
    assert!(
        undo.contains("restored patron user_abc123 without vip"),
        "{undo}"
    );
}

#[test]
fn a_cerego_confirmation_names_the_user_and_the_old_value() {
    use tagdesk::core::domain::TagsApi;
    for api in [TagsApi::Set, TagsApi::Legacy] {
        let mut h = on_alan(api, true);
        edit_cohort(&mut h);
        assert!(
            matches!(h.app.popup, Some(Popup::Confirm(_))),
            "a confirm profile asks"
        );
        let screen = h.screen();
        assert!(
            screen.contains(
                "Alan Turing (user 1185317): Cohort = \"Fall 2026\" (was \"Spring 2026\")"
            ),
            "{api:?}: {screen}"
        );
        assert!(h.pending.is_empty(), "nothing sent before the answer");
        h.key(KeyCode::Char('y'));
        assert_eq!(h.pending.len(), 1);
    }
}
