//! Compiling rule sets: the three JSON forms, and every problem of every rule reported at once
//! with its rule id, JSON path and expression position.

use gamesa_core::ErrorCode;
use gamesa_core::Priority;
use gamesa_core::expr::{Env, Type};
use gamesa_core::rules::{Action, Rule, RuleMode, RuleSet, RuleSetError};
use gamesa_core::signals::SignalDomain;

fn env() -> Env {
    Env::new()
        .declare("t", Type::Double)
        .declare("n", Type::Int)
}

fn rule(id: &str, when: &str) -> String {
    format!(
        r#"{{"id":"{id}","domain":"power","priority":"normal","when":"{when}",
            "action":{{"kind":"trim","target":"gpu0","params":{{"deltaW":-25,"floor":"min","dry":true}}}}}}"#
    )
}

fn err(text: &str) -> RuleSetError {
    let e = RuleSet::from_json(text, &env()).unwrap_err();
    assert_eq!(e.code(), "INVALID_RULE");
    e
}

#[test]
fn the_three_json_forms_compile() {
    let one = RuleSet::from_json(&rule("a", "t > 1.0"), &env()).unwrap();
    assert_eq!(one.len(), 1);
    let array = RuleSet::from_json(
        &format!("[{},{}]", rule("a", "t > 1.0"), rule("b", "n == 2")),
        &env(),
    )
    .unwrap();
    assert_eq!(array.len(), 2);
    let doc = format!(
        r#"{{"$schema":"x.json","description":"d","rules":[{}]}}"#,
        rule("a", "true")
    );
    let set = RuleSet::from_json(&doc, &env()).unwrap();
    let r = &set.rules()[0].rule;
    assert_eq!(r.mode, RuleMode::Active);
    assert_eq!(r.cooldown_ms, 0.0);
    assert_eq!(r.action.params.len(), 3);
    assert!(RuleSet::from_json("[]", &env()).unwrap().is_empty());
}

#[test]
fn rules_built_in_rust_compile_too() {
    let rules = vec![
        Rule::new(
            "a",
            SignalDomain::Thermal,
            Priority::High,
            "t > 1.0",
            Action::new("cool", "cpu"),
        ),
        Rule::new(
            "b",
            SignalDomain::Thermal,
            Priority::High,
            "t",
            Action::new("cool", "cpu"),
        ),
    ];
    let e = RuleSet::compile(&rules, &env()).unwrap_err();
    assert_eq!(e.problems.len(), 1);
    assert_eq!(e.problems[0].path, "$[1].when");
    assert!(
        e.problems[0]
            .message
            .contains("must give a bool, it gives double")
    );
    assert!(RuleSet::compile(&rules[..1], &env()).is_ok());
}

#[test]
fn every_bad_rule_is_reported_with_id_path_and_position() {
    let text = format!(
        "[{},{},{},{},{},{},{}]",
        rule("good", "t > 1.0"),
        rule("typo", "t > 1.0 && tt < 2.0"),
        rule("syntax", "t >"),
        rule("good", "true"),
        r#"{"id":"no_when","domain":"power","priority":"normal","action":{"kind":"a","target":"b"}}"#,
        r#"{"id":"bad_enum","domain":"space","priority":"normal","when":"true","action":{"kind":"a","target":"b"}}"#,
        r#"{"id":"Bad Id!","domain":"power","priority":"urgent","when":"1 + true","action":{"kind":"Trim","target":" "},
            "cooldownMs":-1,"hysteresis":{"releaseWhen":"n"},"emitsSignal":{"kind":"power_limit","strength":"n > 1"}}"#,
    );
    let e = err(&text);
    type Located<'a> = (Option<&'a str>, &'a str, Option<(u32, u32)>);
    let got: Vec<Located> = e
        .problems
        .iter()
        .map(|p| (p.id.as_deref(), p.path.as_str(), p.line.zip(p.column)))
        .collect();
    assert_eq!(
        got,
        [
            (Some("no_when"), "$[4].when", None),
            (Some("bad_enum"), "$[5].domain", None),
            (Some("Bad Id!"), "$[6].priority", None),
            (Some("typo"), "$[1].when", Some((1, 12))),
            (Some("syntax"), "$[2].when", Some((1, 4))),
            (Some("good"), "$[3].id", None),
        ],
        "{e}"
    );
    assert!(
        e.problems[3].message.contains("`t`"),
        "a suggestion: {}",
        e.problems[3].message
    );
    assert!(e.problems[5].message.contains("first used at $[0]"));
    assert!(e.to_string().starts_with("invalid rules: 6 problems:"));
}

#[test]
fn a_rule_with_several_problems_reports_each() {
    let text = r#"{"rules":[{"id":"Bad Id!","domain":"power","priority":"low","when":"1 + true",
        "action":{"kind":"Trim","target":" "},"cooldownMs":-1,
        "hysteresis":{"releaseWhen":"n"},"emitsSignal":{"kind":"power_limit","strength":"n > 1"}}]}"#;
    let e = err(text);
    let paths: Vec<&str> = e.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.rules[0].id",
            "$.rules[0].cooldownMs",
            "$.rules[0].action.kind",
            "$.rules[0].action.target",
            "$.rules[0].when",
            "$.rules[0].hysteresis.releaseWhen",
            "$.rules[0].emitsSignal.strength",
        ],
        "{e}"
    );
    assert!(e.problems[4].line.is_some());
    assert!(
        e.problems
            .iter()
            .all(|p| p.id.as_deref() == Some("Bad Id!"))
    );
}

#[test]
fn structure_problems_name_their_path() {
    let e = err(r#"{"rules":[], "extra": 1}"#);
    assert_eq!(e.problems[0].path, "$.extra");
    let e = err(r#"{"rules": {}}"#);
    assert_eq!(e.problems[0].path, "$.rules");
    let e = err(&rule("a", "true").replace(r#""target":"gpu0""#, r#""target":"gpu0","x":1"#));
    assert_eq!(e.problems[0].path, "$.action.x");
    assert!(e.problems[0].message.contains("unknown field `x`"));
    let e = err(&rule("a", "true").replace("-25", "null"));
    assert_eq!(e.problems[0].path, "$.action.params.deltaW");
    let e = err(r#"[["a"]]"#);
    assert_eq!(e.problems[0].path, "$[0]");
    assert_eq!(e.problems[0].id, None);
    let e = err("[1,");
    assert_eq!(e.problems[0].path, "$");
    assert!(e.problems[0].message.contains("malformed JSON"));
    let e = err("42");
    assert!(e.problems[0].message.contains("expected a rule"));
}

#[test]
fn a_signal_kind_outside_the_rules_domain_is_refused_at_its_path() {
    // A `cpu_bottleneck` raised by a safety rule would be queued ahead of everything.
    let text = r#"{"rules":[{"id":"jump","domain":"safety","priority":"low","when":"t > 1.0",
        "action":{"kind":"trim","target":"cpu"},
        "emitsSignal":{"kind":"cpu_bottleneck","strength":"0.5"}}]}"#;
    let e = err(text);
    assert_eq!(e.problems.len(), 1, "{e}");
    assert_eq!(e.problems[0].path, "$.rules[0].emitsSignal.kind");
    assert_eq!(e.problems[0].id.as_deref(), Some("jump"));
    assert!(e.problems[0].message.contains("performance"), "{e}");
    // Its own domain is fine, and a critical temperature may be raised by a safety rule.
    for (domain, kind) in [
        ("performance", "cpu_bottleneck"),
        ("safety", "thermal_critical"),
    ] {
        let ok = text
            .replace("\"safety\"", &format!("\"{domain}\""))
            .replace("cpu_bottleneck", kind);
        RuleSet::from_json(&ok, &env()).unwrap();
    }
}

#[test]
fn a_condition_that_fails_on_every_evaluation_is_refused_at_its_position() {
    // `1 / 0 > 0` compiles as CEL (the error is an evaluation error), but a rule reading it
    // could never fire: the rule set is invalid.
    let e = err(&format!("[{}]", rule("zero", "1 / 0 > 0")));
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = &e.problems[0];
    assert_eq!(p.path, "$[0].when");
    assert_eq!((p.line, p.column), (Some(1), Some(3)));
    assert!(p.message.contains("division by zero"), "{e}");
    // Also in a strength, and a part that is not absorbed by a constant side.
    let text = r#"{"id":"s","domain":"power","priority":"low","when":"t > 1.0 || int(1e300) > 0",
        "action":{"kind":"trim","target":"gpu0"},
        "emitsSignal":{"kind":"power_limit","strength":"double(-9223372036854775807 - 2)"}}"#;
    let e = err(text);
    let paths: Vec<&str> = e.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["$.when", "$.emitsSignal.strength"], "{e}");
    // Absorbed: `false && …` is false whatever the right side does.
    RuleSet::from_json(&rule("absorbed", "false && 1 / 0 > 0 || t > 1.0"), &env()).unwrap();
}
