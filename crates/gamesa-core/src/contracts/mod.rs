//! Contracts (docs/architecture.md §4): named sets of preconditions, postconditions and invariants written in
//! the expression language ([`crate::expr`]), each contract naming the response to a violation.
//!
//! A contract is written as JSON (see `samples/contracts/` and `schemas/contract.schema.json`):
//!
//! ```json
//! { "name": "gpu_power_trim",
//!   "variables": { "gpu.power_w": "double", "gpu.power_limit_w": "double" },
//!   "pre": ["gpu.power_limit_w > 0.0"],
//!   "post": ["gpu.power_w <= gpu.power_limit_w"],
//!   "invariants": [],
//!   "onViolation": "rollback" }
//! ```
//!
//! - **Variables are declared** with their type (`int`, `uint`, `double`, `bool`); a condition
//!   may only use declared names, so a misspelt name is a compile error (with a suggestion), not
//!   a condition that silently never holds. `{ "type": "double", "optional": true }` declares a
//!   variable that a context may lack (see below).
//! - Every condition is compiled **once**, when the contract is built; a condition must be of
//!   type `bool`. All problems of a definition are reported together, each with its JSON path
//!   and, inside an expression, line and column ([`ContractError::Invalid`]).
//! - **Fail closed**: a condition that reads a required variable the context lacks is a
//!   violation, as is a condition whose evaluation fails (overflow, division by zero, …) and a
//!   context value that does not fit the declared type (`72.5` for an `int`). A condition that
//!   reads an *optional* variable the context lacks (and no missing required one) is skipped,
//!   and listed as skipped in the result.
//! - The response (`onViolation`) is only named in the result: `rollback` restores the value
//!   an action replaced, `clamp` brings the value into bounds, `signal` raises a
//!   `SafetyViolation` signal. Carrying it out is the engine's job.

mod check;
mod context;
mod contract;
mod definition;
mod error;
mod names;
mod safety;
mod set;

pub use check::{CheckResult, SkippedCondition, Violation, ViolationReason};
pub use context::Context;
pub use contract::Contract;
pub use definition::{ConditionKind, ContractDef, OnViolation, VarType, VariableSpec};
pub use error::{ContractError, Problem};
pub use safety::{SAFETY_CONTRACT_NAME, safety_contract};
pub use set::ContractSet;

/// Validates a contract's JSON text without keeping it: every problem found, empty when valid.
/// Structural problems stop at the first (serde reads one error); expression problems are all
/// reported, each with its path and position.
pub fn validate_contract_json(text: &str) -> Vec<Problem> {
    match Contract::from_json(text) {
        Ok(_) => Vec::new(),
        Err(ContractError::Invalid { problems, .. }) => problems,
        // from_json only fails with Invalid; kept total so a new variant cannot hide a problem.
        Err(other) => vec![Problem::at("$", other.to_string())],
    }
}
