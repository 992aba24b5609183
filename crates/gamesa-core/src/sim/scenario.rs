//! Scenario documents: the simulated machine, its workloads, the run's length and tick, the
//! seed, and the static baseline settings. JSON, camelCase, unknown fields rejected at every
//! level; the TypeScript mirror is `src/scenario.ts` (zod), which accepts and rejects the same
//! documents and names the same JSON path.
//!
//! [`Scenario::from_json`] reports the first problem with its JSON path (`$.machine.cpu.cores`):
//! structure first (well-formed JSON, objects, known fields, required fields, types), then the
//! semantic rules in [`Scenario::validate`], in document order.

use super::actuation::Actuation;
use super::error::SimError;
use crate::features::json::{decode, parse_value};
use crate::json_objects::objects_only;
use serde::{Deserialize, Serialize};

/// Role names an actuation may target instead of a workload name: `priority` is the workload
/// marked `priority`, `background` every other workload. A workload may not take these names.
pub const ROLE_TARGETS: [&str; 2] = ["priority", "background"];

/// Largest seed: 2^53 − 1, so JavaScript numbers hold every seed exactly.
pub const MAX_SEED: f64 = 9_007_199_254_740_991.0;
/// Most ticks one run may have (memory of the series is proportional to it).
pub const MAX_TICKS: f64 = 1_000_000.0;
/// Most CPU cores a simulated machine may have.
pub const MAX_CORES: f64 = 1024.0;
/// Most GPUs a simulated machine may have (the telemetry catalog's `gpu0`..`gpu7`).
pub const MAX_GPUS: usize = 8;
/// Most workloads in one scenario.
pub const MAX_WORKLOADS: usize = 64;

/// A complete simulation scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct Scenario {
    /// Optional `$schema` reference for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Short name, `[A-Za-z0-9_-]+` (what `gamesa backtest --scenario` takes).
    pub name: String,
    /// Free text for humans (default empty).
    #[serde(default)]
    pub description: String,
    /// Seed of the simulator's random streams: a whole number 0..2^53 − 1 (default 1).
    #[serde(default = "default_seed")]
    pub seed: f64,
    /// Length of a run, s (finite, > 0).
    pub duration_s: f64,
    /// Control period of the closed loop, ms (finite, > 0; default 100 = 10 Hz).
    #[serde(default = "default_tick_ms")]
    pub tick_ms: f64,
    /// The simulated machine.
    pub machine: MachineDef,
    /// The workloads (1..64, unique names).
    pub workloads: Vec<WorkloadDef>,
    /// Static settings applied at t = 0 by [`super::StaticBaseline`] (default none), e.g. a
    /// fixed conservative GPU power limit.
    #[serde(default)]
    pub baseline: Vec<Actuation>,
}

/// The machine: ambient, power cap, memory, one CPU package and up to 8 GPUs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct MachineDef {
    /// Ambient (inlet) temperature, °C (−50..100; default 25).
    #[serde(default = "default_ambient")]
    pub ambient_c: f64,
    /// Machine power cap, W (CPU package + all GPUs); absent = no cap. Time and energy above
    /// it are the power-cap overshoot metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_cap_w: Option<f64>,
    /// Installed memory, MB (> 0; default 32768).
    #[serde(default = "default_mem_total")]
    pub mem_total_mb: f64,
    /// Memory used by the OS and idle processes, MB (≥ 0, ≤ total; default 2048).
    #[serde(default = "default_base_mem")]
    pub base_mem_mb: f64,
    /// The CPU package.
    pub cpu: CpuDef,
    /// The GPUs, `gpu0`, `gpu1`, … in order (default none).
    #[serde(default)]
    pub gpus: Vec<GpuDef>,
}

/// A CPU package: `P = idleW + dynamicW · (busy cores / cores) · (f / freqMaxMhz)^freqPowerExponent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct CpuDef {
    /// Cores, a whole number 1..1024.
    pub cores: f64,
    /// Lowest frequency, MHz (> 0).
    pub freq_min_mhz: f64,
    /// Highest frequency, MHz (≥ freqMinMhz). Workload CPU work is measured at this clock.
    pub freq_max_mhz: f64,
    /// Package power when idle, W (≥ 0).
    pub idle_w: f64,
    /// Extra power with every core busy at the highest frequency, W (≥ 0).
    pub dynamic_w: f64,
    /// Exponent of frequency in dynamic power (1..4; default 2.5: `P ∝ f·V²` with voltage
    /// partly following frequency).
    #[serde(default = "default_freq_power_exponent")]
    pub freq_power_exponent: f64,
    /// Thermal resistance package → ambient, °C/W (> 0).
    pub thermal_resistance_c_per_w: f64,
    /// Thermal time constant, s (> 0).
    pub time_constant_s: f64,
    /// The thermal limit counted by the metrics, °C (> ambient).
    pub limit_c: f64,
    /// Critical temperature, °C (≥ limitC): `thermal.headroom_c` = critical − current, and at
    /// or above it the package throttles to `freqMinMhz` (PROCHOT) until it cools below.
    pub critical_c: f64,
    /// Temperature at t = 0, °C (default ambient).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_c: Option<f64>,
}

/// A GPU with a settable power limit. Uncapped it draws `idleW + (peakW − idleW) · busy`;
/// capped, its clock (and throughput) scale by `s` with dynamic power `∝ s^powerExponent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct GpuDef {
    /// Lowest settable power limit, W (> idleW).
    pub power_min_w: f64,
    /// Highest settable power limit, W (≥ powerMinW).
    pub power_max_w: f64,
    /// Power limit at t = 0, W (powerMinW..powerMaxW; default powerMaxW).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_limit_w: Option<f64>,
    /// Power when idle, W (≥ 0).
    pub idle_w: f64,
    /// Power fully busy at the highest clock, W (> idleW).
    pub peak_w: f64,
    /// Exponent of the clock in dynamic power (1.5..5; default 3), so throughput under a cap
    /// scales as `(P − idle)^(1/exponent)`: sublinearly.
    #[serde(default = "default_gpu_power_exponent")]
    pub power_exponent: f64,
    /// SM clock at full speed, MHz (> 0).
    pub sm_clock_max_mhz: f64,
    /// VRAM, MB (> 0).
    pub mem_total_mb: f64,
    /// Thermal resistance GPU → ambient, °C/W (> 0).
    pub thermal_resistance_c_per_w: f64,
    /// Thermal time constant, s (> 0).
    pub time_constant_s: f64,
    /// The thermal limit counted by the metrics, °C (> ambient).
    pub limit_c: f64,
    /// Temperature at t = 0, °C (default ambient).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_c: Option<f64>,
}

/// A workload: its name, its cgroup-like CPU settings, memory, and exactly one demand profile
/// (`steady`, `bursty`, `frameLoop` or `batch`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadDef {
    /// Name, an identifier `[A-Za-z_][A-Za-z0-9_]*`, so `wl.<name>.<field>` is a valid variable.
    pub name: String,
    /// The priority workload whose deadline misses and throughput the summary reports (at most one).
    #[serde(default)]
    pub priority: bool,
    /// Start time, s (≥ 0; default 0). Before it the workload demands nothing.
    #[serde(default)]
    pub start_s: f64,
    /// cgroup `cpu.weight` 1..10000. Absent: the workload's threads compete one by one in a
    /// shared group, i.e. weight 100 per runnable thread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_weight: Option<f64>,
    /// CPU quota in cores (`cpu.max` quota / period), 0.01..cores; absent = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_quota: Option<f64>,
    /// Exclusive cores (a whole number; absent or 0 = not pinned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned_cores: Option<f64>,
    /// Memory, MB (≥ 0; default 0).
    #[serde(default)]
    pub mem_mb: f64,
    /// Which GPU the workload uses (default 0; must exist when the profile uses a GPU).
    #[serde(default)]
    pub gpu: f64,
    /// VRAM, MB (≥ 0; default 0).
    #[serde(default)]
    pub gpu_mem_mb: f64,
    /// Constant demand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steady: Option<SteadyDef>,
    /// On/off demand with exponentially distributed phases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bursty: Option<BurstyDef>,
    /// A periodic frame loop with a deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_loop: Option<FrameLoopDef>,
    /// A batch job with a total amount of work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchDef>,
}

/// Constant demand: `cpuCores` threads always runnable and/or a GPU busy `gpuUtil` of the
/// time at full clock. Throughput `unitsPerS` when fully served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct SteadyDef {
    /// Runnable threads (cores at the highest frequency), ≥ 0 (default 0).
    #[serde(default)]
    pub cpu_cores: f64,
    /// GPU time fraction at full clock, 0..1 (default 0).
    #[serde(default)]
    pub gpu_util: f64,
    /// Work units per second when fully served (> 0; default 1).
    #[serde(default = "default_units_per_s")]
    pub units_per_s: f64,
}

/// Two-state demand: "on" phases (`cpuCores`, `gpuUtil`) and "off" phases (`idleCpuCores`,
/// `idleGpuUtil`) with exponentially distributed lengths (means `meanOnS`, `meanOffS`), drawn
/// from the seeded generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct BurstyDef {
    /// Runnable threads while on, ≥ 0 (default 0).
    #[serde(default)]
    pub cpu_cores: f64,
    /// GPU time fraction while on, 0..1 (default 0).
    #[serde(default)]
    pub gpu_util: f64,
    /// Runnable threads while off, 0..cpuCores (default 0).
    #[serde(default)]
    pub idle_cpu_cores: f64,
    /// GPU time fraction while off, 0..gpuUtil (default 0).
    #[serde(default)]
    pub idle_gpu_util: f64,
    /// Mean length of an on phase, s (> 0).
    pub mean_on_s: f64,
    /// Mean length of an off phase, s (> 0).
    pub mean_off_s: f64,
    /// Whether the workload starts in an on phase (default true).
    #[serde(default = "default_true")]
    pub start_on: bool,
    /// Work units per second when fully served while on (> 0; default 1); off phases scale it
    /// by `idleCpuCores / cpuCores` (or the GPU ratio for GPU-only workloads).
    #[serde(default = "default_units_per_s")]
    pub units_per_s: f64,
}

/// A frame loop: every frame needs `cpuMsPerFrame` of CPU work (core-ms at the highest
/// frequency, spread over `threads`) and `gpuMsPerFrame` of GPU work at full clock; frames
/// start no more often than every `periodMs`; a frame slower than `deadlineMs` is a miss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct FrameLoopDef {
    /// Frame period, ms (≥ 0.1; 16.667 = 60 fps).
    pub period_ms: f64,
    /// Deadline, ms (> 0; default periodMs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<f64>,
    /// Threads working on a frame in parallel, a whole number 1..1024.
    pub threads: f64,
    /// CPU work per frame, core-ms at the highest frequency (≥ 0).
    pub cpu_ms_per_frame: f64,
    /// GPU work per frame, ms at full clock (≥ 0; default 0).
    #[serde(default)]
    pub gpu_ms_per_frame: f64,
    /// Relative frame-time jitter, 0..1: each frame takes `base · (1 + jitter · u)` with `u`
    /// uniform in [−1, 1) from the seeded generator (default 0).
    #[serde(default)]
    pub jitter: f64,
}

/// A batch job: `totalUnits` of work done at `unitsPerS` when fully served; it stops
/// demanding anything when done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct BatchDef {
    /// Runnable threads, ≥ 0 (default 0).
    #[serde(default)]
    pub cpu_cores: f64,
    /// GPU time fraction at full clock, 0..1 (default 0).
    #[serde(default)]
    pub gpu_util: f64,
    /// Work units per second when fully served (> 0).
    pub units_per_s: f64,
    /// Total work, units (> 0).
    pub total_units: f64,
}

objects_only!(
    Scenario,
    MachineDef,
    CpuDef,
    GpuDef,
    WorkloadDef,
    SteadyDef,
    BurstyDef,
    FrameLoopDef,
    BatchDef
);

fn default_seed() -> f64 {
    1.0
}
fn default_tick_ms() -> f64 {
    100.0
}
fn default_ambient() -> f64 {
    25.0
}
fn default_mem_total() -> f64 {
    32768.0
}
fn default_base_mem() -> f64 {
    2048.0
}
fn default_freq_power_exponent() -> f64 {
    2.5
}
fn default_gpu_power_exponent() -> f64 {
    3.0
}
fn default_units_per_s() -> f64 {
    1.0
}
fn default_true() -> bool {
    true
}

/// The one demand profile of a workload, borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Profile<'a> {
    /// See [`SteadyDef`].
    Steady(&'a SteadyDef),
    /// See [`BurstyDef`].
    Bursty(&'a BurstyDef),
    /// See [`FrameLoopDef`].
    FrameLoop(&'a FrameLoopDef),
    /// See [`BatchDef`].
    Batch(&'a BatchDef),
}

impl WorkloadDef {
    /// The workload's profile (validation guarantees exactly one is set; `None` otherwise).
    pub fn profile(&self) -> Option<Profile<'_>> {
        let all = [
            self.steady.as_ref().map(Profile::Steady),
            self.bursty.as_ref().map(Profile::Bursty),
            self.frame_loop.as_ref().map(Profile::FrameLoop),
            self.batch.as_ref().map(Profile::Batch),
        ];
        let mut set = all.into_iter().flatten();
        let first = set.next();
        if set.next().is_some() { None } else { first }
    }

    /// Whether the profile puts any work on a GPU.
    pub fn uses_gpu(&self) -> bool {
        match self.profile() {
            Some(Profile::Steady(s)) => s.gpu_util > 0.0,
            Some(Profile::Bursty(b)) => b.gpu_util > 0.0 || b.idle_gpu_util > 0.0,
            Some(Profile::FrameLoop(f)) => f.gpu_ms_per_frame > 0.0,
            Some(Profile::Batch(b)) => b.gpu_util > 0.0,
            None => false,
        }
    }
}

impl Scenario {
    /// Parses and validates a scenario. Errors are `INVALID_SCENARIO` with the JSON path of
    /// the first problem.
    pub fn from_json(text: &str) -> Result<Scenario, SimError> {
        let value = parse_value(text).map_err(|p| SimError::scenario(p.path, p.message))?;
        let scenario: Scenario =
            decode(&value, "$", None).map_err(|p| SimError::scenario(p.path, p.message))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Number of ticks of a run: `ceil(durationS · 1000 / tickMs)`.
    pub fn ticks(&self) -> u64 {
        let n = (self.duration_s * 1000.0 / self.tick_ms).ceil();
        if n.is_finite() && n >= 1.0 {
            n.min(MAX_TICKS) as u64
        } else {
            1
        }
    }

    /// The priority workload, if one is marked.
    pub fn priority_workload(&self) -> Option<&WorkloadDef> {
        self.workloads.iter().find(|w| w.priority)
    }

    /// The semantic rules, in document order; the first broken one is reported.
    pub fn validate(&self) -> Result<(), SimError> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !name_ok {
            return Err(SimError::scenario(
                "$.name",
                "name must be 1..64 characters of A-Z, a-z, 0-9, _ and -",
            ));
        }
        whole(self.seed, "$.seed", 0.0, MAX_SEED)?;
        range(
            self.duration_s,
            "$.durationS",
            Bound::Open(0.0),
            Bound::Closed(1e9),
        )?;
        range(
            self.tick_ms,
            "$.tickMs",
            Bound::Open(0.0),
            Bound::Closed(1e9),
        )?;
        if self.duration_s * 1000.0 / self.tick_ms > MAX_TICKS {
            return Err(SimError::scenario(
                "$.tickMs",
                format!("durationS · 1000 / tickMs must be at most {MAX_TICKS} ticks"),
            ));
        }
        validate_machine(&self.machine)?;
        validate_workloads(self)?;
        // The baseline is checked against a plant built from this scenario, exactly as it
        // will be applied (unknown targets, values out of the device's range).
        if !self.baseline.is_empty() {
            let mut plant = super::plant::Plant::unchecked(self);
            for (i, a) in self.baseline.iter().enumerate() {
                plant.apply(a).map_err(|e| {
                    let message = match e {
                        SimError::InvalidActuation { message, .. } => message,
                        other => other.to_string(),
                    };
                    SimError::scenario(
                        format!("$.baseline[{i}]"),
                        format!("{} on {}: {message}", a.kind, a.target),
                    )
                })?;
            }
        }
        Ok(())
    }
}

fn validate_machine(m: &MachineDef) -> Result<(), SimError> {
    range(
        m.ambient_c,
        "$.machine.ambientC",
        Bound::Closed(-50.0),
        Bound::Closed(100.0),
    )?;
    if let Some(cap) = m.power_cap_w {
        range(
            cap,
            "$.machine.powerCapW",
            Bound::Open(0.0),
            Bound::Closed(1e6),
        )?;
    }
    range(
        m.mem_total_mb,
        "$.machine.memTotalMb",
        Bound::Open(0.0),
        Bound::Closed(1e9),
    )?;
    range(
        m.base_mem_mb,
        "$.machine.baseMemMb",
        Bound::Closed(0.0),
        Bound::Closed(m.mem_total_mb),
    )?;
    let c = &m.cpu;
    let at = "$.machine.cpu";
    whole(c.cores, &format!("{at}.cores"), 1.0, MAX_CORES)?;
    range(
        c.freq_min_mhz,
        &format!("{at}.freqMinMhz"),
        Bound::Open(0.0),
        Bound::Closed(1e5),
    )?;
    range(
        c.freq_max_mhz,
        &format!("{at}.freqMaxMhz"),
        Bound::Closed(c.freq_min_mhz),
        Bound::Closed(1e5),
    )?;
    range(
        c.idle_w,
        &format!("{at}.idleW"),
        Bound::Closed(0.0),
        Bound::Closed(1e5),
    )?;
    range(
        c.dynamic_w,
        &format!("{at}.dynamicW"),
        Bound::Closed(0.0),
        Bound::Closed(1e5),
    )?;
    range(
        c.freq_power_exponent,
        &format!("{at}.freqPowerExponent"),
        Bound::Closed(1.0),
        Bound::Closed(4.0),
    )?;
    thermal(
        c.thermal_resistance_c_per_w,
        c.time_constant_s,
        c.limit_c,
        m.ambient_c,
        at,
    )?;
    range(
        c.critical_c,
        &format!("{at}.criticalC"),
        Bound::Closed(c.limit_c),
        Bound::Closed(1000.0),
    )?;
    if let Some(t) = c.initial_c {
        range(
            t,
            &format!("{at}.initialC"),
            Bound::Closed(-50.0),
            Bound::Closed(1000.0),
        )?;
    }
    if m.gpus.len() > MAX_GPUS {
        return Err(SimError::scenario(
            "$.machine.gpus",
            format!("at most {MAX_GPUS} GPUs, got {}", m.gpus.len()),
        ));
    }
    for (i, g) in m.gpus.iter().enumerate() {
        let at = format!("$.machine.gpus[{i}]");
        range(
            g.power_min_w,
            &format!("{at}.powerMinW"),
            Bound::Open(g.idle_w.max(0.0)),
            Bound::Closed(1e5),
        )?;
        range(
            g.power_max_w,
            &format!("{at}.powerMaxW"),
            Bound::Closed(g.power_min_w),
            Bound::Closed(1e5),
        )?;
        if let Some(l) = g.power_limit_w {
            range(
                l,
                &format!("{at}.powerLimitW"),
                Bound::Closed(g.power_min_w),
                Bound::Closed(g.power_max_w),
            )?;
        }
        range(
            g.idle_w,
            &format!("{at}.idleW"),
            Bound::Closed(0.0),
            Bound::Closed(1e5),
        )?;
        range(
            g.peak_w,
            &format!("{at}.peakW"),
            Bound::Open(g.idle_w),
            Bound::Closed(1e5),
        )?;
        range(
            g.power_exponent,
            &format!("{at}.powerExponent"),
            Bound::Closed(1.5),
            Bound::Closed(5.0),
        )?;
        range(
            g.sm_clock_max_mhz,
            &format!("{at}.smClockMaxMhz"),
            Bound::Open(0.0),
            Bound::Closed(1e5),
        )?;
        range(
            g.mem_total_mb,
            &format!("{at}.memTotalMb"),
            Bound::Open(0.0),
            Bound::Closed(1e9),
        )?;
        thermal(
            g.thermal_resistance_c_per_w,
            g.time_constant_s,
            g.limit_c,
            m.ambient_c,
            &at,
        )?;
        if let Some(t) = g.initial_c {
            range(
                t,
                &format!("{at}.initialC"),
                Bound::Closed(-50.0),
                Bound::Closed(1000.0),
            )?;
        }
    }
    Ok(())
}

fn thermal(r: f64, tau: f64, limit: f64, ambient: f64, at: &str) -> Result<(), SimError> {
    range(
        r,
        &format!("{at}.thermalResistanceCPerW"),
        Bound::Open(0.0),
        Bound::Closed(100.0),
    )?;
    range(
        tau,
        &format!("{at}.timeConstantS"),
        Bound::Open(0.0),
        Bound::Closed(1e6),
    )?;
    range(
        limit,
        &format!("{at}.limitC"),
        Bound::Open(ambient),
        Bound::Closed(1000.0),
    )
}

fn validate_workloads(s: &Scenario) -> Result<(), SimError> {
    if s.workloads.is_empty() || s.workloads.len() > MAX_WORKLOADS {
        return Err(SimError::scenario(
            "$.workloads",
            format!(
                "1..{MAX_WORKLOADS} workloads are required, got {}",
                s.workloads.len()
            ),
        ));
    }
    let cores = s.machine.cpu.cores;
    let mut pinned_total = 0.0;
    for (i, w) in s.workloads.iter().enumerate() {
        let at = format!("$.workloads[{i}]");
        if !is_identifier(&w.name) {
            return Err(SimError::scenario(
                format!("{at}.name"),
                "name must be an identifier [A-Za-z_][A-Za-z0-9_]* of at most 64 characters",
            ));
        }
        if ROLE_TARGETS.contains(&w.name.as_str()) {
            return Err(SimError::scenario(
                format!("{at}.name"),
                format!(
                    "{} is a role name (actuations may target the roles {}): rename the workload",
                    w.name,
                    ROLE_TARGETS.join(" and ")
                ),
            ));
        }
        if let Some(first) = s.workloads[..i].iter().position(|o| o.name == w.name) {
            return Err(SimError::scenario(
                format!("{at}.name"),
                format!(
                    "duplicate workload name {} (already at $.workloads[{first}])",
                    w.name
                ),
            ));
        }
        if w.priority
            && let Some(first) = s.workloads[..i].iter().position(|o| o.priority)
        {
            return Err(SimError::scenario(
                format!("{at}.priority"),
                format!("only one workload may be the priority one (already $.workloads[{first}])"),
            ));
        }
        range(
            w.start_s,
            &format!("{at}.startS"),
            Bound::Closed(0.0),
            Bound::Closed(1e9),
        )?;
        if let Some(weight) = w.cpu_weight {
            range(
                weight,
                &format!("{at}.cpuWeight"),
                Bound::Closed(1.0),
                Bound::Closed(10_000.0),
            )?;
        }
        if let Some(q) = w.cpu_quota {
            range(
                q,
                &format!("{at}.cpuQuota"),
                Bound::Closed(0.01),
                Bound::Closed(cores),
            )?;
        }
        if let Some(p) = w.pinned_cores {
            whole(p, &format!("{at}.pinnedCores"), 0.0, cores - 1.0)?;
            pinned_total += p;
            if pinned_total > cores - 1.0 {
                return Err(SimError::scenario(
                    format!("{at}.pinnedCores"),
                    format!(
                        "pinned cores of all workloads must leave at least one shared core (at most {} in all)",
                        cores - 1.0
                    ),
                ));
            }
        }
        range(
            w.mem_mb,
            &format!("{at}.memMb"),
            Bound::Closed(0.0),
            Bound::Closed(1e9),
        )?;
        whole(w.gpu, &format!("{at}.gpu"), 0.0, (MAX_GPUS - 1) as f64)?;
        range(
            w.gpu_mem_mb,
            &format!("{at}.gpuMemMb"),
            Bound::Closed(0.0),
            Bound::Closed(1e9),
        )?;
        validate_profile(w, &at)?;
        if (w.uses_gpu() || w.gpu_mem_mb > 0.0) && w.gpu as usize >= s.machine.gpus.len() {
            return Err(SimError::scenario(
                format!("{at}.gpu"),
                format!(
                    "the workload uses gpu{} but the machine has {} GPU(s)",
                    w.gpu,
                    s.machine.gpus.len()
                ),
            ));
        }
    }
    Ok(())
}

fn validate_profile(w: &WorkloadDef, at: &str) -> Result<(), SimError> {
    let set = [
        w.steady.is_some(),
        w.bursty.is_some(),
        w.frame_loop.is_some(),
        w.batch.is_some(),
    ]
    .into_iter()
    .filter(|b| *b)
    .count();
    if set != 1 {
        return Err(SimError::scenario(
            at,
            format!("exactly one of steady, bursty, frameLoop, batch is required, got {set}"),
        ));
    }
    let cores_max = MAX_CORES;
    if let Some(p) = &w.steady {
        let at = format!("{at}.steady");
        range(
            p.cpu_cores,
            &format!("{at}.cpuCores"),
            Bound::Closed(0.0),
            Bound::Closed(cores_max),
        )?;
        range(
            p.gpu_util,
            &format!("{at}.gpuUtil"),
            Bound::Closed(0.0),
            Bound::Closed(1.0),
        )?;
        range(
            p.units_per_s,
            &format!("{at}.unitsPerS"),
            Bound::Open(0.0),
            Bound::Closed(1e12),
        )?;
    }
    if let Some(p) = &w.bursty {
        let at = format!("{at}.bursty");
        range(
            p.cpu_cores,
            &format!("{at}.cpuCores"),
            Bound::Closed(0.0),
            Bound::Closed(cores_max),
        )?;
        range(
            p.gpu_util,
            &format!("{at}.gpuUtil"),
            Bound::Closed(0.0),
            Bound::Closed(1.0),
        )?;
        range(
            p.idle_cpu_cores,
            &format!("{at}.idleCpuCores"),
            Bound::Closed(0.0),
            Bound::Closed(p.cpu_cores),
        )?;
        range(
            p.idle_gpu_util,
            &format!("{at}.idleGpuUtil"),
            Bound::Closed(0.0),
            Bound::Closed(p.gpu_util),
        )?;
        range(
            p.mean_on_s,
            &format!("{at}.meanOnS"),
            Bound::Open(0.0),
            Bound::Closed(1e9),
        )?;
        range(
            p.mean_off_s,
            &format!("{at}.meanOffS"),
            Bound::Open(0.0),
            Bound::Closed(1e9),
        )?;
        range(
            p.units_per_s,
            &format!("{at}.unitsPerS"),
            Bound::Open(0.0),
            Bound::Closed(1e12),
        )?;
    }
    if let Some(p) = &w.frame_loop {
        let at = format!("{at}.frameLoop");
        range(
            p.period_ms,
            &format!("{at}.periodMs"),
            Bound::Closed(0.1),
            Bound::Closed(1e6),
        )?;
        if let Some(d) = p.deadline_ms {
            range(
                d,
                &format!("{at}.deadlineMs"),
                Bound::Open(0.0),
                Bound::Closed(1e6),
            )?;
        }
        whole(p.threads, &format!("{at}.threads"), 1.0, cores_max)?;
        range(
            p.cpu_ms_per_frame,
            &format!("{at}.cpuMsPerFrame"),
            Bound::Closed(0.0),
            Bound::Closed(1e6),
        )?;
        range(
            p.gpu_ms_per_frame,
            &format!("{at}.gpuMsPerFrame"),
            Bound::Closed(0.0),
            Bound::Closed(1e6),
        )?;
        range(
            p.jitter,
            &format!("{at}.jitter"),
            Bound::Closed(0.0),
            Bound::Closed(1.0),
        )?;
    }
    if let Some(p) = &w.batch {
        let at = format!("{at}.batch");
        range(
            p.cpu_cores,
            &format!("{at}.cpuCores"),
            Bound::Closed(0.0),
            Bound::Closed(cores_max),
        )?;
        range(
            p.gpu_util,
            &format!("{at}.gpuUtil"),
            Bound::Closed(0.0),
            Bound::Closed(1.0),
        )?;
        range(
            p.units_per_s,
            &format!("{at}.unitsPerS"),
            Bound::Open(0.0),
            Bound::Closed(1e12),
        )?;
        range(
            p.total_units,
            &format!("{at}.totalUnits"),
            Bound::Open(0.0),
            Bound::Closed(1e15),
        )?;
    }
    Ok(())
}

/// A range end: `Open(x)` excludes `x`, `Closed(x)` includes it.
#[derive(Debug, Clone, Copy)]
enum Bound {
    Open(f64),
    Closed(f64),
}

/// A finite number within the bounds, else an error at `path` saying which range.
fn range(x: f64, path: &str, lo: Bound, hi: Bound) -> Result<(), SimError> {
    let ok_lo = match lo {
        Bound::Open(l) => x > l,
        Bound::Closed(l) => x >= l,
    };
    let ok_hi = match hi {
        Bound::Open(h) => x < h,
        Bound::Closed(h) => x <= h,
    };
    if x.is_finite() && ok_lo && ok_hi {
        return Ok(());
    }
    let (lb, l) = match lo {
        Bound::Open(l) => ('(', l),
        Bound::Closed(l) => ('[', l),
    };
    let (hb, h) = match hi {
        Bound::Open(h) => (')', h),
        Bound::Closed(h) => (']', h),
    };
    Err(SimError::scenario(
        path,
        format!("must be a finite number in {lb}{l}, {h}{hb}, got {x}"),
    ))
}

/// A whole number in `[lo, hi]`.
fn whole(x: f64, path: &str, lo: f64, hi: f64) -> Result<(), SimError> {
    if x.is_finite() && x.fract() == 0.0 && x >= lo && x <= hi {
        Ok(())
    } else {
        Err(SimError::scenario(
            path,
            format!("must be a whole number in [{lo}, {hi}], got {x}"),
        ))
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`, at most 64 characters.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    s.len() <= 64
        && bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
