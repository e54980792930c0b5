//! `e` on a user with several tags, none of them chosen in the tags pane: which one to
//! edit, listed as `Type=Value`. Enter opens that tag's edit.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

use super::mouse::{Hint, choice_hits, hint_text};
use super::{
    Chosen, Cx, Form, Outcome, Popup, Room, centered, choose, menu_row, scrolled, tag_label,
    user_name,
};
use crate::core::model::User;
use crate::tui::keymap::{Action, Context};
use crate::tui::mouse::Hits;
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::fit;

/// Which of a user's tags to edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagChooser {
    /// The user whose tags are listed (the one selected when `e` was pressed).
    pub user_id: String,
    pub selected: usize,
    /// The user is as the user cache had them: the edit says so, and waits for them live.
    pub cached: bool,
}

impl TagChooser {
    /// The user the chooser lists, while they are still the selected one.
    fn user<'a>(&self, cx: &Cx<'a>) -> Option<User<'a>> {
        cx.selected_user.filter(|u| u.id == self.user_id)
    }
}

impl Room for TagChooser {
    fn context(&self) -> Context {
        Context::Menu
    }

    fn on_key(&mut self, action: Option<Action>, _key: KeyEvent, cx: &Cx) -> Outcome {
        if matches!(action, Some(Action::Close | Action::Quit)) {
            return Outcome::close();
        }
        let Some(user) = self.user(cx) else {
            return Outcome::close();
        };
        if let Some(to) = scrolled(action, self.selected, user.tags.len().saturating_sub(1)) {
            self.selected = to;
            return Outcome::stay();
        }
        if action != Some(Action::Submit) {
            return Outcome::stay();
        }
        match Form::edit_tag(cx.settings, &user, self.selected) {
            Some(mut form) => {
                form.cached = self.cached;
                Outcome::open(Popup::Form(Box::new(form)))
            }
            None => Outcome::close(),
        }
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        let Some((popup, title, lines, hints)) = layout(self, cx, area) else {
            return;
        };
        frame.render_widget(Clear, popup);
        let block = Block::bordered()
            .border_style(theme::BORDER_ASK)
            .title(Line::from(title).bold())
            .title_bottom(Line::from(hint_text(&hints)).muted());
        frame.render_widget(Paragraph::new(lines).block(block), popup);
    }

    /// A tag per row (a click selects it, a click on the selected one edits it), and the
    /// hints.
    fn hits(&self, cx: &Cx, area: Rect, hits: &mut Hits) {
        let Some((popup, _, lines, hints)) = layout(self, cx, area) else {
            return;
        };
        choice_hits(popup, lines.len(), &hints, hits);
    }

    fn choose(&mut self, n: usize, double: bool) -> Chosen {
        choose(&mut self.selected, n, double)
    }
}

/// Where the chooser goes in `area`: its rectangle, title, a row per tag, and its hints.
fn layout(
    chooser: &TagChooser,
    cx: &Cx,
    area: Rect,
) -> Option<(Rect, String, Vec<Line<'static>>, [Hint; 2])> {
    let user = chooser.user(cx)?;
    let title = format!(" Edit which tag of {}? ", user_name(&user));
    let labels: Vec<String> = user
        .tags
        .iter()
        .map(|t| tag_label(cx.settings, &t))
        .collect();
    let k = |a| cx.first_key(a);
    let hints = [
        Hint::button(Action::Submit, format!("{} edit", k(Action::Submit))),
        Hint::button(Action::Close, format!("{} cancel", k(Action::Close))),
    ];
    let widest = labels
        .iter()
        .map(|l| l.chars().count() + 2)
        .chain([title.chars().count(), hint_text(&hints).chars().count()])
        .max()
        .unwrap_or(20);
    let width = (widest as u16 + 4).clamp(30, area.width.saturating_sub(4).max(30));
    let inner_w = width.saturating_sub(2) as usize;
    let lines: Vec<Line<'static>> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| menu_row(l, i == chooser.selected, inner_w))
        .collect();
    let popup = centered(area, width, lines.len() as u16 + 2);
    Some((popup, fit(&title, inner_w), lines, hints))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::popups::testing::{app, press};

    // Listing, choosing and editing are the console's tests (tests/tui_words.rs).
    #[test]
    fn a_chooser_of_a_user_no_longer_selected_closes() {
        let app = app();
        let cx = app.cx();
        let mut menu = TagChooser {
            user_id: "somebody else".into(),
            selected: 0,
            cached: false,
        };
        assert!(press(&mut menu, &cx, "down").closes());
        assert!(press(&mut menu, &cx, "enter").closes());
    }
}
