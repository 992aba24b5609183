//! Every sample file compiles: the feature set against the telemetry catalog, each rule under
//! `samples/rules/` and `samples/micro_inference_rule.json` against the catalog plus those
//! features, and all of them together as one set that behaves as its descriptions say.

use gamesa_core::expr::Value;
use gamesa_core::features::{FeatureSet, Snapshot, telemetry_catalog};
use gamesa_core::rules::{RuleMode, RuleSet};
use gamesa_core::signals::SignalKind;
use std::path::{Path, PathBuf};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

fn features() -> FeatureSet {
    let text = std::fs::read_to_string(samples().join("scale_presets.json")).unwrap();
    FeatureSet::from_json(&text, &telemetry_catalog()).unwrap()
}

/// `(file name, text)` of every rule sample, in name order.
fn rule_files() -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(samples().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.push(samples().join("micro_inference_rule.json"));
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), text)
        })
        .collect()
}

#[test]
fn every_rule_sample_compiles_and_references_its_schema() {
    let features = features();
    let files = rule_files();
    assert!(files.len() >= 6, "{files:?}");
    for (name, text) in &files {
        let set =
            RuleSet::from_json(text, features.env()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(set.len(), 1, "{name}");
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        let schema = json["$schema"].as_str().unwrap_or_default();
        let expected = if name == "micro_inference_rule.json" {
            "../schemas/rule.schema.json"
        } else {
            "../../schemas/rule.schema.json"
        };
        assert_eq!(schema, expected, "{name}");
    }
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(samples().join("scale_presets.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["$schema"], "../schemas/scale-presets.schema.json");
}

#[test]
fn the_samples_cover_the_promised_situations() {
    let features = features();
    let all: Vec<String> = rule_files().into_iter().map(|(_, t)| t).collect();
    let set = RuleSet::from_json(&format!("[{}]", all.join(",")), features.env()).unwrap();
    let rules: Vec<_> = set.rules().iter().map(|r| &r.rule).collect();
    assert!(
        rules
            .iter()
            .any(|r| r.hysteresis.is_some() && r.id.contains("thermal"))
    );
    assert!(rules.iter().any(|r| r.id.contains("power_trim")));
    assert!(rules.iter().any(|r| r.id.contains("cpu_bottleneck")));
    assert!(rules.iter().any(|r| r.id.contains("memory")));
    assert_eq!(
        rules.iter().filter(|r| r.mode == RuleMode::Shadow).count(),
        1
    );
}

#[test]
fn the_sample_set_reacts_to_a_hot_busy_machine() {
    let features = features();
    let all: Vec<String> = rule_files().into_iter().map(|(_, t)| t).collect();
    let mut set = RuleSet::from_json(&format!("[{}]", all.join(",")), features.env()).unwrap();
    let mut snap = Snapshot::new(features.env());
    let reading = |snap: &mut Snapshot, cpu_c: f64, gpu_util: f64| {
        snap.clear();
        for (name, v) in [
            ("cpu.util", 0.97),
            ("thermal.cpu_c", cpu_c),
            ("thermal.headroom_c", 100.0 - cpu_c),
            ("mem.used_ratio", 0.5),
            ("mem.psi_some_avg10", 0.0),
            ("gpu0.util", gpu_util),
            ("gpu0.temp_c", 60.0),
            ("gpu0.power_w", 200.0),
            ("gpu0.power_limit_w", 400.0),
            ("gpu0.power_min_w", 100.0),
            ("gpu0.sm_clock_mhz", 1800.0),
        ] {
            snap.set_named(name, Value::Double(v)).unwrap();
        }
        assert!(features.compute(snap).unwrap().is_clean());
    };
    reading(&mut snap, 92.0, 0.1);
    let out = set.evaluate(&snap, 0.0).unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let active: Vec<&str> = out.active.iter().map(|f| &*f.id).collect();
    assert_eq!(active, ["cpu_thermal_guard"]);
    assert_eq!(
        out.active[0].signal.unwrap().kind,
        SignalKind::ThermalCritical
    );
    let shadow: Vec<&str> = out.shadow.iter().map(|f| &*f.id).collect();
    assert_eq!(shadow, ["gpu0_idle_downclock"]);
    // Cooler but not below the release point: still latched (held after the cooldown).
    reading(&mut snap, 84.0, 0.1);
    let out = set.evaluate(&snap, 2500.0).unwrap();
    assert!(out.active[0].held && &*out.active[0].id == "cpu_thermal_guard");
    // Cool with headroom: the guard lets go; the bottleneck boost may act.
    reading(&mut snap, 70.0, 0.1);
    let out = set.evaluate(&snap, 5000.0).unwrap();
    let active: Vec<&str> = out.active.iter().map(|f| &*f.id).collect();
    assert_eq!(active, ["cpu_bottleneck_boost"]);
}
