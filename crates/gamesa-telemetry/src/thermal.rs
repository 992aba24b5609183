//! CPU temperature and headroom from hwmon, with thermal zones as a fallback.
//!
//! hwmon: `/sys/class/hwmon/hwmonN/name`, `tempK_input` (millidegrees C), `tempK_label`,
//! `tempK_crit` (millidegrees C). The CPU sensor is chosen in this order:
//! 1. `coretemp` (Intel): inputs labelled `Package id N` — the hottest package;
//! 2. `k10temp` / `zenpower` (AMD): `Tctl`, else `Tdie`;
//! 3. `cpu_thermal` / `cpu-thermal` (ARM SoCs): `temp1`.
//!
//! Fallback, `/sys/class/thermal/thermal_zoneN/type` and `temp` (millidegrees C): the zone typed
//! `x86_pkg_temp`, else `cpu-thermal` / `cpu_thermal` / `soc_thermal`; its critical trip point
//! (`trip_point_K_type` = `critical`, `trip_point_K_temp`) serves as the limit.
//!
//! `thermal.cpu_c` is the chosen temperature (°C); `thermal.headroom_c` = critical - current (°C),
//! absent when the sensor publishes no critical limit (k10temp does not).

use crate::error::ReadError;
use crate::parse::single;
use crate::root::SysRoot;

/// hwmon class directory.
pub const HWMON_DIR: &str = "/sys/class/hwmon";
/// Thermal zone class directory.
pub const THERMAL_DIR: &str = "/sys/class/thermal";

/// The CPU temperature and, when known, its critical limit (both °C), plus where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuTemperature {
    pub celsius: f64,
    pub crit_celsius: Option<f64>,
    /// e.g. `hwmon1 coretemp "Package id 0"` or `thermal_zone2 x86_pkg_temp`.
    pub sensor: String,
}

impl CpuTemperature {
    /// Critical minus current, °C.
    pub fn headroom(&self) -> Result<f64, String> {
        self.crit_celsius
            .map(|crit| crit - self.celsius)
            .ok_or_else(|| format!("{} publishes no critical temperature", self.sensor))
    }
}

/// Reads the CPU temperature: hwmon first, thermal zones second.
pub fn read_cpu_temperature(root: &SysRoot) -> Result<CpuTemperature, ReadError> {
    let hwmon_err = match read_hwmon(root) {
        Ok(Some(t)) => return Ok(t),
        Ok(None) => None,
        Err(err @ ReadError::Malformed { .. }) => return Err(err),
        Err(err) => Some(err),
    };
    match read_thermal_zones(root) {
        Ok(Some(t)) => Ok(t),
        Ok(None) => Err(hwmon_err.unwrap_or_else(|| ReadError::Missing {
            path: root.path(&format!("{THERMAL_DIR}/thermal_zone0/temp")),
        })),
        Err(err @ ReadError::Malformed { .. }) => Err(err),
        Err(err) => Err(hwmon_err.unwrap_or(err)),
    }
}

fn millidegrees(root: &SysRoot, rel: &str) -> Result<f64, ReadError> {
    let path = root.path(rel);
    let text = root.read_path(&path)?;
    let value: i64 = single(&path, &text, "millidegrees")?;
    Ok(value as f64 / 1000.0)
}

fn read_trimmed(root: &SysRoot, rel: &str) -> Option<String> {
    root.read(rel).ok().map(|(_, t)| t.trim().to_string())
}

/// The CPU sensor among hwmon devices, `Ok(None)` when there is none.
fn read_hwmon(root: &SysRoot) -> Result<Option<CpuTemperature>, ReadError> {
    let mut best: Option<(u8, CpuTemperature)> = None;
    for dev in root.list(HWMON_DIR)? {
        let dir = format!("{HWMON_DIR}/{dev}");
        let Some(name) = read_trimmed(root, &format!("{dir}/name")) else {
            continue;
        };
        // Lower rank wins; within coretemp the hottest package wins.
        let wanted: &[(&str, u8)] = match name.as_str() {
            "coretemp" => &[("Package id", 0)],
            "k10temp" | "zenpower" => &[("Tctl", 0), ("Tdie", 1)],
            "cpu_thermal" | "cpu-thermal" => &[("", 2)],
            _ => continue,
        };
        let files = root.list(&dir)?;
        for file in &files {
            let Some(stem) = file.strip_suffix("_input") else {
                continue;
            };
            if !stem.starts_with("temp") {
                continue;
            }
            let label = read_trimmed(root, &format!("{dir}/{stem}_label")).unwrap_or_default();
            let Some(&(_, rank)) = wanted.iter().find(|(prefix, _)| {
                if prefix.is_empty() {
                    stem == "temp1"
                } else {
                    label.starts_with(prefix)
                }
            }) else {
                continue;
            };
            let celsius = millidegrees(root, &format!("{dir}/{file}"))?;
            let crit = if files.iter().any(|f| f == &format!("{stem}_crit")) {
                Some(millidegrees(root, &format!("{dir}/{stem}_crit"))?)
            } else {
                None
            };
            let candidate = CpuTemperature {
                celsius,
                crit_celsius: crit,
                sensor: format!("{dev} {name} {label:?}"),
            };
            let better = match &best {
                None => true,
                Some((best_rank, current)) => {
                    rank < *best_rank || (rank == *best_rank && celsius > current.celsius)
                }
            };
            if better {
                best = Some((rank, candidate));
            }
        }
    }
    Ok(best.map(|(_, t)| t))
}

/// The CPU thermal zone, `Ok(None)` when there is none.
fn read_thermal_zones(root: &SysRoot) -> Result<Option<CpuTemperature>, ReadError> {
    const CPU_ZONES: [&str; 4] = ["x86_pkg_temp", "cpu-thermal", "cpu_thermal", "soc_thermal"];
    let mut best: Option<(usize, String, String)> = None;
    for zone in root.list(THERMAL_DIR)? {
        if !zone.starts_with("thermal_zone") {
            continue;
        }
        let dir = format!("{THERMAL_DIR}/{zone}");
        let Some(kind) = read_trimmed(root, &format!("{dir}/type")) else {
            continue;
        };
        if let Some(rank) = CPU_ZONES.iter().position(|z| *z == kind)
            && best.as_ref().is_none_or(|(r, _, _)| rank < *r)
        {
            best = Some((rank, dir, kind));
        }
    }
    let Some((_, dir, kind)) = best else {
        return Ok(None);
    };
    let celsius = millidegrees(root, &format!("{dir}/temp"))?;
    let mut crit = None;
    for file in root.list(&dir)? {
        if let Some(index) = file
            .strip_prefix("trip_point_")
            .and_then(|r| r.strip_suffix("_type"))
            && read_trimmed(root, &format!("{dir}/{file}")).as_deref() == Some("critical")
        {
            crit = Some(millidegrees(
                root,
                &format!("{dir}/trip_point_{index}_temp"),
            )?);
            break;
        }
    }
    let zone = dir.rsplit('/').next().unwrap_or(&dir).to_string();
    Ok(Some(CpuTemperature {
        celsius,
        crit_celsius: crit,
        sensor: format!("{zone} {kind}"),
    }))
}
