//! Binding for `gamesa_core::signals`: converts JS values to core types and back, and
//! forwards. Every rule (order, expiry, coalescing, capacity, validation, the kind → domain
//! table) is the core's.
//!
//! The two defaults the core cannot have because it has no clock and no global state come
//! from `gamesa-host`: a missing `createdAtMs` (in `telemetrySignal` and `enqueueColumns`) and
//! a missing `nowMs` (in `dequeue`, `dequeueColumns`, `peek`) are its wall clock
//! (`gamesa_host::clock`, the number `Date.now()` gives); a missing id is `<kind>-<n>` from
//! its process-wide counter (`gamesa_host::signal_ids`).
//! Kinds and domains cross as strings typed `SignalKind`/`SignalDomain` (not as napi enums) so
//! an unknown value gets our `INVALID_ARGUMENT` code with a message naming the field.
//! Exported functions spell `Result<T, JsError>` because napi-derive recognises a fallible
//! return by the name `Result`, not through an alias.

use crate::errors::{JsError, guard, js_error, to_js};
use gamesa_core::error::codes;
use gamesa_core::signals as core;
use gamesa_host::clock;
use gamesa_host::signal_ids::next_signal_id as next_id;
use napi::bindgen_prelude::{Float64Array, Uint8Array, Uint32Array};
use napi_derive::napi;

/// What a signal reports. Each kind belongs to one domain (`signalKindDomain`).
#[napi(string_enum)]
pub enum SignalKind {
    /// The CPU limits the workload (performance).
    #[napi(value = "cpu_bottleneck")]
    CpuBottleneck,
    /// The GPU limits the workload (performance).
    #[napi(value = "gpu_bottleneck")]
    GpuBottleneck,
    /// Memory is short (performance).
    #[napi(value = "memory_pressure")]
    MemoryPressure,
    /// A temperature approaches its limit (thermal).
    #[napi(value = "thermal_warning")]
    ThermalWarning,
    /// A temperature is at or past its limit (thermal).
    #[napi(value = "thermal_critical")]
    ThermalCritical,
    /// A power limit is reached or near (power).
    #[napi(value = "power_limit")]
    PowerLimit,
    /// Capacity sits unused (efficiency).
    #[napi(value = "idle_capacity")]
    IdleCapacity,
    /// Latency spiked (performance).
    #[napi(value = "latency_spike")]
    LatencySpike,
    /// A safety limit was violated (safety).
    #[napi(value = "safety_violation")]
    SafetyViolation,
}

/// The area a signal belongs to; ranked safety > thermal > power > performance > efficiency >
/// maintenance unless a scheduler is given other `domainRanks`.
#[napi(string_enum)]
pub enum SignalDomain {
    #[napi(value = "safety")]
    Safety,
    #[napi(value = "thermal")]
    Thermal,
    #[napi(value = "power")]
    Power,
    #[napi(value = "performance")]
    Performance,
    #[napi(value = "efficiency")]
    Efficiency,
    #[napi(value = "maintenance")]
    Maintenance,
}

/// What `enqueue` did with a signal.
#[napi(string_enum)]
pub enum EnqueueResult {
    /// Pending as a new entry.
    #[napi(value = "queued")]
    Queued,
    /// Merged into the pending signal with the same `(kind, source)`.
    #[napi(value = "coalesced")]
    Coalesced,
    /// Pending; the queue was full, so the lowest-ranked pending signal was dropped.
    #[napi(value = "evicted")]
    Evicted,
    /// The queue was full and this signal ranked lowest, so it was dropped.
    #[napi(value = "dropped")]
    Dropped,
}

/// A signal. Times are ms; it expires when `now >= createdAtMs + ttlMs`.
#[napi(object)]
pub struct Signal {
    /// The caller's identifier (not interpreted; duplicates allowed).
    pub id: String,
    #[napi(ts_type = "SignalKind")]
    pub kind: String,
    /// The domain it is ranked by (usually the kind's domain).
    #[napi(ts_type = "SignalDomain")]
    pub domain: String,
    /// In [0, 1].
    pub strength: f64,
    /// Who raised it; `(kind, source)` is the coalescing key.
    pub source: String,
    pub created_at_ms: f64,
    /// >= 0; `Infinity` never expires.
    pub ttl_ms: f64,
    /// Opaque data (JSON text by convention).
    pub payload: Option<String>,
}

/// Options of `telemetrySignal`; every field has a default.
#[napi(object)]
pub struct TelemetrySignalOptions {
    /// Default: `<kind>-<n>` from a process-wide counter.
    pub id: Option<String>,
    /// Default: `'telemetry'`.
    pub source: Option<String>,
    /// Default: now (`Date.now()`).
    pub created_at_ms: Option<f64>,
    /// Default: 1000.
    pub ttl_ms: Option<f64>,
    pub payload: Option<String>,
}

/// Options of a `SignalScheduler`.
#[napi(object)]
pub struct SignalSchedulerOptions {
    /// Most signals pending at once; default 4096.
    pub capacity: Option<u32>,
    /// Every domain once, highest rank first; default
    /// `['safety', 'thermal', 'power', 'performance', 'efficiency', 'maintenance']`.
    #[napi(ts_type = "SignalDomain[]")]
    pub domain_ranks: Option<Vec<String>>,
}

/// Counters since the scheduler was built:
/// `enqueued = dequeued + expired + droppedFull + coalesced + cleared + len`.
#[napi(object)]
pub struct SignalStats {
    pub len: u32,
    pub enqueued: i64,
    pub dequeued: i64,
    pub coalesced: i64,
    pub expired: i64,
    pub dropped_full: i64,
    pub cleared: i64,
}

/// What happened to the signals of one batch.
#[napi(object)]
pub struct SignalBatchResult {
    pub queued: u32,
    pub coalesced: u32,
    pub evicted: u32,
    pub dropped: u32,
}

/// A batch as columns (entry `i` of each array is signal `i`); the fastest way to enqueue
/// many signals. Build it with `toSignalColumns` or directly.
#[napi(object)]
pub struct SignalColumns {
    /// Kind codes: positions in `signalKinds()`. Sets the batch length.
    pub kinds: Uint8Array,
    /// Strengths in [0, 1].
    pub strengths: Float64Array,
    /// Source names referenced by `sourceIndex`; default `['telemetry']`.
    pub sources: Option<Vec<String>>,
    /// Index into `sources` per signal; default 0 for every signal.
    pub source_index: Option<Uint32Array>,
    /// Domain codes: positions in `signalDomains()`; default each kind's domain.
    pub domains: Option<Uint8Array>,
    /// Default: now (`Date.now()`) for every signal.
    pub created_at_ms: Option<Float64Array>,
    /// Default: 1000 for every signal.
    pub ttl_ms: Option<Float64Array>,
    /// Default: generated as by `telemetrySignal`.
    pub ids: Option<Vec<String>>,
    /// Default: none.
    pub payloads: Option<Vec<Option<String>>>,
}

/// The wall clock in ms since the Unix epoch, as `Date.now()` reports it.
fn wall_clock_ms() -> f64 {
    clock::wall_clock_ms() as f64
}

fn parse_kind(s: &str, field: &str) -> Result<core::SignalKind, JsError> {
    core::SignalKind::parse(s).ok_or_else(|| {
        js_error(
            codes::INVALID_ARGUMENT,
            format!("{field}: '{s}' is not a signal kind"),
        )
    })
}

fn parse_domain(s: &str, field: &str, code: &str) -> Result<core::SignalDomain, JsError> {
    core::SignalDomain::parse(s)
        .ok_or_else(|| js_error(code, format!("{field}: '{s}' is not a signal domain")))
}

impl From<core::Signal> for Signal {
    fn from(s: core::Signal) -> Self {
        Signal {
            id: s.id,
            kind: s.kind.as_str().to_string(),
            domain: s.domain.as_str().to_string(),
            strength: s.strength,
            source: s.source,
            created_at_ms: s.created_at_ms,
            ttl_ms: s.ttl_ms,
            payload: s.payload,
        }
    }
}

impl From<core::BatchOutcome> for SignalBatchResult {
    fn from(o: core::BatchOutcome) -> Self {
        // Batch lengths come from JS arrays, whose length is below 2^32.
        SignalBatchResult {
            queued: o.queued as u32,
            coalesced: o.coalesced as u32,
            evicted: o.evicted as u32,
            dropped: o.dropped as u32,
        }
    }
}

fn outcome(o: core::EnqueueOutcome) -> EnqueueResult {
    match o {
        core::EnqueueOutcome::Queued => EnqueueResult::Queued,
        core::EnqueueOutcome::Coalesced => EnqueueResult::Coalesced,
        core::EnqueueOutcome::Evicted(_) => EnqueueResult::Evicted,
        core::EnqueueOutcome::Dropped(_) => EnqueueResult::Dropped,
    }
}

/// Builds a signal for `kind` with its domain from the one kind → domain table (in Rust).
#[napi]
pub fn telemetry_signal(
    #[napi(ts_arg_type = "SignalKind")] kind: String,
    strength: f64,
    options: Option<TelemetrySignalOptions>,
) -> Result<Signal, JsError> {
    guard(|| {
        let kind = parse_kind(&kind, "kind")?;
        let o = options.unwrap_or(TelemetrySignalOptions {
            id: None,
            source: None,
            created_at_ms: None,
            ttl_ms: None,
            payload: None,
        });
        let opts = core::TelemetryOptions {
            id: o.id.unwrap_or_else(|| next_id(kind)),
            source: o.source,
            created_at_ms: o.created_at_ms.unwrap_or_else(wall_clock_ms),
            ttl_ms: o.ttl_ms,
            payload: o.payload,
        };
        core::telemetry_signal(kind, strength, opts)
            .map(Signal::from)
            .map_err(to_js)
    })
}

/// The domain a kind belongs to.
#[napi(ts_return_type = "SignalDomain")]
pub fn signal_kind_domain(
    #[napi(ts_arg_type = "SignalKind")] kind: String,
) -> Result<String, JsError> {
    guard(|| Ok(parse_kind(&kind, "kind")?.domain().as_str().to_string()))
}

/// Every kind in code order: `signalKinds()[code]` is the kind with that code (the codes of
/// `SignalColumns.kinds`).
#[napi(ts_return_type = "SignalKind[]")]
pub fn signal_kinds() -> Result<Vec<String>, JsError> {
    guard(|| {
        Ok(core::SignalKind::ALL
            .iter()
            .map(|k| k.as_str().to_string())
            .collect())
    })
}

/// Every domain in code order (the codes of `SignalColumns.domains`), which is also the
/// default rank order.
#[napi(ts_return_type = "SignalDomain[]")]
pub fn signal_domains() -> Result<Vec<String>, JsError> {
    guard(|| {
        Ok(core::SignalDomain::ALL
            .iter()
            .map(|d| d.as_str().to_string())
            .collect())
    })
}

/// The domain-ranked, bounded, coalescing signal queue (see the core's `SignalScheduler`).
/// Users get it through the TypeScript `SignalScheduler` (src/signals.ts), which turns a
/// signal object into `enqueueFields` arguments in JS, where reading properties is cheap.
#[napi(js_name = "NativeSignalScheduler")]
pub struct JsSignalScheduler {
    inner: core::SignalScheduler,
}

#[napi]
impl JsSignalScheduler {
    /// A scheduler; `INVALID_CONFIG` for a zero capacity or a `domainRanks` that does not
    /// list every domain exactly once.
    #[napi(constructor)]
    pub fn new(options: Option<SignalSchedulerOptions>) -> Result<Self, JsError> {
        guard(|| {
            let mut config = core::SchedulerConfig::default();
            if let Some(o) = options {
                if let Some(c) = o.capacity {
                    config.capacity = c as usize;
                }
                if let Some(order) = o.domain_ranks {
                    let order = order
                        .iter()
                        .enumerate()
                        .map(|(i, d)| {
                            parse_domain(d, &format!("domainRanks[{i}]"), codes::INVALID_CONFIG)
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    config.domain_ranks = core::DomainRanks::from_order(&order).map_err(to_js)?;
                }
            }
            let inner = core::SignalScheduler::with_config(config).map_err(to_js)?;
            Ok(JsSignalScheduler { inner })
        })
    }

    /// Adds one signal given field by field, kind and domain as codes (positions in
    /// `signalKinds()` / `signalDomains()`). Reading a JS object property by property through
    /// Node-API took 2.5× as long as this whole call (bench/signals.bench.ts), so the object
    /// form lives in TypeScript.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn enqueue_fields(
        &mut self,
        kind: u32,
        domain: u32,
        strength: f64,
        source: String,
        created_at_ms: f64,
        ttl_ms: f64,
        id: String,
        payload: Option<String>,
    ) -> Result<EnqueueResult, JsError> {
        guard(|| {
            let kind = u8::try_from(kind)
                .ok()
                .and_then(core::SignalKind::from_code)
                .ok_or_else(|| {
                    js_error(
                        codes::INVALID_ARGUMENT,
                        format!("kind: {kind} is not a signal kind code"),
                    )
                })?;
            let domain = core::SignalDomain::ALL
                .get(domain as usize)
                .copied()
                .ok_or_else(|| {
                    js_error(
                        codes::INVALID_ARGUMENT,
                        format!("domain: {domain} is not a signal domain code"),
                    )
                })?;
            let signal = core::Signal {
                id,
                kind,
                domain,
                strength,
                source,
                created_at_ms,
                ttl_ms,
                payload,
            };
            Ok(outcome(self.inner.enqueue(signal).map_err(to_js)?))
        })
    }

    /// Adds the signals described by `columns`, in order, all or nothing.
    #[napi]
    pub fn enqueue_columns(
        &mut self,
        columns: SignalColumns,
    ) -> Result<SignalBatchResult, JsError> {
        guard(|| {
            let cols = core::SignalColumns {
                kinds: &columns.kinds,
                strengths: &columns.strengths,
                sources: columns.sources.as_deref(),
                source_index: columns.source_index.as_deref(),
                domains: columns.domains.as_deref(),
                created_at_ms: columns.created_at_ms.as_deref(),
                ttl_ms: columns.ttl_ms.as_deref(),
                ids: columns.ids.as_deref(),
                payloads: columns.payloads.as_deref(),
            };
            let now = if columns.created_at_ms.is_none() {
                wall_clock_ms()
            } else {
                0.0
            };
            let signals = cols
                .to_signals(now, core::DEFAULT_TELEMETRY_TTL_MS, next_id)
                .map_err(to_js)?;
            self.inner
                .enqueue_all(signals)
                .map(Into::into)
                .map_err(to_js)
        })
    }

    /// Removes and returns the first unexpired signal (expired ones met are dropped and
    /// counted); `null` when none. `nowMs` defaults to `Date.now()`.
    #[napi]
    pub fn dequeue(&mut self, now_ms: Option<f64>) -> Result<Option<Signal>, JsError> {
        guard(|| {
            let now = now_ms.unwrap_or_else(wall_clock_ms);
            Ok(self.inner.dequeue(now).map_err(to_js)?.map(Signal::from))
        })
    }

    /// The signal `dequeue(nowMs)` would return, left in place (expired ones met are dropped
    /// and counted, as `dequeue` would).
    #[napi]
    pub fn peek(&mut self, now_ms: Option<f64>) -> Result<Option<Signal>, JsError> {
        guard(|| {
            let now = now_ms.unwrap_or_else(wall_clock_ms);
            Ok(self
                .inner
                .peek(now)
                .map_err(to_js)?
                .cloned()
                .map(Signal::from))
        })
    }

    /// Dequeues up to `max` signals, in order, as columns (the shape `enqueueColumns` takes,
    /// every optional column filled): much cheaper than one object per signal.
    #[napi]
    pub fn dequeue_columns(
        &mut self,
        max: u32,
        now_ms: Option<f64>,
    ) -> Result<SignalColumns, JsError> {
        guard(|| {
            let now = now_ms.unwrap_or_else(wall_clock_ms);
            let out = self.inner.dequeue_up_to(now, max as usize).map_err(to_js)?;
            let c = core::OwnedSignalColumns::from_signals(out);
            Ok(SignalColumns {
                kinds: c.kinds.into(),
                strengths: c.strengths.into(),
                sources: Some(c.sources),
                source_index: Some(c.source_index.into()),
                domains: Some(c.domains.into()),
                created_at_ms: Some(c.created_at_ms.into()),
                ttl_ms: Some(c.ttl_ms.into()),
                ids: Some(c.ids),
                payloads: Some(c.payloads),
            })
        })
    }

    /// Signals pending now (expired ones included until a dequeue or peek meets them).
    #[napi]
    pub fn len(&self) -> Result<u32, JsError> {
        guard(|| Ok(self.inner.len() as u32))
    }

    /// The most signals pending at once.
    #[napi(getter)]
    pub fn capacity(&self) -> Result<u32, JsError> {
        guard(|| Ok(self.inner.config().capacity as u32))
    }

    /// The counters.
    #[napi]
    pub fn stats(&self) -> Result<SignalStats, JsError> {
        guard(|| {
            let s = self.inner.stats();
            Ok(SignalStats {
                len: s.len as u32,
                enqueued: s.enqueued as i64,
                dequeued: s.dequeued as i64,
                coalesced: s.coalesced as i64,
                expired: s.expired as i64,
                dropped_full: s.dropped_full as i64,
                cleared: s.cleared as i64,
            })
        })
    }

    /// Removes every pending signal (counted in `stats().cleared`).
    #[napi]
    pub fn clear(&mut self) -> Result<(), JsError> {
        guard(|| {
            self.inner.clear();
            Ok(())
        })
    }
}
