//! The expression language: a strict subset of Google's Common Expression Language (CEL,
//! cel-spec `doc/langdef.md`), compiled once and evaluated without allocation.
//!
//! See `docs/expressions.md` for the language reference and the list of deviations.

mod env;
mod error;
mod program;
mod types;

pub use env::{Env, Limits};
pub use error::{CompileError, CompileErrorKind, EvalError, EvalErrorKind, EvalFault};
pub use program::Program;
pub use types::{Type, Value};
