//! The gate configuration (JSON section `gate` of `engine.json`): one entry per action kind.
//!
//! Every struct is `deny_unknown_fields` with camelCase names; optional fields may be absent
//! (or `null` where the field is an `Option`). Defaults are documented on each field. The
//! semantic rules are in [`super::validate`]; `src/gate.ts` mirrors both with zod, and the
//! corpus `samples/gate_configs/` checks that the two sides agree, path for path.

use super::error::GateError;
use super::validate::validate_config;
use crate::effects::Effect;
use crate::json_objects::objects_only;
use crate::types::ResourceType;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The gate's configuration: what each action kind may do.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct GateConfig {
    /// The JSON Schema a standalone gate document names for editors
    /// (`schemas/gate-config.schema.json`); not used.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The known action kinds, by name (snake_case, e.g. `set_gpu_power_limit`). Default: none,
    /// so every action is denied (`unknown_kind`): deny by default.
    #[serde(default)]
    pub actions: BTreeMap<String, ActionKindConfig>,
}

/// The limits of one action kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct ActionKindConfig {
    /// The agent that performs actions of this kind; the capability is checked for it.
    pub agent: String,
    /// The capability required (`EffectChecker::check(agent, effect, Some(target), now)`).
    pub effect: Effect,
    /// Whether actions of this kind may pass during an emergency. Default `false`.
    #[serde(default)]
    pub safety: bool,
    /// The direction of change that keeps the machine within its limits (`decrease` for a
    /// power limit or a frequency ceiling). A safety proposal (from a safety-domain rule or a
    /// setting marked `safety`) that moves this way is not held back by `maxStep`,
    /// `hysteresis`, `cooldownMs` or `rate`: a cap must be kept within one tick, not 50 W per
    /// second. Bounds, capability and contract still apply, and a change the other way is
    /// limited as usual. Default: none (every change is limited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_direction: Option<SafeDirection>,
    /// The targets it may act on: exact names or a prefix with one trailing `*` (`gpu*`).
    /// At least one. A target outside every pattern is `unknown_target`.
    pub targets: Vec<String>,
    /// Optional variable template that the snapshot holds exactly when the target exists
    /// (e.g. `{target}.power_limit_w`); when set and absent, the target is `unknown_target`
    /// (a `gpu7` that matches `gpu*` but is not in the machine). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<String>,
    /// Which parameter carries the value and how it is read. Default: parameter `value`,
    /// absolute.
    #[serde(default)]
    pub value: ValueSpec,
    /// Lower bound: a number or a variable template read from the snapshot. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Bound>,
    /// Upper bound: a number or a variable template read from the snapshot. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Bound>,
    /// A configured ceiling on top of `max` (the lower of the two applies). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    /// Largest |value − current| one action may make (> 0). Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_step: Option<f64>,
    /// Token-bucket rate limit shared by every target of the kind. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<TokenBucket>,
    /// Minimum time between two approved actions on the same target, in ms (≥ 0). Default 0.
    #[serde(default)]
    pub cooldown_ms: f64,
    /// Minimum |value − current| worth applying (≥ 0, ≤ `maxStep`). Default 0.
    #[serde(default)]
    pub hysteresis: f64,
    /// A contract whose preconditions must hold before, and whose postconditions are checked
    /// after, an action of this kind. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<ContractBinding>,
    /// Resources one action consumes (≥ 0 each), for scoring and the budget check. Default: none.
    #[serde(default, deserialize_with = "resource_costs")]
    pub costs: BTreeMap<ResourceType, f64>,
    /// Credits of benefit per unit of signal strength (≥ 0), for scoring. Default 10.
    #[serde(default = "default_benefit_per_strength")]
    pub benefit_per_strength: f64,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Default of [`ActionKindConfig::benefit_per_strength`].
pub const DEFAULT_BENEFIT_PER_STRENGTH: f64 = 10.0;

fn default_benefit_per_strength() -> f64 {
    DEFAULT_BENEFIT_PER_STRENGTH
}

/// Where the value of a proposal is and what it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct ValueSpec {
    /// The parameter holding the number. Default `value`.
    #[serde(default = "default_param")]
    pub param: String,
    /// How the number is applied to the current value. Default `absolute`.
    #[serde(default)]
    pub mode: ValueMode,
    /// Variable template of the current value in the snapshot (e.g. `{target}.power_limit_w`).
    /// Default: none (only the value last approved, or `initial`, is known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// The current value to assume when nothing else tells it. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial: Option<f64>,
}

fn default_param() -> String {
    "value".to_string()
}

impl Default for ValueSpec {
    fn default() -> Self {
        ValueSpec {
            param: default_param(),
            mode: ValueMode::default(),
            current: None,
            initial: None,
        }
    }
}

/// Which way a value moves to keep the machine within its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SafeDirection {
    /// Lower is safer (power limits, frequency ceilings, quotas).
    Decrease,
    /// Higher is safer (fan speed).
    Increase,
}

impl SafeDirection {
    /// Whether going from `previous` to `value` moves this way (no previous value: no).
    pub fn allows(self, previous: Option<f64>, value: f64) -> bool {
        match (self, previous) {
            (SafeDirection::Decrease, Some(p)) => value < p,
            (SafeDirection::Increase, Some(p)) => value > p,
            (_, None) => false,
        }
    }
}

/// How a proposal's number becomes the new value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueMode {
    /// The number is the new value.
    #[default]
    Absolute,
    /// The new value is current + number.
    Delta,
    /// The new value is current × number.
    Factor,
}

impl ValueMode {
    /// The string used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            ValueMode::Absolute => "absolute",
            ValueMode::Delta => "delta",
            ValueMode::Factor => "factor",
        }
    }
}

/// `costs` read with string keys first, so a bad value is reported at its key
/// (`….costs.cpu_cores`, as zod does) and an unknown resource at the map.
fn resource_costs<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<ResourceType, f64>, D::Error> {
    let raw = BTreeMap::<String, f64>::deserialize(d)?;
    let mut out = BTreeMap::new();
    for (key, cost) in raw {
        let Some(resource) = ResourceType::parse(&key) else {
            let known: Vec<&str> = ResourceType::ALL.iter().map(|r| r.as_str()).collect();
            return Err(de::Error::custom(format!(
                "unknown resource `{key}`, expected one of {}",
                known.join(", ")
            )));
        };
        out.insert(resource, cost);
    }
    Ok(out)
}

/// A bound: a fixed number, or a variable template read from the snapshot for the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Bound {
    /// A fixed number.
    Number(f64),
    /// A variable template such as `{target}.power_min_w`.
    Variable(String),
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Number(x) => write!(f, "{x}"),
            Bound::Variable(v) => f.write_str(v),
        }
    }
}

/// A token bucket: up to `burst` actions at once, refilled at `perSecond` tokens per second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct TokenBucket {
    /// Capacity of the bucket (≥ 1); the bucket starts full.
    pub burst: f64,
    /// Refill rate in tokens per second (> 0).
    pub per_second: f64,
}

/// A contract and how its variables are bound for an action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct ContractBinding {
    /// The contract's name (must be in the engine's contract set).
    pub name: String,
    /// Contract variable → `$value` (the new value), `$previous` (the value it replaces) or a
    /// variable template read from the snapshot. Variables not bound are read from the
    /// snapshot by their own name. Default: none.
    #[serde(default)]
    pub bind: BTreeMap<String, String>,
}

/// A binding source that is the new value.
pub const BIND_VALUE: &str = "$value";
/// A binding source that is the value replaced.
pub const BIND_PREVIOUS: &str = "$previous";

objects_only!(
    GateConfig,
    ActionKindConfig,
    ValueSpec,
    TokenBucket,
    ContractBinding
);

impl GateConfig {
    /// Parses and validates a gate document (the value of `gate` in `engine.json`). Errors name
    /// the JSON path from the gate document's root, e.g. `$.actions.cpu_freq.maxStep`.
    pub fn from_json(text: &str) -> Result<GateConfig, GateError> {
        let value = parse_value(text)?;
        GateConfig::from_value(&value)
    }

    /// Decodes and validates an already parsed JSON value (paths as in [`GateConfig::from_json`]).
    pub fn from_value(value: &serde_json::Value) -> Result<GateConfig, GateError> {
        let config: GateConfig =
            serde_path_to_error::deserialize(value).map_err(|e| decode_error(&e))?;
        config.validate()?;
        Ok(config)
    }

    /// The semantic rules (see `docs/gate.md`), paths from `$`.
    pub fn validate(&self) -> Result<(), GateError> {
        validate_config(self)
    }

    /// The semantic rules, paths from `root` (e.g. `$.gate` inside `engine.json`).
    pub fn validate_at(&self, root: &str) -> Result<(), GateError> {
        self.validate().map_err(|e| e.under(root))
    }
}

/// Parses text into a JSON tree ([`crate::json_paths`]: malformed JSON at `$`, a number too
/// large for a double at its own path).
fn parse_value(text: &str) -> Result<serde_json::Value, GateError> {
    crate::json_paths::parse_value(text).map_err(|p| GateError::at(p.path, p.message))
}

/// A typed-decoding error with its path; a missing field is named at the field, as zod does.
fn decode_error(e: &serde_path_to_error::Error<serde_json::Error>) -> GateError {
    let p = crate::json_paths::decode_problem("$", e);
    GateError::at(p.path, p.message)
}

pub use crate::json_paths::key_path;
