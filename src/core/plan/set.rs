//! Declarative sets (`tagdesk hive import --set`): each row's `user_tags` is the complete set
//! of the scoped api_fields the patron should hold. Per patron the plan is an add of the
//! listed tags, then a remove of the other scoped tags — only what differs from what tagdesk
//! last confirmed when it knows the patron's whole tag set, both in full when it does not (a
//! remove of an absent tag is a harmless `non_existent`; the add goes first so a new patron
//! exists before the remove). Tags outside the scope are never named, so never touched.

use std::collections::HashMap;

use super::{BatchOp, Layout, Plan, PlanRow, RowError, Table, cell, extra_cells, width};
use crate::core::domain::{ApiField, HiveTag, PatronId};
use crate::core::model::KnownState;
use crate::core::op::Op;
use crate::core::printable::printable;

use super::HIVE_COLUMNS;

/// The scope of a set: the api_fields of `--scope` (comma-separated), else the catalogue's.
/// Returns the scope and a warning for each scoped api_field outside a known catalogue; an
/// empty scope is an error (a set of nothing would send nothing and mean nothing).
pub fn set_scope(
    given: Option<&str>,
    catalogue: &[HiveTag],
) -> Result<(Vec<ApiField>, Vec<String>), String> {
    let scope: Vec<ApiField> = match given {
        Some(raw) => {
            let mut out: Vec<ApiField> = Vec::new();
            for part in raw.split(',').filter(|p| !p.trim().is_empty()) {
                let f = ApiField::parse(part).map_err(|e| format!("--scope: {e}"))?;
                if !out.contains(&f) {
                    out.push(f);
                }
            }
            out
        }
        None => catalogue.iter().map(|t| t.api_field.clone()).collect(),
    };
    if scope.is_empty() {
        return Err(match given {
            Some(_) => "--scope names no api_field: a set needs the tags it covers (e.g. \
                        --scope vip,beta_tester)"
                .into(),
            None => "--set needs a scope: the profile has no tag catalogue (hive.tags), so give \
                     the api_fields the set covers with --scope A,B,…"
                .into(),
        });
    }
    let warnings = scope
        .iter()
        .filter(|f| !catalogue.is_empty() && !catalogue.iter().any(|t| t.api_field == **f))
        .map(|f| {
            format!(
                "--scope: api_field {f} is not in the profile's tag catalogue: Hive will report \
                 it as failed if the application has no such tag"
            )
        })
        .collect();
    Ok((scope, warnings))
}

/// A patron of the file: its lines and the api_fields it should hold.
struct Wanted {
    patron: PatronId,
    lines: Vec<usize>,
    fields: Vec<ApiField>,
    /// A line of this patron is invalid: its whole set is unknown, so nothing is sent.
    broken: bool,
}

/// Reads a Hive file as declarative sets over `scope`, planned against `known`: per patron
/// an add row (the listed tags it lacks) first, then a remove row (the other scoped tags it
/// holds); both in full for a patron whose whole tag set tagdesk does not know; one
/// `unchanged` row for a patron that already holds exactly the set. An empty `user_tags`
/// cell asks for none of the scoped tags.
pub fn hive_set_plan(
    table: &Table,
    layout: Option<Layout>,
    scope: &[ApiField],
    known: &KnownState,
) -> Plan {
    let mut plan = Plan::empty(BatchOp::HiveSet, table);
    let Some(layout) = plan.take_layout(table, layout, &HIVE_COLUMNS) else {
        return plan;
    };
    let skip = usize::from(layout.header);
    let width = width(table, &layout, &HIVE_COLUMNS);
    let mut wanted: Vec<Wanted> = Vec::new();
    let mut by_patron: HashMap<PatronId, usize> = HashMap::new();
    let scope_names = || {
        scope
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for row in table.rows.iter().skip(skip) {
        let patron = extra_cells(row, width, &HIVE_COLUMNS, layout.header)
            .map_or(Ok(()), Err)
            .and_then(|()| cell(row, layout.columns[0], "user_id"))
            .and_then(|p| PatronId::parse(p).map_err(|e| e.to_string()));
        let patron = match patron {
            Ok(p) => p,
            Err(reason) => {
                plan.invalid.push(RowError {
                    line: row.line,
                    reason,
                });
                continue;
            }
        };
        let i = *by_patron.entry(patron.clone()).or_insert_with(|| {
            wanted.push(Wanted {
                patron,
                lines: Vec::new(),
                fields: Vec::new(),
                broken: false,
            });
            wanted.len() - 1
        });
        let w = &mut wanted[i];
        w.lines.push(row.line);
        match cell(row, layout.columns[1], "user_tags").and_then(|c| tags_of(c, scope)) {
            Ok(fields) => {
                for f in fields {
                    if !w.fields.contains(&f) {
                        w.fields.push(f);
                    }
                }
            }
            Err(reason) => {
                w.broken = true;
                plan.invalid.push(RowError {
                    line: row.line,
                    reason: reason.replace("{scope}", &scope_names()),
                });
            }
        }
    }
    for w in wanted {
        if w.broken {
            // The patron's other lines are valid but its set is not known: none is sent.
            let bad: Vec<usize> = plan
                .invalid
                .iter()
                .filter(|e| w.lines.contains(&e.line))
                .map(|e| e.line)
                .collect();
            for &line in w.lines.iter().filter(|l| !bad.contains(l)) {
                plan.invalid.push(RowError {
                    line,
                    reason: format!(
                        "patron {}: its line {} is invalid, so the set it should hold is not \
                         known (none of its lines is sent)",
                        printable(w.patron.as_str()),
                        bad.first().copied().unwrap_or(0)
                    ),
                });
            }
            continue;
        }
        plan.rows.extend(set_rows(&w, scope, known));
    }
    plan.invalid.sort_by_key(|e| e.line);
    plan.layout = Some(layout);
    plan
}

/// The api_fields of a `user_tags` cell in set mode: empty is allowed (none of the scoped
/// tags); a tag outside the scope is an error naming it and the scope (`{scope}`, filled in
/// by the caller).
fn tags_of(raw: &str, scope: &[ApiField]) -> Result<Vec<ApiField>, String> {
    if raw.split(',').all(|p| p.trim().is_empty()) {
        return Ok(Vec::new());
    }
    let fields = super::split_tags(raw)?;
    if let Some(out) = fields.iter().find(|f| !scope.contains(f)) {
        return Err(format!(
            "api_field {out} is outside the set's scope ({{scope}}): a set names only scoped \
             tags (widen --scope, or leave it out)"
        ));
    }
    Ok(fields)
}

/// The rows of one patron's set: add then remove, or one unchanged row.
fn set_rows(w: &Wanted, scope: &[ApiField], known: &KnownState) -> Vec<PlanRow> {
    let others: Vec<ApiField> = scope
        .iter()
        .filter(|f| !w.fields.contains(f))
        .cloned()
        .collect();
    // Only the difference when tagdesk knows, for every scoped api_field, whether the
    // patron holds it (its whole set, or what Hive last confirmed present or absent — as
    // after a set); else both requests in full.
    let (add, remove) = match known
        .hive
        .get(&w.patron)
        .filter(|p| scope.iter().all(|f| p.holds(f.as_str()).is_some()))
    {
        Some(p) => (
            w.fields
                .iter()
                .filter(|f| !p.has(f.as_str()))
                .cloned()
                .collect::<Vec<_>>(),
            others
                .into_iter()
                .filter(|f| p.has(f.as_str()))
                .collect::<Vec<_>>(),
        ),
        None => (w.fields.clone(), others),
    };
    let row = |op: Op| PlanRow {
        lines: w.lines.clone(),
        ..PlanRow::of(op, 0)
    };
    let patron = w.patron.clone();
    let mut rows = Vec::new();
    if !add.is_empty() {
        rows.push(row(Op::HiveAdd {
            patron: patron.clone(),
            fields: add,
        }));
    }
    if !remove.is_empty() {
        rows.push(row(Op::HiveRemove {
            patron: patron.clone(),
            fields: remove,
        }));
    }
    if rows.is_empty() {
        // Already exactly the set: one row that sends nothing, saying so. Its op is the
        // request that would change nothing if it were sent.
        let op = if w.fields.is_empty() {
            Op::HiveRemove {
                patron,
                fields: scope.to_vec(),
            }
        } else {
            Op::HiveAdd {
                patron,
                fields: w.fields.clone(),
            }
        };
        let mut r = row(op);
        r.unchanged = true;
        rows.push(r);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::KnownPatron;
    use crate::core::plan::{predict_all, read_table};

    fn fields(names: &[&str]) -> Vec<ApiField> {
        names.iter().map(|n| ApiField::parse(n).unwrap()).collect()
    }

    /// A patron whose whole tag set is known, as the demo seed's are.
    fn complete(id: &str, tags: &[&str]) -> KnownPatron {
        KnownPatron::from_seed(PatronId::parse(id).unwrap(), &fields(tags))
    }

    /// Five patrons: never seen, seen only in part, known with an extra scoped tag, known
    /// missing a tag (with an unscoped tag), known exactly as asked.
    fn known() -> KnownState {
        let mut partly = complete("partly", &["beta"]);
        partly.complete = false;
        KnownState::with_patrons(vec![
            partly,
            complete("extra", &["vip", "beta"]),
            complete("missing", &["other"]),
            complete("same", &["vip", "other"]),
        ])
    }

    fn plan(text: &str) -> Plan {
        hive_set_plan(
            &read_table(text.as_bytes()).unwrap(),
            None,
            &fields(&["vip", "beta", "news"]),
            &known(),
        )
    }

    /// Each row as `patron op fields` (`=` marking an unchanged row).
    fn ops(p: &Plan) -> Vec<String> {
        p.rows
            .iter()
            .map(|r| {
                let (verb, f) = match &r.op {
                    Op::HiveAdd { fields, .. } => ("add", fields),
                    Op::HiveRemove { fields, .. } => ("remove", fields),
                    other => panic!("{other:?}"),
                };
                let f: Vec<&str> = f.iter().map(|f| f.as_str()).collect();
                let mark = if r.unchanged { "=" } else { "" };
                format!("{}{mark} {verb} {}", r.op.target(), f.join(","))
            })
            .collect()
    }

    #[test]
    fn only_what_differs_is_sent_and_an_unknown_patron_gets_both_add_first() {
        let p = plan("new,vip\npartly,vip\nextra,vip\nmissing,\"vip,news\"\nsame,vip\n");
        assert!(p.invalid.is_empty(), "{:?}", p.invalid);
        assert_eq!(p.op, BatchOp::HiveSet);
        assert_eq!(
            ops(&p),
            [
                "new add vip",
                "new remove beta,news",
                "partly add vip",
                "partly remove beta,news",
                "extra remove beta",
                "missing add vip,news",
                "same= add vip",
            ]
        );
        assert_eq!(p.requests(), 6);
        assert_eq!(p.unchanged(), 1);
        // The two rows of a patron share its line.
        assert_eq!(p.rows[0].lines, p.rows[1].lines);
    }

    #[test]
    fn an_empty_cell_removes_every_scoped_tag_and_lines_of_one_patron_merge() {
        let p = plan("user_id,user_tags\nnew,\nextra,\nx,vip\nx,news\n");
        assert!(p.invalid.is_empty(), "{:?}", p.invalid);
        assert_eq!(
            ops(&p),
            [
                "new remove vip,beta,news",
                "extra remove vip,beta",
                "x add vip,news",
                "x remove beta",
            ]
        );
        assert_eq!(p.rows[2].lines, [4, 5]);
    }

    #[test]
    fn a_tag_outside_the_scope_is_a_row_error_and_its_patron_sends_nothing() {
        let p = plan("a,\"vip, bogus\"\nb,vip\na,news\n");
        assert_eq!(ops(&p), ["b add vip", "b remove beta,news"]);
        assert_eq!(p.invalid.len(), 2, "{:?}", p.invalid);
        assert_eq!(p.invalid[0].line, 1);
        assert!(
            p.invalid[0]
                .reason
                .contains("bogus is outside the set's scope (vip, beta, news)"),
            "{}",
            p.invalid[0].reason
        );
        assert_eq!(p.invalid[1].line, 3);
        assert!(p.invalid[1].reason.contains("its line 1 is invalid"));
    }

    #[test]
    fn the_scope_defaults_to_the_catalogue_and_an_empty_one_is_refused() {
        let cat = vec![HiveTag {
            api_field: ApiField::parse("vip").unwrap(),
            name: "VIP".into(),
        }];
        let (scope, warnings) = set_scope(None, &cat).unwrap();
        assert_eq!(scope, fields(&["vip"]));
        assert!(warnings.is_empty());
        let (scope, warnings) = set_scope(Some("vip, beta,vip"), &cat).unwrap();
        assert_eq!(scope, fields(&["vip", "beta"]));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("beta is not in the profile's tag catalogue"));
        assert!(set_scope(None, &[]).unwrap_err().contains("--scope"));
        assert!(set_scope(Some(" , "), &cat).is_err());
        assert!(set_scope(Some("no spaces"), &cat).is_err());
    }

    #[test]
    fn the_preview_says_each_patrons_difference() {
        let p = plan("new,vip\nextra,vip\nmissing,\"vip,news\"\nsame,vip\nnone,\n");
        let k = known();
        let effects: Vec<String> = predict_all(p.op, &p.rows, &k, &[], &[])
            .into_iter()
            .map(|x| x.effect)
            .collect();
        assert_eq!(
            effects,
            [
                "? unknown: will send add vip + remove beta, news",
                "↳ ?beta ?news",
                "−beta",
                "+vip +news",
                "= unchanged: holds exactly vip",
                "? unknown: will send remove vip, beta, news",
            ]
        );
        let k2 = KnownState::with_patrons(vec![complete("none", &["other"])]);
        let p = hive_set_plan(
            &read_table(b"none,\n").unwrap(),
            None,
            &fields(&["vip", "beta", "news"]),
            &k2,
        );
        let e = predict_all(p.op, &p.rows, &k2, &[], &[]);
        assert_eq!(e[0].effect, "= unchanged: holds none of the scoped tags");
    }

    #[test]
    fn a_patron_whose_scoped_tags_hive_confirmed_gets_only_the_difference() {
        // Known in part: vip confirmed present, beta and news confirmed absent (as after a
        // set), other unknown and out of scope.
        let mut p = complete("half", &["vip"]);
        p.complete = false;
        p.absent = vec!["beta".into(), "news".into()];
        let k = KnownState::with_patrons(vec![p.clone()]);
        let rows = |text: &str, k: &KnownState| {
            hive_set_plan(
                &read_table(text.as_bytes()).unwrap(),
                None,
                &fields(&["vip", "beta", "news"]),
                k,
            )
            .rows
            .iter()
            .map(|r| (r.op.name(), r.unchanged))
            .collect::<Vec<_>>()
        };
        assert_eq!(rows("half,vip\n", &k), [("hive_add", true)]);
        assert_eq!(rows("half,\"vip,news\"\n", &k), [("hive_add", false)]);
        // One scoped tag not confirmed either way: both requests in full.
        p.absent = vec!["beta".into()];
        let k = KnownState::with_patrons(vec![p]);
        assert_eq!(
            rows("half,vip\n", &k),
            [("hive_add", false), ("hive_remove", false)]
        );
    }

    #[test]
    fn a_never_seen_patrons_remove_is_not_predicted_invalid_patron_after_its_add() {
        let p = plan("new,vip\nnone,\n");
        let bases: Vec<String> = predict_all(p.op, &p.rows, &known(), &[], &[])
            .into_iter()
            .map(|x| x.basis)
            .collect();
        assert_eq!(
            bases,
            [
                "unknown: never seen (Hive creates the patron if it is new)",
                "unknown: never seen (the add before it creates the patron if it is new)",
                // A remove alone: nothing creates the patron first.
                "unknown: never seen (Hive answers INVALID_PATRON if no patron has this id)",
            ]
        );
    }
}
