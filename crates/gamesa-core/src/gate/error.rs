//! The error of a gate configuration: where (a JSON path) and why (`INVALID_GATE`).

use crate::error::ErrorCode;
use crate::error::codes;
use std::fmt;

/// A rejected gate configuration. `path` is a JSON path such as
/// `$.actions.set_gpu_power_limit.maxStep` (relative to the gate document; see
/// [`GateError::under`] to place it inside a larger document such as `engine.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateError {
    /// JSON path of the offending value; `$` for malformed JSON.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl GateError {
    /// An error at `path`.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> GateError {
        GateError {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The same error with its root `$` replaced by `root` (e.g. `$.gate`), for a gate section
    /// embedded in a larger document.
    pub fn under(mut self, root: &str) -> GateError {
        if let Some(rest) = self.path.strip_prefix('$') {
            self.path = format!("{root}{rest}");
        }
        self
    }
}

impl fmt::Display for GateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid gate configuration at {}: {}",
            self.path, self.message
        )
    }
}

impl std::error::Error for GateError {}

impl ErrorCode for GateError {
    fn code(&self) -> &'static str {
        codes::INVALID_GATE
    }
}
