//! How many of a batch's requests may be in flight: a fixed number, or the adaptive limit of
//! `--concurrency auto` ([`crate::core::aimd`]). Every worker takes a slot before it takes
//! a row and gives it back when the row has ended, so lowering the limit takes effect as
//! requests end, and raising it lets a waiting worker start at once.

use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Notify;

use super::Concurrency;
use crate::core::aimd::Aimd;

/// What a run's concurrency came to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ConcurrencyReport {
    /// `--concurrency auto`.
    pub auto: bool,
    /// The limit when the run ended.
    pub limit: usize,
    /// The highest and the lowest the limit was.
    pub peak: usize,
    pub lowest: usize,
    /// Answers of 429 or 503 received (each retried request counts each refusal).
    pub throttled: usize,
}

pub(super) struct Limiter {
    state: Mutex<State>,
    freed: Notify,
}

struct State {
    in_flight: usize,
    fixed: usize,
    /// `--concurrency auto`.
    aimd: Option<Aimd>,
    throttled: usize,
}

impl State {
    fn limit(&self) -> usize {
        self.aimd.as_ref().map_or(self.fixed, Aimd::limit)
    }
}

impl Limiter {
    pub(super) fn new(concurrency: Concurrency) -> Self {
        Self {
            state: Mutex::new(State {
                in_flight: 0,
                fixed: concurrency.start(),
                aimd: concurrency
                    .is_auto()
                    .then(|| Aimd::new(Aimd::START, super::MAX_CONCURRENCY)),
                throttled: 0,
            }),
            freed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The most workers the run needs: the limit's ceiling.
    pub(super) fn ceiling(&self) -> usize {
        let s = self.lock();
        if s.aimd.is_some() {
            super::MAX_CONCURRENCY
        } else {
            s.fixed
        }
    }

    /// Waits for a slot; the epoch the request belongs to (for [`Limiter::throttled`]).
    pub(super) async fn acquire(&self) -> u64 {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            // Registered before the check, so a release in between is not missed.
            freed.as_mut().enable();
            {
                let mut s = self.lock();
                if s.in_flight < s.limit() {
                    s.in_flight += 1;
                    return s.aimd.as_ref().map_or(0, Aimd::epoch);
                }
            }
            freed.await;
        }
    }

    /// The slot's request has ended (or was never sent).
    pub(super) fn release(&self) {
        {
            let mut s = self.lock();
            s.in_flight = s.in_flight.saturating_sub(1);
        }
        self.freed.notify_waiters();
    }

    /// A request went through in `latency` on its first attempt: the new limit, if it grew.
    pub(super) fn succeeded(&self, latency: Duration) -> Option<usize> {
        let grown = self.lock().aimd.as_mut()?.succeeded(latency);
        if grown.is_some() {
            self.freed.notify_waiters();
        }
        grown
    }

    /// The server answered 429 or 503 to a request of `epoch`: the new limit, if it shrank.
    pub(super) fn throttled(&self, epoch: u64) -> Option<usize> {
        let mut s = self.lock();
        s.throttled += 1;
        s.aimd.as_mut()?.throttled(epoch)
    }

    pub(super) fn report(&self) -> ConcurrencyReport {
        let s = self.lock();
        ConcurrencyReport {
            auto: s.aimd.is_some(),
            limit: s.limit(),
            peak: s.aimd.as_ref().map_or(s.fixed, Aimd::peak),
            lowest: s.aimd.as_ref().map_or(s.fixed, Aimd::lowest),
            throttled: s.throttled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn a_fixed_limit_holds_the_extra_worker_until_a_slot_is_freed() {
        let l = Arc::new(Limiter::new(Concurrency::Fixed(2)));
        l.acquire().await;
        l.acquire().await;
        let third = {
            let l = l.clone();
            tokio::spawn(async move { l.acquire().await })
        };
        tokio::task::yield_now().await;
        assert!(!third.is_finished());
        l.release();
        third.await.unwrap();
        assert_eq!(l.report().limit, 2);
        assert!(!l.report().auto);
    }

    #[tokio::test]
    async fn auto_admits_more_as_it_grows_and_fewer_after_a_429() {
        let l = Arc::new(Limiter::new(Concurrency::Auto));
        assert_eq!(l.ceiling(), 32);
        let mut epoch = 0;
        for _ in 0..4 {
            epoch = l.acquire().await;
        }
        let fifth = {
            let l = l.clone();
            tokio::spawn(async move { l.acquire().await })
        };
        tokio::task::yield_now().await;
        assert!(!fifth.is_finished(), "four in flight at the start");
        let mut grew = None;
        for _ in 0..4 {
            grew = grew.or(l.succeeded(Duration::from_millis(50)));
        }
        assert_eq!(grew, Some(5));
        fifth.await.unwrap();
        assert_eq!(l.throttled(epoch), Some(2));
        // Five in flight, a limit of two: nobody starts until three have ended.
        for _ in 0..3 {
            l.release();
        }
        let r = l.report();
        assert_eq!((r.limit, r.peak, r.lowest, r.throttled), (2, 5, 2, 1));
        let next = {
            let l = l.clone();
            tokio::spawn(async move { l.acquire().await })
        };
        tokio::task::yield_now().await;
        assert!(!next.is_finished());
        l.release();
        next.await.unwrap();
    }
}
