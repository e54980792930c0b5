//! Issue 22 §5: the simulator is strict where the probe depends on it — capped synthetic
//! counts, `/_sim/*` bodies limited like the APIs', a large setup taken whole, and setup
//! values checked as operator input is.

use std::process::{Command, Output, Stdio};

use super::*;

/// `tagdesk sim ARGS` run to its end (it must stop on its own: a guard kills it after a
/// minute, so a regression fails instead of hanging).
fn sim_exits(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tagdesk"));
    cmd.args(["sim", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    support::env::clean_env().apply(&mut cmd);
    let mut child = cmd.spawn().expect("tagdesk sim starts");
    let guard = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if guard.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("tagdesk sim {args:?} did not stop on its own");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("its output")
}

#[test]
fn synthetic_counts_over_the_cap_exit_2_with_the_reason_before_allocating() {
    for flag in ["--users", "--patrons"] {
        let out = sim_exits(&[flag, "1000000000"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains(flag), "{err}");
        assert!(err.contains("at most 100,000,000"), "{err}");
        assert!(out.stdout.is_empty(), "nothing served");
    }
    // Far past any integer: the same, not a panic.
    let out = sim_exits(&["--users", "99999999999999999999999"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_seed_whose_seeded_at_is_not_a_time_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("odd-seed.toml");
    let text = tagdesk::sim::seed::DEMO_SEED.replace(
        "seeded_at = \"2026-01-05T09:00:00.000Z\"",
        "seeded_at = \"last Tuesday\"",
    );
    assert_ne!(text, tagdesk::sim::seed::DEMO_SEED);
    std::fs::write(&path, text).expect("write the seed");
    let out = sim_exits(&["--seed", path.to_str().expect("a UTF-8 path")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("odd-seed.toml"), "{err}");
    assert!(
        err.contains("cerego.seeded_at \"last Tuesday\" is not a time"),
        "{err}"
    );
}

#[tokio::test]
async fn control_bodies_over_a_mib_are_413_in_the_control_apis_shape() {
    let sim = start().await;
    // A JSON list just over the limit.
    let big = format!("[\"{}\"]", "x".repeat(tagdesk::sim::MAX_BODY_BYTES));
    for path in ["setup", "faults"] {
        let (status, body) = raw(
            Method::POST,
            format!("{}/_sim/{path}", sim.base_url()),
            None,
            Some(big.clone().into_bytes()),
        )
        .await;
        assert_eq!(status, 413, "{path}: {body}");
        assert_eq!(
            body,
            json!({"error": "The request body is larger than 1048576 bytes."}),
            "{path}"
        );
    }
    let (status, _) = raw(
        Method::PUT,
        format!("{}/_sim/faults", sim.base_url()),
        None,
        Some(big.into_bytes()),
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(
        patron_tags(&sim, "user_abc123"),
        Some(vec!["newsletter".into()])
    );
}

/// 110,000 api_fields in one setup (just under 1 MiB): accepted whole, every field defined
/// once, and the application answers for the last of them.
#[tokio::test]
async fn a_setup_of_110k_api_fields_is_taken_whole() {
    let sim = start().await;
    let fields: Vec<String> = (0..110_000).map(|i| format!("f{i:x}")).collect();
    let mut again = fields[..1000].to_vec();
    again.push("vip".into());
    let steps = json!([
        {"kind": "hive_catalogue", "defined": fields, "undefined": []},
        {"kind": "hive_catalogue", "defined": again, "undefined": ["newsletter"]},
    ]);
    assert!(steps.to_string().len() < tagdesk::sim::MAX_BODY_BYTES);
    let (status, body) = control(&sim, Method::POST, "setup", Some(steps)).await;
    assert_eq!(status, 200, "{body}");
    let state = sim.state_json();
    let catalogue: Vec<&str> = state["hive"]["catalogue"]
        .as_array()
        .expect("the catalogue")
        .iter()
        .map(|t| t["api_field"].as_str().expect("an api_field"))
        .collect();
    let seeded = tagdesk::sim::seed::Seed::demo().hive.tags.len();
    assert_eq!(
        catalogue.len(),
        seeded - 1 + 110_000,
        "each once, newsletter gone"
    );
    assert!(!catalogue.contains(&"newsletter"));
    assert_eq!(catalogue.last(), Some(&"f1adaf"));
    let (status, answer) = hive_raw(
        &sim,
        "add",
        json!({"patron_id": "big_catalogue", "user_tags_api_fields": ["f1adaf", "vip"]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        answer["added_tag_ids"],
        json!(["f1adaf", "vip"]),
        "{answer}"
    );
}

/// A value operator input would refuse is refused in a setup too: 400, the step and the
/// value's place named, and nothing of the setup applied.
#[tokio::test]
async fn setup_values_are_checked_as_operator_input_is() {
    let sim = start().await;
    let long = "p".repeat(300_000);
    let cases = [
        (
            json!({"kind": "hive_patron", "patron": "evil\u{1b}[2J", "tags": []}),
            "setup step 2 (hive_patron), `patron`: patron id: must be a single line of text, but contains the control character U+001B",
        ),
        (
            json!({"kind": "hive_patron", "patron": long, "tags": null}),
            "setup step 2 (hive_patron), `patron`: patron id: is 300000 characters long; the limit is 256",
        ),
        (
            json!({"kind": "hive_catalogue", "defined": ["vip", "not a tag,"], "undefined": []}),
            "setup step 2 (hive_catalogue), `defined` item 2: api_field: \"not a tag,\" contains a space",
        ),
        (
            json!({"kind": "hive_patron", "patron": "p1", "tags": ["vip", "a,b"]}),
            "setup step 2 (hive_patron), `tags` item 2: api_field: \"a,b\" contains a comma",
        ),
        (
            json!({"kind": "cerego_tag", "user": "990001", "tag_type": "5", "value": "Gold\nSilver"}),
            "setup step 2 (cerego_tag), `value`: tag value: must be a single line of text, but contains a line break",
        ),
        (
            json!({"kind": "cerego_user", "id": "12ab", "name": "N", "email": "n@example.edu"}),
            "setup step 2 (cerego_user), `id`: user id: \"12ab\" is not a number",
        ),
    ];
    for (bad, want) in cases {
        let steps = json!([
            {"kind": "hive_patron", "patron": "user_abc123", "tags": ["vip"]},
            bad,
        ]);
        let (status, body) = control(&sim, Method::POST, "setup", Some(steps)).await;
        assert_eq!(status, 400, "{body}");
        let error = body["error"].as_str().expect("an error message");
        assert!(error.starts_with(want), "{error}\nwanted: {want}");
        assert!(!error.contains('\u{1b}') && error.len() < 400, "{error}");
        assert_eq!(
            patron_tags(&sim, "user_abc123"),
            Some(vec!["newsletter".into()]),
            "the valid first step was not applied either"
        );
    }
    // Surrounding whitespace is trimmed, as it is from the operator.
    let steps = json!([{"kind": "hive_patron", "patron": " trimmed ", "tags": [" vip "]}]);
    let (status, body) = control(&sim, Method::POST, "setup", Some(steps)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(patron_tags(&sim, "trimmed"), Some(vec!["vip".into()]));
}
