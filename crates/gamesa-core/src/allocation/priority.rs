//! Priority: a divisible pool whose capacity follows telemetry. When the capacity shrinks below
//! what is granted, grants are preempted lowest priority first and, within a priority, newest
//! first (the oldest grants of a priority are the ones relied on longest). A `preemptive` pool
//! also lets a request preempt grants of strictly lower priority, in the same order, when the
//! free amount alone is not enough; nothing is preempted if even that would not make room.
//!
//! Amounts are `f64`; comparisons allow a relative slack of [`SLACK`] of the capacity so that
//! rounding in the running sum never refuses a request for exactly what is free.

use super::stats::PoolStats;
use crate::types::Priority;
use std::cmp::Reverse;

/// Relative tolerance on capacity comparisons.
pub const SLACK: f64 = 1e-9;

#[derive(Debug, Clone, Copy)]
struct Grant {
    amount: f64,
    priority: Priority,
    /// False once removed: the entry waits for the next compaction to be dropped.
    live: bool,
}

/// A Priority pool. Grants are keyed by the allocator's lease sequence number (creation order).
#[derive(Debug, Clone)]
pub struct PriorityPool {
    capacity: f64,
    used: f64,
    preemptive: bool,
    /// Sorted by sequence number: new leases have the largest, so a grant is an append and a
    /// release a binary search; released entries are dropped in batches (see `remove`).
    grants: Vec<(u64, Grant)>,
    /// Live entries in `grants`.
    live: usize,
}

/// Why a request was refused: how much could have been made available.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Refusal {
    /// Free amount.
    pub free: f64,
    /// Free amount plus what preemption could have freed.
    pub reachable: f64,
}

impl PriorityPool {
    /// An empty pool.
    pub fn new(capacity: f64, preemptive: bool) -> PriorityPool {
        PriorityPool {
            capacity,
            used: 0.0,
            preemptive,
            grants: Vec::new(),
            live: 0,
        }
    }

    fn slack(&self) -> f64 {
        self.capacity.abs().max(1.0) * SLACK
    }

    /// Free amount (never negative).
    pub fn free(&self) -> f64 {
        (self.capacity - self.used).max(0.0)
    }

    /// Current capacity.
    pub fn capacity(&self) -> f64 {
        self.capacity
    }

    /// Whether higher priorities may preempt lower ones on allocate.
    pub fn preemptive(&self) -> bool {
        self.preemptive
    }

    /// Grants `amount` to lease `seq`, returning the leases preempted to make room (in the
    /// order they were preempted).
    pub fn allocate(
        &mut self,
        seq: u64,
        amount: f64,
        priority: Priority,
    ) -> Result<Vec<u64>, Refusal> {
        let free = self.free();
        let mut preempted = Vec::new();
        if amount > free + self.slack() {
            if !self.preemptive {
                return Err(Refusal {
                    free,
                    reachable: free,
                });
            }
            let mut reachable = free;
            for (victim, victim_amount) in self.victims(Some(priority)) {
                if amount <= reachable + self.slack() {
                    break;
                }
                reachable += victim_amount;
                preempted.push(victim);
            }
            if amount > reachable + self.slack() {
                return Err(Refusal { free, reachable });
            }
            for victim in &preempted {
                self.remove(*victim);
            }
        }
        let grant = Grant {
            amount,
            priority,
            live: true,
        };
        let at = super::by_seq::position(&self.grants, seq);
        match at {
            // A grant for the same lease is replaced (its amount stays counted in `used`, as
            // a map insert would leave it).
            Ok(i) => {
                if !std::mem::replace(&mut self.grants[i].1, grant).live {
                    self.live += 1;
                }
            }
            Err(i) => {
                self.grants.insert(i, (seq, grant));
                self.live += 1;
            }
        }
        self.used += amount;
        Ok(preempted)
    }

    /// Live grants in sequence order.
    fn live_grants(&self) -> impl Iterator<Item = (u64, &Grant)> {
        self.grants
            .iter()
            .filter(|(_, g)| g.live)
            .map(|(s, g)| (*s, g))
    }

    /// Preemption order: lowest priority first, newest first within a priority; only grants
    /// strictly below `below` when given.
    fn victims(&self, below: Option<Priority>) -> Vec<(u64, f64)> {
        let mut v: Vec<(Priority, Reverse<u64>, f64)> = self
            .live_grants()
            .filter(|(_, g)| below.is_none_or(|b| g.priority < b))
            .map(|(s, g)| (g.priority, Reverse(s), g.amount))
            .collect();
        v.sort_by_key(|&(p, s, _)| (p, s));
        v.into_iter().map(|(_, Reverse(s), a)| (s, a)).collect()
    }

    fn remove(&mut self, seq: u64) -> Option<f64> {
        let i = self.grants.binary_search_by_key(&seq, |g| g.0).ok()?;
        let g = &mut self.grants[i].1;
        if !g.live {
            return None;
        }
        g.live = false;
        let amount = g.amount;
        self.live -= 1;
        self.used = if self.live == 0 {
            0.0
        } else {
            self.used - amount
        };
        // Dropping removed entries once they outnumber the live ones keeps this amortized O(1)
        // and the vector at most about twice the live grants.
        if self.grants.len() > 2 * self.live + 16 {
            self.grants.retain(|g| g.1.live);
        }
        Some(amount)
    }

    /// Releases lease `seq` (no-op if it holds nothing here).
    pub fn release(&mut self, seq: u64) {
        self.remove(seq);
    }

    /// Follows a new capacity; if what is granted no longer fits, preempts in the documented
    /// order until it does. Returns the preempted leases.
    pub fn set_capacity(&mut self, capacity: f64) -> Vec<u64> {
        self.capacity = capacity;
        let mut preempted = Vec::new();
        if self.used > capacity + self.slack() {
            for (victim, _) in self.victims(None) {
                if self.used <= self.capacity + self.slack() {
                    break;
                }
                self.remove(victim);
                preempted.push(victim);
            }
        }
        preempted
    }

    /// Stats (divisible: no fragmentation).
    pub fn stats(&self) -> PoolStats {
        PoolStats::divisible(self.capacity, self.used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Priority::*;

    #[test]
    fn shrink_preempts_lowest_then_newest() {
        let mut p = PriorityPool::new(30.0, false);
        p.allocate(1, 5.0, Normal).unwrap();
        p.allocate(2, 5.0, Low).unwrap();
        p.allocate(3, 5.0, Low).unwrap();
        p.allocate(4, 5.0, High).unwrap();
        p.allocate(5, 5.0, Normal).unwrap();
        assert_eq!(p.free(), 5.0);
        assert!(p.allocate(6, 6.0, Critical).is_err());
        // 25 granted; shrink to 12 must drop 13+: Low 3, Low 2, then Normal 5 (newest Normal).
        assert_eq!(p.set_capacity(12.0), vec![3, 2, 5]);
        assert_eq!(p.stats().used, 10.0);
        assert_eq!(p.set_capacity(40.0), Vec::<u64>::new());
        assert_eq!(p.free(), 30.0);
    }

    #[test]
    fn preemptive_pool_preempts_strictly_lower_only() {
        let mut p = PriorityPool::new(10.0, true);
        p.allocate(1, 4.0, Low).unwrap();
        p.allocate(2, 4.0, Normal).unwrap();
        p.allocate(3, 2.0, Low).unwrap();
        // Normal asks 5 with 0 free: only Low grants are candidates, newest first: 3 then 1.
        assert_eq!(p.allocate(4, 5.0, Normal).unwrap(), vec![3, 1]);
        assert_eq!(p.stats().used, 9.0);
        // Another Normal cannot preempt Normal.
        let r = p.allocate(5, 2.0, Normal).unwrap_err();
        assert_eq!(
            r,
            Refusal {
                free: 1.0,
                reachable: 1.0
            }
        );
        // Nothing is preempted when even preemption cannot make room.
        let r = p.allocate(6, 20.0, Critical).unwrap_err();
        assert_eq!(r.reachable, 10.0);
        assert_eq!(p.stats().used, 9.0);
        // Exactly the free amount fits despite rounding in the running sum.
        let mut q = PriorityPool::new(0.3, false);
        q.allocate(1, 0.1, Low).unwrap();
        q.allocate(2, 0.1, Low).unwrap();
        q.allocate(3, 0.1, Low).unwrap();
    }
}
