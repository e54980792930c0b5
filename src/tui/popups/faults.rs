//! `F`: the simulator's faults menu — add one of the preset rules (an error status with
//! Retry-After, latency, a malformed body, a dropped connection), or clear them all. The
//! active rules are shown in the header.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use ratatui::crossterm::event::KeyEvent;

use super::{Cx, Outcome, Room, centered, menu_row, scrolled};
use crate::tui::actions::FAULT_PRESETS;
use crate::tui::app::{Effect, Level, SimCommand};
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::Hits;
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::fit;

/// The menu's rows: the presets, then "clear".
const ROWS: usize = FAULT_PRESETS.len() + 1;

/// The faults menu: a preset per row, then "clear every fault".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Faults {
    pub selected: usize,
}

impl Room for Faults {
    fn context(&self) -> Context {
        Context::Menu
    }

    fn on_key(&mut self, action: Option<Action>, _key: KeyEvent, _cx: &Cx) -> Outcome {
        if matches!(action, Some(Action::Close | Action::Quit)) {
            return Outcome::close();
        }
        if let Some(to) = scrolled(action, self.selected, ROWS - 1) {
            self.selected = to;
            return Outcome::stay();
        }
        if action != Some(Action::Submit) {
            return Outcome::stay();
        }
        let command = match FAULT_PRESETS.get(self.selected) {
            Some((rule, _)) => SimCommand::AddFault(rule.to_string()),
            None => SimCommand::ClearFaults,
        };
        Outcome::close()
            .say(Level::Info, "Asking the simulator…")
            .effect(Effect::Sim(command))
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        draw_faults(cx, self.selected, frame, area)
    }

    /// The wheel moves the selection, a click outside goes back; the keys do the rest.
    fn hits(&self, _cx: &Cx, area: Rect, hits: &mut Hits) {
        hits.popup(area, true, Some(Action::Close));
    }
}

fn draw_faults(cx: &Cx, selected: usize, frame: &mut Frame, area: Rect) {
    let width = area.width.saturating_sub(4).min(84);
    let inner = width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    let row = |i: usize, text: String| menu_row(&text, i == selected, inner);
    for (i, (rule, what)) in FAULT_PRESETS.iter().enumerate() {
        lines.push(row(i, format!("{rule:<20} {what}")));
    }
    lines.push(row(FAULT_PRESETS.len(), "clear every fault".into()));
    lines.push(Line::from(""));
    let active = if cx.play.faults.is_empty() {
        "none".to_string()
    } else {
        cx.play.faults.join(" · ")
    };
    lines.push(Line::from(vec![
        Span::raw(" active: ").muted(),
        Span::styled(
            fit(&active, inner.saturating_sub(9)),
            Style::new().fg(theme::WARN),
        ),
    ]));
    let popup = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    let k = |a| cx.first_key(a);
    let block = Block::bordered()
        .border_style(theme::BORDER_INFO)
        .title(" Simulator faults ".bold())
        .title_bottom(
            Line::from(format!(
                " {} add / clear · {} close · rules: tagdesk sim --help ",
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
    use crate::tui::popups::Do;
    use crate::tui::popups::testing::{app, press, said, screen};

    #[test]
    fn enter_adds_the_selected_preset_or_clears_them_all() {
        let app = app();
        let cx = app.cx();
        let mut menu = Faults::default();
        let out = press(&mut menu, &cx, "enter");
        assert!(out.closes());
        assert_eq!(said(&out), ["Asking the simulator…"]);
        let first = FAULT_PRESETS[0].0.to_string();
        assert!(
            matches!(&out.then[1], Do::Effect(Effect::Sim(SimCommand::AddFault(r))) if *r == first)
        );
        assert!(press(&mut menu, &cx, "G").stays());
        assert_eq!(menu.selected, ROWS - 1);
        let out = press(&mut menu, &cx, "enter");
        assert!(matches!(
            &out.then[1],
            Do::Effect(Effect::Sim(SimCommand::ClearFaults))
        ));
        assert!(press(&mut menu, &cx, "esc").closes());
        assert!(press(&mut menu, &cx, "x").stays());
    }

    #[test]
    fn the_menu_lists_the_presets_and_the_active_rules() {
        let mut app = app();
        app.play.faults = vec!["hive.add:503=2*1".into()];
        let text = screen(&Faults::default(), &app.cx(), 100, 30);
        assert!(text.contains(FAULT_PRESETS[0].0), "{text}");
        assert!(text.contains("clear every fault"), "{text}");
        assert!(text.contains("active: hive.add:503=2*1"), "{text}");
    }
}
