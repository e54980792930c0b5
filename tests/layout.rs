//! The layout rules of README "Architecture", checked on the source so they cannot erode:
//! what the pure core may use, what config may depend on, where key codes and colours live,
//! how big a file may grow, and that no match over `Op` hides a new variant behind `_ =>`.

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

#[test]
fn the_engine_knows_neither_the_console_nor_the_cli() {
    let bad = offenders(&src("engine"), &["crate::tui", "crate::cli", "ratatui"]);
    assert!(bad.is_empty(), "{bad:#?}");
}

/// The arms of every `match` in `code` (the text at the match's own brace depth), for the
/// matches that have an arm naming `Op::`.
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
        let mut arms = vec![String::new()];
        let mut end = open;
        for (k, &b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' | b'(' | b'[' => depth += 1,
                b'}' | b')' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        end = k;
                        break;
                    }
                    // A block body ends its arm (no comma needed after `=> { … }`).
                    if depth == 1 && b == b'}' && arms.last().is_some_and(|a| a.contains("=>")) {
                        arms.push(String::new());
                    }
                }
                b',' if depth == 1 => arms.push(String::new()),
                _ if depth == 1 => {
                    if let Some(last) = arms.last_mut() {
                        last.push(b as char);
                    }
                }
                _ => {}
            }
        }
        let arms: Vec<String> = arms
            .into_iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        let over_op = arms.iter().any(|a| {
            let a = a.trim_start_matches('&');
            a.starts_with("Op::") || a.starts_with("Some(Op::") || a.starts_with("(Op::")
        });
        if over_op {
            out.push(arms);
        }
        if end <= start {
            break;
        }
    }
    out
}

#[test]
fn no_match_over_op_has_a_catch_all_arm() {
    let mut bad = Vec::new();
    for f in src("") {
        for arms in matches_over_op(&code_of(&f)) {
            if arms
                .iter()
                .any(|a| a.starts_with("_ =>") || a.starts_with("_ if"))
            {
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
    assert!(found[0].iter().any(|a| a.starts_with("_ =>")), "{found:?}");
    let fine =
        "fn f(op: &Op) -> u8 { match op { Op::HiveAdd { .. } => 1, Op::CeregoProfile => 2 } }";
    assert!(
        matches_over_op(fine)[0]
            .iter()
            .all(|a| !a.starts_with("_ =>"))
    );
}
