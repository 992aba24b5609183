//! The JSON form of a contract, as written by users and exported as `SAFETY_CONTRACT`.

use crate::expr::Type;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A contract as written: names, declared variables, conditions and the response to a violation.
/// Unknown fields are rejected, so a misspelt `invariant` cannot silently drop conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContractDef {
    /// Optional `$schema` reference, accepted so editors can attach `schemas/contract.schema.json`.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The name checks refer to: letters, digits, `_`, `-` and `.`.
    pub name: String,
    /// What the contract protects, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The variables the conditions may read, with their types (sorted by name).
    #[serde(default)]
    pub variables: BTreeMap<String, VariableSpec>,
    /// Must hold before an action is applied.
    #[serde(default)]
    pub pre: Vec<String>,
    /// Must hold after an action was applied.
    #[serde(default)]
    pub post: Vec<String>,
    /// Must hold at every check, whatever happens.
    #[serde(default)]
    pub invariants: Vec<String>,
    /// The response the engine carries out on a violation.
    pub on_violation: OnViolation,
}

impl ContractDef {
    /// The conditions of one kind, in their written order.
    pub fn conditions(&self, kind: ConditionKind) -> &[String] {
        match kind {
            ConditionKind::Pre => &self.pre,
            ConditionKind::Post => &self.post,
            ConditionKind::Invariant => &self.invariants,
        }
    }

    /// The definition as JSON text (the form `SAFETY_CONTRACT` crosses to JavaScript in).
    pub fn to_json(&self) -> String {
        // Serializing plain strings, maps and unit enums to a String cannot fail.
        serde_json::to_string(self).unwrap_or_else(|e| unreachable!("contract to JSON: {e}"))
    }
}

/// A declared variable: a type, or `{ "type": …, "optional": true }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    untagged,
    deny_unknown_fields,
    expecting = "a type (\"int\", \"uint\", \"double\", \"bool\") or { \"type\": …, \"optional\": true|false }"
)]
pub enum VariableSpec {
    /// A required variable of this type (the short form, `"double"`).
    Required(VarType),
    /// The long form, where `optional` may be set.
    Detailed {
        /// The type.
        #[serde(rename = "type")]
        ty: VarType,
        /// A context may lack this variable: conditions reading it are then skipped.
        #[serde(default)]
        optional: bool,
    },
}

impl VariableSpec {
    /// The declared type.
    pub fn var_type(&self) -> VarType {
        match *self {
            VariableSpec::Required(ty) | VariableSpec::Detailed { ty, .. } => ty,
        }
    }

    /// Whether a context may lack the variable.
    pub fn is_optional(&self) -> bool {
        matches!(self, VariableSpec::Detailed { optional: true, .. })
    }
}

/// The type of a contract variable, as written in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VarType {
    /// 64-bit signed integer.
    Int,
    /// 64-bit unsigned integer.
    Uint,
    /// IEEE 754 double (every JavaScript number).
    Double,
    /// Boolean.
    Bool,
}

impl From<VarType> for Type {
    fn from(t: VarType) -> Type {
        match t {
            VarType::Int => Type::Int,
            VarType::Uint => Type::Uint,
            VarType::Double => Type::Double,
            VarType::Bool => Type::Bool,
        }
    }
}

impl VarType {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VarType::Int => "int",
            VarType::Uint => "uint",
            VarType::Double => "double",
            VarType::Bool => "bool",
        }
    }
}

/// The self-healing response named by a violated contract (docs/architecture.md §4). Carried out by the
/// engine; a check only reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnViolation {
    /// Restore the value the action replaced.
    Rollback,
    /// Bring the value back into the contract's bounds.
    Clamp,
    /// Raise a `SafetyViolation` signal.
    Signal,
}

impl OnViolation {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            OnViolation::Rollback => "rollback",
            OnViolation::Clamp => "clamp",
            OnViolation::Signal => "signal",
        }
    }
}

impl fmt::Display for OnViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which list a condition belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConditionKind {
    /// A precondition.
    Pre,
    /// A postcondition.
    Post,
    /// An invariant.
    Invariant,
}

impl ConditionKind {
    /// All kinds, in the order of a definition.
    pub const ALL: [ConditionKind; 3] = [
        ConditionKind::Pre,
        ConditionKind::Post,
        ConditionKind::Invariant,
    ];

    /// `pre`, `post` or `invariant` (what a violation reports).
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionKind::Pre => "pre",
            ConditionKind::Post => "post",
            ConditionKind::Invariant => "invariant",
        }
    }

    /// The JSON field holding conditions of this kind (`pre`, `post`, `invariants`).
    pub fn field(self) -> &'static str {
        match self {
            ConditionKind::Pre => "pre",
            ConditionKind::Post => "post",
            ConditionKind::Invariant => "invariants",
        }
    }
}

impl fmt::Display for ConditionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
