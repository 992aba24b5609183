//! Telemetry: converts `gamesa-telemetry` snapshots to JS objects. The binding only keeps
//! the process-wide collector handle and passes it the clocks (the wall clock is
//! `gamesa_host::clock`); readers, rates and status wording live in `gamesa-telemetry`.

use gamesa_core::error::codes;
use gamesa_host::clock::wall_clock_ms;
use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::Instant;

use gamesa_telemetry::{
    Collector, ProcessInfo, ProcessReader, ProcessesError, ProcessesReading, Sampler,
    SamplerConfig, Snapshot, SourceStatus, SubscriptionId,
};
use napi::Status;
use napi::threadsafe_function::{
    ThreadsafeFunction, ThreadsafeFunctionCallMode, UnknownReturnValue,
};
use napi_derive::napi;
use serde::Serialize;

use crate::errors::{JsError, guard, js_error};

/// One source's status as JS sees it: `status` is one of `present`, `missing`,
/// `permission_denied`, `unsupported`, `error`; `reason` says why for all but `present`.
#[derive(Serialize)]
struct NativeSourceStatus {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// One reading in the shape of the TS `TelemetrySnapshot`. It crosses to JS as a JSON string
/// that src/telemetry.ts parses: with ~25 variables and 11 sources that costs less than
/// building the nested object through Node-API (release build, per full reading: 133 µs vs
/// 140 µs, medians of 5000 readings, 3 runs alternating, on a shared 2-core machine).
/// Values are finite (the snapshot drops NaN/∞) and serde_json's float_roundtrip makes
/// `JSON.parse` give back the exact f64s.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NativeTelemetrySnapshot<'a> {
    timestamp_ms: u64,
    values: &'a BTreeMap<String, f64>,
    absent: &'a BTreeMap<String, String>,
    sources: BTreeMap<&'a str, NativeSourceStatus>,
}

impl From<&SourceStatus> for NativeSourceStatus {
    fn from(status: &SourceStatus) -> Self {
        NativeSourceStatus {
            status: status.name(),
            reason: status.reason(),
        }
    }
}

/// The JSON text of `s` in the shape of the TS `TelemetrySnapshot`.
fn to_json(s: &Snapshot) -> Result<String, JsError> {
    let native = NativeTelemetrySnapshot {
        timestamp_ms: s.timestamp_ms,
        values: &s.values,
        absent: &s.absent,
        sources: s
            .sources
            .iter()
            .map(|(name, status)| (name.as_str(), status.into()))
            .collect(),
    };
    // String keys and finite numbers only, so this does not fail in practice; if it ever
    // did, the caller gets an error rather than a made-up snapshot.
    serde_json::to_string(&native).map_err(|e| {
        js_error(
            codes::INTERNAL_PANIC,
            format!("telemetry snapshot to JSON failed: {e}"),
        )
    })
}

/// The one collector of the process, so that a second `readSnapshot()` gets rates (CPU
/// utilization needs two readings) and NVML is loaded once.
static COLLECTOR: LazyLock<Mutex<Collector>> = LazyLock::new(|| Mutex::new(Collector::host()));

/// Reads every source once with the process-wide collector.
fn collect_now() -> Snapshot {
    // A panic inside a previous collect leaves the collector usable (its trackers only hold
    // the previous reading), so a poisoned lock is recovered rather than failing forever.
    let mut collector = COLLECTOR.lock().unwrap_or_else(PoisonError::into_inner);
    collector.collect(Instant::now(), wall_clock_ms())
}

/// One reading of every telemetry source, as the JSON text of a `TelemetrySnapshot`.
#[napi(js_name = "nativeReadSnapshot")]
pub fn native_read_snapshot() -> Result<String, JsError> {
    guard(|| to_json(&collect_now()))
}

/// One process of the table, as in the TS `ProcessInfo`.
#[napi(object, js_name = "NativeProcessInfo")]
pub struct NativeProcessInfo {
    pub pid: u32,
    pub name: String,
    /// Fraction of one core since the previous reading; absent when the process is new.
    pub cpu_ratio: Option<f64>,
    pub memory_mb: f64,
}

impl From<ProcessInfo> for NativeProcessInfo {
    fn from(p: ProcessInfo) -> Self {
        NativeProcessInfo {
            pid: p.pid,
            name: p.name,
            cpu_ratio: p.cpu_ratio,
            memory_mb: p.memory_mb,
        }
    }
}

fn processes_to_js(
    r: Result<Vec<ProcessInfo>, ProcessesError>,
) -> Result<Vec<NativeProcessInfo>, JsError> {
    r.map(|list| list.into_iter().map(Into::into).collect())
        .map_err(|e| js_error(e.code(), e.to_string()))
}

/// The one process reader of the process, so a second `readProcesses()` has CPU rates.
static PROCESS_READER: LazyLock<Mutex<ProcessReader>> =
    LazyLock::new(|| Mutex::new(ProcessReader::new()));

/// Default number of processes returned by `readProcesses()`.
const DEFAULT_PROCESS_LIMIT: usize = 32;

/// The top `limit` (default 32) processes by CPU. The first call of the process throws
/// NEEDS_TWO_READINGS: CPU usage is the change since the previous call.
#[napi(js_name = "nativeReadProcesses")]
pub fn native_read_processes(limit: Option<f64>) -> Result<Vec<NativeProcessInfo>, JsError> {
    guard(|| {
        let limit = match limit {
            None => DEFAULT_PROCESS_LIMIT,
            Some(x) if x >= 0.0 && x.fract() == 0.0 => x.min(usize::MAX as f64) as usize,
            Some(x) => {
                return Err(js_error(
                    codes::INVALID_ARGUMENT,
                    format!("readProcesses(limit): limit must be a whole number ≥ 0, got {x}"),
                ));
            }
        };
        // The reader only holds the previous refresh; a panic mid-read leaves it usable.
        let mut reader = PROCESS_READER
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        processes_to_js(reader.read(limit))
    })
}

/// The sampler's last process-table reading.
#[napi(object, js_name = "NativeProcessesReading")]
pub struct NativeProcessesReading {
    pub timestamp_ms: f64,
    /// The processes; absent when the reading had none yet (see `error`).
    pub processes: Option<Vec<NativeProcessInfo>>,
    /// Code of why there are no processes (NEEDS_TWO_READINGS); absent otherwise.
    pub error: Option<String>,
}

impl From<ProcessesReading> for NativeProcessesReading {
    fn from(r: ProcessesReading) -> Self {
        let (processes, error) = match r.processes {
            Ok(list) => (Some(list.into_iter().map(Into::into).collect()), None),
            Err(e) => (None, Some(e.code().to_string())),
        };
        NativeProcessesReading {
            // Epoch milliseconds are far below 2^53, exact in f64.
            timestamp_ms: r.timestamp_ms as f64,
            processes,
            error,
        }
    }
}

/// Options of a sampler; each field defaults as in `SamplerConfig::default()` (10 Hz, slow
/// sources every 10 ticks, 100 snapshots kept); `slowEvery` 0 never reads them.
#[napi(object, js_name = "NativeTelemetrySamplerOptions")]
pub struct NativeTelemetrySamplerOptions {
    pub rate_hz: Option<f64>,
    pub slow_every: Option<f64>,
    pub buffer_size: Option<f64>,
}

/// A whole number in `1..=max`, or INVALID_CONFIG naming `field`. Node-API would silently
/// truncate a fractional or wrap a negative number, so the binding checks before converting.
fn whole(x: f64, field: &str, max: f64) -> Result<f64, JsError> {
    if x.fract() == 0.0 && (1.0..=max).contains(&x) {
        Ok(x)
    } else {
        Err(js_error(
            codes::INVALID_CONFIG,
            format!("invalid sampler config: {field} must be a whole number in 1..={max}, got {x}"),
        ))
    }
}

impl TryFrom<NativeTelemetrySamplerOptions> for SamplerConfig {
    type Error = JsError;

    fn try_from(o: NativeTelemetrySamplerOptions) -> Result<Self, JsError> {
        let d = SamplerConfig::default();
        Ok(SamplerConfig {
            rate_hz: o.rate_hz.unwrap_or(d.rate_hz),
            slow_every: match o.slow_every {
                // 0: never (`SamplerConfig::slow_every`).
                Some(0.0) => 0,
                Some(x) => whole(x, "slowEvery", f64::from(u32::MAX))? as u32,
                None => d.slow_every,
            },
            buffer_size: match o.buffer_size {
                // 2^24 snapshots is far beyond any sensible history and fits every usize.
                Some(x) => whole(x, "bufferSize", f64::from(1u32 << 24))? as usize,
                None => d.buffer_size,
            },
        })
    }
}

/// The JS callback of a subscription, receiving a snapshot's JSON text: a thread-safe function the sampling thread calls in
/// non-blocking mode (a full queue of 64 drops that snapshot instead of stalling sampling).
/// It holds the event loop open while subscribed, like a timer; `unsubscribe` and `stop`
/// release it.
type SnapshotCallback =
    ThreadsafeFunction<String, UnknownReturnValue, String, Status, false, false, 64>;

/// A background sampler (`gamesa_telemetry::Sampler`) with its own collector.
#[napi(js_name = "NativeTelemetrySampler")]
pub struct NativeTelemetrySampler {
    inner: Sampler,
}

#[napi]
impl NativeTelemetrySampler {
    /// Starts sampling. A bad option is INVALID_CONFIG naming it.
    #[napi(constructor)]
    pub fn new(options: Option<NativeTelemetrySamplerOptions>) -> Result<Self, JsError> {
        guard(|| {
            let config = match options {
                Some(o) => SamplerConfig::try_from(o)?,
                None => SamplerConfig::default(),
            };
            let inner = Sampler::start(Collector::host(), config, wall_clock_ms)
                .map_err(|e| js_error(e.code(), e.to_string()))?;
            Ok(NativeTelemetrySampler { inner })
        })
    }

    /// The newest snapshot's JSON text, or null before the first tick.
    #[napi]
    pub fn latest(&self) -> Result<Option<String>, JsError> {
        guard(|| self.inner.latest().map(|s| to_json(&s)).transpose())
    }

    /// Up to `n` (default: all kept) most recent snapshots, oldest first, as the JSON text of
    /// one array (one `JSON.parse` for the lot).
    #[napi]
    pub fn history(&self, n: Option<f64>) -> Result<String, JsError> {
        guard(|| {
            let n = match n {
                None => usize::MAX,
                Some(x) if x >= 0.0 && x.fract() == 0.0 => x.min(usize::MAX as f64) as usize,
                Some(x) => {
                    return Err(js_error(
                        codes::INVALID_ARGUMENT,
                        format!("history(n): n must be a whole number ≥ 0, got {x}"),
                    ));
                }
            };
            let items = self
                .inner
                .history(n)
                .iter()
                .map(|s| to_json(s))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(format!("[{}]", items.join(",")))
        })
    }

    /// The last process-table reading (slow schedule), or null before the first.
    #[napi]
    pub fn processes(&self) -> Result<Option<NativeProcessesReading>, JsError> {
        guard(|| Ok(self.inner.processes().map(Into::into)))
    }

    /// Calls `callback` with the JSON text of every following snapshot; returns the id for
    /// `unsubscribe`.
    #[napi]
    pub fn subscribe(
        &self,
        #[napi(ts_arg_type = "(snapshotJson: string) => void")] callback: SnapshotCallback,
    ) -> Result<f64, JsError> {
        guard(|| {
            let id = self.inner.subscribe(move |s| {
                // Serialized here, on the sampling thread; the event loop only parses. A
                // snapshot that cannot be serialized is skipped; Closing means the environment
                // is going away: unsubscribe.
                let Ok(json) = to_json(s) else { return true };
                !matches!(
                    callback.call(json, ThreadsafeFunctionCallMode::NonBlocking),
                    Status::Closing
                )
            });
            // Ids count up from 1; f64 is exact to 2^53 subscriptions.
            Ok(id.0 as f64)
        })
    }

    /// Ends a subscription, releasing its callback; false if it was not active.
    #[napi]
    pub fn unsubscribe(&self, id: f64) -> Result<bool, JsError> {
        guard(|| Ok(self.inner.unsubscribe(SubscriptionId(id as u64))))
    }

    /// Whether the sampling thread runs (false after `stop`).
    #[napi(getter)]
    pub fn running(&self) -> Result<bool, JsError> {
        guard(|| Ok(self.inner.is_running()))
    }

    /// Stops and joins the thread and releases every callback. Idempotent.
    #[napi]
    pub fn stop(&mut self) -> Result<(), JsError> {
        guard(|| {
            self.inner
                .stop()
                .map_err(|e| js_error(e.code(), e.to_string()))
        })
    }
}
