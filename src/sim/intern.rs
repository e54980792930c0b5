//! Interned strings, so that rows hold a number instead of a copy of a string many rows
//! share (tag type ids, tag values, timestamps, api_fields).

use std::collections::HashMap;
use std::sync::Arc;

/// Interned strings: each distinct string stored once; rows hold its number.
#[derive(Debug, Clone, Default)]
pub(crate) struct Strings {
    list: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, u32>,
}

impl Strings {
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        let shared: Arc<str> = Arc::from(s);
        self.list.push(shared.clone());
        self.ids.insert(shared, id);
        id
    }

    pub(crate) fn get(&self, id: u32) -> &str {
        self.list.get(id as usize).map_or("", |s| s)
    }

    /// The number of a string already interned.
    pub(crate) fn find(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }
}
