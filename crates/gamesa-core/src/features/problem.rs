//! One thing wrong with a feature or rule document: which item, where (a JSON path and, inside
//! an expression, the line and column), and why. Features and rules report every problem of a
//! document at once, so a user fixes them in one pass.

use crate::expr::CompileError;
use std::fmt;

/// A problem found while loading or compiling features or rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The rule id or feature name concerned, when the item has a readable one.
    pub id: Option<String>,
    /// JSON path of the offending value, such as `$.rules[2].when`; `$` for malformed JSON.
    pub path: String,
    /// 1-based line inside the expression (for expression problems only).
    pub line: Option<u32>,
    /// 1-based column, in characters, inside the expression (for expression problems only).
    pub column: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// A problem without an expression position.
    pub fn at(id: Option<&str>, path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            id: id.map(str::to_string),
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A compile error of the expression found at `path`, with its position.
    pub fn expression(id: Option<&str>, path: impl Into<String>, e: &CompileError) -> Problem {
        let mut message = e.message.clone();
        if let Some(s) = &e.suggestion {
            message.push_str(&format!(" (did you mean `{s}`?)"));
        }
        Problem {
            id: id.map(str::to_string),
            path: path.into(),
            line: Some(e.line),
            column: Some(e.column),
            message,
        }
    }
}

impl fmt::Display for Problem {
    /// `path [id]: line L, column C: message`, leaving out what is unknown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(id) = &self.id {
            write!(f, " [{id}]")?;
        }
        f.write_str(": ")?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, "line {line}, column {column}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Writes `problems` one per line (`N problems:` first when there are several).
pub(crate) fn problem_list(f: &mut fmt::Formatter<'_>, problems: &[Problem]) -> fmt::Result {
    match problems {
        [one] => write!(f, "{one}"),
        _ => {
            write!(f, "{} problems:", problems.len())?;
            for p in problems {
                write!(f, "\n  {p}")?;
            }
            Ok(())
        }
    }
}
