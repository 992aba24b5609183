//! Current CPU frequency from cpufreq.
//!
//! Reads `/sys/devices/system/cpu/cpuN/cpufreq/scaling_cur_freq` (kHz) for every core that has
//! it and reports the mean as `cpu.freq_mhz` (MHz). VMs usually have no cpufreq directory; the
//! source is then missing.

use crate::error::ReadError;
use crate::parse::single;
use crate::root::SysRoot;

/// The directory holding one `cpuN` entry per core.
pub const CPU_DIR: &str = "/sys/devices/system/cpu";

/// Mean `scaling_cur_freq` over the cores that report one, in MHz.
///
/// Fails with the first error if no core reports a frequency (so a missing cpufreq reads as
/// `Missing` of `cpu0/cpufreq/scaling_cur_freq`), and with any malformed file.
pub fn read_cpu_freq_mhz(root: &SysRoot) -> Result<f64, ReadError> {
    let mut sum_khz = 0u64;
    let mut count = 0u64;
    let mut first_error = None;
    for entry in root.list(CPU_DIR)? {
        let Some(index) = entry.strip_prefix("cpu") else {
            continue;
        };
        if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let path = root.path(&format!("{CPU_DIR}/{entry}/cpufreq/scaling_cur_freq"));
        match root.read_path(&path) {
            Ok(text) => {
                sum_khz += single::<u64>(&path, &text, "scaling_cur_freq")?;
                count += 1;
            }
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    if count == 0 {
        return Err(first_error.unwrap_or_else(|| ReadError::Missing {
            path: root.path(&format!("{CPU_DIR}/cpu0/cpufreq/scaling_cur_freq")),
        }));
    }
    Ok(sum_khz as f64 / count as f64 / 1000.0)
}
