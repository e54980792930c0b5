//! Every user, honestly: a partner of 100,000 users (the simulator's synthetic users beside
//! the demo seed) is listed completely by the CLI and by the console, and both agree with
//! the server's total. (Speed and memory at 1,000,000 are in `benches/`, not here.)

mod support;

use chrono::Utc;
use support::cli::{CEREGO_KEY, Env, HIVE_KEY, code, stderr, stdout};
use tagdesk::engine::backend::{self, Event};
use tagdesk::sim::seed::Seed;
use tagdesk::sim::{SimOptions, Simulator};
use tagdesk::tui::app::{App, Effect, Message};

const SYNTHETIC: u64 = 100_000;
/// Users per page: not the documented 25, so nothing may assume a page size.
const PAGE: u64 = 500;

/// The demo seed's users plus 100,000 synthetic ones, [`PAGE`] to a page, without tags.
async fn big_sim() -> Simulator {
    let mut seed = Seed::demo();
    // Users without tags (synthetic users copy the seed's): the count is what is tested,
    // and a debug build reads a tenth of the bytes.
    for u in &mut seed.cerego.users {
        u.tags.clear();
    }
    seed.add_synthetic(SYNTHETIC, 0);
    seed.cerego.page_size = PAGE as usize;
    Simulator::start_local(SimOptions {
        seed,
        hive_key: HIVE_KEY.into(),
        cerego_key: CEREGO_KEY.into(),
        faults: Vec::new(),
    })
    .await
    .expect("simulator")
}

fn total(sim: &Simulator) -> u64 {
    let listed = tagdesk::sim::Model::new(&sim.options().seed)
        .answer(&tagdesk::core::op::Op::CeregoListUsers {
            partner: tagdesk::core::domain::PartnerId::parse("4242").expect("partner"),
            query: None,
            departments: false,
        })
        .1;
    listed["meta"]["total-count"].as_u64().expect("a total")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_lists_every_one_of_100000_users() {
    let mut env = Env::new().await;
    env.sim = big_sim().await;
    // The configuration names the new simulator's address.
    env.write_config(&env.default_config());
    let want = total(&env.sim);
    assert!(want > SYNTHETIC, "the seed's users and the synthetic ones");
    let out = env.run(&["cerego", "users"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let said = stderr(&out);
    // One line per user, then the summary: every user, every page, no cut.
    let lines = text
        .lines()
        .filter(|l| l.starts_with(char::is_numeric))
        .count() as u64;
    assert_eq!(lines, want, "every user printed");
    let pages = want.div_ceil(PAGE);
    assert!(
        said.contains(&format!("{want} users ({pages} pages)")),
        "{said}"
    );
    assert!(!said.contains("cut short"), "{said}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_lists_every_one_of_100000_users() {
    let sim = big_sim().await;
    let want = total(&sim);
    let seed = Seed::demo();
    let profile = seed.demo_profile(
        &sim.base_url(),
        tagdesk::config::DemoKeys {
            hive: HIVE_KEY,
            cerego: CEREGO_KEY,
        },
    );
    let clients = tagdesk::session::clients_for(&profile).expect("clients");
    let settings = tagdesk::tui::settings_from(&profile, Vec::new(), Vec::new(), Vec::new());
    let (mut app, effects) = App::new(settings, Utc::now());
    let (request_tx, request_rx) = tokio::sync::mpsc::unbounded_channel();
    let (event_tx, mut event_rx) = tokio::sync::mpsc::unbounded_channel();
    let backend = backend::spawn(
        clients,
        None,
        tagdesk::engine::retry::RetryPolicy::default(),
        request_rx,
        event_tx,
    );
    for e in effects {
        if let Effect::Send(r) = e {
            request_tx.send(r).expect("send");
        }
    }
    let mut pages = 0u64;
    while let Some(event) = event_rx.recv().await {
        pages += u64::from(matches!(event, Event::Page { .. }));
        let done = matches!(event, Event::Done(_));
        app.update(tagdesk::tui::event_message(event));
        if done {
            break;
        }
    }
    drop(request_tx);
    backend.abandon_in_flight();
    assert_eq!(pages, want.div_ceil(PAGE), "page by page");
    assert_eq!(
        app.known.cerego.len() as u64,
        want,
        "every user is in the list"
    );
    assert_eq!(app.known.cerego.total_count, Some(want));
    assert!(app.known.cerego.cut.is_none());
    // G goes to the last of them.
    app.update(Message::Key(ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Char('G'),
    )));
    assert_eq!(app.cerego.list.selected() as u64, want - 1);
    // The log line says the same.
    let line = app
        .log
        .iter()
        .find(|e| matches!(e.op, tagdesk::core::op::Op::CeregoListUsers { .. }))
        .and_then(|e| e.summary.as_ref())
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(line.contains(&format!("{want} users")), "{line}");
}
