//! What the popups' unit tests share: an App on the demo seed to take a [`Cx`] from, keys
//! pressed as the popup's own key table reads them, and a draw on ratatui's TestBackend.

use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{Cx, Outcome, Room};
use crate::tui::app::App;
use crate::tui::keymap::key_event;

/// The console on the demo seed (its Cerego listing not answered), at 80x24.
pub fn app() -> App {
    let seed = crate::sim::seed::Seed::demo();
    let settings = crate::tui::demo_settings(&seed);
    let now = Utc
        .with_ymd_and_hms(2026, 12, 6, 9, 30, 0)
        .single()
        .expect("a valid time");
    App::new(settings, now).0
}

/// Presses `key` (written as the configuration writes keys: `"enter"`, `"j"`, `"ctrl-c"`)
/// in `popup`, as the key table of its context reads it.
pub fn press(popup: &mut dyn Room, cx: &Cx, key: &str) -> Outcome {
    let event = key_event(key).expect("a key the configuration can write");
    let action = cx.settings.keymap.action_in(popup.context(), &event);
    popup.on_key(action, event, cx)
}

/// What `popup` draws over an empty `width` x `height` screen, a line of text a row.
pub fn screen(popup: &dyn Room, cx: &Cx, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|frame| popup.draw(cx, frame, frame.area()))
        .expect("a draw");
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The status texts an outcome asks the App to show.
pub fn said(outcome: &Outcome) -> Vec<&str> {
    outcome
        .then
        .iter()
        .filter_map(|d| match d {
            super::Do::Status(_, text) => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// Presses keys on the whole App, one after the other, as the loop would.
pub fn keys(app: &mut App, keys: &[&str]) -> Vec<crate::tui::app::Effect> {
    let mut effects = Vec::new();
    for key in keys {
        let event = key_event(key).expect("a key the configuration can write");
        effects.extend(app.update(crate::tui::app::Message::Key(event)));
        app.settle_filters();
    }
    effects
}

/// The demo console on its Hive tab with a preview open: `vip` added to the first two
/// patrons, marked.
pub fn hive_preview() -> App {
    let mut app = app();
    app.id_prefix = Some("batch".into());
    keys(
        &mut app,
        &["2", "space", "space", "a", "v", "i", "p", "enter"],
    );
    assert!(
        matches!(app.popup, Some(super::Popup::Preview(_))),
        "{:?}",
        app.popup
    );
    app
}
