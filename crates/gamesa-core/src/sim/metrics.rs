//! What a run achieved, accumulated by the plant step by step: time above thermal limits,
//! power-cap overshoot, energy, and each workload's frames, misses and work.

use serde::Serialize;
use std::collections::BTreeMap;

/// Cumulative metrics of a plant since t = 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    /// Simulated time, s.
    pub elapsed_s: f64,
    /// Seconds during which at least one device (CPU or a GPU) was above its `limitC`
    /// (computed exactly from the exponential trajectories, not sampled per tick).
    pub seconds_above_thermal_limit: f64,
    /// Seconds during which CPU + GPU power exceeded the machine's `powerCapW` (0 without a cap).
    pub power_cap_overshoot_s: f64,
    /// Energy above the cap, W·s: `∫ max(0, P − cap) dt`.
    pub power_cap_overshoot_ws: f64,
    /// Energy used by CPU and GPUs, J.
    pub energy_j: f64,
    /// Highest temperature of each device, °C (`cpu`, `gpu0`, …).
    pub peak_temperatures_c: BTreeMap<String, f64>,
    /// One entry per workload, in scenario order.
    pub workloads: Vec<WorkloadMetrics>,
}

/// One workload's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadMetrics {
    /// Its name.
    pub name: String,
    /// Whether it is the scenario's priority workload.
    pub priority: bool,
    /// `steady`, `bursty`, `frame_loop` or `batch`.
    pub profile: &'static str,
    /// Unit of `meanThroughput`: `fps` for a frame loop, else `units/s`.
    pub unit: &'static str,
    /// Seconds it was running (started and not finished).
    pub active_s: f64,
    /// Frames completed (frame loops only; else 0).
    pub frames: u64,
    /// Frames over the deadline (frame loops only; else 0).
    pub deadline_misses: u64,
    /// Work done: frames or units.
    pub work_units: f64,
    /// Mean throughput while running, in `unit`.
    pub mean_throughput: f64,
    /// Work done / work full service would have given while running, 0..1.
    pub normalized_throughput: f64,
    /// Batch progress 0..1 (batch only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<f64>,
    /// When a batch finished, s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at_s: Option<f64>,
}
