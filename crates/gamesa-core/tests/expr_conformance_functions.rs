//! Functions: CEL's conversions `int`, `uint`, `double`, `dyn` and the math extension's
//! `math.least` / `math.greatest`; the documented extensions `min`, `max`, `abs`,
//! `clamp(x, lo, hi)`, `sqrt`, `exp`, `ln`, `sin`, `cos`, `tanh`, `floor`, `ceil`, `round`.

mod expr_conformance_support;

use expr_conformance_support::*;
use gamesa_core::expr::EvalErrorKind;

const DOMAIN: Want = Want::Fails(&[EvalErrorKind::Domain]);

#[test]
fn int_conversion_truncates_and_checks_range() {
    check(&[
        ("int(7)", int(7)),
        ("int(7u)", int(7)),
        ("int(9223372036854775807u)", int(i64::MAX)),
        ("int(9223372036854775808u)", RANGE),
        ("int(umax)", RANGE),
        ("int(1.9)", int(1)),
        ("int(-1.9)", int(-1)),
        ("int(-0.0)", int(0)),
        ("int(1e18)", int(1_000_000_000_000_000_000)),
        ("int(-9.2e18)", int(-9_200_000_000_000_000_000)),
        ("int(1e19)", RANGE),
        ("int(-1e19)", RANGE),
        ("int(9223372036854775808.0)", RANGE),
        ("int(dinf)", RANGE),
        ("int(-dinf)", RANGE),
        ("int(dnan)", RANGE),
        ("int(true)", TYPE_ERROR),
    ]);
}

#[test]
fn uint_conversion_checks_sign_and_range() {
    check(&[
        ("uint(7)", uint(7)),
        ("uint(imax)", uint(i64::MAX as u64)),
        ("uint(7u)", uint(7)),
        ("uint(-1)", RANGE),
        ("uint(imin)", RANGE),
        ("uint(1.9)", uint(1)),
        ("uint(1.8e19)", uint(18_000_000_000_000_000_000)),
        ("uint(2e19)", RANGE),
        ("uint(-1.0)", RANGE),
        ("uint(dnan)", RANGE),
        ("uint(dinf)", RANGE),
        ("uint(b)", TYPE_ERROR),
    ]);
}

#[test]
fn double_conversion_rounds_to_nearest() {
    check(&[
        ("double(7)", double(7.0)),
        ("double(-7)", double(-7.0)),
        ("double(7u)", double(7.0)),
        ("double(2.5)", double(2.5)),
        ("double(9007199254740993)", double(9007199254740992.0)),
        ("double(imax)", double(9223372036854775808.0)),
        ("double(imin)", double(-9223372036854775808.0)),
        ("double(umax)", double(18446744073709551616.0)),
        ("double(c)", TYPE_ERROR),
    ]);
}

#[test]
fn dyn_is_the_identity() {
    check(&[
        ("dyn(7)", int(7)),
        ("dyn(7u)", uint(7)),
        ("dyn(2.5)", double(2.5)),
        ("dyn(true)", boolean(true)),
        ("dyn(i) + 1", int(8)),
        ("dyn(dyn(d))", double(2.5)),
        ("dyn(imax + 1)", OVERFLOW),
        ("dyn()", REJECTED),
        ("dyn(1, 2)", REJECTED),
    ]);
}

#[test]
fn math_least_and_greatest() {
    check(&[
        ("math.least(3)", int(3)),
        ("math.least(3, 1, 2)", int(1)),
        ("math.greatest(3, 1, 2)", int(3)),
        ("math.least(5u, 2u)", uint(2)),
        ("math.greatest(umax, 0u)", uint(u64::MAX)),
        ("math.least(1.5, -2.5, 0.0)", double(-2.5)),
        ("math.greatest(d, e)", double(2.5)),
        ("math.least(imin, imax)", int(i64::MIN)),
        ("math.greatest(i, j, zero)", int(7)),
        ("math.least()", REJECTED),
        ("math.greatest(true, false)", TYPE_ERROR),
        ("math.least(1 / zero, 2)", DIV_ZERO),
    ]);
}

#[test]
fn min_max_abs() {
    check(&[
        ("min(2, 3)", int(2)),
        ("max(2, 3)", int(3)),
        ("min(u, v)", uint(3)),
        ("max(u, v)", uint(7)),
        ("min(d, e)", double(-0.5)),
        ("max(2.0, 3.0) * 2.0", double(6.0)),
        ("min(imin, imax)", int(i64::MIN)),
        ("abs(-3)", int(3)),
        ("abs(3)", int(3)),
        ("abs(j)", int(3)),
        ("abs(-2.5)", double(2.5)),
        ("abs(dnzero)", double(0.0)),
        ("abs(-dinf)", double(f64::INFINITY)),
        // |i64::MIN| does not fit in an int.
        ("abs(imin)", OVERFLOW),
        ("abs(-9223372036854775808)", OVERFLOW),
        // min/max are math.least/math.greatest: variadic, and mixed numeric types compare by
        // value (the result keeps the chosen argument's type).
        ("min(1, 2u)", int(1)),
        ("max(1, 2.0)", double(2.0)),
        ("max(3u, 2.0, -1)", uint(3)),
        ("min(5, 6, 4, 8)", int(4)),
        ("min(1)", int(1)),
        ("abs(b)", TYPE_ERROR),
        ("abs(1, 2)", REJECTED),
        ("min()", REJECTED),
        ("max(true)", TYPE_ERROR),
    ]);
}

#[test]
fn clamp_bounds_a_value() {
    check(&[
        ("clamp(5, 0, 3)", int(3)),
        ("clamp(-5, 0, 3)", int(0)),
        ("clamp(2, 0, 3)", int(2)),
        ("clamp(u, 0u, 5u)", uint(5)),
        ("clamp(d, 0.0, 1.0)", double(1.0)),
        ("clamp(e, 0.0, 1.0)", double(0.0)),
        ("clamp(0.25, 0.0, 1.0)", double(0.25)),
        ("clamp(dnan, 0.0, 1.0)", double(f64::NAN)),
        // An empty range is a domain error.
        ("clamp(1, 3, 0)", DOMAIN),
        ("clamp(0.5, 1.0, 0.0)", DOMAIN),
        ("clamp(1, 0, 3u)", TYPE_ERROR),
        ("clamp(1, 0)", REJECTED),
    ]);
}

#[test]
fn real_functions_follow_ieee() {
    check(&[
        ("sqrt(4.0)", double(2.0)),
        ("sqrt(2.0)", double(std::f64::consts::SQRT_2)),
        ("sqrt(-1.0)", double(f64::NAN)),
        ("sqrt(dnzero)", double(-0.0)),
        ("exp(0.0)", double(1.0)),
        ("exp(1.0)", double(std::f64::consts::E)),
        ("exp(1000.0)", double(f64::INFINITY)),
        ("ln(1.0)", double(0.0)),
        ("ln(0.0)", double(f64::NEG_INFINITY)),
        ("ln(-1.0)", double(f64::NAN)),
        ("sin(0.0)", double(0.0)),
        ("cos(0.0)", double(1.0)),
        ("tanh(0.0)", double(0.0)),
        ("tanh(dinf)", double(1.0)),
        ("tanh(-dinf)", double(-1.0)),
        ("floor(1.5)", double(1.0)),
        ("floor(-1.5)", double(-2.0)),
        ("ceil(1.2)", double(2.0)),
        ("ceil(-1.2)", double(-1.0)),
        ("round(2.5)", double(3.0)),
        ("round(-2.5)", double(-3.0)),
        ("round(2.4)", double(2.0)),
        ("floor(dnan)", double(f64::NAN)),
        ("floor(b)", TYPE_ERROR),
    ]);
}

#[test]
fn unknown_functions_and_wrong_arity_are_compile_errors() {
    check(&[
        ("foo(1)", REJECTED),
        ("math.foo(1)", REJECTED),
        ("size(1)", REJECTED),
        ("sqrt()", REJECTED),
        ("sqrt(1.0, 2.0)", REJECTED),
        ("int()", REJECTED),
        ("d.floor()", REJECTED),
    ]);
}
