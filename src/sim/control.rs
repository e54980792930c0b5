//! The control API (`/_sim/…`, loopback clients only): the state, the fault rules, a
//! reset to the seed.

use super::*;

pub(super) fn state_json(world: &World) -> Value {
    json!({
        "cerego": world.model.cerego,
        "hive": world.model.hive,
        "faults": world.faults,
        "requests": world.requests,
    })
}

pub(super) async fn control_state(State(shared): State<AppState>) -> Response {
    json_response(StatusCode::OK, state_json(&shared.world()))
}

pub(super) async fn control_faults(State(shared): State<AppState>) -> Response {
    json_response(StatusCode::OK, json!(shared.world().faults))
}

pub(super) fn bad_control(message: String) -> Response {
    json_response(StatusCode::BAD_REQUEST, json!({"error": message}))
}

pub(super) fn parse_rule(v: Value) -> Result<FaultRule, String> {
    if let Some(spec) = v.get("spec").and_then(Value::as_str) {
        return spec.parse();
    }
    let rule: FaultRule =
        serde_json::from_value(v).map_err(|e| format!("not a fault rule: {e}"))?;
    rule.validate()?;
    Ok(rule)
}

pub(super) async fn control_add_fault(State(shared): State<AppState>, body: Bytes) -> Response {
    let parsed = serde_json::from_slice::<Value>(&body)
        .map_err(|e| format!("not JSON: {e}"))
        .and_then(parse_rule);
    match parsed {
        Ok(rule) => {
            let mut world = shared.world();
            world.faults.push(rule);
            json_response(StatusCode::OK, json!(world.faults))
        }
        Err(e) => bad_control(e),
    }
}

pub(super) async fn control_set_faults(State(shared): State<AppState>, body: Bytes) -> Response {
    let parsed = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .map(parse_rule)
            .collect::<Result<Vec<_>, _>>(),
        Ok(_) => Err("expected a JSON list of fault rules".to_string()),
        Err(e) => Err(format!("not JSON: {e}")),
    };
    match parsed {
        Ok(rules) => {
            let mut world = shared.world();
            world.faults = rules;
            json_response(StatusCode::OK, json!(world.faults))
        }
        Err(e) => bad_control(e),
    }
}

pub(super) async fn control_clear_faults(State(shared): State<AppState>) -> Response {
    shared.world().faults.clear();
    json_response(StatusCode::OK, json!([]))
}

pub(super) async fn control_reset(State(shared): State<AppState>) -> Response {
    let fresh = World {
        faults: Vec::new(),
        ..World::new(&shared.options)
    };
    *shared.world() = fresh;
    json_response(StatusCode::OK, json!({"reset": true}))
}

pub(super) async fn control_setup(State(shared): State<AppState>, body: Bytes) -> Response {
    let steps: Vec<crate::core::playground::Setup> = match serde_json::from_slice(&body) {
        Ok(steps) => steps,
        Err(e) => return bad_control(format!("not a list of setup steps: {e}")),
    };
    let result = shared.world().model.setup(&steps);
    match result {
        Ok(reply) => json_response(StatusCode::OK, json!(reply)),
        Err(e) => bad_control(e),
    }
}
