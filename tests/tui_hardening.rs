//! Regression tests for the console defects found by hand (issue 8, items 1–12), each on
//! ratatui's TestBackend through the real App, driven only by Messages.

mod support;

use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use ratatui::style::{Color, Modifier};
use support::Harness;
use tagdesk::core::op::{Op, Service};
use tagdesk::engine::backend::Request;
use tagdesk::engine::journal::{Entry, IntentRecord, OutcomeRecord};
use tagdesk::sim::seed::{Seed, UserSeed};
use tagdesk::tui::app::{Level, Message, Pane, Tab};
use tagdesk::tui::popups::{Inspector, Popup, Profiles};

fn to_hive(h: &mut Harness) {
    h.key(KeyCode::Char('2'));
    assert_eq!(h.app.tab, Tab::Hive);
}

/// `a`, `vip`, Enter: a Hive add of vip to the selected patron.
fn add_vip(h: &mut Harness) {
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
}

/// The demo console with these profiles to switch between, the user list answered.
fn with_profiles(names: &[&str]) -> Harness {
    let mut h = Harness::with_settings(Seed::demo(), 100, 30, |s| {
        s.profiles = names.iter().map(|n| n.to_string()).collect();
    });
    h.reply_all();
    h
}

fn status(h: &Harness) -> String {
    h.app
        .status
        .as_ref()
        .map(|(_, s)| s.clone())
        .unwrap_or_default()
}

/// An entry of an earlier run's journal: the partner listing, answered.
fn journaled_listing(h: &mut Harness) -> Entry {
    let op = h.pending.first().map(|r| r.op.clone()).unwrap_or_else(|| {
        h.app
            .log
            .iter()
            .find(|e| matches!(e.op, Op::CeregoListUsers { .. }))
            .map(|e| e.op.clone())
            .expect("a listing")
    });
    let reply = h.answer(&Request {
        id: 999,
        op: op.clone(),
        journal_id: String::new(),
        prior: None,
    });
    let intent = IntentRecord::new("old-list", "demo", &op, None);
    let outcome = OutcomeRecord::from_execution(
        "old-list",
        &reply.exchanges,
        &reply.result,
        std::time::Duration::from_millis(40),
    );
    Entry {
        intent,
        outcome: Some(outcome),
    }
}

// Item 1.
#[test]
fn r_reloads_when_the_journal_already_holds_list_entries() {
    let mut h = Harness::demo(80, 24);
    let old = journaled_listing(&mut h);
    // A list entry of an earlier run, and one that never got its outcome (killed run).
    let mut unanswered = old.clone();
    unanswered.intent.id = "old-list-2".into();
    unanswered.outcome = None;
    h.app.load_history(vec![old, unanswered]);
    assert!(h.pending.is_empty());
    h.key(KeyCode::Char('r'));
    assert_eq!(h.pending.len(), 1, "r sends a reload: {}", status(&h));
    assert!(matches!(
        h.pending[0].op,
        Op::CeregoListUsers { query: None, .. }
    ));
    h.reply_all();
    assert_eq!(h.app.known.cerego.len(), 36);
    // And again: each reload is a new request once the previous one is answered.
    h.key(KeyCode::Char('r'));
    assert_eq!(h.pending.len(), 1);
}

// Item 2 (the console's side; the binary's is in e2e).
#[test]
fn a_failed_profile_switch_stays_in_place_with_the_reason() {
    let mut h = with_profiles(&["demo", "broken"]);
    to_hive(&mut h);
    add_vip(&mut h);
    assert_eq!(h.app.in_flight(), 1);
    h.send(Message::Switching {
        profile: "broken".into(),
        command: true,
    });
    let screen = h.screen();
    assert!(
        screen.contains("running api_key_cmd for profile broken"),
        "{screen}"
    );
    h.send(Message::SwitchFailed {
        profile: "broken".into(),
        reason: "api_key_cmd `pass` failed (exit status: 1)".into(),
    });
    assert_eq!(h.app.settings.profile, "demo");
    assert_eq!(h.app.in_flight(), 1, "the request in flight is untouched");
    let (level, text) = h.app.status.clone().expect("a status");
    assert_eq!(level, Level::Error);
    assert!(
        text.contains("broken") && text.contains("api_key_cmd `pass` failed"),
        "{text}"
    );
    assert!(!h.quit);
    assert_eq!(h.pending.len(), 1, "nothing else was sent");
}

// Item 2: plural forms in the switch dialog (item 12 too).
#[test]
fn the_switch_dialog_counts_requests_in_good_english() {
    let mut h = with_profiles(&["demo", "other"]);
    to_hive(&mut h);
    add_vip(&mut h);
    h.key_mod(KeyCode::Char('P'), KeyModifiers::SHIFT);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(screen.contains("1 request is still in flight."), "{screen}");
    assert!(screen.contains("abandons it"), "{screen}");
}

// Item 12: the quit dialog speaks of one request in the singular ("abandoning it").
#[test]
fn the_quit_dialog_counts_requests_in_good_english() {
    let mut h = with_profiles(&["demo"]);
    to_hive(&mut h);
    add_vip(&mut h);
    h.key(KeyCode::Char('q'));
    let screen = h.screen();
    assert!(screen.contains("1 request is still in flight."), "{screen}");
    assert!(screen.contains("Abandoning it now"), "{screen}");
    assert!(screen.contains("carried it out"), "{screen}");
    assert!(!screen.contains("them"), "{screen}");
    h.key(KeyCode::Esc);
    // Two requests: the plural.
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('a'));
    h.type_text("newsletter");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('q'));
    let screen = h.screen();
    assert!(
        screen.contains("2 requests are still in flight."),
        "{screen}"
    );
    assert!(screen.contains("Abandoning them now"), "{screen}");
}

// Item 3 (the console's side): a service whose key failed says why in its panes.
#[test]
fn an_unavailable_service_shows_the_reason_in_its_panes() {
    let mut h = Harness::with_settings(Seed::demo(), 100, 30, |s| {
        s.cerego = None;
        s.unavailable = vec![tagdesk::config::Unavailable {
            service: Service::Cerego,
            configured: true,
            reason: "Cerego key of profile staging not set: the environment variable CEREGO_STAGING_API_KEY (api_key_env) is not set or empty".into(),
            set_var: Some("CEREGO_STAGING_API_KEY".into()),
        }];
    });
    h.reply_all();
    h.key(KeyCode::Char('1'));
    let screen = h.screen();
    // A key merely missing is "key not set", not "not configured".
    assert!(screen.contains("Users · key not set"), "{screen}");
    assert!(screen.contains("Cerego's API key is not set:"), "{screen}");
    assert!(!screen.contains("not configured"), "{screen}");
    assert!(!screen.contains("partner  ·"), "{screen}");
    assert!(screen.contains("CEREGO_STAGING_API_KEY"), "{screen}");
    h.key(KeyCode::Char('a'));
    let s = status(&h);
    assert!(s.contains("CEREGO_STAGING_API_KEY"), "{s}");
    assert!(!s.contains("tag types"), "a does not blame tag types: {s}");
    // The other service works.
    to_hive(&mut h);
    h.key(KeyCode::Char('a'));
    assert!(matches!(h.app.popup, Some(Popup::Form(_))));
}

/// Issue 21: `config init` does not take demo mode away silently. The console on the
/// template's profile, whose keys are not set, says at once (status line) which variable to
/// set, that demo mode is still there, and that `config check` explains; each pane says it
/// too.
#[test]
fn a_profile_whose_keys_are_not_set_says_which_variable_and_that_demo_mode_remains() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, tagdesk::config::TEMPLATE).expect("template");
    let options = tagdesk::session::Options {
        config: Some(path),
        ..Default::default()
    };
    let prepared = tagdesk::session::prepare(&options, &|_| None).expect("prepares");
    let profile = prepared.profile.clone().expect("the staging profile");
    let mut h = Harness::with_settings(Seed::demo(), 110, 24, |s| {
        let mut real = tagdesk::tui::settings_from(
            &profile,
            prepared.profiles.clone(),
            Vec::new(),
            Vec::new(),
        );
        real.utc_offset = s.utc_offset;
        real.profile_cards = prepared.cards.clone();
        *s = real;
    });
    h.reply_all();
    let s = status(&h);
    assert!(
        s.contains("CEREGO_STAGING_API_KEY and HIVE_STAGING_API_KEY")
            && s.contains("tagdesk --demo (or P → demo)")
            && s.contains("tagdesk config check"),
        "{s}"
    );
    insta::assert_snapshot!("keys_not_set_first_screen", h.screen());
    // The picker offers demo mode, and says the keys are not set.
    h.key(KeyCode::Char('P'));
    insta::assert_snapshot!("keys_not_set_picker", h.screen());
}

// Item 4.
#[test]
fn rendered_commands_name_the_profile() {
    let mut h = Harness::with_settings(Seed::demo(), 100, 30, |s| {
        s.demo = false;
        s.profile = "prod".into();
        s.place = tagdesk::core::op::Place::of("prod", false);
        s.policy.profile = "prod".into();
        s.policy.confirm = true;
    });
    h.reply_all();
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('e'));
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("Silver");
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(
        screen.contains("tagdesk --profile prod cerego update 84001 Silver"),
        "the confirm dialog: {screen}"
    );
    h.key(KeyCode::Char('y'));
    h.reply_all();
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('G'));
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(
        screen.contains("tagdesk --profile prod cerego update 84001 Silver"),
        "the inspector: {screen}"
    );
    // Demo mode says --demo.
    let mut d = Harness::demo(100, 30);
    to_hive(&mut d);
    add_vip(&mut d);
    d.reply_all();
    d.key(KeyCode::Tab);
    d.key(KeyCode::Tab);
    d.key(KeyCode::Char('G'));
    d.key(KeyCode::Enter);
    assert!(
        d.screen()
            .contains("tagdesk --demo hive add user_abc123 vip")
    );
}

// Item 5.
#[test]
fn without_colour_selection_focus_and_tab_still_show() {
    let mut h = Harness::with_settings(Seed::demo(), 100, 30, |s| {
        s.theme = tagdesk::tui::theme::Theme::Monochrome
    });
    h.reply_all();
    to_hive(&mut h);
    h.draw();
    let buffer = h.terminal.backend().buffer().clone();
    // No colour anywhere.
    for cell in buffer.content.iter() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
    }
    let row = |y: u16| -> String { (0..100).map(|x| buffer[(x, y)].symbol()).collect() };
    // The active tab: reverse video and bold.
    let header = row(0);
    let tab_x = header.find(" 2 Hive ").expect("the Hive tab") as u16;
    let tab_cell = &buffer[(tab_x + 3, 0)];
    assert!(
        tab_cell
            .modifier
            .contains(Modifier::REVERSED | Modifier::BOLD),
        "{tab_cell:?}"
    );
    let other = header.find(" 1 Cerego ").expect("the Cerego tab") as u16;
    assert!(!buffer[(other + 3, 0)].modifier.contains(Modifier::REVERSED));
    // The focused pane's title: marked and reversed, every letter alike.
    let title = row(1);
    assert!(title.contains("▶ Patrons"), "{title}");
    let start = title.find("Patrons").expect("title");
    let start = title[..start].chars().count() as u16;
    for x in start..start + 7 {
        let m = buffer[(x, 1)].modifier;
        assert!(
            m.contains(Modifier::BOLD | Modifier::REVERSED),
            "letter {x}: {m:?}"
        );
    }
    // The selected row: a marker and reverse video.
    let first = row(2);
    assert!(first.contains("▶ user_abc123"), "{first}");
    assert!(buffer[(3, 2)].modifier.contains(Modifier::REVERSED));
}

// Item 5: the colour screens mark focus without colour too.
#[test]
fn the_focused_pane_is_marked_in_colour_mode_too() {
    let mut h = Harness::demo(100, 30);
    let screen = h.screen();
    assert!(screen.contains("▶ Users"), "{screen}");
    h.key(KeyCode::Tab);
    let screen = h.screen();
    assert!(screen.contains("▶ Tags") && !screen.contains("▶ Users"));
}

// Item 6.
#[test]
fn the_look_up_form_opens_empty_and_arrows_recall_recent_queries() {
    let mut h = Harness::with_settings(Seed::demo(), 100, 30, |s| {
        s.lookups = vec!["M-1020".into(), "ada.lovelace@example.edu".into()];
    });
    h.reply_all();
    h.key(KeyCode::Char('f'));
    let Some(Popup::Form(form)) = &h.app.popup else {
        panic!("the look-up form")
    };
    assert_eq!(form.input.value(), "", "opens empty");
    h.type_text("nobody@example.edu");
    let Some(Popup::Form(form)) = &h.app.popup else {
        panic!("the look-up form")
    };
    assert_eq!(
        form.input.value(),
        "nobody@example.edu",
        "nothing prepended"
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('f'));
    h.key(KeyCode::Up);
    h.key(KeyCode::Up);
    let Some(Popup::Form(form)) = &h.app.popup else {
        panic!("the look-up form")
    };
    assert_eq!(form.input.value(), "ada.lovelace@example.edu");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    match &h.pending.last().expect("a look-up").op {
        Op::CeregoListUsers { query, .. } => assert_eq!(query.as_deref(), Some("M-1020")),
        other => panic!("{other:?}"),
    }
}

fn seed_with_near_ids() -> Seed {
    let mut seed = Seed::demo();
    let template = seed.cerego.users[0].clone();
    for (id, member) in [("2000204", "M-7001"), ("2000420", "M-7002")] {
        seed.cerego.users.insert(
            0,
            UserSeed {
                id: id.parse().expect("id"),
                name: format!("User {id}"),
                username: format!("u{id}"),
                email: format!("u{id}@example.edu"),
                member_id: Some(member.into()),
                tags: Default::default(),
                ..template.clone()
            },
        );
    }
    seed
}

// Item 7.
#[test]
fn the_filter_puts_an_exact_id_first_and_selects_it() {
    let mut h = Harness::with_seed(seed_with_near_ids(), 100, 30);
    h.reply_all();
    h.key(KeyCode::Char('/'));
    h.type_text("2000420");
    let selected = h.app.selected_user().map(|u| u.id.to_string());
    assert_eq!(selected.as_deref(), Some("2000420"));
    assert_eq!(
        h.app
            .known
            .cerego
            .get(h.app.cerego.list.visible()[0])
            .map(|u| u.id)
            .unwrap_or_default(),
        "2000420",
        "the exact match ranks first"
    );
    // Member ids match too, exactly first.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('/'));
    h.type_text("M-7001");
    assert_eq!(h.app.selected_user().map(|u| u.id), Some("2000204"));
    // An email, exactly.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('/'));
    h.type_text("u2000420@example.edu");
    assert_eq!(h.app.selected_user().map(|u| u.id), Some("2000420"));
}

// Item 8.
#[test]
fn slash_on_the_action_log_filters_the_log() {
    let mut h = Harness::demo(100, 30);
    to_hive(&mut h);
    for patron in ["user_abc123", "user_def456"] {
        h.key(KeyCode::Char('o'));
        h.type_text(patron);
        h.key(KeyCode::Enter);
        add_vip(&mut h);
    }
    h.reply_all();
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Pane::Log);
    h.key(KeyCode::Char('/'));
    assert_eq!(h.app.focus, Pane::Log, "the log keeps the keyboard");
    h.type_text("def456");
    assert_eq!(h.app.log.list.visible().len(), 1);
    let shown = &h.app.log.entries()[h.app.log.list.visible()[0]];
    assert_eq!(shown.op.target(), "user_def456");
    assert_eq!(
        h.app.log.list.selected_index(),
        Some(h.app.log.list.visible()[0])
    );
    let screen = h.screen();
    assert!(screen.contains("/def456 1 of 3"), "{screen}");
    // By outcome text too.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('/'));
    h.type_text("Successfully added");
    assert_eq!(h.app.log.list.visible().len(), 2);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert!(matches!(
        h.app.popup,
        Some(Popup::Inspector(Inspector { .. }))
    ));
}

// Item 10.
#[test]
fn at_60_columns_the_tags_table_keeps_the_value() {
    let mut h = Harness::demo(60, 20);
    let screen = h.screen();
    assert!(screen.contains("Value"), "{screen}");
    assert!(screen.contains("Gold"), "{screen}");
    assert!(!screen.contains("Updated"), "{screen}");
}

// Item 11.
#[test]
fn read_only_refuses_on_the_key_and_hides_the_hints() {
    let mut h = Harness::with_settings(Seed::demo(), 120, 30, |s| {
        s.demo = false;
        s.profile = "audit".into();
        s.policy.profile = "audit".into();
        s.policy.read_only = true;
    });
    h.reply_all();
    let screen = h.screen();
    let hints = screen.lines().last().unwrap_or_default().to_string();
    assert!(!hints.contains("add"), "{hints}");
    h.key(KeyCode::Tab);
    for key in ['a', 'e'] {
        h.key(KeyCode::Char(key));
        assert!(h.app.popup.is_none(), "{key}");
        assert!(status(&h).contains("read-only"), "{key}");
    }
    to_hive(&mut h);
    h.key(KeyCode::Tab);
    let hints = h.screen().lines().last().unwrap_or_default().to_string();
    assert!(
        !hints.contains("remove") && !hints.contains("add"),
        "{hints}"
    );
    for key in ['a', 'd', 'D'] {
        h.key(KeyCode::Char(key));
        assert!(h.app.popup.is_none(), "{key}");
    }
    assert!(h.pending.is_empty());
}

// Item 12: the same entry reads the same live and from the journal.
#[test]
fn an_entry_reads_the_same_live_and_from_history() {
    let mut h = Harness::demo(120, 30);
    let live = h.screen();
    let live_line = live
        .lines()
        .find(|l| l.contains("Cerego list"))
        .expect("the live listing")
        .to_string();
    let mut fresh = Harness::with_seed(Seed::demo(), 120, 30);
    let old = journaled_listing(&mut fresh);
    let mut g = Harness::demo(120, 30);
    g.app.log.clear();
    g.app.load_history(vec![old]);
    let history = g.screen();
    let history_line = history
        .lines()
        .find(|l| l.contains("Cerego list"))
        .expect("the journaled listing")
        .to_string();
    let tail = |l: &str| {
        l.split_once('✓')
            .map(|(_, t)| t.trim_end_matches('│').trim().to_string())
    };
    assert_eq!(tail(&live_line), tail(&history_line));
    assert_eq!(tail(&live_line).as_deref(), Some("200 36 users (1 page)"));
}

// Item 12: d on the Patrons pane does not remove what the Tags cursor points at.
#[test]
fn d_on_the_patron_list_asks_for_a_tag_first() {
    let mut h = Harness::demo(100, 30);
    to_hive(&mut h);
    h.key(KeyCode::Down);
    assert_eq!(h.app.focus, Pane::List);
    h.key(KeyCode::Char('d'));
    assert!(h.app.popup.is_none(), "no removal offered from the list");
    assert_eq!(h.app.focus, Pane::Tags);
    assert!(status(&h).contains("Choose the tag"), "{}", status(&h));
    h.key(KeyCode::Char('d'));
    assert!(matches!(h.app.popup, Some(Popup::Confirm(_))));
}

// Item 12: an identical request in flight is not sent again.
#[test]
fn an_identical_request_in_flight_is_not_sent_twice() {
    let mut h = Harness::demo(100, 30);
    to_hive(&mut h);
    for _ in 0..4 {
        add_vip(&mut h);
    }
    assert_eq!(h.pending.len(), 1);
    assert!(status(&h).contains("already in flight"), "{}", status(&h));
    h.reply_all();
    add_vip(&mut h);
    assert_eq!(h.pending.len(), 1, "once answered, it can be sent again");
}

// Item 12: help lists every key of an action; space marks and moves on.
#[test]
fn help_lists_second_keys_and_space_advances() {
    let mut h = Harness::demo(120, 40);
    h.key(KeyCode::Char('?'));
    let screen = h.screen();
    assert!(screen.contains("d/delete"), "{screen}");
    h.key(KeyCode::Esc);
    to_hive(&mut h);
    h.key(KeyCode::Down);
    let tags = h.app.selected_patron().map(|p| p.tags.len()).unwrap_or(0);
    assert!(tags >= 2);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char(' '));
    assert_eq!(h.app.hive.tag_selected, 1, "space moved to the next tag");
    assert_eq!(h.app.hive.marked.len(), 1);
    h.key(KeyCode::Char(' '));
    assert_eq!(h.app.hive.marked.len(), 2);
}

// Item 12: the inspector stops at its last line.
#[test]
fn the_inspector_does_not_scroll_past_its_end() {
    let mut h = Harness::demo(100, 30);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    h.key_mod(KeyCode::Char('G'), KeyModifiers::SHIFT);
    for _ in 0..3 {
        h.key(KeyCode::PageDown);
        h.key(KeyCode::Down);
    }
    let Some(Popup::Inspector(Inspector { scroll, key, .. })) = h.app.popup.clone() else {
        panic!("the inspector")
    };
    let max = tagdesk::tui::view::inspector_max_scroll(&h.app, &key);
    assert!(max > 0);
    assert_eq!(scroll, max, "stopped at the last line");
    // The last line of the body is on screen, and the one before the frame too.
    let screen = h.screen();
    assert!(screen.contains("\"total-count\": 36"), "{screen}");
    h.key(KeyCode::Char('g'));
    let Some(Popup::Inspector(Inspector { scroll, .. })) = h.app.popup.clone() else {
        panic!("the inspector")
    };
    assert_eq!(scroll, 0);
}

// Item 12: a long patron id is cut in the Tags title, the border stays.
#[test]
fn a_long_patron_id_is_cut_in_the_tags_title() {
    let mut h = Harness::demo(80, 24);
    to_hive(&mut h);
    let long = format!("patron_{}", "x".repeat(200));
    h.key(KeyCode::Char('o'));
    h.paste(&long);
    h.key(KeyCode::Enter);
    let screen = h.screen();
    let title = screen.lines().nth(1).expect("titles");
    assert!(title.ends_with('┐'), "{title}");
    assert_eq!(unicode_width::UnicodeWidthStr::width(title), 80, "{title}");
    assert!(title.contains('…'), "{title}");
}

// Item 12: the log's target column grows with the terminal.
#[test]
fn the_log_target_column_grows_with_the_terminal() {
    let mut h = Harness::demo(200, 30);
    to_hive(&mut h);
    let patron = "customer_success_escalation_01";
    h.key(KeyCode::Char('o'));
    h.type_text(patron);
    h.key(KeyCode::Enter);
    add_vip(&mut h);
    h.reply_all();
    let screen = h.screen();
    assert!(
        screen
            .lines()
            .any(|l| l.contains(&format!("Hive add      {patron}"))),
        "{screen}"
    );
}

// Item 12: a stale status goes with the next action; Hive replies leave one too.
#[test]
fn status_messages_follow_the_last_action() {
    let mut h = Harness::demo(100, 30);
    to_hive(&mut h);
    add_vip(&mut h);
    h.reply_all();
    let s = status(&h);
    assert!(
        s.contains("Hive add on user_abc123: Successfully added tags to patron."),
        "{s}"
    );
    h.key(KeyCode::Down);
    assert!(h.app.status.is_none(), "the next action clears it");
    // A remove says what it did too.
    h.key(KeyCode::Up);
    h.key_mod(KeyCode::Char('D'), KeyModifiers::SHIFT);
    h.type_text("vip");
    h.key(KeyCode::Enter);
    if matches!(h.app.popup, Some(Popup::Confirm(_))) {
        h.key(KeyCode::Char('y'));
    }
    h.reply_all();
    let s = status(&h);
    assert!(
        s.contains("Hive remove on user_abc123: Successfully removed tags from patron."),
        "{s}"
    );
}

// Item 12: g / G in the profile picker.
#[test]
fn first_and_last_work_in_the_profile_picker() {
    let mut h = Harness::with_settings(Seed::demo(), 100, 30, |s| {
        s.profile = "b".into();
        s.profiles = vec!["a".into(), "b".into(), "c".into(), "d".into()];
    });
    h.reply_all();
    h.key_mod(KeyCode::Char('P'), KeyModifiers::SHIFT);
    h.key_mod(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert!(matches!(
        h.app.popup,
        Some(Popup::Profiles(Profiles { selected: 3 }))
    ));
    h.key(KeyCode::Char('g'));
    assert!(matches!(
        h.app.popup,
        Some(Popup::Profiles(Profiles { selected: 0 }))
    ));
    h.key(KeyCode::Enter);
    assert_eq!(h.switched.as_deref(), Some("a"));
}

// Item 13 (console): bidi and zero-width characters are shown escaped.
#[test]
fn hostile_characters_are_escaped_on_screen() {
    let mut seed = Seed::demo();
    seed.cerego.users[0].name = "Ad\u{202e}a \u{200b}Lovelace\u{2066}".into();
    let mut h = Harness::with_seed(seed, 100, 30);
    h.reply_all();
    h.draw();
    let buffer = h.terminal.backend().buffer().clone();
    for cell in buffer.content.iter() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(tagdesk::core::printable::is_risky),
            "{cell:?}"
        );
    }
    let screen = h.screen();
    assert!(screen.contains("Ad\\u{202e}a"), "{screen}");
}

// Item 19 (console): an outcome the journal could not keep is said on screen.
#[test]
fn an_unjournaled_outcome_is_reported_on_screen() {
    let mut h = Harness::demo(120, 30);
    to_hive(&mut h);
    add_vip(&mut h);
    let request = h.pending.remove(0);
    let mut reply = h.answer(&request);
    reply.journal_error = Some(
        "the outcome of \"Hive: add vip to patron user_abc123\" (journal id x) could not be written to the journal: No space left on device".into(),
    );
    h.send(Message::Reply(Box::new(reply)));
    let (level, text) = h.app.status.clone().expect("a status");
    assert_eq!(level, Level::Error);
    assert!(
        text.contains("could not be written to the journal"),
        "{text}"
    );
    assert!(h.screen().contains("NOT JOURNALED"));
}

// Item 26 (console): a Cerego add that may have landed says so.
#[test]
fn a_dropped_cerego_add_says_the_tag_may_exist() {
    let mut h = Harness::demo(120, 30);
    h.key(KeyCode::Char('a'));
    h.type_text("Spring");
    h.key(KeyCode::Enter);
    let request = h.pending.remove(0);
    let mut reply = h.answer(&request);
    reply.result = Err(tagdesk::core::op::ApiError::Network {
        message: "connection reset by peer".into(),
        connect: false,
    });
    h.send(Message::Reply(Box::new(reply)));
    let s = status(&h);
    assert!(
        s.contains("may have been created") && s.contains("reload the user (r)"),
        "{s}"
    );
    assert!(!s.contains("could not reach the server"), "{s}");
}

// Item 16 (console): a listing cut by a limit says so.
#[test]
fn a_cut_listing_says_so_on_screen() {
    let mut h = Harness::with_seed(Seed::demo(), 120, 30);
    let request = h.pending.remove(0);
    let mut reply = h.answer(&request);
    if let Ok(tagdesk::core::op::Output::Users(list)) = &mut reply.result {
        list.users.truncate(10);
        list.listed = 10;
        list.total_count = Some(1_000_000);
        list.cut = Some("stopped at 10 users, the max_users limit ([limits] in the configuration); the partner has 1000000".into());
    }
    h.send(Message::Reply(Box::new(reply)));
    let screen = h.screen();
    assert!(screen.contains("10 of 1000000"), "{screen}");
    let s = status(&h);
    assert!(
        s.contains("max_users") && s.contains("look up others"),
        "{s}"
    );
}

// Item 2: nothing new is sent while a switch resolves (the switch would abandon it).
#[test]
fn nothing_new_is_sent_while_a_switch_resolves() {
    let mut h = with_profiles(&["demo", "slow"]);
    h.send(Message::Switching {
        profile: "slow".into(),
        command: true,
    });
    to_hive(&mut h);
    add_vip(&mut h);
    h.key(KeyCode::Char('r'));
    assert!(h.pending.is_empty(), "nothing sent during the switch");
    assert!(h.screen().contains("nothing new is sent meanwhile"));
    h.send(Message::SwitchFailed {
        profile: "slow".into(),
        reason: "no key".into(),
    });
    add_vip(&mut h);
    assert_eq!(
        h.pending.len(),
        1,
        "after the switch failed, requests go out again"
    );
}
