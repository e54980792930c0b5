//! `F`: the simulator's faults menu — add one of the preset rules (an error status with
//! Retry-After, latency, a malformed body, a dropped connection), or clear them all. The
//! active rules are shown in the header.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{Popup, centered, menu_row};
use crate::tui::actions::FAULT_PRESETS;
use crate::tui::app::{App, Effect, Level, SimCommand};
use crate::tui::keymap::Action;
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::fit;

/// The menu's rows: the presets, then "clear".
const ROWS: usize = FAULT_PRESETS.len() + 1;

impl App {
    pub(in crate::tui) fn faults_key(
        &mut self,
        action: Option<Action>,
        selected: usize,
    ) -> Vec<Effect> {
        if matches!(action, Some(Action::Close | Action::Quit)) {
            return Vec::new();
        }
        if let Some(to) = Self::scrolled(action, selected, ROWS - 1) {
            self.popup = Some(Popup::Faults { selected: to });
            return Vec::new();
        }
        if action != Some(Action::Submit) {
            self.popup = Some(Popup::Faults { selected });
            return Vec::new();
        }
        let command = match FAULT_PRESETS.get(selected) {
            Some((rule, _)) => SimCommand::AddFault(rule.to_string()),
            None => SimCommand::ClearFaults,
        };
        self.set_status(Level::Info, "Asking the simulator…");
        vec![Effect::Sim(command)]
    }
}

pub fn draw_faults(app: &App, selected: usize, frame: &mut Frame, area: Rect) {
    let width = area.width.saturating_sub(4).min(84);
    let inner = width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    let row = |i: usize, text: String| menu_row(&text, i == selected, inner);
    for (i, (rule, what)) in FAULT_PRESETS.iter().enumerate() {
        lines.push(row(i, format!("{rule:<20} {what}")));
    }
    lines.push(row(FAULT_PRESETS.len(), "clear every fault".into()));
    lines.push(Line::from(""));
    let active = if app.play.faults.is_empty() {
        "none".to_string()
    } else {
        app.play.faults.join(" · ")
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
    let k = |a| app.settings.keymap.first_key(a);
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
