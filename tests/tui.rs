//! The console, driven through Messages on TestBackend and snapshotted with insta.

mod support;

use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use support::Harness;
use tagdesk::core::op::Op;
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::{Pane, Tab};
use tagdesk::tui::popups::{Help, Inspector, Popup, Profiles};

const SMALL: (u16, u16) = (80, 24);
const LARGE: (u16, u16) = (120, 40);

fn demo(size: (u16, u16)) -> Harness {
    Harness::demo(size.0, size.1)
}

fn to_hive(h: &mut Harness) {
    h.key(KeyCode::Char('2'));
    assert_eq!(h.app.tab, Tab::Hive);
}

#[test]
fn cerego_populated() {
    let mut h = demo(SMALL);
    insta::assert_snapshot!("cerego_populated_80x24", h.screen());
    let mut h = demo(LARGE);
    insta::assert_snapshot!("cerego_populated_120x40", h.screen());
}

#[test]
fn the_user_list_is_requested_at_start_and_fills_the_pane() {
    let mut h = Harness::with_seed(Seed::demo(), 80, 24);
    assert_eq!(h.pending.len(), 1);
    assert!(matches!(h.pending[0].op, Op::CeregoListUsers { .. }));
    assert!(h.screen().contains("Loading users…"));
    assert_eq!(h.app.in_flight(), 1);
    h.reply_all();
    assert_eq!(h.app.known.cerego.len(), 36);
    assert_eq!(h.app.in_flight(), 0);
}

#[test]
fn empty_lists() {
    let mut h = Harness::with_seed(Seed::empty(), SMALL.0, SMALL.1);
    h.reply_all();
    insta::assert_snapshot!("cerego_empty_80x24", h.screen());
    to_hive(&mut h);
    insta::assert_snapshot!("hive_empty_80x24", h.screen());
}

#[test]
fn hive_populated() {
    let mut h = demo(SMALL);
    to_hive(&mut h);
    insta::assert_snapshot!("hive_populated_80x24", h.screen());
    let mut h = demo(LARGE);
    to_hive(&mut h);
    h.key(KeyCode::Down);
    insta::assert_snapshot!("hive_populated_120x40", h.screen());
}

#[test]
fn filter_is_incremental_fuzzy_and_esc_clears() {
    let mut h = demo(SMALL);
    h.key(KeyCode::Char('/'));
    h.type_text("hopr");
    assert_eq!(
        h.app.cerego.list.visible().len(),
        1,
        "fuzzy: hopr matches Hopper only"
    );
    h.key(KeyCode::Backspace);
    h.key(KeyCode::Backspace);
    h.type_text("PPER");
    insta::assert_snapshot!("cerego_filter_active_80x24", h.screen());
    let selected = h.app.selected_user().map(|u| u.name);
    assert_eq!(selected, Some(Some("Grace Hopper")));
    h.key(KeyCode::Enter);
    assert!(!h.app.cerego.list.filter.editing);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.cerego.list.visible().len(), 36);
}

#[test]
fn hive_add_form_validation_and_completion() {
    let mut h = demo(SMALL);
    to_hive(&mut h);
    h.key(KeyCode::Char('a'));
    h.type_text(",,");
    insta::assert_snapshot!("form_hive_add_invalid_80x24", h.screen());
    h.key(KeyCode::Enter);
    assert!(h.pending.is_empty(), "invalid input sends nothing");
    assert!(matches!(h.app.popup, Some(Popup::Form(_))));
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("ve");
    h.key(KeyCode::Tab);
    h.type_text(" news");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    assert_eq!(h.pending.len(), 1);
    match &h.pending[0].op {
        Op::HiveAdd { patron, fields } => {
            assert_eq!(patron.as_str(), "user_abc123");
            let f: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
            assert_eq!(f, ["verified_email", "newsletter"]);
        }
        other => panic!("unexpected op {other:?}"),
    }
}

#[test]
fn open_patron_form_validation() {
    let mut h = demo(SMALL);
    to_hive(&mut h);
    h.key(KeyCode::Char('o'));
    h.paste(&"p".repeat(300));
    insta::assert_snapshot!("form_hive_open_invalid_80x24", h.screen());
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("brand_new_patron");
    h.key(KeyCode::Enter);
    assert!(h.pending.is_empty(), "opening a patron sends nothing");
    assert_eq!(
        h.app.selected_patron().map(|p| p.id.to_string()),
        Some("brand_new_patron".into())
    );
}

#[test]
fn cerego_forms_validation() {
    let mut h = demo(SMALL);
    h.key(KeyCode::Char('a'));
    h.paste(&"v".repeat(256));
    insta::assert_snapshot!("form_cerego_add_invalid_80x24", h.screen());
    h.key(KeyCode::Esc);
    assert!(h.app.popup.is_none());
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('e'));
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("   ");
    insta::assert_snapshot!("form_cerego_edit_invalid_80x24", h.screen());
    h.key(KeyCode::Enter);
    assert!(h.pending.is_empty());
}

#[test]
fn cerego_add_then_edit_round_trip() {
    let mut h = demo(SMALL);
    // Ada Lovelace has Plan and Region; the form starts on the first type she lacks (Cohort).
    h.key(KeyCode::Char('a'));
    h.type_text("Spring 2026");
    h.key(KeyCode::Enter);
    assert!(matches!(
        &h.pending[0].op,
        Op::CeregoAdd { tag_type, value, user } if tag_type.as_str() == "3" && value.as_str() == "Spring 2026" && user.as_str() == "1185304"
    ));
    h.reply_all();
    let tags = &h.app.selected_user().expect("a user").tags;
    assert!(tags.iter().any(|t| t.value == Some("Spring 2026")));
    // Edit the first tag (Plan = Gold) to Platinum.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('e'));
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("Platinum");
    h.key(KeyCode::Enter);
    assert!(
        matches!(&h.pending[0].op, Op::CeregoUpdate { tag, value } if tag.as_str() == "84001" && value.as_str() == "Platinum")
    );
    h.reply_all();
    insta::assert_snapshot!("cerego_after_add_and_edit_80x24", h.screen());
}

#[test]
fn cerego_add_of_a_used_type_offers_edit_instead() {
    let mut h = demo(SMALL);
    h.key(KeyCode::Char('a'));
    // Cycle from Cohort (3) to Plan (5), which Ada already has.
    h.key(KeyCode::Down);
    h.type_text("Silver");
    h.key(KeyCode::Enter);
    assert!(h.pending.is_empty(), "the doomed add is not sent");
    insta::assert_snapshot!("cerego_add_offers_edit_80x24", h.screen());
    h.key(KeyCode::Char('y'));
    h.key(KeyCode::Enter);
    assert!(
        matches!(&h.pending[0].op, Op::CeregoUpdate { tag, value } if tag.as_str() == "84001" && value.as_str() == "Silver")
    );
}

#[test]
fn cerego_remove_says_there_is_no_removal() {
    let mut h = demo(SMALL);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('d'));
    assert!(h.pending.is_empty());
    let screen = h.screen();
    assert!(
        screen.contains("Cerego's API has no way to remove a tag"),
        "{screen}"
    );
}

#[test]
fn hive_remove_asks_first_naming_patron_and_tags() {
    let mut h = demo(SMALL);
    to_hive(&mut h);
    h.key(KeyCode::Down); // user_def456
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Down);
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('d'));
    insta::assert_snapshot!("confirm_hive_remove_80x24", h.screen());
    assert!(
        h.pending.is_empty(),
        "nothing is sent before the confirmation"
    );
    h.key(KeyCode::Char('n'));
    assert!(h.pending.is_empty());
    h.key(KeyCode::Char('d'));
    h.key(KeyCode::Char('y'));
    let Op::HiveRemove { patron, fields } = &h.pending[0].op else {
        panic!("expected a remove");
    };
    assert_eq!(patron.as_str(), "user_def456");
    assert_eq!(fields.len(), 2);
    let before = h.app.selected_patron().map(|p| p.tags.len()).unwrap_or(0);
    h.reply_all();
    let after = h.app.selected_patron().map(|p| p.tags.len()).unwrap_or(0);
    assert_eq!(after, before - 2, "the view follows removed_tag_ids");
}

#[test]
fn help_overlay() {
    let mut h = demo(LARGE);
    h.key(KeyCode::Char('?'));
    insta::assert_snapshot!("help_120x40", h.screen());
    h.key(KeyCode::Esc);
    assert!(h.app.popup.is_none());
}

/// Drives every documented Hive scenario (7 add, 7 remove) and one HTTP error through the
/// console, in order, against the simulator's rules.
fn every_scenario(size: (u16, u16)) -> Harness {
    let mut h = demo(size);
    to_hive(&mut h);
    h.key(KeyCode::Char('o'));
    h.type_text("demo_patron");
    h.key(KeyCode::Enter);
    let steps: [(char, &str); 14] = [
        ('a', "vip"),
        ('a', "vip newsletter"),
        ('a', "beta_tester bogus"),
        ('a', "vip high_risk bogus"),
        ('a', "vip"),
        ('a', "vip bogus"),
        ('a', "bogus"),
        ('D', "vip"),
        ('D', "newsletter vip"),
        ('D', "beta_tester bogus"),
        ('D', "high_risk vip bogus"),
        ('D', "vip"),
        ('D', "vip bogus"),
        ('D', "bogus"),
    ];
    for (key, fields) in steps {
        h.type_text(&key.to_string());
        h.type_text(fields);
        h.key(KeyCode::Enter);
        if key == 'D' {
            h.key(KeyCode::Char('y'));
        }
        assert_eq!(h.pending.len(), 1, "{key} {fields}");
        h.reply_all();
    }
    // An HTTP error: removing from a patron Hive has never seen.
    h.key(KeyCode::Char('o'));
    h.type_text("ghost_patron");
    h.key(KeyCode::Enter);
    h.type_text("D");
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('y'));
    h.reply_all();
    h
}

#[test]
fn action_log_holds_every_scenario_in_colour() {
    let mut h = every_scenario(LARGE);
    let messages: Vec<String> = h
        .app
        .log
        .iter()
        .filter_map(|e| match &e.reply()?.result {
            Ok(tagdesk::core::op::Output::Hive(o)) => o.message.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(messages.len(), 14);
    assert_eq!(
        messages[0], "Successfully added tags to patron.",
        "the first add is a clean add"
    );
    assert_eq!(
        messages[13],
        "No tags were removed. All tags failed to remove."
    );
    // Focus the log so it grows to show every line.
    while h.app.focus != Pane::Log {
        h.key(KeyCode::Tab);
    }
    insta::assert_snapshot!("log_every_scenario_120x40", h.screen_styled());
}

#[test]
fn inspector_on_a_partial_add() {
    let mut h = demo(LARGE);
    to_hive(&mut h);
    h.key(KeyCode::Char('a'));
    h.type_text("vip newsletter bogus");
    h.key(KeyCode::Enter);
    h.reply_all();
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    insta::assert_snapshot!("inspector_partial_add_120x40", h.screen_styled());
    let screen = h.screen();
    assert!(screen.contains("MATCH"));
    assert!(screen.contains("bogus — Tag api_field does not exist in application."));
    assert!(screen.contains("token [redacted]"));
}

#[test]
fn terminal_too_small() {
    let mut h = demo((40, 10));
    insta::assert_snapshot!("too_small_40x10", h.screen());
    // Shrinking to nothing must not panic either.
    let mut tiny = demo((1, 1));
    tiny.screen();
}

#[test]
fn quit_asks_to_wait_or_abandon_while_requests_are_in_flight() {
    let mut h = demo(SMALL);
    to_hive(&mut h);
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.in_flight(), 1);
    h.key(KeyCode::Char('q'));
    assert!(!h.quit, "asks first");
    insta::assert_snapshot!("quit_in_flight_80x24", h.screen());
    h.key(KeyCode::Esc);
    assert!(!h.quit, "esc stays");
    // Wait: quits by itself once the reply arrives.
    h.key(KeyCode::Char('q'));
    h.key(KeyCode::Char('w'));
    assert!(!h.quit);
    assert!(
        h.screen()
            .contains("Quitting when the 1 request in flight finishes")
    );
    h.reply_all();
    assert!(h.quit, "quits when idle");
    // Abandon: quits at once.
    let mut h = demo(SMALL);
    to_hive(&mut h);
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('q'));
    h.key(KeyCode::Char('a'));
    assert!(h.quit);
    // The requests finish while the dialog is still open: the question is moot and
    // the operator asked to quit, so it quits (a dialog saying "0 requests are still
    // in flight" would wait for an answer that no longer matters).
    let mut h = demo(SMALL);
    to_hive(&mut h);
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('q'));
    assert!(!h.quit, "asks first");
    h.reply_all();
    assert!(h.quit, "nothing left to wait for");
    // The dialog closed with esc stays closed when the reply arrives.
    let mut h = demo(SMALL);
    to_hive(&mut h);
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('q'));
    h.key(KeyCode::Esc);
    h.reply_all();
    assert!(!h.quit, "esc meant stay");
    // Nothing in flight: q quits at once.
    let mut h = demo(SMALL);
    h.key(KeyCode::Char('q'));
    assert!(h.quit);
}

#[test]
fn retries_show_a_countdown_then_the_outcome() {
    let mut h = demo(LARGE);
    to_hive(&mut h);
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    let request = h.pending.remove(0);
    let notice = tagdesk::engine::retry::RetryNotice {
        attempt: 2,
        max_attempts: 4,
        wait_ms: 3000,
        at: h.app.now + chrono::Duration::seconds(4),
        reason: "HTTP 503 SERVICE_UNAVAILABLE: Injected fault: HTTP 503 from tagdesk sim.".into(),
        from_retry_after: false,
        status: None,
    };
    h.send(tagdesk::tui::app::Message::Retrying {
        id: request.id,
        notice: notice.clone(),
    });
    let screen = h.screen();
    assert!(
        screen.contains("retry 2/4 in 3s · HTTP 503 SERVICE_UNAVAILABLE"),
        "{screen}"
    );
    let mut reply = h.answer(&request);
    reply.retries = vec![notice];
    h.send(tagdesk::tui::app::Message::Reply(Box::new(reply)));
    let screen = h.screen();
    assert!(
        screen.contains("Successfully added tags to patron."),
        "{screen}"
    );
    while h.app.focus != Pane::Log {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(
        screen.contains("attempt 2/4 after 3.0 s — HTTP 503"),
        "{screen}"
    );
}

fn profile_harness(read_only: bool, confirm: bool) -> Harness {
    let mut h = Harness::with_settings(Seed::demo(), SMALL.0, SMALL.1, |s| {
        s.demo = false;
        s.profile = "prod".into();
        s.policy.profile = "prod".into();
        s.policy.read_only = read_only;
        s.policy.confirm = confirm;
        s.color = tagdesk::config::colour::Colour::Red;
        s.persist = true;
    });
    h.reply_all();
    h
}

#[test]
fn read_only_profile_refuses_changes_in_the_console() {
    let mut h = profile_harness(true, false);
    to_hive(&mut h);
    // Refused on the key: no form opens, and the status says why.
    h.key(KeyCode::Char('a'));
    assert!(h.app.popup.is_none(), "no form on a read-only profile");
    assert!(h.pending.is_empty(), "refused: nothing sent");
    let screen = h.screen();
    assert!(screen.contains("Profile prod is read-only"), "{screen}");
    assert!(screen.contains("profile: prod · read-only"), "{screen}");
    // Reads still work.
    h.key(KeyCode::Char('r'));
    assert_eq!(h.pending.len(), 1);
}

#[test]
fn read_only_from_the_command_line_is_not_blamed_on_the_profile() {
    let mut h = profile_harness(true, false);
    h.app.settings.policy.read_only_flag = true;
    to_hive(&mut h);
    h.key(KeyCode::Char('a'));
    assert!(h.app.popup.is_none(), "no form under --read-only");
    let screen = h.screen();
    assert!(
        screen.contains("Read-only (--read-only): adding tags is refused"),
        "{screen}"
    );
    assert!(!screen.contains("Profile prod is read-only"), "{screen}");
}

#[test]
fn confirm_profile_asks_naming_the_profile() {
    let mut h = profile_harness(false, true);
    to_hive(&mut h);
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    assert!(h.pending.is_empty());
    insta::assert_snapshot!("confirm_profile_prod_80x24", h.screen_styled());
    h.key(KeyCode::Char('y'));
    assert_eq!(h.pending.len(), 1, "sent after yes");
    h.reply_all();
    let saved = h
        .saved
        .take()
        .expect("the workspace is saved after a Hive reply");
    let abc = saved
        .patrons
        .iter()
        .find(|p| p.id.as_str() == "user_abc123")
        .expect("known patron");
    assert!(
        abc.tags
            .iter()
            .any(|t| t.api_field == "vip" && t.confirmed_at.is_some())
    );
    // The remove dialog names the profile too, and one yes is enough.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('d'));
    assert!(h.screen().contains("Profile PROD asks for confirmation."));
    h.key(KeyCode::Char('y'));
    assert_eq!(h.pending.len(), 1);
}

#[test]
fn demo_mode_does_not_save_a_workspace() {
    let mut h = demo(SMALL);
    to_hive(&mut h);
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.reply_all();
    assert!(h.saved.is_none());
}

#[test]
fn history_from_the_journal_shows_in_the_log_and_the_inspector() {
    use tagdesk::engine::journal::{Journal, OutcomeRecord};
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut journal, _) = Journal::open(dir.path(), "demo", vec![]).expect("journal");
    let mut scratch = Harness::demo(SMALL.0, SMALL.1);
    let ops = [
        Op::HiveAdd {
            patron: tagdesk::core::domain::PatronId::parse("user_abc123").expect("id"),
            fields: tagdesk::core::domain::ApiField::parse_list("vip bogus").expect("fields"),
        },
        Op::HiveRemove {
            patron: tagdesk::core::domain::PatronId::parse("ghost").expect("id"),
            fields: tagdesk::core::domain::ApiField::parse_list("vip").expect("fields"),
        },
    ];
    for (i, op) in ops.iter().enumerate() {
        let id = format!("old-{i}");
        journal.record_intent(&id, op, None).expect("intent");
        let reply = scratch.answer(&tagdesk::engine::backend::Request {
            id: 99,
            op: op.clone(),
            journal_id: String::new(),
            prior: None,
        });
        let outcome = OutcomeRecord::from_execution(
            &id,
            &reply.exchanges,
            &reply.result,
            std::time::Duration::from_millis(12),
        );
        journal.record_outcome(outcome).expect("outcome");
    }
    journal
        .record_intent("old-2", &ops[0], None)
        .expect("intent");
    journal.record_abandoned(["old-2"]).expect("abandoned");
    let (entries, problems) =
        tagdesk::engine::journal::recent(journal.path(), 200).expect("read the journal");
    assert!(problems.is_empty());
    let mut h = demo(LARGE);
    h.app.load_history(entries);
    assert_eq!(
        h.app.log.len(),
        4,
        "three from the journal and this run's list"
    );
    assert_eq!(h.app.in_flight(), 0, "history is not in flight");
    let screen = h.screen();
    assert!(
        screen.contains("Some tags were added. Some tags failed to add."),
        "{screen}"
    );
    assert!(screen.contains("INVALID_PATRON"), "{screen}");
    assert!(screen.contains("abandoned"), "{screen}");
    // Inspect the first (journaled) entry: the breakdown is rebuilt from the stored body.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('g'));
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(screen.contains("From the journal"), "{screen}");
    assert!(screen.contains("MATCH"), "{screen}");
    assert!(
        screen.contains("bogus — Tag api_field does not exist in application."),
        "{screen}"
    );
}

#[test]
fn no_snapshot_holds_a_key() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let keys = [
        tagdesk::sim::DEFAULT_HIVE_KEY,
        tagdesk::sim::DEFAULT_CEREGO_KEY,
        "hive-SECRET-7f3a9c",
        "cerego-SECRET-b81e44",
    ];
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("snapshots dir").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("read snapshot");
        seen += 1;
        for k in keys {
            assert!(!text.contains(k), "{} holds {k}", entry.path().display());
        }
    }
    assert!(seen > 10);
}

#[test]
fn profiles_can_be_switched_from_the_console() {
    let mut h = Harness::with_settings(Seed::demo(), SMALL.0, SMALL.1, |s| {
        s.demo = false;
        s.profile = "staging".into();
        s.policy.profile = "staging".into();
        s.profiles = vec!["prod".into(), "staging".into()];
    });
    h.reply_all();
    h.key_mod(KeyCode::Char('P'), KeyModifiers::SHIFT);
    insta::assert_snapshot!("profile_picker_80x24", h.screen());
    h.key(KeyCode::Up);
    h.key(KeyCode::Enter);
    assert_eq!(h.switched.as_deref(), Some("prod"));
}

#[test]
fn key_overrides_drive_handling_hints_and_help() {
    let overrides = [("add".to_string(), vec!["insert".to_string()])].into();
    let mut h = Harness::with_settings(Seed::demo(), LARGE.0, LARGE.1, |s| {
        s.keymap = tagdesk::tui::keymap::Keymap::with_overrides(&overrides).expect("valid");
    });
    h.reply_all();
    h.key(KeyCode::Char('a'));
    assert!(h.app.popup.is_none(), "a no longer adds");
    let screen = h.screen();
    assert!(
        screen.contains(" insert add "),
        "the hint follows the table: {screen}"
    );
    h.key(KeyCode::Char('?'));
    let help = h.screen();
    assert!(
        help.lines()
            .any(|l| l.contains("  insert ") && l.contains("add tags")),
        "the help follows the table: {help}"
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Insert);
    assert!(matches!(h.app.popup, Some(Popup::Form(_))), "insert adds");
}

#[test]
fn users_show_page_by_page_while_the_list_loads() {
    let mut h = Harness::with_seed(Seed::demo(), SMALL.0, SMALL.1);
    let request = h.pending.remove(0);
    // The first page of 25, as the client reports it before fetching the second.
    h.send(tagdesk::tui::app::Message::Page {
        id: request.id,
        progress: support::reply_page(&Seed::demo(), 1),
    });
    assert_eq!(h.app.known.cerego.len(), 25);
    let screen = h.screen();
    assert!(
        screen.contains("Users · loading 1/2 · 25 of 36"),
        "{screen}"
    );
    assert!(
        screen.contains("Ada Lovelace"),
        "users show before the list is complete"
    );
    assert_eq!(h.app.in_flight(), 1);
    // The whole list arrives: no duplicates, the count settles.
    let reply = h.answer(&request);
    h.send(tagdesk::tui::app::Message::Reply(Box::new(reply)));
    assert_eq!(h.app.known.cerego.len(), 36);
    assert!(h.screen().contains("Users · partner 4242 · 36 "));
}

/// `[keys]` rebinding `close` and `up` reaches every popup and form, not only the main
/// screen: the new keys work there, the old ones no longer close anything.
#[test]
fn rebinding_close_and_up_reaches_every_popup() {
    let overrides = [
        ("close".to_string(), vec!["ctrl-g".to_string()]),
        ("up".to_string(), vec!["ctrl-k".to_string()]),
    ]
    .into();
    let mut h = Harness::with_settings(Seed::demo(), LARGE.0, LARGE.1, |s| {
        s.keymap = tagdesk::tui::keymap::Keymap::with_overrides(&overrides).expect("valid");
        s.profiles = vec!["prod".into(), "staging".into(), "demo".into()];
    });
    h.reply_all();
    let close = |h: &mut Harness| h.key_mod(KeyCode::Char('g'), KeyModifiers::CONTROL);

    // Help: esc no longer closes it, ctrl-g does; its hint says so.
    h.key(KeyCode::Char('?'));
    assert!(h.screen().contains("C-g / ? close") || h.screen().contains("C-g close"));
    h.key(KeyCode::Esc);
    assert!(
        matches!(h.app.popup, Some(Popup::Help(Help { .. }))),
        "esc is not close"
    );
    close(&mut h);
    assert!(h.app.popup.is_none(), "ctrl-g closes the help");

    // A form: ctrl-g cancels; the form's hint names ctrl-g.
    to_hive(&mut h);
    h.key(KeyCode::Char('a'));
    assert!(
        h.screen().contains("enter submit · C-g cancel"),
        "{}",
        h.screen()
    );
    h.key(KeyCode::Esc);
    assert!(
        matches!(h.app.popup, Some(Popup::Form(_))),
        "esc is not close"
    );
    close(&mut h);
    assert!(h.app.popup.is_none(), "ctrl-g cancels the form");

    // The quit dialog: ctrl-g stays.
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('q'));
    assert!(matches!(h.app.popup, Some(Popup::Quit(_))));
    assert!(h.screen().contains(" C-g  stay"), "{}", h.screen());
    close(&mut h);
    assert!(h.app.popup.is_none() && !h.quit, "ctrl-g stays");
    h.reply_all();

    // The profile picker: ctrl-k moves up, ctrl-g closes.
    h.key_mod(KeyCode::Char('P'), KeyModifiers::SHIFT);
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key_mod(KeyCode::Char('k'), KeyModifiers::CONTROL);
    assert!(matches!(
        h.app.popup,
        Some(Popup::Profiles(Profiles { selected: 1 }))
    ));
    close(&mut h);
    assert!(h.app.popup.is_none(), "ctrl-g closes the picker");

    // The inspector: ctrl-g closes it.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    assert!(matches!(
        h.app.popup,
        Some(Popup::Inspector(Inspector { .. }))
    ));
    close(&mut h);
    assert!(h.app.popup.is_none(), "ctrl-g closes the inspector");

    // A confirmation (remove asks first): ctrl-g cancels and nothing is sent.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('d'));
    h.key(KeyCode::Char('d'));
    assert!(
        matches!(h.app.popup, Some(Popup::Confirm(_))),
        "{}",
        h.screen()
    );
    let before = h.pending.len();
    close(&mut h);
    assert!(h.app.popup.is_none());
    assert_eq!(h.pending.len(), before, "nothing was sent");
}

// Regressions the console property test found (tests/properties/console.rs).

#[test]
fn bug_marks_survive_a_filter_that_changes_the_patron() {
    // Found by console_survives_any_session (minimal case: variant 4, keys ' ', '/', 'k').
    // Mark user_abc123's tag "newsletter", then filter the list so that user_def456 (which
    // also has "newsletter") becomes the selected patron: the mark stays, and `d` then offers
    // to remove "newsletter" from user_def456, a patron the operator never marked.
    let mut h = Harness::with_seed(Seed::demo(), 80, 24);
    h.reply_all();
    h.key(KeyCode::Char('2'));
    assert_eq!(
        h.app.selected_patron().map(|p| p.id.as_str()),
        Some("user_abc123")
    );
    // Space marks tags in the tags pane (in the list pane it marks patrons for a batch).
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char(' '));
    assert!(h.app.hive.marked.contains("newsletter"));
    h.key(KeyCode::Char('/'));
    h.paste("def");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.selected_patron().map(|p| p.id.as_str()),
        Some("user_def456")
    );
    let stale = h.app.hive.marked.clone();
    h.key(KeyCode::Char('d'));
    let offered = match &h.app.popup {
        Some(Popup::Confirm(c)) => format!("{:?}", c.on_yes),
        other => format!("{other:?}"),
    };
    assert!(
        stale.is_empty(),
        "marks {stale:?} made on user_abc123 survived the change of patron; `d` now offers: {offered}"
    );
}

#[test]
fn bug_edit_of_a_tag_with_a_long_id_closes_silently() {
    // A server may list tag ids tagdesk cannot send back (19+ digits, or not digits at all);
    // editing such a tag must say why nothing was sent, not close the form silently.
    let mut h = Harness::with_seed(Seed::demo(), 100, 30);
    let request = h.pending.remove(0);
    let body = br#"{"data": [{"id": "1185304", "type": "users", "attributes": {"name": "Ada Lovelace"},
        "relationships": {"partner-user-tags": {"data": [{"id": "1234567890123456789", "type": "partner-user-tags"}]}}}],
        "included": [{"id": "1234567890123456789", "type": "partner-user-tags", "attributes": {"value": "Gold"},
        "relationships": {"partner-user-tag-type": {"data": {"id": "5"}}}}],
        "meta": {"total-pages": 1, "total-count": 1}}"#;
    let reply = support::reply_with(&request, 200, body, h.app.now);
    h.send(tagdesk::tui::app::Message::Reply(Box::new(reply)));
    let user = h.app.selected_user().expect("a user");
    let tag = user.tags.get(0).expect("a tag");
    assert!(
        tagdesk::core::domain::TagId::parse(tag.id).is_err(),
        "the listed id is not a valid TagId"
    );
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('e'));
    assert!(
        matches!(h.app.popup, Some(Popup::Form(_))),
        "the edit form opens"
    );
    h.paste(" changed");
    h.key(KeyCode::Enter);
    let sent = !h.pending.is_empty();
    let told = h.app.status.is_some() || h.app.popup.is_some();
    assert!(
        sent || told,
        "Enter neither sent the update nor said why (status {:?})",
        h.app.status
    );
}

#[test]
fn bug_api_field_form_panics_on_multibyte_whitespace() {
    // Found by console_survives_any_session: the Hive add form, a paste holding U+2000 (EN
    // QUAD: whitespace, not a control character, so the paste keeps it), then a draw.
    for ws in ['\u{a0}', '\u{2000}', '\u{2028}', '\u{3000}'] {
        let drawn = std::panic::catch_unwind(|| {
            let mut h = Harness::demo(80, 24);
            h.key(KeyCode::Char('2'));
            h.key(KeyCode::Char('a'));
            assert!(matches!(h.app.popup, Some(Popup::Form(_))));
            h.paste(&format!("vip{ws}ne"));
            h.draw();
        });
        let completed = std::panic::catch_unwind(|| {
            let mut h = Harness::demo(80, 24);
            h.key(KeyCode::Char('2'));
            h.key(KeyCode::Char('a'));
            h.paste(&format!("vip{ws}ne"));
            h.key(KeyCode::Tab);
        });
        assert!(
            drawn.is_ok() && completed.is_ok(),
            "U+{:04X}: draw {}, Tab {}",
            ws as u32,
            if drawn.is_ok() { "ok" } else { "panicked" },
            if completed.is_ok() { "ok" } else { "panicked" },
        );
    }
}
