//! Literals, variables and the evaluation API (langdef "Syntax", "Values", "Name Resolution").

mod expr_conformance_support;

use expr_conformance_support::*;
use gamesa_core::expr::{Env, EvalErrorKind, Program, Type, Value};

#[test]
fn integer_literals_decimal_hex_and_signed() {
    check(&[
        ("0", int(0)),
        ("42", int(42)),
        ("0x1F", int(31)),
        ("0X1f", int(31)),
        ("-0x10", int(-16)),
        ("9223372036854775807", int(i64::MAX)),
        // One literal, not the negation of an out-of-range 9223372036854775808.
        ("-9223372036854775808", int(i64::MIN)),
        ("-0x8000000000000000", int(i64::MIN)),
        ("9223372036854775808", LITERAL_RANGE),
        ("-9223372036854775809", LITERAL_RANGE),
        ("0x8000000000000000", LITERAL_RANGE),
        ("99999999999999999999999", LITERAL_RANGE),
    ]);
}

#[test]
fn unsigned_literals_both_suffixes_and_range() {
    check(&[
        ("0u", uint(0)),
        ("0U", uint(0)),
        ("123u", uint(123)),
        ("0xFFu", uint(255)),
        ("18446744073709551615u", uint(u64::MAX)),
        ("0xFFFFFFFFFFFFFFFFu", uint(u64::MAX)),
        ("18446744073709551616u", LITERAL_RANGE),
        ("0x10000000000000000u", LITERAL_RANGE),
        // There is no negative uint; `-1u` is unary minus on a uint, which has no overload.
        ("-1u", REJECTED),
    ]);
}

#[test]
fn floating_literals() {
    check(&[
        ("0.0", double(0.0)),
        ("0e+0", double(0.0)),
        ("1.5", double(1.5)),
        (".5", double(0.5)),
        ("1.5e3", double(1500.0)),
        ("1e3", double(1000.0)),
        ("2E-2", double(0.02)),
        ("-2.5", double(-2.5)),
        ("-0.0", double(-0.0)),
        ("1.7976931348623157e308", double(f64::MAX)),
        ("4.9e-324", double(4.9e-324)),
        ("0.1", double(0.1)),
        ("2.2250738585072014e-308", double(f64::MIN_POSITIVE)),
    ]);
}

#[test]
fn boolean_literals_and_keywords_cannot_be_shadowed() {
    check(&[("true", boolean(true)), ("false", boolean(false))]);
    // langdef: `true`/`false` are keywords. Even a declared variable of that name is not used.
    let env = Env::new()
        .declare("true", Type::Bool)
        .declare("false", Type::Bool);
    for (src, want) in [("true", true), ("false", false), ("!false", true)] {
        match Program::compile(src, &env) {
            Ok(p) => {
                let got =
                    p.eval_named(&[("true", Value::Bool(false)), ("false", Value::Bool(true))]);
                assert_eq!(got, Ok(Value::Bool(want)), "`{src}`");
            }
            Err(e) => panic!("`{src}`: {e}"),
        }
    }
}

#[test]
fn variables_and_dotted_names() {
    check(&[
        ("i", int(7)),
        ("u", uint(7)),
        ("d", double(2.5)),
        ("b", boolean(true)),
        ("gpu0.temp_c", double(71.5)),
        ("gpu0.temp_c > 70.0", boolean(true)),
        ("gpu0 . temp_c", double(71.5)),
        ("i + j", int(4)),
        ("gpu0", UNDECLARED),
        ("gpu0.temp", UNDECLARED),
        ("gpu0.temp_c.x", REJECTED),
        ("unknown", UNDECLARED),
    ]);
}

#[test]
fn literal_only_programs_run_with_an_empty_env() {
    let p = Program::compile("1 + 2 * 3 == 7 && 2.0 > 1.5", &Env::new()).unwrap();
    assert_eq!(p.eval_named(&[]), Ok(Value::Bool(true)));
    assert_eq!(p.eval_slots(&[]), Ok(Value::Bool(true)));
    assert_eq!(p.result_type(), Type::Bool);
    assert!(p.referenced_slots().is_empty());
    assert_eq!(p.source(), "1 + 2 * 3 == 7 && 2.0 > 1.5");
}

#[test]
fn result_types_are_static() {
    for (src, ty) in [
        ("i + 1", Type::Int),
        ("u * 2u", Type::Uint),
        ("d / 2.0", Type::Double),
        ("i < u", Type::Bool),
        ("b ? d : 1.0", Type::Double),
        ("int(d)", Type::Int),
        ("uint(i)", Type::Uint),
        ("double(u)", Type::Double),
        ("dyn(u)", Type::Uint),
    ] {
        assert_eq!(compile(src).result_type(), ty, "`{src}`");
    }
}

#[test]
fn slots_follow_declaration_order_and_references_are_sorted() {
    let env = Env::new()
        .declare("a", Type::Int)
        .declare("b", Type::Double)
        .declare("c", Type::Int);
    assert_eq!(
        (env.slot("a"), env.slot("b"), env.slot("c")),
        (Some(0), Some(1), Some(2))
    );
    // Redeclaring keeps the slot and replaces the type.
    let env = env.declare("a", Type::Uint);
    assert_eq!((env.slot("a"), env.len()), (Some(0), 3));
    let p = Program::compile("c + c > 1 || a > 0u", &env).unwrap();
    assert_eq!(p.referenced_slots(), &[0, 2]);
    let slots = [Value::Uint(0), Value::Double(9.0), Value::Int(1)];
    assert_eq!(p.eval_slots(&slots), Ok(Value::Bool(true)));
}

#[test]
fn missing_and_wrongly_typed_bindings_are_eval_errors() {
    let env = Env::new()
        .declare("x", Type::Int)
        .declare("y", Type::Double);
    let p = Program::compile("x > 1 && y < 2.0", &env).unwrap();
    let missing = p.eval_named(&[("x", Value::Int(5))]).unwrap_err();
    assert_eq!(missing.kind, EvalErrorKind::MissingBinding);
    assert!(missing.message.contains('y'), "{}", missing.message);
    let wrong = p
        .eval_named(&[("x", Value::Double(5.0)), ("y", Value::Double(1.0))])
        .unwrap_err();
    assert_eq!(wrong.kind, EvalErrorKind::BindingTypeMismatch);
    assert!(wrong.message.contains('x'), "{}", wrong.message);
    assert_eq!(
        p.eval_named(&[("y", Value::Double(1.0)), ("x", Value::Int(5))]),
        Ok(Value::Bool(true))
    );
}

#[test]
fn programs_are_shareable_values() {
    fn assert_traits<T: Clone + Send + Sync>() {}
    assert_traits::<Program>();
    let p = compile("i * 2");
    let q = p.clone();
    let handle = std::thread::spawn(move || q.eval_named(&bindings()));
    assert_eq!(handle.join().unwrap(), Ok(Value::Int(14)));
    assert_eq!(p.eval_named(&bindings()), Ok(Value::Int(14)));
}
