//! The backtest suite of an engine config over every shipped scenario: the policy beside the
//! static settings and the nothing-done run, and the lines it meets (`gamesa backtest --all`
//! prints the same table from the package).
//! Run: cargo run --release -p gamesa-core --example backtest_suite [-- samples/engine.json [scenario…]]

use gamesa_core::engine::{EngineConfig, suite};
use gamesa_core::sim::{Scenario, builtin_scenarios};

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "samples/engine.json".to_string());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2)
    });
    let config = EngineConfig::from_json(&text).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    // Scenario names after the config run only those.
    let only: Vec<String> = std::env::args().skip(2).collect();
    let scenarios: Vec<Scenario> = builtin_scenarios()
        .into_iter()
        .map(|(_, json)| Scenario::from_json(json).expect("shipped scenarios parse"))
        .filter(|s| only.is_empty() || only.contains(&s.name))
        .collect();
    let rows = suite(&scenarios, &config).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    println!(
        "{:<24} {:>5} | {:>9} {:>9} {:>9} | {:>7} {:>7} {:>7} | {:>9} {:>9} {:>9} | {:>6} {:>6} {:>6}",
        "scenario",
        "pass",
        "hot s P",
        "cap Ws P",
        "cap Ws S",
        "miss P",
        "miss S",
        "miss N",
        "prio P",
        "prio S",
        "prio N",
        "tot P",
        "tot S",
        "tot N"
    );
    for r in &rows {
        println!(
            "{:<24} {:>5} | {:>9.1} {:>9.0} {:>9.0} | {:>7} {:>7} {:>7} | {:>9.2} {:>9.2} {:>9.2} | {:>6.2} {:>6.2} {:>6.2}   {}",
            r.scenario,
            r.pass,
            r.policy.seconds_above_thermal_limit,
            r.policy.power_cap_overshoot_ws,
            r.static_settings.power_cap_overshoot_ws,
            r.policy.priority_deadline_misses,
            r.static_settings.priority_deadline_misses,
            r.none.priority_deadline_misses,
            r.policy.priority_throughput,
            r.static_settings.priority_throughput,
            r.none.priority_throughput,
            r.policy.total_throughput,
            r.static_settings.total_throughput,
            r.none.total_throughput,
            serde_json::to_string(&r.checks).unwrap()
        );
        println!(
            "{:<24}       static: hot {:.1} s, cap {:.0} W·s; none: hot {:.1} s, cap {:.0} W·s",
            "",
            r.static_settings.seconds_above_thermal_limit,
            r.static_settings.power_cap_overshoot_ws,
            r.none.seconds_above_thermal_limit,
            r.none.power_cap_overshoot_ws
        );
    }
}
