//! The rows a run still has to send, in plan order — except that two rows about the same
//! target (a set's add and remove of one patron) are never in flight together: the later
//! one waits until the earlier one has ended, so Hive has created a new patron (the add)
//! before its remove arrives. Rows about other targets go ahead meanwhile.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

use tokio::sync::Notify;

use super::SavedPlan;

pub(super) struct RowQueue {
    inner: Mutex<Inner>,
    /// A row ended or went back: a worker waiting for its target may go on.
    freed: Notify,
}

struct Inner {
    rows: VecDeque<usize>,
    /// Rows whose target another row of the run shares: row → the target's number.
    group: HashMap<usize, usize>,
    /// Targets with a row in flight.
    busy: HashSet<usize>,
}

impl Inner {
    fn release(&mut self, index: usize) {
        if let Some(g) = self.group.get(&index) {
            self.busy.remove(g);
        }
    }
}

impl RowQueue {
    /// The rows `todo` of `plan`, to be sent in this order.
    pub(super) fn new(plan: &SavedPlan, todo: &[usize]) -> Self {
        let mut by_target: HashMap<String, Vec<usize>> = HashMap::new();
        for &i in todo {
            if let Some(row) = plan.rows.get(i) {
                by_target.entry(row.op.target()).or_default().push(i);
            }
        }
        let group = by_target
            .into_values()
            .filter(|rows| rows.len() > 1)
            .enumerate()
            .flat_map(|(g, rows)| rows.into_iter().map(move |i| (i, g)))
            .collect();
        Self {
            inner: Mutex::new(Inner {
                rows: todo.iter().copied().collect(),
                group,
                busy: HashSet::new(),
            }),
            freed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next row to send (now marked in flight until [`RowQueue::done`] or
    /// [`RowQueue::put_back`]); waits while every row left waits for one in flight; None
    /// when no row is left.
    pub(super) async fn pop(&self) -> Option<usize> {
        loop {
            // Created before looking, so a row freed meanwhile wakes it.
            let freed = self.freed.notified();
            {
                let mut inner = self.lock();
                if inner.rows.is_empty() {
                    return None;
                }
                let at = inner
                    .rows
                    .iter()
                    .position(|i| inner.group.get(i).is_none_or(|g| !inner.busy.contains(g)));
                if let Some(at) = at
                    && let Some(index) = inner.rows.remove(at)
                {
                    if let Some(&g) = inner.group.get(&index) {
                        inner.busy.insert(g);
                    }
                    return Some(index);
                }
            }
            freed.await;
        }
    }

    /// A row taken but not sent goes back to the front.
    pub(super) fn put_back(&self, index: usize) {
        let mut inner = self.lock();
        inner.release(index);
        inner.rows.push_front(index);
        drop(inner);
        self.freed.notify_waiters();
    }

    /// A row taken has ended: the next row about its target may go.
    pub(super) fn done(&self, index: usize) {
        self.lock().release(index);
        self.freed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::{ApiField, PatronId};
    use crate::core::op::Op;
    use crate::core::plan::{BatchOp, PlanRow};

    fn plan(patrons: &[&str]) -> SavedPlan {
        let mut plan = SavedPlan::empty(BatchOp::HiveSet);
        plan.rows = patrons
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let op = Op::HiveAdd {
                    patron: PatronId::parse(p).unwrap(),
                    fields: vec![ApiField::parse("vip").unwrap()],
                };
                PlanRow::derived(vec![i + 1], op, None)
            })
            .collect();
        plan
    }

    #[tokio::test]
    async fn a_row_waits_for_the_earlier_row_of_its_target_and_others_go_ahead() {
        let q = RowQueue::new(&plan(&["a", "a", "b", "b"]), &[0, 1, 2, 3]);
        assert_eq!(q.pop().await, Some(0));
        // Row 1 is about `a`, in flight: row 2 goes first.
        assert_eq!(q.pop().await, Some(2));
        // Both targets busy: the next pop waits until one ends.
        use futures_util::FutureExt;
        assert_eq!(
            q.pop().now_or_never(),
            None,
            "nothing goes while a and b are in flight"
        );
        q.done(2);
        assert_eq!(q.pop().await, Some(3));
        q.put_back(0);
        assert_eq!(q.pop().await, Some(0), "a row put back goes first");
        q.done(0);
        assert_eq!(q.pop().await, Some(1));
        assert_eq!(q.pop().await, None);
    }
}
