//! Issue 21 §4: tag types by name wherever an id is asked, counted words in good English,
//! and messages that say what is really the matter.

use serde_json::Value;

use crate::support::cli::*;

/// The default configuration with Plan as a second tag type on staging (which says
/// `tags_api = "legacy"` itself), and `setapi`: the same Cerego on the set API.
fn named_types(env: &Env) -> String {
    let base = env.sim.base_url();
    let types = r#"tag_types = [{ id = "3", name = "Cohort" }, { id = "5", name = "Plan" }]"#;
    let default = env.default_config();
    assert!(default.contains("tags_api = \"legacy\""), "{default}");
    let text = default.replace(r#"tag_types = [{ id = "3", name = "Cohort" }]"#, types);
    format!(
        "{text}\n[profiles.setapi.cerego]\nbase_url = \"{base}\"\npartner_id = \"4242\"\n\
         api_key_env = \"TEST_CEREGO_KEY\"\ntags_api = \"set\"\n{types}\n"
    )
}

/// User 1185304 of the demo seed (tags 5 = Gold, 7 = EMEA).
const ADA: &str = "ada.lovelace@example.edu";

fn write_file(env: &Env, name: &str, text: &str) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn tag_types_are_given_and_shown_by_their_configured_names() {
    let env = Env::new().await;
    env.write_config(&named_types(&env));

    // `cerego add --type NAME`, any case: the id is sent and journaled.
    let add = env
        .run(&[
            "--json", "cerego", "add", "--user", "1185304", "--type", "cohort", "Spring",
        ])
        .await;
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let j = json(&add);
    assert_eq!(j["op"]["tag_type"], "3");
    assert!(j["command"].as_str().unwrap().contains("--type 3"), "{j}");
    // Its answer names the type beside its id.
    assert_eq!(j["result"]["tag_type_id"], "3");
    assert_eq!(j["result"]["tag_type_name"], "Cohort");

    // An unknown name: the configured ones listed, nothing sent, exit 2.
    let before = env.requests("cerego.add");
    let wrong = env
        .run(&["cerego", "add", "--user", "1185304", "--type", "Plann", "x"])
        .await;
    assert_eq!(code(&wrong), 2);
    assert!(
        stderr(&wrong).contains(
            "unknown tag type \"Plann\": the profile's tag types are Cohort (3), Plan (5)"
        ),
        "{}",
        stderr(&wrong)
    );
    assert_eq!(env.requests("cerego.add"), before, "nothing was sent");

    // `cerego set NAME=VALUE` and `ID=VALUE` together.
    let set = env
        .run(&[
            "--json",
            "--profile",
            "setapi",
            "cerego",
            "set",
            "--user",
            "1185304",
            "Plan=Silver",
            "3=Fall",
        ])
        .await;
    assert_eq!(code(&set), 0, "{}", stderr(&set));
    let tags = &json(&set)["op"]["tags"];
    assert_eq!(tags[0]["tag_type"], "5");
    assert_eq!(tags[1]["tag_type"], "3");
    let wrong = env
        .run(&[
            "--profile",
            "setapi",
            "cerego",
            "set",
            "--user",
            "1185304",
            "Plann=x",
        ])
        .await;
    assert_eq!(code(&wrong), 2);
    assert!(stderr(&wrong).contains("Cohort (3), Plan (5)"));

    // `cerego users` prints Plan=Silver, not 5=Silver; an unnamed type keeps its id.
    let users = env.run(&["cerego", "users", "--query", ADA]).await;
    let out = stdout(&users);
    let row = out
        .lines()
        .find(|l| l.starts_with("1185304"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(row.contains(":Plan=Silver"), "{row}");
    assert!(row.contains(":Cohort=Fall"), "{row}");
    assert!(
        row.contains(":7=EMEA"),
        "an unnamed type stays its id: {row}"
    );
    assert!(!row.contains(":5="), "{row}");
    // JSON keeps its fields and adds the name beside the id.
    let users = env
        .run(&["--json", "cerego", "users", "--query", ADA])
        .await;
    let j = json(&users);
    let tags = j["result"]["users"][0]["tags"].as_array().expect("tags");
    let plan = tags
        .iter()
        .find(|t| t["tag_type_id"] == "5")
        .expect("a Plan tag");
    assert_eq!(plan["tag_type_name"], "Plan");
    assert_eq!(plan["value"], "Silver");
    let region = tags.iter().find(|t| t["tag_type_id"] == "7").expect("7");
    assert_eq!(region.get("tag_type_name"), None::<&Value>);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cerego_file_may_name_its_tag_types() {
    let env = Env::new().await;
    env.write_config(&named_types(&env));
    let file = write_file(
        &env,
        "named.csv",
        "user_id,tag_type_id,value\n1185304,cohort,Spring\n1185304,Plan,Gold\n",
    );
    let preview = env.run(&["cerego", "import", &file, "--dry-run"]).await;
    assert_eq!(code(&preview), 0, "{}", stderr(&preview));
    let run = env.run(&["cerego", "import", &file]).await;
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    // The journal holds the id.
    let log = env.run(&["log", "--json", "--op", "cerego_add"]).await;
    let entry: Value =
        serde_json::from_str(stdout(&log).lines().next().expect("an add")).expect("JSON");
    assert!(
        entry["command"]
            .as_str()
            .unwrap()
            .contains("--user 1185304 --type 3 Spring"),
        "{entry}"
    );
    // An unknown name is an invalid row that names the configured types.
    let bad = write_file(&env, "bad.csv", "1185304,Cohrt,x\n");
    let refused = env.run(&["cerego", "import", &bad]).await;
    assert_eq!(code(&refused), 2);
    assert!(
        stderr(&refused).contains(
            "line 1: unknown tag type \"Cohrt\": the profile's tag types are Cohort (3), Plan (5)"
        ),
        "{}",
        stderr(&refused)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn counts_of_one_and_two_read_as_english() {
    let env = Env::new().await;
    let one = write_file(&env, "one.csv", "user_abc123,vip\n");
    let two = write_file(
        &env,
        "two.csv",
        "user_abc123,beta_tester\nuser_def456,vip\n",
    );
    for (file, words) in [
        (&one, "1 request would be sent"),
        (&two, "2 requests would be sent"),
    ] {
        let dry = env.run(&["hive", "import", file, "--dry-run"]).await;
        assert!(stderr(&dry).contains(words), "{words}: {}", stderr(&dry));
    }
    for file in [&one, &two] {
        let run = env.run(&["hive", "import", file]).await;
        assert_eq!(code(&run), 0, "{}", stderr(&run));
    }
    let list = env.run(&["batch", "list"]).await;
    let out = stdout(&list);
    assert!(out.contains("      1 row "), "{out}");
    assert!(out.contains("      2 rows"), "{out}");
    assert!(!out.contains("1 rows"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_mode_with_a_configuration_says_it_is_ignored() {
    let env = Env::new().await;
    // --demo with a configuration file: ignored for demo mode, not "no configuration".
    let demo = env.run(&["--demo", "cerego", "profile"]).await;
    assert_eq!(code(&demo), 0, "{}", stderr(&demo));
    let said = stderr(&demo);
    assert!(
        said.contains("demo mode (--demo): the configuration in")
            && said.contains("is ignored for demo mode"),
        "{said}"
    );
    assert!(!said.contains("no configuration"), "{said}");
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_from_the_command_line_does_not_blame_the_profile() {
    let env = Env::new().await;
    let before = env.requests("hive.add");
    let flag = env.run(&["--read-only", "hive", "add", "p", "vip"]).await;
    assert_eq!(code(&flag), 2);
    let said = stderr(&flag);
    assert!(said.contains("read-only (--read-only): "), "{said}");
    assert!(!said.contains("profile staging is read-only"), "{said}");
    // A batch says it the same way.
    let file = write_file(&env, "one.csv", "user_abc123,vip\n");
    let batch = env.run(&["--read-only", "hive", "import", &file]).await;
    assert_eq!(code(&batch), 2);
    assert!(
        stderr(&batch).contains("read-only (--read-only): the batch of 1 request"),
        "{}",
        stderr(&batch)
    );
    assert_eq!(env.requests("hive.add"), before, "nothing was sent");
    // The profile's own read_only = true still names the profile.
    let locked = env
        .run(&[
            "--profile",
            "locked",
            "--read-only",
            "hive",
            "add",
            "p",
            "vip",
        ])
        .await;
    assert!(
        stderr(&locked).contains("profile locked is read-only"),
        "{}",
        stderr(&locked)
    );
}
