//! Errors of contracts: a definition that does not compile, an unknown name, a name taken.

use crate::ErrorCode;
use crate::error::codes;
use std::fmt;

/// One problem of a contract definition: where (a JSON path such as `$.invariants[1]`), what,
/// and for a problem inside an expression its 1-based line and column there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path of the offending value.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// Line inside the expression (1-based), for expression problems.
    pub line: Option<u32>,
    /// Column inside the expression (1-based, in characters), for expression problems.
    pub column: Option<u32>,
}

impl Problem {
    /// A problem at a JSON path, outside any expression.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
            line: None,
            column: None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(
                f,
                "{} (line {line}, column {column}): {}",
                self.path, self.message
            ),
            _ => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// What can go wrong with contracts. A violated condition is not an error: it is a
/// [`crate::contracts::Violation`] in a check's result.
#[derive(Debug, Clone, PartialEq)]
pub enum ContractError {
    /// The definition is malformed or a condition does not compile: every problem found.
    Invalid {
        /// The contract's name when it could be read.
        contract: Option<String>,
        /// At least one problem, in document order.
        problems: Vec<Problem>,
    },
    /// No contract of this name is registered.
    UnknownContract {
        /// The name asked for.
        name: String,
        /// The registered names, for the message.
        known: Vec<String>,
    },
    /// `register` was given a name already registered (use `replace` to mean it).
    DuplicateContract {
        /// The name.
        name: String,
    },
}

impl ErrorCode for ContractError {
    fn code(&self) -> &'static str {
        match self {
            ContractError::Invalid { .. } => codes::INVALID_CONTRACT,
            ContractError::UnknownContract { .. } => codes::UNKNOWN_CONTRACT,
            ContractError::DuplicateContract { .. } => codes::DUPLICATE_ID,
        }
    }
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContractError::Invalid { contract, problems } => {
                match contract {
                    Some(name) => write!(f, "invalid contract `{name}`")?,
                    None => f.write_str("invalid contract")?,
                }
                let n = problems.len();
                write!(f, " ({n} problem{}): ", if n == 1 { "" } else { "s" })?;
                for (i, p) in problems.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{p}")?;
                }
                Ok(())
            }
            ContractError::UnknownContract { name, known } => {
                write!(f, "unknown contract `{name}`")?;
                if known.is_empty() {
                    f.write_str(" (no contracts are registered)")
                } else {
                    write!(f, " (registered: {})", known.join(", "))
                }
            }
            ContractError::DuplicateContract { name } => write!(
                f,
                "a contract named `{name}` is already registered (replace it explicitly to mean it)"
            ),
        }
    }
}

impl std::error::Error for ContractError {}
