//! A Cerego file is planned from the users it names (issue 20, item 3): a few users are
//! looked up (`?query=ID`), not listed with the whole partner; a file naming more than 200
//! lists the partner; either way the plan is the same, an unknown user reads as before, a
//! query that matches several users gives the one with that exact id, a server whose query
//! does not find ids is listed instead, and only the named users are kept.

mod support;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use support::cli::*;
use tagdesk::core::domain::PartnerId;
use tagdesk::core::op::Op;
use tagdesk::engine::exec::{Clients, ListLimits};
use tagdesk::engine::named::{MAX_LOOKUPS, Read, named_users};
use tagdesk::engine::retry::{RetryNotice, RetryPolicy};
use tagdesk::sim::faults::FaultRule;
use tagdesk::sim::seed::Seed;
use tagdesk::sim::{SimOptions, Simulator};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The demo seed's 36 users and this many synthetic ones (ids from 3,000,000).
const SYNTHETIC: u64 = 1000;
/// The users the simulator lists, and its pages of 25.
const LISTED: u64 = 36 + SYNTHETIC;
const PAGES: u64 = LISTED.div_ceil(25);

fn seed() -> Seed {
    let mut seed = Seed::demo();
    seed.add_synthetic(SYNTHETIC, 0);
    seed
}

async fn env() -> Env {
    Env::with_options(SimOptions {
        seed: seed(),
        ..SimOptions::default()
    })
    .await
}

fn synthetic(n: u64) -> String {
    (3_000_000 + n).to_string()
}

fn file(env: &Env, name: &str, users: &[String]) -> PathBuf {
    let mut text = String::from("user_id,tag_type_id,value\n");
    for u in users {
        text.push_str(&format!("{u},3,Spring 2027\n"));
    }
    let path = env.dir.path().join(name);
    std::fs::write(&path, text).expect("write the file");
    path
}

fn p(path: &std::path::Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// A dry-run's plan, and the user list requests it sent.
async fn dry_run(env: &Env, path: &std::path::Path) -> (Vec<Value>, u64) {
    let before = env.requests("cerego.users");
    let out = env
        .run(&["--json", "cerego", "import", "--dry-run", p(path)])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let plan = json(&out)["plan"].as_array().expect("a plan").clone();
    (plan, env.requests("cerego.users") - before)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_few_users_are_looked_up_and_plan_as_a_listing_would() {
    let env = env().await;
    let few: Vec<String> = [100, 500, 999].map(synthetic).to_vec();
    let (looked_up, requests) = dry_run(&env, &file(&env, "few.csv", &few)).await;
    // The first page (the partner's count), then one look-up a user: not the 42 pages.
    assert_eq!(requests, 1 + 3);
    assert_eq!(looked_up.len(), 3);

    // The same users first in a file naming more than the look-up limit: listed.
    let many: Vec<String> = (0..=MAX_LOOKUPS as u64)
        .map(|n| {
            synthetic(
                [100, 500, 999]
                    .get(n as usize)
                    .copied()
                    .unwrap_or(n * 4 + 1),
            )
        })
        .collect();
    let (listed, requests) = dry_run(&env, &file(&env, "many.csv", &many)).await;
    assert_eq!(requests, PAGES, "every page of the partner");
    assert_eq!(listed.len(), MAX_LOOKUPS + 1);
    assert_eq!(listed[..3], looked_up[..], "the same plan either way");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_user_reads_the_same_looked_up_or_listed() {
    let env = env().await;
    let line = format!("line 3: user 3999999 is not among the partner's {LISTED} users");
    let few = [synthetic(7), "3999999".to_string()];
    let before = env.requests("cerego.users");
    let out = env
        .run(&["cerego", "import", p(&file(&env, "u.csv", &few))])
        .await;
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains(&line), "{}", stderr(&out));
    assert_eq!(env.requests("cerego.users") - before, 1 + 2, "looked up");

    let mut many = few.to_vec();
    many.extend((10..10 + MAX_LOOKUPS as u64).map(synthetic));
    let before = env.requests("cerego.users");
    let out = env
        .run(&["cerego", "import", p(&file(&env, "m.csv", &many))])
        .await;
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains(&line), "{}", stderr(&out));
    assert_eq!(env.requests("cerego.users") - before, PAGES, "listed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resumed_cerego_import_looks_up_the_rows_left() {
    let env = env().await;
    env.sim.set_faults(vec![
        "cerego.add:drop*1".parse::<FaultRule>().expect("rule"),
    ]);
    let users: Vec<String> = [40, 41].map(synthetic).to_vec();
    let path = file(&env, "r.csv", &users);
    let out = env
        .run(&["--json", "cerego", "import", "--concurrency", "1", p(&path)])
        .await;
    assert_ne!(code(&out), 0, "{}", stderr(&out));
    let id = json(&out)["batch_id"].as_str().expect("id").to_string();

    let before = env.requests("cerego.users");
    let out = env.run(&["--json", "batch", "resume", &id]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["requests"], 1);
    assert_eq!(
        env.requests("cerego.users") - before,
        1 + 1,
        "the first page and the one user left"
    );
}

/// The engine's clients for `base_url`.
fn clients(base_url: &str, key: &str) -> Clients {
    let config = tagdesk::engine::api::ClientConfig::new(base_url, key);
    Clients {
        cerego: Some(tagdesk::engine::api::cerego::CeregoClient::new(&config).expect("client")),
        limits: ListLimits::default(),
        ..Default::default()
    }
}

fn listing() -> Op {
    Op::CeregoListUsers {
        partner: PartnerId::parse("4242").expect("partner"),
        query: None,
        departments: false,
    }
}

fn quiet(_: RetryNotice) {}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_named_users_are_kept_whichever_way_they_are_read() {
    let mut seed = Seed::demo();
    seed.add_synthetic(20_000, 0);
    let sim = Simulator::start_local(SimOptions {
        seed,
        ..SimOptions::default()
    })
    .await
    .expect("simulator");
    let clients = clients(&sim.base_url(), tagdesk::sim::DEFAULT_CEREGO_KEY);
    let policy = RetryPolicy::none();
    for named in [10, MAX_LOOKUPS + 50] {
        let ids: Vec<String> = (0..named as u64).map(|n| synthetic(n * 61)).collect();
        let mut asked: Vec<&str> = ids.iter().map(String::as_str).collect();
        asked.push("3999999"); // not in the partner
        asked.push(asked[0]); // named twice
        let got = named_users(&clients, &listing(), &asked, &policy, &quiet)
            .await
            .expect("read");
        assert_eq!(got.users.len(), named, "the named users, and no other");
        assert!(ids.iter().all(|id| got.users.position(id).is_some()));
        assert_eq!(got.users.partner_count(), Some(20_036));
        let expected = if named > MAX_LOOKUPS {
            Read::Listed { pages: 802 }
        } else {
            Read::LookedUp {
                requests: 1 + named + 1,
            }
        };
        assert_eq!(got.read, expected);
    }
}

/// A partner of 40 pages of 5 users with ids 1 to 200, each with one tag of type 3 whose
/// value is `v{id}`. Its `query` is a search: every user whose id contains the query, the
/// longest ids first (so the exact one is not first) — or, with `ids_searched` false,
/// nobody (a server whose query finds emails only). Queries are recorded.
struct Partner {
    ids_searched: bool,
    queries: Arc<Mutex<Vec<String>>>,
}

fn user(id: u32, included: &mut Vec<Value>) -> Value {
    included.push(json!({"id": format!("t{id}"), "type": "partner-user-tags",
        "attributes": {"value": format!("v{id}")},
        "relationships": {"user": {"data": {"id": id.to_string(), "type": "users"}},
            "partner-user-tag-type": {"data": {"id": "3", "type": "partner-user-tag-types"}}}}));
    json!({"id": id.to_string(), "type": "users", "attributes": {"name": format!("User {id}")},
        "relationships": {"partner-user-tags": {"data": [
            {"id": format!("t{id}"), "type": "partner-user-tags"}]}}})
}

impl Respond for Partner {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let param = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let mut included = Vec::new();
        let (users, pages): (Vec<Value>, u32) = match param("query") {
            Some(q) => {
                self.queries.lock().expect("lock").push(q.clone());
                let mut hits: Vec<u32> = (1..=200)
                    .filter(|id| self.ids_searched && id.to_string().contains(&q))
                    .collect();
                hits.sort_by_key(|id| std::cmp::Reverse(*id));
                (
                    hits.into_iter().map(|id| user(id, &mut included)).collect(),
                    1,
                )
            }
            None => {
                let page: u32 = param("page[number]")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(1);
                let first = (page - 1) * 5 + 1;
                let users = (first..first + 5)
                    .filter(|id| *id <= 200)
                    .map(|id| user(id, &mut included))
                    .collect();
                (users, 40)
            }
        };
        ResponseTemplate::new(200).set_body_json(json!({
            "data": users, "included": included,
            "meta": {"total-pages": pages, "total-count": 200}}))
    }
}

async fn partner(ids_searched: bool) -> (MockServer, Arc<Mutex<Vec<String>>>) {
    let server = MockServer::start().await;
    let queries = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path("/v3/partners/4242/users"))
        .respond_with(Partner {
            ids_searched,
            queries: queries.clone(),
        })
        .mount(&server)
        .await;
    (server, queries)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_matching_several_users_gives_the_one_with_that_id() {
    let (server, queries) = partner(true).await;
    let clients = clients(&server.uri(), "k");
    let got = named_users(
        &clients,
        &listing(),
        &["12", "150"],
        &RetryPolicy::none(),
        &quiet,
    )
    .await
    .expect("read");
    assert_eq!(got.read, Read::LookedUp { requests: 3 });
    assert_eq!(got.users.len(), 2, "not 112 or 120–129");
    let tag = |id: &str| {
        let user = got.users.user(id).expect("found");
        user.tags
            .iter()
            .next()
            .and_then(|t| t.value)
            .map(str::to_string)
    };
    assert_eq!(tag("12").as_deref(), Some("v12"));
    assert_eq!(tag("150").as_deref(), Some("v150"));
    let mut asked = queries.lock().expect("lock").clone();
    asked.sort();
    assert_eq!(asked, ["12", "150"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_whose_query_does_not_find_ids_is_listed_instead() {
    let (server, queries) = partner(false).await;
    let clients = clients(&server.uri(), "k");
    let got = named_users(
        &clients,
        &listing(),
        &["77", "150"],
        &RetryPolicy::none(),
        &quiet,
    )
    .await
    .expect("read");
    // Neither was found, nor was the first page's user 1: the query does not search ids.
    assert_eq!(
        queries.lock().expect("lock").last().map(String::as_str),
        Some("1")
    );
    assert_eq!(got.read, Read::Listed { pages: 40 });
    assert!(got.users.user("77").is_some() && got.users.user("150").is_some());
    assert_eq!(got.users.len(), 2);
}
