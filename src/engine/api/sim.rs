//! The simulator's control API (`/_sim/…`), as the console's playground uses it: set up a
//! scenario, reset to the seed, read / add / clear fault rules. It answers loopback clients
//! only and needs no key, so none is sent.

use std::time::Duration;

use serde_json::Value;

use crate::core::playground::{Setup, SetupReply};

/// The control API of one simulator.
#[derive(Debug, Clone)]
pub struct SimControl {
    client: reqwest::Client,
    base: String,
}

/// How long a control call may take (they are local and small).
const CONTROL_TIMEOUT: Duration = Duration::from_secs(5);

impl SimControl {
    /// `base`: the simulator's base URL (a service's base URL in a profile pointed at it).
    /// Refused unless it is plain http on a loopback address: the playground changes the
    /// state of a simulator on this machine, never a real service.
    pub fn new(base: &str) -> Result<Self, String> {
        let url = reqwest::Url::parse(base).map_err(|e| format!("{base}: {e}"))?;
        if url.scheme() != "http" || !super::is_loopback(&url) {
            return Err(format!(
                "{base} is not a tagdesk simulator on this machine: the playground works in demo \
                 mode or on a profile pointed at `tagdesk sim`"
            ));
        }
        let builder = reqwest::Client::builder()
            .timeout(CONTROL_TIMEOUT)
            .connect_timeout(CONTROL_TIMEOUT);
        let client = super::tls::configure(builder, base)?
            .build()
            .map_err(|e| format!("could not set up the HTTP client: {e}"))?;
        let origin = format!(
            "{}://{}{}",
            url.scheme(),
            url.host_str().unwrap_or("127.0.0.1"),
            url.port().map(|p| format!(":{p}")).unwrap_or_default()
        );
        Ok(Self {
            client,
            base: origin,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let url = format!("{}/_sim/{path}", self.base);
        let mut request = self.client.request(method, &url);
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.map_err(|e| {
            format!(
                "the simulator's control API at {} did not answer: {e}",
                self.base
            )
        })?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| format!("the simulator's answer could not be read: {e}"))?;
        let value: Value = serde_json::from_str(&text).map_err(|_| {
            format!(
                "{} answered {status} without JSON: not a tagdesk simulator's control API",
                self.base
            )
        })?;
        if !status.is_success() {
            let why = value
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("no reason given");
            return Err(format!("the simulator refused: {status}: {why}"));
        }
        Ok(value)
    }

    pub async fn setup(&self, steps: &[Setup]) -> Result<SetupReply, String> {
        let body = serde_json::to_value(steps).map_err(|e| e.to_string())?;
        let value = self
            .call(reqwest::Method::POST, "setup", Some(body))
            .await?;
        serde_json::from_value(value).map_err(|e| format!("an unexpected setup answer: {e}"))
    }

    pub async fn reset(&self) -> Result<(), String> {
        self.call(reqwest::Method::POST, "reset", None)
            .await
            .map(|_| ())
    }

    /// The active fault rules, in their text form (`hive.add:503*1`).
    pub async fn faults(&self) -> Result<Vec<String>, String> {
        let value = self.call(reqwest::Method::GET, "faults", None).await?;
        Ok(fault_specs(&value))
    }

    pub async fn add_fault(&self, spec: &str) -> Result<Vec<String>, String> {
        let body = serde_json::json!({ "spec": spec });
        let value = self
            .call(reqwest::Method::POST, "faults", Some(body))
            .await?;
        Ok(fault_specs(&value))
    }

    pub async fn clear_faults(&self) -> Result<(), String> {
        self.call(reqwest::Method::DELETE, "faults", None)
            .await
            .map(|_| ())
    }
}

/// The rules of a faults answer as text.
fn fault_specs(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|rule| {
            serde_json::from_value::<crate::core::fault::FaultRule>(rule.clone())
                .ok()
                .map(|r| r.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_loopback_http_simulator_is_controlled() {
        assert!(SimControl::new("http://127.0.0.1:4000").is_ok());
        assert_eq!(
            SimControl::new("http://localhost:4000/v3/").unwrap().base(),
            "http://localhost:4000"
        );
        for base in [
            "https://127.0.0.1:4000",
            "http://api.hivemoderation.com",
            "http://10.0.0.5:4000",
            "not a url",
        ] {
            assert!(SimControl::new(base).is_err(), "{base}");
        }
    }
}
