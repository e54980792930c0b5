//! The lists' filter against a plain scan: whatever the operator types (characters, the
//! pattern syntax, backspaces), whatever rows arrive or change meanwhile, and whether the
//! searches run in the UI thread or in the background, once the searches have landed the
//! list shows exactly what matching every row from scratch shows, exact matches first.

use proptest::prelude::*;
use tagdesk::tui::filter::{self, Exact};
use tagdesk::tui::state::{Fallback, FilteredList};
use tui_input::Input;

use super::config;

/// What happens to a list, one step at a time.
#[derive(Debug, Clone)]
enum Step {
    Type(char),
    Backspace,
    /// A row arrives.
    Push(String),
    /// Row `n % len` changes.
    Replace(usize, String),
    /// Wait for the search in flight.
    Settle,
}

/// Short rows from a small alphabet, so queries often match part of them.
fn row() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[abAB1é ]{0,6}").expect("regex")
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => proptest::sample::select(vec!['a', 'b', 'B', '1', 'é', ' ', '!', '^', '$', '\'', '\\'])
            .prop_map(Step::Type),
        2 => Just(Step::Backspace),
        2 => row().prop_map(Step::Push),
        1 => (any::<usize>(), row()).prop_map(|(n, r)| Step::Replace(n, r)),
        1 => Just(Step::Settle),
    ]
}

const EXACT: Exact = Exact {
    fields: &[0],
    ignore_case: true,
};

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn the_filter_settles_where_a_plain_scan_lands(
        start in proptest::collection::vec(row(), 0..40),
        steps in proptest::collection::vec(step(), 0..40),
        background in any::<bool>(),
    ) {
        let mut rows = start.clone();
        let mut list = FilteredList::new(EXACT, Fallback::First);
        if background {
            list.set_inline_rows(0);
        }
        for r in &rows {
            list.push(|s| s.push_str(r));
        }
        let mut text = String::new();
        for step in steps {
            match step {
                Step::Type(c) => text.push(c),
                Step::Backspace => {
                    text.pop();
                }
                Step::Push(r) => {
                    list.push(|s| s.push_str(&r));
                    rows.push(r);
                }
                Step::Replace(n, r) if !rows.is_empty() => {
                    let i = n % rows.len();
                    list.replace(i, |s| s.push_str(&r));
                    rows[i] = r;
                }
                Step::Replace(..) => {}
                Step::Settle => {
                    list.settle();
                }
            }
            if list.filter.text() != text {
                list.filter.input = Input::new(text.clone());
                list.refresh();
            }
        }
        list.settle();
        prop_assert!(!list.is_filtering());
        let q = text.trim().to_lowercase();
        let expected = filter::ranked(&text, &rows, |i| rows[i].to_lowercase() == q);
        prop_assert_eq!(list.visible(), &expected[..], "{:?} over {:?}", text, rows);
        prop_assert!(list.selected() <= expected.len().saturating_sub(1));
    }
}
