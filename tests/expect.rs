//! The `expect` column of a Hive file through the binary against the simulator: rows that
//! produce what they expect exit 0 marked MATCH; one that does not exits 1 and is named;
//! the results carry the columns; an unknown value sends nothing; a resume judges the rows
//! it sends; a dry-run flags a prediction that already contradicts the expectation.

mod support;

use support::cli::*;
use tagdesk::sim::faults::FaultRule;

fn p(path: &std::path::Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// A setup check: each row names the outcome it must produce (user_abc123 holds newsletter;
/// the simulator's application defines vip and newsletter, not not_a_tag).
const SETUP: &str = "user_id,user_tags,expect\n\
                     fresh_one,vip,added\n\
                     user_abc123,\"vip, newsletter\",ADDED_PRE\n\
                     fresh_two,not_a_tag,add_failed\n\
                     fresh_three,\"vip, not_a_tag\",partial\n\
                     fresh_four,newsletter,\n\
                     fresh_five,vip,hive.add.added\n";

#[tokio::test(flavor = "multi_thread")]
async fn rows_that_produce_what_they_expect_exit_0_all_match() {
    let env = Env::new().await;
    let f = env.file("setup.csv", SETUP);
    let results = env.dir.path().join("out.csv");
    let out = env
        .run(&["hive", "import", p(&f), "--results", p(&results)])
        .await;
    // add_failed and partial are expected here: the failures they asked for do not fail
    // the run.
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.matches("expect added: MATCH").count(), 2, "{text}");
    assert!(text.contains("expect added_pre: MATCH"), "{text}");
    assert!(text.contains("expect add_failed: MATCH"), "{text}");
    assert!(text.contains("expect partial: MATCH"), "{text}");
    assert!(!text.contains("MISMATCH"), "{text}");
    assert!(!stderr(&out).contains("MISMATCH"), "{}", stderr(&out));
    assert!(!text.contains("mismatched"), "{text}");

    // The results carry expect, got and expect_check; a row with no expectation has none.
    let csv = std::fs::read_to_string(&results).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (expect, got, check) = (col("expect"), col("got"), col("expect_check"));
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let judged: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r[expect].as_str(), r[got].as_str(), r[check].as_str()))
        .collect();
    assert_eq!(
        judged,
        [
            ("added", "added", "MATCH"),
            ("added_pre", "added_pre", "MATCH"),
            ("add_failed", "add_failed", "MATCH"),
            ("partial", "added_failed", "MATCH"),
            ("", "", ""),
            ("added", "added", "MATCH"),
        ]
    );

    // A failure no row expected still fails the run (exit 1), beside rows that match.
    let f = env.file(
        "ok.csv",
        "user_id,user_tags,expect\nfresh_six,vip,ok\nfresh_seven,not_a_tag,\n",
    );
    let out = env.run(&["--json", "hive", "import", p(&f)]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(j["exit_code"], 1);
    assert_eq!(j["failed"], 1);
    assert!(j.get("mismatched").is_none(), "{j}");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_wrong_expectation_exits_1_and_names_the_row() {
    let env = Env::new().await;
    // user_abc123 already holds newsletter: the add is `pre`, not `added`.
    let f = env.file(
        "check.csv",
        "user_id,user_tags,expect\nfresh_one,vip,added\nuser_abc123,newsletter,added\n",
    );
    let out = env.run(&["--json", "hive", "import", p(&f)]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(j["mismatched"], 1, "{j}");
    assert_eq!(j["ok"], 1);
    assert_eq!(j["unchanged"], 1);
    assert_eq!(j["exit_code"], 1);
    assert!(
        stderr(&out).contains("MISMATCH: line 3: user_abc123 expected added, got pre"),
        "{}",
        stderr(&out)
    );
    // batch show: the rows with their marks, from the saved plan.
    let id = j["batch_id"].as_str().unwrap().to_string();
    let shown = env.run(&["--json", "batch", "show", &id]).await;
    assert_eq!(code(&shown), 0, "{}", stderr(&shown));
    let rows = json(&shown)["rows"].as_array().unwrap().clone();
    assert_eq!(rows[0]["expect"], "added");
    assert_eq!(rows[0]["expect_check"], "MATCH");
    assert_eq!(rows[1]["expect"], "added");
    assert_eq!(rows[1]["got"], "pre");
    assert_eq!(rows[1]["expect_check"], "MISMATCH");
    let human = env.run(&["batch", "show", &id]).await;
    assert!(
        stdout(&human).contains("expect added: MISMATCH (got pre)"),
        "{}",
        stdout(&human)
    );
    let csv = env.run(&["batch", "show", "--csv", &id]).await;
    assert!(
        stdout(&csv)
            .lines()
            .next()
            .unwrap()
            .contains(",expect,got,expect_check,"),
        "{}",
        stdout(&csv)
    );
    assert!(
        stdout(&csv).contains(",added,pre,MISMATCH,"),
        "{}",
        stdout(&csv)
    );

    // The human summary counts it.
    let f = env.file(
        "again.csv",
        "user_id,user_tags,expect\nuser_abc123,newsletter,added\n",
    );
    let before = env.hive_requests();
    // A dry-run already sees it coming: tagdesk now knows user_abc123 holds newsletter.
    let dry = env.run(&["hive", "import", "--dry-run", p(&f)]).await;
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("[expect added: CONTRADICTED (predicted: pre)]"),
        "{}",
        stdout(&dry)
    );
    assert!(
        stderr(&dry).contains("the prediction of line 2 already contradicts its expect column"),
        "{}",
        stderr(&dry)
    );
    assert_eq!(env.hive_requests(), before, "a dry-run sends nothing");
    let out = env.run(&["hive", "import", p(&f)]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).contains(" · 1 mismatched"), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_expect_value_is_refused_with_nothing_sent() {
    let env = Env::new().await;
    let f = env.file("bad.csv",
        "user_id,user_tags,expect\nfresh_one,vip,added\nfresh_two,vip,addded\nfresh_three,vip,removed\n",
    );
    let out = env.run(&["hive", "import", p(&f)]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("line 3: expect: \"addded\" is not an outcome"),
        "{e}"
    );
    assert!(
        e.contains("ok, unchanged, partial, failed, added, added_pre"),
        "{e}"
    );
    assert!(
        e.contains("line 4: expect: \"removed\" is an outcome of the other action"),
        "{e}"
    );
    assert_eq!(env.hive_requests(), 0, "nothing was sent");

    // One patron on two lines is one request: its lines must expect the same.
    let f = env.file(
        "merged.csv",
        "user_id,user_tags,expect\nfresh_one,vip,added\nfresh_one,newsletter,pre\n",
    );
    let out = env.run(&["hive", "import", p(&f)]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("line 3: expect: fresh_one is also on line 2, which expects added"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.hive_requests(), 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resume_judges_the_rows_it_sends() {
    let env = Env::new().await;
    env.sim
        .set_faults(vec!["hive:drop".parse::<FaultRule>().unwrap()]);
    let f = env.file(
        "r.csv",
        "user_id,user_tags,expect\nfresh_one,vip,added\nuser_abc123,newsletter,ok\n",
    );
    let out = env.run(&["--json", "hive", "import", p(&f)]).await;
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(j["errors"], 2);
    assert!(
        j.get("mismatched").is_none(),
        "no answer is no mismatch: {j}"
    );
    let id = j["batch_id"].as_str().unwrap().to_string();
    env.sim.set_faults(Vec::new());
    let out = env.run(&["--json", "batch", "resume", &id, "--yes"]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(json(&out)["mismatched"], 1);
    assert!(
        stderr(&out).contains("MISMATCH: line 3: user_abc123 expected ok, got pre"),
        "{}",
        stderr(&out)
    );
}
