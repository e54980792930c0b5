//! Issue 22 §2: scenario keys are discoverable — `tagdesk demo --list`.

use serde_json::Value;

use crate::support::cli::*;
use tagdesk::core::playground::plays;

#[tokio::test(flavor = "multi_thread")]
async fn demo_list_prints_every_scenario_key_with_its_title_aligned() {
    let env = Env::new().await;
    let out = env.run(&["demo", "--list"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let plays = plays();
    assert_eq!(lines.len(), plays.len(), "one line a scenario:\n{text}");
    let column = lines[0].find(&plays[0].title).expect("the first title");
    for (line, play) in lines.iter().zip(&plays) {
        assert!(line.starts_with(&format!("{} ", play.key)), "{line}");
        assert_eq!(line.find(&play.title), Some(column), "aligned: {line}");
        assert!(line.ends_with(&play.title), "{line}");
    }
    assert!(text.contains("hive.add.added_pre_failed"), "{text}");
    assert_eq!(env.requests("hive.add"), 0, "nothing is played");

    for args in [
        &["demo", "--list", "--json"][..],
        &["--json", "demo", "--list"],
    ] {
        let out = env.run(args).await;
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        let list: Value = json(&out);
        let list = list.as_array().expect("a JSON list");
        assert_eq!(list.len(), plays.len());
        for (item, play) in list.iter().zip(&plays) {
            assert_eq!(item["key"], play.key.as_str());
            assert_eq!(item["title"], play.title.as_str());
            let service = if play.key.starts_with("hive.") {
                "hive"
            } else {
                "cerego"
            };
            assert_eq!(item["service"], service, "{item}");
            assert_eq!(item.as_object().map(|o| o.len()), Some(3), "{item}");
        }
    }
    // --json alone is not a demo option; --list does not mix with a script.
    assert_eq!(code(&env.run(&["demo", "--json"]).await), 2);
    assert_eq!(
        code(&env.run(&["demo", "--list", "--script", "x.toml"]).await),
        2
    );
}
