//! The playground's catalogue: complete, in order, unique, and serialisable.

use super::*;

#[test]
fn every_documented_outcome_has_one_play_in_the_tables_order() {
    let all = plays();
    let hive: Vec<Scenario> = all
        .iter()
        .filter_map(|p| match p.expect {
            Expect::Hive(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(hive, DOCUMENTED.to_vec());
    for code in ["PARAM_REQUIRED", "INVALID_PATRON", "INVALID_API_KEY"] {
        assert!(
            all.iter()
                .any(|p| matches!(p.expect, Expect::Error { code: Some(c), .. } if c == code)),
            "{code}"
        );
    }
    let statuses: Vec<u16> = all
        .iter()
        .filter(|p| p.group == Group::Cerego)
        .filter_map(|p| match p.expect {
            Expect::Error { status, .. } => Some(status),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, vec![422, 404, 404, 404, 400, 401]);
    let mut keys: Vec<&str> = all.iter().map(|p| p.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), all.len(), "keys are unique");
}

#[test]
fn hive_plays_name_the_patron_after_the_scenario() {
    let p = find("hive.add.added_pre_failed").unwrap();
    assert!(
        p.explain
            .starts_with("demo_added_pre_failed holds newsletter;"),
        "{}",
        p.explain
    );
    assert_eq!(
        p.setup[1],
        Setup::HivePatron {
            patron: "demo_added_pre_failed".into(),
            tags: Some(vec!["newsletter".into()]),
        }
    );
    let Send::Op(Op::HiveAdd { fields, .. }) = &p.send else {
        panic!("{:?}", p.send)
    };
    let names: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
    assert_eq!(names, ["vip", "newsletter", "not_a_tag"]);
    assert_eq!(find("hive.add.add_failed").unwrap().setup.len(), 2);
    let remove = find("hive.remove.absent").unwrap();
    assert_eq!(
        remove.setup[1],
        Setup::HivePatron {
            patron: "demo_absent".into(),
            tags: Some(vec![])
        }
    );
}

#[test]
fn an_update_play_needs_the_tag_the_setup_left() {
    let p = find("cerego.update").unwrap();
    assert!(p.op(&SetupReply::default()).is_err());
    let reply = SetupReply {
        tags: vec![SetTag {
            user: PLAYER_ID.into(),
            tag_type: "5".into(),
            tag_id: "84100".into(),
        }],
    };
    assert_eq!(
        p.op(&reply).unwrap(),
        Op::CeregoUpdate {
            tag: TagId::parse("84100").unwrap(),
            value: TagValue::parse("Gold").unwrap()
        }
    );
}

#[test]
fn setups_travel_as_json() {
    for p in plays() {
        let text = serde_json::to_string(&p.setup).unwrap();
        let back: Vec<Setup> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, p.setup);
    }
}
