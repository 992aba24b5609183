//! One tick: features, invariants, postconditions, rules and signals, the market round, then
//! actions through scoring and the gate. The phases run in this fixed order; each reads only
//! the snapshot, the engine's state and the tick's time.

use super::compiled::Engine;
use super::error::{EngineError, MAX_TIME_MS};
use super::input::{SnapshotContext, load_named, load_slots};
use super::output::{
    CheckKind, ContractOut, FiringOut, Firings, RuleErrorOut, SignalOut, TickOutput,
};
use crate::contracts::{CheckResult, OnViolation, ViolationReason};
use crate::expr::Value;
use crate::features::FEATURE_PREFIX;
use crate::gate::Proposal;
use crate::per_resource::PerResource;
use crate::rules::Evaluation;
use crate::signals::{Signal, SignalDomain, SignalKind};
use crate::types::ResourceType;
use std::collections::BTreeMap;

impl Engine {
    /// Runs one tick on named input values (telemetry variables by catalog name; names the
    /// engine does not declare are ignored, non-finite values are absent) at `now_ms` (any
    /// epoch; finite, never earlier than the previous tick's).
    pub fn tick(
        &mut self,
        values: &BTreeMap<String, f64>,
        now_ms: f64,
    ) -> Result<TickOutput, EngineError> {
        let mut out = TickOutput::default();
        self.tick_into(values, now_ms, &mut out)?;
        Ok(out)
    }

    /// Runs one tick on input values in [`Engine::input_names`] order (NaN = absent).
    pub fn tick_slots(&mut self, values: &[f64], now_ms: f64) -> Result<TickOutput, EngineError> {
        let mut out = TickOutput::default();
        self.tick_slots_into(values, now_ms, &mut out)?;
        Ok(out)
    }

    /// [`Engine::tick`], written over `out` (the previous tick's output, or
    /// `TickOutput::default()`): the same output, but its buffers are reused instead of
    /// allocated and freed every tick, which a live loop wants. On an error `out` is left as
    /// it was.
    pub fn tick_into(
        &mut self,
        values: &BTreeMap<String, f64>,
        now_ms: f64,
        out: &mut TickOutput,
    ) -> Result<(), EngineError> {
        self.check_time(now_ms)?;
        out.input_errors.clear();
        load_named(
            &mut self.snapshot,
            self.base_len,
            values,
            &mut out.input_errors,
        );
        self.run(now_ms, out);
        Ok(())
    }

    /// [`Engine::tick_slots`], written over `out` as [`Engine::tick_into`] is.
    pub fn tick_slots_into(
        &mut self,
        values: &[f64],
        now_ms: f64,
        out: &mut TickOutput,
    ) -> Result<(), EngineError> {
        if values.len() != self.base_len {
            return Err(EngineError::InvalidInput {
                message: format!(
                    "expected {} values (one per input variable, NaN for absent), got {}",
                    self.base_len,
                    values.len()
                ),
            });
        }
        self.check_time(now_ms)?;
        out.input_errors.clear();
        load_slots(&mut self.snapshot, values, &mut out.input_errors);
        self.run(now_ms, out);
        Ok(())
    }

    fn check_time(&self, now_ms: f64) -> Result<(), EngineError> {
        let earlier = self.last_now_ms.is_some_and(|p| now_ms < p);
        if !(0.0..=MAX_TIME_MS).contains(&now_ms) || earlier {
            return Err(EngineError::InvalidTime {
                now_ms,
                previous_ms: self.last_now_ms,
            });
        }
        Ok(())
    }

    /// Everything after the input is loaded; writes every part of `out` except
    /// `input_errors`.
    fn run(&mut self, now_ms: f64, out: &mut TickOutput) {
        self.tick += 1;
        self.last_now_ms = Some(now_ms);
        out.tick = self.tick;
        out.now_ms = now_ms;
        // The allocator's clock (lease creation ticks) follows the engine's.
        self.allocator.tick(1);

        // Features. The snapshot was built for the feature set, so compute cannot fail.
        out.features_absent.clear();
        if let Ok(report) = self.features.compute(&mut self.snapshot) {
            for (i, slot) in &report.missing {
                if let Some(f) = self.features.features().get(*i) {
                    out.features_absent.insert(
                        format!("{FEATURE_PREFIX}{}", f.name),
                        format!("`{}` is absent", self.snapshot.name_of(*slot)),
                    );
                }
            }
            for (i, e) in &report.errors {
                if let Some(f) = self.features.features().get(*i) {
                    out.features_absent
                        .insert(format!("{FEATURE_PREFIX}{}", f.name), e.to_string());
                }
            }
        }
        out.features.clear();
        for (i, key) in &self.feature_keys {
            if let Some(f) = self.features.features().get(*i)
                && let Some(Value::Double(x)) = self.snapshot.get(f.slot)
                && x.is_finite()
            {
                out.features.push(key.clone(), x);
            }
        }

        // Invariants, then last tick's postconditions (a violation heals first).
        out.contracts.clear();
        let mut raise: Vec<(String, f64)> = Vec::new();
        self.check_invariants(&mut out.contracts, &mut raise);
        let healing = self.check_postconditions(&mut out.contracts, &mut raise);

        // Rules and signals.
        let evaluation = self
            .rules
            .evaluate(&self.snapshot, now_ms)
            .unwrap_or_default();
        firings_out(&evaluation, &mut out.firings);
        out.rule_errors.clear();
        out.rule_errors
            .extend(evaluation.errors.iter().map(|f| RuleErrorOut {
                rule: f.id.to_string(),
                message: f.error.to_string(),
            }));
        for (source, strength) in &raise {
            self.enqueue(
                SignalKind::SafetyViolation,
                SignalDomain::Safety,
                *strength,
                source,
                now_ms,
            );
        }
        for firing in &evaluation.active {
            if let Some(sig) = &firing.signal {
                self.enqueue(sig.kind, firing.domain, sig.strength, &firing.id, now_ms);
            }
        }
        out.signals.clear();
        while out.signals.len() < self.config.signals.max_per_tick {
            match self.scheduler.dequeue(now_ms) {
                Ok(Some(s)) => out.signals.push(SignalOut {
                    kind: s.kind,
                    domain: s.domain,
                    strength: s.strength,
                    source: s.source,
                }),
                _ => break,
            }
        }
        let emergency = out.signals.iter().any(|s| s.domain == SignalDomain::Safety);
        out.emergency = emergency;

        // The market round.
        self.market_round(&mut out.market);
        self.allocate(&out.market.grants, &mut out.allocations);
        // Rates at the prices this round cleared at (the market has already moved its
        // prices for the next tick).
        out.rates = crate::market::RateMatrix::from_prices(&out.market.prices);

        // Actions.
        let mut free = PerResource::splat(0.0);
        for r in ResourceType::ALL {
            free[r] = self.allocator.stats(r).map_or(0.0, |s| s.free);
        }
        let settings = self.setting_proposals(now_ms, &out.market);
        self.decide(
            now_ms,
            emergency,
            super::actions::Proposals { healing, settings },
            &evaluation,
            free,
            super::actions::Actions {
                scored: &mut out.scored,
                approved: &mut out.approved,
                rejected: &mut out.rejected,
            },
        );

        let trail = self.checker.trail();
        out.audit.clear();
        // The trail is a ring: this tick's records may wrap around its end.
        let (older, newer) = trail.range(self.audit_next, trail.len()).as_slices();
        out.audit.extend_from_slice(older);
        out.audit.extend_from_slice(newer);
        self.audit_next = trail.len();
    }

    fn enqueue(
        &mut self,
        kind: SignalKind,
        domain: SignalDomain,
        strength: f64,
        source: &str,
        now_ms: f64,
    ) {
        let signal = Signal {
            // Nothing reads an engine signal's id back (outputs and coalescing go by kind and
            // source), so none is made: that is one string built per firing per tick saved.
            id: String::new(),
            kind,
            domain,
            strength: if strength.is_finite() {
                strength.clamp(0.0, 1.0)
            } else {
                1.0
            },
            source: source.to_string(),
            created_at_ms: now_ms,
            ttl_ms: self.config.signals.ttl_ms,
            payload: None,
        };
        // A full queue drops the lowest-ranked signal; that is the scheduler's documented
        // policy, and the counters record it.
        let _ = self.scheduler.enqueue(signal);
    }

    /// Checks every bound invariant contract on the snapshot.
    fn check_invariants(&self, out: &mut Vec<ContractOut>, raise: &mut Vec<(String, f64)>) {
        for inv in &self.invariants {
            let context = BoundSnapshot {
                bind: &inv.bind,
                snapshot: &self.snapshot,
            };
            let Ok(result) = self.contracts.check_invariants(&inv.contract, &context) else {
                continue;
            };
            let absent: Vec<&str> = inv
                .bind
                .iter()
                .filter(|(_, slot)| self.snapshot.get(*slot).is_none())
                .map(|(var, _)| var.as_str())
                .collect();
            let mut entry = contract_out(&inv.contract, CheckKind::Invariant, None, &result);
            if inv.skip_without_sensors && !absent.is_empty() {
                // Violations only because a sensor this machine lacks is absent are skips.
                let sensorless = |v: &crate::contracts::Violation| {
                    v.reason == ViolationReason::MissingVariable
                        && v.missing.iter().all(|m| absent.contains(&m.as_str()))
                };
                let (skips, real): (Vec<_>, Vec<_>) =
                    result.violations.iter().partition(|v| sensorless(v));
                entry.violations = real.iter().map(|v| v.to_string()).collect();
                for v in skips {
                    entry.skipped.push(format!(
                        "`{}`: no sensor for {}",
                        v.condition,
                        v.missing.join(", ")
                    ));
                }
                entry.status = if !entry.violations.is_empty() {
                    "violated"
                } else if inv.bind.len() == absent.len() {
                    "skipped"
                } else {
                    "ok"
                };
                if entry.violations.is_empty() {
                    entry.response = None;
                }
            }
            if entry.status == "violated" {
                raise.push((format!("contract:{}", inv.contract), 1.0));
            }
            out.push(entry);
        }
    }

    /// Checks the postconditions of last tick's approved actions; returns the healing
    /// proposals for the violated ones that can be rolled back.
    fn check_postconditions(
        &mut self,
        out: &mut Vec<ContractOut>,
        raise: &mut Vec<(String, f64)>,
    ) -> Vec<Proposal> {
        let pending = std::mem::take(&mut self.pending_post);
        let mut healing = Vec::new();
        for p in pending {
            // The gate binds the contract's variables ($value, $previous, templates); the
            // rest are read from the snapshot.
            let Some(Ok(result)) =
                self.gate
                    .check_post(&p.action, &SnapshotContext(&self.snapshot), &self.contracts)
            else {
                continue;
            };
            let entry = contract_out(&p.contract, CheckKind::Post, Some(&p.action.id), &result);
            if !result.ok {
                match (result.response, p.action.previous) {
                    (Some(OnViolation::Rollback | OnViolation::Clamp), Some(previous)) => {
                        healing.push(Proposal {
                            id: format!("{}.heal.{}", self.tick, p.action.id),
                            rule: p.action.rule.to_string(),
                            kind: p.action.kind.to_string(),
                            target: p.action.target.to_string(),
                            params: BTreeMap::new(),
                            safety: true,
                            healing: Some(previous),
                        });
                    }
                    _ => raise.push((format!("contract:{}", p.contract), 1.0)),
                }
            }
            out.push(entry);
        }
        healing
    }
}

/// Writes the evaluation's firings over `out`.
fn firings_out(evaluation: &Evaluation, out: &mut Firings) {
    let one = |f: &crate::rules::Firing| FiringOut {
        rule: f.id.clone(),
        priority: f.priority,
        domain: f.domain,
        held: f.held,
        strength: f.signal.as_ref().map(|s| s.strength),
    };
    out.active.clear();
    out.active.extend(evaluation.active.iter().map(one));
    out.shadow.clear();
    out.shadow.extend(evaluation.shadow.iter().map(one));
}

/// An invariant's variables, read from the snapshot slots they are bound to (absent when the
/// slot is, or when the variable is not bound), without copying names or values per tick.
struct BoundSnapshot<'a> {
    bind: &'a [(String, usize)],
    snapshot: &'a crate::features::Snapshot,
}

impl crate::contracts::Context for BoundSnapshot<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        let (_, slot) = self.bind.iter().rev().find(|(var, _)| var == name)?;
        self.snapshot.get(*slot)
    }
}

fn contract_out(
    contract: &str,
    kind: CheckKind,
    action: Option<&str>,
    result: &CheckResult,
) -> ContractOut {
    ContractOut {
        contract: contract.to_string(),
        kind,
        action: action.map(str::to_string),
        status: if result.ok { "ok" } else { "violated" },
        violations: result.violations.iter().map(|v| v.to_string()).collect(),
        skipped: result
            .skipped
            .iter()
            .map(|s| format!("`{}`: {} absent", s.condition, s.absent.join(", ")))
            .collect(),
        response: if result.ok {
            None
        } else {
            result.response.map(|r| r.as_str())
        },
    }
}
