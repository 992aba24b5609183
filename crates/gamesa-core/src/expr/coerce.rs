//! Values given from outside to declared types: the one set of conversions every entry point
//! accepts (contract contexts, expression bindings, snapshots filled from numbers).

use super::types::{Type, Value};

/// 2^63 and 2^64 as doubles: the first values beyond `i64` and `u64`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
/// Integers up to 2^53 in magnitude convert to a double exactly.
pub const EXACT_IN_DOUBLE: u64 = 1 << 53;

/// The given value as the declared type, when it converts without loss; otherwise why not
/// (to append to a message, possibly empty). JavaScript numbers arrive as doubles: a whole
/// double is a valid `int`/`uint`, a fractional one is not; a number is never a `bool` and a
/// `bool` never a number.
pub fn coerce(given: Value, ty: Type) -> Result<Value, &'static str> {
    match (ty, given) {
        (Type::Double, Value::Double(_))
        | (Type::Int, Value::Int(_))
        | (Type::Uint, Value::Uint(_))
        | (Type::Bool, Value::Bool(_)) => Ok(given),
        (Type::Double, Value::Int(i)) if i.unsigned_abs() <= EXACT_IN_DOUBLE => {
            Ok(Value::Double(i as f64))
        }
        (Type::Double, Value::Uint(u)) if u <= EXACT_IN_DOUBLE => Ok(Value::Double(u as f64)),
        (Type::Double, Value::Int(_) | Value::Uint(_)) => {
            Err(" (beyond 2^53, not exact as a double)")
        }
        (Type::Int, Value::Uint(u)) => i64::try_from(u)
            .map(Value::Int)
            .map_err(|_| " (beyond the int range)"),
        (Type::Uint, Value::Int(i)) => u64::try_from(i).map(Value::Uint).map_err(|_| " (negative)"),
        (Type::Int, Value::Double(d)) => {
            if d.is_nan() || (d.is_finite() && d.fract() != 0.0) {
                Err(" (not a whole number)")
            } else if !(-TWO_POW_63..TWO_POW_63).contains(&d) {
                Err(" (beyond the int range)")
            } else {
                // In range and whole: the cast is exact.
                Ok(Value::Int(d as i64))
            }
        }
        (Type::Uint, Value::Double(d)) => {
            if d.is_nan() || (d.is_finite() && d.fract() != 0.0) {
                Err(" (not a whole number)")
            } else if !(0.0..TWO_POW_64).contains(&d) {
                Err(" (beyond the uint range)")
            } else {
                Ok(Value::Uint(d as u64))
            }
        }
        (_, Value::Bool(_)) | (Type::Bool, _) => Err(""),
    }
}

/// A number from a packed array of numbers (a typed array filled in declaration order), where a
/// `bool` travels as exactly 0 or 1, as the declared type: the packing of booleans undone,
/// then [`coerce`].
pub fn coerce_packed(x: f64, ty: Type) -> Result<Value, &'static str> {
    match ty {
        Type::Bool if x == 0.0 => Ok(Value::Bool(false)),
        Type::Bool if x == 1.0 => Ok(Value::Bool(true)),
        Type::Bool => Err(" (a packed boolean is 0 or 1)"),
        _ => coerce(Value::Double(x), ty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_never_a_bool_unless_packed_as_0_or_1() {
        assert!(coerce(Value::Double(1.0), Type::Bool).is_err());
        assert!(coerce(Value::Double(0.5), Type::Bool).is_err());
        assert_eq!(coerce_packed(1.0, Type::Bool), Ok(Value::Bool(true)));
        assert_eq!(coerce_packed(0.0, Type::Bool), Ok(Value::Bool(false)));
        assert!(coerce_packed(0.5, Type::Bool).is_err());
        assert!(coerce_packed(2.0, Type::Bool).is_err());
    }

    #[test]
    fn packed_integers_are_whole_and_in_range() {
        assert_eq!(coerce_packed(-3.0, Type::Int), Ok(Value::Int(-3)));
        assert!(coerce_packed(1.5, Type::Int).is_err());
        assert!(coerce_packed(-1.0, Type::Uint).is_err());
        assert!(coerce_packed(f64::INFINITY, Type::Int).is_err());
        assert!(coerce_packed(9_223_372_036_854_775_808.0, Type::Int).is_err());
        assert_eq!(coerce_packed(2.5, Type::Double), Ok(Value::Double(2.5)));
    }
}
