//! Themes (issue 11, item 11): a light theme beside the dark one, and a monochrome theme
//! (what NO_COLOR selects) in which everything stays distinguishable — selection, focus,
//! the active tab, results, MATCH / MISMATCH, the picker's marks — by glyphs, bold and
//! reverse video. The styled snapshots record every cell's colours and modifiers.

mod support;

use ratatui::crossterm::event::KeyCode;
use support::Harness;
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::Pane;
use tagdesk::tui::theme::Theme;

fn with_theme(theme: Theme, size: (u16, u16)) -> Harness {
    let mut h = Harness::with_settings(Seed::demo(), size.0, size.1, |s| {
        s.theme = theme;
    });
    h.reply_all();
    h
}

/// The Hive tab with an applied, a partial and a failed add, the log focused.
fn outcomes(h: &mut Harness) {
    h.key(KeyCode::Char('2'));
    for fields in ["vip", "beta_tester bogus", "bogus"] {
        h.key(KeyCode::Char('a'));
        h.type_text(fields);
        h.key(KeyCode::Enter);
        h.reply_all();
    }
    while h.app.focus != Pane::Log {
        h.key(KeyCode::Tab);
    }
}

#[test]
fn monochrome_keeps_every_meaning_without_colour() {
    let mut h = with_theme(Theme::Monochrome, (120, 40));
    outcomes(&mut h);
    let styled = h.screen_styled();
    // Not one colour on screen.
    for colour in [
        "Cyan", "Yellow", "Red", "Green", "Magenta", "DarkGray", "Indexed",
    ] {
        assert!(
            !styled.contains(colour),
            "{colour} in monochrome:\n{styled}"
        );
    }
    // The results keep their glyphs and MATCH, the focused pane and the selection their
    // marker and reverse video.
    let screen = h.screen();
    for glyph in [
        "✓ Successfully added",
        "◐ Some tags were added",
        "✗ No tags were added",
        "MATCH",
        "▶ Action log",
    ] {
        assert!(screen.contains(glyph), "{glyph}:\n{screen}");
    }
    assert!(styled.contains("REVERSED"), "{styled}");
    insta::assert_snapshot!("monochrome_log_120x40", styled);
    // The scenario picker and the help's outcome page too.
    h.key(KeyCode::Char('S'));
    insta::assert_snapshot!("monochrome_picker_120x40", h.screen_styled());
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('?'));
    h.key(KeyCode::Right);
    insta::assert_snapshot!("monochrome_help_outcomes_120x40", h.screen_styled());
}

#[test]
fn the_light_theme_draws_the_same_screen_in_its_own_colours() {
    let mut dark = with_theme(Theme::Dark, (100, 30));
    let mut light = with_theme(Theme::Light, (100, 30));
    outcomes(&mut dark);
    outcomes(&mut light);
    // The same text, other colours.
    assert_eq!(dark.screen(), light.screen());
    let styled = light.screen_styled();
    assert!(
        !styled.contains("Cyan") && !styled.contains("DarkGray"),
        "{styled}"
    );
    assert!(styled.contains("Indexed(25)"), "the light accent: {styled}");
    insta::assert_snapshot!("light_log_100x30", styled);
}
