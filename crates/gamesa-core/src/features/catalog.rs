//! The default variable catalog: the telemetry variables rules and features may name, with
//! their types, following the catalog planned for `gamesa-telemetry`. Units:
//! utilizations and ratios are 0..1, temperatures °C, power W, clocks MHz, memory MB, PSI
//! `avg10` values are percentages 0..100.
//!
//! Every variable is a `double` except `gpu.count` (`int`). A variable declared here may still
//! be absent from a snapshot (a sensor the machine lacks); a rule that reads an absent variable
//! reports an error for that tick instead of seeing a made-up zero.

use crate::expr::{Env, Type};

/// Machine-wide variables, in slot order: `(name, unit and meaning)`.
pub const GLOBAL_VARIABLES: [(&str, &str); 17] = [
    ("cpu.util", "total CPU utilization, 0..1"),
    ("cpu.freq_mhz", "mean current CPU frequency, MHz"),
    ("cpu.load1", "1-minute load average"),
    ("cpu.load5", "5-minute load average"),
    ("cpu.load15", "15-minute load average"),
    (
        "cpu.psi_some_avg10",
        "CPU pressure stall, some, 10 s average, %",
    ),
    (
        "mem.used_ratio",
        "memory in use (total - available) / total, 0..1",
    ),
    ("mem.available_mb", "memory available, MB"),
    ("swap.used_ratio", "swap in use, 0..1"),
    (
        "mem.psi_some_avg10",
        "memory pressure stall, some, 10 s average, %",
    ),
    (
        "io.psi_some_avg10",
        "I/O pressure stall, some, 10 s average, %",
    ),
    ("thermal.cpu_c", "CPU package temperature, °C"),
    (
        "thermal.headroom_c",
        "CPU critical temperature minus current, °C",
    ),
    ("power.cpu_w", "CPU package power from RAPL, W"),
    ("power.cpu_limit_w", "CPU package power limit (RAPL PL1), W"),
    (
        "power.cpu_limit_max_w",
        "highest CPU package power limit the firmware accepts, W",
    ),
    ("gpu.count", "number of GPUs seen (int)"),
];

/// Per-GPU variables `gpu<N>.<field>`, in slot order within one GPU.
pub const GPU_FIELDS: [(&str, &str); 12] = [
    ("util", "SM utilization, 0..1"),
    ("mem_util", "memory controller utilization, 0..1"),
    ("temp_c", "GPU temperature, °C"),
    ("power_w", "power draw, W"),
    ("power_limit_w", "enforced power limit, W"),
    ("power_min_w", "lowest settable power limit, W"),
    ("power_max_w", "highest settable power limit, W"),
    ("sm_clock_mhz", "SM clock, MHz"),
    ("mem_clock_mhz", "memory clock, MHz"),
    ("mem_used_mb", "VRAM in use, MB"),
    ("mem_total_mb", "VRAM total, MB"),
    (
        "temp_limit_c",
        "temperature where the GPU starts slowing down, °C",
    ),
];

/// CPU cores in the default catalog (`cpu.core0.util` .. `cpu.core63.util`).
pub const DEFAULT_CORES: usize = 64;
/// GPUs in the default catalog (`gpu0.*` .. `gpu7.*`).
pub const DEFAULT_GPUS: usize = 8;

/// The catalog for a machine with `cores` CPU cores and `gpus` GPUs: the global variables,
/// then `cpu.core<N>.util` for each core, then the GPU fields for each GPU. Slot order is
/// exactly that, so snapshots built from it are reproducible.
pub fn telemetry_catalog_for(cores: usize, gpus: usize) -> Env {
    let mut env = Env::new();
    for (name, _) in GLOBAL_VARIABLES {
        let ty = if name == "gpu.count" {
            Type::Int
        } else {
            Type::Double
        };
        env = env.declare(name, ty);
    }
    for core in 0..cores {
        env = env.declare(&format!("cpu.core{core}.util"), Type::Double);
    }
    for gpu in 0..gpus {
        for (field, _) in GPU_FIELDS {
            env = env.declare(&format!("gpu{gpu}.{field}"), Type::Double);
        }
    }
    env
}

/// The default catalog: [`DEFAULT_CORES`] cores and [`DEFAULT_GPUS`] GPUs (15 + 64 + 88 = 167
/// variables). Machines with fewer simply leave the extra variables absent.
pub fn telemetry_catalog() -> Env {
    telemetry_catalog_for(DEFAULT_CORES, DEFAULT_GPUS)
}

/// What a catalog variable means (unit included), or `None` for a name outside the catalog.
pub fn describe_variable(name: &str) -> Option<String> {
    if let Some((_, what)) = GLOBAL_VARIABLES.iter().find(|(n, _)| *n == name) {
        return Some((*what).to_string());
    }
    if let Some(core) = name
        .strip_prefix("cpu.core")
        .and_then(|rest| rest.strip_suffix(".util"))
        .filter(|n| is_index(n))
    {
        return Some(format!("utilization of CPU core {core}, 0..1"));
    }
    let rest = name.strip_prefix("gpu")?;
    let (index, field) = rest.split_once('.')?;
    if !is_index(index) {
        return None;
    }
    let (_, what) = GPU_FIELDS.iter().find(|(f, _)| *f == field)?;
    Some(format!("GPU {index}: {what}"))
}

/// A decimal index without leading zeros.
fn is_index(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}
