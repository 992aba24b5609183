//! Evaluating a rule set on one snapshot.
//!
//! Per rule, in the set's order (priority, highest first, then id):
//! 1. A latched rule (one with `hysteresis` whose `when` held earlier) evaluates `releaseWhen`;
//!    if it holds, the latch opens and the rule does not fire on this tick; otherwise the rule
//!    is asserted (`held`) without evaluating `when`.
//! 2. An unlatched rule evaluates `when`; when it holds, the rule is asserted and, if it has
//!    `hysteresis`, the latch closes (whether or not the cooldown lets it fire).
//! 3. An asserted rule fires unless it is cooling down: after firing at `t`, it cannot fire
//!    before `t + cooldownMs`. Firing evaluates `emitsSignal.strength` (clamped to [0, 1]).
//! 4. Active rules' firings go to [`Evaluation::active`], shadow rules' to
//!    [`Evaluation::shadow`]: shadow rules keep the same latches and cooldowns, so what they
//!    record is exactly what they would have done, but nothing they produce is an action.
//!
//! A rule whose expression fails — an evaluation error, or a variable absent from the snapshot
//! (`MissingBinding`) — is reported in [`Evaluation::errors`], counted, and leaves its state
//! unchanged for that tick; the other rules are evaluated as usual.

use super::error::{RuleFailure, RulePart};
use super::set::RuleSet;
use crate::expr::{EvalError, EvalErrorKind, Program, Type, Value};
use crate::features::{Snapshot, SnapshotError, missing_error};
use crate::signals::{SignalDomain, SignalKind};
use crate::types::Priority;
use std::sync::Arc;

/// Run-time state of one rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleState {
    latched: bool,
    /// The earliest time the rule may fire again.
    next_allowed_ms: f64,
    fired: u64,
    errors: u64,
}

impl Default for RuleState {
    fn default() -> Self {
        RuleState {
            latched: false,
            next_allowed_ms: f64::NEG_INFINITY,
            fired: 0,
            errors: 0,
        }
    }
}

/// A signal raised by a firing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmittedSignal {
    /// Its kind.
    pub kind: SignalKind,
    /// Its strength in [0, 1].
    pub strength: f64,
}

/// One rule firing on one tick.
#[derive(Debug, Clone, PartialEq)]
pub struct Firing {
    /// Index of the rule in [`RuleSet::rules`] (its action is `rules()[rule].rule.action`).
    pub rule: usize,
    /// The rule's id.
    pub id: Arc<str>,
    /// The rule's priority.
    pub priority: Priority,
    /// The rule's domain.
    pub domain: SignalDomain,
    /// True when the rule fired because it is latched from an earlier tick (its `when` was
    /// not evaluated).
    pub held: bool,
    /// The signal raised, when the rule has `emitsSignal`.
    pub signal: Option<EmittedSignal>,
}

/// What one evaluation produced, each list in the set's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluation {
    /// Firings of active rules: the actions to take.
    pub active: Vec<Firing>,
    /// Firings of shadow rules: recorded only, never actions.
    pub shadow: Vec<Firing>,
    /// Rules that failed on this tick.
    pub errors: Vec<RuleFailure>,
}

/// Counters since the set was compiled (or last [`RuleSet::reset`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleStats {
    /// Evaluations of the whole set.
    pub evaluations: u64,
    /// Firings of active rules.
    pub active_firings: u64,
    /// Firings of shadow rules.
    pub shadow_firings: u64,
    /// Rule failures.
    pub errors: u64,
    /// Rules latched now.
    pub latched: u64,
}

/// Counters of one rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCounters {
    /// Times it fired.
    pub fired: u64,
    /// Times it failed.
    pub errors: u64,
    /// Whether it is latched now.
    pub latched: bool,
}

/// Runs `program` if every variable it reads is present.
#[inline]
fn run(program: &Program, snapshot: &Snapshot) -> Result<Value, EvalError> {
    if let Some(&slot) = program
        .referenced_slots()
        .iter()
        .find(|&&s| !snapshot.is_present(s))
    {
        return Err(missing_error(&snapshot.name_of(slot)));
    }
    program.eval_slots(snapshot.values())
}

/// [`run_bool`], with the common case in place: every variable present and the program
/// giving a bool, without building a `Value` or an `EvalError`. Anything else goes the general
/// way (out of line), which evaluates again and gives the same result (evaluation is pure)
/// with its error message.
#[inline(always)]
fn check(program: &Program, snapshot: &Snapshot) -> Result<bool, EvalError> {
    // `x > 0.9 && y >= 0.0` of present doubles in one step (no slot list to scan, no tree).
    if let Some(b) = program.fast_bool(snapshot.values(), snapshot.presence()) {
        return Ok(b);
    }
    if program
        .referenced_slots()
        .iter()
        .all(|&s| snapshot.is_present(s))
        && let Ok(Some(b)) = program.try_eval_bool(snapshot.values())
    {
        return Ok(b);
    }
    run_bool(program, snapshot)
}

#[inline(never)]
fn run_bool(program: &Program, snapshot: &Snapshot) -> Result<bool, EvalError> {
    match run(program, snapshot)? {
        Value::Bool(b) => Ok(b),
        // Compilation checked the result type; a program that breaks it is reported, not
        // trusted.
        other => Err(EvalError {
            kind: EvalErrorKind::BindingTypeMismatch,
            message: format!("expected a bool result, got {other:?}"),
        }),
    }
}

/// [`run_strength`], with the common case in place: every variable present and a number that
/// is not NaN. Anything else goes the general way, as in [`check`].
#[inline(always)]
fn strength(program: &Program, snapshot: &Snapshot) -> Result<f64, EvalError> {
    // A double variable, present (no slot list to scan); a bool program has no such form.
    if let Some(x) = program.fast_f64(snapshot.values(), snapshot.presence())
        && !x.is_nan()
    {
        return Ok(x.clamp(0.0, 1.0));
    }
    // A bool result is an error there, where `try_eval_f64` would make it 0 or 1.
    if program.result_type() != Type::Bool
        && program
            .referenced_slots()
            .iter()
            .all(|&s| snapshot.is_present(s))
        && let Some(x) = program.try_eval_f64(snapshot.values())
        && !x.is_nan()
    {
        return Ok(x.clamp(0.0, 1.0));
    }
    run_strength(program, snapshot)
}

#[inline(never)]
fn run_strength(program: &Program, snapshot: &Snapshot) -> Result<f64, EvalError> {
    let x = match run(program, snapshot)? {
        Value::Double(x) => x,
        Value::Int(i) => i as f64,
        Value::Uint(u) => u as f64,
        Value::Bool(_) => {
            return Err(EvalError {
                kind: EvalErrorKind::BindingTypeMismatch,
                message: "expected a numeric signal strength, got a bool".to_string(),
            });
        }
    };
    if x.is_nan() {
        return Err(EvalError {
            kind: EvalErrorKind::Domain,
            message: "the signal strength is NaN".to_string(),
        });
    }
    Ok(x.clamp(0.0, 1.0))
}

impl RuleSet {
    /// Evaluates every rule on `snapshot` at time `now_ms` (ms, any epoch, non-decreasing from
    /// call to call for cooldowns to mean anything). Fails only when the snapshot was built
    /// for other declarations or `now_ms` is not finite; rule failures are in the result.
    #[inline(never)]
    pub fn evaluate(
        &mut self,
        snapshot: &Snapshot,
        now_ms: f64,
    ) -> Result<Evaluation, SnapshotError> {
        if snapshot.types() != self.types.as_slice() {
            return Err(SnapshotError::WrongDeclarations {
                expected: self.types.len(),
                got: snapshot.len(),
            });
        }
        if !now_ms.is_finite() {
            return Err(SnapshotError::InvalidTime { now_ms });
        }
        // Sized as last time's, so a steady stream of firings grows no vector.
        let mut out = Evaluation {
            active: Vec::with_capacity(self.sizes[0]),
            shadow: Vec::with_capacity(self.sizes[1]),
            errors: Vec::with_capacity(self.sizes[2]),
        };
        let (values, presence) = (snapshot.values(), snapshot.presence());
        for (i, (hot, state)) in self.hot.iter().zip(self.state.iter_mut()).enumerate() {
            // An unlatched rule whose condition has a flat form: decided in one step, and when
            // it does not hold (most rules on most ticks) the compiled rule is not read at all.
            let quick = if state.latched && hot.has_release {
                None
            } else {
                hot.when.bool(values, presence)
            };
            if quick == Some(false) {
                continue;
            }
            let rule = &self.rules[i];
            let fail = |part: RulePart, error: EvalError| RuleFailure {
                rule: i,
                id: rule.id.clone(),
                part,
                error,
            };
            let held = state.latched;
            if let (true, Some(release)) = (state.latched, &rule.release) {
                match check(release, snapshot) {
                    Ok(true) => {
                        state.latched = false;
                        continue;
                    }
                    Ok(false) => {}
                    Err(e) => {
                        state.errors += 1;
                        out.errors.push(fail(RulePart::ReleaseWhen, e));
                        continue;
                    }
                }
            } else {
                match quick.map_or_else(|| check(&rule.when, snapshot), Ok) {
                    Ok(true) => state.latched = rule.release.is_some(),
                    Ok(false) => continue,
                    Err(e) => {
                        state.errors += 1;
                        out.errors.push(fail(RulePart::When, e));
                        continue;
                    }
                }
            }
            if now_ms < state.next_allowed_ms {
                continue;
            }
            let signal = match (&rule.strength, &rule.rule.emits_signal) {
                (Some(program), Some(emits)) => match strength(program, snapshot) {
                    Ok(strength) => Some(EmittedSignal {
                        kind: emits.kind,
                        strength,
                    }),
                    Err(e) => {
                        state.errors += 1;
                        out.errors.push(fail(RulePart::Strength, e));
                        continue;
                    }
                },
                _ => None,
            };
            state.next_allowed_ms = now_ms + rule.rule.cooldown_ms;
            state.fired += 1;
            let firing = Firing {
                rule: i,
                id: rule.id.clone(),
                priority: rule.rule.priority,
                domain: rule.rule.domain,
                held,
                signal,
            };
            match rule.rule.mode {
                super::RuleMode::Active => out.active.push(firing),
                super::RuleMode::Shadow => out.shadow.push(firing),
            }
        }
        self.sizes = [out.active.len(), out.shadow.len(), out.errors.len()];
        self.stats.evaluations += 1;
        self.stats.active_firings += out.active.len() as u64;
        self.stats.shadow_firings += out.shadow.len() as u64;
        self.stats.errors += out.errors.len() as u64;
        Ok(out)
    }

    /// Counters since compilation or the last [`RuleSet::reset`].
    pub fn stats(&self) -> RuleStats {
        RuleStats {
            latched: self.state.iter().filter(|s| s.latched).count() as u64,
            ..self.stats
        }
    }

    /// Counters of the rule at `index`.
    pub fn rule_counters(&self, index: usize) -> Option<RuleCounters> {
        self.state.get(index).map(|s| RuleCounters {
            fired: s.fired,
            errors: s.errors,
            latched: s.latched,
        })
    }

    /// Whether the rule at `index` is latched.
    pub fn is_latched(&self, index: usize) -> bool {
        self.state.get(index).is_some_and(|s| s.latched)
    }

    /// Opens every latch, forgets every cooldown and zeroes the counters.
    pub fn reset(&mut self) {
        self.state.fill(RuleState::default());
        self.stats = RuleStats::default();
    }
}
