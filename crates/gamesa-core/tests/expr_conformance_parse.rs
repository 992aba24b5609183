//! Lexis and grammar (langdef "Syntax"): whitespace and comments, reserved words, the minimum
//! sizes every implementation must support (24-32 repetitions of repeating rules, 12 of
//! recursive rules, 32 nested parentheses in cel-spec's parse tests), and the limits beyond
//! which compilation fails with an error instead of overflowing the stack.

mod expr_conformance_support;

use expr_conformance_support::*;
use gamesa_core::expr::{CompileErrorKind, Env, Limits, Program, Type, Value};

#[test]
fn whitespace_and_comments_are_ignored() {
    check(&[
        ("1+2", int(3)),
        ("  1 +\t2\n", int(3)),
        ("1\r+\r2", int(3)),
        ("1\x0c+\x0c2", int(3)),
        ("1 + // a comment\n 2", int(3)),
        ("// leading comment\n7", int(7)),
        ("7 // trailing comment without newline", int(7)),
        ("(\n  i > 0 &&\n  d < 3.0\n)", boolean(true)),
        ("i/zero", DIV_ZERO),
    ]);
}

#[test]
fn reserved_words_are_not_identifiers() {
    const WORDS: [&str; 17] = [
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    ];
    for word in WORDS {
        // Even when declared, a reserved word cannot be used as a name or a function name.
        let env = Env::new().declare(word, Type::Int);
        for src in [
            word.to_string(),
            format!("{word} + 1"),
            format!("{word}(1)"),
        ] {
            match Program::compile(&src, &env) {
                Err(e) => assert_eq!(e.kind, CompileErrorKind::ReservedWord, "`{src}`: {e}"),
                Ok(_) => panic!("`{src}` compiled"),
            }
        }
    }
    check(&[
        ("if", RESERVED),
        ("1 + while", RESERVED),
        // Longer identifiers that merely start with a reserved word are fine.
        ("iffy", UNDECLARED),
        ("format", UNDECLARED),
        // `in` and `null` are CEL keywords outside this subset: rejected, whatever the kind.
        ("1 in 2", REJECTED),
        ("null", REJECTED),
    ]);
}

#[test]
fn syntax_errors() {
    check(&[
        ("", SYNTAX),
        ("   ", SYNTAX),
        ("1 +", SYNTAX),
        ("(1 + 2", SYNTAX),
        ("1 + 2)", SYNTAX),
        ("1 2", SYNTAX),
        ("1 $ 2", SYNTAX),
        ("b ? 1", SYNTAX),
        ("b ? 1 :", SYNTAX),
        ("i = 1", SYNTAX),
        ("i === 1", SYNTAX),
        ("1..2", SYNTAX),
        ("1.", SYNTAX),
        ("1e", SYNTAX),
        ("0x", SYNTAX),
        ("max(1,)", SYNTAX),
        ("max(1 2)", SYNTAX),
        ("&& b", SYNTAX),
        ("b &&", SYNTAX),
        ("gpu0.", SYNTAX),
        ("'text'", REJECTED),
        ("[1, 2]", REJECTED),
        ("{1: 2}", REJECTED),
    ]);
}

#[test]
fn repeating_rules_reach_their_minimum_sizes() {
    let mut cases: Vec<(String, Want)> = vec![
        // 32 terms of || and of &&.
        (
            format!("{} || true", repeat("false", " || ", 31)),
            boolean(true),
        ),
        (
            format!("{} && false", repeat("true", " && ", 31)),
            boolean(false),
        ),
        // 24 consecutive ternaries.
        (
            format!("{}false", repeat("false ? false : ", "", 24)),
            boolean(false),
        ),
        (
            format!("{}false", repeat("true ? true : ", "", 24)),
            boolean(true),
        ),
        // 24 additive and 24 multiplicative operators in a row.
        (format!("1{}", repeat(" + 2 - 1", "", 12)), int(13)),
        (format!("2{}", repeat(" * 3 / 3", "", 12)), int(2)),
        (
            format!("1.0{}", repeat(" * 2.0", "", 24)),
            double(16777216.0),
        ),
        // 24 relations in a row.
        (
            format!("1 < 2{}", repeat(" == true", "", 23)),
            boolean(true),
        ),
        // 32 unary operators.
        (format!("{}true", "!".repeat(32)), boolean(true)),
        (format!("{}19", "-".repeat(32)), int(19)),
    ];
    // 32 function-call arguments.
    let args: Vec<String> = (1..=32).map(|k| k.to_string()).collect();
    cases.push((format!("math.greatest({})", args.join(", ")), int(32)));
    cases.push((format!("math.least({})", args.join(", ")), int(1)));
    let cases: Vec<(&str, Want)> = cases.iter().map(|(s, w)| (s.as_str(), *w)).collect();
    check(&cases);
}

#[test]
fn recursive_rules_reach_their_minimum_sizes() {
    let nested_calls = format!("{}5{}", "int(double(".repeat(6), "))".repeat(6));
    let nested_abs = format!("{}-3{}", "abs(".repeat(12), ")".repeat(12));
    let parens = format!("{}7{}", "(".repeat(32), ")".repeat(32));
    let deep = format!("{}i + 1{}", "(".repeat(100), ")".repeat(100));
    let mixed = format!("{}1{}", "-(".repeat(50), ")".repeat(50));
    check(&[
        // 12 nested function calls.
        (nested_calls.as_str(), int(5)),
        (nested_abs.as_str(), int(3)),
        // 32 nested parentheses, and well beyond.
        (parens.as_str(), int(7)),
        (deep.as_str(), int(8)),
        (mixed.as_str(), int(1)),
        // 12 selections in a row: a dotted name with 13 segments.
        ("a.b.c.d.e.f.g.h.i.j.k.l.m", int(12)),
        ("a.b.c.d.e.f.g.h.i.j.k.l.m * 2", int(24)),
    ]);
}

fn compile_error(source: &str, env: &Env) -> CompileErrorKind {
    match Program::compile(source, env) {
        Err(e) => e.kind,
        Ok(_) => panic!("compiled: {} bytes", source.len()),
    }
}

#[test]
fn nesting_beyond_the_limit_is_an_error_not_a_stack_overflow() {
    let env = Env::new().declare("x", Type::Bool);
    let parens = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(compile_error(&parens, &env), CompileErrorKind::TooDeep);
    let unclosed = "(".repeat(10_000);
    assert_eq!(compile_error(&unclosed, &env), CompileErrorKind::TooDeep);
    let nots = format!("{}x", "!".repeat(30_000));
    assert_eq!(compile_error(&nots, &env), CompileErrorKind::TooDeep);
    let negs = format!("{}1", "-".repeat(30_000));
    assert_eq!(compile_error(&negs, &env), CompileErrorKind::TooDeep);
    let calls = format!("{}1{}", "abs(".repeat(5_000), ")".repeat(5_000));
    assert_eq!(compile_error(&calls, &env), CompileErrorKind::TooDeep);
    let ternaries = format!("{}1", "x ? 1 : ".repeat(5_000));
    assert_eq!(compile_error(&ternaries, &env), CompileErrorKind::TooDeep);
}

#[test]
fn long_flat_expressions_within_the_depth_limit_compile() {
    // 5,000 terms of a left-associative chain: long, but the parser must not recurse per term
    // beyond the depth limit... or, if it counts the chain as depth, fail cleanly.
    let env = Env::new().declare("x", Type::Int);
    let sum = repeat("x", " + ", 5_000);
    match Program::compile(&sum, &env) {
        Ok(p) => assert_eq!(p.eval_named(&[("x", Value::Int(1))]), Ok(Value::Int(5_000))),
        Err(e) => assert_eq!(e.kind, CompileErrorKind::TooDeep, "{e}"),
    }
}

#[test]
fn the_default_limits_and_custom_limits() {
    let defaults = Env::new().limits();
    assert_eq!(defaults.max_source_len, 100_000);
    assert_eq!(defaults.max_depth, 250);
    let env = Env::new();
    // Exactly at the length limit compiles; one more character does not.
    let at_limit = format!("1{}", " ".repeat(99_999));
    assert!(Program::compile(&at_limit, &env).is_ok());
    let over = format!("1{}", " ".repeat(100_000));
    assert_eq!(compile_error(&over, &env), CompileErrorKind::TooLong);
    let tight = Env::new().with_limits(Limits {
        max_source_len: 10,
        max_depth: 3,
    });
    assert_eq!(
        compile_error("1 + 2 + 3 + 4", &tight),
        CompileErrorKind::TooLong
    );
    assert_eq!(
        compile_error("((((1))))", &tight),
        CompileErrorKind::TooDeep
    );
    assert!(Program::compile("(1)", &tight).is_ok());
}
