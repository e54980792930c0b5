//! `?`: the key table in force, and what forms take.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{Popup, centered};
use crate::tui::app::{App, Effect};
use crate::tui::keymap::Action;
use crate::tui::theme::{self, Themed};

impl App {
    pub(in crate::tui) fn help_key(&mut self, action: Option<Action>, scroll: u16) -> Vec<Effect> {
        let closes = matches!(
            action,
            Some(Action::Close | Action::Quit | Action::Help | Action::Inspect)
        );
        if closes {
            return Vec::new();
        }
        let max = crate::tui::view::help_max_scroll(self) as usize;
        let scroll = Self::scrolled(action, scroll as usize, max)
            .map(|s| s as u16)
            .unwrap_or(scroll);
        self.popup = Some(Popup::Help { scroll });
        Vec::new()
    }
}

fn help_lines(app: &App) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from("Keys".bold())];
    for b in app.settings.keymap.entries() {
        // Every key of the action, so that second keys (delete, End, ctrl-d…) are found too.
        let keys = &b.keys_label;
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<12}"), theme::KEY),
            Span::raw(b.help),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from("In forms".bold()));
    let k = |a| app.settings.keymap.first_key(a);
    for text in [
        format!(
            "{} submits · {} cancels",
            k(Action::Submit),
            k(Action::Close)
        ),
        format!(
            "{} completes api_fields from the catalogue",
            k(Action::NextPane)
        ),
        format!(
            "{}/{} change the Cerego tag type, or walk the recent look-ups",
            k(Action::Up),
            k(Action::Down)
        ),
        "←/→ home/end move the cursor · ctrl-w deletes a word · paste works".to_string(),
    ] {
        lines.push(Line::from(format!("  {text}")));
    }
    lines
}

fn help_area(area: Rect, lines: usize) -> (Rect, u16) {
    let width = 76.min(area.width);
    let h = (lines as u16 + 2).min(area.height);
    let max_scroll = (lines as u16 + 2).saturating_sub(h);
    (centered(area, width, h), max_scroll)
}

/// Where the help goes in `area` (for the mouse).
pub(super) fn help_rect(app: &App, area: Rect) -> Rect {
    help_area(area, help_lines(app).len()).0
}

/// How far the help can scroll at the console's current size.
pub fn help_max_scroll(app: &App) -> u16 {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    help_area(area, help_lines(app).len()).1
}

pub fn draw_help(app: &App, scroll: u16, frame: &mut Frame, area: Rect) {
    let lines = help_lines(app);
    let (popup, max_scroll) = help_area(area, lines.len());
    frame.render_widget(Clear, popup);
    let k = |a| app.settings.keymap.first_key(a);
    let hint = if max_scroll > 0 {
        format!(
            " {}/{} scroll · {} close ",
            k(Action::Up),
            k(Action::Down),
            k(Action::Close)
        )
    } else {
        format!(" {} / {} close ", k(Action::Close), k(Action::Help))
    };
    let block = Block::bordered()
        .border_style(theme::BORDER_INFO)
        .title(" Help ".bold())
        .title_bottom(Line::from(hint).muted());
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max_scroll), 0)),
        popup,
    );
}
