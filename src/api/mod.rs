//! HTTP clients for the two services, their typed errors, and Hive outcome classification.
//!
//! Both clients share one request path ([`http::Transport`]) that applies the timeouts, caps
//! the body size, records a redacted transcript of every exchange (for the inspector and the
//! journal) and turns every failure into an [`ApiError`] value. Nothing a server sends can
//! make them panic.

pub mod cerego;
mod errors;
pub mod hive;
mod http;
pub mod outcome;

use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

pub use errors::extract_error_message;
pub use http::Transport;

/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default time allowed for a whole request, body included.
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(20);
/// Bodies larger than this are refused rather than buffered.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Where and how to reach one service.
#[derive(Clone)]
pub struct ClientConfig {
    /// e.g. `https://partners.cerego.com` or `https://api.hivemoderation.com`; any trailing
    /// `/v3` or `/` is tolerated.
    pub base_url: String,
    pub api_key: SecretString,
    pub connect_timeout: Duration,
    pub total_timeout: Duration,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"[redacted]")
            .field("connect_timeout", &self.connect_timeout)
            .field("total_timeout", &self.total_timeout)
            .finish()
    }
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            api_key: SecretString::from(api_key.into()),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
        }
    }

    pub fn with_timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.connect_timeout = connect;
        self.total_timeout = total;
        self
    }
}

/// One HTTP exchange as the operator may see it: the authorization header is never recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    pub method: String,
    pub url: String,
    /// The JSON body sent, if any.
    pub request_body: Option<String>,
    /// The status received, if a response arrived at all.
    pub status: Option<u16>,
    /// The body received (lossily decoded as UTF-8), if any.
    pub response_body: Option<String>,
    pub duration_ms: u64,
}

/// Why a request did not produce the expected result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiError {
    /// The server could not be reached. `connect` is true when the connection was never
    /// established, so the request provably was not sent; false when it failed after the
    /// request may have reached the server.
    #[error("{}", network_line(*.connect, .message))]
    Network { message: String, connect: bool },
    /// No complete answer within the configured time (the request may have been carried
    /// out).
    #[error("no answer within {:.1} s (the request may have been carried out)", *.ms as f64 / 1000.0)]
    Timeout { ms: u64 },
    /// tagdesk itself could not send the request (the service is not configured, the
    /// journal could not be written): nothing reached the network.
    #[error("{message}")]
    Local { message: String },
    /// The server answered with an error status.
    #[error("{}", http_error_line(*.status, .code.as_deref(), .message))]
    Http {
        status: u16,
        code: Option<String>,
        message: String,
        retry_after: Option<String>,
    },
    /// The server answered, but the body could not be understood.
    #[error("HTTP {status}: the response could not be read: {message}")]
    Decode { status: u16, message: String },
}

fn network_line(connect: bool, message: &str) -> String {
    if connect {
        format!("could not reach the server: {message}")
    } else {
        format!(
            "the connection failed after the request was sent, so it may have been carried \
             out: {message}"
        )
    }
}

fn http_error_line(status: u16, code: Option<&str>, message: &str) -> String {
    match code {
        Some(code) => format!("HTTP {status} {code}: {message}"),
        None => format!("HTTP {status}: {message}"),
    }
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } | ApiError::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Http { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// The result of one client call together with every exchange it took (a user list may take
/// several pages). The exchanges are kept even when the call failed, so the inspector can
/// show exactly what went over the wire.
#[derive(Debug, Clone)]
pub struct Call<T> {
    pub exchanges: Vec<Exchange>,
    pub result: Result<T, ApiError>,
}

impl<T> Call<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Call<U> {
        Call {
            exchanges: self.exchanges,
            result: self.result.map(f),
        }
    }
}

/// Turns a whole response into a value or a typed error: a status outside 2xx becomes
/// [`ApiError::Http`] with the best message the body offers; a 2xx body that `parse` cannot
/// read becomes [`ApiError::Decode`]. Pure, so the console's tests and the fuzzers use it too.
pub fn interpret<T>(
    status: u16,
    body: &[u8],
    retry_after: Option<String>,
    parse: impl FnOnce(&[u8]) -> Result<T, String>,
) -> Result<T, ApiError> {
    if !(200..300).contains(&status) {
        let (code, message) = extract_error_message(status, body);
        return Err(ApiError::Http {
            status,
            code,
            message,
            retry_after,
        });
    }
    parse(body).map_err(|message| ApiError::Decode { status, message })
}

/// Joins a base URL and a path, tolerating a trailing slash on the base.
pub fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_well() {
        let e = ApiError::Http {
            status: 400,
            code: Some("INVALID_PATRON".into()),
            message: "No patron matches the provided patron_id.".into(),
            retry_after: None,
        };
        assert_eq!(
            e.to_string(),
            "HTTP 400 INVALID_PATRON: No patron matches the provided patron_id."
        );
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.code(), Some("INVALID_PATRON"));
        let t = ApiError::Timeout { ms: 2000 };
        assert_eq!(
            t.to_string(),
            "no answer within 2.0 s (the request may have been carried out)"
        );
        let sent = ApiError::Network {
            message: "connection reset".into(),
            connect: false,
        };
        assert!(sent.to_string().contains("may have been carried out"));
    }

    #[test]
    fn config_debug_hides_the_key() {
        let c = ClientConfig::new("http://x", "super-secret-key");
        assert!(!format!("{c:?}").contains("super-secret-key"));
    }

    #[test]
    fn join_url_tolerates_slashes() {
        assert_eq!(join_url("http://h/", "/v3/x"), "http://h/v3/x");
        assert_eq!(join_url("http://h", "v3/x"), "http://h/v3/x");
    }
}
