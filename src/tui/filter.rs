//! The lists' incremental filter: fuzzy, case-insensitive, order-preserving.
//!
//! nucleo's matcher (the one behind helix and television) scores each row; rows that match
//! keep their original order, so the list does not jump around while the operator types.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// Indices of the rows of `haystacks` that match `query` (all rows for an empty query).
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
}
