use super::*;

const ROWS: [&str; 4] = ["adam", "bea", "ada", "grace"];

/// The patron list's rule: the whole haystack is the id, compared as written.
const BY_ID: Exact = Exact {
    fields: &[0],
    ignore_case: false,
};

fn list_of(rows: &[&str]) -> FilteredList {
    let mut list = FilteredList::new(BY_ID, Fallback::First);
    for r in rows {
        list.push(|s| s.push_str(r));
    }
    list
}

fn typed(list: &mut FilteredList, text: &str) {
    list.filter.input = Input::new(text.to_string());
    list.refresh();
}

fn shown(list: &FilteredList, rows: &[&str]) -> Vec<String> {
    list.visible()
        .iter()
        .map(|&i| rows[i].to_string())
        .collect()
}

#[test]
fn an_exact_match_ranks_first_and_is_selected() {
    let mut list = list_of(&ROWS);
    assert_eq!(list.visible(), [0, 1, 2, 3]);
    typed(&mut list, "ada");
    assert_eq!(list.visible(), [2, 0], "exact first, then the near-miss");
    assert_eq!(list.selected_index(), Some(2));
}

#[test]
fn the_selection_stays_on_its_item_across_filters() {
    let mut list = list_of(&ROWS);
    list.move_by(3);
    assert_eq!(list.selected_index(), Some(3));
    typed(&mut list, "a");
    assert_eq!(list.selected_index(), Some(3), "grace still shows");
    typed(&mut list, "zzz");
    assert_eq!(list.selected_index(), None);
    assert!(!list.move_by(1), "an empty list does not move");
    typed(&mut list, "");
    assert_eq!(list.selected(), 0, "a lost selection goes to the first row");
}

#[test]
fn moving_clamps_and_appending_keeps_the_order() {
    let mut list = list_of(&ROWS[..2]);
    assert!(list.move_by(10));
    assert_eq!(list.selected(), 1);
    assert!(!list.move_by(1));
    assert!(list.move_by(-5));
    assert_eq!(list.selected(), 0);
    list.push(|s| s.push_str("ada"));
    list.push(|s| s.push_str("grace"));
    assert_eq!(list.visible(), [0, 1, 2, 3]);
}

#[test]
fn items_appended_under_a_filter_are_matched_as_they_arrive() {
    let rows = ["adam", "bea", "ada", "grace", "adam2", "ada"];
    let mut list = list_of(&rows[..2]);
    typed(&mut list, "ada");
    assert_eq!(list.visible(), [0]);
    list.push(|s| s.push_str(rows[2]));
    assert_eq!(list.visible(), [2, 0], "an exact match goes first");
    assert_eq!(list.selected_index(), Some(2), "and is selected");
    list.move_by(1);
    list.push(|s| s.push_str(rows[3]));
    list.push(|s| s.push_str(rows[4]));
    list.push(|s| s.push_str(rows[5]));
    assert_eq!(shown(&list, &rows), ["ada", "ada", "adam", "adam2"]);
    assert_eq!(
        list.selected_index(),
        Some(0),
        "the operator's choice stays once an exact match was shown"
    );
}

#[test]
fn a_replaced_item_moves_to_where_its_new_text_puts_it() {
    let mut rows = ROWS.map(String::from).to_vec();
    let mut list = list_of(&ROWS);
    typed(&mut list, "ada");
    rows[1] = "ada".into();
    list.replace(1, |s| s.push_str("ada"));
    assert_eq!(list.visible(), [1, 2, 0]);
    rows[2] = "zed".into();
    list.replace(2, |s| s.push_str("zed"));
    assert_eq!(list.visible(), [1, 0]);
    typed(&mut list, "");
    assert_eq!(list.visible(), [0, 1, 2, 3]);
}

#[test]
fn a_longer_query_searches_only_the_previous_rows_and_agrees_with_a_full_scan() {
    let rows: Vec<String> = (0..200).map(|i| format!("user{i} u{i}@x.org")).collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let mut list = list_of(&refs);
    for text in ["u", "u1", "u12", "u12 x", "u12 x.o", "u1", "!u1", "!u1 2"] {
        typed(&mut list, text);
        let expected = filter::ranked(text, &rows, |i| rows[i] == text.trim());
        assert_eq!(list.visible(), expected, "{text}");
    }
}

#[test]
fn a_background_search_lands_where_a_full_scan_would() {
    let rows: Vec<String> = (0..3_000).map(|i| format!("row {i}")).collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let mut list = list_of(&refs);
    list.set_inline_rows(0);
    list.move_by(5);
    typed(&mut list, "row 1");
    assert!(list.is_filtering());
    assert_eq!(list.visible().len(), 3_000, "the old rows show meanwhile");
    // Items arrive and change while it runs.
    list.push(|s| s.push_str("row 1"));
    list.push(|s| s.push_str("row 99999"));
    list.replace(0, |s| s.push_str("row 1x"));
    assert!(list.settle());
    assert!(!list.is_filtering());
    let mut now = rows.clone();
    now.push("row 1".into());
    now.push("row 99999".into());
    now[0] = "row 1x".into();
    let expected = filter::ranked("row 1", &now, |i| now[i] == "row 1");
    assert_eq!(list.visible(), expected);
    assert_eq!(
        list.selected_index(),
        Some(1),
        "the exact match is selected"
    );
    // Narrowing in the background too, then clearing.
    typed(&mut list, "row 12");
    list.settle();
    assert_eq!(
        list.visible(),
        filter::ranked("row 12", &now, |i| now[i] == "row 12")
    );
    typed(&mut list, "");
    assert!(!list.is_filtering(), "no filter needs no search");
    assert_eq!(list.visible().len(), now.len());
}

#[test]
fn a_rebuild_starts_over_and_keeps_the_item_asked_for() {
    let mut list = list_of(&ROWS);
    typed(&mut list, "a");
    let rows = ["grace", "adam", "ada"];
    list.rebuild(3, |i, s| s.push_str(rows[i]), Some(1));
    assert_eq!(list.visible(), [0, 1, 2]);
    assert_eq!(list.selected_index(), Some(1));
    typed(&mut list, "ada");
    assert_eq!(list.visible(), [2, 1]);
}

#[test]
fn a_quick_filter_on_top_then_a_longer_query_searches_everything_again() {
    let mut list = FilteredList::new(Exact::NONE, Fallback::Last);
    for r in ROWS {
        list.push(|s| s.push_str(r));
    }
    typed(&mut list, "g");
    assert_eq!(
        list.selected_index(),
        Some(3),
        "the fallback is the last row"
    );
    typed(&mut list, "a");
    list.retain(|i| i != 0);
    assert_eq!(list.visible(), [1, 2, 3]);
    typed(&mut list, "ad");
    assert_eq!(
        list.visible(),
        [0, 2],
        "the retained rows are not the query's answer"
    );
}

/// Found by the property test (tests/properties/filter.rs): an item changed while a search
/// ran, then the query grew before it landed; the longer query starts from the rows shown,
/// which must already know the change.
#[test]
fn an_item_changed_during_a_search_is_found_by_a_longer_query_started_before_it_lands() {
    let mut rows = vec![""; 12];
    rows.push("b");
    let mut list = list_of(&rows);
    list.set_inline_rows(0);
    typed(&mut list, "b");
    list.settle();
    typed(&mut list, "b1");
    list.replace(3, |s| s.push_str("B1"));
    typed(&mut list, "b1 ");
    list.settle();
    assert_eq!(list.visible(), [3]);
}
