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
//! Submodules: `schema` (the file's tables and their checks), `profile` (resolving a
//! profile: keys, URLs, defaults), `paths` (where files live), `keys` (key sources and
//! `api_key_cmd`), `lines` (where a key is in the file), `bindings` (the `[keys]` table),
//! `colour` (a profile's colour).

pub mod bindings;
mod cards;
pub mod colour;
pub mod keys;
pub mod lines;
mod paths;
mod profile;
mod schema;
mod schema_json;

pub use paths::{
    Origin, Paths, XDG_CONFIG_HOME, XDG_DATA_HOME, permission_warning, write_new_private,
};
pub use profile::{
    CeregoProfile, DemoKeys, HiveProfile, Profile, Unavailable, choose_profile, is_loopback,
    key_commands, profile_from_env, resolve_profile,
};
pub use schema::{
    CacheSettings, CeregoConfig, FileConfig, HiveConfig, JournalSettings, Limits, ProfileConfig,
    Retries, Timeouts, load, parse,
};

pub use cards::{KeyState, ProfileCard, ServiceCard, profile_cards};
pub use keys::KeySource;
pub use schema_json::{SCHEMA_FILE, schema_text};

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
/// Overrides every profile's `cerego.tags_api` (the demo's too): "legacy" or "set".
pub const ENV_CEREGO_TAGS_API: &str = "TAGDESK_CEREGO_TAGS_API";
pub const ENV_DATA_DIR: &str = "TAGDESK_DATA_DIR";
pub const ENV_CONFIG: &str = "TAGDESK_CONFIG";
/// The name of the profile made from `TAGDESK_*` variables alone (no file).
pub const ENV_PROFILE_NAME: &str = "env";

/// Configuration that cannot be used, said so that the operator can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use secrecy::ExposeSecret;

    use super::*;
    use crate::core::op::Service;

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
    fn a_keys_table_that_leaves_a_form_without_a_way_out_names_its_line() {
        let e = parse_err("[keys]\nadd = [\"insert\"]\nsubmit = [\"a\"]\n");
        assert_eq!(
            e,
            "/c.toml:3:1: [keys] forms need a non-printable key for submit: 'a' would be \
             typed into the field (e.g. enter or ctrl-s)"
        );
        let e = parse_err("[keys]\nup = [\"up\"]\nclose = [\"esc\", \"x\"]\n");
        assert!(
            e.starts_with("/c.toml:3:1: [keys] forms need a non-printable key for close: 'x'")
                && e.contains("could not be closed"),
            "{e}"
        );
        let e = parse_err("[keys]\nclose = []\n");
        assert!(
            e.starts_with("/c.toml:2:1: [keys] close = [] leaves every popup and form"),
            "{e}"
        );
        // Close's key taken by another action: the line of the action that took it.
        let e = parse_err("[keys]\nclose = [\"ctrl-g\"]\nyes = [\"ctrl-g\"]\n");
        assert_eq!(
            e,
            "/c.toml:3:1: [keys] the key C-g is bound to both yes and close in confirmations"
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
    fn cerego_page_size_is_unset_by_default_resolved_and_bounded_with_its_line() {
        let env = env_of(&[("K", "cerego-key-0123456789")]);
        let p = Path::new("/c.toml");
        let profile = |extra: &str| {
            format!("[profiles.a.cerego]\npartner_id = \"4242\"\napi_key_env = \"K\"\n{extra}")
        };
        let c = parse(&profile(""), p).unwrap();
        let prof = resolve_profile(&c, "a", p, &env).unwrap();
        assert_eq!(
            prof.cerego.as_ref().unwrap().page_size,
            None,
            "the server's default"
        );
        let c = parse(&profile("page_size = 100\n"), p).unwrap();
        let prof = resolve_profile(&c, "a", p, &env).unwrap();
        assert_eq!(prof.cerego.as_ref().unwrap().page_size, Some(100));
        for bad in ["0", "1001"] {
            let e = parse_err(&profile(&format!("page_size = {bad}\n")));
            assert!(
                e.starts_with("/c.toml:4:") && e.contains("page_size must be 1 to 1000"),
                "{e}"
            );
        }
        let e = parse_err(&profile("page_size = -5\n"));
        assert!(e.starts_with("/c.toml:4:"), "{e}");
    }

    #[test]
    fn list_concurrency_defaults_to_8_is_resolved_and_bounded_with_its_line() {
        let env = env_of(&[]);
        let p = Path::new("/c.toml");
        let c = parse("[profiles.a]\n", p).unwrap();
        let prof = resolve_profile(&c, "a", p, &env).unwrap();
        assert_eq!(prof.limits.concurrency, 8);
        let c = parse("[limits]\nlist_concurrency = 32\n[profiles.a]\n", p).unwrap();
        assert_eq!(
            resolve_profile(&c, "a", p, &env)
                .unwrap()
                .limits
                .concurrency,
            32
        );
        for bad in ["0", "33", "1000"] {
            let e = parse_err(&format!(
                "[profiles.a]\n[limits]\nlist_concurrency = {bad}\n"
            ));
            assert!(
                e.starts_with("/c.toml:3:") && e.contains("list_concurrency must be 1 to 32"),
                "{e}"
            );
        }
        let e = parse_err("[limits]\nlist_concurrency = -1\n");
        assert!(e.starts_with("/c.toml:2:"), "{e}");
    }

    #[test]
    fn the_user_cache_is_on_unless_cache_users_is_false() {
        let env = env_of(&[]);
        let p = Path::new("/c.toml");
        let c = parse("[profiles.a]\n", p).unwrap();
        assert!(resolve_profile(&c, "a", p, &env).unwrap().cache_users);
        let c = parse("[cache]\nusers = false\n[profiles.a]\n", p).unwrap();
        assert!(!resolve_profile(&c, "a", p, &env).unwrap().cache_users);
        let e = parse_err("[cache]\nusers = \"no\"\n");
        assert!(e.starts_with("/c.toml:2:"), "{e}");
        let e = parse_err("[cache]\npatrons = false\n");
        assert!(e.contains("patrons"), "{e}");
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
