//! Every colour and style the console draws with, named for what it means. Drawing code
//! says `theme::ERROR` or `"…".muted()`, never a colour, so the palette is changed here.
//!
//! Three themes: **dark** (the constants below, for dark backgrounds), **light** (the same
//! meanings in colours that read on a light background: [`LIGHT`]) and **monochrome** (no
//! colour at all, selected by `NO_COLOR`). A frame is drawn in the dark palette and
//! [`apply`] then maps each of its colours to the theme's — one place per theme, and no
//! drawing code knows which theme is on.
//!
//! Colour is never the only carrier of meaning: the selection, the focused pane and the
//! active tab are also bold or reversed, and results carry their glyph (✓ ◐ = ✗ ?).

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier, Style, Styled};

use crate::config::colour::Colour;
use crate::core::op::scenario::Severity;

/// Keys, the focused pane, information.
pub const ACCENT: Color = Color::Cyan;
/// Something to look at: in flight, a warning, a question that changes something.
pub const WARN: Color = Color::Yellow;
/// A failure.
pub const ERROR: Color = Color::Red;
/// Done as asked.
pub const OK: Color = Color::Green;
/// Outcome unknown (abandoned), or a wording that differs from the documentation.
pub const UNKNOWN: Color = Color::Magenta;
/// Secondary text: notes, counts, timestamps, unfocused borders.
pub const MUTED: Color = Color::DarkGray;
/// Ordinary text that is not the focus.
pub const TEXT: Color = Color::Gray;
/// Text the operator is typing.
pub const FIELD: Color = Color::White;
/// Text on a coloured badge.
pub const ON_BADGE: Color = Color::Black;

const BOLD: Modifier = Modifier::BOLD;

/// A key label (help, hints).
pub const KEY: Style = Style::new().fg(ACCENT).add_modifier(BOLD);
/// The selected row of a list or picker.
pub const SELECTED: Style = Style::new().fg(ON_BADGE).bg(ACCENT).add_modifier(BOLD);
/// A table's header row.
pub const HEADER: Style = Style::new().fg(MUTED).add_modifier(BOLD);
/// A popup that informs (help, inspector, profile picker).
pub const BORDER_INFO: Style = Style::new().fg(ACCENT);
/// A popup that asks before something changes (forms, confirmations, quit).
pub const BORDER_ASK: Style = Style::new().fg(WARN);
/// An unfocused pane's border.
pub const BORDER_IDLE: Style = Style::new().fg(MUTED);
/// Text typed into a form.
pub const INPUT: Style = Style::new().fg(FIELD).add_modifier(BOLD);

/// A key badge in a popup's choices (` y `, ` w `…), on `colour`.
pub const fn badge(colour: Color) -> Style {
    Style::new().fg(ON_BADGE).bg(colour).add_modifier(BOLD)
}

/// The badge of a choice that changes something (send, abandon).
pub const BADGE_ACT: Style = badge(WARN);
/// The badge of the safe choice (wait).
pub const BADGE_SAFE: Style = badge(OK);
/// The badge of a choice that changes nothing (cancel, stay).
pub const BADGE_NONE: Style = badge(TEXT);
/// The inspector's MISMATCH.
pub const BADGE_MISMATCH: Style = Style::new().fg(FIELD).bg(UNKNOWN).add_modifier(BOLD);

pub use crate::config::colour::Theme;

/// One theme's colour for each meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub accent: Color,
    pub warn: Color,
    pub error: Color,
    pub ok: Color,
    pub unknown: Color,
    pub muted: Color,
    pub text: Color,
    pub field: Color,
    pub on_badge: Color,
}

impl Palette {
    fn slots(&self) -> [Color; 9] {
        [
            self.accent,
            self.warn,
            self.error,
            self.ok,
            self.unknown,
            self.muted,
            self.text,
            self.field,
            self.on_badge,
        ]
    }
}

/// The dark theme: the constants above.
pub const DARK: Palette = Palette {
    accent: ACCENT,
    warn: WARN,
    error: ERROR,
    ok: OK,
    unknown: UNKNOWN,
    muted: MUTED,
    text: TEXT,
    field: FIELD,
    on_badge: ON_BADGE,
};

/// The light theme: darker, saturated colours (256-colour indices) that keep their meaning
/// on a white or cream background; text in near-black, badges with white letters.
pub const LIGHT: Palette = Palette {
    accent: Color::Indexed(25),
    warn: Color::Indexed(130),
    error: Color::Indexed(160),
    ok: Color::Indexed(28),
    unknown: Color::Indexed(127),
    muted: Color::Indexed(243),
    text: Color::Indexed(236),
    field: Color::Black,
    on_badge: Color::White,
};

/// Redraws a frame drawn in the dark palette in `theme`'s.
pub fn apply(buffer: &mut Buffer, theme: Theme) {
    match theme {
        Theme::Dark => {}
        Theme::Monochrome => strip(buffer),
        Theme::Light => {
            let (from, to) = (DARK.slots(), LIGHT.slots());
            let map = |c: Color| match from.iter().position(|f| *f == c) {
                Some(i) => to[i],
                None => c,
            };
            for cell in buffer.content.iter_mut() {
                cell.fg = map(cell.fg);
                cell.bg = map(cell.bg);
                cell.underline_color = map(cell.underline_color);
            }
        }
    }
}

/// The colour of a Hive outcome, by how much of the request was carried out.
pub fn severity(severity: Severity) -> Color {
    match severity {
        Severity::Applied => OK,
        Severity::AlreadyThere => ACCENT,
        Severity::Partial => WARN,
        Severity::Nothing => ERROR,
    }
}

/// A profile's colour (from the configuration) as the terminal draws it.
pub fn colour(c: Colour) -> Color {
    match c {
        Colour::Reset => Color::Reset,
        Colour::Black => Color::Black,
        Colour::Red => Color::Red,
        Colour::Green => Color::Green,
        Colour::Yellow => Color::Yellow,
        Colour::Blue => Color::Blue,
        Colour::Magenta => Color::Magenta,
        Colour::Cyan => Color::Cyan,
        Colour::Gray => Color::Gray,
        Colour::DarkGray => Color::DarkGray,
        Colour::LightRed => Color::LightRed,
        Colour::LightGreen => Color::LightGreen,
        Colour::LightYellow => Color::LightYellow,
        Colour::LightBlue => Color::LightBlue,
        Colour::LightMagenta => Color::LightMagenta,
        Colour::LightCyan => Color::LightCyan,
        Colour::White => Color::White,
        Colour::Rgb(r, g, b) => Color::Rgb(r, g, b),
        Colour::Indexed(i) => Color::Indexed(i),
    }
}

/// `NO_COLOR`: removes every colour from a drawn buffer, keeping bold and reverse video, so
/// no colour sequence is written at all.
pub fn strip(buffer: &mut Buffer) {
    for cell in buffer.content.iter_mut() {
        // A coloured background marks a highlight (the selection, a badge such as MATCH or
        // DEMO): without colour it becomes reverse video, so it still stands out.
        if cell.bg != Color::Reset {
            cell.modifier.insert(Modifier::REVERSED);
        }
        cell.fg = Color::Reset;
        cell.bg = Color::Reset;
        cell.underline_color = Color::Reset;
    }
}

/// Meaning-named colours for anything styled (text, spans, lines): `"…".muted()`.
pub trait Themed: Styled + Sized {
    fn with_fg(self, colour: Color) -> Self::Item {
        let style = self.style().fg(colour);
        self.set_style(style)
    }

    fn muted(self) -> Self::Item {
        self.with_fg(MUTED)
    }

    fn error(self) -> Self::Item {
        self.with_fg(ERROR)
    }

    fn warn(self) -> Self::Item {
        self.with_fg(WARN)
    }

    fn unknown(self) -> Self::Item {
        self.with_fg(UNKNOWN)
    }
}

impl<T: Styled + Sized> Themed for T {}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn every_meaning_has_its_own_colour_in_each_coloured_theme() {
        for palette in [DARK, LIGHT] {
            let slots = palette.slots();
            // Meanings that appear side by side must not share a colour (text and field may:
            // one is typed, the other is not, and they are never adjacent).
            let meanings = &slots[..6];
            for (i, a) in meanings.iter().enumerate() {
                for b in &meanings[i + 1..] {
                    assert_ne!(a, b, "{palette:?}");
                }
            }
        }
    }

    #[test]
    fn the_light_theme_maps_each_dark_colour_and_leaves_others_alone() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 3, 1));
        buffer[(0, 0)].set_style(SELECTED);
        buffer[(1, 0)].set_style(Style::new().fg(Color::Rgb(1, 2, 3)));
        buffer[(2, 0)].set_style(Style::new().fg(MUTED));
        apply(&mut buffer, Theme::Light);
        assert_eq!(buffer[(0, 0)].fg, LIGHT.on_badge);
        assert_eq!(buffer[(0, 0)].bg, LIGHT.accent);
        assert!(buffer[(0, 0)].modifier.contains(Modifier::BOLD));
        assert_eq!(
            buffer[(1, 0)].fg,
            Color::Rgb(1, 2, 3),
            "a profile's own colour stays"
        );
        assert_eq!(buffer[(2, 0)].fg, LIGHT.muted);
        apply(&mut buffer, Theme::Monochrome);
        assert!(
            buffer
                .content
                .iter()
                .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
        );
        assert_eq!(Theme::parse("Light"), Some(Theme::Light));
        assert_eq!(Theme::parse("sepia"), None);
    }
}
