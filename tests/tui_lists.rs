//! The console's lists at scale, through the real App: a listing cut at a limit says so on
//! screen with the server's total, pages arriving under an active filter are matched as they
//! come, a search that runs in the background lands where a plain scan would, and an action
//! never lands on a row of an earlier query.

mod support;

use std::sync::Mutex;

use ratatui::crossterm::event::KeyCode;
use support::*;
use tagdesk::core::op::{Op, Output};
use tagdesk::engine::backend::Reply;
use tagdesk::engine::exec::{Clients, Hooks, ListLimits, PageProgress};
use tagdesk::sim::seed::Seed;
use tagdesk::sim::{SimOptions, Simulator};
use tagdesk::tui::app::Message;
use tagdesk::tui::filter;

/// The console of `seed` with every page of its listing loaded.
fn loaded(seed: &Seed) -> Harness {
    let mut h = Harness::with_seed(seed.clone(), 120, 30);
    let request = h.pending.remove(0);
    let mut page = 1;
    loop {
        let progress = reply_page(seed, page);
        let last = progress.total_pages.is_none_or(|t| u64::from(page) >= t);
        h.send(Message::Page {
            id: request.id,
            progress,
        });
        if last {
            break;
        }
        page += 1;
    }
    let reply = h.answer(&request);
    h.send(Message::Reply(Box::new(reply)));
    assert_eq!(h.app.known.cerego.len(), seed.cerego.users.len());
    h
}

/// What the Cerego list's filter matches for each user, in list order.
fn haystacks(h: &Harness) -> Vec<String> {
    h.app
        .known
        .cerego
        .iter()
        .map(|u| {
            [
                u.name.unwrap_or(""),
                u.email.unwrap_or(""),
                u.id,
                u.member_id.unwrap_or(""),
            ]
            .join(&filter::SEP.to_string())
        })
        .collect()
}

/// The rows a plain scan of every user shows for `query`, exact matches first.
fn full_scan(h: &Harness, query: &str) -> Vec<usize> {
    let hay = haystacks(h);
    let q = query.trim().to_lowercase();
    filter::ranked(query, &hay, |i| {
        let u = h.app.known.cerego.get(i).expect("a user");
        u.id.to_lowercase() == q
            || u.email.is_some_and(|e| e.to_lowercase() == q)
            || u.member_id.is_some_and(|m| m.to_lowercase() == q)
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_cut_at_max_users_says_so_on_screen_with_the_real_total() {
    let seed = Seed::grown(120);
    let sim = Simulator::start_local(SimOptions {
        seed: seed.clone(),
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    let config =
        tagdesk::engine::api::ClientConfig::new(sim.base_url(), tagdesk::sim::DEFAULT_CEREGO_KEY);
    let clients = Clients {
        cerego: Some(tagdesk::engine::api::cerego::CeregoClient::new(&config).expect("client")),
        limits: ListLimits {
            max_users: 60,
            max_bytes: 1 << 30,
            ..ListLimits::default()
        },
        ..Default::default()
    };
    let mut h = Harness::with_seed(seed, 120, 30);
    let request = h.pending.remove(0);
    assert!(matches!(
        request.op,
        Op::CeregoListUsers { query: None, .. }
    ));
    // The engine lists as the console's backend does: pages as they come, then the end.
    let pages = Mutex::new(Vec::new());
    let on_page = |p: PageProgress| pages.lock().expect("lock").push(p);
    let hooks = Hooks {
        notify: &|_| {},
        on_page: &on_page,
        keep_users: false,
        prior: None,
    };
    let (exchanges, result, retries) = tagdesk::engine::exec::attempt(
        &clients,
        &request.op,
        &tagdesk::engine::retry::RetryPolicy::none(),
        &hooks,
    )
    .await;
    for progress in pages.into_inner().expect("lock") {
        h.send(Message::Page {
            id: request.id,
            progress,
        });
    }
    assert!(matches!(&result, Ok(Output::Users(l)) if l.cut.is_some()));
    h.send(Message::Reply(Box::new(Reply {
        id: request.id,
        op: request.op.clone(),
        exchanges,
        retries,
        result,
        finished_at: h.app.now,
        journal_error: None,
    })));
    let screen = h.screen();
    assert!(
        screen.contains("Showing 60 of 120 — f looks up others"),
        "{screen}"
    );
    assert!(screen.contains("60 of 120"), "the title: {screen}");
    assert!(
        screen.contains("60 of 120 users") && screen.contains("cut short"),
        "the log line: {screen}"
    );
    // `G` goes to the last user listed, and a click lands on the row drawn under the notice.
    h.key(KeyCode::Char('G'));
    assert_eq!(h.app.cerego.list.selected(), 59);
    h.key(KeyCode::Char('g'));
    let second = h
        .app
        .known
        .cerego
        .get(1)
        .and_then(|u| u.name)
        .expect("a name")
        .to_string();
    h.click_text(&second);
    assert_eq!(
        h.app.selected_user().and_then(|u| u.name),
        Some(second.as_str())
    );
}

#[test]
fn pages_arriving_under_a_filter_are_matched_as_they_come_and_an_exact_id_is_selected() {
    let seed = Seed::grown(400);
    let mut h = Harness::with_seed(seed.clone(), 120, 30);
    let request = h.pending.remove(0);
    // The operator types an id of a user on a page that has not arrived yet.
    let wanted = seed.cerego.users[310].id.to_string();
    h.key(KeyCode::Char('/'));
    h.type_text(&wanted);
    h.key(KeyCode::Enter);
    let mut page = 1;
    loop {
        let progress = reply_page(&seed, page);
        let last = progress.total_pages.is_none_or(|t| u64::from(page) >= t);
        h.send(Message::Page {
            id: request.id,
            progress,
        });
        assert_eq!(
            h.app.cerego.list.visible(),
            full_scan(&h, &wanted),
            "after page {page}"
        );
        if last {
            break;
        }
        page += 1;
    }
    assert_eq!(h.app.known.cerego.len(), 400);
    assert_eq!(
        h.app.selected_user().map(|u| u.id),
        Some(wanted.as_str()),
        "the exact id is selected when it arrives"
    );
}

#[test]
fn a_search_in_the_background_lands_where_a_plain_scan_would() {
    let mut h = loaded(&Seed::grown(1_000));
    h.app.set_filter_inline_rows(0);
    h.settle = false;
    h.key(KeyCode::Char('/'));
    for typed in ["u", "us", "use", "user1", "user12", "user1"] {
        let text: String = h.app.cerego.list.filter.text().to_string();
        if let Some(rest) = typed.strip_prefix(text.as_str()) {
            h.type_text(rest);
        } else {
            h.key(KeyCode::Backspace);
        }
        h.app.settle_filters();
        assert!(!h.app.filters_running());
        assert_eq!(h.app.cerego.list.visible(), full_scan(&h, typed), "{typed}");
    }
}

#[test]
fn an_action_right_after_typing_acts_on_the_exact_match_not_an_earlier_query() {
    let seed = Seed::grown(1_000);
    let mut h = loaded(&seed);
    h.app.set_filter_inline_rows(0);
    h.settle = false;
    // A copy of the first demo user: it has tags to edit.
    let wanted = seed.cerego.users[972].email.clone();
    h.key(KeyCode::Char('/'));
    h.type_text(&wanted);
    // No pause: Enter leaves the filter line and `e` edits at once.
    h.key(KeyCode::Enter);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('e'));
    let Some(user) = h.app.selected_user().map(|u| u.to_user()) else {
        panic!("no user selected: {}", h.screen());
    };
    assert_eq!(user.email.as_deref(), Some(wanted.as_str()));
    let screen = h.screen();
    assert!(
        screen.contains(user.name.as_deref().expect("a name")),
        "the edit form names the exact match: {screen}"
    );
}

#[test]
fn r_while_the_list_loads_starts_it_again_and_the_first_listings_pages_are_not_taken() {
    let seed = Seed::grown(120);
    let mut h = Harness::with_seed(seed.clone(), 120, 30);
    let first = h.pending.remove(0);
    h.send(Message::Page {
        id: first.id,
        progress: reply_page(&seed, 1),
    });
    let after_one_page = h.app.known.cerego.len();
    assert!(after_one_page > 0);
    h.key(KeyCode::Char('r'));
    // A new listing is asked for; the first one's line has ended.
    let again = h.pending.remove(0);
    assert!(matches!(again.op, Op::CeregoListUsers { query: None, .. }));
    assert_ne!(again.id, first.id);
    assert!(
        !h.app
            .log
            .iter()
            .any(|e| e.id == Some(first.id) && e.is_pending()),
        "the first listing is no longer under way"
    );
    assert!(h.screen().contains("Listing the users again"));
    // A page of the first listing that was already on its way is not taken.
    h.send(Message::Page {
        id: first.id,
        progress: reply_page(&seed, 2),
    });
    assert_eq!(h.app.known.cerego.len(), after_one_page);
    // Nor is its late answer: the second listing goes on and completes.
    let late = h.answer(&first);
    h.send(Message::Reply(Box::new(late)));
    let mut page = 1;
    loop {
        let progress = reply_page(&seed, page);
        let last = progress.total_pages.is_none_or(|t| u64::from(page) >= t);
        h.send(Message::Page {
            id: again.id,
            progress,
        });
        if last {
            break;
        }
        page += 1;
    }
    let reply = h.answer(&again);
    h.send(Message::Reply(Box::new(reply)));
    assert_eq!(h.app.known.cerego.len(), seed.cerego.users.len());
    assert!(matches!(h.app.cerego.load, tagdesk::tui::app::Load::Loaded));
}
