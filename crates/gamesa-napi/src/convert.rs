//! The conversions between JS values and core types that the binding files share: values of
//! the expression language, whole numbers given as JS numbers, declarations given as name and
//! type lists, snapshots given as typed arrays, and JSON text out. What a value may become is
//! the core's [`coerce`]; these only carry JS values to and from it.

use crate::errors::{JsError, JsResult, js_error, to_js};
use gamesa_core::error::codes;
use gamesa_core::expr::{EXACT_IN_DOUBLE, Env, Type, Value, coerce, coerce_packed};
use gamesa_core::features::Snapshot;
use napi::bindgen_prelude::{BigInt, Either3};

/// A value as JS holds it: a number (double), a boolean, or a BigInt (64-bit integers).
/// Exported signatures spell the type out: napi-derive writes an alias's name into index.d.ts.
pub type JsValue = Either3<f64, bool, BigInt>;

/// The largest whole number a JS number holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A core value for JS: doubles and bools as themselves, ints and uints as numbers when exact
/// (|v| ≤ 2^53), else as BigInt.
pub fn to_js_value(v: Value) -> JsValue {
    match v {
        Value::Int(i) if i.unsigned_abs() <= EXACT_IN_DOUBLE => Either3::A(i as f64),
        Value::Int(i) => Either3::C(BigInt::from(i)),
        Value::Uint(u) if u <= EXACT_IN_DOUBLE => Either3::A(u as f64),
        Value::Uint(u) => Either3::C(BigInt::from(u)),
        Value::Double(d) => Either3::A(d),
        Value::Bool(b) => Either3::B(b),
    }
}

/// A JS value as the core value it is, before any coercion: a number is a double, a boolean a
/// bool, a BigInt an int (a uint beyond the int range). `INVALID_ARGUMENT` naming
/// `<list>.<name>` for a BigInt beyond 64 bits.
pub fn from_js_value(list: &str, name: &str, v: &JsValue) -> JsResult<Value> {
    match v {
        Either3::A(d) => Ok(Value::Double(*d)),
        Either3::B(b) => Ok(Value::Bool(*b)),
        Either3::C(big) => {
            let (i, lossless) = big.get_i64();
            if lossless {
                return Ok(Value::Int(i));
            }
            let (negative, u, lossless) = big.get_u64();
            if lossless && !negative {
                return Ok(Value::Uint(u));
            }
            Err(js_error(
                codes::INVALID_ARGUMENT,
                format!("{list}.{name}: a BigInt beyond the 64-bit int and uint ranges"),
            ))
        }
    }
}

fn not_a(list: &str, name: &str, given: impl std::fmt::Display, ty: Type, why: &str) -> JsError {
    js_error(
        codes::INVALID_ARGUMENT,
        format!("{list}.{name}: {given} is not a valid {ty}{why}"),
    )
}

/// A JS value as the declared type, by the core's coercion (`INVALID_ARGUMENT` naming
/// `<list>.<name>`).
pub fn coerced(list: &str, name: &str, v: &JsValue, ty: Type) -> JsResult<Value> {
    let given = from_js_value(list, name, v)?;
    coerce(given, ty).map_err(|why| not_a(list, name, given, ty, why))
}

/// A number of a packed array (booleans as 0 or 1) as the declared type, by the core's
/// coercion (`INVALID_ARGUMENT` naming `<list>.<name>`).
pub fn coerced_packed(list: &str, name: &str, x: f64, ty: Type) -> JsResult<Value> {
    coerce_packed(x, ty).map_err(|why| not_a(list, name, x, ty, why))
}

/// A JS number as a whole number from 0 to 2^53 − 1; `unit` (e.g. ` of ticks`) completes the
/// message of `INVALID_ARGUMENT`.
pub fn whole(x: f64, name: &str, unit: &str) -> JsResult<u64> {
    if x.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&x) {
        Ok(x as u64)
    } else {
        Err(js_error(
            codes::INVALID_ARGUMENT,
            format!("{name} must be a whole number{unit} ≥ 0, got {x}"),
        ))
    }
}

/// JSON text of a core output. Core outputs serialize without failing; if one ever did, the
/// caller gets `INTERNAL_PANIC` rather than a made-up value.
pub fn to_json<T: serde::Serialize>(value: &T) -> JsResult<String> {
    serde_json::to_string(value).map_err(|e| js_error(codes::INTERNAL_PANIC, e.to_string()))
}

/// A type name (`int`, `uint`, `double`, `bool`) of the variable at `path`.
pub fn type_named(path: &str, ty: &str) -> JsResult<Type> {
    Type::parse(ty).ok_or_else(|| {
        js_error(
            codes::INVALID_ARGUMENT,
            format!("{path}: '{ty}' is not one of int, uint, double, bool"),
        )
    })
}

/// Declarations from parallel name and type-name lists; `what` names the list in errors
/// (`variables`, `declarations`).
pub fn declarations(names: &[String], types: &[String], what: &str) -> JsResult<Env> {
    if types.len() != names.len() {
        return Err(js_error(
            codes::INVALID_ARGUMENT,
            format!("{} variable names but {} types", names.len(), types.len()),
        ));
    }
    let mut env = Env::new();
    for (name, ty) in names.iter().zip(types) {
        env = env.declare(name, type_named(&format!("{what}.{name}"), ty)?);
    }
    Ok(env)
}

/// Refills `snapshot` from values and a presence mask in declaration order (the first
/// `values.len()` slots; the lengths must be `expected`).
pub fn fill(
    snapshot: &mut Snapshot,
    values: &[f64],
    present: &[u8],
    expected: usize,
) -> JsResult<()> {
    if values.len() != expected || present.len() != expected {
        return Err(js_error(
            codes::INVALID_ARGUMENT,
            format!(
                "expected {expected} values and presence flags, got {} and {}",
                values.len(),
                present.len()
            ),
        ));
    }
    snapshot.clear();
    for (slot, (&x, &p)) in values.iter().zip(present).enumerate() {
        if p != 0 {
            snapshot.set_f64(slot, x).map_err(to_js)?;
        }
    }
    Ok(())
}

/// A length or index for JS: bounded by the JS array or JSON list it counts; saturates
/// rather than wraps.
pub fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
