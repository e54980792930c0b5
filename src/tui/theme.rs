//! Every colour and style the console draws with, named for what it means. Drawing code
//! says `theme::ERROR` or `"…".muted()`, never a colour, so the palette is changed here
//! and `NO_COLOR` has one place to undo it ([`strip`]).
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
