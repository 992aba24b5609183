//! The default grants of the built-in agents: one per actuator family.
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
pub struct DefaultGrant {
    pub agent: &'static str,
    pub effects: &'static [Effect],
}

const DEFAULTS: [DefaultGrant; 5] = [
    DefaultGrant {
        agent: "cpu_agent",
        effects: &[
            Effect::CpuControl,
            Effect::ProcessControl,
            Effect::TelemetryRead,
        ],
    },
    DefaultGrant {
        agent: "gpu_agent",
        effects: &[Effect::GpuControl, Effect::TelemetryRead],
    },
    DefaultGrant {
        agent: "thermal_agent",
        effects: &[Effect::ThermalControl, Effect::TelemetryRead],
    },
    DefaultGrant {
        agent: "power_agent",
        effects: &[Effect::PowerControl, Effect::TelemetryRead],
    },
    DefaultGrant {
        agent: "memory_agent",
        effects: &[Effect::MemoryControl, Effect::TelemetryRead],
    },
];

/// The default grant table (see the module docs), in the order it is applied.
pub fn default_grants() -> &'static [DefaultGrant] {
    &DEFAULTS
}

impl EffectChecker {
    /// Applies [`default_grants`] at `now_ms`: one audited `grant` per row.
    pub fn grant_defaults(&mut self, now_ms: u64) -> Result<(), EffectError> {
        for row in default_grants() {
            self.grant(row.agent, row.effects, GrantOptions::default(), now_ms)?;
        }
        Ok(())
    }

    /// A new checker with the default grants granted at `now_ms`.
    pub fn with_defaults(now_ms: u64) -> EffectChecker {
        let mut c = EffectChecker::new();
        // The table is static and valid; a failure here is a bug caught by the tests.
        c.grant_defaults(now_ms)
            .expect("the default grants are valid");
        c
    }
}
