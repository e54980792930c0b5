//! TLS for the API clients, paid for only when used.
//!
//! Building a client used to load and decode the system's root certificates (a few hundred
//! PEM files) every time — once per client, so twice per command, even for a plain-http
//! simulator on loopback. Now:
//! - a plain-http base URL gets a client with no roots at all (nothing is read);
//! - the first https base URL builds one TLS configuration (the system's roots, through the
//!   same platform verifier reqwest would use), which every later client of the process
//!   shares.
//!
//! The system store is kept rather than a bundled one (`webpki-roots`): a corporate root
//! installed on the machine, `SSL_CERT_FILE` and the OS's root updates keep working, and
//! the cost is paid once per process, by https commands only.

use std::sync::{Arc, OnceLock};

/// The process's TLS configuration for https base URLs: built on first use, then shared.
fn https_config() -> Result<rustls::ClientConfig, String> {
    static CONFIG: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    CONFIG.get_or_init(build_https).clone()
}

fn build_https() -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| format!("the system's root certificates could not be loaded: {e}"))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS could not be set up: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // reqwest is built without HTTP/2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Whether `base_url` needs TLS (anything but plain http does, so a typo never goes out in
/// clear by accident).
pub fn needs_tls(base_url: &str) -> bool {
    !base_url
        .trim_start()
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
}

/// Sets up TLS on a client for `base_url`: the shared configuration for https, no roots at
/// all for plain http (a redirect to https is then refused with a clear message).
pub fn configure(
    builder: reqwest::ClientBuilder,
    base_url: &str,
) -> Result<reqwest::ClientBuilder, String> {
    if needs_tls(base_url) {
        return Ok(builder.tls_backend_preconfigured(https_config()?));
    }
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.url().scheme() == "https" {
            attempt.error("redirected to an https URL: put the https URL in the profile's base_url")
        } else if attempt.previous().len() >= 10 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    });
    Ok(builder.tls_certs_only(std::iter::empty()).redirect(policy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_goes_without_tls() {
        assert!(!needs_tls("http://127.0.0.1:8787"));
        assert!(!needs_tls("HTTP://localhost"));
        assert!(needs_tls("https://api.hivemoderation.com"));
        assert!(needs_tls("ftp://x"));
        assert!(needs_tls("http"));
    }

    #[test]
    fn a_plain_http_client_needs_no_root_store() {
        let builder = configure(reqwest::Client::builder(), "http://127.0.0.1:9").unwrap();
        assert!(builder.build().is_ok());
    }
}
