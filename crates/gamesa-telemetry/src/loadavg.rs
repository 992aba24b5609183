//! Load averages from `/proc/loadavg`.
//!
//! The file's first three fields are the 1, 5 and 15-minute load averages (runnable plus
//! uninterruptible tasks, a plain number, not divided by the core count): `cpu.load1`,
//! `cpu.load5`, `cpu.load15`.

use std::path::Path;

use crate::error::ReadError;
use crate::parse::num;
use crate::root::SysRoot;

/// Kernel path of the file this module reads.
pub const PROC_LOADAVG: &str = "/proc/loadavg";

/// The three load averages.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LoadAvg {
    pub load1: f64,
    pub load5: f64,
    pub load15: f64,
}

/// Reads and parses `/proc/loadavg` under `root`.
pub fn read_loadavg(root: &SysRoot) -> Result<LoadAvg, ReadError> {
    let (path, text) = root.read(PROC_LOADAVG)?;
    parse_loadavg(&path, &text)
}

/// Parses the text of `/proc/loadavg` (`0.52 0.58 0.59 1/234 5678`).
pub fn parse_loadavg(path: &Path, text: &str) -> Result<LoadAvg, ReadError> {
    let line = text.lines().next().unwrap_or("");
    let mut fields = line.split_ascii_whitespace();
    let mut next = |what: &str| {
        let field = fields
            .next()
            .ok_or_else(|| ReadError::malformed(path, 1, format!("{what} missing")))?;
        let value: f64 = num(path, 1, what, field)?;
        if value.is_finite() && value >= 0.0 {
            Ok(value)
        } else {
            Err(ReadError::malformed(
                path,
                1,
                format!("{what}: {field:?} out of range"),
            ))
        }
    };
    Ok(LoadAvg {
        load1: next("load1")?,
        load5: next("load5")?,
        load15: next("load15")?,
    })
}
