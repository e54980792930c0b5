//! `tagdesk config check`'s page-size step: Cerego does not document `page[size]` for its
//! user list, so the check asks for the first page twice — at the server's default and at
//! [`PROBE_SIZE`] — counts what came back each time, and says whether the server honours
//! the size and what `cerego.page_size` would save. Two reads; nothing changes.

use crate::config::Profile;
use crate::core::op::ApiError;
use crate::core::op::cerego::UsersPage;
use crate::core::printable::{grouped, plural};
use crate::engine::api::cerego::CeregoClient;

/// The page size the check tries.
pub const PROBE_SIZE: u32 = 100;

/// What the check says about the page size (informational: it neither passes nor fails).
pub async fn probe(client: &CeregoClient, profile: &Profile) -> String {
    let Some(cerego) = &profile.cerego else {
        return "skipped: Cerego is not configured".into();
    };
    let listing = cerego.listing(None);
    let plain = client.clone().with_page_size(None);
    let sized = client.clone().with_page_size(Some(PROBE_SIZE));
    let default = plain.users_page(&listing, 1).await.result;
    let bigger = sized.users_page(&listing, 1).await.result;
    let setting = match cerego.page_size {
        Some(n) => format!(" (profile {} sets page_size = {n})", profile.name),
        None => String::new(),
    };
    verdict(&profile.name, default, bigger) + &setting
}

fn pages_of(n: u64) -> String {
    format!("{} page{}", grouped(n), if n == 1 { "" } else { "s" })
}

/// The sentence for the two first pages: at the default size and at [`PROBE_SIZE`].
fn verdict(
    profile: &str,
    default: Result<UsersPage, ApiError>,
    bigger: Result<UsersPage, ApiError>,
) -> String {
    let default = match default {
        Ok(p) => p,
        Err(e) => return format!("could not read a page of users to compare: {e}"),
    };
    let bigger = match bigger {
        Ok(p) => p,
        Err(e @ ApiError::Http { .. }) => {
            return format!(
                "the server refuses page[size]={PROBE_SIZE} ({e}): leave cerego.page_size unset"
            );
        }
        Err(e) => return format!("could not read a page of {PROBE_SIZE} users: {e}"),
    };
    let (d, n) = (default.users.len() as u64, bigger.users.len() as u64);
    let total = default.total_count.or(bigger.total_count);
    if n > d {
        let pages = |size: u64, given: Option<u64>| {
            given.or_else(|| total.map(|t| t.div_ceil(size.max(1))))
        };
        let saves = match (pages(d, default.total_pages), pages(n, bigger.total_pages)) {
            (Some(before), Some(after)) if after > 0 => format!(
                ": set cerego.page_size = {PROBE_SIZE} in profile {profile} to list {} users in \
                 {} instead of {} ({:.0}× fewer requests)",
                total.map(grouped).unwrap_or_else(|| "its".into()),
                pages_of(after),
                pages_of(before),
                before as f64 / after as f64
            ),
            _ => format!(
                ": set cerego.page_size = {PROBE_SIZE} in profile {profile} for fewer pages"
            ),
        };
        return format!(
            "the server honours page[size]={PROBE_SIZE} (got {} on a page, {d} without \
             it){saves}",
            plural(n, "user", "users")
        );
    }
    if total.is_some_and(|t| t <= d) || n == 0 {
        return format!(
            "the partner's {} on one page of the server's default size: whether it \
             honours page[size] cannot be told, and there is nothing to save; leave \
             cerego.page_size unset",
            match total.unwrap_or(d) {
                1 => "1 user fits".to_string(),
                t => format!("{} users fit", grouped(t)),
            }
        );
    }
    format!(
        "the server ignores page[size]={PROBE_SIZE} (got {} on a page, as without it): \
         leave cerego.page_size unset",
        plural(n, "user", "users")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(users: usize, total: u64, size: u64) -> Result<UsersPage, ApiError> {
        let user = crate::core::op::cerego::CeregoUser {
            id: "1".to_string(),
            ..Default::default()
        };
        Ok(UsersPage {
            users: vec![user; users],
            total_pages: Some(total.div_ceil(size)),
            total_count: Some(total),
            has_next_link: true,
            bytes: 0,
        })
    }

    #[test]
    fn an_honoured_size_names_the_setting_and_what_it_saves() {
        let v = verdict("prod", page(25, 100_036, 25), page(100, 100_036, 100));
        assert!(v.contains("honours page[size]=100 (got 100 users"), "{v}");
        assert!(v.contains("cerego.page_size = 100 in profile prod"), "{v}");
        assert!(v.contains("1,001 pages instead of 4,002"), "{v}");
    }

    #[test]
    fn a_partner_of_one_user_is_counted_in_good_english() {
        let v = verdict("prod", page(1, 1, 25), page(1, 1, 100));
        assert!(v.contains("the partner's 1 user fits on one page"), "{v}");
        let v = verdict("prod", page(2, 2, 25), page(2, 2, 100));
        assert!(v.contains("the partner's 2 users fit on one page"), "{v}");
        let v = verdict("prod", page(1, 30, 1), page(1, 30, 1));
        assert!(v.contains("(got 1 user on a page, as without it)"), "{v}");
    }

    #[test]
    fn an_ignored_size_says_to_leave_it_unset() {
        let v = verdict("prod", page(25, 1000, 25), page(25, 1000, 25));
        assert!(v.contains("ignores page[size]=100 (got 25 users"), "{v}");
        assert!(v.contains("leave cerego.page_size unset"), "{v}");
        let small = verdict("prod", page(10, 10, 25), page(10, 10, 100));
        assert!(small.contains("fit on one page"), "{small}");
    }
}
