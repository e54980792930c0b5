//! The simulator's seed: users, patrons, tag types and the Hive tag catalogue.
//!
//! The demo seed (`assets/demo.toml`) is compiled into the binary so demo mode needs no
//! files; `tagdesk sim --seed FILE` loads another one. Ids and values go through the same
//! validated types as operator input, so a seed can never hold what tagdesk itself would
//! refuse to send.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::{DemoKeys, Profile};
use crate::core::domain::{
    ApiField, CeregoUserId, HiveTag, PartnerId, PatronId, TagType, TagValue,
};

/// The most synthetic users, and the most synthetic patrons, a simulator makes (`tagdesk
/// sim --users N --patrons N`). The simulator holds every row in memory: a hundred million
/// users take several GiB.
pub const MAX_SYNTHETIC: u64 = 100_000_000;

/// The seed compiled into the binary.
pub const DEMO_SEED: &str = include_str!("../../assets/demo.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub cerego: CeregoSeed,
    pub hive: HiveSeed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CeregoSeed {
    pub partner_id: PartnerId,
    /// Users per page of the user list.
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    /// Whether the user list honours `page[size]` (1–100). `false`: it is ignored and every
    /// page has `page_size` users, as a server that does not know the parameter would.
    #[serde(default = "default_honour_page_size")]
    pub honour_page_size: bool,
    /// Id given to the first seeded tag; later ones count up from it.
    #[serde(default = "default_first_tag_id")]
    pub first_tag_id: u64,
    /// Timestamp given to seeded tags (fixed, so screens are reproducible).
    #[serde(default = "default_seeded_at")]
    pub seeded_at: String,
    pub profile: ProfileSeed,
    pub tag_types: Vec<TagType>,
    #[serde(default)]
    pub users: Vec<UserSeed>,
    /// Synthetic users the simulator adds after `users` (`tagdesk sim --users N`; see
    /// [`Seed::add_synthetic`]). Never read from or written to a file.
    #[serde(skip)]
    pub synthetic_users: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSeed {
    pub id: CeregoUserId,
    pub name: String,
    pub email: String,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSeed {
    pub id: CeregoUserId,
    pub name: String,
    pub username: String,
    /// Empty (or left out) for a user without an email: the listing says `"email": null`.
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub member_id: Option<String>,
    /// The department the user belongs to, if any: department users are listed only when
    /// `include_department_users` is true (SPEC §1.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub last_logged_in_at: Option<String>,
    /// Tag type id → value.
    #[serde(default)]
    pub tags: BTreeMap<String, TagValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HiveSeed {
    pub tags: Vec<HiveTag>,
    #[serde(default)]
    pub patrons: Vec<PatronSeed>,
    /// Synthetic patrons the simulator adds after `patrons` (`tagdesk sim --patrons N`).
    /// Never read from or written to a file.
    #[serde(skip)]
    pub synthetic_patrons: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatronSeed {
    pub id: PatronId,
    #[serde(default)]
    pub tags: Vec<ApiField>,
}

fn default_page_size() -> usize {
    25
}
fn default_honour_page_size() -> bool {
    true
}
fn default_first_tag_id() -> u64 {
    84001
}
fn default_seeded_at() -> String {
    "2026-01-05T09:00:00.000Z".into()
}

impl Seed {
    /// The demo profile for a simulator serving this seed at `base_url` with these keys:
    /// its partner, its tag types and its Hive catalogue.
    pub fn demo_profile(&self, base_url: &str, keys: DemoKeys<'_>) -> Profile {
        Profile::demo(
            base_url,
            keys,
            self.cerego.partner_id.clone(),
            self.cerego.tag_types.clone(),
            self.hive.tags.clone(),
        )
    }
}

/// A seed that could not be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed file {path}: {source}")]
    Io {
        path: String,
        source: crate::engine::fs::ReadError,
    },
    #[error("seed {origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl Seed {
    /// The demo seed compiled into the binary.
    pub fn demo() -> Self {
        // The demo seed is checked by a unit test, so this cannot fail in a released build;
        // if it ever did, an empty seed is still a working simulator.
        Self::parse(DEMO_SEED, "assets/demo.toml").unwrap_or_else(|_| Self::empty())
    }

    /// The demo seed with `n` users: copies of the demo users outside departments (tags
    /// included) with new ids (from 2,000,000), names, emails and member ids, so all `n` are
    /// listed by default. For benchmarks and scale tests.
    pub fn grown(n: usize) -> Self {
        let mut seed = Self::demo();
        let mut base = std::mem::take(&mut seed.cerego.users);
        base.retain(|u| u.department.is_none());
        if base.is_empty() {
            return seed;
        }
        seed.cerego.users = (0..n)
            .filter_map(|i| {
                let mut u = base[i % base.len()].clone();
                u.id = CeregoUserId::parse(&(2_000_000 + i).to_string()).ok()?;
                u.name = format!("{} {i}", u.name);
                u.email = format!("user{i}@example.edu");
                u.member_id = Some(format!("M-{i}"));
                Some(u)
            })
            .collect();
        seed
    }

    /// Adds `users` synthetic Cerego users and `patrons` synthetic Hive patrons to the seed,
    /// deterministically (the same numbers give the same state). Users get ids from
    /// 3,000,000 (N counting from 0), names `Synthetic User N`, usernames `syntheticN`, emails
    /// `synthetic.N@example.edu`, member ids `S-N`, the creation time of the seed's first user
    /// and the tags of the seed's users outside departments in turn; patrons `synth_N` hold
    /// up to three api_fields of the catalogue, chosen by N. An id the seed already uses is
    /// skipped. The seed only records the numbers: the simulator builds the rows directly,
    /// compactly ([`crate::sim::cerego::CeregoState`], [`crate::sim::hive::HiveState`]), so
    /// a million of each start in a fraction of a second. For demos and benchmarks at scale
    /// (`tagdesk sim --users N --patrons N`).
    /// Each count stops at [`MAX_SYNTHETIC`] (`tagdesk sim` refuses more).
    pub fn add_synthetic(&mut self, users: u64, patrons: u64) {
        let add = |had: u64, more: u64| had.saturating_add(more).min(MAX_SYNTHETIC);
        self.cerego.synthetic_users = add(self.cerego.synthetic_users, users);
        self.hive.synthetic_patrons = add(self.hive.synthetic_patrons, patrons);
    }

    /// No users, no patrons, no tags: only the partner, a profile and one tag type, so the
    /// API surface still works.
    pub fn empty() -> Self {
        Self {
            cerego: CeregoSeed {
                partner_id: PartnerId::from_literal("1"),
                page_size: default_page_size(),
                honour_page_size: true,
                first_tag_id: default_first_tag_id(),
                seeded_at: default_seeded_at(),
                profile: ProfileSeed {
                    id: CeregoUserId::from_literal("1"),
                    name: "Simulator Admin".into(),
                    email: "admin@sim.invalid".into(),
                    username: "admin".into(),
                },
                tag_types: Vec::new(),
                users: Vec::new(),
                synthetic_users: 0,
            },
            hive: HiveSeed {
                tags: Vec::new(),
                patrons: Vec::new(),
                synthetic_patrons: 0,
            },
        }
    }

    /// Loads a seed file: a regular file of at most [`crate::engine::fs::MAX_SEED_BYTES`].
    pub fn load(path: &Path) -> Result<Self, SeedError> {
        let text = crate::engine::fs::read_text(path, crate::engine::fs::MAX_SEED_BYTES).map_err(
            |source| SeedError::Io {
                path: path.display().to_string(),
                source,
            },
        )?;
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> Result<Self, SeedError> {
        let seed: Seed = toml::from_str(text).map_err(|e| SeedError::Invalid {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        seed.check().map_err(|message| SeedError::Invalid {
            origin: origin.to_string(),
            message,
        })?;
        Ok(seed)
    }

    /// Cross-reference checks that serde cannot express.
    fn check(&self) -> Result<(), String> {
        let c = &self.cerego;
        if c.first_tag_id >= 10u64.pow(crate::core::domain::NUMERIC_ID_MAX as u32) / 2 {
            return Err(format!(
                "cerego.first_tag_id {} leaves no room: tag ids must stay under {} digits",
                c.first_tag_id,
                crate::core::domain::NUMERIC_ID_MAX
            ));
        }
        time("cerego.seeded_at", &c.seeded_at)?;
        if c.page_size == 0 || c.page_size > 1000 {
            return Err("cerego.page_size must be between 1 and 1000".into());
        }
        let mut seen = std::collections::HashSet::new();
        for t in &c.tag_types {
            if !seen.insert(t.id.as_str()) {
                return Err(format!("tag type {} is listed twice", t.id));
            }
        }
        let mut users = std::collections::HashSet::new();
        for u in &c.users {
            if !users.insert(u.id.as_str()) {
                return Err(format!("user {} is listed twice", u.id));
            }
            time(&format!("user {}: created_at", u.id), &u.created_at)?;
            if let Some(at) = &u.last_logged_in_at {
                time(&format!("user {}: last_logged_in_at", u.id), at)?;
            }
            if u.department.as_deref().is_some_and(|d| d.trim().is_empty()) {
                return Err(format!(
                    "user {}: department is empty (leave it out for a user in no department)",
                    u.id
                ));
            }
            for type_id in u.tags.keys() {
                if !seen.contains(type_id.as_str()) {
                    return Err(format!(
                        "user {} has a tag of type {type_id}, which is not in cerego.tag_types",
                        u.id
                    ));
                }
            }
        }
        let catalogue: std::collections::HashSet<&str> = self
            .hive
            .tags
            .iter()
            .map(|t| t.api_field.as_str())
            .collect();
        if catalogue.len() != self.hive.tags.len() {
            return Err("an api_field is listed twice in hive.tags".into());
        }
        let mut patrons = std::collections::HashSet::new();
        for p in &self.hive.patrons {
            if !patrons.insert(p.id.as_str()) {
                return Err(format!("patron {} is listed twice", p.id));
            }
            for f in &p.tags {
                if !catalogue.contains(f.as_str()) {
                    return Err(format!(
                        "patron {} has tag {f}, which is not in hive.tags",
                        p.id
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A time as the APIs write it (RFC 3339, e.g. `2026-01-05T09:00:00.000Z`).
fn time(what: &str, value: &str) -> Result<(), String> {
    chrono::DateTime::parse_from_rfc3339(value)
        .map(|_| ())
        .map_err(|e| {
            // Debug quoting escapes control characters; a long value is cut.
            let shown: String = value.chars().take(40).collect();
            let more = if shown.len() < value.len() { "…" } else { "" };
            format!(
                "{what} {shown:?}{more} is not a time ({e}); write it like \
                 2026-01-05T09:00:00.000Z"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_seed_is_valid_and_rich_enough() {
        let seed = Seed::parse(DEMO_SEED, "demo").unwrap();
        assert!(seed.cerego.users.len() >= 30);
        assert!(seed.cerego.tag_types.len() >= 4);
        let used_types: std::collections::HashSet<&String> = seed
            .cerego
            .users
            .iter()
            .flat_map(|u| u.tags.keys())
            .collect();
        assert!(
            used_types.len() >= 4,
            "users carry tags of at least 4 types"
        );
        assert!(seed.hive.tags.len() >= 8);
        assert!(seed.hive.patrons.len() >= 20);
        let fields: Vec<&str> = seed
            .hive
            .tags
            .iter()
            .map(|t| t.api_field.as_str())
            .collect();
        assert!(fields.contains(&"vip") && fields.contains(&"newsletter"));
        let abc = seed
            .hive
            .patrons
            .iter()
            .find(|p| p.id.as_str() == "user_abc123")
            .unwrap();
        let tags: Vec<&str> = abc.tags.iter().map(|t| t.as_str()).collect();
        assert_eq!(tags, ["newsletter"], "the documented add example must hold");
    }

    #[test]
    fn bad_seeds_say_where() {
        let err = Seed::parse("[cerego]\npartner_id = \"x1\"\n", "bad.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("bad.toml") && err.contains("partner id"),
            "{err}"
        );
        let mut seed = Seed::demo();
        seed.hive.patrons[0]
            .tags
            .push(ApiField::parse("nope").unwrap());
        assert!(seed.check().unwrap_err().contains("not in hive.tags"));
    }

    /// Times are times: `seeded_at`, a user's `created_at` and `last_logged_in_at`; the
    /// error names the seed and the value (escaped, cut when long).
    #[test]
    fn seed_times_are_checked() {
        let with = |from: &str, to: &str| {
            assert!(DEMO_SEED.contains(from), "{from}");
            Seed::parse(&DEMO_SEED.replacen(from, to, 1), "my-seed.toml").map_err(|e| e.to_string())
        };
        let seeded = "seeded_at = \"2026-01-05T09:00:00.000Z\"";
        let err = with(seeded, "seeded_at = \"2026-13-05\"").unwrap_err();
        assert!(
            err.starts_with("seed my-seed.toml: cerego.seeded_at \"2026-13-05\" is not a time"),
            "{err}"
        );
        let err = with(seeded, "seeded_at = \"\\u001b[2J\"").unwrap_err();
        assert!(
            err.contains("\\u{1b}[2J") && !err.contains('\u{1b}'),
            "{err}"
        );
        let err = with(seeded, &format!("seeded_at = \"{}\"", "9".repeat(5000))).unwrap_err();
        assert!(err.len() < 300, "{err}");
        let created = "created_at = \"2024-01-01T10:00:00.000Z\"";
        let err = with(created, "created_at = \"soon\"").unwrap_err();
        assert!(err.contains(": created_at \"soon\" is not a time"), "{err}");
        assert!(with(seeded, "seeded_at = \"2026-01-05T09:00:00+02:00\"").is_ok());
    }

    #[test]
    fn synthetic_counts_stop_at_the_cap() {
        let mut seed = Seed::demo();
        seed.add_synthetic(MAX_SYNTHETIC, u64::MAX);
        seed.add_synthetic(1, 1);
        assert_eq!(seed.cerego.synthetic_users, MAX_SYNTHETIC);
        assert_eq!(seed.hive.synthetic_patrons, MAX_SYNTHETIC);
    }

    #[test]
    fn a_grown_seed_is_valid() {
        let seed = Seed::grown(100);
        assert_eq!(seed.cerego.users.len(), 100);
        assert!(seed.check().is_ok());
    }

    #[test]
    fn empty_seed_is_valid() {
        assert!(Seed::empty().check().is_ok());
    }

    #[test]
    fn synthetic_users_and_patrons_are_deterministic_and_unique() {
        let mut a = Seed::demo();
        a.add_synthetic(1_000, 500);
        let mut b = Seed::demo();
        b.add_synthetic(1_000, 500);
        assert_eq!(a, b);
        a.check().expect("the seed's own rows are still checked");
        let (ma, mb) = (crate::sim::Model::new(&a), crate::sim::Model::new(&b));
        let state = |m: &crate::sim::Model| {
            serde_json::to_value((&m.cerego, &m.hive)).expect("the state as JSON")
        };
        assert_eq!(
            state(&ma),
            state(&mb),
            "the same numbers give the same state"
        );
        assert_eq!(ma.cerego.user_count(), 38 + 1_000);
        assert_eq!(ma.hive.patrons.len(), 24 + 500);
        let users = state(&ma)[0]["users"].as_array().unwrap().clone();
        let ids: std::collections::HashSet<&str> =
            users.iter().map(|u| u["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), users.len(), "unique user ids");
        let tagged: std::collections::HashSet<String> = ma
            .cerego
            .tags()
            .filter(|t| t.user_id.starts_with('3'))
            .map(|t| t.user_id)
            .collect();
        assert!(tagged.len() > 500, "most synthetic users carry tags");
        // Synthetic users copy the tags of the seed's users outside departments, in turn.
        let first = a
            .cerego
            .users
            .iter()
            .find(|u| u.department.is_none())
            .unwrap();
        let copied: Vec<(String, String)> = ma
            .cerego
            .tags_of_user("3000000")
            .into_iter()
            .map(|t| (t.tag_type_id, t.value))
            .collect();
        let want: Vec<(String, String)> = first
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect();
        assert_eq!(copied, want);
        assert_eq!(ma.hive.patrons.get("synth_3").map(|t| t.len()), Some(3));
        assert_eq!(ma.hive.patrons.get("synth_499").map(|t| t.len()), Some(3));
        assert_eq!(ma.hive.patrons.get("synth_500"), None);
        assert_eq!(ma.hive.patrons.get("synth_03"), None);
    }

    #[test]
    fn an_id_the_seed_already_uses_is_not_made_again() {
        let mut seed = Seed::demo();
        seed.cerego.users[0].id = CeregoUserId::parse("3000001").unwrap();
        seed.hive.patrons[0].id = PatronId::parse("synth_1").unwrap();
        seed.hive.patrons[0].tags = vec![ApiField::parse("vip").unwrap()];
        seed.add_synthetic(5, 5);
        let model = crate::sim::Model::new(&seed);
        assert_eq!(model.cerego.user_count(), 38 + 4);
        assert_eq!(model.hive.patrons.len(), 24 + 4);
        assert_eq!(
            model.hive.patrons.get("synth_1"),
            Some(vec!["vip"]),
            "the seed's"
        );
    }

    #[test]
    fn department_and_email_are_optional_and_checked() {
        let seed = Seed::demo();
        let departments: Vec<&UserSeed> = seed
            .cerego
            .users
            .iter()
            .filter(|u| u.department.is_some())
            .collect();
        assert_eq!(departments.len(), 2);
        assert!(
            departments.iter().any(|u| u.email.is_empty()),
            "one without email"
        );
        let mut bad = Seed::demo();
        bad.cerego.users[0].department = Some(" ".into());
        assert!(bad.check().unwrap_err().contains("department is empty"));
        // A seed written out and read back keeps them.
        let text = toml::to_string(&seed).unwrap();
        assert_eq!(Seed::parse(&text, "round trip").unwrap(), seed);
    }
}
