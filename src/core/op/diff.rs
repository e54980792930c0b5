//! A character-level difference between the documented message and the one a server sent,
//! so a MISMATCH shows *where* it differs — readable without colour (`[-missing-]`,
//! `{+added+}`, as `git diff --word-diff` writes it).

/// One run of a difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// In both.
    Same(String),
    /// In the documented message, not in the server's.
    Missing(String),
    /// In the server's message, not in the documented one.
    Added(String),
}

/// Messages longer than this are compared as wholes (the table is quadratic).
const MAX_CHARS: usize = 2_000;

/// The difference from `expected` to `got`, character by character (a longest common
/// subsequence), runs merged.
pub fn diff(expected: &str, got: &str) -> Vec<Part> {
    let a: Vec<char> = expected.chars().collect();
    let b: Vec<char> = got.chars().collect();
    if a.len() > MAX_CHARS || b.len() > MAX_CHARS {
        return vec![Part::Missing(expected.into()), Part::Added(got.into())];
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u16; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut parts: Vec<Part> = Vec::new();
    let mut push = |part: Part| match (parts.last_mut(), part) {
        (Some(Part::Same(s)), Part::Same(t))
        | (Some(Part::Missing(s)), Part::Missing(t))
        | (Some(Part::Added(s)), Part::Added(t)) => s.push_str(&t),
        (_, p) => parts.push(p),
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            push(Part::Same(a[i].to_string()));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            push(Part::Added(b[j].to_string()));
            j += 1;
        } else {
            push(Part::Missing(a[i].to_string()));
            i += 1;
        }
    }
    parts
}

/// The difference as one line of plain text: `[-missing-]` and `{+added+}` mark the runs.
pub fn plain(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Part::Same(s) => s.clone(),
            Part::Missing(s) => format!("[-{s}-]"),
            Part::Added(s) => format!("{{+{s}+}}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_changed_character_is_shown_where_it_is() {
        let d = diff(
            "No tags were added. All tags already exist on patron.",
            "No tags were added. All tags already exists on patron.",
        );
        assert_eq!(
            plain(&d),
            "No tags were added. All tags already exist{+s+} on patron."
        );
        let d = diff(
            "Successfully added tags to patron.",
            "Successfully added tags.",
        );
        assert_eq!(plain(&d), "Successfully added tags[- to patron-].");
        assert_eq!(diff("same", "same"), [Part::Same("same".into())]);
        assert_eq!(plain(&diff("", "x")), "{+x+}");
    }
}
