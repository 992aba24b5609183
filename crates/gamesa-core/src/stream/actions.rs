//! From rule firings to decisions: every firing becomes a proposal; active ones are scored
//! (benefit − priced cost), the best set under capacities and budgets is chosen, and each
//! chosen proposal goes through the ActionGate. Healing (rollback) proposals go first and
//! safety-domain proposals skip the selection, so the market can never price a safety
//! response out; the gate still checks both.

use super::engine::{Engine, PendingPost};
use super::input::SnapshotContext;
use super::output::{Mode, ScoredAction};
use crate::economics::{Candidate, score, select_actions};
use crate::gate::{
    ApprovedAction, GateContext, GateDecision, Proposal, RejectReason, RejectedAction,
};
use crate::per_resource::PerResource;
use crate::rules::{Evaluation, Firing};
use crate::signals::SignalDomain;

/// The actions part of a tick's output.
pub(crate) struct Actions {
    pub(crate) scored: Vec<ScoredAction>,
    pub(crate) approved: Vec<ApprovedAction>,
    pub(crate) rejected: Vec<RejectedAction>,
}

impl Engine {
    /// The proposal a firing makes, without its parameters: only the gate reads those, so
    /// [`Engine::with_params`] adds them to the proposals that go to it (scoring, the
    /// market's choice and shadow comparisons do without the copy).
    fn proposal(&self, firing: &Firing) -> Option<Proposal> {
        let rule = &self.rules.rules().get(firing.rule)?.rule;
        Some(Proposal {
            id: format!("{}.{}", self.tick, firing.id),
            rule: firing.id.to_string(),
            kind: rule.action.kind.clone(),
            target: rule.action.target.clone(),
            params: Default::default(),
            safety: firing.domain == SignalDomain::Safety,
            healing: None,
        })
    }

    /// The proposal of `firing` with the rule's parameters, ready for the gate.
    fn with_params(&self, mut p: Proposal, firing: &Firing) -> Proposal {
        if let Some(r) = self.rules.rules().get(firing.rule) {
            p.params = r.rule.action.params.clone();
        }
        p
    }

    /// A proposal as a market candidate: its agent, benefit and resource costs. `None` when
    /// the gate does not know the kind (the gate will reject it) or its agent is not trading.
    fn candidate(&self, p: &Proposal, strength: Option<f64>) -> Option<Candidate> {
        let kind = self.gate.config().actions.get(&p.kind)?;
        let agent = self.market.agent_index(&kind.agent)?;
        let mut costs = PerResource::splat(0.0);
        for (r, c) in &kind.costs {
            costs[*r] = *c;
        }
        Some(Candidate {
            agent,
            benefit: strength.unwrap_or(1.0) * kind.benefit_per_strength,
            costs,
        })
    }

    fn agent_of(&self, kind: &str) -> String {
        self.gate
            .config()
            .actions
            .get(kind)
            .map(|k| k.agent.clone())
            .unwrap_or_default()
    }

    fn scored(
        &self,
        p: &Proposal,
        c: Option<&Candidate>,
        mode: Mode,
        chosen: bool,
    ) -> ScoredAction {
        let prices = self.market.prices();
        let (benefit, cost, s) = match c {
            Some(c) => {
                let s = score(c, prices);
                (c.benefit, c.benefit - s, s)
            }
            None => (0.0, 0.0, 0.0),
        };
        ScoredAction {
            id: p.id.clone(),
            rule: p.rule.clone(),
            kind: p.kind.clone(),
            target: p.target.clone(),
            agent: self.agent_of(&p.kind),
            mode,
            benefit,
            cost,
            score: s,
            chosen,
        }
    }

    // Out of line so that profiles show the actions phase as one entry (called once a tick).
    #[inline(never)]
    pub(crate) fn decide(
        &mut self,
        now_ms: f64,
        audit_time: u64,
        emergency: bool,
        healing: Vec<Proposal>,
        evaluation: &Evaluation,
        mut free: PerResource<f64>,
    ) -> Actions {
        let mut scored = Vec::new();
        // In gate order: healing, safety, then the selection's choice.
        let mut to_gate: Vec<Proposal> = healing;

        // Market proposals keep their firing, for the parameters of the chosen ones.
        let mut market_props: Vec<(Proposal, Candidate, &Firing)> = Vec::new();
        let mut unpriced: Vec<Proposal> = Vec::new();
        for firing in &evaluation.active {
            let Some(p) = self.proposal(firing) else {
                continue;
            };
            let strength = firing.signal.as_ref().map(|s| s.strength);
            let candidate = self.candidate(&p, strength);
            if p.safety || candidate.is_none() {
                scored.push(self.scored(&p, candidate.as_ref(), Mode::Active, true));
                let p = self.with_params(p, firing);
                if p.safety {
                    to_gate.push(p);
                } else {
                    unpriced.push(p);
                }
            } else if let Some(c) = candidate {
                market_props.push((p, c, firing));
            }
        }

        let candidates: Vec<Candidate> = market_props.iter().map(|(_, c, _)| *c).collect();
        let selection = select_actions(
            &candidates,
            self.market.prices(),
            &free,
            self.market.balances(),
        );
        let mut chosen = vec![false; candidates.len()];
        for &i in &selection.chosen {
            if let Some(c) = chosen.get_mut(i) {
                *c = true;
            }
        }
        for (i, (p, c, _)) in market_props.iter().enumerate() {
            scored.push(self.scored(p, Some(c), Mode::Active, chosen[i]));
        }
        let mut rejected = Vec::new();
        for &i in &selection.chosen {
            if let Some((p, _, firing)) = market_props.get(i) {
                to_gate.push(self.with_params(p.clone(), firing));
            }
        }
        // Unknown kinds and agents outside the market go to the gate, which rejects or
        // checks them like any other.
        to_gate.extend(unpriced);
        for (i, (p, _, _)) in market_props.iter().enumerate() {
            if chosen[i] {
                continue;
            }
            let why = selection
                .reasons
                .get(i)
                .copied()
                .flatten()
                .unwrap_or("not_selected");
            let message = format!(
                "not selected by the market: {} (score {})",
                why.replace('_', " "),
                selection.scores.get(i).copied().unwrap_or(0.0)
            );
            let agent = self.agent_of(&p.kind);
            let effect = self.gate.config().actions.get(&p.kind).map(|k| k.effect);
            // The agent and target were validated when the kind was configured; a record
            // that cannot be written is reported with sequence 0 rather than dropped silently.
            let audit_seq = self
                .checker
                .record_gate_decision(
                    audit_time,
                    &agent,
                    false,
                    effect,
                    Some(&p.target),
                    format!("{} {}: not_selected: {message}", p.id, p.kind),
                )
                .unwrap_or(0);
            rejected.push(RejectedAction {
                id: p.id.clone(),
                rule: p.rule.clone(),
                kind: p.kind.clone(),
                target: p.target.clone(),
                reason: RejectReason::NotSelected,
                message,
                value: None,
                audit_seq,
            });
        }

        // Shadow firings: scored for comparison, never gated or applied.
        for firing in &evaluation.shadow {
            if let Some(p) = self.proposal(firing) {
                let strength = firing.signal.as_ref().map(|s| s.strength);
                let c = self.candidate(&p, strength);
                scored.push(self.scored(&p, c.as_ref(), Mode::Shadow, false));
            }
        }

        let mut approved = Vec::new();
        let prices = *self.market.prices();
        for p in to_gate {
            let agent = (self.gate.config().actions.get(&p.kind))
                .and_then(|k| self.market.agent_index(&k.agent));
            let balance = agent.and_then(|a| self.market.balances().get(a).copied());
            let snapshot = SnapshotContext(&self.snapshot);
            let mut ctx = GateContext {
                now_ms,
                values: &snapshot,
                emergency,
                checker: &mut self.checker,
                contracts: &self.contracts,
                free: &free,
                balance,
                prices: &prices,
            };
            match self.gate.check(&p, &mut ctx) {
                GateDecision::Approved(a) => {
                    // The kind's configuration, read again now that the gate is done with it.
                    if let Some(k) = self.gate.config().actions.get(&p.kind) {
                        let mut cost = 0.0;
                        for (r, c) in &k.costs {
                            free[*r] -= c;
                            cost += c * prices[*r];
                        }
                        if let Some(agent) = agent
                            && cost > 0.0
                        {
                            // The gate checked the balance; a failure here cannot happen.
                            let _ = self.market.charge(agent, cost);
                        }
                        if let Some(binding) = &k.contract
                            && !a.healing
                        {
                            self.pending_post.push(PendingPost {
                                action: a.clone(),
                                contract: binding.name.clone(),
                            });
                        }
                    }
                    approved.push(a);
                }
                GateDecision::Rejected(r) => rejected.push(r),
            }
        }
        Actions {
            scored,
            approved,
            rejected,
        }
    }
}
