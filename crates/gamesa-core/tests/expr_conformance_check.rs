//! Compile-time checking: undeclared names and type errors are compile errors carrying the
//! byte offset, 1-based line and 1-based column (in characters) of the offending token, as
//! cel-go reports them (an operator's error at the operator, a name's at the name), and a
//! suggestion for a misspelt name.

use gamesa_core::ErrorCode;
use gamesa_core::expr::{CompileError, CompileErrorKind, Env, Program, Type};

fn env() -> Env {
    Env::new()
        .declare("x", Type::Int)
        .declare("u", Type::Uint)
        .declare("d", Type::Double)
        .declare("flag", Type::Bool)
        .declare("gpu0.temp_c", Type::Double)
        .declare("cpu.util", Type::Double)
}

fn error(source: &str) -> CompileError {
    match Program::compile(source, &env()) {
        Err(e) => e,
        Ok(_) => panic!("`{source}` compiled"),
    }
}

/// (source, kind, line, column) — column counts characters, offset is the byte index.
fn check_positions(cases: &[(&str, CompileErrorKind, u32, u32)]) {
    let mut failures = Vec::new();
    for &(src, kind, line, column) in cases {
        let e = error(src);
        let offset = byte_offset(src, line, column);
        if (e.kind, e.line, e.column, e.offset) != (kind, line, column, offset) {
            failures.push(format!(
                "  `{}`: expected {kind:?} at {line}:{column} (byte {offset}), got {:?} at {}:{} (byte {}): {e}",
                src.escape_debug(),
                e.kind,
                e.line,
                e.column,
                e.offset
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The byte offset of a 1-based line and character column.
fn byte_offset(src: &str, line: u32, column: u32) -> usize {
    let line_start: usize = src
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let rest = &src[line_start..];
    line_start
        + rest
            .char_indices()
            .nth(column as usize - 1)
            .map_or(rest.len(), |(i, _)| i)
}

#[test]
fn undeclared_names_are_reported_where_they_are() {
    use CompileErrorKind::UndeclaredName as U;
    check_positions(&[
        ("y", U, 1, 1),
        ("x + y", U, 1, 5),
        ("x > 1 &&\n  gpu1.temp_c > 3.0", U, 2, 3),
        ("x > 1 &&\r\n  gpu1.temp_c > 3.0", U, 2, 3),
        // A character outside the language is a syntax error where it stands.
        ("x + é", CompileErrorKind::Syntax, 1, 5),
        ("x ≥ 1", CompileErrorKind::Syntax, 1, 3),
        ("1.5 $", CompileErrorKind::Syntax, 1, 5),
        ("// é\nx + $", CompileErrorKind::Syntax, 2, 5),
    ]);
}

#[test]
fn type_errors_are_reported_at_the_operator() {
    use CompileErrorKind::{NoMatchingOverload as N, TypeMismatch as T};
    let cases = [
        ("x + d", 1, 3),
        ("1 +\n  true", 1, 3),
        ("flag &&\n  d + 1 > 2.0", 2, 5),
        ("x == flag", 1, 3),
        ("!x", 1, 1),
        ("-flag", 1, 1),
        ("u % 2", 1, 3),
        ("d % 2.0", 1, 3),
    ];
    let mut failures = Vec::new();
    for (src, line, column) in cases {
        let e = error(src);
        if !matches!(e.kind, N | T) || (e.line, e.column) != (line, column) {
            failures.push(format!(
                "  `{}`: expected a type error at {line}:{column}, got {:?} at {}:{}: {e}",
                src.escape_debug(),
                e.kind,
                e.line,
                e.column
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_misspelt_name_gets_a_suggestion() {
    for (src, suggestion) in [
        ("gpu0.temp_C > 80.0", "gpu0.temp_c"),
        ("gpu0.tmp_c > 80.0", "gpu0.temp_c"),
        ("cpu.utl > 0.9", "cpu.util"),
        ("falg && true", "flag"),
    ] {
        let e = error(src);
        assert_eq!(e.kind, CompileErrorKind::UndeclaredName, "`{src}`: {e}");
        assert_eq!(e.suggestion.as_deref(), Some(suggestion), "`{src}`: {e}");
        let shown = e.to_string();
        assert!(shown.contains(suggestion), "`{src}`: {shown}");
    }
    // Nothing close: no suggestion.
    let e = error("completely_unrelated_name > 1");
    assert_eq!(e.suggestion, None, "{e}");
}

#[test]
fn errors_have_the_stable_code_and_show_their_position() {
    let e = error("x +\n  d");
    assert_eq!(e.code(), "EXPR_COMPILE");
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("line {}, column {}: ", e.line, e.column)),
        "{shown}"
    );
    let program = Program::compile("x / 0", &env()).unwrap();
    let err = program
        .eval_named(&[
            ("x", gamesa_core::expr::Value::Int(1)),
            ("u", gamesa_core::expr::Value::Uint(1)),
            ("d", gamesa_core::expr::Value::Double(1.0)),
            ("flag", gamesa_core::expr::Value::Bool(true)),
            ("gpu0.temp_c", gamesa_core::expr::Value::Double(1.0)),
            ("cpu.util", gamesa_core::expr::Value::Double(1.0)),
        ])
        .unwrap_err();
    assert_eq!(err.code(), "EXPR_EVAL");
    assert!(!err.to_string().is_empty());
}

#[test]
fn only_referenced_names_need_be_well_typed_and_declared_once() {
    // Checking is about the expression; unused declarations of any type are fine.
    assert!(Program::compile("x + 1 > 0", &env()).is_ok());
    // A name that is a prefix of a declared dotted name is not itself declared.
    let e = error("gpu0 > 1.0");
    assert_eq!(e.kind, CompileErrorKind::UndeclaredName, "{e}");
    assert_eq!((e.line, e.column), (1, 1));
}
