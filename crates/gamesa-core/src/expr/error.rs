//! Compile errors (with a source position) and evaluation errors.

use crate::error::ErrorCode;
use crate::error::codes;
use std::fmt;

/// What kind of compile error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompileErrorKind {
    /// Malformed source: an unexpected character or token, or a construct outside the subset.
    Syntax,
    /// A name that is neither a declared variable nor a known function.
    UndeclaredName,
    /// An operand or result of the wrong type (e.g. a non-bool condition of `?:`).
    TypeMismatch,
    /// An operator or function applied to argument types it has no overload for.
    NoMatchingOverload,
    /// A word CEL reserves (`if`, `let`, `in`, `null`, ...).
    ReservedWord,
    /// The source is longer than [`super::Limits::max_source_len`].
    TooLong,
    /// The expression nests deeper than [`super::Limits::max_depth`].
    TooDeep,
    /// An integer literal outside the range of its type.
    IntegerLiteralOutOfRange,
    /// A part made of constants only fails on every evaluation (`1 / 0`). Never returned by
    /// `Program::compile` (CEL reports it when evaluating); see `Program::constant_failure`.
    AlwaysFails,
}

/// A compile error with its position. `code()` is `EXPR_COMPILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// What went wrong, for programs.
    pub kind: CompileErrorKind,
    /// What went wrong, for people (without the position).
    pub message: String,
    /// Byte offset in the source.
    pub offset: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// For a misspelt name: the closest declared name or function.
    pub suggestion: Option<String>,
}

impl CompileError {
    /// Builds an error at byte `offset` of `source`, computing line and column.
    pub(crate) fn at(
        kind: CompileErrorKind,
        source: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> CompileError {
        let offset = offset.min(source.len());
        // Clamp to a char boundary so slicing cannot panic whatever offset we were given.
        let mut end = offset;
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        let before = &source[..end];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        CompileError {
            kind,
            message: message.into(),
            offset: end,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            suggestion: None,
        }
    }

    pub(crate) fn with_suggestion(mut self, suggestion: Option<String>) -> CompileError {
        self.suggestion = suggestion;
        self
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for CompileError {}

impl ErrorCode for CompileError {
    fn code(&self) -> &'static str {
        codes::EXPR_COMPILE
    }
}

/// What kind of evaluation error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvalErrorKind {
    /// Integer arithmetic or a conversion overflowed its type.
    Overflow,
    /// Integer division by zero.
    DivisionByZero,
    /// Integer modulus by zero.
    ModulusByZero,
    /// A variable the program reads has no value.
    MissingBinding,
    /// A variable is bound to a value of another type than declared.
    BindingTypeMismatch,
    /// A function's argument is outside its domain: `int(NaN)`, `uint(-1)`.
    Domain,
    /// At runtime an operator met types it has no overload for; only reachable through
    /// `dyn(...)`, as in CEL (`dyn(1) + 1u`).
    NoMatchingOverload,
}

impl EvalErrorKind {
    /// A stable snake_case name for the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            EvalErrorKind::Overflow => "overflow",
            EvalErrorKind::DivisionByZero => "division_by_zero",
            EvalErrorKind::ModulusByZero => "modulus_by_zero",
            EvalErrorKind::MissingBinding => "missing_binding",
            EvalErrorKind::BindingTypeMismatch => "binding_type_mismatch",
            EvalErrorKind::Domain => "domain",
            EvalErrorKind::NoMatchingOverload => "no_matching_overload",
        }
    }
}

/// An evaluation error. `code()` is `EXPR_EVAL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// What went wrong, for programs.
    pub kind: EvalErrorKind,
    /// What went wrong, for people.
    pub message: String,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

impl ErrorCode for EvalError {
    fn code(&self) -> &'static str {
        codes::EXPR_EVAL
    }
}

/// Names of the operations a fault can name; a fault stores an index into this table so that
/// it stays small (a `Result<f64, EvalFault>` fits in two registers).
const OPERATIONS: [&str; 27] = [
    "",
    "_+_",
    "_-_",
    "_*_",
    "_/_",
    "_%_",
    "-_",
    "!_",
    "_==_",
    "_!=_",
    "_<_",
    "_<=_",
    "_>_",
    "_>=_",
    "abs",
    "int",
    "uint",
    "double",
    "math",
    "clamp",
    "math.least",
    "math.greatest",
    "int operand",
    "uint operand",
    "double operand",
    "bool operand",
    "?",
];

/// An evaluation error before it is given a message: small and `Copy`, so the evaluator never
/// allocates, not even on its error path. [`super::Program::try_eval_slots`] returns it;
/// [`super::Program::describe_fault`] (or `eval_slots`) turns it into an [`EvalError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalFault {
    /// The kind of error.
    pub kind: EvalErrorKind,
    operation: u8,
    /// For binding errors: the slot concerned.
    pub slot: Option<u32>,
}

impl EvalFault {
    /// A fault of `kind` in `operation` (one of the names in `OPERATIONS`; others read `?`).
    pub(crate) fn op(kind: EvalErrorKind, operation: &'static str) -> EvalFault {
        let index = OPERATIONS
            .iter()
            .position(|o| *o == operation)
            .unwrap_or(OPERATIONS.len() - 1);
        EvalFault {
            kind,
            operation: index as u8,
            slot: None,
        }
    }

    /// A binding fault (missing or wrongly typed variable) for `slot`.
    pub(crate) const fn binding(kind: EvalErrorKind, slot: u32) -> EvalFault {
        EvalFault {
            kind,
            operation: 0,
            slot: Some(slot),
        }
    }

    /// The operator or function that failed (`"_+_"`, `"int"`), or `""` for a binding error.
    pub fn operation(&self) -> &'static str {
        OPERATIONS
            .get(usize::from(self.operation))
            .copied()
            .unwrap_or("?")
    }
}
