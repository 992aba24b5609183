//! Telemetry: converts `gamesa-telemetry` snapshots to JS objects. The binding only keeps
//! the process-wide collector handle and passes it the clocks; readers and rates live in
//! `gamesa-telemetry`.

use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use gamesa_telemetry::{Collector, Sampler, SamplerConfig, Snapshot, SourceStatus, SubscriptionId};
use napi::Status;
use napi::threadsafe_function::{
    ThreadsafeFunction, ThreadsafeFunctionCallMode, UnknownReturnValue,
};
use napi_derive::napi;

use crate::errors::{JsError, guard, js_error};

/// One source's status as JS sees it: `status` is one of `present`, `missing`,
/// `permission_denied`, `unsupported`, `error`; `reason` says why for all but `present`.
#[napi(object, js_name = "NativeSourceStatus")]
pub struct NativeSourceStatus {
    pub status: String,
    pub reason: Option<String>,
}

/// One reading, as plain nested records. Measured against serde_json + `JSON.parse` (debug
/// build, 14 values): 224 µs vs 268 µs median per full reading, so the object form stays.
#[napi(object, js_name = "NativeTelemetrySnapshot")]
pub struct NativeTelemetrySnapshot {
    pub timestamp_ms: f64,
    pub values: BTreeMap<String, f64>,
    pub absent: BTreeMap<String, String>,
    pub sources: BTreeMap<String, NativeSourceStatus>,
}

impl From<&SourceStatus> for NativeSourceStatus {
    fn from(status: &SourceStatus) -> Self {
        let (status, reason) = match status {
            SourceStatus::Present => ("present", None),
            SourceStatus::Missing { path } => ("missing", Some(format!("{path} not found"))),
            SourceStatus::PermissionDenied { path } => (
                "permission_denied",
                Some(format!("{path}: permission denied")),
            ),
            SourceStatus::Unsupported { reason } => ("unsupported", Some(reason.clone())),
            SourceStatus::Error { message } => ("error", Some(message.clone())),
        };
        NativeSourceStatus {
            status: status.to_string(),
            reason,
        }
    }
}

impl From<&Snapshot> for NativeTelemetrySnapshot {
    fn from(s: &Snapshot) -> Self {
        NativeTelemetrySnapshot {
            // Epoch milliseconds stay exact in an f64 for the next 285 000 years.
            timestamp_ms: s.timestamp_ms as f64,
            values: s.values.clone(),
            absent: s.absent.clone(),
            sources: s
                .sources
                .iter()
                .map(|(name, status)| (name.clone(), status.into()))
                .collect(),
        }
    }
}

/// The one collector of the process, so that a second `readSnapshot()` gets rates (CPU
/// utilization needs two readings) and NVML is loaded once.
static COLLECTOR: LazyLock<Mutex<Collector>> = LazyLock::new(|| Mutex::new(Collector::host()));

/// Wall-clock milliseconds since the Unix epoch; 0 if the clock is before 1970.
fn wall_clock_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Reads every source once with the process-wide collector.
fn collect_now() -> Snapshot {
    // A panic inside a previous collect leaves the collector usable (its trackers only hold
    // the previous reading), so a poisoned lock is recovered rather than failing forever.
    let mut collector = COLLECTOR.lock().unwrap_or_else(PoisonError::into_inner);
    collector.collect(Instant::now(), wall_clock_ms())
}

/// One reading of every telemetry source, as nested records.
#[napi(js_name = "nativeReadSnapshot")]
pub fn native_read_snapshot() -> Result<NativeTelemetrySnapshot, JsError> {
    guard(|| Ok(NativeTelemetrySnapshot::from(&collect_now())))
}

/// Options of a sampler; each field defaults as in `SamplerConfig::default()` (10 Hz, slow
/// sources every 10 ticks, 100 snapshots kept).
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
            "INVALID_CONFIG",
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

/// The JS callback of a subscription: a thread-safe function the sampling thread calls in
/// non-blocking mode (a full queue of 64 drops that snapshot instead of stalling sampling).
/// It holds the event loop open while subscribed, like a timer; `unsubscribe` and `stop`
/// release it.
type SnapshotCallback = ThreadsafeFunction<
    NativeTelemetrySnapshot,
    UnknownReturnValue,
    NativeTelemetrySnapshot,
    Status,
    false,
    false,
    64,
>;

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

    /// The newest snapshot, or null before the first tick.
    #[napi]
    pub fn latest(&self) -> Result<Option<NativeTelemetrySnapshot>, JsError> {
        guard(|| {
            Ok(self
                .inner
                .latest()
                .map(|s| NativeTelemetrySnapshot::from(&*s)))
        })
    }

    /// Up to `n` (default: all kept) most recent snapshots, oldest first.
    #[napi]
    pub fn history(&self, n: Option<f64>) -> Result<Vec<NativeTelemetrySnapshot>, JsError> {
        guard(|| {
            let n = match n {
                None => usize::MAX,
                Some(x) if x >= 0.0 && x.fract() == 0.0 => x.min(usize::MAX as f64) as usize,
                Some(x) => {
                    return Err(js_error(
                        "INVALID_ARGUMENT",
                        format!("history(n): n must be a whole number ≥ 0, got {x}"),
                    ));
                }
            };
            Ok(self
                .inner
                .history(n)
                .iter()
                .map(|s| NativeTelemetrySnapshot::from(&**s))
                .collect())
        })
    }

    /// Calls `callback` with every following snapshot; returns the id for `unsubscribe`.
    #[napi]
    pub fn subscribe(
        &self,
        #[napi(ts_arg_type = "(snapshot: NativeTelemetrySnapshot) => void")]
        callback: SnapshotCallback,
    ) -> Result<f64, JsError> {
        guard(|| {
            let id = self.inner.subscribe(move |s| {
                // Converted here, on the sampling thread; only the JS objects are made on the
                // event loop. Closing means the environment is going away: unsubscribe.
                !matches!(
                    callback.call(
                        NativeTelemetrySnapshot::from(&**s),
                        ThreadsafeFunctionCallMode::NonBlocking
                    ),
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
