//! NVIDIA GPUs through NVML (`nvml-wrapper`), with one `Nvml` handle kept for the reader's
//! lifetime (initialising NVML costs milliseconds; each reading then costs about 1 µs).
//!
//! Per GPU N (NVML index order): `gpuN.util` and `gpuN.mem_util` (utilization rates, % → ratio
//! 0..1), `gpuN.temp_c` (GPU die sensor, °C), `gpuN.power_w` (power usage, mW → W),
//! `gpuN.power_limit_w` (enforced limit, mW → W), `gpuN.power_min_w` / `gpuN.power_max_w`
//! (power-management limit constraints, mW → W), `gpuN.sm_clock_mhz` and `gpuN.mem_clock_mhz`
//! (current clocks, MHz), `gpuN.mem_used_mb` / `gpuN.mem_total_mb` (framebuffer memory, bytes →
//! MiB, as nvidia-smi shows them), and `gpu.count`.
//!
//! The library is loaded at run time as `libnvidia-ml.so.1` (what the driver installs), then
//! `libnvidia-ml.so` (the development symlink): a machine without a driver yields an
//! `Unsupported` status, never a panic. On a MIG-enabled GPU utilization is not supported:
//! those two variables are absent with that reason. Running compute processes are a separate,
//! slower call ([`GpuReader::compute_processes`]): it takes a driver lock and costs
//! milliseconds.

use std::ffi::OsStr;

use nvml_wrapper::Nvml;
use nvml_wrapper::enum_wrappers::device::{Clock, TemperatureSensor, TemperatureThreshold};
use nvml_wrapper::enums::device::UsedGpuMemory;
use nvml_wrapper::error::NvmlError;

use crate::snapshot::{Snapshot, SourceStatus};

/// Source name of the GPU readings in [`Snapshot::sources`].
pub const GPU_SOURCE: &str = "nvml";

/// Library names tried in order.
const LIBRARY_NAMES: [&str; 2] = ["libnvidia-ml.so.1", "libnvidia-ml.so"];

/// Per-GPU variable suffixes, in catalog order (`gpu<N>.<field>`).
pub const GPU_FIELDS: [&str; 12] = [
    "util",
    "mem_util",
    "temp_c",
    "power_w",
    "power_limit_w",
    "power_min_w",
    "power_max_w",
    "sm_clock_mhz",
    "mem_clock_mhz",
    "mem_used_mb",
    "mem_total_mb",
    "temp_limit_c",
];

/// One process using a GPU for compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuProcess {
    /// NVML index of the GPU.
    pub gpu: u32,
    pub pid: u32,
    /// GPU memory used by the process, bytes; `None` when the driver does not say.
    pub used_bytes: Option<u64>,
}

/// Holds the NVML handle, or why there is none.
pub struct GpuReader {
    nvml: Result<Nvml, SourceStatus>,
}

impl std::fmt::Debug for GpuReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuReader")
            .field("status", &self.status())
            .finish()
    }
}

impl GpuReader {
    /// Loads NVML and initialises it once.
    pub fn open() -> Self {
        let mut last = None;
        for name in LIBRARY_NAMES {
            match Nvml::builder().lib_path(OsStr::new(name)).init() {
                Ok(nvml) => return GpuReader { nvml: Ok(nvml) },
                // Only a missing library justifies trying the next name.
                Err(err @ NvmlError::LibloadingError(_)) => {
                    last.get_or_insert(err);
                }
                Err(err) => {
                    return GpuReader {
                        nvml: Err(init_error_status(&err)),
                    };
                }
            }
        }
        GpuReader {
            nvml: Err(last.map_or_else(
                || SourceStatus::Unsupported {
                    reason: "NVML library not found".into(),
                },
                |err| init_error_status(&err),
            )),
        }
    }

    /// A reader that reports `status` without touching NVML (GPU reading switched off).
    pub fn disabled(status: SourceStatus) -> Self {
        GpuReader { nvml: Err(status) }
    }

    /// Present when NVML initialised, otherwise why not.
    pub fn status(&self) -> SourceStatus {
        match &self.nvml {
            Ok(_) => SourceStatus::Present,
            Err(status) => status.clone(),
        }
    }

    /// Writes `gpu.count` and every per-GPU variable (or its absence) into `snap`.
    pub fn read_into(&self, snap: &mut Snapshot) {
        let nvml = match &self.nvml {
            Ok(nvml) => nvml,
            Err(status) => {
                snap.fail_source(GPU_SOURCE, status.clone(), &["gpu.count"]);
                return;
            }
        };
        let count = match nvml.device_count() {
            Ok(count) => count,
            Err(err) => {
                let status = SourceStatus::Error {
                    message: format!("nvmlDeviceGetCount: {err}"),
                };
                snap.fail_source(GPU_SOURCE, status, &["gpu.count"]);
                return;
            }
        };
        snap.set("gpu.count", f64::from(count));
        for index in 0..count {
            let prefix = format!("gpu{index}");
            let device = match nvml.device_by_index(index) {
                Ok(device) => device,
                Err(err) => {
                    for field in GPU_FIELDS {
                        snap.set_absent(
                            format!("{prefix}.{field}"),
                            format!("nvmlDeviceGetHandleByIndex({index}): {err}"),
                        );
                    }
                    continue;
                }
            };
            // MIG mode decides how a NotSupported utilization is explained.
            let mig = device.mig_mode().map(|m| m.current == 1).unwrap_or(false);
            let reason = |call: &str, err: NvmlError| field_error_reason(call, &err, mig);
            let mut put = |field: &str, value: Result<f64, String>| {
                snap.set_result(&format!("{prefix}.{field}"), value);
            };
            match device.utilization_rates() {
                Ok(u) => {
                    put("util", Ok(f64::from(u.gpu) / 100.0));
                    put("mem_util", Ok(f64::from(u.memory) / 100.0));
                }
                Err(err) => {
                    let why = reason("nvmlDeviceGetUtilizationRates", err);
                    put("util", Err(why.clone()));
                    put("mem_util", Err(why));
                }
            }
            put(
                "temp_c",
                device
                    .temperature(TemperatureSensor::Gpu)
                    .map(f64::from)
                    .map_err(|e| reason("nvmlDeviceGetTemperature", e)),
            );
            put(
                "power_w",
                device
                    .power_usage()
                    .map(milliwatts)
                    .map_err(|e| reason("nvmlDeviceGetPowerUsage", e)),
            );
            put(
                "power_limit_w",
                device
                    .enforced_power_limit()
                    .map(milliwatts)
                    .map_err(|e| reason("nvmlDeviceGetEnforcedPowerLimit", e)),
            );
            match device.power_management_limit_constraints() {
                Ok(c) => {
                    put("power_min_w", Ok(milliwatts(c.min_limit)));
                    put("power_max_w", Ok(milliwatts(c.max_limit)));
                }
                Err(err) => {
                    let why = reason("nvmlDeviceGetPowerManagementLimitConstraints", err);
                    put("power_min_w", Err(why.clone()));
                    put("power_max_w", Err(why));
                }
            }
            put(
                "sm_clock_mhz",
                device
                    .clock_info(Clock::SM)
                    .map(f64::from)
                    .map_err(|e| reason("nvmlDeviceGetClockInfo(SM)", e)),
            );
            put(
                "mem_clock_mhz",
                device
                    .clock_info(Clock::Memory)
                    .map(f64::from)
                    .map_err(|e| reason("nvmlDeviceGetClockInfo(MEM)", e)),
            );
            // The slowdown threshold: where the driver starts throttling the clocks.
            put(
                "temp_limit_c",
                device
                    .temperature_threshold(TemperatureThreshold::Slowdown)
                    .map(f64::from)
                    .map_err(|e| reason("nvmlDeviceGetTemperatureThreshold(SLOWDOWN)", e)),
            );
            match device.memory_info() {
                Ok(m) => {
                    put("mem_used_mb", Ok(mebibytes(m.used)));
                    put("mem_total_mb", Ok(mebibytes(m.total)));
                }
                Err(err) => {
                    let why = reason("nvmlDeviceGetMemoryInfo", err);
                    put("mem_used_mb", Err(why.clone()));
                    put("mem_total_mb", Err(why));
                }
            }
        }
        snap.set_source(GPU_SOURCE, SourceStatus::Present);
    }

    /// Compute processes on every GPU. Slow (milliseconds, driver lock): poll it rarely.
    pub fn compute_processes(&self) -> Result<Vec<GpuProcess>, SourceStatus> {
        let nvml = self.nvml.as_ref().map_err(Clone::clone)?;
        let count = nvml.device_count().map_err(|e| SourceStatus::Error {
            message: format!("nvmlDeviceGetCount: {e}"),
        })?;
        let mut out = Vec::new();
        for index in 0..count {
            let device = nvml
                .device_by_index(index)
                .map_err(|e| SourceStatus::Error {
                    message: format!("nvmlDeviceGetHandleByIndex({index}): {e}"),
                })?;
            let processes =
                device
                    .running_compute_processes()
                    .map_err(|e| SourceStatus::Error {
                        message: format!("nvmlDeviceGetComputeRunningProcesses({index}): {e}"),
                    })?;
            out.extend(processes.into_iter().map(|p| GpuProcess {
                gpu: index,
                pid: p.pid,
                used_bytes: match p.used_gpu_memory {
                    UsedGpuMemory::Used(bytes) => Some(bytes),
                    UsedGpuMemory::Unavailable => None,
                },
            }));
        }
        Ok(out)
    }
}

/// mW → W.
pub fn milliwatts(mw: u32) -> f64 {
    f64::from(mw) / 1000.0
}

/// bytes → MiB.
pub fn mebibytes(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The source status for an NVML initialisation failure.
pub fn init_error_status(err: &NvmlError) -> SourceStatus {
    match err {
        NvmlError::LibloadingError(e) => SourceStatus::Unsupported {
            reason: format!("NVML library not found ({}): {e}", LIBRARY_NAMES.join(", ")),
        },
        NvmlError::DriverNotLoaded => SourceStatus::Unsupported {
            reason: "NVIDIA driver not loaded".into(),
        },
        NvmlError::LibraryNotFound => SourceStatus::Unsupported {
            reason: "NVML library not found".into(),
        },
        NvmlError::NoPermission => SourceStatus::PermissionDenied {
            path: "/dev/nvidiactl".into(),
        },
        other => SourceStatus::Error {
            message: format!("nvmlInit: {other}"),
        },
    }
}

/// Why one NVML call gave no value: MIG explains a `NotSupported` utilization.
pub fn field_error_reason(call: &str, err: &NvmlError, mig: bool) -> String {
    match err {
        NvmlError::NotSupported if mig => {
            format!("{call}: not supported on a MIG-enabled GPU")
        }
        NvmlError::NotSupported => format!("{call}: not supported by this GPU"),
        other => format!("{call}: {other}"),
    }
}
