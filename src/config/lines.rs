//! Finding where a key is in the configuration file, so that every error names its line.

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::ConfigError;

/// 1-based line and column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map(|i| before.len() - i)
        .unwrap_or(before.len() + 1);
    (line, col)
}

/// The span of the key at `path` (`["profiles", "prod", "hive", "api_key"]`): the key as
/// written, or the deepest part of the path that is in the file.
pub fn span_of(text: &str, path: &[&str]) -> Option<Range<usize>> {
    let doc = DeTable::parse(text).ok()?;
    let mut table: &DeTable<'_> = doc.get_ref();
    let mut span = None;
    for name in path {
        let Some((key, value)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == *name) else {
            break;
        };
        span = Some(key.span());
        match value.get_ref() {
            DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    span
}

/// An error at the key `path` of the file: `FILE:LINE:COL: message` when the key is in the
/// file, else `FILE: message`.
pub fn error_at(
    file: &Path,
    text: &str,
    path: &[&str],
    message: impl std::fmt::Display,
) -> ConfigError {
    match span_of(text, path) {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            ConfigError(format!("{}:{line}:{col}: {message}", file.display()))
        }
        None => ConfigError(format!("{}: {message}", file.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_in_tables_and_dotted_headers() {
        let text = "default_profile = \"a\"\n\n[profiles.a]\ncolor = \"x\"\n[profiles.a.hive]\napi_key = \"k\"\napi_key_env = \"V\"\n";
        let at = |p: &[&str]| span_of(text, p).map(|s| line_col(text, s.start).0);
        assert_eq!(at(&["default_profile"]), Some(1));
        assert_eq!(at(&["profiles", "a", "color"]), Some(4));
        assert_eq!(at(&["profiles", "a", "hive", "api_key_env"]), Some(7));
        assert_eq!(
            at(&["profiles", "a", "hive", "nope"]),
            Some(5),
            "deepest part found"
        );
        let e = error_at(
            Path::new("/c.toml"),
            text,
            &["profiles", "a", "color"],
            "bad",
        );
        assert_eq!(e.0, "/c.toml:4:1: bad");
    }
}
