//! A partner's user listing over real round trips (issue 20, item 1): once the first page
//! tells the page count the rest are fetched concurrently, yet every user arrives exactly
//! once and in the server's order; a 429 mid-listing is waited out and the listing
//! completes; a server that gives no count is followed by `links.next`; and a dropped
//! listing sends no further page request.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::{Value, json};
use tagdesk::core::domain::PartnerId;
use tagdesk::core::op::{ApiError, Op, Output};
use tagdesk::engine::exec::{self, Clients, Hooks, ListLimits, PageProgress};
use tagdesk::engine::retry::{RetryNotice, RetryPolicy};
use tagdesk::sim::faults::FaultRule;
use tagdesk::sim::seed::Seed;
use tagdesk::sim::{SimOptions, Simulator};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const PER_PAGE: usize = 5;

fn listing() -> Op {
    Op::CeregoListUsers {
        partner: PartnerId::parse("4242").expect("partner"),
        query: None,
        departments: false,
    }
}

fn clients(base_url: &str, key: &str, concurrency: usize) -> Clients {
    let config = tagdesk::engine::api::ClientConfig::new(base_url, key);
    Clients {
        cerego: Some(tagdesk::engine::api::cerego::CeregoClient::new(&config).expect("client")),
        limits: ListLimits {
            concurrency,
            ..ListLimits::default()
        },
        ..Default::default()
    }
}

/// What a listing handed on: the page numbers in the order `on_page` heard them, the user
/// ids in that order, the retries announced, and the result.
struct Heard {
    pages: Vec<u32>,
    ids: Vec<String>,
    notices: Vec<RetryNotice>,
    result: Result<Output, tagdesk::core::op::ApiError>,
}

async fn list(clients: &Clients, policy: &RetryPolicy) -> Heard {
    let pages = Mutex::new(Vec::new());
    let ids = Mutex::new(Vec::new());
    let notices = Mutex::new(Vec::new());
    let on_page = |p: PageProgress| {
        pages.lock().expect("lock").push(p.page);
        ids.lock()
            .expect("lock")
            .extend(p.users.into_iter().map(|u| u.id));
    };
    let notify = |n: RetryNotice| notices.lock().expect("lock").push(n);
    let hooks = Hooks {
        notify: &notify,
        on_page: &on_page,
        keep_users: false,
        prior: None,
    };
    let (_, result, _) = exec::attempt(clients, &listing(), policy, &hooks).await;
    Heard {
        pages: pages.into_inner().expect("lock"),
        ids: ids.into_inner().expect("lock"),
        notices: notices.into_inner().expect("lock"),
        result,
    }
}

fn page_of(request: &Request) -> usize {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == "page[number]")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

/// A partner of `pages` pages of [`PER_PAGE`] users (`u{page}-{i}`). Page p is answered
/// after `delays[p - 1]` ms; with `totals` the meta gives the page count, else only
/// `links.next` says more follow; `throttle` answers that page once with 429 and
/// Retry-After: 1. Every request is recorded with the time it arrived.
struct Paged {
    pages: usize,
    totals: bool,
    delays: Vec<u64>,
    throttle: Option<usize>,
    throttled: AtomicBool,
    arrivals: Arc<Mutex<Vec<(usize, Instant)>>>,
}

impl Paged {
    fn new(pages: usize, totals: bool) -> Self {
        Self {
            pages,
            totals,
            delays: vec![0; pages],
            throttle: None,
            throttled: AtomicBool::new(false),
            arrivals: Arc::default(),
        }
    }
}

impl Respond for Paged {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page = page_of(request);
        self.arrivals
            .lock()
            .expect("lock")
            .push((page, Instant::now()));
        if self.throttle == Some(page) && !self.throttled.swap(true, Ordering::SeqCst) {
            return ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"errors": [{"title": "slow down"}]}));
        }
        let users: Vec<Value> = if page <= self.pages {
            (0..PER_PAGE)
                .map(|i| {
                    json!({"id": format!("u{page}-{i}"), "type": "users",
                        "attributes": {"name": format!("User {page}-{i}")},
                        "relationships": {"partner-user-tags": {"data": []}}})
                })
                .collect()
        } else {
            Vec::new()
        };
        let next = (page < self.pages)
            .then(|| format!("/v3/partners/4242/users?page[number]={}", page + 1));
        let meta = if self.totals {
            json!({"total-pages": self.pages, "total-count": self.pages * PER_PAGE})
        } else {
            json!({"total-pages": null, "total-count": null})
        };
        let delay = self.delays.get(page - 1).copied().unwrap_or(0);
        ResponseTemplate::new(200)
            .set_body_json(json!({"data": users, "links": {"next": next}, "meta": meta}))
            .set_delay(Duration::from_millis(delay))
    }
}

async fn serve(responder: Paged) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/partners/4242/users"))
        .respond_with(responder)
        .mount(&server)
        .await;
    server
}

/// Every user of a `pages`-page partner, in the server's order.
fn expected(pages: usize) -> Vec<String> {
    (1..=pages)
        .flat_map(|p| (0..PER_PAGE).map(move |i| format!("u{p}-{i}")))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Whatever order the pages complete in, the consumer hears every page once, in order,
    /// and every user once, in the server's order.
    #[test]
    fn concurrent_pages_are_handed_on_in_the_servers_order_whatever_order_they_complete_in(
        delays in proptest::collection::vec(0u64..40, 14),
        concurrency in 2usize..10,
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let heard = runtime.block_on(async {
            let mut responder = Paged::new(delays.len(), true);
            responder.delays = delays.clone();
            let server = serve(responder).await;
            list(&clients(&server.uri(), "k", concurrency), &RetryPolicy::none()).await
        });
        let want: Vec<u32> = (1..=delays.len() as u32).collect();
        prop_assert_eq!(heard.pages, want);
        prop_assert_eq!(heard.ids, expected(delays.len()));
        let complete = matches!(&heard.result, Ok(Output::Users(l))
            if l.listed == (delays.len() * PER_PAGE) as u64 && l.cut.is_none());
        prop_assert!(complete);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn against_the_simulator_pages_are_fetched_concurrently_and_arrive_in_order() {
    // 30 pages of 25 at 100 ms a request: one after another takes at least 3 s.
    let sim = Simulator::start_local(SimOptions {
        seed: Seed::grown(750),
        faults: vec![
            "cerego.users:latency=100"
                .parse::<FaultRule>()
                .expect("rule"),
        ],
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    let key = tagdesk::sim::DEFAULT_CEREGO_KEY;
    let serial = list(&clients(&sim.base_url(), key, 1), &RetryPolicy::none()).await;
    assert_eq!(
        serial.ids.len(),
        750,
        "the server's order, one page at a time"
    );
    let heard = list(&clients(&sim.base_url(), key, 8), &RetryPolicy::none()).await;
    assert_eq!(heard.pages, (1..=30).collect::<Vec<u32>>());
    assert_eq!(
        heard.ids, serial.ids,
        "every user once, in the server's order"
    );
    assert_eq!(heard.ids.iter().collect::<HashSet<_>>().len(), 750);
    let requests = sim.state_json()["requests"]["cerego.users"].as_u64();
    assert_eq!(requests, Some(60), "each page requested once per listing");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pages_after_the_first_are_asked_for_before_the_earlier_ones_are_answered() {
    // Page 2 is answered after 2 s: a client that waits for each page before asking for
    // the next asks for page 9 at least 2 s after page 2; eight in flight ask at once.
    let mut responder = Paged::new(12, true);
    responder.delays[1] = 2000;
    let arrivals = responder.arrivals.clone();
    let server = serve(responder).await;
    let heard = list(&clients(&server.uri(), "k", 8), &RetryPolicy::none()).await;
    assert_eq!(heard.ids, expected(12), "every user once, in order");
    let arrivals = arrivals.lock().expect("lock").clone();
    let at = |page: usize| {
        arrivals
            .iter()
            .find(|(p, _)| *p == page)
            .map(|a| a.1)
            .expect("asked for")
    };
    for page in 3..=9 {
        assert!(
            at(page) < at(2) + Duration::from_millis(1500),
            "page {page} was asked for while page 2 was unanswered"
        );
    }
    // At most eight in flight: page 10 waits for page 2, the first of the eight, to be
    // handed on.
    assert!(at(10) >= at(2) + Duration::from_millis(1900));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_size_is_asked_for_and_a_server_that_ignores_it_still_lists_completely() {
    let key = tagdesk::sim::DEFAULT_CEREGO_KEY;
    for honour in [true, false] {
        let mut seed = Seed::grown(230);
        seed.cerego.honour_page_size = honour;
        let sim = Simulator::start_local(SimOptions {
            seed,
            ..SimOptions::default()
        })
        .await
        .expect("sim");
        let plain = list(&clients(&sim.base_url(), key, 4), &RetryPolicy::none()).await;
        assert_eq!(plain.ids.len(), 230);
        let mut sized = clients(&sim.base_url(), key, 4);
        sized.cerego = sized.cerego.map(|c| c.with_page_size(Some(100)));
        let heard = list(&sized, &RetryPolicy::none()).await;
        // 230 users: 3 pages of 100 when honoured, 10 of 25 when ignored — counted from
        // what came back either way, every user once, in the server's order.
        let pages: u32 = if honour { 3 } else { 10 };
        assert_eq!(
            heard.pages,
            (1..=pages).collect::<Vec<u32>>(),
            "honour {honour}"
        );
        assert_eq!(heard.ids, plain.ids, "honour {honour}");
        assert!(
            matches!(&heard.result, Ok(Output::Users(l)) if l.listed == 230 && l.cut.is_none()),
            "honour {honour}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_mid_listing_is_waited_out_and_the_listing_completes() {
    let mut responder = Paged::new(20, true);
    responder.throttle = Some(3);
    // Page 2 answers late, so no ninth page starts before the 429 on page 3 is back.
    responder.delays[1] = 250;
    let arrivals = responder.arrivals.clone();
    let server = serve(responder).await;
    let started = Instant::now();
    let heard = list(&clients(&server.uri(), "k", 8), &RetryPolicy::default()).await;
    assert_eq!(heard.ids, expected(20), "every user once, in order");
    assert!(matches!(&heard.result, Ok(Output::Users(l)) if l.listed == 100));
    assert_eq!(heard.notices.len(), 1, "{:?}", heard.notices);
    assert_eq!(heard.notices[0].status, Some(429));
    assert!(
        heard.notices[0].from_retry_after,
        "the Retry-After is honoured"
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
    let arrivals = arrivals.lock().expect("lock").clone();
    let page3: Vec<Instant> = arrivals
        .iter()
        .filter(|(p, _)| *p == 3)
        .map(|a| a.1)
        .collect();
    assert_eq!(page3.len(), 2, "page 3 asked twice");
    let throttled = page3[0];
    assert!(page3[1] - throttled >= Duration::from_millis(950));
    // The whole listing waited: no page past the eight in flight when the 429 came was
    // asked for before its Retry-After had passed.
    let late: Vec<_> = arrivals.iter().filter(|(p, _)| *p > 9).collect();
    assert_eq!(late.len(), 11);
    for (p, at) in late {
        assert!(
            *at - throttled >= Duration::from_millis(950),
            "page {p} was asked for {:?} after the 429",
            *at - throttled
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_gives_no_page_count_is_followed_by_its_next_links() {
    let responder = Paged::new(9, false);
    let arrivals = responder.arrivals.clone();
    let server = serve(responder).await;
    let heard = list(&clients(&server.uri(), "k", 8), &RetryPolicy::none()).await;
    assert_eq!(heard.pages, (1..=9).collect::<Vec<u32>>());
    assert_eq!(heard.ids, expected(9));
    let asked: Vec<usize> = arrivals.lock().expect("lock").iter().map(|a| a.0).collect();
    assert_eq!(
        asked,
        (1..=9).collect::<Vec<usize>>(),
        "one page at a time, none past the last"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_listing_sends_no_further_page_request() {
    let sim = Simulator::start_local(SimOptions {
        seed: Seed::grown(2500),
        faults: vec![
            "cerego.users:latency=150"
                .parse::<FaultRule>()
                .expect("rule"),
        ],
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    let clients = clients(&sim.base_url(), tagdesk::sim::DEFAULT_CEREGO_KEY, 8);
    let pages = Arc::new(Mutex::new(0u32));
    let heard = pages.clone();
    let task = tokio::spawn(async move {
        let on_page = move |_: PageProgress| *heard.lock().expect("lock") += 1;
        let hooks = Hooks {
            notify: &|_| {},
            on_page: &on_page,
            keep_users: false,
            prior: None,
        };
        exec::attempt(&clients, &listing(), &RetryPolicy::none(), &hooks).await
    });
    tokio::time::sleep(Duration::from_millis(600)).await;
    task.abort();
    let _ = task.await;
    let count = || sim.state_json()["requests"]["cerego.users"].as_u64();
    let at_cancel = count();
    assert!(
        at_cancel.is_some_and(|n| n > 8),
        "the listing was under way: {at_cancel:?}"
    );
    let pages_at_cancel = *pages.lock().expect("lock");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(count(), at_cancel, "no page request after the cancel");
    assert_eq!(*pages.lock().expect("lock"), pages_at_cancel);
    assert!(pages_at_cancel < 100, "cancelled well before the end");
}

/// A partner of 2,500 users whose pages each take 150 ms to answer, and the console's
/// backend on it: the request sender and the event receiver.
async fn slow_backend() -> (
    Simulator,
    tagdesk::engine::backend::Backend,
    tokio::sync::mpsc::UnboundedSender<tagdesk::engine::backend::Request>,
    tokio::sync::mpsc::UnboundedReceiver<tagdesk::engine::backend::Event>,
) {
    let sim = Simulator::start_local(SimOptions {
        seed: Seed::grown(2500),
        faults: vec![
            "cerego.users:latency=150"
                .parse::<FaultRule>()
                .expect("rule"),
        ],
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    let clients = clients(&sim.base_url(), tagdesk::sim::DEFAULT_CEREGO_KEY, 8);
    let (request_tx, requests) = tokio::sync::mpsc::unbounded_channel();
    let (events, events_rx) = tokio::sync::mpsc::unbounded_channel();
    let backend =
        tagdesk::engine::backend::spawn(clients, None, RetryPolicy::none(), requests, events);
    (sim, backend, request_tx, events_rx)
}

/// The console's listing of the whole partner, as request `id`.
fn listing_request(id: u64) -> tagdesk::engine::backend::Request {
    tagdesk::engine::backend::Request {
        id,
        op: listing(),
        journal_id: String::new(),
        prior: None,
    }
}

/// The user pages the simulator was asked for so far.
fn pages_asked(sim: &Simulator) -> u64 {
    sim.state_json()["requests"]["cerego.users"]
        .as_u64()
        .unwrap_or(0)
}

/// Waits until a listing is under way: the first page and eight more asked for (however
/// loaded the machine).
async fn under_way(sim: &Simulator) {
    for _ in 0..200 {
        if pages_asked(sim) > 8 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(pages_asked(sim) > 8, "under way: {}", pages_asked(sim));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_consoles_backend_stops_a_listing_when_it_stops() {
    // As at a profile switch: the console's backend stops, and its listing with it.
    let (sim, backend, request_tx, mut events_rx) = slow_backend().await;
    request_tx.send(listing_request(1)).expect("send");
    let count = || pages_asked(&sim);
    under_way(&sim).await;
    assert_eq!(backend.abandon_in_flight(), 1, "the listing was in flight");
    // A request already on its way when the listing stopped may still be counted; after
    // that the count must stand still (a listing still running would ask for eight pages
    // every 150 ms).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let at_stop = count();
    while events_rx.try_recv().is_ok() {}
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        count(),
        at_stop,
        "no page request after the backend stopped"
    );
    assert!(events_rx.try_recv().is_err(), "no page arrives afterwards");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_listing_of_the_partner_replaces_the_one_under_way() {
    // The console's `r` while the list loads: the listing under way stops at once (its page
    // requests dropped, answered as replaced), and the new one lists every user.
    let (sim, _backend, request_tx, mut events_rx) = slow_backend().await;
    request_tx.send(listing_request(1)).expect("send");
    let count = || pages_asked(&sim);
    under_way(&sim).await;
    let at_replace = count();
    request_tx.send(listing_request(2)).expect("send");
    let mut second = Vec::new();
    let (mut first_done, mut second_done) = (None, None);
    while second_done.is_none() {
        let event = tokio::time::timeout(Duration::from_secs(60), events_rx.recv())
            .await
            .expect("the second listing ends")
            .expect("event");
        match event {
            tagdesk::engine::backend::Event::Page { id: 2, progress } => {
                second.extend(progress.users.into_iter().map(|u| u.id))
            }
            tagdesk::engine::backend::Event::Done(r) if r.id == 1 => first_done = Some(r),
            tagdesk::engine::backend::Event::Done(r) if r.id == 2 => second_done = Some(r),
            _ => {}
        }
    }
    let first = first_done.expect("the replaced listing is answered for");
    assert!(
        matches!(&first.result, Err(ApiError::Local { message }) if message == tagdesk::engine::backend::REPLACED_LISTING),
        "{:?}",
        first.result
    );
    assert!(second_done.expect("done").result.is_ok());
    assert_eq!(second.len(), 2500, "the second listing lists every user");
    assert_eq!(
        second.iter().collect::<HashSet<_>>().len(),
        second.len(),
        "every user once"
    );
    // The first listing did not run on beside the second: its 100 pages were not all asked
    // for (the requests on their way when it stopped are at most the eight in flight).
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        count() <= at_replace + 8 + 100,
        "{} requests: {at_replace} before the second listing, 100 pages of it",
        count()
    );
}
