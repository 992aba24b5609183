//! Errors of the signal scheduler, each with a stable code.

use crate::ErrorCode;
use crate::error::codes;
use std::fmt;

/// What can go wrong when building signals or schedulers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignalError {
    /// A signal field or a call argument is out of range (`INVALID_ARGUMENT`). The message
    /// names the field and the value.
    InvalidArgument(String),
    /// A scheduler option is invalid (`INVALID_CONFIG`). The message names the option.
    InvalidConfig(String),
}

impl fmt::Display for SignalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignalError::InvalidArgument(m) | SignalError::InvalidConfig(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SignalError {}

impl ErrorCode for SignalError {
    fn code(&self) -> &'static str {
        match self {
            SignalError::InvalidArgument(_) => codes::INVALID_ARGUMENT,
            SignalError::InvalidConfig(_) => codes::INVALID_CONFIG,
        }
    }
}
