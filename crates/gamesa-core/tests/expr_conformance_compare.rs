//! The six comparisons (langdef "Equality", "Ordering"; one precedence level, left to right).
//! Within one type: by value, bools ordered false < true. Across numeric types (cel-go's
//! cross-type numeric comparisons; equality across types needs `dyn`, as in checked CEL):
//! int vs uint compares the exact
//! values; an integer vs a double compares after converting the integer to double (so
//! `9223372036854775807` meets `9223372036854775808.0` as equal). NaN is unequal to everything
//! including itself, and every ordering involving NaN is false.

mod expr_conformance_support;

use expr_conformance_support::*;

#[test]
fn same_type_comparisons() {
    check(&[
        ("1 == 1", boolean(true)),
        ("1 != 1", boolean(false)),
        ("-1 < 1", boolean(true)),
        ("1 <= 1", boolean(true)),
        ("2 > 1", boolean(true)),
        ("1 >= 2", boolean(false)),
        ("imin < imax", boolean(true)),
        ("1u < 2u", boolean(true)),
        ("umax > 0u", boolean(true)),
        ("u == 7u", boolean(true)),
        ("1.5 < 2.5", boolean(true)),
        ("d >= 2.5", boolean(true)),
        ("d != e", boolean(true)),
        ("true == true", boolean(true)),
        ("true != false", boolean(true)),
        ("false < true", boolean(true)),
        ("true <= false", boolean(false)),
        ("b > c", boolean(true)),
        ("c >= c", boolean(true)),
    ]);
}

#[test]
fn relations_chain_left_to_right_at_one_level() {
    check(&[
        // (1 < 2) == true
        ("1 < 2 == true", boolean(true)),
        // (3 > 2) > false: bool ordering
        ("3 > 2 > false", boolean(true)),
        ("1 == 1 != false", boolean(true)),
        // Arithmetic binds tighter than relations.
        ("1 + 1 == 2", boolean(true)),
        ("2 * 3 > 5 == true", boolean(true)),
        // An int result compared with a bool has no overload.
        ("1 < 2 < 3", TYPE_ERROR),
    ]);
}

#[test]
fn int_and_uint_compare_by_exact_value() {
    check(&[
        ("dyn(1) == 1u", boolean(true)),
        ("dyn(1u) == 1", boolean(true)),
        ("dyn(-1) == 18446744073709551615u", boolean(false)),
        ("dyn(-1) < 0u", boolean(true)),
        ("dyn(0u) > -1", boolean(true)),
        (
            "dyn(9223372036854775807) < 9223372036854775808u",
            boolean(true),
        ),
        (
            "dyn(9223372036854775807) == 9223372036854775807u",
            boolean(true),
        ),
        (
            "dyn(9223372036854775808u) > 9223372036854775807",
            boolean(true),
        ),
        (
            "dyn(9223372036854775808u) != 9223372036854775807",
            boolean(true),
        ),
        (
            "dyn(18446744073709551615u) > -9223372036854775808",
            boolean(true),
        ),
        ("dyn(imin) < 0u", boolean(true)),
        ("dyn(umax) >= imax", boolean(true)),
        ("dyn(imax) <= umax", boolean(true)),
        // Without dyn: cross-type ordering type-checks (cel-go's cross-type numeric
        // comparisons); equality needs `dyn`, as in checked CEL where `_==_` takes (A, A).
        ("imax < umax", boolean(true)),
        ("j < uzero", boolean(true)),
        ("imin >= uzero", boolean(false)),
        ("i == u", TYPE_ERROR),
        ("umax != imax", TYPE_ERROR),
        ("dyn(i) == u", boolean(true)),
        ("dyn(umax) != imax", boolean(true)),
    ]);
}

#[test]
fn integers_and_doubles_compare_by_value() {
    check(&[
        ("dyn(1) == 1.0", boolean(true)),
        ("dyn(1.0) == 1", boolean(true)),
        ("dyn(1) == 1.5", boolean(false)),
        ("dyn(1) < 1.5", boolean(true)),
        ("dyn(2u) > 1.5", boolean(true)),
        ("dyn(2u) == 2.0", boolean(true)),
        ("dyn(-1) < -0.5", boolean(true)),
        ("dyn(0) == -0.0", boolean(true)),
        ("dyn(0u) <= -0.0", boolean(true)),
        ("dyn(1) < 1.0 / 0.0", boolean(true)),
        ("dyn(imin) > -1.0 / 0.0", boolean(true)),
        ("dyn(umax) < dinf", boolean(true)),
        ("i == 7.0", TYPE_ERROR),
        ("dyn(i) == 7.0", boolean(true)),
        ("u > d", boolean(true)),
        ("d < i", boolean(true)),
    ]);
}

#[test]
fn integers_and_doubles_near_two_to_the_63() {
    check(&[
        // 2^63 - 1 becomes 2^63 as a double: equal, so `<` is false and `<=` true.
        ("dyn(imax) < 9223372036854775808.0", boolean(false)),
        ("dyn(imax) <= 9223372036854775808.0", boolean(true)),
        ("dyn(imax) > 9223372036854775808.0", boolean(false)),
        ("dyn(9223372036854775808.0) >= imax", boolean(true)),
        // 2^63 - 1024 is the double just below 2^63: exactly representable, strictly less.
        (
            "dyn(9223372036854774784) < 9223372036854775808.0",
            boolean(true),
        ),
        (
            "dyn(9223372036854774784) == 9223372036854774784.0",
            boolean(true),
        ),
        // The next double above 2^63 is 2^63 + 2048.
        ("dyn(imax) < 9223372036854777856.0", boolean(true)),
        ("dyn(imin) <= -9223372036854775808.0", boolean(true)),
        ("dyn(imin) > -9223372036854777856.0", boolean(true)),
        // A double beyond the uint range against uint's maximum (2^64 - 1 becomes 2^64).
        ("dyn(umax) < 18446744073709555712.0", boolean(true)),
        ("dyn(18446744073709555712.0) > umax", boolean(true)),
        ("dyn(umax) >= 0.0", boolean(true)),
        (
            "dyn(9223372036854775808u) == 9223372036854775808.0",
            boolean(true),
        ),
        ("dyn(-1.0) < 0u", boolean(true)),
    ]);
}

#[test]
fn nan_is_unequal_to_everything_and_unordered() {
    check(&[
        ("dnan == dnan", boolean(false)),
        ("dnan != dnan", boolean(true)),
        ("0.0 / 0.0 == 0.0 / 0.0", boolean(false)),
        ("dnan < 1.0", boolean(false)),
        ("dnan <= 1.0", boolean(false)),
        ("dnan > 1.0", boolean(false)),
        ("dnan >= 1.0", boolean(false)),
        ("1.0 < dnan", boolean(false)),
        ("dnan >= dnan", boolean(false)),
        ("dnan < dinf", boolean(false)),
        ("dyn(1) == dnan", boolean(false)),
        ("dyn(1) != dnan", boolean(true)),
        ("dyn(1u) == dnan", boolean(false)),
        ("dyn(1u) != dnan", boolean(true)),
        ("dyn(i) < dnan", boolean(false)),
        ("dyn(dnan) >= i", boolean(false)),
        ("dyn(u) > dnan", boolean(false)),
        ("dyn(dnan) <= u", boolean(false)),
        ("!(dnan < 1.0) && !(dnan >= 1.0)", boolean(true)),
    ]);
}

#[test]
fn bools_do_not_compare_with_numbers() {
    check(&[
        ("true == 1", TYPE_ERROR),
        ("b < 1.0", TYPE_ERROR),
        ("1u != false", TYPE_ERROR),
    ]);
}

#[test]
fn an_error_in_a_comparison_operand_propagates() {
    check(&[
        ("1 / zero == 0", DIV_ZERO),
        ("0u < u % uzero", MOD_ZERO),
        ("imax + 1 > 0", OVERFLOW),
    ]);
}
