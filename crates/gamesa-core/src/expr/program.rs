//! A compiled program: compile once, evaluate many times without allocating.

use super::checker::{CelTy, Checker, to_bool, to_num};
use super::env::Env;
use super::error::{CompileError, CompileErrorKind, EvalError, EvalErrorKind, EvalFault};
use super::fast::Fast;
use super::node::{Node, eval_node, first_failure, lower_node};
use super::parser::parse;
use super::types::{Type, Value};

/// A compiled, type-checked expression. Immutable; `Clone + Send + Sync`.
#[derive(Debug, Clone)]
pub struct Program {
    source: String,
    result_type: Type,
    root: Node,
    /// The root's flat form, for the shapes hot loops run most (see [`Fast`]).
    fast: Fast,
    /// Sorted, deduplicated slots read.
    referenced: Vec<usize>,
    /// Name and type of each referenced slot, parallel to `referenced`.
    vars: Vec<(String, Type)>,
    /// Where a constant part that always fails starts, and how it fails.
    constant_failure: Option<(usize, EvalFault)>,
}

impl Program {
    /// Parses, type-checks and compiles `source` against `env`: names become slots, constant
    /// subexpressions are folded (those that fail keep failing at evaluation, as in CEL).
    pub fn compile(source: &str, env: &Env) -> Result<Program, CompileError> {
        Program::build(source, env, false)
    }

    /// [`Program::compile`], and a part made of constants that fails on every evaluation
    /// ([`Program::constant_failure`]) is a compile error too: what configuration documents
    /// (rules, features, contracts) use, where such an expression is always a mistake.
    pub fn compile_strict(source: &str, env: &Env) -> Result<Program, CompileError> {
        let program = Program::compile(source, env)?;
        match program.constant_failure() {
            Some(e) => Err(e),
            None => Ok(program),
        }
    }

    /// Compiles without static type checking, as CEL's `disable_check`: every subexpression
    /// is treated as `dyn`, so what [`Program::compile`] rejects as an undeclared name or a
    /// missing overload instead fails when evaluated, and `&&`/`||` may absorb it
    /// (`false && 32` is false). Syntax errors and limits are still compile errors, and the
    /// result must still have one type. Meant for conformance testing and tooling; rules use
    /// [`Program::compile`].
    pub fn compile_unchecked(source: &str, env: &Env) -> Result<Program, CompileError> {
        Program::build(source, env, true)
    }

    fn build(source: &str, env: &Env, unchecked: bool) -> Result<Program, CompileError> {
        let ast = parse(source, env.limits())?;
        let mut checker = Checker {
            src: source,
            env,
            referenced: Default::default(),
            unchecked,
            failures: Vec::new(),
        };
        let typed = checker.check(&ast)?;
        // The result must have one type. Under `dyn` CEL may still know it (`dyn(1u) + 1` is
        // an int, or an error); only a genuinely mixed result is refused.
        let (root, result_type) = match (typed.node, typed.cel) {
            (Node::Int(n), _) => (Node::Int(n), Type::Int),
            (Node::Uint(n), _) => (Node::Uint(n), Type::Uint),
            (Node::Double(n), _) => (Node::Double(n), Type::Double),
            (Node::Bool(n), _) => (Node::Bool(n), Type::Bool),
            (n @ Node::Dyn(_), CelTy::Int) => (Node::Int(to_num(n)), Type::Int),
            (n @ Node::Dyn(_), CelTy::Uint) => (Node::Uint(to_num(n)), Type::Uint),
            (n @ Node::Dyn(_), CelTy::Double) => (Node::Double(to_num(n)), Type::Double),
            (n @ Node::Dyn(_), CelTy::Bool) => (Node::Bool(to_bool(n)), Type::Bool),
            (Node::Dyn(_), CelTy::Dyn) => {
                return Err(CompileError::at(
                    CompileErrorKind::TypeMismatch,
                    source,
                    ast.offset,
                    "the type of this expression is only known at runtime (it mixes types through dyn or math.least/greatest); convert it with int(), uint() or double()",
                ));
            }
        };
        // A failure folding left in the tree: the innermost subexpression that failed that
        // way (the first recorded with the same fault) is where it starts.
        let constant_failure = first_failure(&root).map(|fault| {
            let offset = checker
                .failures
                .iter()
                .find(|(_, f)| *f == fault)
                .map_or(ast.offset, |(o, _)| *o);
            (offset, fault)
        });
        let mut root = root;
        lower_node(&mut root);
        let fast = Fast::of(&root);
        let referenced: Vec<usize> = checker.referenced.into_iter().collect();
        let decls: Vec<(&str, Type)> = env.names().collect();
        let vars = referenced
            .iter()
            .map(|&s| (decls[s].0.to_string(), decls[s].1))
            .collect();
        Ok(Program {
            source: source.to_string(),
            result_type,
            root,
            fast,
            referenced,
            vars,
            constant_failure,
        })
    }

    /// A part of the program made of constants only that fails whenever it is evaluated
    /// (`1 / 0 > 0`, `int(1e300)`), found by constant folding, as an error at that part
    /// (kind [`CompileErrorKind::AlwaysFails`]); `None` when there is none. CEL reports such
    /// errors when evaluating, so [`Program::compile`] accepts the program; configuration
    /// documents refuse it, since such a rule or feature could never work.
    pub fn constant_failure(&self) -> Option<CompileError> {
        let (offset, fault) = self.constant_failure?;
        Some(CompileError::at(
            CompileErrorKind::AlwaysFails,
            &self.source,
            offset,
            format!(
                "this part is made of constants and fails on every evaluation: {}",
                self.describe_fault(fault)
            ),
        ))
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

    /// Name and declared type of each variable the program reads, in slot order.
    pub fn variables(&self) -> impl Iterator<Item = (&str, Type)> {
        self.vars.iter().map(|(n, t)| (n.as_str(), *t))
    }

    /// Evaluates with values given by name. Names the program does not read are ignored; a
    /// variable it reads that is missing or bound to a value of another type is an error
    /// naming it. (Allocates a slot array; use [`Program::eval_slots`] on hot paths.)
    pub fn eval_named(&self, bindings: &[(&str, Value)]) -> Result<Value, EvalError> {
        let len = self.referenced.last().map_or(0, |s| s + 1);
        let mut slots = vec![Value::Bool(false); len];
        let mut bound = vec![false; self.vars.len()];
        for (name, value) in bindings {
            if let Some(i) = self.vars.iter().position(|(n, _)| n == name) {
                let ty = self.vars[i].1;
                if value.type_of() != ty {
                    return Err(self
                        .describe_fault(EvalFault::binding(
                            EvalErrorKind::BindingTypeMismatch,
                            u32::try_from(self.referenced[i]).unwrap_or(u32::MAX),
                        ))
                        .with_found(value.type_of()));
                }
                slots[self.referenced[i]] = *value;
                bound[i] = true;
            }
        }
        if let Some(i) = bound.iter().position(|b| !b) {
            return Err(self.describe_fault(EvalFault::binding(
                EvalErrorKind::MissingBinding,
                u32::try_from(self.referenced[i]).unwrap_or(u32::MAX),
            )));
        }
        self.eval_slots(&slots)
    }

    /// Evaluates with `slots[i]` the value of the `i`-th declared variable of the `Env`
    /// compiled against. Allocates nothing unless it fails (the error's message is a
    /// `String`; [`Program::try_eval_slots`] never allocates).
    #[inline]
    pub fn eval_slots(&self, slots: &[Value]) -> Result<Value, EvalError> {
        self.try_eval_slots(slots).map_err(|f| {
            let mut e = self.describe_fault(f);
            if let (EvalErrorKind::BindingTypeMismatch, Some(v)) =
                (f.kind, f.slot.and_then(|s| slots.get(s as usize)))
            {
                e = e.with_found(v.type_of());
            }
            e
        })
    }

    /// Like [`Program::eval_slots`] but never allocates, not even on failure.
    #[inline]
    pub fn try_eval_slots(&self, slots: &[Value]) -> Result<Value, EvalFault> {
        eval_node(&self.root, slots)
    }

    /// The result as a double ([`Value::to_f64`]), `None` when evaluation fails: what
    /// `eval_slots(slots).ok().map(Value::to_f64)` gives, without allocating on failure and
    /// with a double-valued root evaluated directly (no `Value` in between). Inlined: its
    /// callers run it per bid, and a call costs as much as `x * 5.0` does.
    #[inline(always)]
    pub fn try_eval_f64(&self, slots: &[Value]) -> Option<f64> {
        match &self.root {
            Node::Double(n) => super::node::eval_double(n, slots).ok(),
            _ => self.try_eval_slots(slots).ok().map(Value::to_f64),
        }
    }

    /// The result as a double, in one step, when the program is one operation on a double
    /// variable and a constant (`x * 5.0`) and that variable is present (`presence[slot]`)
    /// and a double; `None` otherwise, and then the general way (every referenced slot
    /// present, then [`Program::try_eval_f64`]) gives the answer. Where this is `Some`, that
    /// way gives the same number.
    #[inline(always)]
    pub(crate) fn fast_f64(&self, slots: &[Value], presence: &[bool]) -> Option<f64> {
        self.fast.f64(slots, presence)
    }

    /// The root's flat form (see [`Fast`]), for loops that keep the forms of many programs
    /// in an array of their own.
    pub(crate) fn fast_form(&self) -> Fast {
        self.fast
    }

    /// The result as a bool, in one step, when the program is a comparison of a double
    /// variable with a constant, or `&&` / `||` of two such, every variable it reads is
    /// present and the ones it evaluates are doubles; `None` otherwise, and then the general
    /// way (every referenced slot present, then [`Program::try_eval_bool`]) gives the answer.
    /// Where this is `Some`, that way gives the same bool.
    #[inline(always)]
    pub(crate) fn fast_bool(&self, slots: &[Value], presence: &[bool]) -> Option<bool> {
        self.fast.bool(slots, presence)
    }

    /// Evaluates a program whose result type is bool (a rule condition) without allocating.
    /// `Ok(None)` if the result type is not bool.
    #[inline]
    pub fn try_eval_bool(&self, slots: &[Value]) -> Result<Option<bool>, EvalFault> {
        match &self.root {
            Node::Bool(b) => super::node::eval_bool_root(b, slots).map(Some),
            _ => Ok(None),
        }
    }

    /// Turns a fault from [`Program::try_eval_slots`] into an [`EvalError`] with a message.
    pub fn describe_fault(&self, fault: EvalFault) -> EvalError {
        let var = |s: Option<u32>| {
            s.and_then(|s| self.referenced.iter().position(|r| *r == s as usize))
                .map(|i| (self.vars[i].0.as_str(), self.vars[i].1))
        };
        let op = fault.operation();
        let message = match fault.kind {
            EvalErrorKind::Overflow => format!("integer overflow in '{op}'"),
            EvalErrorKind::DivisionByZero => "division by zero".to_string(),
            EvalErrorKind::ModulusByZero => "modulus by zero".to_string(),
            EvalErrorKind::Domain => format!("argument out of the domain of '{op}'"),
            EvalErrorKind::NoMatchingOverload => {
                format!("no matching overload for '{op}' at runtime")
            }
            EvalErrorKind::MissingBinding => match var(fault.slot) {
                Some((n, t)) => format!("no value for variable `{n}` ({t})"),
                None => "undeclared reference (in a program compiled unchecked)".to_string(),
            },
            EvalErrorKind::BindingTypeMismatch => match var(fault.slot) {
                Some((n, t)) => format!("variable `{n}` is declared {t} but bound to another type"),
                None => "a variable is bound to a value of another type".to_string(),
            },
        };
        EvalError {
            kind: fault.kind,
            message,
        }
    }
}

impl EvalError {
    /// Names the bound value's type in a binding-type message.
    fn with_found(mut self, found: Type) -> EvalError {
        if self.kind == EvalErrorKind::BindingTypeMismatch {
            let article = if found == Type::Int { "an" } else { "a" };
            self.message = self
                .message
                .replace("another type", &format!("{article} {found}"));
        }
        self
    }
}
