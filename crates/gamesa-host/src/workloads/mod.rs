//! Workload agents from live processes: which processes form the priority workload and the
//! background ([`select`]), one pass over `/proc` that classifies them and measures what they
//! use ([`scan`], reading through [`proc_read`]), and the settings the engine's actions give
//! them ([`live`]). docs/workloads.md describes the configuration and the variables.

pub mod live;
mod machine;
pub mod proc_read;
pub mod scan;
pub mod select;

pub use live::{ActionResult, GAMEMODE_WORKLOAD, LiveAction, LivePass, LiveWorkloads, Released};
pub use scan::{ProcessRecord, Role, ScanReport, ScannerOptions, WorkloadScanner};
pub use select::{DEFAULT_EXCLUDE, Selector, WorkloadDef, WorkloadsConfig};
