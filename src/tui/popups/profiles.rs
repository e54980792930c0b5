//! `P`: the profile picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use ratatui::crossterm::event::KeyEvent;

use super::mouse::{Hint, choice_hits, hint_text};
use super::{Chosen, Confirm, Cx, OnYes, Outcome, Popup, Room, centered, choose, scrolled};
use crate::config::KeyState;
use crate::tui::app::{Effect, Level};
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::Hits;
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::fit;

/// The profile picker: the configured profiles, the selected one marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profiles {
    pub selected: usize,
}

impl Room for Profiles {
    fn context(&self) -> Context {
        Context::Profiles
    }

    fn on_key(&mut self, action: Option<Action>, _key: KeyEvent, cx: &Cx) -> Outcome {
        let profiles = &cx.settings.profiles;
        if matches!(action, Some(Action::Close | Action::Quit)) {
            return Outcome::close();
        }
        let last = (profiles.len() + usize::from(offers_demo(cx))).saturating_sub(1);
        if let Some(to) = scrolled(action, self.selected, last) {
            self.selected = to;
            return Outcome::stay();
        }
        if action != Some(Action::Submit) {
            return Outcome::stay();
        }
        // The last choice, after the profiles: demo mode.
        let name = match profiles.get(self.selected) {
            Some(name) => Some(name.clone()),
            None if offers_demo(cx) && self.selected == profiles.len() => None,
            None => return Outcome::close(),
        };
        if name.as_ref() == Some(&cx.settings.profile) {
            return Outcome::close();
        }
        let shown = name.clone().unwrap_or_else(|| "demo mode".into());
        if cx.switching {
            return Outcome::close().say(Level::Warn, "A profile switch is already under way.");
        }
        let pending = cx.in_flight;
        if pending > 0 {
            let (requests, them) = if pending == 1 {
                ("1 request is".to_string(), "it")
            } else {
                (format!("{pending} requests are"), "them")
            };
            return Outcome::open(Popup::Confirm(Confirm {
                title: " Switch profile? ".into(),
                lines: vec![
                    format!("{requests} still in flight."),
                    format!("Switching to {shown} abandons {them} (journaled as abandoned)."),
                ],
                yes: format!("switch to {shown}"),
                on_yes: match name {
                    Some(name) => OnYes::SwitchProfile(name),
                    None => OnYes::SwitchToDemo,
                },
            }));
        }
        Outcome::close().effect(match name {
            Some(name) => Effect::SwitchProfile(name),
            None => Effect::SwitchToDemo,
        })
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        let (popup, lines, hints) = layout(cx, self.selected, area);
        frame.render_widget(Clear, popup);
        let block = Block::bordered()
            .border_style(theme::BORDER_INFO)
            .title(" Switch profile ".bold())
            .title_bottom(Line::from(hint_text(&hints)).muted());
        frame.render_widget(Paragraph::new(lines).block(block), popup);
    }

    /// The picker for the mouse: a profile per row, and its hints.
    fn hits(&self, cx: &Cx, area: Rect, hits: &mut Hits) {
        let (popup, lines, hints) = layout(cx, self.selected, area);
        choice_hits(popup, lines.len(), &hints, hits);
    }

    fn choose(&mut self, n: usize, double: bool) -> Chosen {
        choose(&mut self.selected, n, double)
    }
}

/// Whether the picker ends with demo mode (not offered in demo mode itself).
fn offers_demo(cx: &Cx) -> bool {
    !cx.settings.demo
}

/// Where the picker goes in `area`, its lines (one per profile) and its hints. Each line
/// says what the file says of the profile: its services and their hosts, whether each key
/// resolves (never the key), read-only, confirm and whether batches need an approval.
fn layout(cx: &Cx, selected: usize, area: Rect) -> (Rect, Vec<Line<'static>>, [Hint; 2]) {
    let mut lines = Vec::new();
    let names = &cx.settings.profiles;
    let name_width = names
        .iter()
        .map(|n| fit(n, 40).chars().count())
        .max()
        .unwrap_or(0);
    // read-only / confirm first, in a column of their own: they are never cut off.
    let flags_of = |name: &String| {
        let card = cx.settings.profile_cards.iter().find(|c| c.name == *name);
        let mut flags = Vec::new();
        if card.is_some_and(|c| c.read_only) {
            flags.push("read-only");
        }
        if card.is_some_and(|c| c.confirm) {
            flags.push("confirm");
        }
        if card.is_some_and(|c| c.require_approval) {
            flags.push("needs approval");
        }
        flags.join(", ")
    };
    let flags_width = names.iter().map(|n| flags_of(n).len()).max().unwrap_or(0);
    for (i, name) in names.iter().enumerate() {
        let current = *name == cx.settings.profile;
        let style = if i == selected {
            theme::SELECTED
        } else {
            Style::new()
        };
        let mut spans = vec![Span::styled(
            format!(
                " {} {:<name_width$}",
                if i == selected { "▶" } else { " " },
                fit(name, 40)
            ),
            style,
        )];
        if flags_width > 0 {
            spans.push(Span::raw(format!("  {:<flags_width$}", flags_of(name))).warn());
        }
        let card = cx.settings.profile_cards.iter().find(|c| c.name == *name);
        if let Some(card) = card {
            if card.services.is_empty() {
                spans.push(Span::raw("  no services").muted());
            }
            for s in &card.services {
                spans.push(Span::raw(format!(
                    "  {} {} ",
                    s.service.name(),
                    fit(&s.host, 40)
                )));
                let label = Span::raw(s.key.label());
                spans.push(match s.key {
                    KeyState::Resolves => label.with_fg(theme::OK),
                    KeyState::CommandNotRun => label.muted(),
                    KeyState::NotSet | KeyState::CommandFailed => label.warn(),
                });
            }
        }
        if current {
            spans.push(Span::raw("  (current)"));
        }
        spans.push(Span::raw(" "));
        lines.push(Line::from(spans));
    }
    if offers_demo(cx) {
        let i = names.len();
        let style = if i == selected {
            theme::SELECTED
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    " {} {:<name_width$}",
                    if i == selected { "▶" } else { " " },
                    "demo"
                ),
                style,
            ),
            Span::raw("  the built-in simulator: nothing real is touched ").muted(),
        ]));
    }
    let width = lines
        .iter()
        .map(|l| l.width() as u16)
        .max()
        .unwrap_or(10)
        .max(28)
        + 2;
    let k = |a| cx.first_key(a);
    let hints = [
        Hint::button(Action::Submit, format!("{} switch", k(Action::Submit))),
        Hint::button(Action::Close, format!("{} close", k(Action::Close))),
    ];
    (centered(area, width, lines.len() as u16 + 2), lines, hints)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::popups::testing::{app, press, said, screen};
    use crate::tui::popups::{Chosen, Do};

    fn three_profiles() -> crate::tui::app::App {
        let mut app = app();
        app.settings.profiles = vec!["demo".into(), "staging".into(), "prod".into()];
        app
    }

    #[test]
    fn keys_move_the_selection_and_enter_switches() {
        let app = three_profiles();
        let mut cx = app.cx();
        cx.in_flight = 0;
        let mut picker = Profiles { selected: 0 };
        assert!(press(&mut picker, &cx, "j").stays());
        assert_eq!(picker.selected, 1);
        assert!(press(&mut picker, &cx, "G").stays());
        assert_eq!(picker.selected, 2);
        let out = press(&mut picker, &cx, "enter");
        assert!(out.closes());
        assert!(
            matches!(out.then.as_slice(), [Do::Effect(Effect::SwitchProfile(p))] if p == "prod")
        );
        // The current profile: nothing to switch to.
        let mut picker = Profiles { selected: 0 };
        let out = press(&mut picker, &cx, "enter");
        assert!(out.closes() && out.then.is_empty());
        assert!(press(&mut picker, &cx, "esc").closes());
    }

    #[test]
    fn requests_in_flight_ask_first_and_a_switch_under_way_refuses() {
        let app = three_profiles();
        let mut cx = app.cx();
        cx.in_flight = 2;
        let out = press(&mut Profiles { selected: 1 }, &cx, "enter");
        let Some(Popup::Confirm(confirm)) = out.opens() else {
            panic!("a confirmation: {out:?}");
        };
        assert_eq!(confirm.on_yes, OnYes::SwitchProfile("staging".into()));
        assert_eq!(confirm.lines[0], "2 requests are still in flight.");
        cx.in_flight = 0;
        cx.switching = true;
        let out = press(&mut Profiles { selected: 1 }, &cx, "enter");
        assert!(out.closes());
        assert_eq!(said(&out), ["A profile switch is already under way."]);
    }

    #[test]
    fn the_picker_marks_the_current_profile_and_a_click_takes_the_selected_one() {
        let app = three_profiles();
        let mut cx = app.cx();
        cx.in_flight = 0;
        let mut picker = Profiles { selected: 1 };
        let text = screen(&picker, &cx, 80, 24);
        assert!(text.contains("demo     (current)"), "{text}");
        assert!(text.contains("▶ staging"), "{text}");
        assert!(text.contains("enter switch · esc close"), "{text}");
        assert_eq!(picker.choose(2, false), Chosen::Selected);
        assert_eq!(picker.selected, 2);
        assert_eq!(picker.choose(2, false), Chosen::Take);
    }

    #[test]
    fn the_picker_shows_each_profiles_services_hosts_flags_and_keys() {
        use crate::config::{ProfileCard, ServiceCard};
        use crate::core::op::Service;
        let mut app = app();
        app.settings.profiles = vec!["staging".into(), "prod".into()];
        app.settings.profile = "staging".into();
        app.settings.demo = false;
        let card = |name: &str, read_only, confirm, services: Vec<(Service, &str, KeyState)>| {
            ProfileCard {
                name: name.into(),
                read_only,
                confirm,
                // A confirm profile of this test also needs approval.
                require_approval: confirm,
                services: services
                    .into_iter()
                    .map(|(service, host, key)| ServiceCard {
                        service,
                        host: host.into(),
                        key,
                    })
                    .collect(),
            }
        };
        app.settings.profile_cards = vec![
            card(
                "staging",
                true,
                false,
                vec![
                    (Service::Cerego, "partners.cerego.com", KeyState::Resolves),
                    (Service::Hive, "api.hivemoderation.com", KeyState::NotSet),
                ],
            ),
            card(
                "prod",
                false,
                true,
                vec![
                    (
                        Service::Cerego,
                        "partners.cerego.com",
                        KeyState::CommandFailed,
                    ),
                    (Service::Hive, "127.0.0.1:8787", KeyState::CommandNotRun),
                ],
            ),
        ];
        let mut cx = app.cx();
        cx.in_flight = 0;
        let mut picker = Profiles { selected: 1 };
        let text = screen(&picker, &cx, 150, 12);
        insta::assert_snapshot!(text);
        // The last choice is demo mode.
        assert!(press(&mut picker, &cx, "j").stays());
        let out = press(&mut picker, &cx, "enter");
        assert!(matches!(
            out.then.as_slice(),
            [Do::Effect(Effect::SwitchToDemo)]
        ));
    }
}
