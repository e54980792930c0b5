//! What the preview's list shows of each plan row, written once when the preview is made:
//! who the row is about (a patron, or a Cerego user by name and id — not a tag number),
//! what it is predicted to do, and its basis when it differs from the common one.

use std::collections::HashMap;

use unicode_width::UnicodeWidthStr;

use super::Shown;
use crate::core::model::KnownState;
use crate::core::op::Op;
use crate::core::plan::{PlanRow, Prediction};
use crate::core::printable::printable;

/// The rows' list lines, and the basis most of them share (then said once, in the header).
pub fn shown(
    rows: &[PlanRow],
    predictions: &[Prediction],
    known: &KnownState,
) -> (Vec<Shown>, Option<String>) {
    let basis = common_basis(predictions);
    // Which user holds each tag, built only when a row names a tag without its user.
    let mut owners: Option<HashMap<String, usize>> = None;
    let shown = rows
        .iter()
        .zip(predictions)
        .map(|(row, p)| Shown {
            // A row from no file line (marked rows, an undo's own) has no line to show.
            lines: if row.lines.is_empty() {
                String::new()
            } else {
                row.lines
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            },
            target: target(row, known, &mut owners),
            // What is sent, in words; an unchanged row sends nothing.
            op: if row.unchanged {
                "nothing to send".to_string()
            } else {
                crate::tui::state::words::op_words(&row.op)
            },
            // The file's expectation beside the prediction, as a dry-run shows it.
            effect: match crate::core::plan::expect::beside_prediction(row, p) {
                Some((word, _)) => format!("{} · {word}", p.effect),
                None => p.effect.clone(),
            },
            basis: (Some(&p.basis) != basis.as_ref()).then(|| p.basis.clone()),
            unchanged: row.unchanged,
        })
        .collect();
    (shown, basis)
}

/// The basis most predictions share (the first of the most frequent).
fn common_basis(predictions: &[Prediction]) -> Option<String> {
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for (i, p) in predictions.iter().enumerate() {
        counts.entry(p.basis.as_str()).or_insert((0, i)).0 += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
        .map(|(basis, _)| basis.to_string())
}

/// Who a row is about, as the operator knows them.
fn target(
    row: &PlanRow,
    known: &KnownState,
    owners: &mut Option<HashMap<String, usize>>,
) -> String {
    let user = |id: &str| {
        let name = known.cerego.user(id).and_then(|u| u.name.map(printable));
        match name {
            Some(name) => format!("{name} (user {id})"),
            None => format!("user {id}"),
        }
    };
    match &row.op {
        Op::CeregoAdd { user: id, .. } | Op::CeregoSet { user: id, .. } => user(id.as_str()),
        Op::CeregoUpdate { tag, .. } => {
            if let Some(want) = &row.want {
                return user(want.user.as_str());
            }
            let index = owners.get_or_insert_with(|| tag_owners(known));
            match index.get(tag.as_str()).and_then(|&at| known.cerego.get(at)) {
                Some(u) => format!("{} · tag {tag}", user(u.id)),
                None => format!("tag {tag} (user not listed)"),
            }
        }
        Op::HiveAdd { .. }
        | Op::HiveRemove { .. }
        | Op::CeregoListUsers { .. }
        | Op::CeregoProfile
        | Op::Raw(_) => printable(&row.op.target()).into_owned(),
    }
}

/// Tag id → the position of the user holding it, over every listed user (once a preview).
fn tag_owners(known: &KnownState) -> HashMap<String, usize> {
    let mut index = HashMap::new();
    for (at, u) in known.cerego.iter().enumerate() {
        for t in u.tags.iter() {
            index.insert(t.id.to_string(), at);
        }
    }
    index
}

/// The widths of the line, target and op columns: the widest value, within bounds (a very
/// long target is cut so the prediction keeps its room).
pub fn widths(shown: &[Shown]) -> (usize, usize, usize) {
    let widest = |f: fn(&Shown) -> usize| shown.iter().map(f).max().unwrap_or(0);
    (
        widest(|s| s.lines.width()).clamp(4, 12),
        widest(|s| s.target.width()).clamp(6, 40),
        widest(|s| s.op.len()).max(7),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prediction(basis: &str) -> Prediction {
        Prediction {
            fields: Vec::new(),
            effect: String::new(),
            basis: basis.into(),
        }
    }

    #[test]
    fn the_common_basis_is_the_most_frequent_one() {
        let ps = [prediction("b"), prediction("a"), prediction("a")];
        assert_eq!(common_basis(&ps).as_deref(), Some("a"));
        // A tie: the one seen first.
        let ps = [prediction("b"), prediction("a")];
        assert_eq!(common_basis(&ps).as_deref(), Some("b"));
        assert_eq!(common_basis(&[]), None);
    }
}
