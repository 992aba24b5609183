//! Binding for `gamesa_core::contracts`: converts and forwards. Parsing, compiling and checking
//! are the core's. Contracts cross as JSON text (compiled once, so the text costs nothing on
//! the checking path); a check's context crosses as a plain object of numbers, booleans and
//! BigInts (`convert::from_js_value`: `INVALID_ARGUMENT` for a BigInt beyond 64 bits); what a
//! value may become for its declared type is the core's coercion.
//!
//! A check through objects costs a few µs, nearly all of it building and reading napi objects
//! (~0.2 µs per property). [`NativeContractSet::check_packed`] is the fast path the TypeScript
//! `ContractValidator` takes: the context as typed arrays in the contract's variable order,
//! and a short array of numbers back; only a violated check is then asked again for its
//! objects. The typed arrays are borrowed as slices: wrapping them as napi `TypedArray`s (a
//! reference each, and a new external buffer for a `Uint32Array` result) measured ~3.5 µs per
//! call.
//! Exported functions spell `Result<T, JsError>` because napi-derive recognises a fallible
//! return by the name `Result`, not through an alias.

use crate::convert::{count, from_js_value, to_js_value};
use crate::errors::{JsError, guard, js_error, to_js};
use gamesa_core::contracts as core;
use gamesa_core::error::codes;
use gamesa_core::expr::{Type, Value, coerce_packed};
use napi::bindgen_prelude::{BigInt, Either3};
use napi_derive::napi;
use std::collections::BTreeMap;

/// Which list of a contract a condition belongs to.
#[napi(string_enum)]
pub enum ContractConditionKind {
    #[napi(value = "pre")]
    Pre,
    #[napi(value = "post")]
    Post,
    #[napi(value = "invariant")]
    Invariant,
}

impl From<ContractConditionKind> for core::ConditionKind {
    fn from(k: ContractConditionKind) -> Self {
        match k {
            ContractConditionKind::Pre => core::ConditionKind::Pre,
            ContractConditionKind::Post => core::ConditionKind::Post,
            ContractConditionKind::Invariant => core::ConditionKind::Invariant,
        }
    }
}

impl From<core::ConditionKind> for ContractConditionKind {
    fn from(k: core::ConditionKind) -> Self {
        match k {
            core::ConditionKind::Pre => ContractConditionKind::Pre,
            core::ConditionKind::Post => ContractConditionKind::Post,
            core::ConditionKind::Invariant => ContractConditionKind::Invariant,
        }
    }
}

/// The response a violated contract names (carried out by the engine).
#[napi(string_enum)]
pub enum ContractResponse {
    /// Restore the value the action replaced.
    #[napi(value = "rollback")]
    Rollback,
    /// Bring the value back into bounds.
    #[napi(value = "clamp")]
    Clamp,
    /// Raise a SafetyViolation signal.
    #[napi(value = "signal")]
    Signal,
}

impl From<core::OnViolation> for ContractResponse {
    fn from(r: core::OnViolation) -> Self {
        match r {
            core::OnViolation::Rollback => ContractResponse::Rollback,
            core::OnViolation::Clamp => ContractResponse::Clamp,
            core::OnViolation::Signal => ContractResponse::Signal,
        }
    }
}

/// Why a condition counts as violated.
#[napi(string_enum)]
pub enum ViolationReason {
    /// The condition is false.
    #[napi(value = "failed")]
    Failed,
    /// The context lacks a required variable it reads (fail closed).
    #[napi(value = "missing_variable")]
    MissingVariable,
    /// A context value does not fit its declared type.
    #[napi(value = "invalid_value")]
    InvalidValue,
    /// Evaluating it failed (overflow, division by zero, …).
    #[napi(value = "eval_error")]
    EvalError,
}

/// One violated condition of a check.
#[napi(object)]
pub struct ContractViolation {
    /// The contract's name.
    pub contract: String,
    /// The condition's source text.
    pub condition: String,
    pub kind: ContractConditionKind,
    /// Index of the condition in its list (`pre`, `post` or `invariants`).
    pub index: u32,
    pub reason: ViolationReason,
    /// A one-line explanation naming the condition and the values.
    pub message: String,
    /// The variables the condition reads that the context has, with their values.
    pub values: BTreeMap<String, Either3<f64, bool, BigInt>>,
    /// The required variables it reads that the context lacks.
    pub missing: Vec<String>,
    /// The evaluation or value error, for `eval_error` and `invalid_value`.
    pub error: Option<String>,
}

/// A condition skipped because an optional variable it reads was absent.
#[napi(object)]
pub struct ContractSkippedCondition {
    pub condition: String,
    pub kind: ContractConditionKind,
    pub index: u32,
    /// The absent optional variables.
    pub absent: Vec<String>,
}

/// The result of a check.
#[napi(object)]
pub struct ContractCheckResult {
    /// True when no condition was violated.
    pub ok: bool,
    /// The contract's response when a condition was violated.
    pub response: Option<ContractResponse>,
    pub violations: Vec<ContractViolation>,
    pub skipped: Vec<ContractSkippedCondition>,
}

/// A problem of a contract definition: JSON path, message, and line/column inside an expression.
#[napi(object)]
pub struct ContractProblem {
    pub path: String,
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl From<core::Problem> for ContractProblem {
    fn from(p: core::Problem) -> Self {
        ContractProblem {
            path: p.path,
            message: p.message,
            line: p.line,
            column: p.column,
        }
    }
}

impl From<core::CheckResult> for ContractCheckResult {
    fn from(r: core::CheckResult) -> Self {
        ContractCheckResult {
            ok: r.ok,
            response: r.response.map(ContractResponse::from),
            violations: r
                .violations
                .into_iter()
                .map(|v| {
                    let message = v.message();
                    let (reason, error) = match v.reason {
                        core::ViolationReason::Failed => (ViolationReason::Failed, None),
                        core::ViolationReason::MissingVariable => {
                            (ViolationReason::MissingVariable, None)
                        }
                        core::ViolationReason::InvalidValue(m) => {
                            (ViolationReason::InvalidValue, Some(m))
                        }
                        core::ViolationReason::EvalError(e) => {
                            (ViolationReason::EvalError, Some(e.to_string()))
                        }
                    };
                    ContractViolation {
                        contract: v.contract,
                        condition: v.condition,
                        kind: v.kind.into(),
                        index: count(v.index),
                        reason,
                        message,
                        values: v
                            .values
                            .into_iter()
                            .map(|(n, x)| (n, to_js_value(x)))
                            .collect(),
                        missing: v.missing,
                        error,
                    }
                })
                .collect(),
            skipped: r
                .skipped
                .into_iter()
                .map(|s| ContractSkippedCondition {
                    condition: s.condition,
                    kind: s.kind.into(),
                    index: count(s.index),
                    absent: s.absent,
                })
                .collect(),
        }
    }
}

/// The JSON definition of the built-in `safety_check` contract (what `SAFETY_CONTRACT` is).
#[napi]
pub fn safety_contract_json() -> Result<String, JsError> {
    guard(|| Ok(core::safety_contract().to_json()))
}

/// Every problem of a contract's JSON text (empty when valid): structure, names, and each
/// condition's compile errors with line and column.
#[napi]
pub fn validate_contract_json(json: String) -> Result<Vec<ContractProblem>, JsError> {
    guard(|| {
        Ok(core::validate_contract_json(&json)
            .into_iter()
            .map(ContractProblem::from)
            .collect())
    })
}

/// Tags of [`NativeContractSet::check_packed`]'s context: what `values[i]` holds. Any other
/// tag (the TypeScript side writes 0) means the context lacks the variable.
const TAG_DOUBLE: u8 = 1;
/// A boolean: `values[i]` is 0 or 1.
const TAG_BOOL: u8 = 2;

/// A context given as values in the contract's variable order (see `check_packed`).
struct PackedContext<'a> {
    contract: &'a core::Contract,
    values: &'a [f64],
    tags: &'a [u8],
}

impl core::Context for PackedContext<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        let i = self.contract.variables().position(|(n, _)| n == name)?;
        self.get_at(i, name)
    }

    /// The core asks by slot, which is the index into the packed arrays.
    fn get_at(&self, slot: usize, _name: &str) -> Option<Value> {
        let value = *self.values.get(slot)?;
        match *self.tags.get(slot)? {
            TAG_DOUBLE => Some(Value::Double(value)),
            // A boolean travels as 0 or 1; anything else goes to the core as the number it is,
            // which the core's coercion reports as an invalid value.
            TAG_BOOL => Some(coerce_packed(value, Type::Bool).unwrap_or(Value::Double(value))),
            _ => None,
        }
    }
}

/// Compiled contracts by name; wrapped by the TypeScript `ContractValidator`.
#[napi]
pub struct NativeContractSet {
    inner: core::ContractSet,
}

#[napi]
impl NativeContractSet {
    /// A set holding the built-in `safety_check` contract, or an empty one.
    #[napi(constructor)]
    pub fn new(with_safety: bool) -> Result<Self, JsError> {
        guard(|| {
            Ok(NativeContractSet {
                inner: if with_safety {
                    core::ContractSet::with_safety()
                } else {
                    core::ContractSet::new()
                },
            })
        })
    }

    /// Compiles and adds a contract from JSON; returns its name (`INVALID_CONTRACT`,
    /// `DUPLICATE_ID` when the name is taken).
    #[napi]
    pub fn register(&mut self, json: String) -> Result<String, JsError> {
        guard(|| {
            let contract = core::Contract::from_json(&json).map_err(to_js)?;
            let name = contract.name().to_string();
            self.inner.register(contract).map_err(to_js)?;
            Ok(name)
        })
    }

    /// Compiles and adds or replaces a contract; true when one was replaced.
    #[napi]
    pub fn replace(&mut self, json: String) -> Result<bool, JsError> {
        guard(|| {
            let contract = core::Contract::from_json(&json).map_err(to_js)?;
            Ok(self.inner.replace(contract).is_some())
        })
    }

    /// Removes a contract; true when there was one.
    #[napi]
    pub fn remove(&mut self, name: String) -> Result<bool, JsError> {
        guard(|| Ok(self.inner.remove(&name).is_some()))
    }

    /// Whether a contract of this name is registered.
    #[napi]
    pub fn has(&self, name: String) -> Result<bool, JsError> {
        guard(|| Ok(self.inner.get(&name).is_some()))
    }

    /// The registered names, sorted.
    #[napi]
    pub fn names(&self) -> Result<Vec<String>, JsError> {
        guard(|| Ok(self.inner.names().map(str::to_string).collect()))
    }

    /// The JSON definition of a registered contract, or null.
    #[napi]
    pub fn definition_json(&self, name: String) -> Result<Option<String>, JsError> {
        guard(|| Ok(self.inner.get(&name).map(|c| c.definition().to_json())))
    }

    /// The declared variable names of contract `name`, in the order `check_packed` takes
    /// values (sorted), or null when there is no such contract.
    #[napi]
    pub fn variables(&self, name: String) -> Result<Option<Vec<String>>, JsError> {
        guard(|| {
            Ok(self
                .inner
                .get(&name)
                .map(|c| c.variables().map(|(n, _)| n.to_string()).collect()))
        })
    }

    /// Checks one kind of condition (`kind`: 0 pre, 1 post, 2 invariant — a number, as a
    /// string enum costs a string conversion) with the context packed: `values[i]` and `tags[i]` (0
    /// absent, 1 number, 2 boolean as 0/1) for the i-th of `variables(name)`. Returns
    /// `[violations, skipped, then per skipped condition: index, n, n variable indices]`.
    /// `UNKNOWN_CONTRACT` if absent; `INVALID_ARGUMENT` when the arrays do not match.
    #[napi]
    pub fn check_packed(
        &self,
        name: String,
        kind: u32,
        values: &[f64],
        tags: &[u8],
    ) -> Result<Vec<u32>, JsError> {
        guard(|| {
            let contract = self.inner.get(&name).ok_or_else(|| {
                to_js(core::ContractError::UnknownContract {
                    name: name.clone(),
                    known: self.inner.names().map(str::to_string).collect(),
                })
            })?;
            let n = contract.variables().count();
            if values.len() != n || tags.len() != n {
                return Err(js_error(
                    codes::INVALID_ARGUMENT,
                    format!(
                        "contract `{name}` declares {n} variables; got {} values and {} tags",
                        values.len(),
                        tags.len()
                    ),
                ));
            }
            let context = PackedContext {
                contract,
                values,
                tags,
            };
            let kind = usize::try_from(kind)
                .ok()
                .and_then(|k| core::ConditionKind::ALL.get(k))
                .ok_or_else(|| {
                    js_error(
                        codes::INVALID_ARGUMENT,
                        format!("kind must be 0, 1 or 2, got {kind}"),
                    )
                })?;
            let result = contract.check(*kind, &context);
            let mut summary = vec![count(result.violations.len()), count(result.skipped.len())];
            for skipped in &result.skipped {
                summary.push(count(skipped.index));
                summary.push(count(skipped.absent.len()));
                for absent in &skipped.absent {
                    let i = contract.variables().position(|(n, _)| n == absent);
                    summary.push(count(i.unwrap_or(usize::MAX)));
                }
            }
            Ok(summary)
        })
    }

    /// Checks one kind of condition of contract `name` (`UNKNOWN_CONTRACT` if absent).
    #[napi]
    pub fn check(
        &self,
        name: String,
        kind: ContractConditionKind,
        context: BTreeMap<String, Either3<f64, bool, BigInt>>,
    ) -> Result<ContractCheckResult, JsError> {
        guard(|| {
            let context = context
                .iter()
                .map(|(n, v)| Ok((n.clone(), from_js_value("context", n, v)?)))
                .collect::<Result<BTreeMap<String, Value>, JsError>>()?;
            self.inner
                .check(&name, kind.into(), &context)
                .map(ContractCheckResult::from)
                .map_err(to_js)
        })
    }
}
