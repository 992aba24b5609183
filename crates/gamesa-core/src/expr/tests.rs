//! Unit tests of the whole pipeline (the conformance tables live in tests/expr_conformance*).

use super::*;
use Value::*;

fn env() -> Env {
    Env::new()
        .declare("x", Type::Int)
        .declare("u", Type::Uint)
        .declare("d", Type::Double)
        .declare("b", Type::Bool)
        .declare("gpu0.temp_c", Type::Double)
}

fn run(src: &str) -> Result<Value, EvalError> {
    let p = Program::compile(src, &env()).unwrap_or_else(|e| panic!("{src}: {e}"));
    p.eval_slots(&[Int(7), Uint(7), Double(0.5), Bool(true), Double(70.0)])
}

fn ok(src: &str) -> Value {
    run(src).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn eval_err(src: &str) -> EvalErrorKind {
    run(src).expect_err(src).kind
}

fn compile_err(src: &str) -> CompileError {
    Program::compile(src, &env())
        .err()
        .unwrap_or_else(|| panic!("{src} compiled"))
}

#[test]
fn literals_and_arithmetic() {
    assert_eq!(ok("-9223372036854775808"), Int(i64::MIN));
    assert_eq!(ok("18446744073709551615u"), Uint(u64::MAX));
    assert_eq!(ok("0x1F"), Int(31));
    assert_eq!(ok("1.5e3"), Double(1500.0));
    assert_eq!(ok(".5"), Double(0.5));
    assert_eq!(ok("--------------------------------19"), Int(19));
    assert_eq!(ok("3 - 3 + 3 - 3 + 3"), Int(3));
    assert_eq!(ok("-3 % 5"), Int(-3));
    assert_eq!(ok("x * 2 + 1"), Int(15));
    assert_eq!(ok("u / 2u"), Uint(3));
    assert_eq!(ok("15.75 / 0.0"), Double(f64::INFINITY));
    assert!(matches!(ok("0.0 / 0.0"), Double(v) if v.is_nan()));
    assert!(matches!(ok("-(0.0)"), Double(v) if v == 0.0 && v.is_sign_negative()));
}

#[test]
fn arithmetic_errors() {
    for (src, kind) in [
        ("9223372036854775807 + 1", EvalErrorKind::Overflow),
        ("-9223372036854775808 - 1", EvalErrorKind::Overflow),
        ("-(-9223372036854775808)", EvalErrorKind::Overflow),
        ("(-9223372036854775808) / -1", EvalErrorKind::Overflow),
        ("(-9223372036854775808) % -1", EvalErrorKind::Overflow),
        ("5000000000 * 5000000000", EvalErrorKind::Overflow),
        ("18446744073709551615u + 1u", EvalErrorKind::Overflow),
        ("0u - 1u", EvalErrorKind::Overflow),
        ("x / 0", EvalErrorKind::DivisionByZero),
        ("x % 0", EvalErrorKind::ModulusByZero),
        ("15u / 0u", EvalErrorKind::DivisionByZero),
        ("abs(-9223372036854775808)", EvalErrorKind::Overflow),
        ("int(0.0 / 0.0)", EvalErrorKind::Domain),
        ("uint(-1)", EvalErrorKind::Overflow),
        ("int(18446744073709551615u)", EvalErrorKind::Overflow),
        ("dyn(1) + 1u", EvalErrorKind::NoMatchingOverload),
        ("dyn(1u) + 1", EvalErrorKind::NoMatchingOverload),
        ("-dyn(1u) == 1", EvalErrorKind::NoMatchingOverload),
        ("clamp(x, 3, 1)", EvalErrorKind::Domain),
    ] {
        assert_eq!(eval_err(src), kind, "{src}");
    }
}

#[test]
fn comparisons() {
    assert_eq!(ok("x < 8u && x > 6.5 && u >= 7 && d <= 1"), Bool(true));
    assert_eq!(
        ok("dyn(1) == 1u && dyn(1u) == 1.0 && dyn(1.0) == 1"),
        Bool(true)
    );
    assert_eq!(ok("dyn(1) != 0.0/0.0"), Bool(true));
    assert_eq!(ok("0.0/0.0 == 0.0/0.0"), Bool(false));
    assert_eq!(ok("0.0/0.0 < 1.0 || 0.0/0.0 >= 1.0"), Bool(false));
    assert_eq!(
        ok("dyn(9223372036854775807) < 9223372036854775808.0"),
        Bool(false)
    );
    assert_eq!(ok("dyn(1u) < -9223372036854775808"), Bool(false));
    assert_eq!(ok("false < true"), Bool(true));
    assert_eq!(ok("dyn(true) == 1"), Bool(false));
    assert_eq!(ok("gpu0.temp_c < 80.0"), Bool(true));
    assert_eq!(ok("80.0 > gpu0.temp_c"), Bool(true));
}

#[test]
fn logic_absorbs_errors_in_both_orders() {
    assert_eq!(ok("false && (1 / 0 > 3)"), Bool(false));
    assert_eq!(ok("(1 / 0 > 3) && false"), Bool(false));
    assert_eq!(ok("true || (x / 0 > 3)"), Bool(true));
    assert_eq!(ok("(x / 0 > 3) || true"), Bool(true));
    assert_eq!(ok("(x / 0 > 3) || b"), Bool(true));
    assert_eq!(ok("!b && (x / 0 > 3) == false"), Bool(false));
    assert_eq!(
        eval_err("true && x / 0 != 0"),
        EvalErrorKind::DivisionByZero
    );
    assert_eq!(eval_err("x / 0 != 0 && b"), EvalErrorKind::DivisionByZero);
    assert_eq!(ok("false && dyn(32)"), Bool(false));
    assert_eq!(ok("dyn(32) || true"), Bool(true));
    assert_eq!(
        eval_err("dyn(32) || false"),
        EvalErrorKind::NoMatchingOverload
    );
    assert_eq!(ok("b ? 1 : x / 0"), Int(1));
    assert_eq!(ok("!b ? x / 0 : 2"), Int(2));
    assert_eq!(eval_err("x / 0 > 4 ? 1 : 2"), EvalErrorKind::DivisionByZero);
    assert_eq!(ok("true ? true : true ? true : false"), Bool(true));
}

#[test]
fn functions() {
    assert_eq!(ok("int(uint(int(uint(int(uint(7))))))"), Int(7));
    assert_eq!(ok("int(-1.9)"), Int(-1));
    assert_eq!(ok("uint(2.9)"), Uint(2));
    assert_eq!(ok("double(x) / 2.0"), Double(3.5));
    assert_eq!(ok("math.least(3, x, 9)"), Int(3));
    assert_eq!(ok("math.greatest(1, 2u, 0.5)"), Uint(2));
    assert_eq!(ok("math.least(x, d) == 0.5"), Bool(true));
    assert_eq!(ok("min(d, 0.25)"), Double(0.25));
    assert_eq!(ok("max(u, 9u)"), Uint(9));
    assert_eq!(ok("abs(-3) + abs(x)"), Int(10));
    assert_eq!(ok("clamp(d, 0.0, 0.25)"), Double(0.25));
    assert_eq!(
        ok("sqrt(16.0) + floor(1.5) + ceil(1.2) + round(2.5)"),
        Double(4.0 + 1.0 + 2.0 + 3.0)
    );
    assert_eq!(ok("ln(exp(1.0))"), Double(1.0));
    assert_eq!(ok("sin(0.0) + tanh(0.0) + cos(0.0)"), Double(1.0));
    assert_eq!(ok("dyn(1) + 1"), Int(2));
}

#[test]
fn compile_errors() {
    use CompileErrorKind::*;
    for (src, kind) in [
        ("1 + 1u", NoMatchingOverload),
        ("x + d", NoMatchingOverload),
        ("1.5 % 2.0", NoMatchingOverload),
        ("-u", NoMatchingOverload),
        ("!x", NoMatchingOverload),
        ("x == u", NoMatchingOverload),
        ("b < 1", NoMatchingOverload),
        ("x && b", NoMatchingOverload),
        ("x ? 1 : 2", TypeMismatch),
        ("b ? 1 : 2u", NoMatchingOverload),
        ("sqrt(x)", NoMatchingOverload),
        ("int(b)", NoMatchingOverload),
        ("int(1, 2)", NoMatchingOverload),
        ("min()", NoMatchingOverload),
        ("clamp(1, 2, 3.0)", NoMatchingOverload),
        ("y", UndeclaredName),
        ("foo(1)", UndeclaredName),
        ("x(1)", TypeMismatch),
        ("math.least(x, d)", TypeMismatch),
        ("while", ReservedWord),
        ("'s'", Syntax),
    ] {
        assert_eq!(compile_err(src).kind, kind, "{src}");
    }
    let e = compile_err("x > 1 &&\n  gpu0.temp < 80.0");
    assert_eq!((e.line, e.column, e.offset), (2, 3, 11));
    assert_eq!(e.suggestion.as_deref(), Some("gpu0.temp_c"));
    assert_eq!(
        e.to_string(),
        "line 2, column 3: undeclared reference to `gpu0.temp` (did you mean `gpu0.temp_c`?)"
    );
    assert_eq!(
        compile_err("1 + 1u").message,
        "no matching overload for '_+_' applied to (int, uint)"
    );
    assert_eq!(
        compile_err("sqrtt(1.0)").suggestion.as_deref(),
        Some("sqrt")
    );
}

#[test]
fn folding_keeps_errors_for_evaluation() {
    let p = Program::compile("1 / 0 > 2 || true", &Env::new()).unwrap();
    assert_eq!(p.eval_named(&[]), Ok(Bool(true)));
    let p = Program::compile("1 / 0", &Env::new()).unwrap();
    assert_eq!(
        p.eval_named(&[]).unwrap_err().kind,
        EvalErrorKind::DivisionByZero
    );
    assert_eq!(p.result_type(), Type::Int);
}

#[test]
fn named_bindings() {
    let env = env();
    let p = Program::compile("x + 1 > 2 && gpu0.temp_c < 80.0", &env).unwrap();
    assert_eq!(p.referenced_slots(), &[0, 4]);
    assert_eq!(
        p.eval_named(&[
            ("x", Int(1)),
            ("gpu0.temp_c", Double(70.0)),
            ("unused", Bool(true))
        ]),
        Ok(Bool(false))
    );
    let e = p.eval_named(&[("x", Int(1))]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::MissingBinding);
    assert!(e.message.contains("gpu0.temp_c"), "{}", e.message);
    let e = p
        .eval_named(&[("x", Double(1.0)), ("gpu0.temp_c", Double(1.0))])
        .unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::BindingTypeMismatch);
    assert_eq!(
        e.message,
        "variable `x` is declared int but bound to a double"
    );
    let e = p.eval_slots(&[Uint(1)]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::BindingTypeMismatch);
    let e = p.eval_slots(&[Int(5)]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::MissingBinding);
}

#[test]
fn deepest_accepted_expressions_run_on_the_test_stack() {
    let env = Env::new().declare("x", Type::Int);
    let calls = format!("{}x{}", "abs(".repeat(240), ")".repeat(240));
    assert_eq!(
        Program::compile(&calls, &env)
            .unwrap()
            .eval_named(&[("x", Int(-2))]),
        Ok(Int(2))
    );
    let negs = format!("{}x", "-".repeat(240));
    assert_eq!(
        Program::compile(&negs, &env)
            .unwrap()
            .eval_named(&[("x", Int(-2))]),
        Ok(Int(-2))
    );
    let sums = vec!["x"; 240].join(" + ");
    assert_eq!(
        Program::compile(&sums, &env)
            .unwrap()
            .eval_named(&[("x", Int(1))]),
        Ok(Int(240))
    );
    let parens = format!("{}x{}", "(".repeat(240), ")".repeat(240));
    assert_eq!(
        Program::compile(&parens, &env)
            .unwrap()
            .eval_named(&[("x", Int(1))]),
        Ok(Int(1))
    );
    let e = Program::compile(
        &format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000)),
        &env,
    )
    .unwrap_err();
    assert_eq!(e.kind, CompileErrorKind::TooDeep);
    let e = Program::compile(&format!("{}true", "!".repeat(30_000)), &env).unwrap_err();
    assert_eq!(e.kind, CompileErrorKind::TooDeep);
}

#[test]
fn unchecked_defers_type_errors_to_evaluation() {
    let env = Env::new();
    let run = |src: &str| {
        Program::compile_unchecked(src, &env)
            .unwrap_or_else(|e| panic!("{src}: {e}"))
            .eval_named(&[])
    };
    assert_eq!(run("false && 32"), Ok(Bool(false)));
    assert_eq!(run("true || 32"), Ok(Bool(true)));
    assert_eq!(run("x || true"), Ok(Bool(true)));
    assert_eq!(run("f_unknown(17) || true"), Ok(Bool(true)));
    assert_eq!(
        run("-(42u) == -42").unwrap_err().kind,
        EvalErrorKind::NoMatchingOverload
    );
    assert_eq!(
        run("!0").unwrap_err().kind,
        EvalErrorKind::NoMatchingOverload
    );
    assert_eq!(
        run("x == 1").unwrap_err().kind,
        EvalErrorKind::MissingBinding
    );
    // The result must still have one type.
    assert_eq!(
        Program::compile_unchecked("x", &env).unwrap_err().kind,
        CompileErrorKind::TypeMismatch
    );
    assert_eq!(run("1 + 1"), Ok(Int(2)));
    assert_eq!(run("dyn(1) == 1u"), Ok(Bool(true)));
    assert_eq!(
        Program::compile_unchecked("1 +", &env).unwrap_err().kind,
        CompileErrorKind::Syntax
    );
    assert!(Program::compile("false && 32", &env).is_err());
}

#[test]
fn pure_double_paths_report_the_first_bad_binding() {
    let env = Env::new()
        .declare("a", Type::Double)
        .declare("b", Type::Double)
        .declare("c", Type::Double);
    for src in [
        "(a + b) * 2.0 > c",
        "(a + b) * c",
        "-(a - b / c)",
        "sqrt(a * b) + c",
    ] {
        let p = Program::compile(src, &env).unwrap();
        let e = p
            .eval_slots(&[Double(1.0), Int(2), Double(3.0)])
            .unwrap_err();
        assert_eq!(e.kind, EvalErrorKind::BindingTypeMismatch, "{src}");
        assert_eq!(
            e.message, "variable `b` is declared double but bound to an int",
            "{src}"
        );
        let e = p.eval_slots(&[Double(1.0), Double(2.0)]).unwrap_err();
        assert_eq!(e.kind, EvalErrorKind::MissingBinding, "{src}");
        assert!(
            p.eval_slots(&[Double(1.0), Double(2.0), Double(3.0)])
                .is_ok(),
            "{src}"
        );
    }
}

/// The flat forms give what the general way gives (every referenced slot present, then the
/// tree) wherever they answer, and they answer for the shapes they exist for.
#[test]
fn fast_forms_agree_with_the_general_way() {
    let env = Env::new()
        .declare("d", Type::Double)
        .declare("e", Type::Double);
    let numbers = [
        "d", "d * 5.0", "d + 1.5", "d - 3.0", "d / 2.0", "d / 0.0", "d * -1.0",
    ];
    let bools = [
        "d > 0.5",
        "d <= 0.5",
        "d == 0.7",
        "d != 0.7",
        "d > 0.5 && e >= 0.0",
        "d < 0.5 || e < 1.0",
    ];
    let values = [
        Double(0.0),
        Double(-0.0),
        Double(0.7),
        Double(-1.0),
        Double(f64::NAN),
        Double(f64::INFINITY),
        Int(3),
        Bool(true),
    ];
    for src in numbers.iter().chain(&bools) {
        let p = Program::compile(src, &env).unwrap();
        for &a in &values {
            for &b in &values {
                for presence in [[true, true], [true, false], [false, true], [false, false]] {
                    let slots = [a, b];
                    let all = p.referenced_slots().iter().all(|&s| presence[s]);
                    let general = if all {
                        p.try_eval_slots(&slots).ok()
                    } else {
                        None
                    };
                    let doubles = p
                        .referenced_slots()
                        .iter()
                        .all(|&s| presence[s] && matches!(slots[s], Double(_)));
                    if numbers.contains(src) {
                        let fast = p.fast_f64(&slots, &presence);
                        if let Some(x) = fast {
                            assert_eq!(general.map(|v| v.to_f64().to_bits()), Some(x.to_bits()));
                        }
                        assert_eq!(fast.is_some(), doubles, "{src} {a:?} {b:?} {presence:?}");
                    } else {
                        let fast = p.fast_bool(&slots, &presence);
                        if let Some(x) = fast {
                            assert_eq!(general, Some(Bool(x)), "{src} {a:?} {b:?} {presence:?}");
                        }
                        if doubles {
                            assert!(fast.is_some(), "{src} {a:?} {b:?} {presence:?}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn constant_parts_that_always_fail_are_found_with_their_position() {
    let env = env();
    // The whole condition fails on every evaluation.
    let p = Program::compile("1 / 0 > 0", &env).unwrap();
    let e = p.constant_failure().expect("found");
    assert_eq!(e.kind, CompileErrorKind::AlwaysFails);
    // At the operator that fails.
    assert_eq!((e.line, e.column), (1, 3));
    assert!(e.message.contains("division by zero"), "{}", e.message);
    assert_eq!(
        Program::compile_strict("1 / 0 > 0", &env).unwrap_err().kind,
        CompileErrorKind::AlwaysFails
    );
    // A failing part that is not absorbed, on the second line.
    let e = Program::compile_strict("x > 1 ||\n  9223372036854775807 + 1 > 0", &env).unwrap_err();
    assert_eq!(
        (e.kind, e.line, e.column),
        (CompileErrorKind::AlwaysFails, 2, 23)
    );
    assert!(e.message.contains("overflow"), "{}", e.message);
    // Absorbed by a constant side, or a part reading a variable: nothing to report.
    for ok in [
        "1 / 0 > 2 || true",
        "false && 1 / 0 > 0",
        "true ? 1 : 1 / 0",
        "x / 0 > 1",
        "x > 1",
    ] {
        let p = Program::compile(ok, &env).unwrap();
        assert_eq!(p.constant_failure(), None, "{ok}");
        Program::compile_strict(ok, &env).unwrap();
    }
}
