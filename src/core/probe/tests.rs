use super::judge::{Check, Stop, compare, judge};
use super::*;
use crate::core::op::hive::{FailedTag, HiveOutcome};
use crate::core::op::scenario::DOCUMENTED;
use crate::core::op::{ApiError, Output};

fn fields() -> Fields {
    Fields {
        first: ApiField::parse("vip").unwrap(),
        second: ApiField::parse("newsletter").unwrap(),
        missing: ApiField::parse("tagdesk_probe_missing_1").unwrap(),
    }
}

fn run() -> Vec<ProbeStep> {
    steps(
        &PatronId::parse("tagdesk_probe").unwrap(),
        &fields(),
        &PatronId::parse("tagdesk_probe_nobody_1").unwrap(),
    )
}

#[test]
fn the_sequence_produces_every_documented_outcome_once_and_ends_clean() {
    let walked = walk();
    let mut seen: Vec<Scenario> = walked.iter().map(|w| w.scenario).collect();
    for s in DOCUMENTED {
        let n = seen.iter().filter(|x| **x == s).count();
        assert_eq!(n, 1, "{s:?}");
    }
    seen.dedup();
    assert_eq!(seen.len(), 14);
    assert!(walked[0].held.is_empty(), "it starts from a cleared patron");
    // The state after the last step: the last step removes what was held.
    let last = walked.last().unwrap();
    let mut after = last.held.clone();
    after.retain(|r| !last.changed.contains(r));
    assert!(
        after.is_empty(),
        "the patron ends with none of the probe's tags"
    );
    // Every remove that fails only still needs the patron to exist: an add came first.
    let first_add = walked
        .iter()
        .position(|w| w.def.action == HiveAction::Add && !w.changed.is_empty())
        .unwrap();
    assert_eq!(first_add, 0);
}

#[test]
fn a_run_is_the_clear_the_fourteen_and_the_three_errors() {
    let s = run();
    assert_eq!(s.len(), 18);
    assert_eq!(s[0].key, CLEAR_KEY);
    assert_eq!(s[0].fields(), ["vip", "newsletter"]);
    assert_eq!(s[1].key, "hive.add.added");
    assert_eq!(s[8].key, "hive.add.added_pre");
    assert_eq!(s[8].fields(), ["newsletter", "vip"]);
    assert_eq!(s[15].key, "hive.error.invalid_patron");
    assert_eq!(s[16].fields(), Vec::<String>::new());
    assert_eq!(s[17].fields(), ["tagdesk_probe_missing_1"]);
    let keys: std::collections::BTreeSet<_> = s.iter().map(|s| s.key.clone()).collect();
    assert_eq!(keys.len(), 18, "keys are unique");
    let (missing, nobody) = made_up(42);
    assert!(missing.starts_with(MISSING_PREFIX) && ApiField::parse(&missing).is_ok());
    assert!(nobody.starts_with(NOBODY_PREFIX) && PatronId::parse(&nobody).is_ok());
    assert_ne!(made_up(1), made_up(2));
}

fn hive(
    action: HiveAction,
    message: &str,
    changed: &[&str],
    unchanged: &[&str],
    failed: &[&str],
) -> Result<Output, ApiError> {
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect();
    Ok(Output::Hive(HiveOutcome {
        action,
        message: Some(message.into()),
        patron_id: Some("tagdesk_probe".into()),
        changed: v(changed),
        unchanged: v(unchanged),
        failed: failed
            .iter()
            .map(|f| FailedTag {
                api_field: f.to_string(),
                reason: None,
            })
            .collect(),
        missing_fields: Vec::new(),
        extra: Vec::new(),
        foreign_patron: None,
    }))
}

fn http(status: u16, code: &str) -> Result<Output, ApiError> {
    Err(ApiError::Http {
        status,
        code: Some(code.into()),
        message: "m".into(),
        retry_after: None,
    })
}

#[test]
fn a_step_matches_mismatches_and_checks_its_arrays() {
    let s = run();
    let ok = judge(
        &s[8],
        Some(200),
        &hive(
            HiveAction::Add,
            "Successfully added tags to patron. Some tags may already exist on patron.",
            &["newsletter"],
            &["vip"],
            &[],
        ),
    );
    assert_eq!(ok.result.check, Check::Match);
    assert!(ok.result.arrays_ok);
    assert_eq!(
        ok.arrays.as_deref(),
        Some(
            "expected added [newsletter] · pre-existing [vip], got added [newsletter] · pre-existing [vip]"
        )
    );
    assert_eq!(ok.stop, None);
    // One word drifts: MISMATCH, the arrays still right.
    let drift = judge(
        &s[1],
        Some(200),
        &hive(
            HiveAction::Add,
            "Successfully added tag to patron.",
            &["vip"],
            &[],
            &[],
        ),
    );
    assert_eq!(drift.result.check, Check::Mismatch);
    assert!(drift.result.arrays_ok);
    // Other arrays than the sequence should produce.
    let wrong = judge(
        &s[1],
        Some(200),
        &hive(
            HiveAction::Add,
            "No tags were added. All tags already exist on patron.",
            &[],
            &["vip"],
            &[],
        ),
    );
    assert_eq!(
        wrong.result.check,
        Check::Match,
        "the message is right for its arrays"
    );
    assert!(!wrong.result.arrays_ok);
    // An empty answer has no documented message.
    let empty = judge(&s[1], Some(200), &hive(HiveAction::Add, "?", &[], &[], &[]));
    assert_eq!(empty.result.check, Check::Undocumented);
}

#[test]
fn errors_are_judged_by_status_and_code_and_stop_the_run_where_they_should() {
    let s = run();
    let first_run = judge(&s[0], Some(400), &http(400, "INVALID_PATRON"));
    assert_eq!(first_run.result.check, Check::Match);
    assert_eq!(
        first_run.stop, None,
        "a patron that does not exist yet is fine"
    );
    let key_refused = judge(&s[0], Some(403), &http(403, "INVALID_API_KEY"));
    assert!(matches!(key_refused.stop, Some(Stop::Refused(_))));
    let undefined = judge(
        &s[0],
        Some(200),
        &hive(
            HiveAction::Remove,
            "Some tags were removed. Some tags failed to remove.",
            &["vip"],
            &[],
            &["newsletter"],
        ),
    );
    assert_eq!(
        undefined.stop,
        Some(Stop::Undefined(vec!["newsletter".into()]))
    );
    assert!(!undefined.result.arrays_ok);
    let invalid_patron = judge(&s[15], Some(400), &http(400, "INVALID_PATRON"));
    assert_eq!(invalid_patron.result.check, Check::Match);
    assert_eq!(
        invalid_patron.result.expected_scenario.as_deref(),
        Some("INVALID_PATRON")
    );
    let moved = judge(&s[15], Some(404), &http(404, "INVALID_PATRON"));
    assert_eq!(moved.result.check, Check::Undocumented);
    let other = judge(&s[15], Some(400), &http(400, "PARAM_REQUIRED"));
    assert_eq!(other.result.check, Check::Mismatch);
    let gone = judge(&s[3], None, &Err(ApiError::Timeout { ms: 10 }));
    assert!(matches!(gone.stop, Some(Stop::Unreachable(_))));
    let refused = judge(
        &s[3],
        Some(500),
        &Err(ApiError::Http {
            status: 500,
            code: None,
            message: "x".into(),
            retry_after: None,
        }),
    );
    assert_eq!(refused.result.check, Check::Undocumented);
    assert!(matches!(refused.stop, Some(Stop::Refused(_))));
}

#[test]
fn a_comparison_names_the_steps_that_changed() {
    let s = run();
    let a = judge(
        &s[1],
        Some(200),
        &hive(
            HiveAction::Add,
            "Successfully added tags to patron.",
            &["vip"],
            &[],
            &[],
        ),
    )
    .result;
    let b = judge(&s[15], Some(400), &http(400, "INVALID_PATRON")).result;
    let a2 = judge(
        &s[1],
        Some(200),
        &hive(
            HiveAction::Add,
            "Successfully added tag to patron.",
            &["vip"],
            &[],
            &[],
        ),
    )
    .result;
    let b2 = judge(&s[15], Some(404), &http(404, "INVALID_PATRON")).result;
    assert!(compare(&[a.clone(), b.clone()], &[a.clone(), b.clone()]).is_empty());
    let changes = compare(&[a, b], &[a2, b2]);
    let named: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| (c.step.as_str(), c.what.as_str()))
        .collect();
    assert_eq!(
        named,
        [
            ("hive.add.added", "message"),
            ("hive.add.added", "check"),
            ("hive.error.invalid_patron", "status"),
            ("hive.error.invalid_patron", "check"),
        ]
    );
    assert!(changes[0].describe().contains("worded differently"));
    assert!(
        changes[2]
            .describe()
            .contains("now answers 404 INVALID_PATRON (was 400 INVALID_PATRON)")
    );
}
