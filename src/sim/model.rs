//! The simulated services' state and rules without HTTP: what the server serves, and
//! what tests use to get exactly the answer the server would give to an Op.

use super::*;

/// The simulated services' data and rules, without HTTP: what the server serves, and what
/// tests use to produce exactly the answer the server would give to an [`Op`].
#[derive(Debug, Clone)]
pub struct Model {
    pub cerego: CeregoState,
    pub hive: HiveState,
}

impl Model {
    pub fn new(seed: &Seed) -> Self {
        Self {
            cerego: CeregoState::from_seed(&seed.cerego),
            hive: HiveState::from_seed(&seed.hive),
        }
    }

    /// The status and body the server answers to an Op: its `Op::request()` served by the
    /// same handlers as the HTTP routes (the user list as one page of up to 100 users).
    pub fn answer(&mut self, op: &Op) -> (u16, Value) {
        if let Op::Raw(raw) = op
            && raw.wrong_key
        {
            let (status, body) = super::wrong_key_answer(raw.service);
            return (status.as_u16(), body);
        }
        let mut spec = op.request();
        if matches!(op, Op::CeregoListUsers { .. }) {
            spec.query.push(("page[size]".into(), "100".into()));
        }
        let (status, body) = self.serve(&spec);
        (status.as_u16(), body)
    }

    /// Serves one request described as the clients describe it: routed by method and path
    /// like the HTTP server, its body read from the JSON the client would send.
    pub fn serve(&mut self, spec: &RequestSpec) -> (StatusCode, Value) {
        let body = spec
            .body
            .as_ref()
            .map(|b| b.to_string().into_bytes())
            .unwrap_or_default();
        let parts: Vec<&str> = spec.path.trim_matches('/').split('/').collect();
        match (spec.method, parts.as_slice()) {
            (Verb::Post, ["api", "v1", "user_tags", "add"]) => {
                self.hive.handle(HiveAction::Add, &body)
            }
            (Verb::Post, ["api", "v1", "user_tags", "remove"]) => {
                self.hive.handle(HiveAction::Remove, &body)
            }
            (
                Verb::Post,
                [
                    "v3",
                    "partner_user_tag_types",
                    tag_type,
                    "partner_user_tags",
                ],
            ) => self.cerego.add_tag(tag_type, &body),
            (Verb::Put, ["v3", "partner_user_tags", tag]) => self.cerego.update_tag(tag, &body),
            (Verb::Post, ["v3", "users", user, "partner_user_tags"]) => {
                self.cerego.set_tags(user, &body)
            }
            (Verb::Get, ["v3", "partners", partner, "users"]) => {
                let params: HashMap<String, String> = spec.query.iter().cloned().collect();
                self.cerego.list_users(partner, &params)
            }
            (Verb::Get, ["v3", "my", "profile"]) => self.cerego.profile(),
            _ => (
                StatusCode::NOT_FOUND,
                json!({"error": format!("no such endpoint: {} {}", spec.method.as_str(), spec.path)}),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(method: Verb, path: &str, query: &[(&str, &str)], body: Option<Value>) -> RequestSpec {
        RequestSpec {
            method,
            path: path.into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body,
        }
    }

    /// In-process requests reach the set endpoint and the department parameter as the HTTP
    /// routes do.
    #[test]
    fn serve_routes_the_set_endpoint_and_the_department_parameter() {
        let mut model = Model::new(&Seed::demo());
        let body = json!({"tags": [{"partner_user_tag_type_id": "9", "value": "Active"}]});
        let mut direct = Model::new(&Seed::demo());
        let (want_status, want) = direct
            .cerego
            .set_tags("1185304", body.to_string().as_bytes());
        let (status, got) = model.serve(&spec(
            Verb::Post,
            "/v3/users/1185304/partner_user_tags",
            &[],
            Some(body),
        ));
        assert_eq!((status, status), (want_status, StatusCode::OK));
        let strip = |v: &Value| {
            v["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| (t["id"].clone(), t["attributes"]["value"].clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&got), strip(&want));
        let path = "/v3/partners/4242/users";
        let (_, without) = model.serve(&spec(Verb::Get, path, &[], None));
        let (_, with) = model.serve(&spec(
            Verb::Get,
            path,
            &[("include_department_users", "true")],
            None,
        ));
        assert_eq!(without["meta"]["total-count"], 36);
        assert_eq!(with["meta"]["total-count"], 38);
    }
}
