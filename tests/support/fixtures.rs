//! Shared fixtures: valid values written once, and replies built the way the backend
//! builds them (so a test can feed the console any status and body).

use chrono::{DateTime, Utc};

use tagdesk::core::domain::{ApiField, PartnerId, PatronId};
use tagdesk::core::op::{self, Op};
use tagdesk::engine::backend::{Reply, Request};
use tagdesk::engine::exec::PageProgress;
use tagdesk::sim::seed::Seed;

/// A valid patron id.
pub fn patron(s: &str) -> PatronId {
    PatronId::parse(s).expect("valid patron id")
}

/// Valid api_fields.
pub fn fields(list: &[&str]) -> Vec<ApiField> {
    list.iter()
        .map(|f| ApiField::parse(f).expect("valid api_field"))
        .collect()
}

/// The demo seed's partner.
pub fn partner() -> PartnerId {
    PartnerId::parse("4242").expect("valid partner id")
}

/// The reply the backend gives when the server answered `request` with `status` and
/// `body` (read by the clients' own parsers), finished at `at`.
pub fn reply_with(request: &Request, status: u16, body: &[u8], at: DateTime<Utc>) -> Reply {
    Reply {
        id: request.id,
        op: request.op.clone(),
        exchanges: Vec::new(),
        retries: Vec::new(),
        result: op::interpret(&request.op, status, body),
        finished_at: at,
        journal_error: None,
    }
}

/// Page `page` (from 1) of the seed's partner listing, as the backend reports it while the
/// rest still loads.
pub fn reply_page(seed: &Seed, page: u32) -> PageProgress {
    let model = tagdesk::sim::Model::new(seed);
    let listing = Op::CeregoListUsers {
        partner: seed.cerego.partner_id.clone(),
        query: None,
        departments: false,
    };
    let (_, body) = model.clone().serve(&listing.page_request(page));
    let parsed = tagdesk::core::op::cerego::UsersPage::parse(body.to_string().as_bytes())
        .expect("the simulator's page reads");
    PageProgress {
        listed: parsed.users.len() as u64,
        users: parsed.users,
        page,
        total_pages: parsed.total_pages,
        total_count: parsed.total_count,
    }
}
