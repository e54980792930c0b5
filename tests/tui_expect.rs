//! The `expect` column in the console: an imported file keeps its expectations through
//! the console's planner, and the batch window marks each answered row MATCH or MISMATCH
//! and counts the mismatches.

mod support;

use std::sync::Arc;

use ratatui::crossterm::event::KeyCode;
use support::Harness;
use tagdesk::core::op::Service;
use tagdesk::tui::app::{Message, Tab};
use tagdesk::tui::popups::Popup;

#[test]
fn the_batch_window_marks_each_row_against_its_expected_outcome() {
    let mut h = Harness::demo(120, 32);
    h.app.id_prefix = Some("batch".into());
    h.key(KeyCode::Char('2'));
    assert_eq!(h.app.tab, Tab::Hive);
    h.key(KeyCode::Char('I'));
    h.type_text("check.csv");
    h.key(KeyCode::Enter);
    // user_abc123 holds newsletter; the demo application defines vip, not bogus.
    let file = "user_id,user_tags,expect\r\nuser_abc123,\"vip, bogus\",partial\r\nbrand_new,vip,pre\r\nanother_new,vip,\r\n";
    h.send(Message::ImportRead {
        path: "check.csv".into(),
        service: Service::Hive,
        result: Ok(Arc::new(file.as_bytes().to_vec())),
    });
    let Some(Popup::Preview(p)) = &h.app.popup else {
        panic!("the import's preview opens")
    };
    let expects: Vec<Option<&str>> = p.plan.rows.iter().map(|r| r.expect.as_deref()).collect();
    assert_eq!(expects, [Some("partial"), Some("pre"), None]);
    h.key(KeyCode::Enter);
    h.run_batch(None);
    let screen = h.screen();
    assert!(screen.contains("MATCH (expect partial)"), "{screen}");
    assert!(
        screen.contains("MISMATCH: expected pre, got added"),
        "{screen}"
    );
    assert!(screen.contains("mismatched 1"), "{screen}");
    // The row with no expectation carries no mark.
    let plain = screen
        .lines()
        .find(|l| l.contains("another_new"))
        .expect("the third row");
    assert!(!plain.contains("MATCH"), "{plain}");
}

#[test]
fn the_import_preview_shows_each_rows_expectation_beside_its_prediction() {
    let mut h = Harness::demo(160, 32);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('I'));
    h.type_text("check.csv");
    h.key(KeyCode::Enter);
    // creator_0108 holds vip in the demo seed, so an add of vip cannot be `added`.
    let file = "user_id,user_tags,expect\r\ncreator_0108,vip,added\r\nbrand_new,vip,ok\r\n";
    h.send(Message::ImportRead {
        path: "check.csv".into(),
        service: Service::Hive,
        result: Ok(Arc::new(file.as_bytes().to_vec())),
    });
    assert!(matches!(h.app.popup, Some(Popup::Preview(_))));
    let screen = h.screen();
    let line = |patron: &str| {
        screen
            .lines()
            .find(|l| l.contains(patron) && l.contains("Hive add"))
            .unwrap_or_else(|| panic!("a line for {patron}: {screen}"))
            .to_string()
    };
    assert!(
        line("creator_0108").contains("=vip · expect added: CONTRADICTED (predicted: pre)"),
        "{screen}"
    );
    assert!(line("brand_new").contains("?vip · expect ok"), "{screen}");
    assert!(!line("brand_new").contains("CONTRADICTED"), "{screen}");
}
