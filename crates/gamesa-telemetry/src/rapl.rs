//! CPU package power from RAPL powercap.
//!
//! Reads `/sys/class/powercap/intel-rapl:N/energy_uj` (cumulative energy, µJ) and
//! `max_energy_range_uj` (the value at which the counter wraps to 0, µJ) for every package zone
//! `intel-rapl:N` (sub-zones `intel-rapl:N:M`, such as core and dram, are already included in
//! their package and are skipped). `power.cpu_w` is the sum over packages of energy deltas
//! divided by the elapsed time, in W. `energy_uj` is readable by root only since Linux 5.10
//! (a side-channel fix); other users get a `PermissionDenied` status.
//!
//! The package power limit (PL1) is `constraint_0_power_limit_uw` (µW) and the highest value the
//! firmware accepts for it `constraint_0_max_power_uw` (µW), per package zone: summed over
//! packages they are `power.cpu_limit_w` and `power.cpu_limit_max_w`, in W. Either is absent
//! (with its reason) when a package lacks the file, as some firmware does.

use std::time::Instant;

use crate::error::ReadError;
use crate::parse::single;
use crate::root::SysRoot;

/// Powercap class directory.
pub const POWERCAP_DIR: &str = "/sys/class/powercap";

/// One package zone's counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaplZone {
    /// Directory name, e.g. `intel-rapl:0`.
    pub zone: String,
    /// Cumulative energy, µJ.
    pub energy_uj: u64,
    /// Counter range, µJ: the counter wraps to 0 after this value.
    pub max_energy_range_uj: u64,
    /// `constraint_0_power_limit_uw`, µW, or why it could not be read.
    pub power_limit_uw: Result<u64, String>,
    /// `constraint_0_max_power_uw`, µW, or why it could not be read.
    pub max_power_uw: Result<u64, String>,
}

/// Reads one optional µW attribute of a zone directory.
fn attribute_uw(root: &SysRoot, dir: &str, name: &str) -> Result<u64, String> {
    let (path, text) = root
        .read(&format!("{dir}/{name}"))
        .map_err(|e| e.to_string())?;
    single(&path, &text, name).map_err(|e| e.to_string())
}

/// The sum over packages of one µW attribute, in W; the first package's reason when one
/// lacks it.
pub fn sum_watts(
    zones: &[RaplZone],
    pick: impl Fn(&RaplZone) -> &Result<u64, String>,
) -> Result<f64, String> {
    let mut total_uw = 0.0;
    for z in zones {
        match pick(z) {
            Ok(uw) => total_uw += *uw as f64,
            Err(why) => return Err(why.clone()),
        }
    }
    Ok(total_uw / 1e6)
}

/// Reads every package zone, in zone-name order.
pub fn read_rapl(root: &SysRoot) -> Result<Vec<RaplZone>, ReadError> {
    let mut zones = Vec::new();
    for zone in root.list(POWERCAP_DIR)? {
        let Some(index) = zone.strip_prefix("intel-rapl:") else {
            continue;
        };
        if index.contains(':') {
            continue;
        }
        let dir = format!("{POWERCAP_DIR}/{zone}");
        let (path, text) = root.read(&format!("{dir}/energy_uj"))?;
        let energy_uj = single(&path, &text, "energy_uj")?;
        let (path, text) = root.read(&format!("{dir}/max_energy_range_uj"))?;
        let max_energy_range_uj = single(&path, &text, "max_energy_range_uj")?;
        zones.push(RaplZone {
            power_limit_uw: attribute_uw(root, &dir, "constraint_0_power_limit_uw"),
            max_power_uw: attribute_uw(root, &dir, "constraint_0_max_power_uw"),
            zone,
            energy_uj,
            max_energy_range_uj,
        });
    }
    if zones.is_empty() {
        return Err(ReadError::Missing {
            path: root.path(&format!("{POWERCAP_DIR}/intel-rapl:0/energy_uj")),
        });
    }
    Ok(zones)
}

/// Energy consumed between two counter values, µJ, handling one wraparound at `max_range_uj`.
/// `None` when the values are impossible (beyond the range).
pub fn energy_delta_uj(prev: u64, cur: u64, max_range_uj: u64) -> Option<u64> {
    if cur >= prev {
        return Some(cur - prev);
    }
    if prev > max_range_uj {
        return None;
    }
    Some(max_range_uj - prev + cur)
}

/// Turns successive RAPL readings into watts.
#[derive(Debug, Clone, Default)]
pub struct RaplTracker {
    prev: Option<(Vec<RaplZone>, Instant)>,
}

impl RaplTracker {
    /// A tracker with no baseline: the first update reports no power.
    pub fn new() -> Self {
        RaplTracker::default()
    }

    /// Feeds a reading taken at `now`; returns the package power in W since the previous one,
    /// or why it is unknown.
    pub fn update(&mut self, zones: Vec<RaplZone>, now: Instant) -> Result<f64, String> {
        let result = match self.prev.take() {
            None => Err("RAPL power needs two readings".to_string()),
            Some((prev, prev_at)) => package_watts(&prev, prev_at, &zones, now),
        };
        self.prev = Some((zones, now));
        result
    }
}

/// Package power between two readings of the same zones, W.
fn package_watts(
    prev: &[RaplZone],
    prev_at: Instant,
    cur: &[RaplZone],
    now: Instant,
) -> Result<f64, String> {
    let seconds = now.saturating_duration_since(prev_at).as_secs_f64();
    if seconds <= 0.0 {
        return Err("no time elapsed since the previous RAPL reading".into());
    }
    let same_zones = prev.len() == cur.len() && prev.iter().zip(cur).all(|(a, b)| a.zone == b.zone);
    if !same_zones {
        return Err("RAPL zones changed; power resumes at the next reading".into());
    }
    let mut total_uj = 0u64;
    for (a, b) in prev.iter().zip(cur) {
        total_uj += energy_delta_uj(a.energy_uj, b.energy_uj, b.max_energy_range_uj)
            .ok_or_else(|| format!("{}: energy_uj outside max_energy_range_uj", b.zone))?;
    }
    Ok(total_uj as f64 / 1e6 / seconds)
}
