//! Properties over random scenarios, actuations and steps: nothing panics, and every output
//! number is finite (no NaN reaches telemetry, metrics or a serialized run), whatever the
//! inputs — extreme parameters within the documented ranges, garbage actuations, odd steps.

use gamesa_core::sim::{
    Actuation, Plant, Policy, PolicyStep, Scenario, builtin_scenarios, run_closed_loop,
};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A number from the edges and the inside of `[lo, hi]`.
fn within(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(lo),
        Just(hi),
        (0.0f64..=1.0).prop_map(move |u| lo + (hi - lo) * u),
        (0.0f64..=1.0).prop_map(move |u| lo + (hi - lo) * u * u * u * 1e-6),
    ]
}

fn profile() -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        (within(0.0, 64.0), within(0.0, 1.0), within(1e-9, 1e9)).prop_map(|(c, g, u)| (
            "steady".to_string(),
            json!({"cpuCores": c, "gpuUtil": g, "unitsPerS": u})
        )),
        (within(0.0, 64.0), within(0.0, 1.0), within(0.0, 1.0), within(1e-6, 1e6), within(1e-6, 1e6))
            .prop_map(|(c, g, idle, on, off)| (
                "bursty".to_string(),
                json!({"cpuCores": c, "gpuUtil": g, "idleCpuCores": c * idle, "idleGpuUtil": g * idle, "meanOnS": on, "meanOffS": off})
            )),
        (within(0.1, 1e5), 1u32..64, within(0.0, 1e5), within(0.0, 1e5), within(0.0, 1.0), proptest::option::of(within(1e-6, 1e5)))
            .prop_map(|(period, threads, cpu, gpu, jitter, deadline)| {
                let mut v = json!({"periodMs": period, "threads": threads, "cpuMsPerFrame": cpu, "gpuMsPerFrame": gpu, "jitter": jitter});
                if let Some(d) = deadline {
                    v["deadlineMs"] = json!(d);
                }
                ("frameLoop".to_string(), v)
            }),
        (within(0.0, 64.0), within(0.0, 1.0), within(1e-9, 1e9), within(1e-9, 1e12)).prop_map(|(c, g, u, t)| (
            "batch".to_string(),
            json!({"cpuCores": c, "gpuUtil": g, "unitsPerS": u, "totalUnits": t})
        )),
    ]
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let cpu = (
        1u32..32,
        within(1.0, 1e4),
        within(0.0, 1e4),
        within(0.0, 1e4),
        within(1.0, 4.0),
        within(1e-6, 100.0),
        within(1e-6, 1e6),
    );
    let gpu = (
        within(0.0, 1e3),
        within(1.0, 1e3),
        within(1.5, 5.0),
        within(1e-6, 100.0),
        within(1e-6, 1e6),
        0.0f64..=1.0,
    );
    let workload = (
        profile(),
        any::<bool>(),
        within(0.0, 100.0),
        proptest::option::of(within(1.0, 1e4)),
        proptest::option::of(0.0f64..=1.0),
        within(0.0, 1e6),
    );
    (
        cpu,
        proptest::collection::vec(gpu, 0..3),
        proptest::collection::vec(workload, 1..5),
        any::<u32>(),
        within(-50.0, 60.0),
        proptest::option::of(within(1e-3, 1e4)),
    )
        .prop_map(|(c, gpus, wls, seed, ambient, cap)| {
            let (cores, fmin, idle, dynamic, exp, r, tau) = c;
            let gpus: Vec<Value> = gpus
                .into_iter()
                .map(|(gidle, extra, gexp, gr, gtau, lim)| {
                    let min = gidle + extra * 0.1;
                    let max = min + extra;
                    json!({"powerMinW": min, "powerMaxW": max, "powerLimitW": min + (max - min) * lim, "idleW": gidle,
                           "peakW": gidle + extra * 2.0, "powerExponent": gexp, "smClockMaxMhz": 1500,
                           "memTotalMb": 1024, "thermalResistanceCPerW": gr, "timeConstantS": gtau, "limitC": ambient + 40.0})
                })
                .collect();
            let n_gpus = gpus.len();
            let workloads: Vec<Value> = wls
                .into_iter()
                .enumerate()
                .map(|(i, ((kind, p), prio, start, weight, quota, mem))| {
                    let mut w = json!({"name": format!("w{i}"), "priority": prio && i == 0, "startS": start, "memMb": mem});
                    w[kind.as_str()] = p;
                    if let Some(x) = weight {
                        w["cpuWeight"] = json!(x);
                    }
                    if let Some(q) = quota {
                        w["cpuQuota"] = json!((q * cores as f64).max(0.01));
                    }
                    if n_gpus == 0 {
                        // Without a GPU, a profile must not ask for one.
                        for key in ["gpuUtil", "idleGpuUtil", "gpuMsPerFrame"] {
                            if let Some(obj) = w[kind.as_str()].as_object_mut()
                                && obj.contains_key(key)
                            {
                                obj.insert(key.into(), json!(0));
                            }
                        }
                    }
                    w
                })
                .collect();
            let mut s = json!({
                "name": "prop", "seed": seed, "durationS": 3, "tickMs": 250,
                "machine": {"ambientC": ambient, "cpu": {"cores": cores, "freqMinMhz": fmin, "freqMaxMhz": fmin * 3.0,
                    "idleW": idle, "dynamicW": dynamic, "freqPowerExponent": exp, "thermalResistanceCPerW": r,
                    "timeConstantS": tau, "limitC": ambient + 30.0, "criticalC": ambient + 45.0}, "gpus": gpus},
                "workloads": workloads
            });
            if let Some(cap) = cap {
                s["machine"]["powerCapW"] = json!(cap);
            }
            Scenario::from_json(&s.to_string()).unwrap_or_else(|e| panic!("generator made an invalid scenario: {e}\n{s}"))
        })
}

fn actuation() -> impl Strategy<Value = Actuation> {
    let kind = prop_oneof![
        Just("set_gpu_power_limit"),
        Just("set_cpu_freq_max"),
        Just("set_cpu_weight"),
        Just("set_cpu_quota"),
        Just("pin_cores"),
        Just("bogus"),
    ];
    let target = prop_oneof![
        Just("gpu0"),
        Just("gpu1"),
        Just("gpu7"),
        Just("cpu"),
        Just("w0"),
        Just("w1"),
        Just("w3"),
        Just("")
    ];
    let value = prop_oneof![
        any::<f64>(),
        -10.0f64..20_000.0,
        (0u32..40).prop_map(f64::from),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(1e308),
    ];
    (kind, target, value).prop_map(|(k, t, v)| Actuation::new(k, t, v))
}

fn step_ms() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-1.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(1e-300),
        Just(1e300),
        0.001f64..1e7,
        1.0f64..500.0,
    ]
}

fn all_finite(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Number(n) => n.as_f64().is_some_and(f64::is_finite),
        Value::Array(a) => a.iter().all(all_finite),
        Value::Object(o) => o.values().all(all_finite),
        _ => true,
    }
}

struct Replay(Vec<Vec<Actuation>>);

impl Policy for Replay {
    fn decide(&mut self, now_ms: f64, _t: &BTreeMap<String, f64>) -> PolicyStep {
        let mut step = PolicyStep {
            actuations: if self.0.is_empty() {
                Vec::new()
            } else {
                self.0.remove(0)
            },
            ..PolicyStep::default()
        };
        step.extra.insert("now".into(), now_ms);
        if now_ms > 500.0 {
            step.extra.insert("late".into(), f64::NAN);
        }
        step
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn outputs_stay_finite(
        s in scenario(),
        ops in proptest::collection::vec((proptest::collection::vec(actuation(), 0..3), step_ms()), 1..25),
    ) {
        let mut p = Plant::new(&s).expect("valid");
        for (acts, dt) in &ops {
            for a in acts {
                let _ = p.apply(a);
            }
            p.step(*dt);
            for (k, v) in p.telemetry() {
                prop_assert!(v.is_finite(), "{} = {}", k, v);
            }
        }
        let metrics = serde_json::to_value(p.metrics()).expect("json");
        prop_assert!(all_finite(&metrics), "{}", metrics);
        let run = run_closed_loop(&s, &mut Replay(ops.into_iter().map(|(a, _)| a).collect()));
        let json = serde_json::to_value(&run).expect("json");
        prop_assert!(all_finite(&json));
        let ticks = run.summary.ticks as usize;
        prop_assert_eq!(run.series.t_ms.len(), ticks);
        for v in run.series.extra.values().chain(run.series.temperatures.values()).chain(run.series.power_w.values()) {
            prop_assert_eq!(v.len(), ticks);
        }
    }

    #[test]
    fn mutated_documents_never_panic(which in 0usize..3, path_pick in any::<u64>(), replacement in prop_oneof![
        Just(json!(null)), Just(json!(-1)), Just(json!(0)), Just(json!(1e308)), Just(json!(0.5)),
        Just(json!("x")), Just(json!([])), Just(json!({})), Just(json!(true)), Just(json!(123456789012345i64)),
    ]) {
        let (_, text) = builtin_scenarios()[which];
        let mut doc: Value = serde_json::from_str(text).expect("json");
        let mut leaves = Vec::new();
        collect(&doc, String::new(), &mut leaves);
        let target = &leaves[(path_pick % leaves.len() as u64) as usize];
        if let Some(slot) = doc.pointer_mut(target) {
            *slot = replacement;
        }
        if let Ok(s) = Scenario::from_json(&doc.to_string()) {
            let mut p = Plant::new(&s).expect("valid");
            for _ in 0..20 {
                p.step(s.tick_ms);
            }
            for (k, v) in p.telemetry() {
                prop_assert!(v.is_finite(), "{} = {}", k, v);
            }
        }
    }
}

/// JSON pointers of every value in the document.
fn collect(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                collect(x, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                collect(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}
