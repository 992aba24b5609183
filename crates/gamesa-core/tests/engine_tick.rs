//! The engine end to end on the shipped sample config (samples/engine.json): determinism,
//! emergency mode, the market, postcondition rollback, errors.

use gamesa_core::ErrorCode;
use gamesa_core::engine::{Engine, EngineError, TickOutput};
use gamesa_core::gate::RejectReason;
use std::collections::BTreeMap;

const SAMPLE: &str = include_str!("../../../samples/engine.json");

/// A plausible machine reading: a warm CPU, a busy GPU, a game and a compile.
fn reading(t: usize) -> BTreeMap<String, f64> {
    let wave = (t as f64 * 0.3).sin();
    let mut m = BTreeMap::new();
    for (k, v) in [
        ("cpu.util", 0.6 + 0.3 * wave),
        ("cpu.freq_mhz", 3800.0),
        ("cpu.freq_max_mhz", 4000.0),
        ("cpu.load1", 6.0),
        ("mem.used_ratio", 0.5),
        ("thermal.cpu_c", 70.0 + 5.0 * wave),
        ("thermal.headroom_c", 30.0 - 5.0 * wave),
        ("power.cpu_w", 90.0),
        ("power.total_w", 280.0 + 20.0 * wave),
        ("power.cap_w", 300.0),
        ("gpu.count", 1.0),
        ("gpu0.util", 0.9),
        ("gpu0.temp_c", 70.0),
        ("gpu0.power_w", 190.0),
        ("gpu0.power_limit_w", 250.0),
        ("gpu0.power_min_w", 100.0),
        ("gpu0.power_max_w", 350.0),
        ("gpu0.mem_used_mb", 6000.0),
        ("wl.priority.cpu_weight", 100.0),
        ("wl.priority.cpu_quota", 8.0),
        ("wl.priority.pinned_cores", 0.0),
        ("wl.priority.frame_ms", 18.0),
        ("wl.priority.deadline_miss_rate", 0.04 + 0.04 * wave),
        ("wl.background.cpu_weight", 100.0),
        ("wl.background.cpu_quota", 8.0),
    ] {
        m.insert(k.to_string(), v);
    }
    for c in 0..16 {
        m.insert(format!("cpu.core{c}.util"), 0.5 + 0.03 * c as f64);
    }
    m
}

fn run(ticks: usize) -> Vec<String> {
    let mut engine = Engine::from_json(SAMPLE).expect("the sample builds");
    (0..ticks)
        .map(|t| {
            let out = engine
                .tick(&reading(t), 1_000.0 + 100.0 * t as f64)
                .unwrap();
            serde_json::to_string(&out).unwrap()
        })
        .collect()
}

#[test]
fn the_sample_builds_and_ticks() {
    let mut engine = Engine::from_json(SAMPLE).unwrap();
    let out = engine.tick(&reading(0), 1000.0).unwrap();
    assert_eq!(out.tick, 1);
    assert!(out.features.contains_key("feat.cpu_heat"));
    // Both GPU power (the cap is nearly reached) and the game (late frames) have rules.
    assert!(!out.firings.active.is_empty(), "{:?}", out.firings);
    assert!(!out.market.grants.is_empty());
    assert!(!out.allocations.is_empty());
    assert!(!out.audit.is_empty());
    assert!(engine.audit().verify().problem.is_none());
}

#[test]
fn same_inputs_give_byte_identical_outputs() {
    let a = run(200);
    let b = run(200);
    assert_eq!(a, b);
    // And the run does something: actions were approved at some point.
    assert!(a.iter().any(|l| l.contains("\"approved\":[{")));
}

#[test]
fn writing_over_the_last_output_gives_the_same_outputs() {
    let fresh = run(200);
    let mut engine = Engine::from_json(SAMPLE).unwrap();
    let mut out = TickOutput::default();
    for (t, expected) in fresh.iter().enumerate() {
        let now = 1_000.0 + 100.0 * t as f64;
        engine.tick_into(&reading(t), now, &mut out).unwrap();
        assert_eq!(&serde_json::to_string(&out).unwrap(), expected, "tick {t}");
        // A refused tick leaves the output as it was.
        assert!(engine.tick_into(&reading(t), now - 1.0, &mut out).is_err());
        assert!(engine.tick_slots_into(&[1.0], now, &mut out).is_err());
        assert_eq!(&serde_json::to_string(&out).unwrap(), expected, "tick {t}");
    }
}

#[test]
fn an_overheated_cpu_is_an_emergency_where_only_safety_actions_pass() {
    let mut engine = Engine::from_json(SAMPLE).unwrap();
    let mut r = reading(0);
    r.insert("thermal.cpu_c".into(), 97.0);
    r.insert("thermal.headroom_c".into(), 3.0);
    r.insert("wl.priority.deadline_miss_rate".into(), 0.3);
    let out: TickOutput = engine.tick(&r, 1000.0).unwrap();
    assert!(out.emergency);
    assert!(out.signals.iter().any(|s| s.source == "cpu_overheat"));
    // The safety action is approved; performance actions are stopped by the emergency.
    assert!(
        out.approved
            .iter()
            .any(|a| &*a.kind == "set_cpu_freq_max" && a.value == 3200.0),
        "{:?}",
        out.approved
    );
    assert!(
        out.rejected
            .iter()
            .any(|r| r.reason == RejectReason::Emergency),
        "{:?}",
        out.rejected
    );
    assert!(out.approved.iter().all(|a| &*a.kind == "set_cpu_freq_max"));
}

/// The sample with GPU power kept by a rule instead of the power market: the rule trims gpu0
/// by 25 W over 97 % of the cap, an action whose contract checks the draw a tick later.
fn sample_with_trim_rule() -> String {
    let mut doc: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    for agent in doc["agents"].as_array_mut().unwrap() {
        for bid in agent["bids"].as_array_mut().unwrap() {
            bid.as_object_mut().unwrap().remove("sets");
        }
    }
    doc["rules"].as_array_mut().unwrap().push(serde_json::json!({
        "id": "gpu0_power_cap_trim",
        "domain": "power",
        "priority": "high",
        "when": "power.total_w > 0.97 * power.cap_w && gpu0.power_limit_w - 25.0 >= gpu0.power_min_w",
        "action": {"kind": "set_gpu_power_limit", "target": "gpu0", "params": {"deltaW": -25}},
        "cooldownMs": 1000
    }));
    doc.to_string()
}

#[test]
fn a_violated_postcondition_rolls_the_action_back_first() {
    let mut engine = Engine::from_json(&sample_with_trim_rule()).unwrap();
    let mut r = reading(0);
    r.insert("power.total_w".into(), 299.0);
    let out = engine.tick(&r, 1000.0).unwrap();
    let trim = out
        .approved
        .iter()
        .find(|a| &*a.kind == "set_gpu_power_limit")
        .expect("the power trim is approved");
    assert_eq!(trim.value, 225.0);
    assert_eq!(trim.previous, Some(250.0));
    // Next tick the GPU still draws 240 W > 225 × 1.05: the contract's rollback heals.
    let mut r2 = r.clone();
    r2.insert("gpu0.power_w".into(), 240.0);
    r2.insert("gpu0.power_limit_w".into(), 225.0);
    let out2 = engine.tick(&r2, 1100.0).unwrap();
    let post = out2
        .contracts
        .iter()
        .find(|c| c.contract == "gpu_power_settles")
        .expect("postcondition checked");
    assert_eq!(post.status, "violated");
    assert_eq!(post.response, Some("rollback"));
    let first = out2.approved.first().expect("the rollback is approved");
    assert!(first.healing);
    assert_eq!(first.value, 250.0);
}

#[test]
fn ticks_must_not_go_back_in_time() {
    let mut engine = Engine::from_json(SAMPLE).unwrap();
    engine.tick(&reading(0), 1000.0).unwrap();
    let e = engine.tick(&reading(1), 999.0).unwrap_err();
    assert_eq!(e.code(), "INVALID_ARGUMENT");
    assert!(matches!(e, EngineError::InvalidTime { .. }));
    assert!(engine.tick(&reading(1), f64::NAN).is_err());
    let e = engine.tick_slots(&[1.0, 2.0], 1000.0).unwrap_err();
    assert!(e.to_string().contains("expected"));
}

#[test]
fn every_config_problem_is_reported_with_its_path() {
    let mut doc: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    doc["rules"][1]["when"] = "feat.cpu_heat > 0.75 &&".into();
    doc["rules"][2]["when"] = "thermal.cpu_cc < 75.0".into();
    doc["gate"]["actions"]["pin_cores"]["agent"] = "nobody".into();
    doc["invariants"] = serde_json::json!([{ "contract": "no_such_contract" }]);
    doc["agents"][0]["bids"][0]["amount"] = "cpu.util +".into();
    let e = Engine::from_json(&doc.to_string()).unwrap_err();
    assert_eq!(e.code(), "INVALID_ENGINE_CONFIG");
    let EngineError::InvalidConfig { problems } = e else {
        unreachable!()
    };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    for expected in [
        "$.rules[1].when",
        "$.rules[2].when",
        "$.gate.actions.pin_cores.agent",
        "$.invariants[0].contract",
        "$.agents[0].bids[0].amount",
    ] {
        assert!(paths.contains(&expected), "{expected} not in {paths:?}");
    }
    let misspelt = problems
        .iter()
        .find(|p| p.path == "$.rules[2].when")
        .unwrap();
    assert!(
        misspelt.message.contains("thermal.cpu_c"),
        "{}",
        misspelt.message
    );
    assert!(misspelt.column.is_some());

    for (text, path) in [
        ("[]", "$"),
        ("{\"tickMs\": -1}", "$.tickMs"),
        ("{\"rules\": {}}", "$.rules"),
        ("{\"unknown\": 1}", "$.unknown"),
        ("{\"market\": {\"kappa\": \"x\"}}", "$.market.kappa"),
        (
            "{\"pools\": [{\"resource\": \"cpu_cores\", \"strategy\": \"buddy\", \"capacity\": 4}]}",
            "$.pools[0].strategy",
        ),
        ("{", "$"),
        ("{\"tickMs\": 1e400}", "$.tickMs"),
        ("{\"auditRetention\": 0.5}", "$.auditRetention"),
        (
            "{\"signals\": {\"maxPerTick\": 2.5}}",
            "$.signals.maxPerTick",
        ),
    ] {
        let e = Engine::from_json(text).unwrap_err();
        let EngineError::InvalidConfig { problems } = &e else {
            panic!("{text}: {e}")
        };
        assert_eq!(problems[0].path, path, "{text}: {e}");
    }
}

/// The sample policy in closed loop beats doing nothing on the first three shipped scenarios,
/// each on its own measure, and a backtest is reproducible to the byte. (Every shipped scenario
/// is judged on every line by the suite: tests/backtest_suite.rs.)
#[test]
fn the_sample_policy_beats_no_policy_on_its_own_measure() {
    use gamesa_core::engine::{Baseline, EngineConfig, backtest};
    use gamesa_core::sim::builtin_scenario;
    for name in ["game_and_compile", "gpu_training_power_cap", "heat_soak"] {
        let scenario = builtin_scenario(name).expect("shipped").unwrap();
        let run = || {
            backtest(
                &scenario,
                EngineConfig::from_json(SAMPLE).unwrap(),
                Baseline::None,
            )
            .unwrap()
        };
        let report = run();
        let (policy, baseline) = (
            &report.runs[0].result.summary,
            &report.runs[1].result.summary,
        );
        match name {
            "game_and_compile" => assert!(
                policy.priority_deadline_misses * 10 < baseline.priority_deadline_misses,
                "{name}: {} vs {}",
                policy.priority_deadline_misses,
                baseline.priority_deadline_misses
            ),
            "gpu_training_power_cap" => assert!(
                policy.power_cap_overshoot_ws * 10.0 < baseline.power_cap_overshoot_ws,
                "{name}: {} vs {}",
                policy.power_cap_overshoot_ws,
                baseline.power_cap_overshoot_ws
            ),
            "heat_soak" => assert!(
                policy.seconds_above_thermal_limit * 10.0 < baseline.seconds_above_thermal_limit,
                "{name}: {} vs {}",
                policy.seconds_above_thermal_limit,
                baseline.seconds_above_thermal_limit
            ),
            other => unreachable!("{other} is not in the list above"),
        }
        assert!(policy.actions_applied > 0);
        if name == "game_and_compile" {
            assert_eq!(
                serde_json::to_string(&report).unwrap(),
                serde_json::to_string(&run()).unwrap()
            );
        }
    }
}

/// Counts written as whole floats (`4096.0`) are accepted, as JavaScript reads them.
#[test]
fn whole_numbers_may_be_written_as_floats() {
    let text = r#"{"auditRetention": 4096.0, "signals": {"maxPerTick": 32.0, "capacity": 1024.0}}"#;
    let config = gamesa_core::engine::EngineConfig::from_json(text).unwrap();
    assert_eq!(config.audit_retention, 4096);
    assert_eq!(config.signals.max_per_tick, 32);
    assert_eq!(config.signals.capacity, 1024);
}

/// A standing lease that a shrinking capacity takes back (the sample's thermal headroom pool is
/// preemptive and follows `thermal.headroom_c`) and that the same round grants again must be
/// held again, not reported preempted while the allocator keeps it (which made every later
/// round fail with DUPLICATE_ID).
#[test]
fn a_lease_preempted_by_a_shrinking_capacity_is_granted_again() {
    use gamesa_core::engine::LeaseChange;
    // Without the thermal reserve price the agent can still afford the headroom that is left,
    // so the round that shrinks the pool grants the lease again.
    let mut config: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    config["market"]["reserve"]["thermal"] = serde_json::json!({ "enabled": false });
    let mut engine = Engine::from_json(&config.to_string()).expect("the config builds");
    let lease = "thermal_agent/thermal_headroom";
    let headroom = [30.0, 30.0, 3.0, 3.0, 3.0, 2.0, 30.0, 30.0];
    let mut held = 0.0;
    let mut preempted = 0;
    for (t, h) in headroom.into_iter().enumerate() {
        let mut r = reading(t);
        r.insert("thermal.headroom_c".into(), h);
        let out = engine.tick(&r, 1_000.0 + 100.0 * t as f64).unwrap();
        for a in out.allocations.iter().filter(|a| &*a.id == lease) {
            assert_ne!(a.change, LeaseChange::Failed, "tick {t}: {a:?}");
            if a.change == LeaseChange::Preempted {
                preempted += 1;
                assert_eq!(a.previous, held, "tick {t}: preempted what was held");
            }
            held = match a.change {
                LeaseChange::Granted | LeaseChange::Resized => a.granted,
                _ => 0.0,
            };
        }
        // What the engine says is held is what the round granted.
        let won: f64 = (out.market.grants.iter())
            .filter(|g| g.agent == 3 && g.resource == gamesa_core::ResourceType::ThermalHeadroom)
            .map(|g| g.amount)
            .sum();
        assert_eq!(held, won, "tick {t}");
    }
    assert!(preempted > 0, "the capacity drop preempted the lease");
}

/// A tick time out of range (a unit mistake) is refused without moving the engine's clock, so
/// the next correct tick still runs.
#[test]
fn an_out_of_range_time_is_refused_and_the_next_tick_runs() {
    let mut engine = Engine::from_json(SAMPLE).unwrap();
    engine.tick(&reading(0), 1_000.0).unwrap();
    for bad in [1e300, f64::INFINITY, f64::NAN, -1.0, 8.64e15 * 1.0001] {
        let err = engine.tick(&reading(1), bad).unwrap_err();
        assert!(err.to_string().contains("8640000000000000"), "{err}");
    }
    assert_eq!(engine.tick(&reading(1), 1_100.0).unwrap().tick, 2);
    assert!(engine.tick(&reading(2), 8.64e15).is_ok());
}

/// What the binding forwards: a configuration's problems listed by the core (a malformed text
/// at `$`), the baseline parsed by the core, and the defaults an absent field takes.
#[test]
fn problems_baselines_and_defaults_come_from_the_core() {
    use gamesa_core::engine::{Baseline, config_defaults};
    assert!(Engine::check_json(SAMPLE).is_empty());
    let problems = Engine::check_json(r#"{"tickMs": 0, "market": {"kappa": 0}}"#);
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert!(
        paths.contains(&"$.tickMs") && paths.contains(&"$.market.kappa"),
        "{paths:?}"
    );
    assert_eq!(Engine::check_json("{ nope")[0].path, "$");
    assert_eq!("static".parse::<Baseline>(), Ok(Baseline::Static));
    assert_eq!("none".parse::<Baseline>(), Ok(Baseline::None));
    assert!("max".parse::<Baseline>().unwrap_err().contains("\"max\""));
    let d = config_defaults();
    assert_eq!(d["tickMs"], 100.0);
    assert_eq!(d["market"]["initialPrice"], 1.0);
    assert_eq!(d["gate"]["benefitPerStrength"], 10.0);
    assert!(d["pools"].as_array().is_some_and(|p| p.len() == 6));
}
