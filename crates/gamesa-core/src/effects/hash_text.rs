//! [`HashText`]: the text of an audit record's `hash` and `prev_hash`, held in the record
//! itself (see [`crate::inline_str`]). A hash is 64 hex digits; any other text read from a file
//! is still held (verification reports it), longer ones shared.

use crate::inline_str::InlineStr;

/// A hash's text. Derefs to `str`; serialized as a plain string.
pub type HashText = InlineStr<64>;

/// 64 lowercase hex digits, as the hash sink writes them.
pub(crate) fn from_hex_digits(bytes: [u8; 64]) -> HashText {
    debug_assert!(bytes.iter().all(u8::is_ascii_hexdigit));
    InlineStr::from_ascii(bytes)
}
