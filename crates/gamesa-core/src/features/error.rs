//! Errors of the feature engine.

use super::problem::{Problem, problem_list};
use crate::error::ErrorCode;
use crate::error::codes;
use crate::expr::Type;
use std::fmt;

/// A feature document that cannot be used: every problem found (`INVALID_CONFIG`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureError {
    /// Each problem with its feature, JSON path and expression position.
    pub problems: Vec<Problem>,
}

impl fmt::Display for FeatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid features: ")?;
        problem_list(f, &self.problems)
    }
}

impl std::error::Error for FeatureError {}

impl ErrorCode for FeatureError {
    fn code(&self) -> &'static str {
        codes::INVALID_CONFIG
    }
}

/// A value that does not fit a snapshot slot (`INVALID_ARGUMENT`).
#[derive(Debug, Clone, PartialEq)]
pub enum SnapshotError {
    /// The name is not declared.
    Undeclared {
        /// The name given.
        name: String,
    },
    /// The slot index is past the end.
    NoSuchSlot {
        /// The index given.
        slot: usize,
        /// Number of slots.
        len: usize,
    },
    /// The value's type is not the declared one.
    TypeMismatch {
        /// The variable.
        name: String,
        /// Its declared type.
        expected: Type,
        /// The type given.
        got: Type,
    },
    /// A number that the declared type cannot hold exactly (a fraction for an int, a
    /// negative for a uint, 2 for a bool...).
    NotRepresentable {
        /// The variable.
        name: String,
        /// Its declared type.
        expected: Type,
        /// The number given.
        value: f64,
    },
    /// A snapshot built for other declarations than the engine's.
    WrongDeclarations {
        /// Slots the engine expects.
        expected: usize,
        /// Slots the snapshot has.
        got: usize,
    },
    /// A time that is not a finite number.
    InvalidTime {
        /// The value given.
        now_ms: f64,
    },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Undeclared { name } => write!(f, "variable `{name}` is not declared"),
            SnapshotError::NoSuchSlot { slot, len } => {
                write!(f, "slot {slot} does not exist (there are {len})")
            }
            SnapshotError::TypeMismatch {
                name,
                expected,
                got,
            } => write!(
                f,
                "variable `{name}` is {}, got a {} value",
                expected.as_str(),
                got.as_str()
            ),
            SnapshotError::NotRepresentable {
                name,
                expected,
                value,
            } => write!(
                f,
                "variable `{name}` is {} and cannot hold {value}",
                expected.as_str()
            ),
            SnapshotError::WrongDeclarations { expected, got } => write!(
                f,
                "the snapshot was built for other declarations ({got} slots, expected {expected} with the same types)"
            ),
            SnapshotError::InvalidTime { now_ms } => {
                write!(f, "nowMs must be a finite number, got {now_ms}")
            }
        }
    }
}

impl std::error::Error for SnapshotError {}

impl ErrorCode for SnapshotError {
    fn code(&self) -> &'static str {
        codes::INVALID_ARGUMENT
    }
}
