//! Rule evaluation (target: 1,000 rules over a 256-variable snapshot ≤ 50 µs per
//! evaluation).
//!
//! The variables are the telemetry catalog sized to 256 (153 cores, 8 GPUs). The 1,000 rules
//! are rule-like expressions of the samples' shapes over random variables and thresholds: a
//! quarter with hysteresis, a third with a signal strength, every tenth in shadow mode, all
//! with cooldowns. The snapshot changes every iteration (a few readings move), time advances
//! by 100 ms, so firings, latches and cooldowns change from one evaluation to the next. The
//! features are benchmarked separately (the 7 sample features).

use criterion::{Criterion, criterion_group, criterion_main};
use gamesa_core::expr::Value;
use gamesa_core::features::{FeatureSet, Snapshot, telemetry_catalog_for};
use gamesa_core::rules::RuleSet;
use std::hint::black_box;

const RULES: usize = 1000;

/// A cheap deterministic pseudo-random sequence (xorshift).
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn rule_json(i: usize, rng: &mut u64) -> String {
    let g = next(rng) % 8;
    let c = next(rng) % 153;
    let thr = 60 + next(rng) % 40;
    let ratio = (next(rng) % 100) as f64 / 100.0;
    let when = match i % 5 {
        0 => format!("gpu{g}.temp_c > {thr}.0 && gpu{g}.power_w > 0.9 * gpu{g}.power_limit_w"),
        1 => format!("cpu.core{c}.util > {ratio} || thermal.cpu_c >= {thr}.0"),
        2 => format!("mem.used_ratio > {ratio} && mem.psi_some_avg10 > 10.0"),
        3 => format!("cpu.util > {ratio} && gpu{g}.util < 0.5 && thermal.headroom_c > 10.0"),
        _ => format!("gpu{g}.util < 0.2 && gpu{g}.sm_clock_mhz > 1500.0 && gpu.count > 0"),
    };
    let mut extra = String::new();
    if i.is_multiple_of(4) {
        extra.push_str(&format!(
            r#","hysteresis":{{"releaseWhen":"thermal.cpu_c < {}.0"}}"#,
            thr - 5
        ));
    }
    if i.is_multiple_of(3) {
        extra.push_str(&format!(
            r#","emitsSignal":{{"kind":"thermal_warning","strength":"clamp((gpu{g}.temp_c - 60.0) / 40.0, 0.0, 1.0)"}}"#
        ));
    }
    let mode = if i % 10 == 9 { "shadow" } else { "active" };
    let priority = ["low", "normal", "high", "critical"][i % 4];
    format!(
        r#"{{"id":"r{i:04}","domain":"thermal","priority":"{priority}","mode":"{mode}","when":"{when}",
            "action":{{"kind":"act","target":"gpu{g}"}},"cooldownMs":{}{extra}}}"#,
        100 * (i % 7)
    )
}

/// The value of a variable for a uniform `x` in [0, 1), in the range its unit suggests.
fn reading(name: &str, x: f64) -> Value {
    if name == "gpu.count" {
        Value::Int(8)
    } else if name.ends_with("_c") {
        Value::Double(40.0 + 60.0 * x)
    } else if name.ends_with("_w") {
        Value::Double(100.0 + 300.0 * x)
    } else if name.ends_with("_mhz") || name.ends_with("_mb") {
        Value::Double(3000.0 * x)
    } else if name.ends_with("avg10") {
        Value::Double(40.0 * x)
    } else {
        Value::Double(x)
    }
}

fn fill(snapshot: &mut Snapshot, rng: &mut u64) {
    for slot in 0..snapshot.len() {
        let x = (next(rng) % 10_000) as f64 / 10_000.0;
        snapshot
            .set(slot, reading(&snapshot.name_of(slot), x))
            .unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let env = telemetry_catalog_for(153, 8);
    assert_eq!(env.len(), 256);
    let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
    let rules: Vec<String> = (0..RULES).map(|i| rule_json(i, &mut rng)).collect();
    let mut set = RuleSet::from_json(&format!("[{}]", rules.join(",")), &env).unwrap();
    let mut snapshot = Snapshot::new(&env);
    fill(&mut snapshot, &mut rng);

    let names: Vec<String> = (0..snapshot.len()).map(|i| snapshot.name_of(i)).collect();
    let mut now = 0.0;
    let mut slot = 0usize;
    c.bench_function("rules/evaluate 1000 rules, 256 variables", |b| {
        b.iter(|| {
            // Move one reading per evaluation (within its range) so outcomes vary.
            slot = (slot + 37) % 256;
            let x = (next(&mut rng) % 10_000) as f64 / 10_000.0;
            snapshot.set(slot, reading(&names[slot], x)).unwrap();
            now += 100.0;
            black_box(set.evaluate(black_box(&snapshot), now).unwrap())
        })
    });
    let stats = set.stats();
    println!(
        "  over the run: {} evaluations, {:.1} active and {:.1} shadow firings and {:.1} latched per evaluation, {} errors",
        stats.evaluations,
        stats.active_firings as f64 / stats.evaluations.max(1) as f64,
        stats.shadow_firings as f64 / stats.evaluations.max(1) as f64,
        stats.latched as f64,
        stats.errors
    );

    // Baseline: the same 1,000 `when` expressions evaluated bare (no presence checks,
    // latches, cooldowns, signals or output), to show what the rule machinery adds.
    c.bench_function("rules/baseline: 1000 bare `when` evaluations", |b| {
        b.iter(|| {
            let mut fired = 0u32;
            for r in set.rules() {
                if let Ok(Value::Bool(true)) = r.when().eval_slots(black_box(snapshot.values())) {
                    fired += 1;
                }
            }
            black_box(fired)
        })
    });

    let text = include_str!("../../../samples/scale_presets.json");
    let features = FeatureSet::from_json(text, &env).unwrap();
    let mut fsnap = Snapshot::new(features.env());
    fill_base(&mut fsnap, &snapshot);
    c.bench_function("features/compute 7 sample features", |b| {
        b.iter(|| black_box(features.compute(black_box(&mut fsnap)).unwrap()))
    });
}

/// Copies the base variables of `from` into `to` (whose declarations extend them).
fn fill_base(to: &mut Snapshot, from: &Snapshot) {
    for slot in 0..from.len() {
        if let Some(v) = from.get(slot) {
            to.set(slot, v).unwrap();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
