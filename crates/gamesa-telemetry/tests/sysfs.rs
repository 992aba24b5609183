//! cpufreq, hwmon / thermal zones and RAPL on fake /sys trees.

mod common;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use common::FakeTree;
use gamesa_telemetry::ReadError;
use gamesa_telemetry::cpufreq::read_cpu_freq_mhz;
use gamesa_telemetry::rapl::{RaplTracker, energy_delta_uj, read_rapl};
use gamesa_telemetry::thermal::read_cpu_temperature;

#[test]
fn cpufreq_mean_over_cores_in_mhz() {
    let tree = FakeTree::new();
    tree.write(
        "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq",
        "2000000\n",
    );
    tree.write(
        "/sys/devices/system/cpu/cpu1/cpufreq/scaling_cur_freq",
        "3000000\n",
    );
    tree.mkdir("/sys/devices/system/cpu/cpuidle");
    tree.write("/sys/devices/system/cpu/online", "0-1\n");
    assert_eq!(read_cpu_freq_mhz(&tree.root()), Ok(2500.0));
}

#[test]
fn cpufreq_missing_and_malformed() {
    let tree = FakeTree::new();
    tree.mkdir("/sys/devices/system/cpu/cpu0");
    let err = read_cpu_freq_mhz(&tree.root()).unwrap_err();
    assert!(matches!(err, ReadError::Missing { .. }), "{err:?}");
    assert!(err.path().ends_with("cpu0/cpufreq/scaling_cur_freq"));
    tree.write(
        "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq",
        "fast\n",
    );
    let err = read_cpu_freq_mhz(&tree.root()).unwrap_err();
    assert_eq!(err.code(), "TELEMETRY_MALFORMED");
}

#[test]
fn coretemp_hottest_package_with_crit() {
    let tree = FakeTree::new();
    let d = "/sys/class/hwmon/hwmon2";
    tree.write(&format!("{d}/name"), "coretemp\n");
    tree.write(&format!("{d}/temp1_label"), "Package id 0\n");
    tree.write(&format!("{d}/temp1_input"), "55000\n");
    tree.write(&format!("{d}/temp1_crit"), "100000\n");
    tree.write(&format!("{d}/temp2_label"), "Core 0\n");
    tree.write(&format!("{d}/temp2_input"), "90000\n");
    tree.write(&format!("{d}/temp3_label"), "Package id 1\n");
    tree.write(&format!("{d}/temp3_input"), "61500\n");
    tree.write(&format!("{d}/temp3_crit"), "100000\n");
    // An unrelated sensor is ignored.
    tree.write("/sys/class/hwmon/hwmon0/name", "nvme\n");
    tree.write("/sys/class/hwmon/hwmon0/temp1_input", "80000\n");
    let t = read_cpu_temperature(&tree.root()).unwrap();
    assert_eq!(t.celsius, 61.5);
    assert_eq!(t.headroom(), Ok(38.5));
    assert!(t.sensor.contains("Package id 1"), "{}", t.sensor);
}

#[test]
fn k10temp_tctl_without_crit_has_no_headroom() {
    let tree = FakeTree::new();
    let d = "/sys/class/hwmon/hwmon1";
    tree.write(&format!("{d}/name"), "k10temp\n");
    tree.write(&format!("{d}/temp1_label"), "Tctl\n");
    tree.write(&format!("{d}/temp1_input"), "48250\n");
    tree.write(&format!("{d}/temp3_label"), "Tccd1\n");
    tree.write(&format!("{d}/temp3_input"), "70000\n");
    let t = read_cpu_temperature(&tree.root()).unwrap();
    assert_eq!(t.celsius, 48.25);
    assert!(t.headroom().unwrap_err().contains("no critical"));
}

#[test]
fn thermal_zone_fallback_with_critical_trip() {
    let tree = FakeTree::new();
    let z = "/sys/class/thermal/thermal_zone1";
    tree.write("/sys/class/thermal/thermal_zone0/type", "acpitz\n");
    tree.write("/sys/class/thermal/thermal_zone0/temp", "27800\n");
    tree.write(&format!("{z}/type"), "x86_pkg_temp\n");
    tree.write(&format!("{z}/temp"), "45000\n");
    tree.write(&format!("{z}/trip_point_0_type"), "passive\n");
    tree.write(&format!("{z}/trip_point_0_temp"), "80000\n");
    tree.write(&format!("{z}/trip_point_1_type"), "critical\n");
    tree.write(&format!("{z}/trip_point_1_temp"), "105000\n");
    let t = read_cpu_temperature(&tree.root()).unwrap();
    assert_eq!(t.celsius, 45.0);
    assert_eq!(t.headroom(), Ok(60.0));
    assert_eq!(t.sensor, "thermal_zone1 x86_pkg_temp");
}

#[test]
fn no_sensor_at_all_is_missing_and_malformed_is_reported() {
    let tree = FakeTree::new();
    tree.mkdir("/sys/class/thermal");
    let err = read_cpu_temperature(&tree.root()).unwrap_err();
    assert!(matches!(err, ReadError::Missing { .. }), "{err:?}");
    tree.write("/sys/class/hwmon/hwmon0/name", "coretemp\n");
    tree.write("/sys/class/hwmon/hwmon0/temp1_label", "Package id 0\n");
    tree.write("/sys/class/hwmon/hwmon0/temp1_input", "hot\n");
    let err = read_cpu_temperature(&tree.root()).unwrap_err();
    assert!(err.to_string().contains("temp1_input:1"), "{err}");
}

fn rapl_tree(energy: &str) -> FakeTree {
    let tree = FakeTree::new();
    let d = "/sys/class/powercap/intel-rapl:0";
    tree.write(&format!("{d}/name"), "package-0\n");
    tree.write(&format!("{d}/energy_uj"), energy);
    tree.write(&format!("{d}/max_energy_range_uj"), "262143328850\n");
    // A sub-zone (core) must not be added to its package again.
    tree.write(&format!("{d}:0/energy_uj"), "5\n");
    tree.write(&format!("{d}:0/max_energy_range_uj"), "262143328850\n");
    tree
}

#[test]
fn rapl_watts_from_deltas() {
    let tree = rapl_tree("1000000\n");
    let mut tracker = RaplTracker::new();
    let t0 = Instant::now();
    let zones = read_rapl(&tree.root()).unwrap();
    assert_eq!(zones.len(), 1);
    assert!(
        tracker
            .update(zones, t0)
            .unwrap_err()
            .contains("two readings")
    );
    tree.write("/sys/class/powercap/intel-rapl:0/energy_uj", "13500000\n");
    let w = tracker
        .update(
            read_rapl(&tree.root()).unwrap(),
            t0 + Duration::from_millis(500),
        )
        .unwrap();
    assert!((w - 25.0).abs() < 1e-9, "{w}");
}

#[test]
fn rapl_counter_wraparound() {
    assert_eq!(energy_delta_uj(100, 250, 1000), Some(150));
    assert_eq!(energy_delta_uj(900, 50, 1000), Some(150));
    assert_eq!(energy_delta_uj(2000, 50, 1000), None);
    let tree = rapl_tree("262143000000\n");
    let mut tracker = RaplTracker::new();
    let t0 = Instant::now();
    let _ = tracker.update(read_rapl(&tree.root()).unwrap(), t0);
    tree.write("/sys/class/powercap/intel-rapl:0/energy_uj", "9671150\n");
    // 328850 µJ to the wrap point + 9671150 after it = 10 J in 1 s.
    let w = tracker
        .update(
            read_rapl(&tree.root()).unwrap(),
            t0 + Duration::from_secs(1),
        )
        .unwrap();
    assert!((w - 10.0).abs() < 1e-9, "{w}");
}

#[test]
fn rapl_permission_denied_and_missing() {
    let mut tree = rapl_tree("1\n");
    tree.inject(
        "/sys/class/powercap/intel-rapl:0/energy_uj",
        ErrorKind::PermissionDenied,
    );
    let err = read_rapl(&tree.root()).unwrap_err();
    assert!(matches!(err, ReadError::PermissionDenied { .. }), "{err:?}");
    assert!(err.path().ends_with("intel-rapl:0/energy_uj"));
    let empty = FakeTree::new();
    assert!(matches!(
        read_rapl(&empty.root()),
        Err(ReadError::Missing { .. })
    ));
    empty.mkdir("/sys/class/powercap/dtpm");
    assert!(matches!(
        read_rapl(&empty.root()),
        Err(ReadError::Missing { .. })
    ));
}
