//! Errors of the engine: a configuration that cannot be built, and the few ways a tick's
//! arguments can be wrong. Rule failures, rejected actions and violated contracts are not
//! errors: they are part of the tick's output.

use crate::error::ErrorCode;
use crate::error::codes;
use crate::features::Problem;
use std::fmt;

/// The latest tick time accepted, ms: JavaScript's largest `Date` (8.64e15 ms, the year
/// 275760). A later time is a unit mistake (seconds read as ms twice, a raw counter), and
/// accepting it would refuse every later, correct tick as "earlier than the previous one".
pub const MAX_TIME_MS: f64 = 8.64e15;

/// Why an engine could not be built or a tick could not run.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineError {
    /// The configuration is invalid: every problem, each with its JSON path (and line and
    /// column inside an expression).
    InvalidConfig { problems: Vec<Problem> },
    /// `now_ms` is outside `0..=MAX_TIME_MS` (NaN included), or earlier than the previous
    /// tick's.
    InvalidTime {
        now_ms: f64,
        previous_ms: Option<f64>,
    },
    /// A tick's input is malformed (wrong number of values, a value of the wrong type).
    InvalidInput { message: String },
}

impl EngineError {
    /// One problem at `path`.
    pub fn config(path: impl Into<String>, message: impl Into<String>) -> EngineError {
        EngineError::InvalidConfig {
            problems: vec![Problem::at(None, path, message)],
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::InvalidConfig { problems } => {
                f.write_str("invalid engine config: ")?;
                crate::features::problem_list(f, problems)
            }
            EngineError::InvalidTime {
                now_ms,
                previous_ms: Some(p),
            } => write!(
                f,
                "invalid tick time {now_ms} ms: ticks must be within 0..={MAX_TIME_MS} ms and not earlier than the previous one ({p} ms)"
            ),
            EngineError::InvalidTime { now_ms, .. } => {
                write!(
                    f,
                    "invalid tick time {now_ms} ms: must be within 0..={MAX_TIME_MS} ms"
                )
            }
            EngineError::InvalidInput { message } => write!(f, "invalid tick input: {message}"),
        }
    }
}

impl std::error::Error for EngineError {}

impl ErrorCode for EngineError {
    fn code(&self) -> &'static str {
        match self {
            EngineError::InvalidConfig { .. } => codes::INVALID_ENGINE_CONFIG,
            EngineError::InvalidTime { .. } | EngineError::InvalidInput { .. } => {
                codes::INVALID_ARGUMENT
            }
        }
    }
}
