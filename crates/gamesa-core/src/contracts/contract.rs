//! A compiled contract: every condition compiled once against the declared variables.

use super::check::{CheckResult, SkippedCondition, Violation, ViolationReason};
use super::context::Context;
use super::definition::{ConditionKind, ContractDef, VarType, VariableSpec};
use super::error::{ContractError, Problem};
use crate::allocation::config::json_path;
use crate::expr::{Env, Program, Type, Value};

/// A contract ready to check: its definition and one compiled program per condition.
/// Immutable: checks take `&self`.
#[derive(Debug, Clone)]
pub struct Contract {
    def: ContractDef,
    /// Declared variables in slot order (the order of `def.variables`, sorted by name).
    vars: Vec<(String, VariableSpec)>,
    /// A slot array holding a zero of each declared type; a check copies it, then fills the
    /// slots a condition reads.
    template: Vec<Value>,
    pre: Vec<Program>,
    post: Vec<Program>,
    invariants: Vec<Program>,
}

/// Words CEL reserves: a variable cannot be named after them (it could never be referenced).
const RESERVED: [&str; 21] = [
    "true",
    "false",
    "null",
    "in",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

impl Contract {
    /// Parses and compiles a contract from JSON text. A malformed document or a structural
    /// problem (wrong type, unknown field, missing `name`/`onViolation`) is reported at its
    /// JSON path; otherwise every problem of the definition is reported (see [`Contract::compile`]).
    pub fn from_json(text: &str) -> Result<Contract, ContractError> {
        let invalid = |problem: Problem| ContractError::Invalid {
            contract: None,
            problems: vec![problem],
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let def: ContractDef = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let mut path = json_path(e.path());
            let message = e.inner().to_string();
            // serde names a missing field at its object; name the field itself, as zod does.
            if let Some(field) = message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
            {
                path.push('.');
                path.push_str(field);
            }
            invalid(Problem::at(path, message))
        })?;
        de.end()
            .map_err(|e| invalid(Problem::at("$", format!("malformed JSON: {e}"))))?;
        Contract::compile(def)
    }

    /// Compiles a definition, reporting every problem at once: the name, each variable name,
    /// each condition (syntax, undeclared names with a suggestion, types; a condition must be
    /// `bool`), and a contract without any condition.
    pub fn compile(def: ContractDef) -> Result<Contract, ContractError> {
        let mut problems = Vec::new();
        if let Some(message) = name_problem(&def.name) {
            problems.push(Problem::at("$.name", message));
        }
        let mut env = Env::new();
        for (name, spec) in &def.variables {
            if let Some(message) = variable_name_problem(name) {
                problems.push(Problem::at(variable_path(name), message));
            }
            env = env.declare(name, spec.var_type().into());
        }
        // Slots follow declaration order, which is the map's (sorted) order.
        let vars: Vec<(String, VariableSpec)> = def
            .variables
            .iter()
            .map(|(name, spec)| (name.clone(), *spec))
            .collect();
        let template = vars.iter().map(|(_, spec)| zero(spec.var_type())).collect();

        let mut compiled: [Vec<Program>; 3] = Default::default();
        for (k, kind) in ConditionKind::ALL.into_iter().enumerate() {
            for (i, source) in def.conditions(kind).iter().enumerate() {
                let path = format!("$.{}[{i}]", kind.field());
                match Program::compile(source, &env) {
                    Ok(program) if program.result_type() == Type::Bool => compiled[k].push(program),
                    Ok(program) => problems.push(Problem::at(
                        path,
                        format!(
                            "a condition must be a bool expression, but `{source}` is {}",
                            program.result_type().as_str()
                        ),
                    )),
                    Err(e) => {
                        let mut message = e.message.clone();
                        if let Some(s) = &e.suggestion {
                            message.push_str(&format!(" (did you mean `{s}`?)"));
                        }
                        problems.push(Problem {
                            path,
                            message,
                            line: Some(e.line),
                            column: Some(e.column),
                        });
                    }
                }
            }
        }
        if def.pre.is_empty() && def.post.is_empty() && def.invariants.is_empty() {
            problems.push(Problem::at(
                "$",
                "a contract needs at least one condition in pre, post or invariants",
            ));
        }
        if !problems.is_empty() {
            return Err(ContractError::Invalid {
                contract: Some(def.name.clone()),
                problems,
            });
        }
        let [pre, post, invariants] = compiled;
        Ok(Contract {
            def,
            vars,
            template,
            pre,
            post,
            invariants,
        })
    }

    /// The contract's name.
    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// The definition it was compiled from.
    pub fn definition(&self) -> &ContractDef {
        &self.def
    }

    /// Checks every condition of one kind against `context`. Never fails: a missing required
    /// variable, a value of the wrong type and an evaluation error are violations (fail
    /// closed); a condition reading an absent optional variable is skipped.
    ///
    /// Beyond one slot array per call, a condition that holds allocates nothing: the names and
    /// values a violation reports are gathered only for a condition that does not hold.
    pub fn check(&self, kind: ConditionKind, context: &(impl Context + ?Sized)) -> CheckResult {
        let programs = match kind {
            ConditionKind::Pre => &self.pre,
            ConditionKind::Post => &self.post,
            ConditionKind::Invariant => &self.invariants,
        };
        let mut violations = Vec::new();
        let mut skipped = Vec::new();
        let mut slots = self.template.clone();
        for (index, program) in programs.iter().enumerate() {
            let mut missing = false;
            let mut invalid = false;
            let mut absent = false;
            for &slot in program.referenced_slots() {
                let (name, spec) = &self.vars[slot];
                match context.get_at(slot, name) {
                    None if spec.is_optional() => absent = true,
                    None => missing = true,
                    Some(given) => match coerce(given, spec.var_type()) {
                        Ok(value) => slots[slot] = value,
                        Err(_) => invalid = true,
                    },
                }
            }
            // Fail closed first: a missing required variable or a bad value is a violation
            // even when an optional variable is absent too.
            let reason = if missing {
                Some(ViolationReason::MissingVariable)
            } else if invalid {
                // The message is built below, with the values.
                Some(ViolationReason::InvalidValue(String::new()))
            } else if absent {
                skipped.push(SkippedCondition {
                    condition: program.source().to_string(),
                    kind,
                    index,
                    absent: self.gather(program, context).absent,
                });
                None
            } else {
                match program.eval_slots(&slots) {
                    Ok(Value::Bool(true)) => None,
                    // Compilation guarantees a bool; anything else fails closed.
                    Ok(_) => Some(ViolationReason::Failed),
                    Err(e) => Some(ViolationReason::EvalError(e)),
                }
            };
            if let Some(mut reason) = reason {
                let gathered = self.gather(program, context);
                if let (ViolationReason::InvalidValue(message), Some(first)) =
                    (&mut reason, gathered.invalid)
                {
                    *message = first;
                }
                violations.push(Violation {
                    contract: self.def.name.clone(),
                    condition: program.source().to_string(),
                    kind,
                    index,
                    reason,
                    values: gathered.values,
                    missing: gathered.missing,
                });
            }
        }
        let ok = violations.is_empty();
        CheckResult {
            ok,
            response: (!ok).then_some(self.def.on_violation),
            violations,
            skipped,
        }
    }

    /// What a condition read, for its report: present values (as converted, or as given when
    /// they do not convert), missing required and absent optional names, and the first
    /// conversion error. Referenced slots are sorted and slots are in name order, so every
    /// list is sorted by name.
    fn gather(&self, program: &Program, context: &(impl Context + ?Sized)) -> Gathered {
        let mut g = Gathered::default();
        for &slot in program.referenced_slots() {
            let (name, spec) = &self.vars[slot];
            match context.get_at(slot, name) {
                None if spec.is_optional() => g.absent.push(name.clone()),
                None => g.missing.push(name.clone()),
                Some(given) => match coerce(given, spec.var_type()) {
                    Ok(value) => g.values.push((name.clone(), value)),
                    Err(why) => {
                        g.values.push((name.clone(), given));
                        g.invalid.get_or_insert_with(|| {
                            format!(
                                "`{name}` is declared {} but the context has {given}{why}",
                                spec.var_type().as_str()
                            )
                        });
                    }
                },
            }
        }
        g
    }

    /// The declared variables in slot order (sorted by name), with their declarations.
    pub fn variables(&self) -> impl Iterator<Item = (&str, VariableSpec)> {
        self.vars.iter().map(|(name, spec)| (name.as_str(), *spec))
    }

    /// The declared variables a context must provide (the non-optional ones), sorted.
    pub fn required_variables(&self) -> impl Iterator<Item = &str> {
        self.vars
            .iter()
            .filter(|(_, spec)| !spec.is_optional())
            .map(|(name, _)| name.as_str())
    }
}

/// See [`Contract::gather`].
#[derive(Default)]
struct Gathered {
    values: Vec<(String, Value)>,
    missing: Vec<String>,
    absent: Vec<String>,
    invalid: Option<String>,
}

/// The zero of a type: what unread slots hold.
fn zero(ty: VarType) -> Value {
    match ty {
        VarType::Int => Value::Int(0),
        VarType::Uint => Value::Uint(0),
        VarType::Double => Value::Double(0.0),
        VarType::Bool => Value::Bool(false),
    }
}

/// 2^63 and 2^64 as doubles: the first values beyond `i64` and `u64`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
/// Integers up to 2^53 in magnitude convert to a double exactly.
const EXACT_IN_DOUBLE: u64 = 1 << 53;

/// The context value as the declared type, when it converts without loss; otherwise why not
/// (appended to the message). JavaScript numbers arrive as doubles: a whole double is a valid
/// `int`/`uint`, a fractional one is not.
fn coerce(given: Value, ty: VarType) -> Result<Value, &'static str> {
    match (ty, given) {
        (VarType::Double, Value::Double(_))
        | (VarType::Int, Value::Int(_))
        | (VarType::Uint, Value::Uint(_))
        | (VarType::Bool, Value::Bool(_)) => Ok(given),
        (VarType::Double, Value::Int(i)) if i.unsigned_abs() <= EXACT_IN_DOUBLE => {
            Ok(Value::Double(i as f64))
        }
        (VarType::Double, Value::Uint(u)) if u <= EXACT_IN_DOUBLE => Ok(Value::Double(u as f64)),
        (VarType::Double, Value::Int(_) | Value::Uint(_)) => {
            Err(" (beyond 2^53, not exact as a double)")
        }
        (VarType::Int, Value::Uint(u)) => i64::try_from(u)
            .map(Value::Int)
            .map_err(|_| " (beyond the int range)"),
        (VarType::Uint, Value::Int(i)) => {
            u64::try_from(i).map(Value::Uint).map_err(|_| " (negative)")
        }
        (VarType::Int, Value::Double(d)) => {
            if d.is_nan() || (d.is_finite() && d.fract() != 0.0) {
                Err(" (not a whole number)")
            } else if !(-TWO_POW_63..TWO_POW_63).contains(&d) {
                Err(" (beyond the int range)")
            } else {
                // In range and whole: the cast is exact.
                Ok(Value::Int(d as i64))
            }
        }
        (VarType::Uint, Value::Double(d)) => {
            if d.is_nan() || (d.is_finite() && d.fract() != 0.0) {
                Err(" (not a whole number)")
            } else if !(0.0..TWO_POW_64).contains(&d) {
                Err(" (beyond the uint range)")
            } else {
                Ok(Value::Uint(d as u64))
            }
        }
        (_, Value::Bool(_)) | (VarType::Bool, _) => Err(""),
    }
}

fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("the name must not be empty".to_string());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Some(format!(
            "the name `{name}` contains {c:?}: use letters, digits, `_`, `-` and `.`"
        ));
    }
    None
}

/// A variable name must be an identifier or dotted identifiers (`gpu0.temp_c`), none reserved.
fn variable_name_problem(name: &str) -> Option<String> {
    for segment in name.split('.') {
        let mut chars = segment.chars();
        let ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Some(format!(
                "`{name}` is not a variable name: use identifiers (letters, digits, `_`, not starting with a digit) joined by `.`"
            ));
        }
        if RESERVED.contains(&segment) {
            return Some(format!("`{name}` uses the reserved word `{segment}`"));
        }
    }
    None
}

fn variable_path(name: &str) -> String {
    // Variable names with dots are not identifiers: bracket them, as JSON paths do elsewhere.
    let identifier = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if identifier {
        format!("$.variables.{name}")
    } else {
        format!(
            "$.variables[{}]",
            serde_json::Value::String(name.to_string())
        )
    }
}
