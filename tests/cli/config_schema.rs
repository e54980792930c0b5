//! The configuration's JSON Schema: generated from the reader's types, committed as
//! `schemas/config.schema.json`, written beside the file by `config init`, and strict enough
//! that an editor flags what `config check` would refuse.

use serde_json::Value;

use super::support::cli::*;

/// The committed schema, from the repository.
fn committed() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/config.schema.json");
    std::fs::read_to_string(&path).unwrap_or_default()
}

/// The configuration text as the schema sees it: TOML read into JSON.
fn as_json(text: &str) -> Value {
    let value: toml::Value = toml::from_str(text).expect("TOML");
    serde_json::to_value(value).expect("JSON")
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&tagdesk::config::schema_text()).expect("JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

/// Whether the reader (`config check`'s parse step) takes `text`.
fn parses(text: &str) -> bool {
    tagdesk::config::parse(text, std::path::Path::new("c.toml")).is_ok()
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let generated = tagdesk::config::schema_text();
    assert!(
        committed() == generated,
        "schemas/config.schema.json is not the schema the configuration's types give; \
         regenerate it with: cargo run -- config schema > schemas/config.schema.json"
    );
    assert!(
        generated.ends_with("}\n"),
        "pretty JSON with a trailing newline"
    );
    // Editors read draft-07; a misspelt key is flagged.
    let schema: Value = serde_json::from_str(&generated).expect("JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["additionalProperties"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn config_schema_prints_the_committed_schema() {
    let env = Env::new().await;
    let out = env.run(&["config", "schema"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), tagdesk::config::schema_text());
}

#[tokio::test(flavor = "multi_thread")]
async fn config_init_writes_a_template_that_validates_against_the_schema_beside_it() {
    let env = Env::new().await;
    let config = env.dir.path().join("fresh").join("config.toml");
    let config_s = config.to_string_lossy().to_string();
    let init = env.run(&["--config", &config_s, "config", "init"]).await;
    assert_eq!(code(&init), 0, "{}", stderr(&init));
    let text = std::fs::read_to_string(&config).expect("the template");
    assert_eq!(
        text.lines().next(),
        Some("#:schema ./config.schema.json"),
        "the first line points editors at the schema"
    );
    let schema_path = config.with_file_name("config.schema.json");
    let written = std::fs::read_to_string(&schema_path).expect("the schema beside it");
    assert_eq!(written, tagdesk::config::schema_text());
    assert!(
        stdout(&init).contains("config.schema.json"),
        "{}",
        stdout(&init)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&schema_path)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    // The reader takes it, and so does the schema it was written with.
    assert!(parses(&text));
    let schema: Value = serde_json::from_str(&written).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema");
    let errors: Vec<String> = validator
        .iter_errors(&as_json(&text))
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn config_init_leaves_a_schema_file_it_did_not_write() {
    let env = Env::new().await;
    let config = env.dir.path().join("mine").join("config.toml");
    std::fs::create_dir_all(config.parent().expect("dir")).expect("dir");
    let schema_path = config.with_file_name("config.schema.json");
    std::fs::write(&schema_path, "{\"mine\": true}\n").expect("write");
    let config_s = config.to_string_lossy().to_string();
    let init = env.run(&["--config", &config_s, "config", "init"]).await;
    assert_eq!(code(&init), 0, "{}", stderr(&init));
    assert_eq!(
        std::fs::read_to_string(&schema_path).expect("read"),
        "{\"mine\": true}\n"
    );
    let out = stdout(&init);
    assert!(
        out.contains("left as it is") && out.contains("tagdesk config schema >"),
        "{out}"
    );
    assert!(config.exists(), "the configuration is written all the same");
}

#[test]
fn the_schema_refuses_what_the_reader_refuses() {
    let validator = validator();
    let base = "[profiles.a.cerego]\npartner_id = \"4242\"\napi_key_env = \"K\"\n";
    let wrong = [
        (
            "an unknown top-level key",
            "defualt_profile = \"a\"\n".to_string(),
        ),
        (
            "an unknown profile key",
            "[profiles.a]\ncolour = \"red\"\n".to_string(),
        ),
        ("an unknown cerego key", format!("{base}tag_type = []\n")),
        ("a wrong type", "[timeouts]\nconnect = \"5\"\n".to_string()),
        (
            "a number for an id",
            "[profiles.a.cerego]\npartner_id = 4242\n".to_string(),
        ),
        (
            "list_concurrency 0",
            "[limits]\nlist_concurrency = 0\n".to_string(),
        ),
        (
            "list_concurrency 33",
            "[limits]\nlist_concurrency = 33\n".to_string(),
        ),
        ("tags_api", format!("{base}tags_api = \"sets\"\n")),
        ("page_size", format!("{base}page_size = 0\n")),
        (
            "a colour",
            "[profiles.a]\ncolor = \"mauve-ish\"\n".to_string(),
        ),
        ("a theme", "theme = \"solarized\"\n".to_string()),
        ("an action", "[keys]\nfly = [\"x\"]\n".to_string()),
        ("a key", "[keys]\nadd = [\"hyper-x\"]\n".to_string()),
        ("no key", "[keys]\nadd = []\n".to_string()),
        ("attempts", "[retries]\nattempts = 0\n".to_string()),
        (
            "a URL",
            "[profiles.a.hive]\nbase_url = \"ftp://x\"\n".to_string(),
        ),
        (
            "an api_field",
            "[profiles.a.hive]\ntags = [{ api_field = \"v ip\", name = \"V\" }]\n".to_string(),
        ),
    ];
    for (what, text) in wrong {
        assert!(!parses(&text), "{what}: the reader takes it:\n{text}");
        assert!(
            !validator.is_valid(&as_json(&text)),
            "{what}: the schema takes it:\n{text}"
        );
    }
    let right = [
        format!("{base}tags_api = \"legacy\"\npage_size = 100\n"),
        "[profiles.a]\ncolor = \"Light-Red\"\n".to_string(),
        "[profiles.a]\ncolor = \"dark grey\"\n".to_string(),
        "[profiles.a]\ncolor = \"#1E90ff\"\n".to_string(),
        "[profiles.a]\ncolor = \"208\"\n".to_string(),
        "theme = \"Light\"\n".to_string(),
        "[keys]\nadd = [\"ctrl-a\", \"f2\", \"Insert\", \"+\"]\n".to_string(),
        "[profiles.a.hive]\nbase_url = \"http://127.0.0.1:8787\"\ntags = [{ api_field = \"vip\", name = \"VIP\" }]\n".to_string(),
    ];
    for text in right {
        assert!(parses(&text), "the reader refuses:\n{text}");
        let errors: Vec<String> = validator
            .iter_errors(&as_json(&text))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "the schema refuses:\n{text}{errors:?}");
    }
}

#[test]
fn every_default_key_of_every_action_is_a_key_to_the_schema() {
    let schema: Value = serde_json::from_str(&tagdesk::config::schema_text()).expect("JSON");
    let actions = schema["properties"]["keys"]["properties"]
        .as_object()
        .expect("[keys] lists the actions");
    let mut text = String::from("[keys]\n");
    for (name, action) in actions {
        let keys = action["default"].as_array().expect("defaults");
        let keys: Vec<String> = keys.iter().map(|k| format!("{k}")).collect();
        text.push_str(&format!("{name} = [{}]\n", keys.join(", ")));
    }
    assert!(parses(&text), "{text}");
    let errors: Vec<String> = validator()
        .iter_errors(&as_json(&text))
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}
