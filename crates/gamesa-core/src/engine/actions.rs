//! From rule firings to decisions: every firing becomes a proposal; active ones are scored
//! (benefit − priced cost), the best set under capacities and budgets is chosen, and each
//! chosen proposal goes through the ActionGate. Healing (rollback) proposals go first and
//! safety-domain proposals skip the selection, so the market can never price a safety
//! response out; the gate still checks both.

use super::compiled::{Engine, PendingPost};
use super::input::SnapshotContext;
use super::output::{Mode, ScoredAction};
use crate::contracts::ContractSet;
use crate::effects::trail::Name;
use crate::effects::{EffectChecker, push_u64};
use crate::features::Snapshot;
use crate::gate::{
    ActionGate, ApprovedAction, GateContext, GateDecision, Proposal, ProposalParts, RejectReason,
    RejectedAction, SharedNames,
};
use crate::market::{Candidate, Market, score, select_actions};
use crate::per_resource::PerResource;
use crate::rules::{Evaluation, Firing, RuleSet};
use crate::signals::SignalDomain;
use crate::types::ResourceType;
use std::fmt::Write;
use std::sync::Arc;

/// The agent named by the audit record that sums up a tick's proposals the market did not
/// select (it is the market's verdict, not one agent's).
pub const MARKET_AUDIT_AGENT: &str = "market";

/// The proposals that do not come from this tick's rules.
pub(crate) struct Proposals {
    /// Contracts' rollbacks, gated first.
    pub(crate) healing: Vec<Proposal>,
    /// The settings this round's grants became.
    pub(crate) settings: Vec<Proposal>,
}

/// The actions part of a tick's output, written over the last tick's vectors (reused).
pub(crate) struct Actions<'o> {
    pub(crate) scored: &'o mut Vec<ScoredAction>,
    pub(crate) approved: &'o mut Vec<ApprovedAction>,
    pub(crate) rejected: &'o mut Vec<RejectedAction>,
}

/// What an action kind's configuration means for the engine: its agent in the market, the
/// candidate it makes, what an approval costs. Worked out when the engine is built (the gate
/// and market configurations do not change afterwards) instead of looked up by name for
/// every proposal of every tick.
#[derive(Debug, Clone)]
pub(crate) struct ActionPlan {
    /// The agent that performs the kind (shared with the scored actions that name it).
    agent: Arc<str>,
    /// Its index in the market; `None` when it does not trade (the proposal is unpriced).
    market_agent: Option<usize>,
    benefit_per_strength: f64,
    /// Resource costs in the configuration's order: the order they are charged and summed.
    costs: Vec<(ResourceType, f64)>,
    /// The same costs per resource, for the market's candidate.
    cost_vector: PerResource<f64>,
    /// The contract whose postconditions are checked after an approval.
    contract: Option<String>,
}

impl ActionPlan {
    /// The plan of action kind `kind`; `None` when the gate does not know the kind.
    fn of(gate: &ActionGate, market: &Market, kind: &str) -> Option<ActionPlan> {
        let k = gate.config().actions.get(kind)?;
        let mut cost_vector = PerResource::splat(0.0);
        for (r, c) in &k.costs {
            cost_vector[*r] = *c;
        }
        Some(ActionPlan {
            agent: k.agent.as_str().into(),
            market_agent: market.agent_index(&k.agent),
            benefit_per_strength: k.benefit_per_strength,
            costs: k.costs.iter().map(|(r, c)| (*r, *c)).collect(),
            cost_vector,
            contract: k.contract.as_ref().map(|b| b.name.clone()),
        })
    }

    /// The market candidate of a proposal of strength `strength`; `None` when the agent is
    /// not trading.
    fn candidate(&self, strength: Option<f64>) -> Option<Candidate> {
        Some(Candidate {
            agent: self.market_agent?,
            benefit: strength.unwrap_or(1.0) * self.benefit_per_strength,
            costs: self.cost_vector,
        })
    }
}

/// The plan of each rule's action, by rule index (see [`ActionPlan`]).
pub(crate) fn plan_actions(
    rules: &RuleSet,
    gate: &ActionGate,
    market: &Market,
) -> Vec<Option<ActionPlan>> {
    (rules.rules().iter())
        .map(|r| ActionPlan::of(gate, market, &r.rule.action.kind))
        .collect()
}

/// Each rule's id, action kind and target as shared names, by rule index.
pub(crate) fn rule_names(rules: &RuleSet) -> Vec<SharedNames> {
    (rules.rules().iter())
        .map(|r| SharedNames::new(r.id.clone(), &r.rule.action.kind, &r.rule.action.target))
        .collect()
}

/// A proposal on its way to the gate.
enum ToGate<'a> {
    /// A contract's rollback.
    Healing(Proposal),
    /// A setting a grant became: paid for in the market round already, so no cost is
    /// charged and no postcondition queued (a rollback would undo a cap).
    Setting(Proposal),
    /// A rule's action: its proposal id and firing.
    Rule {
        id: String,
        firing: &'a Firing,
        safety: bool,
    },
}

/// The parts of the engine one gate check reads and changes, borrowed apart from the rules
/// (which the proposals borrow).
struct GateRun<'a> {
    gate: &'a mut ActionGate,
    checker: &'a mut EffectChecker,
    contracts: &'a ContractSet,
    snapshot: &'a Snapshot,
    market: &'a mut Market,
    pending_post: &'a mut Vec<PendingPost>,
    now_ms: f64,
    emergency: bool,
    prices: PerResource<f64>,
    free: PerResource<f64>,
}

impl GateRun<'_> {
    /// Checks one proposal; on approval takes its resources from the free capacity, charges
    /// its agent and queues its postconditions.
    fn check(
        &mut self,
        id: String,
        p: &ProposalParts<'_>,
        plan: Option<&ActionPlan>,
    ) -> GateDecision {
        let agent = plan.and_then(|k| k.market_agent);
        let balance = agent.and_then(|a| self.market.balances().get(a).copied());
        let snapshot = SnapshotContext(self.snapshot);
        let mut ctx = GateContext {
            now_ms: self.now_ms,
            values: &snapshot,
            emergency: self.emergency,
            checker: self.checker,
            contracts: self.contracts,
            free: &self.free,
            balance,
            prices: &self.prices,
        };
        let decision = self.gate.check_parts(id, p, &mut ctx);
        if let GateDecision::Approved(a) = &decision
            && let Some(k) = plan
        {
            let mut cost = 0.0;
            for &(r, c) in &k.costs {
                self.free[r] -= c;
                cost += c * self.prices[r];
            }
            if let Some(agent) = agent
                && cost > 0.0
            {
                // The gate checked the balance; a failure here cannot happen.
                let _ = self.market.charge(agent, cost);
            }
            if let Some(contract) = &k.contract
                && !a.healing
            {
                self.pending_post.push(PendingPost {
                    action: a.clone(),
                    contract: contract.clone(),
                });
            }
        }
        decision
    }
}

/// The strength a firing's signal gives its proposal.
fn strength(firing: &Firing) -> Option<f64> {
    firing.signal.as_ref().map(|s| s.strength)
}

/// A proposal as scored for the output.
fn scored_action(
    id: String,
    names: &SharedNames,
    plan: Option<&ActionPlan>,
    c: Option<&Candidate>,
    prices: &PerResource<f64>,
    mode: Mode,
    chosen: bool,
) -> ScoredAction {
    let (benefit, cost, s) = match c {
        Some(c) => {
            let s = score(c, prices);
            (c.benefit, c.benefit - s, s)
        }
        None => (0.0, 0.0, 0.0),
    };
    ScoredAction {
        id,
        rule: names.rule.clone(),
        kind: names.kind.clone(),
        target: names.target.clone(),
        agent: plan.map_or_else(|| Arc::from(""), |k| k.agent.clone()),
        mode,
        benefit,
        cost,
        score: s,
        chosen,
    }
}

impl Engine {
    // Out of line so that profiles show the actions phase as one entry (called once a tick).
    #[inline(never)]
    pub(crate) fn decide(
        &mut self,
        now_ms: f64,
        emergency: bool,
        proposals: Proposals,
        evaluation: &Evaluation,
        free: PerResource<f64>,
        out: Actions<'_>,
    ) {
        let Actions {
            scored,
            approved,
            rejected,
        } = out;
        let Proposals { healing, settings } = proposals;
        // Audit records carry whole ms since the epoch; a time before it is written as 0.
        let audit_time = now_ms.max(0.0) as u64;
        let rules = self.rules.rules();
        let plans = &self.action_plans;
        let names = &self.rule_names;
        let plan_of = |f: &Firing| plans.get(f.rule).and_then(Option::as_ref);
        let prices = *self.market.prices();
        // Proposal ids are "<tick>.<rule id>".
        let mut prefix = String::with_capacity(21);
        push_u64(&mut prefix, self.tick);
        prefix.push('.');
        let proposal_id = |f: &Firing| {
            let mut id = String::with_capacity(prefix.len() + f.id.len());
            id.push_str(&prefix);
            id.push_str(&f.id);
            id
        };
        scored.clear();
        scored.reserve(evaluation.active.len() + evaluation.shadow.len());
        // In gate order: healing, safety, then the selection's choice, then the unpriced.
        let mut to_gate: Vec<ToGate> = Vec::with_capacity(healing.len() + evaluation.active.len());
        to_gate.extend(healing.into_iter().map(ToGate::Healing));

        // Market proposals: id, candidate, firing.
        let mut market_props: Vec<(String, Candidate, &Firing)> =
            Vec::with_capacity(evaluation.active.len());
        let mut unpriced: Vec<ToGate> = Vec::with_capacity(evaluation.active.len());
        for firing in &evaluation.active {
            if rules.get(firing.rule).is_none() {
                continue;
            }
            let plan = plan_of(firing);
            let id = proposal_id(firing);
            let safety = firing.domain == SignalDomain::Safety;
            let candidate = plan.and_then(|k| k.candidate(strength(firing)));
            match candidate {
                Some(c) if !safety => market_props.push((id, c, firing)),
                _ => {
                    scored.push(scored_action(
                        id.clone(),
                        &names[firing.rule],
                        plan,
                        candidate.as_ref(),
                        &prices,
                        Mode::Active,
                        true,
                    ));
                    let g = ToGate::Rule { id, firing, safety };
                    if safety {
                        to_gate.push(g);
                    } else {
                        unpriced.push(g);
                    }
                }
            }
        }

        // The settings grants became: after healing and safety, before the rules the market
        // selects (the grant is this round's allocation; a rule adjusts around it).
        to_gate.extend(settings.into_iter().map(ToGate::Setting));

        let candidates: Vec<Candidate> = market_props.iter().map(|(_, c, _)| *c).collect();
        let selection = select_actions(&candidates, &prices, &free, self.market.balances());
        // A candidate is chosen exactly when the selection gives no reason against it.
        let chosen = |i: usize| matches!(selection.reasons.get(i), Some(None));
        for (i, (id, c, firing)) in market_props.iter().enumerate() {
            scored.push(scored_action(
                id.clone(),
                &names[firing.rule],
                plan_of(firing),
                Some(c),
                &prices,
                Mode::Active,
                chosen(i),
            ));
        }
        // The ids move on: a chosen one to the gate, the others into their rejections.
        for &i in &selection.chosen {
            if let Some((id, _, firing)) = market_props.get_mut(i) {
                to_gate.push(ToGate::Rule {
                    id: std::mem::take(id),
                    firing,
                    safety: false,
                });
            }
        }
        // Unknown kinds and agents outside the market go to the gate, which rejects or
        // checks them like any other.
        to_gate.extend(unpriced);

        rejected.clear();
        rejected.reserve(market_props.len() + to_gate.len());
        // The proposals the market did not select are no decision: they are rejected in the
        // output, each with its reason, and audited together as one record per tick (count
        // and ids), which every one of them points to.
        let mut summary = String::new();
        let mut not_selected = 0usize;
        for (i, (id, _, firing)) in market_props.into_iter().enumerate() {
            if chosen(i) {
                continue;
            }
            let why = selection
                .reasons
                .get(i)
                .copied()
                .flatten()
                .unwrap_or("not_selected");
            // "not selected by the market: {why, with spaces} (score {score})"
            let mut message = String::with_capacity(96);
            message.push_str("not selected by the market: ");
            message.extend(why.chars().map(|c| if c == '_' { ' ' } else { c }));
            message.push_str(" (score ");
            // Writing to a String cannot fail.
            let _ = write!(
                message,
                "{}",
                selection.scores.get(i).copied().unwrap_or(0.0)
            );
            message.push(')');
            summary.push_str(if not_selected == 0 { ": " } else { ", " });
            summary.push_str(&id);
            not_selected += 1;
            let n = &names[firing.rule];
            rejected.push(RejectedAction {
                id,
                rule: n.rule.clone(),
                kind: n.kind.clone(),
                target: n.target.clone(),
                reason: RejectReason::NotSelected,
                message,
                value: None,
                // Set below, once the summary is recorded.
                audit_seq: 0,
            });
        }
        if not_selected > 0 {
            // "not_selected: {count} proposal(s): {id}, {id}, …"
            let mut reason = String::with_capacity(32 + summary.len());
            reason.push_str("not_selected: ");
            push_u64(&mut reason, not_selected as u64);
            reason.push_str(if not_selected == 1 {
                " proposal"
            } else {
                " proposals"
            });
            reason.push_str(&summary);
            // A record that cannot be written is reported with sequence 0 rather than
            // dropped silently (the agent name is a constant that validates).
            let audit_seq = self
                .checker
                .record_gate_decision_named(
                    audit_time,
                    Name::text(MARKET_AUDIT_AGENT),
                    false,
                    None,
                    None,
                    &reason,
                )
                .unwrap_or(0);
            for r in rejected.iter_mut() {
                r.audit_seq = audit_seq;
            }
        }

        // Shadow firings: scored for comparison, never gated or applied.
        for firing in &evaluation.shadow {
            if rules.get(firing.rule).is_some() {
                let plan = plan_of(firing);
                let c = plan.and_then(|k| k.candidate(strength(firing)));
                scored.push(scored_action(
                    proposal_id(firing),
                    &names[firing.rule],
                    plan,
                    c.as_ref(),
                    &prices,
                    Mode::Shadow,
                    false,
                ));
            }
        }

        let mut run = GateRun {
            gate: &mut self.gate,
            checker: &mut self.checker,
            contracts: &self.contracts,
            snapshot: &self.snapshot,
            market: &mut self.market,
            pending_post: &mut self.pending_post,
            now_ms,
            emergency,
            prices,
            free,
        };
        approved.clear();
        approved.reserve(to_gate.len());
        for g in to_gate {
            let decision = match g {
                ToGate::Healing(mut p) => {
                    let plan = ActionPlan::of(run.gate, run.market, &p.kind);
                    let id = std::mem::take(&mut p.id);
                    run.check(id, &p.parts(), plan.as_ref())
                }
                ToGate::Setting(mut p) => {
                    let id = std::mem::take(&mut p.id);
                    run.check(id, &p.parts(), None)
                }
                ToGate::Rule { id, firing, safety } => {
                    let action = &rules[firing.rule].rule.action;
                    let parts = ProposalParts {
                        rule: &firing.id,
                        kind: &action.kind,
                        target: &action.target,
                        params: &action.params,
                        safety,
                        healing: None,
                        shared: names.get(firing.rule),
                    };
                    run.check(id, &parts, plan_of(firing))
                }
            };
            match decision {
                GateDecision::Approved(a) => approved.push(a),
                GateDecision::Rejected(r) => rejected.push(r),
            }
        }
    }
}
