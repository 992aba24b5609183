//! Weighted: a divisible pool shared by weighted max-min fairness. Every active request `i` has
//! a demand `d_i` and a weight `w_i`; grants are `g_i = min(d_i, λ·w_i)` with the water level `λ`
//! chosen so the grants sum to the capacity (or every demand is met when they all fit). Grants
//! follow every change, so a lease's grant moves as others come and go.
//!
//! Water-filling: sort requests by `d_i / w_i`; walk up, meeting each demand while it is below
//! the level the remaining capacity allows (`remaining / remaining weight`); from the first that
//! is not, everyone left gets `w_i · level`. O(n log n) per change, or once per batch of
//! changes for the allocator's pinned leases (`settle`).

use super::stats::PoolStats;

#[derive(Debug, Clone, Copy)]
struct Grant {
    demand: f64,
    weight: f64,
    granted: f64,
    /// False once detached: the entry waits for the next recompute to be dropped.
    live: bool,
}

/// A Weighted pool. Grants are keyed by the allocator's lease sequence number.
///
/// The allocator's batched calls (`detach`, `attach`) leave the shares stale and recompute
/// once, in `settle`. Recomputing depends only on the live requests and the capacity, so a
/// late recompute gives exactly what one after every change would have; reads in between
/// compute the exact values without storing them.
#[derive(Debug, Clone)]
pub struct WeightedPool {
    capacity: f64,
    used: f64,
    /// Sorted by sequence number (new leases have the largest, so inserts append); a vector
    /// because every recompute walks all grants. May hold detached entries (`live: false`).
    grants: Vec<(u64, Grant)>,
    /// Live entries in `grants`.
    live: usize,
    /// Shares and `used` do not yet reflect every change.
    stale: bool,
    /// The live demands summed as they change, and a bound on its distance from their exact
    /// sum: `attach` learns from them, without walking the grants, that every demand fits.
    demand_sum: f64,
    demand_err: f64,
    /// Where `detach` looks first: just after the entry it last found. The allocator's
    /// batches detach leases in the order they were attached, so this is usually the one.
    hint: usize,
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
            live: 0,
            stale: false,
            demand_sum: 0.0,
            demand_err: 0.0,
            hint: 0,
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
        self.insert(seq, demand, weight);
        self.recompute();
        self.granted(seq).unwrap_or(0.0)
    }

    /// [`WeightedPool::allocate`] without recomputing the other grants (see
    /// [`WeightedPool::settle`]). Returns the grant of `seq`, exactly as `allocate` would.
    pub(crate) fn attach(&mut self, seq: u64, demand: f64, weight: f64) -> f64 {
        self.insert(seq, demand, weight);
        if self.all_demands_fit() {
            // The recompute would meet every demand, this one included.
            self.stale = true;
            return demand;
        }
        self.recompute();
        self.granted(seq).unwrap_or(0.0)
    }

    fn insert(&mut self, seq: u64, demand: f64, weight: f64) {
        let grant = Grant {
            demand,
            weight,
            granted: 0.0,
            live: true,
        };
        let i = super::by_seq::position(&self.grants, seq);
        match i {
            Ok(i) => {
                let old = std::mem::replace(&mut self.grants[i].1, grant);
                if old.live {
                    self.add_to_sum(-old.demand);
                    self.live -= 1;
                }
            }
            Err(i) => self.grants.insert(i, (seq, grant)),
        }
        self.live += 1;
        self.add_to_sum(demand);
    }

    /// Follows a change of the live demands in the running sum and its error bound: each
    /// rounding is at most half an ulp of the result, counted here as a whole `EPSILON`.
    fn add_to_sum(&mut self, delta: f64) {
        self.demand_sum += delta;
        self.demand_err += self.demand_sum.abs() * f64::EPSILON;
    }

    /// Whether the recompute's total (the live demands summed in sequence order) is surely at
    /// most the capacity: the exact sum is at most `demand_sum + demand_err`, and summing `n`
    /// terms in any order stays within a factor `1 + n·EPSILON/2` of it; the extra terms cover
    /// the roundings of this test itself. When unsure, the caller recomputes.
    fn all_demands_fit(&self) -> bool {
        let n = self.live as f64;
        (self.demand_sum + self.demand_err) * (1.0 + (n + 4.0) * f64::EPSILON) <= self.capacity
    }

    /// Removes lease `seq` and recomputes.
    pub fn release(&mut self, seq: u64) {
        if self.detach(seq).is_some() {
            self.recompute();
        }
    }

    /// Removes lease `seq` without recomputing, returning its weight (see
    /// [`WeightedPool::settle`]).
    pub(crate) fn detach(&mut self, seq: u64) -> Option<f64> {
        let i = match self.grants.get(self.hint) {
            Some(&(s, _)) if s == seq => self.hint,
            _ => self.grants.binary_search_by_key(&seq, |g| g.0).ok()?,
        };
        self.hint = i + 1;
        let g = &mut self.grants[i].1;
        if !g.live {
            return None;
        }
        g.live = false;
        let (demand, weight) = (g.demand, g.weight);
        self.live -= 1;
        self.stale = true;
        self.add_to_sum(-demand);
        Some(weight)
    }

    /// Recomputes the shares if changes since the last recompute left them stale.
    pub(crate) fn settle(&mut self) {
        if self.stale {
            self.recompute();
        }
    }

    /// Follows a new capacity and recomputes.
    pub fn set_capacity(&mut self, capacity: f64) {
        self.capacity = capacity;
        self.recompute();
    }

    /// Current grant of lease `seq`.
    pub fn granted(&self, seq: u64) -> Option<f64> {
        if self.stale {
            let mut fresh = self.clone();
            fresh.recompute();
            return fresh.granted(seq);
        }
        let i = self.grants.binary_search_by_key(&seq, |g| g.0).ok()?;
        let g = &self.grants[i].1;
        g.live.then_some(g.granted)
    }

    fn recompute(&mut self) {
        if self.live < self.grants.len() {
            self.grants.retain(|g| g.1.live);
        }
        self.stale = false;
        let total_demand: f64 = self.grants.iter().map(|g| g.1.demand).sum();
        // A fresh start for the running sum: the sum just taken, within n roundings.
        self.demand_sum = total_demand;
        self.demand_err = total_demand.abs() * (self.grants.len() as f64 + 1.0) * f64::EPSILON;
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
        // Weights near f64::MAX overflow their sum, and the level (remaining / ∞) would grant
        // everyone 0 while capacity is free. Water-filling is scale-invariant, so such weights
        // are divided by the largest one first (ordinary weights keep the exact arithmetic).
        let scale = if weight_left.is_finite() {
            1.0
        } else {
            let largest = self.grants.iter().map(|g| g.1.weight).fold(0.0, f64::max);
            weight_left = self.grants.iter().map(|g| g.1.weight / largest).sum();
            largest
        };
        let mut level: Option<f64> = None;
        let mut used = 0.0;
        for &(ratio, i) in &self.scratch {
            let g = &mut self.grants[i as usize].1;
            let weight = g.weight / scale;
            let lvl = match level {
                Some(l) => l,
                None => {
                    let l = remaining / weight_left;
                    if ratio <= l / scale {
                        g.granted = g.demand.min(remaining);
                        remaining -= g.granted;
                        weight_left -= weight;
                        used += g.granted;
                        continue;
                    }
                    level = Some(l);
                    l
                }
            };
            // Never more than is left: rounding in weight × level must not grant past capacity.
            g.granted = (weight * lvl).min(g.demand).min(remaining);
            remaining -= g.granted;
            used += g.granted;
        }
        self.used = used.min(self.capacity.max(0.0));
    }

    /// Stats (divisible: no fragmentation). `used` is the sum of current grants.
    pub fn stats(&self) -> PoolStats {
        if self.stale {
            let mut fresh = self.clone();
            fresh.recompute();
            return fresh.stats();
        }
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

    #[test]
    fn weights_near_the_largest_double_still_share_the_capacity() {
        let mut p = WeightedPool::new(100.0);
        p.allocate(1, 80.0, 1e308);
        p.allocate(2, 80.0, 1e308);
        assert_eq!(p.granted(1), Some(50.0));
        assert_eq!(p.granted(2), Some(50.0));
        assert_eq!(p.stats().used, 100.0);
        // A small demand among huge weights is met, the rest split by weight.
        let mut p = WeightedPool::new(100.0);
        p.allocate(1, 10.0, f64::MAX);
        p.allocate(2, 500.0, f64::MAX);
        p.allocate(3, 500.0, f64::MAX / 2.0);
        assert_eq!(p.granted(1), Some(10.0));
        assert_eq!(p.granted(2), Some(60.0));
        assert_eq!(p.granted(3), Some(30.0));
    }

    #[test]
    fn grants_never_add_up_past_the_capacity() {
        // Capacities and weights whose products round up: the sum of grants stays within.
        let weights = [1e-300, 0.1, 0.3, 1.0 / 3.0, 7.0, 1e9, 1e300, f64::MAX];
        for capacity in [0.3, 1.0, 10.0 / 3.0, 99.99, 1e15, 123_456.789] {
            let mut p = WeightedPool::new(capacity);
            for (i, w) in weights.iter().enumerate() {
                p.allocate(i as u64 + 1, capacity, *w);
            }
            let sum: f64 = (1..=weights.len() as u64)
                .filter_map(|i| p.granted(i))
                .sum();
            assert!(sum <= capacity * (1.0 + 1e-12), "{capacity}: {sum}");
            let stats = p.stats();
            assert!(stats.used <= capacity, "{capacity}: {}", stats.used);
            assert!(stats.used > 0.0);
        }
    }
}
