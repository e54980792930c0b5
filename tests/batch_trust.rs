//! Batches that can be trusted with a live account (issue 19, items 1, 3, 4 and 11),
//! through the binary against the simulator: a batch belongs to its profile, `--results`
//! never destroys anything, one runner per batch, and a damaged journal is reported.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::cli::*;
use tagdesk::sim::faults::FaultRule;

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

impl Env {
    fn journal(&self, profile: &str) -> PathBuf {
        self.data_dir().join(format!("journal-{profile}.jsonl"))
    }

    fn latency(&self, ms: u64) {
        self.sim.set_faults(vec![
            format!("hive:latency={ms}")
                .parse::<FaultRule>()
                .expect("a fault rule"),
        ]);
    }

    /// Starts `tagdesk ARGS` in the background.
    fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn tagdesk")
    }

    /// Waits until the simulator has seen at least `n` Hive requests (at most 20 s).
    async fn wait_for_requests(&self, n: u64) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.hive_requests() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(self.hive_requests() >= n, "the simulator saw {n} requests");
    }
}

async fn finish(child: Child) -> Output {
    tokio::task::spawn_blocking(move || child.wait_with_output().expect("wait"))
        .await
        .expect("join")
}

fn batch_id(out: &Output) -> String {
    json(out)["batch_id"]
        .as_str()
        .unwrap_or_else(|| panic!("a batch id: {}", stdout(out)))
        .to_string()
}

/// Item 1: a staging batch is not resumed, shown or undone on prod, a demo batch not on a
/// real profile; each refusal names both and the command to use, and sends nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_batch_belongs_to_the_profile_that_made_it() {
    let env = Env::new().await;
    let file = env.file("s.csv", b"s1,vip\ns2,vip\n");
    let out = env.run(&["--json", "hive", "import", p(&file)]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = batch_id(&out);
    let sent = env.hive_requests();
    assert_eq!(sent, 2);

    for verb in ["resume", "show", "undo"] {
        let out = env
            .run(&["--profile", "prod", "--yes", "batch", verb, &id])
            .await;
        assert_eq!(code(&out), 2, "{verb}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "batch {id} was made on profile staging; this is profile prod: run \
                 `tagdesk --profile staging batch {verb} {id}`"
            )),
            "{verb}: {err}"
        );
        assert_eq!(env.hive_requests(), sent, "{verb} sent nothing to prod");
    }
    // On its own profile it is shown as before.
    let shown = env.run(&["--json", "batch", "show", &id]).await;
    assert_eq!(code(&shown), 0, "{}", stderr(&shown));
    assert_eq!(json(&shown)["rows"].as_array().map(Vec::len), Some(2));

    // A demo batch (the embedded simulator) is refused on staging, and the other way round.
    let out = env
        .run(&["--json", "--demo", "hive", "import", p(&file)])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let demo_id = batch_id(&out);
    let out = env
        .run(&["--profile", "staging", "--yes", "batch", "resume", &demo_id])
        .await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "batch {demo_id} was made in demo mode; this is profile staging: run `tagdesk \
             --demo batch resume {demo_id}`"
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.hive_requests(), sent, "no demo row reached staging");
    let out = env.run(&["--demo", "batch", "undo", &id]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("this is demo mode: run `tagdesk --profile staging batch undo"),
        "{}",
        stderr(&out)
    );

    // `batch list` lists the profile's own batches and says how to see the others.
    let list = env.run(&["--json", "batch", "list"]).await;
    let list = json(&list);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["batch_id"].as_str())
        .collect();
    assert_eq!(ids, [id.as_str()]);
    let human = env.run(&["batch", "list"]).await;
    assert!(
        stderr(&human).contains("1 batch of demo mode not listed: `tagdesk --demo batch list`"),
        "{}",
        stderr(&human)
    );
    assert_eq!(stdout(&human).lines().count(), 1, "{}", stdout(&human));
}

/// Item 3: `--results` refuses the journal, the data folder, the input file, the
/// configuration, a folder, a missing folder, and (without --force) what is not a regular
/// file — before anything is sent.
#[tokio::test(flavor = "multi_thread")]
async fn results_never_replace_what_tagdesk_did_not_make() {
    let env = Env::new().await;
    let file = env.file("in.csv", b"r1,vip\n");
    // A first batch, so the journal and the data folder exist.
    let out = env.run(&["hive", "import", p(&file)]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let journal = env.journal("staging");
    let journal_before = std::fs::read(&journal).unwrap();
    let input_before = std::fs::read(&file).unwrap();
    let sent = env.hive_requests();

    let link = env.dir.path().join("link.csv");
    let linked = env.file("linked.csv", b"keep me\n");
    std::os::unix::fs::symlink(&linked, &link).unwrap();
    let fifo = env.dir.path().join("fifo.csv");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let folder = env.dir.path().join("folder.csv");
    std::fs::create_dir(&folder).unwrap();
    let cases: Vec<(PathBuf, &str)> = vec![
        (journal.clone(), "is in tagdesk's data folder"),
        (
            env.data_dir().join("new.csv"),
            "is in tagdesk's data folder",
        ),
        (env.data_dir(), "is in tagdesk's data folder"),
        (file.clone(), "is the batch's input file"),
        (env.config_path(), "is tagdesk's configuration file"),
        (folder.clone(), "is a folder"),
        (env.dir.path().join("nope/out.csv"), "its folder"),
        (link.clone(), "exists and is a symbolic link"),
        (fifo.clone(), "exists and is a FIFO"),
    ];
    for (target, says) in &cases {
        for force in [false, true] {
            if force && (says.contains("symbolic") || says.contains("FIFO")) {
                continue;
            }
            let mut args = vec!["hive", "import", "--results", p(target), p(&file)];
            if force {
                args.insert(2, "--force");
            }
            let out = env.run(&args).await;
            assert_eq!(code(&out), 2, "{target:?}: {}", stderr(&out));
            assert!(stderr(&out).contains(says), "{target:?}: {}", stderr(&out));
            assert!(stderr(&out).contains("not sent"), "{}", stderr(&out));
            assert_eq!(env.hive_requests(), sent, "{target:?}: nothing sent");
        }
    }
    assert_eq!(std::fs::read(&journal).unwrap()[..], journal_before[..]);
    assert_eq!(std::fs::read(&file).unwrap(), input_before);
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert!(folder.is_dir());

    // --force replaces the symbolic link itself, never what it points to.
    let out = env
        .run(&["hive", "import", "--results", p(&link), "--force", p(&file)])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_file());
    assert!(std::fs::read_to_string(&link).unwrap().starts_with("line,"));
    assert_eq!(std::fs::read_to_string(&linked).unwrap(), "keep me\n");

    // A regular file of the user's own is replaced (as before).
    let mine = env.file("mine.csv", b"old\n");
    let out = env
        .run(&["hive", "import", "--results", p(&mine), p(&file)])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(std::fs::read_to_string(&mine).unwrap().starts_with("line,"));

    // `-` is standard output: the CSV alone there, the summary on stderr.
    let out = env
        .run(&["hive", "import", "--results", "-", p(&file)])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("line,lines,target,op,outcome")
    );
    assert!(
        lines.next().unwrap().starts_with("1,1,r1,hive_add,"),
        "{text}"
    );
    assert_eq!(lines.next(), None, "{text}");
    assert!(stderr(&out).contains("results in -"), "{}", stderr(&out));
    assert!(!env.dir.path().join("-").exists());
    let before = env.hive_requests();
    let out = env
        .run(&["--json", "hive", "import", "--results", "-", p(&file)])
        .await;
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert_eq!(env.hive_requests(), before);
}

/// Item 3: a results file that cannot be written once the batch was sent exits 5 (not 2,
/// which promises nothing was sent) and names the batch.
#[tokio::test(flavor = "multi_thread")]
async fn results_that_fail_after_sending_exit_5_naming_the_batch() {
    let env = Env::new().await;
    env.latency(300);
    let file = env.file("in.csv", b"a1,vip\na2,vip\n");
    let target = env.dir.path().join("out.csv");
    let child = env.spawn(&[
        "--json",
        "hive",
        "import",
        "--concurrency",
        "1",
        "--results",
        p(&target),
        p(&file),
    ]);
    env.wait_for_requests(1).await;
    // The path was free when checked; while the batch runs, a folder takes it.
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "mine").unwrap();
    let out = finish(child).await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let id = batch_id(&out);
    assert!(
        stderr(&out).contains(&format!(
            "batch {id} was run, but its results could not be written"
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(json(&out)["ok"], 2);
    assert_eq!(
        std::fs::read_to_string(target.join("keep")).unwrap(),
        "mine"
    );
}

/// Item 4: one runner per batch. A resume while the import runs is refused with the
/// import's pid; of two resumes started together exactly one sends.
#[tokio::test(flavor = "multi_thread")]
async fn one_runner_per_batch() {
    let env = Env::new().await;
    env.latency(100);
    let rows: String = (0..60).map(|i| format!("c{i},vip\n")).collect();
    let file = env.file("c.csv", rows.as_bytes());
    let import = env.spawn(&["--json", "hive", "import", "--concurrency", "1", p(&file)]);
    let pid = import.id();
    env.wait_for_requests(2).await;
    let list = env.run(&["--json", "batch", "list"]).await;
    let id = json(&list)[0]["batch_id"].as_str().unwrap().to_string();
    let out = env.run(&["batch", "resume", &id]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("(pid {pid}) is running it right now")),
        "{}",
        stderr(&out)
    );
    // Cancel the import (SIGINT): the rest stay pending.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let out = finish(import).await;
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let pending = json(&out)["pending"].as_u64().unwrap();
    assert!(pending >= 10, "{}", stdout(&out));

    // Two resumes at once, slow enough that they overlap whatever the machine's load.
    env.latency(250);
    // One sends every pending row once, the other is refused.
    let before = env.hive_requests();
    let a = env.spawn(&["--json", "batch", "resume", &id]);
    let b = env.spawn(&["--json", "batch", "resume", &id]);
    let (pid_a, pid_b) = (a.id(), b.id());
    let (a, b) = (finish(a).await, finish(b).await);
    let (winner, loser, winner_pid) = if code(&a) == 0 {
        (a, b, pid_a)
    } else {
        (b, a, pid_b)
    };
    assert_eq!(code(&winner), 0, "{}", stderr(&winner));
    assert_eq!(code(&loser), 2, "{}", stdout(&loser));
    assert!(
        stdout(&loser).contains(&format!("pid {winner_pid}")),
        "{}",
        stdout(&loser)
    );
    assert_eq!(json(&winner)["requests"].as_u64(), Some(pending));
    assert_eq!(env.hive_requests() - before, pending, "each row sent once");
}

/// Item 4: an undo that finished is not started again unless --again, and says when.
#[tokio::test(flavor = "multi_thread")]
async fn a_finished_undo_is_not_repeated_without_again() {
    let env = Env::new().await;
    let file = env.file("u.csv", b"u1,vip\nu2,vip\n");
    let out = env.run(&["--json", "hive", "import", p(&file)]).await;
    let id = batch_id(&out);
    let undo = env.run(&["--json", "batch", "undo", &id]).await;
    assert_eq!(code(&undo), 0, "{}", stderr(&undo));
    let undo_id = batch_id(&undo);
    let removes = env.requests("hive.remove");
    assert_eq!(removes, 2);

    let again = env.run(&["batch", "undo", &id]).await;
    assert_eq!(code(&again), 2, "{}", stderr(&again));
    let err = stderr(&again);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        err.contains(&format!("batch {id} was already undone at {today}"))
            && err.contains(&format!("(batch {undo_id}): pass --again")),
        "{err}"
    );
    assert_eq!(env.requests("hive.remove"), removes, "nothing sent");
    // A dry-run shows what another undo would send, and says it was undone.
    let preview = env.run(&["batch", "undo", "--dry-run", &id]).await;
    assert_eq!(code(&preview), 0, "{}", stderr(&preview));
    assert!(
        stderr(&preview).contains(&format!("note: batch {id} was already undone at")),
        "{}",
        stderr(&preview)
    );

    let forced = env.run(&["--json", "batch", "undo", "--again", &id]).await;
    assert_ne!(code(&forced), 2, "{}", stderr(&forced));
    assert_eq!(env.requests("hive.remove"), removes + 2, "--again sends");

    // A single journal entry, the same.
    let add = env.run(&["--json", "hive", "add", "u9", "vip"]).await;
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let entry = json(&add)["journal_id"].as_str().unwrap().to_string();
    let out = env.run(&["undo", &entry]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = env.run(&["undo", &entry]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("journal entry {entry} was already undone at")),
        "{}",
        stderr(&out)
    );
}

/// Item 11: the batch commands report a damaged journal as `tagdesk log` does; a batch
/// whose start could not be journaled is listed from its plan; stale temporary files of
/// dead processes are swept.
#[tokio::test(flavor = "multi_thread")]
async fn batch_commands_report_a_damaged_journal_and_list_unstarted_plans() {
    let env = Env::new().await;
    let file = env.file("d.csv", b"d1,vip\nd2,vip\nd3,vip\n");
    let out = env.run(&["--json", "hive", "import", p(&file)]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = batch_id(&out);
    // Damage a line in the middle of the batch (row 2's outcome).
    let journal = env.journal("staging");
    let text = std::fs::read_to_string(&journal).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("\"outcome\"") || l.contains("\"kind\":\"outcome\""))
        .map(|(i, _)| i)
        .nth(1)
        .unwrap_or(lines.len() / 2);
    lines[n] = "{\"this is\": not json".into();
    std::fs::write(&journal, lines.join("\n") + "\n").unwrap();
    let log = env.run(&["log"]).await;
    let report = stderr(&log)
        .lines()
        .find(|l| l.contains(&format!("line {}", n + 1)))
        .unwrap_or_else(|| panic!("tagdesk log reports it: {}", stderr(&log)))
        .to_string();
    for args in [
        vec!["batch", "show", id.as_str()],
        vec!["batch", "list"],
        vec!["batch", "undo", "--dry-run", id.as_str()],
    ] {
        let out = env.run(&args).await;
        assert!(
            stderr(&out).contains(&report),
            "{args:?} reports {report:?}: {}",
            stderr(&out)
        );
    }

    // A resume reports it once (the journal's own opening does not repeat it).
    let out = env.run(&["batch", "resume", &id]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stderr(&out)
            .lines()
            .filter(|l| l.contains(&format!("line {}", n + 1)))
            .count(),
        1,
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains(&report), "{}", stderr(&out));

    // A plan whose start never reached the journal, and a stale temporary file.
    let batches = env.data_dir().join("batches");
    let mut plan: Value =
        serde_json::from_slice(&std::fs::read(batches.join(format!("{id}.json"))).unwrap())
            .unwrap();
    plan["batch_id"] = "UNSTARTED1".into();
    plan["created_at"] = "2099-01-01T00:00:00Z".into();
    std::fs::write(
        batches.join("UNSTARTED1.json"),
        serde_json::to_vec(&plan).unwrap(),
    )
    .unwrap();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let stale = batches.join(format!("X.json.tmp-{dead}"));
    std::fs::write(&stale, "half").unwrap();
    let list = env.run(&["--json", "batch", "list"]).await;
    let list = json(&list);
    assert_eq!(list[0]["batch_id"], "UNSTARTED1", "{list}");
    assert_eq!(list[0]["state"], "not_started");
    assert_eq!(list[0]["rows"], 3);
    assert_eq!(list[1]["batch_id"], id.as_str());
    assert!(!stale.exists(), "a dead process's temporary file is swept");
    // Resuming it starts it: it is listed as finished afterwards.
    let before = env.hive_requests();
    let out = env.run(&["--json", "batch", "resume", "UNSTARTED1"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(env.hive_requests() - before, 3);
    let list = env.run(&["--json", "batch", "list"]).await;
    let list = json(&list);
    let started = list
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["batch_id"] == "UNSTARTED1")
        .unwrap();
    assert_eq!(started["state"], "finished", "{list}");
}

/// Item 4: two undos of one batch started together send its removes once.
#[tokio::test(flavor = "multi_thread")]
async fn two_undos_at_once_send_once() {
    let env = Env::new().await;
    let rows: String = (0..20).map(|i| format!("w{i},vip\n")).collect();
    let file = env.file("w.csv", rows.as_bytes());
    let out = env.run(&["--json", "hive", "import", p(&file)]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = batch_id(&out);
    env.latency(200);
    let a = env.spawn(&["--json", "batch", "undo", &id]);
    let b = env.spawn(&["--json", "batch", "undo", &id]);
    let (a, b) = (finish(a).await, finish(b).await);
    let codes = [code(&a), code(&b)];
    assert!(codes.contains(&0) && codes.contains(&2), "{codes:?}");
    let loser = if code(&a) == 2 { &a } else { &b };
    let said = stdout(loser);
    assert!(
        said.contains("is running it right now") || said.contains("was already undone at"),
        "{said}"
    );
    assert_eq!(env.requests("hive.remove"), 20, "each tag removed once");
}
