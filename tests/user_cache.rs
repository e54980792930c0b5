//! The user cache (issue 20, "the list is there at start"): the last complete listing is
//! shown at start with its age, the refresh replaces it keeping the selection, the filter and
//! the marks (and dropping users who left), it is never the ground for a change, it is off
//! when configured, and its file is 0600, written whole and never trusted blindly.

mod support;

use chrono::{DateTime, Duration, Utc};
use ratatui::crossterm::event::KeyCode;
use support::pty::{Dirs, Mode, Sim, Tui};
use support::*;
use tagdesk::core::model::{CacheMeta, CachedUsers, KnownUsers, decode_cache, encode_cache};
use tagdesk::core::op::Op;
use tagdesk::core::op::Service;
use tagdesk::core::op::cerego::CeregoUser;
use tagdesk::engine::backend::Request;
use tagdesk::engine::exec::ListLimits;
use tagdesk::engine::user_cache;
use tagdesk::sim::seed::Seed;
use tagdesk::tui::app::{Message, Tab};
use tagdesk::tui::popups::Popup;

/// When the cached listing completed: two hours before the harness starts (10:00 UTC).
fn as_of() -> DateTime<Utc> {
    t0() - Duration::hours(2)
}

/// Every user of the seed's partner listing, page by page, as the server lists them.
fn live_users(seed: &Seed) -> Vec<CeregoUser> {
    let mut users = Vec::new();
    let mut page = 1;
    loop {
        let p = reply_page(seed, page);
        users.extend(p.users);
        if p.total_pages.is_none_or(|t| u64::from(page) >= t) {
            return users;
        }
        page += 1;
    }
}

fn meta(seed: &Seed) -> CacheMeta {
    CacheMeta {
        as_of: as_of(),
        partner: seed.cerego.partner_id.to_string(),
        departments: false,
        total_count: None,
        cut: None,
    }
}

/// A cache of these users, through the file format.
fn cache_of(seed: &Seed, users: Vec<CeregoUser>) -> CachedUsers {
    let mut known = KnownUsers::default();
    known.intake(users);
    decode_cache(&encode_cache(&known, &meta(seed)), 1_000_000).expect("reads back")
}

/// The console of `seed` with the cache on, its listing sent but not answered, and `cached`
/// read at start. Returns the listing request.
fn started(seed: &Seed, cached: Vec<CeregoUser>) -> (Harness, Request) {
    let mut h = Harness::with_settings(seed.clone(), 120, 30, |s| s.cache_users = true);
    let listing = h.pending.remove(0);
    assert!(matches!(
        listing.op,
        Op::CeregoListUsers { query: None, .. }
    ));
    h.send(Message::CachedUsers(Box::new(cache_of(seed, cached))));
    (h, listing)
}

/// The refresh: every page, then the listing's reply.
fn refresh(h: &mut Harness, seed: &Seed, listing: &Request, pages: std::ops::RangeInclusive<u32>) {
    for page in pages {
        h.send(Message::Page {
            id: listing.id,
            progress: reply_page(seed, page),
        });
    }
}

fn finish(h: &mut Harness, listing: &Request) {
    let reply = h.answer(listing);
    h.send(Message::Reply(Box::new(reply)));
}

fn users_title(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains("Users"))
        .unwrap_or_default()
        .to_string()
}

fn select(h: &mut Harness, id: &str) {
    h.key(KeyCode::Home);
    while h.app.selected_user().map(|u| u.id.to_string()).as_deref() != Some(id) {
        let before = h.app.cerego.list.selected();
        h.key(KeyCode::Down);
        assert_ne!(before, h.app.cerego.list.selected(), "{id} is not shown");
    }
}

#[test]
fn the_cached_list_shows_at_start_with_its_age_and_the_refresh_keeps_selection_filter_and_marks() {
    let seed = Seed::grown(60);
    let live = live_users(&seed);
    assert_eq!(live.len(), 60, "three pages of 25");
    let mut cached = live.clone();
    cached[3].name = Some("Old Name".into());
    cached.insert(
        10,
        CeregoUser {
            id: "1999999".into(),
            name: Some("Gone Away".into()),
            email: Some("user1gone@example.edu".into()),
            ..CeregoUser::default()
        },
    );
    let (mut h, listing) = started(&seed, cached);

    // At once, before any page: the cached users, the title with the cache's age.
    let screen = h.screen();
    let title = users_title(&screen);
    assert!(title.contains("as of 10:00 · refreshing · 61"), "{title}");
    assert!(screen.contains("Old Name"), "{screen}");

    // The operator filters, marks two users (one who has since left) and selects a third.
    h.key(KeyCode::Char('/'));
    h.type_text("user1");
    h.key(KeyCode::Enter);
    let kept = live[12].id.clone();
    select(&mut h, "1999999");
    h.key(KeyCode::Char(' '));
    select(&mut h, &kept);
    h.key(KeyCode::Char(' '));
    let marked = live[15].id.clone();
    select(&mut h, &marked);
    h.key(KeyCode::Char(' '));
    select(&mut h, &kept);
    assert_eq!(h.app.cerego.marks.len(), 3);

    let shown_before: Vec<String> = h
        .app
        .cerego
        .list
        .visible()
        .iter()
        .filter_map(|&i| h.app.known.cerego.get(i))
        .map(|u| u.id.to_string())
        .filter(|id| id != "1999999")
        .collect();
    assert!(shown_before.len() >= 11, "{shown_before:?}");

    // A page in: nothing blanks, the user who left still shows, the title says how far.
    refresh(&mut h, &seed, &listing, 1..=1);
    let screen = h.screen();
    assert!(
        users_title(&screen).contains("as of 10:00 · refreshing 33%"),
        "{screen}"
    );
    assert!(screen.contains("Gone Away"), "{screen}");
    assert!(h.app.known.cerego.cached_as_of().is_some());

    refresh(&mut h, &seed, &listing, 2..=3);
    finish(&mut h, &listing);

    // The fresh list: the changed row updated, the user who left gone with their mark, the
    // selection on the same user, the filter as typed, the title current.
    assert_eq!(h.app.known.cerego.len(), 60);
    assert_eq!(h.app.known.cerego.position("1999999"), None);
    assert_eq!(
        h.app.known.cerego.user(&live[3].id).and_then(|u| u.name),
        live[3].name.as_deref()
    );
    assert_eq!(
        h.app.selected_user().map(|u| u.id.to_string()),
        Some(kept.clone())
    );
    assert_eq!(h.app.cerego.list.filter.text(), "user1");
    let mut marks: Vec<&String> = h.app.cerego.marks.ids.iter().collect();
    marks.sort();
    let mut want = vec![&kept, &marked];
    want.sort();
    assert_eq!(marks, want, "the mark of the user who left went with them");
    let shown: Vec<String> = h
        .app
        .cerego
        .list
        .visible()
        .iter()
        .filter_map(|&i| h.app.known.cerego.get(i))
        .map(|u| u.id.to_string())
        .collect();
    assert_eq!(
        shown, shown_before,
        "the filter's rows, less the user who left"
    );
    let screen = h.screen();
    let title = users_title(&screen);
    assert!(title.contains("· 60 · current"), "{title}");
    assert!(!title.contains("as of"), "{title}");
    assert!(!screen.contains("Gone Away"), "{screen}");
    assert!(h.app.known.cerego.cached_as_of().is_none());
}

#[test]
fn a_page_that_came_before_the_cache_wins_and_the_cache_is_not_shown() {
    let seed = Seed::grown(30);
    let mut h = Harness::with_settings(seed.clone(), 120, 30, |s| s.cache_users = true);
    let listing = h.pending.remove(0);
    refresh(&mut h, &seed, &listing, 1..=1);
    let mut cached = live_users(&seed);
    cached.push(CeregoUser {
        id: "1999999".into(),
        name: Some("Gone Away".into()),
        ..CeregoUser::default()
    });
    h.send(Message::CachedUsers(Box::new(cache_of(&seed, cached))));
    assert_eq!(h.app.known.cerego.len(), 25, "the live page only");
    assert!(h.app.known.cerego.cached_as_of().is_none());
    assert!(!users_title(&h.screen()).contains("as of"));
}

#[test]
fn an_edit_opened_on_a_cached_user_says_so_and_is_sent_only_from_the_live_tags() {
    let seed = Seed::grown(30);
    let live = live_users(&seed);
    let (at, user) = live
        .iter()
        .enumerate()
        .find(|(_, u)| u.tags.first().is_some_and(|t| t.value.is_some()))
        .expect("a user with a tag");
    let live_value = user.tags[0].value.clone().expect("a value");
    let tag_id = user.tags[0].id.clone();
    let mut cached = live.clone();
    cached[at].tags[0].value = Some("Cached Value".into());
    let (mut h, listing) = started(&seed, cached);
    select(&mut h, &user.id);

    // The user has several tags: e asks which; the first is the one with the cached value.
    h.key(KeyCode::Char('e'));
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(
        screen.contains("tags shown are from the list cached at 10:00"),
        "{screen}"
    );
    assert!(screen.contains("\"Cached Value\""), "{screen}");
    for _ in 0.."Cached Value".len() {
        h.key(KeyCode::Backspace);
    }
    h.type_text("Platinum");
    h.key(KeyCode::Enter);
    assert!(h.pending.is_empty(), "nothing is sent from the cache");
    assert!(
        matches!(h.app.popup, Some(Popup::Form(_))),
        "the form stays"
    );
    let status = h.app.status.clone().map(|s| s.1).unwrap_or_default();
    assert!(
        status.starts_with("Nothing was sent: tags shown are from"),
        "{status}"
    );

    // The refresh reads the user live: the form no longer says it is the cache's, and
    // Enter shows the live value before anything is sent.
    refresh(&mut h, &seed, &listing, 1..=2);
    finish(&mut h, &listing);
    let screen = h.screen();
    let above_status: Vec<&str> = screen
        .lines()
        .filter(|l| !l.contains("Nothing was sent"))
        .collect();
    assert!(
        !above_status
            .join("\n")
            .contains("tags shown are from the list cached"),
        "the form no longer says so:\n{screen}"
    );
    h.key(KeyCode::Enter);
    assert!(h.pending.is_empty());
    let status = h.app.status.clone().map(|s| s.1).unwrap_or_default();
    assert!(
        status.contains(&format!("tag {tag_id} is now \"{live_value}\"")),
        "{status}"
    );
    assert!(h.screen().contains(&format!("\"{live_value}\"")));
    h.key(KeyCode::Enter);
    let sent = h.pending.first().expect("the update is sent");
    assert!(
        matches!(&sent.op, Op::CeregoUpdate { tag, value } if tag.as_str() == tag_id && value.as_str() == "Platinum"),
        "{:?}",
        sent.op
    );
    assert_eq!(
        sent.prior.as_deref(),
        Some(live_value.as_str()),
        "the undo's prior is the live value, not the cache's"
    );
}

#[test]
fn a_batch_is_never_planned_from_cached_rows() {
    let seed = Seed::grown(30);
    let live = live_users(&seed);
    let (mut h, listing) = started(&seed, live.clone());
    select(&mut h, &live[1].id);
    h.key(KeyCode::Char(' '));
    select(&mut h, &live[2].id);
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('a'));
    h.type_text("Gold");
    h.key(KeyCode::Enter);
    assert!(h.app.popup.is_none(), "no preview");
    let status = h.app.status.clone().map(|s| s.1).unwrap_or_default();
    assert!(
        status.contains("2 of the marked users are as the list cached at 10:00")
            && status.contains("planned from live tags only"),
        "{status}"
    );
    // An import is planned against the live listing only, as before.
    h.send(Message::ImportRead {
        path: "rows.csv".into(),
        service: Service::Cerego,
        result: Ok(std::sync::Arc::new(
            b"user_id,tag_type_id,value\n1,5,Gold\n".to_vec(),
        )),
    });
    let status = h.app.status.clone().map(|s| s.1).unwrap_or_default();
    assert!(status.contains("has not finished loading"), "{status}");

    refresh(&mut h, &seed, &listing, 1..=2);
    finish(&mut h, &listing);
    assert_eq!(h.app.tab, Tab::Cerego);
    h.key(KeyCode::Char('a'));
    h.type_text("Gold");
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.app.popup, Some(Popup::Preview(_))),
        "planned once read live: {:?}",
        h.app.status
    );
}

#[test]
fn a_complete_listing_is_cached_only_when_the_profile_keeps_one() {
    let seed = Seed::grown(30);
    let mut h = Harness::with_settings(seed.clone(), 120, 30, |s| s.cache_users = true);
    h.reply_all();
    let bytes = h.user_cache.clone().expect("a cache to write");
    let back = decode_cache(&bytes, 1_000).expect("reads back");
    assert_eq!(back.meta.partner, seed.cerego.partner_id.to_string());
    let ids: Vec<String> = back.users.iter().map(|u| u.id.to_string()).collect();
    let live: Vec<String> = live_users(&seed).into_iter().map(|u| u.id).collect();
    assert_eq!(ids, live);

    // Off (`[cache] users = false`, and demo mode): nothing to write.
    let mut h = Harness::with_settings(seed, 120, 30, |s| s.cache_users = false);
    h.reply_all();
    assert!(h.user_cache.is_none());
}

#[test]
fn the_file_is_0600_written_whole_and_a_damaged_one_is_ignored_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed = Seed::grown(30);
    let mut known = KnownUsers::default();
    known.intake(live_users(&seed));
    let bytes = encode_cache(&known, &meta(&seed));
    let limits = ListLimits::default();
    let partner = seed.cerego.partner_id.to_string();
    let listing = (partner.as_str(), false);
    assert!(
        user_cache::load(dir.path(), "p", &limits, listing)
            .expect("no file")
            .is_none()
    );
    {
        let writer = user_cache::Writer::start(dir.path().join("data"), "p".into());
        writer.save(std::sync::Arc::new(bytes.clone()));
    }
    let data = dir.path().join("data");
    let path = user_cache::file_for(&data, "p");
    assert!(path.ends_with("users-p.cache"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let names: Vec<_> = std::fs::read_dir(&data)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    let back = user_cache::load(&data, "p", &limits, listing)
        .expect("reads")
        .expect("a cache");
    assert_eq!(back.users.len(), 30);

    // Another partner's, a torn one, a damaged one, one past the limits: ignored, each
    // with its reason, never a panic.
    let other = user_cache::load(&data, "p", &limits, ("9999", false)).unwrap_err();
    assert!(
        other.contains("lists partner") && other.contains("ignored"),
        "{other}"
    );
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("write");
    let torn = user_cache::load(&data, "p", &limits, listing).unwrap_err();
    assert!(torn.contains("cut short or damaged"), "{torn}");
    std::fs::write(&path, b"{\"users\": []}").expect("write");
    let junk = user_cache::load(&data, "p", &limits, listing).unwrap_err();
    assert!(junk.contains("not a tagdesk user cache"), "{junk}");
    let small = ListLimits {
        max_users: 10,
        ..ListLimits::default()
    };
    std::fs::write(&path, &bytes).expect("write");
    let many = user_cache::load(&data, "p", &small, listing).unwrap_err();
    assert!(many.contains("max_users"), "{many}");
    assert!(user_cache::remove(&data, "p").expect("removed"));
    assert!(!path.exists());
}

/// The real console: a first run writes the cache (0600); the next start shows it at once
/// while a slow listing runs, then says the list is current; a damaged cache is ignored
/// with a line in the log; `[cache] users = false` removes the file and writes none.
#[test]
fn the_console_shows_the_cache_at_start_and_is_off_when_configured() {
    let dirs = Dirs::new();
    let sim = Sim::start(&["cerego:latency=2500"]);
    dirs.write_config(&sim.base_url());
    let cache = dirs.data().join("users-e2e.cache");

    let mut tui = Tui::start(
        &dirs,
        Mode::Config {
            hive_key: support::pty::HIVE_KEY,
        },
    );
    tui.wait_for("partner 4242");
    tui.send("q");
    tui.wait_exit();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cache)
            .expect("cache written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let mut tui = Tui::start(
        &dirs,
        Mode::Config {
            hive_key: support::pty::HIVE_KEY,
        },
    );
    let screen = tui.wait_for("· refreshing");
    assert!(screen.contains("as of "), "{screen}");
    tui.wait_for("· current");
    tui.send("q");
    tui.wait_exit();

    std::fs::write(&cache, b"tagdesk users cache\n\x01garbage").expect("damage it");
    let mut tui = Tui::start(
        &dirs,
        Mode::Config {
            hive_key: support::pty::HIVE_KEY,
        },
    );
    tui.wait_for("partner 4242");
    tui.send("q");
    tui.wait_exit();
    let log = std::fs::read_to_string(dirs.data().join("tagdesk.log")).expect("log");
    assert!(
        log.contains("users-e2e.cache") && log.contains("ignored"),
        "{log}"
    );

    let config = std::fs::read_to_string(dirs.config()).expect("config");
    std::fs::write(dirs.config(), format!("{config}\n[cache]\nusers = false\n")).expect("config");
    let mut tui = Tui::start(
        &dirs,
        Mode::Config {
            hive_key: support::pty::HIVE_KEY,
        },
    );
    tui.wait_for("partner 4242");
    tui.send("q");
    tui.wait_exit();
    assert!(!cache.exists(), "removed, and not written again");
}

#[test]
fn a_refresh_that_fails_leaves_the_cached_list_titled_so_and_r_tries_again() {
    let seed = Seed::grown(30);
    let (mut h, listing) = started(&seed, live_users(&seed));
    let failed = reply_with(&listing, 500, b"{\"errors\":[]}", t0());
    h.send(Message::Reply(Box::new(failed)));
    let title = users_title(&h.screen());
    assert!(
        title.contains("as of 10:00 · refresh failed · 30"),
        "{title}"
    );
    h.key(KeyCode::Char('r'));
    assert!(
        matches!(
            h.pending.last().map(|r| &r.op),
            Some(Op::CeregoListUsers { query: None, .. })
        ),
        "a new listing"
    );
    let title = users_title(&h.screen());
    assert!(title.contains("as of 10:00 · refreshing · 30"), "{title}");
}
