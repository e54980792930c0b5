//! Near-valid documents: real answers of the simulator with a few fields replaced or removed.

use super::*;

// ---------------------------------------------------------------------------------------------
// Near-valid documents: real answers of the simulator with a few fields replaced or removed
// ---------------------------------------------------------------------------------------------

pub(crate) fn op_hive_add(patron: &str, fields: &str) -> Op {
    Op::HiveAdd {
        patron: PatronId::parse(patron).expect("patron"),
        fields: ApiField::parse_list(fields).expect("fields"),
    }
}

pub(crate) fn op_hive_remove(patron: &str, fields: &str) -> Op {
    Op::HiveRemove {
        patron: PatronId::parse(patron).expect("patron"),
        fields: ApiField::parse_list(fields).expect("fields"),
    }
}

/// Valid documents of every kind the clients read, as the simulator writes them, plus the
/// documented error shapes.
pub(crate) fn valid_documents() -> &'static [Value] {
    static DOCS: OnceLock<Vec<Value>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let mut model = Model::new(demo_seed());
        let ops = [
            op_hive_add("user_abc123", "vip newsletter nope"),
            op_hive_add("user_abc123", "vip"),
            op_hive_remove("user_def456", "newsletter vip nope"),
            op_hive_remove("nobody_at_all", "vip"),
            Op::CeregoUpdate {
                tag: TagId::parse("84001").unwrap(),
                value: TagValue::parse("Platinum").unwrap(),
            },
            Op::CeregoAdd {
                user: CeregoUserId::parse("1185304").unwrap(),
                tag_type: TagTypeId::parse("3").unwrap(),
                value: TagValue::parse("Spring 2026").unwrap(),
            },
            Op::CeregoAdd {
                user: CeregoUserId::parse("1185304").unwrap(),
                tag_type: TagTypeId::parse("3").unwrap(),
                value: TagValue::parse("again").unwrap(),
            },
            Op::CeregoListUsers {
                partner: PartnerId::parse("4242").unwrap(),
                query: None,
                departments: false,
            },
            Op::CeregoListUsers {
                partner: PartnerId::parse("4242").unwrap(),
                query: Some("ada.lovelace@example.edu".into()),
                departments: false,
            },
            Op::CeregoListUsers {
                partner: PartnerId::parse("1").unwrap(),
                query: None,
                departments: false,
            },
            Op::CeregoProfile,
        ];
        let mut docs: Vec<Value> = ops.iter().map(|op| model.answer(op).1).collect();
        docs.push(json!({"errors": [{"status": "404", "title": "Not Found",
            "detail": "User 9 not found"}]}));
        docs.push(json!({"errors": {"value": ["can't be blank"]}}));
        docs.push(json!({"error": {"message": "nested", "code": 7}}));
        docs.push(json!({
            "message": "Some tags were removed. Some tags failed to remove.",
            "patron_id": "p", "removed_tag_ids": ["a"], "non_existent_tag_ids": [],
            "failed": ["plain", {"tag": "b", "message": "nope"}, {"tag_id": 7, "reason": "bad"},
                {"id": "d"}, {"something": "else"}, 42]
        }));
        docs.push(json!({"patron_id": "user_abc123",
            "user_tags_api_fields": ["vip", " newsletter ", "nope", "vip", ""]}));
        docs
    })
}

#[derive(Debug, Clone)]
pub(crate) enum Seg {
    Key(String),
    Idx(usize),
}

#[derive(Debug, Clone)]
pub(crate) enum Mutation {
    Remove(Index),
    Replace(Index, Value),
    /// A value as a JSON string of itself (an id sent as a number, an object as text, ...).
    Stringify(Index),
    /// A value wrapped in an array.
    Wrap(Index),
    Null(Index),
    /// The key of a member renamed (e.g. a field sent under another name, or as "").
    Rename(Index, String),
    /// A value replaced by another of the same JSON type (the shape stays valid).
    SameType(Index, Value),
}

pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => any::<Index>().prop_map(Mutation::Remove),
        3 => (any::<Index>(), json_value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        1 => any::<Index>().prop_map(Mutation::Stringify),
        1 => any::<Index>().prop_map(Mutation::Wrap),
        1 => any::<Index>().prop_map(Mutation::Null),
        1 => (any::<Index>(), key_name()).prop_map(|(i, k)| Mutation::Rename(i, k)),
        3 => (any::<Index>(), prop_oneof![
            3 => text().prop_map(Value::String),
            1 => number(),
            1 => any::<bool>().prop_map(Value::Bool),
            1 => json_value(),
        ])
            .prop_map(|(i, v)| Mutation::SameType(i, v)),
    ]
}

pub(crate) fn collect_paths(v: &Value, prefix: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                prefix.push(Seg::Key(k.clone()));
                collect_paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(Seg::Idx(i));
                collect_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

pub(crate) fn at_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    let mut cur = v;
    for seg in path {
        cur = match seg {
            Seg::Key(k) => cur.as_object_mut()?.get_mut(k)?,
            Seg::Idx(i) => cur.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(cur)
}

pub(crate) fn mutate(doc: &mut Value, m: &Mutation) {
    let mut paths = Vec::new();
    collect_paths(doc, &mut Vec::new(), &mut paths);
    let index = match m {
        Mutation::Remove(i)
        | Mutation::Replace(i, _)
        | Mutation::Stringify(i)
        | Mutation::Wrap(i)
        | Mutation::Null(i)
        | Mutation::Rename(i, _)
        | Mutation::SameType(i, _) => i,
    };
    let path = &paths[index.index(paths.len())];
    if let Mutation::Rename(_, new_key) = m {
        if let Some((Seg::Key(old), parent)) = path.split_last()
            && let Some(Value::Object(map)) = at_mut(doc, parent)
            && let Some(v) = map.remove(old)
        {
            map.insert(new_key.clone(), v);
        }
        return;
    }
    if let Mutation::Remove(_) = m {
        let Some((last, parent)) = path.split_last() else {
            *doc = Value::Null;
            return;
        };
        match (at_mut(doc, parent), last) {
            (Some(Value::Object(map)), Seg::Key(k)) => {
                map.remove(k);
            }
            (Some(Value::Array(items)), Seg::Idx(i)) if *i < items.len() => {
                items.remove(*i);
            }
            _ => {}
        }
        return;
    }
    let Some(target) = at_mut(doc, path) else {
        return;
    };
    *target = match m {
        Mutation::SameType(_, v) => {
            let same = std::mem::discriminant(target) == std::mem::discriminant(v);
            if same { v.clone() } else { return }
        }
        Mutation::Replace(_, v) => v.clone(),
        Mutation::Stringify(_) => Value::String(target.to_string()),
        Mutation::Wrap(_) => Value::Array(vec![target.take()]),
        _ => Value::Null,
    };
}

pub(crate) fn near_valid() -> impl Strategy<Value = Value> {
    (
        0..valid_documents().len(),
        prop::collection::vec(mutation(), 1..4),
    )
        .prop_map(|(i, mutations)| {
            let mut doc = valid_documents()[i].clone();
            for m in &mutations {
                mutate(&mut doc, m);
            }
            doc
        })
}

/// Any body a parser might meet: bytes, JSON, near-valid JSON.
pub(crate) fn any_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => body_bytes(),
        2 => near_valid().prop_map(|v| v.to_string().into_bytes()),
        1 => (0..valid_documents().len()).prop_map(|i| valid_documents()[i].to_string().into_bytes()),
    ]
}

pub(crate) fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => select(&[200u16, 201, 204, 299, 400, 401, 403, 404, 422, 429, 500, 502, 503][..]),
        1 => any::<u16>(),
        1 => 100u16..600,
    ]
}

pub(crate) fn action() -> impl Strategy<Value = HiveAction> {
    prop_oneof![Just(HiveAction::Add), Just(HiveAction::Remove)]
}

pub(crate) fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}
