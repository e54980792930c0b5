//! How a preview is drawn: a header (the counts, the file's layout, what predictions rest
//! on), the list — every row to send, then every invalid row and every warning — that
//! scrolls, and a footer (notes, the write gate's question, the keys that work now).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::Preview;
use crate::core::gate::PlanDecision;
use crate::core::op::Service;
use crate::core::printable::plural;
use crate::tui::keymap::Action;
use crate::tui::popups::{Cx, centered};
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::fit;

/// One line of the scrolling list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Item {
    /// The plan row with this index.
    Row(usize),
    Blank,
    /// The invalid rows' heading, then each.
    InvalidHeading,
    Invalid(usize),
    WarningsHeading,
    Warning(usize),
}

impl Preview {
    /// How many plan rows the list shows: every row, or for a resume only those to send.
    pub(super) fn listed_len(&self) -> usize {
        if self.resume {
            self.todo.len()
        } else {
            self.plan.rows.len()
        }
    }

    /// The lines of the list: the rows, then the invalid rows, then the warnings.
    pub(super) fn body_len(&self) -> usize {
        let section = |n: usize| if n == 0 { 0 } else { n + 2 };
        self.listed_len() + section(self.invalid.len()) + section(self.warnings.len())
    }

    /// The list's line `i`.
    pub(super) fn body_item(&self, i: usize) -> Option<Item> {
        let rows = self.listed_len();
        if i < rows {
            let row = if self.resume { *self.todo.get(i)? } else { i };
            return Some(Item::Row(row));
        }
        let mut at = i - rows;
        for (n, heading, each) in [
            (
                self.invalid.len(),
                Item::InvalidHeading,
                Item::Invalid as fn(usize) -> Item,
            ),
            (self.warnings.len(), Item::WarningsHeading, Item::Warning),
        ] {
            if n == 0 {
                continue;
            }
            match at {
                0 => return Some(Item::Blank),
                1 => return Some(heading),
                k if k < n + 2 => return Some(each(k - 2)),
                _ => at -= n + 2,
            }
        }
        None
    }

    /// Whether Enter can send now (rows to send, none invalid or left out, the gate not
    /// refusing).
    pub(super) fn sendable(&self) -> bool {
        !self.todo.is_empty()
            && (self.invalid.is_empty() || self.skip_invalid)
            && !matches!(self.gate, PlanDecision::Refuse(_))
    }

    /// How far the list scrolls in a terminal of `size`: its last line at the bottom.
    pub(super) fn max_scroll(&self, size: (u16, u16), cx: &Cx) -> usize {
        let area = Rect::new(0, 0, size.0, size.1);
        let (_, _, _, space, _) = self.layout(cx, area);
        self.body_len().saturating_sub(space)
    }

    /// Where the preview goes in `area` (as tall as its lines, at most the screen), its
    /// header and footer lines, how many list lines fit, and how many it shows.
    fn layout(
        &self,
        cx: &Cx,
        area: Rect,
    ) -> (Rect, Vec<Line<'static>>, Vec<Line<'static>>, usize, usize) {
        let full = centered(
            area,
            area.width.saturating_sub(4),
            area.height.saturating_sub(2),
        );
        let w = full.width.saturating_sub(4) as usize;
        let header = self.header(cx, w);
        let footer = self.footer(cx, w);
        // The borders, and one line under the list that says which lines are shown.
        let space = (full.height as usize)
            .saturating_sub(3 + header.len() + footer.len())
            .max(1);
        let room = space.min(self.body_len().max(1));
        let height = (header.len() + room + footer.len() + 3) as u16;
        let rect = centered(area, full.width, height);
        (rect, header, footer, space, room)
    }

    /// The columns' widths at `w`: a long target gives way on a narrow screen, so the
    /// prediction keeps at least half the line.
    fn columns(&self, w: usize) -> (usize, usize, usize) {
        let (lw, tw, ow) = self.widths;
        let tw = tw.min((w / 2).saturating_sub(lw + ow + 3).max(10));
        (lw, tw, ow)
    }

    fn header(&self, cx: &Cx, w: usize) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        let unchanged = self.plan.rows.iter().filter(|r| r.unchanged).count();
        let mut counts = format!(
            "· {unchanged} unchanged · {} invalid{} · {} · {} · profile {}",
            self.invalid.len(),
            if self.skip_invalid && !self.invalid.is_empty() {
                " (left out)"
            } else {
                ""
            },
            plural(self.warnings.len() as u64, "warning", "warnings"),
            plural(self.plan.data_rows as u64, "data row", "data rows"),
            cx.settings.profile
        );
        if self.resume {
            let done = self
                .plan
                .rows
                .len()
                .saturating_sub(self.todo.len() + unchanged);
            counts = format!("· {done} already done {counts}");
        }
        let requests = plural(self.todo.len() as u64, "request", "requests");
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{requests}{} ",
                    if self.resume { " to send again" } else { "" }
                ),
                Style::new().bold(),
            ),
            Span::raw(fit(
                &counts,
                w.saturating_sub(requests.width() + if self.resume { 15 } else { 1 }),
            )),
        ]));
        if let Some(s) = &self.source {
            let keys = &cx.settings.keymap;
            lines.push(Line::from(
                fit(
                    &format!(
                        "file {} · header row: {} ({}) · users in column {} ({}){}",
                        s.path,
                        if s.layout.header { "yes" } else { "no" },
                        keys.first_key(Action::Header),
                        s.layout.columns.first().map_or(1, |c| c + 1),
                        keys.first_key(Action::Column),
                        match (s.service, s.remove, s.set) {
                            (Service::Hive, _, true) => {
                                " · SET the catalogue tags to exactly the list"
                            }
                            (Service::Hive, true, _) => " · REMOVE the listed tags",
                            (Service::Hive, false, _) => " · add the listed tags",
                            (Service::Cerego, ..) => "",
                        }
                    ),
                    w,
                )
                .muted(),
            ));
        }
        if self.service == Service::Hive {
            lines.push(Line::from(
                fit(
                    "Predictions come from what tagdesk last saw (Hive has no read endpoint), \
                     not from the service.",
                    w,
                )
                .muted(),
            ));
        }
        if let Some(basis) = &self.basis {
            lines.push(Line::from(fit(&format!("Basis: {basis}"), w).muted()));
        }
        let (lw, tw, ow) = self.columns(w);
        lines.push(Line::from(
            fit(
                &format!(
                    "{:<lw$} {:<tw$} {:<ow$} prediction",
                    "line", "target", "request"
                ),
                w,
            )
            .bold(),
        ));
        lines
    }

    fn footer(&self, cx: &Cx, w: usize) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        for n in self.plan.notes.iter().take(3) {
            lines.push(Line::from(fit(n, w).warn()));
        }
        match &self.gate {
            PlanDecision::Refuse(reason) => lines.push(Line::from(fit(reason, w).error())),
            PlanDecision::Confirm {
                question,
                type_count,
            } => {
                lines.push(Line::from(fit(question, w).warn()));
                if let Some(n) = type_count {
                    lines.push(Line::from(vec![
                        Span::styled(format!("Type {n} to send them: "), theme::KEY),
                        Span::raw(self.typed.value().to_string()),
                        Span::raw("▏"),
                    ]));
                }
            }
            PlanDecision::Allow => {}
        }
        let k = |a| cx.first_key(a);
        let mut hints = Vec::new();
        if self.sendable() {
            hints.push(format!("{} send", k(Action::Submit)));
        }
        hints.push(format!("{} back out", k(Action::Close)));
        hints.push(format!("{}/{} scroll", k(Action::Up), k(Action::Down)));
        if !self.invalid.is_empty() {
            hints.push(format!(
                "{} {}",
                k(Action::SkipInvalid),
                if self.skip_invalid {
                    "include the invalid rows"
                } else {
                    "leave the invalid rows out"
                }
            ));
        }
        if let Some(s) = &self.source {
            hints.push(format!("{} header row", k(Action::Header)));
            hints.push(format!("{} users' column", k(Action::Column)));
            if s.service == Service::Hive {
                hints.push(format!(
                    "{} {}",
                    k(Action::SetMode),
                    if s.set { "add" } else { "set" }
                ));
                hints.push(format!(
                    "{} {}",
                    k(Action::Remove),
                    if s.remove {
                        "add instead"
                    } else {
                        "remove instead"
                    }
                ));
            }
        }
        lines.push(Line::from(fit(&hints.join(" · "), w).muted()));
        lines
    }

    /// The list's line for `item`.
    fn item_line(&self, item: Item, w: usize) -> Line<'static> {
        let (lw, tw, ow) = self.columns(w);
        match item {
            Item::Row(row) => {
                let Some(s) = self.shown.get(row) else {
                    return Line::from("");
                };
                let mut text = format!(
                    "{:<lw$} {:<tw$} {:<ow$} {}",
                    fit(&s.lines, lw),
                    fit(&s.target, tw),
                    s.op,
                    s.effect
                );
                if let Some(last) = self.last.get(&row) {
                    text.push_str(&format!(" · last: {last}"));
                }
                if let Some(basis) = &s.basis {
                    text.push_str(&format!(" · {basis}"));
                }
                let line = Line::from(fit(&text, w));
                if s.unchanged { line.muted() } else { line }
            }
            Item::Blank => Line::from(""),
            Item::InvalidHeading => {
                let n = plural(self.invalid.len() as u64, "invalid row", "invalid rows");
                let text = if self.skip_invalid {
                    format!("✗ {n}, left out: the others are sent")
                } else {
                    format!("✗ {n}: nothing is sent until the file is fixed or they are left out")
                };
                Line::from(fit(&text, w).error().bold())
            }
            Item::Invalid(i) => match self.invalid.get(i) {
                Some(e) => Line::from(fit(&format!("  {e}"), w).error()),
                None => Line::from(""),
            },
            Item::WarningsHeading => {
                let n = plural(self.warnings.len() as u64, "warning", "warnings");
                Line::from(fit(&format!("! {n} (the rows are sent)"), w).warn().bold())
            }
            Item::Warning(i) => match self.warnings.get(i) {
                Some(e) => Line::from(fit(&format!("  {e}"), w).warn()),
                None => Line::from(""),
            },
        }
    }

    pub(super) fn draw_preview(&self, cx: &Cx, frame: &mut Frame, area: Rect) {
        let (rect, header, footer, _, room) = self.layout(cx, area);
        let w = rect.width.saturating_sub(4) as usize;
        let mut lines = header;
        let scroll = self.scroll.min(self.body_len().saturating_sub(room));
        let items = (scroll..scroll + room).filter_map(|i| self.body_item(i));
        lines.extend(items.map(|item| self.item_line(item, w)));
        lines.push(if self.body_len() > room {
            Line::from(
                format!(
                    "… lines {}–{} of {} ({} to the end)",
                    scroll + 1,
                    (scroll + room).min(self.body_len()),
                    self.body_len(),
                    cx.first_key(Action::Last)
                )
                .muted(),
            )
        } else {
            Line::from("")
        });
        lines.extend(footer);
        // An undo's `from` says what it undoes; the others' say where the rows came from.
        let title = match self.plan.op {
            crate::core::plan::BatchOp::Undo => {
                format!(" Preview · {} ", fit(&self.from, w.saturating_sub(12)))
            }
            op => format!(
                " Preview · {} · {} ",
                crate::tui::state::words::batch_op_words(op.name()),
                fit(&self.from, w.saturating_sub(24))
            ),
        };
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(lines).block(Block::bordered().title(title).border_style(theme::KEY)),
            rect,
        );
    }
}
