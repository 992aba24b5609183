//! The ActionGate: the last filter before an action is applied (docs/architecture.md §4).

use super::binding::{BindSource, BoundContext};
use super::checks::{self, Fail};
use super::compiled::CompiledKind;
use super::config::{GateConfig, TokenBucket, key_path};
use super::decision::{ApprovedAction, GateDecision, Proposal, ProposalParts, RejectedAction};
use super::error::GateError;
use super::reason::RejectReason;
use super::state::KindState;
use super::text::{NumberTexts, push_quoted};
use crate::PerResource;
use crate::contracts::{CheckResult, Context, ContractSet};
use crate::effects::checker::validate_agent;
use crate::effects::trail::Name;
use crate::effects::{Effect, EffectChecker};
use crate::expr::Value;
use std::collections::BTreeMap;

/// The agent named in audit records of proposals whose kind is unknown (no agent is known).
pub const GATE_AGENT: &str = "gate";

/// What a check reads and writes besides the gate's own state.
pub struct GateContext<'a> {
    /// Time of the check in ms (the core has no clock). A non-finite time is taken as 0, which
    /// fails closed: it is before any cooldown started and refills no token.
    pub now_ms: f64,
    /// Snapshot values and features by name (bounds, current values, contract variables).
    pub values: &'a dyn Context,
    /// A safety-domain signal is active: only kinds configured `safety: true` pass.
    pub emergency: bool,
    /// Capabilities; every decision is also recorded in its audit trail.
    pub checker: &'a mut EffectChecker,
    /// Contracts whose preconditions are checked.
    pub contracts: &'a ContractSet,
    /// Free capacity per resource (from the allocator).
    pub free: &'a PerResource<f64>,
    /// The agent's balance in credits; `None` skips the balance check.
    pub balance: Option<f64>,
    /// Current prices per resource, in credits per unit.
    pub prices: &'a PerResource<f64>,
}

/// The gate: compiled kinds plus the state of rate limits, cooldowns and current values.
#[derive(Debug, Clone)]
pub struct ActionGate {
    config: GateConfig,
    kinds: BTreeMap<String, CompiledKind>,
    state: BTreeMap<String, KindState>,
    /// Buffers reused from check to check (nothing in them outlives a check but cached
    /// number texts).
    scratch: Scratch,
}

/// See [`ActionGate::scratch`].
#[derive(Debug, Clone, Default)]
struct Scratch {
    /// The name of a snapshot variable read for a target.
    name: String,
    numbers: NumberTexts,
    /// The audit reason of a decision, written here and copied once into its record.
    reason: String,
}

/// Whether a proposal's agent and target are valid names.
#[derive(Debug, Clone, Copy)]
struct Valid {
    agent: bool,
    target: bool,
}

/// A check that passed everything so far: what is known about the action.
struct Passed {
    value: f64,
    previous: Option<f64>,
    effect: Effect,
}

/// Where one setting stands in the gate (see [`ActionGate::setting_view`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SettingView {
    /// The value now: last approved, else read from the snapshot, else the kind's `initial`.
    pub current: Option<f64>,
    /// Lowest allowed value (−∞ when unbounded).
    pub min: f64,
    /// Highest allowed value, the cap included (+∞ when unbounded).
    pub max: f64,
    /// Smallest change worth applying.
    pub hysteresis: f64,
    /// Largest change one action may make.
    pub max_step: Option<f64>,
    /// How the proposal's parameter is applied.
    pub mode: crate::gate::ValueMode,
    /// The parameter that carries the number.
    pub param: String,
    /// A change now would wait for the cooldown or the rate limit.
    pub paced: bool,
    /// The direction that keeps the machine within its limits.
    pub safe_direction: Option<crate::gate::SafeDirection>,
}

impl ActionGate {
    /// Builds a gate. The configuration is validated ([`GateConfig::validate`]), and every
    /// contract it names must be in `contracts` and declare the variables bound
    /// (`INVALID_GATE` with the JSON path, e.g. `$.actions.cpu_freq.contract.name`).
    pub fn new(config: &GateConfig, contracts: &ContractSet) -> Result<ActionGate, GateError> {
        config.validate()?;
        let mut kinds = BTreeMap::new();
        for (name, kind) in &config.actions {
            let at = key_path("$.actions", name);
            kinds.insert(name.clone(), CompiledKind::compile(kind, contracts, &at)?);
        }
        Ok(ActionGate {
            config: config.clone(),
            kinds,
            state: BTreeMap::new(),
            scratch: Scratch::default(),
        })
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &GateConfig {
        &self.config
    }

    /// The compiled kind of this name.
    fn kind(&self, kind: &str) -> Option<&CompiledKind> {
        self.kinds.get(kind)
    }

    /// The value the gate believes `target` has for `kind`: the last approved value, else the
    /// snapshot's `value.current`, else `value.initial`.
    pub fn current_value(&self, kind: &str, target: &str, values: &dyn Context) -> Option<f64> {
        let k = self.kind(kind)?;
        Self::current_of(k, self.state.get(kind), target, values, &mut String::new())
    }

    /// [`ActionGate::current_value`] of the compiled kind `k` whose state is `state`; `name`
    /// is scratch for the variable's name.
    fn current_of(
        k: &CompiledKind,
        state: Option<&KindState>,
        target: &str,
        values: &dyn Context,
        name: &mut String,
    ) -> Option<f64> {
        state
            .and_then(|s| s.targets.get(target))
            .and_then(|t| t.value)
            .or_else(|| {
                k.current.as_ref().and_then(|t| {
                    t.expand_into(target, name);
                    checks::finite_number(values.get(name))
                })
            })
            .or(k.config.value.initial)
    }

    /// Where a setting of `kind` on `target` stands at `now_ms`: its current value, its
    /// bounds, and whether a change now would be paced out (cooldown, rate, hysteresis are
    /// left to the caller's `value`). `None` for an unknown kind or unreadable bounds.
    pub fn setting_view(
        &self,
        kind: &str,
        target: &str,
        values: &dyn Context,
        now_ms: f64,
    ) -> Option<SettingView> {
        let k = self.kind(kind)?;
        let mut name = String::new();
        let state = self.state.get(kind);
        let current = Self::current_of(k, state, target, values, &mut name);
        let (min, max) = checks::bounds(k, target, values, &mut name).ok()?;
        let c = &k.config;
        let cooling = state
            .and_then(|s| s.targets.get(target))
            .and_then(|t| t.at_ms)
            .is_some_and(|at| now_ms - at < c.cooldown_ms);
        let no_token = c.rate.as_ref().is_some_and(|rate| {
            state.map_or(rate.burst, |s| s.bucket.available(rate, now_ms)) < 1.0
        });
        Some(SettingView {
            current,
            min,
            max,
            hysteresis: c.hysteresis,
            max_step: c.max_step,
            mode: c.value.mode,
            param: c.value.param.clone(),
            paced: cooling || no_token,
            safe_direction: c.safe_direction,
        })
    }

    /// Tokens left in the kind's bucket at `now_ms` (`None`: unknown kind or no rate limit).
    pub fn tokens(&self, kind: &str, now_ms: f64) -> Option<f64> {
        let rate = self.kind(kind)?.config.rate?;
        Some(
            self.state
                .get(kind)
                .map_or(rate.burst, |s| s.bucket.available(&rate, now_ms)),
        )
    }

    /// Credits one action of `kind` costs at `prices` (0 for an unknown kind), for scoring.
    pub fn cost_credits(&self, kind: &str, prices: &PerResource<f64>) -> f64 {
        self.kind(kind)
            .map_or(0.0, |k| checks::cost_credits(k, prices))
    }

    /// Forgets rate-limit, cooldown and value state (the configuration stays).
    pub fn reset(&mut self) {
        self.state.clear();
    }

    /// Checks a proposal in the order of `docs/gate.md`, records the decision (with its
    /// reason) in `ctx.checker`'s audit trail, and on approval commits it: takes a token,
    /// starts the target's cooldown and remembers the value as current. Never panics.
    pub fn check(&mut self, p: &Proposal, ctx: &mut GateContext) -> GateDecision {
        self.check_parts(p.id.clone(), &p.parts(), ctx)
    }

    /// [`ActionGate::check`] of a proposal given as its id and borrowed parts; the id moves
    /// into the decision.
    pub(crate) fn check_parts(
        &mut self,
        id: String,
        p: &ProposalParts<'_>,
        ctx: &mut GateContext,
    ) -> GateDecision {
        let now = if ctx.now_ms.is_finite() {
            ctx.now_ms
        } else {
            0.0
        };
        // `as` saturates: negative times are recorded as 0, huge ones as u64::MAX.
        let audit_ms = now as u64;
        let kind = self.kinds.get(p.kind);
        let agent = kind.map_or(GATE_AGENT, |k| k.config.agent.as_str());
        let effect = kind.map(|k| k.config.effect);
        // Names are checked once here, for the capability check and the record (or once and
        // for all, when the kind was compiled and the caller's names were made).
        let agent_valid = kind.map_or_else(|| validate_agent(agent).is_ok(), |k| k.agent_valid);
        // A target that is not a valid name is left out of the record (it is named, escaped,
        // in the reason instead).
        let target_valid = p.shared.map_or_else(
            || crate::effects::scope::validate_target(p.target).is_ok(),
            |n| n.target_valid,
        );
        let target = target_valid.then_some(p.target);
        // The shared names, when the configuration has them, go into the record as they are.
        let agent_name = Name {
            text: agent,
            shared: kind.map(|k| &k.agent),
        };
        let target_name = target.map(|text| Name {
            text,
            shared: p.shared.map(|n| &n.target),
        });
        let mut scratch = std::mem::take(&mut self.scratch);
        let valid = Valid {
            agent: agent_valid,
            target: target_valid,
        };
        let outcome = self.evaluate(kind, p, ctx, now, valid, &mut scratch);
        // The audit reason, then the one record of the decision.
        let reason = &mut scratch.reason;
        reason.clear();
        match &outcome {
            Ok(passed) => {
                // "approved{ healing} proposal {id:?} of rule {rule:?}: {kind} {target} ->
                // {value} (previous {previous})"
                reason.push_str("approved");
                if p.healing.is_some() {
                    reason.push_str(" healing");
                }
                reason.push_str(" proposal ");
                push_quoted(reason, &id);
                reason.push_str(" of rule ");
                push_quoted(reason, p.rule);
                reason.push_str(": ");
                reason.push_str(p.kind);
                reason.push(' ');
                reason.push_str(p.target);
                reason.push_str(" -> ");
                scratch.numbers.push(reason, passed.value);
                reason.push_str(" (previous ");
                match passed.previous {
                    Some(v) => scratch.numbers.push(reason, v),
                    None => reason.push_str("unknown"),
                }
                reason.push(')');
            }
            Err(((code, message), _)) => {
                // "{reason}: {message} (proposal {id:?} of rule {rule:?}, {kind} on {target:?})"
                reason.push_str(code.as_str());
                reason.push_str(": ");
                reason.push_str(message);
                reason.push_str(" (proposal ");
                push_quoted(reason, &id);
                reason.push_str(" of rule ");
                push_quoted(reason, p.rule);
                reason.push_str(", ");
                reason.push_str(p.kind);
                reason.push_str(" on ");
                push_quoted(reason, p.target);
                reason.push(')');
            }
        }
        let audit_seq = record(
            ctx.checker,
            audit_ms,
            agent_name,
            agent_valid,
            outcome.is_ok(),
            effect,
            target_name,
            reason,
        );
        let (rule, kind_name, target) = p.names();
        let decision = match outcome {
            Ok(passed) => {
                // Only a known kind gets this far; its agent name is shared.
                let agent = kind.map_or_else(|| agent.into(), |k| k.agent.clone());
                let rate = kind.and_then(|k| k.config.rate);
                self.commit(p, rate, now, passed.value);
                GateDecision::Approved(ApprovedAction {
                    id,
                    rule,
                    kind: kind_name,
                    target,
                    agent,
                    effect: passed.effect,
                    value: passed.value,
                    previous: passed.previous,
                    healing: p.healing.is_some(),
                    audit_seq,
                })
            }
            Err(((reason, message), value)) => GateDecision::Rejected(RejectedAction {
                id,
                rule,
                kind: kind_name,
                target,
                reason,
                message,
                value: value.filter(|v| v.is_finite()),
                audit_seq,
            }),
        };
        self.scratch = scratch;
        decision
    }

    /// Every check, in order; the value computed so far comes back with a failure.
    fn evaluate(
        &self,
        kind: Option<&CompiledKind>,
        p: &ProposalParts<'_>,
        ctx: &mut GateContext,
        now: f64,
        Valid {
            agent: agent_valid,
            target: target_valid,
        }: Valid,
        scratch: &mut Scratch,
    ) -> Result<Passed, (Fail, Option<f64>)> {
        let no_value = |f: Fail| (f, None);
        let name = &mut scratch.name;
        // 1. unknown_kind
        let Some(kind) = kind else {
            let known: Vec<&str> = self.kinds.keys().map(String::as_str).collect();
            return Err(no_value((
                RejectReason::UnknownKind,
                format!(
                    "action kind {:?} is not configured (known: {})",
                    p.kind,
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            )));
        };
        // 2. unknown_target
        checks::target(kind, p.target, target_valid, ctx.values, name).map_err(no_value)?;
        // 3. no_capability (decided by the effect checker; the gate's one record of the
        // decision carries its reason)
        let c = &kind.config;
        // The target passed step 2, so it is a valid name; an invalid agent gets the
        // checker's own error.
        let permitted = if agent_valid {
            Ok(ctx
                .checker
                .covers(&c.agent, c.effect, Some(p.target), now as u64))
        } else {
            ctx.checker
                .permits(&c.agent, c.effect, Some(p.target), now as u64)
        };
        match permitted {
            Ok(Ok(())) => {}
            Ok(Err(reason)) => return Err(no_value((RejectReason::NoCapability, reason))),
            Err(e) => return Err(no_value((RejectReason::NoCapability, e.to_string()))),
        }
        let healing = p.healing.is_some();
        // 4. emergency: a safety kind, a proposal of a safety-domain rule (the response to the
        // emergency itself) and a healing rollback pass; nothing else does.
        if ctx.emergency && !c.safety && !p.safety && !healing {
            return Err(no_value((
                RejectReason::Emergency,
                format!(
                    "an emergency is active, {} is not a safety action and rule {:?} is not a safety rule",
                    p.kind, p.rule
                ),
            )));
        }
        // 5. invalid_param / missing_variable: the new value
        let state = self.state.get(p.kind);
        let previous = Self::current_of(kind, state, p.target, ctx.values, name);
        let value = match p.healing {
            Some(h) if h.is_finite() => h,
            Some(h) => {
                return Err(no_value((
                    RejectReason::InvalidParam,
                    format!("healing value {h} is not a finite number"),
                )));
            }
            None => {
                let x = checks::param(kind, p.params).map_err(no_value)?;
                checks::new_value(kind, x, previous).map_err(no_value)?
            }
        };
        let with_value = |f: Fail| (f, Some(value));
        // 6. out_of_bounds (missing_variable when a bound cannot be read)
        let bounds = checks::bounds(kind, p.target, ctx.values, name).map_err(with_value)?;
        checks::within_bounds(value, bounds, &mut scratch.numbers).map_err(with_value)?;
        if healing {
            return Ok(Passed {
                value,
                previous,
                effect: c.effect,
            });
        }
        // A safety proposal moving the safe way skips the pacing checks (7–10).
        let unpaced = p.safety && c.safe_direction.is_some_and(|d| d.allows(previous, value));
        if unpaced {
            return self.last_checks(kind, p, ctx, value, previous);
        }
        // 7. step_too_large, 8. within_hysteresis
        checks::step(kind, value, previous).map_err(with_value)?;
        checks::hysteresis(kind, value, previous).map_err(with_value)?;
        // 9. cooldown
        if let Some(at) = state
            .and_then(|s| s.targets.get(p.target))
            .and_then(|t| t.at_ms)
        {
            let since = now - at;
            if since < c.cooldown_ms {
                return Err(with_value((
                    RejectReason::Cooldown,
                    format!(
                        "last action on {} was {since} ms ago, cooldown is {} ms",
                        p.target, c.cooldown_ms
                    ),
                )));
            }
        }
        // 10. rate_limited
        if let Some(rate) = &c.rate {
            let bucket = state.map(|s| s.bucket).unwrap_or_default();
            if bucket.available(rate, now) < 1.0 {
                return Err(with_value((
                    RejectReason::RateLimited,
                    format!(
                        "rate limit of {} per second (burst {}) reached; next token in {} ms",
                        rate.per_second,
                        rate.burst,
                        bucket.wait_ms(rate, now)
                    ),
                )));
            }
        }
        self.last_checks(kind, p, ctx, value, previous)
    }

    /// Checks 11 and 12, the ones every non-healing proposal passes last.
    fn last_checks(
        &self,
        kind: &CompiledKind,
        p: &ProposalParts<'_>,
        ctx: &mut GateContext,
        value: f64,
        previous: Option<f64>,
    ) -> Result<Passed, (Fail, Option<f64>)> {
        let c = &kind.config;
        let with_value = |f: Fail| (f, Some(value));
        // 11. precondition_failed
        if let Some((name, bind)) = &kind.contract {
            let bound = bind_values(bind, p.target, value, previous, ctx.values);
            let context = BoundContext::new(bound, ctx.values);
            match ctx.contracts.check_pre(name, &context) {
                Ok(r) if r.ok => {}
                Ok(r) => {
                    let why: Vec<String> = r.violations.iter().map(|v| v.message()).collect();
                    return Err(with_value((
                        RejectReason::PreconditionFailed,
                        why.join("; "),
                    )));
                }
                Err(e) => {
                    return Err(with_value((
                        RejectReason::PreconditionFailed,
                        e.to_string(),
                    )));
                }
            }
        }
        // 12. over_budget
        checks::budget(kind, ctx.free, ctx.balance, ctx.prices).map_err(with_value)?;
        Ok(Passed {
            value,
            previous,
            effect: c.effect,
        })
    }

    /// Commits an approval of a known kind whose rate limit is `rate`.
    fn commit(&mut self, p: &ProposalParts<'_>, rate: Option<TokenBucket>, now: f64, value: f64) {
        // Found first and inserted only when new, so the names are copied once, not per
        // approval.
        if let Some(state) = self.state.get_mut(p.kind) {
            Self::commit_to(state, p, rate, now, value);
        } else {
            let state = self.state.entry(p.kind.to_string()).or_default();
            Self::commit_to(state, p, rate, now, value);
        }
    }

    fn commit_to(
        state: &mut KindState,
        p: &ProposalParts<'_>,
        rate: Option<TokenBucket>,
        now: f64,
        value: f64,
    ) {
        if p.healing.is_none()
            && let Some(rate) = &rate
        {
            state.bucket.take(rate, now);
        }
        let t = match state.targets.get_mut(p.target) {
            Some(t) => t,
            None => state.targets.entry(p.target.to_string()).or_default(),
        };
        t.value = Some(value);
        t.at_ms = Some(now);
    }

    /// The contract variables bound for `a`, for its postcondition check on the next tick:
    /// `$value`/`$previous` from the action, templates read from `values` (the new snapshot).
    /// Sorted by variable name; variables without a value are left out. Empty when the kind
    /// has no contract.
    pub fn post_context(&self, a: &ApprovedAction, values: &dyn Context) -> Vec<(String, Value)> {
        let Some((_, bind)) = self.kind(&a.kind).and_then(|k| k.contract.as_ref()) else {
            return Vec::new();
        };
        let bound = bind_values(bind, &a.target, a.value, a.previous, values);
        BoundContext::new(bound, values).bound_values()
    }

    /// The contract named by `a`'s kind, if any.
    pub fn contract_of(&self, kind: &str) -> Option<&str> {
        self.kind(kind)
            .and_then(|k| k.contract.as_ref())
            .map(|(name, _)| name.as_str())
    }

    /// Checks the postconditions of `a`'s contract against `values` (the snapshot after the
    /// action) with the action's bindings laid over it. `None` when the kind has no contract.
    pub fn check_post(
        &self,
        a: &ApprovedAction,
        values: &dyn Context,
        contracts: &ContractSet,
    ) -> Option<Result<CheckResult, crate::contracts::ContractError>> {
        let (name, bind) = self.kind(&a.kind)?.contract.as_ref()?;
        let bound = bind_values(bind, &a.target, a.value, a.previous, values);
        let context = BoundContext::new(bound, values);
        Some(contracts.check_post(name, &context))
    }
}

fn bind_values(
    bind: &[(String, BindSource)],
    target: &str,
    value: f64,
    previous: Option<f64>,
    values: &dyn Context,
) -> Vec<(String, Option<Value>)> {
    bind.iter()
        .map(|(var, source)| (var.clone(), source.resolve(target, value, previous, values)))
        .collect()
}

/// Appends the gate's record. The target is `None` or a valid name; when the agent is not a
/// valid name (`agent_valid` false) the record names [`GATE_AGENT`] and no target instead, so
/// the decision is still audited.
// The arguments are the record's fields plus the checker and the validity flag, each computed
// at a different step of `check_parts`; a struct would be built only to be taken apart here.
#[allow(clippy::too_many_arguments)]
fn record(
    checker: &mut EffectChecker,
    time_ms: u64,
    agent: Name<'_>,
    agent_valid: bool,
    approved: bool,
    effect: Option<Effect>,
    target: Option<Name<'_>>,
    reason: &str,
) -> u64 {
    let (agent, target) = if agent_valid {
        (agent, target)
    } else {
        (Name::text(GATE_AGENT), None)
    };
    checker.append_gate_decision(time_ms, agent, approved, effect, target, reason)
}
