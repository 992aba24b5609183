//! A compiled program: compile once, evaluate many times without allocating.

use super::env::Env;
use super::error::{CompileError, CompileErrorKind, EvalError, EvalErrorKind, EvalFault};
use super::types::{Type, Value};

/// A compiled, type-checked expression. Immutable; `Clone + Send + Sync`.
#[derive(Debug, Clone)]
pub struct Program {
    source: String,
    result_type: Type,
    names: Vec<(String, Type)>,
    referenced: Vec<usize>,
}

impl Program {
    /// Parses, type-checks and compiles `source` against `env`.
    pub fn compile(source: &str, env: &Env) -> Result<Program, CompileError> {
        let _ = env;
        Err(CompileError::at(CompileErrorKind::Syntax, source, 0, "the expression compiler is not implemented yet"))
    }

    /// The type every successful evaluation returns.
    pub fn result_type(&self) -> Type {
        self.result_type
    }

    /// The source text compiled.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Sorted, deduplicated slots (of the `Env` compiled against) the program reads.
    pub fn referenced_slots(&self) -> &[usize] {
        &self.referenced
    }

    /// Evaluates with values given by name. Names the program does not read are ignored; a
    /// variable it reads that is missing or of the wrong type is an [`EvalError`].
    pub fn eval_named(&self, bindings: &[(&str, Value)]) -> Result<Value, EvalError> {
        let _ = bindings;
        Err(self.describe_fault(EvalFault::op(EvalErrorKind::MissingBinding, "")))
    }

    /// Evaluates with `slots[i]` the value of the `i`-th declared variable. Allocates nothing
    /// unless it fails (the error message is a `String`; see [`Program::try_eval_slots`]).
    pub fn eval_slots(&self, slots: &[Value]) -> Result<Value, EvalError> {
        self.try_eval_slots(slots).map_err(|f| self.describe_fault(f))
    }

    /// Like [`Program::eval_slots`] but never allocates, not even on failure.
    pub fn try_eval_slots(&self, slots: &[Value]) -> Result<Value, EvalFault> {
        let _ = slots;
        Err(EvalFault::op(EvalErrorKind::MissingBinding, ""))
    }

    /// Turns a fault from [`Program::try_eval_slots`] into an [`EvalError`] with a message.
    pub fn describe_fault(&self, fault: EvalFault) -> EvalError {
        EvalError { kind: fault.kind, message: format!("{}: {}", fault.kind.as_str(), fault.operation) }
    }
}
