//! `tagdesk man`: the manual page, generated from the clap definitions (`args`) with
//! clap_mangen, so a new command or option is in it without anyone remembering to add it.
//! One page: NAME, SYNOPSIS, DESCRIPTION and OPTIONS of the top level, COMMANDS with a
//! subsection per command path (its description, synopsis and own options), then what clap
//! does not know: EXIT STATUS (from [`EXIT_CODES_HELP`]), ENVIRONMENT, FILES, EXAMPLES.
//! `--out DIR` writes that page as `tagdesk.1` and clap_mangen's page of every command
//! beside it (`tagdesk-hive-add.1`, …). The pages are reproducible: their date is empty, or
//! `SOURCE_DATE_EPOCH`'s day (UTC) when it is set.

use std::io;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

use super::args::Cli;
use super::{EXIT_CODES_HELP, Format, exit, fail, flush, out, out_raw};
use crate::config;

/// The `.TH` line's date, left empty. It must be written as `""`: clap_mangen writes an
/// empty date as nothing at all, and the source and manual then move one place left.
const NO_DATE: &str = "\"\"";

/// The reproducible-builds variable that dates the pages.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// The `.TH` date of the pages: `SOURCE_DATE_EPOCH`'s day (UTC, YYYY-MM-DD) when it is set
/// and not empty, else empty; a value that is not a Unix time is refused.
pub fn page_date(env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let Some(raw) = env(SOURCE_DATE_EPOCH).filter(|v| !v.is_empty()) else {
        return Ok(NO_DATE.to_string());
    };
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|secs| *secs >= 0)
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .map(|t| t.format("%Y-%m-%d").to_string())
        .ok_or_else(|| {
            format!(
                "{SOURCE_DATE_EPOCH}={} is not a Unix time (whole seconds since \
                 1970-01-01 00:00 UTC, e.g. 1767225600); the manual page was not written",
                crate::core::printable::printable(&raw)
            )
        })
}

/// Runs `tagdesk man [--out DIR]`.
pub fn man_command(dir: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> u8 {
    let date = match page_date(env) {
        Ok(date) => date,
        Err(e) => return fail(Format::Human, &e, exit::USAGE),
    };
    match dir {
        None => match page(&date) {
            Ok(text) => {
                out_raw(&text);
                flush();
                exit::OK
            }
            Err(e) => fail(
                Format::Human,
                &format!("cannot render the manual page: {e}"),
                exit::USAGE,
            ),
        },
        Some(dir) => match write_pages(dir, &date) {
            Ok(files) => {
                for f in files {
                    out(&f.display().to_string());
                }
                exit::OK
            }
            Err(e) => fail(
                Format::Human,
                &format!("cannot write the manual pages into {}: {e}", dir.display()),
                exit::USAGE,
            ),
        },
    }
}

/// The command tree as the page shows it: built (global options propagated, every command
/// named by its path), without clap's `help` subcommands.
fn command() -> clap::Command {
    fn named(cmd: clap::Command) -> clap::Command {
        cmd.subcommand_value_name("command").mut_subcommands(named)
    }
    let mut cmd = named(Cli::command()).disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Every command below the top level, depth first in the order `--help` lists them, with
/// its path (`tagdesk hive add`).
fn command_paths(root: &clap::Command) -> Vec<(String, clap::Command)> {
    fn walk(cmd: &clap::Command, prefix: &str, found: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let path = format!("{prefix} {}", sub.get_name());
            found.push((path.clone(), sub.clone()));
            walk(sub, &path, found);
        }
    }
    let mut found = Vec::new();
    walk(root, root.get_name(), &mut found);
    found
}

/// The whole page, as roff, with this `.TH` date (see [`page_date`]).
pub fn page(date: &str) -> io::Result<String> {
    let root = command();
    let man = Man::new(root.clone())
        .title("TAGDESK")
        .date(date)
        .manual("tagdesk manual");
    let preamble = Roff::new().render();
    let mut text = preamble.clone();
    let chunk = |render: &dyn Fn(&mut Vec<u8>) -> io::Result<()>| -> io::Result<String> {
        let mut buf = Vec::new();
        render(&mut buf)?;
        let s = String::from_utf8_lossy(&buf).into_owned();
        Ok(match s.strip_prefix(preamble.as_str()) {
            Some(rest) => rest.to_string(),
            None => s,
        })
    };
    text += &chunk(&|w| man.render_title(w))?;
    text += &chunk(&|w| man.render_name_section(w))?;
    text += &chunk(&|w| man.render_synopsis_section(w))?;
    text += &chunk(&|w| man.render_description_section(w))?;
    text += &chunk(&|w| man.render_options_section(w))?;
    text += &chunk(&|w| commands_intro(&root).to_writer(w))?;
    for (path, cmd) in command_paths(&root) {
        let sub = Man::new(own_options(cmd));
        text += &chunk(&|w| subsection(&path).to_writer(w))?;
        for render in [
            Man::render_description_section,
            Man::render_synopsis_section,
            Man::render_options_section,
        ] {
            // A subsection's parts are paragraphs of it, not sections of their own.
            text += &demoted(&chunk(&|w| render(&sub, w))?);
        }
    }
    text += &chunk(&|w| closing_sections().to_writer(w))?;
    text += &chunk(&|w| man.render_version_section(w))?;
    Ok(text)
}

/// Writes `tagdesk.1` (the whole page) and a page per command into `dir`; the files written.
fn write_pages(dir: &Path, date: &str) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let main = dir.join("tagdesk.1");
    std::fs::write(&main, page(date)?)?;
    let mut written = vec![main];
    let source = format!("tagdesk {}", env!("CARGO_PKG_VERSION"));
    for (_, cmd) in command_paths(&command()) {
        let man = Man::new(cmd)
            .date(date)
            .source(source.as_str())
            .manual("tagdesk manual");
        let path = dir.join(man.get_filename());
        let mut text = Vec::new();
        man.render(&mut text)?;
        let mut see_also = Roff::new();
        see_also
            .control("SH", ["SEE ALSO"])
            .text([roman("tagdesk(1)")]);
        text.extend(see_also.to_roff().into_bytes());
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

/// The command with the options every command shares (documented once, under OPTIONS)
/// and `--help` hidden.
fn own_options(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| {
        let shared = a.is_global_set() || a.get_id() == "help" || a.get_id() == "version";
        if shared { a.hide(true) } else { a }
    })
}

/// `.SH` lines of a command's rendered part, made paragraph breaks of its subsection.
fn demoted(part: &str) -> String {
    part.lines()
        .map(|l| if l.starts_with(".SH") { ".PP" } else { l })
        .fold(String::new(), |acc, l| acc + l + "\n")
}

fn subsection(path: &str) -> Roff {
    let mut r = Roff::new();
    r.control("SS", [path]);
    r
}

fn commands_intro(root: &clap::Command) -> Roff {
    let without: Vec<String> = root
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && !s.get_arguments().any(|a| a.get_id() == "profile"))
        .map(|s| format!("{} {}", root.get_name(), s.get_name()))
        .collect();
    let mut r = Roff::new();
    r.control("SH", ["COMMANDS"]);
    r.text([roman(format!(
        "Every command, with its own options. The options under OPTIONS may be given before \
         the command or after it (tagdesk hive add --profile prod ...); {} take options of \
         their own only. Every command takes -h, --help.",
        without.join(", ")
    ))]);
    r
}

fn definitions(r: &mut Roff, items: &[(String, String)]) {
    for (term, meaning) in items {
        r.control("TP", []);
        r.text([bold(term.as_str())]);
        r.text([roman(meaning.as_str())]);
    }
}

/// The codes and meanings of [`EXIT_CODES_HELP`], and the closed pipe's status.
fn exit_codes() -> Vec<(String, String)> {
    let mut codes: Vec<(String, String)> = EXIT_CODES_HELP
        .lines()
        .filter_map(|l| {
            let (code, meaning) = l.trim().split_once(' ')?;
            code.parse::<u8>().ok()?;
            Some((code.to_string(), meaning.trim().to_string()))
        })
        .collect();
    codes.push((
        exit::CLOSED_PIPE.to_string(),
        "standard output was closed early (tagdesk log | head): the status of SIGPIPE".into(),
    ));
    codes
}

fn closing_sections() -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["EXIT STATUS"]);
    definitions(&mut r, &exit_codes());
    r.control("PP", []);
    r.text([roman(
        "tagdesk outcomes check exits 0 for a documented body whose message matches (or a \
         documented error body), 1 for a MISMATCH, 2 for anything that is not a Hive response.",
    )]);

    r.control("SH", ["ENVIRONMENT"]);
    let env = [
        (
            config::ENV_CONFIG,
            "The configuration file, when --config is not given.",
        ),
        (
            config::ENV_PROFILE,
            "The profile, when --profile is not given (before the file's default_profile).",
        ),
        (
            config::ENV_HIVE_KEY,
            "The Hive API key, overriding the profile's key source. Without a configuration file it makes a profile named env.",
        ),
        (
            config::ENV_CEREGO_KEY,
            "The Cerego API key, overriding the profile's key source. Without a configuration file it makes a profile named env, with TAGDESK_CEREGO_PARTNER_ID.",
        ),
        (
            config::ENV_CEREGO_PARTNER,
            "The Cerego partner id of the env profile.",
        ),
        (
            config::ENV_HIVE_URL,
            "The Hive base URL, overriding the profile's.",
        ),
        (
            config::ENV_CEREGO_URL,
            "The Cerego base URL, overriding the profile's.",
        ),
        (
            config::ENV_CEREGO_TAGS_API,
            "Which family of Cerego tag endpoints to use, overriding the profile's cerego.tags_api (the demo's too): legacy or set.",
        ),
        (
            config::ENV_DATA_DIR,
            "Where the journal, the workspace and the log are kept.",
        ),
        (
            "TAGDESK_LOG",
            "The console log's level or filter (e.g. debug).",
        ),
        (
            crate::config::XDG_CONFIG_HOME,
            "When set to an absolute path (on every OS): the configuration is $XDG_CONFIG_HOME/tagdesk/config.toml, unless --config or TAGDESK_CONFIG says otherwise.",
        ),
        (
            crate::config::XDG_DATA_HOME,
            "When set to an absolute path (on every OS): the data directory is $XDG_DATA_HOME/tagdesk, unless TAGDESK_DATA_DIR says otherwise.",
        ),
        (
            "NO_COLOR",
            "When set to a non-empty value and --color is not given: no colour in help, errors or the console (its monochrome theme).",
        ),
        (
            "CLICOLOR_FORCE",
            "When set to a value other than empty or 0, and neither --color nor NO_COLOR says otherwise: colour even when not writing to a terminal.",
        ),
        (
            SOURCE_DATE_EPOCH,
            "tagdesk man dates its pages with this Unix time's day (UTC), for reproducible builds; unset, the date is empty.",
        ),
        (
            super::complete::STANDARD_VAR,
            "COMPLETE=SHELL tagdesk prints a completion script (as tagdesk completions SHELL does, with this variable); its calls back set it too.",
        ),
        (
            super::complete::VAR,
            "Set by the completion scripts when they ask tagdesk for candidates; not for use by hand.",
        ),
    ];
    definitions(&mut r, &env.map(|(k, v)| (k.to_string(), v.to_string())));

    r.control("SH", ["FILES"]);
    let files = [
        (
            "~/.config/tagdesk/config.toml",
            "The configuration ($XDG_CONFIG_HOME/tagdesk when set, else the platform configuration directory; tagdesk config path prints where it is and why, tagdesk config init writes a commented template).",
        ),
        (
            "~/.local/share/tagdesk/journal-PROFILE.jsonl",
            "The audit journal of a profile: an intent and an outcome record for every request (rotated files: journal-PROFILE.TIME.jsonl).",
        ),
        (
            "~/.local/share/tagdesk/workspace-PROFILE.json",
            "The Hive patrons tagdesk knows and recent Cerego look-ups (a snapshot; what changed since is appended to workspace-PROFILE.changes.jsonl and folded in now and then).",
        ),
        (
            "~/.local/share/tagdesk/tagdesk.log",
            "The console's log. The data directory is $XDG_DATA_HOME/tagdesk when set, else the platform data directory (TAGDESK_DATA_DIR overrides both).",
        ),
    ];
    definitions(&mut r, &files.map(|(k, v)| (k.to_string(), v.to_string())));

    r.control("SH", ["EXAMPLES"]);
    let examples = [
        (
            "tagdesk",
            "Open the console (demo mode, against a built-in simulator, when nothing is configured).",
        ),
        (
            "tagdesk hive add user_abc123 vip newsletter",
            "Add two tags to a patron, with the profile of the configuration.",
        ),
        (
            "tagdesk --profile prod hive remove user_abc123 vip",
            "Remove a tag with another profile.",
        ),
        (
            "tagdesk hive import tags.csv --dry-run",
            "Check and predict every row of a CSV file; send nothing.",
        ),
        (
            "tagdesk cerego export users.csv",
            "Write the partner's tag values to a file to edit and load back with cerego import (an unedited file sends nothing).",
        ),
        (
            "tagdesk log --since 2h --csv",
            "Export the last two hours of the journal.",
        ),
        (
            "tagdesk outcomes check body.json",
            "Explain a saved Hive response body.",
        ),
        (
            "source <(tagdesk completions bash)",
            "Complete commands, options, profile names and api_fields in bash.",
        ),
        ("tagdesk man | man -l -", "Read this page."),
    ];
    for (command, what) in examples {
        r.control("TP", []);
        r.text([bold(command)]);
        r.text([roman(what)]);
    }

    r.control("SH", ["SEE ALSO"]);
    r.text([
        roman("tagdesk "),
        italic("command"),
        roman(" --help; tagdesk man --out "),
        italic("dir"),
        roman(" writes a page per command (tagdesk-hive-add(1), ...); the documentation in docs/src/ (README.md links every page)."),
    ]);
    r
}
