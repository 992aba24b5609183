//! Binding for `gamesa_core::expr`: converts and forwards; parsing, checking and evaluation are
//! the core's. A compiled expression is a `NativeExpression`; the TypeScript wrapper
//! (`src/expr.ts`) passes the values of the variables the program reads positionally, as a
//! `Float64Array` when every value is a number or boolean (the fast path: one typed array
//! instead of a property read per variable), or as an array that may hold BigInts.
//! Results: doubles and bools as themselves, ints and uints as numbers when exact (|v| ≤ 2^53),
//! else as BigInt.
//! Exported methods spell `Result<T, JsError>` because napi-derive recognises a fallible
//! return by the name `Result`, not through an alias.

use crate::convert::{coerced, coerced_packed, declarations, to_js_value};
use crate::errors::{JsError, guard, js_error, to_js};
use gamesa_core::error::codes;
use gamesa_core::expr::{Program, Type, Value};
use napi::bindgen_prelude::{BigInt, Either3, Float64Array};
use napi_derive::napi;

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
            let env = declarations(&names, &types, "declarations")?;
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
    /// Each converts to its declared type by the core's coercion (`INVALID_ARGUMENT` when it
    /// does not: a fractional or out-of-range integer, a boolean not 0 or 1); evaluation errors
    /// have code `EXPR_EVAL`.
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
                self.slots[slot] = coerced_packed("bindings", name, values[k], *ty)?;
            }
            self.program
                .eval_slots(&self.slots)
                .map(to_js_value)
                .map_err(to_js)
        })
    }

    /// Like `evaluateNumbers`, with values that may be BigInts (64-bit ints and uints) and
    /// booleans; a number is never a boolean here.
    #[napi]
    pub fn evaluate_values(
        &mut self,
        values: Vec<Either3<f64, bool, BigInt>>,
    ) -> Result<Either3<f64, bool, BigInt>, JsError> {
        guard(|| {
            self.check_len(values.len())?;
            for (k, &slot) in self.program.referenced_slots().iter().enumerate() {
                let (name, ty) = &self.vars[k];
                self.slots[slot] = coerced("bindings", name, &values[k], *ty)?;
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
