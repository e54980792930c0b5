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

/// Which columns hold what, and whether the first row is a header (the choice the Hive
/// dashboard's preview asks the operator to make).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The first row names the columns and is not data.
    pub header: bool,
    /// The column (0-based) of each expected name, in the order the kind expects them.
    pub columns: Vec<usize>,
}

/// Reads `bytes` as CSV. Never fails as a whole: what cannot be read is reported by line.
pub fn read_table(bytes: &[u8]) -> Table {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
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
        let before = reader.position().byte();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = line_at(record.position().map_or(before, |p| p.byte()));
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
                if let Some(reason) = bad {
                    table.unreadable.push((line, reason));
                } else if cells.iter().any(|c| !c.trim().is_empty()) {
                    table.rows.push(RawRow { line, cells });
                }
            }
            Err(e) => {
                let at = line_at(e.position().map_or(before, |p| p.byte()));
                table.unreadable.push((at, format!("not valid CSV: {e}")));
                // The reader cannot resume inside a broken record reliably: stop here.
                break;
            }
        }
    }
    table
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
        let t = read_table(b"user_id,user_tags\n\np1,\"vip, news\"\np2,\"a\nb\"\np3,x\n");
        assert_eq!(lines(&t), [1, 3, 4, 6]);
        assert_eq!(t.rows[1].cells, ["p1", "vip, news"]);
        assert!(t.unreadable.is_empty());
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let t = read_table(b"\xEF\xBB\xBFuser_id,user_tags\r\np1,vip\r\n\r\np2,news\r\n");
        assert_eq!(t.rows[0].cells, ["user_id", "user_tags"]);
        assert_eq!(lines(&t), [1, 2, 4]);
    }

    #[test]
    fn non_utf8_rows_are_reported_by_line_and_the_rest_read() {
        let t = read_table(b"p1,vip\np2,\xff\xfe\np3,x\n");
        assert_eq!(lines(&t), [1, 3]);
        assert_eq!(t.unreadable.len(), 1);
        assert_eq!(t.unreadable[0].0, 2);
        assert!(t.unreadable[0].1.contains("UTF-8"), "{:?}", t.unreadable);
    }

    #[test]
    fn headers_are_found_in_any_order_and_case() {
        let t = read_table(b"Extra,USER_TAGS,User_Id\nx,vip,p1\n");
        let l = detect_layout(&t, &["user_id", "user_tags"]).unwrap();
        assert_eq!(
            l,
            Layout {
                header: true,
                columns: vec![2, 1]
            }
        );
        let t = read_table(b"p1,vip\n");
        let l = detect_layout(&t, &["user_id", "user_tags"]).unwrap();
        assert!(!l.header);
        assert_eq!(l.columns, [0, 1]);
    }

    #[test]
    fn a_half_header_is_an_error_not_data() {
        let t = read_table(b"user_id,tags\np1,vip\n");
        let e = detect_layout(&t, &["user_id", "user_tags"]).unwrap_err();
        assert_eq!(e.0, 1);
        assert!(e.1.contains("no user_tags column"), "{}", e.1);
    }
}
