//! What goes into the gate (a [`Proposal`]) and what comes out (a [`GateDecision`]).

use super::reason::RejectReason;
use crate::effects::Effect;
use crate::rules::ParamValue;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// An action a rule (or a contract's healing response) wants applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// Unique id of the proposal (for outputs and audit reasons).
    pub id: String,
    /// The rule that proposed it (or the contract, for healing).
    pub rule: String,
    /// The action kind, such as `set_gpu_power_limit`.
    pub kind: String,
    /// What it applies to, such as `gpu0`.
    pub target: String,
    /// Parameters; the kind's `value.param` carries the number.
    pub params: BTreeMap<String, ParamValue>,
    /// It comes from a safety-domain rule (set by the engine from the rule's configuration,
    /// never from runtime input): it may pass during an emergency, like a kind configured
    /// `safety: true` — it is the response to the emergency.
    pub safety: bool,
    /// A rollback to this absolute value: skips cooldown, rate, step, hysteresis, emergency,
    /// contract and budget checks; still checks kind, target, capability and bounds.
    pub healing: Option<f64>,
}

impl Proposal {
    /// A proposal of `kind` on `target` with one parameter `value` = `value`.
    pub fn new(id: &str, rule: &str, kind: &str, target: &str, value: f64) -> Proposal {
        let mut params = BTreeMap::new();
        params.insert("value".to_string(), ParamValue::Number(value));
        Proposal {
            id: id.to_string(),
            rule: rule.to_string(),
            kind: kind.to_string(),
            target: target.to_string(),
            params,
            safety: false,
            healing: None,
        }
    }

    /// A healing (rollback) proposal restoring `value`.
    pub fn healing(id: &str, rule: &str, kind: &str, target: &str, value: f64) -> Proposal {
        Proposal {
            params: BTreeMap::new(),
            healing: Some(value),
            safety: true,
            ..Proposal::new(id, rule, kind, target, value)
        }
    }
}

/// A proposal's parts, borrowed from wherever they live: what the gate reads of a proposal
/// besides its id. The engine checks its rules' actions through this without copying their
/// kind, target and parameters into a [`Proposal`] first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProposalParts<'a> {
    pub rule: &'a str,
    pub kind: &'a str,
    pub target: &'a str,
    pub params: &'a BTreeMap<String, ParamValue>,
    pub safety: bool,
    pub healing: Option<f64>,
    /// The same rule, kind and target as shared names, when the caller keeps them so (the
    /// engine does, per rule): the decision then shares them instead of copying them.
    pub shared: Option<&'a SharedNames>,
}

/// A proposal's rule, kind and target as shared names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SharedNames {
    pub rule: Arc<str>,
    pub kind: Arc<str>,
    pub target: Arc<str>,
    /// Whether `target` is a valid target name (checked once, not per proposal).
    pub target_valid: bool,
}

impl SharedNames {
    pub(crate) fn new(rule: Arc<str>, kind: &str, target: &str) -> SharedNames {
        SharedNames {
            rule,
            kind: kind.into(),
            target: target.into(),
            target_valid: crate::effects::scope::validate_target(target).is_ok(),
        }
    }
}

impl ProposalParts<'_> {
    /// (rule, kind, target) for a decision: shared when the caller keeps them so, else copied.
    pub(crate) fn names(&self) -> (Arc<str>, Arc<str>, Arc<str>) {
        match self.shared {
            Some(n) => (n.rule.clone(), n.kind.clone(), n.target.clone()),
            None => (self.rule.into(), self.kind.into(), self.target.into()),
        }
    }
}

impl Proposal {
    /// Its parts, borrowed.
    pub(crate) fn parts(&self) -> ProposalParts<'_> {
        ProposalParts {
            rule: &self.rule,
            kind: &self.kind,
            target: &self.target,
            params: &self.params,
            safety: self.safety,
            healing: self.healing,
            shared: None,
        }
    }
}

/// The gate's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum GateDecision {
    /// Every check passed; the gate's state was updated (token, cooldown, current value).
    Approved(ApprovedAction),
    /// A check failed; nothing changed but the audit trail.
    Rejected(RejectedAction),
}

impl GateDecision {
    /// Whether it was approved.
    pub fn is_approved(&self) -> bool {
        matches!(self, GateDecision::Approved(_))
    }

    /// The reason of a rejection.
    pub fn reason(&self) -> Option<RejectReason> {
        match self {
            GateDecision::Approved(_) => None,
            GateDecision::Rejected(r) => Some(r.reason),
        }
    }

    /// The seq of the audit record of this decision.
    pub fn audit_seq(&self) -> u64 {
        match self {
            GateDecision::Approved(a) => a.audit_seq,
            GateDecision::Rejected(r) => r.audit_seq,
        }
    }
}

/// An approved action, ready to be applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovedAction {
    pub id: String,
    /// Rule, kind, target and agent are shared with the configuration (serialized as strings).
    pub rule: Arc<str>,
    pub kind: Arc<str>,
    pub target: Arc<str>,
    /// The agent that performs it.
    pub agent: Arc<str>,
    /// The capability it was checked for.
    pub effect: Effect,
    /// The new absolute value (always finite and within the bounds).
    pub value: f64,
    /// The value it replaces, when known.
    pub previous: Option<f64>,
    /// A rollback by a contract's healing response.
    pub healing: bool,
    /// Seq of the `approved` audit record.
    pub audit_seq: u64,
}

/// A rejected action and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedAction {
    pub id: String,
    /// Rule, kind and target are shared with the configuration (serialized as strings).
    pub rule: Arc<str>,
    pub kind: Arc<str>,
    pub target: Arc<str>,
    /// The check that failed.
    pub reason: RejectReason,
    /// Details, with the numbers involved.
    pub message: String,
    /// The value it would have set, when it got that far (always finite).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Seq of the `rejected` audit record.
    pub audit_seq: u64,
}
