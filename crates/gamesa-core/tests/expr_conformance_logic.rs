//! `!`, `&&`, `||` and `?:` (langdef "Logical Operators", "Conditional"): `&&`/`||` are
//! commutative with respect to errors: when one side decides the result (false for `&&`, true
//! for `||`) an error on the other side, in either order, is absorbed; otherwise the error
//! propagates. `?:` evaluates only the chosen branch.

mod expr_conformance_support;

use expr_conformance_support::*;

#[test]
fn truth_tables() {
    check(&[
        ("true && true", boolean(true)),
        ("true && false", boolean(false)),
        ("false && true", boolean(false)),
        ("false && false", boolean(false)),
        ("true || true", boolean(true)),
        ("true || false", boolean(true)),
        ("false || true", boolean(true)),
        ("false || false", boolean(false)),
        ("!true", boolean(false)),
        ("!false", boolean(true)),
        ("!!b", boolean(true)),
        ("!c", boolean(true)),
        ("b && !c", boolean(true)),
        ("c || !b", boolean(false)),
    ]);
}

#[test]
fn precedence_and_associativity() {
    check(&[
        // && binds tighter than ||.
        ("true || false && false", boolean(true)),
        ("false && true || true", boolean(true)),
        ("(true || false) && false", boolean(false)),
        // ! binds tighter than ==.
        ("!true == false", boolean(true)),
        // ?: has the lowest precedence and is right-associative.
        ("false ? 1 : true ? 2 : 3", int(2)),
        ("true ? 1 : false ? 2 : 3", int(1)),
        ("false ? 1 : false ? 2 : 3", int(3)),
        ("true || false ? 1 : 2", int(1)),
        ("1 + 1 == 2 ? 10 : 20", int(10)),
    ]);
}

#[test]
fn errors_are_absorbed_when_the_other_side_decides_in_either_order() {
    check(&[
        ("false && 1 / zero == 0", boolean(false)),
        ("1 / zero == 0 && false", boolean(false)),
        ("true || 1 / zero == 0", boolean(true)),
        ("1 / zero == 0 || true", boolean(true)),
        ("c && imax + 1 > 0", boolean(false)),
        ("imax + 1 > 0 && c", boolean(false)),
        ("b || i % zero == 1", boolean(true)),
        ("i % zero == 1 || b", boolean(true)),
        ("0u - 1u > u && 1 > 2", boolean(false)),
        ("1 > 2 && 0u - 1u > u", boolean(false)),
        // Nested: the absorbed error sits inside a larger expression.
        ("(1 / zero == 0 || true) && (false || b)", boolean(true)),
        ("!(1 / zero == 0 && false)", boolean(true)),
    ]);
}

#[test]
fn errors_propagate_when_the_other_side_does_not_decide() {
    check(&[
        ("true && 1 / zero == 0", DIV_ZERO),
        ("1 / zero == 0 && true", DIV_ZERO),
        ("false || 1 / zero == 0", DIV_ZERO),
        ("1 / zero == 0 || false", DIV_ZERO),
        ("b && imax + 1 > 0", OVERFLOW),
        ("c || i % zero == 1", MOD_ZERO),
        ("!(1 / zero == 0)", DIV_ZERO),
        // Both sides fail: an error either way.
        (
            "1 / zero == 0 && imax + 1 > 0",
            Want::Fails(&[
                gamesa_core::expr::EvalErrorKind::DivisionByZero,
                gamesa_core::expr::EvalErrorKind::Overflow,
            ]),
        ),
        (
            "1 / zero == 0 || imax + 1 > 0",
            Want::Fails(&[
                gamesa_core::expr::EvalErrorKind::DivisionByZero,
                gamesa_core::expr::EvalErrorKind::Overflow,
            ]),
        ),
    ]);
}

#[test]
fn conditional_is_lazy() {
    check(&[
        ("true ? 1 : 1 / zero", int(1)),
        ("false ? 1 / zero : 2", int(2)),
        ("b ? d : 1.0 / 0.0", double(2.5)),
        ("c ? imax + 1 : imax", int(i64::MAX)),
        ("b ? umax : umax + 1u", uint(u64::MAX)),
        ("i > 0 ? i : -i", int(7)),
        ("j > 0 ? j : -j", int(3)),
        // An error in the condition is the result.
        ("1 / zero == 0 ? 1 : 2", DIV_ZERO),
        // The chosen branch's error is the result.
        ("b ? 1 / zero : 2", DIV_ZERO),
    ]);
}

#[test]
fn logic_is_typed() {
    check(&[
        ("1 && true", TYPE_ERROR),
        ("b || 0", TYPE_ERROR),
        ("!1", TYPE_ERROR),
        ("!d", TYPE_ERROR),
        ("i ? 1 : 2", TYPE_ERROR),
        // Both branches of ?: must have one type.
        ("b ? 1 : 1u", TYPE_ERROR),
        ("b ? 1 : 1.0", TYPE_ERROR),
        ("b ? true : 1", TYPE_ERROR),
    ]);
}

#[test]
fn a_dyn_operand_that_is_not_bool_is_absorbed_or_fails_at_run_time() {
    // `dyn(..)` passes the checker as a bool operand; the value decides at run time.
    check(&[
        ("false && dyn(32)", boolean(false)),
        ("dyn(32) && false", boolean(false)),
        ("true || dyn(1.5)", boolean(true)),
        ("dyn(1u) || true", boolean(true)),
        ("dyn(b) && true", boolean(true)),
        (
            "true && dyn(32)",
            Want::Fails(&[gamesa_core::expr::EvalErrorKind::NoMatchingOverload]),
        ),
    ]);
}
