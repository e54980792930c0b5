use super::*;
use crate::core::domain::{ApiField, HiveTag, PatronId, TagType};
use crate::core::model::{KnownPatron, KnownState, KnownTag, KnownUsers};
use crate::core::op::cerego::{CeregoTag, CeregoUser};

fn catalogue(names: &[&str]) -> Vec<HiveTag> {
    names
        .iter()
        .map(|n| HiveTag {
            api_field: ApiField::parse(n).unwrap(),
            name: n.to_string(),
        })
        .collect()
}

fn hive(text: &str, remove: bool) -> Plan {
    hive_plan(
        &read_table(text.as_bytes()).unwrap(),
        None,
        remove,
        &catalogue(&["vip", "newsletter", "beta"]),
    )
}

fn fields_of(op: &Op) -> Vec<&str> {
    if let Op::HiveAdd { fields, .. } | Op::HiveRemove { fields, .. } = op {
        fields.iter().map(|f| f.as_str()).collect()
    } else {
        Vec::new()
    }
}

#[test]
fn hive_rows_with_a_header_in_any_order_and_quoted_lists() {
    let p = hive(
        "User_Tags,user_id\r\n\"vip, newsletter\",p1\r\nbeta,p2\r\n",
        false,
    );
    assert!(p.invalid.is_empty(), "{:?}", p.invalid);
    assert_eq!(p.data_rows, 2);
    assert_eq!(p.rows.len(), 2);
    assert_eq!(p.rows[0].op.target(), "p1");
    assert_eq!(fields_of(&p.rows[0].op), ["vip", "newsletter"]);
    assert_eq!(p.rows[0].lines, [2]);
    assert_eq!(p.rows[1].lines, [3]);
    assert_eq!(p.op, BatchOp::HiveAdd);
}

#[test]
fn without_a_header_column_one_is_the_patron() {
    let p = hive("p1,vip\np2,\"beta ,  newsletter\"\n", true);
    assert_eq!(p.rows.len(), 2);
    assert!(matches!(p.rows[0].op, Op::HiveRemove { .. }));
    assert_eq!(fields_of(&p.rows[1].op), ["beta", "newsletter"]);
    assert_eq!(p.op, BatchOp::HiveRemove);
}

#[test]
fn the_same_patron_on_several_lines_is_one_request_in_order() {
    let p = hive(
        "user_id,user_tags\np1,vip\np2,beta\np1,\"newsletter, vip\"\n",
        false,
    );
    assert_eq!(p.rows.len(), 2);
    assert_eq!(p.rows[0].lines, [2, 4]);
    assert_eq!(fields_of(&p.rows[0].op), ["vip", "newsletter"]);
    assert_eq!(p.merged().count(), 1);
    assert_eq!(p.data_rows, 3);
    assert_eq!(p.requests(), 2);
}

#[test]
fn every_bad_row_is_listed_with_its_physical_line() {
    let p = hive(
        "user_id,user_tags\n\np1,vip\n  ,vip\np3,\"vip user\"\np4\np5, , \n",
        false,
    );
    let lines: Vec<usize> = p.invalid.iter().map(|e| e.line).collect();
    assert_eq!(lines, [4, 5, 6, 7], "{:?}", p.invalid);
    assert!(p.invalid[0].reason.contains("patron id"), "{:?}", p.invalid);
    assert!(p.invalid[1].reason.contains("contains a space"));
    assert!(p.invalid[2].reason.contains("no user_tags column"));
    assert!(p.invalid[3].reason.contains("no api_fields"));
    assert_eq!(p.rows.len(), 1);
    assert_eq!(p.data_rows, 5);
}

#[test]
fn tags_outside_the_catalogue_are_warnings_not_errors() {
    let p = hive("p1,\"vip, bogus\"\n", false);
    assert!(p.invalid.is_empty());
    assert_eq!(p.rows[0].warnings.len(), 1);
    assert!(p.rows[0].warnings[0].contains("bogus"));
    assert!(p.rows[0].warnings[0].contains("will report it as failed"));
    // An unknown catalogue warns about nothing.
    let p = hive_plan(&read_table(b"p1,bogus\n").unwrap(), None, false, &[]);
    assert!(p.rows[0].warnings.is_empty());
}

fn users() -> KnownUsers {
    let tag = |id: &str, t: &str, v: &str| CeregoTag {
        id: id.into(),
        value: Some(v.into()),
        tag_type_id: Some(t.into()),
        user_id: None,
        created_at: None,
        updated_at: None,
    };
    let user = |id: &str, tags: Vec<CeregoTag>| CeregoUser {
        id: id.into(),
        name: None,
        username: None,
        email: None,
        member_id: None,
        guid: None,
        created_at: None,
        last_logged_in_at: None,
        tags,
    };
    let mut u = KnownUsers::default();
    u.intake(vec![
        user("10", vec![tag("900", "3", "Fall")]),
        user("11", vec![tag("901", "3", "Spring")]),
        user("12", vec![]),
    ]);
    u
}

fn types() -> Vec<TagType> {
    vec![TagType {
        id: TagTypeId::parse("3").unwrap(),
        name: "Cohort".into(),
    }]
}

#[test]
fn cerego_rows_become_add_update_or_unchanged_from_the_user_list() {
    let table =
        read_table(b"user_id,tag_type_id,value\n10,3,Spring\n11,3,Spring\n12,3,Spring\n").unwrap();
    let p = cerego_plan(&table, None, &types(), &users());
    assert!(p.invalid.is_empty(), "{:?}", p.invalid);
    assert!(matches!(&p.rows[0].op, Op::CeregoUpdate { tag, .. } if tag.as_str() == "900"));
    assert_eq!(p.rows[0].prior.as_deref(), Some("Fall"));
    assert!(!p.rows[0].unchanged);
    assert!(p.rows[1].unchanged);
    assert!(matches!(&p.rows[2].op, Op::CeregoAdd { user, .. } if user.as_str() == "12"));
    assert_eq!(p.requests(), 2);
    assert_eq!(p.unchanged(), 1);
}

#[test]
fn cerego_errors_name_the_line_and_the_reason() {
    let table = read_table(b"10,7,x\n99,3,x\n10,3,a\n10,3,b\nabc,3,x\n10,3\n").unwrap();
    let p = cerego_plan(&table, None, &types(), &users());
    let got: Vec<(usize, bool)> = p.invalid.iter().map(|e| (e.line, true)).collect();
    assert_eq!(got.len(), 5, "{:?}", p.invalid);
    assert!(p.invalid[0].reason.contains("tag type 7 is not configured"));
    assert!(
        p.invalid[1]
            .reason
            .contains("not among the partner's 3 users")
    );
    assert_eq!(p.invalid[2].line, 4);
    assert!(p.invalid[2].reason.contains("already set on line 3"));
    assert!(p.invalid[3].reason.contains("not a number"));
    assert!(p.invalid[4].reason.contains("no value column"));
}

#[test]
fn a_cerego_file_may_name_tag_types_the_plan_holds_their_ids() {
    // A header row, a name in any case, the id, and a name that is not configured.
    let table = read_table(
        b"user_id,tag_type_id,value\n10,cohort,Spring\n12,Cohort,Fall\n11,Cohrt,x\n11,3,Fall\n",
    )
    .unwrap();
    let p = cerego_plan(&table, None, &types(), &users());
    let ops: Vec<&Op> = p.rows.iter().map(|r| &r.op).collect();
    assert!(
        matches!(ops[0], Op::CeregoUpdate { tag, .. } if tag.as_str() == "900"),
        "{ops:?}"
    );
    assert!(
        matches!(ops[1], Op::CeregoAdd { tag_type, .. } if tag_type.as_str() == "3"),
        "{ops:?}"
    );
    assert_eq!(p.rows.len(), 3, "{:?}", p.invalid);
    assert_eq!(p.invalid.len(), 1);
    assert_eq!(p.invalid[0].line, 4);
    assert_eq!(
        p.invalid[0].reason,
        "unknown tag type \"Cohrt\": the profile's tag types are Cohort (3)"
    );
    // A name and its id in two rows are the same user and type.
    let table = read_table(b"10,Cohort,a\n10,3,b\n").unwrap();
    let p = cerego_plan(&table, None, &types(), &users());
    assert!(
        p.invalid[0]
            .reason
            .contains("tag type 3 are already set on line 1")
    );
}

#[test]
fn the_users_a_cerego_file_names_are_read_once_each_in_order() {
    let ids = |text: &[u8]| -> Vec<String> {
        cerego_user_ids(&read_table(text).unwrap(), None)
            .iter()
            .map(|id| id.to_string())
            .collect()
    };
    assert_eq!(
        ids(b"value,user_id,tag_type_id\nx,12,3\ny,10,3\nz,12,5\nw,abc,3\n"),
        ["12", "10"]
    );
    assert_eq!(ids(b"10,3,a\n11,3,b\n"), ["10", "11"]);
    assert!(ids(b"user_id,value\n10,a\n").is_empty(), "half a header");
}

#[test]
fn a_user_missing_from_the_named_users_reads_with_the_partners_count() {
    let table = read_table(b"99,3,x\n").unwrap();
    let mut named = users();
    named.named_only = true;
    named.total_count = Some(1_000_036);
    let p = cerego_plan(&table, None, &types(), &named);
    assert!(
        p.invalid[0]
            .reason
            .contains("not among the partner's 1000036 users")
    );
    named.total_count = None;
    let p = cerego_plan(&table, None, &types(), &named);
    assert_eq!(
        p.invalid[0].reason,
        "user 99 is not among the partner's users"
    );
}

#[test]
fn predictions_say_what_they_rest_on() {
    let p = hive("p1,\"vip, newsletter, bogus\"\nnew,vip\n", false);
    let mut known = KnownState::default();
    known.hive.insert(KnownPatron {
        id: PatronId::parse("p1").unwrap(),
        tags: vec![KnownTag {
            api_field: "newsletter".into(),
            confirmed_at: Some(chrono::DateTime::UNIX_EPOCH),
        }],
        note: String::new(),
        confirmed_at: Some(chrono::DateTime::UNIX_EPOCH),
        complete: true,
        absent: Vec::new(),
    });
    let cat = catalogue(&["vip", "newsletter"]);
    let first = predict(&p.rows[0], &known, &cat, &[]);
    assert_eq!(first.effect, "+vip =newsletter ✗bogus");
    assert!(first.basis.starts_with("last confirmed at 1970-01-01"));
    let second = predict(&p.rows[1], &known, &cat, &[]);
    assert_eq!(second.effect, "?vip");
    assert!(second.basis.starts_with("unknown: never seen"));

    let table = read_table(b"10,3,Spring\n").unwrap();
    let c = cerego_plan(&table, None, &types(), &users());
    let pr = predict(&c.rows[0], &known, &[], &types());
    assert_eq!(pr.effect, "update Cohort: \"Fall\" → \"Spring\"");
}

#[test]
fn on_the_set_family_a_users_rows_become_one_request() {
    let mut types = types();
    types.push(TagType {
        id: TagTypeId::parse("5").unwrap(),
        name: "Dept".into(),
    });
    let table = read_table(b"10,3,Spring\n11,3,Spring\n12,3,Winter\n10,5,Nursing\n").unwrap();
    let p = for_set_api(cerego_plan(&table, None, &types, &users()));
    assert!(p.invalid.is_empty(), "{:?}", p.invalid);
    assert_eq!(p.rows.len(), 3, "{:#?}", p.rows);
    let Op::CeregoSet { user, tags } = &p.rows[0].op else {
        panic!("{:?}", p.rows[0].op)
    };
    assert_eq!(user.as_str(), "10");
    let set: Vec<String> = tags
        .iter()
        .map(|t| format!("{}={}", t.tag_type, t.value))
        .collect();
    assert_eq!(set, ["3=Spring", "5=Nursing"]);
    assert_eq!(p.rows[0].lines, [1, 4], "both lines of user 10");
    assert_eq!(
        p.rows[0].prior.as_deref(),
        Some(r#"{"3":"Fall","5":null}"#),
        "what an undo sets back, and the type it cannot remove"
    );
    assert!(p.rows[1].unchanged, "user 11 already has the value");
    assert!(matches!(&p.rows[2].op, Op::CeregoSet { user, .. } if user.as_str() == "12"));
    assert_eq!(p.requests(), 2);
    let known = KnownState::default();
    assert_eq!(
        predict(&p.rows[0], &known, &[], &types).effect,
        "set Cohort: \"Fall\" → \"Spring\", Dept: (new) \"Nursing\""
    );
}

#[test]
fn a_row_with_more_cells_than_the_format_is_an_error_naming_its_line() {
    // A Cerego file (3 columns, no header) given to a Hive import: column 3 is not dropped
    // silently, and user ids do not become patrons.
    let p = hive("10,3,Spring\n11,3,Winter\n", false);
    assert!(p.rows.is_empty(), "{:?}", p.rows);
    let lines: Vec<usize> = p.invalid.iter().map(|e| e.line).collect();
    assert_eq!(lines, [1, 2]);
    assert!(
        p.invalid[0].reason.contains("3 cells")
            && p.invalid[0].reason.contains("user_id, user_tags"),
        "{}",
        p.invalid[0].reason
    );
    // Only the row that is too wide; a trailing comma (an empty last cell) is no extra cell.
    let p = hive("p1,vip\np2,vip,oops\np3,vip,\n", false);
    assert_eq!(p.rows.len(), 2);
    assert_eq!(p.invalid.len(), 1);
    assert_eq!(p.invalid[0].line, 2);
    // With a header, as many cells as the header names (its extra columns are ignored).
    let p = hive("user_id,user_tags,note\np1,vip,x\np2,vip,x,y\n", false);
    assert_eq!(p.rows.len(), 1);
    assert_eq!(p.invalid.len(), 1);
    assert_eq!(p.invalid[0].line, 3);
    assert!(p.invalid[0].reason.contains("the header names 3"));
    // Cerego: a fourth cell is an error too.
    let table = read_table(b"10,3,Spring,extra\n").unwrap();
    let p = cerego_plan(&table, None, &types(), &users());
    assert_eq!(p.invalid.len(), 1, "{:?}", p.invalid);
    assert!(
        p.invalid[0].reason.contains("4 cells"),
        "{}",
        p.invalid[0].reason
    );
}
