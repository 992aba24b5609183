//! Binding for `gamesa_core::rules`: compiles a rule set (optionally with a feature set whose
//! features are computed first) and evaluates it on snapshots given as typed arrays. Every
//! rule of evaluation is the core's.
//!
//! `evaluate` returns one `Float64Array` instead of objects (each property of a napi object
//! costs ~0.15–0.2 µs): `[nActive, nShadow, nErrors]`, then `[ruleIndex, held, strength]` per
//! active then shadow firing (strength NaN when the rule emits no signal), then the rule index
//! of each failure. Failure messages come from `lastErrors()`, only when there are any; the
//! TypeScript layer builds firings from the rule definitions (`rulesJson()`).

use crate::convert::{fill, to_json};
use crate::errors::{JsError, guard, to_js};
use crate::features::{
    LocatedProblem, NativeFeatureSet, VariableDeclaration, declarations_of, declarations_or_catalog,
};
use gamesa_core::features as fcore;
use gamesa_core::rules as core;
use napi::bindgen_prelude::{Float64Array, Uint8Array};
use napi_derive::napi;

/// A rule that failed on the last evaluation.
#[napi(object)]
pub struct RuleFailure {
    pub rule_id: String,
    /// `when`, `hysteresis.releaseWhen` or `emitsSignal.strength`.
    pub part: String,
    /// The evaluation error's kind, e.g. `division_by_zero`, `missing_binding`.
    pub kind: String,
    pub message: String,
}

/// Counters since compilation or the last `reset()`.
#[napi(object)]
pub struct RuleSetStats {
    pub evaluations: f64,
    pub active_firings: f64,
    pub shadow_firings: f64,
    pub errors: f64,
    /// Rules latched now.
    pub latched: f64,
}

/// Every problem of a rule document, empty when it compiles. With `featuresJson`, the rules
/// compile against the declarations plus the features.
#[napi]
pub fn check_rule_set_json(
    json: String,
    names: Option<Vec<String>>,
    types: Option<Vec<String>>,
    features: Option<&NativeFeatureSet>,
) -> Result<Vec<LocatedProblem>, JsError> {
    guard(|| {
        let env = match features {
            Some(f) => f.inner.env().clone(),
            None => declarations_or_catalog(names, types)?,
        };
        Ok(match core::RuleSet::from_json(&json, &env) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems.into_iter().map(LocatedProblem::from).collect(),
        })
    })
}

/// A compiled rule set with its state and snapshot buffer.
#[napi]
pub struct NativeRuleSet {
    inner: core::RulePipeline,
    snapshot: fcore::Snapshot,
    errors: Vec<core::RuleFailure>,
}

#[napi]
impl NativeRuleSet {
    /// Compiles rules against the declarations (default: the telemetry catalog) or, given
    /// `features`, against its declarations plus `feat.*` (computed before each evaluation).
    /// Errors: `INVALID_RULE` (every problem in the message; `checkRuleSetJson` lists them).
    #[napi(constructor)]
    pub fn new(
        json: String,
        names: Option<Vec<String>>,
        types: Option<Vec<String>>,
        features: Option<&NativeFeatureSet>,
    ) -> Result<Self, JsError> {
        guard(|| {
            let inputs = match features {
                Some(f) => core::RuleInputs::Features(f.inner.clone()),
                None => core::RuleInputs::Variables(declarations_or_catalog(names, types)?),
            };
            let inner = core::RulePipeline::from_json(&json, inputs).map_err(to_js)?;
            Ok(NativeRuleSet {
                snapshot: fcore::Snapshot::new(inner.env()),
                inner,
                errors: Vec::new(),
            })
        })
    }

    /// All declarations in slot order (the layout of `evaluate`'s arrays).
    #[napi]
    pub fn declarations(&self) -> Result<Vec<VariableDeclaration>, JsError> {
        guard(|| Ok(declarations_of(self.inner.env())))
    }

    /// The rules in evaluation order (priority, highest first, then id), as a JSON array.
    #[napi]
    pub fn rules_json(&self) -> Result<String, JsError> {
        guard(|| {
            let rules: Vec<&core::Rule> =
                self.inner.rules().rules().iter().map(|r| &r.rule).collect();
            to_json(&rules)
        })
    }

    /// Evaluates at `nowMs` on the snapshot given in declaration order (see the module doc for
    /// the result's layout).
    #[napi]
    pub fn evaluate(
        &mut self,
        values: Float64Array,
        present: Uint8Array,
        now_ms: f64,
    ) -> Result<Float64Array, JsError> {
        guard(|| {
            let n = self.snapshot.len();
            fill(&mut self.snapshot, &values, &present, n)?;
            let out = self
                .inner
                .evaluate(&mut self.snapshot, now_ms)
                .map_err(to_js)?;
            let firings = out.active.len() + out.shadow.len();
            let mut encoded = Vec::with_capacity(3 + 3 * firings + out.errors.len());
            encoded.extend([
                out.active.len() as f64,
                out.shadow.len() as f64,
                out.errors.len() as f64,
            ]);
            for f in out.active.iter().chain(&out.shadow) {
                encoded.extend([
                    f.rule as f64,
                    f64::from(u8::from(f.held)),
                    f.signal.map_or(f64::NAN, |s| s.strength),
                ]);
            }
            encoded.extend(out.errors.iter().map(|e| e.rule as f64));
            self.errors = out.errors;
            Ok(Float64Array::new(encoded))
        })
    }

    /// The failures of the last evaluation, in rule order.
    #[napi]
    pub fn last_errors(&self) -> Result<Vec<RuleFailure>, JsError> {
        guard(|| {
            Ok(self
                .errors
                .iter()
                .map(|e| RuleFailure {
                    rule_id: e.id.to_string(),
                    part: e.part.as_str().to_string(),
                    kind: e.error.kind.as_str().to_string(),
                    message: e.error.message.clone(),
                })
                .collect())
        })
    }

    /// Counters since compilation or the last `reset()`.
    #[napi]
    pub fn stats(&self) -> Result<RuleSetStats, JsError> {
        guard(|| {
            let s = self.inner.rules().stats();
            Ok(RuleSetStats {
                evaluations: s.evaluations as f64,
                active_firings: s.active_firings as f64,
                shadow_firings: s.shadow_firings as f64,
                errors: s.errors as f64,
                latched: s.latched as f64,
            })
        })
    }

    /// Whether the rule at `index` (evaluation order) is latched.
    #[napi]
    pub fn is_latched(&self, index: u32) -> Result<bool, JsError> {
        guard(|| Ok(self.inner.rules().is_latched(index as usize)))
    }

    /// Opens every latch, forgets every cooldown and zeroes the counters.
    #[napi]
    pub fn reset(&mut self) -> Result<(), JsError> {
        guard(|| {
            self.inner.rules_mut().reset();
            Ok(())
        })
    }
}
