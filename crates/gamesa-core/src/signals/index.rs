//! The coalescing index: finds the pending slot holding a given `(kind, source)` without
//! allocating. A hash of the key maps to the head of a chain of slots threaded through the
//! slots themselves (`chain_next`), so collisions cost a string compare, not correctness.
//! The table is only ever looked up, never iterated, so its order cannot leak into outputs.

use super::SignalKind;

/// End of a chain.
pub(crate) const NONE: u32 = u32::MAX;

/// The hash of a coalescing key: FxHash-style word mixing, fast for short source names and
/// stable across runs (no random seed, so behaviour is reproducible).
#[inline]
pub(crate) fn key_hash(kind: SignalKind, source: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = u64::from(kind.code()).wrapping_mul(K);
    let bytes = source.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    // The length ends the key so that "a" and "a\0" differ; the final mix spreads entropy
    // into the top bits, which the hash table uses for its control bytes.
    h = (h.rotate_left(5) ^ bytes.len() as u64).wrapping_mul(K);
    h ^ (h >> 29)
}

/// Key hash → first slot of the chain of pending slots with that hash: an open-addressing
/// table with linear probing and backward-shift deletion (no tombstones), sized to stay at
/// most half full. A general `HashMap` cost about three times as many instructions per
/// operation on the enqueue/dequeue path.
#[derive(Debug, Default)]
pub(crate) struct ChainHeads {
    /// `(hash, head)`; `head == NONE` marks an empty bucket. Length is 0 or a power of two.
    buckets: Vec<(u64, u32)>,
    len: usize,
    /// `64 - log2(buckets.len())`: the bucket of a hash is its top bits after a final mix.
    shift: u32,
}

impl ChainHeads {
    #[inline]
    fn home(&self, hash: u64) -> usize {
        // Fibonacci hashing: spreads any hash over the table using its well-mixed top bits.
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    #[inline]
    fn mask(&self) -> usize {
        self.buckets.len() - 1
    }

    /// The head for `hash`, if any slot with that hash is pending.
    #[inline]
    pub(crate) fn get(&self, hash: u64) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let mut i = self.home(hash);
        loop {
            let (h, head) = self.buckets[i];
            if head == NONE {
                return None;
            }
            if h == hash {
                return Some(head);
            }
            i = (i + 1) & self.mask();
        }
    }

    /// Sets the head for `hash` (inserting or replacing).
    #[inline]
    pub(crate) fn set(&mut self, hash: u64, head: u32) {
        if (self.len + 1) * 2 > self.buckets.len() {
            self.grow();
        }
        let mut i = self.home(hash);
        loop {
            let bucket = &mut self.buckets[i];
            if bucket.1 == NONE {
                *bucket = (hash, head);
                self.len += 1;
                return;
            }
            if bucket.0 == hash {
                bucket.1 = head;
                return;
            }
            i = (i + 1) & self.mask();
        }
    }

    /// Removes `hash`; it must be present.
    pub(crate) fn remove(&mut self, hash: u64) {
        let mask = self.mask();
        let mut i = self.home(hash);
        while self.buckets[i].0 != hash || self.buckets[i].1 == NONE {
            debug_assert!(self.buckets[i].1 != NONE, "removing an absent hash");
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: pull later entries of the probe run into the hole when
        // their home is not strictly between the hole and their position.
        let mut hole = i;
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            let (h, head) = self.buckets[j];
            if head == NONE {
                break;
            }
            let home = self.home(h);
            let between = if hole <= j {
                hole < home && home <= j
            } else {
                hole < home || home <= j
            };
            if !between {
                self.buckets[hole] = (h, head);
                hole = j;
            }
        }
        self.buckets[hole] = (0, NONE);
        self.len -= 1;
    }

    /// Forgets everything (keeps the memory).
    pub(crate) fn clear(&mut self) {
        self.buckets.fill((0, NONE));
        self.len = 0;
    }

    fn grow(&mut self) {
        let size = (self.buckets.len() * 2).max(16);
        let old = std::mem::replace(&mut self.buckets, vec![(0, NONE); size]);
        self.shift = 64 - size.trailing_zeros();
        self.len = 0;
        for (hash, head) in old {
            if head != NONE {
                self.set(hash, head);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_map_under_churn() {
        let mut t = ChainHeads::default();
        let mut model = std::collections::BTreeMap::new();
        let mut x = 1u64;
        for step in 0..200_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Few distinct hashes, some sharing home buckets, so probe runs wrap and shift.
            let hash = (x % 300) << 58 | (x % 7);
            if x.is_multiple_of(3) {
                if model.remove(&hash).is_some() {
                    t.remove(hash);
                }
            } else {
                t.set(hash, step);
                model.insert(hash, step);
            }
            assert_eq!(t.get(hash), model.get(&hash).copied());
        }
        for (hash, head) in &model {
            assert_eq!(t.get(*hash), Some(*head));
        }
        assert_eq!(t.len, model.len());
    }
}
