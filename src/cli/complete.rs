//! Shell completion, through clap_complete's dynamic engine: `tagdesk completions SHELL`
//! prints a small script that, on each Tab, runs `TAGDESK_COMPLETE=SHELL tagdesk -- WORDS…`;
//! clap_complete's standard env mode works too (`COMPLETE=SHELL tagdesk` prints a script
//! that calls back with `COMPLETE`); [`answer_if_asked`] answers both from the clap definitions, and the values of `--profile`,
//! of the api_fields of `hive add` / `hive remove` and of `cerego add --type` come from the
//! configuration the completed line would use (its `--config`, `--profile`, `--demo`, else
//! `TAGDESK_CONFIG` / `TAGDESK_PROFILE`, else the platform file; demo mode: the demo seed).
//!
//! Completion only reads the configuration file: no key is resolved (no `api_key_cmd` runs),
//! nothing is sent, and a file that cannot be read or parsed completes nothing, silently.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;
use clap_complete::env::{CompleteEnv, Shells};

use super::args::Cli;
use crate::config::{self, FileConfig, Paths};
use crate::core::domain::{HiveTag, TagType};

/// The variable the scripts of `tagdesk completions` set to ask tagdesk for completions.
pub const VAR: &str = "TAGDESK_COMPLETE";
/// clap_complete's standard variable: `COMPLETE=bash tagdesk` prints the registration
/// script, whose calls back set it too.
pub const STANDARD_VAR: &str = "COMPLETE";

/// When a shell's completion script started this process (through either variable), prints
/// the candidates for the line it passed and exits 0; `COMPLETE=SHELL tagdesk` with no line
/// prints the registration script and exits 0; otherwise returns at once. Runs before
/// anything is printed. An unknown shell in the variable is refused (exit 2).
pub fn answer_if_asked() {
    for var in [VAR, STANDARD_VAR] {
        CompleteEnv::with_factory(Cli::command)
            .var(var)
            .bin("tagdesk")
            .complete();
    }
}

/// The script `tagdesk completions SHELL` prints: it registers a completion function that
/// calls back into this binary.
pub fn registration(shell: clap_complete::Shell) -> Vec<u8> {
    let mut text = Vec::new();
    let name = shell.to_string();
    match Shells::builtins().completer(&name) {
        Some(completer) => {
            let written = completer.write_registration(
                VAR,
                "tagdesk",
                "tagdesk",
                &completer_path(),
                &mut text,
            );
            if written.is_err() {
                text.clear();
            }
        }
        // A shell the dynamic engine does not know: the static script (no configuration).
        None => clap_complete::generate(shell, &mut Cli::command(), "tagdesk", &mut text),
    }
    text
}

/// The program the script calls: as this one was started (made absolute when it was given
/// as a relative path with a directory, e.g. `./target/debug/tagdesk`), as clap does.
fn completer_path() -> String {
    let started = std::env::args_os()
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("tagdesk"));
    let path = if started.components().count() > 1 && started.is_relative() {
        let relative: PathBuf = started
            .components()
            .filter(|c| *c != std::path::Component::CurDir)
            .collect();
        std::env::current_dir()
            .map(|d| d.join(relative))
            .unwrap_or(started)
    } else {
        started
    };
    path.to_string_lossy().into_owned()
}

/// Candidates for `--profile`: the profiles of the configuration file (and `env` when the
/// `TAGDESK_*` keys make one).
pub fn profiles() -> Vec<CompletionCandidate> {
    let line = Line::of_this_process();
    let mut names: Vec<String> = match line.config() {
        Some(file) => file.profiles.keys().cloned().collect(),
        None => Vec::new(),
    };
    if env_keys_set() && !names.iter().any(|n| n == config::ENV_PROFILE_NAME) {
        names.push(config::ENV_PROFILE_NAME.to_string());
    }
    names.into_iter().map(CompletionCandidate::new).collect()
}

/// Candidates for an api_field: the Hive tag catalogue of the profile the line would use.
pub fn api_fields() -> Vec<CompletionCandidate> {
    Line::of_this_process()
        .catalogues()
        .map(|(tags, _)| tags)
        .unwrap_or_default()
        .into_iter()
        .map(|t| described(t.api_field.as_str(), &t.name))
        .collect()
}

/// Candidates for `cerego add --type`: the tag types of the profile the line would use.
pub fn tag_types() -> Vec<CompletionCandidate> {
    tag_type_candidates(
        Line::of_this_process()
            .catalogues()
            .map(|(_, types)| types)
            .unwrap_or_default(),
    )
}

/// Each tag type by its name, the id beside it; by its id (the name beside it) when the
/// name is not one plain word a shell passes as it is.
fn tag_type_candidates(types: Vec<TagType>) -> Vec<CompletionCandidate> {
    types
        .into_iter()
        .map(|t| {
            let name = t.name.trim();
            let plain = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '+'));
            if plain {
                described(name, &format!("tag type {}", t.id))
            } else {
                described(t.id.as_str(), name)
            }
        })
        .collect()
}

fn described(value: &str, name: &str) -> CompletionCandidate {
    let candidate = CompletionCandidate::new(value);
    if name.is_empty() || name == value {
        candidate
    } else {
        candidate.help(Some(name.to_string().into()))
    }
}

fn env_keys_set() -> bool {
    [config::ENV_HIVE_KEY, config::ENV_CEREGO_KEY]
        .iter()
        .any(|v| super::env(v).is_some_and(|k| !k.trim().is_empty()))
}

/// What the line being completed says about the configuration.
#[derive(Debug, Default, PartialEq)]
struct Line {
    config: Option<PathBuf>,
    profile: Option<String>,
    demo: bool,
}

impl Line {
    /// The completed line is this process's arguments after the first `--`.
    fn of_this_process() -> Self {
        let args: Vec<OsString> = std::env::args_os().collect();
        let start = args
            .iter()
            .position(|a| a == "--")
            .map_or(args.len(), |i| i + 1);
        Self::of(&args[start..])
    }

    /// `--config`, `--profile` and `--demo` wherever they are, up to a `--` of the line.
    fn of(words: &[OsString]) -> Self {
        let mut line = Self::default();
        let words: Vec<String> = words
            .iter()
            .map(|w| w.to_string_lossy().into_owned())
            .collect();
        let mut i = 0;
        while i < words.len() {
            let word = words[i].as_str();
            if word == "--" {
                break;
            }
            let next = words.get(i + 1).cloned();
            if word == "--demo" {
                line.demo = true;
            } else if let Some(v) = word.strip_prefix("--config=") {
                line.config = Some(expand_home(v));
            } else if let Some(v) = word.strip_prefix("--profile=") {
                line.profile = Some(v.to_string());
            } else if word == "--config" {
                line.config = next.as_deref().map(expand_home);
                i += 1;
            } else if word == "--profile" {
                line.profile = next;
                i += 1;
            }
            i += 1;
        }
        line.profile = line.profile.filter(|p| !p.is_empty());
        line
    }

    /// The configuration file the line would read; None when there is none or it cannot be
    /// read or parsed (completion then offers nothing).
    fn config(&self) -> Option<FileConfig> {
        let paths = Paths::resolve(self.config.as_deref(), &super::env);
        match config::load(&paths.config_file) {
            Ok(Some((file, _))) => Some(file),
            Ok(None) | Err(_) => None,
        }
    }

    /// The Hive catalogue and Cerego tag types of the profile the line would use, chosen as
    /// `session::prepare` chooses (without resolving any key); None when that would fail.
    fn catalogues(&self) -> Option<(Vec<HiveTag>, Vec<TagType>)> {
        if self.demo {
            return Some(demo());
        }
        let paths = Paths::resolve(self.config.as_deref(), &super::env);
        let file = match config::load(&paths.config_file) {
            Ok(Some((file, _))) => Some(file),
            // A `--config` file that does not exist stops a real run.
            Ok(None) if self.config.is_some() => return None,
            Ok(None) => None,
            Err(_) => return None,
        };
        match file.filter(|f| !f.profiles.is_empty()) {
            Some(file) => {
                // `--profile env` names the profile of the `TAGDESK_*` keys: no catalogue.
                if self.profile.as_deref() == Some(config::ENV_PROFILE_NAME)
                    && !file.profiles.contains_key(config::ENV_PROFILE_NAME)
                {
                    return None;
                }
                let flag = self.profile.as_deref();
                let name =
                    config::choose_profile(&file, flag, &super::env, &paths.config_file).ok()?;
                let profile = file.profiles.get(&name)?;
                Some((
                    profile
                        .hive
                        .as_ref()
                        .map(|h| h.tags.clone())
                        .unwrap_or_default(),
                    profile
                        .cerego
                        .as_ref()
                        .map(|c| c.tag_types.clone())
                        .unwrap_or_default(),
                ))
            }
            // No profiles: a profile named on the line, or the `env` profile, has no
            // catalogue; else demo mode.
            None if self.profile.is_some() || env_keys_set() => None,
            None => Some(demo()),
        }
    }
}

fn demo() -> (Vec<HiveTag>, Vec<TagType>) {
    let seed = crate::sim::seed::Seed::demo();
    (seed.hive.tags, seed.cerego.tag_types)
}

/// `~/x` as the shell would have expanded it (the completed line holds the word as typed).
fn expand_home(word: &str) -> PathBuf {
    match (word.strip_prefix("~/"), super::env("HOME")) {
        (Some(rest), Some(home)) if !home.is_empty() => Path::new(&home).join(rest),
        _ => PathBuf::from(word),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &[&str]) -> Line {
        let words: Vec<OsString> = words.iter().map(OsString::from).collect();
        Line::of(&words)
    }

    #[test]
    fn tag_types_complete_by_name_with_the_id_beside_it() {
        let types: Vec<TagType> = [("3", "Cohort"), ("5", "Sales region"), ("7", "")]
            .iter()
            .map(|(id, name)| TagType {
                id: crate::core::domain::TagTypeId::parse(id).unwrap(),
                name: name.to_string(),
            })
            .collect();
        let got: Vec<(String, Option<String>)> = tag_type_candidates(types)
            .iter()
            .map(|c| {
                (
                    c.get_value().to_string_lossy().into_owned(),
                    c.get_help().map(|h| h.to_string()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Cohort".to_string(), Some("tag type 3".to_string())),
                // A name with a space would need quoting: its id, the name beside it.
                ("5".to_string(), Some("Sales region".to_string())),
                ("7".to_string(), None),
            ]
        );
    }

    #[test]
    fn the_line_names_config_profile_and_demo_anywhere() {
        assert_eq!(
            line(&[
                "tagdesk",
                "--config",
                "/c.toml",
                "hive",
                "add",
                "--profile=prod",
                "p",
                ""
            ]),
            Line {
                config: Some("/c.toml".into()),
                profile: Some("prod".into()),
                demo: false,
            }
        );
        let l = line(&[
            "tagdesk",
            "hive",
            "--demo",
            "add",
            "--profile",
            "",
            "--",
            "--demo",
        ]);
        assert!(l.demo && l.profile.is_none() && l.config.is_none(), "{l:?}");
        // After the line's own `--`, words are values.
        assert!(!line(&["tagdesk", "hive", "add", "--", "--demo"]).demo);
        // A flag at the end, its value not typed yet.
        assert_eq!(line(&["tagdesk", "--profile"]), Line::default());
    }
}
