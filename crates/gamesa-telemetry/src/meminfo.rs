//! Memory from `/proc/meminfo`.
//!
//! Reads `MemTotal`, `MemAvailable`, `SwapTotal` and `SwapFree`, all in kB (KiB). Produces
//! `mem.used_ratio` = (MemTotal - MemAvailable) / MemTotal (0..1), `mem.available_mb`
//! = MemAvailable / 1024 (MiB), and `swap.used_ratio` = (SwapTotal - SwapFree) / SwapTotal
//! (0..1; absent when no swap is configured, since 0/0 is not a reading).

use std::path::Path;

use crate::error::ReadError;
use crate::parse::num;
use crate::root::SysRoot;

/// Kernel path of the file this module reads.
pub const PROC_MEMINFO: &str = "/proc/meminfo";

/// The fields of `/proc/meminfo` this crate uses, in kB. `None` when the kernel lacks the line
/// (`MemAvailable` appeared in Linux 3.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemInfo {
    pub mem_total_kb: u64,
    pub mem_available_kb: Option<u64>,
    pub swap_total_kb: Option<u64>,
    pub swap_free_kb: Option<u64>,
}

impl MemInfo {
    /// (MemTotal - MemAvailable) / MemTotal, 0..1.
    pub fn used_ratio(&self) -> Result<f64, String> {
        let available = self
            .mem_available_kb
            .ok_or("MemAvailable missing from /proc/meminfo")?;
        if self.mem_total_kb == 0 {
            return Err("MemTotal is 0".into());
        }
        let used = self.mem_total_kb.saturating_sub(available);
        Ok(used as f64 / self.mem_total_kb as f64)
    }

    /// MemAvailable in MiB.
    pub fn available_mb(&self) -> Result<f64, String> {
        self.mem_available_kb
            .map(|kb| kb as f64 / 1024.0)
            .ok_or_else(|| "MemAvailable missing from /proc/meminfo".into())
    }

    /// (SwapTotal - SwapFree) / SwapTotal, 0..1.
    pub fn swap_used_ratio(&self) -> Result<f64, String> {
        let (Some(total), Some(free)) = (self.swap_total_kb, self.swap_free_kb) else {
            return Err("SwapTotal/SwapFree missing from /proc/meminfo".into());
        };
        if total == 0 {
            return Err("no swap configured".into());
        }
        Ok(total.saturating_sub(free) as f64 / total as f64)
    }
}

/// Reads and parses `/proc/meminfo` under `root`.
pub fn read_meminfo(root: &SysRoot) -> Result<MemInfo, ReadError> {
    let (path, text) = root.read(PROC_MEMINFO)?;
    parse_meminfo(&path, &text)
}

/// Parses the text of `/proc/meminfo` (lines like `MemTotal:  16318480 kB`).
pub fn parse_meminfo(path: &Path, text: &str) -> Result<MemInfo, ReadError> {
    let mut total = None;
    let mut info = MemInfo::default();
    for (index, line) in text.lines().enumerate() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let slot = match key {
            "MemTotal" => &mut total,
            "MemAvailable" => &mut info.mem_available_kb,
            "SwapTotal" => &mut info.swap_total_kb,
            "SwapFree" => &mut info.swap_free_kb,
            _ => continue,
        };
        let value = rest.trim().trim_end_matches("kB").trim();
        *slot = Some(num(path, index + 1, key, value)?);
    }
    info.mem_total_kb = total.ok_or_else(|| ReadError::malformed(path, 1, "no MemTotal line"))?;
    Ok(info)
}
