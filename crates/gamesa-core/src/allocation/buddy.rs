//! Buddy: power-of-two blocks of `min_block` units. A request rounds up to `min_block` and then
//! to a power of two of blocks; a larger free block is split in halves until it fits, and on
//! release a block merges with its free buddy as far as it can.
//!
//! A capacity that is not a power of two is covered by maximal aligned power-of-two blocks, as
//! `buddy_system_allocator::FrameAllocator::add_frame` does, so `[0, capacity)` is fully usable.
//! The choice rule is the classic one (smallest order with a free block, lowest offset in it),
//! which is also `FrameAllocator`'s, so both give the same offsets for the same sequence.
//!
//! Free blocks are kept per order plus a bit mask of non-empty orders, so the search for a
//! fitting order is one `trailing_zeros`. Per order, a hierarchical bit set (O(1) insert, remove
//! and buddy test, smallest member in a few word operations) when the pool has at most
//! [`BITMAP_MAX_BLOCKS`] blocks; beyond that an ordered set, so memory stays proportional to
//! the number of free blocks rather than to the capacity.

use super::bitset::BitTree;
use super::stats::{PoolStats, ratio_waste};
use std::collections::BTreeSet;

/// Largest pool (in blocks of `min_block`) whose free lists are bit sets (about
/// `2 * BITMAP_MAX_BLOCKS` bits, 1 MiB, in all).
pub const BITMAP_MAX_BLOCKS: u64 = 1 << 22;

/// Free blocks of one order, by offset (in blocks).
#[derive(Debug, Clone)]
enum FreeSet {
    Bits(BitTree),
    Tree(BTreeSet<u64>),
}

impl FreeSet {
    fn insert(&mut self, offset: u64, order: u32) {
        match self {
            FreeSet::Bits(b) => b.insert(offset >> order),
            FreeSet::Tree(t) => {
                t.insert(offset);
            }
        }
    }

    fn remove(&mut self, offset: u64, order: u32) -> bool {
        match self {
            FreeSet::Bits(b) => b.remove(offset >> order),
            FreeSet::Tree(t) => t.remove(&offset),
        }
    }

    fn pop_first(&mut self, order: u32) -> Option<u64> {
        match self {
            FreeSet::Bits(b) => b.pop_first().map(|i| i << order),
            FreeSet::Tree(t) => t.pop_first(),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            FreeSet::Bits(b) => b.is_empty(),
            FreeSet::Tree(t) => t.is_empty(),
        }
    }

    fn offsets(&self, order: u32) -> Vec<u64> {
        match self {
            FreeSet::Bits(b) => b.iter().map(|i| i << order).collect(),
            FreeSet::Tree(t) => t.iter().copied().collect(),
        }
    }
}

/// A Buddy pool.
#[derive(Debug, Clone)]
pub struct BuddyPool {
    /// `log2(min_block)`: block arithmetic is shifts (a division costs more than the rest of
    /// an allocation).
    shift: u32,
    /// Capacity in blocks of `min_block` units.
    blocks: u64,
    max_order: u32,
    /// `free[k]`: offsets (in blocks) of free blocks of `2^k` blocks.
    free: Vec<FreeSet>,
    /// Bit `k` set iff `free[k]` is non-empty.
    nonempty: u64,
    used_blocks: u64,
    requested_units: u64,
}

/// Smallest `k` with `2^k >= n` (n >= 1).
fn ceil_log2(n: u64) -> u32 {
    if n <= 1 {
        0
    } else {
        64 - (n - 1).leading_zeros()
    }
}

impl BuddyPool {
    /// A pool of `capacity` units in blocks of `min_block` units (a power of two, ≥ 1; anything
    /// else is rounded down to one).
    /// `capacity` must be a multiple of `min_block`; a remainder would be unusable, so the
    /// allocator's config check refuses it and this constructor ignores it.
    pub fn new(capacity: u64, min_block: u64) -> BuddyPool {
        let shift = 63 - min_block.max(1).leading_zeros();
        let bitmaps = capacity >> shift <= BITMAP_MAX_BLOCKS;
        Self::build(capacity, min_block, bitmaps)
    }

    /// Same as [`BuddyPool::new`] but with ordered-set free lists whatever the size (what
    /// pools above [`BITMAP_MAX_BLOCKS`] use); lets tests cover that representation too.
    pub fn with_ordered_sets(capacity: u64, min_block: u64) -> BuddyPool {
        Self::build(capacity, min_block, false)
    }

    fn build(capacity: u64, min_block: u64, bitmaps: bool) -> BuddyPool {
        let shift = 63 - min_block.max(1).leading_zeros();
        let blocks = capacity >> shift;
        let max_order = if blocks == 0 {
            0
        } else {
            63 - blocks.leading_zeros()
        };
        let mut pool = BuddyPool {
            shift,
            blocks,
            max_order,
            free: (0..=max_order)
                .map(|k| {
                    if bitmaps {
                        // Slots for every aligned block of order k below `blocks`.
                        FreeSet::Bits(BitTree::new((blocks.saturating_sub(1) >> k) + 1))
                    } else {
                        FreeSet::Tree(BTreeSet::new())
                    }
                })
                .collect(),
            nonempty: 0,
            used_blocks: 0,
            requested_units: 0,
        };
        for (offset, order) in Self::initial_blocks(blocks) {
            pool.push_free(offset, order);
        }
        pool
    }

    /// Maximal aligned power-of-two blocks covering `[0, blocks)`, as `(offset, order)`.
    pub fn initial_blocks(blocks: u64) -> Vec<(u64, u32)> {
        let mut out = Vec::new();
        let mut start = 0u64;
        while start < blocks {
            let remaining = blocks - start;
            let fit = 63 - remaining.leading_zeros();
            let align = if start == 0 {
                63
            } else {
                start.trailing_zeros()
            };
            let order = fit.min(align);
            out.push((start, order));
            start += 1 << order;
        }
        out
    }

    /// Blocks needed for `units` (rounded up).
    fn blocks_for(&self, units: u64) -> u64 {
        let mask = (1u64 << self.shift) - 1;
        (units >> self.shift) + u64::from(units & mask != 0)
    }

    fn push_free(&mut self, offset: u64, order: u32) {
        self.free[order as usize].insert(offset, order);
        self.nonempty |= 1 << order;
    }

    /// Total usable units.
    pub fn capacity(&self) -> u64 {
        self.blocks << self.shift
    }

    /// Smallest block, in units.
    pub fn min_block(&self) -> u64 {
        1 << self.shift
    }

    /// Free units.
    pub fn free(&self) -> u64 {
        (self.blocks - self.used_blocks) << self.shift
    }

    /// Units actually granted for a request of `units` (rounded up), or `None` if no block of
    /// this pool could ever be that large.
    pub fn rounded(&self, units: u64) -> Option<u64> {
        let order = ceil_log2(self.blocks_for(units));
        (order <= self.max_order && self.blocks > 0).then(|| 1u64 << (order + self.shift))
    }

    /// Largest free block, in units.
    pub fn largest_free_block(&self) -> u64 {
        if self.nonempty == 0 {
            0
        } else {
            1u64 << (63 - self.nonempty.leading_zeros() + self.shift)
        }
    }

    /// Grants a block for `units`, returning `(offset, size)` in units, or `None`.
    pub fn allocate(&mut self, units: u64) -> Option<(u64, u64)> {
        if units == 0 {
            return None;
        }
        let order = ceil_log2(self.blocks_for(units));
        if order > self.max_order {
            return None;
        }
        let fitting = self.nonempty & !((1u64 << order) - 1);
        if fitting == 0 {
            return None;
        }
        let mut k = fitting.trailing_zeros();
        let list = &mut self.free[k as usize];
        let offset = list.pop_first(k)?;
        if list.is_empty() {
            self.nonempty &= !(1 << k);
        }
        // Split: keep the lower half, free the upper half, down to the wanted order.
        while k > order {
            k -= 1;
            self.push_free(offset + (1 << k), k);
        }
        self.used_blocks += 1 << order;
        self.requested_units += units;
        Some((offset << self.shift, 1u64 << (order + self.shift)))
    }

    /// Returns a block granted by `allocate` for a request of `requested` units.
    pub fn release(&mut self, offset: u64, size: u64, requested: u64) {
        let mut offset = offset >> self.shift;
        let size_blocks = size >> self.shift;
        let mut order = size_blocks.trailing_zeros();
        self.used_blocks -= size_blocks;
        self.requested_units -= requested;
        while order < self.max_order {
            let buddy = offset ^ (1 << order);
            let list = &mut self.free[order as usize];
            if !list.remove(buddy, order) {
                break;
            }
            if list.is_empty() {
                self.nonempty &= !(1 << order);
            }
            offset &= !(1 << order);
            order += 1;
        }
        self.push_free(offset, order);
    }

    /// Free blocks as `(offset, size)` in units, ordered by offset (for tests and diagnostics).
    pub fn free_blocks(&self) -> Vec<(u64, u64)> {
        let mut out: Vec<(u64, u64)> = self
            .free
            .iter()
            .enumerate()
            .flat_map(|(k, set)| {
                set.offsets(k as u32)
                    .into_iter()
                    .map(move |o| (o, 1u64 << k))
            })
            .map(|(o, s)| (o << self.shift, s << self.shift))
            .collect();
        out.sort_unstable();
        out
    }

    /// Whether the free blocks are exactly the initial maximal blocks (true after everything
    /// was released: proof that coalescing is complete).
    pub fn is_fully_coalesced(&self) -> bool {
        let initial: Vec<(u64, u64)> = Self::initial_blocks(self.blocks)
            .into_iter()
            .map(|(o, k)| (o << self.shift, 1u64 << (k + self.shift)))
            .collect();
        self.free_blocks() == initial
    }

    /// Stats: `used` counts whole blocks; `internal_waste` is granted minus requested units and
    /// enters `fragmentation` as described in [`PoolStats`].
    pub fn stats(&self) -> PoolStats {
        let capacity = self.capacity() as f64;
        let used = (self.used_blocks << self.shift) as f64;
        let free = capacity - used;
        let waste = used - self.requested_units as f64;
        let largest = self.largest_free_block() as f64;
        PoolStats {
            capacity,
            used,
            free,
            largest_free_block: largest,
            fragmentation: ratio_waste(largest, free + waste),
            internal_waste: waste,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_up_splits_and_coalesces() {
        let mut p = BuddyPool::new(16, 1);
        assert_eq!(p.allocate(3), Some((0, 4)));
        assert_eq!(p.allocate(1), Some((4, 1)));
        assert_eq!(p.allocate(2), Some((6, 2)));
        assert_eq!(p.allocate(8), Some((8, 8)));
        assert_eq!(p.free_blocks(), vec![(5, 1)]);
        assert_eq!(p.allocate(2), None);
        let s = p.stats();
        assert_eq!((s.used, s.free, s.largest_free_block), (15.0, 1.0, 1.0));
        // Requested 14, granted 15: one unit of rounding waste.
        assert_eq!(s.internal_waste, 1.0);
        assert!((s.fragmentation - 0.5).abs() < 1e-12);
        p.release(4, 1, 1);
        p.release(0, 4, 3);
        p.release(6, 2, 2);
        p.release(8, 8, 8);
        assert!(p.is_fully_coalesced());
        assert_eq!(p.free_blocks(), vec![(0, 16)]);
    }

    #[test]
    fn non_power_of_two_capacity_uses_maximal_blocks() {
        assert_eq!(
            BuddyPool::initial_blocks(100),
            vec![(0, 6), (64, 5), (96, 2)]
        );
        let mut p = BuddyPool::new(100, 1);
        assert_eq!(p.largest_free_block(), 64);
        assert_eq!(p.allocate(30), Some((64, 32)));
        assert_eq!(p.allocate(4), Some((96, 4)));
        assert_eq!(p.allocate(64), Some((0, 64)));
        assert_eq!(p.allocate(1), None);
        assert_eq!(p.rounded(65), None);
        p.release(64, 32, 30);
        p.release(96, 4, 4);
        p.release(0, 64, 64);
        assert!(p.is_fully_coalesced());
    }

    #[test]
    fn min_block_scales_offsets() {
        let mut p = BuddyPool::new(8192, 64);
        assert_eq!(p.rounded(1), Some(64));
        assert_eq!(p.allocate(100), Some((0, 128)));
        assert_eq!(p.allocate(64), Some((128, 64)));
        assert_eq!(p.stats().internal_waste, 28.0);
        assert_eq!(p.free(), 8192 - 192);
        p.release(0, 128, 100);
        p.release(128, 64, 64);
        assert!(p.is_fully_coalesced());
        assert_eq!(p.stats().fragmentation, 0.0);
    }

    #[test]
    fn huge_pools_use_ordered_sets() {
        let mut p = BuddyPool::new(1 << 40, 1);
        assert!(matches!(p.free[0], FreeSet::Tree(_)));
        assert_eq!(p.allocate(3), Some((0, 4)));
        assert_eq!(p.allocate(1 << 30), Some((1 << 30, 1 << 30)));
        p.release(0, 4, 3);
        p.release(1 << 30, 1 << 30, 1 << 30);
        assert!(p.is_fully_coalesced());
        assert!(matches!(BuddyPool::new(8192, 1).free[0], FreeSet::Bits(_)));
    }

    #[test]
    fn matches_frame_allocator_choices() {
        let mut ours = BuddyPool::new(100, 1);
        let mut theirs = buddy_system_allocator::FrameAllocator::<33>::new();
        theirs.add_frame(0, 100);
        let mut live = Vec::new();
        for (i, n) in [3u64, 7, 1, 16, 2, 9, 1, 30, 5].into_iter().enumerate() {
            let a = ours.allocate(n).map(|(o, _)| o as usize);
            assert_eq!(a, theirs.alloc(n as usize), "request {i} of {n}");
            if let Some(o) = a {
                live.push((o, n));
            }
            if i % 3 == 2 {
                let (o, n) = live.remove(0);
                ours.release(o as u64, (n as usize).next_power_of_two() as u64, n);
                theirs.dealloc(o, n as usize);
            }
        }
    }
}
