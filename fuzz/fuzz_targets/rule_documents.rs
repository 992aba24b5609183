//! Arbitrary text as the documents users write besides engine configurations, the first byte
//! choosing which: a rule set (`RuleSet::from_json`, against the telemetry catalog), a feature
//! document (`FeatureSet::from_json`), a contract (`Contract::from_json`), or rules compiled
//! against features (`RulePipeline`, the features read from the same text). Each returns a
//! value or its typed error (`INVALID_RULE`, `INVALID_CONFIG`, `INVALID_CONTRACT`) whose
//! problems all have a JSON path, never a panic. What compiles is run: rules and features are
//! evaluated on a fixed hot snapshot (twice, the same way: determinism), a contract is checked
//! on an empty context and on a full one.
#![no_main]

use gamesa_core::contracts::{ConditionKind, Contract};
use gamesa_core::error::ErrorCode;
use gamesa_core::expr::Value;
use gamesa_core::features::{FeatureSet, Snapshot, telemetry_catalog};
use gamesa_core::rules::{RuleInputs, RulePipeline, RuleSet};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

/// A hot machine: enough for the sample rules and features to do something.
const HOT: [(&str, f64); 8] = [
    ("cpu.util", 0.9),
    ("thermal.cpu_c", 93.0),
    ("thermal.headroom_c", 3.0),
    ("power.total_w", 400.0),
    ("gpu0.util", 0.95),
    ("gpu0.temp_c", 82.0),
    ("gpu0.power_w", 280.0),
    ("gpu0.power_limit_w", 300.0),
];

fn hot(snapshot: &mut Snapshot) {
    for (name, x) in HOT {
        if let Some(slot) = snapshot.env().slot(name) {
            let _ = snapshot.set_f64(slot, x);
        }
    }
}

fn paths_ok(paths: impl Iterator<Item = String>) {
    let mut n = 0;
    for p in paths {
        assert!(
            p.starts_with('$'),
            "a problem path that is not a JSON path: {p}"
        );
        n += 1;
    }
    assert!(n > 0, "an error without a problem");
}

fn rules(text: &str) {
    let env = telemetry_catalog();
    let mut set = match RuleSet::from_json(text, &env) {
        Ok(s) => s,
        Err(e) => {
            assert_eq!(e.code(), "INVALID_RULE");
            paths_ok(e.problems.iter().map(|p| p.path.clone()));
            return;
        }
    };
    let mut snapshot = Snapshot::new(set.env());
    hot(&mut snapshot);
    let first = set.evaluate(&snapshot, 100.0).map(|e| format!("{e:?}"));
    set.reset();
    let second = set.evaluate(&snapshot, 100.0).map(|e| format!("{e:?}"));
    assert_eq!(first.is_ok(), second.is_ok());
    if let (Ok(a), Ok(b)) = (first, second) {
        assert_eq!(a, b, "two evaluations of a reset rule set differ");
    }
}

fn features(text: &str) -> Option<FeatureSet> {
    let features = match FeatureSet::from_json(text, &telemetry_catalog()) {
        Ok(f) => f,
        Err(e) => {
            assert_eq!(e.code(), "INVALID_CONFIG");
            assert!(!e.to_string().is_empty());
            return None;
        }
    };
    let mut snapshot = Snapshot::new(features.env());
    hot(&mut snapshot);
    let mut again = snapshot.clone();
    let a = features.compute(&mut snapshot).map(|r| format!("{r:?}"));
    let b = features.compute(&mut again).map(|r| format!("{r:?}"));
    assert_eq!(a.is_ok(), b.is_ok());
    if a.is_ok() {
        assert_eq!(a.ok(), b.ok());
        assert_eq!(
            format!("{:?}", snapshot.values()),
            format!("{:?}", again.values())
        );
    }
    Some(features)
}

fn contract(text: &str) {
    let contract = match Contract::from_json(text) {
        Ok(c) => c,
        Err(e) => {
            assert_eq!(e.code(), "INVALID_CONTRACT");
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let empty: BTreeMap<String, Value> = BTreeMap::new();
    let full: BTreeMap<String, Value> = contract
        .variables()
        .map(|(name, _)| (name.to_string(), Value::Double(1.5)))
        .collect();
    for kind in [
        ConditionKind::Pre,
        ConditionKind::Post,
        ConditionKind::Invariant,
    ] {
        let _ = contract.check(kind, &empty);
        let a = format!("{:?}", contract.check(kind, &full));
        let b = format!("{:?}", contract.check(kind, &full));
        assert_eq!(a, b);
    }
}

fn pipeline(text: &str) {
    // The features come from the text's `features` member when it has one.
    let Some(features) = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("features").cloned())
        .and_then(|f| features(&serde_json::json!({ "features": f }).to_string()))
    else {
        return;
    };
    let mut p = match RulePipeline::from_json(text, RuleInputs::Features(features)) {
        Ok(p) => p,
        Err(e) => {
            assert_eq!(e.code(), "INVALID_RULE");
            paths_ok(e.problems.iter().map(|p| p.path.clone()));
            return;
        }
    };
    let mut snapshot = Snapshot::new(p.env());
    hot(&mut snapshot);
    let _ = p.evaluate(&mut snapshot, 100.0);
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match which % 4 {
        0 => rules(text),
        1 => {
            features(text);
        }
        2 => contract(text),
        _ => pipeline(text),
    }
});
