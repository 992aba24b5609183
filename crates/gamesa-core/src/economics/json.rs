//! JSON text → typed configuration, with every problem named by its JSON path. The document is
//! parsed into a tree first so duplicate keys behave as in `JSON.parse` (the last one wins) and
//! the TypeScript side sees exactly the same document.

use super::error::MarketError;
use crate::allocation::config::json_path;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Parses JSON text. Malformed JSON is reported at `$` with its line and column, except a
/// number too large for a double, which `JSON.parse` reads as ±Infinity: that one is reported
/// at its own path, as the TypeScript side does.
pub(crate) fn parse_value(text: &str) -> Result<Value, MarketError> {
    let malformed = |e: &serde_json::Error| format!("malformed JSON: {e}");
    let mut de = serde_json::Deserializer::from_str(text);
    let value: Value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = if e.inner().to_string().starts_with("number out of range") {
            json_path(e.path())
        } else {
            "$".to_string()
        };
        MarketError::config(path, malformed(e.inner()))
    })?;
    de.end()
        .map_err(|e| MarketError::config("$", malformed(&e)))?;
    Ok(value)
}

/// Decodes a parsed tree. serde reports a missing field at the enclosing object; the path is
/// extended with the field so it names what is missing, as zod does.
pub(crate) fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, MarketError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut path = json_path(e.path());
        let message = e.inner().to_string();
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            push_key(&mut path, field);
        }
        MarketError::config(path, message)
    })
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
