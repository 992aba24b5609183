//! The ActionGate corpus (samples/gate/unsafe_actions.json): every unsafe action is rejected
//! with the right reason, every safe one passes, and every decision is in the audit trail,
//! whose chain verifies.

mod gate_support;

use gamesa_core::effects::{AuditDecision, EffectChecker};
use gamesa_core::gate::{ActionGate, GateContext, GateDecision, Proposal, RejectReason};
use gamesa_core::rules::ParamValue;
use gate_support::{Fixture, checker, fixture, gate, per_resource, snapshot};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

const DEFAULT_NOW_MS: f64 = 10_000.0;

fn proposal(j: &Json, n: usize) -> Proposal {
    let params: BTreeMap<String, ParamValue> =
        serde_json::from_value(j["params"].clone()).expect("params");
    Proposal {
        id: format!("p{n}"),
        rule: "corpus".into(),
        kind: j["kind"].as_str().unwrap().into(),
        target: j["target"].as_str().unwrap().into(),
        params,
        safety: j.get("safety").and_then(Json::as_bool).unwrap_or(false),
        healing: j.get("healing").and_then(Json::as_f64),
    }
}

fn non_finite(name: &str) -> f64 {
    match name {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        other => panic!("nonFinite {other}"),
    }
}

/// One decision plus what the audit trail says about it.
struct Outcome {
    decision: GateDecision,
    checker: EffectChecker,
    decisions: usize,
}

/// Runs one case on a fresh gate and checker; setup proposals must be approved.
fn run(gate: &mut ActionGate, fx: &Fixture, case: &Json) -> Outcome {
    let name = case["name"].as_str().unwrap();
    let mut snap = fx.snapshot.clone();
    snapshot(&mut snap, case.get("snapshot"));
    let mut free = fx.free;
    per_resource(&mut free, case.get("free"));
    let mut prices = fx.prices;
    per_resource(&mut prices, case.get("prices"));
    let balance = match case.get("balance") {
        None => fx.balance,
        Some(b) => b.as_f64(),
    };
    let mut checker = checker(case.get("grants").unwrap_or(&fx.doc["grants"]));
    let contracts = gate_support::contracts();
    let emergency = case
        .get("emergency")
        .and_then(Json::as_bool)
        .unwrap_or(false);
    let mut decisions = 0;
    let mut n = 0;
    let step = |gate: &mut ActionGate,
                p: &Proposal,
                now: f64,
                emergency: bool,
                checker: &mut EffectChecker| {
        let mut ctx = GateContext {
            now_ms: now,
            values: &snap,
            emergency,
            checker,
            contracts: &contracts,
            free: &free,
            balance,
            prices: &prices,
        };
        gate.check(p, &mut ctx)
    };
    for s in case
        .get("setup")
        .and_then(Json::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        n += 1;
        let now = s
            .get("nowMs")
            .and_then(Json::as_f64)
            .unwrap_or(DEFAULT_NOW_MS);
        let d = step(gate, &proposal(s, n), now, false, &mut checker);
        decisions += 1;
        assert!(d.is_approved(), "{name}: setup {n} must pass, got {d:?}");
    }
    let pj = &case["proposal"];
    let mut p = proposal(pj, 0);
    if let Some(nf) = case.get("nonFinite").and_then(Json::as_str) {
        let x = non_finite(nf);
        if p.healing.is_some() {
            p.healing = Some(x);
        } else {
            let param = gate.config().actions[&p.kind].value.param.clone();
            p.params.insert(param, ParamValue::Number(x));
        }
    }
    let now = pj
        .get("nowMs")
        .and_then(Json::as_f64)
        .unwrap_or(DEFAULT_NOW_MS);
    let decision = step(gate, &p, now, emergency, &mut checker);
    decisions += 1;
    Outcome {
        decision,
        checker,
        decisions,
    }
}

fn expected(case: &Json) -> Option<RejectReason> {
    let e = case["expect"].as_str().unwrap();
    if e == "approved" {
        None
    } else {
        Some(RejectReason::parse(e).unwrap_or_else(|| panic!("unknown reason {e}")))
    }
}

/// The audit trail holds exactly one gate record per decision, in order, with the reason
/// named in the rejected ones, and the chain verifies.
fn audit_holds(name: &str, o: &Outcome) {
    let trail = o.checker.trail();
    let gate_records: Vec<_> = trail
        .records()
        .iter()
        .filter(|r| {
            matches!(
                r.decision,
                AuditDecision::Approved | AuditDecision::Rejected
            )
        })
        .collect();
    assert_eq!(
        gate_records.len(),
        o.decisions,
        "{name}: one gate record per decision"
    );
    let last = gate_records.last().unwrap();
    assert_eq!(last.seq, o.decision.audit_seq(), "{name}");
    assert_eq!(
        last.seq + 1,
        trail.len(),
        "{name}: the decision is the last record"
    );
    match &o.decision {
        GateDecision::Approved(a) => {
            assert_eq!(last.decision, AuditDecision::Approved, "{name}");
            assert_eq!(*last.agent, *a.agent);
            assert_eq!(last.target.as_deref(), Some(&*a.target));
        }
        GateDecision::Rejected(r) => {
            assert_eq!(last.decision, AuditDecision::Rejected, "{name}");
            assert!(
                last.reason.starts_with(&format!("{}: ", r.reason)),
                "{name}: audit reason {:?}",
                last.reason
            );
            assert!(last.reason.contains(&r.message), "{name}");
        }
    }
    let report = trail.verify();
    assert!(report.problem.is_none(), "{name}: {report:?}");
}

fn cases<'a>(fx: &'a Fixture, key: &str) -> &'a [Json] {
    fx.doc[key].as_array().unwrap()
}

#[test]
fn every_unsafe_action_is_rejected_with_its_reason() {
    let fx = fixture();
    let unsafe_cases = cases(&fx, "unsafe");
    assert!(
        unsafe_cases.len() >= 50,
        "{} unsafe cases",
        unsafe_cases.len()
    );
    let mut seen = BTreeSet::new();
    let mut names = BTreeSet::new();
    for case in unsafe_cases {
        let name = case["name"].as_str().unwrap();
        assert!(names.insert(name), "duplicate case name {name}");
        let want = expected(case).unwrap_or_else(|| panic!("{name}: unsafe must expect a reason"));
        let o = run(&mut gate(), &fx, case);
        assert_eq!(o.decision.reason(), Some(want), "{name}: {:?}", o.decision);
        if let GateDecision::Rejected(r) = &o.decision {
            assert!(!r.message.is_empty(), "{name}");
            if let Some(v) = r.value {
                assert!(v.is_finite(), "{name}");
            }
        }
        audit_holds(name, &o);
        seen.insert(want);
    }
    // Every reason the gate gives is exercised (not_selected belongs to the engine).
    for r in RejectReason::ALL {
        if r != RejectReason::NotSelected {
            assert!(seen.contains(&r), "no corpus case for {r}");
        }
    }
}

#[test]
fn safe_actions_pass_and_are_audited() {
    let fx = fixture();
    let safe = cases(&fx, "safe");
    assert!(safe.len() >= 15);
    for case in safe {
        let name = case["name"].as_str().unwrap();
        assert_eq!(expected(case), None, "{name}");
        let o = run(&mut gate(), &fx, case);
        let GateDecision::Approved(a) = &o.decision else {
            panic!("{name}: {:?}", o.decision);
        };
        assert!(a.value.is_finite());
        audit_holds(name, &o);
    }
}

#[test]
fn non_finite_values_are_rejected_for_every_kind() {
    let fx = fixture();
    let g = gate();
    let kinds: Vec<(String, String)> = g
        .config()
        .actions
        .iter()
        .map(|(k, c)| (k.clone(), c.value.param.clone()))
        .collect();
    let targets = BTreeMap::from([
        ("set_gpu_power_limit", "gpu0"),
        ("set_cpu_freq_max", "cpu"),
        ("set_cpu_weight", "game"),
        ("set_cpu_quota", "game"),
        ("pin_cores", "game"),
    ]);
    assert_eq!(kinds.len(), targets.len());
    for (kind, param) in &kinds {
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for healing in [false, true] {
                let case = serde_json::json!({
                    "name": format!("{kind} {x} healing={healing}"),
                    "expect": "invalid_param",
                    "proposal": { "kind": kind, "target": targets[kind.as_str()], "params": {} },
                });
                let mut gate = gate();
                let mut p = proposal(&case["proposal"], 0);
                if healing {
                    p.healing = Some(x);
                } else {
                    p.params.insert(param.clone(), ParamValue::Number(x));
                }
                let mut checker = checker(&fx.doc["grants"]);
                let contracts = gate_support::contracts();
                let mut ctx = GateContext {
                    now_ms: DEFAULT_NOW_MS,
                    values: &fx.snapshot,
                    emergency: false,
                    checker: &mut checker,
                    contracts: &contracts,
                    free: &fx.free,
                    balance: fx.balance,
                    prices: &fx.prices,
                };
                let d = gate.check(&p, &mut ctx);
                assert_eq!(
                    d.reason(),
                    Some(RejectReason::InvalidParam),
                    "{kind} {x} {healing}"
                );
                // The rejection serializes (no NaN reaches the JSON output).
                serde_json::to_string(&d).unwrap();
            }
        }
    }
}

#[test]
fn decisions_serialize_with_stable_reason_strings() {
    let fx = fixture();
    let case = &cases(&fx, "unsafe")[0];
    let o = run(&mut gate(), &fx, case);
    let json = serde_json::to_value(&o.decision).unwrap();
    assert_eq!(json["decision"], "rejected");
    assert_eq!(json["reason"], "unknown_kind");
    let safe = &cases(&fx, "safe")[0];
    let o = run(&mut gate(), &fx, safe);
    let json = serde_json::to_value(&o.decision).unwrap();
    assert_eq!(json["decision"], "approved");
    assert_eq!(json["value"], 180.0);
    assert_eq!(json["previous"], 200.0);
    assert_eq!(json["effect"], "gpu_control");
    assert!(json["auditSeq"].is_u64());
}
