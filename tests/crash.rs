//! Crash consistency (issue 19, acceptance): a real `tagdesk hive import` is killed with
//! SIGKILL at a random moment (from a seeded generator), then `batch resume` and `batch
//! undo` run, again and again. The simulator is a standalone `tagdesk sim` whose `late`
//! fault carries every Hive request out at once and holds its answer back, so a kill
//! often lands between a change and its journaled outcome. After each trial:
//!
//! - every row of the batch has one final outcome (`batch show`), and every intent of the
//!   batch has exactly one outcome in the journal;
//! - after the resume, the simulator's state is what the file asked;
//! - after the undo, it is the state before the import.
//!
//! Trials alternate adds (of tags the patrons lack) and removes (of tags tagdesk saw it add
//! earlier, so it knows they were there).

mod support;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tagdesk::engine::journal::Record;

const BIN: &str = env!("CARGO_BIN_EXE_tagdesk");
const KEY: &str = "crash-hive-key-31337";
/// Whole trials (the import got as far as writing its batch) to check, and the most kills
/// to try for them.
const TRIALS: usize = 22;
const MAX_KILLS: usize = 40;
const PATRONS: usize = 12;
/// How long the simulator holds each Hive answer back after carrying the request out.
const LATE_MS: u64 = 40;

/// A standalone `tagdesk sim`, killed when dropped.
struct Sim {
    child: Child,
    addr: String,
    /// Kept open: the simulator prints more than its first line.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sim {
    fn start(seed: &Path) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.args(["sim", "--listen", "127.0.0.1:0", "--hive-key", KEY])
            .arg("--seed")
            .arg(seed)
            .args(["--fault", &format!("hive:late={LATE_MS}")])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        support::env::clean_env().apply(&mut cmd);
        let mut child = cmd.spawn().expect("tagdesk sim starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        reader.read_line(&mut line).expect("the first line");
        let addr = line
            .trim_end()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Self {
            child,
            addr,
            _stdout: reader,
        }
    }

    /// `GET /_sim/state`'s Hive patrons: patron → sorted tags.
    fn patrons(&self) -> BTreeMap<String, Vec<String>> {
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("connect to the sim");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "GET /_sim/state HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .expect("send");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("read the state");
        let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let state: Value = serde_json::from_str(body).expect("the state is JSON");
        state["hive"]["patrons"]
            .as_object()
            .expect("patrons")
            .iter()
            .map(|(id, tags)| {
                let mut tags: Vec<String> = tags
                    .as_array()
                    .expect("tags")
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect();
                tags.sort();
                (id.clone(), tags)
            })
            .collect()
    }
}

struct Dirs {
    root: tempfile::TempDir,
}

impl Dirs {
    fn new(sim: &Sim) -> Self {
        let root = tempfile::tempdir().expect("tempdir");
        let config = root.path().join("config.toml");
        std::fs::write(
            &config,
            format!(
                "default_profile = \"c\"\n[timeouts]\nconnect = 2\ntotal = 5\n\
                 [profiles.c.hive]\nbase_url = \"http://{}\"\napi_key_env = \"T_HIVE_KEY\"\n",
                sim.addr
            ),
        )
        .expect("config");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600))
                .expect("chmod");
        }
        Self { root }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--config")
            .arg(self.root.path().join("config.toml"))
            .args(args)
            .stdin(Stdio::null());
        support::env::clean_env()
            .dirs(self.root.path().join("data"), self.root.path().join("xdg"))
            .var("T_HIVE_KEY", KEY)
            .apply(&mut c);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run tagdesk")
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.root.path().join(name);
        std::fs::write(&path, text).expect("write a batch file");
        path
    }

    fn journal(&self) -> PathBuf {
        tagdesk::engine::journal::file_for(&self.root.path().join("data"), "c")
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {} / {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn seed(dir: &Path) -> PathBuf {
    let mut text = String::from(
        "[cerego]\npartner_id = \"1\"\npage_size = 25\nfirst_tag_id = 1\n\
         seeded_at = \"2026-01-05T09:00:00.000Z\"\ntag_types = []\nusers = []\n[cerego.profile]\nid = \"1\"\n\
         name = \"Admin\"\nemail = \"a@example.com\"\nusername = \"a\"\n[hive]\n",
    );
    for t in [
        "base", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9",
    ] {
        text.push_str(&format!(
            "[[hive.tags]]\napi_field = \"{t}\"\nname = \"{t}\"\n"
        ));
    }
    for p in 0..PATRONS {
        text.push_str(&format!(
            "[[hive.patrons]]\nid = \"p{p:02}\"\ntags = [\"base\"]\n"
        ));
    }
    let path = dir.join("seed.toml");
    std::fs::write(&path, text).expect("seed");
    path
}

/// The file of a trial: every patron, `tag` (two rows of one patron merged into one
/// request make sure a merged row is covered too).
fn rows(tag: &str) -> String {
    let mut text = String::from("user_id,user_tags\n");
    for p in 0..PATRONS {
        text.push_str(&format!("p{p:02},{tag}\n"));
    }
    text.push_str(&format!("p00,{tag}\n"));
    text
}

/// Every intent of `batch` has exactly one outcome in the journal.
fn one_outcome_per_intent(journal: &Path, batch: &str) {
    let contents = tagdesk::engine::journal::read(journal).expect("the journal reads");
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    let mut intents = Vec::new();
    for r in &contents.records {
        match r {
            Record::Intent(i) if i.batch.as_ref().is_some_and(|b| b.id == batch) => {
                intents.push(i.id.clone());
            }
            Record::Outcome(o) => *outcomes.entry(o.id.clone()).or_default() += 1,
            _ => {}
        }
    }
    assert!(!intents.is_empty(), "the batch sent something");
    for id in intents {
        assert_eq!(outcomes.get(&id), Some(&1), "intent {id} of batch {batch}");
    }
}

#[test]
fn kill_9_at_random_moments_then_resume_then_undo() {
    let started = Instant::now();
    let scratch = tempfile::tempdir().expect("tempdir");
    let sim = Sim::start(&seed(scratch.path()));
    let dirs = Dirs::new(&sim);
    let mut rng = fastrand::Rng::with_seed(0x19_2026);
    let mut interrupted = 0;
    let mut checked = 0;
    for trial in 0..MAX_KILLS {
        if checked >= TRIALS {
            break;
        }
        let remove = trial % 2 == 1;
        let tag = if remove {
            format!("t{}", 5 + trial % 5)
        } else {
            format!("t{}", trial % 5)
        };
        let file = dirs.file(&format!("trial{trial}.csv"), &rows(&tag));
        let file = file.to_str().expect("utf-8 path");
        if remove {
            // tagdesk adds the tag first (no crash), so it knows the tag is there.
            let setup = dirs.run(&["--json", "hive", "import", "--yes", file]);
            assert_eq!(code(&setup), 0, "trial {trial}: setup");
        }
        let before = sim.patrons();

        let mut args = vec!["--json", "hive", "import", "--concurrency", "3", "--yes"];
        if remove {
            args.push("--remove");
        }
        args.push(file);
        let mut child = dirs
            .command(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the import");
        std::thread::sleep(Duration::from_millis(rng.u64(30..400)));
        child.kill().expect("kill -9");
        child.wait().expect("wait");

        let list = json(&dirs.run(&["--json", "batch", "list"]));
        let op = if remove { "hive_remove" } else { "hive_add" };
        // The newest batch, if it is this trial's import (not an earlier trial's undo of
        // the same op, which is newest when this import was killed before it was written).
        let this_file = format!("trial{trial}.csv");
        let is_this_import = |id: &str| {
            let shown = json(&dirs.run(&["--json", "batch", "show", id]));
            shown["undo_of"].is_null()
                && shown["source"]
                    .as_str()
                    .is_some_and(|s| s.ends_with(&this_file))
        };
        let Some(id) = list[0]["batch_id"]
            .as_str()
            .filter(|_| list[0]["op"] == op)
            .filter(|id| is_this_import(id))
            .map(str::to_string)
        else {
            // Killed before the batch was written: nothing was sent.
            assert_eq!(sim.patrons(), before, "trial {trial}: nothing sent");
            continue;
        };
        if list[0]["state"] == "interrupted" {
            interrupted += 1;
        }
        let resumed = dirs.run(&["--json", "batch", "resume", &id, "--yes"]);
        assert_eq!(
            code(&resumed),
            0,
            "trial {trial}: resume: {}",
            String::from_utf8_lossy(&resumed.stderr)
        );
        let shown = json(&dirs.run(&["--json", "batch", "show", &id]));
        let shown_rows = shown["rows"].as_array().expect("rows");
        assert_eq!(
            shown_rows.len(),
            PATRONS,
            "trial {trial}: one request per patron"
        );
        for r in shown_rows {
            assert!(
                r["outcome"] == "ok" || r["outcome"] == "unchanged",
                "trial {trial}: a final outcome: {r}"
            );
        }
        one_outcome_per_intent(&dirs.journal(), &id);
        let after = sim.patrons();
        for p in 0..PATRONS {
            let tags = &after[&format!("p{p:02}")];
            assert_eq!(
                tags.contains(&tag),
                !remove,
                "trial {trial}: p{p:02} has {tags:?} after the resume"
            );
        }

        let undo = dirs.run(&["--json", "batch", "undo", &id, "--yes"]);
        assert_eq!(
            code(&undo),
            0,
            "trial {trial}: undo: {}",
            String::from_utf8_lossy(&undo.stderr)
        );
        let undo_id = json(&undo)["batch_id"].as_str().unwrap().to_string();
        one_outcome_per_intent(&dirs.journal(), &undo_id);
        assert_eq!(
            sim.patrons(),
            before,
            "trial {trial}: the undo restores the state"
        );
        checked += 1;
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "bounded in time: {trial} trials took {:?}",
            started.elapsed()
        );
    }
    eprintln!("{checked} trials checked, {interrupted} killed mid-run");
    assert!(checked >= 20, "at least 20 whole trials: {checked}");
    assert!(
        interrupted >= TRIALS / 3,
        "most kills should land mid-run: {interrupted} of {TRIALS}"
    );
}
