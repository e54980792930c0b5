//! Running one Op from the command line: the write gate (asking on a terminal, refusing
//! otherwise), the journal, retries, streaming a listing, then the outcome.

use super::render::{UserPrinter, human, output_json};
use super::{Format, err, exit, exit_code, fail, flush, out};
use std::io::{IsTerminal, Write};
use std::time::Instant;

use serde_json::{Value, json};

use crate::config::ConfigError;
use crate::core::gate::{self, Decision, Policy};
use crate::core::op::{ApiError, Op};
use crate::core::printable::{json_text, printable};
use crate::engine::exec::{self, PageProgress};
use crate::engine::journal::Journal;
use crate::engine::retry::RetryNotice;
use crate::session::Session;

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
        let check = cerego.listing(Some(user.to_string()));
        format!(
            "the tag may have been created: check with `{}` before adding again",
            check.cli_command(&session.profile.place())
        )
    })
}

/// Runs one Op: gate, journal intent, request, journal outcome, print. Returns the exit code.
pub async fn run_op(session: &Session, op: Op, format: Format, yes: bool) -> u8 {
    if let Some(refusal) = super::refuse_key_as_data(session, &op) {
        return fail(format, &refusal, exit::USAGE);
    }
    let policy = Policy {
        profile: session.profile.name.clone(),
        read_only: session.profile.read_only,
        read_only_flag: session.profile.read_only_flag,
        confirm: session.profile.confirm,
        require_approval: false,
    };
    match gate::check(&op, &policy) {
        Decision::Allow => {}
        Decision::Refuse(reason) => return fail(format, &reason, exit::USAGE),
        Decision::Confirm(question) => {
            let question = format!("{question} {}", gate::drives(op.service()));
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
    let clients = match session.clients_of(op.service()) {
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
    let journal = match Journal::open_to_append(
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
    let types: &[crate::core::domain::TagType] = session
        .profile
        .cerego
        .as_ref()
        .map_or(&[], |c| c.tag_types.as_slice());
    let printer = UserPrinter::new(format, types);
    let on_page = |page: PageProgress| {
        if listing {
            printer.page(&page);
        }
    };
    let hooks = exec::Hooks {
        notify: &notify,
        on_page: &on_page,
        keep_users: !listing,
        prior: None,
    };
    // From here a signal journals the request in flight as abandoned before the process
    // ends (the gate's question above is left to the default: Ctrl-C there ends it).
    let mut signals = super::signals::Signals::install();
    let send = exec::execute_journaled_with(
        &clients,
        journal.as_ref(),
        &id,
        &op,
        &session.profile.retry,
        &hooks,
    );
    let run = tokio::select! {
        run = send => run,
        stop = signals.next() => super::signals::abandon_and_exit(
            journal.as_ref(),
            stop,
            &format!(
                ". Journal id {id}: see `{}`",
                super::batch::command_in(&place, "log")
            ),
        ),
    };
    let (exchanges, result) = (run.exchanges, run.result);
    let took = started.elapsed();
    remember(session, &op, &result);
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
                    out_value["result"] = output_json(output, types);
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
                    out(&human(&op, output, status, types));
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

/// Records what a Hive reply taught in the profile's workspace, so the console and later
/// dry-runs know it (Hive has no read endpoint): one line appended to its change log, folded
/// in when the workspace is loaded. Nothing is read, so this costs the same whatever the
/// number of patrons known.
fn remember(session: &Session, op: &Op, result: &Result<crate::core::op::Output, ApiError>) {
    use crate::engine::workspace::{Change, append};
    if session.profile.demo {
        return;
    }
    let Some(change) = Change::from_reply(op, result, chrono::Utc::now()) else {
        return;
    };
    if let Err(e) = append(&session.paths.data_dir, &session.profile.name, &[change]) {
        err(&format!(
            "tagdesk: warning: the workspace could not be saved: {e}"
        ));
    }
}

/// Asks a yes/no question on the terminal; no terminal means no.
pub(crate) fn ask(question: &str) -> bool {
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
