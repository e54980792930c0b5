//! `P`: the profile picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use ratatui::crossterm::event::KeyEvent;

use super::mouse::{Hint, hint_hits, hint_text};
use super::{Chosen, Confirm, Cx, OnYes, Outcome, Popup, Room, centered, choose, scrolled};
use crate::tui::app::{Effect, Level};
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::{Hits, Target};
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
        if let Some(to) = scrolled(action, self.selected, profiles.len().saturating_sub(1)) {
            self.selected = to;
            return Outcome::stay();
        }
        if action != Some(Action::Submit) {
            return Outcome::stay();
        }
        let Some(name) = profiles.get(self.selected).cloned() else {
            return Outcome::close();
        };
        if name == cx.settings.profile {
            return Outcome::close();
        }
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
                    format!("Switching to {name} abandons {them} (journaled as abandoned)."),
                ],
                yes: format!("switch to {name}"),
                on_yes: OnYes::SwitchProfile(name),
            }));
        }
        Outcome::close().effect(Effect::SwitchProfile(name))
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
        hits.popup(popup, true, None);
        let inner = Block::bordered().inner(popup);
        for i in 0..lines.len().min(inner.height as usize) {
            let row = Rect::new(inner.x, inner.y + i as u16, inner.width, 1);
            hits.add(row, Target::Choice(i));
        }
        hint_hits(&hints, popup, hits);
    }

    fn choose(&mut self, n: usize, double: bool) -> Chosen {
        choose(&mut self.selected, n, double)
    }
}

/// Where the picker goes in `area`, its lines (one per profile) and its hints.
fn layout(cx: &Cx, selected: usize, area: Rect) -> (Rect, Vec<Line<'static>>, [Hint; 2]) {
    let mut lines = Vec::new();
    for (i, name) in cx.settings.profiles.iter().enumerate() {
        let current = *name == cx.settings.profile;
        let text = format!(
            " {} {}{} ",
            if i == selected { "▶" } else { " " },
            fit(name, 60),
            if current { "  (current)" } else { "" }
        );
        let style = if i == selected {
            theme::SELECTED
        } else {
            Style::new()
        };
        lines.push(Line::from(Span::styled(text, style)));
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
        let cx = app.cx();
        let mut picker = Profiles { selected: 1 };
        let text = screen(&picker, &cx, 80, 24);
        assert!(text.contains("demo  (current)"), "{text}");
        assert!(text.contains("▶ staging"), "{text}");
        assert!(text.contains("enter switch · esc close"), "{text}");
        assert_eq!(picker.choose(2, false), Chosen::Selected);
        assert_eq!(picker.selected, 2);
        assert_eq!(picker.choose(2, false), Chosen::Take);
    }
}
