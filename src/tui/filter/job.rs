//! One search of a list's rows: what to check ([`Spec`]), how (the rows split into units
//! that every core takes in turn), and the handle the UI keeps while it runs off the UI
//! thread ([`Running`]): cancelled when dropped, waited for when the UI must have the
//! answer now, announced through a [`Waker`] when it lands.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use super::{Exact, Haystacks, Query, RowMatcher, Verdict};

/// Called from the job's thread once its outcome is ready (the event loop's wake-up).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Rows per unit of work: the job checks for cancellation between units.
const UNIT: usize = 8192;

/// What one unit found: its number, then its exact and its other matches.
type Found = (usize, Vec<usize>, Vec<usize>);

/// The rows a list shows for a query: exact matches first, then the rest, each in list order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub visible: Vec<usize>,
    /// How many of `visible` are exact matches (they come first).
    pub exact_count: usize,
    /// Rows `0..covered` are decided.
    pub covered: usize,
}

/// What a search checks.
#[derive(Clone)]
pub struct Spec {
    pub query: Query,
    pub exact: Exact,
    pub hay: Haystacks,
    /// Rows already decided for this query, kept as they are (a search of rows appended
    /// since).
    pub base: Option<(Arc<Vec<usize>>, usize)>,
    /// Rows to check again (the previous result, for a query that extends the previous
    /// one): every other row below `from` is known not to match.
    pub recheck: Option<(Arc<Vec<usize>>, usize)>,
    /// Rows `from..hay.len()` are checked.
    pub from: usize,
}

impl Spec {
    /// How many rows the search checks.
    pub fn rows(&self) -> usize {
        self.recheck.as_ref().map_or(0, |(v, _)| v.len()) + self.hay.len().saturating_sub(self.from)
    }

    /// Runs the search on `threads` threads (this one included); None when cancelled.
    pub fn run(&self, threads: usize, cancel: &AtomicBool) -> Option<Outcome> {
        // The rows to check, in list order.
        let again: Vec<usize> = match &self.recheck {
            Some((visible, exact_count)) => {
                merge(&visible[..*exact_count], &visible[*exact_count..])
            }
            None => Vec::new(),
        };
        let to = self.hay.len();
        let fresh = self.from.min(to)..to;
        let units_again = again.len().div_ceil(UNIT);
        let units = units_again + fresh.len().div_ceil(UNIT);
        let next = AtomicUsize::new(0);
        let work = |m: &mut RowMatcher| -> Option<Vec<Found>> {
            let mut done = Vec::new();
            loop {
                let u = next.fetch_add(1, Ordering::Relaxed);
                if u >= units {
                    return Some(done);
                }
                if cancel.load(Ordering::Relaxed) {
                    return None;
                }
                let (mut exact, mut rest) = (Vec::new(), Vec::new());
                let mut check = |i: usize| match m.verdict(&self.query, self.exact, self.hay.get(i))
                {
                    Verdict::Exact => exact.push(i),
                    Verdict::Fuzzy => rest.push(i),
                    Verdict::No => {}
                };
                if u < units_again {
                    let rows = &again[u * UNIT..((u + 1) * UNIT).min(again.len())];
                    rows.iter().for_each(|&i| check(i));
                } else {
                    let start = fresh.start + (u - units_again) * UNIT;
                    (start..(start + UNIT).min(fresh.end)).for_each(&mut check);
                }
                done.push((u, exact, rest));
            }
        };
        let threads = threads.clamp(1, units.max(1));
        let mut parts = if threads == 1 {
            work(&mut RowMatcher::default())?
        } else {
            std::thread::scope(|s| {
                let helpers: Vec<_> = (1..threads)
                    .map(|_| s.spawn(|| work(&mut RowMatcher::default())))
                    .collect();
                let mut all = work(&mut RowMatcher::default());
                for h in helpers {
                    match (h.join().ok().flatten(), &mut all) {
                        (Some(mut more), Some(all)) => all.append(&mut more),
                        _ => all = None,
                    }
                }
                all
            })?
        };
        parts.sort_unstable_by_key(|(u, _, _)| *u);
        let (base, base_exact) = match &self.base {
            Some((v, e)) => (&v[..], *e),
            None => (&[][..], 0),
        };
        let found: usize = parts.iter().map(|(_, e, r)| e.len() + r.len()).sum();
        let mut visible = Vec::with_capacity(base.len() + found);
        visible.extend_from_slice(&base[..base_exact]);
        parts
            .iter()
            .for_each(|(_, e, _)| visible.extend_from_slice(e));
        let exact_count = visible.len();
        visible.extend_from_slice(&base[base_exact..]);
        parts
            .iter()
            .for_each(|(_, _, r)| visible.extend_from_slice(r));
        Some(Outcome {
            visible,
            exact_count,
            covered: to,
        })
    }
}

/// Two sorted lists as one.
fn merge(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Where a job leaves its outcome.
#[derive(Default)]
struct Slot {
    /// Some once the job ended: its outcome, or None when it could not finish.
    ended: Mutex<Option<Option<Outcome>>>,
    landed: Condvar,
}

impl Slot {
    fn put(&self, outcome: Option<Outcome>) {
        let mut ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        if ended.is_none() {
            *ended = Some(outcome);
        }
        self.landed.notify_all();
    }
}

/// Fills the slot with "could not finish" if the job's thread ends without an outcome.
struct Guard(Arc<Slot>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.put(None);
    }
}

/// A search running off the UI thread. Dropping it cancels it.
pub struct Running {
    cancel: Arc<AtomicBool>,
    slot: Arc<Slot>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Running")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// The threads a search uses.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().min(8))
}

impl Running {
    /// Starts `spec` on a thread of its own (which uses every core); None when no thread
    /// could be started (the caller then runs it in place).
    pub fn start(spec: Spec, waker: Option<Waker>) -> Option<Self> {
        let cancel = Arc::new(AtomicBool::new(false));
        let slot = Arc::new(Slot::default());
        let (c, s) = (cancel.clone(), slot.clone());
        std::thread::Builder::new()
            .name("tagdesk filter".into())
            .spawn(move || {
                let guard = Guard(s);
                let outcome = spec.run(threads(), &c);
                if c.load(Ordering::Relaxed) {
                    return;
                }
                guard.0.put(outcome);
                drop(guard);
                if let Some(wake) = waker {
                    wake();
                }
            })
            .ok()?;
        Some(Self { cancel, slot })
    }

    /// The outcome if the job has ended: Some(None) when it ended without one.
    pub fn try_take(&self) -> Option<Option<Outcome>> {
        self.slot
            .ended
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// Waits for the job to end.
    pub fn wait(&self) -> Option<Outcome> {
        let mut ended = self.slot.ended.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(outcome) = ended.take() {
                return outcome;
            }
            ended = self
                .slot
                .landed
                .wait(ended)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Runs `spec` in the calling thread (small lists, tests, and a job that could not start).
pub fn run_here(spec: &Spec) -> Outcome {
    let never = AtomicBool::new(false);
    spec.run(1, &never).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hay(rows: &[&str]) -> Haystacks {
        let mut h = Haystacks::default();
        for r in rows {
            h.push_with(|s| s.push_str(r));
        }
        h
    }

    fn spec(q: &str, rows: &[&str]) -> Spec {
        Spec {
            query: Query::parse(q),
            exact: Exact {
                fields: &[0],
                ignore_case: false,
            },
            hay: hay(rows),
            base: None,
            recheck: None,
            from: 0,
        }
    }

    #[test]
    fn exact_first_then_list_order() {
        let s = spec("ada", &["adam", "bea", "ada", "grace", "ada lovelace"]);
        let o = run_here(&s);
        assert_eq!(o.visible, [2, 0, 4]);
        assert_eq!((o.exact_count, o.covered), (1, 5));
        let parallel = s.run(3, &AtomicBool::new(false)).expect("not cancelled");
        assert_eq!(parallel, o);
    }

    #[test]
    fn rechecking_and_extending_keep_the_order() {
        let rows = ["adam", "bea", "ada", "grace", "adaa"];
        let first = run_here(&spec("ad", &rows));
        assert_eq!(first.visible, [0, 2, 4]);
        let mut narrower = spec("ada", &rows);
        narrower.recheck = Some((Arc::new(first.visible.clone()), first.exact_count));
        narrower.from = 5;
        assert_eq!(run_here(&narrower).visible, [2, 0, 4]);
        // Two rows arrive: only they are checked, the rest is kept.
        let mut more = spec("ada", &["adam", "bea", "ada", "grace", "adaa", "ada", "x"]);
        more.base = Some((Arc::new(vec![2, 0, 4]), 1));
        more.from = 5;
        let o = run_here(&more);
        assert_eq!(o.visible, [2, 5, 0, 4]);
        assert_eq!(o.exact_count, 2);
    }

    #[test]
    fn a_job_lands_wakes_and_a_dropped_one_stops() {
        let rows: Vec<String> = (0..30_000).map(|i| format!("row {i}")).collect();
        let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
        let woke = Arc::new(AtomicUsize::new(0));
        let w = woke.clone();
        let job = Running::start(
            spec("row 29", &refs),
            Some(Arc::new(move || {
                w.fetch_add(1, Ordering::SeqCst);
            })),
        )
        .expect("a thread");
        let o = job.wait().expect("an outcome");
        assert!(
            o.visible.len() > 1000 && o.exact_count == 1,
            "row 29 itself first"
        );
        assert_eq!(o, run_here(&spec("row 29", &refs)));
        let cancelled = AtomicBool::new(true);
        assert_eq!(spec("row", &refs).run(2, &cancelled), None);
        drop(job);
        // The waker runs after the outcome is stored: wait for it without timing.
        while woke.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
    }
}
