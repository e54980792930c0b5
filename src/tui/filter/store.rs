//! Every row's haystack, written once when the row arrives, in chunks a background job can
//! share: a snapshot clones the chunks' pointers, and a chunk is copied only when the UI
//! changes it while a job still reads it.

use std::sync::Arc;

/// Rows per chunk: a change while a job runs copies at most this many haystacks.
const CHUNK: usize = 4096;
/// A haystack is cut to this many bytes (at a character boundary): enough for any name,
/// email and id, and it keeps a chunk's offsets within `u32`.
const MAX_HAYSTACK: usize = 64 * 1024;

#[derive(Debug, Clone, Default)]
struct Chunk {
    text: String,
    /// Where each row's haystack ends in `text`.
    ends: Vec<u32>,
}

impl Chunk {
    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text
            .get(start..self.ends[i] as usize)
            .unwrap_or_default()
    }
}

/// The haystacks of a list's rows, by position.
#[derive(Debug, Clone, Default)]
pub struct Haystacks {
    chunks: Vec<Arc<Chunk>>,
    len: usize,
}

/// Cuts `text` past `from` to [`MAX_HAYSTACK`] bytes.
fn cap(text: &mut String, from: usize) {
    if text.len() - from > MAX_HAYSTACK {
        let mut end = from + MAX_HAYSTACK;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

impl Haystacks {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The haystack of row `i` ("" past the end).
    pub fn get(&self, i: usize) -> &str {
        self.chunks
            .get(i / CHUNK)
            .map(|c| c.get(i % CHUNK))
            .unwrap_or_default()
    }

    /// Appends a row whose haystack `write` writes.
    pub fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        if self.len.is_multiple_of(CHUNK) {
            if let Some(last) = self.chunks.last_mut().and_then(Arc::get_mut) {
                last.text.shrink_to_fit();
                last.ends.shrink_to_fit();
            }
            self.chunks.push(Arc::new(Chunk {
                text: String::new(),
                ends: Vec::with_capacity(CHUNK),
            }));
        }
        let Some(chunk) = self.chunks.last_mut() else {
            return;
        };
        let chunk = Arc::make_mut(chunk);
        let from = chunk.text.len();
        write(&mut chunk.text);
        cap(&mut chunk.text, from);
        chunk.ends.push(chunk.text.len() as u32);
        self.len += 1;
    }

    /// Rewrites row `i`'s haystack; returns whether it changed (its chunk is rebuilt then:
    /// O(chunk); the same text again, as a page read twice gives, costs O(row)).
    pub fn replace_with(&mut self, i: usize, write: impl FnOnce(&mut String)) -> bool {
        let mut new = String::new();
        write(&mut new);
        cap(&mut new, 0);
        if i >= self.len || self.get(i) == new {
            return false;
        }
        let Some(chunk) = self.chunks.get_mut(i / CHUNK) else {
            return false;
        };
        let chunk = Arc::make_mut(chunk);
        let at = i % CHUNK;
        let start = if at == 0 {
            0
        } else {
            chunk.ends[at - 1] as usize
        };
        let end = chunk.ends[at] as usize;
        let mut text = String::with_capacity(chunk.text.len() + new.len());
        text.push_str(&chunk.text[..start]);
        text.push_str(&new);
        let new_end = text.len();
        text.push_str(&chunk.text[end..]);
        chunk.text = text;
        let shift = new_end as i64 - end as i64;
        for e in &mut chunk.ends[at..] {
            *e = (*e as i64 + shift) as u32;
        }
        true
    }

    /// Forgets every row.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_across_chunks_read_back_and_replace_in_place() {
        let mut h = Haystacks::default();
        for i in 0..(CHUNK * 2 + 3) {
            h.push_with(|s| s.push_str(&format!("row {i}")));
        }
        assert_eq!(h.len(), CHUNK * 2 + 3);
        assert_eq!(h.get(0), "row 0");
        assert_eq!(h.get(CHUNK), format!("row {CHUNK}"));
        let shared = h.clone();
        assert!(h.replace_with(CHUNK + 1, |s| s.push_str("a much longer row than before")));
        assert!(h.replace_with(CHUNK + 2, |s| s.push('x')));
        assert!(!h.replace_with(CHUNK + 2, |s| s.push('x')), "the same text");
        assert_eq!(h.get(CHUNK + 1), "a much longer row than before");
        assert_eq!(h.get(CHUNK + 2), "x");
        assert_eq!(h.get(CHUNK + 3), format!("row {}", CHUNK + 3));
        assert_eq!(
            shared.get(CHUNK + 1),
            format!("row {}", CHUNK + 1),
            "a snapshot stays"
        );
        assert_eq!(h.get(usize::MAX), "");
    }

    #[test]
    fn a_huge_haystack_is_cut_at_a_character() {
        let mut h = Haystacks::default();
        h.push_with(|s| s.push_str(&"é".repeat(MAX_HAYSTACK)));
        h.push_with(|s| s.push_str("next"));
        assert!(h.get(0).len() <= MAX_HAYSTACK && h.get(0).starts_with('é'));
        assert_eq!(h.get(1), "next");
    }
}
