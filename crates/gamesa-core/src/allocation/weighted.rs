//! Weighted: a divisible pool shared by weighted max-min fairness. Every active request `i` has
//! a demand `d_i` and a weight `w_i`; grants are `g_i = min(d_i, λ·w_i)` with the water level `λ`
//! chosen so the grants sum to the capacity (or every demand is met when they all fit). Grants
//! are recomputed on every change, so a lease's grant moves as others come and go.
//!
//! Water-filling: sort requests by `d_i / w_i`; walk up, meeting each demand while it is below
//! the level the remaining capacity allows (`remaining / remaining weight`); from the first that
//! is not, everyone left gets `w_i · level`. O(n log n) per change.

use super::stats::PoolStats;

#[derive(Debug, Clone, Copy)]
struct Grant {
    demand: f64,
    weight: f64,
    granted: f64,
}

/// A Weighted pool. Grants are keyed by the allocator's lease sequence number.
#[derive(Debug, Clone)]
pub struct WeightedPool {
    capacity: f64,
    used: f64,
    /// Sorted by sequence number (new leases have the largest, so inserts append); a vector
    /// because every change walks all grants.
    grants: Vec<(u64, Grant)>,
    /// Reused sort buffer: `(demand / weight, index)`.
    scratch: Vec<(f64, u64)>,
}

impl WeightedPool {
    /// An empty pool.
    pub fn new(capacity: f64) -> WeightedPool {
        WeightedPool {
            capacity,
            used: 0.0,
            grants: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Current capacity.
    pub fn capacity(&self) -> f64 {
        self.capacity
    }

    /// Admits lease `seq` with `demand` and `weight` (both > 0) and recomputes every grant.
    /// Returns the grant of `seq`.
    pub fn allocate(&mut self, seq: u64, demand: f64, weight: f64) -> f64 {
        let grant = Grant {
            demand,
            weight,
            granted: 0.0,
        };
        match self.grants.binary_search_by_key(&seq, |g| g.0) {
            Ok(i) => self.grants[i].1 = grant,
            Err(i) => self.grants.insert(i, (seq, grant)),
        }
        self.recompute();
        self.granted(seq).unwrap_or(0.0)
    }

    /// Removes lease `seq` and recomputes.
    pub fn release(&mut self, seq: u64) {
        if let Ok(i) = self.grants.binary_search_by_key(&seq, |g| g.0) {
            self.grants.remove(i);
            self.recompute();
        }
    }

    /// Removes lease `seq` without recomputing, returning its weight. The shares are stale
    /// until the next change recomputes them: only for a release immediately followed by an
    /// [`WeightedPool::allocate`] (a resize), which recomputes once for both.
    pub(crate) fn detach(&mut self, seq: u64) -> Option<f64> {
        let i = self.grants.binary_search_by_key(&seq, |g| g.0).ok()?;
        Some(self.grants.remove(i).1.weight)
    }

    /// Follows a new capacity and recomputes.
    pub fn set_capacity(&mut self, capacity: f64) {
        self.capacity = capacity;
        self.recompute();
    }

    /// Current grant of lease `seq`.
    pub fn granted(&self, seq: u64) -> Option<f64> {
        let i = self.grants.binary_search_by_key(&seq, |g| g.0).ok()?;
        Some(self.grants[i].1.granted)
    }

    fn recompute(&mut self) {
        let total_demand: f64 = self.grants.iter().map(|g| g.1.demand).sum();
        if total_demand <= self.capacity {
            for (_, g) in &mut self.grants {
                g.granted = g.demand;
            }
            self.used = total_demand;
            return;
        }
        // (demand / weight, index into `grants`), sorted; the index breaks ties by creation.
        self.scratch.clear();
        self.scratch.extend(
            self.grants
                .iter()
                .enumerate()
                .map(|(i, (_, g))| (g.demand / g.weight, i as u64)),
        );
        self.scratch
            .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut remaining = self.capacity.max(0.0);
        let mut weight_left: f64 = self.grants.iter().map(|g| g.1.weight).sum();
        let mut level: Option<f64> = None;
        let mut used = 0.0;
        for &(ratio, i) in &self.scratch {
            let g = &mut self.grants[i as usize].1;
            let lvl = match level {
                Some(l) => l,
                None => {
                    let l = remaining / weight_left;
                    if ratio <= l {
                        g.granted = g.demand;
                        remaining -= g.demand;
                        weight_left -= g.weight;
                        used += g.granted;
                        continue;
                    }
                    level = Some(l);
                    l
                }
            };
            g.granted = (g.weight * lvl).min(g.demand);
            used += g.granted;
        }
        self.used = used;
    }

    /// Stats (divisible: no fragmentation). `used` is the sum of current grants.
    pub fn stats(&self) -> PoolStats {
        PoolStats::divisible(self.capacity, self.used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_demands_met_when_they_fit() {
        let mut p = WeightedPool::new(100.0);
        assert_eq!(p.allocate(1, 30.0, 1.0), 30.0);
        assert_eq!(p.allocate(2, 50.0, 8.0), 50.0);
        assert_eq!(p.stats().free, 20.0);
    }

    #[test]
    fn water_filling_caps_small_demands_and_splits_the_rest_by_weight() {
        let mut p = WeightedPool::new(100.0);
        p.allocate(1, 10.0, 1.0);
        p.allocate(2, 200.0, 1.0);
        p.allocate(3, 200.0, 2.0);
        // 10 is met; 90 left for weights 1 and 2: 30 and 60.
        assert_eq!(p.granted(1), Some(10.0));
        assert_eq!(p.granted(2), Some(30.0));
        assert_eq!(p.granted(3), Some(60.0));
        assert_eq!(p.stats().used, 100.0);
        // When 3 leaves, 2 gets the rest up to... 90.
        p.release(3);
        assert_eq!(p.granted(2), Some(90.0));
        p.set_capacity(40.0);
        assert_eq!(p.granted(1), Some(10.0));
        assert_eq!(p.granted(2), Some(30.0));
        p.set_capacity(0.0);
        assert_eq!(p.granted(1), Some(0.0));
        assert_eq!(p.stats().used, 0.0);
    }
}
