//! BestFit: segments of the range `[0, capacity)`. A request gets the front of the smallest free
//! hole that fits; ties go to the lowest offset. Holes coalesce on release.
//!
//! Holes are indexed twice — by offset (for coalescing) and by `(size, offset)` (for the choice)
//! — so both allocate and release are O(log holes).

use super::holes::Holes;
use super::ordered::OrdMap;
use super::stats::PoolStats;

/// A BestFit pool.
#[derive(Debug, Clone)]
pub struct BestFitPool {
    capacity: u64,
    holes: Holes,
    /// `(size, offset)` of every hole, as [`key`]s.
    by_size: OrdMap<u128, ()>,
}

/// `(size, offset)` as one number in the same order (size in the high half): comparing two
/// is one wide comparison, where a tuple's is two with a branch between.
fn key(size: u64, offset: u64) -> u128 {
    (size as u128) << 64 | offset as u128
}

/// The size of a [`key`].
fn hole_size_of(key: u128) -> u64 {
    (key >> 64) as u64
}

impl BestFitPool {
    /// A pool over `[0, capacity)`.
    pub fn new(capacity: u64) -> BestFitPool {
        let holes = Holes::full(capacity);
        let mut by_size = OrdMap::default();
        for (o, s) in holes.iter() {
            by_size.insert(key(s, o), ());
        }
        BestFitPool {
            capacity,
            holes,
            by_size,
        }
    }

    /// Total size of the range.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Free amount.
    pub fn free(&self) -> u64 {
        self.holes.total()
    }

    /// Largest hole.
    pub fn largest_hole(&self) -> u64 {
        self.by_size.last().map_or(0, |(k, ())| hole_size_of(k))
    }

    /// Grants `[offset, offset + size)`, returning the offset, or `None` if no hole fits.
    pub fn allocate(&mut self, size: u64) -> Option<u64> {
        if size == 0 {
            return None;
        }
        // Smallest (size, offset) at or above (size, 0): smallest fitting hole, lowest offset.
        let (hole, ()) = self.by_size.at_or_after(&key(size, 0))?;
        let (hole_size, offset) = (hole_size_of(hole), hole as u64);
        match self.holes.take_front(offset, hole_size, size) {
            Some((ro, rs)) => self.by_size.replace(&hole, key(rs, ro), ()),
            None => {
                self.by_size.remove(&hole);
            }
        }
        Some(offset)
    }

    /// Returns a segment granted by `allocate`.
    pub fn release(&mut self, offset: u64, size: u64) {
        let merge = self.holes.insert(offset, size);
        let hole = key(merge.hole.1, merge.hole.0);
        // The first hole absorbed becomes the merged one (one move in the index), the other
        // goes.
        let mut absorbed = merge.absorbed.into_iter().flatten();
        match absorbed.next() {
            Some((o, s)) => {
                self.by_size.replace(&key(s, o), hole, ());
                if let Some((o, s)) = absorbed.next() {
                    self.by_size.remove(&key(s, o));
                }
            }
            None => {
                self.by_size.insert(hole, ());
            }
        }
    }

    /// Free holes `(offset, size)` in offset order (for tests and diagnostics).
    pub fn holes(&self) -> Vec<(u64, u64)> {
        self.holes.iter().collect()
    }

    /// Stats: see [`PoolStats`] for the fragmentation formula.
    pub fn stats(&self) -> PoolStats {
        PoolStats::placement(
            self.capacity as f64,
            (self.capacity - self.holes.total()) as f64,
            self.largest_hole() as f64,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The pool's rule on a plain list of holes `(offset, size)` in offset order.
    #[derive(Default)]
    struct Model(Vec<(u64, u64)>);

    impl Model {
        fn allocate(&mut self, size: u64) -> Option<u64> {
            let i = (0..self.0.len())
                .filter(|&i| self.0[i].1 >= size)
                .min_by_key(|&i| (self.0[i].1, self.0[i].0))?;
            let (o, s) = self.0[i];
            if s == size {
                self.0.remove(i);
            } else {
                self.0[i] = (o + size, s - size);
            }
            Some(o)
        }

        fn release(&mut self, offset: u64, size: u64) {
            let i = self.0.partition_point(|h| h.0 < offset);
            self.0.insert(i, (offset, size));
            let mut merged: Vec<(u64, u64)> = Vec::new();
            for &(o, s) in &self.0 {
                match merged.last_mut() {
                    Some(last) if last.0 + last.1 == o => last.1 += s,
                    _ => merged.push((o, s)),
                }
            }
            self.0 = merged;
        }
    }

    proptest! {
        /// Same grants and holes as the plain model, through fragmentation past the index's
        /// small representation and back.
        #[test]
        fn matches_a_plain_list_of_holes(ops in prop::collection::vec((any::<bool>(), 1u64..7, any::<prop::sample::Index>()), 1..700)) {
            let mut pool = BestFitPool::new(500);
            let mut model = Model(vec![(0, 500)]);
            let mut held: Vec<(u64, u64)> = Vec::new();
            for (alloc, size, pick) in ops {
                if alloc || held.is_empty() {
                    let got = pool.allocate(size);
                    prop_assert_eq!(got, model.allocate(size));
                    if let Some(o) = got {
                        held.push((o, size));
                    }
                } else {
                    let (o, s) = held.swap_remove(pick.index(held.len()));
                    pool.release(o, s);
                    model.release(o, s);
                }
                prop_assert_eq!(pool.holes(), model.0.clone());
                prop_assert_eq!(pool.largest_hole(), model.0.iter().map(|h| h.1).max().unwrap_or(0));
            }
        }
    }

    #[test]
    fn smallest_hole_wins_ties_to_lowest_offset() {
        let mut p = BestFitPool::new(100);
        let a = p.allocate(10).unwrap(); // [0,10)
        let _b = p.allocate(5).unwrap(); // [10,15)
        let c = p.allocate(4).unwrap(); // [15,19)
        let _d = p.allocate(1).unwrap(); // [19,20)
        let e = p.allocate(4).unwrap(); // [20,24)
        let _f = p.allocate(1).unwrap(); // [24,25)
        assert_eq!((a, c, e), (0, 15, 20));
        p.release(a, 10);
        p.release(c, 4);
        p.release(e, 4);
        // Holes: [0,10) [15,19) [20,24) [25,100). A 3 goes to the lowest 4-hole.
        assert_eq!(p.allocate(3), Some(15));
        assert_eq!(p.allocate(4), Some(20));
        assert_eq!(p.allocate(8), Some(0));
        assert_eq!(p.allocate(75), Some(25));
        assert_eq!(p.allocate(3), None);
        assert_eq!(p.free(), 3);
    }

    #[test]
    fn release_coalesces_both_sides() {
        let mut p = BestFitPool::new(30);
        let a = p.allocate(10).unwrap();
        let b = p.allocate(10).unwrap();
        let c = p.allocate(10).unwrap();
        p.release(a, 10);
        p.release(c, 10);
        assert_eq!(p.holes(), vec![(0, 10), (20, 10)]);
        let s = p.stats();
        assert!((s.fragmentation - 0.5).abs() < 1e-12);
        p.release(b, 10);
        assert_eq!(p.holes(), vec![(0, 30)]);
        assert_eq!(p.largest_hole(), 30);
        assert_eq!(p.stats().fragmentation, 0.0);
        assert_eq!(p.allocate(30), Some(0));
        assert_eq!(p.allocate(1), None);
    }
}
