//! The four value types of the language and their runtime values.

use std::fmt;

/// A static type of the language: CEL's `int` (i64), `uint` (u64), `double` (f64) and `bool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Type {
    /// CEL `int`: a signed 64-bit integer.
    Int,
    /// CEL `uint`: an unsigned 64-bit integer.
    Uint,
    /// CEL `double`: an IEEE 754 binary64 number.
    Double,
    /// CEL `bool`.
    Bool,
}

impl Type {
    /// The CEL name of the type (`"int"`, `"uint"`, `"double"`, `"bool"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Type::Int => "int",
            Type::Uint => "uint",
            Type::Double => "double",
            Type::Bool => "bool",
        }
    }

    /// Parses a CEL type name; `None` for anything else.
    pub fn parse(name: &str) -> Option<Type> {
        match name {
            "int" => Some(Type::Int),
            "uint" => Some(Type::Uint),
            "double" => Some(Type::Double),
            "bool" => Some(Type::Bool),
            _ => None,
        }
    }

    /// All four types, in declaration order.
    pub const ALL: [Type; 4] = [Type::Int, Type::Uint, Type::Double, Type::Bool];
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A runtime value. `PartialEq` is Rust's structural equality (so `Double(NaN) != Double(NaN)`
/// and `Int(1) != Uint(1)`); CEL's equality is what a program's `==` computes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// An `int`.
    Int(i64),
    /// A `uint`.
    Uint(u64),
    /// A `double`.
    Double(f64),
    /// A `bool`.
    Bool(bool),
}

impl Value {
    /// The type of this value.
    pub fn type_of(&self) -> Type {
        match self {
            Value::Int(_) => Type::Int,
            Value::Uint(_) => Type::Uint,
            Value::Double(_) => Type::Double,
            Value::Bool(_) => Type::Bool,
        }
    }

    /// The value as a double: numbers converted (an int beyond 2^53 rounds), a bool as 0 or 1.
    /// For results whose type was checked numeric when compiled (features, bid amounts).
    pub fn to_f64(self) -> f64 {
        match self {
            Value::Double(x) => x,
            Value::Int(i) => i as f64,
            Value::Uint(u) => u as f64,
            Value::Bool(b) => f64::from(u8::from(b)),
        }
    }
}

impl fmt::Display for Value {
    /// CEL-like rendering: `1`, `1u`, `1.5`, `true`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Uint(v) => write!(f, "{v}u"),
            Value::Double(v) => {
                if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e16 {
                    write!(f, "{v:.1}")
                } else {
                    write!(f, "{v}")
                }
            }
            Value::Bool(v) => write!(f, "{v}"),
        }
    }
}
