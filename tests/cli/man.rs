//! Issue 11, item 12: `tagdesk man` documents every command the clap definitions have.

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
    // The top-level options, every exit code, and every variable the README documents.
    for arg in Cli::command().get_arguments().filter_map(|a| a.get_long()) {
        assert!(page.contains(&format!("--{arg}")), "--{arg}");
    }
    for code in ["0", "1", "2", "3", "4", "5", "141"] {
        assert!(
            page.contains(&format!(".TP\n\\fB{code}\\fR\n")),
            "exit {code}"
        );
    }
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("read the README");
    let variables: BTreeSet<&str> = readme
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
