//! JSON documents are objects: serde would also accept a struct written as a JSON array of its
//! fields, which zod (the TypeScript side of every schema) rejects. Configs, rules, features
//! and contracts all decode their structs through [`MapOnly`] so both sides agree.

use serde::de::{Deserializer, Visitor};

/// serde would accept a struct written as a JSON array of its fields; documents are objects
/// only (as in zod). Structs derive with `#[serde(remote = "Self")]` and get their
/// `Deserialize` from [`objects_only!`], which hands the derived code this adapter: it asks for
/// a map whenever a struct is wanted.
pub(crate) struct MapOnly<D>(pub(crate) D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for MapOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// `Serialize` as derived and `Deserialize` through [`MapOnly`] for `remote = "Self"` structs.
macro_rules! objects_only {
    ($($t:ty),*) => {$(
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                <$t>::serialize(self, s)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <$t>::deserialize($crate::json_objects::MapOnly(d))
            }
        }
    )*};
}
pub(crate) use objects_only;
