//! Issue 11, item 12: `tagdesk man` documents every command the clap definitions have, and
//! shell completion offers the profiles and api_fields of the configuration, silently and
//! without resolving a key.

use std::collections::BTreeSet;

use clap::CommandFactory;
use tagdesk::cli::args::Cli;

use crate::support::cli::*;

/// Every command path below the top level (`tagdesk hive add`), with its command, from the
/// clap definitions themselves: a new command cannot be left out of the page unnoticed.
fn command_paths() -> Vec<(String, clap::Command)> {
    fn walk(cmd: &clap::Command, prefix: &str, found: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let path = format!("{prefix} {}", sub.get_name());
            found.push((path.clone(), sub.clone()));
            walk(sub, &path, found);
        }
    }
    let mut found = Vec::new();
    walk(&Cli::command(), "tagdesk", &mut found);
    found
}

/// `tagdesk man`'s page with roff's escaped dashes and apostrophes made plain.
async fn man_page(env: &Env) -> String {
    let page = env.run(&["man"]).await;
    assert_eq!(code(&page), 0, "{}", stderr(&page));
    assert!(stderr(&page).is_empty(), "{}", stderr(&page));
    stdout(&page).replace("\\-", "-").replace("\\*(Aq", "'")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_man_page_lists_every_command_with_its_options() {
    let env = Env::new().await;
    let page = man_page(&env).await;
    // The date is empty but there, so the source and the manual stay in their places.
    assert!(page.contains(".TH TAGDESK 1 \"\" \"tagdesk "), "{page}");
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "COMMANDS",
        "\"EXIT STATUS\"",
        "ENVIRONMENT",
        "FILES",
    ] {
        assert!(page.contains(&format!("\n.SH {section}\n")), "{section}");
    }
    let paths = command_paths();
    for expected in [
        "tagdesk hive add",
        "tagdesk batch resume",
        "tagdesk outcomes check",
    ] {
        assert!(paths.iter().any(|(p, _)| p == expected), "{expected}");
    }
    for (path, cmd) in &paths {
        let heading = format!(".SS \"{path}\"\n");
        let start = page
            .find(&heading)
            .unwrap_or_else(|| panic!("{path} is not in the manual page"));
        let body = &page[start + heading.len()..];
        let body = &body[..body.find("\n.S").unwrap_or(body.len())];
        if let Some(about) = cmd.get_about() {
            let first = about.to_string();
            let first = first
                .split_whitespace()
                .take(4)
                .collect::<Vec<_>>()
                .join(" ");
            assert!(body.contains(&first), "{path}: {first:?} in {body}");
        }
        // Its own options and arguments (the shared ones are under OPTIONS).
        for arg in cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set() && !a.is_global_set())
        {
            let shown = match arg.get_long() {
                Some(long) => format!("--{long}"),
                None => arg
                    .get_value_names()
                    .map(|v| v.join(" "))
                    .unwrap_or_else(|| arg.get_id().to_string()),
            };
            assert!(body.contains(&shown), "{path}: {shown} in {body}");
        }
    }
    // The top-level options, every exit code, and every variable the README and the book
    // (docs/src) document.
    for arg in Cli::command().get_arguments().filter_map(|a| a.get_long()) {
        assert!(page.contains(&format!("--{arg}")), "--{arg}");
    }
    for code in ["0", "1", "2", "3", "4", "5", "129", "130", "143", "141"] {
        assert!(
            page.contains(&format!(".TP\n\\fB{code}\\fR\n")),
            "exit {code}"
        );
    }
    let docs = documentation();
    let variables: BTreeSet<&str> = docs
        .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
        .filter(|w| w.starts_with("TAGDESK_") && w.len() > "TAGDESK_".len())
        .collect();
    assert!(variables.len() >= 9, "{variables:?}");
    for v in variables {
        assert!(
            page.contains(&format!("\\fB{v}\\fR")),
            "{v} under ENVIRONMENT"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn man_out_writes_a_page_per_command() {
    let env = Env::new().await;
    let dir = env.dir.path().join("man1");
    let dir_s = dir.to_string_lossy().to_string();
    let written = env.run(&["man", "--out", &dir_s]).await;
    assert_eq!(code(&written), 0, "{}", stderr(&written));
    let main = std::fs::read_to_string(dir.join("tagdesk.1")).expect("tagdesk.1");
    let plain = main.replace("\\-", "-").replace("\\*(Aq", "'");
    assert_eq!(plain, man_page(&env).await);
    for (path, _) in command_paths() {
        let file = format!("{}.1", path.replace(' ', "-"));
        assert!(dir.join(&file).is_file(), "{file}");
        assert!(stdout(&written).contains(&file), "{file} is listed");
    }
}

/// What tagdesk's completion answers for `words`, the word at `index` being completed, as
/// the bash script asks it.
async fn complete(env: &Env, index: usize, words: &[&str]) -> std::process::Output {
    let mut args = vec!["--"];
    args.extend_from_slice(words);
    let mut c = env.command(&args);
    c.env("TAGDESK_COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", index.to_string())
        .env("_CLAP_IFS", "\n");
    tokio::task::spawn_blocking(move || c.output().expect("run tagdesk"))
        .await
        .expect("join")
}

fn candidates(o: &std::process::Output) -> Vec<String> {
    assert_eq!(code(o), 0, "{}", stderr(o));
    assert!(stderr(o).is_empty(), "{}", stderr(o));
    stdout(o).lines().map(str::to_string).collect()
}

/// The candidates that are values (not the options clap offers beside them).
fn values(o: &std::process::Output) -> Vec<String> {
    let all = candidates(o);
    all.into_iter().filter(|c| !c.starts_with('-')).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn completion_offers_the_configured_profiles_and_api_fields() {
    let env = Env::new().await;
    let marker = env.dir.path().join("key-command-ran");
    let config = format!(
        r#"default_profile = "staging"

[profiles.staging.hive]
api_key_cmd = ["touch", "{}"]
tags = [{{ api_field = "vip", name = "VIP" }}, {{ api_field = "newsletter", name = "Newsletter" }}]

[profiles.staging.cerego]
partner_id = "4242"
api_key_env = "TEST_CEREGO_KEY"
tag_types = [{{ id = "3", name = "Cohort" }}, {{ id = "5", name = "Plan" }}]

[profiles.prod.hive]
api_key = "{HIVE_KEY}"
tags = [{{ api_field = "escalated", name = "Escalated" }}]
"#,
        marker.display()
    );
    env.write_config(&config);
    let path = env.config_path();
    let path = path.to_string_lossy();
    let c = path.as_ref();

    let profiles = complete(&env, 4, &["tagdesk", "--config", c, "--profile", ""]).await;
    assert_eq!(candidates(&profiles), ["prod", "staging"]);
    let after = complete(
        &env,
        5,
        &["tagdesk", "--config", c, "log", "--profile", "st"],
    )
    .await;
    assert_eq!(candidates(&after), ["staging"]);

    // The default profile's catalogue, then another profile's, named before or after.
    let add = complete(
        &env,
        6,
        &["tagdesk", "--config", c, "hive", "add", "p1", ""],
    )
    .await;
    assert_eq!(values(&add), ["vip", "newsletter"]);
    let line = [
        "tagdesk",
        "--config",
        c,
        "--profile",
        "prod",
        "hive",
        "remove",
        "p1",
        "",
    ];
    assert_eq!(values(&complete(&env, 8, &line).await), ["escalated"]);
    let line = [
        "tagdesk",
        "--config",
        c,
        "hive",
        "add",
        "--profile",
        "prod",
        "p1",
        "vip",
        "e",
    ];
    assert_eq!(candidates(&complete(&env, 9, &line).await), ["escalated"]);
    let line = ["tagdesk", "--config", c, "hive", "add", "p1", "vip", "n"];
    assert_eq!(candidates(&complete(&env, 7, &line).await), ["newsletter"]);
    let line = ["tagdesk", "--config", c, "cerego", "add", "--type", ""];
    // Tag types complete by name (issue 21 §4), the id beside each.
    assert_eq!(
        candidates(&complete(&env, 6, &line).await),
        ["Cohort", "Plan"]
    );

    // Completion reads the file only: no key command runs and no key is printed.
    assert!(!marker.exists(), "completion ran api_key_cmd");
    for o in [&profiles, &add] {
        assert!(!stdout(o).contains(HIVE_KEY) && !stdout(o).contains(CEREGO_KEY));
    }

    // No configuration file: demo mode, whose catalogue is the demo seed's.
    let demo = complete(&env, 4, &["tagdesk", "hive", "add", "p1", ""]).await;
    let demo = values(&demo);
    assert!(demo.iter().any(|f| f == "beta_tester"), "{demo:?}");
    let line = ["tagdesk", "--config", c, "--demo", "hive", "add", "p", ""];
    assert_eq!(values(&complete(&env, 7, &line).await), demo);
}

#[tokio::test(flavor = "multi_thread")]
async fn completion_on_a_broken_configuration_prints_nothing() {
    let env = Env::new().await;
    let path = env.config_path();
    let path = path.to_string_lossy();
    let c = path.as_ref();
    for broken in [
        "default_profile = [\n",
        "default_profile = \"nosuch\"\n[profiles.a.hive]\ntags = []\n",
        "[profiles.a.hive]\ntags = [{ api_field = 3 }]\n",
    ] {
        env.write_config(broken);
        let profiles = complete(&env, 4, &["tagdesk", "--config", c, "--profile", ""]).await;
        assert_eq!(candidates(&profiles), Vec::<String>::new(), "{broken}");
        let fields = complete(&env, 6, &["tagdesk", "--config", c, "hive", "add", "p", ""]).await;
        assert_eq!(values(&fields), Vec::<String>::new(), "{broken}");
    }
    // A `--config` that does not exist completes no values either (a run would stop).
    let missing = env.dir.path().join("missing.toml");
    let missing = missing.to_string_lossy();
    let line = [
        "tagdesk",
        "--config",
        missing.as_ref(),
        "hive",
        "add",
        "p",
        "",
    ];
    assert_eq!(
        values(&complete(&env, 6, &line).await),
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn completion_scripts_call_back_into_tagdesk() {
    let env = Env::new().await;
    for (shell, registers) in [
        ("bash", "complete -o"),
        ("zsh", "compdef"),
        ("fish", "complete"),
        ("elvish", "edit:completion"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = env.run(&["completions", shell]).await;
        assert_eq!(code(&script), 0, "{shell}: {}", stderr(&script));
        let text = stdout(&script);
        assert!(text.contains("TAGDESK_COMPLETE"), "{shell}: {text}");
        assert!(text.contains(registers), "{shell}: {text}");
    }
}

/// The text of the README and of every page of the book (docs/src, recursively).
fn documentation() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(root.join("README.md")).expect("read the README");
    let mut dirs = vec![root.join("docs/src")];
    let mut pages = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read docs/src") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                pages.push(path);
            }
        }
    }
    assert!(pages.len() > 10, "the book's pages: {pages:?}");
    for page in pages {
        text.push_str(&std::fs::read_to_string(&page).expect("read a page of the book"));
    }
    text
}
