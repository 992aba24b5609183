//! Actuations: the settings a policy may change on the simulated machine. The kinds and
//! targets are exactly those of the engine's sample gate configuration (docs/simulator.md).

use super::error::SimError;
use crate::json_objects::objects_only;
use serde::{Deserialize, Serialize};

/// One setting change: `kind` on `target` to `value` (absolute).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct Actuation {
    /// One of [`ActuationKind::ALL`]'s strings.
    pub kind: String,
    /// `gpuN`, `cpu`, or a workload name, depending on the kind.
    pub target: String,
    /// The new value, in the kind's unit.
    pub value: f64,
}

objects_only!(Actuation);

impl Actuation {
    /// An actuation from its parts.
    pub fn new(kind: &str, target: &str, value: f64) -> Actuation {
        Actuation {
            kind: kind.to_string(),
            target: target.to_string(),
            value,
        }
    }
}

/// The actuation kinds the plant understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ActuationKind {
    /// `set_gpu_power_limit` on `gpuN`: the enforced power limit, W, within the GPU's
    /// `power_min_w..power_max_w` (NVML refuses anything else).
    SetGpuPowerLimit,
    /// `set_cpu_freq_max` on `cpu`: the highest frequency the governor may pick, MHz, within
    /// the CPU's `freqMinMhz..freqMaxMhz`.
    SetCpuFreqMax,
    /// `set_cpu_power_limit` on `cpu`: the package power limit (RAPL PL1), W, from 1 W to the
    /// package's full power (`idleW + dynamicW`); the package runs at the highest frequency
    /// within it (and the ceiling).
    SetCpuPowerLimit,
    /// `set_cpu_weight` on a workload: cgroup `cpu.weight`, 1..10000.
    SetCpuWeight,
    /// `set_cpu_quota` on a workload: `cpu.max` quota / period in cores, 0.01..cores.
    SetCpuQuota,
    /// `pin_cores` on a workload: that many exclusive cores (a whole number; 0 unpins). All
    /// workloads together must leave at least one shared core.
    PinCores,
}

impl ActuationKind {
    /// Every kind, in documentation order.
    pub const ALL: [ActuationKind; 6] = [
        ActuationKind::SetGpuPowerLimit,
        ActuationKind::SetCpuFreqMax,
        ActuationKind::SetCpuPowerLimit,
        ActuationKind::SetCpuWeight,
        ActuationKind::SetCpuQuota,
        ActuationKind::PinCores,
    ];

    /// The string used in actuations.
    pub const fn as_str(self) -> &'static str {
        match self {
            ActuationKind::SetGpuPowerLimit => "set_gpu_power_limit",
            ActuationKind::SetCpuFreqMax => "set_cpu_freq_max",
            ActuationKind::SetCpuPowerLimit => "set_cpu_power_limit",
            ActuationKind::SetCpuWeight => "set_cpu_weight",
            ActuationKind::SetCpuQuota => "set_cpu_quota",
            ActuationKind::PinCores => "pin_cores",
        }
    }

    /// The kind named `s`, or an `INVALID_ACTUATION` error listing the known kinds.
    pub fn parse(a: &Actuation) -> Result<ActuationKind, SimError> {
        ActuationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == a.kind)
            .ok_or_else(|| {
                let known: Vec<&str> = ActuationKind::ALL.iter().map(|k| k.as_str()).collect();
                SimError::actuation(
                    &a.kind,
                    &a.target,
                    format!("unknown kind (known: {})", known.join(", ")),
                )
            })
    }
}

/// The GPU index of a `gpuN` target (`N` decimal without leading zeros).
pub(crate) fn gpu_index(target: &str) -> Option<usize> {
    let n = target.strip_prefix("gpu")?;
    let canonical = !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && (n == "0" || !n.starts_with('0'))
        && n.len() <= 3;
    if canonical { n.parse().ok() } else { None }
}
