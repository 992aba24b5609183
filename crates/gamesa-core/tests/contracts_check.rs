//! Checking contracts: pre/post/invariants, fail-closed on missing variables and bad values,
//! evaluation errors as violations, optional variables, unknown and duplicate names.

use gamesa_core::ErrorCode;
use gamesa_core::contracts::{
    CheckResult, ConditionKind, Context, Contract, ContractError, ContractSet, OnViolation,
    ViolationReason,
};
use gamesa_core::expr::{EvalErrorKind, Value};
use std::collections::{BTreeMap, HashMap};

fn contract(json: &str) -> Contract {
    Contract::from_json(json).unwrap_or_else(|e| panic!("contract compiles: {e}"))
}

/// A GPU power trim: pre, post and invariants over doubles, an int and a bool.
fn power_trim() -> Contract {
    contract(
        r#"{
          "name": "gpu_power_trim",
          "variables": {
            "gpu.power_w": "double", "gpu.limit_w": "double", "old.limit_w": "double",
            "steps": "int", "dry_run": "bool"
          },
          "pre": ["gpu.limit_w > 0.0", "steps >= 0"],
          "post": ["gpu.limit_w <= old.limit_w", "gpu.power_w <= gpu.limit_w * 1.05"],
          "invariants": ["gpu.limit_w >= 50.0 || dry_run"],
          "onViolation": "rollback"
        }"#,
    )
}

fn ok(result: &CheckResult) {
    assert!(result.ok, "expected ok, got {result:#?}");
    assert!(result.violations.is_empty());
    assert_eq!(result.response, None);
}

#[test]
fn pre_post_and_invariants_hold() {
    let c = power_trim();
    let ctx = [
        ("gpu.power_w", Value::Double(180.0)),
        ("gpu.limit_w", Value::Double(200.0)),
        ("old.limit_w", Value::Double(220.0)),
        ("steps", Value::Int(3)),
        ("dry_run", Value::Bool(false)),
    ];
    ok(&c.check(ConditionKind::Pre, &ctx));
    ok(&c.check(ConditionKind::Post, &ctx));
    ok(&c.check(ConditionKind::Invariant, &ctx));
}

#[test]
fn a_false_condition_is_a_violation_naming_condition_values_and_response() {
    let c = power_trim();
    let ctx = [
        ("gpu.power_w", Value::Double(260.0)),
        ("gpu.limit_w", Value::Double(240.0)),
        ("old.limit_w", Value::Double(220.0)),
    ];
    let r = c.check(ConditionKind::Post, &ctx);
    assert!(!r.ok);
    assert_eq!(r.response, Some(OnViolation::Rollback));
    assert_eq!(r.violations.len(), 2, "both postconditions fail: {r:#?}");
    let v = &r.violations[0];
    assert_eq!(v.contract, "gpu_power_trim");
    assert_eq!(v.condition, "gpu.limit_w <= old.limit_w");
    assert_eq!(v.kind, ConditionKind::Post);
    assert_eq!(v.index, 0);
    assert_eq!(v.reason, ViolationReason::Failed);
    assert_eq!(
        v.values,
        vec![
            ("gpu.limit_w".to_string(), Value::Double(240.0)),
            ("old.limit_w".to_string(), Value::Double(220.0)),
        ]
    );
    assert!(v.missing.is_empty());
    assert_eq!(
        v.message(),
        "post `gpu.limit_w <= old.limit_w` of contract `gpu_power_trim` is false \
         (gpu.limit_w = 240.0, old.limit_w = 220.0)"
    );
    assert_eq!(r.violations[1].index, 1);
    assert_eq!(r.violations[1].values.len(), 2);
}

#[test]
fn only_the_conditions_of_the_requested_kind_are_checked() {
    let c = power_trim();
    // Pre holds; the (unchecked) invariants would fail for lack of dry_run.
    let ctx = [
        ("gpu.limit_w", Value::Double(10.0)),
        ("steps", Value::Int(0)),
    ];
    ok(&c.check(ConditionKind::Pre, &ctx));
    assert!(!c.check(ConditionKind::Invariant, &ctx).ok);
}

#[test]
fn a_missing_variable_fails_closed() {
    let c = power_trim();
    let r = c.check(ConditionKind::Pre, &[("gpu.limit_w", Value::Double(200.0))]);
    assert!(!r.ok);
    assert_eq!(r.violations.len(), 1);
    let v = &r.violations[0];
    assert_eq!(v.condition, "steps >= 0");
    assert_eq!(v.reason, ViolationReason::MissingVariable);
    assert_eq!(v.missing, vec!["steps".to_string()]);
    assert!(v.values.is_empty());
    assert!(
        v.message().contains("the context lacks steps"),
        "{}",
        v.message()
    );

    // An empty context violates every condition, none passes by default.
    let r = c.check(ConditionKind::Post, &BTreeMap::<String, Value>::new());
    assert_eq!(r.violations.len(), 2);
    assert!(
        r.violations
            .iter()
            .all(|v| v.reason == ViolationReason::MissingVariable)
    );
    assert_eq!(
        r.violations[0].missing,
        vec!["gpu.limit_w".to_string(), "old.limit_w".to_string()]
    );
}

#[test]
fn missing_fails_closed_even_where_the_other_side_would_decide() {
    // `a || b` with a true: CEL would absorb b's absence, but a contract does not guess.
    let c = contract(
        r#"{"name":"c","variables":{"a":"bool","b":"bool"},"invariants":["a || b"],"onViolation":"signal"}"#,
    );
    let r = c.check(ConditionKind::Invariant, &[("a", Value::Bool(true))]);
    assert!(!r.ok);
    assert_eq!(r.violations[0].missing, vec!["b".to_string()]);
    assert_eq!(
        r.violations[0].values,
        vec![("a".to_string(), Value::Bool(true))]
    );
}

#[test]
fn an_evaluation_error_is_a_violation_with_the_error() {
    let c = contract(
        r#"{"name":"ratio","variables":{"used":"int","total":"int","big":"int"},
            "invariants":["used / total < 2", "big + 1 > big"],"onViolation":"clamp"}"#,
    );
    let r = c.check(
        ConditionKind::Invariant,
        &[
            ("used", Value::Int(3)),
            ("total", Value::Int(0)),
            ("big", Value::Int(i64::MAX)),
        ],
    );
    assert!(!r.ok);
    assert_eq!(r.response, Some(OnViolation::Clamp));
    assert_eq!(r.violations.len(), 2);
    match &r.violations[0].reason {
        ViolationReason::EvalError(e) => assert_eq!(e.kind, EvalErrorKind::DivisionByZero),
        other => panic!("expected a division error, got {other:?}"),
    }
    match &r.violations[1].reason {
        ViolationReason::EvalError(e) => assert_eq!(e.kind, EvalErrorKind::Overflow),
        other => panic!("expected an overflow, got {other:?}"),
    }
    assert!(r.violations[1].message().contains("failed to evaluate"));
}

#[test]
fn nan_fails_every_ordering_so_it_fails_closed() {
    let c = contract(
        r#"{"name":"t","variables":{"t":"double"},"invariants":["t < 95.0"],"onViolation":"signal"}"#,
    );
    let r = c.check(ConditionKind::Invariant, &[("t", Value::Double(f64::NAN))]);
    assert!(!r.ok);
    assert_eq!(r.violations[0].reason, ViolationReason::Failed);
}

#[test]
fn context_values_convert_to_the_declared_type_only_without_loss() {
    let c = contract(
        r#"{"name":"types","variables":{"i":"int","u":"uint","d":"double","b":"bool"},
            "invariants":["i >= 0", "u >= 0u", "d >= 0.0", "b"],"onViolation":"signal"}"#,
    );
    // JavaScript numbers arrive as doubles: whole ones are valid ints and uints.
    let good = [
        ("i", Value::Double(3.0)),
        ("u", Value::Double(4.0)),
        ("d", Value::Int(5)),
        ("b", Value::Bool(true)),
    ];
    ok(&c.check(ConditionKind::Invariant, &good));
    let also_good = [
        ("i", Value::Uint(3)),
        ("u", Value::Int(4)),
        ("d", Value::Uint(5)),
        ("b", Value::Bool(true)),
    ];
    ok(&c.check(ConditionKind::Invariant, &also_good));

    let bad = [
        ("i", Value::Double(72.5)),
        ("u", Value::Int(-1)),
        ("d", Value::Bool(true)),
        ("b", Value::Double(1.0)),
    ];
    let r = c.check(ConditionKind::Invariant, &bad);
    assert_eq!(r.violations.len(), 4, "{r:#?}");
    for v in &r.violations {
        assert!(
            matches!(v.reason, ViolationReason::InvalidValue(_)),
            "{v:?}"
        );
    }
    match &r.violations[0].reason {
        ViolationReason::InvalidValue(m) => {
            assert!(
                m.contains("`i` is declared int") && m.contains("not a whole number"),
                "{m}"
            )
        }
        _ => unreachable!(),
    }
    // The offending value is reported as given.
    assert_eq!(
        r.violations[0].values,
        vec![("i".to_string(), Value::Double(72.5))]
    );

    for (value, why) in [
        (Value::Double(9.3e18), "beyond the int range"),
        (Value::Double(f64::NAN), "not a whole number"),
        (Value::Double(f64::INFINITY), "beyond the int range"),
        (Value::Uint(u64::MAX), "beyond the int range"),
    ] {
        let r = c.check(ConditionKind::Invariant, &[("i", value)]);
        match &r.violations[0].reason {
            ViolationReason::InvalidValue(m) => assert!(m.contains(why), "{value:?}: {m}"),
            other => panic!("{value:?}: {other:?}"),
        }
    }
    let big = c.check(ConditionKind::Invariant, &[("d", Value::Int(1 << 60))]);
    assert!(matches!(
        big.violations[2].reason,
        ViolationReason::InvalidValue(_)
    ));
}

#[test]
fn absent_optional_variables_skip_their_conditions_but_required_ones_still_fail() {
    let c = contract(
        r#"{"name":"opt","variables":{"t":"double","hot":{"type":"double","optional":true}},
            "invariants":["t < 95.0", "hot < 100.0", "hot < t + 30.0"],"onViolation":"signal"}"#,
    );
    let r = c.check(ConditionKind::Invariant, &[("t", Value::Double(70.0))]);
    ok(&r);
    assert_eq!(r.skipped.len(), 2);
    assert_eq!(r.skipped[0].condition, "hot < 100.0");
    assert_eq!(r.skipped[0].absent, vec!["hot".to_string()]);
    assert_eq!(r.skipped[1].index, 2);

    // Present, the optional variable is checked like any other.
    let r = c.check(
        ConditionKind::Invariant,
        &[("t", Value::Double(70.0)), ("hot", Value::Double(105.0))],
    );
    assert_eq!(r.violations.len(), 2);
    assert!(r.skipped.is_empty());

    // A missing required variable wins over an absent optional one: fail closed.
    let r = c.check(ConditionKind::Invariant, &[("hot", Value::Double(50.0))]);
    assert_eq!(r.violations.len(), 2, "{r:#?}");
    assert_eq!(r.violations[1].condition, "hot < t + 30.0");
    assert_eq!(r.violations[1].missing, vec!["t".to_string()]);
}

#[test]
fn undeclared_context_entries_are_ignored_and_any_context_type_works() {
    let c = power_trim();
    let mut hash: HashMap<String, Value> = HashMap::new();
    hash.insert("gpu.limit_w".into(), Value::Double(100.0));
    hash.insert("steps".into(), Value::Int(1));
    hash.insert("cpu.temp".into(), Value::Double(1e9));
    ok(&c.check(ConditionKind::Pre, &hash));
    let owned: Vec<(String, Value)> = vec![
        ("gpu.limit_w".into(), Value::Double(100.0)),
        ("steps".into(), Value::Int(-1)),
        ("steps".into(), Value::Int(1)), // the last one wins, as in a JS object literal
    ];
    ok(&c.check(ConditionKind::Pre, &owned));
}

#[test]
fn a_contract_without_conditions_of_a_kind_passes_that_kind() {
    let c = power_trim();
    let only_invariants = contract(
        r#"{"name":"x","variables":{"a":"bool"},"invariants":["a"],"onViolation":"signal"}"#,
    );
    ok(&only_invariants.check(ConditionKind::Pre, &[("a", Value::Bool(false))]));
    assert_eq!(c.name(), "gpu_power_trim");
}

#[test]
fn the_set_checks_by_name_and_rejects_unknown_names() {
    let mut set = ContractSet::new();
    set.register(power_trim()).unwrap();
    let ctx = [
        ("gpu.limit_w", Value::Double(1.0)),
        ("steps", Value::Int(0)),
    ];
    assert!(set.check_pre("gpu_power_trim", &ctx).unwrap().ok);
    assert!(!set.check_post("gpu_power_trim", &ctx).unwrap().ok);
    assert!(!set.check_invariants("gpu_power_trim", &ctx).unwrap().ok);

    let err = set.check_invariants("gpu_powr_trim", &ctx).unwrap_err();
    assert_eq!(err.code(), "UNKNOWN_CONTRACT");
    assert_eq!(
        err.to_string(),
        "unknown contract `gpu_powr_trim` (registered: gpu_power_trim)"
    );
    let empty = ContractSet::new();
    assert_eq!(
        empty.check_pre("x", &ctx).unwrap_err().to_string(),
        "unknown contract `x` (no contracts are registered)"
    );
}

#[test]
fn register_refuses_a_taken_name_and_replace_means_it() {
    let mut set = ContractSet::with_safety();
    let weaker = contract(
        r#"{"name":"safety_check","variables":{"temp_cpu":"double"},"invariants":["temp_cpu < 150.0"],"onViolation":"signal"}"#,
    );
    let err = set.register(weaker.clone()).unwrap_err();
    assert_eq!(err.code(), "DUPLICATE_ID");
    assert!(matches!(err, ContractError::DuplicateContract { .. }));
    // Still the built-in one.
    assert!(
        !set.check_invariants("safety_check", &[("temp_cpu", Value::Double(100.0))])
            .unwrap()
            .ok
    );
    assert!(set.replace(weaker).is_some());
    assert!(
        set.check_invariants("safety_check", &[("temp_cpu", Value::Double(100.0))])
            .unwrap()
            .ok
    );
    assert!(set.remove("safety_check").is_some());
    assert!(set.is_empty());
}

#[test]
fn names_are_sorted() {
    let mut set = ContractSet::with_safety();
    for name in ["zeta", "alpha", "mid"] {
        set.register(contract(&format!(
            r#"{{"name":"{name}","variables":{{"a":"bool"}},"invariants":["a"],"onViolation":"signal"}}"#
        )))
        .unwrap();
    }
    assert_eq!(
        set.names().collect::<Vec<_>>(),
        ["alpha", "mid", "safety_check", "zeta"]
    );
    assert_eq!(set.len(), 4);
}

/// A context laid out in the contract's variable order, answering only by slot.
struct BySlot(Vec<Option<Value>>);

impl Context for BySlot {
    fn get(&self, _name: &str) -> Option<Value> {
        None
    }

    fn get_at(&self, slot: usize, _name: &str) -> Option<Value> {
        self.0.get(slot).copied().flatten()
    }
}

#[test]
fn checks_ask_by_slot_in_variable_order() {
    let c = power_trim();
    let order: Vec<&str> = c.variables().map(|(n, _)| n).collect();
    assert_eq!(
        order,
        [
            "dry_run",
            "gpu.limit_w",
            "gpu.power_w",
            "old.limit_w",
            "steps"
        ]
    );
    let ctx = BySlot(vec![
        Some(Value::Bool(false)),
        Some(Value::Double(40.0)),
        None,
        None,
        Some(Value::Int(1)),
    ]);
    ok(&c.check(ConditionKind::Pre, &ctx));
    let r = c.check(ConditionKind::Invariant, &ctx);
    assert_eq!(r.violations.len(), 1);
    assert_eq!(
        r.violations[0].values,
        vec![
            ("dry_run".to_string(), Value::Bool(false)),
            ("gpu.limit_w".to_string(), Value::Double(40.0)),
        ]
    );
}
