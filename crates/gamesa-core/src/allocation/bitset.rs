//! A hierarchical bit set over `0..len`: level 0 holds the bits, each level above has one bit
//! per non-zero word below, up to a single top word. Insert, remove and membership are O(1)
//! word operations (plus one per level when a word turns zero or non-zero), and the smallest
//! member is found by `trailing_zeros` once per level. Buddy uses one per block order.

/// Most levels a `BitTree` can have: 64^11 > 2^64 slots.
const MAX_LEVELS: usize = 11;

/// Hierarchical bit set. All levels live in one vector (level 0 first) so that walking them is
/// plain indexing, without a pointer per level.
#[derive(Debug, Clone)]
pub(crate) struct BitTree {
    words: Vec<u64>,
    /// `start[l]`: index in `words` of level `l`'s first word.
    start: [usize; MAX_LEVELS],
    /// Number of levels; the top one is a single word.
    depth: usize,
    /// Words of level 0.
    leaf_words: usize,
}

impl BitTree {
    /// An empty set over `0..len` (`len >= 1`).
    pub fn new(len: u64) -> BitTree {
        let mut start = [0usize; MAX_LEVELS];
        let mut total = 0usize;
        let mut depth = 0;
        let mut n = len.max(1);
        loop {
            let words = n.div_ceil(64);
            start[depth] = total;
            total += words as usize;
            depth += 1;
            if words == 1 {
                break;
            }
            n = words;
        }
        BitTree {
            words: vec![0u64; total],
            start,
            depth,
            leaf_words: len.max(1).div_ceil(64) as usize,
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words[self.start[self.depth - 1]] == 0
    }

    /// Whether `i` is a member.
    pub fn contains(&self, i: u64) -> bool {
        let wi = (i >> 6) as usize;
        wi < self.leaf_words && self.words[wi] >> (i & 63) & 1 == 1
    }

    /// Adds `i` (must be `< len`).
    pub fn insert(&mut self, i: u64) {
        let mut i = i;
        for l in 0..self.depth {
            let w = &mut self.words[self.start[l] + (i >> 6) as usize];
            let was_zero = *w == 0;
            *w |= 1 << (i & 63);
            if !was_zero {
                return;
            }
            i >>= 6;
        }
    }

    /// Removes `i`; returns whether it was a member.
    pub fn remove(&mut self, i: u64) -> bool {
        if !self.contains(i) {
            return false;
        }
        self.clear(i);
        true
    }

    /// Removes and returns the smallest member.
    pub fn pop_first(&mut self) -> Option<u64> {
        let i = self.first()?;
        self.clear(i);
        Some(i)
    }

    /// Clears member `i`, and the summary bits of words that become zero.
    fn clear(&mut self, i: u64) {
        let mut i = i;
        for l in 0..self.depth {
            let w = &mut self.words[self.start[l] + (i >> 6) as usize];
            *w &= !(1 << (i & 63));
            if *w != 0 {
                return;
            }
            i >>= 6;
        }
    }

    /// Smallest member.
    pub fn first(&self) -> Option<u64> {
        let mut i = 0u64;
        for l in (0..self.depth).rev() {
            let w = self.words[self.start[l] + i as usize];
            if w == 0 {
                return None;
            }
            i = (i << 6) | w.trailing_zeros() as u64;
        }
        Some(i)
    }

    /// Members in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.words[..self.leaf_words]
            .iter()
            .enumerate()
            .flat_map(|(wi, &w)| {
                let mut w = w;
                std::iter::from_fn(move || {
                    if w == 0 {
                        return None;
                    }
                    let b = w.trailing_zeros() as u64;
                    w &= w - 1;
                    Some(wi as u64 * 64 + b)
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_remove_first_across_levels() {
        for len in [1u64, 63, 64, 65, 4096, 4097, 300_000] {
            let mut s = BitTree::new(len);
            assert!(s.is_empty() && s.first().is_none());
            let picks: Vec<u64> = [len - 1, len / 2, len / 3, 0]
                .into_iter()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            for &i in picks.iter().rev() {
                s.insert(i);
            }
            assert_eq!(s.iter().collect::<Vec<_>>(), picks);
            for &i in &picks {
                assert_eq!(s.first(), Some(i), "len {len}");
                assert!(s.contains(i) && s.remove(i) && !s.remove(i));
            }
            assert!(s.is_empty());
        }
    }
}
