//! The default grants of the built-in guardian agents.
//!
//! | agent           | effects                                        |
//! |-----------------|------------------------------------------------|
//! | `cpu_agent`     | `cpu_control`, `process_control`, `telemetry_read` |
//! | `gpu_agent`     | `gpu_control`, `telemetry_read`                |
//! | `thermal_agent` | `thermal_control`, `telemetry_read`            |
//! | `power_agent`   | `power_control`, `telemetry_read`              |
//! | `memory_agent`  | `memory_control`, `telemetry_read`             |
//!
//! Least privilege: each agent gets the one actuator family it governs plus telemetry, which
//! it needs to see the effect of what it does. `cpu_agent` also gets `process_control`
//! because CPU decisions are carried out on processes (priority, affinity). No default grant
//! expires or is scoped, and nobody gets `policy_write` or `audit_read`: changing the rules and
//! reading the record of them stay with the operator, who grants them explicitly.

use super::checker::{EffectChecker, GrantOptions};
use super::effect::Effect;
use super::error::EffectError;

/// One row of the default table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardianGrant {
    pub agent: &'static str,
    pub effects: &'static [Effect],
}

const DEFAULTS: [GuardianGrant; 5] = [
    GuardianGrant {
        agent: "cpu_agent",
        effects: &[
            Effect::CpuControl,
            Effect::ProcessControl,
            Effect::TelemetryRead,
        ],
    },
    GuardianGrant {
        agent: "gpu_agent",
        effects: &[Effect::GpuControl, Effect::TelemetryRead],
    },
    GuardianGrant {
        agent: "thermal_agent",
        effects: &[Effect::ThermalControl, Effect::TelemetryRead],
    },
    GuardianGrant {
        agent: "power_agent",
        effects: &[Effect::PowerControl, Effect::TelemetryRead],
    },
    GuardianGrant {
        agent: "memory_agent",
        effects: &[Effect::MemoryControl, Effect::TelemetryRead],
    },
];

/// The default grant table (see the module docs), in the order it is applied.
pub fn guardian_defaults() -> &'static [GuardianGrant] {
    &DEFAULTS
}

impl EffectChecker {
    /// Applies [`guardian_defaults`] at `now_ms`: one audited `grant` per row.
    pub fn grant_guardian_defaults(&mut self, now_ms: u64) -> Result<(), EffectError> {
        for row in guardian_defaults() {
            self.grant(row.agent, row.effects, GrantOptions::default(), now_ms)?;
        }
        Ok(())
    }

    /// A new checker with the guardian defaults granted at `now_ms`.
    pub fn guardian(now_ms: u64) -> EffectChecker {
        let mut c = EffectChecker::new();
        // The table is static and valid; a failure here is a bug caught by the tests.
        c.grant_guardian_defaults(now_ms)
            .expect("guardian defaults are valid");
        c
    }
}
