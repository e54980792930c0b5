//! The pace shared by every request of a batch or of a listing: a client-side rate, and a
//! whole-run slow-down after a 429 or 503 (a hold until the server's Retry-After, then
//! spaced requests) that eases back as requests succeed.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The pace of a batch or a listing: a client-side rate, plus a hold and a slow-down every
/// worker honours after a 429 or 503, easing back as requests succeed.
pub struct Pace {
    /// From `--rate`: the least time between two request starts.
    interval: Duration,
    state: Mutex<PaceState>,
}

struct PaceState {
    next: Instant,
    hold_until: Instant,
    /// Extra spacing after a throttle; halves back towards zero as requests succeed.
    slow: Duration,
}

const SLOW_FIRST: Duration = Duration::from_millis(50);
const SLOW_MAX: Duration = Duration::from_secs(5);
/// The widest spacing a rate asks for (`--rate 0.001`).
const SLOWEST: Duration = Duration::from_secs(1000);

impl Pace {
    pub fn new(rate: Option<f64>) -> Self {
        let interval = rate
            .filter(|r| *r > 0.0 && r.is_finite())
            .map_or(Duration::ZERO, |r| {
                // However slow a rate it was given, one request every 1,000 s at the least
                // (a spacing near the end of time would overflow the clock).
                Duration::try_from_secs_f64(1.0 / r).map_or(SLOWEST, |d| d.min(SLOWEST))
            });
        let now = Instant::now();
        Self {
            interval,
            state: Mutex::new(PaceState {
                next: now,
                hold_until: now,
                slow: Duration::ZERO,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PaceState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for this worker's turn.
    pub async fn turn(&self) {
        let at = {
            let mut s = self.lock();
            let spacing = self.interval.max(s.slow);
            let start = Instant::now().max(s.next).max(s.hold_until);
            s.next = start + spacing;
            start
        };
        tokio::time::sleep_until(at.into()).await;
    }

    /// The server said slow down: nobody starts before `until`, and requests are spaced.
    /// The refusals of one burst (requests in flight when a hold began) widen the spacing
    /// once, not once each.
    pub fn hold(&self, until: Instant) {
        let mut s = self.lock();
        if Instant::now() >= s.hold_until {
            s.slow = (s.slow * 2).clamp(SLOW_FIRST, SLOW_MAX);
        }
        s.hold_until = s.hold_until.max(until);
    }

    /// A request went through: ease back towards full speed.
    pub fn eased(&self) {
        let mut s = self.lock();
        if !s.slow.is_zero() {
            s.slow = s.slow * 3 / 4;
            if s.slow < Duration::from_millis(2) {
                s.slow = Duration::ZERO;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusals_of_one_burst_widen_the_spacing_once() {
        let pace = Pace::new(None);
        let until = Instant::now() + Duration::from_secs(60);
        // Sixteen requests in flight all answered 429 for the same overload.
        for _ in 0..16 {
            pace.hold(until);
        }
        assert_eq!(pace.lock().slow, SLOW_FIRST, "one burst, one step");
        assert_eq!(pace.lock().hold_until, until);
        // A refusal once the hold is over is a new overload: the spacing widens again.
        let pace = Pace::new(None);
        pace.hold(Instant::now());
        pace.hold(Instant::now() + Duration::from_secs(1));
        assert_eq!(pace.lock().slow, SLOW_FIRST * 2);
    }
}
