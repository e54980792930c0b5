//! The embedded simulator: a real HTTP server on loopback that speaks both APIs as SPEC.md
//! describes, from in-memory state seeded by `assets/demo.toml`.
//!
//! Demo mode and the tests start it in-process ([`Simulator::start`]); `tagdesk sim` serves
//! it standalone. The client code path is the same either way: only the base URL differs.
//!
//! Request bodies of the simulated APIs and of the control API over [`MAX_BODY_BYTES`] are
//! answered 413, in the service's (or the control API's) error shape.
//!
//! Control API (answers loopback clients only; others get 403):
//! - `GET /_sim/state`: the whole state as JSON, plus request counts per endpoint.
//! - `GET /_sim/faults`: the active fault rules.
//! - `POST /_sim/faults`: add a rule, as JSON (`{"target": "hive.add", "kind": "status",
//!   "status": 503, "times": 1}`) or in text form (`{"spec": "hive.add:503*1"}`).
//! - `PUT /_sim/faults`: replace all rules with a JSON list.
//! - `DELETE /_sim/faults`: remove every rule.
//! - `POST /_sim/reset`: back to the seed, no faults, counts cleared.
//! - `POST /_sim/setup`: a JSON list of playground setup steps
//!   ([`crate::core::playground::Setup`]), every value checked as operator input is (400
//!   naming the step and place; nothing applied); answers the tags they left.

pub mod cerego;
mod control;
pub mod faults;
pub mod hive;
mod intern;
mod model;
pub mod seed;
mod setup;

use control::*;
pub use model::Model;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::core::op::request::Method as Verb;
use crate::core::op::scenario::HiveAction;
use crate::core::op::{Op, RequestSpec};
use cerego::CeregoState;
use faults::{FaultKind, FaultRule};
use hive::HiveState;
use seed::Seed;

/// The largest request body the simulated APIs read (larger ones are answered 413).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Default keys of a standalone or demo simulator.
pub const DEFAULT_HIVE_KEY: &str = "demo-hive-key";
pub const DEFAULT_CEREGO_KEY: &str = "demo-cerego-key";

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub seed: Seed,
    pub hive_key: String,
    pub cerego_key: String,
    pub faults: Vec<FaultRule>,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            seed: Seed::demo(),
            hive_key: DEFAULT_HIVE_KEY.into(),
            cerego_key: DEFAULT_CEREGO_KEY.into(),
            faults: Vec::new(),
        }
    }
}

/// Everything the server mutates.
#[derive(Debug)]
struct World {
    model: Model,
    faults: Vec<FaultRule>,
    /// What each rate-limit rule let through in the last second.
    windows: faults::RateWindows,
    requests: BTreeMap<String, u64>,
}

impl World {
    fn new(options: &SimOptions) -> Self {
        Self {
            model: Model::new(&options.seed),
            faults: options.faults.clone(),
            windows: faults::RateWindows::new(),
            requests: BTreeMap::new(),
        }
    }
}

struct Shared {
    options: SimOptions,
    world: Mutex<World>,
}

impl Shared {
    /// A poisoned lock only means a handler panicked mid-way; the state is still usable.
    fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}

type AppState = Arc<Shared>;

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    addr: SocketAddr,
    shared: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Binds `listen` (port 0 picks a free port) and serves in a background task.
    pub async fn start(listen: SocketAddr, options: SimOptions) -> std::io::Result<Self> {
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            world: Mutex::new(World::new(&options)),
            options,
        });
        let app = router(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            let server = axum::serve(listener, service).with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(e) = server.await {
                tracing::error!("simulator stopped: {e}");
            }
        });
        Ok(Self {
            addr,
            shared,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Starts on a free loopback port with the given options.
    pub async fn start_local(options: SimOptions) -> std::io::Result<Self> {
        Self::start(SocketAddr::from(([127, 0, 0, 1], 0)), options).await
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: the base URL of both simulated APIs.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn options(&self) -> &SimOptions {
        &self.shared.options
    }

    /// Replaces the fault rules (the same as `PUT /_sim/faults`).
    pub fn set_faults(&self, rules: Vec<FaultRule>) {
        self.shared.world().faults = rules;
    }

    /// The state as `GET /_sim/state` returns it.
    pub fn state_json(&self) -> Value {
        state_json(&self.shared.world())
    }

    /// Stops accepting requests and waits (briefly) for requests in flight.
    pub async fn shutdown(mut self) {
        self.stop(Duration::from_secs(2)).await;
    }

    async fn stop(&mut self, grace: Duration) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(grace, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn router(shared: AppState) -> Router {
    let api = Router::new()
        .route("/v3/my/profile", get(cerego_profile))
        .route(
            "/v3/partner_user_tag_types/{tag_type_id}/partner_user_tags",
            post(cerego_add),
        )
        .route("/v3/partner_user_tags/{id}", put(cerego_update))
        .route("/v3/users/{user_id}/partner_user_tags", post(cerego_set))
        .route("/v3/partners/{partner_id}/users", get(cerego_users))
        .route("/api/v1/user_tags/add", post(hive_add))
        .route("/api/v1/user_tags/remove", post(hive_remove))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(too_large_in_shape))
        .layer(middleware::from_fn_with_state(shared.clone(), fault_layer));
    let control = Router::new()
        .route("/_sim/state", get(control_state))
        .route(
            "/_sim/faults",
            get(control_faults)
                .post(control_add_fault)
                .put(control_set_faults)
                .delete(control_clear_faults),
        )
        .route("/_sim/reset", post(control_reset))
        .route("/_sim/setup", post(control_setup))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(too_large_in_shape))
        .layer(middleware::from_fn(loopback_only));
    api.merge(control).fallback(not_found).with_state(shared)
}

/// The control API changes the simulator's state and faults: only clients on this machine
/// may use it, whatever address the simulator listens on.
async fn loopback_only(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    // `to_canonical`: a dual-stack listener sees 127.0.0.1 as ::ffff:127.0.0.1.
    if peer.ip().to_canonical().is_loopback() {
        return next.run(request).await;
    }
    json_response(
        StatusCode::FORBIDDEN,
        json!({"error": "the simulator's control API answers clients on this machine only"}),
    )
}

/// A body over the limit is refused by axum with a plain-text 413; answer it in the shape of
/// the service that was called, like the rest of its errors (the control API's own shape
/// for `/_sim/…`).
async fn too_large_in_shape(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let (hive, control) = (path.starts_with("/api/"), path.starts_with("/_sim/"));
    let response = next.run(request).await;
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let message = format!("The request body is larger than {} bytes.", MAX_BODY_BYTES);
    let (status, body) = if control {
        (StatusCode::PAYLOAD_TOO_LARGE, json!({"error": message}))
    } else if hive {
        hive::error(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", &message)
    } else {
        cerego::error(StatusCode::PAYLOAD_TOO_LARGE, &message)
    };
    json_response(status, body)
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// Names the endpoint a request is for, as fault rules and request counts use it.
fn endpoint_of(method: &Method, path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), parts.as_slice()) {
        ("POST", ["api", "v1", "user_tags", "add"]) => Some("hive.add"),
        ("POST", ["api", "v1", "user_tags", "remove"]) => Some("hive.remove"),
        ("POST", ["v3", "partner_user_tag_types", _, "partner_user_tags"]) => Some("cerego.add"),
        ("PUT", ["v3", "partner_user_tags", _]) => Some("cerego.update"),
        ("POST", ["v3", "users", _, "partner_user_tags"]) => Some("cerego.set"),
        ("GET", ["v3", "partners", _, "users"]) => Some("cerego.users"),
        ("GET", ["v3", "my", "profile"]) => Some("cerego.profile"),
        _ => None,
    }
}

async fn fault_layer(State(shared): State<AppState>, request: Request, next: Next) -> Response {
    let Some(endpoint) = endpoint_of(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let decision = {
        let mut world = shared.world();
        *world.requests.entry(endpoint.to_string()).or_default() += 1;
        let world = &mut *world;
        faults::decide(
            &mut world.faults,
            &mut world.windows,
            endpoint,
            std::time::Instant::now(),
        )
    };
    if decision.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(decision.latency_ms)).await;
    }
    let is_hive = endpoint.starts_with("hive.");
    match decision.terminal {
        // (`decide` answers a rate limit's refusal as its 429.)
        None
        | Some(FaultKind::Latency { .. } | FaultKind::Late { .. } | FaultKind::RateLimit { .. }) => {
            let response = next.run(request).await;
            if decision.late_ms > 0 {
                tokio::time::sleep(Duration::from_millis(decision.late_ms)).await;
            }
            response
        }
        Some(FaultKind::Status {
            status,
            retry_after,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let message = format!("Injected fault: HTTP {} from tagdesk sim.", status.as_u16());
            let (status, body) = if is_hive {
                let code = match status.as_u16() {
                    400 => "BAD_REQUEST",
                    401 | 403 => "FORBIDDEN",
                    404 => "NOT_FOUND",
                    429 => "TOO_MANY_REQUESTS",
                    500 => "INTERNAL_ERROR",
                    502 => "BAD_GATEWAY",
                    503 => "SERVICE_UNAVAILABLE",
                    504 => "GATEWAY_TIMEOUT",
                    _ => "ERROR",
                };
                hive::error(status, code, &message)
            } else {
                cerego::error(status, &message)
            };
            let mut response = json_response(status, body);
            if let Some(secs) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
        Some(FaultKind::Malformed) => {
            let body = if endpoint == "hive.remove" {
                "{\"message\": \"Successfully removed tags from pat"
            } else if is_hive {
                "{\"message\": \"Successfully added tags to pat"
            } else if endpoint == "cerego.set" {
                "{\"data\": [{\"id\": \"84918\", \"type\": \"partner-user-"
            } else {
                "{\"data\": {\"id\": \"84918\", \"type\": \"partner-user-"
            };
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response()
        }
        Some(FaultKind::Drop) => {
            // A body that fails at once makes the server abort the connection before a
            // complete response is written.
            let stream = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "injected drop",
                ))
            });
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from_stream(stream))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

fn bearer_ok(headers: &HeaderMap, key: &str) -> bool {
    auth_ok(headers, "Bearer", key)
}

fn auth_ok(headers: &HeaderMap, scheme: &str, key: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .is_some_and(|(s, k)| s.eq_ignore_ascii_case(scheme) && k.trim() == key)
}

fn cerego_unauthorized() -> Response {
    let (status, body) = wrong_key_answer(crate::core::op::Service::Cerego);
    json_response(status, body)
}

/// What a service answers a request whose key it does not know (also what the model
/// gives a raw request sent with a wrong key, as the HTTP layer checks keys).
pub fn wrong_key_answer(service: crate::core::op::Service) -> (StatusCode, Value) {
    match service {
        crate::core::op::Service::Cerego => cerego::error(
            StatusCode::UNAUTHORIZED,
            "The bearer token is missing or not valid.",
        ),
        crate::core::op::Service::Hive => hive::error(
            StatusCode::FORBIDDEN,
            "INVALID_API_KEY",
            hive::INVALID_KEY_MESSAGE,
        ),
    }
}

async fn cerego_profile(State(shared): State<AppState>, headers: HeaderMap) -> Response {
    if !bearer_ok(&headers, &shared.options.cerego_key) {
        return cerego_unauthorized();
    }
    let (status, body) = shared.world().model.cerego.profile();
    json_response(status, body)
}

async fn cerego_add(
    State(shared): State<AppState>,
    Path(tag_type_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !bearer_ok(&headers, &shared.options.cerego_key) {
        return cerego_unauthorized();
    }
    let (status, body) = shared.world().model.cerego.add_tag(&tag_type_id, &body);
    json_response(status, body)
}

async fn cerego_update(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !bearer_ok(&headers, &shared.options.cerego_key) {
        return cerego_unauthorized();
    }
    let (status, body) = shared.world().model.cerego.update_tag(&id, &body);
    json_response(status, body)
}

async fn cerego_set(
    State(shared): State<AppState>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !bearer_ok(&headers, &shared.options.cerego_key) {
        return cerego_unauthorized();
    }
    let (status, body) = shared.world().model.cerego.set_tags(&user_id, &body);
    json_response(status, body)
}

async fn cerego_users(
    State(shared): State<AppState>,
    Path(partner_id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !bearer_ok(&headers, &shared.options.cerego_key) {
        return cerego_unauthorized();
    }
    let page = shared
        .world()
        .model
        .cerego
        .list_users_body(&partner_id, &params);
    match page {
        Ok(bytes) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            bytes,
        )
            .into_response(),
        Err((status, body)) => json_response(status, body),
    }
}

async fn hive_add(State(shared): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    hive_call(&shared, HiveAction::Add, &headers, &body)
}

async fn hive_remove(State(shared): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    hive_call(&shared, HiveAction::Remove, &headers, &body)
}

fn hive_call(shared: &Shared, action: HiveAction, headers: &HeaderMap, body: &[u8]) -> Response {
    if !auth_ok(headers, "token", &shared.options.hive_key) {
        let (status, body) = wrong_key_answer(crate::core::op::Service::Hive);
        return json_response(status, body);
    }
    let (status, body) = shared.world().model.hive.handle(action, body);
    json_response(status, body)
}

async fn not_found(method: Method, uri: axum::http::Uri) -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({"error": true, "status": 404, "message": format!("No route for {method} {}.", uri.path())}),
    )
}

/// The summary `tagdesk sim` prints after its first line.
pub fn summary(options: &SimOptions) -> String {
    let c = &options.seed.cerego;
    let h = &options.seed.hive;
    let mut out = String::new();
    let departments = c.users.iter().filter(|u| u.department.is_some()).count() as u64;
    let listed = c.users.len() as u64 - departments + c.synthetic_users;
    let also = if departments > 0 {
        format!(" (and {departments} department users: include_department_users=true)")
    } else {
        String::new()
    };
    out.push_str(&format!(
        "Cerego: partner {} with {listed} users{also}; key \"{}\" (Authorization: Bearer KEY)\n",
        c.partner_id, options.cerego_key
    ));
    let types: Vec<String> = c
        .tag_types
        .iter()
        .map(|t| format!("{} {}", t.id, t.name))
        .collect();
    out.push_str(&format!("  tag types: {}\n", types.join(", ")));
    out.push_str(&format!(
        "Hive: {} patrons; key \"{}\" (Authorization: token KEY)\n",
        h.patrons.len() as u64 + h.synthetic_patrons,
        options.hive_key
    ));
    let fields: Vec<&str> = h.tags.iter().map(|t| t.api_field.as_str()).collect();
    out.push_str(&format!("  api_fields: {}\n", fields.join(", ")));
    if !options.faults.is_empty() {
        let rules: Vec<String> = options.faults.iter().map(|r| r.to_string()).collect();
        out.push_str(&format!("Faults: {}\n", rules.join(", ")));
    }
    out.push_str(
        "Control API (loopback clients only): GET /_sim/state, GET|POST|PUT|DELETE /_sim/faults, POST /_sim/reset",
    );
    out
}
