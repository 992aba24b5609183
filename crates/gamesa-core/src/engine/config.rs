//! The engine's one JSON configuration (`samples/engine.json`, schema
//! `schemas/engine.schema.json`): pools, market, agents, features, rules, contracts, invariants,
//! gate and signal options. Each section is decoded by its own module's decoder, so a section
//! means the same here as in its own file; every problem of every section is reported at once,
//! each with its JSON path from the document root.

use super::agents_config::{AgentsSection, BidOrigin, BidSetting, written_path};
use super::error::EngineError;
use crate::allocation::AllocatorConfig;
use crate::contracts::{ContractDef, VarType};
use crate::features::{FeatureDef, Preset, Problem, ScalePresets};
use crate::gate::GateConfig;
use crate::market::{AgentDef, MarketConfig};
use crate::rules::Rule;
use crate::types::ResourceType;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Default nominal tick spacing: 10 Hz.
pub const DEFAULT_TICK_MS: f64 = 100.0;

/// The whole configuration, decoded. Expressions are compiled by [`super::Engine::new`].
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Free text for humans.
    pub description: Option<String>,
    /// Nominal spacing of ticks in ms (the simulator steps by it; a live engine takes each
    /// tick's time as given). Default 100.
    pub tick_ms: f64,
    /// Input variables beyond the telemetry catalog (e.g. `wl.game.frame_ms` from the
    /// simulator), with their types.
    pub variables: BTreeMap<String, VarType>,
    /// The allocator's pools (`pools` section; same form as `samples/allocation_schema.json`).
    pub pools: AllocatorConfig,
    /// Market parameters (`market` section; docs/market.md).
    pub market: MarketConfig,
    /// The agents that bid and act (`agents` section), bids repeated per device.
    pub agents: Vec<AgentDef>,
    /// Where each bid of `agents` was written (same indexing as `agents[a].bids`).
    pub bid_origins: Vec<Vec<BidOrigin>>,
    /// The settings bids' grants become.
    pub settings: Vec<BidSetting>,
    /// Features (`presets` and `features` sections; same form as `samples/scale_presets.json`).
    pub features: ScalePresets,
    /// Rules (`rules` section; docs/rules.md).
    pub rules: Vec<Rule>,
    /// Contracts besides the built-in `safety_check` (`contracts` section).
    pub contracts: Vec<ContractDef>,
    /// Contracts whose invariants are checked every tick, with their variable bindings.
    pub invariants: Vec<InvariantBinding>,
    /// Per-action-kind limits (`gate` section; docs/gate.md).
    pub gate: GateConfig,
    /// Signal queue options.
    pub signals: SignalOptions,
    /// Pools whose capacity follows a telemetry variable every tick (e.g.
    /// `{"thermal_headroom": "thermal.headroom_c"}`).
    pub capacity_from: BTreeMap<ResourceType, String>,
    /// Audit records kept in memory (older ones have already been output). Default 4096.
    pub audit_retention: usize,
    /// The guardian's reward expression (`reward` section): what one tick's decisions earned,
    /// judged on the next tick. The engine never evaluates it; the experience store does.
    pub reward: Option<String>,
}

/// A contract whose invariants hold every tick, and where its variables come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InvariantBinding {
    /// Name of a contract (built-in `safety_check` or one of `contracts`).
    pub contract: String,
    /// Contract variable → snapshot variable (e.g. `"temp_cpu": "thermal.cpu_c"`).
    #[serde(default)]
    pub bind: BTreeMap<String, String>,
    /// When every bound snapshot variable is absent (the machine has no such sensor at all),
    /// report the check as skipped instead of violated. A sensor that is present but reads
    /// wrong is still caught. Default true; set false to fail closed on missing sensors.
    #[serde(default = "yes")]
    pub skip_without_sensors: bool,
}

fn yes() -> bool {
    true
}

/// Options of the signal queue between rules and the market.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignalOptions {
    /// How long a raised signal stays relevant, ms. Default 1000.
    #[serde(default = "default_signal_ttl")]
    pub ttl_ms: f64,
    /// Signals dequeued (ranked by domain) per tick; the rest wait. Default 32.
    #[serde(
        default = "default_signals_per_tick",
        deserialize_with = "whole_number"
    )]
    pub max_per_tick: usize,
    /// Queue capacity. Default 1024.
    #[serde(default = "default_signal_capacity", deserialize_with = "whole_number")]
    pub capacity: usize,
}

impl Default for SignalOptions {
    fn default() -> Self {
        SignalOptions {
            ttl_ms: default_signal_ttl(),
            max_per_tick: default_signals_per_tick(),
            capacity: default_signal_capacity(),
        }
    }
}

/// A count written as any JSON number with no fractional part (`32` or `32.0`): JavaScript
/// cannot tell the two apart, so the TypeScript side accepts both and so must this one.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let x = f64::deserialize(d)?;
    // 2^53: beyond it a double no longer holds every whole number.
    if x.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(&x) {
        Ok(x as usize)
    } else {
        Err(serde::de::Error::custom(format!(
            "expected a whole number >= 0, got {x}"
        )))
    }
}

fn default_signal_ttl() -> f64 {
    1000.0
}
fn default_signals_per_tick() -> usize {
    32
}
fn default_signal_capacity() -> usize {
    1024
}

/// The document's top level: sections stay JSON until their own decoder reads them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawEngineConfig {
    #[serde(rename = "$schema", default)]
    _schema: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    tick_ms: Option<Json>,
    #[serde(default)]
    variables: Option<Json>,
    #[serde(default)]
    pools: Option<Json>,
    #[serde(default)]
    market: Option<Json>,
    #[serde(default)]
    agents: Option<Json>,
    #[serde(default)]
    presets: Option<Json>,
    #[serde(default)]
    features: Option<Json>,
    #[serde(default)]
    rules: Option<Json>,
    #[serde(default)]
    contracts: Option<Json>,
    #[serde(default)]
    invariants: Option<Json>,
    #[serde(default)]
    gate: Option<Json>,
    #[serde(default)]
    signals: Option<Json>,
    #[serde(default)]
    capacity_from: Option<Json>,
    #[serde(default)]
    audit_retention: Option<Json>,
    #[serde(default)]
    reward: Option<Json>,
}

/// Collects problems while the sections are decoded.
struct Problems(Vec<Problem>);

impl Problems {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem::at(None, path, message));
    }

    /// Decodes `value` as `T`; on failure records the problem at `at` + the inner path.
    fn decode<T: DeserializeOwned>(&mut self, value: &Json, at: &str) -> Option<T> {
        match crate::json_paths::decode_value(value, at) {
            Ok(v) => Some(v),
            Err(p) => {
                self.push(p.path, p.message);
                None
            }
        }
    }

    /// Decodes `value` as the struct `T`, which must be written as an object: serde's derived
    /// structs also take an array of their fields in order (`"signals": [1000, 32]`), a form
    /// nobody writes on purpose and the zod schema rejects.
    fn decode_object<T: DeserializeOwned>(&mut self, value: &Json, at: &str) -> Option<T> {
        if value.is_object() {
            self.decode(value, at)
        } else {
            self.push(at, format!("expected an object, got {value}"));
            None
        }
    }
}

/// Rewrites a path that starts at a section's own root (`$…`) to start at the document's
/// (`$.section…`).
pub(crate) fn rebase(path: &str, at: &str) -> String {
    match path.strip_prefix('$') {
        Some(rest) => format!("{at}{rest}"),
        None => format!("{at}: {path}"),
    }
}

pub(crate) use crate::json_paths::key_path;

/// Rebases every problem of a section decoder.
pub(crate) fn rebase_all(problems: Vec<Problem>, at: &str) -> Vec<Problem> {
    problems
        .into_iter()
        .map(|mut p| {
            p.path = rebase(&p.path, at);
            p
        })
        .collect()
}

/// Parses JSON text like every other document ([`crate::json_paths::parse_value`]): malformed
/// text is one problem at `$` with its line and column, a number too large for a double is
/// named at its own path (as zod names it).
fn parse_json(text: &str) -> Result<Json, EngineError> {
    crate::json_paths::parse_value(text).map_err(|p| EngineError::config(p.path, p.message))
}

impl EngineConfig {
    /// Parses the JSON text of a configuration. Every problem found is reported at once.
    pub fn from_json(text: &str) -> Result<EngineConfig, EngineError> {
        let value = parse_json(text)?;
        EngineConfig::from_value(&value)
    }

    /// Decodes a parsed configuration.
    pub fn from_value(value: &Json) -> Result<EngineConfig, EngineError> {
        if !value.is_object() {
            return Err(EngineError::config(
                "$",
                "expected an engine configuration object",
            ));
        }
        let mut p = Problems(Vec::new());
        let Some(raw) = p.decode::<RawEngineConfig>(value, "$") else {
            return Err(EngineError::InvalidConfig { problems: p.0 });
        };

        let tick_ms = match &raw.tick_ms {
            None => DEFAULT_TICK_MS,
            Some(v) => match v.as_f64() {
                Some(x) if x.is_finite() && x > 0.0 => x,
                _ => {
                    p.push("$.tickMs", format!("expected a number > 0, got {v}"));
                    DEFAULT_TICK_MS
                }
            },
        };
        let variables = raw
            .variables
            .as_ref()
            .and_then(|v| p.decode::<BTreeMap<String, VarType>>(v, "$.variables"))
            .unwrap_or_default();
        for name in variables.keys() {
            if let Some(message) = crate::expr::variable_name_problem(name) {
                p.push(crate::json_paths::key_path("$.variables", name), message);
            }
        }
        let pools = match &raw.pools {
            None => AllocatorConfig::defaults(),
            Some(v) => {
                let doc = serde_json::json!({ "pools": v });
                match AllocatorConfig::from_json(&doc.to_string()) {
                    Ok(c) => c,
                    Err(e) => {
                        p.push(e.path.clone(), e.message.clone());
                        AllocatorConfig::defaults()
                    }
                }
            }
        };
        let market = raw
            .market
            .as_ref()
            .map_or_else(
                || Some(MarketConfig::default()),
                |v| p.decode::<MarketConfig>(v, "$.market"),
            )
            .unwrap_or_default();
        let section = raw
            .agents
            .as_ref()
            .map_or_else(AgentsSection::default, |v| {
                super::agents_config::decode_agents(v, &mut p.0)
            });
        let agents = section.agents;
        let market_error = |p: &mut Problems, e: crate::market::MarketError| match e {
            crate::market::MarketError::Config { path, message } => p.push(path, message),
            other => p.push("$", other.to_string()),
        };
        if raw.market.is_some()
            && let Err(e) = market.validate_at("$.market")
        {
            market_error(&mut p, e);
        }
        if let Err(e) = crate::market::validate_agents_at(&agents, "$.agents") {
            // Paths name the bids as written, not as repeated per device.
            let e = match e {
                crate::market::MarketError::Config { path, message } => {
                    let agent = path
                        .strip_prefix("$.agents[")
                        .and_then(|r| r.split(']').next())
                        .and_then(|i| i.parse::<usize>().ok());
                    let path = agent.map_or(path.clone(), |a| {
                        let origins = section.origins.get(a).map_or(&[][..], |o| &o[..]);
                        written_path(&path, &format!("$.agents[{a}]"), origins)
                    });
                    crate::market::MarketError::Config { path, message }
                }
                other => other,
            };
            market_error(&mut p, e);
        }
        let presets = raw
            .presets
            .as_ref()
            .and_then(|v| p.decode::<BTreeMap<String, Preset>>(v, "$.presets"))
            .unwrap_or_default();
        let features = raw
            .features
            .as_ref()
            .and_then(|v| p.decode::<Vec<FeatureDef>>(v, "$.features"))
            .unwrap_or_default();
        let rules = match &raw.rules {
            None => Vec::new(),
            Some(Json::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| p.decode::<Rule>(item, &format!("$.rules[{i}]")))
                .collect(),
            Some(other) => {
                p.push(
                    "$.rules",
                    format!("expected an array of rules, got {other}"),
                );
                Vec::new()
            }
        };
        let contracts = match &raw.contracts {
            None => Vec::new(),
            Some(Json::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| p.decode::<ContractDef>(item, &format!("$.contracts[{i}]")))
                .collect(),
            Some(other) => {
                p.push(
                    "$.contracts",
                    format!("expected an array of contracts, got {other}"),
                );
                Vec::new()
            }
        };
        let invariants = match &raw.invariants {
            None => vec![default_safety_binding()],
            Some(Json::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| p.decode_object(item, &format!("$.invariants[{i}]")))
                .collect(),
            Some(other) => {
                p.push(
                    "$.invariants",
                    format!("expected an array of invariant bindings, got {other}"),
                );
                Vec::new()
            }
        };
        let gate = match &raw.gate {
            None => GateConfig::default(),
            Some(v) => match GateConfig::from_value(v) {
                Ok(g) => g,
                Err(e) => {
                    let e = e.under("$.gate");
                    p.push(e.path, e.message);
                    GateConfig::default()
                }
            },
        };
        let signals = raw
            .signals
            .as_ref()
            .and_then(|v| p.decode_object::<SignalOptions>(v, "$.signals"))
            .unwrap_or_default();
        if signals.ttl_ms.is_nan() || signals.ttl_ms < 0.0 {
            p.push(
                "$.signals.ttlMs",
                format!("expected a number >= 0, got {}", signals.ttl_ms),
            );
        }
        if signals.capacity == 0 {
            p.push("$.signals.capacity", "expected at least 1");
        }
        let capacity_from = raw
            .capacity_from
            .as_ref()
            .and_then(|v| p.decode::<BTreeMap<String, Json>>(v, "$.capacityFrom"))
            .map(|entries| capacity_sources(&mut p, entries))
            .unwrap_or_default();
        let audit_retention = match &raw.audit_retention {
            None => 4096,
            // Any whole number ≥ 1, `4096` or `4096.0` alike (as JavaScript reads them).
            Some(v) => match v.as_f64() {
                Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_992.0 => {
                    n as usize
                }
                _ => {
                    p.push(
                        "$.auditRetention",
                        format!("expected a whole number >= 1, got {v}"),
                    );
                    4096
                }
            },
        };
        let reward = match &raw.reward {
            None | Some(Json::Null) => None,
            Some(Json::String(source)) => Some(source.clone()),
            Some(v) => {
                p.push(
                    "$.reward",
                    format!("expected an expression (a string), got {v}"),
                );
                None
            }
        };
        if !p.0.is_empty() {
            return Err(EngineError::InvalidConfig { problems: p.0 });
        }
        Ok(EngineConfig {
            description: raw.description,
            tick_ms,
            variables,
            pools,
            market,
            agents,
            bid_origins: section.origins,
            settings: section.settings,
            features: ScalePresets {
                schema: None,
                description: None,
                presets,
                features,
            },
            rules,
            contracts,
            invariants,
            gate,
            signals,
            capacity_from,
            audit_retention,
            reward,
        })
    }
}

/// The `capacityFrom` entries, read key by key so a bad resource name or a value that is not
/// a string is reported at its own key (`$.capacityFrom.disk`), as the zod schema reports it;
/// decoding the map as `BTreeMap<ResourceType, String>` would name only `$.capacityFrom`.
fn capacity_sources(
    p: &mut Problems,
    entries: BTreeMap<String, Json>,
) -> BTreeMap<ResourceType, String> {
    let mut out = BTreeMap::new();
    for (key, value) in entries {
        let at = key_path("$.capacityFrom", &key);
        let Some(resource) = ResourceType::parse(&key) else {
            let known: Vec<&str> = ResourceType::ALL.iter().map(|r| r.as_str()).collect();
            p.push(
                at,
                format!(
                    "unknown resource `{key}`, expected one of {}",
                    known.join(", ")
                ),
            );
            continue;
        };
        match value {
            Json::String(variable) => {
                out.insert(resource, variable);
            }
            other => p.push(
                at,
                format!("expected a variable name (a string), got {other}"),
            ),
        }
    }
    out
}

/// The built-in safety contract bound to the catalog's CPU and GPU 0 temperatures.
pub fn default_safety_binding() -> InvariantBinding {
    InvariantBinding {
        contract: crate::contracts::SAFETY_CONTRACT_NAME.to_string(),
        bind: BTreeMap::from([
            ("temp_cpu".to_string(), "thermal.cpu_c".to_string()),
            ("temp_gpu".to_string(), "gpu0.temp_c".to_string()),
        ]),
        skip_without_sensors: true,
    }
}

/// What a configuration's absent fields become, as JSON: `{"tickMs", "pools", "market" (with
/// `initialPrice`, the price of a resource whose `initialPrices` entry is absent), "gate":
/// {"benefitPerStrength"}}` (the TypeScript layer reads its defaults from here).
pub fn config_defaults() -> serde_json::Value {
    let mut market = serde_json::to_value(crate::market::MarketConfig::default())
        .unwrap_or(serde_json::Value::Null);
    if let Some(fields) = market.as_object_mut() {
        let initial = crate::market::config::DEFAULT_INITIAL_PRICE;
        fields.insert("initialPrice".to_string(), initial.into());
    }
    serde_json::json!({
        "tickMs": DEFAULT_TICK_MS,
        "pools": AllocatorConfig::defaults().pools,
        "market": market,
        "gate": { "benefitPerStrength": crate::gate::DEFAULT_BENEFIT_PER_STRENGTH },
    })
}
