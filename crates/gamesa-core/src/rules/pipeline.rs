//! Rules compiled against a feature set: the features are computed into the snapshot first,
//! then the rules are evaluated on it.

use super::error::RuleSetError;
use super::eval::Evaluation;
use super::set::RuleSet;
use crate::expr::Env;
use crate::features::{FeatureSet, Snapshot, SnapshotError};

/// What a rule set is compiled against.
#[derive(Debug, Clone)]
pub enum RuleInputs {
    /// Declared variables only.
    Variables(Env),
    /// A feature set's declarations plus its `feat.*` variables, computed before each
    /// evaluation.
    Features(FeatureSet),
}

/// A rule set with the features it reads, if any.
#[derive(Debug, Clone)]
pub struct RulePipeline {
    features: Option<FeatureSet>,
    rules: RuleSet,
}

impl RulePipeline {
    /// Compiles a rule document (any form [`RuleSet::from_json`] takes) against `inputs`.
    pub fn from_json(text: &str, inputs: RuleInputs) -> Result<RulePipeline, RuleSetError> {
        let (env, features) = match inputs {
            RuleInputs::Variables(env) => (env, None),
            RuleInputs::Features(f) => (f.env().clone(), Some(f)),
        };
        Ok(RulePipeline {
            rules: RuleSet::from_json(text, &env)?,
            features,
        })
    }

    /// Every declaration in slot order: the layout of the snapshots [`Self::evaluate`] takes.
    pub fn env(&self) -> &Env {
        self.rules.env()
    }

    /// The rules.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The rules, to reset them.
    pub fn rules_mut(&mut self) -> &mut RuleSet {
        &mut self.rules
    }

    /// Computes the features into `snapshot` (its base variables filled by the caller), then
    /// evaluates the rules on it at `now_ms`.
    pub fn evaluate(
        &mut self,
        snapshot: &mut Snapshot,
        now_ms: f64,
    ) -> Result<Evaluation, SnapshotError> {
        if let Some(f) = &self.features {
            f.compute(snapshot)?;
        }
        self.rules.evaluate(snapshot, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{Type, Value};

    #[test]
    fn features_are_computed_before_the_rules_read_them() {
        let base = Env::new().declare("cpu.util", Type::Double);
        let features = FeatureSet::from_json(
            r#"{"features": [{"name": "load", "source": "cpu.util", "transform": "linear", "alpha": 2.0}]}"#,
            &base,
        )
        .expect("features");
        let rules = r#"[{"id": "hot", "domain": "thermal", "priority": "high",
            "when": "feat.load > 1.0", "action": {"kind": "throttle_cpu", "target": "cpu"}}]"#;
        let mut p = RulePipeline::from_json(rules, RuleInputs::Features(features))
            .expect("rules compile against feat.*");
        let mut snapshot = Snapshot::new(p.env());
        snapshot.set(0, Value::Double(0.6)).expect("set");
        let out = p.evaluate(&mut snapshot, 0.0).expect("evaluate");
        assert_eq!(out.active.len(), 1);
        snapshot.set(0, Value::Double(0.4)).expect("set");
        let out = p.evaluate(&mut snapshot, 1.0).expect("evaluate");
        assert!(out.active.is_empty());
    }
}
