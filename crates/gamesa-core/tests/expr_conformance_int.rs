//! int64 and uint64 arithmetic (langdef "Numeric Values", "Overflow"): wrapping never happens;
//! overflow at either end, division and modulo by zero, and `MIN / -1`, `MIN % -1` are errors.
//! Cases use variables as well as literals so constant folding cannot hide run-time behaviour.

mod expr_conformance_support;

use expr_conformance_support::*;

#[test]
fn int_arithmetic_truncates_toward_zero() {
    check(&[
        ("1 + 2", int(3)),
        ("10 - 20", int(-10)),
        ("6 * -7", int(-42)),
        ("7 / 2", int(3)),
        ("-7 / 2", int(-3)),
        ("7 / -2", int(-3)),
        ("7 % 3", int(1)),
        ("-7 % 3", int(-1)),
        ("7 % -3", int(1)),
        ("i / j", int(-2)),
        ("i % j", int(1)),
        ("-i", int(-7)),
        ("- -i", int(7)),
        ("--i", int(7)),
        ("imin + 1 - 1", int(i64::MIN)),
        ("imax / imax", int(1)),
        ("imin / imax", int(-1)),
        ("imin % imax", int(-1)),
        ("imin / 1", int(i64::MIN)),
        ("imin % 1", int(0)),
    ]);
}

#[test]
fn int_overflow_is_an_error_at_both_ends() {
    check(&[
        ("9223372036854775807 + 1", OVERFLOW),
        ("imax + 1", OVERFLOW),
        ("1 + imax", OVERFLOW),
        ("-9223372036854775808 - 1", OVERFLOW),
        ("imin - 1", OVERFLOW),
        ("0 - imin", OVERFLOW),
        ("-1 - imax - 2", OVERFLOW),
        ("imax * 2", OVERFLOW),
        ("imin * 2", OVERFLOW),
        ("imin * -1", OVERFLOW),
        ("-1 * imin", OVERFLOW),
        ("-imin", OVERFLOW),
        ("-(-9223372036854775808)", OVERFLOW),
        ("4611686018427387904 * 2", OVERFLOW),
        ("-4611686018427387904 * 2", int(i64::MIN)),
        ("imax - imax", int(0)),
        ("imax + imin", int(-1)),
    ]);
}

#[test]
fn int_min_divided_by_minus_one_is_an_error_not_a_panic() {
    check(&[
        ("imin / -1", OVERFLOW),
        ("-9223372036854775808 / -1", OVERFLOW),
        ("imin % -1", OVERFLOW),
        ("-9223372036854775808 % -1", OVERFLOW),
        ("imin / (zero - 1)", OVERFLOW),
    ]);
}

#[test]
fn int_division_and_modulo_by_zero() {
    check(&[
        ("1 / 0", DIV_ZERO),
        ("i / zero", DIV_ZERO),
        ("0 / 0", DIV_ZERO),
        ("imin / zero", DIV_ZERO),
        ("1 % 0", MOD_ZERO),
        ("i % zero", MOD_ZERO),
        ("imin % zero", MOD_ZERO),
    ]);
}

#[test]
fn uint_arithmetic_and_overflow_at_both_ends() {
    check(&[
        ("1u + 2u", uint(3)),
        ("u - v", uint(4)),
        ("u * v", uint(21)),
        ("u / v", uint(2)),
        ("u % v", uint(1)),
        ("umax / 2u", uint(u64::MAX / 2)),
        ("umax % 10u", uint(5)),
        ("umax - umax", uint(0)),
        ("18446744073709551615u + 1u", OVERFLOW),
        ("umax + 1u", OVERFLOW),
        ("0u - 1u", OVERFLOW),
        ("v - u", OVERFLOW),
        ("uzero - 1u", OVERFLOW),
        ("umax * 2u", OVERFLOW),
        ("4294967296u * 4294967296u", OVERFLOW),
        ("4294967296u * 4294967295u", uint(18446744069414584320)),
        ("1u / 0u", DIV_ZERO),
        ("u / uzero", DIV_ZERO),
        ("1u % 0u", MOD_ZERO),
        ("u % uzero", MOD_ZERO),
        // No unary minus on uint.
        ("-u", TYPE_ERROR),
    ]);
}

#[test]
fn arithmetic_needs_one_numeric_type() {
    check(&[
        ("1 + 1u", TYPE_ERROR),
        ("i + u", TYPE_ERROR),
        ("1 + 1.0", TYPE_ERROR),
        ("i * d", TYPE_ERROR),
        ("u - d", TYPE_ERROR),
        ("1 / 1u", TYPE_ERROR),
        ("1 % 1.0", TYPE_ERROR),
        ("true + 1", TYPE_ERROR),
        ("b + c", TYPE_ERROR),
        ("-b", TYPE_ERROR),
        // Explicit conversions make it type-check.
        ("i + int(u)", int(14)),
        ("double(i) * d", double(17.5)),
        ("uint(i) - v", uint(4)),
    ]);
}

#[test]
fn an_error_in_an_operand_propagates() {
    check(&[
        ("(1 / zero) + 1", DIV_ZERO),
        ("1 + (imax + 1)", OVERFLOW),
        ("-(i % zero)", MOD_ZERO),
        ("(imax + 1) * 0", OVERFLOW),
    ]);
}
