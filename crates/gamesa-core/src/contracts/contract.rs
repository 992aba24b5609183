//! A compiled contract: every condition compiled once against the declared variables.

use super::check::{CheckResult, SkippedCondition, Violation, ViolationReason};
use super::context::Context;
use super::definition::{ConditionKind, ContractDef, VarType, VariableSpec};
use super::error::{ContractError, Problem};
use super::names::{name_problem, variable_name_problem, variable_path};
use crate::expr::{Env, Program, Type, Value, coerce};

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

impl Contract {
    /// Parses and compiles a contract from JSON text. A malformed document or a structural
    /// problem (wrong type, unknown field, missing `name`/`onViolation`) is reported at its
    /// JSON path; otherwise every problem of the definition is reported (see [`Contract::compile`]).
    pub fn from_json(text: &str) -> Result<Contract, ContractError> {
        let invalid = |problem: Problem| ContractError::Invalid {
            contract: None,
            problems: vec![problem],
        };
        // A duplicate key is refused at its path, as in every other document; any other
        // problem is reported by the typed decoding below, with its line and column.
        if let Err(p) = crate::json_paths::parse_value(text)
            && p.message.contains("duplicate key")
        {
            return Err(invalid(Problem::at(p.path, p.message)));
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let def: ContractDef = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let p = crate::json_paths::decode_problem("$", &e);
            invalid(Problem::at(p.path, p.message))
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
                match Program::compile_strict(source, &env) {
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
                    Some(given) => match coerce(given, spec.var_type().into()) {
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
                Some(given) => match coerce(given, spec.var_type().into()) {
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
