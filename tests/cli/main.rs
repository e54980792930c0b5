//! The `tagdesk` binary as scripts use it: configuration, profiles, key sources, the write
//! gate, exit codes against the simulator and its faults, the journal and secret hygiene.

#[path = "../support/mod.rs"]
mod support;

use serde_json::Value;
use support::cli::*;
use tagdesk::sim::faults::FaultRule;

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_against_the_simulator() {
    let env = Env::new().await;
    let ok = env
        .run(&["hive", "add", "user_abc123", "vip", "newsletter"])
        .await;
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let out = stdout(&ok);
    assert!(
        out.contains("Successfully added tags to patron. Some tags may already exist on patron."),
        "{out}"
    );
    assert!(out.contains("MATCH"), "{out}");

    let some_failed = env
        .run(&["--json", "hive", "add", "user_abc123", "escalated", "nope"])
        .await;
    assert_eq!(code(&some_failed), 1);
    let j = json(&some_failed);
    assert_eq!(
        j["result"]["message"],
        "Some tags were added. Some tags failed to add."
    );
    assert_eq!(j["result"]["message_check"], "match");
    assert_eq!(j["exit_code"], 1);

    let refused = env.run(&["hive", "remove", "ghost_patron", "vip"]).await;
    assert_eq!(code(&refused), 3);
    assert!(
        stderr(&refused).contains("INVALID_PATRON"),
        "{}",
        stderr(&refused)
    );

    let wrong_key = env
        .run(&["--profile", "wrongkey", "hive", "add", "p", "vip"])
        .await;
    assert_eq!(code(&wrong_key), 3);
    assert!(stderr(&wrong_key).contains("INVALID_API_KEY"));

    let cerego = env
        .run(&[
            "cerego",
            "add",
            "--user",
            "1185304",
            "--type",
            "3",
            "Spring 2026",
        ])
        .await;
    assert_eq!(code(&cerego), 0, "{}", stderr(&cerego));
    let dup = env
        .run(&["cerego", "add", "--user", "1185304", "--type", "3", "Again"])
        .await;
    assert_eq!(code(&dup), 3);
    assert!(stderr(&dup).contains("422"));
    let users = env.run(&["--json", "cerego", "users"]).await;
    assert_eq!(code(&users), 0);
    assert_eq!(
        json(&users)["result"]["users"].as_array().map(Vec::len),
        Some(36)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_2_and_sends_nothing() {
    let env = Env::new().await;
    let before = env.requests("hive.add");
    for args in [
        vec!["hive", "add", "  ", "vip"],
        vec!["hive", "add", "p", "vip user"],
        vec!["hive", "add", "p", "a\u{7}b"],
        vec!["cerego", "update", "12x", "v"],
        vec!["cerego", "add", "--user", "1", "--type", "3", "two\nlines"],
    ] {
        let o = env.run(&args).await;
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("tagdesk: "), "{}", stderr(&o));
    }
    let usage = env.run(&["hive", "add", "only-a-patron"]).await;
    assert_eq!(code(&usage), 2, "clap usage errors exit 2");
    assert_eq!(env.requests("hive.add"), before, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_and_timeouts_exit_4() {
    let env = Env::new().await;
    env.sim.set_faults(vec![
        "hive.add:latency=5000".parse::<FaultRule>().expect("rule"),
    ]);
    let started = std::time::Instant::now();
    let slow = env.run(&["hive", "add", "p1", "vip"]).await;
    assert_eq!(code(&slow), 4, "{}", stderr(&slow));
    assert!(
        stderr(&slow).contains("no answer within"),
        "{}",
        stderr(&slow)
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "bounded by the configured timeout"
    );
    env.sim
        .set_faults(vec!["hive.add:drop".parse().expect("rule")]);
    assert_eq!(code(&env.run(&["hive", "add", "p1", "vip"]).await), 4);
    env.sim
        .set_faults(vec!["hive.add:malformed".parse().expect("rule")]);
    assert_eq!(code(&env.run(&["hive", "add", "p1", "vip"]).await), 4);
    env.sim
        .set_faults(vec!["hive.add:500".parse().expect("rule")]);
    assert_eq!(code(&env.run(&["hive", "add", "p1", "vip"]).await), 3);
    // Nothing listening at all.
    let text = env
        .default_config()
        .replace(&env.sim.base_url(), "http://127.0.0.1:9");
    env.write_config(&text);
    let down = env.run(&["hive", "add", "p1", "vip"]).await;
    assert_eq!(code(&down), 4, "{}", stderr(&down));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_write_gate_from_the_cli() {
    let env = Env::new().await;
    let before = env.requests("hive.add");
    let locked = env
        .run(&["--profile", "locked", "hive", "add", "p", "vip"])
        .await;
    assert_eq!(code(&locked), 2);
    assert!(stderr(&locked).contains("read-only"), "{}", stderr(&locked));
    let flag = env.run(&["--read-only", "hive", "add", "p", "vip"]).await;
    assert_eq!(code(&flag), 2);
    // Reads still work on a read-only profile.
    let read = env.run(&["--read-only", "cerego", "profile"]).await;
    assert_eq!(code(&read), 0, "{}", stderr(&read));
    // A confirm profile refuses without an answer (no terminal) and goes with --yes.
    let unconfirmed = env
        .run(&["--profile", "prod", "hive", "add", "p", "vip"])
        .await;
    assert_eq!(code(&unconfirmed), 2);
    assert!(
        stderr(&unconfirmed).contains("prod asks for confirmation"),
        "{}",
        stderr(&unconfirmed)
    );
    assert_eq!(env.requests("hive.add"), before, "nothing was sent");
    let confirmed = env
        .run(&["--profile", "prod", "--yes", "hive", "add", "p", "vip"])
        .await;
    assert_eq!(code(&confirmed), 0, "{}", stderr(&confirmed));
    assert_eq!(env.requests("hive.add"), before + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_precedence_and_bad_configuration() {
    let env = Env::new().await;
    // TAGDESK_PROFILE picks a profile; --profile wins over it.
    let mut c = env.command(&["hive", "add", "p", "vip"]);
    c.env("TAGDESK_PROFILE", "locked");
    let o = tokio::task::spawn_blocking(move || c.output().expect("run"))
        .await
        .expect("join");
    assert_eq!(code(&o), 2, "locked via TAGDESK_PROFILE");
    let mut c = env.command(&["--profile", "staging", "hive", "add", "p", "vip"]);
    c.env("TAGDESK_PROFILE", "locked");
    let o = tokio::task::spawn_blocking(move || c.output().expect("run"))
        .await
        .expect("join");
    assert_eq!(code(&o), 0, "--profile wins: {}", stderr(&o));

    let unknown = env
        .run(&["--profile", "nope", "hive", "add", "p", "vip"])
        .await;
    assert_eq!(code(&unknown), 2);
    assert!(stderr(&unknown).contains("\"nope\""));

    env.write_config("default_profile = \"a\"\n[profiles.a.hive]\nbase_url = 12\n");
    let bad = env.run(&["hive", "add", "p", "vip"]).await;
    assert_eq!(code(&bad), 2);
    let msg = stderr(&bad);
    assert!(
        msg.contains(&format!("{}:3:", env.config_path().display())),
        "{msg}"
    );

    env.write_config("[profiles.a.hive]\napi_key_env = \"UNSET_VAR_FOR_TEST\"\n");
    let unset = env.run(&["hive", "add", "p", "vip"]).await;
    assert_eq!(code(&unset), 2);
    assert!(stderr(&unset).contains("UNSET_VAR_FOR_TEST"));
}

#[tokio::test(flavor = "multi_thread")]
async fn inline_keys_warn_and_loose_permissions_warn() {
    let env = Env::new().await;
    let base = env.sim.base_url();
    env.write_config(&format!(
        "[profiles.a.hive]\nbase_url = \"{base}\"\napi_key = \"{HIVE_KEY}\"\n"
    ));
    let o = env.run(&["hive", "add", "p", "vip"]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("prefer api_key_env or api_key_cmd"));
    assert!(
        !stderr(&o).contains("readable by group or others"),
        "0600 is fine"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(env.config_path(), std::fs::Permissions::from_mode(0o644))
            .expect("chmod");
        let o = env.run(&["hive", "add", "p", "vip"]).await;
        assert!(
            stderr(&o).contains("readable by group or others (mode 644)"),
            "{}",
            stderr(&o)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn journal_pairs_and_no_secret_in_any_file() {
    let env = Env::new().await;
    env.run(&["hive", "add", "user_abc123", "vip"]).await;
    env.run(&["hive", "remove", "ghost", "vip"]).await;
    env.run(&["cerego", "update", "84001", "Platinum"]).await;
    env.run(&["--profile", "prod", "--yes", "hive", "add", "p", "vip"])
        .await;
    let log = env.run(&["--json", "log"]).await;
    assert_eq!(code(&log), 0);
    let entries: Vec<Value> = stdout(&log)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(entries.len(), 3, "the staging journal holds three ops");
    for e in &entries {
        assert!(
            e["outcome"].is_object(),
            "every intent has its outcome: {e}"
        );
        assert_eq!(e["id"], e["outcome"]["id"]);
    }
    assert_eq!(
        entries[0]["command"],
        "tagdesk --profile staging hive add user_abc123 vip"
    );
    assert_eq!(entries[1]["result"], "http_error");
    let csv = env.run(&["log", "--csv"]).await;
    assert!(
        stdout(&csv)
            .starts_with("time,profile,service,operation,target,result,status,scenario,message_check,summary,command,id")
    );
    let since = env.run(&["log", "--since", "garbage"]).await;
    assert_eq!(code(&since), 2);
    assert_no_secret_under(&env.data_dir());
}

#[tokio::test(flavor = "multi_thread")]
async fn config_init_check_and_completions() {
    let env = Env::new().await;
    let fresh = env.dir.path().join("new").join("config.toml");
    let fresh_s = fresh.to_string_lossy().to_string();
    let init = env.run(&["--config", &fresh_s, "config", "init"]).await;
    assert_eq!(code(&init), 0, "{}", stderr(&init));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&fresh)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    let again = env.run(&["--config", &fresh_s, "config", "init"]).await;
    assert_eq!(code(&again), 2, "never overwrites");
    assert_eq!(
        std::fs::read_to_string(&fresh).expect("read"),
        tagdesk::config::TEMPLATE
    );

    let check = env.run(&["config", "check"]).await;
    let out = stdout(&check);
    assert!(out.contains("profile staging:"), "{out}");
    assert!(
        out.contains("✓ cerego: GET /v3/my/profile → 200: key accepted"),
        "{out}"
    );
    assert!(
        out.contains("✓ hive: probe (remove nothing) → HTTP 400 PARAM_REQUIRED: key accepted"),
        "{out}"
    );
    assert!(
        out.contains("✗ hive: probe (remove nothing) → HTTP 403 INVALID_API_KEY"),
        "{out}"
    );
    assert_eq!(code(&check), 3, "one profile's key is refused");
    assert!(!out.contains(HIVE_KEY) && !out.contains(CEREGO_KEY));
    // The simulator honours page[size]: the check says so and what the setting saves.
    assert!(
        out.contains(
            "– cerego page size: the server honours page[size]=100 (got 36 users on a page, 25 \
             without it): set cerego.page_size = 100 in profile staging to list 36 users in 1 \
             page instead of 2"
        ),
        "{out}"
    );

    let comp = env.run(&["completions", "bash"]).await;
    assert_eq!(code(&comp), 0);
    assert!(stdout(&comp).contains("tagdesk"));
    let help = env.run(&["hive", "--help"]).await;
    assert!(stdout(&help).contains("Exit codes:"));
    let version = env.run(&["--version"]).await;
    assert!(stdout(&version).starts_with("tagdesk "));
}

// ------------------------------------------------------------------------------------------
// Issue 8: regressions found by hand, through the binary.
// ------------------------------------------------------------------------------------------

/// Item 3: one key that cannot be resolved makes only its service unavailable, and
/// `config check` reports every service of every profile.
#[tokio::test(flavor = "multi_thread")]
async fn one_failing_key_source_blocks_only_its_service() {
    let env = Env::new().await;
    // staging's Cerego key comes from a variable that is not set.
    let text = env.default_config().replace(
        "api_key_env = \"TEST_CEREGO_KEY\"",
        "api_key_env = \"UNSET_CEREGO_KEY\"",
    );
    env.write_config(&text);
    let hive = env.run(&["hive", "add", "user_abc123", "vip"]).await;
    assert_eq!(code(&hive), 0, "Hive works: {}", stderr(&hive));
    let cerego = env.run(&["cerego", "users"]).await;
    assert_eq!(code(&cerego), 2);
    // One sentence: which key, that it is not set, where it should come from.
    let said = stderr(&cerego);
    assert!(
        said.contains(
            "tagdesk: Cerego key of profile staging not set: the environment variable \
             UNSET_CEREGO_KEY (api_key_env) is not set or empty: nothing was sent"
        ) && !said.contains("not configured")
            && !said.contains("cerego:"),
        "{said}"
    );
    let check = env.run(&["config", "check"]).await;
    let out = stdout(&check);
    assert_eq!(code(&check), 2, "{out}");
    for line in [
        "profile staging:",
        "✗ cerego: Cerego key of profile staging not set: the environment variable UNSET_CEREGO_KEY",
        "✓ hive: probe (remove nothing)",
        "profile locked:",
        "– cerego: skipped: Cerego is not configured in profile locked",
        "profile prod:",
        "profile wrongkey:",
        "✗ hive: probe (remove nothing) → HTTP 403 INVALID_API_KEY",
    ] {
        assert!(out.contains(line), "{line:?} in {out}");
    }
    assert!(
        !out.contains("✓ cerego: skipped"),
        "a skipped service never passes"
    );
    // Only the profile asked for.
    let one = env
        .run(&["--json", "config", "check", "--profile", "locked"])
        .await;
    let j = json(&one);
    assert_eq!(j["profiles"].as_array().map(Vec::len), Some(1));
    assert_eq!(j["profiles"][0]["profile"], "locked");
    let checks = j["profiles"][0]["checks"].as_array().expect("checks");
    let cerego = checks
        .iter()
        .find(|c| c["service"] == "cerego")
        .expect("cerego");
    assert_eq!(cerego["skipped"], true);
    assert_eq!(cerego["ok"], Value::Null, "skipped is not passed");
    assert_eq!(code(&one), 0);
    let nosuch = env.run(&["config", "check", "--profile", "nosuch"]).await;
    assert_eq!(code(&nosuch), 2);
}

/// Item 3: `tagdesk config init`, then tagdesk with no keys set: nothing stops.
#[test]
fn the_template_with_no_keys_set_still_opens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, tagdesk::config::TEMPLATE).expect("template");
    let options = tagdesk::session::Options {
        config: Some(path),
        ..Default::default()
    };
    let prepared = tagdesk::session::prepare(&options, &|_| None).expect("prepares");
    let profile = prepared.profile.expect("the staging profile");
    assert_eq!(profile.name, "staging");
    assert!(profile.cerego.is_none() && profile.hive.is_none());
    let reasons: Vec<&str> = profile
        .unavailable
        .iter()
        .map(|u| u.reason.as_str())
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("CEREGO_STAGING_API_KEY"))
            && reasons.iter().any(|r| r.contains("HIVE_STAGING_API_KEY")),
        "{reasons:?}"
    );
}

/// Item 4: the command `tagdesk log` shows replays on the same profile.
#[tokio::test(flavor = "multi_thread")]
async fn the_logged_command_replays_on_the_same_profile() {
    let env = Env::new().await;
    // Two profiles against the same simulator; the action happens on the second.
    let text = format!(
        "{}\n[profiles.second.hive]\nbase_url = \"{}\"\napi_key_env = \"TEST_HIVE_KEY\"\n",
        env.default_config(),
        env.sim.base_url()
    );
    env.write_config(&text);
    let first = env
        .run(&["--profile", "second", "hive", "add", "user_abc123", "vip"])
        .await;
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let log = env.run(&["--profile", "second", "log", "--json"]).await;
    let entry: Value =
        serde_json::from_str(stdout(&log).lines().next().expect("an entry")).expect("JSON");
    let command = entry["command"].as_str().expect("command").to_string();
    assert_eq!(command, "tagdesk --profile second hive add user_abc123 vip");
    // Pasting it (without the program name) acts on `second` again, not the default.
    let words: Vec<&str> = command.split(' ').skip(1).collect();
    let again = env.run(&words).await;
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    let log = env.run(&["--profile", "second", "log", "--json"]).await;
    assert_eq!(stdout(&log).lines().count(), 2);
    let default_log = env.run(&["log", "--json"]).await;
    assert!(stdout(&default_log).trim().is_empty(), "nothing on staging");
}

/// Item 9: a file with only `[keys]` means demo mode with those keys; `--demo` keeps them.
#[tokio::test(flavor = "multi_thread")]
async fn a_keys_only_file_means_demo_mode_with_its_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    // A file with only [keys]; then --demo with a file that has profiles too.
    for (text, demo) in [
        ("[keys]\nadd = [\"insert\"]\n", false),
        (
            "[keys]\nadd = [\"insert\"]\n[profiles.p.hive]\napi_key_env = \"NOPE\"\n",
            true,
        ),
    ] {
        std::fs::write(&path, text).expect("config");
        let options = tagdesk::session::Options {
            config: Some(path.clone()),
            demo,
            ..Default::default()
        };
        let session = tagdesk::session::open(&options, &|_| None)
            .await
            .expect("demo mode");
        assert!(session.profile.demo, "{text}");
        assert_eq!(session.profile.keys["add"], ["insert"], "{text}");
        if let Some(sim) = session.simulator {
            sim.shutdown().await;
        }
    }
}

/// `theme = "light"` (a setting of the whole file) reaches the console's settings, in demo
/// mode and on a profile; a theme that does not exist is refused with its line.
#[tokio::test(flavor = "multi_thread")]
async fn the_theme_comes_from_the_file_and_a_bad_one_names_its_line() {
    use tagdesk::tui::theme::Theme;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    for (text, demo, want) in [
        (
            "theme = \"light\"\n[keys]\nadd = [\"insert\"]\n",
            false,
            Theme::Light,
        ),
        (
            "theme = \"monochrome\"\n[profiles.p.hive]\napi_key_env = \"T_THEME_KEY\"\n",
            false,
            Theme::Monochrome,
        ),
        ("[keys]\nadd = [\"insert\"]\n", true, Theme::Dark),
    ] {
        std::fs::write(&path, text).expect("config");
        let options = tagdesk::session::Options {
            config: Some(path.clone()),
            demo,
            ..Default::default()
        };
        let env = |k: &str| (k == "T_THEME_KEY").then(|| "k".to_string());
        let session = tagdesk::session::open(&options, &env)
            .await
            .expect("a session");
        assert_eq!(session.profile.theme, want, "{text}");
        let settings =
            tagdesk::tui::settings_from(&session.profile, Vec::new(), Vec::new(), Vec::new());
        assert_eq!(settings.theme, want);
        assert_eq!(
            settings.no_color(),
            want == Theme::Monochrome,
            "monochrome draws as NO_COLOR"
        );
        if let Some(sim) = session.simulator {
            sim.shutdown().await;
        }
    }
    std::fs::write(
        &path,
        "default_profile = \"p\"\ntheme = \"sepia\"\n[profiles.p.hive]\napi_key = \"k\"\n",
    )
    .expect("config");
    let options = tagdesk::session::Options {
        config: Some(path.clone()),
        ..Default::default()
    };
    let Err(e) = tagdesk::session::open(&options, &|_| None).await else {
        panic!("a bad theme is refused")
    };
    assert!(e.0.contains("config.toml:2"), "{}", e.0);
    assert!(
        e.0.contains("theme \"sepia\" is not one of dark, light, monochrome"),
        "{}",
        e.0
    );
}

/// Item 12: `tagdesk sim` options, its bind failure, config lines, `log` profiles and times.
#[tokio::test(flavor = "multi_thread")]
async fn smaller_cli_defects() {
    let env = Env::new().await;
    // `sim --help` lists what sim understands, not the profile options.
    let help = env.run(&["sim", "--help"]).await;
    let text = stdout(&help);
    assert!(
        text.contains("--listen") && text.contains("--fault"),
        "{text}"
    );
    for foreign in ["--profile", "--read-only", "--yes", "--demo"] {
        assert!(!text.contains(foreign), "{foreign} in {text}");
    }
    // A port in use exits 2 (1 means "some tags failed").
    let taken = env.sim.addr().to_string();
    let bind = env.run(&["sim", "--listen", &taken]).await;
    assert_eq!(code(&bind), 2, "{}", stderr(&bind));
    // A bad colour names its line.
    let text = env.default_config().replace(
        "[profiles.prod]\n",
        "[profiles.prod]\ncolor = \"not-a-colour\"\n",
    );
    env.write_config(&text);
    let bad = env.run(&["config", "check"]).await;
    assert_eq!(code(&bad), 2);
    let line = text
        .lines()
        .position(|l| l.contains("not-a-colour"))
        .expect("line")
        + 1;
    assert!(
        stderr(&bad).contains(&format!("config.toml:{line}:")),
        "{}",
        stderr(&bad)
    );
    env.write_config(&env.default_config());
    // `log --profile nosuch` is an error, not an empty log.
    let nosuch = env.run(&["log", "--profile", "nosuch"]).await;
    assert_eq!(code(&nosuch), 2, "{}", stderr(&nosuch));
    assert!(stderr(&nosuch).contains("nosuch"));
    // `--since` in the future says there is nothing rather than printing nothing.
    let added = env.run(&["hive", "add", "user_abc123", "vip"]).await;
    assert_eq!(code(&added), 0);
    let future = env.run(&["log", "--since", "2099-01-01"]).await;
    assert_eq!(code(&future), 0);
    assert!(stdout(&future).is_empty());
    assert!(
        stderr(&future).contains("no entries since 2099-01-01"),
        "{}",
        stderr(&future)
    );
}

/// Every `tagdesk` a test starts gets the one clean environment (`support::env`): every
/// inherited `TAGDESK_` variable removed, whatever its name, then the test's own set.
#[test]
fn the_clean_environment_drops_every_tagdesk_variable() {
    use std::ffi::{OsStr, OsString};

    let vars = [
        ("TAGDESK_PROFILE", "prod"),
        ("TAGDESK_SOMETHING_NEW", "x"),
        ("HOME", "/home/someone"),
        ("NOT_TAGDESK_X", "y"),
    ]
    .map(|(k, v)| (OsString::from(k), OsString::from(v)));
    assert_eq!(
        support::env::tagdesk_vars(vars),
        ["TAGDESK_PROFILE", "TAGDESK_SOMETHING_NEW"]
    );

    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"));
    support::env::clean_env()
        .dirs("/data", "/xdg")
        .var("TEST_KEY", "k")
        .apply(&mut c);
    let envs: Vec<(&OsStr, Option<&OsStr>)> = c.get_envs().collect();
    for key in support::env::tagdesk_vars(std::env::vars_os()) {
        if key != "TAGDESK_DATA_DIR" {
            assert!(envs.contains(&(key.as_os_str(), None)), "{key:?} inherited");
        }
    }
    for (key, value) in [
        ("TAGDESK_DATA_DIR", "/data"),
        ("XDG_CONFIG_HOME", "/xdg"),
        ("TEST_KEY", "k"),
    ] {
        assert!(
            envs.contains(&(OsStr::new(key), Some(OsStr::new(value)))),
            "{key} not set: {envs:?}"
        );
    }
}

// Issue 21: the configuration's JSON Schema.
mod config_schema;
// Issue 11, item 12: the manual page and shell completion.
mod man;

// Issue 21 §4: the CLI a support person reaches for.
mod log_filters;
mod words;

// Issue 22 §3: the journal as an HTTP Archive for a ticket.
mod har;

// Issue 21: XDG, colour, a reproducible man page, COMPLETE, [keys] refusals.
mod conventions;

// Issue 22 §2: scenario keys are discoverable.
mod demo_list;

// Issue 23 §1: export, edit, import back.
mod export;
// Issue 23 §4: a plan a second person approves.
mod plan;
