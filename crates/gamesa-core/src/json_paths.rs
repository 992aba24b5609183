//! JSON paths as every document decoder of the crate reports them (`$.pools[2].capacity`,
//! `$.actions["set gpu"]`), and the two decoding steps they share: parsing text into a tree
//! (a duplicate key is an error at its path, where `JSON.parse` would keep the last) and decoding a tree with
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
/// one is reported at its own path, as the TypeScript side does. A key that occurs twice in
/// one object is reported at its path, with its line and column: `JSON.parse` would keep the
/// last silently, and which of the two the author meant is a guess.
pub(crate) fn parse_value(text: &str) -> Result<Value, JsonProblem> {
    let malformed = |e: &serde_json::Error| format!("malformed JSON: {e}");
    let mut de = serde_json::Deserializer::from_str(text);
    let value: Value = serde_path_to_error::deserialize(&mut de)
        .map(|Strict(v)| v)
        .map_err(|e| {
            let message = e.inner().to_string();
            if let Some(key) = message
                .strip_prefix(DUPLICATE)
                .and_then(|rest| rest.strip_prefix('`'))
                .and_then(|rest| rest.rsplit_once("` at line").map(|(k, _)| k))
            {
                // The path of the object; the key is the offending place.
                let mut path = json_path(e.path());
                push_key(&mut path, &key.replace("\\`", "`"));
                return JsonProblem { path, message };
            }
            JsonProblem {
                path: if message.starts_with("number out of range") {
                    json_path(e.path())
                } else {
                    "$".to_string()
                },
                message: malformed(e.inner()),
            }
        })?;
    de.end().map_err(|e| JsonProblem {
        path: "$".to_string(),
        message: malformed(&e),
    })?;
    Ok(value)
}

const DUPLICATE: &str = "duplicate key ";

/// A JSON tree read with duplicate keys refused (serde_json's own `Value` keeps the last).
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "{DUPLICATE}`{}`",
                    key.replace('`', "\\`")
                )));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
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

    #[test]
    fn a_duplicate_key_is_refused_at_its_path_with_line_and_column() {
        let e = parse_value("{\"a\": {\"b\": 1,\n  \"b\": 2}}").unwrap_err();
        assert_eq!(e.path, "$.a.b");
        assert!(
            e.message.contains("duplicate key `b` at line 2 column"),
            "{}",
            e.message
        );
        let e = parse_value(r#"[{"x": 1}, {"set gpu": 1, "set gpu": 2}]"#).unwrap_err();
        assert_eq!(e.path, "$[1][\"set gpu\"]", "{}", e.message);
        let e = parse_value(r#"{"a`b": 1, "a`b": 2}"#).unwrap_err();
        assert_eq!(e.path, "$[\"a`b\"]", "{}", e.message);
        // The same key in different objects is fine; values are as serde_json reads them.
        let v = parse_value(
            r#"{"a": {"k": 1}, "b": {"k": [1.5, -2, 18446744073709551615, null, true, "s"]}}"#,
        )
        .unwrap();
        assert_eq!(
            v,
            serde_json::from_str::<Value>(
                r#"{"a": {"k": 1}, "b": {"k": [1.5, -2, 18446744073709551615, null, true, "s"]}}"#
            )
            .unwrap()
        );
    }
}
