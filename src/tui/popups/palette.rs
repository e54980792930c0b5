//! `:` / `ctrl-p`: the command palette. Every action of the main screen with its keys (the
//! key table in force, `[keys]` included) and its title (the action table's), filtered as
//! you type with the lists' matcher (`tui::filter`). Enter runs the selected action exactly
//! as its key would: the palette closes, then that key is pressed, through the same handler,
//! availability and write gate. An action that cannot do anything where the operator is
//! shows greyed with the reason `keymap::availability` gives (the reason its key would say).

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use tui_input::Input;
use unicode_width::UnicodeWidthStr;

use super::mouse::{Hint, hint_hits, hint_text};
use super::{Chosen, Cx, Do, Outcome, Popup, Room, centered, choose, edit, scrolled};
use crate::tui::app::{App, Level};
use crate::tui::filter::{SEP, ranked};
use crate::tui::keymap::{self, Action, Context};
use crate::tui::mouse::{Hits, Target};
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::{cell, fit};

/// One action as the palette lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub action: Action,
    /// The action table's title (a short verb phrase).
    pub title: &'static str,
    /// The help's line, shown under the list for the selected action.
    pub help: &'static str,
    /// Every key of the action in the table in force (`d/delete`).
    pub keys: String,
    /// Why the action cannot do anything where the operator is (None: it can).
    pub unavailable: Option<(Level, String)>,
}

/// The palette: what is typed, every action, those the text matches and the selected one.
#[derive(Debug, Clone)]
pub struct Palette {
    pub input: Input,
    entries: Vec<Entry>,
    /// The entries the text matches, in the order shown (indices into `entries`).
    shown: Vec<usize>,
    /// The selected row of `shown`.
    pub selected: usize,
}

impl Palette {
    pub fn new(entries: Vec<Entry>) -> Self {
        let mut palette = Self {
            input: Input::default(),
            entries,
            shown: Vec::new(),
            selected: 0,
        };
        palette.refilter();
        palette
    }

    /// The entries shown, in order.
    pub fn shown(&self) -> impl Iterator<Item = &Entry> {
        self.shown.iter().filter_map(|&i| self.entries.get(i))
    }

    /// The selected entry, if any matches.
    pub fn chosen(&self) -> Option<&Entry> {
        self.shown
            .get(self.selected)
            .and_then(|&i| self.entries.get(i))
    }

    /// Matches the entries against the text: the lists' fuzzy matcher over each title and
    /// `[keys]` name; the entries whose title or name begins with the text come first, and
    /// each group keeps the help's order. The first row is selected.
    fn refilter(&mut self) {
        let query = self.input.value();
        let haystacks: Vec<String> = self
            .entries
            .iter()
            .map(|e| format!("{}{SEP}{}", e.title, e.action.name()))
            .collect();
        let start = query.trim().to_lowercase();
        self.shown = ranked(query, &haystacks, |i| {
            let e = &self.entries[i];
            e.title.to_lowercase().starts_with(&start) || e.action.name().starts_with(&start)
        });
        self.selected = 0;
    }

    /// The same actions, with what is available now (the selection and the filter stay); a
    /// different list (another key table) starts the filter again.
    fn refresh(&mut self, entries: Vec<Entry>) {
        let same = entries.len() == self.entries.len()
            && entries
                .iter()
                .zip(&self.entries)
                .all(|(a, b)| a.action == b.action);
        self.entries = entries;
        if !same {
            self.refilter();
        }
    }
}

impl Room for Palette {
    fn context(&self) -> Context {
        Context::Palette
    }

    fn on_key(&mut self, action: Option<Action>, key: KeyEvent, _cx: &Cx) -> Outcome {
        match action {
            Some(Action::Close) => return Outcome::close(),
            // Its key, pressed on the main screen once the palette is closed.
            Some(Action::Submit) => {
                return match self.chosen() {
                    Some(entry) => Outcome::close().and(Do::Press(entry.action)),
                    None => Outcome::stay(),
                };
            }
            _ => {}
        }
        let last = self.shown.len().saturating_sub(1);
        if let Some(to) = scrolled(action, self.selected, last) {
            self.selected = to;
        } else if action.is_none() && edit(&mut self.input, key) {
            self.refilter();
        }
        Outcome::stay()
    }

    fn draw(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        let l = layout(self, cx, area);
        frame.render_widget(Clear, l.popup);
        let count = format!(" {} of {} ", self.shown.len(), self.entries.len());
        let block = Block::bordered()
            .border_style(theme::BORDER_INFO)
            .title(Line::from(" Commands ").bold())
            .title_bottom(Line::from(hint_text(&l.hints)).muted())
            .title_bottom(Line::from(count).muted().right_aligned());
        let inner = block.inner(l.popup);
        frame.render_widget(block, l.popup);
        // The text typed, scrolled to keep the cursor in view.
        let prompt = "> ";
        let field = (inner.width as usize).saturating_sub(prompt.len() + 1);
        let scroll = self.input.visual_scroll(field);
        let value: String = self.input.value().chars().skip(scroll).collect();
        let input = Line::from(vec![
            Span::styled(prompt, theme::KEY),
            Span::styled(fit(&value, field), theme::INPUT),
        ]);
        frame.render_widget(input, Rect { height: 1, ..inner });
        if inner.height > 0 {
            let cursor = self.input.visual_cursor().saturating_sub(scroll);
            let x = inner.x + (prompt.len() + cursor) as u16;
            frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), inner.y));
        }
        frame.render_widget(Paragraph::new(self.rows(l.list, l.offset)), l.list);
        frame.render_widget(
            Paragraph::new(self.detail()).wrap(Wrap { trim: true }),
            l.detail,
        );
    }

    /// A row per action shown (a click selects it, a click on the selected one runs it),
    /// the hints, and a click outside closes the palette.
    fn hits(&self, cx: &Cx, area: Rect, hits: &mut Hits) {
        let l = layout(self, cx, area);
        hits.popup(l.popup, true, Some(Action::Close));
        let rows = self.shown.len().saturating_sub(l.offset);
        for i in 0..rows.min(l.list.height as usize) {
            let row = Rect::new(l.list.x, l.list.y + i as u16, l.list.width, 1);
            // The row shown, not the place: the list may have scrolled.
            hits.add(row, Target::Choice(l.offset + i));
        }
        hint_hits(&l.hints, l.popup, hits);
    }

    fn choose(&mut self, n: usize, double: bool) -> Chosen {
        if n >= self.shown.len() {
            return Chosen::Selected;
        }
        choose(&mut self.selected, n, double)
    }

    /// Pasted text is typed (on one line).
    fn paste(&mut self, text: &str) {
        let flat: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let value = format!("{}{flat}", self.input.value());
        self.input = Input::new(value);
        self.refilter();
    }
}

impl Palette {
    /// The rows of the list from `offset`: the title (greyed, with the reason, when the
    /// action is unavailable) and the keys at the right.
    fn rows(&self, list: Rect, offset: usize) -> Vec<Line<'static>> {
        let width = list.width as usize;
        if self.shown.is_empty() {
            let text = format!(
                "  No action matches \u{201c}{}\u{201d}.",
                self.input.value()
            );
            return vec![Line::from(fit(&text, width)).muted()];
        }
        self.shown()
            .enumerate()
            .skip(offset)
            .take(list.height as usize)
            .map(|(i, e)| {
                let selected = i == self.selected;
                let keys = format!(" {} ", e.keys);
                let room = width.saturating_sub(keys.width() + 2);
                let text = match &e.unavailable {
                    Some((_, reason)) => format!("{} \u{2014} {reason}", e.title),
                    None => e.title.to_string(),
                };
                let marker = if selected { "▶ " } else { "  " };
                let (title, key) = match (selected, &e.unavailable) {
                    (true, _) => (theme::SELECTED, theme::SELECTED),
                    (false, Some(_)) => {
                        (Style::new().fg(theme::MUTED), Style::new().fg(theme::MUTED))
                    }
                    (false, None) => (Style::new().fg(theme::TEXT), theme::KEY),
                };
                Line::from(vec![
                    Span::styled(format!("{marker}{}", cell(&text, room)), title),
                    Span::styled(keys, key),
                ])
            })
            .collect()
    }

    /// Under the list: the selected action's help line, or why it is unavailable.
    fn detail(&self) -> Line<'static> {
        match self.chosen() {
            Some(Entry {
                unavailable: Some((level, reason)),
                ..
            }) => {
                let (glyph, style) = match level {
                    Level::Info => ("", Style::new().fg(theme::ACCENT)),
                    Level::Warn => ("! ", Style::new().fg(theme::WARN)),
                    Level::Error => ("✗ ", Style::new().fg(theme::ERROR)),
                };
                Line::from(Span::styled(format!("{glyph}{reason}"), style))
            }
            Some(entry) => Line::from(entry.help).muted(),
            None => Line::from(""),
        }
    }
}

/// Where the palette's parts go in `area`.
struct Layout {
    popup: Rect,
    list: Rect,
    /// The first row of the list shown (the selected one stays in view).
    offset: usize,
    detail: Rect,
    hints: [Hint; 2],
}

/// The palette keeps one size while the text narrows the list: as many rows as actions, as
/// far as the screen allows, above two lines for the selected action's help or reason.
fn layout(palette: &Palette, cx: &Cx, area: Rect) -> Layout {
    let width = area.width.saturating_sub(4).clamp(area.width.min(30), 96);
    // Borders, the text line, the list, a blank line and two lines of detail.
    let room = area.height.saturating_sub(2).saturating_sub(6);
    let rows = (palette.entries.len() as u16).clamp(1, room.max(1));
    let popup = centered(area, width, rows + 6);
    let inner = Block::bordered().inner(popup);
    let list = Rect {
        y: inner.y + 1,
        height: rows.min(inner.height.saturating_sub(1)),
        ..inner
    };
    let detail_y = list.bottom() + 1;
    let detail = Rect {
        y: detail_y.min(inner.bottom()),
        height: inner.bottom().saturating_sub(detail_y),
        ..inner
    };
    let visible = list.height.max(1) as usize;
    let offset = (palette.selected + 1).saturating_sub(visible);
    let k = |a| cx.first_key(a);
    let hints = [
        Hint::button(Action::Submit, format!("{} run", k(Action::Submit))),
        Hint::button(Action::Close, format!("{} close", k(Action::Close))),
    ];
    Layout {
        popup,
        list,
        offset,
        detail,
        hints,
    }
}

impl App {
    /// The palette's entries: the main screen's actions in the help's order (the palette's
    /// own left out), with their keys in the table in force and what is available now.
    fn palette_entries(&self) -> Vec<Entry> {
        self.settings
            .keymap
            .entries()
            .iter()
            .filter(|e| e.action != Action::Palette)
            .map(|e| Entry {
                action: e.action,
                title: e.title,
                help: e.help,
                keys: e.keys_label.clone(),
                unavailable: keymap::availability(self, e.action)
                    .err()
                    .map(|no| (no.level, no.reason)),
            })
            .collect()
    }

    /// `:` / `ctrl-p`: opens the command palette.
    pub(in crate::tui) fn open_palette(&mut self) {
        let palette = Palette::new(self.palette_entries());
        self.open(Popup::Palette(palette));
    }

    /// Keeps an open palette's greying true to the console as replies change it (a list
    /// that finished loading, a patron's saved tags that arrived).
    pub(in crate::tui) fn refresh_palette(&mut self) {
        if !matches!(self.popup, Some(Popup::Palette(_))) {
            return;
        }
        let entries = self.palette_entries();
        if let Some(Popup::Palette(palette)) = &mut self.popup {
            palette.refresh(entries);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::popups::testing::{app, press};

    fn entry(action: Action, title: &'static str) -> Entry {
        Entry {
            action,
            title,
            help: "",
            keys: "k".into(),
            unavailable: None,
        }
    }

    fn titles(p: &Palette) -> Vec<&'static str> {
        p.shown().map(|e| e.title).collect()
    }

    #[test]
    fn typing_filters_and_ranks_what_begins_with_the_text_first() {
        let app = app();
        let cx = app.cx();
        let mut p = Palette::new(vec![
            entry(Action::Mark, "mark a row for a batch"),
            entry(Action::Import, "import a CSV file as a batch"),
            entry(Action::Batches, "open the batches view"),
            entry(Action::Help, "show the help"),
        ]);
        assert_eq!(p.shown().count(), 4);
        for c in "batch".chars() {
            assert!(press(&mut p, &cx, &c.to_string()).stays());
        }
        // `batches` begins with the text: first, then the others in order.
        assert_eq!(
            titles(&p),
            [
                "open the batches view",
                "mark a row for a batch",
                "import a CSV file as a batch"
            ]
        );
        assert!(press(&mut p, &cx, "down").stays());
        assert_eq!(p.chosen().map(|e| e.action), Some(Action::Mark));
        // Enter closes the palette and presses the chosen action's key.
        let out = press(&mut p, &cx, "enter");
        assert!(out.closes());
        assert!(matches!(out.then[..], [Do::Press(Action::Mark)]));
        // Nothing matches: Enter does nothing, Esc closes.
        let mut p = Palette::new(vec![entry(Action::Help, "show the help")]);
        for c in "zzz".chars() {
            let _ = press(&mut p, &cx, &c.to_string());
        }
        assert!(p.chosen().is_none());
        assert!(press(&mut p, &cx, "enter").stays());
        assert!(press(&mut p, &cx, "esc").closes());
    }

    #[test]
    fn keys_that_type_are_text_in_the_palette() {
        let app = app();
        let cx = app.cx();
        let mut p = Palette::new(vec![entry(Action::Quit, "quit")]);
        // q, k and ? would be actions on the main screen: here they are typed.
        for key in ["q", "k", "?"] {
            assert!(press(&mut p, &cx, key).stays(), "{key}");
        }
        assert_eq!(p.input.value(), "qk?");
    }
}
