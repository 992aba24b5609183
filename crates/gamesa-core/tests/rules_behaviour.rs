//! The rule evaluator's documented behaviour, one example each: hysteresis, cooldowns, shadow
//! mode, error isolation, deterministic order, signals.

use gamesa_core::expr::{Env, EvalErrorKind, Type, Value};
use gamesa_core::features::Snapshot;
use gamesa_core::rules::{Evaluation, RulePart, RuleSet, SnapshotError};
use gamesa_core::signals::{SignalDomain, SignalKind};
use gamesa_core::{ErrorCode, Priority};

fn env() -> Env {
    Env::new()
        .declare("t", Type::Double)
        .declare("n", Type::Int)
        .declare("d", Type::Int)
        .declare("on", Type::Bool)
}

/// A rule object with the required fields plus `extra` (a JSON fragment starting with `,`).
fn rule(id: &str, priority: &str, when: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"{id}","domain":"thermal","priority":"{priority}","when":"{when}",
            "action":{{"kind":"act","target":"cpu"}}{extra}}}"#
    )
}

fn set(rules: &[String]) -> RuleSet {
    RuleSet::from_json(&format!("[{}]", rules.join(",")), &env()).unwrap()
}

fn snap(t: f64) -> Snapshot {
    let mut s = Snapshot::new(&env());
    s.set_named("t", Value::Double(t)).unwrap();
    s.set_named("n", Value::Int(6)).unwrap();
    s.set_named("d", Value::Int(2)).unwrap();
    s.set_named("on", Value::Bool(true)).unwrap();
    s
}

fn ids(out: &[gamesa_core::rules::Firing]) -> Vec<&str> {
    out.iter().map(|f| &*f.id).collect()
}

#[test]
fn without_hysteresis_a_rule_fires_while_its_condition_holds() {
    let mut rules = set(&[rule("hot", "high", "t > 80.0", "")]);
    let fired: Vec<bool> = [85.0, 90.0, 70.0, 81.0]
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            !rules
                .evaluate(&snap(t), i as f64)
                .unwrap()
                .active
                .is_empty()
        })
        .collect();
    assert_eq!(fired, [true, true, false, true]);
    assert_eq!(rules.stats().active_firings, 3);
    assert_eq!(rules.stats().evaluations, 4);
}

#[test]
fn hysteresis_latches_until_release_when_holds() {
    let mut rules = set(&[rule(
        "guard",
        "critical",
        "t >= 90.0",
        r#","hysteresis":{"releaseWhen":"t < 80.0"}"#,
    )]);
    // t:       85    91    85    82    79    85    95
    // latched: no    yes   yes   yes   no    no    yes
    // fires:   no    yes   held  held  no    no    yes
    let temps = [85.0, 91.0, 85.0, 82.0, 79.0, 85.0, 95.0];
    let mut fired = Vec::new();
    let mut latched = Vec::new();
    for (i, t) in temps.iter().enumerate() {
        let out = rules.evaluate(&snap(*t), i as f64 * 100.0).unwrap();
        fired.push(
            out.active
                .first()
                .map(|f| if f.held { "held" } else { "fire" }),
        );
        latched.push(rules.is_latched(0));
    }
    assert_eq!(
        fired,
        [
            None,
            Some("fire"),
            Some("held"),
            Some("held"),
            None,
            None,
            Some("fire")
        ]
    );
    assert_eq!(latched, [false, true, true, true, false, false, true]);
    assert_eq!(rules.stats().latched, 1);
    assert_eq!(rules.rule_counters(0).unwrap().fired, 4);
}

#[test]
fn a_release_on_the_same_tick_wins_over_the_condition() {
    // Overlapping thresholds: at 85 both `when` and `releaseWhen` hold; the latched rule is
    // released and does not fire on that tick.
    let mut rules = set(&[rule(
        "g",
        "high",
        "t > 80.0",
        r#","hysteresis":{"releaseWhen":"t < 90.0"}"#,
    )]);
    assert_eq!(rules.evaluate(&snap(85.0), 0.0).unwrap().active.len(), 1);
    assert_eq!(rules.evaluate(&snap(85.0), 1.0).unwrap().active.len(), 0);
    assert!(!rules.is_latched(0));
    assert_eq!(rules.evaluate(&snap(85.0), 2.0).unwrap().active.len(), 1);
}

#[test]
fn cooldown_blocks_refiring_until_it_has_passed() {
    let mut rules = set(&[rule("c", "normal", "t > 50.0", r#","cooldownMs":1000"#)]);
    let times = [0.0, 500.0, 999.999, 1000.0, 1500.0, 2000.0];
    let fired: Vec<bool> = times
        .iter()
        .map(|&now| !rules.evaluate(&snap(60.0), now).unwrap().active.is_empty())
        .collect();
    assert_eq!(fired, [true, false, false, true, false, true]);
}

#[test]
fn a_latched_rule_fires_again_only_after_its_cooldown() {
    let mut rules = set(&[rule(
        "g",
        "high",
        "t >= 90.0",
        r#","cooldownMs":250,"hysteresis":{"releaseWhen":"t < 80.0"}"#,
    )]);
    let fired: Vec<bool> = (0..6)
        .map(|i| {
            !rules
                .evaluate(
                    &snap(85.0 + if i == 0 { 10.0 } else { 0.0 }),
                    i as f64 * 100.0,
                )
                .unwrap()
                .active
                .is_empty()
        })
        .collect();
    // Fires at 0 (latching), held but cooling down at 100 and 200, fires held at 300.
    assert_eq!(fired, [true, false, false, true, false, false]);
}

#[test]
fn a_condition_during_cooldown_still_closes_the_latch() {
    let mut rules = set(&[rule(
        "g",
        "high",
        "t >= 90.0",
        r#","cooldownMs":1000,"hysteresis":{"releaseWhen":"t < 80.0"}"#,
    )]);
    assert_eq!(rules.evaluate(&snap(95.0), 0.0).unwrap().active.len(), 1);
    assert_eq!(rules.evaluate(&snap(70.0), 10.0).unwrap().active.len(), 0);
    // Hot again at 20 ms: the latch closes although the cooldown forbids firing.
    assert_eq!(rules.evaluate(&snap(95.0), 20.0).unwrap().active.len(), 0);
    assert!(rules.is_latched(0));
    let out = rules.evaluate(&snap(85.0), 1000.0).unwrap();
    assert!(out.active[0].held);
}

#[test]
fn shadow_rules_never_act_but_record_what_they_would_do() {
    let shadow = rule(
        "trial",
        "critical",
        "t > 50.0",
        r#","mode":"shadow","cooldownMs":100,"emitsSignal":{"kind":"thermal_warning","strength":"t / 100.0"}"#,
    );
    let mut rules = set(&[shadow, rule("real", "low", "t > 70.0", "")]);
    let out = rules.evaluate(&snap(60.0), 0.0).unwrap();
    assert!(out.active.is_empty());
    assert_eq!(ids(&out.shadow), ["trial"]);
    assert_eq!(out.shadow[0].signal.unwrap().strength, 0.6);
    // Shadow rules keep their own cooldowns, so the record is faithful.
    let out = rules.evaluate(&snap(80.0), 50.0).unwrap();
    assert_eq!(ids(&out.active), ["real"]);
    assert!(out.shadow.is_empty());
    let out = rules.evaluate(&snap(80.0), 100.0).unwrap();
    assert_eq!(ids(&out.shadow), ["trial"]);
    assert_eq!(rules.stats().shadow_firings, 2);
    assert_eq!(rules.stats().active_firings, 2);
}

#[test]
fn a_failing_rule_is_reported_and_never_stops_the_others() {
    let mut rules = set(&[
        rule("a_div", "critical", "n / (d - 2) > 1", ""),
        rule("b_ok", "critical", "t > 0.0", ""),
        rule("c_overflow", "high", "n * 9223372036854775807 > 0", ""),
        rule("d_ok", "low", "on", ""),
    ]);
    let out = rules.evaluate(&snap(1.0), 0.0).unwrap();
    assert_eq!(ids(&out.active), ["b_ok", "d_ok"]);
    let failed: Vec<(&str, RulePart, EvalErrorKind)> = out
        .errors
        .iter()
        .map(|e| (&*e.id, e.part, e.error.kind))
        .collect();
    assert_eq!(
        failed,
        [
            ("a_div", RulePart::When, EvalErrorKind::DivisionByZero),
            ("c_overflow", RulePart::When, EvalErrorKind::Overflow),
        ]
    );
    assert_eq!(rules.stats().errors, 2);
    assert_eq!(rules.rule_counters(0).unwrap().errors, 1);
    assert!(
        out.errors[0]
            .to_string()
            .starts_with("rule `a_div`, when: ")
    );
}

#[test]
fn an_absent_variable_is_a_rule_error_not_a_zero() {
    let mut rules = set(&[
        rule("reads_t", "high", "t < 1.0", ""),
        rule("reads_n", "low", "n > 0", ""),
    ]);
    let mut s = Snapshot::new(&env());
    s.set_named("n", Value::Int(1)).unwrap();
    let out = rules.evaluate(&s, 0.0).unwrap();
    assert_eq!(ids(&out.active), ["reads_n"]);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].error.kind, EvalErrorKind::MissingBinding);
    assert!(out.errors[0].error.message.contains("`t`"));
}

#[test]
fn errors_in_release_and_strength_leave_the_state_unchanged() {
    let mut rules = set(&[rule(
        "g",
        "high",
        "t > 50.0",
        r#","hysteresis":{"releaseWhen":"n / (d - 2) > 0"},
            "emitsSignal":{"kind":"thermal_warning","strength":"double(n / (d - 2))"}"#,
    )]);
    // d = 2: the strength divides by zero, so the first trigger reports instead of firing,
    // but the latch (a matter of `when`) closes.
    let out = rules.evaluate(&snap(60.0), 0.0).unwrap();
    assert!(out.active.is_empty());
    assert_eq!(out.errors[0].part, RulePart::Strength);
    assert!(rules.is_latched(0));
    let out = rules.evaluate(&snap(60.0), 1.0).unwrap();
    assert_eq!(out.errors[0].part, RulePart::ReleaseWhen);
    assert!(rules.is_latched(0), "a failing release keeps the latch");
    let mut s = snap(60.0);
    s.set_named("d", Value::Int(3)).unwrap();
    let out = rules.evaluate(&s, 2.0).unwrap();
    assert!(out.errors.is_empty() && out.active.is_empty());
    assert!(!rules.is_latched(0), "n / 1 > 0 released it");
}

#[test]
fn strength_is_clamped_and_nan_is_an_error() {
    let mut rules = set(&[
        rule(
            "hi",
            "high",
            "true",
            r#","emitsSignal":{"kind":"thermal_critical","strength":"t"}"#,
        ),
        rule(
            "int",
            "low",
            "true",
            r#","emitsSignal":{"kind":"thermal_warning","strength":"n - 10"}"#,
        ),
        rule(
            "nan",
            "normal",
            "true",
            r#","emitsSignal":{"kind":"thermal_warning","strength":"t - t"}"#,
        ),
    ]);
    let out = rules.evaluate(&snap(7.5), 0.0).unwrap();
    let signals: Vec<(&str, SignalKind, f64)> = out
        .active
        .iter()
        .map(|f| (&*f.id, f.signal.unwrap().kind, f.signal.unwrap().strength))
        .collect();
    assert_eq!(
        signals,
        [
            ("hi", SignalKind::ThermalCritical, 1.0),
            ("nan", SignalKind::ThermalWarning, 0.0),
            ("int", SignalKind::ThermalWarning, 0.0)
        ]
    );
    // t = +inf: `hi` clamps to 1, `t - t` is NaN, which is an error for `nan` only.
    let out = rules.evaluate(&snap(f64::INFINITY), 1.0).unwrap();
    assert_eq!(ids(&out.active), ["hi", "int"]);
    assert_eq!(out.active[0].signal.unwrap().strength, 1.0);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(&*out.errors[0].id, "nan");
    assert_eq!(out.errors[0].part, RulePart::Strength);
    assert_eq!(out.errors[0].error.kind, EvalErrorKind::Domain);
}

#[test]
fn order_is_priority_then_id_whatever_the_file_order() {
    let rs = [
        rule("m", "normal", "true", ""),
        rule("b", "critical", "true", ""),
        rule("z", "critical", "true", ""),
        rule("a", "low", "true", ""),
        rule("k", "high", "true", r#","mode":"shadow""#),
        rule("c", "high", "true", ""),
    ];
    let expected = ["b", "z", "c", "m", "a"];
    let mut forward = set(&rs);
    let mut reversed_rules = rs.to_vec();
    reversed_rules.reverse();
    let mut backward = set(&reversed_rules);
    let a: Evaluation = forward.evaluate(&snap(0.0), 0.0).unwrap();
    let b: Evaluation = backward.evaluate(&snap(0.0), 0.0).unwrap();
    assert_eq!(ids(&a.active), expected);
    assert_eq!(a, b);
    assert_eq!(ids(&a.shadow), ["k"]);
    let order: Vec<&str> = forward.rules().iter().map(|r| &*r.id).collect();
    assert_eq!(order, ["b", "z", "c", "k", "m", "a"]);
    assert_eq!(a.active[0].priority, Priority::Critical);
    assert_eq!(a.active[0].domain, SignalDomain::Thermal);
    assert_eq!(forward.index_of("k"), Some(3));
}

#[test]
fn bad_snapshots_and_times_are_refused() {
    let mut rules = set(&[rule("a", "low", "true", "")]);
    let other = Snapshot::new(&Env::new().declare("t", Type::Double));
    let e = rules.evaluate(&other, 0.0).unwrap_err();
    assert!(matches!(e, SnapshotError::WrongDeclarations { .. }));
    assert_eq!(e.code(), "INVALID_ARGUMENT");
    assert!(matches!(
        rules.evaluate(&snap(0.0), f64::NAN),
        Err(SnapshotError::InvalidTime { .. })
    ));
    assert_eq!(rules.stats().evaluations, 0);
}

#[test]
fn reset_forgets_latches_cooldowns_and_counters() {
    let mut rules = set(&[rule(
        "g",
        "high",
        "t > 50.0",
        r#","cooldownMs":1e9,"hysteresis":{"releaseWhen":"t < 10.0"}"#,
    )]);
    rules.evaluate(&snap(60.0), 0.0).unwrap();
    assert!(rules.is_latched(0));
    rules.reset();
    assert!(!rules.is_latched(0));
    assert_eq!(rules.stats(), Default::default());
    assert_eq!(rules.evaluate(&snap(60.0), 1.0).unwrap().active.len(), 1);
}
