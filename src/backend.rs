//! The backend task: the only place that talks to the APIs.
//!
//! The UI sends `Request { id, op }` and gets `Reply { id, .. }` back on another channel, so
//! the console never waits on the network. Each request runs in its own task, so several can
//! be in flight at once; the client timeouts bound every one of them.

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::api::cerego::{CeregoClient, CeregoTag, Profile, UserList};
use crate::api::hive::{HiveClient, HiveOutcome};
use crate::api::{self, ApiError, Call, Exchange};
use crate::op::Op;

/// Identifies a request for the lifetime of the process.
pub type RequestId = u64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: RequestId,
    pub op: Op,
}

/// What a successful Op produced.
#[derive(Debug, Clone)]
pub enum Output {
    Hive(HiveOutcome),
    Tag(CeregoTag),
    Users(UserList),
    Profile(Profile),
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub id: RequestId,
    pub op: Op,
    pub exchanges: Vec<Exchange>,
    pub result: Result<Output, ApiError>,
    pub finished_at: DateTime<Utc>,
}

/// The clients the backend may use; a service without a client answers every Op for it
/// with a clear error instead of sending anything.
#[derive(Debug, Clone, Default)]
pub struct Clients {
    pub hive: Option<HiveClient>,
    pub cerego: Option<CeregoClient>,
}

/// Runs one Op against the clients. Public so the CLI shares exactly this path.
pub async fn execute(clients: &Clients, op: &Op) -> (Vec<Exchange>, Result<Output, ApiError>) {
    fn done<T>(call: Call<T>, wrap: fn(T) -> Output) -> (Vec<Exchange>, Result<Output, ApiError>) {
        (call.exchanges, call.result.map(wrap))
    }
    let unconfigured = |service: &str| {
        (
            Vec::new(),
            Err(ApiError::Network {
                message: format!("{service} is not configured for this profile (no API key)"),
                connect: true,
            }),
        )
    };
    match op {
        Op::HiveAdd { patron, fields } => match &clients.hive {
            Some(c) => done(c.add(patron, fields).await, Output::Hive),
            None => unconfigured("Hive"),
        },
        Op::HiveRemove { patron, fields } => match &clients.hive {
            Some(c) => done(c.remove(patron, fields).await, Output::Hive),
            None => unconfigured("Hive"),
        },
        Op::CeregoAdd {
            user,
            tag_type,
            value,
        } => match &clients.cerego {
            Some(c) => done(c.add_tag(tag_type, user, value).await, Output::Tag),
            None => unconfigured("Cerego"),
        },
        Op::CeregoUpdate { tag, value } => match &clients.cerego {
            Some(c) => done(c.update_tag(tag, value).await, Output::Tag),
            None => unconfigured("Cerego"),
        },
        Op::CeregoListUsers { partner, query } => match &clients.cerego {
            Some(c) => done(c.list_users(partner, query.as_deref()).await, Output::Users),
            None => unconfigured("Cerego"),
        },
        Op::CeregoProfile => match &clients.cerego {
            Some(c) => done(c.profile().await, Output::Profile),
            None => unconfigured("Cerego"),
        },
    }
}

/// Reads a whole response to an Op the way the clients do (one page for a user list).
/// Lets tests and tools turn a status and body into exactly the reply the console gets.
pub fn interpret(op: &Op, status: u16, body: &[u8]) -> Result<Output, ApiError> {
    use crate::api::cerego::UsersPage;
    use crate::api::outcome::HiveAction;
    match op {
        Op::HiveAdd { .. } => api::interpret(status, body, None, |b| {
            HiveOutcome::parse(HiveAction::Add, b)
        })
        .map(Output::Hive),
        Op::HiveRemove { .. } => api::interpret(status, body, None, |b| {
            HiveOutcome::parse(HiveAction::Remove, b)
        })
        .map(Output::Hive),
        Op::CeregoAdd { .. } | Op::CeregoUpdate { .. } => {
            api::interpret(status, body, None, CeregoTag::parse_document).map(Output::Tag)
        }
        Op::CeregoListUsers { .. } => {
            api::interpret(status, body, None, UsersPage::parse).map(|p| {
                Output::Users(UserList {
                    users: p.users,
                    total_count: p.total_count,
                    pages_fetched: 1,
                })
            })
        }
        Op::CeregoProfile => {
            api::interpret(status, body, None, Profile::parse).map(Output::Profile)
        }
    }
}

/// Spawns the backend loop. It ends when the request channel closes.
pub fn spawn(
    clients: Clients,
    mut requests: mpsc::UnboundedReceiver<Request>,
    replies: mpsc::UnboundedSender<Reply>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(Request { id, op }) = requests.recv().await {
            let clients = clients.clone();
            let replies = replies.clone();
            tokio::spawn(async move {
                let (exchanges, result) = execute(&clients, &op).await;
                // The UI may have gone away; then nobody wants the reply.
                let _ = replies.send(Reply {
                    id,
                    op,
                    exchanges,
                    result,
                    finished_at: Utc::now(),
                });
            });
        }
    })
}
