//! Reading a batch file: CSV per RFC 4180 (quoted cells, doubled quotes, line breaks inside
//! quotes), UTF-8 with or without a byte-order mark, LF or CRLF, blank lines skipped — and
//! every row keeps the physical line it starts on (1-based, the header and blank lines
//! counted), because that is how an operator finds it in their editor.
//!
//! The bytes come from the caller (a file, standard input, the console's import form); this
//! module never touches the disk.

/// One row of the file as read: where it starts and its cells (not yet trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    pub line: usize,
    pub cells: Vec<String>,
}

/// A file taken apart into rows, plus the lines that could not be read at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub rows: Vec<RawRow>,
    /// (line, reason): rows that are not text or break the CSV rules.
    pub unreadable: Vec<(usize, String)>,
}

impl Table {
    /// Rows with a cell that `is_key` (an API key pasted into the file) become unreadable,
    /// their line named and the cell never shown: a key is not sent as data, nor written
    /// into the plan, the results or the workspace.
    pub fn refuse_keys(&mut self, is_key: impl Fn(&str) -> bool) {
        let (keep, refused): (Vec<RawRow>, Vec<RawRow>) = std::mem::take(&mut self.rows)
            .into_iter()
            .partition(|r| !r.cells.iter().any(|c| is_key(c)));
        self.rows = keep;
        for r in refused {
            let column = r.cells.iter().position(|c| is_key(c)).map_or(0, |i| i + 1);
            self.unreadable.push((
                r.line,
                format!(
                    "column {column} holds an API key of this profile (not shown): a key is \
                     never sent as data"
                ),
            ));
        }
        self.unreadable.sort_by_key(|(line, _)| *line);
    }
}

/// Which columns hold what, and whether the first row is a header (the choice the Hive
/// dashboard's preview asks the operator to make).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The first row names the columns and is not data.
    pub header: bool,
    /// The column (0-based) of each expected name, in the order the kind expects them.
    pub columns: Vec<usize>,
}

/// The most data rows one batch file may have. A plan keeps every row in memory (a few
/// hundred bytes each), so a file is refused beyond this, before it is planned.
pub const MAX_ROWS: usize = 1_000_000;

/// Reads `bytes` as CSV, within [`MAX_ROWS`] rows. Fails as a whole only for a file over
/// the row limit; what cannot be read otherwise is reported by line.
pub fn read_table(bytes: &[u8]) -> Result<Table, String> {
    read_table_within(bytes, MAX_ROWS)
}

/// [`read_table`] with a limit of `max_rows` rows (the header counted): reading stops at
/// the first row over it, so a huge file is refused without being read whole.
pub fn read_table_within(bytes: &[u8], max_rows: usize) -> Result<Table, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Comment lines at the top (an export's `# user_tags: ...`) are not rows; the lines
    // after them keep their numbers.
    let skip = leading_comments(bytes);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[skip..]);
    let skip = skip as u64;
    let mut table = Table::default();
    let mut record = ::csv::ByteRecord::new();
    // The reader's own line count does not see blank lines or CRLF the way an editor does:
    // count line ends up to where each record really starts.
    let ends: Vec<usize> = memchr_all(bytes);
    let line_at = |byte: u64| -> usize {
        let mut at = usize::try_from(byte)
            .unwrap_or(bytes.len())
            .min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        ends.partition_point(|&e| e < at) + 1
    };
    loop {
        if table.rows.len() + table.unreadable.len() > max_rows {
            return Err(format!(
                "the file has more than {} rows, the most one batch takes: split it into \
                 several files",
                crate::core::printable::grouped(max_rows as u64)
            ));
        }
        let before = reader.position().byte() + skip;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let start = record.position().map_or(before, |p| p.byte() + skip);
                // The reader accepts what RFC 4180 does not (a quote inside an unquoted
                // cell, text after a closing quote, a quote never closed): such a row
                // would be sent with a changed id, so it is reported instead.
                let (from, raw) = span(bytes, start, reader.position().byte() + skip);
                if let Some((offset, reason)) = bad_quoting(raw) {
                    table
                        .unreadable
                        .push((line_at((from + offset) as u64), reason));
                    continue;
                }
                let mut cells = Vec::with_capacity(record.len());
                let mut bad = None;
                for (i, cell) in record.iter().enumerate() {
                    match std::str::from_utf8(cell) {
                        Ok(s) => cells.push(s.to_string()),
                        Err(_) => {
                            bad = Some(format!(
                                "column {} is not UTF-8 text (save the file as UTF-8)",
                                i + 1
                            ));
                            break;
                        }
                    }
                }
                let line = line_at(start);
                if let Some(reason) = bad {
                    table.unreadable.push((line, reason));
                } else if cells.iter().any(|c| !c.trim().is_empty()) {
                    table.rows.push(RawRow { line, cells });
                }
            }
            Err(e) => {
                let at = line_at(e.position().map_or(before, |p| p.byte() + skip));
                table.unreadable.push((at, format!("not valid CSV: {e}")));
                // The reader cannot resume inside a broken record reliably: stop here.
                break;
            }
        }
    }
    Ok(table)
}

/// Where the rows of `bytes` start: after the lines at the top that are comments — a `#`
/// then a space, or a `#` alone (a patron id may start with `#`, but not with `# `).
fn leading_comments(bytes: &[u8]) -> usize {
    let mut at = 0;
    while bytes[at..].starts_with(b"#") {
        let after = bytes.get(at + 1).copied();
        if !matches!(after, None | Some(b' ' | b'\t' | b'\r' | b'\n')) {
            break;
        }
        match bytes[at..].iter().position(|b| *b == b'\n') {
            Some(end) => at += end + 1,
            None => return bytes.len(),
        }
    }
    at
}

/// The bytes of `bytes` from `start` to `end` (clamped), leading line ends skipped, and
/// where they start.
fn span(bytes: &[u8], start: u64, end: u64) -> (usize, &[u8]) {
    let clamp = |b: u64| usize::try_from(b).unwrap_or(bytes.len()).min(bytes.len());
    let (mut start, end) = (clamp(start), clamp(end));
    while start < end && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    (start, bytes.get(start..end).unwrap_or_default())
}

/// Where one record's raw bytes break RFC 4180's quoting, and how: a quote inside an
/// unquoted cell, anything but a comma or a line end after a closing quote, or a quoted
/// cell never closed. The offset is of the offending byte (of the opening quote for a cell
/// never closed).
fn bad_quoting(raw: &[u8]) -> Option<(usize, String)> {
    enum At {
        CellStart,
        Unquoted,
        Quoted(usize),
        AfterQuote,
    }
    let mut at = At::CellStart;
    let mut column = 1;
    for (i, &b) in raw.iter().enumerate() {
        at = match (at, b) {
            (At::CellStart | At::Unquoted | At::AfterQuote, b'\r' | b'\n') => return None,
            (At::CellStart | At::Unquoted | At::AfterQuote, b',') => {
                column += 1;
                At::CellStart
            }
            (At::CellStart, b'"') => At::Quoted(i),
            (At::CellStart | At::Unquoted, _) if b == b'"' => {
                return Some((
                    i,
                    format!(
                        "a quote inside unquoted column {column}: quote the whole cell and \
                         double the quotes inside it (\"a\"\"b\")"
                    ),
                ));
            }
            (At::CellStart | At::Unquoted, _) => At::Unquoted,
            (At::Quoted(_), b'"') => At::AfterQuote,
            (At::Quoted(open), _) => At::Quoted(open),
            (At::AfterQuote, b'"') => At::Quoted(i),
            (At::AfterQuote, _) => {
                return Some((
                    i,
                    format!(
                        "text after the closing quote of column {column}: a quote inside a \
                         quoted cell is written twice (\"a\"\"b\")"
                    ),
                ));
            }
        };
    }
    match at {
        At::Quoted(open) => Some((
            open,
            format!(
                "a quoted cell (column {column}) is never closed: the file ends inside it \
                 (a missing closing quote)"
            ),
        )),
        _ => None,
    }
}

/// The offsets of every line feed in `bytes`.
fn memchr_all(bytes: &[u8]) -> Vec<usize> {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect()
}

/// Decides the layout of `table` for columns named `names` (lower case): the first row is
/// a header when its cells name every column (any order, any case, extra columns ignored);
/// otherwise the columns are taken in order. A first row that names some columns but not
/// all is an error — sending it as data would send its header words.
pub fn detect_layout(table: &Table, names: &[&str]) -> Result<Layout, (usize, String)> {
    let in_order = Layout {
        header: false,
        columns: (0..names.len()).collect(),
    };
    let Some(first) = table.rows.first() else {
        return Ok(in_order);
    };
    let cells: Vec<String> = first
        .cells
        .iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    let found: Vec<Option<usize>> = names
        .iter()
        .map(|n| cells.iter().position(|c| c == n))
        .collect();
    if found.iter().all(Option::is_some) {
        return Ok(Layout {
            header: true,
            columns: found.into_iter().flatten().collect(),
        });
    }
    if found.iter().any(Option::is_some) {
        let missing: Vec<&str> = names
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(n, _)| *n)
            .collect();
        return Err((
            first.line,
            format!(
                "this looks like a header row but it has no {} column (expected the columns {})",
                missing.join(", "),
                names.join(", ")
            ),
        ));
    }
    Ok(in_order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(t: &Table) -> Vec<usize> {
        t.rows.iter().map(|r| r.line).collect()
    }

    #[test]
    fn physical_lines_count_the_header_blank_lines_and_quoted_breaks() {
        let t = read_table(b"user_id,user_tags\n\np1,\"vip, news\"\np2,\"a\nb\"\np3,x\n").unwrap();
        assert_eq!(lines(&t), [1, 3, 4, 6]);
        assert_eq!(t.rows[1].cells, ["p1", "vip, news"]);
        assert!(t.unreadable.is_empty());
    }

    #[test]
    fn comment_lines_at_the_top_are_skipped_and_lines_keep_their_numbers() {
        let t = read_table(b"# exported, by tagdesk\r\n#\nuser_id,user_tags\np1,vip\n").unwrap();
        assert_eq!(t.rows[0].cells, ["user_id", "user_tags"]);
        assert_eq!(lines(&t), [3, 4]);
        assert!(t.unreadable.is_empty());
        // With a byte-order mark; a broken row after the comment is named by its own line.
        let t = read_table(b"\xEF\xBB\xBF# note\np\"1,vip\np2,vip\n").unwrap();
        assert_eq!(lines(&t), [3]);
        assert_eq!(t.unreadable[0].0, 2, "{:?}", t.unreadable);
        // Only at the top, and only `# ` or `#` alone: an id starting with `#` is data.
        let t = read_table(b"#p1,vip\n# later\n").unwrap();
        assert_eq!(t.rows[0].cells, ["#p1", "vip"]);
        assert_eq!(t.rows[1].cells, ["# later"]);
        assert!(read_table(b"# only a comment").unwrap().rows.is_empty());
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let t = read_table(b"\xEF\xBB\xBFuser_id,user_tags\r\np1,vip\r\n\r\np2,news\r\n").unwrap();
        assert_eq!(t.rows[0].cells, ["user_id", "user_tags"]);
        assert_eq!(lines(&t), [1, 2, 4]);
    }

    #[test]
    fn non_utf8_rows_are_reported_by_line_and_the_rest_read() {
        let t = read_table(b"p1,vip\np2,\xff\xfe\np3,x\n").unwrap();
        assert_eq!(lines(&t), [1, 3]);
        assert_eq!(t.unreadable.len(), 1);
        assert_eq!(t.unreadable[0].0, 2);
        assert!(t.unreadable[0].1.contains("UTF-8"), "{:?}", t.unreadable);
    }

    #[test]
    fn headers_are_found_in_any_order_and_case() {
        let t = read_table(b"Extra,USER_TAGS,User_Id\nx,vip,p1\n").unwrap();
        let l = detect_layout(&t, &["user_id", "user_tags"]).unwrap();
        assert_eq!(
            l,
            Layout {
                header: true,
                columns: vec![2, 1]
            }
        );
        let t = read_table(b"p1,vip\n").unwrap();
        let l = detect_layout(&t, &["user_id", "user_tags"]).unwrap();
        assert!(!l.header);
        assert_eq!(l.columns, [0, 1]);
    }

    #[test]
    fn a_half_header_is_an_error_not_data() {
        let t = read_table(b"user_id,tags\np1,vip\n").unwrap();
        let e = detect_layout(&t, &["user_id", "user_tags"]).unwrap_err();
        assert_eq!(e.0, 1);
        assert!(e.1.contains("no user_tags column"), "{}", e.1);
    }

    #[test]
    fn malformed_quoting_is_reported_with_its_line_not_read_as_data() {
        // A quote never closed: the file ends inside it (the reader would send the rest of
        // the file as one cell).
        let t = read_table(b"p1,vip\np2,\"vip\np3,news\n").unwrap();
        assert_eq!(lines(&t), [1]);
        assert_eq!(t.unreadable.len(), 1, "{:?}", t.unreadable);
        assert_eq!(t.unreadable[0].0, 2);
        assert!(
            t.unreadable[0].1.contains("never closed"),
            "{:?}",
            t.unreadable
        );
        // A stray quote inside an id, and text after a closing quote: the row is refused,
        // the others read.
        let t = read_table(b"p1,vip\np\"2,vip\n\"p3\"x,vip\np4,\"a \"\"b\"\"\"\n").unwrap();
        assert_eq!(lines(&t), [1, 4]);
        assert_eq!(t.rows[1].cells, ["p4", "a \"b\""]);
        let bad: Vec<usize> = t.unreadable.iter().map(|(l, _)| *l).collect();
        assert_eq!(bad, [2, 3], "{:?}", t.unreadable);
        assert!(t.unreadable[0].1.contains("quote inside unquoted column 1"));
        assert!(
            t.unreadable[1]
                .1
                .contains("after the closing quote of column 1")
        );
        // The line is the quote's own, inside a cell that spans lines.
        let t = read_table(b"p1,\"a\nb\"c\n").unwrap();
        assert_eq!(t.unreadable[0].0, 2, "{:?}", t.unreadable);
        // Well-formed quoting is untouched: quoted line breaks, doubled quotes, CRLF.
        let t = read_table(b"\"p1\",\"a\r\nb\"\r\n\"\",x\r\n").unwrap();
        assert!(t.unreadable.is_empty(), "{:?}", t.unreadable);
        assert_eq!(t.rows.len(), 2);
    }

    #[test]
    fn a_file_over_the_row_limit_is_refused_with_the_limit() {
        let e = read_table_within(b"h,t\np1,a\np2,b\np3,c\n", 3).unwrap_err();
        assert!(e.contains("more than 3 rows"), "{e}");
        let t = read_table_within(b"h,t\np1,a\np2,b\n", 3).unwrap();
        assert_eq!(t.rows.len(), 3);
        // Unreadable rows count too.
        assert!(read_table_within(b"p1,a\np\"2,b\np3,c\n", 2).is_err());
        assert!(read_table_within(&[], 0).is_ok());
        assert_eq!(MAX_ROWS, 1_000_000);
    }

    #[test]
    fn a_row_holding_a_key_is_refused_without_showing_it() {
        let mut t = read_table(b"p1,vip\nSECRET,vip\np3,\"vip, SECRET\"\np4,x\n").unwrap();
        // The test is the caller's: here, the whole cell only.
        t.refuse_keys(|c| c.trim() == "SECRET");
        assert_eq!(lines(&t), [1, 3, 4]);
        let bad: Vec<usize> = t.unreadable.iter().map(|(l, _)| *l).collect();
        assert_eq!(bad, [2]);
        assert!(t.unreadable[0].1.contains("column 1 holds an API key"));
        assert!(!t.unreadable[0].1.contains("SECRET"));
        // A key inside a list of tags is found by the caller's test (is_key embeds).
        let mut t = read_table(b"p3,\"vip, SECRETKEY1\"\n").unwrap();
        t.refuse_keys(|c| c.contains("SECRETKEY1"));
        assert_eq!(t.unreadable[0].0, 1);
        assert!(t.rows.is_empty());
    }
}
