//! The configuration file's tables as serde reads them, and every check that needs no
//! environment (each error names the file and, where it can, the line).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use schemars::JsonSchema;
use serde::Deserialize;

use super::lines::error_at;
use super::profile::check_url;
use super::*;
use crate::core::domain::{HiveTag, PartnerId, TagType};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The profile used when neither --profile nor TAGDESK_PROFILE names one.
    pub default_profile: Option<String>,
    /// Timeouts for every request (seconds).
    #[serde(default)]
    pub timeouts: Timeouts,
    /// How transient failures (connection refused, 429, 502, 503, 504) are retried.
    #[serde(default)]
    pub retries: Retries,
    /// What one listing of a partner's users may read at most.
    #[serde(default)]
    pub limits: Limits,
    /// The journal's rotation.
    #[serde(default)]
    pub journal: JournalSettings,
    /// What the console keeps between runs besides the journal.
    #[serde(default)]
    pub cache: CacheSettings,
    /// The profiles, by name: each names its services' URLs, accounts and key sources.
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// Console key overrides: action name → keys (see docs/src/console.md, Rebinding keys).
    #[serde(default)]
    #[schemars(schema_with = "super::schema_json::keys")]
    pub keys: BTreeMap<String, Vec<String>>,
    /// The console takes the mouse (clicks, the wheel) unless this is `false`: while it has
    /// the mouse, the terminal's own text selection needs Shift held. A console setting of
    /// the whole file, like `[keys]`: it follows the operator, not the profile.
    pub mouse: Option<bool>,
    /// The console's colours: `dark` (the default), `light` (for light backgrounds) or
    /// `monochrome` (no colour; `NO_COLOR` selects it too). A setting of the whole file.
    #[serde(default)]
    #[schemars(schema_with = "super::schema_json::theme")]
    pub theme: Option<String>,
    /// Your name as plan files record it (their author, and approver by default); unset:
    /// the login name (USER or USERNAME). Printable, at most 100 characters.
    pub operator: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Timeouts {
    /// Seconds to open a connection (more than 0, at most 600).
    #[serde(default = "default_connect")]
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 600))]
    pub connect: f64,
    /// Seconds for a whole request (more than 0, at most 3600).
    #[serde(default = "default_total")]
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 3600))]
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

/// How transient failures are retried (see `src/engine/retry.rs`).
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retries {
    /// Attempts in all, the first included (1 = never retry).
    #[serde(default = "default_attempts")]
    #[schemars(range(min = 1, max = 10))]
    pub attempts: u32,
    /// Seconds the whole operation may take, retries and the last attempt included.
    #[serde(default = "default_budget")]
    #[schemars(range(min = 0, max = 3600))]
    pub budget: f64,
    /// The longest single wait, in seconds (a longer Retry-After is not waited for).
    #[serde(default = "default_max_wait")]
    #[schemars(range(min = 0, max = 600))]
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

/// Bounds on what one listing of a partner's users may read (`[limits]`).
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Users one listing reads at most.
    #[serde(default = "default_max_users")]
    #[schemars(range(min = 1))]
    pub max_users: u64,
    /// MiB of user data one listing reads at most (the fields the console keeps, not the
    /// JSON around them).
    #[serde(default = "default_max_list_mib")]
    #[schemars(range(min = 1))]
    pub max_list_mib: u64,
    /// Page requests one listing keeps in flight once the first page has told the number
    /// of pages (1 to 32; 1 lists one page after another).
    #[serde(default = "default_list_concurrency")]
    #[schemars(range(min = 1, max = crate::engine::exec::MAX_LIST_CONCURRENCY))]
    pub list_concurrency: usize,
}

fn default_max_users() -> u64 {
    crate::engine::exec::DEFAULT_MAX_USERS
}
fn default_max_list_mib() -> u64 {
    crate::engine::exec::DEFAULT_MAX_LIST_BYTES >> 20
}
fn default_list_concurrency() -> usize {
    crate::engine::exec::DEFAULT_LIST_CONCURRENCY
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_users: default_max_users(),
            max_list_mib: default_max_list_mib(),
            list_concurrency: default_list_concurrency(),
        }
    }
}

impl Limits {
    pub fn list_limits(&self) -> crate::engine::exec::ListLimits {
        crate::engine::exec::ListLimits {
            max_users: self.max_users,
            max_bytes: self.max_list_mib.saturating_mul(1024 * 1024),
            concurrency: self.list_concurrency,
        }
    }
}

/// What the console keeps between runs besides the journal and the workspace (`[cache]`).
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    /// Keep each profile's last complete user listing (`users-PROFILE.cache` in the data
    /// dir), shown at the next start while a fresh listing runs. `false`: user names and
    /// emails never touch the disk.
    #[serde(default = "default_cache_users")]
    pub users: bool,
}

fn default_cache_users() -> bool {
    true
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            users: default_cache_users(),
        }
    }
}

/// The journal's rotation (`[journal]`).
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JournalSettings {
    /// Rotate the active journal file once it reaches this many MiB.
    #[serde(default = "default_rotate_mib")]
    #[schemars(range(min = 1))]
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

/// A profile: one account's services and how the console treats it.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// Refuse every change (reads still work).
    #[serde(default)]
    pub read_only: bool,
    /// Every change asks first, naming the profile (the header turns red).
    #[serde(default)]
    pub confirm: bool,
    /// Imports, undos and retries run only from a plan file another person approved
    /// (`--plan-out`, `tagdesk plan approve`, `tagdesk apply`). A process aid and an audit
    /// trail, not a security boundary.
    #[serde(default)]
    pub require_approval: bool,
    #[serde(default)]
    #[schemars(schema_with = "super::schema_json::colour")]
    pub color: Option<String>,
    /// Allow `http://` base URLs of hosts other than this machine (the key then crosses
    /// the network in clear).
    #[serde(default)]
    pub allow_insecure_http: bool,
    /// The profile's Cerego account (partner user tags).
    pub cerego: Option<CeregoConfig>,
    /// The profile's Hive Moderation application (patron user_tags).
    pub hive: Option<HiveConfig>,
}

/// The profile's Cerego account: where it is, the partner, its tag types, which tag
/// endpoints it answers, and one source for the API key (api_key_env, api_key_cmd or
/// api_key).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CeregoConfig {
    #[serde(default = "default_cerego_url")]
    #[schemars(schema_with = "super::schema_json::base_url")]
    pub base_url: String,
    pub partner_id: PartnerId,
    /// The account's tag types (ids come from Cerego support): names for the console,
    /// the CLI and the CSV files.
    #[serde(default)]
    pub tag_types: Vec<TagType>,
    /// Which family of Cerego's tag endpoints the server answers (SPEC §1.0): "set"
    /// (`POST /v3/users/:id/partner_user_tags`, the current docs; the default) or "legacy"
    /// (add + update, the original document). `tagdesk config check` says which one the
    /// server answers. Unset: "set" (it was "legacy" before).
    #[serde(default)]
    #[schemars(extend("default" = "set"))]
    pub tags_api: Option<crate::core::domain::TagsApi>,
    /// List the users of the partner's departments too (`include_department_users`).
    #[serde(default)]
    pub include_department_users: bool,
    /// Users a listing asks for per page (`page[size]`); unset: the server's default.
    #[serde(default)]
    #[schemars(range(min = 1, max = MAX_PAGE_SIZE))]
    pub page_size: Option<u32>,
    #[serde(flatten)]
    pub key: KeySource,
}

/// The largest `cerego.page_size` a profile may ask for. Cerego publishes no maximum; a
/// server that caps or ignores the size still lists completely (pages are counted from
/// what comes back).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The profile's Hive application: where it is, its tags, and one source for the API key
/// (api_key_env, api_key_cmd or api_key).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HiveConfig {
    #[serde(default = "default_hive_url")]
    #[schemars(schema_with = "super::schema_json::base_url")]
    pub base_url: String,
    /// The application's tags (api_field and dashboard name), for completion in the
    /// console.
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

/// Parses a configuration file's text and checks everything that can be checked without
/// the environment. Every error names the file and, where it can, the line.
pub fn parse(text: &str, path: &Path) -> Result<FileConfig, ConfigError> {
    let config: FileConfig = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_string();
        match e.span() {
            Some(span) => {
                let (line, col) = lines::line_col(text, span.start);
                ConfigError(format!(
                    "{}:{line}:{col}: {message}{}",
                    path.display(),
                    misplaced_mouse(text, line)
                ))
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
    if let Err(e) = bindings::Bindings::read(&config.keys) {
        // Point at the action refused, or at [keys].
        let mut keys = vec!["keys"];
        keys.extend(e.action.as_deref());
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
    let most = crate::engine::exec::MAX_LIST_CONCURRENCY;
    if !(1..=most).contains(&config.limits.list_concurrency) {
        return Err(at(
            &["limits", "list_concurrency"],
            format!(
                "limits.list_concurrency must be 1 to {most} (page requests in flight at once), \
                 not {}",
                config.limits.list_concurrency
            ),
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
    if let Some(theme) = &config.theme
        && colour::Theme::parse(theme).is_none()
    {
        return Err(at(
            &["theme"],
            format!("theme \"{theme}\" is not one of {}", colour::Theme::NAMES),
        ));
    }
    if let Some(op) = &config.operator
        && let Err(e) = crate::core::plan::file::check_name(op)
    {
        return Err(at(&["operator"], format!("operator \"{op}\": {e}")));
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
        if let Some(size) = p.cerego.as_ref().and_then(|c| c.page_size)
            && !(1..=MAX_PAGE_SIZE).contains(&size)
        {
            return Err(at(
                &["profiles", name, "cerego", "page_size"],
                format!(
                    "profile {name}, cerego: page_size must be 1 to {MAX_PAGE_SIZE} (users per \
                     page of a listing; leave it out for the server's default), not {size}"
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

/// A hint when the error is at a `mouse = …` line inside a table (`[keys]`, a profile):
/// it is a top-level setting, and TOML puts every key after a `[table]` header in it.
fn misplaced_mouse(text: &str, line: usize) -> &'static str {
    let before = line.saturating_sub(1);
    let at_mouse = text
        .lines()
        .nth(before)
        .is_some_and(|l| l.trim_start().starts_with("mouse"));
    let in_table = text
        .lines()
        .take(before)
        .any(|l| l.trim_start().starts_with('['));
    if at_mouse && in_table {
        " (mouse is a setting of the whole file: write `mouse = false` before the first [table])"
    } else {
        ""
    }
}

pub(super) fn profile_names(config: &FileConfig) -> String {
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
