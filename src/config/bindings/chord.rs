//! How a key is written in `[keys]` and shown to people: a [`Chord`] is a key plus its
//! modifiers, compared the way terminals report them.

/// A key without its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

/// Modifier keys held with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Mods {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

impl Mods {
    pub const NONE: Mods = Mods {
        ctrl: false,
        alt: false,
        shift: false,
    };
    pub const CTRL: Mods = Mods {
        ctrl: true,
        alt: false,
        shift: false,
    };
}

/// One key press as the table compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord {
    pub key: Key,
    pub mods: Mods,
}

impl Chord {
    /// A chord as the table compares it: for characters and Shift-Tab the Shift modifier is
    /// dropped (terminals differ in whether they report it; the character already says it).
    pub fn new(key: Key, mods: Mods) -> Self {
        let mods = match key {
            Key::Char(_) | Key::BackTab => Mods {
                shift: false,
                ..mods
            },
            _ => mods,
        };
        Self { key, mods }
    }

    /// Whether this key types a character (in a text field it is text, never an action).
    pub fn is_text(&self) -> bool {
        matches!(self.key, Key::Char(_)) && !self.mods.ctrl && !self.mods.alt
    }

    /// Reads a key as written in the configuration: `a`, `G`, `?`, `ctrl-x`, `alt-x`,
    /// `enter`, `esc`, `tab`, `backtab`, `space`, `backspace`, `delete`, `insert`, `up`,
    /// `down`, `left`, `right`, `home`, `end`, `pgup`, `pgdn`, `f1`…`f12`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut mods = Mods::NONE;
        let mut rest = text.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("c-"))
            {
                mods.ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("m-"))
            {
                mods.alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-") {
                mods.shift = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let key = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => {
                Key::Char(if mods.ctrl { c.to_ascii_lowercase() } else { c })
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => Key::Enter,
                "esc" | "escape" => Key::Esc,
                "tab" => Key::Tab,
                "backtab" => Key::BackTab,
                "space" => Key::Char(' '),
                "backspace" => Key::Backspace,
                "delete" | "del" => Key::Delete,
                "insert" | "ins" => Key::Insert,
                "up" => Key::Up,
                "down" => Key::Down,
                "left" => Key::Left,
                "right" => Key::Right,
                "home" => Key::Home,
                "end" => Key::End,
                "pgup" | "pageup" => Key::PageUp,
                "pgdn" | "pagedown" => Key::PageDown,
                f => match f.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    Some(n) if (1..=12).contains(&n) => Key::F(n),
                    _ => {
                        return Err(format!(
                            "\"{text}\" is not a key (examples: a, G, ctrl-x, enter, f2)"
                        ));
                    }
                },
            },
        };
        Ok(Self::new(key, mods))
    }

    /// How a key is written for people: `a`, `G`, `space`, `↑`, `delete`, `C-c`, `f2`.
    pub fn name(&self) -> String {
        let base = match self.key {
            Key::Char(' ') => "space".to_string(),
            Key::Char(c) => c.to_string(),
            Key::Up => "↑".into(),
            Key::Down => "↓".into(),
            Key::Left => "←".into(),
            Key::Right => "→".into(),
            Key::PageUp => "PgUp".into(),
            Key::PageDown => "PgDn".into(),
            Key::Home => "home".into(),
            Key::End => "end".into(),
            Key::Enter => "enter".into(),
            Key::Esc => "esc".into(),
            Key::Tab => "tab".into(),
            Key::BackTab => "S-tab".into(),
            Key::Delete => "delete".into(),
            Key::Insert => "insert".into(),
            Key::Backspace => "backspace".into(),
            Key::F(n) => format!("f{n}"),
        };
        let mut out = String::new();
        if self.mods.ctrl {
            out.push_str("C-");
        }
        if self.mods.alt {
            out.push_str("M-");
        }
        out.push_str(&base);
        out
    }
}
