//! Binding for `gamesa_core::expr`: converts and forwards; parsing, checking and evaluation are
//! the core's. A compiled expression is a `NativeExpression`; the TypeScript wrapper
//! (`src/expr.ts`) passes the values of the variables the program reads positionally, as a
//! `Float64Array` when every value is a number or boolean (the fast path: one typed array
//! instead of a property read per variable), or as an array that may hold BigInts.
//! Results: doubles and bools as themselves, ints and uints as numbers when exact (|v| ≤ 2^53),
//! else as BigInt.
//! Exported methods spell `Result<T, JsError>` because napi-derive recognises a fallible
//! return by the name `Result`, not through an alias.

use crate::errors::{JsError, guard, js_error, to_js};
use gamesa_core::error::codes;
use gamesa_core::expr::{Env, Program, Type, Value};
use napi::bindgen_prelude::{BigInt, Either3, Float64Array};
use napi_derive::napi;

/// 2^53: integers up to this magnitude are exact JavaScript numbers; beyond, they cross as BigInt.
const EXACT_IN_DOUBLE: u64 = 1 << 53;
/// 2^63 and 2^64 as doubles: the first doubles outside the int and uint ranges.
const TWO_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

fn to_js_value(v: Value) -> Either3<f64, bool, BigInt> {
    match v {
        Value::Int(i) if i.unsigned_abs() <= EXACT_IN_DOUBLE => Either3::A(i as f64),
        Value::Int(i) => Either3::C(BigInt::from(i)),
        Value::Uint(u) if u <= EXACT_IN_DOUBLE => Either3::A(u as f64),
        Value::Uint(u) => Either3::C(BigInt::from(u)),
        Value::Double(d) => Either3::A(d),
        Value::Bool(b) => Either3::B(b),
    }
}

fn invalid(name: &str, what: &str) -> JsError {
    js_error(codes::INVALID_ARGUMENT, format!("bindings.{name}: {what}"))
}

/// A JS number as a value of the declared type `ty`.
fn from_number(name: &str, ty: Type, x: f64) -> Result<Value, JsError> {
    match ty {
        Type::Double => Ok(Value::Double(x)),
        Type::Bool => Ok(Value::Bool(x != 0.0)),
        Type::Int | Type::Uint if x.fract() != 0.0 || !x.is_finite() => Err(invalid(
            name,
            &format!("{x} is not an integer (the variable is declared {ty})"),
        )),
        Type::Int if (-TWO_63..TWO_63).contains(&x) => Ok(Value::Int(x as i64)),
        Type::Uint if (0.0..TWO_64).contains(&x) => Ok(Value::Uint(x as u64)),
        _ => Err(invalid(name, &format!("{x} is out of the {ty} range"))),
    }
}

fn from_bigint(name: &str, ty: Type, big: &BigInt) -> Result<Value, JsError> {
    match ty {
        Type::Int => {
            let (i, lossless) = big.get_i64();
            if lossless {
                Ok(Value::Int(i))
            } else {
                Err(invalid(name, "BigInt out of the int range"))
            }
        }
        Type::Uint => {
            let (negative, u, lossless) = big.get_u64();
            if lossless && !negative {
                Ok(Value::Uint(u))
            } else {
                Err(invalid(name, "BigInt out of the uint range"))
            }
        }
        _ => Err(invalid(
            name,
            &format!("a BigInt cannot be bound to a {ty} variable"),
        )),
    }
}

/// A compiled expression. Use `compileExpression` from `@gamesa/core`, which wraps this.
#[napi]
pub struct NativeExpression {
    program: Program,
    /// Name and type of each variable the program reads, in slot order.
    vars: Vec<(String, Type)>,
    /// Slots indexed like the program's environment; refilled on every evaluation (no allocation).
    slots: Vec<Value>,
}

#[napi]
impl NativeExpression {
    /// Compiles `source` with variables `names[i]` of type `types[i]` (`int`, `uint`, `double`,
    /// `bool`). A compile error has code `EXPR_COMPILE` and a message starting
    /// `line L, column C:`.
    #[napi(constructor)]
    pub fn new(
        source: String,
        names: Vec<String>,
        types: Vec<String>,
    ) -> Result<NativeExpression, JsError> {
        guard(|| {
            if names.len() != types.len() {
                return Err(js_error(
                    codes::INVALID_ARGUMENT,
                    "names and types differ in length",
                ));
            }
            let mut env = Env::new();
            for (name, ty) in names.iter().zip(&types) {
                let ty = Type::parse(ty).ok_or_else(|| {
                    js_error(
                        codes::INVALID_ARGUMENT,
                        format!(
                            "declarations.{name}: '{ty}' is not one of int, uint, double, bool"
                        ),
                    )
                })?;
                env = env.declare(name, ty);
            }
            let program = Program::compile(&source, &env).map_err(to_js)?;
            let vars = program
                .variables()
                .map(|(n, t)| (n.to_string(), t))
                .collect();
            let slots =
                vec![Value::Bool(false); program.referenced_slots().last().map_or(0, |s| s + 1)];
            Ok(NativeExpression {
                program,
                vars,
                slots,
            })
        })
    }

    /// The source compiled.
    #[napi(getter)]
    pub fn source(&self) -> Result<String, JsError> {
        guard(|| Ok(self.program.source().to_string()))
    }

    /// The type of every result: `int`, `uint`, `double` or `bool`.
    #[napi(getter)]
    pub fn result_type(&self) -> Result<String, JsError> {
        guard(|| Ok(self.program.result_type().as_str().to_string()))
    }

    /// The variables the program reads, in the order evaluation takes their values.
    #[napi(getter)]
    pub fn variables(&self) -> Result<Vec<String>, JsError> {
        guard(|| Ok(self.vars.iter().map(|(n, _)| n.clone()).collect()))
    }

    /// Their declared types, parallel to `variables`.
    #[napi(getter)]
    pub fn variable_types(&self) -> Result<Vec<String>, JsError> {
        guard(|| {
            Ok(self
                .vars
                .iter()
                .map(|(_, t)| t.as_str().to_string())
                .collect())
        })
    }

    /// Evaluates with `values[k]` the value of `variables[k]`: numbers, with booleans as 0/1.
    /// Integers must be integral and in range (`INVALID_ARGUMENT`); evaluation errors have
    /// code `EXPR_EVAL`.
    #[napi]
    pub fn evaluate_numbers(
        &mut self,
        values: Float64Array,
    ) -> Result<Either3<f64, bool, BigInt>, JsError> {
        guard(|| {
            let values: &[f64] = &values;
            self.check_len(values.len())?;
            for (k, &slot) in self.program.referenced_slots().iter().enumerate() {
                let (name, ty) = &self.vars[k];
                self.slots[slot] = from_number(name, *ty, values[k])?;
            }
            self.program
                .eval_slots(&self.slots)
                .map(to_js_value)
                .map_err(to_js)
        })
    }

    /// Like `evaluateNumbers`, with values that may be BigInts (64-bit ints and uints).
    #[napi]
    pub fn evaluate_values(
        &mut self,
        values: Vec<Either3<f64, bool, BigInt>>,
    ) -> Result<Either3<f64, bool, BigInt>, JsError> {
        guard(|| {
            self.check_len(values.len())?;
            for (k, &slot) in self.program.referenced_slots().iter().enumerate() {
                let (name, ty) = &self.vars[k];
                self.slots[slot] = match (&values[k], ty) {
                    (Either3::A(x), _) => from_number(name, *ty, *x)?,
                    (Either3::B(b), Type::Bool) => Value::Bool(*b),
                    (Either3::B(_), _) => {
                        return Err(invalid(
                            name,
                            &format!("a boolean cannot be bound to a {ty} variable"),
                        ));
                    }
                    (Either3::C(big), _) => from_bigint(name, *ty, big)?,
                };
            }
            self.program
                .eval_slots(&self.slots)
                .map(to_js_value)
                .map_err(to_js)
        })
    }
}

impl NativeExpression {
    fn check_len(&self, n: usize) -> Result<(), JsError> {
        if n == self.vars.len() {
            Ok(())
        } else {
            Err(js_error(
                codes::INVALID_ARGUMENT,
                format!("expected {} values, got {n}", self.vars.len()),
            ))
        }
    }
}
