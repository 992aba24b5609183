//! /proc/stat parsing and utilization from deltas.

mod common;

use std::path::Path;

use common::{FakeTree, proc_stat};
use gamesa_telemetry::ReadError;
use gamesa_telemetry::stat::{CpuTimes, CpuTracker, parse_stat, read_stat, util_between};

#[test]
fn parses_all_fields_into_busy_and_idle() {
    let text = "cpu  10 1 5 100 7 2 3 4 50 9\ncpu0 10 1 5 100 7 2 3 4 50 9\nintr 1 2\n";
    let r = parse_stat(Path::new("/proc/stat"), text).unwrap();
    // busy = user+nice+system+irq+softirq+steal; guest (50, 9) is inside user/nice already.
    assert_eq!(
        r.total,
        CpuTimes {
            busy: 25,
            idle: 107
        }
    );
    assert_eq!(r.cores.len(), 1);
    assert_eq!(r.cores[&0], r.total);
}

#[test]
fn old_kernels_with_four_fields_parse() {
    let r = parse_stat(Path::new("s"), "cpu 1 2 3 4\ncpu0 1 2 3 4\n").unwrap();
    assert_eq!(r.total, CpuTimes { busy: 6, idle: 4 });
}

#[test]
fn malformed_field_names_file_and_line() {
    let text = "cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 1 2 x 4 5 6 7 8 0 0\n";
    let err = parse_stat(Path::new("/proc/stat"), text).unwrap_err();
    match &err {
        ReadError::Malformed { path, line, .. } => {
            assert_eq!(path, Path::new("/proc/stat"));
            assert_eq!(*line, 2);
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    assert_eq!(err.code(), "TELEMETRY_MALFORMED");
    assert!(err.to_string().starts_with("/proc/stat:2:"), "{err}");
}

#[test]
fn short_cpu_line_and_missing_aggregate_are_malformed() {
    let err = parse_stat(Path::new("s"), "cpu  1 2 3\n").unwrap_err();
    assert!(
        matches!(err, ReadError::Malformed { line: 1, .. }),
        "{err:?}"
    );
    let err = parse_stat(Path::new("s"), "cpu0 1 2 3 4\n").unwrap_err();
    assert!(err.to_string().contains("aggregate"), "{err}");
    let err = parse_stat(Path::new("s"), "cpu  1 2 3 4\ncpuX 1 2 3 4\n").unwrap_err();
    assert!(
        matches!(err, ReadError::Malformed { line: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn per_core_util_from_two_readings() {
    let tree = FakeTree::new();
    let root = tree.root();
    let mut tracker = CpuTracker::new();
    tree.write("/proc/stat", &proc_stat(&[(0, 100, 100), (1, 100, 100)]));
    let first = tracker.update(&read_stat(&root).unwrap());
    assert_eq!(first.total, None);
    assert!(first.cores.is_empty());
    // core0: +90 busy, +10 idle; core1: +5 busy, +95 idle.
    tree.write("/proc/stat", &proc_stat(&[(0, 190, 110), (1, 105, 195)]));
    let second = tracker.update(&read_stat(&root).unwrap());
    assert!((second.cores[&0] - 0.9).abs() < 1e-12);
    assert!((second.cores[&1] - 0.05).abs() < 1e-12);
    assert!((second.total.unwrap() - 95.0 / 200.0).abs() < 1e-12);
}

#[test]
fn no_tick_interval_keeps_baseline_and_last_value() {
    // At 100 Hz a 10 ms interval may see no tick: report the last value, keep the baseline.
    let mut t = CpuTracker::new();
    let read = |c: &[(usize, u64, u64)]| parse_stat(Path::new("s"), &proc_stat(c)).unwrap();
    t.update(&read(&[(0, 0, 0)]));
    assert_eq!(t.update(&read(&[(0, 1, 0)])).cores[&0], 1.0);
    assert_eq!(t.update(&read(&[(0, 1, 0)])).cores[&0], 1.0);
    // Next tick is idle: measured against the last baseline that moved, so exactly 0.
    assert_eq!(t.update(&read(&[(0, 1, 1)])).cores[&0], 0.0);
}

#[test]
fn counters_going_backwards_reset_instead_of_reporting() {
    let mut t = CpuTracker::new();
    let read = |c: &[(usize, u64, u64)]| parse_stat(Path::new("s"), &proc_stat(c)).unwrap();
    t.update(&read(&[(0, 1000, 1000)]));
    let after_reset = t.update(&read(&[(0, 10, 10)]));
    assert!(!after_reset.cores.contains_key(&0));
    assert_eq!(after_reset.total, None);
    let next = t.update(&read(&[(0, 20, 20)]));
    assert!((next.cores[&0] - 0.5).abs() < 1e-12);
    // iowait decreasing alone (tickless kernels) is tolerated as zero idle delta.
    assert_eq!(
        util_between(
            CpuTimes { busy: 10, idle: 50 },
            CpuTimes { busy: 20, idle: 49 }
        ),
        Some(1.0)
    );
}

#[test]
fn cores_appearing_and_disappearing() {
    let mut t = CpuTracker::new();
    let read = |c: &[(usize, u64, u64)]| parse_stat(Path::new("s"), &proc_stat(c)).unwrap();
    t.update(&read(&[(0, 0, 0), (1, 0, 0)]));
    // core1 goes offline, core2 appears.
    let u = t.update(&read(&[(0, 5, 5), (2, 7, 7)]));
    assert_eq!(u.cores.keys().copied().collect::<Vec<_>>(), vec![0]);
    let u = t.update(&read(&[(0, 10, 10), (2, 17, 7)]));
    assert_eq!(u.cores[&2], 1.0);
    // core1 comes back with reset counters: a fresh baseline, no value yet.
    let u = t.update(&read(&[(0, 15, 15), (1, 1, 1), (2, 18, 8)]));
    assert!(!u.cores.contains_key(&1));
    let u = t.update(&read(&[(0, 20, 20), (1, 1, 3), (2, 19, 9)]));
    assert_eq!(u.cores[&1], 0.0);
}

#[test]
fn missing_proc_stat_is_missing() {
    let tree = FakeTree::new();
    let err = read_stat(&tree.root()).unwrap_err();
    assert!(matches!(err, ReadError::Missing { .. }), "{err:?}");
    assert!(err.path().ends_with("proc/stat"));
}

/// Found by the `telemetry_text` fuzz target (fuzz/artifacts crash-5d042192…): counters whose
/// sum overflows 64 bits panicked (`attempt to add with overflow`) in a debug build and wrapped
/// in a release one.
#[test]
fn counters_that_overflow_when_added_are_malformed_not_a_panic() {
    let text = "8 0\ncpu0000000000000000000some 00000000018446744073709551615 86 705 981 20 ";
    let e = parse_stat(Path::new("/proc/stat"), text).unwrap_err();
    assert_eq!(e.code(), "TELEMETRY_MALFORMED");
    assert!(e.to_string().contains("2^64"), "{e}");
    let max = u64::MAX;
    let idle = format!("cpu 1 0 0 {max} 1\n");
    assert!(parse_stat(Path::new("/proc/stat"), &idle).is_err());
    // The largest sums that fit are readings.
    let fits = format!("cpu {} 1 0 {max} 0\n", max - 1);
    let r = parse_stat(Path::new("/proc/stat"), &fits).unwrap();
    assert_eq!(
        r.total,
        CpuTimes {
            busy: max,
            idle: max
        }
    );
    // A delta whose busy and idle parts add up past 2^64 has no utilization, and no panic.
    let zero = CpuTimes { busy: 0, idle: 0 };
    assert_eq!(
        util_between(
            zero,
            CpuTimes {
                busy: max,
                idle: max
            }
        ),
        None
    );
}
