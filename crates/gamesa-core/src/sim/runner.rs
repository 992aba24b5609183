//! The closed loop: every `tickMs` the policy reads the plant's telemetry and returns
//! actuations, the plant applies them and advances one tick. The result is a summary (the
//! backtest table) and a series per tick for charts; both serialize deterministically.

use super::actuation::Actuation;
use super::metrics::WorkloadMetrics;
use super::plant::Plant;
use super::scenario::Scenario;
use serde::Serialize;
use std::collections::BTreeMap;

/// A controller driven by the simulator (the engine, or a hand-written rule in a test).
pub trait Policy {
    /// The decisions for the tick starting at `now_ms`, given the plant's telemetry.
    fn decide(&mut self, now_ms: f64, telemetry: &BTreeMap<String, f64>) -> PolicyStep;

    /// What the plant made of this tick's actuations, in the order `decide` gave them: `None`
    /// applied, `Some(message)` refused. Called right after they are applied; a policy that
    /// keeps no record of outcomes ignores it.
    fn outcomes(&mut self, _outcomes: &[Option<String>]) {}
}

/// One tick of decisions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyStep {
    /// Settings to apply now, in order.
    pub actuations: Vec<Actuation>,
    /// Actions the policy itself refused this tick (e.g. by its gate); counted as rejected.
    pub rejected: u64,
    /// Values to chart for this tick (`prices.cpu_cores`, `grants.power_budget`, `firings`,
    /// …). Keys `applied` and `rejected` are written by the runner and override these.
    pub extra: BTreeMap<String, f64>,
}

/// Never changes anything: the machine as it comes.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPolicy;

impl Policy for NoPolicy {
    fn decide(&mut self, _now_ms: f64, _telemetry: &BTreeMap<String, f64>) -> PolicyStep {
        PolicyStep::default()
    }
}

/// The scenario's static baseline: its `baseline` actuations applied once at t = 0, nothing
/// after (what an administrator would configure by hand, e.g. a fixed conservative power limit).
#[derive(Debug, Clone)]
pub struct StaticBaseline {
    pending: Vec<Actuation>,
}

impl StaticBaseline {
    /// The baseline of `scenario`.
    pub fn new(scenario: &Scenario) -> StaticBaseline {
        StaticBaseline {
            pending: scenario.baseline.clone(),
        }
    }
}

impl Policy for StaticBaseline {
    fn decide(&mut self, _now_ms: f64, _telemetry: &BTreeMap<String, f64>) -> PolicyStep {
        PolicyStep {
            actuations: std::mem::take(&mut self.pending),
            ..PolicyStep::default()
        }
    }
}

/// A run's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    /// The backtest table.
    pub summary: Summary,
    /// Per-tick values for charts.
    pub series: Series,
}

/// The backtest table of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Ticks run.
    pub ticks: u64,
    /// Simulated time, s.
    pub duration_s: f64,
    /// Seconds with at least one device above its thermal limit.
    pub seconds_above_thermal_limit: f64,
    /// Seconds above the machine's power cap.
    pub power_cap_overshoot_s: f64,
    /// Energy above the power cap, W·s.
    pub power_cap_overshoot_ws: f64,
    /// The priority workload's name (absent when the scenario marks none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_workload: Option<String>,
    /// Its deadline misses (0 unless it is a frame loop).
    pub priority_deadline_misses: u64,
    /// Its mean throughput while running (fps for a frame loop, else units/s).
    pub priority_throughput: f64,
    /// Sum over workloads of their normalized throughput (1 = a workload fully served the whole
    /// time it ran), so different units add up.
    pub total_throughput: f64,
    /// Actuations the plant applied.
    pub actions_applied: u64,
    /// Actuations refused: by the policy itself (`PolicyStep::rejected`) or by the plant.
    pub actions_rejected: u64,
    /// CPU + GPU energy, J.
    pub energy_j: f64,
    /// Highest temperature per device, °C.
    pub peak_temperatures_c: BTreeMap<String, f64>,
    /// Per-workload results.
    pub workloads: Vec<WorkloadMetrics>,
}

/// Per-tick values; every vector has one entry per tick, taken at the end of the tick.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Series {
    /// Time at the end of each tick, ms.
    pub t_ms: Vec<f64>,
    /// `cpu`, `gpu0`, …: temperature, °C.
    pub temperatures: BTreeMap<String, Vec<f64>>,
    /// `cpu`, `gpu0`, …, `total`: power during the tick, W.
    pub power_w: BTreeMap<String, Vec<f64>>,
    /// Per workload `<name>.throughput` (and `<name>.frame_ms` for frame loops).
    pub workloads: BTreeMap<String, Vec<f64>>,
    /// The policy's extra values plus `applied` and `rejected` per tick; a key missing in a
    /// tick (or not finite) reads 0 there.
    pub extra: BTreeMap<String, Vec<f64>>,
}

/// Runs `scenario` in closed loop with `policy` for `scenario.ticks()` ticks of `tickMs`.
/// Deterministic: the same scenario and policy give the same result, byte for byte once
/// serialized. The scenario is trusted to be valid (from [`Scenario::from_json`]); an invalid
/// one is simulated as given, never a panic.
pub fn run_closed_loop(scenario: &Scenario, policy: &mut dyn Policy) -> RunResult {
    let mut plant = Plant::unchecked(scenario);
    let ticks = scenario.ticks();
    let dt = scenario.tick_ms;
    let gpus = scenario.machine.gpus.len();
    let mut series = Series {
        t_ms: Vec::with_capacity(ticks as usize),
        temperatures: BTreeMap::new(),
        power_w: BTreeMap::new(),
        workloads: BTreeMap::new(),
        extra: BTreeMap::new(),
    };
    let mut applied_total = 0u64;
    let mut rejected_total = 0u64;
    for tick in 0..ticks {
        let telemetry = plant.telemetry();
        let step = policy.decide(plant.now_ms(), &telemetry);
        let mut applied = 0u64;
        let mut rejected = step.rejected;
        let mut outcomes = Vec::with_capacity(step.actuations.len());
        for a in &step.actuations {
            match plant.apply(a) {
                Ok(()) => {
                    applied += 1;
                    outcomes.push(None);
                }
                Err(e) => {
                    rejected += 1;
                    outcomes.push(Some(e.to_string()));
                }
            }
        }
        policy.outcomes(&outcomes);
        applied_total += applied;
        rejected_total = rejected_total.saturating_add(rejected);
        plant.step(dt);

        let index = tick as usize;
        series.t_ms.push(plant.now_ms());
        push(&mut series.temperatures, "cpu", index, plant.cpu_temp_c());
        push(&mut series.power_w, "cpu", index, plant.cpu_power_w());
        for i in 0..gpus {
            let name = format!("gpu{i}");
            push(
                &mut series.temperatures,
                &name,
                index,
                plant.gpu_temp_c(i).unwrap_or(0.0),
            );
            push(
                &mut series.power_w,
                &name,
                index,
                plant.gpu_power_w(i).unwrap_or(0.0),
            );
        }
        push(&mut series.power_w, "total", index, plant.total_power_w());
        let after = plant.telemetry();
        for w in &scenario.workloads {
            for field in ["throughput", "frame_ms"] {
                let key = format!("wl.{}.{field}", w.name);
                if let Some(v) = after.get(&key) {
                    push(
                        &mut series.workloads,
                        &format!("{}.{field}", w.name),
                        index,
                        *v,
                    );
                }
            }
        }
        for (k, v) in &step.extra {
            if k != "applied" && k != "rejected" {
                push(&mut series.extra, k, index, *v);
            }
        }
        push(&mut series.extra, "applied", index, applied as f64);
        push(&mut series.extra, "rejected", index, rejected as f64);
        // Keys the policy did not report this tick read 0, so all vectors stay aligned.
        for v in series.extra.values_mut() {
            v.resize(index + 1, 0.0);
        }
    }

    let m = plant.metrics();
    let priority = m.workloads.iter().find(|w| w.priority);
    let summary = Summary {
        ticks,
        duration_s: m.elapsed_s,
        seconds_above_thermal_limit: m.seconds_above_thermal_limit,
        power_cap_overshoot_s: m.power_cap_overshoot_s,
        power_cap_overshoot_ws: m.power_cap_overshoot_ws,
        priority_workload: priority.map(|w| w.name.clone()),
        priority_deadline_misses: priority.map_or(0, |w| w.deadline_misses),
        priority_throughput: priority.map_or(0.0, |w| w.mean_throughput),
        total_throughput: m.workloads.iter().map(|w| w.normalized_throughput).sum(),
        actions_applied: applied_total,
        actions_rejected: rejected_total,
        energy_j: m.energy_j,
        peak_temperatures_c: m.peak_temperatures_c,
        workloads: m.workloads,
    };
    RunResult { summary, series }
}

/// Appends `value` (0 when not finite) at `index`, zero-filling ticks the key missed.
fn push(map: &mut BTreeMap<String, Vec<f64>>, key: &str, index: usize, value: f64) {
    let v = map.entry(key.to_string()).or_default();
    v.resize(index, 0.0);
    v.push(if value.is_finite() { value } else { 0.0 });
}
