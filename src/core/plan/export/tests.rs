use super::*;
use crate::core::domain::{ApiField, CeregoUserId, TagTypeId};
use crate::core::model::KnownTag;
use crate::core::plan::{cerego_plan, read_table};

fn patron(id: &str, tags: &[&str], confirmed: bool) -> KnownPatron {
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-30T09:15:00Z")
        .unwrap()
        .to_utc();
    KnownPatron {
        id: PatronId::parse(id).unwrap(),
        tags: tags
            .iter()
            .map(|t| KnownTag {
                api_field: t.to_string(),
                confirmed_at: confirmed.then_some(at),
            })
            .collect(),
        note: String::new(),
        confirmed_at: confirmed.then_some(at),
        complete: false,
        absent: Vec::new(),
    }
}

fn known() -> KnownPatrons {
    KnownPatrons::new(vec![
        patron("p1", &["vip", "newsletter"], true),
        patron("p,2", &["vip"], true),
        patron("p3", &[], true),
    ])
}

fn catalogue() -> Vec<HiveTag> {
    ["vip", "newsletter", "beta"]
        .iter()
        .map(|n| HiveTag {
            api_field: ApiField::parse(n).unwrap(),
            name: n.to_string(),
        })
        .collect()
}

fn export_of(known: &KnownPatrons, ids: &[&str], dashboard: bool) -> Export {
    let ids: Vec<PatronId> = ids.iter().map(|i| PatronId::parse(i).unwrap()).collect();
    hive_export(ids.iter().map(|id| (id, known.get(id))), dashboard)
}

#[test]
fn a_hive_export_is_the_import_format_under_a_comment_quoted_as_rfc_4180() {
    let e = export_of(&known(), &["p1", "p,2", "p3", "never"], false);
    assert_eq!(
        e.text,
        format!(
            "{HIVE_EXPORT_COMMENT}\nuser_id,user_tags,confirmed_at\n\
             p1,\"vip, newsletter\",2026-11-30T09:15:00Z\n\
             \"p,2\",vip,2026-11-30T09:15:00Z\np3,,2026-11-30T09:15:00Z\nnever,,\n"
        )
    );
    assert_eq!((e.rows, e.subjects, e.left_out), (4, 4, 0));
    assert!(
        !HIVE_EXPORT_COMMENT.contains(','),
        "one cell in a spreadsheet"
    );
}

#[test]
fn a_dashboard_export_has_the_dashboards_two_columns_and_only_patrons_with_tags() {
    let e = export_of(&known(), &["p1", "p,2", "p3", "never"], true);
    assert_eq!(
        e.text,
        "user_id,user_tags\np1,\"vip, newsletter\"\n\"p,2\",vip\n"
    );
    assert_eq!((e.rows, e.subjects, e.left_out), (2, 4, 2));
}

#[test]
fn cells_are_quoted_only_when_they_must_be() {
    assert_eq!(csv_cell("plain"), "plain");
    assert_eq!(csv_cell("a \"b\""), "\"a \"\"b\"\"\"");
    assert_eq!(csv_cell(" padded"), "\" padded\"");
    assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
    assert_eq!(csv_cell(""), "");
}

#[test]
fn an_unedited_hive_export_imports_as_unchanged_rows_only() {
    let k = known();
    let e = export_of(&k, &["p1", "p,2", "p3", "never"], false);
    let table = read_table(e.text.as_bytes()).unwrap();
    assert!(is_hive_export(&table));
    let plan = hive_import_plan(&table, false, &catalogue(), &k);
    assert!(plan.invalid.is_empty(), "{:?}", plan.invalid);
    assert_eq!(plan.data_rows, 4);
    assert_eq!(plan.rows.len(), 4);
    assert!(plan.rows.iter().all(|r| r.unchanged), "{:?}", plan.rows);
    assert_eq!(plan.requests(), 0);
    // In the file's order, each on its own line (the comment is line 1, the header 2).
    let lines: Vec<usize> = plan.rows.iter().map(PlanRow::line).collect();
    assert_eq!(lines, [3, 4, 5, 6]);
    assert_eq!(
        plan.rows.iter().filter(|r| no_tags(r)).count(),
        2,
        "p3 and never have no tags"
    );
    let note = no_tags_note(&plan.rows).unwrap();
    assert!(
        note.contains("2 rows") && note.contains("lines 5, 6"),
        "{note}"
    );
}

#[test]
fn an_edited_hive_export_sends_only_the_rows_with_a_tag_not_confirmed() {
    let k = known();
    let text = format!(
        "{HIVE_EXPORT_COMMENT}\nuser_id,user_tags,confirmed_at\n\
         p1,\"vip, newsletter, beta\",2026-11-30T09:15:00Z\n\"p,2\",vip,\np3,beta,\n\
         never,,\nnew_one,vip,\n"
    );
    let plan = hive_import_plan(
        &read_table(text.as_bytes()).unwrap(),
        false,
        &catalogue(),
        &k,
    );
    assert!(plan.invalid.is_empty(), "{:?}", plan.invalid);
    let sent: Vec<String> = plan
        .rows
        .iter()
        .filter(|r| !r.unchanged)
        .map(|r| r.op.target())
        .collect();
    assert_eq!(sent, ["p1", "p3", "new_one"]);
    assert_eq!(plan.unchanged(), 2);
    // A remove of an export sends every row that has tags (nothing is known absent).
    let plan = hive_import_plan(
        &read_table(text.as_bytes()).unwrap(),
        true,
        &catalogue(),
        &k,
    );
    assert_eq!(plan.requests(), 4);
    assert_eq!(plan.unchanged(), 1);
}

#[test]
fn a_plain_hive_file_is_planned_as_before() {
    // No confirmed_at column: every row is sent, and an empty user_tags is an error.
    let k = known();
    let table = read_table(b"user_id,user_tags\np1,vip\np3,\n").unwrap();
    assert!(!is_hive_export(&table));
    let plan = hive_import_plan(&table, false, &catalogue(), &k);
    assert_eq!(plan.requests(), 1);
    assert_eq!(plan.invalid.len(), 1);
    assert_eq!(plan.invalid[0].line, 3);
}

#[test]
fn an_export_row_repeating_a_patron_with_no_tags_merges_into_its_row() {
    let k = known();
    let text = "user_id,user_tags,confirmed_at\nnew_one,,\nnew_one,vip,\nbad id\u{7},,\n";
    let plan = hive_import_plan(
        &read_table(text.as_bytes()).unwrap(),
        false,
        &catalogue(),
        &k,
    );
    assert_eq!(plan.rows.len(), 1, "{:?}", plan.rows);
    assert_eq!(plan.rows[0].lines, [2, 3]);
    assert!(!plan.rows[0].unchanged);
    // An id that cannot be read is still an error, with its line.
    assert_eq!(plan.invalid.len(), 1, "{:?}", plan.invalid);
    assert_eq!(plan.invalid[0].line, 4);
    assert_eq!(plan.data_rows, 3);
}

fn types() -> Vec<TagType> {
    vec![
        TagType {
            id: TagTypeId::parse("3").unwrap(),
            name: "Cohort".into(),
        },
        TagType {
            id: TagTypeId::parse("9").unwrap(),
            name: "Plan".into(),
        },
    ]
}

#[test]
fn a_cerego_export_has_a_row_per_user_and_configured_tag_type_it_has() {
    let mut e = cerego_export_header();
    let tags = [
        (Some("9"), Some("Gold, plus")),
        (Some("3"), Some("Fall")),
        (Some("77"), Some("not configured")),
    ];
    cerego_export_user(&mut e, "10", tags.iter().copied(), &types());
    cerego_export_user(&mut e, "11", [(Some("3"), None)].iter().copied(), &types());
    cerego_export_user(&mut e, "12", std::iter::empty(), &types());
    assert_eq!(
        e.text,
        "user_id,tag_type_id,tag_type,value\n10,3,Cohort,Fall\n10,9,Plan,\"Gold, plus\"\n"
    );
    assert_eq!((e.rows, e.subjects, e.left_out), (2, 3, 1));
}

#[test]
fn cerego_import_reads_an_export_back_and_checks_the_name_against_the_id() {
    let mut users = crate::core::model::KnownUsers::default();
    let tag = |id: &str, t: &str, v: &str| crate::core::op::cerego::CeregoTag {
        id: id.into(),
        value: Some(v.into()),
        tag_type_id: Some(t.into()),
        ..Default::default()
    };
    users.intake(vec![crate::core::op::cerego::CeregoUser {
        id: "10".into(),
        tags: vec![tag("900", "3", "Fall"), tag("901", "9", "Gold")],
        ..Default::default()
    }]);
    let text = "user_id,tag_type_id,tag_type,value\n10,3,Cohort,Fall\n10,9,plan,Gold\n";
    let plan = cerego_plan(
        &read_table(text.as_bytes()).unwrap(),
        None,
        &types(),
        &users,
    );
    assert!(plan.invalid.is_empty(), "{:?}", plan.invalid);
    assert_eq!(plan.unchanged(), 2, "an unedited export sends nothing");
    // A name that is not the id's: a row error naming both. An empty name is not checked.
    let text = "user_id,tag_type_id,tag_type,value\n10,3,Plan,Spring\n10,9,,Silver\n";
    let plan = cerego_plan(
        &read_table(text.as_bytes()).unwrap(),
        None,
        &types(),
        &users,
    );
    assert_eq!(plan.invalid.len(), 1, "{:?}", plan.invalid);
    let reason = &plan.invalid[0].reason;
    assert!(
        reason.contains("tag_type \"Plan\"") && reason.contains("tag_type_id 3"),
        "{reason}"
    );
    assert!(reason.contains("\"Cohort\""), "{reason}");
    assert_eq!(plan.requests(), 1);
    let _ = CeregoUserId::parse("10").unwrap();
}

#[test]
fn id_lists_skip_blanks_and_comments_and_name_every_bad_line() {
    let parse = |s: &str| PatronId::parse(s).map_err(|e| e.to_string());
    let ids = read_id_list(b"\xEF\xBB\xBF# patrons\np1\n\n  p2  \r\np1\n", parse).unwrap();
    let ids: Vec<&str> = ids.iter().map(PatronId::as_str).collect();
    assert_eq!(ids, ["p1", "p2"]);
    let e = read_id_list(b"p1\np1,vip\nbad\x07\n", parse).unwrap_err();
    assert!(e.contains("line 2") && e.contains("comma"), "{e}");
    assert!(e.contains("line 3"), "{e}");
    assert!(
        read_id_list(b"# nothing\n\n", parse)
            .unwrap_err()
            .contains("no ids")
    );
    assert!(
        read_id_list(b"p1\n\xff\n", parse)
            .unwrap_err()
            .contains("line 2")
    );
}
