//! Host-side I/O for GAMESA: files today, actuators later.
//!
//! `gamesa-core` never touches the machine; this crate does, and keeps the logic that needs
//! it: the audit file ([`audit_file`]), the checker that writes to it
//! ([`audited_checker`]) and trace replay ([`replay`]).

pub mod audit_file;
pub mod audited_checker;
pub mod clock;
pub mod error;
pub mod replay;
pub mod signal_ids;

pub use audit_file::{AuditFile, AuditFileOptions, OpenReport, inspect_audit_file};
pub use audited_checker::AuditedChecker;
pub use error::HostError;

#[cfg(test)]
mod tests;
