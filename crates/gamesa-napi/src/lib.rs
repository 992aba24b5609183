//! The Node binding: converts and forwards to `gamesa-core`, `gamesa-host` and
//! `gamesa-telemetry`; no logic lives here. The conversions the files share are in `convert.rs`.
//!
//! Every exported function and method runs inside [`errors::guard`], so a Rust panic becomes a
//! JS `Error` with code `INTERNAL_PANIC` instead of aborting Node.

// napi-derive registers exports only outside `cfg(test)`: in the unit-test build every export
// looks unused, although Node reaches all of them through the generated registration.
#![cfg_attr(test, allow(dead_code))]

mod actuation;
mod allocation;
mod catalog;
mod config_checks;
mod contracts;
mod convert;
mod decisions;
mod effects;
mod engine;
mod errors;
mod expr;
mod features;
mod file_lock;
mod rules;
mod signals;
mod telemetry;
mod workloads;

use napi_derive::napi;

/// The version of the native addon (the crate version), to check that JS and native agree.
#[napi]
pub fn native_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Does nothing: the cost of crossing into native code and back, the baseline for benchmarks.
#[napi]
pub fn noop() {}
