//! Compiling a feature document against declared variables, and computing the features of a
//! snapshot.

use super::config::{FeatureDef, RawScalePresets, ScalePresets};
use super::error::{FeatureError, SnapshotError};
use super::json::{decode, parse_value, push_key};
use super::problem::Problem;
use super::snapshot::Snapshot;
use super::transform::{Params, Transform};
use crate::expr::{Env, EvalError, EvalErrorKind, Program, Type, Value};

/// Prefix of the variable each feature is computed into.
pub const FEATURE_PREFIX: &str = "feat.";

/// One compiled feature.
#[derive(Debug, Clone)]
pub struct CompiledFeature {
    /// The feature's name (the variable is `feat.<name>`).
    pub name: String,
    /// Its transform.
    pub transform: Transform,
    /// Its effective parameters (preset, inline or defaults).
    pub params: Params,
    /// The slot of `feat.<name>` in [`FeatureSet::env`].
    pub slot: usize,
    source: Program,
}

impl CompiledFeature {
    /// The compiled source expression.
    pub fn source(&self) -> &Program {
        &self.source
    }
}

/// Features that could not be computed on one snapshot. Computing allocates only when this is
/// not empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComputeReport {
    /// Features left absent because their source reads an absent variable:
    /// `(feature index, the first absent variable's slot)`.
    pub missing: Vec<(usize, usize)>,
    /// Features left absent because their source failed to evaluate.
    pub errors: Vec<(usize, EvalError)>,
}

impl ComputeReport {
    /// True when every feature was computed.
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.errors.is_empty()
    }

    /// Why features were left absent, one line per feature: `feat.<name>: variable `<v>` is
    /// absent`, then `feat.<name>: <error>`. `features` and `snapshot` are the ones computed.
    pub fn issues(&self, features: &FeatureSet, snapshot: &Snapshot) -> Vec<String> {
        let features = features.features();
        let mut out = Vec::with_capacity(self.missing.len() + self.errors.len());
        for &(i, slot) in &self.missing {
            out.push(format!(
                "feat.{}: variable `{}` is absent",
                features[i].name,
                snapshot.name_of(slot)
            ));
        }
        for (i, e) in &self.errors {
            out.push(format!("feat.{}: {}", features[*i].name, e.message));
        }
        out
    }
}

/// Compiled features: the base declarations extended with one `double` variable `feat.<name>`
/// per feature, in declaration order.
#[derive(Debug, Clone)]
pub struct FeatureSet {
    env: Env,
    base_len: usize,
    features: Vec<CompiledFeature>,
}

impl FeatureSet {
    /// Parses a JSON document (the form of `samples/scale_presets.json`) and compiles it
    /// against `base`. Every problem is reported at once.
    pub fn from_json(text: &str, base: &Env) -> Result<FeatureSet, FeatureError> {
        let one = |p: Problem| FeatureError { problems: vec![p] };
        let value = parse_value(text).map_err(one)?;
        if !value.is_object() {
            return Err(one(Problem::at(None, "$", "expected a JSON object")));
        }
        let raw: RawScalePresets = decode(&value, "$", None).map_err(one)?;
        let mut problems = Vec::new();
        let mut doc = ScalePresets {
            schema: raw.schema,
            description: raw.description,
            ..ScalePresets::default()
        };
        for (name, v) in &raw.presets {
            let mut path = String::from("$.presets");
            push_key(&mut path, name);
            match decode(v, &path, Some(name)) {
                Ok(preset) => {
                    doc.presets.insert(name.clone(), preset);
                }
                Err(p) => problems.push(p),
            }
        }
        // Broken features keep their place (as `None`) so later ones are numbered and their
        // forward references judged as written.
        let mut features = Vec::with_capacity(raw.features.len());
        for (i, v) in raw.features.iter().enumerate() {
            let id = v.get("name").and_then(|n| n.as_str());
            match decode::<FeatureDef>(v, &format!("$.features[{i}]"), id) {
                Ok(f) => features.push(Some(f)),
                Err(p) => {
                    problems.push(p);
                    features.push(None);
                }
            }
        }
        compile(&doc.presets, &features, base, problems)
    }

    /// Compiles a document built in Rust against `base`. Every problem is reported at once.
    pub fn compile(doc: &ScalePresets, base: &Env) -> Result<FeatureSet, FeatureError> {
        let features: Vec<Option<FeatureDef>> = doc.features.iter().cloned().map(Some).collect();
        compile(&doc.presets, &features, base, Vec::new())
    }

    /// The base declarations plus `feat.<name>` (double) for each feature: what rules compile
    /// against and snapshots are built from.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The compiled features, in computation order.
    pub fn features(&self) -> &[CompiledFeature] {
        &self.features
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// True when there are no features.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// Computes every feature into its `feat.<name>` slot of `snapshot`, in order (so a
    /// feature sees the ones before it). A feature whose source reads an absent variable, or
    /// fails to evaluate, is left absent and listed in the report; the others are computed.
    /// Feature slots are always rewritten: a value set there by the caller never survives.
    /// Allocates nothing unless a feature is left absent.
    pub fn compute(&self, snapshot: &mut Snapshot) -> Result<ComputeReport, SnapshotError> {
        if snapshot.types().len() != self.env.len()
            || !snapshot
                .types()
                .iter()
                .zip(self.env.names())
                .all(|(a, (_, b))| *a == b)
        {
            return Err(SnapshotError::WrongDeclarations {
                expected: self.env.len(),
                got: snapshot.len(),
            });
        }
        let mut report = ComputeReport::default();
        for (i, f) in self.features.iter().enumerate() {
            snapshot.unset(f.slot);
            if let Some(&absent) = f
                .source
                .referenced_slots()
                .iter()
                .find(|&&s| !snapshot.is_present(s))
            {
                report.missing.push((i, absent));
                continue;
            }
            match f.source.eval_slots(snapshot.values()) {
                Ok(v) => snapshot.put_double(f.slot, f.transform.apply(v.to_f64(), f.params)),
                Err(e) => report.errors.push((i, e)),
            }
        }
        Ok(report)
    }

    /// Computes the features of a snapshot given by name, for one-off use (tests, tools):
    /// `(feat.<name>, value)` for each feature computed, in order.
    pub fn compute_named(
        &self,
        bindings: &[(&str, Value)],
    ) -> Result<Vec<(String, f64)>, SnapshotError> {
        let mut snapshot = Snapshot::new(&self.env);
        for (name, value) in bindings {
            snapshot.set_named(name, *value)?;
        }
        self.compute(&mut snapshot)?;
        Ok(self
            .features
            .iter()
            .filter_map(|f| match snapshot.get(f.slot) {
                Some(Value::Double(x)) => Some((format!("{FEATURE_PREFIX}{}", f.name), x)),
                _ => None,
            })
            .collect())
    }

    /// Number of base (non-feature) variables: slots `0..base_len()` are the base ones.
    pub fn base_len(&self) -> usize {
        self.base_len
    }
}

/// An identifier usable after `feat.` in an expression.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn compile(
    presets: &std::collections::BTreeMap<String, super::config::Preset>,
    features: &[Option<FeatureDef>],
    base: &Env,
    mut problems: Vec<Problem>,
) -> Result<FeatureSet, FeatureError> {
    for (name, p) in presets {
        let mut at = String::from("$.presets");
        push_key(&mut at, name);
        if !is_identifier(name) {
            problems.push(Problem::at(
                Some(name),
                at.clone(),
                "a preset name must be an identifier ([A-Za-z_][A-Za-z0-9_]*)",
            ));
        }
        for (field, x) in [("alpha", p.alpha), ("beta", p.beta), ("theta", p.theta)] {
            if !x.is_finite() {
                problems.push(Problem::at(
                    Some(name),
                    format!("{at}.{field}"),
                    format!("{field} must be a finite number, got {x}"),
                ));
            }
        }
    }

    // Every feature is declared first, so a reference to a later one compiles and can be
    // reported as what it is (a forward reference) rather than as an unknown name.
    let mut env = base.clone();
    let base_len = base.len();
    let mut slots = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let Some(f) = f else {
            slots.push(None);
            continue;
        };
        let at = format!("$.features[{i}]");
        let id = Some(f.name.as_str());
        let var = format!("{FEATURE_PREFIX}{}", f.name);
        if !is_identifier(&f.name) {
            problems.push(Problem::at(
                id,
                format!("{at}.name"),
                "a feature name must be an identifier ([A-Za-z_][A-Za-z0-9_]*)",
            ));
            slots.push(None);
            continue;
        }
        if let Some(first) = features[..i]
            .iter()
            .position(|g| g.as_ref().is_some_and(|g| g.name == f.name))
        {
            problems.push(Problem::at(
                id,
                format!("{at}.name"),
                format!(
                    "duplicate feature `{}` (first declared at $.features[{first}])",
                    f.name
                ),
            ));
            slots.push(None);
            continue;
        }
        if base.slot(&var).is_some() {
            problems.push(Problem::at(
                id,
                format!("{at}.name"),
                format!("`{var}` is already a declared variable"),
            ));
            slots.push(None);
            continue;
        }
        env = env.declare(&var, Type::Double);
        slots.push(env.slot(&var));
    }

    let mut compiled = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let (Some(f), Some(slot)) = (f, slots[i]) else {
            continue;
        };
        let at = format!("$.features[{i}]");
        let id = Some(f.name.as_str());
        let params = match resolve_params(f, presets, &at) {
            Ok(p) => p,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let source = match Program::compile_strict(&f.source, &env) {
            Ok(p) => p,
            Err(e) => {
                problems.push(Problem::expression(id, format!("{at}.source"), &e));
                continue;
            }
        };
        if !matches!(source.result_type(), Type::Int | Type::Uint | Type::Double) {
            problems.push(Problem::at(
                id,
                format!("{at}.source"),
                format!(
                    "the source must be a number (int, uint or double), got {}",
                    source.result_type().as_str()
                ),
            ));
            continue;
        }
        if let Some(&later) = source.referenced_slots().iter().find(|&&s| s >= slot) {
            let name = env.names().nth(later).map(|(n, _)| n).unwrap_or_default();
            let what = if later == slot {
                "its own value"
            } else {
                "a feature declared after it"
            };
            let mut p = Problem::at(
                id,
                format!("{at}.source"),
                format!(
                    "`{name}` is {what}: a feature may use only the features declared before it (no forward references or cycles)"
                ),
            );
            if let Some((line, column)) = find_name(&f.source, name) {
                p.line = Some(line);
                p.column = Some(column);
            }
            problems.push(p);
            continue;
        }
        compiled.push(CompiledFeature {
            name: f.name.clone(),
            transform: f.transform,
            params,
            slot,
            source,
        });
    }

    if problems.is_empty() {
        Ok(FeatureSet {
            env,
            base_len,
            features: compiled,
        })
    } else {
        Err(FeatureError { problems })
    }
}

fn resolve_params(
    f: &FeatureDef,
    presets: &std::collections::BTreeMap<String, super::config::Preset>,
    at: &str,
) -> Result<Params, Problem> {
    let id = Some(f.name.as_str());
    if let Some(name) = &f.preset {
        if f.has_inline_params() {
            return Err(Problem::at(
                id,
                format!("{at}.preset"),
                "give either a preset or inline alpha/beta/theta, not both",
            ));
        }
        let Some(p) = presets.get(name) else {
            let known: Vec<&str> = presets.keys().map(String::as_str).collect();
            return Err(Problem::at(
                id,
                format!("{at}.preset"),
                format!(
                    "unknown preset `{name}` (known: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        };
        return Ok(Params {
            alpha: p.alpha,
            beta: p.beta,
            theta: p.theta,
        });
    }
    let d = Params::default();
    let params = Params {
        alpha: f.alpha.unwrap_or(d.alpha),
        beta: f.beta.unwrap_or(d.beta),
        theta: f.theta.unwrap_or(d.theta),
    };
    for (field, x) in [
        ("alpha", params.alpha),
        ("beta", params.beta),
        ("theta", params.theta),
    ] {
        if !x.is_finite() {
            return Err(Problem::at(
                id,
                format!("{at}.{field}"),
                format!("{field} must be a finite number, got {x}"),
            ));
        }
    }
    Ok(params)
}

/// Line and column (1-based, in characters) of the first whole-name occurrence of `name` in
/// `source`, for problems the compiler cannot place itself.
fn find_name(source: &str, name: &str) -> Option<(u32, u32)> {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    let mut from = 0;
    while let Some(pos) = source[from..].find(name) {
        let start = from + pos;
        let end = start + name.len();
        let before_ok = !source[..start]
            .chars()
            .next_back()
            .is_some_and(is_name_char);
        let after_ok = !source[end..].chars().next().is_some_and(is_name_char);
        if before_ok && after_ok {
            let prefix = &source[..start];
            let line = prefix.matches('\n').count() as u32 + 1;
            let column = prefix.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
            return Some((line, column));
        }
        from = end;
    }
    None
}

/// An evaluation error for a variable that is absent from a snapshot.
pub(crate) fn missing_error(name: &str) -> EvalError {
    EvalError {
        kind: EvalErrorKind::MissingBinding,
        message: format!("variable `{name}` is absent from the snapshot"),
    }
}
