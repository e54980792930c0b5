//! The non-interactive commands: the same Ops, write gate and journal as the console.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use serde_json::{Value, json};

use crate::api::ApiError;
use crate::api::hive::HiveOutcome;
use crate::api::outcome::MessageCheck;
use crate::backend::{self, Output};
use crate::config::ConfigError;
use crate::gate::{self, Decision, Policy};
use crate::journal::Journal;
use crate::op::Op;
use crate::retry::RetryNotice;
use crate::setup::Session;

/// Exit codes, as documented in `--help` and the README.
pub mod exit {
    /// Done, and nothing failed.
    pub const OK: u8 = 0;
    /// The API answered, but some tags failed.
    pub const SOME_FAILED: u8 = 1;
    /// Bad usage, input or configuration: nothing was sent.
    pub const USAGE: u8 = 2;
    /// The API refused the request (an HTTP error status).
    pub const REFUSED: u8 = 3;
    /// No usable answer: unreachable, timed out, or an unreadable response.
    pub const UNREACHABLE: u8 = 4;
}

/// The text `--help` shows about exit codes.
pub const EXIT_CODES_HELP: &str = "Exit codes:
  0  done, and nothing failed
  1  the API answered, but some tags failed
  2  bad usage, input or configuration (nothing was sent)
  3  the API refused the request (HTTP error)
  4  no usable answer: unreachable, timed out, or an unreadable response";

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
        Err(_) => exit::UNREACHABLE,
    }
}

/// Prints a usage / configuration error the way every command does.
pub fn fail(format: Format, message: &str, code: u8) -> u8 {
    match format {
        Format::Human => eprintln!("tagdesk: {message}"),
        Format::Json => println!(
            "{}",
            json!({"ok": false, "exit_code": code, "error": {"kind": "usage", "message": message}})
        ),
    }
    code
}

/// Runs one Op: gate, journal intent, request, journal outcome, print. Returns the exit code.
pub async fn run_op(session: &Session, op: Op, format: Format, yes: bool) -> u8 {
    let policy = Policy {
        profile: session.profile.name.clone(),
        read_only: session.profile.read_only,
        confirm: session.profile.confirm,
    };
    match gate::check(&op, &policy) {
        Decision::Allow => {}
        Decision::Refuse(reason) => return fail(format, &reason, exit::USAGE),
        Decision::Confirm(question) => {
            if !yes && !ask(&question) {
                return fail(
                    format,
                    &format!(
                        "not sent: profile {} asks for confirmation (answer y at the prompt, or pass --yes)",
                        session.profile.name
                    ),
                    exit::USAGE,
                );
            }
        }
    }
    let clients = match session.clients() {
        Ok(c) => c,
        Err(ConfigError(m)) => return fail(format, &m, exit::USAGE),
    };
    let service_missing = match op.service() {
        crate::op::Service::Hive => clients.hive.is_none(),
        crate::op::Service::Cerego => clients.cerego.is_none(),
    };
    if service_missing {
        let why = session
            .profile
            .unavailable
            .iter()
            .find(|u| u.starts_with(op.service().name()))
            .cloned()
            .unwrap_or_else(|| format!("{} is not configured", op.service().name()));
        return fail(format, &why, exit::USAGE);
    }
    let journal = match Journal::open(
        &session.paths.data_dir,
        &session.profile.name,
        session.profile.secrets(),
    ) {
        Ok((j, report)) => {
            for w in report.warnings() {
                eprintln!("tagdesk: {w}");
            }
            Some(std::sync::Arc::new(std::sync::Mutex::new(j)))
        }
        Err(e) if op.is_mutation() => {
            return fail(
                format,
                &format!("not sent: the journal cannot be opened: {e}"),
                exit::USAGE,
            );
        }
        Err(e) => {
            eprintln!("tagdesk: journal unavailable: {e}");
            None
        }
    };
    let id = crate::journal::new_id();
    let started = Instant::now();
    let notify = |n: RetryNotice| {
        eprintln!(
            "tagdesk: {}; retry {}/{} in {:.1} s{}",
            n.reason,
            n.attempt,
            n.max_attempts,
            n.wait_ms as f64 / 1000.0,
            if n.from_retry_after {
                " (Retry-After)"
            } else {
                ""
            }
        );
    };
    let run = backend::execute_journaled(
        &clients,
        journal.as_ref(),
        &id,
        &op,
        &session.profile.retry,
        &notify,
        &|_| {},
    )
    .await;
    let (exchanges, result) = (run.exchanges, run.result);
    let took = started.elapsed();
    let code = exit_code(&result);
    let status = exchanges.last().and_then(|e| e.status);
    match format {
        Format::Json => {
            let mut out = json!({
                "ok": code == exit::OK,
                "exit_code": code,
                "profile": session.profile.name,
                "op": op,
                "command": op.cli_command(),
                "status": status,
                "duration_ms": took.as_millis() as u64,
                "journal_id": id,
            });
            match &result {
                Ok(output) => {
                    out["result"] = output_json(output);
                }
                Err(e) => {
                    out["error"] = serde_json::to_value(e).unwrap_or(Value::Null);
                    out["error"]["message"] = json!(e.to_string());
                }
            }
            println!("{out}");
        }
        Format::Human => {
            let text = match &result {
                Ok(output) => human(&op, output, status),
                Err(e) => format!("tagdesk: {}: {e}", op.describe()),
            };
            if result.is_ok() {
                println!("{text}");
            } else {
                eprintln!("{text}");
            }
        }
    }
    let _ = std::io::stdout().flush();
    code
}

/// Asks a yes/no question on the terminal; no terminal means no.
fn ask(question: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
}

/// The JSON form of a result.
pub fn output_json(output: &Output) -> Value {
    match output {
        Output::Hive(o) => {
            let s = o.scenario();
            let (changed, unchanged) = HiveOutcome::array_names(o.action);
            json!({
                "message": o.message,
                "patron_id": o.patron_id,
                changed: o.changed,
                unchanged: o.unchanged,
                "failed": o.failed,
                "scenario": s.label(),
                "documented_message": s.documented_message(),
                "message_check": o.message_check(),
                "missing_fields": o.missing_fields,
            })
        }
        Output::Tag(t) => json!(t),
        Output::Users(u) => json!(u),
        Output::Profile(p) => json!(p),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items.join(", ")
    }
}

/// The human form of a result.
pub fn human(op: &Op, output: &Output, status: Option<u16>) -> String {
    let status = status.map(|s| format!("HTTP {s}")).unwrap_or_default();
    match output {
        Output::Hive(o) => {
            let s = o.scenario();
            let (changed, unchanged) = HiveOutcome::array_names(o.action);
            let check = match o.message_check() {
                MessageCheck::Match => "MATCH".to_string(),
                MessageCheck::Mismatch => format!(
                    "MISMATCH (documented: \"{}\")",
                    s.documented_message().unwrap_or("")
                ),
                MessageCheck::Undocumented => "UNDOCUMENTED (all arrays empty)".to_string(),
            };
            let mut out = format!(
                "{} · {status}\n{}\nscenario: {} · {check}\n{changed:<22}{}\n{unchanged:<22}{}\n",
                op.describe(),
                o.message
                    .as_deref()
                    .unwrap_or("(no message in the response)"),
                s.label(),
                list(&o.changed),
                list(&o.unchanged),
            );
            if o.failed.is_empty() {
                out.push_str(&format!("{:<22}(none)", "failed"));
            } else {
                out.push_str("failed");
                for f in &o.failed {
                    out.push_str(&format!(
                        "\n  {} — {}",
                        f.api_field,
                        f.reason.as_deref().unwrap_or("(no reason given)")
                    ));
                }
            }
            out
        }
        Output::Tag(t) => format!(
            "{} · {status}\ntag {} (type {}) of user {} = \"{}\" · updated {}",
            op.describe(),
            t.id,
            t.tag_type_id.as_deref().unwrap_or("?"),
            t.user_id.as_deref().unwrap_or("?"),
            t.value.as_deref().unwrap_or(""),
            t.updated_at.as_deref().unwrap_or("?"),
        ),
        Output::Users(list) => {
            let mut out = format!(
                "{} user{} ({} page{})\n",
                list.users.len(),
                if list.users.len() == 1 { "" } else { "s" },
                list.pages_fetched,
                if list.pages_fetched == 1 { "" } else { "s" }
            );
            out.push_str(&format!(
                "{:<10} {:<24} {:<32} tags\n",
                "id", "name", "email"
            ));
            for u in &list.users {
                let tags: Vec<String> = u
                    .tags
                    .iter()
                    .map(|t| {
                        format!(
                            "{}:{}={}",
                            t.id,
                            t.tag_type_id.as_deref().unwrap_or("?"),
                            t.value.as_deref().unwrap_or("?")
                        )
                    })
                    .collect();
                out.push_str(&format!(
                    "{:<10} {:<24} {:<32} {}\n",
                    u.id,
                    u.name.as_deref().unwrap_or(""),
                    u.email.as_deref().unwrap_or(""),
                    tags.join(" ")
                ));
            }
            out.trim_end().to_string()
        }
        Output::Profile(p) => format!(
            "{} · {status}\n{} <{}> (user {})",
            op.describe(),
            p.name.as_deref().unwrap_or("?"),
            p.email.as_deref().unwrap_or("?"),
            p.id
        ),
    }
}
