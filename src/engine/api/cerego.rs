//! Cerego partner API (v3, JSON:API) client: partner user tags and the partner's users.
//! The requests are `Op::request()`'s; the answers are read by `core::op::cerego`.

use super::{Call, ClientConfig, Transport};
use crate::core::op::cerego::{CeregoTag, KeyOwner, TagsSet, UserList, UsersPage};
use crate::core::op::error::interpret;
use crate::core::op::{
    ApiError, CeregoUserId, Op, PartnerId, RequestSpec, TagId, TagSetting, TagTypeId, TagValue,
};

/// The Cerego client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct CeregoClient {
    transport: Transport,
    /// Users a listing asks for per page (`page[size]`); None: the server's default. The
    /// server may cap or ignore it: what came back is what is counted.
    page_size: Option<u32>,
}

impl CeregoClient {
    pub fn new(config: &ClientConfig) -> Result<Self, ApiError> {
        // The documented base URL ends in /v3/; paths below carry /v3 themselves.
        let mut config = config.clone();
        let trimmed = config.base_url.trim_end_matches('/');
        config.base_url = trimmed.strip_suffix("/v3").unwrap_or(trimmed).to_string();
        Ok(Self {
            transport: Transport::new(&config, "Bearer")?,
            page_size: None,
        })
    }

    /// The same client, asking listings for `size` users a page (None: the server's
    /// default).
    pub fn with_page_size(mut self, size: Option<u32>) -> Self {
        self.page_size = size;
        self
    }

    /// The page size listings ask for (None: the server's default).
    pub fn page_size(&self) -> Option<u32> {
        self.page_size
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
            page_size: self.page_size,
        }
    }

    pub async fn add_tag(
        &self,
        tag_type: &TagTypeId,
        user: &CeregoUserId,
        value: &TagValue,
    ) -> Call<CeregoTag> {
        let op = Op::CeregoAdd {
            user: user.clone(),
            tag_type: tag_type.clone(),
            value: value.clone(),
        };
        self.document(&op.request(), CeregoTag::parse_document)
            .await
    }

    pub async fn update_tag(&self, tag: &TagId, value: &TagValue) -> Call<CeregoTag> {
        let op = Op::CeregoUpdate {
            tag: tag.clone(),
            value: value.clone(),
        };
        self.document(&op.request(), CeregoTag::parse_document)
            .await
    }

    /// Sets tag values on a user (the set family, SPEC §1.6). The response is not
    /// documented: any success is one, and the tags are read when it lists them.
    pub async fn set_tags(&self, user: &CeregoUserId, tags: &[TagSetting]) -> Call<TagsSet> {
        let op = Op::CeregoSet {
            user: user.clone(),
            tags: tags.to_vec(),
        };
        self.document(&op.request(), |b| Ok(TagsSet::parse_lenient(b)))
            .await
    }

    pub async fn profile(&self) -> Call<KeyOwner> {
        self.document(&Op::CeregoProfile.request(), KeyOwner::parse)
            .await
    }

    /// One page (counting from 1) of the listing `listing` (an `Op::CeregoListUsers`: the
    /// partner, a look-up query, whether department users are included), of the client's
    /// page size when it has one.
    pub async fn users_page(&self, listing: &Op, page: u32) -> Call<UsersPage> {
        let mut spec = listing.page_request(page);
        if let Some(size) = self.page_size {
            // Before `page[number]`, as the server's own links write it.
            let at = spec.query.len().saturating_sub(1);
            spec.query
                .insert(at, ("page[size]".into(), size.to_string()));
        }
        self.document(&spec, UsersPage::parse).await
    }

    /// Every page of the partner's users. Follows `meta.total-pages`, or `links.next` when the
    /// server gives no page count, and stops at the first empty page. (The backend lists
    /// page by page itself, with retries and limits; this is the plain form.)
    pub async fn list_users(&self, partner: &PartnerId, query: Option<&str>) -> Call<UserList> {
        let listing = Op::CeregoListUsers {
            partner: partner.clone(),
            query: query.map(str::to_string),
            departments: false,
        };
        self.list_users_with(&listing, &|_, _| {}).await
    }

    /// [`Self::list_users`], calling `on_page(page, page_number)` as each page arrives so a
    /// console can show users while the rest are still loading.
    pub async fn list_users_with(
        &self,
        listing: &Op,
        on_page: &(dyn Fn(&UsersPage, u32) + Send + Sync),
    ) -> Call<UserList> {
        let mut exchanges = Vec::new();
        let mut list = UserList::default();
        let mut page = 1;
        loop {
            let call = self.users_page(listing, page).await;
            exchanges.extend(call.exchanges);
            let parsed = match call.result {
                Ok(p) => p,
                Err(e) => {
                    return Call {
                        exchanges,
                        result: Err(e),
                    };
                }
            };
            on_page(&parsed, page);
            list.pages_fetched = page;
            list.total_count = parsed.total_count.or(list.total_count);
            let empty = parsed.users.is_empty();
            list.listed += parsed.users.len() as u64;
            list.users.extend(parsed.users);
            let more = match parsed.total_pages {
                Some(total) => u64::from(page) < total && !empty,
                None => parsed.has_next_link && !empty,
            };
            match page.checked_add(1) {
                Some(next) if more => page = next,
                _ => break,
            }
        }
        Call {
            exchanges,
            result: Ok(list),
        }
    }

    async fn document<T>(
        &self,
        spec: &RequestSpec,
        parse: fn(&[u8]) -> Result<T, String>,
    ) -> Call<T> {
        let (exchange, raw) = self.transport.send(spec).await;
        let result =
            raw.and_then(|raw| interpret(raw.status.as_u16(), &raw.body, raw.retry_after, parse));
        Call {
            exchanges: vec![exchange],
            result,
        }
    }
}
