//! Errors of the effect checker and the audit trail.

use super::effect::Effect;
use crate::error::ErrorCode;
use crate::error::codes;
use std::fmt;

/// What can go wrong when granting, revoking or checking effects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EffectError {
    /// `require` found no grant that covers the request. Code `CAPABILITY_DENIED`.
    CapabilityDenied {
        agent: String,
        effect: Effect,
        target: Option<String>,
        /// The same reason the audit record carries.
        reason: String,
    },
    /// An argument was malformed (empty agent, bad pattern, expiry in the past, …); nothing
    /// was decided or recorded. Code `INVALID_ARGUMENT`.
    InvalidArgument {
        /// Which argument, e.g. `agent`, `target pattern`, `expiresAtMs`.
        what: String,
        message: String,
    },
}

impl fmt::Display for EffectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EffectError::CapabilityDenied {
                agent,
                effect,
                target,
                reason,
            } => {
                write!(f, "agent '{agent}' may not perform {effect}")?;
                if let Some(t) = target {
                    write!(f, " on target '{t}'")?;
                }
                write!(f, ": {reason}")
            }
            EffectError::InvalidArgument { what, message } => {
                write!(f, "invalid {what}: {message}")
            }
        }
    }
}

impl std::error::Error for EffectError {}

impl ErrorCode for EffectError {
    fn code(&self) -> &'static str {
        match self {
            EffectError::CapabilityDenied { .. } => codes::CAPABILITY_DENIED,
            EffectError::InvalidArgument { .. } => codes::INVALID_ARGUMENT,
        }
    }
}

/// An audit trail that could not be loaded because it does not verify. Code `AUDIT_CORRUPT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCorrupt {
    /// 1-based NDJSON line of the first bad record, when the trail came from text.
    pub line: Option<usize>,
    /// The sequence number expected at the first bad position.
    pub seq: u64,
    /// What is wrong there.
    pub reason: String,
}

impl fmt::Display for AuditCorrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "audit trail does not verify at seq {}", self.seq)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for AuditCorrupt {}

impl ErrorCode for AuditCorrupt {
    fn code(&self) -> &'static str {
        codes::AUDIT_CORRUPT
    }
}
