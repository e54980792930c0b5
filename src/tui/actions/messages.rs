//! The status line's messages: what the last action said, kept in the message history
//! (`H`) too, whole, so a message the line had to cut or the next one replaced can be read.

use crate::tui::app::{App, Level};

impl App {
    /// Says `text` on the status line, and keeps it in the message history.
    pub fn set_status(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        self.messages.push(self.now, level, &text);
        self.status = Some((level, text));
    }
}
