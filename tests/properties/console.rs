//! The console: arbitrary sessions of keys, pastes, replies and resizes.

use super::*;

// ---------------------------------------------------------------------------------------------
// 2. The console
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub(crate) enum Step {
    Key(KeyCode, KeyModifiers),
    Type(String),
    Paste(String),
    /// Paste into whatever has the keyboard, then Enter (fills and submits a form).
    Fill(String),
    Resize(u16, u16),
    ReplyAll,
    /// Answer one pending request (out of order).
    ReplyOne(Index),
    /// Answer one pending request with an arbitrary status and body (a server that
    /// misbehaves), read by the clients' own parsers.
    ReplyArbitrary(Index, u16, Vec<u8>),
    /// One pending request fails without an answer (connection refused, timeout).
    ReplyFailure(Index, bool),
    /// The backend announces a retry of one pending request.
    Retrying(Index),
    Tick,
    Draw,
    /// A left click at a cell, resolved on the screen as drawn (`double`: two quick ones).
    Click(u16, u16, bool),
    /// A notch of the wheel at a cell (`true`: down).
    Wheel(u16, u16, bool),
    /// A whole operator flow (open a form, fill it, confirm), so that sessions often reach
    /// requests, replies and their errors.
    Flow(Vec<Step>),
}

pub(crate) fn key_pool() -> Vec<(KeyCode, KeyModifiers)> {
    let none = KeyModifiers::NONE;
    let mut pool: Vec<(KeyCode, KeyModifiers)> = keymap::Keymap::default()
        .bound_events()
        .iter()
        .map(|e| (e.code, e.modifiers))
        .collect();
    pool.extend(('a'..='z').map(|c| (KeyCode::Char(c), none)));
    pool.extend(('A'..='Z').map(|c| (KeyCode::Char(c), KeyModifiers::SHIFT)));
    pool.extend(('0'..='9').map(|c| (KeyCode::Char(c), none)));
    pool.extend([
        (KeyCode::Enter, none),
        (KeyCode::Enter, none),
        (KeyCode::Esc, none),
        (KeyCode::Tab, none),
        (KeyCode::BackTab, KeyModifiers::SHIFT),
        (KeyCode::Up, none),
        (KeyCode::Down, none),
        (KeyCode::Down, none),
        (KeyCode::Left, none),
        (KeyCode::Right, none),
        (KeyCode::Home, none),
        (KeyCode::End, none),
        (KeyCode::PageUp, none),
        (KeyCode::PageDown, none),
        (KeyCode::Backspace, none),
        (KeyCode::Delete, none),
        (KeyCode::Char('u'), KeyModifiers::CONTROL),
        (KeyCode::Char('w'), KeyModifiers::CONTROL),
        (KeyCode::Char('p'), KeyModifiers::CONTROL),
        (KeyCode::Char('n'), KeyModifiers::CONTROL),
        (KeyCode::Char(' '), none),
        (KeyCode::Char('y'), none),
        (KeyCode::Char('y'), none),
        (KeyCode::Char('n'), none),
        (KeyCode::Char('/'), none),
        (KeyCode::Char('ß'), none),
        (KeyCode::F(1), none),
    ]);
    // Quitting ends a run, so the quit keys get their own, rarer, branch.
    let quit = |k: &(KeyCode, KeyModifiers)| {
        matches!(k, (KeyCode::Char('q'), _)) || *k == (KeyCode::Char('c'), KeyModifiers::CONTROL)
    };
    pool.retain(|k| !quit(k));
    pool
}

pub(crate) fn console_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(&[
            "vip", "newsletter", "vip, newsletter", "nope", "beta_tester escalated", "user_abc123",
            "fresh_patron", "1185304", "Gold", "Platinum", "EMEA", "ada", "hopper",
            "ada.lovelace@example.edu", "M-1001", "x", "zzzz", " ", "a b", "vip", "newsletter",
            "escalated vip", "Gold", "1185310", "user_def456",
        ][..])
            .prop_map(str::to_string),
        1 => "(?s).{0,40}",
        1 => text(),
    ]
}

pub(crate) fn flow() -> impl Strategy<Value = Vec<Step>> {
    let k = |c: char| Step::Key(KeyCode::Char(c), KeyModifiers::NONE);
    let fill = |w: &'static [&'static str]| select(w).prop_map(|t| Step::Fill(t.to_string()));
    let fields: &'static [&'static str] = &[
        "vip",
        "newsletter",
        "vip newsletter nope",
        "beta_tester, escalated",
        "nope",
        "high_risk",
    ];
    let patrons: &'static [&'static str] = &[
        "user_abc123",
        "user_def456",
        "fresh_patron",
        "another_one",
        "creator_0017",
    ];
    let values: &'static [&'static str] = &["Gold", "Platinum", "EMEA", "x", "Spring 2026"];
    let queries: &'static [&'static str] = &[
        "ada.lovelace@example.edu",
        "M-1002",
        "1185317",
        "nobody@example.edu",
    ];
    let answer = prop_oneof![
        3 => Just(vec![Step::ReplyAll]),
        1 => Just(vec![]),
        1 => any::<Index>().prop_map(|i| vec![Step::ReplyOne(i)]),
    ];
    prop_oneof![
        // Hive: add to the selected patron.
        (fill(fields), answer.clone())
            .prop_map(move |(f, a)| [vec![k('2'), k('a'), f], a].concat()),
        // Hive: open a patron by id.
        fill(patrons).prop_map(move |p| vec![k('o'), p]),
        // Hive: remove typed api_fields (asks first).
        (fill(fields), answer.clone())
            .prop_map(move |(f, a)| [vec![k('2'), k('D'), f, k('y')], a].concat()),
        // Hive: mark the selected tag and remove the marked ones.
        (0usize..4, answer.clone()).prop_map(move |(n, a)| {
            let mut steps = vec![k('2'), Step::Key(KeyCode::Tab, KeyModifiers::NONE)];
            steps.extend((0..n).map(|_| k('j')));
            steps.extend([k(' '), k('d'), k('y')]);
            [steps, a].concat()
        }),
        // Cerego: add a tag to the selected user (or edit instead).
        (fill(values), any::<bool>(), answer.clone()).prop_map(move |(v, up, a)| {
            let mut steps = vec![k('1'), k('a')];
            if up {
                steps.push(Step::Key(KeyCode::Down, KeyModifiers::NONE));
            }
            steps.extend([v, k('y'), Step::Key(KeyCode::Enter, KeyModifiers::NONE)]);
            [steps, a].concat()
        }),
        // Cerego: edit the selected tag.
        (0usize..3, fill(values), answer.clone()).prop_map(move |(n, v, a)| {
            let mut steps = vec![k('1'), Step::Key(KeyCode::Tab, KeyModifiers::NONE)];
            steps.extend((0..n).map(|_| k('j')));
            steps.extend([k('e'), v]);
            [steps, a].concat()
        }),
        // Cerego: look a user up, or reload the list.
        (fill(queries), answer.clone()).prop_map(move |(q, a)| [vec![k('f'), q], a].concat()),
        answer.prop_map(move |a| [vec![k('r')], a].concat()),
        // The log: select an entry, inspect it, scroll, draw at some size.
        (0usize..4, (1u16..=200, 1u16..=60)).prop_map(move |(n, (w, ht))| {
            let mut steps = vec![Step::Key(KeyCode::BackTab, KeyModifiers::SHIFT)];
            steps.extend((0..n).map(|_| k('k')));
            steps.extend([
                Step::Key(KeyCode::Enter, KeyModifiers::NONE),
                Step::Draw,
                k('j'),
                Step::Key(KeyCode::PageDown, KeyModifiers::NONE),
                Step::Resize(w, ht),
            ]);
            steps
        }),
    ]
}

pub(crate) fn step() -> impl Strategy<Value = Step> {
    let size = prop_oneof![
        2 => (1u16..=200, 1u16..=60),
        2 => (1u16..=12, 1u16..=8),
        1 => select(&[(80u16, 24u16), (120, 40), (40, 10), (1, 1), (200, 60), (60, 20)][..]),
    ];
    prop_oneof![
        60 => select(key_pool()).prop_map(|(c, m)| Step::Key(c, m)),
        1 => select(&[(KeyCode::Char('q'), KeyModifiers::NONE),
            (KeyCode::Char('c'), KeyModifiers::CONTROL)][..]).prop_map(|(c, m)| Step::Key(c, m)),
        4 => console_text().prop_map(|t| Step::Type(t.chars().take(12).collect())),
        5 => console_text().prop_map(Step::Paste),
        6 => console_text().prop_map(Step::Fill),
        5 => size.prop_map(|(w, h)| Step::Resize(w, h)),
        8 => Just(Step::ReplyAll),
        4 => any::<Index>().prop_map(Step::ReplyOne),
        1 => any::<Index>().prop_map(Step::Retrying),
        2 => (any::<Index>(), status(), any_body())
            .prop_map(|(i, s, b)| Step::ReplyArbitrary(i, s, b)),
        1 => (any::<Index>(), any::<bool>()).prop_map(|(i, c)| Step::ReplyFailure(i, c)),
        1 => Just(Step::Tick),
        4 => Just(Step::Draw),
        6 => (0u16..200, 0u16..60, any::<bool>()).prop_map(|(x, y, d)| Step::Click(x, y, d)),
        2 => (0u16..200, 0u16..60, any::<bool>()).prop_map(|(x, y, d)| Step::Wheel(x, y, d)),
        8 => flow().prop_map(Step::Flow),
    ]
}

/// Profiles the console can start with.
pub(crate) fn harness(variant: u8) -> Harness {
    let seed = demo_seed().clone();
    match variant {
        0 => Harness::with_seed(seed, 80, 24),
        1 => Harness::with_settings(seed, 100, 30, |s| {
            s.policy.confirm = true;
            s.policy.profile = "prod".into();
            s.profile = "prod".into();
            s.profiles = vec!["prod".into(), "staging".into()];
        }),
        2 => Harness::with_settings(seed, 80, 24, |s| {
            s.policy.read_only = true;
            s.persist = true;
        }),
        3 => Harness::with_seed(Seed::empty(), 60, 20),
        4 => Harness::with_settings(seed, 80, 24, |s| {
            s.cerego = None;
            s.unavailable = vec![tagdesk::config::Unavailable {
                service: tagdesk::core::op::Service::Cerego,
                configured: true,
                reason: "Cerego: no API key".into(),
                set_var: None,
            }];
        }),
        _ => Harness::with_settings(seed, 80, 24, |s| {
            s.hive = None;
            s.patrons.clear();
            s.unavailable = vec![tagdesk::config::Unavailable {
                service: tagdesk::core::op::Service::Hive,
                configured: true,
                reason: "Hive: no API key".into(),
                set_var: None,
            }];
        }),
    }
}

pub(crate) fn resize_terminal(h: &mut Harness, w: u16, ht: u16) {
    h.send(Message::Resize(w, ht));
    h.terminal.backend_mut().resize(w, ht);
    h.draw();
}

/// Runs one step. Returns false when a reply did not come from the simulator's model (so
/// tagdesk's view may rightly differ from the model afterwards).
pub(crate) fn run_step(h: &mut Harness, step: &Step) -> bool {
    match step {
        Step::Key(code, mods) => h.key_mod(*code, *mods),
        Step::Type(t) => {
            for c in t.chars() {
                if h.quit {
                    break;
                }
                h.key(KeyCode::Char(c));
            }
        }
        Step::Paste(t) => h.paste(t),
        Step::Fill(t) => {
            h.paste(t);
            h.key(KeyCode::Enter);
        }
        Step::Resize(w, ht) => resize_terminal(h, *w, *ht),
        Step::ReplyAll => h.reply_all(),
        Step::ReplyOne(i) => {
            if !h.pending.is_empty() {
                let r = h.pending.remove(i.index(h.pending.len()));
                let reply = h.answer(&r);
                h.send(Message::Reply(Box::new(reply)));
            }
        }
        Step::ReplyArbitrary(i, status, body) => {
            if h.pending.is_empty() {
                return true;
            }
            let r = h.pending.remove(i.index(h.pending.len()));
            let mut reply = h.answer(&r);
            // The model answered (and changed its state); the App sees another answer.
            if let Some(ex) = reply.exchanges.first_mut() {
                ex.status = Some(*status);
                ex.response_body = Some(String::from_utf8_lossy(body).into_owned());
            }
            reply.result = tagdesk::core::op::interpret(&r.op, *status, body);
            h.send(Message::Reply(Box::new(reply)));
            return false;
        }
        Step::ReplyFailure(i, connect) => {
            if h.pending.is_empty() {
                return true;
            }
            let r = h.pending.remove(i.index(h.pending.len()));
            let mut reply = h.answer(&r);
            reply.exchanges.clear();
            reply.result = Err(if *connect {
                ApiError::Network {
                    message: "connection refused".into(),
                    connect: true,
                }
            } else {
                ApiError::Timeout { ms: 20_000 }
            });
            h.send(Message::Reply(Box::new(reply)));
            return false;
        }
        Step::Retrying(i) => {
            if !h.pending.is_empty() {
                let id = h.pending[i.index(h.pending.len())].id;
                let notice = tagdesk::engine::retry::RetryNotice {
                    attempt: 2,
                    max_attempts: 4,
                    wait_ms: 1500,
                    at: h.app.now + chrono::Duration::milliseconds(1500),
                    reason: "HTTP 503: Service Unavailable (empty body)".into(),
                    from_retry_after: false,
                    status: None,
                };
                h.send(Message::Retrying { id, notice });
            }
        }
        Step::Tick => h.send(Message::Tick),
        Step::Draw => h.draw(),
        Step::Click(x, y, false) => h.click(*x, *y),
        Step::Click(x, y, true) => h.double_click(*x, *y),
        Step::Wheel(x, y, down) => h.wheel(*x, *y, *down),
        Step::Flow(steps) => {
            let mut faithful = true;
            for s in steps {
                if h.quit || h.switched.is_some() {
                    break;
                }
                faithful &= run_step(h, s);
            }
            return faithful;
        }
    }
    true
}

/// `faithful`: every reply so far came from the model, so tagdesk's view must match it.
pub(crate) fn check_invariants(h: &Harness, faithful: bool) -> Result<(), TestCaseError> {
    let app = &h.app;
    let c = &app.cerego;
    prop_assert!(
        c.list.selected() < c.list.visible().len().max(1),
        "cerego.selected {} of {} visible",
        c.list.selected(),
        c.list.visible().len()
    );
    prop_assert!(
        c.list.visible().iter().all(|&i| i < app.known.cerego.len()),
        "cerego.visible out of range"
    );
    let user_tags = app.selected_user().map(|u| u.tags.len()).unwrap_or(0);
    prop_assert!(
        c.tag_selected < user_tags.max(1),
        "cerego.tag_selected {} of {} tags",
        c.tag_selected,
        user_tags
    );
    let hv = &app.hive;
    prop_assert!(
        hv.list.selected() < hv.list.visible().len().max(1),
        "hive.selected {} of {} visible",
        hv.list.selected(),
        hv.list.visible().len()
    );
    prop_assert!(
        hv.list
            .visible()
            .iter()
            .all(|&i| i < app.known.hive.patrons().len()),
        "hive.visible out of range"
    );
    let patron = app.selected_patron();
    let patron_tags = patron.map(|p| p.tags.len()).unwrap_or(0);
    prop_assert!(
        hv.tag_selected < patron_tags.max(1),
        "hive.tag_selected {} of {} tags",
        hv.tag_selected,
        patron_tags
    );
    prop_assert!(
        app.log.list.selected() < app.log.list.visible().len().max(1),
        "log selection {} of {} visible",
        app.log.list.selected(),
        app.log.list.visible().len()
    );
    match &app.popup {
        Some(Popup::Inspector(Inspector { key, .. })) => prop_assert!(app.log.get(key).is_some()),
        Some(Popup::Profiles(Profiles { selected })) => {
            prop_assert!(*selected < app.settings.profiles.len().max(1))
        }
        _ => {}
    }
    // Marks belong to the patron they were made on: every mark is a tag of the selected
    // patron (see `bug_marks_survive_a_filter_that_changes_the_patron`).
    match patron {
        Some(p) => {
            for m in &hv.marked {
                prop_assert!(
                    p.tags.iter().any(|t| &t.api_field == m),
                    "mark {} is not a tag of the selected patron {}",
                    m,
                    p.id
                );
            }
        }
        None => prop_assert!(hv.marked.is_empty(), "marks without a selected patron"),
    }
    for p in app.known.hive.patrons() {
        let known: HashSet<&str> = p.tags.iter().map(|t| t.api_field.as_str()).collect();
        prop_assert_eq!(known.len(), p.tags.len(), "duplicate tags on {}", p.id);
    }
    prop_assert_eq!(app.in_flight(), h.pending.len(), "in flight vs pending");
    let pending_ids: HashSet<u64> = h.pending.iter().map(|r| r.id).collect();
    prop_assert_eq!(pending_ids.len(), h.pending.len(), "request ids are unique");
    if !faithful {
        return Ok(());
    }
    // tagdesk's own view of Hive (built from responses) agrees with the simulator: every
    // reply has been applied, so a patron's known tags are what Hive holds.
    for p in app.known.hive.patrons() {
        let known: HashSet<&str> = p.tags.iter().map(|t| t.api_field.as_str()).collect();
        let truth: HashSet<&str> = h
            .model
            .hive
            .patrons
            .get(p.id.as_str())
            .map(|tags| tags.into_iter().collect())
            .unwrap_or_default();
        if p.complete {
            prop_assert_eq!(&known, &truth, "patron {}", p.id);
        } else {
            prop_assert!(
                known.is_subset(&truth),
                "patron {}: {:?} vs {:?}",
                p.id,
                known,
                truth
            );
        }
    }
    // The same for Cerego: every user shown carries exactly the tags the simulator holds.
    for u in app.known.cerego.iter() {
        let shown: Vec<(String, Option<String>)> = u
            .tags
            .iter()
            .map(|t| (t.id.to_string(), t.value.map(str::to_string)))
            .collect();
        let mut shown_sorted = shown.clone();
        shown_sorted.sort();
        let mut truth: Vec<(String, Option<String>)> = h
            .model
            .cerego
            .tags()
            .filter(|t| t.user_id == u.id)
            .map(|t| (t.id.to_string(), Some(t.value.clone())))
            .collect();
        truth.sort();
        prop_assert_eq!(shown_sorted, truth, "user {}", u.id);
    }
    Ok(())
}

pub(crate) fn run_console(variant: u8, preload: bool, steps: &[Step]) -> Result<(), TestCaseError> {
    let mut h = harness(variant);
    if preload {
        h.reply_all();
    }
    let mut faithful = true;
    check_invariants(&h, faithful)?;
    for step in steps {
        if h.quit || h.switched.is_some() {
            break;
        }
        faithful &= run_step(&mut h, step);
        check_invariants(&h, faithful)?;
    }
    h.draw();
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    /// Arbitrary sessions on every kind of profile: nothing panics (updating or drawing, at
    /// any size from 1x1 to 200x60) and the selections, the log and the requests in flight
    /// stay consistent after every message.
    #[test]
    fn console_survives_any_session(
        variant in 0u8..6,
        preload in prop::bool::weighted(0.8),
        steps in prop::collection::vec(step(), 0..60),
    ) {
        run_console(variant, preload, &steps)?;
    }
}

/// Every size from 1x1 to 30x12 (and a few wide / tall ones) draws every main screen.
#[test]
pub(crate) fn console_draws_at_every_small_size() {
    let mut h = Harness::demo(80, 24);
    let screens: [&[KeyCode]; 4] = [
        &[],
        &[KeyCode::Char('2')],
        &[KeyCode::Char('?')],
        &[KeyCode::Esc, KeyCode::Tab, KeyCode::Tab, KeyCode::Enter],
    ];
    for keys in screens {
        for k in keys {
            h.key(*k);
        }
        for w in 1..=30 {
            for ht in 1..=12 {
                resize_terminal(&mut h, w, ht);
            }
        }
        for (w, ht) in [(200, 1), (1, 60), (200, 2), (2, 60), (200, 60)] {
            resize_terminal(&mut h, w, ht);
        }
    }
}
