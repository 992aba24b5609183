//! What one tick produces. Everything is ordered (vectors in decision order, maps sorted), so
//! serializing a `TickOutput` gives the same bytes for the same inputs in any process.

use crate::economics::{MarketTick, RateMatrix};
use crate::effects::AuditRecord;
use crate::gate::{ApprovedAction, RejectedAction};
use crate::signals::{SignalDomain, SignalKind};
use crate::types::{Priority, ResourceType};
use serde::Serialize;
use std::collections::BTreeMap;

/// The result of [`super::Engine::tick`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TickOutput {
    /// Tick number, from 1.
    pub tick: u64,
    /// The tick's time as given, ms.
    pub now_ms: f64,
    /// True while a safety-domain signal is active this tick: only safety actions pass.
    pub emergency: bool,
    /// Input variables that could not be used (not representable in their declared type).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub input_errors: Vec<String>,
    /// Every computed feature, `feat.<name>` → value (absent features are left out).
    pub features: BTreeMap<String, f64>,
    /// Features that could not be computed this tick, with the reason.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub features_absent: BTreeMap<String, String>,
    /// Signals dequeued this tick, most urgent first (domain rank, then strength).
    pub signals: Vec<SignalOut>,
    /// Rules that fired, active and shadow.
    pub firings: Firings,
    /// Rules that failed to evaluate this tick (an absent variable, an overflow).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rule_errors: Vec<RuleErrorOut>,
    /// Bids, clearing and prices of this tick's market round.
    pub market: MarketTick,
    /// Exchange rates `p_r / p_s` at the posted prices of this tick.
    pub rates: RateMatrix,
    /// Every candidate action with its score, active and shadow.
    pub scored: Vec<ScoredAction>,
    /// Actions that passed the gate (dry-run: recorded, not applied to the machine).
    pub approved: Vec<ApprovedAction>,
    /// Actions that were stopped, each with the reason.
    pub rejected: Vec<RejectedAction>,
    /// Leases granted from this tick's clearing.
    pub allocations: Vec<AllocationOut>,
    /// Invariant and postcondition checks of this tick.
    pub contracts: Vec<ContractOut>,
    /// Audit records appended this tick (hash-chained; verify with the audit tools).
    pub audit: Vec<AuditRecord>,
}

/// A dequeued signal.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignalOut {
    pub kind: SignalKind,
    pub domain: SignalDomain,
    pub strength: f64,
    /// The rule (or contract) that raised it.
    pub source: String,
}

/// Rule firings of a tick.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Firings {
    pub active: Vec<FiringOut>,
    pub shadow: Vec<FiringOut>,
}

/// One rule that fired.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FiringOut {
    pub rule: String,
    pub priority: Priority,
    pub domain: SignalDomain,
    /// True when the rule was already latched (hysteresis) before this tick.
    pub held: bool,
    /// The strength of the signal it emitted, if it emits one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strength: Option<f64>,
}

/// A rule evaluation failure.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleErrorOut {
    pub rule: String,
    pub message: String,
}

/// Whether a candidate came from an active or a shadow rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Active,
    Shadow,
}

/// A candidate action and its score: `score = benefit − Σ cost·price`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoredAction {
    pub id: String,
    pub rule: String,
    pub kind: String,
    pub target: String,
    pub agent: String,
    pub mode: Mode,
    pub benefit: f64,
    /// Priced cost, credits.
    pub cost: f64,
    pub score: f64,
    /// Chosen by the selection (active only; shadow candidates are never chosen).
    pub chosen: bool,
}

/// A lease granted from the market's clearing.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocationOut {
    pub id: String,
    pub agent: String,
    pub resource: ResourceType,
    pub requested: f64,
    pub granted: f64,
    /// Unit ids (FirstFit), `[offset, size]` (BestFit, Buddy), or nothing (shares).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<Vec<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<[u64; 2]>,
    pub expires_at_tick: Option<u64>,
    /// When the allocator refused the cleared amount (fragmentation), its error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Which conditions were checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    Invariant,
    Post,
}

/// One contract check.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractOut {
    pub contract: String,
    pub kind: CheckKind,
    /// The approved action whose postconditions were checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// `ok`, `violated` or `skipped`.
    pub status: &'static str,
    /// Each violation, as text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<String>,
    /// Why it was skipped, or which optional conditions were skipped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// The response taken on a violation (`rollback`, `clamp`, `signal`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<&'static str>,
}
