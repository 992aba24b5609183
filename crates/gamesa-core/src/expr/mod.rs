//! The expression language: a strict subset of Google's Common Expression Language (CEL,
//! cel-spec `doc/langdef.md`), compiled once and evaluated without allocation.
//!
//! ```
//! use gamesa_core::expr::{Env, Program, Type, Value};
//! let env = Env::new().declare("x", Type::Int).declare("gpu0.temp_c", Type::Double);
//! let program = Program::compile("x + 1 > 2 && gpu0.temp_c < 80.0", &env).unwrap();
//! let v = program.eval_named(&[("x", Value::Int(2)), ("gpu0.temp_c", Value::Double(70.0))]);
//! assert_eq!(v, Ok(Value::Bool(true)));
//! ```
//!
//! Pipeline: [`lexer`] → [`parser`] (syntax tree in [`ast`], nesting bounded by
//! [`Limits`]) → [`checker`] (CEL overloads, slots, constant folding) → [`node`] (typed tree
//! evaluated by [`Program`]). The semantics of each operator live once, in [`ops`].
//! See `docs/expressions.md` for the language reference and the deviations from CEL.

mod ast;
mod checker;
mod coerce;
mod env;
mod error;
mod fast;
mod lexer;
mod node;
mod ops;
mod parser;
mod program;
mod types;

pub use coerce::{EXACT_IN_DOUBLE, coerce, coerce_packed};
pub use env::{Env, Limits, variable_name_problem};
pub use error::{CompileError, CompileErrorKind, EvalError, EvalErrorKind, EvalFault};
pub(crate) use fast::Fast;
/// Words langdef reserves for embedding languages: never identifiers or function names.
pub use parser::RESERVED as RESERVED_WORDS;
pub use program::Program;
pub use types::{Type, Value};

/// Names of the built-in functions, for editors and error messages.
pub fn functions() -> &'static [&'static str] {
    &checker::FUNCTIONS
}

#[cfg(test)]
mod tests;
