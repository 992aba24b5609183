//! Pressure stall information from `/proc/pressure/{cpu,memory,io}` (and cgroup v2
//! `cpu.pressure`, which has the same format).
//!
//! Reads the `some avg10=` field: the share of the last 10 s in which at least one task was
//! stalled on the resource, as a percentage 0..100. Kernels without PSI (before 4.20, or
//! booted with `psi=0`) have no such file or refuse the read; the variable is then absent.

use std::path::Path;

use crate::error::ReadError;
use crate::parse::num;
use crate::root::SysRoot;

/// The three PSI resources, with the kernel file and the variable each one produces.
pub const PSI_RESOURCES: [(&str, &str, &str); 3] = [
    ("psi_cpu", "/proc/pressure/cpu", "cpu.psi_some_avg10"),
    ("psi_memory", "/proc/pressure/memory", "mem.psi_some_avg10"),
    ("psi_io", "/proc/pressure/io", "io.psi_some_avg10"),
];

/// Reads the `some avg10` percentage of the PSI file at kernel path `rel`.
pub fn read_psi_some_avg10(root: &SysRoot, rel: &str) -> Result<f64, ReadError> {
    let (path, text) = root.read(rel)?;
    parse_psi_some_avg10(&path, &text)
}

/// Parses `some avg10=0.34 avg60=0.45 avg300=0.13 total=757879` out of a PSI file.
pub fn parse_psi_some_avg10(path: &Path, text: &str) -> Result<f64, ReadError> {
    for (index, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix("some ") else {
            continue;
        };
        let field = rest
            .split_ascii_whitespace()
            .find_map(|f| f.strip_prefix("avg10="))
            .ok_or_else(|| ReadError::malformed(path, index + 1, "`some` line has no avg10="))?;
        let value: f64 = num(path, index + 1, "avg10", field)?;
        if !(0.0..=100.0).contains(&value) {
            return Err(ReadError::malformed(
                path,
                index + 1,
                format!("avg10={field} outside 0..100"),
            ));
        }
        return Ok(value);
    }
    Err(ReadError::malformed(path, 1, "no `some` line"))
}
