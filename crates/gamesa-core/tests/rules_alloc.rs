//! Proves that a tick allocates only for its output: computing features and evaluating rules
//! that neither fire nor fail allocates nothing; firings cost only the output vectors' growth.
//! A counting global allocator wraps the system allocator.

mod counting_alloc;

use counting_alloc::allocations;
use gamesa_core::expr::Value;
use gamesa_core::features::{FeatureSet, Snapshot, telemetry_catalog};
use gamesa_core::rules::RuleSet;

fn samples() -> (FeatureSet, RuleSet) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples");
    let features = FeatureSet::from_json(
        &std::fs::read_to_string(format!("{dir}/scale_presets.json")).unwrap(),
        &telemetry_catalog(),
    )
    .unwrap();
    let mut rules = Vec::new();
    for entry in std::fs::read_dir(format!("{dir}/rules")).unwrap() {
        rules.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    rules.push(std::fs::read_to_string(format!("{dir}/micro_inference_rule.json")).unwrap());
    let set = RuleSet::from_json(&format!("[{}]", rules.join(",")), features.env()).unwrap();
    (features, set)
}

fn reading(snapshot: &mut Snapshot, cpu_c: f64, gpu_util: f64) {
    snapshot.clear();
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
        snapshot.set_named(name, Value::Double(v)).unwrap();
    }
}

#[test]
fn a_quiet_tick_allocates_nothing_and_firings_only_their_output() {
    let (features, mut rules) = samples();
    let mut snapshot = Snapshot::new(features.env());

    // A calm machine: every variable the rules read is present, nothing fires.
    reading(&mut snapshot, 50.0, 0.7);
    let before = allocations();
    for tick in 0..1000 {
        snapshot
            .set_named("thermal.cpu_c", Value::Double(50.0 + f64::from(tick % 5)))
            .unwrap();
        let report = features.compute(&mut snapshot).unwrap();
        assert!(report.is_clean());
        let out = rules.evaluate(&snapshot, f64::from(tick) * 100.0).unwrap();
        assert!(out.active.is_empty() && out.shadow.is_empty() && out.errors.is_empty());
    }
    assert_eq!(allocations() - before, 0, "a quiet tick allocated");

    // A hot, busy machine: the latched thermal guard fires every tick (cooldown 2 s < 10 s),
    // the shadow trial every third (cooldown 30 s); at most one firing per list, so a tick
    // allocates at most the two output vectors.
    reading(&mut snapshot, 95.0, 0.1);
    features.compute(&mut snapshot).unwrap();
    let before = allocations();
    let mut fired = 0;
    for tick in 0..100 {
        let out = rules
            .evaluate(&snapshot, 1e6 + f64::from(tick) * 10_000.0)
            .unwrap();
        assert!(out.errors.is_empty());
        fired += out.active.len() + out.shadow.len();
    }
    assert_eq!(fired, 100 + 34);
    assert!(
        allocations() - before <= 200,
        "{} allocations",
        allocations() - before
    );
}
