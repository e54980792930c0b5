//! The command line, as clap reads it. What each command does is in the sibling modules;
//! turning arguments into an Op is `ops`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueHint};
use clap_complete::engine::ArgValueCandidates;

use super::EXIT_CODES_HELP;
pub use super::args_run::{MAX_RATE, MIN_RATE, RunArgs};
use super::complete;
use crate::sim;
use crate::sim::faults::FaultRule;

/// A terminal console for Cerego partner user tags and Hive Moderation patron user_tags.
///
/// With no command it opens the console. Without configuration or API keys it runs in demo
/// mode against a built-in simulator of both APIs.
#[derive(Debug, Parser)]
#[command(name = "tagdesk", version, about, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub common: TopOptions,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The options of the console and of every command that uses a profile, given before the
/// command (`tagdesk --profile prod hive add ...`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TopOptions {
    /// Profile to use (else TAGDESK_PROFILE, else the file's default_profile).
    #[arg(
        long,
        value_name = "NAME",
        add = ArgValueCandidates::new(complete::profiles)
    )]
    pub profile: Option<String>,
    /// Configuration file (default: the platform config dir, e.g. ~/.config/tagdesk/config.toml).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Demo mode: use the built-in simulator, whatever is configured.
    #[arg(long)]
    pub demo: bool,
    /// Refuse every change (reads still work).
    #[arg(long)]
    pub read_only: bool,
    /// The console leaves the mouse to the terminal, so its text selection works without
    /// Shift (clicks and the wheel then do nothing in the console).
    #[arg(long)]
    pub no_mouse: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Answer yes to the confirmation a `confirm = true` profile asks for.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Colour in help, errors and the console. Default: never when NO_COLOR is set (not
    /// empty), always when CLICOLOR_FORCE is (not empty or 0), else auto.
    #[arg(long, global = true, value_name = "WHEN", value_enum)]
    pub color: Option<super::color::When>,
}

/// The same options given after a command (`tagdesk hive add --profile prod ...`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CommandOptions {
    /// Profile to use (else TAGDESK_PROFILE, else the file's default_profile).
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        add = ArgValueCandidates::new(complete::profiles)
    )]
    pub profile: Option<String>,
    /// Configuration file (default: the platform config dir, e.g. ~/.config/tagdesk/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Demo mode: use the built-in simulator, whatever is configured.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Refuse every change (reads still work).
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Print one JSON object instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Answer yes to the confirmation a `confirm = true` profile asks for.
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
}

impl TopOptions {
    /// These options with those given after the command taking precedence.
    pub fn with(&self, after: &CommandOptions) -> TopOptions {
        TopOptions {
            profile: after.profile.clone().or_else(|| self.profile.clone()),
            config: after.config.clone().or_else(|| self.config.clone()),
            demo: self.demo || after.demo,
            read_only: self.read_only || after.read_only,
            no_mouse: self.no_mouse,
            json: self.json || after.json,
            yes: self.yes || after.yes,
            color: self.color,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add or remove Hive patron user_tags.
    #[command(after_help = EXIT_CODES_HELP)]
    Hive {
        #[command(flatten)]
        options: CommandOptions,
        #[command(subcommand)]
        command: HiveCommand,
    },
    /// Add or update Cerego partner user tags, list the partner's users.
    #[command(after_help = EXIT_CODES_HELP)]
    Cerego {
        #[command(flatten)]
        options: CommandOptions,
        #[command(subcommand)]
        command: CeregoCommand,
    },
    /// List, show, resume or undo batches (imports).
    #[command(after_help = EXIT_CODES_HELP)]
    Batch {
        #[command(flatten)]
        options: CommandOptions,
        #[command(subcommand)]
        command: BatchCommand,
    },
    /// Undo one journal entry (an add, remove or update) from its outcome.
    #[command(after_help = EXIT_CODES_HELP)]
    Undo {
        #[command(flatten)]
        options: CommandOptions,
        /// The journal id (see `tagdesk log`).
        #[arg(value_name = "JOURNAL_ID")]
        journal_id: String,
        /// Show what the undo would send; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Undo it again, though an earlier undo of it finished.
        #[arg(long)]
        again: bool,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Check a live application against the documented outcome table: a test patron is
    /// driven through all 14 documented outcomes and the 3 documented errors (exit 0 all
    /// MATCH, 1 drift, 2 nothing sent, 3 refused, 4 unreachable).
    #[command(after_help = EXIT_CODES_HELP)]
    Probe {
        #[command(flatten)]
        options: CommandOptions,
        #[command(subcommand)]
        command: ProbeCommand,
    },
    /// Print or export the audit journal.
    Log {
        #[command(flatten)]
        options: CommandOptions,
        #[command(flatten)]
        args: LogArgs,
    },
    /// Write, check or locate the configuration.
    Config {
        #[command(flatten)]
        options: CommandOptions,
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Give a demo: the console in demo mode plays every documented outcome in order (or a
    /// script's steps), a caption each, pausing between steps; it stays open at the end.
    Demo {
        /// The pause after each step's answer, in milliseconds.
        #[arg(long, value_name = "MS", default_value_t = 2500)]
        step_ms: u64,
        /// Wait for `n` before each step instead of the pause.
        #[arg(long)]
        manual: bool,
        /// A TOML file of steps (scenario keys or operations, captions, faults) instead of
        /// every documented outcome.
        #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
        script: Option<std::path::PathBuf>,
        /// Print every scenario key (for a script's `scenario = "KEY"`) with its title,
        /// instead of giving the demo.
        #[arg(long, conflicts_with_all = ["script", "manual"])]
        list: bool,
        /// With --list: print a JSON list of {"key", "title", "service"}.
        #[arg(long, requires = "list")]
        json: bool,
    },
    /// Print the documented Hive outcome table, or explain a saved response body.
    Outcomes {
        #[command(flatten)]
        options: CommandOptions,
        /// As Markdown tables.
        #[arg(long, conflicts_with = "json")]
        markdown: bool,
        #[command(subcommand)]
        command: Option<OutcomesCommand>,
    },
    /// Print a shell's completion script (bash, zsh, fish, elvish, powershell): it completes
    /// commands, options, profile names and api_fields from the configuration.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff: `tagdesk man | man -l -`), or write it and a page per
    /// command into a directory.
    Man {
        /// Write tagdesk.1 and tagdesk-COMMAND.1 pages into this directory instead.
        #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
        out: Option<PathBuf>,
    },
    /// Show or approve a plan file written by --plan-out (a second person's approval).
    #[command(after_help = EXIT_CODES_HELP)]
    Plan(super::args_plan::PlanArgs),
    /// Run a plan file written by --plan-out, exactly as planned: refused if it was edited,
    /// is stale, is for another profile, or lacks the approval its profile requires.
    #[command(after_help = EXIT_CODES_HELP)]
    Apply {
        #[command(flatten)]
        options: CommandOptions,
        #[command(flatten)]
        args: super::args_plan::ApplyArgs,
    },
    /// Serve the simulator of both APIs standalone (Cerego under /v3, Hive under /api/v1).
    Sim(SimArgs),
}

#[derive(Debug, Subcommand)]
pub enum HiveCommand {
    /// Add tags (api_fields) to a patron; Hive creates an unknown patron.
    Add {
        /// The patron id.
        patron: String,
        /// One or more api_fields (commas also separate).
        #[arg(required = true, add = ArgValueCandidates::new(complete::api_fields))]
        api_fields: Vec<String>,
    },
    /// Remove tags (api_fields) from a patron.
    Remove {
        /// The patron id.
        patron: String,
        /// One or more api_fields (commas also separate).
        #[arg(required = true, add = ArgValueCandidates::new(complete::api_fields))]
        api_fields: Vec<String>,
    },
    /// Add (or with --remove, remove) tags in bulk from a CSV file: columns user_id and
    /// user_tags (a comma-separated list in one cell), with or without a header row.
    Import {
        #[command(flatten)]
        import: ImportArgs,
        /// Remove the listed tags instead of adding them.
        #[arg(long)]
        remove: bool,
        /// Set each patron's scoped tags to exactly the row's list (empty: none): an add of
        /// the listed tags, then a remove of the other scoped ones, sending only what
        /// differs from what tagdesk last confirmed.
        #[arg(long, conflicts_with = "remove")]
        set: bool,
        /// With --set: the api_fields the set covers, comma-separated (default: the
        /// profile's tag catalogue). Tags outside the scope are never touched.
        #[arg(long, value_name = "A,B,…", requires = "set")]
        scope: Option<String>,
    },
    /// Write the patrons tagdesk knows (or --patrons), with the tags it last confirmed, as
    /// a file `hive import` reads back: user_id,user_tags,confirmed_at.
    Export(super::args_export::HiveExportArgs),
}

/// What every import takes.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// The CSV file, or - for standard input.
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: String,
    /// Check and predict every row; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send the valid rows and list the invalid ones (default: any invalid row stops the
    /// whole file).
    #[arg(long)]
    pub skip_invalid: bool,
    #[command(flatten)]
    pub plan_out: super::args_plan::PlanOut,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum ProbeCommand {
    /// Drive one test patron through every documented Hive outcome (adds and removes of two
    /// api_fields the application defines and one it cannot), ending with the patron
    /// holding none of them; each answer checked against the documented message.
    Hive(ProbeArgs),
}

/// What `probe hive` takes.
#[derive(Debug, Clone, clap::Args)]
pub struct ProbeArgs {
    /// The test patron (Hive creates it on the first add).
    #[arg(long, value_name = "ID", default_value = crate::core::probe::DEFAULT_PATRON)]
    pub patron: String,
    /// Two api_fields the application defines (default: the first two of the profile's
    /// hive.tags).
    #[arg(long, value_name = "A,B", add = ArgValueCandidates::new(complete::api_fields))]
    pub fields: Option<String>,
    /// Write the report (the JSON of --json) to this file; never the journal, the data
    /// folder or the configuration.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub save: Option<PathBuf>,
    /// Compare with an earlier --save: name the steps whose message, status or check
    /// changed.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub compare: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum OutcomesCommand {
    /// Explain a saved Hive response body: its scenario, the documented message, MATCH or
    /// MISMATCH with the difference (exit 0 match or a documented error body, 1 mismatch,
    /// 2 not a Hive response).
    Check {
        /// The body (JSON); - or nothing for standard input.
        #[arg(value_name = "FILE", default_value = "-", value_hint = ValueHint::FilePath)]
        file: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BatchCommand {
    /// List the batches of the profile, newest first.
    List,
    /// Show every request of a batch and its outcome.
    Show {
        /// The batch id (see `tagdesk batch list`).
        #[arg(value_name = "ID")]
        batch_id: String,
        /// As CSV (the columns of --results).
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        /// Write the batch's requests as an HTTP Archive (HAR 1.2; keys redacted) to FILE;
        /// - for standard output (see `tagdesk log --har`).
        #[arg(long, value_name = "FILE", conflicts_with = "csv")]
        har: Option<PathBuf>,
        /// With --har: replace a symbolic link, device or other file that is not a regular
        /// file at that path.
        #[arg(long, requires = "har")]
        force: bool,
    },
    /// Send a batch's rows that were never sent or whose outcome is unknown.
    Resume {
        /// The batch id (see `tagdesk batch list`).
        #[arg(value_name = "ID")]
        batch_id: String,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Send again, as a new batch, the rows of a batch that failed, were refused or got
    /// no answer (default: all three), re-planned against what tagdesk knows now.
    Retry(super::args_retry::RetryArgs),
    /// Undo a batch from its outcomes (only what it changed).
    Undo {
        /// The batch id (see `tagdesk batch list`).
        #[arg(value_name = "ID")]
        batch_id: String,
        /// Show what the undo would send; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Undo it again, though an earlier undo of it finished.
        #[arg(long)]
        again: bool,
        #[command(flatten)]
        plan_out: super::args_plan::PlanOut,
        #[command(flatten)]
        run: RunArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum CeregoCommand {
    /// Add a tag of a tag type to a user (only if the user has none of that type).
    Add {
        /// The user id.
        #[arg(long)]
        user: String,
        /// The tag type: its name in the profile's cerego.tag_types (any case, e.g. Cohort)
        /// or its id.
        #[arg(
            long = "type",
            value_name = "TYPE",
            add = ArgValueCandidates::new(complete::tag_types)
        )]
        tag_type: String,
        /// The tag's value.
        value: String,
    },
    /// Change the value of a tag (by the tag's own id).
    Update {
        /// The tag's own id.
        tag_id: String,
        /// The new value.
        value: String,
    },
    /// Set tag values on a user in one request (profiles on Cerego's set API,
    /// `cerego.tags_api = "set"`): each TYPE=VALUE creates the user's tag of that type or
    /// changes its value; types not named are left alone. TYPE is a tag type's name in the
    /// profile's cerego.tag_types (any case) or its id.
    Set {
        /// The user id.
        #[arg(long)]
        user: String,
        /// TYPE=VALUE, one per tag type, by name or id (e.g. Plan=Silver 9=Marketing).
        #[arg(required = true, value_name = "TYPE=VALUE")]
        tags: Vec<String>,
    },
    /// List the partner's users (every page), or look one up.
    Users {
        /// An email or member id.
        #[arg(long)]
        query: Option<String>,
        /// Include the users of the partner's departments (the profile's
        /// `cerego.include_department_users` turns this on for every listing).
        #[arg(long)]
        include_department_users: bool,
    },
    /// Show the API key owner's profile (a harmless check of the key).
    Profile,
    /// Set tag values in bulk from a CSV file: columns user_id, tag_type_id (an id, or a tag
    /// type's name in the profile), value. Each row becomes an add, an update, or nothing
    /// (the value is already set).
    Import {
        #[command(flatten)]
        import: ImportArgs,
    },
    /// Write the partner's users (or --users) as a file `cerego import` reads back:
    /// user_id,tag_type_id,tag_type,value, a row per configured tag type a user has.
    Export(super::args_export::CeregoExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// Only entries since: RFC 3339 time, a date (2026-11-22), or an age (30m, 2h, 7d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only what was done to this patron or Cerego user (or tag): its adds, removes, sets,
    /// and the updates of its tags.
    #[arg(long, value_name = "ID")]
    pub target: Option<String>,
    /// Only entries that failed: refused, an HTTP error, no answer or an unreadable one, or
    /// a Hive answer where some tags failed.
    #[arg(long)]
    pub failed: bool,
    /// Only Hive answers whose message is not the documented one (MISMATCH).
    #[arg(long)]
    pub mismatch: bool,
    /// Only this kind of operation (repeat it, or separate with commas, for several).
    #[arg(
        long,
        value_name = "OP",
        value_delimiter = ',',
        value_parser = clap::builder::PossibleValuesParser::new(crate::core::op::Op::NAMES)
    )]
    pub op: Vec<String>,
    /// Only the last N entries that match (after the other filters).
    #[arg(
        short = 'n',
        long = "last",
        value_name = "N",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub last: Option<u64>,
    /// Export as CSV.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Export as JSON lines (also with the global --json).
    #[arg(long = "jsonl")]
    pub jsonl: bool,
    /// Write the entries that match as an HTTP Archive (HAR 1.2: requests, responses,
    /// timings; keys redacted) to FILE, to attach to a ticket or open in a browser's
    /// developer tools; - for standard output. The places --results refuses are refused.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["csv", "jsonl"])]
    pub har: Option<PathBuf>,
    /// With --har: replace a symbolic link, device or other file that is not a regular file
    /// at that path.
    #[arg(long, requires = "har")]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a commented template (never overwrites).
    Init,
    /// Check every profile (or only --profile NAME): the file parses, keys resolve, and
    /// each API accepts its key.
    Check,
    /// Print where the configuration and data files are.
    Path,
    /// Print the configuration's JSON Schema (editors validate and complete config.toml
    /// with it; `config init` writes it beside the file).
    Schema,
}

#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// Seed file (TOML, the format of assets/demo.toml). Default: the built-in demo seed.
    #[arg(long, conflicts_with = "empty")]
    pub seed: Option<PathBuf>,
    /// Start with no users, no patrons and no tags.
    #[arg(long)]
    pub empty: bool,
    /// Add this many synthetic Cerego users (deterministic, with tags) to the seed; at most
    /// 100,000,000.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = synthetic_count)]
    pub users: u64,
    /// Add this many synthetic Hive patrons (deterministic, with tags) to the seed; at most
    /// 100,000,000.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = synthetic_count)]
    pub patrons: u64,
    /// The Hive API key the simulator accepts.
    #[arg(long, default_value = sim::DEFAULT_HIVE_KEY)]
    pub hive_key: String,
    /// The Cerego API key (bearer token) the simulator accepts.
    #[arg(long, default_value = sim::DEFAULT_CEREGO_KEY)]
    pub cerego_key: String,
    /// Add this much latency to every API request.
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<u64>,
    /// A fault rule, TARGET:KIND[@RATE][*TIMES], e.g. hive.add:503*1, cerego:429=2@0.3 or
    /// hive:rate_limit=20 (429 with Retry-After: 1 past 20 requests in the last second)
    /// (repeatable; see docs/src/simulator.md, Fault injection).
    #[arg(long = "fault", value_name = "RULE")]
    pub faults: Vec<FaultRule>,
    /// Once listening, print a ready [profiles.NAME] block pointing at this simulator (its
    /// URL, its keys, the partner, tag types and api_fields of its seed), to paste into the
    /// configuration.
    #[arg(long, value_name = "NAME")]
    pub print_profile: Option<String>,
}

/// `--users N` / `--patrons N`: refused over the cap before anything is allocated.
fn synthetic_count(raw: &str) -> Result<u64, String> {
    let n: u64 = raw
        .trim()
        .replace(['_', ','], "")
        .parse()
        .map_err(|_| "not a whole number".to_string())?;
    if n > sim::seed::MAX_SYNTHETIC {
        return Err(format!(
            "at most {} (the simulator keeps every row in memory)",
            crate::core::printable::grouped(sim::seed::MAX_SYNTHETIC)
        ));
    }
    Ok(n)
}
