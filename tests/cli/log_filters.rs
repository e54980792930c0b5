//! Issue 21 §4: `tagdesk log` answers "what did we do to patron X": `--target`, `--failed`,
//! `--mismatch`, `--op`, `-n/--last`, with `--since` and every export, and the text shows
//! each entry's journal id, which `tagdesk undo` takes.

use std::time::Duration;

use serde_json::Value;
use tagdesk::core::domain::{ApiField, PatronId};
use tagdesk::core::op::{Exchange, Op};
use tagdesk::engine::journal::{Journal, OutcomeRecord};

use crate::support::cli::*;

/// The journal ids of a `log --json` run, in order.
fn ids(o: &std::process::Output) -> Vec<String> {
    stdout(o)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            v["id"].as_str().expect("id").to_string()
        })
        .collect()
}

fn targets(o: &std::process::Output) -> Vec<String> {
    stdout(o)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("JSON");
            format!(
                "{} {}",
                v["operation"].as_str().unwrap_or(""),
                v["target"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// Appends to staging's journal a Hive add answered with a message that is not the
/// documented one (what a changed server would send).
fn journal_a_mismatch(env: &Env, patron: &str) {
    let (mut j, _) = Journal::open(&env.data_dir(), "staging", Vec::new()).expect("journal");
    let op = Op::HiveAdd {
        patron: PatronId::parse(patron).unwrap(),
        fields: vec![ApiField::parse("vip").unwrap()],
    };
    let body = format!(
        r#"{{"message": "Tags added!", "patron_id": "{patron}", "added_tag_ids": ["vip"],
        "pre_existing_tag_ids": [], "failed": []}}"#
    );
    j.record_intent("mismatch-1", &op, None).unwrap();
    let output = tagdesk::core::op::interpret(&op, 200, body.as_bytes()).unwrap();
    let exchange = Exchange {
        method: "POST".into(),
        url: format!("{}/api/v1/user_tags/add", env.sim.base_url()),
        request_body: Some("{}".into()),
        status: Some(200),
        response_body: Some(body.clone()),
        duration_ms: 3,
    };
    j.record_outcome(OutcomeRecord::from_execution(
        "mismatch-1",
        &[exchange],
        &Ok(output),
        Duration::ZERO,
    ))
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn log_filters_answer_what_was_done_to_one_patron() {
    let env = Env::new().await;
    for args in [
        &["hive", "add", "user_abc123", "vip"][..],
        &["hive", "add", "other_patron", "vip"],
        // Some tags failed (an api_field Hive does not know).
        &["hive", "add", "user_abc123", "escalated", "nope"],
        // Refused: Hive does not know this patron.
        &["hive", "remove", "ghost_patron", "vip"],
        &["hive", "remove", "user_abc123", "vip"],
        &[
            "cerego", "add", "--user", "1185304", "--type", "3", "Spring",
        ],
    ] {
        env.run(args).await;
    }
    journal_a_mismatch(&env, "user_abc123");

    let all = env.run(&["log", "--json"]).await;
    assert_eq!(code(&all), 0, "{}", stderr(&all));
    assert_eq!(ids(&all).len(), 7, "{}", stdout(&all));

    // --target: the patron's own entries, nothing else.
    let mine = env.run(&["--json", "log", "--target", "user_abc123"]).await;
    assert_eq!(
        targets(&mine),
        [
            "add user_abc123",
            "add user_abc123",
            "remove user_abc123",
            "add user_abc123"
        ]
    );
    // A Cerego user id finds that user's changes.
    let user = env.run(&["log", "--jsonl", "--target", "1185304"]).await;
    assert_eq!(targets(&user), ["add user 1185304"]);

    // --failed: the partial failure and the refusal.
    let failed = env.run(&["log", "--json", "--failed"]).await;
    assert_eq!(targets(&failed), ["add user_abc123", "remove ghost_patron"]);
    // --mismatch: only the answer whose message is not the documented one.
    let odd = env.run(&["log", "--json", "--mismatch"]).await;
    assert_eq!(ids(&odd), ["mismatch-1"]);

    // --op, one kind or several.
    let removes = env.run(&["log", "--json", "--op", "hive_remove"]).await;
    assert_eq!(
        targets(&removes),
        ["remove ghost_patron", "remove user_abc123"]
    );
    let two = env
        .run(&["log", "--json", "--op", "hive_remove,cerego_add"])
        .await;
    assert_eq!(targets(&two).len(), 3);

    // -n / --last: the last N matching, in journal order.
    let last = env.run(&["log", "--json", "-n", "2"]).await;
    assert_eq!(ids(&last), ids(&all)[5..]);
    let last_mine = env
        .run(&["log", "--json", "--target", "user_abc123", "--last", "1"])
        .await;
    assert_eq!(ids(&last_mine), ["mismatch-1"]);

    // Combined: a patron's failures, as CSV (the header, then one row).
    let csv = env
        .run(&["log", "--csv", "--target", "user_abc123", "--failed"])
        .await;
    let text = stdout(&csv);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.contains(",user_abc123,"))
    );
    // With --since: everything here is recent; nothing is older than the future.
    let since = env
        .run(&["log", "--json", "--since", "1h", "--op", "hive_add"])
        .await;
    assert_eq!(ids(&since).len(), 4);
    let future = env
        .run(&["log", "--since", "2999-01-01", "--target", "user_abc123"])
        .await;
    assert_eq!(code(&future), 0);
    assert!(stdout(&future).is_empty());
    assert!(
        stderr(&future).contains("no entries match --target user_abc123 since 2999-01-01"),
        "{}",
        stderr(&future)
    );

    // A wrong --op lists the valid ones, exit 2.
    let wrong = env.run(&["log", "--op", "hive_ad"]).await;
    assert_eq!(code(&wrong), 2);
    let said = stderr(&wrong);
    for op in tagdesk::core::op::Op::NAMES {
        assert!(said.contains(op), "{op} in {said}");
    }
    let zero = env.run(&["log", "-n", "0"]).await;
    assert_eq!(code(&zero), 2, "{}", stderr(&zero));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_text_log_shows_the_journal_id_undo_takes() {
    let env = Env::new().await;
    let added = env.run(&["hive", "add", "user_abc123", "vip"]).await;
    assert_eq!(code(&added), 0, "{}", stderr(&added));
    let log = env
        .run(&["log", "--target", "user_abc123", "-n", "1"])
        .await;
    let text = stdout(&log);
    let first = text.lines().next().expect("an entry");
    // time (two words), then the id column.
    let id = first.split_whitespace().nth(2).expect("an id column");
    let json = env.run(&["log", "--json"]).await;
    assert_eq!(ids(&json), [id.to_string()], "{text}");
    let undone = env.run(&["undo", id]).await;
    assert_eq!(code(&undone), 0, "{}", stderr(&undone));
    // The undo is journaled too: a remove of what the add added.
    let removes = env.run(&["log", "--json", "--op", "hive_remove"]).await;
    assert_eq!(targets(&removes), ["remove user_abc123"]);
}
