//! Adaptive concurrency (`--concurrency auto`): additive increase, multiplicative decrease,
//! as TCP's congestion window and adaptive concurrency limiters do.
//!
//! The limit starts at [`Aimd::START`]. Each time as many requests have succeeded since the
//! last change as the limit allows in flight (about one round trip's worth), it grows by
//! one — but only while the recent latency (a moving average of successful requests) stays
//! within [`TOLERANCE`]× the best seen (or within [`SLACK`] of it, so loopback noise of a
//! millisecond or two does not count as a slower server). A 429 or 503 halves it (never
//! below 1); the requests already in flight when it was halved do not halve it again, so
//! one burst of refusals is one decrease. It never exceeds [`Aimd::MAX`].
//!
//! Pure: the engine feeds it what happened and applies the limit it answers.

use std::time::Duration;

/// How much slower than the best seen the recent latency may be and the limit still grows.
pub const TOLERANCE: f64 = 1.5;
/// Latency this close to the best seen always counts as holding.
pub const SLACK: Duration = Duration::from_millis(5);
/// The weight of each new latency in the moving average.
const ALPHA: f64 = 0.2;

/// The adaptive limit and what it has been.
#[derive(Debug, Clone, PartialEq)]
pub struct Aimd {
    limit: usize,
    max: usize,
    /// Successes since the limit last changed.
    successes: usize,
    /// The moving average of recent successful requests' latency, in seconds.
    recent: Option<f64>,
    /// The lowest that average has been, in seconds.
    best: Option<f64>,
    /// Bumped at each decrease: a refusal of a request started before it is not counted
    /// again.
    epoch: u64,
    peak: usize,
    lowest: usize,
}

impl Default for Aimd {
    fn default() -> Self {
        Self::new(Self::START, Self::MAX)
    }
}

impl Aimd {
    /// The limit it starts at.
    pub const START: usize = 4;
    /// The limit it never exceeds.
    pub const MAX: usize = 32;

    /// A limit starting at `start`, never above `max` (both at least 1).
    pub fn new(start: usize, max: usize) -> Self {
        let max = max.max(1);
        let limit = start.clamp(1, max);
        Self {
            limit,
            max,
            successes: 0,
            recent: None,
            best: None,
            epoch: 0,
            peak: limit,
            lowest: limit,
        }
    }

    /// Requests allowed in flight now.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The highest and lowest the limit has been.
    pub fn peak(&self) -> usize {
        self.peak
    }
    pub fn lowest(&self) -> usize {
        self.lowest
    }

    /// The decrease epoch a request starting now belongs to (hand it back to
    /// [`Aimd::throttled`]).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Whether the recent latency still counts as holding (true before any is known).
    pub fn latency_holds(&self) -> bool {
        match (self.recent, self.best) {
            (Some(recent), Some(best)) => {
                recent <= best * TOLERANCE || recent - best <= SLACK.as_secs_f64()
            }
            _ => true,
        }
    }

    /// A request succeeded after `latency`: the new limit, when it grew.
    pub fn succeeded(&mut self, latency: Duration) -> Option<usize> {
        let sample = latency.as_secs_f64();
        let recent = self.recent.map_or(sample, |r| r + ALPHA * (sample - r));
        self.recent = Some(recent);
        self.best = Some(self.best.map_or(recent, |b| b.min(recent)));
        if !self.latency_holds() {
            // The server slows under this load: hold the limit, and count afresh.
            self.successes = 0;
            return None;
        }
        self.successes += 1;
        if self.successes < self.limit || self.limit >= self.max {
            return None;
        }
        self.successes = 0;
        self.limit += 1;
        self.peak = self.peak.max(self.limit);
        Some(self.limit)
    }

    /// The server answered 429 or 503 to a request started in `epoch`: the new limit, when
    /// it shrank (a refusal of a request older than the last decrease changes nothing).
    pub fn throttled(&mut self, epoch: u64) -> Option<usize> {
        if epoch != self.epoch {
            return None;
        }
        self.epoch += 1;
        self.successes = 0;
        let halved = (self.limit / 2).max(1);
        if halved == self.limit {
            return None;
        }
        self.limit = halved;
        self.lowest = self.lowest.min(halved);
        Some(halved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(100);

    /// Feeds `n` successes at `latency`; the limits it grew to.
    fn succeed(a: &mut Aimd, n: usize, latency: Duration) -> Vec<usize> {
        (0..n).filter_map(|_| a.succeeded(latency)).collect()
    }

    #[test]
    fn it_starts_at_4_and_grows_by_one_per_window_of_successes() {
        let mut a = Aimd::default();
        assert_eq!(a.limit(), 4);
        assert_eq!(succeed(&mut a, 3, MS), Vec::<usize>::new());
        assert_eq!(a.succeeded(MS), Some(5), "four successes at 4: one more");
        assert_eq!(succeed(&mut a, 5, MS), [6], "then five at 5");
        assert_eq!(succeed(&mut a, 6 + 7, MS), [7, 8]);
        assert_eq!(a.peak(), 8);
    }

    #[test]
    fn it_never_grows_above_32() {
        let mut a = Aimd::default();
        succeed(&mut a, 10_000, MS);
        assert_eq!(a.limit(), Aimd::MAX);
        assert_eq!(a.peak(), 32);
        assert_eq!(a.succeeded(MS), None);
        let small = Aimd::new(40, 8);
        assert_eq!(small.limit(), 8, "a start above the cap is capped");
    }

    #[test]
    fn a_429_halves_it_once_per_burst_and_never_below_1() {
        let mut a = Aimd::new(20, 32);
        let e = a.epoch();
        assert_eq!(a.throttled(e), Some(10));
        // Requests that were in flight when it halved answer 429 too: one decrease.
        assert_eq!(a.throttled(e), None);
        assert_eq!(a.limit(), 10);
        let e = a.epoch();
        assert_eq!(a.throttled(e), Some(5));
        for _ in 0..10 {
            let e = a.epoch();
            a.throttled(e);
        }
        assert_eq!(a.limit(), 1, "never below one in flight");
        assert_eq!(a.lowest(), 1);
        assert_eq!(a.peak(), 20);
        // And it grows back from there.
        assert_eq!(a.succeeded(MS), Some(2));
    }

    #[test]
    fn a_decrease_starts_the_window_afresh() {
        let mut a = Aimd::default();
        succeed(&mut a, 3, MS);
        let e = a.epoch();
        a.throttled(e);
        assert_eq!(a.limit(), 2);
        assert_eq!(
            a.succeeded(MS),
            None,
            "the successes before the 429 are not counted"
        );
        assert_eq!(a.succeeded(MS), Some(3));
    }

    #[test]
    fn rising_latency_stops_growth_and_recovery_resumes_it() {
        let mut a = Aimd::default();
        succeed(&mut a, 20, MS);
        let grown = a.limit();
        assert!(grown > 4);
        // The server slows down: 3× the best seen.
        assert!(
            succeed(&mut a, 200, MS * 3).is_empty(),
            "no growth while slow"
        );
        assert!(!a.latency_holds());
        assert_eq!(a.limit(), grown, "slowness alone does not shrink it");
        // It recovers.
        assert!(!succeed(&mut a, 200, MS).is_empty());
        assert!(a.limit() > grown);
    }

    #[test]
    fn milliseconds_of_noise_near_a_fast_server_still_count_as_holding() {
        let mut a = Aimd::default();
        succeed(&mut a, 10, Duration::from_millis(1));
        let before = a.limit();
        succeed(&mut a, 100, Duration::from_millis(4));
        assert!(
            a.latency_holds(),
            "4 ms against a best of 1 ms is within the slack"
        );
        assert!(a.limit() > before);
    }
}
