//! Workload roles: the priority workload is also published as `wl.priority.*`, the others as
//! the group `wl.background.*`, and actuations may target `priority` or `background`, so one
//! engine configuration governs any scenario, whatever its workloads are called.

use gamesa_core::ErrorCode;
use gamesa_core::engine::{EngineConfig, suite_row};
use gamesa_core::sim::{Actuation, Plant, Scenario, builtin_scenario};
use std::collections::BTreeMap;

fn builtin(name: &str) -> Scenario {
    builtin_scenario(name).expect("shipped").expect("valid")
}

fn at(t: &BTreeMap<String, f64>, k: &str) -> f64 {
    *t.get(k).unwrap_or_else(|| panic!("telemetry lacks {k}"))
}

/// `game_and_compile` with its workloads renamed.
fn renamed() -> Scenario {
    let text = include_str!("../../../samples/scenarios/game_and_compile.json")
        .replace("\"name\": \"game\"", "\"name\": \"player\"")
        .replace("\"name\": \"compile\"", "\"name\": \"make_j16\"")
        .replace("\"target\": \"game\"", "\"target\": \"player\"");
    Scenario::from_json(&text).expect("valid")
}

#[test]
fn the_priority_workload_is_published_under_its_role_too() {
    let s = builtin("game_and_compile");
    let mut p = Plant::new(&s).unwrap();
    p.step(10_000.0);
    let t = p.telemetry();
    for field in [
        "active",
        "cpu_cores",
        "cpu_weight",
        "pinned_cores",
        "frame_ms",
        "fps",
        "deadline_miss_rate",
    ] {
        assert_eq!(
            at(&t, &format!("wl.priority.{field}")),
            at(&t, &format!("wl.game.{field}")),
            "{field}"
        );
    }
    // The background group: sums over the compile and the browser.
    let sum = at(&t, "wl.compile.cpu_cores") + at(&t, "wl.browser.cpu_cores");
    assert!((at(&t, "wl.background.cpu_cores") - sum).abs() < 1e-9);
    assert_eq!(at(&t, "wl.background.active"), 1.0);
    let heaviest = at(&t, "wl.compile.cpu_weight").max(at(&t, "wl.browser.cpu_weight"));
    assert_eq!(at(&t, "wl.background.cpu_weight"), heaviest);
    assert!(
        !t.contains_key("wl.background.cpu_quota"),
        "no background workload has a quota"
    );
}

#[test]
fn role_targets_reach_the_workloads_of_the_role() {
    let s = builtin("game_and_compile");
    let mut p = Plant::new(&s).unwrap();
    p.apply(&Actuation::new("set_cpu_weight", "priority", 4000.0))
        .unwrap();
    p.apply(&Actuation::new("set_cpu_quota", "background", 3.0))
        .unwrap();
    p.apply(&Actuation::new("pin_cores", "priority", 2.0))
        .unwrap();
    p.step(10_000.0);
    let t = p.telemetry();
    assert_eq!(at(&t, "wl.game.cpu_weight"), 4000.0);
    assert_eq!(at(&t, "wl.game.pinned_cores"), 2.0);
    assert_eq!(at(&t, "wl.compile.cpu_quota"), 3.0);
    assert_eq!(at(&t, "wl.browser.cpu_quota"), 3.0);
    assert_eq!(at(&t, "wl.background.cpu_quota"), 3.0);
    // A group cannot be pinned; the plant is unchanged by a refused actuation.
    let err = p
        .apply(&Actuation::new("pin_cores", "background", 1.0))
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ACTUATION");
    assert!(err.to_string().contains("one workload"), "{err}");
}

#[test]
fn a_scenario_without_a_priority_workload_refuses_the_priority_target() {
    let mut s = builtin("game_and_compile");
    for w in &mut s.workloads {
        w.priority = false;
    }
    let mut p = Plant::new(&s).unwrap();
    let err = p
        .apply(&Actuation::new("set_cpu_weight", "priority", 400.0))
        .unwrap_err();
    assert!(err.to_string().contains("no priority workload"), "{err}");
    // Every workload is then background.
    p.apply(&Actuation::new("set_cpu_weight", "background", 50.0))
        .unwrap();
    p.step(1_000.0);
    assert_eq!(at(&p.telemetry(), "wl.game.cpu_weight"), 50.0);
}

#[test]
fn role_names_are_reserved() {
    let text = include_str!("../../../samples/scenarios/game_and_compile.json")
        .replace("\"name\": \"compile\"", "\"name\": \"background\"");
    let err = Scenario::from_json(&text).unwrap_err();
    assert_eq!(err.code(), "INVALID_SCENARIO");
    assert!(err.to_string().contains("$.workloads[1].name"), "{err}");
}

#[test]
fn the_sample_config_governs_a_scenario_whatever_its_workloads_are_called() {
    let config = EngineConfig::from_json(include_str!("../../../samples/engine.json")).unwrap();
    let original = suite_row(&builtin("game_and_compile"), config.clone()).unwrap();
    let renamed = suite_row(&renamed(), config).unwrap();
    assert_eq!(renamed.policy, original.policy);
    assert!(
        renamed.policy.priority_deadline_misses * 10 < renamed.none.priority_deadline_misses,
        "{:?} vs {:?}",
        renamed.policy,
        renamed.none
    );
}
