//! Arbitrary text as the /proc files telemetry parses, the first byte choosing which:
//! `/proc/stat`, `/proc/meminfo`, `/proc/loadavg`, a PSI file, `/proc/<pid>/cgroup`. Each
//! returns a reading or a `TELEMETRY_MALFORMED` error naming the file, never a panic; numbers
//! read are finite, memory figures are not negative.
#![no_main]

use gamesa_telemetry::ReadError;
use gamesa_telemetry::cgroup::parse_proc_cgroup;
use gamesa_telemetry::loadavg::parse_loadavg;
use gamesa_telemetry::meminfo::parse_meminfo;
use gamesa_telemetry::psi::parse_psi_some_avg10;
use gamesa_telemetry::stat::parse_stat;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fn malformed(e: &ReadError, file: &str) {
    assert_eq!(e.code(), "TELEMETRY_MALFORMED", "{e}");
    assert!(e.to_string().contains(file), "{e}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match which % 5 {
        0 => {
            let path = Path::new("/proc/stat");
            match parse_stat(path, text) {
                Ok(r) => {
                    let _ = format!("{r:?}");
                }
                Err(e) => malformed(&e, "/proc/stat"),
            }
        }
        1 => {
            let path = Path::new("/proc/meminfo");
            match parse_meminfo(path, text) {
                Ok(m) => {
                    let _ = format!("{m:?}");
                }
                Err(e) => malformed(&e, "/proc/meminfo"),
            }
        }
        2 => {
            let path = Path::new("/proc/loadavg");
            match parse_loadavg(path, text) {
                Ok(l) => {
                    let _ = format!("{l:?}");
                }
                Err(e) => malformed(&e, "/proc/loadavg"),
            }
        }
        3 => {
            let path = Path::new("/proc/pressure/cpu");
            match parse_psi_some_avg10(path, text) {
                Ok(x) => assert!(x.is_finite(), "{x}"),
                Err(e) => malformed(&e, "/proc/pressure/cpu"),
            }
        }
        _ => {
            let path = Path::new("/proc/self/cgroup");
            match parse_proc_cgroup(path, text) {
                Ok(lines) => assert!(lines.len() <= text.lines().count()),
                Err(e) => malformed(&e, "/proc/self/cgroup"),
            }
        }
    }
});
