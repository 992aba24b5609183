//! Machine telemetry for GAMESA: readers for `/proc`, `/sys`, cgroups, RAPL and NVML that
//! produce a [`Snapshot`] of named variables (catalog in `docs/telemetry.md`, matching
//! `gamesa_core::features::telemetry_catalog`).
//!
//! Every reader takes a [`SysRoot`] so tests run on fake trees, documents the file it reads
//! and the unit, and reports an unavailable reading as absent with its reason — never as a
//! made-up zero. Readers never look at a clock: rates take `Instant`s from the caller.

pub mod cgroup;
pub mod collector;
pub mod cpufreq;
pub mod error;
pub mod gpu;
pub mod loadavg;
pub mod meminfo;
mod parse;
pub mod processes;
pub mod psi;
pub mod rapl;
pub mod root;
pub mod sampler;
pub mod snapshot;
pub mod stat;
pub mod thermal;

pub use collector::{Collector, CollectorConfig, SOURCES};
pub use error::ReadError;
pub use processes::{ProcessInfo, ProcessReader, ProcessesError};
pub use root::SysRoot;
pub use sampler::{ProcessesReading, Sampler, SamplerConfig, SamplerError, SubscriptionId};
pub use snapshot::{Snapshot, SourceStatus};
