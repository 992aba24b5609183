//! A recorded backtest (the experience store's source): one line per tick of the policy run,
//! holding the telemetry the engine saw, its whole tick output and what the plant made of each
//! approved action; the report is the same as an unrecorded backtest's, byte for byte.

use gamesa_core::engine::{Baseline, EngineConfig, backtest, backtest_recorded};
use gamesa_core::sim::{Scenario, builtin_scenarios};
use serde_json::Value;

fn scenario(name: &str) -> Scenario {
    let (_, json) = builtin_scenarios()
        .into_iter()
        .find(|(n, _)| *n == name)
        .expect("a shipped scenario");
    Scenario::from_json(json).expect("shipped scenarios parse")
}

fn sample_config() -> EngineConfig {
    EngineConfig::from_json(include_str!("../../../samples/engine.json")).expect("sample config")
}

#[test]
fn one_line_per_tick_and_the_same_report() {
    let s = scenario("game_and_compile");
    let plain = backtest(&s, sample_config(), Baseline::Static).expect("backtest");
    let (report, lines) =
        backtest_recorded(&s, sample_config(), Baseline::Static).expect("recorded backtest");
    assert_eq!(
        serde_json::to_string(&plain).unwrap(),
        serde_json::to_string(&report).unwrap()
    );
    let ticks = report.runs[0].result.summary.ticks as usize;
    assert_eq!(lines.len(), ticks);
    let mut applied = 0;
    for (i, line) in lines.iter().enumerate() {
        let v: Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(v["output"]["tick"].as_u64(), Some(i as u64 + 1), "line {i}");
        assert!(v["values"]["cpu.util"].is_number(), "line {i}");
        let approved = v["output"]["approved"].as_array().expect("approved").len();
        let outcomes = v["outcomes"].as_array().expect("outcomes");
        assert_eq!(outcomes.len(), approved, "line {i}");
        applied += outcomes.iter().filter(|o| o.is_null()).count();
    }
    assert_eq!(
        applied as u64,
        report.runs[0].result.summary.actions_applied
    );
    // Deterministic.
    let (_, again) = backtest_recorded(&s, sample_config(), Baseline::Static).expect("again");
    assert_eq!(lines, again);
}

#[test]
fn the_reward_expression_is_kept_and_must_be_a_string() {
    assert!(sample_config().reward.is_some());
    let mut config: Value =
        serde_json::from_str(include_str!("../../../samples/engine.json")).unwrap();
    config["reward"] = Value::from(5);
    let err = EngineConfig::from_json(&config.to_string()).unwrap_err();
    assert!(err.to_string().contains("$.reward"), "{err}");
    config["reward"] = Value::Null;
    assert!(
        EngineConfig::from_json(&config.to_string())
            .unwrap()
            .reward
            .is_none()
    );
}
