//! Text fitting by display width (wide characters count double), with an ellipsis.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Cuts `s` to at most `width` columns, ending in `…` when something was cut. Control,
/// bidirectional and zero-width characters are shown escaped (`\u{1b}`, `\u{202e}`), by
/// the same function every output path uses, so a hostile value can neither move the
/// cursor nor reorder or misalign a pane.
pub fn fit(s: &str, width: usize) -> String {
    let clean = crate::core::printable::printable(s).into_owned();
    if clean.width() <= width {
        return clean;
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in clean.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Pads or cuts `s` to exactly `width` columns.
pub fn cell(s: &str, width: usize) -> String {
    let mut out = fit(s, width);
    let w = out.width();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// `s` made printable, for text drawn without [`fit`] (the inspector's bodies).
pub fn clean(s: &str) -> String {
    crate::core::printable::printable(s).into_owned()
}

/// Breaks `s` into lines of at most `width` columns at spaces (a word longer than a line is
/// cut with `fit`).
pub fn wrap_words(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if candidate.width() <= width {
            line = candidate;
        } else {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line = fit(word, width);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `s` made printable and broken at spaces into at most two lines: the first `first`
/// columns wide, the second `second`; what does not fit in them ends the second with `…`.
pub fn wrap_two(s: &str, first: usize, second: usize) -> Vec<String> {
    let clean = clean(s);
    let mut lines = wrap_words(&clean, first.max(1));
    if lines.len() == 1 {
        return lines;
    }
    // The first line's words, then the rest of the text as it was (its own spaces).
    let words = lines[0].split(' ').count();
    let rest: Vec<&str> = clean.split(' ').skip(words).collect();
    lines.truncate(1);
    lines.push(fit(&rest.join(" "), second));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(wrap_words("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap_words("abcdefgh x", 4), ["abc…", "x"]);
        assert_eq!(wrap_words("", 4), [""]);
        assert_eq!(wrap_two("aa bb cc dd ee", 5, 5), ["aa bb", "cc d…"]);
        assert_eq!(wrap_two("aa bb cc dd", 5, 8), ["aa bb", "cc dd"]);
        assert_eq!(wrap_two("aa bb", 5, 5), ["aa bb"]);
        assert_eq!(wrap_two("a\u{1b}b", 20, 20), ["a\\u{1b}b"]);
    }

    #[test]
    fn fits_with_ellipsis() {
        assert_eq!(fit("hello", 10), "hello");
        assert_eq!(fit("hello world", 8), "hello w…");
        assert_eq!(fit("hello", 0), "");
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        assert_eq!(fit("a\u{1b}[2Jb", 12), "a\\u{1b}[2Jb");
        assert_eq!(fit("x\u{202e}y", 20), "x\\u{202e}y");
        assert_eq!(fit("a\u{200b}b", 3), "a\\…", "escaped, then fitted");
        assert_eq!(cell("ab", 4), "ab  ");
        assert_eq!(cell("abcdef", 4), "abc…");
    }
}
