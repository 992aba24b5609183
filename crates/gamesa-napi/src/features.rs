//! Binding for `gamesa_core::features`: the α/β/θ feature engine, and the pieces the rule
//! binding shares (declarations or the catalog, located problems). Every rule is the core's;
//! the conversions (declarations, snapshots from typed arrays) are in `convert.rs`.
//!
//! Snapshots cross as two typed arrays in declaration order (values and presence) instead of
//! an object: reading an object's properties through Node-API costs about 0.15–0.2 µs each,
//! which for a 256-variable snapshot would be ~40–50 µs a tick, more than evaluating 1,000
//! rules.

use crate::convert::{declarations, fill};
use crate::errors::{JsError, guard, to_js};
use gamesa_core::expr::Env;
use gamesa_core::features as core;
use napi::bindgen_prelude::{Float64Array, Uint8Array};
use napi_derive::napi;

/// A problem of a feature or rule document: where and why.
#[napi(object)]
pub struct LocatedProblem {
    /// The rule id or feature name, when readable.
    pub id: Option<String>,
    /// JSON path such as `$.rules[2].when`.
    pub path: String,
    /// 1-based line inside the expression, for expression problems.
    pub line: Option<u32>,
    /// 1-based column inside the expression, for expression problems.
    pub column: Option<u32>,
    pub message: String,
}

impl From<core::Problem> for LocatedProblem {
    fn from(p: core::Problem) -> Self {
        LocatedProblem {
            id: p.id,
            path: p.path,
            line: p.line,
            column: p.column,
            message: p.message,
        }
    }
}

/// A declared variable: its name and type (`int`, `uint`, `double`, `bool`).
#[napi(object)]
pub struct VariableDeclaration {
    pub name: String,
    #[napi(ts_type = "'int' | 'uint' | 'double' | 'bool'")]
    pub r#type: String,
}

/// The declarations from parallel name and type-name lists, or the default telemetry catalog
/// when `names` is absent.
pub(crate) fn declarations_or_catalog(
    names: Option<Vec<String>>,
    types: Option<Vec<String>>,
) -> Result<Env, JsError> {
    match names {
        None => Ok(core::telemetry_catalog()),
        Some(names) => declarations(&names, &types.unwrap_or_default(), "variables"),
    }
}

/// The declarations of `env` in slot order.
pub(crate) fn declarations_of(env: &Env) -> Vec<VariableDeclaration> {
    env.names()
        .map(|(name, ty)| VariableDeclaration {
            name: name.to_string(),
            r#type: ty.as_str().to_string(),
        })
        .collect()
}

/// The default telemetry catalog (`cpu.util`, `gpu0.temp_c`, ...) in slot order.
#[napi]
pub fn telemetry_catalog() -> Result<Vec<VariableDeclaration>, JsError> {
    guard(|| Ok(declarations_of(&core::telemetry_catalog())))
}

/// Every problem of a feature document, empty when it compiles.
#[napi]
pub fn check_features_json(
    json: String,
    names: Option<Vec<String>>,
    types: Option<Vec<String>>,
) -> Result<Vec<LocatedProblem>, JsError> {
    guard(|| {
        let env = declarations_or_catalog(names, types)?;
        Ok(match core::FeatureSet::from_json(&json, &env) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems.into_iter().map(LocatedProblem::from).collect(),
        })
    })
}

/// Compiled features with their own snapshot buffer.
#[napi]
pub struct NativeFeatureSet {
    pub(crate) inner: core::FeatureSet,
    snapshot: core::Snapshot,
    report: core::ComputeReport,
}

#[napi]
impl NativeFeatureSet {
    /// Compiles a feature document against the given declarations (default: the telemetry
    /// catalog). Errors: `INVALID_CONFIG` (every problem in the message).
    #[napi(constructor)]
    pub fn new(
        json: String,
        names: Option<Vec<String>>,
        types: Option<Vec<String>>,
    ) -> Result<Self, JsError> {
        guard(|| {
            let env = declarations_or_catalog(names, types)?;
            let inner = core::FeatureSet::from_json(&json, &env).map_err(to_js)?;
            Ok(NativeFeatureSet {
                snapshot: core::Snapshot::new(inner.env()),
                inner,
                report: core::ComputeReport::default(),
            })
        })
    }

    /// All declarations, base variables then `feat.<name>` for each feature.
    #[napi]
    pub fn declarations(&self) -> Result<Vec<VariableDeclaration>, JsError> {
        guard(|| Ok(declarations_of(self.inner.env())))
    }

    /// Number of base (non-feature) variables.
    #[napi]
    pub fn base_len(&self) -> Result<u32, JsError> {
        guard(|| Ok(self.inner.base_len() as u32))
    }

    /// Computes the features. `values`/`present` cover the base variables in declaration order.
    /// Returns `[present, value]` pairs, one per feature in order.
    #[napi]
    pub fn compute(
        &mut self,
        values: Float64Array,
        present: Uint8Array,
    ) -> Result<Float64Array, JsError> {
        guard(|| {
            fill(&mut self.snapshot, &values, &present, self.inner.base_len())?;
            self.report = self.inner.compute(&mut self.snapshot).map_err(to_js)?;
            let mut out = Vec::with_capacity(2 * self.inner.len());
            for f in self.inner.features() {
                match self.snapshot.get(f.slot) {
                    Some(gamesa_core::expr::Value::Double(x)) => out.extend([1.0, x]),
                    _ => out.extend([0.0, f64::NAN]),
                }
            }
            Ok(Float64Array::new(out))
        })
    }

    /// Why features were left absent by the last `compute`: one line per feature.
    #[napi]
    pub fn last_issues(&self) -> Result<Vec<String>, JsError> {
        guard(|| Ok(self.report.issues(&self.inner, &self.snapshot)))
    }
}
