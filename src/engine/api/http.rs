//! The request path both clients share.

use std::error::Error as _;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;

use super::{Call, ClientConfig, MAX_BODY_BYTES, join_url};
use crate::core::op::outcome::interpret_raw;
use crate::core::op::raw::WRONG_KEY;
use crate::core::op::request::{self, RequestSpec};
use crate::core::op::{ApiError, Exchange, Output, RawRequest};

/// A response that arrived whole, before any interpretation.
#[derive(Debug)]
pub struct RawResponse {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// Response bodies longer than this are kept in a transcript as their first part and a
/// note of the full size (a page of a large user list can be megabytes).
pub const MAX_TRANSCRIPT_BODY_BYTES: usize = 256 * 1024;

/// A configured HTTP client for one service.
#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
    base_url: String,
    auth: HeaderValue,
    /// The scheme word, for a raw request's deliberately wrong key.
    scheme: &'static str,
    total_timeout: Duration,
    /// No request may run past this instant (the retry budget of the operation).
    deadline: Option<tokio::time::Instant>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// `scheme` is the word before the key in the Authorization header (`Bearer`, `token`).
    pub fn new(config: &ClientConfig, scheme: &'static str) -> Result<Self, ApiError> {
        let builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.total_timeout)
            .user_agent(concat!("tagdesk/", env!("CARGO_PKG_VERSION")));
        let client = super::tls::configure(builder, &config.base_url)
            .map_err(|message| ApiError::Local {
                message: format!("could not set up the HTTP client: {message}"),
            })?
            .build()
            .map_err(|e| ApiError::Local {
                message: format!("could not set up the HTTP client: {}", error_chain(&e)),
            })?;
        let mut auth =
            HeaderValue::from_str(&format!("{scheme} {}", config.api_key.expose_secret()))
                .map_err(|_| ApiError::Local {
                    message: "the API key contains characters that cannot be sent in an HTTP \
                              header"
                        .into(),
                })?;
        auth.set_sensitive(true);
        Ok(Self {
            client,
            base_url: config.base_url.clone(),
            auth,
            scheme,
            total_timeout: config.total_timeout,
            deadline: None,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn total_timeout(&self) -> Duration {
        self.total_timeout
    }

    /// The same transport, with no request running past `deadline`.
    pub fn until(&self, deadline: tokio::time::Instant) -> Self {
        Self {
            deadline: Some(deadline),
            ..self.clone()
        }
    }

    /// The same transport, sending a wrong key instead of the profile's (a raw request's
    /// wrong-key scenario): [`WRONG_KEY`] and a fresh random suffix — made up, never derived
    /// from the profile's key, and never written anywhere.
    pub fn with_wrong_key(&self) -> Self {
        let mut other = self.clone();
        let wrong = format!("{} {WRONG_KEY}-{:016x}", self.scheme, fastrand::u64(..));
        if let Ok(mut v) = HeaderValue::from_str(&wrong)
            && v != self.auth
        {
            v.set_sensitive(true);
            other.auth = v;
        }
        other
    }

    /// Sends a raw request as written and reads its answer the way the Op with the same
    /// endpoint would be read.
    pub async fn raw(&self, raw: &RawRequest) -> Call<Output> {
        let transport = if raw.wrong_key {
            self.with_wrong_key()
        } else {
            self.clone()
        };
        let (exchange, response) = transport.send(&raw.spec()).await;
        let result = response
            .and_then(|r| interpret_raw(raw.endpoint(), r.status.as_u16(), &r.body, r.retry_after));
        Call {
            exchanges: vec![exchange],
            result,
        }
    }

    /// Sends one request and returns the transcript plus the raw response (any status).
    pub async fn send(&self, spec: &RequestSpec) -> (Exchange, Result<RawResponse, ApiError>) {
        let started = Instant::now();
        let method = match spec.method {
            request::Method::Get => Method::GET,
            request::Method::Post => Method::POST,
            request::Method::Put => Method::PUT,
        };
        let query = spec.query.as_slice();
        let body = spec.body.as_ref();
        let url = join_url(&self.base_url, &spec.path);
        let mut shown_url = url.clone();
        let mut request = self
            .client
            .request(method.clone(), &url)
            .header(AUTHORIZATION, self.auth.clone())
            .header(ACCEPT, "application/json");
        if !query.is_empty() {
            request = request.query(query);
            if let Ok(u) = reqwest::Url::parse_with_params(&url, query) {
                shown_url = u.to_string();
            }
        }
        let request_body = body.map(|b| b.to_string());
        if let Some(b) = &request_body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(b.clone());
        }
        // The total timeout, cut short by the operation's deadline (the retry budget bounds
        // the last attempt too).
        let allowed = match self.deadline {
            Some(d) => self
                .total_timeout
                .min(d.saturating_duration_since(tokio::time::Instant::now())),
            None => self.total_timeout,
        };
        let ms = allowed.as_millis() as u64;
        let result = if allowed.is_zero() {
            Err(ApiError::Timeout { ms })
        } else {
            // reqwest enforces the timeout; the outer guard makes sure nothing can outlive it
            // even if a body stream stalls in an unexpected way.
            let request = request.timeout(allowed);
            let guard = allowed + Duration::from_millis(250);
            match tokio::time::timeout(guard, self.exchange(request)).await {
                Ok(r) => r,
                Err(_) => Err(ApiError::Timeout { ms }),
            }
        };
        let result = result.map_err(|e| match e {
            ApiError::Timeout { .. } => ApiError::Timeout { ms },
            other => other,
        });
        let exchange = Exchange {
            method: method.to_string(),
            url: shown_url,
            request_body,
            status: result.as_ref().ok().map(|r| r.status.as_u16()),
            response_body: result.as_ref().ok().map(|r| transcript_body(&r.body)),
            duration_ms: started.elapsed().as_millis() as u64,
        };
        (exchange, result)
    }

    async fn exchange(&self, request: reqwest::RequestBuilder) -> Result<RawResponse, ApiError> {
        let mut response = request.send().await.map_err(classify)?;
        let status = response.status();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(CONTENT_TYPE);
        let retry_after = header(RETRY_AFTER);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(ApiError::Decode {
                    status: status.as_u16(),
                    message: format!("the body is larger than {} MiB", MAX_BODY_BYTES >> 20),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            content_type,
            retry_after,
            body,
        })
    }
}

/// A response body as a transcript keeps it: whole up to [`MAX_TRANSCRIPT_BODY_BYTES`],
/// else its first part (cut at a character boundary) and a note of the full size.
pub fn transcript_body(body: &[u8]) -> String {
    if body.len() <= MAX_TRANSCRIPT_BODY_BYTES {
        return String::from_utf8_lossy(body).into_owned();
    }
    let mut cut = MAX_TRANSCRIPT_BODY_BYTES;
    // Back up to the start of a UTF-8 character (at most 3 continuation bytes).
    while cut > 0 && (body[cut] & 0b1100_0000) == 0b1000_0000 {
        cut -= 1;
    }
    format!(
        "{}… [{} bytes in all; the first {cut} are kept]",
        String::from_utf8_lossy(&body[..cut]),
        body.len()
    )
}

/// Maps a reqwest error to a typed error with a readable message (its whole source chain).
fn classify(e: reqwest::Error) -> ApiError {
    // A connect timeout means the request provably never left: say so, rather than
    // reporting it as a request that timed out after being sent.
    if e.is_connect() {
        return ApiError::Network {
            message: error_chain(&e),
            connect: true,
        };
    }
    if e.is_timeout() {
        return ApiError::Timeout { ms: 0 };
    }
    ApiError::Network {
        message: error_chain(&e),
        connect: e.is_connect(),
    }
}

fn error_chain(e: &reqwest::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}
