//! Configuration: profiles, key sources, paths.
//!
//! The file is TOML (see `assets/config.template.toml`). A profile names the two services'
//! base URLs, the Cerego partner and tag types, the Hive tag catalogue, and where each API
//! key comes from. Keys are resolved once, into `secrecy` secrets, and never printed.
//!
//! Bad configuration is reported with the file, the line and what is wrong, and nothing
//! falls back to a silent default. A key that cannot be *resolved* (a variable not set, a
//! command that fails) is not bad configuration: that service is shown as not configured,
//! with the reason, and the other service still works.
//!
//! Submodules: `keys` (key sources and `api_key_cmd`), `lines` (where a key is in the file).

pub mod bindings;
pub mod colour;
pub mod keys;
pub mod lines;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::core::domain::{HiveTag, PartnerId, TagType};
use crate::core::op::Service;
pub use keys::KeySource;
use lines::error_at;

pub const DEFAULT_CEREGO_URL: &str = "https://partners.cerego.com";
pub const DEFAULT_HIVE_URL: &str = "https://api.hivemoderation.com";
/// The commented template `tagdesk config init` writes.
pub const TEMPLATE: &str = include_str!("../../assets/config.template.toml");

/// Environment variables that override the file.
pub const ENV_PROFILE: &str = "TAGDESK_PROFILE";
pub const ENV_HIVE_KEY: &str = "TAGDESK_HIVE_API_KEY";
pub const ENV_CEREGO_KEY: &str = "TAGDESK_CEREGO_API_KEY";
pub const ENV_HIVE_URL: &str = "TAGDESK_HIVE_URL";
pub const ENV_CEREGO_URL: &str = "TAGDESK_CEREGO_URL";
pub const ENV_CEREGO_PARTNER: &str = "TAGDESK_CEREGO_PARTNER_ID";
pub const ENV_DATA_DIR: &str = "TAGDESK_DATA_DIR";
pub const ENV_CONFIG: &str = "TAGDESK_CONFIG";
/// The name of the profile made from `TAGDESK_*` variables alone (no file).
pub const ENV_PROFILE_NAME: &str = "env";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub default_profile: Option<String>,
    #[serde(default)]
    pub timeouts: Timeouts,
    #[serde(default)]
    pub retries: Retries,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub journal: JournalSettings,
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// Console key overrides: action name → keys (see the README, Keys).
    #[serde(default)]
    pub keys: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeouts {
    /// Seconds to open a connection.
    #[serde(default = "default_connect")]
    pub connect: f64,
    /// Seconds for a whole request.
    #[serde(default = "default_total")]
    pub total: f64,
}

fn default_connect() -> f64 {
    5.0
}
fn default_total() -> f64 {
    20.0
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: default_connect(),
            total: default_total(),
        }
    }
}

/// How transient failures are retried (see `src/retry.rs`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retries {
    /// Attempts in all, the first included (1 = never retry).
    #[serde(default = "default_attempts")]
    pub attempts: u32,
    /// Seconds the whole operation may take, retries and the last attempt included.
    #[serde(default = "default_budget")]
    pub budget: f64,
    /// The longest single wait, in seconds (a longer Retry-After is not waited for).
    #[serde(default = "default_max_wait")]
    pub max_wait: f64,
}

fn default_attempts() -> u32 {
    4
}
fn default_budget() -> f64 {
    45.0
}
fn default_max_wait() -> f64 {
    10.0
}

impl Default for Retries {
    fn default() -> Self {
        Self {
            attempts: default_attempts(),
            budget: default_budget(),
            max_wait: default_max_wait(),
        }
    }
}

impl Retries {
    pub fn policy(&self) -> crate::engine::retry::RetryPolicy {
        crate::engine::retry::RetryPolicy {
            max_attempts: self.attempts,
            max_wait: Duration::from_secs_f64(self.max_wait),
            budget: Duration::from_secs_f64(self.budget),
            ..crate::engine::retry::RetryPolicy::default()
        }
    }
}

/// Bounds on what one listing of a partner's users may hold (`[limits]`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Users one listing reads at most.
    #[serde(default = "default_max_users")]
    pub max_users: u64,
    /// MiB of responses one listing reads at most.
    #[serde(default = "default_max_list_mib")]
    pub max_list_mib: u64,
}

fn default_max_users() -> u64 {
    crate::engine::exec::DEFAULT_MAX_USERS
}
fn default_max_list_mib() -> u64 {
    crate::engine::exec::DEFAULT_MAX_LIST_BYTES >> 20
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_users: default_max_users(),
            max_list_mib: default_max_list_mib(),
        }
    }
}

impl Limits {
    pub fn list_limits(&self) -> crate::engine::exec::ListLimits {
        crate::engine::exec::ListLimits {
            max_users: self.max_users,
            max_bytes: self.max_list_mib.saturating_mul(1024 * 1024),
        }
    }
}

/// The journal's rotation (`[journal]`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalSettings {
    /// Rotate the active journal file once it reaches this many MiB.
    #[serde(default = "default_rotate_mib")]
    pub rotate_mib: u64,
}

fn default_rotate_mib() -> u64 {
    crate::engine::journal::DEFAULT_ROTATE_BYTES >> 20
}

impl Default for JournalSettings {
    fn default() -> Self {
        Self {
            rotate_mib: default_rotate_mib(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub confirm: bool,
    pub color: Option<String>,
    /// Allow `http://` base URLs of hosts other than this machine (the key then crosses
    /// the network in clear).
    #[serde(default)]
    pub allow_insecure_http: bool,
    pub cerego: Option<CeregoConfig>,
    pub hive: Option<HiveConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CeregoConfig {
    #[serde(default = "default_cerego_url")]
    pub base_url: String,
    pub partner_id: PartnerId,
    #[serde(default)]
    pub tag_types: Vec<TagType>,
    #[serde(flatten)]
    pub key: KeySource,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HiveConfig {
    #[serde(default = "default_hive_url")]
    pub base_url: String,
    #[serde(default)]
    pub tags: Vec<HiveTag>,
    #[serde(flatten)]
    pub key: KeySource,
}

fn default_cerego_url() -> String {
    DEFAULT_CEREGO_URL.into()
}
fn default_hive_url() -> String {
    DEFAULT_HIVE_URL.into()
}

/// Configuration that cannot be used, said so that the operator can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// A resolved service: URL, key, and what the console needs to know about the account.
#[derive(Clone)]
pub struct CeregoProfile {
    pub base_url: String,
    pub partner_id: PartnerId,
    pub tag_types: Vec<TagType>,
    pub key: SecretString,
}

#[derive(Clone)]
pub struct HiveProfile {
    pub base_url: String,
    pub tags: Vec<HiveTag>,
    pub key: SecretString,
}

/// Why a service of a profile cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub service: Service,
    /// The profile has a section for the service, but its key could not be resolved
    /// (a failure to report); false when the profile simply does not use the service.
    pub configured: bool,
    pub reason: String,
}

impl Unavailable {
    /// The profile has a section for `service` but its key could not be resolved.
    pub fn failed(service: Service, reason: String) -> Self {
        Self {
            service,
            configured: true,
            reason: format!("{}: {reason}", service.name()),
        }
    }

    /// The profile has no section for `service`.
    pub fn absent(service: Service, profile: &str) -> Self {
        Self {
            service,
            configured: false,
            reason: format!("{} is not configured in profile {profile}", service.name()),
        }
    }
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Everything a session needs from the configuration, keys resolved.
#[derive(Clone)]
pub struct Profile {
    pub name: String,
    /// Talking to the embedded simulator.
    pub demo: bool,
    pub read_only: bool,
    pub confirm: bool,
    /// The header colour (a ratatui colour name or #rrggbb).
    pub color: String,
    pub cerego: Option<CeregoProfile>,
    pub hive: Option<HiveProfile>,
    /// Why a service is not available in this profile (shown instead of its data).
    pub unavailable: Vec<Unavailable>,
    pub warnings: Vec<String>,
    pub connect_timeout: Duration,
    pub total_timeout: Duration,
    pub retry: crate::engine::retry::RetryPolicy,
    pub limits: crate::engine::exec::ListLimits,
    pub journal_rotate_bytes: u64,
    /// Console key overrides from the file's `[keys]` (already checked).
    pub keys: BTreeMap<String, Vec<String>>,
    /// The file the profile came from, if any.
    pub source: Option<PathBuf>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("demo", &self.demo)
            .field("read_only", &self.read_only)
            .field("confirm", &self.confirm)
            .field("cerego", &self.cerego.as_ref().map(|c| &c.base_url))
            .field("hive", &self.hive.as_ref().map(|h| &h.base_url))
            .field("unavailable", &self.unavailable)
            .finish_non_exhaustive()
    }
}

impl Profile {
    /// Every key this profile holds, for redaction.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(c) = &self.cerego {
            out.push(c.key.expose_secret().to_string());
        }
        if let Some(h) = &self.hive {
            out.push(h.key.expose_secret().to_string());
        }
        out.retain(|s| !s.is_empty());
        out
    }

    /// Why `service` cannot be used, if it cannot.
    pub fn unavailable(&self, service: Service) -> Option<&Unavailable> {
        self.unavailable.iter().find(|u| u.service == service)
    }

    /// Where commands of this profile run (for the equivalent command lines).
    pub fn place(&self) -> crate::core::op::Place {
        crate::core::op::Place::of(&self.name, self.demo)
    }

    /// A demo profile pointing at a simulator at `base_url` with its keys, for a partner
    /// with these tag types and a Hive application with this catalogue (the simulator's
    /// seed says which: `sim::seed::Seed::demo_profile`).
    pub fn demo(
        base_url: &str,
        keys: DemoKeys<'_>,
        partner_id: PartnerId,
        tag_types: Vec<TagType>,
        hive_tags: Vec<HiveTag>,
    ) -> Self {
        Self {
            name: "demo".into(),
            demo: true,
            read_only: false,
            confirm: false,
            color: "yellow".into(),
            cerego: Some(CeregoProfile {
                base_url: base_url.into(),
                partner_id,
                tag_types,
                key: SecretString::from(keys.cerego.to_string()),
            }),
            hive: Some(HiveProfile {
                base_url: base_url.into(),
                tags: hive_tags,
                key: SecretString::from(keys.hive.to_string()),
            }),
            unavailable: Vec::new(),
            warnings: Vec::new(),
            connect_timeout: crate::engine::api::DEFAULT_CONNECT_TIMEOUT,
            total_timeout: crate::engine::api::DEFAULT_TOTAL_TIMEOUT,
            retry: crate::engine::retry::RetryPolicy::default(),
            limits: crate::engine::exec::ListLimits::default(),
            journal_rotate_bytes: crate::engine::journal::DEFAULT_ROTATE_BYTES,
            keys: BTreeMap::new(),
            source: None,
        }
    }
}

/// The keys a demo profile's simulator accepts.
#[derive(Debug, Clone, Copy)]
pub struct DemoKeys<'a> {
    pub hive: &'a str,
    pub cerego: &'a str,
}

/// Where tagdesk keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// The platform directories (e.g. `~/.config/tagdesk`, `~/.local/share/tagdesk`), with
    /// `--config`, `TAGDESK_CONFIG` and `TAGDESK_DATA_DIR` taking precedence.
    pub fn resolve(config_flag: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Self {
        let dirs = directories::ProjectDirs::from("", "", "tagdesk");
        let config_file = config_flag
            .map(Path::to_path_buf)
            .or_else(|| env(ENV_CONFIG).filter(|s| !s.is_empty()).map(PathBuf::from))
            .or_else(|| dirs.as_ref().map(|d| d.config_dir().join("config.toml")))
            .unwrap_or_else(|| PathBuf::from("tagdesk.toml"));
        let data_dir = env(ENV_DATA_DIR)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .or_else(|| dirs.as_ref().map(|d| d.data_dir().to_path_buf()))
            .unwrap_or_else(|| PathBuf::from(".tagdesk"));
        Self {
            config_file,
            data_dir,
        }
    }
}

/// Parses a configuration file's text and checks everything that can be checked without
/// the environment. Every error names the file and, where it can, the line.
pub fn parse(text: &str, path: &Path) -> Result<FileConfig, ConfigError> {
    let config: FileConfig = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_string();
        match e.span() {
            Some(span) => {
                let (line, col) = lines::line_col(text, span.start);
                ConfigError(format!("{}:{line}:{col}: {message}", path.display()))
            }
            None => ConfigError(format!("{}: {message}", path.display())),
        }
    })?;
    let at = |keys: &[&str], message: String| error_at(path, text, keys, message);
    if !(config.timeouts.connect > 0.0 && config.timeouts.connect <= 600.0) {
        return Err(at(
            &["timeouts", "connect"],
            "timeouts.connect must be between 0 and 600 seconds".into(),
        ));
    }
    if !(config.timeouts.total > 0.0 && config.timeouts.total <= 3600.0) {
        return Err(at(
            &["timeouts", "total"],
            "timeouts.total must be between 0 and 3600 seconds".into(),
        ));
    }
    if let Err(e) = bindings::Bindings::with_overrides(&config.keys) {
        // Point at the action the message names, or at [keys].
        let named = config.keys.keys().find(|name| {
            e.contains(&format!("\"{name}\""))
                || e.starts_with(&format!("{name}:"))
                || e.ends_with(&format!(" {name}"))
                || e.contains(&format!(" {name} "))
        });
        let mut keys = vec!["keys"];
        if let Some(n) = named {
            keys.push(n.as_str());
        }
        return Err(at(&keys, format!("[keys] {e}")));
    }
    let r = &config.retries;
    let sane = (1..=10).contains(&r.attempts)
        && (0.0..=3600.0).contains(&r.budget)
        && (0.0..=600.0).contains(&r.max_wait);
    if !sane {
        return Err(at(
            &["retries"],
            "retries: attempts must be 1 to 10, budget 0 to 3600 s, max_wait 0 to 600 s".into(),
        ));
    }
    if config.limits.max_users == 0 || config.limits.max_list_mib == 0 {
        return Err(at(
            &["limits"],
            "limits: max_users and max_list_mib must be at least 1".into(),
        ));
    }
    if config.journal.rotate_mib == 0 {
        return Err(at(
            &["journal", "rotate_mib"],
            "journal.rotate_mib must be at least 1".into(),
        ));
    }
    if let Some(d) = &config.default_profile
        && !config.profiles.contains_key(d)
    {
        return Err(at(
            &["default_profile"],
            format!(
                "default_profile \"{d}\" is not one of the profiles ({})",
                profile_names(&config)
            ),
        ));
    }
    for (name, p) in &config.profiles {
        if let Some(color) = &p.color
            && colour::Colour::parse(color).is_none()
        {
            return Err(at(
                &["profiles", name, "color"],
                format!(
                    "profile {name}: color \"{color}\" is not a colour name (red, green, …) or #rrggbb"
                ),
            ));
        }
        let services: [(&str, Option<(&String, &KeySource)>); 2] = [
            ("cerego", p.cerego.as_ref().map(|c| (&c.base_url, &c.key))),
            ("hive", p.hive.as_ref().map(|h| (&h.base_url, &h.key))),
        ];
        for (service, found) in services {
            let Some((url, key)) = found else { continue };
            let given = key.given();
            if given.len() > 1 {
                // Point at the source written last: the one that made it two.
                let last = given
                    .iter()
                    .max_by_key(|k| {
                        lines::span_of(text, &["profiles", name, service, k])
                            .map(|s| s.start)
                            .unwrap_or(0)
                    })
                    .copied()
                    .unwrap_or(given[1]);
                return Err(at(
                    &["profiles", name, service, last],
                    format!(
                        "profile {name}, {service}: give one of api_key_env, api_key_cmd and api_key, not {} ({})",
                        given.len(),
                        given.join(" and ")
                    ),
                ));
            }
            if let Err(e) = check_url(url, p.allow_insecure_http, name) {
                return Err(at(
                    &["profiles", name, service, "base_url"],
                    format!("profile {name}, {service}: {e}"),
                ));
            }
        }
    }
    Ok(config)
}

fn profile_names(config: &FileConfig) -> String {
    if config.profiles.is_empty() {
        return "none defined".into();
    }
    config
        .profiles
        .keys()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the configuration file, if there is one. `Ok(None)` when it does not exist. The
/// path must name a regular file of at most [`crate::engine::fs::MAX_CONFIG_BYTES`].
pub fn load(path: &Path) -> Result<Option<(FileConfig, String)>, ConfigError> {
    use crate::engine::fs::{MAX_CONFIG_BYTES, ReadError, read_text};
    match read_text(path, MAX_CONFIG_BYTES) {
        Ok(text) => Ok(Some((parse(&text, path)?, text))),
        Err(ReadError::NotFound) => Ok(None),
        Err(e) => Err(ConfigError(format!(
            "{}: the configuration {e}",
            path.display()
        ))),
    }
}

/// Which profile to use: `--profile`, then `TAGDESK_PROFILE`, then the file's default, then
/// the only profile if there is just one.
pub fn choose_profile(
    config: &FileConfig,
    flag: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    path: &Path,
) -> Result<String, ConfigError> {
    let (name, from) = if let Some(f) = flag {
        (f.to_string(), "--profile")
    } else if let Some(e) = env(ENV_PROFILE).filter(|s| !s.is_empty()) {
        (e, ENV_PROFILE)
    } else if let Some(d) = &config.default_profile {
        (d.clone(), "default_profile")
    } else if config.profiles.len() == 1 {
        let only = config.profiles.keys().next().cloned().unwrap_or_default();
        (only, "the only profile")
    } else {
        return Err(ConfigError(format!(
            "{}: several profiles ({}) and none chosen: pass --profile NAME, set {ENV_PROFILE}, or set default_profile",
            path.display(),
            profile_names(config)
        )));
    };
    if !config.profiles.contains_key(&name) {
        return Err(ConfigError(format!(
            "profile \"{name}\" (from {from}) is not in {}; profiles: {}",
            path.display(),
            profile_names(config)
        )));
    }
    Ok(name)
}

/// Whether `url`'s host is this machine (so plain http never leaves it).
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

/// Checks a base URL: http or https, and http only to this machine unless the profile
/// allows it (the key would cross the network in clear).
fn check_url(url: &str, allow_insecure_http: bool, profile: &str) -> Result<String, String> {
    match reqwest::Url::parse(url) {
        Ok(u) if u.scheme() == "https" => Ok(url.trim_end_matches('/').to_string()),
        Ok(u) if u.scheme() == "http" => {
            if is_loopback(&u) || allow_insecure_http {
                Ok(url.trim_end_matches('/').to_string())
            } else {
                Err(format!(
                    "base_url \"{url}\" is plain http to another machine: the API key would \
                     cross the network in clear. Use https, or set allow_insecure_http = true in \
                     [profiles.{profile}] for a host you trust"
                ))
            }
        }
        Ok(u) => Err(format!(
            "base_url \"{url}\" must be http or https, not {}",
            u.scheme()
        )),
        Err(e) => Err(format!("base_url \"{url}\" is not a URL: {e}")),
    }
}

/// Which key sources of a profile run a command (the console says so while they run).
pub fn key_commands(config: &FileConfig, name: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if let Some(p) = config.profiles.get(name) {
        if p.cerego.as_ref().is_some_and(|c| c.key.runs_command()) {
            out.push("cerego");
        }
        if p.hive.as_ref().is_some_and(|h| h.key.runs_command()) {
            out.push("hive");
        }
    }
    out
}

/// Resolves one profile of a parsed file: keys, URL overrides, defaults. A service whose
/// key cannot be resolved is listed in [`Profile::unavailable`] with the reason.
pub fn resolve_profile(
    config: &FileConfig,
    name: &str,
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Profile, ConfigError> {
    let Some(p) = config.profiles.get(name) else {
        return Err(ConfigError(format!(
            "profile \"{name}\" is not in {}; profiles: {}",
            path.display(),
            profile_names(config)
        )));
    };
    let mut warnings = Vec::new();
    let mut unavailable = Vec::new();
    let url_for = |file_url: &str, var: &str| -> Result<String, ConfigError> {
        match env(var).filter(|s| !s.is_empty()) {
            Some(u) => check_url(&u, p.allow_insecure_http, name)
                .map_err(|e| ConfigError(format!("{var}: {e}"))),
            None => check_url(file_url, p.allow_insecure_http, name)
                .map_err(|e| ConfigError(format!("{}: profile {name}: {e}", path.display()))),
        }
    };
    // A service's key: resolved, or the reason it is unavailable (never an error: the
    // other service still works).
    let mut key_of = |service: Service, source: &KeySource, var: &str| {
        let what = format!("profile {name}, {}", service.name().to_lowercase());
        let key = keys::resolve_key(source, var, &what, env, &mut warnings)
            .and_then(|key| key.ok_or_else(|| format!("{what} has no API key source")));
        key.map_err(|reason| unavailable.push(Unavailable::failed(service, reason)))
            .ok()
    };
    let cerego = match &p.cerego {
        Some(c) => {
            let base_url = url_for(&c.base_url, ENV_CEREGO_URL)?;
            key_of(Service::Cerego, &c.key, ENV_CEREGO_KEY).map(|key| CeregoProfile {
                base_url,
                partner_id: c.partner_id.clone(),
                tag_types: c.tag_types.clone(),
                key,
            })
        }
        None => None,
    };
    let hive = match &p.hive {
        Some(h) => {
            let base_url = url_for(&h.base_url, ENV_HIVE_URL)?;
            key_of(Service::Hive, &h.key, ENV_HIVE_KEY).map(|key| HiveProfile {
                base_url,
                tags: h.tags.clone(),
                key,
            })
        }
        None => None,
    };
    if p.cerego.is_none() {
        unavailable.push(Unavailable::absent(Service::Cerego, name));
    }
    if p.hive.is_none() {
        unavailable.push(Unavailable::absent(Service::Hive, name));
    }
    let color = p.color.clone().unwrap_or_else(|| {
        if p.confirm {
            "red".into()
        } else {
            "cyan".into()
        }
    });
    Ok(Profile {
        name: name.to_string(),
        demo: false,
        read_only: p.read_only,
        confirm: p.confirm,
        color,
        cerego,
        hive,
        unavailable,
        warnings,
        connect_timeout: Duration::from_secs_f64(config.timeouts.connect),
        total_timeout: Duration::from_secs_f64(config.timeouts.total),
        retry: config.retries.policy(),
        limits: config.limits.list_limits(),
        journal_rotate_bytes: config.journal.rotate_mib.saturating_mul(1024 * 1024),
        keys: config.keys.clone(),
        source: Some(path.to_path_buf()),
    })
}

/// A profile built from environment variables alone (no file), named `env`: Hive from
/// `TAGDESK_HIVE_API_KEY`, Cerego from `TAGDESK_CEREGO_API_KEY` plus
/// `TAGDESK_CEREGO_PARTNER_ID`. `Ok(None)` when neither key is set.
pub fn profile_from_env(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Profile>, ConfigError> {
    let hive_key = env(ENV_HIVE_KEY).filter(|s| !s.trim().is_empty());
    let cerego_key = env(ENV_CEREGO_KEY).filter(|s| !s.trim().is_empty());
    if hive_key.is_none() && cerego_key.is_none() {
        return Ok(None);
    }
    let url = |var: &str, default: &str| {
        let u = env(var).filter(|s| !s.is_empty()).unwrap_or(default.into());
        check_url(&u, false, ENV_PROFILE_NAME).map_err(|e| ConfigError(format!("{var}: {e}")))
    };
    let mut unavailable = Vec::new();
    let hive = match hive_key {
        Some(k) => Some(HiveProfile {
            base_url: url(ENV_HIVE_URL, DEFAULT_HIVE_URL)?,
            tags: Vec::new(),
            key: SecretString::from(k.trim().to_string()),
        }),
        None => {
            unavailable.push(Unavailable {
                service: Service::Hive,
                configured: false,
                reason: format!("Hive: {ENV_HIVE_KEY} is not set"),
            });
            None
        }
    };
    let cerego = match (
        cerego_key,
        env(ENV_CEREGO_PARTNER).filter(|s| !s.is_empty()),
    ) {
        (Some(k), Some(partner)) => Some(CeregoProfile {
            base_url: url(ENV_CEREGO_URL, DEFAULT_CEREGO_URL)?,
            partner_id: PartnerId::parse(&partner)
                .map_err(|e| ConfigError(format!("{ENV_CEREGO_PARTNER}: {e}")))?,
            tag_types: Vec::new(),
            key: SecretString::from(k.trim().to_string()),
        }),
        (Some(_), None) => {
            unavailable.push(Unavailable {
                service: Service::Cerego,
                configured: true,
                reason: format!("Cerego: {ENV_CEREGO_PARTNER} is not set"),
            });
            None
        }
        (None, _) => {
            unavailable.push(Unavailable {
                service: Service::Cerego,
                configured: false,
                reason: format!("Cerego: {ENV_CEREGO_KEY} is not set"),
            });
            None
        }
    };
    Ok(Some(Profile {
        name: ENV_PROFILE_NAME.into(),
        demo: false,
        read_only: false,
        confirm: false,
        color: "cyan".into(),
        cerego,
        hive,
        unavailable,
        warnings: Vec::new(),
        connect_timeout: crate::engine::api::DEFAULT_CONNECT_TIMEOUT,
        total_timeout: crate::engine::api::DEFAULT_TOTAL_TIMEOUT,
        retry: crate::engine::retry::RetryPolicy::default(),
        limits: crate::engine::exec::ListLimits::default(),
        journal_rotate_bytes: crate::engine::journal::DEFAULT_ROTATE_BYTES,
        keys: BTreeMap::new(),
        source: None,
    }))
}

/// Like ssh: a configuration file that holds a key must not be readable by others.
pub fn permission_warning(path: &Path, config: &FileConfig) -> Option<String> {
    let holds_key = config.profiles.values().any(|p| {
        p.cerego.as_ref().is_some_and(|c| c.key.api_key.is_some())
            || p.hive.as_ref().is_some_and(|h| h.key.api_key.is_some())
    });
    if !holds_key {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Some(format!(
                "{} holds an API key and is readable by group or others (mode {mode:03o}); run: chmod 600 {}",
                path.display(),
                path.display()
            ));
        }
    }
    None
}

/// Writes `text` to `path` creating it 0600, never overwriting.
pub fn write_new_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::engine::fs::create_private_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| map.get(k).cloned()
    }

    /// The error `parse` gives for `text`, read from `/c.toml`.
    fn parse_err(text: &str) -> String {
        parse(text, Path::new("/c.toml")).unwrap_err().0
    }

    #[test]
    fn the_template_parses() {
        let c = parse(TEMPLATE, Path::new("template")).unwrap();
        assert_eq!(c.default_profile.as_deref(), Some("staging"));
        assert!(c.profiles["prod"].confirm);
    }

    #[test]
    fn errors_name_file_and_line() {
        let text = "default_profile = \"a\"\n[profiles.a.cerego]\npartner_id = \"x9\"\n";
        let e = parse(text, Path::new("/c.toml")).unwrap_err().0;
        assert!(e.starts_with("/c.toml:3:"), "{e}");
        assert!(e.contains("partner id"), "{e}");
        let e = parse_err("[profiles.a]\ncolour = 1\n");
        assert!(e.starts_with("/c.toml:2:") && e.contains("colour"), "{e}");
        let e = parse_err("default_profile = \"b\"\n[profiles.a]\n");
        assert!(
            e.starts_with("/c.toml:1:") && e.contains("default_profile \"b\""),
            "{e}"
        );
        // Errors found after parsing name their line too.
        let e = parse_err("[profiles.a]\nconfirm = true\ncolor = \"mauve-ish\"\n");
        assert!(
            e.starts_with("/c.toml:3:") && e.contains("mauve-ish"),
            "{e}"
        );
        let e = parse_err("[profiles.a.hive]\napi_key = \"x\"\napi_key_env = \"Y\"\n");
        assert!(
            e.starts_with("/c.toml:3:") && e.contains("not 2 (api_key_env and api_key)"),
            "{e}"
        );
        let e = parse_err("[timeouts]\nconnect = 5\ntotal = -1\n");
        assert!(e.starts_with("/c.toml:3:"), "{e}");
        let e = parse_err("[keys]\nfly = [\"x\"]\n");
        assert!(e.starts_with("/c.toml:2:") && e.contains("fly"), "{e}");
    }

    #[test]
    fn plain_http_is_refused_for_other_hosts_unless_allowed() {
        let p = Path::new("/c.toml");
        for ok in [
            "http://127.0.0.1:8787",
            "http://localhost:1",
            "http://[::1]:9",
            "https://api.example",
        ] {
            let text = format!("[profiles.a.hive]\nbase_url = \"{ok}\"\n");
            assert!(parse(&text, p).is_ok(), "{ok}");
        }
        let text = "[profiles.a.hive]\nbase_url = \"http://api.example\"\n";
        let e = parse(text, p).unwrap_err().0;
        assert!(
            e.starts_with("/c.toml:2:")
                && e.contains("in clear")
                && e.contains("allow_insecure_http"),
            "{e}"
        );
        let text = "[profiles.a]\nallow_insecure_http = true\n[profiles.a.hive]\nbase_url = \"http://api.example\"\n";
        assert!(parse(text, p).is_ok());
        // The environment's URL override is held to the same rule.
        let c = parse("[profiles.a.hive]\napi_key_env = \"K\"\n", p).unwrap();
        let env = env_of(&[("K", "k"), (ENV_HIVE_URL, "http://10.0.0.9")]);
        let e = resolve_profile(&c, "a", p, &env).unwrap_err().0;
        assert!(e.starts_with(ENV_HIVE_URL) && e.contains("in clear"), "{e}");
    }

    #[test]
    fn key_overrides_are_checked_at_load() {
        let ok = parse("[keys]\nadd = [\"insert\"]\n", Path::new("/c.toml")).unwrap();
        assert_eq!(ok.keys["add"], ["insert"]);
        let e = parse_err("[keys]\nadd = [\"q\"]\n");
        assert!(
            e.starts_with("/c.toml:2:1: [keys] the key q is bound to both"),
            "{e}"
        );
    }

    #[test]
    fn profile_precedence() {
        let c = parse(TEMPLATE, Path::new("t")).unwrap();
        let p = Path::new("t");
        let none = env_of(&[]);
        assert_eq!(choose_profile(&c, None, &none, p).unwrap(), "staging");
        let env = env_of(&[(ENV_PROFILE, "prod")]);
        assert_eq!(choose_profile(&c, None, &env, p).unwrap(), "prod");
        assert_eq!(
            choose_profile(&c, Some("staging"), &env, p).unwrap(),
            "staging"
        );
        let e = choose_profile(&c, Some("nope"), &env, p).unwrap_err().0;
        assert!(
            e.contains("\"nope\" (from --profile)") && e.contains("prod, staging"),
            "{e}"
        );
    }

    #[test]
    fn key_sources() {
        let c = parse(TEMPLATE, Path::new("t")).unwrap();
        let p = Path::new("t");
        // api_key_env
        let env = env_of(&[
            ("CEREGO_STAGING_API_KEY", " ck "),
            ("HIVE_STAGING_API_KEY", "hk"),
        ]);
        let prof = resolve_profile(&c, "staging", p, &env).unwrap();
        assert_eq!(prof.cerego.as_ref().unwrap().key.expose_secret(), "ck");
        assert_eq!(prof.secrets(), ["ck", "hk"]);
        // A missing variable makes only its service unavailable, naming the variable.
        let prof =
            resolve_profile(&c, "staging", p, &env_of(&[("HIVE_STAGING_API_KEY", "hk")])).unwrap();
        assert!(prof.cerego.is_none() && prof.hive.is_some());
        let why = prof.unavailable(Service::Cerego).unwrap();
        assert!(why.configured);
        assert!(why.reason.contains("CEREGO_STAGING_API_KEY"), "{why}");
        // override wins
        let env = env_of(&[
            (ENV_CEREGO_KEY, "over"),
            (ENV_HIVE_KEY, "h2"),
            (ENV_HIVE_URL, "http://127.0.0.1:9"),
        ]);
        let prof = resolve_profile(&c, "staging", p, &env).unwrap();
        assert_eq!(prof.cerego.as_ref().unwrap().key.expose_secret(), "over");
        assert_eq!(prof.hive.as_ref().unwrap().base_url, "http://127.0.0.1:9");
        // api_key_cmd
        let text = "[profiles.a.hive]\napi_key_cmd = [\"echo\", \"  from-cmd  \"]\n";
        let c = parse(text, p).unwrap();
        let prof = resolve_profile(&c, "a", p, &env_of(&[])).unwrap();
        assert_eq!(prof.hive.as_ref().unwrap().key.expose_secret(), "from-cmd");
        assert!(prof.cerego.is_none());
        let why = prof.unavailable(Service::Cerego).unwrap();
        assert_eq!(why.reason, "Cerego is not configured in profile a");
        assert!(!why.configured);
        // a failing command: the service is unavailable with the reason
        let c = parse("[profiles.a.hive]\napi_key_cmd = [\"false\"]\n", p).unwrap();
        let prof = resolve_profile(&c, "a", p, &env_of(&[])).unwrap();
        let why = prof.unavailable(Service::Hive).unwrap();
        assert!(why.reason.contains("api_key_cmd `false` failed"), "{why}");
        // inline key: allowed with a warning
        let c = parse("[profiles.a.hive]\napi_key = \"inline\"\n", p).unwrap();
        let prof = resolve_profile(&c, "a", p, &env_of(&[])).unwrap();
        assert_eq!(prof.warnings.len(), 1);
        // two sources is an error when the file is read
        assert!(
            parse(
                "[profiles.a.hive]\napi_key = \"x\"\napi_key_env = \"Y\"\n",
                p,
            )
            .unwrap_err()
            .0
            .contains("not 2")
        );
    }

    #[test]
    fn confirm_profiles_default_to_red() {
        let c = parse(TEMPLATE, Path::new("t")).unwrap();
        let env = env_of(&[(ENV_CEREGO_KEY, "a"), (ENV_HIVE_KEY, "b")]);
        let prod = resolve_profile(&c, "prod", Path::new("t"), &env).unwrap();
        assert_eq!(prod.color, "red");
        assert!(prod.confirm);
    }

    #[test]
    fn env_only_profile() {
        assert!(profile_from_env(&env_of(&[])).unwrap().is_none());
        let p = profile_from_env(&env_of(&[(ENV_HIVE_KEY, "k")]))
            .unwrap()
            .unwrap();
        assert!(p.hive.is_some() && p.cerego.is_none());
        assert!(
            profile_from_env(&env_of(&[
                (ENV_CEREGO_KEY, "k"),
                (ENV_CEREGO_PARTNER, "abc")
            ]))
            .is_err()
        );
    }
}
