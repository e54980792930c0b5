//! Why a request did not produce the expected result, and the transcript of an exchange —
//! the values every layer (clients, journal, console, CLI) shares.

use serde::{Deserialize, Serialize};

use super::Service;
pub use super::error_message::{extract_error_message, reason};

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
    /// The service has no client in this profile (no key, or its key could not be
    /// resolved): nothing was sent. Never retried — waiting does not configure it.
    #[error("{} is not configured for this profile: nothing was sent", .service.name())]
    NotConfigured { service: Service },
    /// The intent of a change could not be written to the journal, so the change was not
    /// sent (tagdesk never sends what it could not record). Never retried.
    #[error("not sent: the journal could not be written: {reason}")]
    JournalUnwritable { reason: String },
    /// tagdesk itself could not send the request for another local reason (a client that
    /// could not be built): nothing reached the network. Never retried.
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
    /// Whether tagdesk stopped the request itself, before anything reached the network.
    pub fn is_local(&self) -> bool {
        match self {
            ApiError::NotConfigured { .. }
            | ApiError::JournalUnwritable { .. }
            | ApiError::Local { .. } => true,
            ApiError::Network { .. }
            | ApiError::Timeout { .. }
            | ApiError::Http { .. }
            | ApiError::Decode { .. } => false,
        }
    }

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
    fn local_failures_read_as_what_happened() {
        let e = ApiError::NotConfigured {
            service: Service::Hive,
        };
        assert_eq!(
            e.to_string(),
            "Hive is not configured for this profile: nothing was sent"
        );
        let e = ApiError::JournalUnwritable {
            reason: "disk full".into(),
        };
        assert_eq!(
            e.to_string(),
            "not sent: the journal could not be written: disk full"
        );
        assert!(e.is_local());
        assert!(!ApiError::Timeout { ms: 1 }.is_local());
    }
}
