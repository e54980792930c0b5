//! An expected outcome per row: the optional `expect` column of a Hive file names the
//! scenario each row should produce — one of the 14 documented outcomes by the playground's
//! short key (`added`, `added_pre`, …, `remove_failed`) or an outcome class (`ok`,
//! `unchanged`, `partial`, `failed`) — and each answered row is judged `MATCH` or
//! `MISMATCH` against it. A file of such rows checks an application's setup.
//!
//! The classes are the outcome words of the results (`RowOutcome::of_hive`), so a class
//! covers exactly the scenarios whose rows end with that word:
//!
//! | class       | add                                 | remove                                      |
//! |-------------|-------------------------------------|---------------------------------------------|
//! | `ok`        | `added`, `added_pre`                | `removed`, `removed_absent`                 |
//! | `unchanged` | `pre`                               | `absent`                                    |
//! | `partial`   | `added_failed`, `added_pre_failed`  | `removed_failed`, `removed_absent_failed`   |
//! | `failed`    | `pre_failed`, `add_failed`          | `absent_failed`, `remove_failed`            |

use super::{Expect, PlanRow, Prediction};
use crate::core::op::scenario::{DOCUMENTED, HiveAction, Scenario};
use crate::core::op::verdict::RowOutcome;
use crate::core::probe::slug;

/// The header of the column (any case, like every column name).
pub const EXPECT_COLUMN: &str = "expect";

/// The outcome classes an `expect` cell may name, in the order the results list them.
pub const CLASSES: [RowOutcome; 4] = [
    RowOutcome::Ok,
    RowOutcome::Unchanged,
    RowOutcome::Partial,
    RowOutcome::Failed,
];

/// `MATCH` / `MISMATCH`, as the results write them.
pub const MATCH: &str = "MATCH";
pub const MISMATCH: &str = "MISMATCH";

/// The outcome class of a documented scenario (the word its row ends with); None for the
/// undocumented empty answer.
pub fn class_of(s: &Scenario) -> Option<RowOutcome> {
    match (s.changed, s.unchanged, s.failed) {
        (true, _, false) => Some(RowOutcome::Ok),
        (true, _, true) => Some(RowOutcome::Partial),
        (false, _, true) => Some(RowOutcome::Failed),
        (false, true, false) => Some(RowOutcome::Unchanged),
        (false, false, false) => None,
    }
}

/// The documented scenarios of `action`, in the documentation's order.
fn scenarios(action: HiveAction) -> impl Iterator<Item = Scenario> {
    DOCUMENTED.into_iter().filter(move |s| s.action == action)
}

/// The scenarios an (already checked) expectation covers for `action`: one for a
/// scenario key, the class's for a class.
pub fn covers(expect: &str, action: HiveAction) -> Vec<Scenario> {
    scenarios(action)
        .filter(|s| slug(s) == expect || class_of(s).is_some_and(|c| c.as_str() == expect))
        .collect()
}

/// Every value an `expect` cell may hold for `action`: the classes, then the scenarios.
pub fn valid(action: HiveAction) -> Vec<String> {
    CLASSES
        .iter()
        .map(|c| c.as_str().to_string())
        .chain(scenarios(action).map(|s| slug(&s)))
        .collect()
}

/// Reads an `expect` cell of a file whose rows `action`: None for an empty cell (no
/// expectation), else the value as stored (a class or a scenario's short key, lower case;
/// the playground's full key `hive.add.added` is read as `added`), or why it cannot be.
pub fn parse(raw: &str, action: HiveAction) -> Result<Option<String>, String> {
    let value = raw.trim().to_ascii_lowercase();
    if value.is_empty() {
        return Ok(None);
    }
    let short = value
        .strip_prefix("hive.")
        .and_then(|rest| rest.split_once('.'))
        .filter(|(a, _)| *a == "add" || *a == "remove");
    let key = match short {
        Some((a, _)) if a != action.name() => {
            return Err(other_action(raw, action));
        }
        Some((_, s)) => s.to_string(),
        None => value,
    };
    if !covers(&key, action).is_empty() {
        return Ok(Some(key));
    }
    let other = match action {
        HiveAction::Add => HiveAction::Remove,
        HiveAction::Remove => HiveAction::Add,
    };
    if scenarios(other).any(|s| slug(&s) == key) {
        return Err(other_action(raw, action));
    }
    Err(format!(
        "expect: \"{}\" is not an outcome: give one of {} (or leave the cell empty)",
        crate::core::printable::printable(raw.trim()),
        valid(action).join(", ")
    ))
}

fn other_action(raw: &str, action: HiveAction) -> String {
    let (this, flag) = match action {
        HiveAction::Add => ("an add", "import it with --remove"),
        HiveAction::Remove => ("a remove", "import it without --remove"),
    };
    format!(
        "expect: \"{}\" is an outcome of the other action, and this row is {this}: expect one \
         of {} ({flag} if the row is meant the other way)",
        crate::core::printable::printable(raw.trim()),
        valid(action).join(", ")
    )
}

/// Why a line naming a patron already planned on `merged` cannot join it: both expect an
/// outcome and not the same one (their tags go in one request, which has one outcome). An
/// empty cell joins anything: the merged row keeps the expectation given.
pub fn disagree(merged: &super::PlanRow, wanted: Option<&str>) -> Option<String> {
    let (Some(have), Some(want)) = (merged.expect.as_deref(), wanted) else {
        return None;
    };
    (have != want).then(|| {
        let lines: Vec<String> = merged.lines.iter().map(usize::to_string).collect();
        format!(
            "expect: {} is also on line {}, which expects {have}; this line expects {want}: \
             the lines go in one request, which has one outcome (expect the same, or leave \
             one cell empty)",
            crate::core::printable::printable(&merged.op.target()),
            lines.join(", ")
        )
    })
}

/// What a row got, in the terms of its expectation: the scenario's short key of a Hive
/// answer, else the outcome word (`refused INVALID_PATRON`). None when nothing can be
/// judged yet: no usable answer (pending, error, abandoned).
pub fn got(outcome: RowOutcome, scenario: Option<&Scenario>, code: Option<&str>) -> Option<String> {
    match outcome {
        RowOutcome::Pending | RowOutcome::Error | RowOutcome::Abandoned => None,
        RowOutcome::Refused => Some(match code {
            Some(c) => format!("refused {c}"),
            None => "refused".into(),
        }),
        RowOutcome::Ok | RowOutcome::Unchanged | RowOutcome::Partial | RowOutcome::Failed => {
            Some(scenario.map_or_else(|| outcome.as_str().to_string(), slug))
        }
    }
}

/// `MATCH` or `MISMATCH` for a row that expects `expect` and got `outcome` (with the
/// Hive scenario of its answer); None for a row with no usable answer.
pub fn judge(
    expect: &str,
    action: HiveAction,
    outcome: RowOutcome,
    scenario: Option<&Scenario>,
) -> Option<&'static str> {
    match outcome {
        RowOutcome::Pending | RowOutcome::Error | RowOutcome::Abandoned => None,
        _ => {
            let hit = scenario.is_some_and(|s| covers(expect, action).contains(s));
            Some(if hit { MATCH } else { MISMATCH })
        }
    }
}

/// Whether a prediction already contradicts `expect`: `changed`, `unchanged`, `failed`
/// are the api_fields predicted added or removed, pre-existing or non-existent, failed;
/// `unknown` those tagdesk cannot predict (each may end either changed or unchanged).
/// Some(the outcomes it could still produce) when none of them is expected.
pub fn contradiction(
    expect: &str,
    action: HiveAction,
    changed: usize,
    unchanged: usize,
    failed: usize,
    unknown: usize,
) -> Option<Vec<String>> {
    let f = failed > 0;
    let mut possible = vec![(changed > 0 || unknown > 0, unchanged > 0)];
    if unknown > 0 {
        possible = vec![(true, unchanged > 0), (changed > 0, true)];
        if unknown > 1 {
            possible.push((true, true));
        }
    }
    let mut could: Vec<Scenario> = possible
        .into_iter()
        .map(|(c, u)| Scenario {
            action,
            changed: c,
            unchanged: u,
            failed: f,
        })
        .filter(|s| class_of(s).is_some())
        .collect();
    could.dedup();
    let wanted = covers(expect, action);
    if could.is_empty() || could.iter().any(|s| wanted.contains(s)) {
        return None;
    }
    Some(could.iter().map(slug).collect())
}

/// A preview's word on a row's expectation (a dry-run's and the console's): `expect
/// added_pre` beside the prediction, and `CONTRADICTED (predicted: pre)` when nothing the
/// row could produce, as far as tagdesk knows, is the expected outcome. None for a row with
/// no expectation.
pub fn beside_prediction(row: &PlanRow, p: &Prediction) -> Option<(String, bool)> {
    let want = row.expect.as_deref()?;
    let (_, _, action) = row.op.hive_change()?;
    let n = |f: &dyn Fn(Expect) -> bool| p.fields.iter().filter(|(_, e)| f(*e)).count();
    let contradiction = contradiction(
        want,
        action,
        n(&|e| matches!(e, Expect::Added | Expect::Removed)),
        n(&|e| matches!(e, Expect::Present | Expect::Absent)),
        n(&|e| e == Expect::Fails),
        n(&|e| e == Expect::Unknown),
    );
    Some(match contradiction {
        None => (format!("expect {want}"), false),
        Some(could) => (
            format!(
                "expect {want}: CONTRADICTED (predicted: {})",
                could.join(" or ")
            ),
            true,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: Vec<Scenario>) -> Vec<String> {
        v.iter().map(slug).collect()
    }

    #[test]
    fn each_class_covers_the_scenarios_its_rows_end_with() {
        use HiveAction::{Add, Remove};
        assert_eq!(keys(covers("ok", Add)), ["added", "added_pre"]);
        assert_eq!(keys(covers("unchanged", Add)), ["pre"]);
        assert_eq!(
            keys(covers("partial", Add)),
            ["added_failed", "added_pre_failed"]
        );
        assert_eq!(keys(covers("failed", Add)), ["pre_failed", "add_failed"]);
        assert_eq!(keys(covers("ok", Remove)), ["removed", "removed_absent"]);
        assert_eq!(keys(covers("unchanged", Remove)), ["absent"]);
        assert_eq!(
            keys(covers("partial", Remove)),
            ["removed_failed", "removed_absent_failed"]
        );
        assert_eq!(
            keys(covers("failed", Remove)),
            ["absent_failed", "remove_failed"]
        );
        // Every documented scenario is in exactly one class, and that class is the word
        // its row ends with in the results.
        for s in DOCUMENTED {
            let classes: Vec<&str> = CLASSES
                .iter()
                .filter(|c| covers(c.as_str(), s.action).contains(&s))
                .map(|c| c.as_str())
                .collect();
            assert_eq!(classes.len(), 1, "{s:?}");
            let reply = crate::core::op::hive::HiveOutcome {
                action: s.action,
                message: None,
                patron_id: None,
                changed: if s.changed { vec!["a".into()] } else { vec![] },
                unchanged: if s.unchanged {
                    vec!["b".into()]
                } else {
                    vec![]
                },
                failed: if s.failed {
                    vec![crate::core::op::hive::FailedTag {
                        api_field: "c".into(),
                        reason: None,
                    }]
                } else {
                    vec![]
                },
                missing_fields: vec![],
                extra: vec![],
                foreign_patron: None,
            };
            assert_eq!(RowOutcome::of_hive(&reply).as_str(), classes[0], "{s:?}");
        }
    }

    #[test]
    fn the_fourteen_keys_are_the_playgrounds() {
        let mut all = valid(HiveAction::Add);
        all.extend(valid(HiveAction::Remove).into_iter().skip(4));
        let plays: Vec<String> = crate::core::playground::plays()
            .into_iter()
            .filter_map(|p| {
                let rest = p.key.strip_prefix("hive.")?;
                let (a, s) = rest.split_once('.')?;
                (a == "add" || a == "remove").then(|| s.to_string())
            })
            .collect();
        assert_eq!(all[4..], plays[..]);
        assert_eq!(plays.len(), 14);
    }

    #[test]
    fn cells_are_read_trimmed_in_any_case_and_empty_is_no_expectation() {
        let add = HiveAction::Add;
        assert_eq!(parse("", add), Ok(None));
        assert_eq!(parse("   ", add), Ok(None));
        assert_eq!(parse(" Added_Pre ", add), Ok(Some("added_pre".into())));
        assert_eq!(parse("OK", add), Ok(Some("ok".into())));
        assert_eq!(parse("hive.add.pre", add), Ok(Some("pre".into())));
        assert_eq!(
            parse("absent", HiveAction::Remove),
            Ok(Some("absent".into()))
        );
    }

    #[test]
    fn an_unknown_value_lists_the_valid_ones() {
        let e = parse("addded", HiveAction::Add).unwrap_err();
        assert!(e.contains("\"addded\" is not an outcome"), "{e}");
        assert!(
            e.contains("ok, unchanged, partial, failed, added, added_pre"),
            "{e}"
        );
        assert!(e.contains("add_failed"), "{e}");
        assert!(!e.contains("removed"), "only the add outcomes: {e}");
        // A remove outcome on an add row says which way round it is.
        let e = parse("removed", HiveAction::Add).unwrap_err();
        assert!(e.contains("other action"), "{e}");
        assert!(e.contains("--remove"), "{e}");
        let e = parse("hive.add.added", HiveAction::Remove).unwrap_err();
        assert!(e.contains("other action"), "{e}");
        // A control character is not echoed raw.
        let e = parse("x\u{1b}[2J", HiveAction::Add).unwrap_err();
        assert!(!e.contains('\u{1b}'), "{e}");
    }

    #[test]
    fn a_row_is_judged_by_its_answer_and_not_at_all_without_one() {
        let add = HiveAction::Add;
        let s = |c, u, f| Scenario::from_counts(add, c, u, f);
        let ok = RowOutcome::Ok;
        assert_eq!(judge("added", add, ok, Some(&s(1, 0, 0))), Some(MATCH));
        assert_eq!(judge("ok", add, ok, Some(&s(1, 1, 0))), Some(MATCH));
        assert_eq!(judge("added", add, ok, Some(&s(1, 1, 0))), Some(MISMATCH));
        let unchanged = RowOutcome::Unchanged;
        assert_eq!(
            judge("ok", add, unchanged, Some(&s(0, 1, 0))),
            Some(MISMATCH)
        );
        assert_eq!(
            judge("unchanged", add, unchanged, Some(&s(0, 1, 0))),
            Some(MATCH)
        );
        // A refusal is an answer, and no documented outcome.
        assert_eq!(
            judge("failed", add, RowOutcome::Refused, None),
            Some(MISMATCH)
        );
        assert_eq!(
            got(RowOutcome::Refused, None, Some("INVALID_PATRON")),
            Some("refused INVALID_PATRON".into())
        );
        assert_eq!(
            got(ok, Some(&s(1, 1, 1)), None),
            Some("added_pre_failed".into())
        );
        // No usable answer: neither.
        for o in [
            RowOutcome::Pending,
            RowOutcome::Error,
            RowOutcome::Abandoned,
        ] {
            assert_eq!(judge("ok", add, o, None), None);
            assert_eq!(got(o, None, None), None);
        }
    }

    #[test]
    fn a_hive_file_keeps_each_rows_expectation_and_merged_lines_must_agree() {
        let plan = |text: &str, remove: bool| {
            let table = crate::core::plan::read_table(text.as_bytes()).unwrap();
            crate::core::plan::hive_plan(&table, None, remove, &[])
        };
        let p = plan(
            "User_Id,EXPECT,user_tags\np1,Added,vip\np2,,vip\np1,,news\np3,ok,vip\np3,ok,x\n",
            false,
        );
        assert!(p.invalid.is_empty(), "{:?}", p.invalid);
        let got: Vec<(Vec<usize>, Option<&str>)> = p
            .rows
            .iter()
            .map(|r| (r.lines.clone(), r.expect.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (vec![2, 4], Some("added")),
                (vec![3], None),
                (vec![5, 6], Some("ok")),
            ]
        );
        // An empty first cell takes the later line's expectation.
        let p = plan("user_id,user_tags,expect\np1,vip,\np1,news,pre\n", false);
        assert_eq!(p.rows[0].expect.as_deref(), Some("pre"));
        // Two different expectations for one request: the later line is invalid, its tags
        // not merged.
        let p = plan(
            "user_id,user_tags,expect\np1,vip,added\np1,news,pre\n",
            false,
        );
        assert_eq!(p.invalid.len(), 1);
        assert_eq!(p.invalid[0].line, 3);
        assert!(
            p.invalid[0]
                .reason
                .contains("also on line 2, which expects added")
        );
        assert_eq!(p.rows[0].lines, [2]);
        // A remove file takes the remove outcomes only.
        let p = plan(
            "user_id,user_tags,expect\np1,vip,absent\np2,vip,pre\n",
            true,
        );
        assert_eq!(p.rows[0].expect.as_deref(), Some("absent"));
        assert_eq!(p.invalid.len(), 1);
        assert!(p.invalid[0].reason.contains("import it without --remove"));
        // Without a header there is no expect column: a third cell is an extra cell.
        let p = plan("p1,vip,added\n", false);
        assert_eq!(p.invalid.len(), 1, "{:?}", p.rows);
        // The saved plan keeps it (resume reads it back), and leaves it out when none.
        let p = plan("user_id,user_tags,expect\np1,vip,added\np2,vip,\n", false);
        let json = serde_json::to_value(&p.rows).unwrap();
        assert_eq!(json[0]["expect"], "added");
        assert!(json[1].get("expect").is_none());
        let back: Vec<crate::core::plan::PlanRow> = serde_json::from_value(json).unwrap();
        assert_eq!(back, p.rows);
    }

    #[test]
    fn a_prediction_contradicts_only_what_it_rules_out() {
        let add = HiveAction::Add;
        // All known: +vip =news predicts added_pre.
        assert_eq!(contradiction("added_pre", add, 1, 1, 0, 0), None);
        assert_eq!(contradiction("ok", add, 1, 1, 0, 0), None);
        assert_eq!(
            contradiction("pre", add, 1, 1, 0, 0),
            Some(vec!["added_pre".to_string()])
        );
        // One unknown field: added or pre.
        assert_eq!(contradiction("added", add, 0, 0, 0, 1), None);
        assert_eq!(contradiction("pre", add, 0, 0, 0, 1), None);
        assert_eq!(
            contradiction("added_pre", add, 0, 0, 0, 1),
            Some(vec!["added".to_string(), "pre".to_string()])
        );
        // Two unknowns may also split.
        assert_eq!(contradiction("added_pre", add, 0, 0, 0, 2), None);
        // A tag outside the catalogue fails for sure: no `ok` then.
        assert!(contradiction("ok", add, 0, 0, 1, 1).is_some());
        assert_eq!(contradiction("partial", add, 0, 0, 1, 1), None);
    }
}
