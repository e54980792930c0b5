//! Issue 23 §1: export, edit, import back — through the binary against the simulator.
//! `hive export` writes what tagdesk last confirmed in the import format and importing it
//! unedited sends nothing (the simulator's request counts prove it); `cerego export` lists
//! the partner and importing it unedited sends nothing, edited it updates exactly the edited
//! rows; `--dashboard` writes the dashboard's header; the file is 0600; the places
//! `--results` refuses are refused, nothing written.

use crate::support::cli::*;

fn hive_writes(env: &Env) -> u64 {
    env.requests("hive.add") + env.requests("hive.remove")
}

fn cerego_writes(env: &Env) -> u64 {
    env.requests("cerego.add") + env.requests("cerego.update") + env.requests("cerego.set")
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread")]
async fn hive_export_then_import_unedited_sends_nothing() {
    let env = Env::new().await;
    // tagdesk learns patrons from Hive's answers.
    for args in [
        ["hive", "add", "user_abc123", "vip", "newsletter"].as_slice(),
        ["hive", "add", "fresh_one", "vip"].as_slice(),
    ] {
        let o = env.run(args).await;
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let out = env.dir.path().join("patrons.csv");
    let o = env
        .run(&["--json", "hive", "export", out.to_str().unwrap()])
        .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let summary = json(&o);
    assert_eq!(summary["out"], out.to_str().unwrap());
    assert_eq!(summary["rows"], 2);
    assert_eq!(summary["patrons"], 2);
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o600);
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("# user_tags: the tags tagdesk last confirmed"),
        "{text}"
    );
    assert_eq!(lines[1], "user_id,user_tags,confirmed_at");
    assert!(lines[2].starts_with("fresh_one,vip,20"), "{text}");
    assert!(
        lines[3].starts_with("user_abc123,\"vip, newsletter\",20"),
        "{text}"
    );

    // Imported unedited: every row unchanged, nothing sent, and the preview says so.
    let before = hive_writes(&env);
    let dry = env
        .run(&["hive", "import", out.to_str().unwrap(), "--dry-run"])
        .await;
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    assert!(
        stderr(&dry).contains("nothing to send: every row is unchanged"),
        "{}",
        stderr(&dry)
    );
    assert!(
        stdout(&dry).contains("unchanged: =vip =newsletter"),
        "{}",
        stdout(&dry)
    );
    let run = env
        .run(&["--json", "hive", "import", out.to_str().unwrap()])
        .await;
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let j = json(&run);
    assert_eq!(j["requests"], 0, "{j}");
    assert_eq!(j["unchanged"], 2, "{j}");
    assert_eq!(hive_writes(&env), before, "nothing was sent");

    // --patrons: only those, in the file's order; a patron never seen gets an empty row,
    // which an import leaves unchanged with a note.
    let list = env.dir.path().join("ids.txt");
    std::fs::write(&list, "# the ticket's patrons\nnever_seen\n\nuser_abc123\n").unwrap();
    let o = env
        .run(&["hive", "export", "--patrons", list.to_str().unwrap()])
        .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    let rows: Vec<&str> = text.lines().skip(2).collect();
    assert_eq!(rows[0], "never_seen,,");
    assert!(rows[1].starts_with("user_abc123,"), "{text}");
    assert_eq!(rows.len(), 2);
    let again = env.dir.path().join("again.csv");
    std::fs::write(&again, &text).unwrap();
    let run = env
        .run(&["--json", "hive", "import", again.to_str().unwrap()])
        .await;
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let j = json(&run);
    assert_eq!(
        (j["requests"].as_u64(), j["unchanged"].as_u64()),
        (Some(0), Some(2)),
        "{j}"
    );
    assert!(j["notes"].to_string().contains("empty user_tags"), "{j}");
    assert_eq!(hive_writes(&env), before, "nothing was sent");

    // Edited: a tag added on one row sends that row only.
    std::fs::write(&again, text.replace("never_seen,,", "never_seen,vip,")).unwrap();
    let run = env
        .run(&["--json", "hive", "import", again.to_str().unwrap()])
        .await;
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    assert_eq!(json(&run)["requests"], 1);
    assert_eq!(hive_writes(&env), before + 1);

    // A bad id in --patrons: named, nothing written.
    std::fs::write(&list, "ok_one\nuser_abc123,vip\n").unwrap();
    let bad_out = env.dir.path().join("bad.csv");
    let o = env
        .run(&[
            "hive",
            "export",
            bad_out.to_str().unwrap(),
            "--patrons",
            list.to_str().unwrap(),
        ])
        .await;
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("line 2"), "{}", stderr(&o));
    assert!(!bad_out.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn hive_dashboard_export_has_the_dashboards_two_columns() {
    let env = Env::new().await;
    let o = env
        .run(&["hive", "add", "p_dash", "vip", "newsletter"])
        .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let list = env.dir.path().join("ids.txt");
    std::fs::write(&list, "p_dash\nnobody_yet\n").unwrap();
    let o = env
        .run(&[
            "hive",
            "export",
            "-",
            "--dashboard",
            "--patrons",
            list.to_str().unwrap(),
        ])
        .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "user_id,user_tags\np_dash,\"vip, newsletter\"\n"
    );
    assert!(stderr(&o).contains("1 patron left out"), "{}", stderr(&o));
    // The dashboard's file is an import file too.
    let file = env.dir.path().join("dash.csv");
    std::fs::write(&file, stdout(&o)).unwrap();
    let dry = env
        .run(&[
            "--json",
            "hive",
            "import",
            file.to_str().unwrap(),
            "--dry-run",
        ])
        .await;
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    let plan = json(&dry)["plan"].clone();
    assert_eq!(plan.as_array().map(Vec::len), Some(1), "{plan}");
    assert_eq!(
        plan[0]["unchanged"], false,
        "a plain file's row is sent: {plan}"
    );
}

/// A profile on the simulator with two of its tag types configured, on the legacy tag API
/// (an update per changed value).
fn cerego_config(env: &Env) -> String {
    env.default_config().replace(
        "tag_types = [{ id = \"3\", name = \"Cohort\" }]",
        "tag_types = [{ id = \"3\", name = \"Cohort\" }, { id = \"5\", name = \"Plan\" }]",
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn cerego_export_round_trip_and_an_edited_export_updates_exactly_the_edited_rows() {
    let env = Env::new().await;
    env.write_config(&cerego_config(&env));
    let out = env.dir.path().join("users.csv");
    let o = env
        .run(&["--json", "cerego", "export", out.to_str().unwrap()])
        .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let summary = json(&o);
    // Every user `cerego users` lists.
    let listed = env.run(&["--json", "cerego", "users"]).await;
    assert_eq!(code(&listed), 0, "{}", stderr(&listed));
    let listed = json(&listed)["result"]["users"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(summary["users"].as_u64(), Some(listed as u64), "{summary}");
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o600);
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "user_id,tag_type_id,tag_type,value");
    // Ada has a Plan and no Cohort; Grace both, Cohort first (the profile's order).
    assert_eq!(lines[1], "1185304,5,Plan,Gold");
    assert_eq!(lines[2], "1185310,3,Cohort,Autumn 2025");
    assert_eq!(lines[3], "1185310,5,Plan,Gold");
    assert_eq!(summary["rows"].as_u64(), Some(lines.len() as u64 - 1));
    assert!(!text.contains("LATAM"), "only configured tag types");

    // Unedited: every row unchanged, nothing sent.
    let before = cerego_writes(&env);
    let run = env
        .run(&["--json", "cerego", "import", out.to_str().unwrap()])
        .await;
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let j = json(&run);
    assert_eq!(j["requests"], 0, "{j}");
    assert_eq!(j["unchanged"], summary["rows"], "{j}");
    assert!(
        stderr(&run).contains("nothing to send: every row is unchanged"),
        "{}",
        stderr(&run)
    );
    assert_eq!(cerego_writes(&env), before, "nothing was sent");

    // Two values edited: exactly those two rows are updated.
    let edited = text
        .replace("1185304,5,Plan,Gold", "1185304,5,Plan,Silver")
        .replace(
            "1185310,3,Cohort,Autumn 2025",
            "1185310,3,Cohort,Spring 2027",
        );
    std::fs::write(&out, &edited).unwrap();
    let run = env
        .run(&["--json", "cerego", "import", out.to_str().unwrap()])
        .await;
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let j = json(&run);
    assert_eq!(j["requests"], 2, "{j}");
    assert_eq!(j["ok"], 2, "{j}");
    assert_eq!(env.requests("cerego.update"), 2);
    assert_eq!(cerego_writes(&env), before + 2);
    // The partner now holds the edits, and only them: a new export is the edited file.
    let o = env.run(&["cerego", "export"]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), edited);

    // --users: only those, in the file's order.
    let list = env.dir.path().join("users.txt");
    std::fs::write(&list, "1185310\n# Ada\n1185304\n").unwrap();
    let o = env
        .run(&["cerego", "export", "--users", list.to_str().unwrap()])
        .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "user_id,tag_type_id,tag_type,value\n1185310,3,Cohort,Spring 2027\n\
         1185310,5,Plan,Gold\n1185304,5,Plan,Silver\n"
    );

    // A tag_type name that does not match its id: a row error naming both, nothing sent.
    std::fs::write(
        &out,
        edited.replace("1185310,5,Plan,Gold", "1185310,5,Cohort,Gold"),
    )
    .unwrap();
    let run = env.run(&["cerego", "import", out.to_str().unwrap()]).await;
    assert_eq!(code(&run), 2);
    assert!(
        stderr(&run).contains("tag_type \"Cohort\" does not match tag_type_id 5"),
        "{}",
        stderr(&run)
    );
    assert_eq!(cerego_writes(&env), before + 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_is_refused_where_results_are_and_writes_nothing() {
    let env = Env::new().await;
    let o = env.run(&["hive", "add", "user_abc123", "vip"]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The journal (in the data folder), the configuration: refused, left as they were.
    let journal = env.data_dir().join("journal-staging.jsonl");
    let before = std::fs::read(&journal).expect("the journal");
    let o = env
        .run(&["hive", "export", journal.to_str().unwrap()])
        .await;
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("data folder"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&journal).unwrap(), before);
    let config = env.config_path();
    let o = env
        .run(&["cerego", "export", config.to_str().unwrap()])
        .await;
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("configuration file"), "{}", stderr(&o));
    // The --patrons file itself.
    let list = env.dir.path().join("ids.txt");
    std::fs::write(&list, "user_abc123\n").unwrap();
    let o = env
        .run(&[
            "hive",
            "export",
            list.to_str().unwrap(),
            "--patrons",
            list.to_str().unwrap(),
        ])
        .await;
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("input file"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&list).unwrap(), "user_abc123\n");
    // A symbolic link: only with --force, and then replaced by a file (the target is
    // left alone).
    #[cfg(unix)]
    {
        let target = env.dir.path().join("target.txt");
        std::fs::write(&target, "keep").unwrap();
        let link = env.dir.path().join("link.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let o = env.run(&["hive", "export", link.to_str().unwrap()]).await;
        assert_eq!(code(&o), 2);
        assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
        let o = env
            .run(&["hive", "export", link.to_str().unwrap(), "--force"])
            .await;
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        assert_eq!(mode(&link), 0o600);
    }
    // --json and standard output would mix: refused.
    let o = env.run(&["--json", "hive", "export"]).await;
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).contains("give OUT a file"), "{}", stdout(&o));
}
