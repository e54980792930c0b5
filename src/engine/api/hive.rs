//! Hive Moderation user_tags client: add and remove tag api_fields on a patron. The
//! requests are `Op::request()`'s; the answers are read by `core::op::hive`.

use super::{Call, ClientConfig, Transport};
use crate::core::op::error::interpret;
use crate::core::op::hive::HiveOutcome;
use crate::core::op::scenario::HiveAction;
use crate::core::op::{ApiError, ApiField, Op, PatronId};

/// The Hive client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HiveClient {
    transport: Transport,
}

impl HiveClient {
    pub fn new(config: &ClientConfig) -> Result<Self, ApiError> {
        Ok(Self {
            transport: Transport::new(config, "token")?,
        })
    }

    pub fn base_url(&self) -> &str {
        self.transport.base_url()
    }

    /// The total timeout of one request.
    pub fn total_timeout(&self) -> std::time::Duration {
        self.transport.total_timeout()
    }

    /// Sends a raw request as written (see [`crate::core::op::raw`]).
    pub async fn raw(&self, raw: &crate::core::op::RawRequest) -> Call<crate::core::op::Output> {
        self.transport.raw(raw).await
    }

    /// The same client, with no request running past `deadline`.
    pub fn until(&self, deadline: tokio::time::Instant) -> Self {
        Self {
            transport: self.transport.until(deadline),
        }
    }

    pub async fn add(&self, patron: &PatronId, fields: &[ApiField]) -> Call<HiveOutcome> {
        let op = Op::HiveAdd {
            patron: patron.clone(),
            fields: fields.to_vec(),
        };
        self.call(HiveAction::Add, &op).await
    }

    pub async fn remove(&self, patron: &PatronId, fields: &[ApiField]) -> Call<HiveOutcome> {
        let op = Op::HiveRemove {
            patron: patron.clone(),
            fields: fields.to_vec(),
        };
        self.call(HiveAction::Remove, &op).await
    }

    /// Sends `op.request()` (a Hive add or remove) and reads the outcome.
    async fn call(&self, action: HiveAction, op: &Op) -> Call<HiveOutcome> {
        let (exchange, raw) = self.transport.send(&op.request()).await;
        let result = raw.and_then(|raw| {
            interpret(raw.status.as_u16(), &raw.body, raw.retry_after, |b| {
                HiveOutcome::parse(action, b).map(|o| o.confine_to(op))
            })
        });
        Call {
            exchanges: vec![exchange],
            result,
        }
    }
}
