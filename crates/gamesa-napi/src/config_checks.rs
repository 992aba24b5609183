//! The configuration checkers: each document kind is checked by the core's own decoder and
//! rules (structure, then meaning), and its first problem crosses as a path and a message.
//! The TypeScript layer calls these instead of keeping a copy of the rules.

use crate::errors::{JsError, guard};
use gamesa_core::{allocation, gate, market, sim};
use napi_derive::napi;

/// The first problem of a configuration document: a JSON path such as `$.pools[2].capacity`
/// (`$` for malformed JSON) and what is wrong.
#[napi(object)]
pub struct ConfigProblem {
    pub path: String,
    pub message: String,
}

fn problem(path: String, message: String) -> ConfigProblem {
    ConfigProblem { path, message }
}

/// An allocator configuration (`samples/allocation_schema.json`): null when valid.
#[napi]
pub fn check_allocator_config_json(json: String) -> Result<Option<ConfigProblem>, JsError> {
    guard(|| {
        Ok(allocation::AllocatorConfig::from_json(&json)
            .err()
            .map(|e| problem(e.path, e.message)))
    })
}

/// An ActionGate configuration (the `gate` section of an engine configuration, paths from
/// its own root): null when valid.
#[napi]
pub fn check_gate_config_json(json: String) -> Result<Option<ConfigProblem>, JsError> {
    guard(|| {
        Ok(gate::GateConfig::from_json(&json)
            .err()
            .map(|e| problem(e.path, e.message)))
    })
}

/// A market document, `{"market": {...}, "agents": [...]}` as in an engine configuration:
/// null when valid.
#[napi]
pub fn check_market_document_json(json: String) -> Result<Option<ConfigProblem>, JsError> {
    guard(|| {
        Ok(match market::MarketDocument::from_json(&json) {
            Ok(_) => None,
            Err(market::MarketError::Config { path, message }) => Some(problem(path, message)),
            Err(other) => Some(problem("$".to_string(), other.to_string())),
        })
    })
}

/// A simulator scenario (`samples/scenarios/`): null when valid.
#[napi]
pub fn check_scenario_json(json: String) -> Result<Option<ConfigProblem>, JsError> {
    guard(|| {
        Ok(match sim::Scenario::from_json(&json) {
            Ok(_) => None,
            Err(sim::SimError::InvalidScenario { path, message }) => Some(problem(path, message)),
            Err(other) => Some(problem("$".to_string(), other.to_string())),
        })
    })
}

/// Why `source` is not a variable template of the gate (`gpu{target}.power_w`), or null.
#[napi]
pub fn variable_template_problem(source: String) -> Result<Option<String>, JsError> {
    guard(|| Ok(gate::template_problem(&source)))
}
