//! Grants become settings: what a bid with `sets` wins this tick is turned into the value of
//! a setting (a GPU's power limit, the CPU's frequency ceiling) and proposed through the
//! ActionGate like any other action, audited either way.
//!
//! A setting is proposed only when it would change something the gate lets change now: its
//! value, clamped into the kind's bounds, differs from the current one by at least the kind's
//! hysteresis, and the kind's cooldown and rate limit allow a change (or the change is a
//! safety one in the kind's `safeDirection`, which they do not hold back). A grant that did
//! not move therefore writes nothing, and a setting is never written more often than the gate
//! allows.

use super::agents_config::BidSetting;
use super::compiled::Engine;
use super::input::SnapshotContext;
use crate::expr::{Env, Program, Type, Value};
use crate::features::Problem;
use crate::gate::{ActionGate, Proposal, ValueMode};
use crate::rules::ParamValue;
use std::collections::BTreeMap;

/// The variable a setting's `value` reads its grant from.
pub const GRANT_VARIABLE: &str = "grant";

/// A setting, compiled: the engine bids whose grants it sums, and its value expression.
#[derive(Debug, Clone)]
pub(crate) struct CompiledSetting {
    /// The bidder's index in the market.
    agent: usize,
    /// Indices into the engine's compiled bids.
    bids: Vec<usize>,
    kind: String,
    target: String,
    /// `grant.<agent>.<resource>`: the proposals' rule name.
    source: String,
    value: Program,
    safety: bool,
}

/// Compiles the settings of `config` against `env` (the engine's variables and features;
/// `grant` is added after them). `bid_index(agent, bid)` finds a decoded bid among the
/// engine's compiled bids; `bid_path(agent, bid)` names it as written.
pub(crate) fn compile_settings(
    settings: &[BidSetting],
    env: &Env,
    gate: Option<&ActionGate>,
    agent_ids: &[String],
    bid_index: impl Fn(usize, usize) -> Option<usize>,
    bid_path: impl Fn(usize, usize) -> String,
    problems: &mut Vec<Problem>,
) -> Vec<CompiledSetting> {
    let env = env.clone().declare(GRANT_VARIABLE, Type::Double);
    let mut out: Vec<CompiledSetting> = Vec::new();
    for s in settings {
        let at = format!("{}.sets", bid_path(s.agent, s.bid));
        let agent = agent_ids.get(s.agent).map_or("", String::as_str);
        if let Some(gate) = gate {
            match gate.config().actions.get(&s.sets.kind) {
                None => {
                    problems.push(Problem::at(
                        Some(agent),
                        format!("{at}.kind"),
                        format!("the gate has no action kind `{}`", s.sets.kind),
                    ));
                    continue;
                }
                Some(k) if k.agent != agent => {
                    problems.push(Problem::at(
                        Some(agent),
                        format!("{at}.kind"),
                        format!(
                            "`{}` is performed by agent `{}`, not by the bidder `{agent}`: \
                             what an agent wins becomes its own setting",
                            s.sets.kind, k.agent
                        ),
                    ));
                    continue;
                }
                Some(_) => {}
            }
        }
        let Some(bid) = bid_index(s.agent, s.bid) else {
            // The bid itself did not compile; its problem is reported already.
            continue;
        };
        // Bids of one agent that set the same kind on the same target are one setting: the
        // grants add up (a floor and a share, say).
        if let Some(same) = out
            .iter_mut()
            .find(|c| c.agent == s.agent && c.kind == s.sets.kind && c.target == s.sets.target)
        {
            same.bids.push(bid);
            continue;
        }
        let value = match Program::compile(&s.sets.value, &env) {
            Ok(p) if matches!(p.result_type(), Type::Double | Type::Int | Type::Uint) => p,
            Ok(p) => {
                problems.push(Problem::at(
                    Some(agent),
                    format!("{at}.value"),
                    format!(
                        "a setting's value must be a number, but `{}` is {}",
                        s.sets.value,
                        p.result_type().as_str()
                    ),
                ));
                continue;
            }
            Err(e) => {
                problems.push(Problem::expression(Some(agent), format!("{at}.value"), &e));
                continue;
            }
        };
        out.push(CompiledSetting {
            agent: s.agent,
            bids: vec![bid],
            kind: s.sets.kind.clone(),
            target: s.sets.target.clone(),
            source: format!("grant.{agent}"),
            value,
            safety: s.sets.safety,
        });
    }
    out
}

impl Engine {
    /// This tick's setting proposals, from the grants of `market` (whose `grants` are one per
    /// bid placed, in the order `bid_placed` records).
    pub(crate) fn setting_proposals(
        &mut self,
        now_ms: f64,
        market: &crate::market::MarketTick,
    ) -> Vec<Proposal> {
        if self.settings.is_empty() {
            return Vec::new();
        }
        let mut slots = std::mem::take(&mut self.setting_slots);
        slots.clear();
        slots.extend_from_slice(self.snapshot.values());
        let grant_slot = slots.len();
        slots.push(Value::Double(0.0));
        let mut proposals = Vec::new();
        for s in &self.settings {
            // The grant: what its bids placed this tick won; no bid placed, no setting.
            let mut placed = false;
            let mut grant = 0.0;
            for &b in &s.bids {
                if let Some(g) = self
                    .bid_placed
                    .get(b)
                    .copied()
                    .flatten()
                    .and_then(|i| market.grants.get(i))
                {
                    placed = true;
                    grant += g.amount;
                }
            }
            if !placed {
                continue;
            }
            if !(s.value.referenced_slots().iter())
                .all(|&i| i == grant_slot || self.snapshot.is_present(i))
            {
                continue;
            }
            slots[grant_slot] = Value::Double(grant);
            let Some(wanted) = s.value.try_eval_f64(&slots).filter(|x| x.is_finite()) else {
                continue;
            };
            let context = SnapshotContext(&self.snapshot);
            let Some(view) = self.gate.setting_view(&s.kind, &s.target, &context, now_ms) else {
                continue;
            };
            // Clamped into the bounds: the gate refuses, not clamps, and a grant below a
            // device's lowest limit means its lowest limit.
            let value = wanted.max(view.min).min(view.max);
            let Some(current) = view.current else {
                continue;
            };
            let change = value - current;
            let safe = s.safety
                && view
                    .safe_direction
                    .is_some_and(|d| d.allows(Some(current), value));
            if change == 0.0 || (!safe && (change.abs() < view.hysteresis.max(1e-9) || view.paced))
            {
                continue;
            }
            // A paced change goes as far as one step may.
            let value = match view.max_step {
                Some(step) if !safe && change.abs() > step => current + step.copysign(change),
                _ => value,
            };
            let param = match view.mode {
                ValueMode::Absolute => value,
                ValueMode::Delta => value - current,
                ValueMode::Factor if current != 0.0 => value / current,
                ValueMode::Factor => continue,
            };
            let mut id = String::new();
            crate::effects::push_u64(&mut id, self.tick);
            id.push('.');
            id.push_str(&s.source);
            id.push('.');
            id.push_str(&s.target);
            proposals.push(Proposal {
                id,
                rule: s.source.clone(),
                kind: s.kind.clone(),
                target: s.target.clone(),
                params: BTreeMap::from([(view.param, ParamValue::Number(param))]),
                safety: safe,
                healing: None,
            });
        }
        self.setting_slots = slots;
        proposals
    }
}
