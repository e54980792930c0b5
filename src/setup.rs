//! From command-line options and the environment to a ready session: the profile (keys
//! resolved), the clients, and in demo mode the embedded simulator.

use std::path::PathBuf;

use crate::api::ClientConfig;
use crate::api::cerego::CeregoClient;
use crate::api::hive::HiveClient;
use crate::backend::Clients;
use crate::config::{self, ConfigError, Paths, Profile};
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
}

/// A session ready to talk to the APIs.
pub struct Session {
    pub profile: Profile,
    pub paths: Paths,
    /// Running only in demo mode; dropping the session stops it.
    pub simulator: Option<Simulator>,
    /// Every profile in the configuration file (for switching in the console).
    pub profiles: Vec<String>,
    /// Things the operator should know (inline keys, loose file permissions, demo mode).
    pub warnings: Vec<String>,
}

impl Session {
    pub fn clients(&self) -> Result<Clients, ConfigError> {
        clients_for(&self.profile)
    }
}

/// Builds the clients of a profile (a service without a key has no client).
pub fn clients_for(profile: &Profile) -> Result<Clients, ConfigError> {
    let cerego = match &profile.cerego {
        Some(c) => Some(
            CeregoClient::new(
                &(ClientConfig {
                    base_url: c.base_url.clone(),
                    api_key: c.key.clone(),
                    connect_timeout: profile.connect_timeout,
                    total_timeout: profile.total_timeout,
                }),
            )
            .map_err(|e| ConfigError(format!("profile {}, cerego: {e}", profile.name)))?,
        ),
        None => None,
    };
    let hive = match &profile.hive {
        Some(h) => Some(
            HiveClient::new(
                &(ClientConfig {
                    base_url: h.base_url.clone(),
                    api_key: h.key.clone(),
                    connect_timeout: profile.connect_timeout,
                    total_timeout: profile.total_timeout,
                }),
            )
            .map_err(|e| ConfigError(format!("profile {}, hive: {e}", profile.name)))?,
        ),
        None => None,
    };
    Ok(Clients { hive, cerego })
}

/// Resolves the session: `--demo`, else the configuration file's profile, else a profile
/// from `TAGDESK_*` environment variables, else demo mode.
pub async fn open(
    options: &Options,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Session, ConfigError> {
    let paths = Paths::resolve(options.config.as_deref(), env);
    let mut warnings = Vec::new();
    let mut profiles = Vec::new();
    let mut profile = if options.demo {
        None
    } else {
        match config::load(&paths.config_file)? {
            Some((file, _)) => {
                if let Some(w) = config::permission_warning(&paths.config_file, &file) {
                    warnings.push(w);
                }
                profiles = file.profiles.keys().cloned().collect();
                let name = config::choose_profile(
                    &file,
                    options.profile.as_deref(),
                    env,
                    &paths.config_file,
                )?;
                Some(config::resolve_profile(
                    &file,
                    &name,
                    &paths.config_file,
                    env,
                )?)
            }
            None => {
                if options.config.is_some() {
                    return Err(ConfigError(format!(
                        "{}: no such configuration file (tagdesk config init writes one)",
                        paths.config_file.display()
                    )));
                }
                if let Some(name) = &options.profile {
                    return Err(ConfigError(format!(
                        "--profile {name}: there is no configuration file at {} (tagdesk config init writes one)",
                        paths.config_file.display()
                    )));
                }
                config::profile_from_env(env)?
            }
        }
    };
    let mut simulator = None;
    if profile.is_none() {
        let sim_options = SimOptions::default();
        let sim = Simulator::start_local(sim_options.clone())
            .await
            .map_err(|e| ConfigError(format!("cannot start the demo simulator: {e}")))?;
        profile = Some(Profile::demo(
            &sim.base_url(),
            &sim_options.seed,
            &sim_options.hive_key,
            &sim_options.cerego_key,
        ));
        simulator = Some(sim);
    }
    let Some(mut profile) = profile else {
        return Err(ConfigError("no profile could be resolved".into()));
    };
    if options.read_only {
        profile.read_only = true;
    }
    warnings.extend(profile.warnings.iter().cloned());
    Ok(Session {
        profile,
        paths,
        simulator,
        profiles,
        warnings,
    })
}

/// The demo simulator's defaults, for messages.
pub fn demo_notice() -> String {
    format!(
        "demo mode: no configuration or API keys found, so tagdesk talks to its built-in simulator (keys {} / {}); nothing real is touched",
        sim::DEFAULT_HIVE_KEY,
        sim::DEFAULT_CEREGO_KEY
    )
}
