//! Unit tests of the gate: construction against the contract set, state (tokens, cooldowns,
//! current values), healing, post-contexts and odd inputs (non-finite time, bad targets).

use super::*;
use crate::PerResource;
use crate::contracts::{Contract, ContractSet};
use crate::effects::{AuditDecision, Effect, EffectChecker, GrantOptions};
use crate::expr::Value;
use std::collections::BTreeMap;

const POWER: &str = r#"{
  "actions": {
    "set_gpu_power_limit": {
      "agent": "gpu_agent", "effect": "gpu_control", "targets": ["gpu*"],
      "exists": "{target}.power_limit_w",
      "value": { "current": "{target}.power_limit_w" },
      "min": "{target}.power_min_w", "max": "{target}.power_max_w", "cap": 300,
      "maxStep": 50, "rate": { "burst": 1, "perSecond": 1 }, "cooldownMs": 1000, "hysteresis": 5,
      "contract": { "name": "trim", "bind": { "limit": "$value", "before": "$previous", "power": "{target}.power_w" } },
      "costs": { "power_budget": 10, "cpu_time": 2 }
    }
  }
}"#;

const TRIM: &str = r#"{ "name": "trim",
  "variables": { "limit": "double", "before": "double", "power": "double" },
  "pre": ["limit > 0.0"], "post": ["limit <= before", "power <= limit * 1.05"],
  "onViolation": "rollback" }"#;

fn contracts() -> ContractSet {
    let mut set = ContractSet::with_safety();
    set.register(Contract::from_json(TRIM).unwrap()).unwrap();
    set
}

fn gate() -> ActionGate {
    ActionGate::new(&GateConfig::from_json(POWER).unwrap(), &contracts()).unwrap()
}

fn snapshot() -> BTreeMap<String, Value> {
    [
        ("gpu0.power_limit_w", 200.0),
        ("gpu0.power_min_w", 100.0),
        ("gpu0.power_max_w", 350.0),
        ("gpu0.power_w", 150.0),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Value::Double(v)))
    .collect()
}

fn checker() -> EffectChecker {
    let mut c = EffectChecker::new();
    c.grant(
        "gpu_agent",
        &[Effect::GpuControl],
        GrantOptions::default(),
        0,
    )
    .unwrap();
    c
}

struct World {
    snap: BTreeMap<String, Value>,
    checker: EffectChecker,
    contracts: ContractSet,
    free: PerResource<f64>,
    prices: PerResource<f64>,
    balance: Option<f64>,
    emergency: bool,
}

impl World {
    fn new() -> World {
        World {
            snap: snapshot(),
            checker: checker(),
            contracts: contracts(),
            free: PerResource::splat(100.0),
            prices: PerResource::splat(1.0),
            balance: Some(100.0),
            emergency: false,
        }
    }

    fn check(&mut self, gate: &mut ActionGate, p: &Proposal, now_ms: f64) -> GateDecision {
        let mut ctx = GateContext {
            now_ms,
            values: &self.snap,
            emergency: self.emergency,
            checker: &mut self.checker,
            contracts: &self.contracts,
            free: &self.free,
            balance: self.balance,
            prices: &self.prices,
        };
        gate.check(p, &mut ctx)
    }
}

fn set(value: f64) -> Proposal {
    Proposal::new("p", "r", "set_gpu_power_limit", "gpu0", value)
}

#[test]
fn construction_checks_contracts_and_bindings() {
    let config = GateConfig::from_json(POWER).unwrap();
    let e = ActionGate::new(&config, &ContractSet::with_safety()).unwrap_err();
    assert_eq!(e.path, "$.actions.set_gpu_power_limit.contract.name");
    assert!(e.message.contains("unknown contract \"trim\""), "{e}");
    assert!(e.message.contains("safety_check"), "{e}");

    let bad = POWER.replace("\"before\": \"$previous\"", "\"old\": \"$previous\"");
    let e = ActionGate::new(&GateConfig::from_json(&bad).unwrap(), &contracts()).unwrap_err();
    assert_eq!(e.path, "$.actions.set_gpu_power_limit.contract.bind.old");
    assert_eq!(crate::ErrorCode::code(&e), "INVALID_GATE");
}

#[test]
fn approval_commits_value_token_and_cooldown() {
    let mut g = gate();
    let mut w = World::new();
    assert_eq!(
        g.current_value("set_gpu_power_limit", "gpu0", &w.snap),
        Some(200.0)
    );
    assert_eq!(g.tokens("set_gpu_power_limit", 0.0), Some(1.0));
    let GateDecision::Approved(a) = w.check(&mut g, &set(180.0), 1000.0) else {
        panic!()
    };
    assert_eq!(
        (a.value, a.previous, a.healing),
        (180.0, Some(200.0), false)
    );
    assert_eq!(&*a.agent, "gpu_agent");
    assert_eq!(a.effect, Effect::GpuControl);
    // The gate now believes 180 is set, whatever the (dry-run) snapshot says.
    assert_eq!(
        g.current_value("set_gpu_power_limit", "gpu0", &w.snap),
        Some(180.0)
    );
    assert_eq!(g.tokens("set_gpu_power_limit", 1000.0), Some(0.0));
    assert_eq!(g.tokens("set_gpu_power_limit", 1500.0), Some(0.5));
    // Cooldown and rate both block at 1500; cooldown is checked first.
    assert_eq!(
        w.check(&mut g, &set(170.0), 1500.0).reason(),
        Some(RejectReason::Cooldown)
    );
    // Rejections change nothing: at 2000 both have recovered.
    assert!(w.check(&mut g, &set(170.0), 2000.0).is_approved());
    g.reset();
    assert_eq!(
        g.current_value("set_gpu_power_limit", "gpu0", &w.snap),
        Some(200.0)
    );
    assert_eq!(g.tokens("set_gpu_power_limit", 2000.0), Some(1.0));
}

#[test]
fn healing_skips_rate_and_step_but_not_bounds_and_records_the_value() {
    let mut g = gate();
    let mut w = World::new();
    assert!(w.check(&mut g, &set(180.0), 1000.0).is_approved());
    w.emergency = true;
    let heal = Proposal::healing("h", "trim", "set_gpu_power_limit", "gpu0", 280.0);
    let GateDecision::Approved(a) = w.check(&mut g, &heal, 1001.0) else {
        panic!()
    };
    assert!(a.healing);
    assert_eq!((a.value, a.previous), (280.0, Some(180.0)));
    // Healing consumed no token.
    assert_eq!(g.tokens("set_gpu_power_limit", 1001.0), Some(0.001));
    let over = Proposal::healing("h2", "trim", "set_gpu_power_limit", "gpu0", 301.0);
    assert_eq!(
        w.check(&mut g, &over, 1002.0).reason(),
        Some(RejectReason::OutOfBounds)
    );
    let trail = w.checker.trail();
    let last = trail.records().last().unwrap();
    assert_eq!(last.decision, AuditDecision::Rejected);
    assert!(
        last.reason
            .starts_with("out_of_bounds: value 301 is outside [100, 300]"),
        "{}",
        last.reason
    );
    assert!(trail.verify().problem.is_none());
}

#[test]
fn post_context_binds_value_previous_and_the_new_snapshot() {
    let mut g = gate();
    let mut w = World::new();
    let GateDecision::Approved(a) = w.check(&mut g, &set(180.0), 0.0) else {
        panic!()
    };
    let mut next = snapshot();
    next.insert("gpu0.power_w".into(), Value::Double(185.0));
    assert_eq!(
        g.post_context(&a, &next),
        vec![
            ("before".to_string(), Value::Double(200.0)),
            ("limit".to_string(), Value::Double(180.0)),
            ("power".to_string(), Value::Double(185.0)),
        ]
    );
    let post = g.check_post(&a, &next, &w.contracts).unwrap().unwrap();
    assert!(post.ok, "{post:?}");
    next.insert("gpu0.power_w".into(), Value::Double(200.0));
    let post = g.check_post(&a, &next, &w.contracts).unwrap().unwrap();
    assert!(!post.ok);
    assert_eq!(g.contract_of("set_gpu_power_limit"), Some("trim"));
}

#[test]
fn budget_uses_free_capacity_and_priced_balance() {
    let mut g = gate();
    let mut w = World::new();
    assert_eq!(g.cost_credits("set_gpu_power_limit", &w.prices), 12.0);
    assert_eq!(g.cost_credits("nope", &w.prices), 0.0);
    w.balance = Some(11.9);
    let d = w.check(&mut g, &set(180.0), 0.0);
    assert_eq!(d.reason(), Some(RejectReason::OverBudget));
    w.balance = Some(12.0);
    w.free[crate::ResourceType::CpuTime] = f64::NAN;
    assert_eq!(
        w.check(&mut g, &set(180.0), 0.0).reason(),
        Some(RejectReason::OverBudget),
        "a NaN capacity fails closed"
    );
    w.free[crate::ResourceType::CpuTime] = 2.0;
    assert!(w.check(&mut g, &set(180.0), 0.0).is_approved());
}

#[test]
fn non_finite_time_fails_closed() {
    let mut g = gate();
    let mut w = World::new();
    assert!(w.check(&mut g, &set(180.0), 5000.0).is_approved());
    // NaN is taken as time 0: before the cooldown started.
    assert_eq!(
        w.check(&mut g, &set(160.0), f64::NAN).reason(),
        Some(RejectReason::Cooldown)
    );
    let rec = w.checker.trail().records().last().unwrap();
    assert_eq!(rec.time_ms, 0);
}

#[test]
fn odd_targets_are_unknown_and_still_audited() {
    let mut g = gate();
    let mut w = World::new();
    for t in ["", "gpu0\u{0}", &"g".repeat(300), "gpu9"] {
        let p = Proposal::new("p", "r", "set_gpu_power_limit", t, 180.0);
        let d = w.check(&mut g, &p, 0.0);
        assert_eq!(d.reason(), Some(RejectReason::UnknownTarget), "{t:?}");
        let rec = w.checker.trail().records().last().unwrap();
        assert_eq!(rec.seq, d.audit_seq());
        assert_eq!(rec.decision, AuditDecision::Rejected);
    }
    // An unknown kind is recorded under the gate's own name.
    let d = w.check(&mut g, &Proposal::new("p", "r", "nope", "gpu0", 1.0), 0.0);
    assert_eq!(d.reason(), Some(RejectReason::UnknownKind));
    let rec = w.checker.trail().records().last().unwrap();
    assert_eq!((&*rec.agent, rec.effect), (GATE_AGENT, None));
    assert!(w.checker.trail().verify().problem.is_none());
}

#[test]
fn same_inputs_same_decisions_and_trail() {
    let run = || {
        let mut g = gate();
        let mut w = World::new();
        let mut out = Vec::new();
        for (i, v) in [180.0, 150.0, 260.0, 90.0, 185.0, f64::NAN]
            .into_iter()
            .enumerate()
        {
            let d = w.check(&mut g, &set(v), i as f64 * 700.0);
            out.push(serde_json::to_string(&d).unwrap());
        }
        (out, w.checker.trail().to_ndjson())
    };
    assert_eq!(run(), run());
}
