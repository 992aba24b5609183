//! Double arithmetic is IEEE 754 binary64 (langdef "Numeric Values"): no errors, ±Inf, NaN and
//! -0.0 arise as in IEEE; `%` is not defined on doubles.

mod expr_conformance_support;

use expr_conformance_support::*;

#[test]
fn basic_double_arithmetic() {
    check(&[
        ("1.5 + 2.25", double(3.75)),
        ("1.0 - 3.5", double(-2.5)),
        ("2.5 * -4.0", double(-10.0)),
        ("7.0 / 2.0", double(3.5)),
        ("d * e", double(-1.25)),
        ("-d", double(-2.5)),
        ("0.1 + 0.2", double(0.1 + 0.2)),
        ("1e308 + 1e308", double(f64::INFINITY)),
        ("1e308 * 10.0", double(f64::INFINITY)),
        ("-1e308 * 10.0", double(f64::NEG_INFINITY)),
        ("5e-324 / 2.0", double(0.0)),
        ("-5e-324 / 2.0", double(-0.0)),
    ]);
}

#[test]
fn division_by_zero_is_infinite_or_nan_never_an_error() {
    check(&[
        ("1.0 / 0.0", double(f64::INFINITY)),
        ("-1.0 / 0.0", double(f64::NEG_INFINITY)),
        ("1.0 / -0.0", double(f64::NEG_INFINITY)),
        ("d / dzero", double(f64::INFINITY)),
        ("d / dnzero", double(f64::NEG_INFINITY)),
        ("0.0 / 0.0", double(f64::NAN)),
        ("dzero / dzero", double(f64::NAN)),
        ("dinf - dinf", double(f64::NAN)),
        ("dinf * 0.0", double(f64::NAN)),
        ("dinf + 1.0", double(f64::INFINITY)),
        ("1.0 / dinf", double(0.0)),
        ("-1.0 / dinf", double(-0.0)),
    ]);
}

#[test]
fn negative_zero_is_kept() {
    check(&[
        ("-0.0", double(-0.0)),
        ("-dzero", double(-0.0)),
        ("-dnzero", double(0.0)),
        ("0.0 * -1.0", double(-0.0)),
        ("dnzero + dnzero", double(-0.0)),
        ("dnzero + dzero", double(0.0)),
        ("dnzero - dzero", double(-0.0)),
        ("dnzero", double(-0.0)),
        // Equal by value, though the sign differs.
        ("dnzero == dzero", boolean(true)),
        ("-0.0 < 0.0", boolean(false)),
    ]);
}

#[test]
fn nan_propagates() {
    check(&[
        ("dnan + 1.0", double(f64::NAN)),
        ("dnan * 0.0", double(f64::NAN)),
        ("-dnan", double(f64::NAN)),
        ("dnan / dnan", double(f64::NAN)),
    ]);
}

#[test]
fn no_remainder_on_doubles() {
    check(&[("5.5 % 2.0", TYPE_ERROR), ("d % e", TYPE_ERROR)]);
}
