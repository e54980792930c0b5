//! The embedded simulator over real HTTP on loopback: every Hive scenario and error, the
//! Cerego endpoints, the control API, and the `tagdesk sim` binary itself.
//!
//! Each test starts its own simulator (its state is mutable), on a free port.
//!
//! One file a subject: `hive` (the fourteen scenarios and the errors), `cerego`,
//! `control` (the control API), `binary` (`tagdesk sim` as a process), `strict` (caps,
//! limits and checked setup values); the helpers they share are here.

#[path = "../support/mod.rs"]
mod support;

mod binary;
mod cerego;
mod control;
mod hive;
mod strict;

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use support::{fields, partner, patron};
use tagdesk::core::domain::{CeregoUserId, PartnerId, TagId, TagTypeId, TagValue};
use tagdesk::core::op::ApiError;
use tagdesk::core::op::scenario::{HiveAction, MessageCheck};
use tagdesk::engine::api::ClientConfig;
use tagdesk::engine::api::cerego::CeregoClient;
use tagdesk::engine::api::hive::HiveClient;
use tagdesk::sim::{DEFAULT_CEREGO_KEY, DEFAULT_HIVE_KEY, SimOptions, Simulator};

const UNKNOWN_FIELD: &str = "Tag api_field does not exist in application.";

// ---------------------------------------------------------------------------------------
// Helpers

async fn start() -> Simulator {
    Simulator::start_local(SimOptions::default())
        .await
        .expect("the simulator starts on a free loopback port")
}

fn hive(sim: &Simulator) -> HiveClient {
    HiveClient::new(&ClientConfig::new(sim.base_url(), DEFAULT_HIVE_KEY)).expect("hive client")
}

fn cerego(sim: &Simulator) -> CeregoClient {
    CeregoClient::new(&ClientConfig::new(sim.base_url(), DEFAULT_CEREGO_KEY))
        .expect("cerego client")
}

fn tag_type(s: &str) -> TagTypeId {
    TagTypeId::parse(s).unwrap()
}

fn user(s: &str) -> CeregoUserId {
    CeregoUserId::parse(s).unwrap()
}

fn value(s: &str) -> TagValue {
    TagValue::parse(s).unwrap()
}

/// One raw request; the answer's status and body (`Value::Null` for a body that is not JSON).
async fn raw(
    method: Method,
    url: String,
    auth: Option<String>,
    body: Option<Vec<u8>>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    let response = request.send().await.expect("the simulator answers");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a whole body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn hive_raw(sim: &Simulator, action: &str, body: Value) -> (u16, Value) {
    raw(
        Method::POST,
        format!("{}/api/v1/user_tags/{action}", sim.base_url()),
        Some(format!("token {DEFAULT_HIVE_KEY}")),
        Some(body.to_string().into_bytes()),
    )
    .await
}

async fn cerego_raw(
    sim: &Simulator,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    raw(
        method,
        format!("{}{path}", sim.base_url()),
        Some(format!("Bearer {DEFAULT_CEREGO_KEY}")),
        body.map(|b| b.to_string().into_bytes()),
    )
    .await
}

async fn control(sim: &Simulator, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    raw(
        method,
        format!("{}/_sim/{path}", sim.base_url()),
        None,
        body.map(|b| b.to_string().into_bytes()),
    )
    .await
}

fn patron_tags(sim: &Simulator, id: &str) -> Option<Vec<String>> {
    let state = sim.state_json();
    state["hive"]["patrons"]
        .get(id)
        .map(|v| serde_json::from_value(v.clone()).expect("a list of api_fields"))
}

fn hive_error(status: u16, code: &str, message: &str) -> Value {
    json!({
        "error": true,
        "status": status,
        "error_code": code,
        "message": message,
        "show_alert": false
    })
}
