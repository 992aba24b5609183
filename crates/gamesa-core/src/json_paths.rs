//! JSON paths as every document decoder of the crate reports them (`$.pools[2].capacity`,
//! `$.actions["set gpu"]`), and the two decoding steps they share: parsing text into a tree
//! (so duplicate keys behave as in `JSON.parse`, the last one wins) and decoding a tree with
//! `serde_path_to_error` (so a problem names its path). Each module wraps the result in its own
//! error type; the paths and messages are the same everywhere, and match the zod side's.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A JSON problem: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonProblem {
    pub path: String,
    pub message: String,
}

/// Appends one object key to a JSON path: `.key`, or `["key"]` when it is not an identifier.
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

/// `parent.key`, or `parent["key"]` when the key is not an identifier.
pub fn key_path(parent: &str, key: &str) -> String {
    let mut out = parent.to_string();
    push_key(&mut out, key);
    out
}

/// `base`, then `.key` (or `["key"]`) and `[index]` per segment of serde's path.
pub(crate) fn json_path_at(base: &str, path: &serde_path_to_error::Path) -> String {
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

/// `$`, then `.key` (or `["key"]` when the key is not an identifier) and `[index]` per segment.
pub fn json_path(path: &serde_path_to_error::Path) -> String {
    json_path_at("$", path)
}

/// A typed-decoding error found under `base`, with its path. serde reports a missing field at
/// the enclosing object; the path is extended with the field so it names what is missing, as
/// zod does.
pub(crate) fn decode_problem(
    base: &str,
    e: &serde_path_to_error::Error<serde_json::Error>,
) -> JsonProblem {
    let mut path = json_path_at(base, e.path());
    let message = e.inner().to_string();
    // A streaming deserializer appends " at line L column C" after the closing backtick.
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        push_key(&mut path, field);
    }
    JsonProblem { path, message }
}

/// Parses JSON text into a tree. Malformed JSON is reported at `$` with serde's line and
/// column, except a number too large for a double, which `JSON.parse` reads as ±Infinity: that
/// one is reported at its own path, as the TypeScript side does.
pub(crate) fn parse_value(text: &str) -> Result<Value, JsonProblem> {
    let malformed = |e: &serde_json::Error| format!("malformed JSON: {e}");
    let mut de = serde_json::Deserializer::from_str(text);
    let value: Value = serde_path_to_error::deserialize(&mut de).map_err(|e| JsonProblem {
        path: if e.inner().to_string().starts_with("number out of range") {
            json_path(e.path())
        } else {
            "$".to_string()
        },
        message: malformed(e.inner()),
    })?;
    de.end().map_err(|e| JsonProblem {
        path: "$".to_string(),
        message: malformed(&e),
    })?;
    Ok(value)
}

/// Decodes a tree found at `base` (a JSON path) as `T`.
pub(crate) fn decode_value<T: DeserializeOwned>(
    value: &Value,
    base: &str,
) -> Result<T, JsonProblem> {
    serde_path_to_error::deserialize(value).map_err(|e| decode_problem(base, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_keys_indices_and_missing_fields() {
        assert_eq!(key_path("$.a", "b"), "$.a.b");
        assert_eq!(key_path("$.a", "set gpu"), "$.a[\"set gpu\"]");
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)] // decoded to see its errors only
        struct S {
            x: Vec<u8>,
            y: u8,
        }
        let v = parse_value(r#"{"x": [1, "a"], "y": 1}"#).unwrap();
        let e = decode_value::<S>(&v, "$.s").unwrap_err();
        assert_eq!(e.path, "$.s.x[1]");
        let v = parse_value(r#"{"x": []}"#).unwrap();
        assert_eq!(decode_value::<S>(&v, "$").unwrap_err().path, "$.y");
        assert_eq!(parse_value("{").unwrap_err().path, "$");
        assert_eq!(parse_value(r#"{"a": [1e400]}"#).unwrap_err().path, "$.a[0]");
    }
}
