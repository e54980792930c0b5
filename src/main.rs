#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use tagdesk::cli::{self, EXIT_CODES_HELP, Format, exit};
use tagdesk::config::{self, ConfigError};
use tagdesk::core::domain::{
    ApiField, CeregoUserId, LookupQuery, PatronId, TagId, TagTypeId, TagValue,
};
use tagdesk::core::op::Op;
use tagdesk::core::printable::{self, printable};
use tagdesk::session::{self, Options, Session};
use tagdesk::sim::faults::FaultRule;
use tagdesk::sim::seed::Seed;
use tagdesk::sim::{self, SimOptions, Simulator};

/// A terminal console for Cerego partner user tags and Hive Moderation patron user_tags.
///
/// With no command it opens the console. Without configuration or API keys it runs in demo
/// mode against a built-in simulator of both APIs.
#[derive(Debug, Parser)]
#[command(name = "tagdesk", version, about, after_help = EXIT_CODES_HELP)]
struct Cli {
    #[command(flatten)]
    common: TopOptions,
    #[command(subcommand)]
    command: Option<Command>,
}

/// The options of the console and of every command that uses a profile, given before the
/// command (`tagdesk --profile prod hive add ...`).
#[derive(Debug, Clone, Default, clap::Args)]
struct TopOptions {
    /// Profile to use (else TAGDESK_PROFILE, else the file's default_profile).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Configuration file (default: the platform config dir, e.g. ~/.config/tagdesk/config.toml).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Demo mode: use the built-in simulator, whatever is configured.
    #[arg(long)]
    demo: bool,
    /// Refuse every change (reads still work).
    #[arg(long)]
    read_only: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Answer yes to the confirmation a `confirm = true` profile asks for.
    #[arg(long, short = 'y')]
    yes: bool,
}

/// The same options given after a command (`tagdesk hive add --profile prod ...`).
#[derive(Debug, Clone, Default, clap::Args)]
struct CommandOptions {
    /// Profile to use (else TAGDESK_PROFILE, else the file's default_profile).
    #[arg(long, global = true, value_name = "NAME")]
    profile: Option<String>,
    /// Configuration file (default: the platform config dir, e.g. ~/.config/tagdesk/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Demo mode: use the built-in simulator, whatever is configured.
    #[arg(long, global = true)]
    demo: bool,
    /// Refuse every change (reads still work).
    #[arg(long, global = true)]
    read_only: bool,
    /// Print one JSON object instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Answer yes to the confirmation a `confirm = true` profile asks for.
    #[arg(long, short = 'y', global = true)]
    yes: bool,
}

impl TopOptions {
    /// These options with those given after the command taking precedence.
    fn with(&self, after: &CommandOptions) -> TopOptions {
        TopOptions {
            profile: after.profile.clone().or_else(|| self.profile.clone()),
            config: after.config.clone().or_else(|| self.config.clone()),
            demo: self.demo || after.demo,
            read_only: self.read_only || after.read_only,
            json: self.json || after.json,
            yes: self.yes || after.yes,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
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
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Serve the simulator of both APIs standalone (Cerego under /v3, Hive under /api/v1).
    Sim(SimArgs),
}

#[derive(Debug, Subcommand)]
enum HiveCommand {
    /// Add tags (api_fields) to a patron; Hive creates an unknown patron.
    Add {
        /// The patron id.
        patron: String,
        /// One or more api_fields (commas also separate).
        #[arg(required = true)]
        api_fields: Vec<String>,
    },
    /// Remove tags (api_fields) from a patron.
    Remove {
        patron: String,
        #[arg(required = true)]
        api_fields: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum CeregoCommand {
    /// Add a tag of a tag type to a user (only if the user has none of that type).
    Add {
        /// The user id.
        #[arg(long)]
        user: String,
        /// The tag type id.
        #[arg(long = "type", value_name = "TAG_TYPE_ID")]
        tag_type: String,
        /// The tag's value.
        value: String,
    },
    /// Change the value of a tag (by the tag's own id).
    Update { tag_id: String, value: String },
    /// List the partner's users (every page), or look one up.
    Users {
        /// An email or member id.
        #[arg(long)]
        query: Option<String>,
    },
    /// Show the API key owner's profile (a harmless check of the key).
    Profile,
}

#[derive(Debug, clap::Args)]
struct LogArgs {
    /// Only entries since: RFC 3339 time, a date (2026-11-22), or an age (30m, 2h, 7d).
    #[arg(long, value_name = "WHEN")]
    since: Option<String>,
    /// Export as CSV.
    #[arg(long, conflicts_with = "json")]
    csv: bool,
    /// Export as JSON lines (also with the global --json).
    #[arg(long = "jsonl")]
    jsonl: bool,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Write a commented template (never overwrites).
    Init,
    /// Check every profile (or only --profile NAME): the file parses, keys resolve, and
    /// each API accepts its key.
    Check,
    /// Print where the configuration and data files are.
    Path,
}

#[derive(Debug, clap::Args)]
struct SimArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Seed file (TOML, the format of assets/demo.toml). Default: the built-in demo seed.
    #[arg(long, conflicts_with = "empty")]
    seed: Option<PathBuf>,
    /// Start with no users, no patrons and no tags.
    #[arg(long)]
    empty: bool,
    /// The Hive API key the simulator accepts.
    #[arg(long, default_value = sim::DEFAULT_HIVE_KEY)]
    hive_key: String,
    /// The Cerego API key (bearer token) the simulator accepts.
    #[arg(long, default_value = sim::DEFAULT_CEREGO_KEY)]
    cerego_key: String,
    /// Add this much latency to every API request.
    #[arg(long, value_name = "MS")]
    latency_ms: Option<u64>,
    /// A fault rule, TARGET:KIND[@RATE][*TIMES], e.g. hive.add:503*1 or cerego:429=2@0.3
    /// (repeatable; see the README).
    #[arg(long = "fault", value_name = "RULE")]
    faults: Vec<FaultRule>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn options_of(top: &TopOptions) -> (Options, Format) {
    let format = if top.json {
        Format::Json
    } else {
        Format::Human
    };
    let options = Options {
        profile: top.profile.clone(),
        config: top.config.clone(),
        demo: top.demo,
        read_only: top.read_only,
    };
    (options, format)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        None => {
            let (options, _) = options_of(&cli.common);
            return run_console(options);
        }
        Some(Command::Sim(args)) => return run_sim(args),
        Some(Command::Completions { shell }) => {
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "tagdesk", &mut text);
            cli::out_raw(&String::from_utf8_lossy(&text));
            cli::flush();
            exit::OK
        }
        Some(Command::Config { options, command }) => {
            let top = cli.common.with(&options);
            let (options, format) = options_of(&top);
            config_command(command, &options, format)
        }
        Some(Command::Log { options, args }) => {
            let top = cli.common.with(&options);
            let (options, format) = options_of(&top);
            log_command(args, &options, format)
        }
        Some(Command::Hive { options, command }) => {
            let top = cli.common.with(&options);
            let (options, format) = options_of(&top);
            match hive_op(command) {
                Ok(op) => block_on(format, async move {
                    let session = open_session(&options, format).await?;
                    let code = cli::run_op(&session, op, format, top.yes).await;
                    close(session).await;
                    Ok(code)
                }),
                Err(e) => cli::fail(format, &e, exit::USAGE),
            }
        }
        Some(Command::Cerego { options, command }) => {
            let top = cli.common.with(&options);
            let (options, format) = options_of(&top);
            block_on(format, async move {
                let session = open_session(&options, format).await?;
                let code = match cerego_op(command, &session) {
                    Ok(op) => cli::run_op(&session, op, format, top.yes).await,
                    Err(e) => cli::fail(format, &e, exit::USAGE),
                };
                close(session).await;
                Ok(code)
            })
        }
    };
    ExitCode::from(code)
}

fn hive_op(c: HiveCommand) -> Result<Op, String> {
    let (patron, fields, add) = match c {
        HiveCommand::Add { patron, api_fields } => (patron, api_fields, true),
        HiveCommand::Remove { patron, api_fields } => (patron, api_fields, false),
    };
    let patron = PatronId::parse(&patron).map_err(|e| e.to_string())?;
    let mut parsed: Vec<ApiField> = Vec::new();
    // Each argument is one api_field; commas may also separate them. A space inside an
    // argument is refused (api_fields use underscores), not silently split.
    for raw in &fields {
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let f = ApiField::parse(part).map_err(|e| e.to_string())?;
            if !parsed.contains(&f) {
                parsed.push(f);
            }
        }
    }
    if parsed.is_empty() {
        return Err("api_fields: give at least one api_field".into());
    }
    Ok(if add {
        Op::HiveAdd {
            patron,
            fields: parsed,
        }
    } else {
        Op::HiveRemove {
            patron,
            fields: parsed,
        }
    })
}

fn cerego_op(c: CeregoCommand, session: &Session) -> Result<Op, String> {
    Ok(match c {
        CeregoCommand::Add {
            user,
            tag_type,
            value,
        } => Op::CeregoAdd {
            user: CeregoUserId::parse(&user).map_err(|e| e.to_string())?,
            tag_type: TagTypeId::parse(&tag_type).map_err(|e| e.to_string())?,
            value: TagValue::parse(&value).map_err(|e| e.to_string())?,
        },
        CeregoCommand::Update { tag_id, value } => Op::CeregoUpdate {
            tag: TagId::parse(&tag_id).map_err(|e| e.to_string())?,
            value: TagValue::parse(&value).map_err(|e| e.to_string())?,
        },
        CeregoCommand::Users { query } => {
            let partner = session
                .profile
                .cerego
                .as_ref()
                .map(|c| c.partner_id.clone())
                .ok_or_else(|| {
                    match session
                        .profile
                        .unavailable(tagdesk::core::op::Service::Cerego)
                    {
                        Some(u) => format!("{}: nothing was sent", u.reason),
                        None => format!(
                            "Cerego is not configured in profile {}: nothing was sent",
                            session.profile.name
                        ),
                    }
                })?;
            let query = query
                .map(|q| LookupQuery::parse(&q).map(|q| q.to_string()))
                .transpose()
                .map_err(|e| e.to_string())?;
            Op::CeregoListUsers { partner, query }
        }
        CeregoCommand::Profile => Op::CeregoProfile,
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Runtime::new().map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// Runs a command's future to its exit code.
fn block_on(format: Format, fut: impl std::future::Future<Output = Result<u8, u8>>) -> u8 {
    match runtime() {
        Ok(rt) => match rt.block_on(fut) {
            Ok(code) | Err(code) => code,
        },
        Err(e) => cli::fail(format, &e, exit::USAGE),
    }
}

/// Opens the session; configuration problems are reported and exit 2.
async fn open_session(options: &Options, format: Format) -> Result<Session, u8> {
    let session = session::open(options, &env)
        .await
        .map_err(|ConfigError(m)| cli::fail(format, &m, exit::USAGE))?;
    if session.profile.demo {
        cli::err(&format!("tagdesk: {}", session::demo_notice()));
    }
    for w in &session.warnings {
        cli::err(&format!("tagdesk: warning: {}", printable(w)));
    }
    Ok(session)
}

async fn close(session: Session) {
    if let Some(sim) = session.simulator {
        sim.shutdown().await;
    }
}

/// The console. Switching profile ends one run and starts the next on the profile the
/// console already resolved (a switch that cannot resolve fails in place, in the console).
fn run_console(mut options: Options) -> ExitCode {
    if let Err(e) = color_eyre::install() {
        cli::err(&format!("tagdesk: {e}"));
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            cli::err(&format!("tagdesk: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let _log_guard = tagdesk::engine::logging::init(
        &config::Paths::resolve(options.config.as_deref(), &env).data_dir,
    );
    let result = rt.block_on(async {
        let mut next: Option<session::Prepared> = None;
        loop {
            let prepared = match next.take() {
                Some(prepared) => prepared,
                // Before the console takes the terminal: say why the screen waits.
                None => session::prepare_announcing(&options, &env, &|name| {
                    cli::err(&format!(
                        "tagdesk: running api_key_cmd for profile {}…",
                        printable(name)
                    ))
                })
                .map_err(|e| color_eyre::eyre::eyre!(e.0))?,
            };
            let session = session::start(prepared, &options)
                .await
                .map_err(|e| color_eyre::eyre::eyre!(e.0))?;
            let end = tagdesk::tui::run(&session, &options).await;
            if let Some(sim) = session.simulator {
                sim.shutdown().await;
            }
            match end? {
                tagdesk::tui::RunEnd::Quit => return Ok::<(), color_eyre::Report>(()),
                tagdesk::tui::RunEnd::Switch(prepared) => {
                    options.profile = prepared.profile.as_ref().map(|p| p.name.clone());
                    options.demo = false;
                    next = Some(*prepared);
                }
            }
        }
    });
    rt.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            cli::err(&format!("tagdesk: {}", printable(&e.to_string())));
            ExitCode::from(exit::USAGE)
        }
    }
}

fn config_command(c: ConfigCommand, options: &Options, format: Format) -> u8 {
    let paths = config::Paths::resolve(options.config.as_deref(), &env);
    match c {
        ConfigCommand::Path => {
            match format {
                Format::Json => cli::out(&printable::json_text(
                    &serde_json::json!({"config": paths.config_file, "data": paths.data_dir}),
                )),
                Format::Human => {
                    cli::out(&printable(&format!(
                        "config: {}",
                        paths.config_file.display()
                    )));
                    cli::out(&printable(&format!("data:   {}", paths.data_dir.display())));
                }
            }
            exit::OK
        }
        ConfigCommand::Init => {
            if paths.config_file.exists() {
                return cli::fail(
                    format,
                    &format!(
                        "{} already exists; it was left as it is",
                        paths.config_file.display()
                    ),
                    exit::USAGE,
                );
            }
            match config::write_new_private(&paths.config_file, config::TEMPLATE) {
                Ok(()) => {
                    cli::out(&printable(&format!(
                        "wrote {} (mode 0600); edit it, then run: tagdesk config check",
                        paths.config_file.display()
                    )));
                    exit::OK
                }
                Err(e) => cli::fail(
                    format,
                    &format!("cannot write {}: {e}", paths.config_file.display()),
                    exit::USAGE,
                ),
            }
        }
        ConfigCommand::Check => match runtime() {
            Ok(rt) => rt.block_on(tagdesk::check::run(
                &paths,
                format,
                &env,
                options.profile.as_deref(),
            )),
            Err(e) => cli::fail(format, &e, exit::USAGE),
        },
    }
}

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

fn log_command(args: LogArgs, options: &Options, format: Format) -> u8 {
    let paths = config::Paths::resolve(options.config.as_deref(), &env);
    let profile = match log_profile(options, &paths) {
        Ok(p) => p,
        Err(m) => return cli::fail(format, &m, exit::USAGE),
    };
    let since = match &args.since {
        Some(s) => match tagdesk::engine::journal::parse_since(s, chrono::Utc::now()) {
            Ok(t) => Some(t),
            Err(e) => return cli::fail(format, &format!("--since: {e}"), exit::USAGE),
        },
        None => None,
    };
    let path = tagdesk::engine::journal::file_for(&paths.data_dir, &profile);
    let files = tagdesk::engine::journal::files_of(&path);
    if !files.iter().any(|f| f.exists()) {
        cli::err(&printable(&format!(
            "tagdesk: no journal for profile {profile} yet ({})",
            path.display()
        )));
        return exit::OK;
    }
    if args.csv {
        cli::out_raw(tagdesk::engine::journal::csv_header());
    }
    let jsonl = args.jsonl || format == Format::Json;
    let streamed = tagdesk::engine::journal::stream(&path, since, |entry| {
        let text = if args.csv {
            tagdesk::engine::journal::csv_row(&entry)
        } else if jsonl {
            tagdesk::engine::journal::json_entry(&entry)
        } else {
            tagdesk::engine::journal::human_entry(&entry)
        };
        cli::out_raw(&text);
        Ok(())
    });
    let report = match streamed {
        Ok(r) => r,
        Err(e) => return cli::fail(format, &e.to_string(), exit::USAGE),
    };
    cli::flush();
    for (file, spot, problem) in &report.problems {
        cli::err(&printable(&format!(
            "tagdesk: {}: {spot}: {problem}",
            file.display()
        )));
    }
    if report.entries == 0 {
        let when = match (&args.since, since) {
            (Some(text), Some(t)) => format!(
                " since {text} ({})",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            _ => String::new(),
        };
        cli::err(&format!(
            "tagdesk: no entries{when} in the journal of profile {}",
            printable(&profile)
        ));
    }
    exit::OK
}

fn run_sim(args: SimArgs) -> ExitCode {
    let seed = if args.empty {
        Seed::empty()
    } else if let Some(path) = &args.seed {
        match Seed::load(path) {
            Ok(s) => s,
            Err(e) => {
                cli::err(&format!("tagdesk sim: {}", printable(&e.to_string())));
                return ExitCode::from(exit::USAGE);
            }
        }
    } else {
        Seed::demo()
    };
    let mut faults = Vec::new();
    if let Some(ms) = args.latency_ms {
        faults.push(FaultRule {
            target: "all".into(),
            kind: sim::faults::FaultKind::Latency { ms },
            rate: 1.0,
            times: None,
        });
    }
    faults.extend(args.faults);
    let options = SimOptions {
        seed,
        hive_key: args.hive_key,
        cerego_key: args.cerego_key,
        faults,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            cli::err(&format!("tagdesk sim: {e}"));
            return ExitCode::from(exit::USAGE);
        }
    };
    rt.block_on(async move {
        let summary = sim::summary(&options);
        let simulator = match Simulator::start(args.listen, options).await {
            Ok(s) => s,
            Err(e) => {
                // A port in use or not allowed is a usage problem (exit 2), not "some tags
                // failed" (1).
                cli::err(&format!(
                    "tagdesk sim: cannot listen on {}: {e}",
                    args.listen
                ));
                return ExitCode::from(exit::USAGE);
            }
        };
        // Handlers first, so a supervisor that signals as soon as it reads the first line
        // still gets a clean stop.
        let stop = stop_signals();
        cli::out(&format!("listening on {}", simulator.base_url()));
        // The summary names what the seed file holds: made printable line by line.
        for line in summary.lines() {
            cli::out(&printable(line));
        }
        if !simulator.addr().ip().to_canonical().is_loopback() {
            cli::err(&format!(
                "tagdesk sim: warning: listening on {}, reachable from other hosts: anyone who \
                 can reach it can use the simulated APIs with the keys above; the control API \
                 (/_sim/*) answers loopback clients only",
                simulator.addr()
            ));
        }
        cli::flush();
        stop.await;
        cli::out("stopping");
        simulator.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// Installs the Ctrl-C, SIGTERM and SIGHUP handlers now and returns a future that
/// resolves when one of them fires.
fn stop_signals() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let hup = signal(SignalKind::hangup()).ok();
        let int = signal(SignalKind::interrupt()).ok();
        let quit = signal(SignalKind::quit()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = wait(term) => {}
                _ = wait(hup) => {}
                _ = wait(int) => {}
                _ = wait(quit) => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
