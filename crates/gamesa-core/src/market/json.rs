//! JSON text → typed configuration, with every problem named by its JSON path. The document is
//! parsed into a tree first, so a duplicate key is an error at its path.

use super::error::MarketError;
use crate::json_paths::{self, JsonProblem};
use serde::de::DeserializeOwned;
use serde_json::Value;

fn config_error(p: JsonProblem) -> MarketError {
    MarketError::config(p.path, p.message)
}

/// Parses JSON text into a tree ([`json_paths::parse_value`]).
pub(crate) fn parse_value(text: &str) -> Result<Value, MarketError> {
    json_paths::parse_value(text).map_err(config_error)
}

/// Decodes a parsed tree; a missing field is named at the field, as zod does.
pub(crate) fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, MarketError> {
    json_paths::decode_value(value, "$").map_err(config_error)
}
