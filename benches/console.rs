//! Speed of the console's hot paths: drawing a frame, handling a key, filtering a list, and
//! parsing responses. Run with `cargo bench`; the README quotes the medians.

use chrono::Utc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;
use tagdesk::core::op::cerego::UsersPage;
use tagdesk::core::op::hive::HiveOutcome;
use tagdesk::core::op::scenario::HiveAction;

use tagdesk::core::op::Output;
use tagdesk::core::op::cerego::UserList;
use tagdesk::engine::backend::Reply;
use tagdesk::sim::Model;
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::{App, Effect, Message};
use tagdesk::tui::{demo_settings, filter, view};

fn main() {
    divan::main();
}

/// A console showing every user of `seed`, as after the start-up list reply.
fn app_with(seed: &Seed) -> App {
    let (mut app, effects) = App::new(demo_settings(seed), Utc::now());
    let model = Model::new(seed);
    let mut users = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        let params = HashMap::from([
            ("page[number]".to_string(), pages.to_string()),
            ("page[size]".to_string(), "100".to_string()),
        ]);
        let (_, body) = model
            .cerego
            .list_users(seed.cerego.partner_id.as_str(), &params);
        let page = UsersPage::parse(body.to_string().as_bytes()).expect("page");
        let last = page.users.is_empty() || page.total_pages.is_none_or(|t| pages >= t as u32);
        users.extend(page.users);
        if last {
            break;
        }
    }
    for e in effects {
        if let Effect::Send(r) = e {
            app.update(Message::Reply(Box::new(Reply {
                id: r.id,
                op: r.op,
                exchanges: Vec::new(),
                retries: Vec::new(),
                result: Ok(Output::Users(UserList {
                    total_count: Some(users.len() as u64),
                    listed: users.len() as u64,
                    users: std::mem::take(&mut users),
                    pages_fetched: pages,
                    cut: None,
                })),
                finished_at: Utc::now(),
                journal_error: None,
            })));
        }
    }
    app
}

#[divan::bench(args = [36, 10_000])]
fn draw_frame_120x40(bencher: divan::Bencher, users: usize) {
    let app = app_with(&Seed::grown(users));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    bencher.bench_local(|| {
        terminal.draw(|f| view::draw(&app, f)).expect("draw");
    });
}

#[divan::bench(args = [36, 10_000])]
fn key_down_then_up(bencher: divan::Bencher, users: usize) {
    let mut app = app_with(&Seed::grown(users));
    let down = Message::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    let up = Message::Key(KeyEvent::new(KeyCode::Up, KeyModifiers::NONE));
    bencher.bench_local(|| {
        app.update(down.clone());
        app.update(up.clone());
    });
}

#[divan::bench(args = [36, 10_000])]
fn fuzzy_filter(bencher: divan::Bencher, users: usize) {
    let seed = Seed::grown(users);
    let hay: Vec<String> = seed
        .cerego
        .users
        .iter()
        .map(|u| format!("{} {} {}", u.name, u.email, u.id))
        .collect();
    bencher.bench_local(|| filter::matching(divan::black_box("ada lov"), &hay));
}

#[divan::bench]
fn parse_users_page_of_100(bencher: divan::Bencher) {
    let seed = Seed::grown(100);
    let model = Model::new(&seed);
    let mut params = std::collections::HashMap::new();
    params.insert("page[size]".to_string(), "100".to_string());
    let (_, body) = model.cerego.list_users("4242", &params);
    let bytes = body.to_string().into_bytes();
    bencher.bench_local(|| UsersPage::parse(divan::black_box(&bytes)).expect("parse"));
}

#[divan::bench]
fn parse_and_classify_hive_outcome(bencher: divan::Bencher) {
    let body = br#"{"message": "Some tags were added. Some tags may already exist on patron. Some tags failed to add.",
        "patron_id": "user_abc123", "added_tag_ids": ["vip"], "pre_existing_tag_ids": ["newsletter"],
        "failed": [{"api_field": "bogus", "error": "Tag api_field does not exist in application."}]}"#;
    bencher.bench_local(|| {
        let o = HiveOutcome::parse(HiveAction::Add, divan::black_box(body)).expect("parse");
        o.message_check()
    });
}

/// A page of 25 users arriving while the partner listing loads, with `users` already in
/// the list: page intake must not grow with the list (an index by id, O(page)).
#[divan::bench(args = [1_000, 50_000])]
fn page_intake_of_25(bencher: divan::Bencher, users: usize) {
    let seed = Seed::grown(users + 2_500);
    let all: Vec<tagdesk::core::op::cerego::CeregoUser> = seed
        .cerego
        .users
        .iter()
        .map(|u| tagdesk::core::op::cerego::CeregoUser {
            id: u.id.to_string(),
            name: Some(u.name.clone()),
            email: Some(u.email.clone()),
            ..Default::default()
        })
        .collect();
    let (mut app, effects) = App::new(demo_settings(&seed), Utc::now());
    let Some(Effect::Send(listing)) = effects.into_iter().next() else {
        panic!("the listing is requested at start");
    };
    let page = |app: &mut App, chunk: &[tagdesk::core::op::cerego::CeregoUser]| {
        app.update(Message::Page {
            id: listing.id,
            progress: tagdesk::engine::exec::PageProgress {
                users: chunk.to_vec(),
                page: 1,
                total_pages: None,
                total_count: None,
                listed: 0,
            },
        });
    };
    for chunk in all[..users].chunks(25) {
        page(&mut app, chunk);
    }
    let rest: Vec<&[tagdesk::core::op::cerego::CeregoUser]> = all[users..].chunks(25).collect();
    let mut next = 0;
    bencher.bench_local(|| {
        // New users first, then the same pages again (a retried page replaces in place).
        page(&mut app, rest[next % rest.len()]);
        next += 1;
    });
}
