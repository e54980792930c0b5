//! What the console's profile picker shows of each profile, read from the file once the
//! session is resolved (off the UI thread): its services and their hosts, read-only /
//! confirm, and whether each key resolves. No key is ever part of it, and no key command
//! runs for it: a command's outcome is known only for the profile it was run for.

use super::*;
use crate::core::op::Service;

/// Whether a service's key resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// The key resolves (a variable that is set, the key in the file, a command that gave
    /// one).
    Resolves,
    /// No key: the variable is not set, or the profile names no source.
    NotSet,
    /// `api_key_cmd` ran for this profile and gave no key.
    CommandFailed,
    /// `api_key_cmd` runs when the profile is chosen (it may ask for a passphrase), not
    /// to draw the picker.
    CommandNotRun,
}

impl KeyState {
    /// How the picker says it.
    pub fn label(self) -> &'static str {
        match self {
            KeyState::Resolves => "✓",
            KeyState::NotSet => "key not set",
            KeyState::CommandFailed => "api_key_cmd failed",
            KeyState::CommandNotRun => "api_key_cmd not run yet",
        }
    }
}

/// One service of a profile, as the picker shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCard {
    pub service: Service,
    /// The base URL's host (and port, when it has one).
    pub host: String,
    pub key: KeyState,
}

/// One profile, as the picker shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileCard {
    pub name: String,
    pub read_only: bool,
    pub confirm: bool,
    /// `require_approval = true`: batches run only from a plan another person approved.
    pub require_approval: bool,
    pub services: Vec<ServiceCard>,
}

/// The cards of every profile of `file`. `current` (resolved, keys and all) says how its own
/// keys went; the others' are judged without running anything.
pub fn profile_cards(
    file: &FileConfig,
    env: &dyn Fn(&str) -> Option<String>,
    current: Option<&Profile>,
) -> Vec<ProfileCard> {
    let set = |var: &str| env(var).is_some_and(|v| !v.trim().is_empty());
    file.profiles
        .iter()
        .map(|(name, p)| {
            let current = current.filter(|c| c.name == *name);
            let mut services = Vec::new();
            let found = [
                (
                    Service::Cerego,
                    p.cerego.as_ref().map(|c| (&c.base_url, &c.key)),
                    ENV_CEREGO_URL,
                    ENV_CEREGO_KEY,
                ),
                (
                    Service::Hive,
                    p.hive.as_ref().map(|h| (&h.base_url, &h.key)),
                    ENV_HIVE_URL,
                    ENV_HIVE_KEY,
                ),
            ];
            for (service, section, url_var, key_var) in found {
                let Some((url, source)) = section else {
                    continue;
                };
                let url = env(url_var)
                    .filter(|u| !u.is_empty())
                    .unwrap_or(url.clone());
                let key = match current {
                    Some(c) => {
                        let resolved = match service {
                            Service::Cerego => c.cerego.is_some(),
                            Service::Hive => c.hive.is_some(),
                        };
                        match (resolved, source.runs_command() && !set(key_var)) {
                            (true, _) => KeyState::Resolves,
                            (false, true) => KeyState::CommandFailed,
                            (false, false) => KeyState::NotSet,
                        }
                    }
                    None if set(key_var) => KeyState::Resolves,
                    None => match (&source.api_key_env, &source.api_key_cmd, &source.api_key) {
                        (Some(var), _, _) if set(var) => KeyState::Resolves,
                        (_, Some(_), _) => KeyState::CommandNotRun,
                        (_, _, Some(k)) if !k.trim().is_empty() => KeyState::Resolves,
                        _ => KeyState::NotSet,
                    },
                };
                services.push(ServiceCard {
                    service,
                    host: host_of(&url),
                    key,
                });
            }
            ProfileCard {
                name: name.clone(),
                read_only: p.read_only,
                confirm: p.confirm,
                require_approval: p.require_approval,
                services,
            }
        })
        .collect()
}

/// The host (and port) of a URL, or the URL itself when it has none.
fn host_of(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => url.to_string(),
        },
        Err(_) => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn cards_say_hosts_flags_and_whether_keys_resolve_without_running_commands() {
        let text = "[profiles.a]\nread_only = true\n[profiles.a.cerego]\n\
            base_url = \"https://partners.cerego.com/\"\npartner_id = \"1\"\napi_key_env = \"A_KEY\"\n\
            [profiles.a.hive]\nbase_url = \"http://127.0.0.1:8787\"\napi_key_env = \"UNSET\"\n\
            [profiles.b]\nconfirm = true\nrequire_approval = true\n[profiles.b.hive]\napi_key_cmd = [\"false\"]\n\
            [profiles.c.hive]\n";
        let file = parse(text, Path::new("c.toml")).unwrap();
        let env = |k: &str| (k == "A_KEY").then(|| "secret".to_string());
        let cards = profile_cards(&file, &env, None);
        assert_eq!(cards.len(), 3);
        assert!(cards[0].read_only && !cards[0].confirm);
        assert_eq!(cards[0].services[0].host, "partners.cerego.com");
        assert_eq!(cards[0].services[0].key, KeyState::Resolves);
        assert_eq!(cards[0].services[1].host, "127.0.0.1:8787");
        assert_eq!(cards[0].services[1].key, KeyState::NotSet);
        assert!(cards[1].confirm && cards[1].require_approval && !cards[0].require_approval);
        assert_eq!(cards[1].services[0].key, KeyState::CommandNotRun);
        assert_eq!(cards[2].services[0].key, KeyState::NotSet);
        // The profile that was resolved says how its command went.
        let b = resolve_profile(&file, "b", Path::new("c.toml"), &env).unwrap();
        let cards = profile_cards(&file, &env, Some(&b));
        assert_eq!(cards[1].services[0].key, KeyState::CommandFailed);
        // The override variable gives every profile its key.
        let env = |k: &str| (k == ENV_HIVE_KEY).then(|| "k".to_string());
        let cards = profile_cards(&file, &env, None);
        assert_eq!(cards[2].services[0].key, KeyState::Resolves);
    }
}
