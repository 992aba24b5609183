//! The simulated machine: thermal nodes, CPU and GPU operating points, workloads, settings.
//!
//! [`Plant::step`] holds every operating point constant over the step: it works out who gets
//! how much CPU and GPU under the current settings and temperatures ([`Plant::evaluate`]),
//! advances temperatures exactly, then the workloads, then the metrics. Telemetry reports the
//! last step's operating point (as real counters report the last interval) and the current
//! temperatures and settings.

use super::actuation::{Actuation, ActuationKind, gpu_index};
use super::cpu::{package_power, weighted_shares};
use super::error::SimError;
use super::gpu::{GpuPoint, operating_point};
use super::metrics::{Metrics, WorkloadMetrics};
use super::rng::SplitMix64;
use super::scenario::{Profile, Scenario};
use super::thermal::{Interval, ThermalNode};
use super::workload::{Service, WorkloadState};
use std::collections::BTreeMap;

/// Longest step, ms (about 31 years): longer ones are cut to it so every sum stays finite.
pub const MAX_STEP_MS: f64 = 1e12;
/// A frame that cannot make progress (no CPU or GPU at all) reports this frame time, ms.
pub const MAX_FRAME_MS: f64 = 60_000.0;
/// Lowest package power limit the simulated CPU accepts, W.
pub const CPU_POWER_LIMIT_MIN_W: f64 = 1.0;
/// PROCHOT releases once the package is this much below critical, °C.
pub const THROTTLE_HYSTERESIS_C: f64 = 5.0;
/// Time constant of `cpu.load1`, s.
const LOAD1_TAU_S: f64 = 60.0;
/// Time constant of `cpu.psi_some_avg10`, s.
const PSI_TAU_S: f64 = 10.0;

/// The operating point of one step.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Rates {
    pub freq_mhz: f64,
    pub cpu_busy: f64,
    pub cpu_power_w: f64,
    pub gpus: Vec<GpuPoint>,
    pub services: Vec<Service>,
    /// Runnable threads of running workloads.
    pub runnable: f64,
    /// Threads wanted but not granted.
    pub unmet: f64,
}

/// A simulated machine running a scenario's workloads.
#[derive(Debug, Clone)]
pub struct Plant {
    pub(super) scenario: Scenario,
    pub(super) now_ms: f64,
    pub(super) cpu_node: ThermalNode,
    pub(super) gpu_nodes: Vec<ThermalNode>,
    pub(super) freq_max_mhz: f64,
    /// The package power limit (RAPL PL1), W; `None` until one is set.
    pub(super) cpu_power_limit_w: Option<f64>,
    pub(super) throttled: bool,
    pub(super) gpu_limits: Vec<f64>,
    pub(super) workloads: Vec<WorkloadState>,
    pub(super) last: Rates,
    pub(super) load1: f64,
    pub(super) psi: f64,
    metrics: Metrics,
}

impl Plant {
    /// A plant at t = 0 for a validated scenario (it is validated again here).
    pub fn new(s: &Scenario) -> Result<Plant, SimError> {
        s.validate()?;
        Ok(Plant::unchecked(s))
    }

    /// A plant without validating the scenario (for validation of the baseline itself).
    pub(super) fn unchecked(s: &Scenario) -> Plant {
        let m = &s.machine;
        let mut master = SplitMix64::new(s.seed as u64);
        let workloads: Vec<WorkloadState> = s
            .workloads
            .iter()
            .map(|w| WorkloadState::new(w, master.fork()))
            .collect();
        let mut peak = BTreeMap::new();
        let cpu_t = m.cpu.initial_c.unwrap_or(m.ambient_c);
        peak.insert("cpu".to_string(), cpu_t);
        let gpu_nodes: Vec<ThermalNode> = m
            .gpus
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let t = g.initial_c.unwrap_or(m.ambient_c);
                peak.insert(format!("gpu{i}"), t);
                ThermalNode {
                    temp_c: t,
                    r_th_c_per_w: g.thermal_resistance_c_per_w,
                    tau_s: g.time_constant_s,
                }
            })
            .collect();
        let metrics = Metrics {
            elapsed_s: 0.0,
            seconds_above_thermal_limit: 0.0,
            power_cap_overshoot_s: 0.0,
            power_cap_overshoot_ws: 0.0,
            energy_j: 0.0,
            peak_temperatures_c: peak,
            workloads: Vec::new(),
        };
        let mut plant = Plant {
            scenario: s.clone(),
            now_ms: 0.0,
            cpu_node: ThermalNode {
                temp_c: cpu_t,
                r_th_c_per_w: m.cpu.thermal_resistance_c_per_w,
                tau_s: m.cpu.time_constant_s,
            },
            gpu_nodes,
            freq_max_mhz: m.cpu.freq_max_mhz,
            cpu_power_limit_w: None,
            throttled: cpu_t >= m.cpu.critical_c,
            gpu_limits: m
                .gpus
                .iter()
                .map(|g| g.power_limit_w.unwrap_or(g.power_max_w))
                .collect(),
            workloads,
            last: Rates::default(),
            load1: 0.0,
            psi: 0.0,
            metrics,
        };
        plant.last = plant.evaluate();
        plant
    }

    /// The scenario this plant runs.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Simulated time, ms.
    pub fn now_ms(&self) -> f64 {
        self.now_ms
    }

    /// Current CPU package temperature, °C.
    pub fn cpu_temp_c(&self) -> f64 {
        self.cpu_node.temp_c
    }

    /// Current temperature of GPU `i`, °C.
    pub fn gpu_temp_c(&self, i: usize) -> Option<f64> {
        self.gpu_nodes.get(i).map(|n| n.temp_c)
    }

    /// CPU package power of the last step, W.
    pub fn cpu_power_w(&self) -> f64 {
        self.last.cpu_power_w
    }

    /// Power of GPU `i` in the last step, W.
    pub fn gpu_power_w(&self, i: usize) -> Option<f64> {
        self.last.gpus.get(i).map(|g| g.power_w)
    }

    /// CPU + GPU power of the last step, W.
    pub fn total_power_w(&self) -> f64 {
        self.last.cpu_power_w + self.last.gpus.iter().map(|g| g.power_w).sum::<f64>()
    }

    /// Advances the simulation by `dt_ms`. A `dt_ms` that is not a finite number > 0 does
    /// nothing; one above [`MAX_STEP_MS`] is cut to it.
    pub fn step(&mut self, dt_ms: f64) {
        if !(dt_ms.is_finite() && dt_ms > 0.0) {
            return;
        }
        let dt_ms = dt_ms.min(MAX_STEP_MS);
        let dt_s = dt_ms / 1000.0;
        let rates = self.evaluate();
        let m = &self.scenario.machine;
        let ambient = m.ambient_c;

        // Temperatures, exactly; time above the limits as the union over devices.
        let mut above: Interval =
            self.cpu_node
                .step(ambient, rates.cpu_power_w, dt_s, m.cpu.limit_c);
        for (i, node) in self.gpu_nodes.iter_mut().enumerate() {
            let (Some(g), Some(p)) = (m.gpus.get(i), rates.gpus.get(i)) else {
                continue;
            };
            above = above.union(node.step(ambient, p.power_w, dt_s, g.limit_c));
        }
        self.metrics.seconds_above_thermal_limit += above.total(dt_s);

        let total_w = rates.cpu_power_w + rates.gpus.iter().map(|g| g.power_w).sum::<f64>();
        self.metrics.energy_j += total_w * dt_s;
        if let Some(cap) = m.power_cap_w
            && total_w > cap
        {
            self.metrics.power_cap_overshoot_s += dt_s;
            self.metrics.power_cap_overshoot_ws += (total_w - cap) * dt_s;
        }

        // PROCHOT: at critical the package drops to its lowest clock until it has cooled.
        let critical = m.cpu.critical_c;
        if self.cpu_node.temp_c >= critical {
            self.throttled = true;
        } else if self.cpu_node.temp_c < critical - THROTTLE_HYSTERESIS_C {
            self.throttled = false;
        }

        let peaks = &mut self.metrics.peak_temperatures_c;
        bump(peaks, "cpu", self.cpu_node.temp_c);
        for (i, node) in self.gpu_nodes.iter().enumerate() {
            bump(peaks, &format!("gpu{i}"), node.temp_c);
        }

        for (w, service) in self.workloads.iter_mut().zip(&rates.services) {
            w.advance(self.now_ms, dt_ms, service);
        }

        let load_decay = (-dt_s / LOAD1_TAU_S).exp();
        self.load1 = self.load1 * load_decay + rates.runnable * (1.0 - load_decay);
        let stall = if rates.runnable > 0.0 {
            100.0 * (rates.unmet / rates.runnable).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let psi_decay = (-dt_s / PSI_TAU_S).exp();
        self.psi = self.psi * psi_decay + stall * (1.0 - psi_decay);

        self.now_ms += dt_ms;
        self.metrics.elapsed_s = self.now_ms / 1000.0;
        self.last = rates;
    }

    /// The operating point under the current settings, temperatures and demands.
    pub(super) fn evaluate(&self) -> Rates {
        let cpu = &self.scenario.machine.cpu;
        let ceiling = if self.throttled {
            cpu.freq_min_mhz
        } else {
            self.freq_max_mhz
        };
        let rates = self.evaluate_at(ceiling);
        let Some(limit) = self.cpu_power_limit_w else {
            return rates;
        };
        if rates.cpu_power_w <= limit || ceiling <= cpu.freq_min_mhz {
            return rates;
        }
        // The package power limit: the firmware runs the package at the highest frequency
        // whose power is within the limit, found within milliseconds (well inside a tick),
        // and at its lowest frequency when even that draws more. Power rises with frequency
        // (a frame loop busy longer at a lower clock still draws less), so bisection finds it.
        let lowest = self.evaluate_at(cpu.freq_min_mhz);
        if lowest.cpu_power_w >= limit {
            return lowest;
        }
        let (mut lo, mut hi) = (cpu.freq_min_mhz, ceiling);
        for _ in 0..32 {
            let mid = 0.5 * (lo + hi);
            if self.evaluate_at(mid).cpu_power_w <= limit {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        self.evaluate_at(lo)
    }

    /// The operating point with the CPU at `freq` MHz.
    fn evaluate_at(&self, freq: f64) -> Rates {
        let s = &self.scenario;
        let cpu = &s.machine.cpu;
        let speed = (freq / cpu.freq_max_mhz).clamp(0.0, 1.0);
        let n = self.workloads.len();
        let demands: Vec<_> = self
            .workloads
            .iter()
            .map(|w| w.demand(self.now_ms))
            .collect();
        let caps: Vec<f64> = self
            .workloads
            .iter()
            .zip(&demands)
            .map(|(w, d)| d.threads.min(w.quota.unwrap_or(f64::INFINITY)))
            .collect();
        let weights: Vec<f64> = self
            .workloads
            .iter()
            .zip(&demands)
            .map(|(w, d)| w.effective_weight(d.threads))
            .collect();

        // Exclusive cpusets are reserved whether or not their workload is running.
        let pinned_total: f64 = self.workloads.iter().map(|w| w.pinned).sum();
        let shared = (cpu.cores - pinned_total).max(0.0);
        let is_pinned: Vec<bool> = self.workloads.iter().map(|w| w.pinned > 0.0).collect();
        let shared_demand = |caps: &[f64]| -> Vec<f64> {
            (0..n)
                .map(|i| if is_pinned[i] { 0.0 } else { caps[i] })
                .collect()
        };
        let mut grant = weighted_shares(shared, &shared_demand(&caps), &weights);
        for i in 0..n {
            if is_pinned[i] {
                grant[i] = caps[i].min(self.workloads[i].pinned);
            }
        }

        // Frame loops wake per frame and use only part of what they could get; the rest goes
        // to the others (CFS is work-conserving): share again with their actual use.
        let mut cpu_frame_ms = vec![0.0; n];
        let mut used_caps = caps.clone();
        for (i, w) in self.workloads.iter().enumerate() {
            if let (Some(Profile::FrameLoop(f)), true) = (w.def.profile(), demands[i].threads > 0.0)
            {
                let lanes = grant[i].min(f.threads) * speed;
                let ft = if f.cpu_ms_per_frame == 0.0 {
                    0.0
                } else if lanes > 0.0 {
                    (f.cpu_ms_per_frame / lanes).min(MAX_FRAME_MS)
                } else {
                    MAX_FRAME_MS
                };
                cpu_frame_ms[i] = ft;
                let fps = 1000.0 / ft.max(f.period_ms);
                used_caps[i] = if speed > 0.0 {
                    (fps * f.cpu_ms_per_frame / (1000.0 * speed)).min(grant[i])
                } else {
                    0.0
                };
            }
        }
        let second = weighted_shares(shared, &shared_demand(&used_caps), &weights);
        let mut cpu_grant = grant.clone();
        for i in 0..n {
            let frame = matches!(self.workloads[i].def.profile(), Some(Profile::FrameLoop(_)));
            if !is_pinned[i] && !frame {
                cpu_grant[i] = second[i];
            }
        }

        // CPU-limited delivery of the non-frame workloads, and what each asks of its GPU.
        let mut cpu_ratio = vec![1.0; n];
        let mut gpu_ask = vec![0.0; n];
        for (i, w) in self.workloads.iter().enumerate() {
            let d = &demands[i];
            match w.def.profile() {
                Some(Profile::FrameLoop(f)) => {
                    gpu_ask[i] = if d.threads > 0.0 {
                        f.gpu_ms_per_frame / cpu_frame_ms[i].max(f.period_ms)
                    } else {
                        0.0
                    };
                }
                _ => {
                    if d.threads > 0.0 {
                        cpu_ratio[i] = (cpu_grant[i] * speed / d.threads).clamp(0.0, 1.0);
                    }
                    gpu_ask[i] = d.gpu * cpu_ratio[i];
                }
            }
        }
        let gpus = &s.machine.gpus;
        let mut points = Vec::with_capacity(gpus.len());
        let mut gpu_demand = vec![0.0; gpus.len()];
        for (i, w) in self.workloads.iter().enumerate() {
            if let Some(d) = gpu_demand.get_mut(w.def.gpu as usize) {
                *d += gpu_ask[i];
            }
        }
        for (j, g) in gpus.iter().enumerate() {
            let limit = self.gpu_limits.get(j).copied().unwrap_or(g.power_max_w);
            points.push(operating_point(g, gpu_demand[j], limit));
        }

        let mut services = Vec::with_capacity(n);
        let mut busy = 0.0;
        let mut runnable = 0.0;
        let mut unmet = 0.0;
        for (i, w) in self.workloads.iter().enumerate() {
            let d = &demands[i];
            let active = w.active(self.now_ms);
            let j = w.def.gpu as usize;
            let (gpu_speed, total) = match points.get(j) {
                Some(p) => (p.speed, gpu_demand[j]),
                None => (1.0, 0.0),
            };
            // Time-slicing: when the GPU cannot serve everyone, everyone gets s/D of its ask.
            let gpu_ratio = if total > gpu_speed {
                gpu_speed / total
            } else {
                1.0
            };
            let gpu_time = gpu_ask[i] / gpu_speed * gpu_ratio;
            let mut service = Service {
                active,
                cpu_grant: cpu_grant[i],
                gpu_time,
                nominal: d.nominal,
                ..Service::default()
            };
            match w.def.profile() {
                Some(Profile::FrameLoop(f)) => {
                    let gpu_ms = if f.gpu_ms_per_frame == 0.0 {
                        0.0
                    } else {
                        (f.gpu_ms_per_frame / (gpu_speed * gpu_ratio)).min(MAX_FRAME_MS)
                    };
                    let base = cpu_frame_ms[i].max(gpu_ms);
                    let fps = if active {
                        1000.0 / base.max(f.period_ms)
                    } else {
                        0.0
                    };
                    service.frame_base_ms = base;
                    service.throughput = fps;
                    service.served = if d.nominal > 0.0 {
                        fps / d.nominal
                    } else {
                        0.0
                    };
                    service.cpu_used = if speed > 0.0 {
                        (fps * f.cpu_ms_per_frame / (1000.0 * speed)).min(cpu_grant[i])
                    } else {
                        0.0
                    };
                }
                _ => {
                    let served = cpu_ratio[i] * if gpu_ask[i] > 0.0 { gpu_ratio } else { 1.0 };
                    service.served = served;
                    service.throughput = served * d.nominal;
                    // Waiting on the GPU leaves granted cores idle.
                    service.cpu_used =
                        cpu_grant[i] * if gpu_ask[i] > 0.0 { gpu_ratio } else { 1.0 };
                }
            }
            busy += service.cpu_used;
            runnable += d.threads;
            unmet += (d.threads - cpu_grant[i]).max(0.0);
            services.push(service);
        }
        let busy = busy.min(cpu.cores);
        Rates {
            freq_mhz: freq,
            cpu_busy: busy,
            cpu_power_w: package_power(cpu, busy, freq),
            gpus: points,
            services,
            runnable,
            unmet,
        }
    }

    /// Applies one actuation (docs/simulator.md). Unknown kinds and targets, values that are not
    /// finite or outside what the device accepts are `INVALID_ACTUATION`; the plant is then
    /// unchanged.
    pub fn apply(&mut self, a: &Actuation) -> Result<(), SimError> {
        let kind = ActuationKind::parse(a)?;
        let err = |message: String| SimError::actuation(&a.kind, &a.target, message);
        let in_range = |lo: f64, hi: f64, unit: &str| {
            if a.value.is_finite() && a.value >= lo && a.value <= hi {
                Ok(a.value)
            } else {
                Err(err(format!(
                    "value must be a finite number in [{lo}, {hi}] {unit}, got {}",
                    a.value
                )))
            }
        };
        let cpu = &self.scenario.machine.cpu;
        match kind {
            ActuationKind::SetGpuPowerLimit => {
                let gpus = &self.scenario.machine.gpus;
                let Some((i, g)) = gpu_index(&a.target).and_then(|i| gpus.get(i).map(|g| (i, g)))
                else {
                    return Err(err(format!(
                        "unknown target (the machine has {} GPU(s): gpu0..gpu{})",
                        gpus.len(),
                        gpus.len().saturating_sub(1)
                    )));
                };
                let v = in_range(g.power_min_w, g.power_max_w, "W")?;
                self.gpu_limits[i] = v;
            }
            ActuationKind::SetCpuFreqMax => {
                if a.target != "cpu" {
                    return Err(err(
                        "unknown target (set_cpu_freq_max takes target \"cpu\")".into(),
                    ));
                }
                self.freq_max_mhz = in_range(cpu.freq_min_mhz, cpu.freq_max_mhz, "MHz")?;
            }
            ActuationKind::SetCpuPowerLimit => {
                if a.target != "cpu" {
                    return Err(err(
                        "unknown target (set_cpu_power_limit takes target \"cpu\")".into(),
                    ));
                }
                let v = in_range(CPU_POWER_LIMIT_MIN_W, cpu.idle_w + cpu.dynamic_w, "W")?;
                self.cpu_power_limit_w = Some(v);
            }
            ActuationKind::SetCpuWeight | ActuationKind::SetCpuQuota | ActuationKind::PinCores => {
                let cores = cpu.cores;
                let targets = self.workload_targets(&a.target).map_err(err)?;
                match kind {
                    ActuationKind::SetCpuWeight => {
                        let v = in_range(1.0, 10_000.0, "(cpu.weight)")?;
                        for i in targets {
                            self.workloads[i].weight = Some(v);
                        }
                    }
                    ActuationKind::SetCpuQuota => {
                        let v = in_range(0.01, cores, "cores")?;
                        for i in targets {
                            self.workloads[i].quota = Some(v);
                        }
                    }
                    _ => {
                        let [i] = targets[..] else {
                            return Err(err(
                                "pin_cores takes one workload (or the priority role), not a group"
                                    .into(),
                            ));
                        };
                        let v = in_range(0.0, cores - 1.0, "cores")?;
                        if v.fract() != 0.0 {
                            return Err(err(format!(
                                "value must be a whole number of cores, got {v}"
                            )));
                        }
                        let others: f64 = self
                            .workloads
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != i)
                            .map(|(_, w)| w.pinned)
                            .sum();
                        if others + v > cores - 1.0 {
                            return Err(err(format!(
                                "{v} exclusive cores would leave no shared core ({others} already pinned of {cores})"
                            )));
                        }
                        self.workloads[i].pinned = v;
                    }
                }
            }
        }
        Ok(())
    }

    /// The workloads a workload actuation's target names: one workload by name, the priority
    /// workload (`priority`), or every other one (`background`, possibly none).
    fn workload_targets(&self, target: &str) -> Result<Vec<usize>, String> {
        let priority = |w: &WorkloadState| w.def.priority;
        let found: Vec<usize> = match target {
            "priority" => (0..self.workloads.len())
                .filter(|&i| priority(&self.workloads[i]))
                .collect(),
            "background" => (0..self.workloads.len())
                .filter(|&i| !priority(&self.workloads[i]))
                .collect(),
            name => (self.workloads.iter().position(|w| w.def.name == name))
                .into_iter()
                .collect(),
        };
        if found.is_empty() && target != "background" {
            let names: Vec<&str> = self.workloads.iter().map(|w| w.def.name.as_str()).collect();
            return Err(if target == "priority" {
                "unknown target (the scenario marks no priority workload)".to_string()
            } else {
                format!(
                    "unknown target (workloads: {}; roles: priority, background)",
                    names.join(", ")
                )
            });
        }
        Ok(found)
    }

    /// The metrics accumulated since t = 0.
    pub fn metrics(&self) -> Metrics {
        let mut m = self.metrics.clone();
        let priority = self.scenario.priority_workload().map(|w| w.name.as_str());
        m.workloads = self
            .workloads
            .iter()
            .map(|w| {
                let (profile, unit) = match w.def.profile() {
                    Some(Profile::Steady(_)) => ("steady", "units/s"),
                    Some(Profile::Bursty(_)) => ("bursty", "units/s"),
                    Some(Profile::FrameLoop(_)) => ("frame_loop", "fps"),
                    Some(Profile::Batch(_)) => ("batch", "units/s"),
                    None => ("none", "units/s"),
                };
                WorkloadMetrics {
                    name: w.def.name.clone(),
                    priority: priority == Some(w.def.name.as_str()),
                    profile,
                    unit,
                    active_s: w.active_ms / 1000.0,
                    frames: w.frames,
                    deadline_misses: w.misses,
                    work_units: w.work_units,
                    mean_throughput: ratio(w.work_units, w.active_ms / 1000.0),
                    normalized_throughput: ratio(w.work_units, w.nominal_units).min(1.0),
                    progress: w.progress(),
                    completed_at_s: w.completed_at_ms.map(|t| t / 1000.0),
                }
            })
            .collect();
        m
    }
}

fn bump(peaks: &mut BTreeMap<String, f64>, key: &str, t: f64) {
    let entry = peaks.entry(key.to_string()).or_insert(t);
    if t > *entry {
        *entry = t;
    }
}

/// `a / b`, 0 when `b` is 0 (nothing happened yet).
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}
