//! From command-line options and the environment to a ready session: the profile (keys
//! resolved), the clients, and in demo mode the embedded simulator.

use std::path::PathBuf;

use crate::config::{self, ConfigError, DemoKeys, Paths, Profile};
use crate::core::op::Service;
use crate::core::redact::Redactor;
use crate::engine::api::ClientConfig;
use crate::engine::api::cerego::CeregoClient;
use crate::engine::api::hive::HiveClient;
use crate::engine::exec::Clients;
use crate::sim::{self, SimOptions, Simulator};

/// The options every command shares.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub profile: Option<String>,
    pub config: Option<PathBuf>,
    /// Force demo mode (the embedded simulator).
    pub demo: bool,
    /// Refuse every change, whatever the profile says.
    pub read_only: bool,
    /// Leave the mouse to the terminal (its text selection), whatever the file says.
    pub no_mouse: bool,
    /// No colour in the console, whatever the file's `theme` says (`--color never`, or
    /// `NO_COLOR` without `--color`).
    pub monochrome: bool,
}

/// A session ready to talk to the APIs.
pub struct Session {
    pub profile: Profile,
    pub paths: Paths,
    /// Running only in demo mode; dropping the session stops it.
    pub simulator: Option<Simulator>,
    /// Every profile in the configuration file (for switching in the console).
    pub profiles: Vec<String>,
    /// What the profile picker shows of each profile.
    pub cards: Vec<config::ProfileCard>,
    /// Things the operator should know (inline keys, loose file permissions, demo mode).
    pub warnings: Vec<String>,
}

impl Session {
    pub fn clients(&self) -> Result<Clients, ConfigError> {
        clients_for(&self.profile)
    }

    /// The client of one service only (a command sending one request needs no other).
    pub fn clients_of(&self, service: Service) -> Result<Clients, ConfigError> {
        let mut profile = self.profile.clone();
        match service {
            Service::Hive => profile.cerego = None,
            Service::Cerego => profile.hive = None,
        }
        let mut clients = clients_for(&profile)?;
        // Redact every key of the profile, not only this service's.
        clients.redactor = Redactor::new(self.profile.secrets());
        Ok(clients)
    }
}

/// Builds the clients of a profile (a service without a key has no client).
pub fn clients_for(profile: &Profile) -> Result<Clients, ConfigError> {
    let config = |base_url: &str, key: &secrecy::SecretString| ClientConfig {
        base_url: base_url.to_string(),
        api_key: key.clone(),
        connect_timeout: profile.connect_timeout,
        total_timeout: profile.total_timeout,
    };
    let cerego = match &profile.cerego {
        Some(c) => Some(
            CeregoClient::new(&config(&c.base_url, &c.key))
                .map_err(|e| ConfigError(format!("profile {}, cerego: {e}", profile.name)))?
                .with_page_size(c.page_size),
        ),
        None => None,
    };
    let hive = match &profile.hive {
        Some(h) => Some(
            HiveClient::new(&config(&h.base_url, &h.key))
                .map_err(|e| ConfigError(format!("profile {}, hive: {e}", profile.name)))?,
        ),
        None => None,
    };
    Ok(Clients {
        hive,
        cerego,
        redactor: Redactor::new(profile.secrets()),
        limits: profile.limits,
    })
}

/// A profile resolved from the configuration (keys included), before any simulator runs.
pub struct Prepared {
    /// None: demo mode (the caller starts the simulator).
    pub profile: Option<Profile>,
    pub paths: Paths,
    pub profiles: Vec<String>,
    /// What the profile picker shows of each profile (hosts, flags, whether keys resolve).
    pub cards: Vec<config::ProfileCard>,
    pub warnings: Vec<String>,
    /// `[keys]` of the file, for demo mode.
    pub keys: std::collections::BTreeMap<String, Vec<String>>,
    /// Whether the console takes the mouse (the file's `mouse`, `--no-mouse`), for demo mode.
    pub mouse: bool,
    /// The console's colours (the file's `theme`), for demo mode.
    pub theme: crate::config::colour::Theme,
    /// `TAGDESK_CEREGO_TAGS_API`, which overrides the profile's (and the demo's) family of
    /// Cerego tag endpoints.
    pub tags_api: Option<crate::core::domain::TagsApi>,
}

/// Reads `TAGDESK_CEREGO_TAGS_API` ("legacy" or "set"); anything else is refused.
fn tags_api_override(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<crate::core::domain::TagsApi>, ConfigError> {
    env(config::ENV_CEREGO_TAGS_API)
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            crate::core::domain::TagsApi::parse(&v)
                .map_err(|e| ConfigError(format!("{}: {e}", config::ENV_CEREGO_TAGS_API)))
        })
        .transpose()
}

fn apply_tags_api(profile: &mut Profile, tags_api: Option<crate::core::domain::TagsApi>) {
    if let (Some(api), Some(c)) = (tags_api, profile.cerego.as_mut()) {
        c.tags_api = api;
        c.tags_api_defaulted = false;
    }
}

/// Resolves the profile `options` ask for, without starting anything: `--demo`, else the
/// configuration file's profile, else a profile from `TAGDESK_*` environment variables,
/// else demo mode. A file with no profiles (only `[keys]`, say) means the same as no file,
/// with its keys. Blocking: a key source may run a command (up to 15 s).
pub fn prepare(
    options: &Options,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Prepared, ConfigError> {
    prepare_announcing(options, env, &|_| {})
}

/// [`prepare`], calling `announce(profile)` before a key command of that profile runs (a
/// command may take up to 15 s: the operator is told what is happening).
pub fn prepare_announcing(
    options: &Options,
    env: &dyn Fn(&str) -> Option<String>,
    announce: &dyn Fn(&str),
) -> Result<Prepared, ConfigError> {
    let paths = Paths::resolve(options.config.as_deref(), env);
    let mut warnings = Vec::new();
    let mut profiles = Vec::new();
    let mut cards = Vec::new();
    let loaded = config::load(&paths.config_file)?;
    let keys = loaded
        .as_ref()
        .map(|(f, _)| f.keys.clone())
        .unwrap_or_default();
    let mouse = !options.no_mouse && loaded.as_ref().and_then(|(f, _)| f.mouse) != Some(false);
    let theme = if options.monochrome {
        crate::config::colour::Theme::Monochrome
    } else {
        loaded
            .as_ref()
            .and_then(|(f, _)| f.theme.as_deref())
            .and_then(crate::config::colour::Theme::parse)
            .unwrap_or_default()
    };
    let tags_api = tags_api_override(env)?;
    if options.demo {
        // The picker offers the file's profiles to leave demo mode for (no key command
        // runs for them until one is chosen).
        if let Some((file, _)) = &loaded {
            profiles = file.profiles.keys().cloned().collect();
            cards = config::profile_cards(file, env, None);
        }
        return Ok(Prepared {
            profile: None,
            paths,
            profiles,
            cards,
            warnings,
            keys,
            mouse,
            theme,
            tags_api,
        });
    }
    let profile = match &loaded {
        Some((file, _)) if !file.profiles.is_empty() => {
            if let Some(w) = config::permission_warning(&paths.config_file, file) {
                warnings.push(w);
            }
            profiles = file.profiles.keys().cloned().collect();
            if options.profile.as_deref() == Some(config::ENV_PROFILE_NAME)
                && !file.profiles.contains_key(config::ENV_PROFILE_NAME)
            {
                Some(env_profile(env)?)
            } else {
                let name = config::choose_profile(
                    file,
                    options.profile.as_deref(),
                    env,
                    &paths.config_file,
                )?;
                if !config::key_commands(file, &name).is_empty() {
                    announce(&name);
                }
                Some(config::resolve_profile(
                    file,
                    &name,
                    &paths.config_file,
                    env,
                )?)
            }
        }
        _ => {
            if loaded.is_none() && options.config.is_some() {
                return Err(ConfigError(format!(
                    "{}: no such configuration file (tagdesk config init writes one)",
                    paths.config_file.display()
                )));
            }
            match options.profile.as_deref() {
                Some(config::ENV_PROFILE_NAME) => Some(env_profile(env)?),
                Some(name) => {
                    let why = if loaded.is_some() {
                        format!("{} defines no profiles", paths.config_file.display())
                    } else {
                        format!(
                            "there is no configuration file at {}",
                            paths.config_file.display()
                        )
                    };
                    return Err(ConfigError(format!(
                        "--profile {name}: {why} (tagdesk config init writes one)"
                    )));
                }
                None => config::profile_from_env(env)?.map(|mut p| {
                    p.keys = keys.clone();
                    p
                }),
            }
        }
    };
    let profile = profile.map(|mut p| {
        if options.read_only && !p.read_only {
            p.read_only = true;
            p.read_only_flag = true;
        }
        p.mouse = mouse;
        p.theme = theme;
        apply_tags_api(&mut p, tags_api);
        warnings.extend(p.warnings.iter().cloned());
        p
    });
    if let Some((file, _)) = &loaded
        && !profiles.is_empty()
    {
        cards = config::profile_cards(file, env, profile.as_ref());
    }
    Ok(Prepared {
        profile,
        paths,
        profiles,
        cards,
        warnings,
        keys,
        mouse,
        theme,
        tags_api,
    })
}

fn env_profile(env: &dyn Fn(&str) -> Option<String>) -> Result<Profile, ConfigError> {
    config::profile_from_env(env)?.ok_or_else(|| {
        ConfigError(format!(
            "--profile {}: no {} or {} is set",
            config::ENV_PROFILE_NAME,
            config::ENV_HIVE_KEY,
            config::ENV_CEREGO_KEY
        ))
    })
}

/// Turns a prepared profile into a session, starting the demo simulator when there is no
/// profile.
pub async fn start(prepared: Prepared, options: &Options) -> Result<Session, ConfigError> {
    let Prepared {
        profile,
        paths,
        profiles,
        cards,
        mut warnings,
        keys,
        mouse,
        theme,
        tags_api,
    } = prepared;
    let (profile, simulator) = match profile {
        Some(p) => (p, None),
        None => {
            let sim_options = SimOptions::default();
            let sim = Simulator::start_local(sim_options.clone())
                .await
                .map_err(|e| ConfigError(format!("cannot start the demo simulator: {e}")))?;
            let mut p = sim_options.seed.demo_profile(
                &sim.base_url(),
                DemoKeys {
                    hive: &sim_options.hive_key,
                    cerego: &sim_options.cerego_key,
                },
            );
            p.keys = keys;
            p.mouse = mouse;
            p.theme = theme;
            apply_tags_api(&mut p, tags_api);
            if options.read_only {
                p.read_only = true;
                p.read_only_flag = true;
            }
            (p, Some(sim))
        }
    };
    warnings.dedup();
    Ok(Session {
        profile,
        paths,
        simulator,
        profiles,
        cards,
        warnings,
    })
}

/// Resolves the session: [`prepare`], then [`start`]. (The console's profile switch runs
/// [`prepare`] in a blocking task itself, so the screen stays live while a key command
/// runs.)
pub async fn open(
    options: &Options,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Session, ConfigError> {
    let prepared = prepare(options, env)?;
    start(prepared, options).await
}

/// What a command in demo mode says first: why it is demo mode, and the simulator's keys.
/// `asked` is `--demo`; `config_file` the configuration file, when one exists (`--demo`
/// ignores it; without `--demo`, a file that defines no profiles leads to demo mode too).
pub fn demo_notice(asked: bool, config_file: Option<&std::path::Path>) -> String {
    let why = match (asked, config_file) {
        (true, Some(file)) => format!(
            "demo mode (--demo): the configuration in {} is ignored for demo mode, so",
            file.display()
        ),
        (true, None) => "demo mode (--demo):".to_string(),
        (false, Some(file)) => format!(
            "demo mode: {} defines no profiles and no API keys are set, so",
            file.display()
        ),
        (false, None) => "demo mode: no configuration or API keys found, so".to_string(),
    };
    format!(
        "{why} tagdesk talks to its built-in simulator (keys {} / {}); nothing real is touched",
        sim::DEFAULT_HIVE_KEY,
        sim::DEFAULT_CEREGO_KEY
    )
}
