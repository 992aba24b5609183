//! Reads every source into one [`Snapshot`], keeping the state that rates need (previous CPU
//! ticks, RAPL energy, cgroup CPU time) and the single NVML handle.

use std::time::Instant;

use crate::cgroup::{CgroupLayout, CgroupTarget, detect_layout, read_cgroup};
use crate::cpufreq::read_cpu_freq_mhz;
use crate::error::ReadError;
use crate::gpu::GpuReader;
use crate::loadavg::read_loadavg;
use crate::meminfo::read_meminfo;
use crate::psi::{PSI_RESOURCES, read_psi_some_avg10};
use crate::rapl::{RaplTracker, read_rapl, sum_watts};
use crate::root::SysRoot;
use crate::snapshot::{Snapshot, SourceStatus};
use crate::stat::{CpuTracker, read_stat};
use crate::thermal::read_cpu_temperature;

/// Names of the sources, as keys of [`Snapshot::sources`], in the order they are read.
pub const SOURCES: [&str; 11] = [
    "proc_stat",
    "meminfo",
    "loadavg",
    "psi_cpu",
    "psi_memory",
    "psi_io",
    "cgroup",
    "cpufreq",
    "thermal",
    "rapl",
    "nvml",
];

// Also what a second reading less than one kernel tick (USER_HZ, 10 ms) after the first gets: no
// CPU time elapsed yet, so there is no interval to divide by.
const NEEDS_TWO: &str = "needs two readings at least one kernel tick (10 ms) apart";

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct CollectorConfig {
    /// Where `/proc` and `/sys` are (`/` by default).
    pub root: SysRoot,
    /// Which control group to report.
    pub cgroup: CgroupTarget,
    /// Whether to load NVML. Off, the `nvml` source reports `Unsupported` ("disabled").
    pub gpu: bool,
}

/// Reads snapshots. Rates (CPU utilization, RAPL watts, cgroup CPU) come from the difference
/// with the previous call, so the first snapshot reports them absent.
#[derive(Debug)]
pub struct Collector {
    root: SysRoot,
    cpu: CpuTracker,
    rapl: RaplTracker,
    cgroup: Result<CgroupLayout, ReadError>,
    cgroup_prev: Option<(u64, Instant)>,
    gpu: GpuReader,
}

impl Collector {
    /// A collector for the real machine with GPUs enabled.
    pub fn host() -> Self {
        Collector::new(CollectorConfig {
            gpu: true,
            ..CollectorConfig::default()
        })
    }

    /// A collector for `config`. The cgroup layout is detected once, here.
    pub fn new(config: CollectorConfig) -> Self {
        let gpu = if config.gpu {
            GpuReader::open()
        } else {
            GpuReader::disabled(SourceStatus::Unsupported {
                reason: "GPU reading disabled".into(),
            })
        };
        Collector {
            cgroup: detect_layout(&config.root, &config.cgroup),
            root: config.root,
            cpu: CpuTracker::new(),
            rapl: RaplTracker::new(),
            cgroup_prev: None,
            gpu,
        }
    }

    /// The detected cgroup layout, or why none was found.
    pub fn cgroup_layout(&self) -> Result<&CgroupLayout, &ReadError> {
        self.cgroup.as_ref()
    }

    /// The GPU reader (for the slower compute-process call).
    pub fn gpu(&self) -> &GpuReader {
        &self.gpu
    }

    /// Reads every source. `now` is used for rates only; `timestamp_ms` (Unix epoch ms) is
    /// stored in the snapshot as given.
    pub fn collect(&mut self, now: Instant, timestamp_ms: u64) -> Snapshot {
        let mut snap = Snapshot::new(timestamp_ms);
        self.read_stat(&mut snap);
        self.read_memory(&mut snap);
        self.read_load(&mut snap);
        for (source, file, name) in PSI_RESOURCES {
            match read_psi_some_avg10(&self.root, file) {
                Ok(v) => {
                    snap.set(name, v);
                    snap.set_source(source, SourceStatus::Present);
                }
                Err(err) => snap.fail_source(source, err.into(), &[name]),
            }
        }
        self.read_cgroup(&mut snap, now);
        match read_cpu_freq_mhz(&self.root) {
            Ok(mhz) => {
                snap.set("cpu.freq_mhz", mhz);
                snap.set_source("cpufreq", SourceStatus::Present);
            }
            Err(err) => snap.fail_source("cpufreq", err.into(), &["cpu.freq_mhz"]),
        }
        match read_cpu_temperature(&self.root) {
            Ok(t) => {
                snap.set("thermal.cpu_c", t.celsius);
                snap.set_result("thermal.headroom_c", t.headroom());
                snap.set_source("thermal", SourceStatus::Present);
            }
            Err(err) => snap.fail_source(
                "thermal",
                err.into(),
                &["thermal.cpu_c", "thermal.headroom_c"],
            ),
        }
        match read_rapl(&self.root) {
            Ok(zones) => {
                let limit = sum_watts(&zones, |z| &z.power_limit_uw);
                let max = sum_watts(&zones, |z| &z.max_power_uw);
                snap.set_result("power.cpu_limit_w", limit);
                snap.set_result("power.cpu_limit_max_w", max);
                snap.set_result("power.cpu_w", self.rapl.update(zones, now));
                snap.set_source("rapl", SourceStatus::Present);
            }
            Err(err) => snap.fail_source(
                "rapl",
                err.into(),
                &["power.cpu_w", "power.cpu_limit_w", "power.cpu_limit_max_w"],
            ),
        }
        self.gpu.read_into(&mut snap);
        snap
    }

    fn read_stat(&mut self, snap: &mut Snapshot) {
        let reading = match read_stat(&self.root) {
            Ok(r) => r,
            Err(err) => return snap.fail_source("proc_stat", err.into(), &["cpu.util"]),
        };
        let util = self.cpu.update(&reading);
        snap.set_result("cpu.util", util.total.ok_or_else(|| NEEDS_TWO.to_string()));
        for core in reading.cores.keys() {
            let value = util
                .cores
                .get(core)
                .copied()
                .ok_or_else(|| NEEDS_TWO.to_string());
            snap.set_result(&format!("cpu.core{core}.util"), value);
        }
        snap.set_source("proc_stat", SourceStatus::Present);
    }

    fn read_memory(&self, snap: &mut Snapshot) {
        match read_meminfo(&self.root) {
            Ok(m) => {
                snap.set_result("mem.used_ratio", m.used_ratio());
                snap.set_result("mem.available_mb", m.available_mb());
                snap.set_result("swap.used_ratio", m.swap_used_ratio());
                snap.set_source("meminfo", SourceStatus::Present);
            }
            Err(err) => snap.fail_source(
                "meminfo",
                err.into(),
                &["mem.used_ratio", "mem.available_mb", "swap.used_ratio"],
            ),
        }
    }

    fn read_load(&self, snap: &mut Snapshot) {
        match read_loadavg(&self.root) {
            Ok(l) => {
                snap.set("cpu.load1", l.load1);
                snap.set("cpu.load5", l.load5);
                snap.set("cpu.load15", l.load15);
                snap.set_source("loadavg", SourceStatus::Present);
            }
            Err(err) => snap.fail_source(
                "loadavg",
                err.into(),
                &["cpu.load1", "cpu.load5", "cpu.load15"],
            ),
        }
    }

    fn read_cgroup(&mut self, snap: &mut Snapshot, now: Instant) {
        const NAMES: [&str; 5] = [
            "cgroup.cpu_cores",
            "cgroup.mem_used_mb",
            "cgroup.mem_limit_mb",
            "cgroup.mem_used_ratio",
            "cgroup.cpu_psi_some_avg10",
        ];
        let layout = match &self.cgroup {
            Ok(layout) => layout,
            Err(err) => return snap.fail_source("cgroup", err.into(), &NAMES),
        };
        let r = read_cgroup(&self.root, layout);
        let text = |e: &ReadError| e.to_string();
        let cpu = match &r.cpu_usage_ns {
            Ok(ns) => {
                let prev = self.cgroup_prev.replace((*ns, now));
                match prev {
                    None => Err(NEEDS_TWO.to_string()),
                    Some((prev_ns, prev_at)) => {
                        let secs = now.saturating_duration_since(prev_at).as_secs_f64();
                        match ns.checked_sub(prev_ns) {
                            _ if secs <= 0.0 => Err("no time elapsed".to_string()),
                            Some(d) => Ok(d as f64 / 1e9 / secs),
                            None => Err("CPU usage counter went backwards".to_string()),
                        }
                    }
                }
            }
            Err(e) => Err(text(e)),
        };
        snap.set_result("cgroup.cpu_cores", cpu);
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        snap.set_result(
            "cgroup.mem_used_mb",
            r.memory_bytes.as_ref().map(|b| mib(*b)).map_err(text),
        );
        let limit = match &r.memory_limit_bytes {
            Ok(Some(limit)) => Ok(*limit),
            Ok(None) => Err("no memory limit".to_string()),
            Err(e) => Err(text(e)),
        };
        snap.set_result("cgroup.mem_limit_mb", limit.clone().map(mib));
        let ratio = match (&r.memory_bytes, limit) {
            (Ok(used), Ok(limit)) if limit > 0 => Ok(*used as f64 / limit as f64),
            (Ok(_), Ok(_)) => Err("memory limit is 0".to_string()),
            (Err(e), _) => Err(text(e)),
            (_, Err(why)) => Err(why),
        };
        snap.set_result("cgroup.mem_used_ratio", ratio);
        snap.set_result(
            "cgroup.cpu_psi_some_avg10",
            r.cpu_psi_some_avg10.as_ref().copied().map_err(text),
        );
        let status = match (&r.cpu_usage_ns, &r.memory_bytes) {
            (Err(a), Err(_)) => a.into(),
            _ => SourceStatus::Present,
        };
        snap.set_source("cgroup", status);
    }
}
