//! The user cache in the console: the list the last run completed, shown at start while the
//! listing that runs anyway refreshes it, and never the ground for a change — a single
//! add or edit on a user not yet read live waits for the live read, and a batch of marked
//! users is planned only from rows read live.

use chrono::{DateTime, Utc};

use crate::core::model::{CacheMeta, CachedUsers, encode_cache};
use crate::tui::app::{App, Effect, Level, Load};
use crate::tui::keymap::Action;
use crate::tui::popups::{Form, FormKind, Popup};

impl App {
    /// The cache read at start: shown at once, unless a page of the listing came first (it
    /// is live) or the listing completed. A listing that failed first (no network) leaves
    /// the cache worth showing, titled so.
    pub(in crate::tui) fn show_cached_users(&mut self, cached: CachedUsers) {
        let open = matches!(self.cerego.load, Load::Loading | Load::Failed(_));
        if self.settings.cerego.is_none() || !open || self.cerego.progress.is_some() {
            return;
        }
        let n = cached.users.len() as u64;
        if self.known.cerego.adopt(cached.users) {
            self.cerego.list.reserve(n);
            self.cerego.from_cache = Some(cached.meta.as_of);
        }
    }

    /// The effect that writes the listing that just completed to the user cache, when this
    /// profile keeps one.
    pub(in crate::tui) fn cache_effect(&self) -> Option<Effect> {
        let c = self.settings.cerego.as_ref()?;
        if !self.settings.cache_users {
            return None;
        }
        let meta = CacheMeta {
            as_of: self.now,
            partner: c.partner_id.to_string(),
            departments: c.departments,
            total_count: self.known.cerego.total_count,
            cut: self.known.cerego.cut.clone(),
        };
        let bytes = encode_cache(&self.known.cerego, &meta);
        Some(Effect::SaveUserCache(std::sync::Arc::new(bytes)))
    }

    /// A time of the cache as the console shows it: the time of day, with the date when it
    /// is not today.
    pub fn as_of_label(&self, t: DateTime<Utc>) -> String {
        let local = self.local(t);
        if local.date_naive() == self.local(self.now).date_naive() {
            local.format("%H:%M").to_string()
        } else {
            local.format("%b %-d %H:%M").to_string()
        }
    }

    /// How far the listing that refreshes the list is ("refreshing 37%"), if one runs.
    pub fn refresh_label(&self) -> Option<String> {
        if self.cerego.load != Load::Loading {
            return None;
        }
        Some(match self.cerego.progress {
            Some((page, Some(pages))) if pages > 0 => {
                format!("refreshing {}%", (u64::from(page) * 100 / pages).min(100))
            }
            Some((page, _)) => format!("refreshing page {page}"),
            None => "refreshing".into(),
        })
    }

    /// Whether the selected user is still as the cache had it (not read live).
    pub fn selected_is_cached(&self) -> bool {
        self.cerego
            .list
            .selected_index()
            .is_some_and(|i| self.known.cerego.is_cached(i))
    }

    /// What a form on a user not read live says (None when every row was read live).
    pub fn cached_note(&self) -> Option<String> {
        let as_of = self.known.cerego.cached_as_of()?;
        let at = self.as_of_label(as_of);
        Some(match self.refresh_label() {
            Some(p) => format!(
                "tags shown are from the list cached at {at}; {p}… a change waits for them \
                 to be read live"
            ),
            None => format!(
                "tags shown are from the list cached at {at}, not read live: press {} to \
                 reload (or {} to look the user up)",
                self.key_label(Action::Refresh),
                self.key_label(Action::Lookup)
            ),
        })
    }

    /// Enter in an add or edit form opened on a user as the cache had them: nothing is
    /// sent until the user was read live, and an edit whose tag changed meanwhile is shown
    /// again with the live value. Some(effects) when the submit stops here; None when it
    /// goes on, from the live row.
    pub(in crate::tui) fn recheck_cached_form(&mut self, mut form: Form) -> Option<Vec<Effect>> {
        let (user_id, user_name) = match &form.kind {
            FormKind::CeregoAdd {
                user_id, user_name, ..
            }
            | FormKind::CeregoEdit {
                user_id, user_name, ..
            } => (user_id.clone(), user_name.clone()),
            _ => return None,
        };
        let Some(at) = self.known.cerego.position(&user_id) else {
            self.set_status(
                Level::Error,
                format!(
                    "{user_name} is no longer among the partner's users (the refresh removed \
                     them): nothing was sent."
                ),
            );
            return Some(Vec::new());
        };
        if self.known.cerego.is_cached(at) {
            let note = self.cached_note().unwrap_or_default();
            self.set_status(Level::Warn, format!("Nothing was sent: {note}."));
            self.open(Popup::Form(Box::new(form)));
            return Some(Vec::new());
        }
        form.cached = false;
        if let FormKind::CeregoEdit {
            tag_id, old_value, ..
        } = &mut form.kind
        {
            let live = self.known.cerego.get(at).and_then(|u| {
                u.tags
                    .iter()
                    .find(|t| t.id == tag_id.as_str())
                    .map(|t| t.value.unwrap_or_default().to_string())
            });
            match live {
                None => {
                    self.set_status(
                        Level::Error,
                        format!(
                            "Tag {tag_id} is no longer on {user_name}, as read live since the \
                             form opened: nothing was sent."
                        ),
                    );
                    return Some(Vec::new());
                }
                Some(value) if value != *old_value => {
                    let msg = format!(
                        "Read live since the form opened: tag {tag_id} is now \"{value}\" \
                         (the cache had \"{old_value}\"). Nothing was sent; check the value \
                         and press {} again.",
                        self.key_label(Action::Submit)
                    );
                    *old_value = value;
                    self.set_status(Level::Warn, msg);
                    self.open(Popup::Form(Box::new(form)));
                    return Some(Vec::new());
                }
                Some(_) => {}
            }
        }
        None
    }

    /// Why marked users cannot be planned yet: some are as the cache had them.
    pub(in crate::tui) fn marked_not_live(&self) -> Option<String> {
        let as_of = self.known.cerego.cached_as_of()?;
        let cached = (0..self.known.cerego.len())
            .filter(|&i| self.known.cerego.is_cached(i))
            .filter_map(|i| self.known.cerego.get(i))
            .filter(|u| self.cerego.marks.contains(u.id))
            .count();
        (cached > 0).then(|| {
            let wait = match self.refresh_label() {
                Some(p) => format!("wait for the refresh ({p})"),
                None => format!("press {} to reload", self.key_label(Action::Refresh)),
            };
            format!(
                "{cached} of the marked users are as the list cached at {} had them, not read \
                 live: a batch is planned from live tags only; {wait}. Nothing was planned.",
                self.as_of_label(as_of)
            )
        })
    }
}
