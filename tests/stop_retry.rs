//! Stopping early and retrying what failed, through the binary against the simulator:
//! `--max-errors N` stops after N refused rows (the rest pending, `batch resume` finishes
//! them), a refused key stops at the first row (one request), `batch retry` sends only the
//! rows of the classes asked for as a new batch linked to the first, and the results carry
//! each row's original cells (`source`), so the failures of a results file are a file to
//! import again.

mod support;

use serde_json::Value;
use support::cli::*;
use tagdesk::sim::faults::FaultRule;

fn p(path: &std::path::Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn faults(env: &Env, rules: &[&str]) {
    env.sim.set_faults(
        rules
            .iter()
            .map(|r| r.parse::<FaultRule>().expect("a fault rule"))
            .collect(),
    );
}

fn outcomes(env: &Env, batch_id: &str) -> Vec<String> {
    let shown = env
        .command(&["--json", "batch", "show", batch_id])
        .output()
        .expect("batch show");
    assert_eq!(code(&shown), 0, "{}", stderr(&shown));
    json(&shown)["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["outcome"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn listed(env: &Env) -> Vec<Value> {
    let list = env
        .command(&["--json", "batch", "list"])
        .output()
        .expect("batch list");
    assert_eq!(code(&list), 0, "{}", stderr(&list));
    json(&list).as_array().expect("a list").clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn max_errors_stops_after_n_refused_rows_and_resume_finishes_the_rest() {
    let env = Env::new().await;
    faults(&env, &["hive.add:400*3"]);
    let rows: String = (0..10).map(|i| format!("s{i},vip\n")).collect();
    let f = env.file("ten.csv", rows.as_bytes());
    let out = env
        .run(&[
            "--json",
            "hive",
            "import",
            "--max-errors",
            "3",
            "--concurrency",
            "1",
            p(&f),
        ])
        .await;
    assert_eq!(code(&out), 4, "pending rows remain: {}", stderr(&out));
    let j = json(&out);
    assert_eq!(
        (
            j["refused"].as_u64(),
            j["pending"].as_u64(),
            j["ok"].as_u64()
        ),
        (Some(3), Some(7), Some(0)),
        "{j}"
    );
    assert_eq!(j["stopped"]["reason"], "max_errors", "{j}");
    assert_eq!(j["stopped"]["after"], 3);
    assert_eq!(j["stopped"]["max_errors"], 3);
    assert_eq!(env.requests("hive.add"), 3, "nothing sent after the third");
    let id = j["batch_id"].as_str().unwrap().to_string();
    let err = stderr(&out);
    assert!(
        err.contains("the batch stopped sending: 3 rows were refused or in error (--max-errors 3); 7 rows pending:")
            && err.contains(&format!("batch resume {id}")),
        "{err}"
    );
    let state = listed(&env)
        .into_iter()
        .find(|b| b["batch_id"] == id.as_str())
        .expect("listed")["state"]
        .clone();
    assert_eq!(state, "interrupted");

    let resumed = env.run(&["--json", "batch", "resume", &id]).await;
    assert_eq!(code(&resumed), 0, "{}", stderr(&resumed));
    assert_eq!(json(&resumed)["ok"], 7);
    assert_eq!(
        env.requests("hive.add"),
        10,
        "the refused rows are not resent"
    );
    let o = outcomes(&env, &id);
    assert_eq!(o.iter().filter(|o| *o == "refused").count(), 3, "{o:?}");
    assert_eq!(o.iter().filter(|o| *o == "ok").count(), 7, "{o:?}");

    // 0 and nonsense are refused when the command line is read.
    for bad in ["0", "many"] {
        let out = env
            .run(&["hive", "import", "--max-errors", bad, p(&f)])
            .await;
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).contains("1 or more"), "{}", stderr(&out));
    }
    assert_eq!(env.requests("hive.add"), 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_hive_key_stops_at_the_first_row_whatever_max_errors() {
    let env = Env::new().await;
    let rows: String = (0..40).map(|i| format!("k{i},vip\n")).collect();
    let f = env.file("forty.csv", rows.as_bytes());
    let out = env
        .run(&[
            "--json",
            "--profile",
            "wrongkey",
            "hive",
            "import",
            // The run's first request goes alone, however many may be in flight.
            "--concurrency",
            "16",
            "--max-errors",
            "1000",
            p(&f),
        ])
        .await;
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert_eq!(
        env.requests("hive.add"),
        1,
        "one request, not one per worker"
    );
    let j = json(&out);
    assert_eq!(j["stopped"]["reason"], "key_refused", "{j}");
    assert_eq!(j["stopped"]["service"], "hive");
    assert_eq!(j["stopped"]["http_status"], 403);
    assert_eq!(j["stopped"]["error_code"], "INVALID_API_KEY");
    assert_eq!(
        (j["refused"].as_u64(), j["pending"].as_u64()),
        (Some(1), Some(39))
    );
    let err = stderr(&out);
    assert!(
        err.contains("the Hive API refused the profile's API key (HTTP 403 INVALID_API_KEY)"),
        "{err}"
    );
    assert!(!err.contains("not-the-key") && !stdout(&out).contains("not-the-key"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_cerego_key_stops_at_the_first_row() {
    let env = Env::new().await;
    // The listing goes through; every change is answered 401.
    faults(&env, &["cerego.add:401", "cerego.update:401"]);
    let f = env.file("c.csv",
        b"user_id,tag_type_id,value\n1185304,3,Winter 2030\n1185310,3,Winter 2030\n1185324,3,Winter 2030\n1185331,3,Winter 2030\n",
    );
    let out = env.run(&["--json", "cerego", "import", p(&f)]).await;
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert_eq!(
        env.requests("cerego.add") + env.requests("cerego.update"),
        1,
        "one change sent"
    );
    let j = json(&out);
    assert_eq!(j["stopped"]["reason"], "key_refused", "{j}");
    assert_eq!(j["stopped"]["service"], "cerego");
    assert_eq!(j["pending"], 3);
    assert!(
        stderr(&out).contains("the Cerego API refused the profile's API key (HTTP 401"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains(CEREGO_KEY));
}

/// Row 1 is refused (a fault on the first request), rows 2-4 land, row 5 fails and row 6
/// is partial (an api_field the application does not have).
const MIXED: &[u8] = b"r0,vip\np1,vip\np2,vip\np3,vip\nf1,nope\nf2,\"nope, vip\"\n";

#[tokio::test(flavor = "multi_thread")]
async fn retry_failed_sends_only_the_failed_rows_as_a_linked_batch() {
    let env = Env::new().await;
    faults(&env, &["hive.add:400*1"]);
    let f = env.file("mixed.csv", MIXED);
    let out = env
        .run(&["--json", "hive", "import", "--concurrency", "1", p(&f)])
        .await;
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let id = json(&out)["batch_id"].as_str().unwrap().to_string();
    assert_eq!(
        outcomes(&env, &id),
        ["refused", "ok", "ok", "ok", "failed", "partial"]
    );
    assert_eq!(env.requests("hive.add"), 6);

    // A dry-run sends nothing and makes no batch.
    let dry = env
        .run(&["--json", "batch", "retry", &id, "--failed", "--dry-run"])
        .await;
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    assert_eq!(json(&dry)["plan"].as_array().map(Vec::len), Some(2));
    assert_eq!(env.requests("hive.add"), 6);

    let retried = env
        .run(&["--json", "--yes", "batch", "retry", &id, "--failed"])
        .await;
    assert_eq!(code(&retried), 1, "tags still fail: {}", stderr(&retried));
    let r = json(&retried);
    assert_eq!(r["retry_of"], id.as_str(), "{r}");
    assert_eq!(r["requests"], 2);
    assert_eq!(
        env.requests("hive.add"),
        8,
        "only the failed and partial rows"
    );
    let new_id = r["batch_id"].as_str().unwrap().to_string();
    assert_ne!(new_id, id);
    let shown = env
        .command(&["--json", "batch", "show", &new_id])
        .output()
        .unwrap();
    let shown = json(&shown);
    assert_eq!(shown["retry_of"], id.as_str());
    let lines: Vec<u64> = shown["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [5, 6], "the rows keep their lines in the file");

    let list = listed(&env);
    let of = |b: &str| {
        list.iter()
            .find(|x| x["batch_id"] == b)
            .map(|x| x["retry_of"].clone())
    };
    assert_eq!(of(&new_id), Some(Value::from(id.as_str())));
    assert_eq!(
        of(&id),
        Some(Value::Null),
        "the first batch retries nothing"
    );
    let human = env.command(&["batch", "list"]).output().unwrap();
    assert!(
        stdout(&human).contains(&format!("(retry of {id})")),
        "{}",
        stdout(&human)
    );

    // --refused takes the refused row only; the rest are not sent again.
    let refused = env
        .run(&["--json", "batch", "retry", &id, "--refused"])
        .await;
    assert_eq!(code(&refused), 0, "{}", stderr(&refused));
    assert_eq!(json(&refused)["ok"], 1);
    assert_eq!(env.requests("hive.add"), 9);

    // Nothing of a class: said, nothing sent, exit 0.
    let none = env.run(&["batch", "retry", &id, "--errors"]).await;
    assert_eq!(code(&none), 0, "{}", stderr(&none));
    assert!(
        stderr(&none).contains("nothing to retry, nothing was sent"),
        "{}",
        stderr(&none)
    );
    assert_eq!(env.requests("hive.add"), 9);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_failures_of_a_results_file_are_a_file_to_import_again() {
    let env = Env::new().await;
    faults(&env, &["hive.add:400*1"]);
    let f = env.file("mixed.csv", MIXED);
    let results = env.dir.path().join("results.csv");
    let out = env
        .run(&[
            "hive",
            "import",
            "--concurrency",
            "1",
            "--results",
            p(&results),
            p(&f),
        ])
        .await;
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let mut reader = csv::Reader::from_path(&results).expect("the results file");
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (outcome, source) = (column("outcome"), column("source"));
    let mut again = String::new();
    let mut sources = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        sources.push(record[source].to_string());
        if matches!(&record[outcome], "refused" | "failed" | "partial") {
            again.push_str(&record[source]);
            again.push('\n');
        }
    }
    assert_eq!(
        sources,
        [
            "r0,vip",
            "p1,vip",
            "p2,vip",
            "p3,vip",
            "f1,nope",
            "f2,\"nope, vip\""
        ],
        "each row's cells as read"
    );
    let fix = env.file("fix.csv", again.as_bytes());
    let out = env
        .run(&["--json", "hive", "import", "--concurrency", "1", p(&fix)])
        .await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(
        (j["rows"].as_u64(), j["ok"].as_u64()),
        (Some(3), Some(1)),
        "{j}"
    );
    assert_eq!(
        j["failed"].as_u64().unwrap() + j["partial"].as_u64().unwrap(),
        2,
        "{j}"
    );
    assert_eq!(env.requests("hive.add"), 9, "exactly the three rows again");
    // `batch show --csv` carries the same column.
    let id = j["batch_id"].as_str().unwrap();
    let shown = env
        .command(&["batch", "show", "--csv", id])
        .output()
        .unwrap();
    assert!(
        stdout(&shown)
            .lines()
            .next()
            .unwrap()
            .ends_with(",journal_id,source"),
        "{}",
        stdout(&shown)
    );
    assert!(
        stdout(&shown).contains("\"f2,\"\"nope, vip\"\"\""),
        "{}",
        stdout(&shown)
    );
}

#[test]
fn the_console_says_why_its_batch_stopped() {
    use ratatui::crossterm::event::KeyCode;
    use support::Harness;
    use tagdesk::core::op::Service;
    use tagdesk::engine::batch::stop::StopRule;
    use tagdesk::engine::batch::{RunReport, Stopped, report};
    use tagdesk::tui::popups::Popup;

    let mut h = Harness::demo(120, 32);
    h.key(KeyCode::Char('2'));
    for _ in 0..2 {
        h.key(KeyCode::Char(' '));
    }
    h.key(KeyCode::Char('v'));
    h.key(KeyCode::Char('v'));
    h.key(KeyCode::Char('a'));
    h.type_text("vip");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.popup, Some(Popup::Batch(_))));
    h.run_batch(Some(1));
    // The engine stopped at the first row: the profile's key was refused.
    let mut rule = StopRule::new(tagdesk::engine::batch::DEFAULT_MAX_ERRORS);
    assert!(rule.observe(
        tagdesk::engine::batch::RowOutcome::Refused,
        Some((Service::Hive, 403, Some("INVALID_API_KEY".into())))
    ));
    let stopped: Stopped = rule.stopped().cloned().unwrap();
    let job = h.jobs.remove(0);
    let left: Vec<_> = job.todo[1..]
        .iter()
        .map(|&row| (row, report::report(&job.plan.rows[row], None)))
        .collect();
    h.send(tagdesk::tui::app::Message::BatchEnded {
        batch_id: job.plan.batch_id.clone(),
        report: Box::new(RunReport {
            rows: left,
            stopped: Some(stopped),
            ..RunReport::default()
        }),
    });
    let screen = h.screen();
    assert!(
        screen.contains("stopped sending: the Hive API refused the profile's API key"),
        "{screen}"
    );
    assert!(screen.contains("pending 2"), "{screen}");
    let (_, status) = h.app.status.clone().expect("a status");
    assert!(
        status.contains("stopped sending: the Hive API refused the profile's API key")
            && status.contains("resume it from the batches view"),
        "{status}"
    );
}
