//! A difference between the documented message and the one a server sent, so a MISMATCH
//! shows *where* it differs — readable without colour (`[-missing-]`, `{+added+}`, as
//! `git diff --word-diff` writes it) — and [`explain`], which reads a MISMATCH: whether the
//! server sent another scenario's documented message, then the difference, by character for
//! a slip and by word otherwise.

use super::scenario::{DOCUMENTED, Scenario};

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

/// Messages at most this many characters apart (characters missing plus characters added)
/// are a slip, shown character by character; further apart, word by word.
pub const SLIP_CHARS: usize = 3;

/// The difference from `expected` to `got`, character by character (a longest common
/// subsequence), runs merged.
pub fn diff(expected: &str, got: &str) -> Vec<Part> {
    let a: Vec<String> = expected.chars().map(String::from).collect();
    let b: Vec<String> = got.chars().map(String::from).collect();
    lcs_diff(expected, got, &a, &b)
}

/// The difference from `expected` to `got` word by word: a word (letters, digits, `'`, `_`,
/// `-`), a run of white space and each other character are the units, and a change that
/// spans several words separated by spaces is one run (`[-do-]{+may+}`, not a soup of
/// letters).
pub fn word_diff(expected: &str, got: &str) -> Vec<Part> {
    let parts = lcs_diff(expected, got, &words(expected), &words(got));
    grouped(parts)
}

/// How [`explain`] cut the difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A slip of at most [`SLIP_CHARS`] characters.
    Characters,
    Words,
}

impl Level {
    /// `character` or `word` (the JSON of `outcomes check`).
    pub fn name(self) -> &'static str {
        match self {
            Level::Characters => "character",
            Level::Words => "word",
        }
    }
}

/// A server's message read against the documented one of the scenario its arrays describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The scenario the arrays describe.
    pub arrays: Scenario,
    /// Another documented scenario whose message the server sent, word for word.
    pub sent: Option<Scenario>,
    pub level: Level,
    /// From the documented message to the server's.
    pub parts: Vec<Part>,
}

impl Explanation {
    /// What to say first when the server sent another scenario's documented message:
    /// `the server sent the documented message of "all tags removed"; the arrays say "all
    /// tags don't exist"`.
    pub fn lead(&self) -> Option<String> {
        self.sent.map(|sent| {
            format!(
                "the server sent the documented message of \"{}\"; the arrays say \"{}\"",
                sent.label(),
                self.arrays.label()
            )
        })
    }

    /// The difference as one line of plain text ([`plain`]).
    pub fn plain(&self) -> String {
        plain(&self.parts)
    }
}

/// Reads a server's `message` against the documented message of `arrays` (the scenario the
/// response's arrays describe): `None` when they are the same, or when the documentation
/// has no message for the arrays (all empty). Otherwise whether the message is another
/// documented scenario's, and the difference: by character when the two are at most
/// [`SLIP_CHARS`] characters apart, by word otherwise.
pub fn explain(arrays: Scenario, message: &str) -> Option<Explanation> {
    let documented = arrays.documented_message()?;
    if documented == message {
        return None;
    }
    let sent = DOCUMENTED
        .into_iter()
        .find(|s| *s != arrays && s.documented_message() == Some(message));
    let chars = diff(documented, message);
    let apart: usize = chars
        .iter()
        .map(|p| match p {
            Part::Same(_) => 0,
            Part::Missing(s) | Part::Added(s) => s.chars().count(),
        })
        .sum();
    let (level, parts) = if apart <= SLIP_CHARS {
        (Level::Characters, chars)
    } else {
        (Level::Words, word_diff(documented, message))
    };
    Some(Explanation {
        arrays,
        sent,
        level,
        parts,
    })
}

/// The units of a word difference, in order (they add up to `text`).
fn words(text: &str) -> Vec<String> {
    let kind = |c: char| {
        if c.is_alphanumeric() || matches!(c, '\'' | '_' | '-') {
            1
        } else if c.is_whitespace() {
            2
        } else {
            0
        }
    };
    let mut units: Vec<String> = Vec::new();
    let mut last = None;
    for c in text.chars() {
        let k = kind(c);
        match units.last_mut() {
            Some(unit) if k != 0 && last == Some(k) => unit.push(c),
            _ => units.push(c.to_string()),
        }
        last = Some(k);
    }
    units
}

/// The difference of two sequences of units (a longest common subsequence), runs merged;
/// the texts are compared as wholes past [`MAX_CHARS`].
fn lcs_diff(expected: &str, got: &str, a: &[String], b: &[String]) -> Vec<Part> {
    if expected.chars().count() > MAX_CHARS || got.chars().count() > MAX_CHARS {
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
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            push(&mut parts, Part::Same(a[i].clone()));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            push(&mut parts, Part::Added(b[j].clone()));
            j += 1;
        } else {
            push(&mut parts, Part::Missing(a[i].clone()));
            i += 1;
        }
    }
    // Between two runs in both, what only one message has: the documented side first.
    let mut out = Vec::with_capacity(parts.len());
    let (mut missing, mut added) = (String::new(), String::new());
    for part in parts.into_iter().chain([Part::Same(String::new())]) {
        match part {
            Part::Missing(s) => missing.push_str(&s),
            Part::Added(s) => added.push_str(&s),
            Part::Same(s) => {
                for change in [
                    Part::Missing(std::mem::take(&mut missing)),
                    Part::Added(std::mem::take(&mut added)),
                    Part::Same(s),
                ] {
                    if !matches!(&change, Part::Same(t) | Part::Missing(t) | Part::Added(t) if t.is_empty())
                    {
                        push(&mut out, change);
                    }
                }
            }
        }
    }
    out
}

/// Appends a run, merged into the last one when they are of a kind.
fn push(parts: &mut Vec<Part>, part: Part) {
    match (parts.last_mut(), part) {
        (Some(Part::Same(s)), Part::Same(t))
        | (Some(Part::Missing(s)), Part::Missing(t))
        | (Some(Part::Added(s)), Part::Added(t)) => s.push_str(&t),
        (_, p) => parts.push(p),
    }
}

/// Joins the changes of a word difference that only white space separates into one
/// replacement (`[-No tags were-]{+Successfully+}`), each side's text whole. A group
/// where one side would be nothing but the white space between is left as it was.
fn grouped(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    // The runs of the change being gathered, as they came.
    let mut group: Vec<Part> = Vec::new();
    let flush = |out: &mut Vec<Part>, group: &mut Vec<Part>| {
        let (mut missing, mut added) = (String::new(), String::new());
        for part in group.iter() {
            match part {
                Part::Missing(s) => missing.push_str(s),
                Part::Added(s) => added.push_str(s),
                Part::Same(s) => {
                    missing.push_str(s);
                    added.push_str(s);
                }
            }
        }
        // One side only the white space between (`removed[-.-] [-All -]tags`): the other
        // side is the change, the space stays where both have it (`removed[-. All-] tags`).
        let blank = |s: &str| !s.is_empty() && s.chars().all(char::is_whitespace);
        if blank(&missing) || blank(&added) {
            let missing_side = blank(&added);
            let (space, change) = if missing_side {
                (&added, &missing)
            } else {
                (&missing, &added)
            };
            let part = |text: &str| match missing_side {
                true => Part::Missing(text.to_string()),
                false => Part::Added(text.to_string()),
            };
            if let Some(head) = change.strip_suffix(space.as_str()) {
                push(out, part(head));
                push(out, Part::Same(space.clone()));
            } else if let Some(tail) = change.strip_prefix(space.as_str()) {
                push(out, Part::Same(space.clone()));
                push(out, part(tail));
            } else {
                group.drain(..).for_each(|p| push(out, p));
            }
            group.clear();
            return;
        }
        group.clear();
        if !missing.is_empty() {
            push(out, Part::Missing(missing));
        }
        if !added.is_empty() {
            push(out, Part::Added(added));
        }
    };
    for (i, part) in parts.iter().enumerate() {
        let between = match part {
            Part::Same(s) => {
                !group.is_empty()
                    && s.chars().all(char::is_whitespace)
                    && matches!(parts.get(i + 1), Some(Part::Missing(_) | Part::Added(_)))
            }
            Part::Missing(_) | Part::Added(_) => true,
        };
        if between {
            group.push(part.clone());
        } else {
            flush(&mut out, &mut group);
            push(&mut out, part.clone());
        }
    }
    flush(&mut out, &mut group);
    out
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

    use crate::core::op::scenario::HiveAction::{Add, Remove};

    #[test]
    fn another_scenarios_message_is_named_first_and_compared_word_by_word() {
        // The arrays say nothing was there to remove; the server said it removed them.
        let arrays = Scenario::from_counts(Remove, 0, 2, 0);
        let e = explain(arrays, "Successfully removed tags from patron.").expect("a mismatch");
        assert_eq!(
            e.lead().as_deref(),
            Some(
                "the server sent the documented message of \"all tags removed\"; the arrays \
                 say \"all tags don't exist\""
            )
        );
        assert_eq!(e.sent, Some(Scenario::from_counts(Remove, 1, 0, 0)));
        assert_eq!(e.level, Level::Words);
        assert_eq!(
            e.plain(),
            "[-No tags were -]{+Successfully +}removed[-. All-] tags [-do not exist on -]{+from +}patron."
        );
        // Character by character, the same two messages are a soup of letters.
        let runs = |parts: &[Part]| parts.iter().filter(|p| !matches!(p, Part::Same(_))).count();
        let chars = diff(
            arrays.documented_message().unwrap(),
            "Successfully removed tags from patron.",
        );
        assert!(runs(&chars) > 2 * runs(&e.parts), "{}", plain(&chars));
    }

    #[test]
    fn a_reworded_message_is_compared_word_by_word_and_names_no_scenario() {
        let arrays = Scenario::from_counts(Remove, 0, 1, 1);
        let e = explain(
            arrays,
            "No tags were removed. Some tags may not exist on patron. Some tags failed to remove.",
        )
        .expect("a mismatch");
        assert_eq!(e.sent, None, "no documented message says that");
        assert_eq!(e.lead(), None);
        assert_eq!(e.level, Level::Words);
        assert_eq!(
            e.plain(),
            "No tags were removed. Some tags [-do-]{+may+} not exist on patron. Some tags failed to remove."
        );
    }

    #[test]
    fn a_slip_of_one_to_three_characters_stays_character_by_character() {
        let arrays = Scenario::from_counts(Add, 0, 1, 0);
        let e = explain(
            arrays,
            "No tags were added. All tags already exists on patron.",
        )
        .expect("a mismatch");
        assert_eq!(e.level, Level::Characters);
        assert_eq!(e.sent, None);
        assert_eq!(
            e.plain(),
            "No tags were added. All tags already exist{+s+} on patron."
        );
        let e = explain(
            Scenario::from_counts(Add, 1, 0, 0),
            "Successfully added tag to patron",
        )
        .expect("a mismatch");
        assert_eq!(e.level, Level::Characters);
        assert_eq!(e.plain(), "Successfully added tag[-s-] to patron[-.-]");
        // Four characters apart is no longer a slip.
        let e = explain(
            Scenario::from_counts(Add, 1, 0, 0),
            "Successfully added tags.",
        )
        .expect("a mismatch");
        assert_eq!(e.level, Level::Words);
        assert_eq!(e.plain(), "Successfully added tags[- to patron-].");
    }

    #[test]
    fn the_documented_message_or_empty_arrays_need_no_explanation() {
        for s in DOCUMENTED {
            assert_eq!(explain(s, s.documented_message().unwrap()), None);
        }
        assert_eq!(
            explain(Scenario::from_counts(Add, 0, 0, 0), "anything"),
            None
        );
    }

    #[test]
    fn every_other_documented_message_is_recognised() {
        for arrays in DOCUMENTED {
            for sent in DOCUMENTED.into_iter().filter(|s| *s != arrays) {
                let e = explain(arrays, sent.documented_message().unwrap()).unwrap();
                assert_eq!(e.sent, Some(sent));
                assert_eq!(e.level, Level::Words, "{arrays:?} / {sent:?}");
            }
        }
    }
}
