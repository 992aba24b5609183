//! /proc/meminfo, /proc/loadavg and PSI files on fake trees.

mod common;

use std::io::ErrorKind;
use std::path::Path;

use common::{FakeTree, LOADAVG, MEMINFO, psi};
use gamesa_telemetry::ReadError;
use gamesa_telemetry::loadavg::{parse_loadavg, read_loadavg};
use gamesa_telemetry::meminfo::{parse_meminfo, read_meminfo};
use gamesa_telemetry::psi::{parse_psi_some_avg10, read_psi_some_avg10};

#[test]
fn meminfo_ratios_and_mb() {
    let tree = FakeTree::new();
    tree.write("/proc/meminfo", MEMINFO);
    let m = read_meminfo(&tree.root()).unwrap();
    assert_eq!(m.mem_total_kb, 16_000_000);
    assert_eq!(m.used_ratio(), Ok(0.75));
    assert_eq!(m.available_mb(), Ok(4_000_000.0 / 1024.0));
    assert_eq!(m.swap_used_ratio(), Ok(0.25));
}

#[test]
fn meminfo_without_swap_or_memavailable_is_absent_not_zero() {
    let m = parse_meminfo(
        Path::new("m"),
        "MemTotal: 1000 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n",
    )
    .unwrap();
    assert_eq!(m.swap_used_ratio(), Err("no swap configured".to_string()));
    assert!(m.used_ratio().unwrap_err().contains("MemAvailable"));
    assert!(m.available_mb().is_err());
}

#[test]
fn meminfo_malformed_names_line() {
    let err = parse_meminfo(
        Path::new("/proc/meminfo"),
        "MemTotal: 1000 kB\nMemFree: 5 kB\nMemAvailable: lots kB\n",
    )
    .unwrap_err();
    assert!(
        matches!(err, ReadError::Malformed { line: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("MemAvailable"), "{err}");
    let err = parse_meminfo(Path::new("/proc/meminfo"), "MemFree: 5 kB\n").unwrap_err();
    assert!(err.to_string().contains("MemTotal"), "{err}");
}

#[test]
fn loadavg_parses_and_rejects_garbage() {
    let tree = FakeTree::new();
    tree.write("/proc/loadavg", LOADAVG);
    let l = read_loadavg(&tree.root()).unwrap();
    assert_eq!((l.load1, l.load5, l.load15), (0.52, 1.58, 2.59));
    let err = parse_loadavg(Path::new("/proc/loadavg"), "0.1 abc 0.3 1/2 3\n").unwrap_err();
    assert!(
        err.to_string().starts_with("/proc/loadavg:1: load5"),
        "{err}"
    );
    let err = parse_loadavg(Path::new("/proc/loadavg"), "0.1\n").unwrap_err();
    assert!(err.to_string().contains("load5 missing"), "{err}");
    assert!(parse_loadavg(Path::new("l"), "-1 0 0 1/1 1\n").is_err());
}

#[test]
fn loadavg_missing_file() {
    let tree = FakeTree::new();
    let err = read_loadavg(&tree.root()).unwrap_err();
    assert_eq!(err.code(), "TELEMETRY_MISSING");
}

#[test]
fn psi_some_avg10() {
    let tree = FakeTree::new();
    tree.write("/proc/pressure/cpu", &psi("12.34"));
    assert_eq!(
        read_psi_some_avg10(&tree.root(), "/proc/pressure/cpu"),
        Ok(12.34)
    );
    // memory and io files also have a `full` line; only `some` counts.
    assert_eq!(
        parse_psi_some_avg10(
            Path::new("p"),
            "full avg10=9.00 avg60=0 avg300=0 total=0\nsome avg10=1.50 avg60=0 avg300=0 total=0\n"
        ),
        Ok(1.5)
    );
}

#[test]
fn psi_absent_kernel_and_psi_off() {
    let mut tree = FakeTree::new();
    // Kernel without PSI: no file at all.
    let err = read_psi_some_avg10(&tree.root(), "/proc/pressure/io").unwrap_err();
    assert!(matches!(err, ReadError::Missing { .. }), "{err:?}");
    // Booted with psi=0: the file exists but reading it fails with EOPNOTSUPP.
    tree.write("/proc/pressure/io", "");
    tree.inject("/proc/pressure/io", ErrorKind::Unsupported);
    let err = read_psi_some_avg10(&tree.root(), "/proc/pressure/io").unwrap_err();
    assert!(matches!(err, ReadError::Unsupported { .. }), "{err:?}");
}

#[test]
fn psi_malformed() {
    let p = Path::new("/proc/pressure/cpu");
    assert!(matches!(
        parse_psi_some_avg10(p, "some avg60=1\n"),
        Err(ReadError::Malformed { line: 1, .. })
    ));
    assert!(parse_psi_some_avg10(p, "some avg10=abc\n").is_err());
    assert!(parse_psi_some_avg10(p, "some avg10=150.0\n").is_err());
    assert!(parse_psi_some_avg10(p, "").is_err());
}

#[test]
fn directory_where_a_file_is_expected_is_an_io_error() {
    let tree = FakeTree::new();
    tree.mkdir("/proc/loadavg");
    let err = read_loadavg(&tree.root()).unwrap_err();
    assert_eq!(err.code(), "TELEMETRY_IO", "{err:?}");
}
