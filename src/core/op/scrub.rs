//! Redaction of everything a reply carries: keys never reach the console, the journal or
//! the CLI, whatever escape a server used to echo them.

use super::cerego::{CeregoTag, CeregoUser, KeyOwner};
use super::hive::{FailedTag, HiveOutcome};
use super::{ApiError, Exchange, Output};
use crate::core::redact::{Redactor, Scrub};

// Redaction of everything a reply carries.

/// A body as text, redacted: as JSON values when it is JSON (so a key written with any
/// escape is found once decoded), as text otherwise.
fn scrub_body(body: &mut Option<String>, r: &Redactor) {
    let Some(text) = body else {
        return;
    };
    if r.is_empty() {
        return;
    }
    if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text) {
        let before = value.clone();
        r.value(&mut value);
        if value != before {
            *text = value.to_string();
        }
    }
    r.string(text);
}

impl Scrub for Exchange {
    fn scrub(&mut self, r: &Redactor) {
        self.url.scrub(r);
        scrub_body(&mut self.request_body, r);
        scrub_body(&mut self.response_body, r);
    }
}

impl Scrub for ApiError {
    fn scrub(&mut self, r: &Redactor) {
        match self {
            ApiError::Network { message, .. }
            | ApiError::Decode { message, .. }
            | ApiError::Local { message } => message.scrub(r),
            ApiError::JournalUnwritable { reason } => reason.scrub(r),
            ApiError::NotConfigured { .. } => {}
            ApiError::Http {
                code,
                message,
                retry_after,
                ..
            } => {
                code.scrub(r);
                message.scrub(r);
                retry_after.scrub(r);
            }
            ApiError::Timeout { .. } => {}
        }
    }
}

impl Scrub for FailedTag {
    fn scrub(&mut self, r: &Redactor) {
        self.api_field.scrub(r);
        self.reason.scrub(r);
    }
}

impl Scrub for HiveOutcome {
    fn scrub(&mut self, r: &Redactor) {
        self.message.scrub(r);
        self.patron_id.scrub(r);
        self.changed.scrub(r);
        self.unchanged.scrub(r);
        self.failed.scrub(r);
        self.extra.scrub(r);
        self.foreign_patron.scrub(r);
    }
}

impl Scrub for CeregoTag {
    fn scrub(&mut self, r: &Redactor) {
        self.id.scrub(r);
        self.value.scrub(r);
        self.tag_type_id.scrub(r);
        self.user_id.scrub(r);
        self.created_at.scrub(r);
        self.updated_at.scrub(r);
    }
}

impl Scrub for CeregoUser {
    fn scrub(&mut self, r: &Redactor) {
        if r.is_empty() {
            return;
        }
        self.id.scrub(r);
        self.name.scrub(r);
        self.username.scrub(r);
        self.email.scrub(r);
        self.member_id.scrub(r);
        self.guid.scrub(r);
        self.created_at.scrub(r);
        self.last_logged_in_at.scrub(r);
        self.tags.scrub(r);
    }
}

impl Scrub for KeyOwner {
    fn scrub(&mut self, r: &Redactor) {
        self.id.scrub(r);
        self.name.scrub(r);
        self.email.scrub(r);
        self.username.scrub(r);
    }
}

impl Scrub for Output {
    fn scrub(&mut self, r: &Redactor) {
        match self {
            Output::Hive(o) => o.scrub(r),
            Output::Tag(t) => t.scrub(r),
            Output::TagsSet(s) => {
                if let Some(tags) = &mut s.tags {
                    tags.scrub(r);
                }
            }
            Output::Users(l) => {
                l.users.scrub(r);
                l.cut.scrub(r);
            }
            Output::KeyOwner(p) => p.scrub(r),
            Output::Raw { .. } => {}
        }
    }
}
