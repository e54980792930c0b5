//! The playground (`S`): every documented outcome of both APIs chosen from the picker, with
//! the simulator's state checked before the request is answered and after; raw requests
//! shown with the server's own answer; the picker snapshotted at three sizes.

mod support;

use std::collections::BTreeSet;

use ratatui::crossterm::event::KeyCode;
use support::Harness;
use tagdesk::core::op::scenario::HiveAction;
use tagdesk::core::op::{Op, Output};
use tagdesk::core::playground::{self, Expect, Play, Setup};
use tagdesk::sim::Model;
use tagdesk::tui::popups::{Faults, Popup, Scenarios};

/// Opens the picker and plays the `index`th scenario.
fn choose(h: &mut Harness, index: usize) {
    h.key(KeyCode::Char('S'));
    assert!(matches!(
        h.app.popup,
        Some(Popup::Scenarios(Scenarios { .. }))
    ));
    h.key(KeyCode::Home);
    for _ in 0..index {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
}

fn patron_tags(model: &Model, patron: &str) -> Option<BTreeSet<String>> {
    model
        .hive
        .patrons
        .get(patron)
        .map(|t| t.into_iter().map(String::from).collect())
}

/// The Cerego user's tags as (type, value, id).
fn player_tags(model: &Model) -> Vec<(String, String, u64)> {
    let mut tags: Vec<_> = model
        .cerego
        .tags()
        .filter(|t| t.user_id == playground::PLAYER_ID)
        .map(|t| (t.tag_type_id.clone(), t.value.clone(), t.id))
        .collect();
    tags.sort();
    tags
}

fn set_up_patron(play: &Play) -> Option<(String, Option<Vec<String>>)> {
    play.setup.iter().find_map(|s| match s {
        Setup::HivePatron { patron, tags } => Some((patron.clone(), tags.clone())),
        _ => None,
    })
}

#[test]
fn every_scenario_from_the_picker_gives_its_documented_outcome() {
    let mut h = Harness::demo(120, 40);
    let plays = playground::plays();
    assert_eq!(
        plays.len(),
        26,
        "14 Hive outcomes, 4 Hive errors, 8 Cerego outcomes"
    );
    for (index, play) in plays.iter().enumerate() {
        let sent_before = h.app.log.len();
        choose(&mut h, index);
        assert!(h.app.popup.is_none(), "{}: the picker closes", play.key);
        // The simulator is set up and the request is on its way, not yet answered.
        assert_eq!(h.pending.len(), 1, "{}: one request sent", play.key);
        let op = h.pending[0].op.clone();
        let before_player = player_tags(&h.model);
        if let Some((patron, tags)) = set_up_patron(play) {
            assert_eq!(
                patron_tags(&h.model, &patron),
                tags.clone().map(|t| t.into_iter().collect()),
                "{}: set up before the request",
                play.key
            );
        }
        h.reply_all();
        assert_eq!(h.app.log.len(), sent_before + 1);
        let entry = h.app.log.iter().last().expect("the play's log entry");
        assert_eq!(entry.op, op);
        let result = &entry.reply().expect("answered").result;
        match (play.expect, result) {
            (Expect::Hive(s), Ok(Output::Hive(o))) => {
                assert_eq!(o.scenario(), s, "{}", play.key);
                assert_eq!(
                    o.message.as_deref(),
                    s.documented_message(),
                    "{}: the documented message",
                    play.key
                );
                // The state after: what the scenario says happened to each api_field.
                let (patron, held) = set_up_patron(play).expect("a Hive play sets up its patron");
                let held: BTreeSet<String> = held.unwrap_or_default().into_iter().collect();
                let (Op::HiveAdd { fields, .. } | Op::HiveRemove { fields, .. }) = &op else {
                    panic!("{}: {op:?}", play.key)
                };
                let defined: BTreeSet<String> = fields
                    .iter()
                    .map(|f| f.to_string())
                    .filter(|f| f != playground::UNDEFINED)
                    .collect();
                let want: BTreeSet<String> = match s.action {
                    HiveAction::Add => held.union(&defined).cloned().collect(),
                    HiveAction::Remove => held.difference(&defined).cloned().collect(),
                };
                assert_eq!(patron_tags(&h.model, &patron), Some(want), "{}", play.key);
            }
            (Expect::Error { status, code }, Err(e)) => {
                assert_eq!(e.status(), Some(status), "{}: {e}", play.key);
                assert_eq!(e.code(), code, "{}", play.key);
                // An error changes nothing.
                if let Some((patron, tags)) = set_up_patron(play) {
                    assert_eq!(
                        patron_tags(&h.model, &patron),
                        tags.map(|t| t.into_iter().collect())
                    );
                }
                assert_eq!(player_tags(&h.model), before_player, "{}", play.key);
            }
            (Expect::Created, Ok(Output::Tag(t))) => {
                let after = player_tags(&h.model);
                assert!(
                    after
                        .iter()
                        .any(|(ty, v, id)| ty == "7" && v == "EMEA" && id.to_string() == t.id)
                );
                assert!(!before_player.iter().any(|(ty, ..)| ty == "7"));
            }
            (Expect::Updated, Ok(Output::Tag(t))) => {
                let before = before_player.iter().find(|(ty, ..)| ty == "5").unwrap();
                let after = player_tags(&h.model);
                let now = after.iter().find(|(ty, ..)| ty == "5").unwrap();
                assert_eq!((before.1.as_str(), now.1.as_str()), ("Silver", "Gold"));
                assert_eq!(before.2, now.2, "the same tag, a new value");
                assert_eq!(t.id, now.2.to_string());
            }
            (want, got) => panic!("{}: expected {want:?}, got {got:?}", play.key),
        }
        assert!(h.app.play.played.contains(&play.key));
    }
    // Played again, every scenario is set up afresh and gives the same outcome.
    choose(&mut h, 3);
    h.reply_all();
    let again = h.app.log.iter().last().unwrap();
    let Ok(Output::Hive(o)) = &again.reply().unwrap().result else {
        panic!()
    };
    assert_eq!(
        o.message.as_deref().unwrap(),
        "Some tags were added. Some tags may already exist on patron. Some tags failed to add."
    );
}

#[test]
fn raw_requests_show_the_servers_own_answer_and_are_marked_raw() {
    let mut h = Harness::demo(120, 40);
    let index = playground::plays()
        .iter()
        .position(|p| p.key == "hive.error.param_missing")
        .unwrap();
    choose(&mut h, index);
    let Op::Raw(raw) = &h.pending[0].op else {
        panic!("{:?}", h.pending[0].op)
    };
    assert_eq!(
        raw.body,
        Some(serde_json::json!({"patron_id": "demo_param_missing"}))
    );
    h.reply_all();
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    let screen = h.screen();
    // The log says raw, and shows the server's message verbatim.
    let line = screen
        .lines()
        .find(|l| l.contains("demo_param_missing"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains("raw"), "{line}");
    assert!(line.contains("PARAM_REQUIRED"), "{line}");
    assert!(line.contains("user_tags_api_fields is required."), "{line}");
}

#[test]
fn the_picker_at_three_sizes() {
    for (w, h_) in [(80, 24), (120, 40), (200, 50)] {
        let mut h = Harness::demo(w, h_);
        // One scenario played, so its ✓ shows.
        choose(&mut h, 0);
        h.reply_all();
        h.key(KeyCode::Char('S'));
        for _ in 0..4 {
            h.key(KeyCode::Down);
        }
        insta::assert_snapshot!(format!("picker_{w}x{h_}"), h.screen());
    }
}

/// The same plays over HTTP, as the console's loop runs them: `POST /_sim/setup` through
/// the control client, then the request through the real clients (the wrong-key scenarios
/// reach the simulator's key check here).
#[tokio::test(flavor = "multi_thread")]
async fn every_play_over_http_gives_its_outcome() {
    use tagdesk::engine::api::sim::SimControl;
    use tagdesk::engine::api::{ClientConfig, cerego::CeregoClient, hive::HiveClient};
    use tagdesk::engine::exec::{Clients, execute};
    use tagdesk::sim::{DEFAULT_CEREGO_KEY, DEFAULT_HIVE_KEY, SimOptions, Simulator};
    let sim = Simulator::start_local(SimOptions::default())
        .await
        .expect("sim");
    let base = sim.base_url();
    let clients = Clients {
        hive: Some(HiveClient::new(&ClientConfig::new(&base, DEFAULT_HIVE_KEY)).expect("client")),
        cerego: Some(
            CeregoClient::new(&ClientConfig::new(&base, DEFAULT_CEREGO_KEY)).expect("client"),
        ),
        ..Default::default()
    };
    let control = SimControl::new(&base).expect("a loopback simulator");
    for play in playground::plays() {
        let reply = control.setup(&play.setup).await.expect("set up");
        let op = play.op(&reply).expect("the op");
        let (exchanges, result) = execute(&clients, &op).await;
        assert_eq!(exchanges.len(), 1, "{}", play.key);
        match (play.expect, result) {
            (Expect::Hive(s), Ok(Output::Hive(o))) => {
                assert_eq!(o.scenario(), s, "{}", play.key);
                assert_eq!(o.message.as_deref(), s.documented_message());
            }
            (Expect::Error { status, code }, Err(e)) => {
                assert_eq!(e.status(), Some(status), "{}: {e}", play.key);
                assert_eq!(e.code(), code, "{}", play.key);
            }
            (Expect::Created, Ok(Output::Tag(_))) => {
                assert_eq!(exchanges[0].status, Some(201), "{}", play.key)
            }
            (Expect::Updated, Ok(Output::Tag(_))) => {
                assert_eq!(exchanges[0].status, Some(200), "{}", play.key)
            }
            (want, got) => panic!("{}: expected {want:?}, got {got:?}", play.key),
        }
        // The wrong key is never the profile's, and no request carries the real one raw.
        if let Op::Raw(raw) = &op
            && raw.wrong_key
        {
            assert!(
                !exchanges[0]
                    .request_body
                    .as_deref()
                    .unwrap_or("")
                    .contains(DEFAULT_HIVE_KEY)
            );
        }
    }
    // The control client refuses what is not a simulator on this machine.
    assert!(SimControl::new("https://api.hivemoderation.com").is_err());
    // Faults through the control client, as the console's faults menu sends them.
    let rules = control.add_fault("hive:503=2*1").await.expect("add");
    assert_eq!(rules, vec!["hive:503=2*1".to_string()]);
    assert_eq!(control.faults().await.expect("read"), rules);
    assert!(
        control.add_fault("nonsense").await.is_err(),
        "a bad rule is refused"
    );
    control.clear_faults().await.expect("clear");
    assert!(control.faults().await.expect("read").is_empty());
    control.add_fault("all:latency=10").await.expect("add");
    // A reset brings the seed back: the playground's patrons are gone, and the faults.
    control.reset().await.expect("reset");
    assert!(control.faults().await.expect("read").is_empty());
    let state = sim.state_json();
    assert!(state["hive"]["patrons"].get("demo_added").is_none());
}

#[test]
fn a_reset_puts_the_simulator_and_the_console_back_to_the_seed() {
    use ratatui::crossterm::event::KeyModifiers;
    use tagdesk::tui::app::SimCommand;
    let mut h = Harness::demo(120, 40);
    // A play leaves a patron and a Cerego user the seed does not have.
    choose(&mut h, 0);
    h.reply_all();
    let known = |h: &Harness, id: &str| {
        h.app
            .known
            .hive
            .patrons()
            .iter()
            .any(|p| p.id.as_str() == id)
    };
    assert!(known(&h, "demo_added"));
    assert!(h.model.hive.patrons.contains_key("demo_added"));
    h.key_mod(KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert!(matches!(h.app.popup, Some(Popup::Confirm(_))), "asks first");
    assert!(h.sim_commands.is_empty(), "nothing before the answer");
    assert!(h.screen().contains("Reset the simulator?"));
    h.key(KeyCode::Char('y'));
    assert_eq!(h.sim_commands, vec![SimCommand::Reset]);
    // The simulator is back to its seed, and so is the console: no stale patron, and the
    // user list reloads from the simulator.
    assert!(!h.model.hive.patrons.contains_key("demo_added"));
    assert!(!known(&h, "demo_added"), "no stale pane after a reset");
    assert!(
        known(&h, "user_abc123"),
        "the seed's patrons are known again"
    );
    assert!(
        h.pending
            .iter()
            .any(|r| matches!(r.op, Op::CeregoListUsers { query: None, .. })),
        "the user list reloads"
    );
    h.reply_all();
    assert!(h.screen().contains("Simulator reset to its seed"));
}

#[test]
fn faults_are_added_from_the_console_and_shown_in_the_header() {
    use tagdesk::tui::app::SimCommand;
    let mut h = Harness::demo(120, 40);
    h.key(KeyCode::Char('F'));
    assert!(matches!(h.app.popup, Some(Popup::Faults(Faults { .. }))));
    h.key(KeyCode::Enter);
    assert_eq!(
        h.sim_commands,
        vec![SimCommand::AddFault("hive:503=2*1".into())]
    );
    let screen = h.screen();
    let header = screen.lines().next().unwrap();
    assert!(header.contains("faults: hive:503=2*1"), "{header}");
    // The latency preset, then clear: the header follows.
    h.key(KeyCode::Char('F'));
    for _ in 0..3 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .contains("hive:503=2*1 · all:latency=800"),
        "{screen}"
    );
    h.key(KeyCode::Char('F'));
    h.key(KeyCode::End);
    h.key(KeyCode::Enter);
    assert_eq!(h.sim_commands.last(), Some(&SimCommand::ClearFaults));
    assert!(!h.screen().lines().next().unwrap().contains("faults:"));
}

#[test]
fn help_names_the_demo_simulators_address() {
    let mut h = Harness::with_settings(tagdesk::sim::seed::Seed::demo(), 120, 60, |s| {
        s.simulator = Some("http://127.0.0.1:41234".into());
    });
    h.reply_all();
    h.key(KeyCode::Char('?'));
    let screen = h.screen();
    assert!(
        screen.contains("http://127.0.0.1:41234  (both APIs"),
        "{screen}"
    );
    assert!(screen.contains("/_sim/state"), "{screen}");
}

#[test]
fn help_has_an_outcomes_page_marking_what_was_seen_at_three_sizes() {
    for (w, h_) in [(80, 24), (120, 40), (200, 50)] {
        let mut h = Harness::demo(w, h_);
        // Two scenarios and one error code seen since the start.
        choose(&mut h, 0);
        h.reply_all();
        choose(&mut h, 4);
        h.reply_all();
        let invalid_patron = playground::plays()
            .iter()
            .position(|p| p.key == "hive.error.invalid_patron")
            .unwrap();
        choose(&mut h, invalid_patron);
        h.reply_all();
        h.key(KeyCode::Char('?'));
        assert!(h.screen().contains("▶ Keys"));
        h.key(KeyCode::Right);
        let screen = h.screen();
        assert!(screen.contains("▶ Hive outcomes"), "{screen}");
        if h_ >= 50 {
            // The help's rows (the Hive tab behind it says "tags unseen" too).
            let seen: Vec<&str> = screen.lines().filter(|l| l.contains("│seen ")).collect();
            assert_eq!(seen.len(), 3, "{screen}");
            assert!(seen[0].contains("Successfully added tags to patron."));
            assert!(seen[1].contains("No tags were added. All tags already exist on patron."));
            assert!(seen[2].contains("INVALID_PATRON"));
        }
        insta::assert_snapshot!(format!("help_outcomes_{w}x{h_}"), screen);
        // Tab turns too; the legend is the third page, and ← goes back.
        h.key(KeyCode::Tab);
        let legend = h.screen();
        assert!(legend.contains("▶ Legend"), "{legend}");
        h.key(KeyCode::Left);
        assert!(h.screen().contains("▶ Hive outcomes"));
    }
}

/// Plays the plays with these keys, each answered.
fn play_keys(h: &mut Harness, keys: &[&str]) {
    let all = playground::plays();
    for key in keys {
        let index = all.iter().position(|p| p.key == *key).expect("a play");
        choose(h, index);
        h.reply_all();
    }
}

fn log_lines(screen: &str) -> Vec<String> {
    let start = screen
        .lines()
        .position(|l| l.contains("Action log"))
        .expect("the log pane");
    screen
        .lines()
        .skip(start + 1)
        .take_while(|l| !l.starts_with('└'))
        .map(|l| l.trim_matches(|c| c == '│' || c == ' ').to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('/'))
        .collect()
}

#[test]
fn quick_filters_narrow_the_log() {
    let mut h = Harness::demo(160, 50);
    play_keys(
        &mut h,
        &[
            "hive.add.added",
            "hive.add.add_failed",
            "hive.error.invalid_patron",
            "cerego.update",
        ],
    );
    while h.app.focus != tagdesk::tui::app::Pane::Log {
        h.key(KeyCode::Tab);
    }
    let all = log_lines(&h.screen());
    assert_eq!(all.len(), 5, "the listing and four plays: {all:#?}");
    // Start on the demo_added entry: "this target" will mean demo_added.
    h.key(KeyCode::Char('g'));
    h.key(KeyCode::Down);
    h.key(KeyCode::Char('m'));
    let screen = h.screen();
    assert!(screen.contains("changes only · 4 of 5"), "{screen}");
    assert!(!log_lines(&screen).iter().any(|l| l.contains("Cerego list")));
    h.key(KeyCode::Char('m'));
    let failures = log_lines(&h.screen());
    assert_eq!(failures.len(), 2, "{failures:#?}");
    assert!(failures[0].contains("demo_add_failed") && failures[1].contains("INVALID_PATRON"));
    h.key(KeyCode::Char('m'));
    let screen = h.screen();
    assert!(screen.contains("MISMATCH only · 0 of 5"), "{screen}");
    h.key(KeyCode::Char('m'));
    let screen = h.screen();
    assert!(screen.contains("only demo_added · 1 of 5"), "{screen}");
    h.key(KeyCode::Char('m'));
    assert!(h.screen().contains("Action log · 5"), "back to all");
    // The text filter works as before.
    h.key(KeyCode::Char('/'));
    h.type_text("INVALID");
    let lines = log_lines(&h.screen());
    assert!(
        lines.iter().any(|l| l.contains("demo_no_such_patron")),
        "{lines:#?}"
    );
}

#[test]
fn a_log_of_all_fourteen_outcomes_with_their_breakdowns_at_three_sizes() {
    for (w, h_) in [(80, 24), (120, 40), (200, 50)] {
        let mut h = Harness::demo(w, h_);
        let hive: Vec<String> = playground::plays()
            .into_iter()
            .filter(|p| matches!(p.expect, Expect::Hive(_)))
            .map(|p| p.key)
            .collect();
        let keys: Vec<&str> = hive.iter().map(String::as_str).collect();
        play_keys(&mut h, &keys);
        while h.app.focus != tagdesk::tui::app::Pane::Log {
            h.key(KeyCode::Tab);
        }
        // Changes only, so the fourteen fill the pane.
        h.key(KeyCode::Char('m'));
        let screen = h.screen();
        if w >= 200 {
            for play in playground::plays()
                .iter()
                .filter(|p| matches!(p.expect, Expect::Hive(_)))
            {
                let Expect::Hive(s) = play.expect else {
                    unreachable!()
                };
                let message = s.documented_message().unwrap();
                assert!(screen.contains(message), "{message}: {screen}");
            }
            assert!(screen.contains("+vip =newsletter ✗not_a_tag"), "{screen}");
            assert!(screen.contains("−vip ∅newsletter ✗not_a_tag"), "{screen}");
            assert_eq!(screen.matches("MATCH").count(), 14, "{screen}");
        }
        insta::assert_snapshot!(format!("log_fourteen_outcomes_{w}x{h_}"), screen);
    }
}

/// The log pane's text as one line: its lines joined, every run of spaces one space (a
/// wrapped message reads on across its lines).
fn log_text(screen: &str) -> String {
    squeeze(&log_lines(screen).join(" "))
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn with_wrap_on_the_fourteen_messages_and_their_marks_read_whole_at_80_and_120_columns() {
    for (w, h_) in [(80, 24), (120, 40)] {
        let mut h = Harness::demo(w, h_);
        let hive: Vec<String> = playground::plays()
            .into_iter()
            .filter(|p| matches!(p.expect, Expect::Hive(_)))
            .map(|p| p.key)
            .collect();
        let keys: Vec<&str> = hive.iter().map(String::as_str).collect();
        play_keys(&mut h, &keys);
        while h.app.focus != tagdesk::tui::app::Pane::Log {
            h.key(KeyCode::Tab);
        }
        h.key(KeyCode::Char('m'));
        let cut = h.screen();
        h.key(KeyCode::Char('w'));
        let screen = h.screen();
        assert!(
            screen.contains("each entry whole"),
            "the status says so: {screen}"
        );
        insta::assert_snapshot!(format!("log_fourteen_outcomes_wrapped_{w}x{h_}"), screen);
        // From the first entry to the last, each selected entry reads whole: its message,
        // its per-tag marks and its MATCH.
        h.key(KeyCode::Char('g'));
        let mut messages = BTreeSet::new();
        for n in 0..14 {
            let entry = h.app.log.selected().expect("an entry").clone();
            let summary = entry.summary.clone().expect("settled");
            assert!(summary.check.is_some(), "{n}: a Hive outcome");
            let text = log_text(&h.screen());
            let tags = summary.tags.clone().unwrap_or_default();
            let whole = squeeze(&format!("{} {tags} MATCH", summary.text));
            assert!(text.contains(&whole), "{n}: {whole:?} in {text}");
            messages.insert(summary.text);
            h.key(KeyCode::Down);
        }
        assert_eq!(messages.len(), 14, "the fourteen documented messages");
        assert!(
            !log_text(&cut).contains("Some tags failed to remove. −vip ✗not_a_tag"),
            "without wrap the line is cut"
        );
        // `w` again: one line each, as before.
        h.key(KeyCode::Char('w'));
        h.key(KeyCode::Char('G'));
        assert_eq!(log_lines(&h.screen()), log_lines(&cut));
    }
}

#[test]
fn with_wrap_on_a_whole_88_character_message_shows_at_80_columns() {
    let message =
        "Successfully added tags to patron. Some tags may already exist on the patron, as listed.";
    assert_eq!(message.chars().count(), 88);
    let mut h = Harness::demo(80, 24);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    let request = h.pending.remove(0);
    // The server words its answer its own way: 88 characters.
    let mut reply = h.answer(&request);
    let body = reply.exchanges[0].response_body.clone().expect("a body");
    let mut json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    json["message"] = serde_json::Value::String(message.into());
    let body = json.to_string();
    reply.exchanges[0].response_body = Some(body.clone());
    reply.result = tagdesk::core::op::interpret(&request.op, 200, body.as_bytes());
    h.send(tagdesk::tui::app::Message::Reply(Box::new(reply)));
    h.key(KeyCode::Esc);
    let cut = h.screen();
    assert!(
        !log_text(&cut).contains(message),
        "cut at 80 columns: {cut}"
    );
    h.key(KeyCode::Char('w'));
    let screen = h.screen();
    assert!(log_text(&screen).contains(message), "{screen}");
    assert!(log_text(&screen).contains("+vip MISMATCH"), "{screen}");
    // Every line of it stays inside the pane.
    assert!(screen.lines().all(|l| l.chars().count() <= 80), "{screen}");
}

/// Runs a tour on the harness until it ends: ticks move it on, answers come from the model.
fn run_tour(h: &mut Harness, limit: usize) {
    for _ in 0..limit {
        if !h.app.play.tour.as_ref().is_some_and(|t| t.is_running()) {
            return;
        }
        h.send(tagdesk::tui::app::Message::Tick);
        h.reply_all();
    }
    panic!("the tour did not end");
}

#[test]
fn play_all_runs_every_scenario_in_order_and_stays_on_the_result() {
    let mut h = Harness::demo(120, 40);
    h.key(KeyCode::Char('S'));
    h.key(KeyCode::End);
    assert!(h.screen().contains("▶ play all"));
    h.key(KeyCode::Enter);
    assert!(h.app.play.tour.is_some());
    run_tour(&mut h, 500);
    let screen = h.screen();
    assert!(screen.contains("Tour finished: 26 steps."), "{screen}");
    let plays = playground::plays();
    let entries: Vec<_> = h.app.log.iter().skip(1).collect();
    assert_eq!(entries.len(), plays.len());
    for (entry, play) in entries.iter().zip(&plays) {
        let result = &entry.reply().expect("answered").result;
        match (play.expect, result) {
            (Expect::Hive(s), Ok(Output::Hive(o))) => assert_eq!(o.scenario(), s, "{}", play.key),
            (Expect::Error { status, .. }, Err(e)) => assert_eq!(e.status(), Some(status)),
            (Expect::Created | Expect::Updated, Ok(Output::Tag(_))) => {}
            (want, got) => panic!("{}: expected {want:?}, got {got:?}", play.key),
        }
    }
    assert!(!h.quit, "the console stays open");
}

#[test]
fn the_tour_is_deterministic_and_its_banner_shows_the_caption_at_three_sizes() {
    let summaries = |h: &Harness| -> Vec<String> {
        h.app
            .log
            .iter()
            .map(|e| {
                e.summary
                    .as_ref()
                    .map(|s| s.text.clone())
                    .unwrap_or_default()
            })
            .collect()
    };
    let mut runs = Vec::new();
    for (w, h_) in [(80, 24), (120, 40), (200, 50)] {
        let mut h = Harness::demo(w, h_);
        h.app.start_tour(playground::tour::Tour {
            steps: playground::tour::every_play(),
            step_ms: 0,
            manual: true,
        });
        // Manual: nothing happens until n.
        h.send(tagdesk::tui::app::Message::Tick);
        assert!(h.pending.is_empty());
        for _ in 0..3 {
            h.key(KeyCode::Char('n'));
            h.reply_all();
            h.send(tagdesk::tui::app::Message::Tick);
        }
        let screen = h.screen();
        assert!(screen.contains("Tour 3/26"), "{screen}");
        insta::assert_snapshot!(format!("tour_banner_{w}x{h_}"), screen);
        // The rest by key too, to the end.
        for _ in 0..40 {
            h.key(KeyCode::Char('n'));
            h.reply_all();
            h.send(tagdesk::tui::app::Message::Tick);
        }
        assert!(h.screen().contains("Tour finished: 26 steps."));
        runs.push(summaries(&h));
    }
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[1], runs[2]);
}

#[test]
fn a_scripted_tour_plays_its_steps_with_their_setup_and_fault() {
    use tagdesk::tui::app::SimCommand;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tour.toml");
    std::fs::write(
        &path,
        r#"
[[step]]
scenario = "hive.remove.removed_absent"
caption = "Removing what is there and what is not"

[[step]]
caption = "A 503 first, then the retry"
op = "hive_add"
patron = "demo_tour"
fields = ["vip", "newsletter"]
tags = ["newsletter"]
fault = "hive.add:503=1*1"
"#,
    )
    .unwrap();
    let steps = tagdesk::cli::read_script(&path).expect("a valid script");
    let mut h = Harness::demo(120, 40);
    h.app.start_tour(playground::tour::Tour {
        steps,
        step_ms: 0,
        manual: false,
    });
    h.send(tagdesk::tui::app::Message::Tick);
    assert!(
        h.screen()
            .contains("Removing what is there and what is not")
    );
    run_tour(&mut h, 100);
    // The fault was asked for before the second step's request, and its patron set up.
    assert_eq!(
        h.sim_commands.first(),
        Some(&SimCommand::AddFault("hive.add:503=1*1".into()))
    );
    let last = h.app.log.iter().last().unwrap();
    let Ok(Output::Hive(o)) = &last.reply().unwrap().result else {
        panic!()
    };
    assert_eq!(
        o.message.as_deref(),
        Some("Successfully added tags to patron. Some tags may already exist on patron.")
    );
    assert!(h.screen().contains("Tour finished: 2 steps."));
    // A bad script is refused before anything starts, naming the step.
    std::fs::write(
        &path,
        "[[step]]\nscenario = \"hive.add.added\"\nfault = \"hive:boom\"\n",
    )
    .unwrap();
    let e = tagdesk::cli::read_script(&path).unwrap_err();
    assert!(e.contains("step 1: fault \"hive:boom\""), "{e}");
}

/// A manual tour of these plays (by key), on the demo console.
fn manual_tour(h: &mut Harness, keys: &[&str]) {
    let steps = playground::tour::every_play()
        .into_iter()
        .filter(|s| keys.contains(&s.play.key.as_str()))
        .collect();
    h.app.start_tour(playground::tour::Tour {
        steps,
        step_ms: 0,
        manual: true,
    });
}

/// The screen's rows from the Tags pane's title to the panes' bottom border.
fn tags_pane(screen: &str) -> String {
    screen
        .lines()
        .skip_while(|l| !l.contains("Tags ·"))
        .take_while(|l| !l.contains("└─"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text inside the popup whose title starts with `title`, its rows joined and its
/// spaces collapsed.
fn popup_text(screen: &str, title: &str) -> String {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let top = lines
        .iter()
        .position(|l| l.iter().collect::<String>().contains(title))
        .expect("the popup");
    let left = lines[top]
        .iter()
        .position(|c| *c == '┌')
        .expect("its corner");
    let right = left
        + lines[top][left..]
            .iter()
            .position(|c| *c == '┐')
            .expect("its corner");
    let text: Vec<String> = lines[top + 1..]
        .iter()
        .take_while(|l| l.get(left) != Some(&'└'))
        .map(|l| l[left + 1..right.min(l.len())].iter().collect())
        .collect();
    text.join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_tours_hive_step_shows_its_patron_selected_with_its_tags_before_and_after() {
    let mut h = Harness::demo(120, 40);
    assert_eq!(h.app.tab, tagdesk::tui::app::Tab::Cerego);
    manual_tour(&mut h, &["hive.add.added", "hive.add.added_pre"]);
    h.key(KeyCode::Char('n'));
    h.reply_all();
    h.send(tagdesk::tui::app::Message::Tick);
    h.key(KeyCode::Char('n'));
    // Sent, not answered yet: the tab, the patron, and its tags before.
    assert_eq!(h.app.tab, tagdesk::tui::app::Tab::Hive);
    let selected = h.app.selected_patron().map(|p| p.id.to_string());
    assert_eq!(selected.as_deref(), Some("demo_added_pre"));
    let pane = tags_pane(&h.screen());
    assert!(pane.contains("Tags · demo_added_pre"), "{pane}");
    assert!(pane.contains("before → after: vip → …"), "{pane}");
    // Answered: before → after, while the step's caption shows.
    h.reply_all();
    h.send(tagdesk::tui::app::Message::Tick);
    let screen = h.screen();
    assert!(
        screen.contains("Tour finished: 2 steps. added + some already exist"),
        "{screen}"
    );
    let pane = tags_pane(&screen);
    assert!(
        pane.contains("before → after: vip → vip, newsletter"),
        "{pane}"
    );
    // Something else sent since: the line is no longer the step's, so it goes.
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('2'));
    assert!(!h.screen().contains("before → after"));
}

#[test]
fn a_tours_cerego_step_adds_the_playground_user_to_the_list_and_selects_it() {
    let mut h = Harness::demo(120, 40);
    h.key(KeyCode::Char('2'));
    assert!(
        h.app.known.cerego.position(playground::PLAYER_ID).is_none(),
        "the seed's listing does not have the playground's user"
    );
    manual_tour(&mut h, &["cerego.update"]);
    h.key(KeyCode::Char('n'));
    assert_eq!(h.app.tab, tagdesk::tui::app::Tab::Cerego);
    let user = h.app.selected_user().map(|u| u.id.to_string());
    assert_eq!(user.as_deref(), Some(playground::PLAYER_ID));
    let screen = h.screen();
    assert!(
        screen.contains(&format!("{}  ", playground::PLAYER_NAME)),
        "in the user list: {screen}"
    );
    let pane = tags_pane(&screen);
    assert!(pane.contains("before → after: Plan: Silver → …"), "{pane}");
    assert!(pane.contains("Silver"), "the set-up tag is shown: {pane}");
    h.reply_all();
    let pane = tags_pane(&h.screen());
    assert!(
        pane.contains("before → after: Plan: Silver → Gold"),
        "{pane}"
    );
    // An error changes nothing, and says so.
    manual_tour(&mut h, &["cerego.422"]);
    h.key(KeyCode::Char('n'));
    h.reply_all();
    let pane = tags_pane(&h.screen());
    assert!(
        pane.contains("before → after: Onboarding: Invited → unchanged"),
        "{pane}"
    );
}

#[test]
fn a_play_from_the_picker_turns_to_its_subject_too() {
    let mut h = Harness::demo(80, 24);
    let index = playground::plays()
        .iter()
        .position(|p| p.key == "hive.remove.removed_absent")
        .unwrap();
    choose(&mut h, index);
    h.reply_all();
    assert_eq!(h.app.tab, tagdesk::tui::app::Tab::Hive);
    let pane = tags_pane(&h.screen());
    assert!(pane.contains("Tags · demo_removed_absent"), "{pane}");
    assert!(pane.contains("before → after: newsletter → none"), "{pane}");
}

#[test]
fn a_caption_longer_than_the_screen_wraps_to_a_second_line() {
    let caption = "Adding vip and newsletter to a patron who already holds newsletter: \
                   Hive answers 200 and names each";
    let script = format!(
        "[[step]]\ncaption = \"{caption}\"\nop = \"hive_add\"\npatron = \"demo_tour\"\n\
         fields = [\"vip\", \"newsletter\"]\ntags = [\"newsletter\"]\n"
    );
    let steps = playground::tour::from_script(&script).expect("a valid script");
    let mut h = Harness::demo(80, 24);
    h.app.start_tour(playground::tour::Tour {
        steps,
        step_ms: 0,
        manual: true,
    });
    h.key(KeyCode::Char('n'));
    h.reply_all();
    let screen = h.screen();
    let lines: Vec<&str> = screen.lines().collect();
    let banner = lines
        .iter()
        .position(|l| l.contains("Tour 1/1"))
        .expect("the banner");
    assert!(caption.chars().count() + 12 > 80, "longer than the screen");
    // The first line, up to the banner's right part; then the second.
    let first = lines[banner].split("  ").next().unwrap_or_default();
    let two = format!("{} {}", first.trim(), lines[banner + 1].trim());
    assert!(two.contains(caption), "whole, on two lines: {screen}");
    assert!(!two.contains('…'), "{screen}");
    assert!(lines[banner].contains("esc stops"), "{screen}");
}

#[test]
fn the_message_history_shows_an_earlier_status_message_whole_at_three_sizes() {
    for (w, h_) in [(80, 24), (120, 40), (200, 50)] {
        let mut h = Harness::demo(w, h_);
        choose(&mut h, 2);
        let playing = "Playing \"added + some failed\": demo_added_failed holds no tags; add vip, \
                       not_a_tag: vip is added, not_a_tag is not defined in the application";
        assert_eq!(h.app.status.as_ref().map(|s| s.1.as_str()), Some(playing));
        h.reply_all();
        // The answer replaced it on the status line.
        assert!(!h.screen().contains("Playing \"added"));
        h.key(KeyCode::Char('H'));
        assert!(matches!(h.app.popup, Some(Popup::Messages(_))));
        let screen = h.screen();
        let flat = popup_text(&screen, "┌ Messages");
        assert!(flat.contains(playing), "{screen}");
        let newest = flat
            .find("Hive add on demo_added_failed")
            .expect("the answer's");
        assert!(
            newest < flat.find(playing).unwrap(),
            "newest first: {screen}"
        );
        insta::assert_snapshot!(format!("message_history_{w}x{h_}"), screen);
        h.key(KeyCode::Esc);
        assert!(h.app.popup.is_none());
    }
}
