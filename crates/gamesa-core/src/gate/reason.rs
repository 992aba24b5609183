//! Why an action was rejected: stable snake_case codes (outputs, audit records, docs/gate.md).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The check an action failed. The string forms are stable: they appear in tick outputs, in
/// audit records and in `docs/gate.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The action kind is not configured (deny by default).
    UnknownKind,
    /// The target is outside the kind's patterns, is not a valid name, or does not exist in
    /// the snapshot (the kind's `exists` variable is absent).
    UnknownTarget,
    /// The value parameter is missing, not a number, NaN or ±∞ (or the value computed from it
    /// is not finite).
    InvalidParam,
    /// A variable the check needs (a bound, or the current value for a delta/factor action
    /// or a step limit) is absent from the snapshot or not a finite number: fail closed.
    MissingVariable,
    /// The value is outside `[min, min(max, cap)]`.
    OutOfBounds,
    /// |value − current| exceeds `maxStep`.
    StepTooLarge,
    /// |value − current| is below `hysteresis`: not worth applying.
    WithinHysteresis,
    /// The same target was acted on less than `cooldownMs` ago.
    Cooldown,
    /// The kind's token bucket is empty.
    RateLimited,
    /// An emergency is active and the kind is not a safety action.
    Emergency,
    /// The agent lacks the capability (the effect checker denied it).
    NoCapability,
    /// The contract's preconditions do not hold (or cannot be checked: fail closed).
    PreconditionFailed,
    /// Not enough free capacity for the action's resource costs, or the agent's balance does
    /// not cover them at current prices.
    OverBudget,
    /// Passed the gate but lost the engine's scoring (used by the engine, not the gate).
    NotSelected,
}

impl RejectReason {
    /// Every reason, in declaration order.
    pub const ALL: [RejectReason; 14] = [
        RejectReason::UnknownKind,
        RejectReason::UnknownTarget,
        RejectReason::InvalidParam,
        RejectReason::MissingVariable,
        RejectReason::OutOfBounds,
        RejectReason::StepTooLarge,
        RejectReason::WithinHysteresis,
        RejectReason::Cooldown,
        RejectReason::RateLimited,
        RejectReason::Emergency,
        RejectReason::NoCapability,
        RejectReason::PreconditionFailed,
        RejectReason::OverBudget,
        RejectReason::NotSelected,
    ];

    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            RejectReason::UnknownKind => "unknown_kind",
            RejectReason::UnknownTarget => "unknown_target",
            RejectReason::InvalidParam => "invalid_param",
            RejectReason::MissingVariable => "missing_variable",
            RejectReason::OutOfBounds => "out_of_bounds",
            RejectReason::StepTooLarge => "step_too_large",
            RejectReason::WithinHysteresis => "within_hysteresis",
            RejectReason::Cooldown => "cooldown",
            RejectReason::RateLimited => "rate_limited",
            RejectReason::Emergency => "emergency",
            RejectReason::NoCapability => "no_capability",
            RejectReason::PreconditionFailed => "precondition_failed",
            RejectReason::OverBudget => "over_budget",
            RejectReason::NotSelected => "not_selected",
        }
    }

    /// The reason with this name, if any.
    pub fn parse(s: &str) -> Option<RejectReason> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for r in RejectReason::ALL {
            assert_eq!(RejectReason::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
            assert_eq!(serde_json::from_str::<RejectReason>(&json).unwrap(), r);
        }
    }
}
