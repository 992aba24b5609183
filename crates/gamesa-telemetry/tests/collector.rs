//! Whole snapshots on fake trees, the GPU path on this GPU-less machine, and agreement of the
//! variable names with gamesa-core's catalog.

mod common;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use common::{FakeTree, LOADAVG, MEMINFO, proc_stat, psi};
use gamesa_telemetry::cgroup::CgroupTarget;
use gamesa_telemetry::gpu::{GPU_FIELDS, GpuReader, field_error_reason, init_error_status};
use gamesa_telemetry::{Collector, CollectorConfig, SOURCES, Snapshot, SourceStatus};
use nvml_wrapper::error::NvmlError;

fn full_tree() -> FakeTree {
    let tree = FakeTree::new();
    tree.write("/proc/stat", &proc_stat(&[(0, 100, 100), (1, 100, 100)]));
    tree.write("/proc/meminfo", MEMINFO);
    tree.write("/proc/loadavg", LOADAVG);
    tree.write("/proc/pressure/cpu", &psi("1.00"));
    tree.write("/proc/pressure/memory", &psi("2.00"));
    tree.write("/proc/pressure/io", &psi("3.00"));
    tree.write("/proc/self/cgroup", "0::/app\n");
    tree.write("/sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
    tree.write("/sys/fs/cgroup/app/cpu.stat", "usage_usec 1000000\n");
    tree.write("/sys/fs/cgroup/app/memory.current", "524288000\n");
    tree.write("/sys/fs/cgroup/app/memory.max", "1048576000\n");
    tree.write("/sys/fs/cgroup/app/cpu.pressure", &psi("4.00"));
    tree.write(
        "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq",
        "3000000\n",
    );
    tree.write("/sys/class/hwmon/hwmon0/name", "coretemp\n");
    tree.write("/sys/class/hwmon/hwmon0/temp1_label", "Package id 0\n");
    tree.write("/sys/class/hwmon/hwmon0/temp1_input", "50000\n");
    tree.write("/sys/class/hwmon/hwmon0/temp1_crit", "100000\n");
    tree.write("/sys/class/powercap/intel-rapl:0/energy_uj", "0\n");
    tree.write(
        "/sys/class/powercap/intel-rapl:0/max_energy_range_uj",
        "1000000000\n",
    );
    tree.write(
        "/sys/class/powercap/intel-rapl:0/constraint_0_power_limit_uw",
        "45000000\n",
    );
    tree.write(
        "/sys/class/powercap/intel-rapl:0/constraint_0_max_power_uw",
        "65000000\n",
    );
    tree
}

fn collector(tree: &FakeTree) -> Collector {
    Collector::new(CollectorConfig {
        root: tree.root(),
        cgroup: CgroupTarget::OwnProcess,
        gpu: false,
    })
}

#[test]
fn two_snapshots_fill_every_source() {
    let tree = full_tree();
    let mut c = collector(&tree);
    let t0 = Instant::now();
    let first = c.collect(t0, 1_000);
    assert_eq!(first.timestamp_ms, 1_000);
    assert!(first.absent["cpu.util"].contains("two readings"));
    assert!(first.absent["power.cpu_w"].contains("two readings"));
    assert!(first.absent["cgroup.cpu_cores"].contains("two readings"));

    tree.write("/proc/stat", &proc_stat(&[(0, 150, 150), (1, 190, 110)]));
    tree.write("/sys/class/powercap/intel-rapl:0/energy_uj", "5000000\n");
    tree.write("/sys/fs/cgroup/app/cpu.stat", "usage_usec 1750000\n");
    let s = c.collect(t0 + Duration::from_millis(500), 1_500);
    let expect = [
        ("cpu.util", 140.0 / 200.0),
        ("cpu.core0.util", 0.5),
        ("cpu.core1.util", 0.9),
        ("cpu.freq_mhz", 3000.0),
        ("cpu.load1", 0.52),
        ("cpu.load5", 1.58),
        ("cpu.load15", 2.59),
        ("cpu.psi_some_avg10", 1.0),
        ("mem.psi_some_avg10", 2.0),
        ("io.psi_some_avg10", 3.0),
        ("mem.used_ratio", 0.75),
        ("swap.used_ratio", 0.25),
        ("thermal.cpu_c", 50.0),
        ("thermal.headroom_c", 50.0),
        ("power.cpu_w", 10.0),
        ("cgroup.cpu_cores", 1.5),
        ("cgroup.mem_used_mb", 500.0),
        ("cgroup.mem_limit_mb", 1000.0),
        ("cgroup.mem_used_ratio", 0.5),
        ("cgroup.cpu_psi_some_avg10", 4.0),
    ];
    for (name, want) in expect {
        let got = s
            .get(name)
            .unwrap_or_else(|| panic!("{name} absent: {:?}", s.absent.get(name)));
        assert!((got - want).abs() < 1e-9, "{name}: {got} != {want}");
    }
    for source in SOURCES {
        let status = &s.sources[source];
        if source == "nvml" {
            assert!(
                matches!(status, SourceStatus::Unsupported { .. }),
                "{status}"
            );
        } else {
            assert_eq!(status, &SourceStatus::Present, "{source}");
        }
    }
    assert_eq!(s.absent.keys().collect::<Vec<_>>(), vec!["gpu.count"]);
}

#[test]
fn empty_tree_reports_every_source_absent_with_reason_never_zero() {
    let tree = FakeTree::new();
    let mut c = collector(&tree);
    let s = c.collect(Instant::now(), 0);
    assert!(s.values.is_empty(), "made-up values: {:?}", s.values);
    assert_eq!(s.sources.len(), SOURCES.len());
    for (source, status) in &s.sources {
        assert!(!status.is_present(), "{source} present on an empty tree");
    }
    assert!(matches!(
        s.sources["proc_stat"],
        SourceStatus::Missing { .. }
    ));
    assert!(s.absent["mem.used_ratio"].starts_with("meminfo: missing: "));
}

#[test]
fn permission_denied_and_malformed_become_statuses() {
    let mut tree = full_tree();
    tree.inject(
        "/sys/class/powercap/intel-rapl:0/energy_uj",
        ErrorKind::PermissionDenied,
    );
    tree.write("/proc/meminfo", "MemTotal: many kB\n");
    let mut c = collector(&tree);
    let s = c.collect(Instant::now(), 0);
    match &s.sources["rapl"] {
        SourceStatus::PermissionDenied { path } => {
            assert!(path.ends_with("intel-rapl:0/energy_uj"))
        }
        other => panic!("expected PermissionDenied, got {other}"),
    }
    match &s.sources["meminfo"] {
        SourceStatus::Error { message } => {
            assert!(message.contains("meminfo:1: MemTotal"), "{message}")
        }
        other => panic!("expected Error, got {other}"),
    }
    assert!(s.get("power.cpu_w").is_none());
    assert!(s.get("mem.used_ratio").is_none());
}

#[test]
fn non_finite_values_are_recorded_absent() {
    let mut s = Snapshot::new(0);
    s.set("x", f64::NAN);
    assert!(s.get("x").is_none());
    assert!(s.absent["x"].contains("finite"));
    s.set("x", 1.0);
    assert_eq!(s.get("x"), Some(1.0));
    assert!(!s.absent.contains_key("x"));
}

#[test]
fn nvml_without_driver_is_a_clean_status() {
    // This machine has no NVIDIA driver: opening must neither panic nor pretend.
    let reader = GpuReader::open();
    if reader.status().is_present() {
        eprintln!("NVML present on this machine; the no-driver half does not apply");
        return;
    }
    let status = reader.status();
    assert!(
        matches!(
            status,
            SourceStatus::Unsupported { .. } | SourceStatus::Missing { .. }
        ),
        "{status}"
    );
    let mut s = Snapshot::new(0);
    reader.read_into(&mut s);
    assert!(s.values.is_empty());
    assert!(s.absent["gpu.count"].starts_with("nvml: unsupported"));
    assert!(reader.compute_processes().is_err());
}

#[test]
fn nvml_error_mapping() {
    assert!(matches!(
        init_error_status(&NvmlError::DriverNotLoaded),
        SourceStatus::Unsupported { reason } if reason.contains("driver not loaded")
    ));
    assert!(matches!(
        init_error_status(&NvmlError::NoPermission),
        SourceStatus::PermissionDenied { .. }
    ));
    assert!(matches!(
        init_error_status(&NvmlError::Unknown),
        SourceStatus::Error { .. }
    ));
    assert!(field_error_reason("util", &NvmlError::NotSupported, true).contains("MIG"));
    assert!(!field_error_reason("util", &NvmlError::NotSupported, false).contains("MIG"));
}

#[test]
fn names_agree_with_core_catalog() {
    use gamesa_core::features::{GLOBAL_VARIABLES, GPU_FIELDS as CORE_GPU_FIELDS};
    let core_globals: Vec<&str> = GLOBAL_VARIABLES.iter().map(|(n, _)| *n).collect();
    let core_gpu: Vec<&str> = CORE_GPU_FIELDS.iter().map(|(n, _)| *n).collect();
    assert_eq!(core_gpu, GPU_FIELDS.to_vec());
    // Every global the collector produces that core knows is spelled the same; names core
    // lacks are the cgroup.* extension (documented in docs/telemetry.md).
    let tree = full_tree();
    let mut c = collector(&tree);
    let t0 = Instant::now();
    c.collect(t0, 0);
    let s = c.collect(t0 + Duration::from_millis(10), 0);
    let produced: Vec<&str> = s
        .values
        .keys()
        .chain(s.absent.keys())
        .map(String::as_str)
        .collect();
    for name in &core_globals {
        assert!(
            produced.contains(name),
            "core catalog variable {name} never produced"
        );
    }
    for name in produced {
        let known = core_globals.contains(&name)
            || gamesa_core::features::describe_variable(name).is_some()
            || name.starts_with("cgroup.");
        assert!(known, "{name} is not in the core catalog");
    }
}

#[test]
fn the_package_power_limit_is_read_and_a_missing_one_is_absent_with_its_path() {
    let tree = full_tree();
    let mut c = collector(&tree);
    let s = c.collect(Instant::now(), 0);
    assert_eq!(s.values["power.cpu_limit_w"], 45.0);
    assert_eq!(s.values["power.cpu_limit_max_w"], 65.0);

    // A second package without a limit file: the sum has no value, and says which file.
    tree.write("/sys/class/powercap/intel-rapl:1/energy_uj", "0\n");
    tree.write(
        "/sys/class/powercap/intel-rapl:1/max_energy_range_uj",
        "1000000000\n",
    );
    tree.write(
        "/sys/class/powercap/intel-rapl:1/constraint_0_max_power_uw",
        "65000000\n",
    );
    let s = c.collect(Instant::now(), 100);
    assert!(!s.values.contains_key("power.cpu_limit_w"));
    assert!(
        s.absent["power.cpu_limit_w"].contains("intel-rapl:1/constraint_0_power_limit_uw"),
        "{}",
        s.absent["power.cpu_limit_w"]
    );
    assert_eq!(s.values["power.cpu_limit_max_w"], 130.0);
}
