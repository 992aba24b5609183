//! Errors of the allocator. Every variant carries what a caller needs to understand the refusal
//! (resource, amount, what was free) and maps to one stable code.

use super::config::ConfigError;
use crate::error::ErrorCode;
use crate::error::codes;
use crate::types::ResourceType;
use std::fmt;

/// Why an allocator call was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum AllocError {
    /// The pool cannot hold the request (`INSUFFICIENT_CAPACITY`).
    InsufficientCapacity {
        /// Pool that refused.
        resource: ResourceType,
        /// Lease id of the refused request.
        id: String,
        /// Amount asked for.
        requested: f64,
        /// Free amount at the time of the request.
        free: f64,
        /// Largest amount a single placement could have received (a hole, a block or, for a
        /// preemptive pool, what preemption could have freed as well).
        largest_free_block: f64,
    },
    /// An amount, capacity, weight or similar number is not acceptable (`INVALID_AMOUNT`).
    InvalidAmount {
        /// Pool concerned.
        resource: ResourceType,
        /// Which field was wrong: `amount`, `capacity` or `weight`.
        field: &'static str,
        /// The offending value.
        value: f64,
        /// What a valid value looks like.
        reason: String,
    },
    /// The resource has no pool in this allocator (`UNKNOWN_RESOURCE`).
    UnknownResource {
        /// Resource asked for.
        resource: ResourceType,
        /// Resources that are configured, in `ResourceType::ALL` order.
        configured: Vec<ResourceType>,
    },
    /// No live lease has this id (`UNKNOWN_LEASE`).
    UnknownLease {
        /// The id asked for.
        id: String,
    },
    /// A live lease already uses this id (`DUPLICATE_ID`).
    DuplicateId {
        /// The id.
        id: String,
        /// Pool of the live lease holding the id.
        resource: ResourceType,
    },
    /// The configuration was rejected (`INVALID_CONFIG`).
    InvalidConfig(ConfigError),
}

impl From<ConfigError> for AllocError {
    fn from(e: ConfigError) -> Self {
        AllocError::InvalidConfig(e)
    }
}

impl ErrorCode for AllocError {
    fn code(&self) -> &'static str {
        match self {
            AllocError::InsufficientCapacity { .. } => codes::INSUFFICIENT_CAPACITY,
            AllocError::InvalidAmount { .. } => codes::INVALID_AMOUNT,
            AllocError::UnknownResource { .. } => codes::UNKNOWN_RESOURCE,
            AllocError::UnknownLease { .. } => codes::UNKNOWN_LEASE,
            AllocError::DuplicateId { .. } => codes::DUPLICATE_ID,
            AllocError::InvalidConfig(_) => codes::INVALID_CONFIG,
        }
    }
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllocError::InsufficientCapacity {
                resource,
                id,
                requested,
                free,
                largest_free_block,
            } => write!(
                f,
                "cannot allocate {requested} {resource} for lease '{id}': {free} free, \
                 largest free block {largest_free_block}"
            ),
            AllocError::InvalidAmount {
                resource,
                field,
                value,
                reason,
            } => write!(f, "invalid {field} {value} for {resource}: {reason}"),
            AllocError::UnknownResource {
                resource,
                configured,
            } => {
                let names: Vec<&str> = configured.iter().map(|r| r.as_str()).collect();
                write!(
                    f,
                    "resource {resource} has no pool in this allocator (configured: {})",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                )
            }
            AllocError::UnknownLease { id } => write!(f, "no live lease has id '{id}'"),
            AllocError::DuplicateId { id, resource } => {
                write!(f, "lease id '{id}' is already live on {resource}")
            }
            AllocError::InvalidConfig(e) => write!(f, "invalid allocator config: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages_name_the_problem() {
        let e = AllocError::InsufficientCapacity {
            resource: ResourceType::CpuCores,
            id: "job".into(),
            requested: 5.0,
            free: 3.0,
            largest_free_block: 2.0,
        };
        assert_eq!(e.code(), "INSUFFICIENT_CAPACITY");
        let m = e.to_string();
        assert!(
            m.contains("cpu_cores") && m.contains('5') && m.contains("3 free"),
            "{m}"
        );
        let e = AllocError::UnknownResource {
            resource: ResourceType::PowerBudget,
            configured: vec![ResourceType::CpuCores],
        };
        assert_eq!(e.code(), "UNKNOWN_RESOURCE");
        assert!(e.to_string().contains("power_budget") && e.to_string().contains("cpu_cores"));
        assert_eq!(
            AllocError::UnknownLease { id: "x".into() }.code(),
            "UNKNOWN_LEASE"
        );
        let e = AllocError::DuplicateId {
            id: "x".into(),
            resource: ResourceType::CpuTime,
        };
        assert_eq!(e.code(), "DUPLICATE_ID");
        let e = AllocError::InvalidAmount {
            resource: ResourceType::CpuTime,
            field: "amount",
            value: -1.0,
            reason: "must be > 0".into(),
        };
        assert_eq!(e.code(), "INVALID_AMOUNT");
        assert!(e.to_string().contains("-1") && e.to_string().contains("cpu_time"));
    }
}
