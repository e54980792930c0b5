//! Which process wrote an intent, and whether it is provably gone.
//!
//! At start the console journals the intents of earlier runs that never got an outcome as
//! abandoned. An intent is only abandoned when the process that wrote it is provably gone:
//! a CLI run that is still waiting for its answer must keep its intent open, or the same
//! request would end with two outcomes. A process is identified by its pid *and* its start
//! time since boot (and the boot), because pids are reused.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The identity of a journal writer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Writer {
    pub pid: u32,
    /// The process's start time in clock ticks since boot (`/proc/PID/stat` field 22), when
    /// the platform tells it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u64>,
    /// The boot it ran in (`/proc/sys/kernel/random/boot_id`), when the platform tells it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot: Option<String>,
}

impl Writer {
    /// This process.
    pub fn current() -> &'static Writer {
        static ME: OnceLock<Writer> = OnceLock::new();
        ME.get_or_init(|| {
            let pid = std::process::id();
            Writer {
                pid,
                start: start_ticks(pid),
                boot: boot_id(),
            }
        })
    }

    /// Whether the writer is provably no longer running. When the platform cannot tell, the
    /// answer is "not provably gone" (false), so a live request is never declared lost.
    pub fn is_gone(&self) -> bool {
        if self.boot.is_some() && boot_id().is_some() && self.boot != boot_id() {
            return true;
        }
        if cfg!(target_os = "linux") {
            return match start_ticks(self.pid) {
                None => true,
                Some(now) => self.start.is_some_and(|s| s != now),
            };
        }
        #[cfg(unix)]
        {
            use nix::errno::Errno;
            use nix::sys::signal::kill;
            use nix::unistd::Pid;
            let Ok(pid) = i32::try_from(self.pid) else {
                return true;
            };
            matches!(kill(Pid::from_raw(pid), None), Err(Errno::ESRCH))
        }
        #[cfg(not(unix))]
        {
            false
        }
    }
}

/// Field 22 of `/proc/PID/stat`: the start time in clock ticks since boot.
fn start_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    let after = stat.get(stat.rfind(')')? + 1..)?;
    after.split_whitespace().nth(19)?.parse().ok()
}

fn boot_id() -> Option<String> {
    static BOOT: OnceLock<Option<String>> = OnceLock::new();
    BOOT.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_dead_one_is_gone() {
        let me = Writer::current();
        assert_eq!(me.pid, std::process::id());
        assert!(!me.is_gone());
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let start = start_ticks(pid);
        child.wait().unwrap();
        let gone = Writer {
            pid,
            start,
            boot: boot_id(),
        };
        assert!(gone.is_gone());
        if cfg!(target_os = "linux") {
            let reused = Writer {
                start: me.start.map(|s| s + 1),
                ..me.clone()
            };
            assert!(reused.is_gone(), "same pid, another start time");
        }
    }
}
