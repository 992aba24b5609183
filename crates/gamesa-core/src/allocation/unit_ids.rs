//! [`UnitIds`]: the unit ids of a FirstFit grant as a lease change reports them. Most grants
//! are a few units, so up to [`INLINE`] ids are kept in place and copying a grant into a tick's
//! output needs no allocation (and dropping the output no free); longer lists go to the heap.

use serde::{Serialize, Serializer};
use std::fmt;
use std::ops::Deref;

/// How many ids fit in place: the most that keep the type as small as a `Vec`'s 24 bytes.
const INLINE: usize = 5;

/// A list of unit ids (ascending, as granted). Reads as a `[u32]` and serializes as a JSON
/// array, exactly as a `Vec<u32>` does.
#[derive(Clone, PartialEq, Eq)]
pub struct UnitIds(Repr);

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Inline { len: u8, ids: [u32; INLINE] },
    Heap(Box<[u32]>),
}

impl UnitIds {
    /// A copy of `ids`.
    pub fn new(ids: &[u32]) -> UnitIds {
        if ids.len() <= INLINE {
            let mut inline = [0; INLINE];
            inline[..ids.len()].copy_from_slice(ids);
            UnitIds(Repr::Inline {
                len: ids.len() as u8,
                ids: inline,
            })
        } else {
            UnitIds(Repr::Heap(ids.into()))
        }
    }

    pub fn as_slice(&self) -> &[u32] {
        match &self.0 {
            Repr::Inline { len, ids } => &ids[..*len as usize],
            Repr::Heap(ids) => ids,
        }
    }
}

impl Deref for UnitIds {
    type Target = [u32];
    fn deref(&self) -> &[u32] {
        self.as_slice()
    }
}

impl From<&[u32]> for UnitIds {
    fn from(ids: &[u32]) -> UnitIds {
        UnitIds::new(ids)
    }
}

impl From<UnitIds> for Vec<u32> {
    fn from(ids: UnitIds) -> Vec<u32> {
        ids.as_slice().to_vec()
    }
}

impl fmt::Debug for UnitIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl Serialize for UnitIds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_serializes_like_a_vec() {
        for n in 0..12u32 {
            let v: Vec<u32> = (3..3 + n).collect();
            let u = UnitIds::new(&v);
            assert_eq!(&*u, &v[..]);
            assert_eq!(format!("{u:?}"), format!("{v:?}"));
            assert_eq!(
                serde_json::to_string(&u).unwrap(),
                serde_json::to_string(&v).unwrap()
            );
            assert_eq!(Vec::from(u), v);
        }
        assert_eq!(std::mem::size_of::<Option<UnitIds>>(), 24);
    }
}
