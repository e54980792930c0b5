//! `tagdesk config check`: for every profile, does the file parse, do the keys resolve, and
//! does each API accept its key?
//!
//! Cerego: `GET /v3/my/profile`, a read. Hive has no read endpoint, so the probe is
//! `POST /api/v1/user_tags/remove` for the patron `tagdesk-config-check` with an EMPTY list
//! of api_fields: Hive checks the key first (403 INVALID_API_KEY when wrong), then refuses
//! the empty list with 400 PARAM_REQUIRED, so nothing is created or removed. Any answer past
//! the key check means the key was accepted.

use serde_json::{Value, json};

use crate::cli::{Format, exit};
use crate::config::{self, ConfigError, Paths, Profile};
use crate::core::domain::PatronId;
use crate::core::op::ApiError;
use crate::core::op::Service;
use crate::session::clients_for;

/// The patron the Hive probe names (nothing is done to it).
pub const PROBE_PATRON: &str = "tagdesk-config-check";

/// One service's result. `code` is None for a service the profile does not use (skipped:
/// neither passed nor failed).
struct Check {
    service: &'static str,
    code: Option<u8>,
    detail: String,
}

impl Check {
    /// A service without a client: failed when its key did not resolve, skipped when the
    /// profile does not use it.
    fn unavailable(service: &'static str, why: Option<&config::Unavailable>) -> Self {
        match why {
            Some(u) if u.configured => Check {
                service,
                code: Some(exit::USAGE),
                detail: u.reason.clone(),
            },
            other => Check {
                service,
                code: None,
                detail: format!(
                    "skipped: {}",
                    other
                        .map(|u| u.reason.clone())
                        .unwrap_or_else(|| "not configured".into())
                ),
            },
        }
    }
}

async fn check_profile(profile: &Profile) -> Vec<Check> {
    let mut checks = Vec::new();
    let clients = match clients_for(profile) {
        Ok(c) => c,
        Err(ConfigError(m)) => {
            checks.push(Check {
                service: "config",
                code: Some(exit::USAGE),
                detail: m,
            });
            return checks;
        }
    };
    let redact = |s: String| clients.redactor.text(&s).into_owned();
    match (&clients.cerego, profile.unavailable(Service::Cerego)) {
        (Some(c), _) => {
            let call = c.profile().await;
            let (code, detail) = match call.result {
                Ok(p) => (
                    exit::OK,
                    format!(
                        "GET /v3/my/profile → 200: key accepted (owner: {})",
                        p.name.or(p.email).unwrap_or(p.id)
                    ),
                ),
                Err(e @ ApiError::Http { .. }) => {
                    (exit::REFUSED, format!("GET /v3/my/profile → {e}"))
                }
                Err(e) if e.is_local() => (exit::USAGE, e.to_string()),
                Err(e) => (exit::UNREACHABLE, format!("GET /v3/my/profile → {e}")),
            };
            checks.push(Check {
                service: "cerego",
                code: Some(code),
                detail: redact(detail),
            });
            if code == exit::OK {
                checks.extend(tag_families(c, profile).await.into_iter().map(|mut c| {
                    c.detail = redact(c.detail);
                    c
                }));
                checks.push(Check {
                    service: "cerego page size",
                    code: None,
                    detail: redact(super::check_page::probe(c, profile).await),
                });
            }
        }
        (None, u) => checks.push(Check::unavailable("cerego", u)),
    }
    match (&clients.hive, profile.unavailable(Service::Hive)) {
        (Some(h), _) => {
            let probe = PatronId::parse(PROBE_PATRON);
            let (code, detail) = match probe {
                Ok(patron) => match h.remove(&patron, &[]).await.result {
                    Err(ApiError::Http {
                        status: 403,
                        code,
                        message,
                        ..
                    }) => (
                        exit::REFUSED,
                        format!(
                            "probe (remove nothing) → HTTP 403 {}: {message}",
                            code.unwrap_or_default()
                        ),
                    ),
                    Err(ApiError::Http {
                        status: 400, code, ..
                    }) => (
                        exit::OK,
                        format!(
                            "probe (remove nothing) → HTTP 400 {}: key accepted, nothing changed",
                            code.unwrap_or_default()
                        ),
                    ),
                    Ok(_) => (
                        exit::OK,
                        "probe (remove nothing) → 200: key accepted, nothing changed".to_string(),
                    ),
                    Err(e @ ApiError::Http { .. }) => (exit::REFUSED, format!("probe → {e}")),
                    Err(e) if e.is_local() => (exit::USAGE, e.to_string()),
                    Err(e) => (exit::UNREACHABLE, format!("probe → {e}")),
                },
                Err(e) => (exit::USAGE, e.to_string()),
            };
            checks.push(Check {
                service: "hive",
                code: Some(code),
                detail: redact(detail),
            });
        }
        (None, u) => checks.push(Check::unavailable("hive", u)),
    }
    checks
}

/// Which of Cerego's tag endpoint families the server answers: the profile's own passes or
/// fails; the other is reported, neither passing nor failing.
async fn tag_families(
    client: &crate::engine::api::cerego::CeregoClient,
    profile: &Profile,
) -> Vec<Check> {
    let configured = profile
        .cerego
        .as_ref()
        .map(|c| c.tags_api)
        .unwrap_or_default();
    super::check_tags::probe(client, profile)
        .await
        .into_iter()
        .map(|p| {
            let own = p.family == configured;
            let code = match (own, p.answers) {
                (false, _) => None,
                (true, Some(true)) => Some(exit::OK),
                (true, Some(false)) => Some(exit::REFUSED),
                (true, None) => Some(exit::UNREACHABLE),
            };
            Check {
                service: match (p.family, own) {
                    (crate::core::domain::TagsApi::Legacy, true) => {
                        "cerego tags (legacy, this profile's)"
                    }
                    (crate::core::domain::TagsApi::Legacy, false) => "cerego tags (legacy)",
                    (crate::core::domain::TagsApi::Set, true) => {
                        "cerego tags (set, this profile's)"
                    }
                    (crate::core::domain::TagsApi::Set, false) => "cerego tags (set)",
                },
                code,
                detail: p.detail,
            }
        })
        .collect()
}

/// Which family of Cerego's tag endpoints the profile uses, whether by its own word or by
/// the default (which changed from "legacy" to "set"), and how to switch.
fn tags_api_note(profile: &str, said: Option<crate::core::domain::TagsApi>) -> Check {
    use crate::core::domain::TagsApi;
    let family = |api: TagsApi| match api {
        TagsApi::Set => "\"set\" (POST /v3/users/:id/partner_user_tags, Cerego's current docs)",
        TagsApi::Legacy => {
            "\"legacy\" (POST /v3/partner_user_tag_types/:id/partner_user_tags and PUT \
             /v3/partner_user_tags/:id)"
        }
    };
    let detail = match said {
        None => format!(
            "uses {} by default: this profile does not set tags_api, and the default is now \
             \"set\" (earlier tagdesks used \"legacy\"); to keep the legacy endpoints, write \
             tags_api = \"legacy\" in [profiles.{profile}.cerego]",
            family(TagsApi::Set)
        ),
        Some(api) => {
            let other = match api {
                TagsApi::Set => TagsApi::Legacy,
                TagsApi::Legacy => TagsApi::Set,
            };
            format!(
                "uses {} (tags_api in [profiles.{profile}.cerego]; tags_api = \"{}\" switches)",
                family(api),
                other.name()
            )
        }
    };
    Check {
        service: "cerego tags_api",
        code: None,
        detail,
    }
}

/// The exit code of several checks: configuration problems first, then refusals, then
/// unreachable services.
fn worst(codes: impl IntoIterator<Item = u8>) -> u8 {
    let codes: Vec<u8> = codes.into_iter().collect();
    for c in [exit::USAGE, exit::REFUSED, exit::UNREACHABLE] {
        if codes.contains(&c) {
            return c;
        }
    }
    exit::OK
}

/// Checks every profile of the configuration (only `only` when given): every service of
/// each is reported — passed, failed with the reason, or skipped when the profile does not
/// use it — and a failure never stops the others from being checked.
pub async fn run(
    paths: &Paths,
    format: Format,
    env: &dyn Fn(&str) -> Option<String>,
    only: Option<&str>,
) -> u8 {
    let mut report: Vec<Value> = Vec::new();
    let mut codes = Vec::new();
    let mut lines = Vec::new();
    let file = match config::load(&paths.config_file) {
        Ok(f) => f,
        Err(ConfigError(m)) => {
            return crate::cli::fail(format, &m, exit::USAGE);
        }
    };
    let profiles: Vec<(String, Result<Profile, ConfigError>)> = match &file {
        Some((f, _)) if !f.profiles.is_empty() => {
            lines.push(format!(
                "{}: parses; profiles: {}",
                paths.config_file.display(),
                f.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
            if let Some(w) = config::permission_warning(&paths.config_file, f) {
                lines.push(format!("warning: {w}"));
            }
            if let Some(name) = only
                && !f.profiles.contains_key(name)
            {
                return crate::cli::fail(
                    format,
                    &format!(
                        "profile \"{name}\" is not in {}; profiles: {}",
                        paths.config_file.display(),
                        f.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                    exit::USAGE,
                );
            }
            f.profiles
                .keys()
                .filter(|name| only.is_none_or(|o| o == name.as_str()))
                .map(|name| {
                    (
                        name.clone(),
                        config::resolve_profile(f, name, &paths.config_file, env),
                    )
                })
                .collect()
        }
        _ => {
            lines.push(match &file {
                Some(_) => format!(
                    "{}: parses; it defines no profiles",
                    paths.config_file.display()
                ),
                None => format!(
                    "{}: no configuration file (tagdesk config init writes a template)",
                    paths.config_file.display()
                ),
            });
            match config::profile_from_env(env) {
                Ok(Some(p)) => vec![(p.name.clone(), Ok(p))],
                Ok(None) => {
                    lines.push(
                        "no API keys in the environment either: tagdesk runs in demo mode".into(),
                    );
                    Vec::new()
                }
                Err(e) => vec![(config::ENV_PROFILE_NAME.into(), Err(e))],
            }
        }
    };
    for (name, resolved) in profiles {
        lines.push(format!("profile {name}:"));
        match resolved {
            Err(ConfigError(m)) => {
                lines.push(format!("  ✗ {m}"));
                codes.push(exit::USAGE);
                report.push(json!({"profile": name, "ok": false, "error": m}));
            }
            Ok(profile) => {
                for w in &profile.warnings {
                    lines.push(format!("  warning: {w}"));
                }
                let mut checks = check_profile(&profile).await;
                let cerego = file
                    .as_ref()
                    .and_then(|(f, _)| f.profiles.get(&name))
                    .and_then(|p| p.cerego.as_ref());
                if let Some(c) = cerego {
                    // After the Cerego lines (the probes say whether the server answers it).
                    let at = checks
                        .iter()
                        .rposition(|c| c.service.starts_with("cerego"))
                        .map_or(0, |i| i + 1);
                    checks.insert(at, tags_api_note(&name, c.tags_api));
                }
                let mut items = Vec::new();
                for c in &checks {
                    let mark = match c.code {
                        Some(exit::OK) => "✓",
                        Some(_) => "✗",
                        None => "–",
                    };
                    lines.push(format!("  {mark} {}: {}", c.service, c.detail));
                    codes.extend(c.code);
                    items.push(json!({
                        "service": c.service,
                        "ok": c.code.map(|code| code == exit::OK),
                        "skipped": c.code.is_none(),
                        "detail": c.detail,
                    }));
                }
                report.push(json!({
                    "profile": name,
                    "ok": checks.iter().all(|c| c.code.is_none_or(|code| code == exit::OK)),
                    "read_only": profile.read_only,
                    "confirm": profile.confirm,
                    "require_approval": profile.require_approval,
                    "checks": items,
                }));
            }
        }
    }
    let code = worst(codes);
    match format {
        Format::Json => crate::cli::out(&crate::core::printable::json_text(
            &json!({"config": paths.config_file, "ok": code == exit::OK, "exit_code": code, "profiles": report}),
        )),
        Format::Human => {
            for l in lines {
                crate::cli::out(&crate::core::printable::printable(&l));
            }
        }
    }
    code
}
