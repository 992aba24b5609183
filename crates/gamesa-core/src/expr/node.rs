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
    /// A `Pure` subtree lowered to postfix code (see [`lower_node`]).
    Code(Box<Code>),
    /// Only built for `f64`, by lowering: the commonest pure shapes, one IEEE operation on a
    /// variable and a constant (`x * 5.0`), a constant and a variable, or two variables,
    /// evaluated in place instead of running postfix code. `Rem` never occurs (not pure).
    SlotConst(Arith, u32, f64),
    ConstSlot(Arith, f64, u32),
    SlotSlot(Arith, u32, u32),
}

/// One IEEE operation, as pure double arithmetic does it.
#[inline(always)]
fn pure_arith(op: Arith, a: f64, b: f64) -> f64 {
    match op {
        Arith::Add => a + b,
        Arith::Sub => a - b,
        Arith::Mul => a * b,
        // Pure nodes have no `%`; `Rem` is never built into these variants.
        Arith::Div | Arith::Rem => a / b,
    }
}

/// The deepest operand stack postfix code may use; deeper pure subtrees stay trees.
const STACK: usize = 16;

/// One postfix instruction over a stack of doubles.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    Const(f64),
    Slot(u32),
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    Math(MathFn),
}

/// Postfix code for pure double arithmetic: a loop over a flat array with a fixed stack,
/// instead of a recursive call per node. Leaves one value per compiled operand on the stack.
#[derive(Debug, Clone)]
pub(crate) struct Code {
    ops: Box<[Op]>,
}

impl Code {
    /// Compiles `trees` in order; `None` if the stack would exceed [`STACK`].
    fn compile(trees: &[&Flt]) -> Option<Code> {
        fn emit(f: &Flt, ops: &mut Vec<Op>, depth: usize, max: &mut usize) {
            *max = (*max).max(depth + 1);
            match f {
                Flt::Const(c) => ops.push(Op::Const(*c)),
                Flt::Slot(i) => ops.push(Op::Slot(*i)),
                Flt::Add(ab) | Flt::Sub(ab) | Flt::Mul(ab) | Flt::Div(ab) => {
                    emit(&ab[0], ops, depth, max);
                    emit(&ab[1], ops, depth + 1, max);
                    ops.push(match f {
                        Flt::Add(_) => Op::Add,
                        Flt::Sub(_) => Op::Sub,
                        Flt::Mul(_) => Op::Mul,
                        _ => Op::Div,
                    });
                }
                Flt::Neg(a) => {
                    emit(a, ops, depth, max);
                    ops.push(Op::Neg);
                }
                Flt::Math(m, a) => {
                    emit(a, ops, depth, max);
                    ops.push(Op::Math(*m));
                }
            }
        }
        let mut ops = Vec::new();
        let mut max = 0;
        for (k, t) in trees.iter().enumerate() {
            emit(t, &mut ops, k, &mut max);
        }
        (max <= STACK).then(|| Code {
            ops: ops.into_boxed_slice(),
        })
    }

    /// Runs the code; the first bad variable read is the error (the same the tree evaluator
    /// reports, as both read variables left to right).
    #[inline]
    fn run(&self, s: &[Value], stack: &mut [f64; STACK]) -> R<usize> {
        let mut sp = 0usize;
        for op in self.ops.iter() {
            // `sp` stays within STACK by construction (checked in `compile`); `min` keeps every
            // index provably in bounds without a panic path mattering.
            match *op {
                Op::Const(c) => {
                    stack[sp.min(STACK - 1)] = c;
                    sp += 1;
                }
                Op::Slot(i) => {
                    stack[sp.min(STACK - 1)] = slot::<f64>(s, i)?;
                    sp += 1;
                }
                Op::Neg => {
                    let t = sp.wrapping_sub(1).min(STACK - 1);
                    stack[t] = -stack[t];
                }
                Op::Math(m) => {
                    let t = sp.wrapping_sub(1).min(STACK - 1);
                    stack[t] = m.apply(stack[t]);
                }
                binary => {
                    sp = sp.saturating_sub(1);
                    let b = stack[sp.min(STACK - 1)];
                    let t = sp.wrapping_sub(1).min(STACK - 1);
                    let a = stack[t];
                    stack[t] = match binary {
                        Op::Add => a + b,
                        Op::Sub => a - b,
                        Op::Mul => a * b,
                        _ => a / b,
                    };
                }
            }
        }
        Ok(sp)
    }
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
    /// Two pure double operands lowered to postfix code leaving both on the stack.
    CmpCode(Cmp, Box<Code>),
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
        Num::Code(c) => {
            let mut stack = [0.0; STACK];
            c.run(s, &mut stack)?;
            T::from_f64(stack[0])
        }
        // Operands are read left to right, so the first bad variable is the error, as with
        // the postfix code these replace.
        Num::SlotConst(op, i, c) => T::from_f64(pure_arith(*op, slot(s, *i)?, *c)),
        Num::ConstSlot(op, c, i) => T::from_f64(pure_arith(*op, *c, slot(s, *i)?)),
        Num::SlotSlot(op, i, j) => {
            let a = slot(s, *i)?;
            T::from_f64(pure_arith(*op, a, slot(s, *j)?))
        }
    }
}

/// A double node, with the commonest shapes (a variable, one operation on a variable and a
/// constant) evaluated in place and the rest through [`eval_num`]. Same results.
#[inline(always)]
pub(crate) fn eval_double(n: &Num<f64>, s: &[Value]) -> R<f64> {
    match n {
        Num::Slot(i) => slot(s, *i),
        Num::SlotConst(op, i, c) => Ok(pure_arith(*op, slot(s, *i)?, *c)),
        _ => eval_num(n, s),
    }
}

/// CEL's commutative error absorption: `false && error` and `error && false` are both false;
/// otherwise the (left-most) error propagates.
#[inline(always)]
fn and(a: &Bool, b: &Bool, s: &[Value]) -> R<bool> {
    match eval_operand(a, s) {
        Ok(false) => Ok(false),
        Ok(true) => eval_operand(b, s),
        Err(e) => match eval_bool(b, s) {
            Ok(false) => Ok(false),
            _ => Err(e),
        },
    }
}

/// `||` as [`and`]: `true || error` and `error || true` are both true.
#[inline(always)]
fn or(a: &Bool, b: &Bool, s: &[Value]) -> R<bool> {
    match eval_operand(a, s) {
        Ok(true) => Ok(true),
        Ok(false) => eval_operand(b, s),
        Err(e) => match eval_bool(b, s) {
            Ok(true) => Ok(true),
            _ => Err(e),
        },
    }
}

/// A bool root (a rule condition): the commonest shapes (a comparison with a constant, `&&`
/// or `||` of such) evaluated in place, the rest through [`eval_bool`]. Same results, no
/// call for the shapes rules are mostly written in.
#[inline(always)]
pub(crate) fn eval_bool_root(n: &Bool, s: &[Value]) -> R<bool> {
    match n {
        Bool::And(a, b) => and(a, b, s),
        Bool::Or(a, b) => or(a, b, s),
        _ => eval_operand(n, s),
    }
}

/// The commonest operands of `&&`, `||` and `!` (a comparison of a variable with a constant,
/// a constant) evaluated in place; anything else through [`eval_bool`]. Same results, one
/// call fewer per operand.
#[inline(always)]
fn eval_operand(n: &Bool, s: &[Value]) -> R<bool> {
    match n {
        Bool::CmpDoubleSlotConst(op, i, c) => {
            let a: f64 = slot(s, *i)?;
            Ok(op.test_f64(a, *c))
        }
        Bool::Const(v) => Ok(*v),
        _ => eval_bool(n, s),
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
        Bool::Not(a) => Ok(!eval_operand(a, s)?),
        Bool::And(a, b) => and(a, b, s),
        Bool::Or(a, b) => or(a, b, s),
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
            Ok(op.test_f64(a, eval_num(b, s)?))
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
            Ok(op.test_f64(a, b))
        }
        Bool::CmpCode(op, c) => {
            let mut stack = [0.0; STACK];
            c.run(s, &mut stack)?;
            Ok(op.test_f64(stack[0], stack[1]))
        }
        Bool::CmpDoubleSlotConst(op, i, c) => {
            let a: f64 = slot(s, *i)?;
            Ok(op.test_f64(a, *c))
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

/// The first failing constant left in a tree (in evaluation order): a part of the program
/// that fails on every evaluation that reaches it. Folding leaves one only where `&&`, `||`
/// or `?:` did not absorb it.
pub(crate) fn first_failure(n: &Node) -> Option<EvalFault> {
    match n {
        Node::Int(x) => fail_num(x),
        Node::Uint(x) => fail_num(x),
        Node::Double(x) => fail_num(x),
        Node::Bool(x) => fail_bool(x),
        Node::Dyn(x) => fail_dyn(x),
    }
}

fn fail_num<T: Scalar>(n: &Num<T>) -> Option<EvalFault> {
    match n {
        Num::Fail(f) => Some(*f),
        Num::Const(_)
        | Num::Slot(_)
        | Num::Code(_)
        | Num::SlotConst(..)
        | Num::ConstSlot(..)
        | Num::SlotSlot(..)
        | Num::Pure(_) => None,
        Num::Arith(_, a, b) => fail_num(a).or_else(|| fail_num(b)),
        Num::Neg(a) | Num::Abs(a) | Num::Math(_, a) => fail_num(a),
        Num::Pick(_, xs) => xs.iter().find_map(fail_num),
        Num::Clamp(xs) => xs.iter().find_map(fail_num),
        Num::Cond(c, t, f) => fail_bool(c).or_else(|| fail_num(t)).or_else(|| fail_num(f)),
        Num::Convert(x) => first_failure(x),
        Num::Expect(d) => fail_dyn(d),
    }
}

fn fail_bool(n: &Bool) -> Option<EvalFault> {
    match n {
        Bool::Fail(f) => Some(*f),
        Bool::Const(_) | Bool::Slot(_) | Bool::CmpDoubleSlotConst(..) | Bool::CmpCode(..) => None,
        Bool::CmpPure(..) => None,
        Bool::Not(a) => fail_bool(a),
        Bool::And(a, b) | Bool::Or(a, b) | Bool::CmpBools(_, a, b) => {
            fail_bool(a).or_else(|| fail_bool(b))
        }
        Bool::Cond(c, t, f) => fail_bool(c)
            .or_else(|| fail_bool(t))
            .or_else(|| fail_bool(f)),
        Bool::CmpInt(_, a, b) => fail_num(a).or_else(|| fail_num(b)),
        Bool::CmpUint(_, a, b) => fail_num(a).or_else(|| fail_num(b)),
        Bool::CmpDouble(_, a, b) => fail_num(a).or_else(|| fail_num(b)),
        Bool::CmpDyn(_, a, b) => fail_dyn(a).or_else(|| fail_dyn(b)),
        Bool::Expect(d) => fail_dyn(d),
    }
}

fn fail_dyn(n: &Dyn) -> Option<EvalFault> {
    match n {
        Dyn::Fail(f) => Some(*f),
        Dyn::Of(x) => first_failure(x),
        Dyn::Arith(_, a, b) => fail_dyn(a).or_else(|| fail_dyn(b)),
        Dyn::Neg(a) | Dyn::Abs(a) => fail_dyn(a),
        Dyn::Pick(_, xs) => xs.iter().find_map(fail_dyn),
        Dyn::Clamp(xs) => xs.iter().find_map(fail_dyn),
        Dyn::Cond(c, t, f) => fail_bool(c).or_else(|| fail_dyn(t)).or_else(|| fail_dyn(f)),
    }
}

/// Lowers every pure double subtree with more than one operation to postfix [`Code`].
pub(crate) fn lower_node(n: &mut Node) {
    match n {
        Node::Int(x) => lower_num(x),
        Node::Uint(x) => lower_num(x),
        Node::Double(x) => lower_num(x),
        Node::Bool(x) => lower_bool(x),
        Node::Dyn(x) => lower_dyn(x),
    }
}

fn lower_num<T: Scalar>(n: &mut Num<T>) {
    match n {
        Num::Const(_)
        | Num::Slot(_)
        | Num::Fail(_)
        | Num::Code(_)
        | Num::SlotConst(..)
        | Num::ConstSlot(..)
        | Num::SlotSlot(..) => {}
        Num::Arith(_, a, b) => {
            lower_num(a);
            lower_num(b);
        }
        Num::Neg(a) | Num::Abs(a) | Num::Math(_, a) => lower_num(a),
        Num::Pick(_, xs) => xs.iter_mut().for_each(lower_num),
        Num::Clamp(xs) => xs.iter_mut().for_each(lower_num),
        Num::Cond(c, t, f) => {
            lower_bool(c);
            lower_num(t);
            lower_num(f);
        }
        Num::Convert(x) => lower_node(x),
        Num::Expect(d) => lower_dyn(d),
        Num::Pure(f) => {
            if let Some(leaves) = leaf_op(f) {
                *n = leaves;
            } else if let Some(code) = Code::compile(&[f]) {
                *n = Num::Code(Box::new(code));
            }
        }
    }
}

/// The in-place node of one operation on two leaves, if `f` is one.
fn leaf_op<T: Scalar>(f: &Flt) -> Option<Num<T>> {
    let (op, ab) = match f {
        Flt::Add(ab) => (Arith::Add, ab),
        Flt::Sub(ab) => (Arith::Sub, ab),
        Flt::Mul(ab) => (Arith::Mul, ab),
        Flt::Div(ab) => (Arith::Div, ab),
        _ => return None,
    };
    match (&ab[0], &ab[1]) {
        (Flt::Slot(i), Flt::Const(c)) => Some(Num::SlotConst(op, *i, *c)),
        (Flt::Const(c), Flt::Slot(i)) => Some(Num::ConstSlot(op, *c, *i)),
        (Flt::Slot(i), Flt::Slot(j)) => Some(Num::SlotSlot(op, *i, *j)),
        _ => None,
    }
}

fn lower_bool(n: &mut Bool) {
    match n {
        Bool::Const(_)
        | Bool::Slot(_)
        | Bool::Fail(_)
        | Bool::CmpDoubleSlotConst(..)
        | Bool::CmpCode(..) => {}
        Bool::Not(a) => lower_bool(a),
        Bool::And(a, b) | Bool::Or(a, b) => {
            lower_bool(a);
            lower_bool(b);
        }
        Bool::Cond(c, t, f) => {
            lower_bool(c);
            lower_bool(t);
            lower_bool(f);
        }
        Bool::CmpInt(_, a, b) => {
            lower_num(a);
            lower_num(b);
        }
        Bool::CmpUint(_, a, b) => {
            lower_num(a);
            lower_num(b);
        }
        Bool::CmpDouble(_, a, b) => {
            lower_num(a);
            lower_num(b);
        }
        Bool::CmpBools(_, a, b) => {
            lower_bool(a);
            lower_bool(b);
        }
        Bool::CmpDyn(_, a, b) => {
            lower_dyn(a);
            lower_dyn(b);
        }
        Bool::Expect(d) => lower_dyn(d),
        Bool::CmpPure(op, ab) => {
            if let Some(code) = Code::compile(&[&ab[0], &ab[1]]) {
                *n = Bool::CmpCode(*op, Box::new(code));
            }
        }
    }
}

fn lower_dyn(n: &mut Dyn) {
    match n {
        Dyn::Of(x) => lower_node(x),
        Dyn::Arith(_, a, b) => {
            lower_dyn(a);
            lower_dyn(b);
        }
        Dyn::Neg(a) | Dyn::Abs(a) => lower_dyn(a),
        Dyn::Pick(_, xs) => xs.iter_mut().for_each(lower_dyn),
        Dyn::Clamp(xs) => xs.iter_mut().for_each(lower_dyn),
        Dyn::Cond(c, t, f) => {
            lower_bool(c);
            lower_dyn(t);
            lower_dyn(f);
        }
        Dyn::Fail(_) => {}
    }
}
