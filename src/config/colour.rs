//! A profile's colour as the configuration spells it: a terminal colour name, `#rrggbb`, or
//! a 256-colour index. Read once here (with the file's line number when it is wrong); the
//! console's theme turns it into a terminal style.

/// A colour the configuration may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    Reset,
    Black,
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    Gray,
    DarkGray,
    LightRed,
    LightGreen,
    LightYellow,
    LightBlue,
    LightMagenta,
    LightCyan,
    White,
    Rgb(u8, u8, u8),
    Indexed(u8),
}

impl Colour {
    /// Reads `red`, `light-red` / `light_red` / `LightRed`, `dark gray` / `darkgrey`,
    /// `#1e90ff`, or `0`…`255`.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        if let Some(hex) = t.strip_prefix('#') {
            if hex.len() != 6 || !hex.is_ascii() {
                return None;
            }
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            return Some(Colour::Rgb(byte(0)?, byte(2)?, byte(4)?));
        }
        if let Ok(n) = t.parse::<u8>() {
            return Some(Colour::Indexed(n));
        }
        let name: String = t
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect::<String>()
            .to_ascii_lowercase()
            .replace("grey", "gray");
        Some(match name.as_str() {
            "reset" => Colour::Reset,
            "black" => Colour::Black,
            "red" => Colour::Red,
            "green" => Colour::Green,
            "yellow" => Colour::Yellow,
            "blue" => Colour::Blue,
            "magenta" => Colour::Magenta,
            "cyan" => Colour::Cyan,
            "gray" => Colour::Gray,
            "darkgray" => Colour::DarkGray,
            "lightred" => Colour::LightRed,
            "lightgreen" => Colour::LightGreen,
            "lightyellow" => Colour::LightYellow,
            "lightblue" => Colour::LightBlue,
            "lightmagenta" => Colour::LightMagenta,
            "lightcyan" => Colour::LightCyan,
            "white" => Colour::White,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_hex_and_indices() {
        assert_eq!(Colour::parse("red"), Some(Colour::Red));
        assert_eq!(Colour::parse("Light-Red"), Some(Colour::LightRed));
        assert_eq!(Colour::parse("dark grey"), Some(Colour::DarkGray));
        assert_eq!(
            Colour::parse("#1e90ff"),
            Some(Colour::Rgb(0x1e, 0x90, 0xff))
        );
        assert_eq!(Colour::parse("208"), Some(Colour::Indexed(208)));
        assert_eq!(Colour::parse("#12345"), None);
        assert_eq!(Colour::parse("#gg0000"), None);
        assert_eq!(Colour::parse("blurple"), None);
        assert_eq!(Colour::parse("256"), None);
    }
}

/// The console's themes (`theme = "dark" | "light" | "monochrome"` in the configuration;
/// `NO_COLOR` means monochrome).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Dark,
    Light,
    Monochrome,
}

impl Theme {
    /// The names the configuration accepts.
    pub const NAMES: &'static str = "dark, light, monochrome";

    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "dark" => Some(Theme::Dark),
            "light" => Some(Theme::Light),
            "monochrome" | "mono" | "none" => Some(Theme::Monochrome),
            _ => None,
        }
    }
}
