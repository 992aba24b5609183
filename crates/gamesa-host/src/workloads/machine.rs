//! The machine-wide actions of a live run, as actuator [`Change`]s: the CPU package power limit
//! (RAPL `constraint_0_power_limit_uw` of every package zone), the CPU frequency ceiling
//! (cpufreq `scaling_max_freq` of every policy) and a GPU's power limit (NVML). The engine's
//! units (W, MHz) become the kernel's and the driver's (µW, kHz, mW) here; which zones and
//! policies exist is read from the sysfs tree the actuator writes to, so a fake tree tests it.

use crate::actuate::Change;
use crate::actuate::types::CpufreqKnob;
use gamesa_core::error::codes;
use std::fs;
use std::path::Path;

/// Why an action cannot become changes: an error code and a message.
pub(crate) type Refusal = (&'static str, String);

/// The changes a machine-wide action becomes; `None` when `kind` is not one of them.
pub(crate) fn machine_changes(
    kind: &str,
    target: &str,
    value: f64,
    sysfs_root: &Path,
) -> Option<Result<Vec<Change>, Refusal>> {
    let bad = |what: &str| Err((codes::INVALID_ARGUMENT, format!("{kind} {what}")));
    Some(match kind {
        "set_cpu_power_limit" => {
            if target != "cpu" {
                return Some(bad("takes target \"cpu\""));
            }
            if !(value.is_finite() && (1.0..=100_000.0).contains(&value)) {
                return Some(bad(&format!("value {value} W is outside 1..=100000")));
            }
            let zones = rapl_package_zones(sysfs_root);
            if zones.is_empty() {
                return Some(Err(unsupported(format!(
                    "no RAPL package zone under {}",
                    sysfs_root.join("class/powercap").display()
                ))));
            }
            // Telemetry sums the packages' limits into `power.cpu_limit_w`: the engine's value
            // is that sum, shared equally.
            let per_zone = (value * 1e6 / zones.len() as f64).round() as u64;
            Ok(zones
                .into_iter()
                .map(|zone| Change::RaplPowerLimit {
                    zone,
                    microwatts: per_zone,
                })
                .collect())
        }
        "set_cpu_freq_max" => {
            if target != "cpu" {
                return Some(bad("takes target \"cpu\""));
            }
            if !(value.is_finite() && (1.0..=100_000.0).contains(&value)) {
                return Some(bad(&format!("value {value} MHz is outside 1..=100000")));
            }
            let policies = cpufreq_policies(sysfs_root);
            if policies.is_empty() {
                return Some(Err(unsupported(format!(
                    "no cpufreq policy under {}",
                    sysfs_root.join("devices/system/cpu/cpufreq").display()
                ))));
            }
            let khz = (value * 1000.0).round() as u64;
            Ok(policies
                .into_iter()
                .map(|p| Change::Cpufreq {
                    cpu: p.cpu,
                    // The kernel clamps to the hardware's range and would read back another
                    // value than the one journaled; clamping here keeps them equal.
                    knob: CpufreqKnob::MaxFreqKhz(match p.range_khz {
                        Some((lo, hi)) => khz.clamp(lo, hi),
                        None => khz,
                    }),
                })
                .collect())
        }
        "set_gpu_power_limit" => {
            let Some(index) = gpu_index(target) else {
                return Some(bad(&format!("target {target:?} is not gpuN")));
            };
            if !(value.is_finite() && (1.0..=100_000.0).contains(&value)) {
                return Some(bad(&format!("value {value} W is outside 1..=100000")));
            }
            Ok(vec![Change::GpuPowerLimit {
                index,
                milliwatts: (value * 1000.0).round() as u32,
            }])
        }
        _ => return None,
    })
}

fn unsupported(message: String) -> Refusal {
    (codes::ACTUATION_UNSUPPORTED, message)
}

/// The index of a `gpuN` target (decimal, no leading zeros).
fn gpu_index(target: &str) -> Option<u32> {
    let n = target.strip_prefix("gpu")?;
    let canonical = !n.is_empty()
        && n.len() <= 3
        && n.bytes().all(|b| b.is_ascii_digit())
        && (n == "0" || !n.starts_with('0'));
    if canonical { n.parse().ok() } else { None }
}

/// The package zones (`intel-rapl:N`, not their `intel-rapl:N:M` subzones) that have a power
/// limit, in name order: the zones telemetry reads.
pub(crate) fn rapl_package_zones(sysfs_root: &Path) -> Vec<String> {
    let dir = sysfs_root.join("class/powercap");
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut zones: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| {
            name.strip_prefix("intel-rapl:")
                .is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
        })
        .filter(|name| dir.join(name).join("constraint_0_power_limit_uw").exists())
        .collect();
    zones.sort();
    zones
}

/// One cpufreq policy: a CPU it governs (its `scaling_max_freq` is the policy's) and the
/// hardware's range, kHz, where readable.
pub(crate) struct Policy {
    pub cpu: u32,
    pub range_khz: Option<(u64, u64)>,
}

/// Every cpufreq policy (`devices/system/cpu/cpufreq/policyN`), in number order.
pub(crate) fn cpufreq_policies(sysfs_root: &Path) -> Vec<Policy> {
    let dir = sysfs_root.join("devices/system/cpu/cpufreq");
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut numbers: Vec<u32> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_prefix("policy")?.parse().ok())
        .collect();
    numbers.sort_unstable();
    numbers
        .into_iter()
        .filter_map(|n| {
            let p = dir.join(format!("policy{n}"));
            let read = |f: &str| fs::read_to_string(p.join(f)).ok();
            // The policy's CPUs; the policy is named after its first one otherwise.
            let cpu = read("affected_cpus")
                .and_then(|t| parse_cpu_list(&t)?.first().copied())
                .map_or(n, |c| c as u32);
            if !p.join("scaling_max_freq").exists() {
                return None;
            }
            let num = |f: &str| read(f)?.trim().parse::<u64>().ok();
            let range_khz = num("cpuinfo_min_freq").zip(num("cpuinfo_max_freq"));
            Some(Policy { cpu, range_khz })
        })
        .collect()
}

/// A kernel CPU list (`0-3,5`, or separated by spaces as `affected_cpus` is), sorted; `None`
/// when it is not one.
pub(crate) fn parse_cpu_list(text: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for part in text.split([',', ' ', '\n']).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) = (a.parse().ok()?, b.parse().ok()?);
                if a > b || b - a > 4096 {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(part.parse().ok()?),
        }
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists() {
        assert_eq!(parse_cpu_list("0-3,5\n"), Some(vec![0, 1, 2, 3, 5]));
        assert_eq!(parse_cpu_list("2 0 1"), Some(vec![0, 1, 2]));
        assert_eq!(parse_cpu_list(""), Some(vec![]));
        assert_eq!(parse_cpu_list("3-1"), None);
        assert_eq!(parse_cpu_list("x"), None);
    }

    #[test]
    fn gpu_targets() {
        assert_eq!(gpu_index("gpu0"), Some(0));
        assert_eq!(gpu_index("gpu12"), Some(12));
        for bad in ["gpu", "gpu01", "cpu", "gpu-1", "gpu1234"] {
            assert_eq!(gpu_index(bad), None, "{bad}");
        }
    }
}
