//! A profile resolved for use: which one, its keys (a key that cannot be resolved makes
//! only its service unavailable), its URLs and its defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::schema::profile_names;
use super::*;
use crate::core::domain::{HiveTag, PartnerId, TagType};
use crate::core::op::Service;

/// A resolved service: URL, key, and what the console needs to know about the account.
#[derive(Clone)]
pub struct CeregoProfile {
    pub base_url: String,
    pub partner_id: PartnerId,
    pub tag_types: Vec<TagType>,
    /// Which family of tag endpoints this profile sends to (SPEC §1.0).
    pub tags_api: crate::core::domain::TagsApi,
    /// The profile's file does not say `tags_api`: it has the default ("set"), which was
    /// "legacy" before (the console says so once, `config check` every time).
    pub tags_api_defaulted: bool,
    /// Whether listings include the users of the partner's departments.
    pub include_department_users: bool,
    /// Users a listing asks for per page (`page[size]`); None: the server's default.
    pub page_size: Option<u32>,
    pub key: SecretString,
}

impl CeregoProfile {
    /// The partner's listing (all users, or a look-up), as this profile asks for it.
    pub fn listing(&self, query: Option<String>) -> crate::core::op::Op {
        crate::core::op::Op::CeregoListUsers {
            partner: self.partner_id.clone(),
            query,
            departments: self.include_department_users,
        }
    }
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
    /// The environment variable that would give the missing key: the profile's
    /// `api_key_env`, or `TAGDESK_*_API_KEY` when it names no source. None when a command
    /// failed or the key written in the file is empty.
    pub set_var: Option<String>,
}

impl Unavailable {
    /// The profile has a section for `service` but its key could not be resolved; `reason`
    /// names the service already ("Cerego key of profile staging not set: …").
    pub fn failed(service: Service, reason: String) -> Self {
        Self {
            service,
            configured: true,
            reason,
            set_var: None,
        }
    }

    /// A few words for a title: `not configured` when the profile has no section for the
    /// service, `key not set` when it has one but its key is missing, `key unavailable`
    /// when the key's source failed (its command, say).
    pub fn short(&self) -> &'static str {
        let key = self.reason.contains(" key");
        match (self.configured, key, self.reason.contains("not set")) {
            (false, _, _) => "not configured",
            (true, true, true) => "key not set",
            (true, true, false) => "key unavailable",
            (true, false, _) => "incomplete",
        }
    }

    /// The profile has no section for `service`.
    pub fn absent(service: Service, profile: &str) -> Self {
        Self {
            service,
            configured: false,
            reason: format!("{} is not configured in profile {profile}", service.name()),
            set_var: None,
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
    /// Read-only because of `--read-only` on the command line (the profile's own
    /// `read_only` is false).
    pub read_only_flag: bool,
    pub confirm: bool,
    /// `require_approval = true`: batches run only from an approved plan file.
    pub require_approval: bool,
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
    /// The console keeps the last complete user listing on disk (`[cache] users`; never in
    /// demo mode).
    pub cache_users: bool,
    /// Console key overrides from the file's `[keys]` (already checked).
    pub keys: BTreeMap<String, Vec<String>>,
    /// The console takes the mouse (the file's `mouse`, unless `--no-mouse`).
    pub mouse: bool,
    /// The console's colours (the file's `theme`).
    pub theme: super::colour::Theme,
    /// The file the profile came from, if any.
    pub source: Option<PathBuf>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("demo", &self.demo)
            .field("read_only", &self.read_only)
            .field("read_only_flag", &self.read_only_flag)
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

    /// Whether this profile (not demo mode's) configures a service and points each one it
    /// configures at plain http on this machine, where `tagdesk sim` listens.
    pub fn on_this_machine(&self) -> bool {
        let bases: Vec<&str> = [
            self.cerego.as_ref().map(|c| c.base_url.as_str()),
            self.hive.as_ref().map(|h| h.base_url.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        !self.demo && !bases.is_empty() && bases.into_iter().all(plain_http_here)
    }

    /// Why `service` cannot be used, if it cannot.
    pub fn unavailable(&self, service: Service) -> Option<&Unavailable> {
        self.unavailable.iter().find(|u| u.service == service)
    }

    /// Where commands of this profile run (for the equivalent command lines).
    pub fn place(&self) -> crate::core::op::Place {
        crate::core::op::Place::of(&self.name, self.demo)
    }

    /// Whether Hive's base URL is plain http on a loopback address: a `tagdesk sim` on this
    /// machine, where the console's `S` opens the playground rather than the live probe.
    pub fn hive_is_local(&self) -> bool {
        self.hive
            .as_ref()
            .is_some_and(|h| plain_http_here(&h.base_url))
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
            read_only_flag: false,
            confirm: false,
            require_approval: false,
            color: "yellow".into(),
            cerego: Some(CeregoProfile {
                base_url: base_url.into(),
                partner_id,
                tag_types,
                tags_api: crate::core::domain::TagsApi::default(),
                tags_api_defaulted: false,
                include_department_users: false,
                page_size: None,
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
            cache_users: false,
            keys: BTreeMap::new(),
            mouse: true,
            theme: super::colour::Theme::default(),
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

/// Whether `url`'s host is this machine: the engine's rule, which the playground's control
/// client applies too (the engine knows nothing of config).
pub use crate::engine::api::is_loopback;

/// Checks a base URL: http or https, and http only to this machine unless the profile
/// allows it (the key would cross the network in clear).
pub(super) fn check_url(
    url: &str,
    allow_insecure_http: bool,
    profile: &str,
) -> Result<String, String> {
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
        let what = format!("{} key of profile {name}", service.name());
        let key = keys::resolve_key(source, var, &what, env, &mut warnings).and_then(|key| {
            key.ok_or_else(|| {
                format!("{what} not set: give api_key_env, api_key_cmd or api_key (or set {var})")
            })
        });
        let set_var = match (&source.api_key_env, &source.api_key_cmd, &source.api_key) {
            (Some(own), _, _) => Some(own.clone()),
            (None, None, None) => Some(var.to_string()),
            _ => None,
        };
        key.map_err(|reason| {
            unavailable.push(Unavailable {
                set_var,
                ..Unavailable::failed(service, reason)
            })
        })
        .ok()
    };
    let cerego = match &p.cerego {
        Some(c) => {
            let base_url = url_for(&c.base_url, ENV_CEREGO_URL)?;
            key_of(Service::Cerego, &c.key, ENV_CEREGO_KEY).map(|key| CeregoProfile {
                base_url,
                partner_id: c.partner_id.clone(),
                tag_types: c.tag_types.clone(),
                tags_api: c.tags_api.unwrap_or_default(),
                tags_api_defaulted: c.tags_api.is_none(),
                include_department_users: c.include_department_users,
                page_size: c.page_size,
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
        read_only_flag: false,
        confirm: p.confirm,
        require_approval: p.require_approval,
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
        cache_users: config.cache.users,
        keys: config.keys.clone(),
        mouse: config.mouse.unwrap_or(true),
        theme: config
            .theme
            .as_deref()
            .and_then(super::colour::Theme::parse)
            .unwrap_or_default(),
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
                set_var: Some(ENV_HIVE_KEY.into()),
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
            tags_api: crate::core::domain::TagsApi::default(),
            tags_api_defaulted: false,
            include_department_users: false,
            page_size: None,
            key: SecretString::from(k.trim().to_string()),
        }),
        (Some(_), None) => {
            unavailable.push(Unavailable {
                service: Service::Cerego,
                configured: true,
                reason: format!("Cerego: {ENV_CEREGO_PARTNER} is not set"),
                set_var: Some(ENV_CEREGO_PARTNER.into()),
            });
            None
        }
        (None, _) => {
            unavailable.push(Unavailable {
                service: Service::Cerego,
                configured: false,
                reason: format!("Cerego: {ENV_CEREGO_KEY} is not set"),
                set_var: Some(ENV_CEREGO_KEY.into()),
            });
            None
        }
    };
    Ok(Some(Profile {
        name: ENV_PROFILE_NAME.into(),
        demo: false,
        read_only: false,
        read_only_flag: false,
        confirm: false,
        require_approval: false,
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
        cache_users: true,
        keys: BTreeMap::new(),
        mouse: true,
        theme: super::colour::Theme::default(),
        source: None,
    }))
}

/// Whether a base URL is plain http on a loopback address (where `tagdesk sim` listens).
fn plain_http_here(base: &str) -> bool {
    reqwest::Url::parse(base).is_ok_and(|u| u.scheme() == "http" && is_loopback(&u))
}
