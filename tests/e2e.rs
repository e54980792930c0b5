//! The real `tagdesk` binary in a pseudo-terminal (portable-pty), its screen read back
//! through a terminal emulator (vt100): start, add and remove, edit, a 503 then success, a
//! wrong key, SIGTERM mid-request (terminal restored, journal complete), and kill -9 with
//! a torn journal followed by a restart that repairs it.
//!
//! Timeouts are generous on purpose (the test machine is small and shared); nothing here
//! asserts how fast anything happens, only that it happens within a bound.

mod support;

use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

use support::pty::*;

// ---------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------

#[test]
fn demo_start_shows_populated_panes() {
    let dirs = Dirs::new();
    let mut tui = Tui::start(&dirs, Mode::Demo);
    tui.wait_for("Users · partner 4242");
    let screen = tui.wait_for("Ada Lovelace");
    assert!(screen.contains("DEMO"), "no DEMO badge:\n{screen}");
    assert!(screen.contains("Tags · Ada Lovelace"), "{screen}");
    // The first user's tags were read from the simulator.
    tui.wait_for("84001");
    tui.wait_for_line(&["Cerego list", "partner 4242"]);

    // With nothing in flight, q quits at once.
    tui.wait_idle();
    tui.send("q");
    let status = tui.wait_exit();
    assert!(
        status.success(),
        "q with nothing in flight exits 0: {status:?}"
    );
}

#[test]
fn demo_mode_starts_with_a_clean_action_log() {
    // The demo's simulator starts fresh from the seed each time, so the log must not replay
    // earlier demo runs (they stay in the journal).
    let dirs = Dirs::new();
    for run in 1..=2 {
        let mut tui = Tui::start(&dirs, Mode::Demo);
        tui.wait_for_line(&["Cerego list", "partner 4242"]);
        let screen = tui.wait_for("Action log · ");
        assert!(
            screen.contains("Action log · 1 "),
            "run {run}: only this run's listing:\n{screen}"
        );
        tui.wait_idle();
        tui.send("q");
        assert!(tui.wait_exit().success());
    }
    let lists = journal_records(&dirs.data().join("journal-demo.jsonl"))
        .iter()
        .filter(|r| r["kind"] == "intent")
        .count();
    assert_eq!(lists, 2, "both runs are in the journal");
}

#[test]
fn hive_add_then_remove_shows_each_outcome() {
    let dirs = Dirs::new();
    let mut tui = Tui::start(&dirs, Mode::Demo);
    tui.wait_for("Ada Lovelace");
    tui.send("2");
    tui.wait_for("Tags · user_abc123");

    add_hive_tags(&mut tui, "vip");
    let line = tui.wait_for_line(&[
        "Hive add",
        "user_abc123",
        "Successfully added tags to patron.",
    ]);
    assert!(line.contains('✓'), "{line}");
    // The tags pane now lists vip, confirmed by Hive.
    tui.wait_for_line(&["vip", "VIP"]);

    // Tags pane; vip sorts after newsletter, so it is the last row.
    tui.send("\t");
    tui.send("G");
    tui.send("d");
    let screen = tui.wait_for("Remove Hive tags?");
    let tags_line = screen
        .lines()
        .find(|l| l.contains("Tags:"))
        .unwrap_or_default();
    assert!(
        tags_line.contains("vip") && !tags_line.contains("newsletter"),
        "the confirmation names exactly vip:\n{screen}"
    );
    tui.send("y");
    let line = tui.wait_for_line(&[
        "Hive remove",
        "user_abc123",
        "Successfully removed tags from patron.",
    ]);
    assert!(line.contains('✓'), "{line}");
    tui.wait_for("last remove confirmed by Hive");
    let screen = tui.screen();
    assert!(
        !screen.lines().any(|l| l.contains("VIP")),
        "vip is gone from the tags pane:\n{screen}"
    );
}

#[test]
fn edit_a_cerego_value_updates_log_and_tags_pane() {
    let dirs = Dirs::new();
    let mut tui = Tui::start(&dirs, Mode::Demo);
    tui.wait_for("Tags · Ada Lovelace");
    tui.wait_for("84001");
    tui.send("\t");
    tui.send("e");
    tui.wait_for("Edit a Cerego tag of Ada Lovelace");
    tui.send("\x15"); // Ctrl-U: clear the line
    tui.send("Platinum");
    tui.send("\r");
    // Demo mode speaks today's API (the set endpoint): the edit sets type 5 (Plan), and the
    // log says so in the words of the change.
    tui.wait_for_line(&[
        "Cerego set",
        "user 1185304",
        "Plan = \"Platinum\" (was \"Gold\")",
    ]);
    tui.wait_for_line(&["Plan", "Platinum", "84001"]);
}

#[test]
fn injected_503_then_success_shows_the_retry_then_the_success() {
    let dirs = Dirs::new();
    let sim = Sim::start(&[]);
    dirs.write_config(&sim.base_url());
    let mut tui = Tui::start(&dirs, Mode::Config { hive_key: HIVE_KEY });
    tui.wait_for("profile: e2e");
    open_patron(&mut tui, "user_abc123");

    // 503 with Retry-After 2, once; set at run time through the control API.
    sim.add_fault("hive.add:503=2*1");
    add_hive_tags(&mut tui, "vip");
    let waiting = tui.wait_for("retry 2/4");
    assert!(
        waiting.contains("503"),
        "the retry names the status:\n{waiting}"
    );
    let line = tui.wait_for_line(&[
        "Hive add",
        "user_abc123",
        "Successfully added tags to patron.",
    ]);
    assert!(line.contains('✓'), "{line}");

    // The journal says so too: one outcome, ok, after one retry.
    let id = wait_for_intent(&dirs.journal(), "vip");
    let records = journal_records(&dirs.journal());
    let outcomes = outcomes_for(&records, &id);
    assert_eq!(outcomes.len(), 1, "{records:#?}");
    assert_eq!(outcomes[0]["result"], "ok", "{:#}", outcomes[0]);
    let summary = outcomes[0]["summary"].as_str().unwrap_or_default();
    assert!(summary.contains("after 1 retry"), "{:#}", outcomes[0]);
}

#[test]
fn a_wrong_hive_key_shows_invalid_api_key() {
    let dirs = Dirs::new();
    let sim = Sim::start(&[]);
    dirs.write_config(&sim.base_url());
    let mut tui = Tui::start(
        &dirs,
        Mode::Config {
            hive_key: WRONG_KEY,
        },
    );
    tui.wait_for("profile: e2e");
    open_patron(&mut tui, "user_abc123");
    add_hive_tags(&mut tui, "vip");
    let line = tui.wait_for_line(&["Hive add", "user_abc123", "INVALID_API_KEY"]);
    assert!(!line.contains("Successfully"), "{line}");
    assert!(!line.contains("retry"), "a 403 is not retried: {line}");
    let screen = tui.screen();
    assert!(
        !screen.contains(WRONG_KEY),
        "the key is on screen:\n{screen}"
    );
}

#[test]
fn faults_the_simulator_already_has_show_in_the_header_from_the_start() {
    // `tagdesk sim --fault 'all:latency=300'`, then the console on a profile pointed at it:
    // the faults are read at start (off the UI thread), not only once `F` changes them.
    let dirs = Dirs::new();
    let sim = Sim::start(&["all:latency=300"]);
    dirs.write_config(&sim.base_url());
    let mut tui = Tui::start(&dirs, Mode::Config { hive_key: HIVE_KEY });
    tui.wait_for("profile: e2e");
    let screen = tui.wait_for("faults: all:latency=300");
    let header = screen.lines().next().unwrap_or_default();
    assert!(
        header.contains("faults: all:latency=300"),
        "the header names them:\n{screen}"
    );
    // `F` lists them as active, without a change made first.
    tui.send("F");
    tui.wait_for("active: all:latency=300");
    tui.send("\x1b");
    tui.wait_idle();
    tui.send("q");
    assert!(tui.wait_exit().success());
}

#[test]
fn sigterm_mid_request_restores_the_terminal_and_journals_abandoned() {
    let dirs = Dirs::new();
    let sim = Sim::start(&["hive.add:latency=30000"]);
    dirs.write_config(&sim.base_url());
    let mut tui = Tui::start(&dirs, Mode::Config { hive_key: HIVE_KEY });
    tui.wait_for("profile: e2e");
    open_patron(&mut tui, "user_abc123");
    add_hive_tags(&mut tui, "vip");
    tui.wait_for_line(&["Hive add", "user_abc123", "pending"]);
    let id = wait_for_intent(&dirs.journal(), "vip");

    tui.signal("-TERM");
    let status = tui.wait_exit();
    assert!(
        status.signal().is_none(),
        "SIGTERM goes through the quit path, not the default action: {status:?}"
    );

    // The terminal is given back: each mode the console turned on is turned off after the
    // last time it was turned on.
    let raw = tui.raw();
    let tail = String::from_utf8_lossy(&raw[raw.len().saturating_sub(600)..]).into_owned();
    for (what, on, off) in [
        (
            "the alternate screen",
            &b"\x1b[?1049h"[..],
            &b"\x1b[?1049l"[..],
        ),
        ("the hidden cursor", b"\x1b[?25l", b"\x1b[?25h"),
        ("bracketed paste", b"\x1b[?2004h", b"\x1b[?2004l"),
        ("mouse reporting", b"\x1b[?1000h", b"\x1b[?1000l"),
        ("SGR mouse coordinates", b"\x1b[?1006h", b"\x1b[?1006l"),
    ] {
        let last_on = rfind(&raw, on);
        let last_off = rfind(&raw, off);
        assert!(
            last_off.is_some() && last_off > last_on,
            "{what} was not undone at exit ({off:?} after the last {on:?}); tail: {tail:?}"
        );
    }
    let entered = rfind(&raw, b"\x1b[?1049h").expect("the console used the alternate screen");
    let left = rfind(&raw, b"\x1b[?1049l").expect("left the alternate screen");
    assert!(
        find(&raw[left..], b"\x1b[?25h").is_some()
            && find(&raw[entered..], b"\x1b[?2004l").is_some(),
        "the restore sequences are in the output's tail: {tail:?}"
    );
    {
        let parser = tui.parser.lock().unwrap_or_else(|e| e.into_inner());
        let screen = parser.screen();
        assert!(!screen.alternate_screen(), "still on the alternate screen");
        assert!(!screen.hide_cursor(), "the cursor is still hidden");
        assert!(!screen.bracketed_paste(), "bracketed paste is still on");
        assert_eq!(
            screen.mouse_protocol_mode(),
            vt100::MouseProtocolMode::None,
            "mouse reporting is still on"
        );
    }
    assert!(
        rfind(&raw, b"\x1b[?1000h").is_some(),
        "the console took the mouse (on by default)"
    );
    // Back on the main screen, the console says what it did with the request in flight.
    tui.wait_for("journaled as abandoned");

    // The journal: the intent, then exactly one outcome for it, abandoned.
    let records = journal_records(&dirs.journal());
    let intent = records
        .iter()
        .find(|r| r["kind"] == "intent" && r["id"] == id.as_str())
        .expect("the intent");
    assert_eq!(intent["op"]["op"], "hive_add", "{intent:#}");
    assert_eq!(intent["target"], "user_abc123", "{intent:#}");
    let outcomes = outcomes_for(&records, &id);
    assert_eq!(outcomes.len(), 1, "one outcome for {id}: {records:#?}");
    assert_eq!(outcomes[0]["result"], "abandoned", "{:#}", outcomes[0]);
}

#[test]
fn after_kill_9_the_next_start_repairs_and_loads_the_journal() {
    let dirs = Dirs::new();
    let sim = Sim::start(&["hive.add:latency=30000"]);
    dirs.write_config(&sim.base_url());

    // First run: killed outright while the add is in flight.
    let id = {
        let mut tui = Tui::start(&dirs, Mode::Config { hive_key: HIVE_KEY });
        tui.wait_for("profile: e2e");
        open_patron(&mut tui, "user_abc123");
        add_hive_tags(&mut tui, "vip");
        tui.wait_for_line(&["Hive add", "user_abc123", "pending"]);
        let id = wait_for_intent(&dirs.journal(), "vip");
        tui.signal("-KILL");
        let status = tui.wait_exit();
        assert!(
            status.signal().is_some(),
            "killed by the signal: {status:?}"
        );
        id
    };
    let records = journal_records(&dirs.journal());
    assert!(
        outcomes_for(&records, &id).is_empty(),
        "a killed run wrote no outcome: {records:#?}"
    );

    // A crash in the middle of writing a record: half a line, no newline.
    {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(dirs.journal())
            .expect("open journal");
        f.write_all(br#"{"kind":"intent","id":"torn-1","time":"2026-"#)
            .expect("append torn line");
    }

    // Second run on the same data dir and config.
    let mut tui = Tui::start(&dirs, Mode::Config { hive_key: HIVE_KEY });
    tui.wait_for("profile: e2e");
    // The earlier run's add is in the action log, abandoned.
    let line = tui.wait_for_line(&["Hive add", "user_abc123", "abandoned"]);
    assert!(!line.contains("pending"), "{line}");
    // The repair is reported in the status line.
    tui.wait_for("journal: cut");

    let text = std::fs::read_to_string(dirs.journal()).expect("read journal");
    assert!(
        text.ends_with('\n'),
        "the journal ends with a newline: {text:?}"
    );
    assert!(!text.contains("torn-1"), "the torn tail is gone: {text:?}");
    let records = journal_records(&dirs.journal());
    let outcomes = outcomes_for(&records, &id);
    assert_eq!(outcomes.len(), 1, "one outcome for {id}: {records:#?}");
    assert_eq!(outcomes[0]["result"], "abandoned", "{:#}", outcomes[0]);
    // Both findings are in the log file (the status line has room for the first only).
    let log = std::fs::read_to_string(dirs.data().join("tagdesk.log")).expect("read log");
    assert!(log.contains("journal: cut"), "{log}");
    assert!(log.contains("earlier run"), "{log}");

    // The start-up list load must be over, or q asks first.
    tui.wait_idle();
    tui.send("q");
    let status = tui.wait_exit();
    assert!(status.success(), "{status:?}");
}

#[test]
fn wait_in_the_quit_dialog_quits_once_nothing_is_in_flight() {
    let dirs = Dirs::new();
    let sim = Sim::start(&["hive.add:latency=3000"]);
    let (mut tui, id) = mid_request(&dirs, &sim);

    // q while the add is in flight asks first; w waits for it.
    tui.send("q");
    tui.wait_for("1 request is still in flight");
    tui.send("w");
    tui.wait_for("Quitting when the 1 request in flight finishes");
    let status = tui.wait_exit();
    assert!(status.success(), "{status:?}");
    let records = journal_records(&dirs.journal());
    let outcomes = outcomes_for(&records, &id);
    assert_eq!(outcomes.len(), 1, "{records:#?}");
    assert_eq!(outcomes[0]["result"], "ok", "{:#}", outcomes[0]);
}

#[test]
fn the_quit_dialog_quits_when_the_last_request_finishes_under_it() {
    let dirs = Dirs::new();
    let sim = Sim::start(&["hive.add:latency=2000"]);
    let (mut tui, id) = mid_request(&dirs, &sim);

    // q while the add is in flight asks; nobody answers, the add finishes: the
    // question is moot and the operator asked to quit, so tagdesk quits.
    tui.send("q");
    tui.wait_for("1 request is still in flight");
    let status = tui.wait_exit();
    assert!(status.success(), "{status:?}");
    let records = journal_records(&dirs.journal());
    let outcomes = outcomes_for(&records, &id);
    assert_eq!(outcomes.len(), 1, "{records:#?}");
    assert_eq!(outcomes[0]["result"], "ok", "{:#}", outcomes[0]);
}

/// Starts the console on a request that will not be answered for a long time, returns the
/// console and the id of the request's intent.
fn mid_request(dirs: &Dirs, sim: &Sim) -> (Tui, String) {
    dirs.write_config(&sim.base_url());
    let mut tui = Tui::start(dirs, Mode::Config { hive_key: HIVE_KEY });
    tui.wait_for("profile: e2e");
    open_patron(&mut tui, "user_abc123");
    add_hive_tags(&mut tui, "vip");
    tui.wait_for_line(&["Hive add", "user_abc123", "pending"]);
    let id = wait_for_intent(&dirs.journal(), "vip");
    (tui, id)
}

fn assert_abandoned_once(dirs: &Dirs, id: &str) {
    let records = journal_records(&dirs.journal());
    let outcomes = outcomes_for(&records, id);
    assert_eq!(outcomes.len(), 1, "one outcome for {id}: {records:#?}");
    assert_eq!(outcomes[0]["result"], "abandoned", "{:#}", outcomes[0]);
}

#[test]
fn sigquit_restores_the_terminal_and_journals_abandoned() {
    let dirs = Dirs::new();
    let sim = Sim::start(&["hive.add:latency=30000"]);
    let (mut tui, id) = mid_request(&dirs, &sim);
    tui.signal("-QUIT");
    let status = tui.wait_exit();
    assert!(
        status.signal().is_none(),
        "handled, not a core dump: {status:?}"
    );
    {
        let parser = tui.parser.lock().unwrap_or_else(|e| e.into_inner());
        let screen = parser.screen();
        assert!(!screen.alternate_screen(), "still on the alternate screen");
        assert!(!screen.hide_cursor(), "the cursor is still hidden");
    }
    assert_abandoned_once(&dirs, &id);
}

#[test]
fn losing_the_terminal_mid_request_still_journals_abandoned() {
    // The terminal going away (a closed tmux pane, a dropped ssh session) raced the quit path
    // before: repeat it to catch the race.
    let sim = Sim::start(&["hive.add:latency=30000"]);
    for round in 0..3 {
        let dirs = Dirs::new();
        let (mut tui, id) = mid_request(&dirs, &sim);
        tui.hang_up();
        let status = tui.wait_exit();
        assert!(
            status.signal().is_none(),
            "round {round}: the hang-up goes through the quit path: {status:?}"
        );
        let deadline = Instant::now() + EXIT;
        loop {
            let records = journal_records(&dirs.journal());
            if !outcomes_for(&records, &id).is_empty() || Instant::now() >= deadline {
                break;
            }
            thread::sleep(POLL);
        }
        assert_abandoned_once(&dirs, &id);
    }
}

#[test]
fn a_profile_switch_that_cannot_resolve_stays_in_place() {
    let dirs = Dirs::new();
    let sim = Sim::start(&[]);
    dirs.write_config(&sim.base_url());
    // A second profile whose every key comes from a slow command that fails.
    let mut text = std::fs::read_to_string(dirs.config()).expect("config");
    text.push_str(&format!(
        r#"
[profiles.zz_broken.cerego]
base_url = "{base}"
partner_id = "4242"
api_key_cmd = ["sh", "-c", "sleep 1; echo no >&2; exit 3"]
[profiles.zz_broken.hive]
base_url = "{base}"
api_key_cmd = ["sh", "-c", "sleep 1; exit 3"]
"#,
        base = sim.base_url()
    ));
    std::fs::write(dirs.config(), text).expect("config");
    let mut tui = Tui::start(&dirs, Mode::Config { hive_key: HIVE_KEY });
    tui.wait_for("Users · partner 4242");
    // The start-up listing answered: nothing in flight, so no abandon question.
    tui.wait_idle();
    tui.send("P");
    tui.wait_for("Switch profile");
    tui.send("j");
    tui.send("\r");
    tui.wait_for("running api_key_cmd for profile zz_broken");
    let screen = tui.wait_for("Cannot switch to profile zz_broken");
    assert!(screen.contains("profile: e2e"), "{screen}");
    assert!(tui.exited().is_none(), "the console is still running");
    // And it still works.
    tui.send("r");
    let deadline = Instant::now() + SHOW;
    loop {
        let lists = tui
            .screen()
            .lines()
            .filter(|l| l.contains("Cerego list") && l.contains("36 users"))
            .count();
        if lists == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "no reload: {}", tui.screen());
        thread::sleep(POLL);
    }
    tui.wait_idle();
    tui.send("q");
    tui.wait_exit();
}

#[test]
fn a_service_whose_key_is_missing_says_key_not_set() {
    let dirs = Dirs::new();
    let sim = Sim::start(&[]);
    dirs.write_config(&sim.base_url());
    let text = std::fs::read_to_string(dirs.config())
        .expect("config")
        .replace("E2E_CEREGO_KEY", "E2E_UNSET_CEREGO_KEY");
    std::fs::write(dirs.config(), text).expect("config");
    let mut tui = Tui::start(&dirs, Mode::Config { hive_key: HIVE_KEY });
    tui.wait_for("Patrons ·");
    tui.send("1");
    // Configured, its key merely missing: "key not set", not "not configured".
    let screen = tui.wait_for("Users · key not set");
    assert!(screen.contains("E2E_UNSET_CEREGO_KEY"), "{screen}");
    assert!(!screen.contains("not configured"), "{screen}");
    // Hive works meanwhile.
    open_patron(&mut tui, "user_abc123");
    add_hive_tags(&mut tui, "vip");
    tui.wait_for_line(&["Hive add", "user_abc123", "Successfully"]);
    tui.send("q");
    tui.wait_exit();
}

#[test]
fn no_color_keeps_titles_bold_and_marks_selection_after_a_tab_switch() {
    let dirs = Dirs::new();
    let mut tui = Tui::start_with(&dirs, Mode::Demo, &[("NO_COLOR", "1")]);
    tui.wait_for("Users · partner 4242");
    tui.send("2");
    let screen = tui.wait_for("▶ Patrons");
    let title_row = screen.lines().nth(1).expect("title row").to_string();
    let start = title_row.chars().position(|c| c == 'P').expect("the title") as u16;
    for col in start..start + 7 {
        let (text, bold, inverse) = tui.cell(1, col);
        assert!(
            bold && inverse,
            "title cell {col} {text:?}: bold {bold}, inverse {inverse}"
        );
    }
    // The selected patron: marked and in reverse video.
    let row = screen.lines().nth(2).expect("first row").to_string();
    assert!(row.contains("▶ user_abc123"), "{row}");
    let (_, _, inverse) = tui.cell(2, 4);
    assert!(inverse, "the selected row is reversed");
    // The active tab.
    let header = screen.lines().next().expect("header").to_string();
    let tab = header.find("2 Hive").expect("the tab") as u16;
    let (_, bold, inverse) = tui.cell(0, tab + 2);
    assert!(bold && inverse, "the active tab");
    tui.send("q");
    tui.wait_exit();
}

/// `--color never` draws the console in its monochrome theme (NO_COLOR does too, above);
/// `--color always` keeps the colours though NO_COLOR is set.
#[test]
fn color_never_draws_without_colour_and_the_flag_beats_no_color() {
    let dirs = Dirs::new();
    for (args, vars, coloured) in [
        (&["--color", "never"][..], &[][..], false),
        (&["--color", "never"], &[("CLICOLOR_FORCE", "1")], false),
        (&[], &[("NO_COLOR", "1")], false),
        (&["--color", "always"], &[("NO_COLOR", "1")], true),
        (&[], &[], true),
    ] {
        let mut tui = Tui::start_with(&dirs, Mode::DemoWith(args), vars);
        tui.wait_for("Users · partner 4242");
        tui.send("2");
        let screen = tui.wait_for("Patrons");
        assert_eq!(
            tui.coloured_cells() > 0,
            coloured,
            "{args:?} {vars:?}:\n{screen}"
        );
        // Monochrome marks the selected row with ▶ instead of a colour.
        assert_eq!(
            screen.contains("▶ user_abc123"),
            !coloured,
            "{args:?} {vars:?}"
        );
        tui.send("q");
        tui.wait_exit();
    }
}

#[test]
fn a_look_up_through_the_real_backend_selects_the_user() {
    let dirs = Dirs::new();
    let mut tui = Tui::start(&dirs, Mode::Demo);
    tui.wait_for("Users · partner 4242");
    tui.send("f");
    tui.wait_for("Look up a Cerego user");
    tui.send("M-1020");
    tui.send("\r");
    let screen = tui.wait_for("Look-up \"M-1020\": 1 user found.");
    assert!(screen.contains("Tags · Joan Clarke"), "{screen}");
    tui.send("q");
    tui.wait_exit();
}

/// `tagdesk demo` plays every documented outcome and stays open on the result; two runs
/// journal the same answers in the same order (same seed, same screens).
#[test]
fn the_demo_tour_is_deterministic() {
    let run = || {
        let dirs = Dirs::new();
        let mut tui = Tui::start(&dirs, Mode::Args(&["demo", "--step-ms", "0"]));
        let screen = tui.wait_for_within("Tour finished: 26 steps", Duration::from_secs(90));
        assert!(screen.contains("q quits"), "{screen}");
        assert!(tui.exited().is_none(), "the console stays open at the end");
        tui.send("q");
        assert!(tui.wait_exit().success());
        let journal = std::fs::read_to_string(dirs.data().join("journal-demo.jsonl"))
            .expect("the demo journal");
        // Each request's answer, in the order the requests were made.
        let mut order: Vec<String> = Vec::new();
        let mut answers: std::collections::HashMap<String, String> = Default::default();
        for line in journal.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON record");
            let id = v["id"].as_str().unwrap_or_default().to_string();
            match v["kind"].as_str() {
                Some("intent") => order.push(format!("{} {}", v["op"]["op"], id)),
                Some("outcome") => {
                    answers.insert(
                        id,
                        format!("{} {}", v["status"], v["summary"].as_str().unwrap_or("")),
                    );
                }
                _ => {}
            }
        }
        order
            .iter()
            .map(|o| {
                let (op, id) = o.split_once(' ').unwrap_or_default();
                format!("{op} {}", answers.get(id).cloned().unwrap_or_default())
            })
            .collect::<Vec<_>>()
    };
    let first = run();
    assert_eq!(first.len(), 27, "the listing and 26 plays: {first:#?}");
    assert!(
        first.iter().any(|l| l.contains("INVALID_API_KEY")),
        "{first:#?}"
    );
    assert_eq!(first, run());
}

/// `y` in the inspector copies through OSC 52: the real binary writes the sequence to the
/// terminal, and the curl line in it names the key's variable, never the key.
#[test]
fn the_inspector_copies_curl_through_osc52_without_the_key() {
    use base64::Engine as _;
    let dirs = Dirs::new();
    let mut tui = Tui::start(&dirs, Mode::Demo);
    tui.wait_for("Ada Lovelace");
    tui.send("2");
    tui.wait_for("Tags · user_abc123");
    add_hive_tags(&mut tui, "vip");
    tui.wait_for_line(&[
        "Hive add",
        "user_abc123",
        "Successfully added tags to patron.",
    ]);
    tui.wait_idle();
    // To the log, inspect the add (the last entry), then copy the curl line.
    tui.send("\t");
    tui.send("\t");
    tui.send("G");
    tui.send("\r");
    tui.wait_for("Inspector");
    tui.send("y");
    tui.wait_for("the request as curl");
    tui.send("j");
    tui.send("\r");
    tui.wait_for("Copied the request as curl");
    let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
    let start = raw.find("\x1b]52;c;").expect("an OSC 52 sequence") + "\x1b]52;c;".len();
    let end = start + raw[start..].find('\x07').expect("its end");
    let text = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(&raw[start..end])
            .expect("base64"),
    )
    .expect("utf-8");
    assert!(
        text.starts_with("curl -sS -X POST http://127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("$TAGDESK_HIVE_API_KEY"), "{text}");
    assert!(!text.contains(HIVE_KEY), "never the key: {text}");
    tui.send("\x1b");
    tui.send("q");
    assert!(tui.wait_exit().success());
}

/// The last time `on` was written is after the last time `off` was (the mode is on now).
fn mode_on(raw: &[u8], on: &[u8], off: &[u8]) -> bool {
    rfind(raw, on) > rfind(raw, off)
}

/// How many times `what` was written.
fn count(raw: &[u8], what: &[u8]) -> usize {
    raw.windows(what.len()).filter(|w| *w == what).count()
}

/// Waits (bounded) until the console has written `what` `n` times.
fn wait_written(tui: &mut Tui, what: &[u8], n: usize) {
    let deadline = Instant::now() + SHOW;
    while count(&tui.raw(), what) < n {
        assert!(
            Instant::now() < deadline,
            "{what:?} was not written {n} times; modes written: {:?}",
            String::from_utf8_lossy(&tui.raw())
                .split('\x1b')
                .filter(|s| s.starts_with("[?"))
                .collect::<Vec<_>>()
        );
        thread::sleep(POLL);
    }
}

#[test]
fn a_click_through_the_terminal_and_the_mouse_given_back_on_suspend_and_exit() {
    const ON: &[u8] = b"\x1b[?1000h";
    const OFF: &[u8] = b"\x1b[?1000l";
    let dirs = Dirs::new();
    let mut tui = Tui::start(&dirs, Mode::Demo);
    let screen = tui.wait_for("Users · partner 4242");
    wait_written(&mut tui, ON, 1);
    // A click on the Hive tab, as a terminal reports it (SGR, 1-based cells).
    let header = screen.lines().next().expect("the header").to_string();
    let col = header.find("2 Hive").expect("the tab") + 1;
    tui.send(&format!("\x1b[<0;{col};1M\x1b[<0;{col};1m"));
    tui.wait_for("Patrons · ");

    // Ctrl-Z hands the terminal back without the mouse, and takes it again on `fg`.
    // (The kernel does not stop a pty's orphaned process group, so the console comes
    // straight back here; SIGCONT is what `fg` would send.)
    tui.send("\x1a");
    wait_written(&mut tui, OFF, 1);
    tui.signal("-CONT");
    wait_written(&mut tui, ON, 2);
    // Taking the screen again asks where the cursor is: answer as a terminal would.
    wait_written(&mut tui, b"\x1b[6n", 1);
    tui.send("\x1b[1;1R");
    tui.wait_for("Patrons · ");
    assert!(tui.exited().is_none(), "the console runs on after a resume");

    tui.send("q");
    let status = tui.wait_exit();
    assert!(status.success(), "quit by q after the resume: {status:?}");
    let raw = tui.raw();
    assert!(
        !mode_on(&raw, ON, OFF) && !mode_on(&raw, b"\x1b[?1006h", b"\x1b[?1006l"),
        "the mouse was given back at exit"
    );
    let parser = tui.parser.lock().unwrap_or_else(|e| e.into_inner());
    assert_eq!(
        parser.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None
    );
}

#[test]
fn no_mouse_or_mouse_false_leaves_the_mouse_to_the_terminal() {
    let dirs = Dirs::new();
    let config = dirs.path().join("console.toml");
    std::fs::write(&config, "mouse = false\n").expect("config");
    let config = config.to_string_lossy().into_owned();
    for (mode, env) in [
        (Mode::DemoWith(&["--no-mouse"]), vec![]),
        (Mode::Demo, vec![("TAGDESK_CONFIG", config.as_str())]),
    ] {
        let mut tui = Tui::start_with(&dirs, mode, &env);
        tui.wait_for("Users · partner 4242");
        {
            let parser = tui.parser.lock().unwrap_or_else(|e| e.into_inner());
            assert_eq!(
                parser.screen().mouse_protocol_mode(),
                vt100::MouseProtocolMode::None,
                "{env:?}"
            );
        }
        tui.send("q");
        tui.wait_exit();
        assert!(rfind(&tui.raw(), b"\x1b[?1000h").is_none(), "{env:?}");
    }
}

/// Issue 21: a profile that does not say `cerego.tags_api` now sends the set endpoint; the
/// console says so at the first start on it (status line and log), once: remembered in
/// notices.toml (0600), the next start says nothing of it.
#[test]
fn the_new_tags_api_default_is_said_once_per_profile() {
    let dirs = Dirs::new();
    let sim = Sim::start(&[]);
    dirs.write_config(&sim.base_url());
    let said = |dirs: &Dirs| {
        let log = std::fs::read_to_string(dirs.data().join("tagdesk.log")).unwrap_or_default();
        log.matches("profile e2e does not set tags_api").count()
    };
    for _ in 0..2 {
        let mut tui = Tui::start(&dirs, Mode::Config { hive_key: HIVE_KEY });
        // The listing (the second start shows the cached one first).
        tui.wait_for("Ada Lovelace");
        tui.wait_idle();
        tui.send("q");
        assert!(tui.wait_exit().success());
        assert_eq!(said(&dirs), 1, "said at the first start, and only then");
    }
    let notices = dirs.data().join("notices.toml");
    let text = std::fs::read_to_string(&notices).expect("notices.toml");
    assert!(text.contains("tags_api_default = [\"e2e\"]"), "{text}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&notices)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
}
