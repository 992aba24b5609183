//! Shared table runner for the `expr_conformance_*` tests: each case is a source text and what
//! CEL's language definition (cel-spec `doc/langdef.md`) says it must give. A table runs to the
//! end and reports every mismatch at once, so one run shows the whole picture.

// Each test file uses a different part of this module.
#![allow(dead_code)]

use gamesa_core::expr::{CompileError, CompileErrorKind, Env, EvalErrorKind, Program, Value};

/// What a case must produce.
#[derive(Debug, Clone, Copy)]
pub enum Want {
    /// Compiles, and evaluates to exactly this (doubles: NaN matches NaN, zero sign matters).
    Is(Value),
    /// Compiles, and evaluation fails with one of these kinds.
    Fails(&'static [EvalErrorKind]),
    /// Compilation fails with one of these kinds.
    Rejected(&'static [CompileErrorKind]),
}

pub fn int(x: i64) -> Want {
    Want::Is(Value::Int(x))
}
pub fn uint(x: u64) -> Want {
    Want::Is(Value::Uint(x))
}
pub fn double(x: f64) -> Want {
    Want::Is(Value::Double(x))
}
pub fn boolean(x: bool) -> Want {
    Want::Is(Value::Bool(x))
}

pub const OVERFLOW: Want = Want::Fails(&[EvalErrorKind::Overflow]);
pub const DIV_ZERO: Want = Want::Fails(&[EvalErrorKind::DivisionByZero]);
pub const MOD_ZERO: Want = Want::Fails(&[EvalErrorKind::ModulusByZero]);
/// A conversion whose argument is outside the target type's range (or NaN / infinite).
pub const RANGE: Want = Want::Fails(&[EvalErrorKind::Domain, EvalErrorKind::Overflow]);
/// A compile-time type error: no overload of an operator / function takes these types.
pub const TYPE_ERROR: Want = Want::Rejected(&[
    CompileErrorKind::TypeMismatch,
    CompileErrorKind::NoMatchingOverload,
]);
pub const SYNTAX: Want = Want::Rejected(&[CompileErrorKind::Syntax]);
pub const UNDECLARED: Want = Want::Rejected(&[CompileErrorKind::UndeclaredName]);
pub const RESERVED: Want = Want::Rejected(&[CompileErrorKind::ReservedWord]);
pub const LITERAL_RANGE: Want = Want::Rejected(&[CompileErrorKind::IntegerLiteralOutOfRange]);
/// Any compile error: the case is outside the language, and only rejection is specified.
pub const REJECTED: Want = Want::Rejected(&[
    CompileErrorKind::Syntax,
    CompileErrorKind::UndeclaredName,
    CompileErrorKind::TypeMismatch,
    CompileErrorKind::NoMatchingOverload,
    CompileErrorKind::ReservedWord,
    CompileErrorKind::IntegerLiteralOutOfRange,
]);

/// The declarations every table compiles against. Variables holding boundary values let the
/// tables reach run-time behaviour that constant folding could otherwise decide at compile time.
pub fn env() -> Env {
    let mut env = Env::new();
    for (name, value) in bindings() {
        env = env.declare(name, value.type_of());
    }
    env
}

/// The values bound to [`env`]'s names, in declaration order.
pub fn bindings() -> Vec<(&'static str, Value)> {
    vec![
        ("i", Value::Int(7)),
        ("j", Value::Int(-3)),
        ("zero", Value::Int(0)),
        ("imax", Value::Int(i64::MAX)),
        ("imin", Value::Int(i64::MIN)),
        ("u", Value::Uint(7)),
        ("v", Value::Uint(3)),
        ("uzero", Value::Uint(0)),
        ("umax", Value::Uint(u64::MAX)),
        ("d", Value::Double(2.5)),
        ("e", Value::Double(-0.5)),
        ("dzero", Value::Double(0.0)),
        ("dnzero", Value::Double(-0.0)),
        ("dnan", Value::Double(f64::NAN)),
        ("dinf", Value::Double(f64::INFINITY)),
        ("b", Value::Bool(true)),
        ("c", Value::Bool(false)),
        ("gpu0.temp_c", Value::Double(71.5)),
        ("a.b.c.d.e.f.g.h.i.j.k.l.m", Value::Int(12)),
    ]
}

/// Type and value equal; NaN equals NaN; 0.0 and -0.0 differ.
pub fn same(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Double(a), Value::Double(b)) => {
            (a.is_nan() && b.is_nan()) || (a == b && a.is_sign_negative() == b.is_sign_negative())
        }
        _ => want == got,
    }
}

/// A compiler: [`Program::compile`] or [`Program::compile_unchecked`].
pub type Compiler = fn(&str, &Env) -> Result<Program, CompileError>;

/// Runs one case against [`env`]; `None` when it behaves as wanted, else what went wrong.
pub fn run(source: &str, want: Want) -> Option<String> {
    run_with(Program::compile, source, want)
}

/// [`run`] with the given compiler.
pub fn run_with(compiler: Compiler, source: &str, want: Want) -> Option<String> {
    let env = env();
    let compiled = compiler(source, &env);
    let outcome = match (&compiled, want) {
        (Err(e), Want::Rejected(kinds)) if kinds.contains(&e.kind) => return None,
        (Err(e), _) => format!("compile error {:?}: {e}", e.kind),
        (Ok(_), Want::Rejected(kinds)) => format!("compiled, expected a compile error {kinds:?}"),
        (Ok(p), want) => {
            let got = p.eval_named(&bindings());
            // The slot path must agree with the named path, whatever the result.
            let slots: Vec<Value> = bindings().iter().map(|(_, v)| *v).collect();
            let fast = p.eval_slots(&slots);
            let agree = match (&got, &fast) {
                (Ok(a), Ok(b)) => same(a, b),
                (Err(a), Err(b)) => a.kind == b.kind,
                _ => false,
            };
            if !agree {
                return Some(format!("eval_named {got:?} but eval_slots {fast:?}"));
            }
            if let Ok(v) = &got
                && v.type_of() != p.result_type()
            {
                return Some(format!("{v:?} but result_type {:?}", p.result_type()));
            }
            match (got, want) {
                (Ok(v), Want::Is(w)) if same(&w, &v) => return None,
                (Err(e), Want::Fails(kinds)) if kinds.contains(&e.kind) => return None,
                (Ok(v), _) => format!("evaluated to {v:?}"),
                (Err(e), _) => format!("eval error {:?}: {}", e.kind, e.message),
            }
        }
    };
    Some(format!("expected {want:?}, got {outcome}"))
}

/// Runs a table and fails with every mismatching case listed.
pub fn check(cases: &[(&str, Want)]) {
    check_with(Program::compile, cases)
}

/// [`check`] with the given compiler.
pub fn check_with(compiler: Compiler, cases: &[(&str, Want)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(src, want)| {
            run_with(compiler, src, *want).map(|why| format!("  `{src}`: {why}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// `n` copies of `item` joined by `sep`.
pub fn repeat(item: &str, sep: &str, n: usize) -> String {
    vec![item; n].join(sep)
}

/// Compiles against [`env`], expecting success.
pub fn compile(source: &str) -> Program {
    Program::compile(source, &env()).unwrap_or_else(|e| panic!("`{source}`: {e}"))
}
