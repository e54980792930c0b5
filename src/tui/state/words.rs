//! The console's words for what the journal names with identifiers: an operation
//! (`cerego_update` → `Cerego update`), a batch (`import people.csv`, `Hive add to marked
//! patrons`) and what an undo undid (`undo of import people.csv (3 rows, 10:02)`), so
//! no snake_case name or bare id is what a person reads.

use chrono::{DateTime, FixedOffset, Utc};

use super::batch::BatchView;
use super::batches::Listing;
use super::requests::RequestLog;
use crate::core::op::Op;
use crate::core::printable::plural;

/// A request in words, as the action log's columns say it: `Hive add`, `Cerego update`.
pub fn op_words(op: &Op) -> String {
    format!("{} {}", op.service().name(), op.verb())
}

/// A batch's operation in words (from its journal name): `Hive add`, `Cerego set`, `undo`.
pub fn batch_op_words(name: &str) -> &'static str {
    match name {
        "hive_add" => "Hive add",
        "hive_remove" => "Hive remove",
        "hive_set" => "Hive set",
        "cerego_import" => "Cerego set",
        "undo" => "undo",
        "probe" => "Hive probe",
        _ => "batch",
    }
}

/// A batch's verb, where its service is said beside it (`Hive batch  2 × add`).
pub fn batch_verb(name: &str) -> &'static str {
    let words = batch_op_words(name);
    words.rsplit(' ').next().unwrap_or(words)
}

/// Where a batch's rows came from: the name of the file it imports, or the marked rows.
pub fn batch_source(name: &str, source: Option<&str>) -> String {
    if let Some(path) = source {
        let file = path
            .rsplit(['/', '\\'])
            .find(|s| !s.is_empty())
            .unwrap_or(path);
        return file.to_string();
    }
    match name {
        "hive_add" | "hive_remove" => "marked patrons".into(),
        "cerego_import" => "marked users".into(),
        "undo" => "an undo".into(),
        _ => "marked rows".into(),
    }
}

/// Where a batch's rows came from, as a title says it: `import people.csv`, `marked users`.
pub fn batch_origin(name: &str, source: Option<&str>) -> String {
    match source {
        Some(_) => format!("import {}", batch_source(name, source)),
        None => batch_source(name, source),
    }
}

/// What a batch did, in one phrase: `import people.csv`, `Hive add to marked patrons`.
pub fn batch_what(name: &str, source: Option<&str>) -> String {
    if source.is_some() {
        return batch_origin(name, source);
    }
    let to = match name {
        "hive_remove" => "from",
        "cerego_import" => "on",
        _ => "to",
    };
    format!(
        "{} {to} {}",
        batch_op_words(name),
        batch_source(name, source)
    )
}

/// When something happened, short: `10:02` today, `Mar 13 09:12` another day.
pub fn when(at: DateTime<Utc>, now: DateTime<Utc>, offset: FixedOffset) -> String {
    let local = at.with_timezone(&offset);
    if local.date_naive() == now.with_timezone(&offset).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%b %d %H:%M").to_string()
    }
}

/// What the console knows of the batches and requests an undo can name.
pub struct Known<'a> {
    pub batches: &'a [BatchView],
    pub listing: &'a Listing,
    pub log: &'a RequestLog,
    pub now: DateTime<Utc>,
    pub offset: FixedOffset,
}

impl Known<'_> {
    /// What the batch or journal entry `of` did, in words: `import people.csv (3 rows,
    /// 10:02)`, `Cerego update tag 84001 (10:02)`; its id only when the console knows
    /// nothing else of it.
    pub fn undone(&self, of: &str) -> String {
        let batch = |name: &str, source: Option<&str>, rows: usize, at: DateTime<Utc>| {
            format!(
                "{} ({}, {})",
                batch_what(name, source),
                plural(rows as u64, "row", "rows"),
                when(at, self.now, self.offset)
            )
        };
        if let Some(b) = self.batches.iter().find(|b| b.plan.batch_id == of) {
            // When this run started sending it, as the batches view shows it.
            let p = &b.plan;
            return batch(p.op.name(), p.source.as_deref(), p.rows.len(), b.started_at);
        }
        if let Some(b) = self.listing.batches.iter().find(|b| b.batch_id == of) {
            return batch(b.op, b.source.as_deref(), b.rows, b.created_at);
        }
        if let Some(e) = self.log.get(of) {
            return format!(
                "{} {} ({})",
                op_words(&e.op),
                e.op.target(),
                when(e.started_at, self.now, self.offset)
            );
        }
        format!("batch or entry {of}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_words() {
        assert_eq!(batch_op_words("cerego_import"), "Cerego set");
        assert_eq!(
            batch_source("cerego_import", Some("/data/in/people.csv")),
            "people.csv"
        );
        assert_eq!(
            batch_origin("cerego_import", Some("/data/in/people.csv")),
            "import people.csv"
        );
        assert_eq!(batch_source("hive_add", None), "marked patrons");
        assert_eq!(batch_what("hive_add", None), "Hive add to marked patrons");
        assert_eq!(
            batch_what("cerego_import", Some("people.csv")),
            "import people.csv"
        );
        let utc = FixedOffset::east_opt(0).expect("zero");
        let now = DateTime::parse_from_rfc3339("2026-03-14T12:00:00Z")
            .expect("a time")
            .to_utc();
        assert_eq!(when(now, now, utc), "12:00");
        assert_eq!(
            when(now - chrono::Duration::days(1), now, utc),
            "Mar 13 12:00"
        );
    }
}
