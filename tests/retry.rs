//! Retries through the real backend path, against the simulator's faults.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tagdesk::core::domain::{ApiField, CeregoUserId, PatronId, TagTypeId, TagValue};
use tagdesk::core::op::ApiError;
use tagdesk::core::op::Op;
use tagdesk::core::op::Output;
use tagdesk::engine::api::ClientConfig;
use tagdesk::engine::api::cerego::CeregoClient;
use tagdesk::engine::api::hive::HiveClient;
use tagdesk::engine::exec::{Clients, Execution, execute_journaled};
use tagdesk::engine::journal::Journal;
use tagdesk::engine::retry::{RetryNotice, RetryPolicy};
use tagdesk::sim::{DEFAULT_CEREGO_KEY, DEFAULT_HIVE_KEY, SimOptions, Simulator};

async fn setup() -> (Simulator, Clients) {
    let sim = Simulator::start_local(SimOptions::default())
        .await
        .expect("sim");
    let base = sim.base_url();
    let t = |k: &str| {
        ClientConfig::new(&base, k).with_timeouts(Duration::from_secs(2), Duration::from_secs(3))
    };
    let clients = Clients {
        hive: Some(HiveClient::new(&t(DEFAULT_HIVE_KEY)).expect("hive")),
        cerego: Some(CeregoClient::new(&t(DEFAULT_CEREGO_KEY)).expect("cerego")),
        ..Default::default()
    };
    (sim, clients)
}

fn hive_add() -> Op {
    Op::HiveAdd {
        patron: PatronId::parse("user_abc123").expect("id"),
        fields: vec![ApiField::parse("vip").expect("field")],
    }
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(20),
        max_wait: Duration::from_secs(3),
        budget: Duration::from_secs(10),
    }
}

async fn go(
    clients: &Clients,
    journal: Option<&Arc<Mutex<Journal>>>,
    op: &Op,
    policy: &RetryPolicy,
) -> (Execution, Vec<RetryNotice>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let notify = move |n: RetryNotice| s.lock().expect("lock").push(n);
    let run = execute_journaled(clients, journal, "test-1", op, policy, &notify, &|_| {}).await;
    let seen = seen.lock().expect("lock").clone();
    (run, seen)
}

#[tokio::test]
async fn a_503_then_success_is_retried_and_announced() {
    let (sim, clients) = setup().await;
    sim.set_faults(vec!["hive.add:503*1".parse().expect("rule")]);
    let (run, seen) = go(&clients, None, &hive_add(), &fast()).await;
    assert!(
        matches!(run.result, Ok(Output::Hive(_))),
        "{:?}",
        run.result
    );
    assert_eq!(run.retries.len(), 1);
    assert_eq!(seen, run.retries, "each retry is announced before its wait");
    assert_eq!(seen[0].attempt, 2);
    assert!(seen[0].reason.contains("HTTP 503"));
    assert_eq!(
        run.exchanges.len(),
        2,
        "both attempts are in the transcript"
    );
    assert_eq!(sim.state_json()["requests"]["hive.add"], 2);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (sim, clients) = setup().await;
    sim.set_faults(vec!["hive.add:429=1*1".parse().expect("rule")]);
    let started = Instant::now();
    let (run, seen) = go(&clients, None, &hive_add(), &fast()).await;
    assert!(run.result.is_ok());
    assert!(seen[0].from_retry_after);
    assert_eq!(seen[0].wait_ms, 1000);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited for Retry-After"
    );
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_is_kept() {
    let (sim, clients) = setup().await;
    sim.set_faults(vec!["hive.add:503".parse().expect("rule")]);
    let (run, seen) = go(&clients, None, &hive_add(), &fast()).await;
    assert!(matches!(
        run.result,
        Err(ApiError::Http { status: 503, .. })
    ));
    assert_eq!(seen.len(), 2, "three attempts in all");
    assert_eq!(sim.state_json()["requests"]["hive.add"], 3);
    // A budget shorter than any wait means no retry at all.
    let tight = RetryPolicy {
        budget: Duration::from_millis(1),
        ..fast()
    };
    let (run, seen) = go(&clients, None, &hive_add(), &tight).await;
    assert!(run.result.is_err());
    assert!(seen.is_empty());
}

#[tokio::test]
async fn cerego_add_is_not_repeated_after_it_may_have_landed() {
    let (sim, clients) = setup().await;
    sim.set_faults(vec!["cerego.add:503*1".parse().expect("rule")]);
    let op = Op::CeregoAdd {
        user: CeregoUserId::parse("1185304").expect("id"),
        tag_type: TagTypeId::parse("3").expect("type"),
        value: TagValue::parse("x").expect("value"),
    };
    let (run, seen) = go(&clients, None, &op, &fast()).await;
    assert!(matches!(
        run.result,
        Err(ApiError::Http { status: 503, .. })
    ));
    assert!(seen.is_empty());
    assert_eq!(sim.state_json()["requests"]["cerego.add"], 1);
    // But an update (idempotent) is retried.
    sim.set_faults(vec!["cerego.update:502*1".parse().expect("rule")]);
    let op = Op::CeregoUpdate {
        tag: tagdesk::core::domain::TagId::parse("84001").expect("id"),
        value: TagValue::parse("y").expect("value"),
    };
    let (run, seen) = go(&clients, None, &op, &fast()).await;
    assert!(run.result.is_ok());
    assert_eq!(seen.len(), 1);
}

#[tokio::test]
async fn a_connection_refused_add_is_retried_because_it_never_left() {
    // Nothing listens on the port: every attempt fails to connect.
    let cfg = ClientConfig::new("http://127.0.0.1:9", DEFAULT_CEREGO_KEY)
        .with_timeouts(Duration::from_secs(1), Duration::from_secs(2));
    let clients = Clients {
        hive: None,
        cerego: Some(CeregoClient::new(&cfg).expect("client")),
        ..Default::default()
    };
    let op = Op::CeregoAdd {
        user: CeregoUserId::parse("1").expect("id"),
        tag_type: TagTypeId::parse("3").expect("type"),
        value: TagValue::parse("x").expect("value"),
    };
    let (run, seen) = go(&clients, None, &op, &fast()).await;
    assert!(matches!(
        run.result,
        Err(ApiError::Network { connect: true, .. })
    ));
    assert_eq!(seen.len(), 2);
}

#[tokio::test]
async fn the_journal_gets_one_outcome_naming_the_retries() {
    let (sim, clients) = setup().await;
    sim.set_faults(vec!["hive.add:503*2".parse().expect("rule")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (journal, _) = Journal::open(dir.path(), "t", vec![]).expect("journal");
    let journal = Arc::new(Mutex::new(journal));
    let (run, _) = go(&clients, Some(&journal), &hive_add(), &fast()).await;
    assert!(run.result.is_ok());
    let path = journal.lock().expect("lock").path().to_path_buf();
    let entries = tagdesk::engine::journal::entries(
        tagdesk::engine::journal::read(&path).expect("read").records,
    );
    assert_eq!(entries.len(), 1);
    let outcome = entries[0].outcome.as_ref().expect("one outcome");
    assert!(
        outcome.summary.ends_with("(after 2 retries)"),
        "{}",
        outcome.summary
    );
}
