//! The message history (`H`): the status line's last messages, kept whole, so one that was
//! too long for the line, or replaced by the next, can still be read.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::tui::app::Level;

/// How many messages the history keeps (the oldest go first).
pub const KEPT: usize = 100;

/// One message of the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub at: DateTime<Utc>,
    pub level: Level,
    pub text: String,
    /// How many times in a row it was said (the last time is `at`).
    pub times: usize,
}

/// The last [`KEPT`] messages, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Messages {
    said: VecDeque<Said>,
}

impl Messages {
    /// Keeps a message; the same one said again right after is counted, not repeated.
    pub fn push(&mut self, at: DateTime<Utc>, level: Level, text: &str) {
        if let Some(last) = self.said.back_mut()
            && last.level == level
            && last.text == text
        {
            last.times += 1;
            last.at = at;
            return;
        }
        if self.said.len() == KEPT {
            self.said.pop_front();
        }
        self.said.push_back(Said {
            at,
            level,
            text: text.to_string(),
            times: 1,
        });
    }

    /// The messages, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Said> {
        self.said.iter().rev()
    }

    pub fn len(&self) -> usize {
        self.said.len()
    }

    pub fn is_empty(&self) -> bool {
        self.said.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_hundred_newest_first_and_counts_repeats() {
        let at = DateTime::<Utc>::default();
        let mut m = Messages::default();
        for i in 0..KEPT + 5 {
            m.push(at, Level::Info, &format!("message {i}"));
        }
        assert_eq!(m.len(), KEPT);
        let texts: Vec<_> = m.newest_first().map(|s| s.text.as_str()).collect();
        assert_eq!(texts[0], format!("message {}", KEPT + 4));
        assert_eq!(texts[KEPT - 1], "message 5", "the oldest went first");
        m.push(at, Level::Info, &format!("message {}", KEPT + 4));
        assert_eq!(m.len(), KEPT);
        assert_eq!(m.newest_first().next().map(|s| s.times), Some(2));
        m.push(at, Level::Warn, &format!("message {}", KEPT + 4));
        assert_eq!(
            m.newest_first().next().map(|s| s.times),
            Some(1),
            "another level"
        );
    }
}
