//! The layout rules of docs/src/architecture.md, checked on the source so they cannot erode:
//! what the pure core may use, what config may depend on, where key codes and colours live,
//! how big a file's code may grow (its test module not counted), that no module is named by
//! `#[path]`, and that no match over `Op` hides a new variant behind `_ =>`.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read a source directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn src(sub: &str) -> Vec<PathBuf> {
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(sub))
}

/// The code of a file without its comments (doc comments may name what code may not use).
fn code_of(path: &Path) -> String {
    let text = fs::read_to_string(path).expect("read a source file");
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn offenders(files: &[PathBuf], forbidden: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        let code = code_of(f);
        for word in forbidden {
            if code.contains(word) {
                out.push(format!("{} uses {word}", f.display()));
            }
        }
    }
    out
}

#[test]
fn the_core_does_no_io_and_knows_no_outer_layer() {
    let bad = offenders(
        &src("core"),
        &[
            "tokio",
            "reqwest",
            "ratatui",
            "crossterm",
            "axum",
            "std::fs",
            "std::net",
            "std::process",
            "crate::engine",
            "crate::tui",
            "crate::sim",
            "crate::config",
            "crate::cli",
            "crate::session",
        ],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

/// `core` ← `engine` ← `session` / `cli` / `tui`, with `config` and `sim` beside: the engine
/// names none of the layers above it, nor config or the simulator (what it shares with
/// them lives in `core`, or in the engine for config to use).
#[test]
fn the_engine_knows_neither_the_console_nor_the_cli() {
    let bad = offenders(
        &src("engine"),
        &[
            "crate::tui",
            "crate::cli",
            "crate::session",
            "crate::config",
            "crate::sim",
            "ratatui",
        ],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

/// The patterns of the arms of every `match` in `code` that has an arm naming `Op::` in
/// its pattern (a tuple pattern included).
fn matches_over_op(code: &str) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find("match ") {
        let start = from + i;
        from = start + 6;
        // The match's block: the first `{` after the scrutinee.
        let Some(open) = code[start..].find('{').map(|o| start + o) else {
            break;
        };
        let mut depth = 0usize;
        // Each arm's pattern: its text up to the `=>` at the block's own depth.
        let mut patterns = vec![String::new()];
        let mut in_body = false;
        let mut k = open;
        while k < bytes.len() {
            let b = bytes[k];
            match b {
                b'{' | b'(' | b'[' => depth += 1,
                b'}' | b')' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    // A block body ends its arm (no comma needed after `=> { … }`).
                    if depth == 1 && b == b'}' && in_body {
                        patterns.push(String::new());
                        in_body = false;
                        k += 1;
                        continue;
                    }
                }
                b',' if depth == 1 => {
                    if in_body {
                        patterns.push(String::new());
                        in_body = false;
                    }
                    k += 1;
                    continue;
                }
                b'=' if depth == 1 && bytes.get(k + 1) == Some(&b'>') => in_body = true,
                _ => {}
            }
            if !in_body
                && k > open
                && let Some(last) = patterns.last_mut()
            {
                last.push(b as char);
            }
            k += 1;
        }
        let patterns: Vec<String> = patterns
            .into_iter()
            .map(|a| a.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|a| !a.is_empty())
            .collect();
        let over_op = patterns.iter().any(|a| {
            let a = a.trim_start_matches(['(', '&', ' ']);
            a.starts_with("Op::") || a.starts_with("Some(Op::")
        });
        if over_op {
            out.push(patterns);
        }
    }
    out
}

#[test]
fn no_match_over_op_has_a_catch_all_arm() {
    let mut bad = Vec::new();
    for f in src("") {
        for arms in matches_over_op(&code_of(&f)) {
            if arms.iter().any(|a| a == "_" || a.starts_with("_ if")) {
                bad.push(format!("{}: {arms:?}", f.display()));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn the_catch_all_check_sees_a_catch_all() {
    let code = "fn f(op: &Op) -> u8 { match op { Op::HiveAdd { .. } => 1, _ => 2 } }";
    let found = matches_over_op(code);
    assert_eq!(found.len(), 1);
    assert!(found[0].iter().any(|a| a == "_"), "{found:?}");
    let fine =
        "fn f(op: &Op) -> u8 { match op { Op::HiveAdd { .. } => 1, Op::CeregoProfile => 2 } }";
    assert_eq!(
        matches_over_op(fine),
        vec![vec![
            "Op::HiveAdd { .. }".to_string(),
            "Op::CeregoProfile".to_string()
        ]]
    );
    // Tuple patterns and block bodies.
    let tuple =
        "match (op, r) { (Op::HiveAdd { .. }, Ok(x)) => { f(x) } (_, Err(e)) if ok => {} _ => {} }";
    assert_eq!(
        matches_over_op(tuple),
        vec![vec![
            "(Op::HiveAdd { .. }, Ok(x))".to_string(),
            "(_, Err(e)) if ok".to_string(),
            "_".to_string()
        ]]
    );
}

#[test]
fn config_knows_neither_the_console_nor_the_simulator() {
    let bad = offenders(
        &src("config"),
        &["crate::tui", "crate::sim", "ratatui", "crossterm"],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn key_codes_live_in_the_key_table_only() {
    let files: Vec<PathBuf> = src("")
        .into_iter()
        .filter(|f| !f.ends_with("tui/keymap.rs"))
        .collect();
    let bad = offenders(&files, &["KeyCode::", "KeyModifiers::"]);
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn colours_live_in_the_theme_only() {
    let files: Vec<PathBuf> = src("")
        .into_iter()
        .filter(|f| !f.ends_with("tui/theme.rs"))
        .collect();
    let bad = offenders(
        &files,
        &[
            "Color::",
            ".red()",
            ".green()",
            ".yellow()",
            ".blue()",
            ".cyan()",
            ".magenta()",
            ".gray()",
            ".dark_gray()",
            ".white()",
            ".black()",
        ],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

/// The lines of a file's code: those before its test module, which starts at the first line
/// that is exactly `#[cfg(test)]` (at column 0) followed by a `mod` item (other attributes
/// may come between). Tests beside their code do not count towards a file's size.
fn code_lines(text: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let starts_test_module = |i: usize| {
        lines[i] == "#[cfg(test)]"
            && lines[i + 1..]
                .iter()
                .find(|l| !l.starts_with("#["))
                .is_some_and(|l| {
                    let item = l
                        .trim_start_matches("pub ")
                        .trim_start_matches("pub(crate) ");
                    item.starts_with("mod ")
                })
    };
    (0..lines.len())
        .find(|&i| starts_test_module(i))
        .unwrap_or(lines.len())
}

#[test]
fn the_line_count_stops_at_the_test_module() {
    let file = "use a;\n\nfn f() {}\n#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n";
    assert_eq!(code_lines(file), 3);
    let file_mod = "fn f() {}\n#[cfg(test)]\nmod tests;\n";
    assert_eq!(code_lines(file_mod), 1);
    // A `#[cfg(test)]` on anything but a module, or indented, is code.
    let helper = "fn f() {}\n#[cfg(test)]\nfn helper() {}\nfn g() {}\n";
    assert_eq!(code_lines(helper), 4);
    let nested = "impl A {\n    #[cfg(test)]\n    mod inner {}\n}\n";
    assert_eq!(code_lines(nested), 4);
    // No test module: every line counts.
    assert_eq!(code_lines("a\nb\n"), 2);
}

#[test]
fn no_source_file_grows_past_600_lines() {
    let mut bad = Vec::new();
    for f in src("") {
        let lines = code_lines(&fs::read_to_string(&f).expect("read"));
        if lines > 600 {
            bad.push(format!("{}: {lines} lines", f.display()));
        }
    }
    assert!(bad.is_empty(), "split these along a real seam: {bad:#?}");
}

/// A test module lives beside its code: inline, or as an ordinary submodule (`tests.rs`
/// next to a `mod.rs`), never a file named by `#[path]`.
#[test]
fn no_source_file_names_a_module_by_path() {
    let bad = offenders(&src(""), &["#[path"]);
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn main_is_a_short_dispatcher() {
    let main = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs");
    let lines = fs::read_to_string(main)
        .expect("read main.rs")
        .lines()
        .count();
    assert!(
        lines <= 20,
        "main.rs has {lines} lines: commands belong in cli/"
    );
}

/// The code of a file before its test module (tests may write files to read back).
fn code_before_tests(path: &Path) -> String {
    let code = code_of(path);
    let text = fs::read_to_string(path).expect("read a source file");
    code.lines()
        .take(code_lines(&text))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the console's `App::update` may not do: IO of any kind. The loop (`tui/mod.rs`,
/// `terminal.rs`, `batches.rs`) carries out its effects; the filter's searches run on their
/// own threads (`filter/`), over rows already in memory.
const IO: [&str; 9] = [
    "std::fs",
    "std::net",
    "std::process",
    "std::io",
    "read_dir",
    "File::",
    "tokio",
    "reqwest",
    "crate::engine::api",
];

/// The files of the App and what it calls while it handles a message.
fn app_files() -> Vec<PathBuf> {
    let tui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let mut files: Vec<PathBuf> = ["actions", "popups", "state", "view"]
        .iter()
        .flat_map(|d| rust_files(&tui.join(d)))
        .collect();
    for f in [
        "app.rs",
        "message.rs",
        "keymap.rs",
        "mouse.rs",
        "settings.rs",
        "theme.rs",
    ] {
        files.push(tui.join(f));
    }
    files
}

#[test]
fn the_app_does_no_io() {
    let mut bad = Vec::new();
    for f in app_files() {
        let code = code_before_tests(&f);
        for word in IO {
            if code.contains(word) {
                bad.push(format!("{} uses {word}", f.display()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "App::update is pure: ask the loop with an Effect instead: {bad:#?}"
    );
}

#[test]
fn the_io_check_reads_code_before_the_tests() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("f.rs");
    fs::write(
        &file,
        "fn f() { let _ = std::fs::read_dir(\".\"); }\n#[cfg(test)]\nmod tests {}\n",
    )
    .expect("write");
    assert!(code_before_tests(&file).contains("std::fs"));
    fs::write(
        &file,
        "fn f() {}\n#[cfg(test)]\nmod tests { fn t() { std::fs::write(\"x\", \"\").ok(); } }\n",
    )
    .expect("write");
    assert!(!code_before_tests(&file).contains("std::fs"));
}
