//! Injected faults, over real HTTP: each one becomes the right typed client error, never a
//! panic, and never a wait past the client's timeout.
//!
//! Timing bounds are deliberately generous (machines are noisy): they only prove the client
//! gave up long before the injected latency would have ended.

mod support;
use support::{fields, partner, patron};

use std::time::{Duration, Instant};

use tagdesk::core::domain::{CeregoUserId, TagTypeId, TagValue};
use tagdesk::core::op::ApiError;
use tagdesk::core::op::scenario::MessageCheck;
use tagdesk::engine::api::ClientConfig;
use tagdesk::engine::api::cerego::CeregoClient;
use tagdesk::engine::api::hive::HiveClient;
use tagdesk::sim::faults::FaultRule;
use tagdesk::sim::{DEFAULT_CEREGO_KEY, DEFAULT_HIVE_KEY, SimOptions, Simulator};

const CONNECT: Duration = Duration::from_secs(2);
const TOTAL: Duration = Duration::from_millis(300);
/// Far beyond TOTAL, far below the injected 10 s latency.
const GAVE_UP_BY: Duration = Duration::from_secs(5);
/// For calls that are expected to get an answer: generous, so a loaded machine cannot turn
/// an answer into a timeout.
const PATIENT: Duration = Duration::from_secs(10);

async fn sim_with(rules: &[&str]) -> Simulator {
    let sim = Simulator::start_local(SimOptions::default())
        .await
        .expect("simulator starts");
    sim.set_faults(
        rules
            .iter()
            .map(|r| r.parse::<FaultRule>().expect("valid rule"))
            .collect(),
    );
    sim
}

fn hive(sim: &Simulator, total: Duration) -> HiveClient {
    HiveClient::new(
        &ClientConfig::new(sim.base_url(), DEFAULT_HIVE_KEY).with_timeouts(CONNECT, total),
    )
    .expect("hive client")
}

fn cerego(sim: &Simulator, total: Duration) -> CeregoClient {
    CeregoClient::new(
        &ClientConfig::new(sim.base_url(), DEFAULT_CEREGO_KEY).with_timeouts(CONNECT, total),
    )
    .expect("cerego client")
}

async fn cerego_add(
    client: &CeregoClient,
) -> tagdesk::engine::api::Call<tagdesk::core::op::cerego::CeregoTag> {
    client
        .add_tag(
            &TagTypeId::parse("3").unwrap(),
            &CeregoUserId::parse("1185304").unwrap(),
            &TagValue::parse("Autumn 2026").unwrap(),
        )
        .await
}

fn patron_tags(sim: &Simulator, id: &str) -> serde_json::Value {
    sim.state_json()["hive"]["patrons"][id].clone()
}

fn requests(sim: &Simulator, endpoint: &str) -> u64 {
    sim.state_json()["requests"][endpoint].as_u64().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Latency

#[tokio::test]
async fn hive_latency_beyond_the_total_timeout_is_a_timeout() {
    let sim = sim_with(&["hive:latency=10000"]).await;
    let started = Instant::now();
    let call = hive(&sim, TOTAL)
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await;
    let elapsed = started.elapsed();
    assert_eq!(call.result, Err(ApiError::Timeout { ms: 300 }));
    assert!(elapsed < GAVE_UP_BY, "gave up after {elapsed:?}");
    assert!(elapsed >= TOTAL, "not before the timeout: {elapsed:?}");
    let ex = &call.exchanges[0];
    assert_eq!((ex.status, ex.response_body.as_deref()), (None, None));
    assert_eq!(ex.method, "POST");
    assert_eq!(
        requests(&sim, "hive.add"),
        1,
        "the request did reach the server"
    );
}

#[tokio::test]
async fn cerego_latency_beyond_the_total_timeout_is_a_timeout() {
    let sim = sim_with(&["cerego:latency=10000"]).await;
    let client = cerego(&sim, TOTAL);

    let started = Instant::now();
    let call = client.list_users(&partner(), None).await;
    assert!(started.elapsed() < GAVE_UP_BY, "{:?}", started.elapsed());
    assert_eq!(call.result.unwrap_err(), ApiError::Timeout { ms: 300 });
    assert_eq!(call.exchanges.len(), 1, "no further pages after a timeout");

    let started = Instant::now();
    let call = cerego_add(&client).await;
    assert!(started.elapsed() < GAVE_UP_BY, "{:?}", started.elapsed());
    assert_eq!(call.result.unwrap_err(), ApiError::Timeout { ms: 300 });
}

#[tokio::test]
async fn latency_within_the_timeout_only_slows_the_answer() {
    let sim = sim_with(&["hive.add:latency=200"]).await;
    let started = Instant::now();
    let o = hive(&sim, PATIENT)
        .add(&patron("user_abc123"), &fields(&["vip", "newsletter"]))
        .await
        .result
        .expect("a slow answer is still an answer");
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(o.message_check(), MessageCheck::Match);
    assert_eq!(o.changed, ["vip"]);
}

// ---------------------------------------------------------------------------------------
// Error statuses

#[tokio::test]
async fn too_many_requests_carries_retry_after() {
    let sim = sim_with(&["hive.add:429=2", "cerego.users:429=2"]).await;
    let err = hive(&sim, PATIENT)
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await
        .result
        .unwrap_err();
    assert_eq!(
        err,
        ApiError::Http {
            status: 429,
            code: Some("TOO_MANY_REQUESTS".into()),
            message: "Injected fault: HTTP 429 from tagdesk sim.".into(),
            retry_after: Some("2".into()),
        }
    );
    assert_eq!(
        patron_tags(&sim, "user_abc123"),
        serde_json::json!(["newsletter"]),
        "a refused request changes nothing"
    );

    let call = cerego(&sim, PATIENT).list_users(&partner(), None).await;
    assert_eq!(call.exchanges.len(), 1);
    assert_eq!(call.exchanges[0].status, Some(429));
    match call.result.unwrap_err() {
        ApiError::Http {
            status: 429,
            code: None,
            message,
            retry_after: Some(secs),
        } => {
            assert_eq!(secs, "2");
            assert_eq!(
                message,
                "Too Many Requests: Injected fault: HTTP 429 from tagdesk sim."
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn server_errors_500_and_503_keep_their_status() {
    for (status, hive_code) in [(500u16, "INTERNAL_ERROR"), (503, "SERVICE_UNAVAILABLE")] {
        let sim = sim_with(&[&format!("all:{status}")]).await;
        let err = hive(&sim, PATIENT)
            .remove(&patron("user_abc123"), &fields(&["newsletter"]))
            .await
            .result
            .unwrap_err();
        assert_eq!(
            err,
            ApiError::Http {
                status,
                code: Some(hive_code.into()),
                message: format!("Injected fault: HTTP {status} from tagdesk sim."),
                retry_after: None,
            }
        );
        let client = cerego(&sim, PATIENT);
        for err in [
            client.profile().await.result.unwrap_err(),
            cerego_add(&client).await.result.unwrap_err(),
            client
                .list_users(&partner(), None)
                .await
                .result
                .unwrap_err(),
        ] {
            match err {
                ApiError::Http {
                    status: got,
                    retry_after: None,
                    message,
                    ..
                } => {
                    assert_eq!(got, status);
                    assert!(message.contains("Injected fault"), "{message}");
                }
                other => panic!("{status}: {other:?}"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Malformed bodies and dropped connections

#[tokio::test]
async fn a_malformed_body_is_a_decode_error() {
    let sim = sim_with(&["all:malformed"]).await;
    let call = hive(&sim, PATIENT)
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await;
    assert!(
        matches!(&call.result, Err(ApiError::Decode { status: 200, message }) if !message.is_empty()),
        "{:?}",
        call.result
    );
    // The transcript keeps the truncated body so the operator can see it.
    assert_eq!(call.exchanges[0].status, Some(200));
    assert!(
        call.exchanges[0]
            .response_body
            .as_deref()
            .is_some_and(|b| b.starts_with("{\"message\""))
    );
    let client = cerego(&sim, PATIENT);
    for result in [
        cerego_add(&client).await.result.map(|_| ()),
        client.profile().await.result.map(|_| ()),
        client.list_users(&partner(), None).await.result.map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(ApiError::Decode { status: 200, .. })),
            "{result:?}"
        );
    }
}

#[tokio::test]
async fn a_dropped_connection_is_a_network_error() {
    let sim = sim_with(&["all:drop"]).await;
    let started = Instant::now();
    let call = hive(&sim, PATIENT)
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await;
    assert!(
        matches!(&call.result, Err(ApiError::Network { connect: false, message }) if !message.is_empty()),
        "{:?}",
        call.result
    );
    assert_eq!(call.exchanges[0].status, None);
    let client = cerego(&sim, PATIENT);
    for result in [
        cerego_add(&client).await.result.map(|_| ()),
        client.list_users(&partner(), None).await.result.map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(ApiError::Network { connect: false, .. })),
            "{result:?}"
        );
    }
    assert!(
        started.elapsed() < GAVE_UP_BY,
        "a drop is noticed at once, not by timing out: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn nobody_listening_is_a_connect_error() {
    // Take a free port, then close it again.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let config = ClientConfig::new(format!("http://{addr}"), DEFAULT_HIVE_KEY)
        .with_timeouts(CONNECT, PATIENT);
    let call = HiveClient::new(&config)
        .unwrap()
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await;
    assert!(
        matches!(&call.result, Err(ApiError::Network { connect: true, .. })),
        "{:?}",
        call.result
    );
    assert_eq!(
        call.exchanges.len(),
        1,
        "the attempt is still in the transcript"
    );
}

// ---------------------------------------------------------------------------------------
// Scoping and counting

#[tokio::test]
async fn a_fault_on_hive_add_leaves_other_endpoints_alone() {
    let sim = sim_with(&["hive.add:503"]).await;
    let h = hive(&sim, PATIENT);
    for _ in 0..2 {
        let err = h
            .add(&patron("user_abc123"), &fields(&["vip"]))
            .await
            .result
            .unwrap_err();
        assert_eq!(err.status(), Some(503), "a rule without a count stays");
    }
    let o = h
        .remove(&patron("user_abc123"), &fields(&["newsletter"]))
        .await
        .result
        .expect("hive.remove is not affected");
    assert_eq!(o.changed, ["newsletter"]);
    let c = cerego(&sim, PATIENT);
    c.profile()
        .await
        .result
        .expect("cerego.profile is not affected");
    let tag = cerego_add(&c)
        .await
        .result
        .expect("cerego.add is not affected");
    assert_eq!(tag.value.as_deref(), Some("Autumn 2026"));
    let list = c
        .list_users(&partner(), None)
        .await
        .result
        .expect("cerego.users is not affected");
    assert_eq!(list.users.len(), 36);
    assert_eq!(requests(&sim, "hive.add"), 2);
    assert_eq!(requests(&sim, "hive.remove"), 1);
}

#[tokio::test]
async fn a_counted_fault_applies_once_then_the_next_request_succeeds() {
    let sim = sim_with(&["hive.add:503*1"]).await;
    let h = hive(&sim, PATIENT);
    let err = h
        .add(&patron("user_abc123"), &fields(&["vip", "newsletter"]))
        .await
        .result
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(sim.state_json()["faults"], serde_json::json!([]), "used up");
    let o = h
        .add(&patron("user_abc123"), &fields(&["vip", "newsletter"]))
        .await
        .result
        .expect("the retry succeeds");
    assert_eq!(
        o.message.as_deref(),
        Some("Successfully added tags to patron. Some tags may already exist on patron.")
    );
    assert_eq!(
        o.changed,
        ["vip"],
        "the faulted request had not applied anything"
    );

    // The same with a drop: one dropped connection, then a normal answer.
    sim.set_faults(vec!["cerego.profile:drop*1".parse().unwrap()]);
    let c = cerego(&sim, PATIENT);
    assert!(matches!(
        c.profile().await.result,
        Err(ApiError::Network { .. })
    ));
    assert_eq!(c.profile().await.result.expect("second try").id, "1000001");
}

#[tokio::test]
async fn a_rule_with_rate_zero_never_fires() {
    let sim = sim_with(&["all:drop@0", "all:latency=10000@0"]).await;
    let o = hive(&sim, PATIENT)
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await
        .result
        .expect("rate 0 never applies");
    assert_eq!(o.changed, ["vip"]);
}

#[tokio::test]

async fn a_rule_counted_zero_times_never_fires() {
    // docs/src/simulator.md: TIMES is how many requests the rule hits before it retires. Zero requests
    // means never; refusing the rule outright would be fine too.
    let Ok(rule) = "hive.add:503*0".parse::<FaultRule>() else {
        return;
    };
    let sim = sim_with(&[]).await;
    sim.set_faults(vec![rule]);
    let o = hive(&sim, PATIENT)
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await
        .result
        .expect("a rule for zero requests never applies");
    assert_eq!(o.changed, ["vip"]);
}

#[tokio::test]

async fn a_connect_timeout_is_reported_as_such() {
    // A listener whose accept queue is full: further SYNs are dropped, so connecting hangs
    // (Linux). Backlog 0 leaves room for one queued connection; fill it.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = socket.local_addr().unwrap();
    let _listener = socket.listen(0).unwrap();
    let mut held = Vec::new();
    let mut hangs = false;
    for _ in 0..16 {
        match tokio::time::timeout(
            Duration::from_millis(500),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(stream)) => held.push(stream),
            Ok(Err(_)) => break,
            Err(_) => {
                hangs = true;
                break;
            }
        }
    }
    if !hangs {
        eprintln!("this system does not make connects hang on a full backlog; skipped");
        return;
    }
    let config = ClientConfig::new(format!("http://{addr}"), DEFAULT_HIVE_KEY)
        .with_timeouts(Duration::from_millis(300), PATIENT);
    let started = Instant::now();
    let call = HiveClient::new(&config)
        .unwrap()
        .add(&patron("user_abc123"), &fields(&["vip"]))
        .await;
    assert!(started.elapsed() < GAVE_UP_BY, "{:?}", started.elapsed());
    // The connection was never established, so the request provably was not sent: either
    // a connect failure, or a timeout that names the time actually waited (300 ms) — not
    // "no answer within 10.0 s" after 0.3 s.
    match call.result {
        Err(ApiError::Network { connect: true, .. }) => {}
        Err(ApiError::Timeout { ms }) => assert_eq!(ms, 300, "claims a {ms} ms wait"),
        other => panic!("{other:?}"),
    }
}
