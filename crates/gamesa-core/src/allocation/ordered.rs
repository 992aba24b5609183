//! An ordered map for the pools' indexes of free holes, which are usually short: a sorted
//! vector while it holds at most [`SMALL`] entries (a binary search and a short move per
//! change, where a B-tree walks and rebalances nodes), a `BTreeMap` beyond (O(log n) however
//! fragmented a pool gets). Both give the same answers in the same order.

use std::collections::BTreeMap;
use std::collections::btree_map;

/// Most entries kept in the sorted vector; back to it at half that.
pub(crate) const SMALL: usize = 64;

#[derive(Debug, Clone)]
pub(crate) enum OrdMap<K: Ord + Copy, V: Copy> {
    Small(Vec<(K, V)>),
    Large(BTreeMap<K, V>),
}

impl<K: Ord + Copy, V: Copy> Default for OrdMap<K, V> {
    fn default() -> Self {
        OrdMap::Small(Vec::new())
    }
}

/// Entries in key order.
pub(crate) enum Iter<'a, K, V> {
    Small(std::slice::Iter<'a, (K, V)>),
    Large(btree_map::Iter<'a, K, V>),
}

impl<K: Copy, V: Copy> Iterator for Iter<'_, K, V> {
    type Item = (K, V);
    fn next(&mut self) -> Option<(K, V)> {
        match self {
            Iter::Small(i) => i.next().copied(),
            Iter::Large(i) => i.next().map(|(k, v)| (*k, *v)),
        }
    }
}

impl<K: Ord + Copy, V: Copy> OrdMap<K, V> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        match self {
            OrdMap::Small(v) => v.len(),
            OrdMap::Large(m) => m.len(),
        }
    }

    /// The value of `key`, to change in place.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        match self {
            OrdMap::Small(v) => {
                let i = v.binary_search_by(|e| e.0.cmp(key)).ok()?;
                Some(&mut v[i].1)
            }
            OrdMap::Large(m) => m.get_mut(key),
        }
    }

    /// Inserts or replaces; returns the value replaced.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self {
            OrdMap::Small(v) => match v.binary_search_by(|e| e.0.cmp(&key)) {
                Ok(i) => Some(std::mem::replace(&mut v[i].1, value)),
                Err(i) => {
                    v.insert(i, (key, value));
                    if v.len() > SMALL {
                        *self = OrdMap::Large(v.drain(..).collect());
                    }
                    None
                }
            },
            OrdMap::Large(m) => m.insert(key, value),
        }
    }

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        match self {
            OrdMap::Small(v) => {
                let i = v.binary_search_by(|e| e.0.cmp(key)).ok()?;
                Some(v.remove(i).1)
            }
            OrdMap::Large(m) => {
                let value = m.remove(key)?;
                if m.len() <= SMALL / 2 {
                    *self = OrdMap::Small(std::mem::take(m).into_iter().collect());
                }
                Some(value)
            }
        }
    }

    /// Removes `old` and inserts `key` with `value`, as `remove` then `insert` would. While
    /// small, an entry moving a few places is one shift of the entries between, instead of
    /// one shift out and one back in.
    pub fn replace(&mut self, old: &K, key: K, value: V) {
        if let OrdMap::Small(v) = self
            && let Ok(i) = v.binary_search_by(|e| e.0.cmp(old))
        {
            let j = v.partition_point(|e| e.0 < key);
            // A `key` held by another entry would be replaced by `insert`: not this path.
            if v.get(j).is_none_or(|e| e.0 != key || j == i) {
                if j > i {
                    // Entries i+1..j are below `key`: they move down one, over entry i.
                    v.copy_within(i + 1..j, i);
                    v[j - 1] = (key, value);
                } else {
                    // Entries j..i are at or above `key`: they move up one, over entry i.
                    v.copy_within(j..i, j + 1);
                    v[j] = (key, value);
                }
                return;
            }
        }
        self.remove(old);
        self.insert(key, value);
    }

    /// The sorted vector while the map is small, for callers that work by position (keeping
    /// it sorted, with unique keys, and at most [`SMALL`] entries).
    pub fn as_small_mut(&mut self) -> Option<&mut Vec<(K, V)>> {
        match self {
            OrdMap::Small(v) => Some(v),
            OrdMap::Large(_) => None,
        }
    }

    /// The entry with the smallest key.
    pub fn first(&self) -> Option<(K, V)> {
        match self {
            OrdMap::Small(v) => v.first().copied(),
            OrdMap::Large(m) => m.first_key_value().map(|(k, v)| (*k, *v)),
        }
    }

    /// The entry with the largest key.
    pub fn last(&self) -> Option<(K, V)> {
        match self {
            OrdMap::Small(v) => v.last().copied(),
            OrdMap::Large(m) => m.last_key_value().map(|(k, v)| (*k, *v)),
        }
    }

    /// The entry with the smallest key at or after `key`.
    pub fn at_or_after(&self, key: &K) -> Option<(K, V)> {
        match self {
            OrdMap::Small(v) => {
                let i = v.partition_point(|e| e.0 < *key);
                v.get(i).copied()
            }
            OrdMap::Large(m) => m.range(key..).next().map(|(k, v)| (*k, *v)),
        }
    }

    /// Entries in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        match self {
            OrdMap::Small(v) => Iter::Small(v.iter()),
            OrdMap::Large(m) => Iter::Large(m.iter()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Same answers as a BTreeMap, through both representations and the switches.
        #[test]
        fn behaves_as_a_btree_map(ops in prop::collection::vec((0u8..5, 0u64..300, 0u64..9), 1..600)) {
            let (mut ours, mut model) = (OrdMap::default(), BTreeMap::new());
            for (op, k, v) in ops {
                match op {
                    0 => prop_assert_eq!(ours.insert(k, v), model.insert(k, v)),
                    1 => {
                        // `replace` of an existing key to `k`, as remove + insert.
                        if let Some((old, _)) = model.range(k / 2..).next().map(|(a, b)| (*a, *b)) {
                            ours.replace(&old, k, v);
                            model.remove(&old);
                            model.insert(k, v);
                        }
                    }
                    2 => prop_assert_eq!(ours.remove(&k), model.remove(&k)),
                    3 => prop_assert_eq!(ours.insert(k, v), model.insert(k, v)),
                    _ => {
                        if let Some(x) = ours.get_mut(&k) {
                            *x += 1;
                        }
                        if let Some(x) = model.get_mut(&k) {
                            *x += 1;
                        }
                    }
                }
                prop_assert_eq!(ours.len(), model.len());
                prop_assert_eq!(ours.first(), model.first_key_value().map(|(a, b)| (*a, *b)));
                prop_assert_eq!(ours.last(), model.last_key_value().map(|(a, b)| (*a, *b)));
                prop_assert_eq!(
                    ours.at_or_after(&k),
                    model.range(k..).next().map(|(a, b)| (*a, *b))
                );
            }
            let all: Vec<(u64, u64)> = model.iter().map(|(a, b)| (*a, *b)).collect();
            prop_assert_eq!(ours.iter().collect::<Vec<_>>(), all);
        }
    }
}
