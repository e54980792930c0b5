//! The user cache's format: a partner's last complete listing as the console keeps it, so
//! that the next start can show it at once (`engine::user_cache` reads and writes the file).
//!
//! Compact and checked: a magic line and a version, then what the listing was (when it
//! completed, the partner, whether department users were included, the server's count, why
//! it stopped short if it did), then the rows as [`UserRow`] keeps them — each a length and
//! the row's own bytes, so reading a row back is a copy and a check, not a parse of JSON.
//! Anything that does not read back whole (a torn write, another version, a damaged byte in
//! a row's header) is refused with the reason; the caller ignores the file.

use chrono::{DateTime, Utc};

use super::row::{UserRow, checked_varint, put_varint};
use super::users::KnownUsers;

/// The file's first bytes.
const MAGIC: &[u8] = b"tagdesk users cache\n";
/// The format's version (the byte after the magic line).
const VERSION: u8 = 1;

/// What a cached listing was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheMeta {
    /// When the listing completed.
    pub as_of: DateTime<Utc>,
    /// The partner it listed (a cache of another partner is not shown).
    pub partner: String,
    /// Whether it included department users.
    pub departments: bool,
    /// The server's count of the partner's users, if it gave one.
    pub total_count: Option<u64>,
    /// Why the listing stopped short (a limit), if it did.
    pub cut: Option<String>,
}

/// A cache read back: what the listing was, and its users (every one counted as not read
/// live, see [`KnownUsers::from_cache`]).
#[derive(Debug, Clone)]
pub struct CachedUsers {
    pub meta: CacheMeta,
    pub users: KnownUsers,
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

/// The cache of `users` (in list order) as `meta` describes their listing.
pub fn encode_cache(users: &KnownUsers, meta: &CacheMeta) -> Vec<u8> {
    let rows = users.rows();
    let body: usize = rows.iter().map(|r| r.size() + 3).sum();
    let mut out = Vec::with_capacity(MAGIC.len() + 64 + meta.partner.len() + body);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    put_varint(&mut out, meta.as_of.timestamp_millis().max(0) as u64);
    put_text(&mut out, &meta.partner);
    out.push(u8::from(meta.departments));
    put_varint(
        &mut out,
        meta.total_count.map_or(0, |n| n.saturating_add(1)),
    );
    match &meta.cut {
        None => put_varint(&mut out, 0),
        Some(cut) => {
            put_varint(&mut out, cut.len() as u64 + 1);
            out.extend_from_slice(cut.as_bytes());
        }
    }
    put_varint(&mut out, rows.len() as u64);
    for row in rows {
        put_varint(&mut out, row.size() as u64);
        out.extend_from_slice(row.as_bytes());
    }
    out
}

/// Reads what [`encode_cache`] wrote, holding at most `max_users` users (`[limits]`).
pub fn decode_cache(bytes: &[u8], max_users: u64) -> Result<CachedUsers, String> {
    let mut r = bytes
        .strip_prefix(MAGIC)
        .ok_or("not a tagdesk user cache")?;
    let (&version, rest) = r.split_first().ok_or("cut short")?;
    if version != VERSION {
        return Err(format!(
            "written in format {version} (this tagdesk reads {VERSION})"
        ));
    }
    r = rest;
    let cut_short = || "cut short or damaged".to_string();
    let varint = |r: &mut &[u8]| checked_varint(r).ok_or_else(cut_short);
    let text = |r: &mut &[u8], len: u64| -> Result<String, String> {
        let len = usize::try_from(len).map_err(|_| cut_short())?;
        let (t, rest) = r.split_at_checked(len).ok_or_else(cut_short)?;
        *r = rest;
        String::from_utf8(t.to_vec()).map_err(|_| "damaged text".to_string())
    };
    let millis = i64::try_from(varint(&mut r)?).map_err(|_| "a damaged time".to_string())?;
    let as_of = DateTime::from_timestamp_millis(millis).ok_or("a damaged time")?;
    let len = varint(&mut r)?;
    let partner = text(&mut r, len)?;
    let (&departments, rest) = r.split_first().ok_or_else(cut_short)?;
    r = rest;
    let total_count = varint(&mut r)?.checked_sub(1);
    let cut = match varint(&mut r)? {
        0 => None,
        n => Some(text(&mut r, n - 1)?),
    };
    let count = varint(&mut r)?;
    if count > max_users {
        return Err(format!(
            "holds {count} users, more than max_users ({max_users}, [limits] in the configuration)"
        ));
    }
    // A count the bytes cannot hold is damage, not a reason to reserve memory for it.
    let mut rows = Vec::with_capacity((count as usize).min(r.len() / 2));
    for i in 0..count {
        let len = varint(&mut r)?;
        let len = usize::try_from(len).map_err(|_| cut_short())?;
        let (row, rest) = r.split_at_checked(len).ok_or_else(cut_short)?;
        r = rest;
        rows.push(UserRow::from_bytes(row).ok_or_else(|| format!("user {} is damaged", i + 1))?);
    }
    if !r.is_empty() {
        return Err(format!("{} bytes follow the last user", r.len()));
    }
    let mut users = KnownUsers::from_cache(rows, as_of);
    users.total_count = total_count;
    users.cut = cut.clone();
    Ok(CachedUsers {
        meta: CacheMeta {
            as_of,
            partner,
            departments: departments == 1,
            total_count,
            cut,
        },
        users,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::op::cerego::{CeregoTag, CeregoUser};

    fn users(n: usize) -> KnownUsers {
        let mut u = KnownUsers::default();
        u.intake(
            (0..n)
                .map(|i| CeregoUser {
                    id: format!("{i}"),
                    name: Some(format!("User Ünï {i}")),
                    email: Some(format!("u{i}@example.org")),
                    tags: vec![CeregoTag {
                        id: format!("9{i}"),
                        value: Some("Gold".into()),
                        tag_type_id: Some("5".into()),
                        ..CeregoTag::default()
                    }],
                    ..CeregoUser::default()
                })
                .collect(),
        );
        u
    }

    fn meta() -> CacheMeta {
        CacheMeta {
            as_of: DateTime::from_timestamp_millis(1_773_489_720_000).expect("a time"),
            partner: "4242".into(),
            departments: false,
            total_count: Some(3),
            cut: Some("stopped at 3 users".into()),
        }
    }

    #[test]
    fn a_cache_reads_back_as_it_was_written() {
        let u = users(3);
        let bytes = encode_cache(&u, &meta());
        let back = decode_cache(&bytes, 10).expect("reads back");
        assert_eq!(back.meta, meta());
        let ids: Vec<&str> = back.users.iter().map(|v| v.id).collect();
        assert_eq!(ids, ["0", "1", "2"]);
        assert_eq!(back.users.position("2"), Some(2));
        assert_eq!(
            back.users.get(1).map(|v| v.to_user()),
            u.get(1).map(|v| v.to_user())
        );
        assert_eq!(back.users.cached_as_of(), Some(meta().as_of));
        assert_eq!(back.users.total_count, Some(3));
        // Compact: the rows' own bytes, a few bytes each around them.
        assert!(
            bytes.len() < u.row_bytes() + 3 * 3 + 64,
            "{} bytes",
            bytes.len()
        );
    }

    #[test]
    fn a_damaged_or_cut_cache_is_refused_never_half_read() {
        let bytes = encode_cache(&users(3), &meta());
        for cut in 0..bytes.len() {
            assert!(decode_cache(&bytes[..cut], 10).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode_cache(&longer, 10).is_err());
        assert!(decode_cache(&bytes, 2).unwrap_err().contains("max_users"));
        let mut other = bytes.clone();
        other[MAGIC.len()] = 9;
        assert!(decode_cache(&other, 10).unwrap_err().contains("format 9"));
        // Any byte changed: refused, or rows that read without a panic.
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0xff;
            if let Ok(c) = decode_cache(&bad, 10) {
                for u in c.users.iter() {
                    let _ = u.to_user();
                }
            }
        }
    }
}
