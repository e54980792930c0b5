//! The last guard of the screen: whatever the console draws — a patron id typed into a form,
//! a cell of an imported file, a server's text — a key of the profile never reaches the
//! terminal. After each frame is drawn, every row of the buffer is searched for the keys
//! (those of [`MIN_EMBEDDED_KEY`](crate::core::redact::MIN_EMBEDDED_KEY) characters or
//! more, which cannot match a word) and their cells are overwritten with `[redacted]`.

use ratatui::buffer::Buffer;

use crate::core::redact::{REDACTED, Redactor};

/// Overwrites every key `keys` finds on a row of `buf` (keys come from
/// [`Redactor::for_text`]).
pub fn redact(buf: &mut Buffer, keys: &Redactor) {
    if keys.is_empty() {
        return;
    }
    let area = buf.area;
    for y in area.top()..area.bottom() {
        // The row's text, and the cell each of its bytes is drawn in.
        let mut text = String::new();
        let mut cell_of: Vec<u16> = Vec::new();
        for x in area.left()..area.right() {
            let symbol = buf[(x, y)].symbol();
            cell_of.extend(std::iter::repeat_n(x, symbol.len()));
            text.push_str(symbol);
        }
        if !keys.hits(&text) {
            continue;
        }
        for key in keys.secrets() {
            let mut from = 0;
            while let Some(at) = text.get(from..).and_then(|t| t.find(key.as_str())) {
                let (start, end) = (from + at, from + at + key.len());
                let (Some(&first), Some(&last)) = (cell_of.get(start), cell_of.get(end - 1)) else {
                    break;
                };
                for (i, x) in (first..=last).enumerate() {
                    let mark = REDACTED.get(i..=i).unwrap_or("*");
                    buf[(x, y)].set_symbol(mark);
                }
                from = end;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn a_key_drawn_anywhere_on_a_row_is_overwritten() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 2));
        buf.set_string(
            0,
            0,
            "patron demo-hive-key opened",
            ratatui::style::Style::default(),
        );
        buf.set_string(
            0,
            1,
            "日本 demo-hive-key-longer",
            ratatui::style::Style::default(),
        );
        let keys = Redactor::new(["demo-hive-key".to_string(), "k".into()]).for_text();
        redact(&mut buf, &keys);
        let row = |y: u16| -> String { (0..40).map(|x| buf[(x, y)].symbol()).collect() };
        assert!(
            row(0).starts_with("patron [redacted]*** opened"),
            "{}",
            row(0)
        );
        assert!(row(1).contains("[redacted]***-longer"), "{}", row(1));
        assert!(!row(0).contains("demo-hive-key") && !row(1).contains("demo-hive-key"));
    }
}
