//! `y` in the inspector: what to copy of an entry — the command line, the request as
//! `curl` (the key as `$TAGDESK_HIVE_API_KEY` / `$TAGDESK_CEREGO_API_KEY`, never its value),
//! the response body, the patron or user id. The loop puts it on the clipboard with OSC 52.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use ratatui::crossterm::event::KeyEvent;

use super::{Cx, Inspector, Outcome, Popup, Room, centered, menu_row, scrolled};
use crate::core::op::raw::{curl_command, key_variable};
use crate::core::op::{Op, Service};
use crate::tui::app::{Effect, Level};
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::Hits;
use crate::tui::state::LogEntry;
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::fit;

/// One thing the menu can copy: what it is, and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyItem {
    pub what: &'static str,
    pub text: String,
}

/// The base URL a request went to: its URL without the path the Op names (and the query),
/// or the service's URL variable when it was never sent.
fn base_of(url: Option<&str>, path: &str, service: Service) -> String {
    let variable = || match service {
        Service::Hive => "$TAGDESK_HIVE_URL".to_string(),
        Service::Cerego => "$TAGDESK_CEREGO_URL".to_string(),
    };
    let Some(url) = url else {
        return variable();
    };
    let url = url.split('?').next().unwrap_or(url);
    match url.find(path) {
        Some(at) if !path.is_empty() => url[..at].to_string(),
        _ => variable(),
    }
}

/// What can be copied of a log entry, in the menu's order.
pub fn copy_items(cx: &Cx, entry: &LogEntry) -> Vec<CopyItem> {
    let op = &entry.op;
    let (command, sent_url, body) = match (entry.history(), entry.reply()) {
        (Some(h), _) => (
            h.command(),
            h.intent.request.as_ref().map(|r| r.url.clone()),
            h.outcome.as_ref().and_then(|o| {
                o.response_body.as_ref().map(|b| match b {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            }),
        ),
        (None, reply) => (
            op.cli_command(&cx.settings.place),
            reply.and_then(|r| r.exchanges.first().map(|e| e.url.clone())),
            reply.and_then(|r| r.exchanges.last().and_then(|e| e.response_body.clone())),
        ),
    };
    let spec = op.request();
    let wrong_key = matches!(op, Op::Raw(raw) if raw.wrong_key);
    let base = base_of(sent_url.as_deref(), &spec.path, op.service());
    let mut items = vec![
        CopyItem {
            what: "the command line",
            text: command,
        },
        CopyItem {
            what: "the request as curl",
            text: curl_command(op.service(), &base, &spec, wrong_key),
        },
    ];
    if let Some(body) = body {
        items.push(CopyItem {
            what: "the response body",
            text: body,
        });
    }
    let id = match op {
        Op::HiveAdd { patron, .. } | Op::HiveRemove { patron, .. } => {
            Some(("the patron id", patron.to_string()))
        }
        Op::CeregoAdd { user, .. } | Op::CeregoSet { user, .. } => {
            Some(("the user id", user.to_string()))
        }
        Op::CeregoUpdate { tag, .. } => Some(("the tag id", tag.to_string())),
        Op::Raw(_) => Some(("the patron id", op.target())),
        Op::CeregoListUsers { .. } | Op::CeregoProfile => None,
    };
    if let Some((what, text)) = id {
        items.push(CopyItem { what, text });
    }
    items
}

/// The copy menu of the log entry with this journal id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyMenu {
    pub key: String,
    pub selected: usize,
    /// The inspector was opened from this batch's window (going back keeps that way back).
    pub batch: Option<String>,
}

impl Room for CopyMenu {
    fn context(&self) -> Context {
        Context::Menu
    }

    fn on_key(&mut self, action: Option<Action>, _key: KeyEvent, cx: &Cx) -> Outcome {
        let Some(entry) = cx.entry(&self.key) else {
            return Outcome::close();
        };
        let back = || {
            Outcome::open(Popup::Inspector(Inspector {
                batch: self.batch.clone(),
                ..Inspector::new(self.key.clone())
            }))
        };
        if matches!(action, Some(Action::Close | Action::Quit)) {
            return back();
        }
        let items = copy_items(cx, entry);
        if let Some(to) = scrolled(action, self.selected, items.len().saturating_sub(1)) {
            self.selected = to;
            return Outcome::stay();
        }
        if action != Some(Action::Submit) {
            return Outcome::stay();
        }
        let Some(item) = items.into_iter().nth(self.selected) else {
            return Outcome::close();
        };
        back()
            .say(
                Level::Info,
                format!(
                    "Copied {} (OSC 52: the terminal puts it on the clipboard).",
                    item.what
                ),
            )
            .effect(Effect::Copy {
                what: item.what.to_string(),
                text: item.text,
            })
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        draw_copy(cx, &self.key, self.selected, frame, area)
    }

    /// The wheel moves the selection, a click outside goes back; the keys do the rest.
    fn hits(&self, _cx: &Cx, area: Rect, hits: &mut Hits) {
        hits.popup(area, true, Some(Action::Close));
    }
}

fn draw_copy(cx: &Cx, key: &str, selected: usize, frame: &mut Frame, area: Rect) {
    let Some(entry) = cx.entry(key) else {
        return;
    };
    let items = copy_items(cx, entry);
    let width = area.width.saturating_sub(8).min(110);
    let inner = width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    for (i, item) in items.iter().enumerate() {
        lines.push(menu_row(
            &format!("{:<20} ", item.what),
            i == selected,
            inner,
        ));
        lines.push(Line::from(
            Span::raw(fit(&format!("    {}", item.text.replace('\n', " ")), inner)).muted(),
        ));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(
        Span::raw(fit(
            &format!(
                " keys are never copied: curl reads ${} / ${}",
                key_variable(Service::Hive),
                key_variable(Service::Cerego)
            ),
            inner,
        ))
        .muted(),
    ));
    let popup = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    let k = |a| cx.first_key(a);
    let block = Block::bordered()
        .border_style(theme::BORDER_INFO)
        .title(" Copy ".bold())
        .title_bottom(
            Line::from(format!(
                " {} copy · {} back ",
                k(Action::Submit),
                k(Action::Close)
            ))
            .muted(),
        );
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_url_is_the_sent_url_without_the_path() {
        assert_eq!(
            base_of(
                Some("http://127.0.0.1:9/api/v1/user_tags/add"),
                "/api/v1/user_tags/add",
                Service::Hive
            ),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            base_of(
                Some("https://p.example/v3/partners/4242/users?page%5Bnumber%5D=1"),
                "/v3/partners/4242/users",
                Service::Cerego
            ),
            "https://p.example"
        );
        assert_eq!(
            base_of(None, "/api/v1/user_tags/add", Service::Hive),
            "$TAGDESK_HIVE_URL"
        );
    }
}

#[cfg(test)]
mod menu_tests {
    use super::*;
    use crate::tui::popups::Do;
    use crate::tui::popups::testing::{app, press, said, screen};

    #[test]
    fn enter_copies_the_selected_item_and_goes_back_to_the_inspector() {
        let app = app();
        let key = app.log.entries()[0].key.clone();
        let cx = app.cx();
        let mut menu = CopyMenu {
            key: key.clone(),
            selected: 0,
            batch: Some("batch-1".into()),
        };
        assert!(press(&mut menu, &cx, "j").stays());
        assert_eq!(menu.selected, 1);
        let out = press(&mut menu, &cx, "enter");
        assert!(matches!(out.opens(), Some(Popup::Inspector(i)) if i.key == key));
        assert_eq!(
            said(&out),
            ["Copied the request as curl (OSC 52: the terminal puts it on the clipboard)."]
        );
        assert!(matches!(
            &out.then[1],
            Do::Effect(Effect::Copy { what, text }) if *what == "the request as curl"
                && text.contains("$TAGDESK_CEREGO_API_KEY")
        ));
        let out = press(&mut menu, &cx, "esc");
        assert!(
            matches!(out.opens(), Some(Popup::Inspector(i)) if i.batch.as_deref() == Some("batch-1"))
                && out.then.is_empty(),
            "back to the inspector, which still goes back to its batch window"
        );
        let mut gone = CopyMenu {
            key: "gone".into(),
            selected: 0,
            batch: None,
        };
        assert!(press(&mut gone, &cx, "enter").closes());
    }

    #[test]
    fn the_menu_shows_each_item_and_never_the_key() {
        let app = app();
        let key = app.log.entries()[0].key.clone();
        let menu = CopyMenu {
            key,
            selected: 0,
            batch: None,
        };
        let text = screen(&menu, &app.cx(), 120, 30);
        assert!(text.contains("▶ the command line"), "{text}");
        assert!(text.contains("the request as curl"), "{text}");
        assert!(text.contains("keys are never copied"), "{text}");
    }
}
