//! Free holes of a linear range, coalesced on insert. Shared by FirstFit (unit ids) and BestFit
//! (which adds a by-size index on top).
//!
//! Holes are keyed by their END: taking the front of a hole — what both strategies do — keeps
//! the key and only updates the start in place, and a released range finds the hole before it
//! by an exact lookup (`end == offset`).

use super::ordered::{OrdMap, SMALL};

/// Disjoint, non-adjacent free runs `[start, end)`, stored as `end -> start`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Holes {
    by_end: OrdMap<u64, u64>,
    total: u64,
}

/// What an insert did, so an index kept beside `Holes` can follow.
pub(crate) struct Merge {
    /// Neighbouring holes `(offset, size)` that were absorbed.
    pub absorbed: [Option<(u64, u64)>; 2],
    /// The resulting hole `(offset, size)`.
    pub hole: (u64, u64),
}

impl Holes {
    /// One hole covering `[0, capacity)` (none if capacity is 0).
    pub fn full(capacity: u64) -> Holes {
        let mut h = Holes::default();
        if capacity > 0 {
            h.by_end.insert(capacity, 0);
            h.total = capacity;
        }
        h
    }

    /// Total free amount.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Holes `(offset, size)` in offset order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.by_end.iter().map(|(e, s)| (s, e - s))
    }

    /// First hole in offset order.
    pub fn first(&self) -> Option<(u64, u64)> {
        self.by_end.first().map(|(e, s)| (s, e - s))
    }

    /// Number of holes.
    pub fn len(&self) -> usize {
        self.by_end.len()
    }

    /// Takes `size` from the front of the hole `(offset, hole_size)` (which must exist, with
    /// `size <= hole_size`). Returns the remaining piece, if any.
    pub fn take_front(&mut self, offset: u64, hole_size: u64, size: u64) -> Option<(u64, u64)> {
        debug_assert!(size <= hole_size, "take_front past the hole");
        let end = offset + hole_size;
        self.total -= size;
        if size == hole_size {
            self.by_end.remove(&end);
            None
        } else {
            if let Some(start) = self.by_end.get_mut(&end) {
                *start = offset + size;
            }
            Some((offset + size, hole_size - size))
        }
    }

    /// Returns `[offset, offset + size)` to the free set, merging with adjacent holes.
    /// The range must not overlap a hole (callers only free what they granted).
    pub fn insert(&mut self, offset: u64, size: u64) -> Merge {
        let end = offset + size;
        self.total += size;
        if let Some(v) = self.by_end.as_small_mut()
            && let Some(merge) = insert_small(v, offset, end)
        {
            return merge;
        }
        // Holes do not overlap the range, so the first hole ending at or after `offset` is the
        // one before it if it ends exactly there, and the next one (after `end`) is that hole
        // or the one after it.
        let mut prev = None;
        let mut next = None;
        let mut after = self.by_end.at_or_after(&offset);
        if let Some((hole_end, hole_start)) = after
            && hole_end == offset
        {
            prev = Some(hole_start);
            after = self.by_end.at_or_after(&(offset + 1));
        }
        if let Some((hole_end, hole_start)) = after {
            debug_assert!(hole_start >= end, "freeing a range that overlaps a hole");
            if hole_start == end {
                // Merge into the next hole in place: its key (end) stays.
                if let Some(s) = self.by_end.get_mut(&hole_end) {
                    *s = prev.unwrap_or(offset);
                }
                next = Some(hole_end);
            }
        }
        let start = prev.unwrap_or(offset);
        if prev.is_some() {
            self.by_end.remove(&offset);
        }
        let absorbed = [
            prev.map(|ps| (ps, offset - ps)),
            next.map(|next_end| (end, next_end - end)),
        ];
        match next {
            Some(next_end) => Merge {
                absorbed,
                hole: (start, next_end - start),
            },
            None => {
                self.by_end.insert(end, start);
                Merge {
                    absorbed,
                    hole: (start, end - start),
                }
            }
        }
    }
}

/// [`Holes::insert`] on the small map's sorted vector `end -> start`: the same result from one
/// search and at most one shift (a hole that grows at its end keeps its place, with its key
/// changed in place). `None`, with nothing changed, when the range becomes a hole of its own
/// and the vector is full.
fn insert_small(v: &mut Vec<(u64, u64)>, offset: u64, end: u64) -> Option<Merge> {
    // The first hole ending at or after `offset`: the one before the range if it ends exactly
    // there, and then the next one is the one after it.
    let i = v.partition_point(|e| e.0 < offset);
    let prev = v.get(i).filter(|e| e.0 == offset).map(|e| e.1);
    let j = i + usize::from(prev.is_some());
    let next = v.get(j).filter(|e| e.1 == end).map(|e| e.0);
    debug_assert!(
        v.get(j).is_none_or(|e| e.1 >= end),
        "freeing a range that overlaps a hole"
    );
    let start = prev.unwrap_or(offset);
    let absorbed = [
        prev.map(|ps| (ps, offset - ps)),
        next.map(|next_end| (end, next_end - end)),
    ];
    let hole_end = match (prev, next) {
        (_, Some(next_end)) => {
            // Merge into the next hole in place (its key stays); the one before goes.
            v[j].1 = start;
            if prev.is_some() {
                v.remove(i);
            }
            next_end
        }
        (Some(_), None) => {
            // The hole before grows to `end`: still below the next hole's key.
            v[i].0 = end;
            end
        }
        (None, None) => {
            if v.len() >= SMALL {
                return None;
            }
            v.insert(i, (end, offset));
            end
        }
    };
    Some(Merge {
        absorbed,
        hole: (start, hole_end - start),
    })
}
