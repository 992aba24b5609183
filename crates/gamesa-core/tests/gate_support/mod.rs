//! Shared by the gate tests: the sample configuration, its contracts, and the corpus fixture
//! (default snapshot, grants, free capacity, prices and balance) from samples/gate/.

#![allow(dead_code)] // each test binary uses a different part of this module

use gamesa_core::contracts::{Contract, ContractSet};
use gamesa_core::effects::{Effect, EffectChecker, GrantOptions};
use gamesa_core::expr::Value;
use gamesa_core::gate::{ActionGate, GateConfig};
use gamesa_core::{PerResource, ResourceType};
use serde_json::Value as Json;
use std::collections::BTreeMap;

pub const GATE_JSON: &str = include_str!("../../../../samples/gate/gate.json");
pub const CONTRACTS_JSON: &str = include_str!("../../../../samples/gate/contracts.json");
pub const CORPUS_JSON: &str = include_str!("../../../../samples/gate/unsafe_actions.json");

pub fn config() -> GateConfig {
    GateConfig::from_json(GATE_JSON).unwrap_or_else(|e| panic!("samples/gate/gate.json: {e}"))
}

pub fn contracts() -> ContractSet {
    let mut set = ContractSet::with_safety();
    let list: Vec<Json> = serde_json::from_str(CONTRACTS_JSON).unwrap();
    for c in list {
        set.register(Contract::from_json(&c.to_string()).unwrap())
            .unwrap();
    }
    set
}

pub fn gate() -> ActionGate {
    ActionGate::new(&config(), &contracts()).unwrap()
}

/// A JSON number or bool as an expression value: integers as `Int`, others as `Double`.
pub fn value(j: &Json) -> Option<Value> {
    match j {
        Json::Bool(b) => Some(Value::Bool(*b)),
        Json::Number(n) => Some(
            n.as_i64()
                .map_or_else(|| Value::Double(n.as_f64().unwrap_or(f64::NAN)), Value::Int),
        ),
        _ => None,
    }
}

/// `{"name": number|bool|null}` applied over `base` (null removes the name).
pub fn snapshot(base: &mut BTreeMap<String, Value>, overrides: Option<&Json>) {
    if let Some(Json::Object(m)) = overrides {
        for (k, v) in m {
            match value(v) {
                Some(v) => {
                    base.insert(k.clone(), v);
                }
                None => {
                    base.remove(k);
                }
            }
        }
    }
}

/// `{"cpu_cores": number, …}` applied over `base`.
pub fn per_resource(base: &mut PerResource<f64>, overrides: Option<&Json>) {
    if let Some(Json::Object(m)) = overrides {
        for (k, v) in m {
            let r = ResourceType::parse(k).unwrap_or_else(|| panic!("resource {k}"));
            base[r] = v.as_f64().unwrap();
        }
    }
}

/// A checker holding `grants` (`[{agent, effects, targets?, expiresAtMs?}]`), made at time 0.
pub fn checker(grants: &Json) -> EffectChecker {
    let mut c = EffectChecker::new();
    for g in grants.as_array().unwrap() {
        let effects: Vec<Effect> = g["effects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| Effect::parse(e.as_str().unwrap()).unwrap())
            .collect();
        let options = GrantOptions {
            expires_at_ms: g.get("expiresAtMs").and_then(Json::as_u64),
            targets: g.get("targets").map(|t| {
                t.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect()
            }),
        };
        c.grant(g["agent"].as_str().unwrap(), &effects, options, 0)
            .unwrap();
    }
    c
}

/// The corpus defaults.
pub struct Fixture {
    pub doc: Json,
    pub snapshot: BTreeMap<String, Value>,
    pub free: PerResource<f64>,
    pub prices: PerResource<f64>,
    pub balance: Option<f64>,
}

pub fn fixture() -> Fixture {
    let doc: Json = serde_json::from_str(CORPUS_JSON).unwrap();
    let mut snap = BTreeMap::new();
    snapshot(&mut snap, Some(&doc["snapshot"]));
    let mut free = PerResource::splat(0.0);
    per_resource(&mut free, Some(&doc["free"]));
    let mut prices = PerResource::splat(1.0);
    per_resource(&mut prices, Some(&doc["prices"]));
    let balance = doc["balance"].as_f64();
    Fixture {
        doc,
        snapshot: snap,
        free,
        prices,
        balance,
    }
}
