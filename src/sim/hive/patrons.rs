//! The application's patrons and their tags, compact so that a million start fast and
//! small: api_fields are interned (a tag is a number), and synthetic patron N
//! (`synth_N`, `tagdesk sim --patrons N`) is a slot in a vector rather than a map entry
//! with an id string of its own. Every other patron (the seed's, and those requests or
//! setup steps create) is an entry of an ordered map.

use std::collections::BTreeMap;

use serde::ser::{Serialize, Serializer};

use super::super::intern::Strings;
use super::super::seed::HiveSeed;

/// Synthetic patron N has id `SYNTHETIC_PATRON_PREFIX` + N.
pub const SYNTHETIC_PATRON_PREFIX: &str = "synth_";

#[derive(Debug, Clone, Default)]
pub struct Patrons {
    pub(super) fields: Strings,
    named: BTreeMap<String, Vec<u32>>,
    /// Synthetic patron N's tags; `None` when there is no such patron (removed by a setup
    /// step, or the seed names a patron of that id, which wins).
    synthetic: Vec<Option<Vec<u32>>>,
    live_synthetic: usize,
}

/// A patron's tags, with the interner to read and add api_fields.
pub(super) struct Entry<'a> {
    pub(super) tags: &'a mut Vec<u32>,
    pub(super) fields: &'a mut Strings,
}

impl Patrons {
    pub fn from_seed(seed: &HiveSeed) -> Self {
        let mut p = Self::default();
        for patron in &seed.patrons {
            let tags = patron
                .tags
                .iter()
                .map(|t| p.fields.intern(t.as_str()))
                .collect();
            p.named.insert(patron.id.to_string(), tags);
        }
        let catalogue: Vec<u32> = seed
            .tags
            .iter()
            .map(|t| p.fields.intern(t.api_field.as_str()))
            .collect();
        let n = usize::try_from(seed.synthetic_patrons).unwrap_or(usize::MAX / 64);
        p.synthetic.reserve_exact(n);
        for i in 0..n {
            let mut tags: Vec<u32> = Vec::new();
            if !catalogue.is_empty() {
                for k in 0..(i % 4) {
                    let f = catalogue[(i * 7 + k * 3) % catalogue.len()];
                    if !tags.contains(&f) {
                        tags.push(f);
                    }
                }
            }
            p.synthetic.push(Some(tags));
        }
        p.live_synthetic = n;
        // A seed's patron named like a synthetic one wins over it.
        for id in p.named.keys() {
            if let Some(i) = synthetic_number(id).filter(|&i| i < n)
                && p.synthetic[i].take().is_some()
            {
                p.live_synthetic -= 1;
            }
        }
        p
    }

    /// The slot of synthetic patron N, if `id` is `synth_N` for one of them.
    fn synthetic_slot(&self, id: &str) -> Option<usize> {
        synthetic_number(id).filter(|&i| i < self.synthetic.len())
    }

    /// How many patrons there are.
    pub fn len(&self) -> usize {
        self.named.len() + self.live_synthetic
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// The patron's api_fields, in the order they were added.
    pub fn get(&self, id: &str) -> Option<Vec<&str>> {
        let tags = match self.named.get(id) {
            Some(tags) => tags,
            None => self.synthetic.get(self.synthetic_slot(id)?)?.as_ref()?,
        };
        Some(tags.iter().map(|&f| self.fields.get(f)).collect())
    }

    /// The patron's tags; `create`: a patron with no tags is created when there is none.
    pub(super) fn entry(&mut self, id: &str, create: bool) -> Option<Entry<'_>> {
        let slot = if self.named.contains_key(id) {
            None
        } else {
            self.synthetic_slot(id)
        };
        let tags = match slot {
            Some(i) => {
                let tags = &mut self.synthetic[i];
                if tags.is_none() {
                    if !create {
                        return None;
                    }
                    self.live_synthetic += 1;
                }
                tags.get_or_insert_with(Vec::new)
            }
            None if create => self.named.entry(id.to_string()).or_default(),
            None => self.named.get_mut(id)?,
        };
        Some(Entry {
            tags,
            fields: &mut self.fields,
        })
    }

    /// The patron exists with exactly these tags.
    pub fn insert(&mut self, id: &str, tags: &[String]) {
        let ids: Vec<u32> = tags.iter().map(|t| self.fields.intern(t)).collect();
        if let Some(entry) = self.entry(id, true) {
            *entry.tags = ids;
        }
    }

    /// No patron with this id.
    pub fn remove(&mut self, id: &str) {
        if self.named.remove(id).is_some() {
            return;
        }
        if let Some(i) = self.synthetic_slot(id)
            && self.synthetic[i].take().is_some()
        {
            self.live_synthetic -= 1;
        }
    }
}

/// N, for an id `synth_N` (N written without leading zeros).
fn synthetic_number(id: &str) -> Option<usize> {
    let n = id.strip_prefix(SYNTHETIC_PATRON_PREFIX)?;
    let canonical = !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && (n.len() == 1 || !n.starts_with('0'));
    if canonical { n.parse().ok() } else { None }
}

/// As a map of patron id → api_fields, ordered by id (as `GET /_sim/state` shows it).
impl Serialize for Patrons {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let names =
            |tags: &Vec<u32>| -> Vec<&str> { tags.iter().map(|&f| self.fields.get(f)).collect() };
        if self.live_synthetic == 0 {
            return s.collect_map(self.named.iter().map(|(id, tags)| (id, names(tags))));
        }
        let mut all: Vec<(String, &Vec<u32>)> = self
            .named
            .iter()
            .map(|(id, tags)| (id.clone(), tags))
            .chain(self.synthetic.iter().enumerate().filter_map(|(i, tags)| {
                Some((format!("{SYNTHETIC_PATRON_PREFIX}{i}"), tags.as_ref()?))
            }))
            .collect();
        all.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        s.collect_map(all.iter().map(|(id, tags)| (id, names(tags))))
    }
}
