//! Contract definitions: parsing, structural errors with JSON paths, and every compile problem
//! reported at once with line and column.

use gamesa_core::ErrorCode;
use gamesa_core::contracts::{
    Contract, ContractDef, ContractError, OnViolation, Problem, VarType, VariableSpec,
    validate_contract_json,
};

fn problems(json: &str) -> Vec<Problem> {
    match Contract::from_json(json) {
        Ok(_) => panic!("expected problems in {json}"),
        Err(e) => {
            assert_eq!(e.code(), "INVALID_CONTRACT");
            let ContractError::Invalid { problems, .. } = e else {
                panic!("expected Invalid, got {e:?}")
            };
            assert_eq!(problems, validate_contract_json(json));
            problems
        }
    }
}

fn paths(problems: &[Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.path.as_str()).collect()
}

#[test]
fn parses_every_field_and_defaults_the_lists() {
    let c = Contract::from_json(
        r#"{"$schema":"../../schemas/contract.schema.json","name":"n","description":"d",
            "variables":{"a":"int","b":{"type":"uint","optional":true},"c":{"type":"bool"}},
            "invariants":["a > 0 || c"],"onViolation":"clamp"}"#,
    )
    .unwrap();
    let def = c.definition();
    assert_eq!(
        def.schema.as_deref(),
        Some("../../schemas/contract.schema.json")
    );
    assert_eq!(def.description.as_deref(), Some("d"));
    assert!(def.pre.is_empty() && def.post.is_empty());
    assert_eq!(def.on_violation, OnViolation::Clamp);
    assert_eq!(def.variables["a"], VariableSpec::Required(VarType::Int));
    assert!(def.variables["b"].is_optional());
    assert!(!def.variables["c"].is_optional());
    assert_eq!(def.variables["c"].var_type(), VarType::Bool);
    assert_eq!(c.required_variables().collect::<Vec<_>>(), ["a", "c"]);
}

#[test]
fn definitions_round_trip_through_json() {
    let text = r#"{"name":"n","variables":{"a":"int","b":{"type":"double","optional":true}},"pre":["a > 0"],"post":["b < 1.0"],"invariants":["true"],"onViolation":"rollback"}"#;
    let def: ContractDef = serde_json::from_str(text).unwrap();
    assert_eq!(def.to_json(), text);
}

#[test]
fn structural_problems_name_their_json_path() {
    let cases = [
        (
            r#"{"variables":{},"invariants":["true"],"onViolation":"signal"}"#,
            "$.name",
        ),
        (r#"{"name":"n","invariants":["true"]}"#, "$.onViolation"),
        (
            r#"{"name":"n","invariants":["true"],"onViolation":"explode"}"#,
            "$.onViolation",
        ),
        (
            r#"{"name":"n","invariant":["true"],"onViolation":"signal"}"#,
            "$.invariant",
        ),
        (
            r#"{"name":"n","invariants":["true", 3],"onViolation":"signal"}"#,
            "$.invariants[1]",
        ),
        (
            r#"{"name":"n","variables":{"a":"float"},"invariants":["true"],"onViolation":"signal"}"#,
            "$.variables.a",
        ),
        (
            r#"{"name":"n","variables":{"a":{"type":"int","optionl":true}},"invariants":["true"],"onViolation":"signal"}"#,
            "$.variables.a",
        ),
        (
            r#"{"name":"n","invariants":["true"],"onViolation":"signal"} x"#,
            "$",
        ),
        (r#"{"name":"n","#, "$"),
    ];
    for (json, path) in cases {
        let p = problems(json);
        assert_eq!(p.len(), 1, "{json}: {p:?}");
        assert_eq!(p[0].path, path, "{json}: {p:?}");
        assert_eq!(p[0].line, None);
    }
}

#[test]
fn every_compile_problem_is_reported_with_line_and_column() {
    let p = problems(
        r#"{"name":"n","variables":{"temp_cpu":"double","n":"int"},
            "pre":["temp_cpu < 95.0", "temp_cpus < 95.0"],
            "post":["n + 1.5 > 0"],
            "invariants":["temp_cpu < 95.0 &&", "temp_cpu + 1.0", "n > 0"],
            "onViolation":"signal"}"#,
    );
    assert_eq!(
        paths(&p),
        [
            "$.pre[1]",
            "$.post[0]",
            "$.invariants[0]",
            "$.invariants[1]"
        ],
        "{p:#?}"
    );
    let undeclared = &p[0];
    assert_eq!((undeclared.line, undeclared.column), (Some(1), Some(1)));
    assert!(
        undeclared.message.contains("did you mean `temp_cpu`?"),
        "{}",
        undeclared.message
    );
    assert_eq!(p[1].line, Some(1));
    assert!(p[1].column.is_some());
    assert_eq!(p[2].line, Some(1));
    assert!(p[2].column.unwrap() >= 18, "{:?}", p[2]);
    assert!(
        p[3].message.contains("must be a bool expression"),
        "{:?}",
        p[3]
    );
    assert!(p[3].message.contains("double"));
    let e = Contract::from_json(
        r#"{"name":"n","variables":{"x":"int"},"invariants":["x >\n  y"],"onViolation":"signal"}"#,
    )
    .unwrap_err();
    let ContractError::Invalid { contract, problems } = &e else {
        panic!()
    };
    assert_eq!(contract.as_deref(), Some("n"));
    assert_eq!((problems[0].line, problems[0].column), (Some(2), Some(3)));
    assert_eq!(
        e.to_string(),
        format!(
            "invalid contract `n` (1 problem): $.invariants[0] (line 2, column 3): {}",
            problems[0].message
        )
    );
}

#[test]
fn names_variables_and_empty_contracts_are_checked_together() {
    let p = problems(
        r#"{"name":"bad name!","variables":{"1x":"int","ok.fine":"int","a.in":"bool","gpu temp":"double"},
            "onViolation":"signal"}"#,
    );
    assert_eq!(
        paths(&p),
        [
            "$.name",
            "$.variables[\"1x\"]",
            "$.variables[\"a.in\"]",
            "$.variables[\"gpu temp\"]",
            "$"
        ],
        "{p:#?}"
    );
    assert!(p[2].message.contains("reserved word `in`"));
    assert!(p[4].message.contains("at least one condition"));
    assert!(
        problems(r#"{"name":"","invariants":["true"],"onViolation":"signal"}"#)[0]
            .message
            .contains("must not be empty")
    );
}

#[test]
fn a_valid_contract_has_no_problems() {
    assert!(
        validate_contract_json(
            r#"{"name":"n","variables":{"a":"int"},"invariants":["a >= 0"],"onViolation":"signal"}"#
        )
        .is_empty()
    );
}

#[test]
fn a_condition_that_fails_on_every_evaluation_and_a_duplicate_key_are_problems() {
    let p = problems(
        r#"{"name":"c","onViolation":"rollback","variables":{"t":"double"},
            "pre":["t > 1.0", "1 / 0 > 0"]}"#,
    );
    assert_eq!(paths(&p), ["$.pre[1]"]);
    assert_eq!((p[0].line, p[0].column), (Some(1), Some(3)));
    assert!(p[0].message.contains("division by zero"), "{p:?}");
    let p =
        problems("{\"name\":\"c\",\"onViolation\":\"reject\",\n\"name\":\"d\",\"pre\":[\"true\"]}");
    assert_eq!(paths(&p), ["$.name"]);
    assert!(
        p[0].message.contains("duplicate key `name` at line 2"),
        "{p:?}"
    );
}
