//! Issue 22 §3: `tagdesk log --har FILE` and `tagdesk batch show ID --har FILE` write the
//! journal's requests as an HTTP Archive (HAR 1.2) to attach to a ticket: valid JSON with
//! HAR's required fields, never a key (the test profile's keys are recognisable), 0600, and
//! the places `--results` refuses refused.

use serde_json::Value;

use crate::support::cli::*;

/// Reads a HAR file and checks what HAR 1.2 requires of it and of each entry.
fn read_har(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).expect("the HAR file");
    for key in [HIVE_KEY, CEREGO_KEY] {
        assert!(!text.contains(key), "a key in the HAR: {text}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "written private");
    }
    let har: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_har(&har);
    har
}

fn assert_har(har: &Value) {
    let log = &har["log"];
    assert_eq!(log["version"], "1.2");
    assert_eq!(log["creator"]["name"], "tagdesk");
    assert!(log["creator"]["version"].is_string());
    for e in log["entries"].as_array().expect("entries") {
        assert!(
            chrono::DateTime::parse_from_rfc3339(e["startedDateTime"].as_str().unwrap()).is_ok(),
            "{e}"
        );
        assert!(e["time"].as_f64().is_some_and(|t| t >= 0.0), "{e}");
        let rq = &e["request"];
        for field in ["method", "url", "httpVersion"] {
            assert!(rq[field].is_string(), "request.{field}: {e}");
        }
        for field in ["headers", "queryString", "cookies"] {
            assert!(rq[field].is_array(), "request.{field}: {e}");
        }
        for field in ["headersSize", "bodySize"] {
            assert!(rq[field].is_i64(), "request.{field}: {e}");
        }
        if let Some(post) = rq.get("postData") {
            assert!(
                post["mimeType"].is_string() && post["text"].is_string(),
                "{e}"
            );
        }
        let rs = &e["response"];
        assert!(rs["status"].is_u64(), "{e}");
        for field in ["statusText", "httpVersion", "redirectURL"] {
            assert!(rs[field].is_string(), "response.{field}: {e}");
        }
        for field in ["headers", "cookies"] {
            assert!(rs[field].is_array(), "response.{field}: {e}");
        }
        for field in ["headersSize", "bodySize"] {
            assert!(rs[field].is_i64(), "response.{field}: {e}");
        }
        assert!(rs["content"]["size"].is_i64() && rs["content"]["mimeType"].is_string());
        assert!(e["cache"].is_object());
        for field in ["send", "wait", "receive"] {
            assert!(
                e["timings"][field].as_f64().is_some_and(|t| t >= 0.0),
                "{e}"
            );
        }
    }
}

fn header<'a>(entry: &'a Value, name: &str) -> Option<&'a str> {
    entry["request"]["headers"]
        .as_array()?
        .iter()
        .find(|h| h["name"] == name)
        .and_then(|h| h["value"].as_str())
}

#[tokio::test(flavor = "multi_thread")]
async fn log_har_writes_the_requests_and_answers_without_a_key() {
    let env = Env::new().await;
    let ok = env.run(&["hive", "add", "user_abc123", "vip"]).await;
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let failed = env.run(&["hive", "remove", "user_abc123", "nope"]).await;
    assert!(code(&failed) <= 1, "{}", stderr(&failed));
    let users = env.run(&["cerego", "users"]).await;
    assert_eq!(code(&users), 0, "{}", stderr(&users));

    let path = env.dir.path().join("ticket.har");
    let out = env.run(&["log", "--har", path.to_str().unwrap()]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "the entries go to the file");
    assert!(
        stderr(&out).contains("3 entries written to"),
        "{}",
        stderr(&out)
    );
    let har = read_har(&path);
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let add = &entries[0];
    assert_eq!(add["request"]["method"], "POST");
    assert!(
        add["request"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/user_tags/add")
    );
    assert_eq!(header(add, "Authorization"), Some("token [redacted]"));
    let sent: Value =
        serde_json::from_str(add["request"]["postData"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(sent["user_tags_api_fields"][0], "vip");
    assert_eq!(add["response"]["status"], 200);
    assert_eq!(add["response"]["statusText"], "OK");
    assert_eq!(add["response"]["content"]["mimeType"], "application/json");
    let answer: Value =
        serde_json::from_str(add["response"]["content"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(answer["added_tag_ids"][0], "vip");
    assert_eq!(
        header(&entries[2], "Authorization"),
        Some("Bearer [redacted]")
    );
    assert_eq!(entries[2]["request"]["method"], "GET");

    // The filters apply; - writes to standard output.
    let out = env
        .run(&["log", "--target", "user_abc123", "-n", "1", "--har", "-"])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let har: Value = serde_json::from_str(&stdout(&out)).expect("HAR on stdout");
    assert_har(&har);
    assert_eq!(har["log"]["entries"].as_array().unwrap().len(), 1);
    assert!(!stdout(&out).contains(HIVE_KEY));
    assert_no_secret_under(&env.data_dir());
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_show_har_writes_every_request_of_the_batch() {
    let env = Env::new().await;
    let csv = env.dir.path().join("rows.csv");
    std::fs::write(
        &csv,
        "user_id,user_tags\nuser_abc123,vip\nnew_one,\"vip, newsletter\"\n",
    )
    .unwrap();
    let out = env
        .run(&["--json", "hive", "import", csv.to_str().unwrap()])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = json(&out)["batch_id"].as_str().unwrap().to_string();
    // A request outside the batch is not in its HAR.
    let _ = env
        .run(&["hive", "add", "user_abc123", "beta_tester"])
        .await;

    let path = env.dir.path().join("batch.har");
    let out = env
        .run(&["batch", "show", &id, "--har", path.to_str().unwrap()])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let har = read_har(&path);
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{har}");
    let patrons: Vec<String> = entries
        .iter()
        .map(|e| {
            let body: Value =
                serde_json::from_str(e["request"]["postData"]["text"].as_str().unwrap()).unwrap();
            body["patron_id"].as_str().unwrap().to_string()
        })
        .collect();
    let mut sorted = patrons.clone();
    sorted.sort();
    assert_eq!(sorted, ["new_one", "user_abc123"]);
    assert!(
        entries
            .iter()
            .all(|e| e["comment"].as_str().unwrap().contains("journal id"))
    );
    assert_no_secret_under(&env.data_dir());
}

#[tokio::test(flavor = "multi_thread")]
async fn har_refuses_what_results_refuses() {
    let env = Env::new().await;
    let _ = env.run(&["hive", "add", "user_abc123", "vip"]).await;
    std::fs::create_dir_all(env.data_dir()).unwrap();
    let inside = env.data_dir().join("x.har");
    let config = env.config_path();
    for (path, why) in [
        (inside.to_str().unwrap(), "is in tagdesk's data folder"),
        (config.to_str().unwrap(), "is tagdesk's configuration file"),
        (env.dir.path().to_str().unwrap(), "is a folder"),
    ] {
        let out = env.run(&["log", "--har", path]).await;
        assert_eq!(code(&out), 2, "{path}");
        assert!(
            stderr(&out).contains(&format!("--har {path} {why}")),
            "{}",
            stderr(&out)
        );
    }
    let out = env.run(&["--json", "log", "--har", "-"]).await;
    assert_eq!(code(&out), 2);
    assert!(
        stdout(&out).contains("both write to standard output"),
        "{}",
        stdout(&out)
    );
    let out = env.run(&["log", "--csv", "--har", "x.har"]).await;
    assert_eq!(code(&out), 2, "--har and --csv are two exports");
    let out = env
        .run(&["batch", "show", "nope", "--har", inside.to_str().unwrap()])
        .await;
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("is in tagdesk's data folder"),
        "{}",
        stderr(&out)
    );
    assert!(!inside.exists());
}
