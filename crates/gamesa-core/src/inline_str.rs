//! [`InlineStr`]: a short string held in place, for text a tick copies many times.
//!
//! Lease ids in lease changes (a couple of hundred a tick) and the hashes of audit records (two
//! per record, copied into each tick's output) were shared `Arc<str>`s: an atomic increment per
//! copy, an atomic decrement per drop, and an allocation (freed much later, from cold memory)
//! per hash made. Both are short, so they are held inline; a longer text, which still has to be
//! held (a record read from a file may carry anything), is shared.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A string of up to `N` bytes held in place (longer ones shared). Reads as a `str`, compares,
/// prints and serializes exactly as one. `N` is at most 255 (the length is one byte).
#[derive(Clone)]
pub struct InlineStr<const N: usize>(Repr<N>);

#[derive(Clone)]
enum Repr<const N: usize> {
    /// `bytes[..len]` is the text: always the bytes of a whole `str`.
    Inline {
        len: u8,
        bytes: [u8; N],
    },
    Shared(Arc<str>),
}

impl<const N: usize> InlineStr<N> {
    const FITS_A_BYTE: () = assert!(N <= u8::MAX as usize);

    /// A copy of `s`.
    pub fn new(s: &str) -> Self {
        let () = Self::FITS_A_BYTE;
        if s.len() <= N {
            let mut bytes = [0u8; N];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            InlineStr(Repr::Inline {
                len: s.len() as u8,
                bytes,
            })
        } else {
            InlineStr(Repr::Shared(Arc::from(s)))
        }
    }

    /// `N` ASCII bytes (checked in debug builds), held without a copy through a `str`.
    pub(crate) fn from_ascii(bytes: [u8; N]) -> Self {
        let () = Self::FITS_A_BYTE;
        debug_assert!(bytes.is_ascii());
        InlineStr(Repr::Inline {
            len: N as u8,
            bytes,
        })
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Valid UTF-8 by construction; checking it again is cheap (a few dozen bytes) and
            // keeps this free of `unsafe`.
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Repr::Shared(s) => s,
        }
    }
}

impl<const N: usize> Deref for InlineStr<N> {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> AsRef<str> for InlineStr<N> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> From<&str> for InlineStr<N> {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl<const N: usize> From<String> for InlineStr<N> {
    fn from(s: String) -> Self {
        Self::new(&s)
    }
}

impl<const N: usize> From<&String> for InlineStr<N> {
    fn from(s: &String) -> Self {
        Self::new(s)
    }
}

impl<const N: usize> PartialEq for InlineStr<N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl<const N: usize> Eq for InlineStr<N> {}

impl<const N: usize> PartialEq<str> for InlineStr<N> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl<const N: usize> PartialEq<&str> for InlineStr<N> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<const N: usize> fmt::Debug for InlineStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> fmt::Display for InlineStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> Serialize for InlineStr<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de, const N: usize> Deserialize<'de> for InlineStr<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor<const N: usize>;
        impl<const N: usize> serde::de::Visitor<'_> for Visitor<N> {
            type Value = InlineStr<N>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<InlineStr<N>, E> {
                Ok(InlineStr::new(s))
            }
        }
        d.deserialize_str(Visitor::<N>)
    }
}

#[cfg(test)]
mod tests {
    use super::InlineStr;

    fn round_trips<const N: usize>(s: &str) {
        let x = InlineStr::<N>::from(s);
        assert_eq!(&*x, s);
        assert_eq!(x.to_string(), s);
        assert_eq!(format!("{x:?}"), format!("{s:?}"));
        let json = serde_json::to_string(&x).unwrap();
        assert_eq!(json, serde_json::to_string(s).unwrap());
        assert_eq!(serde_json::from_str::<InlineStr<N>>(&json).unwrap(), x);
        assert_eq!(x.clone(), x);
    }

    #[test]
    fn any_text_round_trips_inline_or_shared() {
        // Around both sizes in use: lease ids (30) and hashes (64), ASCII and not.
        for n in [0, 1, 29, 30, 31, 32, 33, 63, 64, 65, 130] {
            let mixed: String = "aé/\"\u{1}".chars().cycle().take(n).collect();
            let ascii = "x".repeat(n);
            for s in [&mixed, &ascii] {
                round_trips::<30>(s);
                round_trips::<64>(s);
            }
        }
        let hex = "0123456789abcdef".repeat(4);
        let mut digits = [0u8; 64];
        digits.copy_from_slice(hex.as_bytes());
        assert_eq!(
            InlineStr::<64>::from_ascii(digits),
            InlineStr::<64>::from(&*hex)
        );
        assert!(serde_json::from_str::<InlineStr<64>>("3").is_err());
        // Lease ids stay at 32 bytes: a lease change is copied a couple of hundred times a tick.
        assert_eq!(std::mem::size_of::<InlineStr<30>>(), 32);
    }
}
