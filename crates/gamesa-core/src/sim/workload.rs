//! One workload's running state: its settings (weight, quota, pinning), its demand at a given
//! moment, batch progress, bursty phases and the frame loop's frames and misses.

use super::rng::SplitMix64;
use super::scenario::{Profile, WorkloadDef};

/// Frames simulated one by one per step; beyond this (a huge step) the rest of the step is
/// accounted for by its expectation, so a step's cost stays bounded whatever its length.
pub const MAX_FRAMES_PER_STEP: u64 = 4096;

/// What a workload asks for at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Demand {
    /// Runnable threads (cores wanted), ≥ 0.
    pub threads: f64,
    /// GPU time fraction at full clock, ≥ 0.
    pub gpu: f64,
    /// Throughput when fully served, in the workload's unit per second.
    pub nominal: f64,
}

/// How one workload was served during a step (also what telemetry reports).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Service {
    /// Whether the workload was running (started and not finished).
    pub active: bool,
    /// Cores granted by the scheduler.
    pub cpu_grant: f64,
    /// Cores actually busy.
    pub cpu_used: f64,
    /// GPU time fraction used.
    pub gpu_time: f64,
    /// Fraction of the demanded rate delivered, 0..1 (batch, steady, bursty).
    pub served: f64,
    /// Throughput, in the workload's unit per second (fps for a frame loop).
    pub throughput: f64,
    /// Throughput when fully served.
    pub nominal: f64,
    /// Frame loop: the frame time before jitter, ms.
    pub frame_base_ms: f64,
}

/// The running state of one workload.
#[derive(Debug, Clone)]
pub struct WorkloadState {
    /// Its definition.
    pub def: WorkloadDef,
    /// `cpu.weight` once set; `None` = 100 per runnable thread.
    pub weight: Option<f64>,
    /// Quota in cores, `None` = unlimited.
    pub quota: Option<f64>,
    /// Exclusive cores (0 = not pinned).
    pub pinned: f64,
    rng: SplitMix64,
    /// Bursty: currently in an on phase.
    pub on: bool,
    /// Batch: units done.
    pub done_units: f64,
    /// When the batch finished, ms.
    pub completed_at_ms: Option<f64>,
    frame_elapsed_ms: f64,
    pending_jitter: Option<f64>,
    miss_carry: f64,
    /// Frames completed since the start.
    pub frames: u64,
    /// Frames over the deadline since the start.
    pub misses: u64,
    /// Frames completed in the last step.
    pub step_frames: u64,
    /// Misses in the last step.
    pub step_misses: u64,
    /// Mean frame time of the frames completed in the last step (the previous value when none
    /// completed), ms.
    pub frame_ms: f64,
    /// Share of the last step's frames that missed the deadline (the previous value when none
    /// completed), 0..1.
    pub miss_rate: f64,
    /// Work units since the start (frames for a frame loop).
    pub work_units: f64,
    /// Work units full service would have given while active.
    pub nominal_units: f64,
    /// Milliseconds active (summed in ms, where tick lengths are usually exact).
    pub active_ms: f64,
}

impl WorkloadState {
    /// Fresh state with its own random stream.
    pub fn new(def: &WorkloadDef, rng: SplitMix64) -> WorkloadState {
        let on = match def.profile() {
            Some(Profile::Bursty(b)) => b.start_on,
            _ => true,
        };
        WorkloadState {
            weight: def.cpu_weight,
            quota: def.cpu_quota,
            pinned: def.pinned_cores.unwrap_or(0.0),
            def: def.clone(),
            rng,
            on,
            done_units: 0.0,
            completed_at_ms: None,
            frame_elapsed_ms: 0.0,
            pending_jitter: None,
            miss_carry: 0.0,
            frames: 0,
            misses: 0,
            step_frames: 0,
            step_misses: 0,
            frame_ms: 0.0,
            miss_rate: 0.0,
            work_units: 0.0,
            nominal_units: 0.0,
            active_ms: 0.0,
        }
    }

    /// Whether it runs at `now_ms`: started, and (a batch) not finished.
    pub fn active(&self, now_ms: f64) -> bool {
        now_ms >= self.def.start_s * 1000.0 && self.completed_at_ms.is_none()
    }

    /// The demand at `now_ms` (zero when inactive).
    pub fn demand(&self, now_ms: f64) -> Demand {
        if !self.active(now_ms) {
            return Demand::default();
        }
        match self.def.profile() {
            Some(Profile::Steady(s)) => Demand {
                threads: s.cpu_cores,
                gpu: s.gpu_util,
                nominal: s.units_per_s,
            },
            Some(Profile::Bursty(b)) => {
                if self.on {
                    Demand {
                        threads: b.cpu_cores,
                        gpu: b.gpu_util,
                        nominal: b.units_per_s,
                    }
                } else {
                    // Off phases do proportionally less work than on phases.
                    let ratio = if b.cpu_cores > 0.0 {
                        b.idle_cpu_cores / b.cpu_cores
                    } else if b.gpu_util > 0.0 {
                        b.idle_gpu_util / b.gpu_util
                    } else {
                        0.0
                    };
                    Demand {
                        threads: b.idle_cpu_cores,
                        gpu: b.idle_gpu_util,
                        nominal: b.units_per_s * ratio,
                    }
                }
            }
            Some(Profile::FrameLoop(f)) => Demand {
                threads: f.threads,
                gpu: f.gpu_ms_per_frame / f.period_ms,
                nominal: 1000.0 / f.period_ms,
            },
            Some(Profile::Batch(b)) => Demand {
                threads: b.cpu_cores,
                gpu: b.gpu_util,
                nominal: b.units_per_s,
            },
            None => Demand::default(),
        }
    }

    /// The scheduler weight: the set `cpu.weight`, else 100 per runnable thread (threads of
    /// one shared group compete one by one).
    pub fn effective_weight(&self, threads: f64) -> f64 {
        self.weight
            .unwrap_or_else(|| 100.0 * threads.ceil().max(1.0))
    }

    /// Advances the workload by `dt_ms` with the service it got; `now_ms` is the step's start.
    pub fn advance(&mut self, now_ms: f64, dt_ms: f64, service: &Service) {
        self.step_frames = 0;
        self.step_misses = 0;
        if !service.active {
            return;
        }
        let dt_s = dt_ms / 1000.0;
        self.active_ms += dt_ms;
        self.nominal_units += service.nominal * dt_s;
        match self.def.profile() {
            Some(Profile::FrameLoop(f)) => {
                let deadline = f.deadline_ms.unwrap_or(f.period_ms);
                self.run_frames(
                    dt_ms,
                    service.frame_base_ms,
                    f.period_ms,
                    deadline,
                    f.jitter,
                );
                self.work_units += self.step_frames as f64;
            }
            Some(Profile::Batch(b)) => {
                let remaining = b.total_units - self.done_units;
                let rate = service.throughput;
                let done = rate * dt_s;
                if done >= remaining && rate > 0.0 {
                    // Finishes inside this step, at the exact moment.
                    self.completed_at_ms = Some(now_ms + remaining / rate * 1000.0);
                    self.done_units = b.total_units;
                    self.work_units += remaining;
                } else {
                    self.done_units += done;
                    self.work_units += done;
                }
            }
            Some(Profile::Bursty(b)) => {
                self.work_units += service.throughput * dt_s;
                // Phase changes: a phase of mean length m ends within dt with 1 − e^(−dt/m).
                let mean = if self.on { b.mean_on_s } else { b.mean_off_s };
                if self.rng.chance(1.0 - (-dt_s / mean).exp()) {
                    self.on = !self.on;
                }
            }
            Some(Profile::Steady(_)) | None => {
                self.work_units += service.throughput * dt_s;
            }
        }
    }

    /// Frames completed during `dt_ms`: each frame takes `base · (1 + jitter · u)` and the next
    /// starts no sooner than one period after it started; over the deadline is a miss.
    fn run_frames(
        &mut self,
        dt_ms: f64,
        base_ms: f64,
        period_ms: f64,
        deadline_ms: f64,
        jitter: f64,
    ) {
        let mut budget = dt_ms;
        let mut sum_ms = 0.0;
        while self.step_frames < MAX_FRAMES_PER_STEP {
            let u = match self.pending_jitter {
                Some(u) => u,
                None => {
                    let u = self.rng.next_signed();
                    self.pending_jitter = Some(u);
                    u
                }
            };
            let frame_ms = base_ms * (1.0 + jitter * u);
            let need = frame_ms.max(period_ms) - self.frame_elapsed_ms;
            if budget < need {
                self.frame_elapsed_ms += budget;
                budget = 0.0;
                break;
            }
            budget -= need;
            self.frame_elapsed_ms = 0.0;
            self.pending_jitter = None;
            self.step_frames += 1;
            sum_ms += frame_ms;
            if frame_ms > deadline_ms {
                self.step_misses += 1;
            }
        }
        if budget > 0.0 {
            // A very long step: the rest by expectation (u uniform in [−1, 1)).
            let interval = base_ms.max(period_ms);
            let frames = (budget / interval).floor();
            let lo = base_ms * (1.0 - jitter);
            let hi = base_ms * (1.0 + jitter);
            let p_miss = if hi <= deadline_ms {
                0.0
            } else if lo > deadline_ms || hi == lo {
                1.0
            } else {
                (hi - deadline_ms) / (hi - lo)
            };
            let misses = frames * p_miss + self.miss_carry;
            let whole_misses = misses.floor();
            self.miss_carry = misses - whole_misses;
            self.step_frames = self.step_frames.saturating_add(frames as u64);
            self.step_misses = self.step_misses.saturating_add(whole_misses as u64);
            sum_ms += frames * base_ms;
            self.frame_elapsed_ms = 0.0;
        }
        self.frames = self.frames.saturating_add(self.step_frames);
        self.misses = self.misses.saturating_add(self.step_misses);
        if self.step_frames > 0 {
            self.frame_ms = sum_ms / self.step_frames as f64;
            self.miss_rate = self.step_misses as f64 / self.step_frames as f64;
        } else if self.frame_ms == 0.0 {
            self.frame_ms = base_ms;
        }
    }

    /// Batch progress 0..1 (`None` for other profiles).
    pub fn progress(&self) -> Option<f64> {
        match self.def.profile() {
            Some(Profile::Batch(b)) => Some((self.done_units / b.total_units).clamp(0.0, 1.0)),
            _ => None,
        }
    }
}
