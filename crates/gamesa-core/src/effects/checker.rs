//! Grants and checks: default deny, optional expiry and target scope, every decision audited.

use super::effect::Effect;
use super::error::EffectError;
use super::record::AuditDecision;
use super::scope::{TargetPattern, validate_target};
use super::trail::{AuditTrail, Name};
use std::collections::{BTreeMap, BTreeSet};

/// The longest agent name accepted, in bytes.
pub const MAX_AGENT_LEN: usize = 128;

/// One grant to an agent: some effects, until an optional expiry, on an optional scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub effects: BTreeSet<Effect>,
    /// The grant covers checks with `now_ms < expires_at_ms`; `None` = no expiry.
    pub expires_at_ms: Option<u64>,
    /// `None` = any target (or none). `Some(patterns)` = only checks that name a target matching
    /// one of the patterns; a check without a target is not covered.
    pub targets: Option<Vec<TargetPattern>>,
    /// When it was made (the `now_ms` passed to `grant`).
    pub granted_at_ms: u64,
}

impl Grant {
    /// "granted at T, expires at E, targets [a, b*]" — used in reasons.
    fn describe(&self) -> String {
        let mut s = format!("grant made at {}", self.granted_at_ms);
        if let Some(e) = self.expires_at_ms {
            s.push_str(&format!(", expires at {e}"));
        }
        if let Some(t) = &self.targets {
            s.push_str(&format!(", targets {}", list(t)));
        }
        s
    }

    /// `Ok(())` when this grant covers the request, else why not.
    fn covers(&self, effect: Effect, target: Option<&str>, now_ms: u64) -> Result<(), String> {
        if !self.effects.contains(&effect) {
            return Err(String::new());
        }
        if let Some(e) = self.expires_at_ms
            && now_ms >= e
        {
            return Err(format!("{} expired (now {now_ms})", self.describe()));
        }
        match (&self.targets, target) {
            (None, _) => Ok(()),
            (Some(_), None) => Err(format!(
                "{} is scoped and the check names no target",
                self.describe()
            )),
            (Some(pats), Some(t)) if pats.iter().any(|p| p.matches(t)) => Ok(()),
            (Some(_), Some(t)) => Err(format!(
                "target '{t}' is outside the scope of {}",
                self.describe()
            )),
        }
    }
}

fn list(patterns: &[TargetPattern]) -> String {
    let items: Vec<String> = patterns.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// Optional limits of a grant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantOptions {
    /// Absolute expiry in ms since the epoch; must be after the `now_ms` of the grant.
    pub expires_at_ms: Option<u64>,
    /// Target patterns (see [`super::scope`]); `None` = unscoped. An empty list is rejected,
    /// because a grant that can never apply is a mistake, not a policy.
    pub targets: Option<Vec<String>>,
}

/// The answer to a check, as recorded in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
    /// Seq of the audit record of this decision.
    pub seq: u64,
}

/// Grants per agent plus the audit trail every decision goes into. Default deny.
///
/// Every `grant`, `revoke` and check appends to the trail; malformed arguments are rejected
/// with `INVALID_ARGUMENT` before anything is decided, and are not recorded. Grants are state
/// of this checker only; the trail records them but they are not re-read from it.
#[derive(Debug, Clone, Default)]
pub struct EffectChecker {
    grants: BTreeMap<String, Vec<Grant>>,
    trail: AuditTrail,
}

pub(crate) fn validate_agent(agent: &str) -> Result<(), EffectError> {
    let bad = |why: &str| EffectError::InvalidArgument {
        what: "agent".into(),
        message: format!("{agent:?} {why}"),
    };
    if agent.is_empty() {
        return Err(bad("is empty"));
    }
    if agent.len() > MAX_AGENT_LEN {
        return Err(bad(&format!("is longer than {MAX_AGENT_LEN} bytes")));
    }
    if super::scope::has_control(agent) {
        return Err(bad("contains a control character"));
    }
    Ok(())
}

impl EffectChecker {
    /// A checker with no grants and an empty trail.
    pub fn new() -> EffectChecker {
        EffectChecker::default()
    }

    /// A checker with no grants that continues `trail` (e.g. one loaded from a file).
    pub fn with_trail(trail: AuditTrail) -> EffectChecker {
        EffectChecker {
            grants: BTreeMap::new(),
            trail,
        }
    }

    /// Grants `effects` to `agent`. Writes one `granted` record per distinct effect (in
    /// [`Effect::ALL`] order) and returns the seq of the last one.
    pub fn grant(
        &mut self,
        agent: &str,
        effects: &[Effect],
        options: GrantOptions,
        now_ms: u64,
    ) -> Result<u64, EffectError> {
        validate_agent(agent)?;
        if effects.is_empty() {
            return Err(EffectError::InvalidArgument {
                what: "effects".into(),
                message: "no effect to grant".into(),
            });
        }
        if let Some(e) = options.expires_at_ms
            && e <= now_ms
        {
            return Err(EffectError::InvalidArgument {
                what: "expiresAtMs".into(),
                message: format!("{e} is not after now ({now_ms})"),
            });
        }
        let targets = match options.targets {
            None => None,
            Some(t) if t.is_empty() => {
                return Err(EffectError::InvalidArgument {
                    what: "targets".into(),
                    message: "empty list (leave it out to grant on every target)".into(),
                });
            }
            Some(t) => Some(
                t.iter()
                    .map(|p| TargetPattern::parse(p))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let grant = Grant {
            effects: effects.iter().copied().collect(),
            expires_at_ms: options.expires_at_ms,
            targets,
            granted_at_ms: now_ms,
        };
        let reason = format!("granted: {}", grant.describe());
        let mut last = 0;
        for &effect in &grant.effects {
            last = self
                .trail
                .append(
                    now_ms,
                    agent,
                    AuditDecision::Granted,
                    Some(effect),
                    None,
                    reason.clone(),
                )
                .seq;
        }
        self.grants
            .entry(agent.to_string())
            .or_default()
            .push(grant);
        Ok(last)
    }

    /// Revokes `effect` (or, with `None`, every effect) from every grant of `agent`. Writes one
    /// `revoked` record per effect removed; when nothing was held, one record saying so (a
    /// revoke is an administrative act worth recording either way). Returns how many distinct
    /// effects were removed.
    pub fn revoke(
        &mut self,
        agent: &str,
        effect: Option<Effect>,
        now_ms: u64,
    ) -> Result<usize, EffectError> {
        validate_agent(agent)?;
        let mut removed: BTreeSet<Effect> = BTreeSet::new();
        if let Some(grants) = self.grants.get_mut(agent) {
            for g in grants.iter_mut() {
                match effect {
                    Some(e) => {
                        if g.effects.remove(&e) {
                            removed.insert(e);
                        }
                    }
                    None => removed.append(&mut g.effects),
                }
            }
            grants.retain(|g| !g.effects.is_empty());
            if grants.is_empty() {
                self.grants.remove(agent);
            }
        }
        if removed.is_empty() {
            let what = effect.map_or_else(|| "any effect".to_string(), |e| e.to_string());
            self.trail.append(
                now_ms,
                agent,
                AuditDecision::Revoked,
                effect,
                None,
                format!("nothing to revoke: no grant of {what}"),
            );
        }
        for &e in &removed {
            self.trail.append(
                now_ms,
                agent,
                AuditDecision::Revoked,
                Some(e),
                None,
                "revoked from every grant of the agent".into(),
            );
        }
        Ok(removed.len())
    }

    /// Decides whether `agent` may perform `effect` (on `target`) at `now_ms`, and records the
    /// decision. The first grant (in the order granted) that covers the request allows it.
    pub fn check(
        &mut self,
        agent: &str,
        effect: Effect,
        target: Option<&str>,
        now_ms: u64,
    ) -> Result<Decision, EffectError> {
        validate_agent(agent)?;
        if let Some(t) = target {
            validate_target(t)?;
        }
        let (allowed, reason) = self.decide(agent, effect, target, now_ms);
        let decision = if allowed {
            AuditDecision::Allowed
        } else {
            AuditDecision::Denied
        };
        let seq = self
            .trail
            .append(
                now_ms,
                agent,
                decision,
                Some(effect),
                target,
                reason.clone(),
            )
            .seq;
        Ok(Decision {
            allowed,
            reason,
            seq,
        })
    }

    fn decide(
        &self,
        agent: &str,
        effect: Effect,
        target: Option<&str>,
        now_ms: u64,
    ) -> (bool, String) {
        match self.covering_grant(agent, effect, target, now_ms) {
            Ok(g) => (true, format!("allowed by {}", g.describe())),
            Err(why) => (false, why),
        }
    }

    /// The first grant (in the order granted) that covers the request, or why none does.
    fn covering_grant(
        &self,
        agent: &str,
        effect: Effect,
        target: Option<&str>,
        now_ms: u64,
    ) -> Result<&Grant, String> {
        let Some(grants) = self.grants.get(agent) else {
            return Err(format!("default deny: agent '{agent}' holds no grants"));
        };
        let mut why_not = Vec::new();
        for g in grants {
            match g.covers(effect, target, now_ms) {
                Ok(()) => return Ok(g),
                Err(why) if !why.is_empty() => why_not.push(why),
                Err(_) => {}
            }
        }
        if why_not.is_empty() {
            Err(format!(
                "default deny: agent '{agent}' holds no grant of {effect}"
            ))
        } else {
            Err(format!(
                "no grant of {effect} applies: {}",
                why_not.join("; ")
            ))
        }
    }

    /// Like [`EffectChecker::peek`], but an allowed request comes back without the text of
    /// the grant that allowed it: the ActionGate reads only a denial's reason, and it asks
    /// for every action of every tick.
    pub(crate) fn permits(
        &self,
        agent: &str,
        effect: Effect,
        target: Option<&str>,
        now_ms: u64,
    ) -> Result<Result<(), String>, EffectError> {
        validate_agent(agent)?;
        if let Some(t) = target {
            validate_target(t)?;
        }
        Ok(self.covers(agent, effect, target, now_ms))
    }

    /// [`EffectChecker::permits`] for a caller that has validated the agent and target.
    pub(crate) fn covers(
        &self,
        agent: &str,
        effect: Effect,
        target: Option<&str>,
        now_ms: u64,
    ) -> Result<(), String> {
        self.covering_grant(agent, effect, target, now_ms)
            .map(|_| ())
    }

    /// Decides like [`EffectChecker::check`] without recording: for a caller that writes its
    /// own record of the whole decision (the ActionGate writes one record per action, naming
    /// the capability it lacked when it rejects for that).
    pub fn peek(
        &self,
        agent: &str,
        effect: Effect,
        target: Option<&str>,
        now_ms: u64,
    ) -> Result<(bool, String), EffectError> {
        validate_agent(agent)?;
        if let Some(t) = target {
            validate_target(t)?;
        }
        Ok(self.decide(agent, effect, target, now_ms))
    }

    /// `check`, reduced to the boolean.
    pub fn can_perform(
        &mut self,
        agent: &str,
        effect: Effect,
        target: Option<&str>,
        now_ms: u64,
    ) -> Result<bool, EffectError> {
        Ok(self.check(agent, effect, target, now_ms)?.allowed)
    }

    /// `check`, but a denial is the error `CAPABILITY_DENIED` (naming agent, effect, target and
    /// reason). The denial is recorded before the error is returned.
    pub fn require(
        &mut self,
        agent: &str,
        effect: Effect,
        target: Option<&str>,
        now_ms: u64,
    ) -> Result<Decision, EffectError> {
        let d = self.check(agent, effect, target, now_ms)?;
        if d.allowed {
            Ok(d)
        } else {
            Err(EffectError::CapabilityDenied {
                agent: agent.to_string(),
                effect,
                target: target.map(str::to_string),
                reason: d.reason,
            })
        }
    }

    /// Records the ActionGate's verdict on an action: `approved` or `rejected`, with `reason`
    /// (which check failed, or what passed). Agent and target are validated as in `check`
    /// (`INVALID_ARGUMENT`, nothing recorded). Returns the seq of the record.
    pub fn record_gate_decision(
        &mut self,
        time_ms: u64,
        agent: &str,
        approved: bool,
        effect: Option<Effect>,
        target: Option<&str>,
        reason: String,
    ) -> Result<u64, EffectError> {
        self.record_gate_decision_named(
            time_ms,
            Name::text(agent),
            approved,
            effect,
            target.map(Name::text),
            &reason,
        )
    }

    /// [`EffectChecker::record_gate_decision`] for a caller that may hold the names as shared
    /// strings (the engine's market rejections); they are validated all the same.
    pub(crate) fn record_gate_decision_named(
        &mut self,
        time_ms: u64,
        agent: Name<'_>,
        approved: bool,
        effect: Option<Effect>,
        target: Option<Name<'_>>,
        reason: &str,
    ) -> Result<u64, EffectError> {
        validate_agent(agent.text)?;
        if let Some(t) = target {
            validate_target(t.text)?;
        }
        Ok(self.append_gate_decision(time_ms, agent, approved, effect, target, reason))
    }

    /// [`EffectChecker::record_gate_decision`] for a caller that has validated the agent and
    /// target itself (the ActionGate, which checks them once per action).
    pub(crate) fn append_gate_decision(
        &mut self,
        time_ms: u64,
        agent: Name<'_>,
        approved: bool,
        effect: Option<Effect>,
        target: Option<Name<'_>>,
        reason: &str,
    ) -> u64 {
        let decision = if approved {
            AuditDecision::Approved
        } else {
            AuditDecision::Rejected
        };
        self.trail
            .append_named(time_ms, agent, decision, effect, target, reason)
            .seq
    }

    /// The grants of `agent`, in the order made (empty if none).
    pub fn grants(&self, agent: &str) -> &[Grant] {
        self.grants.get(agent).map_or(&[], Vec::as_slice)
    }

    /// Agents holding at least one grant, sorted.
    pub fn agents(&self) -> impl Iterator<Item = &str> {
        self.grants.keys().map(String::as_str)
    }

    /// The audit trail.
    pub fn trail(&self) -> &AuditTrail {
        &self.trail
    }
}
