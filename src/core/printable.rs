//! Making text from the network or a file safe to show: one function for every output path.
//!
//! A server (or a journal, a seed, a configuration file) can send text that acts on a
//! terminal instead of showing: escape sequences that clear the screen or write the
//! clipboard (OSC 52), hyperlinks (OSC 8), carriage returns and backspaces that overwrite
//! what was printed, bidirectional overrides that reorder a line, and zero-width characters
//! that hide or misalign text. [`printable`] escapes all of them, visibly
//! (`\u{1b}`, `\u{202e}`), so the operator sees that they were there. Everything the CLI
//! prints, every CSV cell and every value the console draws goes through it; JSON output goes
//! through [`json_text`], which keeps the JSON valid and escapes the same characters.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters that would act on a terminal, reorder or hide text rather than show.
pub fn is_risky(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // zero-width space, non-joiner, joiner; LRM, RLM
            '\u{200B}'..='\u{200F}'
            // line and paragraph separators; LRE, RLE, PDF, LRO, RLO
            | '\u{2028}'..='\u{202E}'
            // word joiner, invisible operators; LRI, RLI, FSI, PDI
            | '\u{2060}'..='\u{2069}'
            // Arabic letter mark, byte order mark / zero-width no-break space
            | '\u{061C}' | '\u{FEFF}'
        )
}

/// `s` with every risky character escaped (`\u{1b}`, `\n`, `\u{202e}`); borrowed when there
/// is nothing to escape.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_risky) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_risky(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One CSV cell (RFC 4180): made printable, neutralised against spreadsheet formula
/// injection (a cell starting with `=`, `+`, `-` or `@` gets a leading `'`, as OWASP
/// recommends), and quoted when it holds a comma, a quote or a space at either end.
pub fn csv_cell(s: &str) -> String {
    let shown = printable(s);
    let neutral = if shown.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{shown}"))
    } else {
        shown
    };
    if neutral.contains([',', '"']) || neutral.starts_with(' ') || neutral.ends_with(' ') {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral.into_owned()
    }
}

/// A JSON value as one line of text, with the risky characters that JSON allows raw
/// (bidirectional controls, zero-width characters, line separators) written as `\uXXXX`
/// escapes. Control characters are already escaped by JSON itself. The result parses back to
/// the same value.
pub fn json_text(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if !text.chars().any(is_risky) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_risky(c) {
            // Outside strings JSON has no such characters, so every one is inside a string,
            // where a \u escape means the same character.
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `1 user`, `2 users`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `1000000` → `1,000,000`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_bidi_and_zero_width() {
        assert_eq!(printable("plain é 日本"), "plain é 日本");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert_eq!(
            printable("a\u{1b}[2Jb\nc\rd\u{8}"),
            "a\\u{1b}[2Jb\\nc\\rd\\u{8}"
        );
        assert_eq!(
            printable("\u{1b}]52;c;SGVsbG8=\u{7}"),
            "\\u{1b}]52;c;SGVsbG8=\\u{7}"
        );
        assert_eq!(printable("x\u{202e}y"), "x\\u{202e}y");
        for c in [
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200b}', '\u{200d}',
        ] {
            let s = format!("a{c}b");
            assert!(!printable(&s).contains(c), "{c:?}");
        }
        assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m", "C1 control (CSI)");
    }

    #[test]
    fn csv_cells_are_quoted_and_neutralised() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("two\nlines"), "two\\nlines");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn json_text_stays_valid_and_escapes_bidi() {
        let v = serde_json::json!({"m": "a\u{202e}b\u{1b}c\u{200b}", "k\u{2066}": 1});
        let text = json_text(&v);
        assert!(!text.chars().any(is_risky), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
        let astral = serde_json::json!("😀");
        assert_eq!(json_text(&astral), "\"😀\"");
    }
}
