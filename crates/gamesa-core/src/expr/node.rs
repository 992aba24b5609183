//! The compiled form: a typed tree whose node kinds are chosen at compile time, so evaluation
//! does no type dispatch where the checker knows the types. Numbers of type `T` evaluate to a
//! plain `T`, bools to `bool`; only `dyn` paths whose runtime type varies use [`Dyn`] and
//! carry a [`Value`]. Evaluation is recursive over a tree whose height the parser bounded, and
//! never allocates.

use super::error::{EvalErrorKind, EvalFault};
use super::ops::{self, Arith, Cmp, MathFn, R, Scalar};
use super::types::Value;

/// A number-valued node of static runtime type `T` (`i64`, `u64` or `f64`).
#[derive(Debug, Clone)]
pub(crate) enum Num<T: Scalar> {
    Const(T),
    Slot(u32),
    Arith(Arith, Box<Num<T>>, Box<Num<T>>),
    Neg(Box<Num<T>>),
    Abs(Box<Num<T>>),
    /// `math.least` (false) / `math.greatest` (true).
    Pick(bool, Box<[Num<T>]>),
    Clamp(Box<[Num<T>; 3]>),
    /// Only built for `f64`.
    Math(MathFn, Box<Num<T>>),
    Cond(Box<Bool>, Box<Num<T>>, Box<Num<T>>),
    /// CEL conversion (`int(x)`, ...) from a node of another type.
    Convert(Box<Node>),
    /// A `dyn` value that must be a `T` at runtime, else no overload.
    Expect(Box<Dyn>),
    Fail(EvalFault),
    /// Only built for `f64`: a subtree that cannot fail except by a bad binding.
    Pure(Box<Flt>),
}

/// Double arithmetic over constants and variables: IEEE operations never fail, so this
/// evaluates to a plain `f64` with no `Result` per node; a bad binding is flagged and turned
/// into the same error the general evaluator reports (the first bad variable read).
#[derive(Debug, Clone)]
pub(crate) enum Flt {
    Const(f64),
    Slot(u32),
    Add(Box<[Flt; 2]>),
    Sub(Box<[Flt; 2]>),
    Mul(Box<[Flt; 2]>),
    Div(Box<[Flt; 2]>),
    Neg(Box<Flt>),
    Math(MathFn, Box<Flt>),
}

impl Flt {
    /// The pure form of a double node, if it has one.
    pub(crate) fn from_num(n: Num<f64>) -> Result<Flt, Num<f64>> {
        match n {
            Num::Const(c) => Ok(Flt::Const(c)),
            Num::Slot(i) => Ok(Flt::Slot(i)),
            Num::Pure(f) => Ok(*f),
            other => Err(other),
        }
    }

    /// Wraps as a node (constants and slots stay plain nodes).
    pub(crate) fn into_num(self) -> Num<f64> {
        match self {
            Flt::Const(c) => Num::Const(c),
            Flt::Slot(i) => Num::Slot(i),
            other => Num::Pure(Box::new(other)),
        }
    }
}

fn eval_flt(n: &Flt, s: &[Value], bad: &mut bool) -> f64 {
    match n {
        Flt::Const(c) => *c,
        Flt::Slot(i) => match s.get(*i as usize) {
            Some(Value::Double(x)) => *x,
            _ => {
                *bad = true;
                0.0
            }
        },
        Flt::Add(ab) => eval_flt(&ab[0], s, bad) + eval_flt(&ab[1], s, bad),
        Flt::Sub(ab) => eval_flt(&ab[0], s, bad) - eval_flt(&ab[1], s, bad),
        Flt::Mul(ab) => eval_flt(&ab[0], s, bad) * eval_flt(&ab[1], s, bad),
        Flt::Div(ab) => eval_flt(&ab[0], s, bad) / eval_flt(&ab[1], s, bad),
        Flt::Neg(a) => -eval_flt(a, s, bad),
        Flt::Math(f, a) => f.apply(eval_flt(a, s, bad)),
    }
}

/// The fault of the first bad variable read, in evaluation order (cold path).
#[cold]
fn flt_fault(n: &Flt, s: &[Value]) -> Option<EvalFault> {
    match n {
        Flt::Const(_) => None,
        Flt::Slot(i) => slot::<f64>(s, *i).err(),
        Flt::Add(ab) | Flt::Sub(ab) | Flt::Mul(ab) | Flt::Div(ab) => {
            flt_fault(&ab[0], s).or_else(|| flt_fault(&ab[1], s))
        }
        Flt::Neg(a) | Flt::Math(_, a) => flt_fault(a, s),
    }
}

#[inline]
fn eval_pure(n: &Flt, s: &[Value]) -> R<f64> {
    let mut bad = false;
    let v = eval_flt(n, s, &mut bad);
    if bad {
        return Err(flt_fault(n, s).unwrap_or(EvalFault::binding(
            EvalErrorKind::BindingTypeMismatch,
            u32::MAX,
        )));
    }
    Ok(v)
}

/// A bool-valued node.
#[derive(Debug, Clone)]
pub(crate) enum Bool {
    Const(bool),
    Slot(u32),
    Not(Box<Bool>),
    And(Box<Bool>, Box<Bool>),
    Or(Box<Bool>, Box<Bool>),
    Cond(Box<Bool>, Box<Bool>, Box<Bool>),
    CmpInt(Cmp, Box<Num<i64>>, Box<Num<i64>>),
    CmpUint(Cmp, Box<Num<u64>>, Box<Num<u64>>),
    CmpDouble(Cmp, Box<Num<f64>>, Box<Num<f64>>),
    /// Two pure double operands.
    CmpPure(Cmp, Box<[Flt; 2]>),
    /// The commonest rule shape, `x < 0.9`, without two recursive calls.
    CmpDoubleSlotConst(Cmp, u32, f64),
    CmpBools(Cmp, Box<Bool>, Box<Bool>),
    /// Across types, or through `dyn`: by value.
    CmpDyn(Cmp, Box<Dyn>, Box<Dyn>),
    Expect(Box<Dyn>),
    Fail(EvalFault),
}

/// A node whose runtime type is only known at runtime (mixed `math.least`, `dyn` arithmetic).
#[derive(Debug, Clone)]
pub(crate) enum Dyn {
    Of(Box<Node>),
    Arith(Arith, Box<Dyn>, Box<Dyn>),
    Neg(Box<Dyn>),
    Abs(Box<Dyn>),
    Pick(bool, Box<[Dyn]>),
    Clamp(Box<[Dyn; 3]>),
    Cond(Box<Bool>, Box<Dyn>, Box<Dyn>),
    Fail(EvalFault),
}

/// Any node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Int(Num<i64>),
    Uint(Num<u64>),
    Double(Num<f64>),
    Bool(Bool),
    Dyn(Dyn),
}

#[inline(always)]
fn slot<T: Scalar>(s: &[Value], i: u32) -> R<T> {
    match s.get(i as usize) {
        Some(v) => {
            T::read(v).ok_or_else(|| EvalFault::binding(EvalErrorKind::BindingTypeMismatch, i))
        }
        None => Err(EvalFault::binding(EvalErrorKind::MissingBinding, i)),
    }
}

pub(crate) fn eval_num<T: Scalar>(n: &Num<T>, s: &[Value]) -> R<T> {
    match n {
        Num::Const(v) => Ok(*v),
        Num::Slot(i) => slot(s, *i),
        Num::Arith(op, a, b) => {
            let a = eval_num(a, s)?;
            T::arith(*op, a, eval_num(b, s)?)
        }
        Num::Neg(a) => T::neg(eval_num(a, s)?),
        Num::Abs(a) => T::abs(eval_num(a, s)?),
        Num::Pick(greatest, args) => {
            let mut acc = eval_num(&args[0], s)?;
            for a in &args[1..] {
                acc = ops::pick(*greatest, acc, eval_num(a, s)?);
            }
            Ok(acc)
        }
        Num::Clamp(a) => {
            let x = eval_num(&a[0], s)?;
            let lo = eval_num(&a[1], s)?;
            ops::clamp(x, lo, eval_num(&a[2], s)?)
        }
        Num::Math(f, a) => T::math(*f, eval_num(a, s)?),
        Num::Cond(c, t, f) => {
            if eval_bool(c, s)? {
                eval_num(t, s)
            } else {
                eval_num(f, s)
            }
        }
        Num::Convert(x) => T::convert(eval_node(x, s)?),
        Num::Expect(x) => ops::expect(eval_dyn(x, s)?),
        Num::Fail(f) => Err(*f),
        Num::Pure(f) => T::from_f64(eval_pure(f, s)?),
    }
}

pub(crate) fn eval_bool(n: &Bool, s: &[Value]) -> R<bool> {
    match n {
        Bool::Const(v) => Ok(*v),
        Bool::Slot(i) => match s.get(*i as usize) {
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(EvalFault::binding(EvalErrorKind::BindingTypeMismatch, *i)),
            None => Err(EvalFault::binding(EvalErrorKind::MissingBinding, *i)),
        },
        Bool::Not(a) => Ok(!eval_bool(a, s)?),
        // CEL's commutative error absorption: `false && error` and `error && false` are both
        // false; otherwise the (left-most) error propagates.
        Bool::And(a, b) => match eval_bool(a, s) {
            Ok(false) => Ok(false),
            Ok(true) => eval_bool(b, s),
            Err(e) => match eval_bool(b, s) {
                Ok(false) => Ok(false),
                _ => Err(e),
            },
        },
        Bool::Or(a, b) => match eval_bool(a, s) {
            Ok(true) => Ok(true),
            Ok(false) => eval_bool(b, s),
            Err(e) => match eval_bool(b, s) {
                Ok(true) => Ok(true),
                _ => Err(e),
            },
        },
        Bool::Cond(c, t, f) => {
            if eval_bool(c, s)? {
                eval_bool(t, s)
            } else {
                eval_bool(f, s)
            }
        }
        Bool::CmpInt(op, a, b) => {
            let a = eval_num(a, s)?;
            Ok(op.test(Some(a.cmp(&eval_num(b, s)?))))
        }
        Bool::CmpUint(op, a, b) => {
            let a = eval_num(a, s)?;
            Ok(op.test(Some(a.cmp(&eval_num(b, s)?))))
        }
        Bool::CmpDouble(op, a, b) => {
            let a = eval_num(a, s)?;
            Ok(op.test(a.partial_cmp(&eval_num(b, s)?)))
        }
        Bool::CmpPure(op, ab) => {
            let mut bad = false;
            let a = eval_flt(&ab[0], s, &mut bad);
            let b = eval_flt(&ab[1], s, &mut bad);
            if bad {
                return Err(flt_fault(&ab[0], s)
                    .or_else(|| flt_fault(&ab[1], s))
                    .unwrap_or(EvalFault::binding(
                        EvalErrorKind::BindingTypeMismatch,
                        u32::MAX,
                    )));
            }
            Ok(op.test(a.partial_cmp(&b)))
        }
        Bool::CmpDoubleSlotConst(op, i, c) => {
            let a: f64 = slot(s, *i)?;
            Ok(op.test(a.partial_cmp(c)))
        }
        Bool::CmpBools(op, a, b) => {
            let a = eval_bool(a, s)?;
            Ok(op.test(Some(a.cmp(&eval_bool(b, s)?))))
        }
        Bool::CmpDyn(op, a, b) => {
            let a = eval_dyn(a, s)?;
            ops::compare_values(*op, a, eval_dyn(b, s)?)
        }
        Bool::Expect(x) => match eval_dyn(x, s)? {
            Value::Bool(b) => Ok(b),
            _ => Err(ops::no_overload("bool operand")),
        },
        Bool::Fail(f) => Err(*f),
    }
}

pub(crate) fn eval_dyn(n: &Dyn, s: &[Value]) -> R<Value> {
    match n {
        Dyn::Of(x) => eval_node(x, s),
        Dyn::Arith(op, a, b) => {
            let a = eval_dyn(a, s)?;
            ops::arith_values(*op, a, eval_dyn(b, s)?)
        }
        Dyn::Neg(a) => ops::neg_value(eval_dyn(a, s)?),
        Dyn::Abs(a) => ops::abs_value(eval_dyn(a, s)?),
        Dyn::Pick(greatest, args) => {
            let op = if *greatest {
                "math.greatest"
            } else {
                "math.least"
            };
            let mut acc = eval_dyn(&args[0], s)?;
            if matches!(acc, Value::Bool(_)) {
                return Err(ops::no_overload(op));
            }
            for a in &args[1..] {
                acc = ops::pick_values(*greatest, acc, eval_dyn(a, s)?, op)?;
            }
            Ok(acc)
        }
        Dyn::Clamp(a) => {
            let x = eval_dyn(&a[0], s)?;
            let lo = eval_dyn(&a[1], s)?;
            ops::clamp_values(x, lo, eval_dyn(&a[2], s)?)
        }
        Dyn::Cond(c, t, f) => {
            if eval_bool(c, s)? {
                eval_dyn(t, s)
            } else {
                eval_dyn(f, s)
            }
        }
        Dyn::Fail(f) => Err(*f),
    }
}

pub(crate) fn eval_node(n: &Node, s: &[Value]) -> R<Value> {
    match n {
        Node::Int(x) => eval_num(x, s).map(Value::Int),
        Node::Uint(x) => eval_num(x, s).map(Value::Uint),
        Node::Double(x) => eval_num(x, s).map(Value::Double),
        Node::Bool(x) => eval_bool(x, s).map(Value::Bool),
        Node::Dyn(x) => eval_dyn(x, s),
    }
}
