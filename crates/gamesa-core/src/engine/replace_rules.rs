//! Replacing a running engine's rules between two ticks, so a promoted rule set takes effect
//! without a restart. Only the rules change: the market (prices, balances, held bids), the
//! leases, the gate (rate limits, cooldowns, hysteresis references), the contracts, the pending
//! postconditions, the signal queue and the audit trail keep their state. The new rules start
//! unlatched, with no cooldown running. The new rules compile against the engine's own
//! variables and features; when any does not, nothing changes.

use super::actions::{plan_actions, rule_names};
use super::compiled::Engine;
use super::config::{EngineConfig, rebase_all};
use super::error::EngineError;
use crate::rules::{Rule, RuleSet};

impl Engine {
    /// Replaces every rule (active and shadow) with `rules`. Errors: `INVALID_ENGINE_CONFIG`
    /// with each problem at `$.rules[i]…`; the engine is then unchanged.
    pub fn replace_rules(&mut self, rules: Vec<Rule>) -> Result<(), EngineError> {
        let compiled = RuleSet::compile(&rules, self.features.env()).map_err(|e| {
            EngineError::InvalidConfig {
                problems: rebase_all(e.problems, "$.rules"),
            }
        })?;
        self.action_plans = plan_actions(&compiled, &self.gate, &self.market);
        self.rule_names = rule_names(&compiled);
        self.rules = compiled;
        self.config.rules = rules;
        Ok(())
    }

    /// [`Engine::replace_rules`] from JSON text: an array of rules, decoded as the `rules` of
    /// an engine configuration (problems at `$.rules[i]…`; malformed text at `$`).
    pub fn replace_rules_json(&mut self, text: &str) -> Result<(), EngineError> {
        let value = crate::json_paths::parse_value(text)
            .map_err(|p| EngineError::config(p.path, p.message))?;
        let mut wrapped = serde_json::Map::new();
        wrapped.insert("rules".to_string(), value);
        let config = EngineConfig::from_value(&serde_json::Value::Object(wrapped))?;
        self.replace_rules(config.rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const CONFIG: &str = r#"{"rules": [{"id": "hot", "domain": "thermal", "priority": "high",
        "when": "thermal.cpu_c > 80.0", "action": {"kind": "noop", "target": "cpu"}}]}"#;

    fn snapshot(temp: f64) -> BTreeMap<String, f64> {
        BTreeMap::from([("thermal.cpu_c".to_string(), temp)])
    }

    fn fired(engine: &mut Engine, temp: f64, now: f64) -> Vec<String> {
        let out = engine.tick(&snapshot(temp), now).unwrap();
        out.firings
            .active
            .iter()
            .map(|f| f.rule.to_string())
            .collect()
    }

    #[test]
    fn new_rules_take_effect_at_the_next_tick_and_the_tick_count_goes_on() {
        let mut engine = Engine::from_json(CONFIG).unwrap();
        assert_eq!(fired(&mut engine, 85.0, 0.0), ["hot"]);
        assert_eq!(fired(&mut engine, 75.0, 100.0), Vec::<String>::new());
        engine
            .replace_rules_json(
                r#"[{"id": "warm", "domain": "thermal", "priority": "high",
                    "when": "thermal.cpu_c > 70.0", "action": {"kind": "noop", "target": "cpu"}}]"#,
            )
            .unwrap();
        assert_eq!(fired(&mut engine, 75.0, 200.0), ["warm"]);
        assert_eq!(engine.ticks(), 3);
        assert_eq!(engine.config().rules.len(), 1);
        assert_eq!(engine.config().rules[0].id, "warm");
    }

    #[test]
    fn rules_that_do_not_compile_change_nothing() {
        let mut engine = Engine::from_json(CONFIG).unwrap();
        let err = engine
            .replace_rules_json(
                r#"[{"id": "bad", "domain": "thermal", "priority": "high",
                    "when": "nope.x > 1.0", "action": {"kind": "noop", "target": "cpu"}}]"#,
            )
            .unwrap_err();
        let EngineError::InvalidConfig { problems } = err else {
            panic!("{err}")
        };
        assert!(problems[0].path.starts_with("$.rules[0]"), "{problems:?}");
        assert_eq!(fired(&mut engine, 85.0, 0.0), ["hot"]);
        assert!(engine.replace_rules_json("[1, ").is_err());
        assert!(engine.replace_rules_json("{}").is_err());
        assert_eq!(fired(&mut engine, 85.0, 100.0), ["hot"]);
    }
}
