//! One Cerego user as tagdesk keeps it: every field in one allocation.
//!
//! A parsed [`CeregoUser`] holds nine owned strings and a vector of tags with six more
//! each (about 1.8 KiB a user once allocator overhead is counted). A partner of a million
//! users is kept as [`UserRow`]s instead: a small header of field lengths, then the
//! fields' bytes, in one boxed slice (about 180 bytes for a user with three tags).
//! Timestamps in the API's own format (`2024-01-01T10:00:00.000Z`) are packed into 8
//! bytes. Only what the console shows, plans with or folds is kept: the user's id, name,
//! email, member id and last login, and each tag's id, value, type and update time; the
//! username, the guid and the creation times are not.

use std::fmt;

use crate::core::op::cerego::{CeregoTag, CeregoUser};

/// A field's code in the header: absent, a packed timestamp, or text of `code - 2` bytes.
const ABSENT: u64 = 0;
const PACKED: u64 = 1;
const TEXT: u64 = 2;

/// A user's fields, in one allocation: `[header length][tag count][field codes][bytes]`.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRow(Box<[u8]>);

/// A timestamp as kept: the server's text, or packed from the API's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp<'a> {
    Text(&'a str),
    /// The 17 digits of `YYYY-MM-DDTHH:MM:SS.mmmZ`, as one number.
    Packed(u64),
}

/// A user, read from its row.
#[derive(Debug, Clone, Copy)]
pub struct User<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub member_id: Option<&'a str>,
    pub last_logged_in_at: Option<Stamp<'a>>,
    pub tags: Tags<'a>,
}

/// A user's tags, read from its row as they are walked.
#[derive(Debug, Clone, Copy)]
pub struct Tags<'a> {
    count: usize,
    codes: &'a [u8],
    data: &'a [u8],
}

/// One tag of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag<'a> {
    pub id: &'a str,
    pub value: Option<&'a str>,
    pub tag_type_id: Option<&'a str>,
    pub updated_at: Option<Stamp<'a>>,
}

pub(super) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint at the front of `bytes`, advancing it (0 on a malformed row).
fn take_varint(bytes: &mut &[u8]) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    while let Some((&b, rest)) = bytes.split_first() {
        *bytes = rest;
        if shift < 64 {
            v |= u64::from(b & 0x7f) << shift;
        }
        if b & 0x80 == 0 {
            return v;
        }
        shift += 7;
    }
    v
}

/// Reads a varint at the front of `bytes`, advancing it; None when it is cut short or
/// longer than 64 bits (a row read back from a file).
pub(super) fn checked_varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        v |= u64::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The digit positions of `YYYY-MM-DDTHH:MM:SS.mmmZ`, and its punctuation.
const STAMP_DIGITS: [usize; 17] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
const STAMP_SHAPE: &[u8; 24] = b"0000-00-00T00:00:00.000Z";

fn pack_stamp(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 24 {
        return None;
    }
    let shape_ok = b.iter().zip(STAMP_SHAPE).all(|(c, shape)| {
        if *shape == b'0' {
            c.is_ascii_digit()
        } else {
            c == shape
        }
    });
    shape_ok.then(|| {
        STAMP_DIGITS
            .iter()
            .fold(0u64, |n, &i| n * 10 + u64::from(b[i] - b'0'))
    })
}

impl fmt::Display for Stamp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stamp::Text(s) => f.write_str(s),
            Stamp::Packed(n) => {
                let mut out = *STAMP_SHAPE;
                let mut n = *n;
                for &i in STAMP_DIGITS.iter().rev() {
                    out[i] = b'0' + (n % 10) as u8;
                    n /= 10;
                }
                f.write_str(std::str::from_utf8(&out).unwrap_or_default())
            }
        }
    }
}

/// Writes the header and the bytes of a row.
struct Builder {
    codes: Vec<u8>,
    data: Vec<u8>,
}

impl Builder {
    fn text(&mut self, v: Option<&str>) {
        match v {
            None => put_varint(&mut self.codes, ABSENT),
            Some(s) => {
                put_varint(&mut self.codes, TEXT + s.len() as u64);
                self.data.extend_from_slice(s.as_bytes());
            }
        }
    }

    fn stamp(&mut self, v: Option<&str>) {
        match v.and_then(pack_stamp) {
            Some(n) => {
                put_varint(&mut self.codes, PACKED);
                self.data.extend_from_slice(&n.to_le_bytes());
            }
            None => self.text(v),
        }
    }
}

/// Reads fields in the order they were written.
struct Reader<'a> {
    codes: &'a [u8],
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn raw(&mut self) -> Option<Result<&'a [u8], u64>> {
        match take_varint(&mut self.codes) {
            ABSENT => None,
            PACKED => {
                let (n, rest) = self.data.split_at_checked(8).unwrap_or((&[], &[]));
                self.data = rest;
                let n = <[u8; 8]>::try_from(n).map(u64::from_le_bytes).unwrap_or(0);
                Some(Err(n))
            }
            code => {
                let len = (code - TEXT) as usize;
                let (s, rest) = self.data.split_at_checked(len).unwrap_or((self.data, &[]));
                self.data = rest;
                Some(Ok(s))
            }
        }
    }

    fn text(&mut self) -> Option<&'a str> {
        match self.raw()? {
            Ok(s) => Some(std::str::from_utf8(s).unwrap_or_default()),
            Err(_) => Some(""),
        }
    }

    fn stamp(&mut self) -> Option<Stamp<'a>> {
        Some(match self.raw()? {
            Ok(s) => Stamp::Text(std::str::from_utf8(s).unwrap_or_default()),
            Err(n) => Stamp::Packed(n),
        })
    }
}

/// The bytes of the fields of a user tagdesk keeps (what `[limits] max_list_mib` counts).
pub fn kept_bytes(user: &CeregoUser) -> usize {
    let len = |v: &Option<String>| v.as_ref().map_or(0, String::len);
    let tags: usize = user
        .tags
        .iter()
        .map(|t| t.id.len() + len(&t.value) + len(&t.tag_type_id) + len(&t.updated_at))
        .sum();
    user.id.len()
        + len(&user.name)
        + len(&user.email)
        + len(&user.member_id)
        + len(&user.last_logged_in_at)
        + tags
}

impl UserRow {
    /// Keeps what tagdesk uses of a listed user.
    pub fn new(user: &CeregoUser) -> Self {
        let mut b = Builder {
            codes: Vec::with_capacity(8 + 4 * user.tags.len()),
            data: Vec::with_capacity(96 + 48 * user.tags.len()),
        };
        put_varint(&mut b.codes, user.tags.len() as u64);
        b.text(Some(&user.id));
        b.text(user.name.as_deref());
        b.text(user.email.as_deref());
        b.text(user.member_id.as_deref());
        b.stamp(user.last_logged_in_at.as_deref());
        for t in &user.tags {
            b.text(Some(&t.id));
            b.text(t.value.as_deref());
            b.text(t.tag_type_id.as_deref());
            b.stamp(t.updated_at.as_deref());
        }
        let mut bytes = Vec::with_capacity(2 + b.codes.len() + b.data.len());
        put_varint(&mut bytes, b.codes.len() as u64);
        bytes.extend_from_slice(&b.codes);
        bytes.extend_from_slice(&b.data);
        Self(bytes.into_boxed_slice())
    }

    /// The header (tag count first) and the fields' bytes.
    fn parts(&self) -> (usize, Reader<'_>) {
        let mut bytes: &[u8] = &self.0;
        let header = take_varint(&mut bytes) as usize;
        let (mut codes, data) = bytes.split_at_checked(header).unwrap_or((bytes, &[]));
        let count = take_varint(&mut codes) as usize;
        (count, Reader { codes, data })
    }

    /// The user's id (read without the rest of the row).
    pub fn id(&self) -> &str {
        self.parts().1.text().unwrap_or_default()
    }

    pub fn view(&self) -> User<'_> {
        let (count, mut r) = self.parts();
        User {
            id: r.text().unwrap_or_default(),
            name: r.text(),
            email: r.text(),
            member_id: r.text(),
            last_logged_in_at: r.stamp(),
            tags: Tags {
                count,
                codes: r.codes,
                data: r.data,
            },
        }
    }

    /// A row of nothing (a placeholder while rows are moved).
    pub(super) fn empty() -> Self {
        Self(Box::new([]))
    }

    /// The row's bytes, as [`Self::from_bytes`] reads them back (the user cache's rows).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// A row read back from its bytes (the user cache), checked whole: a header that
    /// accounts for every field, each text field valid UTF-8, a packed timestamp only where
    /// a timestamp goes, and nothing left over. None for anything else, so a damaged cache
    /// never yields a row that reads wrongly (or walks a tag count it does not hold).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut rest = bytes;
        let header = usize::try_from(checked_varint(&mut rest)?).ok()?;
        let (mut codes, mut data) = rest.split_at_checked(header)?;
        let count = checked_varint(&mut codes)?;
        // Every field takes at least one byte of the header.
        let fields = count.checked_mul(4)?.checked_add(5)?;
        if fields > codes.len() as u64 {
            return None;
        }
        for field in 0..fields {
            let stamp = field == 4 || (field >= 5 && (field - 5) % 4 == 3);
            let required = field == 0 || (field >= 5 && (field - 5) % 4 == 0);
            match checked_varint(&mut codes)? {
                ABSENT if !required => {}
                PACKED if stamp => data = data.get(8..)?,
                code if code >= TEXT => {
                    let len = usize::try_from(code - TEXT).ok()?;
                    let (text, after) = data.split_at_checked(len)?;
                    std::str::from_utf8(text).ok()?;
                    data = after;
                }
                _ => return None,
            }
        }
        (codes.is_empty() && data.is_empty()).then(|| Self(bytes.into()))
    }

    /// The bytes this row holds (its allocation).
    pub fn size(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Debug for UserRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.view().fmt(f)
    }
}

impl<'a> Tags<'a> {
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = Tag<'a>> + 'a {
        let mut r = Reader {
            codes: self.codes,
            data: self.data,
        };
        (0..self.count).map(move |_| Tag {
            id: r.text().unwrap_or_default(),
            value: r.text(),
            tag_type_id: r.text(),
            updated_at: r.stamp(),
        })
    }

    pub fn get(&self, i: usize) -> Option<Tag<'a>> {
        self.iter().nth(i)
    }
}

impl Tag<'_> {
    /// The tag as the API describes it, owned (`user_id` is its user's).
    pub fn to_tag(&self, user_id: &str) -> CeregoTag {
        CeregoTag {
            id: self.id.to_string(),
            value: self.value.map(str::to_string),
            tag_type_id: self.tag_type_id.map(str::to_string),
            user_id: Some(user_id.to_string()),
            created_at: None,
            updated_at: self.updated_at.map(|s| s.to_string()),
        }
    }
}

impl User<'_> {
    /// The user as the API describes it, owned (without what the row does not keep).
    pub fn to_user(&self) -> CeregoUser {
        CeregoUser {
            id: self.id.to_string(),
            name: self.name.map(str::to_string),
            email: self.email.map(str::to_string),
            member_id: self.member_id.map(str::to_string),
            last_logged_in_at: self.last_logged_in_at.map(|s| s.to_string()),
            tags: self.tags.iter().map(|t| t.to_tag(self.id)).collect(),
            ..CeregoUser::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(id: &str, value: Option<&str>, at: Option<&str>) -> CeregoTag {
        CeregoTag {
            id: id.into(),
            value: value.map(Into::into),
            tag_type_id: Some("5".into()),
            user_id: Some("7".into()),
            created_at: None,
            updated_at: at.map(Into::into),
        }
    }

    #[test]
    fn a_row_gives_back_what_it_keeps() {
        let user = CeregoUser {
            id: "7".into(),
            name: Some("Ada Lovelace".into()),
            username: Some("dropped".into()),
            email: None,
            member_id: Some(String::new()),
            guid: Some("dropped".into()),
            created_at: Some("dropped".into()),
            last_logged_in_at: Some("2026-01-01T08:00:00.000Z".into()),
            tags: vec![
                tag("900", Some("Gold"), Some("2020-11-19T00:14:19.000Z")),
                tag("901", None, Some("yesterday")),
                tag("902", Some("ünï ✓"), None),
            ],
        };
        let row = UserRow::new(&user);
        assert_eq!(row.id(), "7");
        let back = row.view().to_user();
        assert_eq!(
            back,
            CeregoUser {
                username: None,
                guid: None,
                created_at: None,
                ..user.clone()
            }
        );
        let v = row.view();
        assert_eq!(v.tags.len(), 3);
        assert_eq!(v.tags.get(1).and_then(|t| t.value), None);
        assert_eq!(v.member_id, Some(""), "empty is not absent");
        assert!(matches!(v.last_logged_in_at, Some(Stamp::Packed(_))));
        assert!(matches!(
            v.tags.get(1).and_then(|t| t.updated_at),
            Some(Stamp::Text("yesterday"))
        ));
        assert!(row.size() < 160, "{} bytes", row.size());
    }

    #[test]
    fn only_the_api_format_is_packed() {
        for s in [
            "2026-01-01T08:00:00.000Z",
            "0000-00-00T00:00:00.000Z",
            "9999-12-31T23:59:59.999Z",
        ] {
            let n = pack_stamp(s).expect(s);
            assert_eq!(Stamp::Packed(n).to_string(), s);
        }
        for s in [
            "2026-01-01T08:00:00Z",
            "2026-01-01T08:00:00.000+01:00",
            "",
            "x",
        ] {
            assert_eq!(pack_stamp(s), None, "{s}");
        }
    }

    #[test]
    fn a_row_read_back_from_its_bytes_is_checked_whole() {
        let user = CeregoUser {
            id: "7".into(),
            name: Some("Ada".into()),
            last_logged_in_at: Some("2026-01-01T08:00:00.000Z".into()),
            tags: vec![tag("900", Some("Gold"), Some("2020-11-19T00:14:19.000Z"))],
            ..CeregoUser::default()
        };
        let row = UserRow::new(&user);
        let back = UserRow::from_bytes(row.as_bytes()).expect("a whole row");
        assert_eq!(back, row);
        // Every prefix, every extension, and a tag count it does not hold are refused.
        let bytes = row.as_bytes();
        for cut in 0..bytes.len() {
            assert_eq!(UserRow::from_bytes(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.to_vec();
        longer.push(b'x');
        assert_eq!(UserRow::from_bytes(&longer), None);
        let mut many = bytes.to_vec();
        many[1] = 0x7f;
        assert_eq!(UserRow::from_bytes(&many), None);
        // Any single byte changed never yields a row that panics when read.
        for i in 0..bytes.len() {
            for b in [0u8, 1, 2, 0x7f, 0x80, 0xff] {
                let mut bad = bytes.to_vec();
                bad[i] = b;
                if let Some(r) = UserRow::from_bytes(&bad) {
                    let v = r.view();
                    let _ = (v.id, v.tags.iter().count(), v.to_user());
                }
            }
        }
    }

    #[test]
    fn a_long_field_and_no_tags() {
        let name = "n".repeat(100_000);
        let row = UserRow::new(&CeregoUser {
            id: "1".into(),
            name: Some(name.clone()),
            ..CeregoUser::default()
        });
        let v = row.view();
        assert_eq!(v.name, Some(name.as_str()));
        assert!(v.tags.is_empty());
        assert_eq!(v.tags.iter().count(), 0);
    }
}
