//! The backtest suite on the shipped scenarios: every scenario states a problem that a static
//! setting solves (its baseline is safe and meets the priority workload's deadlines), so each
//! line a policy is judged by can be met; the suite's rows are deterministic.
//! `cargo run --release -p gamesa-core --example backtest_suite` prints the table.

use gamesa_core::engine::{EngineConfig, suite};
use gamesa_core::sim::{Scenario, builtin_scenarios};

fn shipped() -> Vec<Scenario> {
    builtin_scenarios()
        .into_iter()
        .map(|(_, json)| Scenario::from_json(json).expect("shipped scenarios parse"))
        .collect()
}

fn sample_config() -> EngineConfig {
    EngineConfig::from_json(include_str!("../../../samples/engine.json")).expect("sample config")
}

#[test]
fn every_shipped_scenario_has_a_safe_static_setting_and_a_priority_workload() {
    let scenarios = shipped();
    assert!(
        scenarios.len() >= 9,
        "three original scenarios and six more"
    );
    let rows = suite(&scenarios, &sample_config()).expect("the suite runs");
    for row in &rows {
        assert!(row.priority_workload.is_some(), "{}", row.scenario);
        assert!(
            row.static_settings.is_safe(),
            "{}: {:?}",
            row.scenario,
            row.static_settings
        );
        assert_eq!(
            row.static_settings.priority_deadline_misses, 0,
            "{}",
            row.scenario
        );
        assert!(
            row.static_settings.priority_throughput > 0.0,
            "{}",
            row.scenario
        );
    }
    // Most scenarios are a problem when nothing is done (that is why they ship).
    let unsafe_or_late = rows
        .iter()
        .filter(|r| !r.none.is_safe() || r.none.priority_deadline_misses > 0)
        .count();
    assert!(unsafe_or_late >= 7, "{unsafe_or_late} of {}", rows.len());
}

#[test]
fn the_suite_is_deterministic() {
    let scenarios = shipped();
    let a = serde_json::to_string(&suite(&scenarios, &sample_config()).unwrap()).unwrap();
    let b = serde_json::to_string(&suite(&scenarios, &sample_config()).unwrap()).unwrap();
    assert_eq!(a, b);
}

/// The hard limits: with the shipped configuration, no scenario spends a moment above a
/// thermal limit or a watt-second over its power cap (the grants of the power pool are the
/// devices' power limits, lowered in the tick the draw is measured).
#[test]
fn the_sample_policy_keeps_every_cap_and_thermal_limit() {
    let rows = suite(&shipped(), &sample_config()).expect("the suite runs");
    for row in &rows {
        assert!(
            row.policy.is_safe(),
            "{}: {} s above a thermal limit, {} W·s over the cap",
            row.scenario,
            row.policy.seconds_above_thermal_limit,
            row.policy.power_cap_overshoot_ws
        );
        assert!(row.checks.safe, "{}", row.scenario);
    }
}

/// The sample policy against the static settings, line by line: every scenario passes every
/// line (BENCHMARKS.md has the table).
#[test]
fn the_sample_policy_passes_every_line_on_every_scenario() {
    let rows = suite(&shipped(), &sample_config()).expect("the suite runs");
    let failing: Vec<&str> = rows
        .iter()
        .filter(|r| !r.checks.pass())
        .map(|r| r.scenario.as_str())
        .collect();
    assert!(failing.is_empty(), "failing: {failing:?}");
}
