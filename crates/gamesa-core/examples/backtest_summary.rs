//! Prints the backtest summary of every shipped scenario for an engine config (policy vs
//! both baselines), for tuning and for the figures in the issue notes.
//! Run: cargo run --release -p gamesa-core --example backtest_summary [-- samples/engine.json]

use gamesa_core::sim::{Scenario, builtin_scenarios};
use gamesa_core::stream::{Baseline, EngineConfig, backtest};

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "samples/engine.json".to_string());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2)
    });
    for (name, json) in builtin_scenarios() {
        let scenario = Scenario::from_json(json).expect("shipped scenarios parse");
        for baseline in [Baseline::None, Baseline::Static] {
            let config = EngineConfig::from_json(&text).unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(1)
            });
            let report = backtest(&scenario, config, baseline).expect("backtest runs");
            println!("{name} (baseline {baseline:?})");
            for run in &report.runs {
                println!(
                    "  {:<8} {}",
                    run.label,
                    serde_json::to_string(&run.result.summary).unwrap()
                );
            }
        }
    }
}
