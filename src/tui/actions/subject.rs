//! A play's subject: when a scenario is played (from the picker or as a tour's step) the
//! console turns to the patron or user it acts on — its tab, the row selected (the Cerego
//! playground user added to the user list when the listing did not have it) — and the Tags
//! pane says that row's tags before the request and after the answer, until something else
//! is sent.

use crate::core::domain::PatronId;
use crate::core::op::cerego::{CeregoTag, CeregoUser};
use crate::core::op::{Op, Service};
use crate::core::playground::{Play, Send, Setup, SetupReply};
use crate::tui::app::{App, Tab};
use crate::tui::state::playground::Subject;

impl App {
    /// The simulator was set up for `play`, which sends `op` next: what the setup made the
    /// simulator hold of the Cerego user is known now too, and the console shows the play's
    /// tab with its patron or user selected.
    pub(in crate::tui) fn turn_to_subject(&mut self, play: &Play, reply: &SetupReply, op: &Op) {
        self.apply_cerego_setup(&play.setup, reply);
        self.play.subject = None;
        let (tab, configured) = match op.service() {
            Service::Hive => (Tab::Hive, self.settings.hive.is_some()),
            Service::Cerego => (Tab::Cerego, self.settings.cerego.is_some()),
        };
        if !configured {
            return;
        }
        self.switch_tab(tab);
        let Some((id, tag_type)) = self.subject_of(play, op) else {
            return;
        };
        if !self.select_subject(tab, &id, op) {
            return;
        }
        let before = self.subject_tags(tab, &id, tag_type.as_deref());
        self.play.subject = Some(Subject {
            tab,
            id,
            tag_type,
            before,
            op: op.clone(),
            key: None,
            at: self.now,
        });
    }

    /// The play's request went out with this journal id (or did not).
    pub(in crate::tui) fn subject_sent(&mut self, key: Option<&String>) {
        if let Some(subject) = &mut self.play.subject {
            subject.key = key.cloned();
        }
    }

    /// Who `op` acts on: a patron id, or a Cerego user id and the tag type it names.
    fn subject_of(&self, play: &Play, op: &Op) -> Option<(String, Option<String>)> {
        if let Op::HiveAdd { patron, .. } | Op::HiveRemove { patron, .. } = op {
            return Some((patron.to_string(), None));
        }
        if let Op::CeregoAdd { user, tag_type, .. } = op {
            return Some((user.to_string(), Some(tag_type.to_string())));
        }
        if let Op::CeregoUpdate { tag, .. } = op {
            if let Some((at, t)) = self.known.cerego.tag_of(tag.as_ref(), None) {
                let user = self.known.cerego.get(at)?.id.to_string();
                return Some((user, t.tag_type_id.map(str::to_string)));
            }
            return match &play.send {
                Send::UpdateSetTag { user, tag_type, .. } => {
                    Some((user.clone(), Some(tag_type.clone())))
                }
                Send::Op(_) => None,
            };
        }
        if let Op::Raw(raw) = op {
            // A raw request names its target in its body; a Cerego one its tag type in its
            // path (`/v3/partner_user_tag_types/7/partner_user_tags`).
            let field = match raw.service {
                Service::Hive => "patron_id",
                Service::Cerego => "user_id",
            };
            let id = raw.body.as_ref()?.get(field)?.as_str()?.to_string();
            let tag_type = (raw.service == Service::Cerego)
                .then(|| {
                    let mut parts = raw.path.split('/');
                    parts.find(|p| *p == "partner_user_tag_types")?;
                    parts.next().map(str::to_string)
                })
                .flatten();
            return Some((id, tag_type));
        }
        None
    }

    /// Selects the subject's row (clearing a filter that hides it); a patron a Hive
    /// operation names is opened first when it is not known. Whether it is selected.
    fn select_subject(&mut self, tab: Tab, id: &str, op: &Op) -> bool {
        match tab {
            Tab::Hive => {
                let Ok(patron) = PatronId::parse(id) else {
                    return false;
                };
                let names = matches!(op, Op::HiveAdd { .. } | Op::HiveRemove { .. });
                if self.known.hive.position(&patron).is_none() && names {
                    self.known.hive.open(&patron);
                    self.learned_open(&patron);
                    self.refilter_hive();
                }
                let Some(at) = self.known.hive.position(&patron) else {
                    return false;
                };
                if !self.hive.list.select_index(at) {
                    self.hive.list.clear_filter();
                    self.refilter_hive();
                }
                let selected = self.hive.list.select_index(at);
                self.hive.tag_selected = 0;
                self.hive.marked.clear();
                selected
            }
            Tab::Cerego => {
                let Some(at) = self.known.cerego.position(id) else {
                    return false;
                };
                if !self.cerego.list.select_index(at) {
                    self.cerego.list.clear_filter();
                    self.refilter_cerego();
                }
                let selected = self.cerego.list.select_index(at);
                self.cerego.tag_selected = 0;
                selected
            }
        }
    }

    /// What the setup made the simulator hold of the playground's Cerego user, as a listing
    /// would have said it: the user (added to the list when it is not in it) and the tags
    /// the setup set or cleared. Its other tags stay as known.
    fn apply_cerego_setup(&mut self, setup: &[Setup], reply: &SetupReply) {
        let Some((id, name, email)) = setup.iter().find_map(|s| match s {
            Setup::CeregoUser { id, name, email } => Some((id, name, email)),
            _ => None,
        }) else {
            return;
        };
        let mut user = match self.known.cerego.user(id) {
            Some(known) => known.to_user(),
            None => CeregoUser {
                id: id.clone(),
                name: Some(name.clone()),
                email: Some(email.clone()),
                ..CeregoUser::default()
            },
        };
        let stamp = self
            .now
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        for step in setup {
            let Setup::CeregoTag {
                user: owner,
                tag_type,
                value,
            } = step
            else {
                continue;
            };
            if owner != id {
                continue;
            }
            user.tags
                .retain(|t| t.tag_type_id.as_deref() != Some(tag_type.as_str()));
            let set = reply
                .tags
                .iter()
                .find(|t| &t.user == owner && &t.tag_type == tag_type);
            if let (Some(value), Some(set)) = (value, set) {
                user.tags.push(CeregoTag {
                    id: set.tag_id.clone(),
                    value: Some(value.clone()),
                    tag_type_id: Some(tag_type.clone()),
                    user_id: Some(owner.clone()),
                    created_at: Some(stamp.clone()),
                    updated_at: Some(stamp.clone()),
                });
            }
        }
        self.intake_users(vec![user]);
    }

    /// The subject's tags as the line shows them: a patron's api_fields; a user's tags as
    /// `Type value`, or only the values of the tag type the play names. `None`: not known.
    fn subject_tags(&self, tab: Tab, id: &str, tag_type: Option<&str>) -> Option<Vec<String>> {
        match tab {
            Tab::Hive => {
                let patron = self.known.hive.get(&PatronId::parse(id).ok()?)?;
                Some(patron.tags.iter().map(|t| t.api_field.clone()).collect())
            }
            Tab::Cerego => {
                let user = self.known.cerego.user(id)?;
                let tags = user.tags.iter().filter(|t| match tag_type {
                    Some(wanted) => t.tag_type_id == Some(wanted),
                    None => true,
                });
                let value = |v: Option<&str>| v.unwrap_or("(value unknown)").to_string();
                Some(match tag_type {
                    Some(_) => tags.map(|t| value(t.value)).collect(),
                    None => tags
                        .map(|t| {
                            format!("{} {}", self.tag_type_name(t.tag_type_id), value(t.value))
                        })
                        .collect(),
                })
            }
        }
    }

    /// The Tags pane's line for the selected row when it is the last play's subject and
    /// nothing was sent since: `before → after: newsletter → newsletter, vip`.
    pub(crate) fn subject_line(&self) -> Option<String> {
        let s = self.play.subject.as_ref()?;
        let selected = match s.tab {
            Tab::Hive => self.selected_patron().map(|p| p.id.to_string()),
            Tab::Cerego => self.selected_user().map(|u| u.id.to_string()),
        };
        if self.tab != s.tab || selected.as_deref() != Some(s.id.as_str()) {
            return None;
        }
        let entry = match &s.key {
            Some(key) => self.log.get(key),
            None => self
                .log
                .iter()
                .rev()
                .find(|e| e.op == s.op && e.started_at >= s.at),
        };
        if let Some(e) = entry
            && self.log.iter().last().map(|l| &l.key) != Some(&e.key)
        {
            return None;
        }
        let words = |tags: &Option<Vec<String>>| match tags {
            None => "not known".to_string(),
            Some(t) if t.is_empty() => "none".to_string(),
            Some(t) => t.join(", "),
        };
        let after = match entry {
            Some(e) if !e.is_pending() => {
                let now = self.subject_tags(s.tab, &s.id, s.tag_type.as_deref());
                if now == s.before {
                    "unchanged".to_string()
                } else {
                    words(&now)
                }
            }
            _ => "…".to_string(),
        };
        let what = match &s.tag_type {
            Some(t) => format!("{}: ", self.tag_type_name(Some(t))),
            None => String::new(),
        };
        Some(format!(
            "before → after: {what}{} → {after}",
            words(&s.before)
        ))
    }
}
