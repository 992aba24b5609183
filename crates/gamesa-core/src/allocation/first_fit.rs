//! FirstFit: whole units with ids `0..capacity`, lowest free ids first. A `contiguous` request
//! gets a run of consecutive ids: the lowest-offset free run long enough.
//!
//! Free units are kept as coalesced runs, so memory is proportional to fragmentation, not to
//! capacity, and a release of `k` consecutive units is one insert.

use super::holes::Holes;
use super::stats::PoolStats;

/// A FirstFit pool.
#[derive(Debug, Clone)]
pub struct FirstFitPool {
    capacity: u64,
    free: Holes,
}

impl FirstFitPool {
    /// A pool of `capacity` units (ids `0..capacity`; at most `u32::MAX + 1`).
    pub fn new(capacity: u64) -> FirstFitPool {
        FirstFitPool {
            capacity,
            free: Holes::full(capacity),
        }
    }

    /// Total units.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Free units.
    pub fn free(&self) -> u64 {
        self.free.total()
    }

    /// Longest run of free consecutive ids.
    pub fn largest_run(&self) -> u64 {
        self.free.iter().map(|(_, s)| s).max().unwrap_or(0)
    }

    /// Grants `n` unit ids in ascending order, or `None` if they are not available.
    /// With `contiguous`, the ids form one run (the lowest-offset run that fits).
    pub fn allocate(&mut self, n: u64, contiguous: bool) -> Option<Vec<u32>> {
        let mut units = Vec::new();
        self.allocate_into(n, contiguous, &mut units)
            .then_some(units)
    }

    /// [`FirstFitPool::allocate`] into `units` (appended): false, and nothing appended, if
    /// they are not available. Lets the caller reuse a buffer.
    pub(crate) fn allocate_into(&mut self, n: u64, contiguous: bool, units: &mut Vec<u32>) -> bool {
        if n == 0 || n > self.free.total() {
            return false;
        }
        if contiguous {
            let Some((offset, size)) = self.free.iter().find(|&(_, s)| s >= n) else {
                return false;
            };
            self.free.take_front(offset, size, n);
            units.extend((offset..offset + n).map(|u| u as u32));
            return true;
        }
        units.reserve(n as usize);
        let mut left = n;
        while left > 0 {
            // `n <= total` was checked, so a hole is always there.
            let Some((offset, size)) = self.free.first() else {
                return false;
            };
            let take = size.min(left);
            self.free.take_front(offset, size, take);
            units.extend((offset..offset + take).map(|u| u as u32));
            left -= take;
        }
        true
    }

    /// Returns units granted by `allocate` (ascending ids, as granted).
    pub fn release(&mut self, units: &[u32]) {
        let mut i = 0;
        while i < units.len() {
            let start = units[i] as u64;
            let mut j = i + 1;
            while j < units.len() && units[j] as u64 == start + (j - i) as u64 {
                j += 1;
            }
            self.free.insert(start, (j - i) as u64);
            i = j;
        }
    }

    /// Whether unit `u` is free (for tests and diagnostics).
    pub fn is_free(&self, u: u32) -> bool {
        let u = u as u64;
        self.free.iter().any(|(o, s)| o <= u && u < o + s)
    }

    /// Stats: see [`PoolStats`] for the fragmentation formula.
    pub fn stats(&self) -> PoolStats {
        PoolStats::placement(
            self.capacity as f64,
            (self.capacity - self.free.total()) as f64,
            self.largest_run() as f64,
        )
    }

    /// Number of separate free runs.
    pub fn hole_count(&self) -> usize {
        self.free.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_ids_first_and_reuse_after_release() {
        let mut p = FirstFitPool::new(8);
        assert_eq!(p.allocate(3, false).unwrap(), vec![0, 1, 2]);
        assert_eq!(p.allocate(2, false).unwrap(), vec![3, 4]);
        p.release(&[0, 1, 2]);
        assert_eq!(p.allocate(1, false).unwrap(), vec![0]);
        // Non-contiguous requests take the lowest ids across holes.
        assert_eq!(p.allocate(4, false).unwrap(), vec![1, 2, 5, 6]);
        assert_eq!(p.free(), 1);
        assert!(p.allocate(2, false).is_none());
        assert_eq!(p.allocate(1, false).unwrap(), vec![7]);
        assert!(p.allocate(1, false).is_none());
    }

    #[test]
    fn contiguous_takes_lowest_run_that_fits() {
        let mut p = FirstFitPool::new(10);
        let a = p.allocate(2, true).unwrap(); // 0,1
        let _b = p.allocate(1, true).unwrap(); // 2
        let c = p.allocate(3, true).unwrap(); // 3,4,5
        let _d = p.allocate(1, true).unwrap(); // 6
        p.release(&a);
        p.release(&c);
        // Holes: [0,2), [3,6), [7,10). A run of 3 is first found at 3.
        assert_eq!(p.allocate(3, true).unwrap(), vec![3, 4, 5]);
        assert_eq!(p.allocate(2, true).unwrap(), vec![0, 1]);
        assert!(p.allocate(4, true).is_none());
        assert_eq!(p.free(), 3);
        let s = p.stats();
        assert_eq!((s.used, s.free, s.largest_free_block), (7.0, 3.0, 3.0));
        assert_eq!(s.fragmentation, 0.0);
    }

    #[test]
    fn release_coalesces_and_fragmentation_follows() {
        let mut p = FirstFitPool::new(6);
        let all: Vec<_> = (0..6).map(|_| p.allocate(1, false).unwrap()).collect();
        p.release(&all[1]);
        p.release(&all[3]);
        let s = p.stats();
        assert_eq!(s.largest_free_block, 1.0);
        assert!((s.fragmentation - 0.5).abs() < 1e-12);
        p.release(&all[2]);
        assert_eq!(p.hole_count(), 1);
        assert_eq!(p.largest_run(), 3);
        assert!(p.is_free(2) && !p.is_free(0));
    }
}
