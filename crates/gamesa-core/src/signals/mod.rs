//! The signal scheduler: a deterministic, domain-ranked, bounded and coalescing priority queue
//! of [`Signal`]s.
//!
//! Signals come from telemetry (or from anyone) and wait until the governor handles them.
//! Dequeue order is domain rank first (safety > thermal > power > performance > efficiency >
//! maintenance by default, configurable per scheduler), then strength (higher first), then
//! arrival (first in). See [`SignalScheduler`] for expiry, coalescing and capacity rules.
//! Time is always an argument: the core never reads a clock.

mod batch;
mod error;
mod heap;
mod index;
mod kind;
mod scheduler;
mod signal;

pub use batch::{BatchOutcome, OwnedSignalColumns, SignalColumns};
pub use error::SignalError;
pub use kind::{DomainRanks, SignalDomain, SignalKind};
pub use scheduler::{
    DEFAULT_CAPACITY, EnqueueOutcome, SchedulerConfig, SignalScheduler, SignalStats,
};
pub use signal::{
    DEFAULT_TELEMETRY_SOURCE, DEFAULT_TELEMETRY_TTL_MS, Signal, TelemetryOptions, telemetry_signal,
};
