//! The JSON form of a MicroInference rule (`samples/micro_inference_rule.json`) and of a rule
//! set. The TypeScript side mirrors it with zod (`MicroInferenceRuleSchema`, `RuleSetSchema` in
//! `src/rules.ts`).

use crate::json_objects::objects_only;
use crate::signals::{SignalDomain, SignalKind};
use crate::types::Priority;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One rule: when `when` holds, do `action` (or, in shadow mode, record what would be done).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct Rule {
    /// Optional `$schema` reference, accepted so editors can attach the JSON schema.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Unique in its set: letters, digits and `_ . : -`, at most 128 characters.
    pub id: String,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The governor domain the rule acts in.
    pub domain: SignalDomain,
    /// Rules are evaluated and reported by priority (highest first), then id.
    pub priority: Priority,
    /// `active` rules act; `shadow` rules only record what they would have done.
    #[serde(default)]
    pub mode: RuleMode,
    /// A `bool` expression over the declared variables.
    pub when: String,
    /// What to do when the rule fires.
    pub action: Action,
    /// After firing at `t`, the rule cannot fire again before `t + cooldownMs` (default 0).
    #[serde(default)]
    pub cooldown_ms: f64,
    /// When present, a fired rule stays latched (and keeps asserting its action, subject to
    /// the cooldown) until `releaseWhen` holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hysteresis: Option<Hysteresis>,
    /// A signal raised with each firing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emits_signal: Option<EmitsSignal>,
}

/// Whether a rule acts or only records.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RuleMode {
    /// The rule's firings are actions.
    #[default]
    Active,
    /// The rule is evaluated like an active one, but its firings are only recorded for
    /// comparison and never become actions.
    Shadow,
}

impl RuleMode {
    /// The string used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleMode::Active => "active",
            RuleMode::Shadow => "shadow",
        }
    }
}

/// What a firing asks the governor to do. Kinds are interpreted (and unknown kinds denied)
/// by the ActionGate, not here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct Action {
    /// snake_case action kind, such as `set_gpu_power_limit`.
    pub kind: String,
    /// What it applies to, such as `gpu0` or `cpu`.
    pub target: String,
    /// Parameters of the action, in key order.
    #[serde(default)]
    pub params: BTreeMap<String, ParamValue>,
}

/// A parameter value: a finite number, a string or a bool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A bool.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    Text(String),
}

/// The release condition of a latching rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct Hysteresis {
    /// A `bool` expression; the latch opens on the first tick it holds.
    pub release_when: String,
}

/// A signal raised by each firing of a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct EmitsSignal {
    /// The signal kind.
    pub kind: SignalKind,
    /// A numeric expression; the result is clamped to [0, 1] (NaN is an evaluation error).
    pub strength: String,
}

/// A rule-set document: `{ "$schema"?, "description"?, "rules": [...] }`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct RuleSetDoc {
    /// Optional `$schema` reference.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The rules.
    pub rules: Vec<Rule>,
}

objects_only!(Rule, Action, Hysteresis, EmitsSignal, RuleSetDoc);

/// The top level of a rule-set document, rules kept as JSON to be decoded one by one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRuleSetDoc {
    #[serde(rename = "$schema", default)]
    pub _schema: Option<String>,
    #[serde(rename = "description", default)]
    pub _description: Option<String>,
    #[serde(rename = "rules")]
    pub _rules: Vec<serde_json::Value>,
}

impl Rule {
    /// An active rule with no cooldown, hysteresis or signal.
    pub fn new(
        id: &str,
        domain: SignalDomain,
        priority: Priority,
        when: &str,
        action: Action,
    ) -> Rule {
        Rule {
            schema: None,
            id: id.to_string(),
            description: None,
            domain,
            priority,
            mode: RuleMode::Active,
            when: when.to_string(),
            action,
            cooldown_ms: 0.0,
            hysteresis: None,
            emits_signal: None,
        }
    }
}

impl Action {
    /// An action without parameters.
    pub fn new(kind: &str, target: &str) -> Action {
        Action {
            kind: kind.to_string(),
            target: target.to_string(),
            params: BTreeMap::new(),
        }
    }
}
