//! `tagdesk log`: the journal as text, CSV or JSON, streamed.

use super::args::LogArgs;
use super::{Format, env, exit};
use crate::config;
use crate::core::printable::printable;
use crate::session::Options;

/// The journal `tagdesk log` reads: `--demo`'s, `--profile`'s (which must be a profile of the
/// configuration, or `env`), else the profile tagdesk would use.
fn log_profile(options: &Options, paths: &config::Paths) -> Result<String, String> {
    if options.demo {
        return Ok("demo".into());
    }
    let loaded = config::load(&paths.config_file).map_err(|e| e.0)?;
    let names: Vec<String> = loaded
        .as_ref()
        .map(|(f, _)| f.profiles.keys().cloned().collect())
        .unwrap_or_default();
    match (&options.profile, &loaded) {
        (Some(name), _) if names.contains(name) || name == config::ENV_PROFILE_NAME => {
            Ok(name.clone())
        }
        (Some(name), _) => Err(format!(
            "profile \"{name}\" is not in {}; profiles: {}",
            paths.config_file.display(),
            if names.is_empty() {
                "none defined".to_string()
            } else {
                names.join(", ")
            }
        )),
        (None, Some((file, _))) if !file.profiles.is_empty() => {
            config::choose_profile(file, None, &env, &paths.config_file).map_err(|e| e.0)
        }
        (None, _) => match config::profile_from_env(&env) {
            Ok(Some(p)) => Ok(p.name),
            Ok(None) => Ok("demo".into()),
            Err(e) => Err(e.0),
        },
    }
}

pub fn log_command(args: LogArgs, options: &Options, format: Format) -> u8 {
    let paths = config::Paths::resolve(options.config.as_deref(), &env);
    let profile = match log_profile(options, &paths) {
        Ok(p) => p,
        Err(m) => return super::fail(format, &m, exit::USAGE),
    };
    let since = match &args.since {
        Some(s) => match crate::engine::journal::parse_since(s, chrono::Utc::now()) {
            Ok(t) => Some(t),
            Err(e) => return super::fail(format, &format!("--since: {e}"), exit::USAGE),
        },
        None => None,
    };
    let path = crate::engine::journal::file_for(&paths.data_dir, &profile);
    let files = crate::engine::journal::files_of(&path);
    if !files.iter().any(|f| f.exists()) {
        super::err(&printable(&format!(
            "tagdesk: no journal for profile {profile} yet ({})",
            path.display()
        )));
        return exit::OK;
    }
    if args.csv {
        super::out_raw(crate::engine::journal::csv_header());
    }
    let jsonl = args.jsonl || format == Format::Json;
    let streamed = crate::engine::journal::stream(&path, since, |entry| {
        let text = if args.csv {
            crate::engine::journal::csv_row(&entry)
        } else if jsonl {
            crate::engine::journal::json_entry(&entry)
        } else {
            crate::engine::journal::human_entry(&entry)
        };
        super::out_raw(&text);
        Ok(())
    });
    let report = match streamed {
        Ok(r) => r,
        Err(e) => return super::fail(format, &e.to_string(), exit::USAGE),
    };
    super::flush();
    print_problems(&report.problems);
    if report.entries == 0 {
        let when = match (&args.since, since) {
            (Some(text), Some(t)) => format!(
                " since {text} ({})",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            _ => String::new(),
        };
        super::err(&format!(
            "tagdesk: no entries{when} in the journal of profile {}",
            printable(&profile)
        ));
    }
    exit::OK
}

/// Reports the journal's unreadable lines on standard error, one line each: the file,
/// where, and why (what `tagdesk log` and the batch commands print).
pub(crate) fn print_problems(
    problems: &[(std::path::PathBuf, crate::engine::journal::Spot, String)],
) {
    for (file, spot, problem) in problems {
        super::err(&printable(&format!(
            "tagdesk: {}: {spot}: {problem}",
            file.display()
        )));
    }
}
