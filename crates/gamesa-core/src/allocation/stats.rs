//! Pool statistics.
//!
//! `fragmentation` is a number in `0..=1`:
//! - placement pools (FirstFit, BestFit): external fragmentation `1 - largest_free_block / free`
//!   (0 when nothing is free): 0 means every free unit is in one hole, values near 1 mean the
//!   free space is scattered into many small holes.
//! - Buddy: the same idea, counting the rounding waste inside granted blocks as free-but-unusable
//!   space: `1 - largest_free_block / (free + internal_waste)` (0 when both are 0). With no
//!   rounding waste it reduces to the external formula. `internal_waste` itself is reported too.
//! - divisible pools (Priority, Weighted): always 0, and `largest_free_block == free`.

/// Snapshot of one pool.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolStats {
    /// Total capacity, in the resource's unit.
    pub capacity: f64,
    /// Amount held by live leases (for Buddy: the rounded-up block sizes).
    pub used: f64,
    /// `capacity - used`.
    pub free: f64,
    /// Largest amount one new placement could receive right now.
    pub largest_free_block: f64,
    /// See the module documentation for the formula per strategy.
    pub fragmentation: f64,
    /// Buddy only: granted minus requested, summed over live leases (0 elsewhere).
    pub internal_waste: f64,
}

impl PoolStats {
    /// Stats of a placement pool, with external fragmentation `1 - largest/free`.
    pub(crate) fn placement(capacity: f64, used: f64, largest: f64) -> PoolStats {
        let free = capacity - used;
        PoolStats {
            capacity,
            used,
            free,
            largest_free_block: largest,
            fragmentation: ratio_waste(largest, free),
            internal_waste: 0.0,
        }
    }

    /// Stats of a divisible pool: no fragmentation by construction.
    pub(crate) fn divisible(capacity: f64, used: f64) -> PoolStats {
        let free = (capacity - used).max(0.0);
        PoolStats {
            capacity,
            used,
            free,
            largest_free_block: free,
            fragmentation: 0.0,
            internal_waste: 0.0,
        }
    }
}

/// `1 - part / whole`, 0 when `whole` is 0, clamped to `0..=1`.
pub(crate) fn ratio_waste(part: f64, whole: f64) -> f64 {
    if whole <= 0.0 {
        0.0
    } else {
        (1.0 - part / whole).clamp(0.0, 1.0)
    }
}
