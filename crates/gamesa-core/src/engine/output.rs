//! What one tick produces. Everything is ordered (vectors in decision order, maps sorted), so
//! serializing a `TickOutput` gives the same bytes for the same inputs in any process.

use crate::allocation::{ChangeDetail, LeaseId};
use crate::effects::AuditRecord;
use crate::gate::{ApprovedAction, RejectedAction};
use crate::market::{MarketTick, RateMatrix};
use crate::per_resource::PerResource;
use crate::signals::{SignalDomain, SignalKind};
use crate::types::{Priority, ResourceType};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

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
    pub features: FeatureValues,
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
    /// Changes to the agents' standing leases this tick.
    pub allocations: Vec<AllocationOut>,
    /// Invariant and postcondition checks of this tick.
    pub contracts: Vec<ContractOut>,
    /// Audit records appended this tick (hash-chained; verify with the audit tools).
    pub audit: Vec<AuditRecord>,
}

/// An output with nothing in it (tick 0), for [`super::Engine::tick_into`] and
/// [`super::Engine::tick_slots_into`] to write over.
impl Default for TickOutput {
    fn default() -> Self {
        let zero = PerResource::splat(0.0);
        TickOutput {
            tick: 0,
            now_ms: 0.0,
            emergency: false,
            input_errors: Vec::new(),
            features: FeatureValues::default(),
            features_absent: BTreeMap::new(),
            signals: Vec::new(),
            firings: Firings::default(),
            rule_errors: Vec::new(),
            market: MarketTick::default(),
            rates: RateMatrix(PerResource::splat(zero)),
            scored: Vec::new(),
            approved: Vec::new(),
            rejected: Vec::new(),
            allocations: Vec::new(),
            contracts: Vec::new(),
            audit: Vec::new(),
        }
    }
}

/// The part of a [`TickOutput`] a live governor acts on: the decisions and what led to them,
/// without the market's per-bid clearing, the lease changes, the contract checks and the audit
/// records (those stay in the full output). A few KB of JSON where the full output of a large
/// configuration is a hundred, so a caller that needs only this does not pay for the rest.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TickDecisions<'a> {
    pub tick: u64,
    pub now_ms: f64,
    pub emergency: bool,
    /// The prices this tick's round cleared at, and those posted for the next tick.
    pub prices: &'a PerResource<f64>,
    pub next_prices: &'a PerResource<f64>,
    /// Demand at the posted prices and the capacity offered, as in the market output.
    pub demand: &'a PerResource<f64>,
    pub supply: &'a PerResource<f64>,
    pub signals: &'a [SignalOut],
    pub firings: &'a Firings,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub rule_errors: &'a [RuleErrorOut],
    pub approved: &'a [ApprovedAction],
    pub rejected: &'a [RejectedAction],
    /// How many standing leases changed (`allocations` of the full output).
    pub lease_changes: usize,
    /// How many contract checks were violated.
    pub violations: usize,
    /// The audit sequence numbers written this tick, `[first, last]`; absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<[u64; 2]>,
}

impl TickOutput {
    /// This tick's [`TickDecisions`].
    pub fn decisions(&self) -> TickDecisions<'_> {
        TickDecisions {
            tick: self.tick,
            now_ms: self.now_ms,
            emergency: self.emergency,
            prices: &self.market.prices,
            next_prices: &self.market.next_prices,
            demand: &self.market.demand,
            supply: &self.market.supply,
            signals: &self.signals,
            firings: &self.firings,
            rule_errors: &self.rule_errors,
            approved: &self.approved,
            rejected: &self.rejected,
            lease_changes: self.allocations.len(),
            violations: self
                .contracts
                .iter()
                .filter(|c| c.status == "violated")
                .count(),
            audit: match (self.audit.first(), self.audit.last()) {
                (Some(a), Some(b)) => Some([a.seq, b.seq]),
                _ => None,
            },
        }
    }
}

/// A tick's feature values, `feat.<name>` → value, sorted by name: a JSON object, like a
/// sorted map, but its names are shared with the engine instead of made again every tick.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeatureValues(Vec<(Arc<str>, f64)>);

impl FeatureValues {
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// Appends a value; the engine pushes names in sorted order.
    pub(crate) fn push(&mut self, name: Arc<str>, value: f64) {
        debug_assert!(self.0.last().is_none_or(|(last, _)| *last < name));
        self.0.push((name, value));
    }

    /// The value of `feat.<name>`, if it was computed.
    pub fn get(&self, name: &str) -> Option<f64> {
        (self.0.binary_search_by(|(k, _)| (**k).cmp(name)).ok()).map(|i| self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// (name, value) in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.0.iter().map(|(k, v)| (&**k, *v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for FeatureValues {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(&**k, v)?;
        }
        map.end()
    }
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
    /// The rule's id (shared with the rule set).
    pub rule: Arc<str>,
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
    /// Rule, kind, target and agent are shared with the configuration (serialized as strings).
    pub rule: Arc<str>,
    pub kind: Arc<str>,
    pub target: Arc<str>,
    pub agent: Arc<str>,
    pub mode: Mode,
    pub benefit: f64,
    /// Priced cost, credits.
    pub cost: f64,
    pub score: f64,
    /// Chosen by the selection (active only; shadow candidates are never chosen).
    pub chosen: bool,
}

/// What happened to a standing lease this tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaseChange {
    /// The agent started winning: a new lease.
    Granted,
    /// The amount it won changed: the lease was remade.
    Resized,
    /// It won nothing this round: the lease was released.
    Released,
    /// A preemptive pool took it back (capacity shrank, or a higher priority came).
    Preempted,
    /// The allocator refused the cleared amount (fragmentation): no lease.
    Failed,
}

/// A change to an agent's standing lease on a resource (unchanged leases are not listed; the
/// round's full result is `market.grants`).
///
/// Its JSON has an `agent` field after `id`: the agent part of the id ([`AllocationOut::agent`]),
/// kept only there so a change holds one name instead of two.
#[derive(Debug, Clone)]
pub struct AllocationOut {
    /// `<agent>/<resource>`: one standing lease per pair. (Copied from the engine's table of
    /// names: no reference count to move per change.)
    pub id: LeaseId,
    pub resource: ResourceType,
    pub change: LeaseChange,
    /// The amount leased before this tick (0 when none).
    pub previous: f64,
    /// The amount asked of the allocator (the cleared amount, whole units where the pool needs
    /// them); 0 when released.
    pub requested: f64,
    /// The amount the allocator granted (a weighted pool's share may differ).
    pub granted: f64,
    /// Unit ids (FirstFit; a few are held in place, so a grant is copied here without an
    /// allocation), `[offset, size]` (BestFit, Buddy) or the allocator's error code when it
    /// refused: at most one applies, so they share one field (serialized as the `units`,
    /// `range` and `error` fields, each when present).
    pub detail: ChangeDetail,
}

impl AllocationOut {
    /// The agent whose lease this is: `id` without its `/<resource>`.
    pub fn agent(&self) -> &str {
        let len = self.id.len() - self.resource.as_str().len() - 1;
        self.id.get(..len).unwrap_or_default()
    }

    pub(crate) fn granted(
        id: &LeaseId,
        resource: ResourceType,
        previous: f64,
        requested: f64,
        (granted, placement): (f64, &crate::allocation::Placement),
    ) -> Self {
        use crate::allocation::{Placement, UnitIds};
        let detail = match placement {
            Placement::Units(u) => ChangeDetail::Units(UnitIds::new(u)),
            Placement::Range { offset, size } => ChangeDetail::Range([*offset, *size]),
            Placement::Share => ChangeDetail::None,
        };
        AllocationOut {
            id: id.clone(),
            resource,
            change: if previous > 0.0 {
                LeaseChange::Resized
            } else {
                LeaseChange::Granted
            },
            previous,
            requested,
            granted,
            detail,
        }
    }

    fn empty(id: &LeaseId, resource: ResourceType, change: LeaseChange) -> Self {
        AllocationOut {
            id: id.clone(),
            resource,
            change,
            previous: 0.0,
            requested: 0.0,
            granted: 0.0,
            detail: ChangeDetail::None,
        }
    }

    pub(crate) fn released(id: &LeaseId, r: ResourceType, previous: f64) -> Self {
        AllocationOut {
            previous,
            ..Self::empty(id, r, LeaseChange::Released)
        }
    }

    pub(crate) fn preempted(id: &LeaseId, r: ResourceType, previous: f64) -> Self {
        AllocationOut {
            previous,
            ..Self::empty(id, r, LeaseChange::Preempted)
        }
    }

    pub(crate) fn failed(
        id: &LeaseId,
        r: ResourceType,
        requested: f64,
        code: &'static str,
    ) -> Self {
        AllocationOut {
            requested,
            detail: ChangeDetail::Error(code),
            ..Self::empty(id, r, LeaseChange::Failed)
        }
    }
}

/// The fields in the order and form `#[derive(Serialize)]` with `camelCase` and
/// `skip_serializing_if = "Option::is_none"` gave them (the golden hash depends on it).
impl Serialize for AllocationOut {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let len = 8 + usize::from(!matches!(self.detail, ChangeDetail::None));
        let mut st = s.serialize_struct("AllocationOut", len)?;
        st.serialize_field("id", &*self.id)?;
        st.serialize_field("agent", self.agent())?;
        st.serialize_field("resource", &self.resource)?;
        st.serialize_field("change", &self.change)?;
        st.serialize_field("previous", &self.previous)?;
        st.serialize_field("requested", &self.requested)?;
        st.serialize_field("granted", &self.granted)?;
        match self.detail.units() {
            Some(u) => st.serialize_field("units", u)?,
            None => st.skip_field("units")?,
        }
        match &self.detail.range() {
            Some(r) => st.serialize_field("range", r)?,
            None => st.skip_field("range")?,
        }
        match &self.detail.error() {
            Some(e) => st.serialize_field("error", e)?,
            None => st.skip_field("error")?,
        }
        st.end()
    }
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
