//! `tagdesk demo --list`: every playground scenario key with its title, for a tour script's
//! `scenario = "KEY"` (and the `S` picker's rows).

use serde_json::{Value, json};

use super::out;
use crate::core::playground::plays;
use crate::core::printable::json_text;

/// Prints every scenario key and its title, one per line with the titles aligned, or with
/// `json` a list of `{"key", "title", "service"}`.
pub fn list(json: bool) {
    let plays = plays();
    if json {
        let list: Vec<Value> = plays
            .iter()
            .map(|p| {
                json!({
                    "key": p.key,
                    "title": p.title,
                    "service": p.service(),
                })
            })
            .collect();
        out(&json_text(&Value::Array(list)));
        return;
    }
    let width = plays
        .iter()
        .map(|p| p.key.chars().count())
        .max()
        .unwrap_or(0);
    for p in &plays {
        out(&format!("{:<width$}  {}", p.key, p.title));
    }
}
