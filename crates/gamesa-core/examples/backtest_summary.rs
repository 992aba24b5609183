//! Prints the backtest summary of every shipped scenario for an engine config (policy vs
//! both baselines), for tuning and for the figures in the issue notes; then, per scenario,
//! how often the policy's total grant of each resource (`grants.<resource>` in the series)
//! changed per tick over the second half of the run (the market must settle: ≤ 0.05), and
//! its power-cap overshoot and time above thermal limits.
//! Run: cargo run --release -p gamesa-core --example backtest_summary [-- samples/engine.json]

use gamesa_core::engine::{Baseline, EngineConfig, backtest};
use gamesa_core::sim::{Scenario, builtin_scenarios};
use gamesa_core::types::ResourceType;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "samples/engine.json".to_string());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2)
    });
    let mut settle = Vec::new();
    for (name, json) in builtin_scenarios() {
        let scenario = Scenario::from_json(json).expect("shipped scenarios parse");
        for baseline in [Baseline::None, Baseline::Static] {
            let config = EngineConfig::from_json(&text).unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(1)
            });
            let report = backtest(&scenario, config, baseline).expect("backtest runs");
            println!("{name} (baseline {baseline:?})");
            if baseline == Baseline::Static {
                settle.push((name, report.runs[0].result.clone()));
            }
            for run in &report.runs {
                println!(
                    "  {:<8} {}",
                    run.label,
                    serde_json::to_string(&run.result.summary).unwrap()
                );
            }
        }
    }
    println!();
    println!("grant changes per tick over the second half (policy), power cap W·s, thermal s");
    for (name, run) in settle {
        let mut line = format!("{name:<24}");
        for r in ResourceType::ALL {
            let key = format!("grants.{r}");
            let flaps = run
                .series
                .extra
                .get(&key)
                .map_or(0.0, |v| changes_per_tick(v));
            line += &format!(" {r}={flaps:.4}");
        }
        let s = &run.summary;
        line += &format!(
            " cap_overshoot={:.1}Ws/{:.1}s above_thermal={:.1}s",
            s.power_cap_overshoot_ws, s.power_cap_overshoot_s, s.seconds_above_thermal_limit
        );
        println!("{line}");
    }
}

/// Changes from one tick to the next over the second half of `v`, per tick.
fn changes_per_tick(v: &[f64]) -> f64 {
    let half = v.len() / 2;
    if v.len() - half < 2 {
        return 0.0;
    }
    let changes = v[half..].windows(2).filter(|w| w[0] != w[1]).count();
    changes as f64 / (v.len() - half) as f64
}
