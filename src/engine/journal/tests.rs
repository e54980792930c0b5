//! The journal's ids and opening it.

use super::*;

#[test]
fn ids_are_unique() {
    let a = new_id();
    let b = new_id();
    assert_ne!(a, b);
    assert_eq!(a.split('-').count(), 3);
}

#[test]
fn rotated_files_are_listed_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let active = file_for(dir.path(), "p");
    for name in [
        "journal-p.20261123T062400Z-10.jsonl",
        "journal-p.20261123T062400Z.jsonl",
        "journal-p.20261123T062400Z-2.jsonl",
        "journal-p.20261122T000000Z.jsonl",
        "journal-px.20261122T000000Z.jsonl",
        "journal-p.notes.jsonl",
    ] {
        std::fs::write(dir.path().join(name), b"").unwrap();
    }
    let names: Vec<String> = files_of(&active)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "journal-p.20261122T000000Z.jsonl",
            "journal-p.20261123T062400Z.jsonl",
            "journal-p.20261123T062400Z-2.jsonl",
            "journal-p.20261123T062400Z-10.jsonl",
            "journal-p.jsonl",
        ]
    );
}

#[test]
fn file_names_are_sanitised() {
    let d = Path::new("/d");
    assert_eq!(file_for(d, "work"), Path::new("/d/journal-work.jsonl"));
    assert_eq!(
        file_for(d, "a/../b é"),
        Path::new("/d/journal-a____b__.jsonl")
    );
    assert_eq!(file_for(d, ""), Path::new("/d/journal-_.jsonl"));
}
