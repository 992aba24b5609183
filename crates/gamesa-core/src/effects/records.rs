//! A view of an audit trail's kept records. The trail keeps them in a ring buffer (so that
//! dropping old ones costs the same on every append), which holds them in up to two slices;
//! this iterates over both in order and still offers what a slice did: length, indexing,
//! copying out.

use super::record::AuditRecord;
use std::ops::Index;
use std::slice;

/// Kept records, oldest first: an iterator (double-ended, exact size) over up to two slices.
#[derive(Debug, Clone)]
pub struct Records<'a> {
    front: slice::Iter<'a, AuditRecord>,
    back: slice::Iter<'a, AuditRecord>,
}

impl<'a> Records<'a> {
    /// The records of `front` then those of `back`.
    pub(crate) fn new(front: &'a [AuditRecord], back: &'a [AuditRecord]) -> Records<'a> {
        Records {
            front: front.iter(),
            back: back.iter(),
        }
    }

    /// The records not yet iterated over, as two slices in order (either may be empty).
    pub fn as_slices(&self) -> (&'a [AuditRecord], &'a [AuditRecord]) {
        (self.front.as_slice(), self.back.as_slice())
    }

    /// How many records are left.
    pub fn len(&self) -> usize {
        self.front.len() + self.back.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th record left, if any.
    pub fn get(&self, i: usize) -> Option<&'a AuditRecord> {
        let (a, b) = self.as_slices();
        match i.checked_sub(a.len()) {
            None => a.get(i),
            Some(j) => b.get(j),
        }
    }

    /// The same records again (to iterate without consuming this view).
    pub fn iter(&self) -> Records<'a> {
        self.clone()
    }

    /// The records copied into a vector.
    pub fn to_vec(&self) -> Vec<AuditRecord> {
        let (a, b) = self.as_slices();
        let mut v = Vec::with_capacity(a.len() + b.len());
        v.extend_from_slice(a);
        v.extend_from_slice(b);
        v
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = &'a AuditRecord;

    fn next(&mut self) -> Option<&'a AuditRecord> {
        self.front.next().or_else(|| self.back.next())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.len();
        (n, Some(n))
    }

    fn last(mut self) -> Option<&'a AuditRecord> {
        self.next_back()
    }
}

impl DoubleEndedIterator for Records<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.back.next_back().or_else(|| self.front.next_back())
    }
}

impl ExactSizeIterator for Records<'_> {}

impl Index<usize> for Records<'_> {
    type Output = AuditRecord;

    fn index(&self, i: usize) -> &AuditRecord {
        match self.get(i) {
            Some(r) => r,
            None => panic!("record {i} of {}", self.len()),
        }
    }
}
