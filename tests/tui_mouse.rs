//! The mouse on TestBackend: clicks and the wheel resolved on the screen as drawn (the
//! loop's own `view::hits` and `mouse::Pointer`), then handled by the real App — tabs,
//! panes and rows, the log's inspector, popup buttons through the write gate, the scenario
//! picker — and the opt-out (`mouse = false`, `--no-mouse`).

mod support;

use clap::Parser;
use ratatui::crossterm::event::KeyCode;
use support::Harness;
use tagdesk::core::op::Op;
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::{Level, Pane, Tab};
use tagdesk::tui::mouse::Target;
use tagdesk::tui::popups::{Confirm, Help, Inspector, OnYes, Popup, Profiles, Scenarios};

const SIZE: (u16, u16) = (120, 40);

fn demo() -> Harness {
    Harness::demo(SIZE.0, SIZE.1)
}

/// Clicks the topmost spot of `target`; panics with the screen when there is none.
fn click_on(h: &mut Harness, target: &Target) {
    let Some((x, y)) = h.hits().find(target) else {
        panic!("no {target:?} on the screen:\n{}", h.screen());
    };
    h.click(x, y);
}

fn sends(h: &Harness) -> Vec<Op> {
    h.pending.iter().map(|r| r.op.clone()).collect()
}

fn status(h: &Harness) -> String {
    h.app
        .status
        .as_ref()
        .map(|(_, s)| s.clone())
        .unwrap_or_default()
}

fn log_key(h: &Harness, at: usize) -> String {
    h.app.log.entries()[at].key.clone()
}

#[test]
fn a_click_on_a_tab_switches_to_it() {
    let mut h = demo();
    h.click_text("2 Hive");
    assert_eq!(h.app.tab, Tab::Hive);
    assert!(h.screen().contains("Patrons"));
    h.click_text("1 Cerego");
    assert_eq!(h.app.tab, Tab::Cerego);
    // The profile badge beside the tabs is not a tab.
    h.click_text("profile: demo");
    assert_eq!(h.app.tab, Tab::Cerego);
    // At 60 columns the badges take most of the header: the tabs still answer.
    let mut narrow = Harness::demo(60, 20);
    narrow.click_text("2 Hive");
    assert_eq!(narrow.app.tab, Tab::Hive);
}

#[test]
fn a_click_focuses_the_pane_and_selects_the_row_in_each_pane() {
    let mut h = demo();
    // Users.
    h.click_text("Alan Turing");
    assert_eq!(h.app.focus, Pane::List);
    assert_eq!(h.app.selected_user().map(|u| u.id), Some("1185317"));
    assert!(h.screen().contains("Tags · Alan Turing"));
    // Its tags: the second one.
    let second = h
        .app
        .selected_user()
        .and_then(|u| u.tags.get(1).map(|t| t.to_tag(u.id)))
        .expect("a tag");
    click_on(
        &mut h,
        &Target::Row {
            tab: Tab::Cerego,
            pane: Pane::Tags,
            key: second.id.clone(),
        },
    );
    assert_eq!(h.app.focus, Pane::Tags);
    assert_eq!(h.app.cerego.tag_selected, 1);
    // The log's entry.
    h.click_text("Cerego list");
    assert_eq!(h.app.focus, Pane::Log);
    assert_eq!(
        h.app.log.selected().map(|e| e.key.clone()),
        Some(log_key(&h, 0))
    );
    assert!(h.app.popup.is_none(), "the first click only selects");
    // A pane's border focuses it, and selects nothing else.
    h.click(0, 10);
    assert_eq!(h.app.focus, Pane::List);
    assert_eq!(h.app.selected_user().map(|u| u.id), Some("1185317"));

    // Patrons and their tags.
    h.click_text("2 Hive");
    let patron = h.app.known.hive.patrons()[3].id.to_string();
    h.click_text(&patron);
    assert_eq!(
        h.app.selected_patron().map(|p| p.id.to_string()),
        Some(patron.clone())
    );
    let tags: Vec<String> = h
        .app
        .selected_patron()
        .map(|p| p.tags.iter().map(|t| t.api_field.clone()).collect())
        .unwrap_or_default();
    let last = tags.last().expect("the patron has tags").clone();
    click_on(
        &mut h,
        &Target::Row {
            tab: Tab::Hive,
            pane: Pane::Tags,
            key: last,
        },
    );
    assert_eq!(h.app.focus, Pane::Tags);
    assert_eq!(h.app.hive.tag_selected, tags.len() - 1);
}

#[test]
fn a_click_selects_the_row_drawn_there_in_a_scrolled_list() {
    let mut h = Harness::demo(80, 24);
    h.key(KeyCode::Char('G'));
    let last = h.app.selected_user().map(|u| u.id.to_string());
    // The list scrolled: its first row on screen is not the first user.
    let screen = h.screen();
    let top = screen.lines().nth(2).expect("the first row").to_string();
    assert!(!top.contains("Ada Lovelace"), "{screen}");
    h.click(3, 2);
    let chosen = h.app.selected_user().map(|u| u.to_user()).expect("a user");
    assert_ne!(Some(chosen.id.clone()), last);
    let name = chosen.name.unwrap_or_default();
    assert!(top.contains(&name), "clicked {top:?}, selected {name}");
    // With a filter the rows are the matches.
    h.key(KeyCode::Char('/'));
    h.type_text("knuth");
    h.key(KeyCode::Enter);
    h.click_text("Donald Knuth");
    assert_eq!(
        h.app.selected_user().and_then(|u| u.name),
        Some("Donald Knuth")
    );
}

#[test]
fn the_wheel_moves_what_is_under_the_pointer_by_three() {
    let mut h = demo();
    let (x, y) = h.find("Grace Hopper").expect("the list");
    h.wheel(x, y, true);
    assert_eq!(h.app.cerego.list.selected(), 3);
    h.wheel(x, y, true);
    h.wheel(x, y, false);
    assert_eq!(h.app.cerego.list.selected(), 3);
    // Over the log, the log moves and the list keeps the keyboard.
    for _ in 0..4 {
        h.key(KeyCode::Char('r'));
        h.reply_all();
    }
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('g'));
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Pane::List);
    let (x, y) = h.find("Cerego list").expect("the log");
    h.wheel(x, y, true);
    assert_eq!(h.app.log.list.selected(), 3);
    assert_eq!(
        h.app.focus,
        Pane::List,
        "the wheel does not take the keyboard"
    );
    // Over the help, the help scrolls (at a size where it has to).
    let mut small = Harness::demo(80, 24);
    small.key(KeyCode::Char('?'));
    small.wheel(40, 12, true);
    assert!(matches!(
        small.app.popup,
        Some(Popup::Help(Help { scroll: 3, .. }))
    ));
    small.wheel(40, 12, false);
    assert!(matches!(
        small.app.popup,
        Some(Popup::Help(Help { scroll: 0, .. }))
    ));
}

#[test]
fn clicking_the_selected_log_entry_or_double_clicking_one_opens_the_inspector() {
    let mut h = demo();
    let key = log_key(&h, 0);
    h.click_text("Cerego list");
    assert!(h.app.popup.is_none());
    // The log grew when it took the keyboard: the entry is found where it is now.
    h.click_text("Cerego list");
    assert!(
        matches!(&h.app.popup, Some(Popup::Inspector(Inspector { key: k, .. })) if *k == key),
        "{:?}",
        h.app.popup
    );
    assert!(h.screen().contains("Inspector"));
    // The wheel scrolls it; a click outside closes it (it is read-only).
    let (x, y) = h.find("Inspector").expect("the inspector");
    h.wheel(x, y + 3, true);
    assert!(matches!(
        h.app.popup,
        Some(Popup::Inspector(Inspector { .. }))
    ));
    h.click(0, 0);
    assert!(
        h.app.popup.is_none(),
        "a click outside closes the inspector"
    );
    assert_eq!(h.app.tab, Tab::Cerego);

    // A double click on an entry of a log that did not have the keyboard opens it at once,
    // though the log grows under the pointer between the two clicks.
    let mut d = demo();
    let key = log_key(&d, 0);
    let (x, y) = d.find("Cerego list").expect("the log");
    d.double_click(x, y);
    assert!(matches!(&d.app.popup, Some(Popup::Inspector(Inspector { key: k, .. })) if *k == key));
}

#[test]
fn a_popup_takes_the_pointer_from_the_screen_beneath() {
    let mut h = demo();
    h.key(KeyCode::Char('a'));
    assert!(matches!(h.app.popup, Some(Popup::Form(_))));
    // A tab and a user under the form's shadow: nothing happens, the form stays.
    h.click_text("2 Hive");
    assert_eq!(h.app.tab, Tab::Cerego);
    h.click(3, 20);
    assert!(
        matches!(h.app.popup, Some(Popup::Form(_))),
        "a form is not closed by a stray click"
    );
    assert_eq!(h.app.cerego.list.selected(), 0);
    // Its cancel hint closes it, as esc does.
    h.click_text("esc cancel");
    assert!(h.app.popup.is_none());
}

#[test]
fn a_form_submits_from_its_hint_through_the_same_path_as_enter() {
    let mut h = demo();
    h.click_text("2 Hive");
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.click_text("enter submit");
    assert!(h.app.popup.is_none());
    assert!(
        matches!(sends(&h).as_slice(), [Op::HiveAdd { fields, .. }] if fields.len() == 1),
        "{:?}",
        sends(&h)
    );
}

#[test]
fn the_status_line_hints_are_clickable() {
    let mut h = demo();
    h.click_text("? help");
    assert!(matches!(h.app.popup, Some(Popup::Help(Help { .. }))));
    h.click(0, 0);
    assert!(h.app.popup.is_none(), "a click outside closes the help");
    h.click_text("tab pane");
    assert_eq!(h.app.focus, Pane::Tags);
}

/// A Cerego edit on a `confirm = true` profile: the dialog asks before anything is sent.
fn confirming() -> Harness {
    let mut h = Harness::with_settings(Seed::demo(), SIZE.0, SIZE.1, |s| {
        s.demo = false;
        s.profile = "prod".into();
        s.place = tagdesk::core::op::Place::of("prod", false);
        s.policy.profile = "prod".into();
        s.policy.confirm = true;
    });
    h.reply_all();
    h.click_text("Gold");
    h.key(KeyCode::Char('e'));
    h.type_text("-plus");
    h.click_text("enter submit");
    assert!(
        matches!(h.app.popup, Some(Popup::Confirm(_))),
        "a confirm profile asks, clicked or not:\n{}",
        h.screen()
    );
    assert!(h.pending.is_empty(), "nothing is sent before the answer");
    h
}

#[test]
fn a_confirm_dialogs_buttons_answer_it_as_its_keys_do() {
    let mut h = confirming();
    h.click_text("n  cancel");
    assert!(h.app.popup.is_none());
    assert!(h.pending.is_empty());
    assert_eq!(status(&h), "Cancelled: nothing was sent.");

    let mut h = confirming();
    // The dialog's text is not a button.
    h.click_text("cerego update");
    assert!(matches!(h.app.popup, Some(Popup::Confirm(_))));
    assert!(h.pending.is_empty());
    h.click_text("y  send");
    assert!(h.app.popup.is_none());
    assert!(
        matches!(sends(&h).as_slice(), [Op::CeregoUpdate { .. }]),
        "{:?}",
        sends(&h)
    );

    // A double click on the button is one press, not two.
    let mut h = confirming();
    let (x, y) = h.find("y  send").expect("the button");
    h.double_click(x, y);
    assert_eq!(sends(&h).len(), 1, "{:?}", sends(&h));
}

#[test]
fn a_clicked_yes_still_goes_through_the_write_gate() {
    // A read-only profile refuses even a dialog's clicked yes: the click is its key, and the
    // key's path ends at the gate.
    let mut h = Harness::with_settings(Seed::demo(), SIZE.0, SIZE.1, |s| {
        s.policy.read_only = true;
    });
    h.reply_all();
    h.click_text("2 Hive");
    let patron = h
        .app
        .selected_patron()
        .map(|p| p.id.clone())
        .expect("a patron");
    h.app.popup = Some(Popup::Confirm(Confirm {
        title: " Remove Hive tags? ".into(),
        lines: vec!["a dialog that would send".into()],
        yes: "remove".into(),
        on_yes: OnYes::Send(Op::HiveAdd {
            patron,
            fields: vec!["vip".parse().expect("api_field")],
        }),
    }));
    h.click_text("y  remove");
    assert!(h.pending.is_empty(), "{:?}", sends(&h));
    assert!(
        matches!(&h.app.status, Some((Level::Error, s)) if s.contains("read-only")),
        "{:?}",
        h.app.status
    );
}

#[test]
fn the_quit_dialogs_buttons() {
    let mut h = demo();
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('q'));
    assert!(matches!(h.app.popup, Some(Popup::Quit(_))));
    h.click_text("esc  stay");
    assert!(h.app.popup.is_none() && !h.quit);
    h.key(KeyCode::Char('q'));
    h.click_text("wait, then quit");
    assert!(h.app.quit_when_idle && !h.quit);
    h.reply_all();
    assert!(h.quit, "quits once the request has its outcome");

    let mut h = demo();
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('q'));
    h.click_text("abandon and quit");
    assert!(h.quit);
}

#[test]
fn the_scenario_picker_takes_clicks_on_its_rows() {
    let mut h = demo();
    h.key(KeyCode::Char('S'));
    let Some(Popup::Scenarios(Scenarios { selected })) = h.app.popup else {
        panic!("the picker");
    };
    assert_eq!(selected, 0);
    // A click on another row selects it; nothing is played.
    let third = tagdesk::core::playground::plays()[2].title.clone();
    h.click_text(&third);
    assert!(matches!(
        h.app.popup,
        Some(Popup::Scenarios(Scenarios { selected: 2 }))
    ));
    assert!(h.pending.is_empty());
    // The wheel moves the selection.
    let (x, y) = h.find(&third).expect("the row");
    h.wheel(x, y, true);
    assert!(matches!(
        h.app.popup,
        Some(Popup::Scenarios(Scenarios { selected: 5 }))
    ));
    h.wheel(x, y, false);
    // A click on the selected row plays it: the simulator is set up, the request sent.
    h.click_text(&third);
    assert!(h.app.popup.is_none());
    assert_eq!(h.pending.len(), 1, "{:?}", sends(&h));
    assert!(
        h.app
            .play
            .played
            .contains(&tagdesk::core::playground::plays()[2].key)
    );

    // A double click plays another row at once; the hint's close closes.
    h.reply_all();
    h.key(KeyCode::Char('S'));
    let fifth = tagdesk::core::playground::plays()[4].title.clone();
    let (x, y) = h.find(&fifth).expect("the row");
    h.double_click(x, y);
    assert!(h.app.popup.is_none());
    assert_eq!(h.pending.len(), 1, "{:?}", sends(&h));
    h.reply_all();
    h.key(KeyCode::Char('S'));
    h.click_text("esc close");
    assert!(h.app.popup.is_none());
    assert!(h.pending.is_empty());
}

#[test]
fn a_play_clicked_on_a_confirm_profile_still_asks() {
    let mut h = Harness::with_settings(Seed::demo(), SIZE.0, SIZE.1, |s| {
        s.policy.confirm = true;
    });
    h.reply_all();
    h.key(KeyCode::Char('S'));
    let first = tagdesk::core::playground::plays()[0].title.clone();
    h.click_text(&first);
    assert!(h.pending.is_empty(), "{:?}", sends(&h));
    assert!(
        matches!(h.app.popup, Some(Popup::Confirm(_))),
        "{:?}",
        h.app.popup
    );
    h.click_text("y  send");
    assert_eq!(h.pending.len(), 1);
}

#[test]
fn the_profile_picker_takes_clicks() {
    let mut h = Harness::with_settings(Seed::demo(), SIZE.0, SIZE.1, |s| {
        s.profiles = vec!["demo".into(), "staging".into()];
    });
    h.reply_all();
    h.key(KeyCode::Char('P'));
    h.click_text("staging");
    assert!(matches!(
        h.app.popup,
        Some(Popup::Profiles(Profiles { selected: 1 }))
    ));
    assert!(h.switched.is_none());
    h.click_text("staging");
    assert_eq!(h.switched.as_deref(), Some("staging"));
}

#[test]
fn a_click_leaves_a_filter_line_being_typed_in() {
    let mut h = demo();
    h.key(KeyCode::Char('/'));
    h.type_text("ada");
    h.click_text("2 Hive");
    assert_eq!(
        h.app.tab,
        Tab::Hive,
        "the click is not typed into the filter"
    );
    h.click_text("1 Cerego");
    assert_eq!(h.app.cerego.list.filter.text(), "ada", "the filter is kept");
    assert!(!h.app.cerego.list.filter.editing);
}

#[test]
fn hits_name_each_row_drawn_and_nothing_off_screen() {
    for (w, hgt) in [(60, 16), (80, 24), (120, 40), (200, 50)] {
        let mut h = Harness::demo(w, hgt);
        for (area, target) in h.hits().spots() {
            assert!(
                area.right() <= w && area.bottom() <= hgt,
                "{w}x{hgt}: {target:?} at {area:?}"
            );
        }
        let rows = h
            .hits()
            .spots()
            .iter()
            .filter(|(_, t)| {
                matches!(
                    t,
                    Target::Row {
                        pane: Pane::List,
                        ..
                    }
                )
            })
            .count();
        assert!(rows > 0 && rows < 36, "{w}x{hgt}: {rows} rows");
    }
    // Too small to draw: nothing to click.
    let mut tiny = Harness::demo(40, 10);
    assert!(tiny.hits().spots().is_empty());
}

#[test]
fn mouse_false_in_the_file_or_no_mouse_turns_the_mouse_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    let profile = "[profiles.p.hive]\napi_key_env = \"NOPE\"\n";
    let mouse = |text: &str, no_mouse: bool| {
        std::fs::write(&path, text).expect("config");
        let options = tagdesk::session::Options {
            config: Some(path.clone()),
            no_mouse,
            ..Default::default()
        };
        let prepared = tagdesk::session::prepare(&options, &|_| None).expect("prepares");
        let profile = prepared.profile.as_ref().map(|p| p.mouse);
        (profile, prepared.mouse)
    };
    assert_eq!(mouse(profile, false), (Some(true), true), "on by default");
    let off = format!("mouse = false\n{profile}");
    assert_eq!(mouse(&off, false), (Some(false), false));
    assert_eq!(mouse(profile, true), (Some(false), false), "--no-mouse");
    assert_eq!(
        mouse(&format!("mouse = true\n{profile}"), true).0,
        Some(false)
    );
    // Demo mode (a file with only console settings) follows the file too.
    assert_eq!(mouse("mouse = false\n", false), (None, false));

    // The flag is the console's, given before any command.
    let cli = tagdesk::cli::args::Cli::try_parse_from(["tagdesk", "--no-mouse"]).expect("parses");
    assert!(cli.common.no_mouse);

    // A wrong value, or `mouse` written inside a table, is refused with its line.
    let p = std::path::Path::new("/c.toml");
    let e = tagdesk::config::parse("mouse = \"no\"\n", p).unwrap_err().0;
    assert!(e.starts_with("/c.toml:1:") && e.contains("boolean"), "{e}");
    let e = tagdesk::config::parse("[keys]\nadd = [\"insert\"]\nmouse = false\n", p)
        .unwrap_err()
        .0;
    assert!(
        e.starts_with("/c.toml:3:") && e.contains("before the first [table]"),
        "{e}"
    );
    let e = tagdesk::config::parse("[profiles.p]\nmouse = false\n", p)
        .unwrap_err()
        .0;
    assert!(
        e.starts_with("/c.toml:2:") && e.contains("whole file"),
        "{e}"
    );
}

#[test]
fn a_click_on_any_line_of_a_wrapped_log_entry_selects_that_entry() {
    let mut h = Harness::demo(80, 24);
    h.key(KeyCode::Char('2'));
    for field in ["vip", "newsletter"] {
        h.key(KeyCode::Char('a'));
        h.type_text(field);
        h.key(KeyCode::Enter);
        h.reply_all();
    }
    h.key(KeyCode::Char('w'));
    // The first add's message and marks take two lines at 80 columns: a click on the
    // second selects it, not the entry drawn below it.
    let screen = h.screen();
    let (x, y) = h
        .find("+vip")
        .unwrap_or_else(|| panic!("the first add:\n{screen}"));
    let next = screen.lines().nth(y as usize + 1).unwrap_or_default();
    assert!(
        next.contains("MATCH") && !next.contains("Hive add"),
        "a continuation line:\n{screen}"
    );
    h.click(x, y + 1);
    assert_eq!(h.app.focus, Pane::Log);
    let selected = h.app.log.selected().expect("an entry").key.clone();
    assert_eq!(selected, log_key(&h, 1), "the first add, not a neighbour");
}
