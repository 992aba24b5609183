//! JSON decoding shared by features and rules: parse once into a tree, then decode items one
//! by one with `serde_path_to_error`, so that each broken item is reported with its own JSON
//! path and the others are still checked (the allocator config in `allocation/config.rs`
//! stops at its first problem; documents of rules must report every bad rule).

use super::problem::Problem;
use crate::json_paths::{self, JsonProblem};
use serde::Deserialize;
use serde_json::Value;

pub(crate) use crate::json_paths::push_key;

fn problem(id: Option<&str>, p: JsonProblem) -> Problem {
    Problem::at(id, p.path, p.message)
}

/// Parses JSON text into a tree ([`json_paths::parse_value`]).
pub(crate) fn parse_value(text: &str) -> Result<Value, Problem> {
    json_paths::parse_value(text).map_err(|p| problem(None, p))
}

/// Decodes one item found at `base` (a JSON path); a missing field is named at the field.
pub(crate) fn decode<T: for<'de> Deserialize<'de>>(
    value: &Value,
    base: &str,
    id: Option<&str>,
) -> Result<T, Problem> {
    serde_path_to_error::deserialize(value)
        .map_err(|e| problem(id, json_paths::decode_problem(base, &e)))
}
