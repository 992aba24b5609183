//! Properties of the ActionGate over random proposal sequences on the sample configuration:
//! whatever is proposed, an approved value is finite, inside the bounds (telemetry range and
//! cap) and — unless it is a healing rollback — within maxStep of the value it replaces and
//! at least the hysteresis away from it; a rejection changes no state; every decision is the
//! last record of an audit trail that verifies.

mod gate_support;

use gamesa_core::effects::AuditDecision;
use gamesa_core::gate::{Bound, GateContext, GateDecision, Proposal, ValueMode};
use gamesa_core::rules::ParamValue;
use gate_support::{checker, fixture, gate};
use proptest::prelude::*;
use std::collections::BTreeMap;

const KINDS: [(&str, &[&str]); 6] = [
    (
        "set_gpu_power_limit",
        &["gpu0", "gpu1", "gpu2", "gpu7", "cpu"],
    ),
    ("set_cpu_freq_max", &["cpu", "cpu0"]),
    ("set_cpu_weight", &["game", "compile", "train1", "browser"]),
    ("set_cpu_quota", &["game", "compile"]),
    ("pin_cores", &["game", "compile", "train1"]),
    ("unknown_kind", &["cpu"]),
];

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -100.0f64..6000.0,
        2 => -5.0f64..5.0,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => any::<f64>(),
    ]
}

#[derive(Debug, Clone)]
struct Step {
    kind: usize,
    target: usize,
    x: f64,
    param_ok: bool,
    healing: bool,
    dt_ms: f64,
    emergency: bool,
    /// Propose a value near the current one (so the step and hysteresis limits are exercised
    /// on both sides) instead of `x`.
    near: Option<f64>,
}

fn step() -> impl Strategy<Value = Step> {
    (
        (
            0..KINDS.len(),
            0usize..8,
            number(),
            prop::bool::weighted(0.9),
        ),
        (
            prop::bool::weighted(0.1),
            0.0f64..3000.0,
            prop::bool::weighted(0.1),
        ),
        prop::option::weighted(0.6, -80.0f64..80.0),
    )
        .prop_map(
            |((kind, target, x, param_ok), (healing, dt_ms, emergency), near)| Step {
                kind,
                target,
                x,
                param_ok,
                healing,
                dt_ms,
                emergency,
                near,
            },
        )
}

fn resolve(
    b: &Option<Bound>,
    target: &str,
    snap: &BTreeMap<String, gamesa_core::expr::Value>,
) -> Option<f64> {
    use gamesa_core::expr::Value;
    match b {
        None => None,
        Some(Bound::Number(x)) => Some(*x),
        Some(Bound::Variable(t)) => match snap.get(&t.replace("{target}", target))? {
            Value::Double(d) => Some(*d),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn approved_values_respect_every_limit(steps in prop::collection::vec(step(), 1..40)) {
        let fx = fixture();
        let contracts = gate_support::contracts();
        let mut g = gate();
        let mut ck = checker(&fx.doc["grants"]);
        let mut now = 10_000.0;
        for (i, s) in steps.iter().enumerate() {
            now += s.dt_ms;
            let (kind, targets) = KINDS[s.kind];
            let target = targets[s.target % targets.len()];
            let param = g.config().actions.get(kind).map_or("value".to_string(), |k| k.value.param.clone());
            let before = g.current_value(kind, target, &fx.snapshot);
            // An offset of ±80 units of maxStep/50 crosses the step limit (at ±50) both ways.
            let x = match (s.near, g.config().actions.get(kind)) {
                (Some(offset), Some(k)) => {
                    let unit = k.max_step.unwrap_or(50.0) / 50.0;
                    match k.value.mode {
                        ValueMode::Absolute => before.unwrap_or(0.0) + offset * unit,
                        ValueMode::Delta => offset * unit,
                        ValueMode::Factor => 1.0 + offset / 100.0,
                    }
                }
                _ => s.x,
            };
            let mut params = BTreeMap::new();
            if s.param_ok {
                params.insert(param, ParamValue::Number(x));
            }
            let p = Proposal {
                id: format!("p{i}"), rule: "prop".into(), kind: kind.into(), target: target.into(),
                params, safety: false, healing: s.healing.then_some(x),
            };
            let trail_len = ck.trail().len();
            let mut ctx = GateContext {
                now_ms: now, values: &fx.snapshot, emergency: s.emergency, checker: &mut ck,
                contracts: &contracts, free: &fx.free, balance: fx.balance, prices: &fx.prices,
            };
            let d = g.check(&p, &mut ctx);
            prop_assert!(serde_json::to_string(&d).is_ok());
            prop_assert!(ck.trail().len() > trail_len);
            let last = ck.trail().records().last().unwrap();
            prop_assert_eq!(last.seq, d.audit_seq());
            match &d {
                GateDecision::Approved(a) => {
                    prop_assert_eq!(last.decision, AuditDecision::Approved);
                    let k = &g.config().actions[kind];
                    prop_assert!(a.value.is_finite());
                    prop_assert_eq!(a.previous, before);
                    if let Some(lo) = resolve(&k.min, target, &fx.snapshot) { prop_assert!(a.value >= lo); }
                    if let Some(hi) = resolve(&k.max, target, &fx.snapshot) { prop_assert!(a.value <= hi); }
                    if let Some(cap) = k.cap { prop_assert!(a.value <= cap); }
                    if !a.healing {
                        prop_assert!(!s.emergency || k.safety);
                        if let (Some(step), Some(prev)) = (k.max_step, a.previous) {
                            prop_assert!((a.value - prev).abs() <= step, "{} -> {} step {}", prev, a.value, step);
                        }
                        if let Some(prev) = a.previous {
                            prop_assert!((a.value - prev).abs() >= k.hysteresis);
                        }
                    }
                    prop_assert_eq!(g.current_value(kind, target, &fx.snapshot), Some(a.value));
                }
                GateDecision::Rejected(_) => {
                    prop_assert_eq!(last.decision, AuditDecision::Rejected);
                    prop_assert_eq!(g.current_value(kind, target, &fx.snapshot), before);
                }
            }
            if let Some(t) = g.tokens(kind, now) {
                prop_assert!(t >= 0.0);
            }
        }
        prop_assert!(ck.trail().verify().problem.is_none());
    }
}
