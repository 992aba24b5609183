//! Compiling rules against declared variables. Every problem of every rule is collected, so a
//! rule file is fixed in one pass.

use super::config::{ParamValue, RawRuleSetDoc, Rule};
use super::error::RuleSetError;
use super::eval::RuleState;
use crate::expr::{Env, Fast, Program, Type};
use crate::features::Problem;
use crate::features::json::{decode, parse_value};
use serde_json::Value as Json;
use std::sync::Arc;

/// Longest rule id accepted.
pub const MAX_RULE_ID_LEN: usize = 128;

/// A rule with its expressions compiled.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    /// The rule as written.
    pub rule: Rule,
    /// Its id, shared by every firing and failure report.
    pub id: Arc<str>,
    pub(super) when: Program,
    pub(super) release: Option<Program>,
    pub(super) strength: Option<Program>,
}

impl CompiledRule {
    /// The compiled `when`.
    pub fn when(&self) -> &Program {
        &self.when
    }

    /// The compiled `hysteresis.releaseWhen`, if any.
    pub fn release_when(&self) -> Option<&Program> {
        self.release.as_ref()
    }

    /// The compiled `emitsSignal.strength`, if any.
    pub fn strength(&self) -> Option<&Program> {
        self.strength.as_ref()
    }
}

/// What most evaluations of a rule need, in a dense array of its own: an unlatched rule whose
/// condition does not hold is decided from this alone, without reading its (large)
/// [`CompiledRule`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Hot {
    /// The flat form of `when`.
    pub(super) when: Fast,
    /// Whether the rule has `releaseWhen` (a latched rule evaluates that instead).
    pub(super) has_release: bool,
}

impl Hot {
    fn of(rule: &CompiledRule) -> Hot {
        Hot {
            when: rule.when.fast_form(),
            has_release: rule.release.is_some(),
        }
    }
}

/// Compiled rules plus their run-time state (latches, cooldowns, counters).
///
/// Rules are held, evaluated and reported in a fixed order: priority (highest first), then id.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub(super) env: Env,
    pub(super) types: Vec<Type>,
    pub(super) rules: Vec<CompiledRule>,
    pub(super) state: Vec<RuleState>,
    /// Per rule, in the same order, what most evaluations need of it (see [`Hot`]).
    pub(super) hot: Vec<Hot>,
    pub(super) stats: super::eval::RuleStats,
    /// Firings (active, shadow) and failures of the last evaluation: the next one's
    /// capacities.
    pub(super) sizes: [usize; 3],
}

impl RuleSet {
    /// Parses and compiles a JSON document against `env`. Three forms are accepted: an array
    /// of rules (paths `$[i]`), a rule set `{"rules": [...]}` (paths `$.rules[i]`), or one rule
    /// object (path `$`, the form of `samples/micro_inference_rule.json`). Every problem of
    /// every rule is reported at once.
    pub fn from_json(text: &str, env: &Env) -> Result<RuleSet, RuleSetError> {
        let one = |p: Problem| RuleSetError { problems: vec![p] };
        let value = parse_value(text).map_err(one)?;
        let (items, base): (Vec<&Json>, Box<dyn Fn(usize) -> String>) = match &value {
            Json::Array(items) => (items.iter().collect(), Box::new(|i| format!("$[{i}]"))),
            Json::Object(map) if map.contains_key("rules") => {
                // Check the envelope (unknown fields, `rules` an array) before the items.
                decode::<RawRuleSetDoc>(&value, "$", None).map_err(one)?;
                let Some(Json::Array(items)) = map.get("rules") else {
                    unreachable!("decoded as an array just above")
                };
                (
                    items.iter().collect(),
                    Box::new(|i| format!("$.rules[{i}]")),
                )
            }
            Json::Object(_) => (vec![&value], Box::new(|_| "$".to_string())),
            _ => {
                return Err(one(Problem::at(
                    None,
                    "$",
                    "expected a rule, an array of rules or a rule set object {\"rules\": [...]}",
                )));
            }
        };
        let mut problems = Vec::new();
        let mut rules = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = base(i);
            let id = item.get("id").and_then(Json::as_str);
            match decode::<Rule>(item, &at, id) {
                Ok(rule) => rules.push((at, Some(rule))),
                Err(p) => {
                    problems.push(p);
                    rules.push((at, None));
                }
            }
        }
        compile(&rules, env, problems)
    }

    /// Compiles rules built in Rust against `env` (paths `$[i]`). Every problem is reported.
    pub fn compile(rules: &[Rule], env: &Env) -> Result<RuleSet, RuleSetError> {
        let rules: Vec<(String, Option<Rule>)> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("$[{i}]"), Some(r.clone())))
            .collect();
        compile(&rules, env, Vec::new())
    }

    /// The declarations the rules were compiled against (snapshots must follow them).
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The rules in evaluation order (priority, highest first, then id).
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The index of the rule with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| &*r.id == id)
    }
}

fn compile(
    rules: &[(String, Option<Rule>)],
    env: &Env,
    mut problems: Vec<Problem>,
) -> Result<RuleSet, RuleSetError> {
    let mut compiled = Vec::with_capacity(rules.len());
    for (i, (at, rule)) in rules.iter().enumerate() {
        let Some(rule) = rule else { continue };
        let before = problems.len();
        check_fields(rule, at, &mut problems);
        if let Some((first, _)) = rules[..i]
            .iter()
            .find(|(_, r)| r.as_ref().is_some_and(|r| r.id == rule.id))
        {
            problems.push(Problem::at(
                Some(&rule.id),
                format!("{at}.id"),
                format!("duplicate rule id `{}` (first used at {first})", rule.id),
            ));
        }
        let id = Some(rule.id.as_str());
        let when = expression(
            &rule.when,
            env,
            Kind::Bool,
            id,
            &format!("{at}.when"),
            &mut problems,
        );
        let release = rule.hysteresis.as_ref().map(|h| {
            expression(
                &h.release_when,
                env,
                Kind::Bool,
                id,
                &format!("{at}.hysteresis.releaseWhen"),
                &mut problems,
            )
        });
        let strength = rule.emits_signal.as_ref().map(|s| {
            expression(
                &s.strength,
                env,
                Kind::Number,
                id,
                &format!("{at}.emitsSignal.strength"),
                &mut problems,
            )
        });
        if problems.len() > before {
            continue;
        }
        // No problem was added, so every expression compiled.
        let (Some(when), Some(release), Some(strength)) = (
            when,
            release.map_or(Some(None), |p| p.map(Some)),
            strength.map_or(Some(None), |p| p.map(Some)),
        ) else {
            continue;
        };
        compiled.push(CompiledRule {
            rule: rule.clone(),
            id: Arc::from(rule.id.as_str()),
            when,
            release,
            strength,
        });
    }
    if !problems.is_empty() {
        return Err(RuleSetError { problems });
    }
    compiled.sort_by(|a, b| {
        b.rule
            .priority
            .cmp(&a.rule.priority)
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(RuleSet {
        env: env.clone(),
        types: env.names().map(|(_, t)| t).collect(),
        state: vec![RuleState::default(); compiled.len()],
        hot: compiled.iter().map(Hot::of).collect(),
        rules: compiled,
        stats: Default::default(),
        sizes: [0; 3],
    })
}

/// The result kind an expression must have.
#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Number,
}

fn expression(
    source: &str,
    env: &Env,
    kind: Kind,
    id: Option<&str>,
    at: &str,
    problems: &mut Vec<Problem>,
) -> Option<Program> {
    let program = match Program::compile_strict(source, env) {
        Ok(p) => p,
        Err(e) => {
            problems.push(Problem::expression(id, at, &e));
            return None;
        }
    };
    let ty = program.result_type();
    let ok = match kind {
        Kind::Bool => ty == Type::Bool,
        Kind::Number => matches!(ty, Type::Int | Type::Uint | Type::Double),
    };
    if !ok {
        let want = match kind {
            Kind::Bool => "a bool",
            Kind::Number => "a number (int, uint or double)",
        };
        problems.push(Problem::at(
            id,
            at,
            format!("the expression must give {want}, it gives {}", ty.as_str()),
        ));
        return None;
    }
    Some(program)
}

fn check_fields(rule: &Rule, at: &str, problems: &mut Vec<Problem>) {
    let id = Some(rule.id.as_str());
    let id_ok = !rule.id.is_empty()
        && rule.id.chars().count() <= MAX_RULE_ID_LEN
        && rule
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'));
    if !id_ok {
        problems.push(Problem::at(
            id,
            format!("{at}.id"),
            format!("a rule id is 1 to {MAX_RULE_ID_LEN} letters, digits, `_`, `.`, `:` or `-`"),
        ));
    }
    if !rule.cooldown_ms.is_finite() || rule.cooldown_ms < 0.0 {
        problems.push(Problem::at(
            id,
            format!("{at}.cooldownMs"),
            format!(
                "cooldownMs must be a finite number >= 0, got {}",
                rule.cooldown_ms
            ),
        ));
    }
    let kind = &rule.action.kind;
    let kind_ok = kind.starts_with(|c: char| c.is_ascii_lowercase())
        && kind
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !kind_ok {
        problems.push(Problem::at(
            id,
            format!("{at}.action.kind"),
            format!("an action kind is snake_case ([a-z][a-z0-9_]*), got `{kind}`"),
        ));
    }
    if rule.action.target.trim().is_empty() {
        problems.push(Problem::at(
            id,
            format!("{at}.action.target"),
            "the action target must not be empty",
        ));
    }
    if let Some(emits) = &rule.emits_signal
        && !emits.kind.allowed_in(rule.domain)
    {
        problems.push(Problem::at(
            id,
            format!("{at}.emitsSignal.kind"),
            format!(
                "a `{}` signal belongs to the {} domain and cannot be raised by a rule in the {} domain",
                emits.kind,
                emits.kind.domain(),
                rule.domain
            ),
        ));
    }
    for (key, value) in &rule.action.params {
        if let ParamValue::Number(x) = value
            && !x.is_finite()
        {
            let mut path = format!("{at}.action.params");
            crate::features::json::push_key(&mut path, key);
            problems.push(Problem::at(
                id,
                path,
                format!("a parameter must be a finite number, got {x}"),
            ));
        }
    }
}
