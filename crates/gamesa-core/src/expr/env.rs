//! Declarations a program compiles against: variable names, their types and slots, and limits.

use super::types::Type;
use std::collections::BTreeMap;

/// Compile-time limits that keep hostile input from exhausting memory or the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted source, in characters (Unicode scalar values). CEL's default: 100,000.
    pub max_source_len: usize,
    /// Deepest accepted nesting of the syntax tree (parentheses, unary operators, operands of
    /// binary operators, call arguments). cel-go's default recursion limit: 250.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_source_len: 100_000,
            max_depth: 250,
        }
    }
}

/// The variables a program may read, in slot order (slot `i` = the `i`-th declared name), plus
/// the compile limits. Names may contain dots (`gpu0.temp_c` is one variable).
#[derive(Clone, Debug, Default)]
pub struct Env {
    decls: Vec<(String, Type)>,
    index: BTreeMap<String, usize>,
    limits: Limits,
}

impl Env {
    /// An empty environment with default limits.
    pub fn new() -> Env {
        Env::default()
    }

    /// Declares `name` with type `ty`. Redeclaring a name replaces its type and keeps its slot.
    /// Whether `name` is a valid identifier path is checked when a program uses it.
    pub fn declare(mut self, name: &str, ty: Type) -> Env {
        if let Some(&slot) = self.index.get(name) {
            self.decls[slot].1 = ty;
        } else {
            self.index.insert(name.to_string(), self.decls.len());
            self.decls.push((name.to_string(), ty));
        }
        self
    }

    /// Replaces the compile limits.
    pub fn with_limits(mut self, limits: Limits) -> Env {
        self.limits = limits;
        self
    }

    /// The compile limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The slot of `name`, if declared.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The declared type of `name`.
    pub fn type_of(&self, name: &str) -> Option<Type> {
        self.slot(name).map(|s| self.decls[s].1)
    }

    /// Number of declared names (= number of slots).
    pub fn len(&self) -> usize {
        self.decls.len()
    }

    /// True when nothing is declared.
    pub fn is_empty(&self) -> bool {
        self.decls.is_empty()
    }

    /// Declarations in slot order.
    pub fn names(&self) -> impl Iterator<Item = (&str, Type)> {
        self.decls.iter().map(|(n, t)| (n.as_str(), *t))
    }
}

/// Why no expression could read a variable named `name`, or `None` when one can: a name is
/// one or more identifiers (`[A-Za-z_][A-Za-z0-9_]*`) joined by dots, the first not a reserved
/// word and none of them `true`, `false`, `null` or `in` (what the parser reads as a name).
pub fn variable_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a variable name must not be empty".to_string());
    }
    let identifier = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    for (i, segment) in name.split('.').enumerate() {
        if !identifier(segment) {
            return Some(format!(
                "variable name {name:?} is not identifiers joined by dots (letters, digits and _, not starting with a digit), so no expression can refer to it"
            ));
        }
        let keyword = matches!(segment, "true" | "false" | "null" | "in")
            || (i == 0 && super::parser::RESERVED.contains(&segment));
        if keyword {
            return Some(format!(
                "variable name {name:?} uses the reserved word `{segment}`, so no expression can refer to it"
            ));
        }
    }
    None
}

#[cfg(test)]
mod name_tests {
    use super::variable_name_problem;

    #[test]
    fn names_an_expression_can_refer_to() {
        for ok in [
            "x",
            "cpu.core0.util",
            "gpu7.temp_c",
            "wl.priority.fps",
            "_a.b_2",
            "feat.x",
        ] {
            assert_eq!(variable_name_problem(ok), None, "{ok}");
        }
        for bad in [
            "", "a b", "1x", "a..b", ".a", "a.", "a.1b", "é", "a-b", "true", "x.null", "if.x",
            "a\u{0}",
        ] {
            assert!(variable_name_problem(bad).is_some(), "{bad:?}");
        }
    }
}
