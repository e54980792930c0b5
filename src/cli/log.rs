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
    // A HAR file is checked before the journal is read: a refused path sends nothing anyway,
    // but it should not cost a scan of the journal first.
    let har = match &args.har {
        Some(file) => match har_target(&paths, file, args.force, format) {
            Ok(t) => Some(t),
            Err(m) => return super::fail(format, &m, exit::USAGE),
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
    let filter = crate::engine::journal::Filter {
        target: args.target.clone(),
        failed: args.failed,
        mismatch: args.mismatch,
        ops: args.op.clone(),
    };
    if args.csv {
        super::out_raw(crate::engine::journal::csv_header());
    }
    let jsonl = args.jsonl || format == Format::Json;
    let mut for_har: Vec<crate::engine::journal::Entry> = Vec::new();
    let print = |entry: &crate::engine::journal::Entry| {
        let text = if args.csv {
            crate::engine::journal::csv_row(entry)
        } else if jsonl {
            crate::engine::journal::json_entry(entry)
        } else {
            crate::engine::journal::human_entry(entry)
        };
        super::out_raw(&text);
    };
    // `--last N` holds the N latest matches (and no more) until the end of the journal.
    let keep = args.last.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let mut latest: std::collections::VecDeque<crate::engine::journal::Entry> =
        std::collections::VecDeque::new();
    let mut shown = 0usize;
    let streamed = crate::engine::journal::stream(&path, since, |entry| {
        if !filter.matches(&entry) {
            return Ok(());
        }
        shown += 1;
        match keep {
            Some(n) => {
                if latest.len() == n {
                    latest.pop_front();
                }
                latest.push_back(entry);
            }
            None if har.is_some() => for_har.push(entry),
            None => print(&entry),
        }
        Ok(())
    });
    let report = match streamed {
        Ok(r) => r,
        Err(e) => return super::fail(format, &e.to_string(), exit::USAGE),
    };
    if let Some(target) = &har {
        for_har.extend(latest);
        if let Err(m) = write_har(target, &for_har) {
            return super::fail(format, &m, exit::USAGE);
        }
    } else {
        latest.iter().for_each(print);
    }
    super::flush();
    print_problems(&report.problems);
    if shown == 0 {
        let when = match (&args.since, since) {
            (Some(text), Some(t)) => format!(
                " since {text} ({})",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            _ => String::new(),
        };
        let what = if filter.is_empty() {
            "no entries".to_string()
        } else {
            format!("no entries match {}", filters_given(&args))
        };
        super::err(&printable(&format!(
            "tagdesk: {what}{when} in the journal of profile {profile}"
        )));
    }
    exit::OK
}

/// Where `--har FILE` writes, checked as `--results` is (never the journal, the data folder
/// or the configuration; a non-regular file only with `--force`). `-` is standard output,
/// which `--json` already writes to.
pub(crate) fn har_target(
    paths: &config::Paths,
    file: &std::path::Path,
    force: bool,
    format: Format,
) -> Result<super::results::Target, String> {
    let target = super::results::check_as(paths, "--har", file, None, force, true)?;
    if target == super::results::Target::Stdout && format == Format::Json {
        return Err("--har - and --json both write to standard output: give --har a file".into());
    }
    Ok(target)
}

/// Writes `entries` as HAR 1.2 where [`har_target`] said, 0600 and whole, and says so on
/// standard error.
pub(crate) fn write_har(
    target: &super::results::Target,
    entries: &[crate::engine::journal::Entry],
) -> Result<(), String> {
    let har = crate::engine::journal::har::to_har(entries);
    let mut text = crate::core::printable::json_text(&har);
    text.push('\n');
    match target {
        super::results::Target::Stdout => super::out_raw(&text),
        super::results::Target::File { given, full } => {
            crate::engine::fs::write_private(full, text)
                .map_err(|e| format!("--har {}: {e}", given.display()))?;
            super::err(&printable(&format!(
                "tagdesk: {} written to {} (HAR 1.2; keys redacted)",
                crate::core::printable::plural(entries.len() as u64, "entry", "entries"),
                given.display()
            )));
        }
    }
    Ok(())
}

/// The filters given, as they were typed (`--target p1 --failed`), for the message that
/// says nothing matched.
fn filters_given(args: &LogArgs) -> String {
    let mut given = Vec::new();
    if let Some(t) = &args.target {
        given.push(format!("--target {t}"));
    }
    if args.failed {
        given.push("--failed".into());
    }
    if args.mismatch {
        given.push("--mismatch".into());
    }
    if !args.op.is_empty() {
        given.push(format!("--op {}", args.op.join(",")));
    }
    given.join(" ")
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
