//! The capability tokens themselves.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A capability an agent must hold before it may cause a kind of change (docs/architecture.md §4).
///
/// The set is deliberately small: one token per actuator family, one for reading telemetry,
/// one for changing policy and one for reading the audit trail. The string form
/// (`cpu_control`, …) is what grants, audit records and the TypeScript `Effect` enum use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Change CPU settings: frequency/governor, core parking, affinity masks.
    CpuControl,
    /// Change GPU settings: clocks, power limits, compute partitioning.
    GpuControl,
    /// Change memory settings: reservations, huge pages, cache/working-set limits.
    MemoryControl,
    /// Change thermal settings: fan curves, thermal targets, throttle points.
    ThermalControl,
    /// Change power settings: power plans, package/board power limits.
    PowerControl,
    /// Act on processes: priority, suspend/resume, kill.
    ProcessControl,
    /// Read telemetry (counters, sensors). Read-only, but still gated: what an agent can see
    /// is part of what it can do.
    TelemetryRead,
    /// Change the governor's own policy: grants, contracts, limits. The most powerful token;
    /// no built-in agent holds it.
    PolicyWrite,
    /// Read (export, inspect) the audit trail itself, for tools that are not operators.
    AuditRead,
}

impl Effect {
    /// Every effect, in declaration order (the order used for deterministic iteration).
    pub const ALL: [Effect; 9] = [
        Effect::CpuControl,
        Effect::GpuControl,
        Effect::MemoryControl,
        Effect::ThermalControl,
        Effect::PowerControl,
        Effect::ProcessControl,
        Effect::TelemetryRead,
        Effect::PolicyWrite,
        Effect::AuditRead,
    ];

    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Effect::CpuControl => "cpu_control",
            Effect::GpuControl => "gpu_control",
            Effect::MemoryControl => "memory_control",
            Effect::ThermalControl => "thermal_control",
            Effect::PowerControl => "power_control",
            Effect::ProcessControl => "process_control",
            Effect::TelemetryRead => "telemetry_read",
            Effect::PolicyWrite => "policy_write",
            Effect::AuditRead => "audit_read",
        }
    }

    /// The effect with this snake_case name, if any.
    pub fn parse(s: &str) -> Option<Effect> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for e in Effect::ALL {
            assert_eq!(Effect::parse(e.as_str()), Some(e));
            assert_eq!(
                serde_json::to_string(&e).unwrap(),
                format!("\"{}\"", e.as_str())
            );
        }
        assert_eq!(Effect::parse("CpuControl"), None);
    }
}
