//! A batch's progress on stderr: a bar redrawn in place on a terminal, plain lines (at most
//! one every two seconds, plus the last) otherwise. Results go to stdout.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::core::printable::printable;
use crate::engine::batch::{Concurrency, ConcurrencyReport, RowOutcome};
use crate::engine::journal::BatchCounts;

pub struct ProgressLine {
    total: usize,
    /// `--concurrency auto`: the line shows the current limit.
    auto: bool,
    started: Instant,
    terminal: bool,
    state: Mutex<State>,
}

struct State {
    counts: BatchCounts,
    done: usize,
    last_drawn: Option<Instant>,
    /// Requests allowed in flight now.
    limit: usize,
}

impl ProgressLine {
    pub fn new(total: usize, concurrency: Concurrency) -> Self {
        Self {
            total,
            auto: concurrency.is_auto(),
            started: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
            state: Mutex::new(State {
                counts: BatchCounts::default(),
                done: 0,
                last_drawn: None,
                limit: concurrency.start(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A row ended.
    pub fn done(&self, outcome: RowOutcome) {
        let mut s = self.lock();
        crate::engine::batch::report::count(&mut s.counts, outcome);
        s.done += 1;
        let every = if self.terminal {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(2)
        };
        let due = s.last_drawn.is_none_or(|t| t.elapsed() >= every) || s.done == self.total;
        if due {
            s.last_drawn = Some(Instant::now());
            self.draw(&s);
        }
    }

    /// `--concurrency auto` changed the limit: a terminal's bar shows it at once.
    pub fn limit(&self, limit: usize) {
        let mut s = self.lock();
        s.limit = limit;
        if self.terminal && s.last_drawn.is_some() {
            self.draw(&s);
        }
    }

    /// The server asked the batch to slow down.
    pub fn throttled(&self, wait_ms: u64, reason: &str) {
        let mut line = format!(
            "tagdesk: the server asked to slow down ({}): every worker waits {:.1} s, then \
             ramps back up",
            printable(reason),
            wait_ms as f64 / 1000.0
        );
        if self.auto {
            line.push_str(&format!(" (concurrency {} (auto))", self.lock().limit));
        }
        let mut stderr = std::io::stderr().lock();
        let _ = if self.terminal {
            writeln!(stderr, "\r\x1b[2K{line}")
        } else {
            writeln!(stderr, "{line}")
        };
    }

    /// Ends the bar's line; with `--concurrency auto`, says where the limit went.
    pub fn finish(&self, report: &ConcurrencyReport) {
        let s = self.lock();
        if self.terminal && s.last_drawn.is_some() {
            let _ = writeln!(std::io::stderr());
        }
        if self.auto {
            let _ = writeln!(
                std::io::stderr(),
                "tagdesk: concurrency (auto) ended at {} in flight (highest {}, lowest {}); \
                 the server asked to slow down {}",
                report.limit,
                report.peak,
                report.lowest,
                crate::core::printable::plural(report.throttled as u64, "time", "times")
            );
        }
    }

    fn draw(&self, s: &State) {
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = s.done as f64 / secs;
        let left = self.total.saturating_sub(s.done);
        let eta = if rate > 0.0 && left > 0 {
            format!(" · ETA {:.0} s", left as f64 / rate)
        } else {
            String::new()
        };
        let c = &s.counts;
        let limit = if self.auto {
            format!(" · concurrency {} (auto)", s.limit)
        } else {
            String::new()
        };
        let text = format!(
            "{}/{} · ok {} · partial {} · failed {} · refused {} · errors {} · {:.1}/s{limit}{eta}",
            s.done, self.total, c.ok, c.partial, c.failed, c.refused, c.errors, rate
        );
        let mut stderr = std::io::stderr().lock();
        let _ = if self.terminal {
            let width = 20usize;
            let filled = (s.done * width)
                .checked_div(self.total)
                .unwrap_or(width)
                .min(width);
            write!(
                stderr,
                "\r\x1b[2K[{}{}] {text}",
                "#".repeat(filled),
                "·".repeat(width - filled)
            )
        } else {
            writeln!(stderr, "tagdesk: {text}")
        };
        let _ = stderr.flush();
    }
}
