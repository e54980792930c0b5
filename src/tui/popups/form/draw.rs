//! How a form is drawn: its field, the catalogue's suggestions, the inline validation.

use super::*;
use crate::tui::keymap::Action;
use crate::tui::mouse::Hits;
use crate::tui::popups::Cx;
use crate::tui::popups::centered;
use crate::tui::popups::mouse::{Hint, hint_hits, hint_text};
use crate::tui::theme::{self, Themed};
use crate::tui::view::text::{fit, wrap_words};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// Where a form's parts go in an area.
struct Layout {
    popup: Rect,
    lines: Vec<Line<'static>>,
    /// The field's line, its label and how far its text is scrolled.
    input_row: usize,
    label: String,
    scroll: usize,
    inner_w: usize,
    hints: [Hint; 2],
}

fn layout(cx: &Cx, form: &Form, area: Rect) -> Layout {
    let width = area.width.saturating_sub(8).clamp(40, 76);
    let inner_w = width.saturating_sub(4) as usize;
    let mut lines: Vec<Line> = Vec::new();
    match &form.kind {
        FormKind::CeregoAdd { type_index, .. } | FormKind::CeregoBatch { type_index, .. } => {
            let types = cx
                .settings
                .cerego
                .as_ref()
                .map(|c| c.tag_types.as_slice())
                .unwrap_or(&[]);
            if let Some(t) = types.get(*type_index) {
                cached_line(cx, form, inner_w, &mut lines);
                lines.push(Line::from(vec![
                    Span::styled("tag type   ", Style::new().fg(theme::MUTED)),
                    Span::styled(format!("◀ {} {} ▶", t.id, t.name), theme::KEY),
                    Span::styled(
                        format!(
                            "  ({}/{} to change)",
                            cx.first_key(Action::Up),
                            cx.first_key(Action::Down)
                        ),
                        Style::new().fg(theme::MUTED),
                    ),
                ]));
                let single = matches!(form.kind, FormKind::CeregoAdd { .. });
                let existing = cx.selected_user.filter(|_| single).and_then(|u| {
                    u.tags
                        .iter()
                        .find(|tag| tag.tag_type_id == Some(t.id.as_str()))
                });
                let set = matches!(form.kind, FormKind::CeregoAdd { set: true, .. });
                if let (Some(existing), true) = (existing, set) {
                    lines.push(Line::from(
                        fit(
                            &format!(
                                "now \"{}\" (tag {}): the set changes its value",
                                existing.value.unwrap_or("?"),
                                existing.id,
                            ),
                            inner_w,
                        )
                        .warn(),
                    ));
                } else if let Some(existing) = existing {
                    lines.push(Line::from(
                        fit(
                            &format!(
                                "already has \"{}\" (tag {}): {} will offer to edit it",
                                existing.value.unwrap_or("?"),
                                existing.id,
                                cx.first_key(Action::Submit)
                            ),
                            inner_w,
                        )
                        .warn(),
                    ));
                } else if set {
                    lines.push(Line::from(
                        "the user has no tag of this type: the set creates one".muted(),
                    ));
                } else if single {
                    lines.push(Line::from(""));
                } else {
                    lines.push(Line::from(
                        "Each user gets an add, an update, or nothing (already set); a preview \
                         shows which."
                            .muted(),
                    ));
                }
            }
        }
        FormKind::CeregoEdit {
            tag_id,
            type_name,
            old_value,
            ..
        } => {
            cached_line(cx, form, inner_w, &mut lines);
            // The user's other tags are a key away: say which one this is, and how to move.
            let tag_line = match form.tag_position(cx.selected_user) {
                Some((at, n)) if n > 1 => vec![
                    Span::styled("tag        ", Style::new().fg(theme::MUTED)),
                    Span::styled(format!("◀ {type_name} · tag {tag_id} ▶"), theme::KEY),
                    Span::styled(
                        format!(
                            "  ({} of {n}; {}/{} another tag)",
                            at + 1,
                            cx.first_key(Action::Up),
                            cx.first_key(Action::Down)
                        ),
                        Style::new().fg(theme::MUTED),
                    ),
                ],
                _ => vec![
                    Span::styled("tag        ", Style::new().fg(theme::MUTED)),
                    Span::raw(fit(
                        &format!("{type_name} · tag {tag_id}"),
                        inner_w.saturating_sub(11),
                    )),
                ],
            };
            lines.push(Line::from(tag_line));
            lines.push(Line::from(vec![
                Span::styled("was        ", Style::new().fg(theme::MUTED)),
                Span::raw(fit(&format!("\"{old_value}\""), inner_w.saturating_sub(11))),
            ]));
        }
        FormKind::HiveAdd { .. } | FormKind::HiveRemove { .. } => {
            lines.push(Line::from(
                "One or more api_fields, separated by commas or spaces.".muted(),
            ));
            lines.push(match form.resend {
                Some(_) => Line::from(fit(
                    "Edited from the inspector: sent again as a new request, after a question.",
                    inner_w,
                ))
                .muted(),
                None => Line::from(""),
            });
        }
        FormKind::HiveBatch { .. } => {
            lines.push(Line::from(
                "One or more api_fields, separated by commas or spaces.".muted(),
            ));
            lines.push(Line::from(
                "One request per marked patron; a preview shows each first.".muted(),
            ));
        }
        FormKind::Import { service } => {
            lines.push(Line::from(
                fit(
                    match service {
                        crate::core::op::Service::Hive => {
                            "Columns user_id, user_tags (\"vip, newsletter\"); header optional."
                        }
                        crate::core::op::Service::Cerego => {
                            "Columns user_id, tag_type_id, value; header optional."
                        }
                    },
                    inner_w,
                )
                .muted(),
            ));
            lines.push(Line::from(
                fit(
                    &format!(
                        "{} completes the path; a preview shows every row first.",
                        cx.first_key(Action::NextPane)
                    ),
                    inner_w,
                )
                .muted(),
            ));
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
            let recent = &cx.settings.lookups;
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
        let catalogue = cx.settings.catalogue_fields();
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
        (Some(e), _) if form.refused || !form.input.value().is_empty() => {
            (format!("✗ {e}"), Style::new().fg(theme::ERROR))
        }
        (_, Some(note)) => (note.clone(), Style::new().fg(theme::WARN)),
        // A field the operator emptied is not an error yet: say what is needed, quietly.
        (Some(e), _) => (e.clone(), Style::new().fg(theme::MUTED)),
        (None, None) => (String::new(), Style::new()),
    };
    if !text.is_empty() {
        for l in wrap_words(&text, inner_w) {
            lines.push(Line::from(Span::styled(l, style)));
        }
    }
    let h = lines.len() as u16 + 2;
    let k = |a| cx.first_key(a);
    Layout {
        popup: centered(area, width, h),
        lines,
        input_row,
        label,
        scroll,
        inner_w,
        hints: [
            Hint::button(Action::Submit, format!("{} submit", k(Action::Submit))),
            Hint::button(Action::Close, format!("{} cancel", k(Action::Close))),
        ],
    }
}

/// A single add or edit opened on a user as the user cache had them says so, until the user
/// is read live.
fn cached_line(cx: &Cx, form: &Form, inner_w: usize, lines: &mut Vec<Line<'static>>) {
    if !form.cached {
        return;
    }
    if let Some(note) = &cx.cached_note {
        for l in wrap_words(note, inner_w) {
            lines.push(Line::from(l.warn()));
        }
    }
}

pub(super) fn draw_form(cx: &Cx, form: &Form, frame: &mut Frame, area: Rect) {
    let Layout {
        popup,
        lines,
        input_row,
        label,
        scroll,
        inner_w,
        hints,
    } = layout(cx, form, area);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme::BORDER_ASK)
        .title(Line::from(fit(&form.title(), inner_w)).bold())
        .title_bottom(Line::from(hint_text(&hints)).muted());
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

/// The form for the mouse: its submit and cancel hints (a click presses their keys).
pub(super) fn hits(cx: &Cx, form: &Form, area: Rect, hits: &mut Hits) {
    let l = layout(cx, form, area);
    hits.popup(l.popup, false, None);
    hint_hits(&l.hints, l.popup, hits);
}
