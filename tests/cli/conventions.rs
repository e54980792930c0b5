//! Issue 21: the conventions a newcomer expects — XDG paths on every OS, `--color` /
//! `NO_COLOR` / `CLICOLOR_FORCE`, a reproducible `tagdesk man` (`SOURCE_DATE_EPOCH`),
//! clap_complete's `COMPLETE=SHELL tagdesk`, and a `[keys]` table that cannot leave a form
//! without a way out.

use crate::support::cli::*;

/// `tagdesk ARGS` with these variables set on top of the test's clean environment.
async fn run_with(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> std::process::Output {
    let mut c = env.command(args);
    for (k, v) in vars {
        c.env(k, v);
    }
    tokio::task::spawn_blocking(move || c.output().expect("run tagdesk"))
        .await
        .expect("join")
}

/// A case: the arguments, the variables set, whether the output is to be coloured.
type Case = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    bool,
);

/// Whether `text` holds a terminal escape sequence (colour is one).
fn escapes(text: &str) -> bool {
    text.contains('\u{1b}')
}

#[tokio::test(flavor = "multi_thread")]
async fn help_and_errors_follow_color_no_color_and_clicolor_force_when_piped() {
    let env = Env::new().await;
    // Help on stdout, an error on stderr; both piped here.
    let help = |o: &std::process::Output| stdout(o);
    let error = |o: &std::process::Output| stderr(o);
    let cases: [Case; 9] = [
        (&["--help"], &[], false),
        (&["--help"], &[("CLICOLOR_FORCE", "1")], true),
        (&["--help"], &[("CLICOLOR_FORCE", "0")], false),
        (&["--color", "always", "--help"], &[], true),
        (
            &["--color", "never", "--help"],
            &[("CLICOLOR_FORCE", "1")],
            false,
        ),
        (
            &["--help"],
            &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
            false,
        ),
        (
            &["--help"],
            &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")],
            true,
        ),
        (&["--color=always", "--help"], &[("NO_COLOR", "1")], true),
        // Given after a command, too.
        (
            &["hive", "--help", "--color", "never"],
            &[("CLICOLOR_FORCE", "1")],
            false,
        ),
    ];
    for (args, vars, coloured) in cases {
        let o = run_with(&env, args, vars).await;
        assert_eq!(code(&o), 0, "{args:?} {vars:?}: {}", stderr(&o));
        assert_eq!(
            escapes(&help(&o)),
            coloured,
            "{args:?} {vars:?}: {}",
            help(&o)
        );
        assert!(help(&o).contains("--color"), "{args:?}");
    }
    let bad: [Case; 3] = [
        (&["--no-such-flag"], &[("CLICOLOR_FORCE", "1")], true),
        (
            &["--color", "never", "--no-such-flag"],
            &[("CLICOLOR_FORCE", "1")],
            false,
        ),
        (
            &["--no-such-flag"],
            &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
            false,
        ),
    ];
    for (args, vars, coloured) in bad {
        let o = run_with(&env, args, vars).await;
        assert_eq!(code(&o), 2, "{args:?}");
        assert_eq!(escapes(&error(&o)), coloured, "{args:?}: {}", error(&o));
    }
    // A value that is not one of the three is clap's usage error.
    let o = run_with(&env, &["--color", "sometimes", "outcomes"], &[]).await;
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("auto, always, never"), "{}", stderr(&o));
    // What the CLI prints of its own never has colour, whatever is asked.
    for vars in [&[("CLICOLOR_FORCE", "1")][..], &[]] {
        let o = run_with(&env, &["--color", "always", "outcomes"], vars).await;
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(!escapes(&stdout(&o)), "{}", stdout(&o));
    }
}

/// `--color never`, and `NO_COLOR` without `--color`, make the console's theme monochrome
/// whatever the file says (the console's screens: tests/e2e.rs).
#[test]
fn never_means_the_monochrome_theme_whatever_the_file_says() {
    use tagdesk::tui::theme::Theme;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "theme = \"light\"\n[profiles.p.hive]\napi_key_env = \"T_KEY\"\n",
    )
    .expect("config");
    let env = |k: &str| (k == "T_KEY").then(|| "k".to_string());
    for (monochrome, want) in [(false, Theme::Light), (true, Theme::Monochrome)] {
        for demo in [false, true] {
            let options = tagdesk::session::Options {
                config: Some(path.clone()),
                demo,
                monochrome,
                ..Default::default()
            };
            let prepared = tagdesk::session::prepare(&options, &env).expect("prepares");
            assert_eq!(prepared.theme, want, "demo {demo}");
            if let Some(p) = prepared.profile {
                assert_eq!(p.theme, want);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn config_path_says_where_each_location_came_from() {
    let env = Env::new().await;
    let xdg = env.dir.path().join("xdg-home");
    let xdg_s = xdg.to_string_lossy().to_string();
    // Without the test's own TAGDESK_DATA_DIR and --config: XDG answers.
    let o = {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"));
        c.args(["config", "path", "--json"]);
        crate::support::env::clean_env()
            .var("XDG_CONFIG_HOME", &xdg_s)
            .var("XDG_DATA_HOME", &xdg_s)
            .var("HOME", env.dir.path())
            .apply(&mut c);
        tokio::task::spawn_blocking(move || c.output().expect("run tagdesk"))
            .await
            .expect("join")
    };
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(
        v["config"],
        xdg.join("tagdesk/config.toml").to_string_lossy().as_ref()
    );
    assert_eq!(v["config_from"], "XDG_CONFIG_HOME");
    assert_eq!(v["data"], xdg.join("tagdesk").to_string_lossy().as_ref());
    assert_eq!(v["data_from"], "XDG_DATA_HOME");
    // The test's usual environment: --config and TAGDESK_DATA_DIR, named as such; a
    // relative XDG_DATA_HOME is ignored, and the text says so.
    let o = run_with(&env, &["config", "path"], &[("XDG_DATA_HOME", "rel/data")]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("config: ") && text.contains("  (--config)\n"),
        "{text}"
    );
    assert!(text.contains("  (TAGDESK_DATA_DIR)\n"), "{text}");
    assert!(
        stderr(&o).contains("XDG_DATA_HOME is not an absolute path, so it is ignored"),
        "{}",
        stderr(&o)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn man_pages_are_reproducible_with_source_date_epoch() {
    let env = Env::new().await;
    // 2026-01-01T00:00:00Z, and a second later on the same day.
    let a = run_with(&env, &["man"], &[("SOURCE_DATE_EPOCH", "1767225600")]).await;
    let b = run_with(&env, &["man"], &[("SOURCE_DATE_EPOCH", "1767225600")]).await;
    assert_eq!(code(&a), 0, "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout, "two runs, the same bytes");
    assert!(
        stdout(&a).contains(".TH TAGDESK 1 2026-01-01 \"tagdesk "),
        "{}",
        &stdout(&a)[..200.min(stdout(&a).len())]
    );
    // Unset or empty: no date at all (still the same bytes every time).
    for vars in [&[][..], &[("SOURCE_DATE_EPOCH", "")]] {
        let o = run_with(&env, &["man"], vars).await;
        assert!(
            stdout(&o).contains(".TH TAGDESK 1 \"\" \"tagdesk "),
            "{vars:?}"
        );
    }
    // The pages of --out too.
    let dir = env.dir.path().join("man1");
    let dir_s = dir.to_string_lossy().to_string();
    let o = run_with(
        &env,
        &["man", "--out", &dir_s],
        &[("SOURCE_DATE_EPOCH", "1767225600")],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::read(dir.join("tagdesk.1")).expect("tagdesk.1"),
        a.stdout
    );
    let add = std::fs::read_to_string(dir.join("tagdesk-hive-add.1")).expect("a command's page");
    assert!(add.contains(" 2026-01-01 "), "{add}");
    // Not a Unix time: a clear error, exit 2, nothing written.
    for bad in ["yesterday", "-5", "1.5", "99999999999999999999"] {
        let o = run_with(&env, &["man"], &[("SOURCE_DATE_EPOCH", bad)]).await;
        assert_eq!(code(&o), 2, "{bad}");
        assert!(stdout(&o).is_empty(), "{bad}");
        assert!(
            stderr(&o).contains(&format!("SOURCE_DATE_EPOCH={bad} is not a Unix time")),
            "{}",
            stderr(&o)
        );
    }
}

/// The standard `COMPLETE=SHELL tagdesk` of clap_complete, beside `tagdesk completions`.
#[tokio::test(flavor = "multi_thread")]
async fn complete_env_mode_registers_and_answers() {
    let env = Env::new().await;
    let script = run_with(&env, &[], &[("COMPLETE", "bash")]).await;
    assert_eq!(code(&script), 0, "{}", stderr(&script));
    let text = stdout(&script);
    assert!(
        text.contains("complete -o") && text.contains("COMPLETE=\"bash\""),
        "{text}"
    );
    assert!(text.contains(env!("CARGO_BIN_EXE_tagdesk")), "{text}");
    assert!(!text.contains("TAGDESK_COMPLETE"), "{text}");
    let ours = run_with(&env, &["completions", "bash"], &[]).await;
    assert!(
        stdout(&ours).contains("TAGDESK_COMPLETE=\"bash\""),
        "{}",
        stdout(&ours)
    );
    // Each script, sourced in bash, completes a line through tagdesk.
    for script in [text, stdout(&ours)] {
        let replies = bash_completes(&env, &script, &["tagdesk", "hi"]).await;
        assert_eq!(replies, ["hive"], "{script}");
        let replies = bash_completes(&env, &script, &["tagdesk", "hive", "add", "--co"]).await;
        assert_eq!(replies, ["--config", "--color"], "{script}");
    }

    // Both scripts' calls back answer the same candidates.
    let ask = |var: &'static str, words: &'static [&'static str], index: usize| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_tagdesk"));
        crate::support::env::clean_env()
            .dirs(env.data_dir(), env.dir.path().join("xdg"))
            .apply(&mut c);
        c.arg("--").args(words);
        c.env(var, "bash")
            .env("_CLAP_COMPLETE_INDEX", index.to_string())
            .env("_CLAP_IFS", "\n");
        c
    };
    for var in ["COMPLETE", "TAGDESK_COMPLETE"] {
        let mut c = ask(var, &["tagdesk", "hi"], 1);
        let o = tokio::task::spawn_blocking(move || c.output().expect("run"))
            .await
            .expect("join");
        assert_eq!(code(&o), 0, "{var}: {}", stderr(&o));
        assert_eq!(stdout(&o).lines().collect::<Vec<_>>(), ["hive"], "{var}");
        let mut c = ask(var, &["tagdesk", "--color", ""], 2);
        let o = tokio::task::spawn_blocking(move || c.output().expect("run"))
            .await
            .expect("join");
        assert_eq!(
            stdout(&o).lines().collect::<Vec<_>>(),
            ["auto", "always", "never"],
            "{var}"
        );
    }
    // Set to nothing (or 0), the variable is off; an unknown shell is refused.
    for off in ["", "0"] {
        let o = run_with(&env, &["outcomes"], &[("COMPLETE", off)]).await;
        assert_eq!(code(&o), 0, "{off:?}: {}", stderr(&o));
    }
    let o = run_with(&env, &[], &[("COMPLETE", "tcsh")]).await;
    assert_ne!(code(&o), 0);
    assert!(
        stderr(&o).contains("unknown shell `tcsh`"),
        "{}",
        stderr(&o)
    );
}

/// Sources a bash registration `script` and runs the function it registers for `words`
/// (the last one being completed), as bash does on Tab: the replies.
async fn bash_completes(env: &Env, script: &str, words: &[&str]) -> Vec<String> {
    let file = env.dir.path().join("completion.bash");
    std::fs::write(&file, script).expect("write the script");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let (last, prev) = (words[words.len() - 1], words[words.len().saturating_sub(2)]);
    let program = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_TYPE=9; \
         _clap_complete_tagdesk tagdesk '{last}' '{prev}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display(),
        quoted.join(" "),
        words.len() - 1
    );
    let mut c = std::process::Command::new("bash");
    c.args(["--norc", "--noprofile", "-c", &program]);
    crate::support::env::clean_env()
        .dirs(env.data_dir(), env.dir.path().join("xdg"))
        .apply(&mut c);
    let o = tokio::task::spawn_blocking(move || c.output().expect("run bash"))
        .await
        .expect("join");
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).lines().map(str::to_string).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn config_check_refuses_keys_that_leave_a_form_without_a_way_out() {
    let env = Env::new().await;
    for (keys, at_line, says) in [
        (
            "submit = [\"a\"]",
            "submit",
            "forms need a non-printable key for submit: 'a' would be typed into the field",
        ),
        (
            "close = [\"q\"]",
            "close",
            "forms need a non-printable key for close: 'q' would be typed into the field",
        ),
        (
            "close = []",
            "close",
            "close = [] leaves every popup and form without a way out",
        ),
        (
            "close = [\"f9\"]\nno = [\"f9\"]",
            "no =",
            "the key f9 is bound to both no and close in confirmations",
        ),
    ] {
        let text = format!("{}\n[keys]\n{keys}\n", env.default_config());
        let line = 1 + text
            .lines()
            .position(|l| l.starts_with(at_line))
            .expect("the line");
        env.write_config(&text);
        let o = env.run(&["config", "check"]).await;
        assert_eq!(code(&o), 2, "{keys}: {}", stdout(&o));
        let at = format!("config.toml:{line}:1: [keys] {says}");
        assert!(
            stderr(&o).contains(&at),
            "{keys}: want {at}\n{}",
            stderr(&o)
        );
    }
    // The defaults, written out, pass.
    let text = format!(
        "{}\n[keys]\nsubmit = [\"enter\"]\nclose = [\"esc\"]\n",
        env.default_config()
    );
    env.write_config(&text);
    let o = env.run(&["config", "check", "--profile", "staging"]).await;
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
}
