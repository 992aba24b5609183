//! Errors of the rule evaluator.

use crate::error::ErrorCode;
use crate::error::codes;
use crate::expr::EvalError;
use crate::features::Problem;
use std::fmt;
use std::sync::Arc;

/// A rule set that cannot be compiled: every problem of every bad rule (`INVALID_RULE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetError {
    /// Each problem with its rule id, JSON path and expression position.
    pub problems: Vec<Problem>,
}

impl fmt::Display for RuleSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid rules: ")?;
        crate::features::problem_list(f, &self.problems)
    }
}

impl std::error::Error for RuleSetError {}

impl ErrorCode for RuleSetError {
    fn code(&self) -> &'static str {
        codes::INVALID_RULE
    }
}

/// Which expression of a rule failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RulePart {
    /// `when`.
    When,
    /// `hysteresis.releaseWhen`.
    ReleaseWhen,
    /// `emitsSignal.strength`.
    Strength,
}

impl RulePart {
    /// The field's JSON name.
    pub const fn as_str(self) -> &'static str {
        match self {
            RulePart::When => "when",
            RulePart::ReleaseWhen => "hysteresis.releaseWhen",
            RulePart::Strength => "emitsSignal.strength",
        }
    }
}

/// A rule whose evaluation failed on one tick (the other rules were evaluated as usual).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFailure {
    /// Index of the rule in [`super::RuleSet::rules`].
    pub rule: usize,
    /// The rule's id.
    pub id: Arc<str>,
    /// The expression that failed.
    pub part: RulePart,
    /// Why (an absent variable is `EvalErrorKind::MissingBinding`).
    pub error: EvalError,
}

impl fmt::Display for RuleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rule `{}`, {}: {}",
            self.id,
            self.part.as_str(),
            self.error.message
        )
    }
}
