//! The market's one error type.

use crate::error::ErrorCode;
use crate::error::codes;
use std::fmt;

/// Why a market could not be built or an operation on it was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum MarketError {
    /// A configuration value breaks a rule (code `INVALID_CONFIG`). `path` is the JSON path of
    /// the offending value in the engine document, such as `$.market.kappa` or
    /// `$.agents[2].budgetPerTick` (`$` for malformed JSON).
    Config {
        /// JSON path of the offending value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A runtime argument is unusable (code `INVALID_ARGUMENT`): an agent index out of range,
    /// a charge that is negative or not finite.
    InvalidArgument {
        /// What is wrong.
        message: String,
    },
}

impl MarketError {
    pub(crate) fn config(path: impl Into<String>, message: impl Into<String>) -> MarketError {
        MarketError::Config {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The JSON path of a configuration error, `None` for runtime errors.
    pub fn path(&self) -> Option<&str> {
        match self {
            MarketError::Config { path, .. } => Some(path),
            MarketError::InvalidArgument { .. } => None,
        }
    }
}

impl fmt::Display for MarketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MarketError::Config { path, message } => write!(f, "{path}: {message}"),
            MarketError::InvalidArgument { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for MarketError {}

impl ErrorCode for MarketError {
    fn code(&self) -> &'static str {
        match self {
            MarketError::Config { .. } => codes::INVALID_CONFIG,
            MarketError::InvalidArgument { .. } => codes::INVALID_ARGUMENT,
        }
    }
}
