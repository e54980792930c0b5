//! The inspector people work in (issue 11, item 7): n / p (and j / k past the edges) move
//! between entries without closing; a MISMATCH shows where the server's message differs
//! from the documented one; y copies (OSC 52) the command, a curl line without the key,
//! the response or the id; r re-sends through the write gate as a new entry.

mod support;

use base64::Engine as _;
use ratatui::crossterm::event::KeyCode;
use support::Harness;
use tagdesk::core::op::Op;
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::Pane;
use tagdesk::tui::popups::{CopyMenu, Inspector, Popup};

fn add(h: &mut Harness, fields: &str) {
    h.key(KeyCode::Char('a'));
    h.type_text(fields);
    h.key(KeyCode::Enter);
}

/// The demo on the Hive tab with three answered adds on user_abc123, the log focused and
/// the first of them selected.
fn three_entries(size: (u16, u16)) -> Harness {
    let mut h = Harness::demo(size.0, size.1);
    h.key(KeyCode::Char('2'));
    for fields in ["vip", "newsletter", "bogus"] {
        add(&mut h, fields);
        h.reply_all();
    }
    while h.app.focus != Pane::Log {
        h.key(KeyCode::Tab);
    }
    h
}

fn inspected(h: &Harness) -> Option<String> {
    match &h.app.popup {
        Some(Popup::Inspector(Inspector { key, .. })) => Some(key.clone()),
        _ => None,
    }
}

fn describe(h: &Harness, key: &str) -> String {
    h.app
        .log
        .get(key)
        .map(|e| e.op.describe())
        .unwrap_or_default()
}

#[test]
fn n_and_p_move_between_entries_without_closing() {
    let mut h = three_entries((120, 40));
    h.key(KeyCode::Up);
    h.key(KeyCode::Up);
    h.key(KeyCode::Enter);
    let first = inspected(&h).expect("the inspector");
    assert!(
        describe(&h, &first).contains("add vip"),
        "{}",
        describe(&h, &first)
    );
    h.key(KeyCode::Char('n'));
    let second = inspected(&h).expect("still open");
    assert!(describe(&h, &second).contains("add newsletter"));
    h.key(KeyCode::Char('n'));
    let third = inspected(&h).unwrap();
    assert!(describe(&h, &third).contains("add bogus"));
    // Past the last entry it stays, and says so.
    h.key(KeyCode::Char('n'));
    assert_eq!(inspected(&h).as_deref(), Some(third.as_str()));
    assert!(h.screen().contains("last entry of the log"));
    h.key(KeyCode::Char('p'));
    assert_eq!(inspected(&h), Some(second.clone()));
    // The log's selection follows, so closing leaves the operator where they were.
    h.key(KeyCode::Esc);
    assert_eq!(
        h.app.log.selected().map(|e| e.key.clone()),
        Some(second.clone())
    );
    // k at the top of an entry goes to the previous one; j at the bottom to the next.
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('k'));
    assert_eq!(inspected(&h), Some(first.clone()));
    let mut presses = 0;
    while inspected(&h).as_ref() == Some(&first) && presses < 200 {
        h.key(KeyCode::Char('j'));
        presses += 1;
    }
    assert!(presses > 1, "j scrolls the entry first");
    assert_eq!(inspected(&h), Some(second));
}

/// A server whose add message differs by one character from the documented one.
fn mismatch(size: (u16, u16)) -> Harness {
    let mut h = Harness::demo(size.0, size.1);
    h.key(KeyCode::Char('2'));
    add(&mut h, "newsletter");
    let request = h.pending.remove(0);
    let mut reply = h.answer(&request);
    let exchange = &mut reply.exchanges[0];
    let body = exchange
        .response_body
        .as_ref()
        .unwrap()
        .replace("already exist on patron", "already exists on patron");
    exchange.response_body = Some(body.clone());
    reply.result = tagdesk::core::op::interpret(&request.op, 200, body.as_bytes());
    h.send(tagdesk::tui::app::Message::Reply(Box::new(reply)));
    while h.app.focus != Pane::Log {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Enter);
    h
}

#[test]
fn a_mismatch_shows_where_the_message_differs_at_three_sizes() {
    for size in [(80, 24), (120, 40), (200, 50)] {
        let mut h = mismatch(size);
        // Scroll to the outcome: the difference is readable without colour.
        let mut screen = h.screen();
        for _ in 0..20 {
            if screen.contains("difference") && screen.contains(" MISMATCH ") {
                break;
            }
            h.key(KeyCode::Down);
            screen = h.screen();
        }
        assert!(screen.contains("MISMATCH"), "{screen}");
        assert!(
            screen.contains("already exist{+s+} on"),
            "the one added character is marked: {screen}"
        );
        insta::assert_snapshot!(format!("inspector_mismatch_{}x{}", size.0, size.1), screen);
    }
}

fn decoded(osc52: &str) -> String {
    let payload = osc52
        .strip_prefix("\x1b]52;c;")
        .and_then(|s| s.strip_suffix('\x07'))
        .expect("an OSC 52 sequence");
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(payload)
            .expect("base64"),
    )
    .expect("utf-8")
}

#[test]
fn y_copies_a_curl_line_that_names_the_key_variable_never_the_key() {
    let mut h = Harness::with_settings(Seed::demo(), 120, 40, |s| {
        s.place = tagdesk::core::op::Place::of("staging", false);
    });
    h.reply_all();
    h.key(KeyCode::Char('2'));
    add(&mut h, "vip");
    h.reply_all();
    while h.app.focus != Pane::Log {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('y'));
    assert!(matches!(h.app.popup, Some(Popup::Copy(CopyMenu { .. }))));
    let menu = h.screen();
    for what in [
        "the command line",
        "the request as curl",
        "the response body",
        "the patron id",
    ] {
        assert!(menu.contains(what), "{what}: {menu}");
    }
    // The command line first.
    h.key(KeyCode::Enter);
    assert_eq!(
        decoded(&h.copied[0]),
        "tagdesk --profile staging hive add user_abc123 vip"
    );
    assert!(
        matches!(h.app.popup, Some(Popup::Inspector(Inspector { .. }))),
        "back to the inspector"
    );
    // Then curl.
    h.key(KeyCode::Char('y'));
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    let curl = decoded(&h.copied[1]);
    assert_eq!(
        curl,
        "curl -sS -X POST http://sim.test/api/v1/user_tags/add \
         -H \"Authorization: token $TAGDESK_HIVE_API_KEY\" \
         -H 'Content-Type: application/json' \
         --data '{\"patron_id\":\"user_abc123\",\"user_tags_api_fields\":[\"vip\"]}'"
    );
    assert!(!curl.contains(tagdesk::sim::DEFAULT_HIVE_KEY));
    // The response body and the patron id.
    h.key(KeyCode::Char('y'));
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert!(decoded(&h.copied[2]).contains("\"added_tag_ids\":[\"vip\"]"));
    h.key(KeyCode::Char('y'));
    h.key(KeyCode::End);
    h.key(KeyCode::Enter);
    assert_eq!(decoded(&h.copied[3]), "user_abc123");
    assert!(h.screen().contains("Copied the patron id"));
}

#[test]
fn r_resends_through_the_gate_as_a_new_entry() {
    let mut h = three_entries((120, 40));
    h.key(KeyCode::Enter);
    let original = inspected(&h).unwrap();
    let op = h.app.log.get(&original).unwrap().op.clone();
    let before = h.app.log.len();
    // A change is sent again only after a question naming it and its target.
    h.key(KeyCode::Char('r'));
    assert!(
        matches!(h.app.popup, Some(Popup::Confirm(_))),
        "it asks first"
    );
    let screen = h.screen();
    assert!(screen.contains("Send Hive add again?"), "{screen}");
    assert!(
        screen.contains(&format!("Target:  {}", op.target())),
        "{screen}"
    );
    assert_eq!(h.app.log.len(), before, "nothing sent before the answer");
    assert!(h.pending.is_empty());
    h.key(KeyCode::Char('n'));
    assert!(h.pending.is_empty(), "no: nothing is sent");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('y'));
    assert_eq!(h.app.log.len(), before + 1, "a new entry");
    assert_eq!(h.pending.len(), 1);
    assert_eq!(h.pending[0].op, op);
    let new = inspected(&h).expect("the inspector follows the new entry");
    assert_ne!(new, original);
    h.reply_all();
    // A confirm profile asks first; a read-only one refuses and sends nothing.
    let mut confirm = Harness::with_settings(Seed::demo(), 120, 40, |s| s.policy.confirm = true);
    confirm.reply_all();
    confirm.key(KeyCode::Char('2'));
    add(&mut confirm, "vip");
    confirm.key(KeyCode::Char('y'));
    confirm.reply_all();
    while confirm.app.focus != Pane::Log {
        confirm.key(KeyCode::Tab);
    }
    confirm.key(KeyCode::Enter);
    confirm.key(KeyCode::Char('r'));
    assert!(
        matches!(confirm.app.popup, Some(Popup::Confirm(_))),
        "the gate asks"
    );
    assert!(
        confirm.screen().contains("asks for confirmation"),
        "the question names the profile's rule"
    );
    assert!(confirm.pending.is_empty());
    confirm.key(KeyCode::Char('y'));
    assert!(matches!(confirm.pending[0].op, Op::HiveAdd { .. }));

    let mut ro = Harness::with_settings(Seed::demo(), 120, 40, |s| s.policy.read_only = true);
    ro.reply_all();
    while ro.app.focus != Pane::Log {
        ro.key(KeyCode::Tab);
    }
    // The start-up listing is a read: re-sending it is offered as a reload instead.
    ro.key(KeyCode::Enter);
    ro.key(KeyCode::Char('r'));
    assert!(ro.pending.is_empty());
}

/// The demo's add of newsletter (already on the patron) answered with `message`.
fn answered_with(size: (u16, u16), message: &str) -> Harness {
    let mut h = Harness::demo(size.0, size.1);
    h.key(KeyCode::Char('2'));
    add(&mut h, "newsletter");
    let request = h.pending.remove(0);
    let mut reply = h.answer(&request);
    let exchange = &mut reply.exchanges[0];
    let documented = "No tags were added. All tags already exist on patron.";
    let body = exchange
        .response_body
        .as_ref()
        .unwrap()
        .replace(documented, message);
    assert_ne!(&body, exchange.response_body.as_ref().unwrap());
    exchange.response_body = Some(body.clone());
    reply.result = tagdesk::core::op::interpret(&request.op, 200, body.as_bytes());
    h.send(tagdesk::tui::app::Message::Reply(Box::new(reply)));
    while h.app.focus != Pane::Log {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Enter);
    h
}

/// The inspector scrolled until `text` shows (or as far as it goes).
fn scrolled_to(h: &mut Harness, text: &str) -> String {
    let mut screen = h.screen();
    for _ in 0..30 {
        if screen.contains(text) {
            break;
        }
        h.key(KeyCode::Down);
        screen = h.screen();
    }
    screen
}

#[test]
fn another_scenarios_message_is_named_before_the_word_difference() {
    let mut h = answered_with((200, 50), "Successfully added tags to patron.");
    let screen = scrolled_to(&mut h, " MISMATCH ");
    let lead = "the server sent the documented message of \"all tags added\"; the arrays say \
                \"all tags already exist\"";
    let at_lead = screen.find(lead).unwrap_or_else(|| panic!("{screen}"));
    let at_difference = screen.find("difference").expect("the difference");
    assert!(at_lead < at_difference, "said first: {screen}");
    assert!(
        screen.contains(
            "[-No tags were -]{+Successfully +}added[-. All-] tags [-already exist on -]{+to +}patron."
        ),
        "word by word: {screen}"
    );
    assert!(screen.contains("by word: [-…-]"), "{screen}");
    // A one-character slip names no scenario and stays character by character.
    let mut h = answered_with(
        (200, 50),
        "No tags were added. All tags already exist on patron!",
    );
    let screen = scrolled_to(&mut h, " MISMATCH ");
    assert!(
        !screen.contains("the server sent the documented"),
        "{screen}"
    );
    assert!(screen.contains("on patron[-.-]{+!+}"), "{screen}");
    assert!(screen.contains("by character: [-…-]"), "{screen}");
}

#[test]
fn e_edits_the_change_before_sending_it_again() {
    let mut h = three_entries((120, 40));
    h.key(KeyCode::Enter);
    let original = inspected(&h).unwrap();
    assert!(describe(&h, &original).contains("add bogus"));
    let before = h.app.log.len();
    assert!(h.screen().contains("r re-send · e edit"), "{}", h.screen());
    // The add form, filled with the entry's operation, patron and api_fields.
    h.key(KeyCode::Char('e'));
    let Some(Popup::Form(form)) = &h.app.popup else {
        panic!("the form: {:?}", h.app.popup);
    };
    assert_eq!(form.input.value(), "bogus");
    let screen = h.screen();
    assert!(screen.contains("Add Hive tags to user_abc123"), "{screen}");
    assert!(screen.contains("Edited from the inspector"), "{screen}");
    // Esc goes back to the inspector, sending nothing.
    h.key(KeyCode::Esc);
    assert_eq!(inspected(&h), Some(original.clone()));
    assert!(h.pending.is_empty());
    // Edited, Enter asks first, naming the edited change.
    h.key(KeyCode::Char('e'));
    for _ in 0.."bogus".len() {
        h.key(KeyCode::Backspace);
    }
    h.type_text("beta_tester vip");
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.app.popup, Some(Popup::Confirm(_))),
        "a re-sent change always asks: {:?}",
        h.app.popup
    );
    let screen = h.screen();
    assert!(screen.contains("Send the edited Hive add?"), "{screen}");
    assert!(
        screen.contains("Hive: add beta_tester, vip to patron user_abc123"),
        "{screen}"
    );
    assert!(h.pending.is_empty(), "nothing is sent before the answer");
    h.key(KeyCode::Char('y'));
    assert_eq!(h.app.log.len(), before + 1, "a new entry");
    assert_eq!(h.pending.len(), 1);
    let Op::HiveAdd { patron, fields } = &h.pending[0].op else {
        panic!("{:?}", h.pending[0].op);
    };
    assert_eq!(patron.as_str(), "user_abc123");
    let fields: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
    assert_eq!(fields, ["beta_tester", "vip"]);
    let new = inspected(&h).expect("the inspector follows the new entry");
    assert_ne!(new, original);
    assert!(
        describe(&h, &original).contains("add bogus"),
        "the entry shown stays as it was"
    );
}

#[test]
fn e_on_an_entry_that_is_no_hive_change_says_what_r_does() {
    let mut h = Harness::demo(120, 40);
    h.reply_all();
    while h.app.focus != Pane::Log {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Home);
    h.key(KeyCode::Enter);
    assert!(inspected(&h).is_some());
    h.key(KeyCode::Char('e'));
    assert!(inspected(&h).is_some(), "it stays");
    assert!(
        h.screen()
            .contains("Only a Hive add or remove can be edited before it is sent again"),
        "{}",
        h.screen()
    );
}
