//! Errors of the plant simulator: a scenario that cannot be simulated, or an actuation the
//! simulated machine refuses (as the real kernel or driver would).

use crate::error::ErrorCode;
use crate::error::codes;
use std::fmt;

/// What went wrong in the simulator.
#[derive(Debug, Clone, PartialEq)]
pub enum SimError {
    /// The scenario document is malformed or breaks a rule (`INVALID_SCENARIO`). `path` is the
    /// JSON path of the offending value, such as `$.machine.cpu.cores`; `$` for malformed JSON.
    InvalidScenario {
        /// JSON path of the problem.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An actuation the plant cannot apply (`INVALID_ACTUATION`): unknown kind or target, a
    /// value that is not finite or outside what the device accepts.
    InvalidActuation {
        /// The actuation's kind as given.
        kind: String,
        /// The actuation's target as given.
        target: String,
        /// What is wrong.
        message: String,
    },
}

impl SimError {
    /// A scenario problem at `path`.
    pub fn scenario(path: impl Into<String>, message: impl Into<String>) -> SimError {
        SimError::InvalidScenario {
            path: path.into(),
            message: message.into(),
        }
    }

    /// An actuation problem.
    pub fn actuation(kind: &str, target: &str, message: impl Into<String>) -> SimError {
        SimError::InvalidActuation {
            kind: kind.to_string(),
            target: target.to_string(),
            message: message.into(),
        }
    }

    /// The JSON path of a scenario problem, `None` for actuation errors.
    pub fn path(&self) -> Option<&str> {
        match self {
            SimError::InvalidScenario { path, .. } => Some(path),
            SimError::InvalidActuation { .. } => None,
        }
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::InvalidScenario { path, message } => write!(f, "{path}: {message}"),
            SimError::InvalidActuation {
                kind,
                target,
                message,
            } => write!(f, "actuation {kind} on {target}: {message}"),
        }
    }
}

impl std::error::Error for SimError {}

impl ErrorCode for SimError {
    fn code(&self) -> &'static str {
        match self {
            SimError::InvalidScenario { .. } => codes::INVALID_SCENARIO,
            SimError::InvalidActuation { .. } => codes::INVALID_ACTUATION,
        }
    }
}
