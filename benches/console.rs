//! Speed of the console's hot paths: drawing a frame, handling a key, filtering a list (the
//! UI thread's share of a keystroke, the time to the settled result, and the high-level
//! `nucleo` crate on the same rows), a page of a listing arriving, and parsing responses.
//! Run with `cargo bench --bench console`; docs/src/performance.md quotes the medians.

use chrono::Utc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;
use tagdesk::core::op::cerego::UsersPage;
use tagdesk::core::op::hive::HiveOutcome;
use tagdesk::core::op::scenario::HiveAction;

use nucleo::pattern::{CaseMatching, Normalization};
use tagdesk::core::op::Output;
use tagdesk::core::op::cerego::{CeregoTag, CeregoUser, UserList};
use tagdesk::engine::backend::Reply;
use tagdesk::sim::Model;
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::{App, Effect, Message};
use tagdesk::tui::filter::Exact;
use tagdesk::tui::state::{Fallback, FilteredList};
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

/// The list sizes the filter and the intake are measured at.
const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

/// User `i` as a large partner's listing gives it: a synthetic name, email and member id
/// (as `tagdesk sim --users` makes them) and 0 to 3 tags.
fn synthetic_user(i: usize) -> CeregoUser {
    let tags = (0..i % 4)
        .map(|k| CeregoTag {
            id: (5_000_000 + i * 4 + k).to_string(),
            value: Some(["Gold", "EMEA", "Spring 2026"][k % 3].to_string()),
            tag_type_id: Some(["5", "7", "3"][k % 3].to_string()),
            user_id: Some((3_000_000 + i).to_string()),
            created_at: Some("2026-01-05T09:00:00.000Z".into()),
            updated_at: Some("2026-01-05T09:00:00.000Z".into()),
        })
        .collect();
    CeregoUser {
        id: (3_000_000 + i).to_string(),
        name: Some(format!("Synthetic User {i}")),
        username: Some(format!("synthetic{i}")),
        email: Some(format!("synthetic.{i}@example.edu")),
        member_id: Some(format!("S-{i}")),
        created_at: Some("2024-01-01T10:00:00.000Z".into()),
        tags,
        ..CeregoUser::default()
    }
}

/// The filter's text for user `i` (as the console writes it: name, email, id, member id).
fn haystack(i: usize) -> String {
    let sep = filter::SEP;
    format!(
        "Synthetic User {i}{sep}synthetic.{i}@example.edu{sep}{}{sep}S-{i}",
        3_000_000 + i
    )
}

/// A console that has listed `n` users (pages of 1,000 handed to `App::update` as they
/// arrive, then the listing's end).
fn console_of(n: usize) -> App {
    let (mut app, effects) = App::new(demo_settings(&Seed::demo()), Utc::now());
    let Some(Effect::Send(listing)) = effects.into_iter().next() else {
        panic!("the listing is requested at start");
    };
    for (page, from) in (0..n).step_by(1_000).enumerate() {
        app.update(Message::Page {
            id: listing.id,
            progress: tagdesk::engine::exec::PageProgress {
                users: (from..(from + 1_000).min(n)).map(synthetic_user).collect(),
                page: page as u32 + 1,
                total_pages: Some(n.div_ceil(1_000) as u64),
                total_count: Some(n as u64),
                listed: (from + 1_000).min(n) as u64,
            },
        });
    }
    app.update(Message::Reply(Box::new(Reply {
        id: listing.id,
        op: listing.op,
        exchanges: Vec::new(),
        retries: Vec::new(),
        result: Ok(Output::Users(UserList {
            total_count: Some(n as u64),
            listed: n as u64,
            users: Vec::new(),
            pages_fetched: n.div_ceil(1_000) as u32,
            cut: None,
        })),
        finished_at: Utc::now(),
        journal_error: None,
    })));
    assert_eq!(app.known.cerego.len(), n);
    app
}

fn key(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn backspace() -> Message {
    Message::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE))
}

/// The query typed before each measured keystroke (the measured one adds an 8th character).
const TYPED: &str = "user 12";

/// One keystroke in the filter line, as the UI thread pays for it: the App parses the query
/// and starts the search (at once for up to 16,384 rows to check, else in the background),
/// with the previous 7 characters' result shown. Each sample types a digit after `TYPED`;
/// between samples the digit is erased (not measured) and the search settled.
#[divan::bench(args = SIZES, sample_count = 30, sample_size = 1)]
fn filter_keystroke_ui_thread(bencher: divan::Bencher, users: usize) {
    let app = std::cell::RefCell::new(console_of(users));
    app.borrow_mut().update(key('/'));
    for c in TYPED.chars() {
        app.borrow_mut().update(key(c));
    }
    app.borrow_mut().settle_filters();
    let mut digit = 0u8;
    bencher
        .with_inputs(|| {
            let mut app = app.borrow_mut();
            app.update(backspace());
            app.settle_filters();
            digit = (digit + 1) % 10;
            key((b'0' + digit) as char)
        })
        .bench_local_values(|k| app.borrow_mut().update(k));
}

/// The same keystroke's result, settled: the search on every core (here always in the
/// background, as for a large list), from the 7-character query's rows.
#[divan::bench(args = SIZES, sample_count = 30, sample_size = 1)]
fn filter_keystroke_settled(bencher: divan::Bencher, users: usize) {
    let app = std::cell::RefCell::new(console_of(users));
    app.borrow_mut().set_filter_inline_rows(0);
    app.borrow_mut().update(key('/'));
    for c in TYPED.chars() {
        app.borrow_mut().update(key(c));
    }
    app.borrow_mut().settle_filters();
    let mut digit = 0u8;
    bencher
        .with_inputs(|| {
            let mut app = app.borrow_mut();
            app.update(backspace());
            app.settle_filters();
            digit = (digit + 1) % 10;
            key((b'0' + digit) as char)
        })
        .bench_local_values(|k| {
            let mut app = app.borrow_mut();
            app.update(k);
            app.settle_filters();
        });
}

/// A whole new query (not a longer one): every row searched, on every core, to the settled
/// result.
#[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
fn filter_full_search_settled(bencher: divan::Bencher, users: usize) {
    let mut list = FilteredList::new(
        Exact {
            fields: &[1, 2, 3],
            ignore_case: true,
        },
        Fallback::First,
    );
    list.set_inline_rows(0);
    for i in 0..users {
        list.push(|s| s.push_str(&haystack(i)));
    }
    let mut n = 0;
    bencher.bench_local(|| {
        n += 1;
        list.filter.input = tui_input::Input::new(format!("user 1{}", n % 10));
        list.refresh();
        list.settle();
        list.visible().len()
    });
}

/// The filter before this design, per keystroke in the UI thread: every row's text built
/// and every row matched.
#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn filter_keystroke_before(bencher: divan::Bencher, users: usize) {
    bencher.bench_local(|| {
        let hay: Vec<String> = (0..users).map(haystack).collect();
        filter::matching(divan::black_box("user 123"), &hay).len()
    });
}

/// `nucleo` (the high-level crate: its own worker pool, score-sorted results) on the same
/// rows: a whole new query, to the settled result.
#[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
fn nucleo_full_search_settled(bencher: divan::Bencher, users: usize) {
    let mut nucleo = nucleo_of(users);
    let mut n = 0;
    bencher.bench_local(|| {
        n += 1;
        let q = format!("user 1{}", n % 10);
        nucleo
            .pattern
            .reparse(0, &q, CaseMatching::Ignore, Normalization::Smart, false);
        while nucleo.tick(10).running {}
        nucleo.snapshot().matched_item_count()
    });
}

/// `nucleo`'s keystroke: the 8th character typed (`reparse` with `append`, so it narrows),
/// then one `tick` — its UI thread's share — and, measured apart, the settled result.
#[divan::bench(args = SIZES, sample_count = 30, sample_size = 1)]
fn nucleo_keystroke_ui_thread(bencher: divan::Bencher, users: usize) {
    nucleo_keystroke(bencher, users, false);
}

#[divan::bench(args = SIZES, sample_count = 30, sample_size = 1)]
fn nucleo_keystroke_settled(bencher: divan::Bencher, users: usize) {
    nucleo_keystroke(bencher, users, true);
}

fn nucleo_keystroke(bencher: divan::Bencher, users: usize, settled: bool) {
    let nucleo = std::cell::RefCell::new(nucleo_of(users));
    let mut digit = 0u8;
    bencher
        .with_inputs(|| {
            let mut nucleo = nucleo.borrow_mut();
            nucleo
                .pattern
                .reparse(0, TYPED, CaseMatching::Ignore, Normalization::Smart, false);
            while nucleo.tick(10).running {}
            digit = (digit + 1) % 10;
            format!("{TYPED}{digit}")
        })
        .bench_local_values(|q| {
            let mut nucleo = nucleo.borrow_mut();
            nucleo
                .pattern
                .reparse(0, &q, CaseMatching::Ignore, Normalization::Smart, true);
            let mut status = nucleo.tick(0);
            while settled && status.running {
                status = nucleo.tick(10);
            }
            status.changed
        });
}

/// A `nucleo` matcher holding the same rows' text, every row matched once.
fn nucleo_of(users: usize) -> nucleo::Nucleo<u32> {
    let mut nucleo =
        nucleo::Nucleo::new(nucleo::Config::DEFAULT, std::sync::Arc::new(|| {}), None, 1);
    let injector = nucleo.injector();
    for i in 0..users {
        injector.push(i as u32, |_, cols| cols[0] = haystack(i).into());
    }
    while nucleo.tick(10).running {}
    nucleo
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
#[divan::bench(args = [1_000, 50_000, 1_000_000])]
fn page_intake_of_25(bencher: divan::Bencher, users: usize) {
    intake(bencher, users, false);
}

/// The same with a filter active: the new users are matched as they arrive, the rest are
/// not searched again.
#[divan::bench(args = [1_000, 50_000, 1_000_000])]
fn page_intake_of_25_filtered(bencher: divan::Bencher, users: usize) {
    intake(bencher, users, true);
}

fn intake(bencher: divan::Bencher, users: usize, filtered: bool) {
    let mut app = console_of(users);
    let Some(Effect::Send(listing)) = app
        .update(Message::Key(KeyEvent::new(
            KeyCode::Char('r'),
            KeyModifiers::NONE,
        )))
        .into_iter()
        .next()
    else {
        panic!("r reloads the list");
    };
    if filtered {
        app.update(key('/'));
        for c in TYPED.chars() {
            app.update(key(c));
        }
        app.settle_filters();
    }
    let rest: Vec<Vec<CeregoUser>> = (users..users + 2_500)
        .collect::<Vec<_>>()
        .chunks(25)
        .map(|c| c.iter().map(|&i| synthetic_user(i)).collect())
        .collect();
    let mut next = 0;
    bencher.bench_local(|| {
        // New users first, then the same pages again (a retried page replaces in place).
        app.update(Message::Page {
            id: listing.id,
            progress: tagdesk::engine::exec::PageProgress {
                users: rest[next % rest.len()].clone(),
                page: 1,
                total_pages: None,
                total_count: None,
                listed: 0,
            },
        });
        next += 1;
    });
}
