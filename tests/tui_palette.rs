//! The command palette on TestBackend: `:` and `ctrl-p` open it, typing filters it with the
//! lists' matcher, Enter (or a click) runs the action as its key would, `[keys]` overrides
//! show, and what is unavailable shows greyed with the reason. And the main screen's hint
//! line, which offers the palette everywhere and the playground in demo mode.

mod support;

use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use support::Harness;
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::Level;
use tagdesk::tui::mouse::Target;
use tagdesk::tui::popups::{Palette, Popup};

const SMALL: (u16, u16) = (80, 24);
const LARGE: (u16, u16) = (120, 40);

fn palette(h: &Harness) -> &Palette {
    match &h.app.popup {
        Some(Popup::Palette(p)) => p,
        other => panic!("the palette is not open: {other:?}"),
    }
}

/// The screen's row that shows `text` (panics with the screen when none does).
fn row(h: &mut Harness, text: &str) -> String {
    let screen = h.screen();
    match screen.lines().find(|l| l.contains(text)) {
        Some(line) => line.to_string(),
        None => panic!("{text:?} is not on the screen:\n{screen}"),
    }
}

fn status(h: &Harness) -> Option<(Level, String)> {
    h.app.status.clone()
}

#[test]
fn colon_and_ctrl_p_both_open_the_palette_and_esc_closes_it() {
    let mut h = Harness::demo(SMALL.0, SMALL.1);
    h.key(KeyCode::Char(':'));
    assert!(h.screen().contains(" Commands "));
    h.key(KeyCode::Esc);
    assert!(h.app.popup.is_none());
    h.key_mod(KeyCode::Char('p'), KeyModifiers::CONTROL);
    assert!(matches!(h.app.popup, Some(Popup::Palette(_))));
    // Every action of the main screen is listed (but the palette itself), with its keys.
    let p = palette(&h);
    let listed: Vec<&str> = p.shown().map(|e| e.action.name()).collect();
    let main = h.app.settings.keymap.entries().len();
    assert_eq!(listed.len(), main - 1, "{listed:?}");
    assert!(!listed.contains(&"palette"));
    assert_eq!(listed[0], "add", "in the help's order");
    let add = row(&mut h, "add tags");
    assert!(add.contains("▶ add tags ") && add.contains(" a │"), "{add}");
    h.key(KeyCode::Esc);
    assert!(h.app.popup.is_none());
}

#[test]
fn the_palette_filters_as_you_type_and_enter_runs_the_action() {
    let mut h = Harness::demo(SMALL.0, SMALL.1);
    h.key(KeyCode::Char(':'));
    // Keys that are actions on the main screen are text here.
    h.type_text("batch");
    assert_eq!(palette(&h).input.value(), "batch");
    let shown: Vec<&str> = palette(&h).shown().map(|e| e.action.name()).collect();
    assert_eq!(shown[0], "batches", "what begins with the text comes first");
    assert!(shown.contains(&"import"), "a fuzzy match: {shown:?}");
    assert!(!shown.contains(&"help"), "{shown:?}");
    let screen = h.screen();
    assert!(screen.contains("> batch"), "{screen}");
    assert!(
        screen.contains("▶ batches: open, resume or undo one"),
        "{screen}"
    );
    // The selected action's help line shows under the list.
    assert!(screen.contains("this profile's, newest first"), "{screen}");
    insta::assert_snapshot!("palette_batch_80x24", screen);
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.app.popup, Some(Popup::Batches(_))),
        "the batches view opens, as B would: {:?}",
        h.app.popup
    );
    // ↓ moves in the list, ctrl-n / ctrl-p too (the palette's text takes j and k).
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char(':'));
    h.key(KeyCode::Down);
    h.key_mod(KeyCode::Char('n'), KeyModifiers::CONTROL);
    h.key_mod(KeyCode::Char('p'), KeyModifiers::CONTROL);
    assert_eq!(palette(&h).chosen().map(|e| e.action.name()), Some("edit"));
    // A filter that matches nothing says so; Enter then does nothing.
    h.type_text("zzzz");
    assert!(h.screen().contains("No action matches"));
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.popup, Some(Popup::Palette(_))));
}

#[test]
fn a_keys_override_shows_in_the_palette_and_runs_the_same() {
    let config = tagdesk::config::parse("[keys]\nbatches = [\"b\"]\n", "/c.toml".as_ref())
        .expect("a valid [keys] table");
    let keymap = tagdesk::tui::keymap::Keymap::with_overrides(&config.keys).expect("valid");
    let mut h = Harness::with_settings(Seed::demo(), SMALL.0, SMALL.1, |s| s.keymap = keymap);
    h.reply_all();
    h.key_mod(KeyCode::Char('p'), KeyModifiers::CONTROL);
    h.type_text("batches");
    let line = row(&mut h, "batches: open, resume or undo one");
    assert!(line.contains(" b │"), "the override, not B: {line}");
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.popup, Some(Popup::Batches(_))));
}

#[test]
fn an_unavailable_action_is_greyed_with_its_reason() {
    let mut h = Harness::with_settings(Seed::demo(), LARGE.0, LARGE.1, |s| {
        s.policy.read_only = true;
    });
    h.reply_all();
    h.key(KeyCode::Char(':'));
    let line = row(&mut h, "add tags");
    assert!(
        line.contains("▶ add tags — Profile demo is read-only: adding tags is refused"),
        "{line}"
    );
    // Greyed: the row's text is drawn muted (and the reason says it where colour cannot).
    let edit = "  edit a Cerego tag's value — Profile demo is read-only: editing a tag is refused";
    let styled = h.screen_styled();
    let row_at = styled
        .lines()
        .position(|l| l.contains(edit))
        .unwrap_or_else(|| panic!("no greyed edit row:\n{styled}"));
    let runs = styled.lines().nth(row_at + 1).unwrap_or_default();
    assert!(runs.contains("DarkGray"), "{runs}");
    // The first row, `add`, is selected: its reason shows whole under the list.
    let entry = palette(&h).chosen().expect("a row").clone();
    assert_eq!(entry.action.name(), "add");
    let (level, reason) = entry.unavailable.expect("unavailable");
    assert_eq!(level, Level::Error);
    assert!(h.screen().contains("✗ Profile demo is read-only"));
    // A read stays available: not greyed.
    let refresh = palette(&h)
        .shown()
        .find(|e| e.action.name() == "refresh")
        .expect("listed");
    assert!(refresh.unavailable.is_none());
    // Enter does what the key does: nothing opens, the status line says why.
    h.key(KeyCode::Enter);
    assert!(h.app.popup.is_none());
    assert_eq!(status(&h), Some((Level::Error, reason)));
}

#[test]
fn what_becomes_available_while_the_palette_is_open_is_no_longer_greyed() {
    // A profile whose saved workspace is still being read: opening a patron waits for it.
    let mut h = Harness::with_settings(Seed::demo(), SMALL.0, SMALL.1, |s| {
        s.patrons = Vec::new();
        s.patrons_loading = true;
    });
    h.reply_all();
    h.key(KeyCode::Char(':'));
    let open = |h: &Harness| {
        palette(h)
            .shown()
            .find(|e| e.action.name() == "open")
            .and_then(|e| e.unavailable.clone())
    };
    assert!(open(&h).is_some(), "greyed while the patrons load");
    h.type_text("open");
    // The workspace arrives while the palette is open: the row is no longer greyed, and
    // what was typed and selected stays.
    h.send(tagdesk::tui::app::Message::WorkspaceLoaded {
        workspace: Box::new(tagdesk::engine::workspace::Workspace {
            patrons: Vec::new(),
            cerego_lookups: Vec::new(),
            extent: tagdesk::engine::workspace::Extent::Whole,
        }),
        problem: None,
    });
    assert_eq!(open(&h), None);
    assert_eq!(palette(&h).input.value(), "open");
    // On the list, `undo` asks to tab to the log; from the log it is available.
    h.key(KeyCode::Esc);
    let undo = |h: &Harness| {
        palette(h)
            .shown()
            .find(|e| e.action.name() == "undo")
            .and_then(|e| e.unavailable.clone())
    };
    h.key(KeyCode::Char(':'));
    assert!(undo(&h).is_some_and(|(_, r)| r.contains("action log")));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char(':'));
    assert_eq!(undo(&h), None);
}

#[test]
fn a_click_selects_a_row_and_a_click_on_the_selected_row_runs_it() {
    let mut h = Harness::demo(LARGE.0, LARGE.1);
    h.key(KeyCode::Char(':'));
    h.type_text("show");
    let help = palette(&h)
        .shown()
        .position(|e| e.action.name() == "help")
        .expect("listed");
    let target = Target::Choice(help);
    assert_ne!(palette(&h).selected, help, "not the selected row yet");
    let (x, y) = h.hits().find(&target).expect("a row to click");
    h.click(x, y);
    assert_eq!(palette(&h).selected, help);
    h.click(x, y);
    assert!(
        matches!(h.app.popup, Some(Popup::Help(_))),
        "{:?}",
        h.app.popup
    );
    // A click outside the palette closes it.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char(':'));
    h.click(0, 0);
    assert!(h.app.popup.is_none());
}

/// The last line of the screen.
fn hint_line(h: &mut Harness) -> String {
    h.screen().lines().last().unwrap_or_default().to_string()
}

#[test]
fn the_hint_line_offers_the_palette_everywhere_and_the_playground_in_demo_mode() {
    let mut h = Harness::demo(SMALL.0, SMALL.1);
    let line = hint_line(&mut h);
    assert!(line.contains(" S playground "), "{line}");
    assert!(line.contains(" : commands  ? help  q quit "), "{line}");
    assert!(line.ends_with("idle"), "nothing is cut: {line}");
    // On the log, the widest set of hints: what does not fit at 80 columns goes, the
    // palette, the help and quit stay (the palette lists the others).
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    let line = hint_line(&mut h);
    assert!(line.contains(" : commands  ? help  q quit "), "{line}");
    assert!(line.contains(" u undo "), "{line}");
    assert!(line.ends_with("idle"), "{line}");
    // A clickable hint: `:` opens the palette.
    let (x, y) = h
        .hits()
        .find(&Target::Hint(tagdesk::config::bindings::Action::Palette))
        .expect("the hint");
    h.click(x, y);
    assert!(matches!(h.app.popup, Some(Popup::Palette(_))));
    // Off demo mode: the palette, no playground.
    let mut h = Harness::with_settings(Seed::demo(), SMALL.0, SMALL.1, |s| s.demo = false);
    h.reply_all();
    let line = hint_line(&mut h);
    assert!(line.contains(" : commands "), "{line}");
    assert!(!line.contains("playground"), "{line}");
}
