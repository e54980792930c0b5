//! The `tagdesk` binary against a simulator: a temporary config and data directory, the
//! keys in the environment, and helpers to read what a run printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tagdesk::sim::{SimOptions, Simulator};

pub const HIVE_KEY: &str = "hive-SECRET-7f3a9c";
pub const CEREGO_KEY: &str = "cerego-SECRET-b81e44";

pub struct Env {
    pub dir: tempfile::TempDir,
    pub sim: Simulator,
}

impl Env {
    pub async fn new() -> Self {
        Self::with_options(SimOptions::default()).await
    }

    /// A simulator started from `options` (its keys replaced by the test keys).
    pub async fn with_options(options: SimOptions) -> Self {
        let options = SimOptions {
            hive_key: HIVE_KEY.into(),
            cerego_key: CEREGO_KEY.into(),
            ..options
        };
        let sim = Simulator::start_local(options).await.expect("simulator");
        let dir = tempfile::tempdir().expect("tempdir");
        let env = Self { dir, sim };
        env.write_config(&env.default_config());
        env
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn default_config(&self) -> String {
        let base = self.sim.base_url();
        format!(
            r#"default_profile = "staging"

[timeouts]
connect = 2
total = 1.5

[profiles.staging.cerego]
base_url = "{base}"
partner_id = "4242"
api_key_env = "TEST_CEREGO_KEY"
tag_types = [{{ id = "3", name = "Cohort" }}]
# These tests drive the legacy add / update commands (the default is "set").
tags_api = "legacy"

[profiles.staging.hive]
base_url = "{base}"
api_key_env = "TEST_HIVE_KEY"

[profiles.locked]
read_only = true
[profiles.locked.hive]
base_url = "{base}"
api_key_env = "TEST_HIVE_KEY"

[profiles.prod]
confirm = true
[profiles.prod.hive]
base_url = "{base}"
api_key_cmd = ["printf", "%s", "{HIVE_KEY}"]

[profiles.wrongkey.hive]
base_url = "{base}"
api_key_env = "TEST_WRONG_KEY"
"#
        )
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.config_path(), text).expect("write config");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(self.config_path(), std::fs::Permissions::from_mode(0o600))
                .expect("chmod");
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tagdesk"));
        if !args.contains(&"--config") {
            c.arg("--config").arg(self.config_path());
        }
        c.args(args).stdin(std::process::Stdio::null());
        super::env::clean_env()
            .dirs(self.data_dir(), self.dir.path().join("xdg"))
            .var("TEST_HIVE_KEY", HIVE_KEY)
            .var("TEST_CEREGO_KEY", CEREGO_KEY)
            .var("TEST_WRONG_KEY", "not-the-key")
            .apply(&mut c);
        c
    }

    pub async fn run(&self, args: &[&str]) -> Output {
        let mut c = self.command(args);
        tokio::task::spawn_blocking(move || c.output().expect("run tagdesk"))
            .await
            .expect("join")
    }

    /// Writes a file (a batch's CSV, say) in the test's directory; returns its path.
    pub fn file(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).expect("write a batch file");
        path
    }

    /// The tags the simulator's Hive holds on `patron`, sorted (none for a patron it does
    /// not have).
    pub fn hive_tags(&self, patron: &str) -> Vec<String> {
        let mut tags: Vec<String> = self.sim.state_json()["hive"]["patrons"][patron]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        tags.sort();
        tags
    }

    /// Hive adds and removes the simulator has received.
    pub fn hive_requests(&self) -> u64 {
        self.requests("hive.add") + self.requests("hive.remove")
    }

    pub fn requests(&self, endpoint: &str) -> u64 {
        self.sim.state_json()["requests"][endpoint]
            .as_u64()
            .unwrap_or(0)
    }
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> Value {
    serde_json::from_str(stdout(o).trim()).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// Searches every file under `dir` for either key.
pub fn assert_no_secret_under(dir: &Path) {
    let mut seen = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            seen += 1;
            let bytes = std::fs::read(&p).expect("read");
            let text = String::from_utf8_lossy(&bytes);
            for key in [HIVE_KEY, CEREGO_KEY] {
                assert!(!text.contains(key), "{} holds a key", p.display());
            }
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&p).expect("meta").permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{} is {mode:o}", p.display());
            }
        }
    }
    assert!(seen >= 2, "the journals were written");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the data dir is private");
    }
}
