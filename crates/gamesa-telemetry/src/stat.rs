//! CPU utilization from `/proc/stat`.
//!
//! Reads the `cpu` (aggregate) and `cpuN` lines of `/proc/stat`. Fields are cumulative times in
//! `USER_HZ` ticks (1/100 s on Linux): `user nice system idle iowait irq softirq steal guest
//! guest_nice`. Busy = user + nice + system + irq + softirq + steal (guest time is already
//! counted in user and nice, so it is not added again); idle = idle + iowait.
//! Utilization is a ratio 0..1: busy ticks / all ticks between two readings.
//!
//! The file is read directly on every call (sysinfo skips re-reads within 200 ms), so this is
//! correct at 100 Hz. At such rates an interval may contain no tick at all for a core; the
//! tracker then keeps the older baseline and the last value, instead of reporting a 0/0.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::ReadError;
use crate::parse::num;
use crate::root::SysRoot;

/// Kernel path of the file this module reads.
pub const PROC_STAT: &str = "/proc/stat";

/// Cumulative ticks of one CPU (or of all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CpuTimes {
    /// user + nice + system + irq + softirq + steal, in ticks.
    pub busy: u64,
    /// idle + iowait, in ticks.
    pub idle: u64,
}

/// One reading of `/proc/stat`'s CPU lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatReading {
    /// The aggregate `cpu` line.
    pub total: CpuTimes,
    /// The `cpuN` lines by core number (cores may be offline, so numbers can have gaps).
    pub cores: BTreeMap<usize, CpuTimes>,
}

/// Reads and parses `/proc/stat` under `root`.
pub fn read_stat(root: &SysRoot) -> Result<StatReading, ReadError> {
    let (path, text) = root.read(PROC_STAT)?;
    parse_stat(&path, &text)
}

/// Parses the text of `/proc/stat` (`path` is only used in error messages).
pub fn parse_stat(path: &Path, text: &str) -> Result<StatReading, ReadError> {
    let mut total = None;
    let mut cores = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let Some(rest) = line.strip_prefix("cpu") else {
            continue;
        };
        let mut fields = rest.split_ascii_whitespace();
        let label = if rest.starts_with(' ') {
            ""
        } else {
            fields.next().unwrap_or("")
        };
        let mut values = [0u64; 10];
        let mut count = 0;
        for field in fields {
            if count == values.len() {
                break;
            }
            values[count] = num(path, line_no, "cpu time", field)?;
            count += 1;
        }
        // user, nice, system, idle are present on every kernel since 2.4; the rest may not be.
        if count < 4 {
            return Err(ReadError::malformed(
                path,
                line_no,
                format!("cpu line has {count} fields, expected at least 4"),
            ));
        }
        let [user, nice, system, idle, iowait, irq, softirq, steal, _, _] = values;
        // Counters whose sum does not fit 64 bits are not real clock ticks.
        let sum = |parts: &[u64]| parts.iter().try_fold(0u64, |a, &b| a.checked_add(b));
        let (Some(busy), Some(idle)) = (
            sum(&[user, nice, system, irq, softirq, steal]),
            sum(&[idle, iowait]),
        ) else {
            return Err(ReadError::malformed(
                path,
                line_no,
                "cpu times add up to more than 2^64 - 1 ticks",
            ));
        };
        let times = CpuTimes { busy, idle };
        if label.is_empty() {
            total = Some(times);
        } else {
            let core = num(path, line_no, "cpu number", label)?;
            cores.insert(core, times);
        }
    }
    let total = total.ok_or_else(|| ReadError::malformed(path, 1, "no aggregate `cpu` line"))?;
    Ok(StatReading { total, cores })
}

/// Utilization of one CPU between two readings, or `None` when it cannot be known: no tick
/// elapsed, or the busy counter went backwards (a core taken offline and back resets its
/// counters). `idle` going backwards alone is tolerated: iowait is known to decrease on
/// tickless kernels, so a negative idle delta counts as zero.
pub fn util_between(prev: CpuTimes, cur: CpuTimes) -> Option<f64> {
    let busy = cur.busy.checked_sub(prev.busy)?;
    let idle = cur.idle.saturating_sub(prev.idle);
    let all = busy.checked_add(idle)?;
    if all == 0 {
        return None;
    }
    Some(busy as f64 / all as f64)
}

/// Utilizations computed by [`CpuTracker::update`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CpuUtil {
    /// All CPUs together, 0..1.
    pub total: Option<f64>,
    /// Per core, 0..1, for cores with a known value.
    pub cores: BTreeMap<usize, f64>,
}

#[derive(Debug, Clone, Copy)]
struct Baseline {
    times: CpuTimes,
    last: Option<f64>,
}

/// Turns successive `/proc/stat` readings into utilizations.
///
/// Each CPU keeps its own baseline, so a core that appears (hotplug) starts being reported
/// from its second reading, and a core that disappears is dropped. The baseline only moves
/// when at least one tick elapsed, so at 100 Hz the reported value covers the last interval
/// that contained ticks rather than an undefined 0/0.
#[derive(Debug, Clone, Default)]
pub struct CpuTracker {
    total: Option<Baseline>,
    cores: BTreeMap<usize, Baseline>,
}

impl CpuTracker {
    /// A tracker with no baseline yet: the first update reports nothing.
    pub fn new() -> Self {
        CpuTracker::default()
    }

    /// Feeds a new reading and returns the utilizations since the previous useful one.
    pub fn update(&mut self, reading: &StatReading) -> CpuUtil {
        let total = advance(&mut self.total, reading.total);
        self.cores
            .retain(|core, _| reading.cores.contains_key(core));
        let mut cores = BTreeMap::new();
        for (&core, &times) in &reading.cores {
            let mut slot = self.cores.get(&core).copied();
            if let Some(util) = advance(&mut slot, times) {
                cores.insert(core, util);
            }
            if let Some(baseline) = slot {
                self.cores.insert(core, baseline);
            }
        }
        CpuUtil { total, cores }
    }
}

/// Moves one baseline forward and returns the utilization to report.
fn advance(slot: &mut Option<Baseline>, cur: CpuTimes) -> Option<f64> {
    let Some(base) = slot.as_mut() else {
        *slot = Some(Baseline {
            times: cur,
            last: None,
        });
        return None;
    };
    if cur.busy < base.times.busy {
        // Counters reset: start over from this reading.
        *base = Baseline {
            times: cur,
            last: None,
        };
        return None;
    }
    match util_between(base.times, cur) {
        Some(util) => {
            *base = Baseline {
                times: cur,
                last: Some(util),
            };
            Some(util)
        }
        // No tick elapsed: keep the baseline, repeat the last known value.
        None => base.last,
    }
}
