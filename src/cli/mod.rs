//! The command line: the non-interactive commands run the same Ops, write gate and journal
//! as the console. `args` is what clap reads, `ops` turns arguments into Ops (unit-tested),
//! `run` sends one and `render` prints its outcome; `config`, `log`, `sim` and `console` are
//! one command family each; `man` prints the manual page, `complete` answers shell
//! completion and `color` decides whether help, errors and the console use colour. `main.rs` only calls [`main`].

pub mod args;
pub mod args_export;
pub mod args_plan;
pub mod args_retry;
pub mod args_run;
mod batch;
mod batch_show;
pub mod check;
mod check_page;
mod check_tags;
pub mod color;
pub mod complete;
mod config;
mod console;
mod demo;
pub use console::read_script;
mod dry_run;
mod expect_check;
mod export;
mod import;
mod launch;
mod log;
pub mod man;
pub mod ops;
mod outcomes;
mod plan_cmd;
mod plan_file;
mod probe;
mod progress;
pub mod render;
mod results;
mod retry;
pub mod run;
mod set_preview;
mod signals;
mod sim;

use std::io::Write;

use serde_json::json;

use crate::config::ConfigError;
use crate::core::domain::PartnerId;
use crate::core::op::ApiError;
use crate::core::op::Op;
use crate::core::op::Output;
use crate::core::op::Service;
use crate::core::printable::{json_text, printable};
use crate::session::{self, Options, Session};
use args::{Cli, Command, TopOptions};
use clap::{CommandFactory, FromArgMatches};
use std::process::ExitCode;

/// Exit codes, as documented in `--help` and docs/src/cli.md.
pub mod exit {
    /// Done, and nothing failed.
    pub const OK: u8 = 0;
    /// The API answered, but some tags failed (or a batch row's answer was not the outcome
    /// its file's `expect` column names).
    pub const SOME_FAILED: u8 = 1;
    /// Bad usage, input or configuration: nothing was sent.
    pub const USAGE: u8 = 2;
    /// The API refused the request (an HTTP error status).
    pub const REFUSED: u8 = 3;
    /// No usable answer: unreachable, timed out, or an unreadable response.
    pub const UNREACHABLE: u8 = 4;
    /// The request was answered, but its outcome could not be written to the journal (or a
    /// batch's `--results` file could not be written after sending).
    pub const JOURNAL: u8 = 5;
    /// Standard output was closed early (`| head`): the conventional status of SIGPIPE.
    pub const CLOSED_PIPE: u8 = 141;
}

/// The text `--help` shows about exit codes.
pub const EXIT_CODES_HELP: &str = "Exit codes:
  0  done, and nothing failed
  1  the API answered, but some tags failed (or a batch row was not its expected outcome)
  2  bad usage, input or configuration (nothing was sent)
  3  the API refused the request (HTTP error)
  4  no usable answer: unreachable, timed out, or an unreadable response
  5  answered, but the outcome could not be written to the journal, or a batch's
     --results file could not be written after sending (see stderr)
  129  stopped by SIGHUP: requests in flight journaled as abandoned
  130  stopped by SIGINT (Ctrl-C; a batch: the second one): requests in flight journaled as abandoned
  143  stopped by SIGTERM: requests in flight journaled as abandoned";

/// How to print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

pub fn exit_code(result: &Result<Output, ApiError>) -> u8 {
    match result {
        Ok(Output::Hive(o)) if !o.failed.is_empty() => exit::SOME_FAILED,
        Ok(_) => exit::OK,
        Err(ApiError::Http { .. }) => exit::REFUSED,
        Err(e) if e.is_local() => exit::USAGE,
        Err(_) => exit::UNREACHABLE,
    }
}

/// The keys of the session, once it is open: every line the CLI prints passes through it
/// (keys of [`MIN_EMBEDDED_KEY`](crate::core::redact::MIN_EMBEDDED_KEY) characters or more,
/// which cannot match a word or a field name; a shorter key is refused as data where it
/// enters instead).
static OUTPUT_REDACTOR: std::sync::OnceLock<crate::core::redact::Redactor> =
    std::sync::OnceLock::new();

/// From now on, the session's keys are redacted from everything printed.
pub(crate) fn redact_output(redactor: &crate::core::redact::Redactor) {
    let _ = OUTPUT_REDACTOR.set(redactor.for_text());
}

/// `text` without the session's keys.
fn scrubbed(text: &str) -> std::borrow::Cow<'_, str> {
    match OUTPUT_REDACTOR.get() {
        Some(r) => r.text(text),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// A key of the session typed as data (a patron id, a user id, a tag, a value) is refused
/// before anything is sent, without being shown.
pub(crate) fn refuse_key_as_data(session: &Session, op: &Op) -> Option<String> {
    let r = crate::core::redact::Redactor::new(session.profile.secrets());
    let value = serde_json::to_value(op).ok()?;
    r.finds_key(&value).then(|| {
        "an argument is an API key of this profile (not shown): a key is never sent as data \
         — nothing was sent"
            .to_string()
    })
}

/// Writes a line to stdout. A closed stdout (`tagdesk log | head`) ends the process
/// quietly with the conventional status, never a panic.
pub fn out(line: &str) {
    let line = scrubbed(line);
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(line.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"));
    if let Err(e) = written {
        closed(&e);
    }
}

/// Writes text to stdout as it is (no line end added), with [`out`]'s handling of a closed
/// pipe.
pub fn out_raw(text: &str) {
    let text = scrubbed(text);
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(text.as_bytes()) {
        closed(&e);
    }
}

/// Flushes stdout, with [`out`]'s handling of a closed pipe.
pub fn flush() {
    if let Err(e) = std::io::stdout().flush() {
        closed(&e);
    }
}

/// Writes a line to stderr; a stderr that cannot be written is ignored (never a panic).
pub fn err(line: &str) {
    let line = scrubbed(line);
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(line.as_bytes())
        .and_then(|()| stderr.write_all(b"\n"));
}

fn closed(e: &std::io::Error) {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(i32::from(exit::CLOSED_PIPE));
    }
    // Any other failure to write stdout: say so once on stderr and stop.
    err(&format!("tagdesk: cannot write the output: {e}"));
    std::process::exit(i32::from(exit::USAGE));
}

/// Prints a usage / configuration error the way every command does.
pub fn fail(format: Format, message: &str, code: u8) -> u8 {
    match format {
        Format::Human => err(&format!("tagdesk: {}", printable(message))),
        Format::Json => out(&json_text(
            &json!({"ok": false, "exit_code": code, "error": {"kind": "usage", "message": message}}),
        )),
    }
    code
}

pub(crate) fn env(name: &str) -> Option<String> {
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
        no_mouse: top.no_mouse,
        monochrome: color::resolve(top.color, &env) == color::When::Never,
    };
    (options, format)
}

/// The whole command line: parse, then run what it asks for.
pub fn main() -> ExitCode {
    // A completion script asking for candidates: answered here, before anything else runs.
    complete::answer_if_asked();
    // clap's help and errors are coloured as `--color` (else NO_COLOR, CLICOLOR_FORCE)
    // says, so the flag is looked for before clap reads the line.
    let when = color::resolve(color::prescan(std::env::args_os()), &env);
    let matches = Cli::command()
        .color(when.clap(&env, color::terminals))
        .get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let code = match cli.command {
        None => {
            let (options, _) = options_of(&cli.common);
            return console::run_console(options);
        }
        Some(Command::Sim(args)) => return sim::run_sim(args),
        Some(Command::Demo {
            list: true, json, ..
        }) => {
            demo::list(json || cli.common.json);
            return ExitCode::SUCCESS;
        }
        Some(Command::Demo {
            step_ms,
            manual,
            script,
            ..
        }) => {
            let (mut options, _) = options_of(&cli.common);
            options.demo = true;
            let steps = match script {
                None => crate::core::playground::tour::every_play(),
                Some(path) => match console::read_script(&path) {
                    Ok(steps) => steps,
                    Err(e) => {
                        err(&format!("tagdesk: {e}"));
                        return ExitCode::from(exit::USAGE);
                    }
                },
            };
            let tour = crate::core::playground::tour::Tour {
                steps,
                step_ms,
                manual,
            };
            return console::run_console_with(options, Some(tour));
        }
        Some(Command::Outcomes {
            options,
            markdown,
            command,
        }) => {
            let (_, format) = options_of(&cli.common.with(&options));
            match command {
                None => outcomes::table(format, markdown),
                Some(args::OutcomesCommand::Check { file }) => outcomes::check(&file, format),
            }
        }
        Some(Command::Completions { shell }) => {
            out_raw(&String::from_utf8_lossy(&complete::registration(shell)));
            flush();
            exit::OK
        }
        Some(Command::Man { out }) => man::man_command(out.as_deref(), &env),
        Some(Command::Config { options, command }) => {
            let top = cli.common.with(&options);
            let (options, format) = options_of(&top);
            config::config_command(command, &options, format)
        }
        Some(Command::Log { options, args }) => {
            let top = cli.common.with(&options);
            let (options, format) = options_of(&top);
            log::log_command(args, &options, format)
        }
        Some(Command::Hive {
            options,
            command:
                args::HiveCommand::Import {
                    import,
                    remove,
                    set,
                    scope,
                },
        }) => with_session(&cli.common.with(&options), async |s, format, yes| {
            let kind = match set {
                true => import::Kind::HiveSet { scope },
                false => import::Kind::Hive { remove },
            };
            import::import(s, import, kind, format, yes).await
        }),
        Some(Command::Cerego {
            options,
            command: args::CeregoCommand::Import { import },
        }) => with_session(&cli.common.with(&options), async |s, format, yes| {
            import::import(s, import, import::Kind::Cerego, format, yes).await
        }),
        Some(Command::Hive {
            options,
            command: args::HiveCommand::Export(a),
        }) => with_session(&cli.common.with(&options), async |s, format, _| {
            export::hive(s, a, format)
        }),
        Some(Command::Cerego {
            options,
            command: args::CeregoCommand::Export(a),
        }) => with_session(&cli.common.with(&options), async |s, format, _| {
            export::cerego(s, a, format).await
        }),
        Some(Command::Probe {
            options,
            command: args::ProbeCommand::Hive(probe_args),
        }) => with_session(&cli.common.with(&options), async |s, format, yes| {
            probe::probe_hive(s, probe_args, format, yes).await
        }),
        Some(Command::Plan(args_plan::PlanArgs { options, command })) => {
            with_session(&cli.common.with(&options), async |s, format, _| {
                plan_cmd::plan_command(s, command, format).await
            })
        }
        Some(Command::Apply { options, args }) => {
            with_session(&cli.common.with(&options), async |s, format, yes| {
                plan_cmd::apply(s, args, format, yes).await
            })
        }
        Some(Command::Batch { options, command }) => {
            with_session(&cli.common.with(&options), async |s, format, yes| {
                batch::batch_command(s, command, format, yes).await
            })
        }
        Some(Command::Undo {
            options,
            journal_id,
            dry_run,
            again,
            run,
        }) => with_session(&cli.common.with(&options), async |s, format, yes| {
            batch::undo_command(s, &journal_id, run, dry_run, again, format, yes).await
        }),
        Some(Command::Hive { options, command }) => {
            let top = cli.common.with(&options);
            let (options, format) = options_of(&top);
            match ops::hive_op(command) {
                Ok(op) => block_on_one(format, async move {
                    let session = open_session(&options, format).await?;
                    let code = run::run_op(&session, op, format, top.yes).await;
                    close(session).await;
                    Ok(code)
                }),
                Err(e) => fail(format, &e, exit::USAGE),
            }
        }
        Some(Command::Cerego { options, command }) => {
            let top = cli.common.with(&options);
            let (options, format) = options_of(&top);
            // A listing fetches pages concurrently: its requests and their parsing run on
            // worker threads while the pages before them are printed.
            let run = match command {
                args::CeregoCommand::Users { .. } => block_on,
                _ => block_on_one,
            };
            run(format, async move {
                let session = open_session(&options, format).await?;
                let code = match ops::cerego_op(command, || cerego_context(&session)) {
                    Ok(op) => run::run_op(&session, op, format, top.yes).await,
                    Err(e) => fail(format, &e, exit::USAGE),
                };
                close(session).await;
                Ok(code)
            })
        }
    };
    ExitCode::from(code)
}

/// What a `cerego` command needs of the profile, or why Cerego cannot be used in it.
fn cerego_context(session: &Session) -> Result<ops::CeregoContext, String> {
    let partner = partner_of(session)?;
    let c = session.profile.cerego.as_ref();
    Ok(ops::CeregoContext {
        profile: session.profile.name.clone(),
        partner,
        tags_api: c.map(|c| c.tags_api).unwrap_or_default(),
        departments: c.is_some_and(|c| c.include_department_users),
        demo: session.profile.demo,
        tag_types: c.map(|c| c.tag_types.clone()).unwrap_or_default(),
    })
}

/// The partner a `cerego` command lists, or why Cerego cannot be used in this profile.
fn partner_of(session: &Session) -> Result<PartnerId, String> {
    session
        .profile
        .cerego
        .as_ref()
        .map(|c| c.partner_id.clone())
        .ok_or_else(|| match session.profile.unavailable(Service::Cerego) {
            Some(u) => format!("{}: nothing was sent", u.reason),
            None => format!(
                "Cerego is not configured in profile {}: nothing was sent",
                session.profile.name
            ),
        })
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Runtime::new().map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// Runs a command that sends one request (or one listing) to its exit code, on a
/// runtime without worker threads: starting them would cost more than the request.
fn block_on_one(format: Format, fut: impl std::future::Future<Output = Result<u8, u8>>) -> u8 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"));
    match rt {
        Ok(rt) => match rt.block_on(fut) {
            Ok(code) | Err(code) => code,
        },
        Err(e) => fail(format, &e, exit::USAGE),
    }
}

/// Opens the session the options name, runs `command` with it (the session, the output
/// format, `--yes`), closes it; the exit code (2 when the session cannot be opened).
fn with_session(top: &TopOptions, command: impl AsyncFnOnce(&Session, Format, bool) -> u8) -> u8 {
    let (options, format) = options_of(top);
    let yes = top.yes;
    block_on(format, async move {
        let session = open_session(&options, format).await?;
        let code = command(&session, format, yes).await;
        close(session).await;
        Ok(code)
    })
}

/// Runs a command's future to its exit code.
fn block_on(format: Format, fut: impl std::future::Future<Output = Result<u8, u8>>) -> u8 {
    match runtime() {
        Ok(rt) => match rt.block_on(fut) {
            Ok(code) | Err(code) => code,
        },
        Err(e) => fail(format, &e, exit::USAGE),
    }
}

/// Opens the session; configuration problems are reported and exit 2.
pub(crate) async fn open_session(options: &Options, format: Format) -> Result<Session, u8> {
    let session = session::open(options, &env)
        .await
        .map_err(|ConfigError(m)| fail(format, &m, exit::USAGE))?;
    redact_output(&crate::core::redact::Redactor::new(
        session.profile.secrets(),
    ));
    if session.profile.demo {
        let file = Some(session.paths.config_file.as_path()).filter(|f| f.is_file());
        err(&format!(
            "tagdesk: {}",
            session::demo_notice(options.demo, file)
        ));
    }
    for w in &session.warnings {
        err(&format!("tagdesk: warning: {}", printable(w)));
    }
    Ok(session)
}

pub(crate) async fn close(session: Session) {
    if let Some(sim) = session.simulator {
        sim.shutdown().await;
    }
}
