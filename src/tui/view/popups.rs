//! Popups: help (generated from the key table), forms and confirmations.

use crate::tui::keymap::Action;
use crate::tui::theme::{self, Themed};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::text::{fit, wrap_words};
use crate::tui::app::{App, Confirm};
use crate::tui::forms::{Form, FormKind};

/// A rectangle of at most `w` x `h`, centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
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

pub fn draw_form(app: &App, form: &Form, frame: &mut Frame, area: Rect) {
    let width = area.width.saturating_sub(8).clamp(40, 76);
    let inner_w = width.saturating_sub(4) as usize;
    let mut lines: Vec<Line> = Vec::new();
    match &form.kind {
        FormKind::CeregoAdd { type_index, .. } => {
            let types = app
                .settings
                .cerego
                .as_ref()
                .map(|c| c.tag_types.as_slice())
                .unwrap_or(&[]);
            if let Some(t) = types.get(*type_index) {
                lines.push(Line::from(vec![
                    Span::styled("tag type   ", Style::new().fg(theme::MUTED)),
                    Span::styled(format!("◀ {} {} ▶", t.id, t.name), theme::KEY),
                    Span::styled(
                        format!(
                            "  ({}/{} to change)",
                            app.settings.keymap.first_key(Action::Up),
                            app.settings.keymap.first_key(Action::Down)
                        ),
                        Style::new().fg(theme::MUTED),
                    ),
                ]));
                let existing = app.selected_user().and_then(|u| {
                    u.tags
                        .iter()
                        .find(|tag| tag.tag_type_id.as_deref() == Some(t.id.as_str()))
                });
                if let Some(existing) = existing {
                    lines.push(Line::from(
                        fit(
                            &format!(
                                "already has \"{}\" (tag {}): {} will offer to edit it",
                                existing.value.as_deref().unwrap_or("?"),
                                existing.id,
                                app.settings.keymap.first_key(Action::Submit)
                            ),
                            inner_w,
                        )
                        .warn(),
                    ));
                } else {
                    lines.push(Line::from(""));
                }
            }
        }
        FormKind::CeregoEdit {
            tag_id,
            type_name,
            old_value,
            ..
        } => {
            lines.push(Line::from(vec![
                Span::styled("tag        ", Style::new().fg(theme::MUTED)),
                Span::raw(fit(
                    &format!("{tag_id} ({type_name})"),
                    inner_w.saturating_sub(11),
                )),
            ]));
            lines.push(Line::from(vec![
                Span::styled("was        ", Style::new().fg(theme::MUTED)),
                Span::raw(fit(&format!("\"{old_value}\""), inner_w.saturating_sub(11))),
            ]));
        }
        FormKind::HiveAdd { .. } | FormKind::HiveRemove { .. } => {
            lines.push(Line::from(
                "One or more api_fields, separated by commas or spaces.".muted(),
            ));
            lines.push(Line::from(""));
        }
        FormKind::HiveOpen => {
            lines.push(Line::from(
                "The patron id as your platform names the user (free-form).".muted(),
            ));
            lines.push(Line::from(""));
        }
        FormKind::CeregoLookup => {
            lines.push(Line::from(
                "An email address or a member id; Cerego answers with the matching user.".muted(),
            ));
            let recent = &app.settings.lookups;
            if recent.is_empty() {
                lines.push(Line::from(""));
            } else {
                lines.push(Line::from(
                    fit(&format!("recent: {}", recent.join(", ")), inner_w).muted(),
                ));
            }
        }
    }
    let input_row = lines.len();
    let label = format!("{:<11}", form.label());
    let field_w = inner_w.saturating_sub(label.len() + 1);
    let scroll = form.input.visual_scroll(field_w);
    let visible: String = form.input.value().chars().skip(scroll).collect();
    lines.push(Line::from(vec![
        Span::styled(label.clone(), Style::new().fg(theme::MUTED)),
        Span::styled(fit(&visible, field_w), theme::INPUT),
    ]));
    if form.completes_api_fields() {
        let catalogue = app.catalogue_fields();
        let suggestions = form.suggestions(&catalogue);
        let text = if suggestions.is_empty() {
            "no catalogue match (Hive will report unknown api_fields as failed)".to_string()
        } else {
            format!("tab: {}", suggestions.join(" "))
        };
        lines.push(Line::from(fit(&text, inner_w).muted()));
        let unknown: Vec<String> = form
            .input
            .value()
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty() && !catalogue.iter().any(|c| c == w))
            .map(str::to_string)
            .collect();
        if !unknown.is_empty() && !catalogue.is_empty() {
            lines.push(Line::from(
                fit(
                    &format!("not in the catalogue: {}", unknown.join(", ")),
                    inner_w,
                )
                .warn(),
            ));
        }
    }
    lines.push(Line::from(""));
    let (text, style) = match (&form.error, &form.note) {
        (Some(e), _) if !form.input.value().is_empty() => {
            (format!("✗ {e}"), Style::new().fg(theme::ERROR))
        }
        (_, Some(note)) => (note.clone(), Style::new().fg(theme::WARN)),
        // An empty field is not an error yet: say what is needed, quietly.
        (Some(e), _) => (e.clone(), Style::new().fg(theme::MUTED)),
        (None, None) => (String::new(), Style::new()),
    };
    if !text.is_empty() {
        for l in wrap_words(&text, inner_w) {
            lines.push(Line::from(Span::styled(l, style)));
        }
    }
    let h = lines.len() as u16 + 2;
    let popup = centered(area, width, h);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme::BORDER_ASK)
        .title(Line::from(fit(&form.title(), inner_w)).bold())
        .title_bottom(
            Line::from(format!(
                " {} submit · {} cancel ",
                app.settings.keymap.first_key(Action::Submit),
                app.settings.keymap.first_key(Action::Close)
            ))
            .muted(),
        );
    let inner = block.inner(popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
    let cursor_x = (form.input.visual_cursor().saturating_sub(scroll)) as u16;
    let x = inner.x + label.len() as u16 + cursor_x;
    let y = inner.y + input_row as u16;
    if y < inner.bottom() {
        frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), y));
    }
}

pub fn draw_confirm(app: &App, c: &Confirm, frame: &mut Frame, area: Rect) {
    let width = c
        .lines
        .iter()
        .map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) as u16)
        .max()
        .unwrap_or(20)
        .max(30)
        + 4;
    let width = width.min(area.width.saturating_sub(2));
    let mut lines: Vec<Line> = c
        .lines
        .iter()
        .map(|l| Line::from(fit(l, width.saturating_sub(4) as usize)))
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled(
            format!(" {} ", app.settings.keymap.first_key(Action::Yes)),
            theme::BADGE_ACT,
        ),
        Span::raw(format!(" {}    ", fit(&c.yes, 40))),
        Span::styled(
            format!(" {} ", app.settings.keymap.first_key(Action::No)),
            theme::BADGE_NONE,
        ),
        Span::raw(" cancel"),
    ]));
    let popup = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme::BORDER_ASK)
        .title(Line::from(fit(&c.title, width.saturating_sub(4) as usize)).bold());
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

pub fn draw_profiles(app: &App, selected: usize, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    for (i, name) in app.settings.profiles.iter().enumerate() {
        let current = *name == app.settings.profile;
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
    let popup = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme::BORDER_INFO)
        .title(" Switch profile ".bold())
        .title_bottom(
            Line::from(format!(
                " {} switch · {} close ",
                app.settings.keymap.first_key(Action::Submit),
                app.settings.keymap.first_key(Action::Close)
            ))
            .muted(),
        );
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

pub fn draw_quit(app: &App, frame: &mut Frame, area: Rect) {
    let k = |a| app.settings.keymap.first_key(a);
    let n = app.in_flight();
    let lines = vec![
        Line::from(format!(
            "{n} request{} still in flight.",
            if n == 1 { " is" } else { "s are" }
        )),
        Line::from("Abandoning them now leaves their outcome unknown: the server may"),
        Line::from("or may not have carried them out (the journal records them as"),
        Line::from("abandoned). Waiting quits as soon as each has its outcome."),
        Line::from(""),
        Line::from(vec![
            Span::styled(format!(" {} ", k(Action::Wait)), theme::BADGE_SAFE),
            Span::raw(" wait, then quit    "),
            Span::styled(format!(" {} ", k(Action::Abandon)), theme::BADGE_ACT),
            Span::raw(" abandon and quit    "),
            Span::styled(format!(" {} ", k(Action::Close)), theme::BADGE_NONE),
            Span::raw(" stay"),
        ]),
    ];
    let width = 72.min(area.width);
    let popup = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme::BORDER_ASK)
        .title(" Quit? ".bold());
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
