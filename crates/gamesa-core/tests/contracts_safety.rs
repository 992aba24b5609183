//! The built-in `safety_check` contract: its documented defaults, the quick-start context,
//! fail-closed on its required variables, and the sample that mirrors it.

use gamesa_core::contracts::{
    ConditionKind, Contract, ContractDef, ContractSet, OnViolation, SAFETY_CONTRACT_NAME, VarType,
    ViolationReason, safety_contract,
};
use gamesa_core::expr::Value;

fn check(ctx: &[(&str, Value)]) -> gamesa_core::contracts::CheckResult {
    ContractSet::with_safety()
        .check_invariants(SAFETY_CONTRACT_NAME, ctx)
        .unwrap()
}

fn temps(cpu: f64, gpu: f64) -> [(&'static str, Value); 2] {
    [
        ("temp_cpu", Value::Double(cpu)),
        ("temp_gpu", Value::Double(gpu)),
    ]
}

#[test]
fn documented_defaults() {
    let def = safety_contract();
    assert_eq!(def.name, "safety_check");
    assert_eq!(def.on_violation, OnViolation::Signal);
    assert!(def.pre.is_empty() && def.post.is_empty());
    assert_eq!(
        def.invariants,
        [
            "temp_cpu < 95.0",
            "temp_gpu < 90.0",
            "temp_cpu > 0.0",
            "temp_gpu > 0.0",
            "temp_gpu_hotspot < 100.0"
        ]
    );
    assert_eq!(def.variables.len(), 3);
    for (name, optional) in [
        ("temp_cpu", false),
        ("temp_gpu", false),
        ("temp_gpu_hotspot", true),
    ] {
        assert_eq!(def.variables[name].var_type(), VarType::Double);
        assert_eq!(def.variables[name].is_optional(), optional, "{name}");
    }
    let compiled = Contract::compile(def).unwrap();
    assert_eq!(
        compiled.required_variables().collect::<Vec<_>>(),
        ["temp_cpu", "temp_gpu"]
    );
}

#[test]
fn the_quick_start_context_is_ok() {
    let r = check(&temps(72.0, 68.0));
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.response, None);
    // Only the optional hotspot condition is skipped.
    assert_eq!(r.skipped.len(), 1);
    assert_eq!(r.skipped[0].condition, "temp_gpu_hotspot < 100.0");
}

#[test]
fn each_limit_is_exclusive_and_names_its_values() {
    let r = check(&temps(95.0, 90.0));
    assert_eq!(r.response, Some(OnViolation::Signal));
    assert_eq!(r.violations.len(), 2);
    assert_eq!(r.violations[0].condition, "temp_cpu < 95.0");
    assert_eq!(
        r.violations[0].values,
        vec![("temp_cpu".to_string(), Value::Double(95.0))]
    );
    assert_eq!(r.violations[1].condition, "temp_gpu < 90.0");
    assert!(check(&temps(94.9, 89.9)).ok);
}

#[test]
fn dead_sensors_and_nan_readings_violate() {
    let r = check(&temps(0.0, -1.0));
    assert_eq!(
        r.violations
            .iter()
            .map(|v| v.condition.as_str())
            .collect::<Vec<_>>(),
        ["temp_cpu > 0.0", "temp_gpu > 0.0"]
    );
    let r = check(&temps(f64::NAN, 60.0));
    assert_eq!(r.violations.len(), 2, "NaN fails both CPU bounds: {r:#?}");
}

#[test]
fn missing_required_temperatures_fail_closed() {
    let r = check(&[("temp_cpu", Value::Double(50.0))]);
    assert!(!r.ok);
    assert_eq!(r.violations.len(), 2);
    for v in &r.violations {
        assert_eq!(v.reason, ViolationReason::MissingVariable);
        assert_eq!(v.missing, vec!["temp_gpu".to_string()]);
    }
    let r = check(&[]);
    assert_eq!(r.violations.len(), 4);
}

#[test]
fn the_optional_hotspot_is_checked_when_reported() {
    let mut ctx = temps(60.0, 70.0).to_vec();
    ctx.push(("temp_gpu_hotspot", Value::Double(101.0)));
    let r = check(&ctx);
    assert_eq!(r.violations.len(), 1);
    assert_eq!(r.violations[0].condition, "temp_gpu_hotspot < 100.0");
    assert!(r.skipped.is_empty());
    ctx[2].1 = Value::Double(99.0);
    assert!(check(&ctx).ok);
}

#[test]
fn the_sample_is_the_built_in_contract() {
    let text = include_str!("../../../samples/contracts/safety_check.json");
    let mut sample: ContractDef = serde_json::from_str(text).unwrap();
    assert_eq!(
        sample.schema.take().as_deref(),
        Some("../../schemas/contract.schema.json")
    );
    assert_eq!(sample, safety_contract());
}

#[test]
fn only_invariants_are_defined() {
    let set = ContractSet::with_safety();
    assert!(
        set.check(SAFETY_CONTRACT_NAME, ConditionKind::Pre, &[])
            .unwrap()
            .ok
    );
    assert!(
        set.check(SAFETY_CONTRACT_NAME, ConditionKind::Post, &[])
            .unwrap()
            .ok
    );
}
