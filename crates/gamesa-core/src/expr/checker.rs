//! Type checking with CEL's overloads, name resolution to slots, and constant folding: turns
//! the syntax tree into the typed [`Node`] tree the evaluator runs.
//!
//! Every expression has a CEL static type ([`CelTy`], which includes `dyn`) used to accept or
//! reject it exactly as CEL's checker would, and a runtime representation (the [`Node`]
//! variant). Because every variable has a declared type, the runtime type is almost always
//! known statically even under `dyn(...)`: `dyn(1) + 1u` passes the checker (as in CEL) and
//! becomes a node that fails with no matching overload at evaluation (as in CEL). Only mixed
//! `math.least`/`math.greatest` and `dyn`-typed `?:` branches of different types need the
//! value-carrying [`Dyn`] nodes.

use super::ast::{BinOp, Expr, ExprKind, UnOp};
use super::env::Env;
use super::error::{CompileError, CompileErrorKind, EvalErrorKind, EvalFault};
use super::node::{Bool, Dyn, Flt, Node, Num, eval_node};
use super::ops::{Arith, Cmp, MathFn, Scalar};
use super::types::{Type, Value};
use std::collections::BTreeSet;

/// CEL's static types in the subset, with `dyn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CelTy {
    Int,
    Uint,
    Double,
    Bool,
    Dyn,
}

impl CelTy {
    fn name(self) -> &'static str {
        match self {
            CelTy::Int => "int",
            CelTy::Uint => "uint",
            CelTy::Double => "double",
            CelTy::Bool => "bool",
            CelTy::Dyn => "dyn",
        }
    }

    fn of(t: Type) -> CelTy {
        match t {
            Type::Int => CelTy::Int,
            Type::Uint => CelTy::Uint,
            Type::Double => CelTy::Double,
            Type::Bool => CelTy::Bool,
        }
    }

    fn is_numeric_or_dyn(self) -> bool {
        self != CelTy::Bool
    }

    /// Whether an argument of this static type may be passed where `want` is expected.
    fn fits(self, want: CelTy) -> bool {
        self == want || self == CelTy::Dyn
    }
}

/// The built-in functions (see docs/expressions.md).
pub(crate) const FUNCTIONS: [&str; 19] = [
    "dyn",
    "int",
    "uint",
    "double",
    "math.least",
    "math.greatest",
    "min",
    "max",
    "abs",
    "clamp",
    "sqrt",
    "exp",
    "ln",
    "sin",
    "cos",
    "tanh",
    "floor",
    "ceil",
    "round",
];

/// A checked expression.
pub(crate) struct Typed {
    pub node: Node,
    pub cel: CelTy,
    /// Reads no variable, so it can be folded.
    pub konst: bool,
}

/// Converts between [`Node`] and a typed [`Num`].
pub(crate) trait Family: Scalar {
    fn take(node: Node) -> Result<Num<Self>, Node>;
    fn wrap(n: Num<Self>) -> Node;
}

impl Family for i64 {
    fn take(node: Node) -> Result<Num<i64>, Node> {
        if let Node::Int(n) = node {
            Ok(n)
        } else {
            Err(node)
        }
    }
    fn wrap(n: Num<i64>) -> Node {
        Node::Int(n)
    }
}

impl Family for u64 {
    fn take(node: Node) -> Result<Num<u64>, Node> {
        if let Node::Uint(n) = node {
            Ok(n)
        } else {
            Err(node)
        }
    }
    fn wrap(n: Num<u64>) -> Node {
        Node::Uint(n)
    }
}

impl Family for f64 {
    fn take(node: Node) -> Result<Num<f64>, Node> {
        if let Node::Double(n) = node {
            Ok(n)
        } else {
            Err(node)
        }
    }
    fn wrap(n: Num<f64>) -> Node {
        Node::Double(n)
    }
}

/// The runtime family of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fam {
    Int,
    Uint,
    Double,
    Bool,
    Dyn,
}

fn fam(n: &Node) -> Fam {
    match n {
        Node::Int(_) => Fam::Int,
        Node::Uint(_) => Fam::Uint,
        Node::Double(_) => Fam::Double,
        Node::Bool(_) => Fam::Bool,
        Node::Dyn(_) => Fam::Dyn,
    }
}

pub(crate) fn to_dyn(n: Node) -> Dyn {
    match n {
        Node::Dyn(d) => d,
        other => Dyn::Of(Box::new(other)),
    }
}

pub(crate) fn to_num<T: Family>(n: Node) -> Num<T> {
    T::take(n).unwrap_or_else(|other| Num::Expect(Box::new(to_dyn(other))))
}

pub(crate) fn to_bool(n: Node) -> Bool {
    match n {
        Node::Bool(b) => b,
        other => Bool::Expect(Box::new(to_dyn(other))),
    }
}

fn const_node(v: Value) -> Node {
    match v {
        Value::Int(x) => Node::Int(Num::Const(x)),
        Value::Uint(x) => Node::Uint(Num::Const(x)),
        Value::Double(x) => Node::Double(Num::Const(x)),
        Value::Bool(x) => Node::Bool(Bool::Const(x)),
    }
}

fn is_const(n: &Node) -> bool {
    matches!(
        n,
        Node::Int(Num::Const(_))
            | Node::Uint(Num::Const(_))
            | Node::Double(Num::Const(_))
            | Node::Bool(Bool::Const(_))
    )
}

/// The fault of a node that is a folded failure.
fn failed(n: &Node) -> Option<EvalFault> {
    match n {
        Node::Int(Num::Fail(f))
        | Node::Uint(Num::Fail(f))
        | Node::Double(Num::Fail(f))
        | Node::Bool(Bool::Fail(f))
        | Node::Dyn(Dyn::Fail(f)) => Some(*f),
        _ => None,
    }
}

/// Evaluates a variable-free node now. A failing one becomes a node that fails the same way
/// at evaluation, as CEL reports such errors at evaluation, not at compile time.
fn fold(t: Typed) -> Typed {
    if !t.konst || is_const(&t.node) {
        return t;
    }
    let node = match eval_node(&t.node, &[]) {
        Ok(v) => const_node(v),
        Err(f) => match fam(&t.node) {
            Fam::Int => Node::Int(Num::Fail(f)),
            Fam::Uint => Node::Uint(Num::Fail(f)),
            Fam::Double => Node::Double(Num::Fail(f)),
            Fam::Bool => Node::Bool(Bool::Fail(f)),
            Fam::Dyn => Node::Dyn(Dyn::Fail(f)),
        },
    };
    Typed { node, ..t }
}

/// Edit distance counting an adjacent transposition as one edit (optimal string alignment),
/// for "did you mean": `falg` is one edit from `flag`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * w + j] = if i == 0 {
                j
            } else if j == 0 {
                i
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (d[(i - 1) * w + j] + 1)
                    .min(d[i * w + j - 1] + 1)
                    .min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(d[(i - 2) * w + j - 2] + 1);
                }
                best
            };
        }
    }
    d[a.len() * w + b.len()]
}

/// The closest candidate within a distance proportional to the name's length.
fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = distance(name, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

pub(crate) struct Checker<'a> {
    pub src: &'a str,
    pub env: &'a Env,
    pub referenced: BTreeSet<usize>,
    /// CEL's `disable_check`: every expression is treated as `dyn`, and what the checker
    /// would reject (an undeclared name, a call with no overload) fails at evaluation instead.
    pub unchecked: bool,
    /// Where each subexpression that folded to a failure starts, innermost first, with its
    /// fault: what [`super::Program::constant_failure`] reports.
    pub failures: Vec<(usize, EvalFault)>,
}

impl Checker<'_> {
    fn err(&self, kind: CompileErrorKind, e: &Expr, msg: impl Into<String>) -> CompileError {
        CompileError::at(kind, self.src, e.offset, msg)
    }

    fn no_overload(&self, e: &Expr, op: &str, args: &[CelTy]) -> CompileError {
        let types: Vec<&str> = args.iter().map(|t| t.name()).collect();
        self.err(
            CompileErrorKind::NoMatchingOverload,
            e,
            format!(
                "no matching overload for '{op}' applied to ({})",
                types.join(", ")
            ),
        )
    }

    pub(crate) fn check(&mut self, e: &Expr) -> Result<Typed, CompileError> {
        let checked = self.check_any(e);
        if let Ok(t) = &checked
            && let Some(fault) = failed(&t.node)
        {
            self.failures.push((e.offset, fault));
        }
        checked
    }

    fn check_any(&mut self, e: &Expr) -> Result<Typed, CompileError> {
        if !self.unchecked {
            return self.check_node(e);
        }
        match self.check_node(e) {
            Ok(t) => Ok(Typed {
                cel: CelTy::Dyn,
                ..t
            }),
            Err(err) => {
                let kind = match err.kind {
                    CompileErrorKind::UndeclaredName if matches!(e.kind, ExprKind::Ident(_)) => {
                        EvalErrorKind::MissingBinding
                    }
                    CompileErrorKind::UndeclaredName
                    | CompileErrorKind::NoMatchingOverload
                    | CompileErrorKind::TypeMismatch => EvalErrorKind::NoMatchingOverload,
                    _ => return Err(err),
                };
                Ok(Typed {
                    node: Node::Dyn(Dyn::Fail(EvalFault::op(kind, ""))),
                    cel: CelTy::Dyn,
                    konst: true,
                })
            }
        }
    }

    fn check_node(&mut self, e: &Expr) -> Result<Typed, CompileError> {
        let leaf = |node, cel| {
            Ok(Typed {
                node,
                cel,
                konst: true,
            })
        };
        match &e.kind {
            ExprKind::Int(v) => leaf(Node::Int(Num::Const(*v)), CelTy::Int),
            ExprKind::Uint(v) => leaf(Node::Uint(Num::Const(*v)), CelTy::Uint),
            ExprKind::Double(v) => leaf(Node::Double(Num::Const(*v)), CelTy::Double),
            ExprKind::Bool(v) => leaf(Node::Bool(Bool::Const(*v)), CelTy::Bool),
            ExprKind::Ident(name) => self.ident(e, name),
            ExprKind::Unary(op, x) => {
                let x = self.check(x)?;
                let t = self.unary(e, *op, x)?;
                Ok(fold(t))
            }
            ExprKind::Binary(op, l, r) => {
                let l = self.check(l)?;
                let r = self.check(r)?;
                let t = self.binary(e, *op, l, r)?;
                Ok(fold(t))
            }
            ExprKind::Cond(c, t, f) => {
                let c = self.check(c)?;
                let t = self.check(t)?;
                let f = self.check(f)?;
                self.cond(e, c, t, f)
            }
            ExprKind::Call(name, args) => {
                let mut checked = Vec::with_capacity(args.len());
                if !FUNCTIONS.contains(&name.as_str()) {
                    return Err(self.unknown_function(e, name));
                }
                for a in args {
                    checked.push(self.check(a)?);
                }
                let t = self.call(e, name, checked)?;
                Ok(fold(t))
            }
        }
    }

    fn unknown_function(&self, e: &Expr, name: &str) -> CompileError {
        if self.env.slot(name).is_some() {
            return self.err(
                CompileErrorKind::TypeMismatch,
                e,
                format!("`{name}` is a variable, not a function"),
            );
        }
        self.err(
            CompileErrorKind::UndeclaredName,
            e,
            format!("undeclared function `{name}`"),
        )
        .with_suggestion(suggest(name, FUNCTIONS.iter().copied()))
    }

    fn ident(&mut self, e: &Expr, name: &str) -> Result<Typed, CompileError> {
        let Some(slot) = self.env.slot(name) else {
            if FUNCTIONS.contains(&name) {
                return Err(self.err(
                    CompileErrorKind::Syntax,
                    e,
                    format!("`{name}` is a function; call it as `{name}(...)`"),
                ));
            }
            return Err(self
                .err(
                    CompileErrorKind::UndeclaredName,
                    e,
                    format!("undeclared reference to `{name}`"),
                )
                .with_suggestion(suggest(name, self.env.names().map(|(n, _)| n))));
        };
        let ty = self
            .env
            .names()
            .nth(slot)
            .map(|(_, t)| t)
            .unwrap_or(Type::Bool);
        let s = u32::try_from(slot)
            .map_err(|_| self.err(CompileErrorKind::TypeMismatch, e, "too many variables"))?;
        self.referenced.insert(slot);
        let node = match ty {
            Type::Int => Node::Int(Num::Slot(s)),
            Type::Uint => Node::Uint(Num::Slot(s)),
            Type::Double => Node::Double(Num::Slot(s)),
            Type::Bool => Node::Bool(Bool::Slot(s)),
        };
        Ok(Typed {
            node,
            cel: CelTy::of(ty),
            konst: false,
        })
    }

    fn unary(&self, e: &Expr, op: UnOp, x: Typed) -> Result<Typed, CompileError> {
        let konst = x.konst;
        match op {
            UnOp::Not => {
                if !x.cel.fits(CelTy::Bool) {
                    return Err(self.no_overload(e, "!_", &[x.cel]));
                }
                Ok(Typed {
                    node: Node::Bool(Bool::Not(Box::new(to_bool(x.node)))),
                    cel: CelTy::Bool,
                    konst,
                })
            }
            UnOp::Neg => {
                if !matches!(x.cel, CelTy::Int | CelTy::Double | CelTy::Dyn) {
                    return Err(self.no_overload(e, "-_", &[x.cel]));
                }
                let node = match x.node {
                    Node::Int(n) => Node::Int(Num::Neg(Box::new(n))),
                    Node::Double(n) => Node::Double(match Flt::from_num(n) {
                        Ok(f) => Flt::Neg(Box::new(f)).into_num(),
                        Err(n) => Num::Neg(Box::new(n)),
                    }),
                    other => Node::Dyn(Dyn::Neg(Box::new(to_dyn(other)))),
                };
                Ok(Typed {
                    node,
                    cel: x.cel,
                    konst,
                })
            }
        }
    }

    fn binary(&self, e: &Expr, op: BinOp, l: Typed, r: Typed) -> Result<Typed, CompileError> {
        let konst = l.konst && r.konst;
        let arith = match op {
            BinOp::Add => Some(Arith::Add),
            BinOp::Sub => Some(Arith::Sub),
            BinOp::Mul => Some(Arith::Mul),
            BinOp::Div => Some(Arith::Div),
            BinOp::Rem => Some(Arith::Rem),
            _ => None,
        };
        if let Some(a) = arith {
            let allowed: &[CelTy] = if a == Arith::Rem {
                &[CelTy::Int, CelTy::Uint]
            } else {
                &[CelTy::Int, CelTy::Uint, CelTy::Double]
            };
            let cands: Vec<CelTy> = allowed
                .iter()
                .copied()
                .filter(|t| l.cel.fits(*t) && r.cel.fits(*t))
                .collect();
            let cel = match cands.as_slice() {
                [] => return Err(self.no_overload(e, op.cel_name(), &[l.cel, r.cel])),
                [one] => *one,
                _ => CelTy::Dyn,
            };
            let node = match (l.node, r.node) {
                (Node::Int(x), Node::Int(y)) => Node::Int(Num::Arith(a, Box::new(x), Box::new(y))),
                (Node::Uint(x), Node::Uint(y)) => {
                    Node::Uint(Num::Arith(a, Box::new(x), Box::new(y)))
                }
                (Node::Double(x), Node::Double(y)) if a != Arith::Rem => {
                    Node::Double(double_arith(a, x, y))
                }
                (x, y) => Node::Dyn(Dyn::Arith(a, Box::new(to_dyn(x)), Box::new(to_dyn(y)))),
            };
            return Ok(Typed { node, cel, konst });
        }
        let cmp = match op {
            BinOp::Eq => Cmp::Eq,
            BinOp::Ne => Cmp::Ne,
            BinOp::Lt => Cmp::Lt,
            BinOp::Le => Cmp::Le,
            BinOp::Gt => Cmp::Gt,
            BinOp::Ge => Cmp::Ge,
            BinOp::And | BinOp::Or => return self.logical(e, op, l, r),
            _ => unreachable_op(),
        };
        let ok = match cmp {
            // Homogeneous at check time unless an operand is dyn.
            Cmp::Eq | Cmp::Ne => l.cel == r.cel || l.cel == CelTy::Dyn || r.cel == CelTy::Dyn,
            // Orderings: any two numeric types (cel-go's cross-type overloads), or two bools.
            _ => {
                (l.cel.is_numeric_or_dyn() && r.cel.is_numeric_or_dyn())
                    || (l.cel.fits(CelTy::Bool) && r.cel.fits(CelTy::Bool))
            }
        };
        if !ok {
            return Err(self.no_overload(e, op.cel_name(), &[l.cel, r.cel]));
        }
        let node = match (l.node, r.node) {
            (Node::Double(Num::Slot(i)), Node::Double(Num::Const(c))) => {
                Bool::CmpDoubleSlotConst(cmp, i, c)
            }
            (Node::Double(Num::Const(c)), Node::Double(Num::Slot(i))) => {
                Bool::CmpDoubleSlotConst(flip(cmp), i, c)
            }
            (Node::Int(x), Node::Int(y)) => Bool::CmpInt(cmp, Box::new(x), Box::new(y)),
            (Node::Uint(x), Node::Uint(y)) => Bool::CmpUint(cmp, Box::new(x), Box::new(y)),
            (Node::Double(x), Node::Double(y)) => match (Flt::from_num(x), Flt::from_num(y)) {
                (Ok(x), Ok(y)) => Bool::CmpPure(cmp, Box::new([x, y])),
                (x, y) => Bool::CmpDouble(
                    cmp,
                    Box::new(x.map(Flt::into_num).unwrap_or_else(|n| n)),
                    Box::new(y.map(Flt::into_num).unwrap_or_else(|n| n)),
                ),
            },
            (Node::Bool(x), Node::Bool(y)) => Bool::CmpBools(cmp, Box::new(x), Box::new(y)),
            (x, y) => Bool::CmpDyn(cmp, Box::new(to_dyn(x)), Box::new(to_dyn(y))),
        };
        Ok(Typed {
            node: Node::Bool(node),
            cel: CelTy::Bool,
            konst,
        })
    }

    fn logical(&self, e: &Expr, op: BinOp, l: Typed, r: Typed) -> Result<Typed, CompileError> {
        if !l.cel.fits(CelTy::Bool) || !r.cel.fits(CelTy::Bool) {
            return Err(self.no_overload(e, op.cel_name(), &[l.cel, r.cel]));
        }
        let and = op == BinOp::And;
        let (lk, rk) = (l.konst, r.konst);
        let (a, b) = (to_bool(l.node), to_bool(r.node));
        // A constant operand that decides the result decides it whatever the other side does
        // (errors included, by absorption); one that does not decide it drops out.
        let decisive = |x: &Bool| matches!(x, Bool::Const(v) if *v != and);
        let neutral = |x: &Bool| matches!(x, Bool::Const(v) if *v == and);
        let (node, konst) = if decisive(&a) || decisive(&b) {
            (Bool::Const(!and), true)
        } else if neutral(&a) {
            (b, rk)
        } else if neutral(&b) {
            (a, lk)
        } else if and {
            (Bool::And(Box::new(a), Box::new(b)), lk && rk)
        } else {
            (Bool::Or(Box::new(a), Box::new(b)), lk && rk)
        };
        Ok(fold(Typed {
            node: Node::Bool(node),
            cel: CelTy::Bool,
            konst,
        }))
    }

    fn cond(&self, e: &Expr, c: Typed, t: Typed, f: Typed) -> Result<Typed, CompileError> {
        if !c.cel.fits(CelTy::Bool) {
            return Err(self.err(
                CompileErrorKind::TypeMismatch,
                e,
                format!("the condition of `?:` must be bool, found {}", c.cel.name()),
            ));
        }
        let cel = if t.cel == f.cel {
            t.cel
        } else if t.cel == CelTy::Dyn || f.cel == CelTy::Dyn {
            CelTy::Dyn
        } else {
            return Err(self.no_overload(e, "_?_:_", &[c.cel, t.cel, f.cel]));
        };
        let c = to_bool(c.node);
        // A constant condition picks its branch; the other is never evaluated (`?:` is lazy).
        if let Bool::Const(v) = c {
            let chosen = if v { t } else { f };
            return Ok(Typed { cel, ..chosen });
        }
        // A non-constant condition was not folded; a failing constant one fails the whole `?:`.
        let konst = matches!(c, Bool::Fail(_));
        let c = Box::new(c);
        let node = match (t.node, f.node) {
            (Node::Int(x), Node::Int(y)) => Node::Int(Num::Cond(c, Box::new(x), Box::new(y))),
            (Node::Uint(x), Node::Uint(y)) => Node::Uint(Num::Cond(c, Box::new(x), Box::new(y))),
            (Node::Double(x), Node::Double(y)) => {
                Node::Double(Num::Cond(c, Box::new(x), Box::new(y)))
            }
            (Node::Bool(x), Node::Bool(y)) => Node::Bool(Bool::Cond(c, Box::new(x), Box::new(y))),
            (x, y) => Node::Dyn(Dyn::Cond(c, Box::new(to_dyn(x)), Box::new(to_dyn(y)))),
        };
        Ok(fold(Typed { node, cel, konst }))
    }

    fn call(&self, e: &Expr, name: &str, args: Vec<Typed>) -> Result<Typed, CompileError> {
        let konst = args.iter().all(|a| a.konst);
        let cels: Vec<CelTy> = args.iter().map(|a| a.cel).collect();
        let given = args.len();
        let arity = |n: usize| {
            if given == n {
                Ok(())
            } else {
                Err(self.err(
                    CompileErrorKind::NoMatchingOverload,
                    e,
                    format!(
                        "`{name}` takes {n} argument{}, got {given}",
                        if n == 1 { "" } else { "s" }
                    ),
                ))
            }
        };
        let mut args = args.into_iter();
        match name {
            "dyn" => {
                arity(1)?;
                let a = args
                    .next()
                    .ok_or_else(|| self.no_overload(e, name, &cels))?;
                Ok(Typed {
                    cel: CelTy::Dyn,
                    ..a
                })
            }
            "int" | "uint" | "double" => {
                arity(1)?;
                let a = args
                    .next()
                    .ok_or_else(|| self.no_overload(e, name, &cels))?;
                if !a.cel.is_numeric_or_dyn() {
                    return Err(self.no_overload(e, name, &cels));
                }
                let node = match name {
                    "int" => convert::<i64>(a.node),
                    "uint" => convert::<u64>(a.node),
                    _ => convert::<f64>(a.node),
                };
                let cel = match name {
                    "int" => CelTy::Int,
                    "uint" => CelTy::Uint,
                    _ => CelTy::Double,
                };
                Ok(Typed { node, cel, konst })
            }
            "abs" => {
                arity(1)?;
                let a = args
                    .next()
                    .ok_or_else(|| self.no_overload(e, name, &cels))?;
                if !a.cel.is_numeric_or_dyn() {
                    return Err(self.no_overload(e, name, &cels));
                }
                let node = match a.node {
                    Node::Int(n) => Node::Int(Num::Abs(Box::new(n))),
                    Node::Uint(n) => Node::Uint(Num::Abs(Box::new(n))),
                    Node::Double(n) => Node::Double(Num::Abs(Box::new(n))),
                    other => Node::Dyn(Dyn::Abs(Box::new(to_dyn(other)))),
                };
                Ok(Typed {
                    node,
                    cel: a.cel,
                    konst,
                })
            }
            "math.least" | "math.greatest" | "min" | "max" => {
                if cels.is_empty() {
                    return Err(self.err(
                        CompileErrorKind::NoMatchingOverload,
                        e,
                        format!("`{name}` needs at least one argument"),
                    ));
                }
                if !cels.iter().all(|c| c.is_numeric_or_dyn()) {
                    return Err(self.no_overload(e, name, &cels));
                }
                let greatest = matches!(name, "math.greatest" | "max");
                let cel = if cels.iter().all(|c| *c == cels[0]) {
                    cels[0]
                } else {
                    CelTy::Dyn
                };
                let nodes: Vec<Node> = args.map(|a| a.node).collect();
                let f0 = fam(&nodes[0]);
                let node = if nodes.iter().all(|n| fam(n) == f0) {
                    match f0 {
                        Fam::Int => Node::Int(Num::Pick(
                            greatest,
                            nodes.into_iter().map(to_num::<i64>).collect(),
                        )),
                        Fam::Uint => Node::Uint(Num::Pick(
                            greatest,
                            nodes.into_iter().map(to_num::<u64>).collect(),
                        )),
                        Fam::Double => Node::Double(Num::Pick(
                            greatest,
                            nodes.into_iter().map(to_num::<f64>).collect(),
                        )),
                        _ => {
                            Node::Dyn(Dyn::Pick(greatest, nodes.into_iter().map(to_dyn).collect()))
                        }
                    }
                } else {
                    Node::Dyn(Dyn::Pick(greatest, nodes.into_iter().map(to_dyn).collect()))
                };
                Ok(Typed { node, cel, konst })
            }
            "clamp" => {
                arity(3)?;
                let cands: Vec<CelTy> = [CelTy::Int, CelTy::Uint, CelTy::Double]
                    .into_iter()
                    .filter(|t| cels.iter().all(|c| c.fits(*t)))
                    .collect();
                let cel = match cands.as_slice() {
                    [] => return Err(self.no_overload(e, name, &cels)),
                    [one] => *one,
                    _ => CelTy::Dyn,
                };
                let (Some(x), Some(lo), Some(hi)) = (args.next(), args.next(), args.next()) else {
                    return Err(self.no_overload(e, name, &cels));
                };
                let node = match (x.node, lo.node, hi.node) {
                    (Node::Int(x), Node::Int(l), Node::Int(h)) => {
                        Node::Int(Num::Clamp(Box::new([x, l, h])))
                    }
                    (Node::Uint(x), Node::Uint(l), Node::Uint(h)) => {
                        Node::Uint(Num::Clamp(Box::new([x, l, h])))
                    }
                    (Node::Double(x), Node::Double(l), Node::Double(h)) => {
                        Node::Double(Num::Clamp(Box::new([x, l, h])))
                    }
                    (x, l, h) => Node::Dyn(Dyn::Clamp(Box::new([to_dyn(x), to_dyn(l), to_dyn(h)]))),
                };
                Ok(Typed { node, cel, konst })
            }
            _ => {
                let Some(f) = MathFn::parse(name) else {
                    return Err(self.unknown_function(e, name));
                };
                arity(1)?;
                let a = args
                    .next()
                    .ok_or_else(|| self.no_overload(e, name, &cels))?;
                if !a.cel.fits(CelTy::Double) {
                    return Err(self
                        .no_overload(e, name, &cels)
                        .with_suggestion(Some(format!("{name}(double(...))"))));
                }
                let node = match Flt::from_num(to_num::<f64>(a.node)) {
                    Ok(x) => Flt::Math(f, Box::new(x)).into_num(),
                    Err(n) => Num::Math(f, Box::new(n)),
                };
                Ok(Typed {
                    node: Node::Double(node),
                    cel: CelTy::Double,
                    konst,
                })
            }
        }
    }
}

/// Double arithmetic, in its pure form when both operands have one.
fn double_arith(a: Arith, x: Num<f64>, y: Num<f64>) -> Num<f64> {
    match (Flt::from_num(x), Flt::from_num(y)) {
        (Ok(x), Ok(y)) => {
            let both = Box::new([x, y]);
            match a {
                Arith::Add => Flt::Add(both),
                Arith::Sub => Flt::Sub(both),
                Arith::Mul => Flt::Mul(both),
                // `%` has no double overload and never reaches here.
                Arith::Div | Arith::Rem => Flt::Div(both),
            }
            .into_num()
        }
        (x, y) => Num::Arith(
            a,
            Box::new(x.map(Flt::into_num).unwrap_or_else(|n| n)),
            Box::new(y.map(Flt::into_num).unwrap_or_else(|n| n)),
        ),
    }
}

fn unreachable_op() -> Cmp {
    // Every BinOp is handled above; keep a total function instead of a panic.
    Cmp::Eq
}

fn flip(c: Cmp) -> Cmp {
    match c {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        other => other,
    }
}

/// `int(x)`, `uint(x)`, `double(x)`: the identity on its own type, else a conversion.
fn convert<T: Family>(n: Node) -> Node {
    match T::take(n) {
        Ok(same) => T::wrap(same),
        Err(other) => T::wrap(Num::Convert(Box::new(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_and_suggestions() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("falg", "flag"), 1);
        assert_eq!(distance("", "ab"), 2);
        assert_eq!(
            suggest("gpu0.temp", ["gpu0.temp_c", "cpu.util"].into_iter()),
            Some("gpu0.temp_c".into())
        );
        assert_eq!(suggest("zzz", ["gpu0.temp_c"].into_iter()), None);
    }
}
