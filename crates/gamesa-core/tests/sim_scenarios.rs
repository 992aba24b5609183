//! Each shipped scenario with a simple hand-written policy against `NoPolicy` (and the static
//! baseline): the policy must visibly win on the scenario's own metric. The engine will be
//! plugged in as a `Policy` the same way.

use gamesa_core::sim::{
    Actuation, NoPolicy, Policy, PolicyStep, RunResult, Scenario, StaticBaseline, builtin_scenario,
    builtin_scenarios, run_closed_loop,
};
use std::collections::BTreeMap;

fn scenario(name: &str) -> Scenario {
    builtin_scenario(name)
        .expect("shipped")
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn get(t: &BTreeMap<String, f64>, k: &str) -> f64 {
    *t.get(k).unwrap_or_else(|| panic!("telemetry lacks {k}"))
}

fn report(name: &str, label: &str, r: &RunResult) {
    let s = &r.summary;
    println!(
        "{name} {label}: above_thermal={:.1}s overshoot={:.1}s/{:.0}Ws prio_misses={} prio_tput={:.2} total_tput={:.3} applied={} rejected={} peaks={:?}",
        s.seconds_above_thermal_limit,
        s.power_cap_overshoot_s,
        s.power_cap_overshoot_ws,
        s.priority_deadline_misses,
        s.priority_throughput,
        s.total_throughput,
        s.actions_applied,
        s.actions_rejected,
        s.peak_temperatures_c
    );
}

/// Gives the game more CPU weight while its frames are late, and pins cores if that is not
/// enough; hands them back when frames are comfortably on time.
struct FrameGuard {
    weight: f64,
    pinned: f64,
}

impl Policy for FrameGuard {
    fn decide(&mut self, _now: f64, t: &BTreeMap<String, f64>) -> PolicyStep {
        let mut step = PolicyStep::default();
        let miss = get(t, "wl.game.deadline_miss_rate");
        let frame = get(t, "wl.game.frame_ms");
        if miss > 0.0 || frame > 15.0 {
            if self.weight < 10_000.0 {
                self.weight = (self.weight * 2.0).min(10_000.0);
                step.actuations
                    .push(Actuation::new("set_cpu_weight", "game", self.weight));
            } else if self.pinned < 4.0 {
                self.pinned += 1.0;
                step.actuations
                    .push(Actuation::new("pin_cores", "game", self.pinned));
            }
        }
        step.extra.insert("game.weight".into(), self.weight);
        step
    }
}

/// Trims the GPU power limit by the excess over the cap (plus a margin) and gives power back
/// slowly when there is room.
struct PowerTrim {
    cap: f64,
    margin: f64,
}

impl Policy for PowerTrim {
    fn decide(&mut self, _now: f64, t: &BTreeMap<String, f64>) -> PolicyStep {
        let total = get(t, "power.total_w");
        let limit = get(t, "gpu0.power_limit_w");
        let (lo, hi) = (get(t, "gpu0.power_min_w"), get(t, "gpu0.power_max_w"));
        let room = self.cap - self.margin - total;
        let target = if room < 0.0 {
            limit + room
        } else {
            limit + (room * 0.5).min(20.0)
        };
        let target = target.clamp(lo, hi).round();
        let mut step = PolicyStep::default();
        if (target - limit).abs() >= 1.0 {
            step.actuations
                .push(Actuation::new("set_gpu_power_limit", "gpu0", target));
        }
        step.extra.insert("gpu0.limit".into(), target);
        step
    }
}

/// Lowers the CPU's maximum frequency when thermal headroom runs short, raises it when there
/// is plenty.
struct HeatGuard {
    freq: f64,
}

impl Policy for HeatGuard {
    fn decide(&mut self, _now: f64, t: &BTreeMap<String, f64>) -> PolicyStep {
        let headroom = get(t, "thermal.headroom_c");
        let before = self.freq;
        if headroom < 11.5 {
            self.freq = (self.freq - 100.0).max(1000.0);
        } else if headroom > 13.0 {
            self.freq = (self.freq + 50.0).min(5000.0);
        }
        let mut step = PolicyStep::default();
        if self.freq != before {
            step.actuations
                .push(Actuation::new("set_cpu_freq_max", "cpu", self.freq));
        }
        step
    }
}

#[test]
fn builtin_scenarios_parse_and_are_sorted() {
    let list = builtin_scenarios();
    assert!(list.len() >= 3);
    let names: Vec<&str> = list.iter().map(|(n, _)| *n).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    for (name, text) in list {
        let s = Scenario::from_json(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(s.name, name, "the file's name field matches its listing");
    }
}

#[test]
fn game_and_compile_frame_guard_beats_no_policy() {
    let s = scenario("game_and_compile");
    let none = run_closed_loop(&s, &mut NoPolicy);
    let base = run_closed_loop(&s, &mut StaticBaseline::new(&s));
    let guard = run_closed_loop(
        &s,
        &mut FrameGuard {
            weight: 400.0,
            pinned: 0.0,
        },
    );
    report("game_and_compile", "none", &none);
    report("game_and_compile", "static", &base);
    report("game_and_compile", "guard", &guard);
    let (n, g) = (&none.summary, &guard.summary);
    assert!(
        n.priority_deadline_misses > 1000,
        "the starved game misses often"
    );
    assert!(g.priority_deadline_misses * 10 < n.priority_deadline_misses);
    assert!(g.priority_throughput > n.priority_throughput);
    assert!(g.actions_applied > 0 && g.actions_rejected == 0);
    // The compile is barely slower: the game needs only part of what it may now take.
    let compile = |r: &RunResult| r.summary.workloads[1].normalized_throughput;
    assert!(compile(&guard) > 0.8 * compile(&none));
}

#[test]
fn gpu_training_power_trim_beats_no_policy_and_static() {
    let s = scenario("gpu_training_power_cap");
    let none = run_closed_loop(&s, &mut NoPolicy);
    let base = run_closed_loop(&s, &mut StaticBaseline::new(&s));
    let trim = run_closed_loop(
        &s,
        &mut PowerTrim {
            cap: 650.0,
            margin: 10.0,
        },
    );
    report("gpu_training_power_cap", "none", &none);
    report("gpu_training_power_cap", "static", &base);
    report("gpu_training_power_cap", "trim", &trim);
    let (n, b, t) = (&none.summary, &base.summary, &trim.summary);
    assert!(
        n.power_cap_overshoot_s > 0.9 * n.duration_s,
        "uncapped it is always over"
    );
    assert!(t.power_cap_overshoot_ws < 0.05 * n.power_cap_overshoot_ws);
    assert!(t.power_cap_overshoot_s < 0.1 * n.power_cap_overshoot_s);
    // Lower power costs throughput, but less than the static conservative limit does.
    assert!(t.priority_throughput < n.priority_throughput);
    assert!(t.priority_throughput > b.priority_throughput);
}

#[test]
fn heat_soak_heat_guard_beats_no_policy() {
    let s = scenario("heat_soak");
    let none = run_closed_loop(&s, &mut NoPolicy);
    let base = run_closed_loop(&s, &mut StaticBaseline::new(&s));
    let guard = run_closed_loop(&s, &mut HeatGuard { freq: 5000.0 });
    report("heat_soak", "none", &none);
    report("heat_soak", "static", &base);
    report("heat_soak", "guard", &guard);
    let (n, b, g) = (&none.summary, &base.summary, &guard.summary);
    assert!(n.seconds_above_thermal_limit > 300.0);
    assert!(g.seconds_above_thermal_limit < 0.05 * n.seconds_above_thermal_limit);
    assert!(g.priority_throughput > 0.9 * n.priority_throughput);
    assert!(g.priority_throughput > b.priority_throughput);
}

#[test]
fn static_baseline_applies_once_and_series_carry_policy_extras() {
    let s = scenario("game_and_compile");
    let base = run_closed_loop(&s, &mut StaticBaseline::new(&s));
    assert_eq!(base.summary.actions_applied, s.baseline.len() as u64);
    assert_eq!(base.series.extra["applied"][0], 1.0);
    assert!(base.series.extra["applied"][1..].iter().all(|&x| x == 0.0));
    let guard = run_closed_loop(
        &s,
        &mut FrameGuard {
            weight: 400.0,
            pinned: 0.0,
        },
    );
    let ticks = guard.summary.ticks as usize;
    assert_eq!(ticks, 1200);
    assert_eq!(guard.series.t_ms.len(), ticks);
    assert_eq!(guard.series.t_ms[0], 100.0);
    assert_eq!(guard.series.extra["game.weight"].len(), ticks);
    assert_eq!(guard.series.extra["game.weight"][ticks - 1], 800.0);
    assert_eq!(
        guard.series.temperatures.keys().collect::<Vec<_>>(),
        ["cpu", "gpu0"]
    );
    assert_eq!(
        guard.series.power_w.keys().collect::<Vec<_>>(),
        ["cpu", "gpu0", "total"]
    );
    assert!(guard.series.workloads.contains_key("game.frame_ms"));
    // Refused actuations are counted, not fatal.
    struct Bad;
    impl Policy for Bad {
        fn decide(&mut self, _: f64, _: &BTreeMap<String, f64>) -> PolicyStep {
            PolicyStep {
                actuations: vec![Actuation::new("set_gpu_power_limit", "gpu3", 100.0)],
                rejected: 1,
                ..PolicyStep::default()
            }
        }
    }
    let bad = run_closed_loop(&s, &mut Bad);
    assert_eq!(bad.summary.actions_rejected, 2 * 1200);
    assert_eq!(bad.summary.actions_applied, 0);
    let json = serde_json::to_string(&bad).expect("json");
    assert!(json.contains("\"secondsAboveThermalLimit\"") && json.contains("\"tMs\""));
}
