//! [`LeaseId`]: a standing lease's id as a lease change carries it. A tick reports a couple of
//! hundred changes; with a shared `Arc<str>` each one was an atomic increment (and an atomic
//! decrement when the output dropped) on a counter in its own cache line. Ids are short
//! (`<agent>/<resource>`), so they are copied in place instead; a longer one is shared.

use serde::{Serialize, Serializer};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Bytes held in place: the most that keep the type at 32 bytes.
const INLINE: usize = 30;

/// A lease id. Reads as a `str` and serializes as a JSON string, exactly as an `Arc<str>` does.
#[derive(Clone)]
pub struct LeaseId(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

impl LeaseId {
    /// A copy of `id`.
    pub fn new(id: &str) -> LeaseId {
        if id.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..id.len()].copy_from_slice(id.as_bytes());
            LeaseId(Repr::Inline {
                len: id.len() as u8,
                bytes,
            })
        } else {
            LeaseId(Repr::Shared(Arc::from(id)))
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always the bytes of a whole `str` (see `new`), so this never falls back.
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..*len as usize]).unwrap_or_default()
            }
            Repr::Shared(id) => id,
        }
    }
}

impl Deref for LeaseId {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for LeaseId {
    fn from(id: &str) -> LeaseId {
        LeaseId::new(id)
    }
}

impl PartialEq for LeaseId {
    fn eq(&self, other: &LeaseId) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for LeaseId {}

impl PartialEq<str> for LeaseId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl fmt::Debug for LeaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_str().fmt(f)
    }
}

impl fmt::Display for LeaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_str().fmt(f)
    }
}

impl Serialize for LeaseId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_str().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_serializes_like_a_str() {
        for n in [0, 1, 24, 29, 30, 31, 64] {
            let s: String = "aé/".chars().cycle().take(n).collect();
            let id = LeaseId::new(&s);
            assert_eq!(&*id, s.as_str());
            assert_eq!(format!("{id:?}"), format!("{s:?}"));
            assert_eq!(id.to_string(), s);
            assert_eq!(
                serde_json::to_string(&id).unwrap(),
                serde_json::to_string(&s).unwrap()
            );
            assert_eq!(id.clone(), id);
        }
        assert_eq!(std::mem::size_of::<LeaseId>(), 32);
    }
}
