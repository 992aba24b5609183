//! The plant's physics and behaviour: steady states, exact stepping, determinism, actuations
//! changing what happens next, starvation, and refused actuations.

use gamesa_core::ErrorCode;
use gamesa_core::sim::{
    Actuation, NoPolicy, Plant, Scenario, builtin_scenario, package_power, run_closed_loop,
};
use std::collections::BTreeMap;

fn builtin(name: &str) -> Scenario {
    builtin_scenario(name).expect("shipped").expect("valid")
}

/// One CPU (4 cores) running a steady 4-thread load, optionally one GPU at full demand.
fn steady(gpu: bool) -> Scenario {
    let gpus = if gpu {
        r#"[{"powerMinW":100,"powerMaxW":300,"idleW":30,"peakW":300,"smClockMaxMhz":2000,"memTotalMb":8192,"thermalResistanceCPerW":0.2,"timeConstantS":12,"limitC":85}]"#
    } else {
        "[]"
    };
    let gpu_util = if gpu { 1 } else { 0 };
    Scenario::from_json(&format!(
        r#"{{"name":"steady","durationS":60,"machine":{{"ambientC":22,"cpu":{{"cores":4,"freqMinMhz":800,"freqMaxMhz":4000,"idleW":6,"dynamicW":60,"thermalResistanceCPerW":0.6,"timeConstantS":8,"limitC":90,"criticalC":100}},"gpus":{gpus}}},
           "workloads":[{{"name":"load","steady":{{"cpuCores":4,"gpuUtil":{gpu_util}}}}}]}}"#
    ))
    .expect("valid")
}

fn at(t: &BTreeMap<String, f64>, k: &str) -> f64 {
    *t.get(k).unwrap_or_else(|| panic!("telemetry lacks {k}"))
}

#[test]
fn steady_state_is_ambient_plus_power_times_resistance() {
    let s = steady(true);
    let mut p = Plant::new(&s).expect("plant");
    // 400 s: 50 CPU and 33 GPU time constants, far below 1e-6 °C from the steady state.
    p.step(400_000.0);
    let t = p.telemetry();
    let cpu_w = at(&t, "power.cpu_w");
    assert!(
        (cpu_w - 66.0).abs() < 1e-9,
        "4 of 4 cores at full clock: idle + dynamic"
    );
    assert!((at(&t, "thermal.cpu_c") - (22.0 + cpu_w * 0.6)).abs() < 1e-6);
    assert!((at(&t, "thermal.headroom_c") - (100.0 - 22.0 - cpu_w * 0.6)).abs() < 1e-6);
    let gpu_w = at(&t, "gpu0.power_w");
    assert!((gpu_w - 300.0).abs() < 1e-9);
    assert!(
        (at(&t, "gpu0.temp_c") - (22.0 + gpu_w * 0.2)).abs() < 1e-6,
        "{} {gpu_w}",
        at(&t, "gpu0.temp_c")
    );
    assert_eq!(at(&t, "cpu.util"), 1.0);
    assert_eq!(at(&t, "gpu0.util"), 1.0);
    assert_eq!(at(&t, "gpu.count"), 1.0);
}

#[test]
fn exact_step_does_not_depend_on_the_tick() {
    let s = steady(true);
    let mut coarse = Plant::new(&s).expect("plant");
    let mut fine = Plant::new(&s).expect("plant");
    coarse.step(7_000.0);
    for _ in 0..700 {
        fine.step(10.0);
    }
    assert!((coarse.cpu_temp_c() - fine.cpu_temp_c()).abs() < 1e-9);
    assert!((coarse.gpu_temp_c(0).unwrap() - fine.gpu_temp_c(0).unwrap()).abs() < 1e-9);
    assert_eq!(coarse.now_ms(), 7_000.0);
    let (a, b) = (coarse.metrics(), fine.metrics());
    assert!((a.energy_j - b.energy_j).abs() < 1e-6);
    assert!((a.workloads[0].work_units - b.workloads[0].work_units).abs() < 1e-9);
}

#[test]
fn same_seed_same_bytes_different_seed_differs() {
    let s = builtin("game_and_compile");
    let a = serde_json::to_string(&run_closed_loop(&s, &mut NoPolicy)).expect("json");
    let b = serde_json::to_string(&run_closed_loop(&s, &mut NoPolicy)).expect("json");
    assert_eq!(a, b);
    let mut other = s.clone();
    other.seed += 1.0;
    let c = serde_json::to_string(&run_closed_loop(&other, &mut NoPolicy)).expect("json");
    assert_ne!(a, c, "frame jitter and browser bursts come from the seed");
}

#[test]
fn lower_gpu_power_limit_means_cooler_and_slower() {
    let s = builtin("gpu_training_power_cap");
    let run = |limit: f64| {
        let mut p = Plant::new(&s).expect("plant");
        p.apply(&Actuation::new("set_gpu_power_limit", "gpu0", limit))
            .expect("in range");
        for _ in 0..1200 {
            p.step(100.0);
        }
        p
    };
    let (high, low) = (run(700.0), run(350.0));
    let (th, tl) = (high.telemetry(), low.telemetry());
    assert!(at(&tl, "gpu0.temp_c") < at(&th, "gpu0.temp_c") - 10.0);
    assert!(at(&tl, "gpu0.power_w") <= 350.0 + 1e-9);
    assert_eq!(at(&tl, "gpu0.power_limit_w"), 350.0);
    assert!(at(&tl, "gpu0.sm_clock_mhz") < at(&th, "gpu0.sm_clock_mhz"));
    let (wh, wl) = (
        at(&th, "wl.training.throughput"),
        at(&tl, "wl.training.throughput"),
    );
    assert!(wl < wh);
    // Sublinear: half the dynamic power keeps far more than half the throughput.
    assert!(wl > 0.75 * wh, "{wl} vs {wh}");
    assert!(high.metrics().workloads[0].work_units > low.metrics().workloads[0].work_units);
}

#[test]
fn lower_cpu_frequency_means_less_power_and_throughput() {
    let s = steady(false);
    let mut fast = Plant::new(&s).expect("plant");
    let mut slow = Plant::new(&s).expect("plant");
    slow.apply(&Actuation::new("set_cpu_freq_max", "cpu", 2000.0))
        .expect("in range");
    fast.step(1000.0);
    slow.step(1000.0);
    let (f, sl) = (fast.telemetry(), slow.telemetry());
    assert_eq!(at(&sl, "cpu.freq_mhz"), 2000.0);
    assert_eq!(at(&sl, "cpu.freq_max_mhz"), 2000.0);
    assert!((at(&sl, "power.cpu_w") - package_power(&s.machine.cpu, 4.0, 2000.0)).abs() < 1e-9);
    assert!(at(&sl, "power.cpu_w") < at(&f, "power.cpu_w"));
    assert!((at(&sl, "wl.load.throughput") - 0.5).abs() < 1e-12);
    assert_eq!(at(&f, "wl.load.throughput"), 1.0);
}

#[test]
fn a_starved_game_misses_deadlines_and_recovers_with_weight_or_cores() {
    let s = builtin("game_and_compile");
    let after_30s = |setup: &[Actuation]| {
        let mut p = Plant::new(&s).expect("plant");
        for a in setup {
            p.apply(a).expect("valid actuation");
        }
        for _ in 0..300 {
            p.step(100.0);
        }
        (p.telemetry(), p.metrics())
    };
    let (t, m) = after_30s(&[]);
    assert!(at(&t, "wl.game.deadline_miss_rate") > 0.3);
    assert!(at(&t, "wl.game.frame_ms") > 16.667);
    assert!(m.workloads[0].deadline_misses > 300);
    let (t, _) = after_30s(&[Actuation::new("set_cpu_weight", "game", 5000.0)]);
    assert_eq!(at(&t, "wl.game.deadline_miss_rate"), 0.0);
    let (t, m) = after_30s(&[Actuation::new("pin_cores", "game", 3.0)]);
    assert_eq!(at(&t, "wl.game.pinned_cores"), 3.0);
    assert_eq!(at(&t, "wl.game.deadline_miss_rate"), 0.0);
    assert!(
        m.workloads[0].deadline_misses < 20,
        "only before the compile started"
    );
    // Its three exclusive cores carry only the game; the compile runs on the other five.
    assert!(at(&t, "wl.compile.cpu_cores") <= 5.0 + 1e-9);
}

#[test]
fn quota_caps_a_workload() {
    let s = builtin("game_and_compile");
    let mut p = Plant::new(&s).expect("plant");
    p.apply(&Actuation::new("set_cpu_quota", "compile", 2.0))
        .expect("in range");
    for _ in 0..100 {
        p.step(100.0);
    }
    let t = p.telemetry();
    assert!(at(&t, "wl.compile.cpu_cores") <= 2.0 + 1e-12);
    assert_eq!(at(&t, "wl.compile.cpu_quota"), 2.0);
    assert_eq!(
        at(&t, "wl.game.deadline_miss_rate"),
        0.0,
        "the game gets the rest"
    );
}

#[test]
fn a_batch_job_finishes_and_stops_demanding() {
    let mut s = builtin("game_and_compile");
    s.workloads[1].batch.as_mut().expect("batch").total_units = 50.0;
    let mut p = Plant::new(&s).expect("plant");
    for _ in 0..300 {
        p.step(100.0);
    }
    let t = p.telemetry();
    assert_eq!(at(&t, "wl.compile.progress"), 1.0);
    assert_eq!(at(&t, "wl.compile.active"), 0.0);
    assert_eq!(at(&t, "wl.compile.cpu_cores"), 0.0);
    let m = p.metrics();
    let done = m.workloads[1].completed_at_s.expect("completed");
    assert!(done > 5.0 && done < 30.0, "{done}");
    assert!((m.workloads[1].work_units - 50.0).abs() < 1e-9);
}

#[test]
fn telemetry_uses_catalog_names() {
    let s = builtin("gpu_training_power_cap");
    let mut p = Plant::new(&s).expect("plant");
    p.step(100.0);
    let t = p.telemetry();
    for name in [
        "cpu.util",
        "cpu.freq_mhz",
        "cpu.load1",
        "cpu.psi_some_avg10",
        "mem.used_ratio",
        "mem.available_mb",
        "thermal.cpu_c",
        "thermal.headroom_c",
        "power.cpu_w",
        "gpu.count",
    ] {
        assert!(
            gamesa_core::features::describe_variable(name).is_some(),
            "{name} is in the catalog"
        );
        assert!(t.contains_key(name), "{name} reported");
    }
    let gpu_fields: Vec<&str> = t.keys().filter_map(|k| k.strip_prefix("gpu0.")).collect();
    for f in &gpu_fields {
        assert!(
            gamesa_core::features::describe_variable(&format!("gpu0.{f}")).is_some(),
            "gpu0.{f} is a catalog field"
        );
    }
    assert!(gpu_fields.len() >= 9);
    for c in 0..16 {
        assert!(t.contains_key(&format!("cpu.core{c}.util")));
    }
    assert!(at(&t, "mem.used_ratio") > 0.0 && at(&t, "mem.used_ratio") < 1.0);
    assert_eq!(at(&t, "gpu0.mem_used_mb"), 60_000.0);
    assert_eq!(at(&t, "power.cap_w"), 650.0);
    assert!(t.keys().any(|k| k == "wl.training.progress"));
}

#[test]
fn bad_actuations_are_refused_and_change_nothing() {
    let s = builtin("gpu_training_power_cap");
    let mut p = Plant::new(&s).expect("plant");
    let before = p.telemetry();
    let bad = [
        Actuation::new("overclock", "cpu", 1.0),
        Actuation::new("set_gpu_power_limit", "gpu1", 300.0),
        Actuation::new("set_gpu_power_limit", "gpu00", 300.0),
        Actuation::new("set_gpu_power_limit", "gpu0", f64::NAN),
        Actuation::new("set_gpu_power_limit", "gpu0", f64::INFINITY),
        Actuation::new("set_gpu_power_limit", "gpu0", 150.0),
        Actuation::new("set_gpu_power_limit", "gpu0", 701.0),
        Actuation::new("set_cpu_freq_max", "cpu0", 2000.0),
        Actuation::new("set_cpu_freq_max", "cpu", 500.0),
        Actuation::new("set_cpu_freq_max", "cpu", f64::NEG_INFINITY),
        Actuation::new("set_cpu_weight", "nobody", 100.0),
        Actuation::new("set_cpu_weight", "training", 0.0),
        Actuation::new("set_cpu_weight", "training", 10_001.0),
        Actuation::new("set_cpu_quota", "training", 0.0),
        Actuation::new("set_cpu_quota", "training", 17.0),
        Actuation::new("pin_cores", "training", 2.5),
        Actuation::new("pin_cores", "training", 16.0),
        Actuation::new("pin_cores", "training", -1.0),
    ];
    for a in &bad {
        let e = p.apply(a).expect_err(&format!("{a:?}"));
        assert_eq!(e.code(), "INVALID_ACTUATION", "{a:?}");
        assert!(e.to_string().contains(&a.kind), "{e}");
    }
    assert_eq!(before, p.telemetry());
    // Pinning must leave a shared core across workloads.
    p.apply(&Actuation::new("pin_cores", "training", 10.0))
        .expect("10 of 16");
    let e = p
        .apply(&Actuation::new("pin_cores", "preprocess", 6.0))
        .expect_err("no shared core left");
    assert!(e.to_string().contains("shared core"), "{e}");
    p.apply(&Actuation::new("pin_cores", "preprocess", 5.0))
        .expect("one shared core left");
}

#[test]
fn degenerate_steps_do_nothing_or_stay_finite() {
    let s = builtin("game_and_compile");
    let mut p = Plant::new(&s).expect("plant");
    let before = p.telemetry();
    for dt in [0.0, -5.0, f64::NAN, f64::NEG_INFINITY, f64::INFINITY] {
        p.step(dt);
    }
    assert_eq!(p.now_ms(), 0.0);
    assert_eq!(before, p.telemetry());
    p.step(1e300);
    p.step(1e-300);
    for (k, v) in p.telemetry() {
        assert!(v.is_finite(), "{k} = {v}");
    }
    let json = serde_json::to_value(p.metrics()).expect("json");
    assert!(
        !json.to_string().contains("null"),
        "no NaN became null: {json}"
    );
}
