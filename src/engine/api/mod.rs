//! HTTP clients for the two services. What they send is `Op::request()` and what an answer
//! means is `core::op`'s; this is the wire in between.
//!
//! Both clients share one request path ([`http::Transport`]) that applies the timeouts, caps
//! the body size, records a redacted transcript of every exchange (for the inspector and the
//! journal) and turns every failure into an [`ApiError`] value. Nothing a server sends can
//! make them panic.

pub mod cerego;
pub mod hive;
mod http;
pub mod sim;
pub mod tls;

use std::time::Duration;

use secrecy::SecretString;

use crate::core::op::ApiError;
use crate::core::op::Exchange;
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

/// Whether `url`'s host is this machine (so plain http never leaves it): a profile may use
/// plain http to it, and the playground controls only a simulator there.
pub fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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
