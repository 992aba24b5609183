//! The text of an audit record's `hash` and `prev_hash`, held in the record itself.
//!
//! A hash is 64 hex digits. Held as a shared string it cost an allocation per record (and a
//! free when the record was dropped, long after, from cold memory) plus an atomic count per
//! copy into a tick's output; held inline it is a 64-byte copy. Any string can still be held
//! (records read from a file may carry anything in these fields, and verification reports
//! it): up to 64 bytes inline, longer ones shared.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// How many bytes are held inline: a SHA-256 in hex.
const INLINE: usize = 64;

/// A hash's text (see the module docs). Derefs to `str`; serialized as a plain string.
#[derive(Clone)]
pub struct HashText(Repr);

#[derive(Clone)]
enum Repr {
    /// `bytes[..len]` is the text (valid UTF-8: copied from a `str` or hex digits).
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Shared(Arc<str>),
}

impl HashText {
    /// The text of `s`.
    pub fn new(s: &str) -> HashText {
        if s.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            HashText(Repr::Inline {
                len: s.len() as u8,
                bytes,
            })
        } else {
            HashText(Repr::Shared(Arc::from(s)))
        }
    }

    /// 64 lowercase hex digits (ASCII, so valid UTF-8).
    pub(crate) fn from_hex_digits(bytes: [u8; INLINE]) -> HashText {
        debug_assert!(bytes.iter().all(u8::is_ascii_hexdigit));
        HashText(Repr::Inline {
            len: INLINE as u8,
            bytes,
        })
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Valid UTF-8 by construction; checking it again is cheap (64 ASCII bytes) and
            // keeps this free of `unsafe`.
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Repr::Shared(s) => s,
        }
    }
}

impl Deref for HashText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for HashText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for HashText {
    fn from(s: &str) -> HashText {
        HashText::new(s)
    }
}

impl From<String> for HashText {
    fn from(s: String) -> HashText {
        HashText::new(&s)
    }
}

impl From<&String> for HashText {
    fn from(s: &String) -> HashText {
        HashText::new(s)
    }
}

impl PartialEq for HashText {
    fn eq(&self, other: &HashText) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for HashText {}

impl PartialEq<str> for HashText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for HashText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for HashText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for HashText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for HashText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for HashText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<HashText, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = HashText;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<HashText, E> {
                Ok(HashText::new(s))
            }
        }
        d.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_round_trips_inline_or_shared() {
        let long = "x".repeat(65);
        let hex = "0123456789abcdef".repeat(4);
        for s in [
            "",
            "h\"\u{1}é",
            &hex,
            &long,
            &"é".repeat(32),
            &"é".repeat(33),
        ] {
            let h = HashText::from(s);
            assert_eq!(&*h, s);
            assert_eq!(h.to_string(), s);
            assert_eq!(format!("{h:?}"), format!("{s:?}"));
            let json = serde_json::to_string(&h).unwrap();
            assert_eq!(json, serde_json::to_string(s).unwrap());
            assert_eq!(serde_json::from_str::<HashText>(&json).unwrap(), h);
            assert_eq!(h.clone(), h);
        }
        let mut digits = [0u8; 64];
        digits.copy_from_slice(hex.as_bytes());
        assert_eq!(HashText::from_hex_digits(digits), HashText::from(&*hex));
        assert!(serde_json::from_str::<HashText>("3").is_err());
    }
}
