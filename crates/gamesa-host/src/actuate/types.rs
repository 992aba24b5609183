//! What the actuators change ([`Change`]), what the journal records ([`Target`], [`Value`])
//! and what each change came to ([`Outcome`]).

use gamesa_core::effects::Effect;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `SCHED_OTHER`, the default time-sharing policy.
pub const SCHED_OTHER: u32 = 0;
/// `SCHED_BATCH`: CPU-bound, never preempts on wakeup.
pub const SCHED_BATCH: u32 = 3;
/// `SCHED_IDLE`: runs only when nothing else wants the CPU.
pub const SCHED_IDLE: u32 = 5;

/// The scheduling policies the actuators set. Real-time and deadline policies are never set,
/// and threads already running under one are left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchedPolicy {
    Other,
    Batch,
    Idle,
}

impl SchedPolicy {
    /// The kernel's number for the policy (`SCHED_OTHER` 0, `SCHED_BATCH` 3, `SCHED_IDLE` 5).
    pub fn number(self) -> u32 {
        match self {
            SchedPolicy::Other => SCHED_OTHER,
            SchedPolicy::Batch => SCHED_BATCH,
            SchedPolicy::Idle => SCHED_IDLE,
        }
    }
}

/// An I/O scheduling class (`ioprio_set(2)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IoprioClass {
    /// Real time (class 1): needs CAP_SYS_ADMIN.
    Realtime,
    /// Best effort (class 2), levels 0 (highest) to 7.
    BestEffort,
    /// Idle (class 3): I/O only when the disk is otherwise idle.
    Idle,
}

impl IoprioClass {
    /// The raw ioprio value: `class << 13 | level`.
    pub fn raw(self, level: u8) -> i64 {
        let class = match self {
            IoprioClass::Realtime => 1,
            IoprioClass::BestEffort => 2,
            IoprioClass::Idle => 3,
        };
        (class << 13) | i64::from(level & 7)
    }
}

/// A knob of a cgroup the governor created. Each is written to the v2 file, or translated
/// to the v1 file(s) where the controller is mounted as cgroup v1 (see docs/actuation.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKnob {
    /// v2 `cpu.weight` (1..=10000, default 100); v1 `cpu.shares` = weight × 1024 / 100.
    CpuWeight(u64),
    /// v2 `cpu.max` (`"QUOTA PERIOD"` or `"max PERIOD"`, µs); v1 `cpu.cfs_period_us` then
    /// `cpu.cfs_quota_us` (-1 for no limit).
    CpuMax {
        quota_us: Option<u64>,
        period_us: u64,
    },
    /// `cpu.idle` (v2, and v1 where the kernel has it): 1 makes the group SCHED_IDLE.
    CpuIdle(bool),
    /// `cpuset.cpus`, written in the kernel's list form (`0-2,5`).
    CpusetCpus(Vec<usize>),
    /// v2 `memory.high` in bytes (`None`: `max`). No v1 equivalent.
    MemoryHigh(Option<u64>),
    /// v2 `io.weight` (`default N`, 1..=10000). No v1 equivalent.
    IoWeight(u64),
}

/// A cpufreq policy file of one CPU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CpufreqKnob {
    /// `scaling_max_freq`, kHz.
    MaxFreqKhz(u64),
    /// `energy_performance_preference` (e.g. `balance_power`).
    EnergyPerformancePreference(String),
    /// `scaling_governor` (e.g. `powersave`).
    Governor(String),
}

/// Locked GPU clocks, MHz.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClockRange {
    pub min_mhz: u32,
    pub max_mhz: u32,
}

/// One change the governor asks for. Per-process changes apply to every thread of the process
/// (each thread is journaled on its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Nice value (-20..=19) of every thread (`setpriority(PRIO_PROCESS, tid)`).
    Nice { pid: i32, nice: i32 },
    /// Scheduling policy of every thread (`sched_setattr`; the nice value is kept).
    SchedPolicy { pid: i32, policy: SchedPolicy },
    /// CPU affinity of every thread (`sched_setaffinity`).
    Affinity { pid: i32, cpus: Vec<usize> },
    /// I/O priority of every thread (`ioprio_set(IOPRIO_WHO_PROCESS, tid)`).
    Ioprio {
        pid: i32,
        class: IoprioClass,
        level: u8,
    },
    /// `/proc/PID/oom_score_adj` (-1000..=1000), per process.
    OomScoreAdj { pid: i32, value: i32 },
    /// Creates `<subtree>/<group>` in every cgroup hierarchy the actuators use.
    CreateGroup { group: String },
    /// Moves a process (all its threads) into the group, in every hierarchy where the group
    /// exists; its original group is journaled.
    MoveToGroup { pid: i32, group: String },
    /// Writes a knob of a group the governor created.
    GroupKnob { group: String, knob: GroupKnob },
    /// A cpufreq file of one CPU.
    Cpufreq { cpu: u32, knob: CpufreqKnob },
    /// RAPL `constraint_0_power_limit_uw` of a powercap zone such as `intel-rapl:0`, µW.
    RaplPowerLimit { zone: String, microwatts: u64 },
    /// NVIDIA power management limit, mW.
    GpuPowerLimit { index: u32, milliwatts: u32 },
    /// NVIDIA locked GPU clocks (`None`: unlock).
    GpuLockedClocks {
        index: u32,
        clocks: Option<ClockRange>,
    },
}

impl Change {
    /// The capability (effect) an agent needs for this change.
    pub fn effect(&self) -> Effect {
        match self {
            Change::Nice { .. }
            | Change::SchedPolicy { .. }
            | Change::Ioprio { .. }
            | Change::OomScoreAdj { .. }
            | Change::MoveToGroup { .. } => Effect::ProcessControl,
            Change::GroupKnob {
                knob: GroupKnob::MemoryHigh(_),
                ..
            } => Effect::MemoryControl,
            Change::Affinity { .. }
            | Change::CreateGroup { .. }
            | Change::GroupKnob { .. }
            | Change::Cpufreq { .. } => Effect::CpuControl,
            Change::RaplPowerLimit { .. } => Effect::PowerControl,
            Change::GpuPowerLimit { .. } | Change::GpuLockedClocks { .. } => Effect::GpuControl,
        }
    }

    /// The target named in the capability check and its audit record (`pid:42`, `cgroup:web`,
    /// `cpu:0`, `rapl:intel-rapl:0`, `gpu:0`).
    pub fn target_label(&self) -> String {
        match self {
            Change::Nice { pid, .. }
            | Change::SchedPolicy { pid, .. }
            | Change::Affinity { pid, .. }
            | Change::Ioprio { pid, .. }
            | Change::OomScoreAdj { pid, .. }
            | Change::MoveToGroup { pid, .. } => format!("pid:{pid}"),
            Change::CreateGroup { group } | Change::GroupKnob { group, .. } => {
                format!("cgroup:{group}")
            }
            Change::Cpufreq { cpu, .. } => format!("cpu:{cpu}"),
            Change::RaplPowerLimit { zone, .. } => format!("rapl:{zone}"),
            Change::GpuPowerLimit { index, .. } | Change::GpuLockedClocks { index, .. } => {
                format!("gpu:{index}")
            }
        }
    }
}

/// A knob of one thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadKnob {
    Nice,
    Sched,
    Affinity,
    Ioprio,
}

/// A knob of one process (shared by its threads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessKnob {
    OomScoreAdj,
}

/// A knob of one GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GpuKnob {
    PowerLimitMw,
    LockedClocks,
}

/// One thing a journal entry changes. Process targets carry the identity (pid, and the start
/// time from field 22 of `/proc/PID/stat`, in clock ticks since boot) so a reused pid is never
/// touched.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Target {
    /// A knob of thread `tid` of process `pid`; `start_time` is the thread's
    /// (`/proc/PID/task/TID/stat`).
    Thread {
        pid: i32,
        tid: i32,
        start_time: u64,
        knob: ThreadKnob,
    },
    /// A knob of process `pid`.
    Process {
        pid: i32,
        start_time: u64,
        knob: ProcessKnob,
    },
    /// The group of process `pid` in the hierarchy mounted at `mount` that holds `controller`
    /// (empty for cgroup v2). The value is the group's path as `/proc/PID/cgroup` shows it.
    CgroupMembership {
        pid: i32,
        start_time: u64,
        mount: PathBuf,
        controller: String,
    },
    /// A cgroup directory the governor created.
    CgroupDir { path: PathBuf },
    /// A file of a cgroup (absolute path).
    CgroupFile { path: PathBuf },
    /// A sysfs file (absolute path, the sysfs root included).
    Sysfs { path: PathBuf },
    /// A knob of GPU `index`.
    Gpu { index: u32, knob: GpuKnob },
}

/// A knob's value, as journaled.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    /// nice, raw ioprio, oom_score_adj, GPU power limit (mW).
    Int(i64),
    /// A file's content, trimmed; a cgroup path for memberships.
    Text(String),
    /// An affinity mask, as sorted CPU numbers.
    Cpus(Vec<usize>),
    /// Scheduling policy number, real-time priority and the reset-on-fork flag.
    Sched {
        policy: u32,
        priority: u32,
        reset_on_fork: bool,
    },
    /// Whether a directory exists.
    Exists(bool),
    /// Locked GPU clocks (`None`: not locked).
    Clocks(Option<ClockRange>),
}

/// What one change came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Written (`writes` knobs; 0 when everything already had the value).
    Applied { writes: u32 },
    /// Dry run: `writes` knobs would have been written; nothing was journaled or written.
    DryRun { writes: u32 },
    /// The kernel (or the driver) refused a write; `errno` where there is one. Earlier writes of
    /// the same change (other threads) stand and are journaled.
    Refused {
        target: Target,
        errno: Option<i32>,
        message: String,
    },
    /// The process exited (or its pid now names another process): nothing written.
    ProcessGone,
    /// Someone else changed a value the governor had set: it is left alone.
    Conflict {
        target: Target,
        ours: Value,
        current: Value,
    },
}
