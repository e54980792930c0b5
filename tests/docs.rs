//! The documentation cannot rot: every relative link and `#anchor` in `README.md`,
//! `CONTRIBUTING.md` and `docs/src/**/*.md` resolves, `docs/src/SUMMARY.md` lists every page
//! of the book, every `tagdesk` command of the README's Quick start parses with the real
//! command tree, and the README's capture of the console is the demo start screen as the
//! code draws it today. Each check is also run on a planted mistake, so a check that stops
//! finding anything fails too.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

use clap::CommandFactory;
use support::Harness;
use tagdesk::cli::args::Cli;
use tagdesk::core::op::Output;
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::Message;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown files whose links are checked: the README, CONTRIBUTING and the book's pages.
fn doc_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md"), root.join("CONTRIBUTING.md")];
    files.extend(markdown_under(&root.join("docs/src")));
    files
}

fn markdown_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The file's text with fenced code blocks and inline code spans blanked out (newlines
/// kept, so offsets still give line numbers): links and headings are read from the rest.
fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|c| *c == '`' || *c == '~')
            .collect();
        let opens =
            marker.len() >= 3 && marker.chars().all(|c| c == marker.chars().next().unwrap());
        match &fence {
            Some(open) => {
                if opens
                    && marker.starts_with(open.as_str())
                    && trimmed[marker.len()..].trim().is_empty()
                {
                    fence = None;
                }
                out.push_str(&blank(line));
            }
            None if opens => {
                fence = Some(marker);
                out.push_str(&blank(line));
            }
            None => out.push_str(line),
        }
    }
    without_code_spans(&out)
}

fn blank(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect()
}

/// Inline code spans (a run of N backticks up to the next run of exactly N) blanked out.
fn without_code_spans(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = chars.clone();
    let run_at = |i: usize| chars[i..].iter().take_while(|c| **c == '`').count();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            i += 1;
            continue;
        }
        let n = run_at(i);
        let mut j = i + n;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let m = run_at(j);
                if m == n {
                    close = Some(j);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                for c in &mut out[i..j + n] {
                    if *c != '\n' {
                        *c = ' ';
                    }
                }
                i = j + n;
            }
            None => i += n,
        }
    }
    out.into_iter().collect()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// A link found in a file: its line and its target as written.
#[derive(Debug)]
struct Link {
    line: usize,
    target: String,
}

/// The inline links and images (`[text](target)`) and the reference definitions
/// (`[label]: target`) of a file.
fn links(text: &str) -> Vec<Link> {
    let p = prose(text);
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = p[from..].find("](") {
        let start = from + at + 2;
        let mut depth = 0usize;
        let mut end = None;
        for (k, c) in p[start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = Some(start + k);
                    break;
                }
                ')' => depth -= 1,
                '\n' => break,
                _ => {}
            }
        }
        if let Some(end) = end {
            let inner = p[start..end].trim();
            let target = inner
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_start_matches('<')
                .trim_end_matches('>');
            out.push(Link {
                line: line_of(&p, start),
                target: target.to_string(),
            });
        }
        from = start;
    }
    let mut offset = 0;
    for line in p.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('[')
            && let Some(close) = t.find("]:")
            && !t[1..close].contains(']')
        {
            let target = t[close + 2..].split_whitespace().next().unwrap_or("");
            out.push(Link {
                line: line_of(&p, offset),
                target: target.to_string(),
            });
        }
        offset += line.len();
    }
    out
}

/// GitHub's anchor for a heading: its text as shown (code spans, links and emphasis
/// reduced to their text), lowercased, every character but letters, digits, spaces, `-`
/// and `_` dropped, spaces made `-`.
fn slug(heading: &str) -> String {
    let mut shown = String::new();
    let mut rest = heading;
    // A link shows its text: `[text](url)` → `text`.
    while let Some(open) = rest.find('[') {
        shown.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find("](")
            .and_then(|c| after[c..].find(')').map(|e| (c, c + e)))
        {
            Some((c, e)) => {
                shown.push_str(&after[..c]);
                rest = &after[e + 1..];
            }
            None => {
                shown.push('[');
                rest = after;
            }
        }
    }
    shown.push_str(rest);
    shown
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every anchor a page offers: its headings' slugs (a repeated slug gets `-1`, `-2`, …)
/// and the explicit `id="…"` / `name="…"` of its HTML anchors.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    let fenced = {
        // Headings are read outside fences, but with their code spans' text kept.
        let mut fence = false;
        let mut lines = Vec::new();
        for line in text.lines() {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                fence = !fence;
                continue;
            }
            if !fence {
                lines.push(line);
            }
        }
        lines
    };
    for line in fenced {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            let text = line[hashes..].trim().trim_end_matches('#').trim();
            let text: String = text.chars().filter(|c| *c != '`' && *c != '*').collect();
            let base = slug(&text);
            let n = seen.entry(base.clone()).or_insert(0);
            out.insert(if *n == 0 {
                base.clone()
            } else {
                format!("{base}-{n}")
            });
            *n += 1;
        }
        for attr in ["id=\"", "name=\""] {
            let mut rest = line;
            while let Some(at) = rest.find(attr) {
                let value = &rest[at + attr.len()..];
                if let Some(end) = value.find('"') {
                    out.insert(value[..end].to_string());
                }
                rest = &rest[at + attr.len()..];
            }
        }
    }
    out
}

/// `path` without `.` and `..` (the files need not exist).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Every broken relative link or anchor of `files`, as `file:line: target: why`.
fn broken_links(root: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut anchor_cache: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let shown = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        let Ok(text) = fs::read_to_string(file) else {
            problems.push(format!("{shown}: cannot be read"));
            continue;
        };
        for link in links(&text) {
            let t = link.target.as_str();
            let external = t.contains("://") || t.starts_with("mailto:");
            if t.is_empty() || external {
                continue;
            }
            let (path, anchor) = match t.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (t, None),
            };
            let target = if path.is_empty() {
                file.clone()
            } else {
                normalise(&file.parent().unwrap_or(root).join(path))
            };
            let at = format!("{shown}:{}: ({t})", link.line);
            if !target.starts_with(root) {
                problems.push(format!("{at}: leaves the repository"));
                continue;
            }
            if !target.exists() {
                problems.push(format!("{at}: no such file"));
                continue;
            }
            let Some(anchor) = anchor else { continue };
            if target.extension().is_none_or(|e| e != "md") {
                problems.push(format!("{at}: an anchor into a file that is not Markdown"));
                continue;
            }
            let known = anchor_cache
                .entry(target.clone())
                .or_insert_with(|| anchors(&fs::read_to_string(&target).unwrap_or_default()));
            if !known.contains(anchor) {
                problems.push(format!(
                    "{at}: no heading or anchor #{anchor} in {}",
                    target.strip_prefix(root).unwrap_or(&target).display()
                ));
            }
        }
    }
    problems
}

/// The pages under `src` that `SUMMARY.md` does not link to.
fn unlisted_pages(src: &Path) -> Vec<String> {
    let summary = src.join("SUMMARY.md");
    let Ok(text) = fs::read_to_string(&summary) else {
        return vec!["docs/src/SUMMARY.md: missing".to_string()];
    };
    let listed: BTreeSet<PathBuf> = links(&text)
        .iter()
        .filter(|l| !l.target.contains("://"))
        .map(|l| normalise(&src.join(l.target.split('#').next().unwrap_or(""))))
        .collect();
    markdown_under(src)
        .into_iter()
        .filter(|p| *p != summary && !listed.contains(p))
        .map(|p| {
            format!(
                "{}: not reachable from SUMMARY.md (add it there)",
                p.strip_prefix(src).unwrap_or(&p).display()
            )
        })
        .collect()
}

/// The words of a shell command line: quotes and backslashes as a shell reads them, and a
/// `#` that starts a word beginning a comment.
fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '#' if !in_word => break,
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("an unclosed '".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => word.extend(chars.next()),
                        Some(c) => word.push(c),
                        None => return Err("an unclosed \"".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// The `tagdesk` command lines of the `sh` blocks under the `## Quick start` heading, each
/// with its line number.
fn quick_start_commands(readme: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_section = false;
    let mut in_sh = false;
    let mut in_fence = false;
    for (i, line) in readme.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("```") {
            if in_fence {
                in_fence = false;
                in_sh = false;
            } else {
                in_fence = true;
                in_sh = in_section && t.trim_start_matches('`').trim() == "sh";
            }
            continue;
        }
        if !in_fence && line.starts_with('#') {
            let level = line.chars().take_while(|c| *c == '#').count();
            if level <= 2 {
                in_section = line[level..].trim().eq_ignore_ascii_case("quick start");
            }
            continue;
        }
        if in_sh && (t == "tagdesk" || t.starts_with("tagdesk ")) {
            out.push((i + 1, t.to_string()));
        }
    }
    out
}

/// Every Quick start command that the real command tree refuses, with the reason.
fn refused_commands(readme: &str) -> Vec<String> {
    quick_start_commands(readme)
        .into_iter()
        .filter_map(|(line, command)| {
            let words = match shell_words(&command) {
                Ok(words) => words,
                Err(e) => return Some(format!("README.md:{line}: {command}: {e}")),
            };
            Cli::command()
                .try_get_matches_from(&words)
                .err()
                .map(|e| format!("README.md:{line}: {command}: {}", e.render()))
        })
        .collect()
}

const CAPTURE_BEGIN: &str = "<!-- capture -->";
const CAPTURE_END: &str = "<!-- /capture -->";

/// The README's capture block as it must read: the demo start screen at 100×30, in a `text`
/// fence — partner 4242's users listed as the real backend lists them (the simulator's pages
/// of 25, reported page by page, then the listing's reply), nothing else done.
fn fresh_capture() -> String {
    let seed = Seed::demo();
    let mut h = Harness::with_seed(seed.clone(), 100, 30);
    let request = h.pending.remove(0);
    let mut page = 0;
    loop {
        page += 1;
        let progress = support::reply_page(&seed, page);
        let last = progress.total_pages.is_none_or(|t| u64::from(page) >= t);
        h.send(Message::Page {
            id: request.id,
            progress,
        });
        if last {
            break;
        }
    }
    let mut reply = h.answer(&request);
    // The harness's model answers the whole listing at once; the backend counts its pages.
    if let Ok(Output::Users(listing)) = &mut reply.result {
        listing.pages_fetched = page;
    }
    h.send(Message::Reply(Box::new(reply)));
    assert!(h.pending.is_empty(), "nothing else is sent at start");
    format!("```text\n{}```", h.screen())
}

fn readme_capture(readme: &str) -> Option<&str> {
    let begin = readme.find(CAPTURE_BEGIN)? + CAPTURE_BEGIN.len();
    let end = begin + readme[begin..].find(CAPTURE_END)?;
    Some(readme[begin..end].trim())
}

fn report(what: &str, problems: &[String]) {
    assert!(problems.is_empty(), "{what}:\n{}", problems.join("\n"));
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let root = root();
    let files = doc_files(&root);
    assert!(files.len() > 10, "the book's pages are found: {files:?}");
    report("broken links", &broken_links(&root, &files));
}

#[test]
fn summary_reaches_every_page() {
    report(
        "pages missing from docs/src/SUMMARY.md",
        &unlisted_pages(&root().join("docs/src")),
    );
}

#[test]
fn quick_start_commands_parse_with_the_real_command_tree() {
    let readme = fs::read_to_string(root().join("README.md")).expect("read README.md");
    let commands = quick_start_commands(&readme);
    let shown: Vec<&str> = commands.iter().map(|(_, c)| c.as_str()).collect();
    for needed in [
        "tagdesk",
        "tagdesk demo",
        "tagdesk outcomes",
        "tagdesk config init",
        "tagdesk config check",
    ] {
        assert!(
            commands
                .iter()
                .any(|(_, c)| shell_words(c).is_ok_and(|w| w.join(" ") == needed)),
            "README.md's Quick start shows `{needed}` in a sh block: {shown:?}"
        );
    }
    report(
        "Quick start commands tagdesk refuses",
        &refused_commands(&readme),
    );
}

#[test]
fn the_readme_capture_is_the_console_as_it_is_today() {
    let readme = fs::read_to_string(root().join("README.md")).expect("read README.md");
    let fresh = fresh_capture();
    let Some(capture) = readme_capture(&readme) else {
        panic!("README.md has no {CAPTURE_BEGIN} … {CAPTURE_END} block; it should hold:\n{fresh}");
    };
    assert!(
        capture == fresh,
        "README.md's capture of the console is stale; paste this between {CAPTURE_BEGIN} and {CAPTURE_END}:\n{fresh}"
    );
}

// The checks find planted mistakes (so a check that stopped looking would fail here).

fn planted(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn a_planted_broken_link_or_anchor_is_named_with_its_file_and_line() {
    let dir = planted(&[
        (
            "README.md",
            "# T\n\n[ok](docs/src/a.md#the-set-endpoint) [ok](#t)\n\
             `[not a link](nowhere.md)`\n\n```sh\n[nor](this.md)\n```\n\
             [gone](docs/src/b.md) and [bad anchor](docs/src/a.md#nope)\n",
        ),
        (
            "CONTRIBUTING.md",
            "# C\n\n[ok](README.md#t)\n\n[ref]: docs/src/missing.md\n",
        ),
        (
            "docs/src/a.md",
            "# A\n\n## The set endpoint\n\n## Twice\n\n## Twice\n\n<a id=\"own\"></a>\n\
             [self](#twice-1) [explicit](#own) [up](../../README.md#nope-either)\n",
        ),
    ]);
    let root = dir.path().to_path_buf();
    let problems = broken_links(&root, &doc_files(&root));
    assert_eq!(
        problems,
        [
            "README.md:9: (docs/src/b.md): no such file",
            "README.md:9: (docs/src/a.md#nope): no heading or anchor #nope in docs/src/a.md",
            "CONTRIBUTING.md:5: (docs/src/missing.md): no such file",
            "docs/src/a.md:10: (../../README.md#nope-either): no heading or anchor #nope-either in README.md",
        ],
        "{problems:#?}"
    );
}

#[test]
fn slugs_follow_github() {
    assert_eq!(
        slug("Adaptive concurrency: --concurrency auto"),
        "adaptive-concurrency---concurrency-auto"
    );
    assert_eq!(slug("The CLI's Hive output"), "the-clis-hive-output");
    assert_eq!(
        slug("Console start with a cached 100,000-user list"),
        "console-start-with-a-cached-100000-user-list"
    );
    assert_eq!(
        slug("See [Batches](batches.md) and rest_api"),
        "see-batches-and-rest_api"
    );
    let a = anchors("# A\n## x\n```\n## not a heading\n```\n## x\n## `tagdesk sim`\n");
    assert_eq!(a, ["a", "tagdesk-sim", "x", "x-1"].map(String::from).into());
}

#[test]
fn a_planted_unlisted_page_is_named() {
    let dir = planted(&[
        ("SUMMARY.md", "# Summary\n\n- [A](a.md)\n- [B](dev/b.md)\n"),
        ("a.md", "# A\n"),
        ("dev/b.md", "# B\n"),
        ("dev/c.md", "# C\n"),
    ]);
    assert_eq!(
        unlisted_pages(dir.path()),
        ["dev/c.md: not reachable from SUMMARY.md (add it there)"]
    );
}

#[test]
fn a_planted_bad_quick_start_command_is_named_with_its_line() {
    let readme = "# t\n\n## Quick start\n\n```sh\ntagdesk outcomes   # fine\n\
                  tagdesk outcome          # a typo\ntagdesk config check --profile 'a b'\n```\n\n\
                  ```text\ntagdesk nonsense\n```\n\n## Later\n\n```sh\ntagdesk nonsense\n```\n";
    let commands = quick_start_commands(readme);
    assert_eq!(
        commands.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
        [6, 7, 8],
        "only the sh blocks of the Quick start: {commands:?}"
    );
    let refused = refused_commands(readme);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].starts_with("README.md:7: tagdesk outcome          # a typo: error:"),
        "{}",
        refused[0]
    );
    assert_eq!(
        shell_words(r#"tagdesk a\ b "c d" 'e#f' g#h # comment"#).unwrap(),
        ["tagdesk", "a b", "c d", "e#f", "g#h"]
    );
}

#[test]
fn a_stale_capture_is_told_apart() {
    let fresh = fresh_capture();
    let readme = format!("x\n{CAPTURE_BEGIN}\n{fresh}\n{CAPTURE_END}\n");
    assert_eq!(readme_capture(&readme), Some(fresh.as_str()));
    let stale = readme.replacen("Ada Lovelace", "Ada Lovelace!", 1);
    assert_ne!(readme_capture(&stale), Some(fresh.as_str()));
    assert!(
        fresh.starts_with("```text\n") && fresh.contains("partner 4242"),
        "{fresh}"
    );
}
