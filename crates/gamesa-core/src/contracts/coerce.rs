//! Context values to declared types: the conversions a check accepts, and the zero of a type.

use super::definition::VarType;
use crate::expr::Value;

/// The zero of a type: what unread slots hold.
pub(super) fn zero(ty: VarType) -> Value {
    match ty {
        VarType::Int => Value::Int(0),
        VarType::Uint => Value::Uint(0),
        VarType::Double => Value::Double(0.0),
        VarType::Bool => Value::Bool(false),
    }
}

/// 2^63 and 2^64 as doubles: the first values beyond `i64` and `u64`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
/// Integers up to 2^53 in magnitude convert to a double exactly.
const EXACT_IN_DOUBLE: u64 = 1 << 53;

/// The context value as the declared type, when it converts without loss; otherwise why not
/// (appended to the message). JavaScript numbers arrive as doubles: a whole double is a valid
/// `int`/`uint`, a fractional one is not.
pub(super) fn coerce(given: Value, ty: VarType) -> Result<Value, &'static str> {
    match (ty, given) {
        (VarType::Double, Value::Double(_))
        | (VarType::Int, Value::Int(_))
        | (VarType::Uint, Value::Uint(_))
        | (VarType::Bool, Value::Bool(_)) => Ok(given),
        (VarType::Double, Value::Int(i)) if i.unsigned_abs() <= EXACT_IN_DOUBLE => {
            Ok(Value::Double(i as f64))
        }
        (VarType::Double, Value::Uint(u)) if u <= EXACT_IN_DOUBLE => Ok(Value::Double(u as f64)),
        (VarType::Double, Value::Int(_) | Value::Uint(_)) => {
            Err(" (beyond 2^53, not exact as a double)")
        }
        (VarType::Int, Value::Uint(u)) => i64::try_from(u)
            .map(Value::Int)
            .map_err(|_| " (beyond the int range)"),
        (VarType::Uint, Value::Int(i)) => {
            u64::try_from(i).map(Value::Uint).map_err(|_| " (negative)")
        }
        (VarType::Int, Value::Double(d)) => {
            if d.is_nan() || (d.is_finite() && d.fract() != 0.0) {
                Err(" (not a whole number)")
            } else if !(-TWO_POW_63..TWO_POW_63).contains(&d) {
                Err(" (beyond the int range)")
            } else {
                // In range and whole: the cast is exact.
                Ok(Value::Int(d as i64))
            }
        }
        (VarType::Uint, Value::Double(d)) => {
            if d.is_nan() || (d.is_finite() && d.fract() != 0.0) {
                Err(" (not a whole number)")
            } else if !(0.0..TWO_POW_64).contains(&d) {
                Err(" (beyond the uint range)")
            } else {
                Ok(Value::Uint(d as u64))
            }
        }
        (_, Value::Bool(_)) | (VarType::Bool, _) => Err(""),
    }
}
