//! Finding who to act on: open a Hive patron by id, look up a Cerego user, reload the list.

use crate::core::domain::PatronId;
use crate::core::op::Op;
use crate::tui::app::{App, Effect, Level, Pane, Tab};
use crate::tui::popups::{Form, FormKind, Popup};

impl App {
    pub(in crate::tui) fn open_patron(&mut self) {
        if self.tab != Tab::Hive {
            self.tab = Tab::Hive;
        }
        self.open(Popup::Form(Box::new(Form::new(FormKind::HiveOpen, ""))));
    }

    /// Selects a patron, adding it to the known list first if needed.
    pub(in crate::tui) fn open_known_patron(&mut self, id: PatronId) {
        self.known.hive.open(&id);
        self.learned_open(&id);
        self.hive.list.clear_filter();
        self.refilter_hive();
        if let Some(index) = self.known.hive.position(&id) {
            self.hive.list.select_index(index);
        }
        self.hive.marked.clear();
        self.focus = Pane::Tags;
        self.set_status(Level::Info, format!("Opened patron {id}."));
    }

    /// Opens the look-up form, empty; ↑/↓ walk the recent queries.
    pub(in crate::tui) fn lookup_form(&mut self) {
        // Availability (keymap::availability) has said Cerego is configured.
        self.tab = Tab::Cerego;
        self.open(Popup::Form(Box::new(Form::new(FormKind::CeregoLookup, ""))));
    }

    pub(in crate::tui) fn refresh(&mut self) -> Vec<Effect> {
        let Some(c) = &self.settings.cerego else {
            return Vec::new();
        };
        let op = c.listing(None);
        if self.refuse_while_switching() {
            return Vec::new();
        }
        // A listing of this run still under way is replaced: the backend stops its page
        // requests, and its log line ends here, so none of its pages is taken from now on.
        // (Entries of the journal's history never get a reply and are not "under way".)
        let under_way: Vec<_> = self
            .log
            .iter()
            .filter(|e| e.is_pending() && matches!(e.op, Op::CeregoListUsers { query: None, .. }))
            .filter_map(|e| e.id.map(|id| (id, e.op.clone())))
            .collect();
        if !under_way.is_empty() {
            for (id, op) in under_way {
                self.log.settle(&crate::engine::backend::Reply {
                    id,
                    op,
                    exchanges: Vec::new(),
                    retries: Vec::new(),
                    result: Err(crate::core::op::ApiError::Local {
                        message: crate::engine::backend::REPLACED_LISTING.into(),
                    }),
                    finished_at: self.now,
                    journal_error: None,
                });
            }
            self.known.cerego.abandon_listing();
            self.cerego.progress = None;
            self.set_status(
                Level::Info,
                "Listing the users again from the first page (the listing under way was stopped).",
            );
        }
        self.cerego.load = crate::tui::app::Load::Loading;
        if self.known.cerego.cached_as_of().is_none() {
            self.cerego.from_cache = None;
        }
        self.known.cerego.begin_listing();
        vec![self.log_and_send(op)]
    }
}
