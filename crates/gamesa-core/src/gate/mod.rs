//! The ActionGate (docs/architecture.md §4): the last filter before an action is applied.
//!
//! Per action kind ([`ActionKindConfig`]): absolute bounds (numbers or snapshot variables such
//! as `{target}.power_min_w`, plus a configured cap), a maximum step, a token-bucket rate
//! limit, a cooldown per target, hysteresis, emergency mode (only safety kinds pass), the
//! capability check through the [`EffectChecker`](crate::effects::EffectChecker), contract
//! preconditions and a budget check. Unknown kinds and targets are denied. Every decision,
//! approved or rejected, goes into the audit trail with its reason ([`RejectReason`]). The
//! checks and their order are documented in `docs/gate.md`.

mod action_gate;
mod binding;
mod checks;
mod compiled;
mod config;
mod decision;
mod error;
mod reason;
mod state;
mod template;
mod text;
mod validate;

#[cfg(test)]
mod tests;

pub use action_gate::{ActionGate, GATE_AGENT, GateContext, SettingView};
pub use binding::{BindSource, BoundContext};
pub use config::{
    ActionKindConfig, BIND_PREVIOUS, BIND_VALUE, Bound, ContractBinding,
    DEFAULT_BENEFIT_PER_STRENGTH, GateConfig, SafeDirection, TokenBucket, ValueMode, ValueSpec,
};
pub(crate) use decision::ProposalParts;
pub(crate) use decision::SharedNames;
pub use decision::{ApprovedAction, GateDecision, Proposal, RejectedAction};
pub use error::GateError;
pub use reason::RejectReason;
pub use state::Bucket;
pub use template::{MAX_TEMPLATE_LEN, TARGET_PLACEHOLDER, Template, template_problem};
pub use validate::{MAX_KIND_LEN, kind_name_problem, target_pattern_problem};
