//! `Program::compile_unchecked`: CEL without its type checker (cel-spec's `disable_check`).
//! Every operand is `dyn`: what the checker rejects (undeclared names, cross-type equality,
//! non-bool logic operands, unknown functions) fails at evaluation instead, where `&&`/`||`
//! may absorb it. Syntax and limits are still compile errors. Rules never use this mode.

mod expr_conformance_support;

use expr_conformance_support::*;
use gamesa_core::expr::{EvalErrorKind, Program};

/// Any evaluation error: unchecked CEL only promises that these fail.
const FAILS: Want = Want::Fails(&[
    EvalErrorKind::NoMatchingOverload,
    EvalErrorKind::MissingBinding,
    EvalErrorKind::BindingTypeMismatch,
    EvalErrorKind::Domain,
    EvalErrorKind::Overflow,
    EvalErrorKind::DivisionByZero,
    EvalErrorKind::ModulusByZero,
]);

#[test]
fn what_the_checker_rejects_is_decided_at_run_time() {
    check_with(
        Program::compile_unchecked,
        &[
            // Cross-type equality by value (heterogeneous equality).
            ("1.0 == 1", boolean(true)),
            ("2u != 2", boolean(false)),
            ("i == 7u", boolean(true)),
            ("d == 2", boolean(false)),
            // Non-bool operands absorbed by a deciding side, in either order.
            ("false && 32", boolean(false)),
            ("32 && false", boolean(false)),
            ("true || 32", boolean(true)),
            ("1.5 || true", boolean(true)),
            ("true && 32", FAILS),
            ("false || 1u", FAILS),
            // Undeclared names and unknown functions are run-time errors, absorbable.
            ("nope || true", boolean(true)),
            ("false && f_unknown(1)", boolean(false)),
            ("nope && true", FAILS),
            // Mixed arithmetic has no overload at run time.
            ("1 + 1u > 0 || true", boolean(true)),
            ("!(1 + 1u > 0)", FAILS),
        ],
    );
}

#[test]
fn well_typed_expressions_mean_the_same_unchecked() {
    let cases = [
        ("i + j * 2", int(1)),
        ("u / v", uint(2)),
        ("d * e", double(-1.25)),
        ("imax + 1", OVERFLOW),
        ("i / zero", DIV_ZERO),
        ("dnan == dnan", boolean(false)),
        ("dyn(imax) < 9223372036854775808u", boolean(true)),
        ("1 / zero == 0 || true", boolean(true)),
        ("b ? i : 1 / zero", int(7)),
        ("math.greatest(i, 3, -1)", int(7)),
    ];
    check(&cases);
    check_with(Program::compile_unchecked, &cases);
}

#[test]
fn syntax_and_limits_are_still_compile_errors() {
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    check_with(
        Program::compile_unchecked,
        &[
            ("1 +", SYNTAX),
            ("(1", SYNTAX),
            ("'text'", REJECTED),
            ("if", RESERVED),
            ("9223372036854775808", LITERAL_RANGE),
            (
                deep.as_str(),
                Want::Rejected(&[gamesa_core::expr::CompileErrorKind::TooDeep]),
            ),
        ],
    );
}
