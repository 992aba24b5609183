//! What a signal is about ([`SignalKind`]) and which part of the governor must answer it
//! ([`SignalDomain`]), with the one kind → domain table of the whole project.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The area a signal belongs to. Domains are what the scheduler ranks first: by default a
/// safety signal always goes before a thermal one, which goes before power, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalDomain {
    /// Something is unsafe for the machine or its users; always handled first by default.
    Safety,
    /// Temperatures and thermal headroom.
    Thermal,
    /// Power limits and budgets.
    Power,
    /// Throughput and latency of the workload.
    Performance,
    /// Spare capacity that could be reclaimed or used better.
    Efficiency,
    /// Housekeeping that can always wait.
    Maintenance,
}

impl SignalDomain {
    /// Every domain, in the default rank order (highest first). Also the order of `index`.
    pub const ALL: [SignalDomain; 6] = [
        SignalDomain::Safety,
        SignalDomain::Thermal,
        SignalDomain::Power,
        SignalDomain::Performance,
        SignalDomain::Efficiency,
        SignalDomain::Maintenance,
    ];

    /// The snake_case string used by configs, logs and the TypeScript API.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignalDomain::Safety => "safety",
            SignalDomain::Thermal => "thermal",
            SignalDomain::Power => "power",
            SignalDomain::Performance => "performance",
            SignalDomain::Efficiency => "efficiency",
            SignalDomain::Maintenance => "maintenance",
        }
    }

    /// Parses the string form; `None` for anything else.
    pub fn parse(s: &str) -> Option<SignalDomain> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// Index into `ALL`, for dense per-domain tables.
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for SignalDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a signal reports. Each kind belongs to exactly one domain ([`SignalKind::domain`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// The CPU limits the workload. Domain: performance.
    CpuBottleneck,
    /// The GPU limits the workload. Domain: performance.
    GpuBottleneck,
    /// Memory is short (paging, pressure stalls). Domain: performance.
    MemoryPressure,
    /// A temperature approaches its limit. Domain: thermal.
    ThermalWarning,
    /// A temperature is at or past its limit. Domain: thermal.
    ThermalCritical,
    /// A power limit is reached or near. Domain: power.
    PowerLimit,
    /// Capacity sits unused. Domain: efficiency.
    IdleCapacity,
    /// Frame or response latency spiked. Domain: performance.
    LatencySpike,
    /// An invariant or safety limit was violated. Domain: safety.
    SafetyViolation,
}

impl SignalKind {
    /// Every kind, in declaration order. The position in this array is the kind's numeric
    /// code (`code`), used by the columnar batch form of the binding.
    pub const ALL: [SignalKind; 9] = [
        SignalKind::CpuBottleneck,
        SignalKind::GpuBottleneck,
        SignalKind::MemoryPressure,
        SignalKind::ThermalWarning,
        SignalKind::ThermalCritical,
        SignalKind::PowerLimit,
        SignalKind::IdleCapacity,
        SignalKind::LatencySpike,
        SignalKind::SafetyViolation,
    ];

    /// The snake_case string used by configs, logs and the TypeScript API.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignalKind::CpuBottleneck => "cpu_bottleneck",
            SignalKind::GpuBottleneck => "gpu_bottleneck",
            SignalKind::MemoryPressure => "memory_pressure",
            SignalKind::ThermalWarning => "thermal_warning",
            SignalKind::ThermalCritical => "thermal_critical",
            SignalKind::PowerLimit => "power_limit",
            SignalKind::IdleCapacity => "idle_capacity",
            SignalKind::LatencySpike => "latency_spike",
            SignalKind::SafetyViolation => "safety_violation",
        }
    }

    /// Parses the string form; `None` for anything else.
    pub fn parse(s: &str) -> Option<SignalKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind's position in [`SignalKind::ALL`].
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The kind with the given code, `None` past the end of [`SignalKind::ALL`].
    pub fn from_code(code: u8) -> Option<SignalKind> {
        Self::ALL.get(usize::from(code)).copied()
    }

    /// The domain this kind belongs to — the one kind → domain table of the project:
    /// thermal kinds → thermal, `PowerLimit` → power, the bottlenecks, `MemoryPressure` and
    /// `LatencySpike` → performance, `IdleCapacity` → efficiency, `SafetyViolation` → safety.
    /// No kind maps to maintenance yet. See [`SignalKind::allowed_in`] for the domains a
    /// signal of the kind may be queued in.
    pub const fn domain(self) -> SignalDomain {
        match self {
            SignalKind::CpuBottleneck
            | SignalKind::GpuBottleneck
            | SignalKind::MemoryPressure
            | SignalKind::LatencySpike => SignalDomain::Performance,
            SignalKind::ThermalWarning | SignalKind::ThermalCritical => SignalDomain::Thermal,
            SignalKind::PowerLimit => SignalDomain::Power,
            SignalKind::IdleCapacity => SignalDomain::Efficiency,
            SignalKind::SafetyViolation => SignalDomain::Safety,
        }
    }

    /// Whether a signal of this kind may be queued in `domain`: its own domain
    /// ([`SignalKind::domain`]), or `safety` for `ThermalCritical` (a temperature at or past
    /// its limit is a safety matter, and a safety rule raising it is the emergency). Anything
    /// else would let a signal jump the domain ranking (a `cpu_bottleneck` in `safety` ahead
    /// of everything) or fall behind it, so the scheduler and the rule compiler refuse it.
    pub const fn allowed_in(self, domain: SignalDomain) -> bool {
        matches!(
            (self, domain),
            (SignalKind::ThermalCritical, SignalDomain::Safety)
        ) || self.domain() as u8 == domain as u8
    }
}

impl fmt::Display for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rank of each domain in one scheduler: rank 0 is dequeued first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainRanks {
    /// `rank[domain.index()]`, a permutation of `0..6`.
    rank: [u8; 6],
}

impl Default for DomainRanks {
    /// safety > thermal > power > performance > efficiency > maintenance.
    fn default() -> Self {
        DomainRanks {
            rank: [0, 1, 2, 3, 4, 5],
        }
    }
}

impl DomainRanks {
    /// Ranks from an order, highest first. The order must name every domain exactly once, so
    /// that no two domains tie and dequeue order stays total.
    pub fn from_order(order: &[SignalDomain]) -> Result<Self, super::SignalError> {
        if order.len() != SignalDomain::ALL.len() {
            return Err(super::SignalError::InvalidConfig(format!(
                "domainRanks must list all {} domains exactly once, highest first; got {} entries",
                SignalDomain::ALL.len(),
                order.len()
            )));
        }
        let mut rank = [u8::MAX; 6];
        for (position, domain) in order.iter().enumerate() {
            let slot = &mut rank[domain.index()];
            if *slot != u8::MAX {
                return Err(super::SignalError::InvalidConfig(format!(
                    "domainRanks[{position}]: domain '{domain}' is listed twice"
                )));
            }
            // `position < 6` because the length was checked above.
            *slot = position as u8;
        }
        Ok(DomainRanks { rank })
    }

    /// The rank of `domain`: 0 is dequeued first.
    #[inline]
    pub const fn rank(&self, domain: SignalDomain) -> u8 {
        self.rank[domain.index()]
    }

    /// The domains, highest rank first (the inverse of `from_order`).
    pub fn order(&self) -> [SignalDomain; 6] {
        let mut order = SignalDomain::ALL;
        order.sort_by_key(|d| self.rank(*d));
        order
    }
}
