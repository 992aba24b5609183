//! The signal record and its validation.

use super::{SignalDomain, SignalError, SignalKind};

/// Time to live of a telemetry signal when the caller gives none: telemetry is sampled about
/// once a second, so an older reading is stale.
pub const DEFAULT_TELEMETRY_TTL_MS: f64 = 1000.0;

/// Source of a telemetry signal when the caller gives none.
pub const DEFAULT_TELEMETRY_SOURCE: &str = "telemetry";

/// One signal. Times are milliseconds on the caller's clock (the core never reads one);
/// the signal expires when `now_ms >= created_at_ms + ttl_ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// The caller's identifier; the scheduler does not interpret it (duplicates are allowed).
    pub id: String,
    /// What the signal reports.
    pub kind: SignalKind,
    /// The domain the scheduler ranks it by: `kind.domain()`, or another domain the kind is
    /// allowed in ([`SignalKind::allowed_in`]); any other is refused by [`Signal::validate`].
    pub domain: SignalDomain,
    /// How strong the condition is, in `[0, 1]`.
    pub strength: f64,
    /// Who raised it. Together with `kind` it is the coalescing key.
    pub source: String,
    /// When it was raised, in ms (finite).
    pub created_at_ms: f64,
    /// How long it stays relevant, in ms: `>= 0`; `+∞` never expires.
    pub ttl_ms: f64,
    /// Opaque data for the consumer (JSON text by convention); never parsed here.
    pub payload: Option<String>,
}

impl Signal {
    /// Checks the domain against the kind and every numeric field; the error names the field,
    /// the value and the signal id.
    pub fn validate(&self) -> Result<(), SignalError> {
        if !self.kind.allowed_in(self.domain) {
            return Err(SignalError::InvalidArgument(format!(
                "signal '{}': domain `{}` does not fit kind `{}`, which belongs to the {} domain",
                self.id,
                self.domain,
                self.kind,
                self.kind.domain()
            )));
        }
        // `contains` is false for NaN, so NaN is rejected here too.
        if !(0.0..=1.0).contains(&self.strength) {
            return Err(SignalError::InvalidArgument(format!(
                "signal '{}': strength must be a number in [0, 1], got {}",
                self.id, self.strength
            )));
        }
        if !self.created_at_ms.is_finite() {
            return Err(SignalError::InvalidArgument(format!(
                "signal '{}': createdAtMs must be a finite number of ms, got {}",
                self.id, self.created_at_ms
            )));
        }
        if self.ttl_ms.is_nan() || self.ttl_ms < 0.0 {
            return Err(SignalError::InvalidArgument(format!(
                "signal '{}': ttlMs must be >= 0 (Infinity for no expiry), got {}",
                self.id, self.ttl_ms
            )));
        }
        Ok(())
    }

    /// The time from which the signal counts as expired.
    #[inline]
    pub fn expires_at_ms(&self) -> f64 {
        self.created_at_ms + self.ttl_ms
    }

    /// True when the signal is expired at `now_ms`.
    #[inline]
    pub fn is_expired(&self, now_ms: f64) -> bool {
        now_ms >= self.expires_at_ms()
    }
}

/// The fields of a telemetry signal that have defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct TelemetryOptions {
    /// Identifier; the binding generates one from a counter when the caller gives none.
    pub id: String,
    /// Defaults to [`DEFAULT_TELEMETRY_SOURCE`].
    pub source: Option<String>,
    /// Creation time in ms. The core has no clock, so this is required here; the binding
    /// fills it from the wall clock (`Date.now()`) when the caller omits it.
    pub created_at_ms: f64,
    /// Defaults to [`DEFAULT_TELEMETRY_TTL_MS`].
    pub ttl_ms: Option<f64>,
    /// Opaque payload.
    pub payload: Option<String>,
}

/// Builds a validated signal whose domain is the kind's domain ([`SignalKind::domain`]).
pub fn telemetry_signal(
    kind: SignalKind,
    strength: f64,
    options: TelemetryOptions,
) -> Result<Signal, SignalError> {
    let signal = Signal {
        id: options.id,
        kind,
        domain: kind.domain(),
        strength,
        source: options
            .source
            .unwrap_or_else(|| DEFAULT_TELEMETRY_SOURCE.to_string()),
        created_at_ms: options.created_at_ms,
        ttl_ms: options.ttl_ms.unwrap_or(DEFAULT_TELEMETRY_TTL_MS),
        payload: options.payload,
    };
    signal.validate()?;
    Ok(signal)
}
