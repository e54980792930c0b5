//! The non-interactive commands: the same Ops, write gate and journal as the console.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use serde_json::{Value, json};

use crate::config::ConfigError;
use crate::core::gate::{self, Decision, Policy};
use crate::core::op::ApiError;
use crate::core::op::Op;
use crate::core::op::Output;
use crate::core::op::hive::HiveOutcome;
use crate::core::op::scenario::MessageCheck;
use crate::core::printable::{json_text, printable};
use crate::engine::exec::{self, PageProgress};
use crate::engine::journal::Journal;
use crate::engine::retry::RetryNotice;
use crate::session::Session;

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
    /// The request was answered, but its outcome could not be written to the journal.
    pub const JOURNAL: u8 = 5;
    /// Standard output was closed early (`| head`): the conventional status of SIGPIPE.
    pub const CLOSED_PIPE: u8 = 141;
}

/// The text `--help` shows about exit codes.
pub const EXIT_CODES_HELP: &str = "Exit codes:
  0  done, and nothing failed
  1  the API answered, but some tags failed
  2  bad usage, input or configuration (nothing was sent)
  3  the API refused the request (HTTP error)
  4  no usable answer: unreachable, timed out, or an unreadable response
  5  answered, but the outcome could not be written to the journal (see stderr)";

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

/// Writes a line to stdout. A closed stdout (`tagdesk log | head`) ends the process
/// quietly with the conventional status, never a panic.
pub fn out(line: &str) {
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

/// What is printed after a failed Cerego add that may have reached the server.
fn maybe_created_hint(op: &Op, error: &ApiError, session: &Session) -> Option<String> {
    let (Op::CeregoAdd { user, .. }, Some(cerego)) = (op, &session.profile.cerego) else {
        return None;
    };
    let maybe_sent = matches!(
        error,
        ApiError::Network { connect: false, .. } | ApiError::Timeout { .. }
    );
    maybe_sent.then(|| {
        let check = Op::CeregoListUsers {
            partner: cerego.partner_id.clone(),
            query: Some(user.to_string()),
        };
        format!(
            "the tag may have been created: check with `{}` before adding again",
            check.cli_command(&session.profile.place())
        )
    })
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
        crate::core::op::Service::Hive => clients.hive.is_none(),
        crate::core::op::Service::Cerego => clients.cerego.is_none(),
    };
    if service_missing {
        let why = session
            .profile
            .unavailable(op.service())
            .map(|u| format!("{}: nothing was sent", u.reason))
            .unwrap_or_else(|| {
                format!(
                    "{} is not configured in profile {}: nothing was sent",
                    op.service().name(),
                    session.profile.name
                )
            });
        return fail(format, &why, exit::USAGE);
    }
    let options = crate::engine::journal::JournalOptions {
        demo: session.profile.demo,
        rotate_bytes: session.profile.journal_rotate_bytes,
    };
    let journal = match Journal::open_with(
        &session.paths.data_dir,
        &session.profile.name,
        session.profile.secrets(),
        options,
    ) {
        Ok((j, report)) => {
            for w in report.warnings() {
                err(&format!("tagdesk: {}", printable(&w)));
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
            err(&format!("tagdesk: journal unavailable: {e}"));
            None
        }
    };
    let place = session.profile.place();
    let id = crate::engine::journal::new_id();
    let started = Instant::now();
    let notify = |n: RetryNotice| {
        err(&format!(
            "tagdesk: {}; retry {}/{} in {:.1} s{}",
            printable(&n.reason),
            n.attempt,
            n.max_attempts,
            n.wait_ms as f64 / 1000.0,
            if n.from_retry_after {
                " (Retry-After)"
            } else {
                ""
            }
        ));
    };
    // A listing is printed page by page as it arrives, so it costs one page of memory
    // whatever the size of the partner.
    let listing = matches!(op, Op::CeregoListUsers { .. });
    let printer = UserPrinter::new(format);
    let on_page = |page: PageProgress| {
        if listing {
            printer.page(&page);
        }
    };
    let hooks = exec::Hooks {
        notify: &notify,
        on_page: &on_page,
        keep_users: !listing,
    };
    let run = exec::execute_journaled_with(
        &clients,
        journal.as_ref(),
        &id,
        &op,
        &session.profile.retry,
        &hooks,
    )
    .await;
    let (exchanges, result) = (run.exchanges, run.result);
    let took = started.elapsed();
    let mut code = exit_code(&result);
    if let Some(message) = &run.journal_error {
        err(&format!("tagdesk: {}", printable(message)));
        if code == exit::OK {
            code = exit::JOURNAL;
        }
    }
    let status = exchanges.last().and_then(|e| e.status);
    match format {
        Format::Json => {
            let mut out_value = json!({
                "ok": code == exit::OK,
                "exit_code": code,
                "profile": session.profile.name,
                "op": op,
                "command": op.cli_command(&place),
                "status": status,
                "duration_ms": took.as_millis() as u64,
                "journal_id": id,
            });
            if let Some(message) = &run.journal_error {
                out_value["journal_error"] = json!(message);
            }
            match &result {
                Ok(output) => {
                    out_value["result"] = output_json(output);
                }
                Err(e) => {
                    out_value["error"] = serde_json::to_value(e).unwrap_or(Value::Null);
                    out_value["error"]["message"] = json!(e.to_string());
                }
            }
            if listing {
                printer.finish_json(out_value);
            } else {
                out(&json_text(&out_value));
            }
        }
        Format::Human => match &result {
            Ok(output) => {
                if listing {
                    printer.finish_human(output);
                } else {
                    out(&human(&op, output, status));
                }
            }
            Err(e) => {
                err(&format!(
                    "tagdesk: {}: {}",
                    printable(&op.describe()),
                    printable(&e.to_string())
                ));
                if let Some(hint) = maybe_created_hint(&op, e, session) {
                    err(&format!("tagdesk: {}", printable(&hint)));
                }
            }
        },
    }
    flush();
    code
}

/// Prints a user listing page by page: a header and rows for people, or one JSON object
/// whose `result.users` array is written as pages arrive.
struct UserPrinter {
    format: Format,
    started: std::sync::atomic::AtomicBool,
    first_user: std::sync::atomic::AtomicBool,
}

impl UserPrinter {
    fn new(format: Format) -> Self {
        Self {
            format,
            started: std::sync::atomic::AtomicBool::new(false),
            first_user: std::sync::atomic::AtomicBool::new(true),
        }
    }

    fn page(&self, page: &PageProgress) {
        use std::sync::atomic::Ordering;
        let first = !self.started.swap(true, Ordering::SeqCst);
        match self.format {
            Format::Human => {
                if first {
                    out(&format!("{:<10} {:<24} {:<32} tags", "id", "name", "email"));
                }
                for u in &page.users {
                    out(&user_row(u));
                }
            }
            Format::Json => {
                if first {
                    out_raw("{\"result\":{\"users\":[");
                }
                for u in &page.users {
                    let sep = if self.first_user.swap(false, Ordering::SeqCst) {
                        ""
                    } else {
                        ","
                    };
                    out_raw(&format!("{sep}{}", json_text(&json!(u))));
                }
            }
        }
    }

    fn finish_human(&self, output: &Output) {
        if let Output::Users(_) = output {
            // The summary ends with "— cut short: …" when a limit stopped the listing.
            err(&format!("tagdesk: {}", printable(&output.summary())));
        }
    }

    /// Closes the streamed JSON object with the rest of `value` (its other fields).
    fn finish_json(&self, mut value: Value) {
        use std::sync::atomic::Ordering;
        if !self.started.load(Ordering::SeqCst) {
            out_raw("{\"result\":{\"users\":[");
        }
        let (result_rest, rest) = match value.as_object_mut() {
            Some(map) => {
                let result = map.remove("result");
                let result_rest = match result {
                    Some(Value::Object(mut r)) => {
                        r.remove("users");
                        r
                    }
                    _ => serde_json::Map::new(),
                };
                (result_rest, std::mem::take(map))
            }
            None => (serde_json::Map::new(), serde_json::Map::new()),
        };
        let mut tail = String::from("]");
        for (k, v) in result_rest {
            tail.push_str(&format!(",{}:{}", json_text(&json!(k)), json_text(&v)));
        }
        tail.push('}');
        for (k, v) in rest {
            tail.push_str(&format!(",{}:{}", json_text(&json!(k)), json_text(&v)));
        }
        tail.push('}');
        out(&tail);
    }
}

/// One user as a line of `tagdesk cerego users`.
fn user_row(u: &crate::core::op::cerego::CeregoUser) -> String {
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
    printable(&format!(
        "{:<10} {:<24} {:<32} {}",
        u.id,
        u.name.as_deref().unwrap_or(""),
        u.email.as_deref().unwrap_or(""),
        tags.join(" ")
    ))
    .into_owned()
}

/// Asks a yes/no question on the terminal; no terminal means no.
fn ask(question: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "{} [y/N] ", printable(question));
    let _ = stderr.flush();
    drop(stderr);
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
        Output::KeyOwner(p) => json!(p),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items.join(", ")
    }
}

/// The human form of a result, made printable.
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
                printable(&op.describe()),
                printable(
                    o.message
                        .as_deref()
                        .unwrap_or("(no message in the response)")
                ),
                s.label(),
                printable(&list(&o.changed)),
                printable(&list(&o.unchanged)),
            );
            if o.failed.is_empty() {
                out.push_str(&format!("{:<22}(none)", "failed"));
            } else {
                out.push_str("failed");
                for f in &o.failed {
                    out.push_str(&format!(
                        "\n  {} — {}",
                        printable(&f.api_field),
                        printable(f.reason.as_deref().unwrap_or("(no reason given)"))
                    ));
                }
            }
            out
        }
        Output::Tag(t) => format!(
            "{} · {status}\ntag {} (type {}) of user {} = \"{}\" · updated {}",
            printable(&op.describe()),
            printable(&t.id),
            printable(t.tag_type_id.as_deref().unwrap_or("?")),
            printable(t.user_id.as_deref().unwrap_or("?")),
            printable(t.value.as_deref().unwrap_or("")),
            printable(t.updated_at.as_deref().unwrap_or("?")),
        ),
        // A listing is printed page by page as it arrives (see `UserPrinter`); this is
        // what stays to say at its end.
        Output::Users(_) => printable(&output.summary()).into_owned(),
        Output::KeyOwner(p) => format!(
            "{} · {status}\n{} <{}> (user {})",
            printable(&op.describe()),
            printable(p.name.as_deref().unwrap_or("?")),
            printable(p.email.as_deref().unwrap_or("?")),
            printable(&p.id)
        ),
    }
}
