//! The lists' incremental filter: fuzzy, case-insensitive, order-preserving, off the UI
//! thread.
//!
//! nucleo's matcher (the one behind helix and television) decides whether each row
//! matches; rows that match keep their list order, with the rows the query names exactly
//! (an id, a member id, an email) first, so the list does not jump around while the
//! operator types and an action never lands on a near-miss.
//!
//! Each row's text (its haystack) is written once, when the row arrives ([`Haystacks`]),
//! not per keystroke. A keystroke parses the query and hands the rows to a background job
//! ([`job`]) that matches them on every core and reports back through a wake-up callback;
//! the list keeps showing the previous result until the new one lands. A query that
//! extends the previous one (a character typed at the end) only re-checks the rows that
//! matched before. Small lists (up to [`INLINE_ROWS`] rows to check) are matched at once,
//! in the UI thread, where that costs less than a thread.

mod job;
mod store;

pub use job::{Outcome, Running, Spec, Waker, run_here};
pub use store::Haystacks;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// Separates the fields of a haystack (a character no field is matched for).
pub const SEP: char = '\u{1f}';

/// Rows to check at most for a query to be matched at once in the UI thread: about 4 ms
/// in a release build on the slowest machine measured (see docs/src/performance.md).
pub const INLINE_ROWS: usize = 16_384;

/// Which fields of a haystack name its item exactly (such a row ranks first and is
/// selected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exact {
    pub fields: &'static [usize],
    pub ignore_case: bool,
}

impl Exact {
    /// Nothing is named exactly (the action log).
    pub const NONE: Exact = Exact {
        fields: &[],
        ignore_case: false,
    };

    /// Whether a field of `haystack` is `query` (already trimmed).
    pub fn names(&self, haystack: &str, query: &str) -> bool {
        if self.fields.is_empty() || query.is_empty() {
            return false;
        }
        haystack
            .split(SEP)
            .enumerate()
            .filter(|(i, _)| self.fields.contains(i))
            .any(|(_, field)| {
                if !self.ignore_case {
                    field == query
                } else if field.is_ascii() && query.is_ascii() {
                    field.eq_ignore_ascii_case(query)
                } else {
                    field.to_lowercase() == query.to_lowercase()
                }
            })
    }
}

/// A parsed query: the text as typed, the pattern, and what an exact match compares.
#[derive(Debug, Clone)]
pub struct Query {
    pub text: String,
    pattern: Pattern,
    exact: String,
}

impl Query {
    pub fn parse(text: &str) -> Self {
        Self {
            text: text.to_string(),
            pattern: Pattern::parse(text, CaseMatching::Ignore, Normalization::Smart),
            exact: text.trim().to_string(),
        }
    }

    /// Whether `next` can only match rows this query matches, so a search for `next`
    /// needs only this query's result: `next` extends this text, and no atom of this one
    /// could match more rows once longer (a negation, an anchored end, a trailing escape).
    pub fn narrows_to(&self, next: &str) -> bool {
        next.starts_with(&self.text)
            && !self.text.ends_with('\\')
            && self.pattern.atoms.iter().all(|a| {
                !a.negative
                    && matches!(
                        a.kind,
                        AtomKind::Fuzzy | AtomKind::Substring | AtomKind::Prefix
                    )
            })
    }
}

/// Matches rows one at a time (one per thread).
pub struct RowMatcher {
    matcher: Matcher,
    buf: Vec<char>,
}

impl Default for RowMatcher {
    fn default() -> Self {
        Self {
            matcher: Matcher::new(Config::DEFAULT),
            buf: Vec::new(),
        }
    }
}

impl std::fmt::Debug for RowMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RowMatcher")
    }
}

/// How a row answers a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    No,
    Fuzzy,
    Exact,
}

impl RowMatcher {
    pub fn verdict(&mut self, query: &Query, exact: Exact, haystack: &str) -> Verdict {
        let hay = Utf32Str::new(haystack, &mut self.buf);
        if query.pattern.score(hay, &mut self.matcher).is_none() {
            Verdict::No
        } else if exact.names(haystack, &query.exact) {
            Verdict::Exact
        } else {
            Verdict::Fuzzy
        }
    }
}

/// Indices of the rows of `haystacks` that match `query` (all rows for an empty query): a
/// plain scan of every row, the reference the background filter is tested against.
pub fn matching(query: &str, haystacks: &[String]) -> Vec<usize> {
    if query.trim().is_empty() {
        return (0..haystacks.len()).collect();
    }
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    haystacks
        .iter()
        .enumerate()
        .filter(|(_, h)| {
            pattern
                .score(Utf32Str::new(h, &mut buf), &mut matcher)
                .is_some()
        })
        .map(|(i, _)| i)
        .collect()
}

/// [`matching`], with the rows `exact` accepts first (each group keeps its order): an
/// exact id or email ranks above rows that merely contain the same digits.
pub fn ranked(query: &str, haystacks: &[String], exact: impl Fn(usize) -> bool) -> Vec<usize> {
    let all = matching(query, haystacks);
    if query.trim().is_empty() {
        return all;
    }
    let (mut first, rest): (Vec<usize>, Vec<usize>) = all.into_iter().partition(|&i| exact(i));
    first.extend(rest);
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<String> {
        [
            "Ada Lovelace ada@x.org 1",
            "Grace Hopper grace@x.org 2",
            "Alan Turing alan@y.org 3",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn empty_query_keeps_everything() {
        assert_eq!(matching("", &rows()), [0, 1, 2]);
        assert_eq!(matching("  ", &rows()), [0, 1, 2]);
    }

    #[test]
    fn exact_matches_rank_first() {
        let rows: Vec<String> = ["Ann 2000204 a2000204@x.org", "Bo 2000420 b2000420@x.org"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(matching("2000420", &rows), [0, 1], "fuzzy matches both");
        assert_eq!(ranked("2000420", &rows, |i| i == 1), [1, 0]);
        assert_eq!(ranked("", &rows, |i| i == 1), [0, 1]);
    }

    #[test]
    fn case_insensitive_and_fuzzy() {
        assert_eq!(matching("GRACE", &rows()), [1]);
        assert_eq!(matching("alvlc", &rows()), [0], "fuzzy subsequence");
        assert_eq!(matching("x.org", &rows()), [0, 1]);
        assert!(matching("zzz", &rows()).is_empty());
    }

    #[test]
    fn exact_fields_and_case() {
        let hay = format!("Ada{SEP}ADA@X.org{SEP}1185304{SEP}M-1");
        let cerego = Exact {
            fields: &[1, 2, 3],
            ignore_case: true,
        };
        assert!(cerego.names(&hay, "ada@x.org"));
        assert!(cerego.names(&hay, "m-1"));
        assert!(cerego.names(&hay, "1185304"));
        assert!(!cerego.names(&hay, "ada"), "the name is not an exact field");
        assert!(!cerego.names(&hay, "118530"));
        let patron = Exact {
            fields: &[0],
            ignore_case: false,
        };
        assert!(patron.names("user_Ab", "user_Ab"));
        assert!(!patron.names("user_Ab", "user_ab"));
        assert!(!Exact::NONE.names("x", "x"));
    }

    #[test]
    fn only_safe_extensions_narrow() {
        let q = |s: &str| Query::parse(s);
        assert!(q("ad").narrows_to("ada"));
        assert!(q("ad").narrows_to("ad l"));
        assert!(q("'ad").narrows_to("'ada"));
        assert!(q("^ad").narrows_to("^ada$"));
        assert!(q("").narrows_to("a"));
        assert!(!q("ada").narrows_to("ad"), "shorter");
        assert!(!q("ad").narrows_to("xad"), "not an extension");
        assert!(
            !q("!ad").narrows_to("!ada"),
            "a negation matches more when longer"
        );
        assert!(!q("ad$").narrows_to("ad$a"), "an anchored end");
        assert!(!q("ad\\").narrows_to("ad\\ x"), "a trailing escape");
    }
}
