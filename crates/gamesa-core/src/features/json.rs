//! JSON decoding shared by features and rules: parse once into a tree, then decode items one
//! by one with `serde_path_to_error`, so that each broken item is reported with its own JSON
//! path and the others are still checked (the allocator config in `allocation/config.rs`
//! stops at its first problem; documents of rules must report every bad rule).

use super::problem::Problem;
use serde::Deserialize;
use serde_json::Value;

/// Parses JSON text into a tree. Malformed JSON is reported at `$` with serde's line and
/// column; a number too large for a double at its own path.
pub(crate) fn parse_value(text: &str) -> Result<Value, Problem> {
    let malformed = |e: &serde_json::Error| format!("malformed JSON: {e}");
    let mut de = serde_json::Deserializer::from_str(text);
    let value: Value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = if e.inner().to_string().starts_with("number out of range") {
            json_path("$", e.path())
        } else {
            "$".to_string()
        };
        Problem::at(None, path, malformed(e.inner()))
    })?;
    de.end()
        .map_err(|e| Problem::at(None, "$", malformed(&e)))?;
    Ok(value)
}

/// Decodes one item found at `base` (a JSON path). serde reports a missing field at the
/// enclosing object; the path is extended with the field so it names what is missing.
pub(crate) fn decode<T: for<'de> Deserialize<'de>>(
    value: &Value,
    base: &str,
    id: Option<&str>,
) -> Result<T, Problem> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut path = json_path(base, e.path());
        let message = e.inner().to_string();
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            push_key(&mut path, field);
        }
        Problem::at(id, path, message)
    })
}

/// `base`, then `.key` (or `["key"]` when the key is not an identifier) and `[index]` per
/// segment.
pub(crate) fn json_path(base: &str, path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from(base);
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => push_key(&mut out, key),
            Segment::Enum { variant } => push_key(&mut out, variant),
            Segment::Unknown => {}
        }
    }
    out
}

/// Appends one object key to a JSON path.
pub(crate) fn push_key(out: &mut String, key: &str) {
    let mut chars = key.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if identifier {
        out.push('.');
        out.push_str(key);
    } else {
        out.push('[');
        out.push_str(&Value::String(key.to_string()).to_string());
        out.push(']');
    }
}
