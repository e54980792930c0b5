//! The console's settings for a profile (or the demo seed): what the App starts with, how
//! they are made from a profile, a session or the demo seed, and what is read from them.

use chrono::{Local, Offset};

use super::keymap;
use super::keymap::Keymap;
use crate::config::Profile;
use crate::config::Unavailable;
use crate::core::domain::{HiveTag, PartnerId, TagType};
use crate::core::gate::Policy;
use crate::core::model::KnownPatron;
use crate::core::op::Place;
use crate::session::Session;
use crate::sim::seed::Seed;
use chrono::FixedOffset;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeregoSettings {
    pub partner_id: PartnerId,
    pub tag_types: Vec<TagType>,
    /// Add and edit go through the set endpoint (one operation) on `set` profiles.
    pub tags_api: crate::core::domain::TagsApi,
    /// Listings include department users.
    pub departments: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiveSettings {
    pub catalogue: Vec<HiveTag>,
    /// The base URL is plain http on a loopback address: a `tagdesk sim` on this machine,
    /// where `S` opens the playground (elsewhere it offers the probe of the live application).
    pub local_sim: bool,
}

/// What the console was started with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Demo mode: talking to the embedded simulator.
    pub demo: bool,
    pub profile: String,
    pub cerego: Option<CeregoSettings>,
    pub hive: Option<HiveSettings>,
    /// Patrons known at start (demo seed or saved workspace).
    pub patrons: Vec<KnownPatron>,
    /// The saved workspace is still being read off the UI thread: its patrons and look-ups
    /// arrive later (`Message::WorkspaceLoaded`), and until then nothing acts on the known
    /// patrons as if they were all there is.
    pub patrons_loading: bool,
    /// Offset used to show times (the local zone at start; fixed in tests).
    pub utc_offset: FixedOffset,
    /// What the write gate allows.
    pub policy: Policy,
    /// The header colour of the profile (ratatui colour name or #rrggbb).
    pub color: crate::config::colour::Colour,
    /// Other profiles the operator can switch to.
    pub profiles: Vec<String>,
    /// What the profile picker shows of each (none for a profile made otherwise than
    /// from the file).
    pub profile_cards: Vec<crate::config::ProfileCard>,
    /// Why a service is not available (shown in its panes).
    pub unavailable: Vec<Unavailable>,
    /// Where this console's commands run (`--profile NAME` or `--demo` in command lines).
    pub place: Place,
    /// Whether the workspace (known patrons, look-ups) is saved between runs.
    pub persist: bool,
    /// Whether the last complete user listing is kept on disk and shown at the next start
    /// (`[cache] users`; never in demo mode, whose simulator starts fresh).
    pub cache_users: bool,
    /// Recent Cerego look-ups, most recent first.
    pub lookups: Vec<String>,
    /// The key table in force (defaults plus the configuration's `[keys]`).
    pub keymap: Keymap,
    /// Demo mode: the embedded simulator's address (for curl, shown in help and the picker).
    pub simulator: Option<String>,
    /// The profile points every service it configures at plain http on this machine, as a
    /// profile for `tagdesk sim` does: the faults that simulator already has are read at
    /// start (off the UI thread) and shown in the header and in `F`. (Demo mode's embedded
    /// simulator starts without faults.)
    pub local_sim: bool,
    /// The colours (`theme` in the configuration; `--color never` or `NO_COLOR`:
    /// monochrome, see `session::Options::monochrome`).
    pub theme: super::theme::Theme,
}

impl Settings {
    /// No colour at all (the monochrome theme, which `NO_COLOR` selects): selection, focus
    /// and the active tab are shown by reverse video, bold and a `▶` marker.
    pub fn no_color(&self) -> bool {
        self.theme == super::theme::Theme::Monochrome
    }
}

/// The demo seed's patrons, as the console knows them at start.
fn seed_patrons(seed: &Seed) -> Vec<KnownPatron> {
    seed.hive
        .patrons
        .iter()
        .map(|p| KnownPatron::from_seed(p.id.clone(), &p.tags))
        .collect()
}

impl super::app::App {
    /// A tag type's configured name ("type 7" when the profile does not name it).
    pub fn tag_type_name(&self, id: Option<&str>) -> String {
        self.settings.tag_type_name(id)
    }

    pub fn catalogue_fields(&self) -> Vec<String> {
        self.settings.catalogue_fields()
    }

    /// The family of Cerego tag endpoints this profile uses (legacy when Cerego is not
    /// configured: nothing is sent then anyway).
    pub fn cerego_tags_api(&self) -> crate::core::domain::TagsApi {
        self.settings
            .cerego
            .as_ref()
            .map(|c| c.tags_api)
            .unwrap_or_default()
    }
}

impl Settings {
    /// A tag type's configured name ("type 7" when the profile does not name it).
    pub fn tag_type_name(&self, id: Option<&str>) -> String {
        let Some(id) = id else {
            return "(unknown type)".into();
        };
        self.cerego
            .as_ref()
            .and_then(|c| c.tag_types.iter().find(|t| t.id.as_str() == id))
            .map(|t| t.name.clone())
            .unwrap_or_else(|| format!("type {id}"))
    }

    /// The Hive catalogue's api_fields (none when Hive is not configured).
    pub fn catalogue_fields(&self) -> Vec<String> {
        self.hive
            .as_ref()
            .map(|h| {
                h.catalogue
                    .iter()
                    .map(|t| t.api_field.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Settings {
    /// What the console says at start when a service of the profile has no key (status
    /// line and log): which variable to set, that demo mode is still there, and where the
    /// explanation is. None when every configured service has its key.
    pub fn keys_notice(&self) -> Option<String> {
        let missing: Vec<&Unavailable> = self.unavailable.iter().filter(|u| u.configured).collect();
        if missing.is_empty() || self.demo {
            return None;
        }
        let services: Vec<&str> = missing.iter().map(|u| u.service.name()).collect();
        let vars: Vec<&str> = missing
            .iter()
            .filter_map(|u| u.set_var.as_deref())
            .collect();
        let what = if vars.len() == missing.len() {
            format!(
                "{} {} not set: set {} and start again",
                services.join(" and "),
                if missing.len() == 1 { "key" } else { "keys" },
                vars.join(" and ")
            )
        } else {
            format!(
                "{} key unavailable ({})",
                services.join(" and "),
                missing[0].reason
            )
        };
        Some(format!(
            "{what} · tagdesk --demo (or {} → demo) still opens demo mode · tagdesk config check \
             explains",
            self.keymap.label_for(keymap::Action::SwitchProfile)
        ))
    }
}

impl CeregoSettings {
    /// The partner's listing (all users, or a look-up), as this profile asks for it.
    pub fn listing(&self, query: Option<String>) -> crate::core::op::Op {
        crate::core::op::Op::CeregoListUsers {
            partner: self.partner_id.clone(),
            query,
            departments: self.departments,
        }
    }
}

/// The console's settings for a profile.
pub fn settings_from(
    profile: &Profile,
    profiles: Vec<String>,
    patrons: Vec<KnownPatron>,
    lookups: Vec<String>,
) -> Settings {
    Settings {
        demo: profile.demo,
        profile: profile.name.clone(),
        cerego: profile.cerego.as_ref().map(|c| CeregoSettings {
            partner_id: c.partner_id.clone(),
            tag_types: c.tag_types.clone(),
            tags_api: c.tags_api,
            departments: c.include_department_users,
        }),
        hive: profile.hive.as_ref().map(|h| HiveSettings {
            catalogue: h.tags.clone(),
            local_sim: profile.hive_is_local(),
        }),
        patrons,
        patrons_loading: false,
        utc_offset: Local::now().offset().fix(),
        policy: crate::core::gate::Policy {
            profile: profile.name.clone(),
            read_only: profile.read_only,
            read_only_flag: profile.read_only_flag,
            confirm: profile.confirm,
            require_approval: profile.require_approval,
        },
        color: crate::config::colour::Colour::parse(&profile.color)
            .unwrap_or(crate::config::colour::Colour::Cyan),
        profiles,
        profile_cards: Vec::new(),
        unavailable: profile.unavailable.clone(),
        place: profile.place(),
        persist: !profile.demo,
        cache_users: profile.cache_users && !profile.demo,
        lookups,
        // Checked when the configuration was read; the defaults otherwise.
        keymap: keymap::Keymap::with_overrides(&profile.keys).unwrap_or_default(),
        simulator: None,
        local_sim: false,
        theme: profile.theme,
    }
}

/// The settings of a session: known Hive patrons come from the demo seed in demo mode;
/// otherwise the saved workspace is still to be read (`patrons_loading`): the console's first
/// frame does not wait for it.
pub fn settings_for(session: &Session) -> Settings {
    let patrons = match &session.simulator {
        Some(sim) => seed_patrons(&sim.options().seed),
        None => Vec::new(),
    };
    let mut settings = settings_from(
        &session.profile,
        session.profiles.clone(),
        patrons,
        Vec::new(),
    );
    settings.patrons_loading = !session.profile.demo && session.simulator.is_none();
    settings.profile_cards = session.cards.clone();
    settings.simulator = session.simulator.as_ref().map(|s| s.base_url());
    settings.local_sim = session.simulator.is_none() && session.profile.on_this_machine();
    settings
}

/// Demo-mode settings straight from a seed (for tests and benchmarks).
pub fn demo_settings(seed: &Seed) -> Settings {
    let keys = crate::config::DemoKeys {
        hive: "",
        cerego: "",
    };
    let profile = seed.demo_profile("http://127.0.0.1:0", keys);
    settings_from(&profile, Vec::new(), seed_patrons(seed), Vec::new())
}
