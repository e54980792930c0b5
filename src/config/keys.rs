//! Where an API key comes from, and getting it: an environment variable, a command, or
//! (discouraged) the file itself.
//!
//! A key that cannot be resolved makes its *service* unavailable, with the reason; it never
//! stops the other service or the console.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use serde::Deserialize;

/// How long `api_key_cmd` may run, from start to exit.
pub const KEY_CMD_TIMEOUT: Duration = Duration::from_secs(15);
/// The most of `api_key_cmd`'s output that is read (a key is one line).
const KEY_CMD_MAX_OUTPUT: usize = 64 * 1024;

/// Where an API key comes from: exactly one of the three.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeySource {
    /// The environment variable that holds the API key.
    pub api_key_env: Option<String>,
    /// A command that prints the API key (program and arguments; run once, 15 s at most;
    /// the first line of its stdout, trimmed), e.g. ["pass", "show", "cerego/prod"].
    #[schemars(length(min = 1))]
    pub api_key_cmd: Option<Vec<String>>,
    /// The API key itself (discouraged: prefer api_key_env or api_key_cmd).
    pub api_key: Option<String>,
}

impl KeySource {
    /// The names of the sources given (more than one is a configuration error).
    pub fn given(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.api_key_env.is_some() {
            out.push("api_key_env");
        }
        if self.api_key_cmd.is_some() {
            out.push("api_key_cmd");
        }
        if self.api_key.is_some() {
            out.push("api_key");
        }
        out
    }

    /// Whether resolving this source runs a command (the console says so while it runs).
    pub fn runs_command(&self) -> bool {
        self.api_key_cmd.is_some()
    }
}

/// Resolves one service's key: the `TAGDESK_*_API_KEY` override first, then the profile's
/// source. `Ok(None)` when no source is configured at all; `Err(reason)` when the source is
/// configured but gives no key. `what` names the key (`Cerego key of profile staging`): a
/// reason is one sentence that starts with it.
pub fn resolve_key(
    source: &KeySource,
    override_var: &str,
    what: &str,
    env: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> Result<Option<SecretString>, String> {
    if let Some(k) = env(override_var).filter(|s| !s.trim().is_empty()) {
        return Ok(Some(SecretString::from(k.trim().to_string())));
    }
    if let Some(var) = &source.api_key_env {
        return match env(var).filter(|s| !s.trim().is_empty()) {
            Some(k) => Ok(Some(SecretString::from(k.trim().to_string()))),
            None => Err(format!(
                "{what} not set: the environment variable {var} (api_key_env) is not set or empty"
            )),
        };
    }
    if let Some(argv) = &source.api_key_cmd {
        return run_key_command(argv, what).map(|k| Some(SecretString::from(k)));
    }
    if let Some(k) = &source.api_key {
        warnings.push(format!(
            "{what}: the API key is written in the configuration file; prefer api_key_env or api_key_cmd"
        ));
        if k.trim().is_empty() {
            return Err(format!("{what} not set: api_key is empty"));
        }
        return Ok(Some(SecretString::from(k.trim().to_string())));
    }
    Ok(None)
}

/// Runs `api_key_cmd` and returns the first line of its stdout, trimmed.
///
/// The command runs in a process group of its own, with no stdin. It must print the key and
/// exit within [`KEY_CMD_TIMEOUT`]; at the limit the whole group is killed (so a background
/// child that keeps the output open cannot hold tagdesk), and once the command has exited
/// anything it left running in its group is stopped too.
pub fn run_key_command(argv: &[String], what: &str) -> Result<String, String> {
    run_key_command_within(argv, what, KEY_CMD_TIMEOUT)
}

/// [`run_key_command`] with another time limit (tests use a short one).
fn run_key_command_within(argv: &[String], what: &str, limit: Duration) -> Result<String, String> {
    let Some((program, args)) = argv.split_first() else {
        return Err(format!("{what}: api_key_cmd is empty"));
    };
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("{what}: cannot run api_key_cmd `{program}`: {e}"))?;
    let group = child.id();
    let started = Instant::now();

    // Readers in threads, so a pipe held open by a straggler can never block us.
    let out = Arc::new(Mutex::new(Vec::new()));
    let (line_done, line_ready) = mpsc::channel::<()>();
    if let Some(mut stdout) = child.stdout.take() {
        let out = out.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                match stdout.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let mut held = out.lock().unwrap_or_else(|e| e.into_inner());
                        held.extend_from_slice(&buf[..n]);
                        if held.contains(&b'\n') || held.len() >= KEY_CMD_MAX_OUTPUT {
                            break;
                        }
                    }
                }
            }
            let _ = line_done.send(());
        });
    }
    let err = Arc::new(Mutex::new(Vec::new()));
    if let Some(mut stderr) = child.stderr.take() {
        let err = err.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut held = err.lock().unwrap_or_else(|e| e.into_inner());
                held.extend_from_slice(&buf[..n]);
                if held.len() >= 4096 {
                    break;
                }
            }
        });
    }

    let timed_out = |started: Instant| started.elapsed() >= limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if timed_out(started) => {
                kill_group(group);
                let _ = child.wait();
                return Err(format!(
                    "{what}: api_key_cmd `{program}` did not finish within {} s (it was stopped)",
                    limit.as_secs_f64()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                kill_group(group);
                return Err(format!("{what}: api_key_cmd `{program}`: {e}"));
            }
        }
    };
    // The command has exited: give the reader a moment to take what it printed, then stop
    // anything it left running (which may still hold the pipe).
    let grace = limit
        .saturating_sub(started.elapsed())
        .min(Duration::from_millis(500));
    let _ = line_ready.recv_timeout(grace);
    kill_group(group);
    if !status.success() {
        std::thread::sleep(Duration::from_millis(20));
        let stderr =
            String::from_utf8_lossy(&err.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
        let first = stderr.lines().next().unwrap_or("").trim().to_string();
        return Err(format!(
            "{what}: api_key_cmd `{program}` failed ({status}){}",
            if first.is_empty() {
                String::new()
            } else {
                format!(": {}", crate::core::printable::printable(&first))
            }
        ));
    }
    let bytes = out.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let key = std::str::from_utf8(first_line)
        .map_err(|_| format!("{what}: api_key_cmd `{program}` printed non-UTF-8 output"))?
        .trim()
        .to_string();
    if key.is_empty() {
        return Err(format!("{what}: api_key_cmd `{program}` printed nothing"));
    }
    Ok(key)
}

/// Kills every process of the command's group (the command itself and what it started).
fn kill_group(group: u32) {
    #[cfg(unix)]
    {
        use nix::sys::signal::{Signal, killpg};
        use nix::unistd::Pid;
        if let Ok(pid) = i32::try_from(group) {
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    {
        let _ = group;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[test]
    fn the_first_line_is_the_key() {
        assert_eq!(
            run_key_command(&sh("printf '  k1  \\nsecond\\n'"), "t").unwrap(),
            "k1"
        );
        assert_eq!(run_key_command(&sh("printf k2"), "t").unwrap(), "k2");
        let e = run_key_command(&sh("echo oops >&2; exit 3"), "t").unwrap_err();
        assert!(e.contains("failed") && e.contains("oops"), "{e}");
        let e = run_key_command(&sh("true"), "t").unwrap_err();
        assert!(e.contains("printed nothing"), "{e}");
    }

    #[test]
    fn at_the_limit_the_whole_group_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let script = format!(
            "sleep 30 & echo $! > {}; echo KEY; sleep 30",
            pidfile.display()
        );
        let started = Instant::now();
        let e = run_key_command_within(&sh(&script), "t", Duration::from_secs(1)).unwrap_err();
        assert!(e.contains("did not finish within 1 s"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(10));
        // The background child of the command was stopped too (gone, or a zombie that
        // nobody has reaped yet).
        let pid = std::fs::read_to_string(&pidfile).unwrap();
        let running = || {
            let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()));
            stat.is_ok_and(|s| {
                s.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().next().map(str::to_string))
                    .is_some_and(|state| state != "Z")
            })
        };
        // SIGKILL is delivered asynchronously: give it a moment.
        let deadline = Instant::now() + Duration::from_secs(5);
        while running() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!running(), "the background sleep still runs");
    }

    #[test]
    fn a_background_child_holding_the_output_does_not_hold_us() {
        let started = Instant::now();
        let key = run_key_command(&sh("echo KEY; sleep 40 &"), "t").unwrap();
        assert_eq!(key, "KEY");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "took {:?}",
            started.elapsed()
        );
    }
}
