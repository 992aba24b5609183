//! Host-side I/O for GAMESA: files, and the actuators that change the machine.
//!
//! `gamesa-core` never touches the machine; this crate does, and keeps the logic that needs
//! it: the audit file ([`audit_file`]), the checker that writes to it
//! ([`audited_checker`]), trace replay ([`replay`]), and the actuators ([`actuate`]) with
//! their journal ([`journal`]) and its undoing ([`restore`]), and the workload agents of live
//! processes ([`workloads`]).

pub mod actuate;
pub mod audit_file;
pub mod audited_checker;
pub mod clock;
pub mod error;
pub mod files;
pub mod gamemode;
pub mod journal;
pub mod platform;
pub mod privilege;
pub mod replay;
pub mod restore;
mod restore_born;
pub mod signal_ids;
pub mod workloads;

pub use actuate::{Actuator, ActuatorOptions, Change, Outcome};
pub use audit_file::{AuditFile, AuditFileOptions, OpenReport, inspect_audit_file};
pub use audited_checker::AuditedChecker;
pub use error::HostError;
pub use journal::{Journal, default_journal_dir, default_journal_path};
pub use restore::{RestoreReport, restore};

#[cfg(test)]
mod tests;
