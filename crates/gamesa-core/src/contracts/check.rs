//! What a check returns: whether every condition held, and what broke when not.

use super::definition::{ConditionKind, OnViolation};
use crate::expr::{EvalError, Value};
use std::fmt;

/// The result of checking one kind of condition of one contract against a context.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// True when no condition was violated (skipped conditions do not count against it).
    pub ok: bool,
    /// The contract's response when `ok` is false; `None` when it is true.
    pub response: Option<OnViolation>,
    /// Every violated condition, in the contract's order.
    pub violations: Vec<Violation>,
    /// Conditions not evaluated because an optional variable was absent, in order.
    pub skipped: Vec<SkippedCondition>,
}

/// Why a condition counts as violated.
#[derive(Debug, Clone, PartialEq)]
pub enum ViolationReason {
    /// The condition evaluated to `false`.
    Failed,
    /// The context lacks required variables the condition reads (fail closed).
    MissingVariable,
    /// A context value does not fit its declared type (e.g. `72.5` for an `int`).
    InvalidValue(String),
    /// Evaluating the condition failed (overflow, division by zero, …): fail closed.
    EvalError(EvalError),
}

impl ViolationReason {
    /// `failed`, `missing_variable`, `invalid_value` or `eval_error`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ViolationReason::Failed => "failed",
            ViolationReason::MissingVariable => "missing_variable",
            ViolationReason::InvalidValue(_) => "invalid_value",
            ViolationReason::EvalError(_) => "eval_error",
        }
    }
}

/// One violated condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The contract's name.
    pub contract: String,
    /// The condition's source text.
    pub condition: String,
    /// Which list it is in.
    pub kind: ConditionKind,
    /// Its index in that list (its JSON path is `$.<field>[index]`).
    pub index: usize,
    /// Why it counts as violated.
    pub reason: ViolationReason,
    /// The variables it reads that the context has, with their values, sorted by name.
    pub values: Vec<(String, Value)>,
    /// The variables it reads that the context lacks (required ones), sorted by name.
    pub missing: Vec<String>,
}

impl Violation {
    /// A one-line explanation, e.g. ``invariant `temp_cpu < 95.0` is false (temp_cpu = 97.5)``.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} `{}` of contract `{}`",
            self.kind, self.condition, self.contract
        )?;
        match &self.reason {
            ViolationReason::Failed => f.write_str(" is false")?,
            ViolationReason::MissingVariable => write!(
                f,
                " cannot be checked: the context lacks {}",
                self.missing.join(", ")
            )?,
            ViolationReason::InvalidValue(message) => write!(f, " cannot be checked: {message}")?,
            ViolationReason::EvalError(e) => write!(f, " failed to evaluate: {e}")?,
        }
        if !self.values.is_empty() {
            f.write_str(" (")?;
            for (i, (name, value)) in self.values.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{name} = {value}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A condition not evaluated because optional variables it reads were absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedCondition {
    /// The condition's source text.
    pub condition: String,
    /// Which list it is in.
    pub kind: ConditionKind,
    /// Its index in that list.
    pub index: usize,
    /// The absent optional variables, sorted by name.
    pub absent: Vec<String>,
}
