//! The user listing: department users, a null email, pages, and the index of tags by user
//! after every kind of change.

use std::collections::{BTreeMap, HashMap};

use super::*;
use crate::core::playground::Setup;
use crate::sim::Model;
use crate::sim::seed::Seed;

fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn list(s: &CeregoState, pairs: &[(&str, &str)]) -> Value {
    let (status, body) = s.list_users("4242", &params(pairs));
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every user listed, page after page.
fn all_listed(s: &CeregoState, extra: &[(&str, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    for page in 1.. {
        let number = page.to_string();
        let mut pairs = extra.to_vec();
        pairs.push(("page[number]", &number));
        let body = list(s, &pairs);
        out.extend(ids(&body));
        if page >= body["meta"]["total-pages"].as_u64().unwrap() as usize {
            break;
        }
    }
    out
}

const FLORENCE: &str = "1185555";
const MARY: &str = "1185562";

#[test]
fn department_users_are_listed_only_when_asked_for() {
    let s = CeregoState::from_seed(&Seed::demo().cerego);
    for absent in [
        &[][..],
        &[("include_department_users", "false")],
        &[("include_department_users", "0")],
        &[("include_department_users", "")],
    ] {
        let first = list(&s, absent);
        assert_eq!(
            first["meta"],
            json!({"total-pages": 2, "total-count": 36}),
            "{absent:?}"
        );
        let every = all_listed(&s, absent);
        assert_eq!(every.len(), 36);
        assert!(!every.iter().any(|id| id == FLORENCE || id == MARY));
    }
    for yes in ["true", "1", "TRUE", " true "] {
        let pairs = [("include_department_users", yes)];
        assert_eq!(
            list(&s, &pairs)["meta"],
            json!({"total-pages": 2, "total-count": 38}),
            "{yes}"
        );
        let every = all_listed(&s, &pairs);
        assert_eq!(every.len(), 38);
        assert_eq!(&every[36..], [FLORENCE, MARY], "in seed order");
    }
    let (status, err) = s.list_users("4242", &params(&[("include_department_users", "yes")]));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        err["errors"][0]["detail"],
        "include_department_users must be true or false."
    );
    // Page sizes follow: 36 by 10 is 4 pages (the last of 6), 38 by 10 is 4 (the last of 8).
    let last = list(&s, &[("page[size]", "10"), ("page[number]", "4")]);
    assert_eq!(last["meta"], json!({"total-pages": 4, "total-count": 36}));
    assert_eq!(ids(&last).len(), 6);
    let last = list(
        &s,
        &[
            ("page[size]", "10"),
            ("page[number]", "4"),
            ("include_department_users", "true"),
        ],
    );
    assert_eq!(last["meta"], json!({"total-pages": 4, "total-count": 38}));
    assert_eq!(ids(&last).len(), 8);
    assert_eq!(
        last["links"]["self"],
        "/v3/partners/4242/users?include_department_users=true&page[size]=10&page[number]=4"
    );
    // A query finds a department user only with the parameter.
    let q = [("query", "florence.nightingale@nursing.example.edu")];
    assert_eq!(list(&s, &q)["meta"]["total-count"], 0);
    let found = list(&s, &[q[0], ("include_department_users", "1")]);
    assert_eq!(ids(&found), [FLORENCE]);
}

#[test]
fn a_user_without_an_email_is_listed_with_a_null_email() {
    let s = CeregoState::from_seed(&Seed::demo().cerego);
    let body = list(
        &s,
        &[("query", "N-2002"), ("include_department_users", "true")],
    );
    let mary = &body["data"][0];
    assert_eq!(mary["id"], MARY);
    let attributes = mary["attributes"].as_object().unwrap();
    assert_eq!(
        attributes.get("email"),
        Some(&Value::Null),
        "present, and null"
    );
    assert_eq!(attributes["name"], "Mary Seacole");
    // Everyone else keeps an email.
    let page = list(&s, &[]);
    assert!(
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["attributes"]["email"].is_string())
    );
}

/// Pages leave out department users wherever they stand, for every page size.
#[test]
fn pages_skip_department_users_anywhere() {
    let mut seed = Seed::grown(40);
    for (i, u) in seed.cerego.users.iter_mut().enumerate() {
        if i % 3 == 0 || i == 39 {
            u.department = Some("Dept".into());
        }
    }
    let listed: Vec<String> = seed
        .cerego
        .users
        .iter()
        .filter(|u| u.department.is_none())
        .map(|u| u.id.to_string())
        .collect();
    let s = CeregoState::from_seed(&seed.cerego);
    for size in 1..=13 {
        let size = size.to_string();
        assert_eq!(
            all_listed(&s, &[("page[size]", &size)]),
            listed,
            "size {size}"
        );
    }
    let beyond = list(&s, &[("page[number]", "99")]);
    assert!(ids(&beyond).is_empty());
    assert_eq!(beyond["meta"]["total-count"], listed.len());
}

/// Each listed user's tags (through the index) against every tag held (a scan), as
/// user → (id, type, value).
fn check_index(s: &CeregoState) -> BTreeMap<String, Vec<(String, String, String)>> {
    let mut by_scan: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for t in s.tags() {
        by_scan
            .entry(t.user_id)
            .or_default()
            .push((t.id.to_string(), t.tag_type_id, t.value));
    }
    let mut by_index = BTreeMap::new();
    for page in 1.. {
        let number = page.to_string();
        let body = list(
            s,
            &[
                ("page[size]", "100"),
                ("page[number]", &number),
                ("include_department_users", "true"),
            ],
        );
        let included: HashMap<&str, &Value> = body["included"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["id"].as_str().unwrap(), t))
            .collect();
        for u in body["data"].as_array().unwrap() {
            let mut tags: Vec<(String, String, String)> =
                u["relationships"]["partner-user-tags"]["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        let t = included[r["id"].as_str().unwrap()];
                        assert_eq!(t["relationships"]["user"]["data"]["id"], u["id"]);
                        (
                            t["id"].as_str().unwrap().to_string(),
                            t["relationships"]["partner-user-tag-type"]["data"]["id"]
                                .as_str()
                                .unwrap()
                                .to_string(),
                            t["attributes"]["value"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect();
            tags.sort_by_key(|t| t.0.parse::<u64>().unwrap());
            if !tags.is_empty() {
                by_index.insert(u["id"].as_str().unwrap().to_string(), tags);
            }
        }
        if page >= body["meta"]["total-pages"].as_u64().unwrap() as usize {
            break;
        }
    }
    for tags in by_scan.values_mut() {
        tags.sort_by_key(|t| t.0.parse::<u64>().unwrap());
    }
    assert_eq!(
        by_index, by_scan,
        "the index of tags by user agrees with the tags"
    );
    by_index
}

fn value_of(
    tags: &BTreeMap<String, Vec<(String, String, String)>>,
    user: &str,
    kind: &str,
) -> Option<String> {
    tags.get(user)?
        .iter()
        .find(|t| t.1 == kind)
        .map(|t| t.2.clone())
}

#[test]
fn the_index_of_tags_by_user_stays_right_after_every_change() {
    let mut seed = Seed::demo();
    seed.add_synthetic(60, 0);
    let mut model = Model::new(&seed);
    let fresh = check_index(&model.cerego);
    let synthetic = "3000007";
    assert!(fresh.contains_key(synthetic), "synthetic users carry tags");

    // Legacy add and update.
    let (status, doc) = model.cerego.add_tag(
        "3",
        format!(r#"{{"user_id": "{synthetic}", "value": "Added"}}"#).as_bytes(),
    );
    let added_to = if status == StatusCode::CREATED {
        doc["data"]["id"].as_str().unwrap().to_string()
    } else {
        fresh[synthetic]
            .iter()
            .find(|t| t.1 == "3")
            .unwrap()
            .0
            .clone()
    };
    model
        .cerego
        .update_tag(&added_to, br#"{"value": "Updated"}"#);
    let now = check_index(&model.cerego);
    assert_eq!(value_of(&now, synthetic, "3").as_deref(), Some("Updated"));

    // The set endpoint, on a seeded user and on a department user.
    let body = json!({"tags": [
        {"partner_user_tag_type_id": "11", "value": "CC-1"},
        {"partner_user_tag_type_id": "5", "value": "Silver"},
    ]});
    for user in ["1185304", FLORENCE] {
        assert_eq!(
            model.cerego.set_tags(user, body.to_string().as_bytes()).0,
            StatusCode::OK
        );
    }
    let now = check_index(&model.cerego);
    assert_eq!(value_of(&now, FLORENCE, "11").as_deref(), Some("CC-1"));
    assert_eq!(value_of(&now, "1185304", "5").as_deref(), Some("Silver"));
    assert_eq!(value_of(&now, "1185304", "7").as_deref(), Some("EMEA"));

    // Setup steps: a new user with a tag, a tag gone, a tag type gone, and a user gone
    // from the middle (every user after it moves).
    let some_tag = now[synthetic][0].0.clone();
    let steps = vec![
        Setup::CeregoUser {
            id: "7777777".into(),
            name: "New".into(),
            email: "new@example.edu".into(),
        },
        Setup::CeregoTag {
            user: "7777777".into(),
            tag_type: "9".into(),
            value: Some("Invited".into()),
        },
        Setup::CeregoTag {
            user: "1185310".into(),
            tag_type: "5".into(),
            value: Some("Bronze".into()),
        },
        Setup::CeregoTag {
            user: "1185310".into(),
            tag_type: "3".into(),
            value: None,
        },
        Setup::CeregoNoTag {
            id: some_tag.clone(),
        },
        Setup::CeregoNoTagType { id: "11".into() },
        Setup::CeregoNoUser {
            id: "1185317".into(),
        },
    ];
    model.setup(&steps).unwrap();
    let now = check_index(&model.cerego);
    assert_eq!(value_of(&now, "7777777", "9").as_deref(), Some("Invited"));
    assert_eq!(value_of(&now, "1185310", "5").as_deref(), Some("Bronze"));
    assert_eq!(value_of(&now, "1185310", "3"), None);
    assert!(
        !now.values()
            .flatten()
            .any(|t| t.0 == some_tag || t.1 == "11")
    );
    assert!(!now.contains_key("1185317"));
    assert_eq!(model.cerego.user_count(), 38 + 60 + 1 - 1);
    // The users after the removed one are still found by id, and changed through it.
    let (status, _) = model.cerego.set_tags(
        synthetic,
        br#"{"tags": [{"partner_user_tag_type_id": "9", "value": "Late"}]}"#,
    );
    assert_eq!(status, StatusCode::OK);
    let now = check_index(&model.cerego);
    assert_eq!(value_of(&now, synthetic, "9").as_deref(), Some("Late"));

    // A reset (what POST /_sim/reset does): the seed's state again.
    let model = Model::new(&seed);
    assert_eq!(check_index(&model.cerego), fresh);
}

#[test]
fn synthetic_users_are_found_by_email_member_id_or_id() {
    let mut seed = Seed::demo();
    seed.add_synthetic(200, 0);
    let s = CeregoState::from_seed(&seed.cerego);
    assert_eq!(list(&s, &[])["meta"]["total-count"], 236);
    for q in [
        "synthetic.119@example.edu",
        "SYNTHETIC.119@EXAMPLE.EDU",
        "S-119",
        "3000119",
    ] {
        let body = list(&s, &[("query", q)]);
        assert_eq!(ids(&body), ["3000119"], "{q}");
        let u = &body["data"][0]["attributes"];
        assert_eq!(u["name"], "Synthetic User 119");
        assert_eq!(u["username"], "synthetic119");
        assert_eq!(u["email"], "synthetic.119@example.edu");
        assert_eq!(u["member-id"], "S-119");
    }
    for q in [
        "synthetic.0119@example.edu",
        "S-200",
        "3000200",
        "s-",
        "2999999",
    ] {
        assert_eq!(list(&s, &[("query", q)])["meta"]["total-count"], 0, "{q}");
    }
}
