//! The semantics of every operator and function, on plain Rust values. Shared by the
//! evaluator, constant folding and the dynamic (`dyn`) paths, so they cannot disagree.
//!
//! - Integer arithmetic is checked: overflow, division or modulus by zero, and `MIN / -1`,
//!   `MIN % -1` are errors, never a panic or a wrap.
//! - Doubles follow IEEE 754 (`1.0 / 0.0` is `+Inf`, `0.0 / 0.0` is NaN).
//! - Comparisons across int, uint and double compare by value as cel-go does: int vs uint
//!   exactly; a double vs an int or uint first checks the integer type's range, then compares
//!   in double precision (so `dyn(9223372036854775807) < 9223372036854775808.0` is false, as
//!   cel-spec's conformance suite requires).
//! - NaN is unequal to everything, itself included, and every ordering with NaN is false.

use super::error::{EvalErrorKind, EvalFault};
use super::types::{Type, Value};
use std::cmp::Ordering;

pub(crate) type R<T> = Result<T, EvalFault>;

/// `+ - * / %`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl Arith {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Arith::Add => "_+_",
            Arith::Sub => "_-_",
            Arith::Mul => "_*_",
            Arith::Div => "_/_",
            Arith::Rem => "_%_",
        }
    }
}

/// The six comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Cmp::Eq => "_==_",
            Cmp::Ne => "_!=_",
            Cmp::Lt => "_<_",
            Cmp::Le => "_<=_",
            Cmp::Gt => "_>_",
            Cmp::Ge => "_>=_",
        }
    }

    /// The result of the comparison given the order of the operands (`None`: unordered, NaN).
    #[inline(always)]
    pub(crate) fn test(self, ord: Option<Ordering>) -> bool {
        match self {
            Cmp::Eq => ord == Some(Ordering::Equal),
            Cmp::Ne => ord != Some(Ordering::Equal),
            Cmp::Lt => ord == Some(Ordering::Less),
            Cmp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
            Cmp::Gt => ord == Some(Ordering::Greater),
            Cmp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        }
    }
}

impl Cmp {
    /// `self.test(a.partial_cmp(&b))` as one IEEE comparison instead of an `Ordering` and a
    /// table jump: NaN makes every comparison false but `!=`, exactly as `test(None)` does,
    /// and -0 equals +0 in both.
    #[inline(always)]
    pub(crate) fn test_f64(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// The double-in, double-out extension functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MathFn {
    Sqrt,
    Exp,
    Ln,
    Sin,
    Cos,
    Tanh,
    Floor,
    Ceil,
    Round,
}

impl MathFn {
    pub(crate) fn parse(name: &str) -> Option<MathFn> {
        Some(match name {
            "sqrt" => MathFn::Sqrt,
            "exp" => MathFn::Exp,
            "ln" => MathFn::Ln,
            "sin" => MathFn::Sin,
            "cos" => MathFn::Cos,
            "tanh" => MathFn::Tanh,
            "floor" => MathFn::Floor,
            "ceil" => MathFn::Ceil,
            "round" => MathFn::Round,
            _ => return None,
        })
    }

    /// IEEE results, no errors: `sqrt(-1.0)` and `ln(-1.0)` are NaN, `ln(0.0)` is -Inf;
    /// `round` rounds half away from zero.
    #[inline]
    pub(crate) fn apply(self, x: f64) -> f64 {
        match self {
            MathFn::Sqrt => x.sqrt(),
            MathFn::Exp => x.exp(),
            MathFn::Ln => x.ln(),
            MathFn::Sin => x.sin(),
            MathFn::Cos => x.cos(),
            MathFn::Tanh => x.tanh(),
            MathFn::Floor => x.floor(),
            MathFn::Ceil => x.ceil(),
            MathFn::Round => x.round(),
        }
    }
}

#[cold]
#[inline(never)]
pub(crate) fn fault(kind: EvalErrorKind, op: &'static str) -> EvalFault {
    EvalFault::op(kind, op)
}

#[cold]
#[inline(never)]
pub(crate) fn no_overload(op: &'static str) -> EvalFault {
    fault(EvalErrorKind::NoMatchingOverload, op)
}

/// 2^63 as a double: the first double above `i64::MAX` (which rounds up to it).
const TWO_63: f64 = 9_223_372_036_854_775_808.0;
/// 2^64 as a double.
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

/// A number type the evaluator is specialised for.
pub(crate) trait Scalar: Copy + PartialEq + std::fmt::Debug + 'static {
    const TYPE: Type;
    fn read(v: &Value) -> Option<Self>;
    fn arith(op: Arith, a: Self, b: Self) -> R<Self>;
    fn neg(a: Self) -> R<Self>;
    fn abs(a: Self) -> R<Self>;
    fn order(a: Self, b: Self) -> Option<Ordering>;
    fn is_nan(self) -> bool {
        false
    }
    /// CEL's conversion function of this type (`int(x)`, `uint(x)`, `double(x)`).
    fn convert(v: Value) -> R<Self>;
    fn math(f: MathFn, a: Self) -> R<Self>;
    /// Only `f64` has pure nodes; the others never see one.
    fn from_f64(x: f64) -> R<Self>;
}

impl Scalar for i64 {
    const TYPE: Type = Type::Int;
    #[inline(always)]
    fn read(v: &Value) -> Option<i64> {
        if let Value::Int(x) = v {
            Some(*x)
        } else {
            None
        }
    }
    #[inline]
    fn arith(op: Arith, a: i64, b: i64) -> R<i64> {
        let r = match op {
            Arith::Add => a.checked_add(b),
            Arith::Sub => a.checked_sub(b),
            Arith::Mul => a.checked_mul(b),
            Arith::Div if b == 0 => return Err(fault(EvalErrorKind::DivisionByZero, "_/_")),
            Arith::Div => a.checked_div(b),
            Arith::Rem if b == 0 => return Err(fault(EvalErrorKind::ModulusByZero, "_%_")),
            Arith::Rem => a.checked_rem(b),
        };
        r.ok_or_else(|| fault(EvalErrorKind::Overflow, op.name()))
    }
    fn neg(a: i64) -> R<i64> {
        a.checked_neg()
            .ok_or_else(|| fault(EvalErrorKind::Overflow, "-_"))
    }
    fn abs(a: i64) -> R<i64> {
        a.checked_abs()
            .ok_or_else(|| fault(EvalErrorKind::Overflow, "abs"))
    }
    #[inline(always)]
    fn order(a: i64, b: i64) -> Option<Ordering> {
        Some(a.cmp(&b))
    }
    fn convert(v: Value) -> R<i64> {
        match v {
            Value::Int(x) => Ok(x),
            Value::Uint(x) => i64::try_from(x).map_err(|_| fault(EvalErrorKind::Overflow, "int")),
            // cel-go's range is (MIN, MAX) exclusive of both ends (langdef: "non-inclusive").
            Value::Double(d) => {
                if d.is_nan() || d <= -TWO_63 || d >= TWO_63 {
                    Err(fault(
                        if d.is_nan() {
                            EvalErrorKind::Domain
                        } else {
                            EvalErrorKind::Overflow
                        },
                        "int",
                    ))
                } else {
                    // In range, `as` truncates toward zero exactly.
                    Ok(d as i64)
                }
            }
            Value::Bool(_) => Err(no_overload("int")),
        }
    }
    fn math(_: MathFn, _: i64) -> R<i64> {
        Err(no_overload("math"))
    }
    fn from_f64(_: f64) -> R<i64> {
        Err(no_overload("double operand"))
    }
}

impl Scalar for u64 {
    const TYPE: Type = Type::Uint;
    #[inline(always)]
    fn read(v: &Value) -> Option<u64> {
        if let Value::Uint(x) = v {
            Some(*x)
        } else {
            None
        }
    }
    #[inline]
    fn arith(op: Arith, a: u64, b: u64) -> R<u64> {
        let r = match op {
            Arith::Add => a.checked_add(b),
            Arith::Sub => a.checked_sub(b),
            Arith::Mul => a.checked_mul(b),
            Arith::Div if b == 0 => return Err(fault(EvalErrorKind::DivisionByZero, "_/_")),
            Arith::Div => a.checked_div(b),
            Arith::Rem if b == 0 => return Err(fault(EvalErrorKind::ModulusByZero, "_%_")),
            Arith::Rem => a.checked_rem(b),
        };
        r.ok_or_else(|| fault(EvalErrorKind::Overflow, op.name()))
    }
    fn neg(_: u64) -> R<u64> {
        Err(no_overload("-_"))
    }
    fn abs(a: u64) -> R<u64> {
        Ok(a)
    }
    #[inline(always)]
    fn order(a: u64, b: u64) -> Option<Ordering> {
        Some(a.cmp(&b))
    }
    fn convert(v: Value) -> R<u64> {
        match v {
            Value::Int(x) => u64::try_from(x).map_err(|_| fault(EvalErrorKind::Overflow, "uint")),
            Value::Uint(x) => Ok(x),
            Value::Double(d) => {
                if d.is_nan() || !(0.0..TWO_64).contains(&d) {
                    Err(fault(
                        if d.is_nan() {
                            EvalErrorKind::Domain
                        } else {
                            EvalErrorKind::Overflow
                        },
                        "uint",
                    ))
                } else {
                    Ok(d as u64)
                }
            }
            Value::Bool(_) => Err(no_overload("uint")),
        }
    }
    fn math(_: MathFn, _: u64) -> R<u64> {
        Err(no_overload("math"))
    }
    fn from_f64(_: f64) -> R<u64> {
        Err(no_overload("double operand"))
    }
}

impl Scalar for f64 {
    const TYPE: Type = Type::Double;
    #[inline(always)]
    fn read(v: &Value) -> Option<f64> {
        if let Value::Double(x) = v {
            Some(*x)
        } else {
            None
        }
    }
    #[inline]
    fn arith(op: Arith, a: f64, b: f64) -> R<f64> {
        Ok(match op {
            Arith::Add => a + b,
            Arith::Sub => a - b,
            Arith::Mul => a * b,
            Arith::Div => a / b,
            // CEL has no `%` on doubles; the checker never builds it.
            Arith::Rem => return Err(no_overload("_%_")),
        })
    }
    fn neg(a: f64) -> R<f64> {
        Ok(-a)
    }
    fn abs(a: f64) -> R<f64> {
        Ok(a.abs())
    }
    #[inline(always)]
    fn order(a: f64, b: f64) -> Option<Ordering> {
        a.partial_cmp(&b)
    }
    fn is_nan(self) -> bool {
        self.is_nan()
    }
    fn convert(v: Value) -> R<f64> {
        match v {
            Value::Int(x) => Ok(x as f64),
            Value::Uint(x) => Ok(x as f64),
            Value::Double(d) => Ok(d),
            Value::Bool(_) => Err(no_overload("double")),
        }
    }
    fn math(f: MathFn, a: f64) -> R<f64> {
        Ok(f.apply(a))
    }
    #[inline(always)]
    fn from_f64(x: f64) -> R<f64> {
        Ok(x)
    }
}

/// Order of a double and an int, as cel-go's `compareDoubleInt`.
fn order_double_int(d: f64, i: i64) -> Option<Ordering> {
    if d.is_nan() {
        None
    } else if d < -TWO_63 {
        Some(Ordering::Less)
    } else if d > TWO_63 {
        Some(Ordering::Greater)
    } else {
        d.partial_cmp(&(i as f64))
    }
}

/// Order of a double and a uint, as cel-go's `compareDoubleUint`.
fn order_double_uint(d: f64, u: u64) -> Option<Ordering> {
    if d.is_nan() {
        None
    } else if d < 0.0 {
        Some(Ordering::Less)
    } else if d > TWO_64 {
        Some(Ordering::Greater)
    } else {
        d.partial_cmp(&(u as f64))
    }
}

/// Order of an int and a uint: exact.
fn order_int_uint(i: i64, u: u64) -> Ordering {
    match u64::try_from(i) {
        Ok(i) => i.cmp(&u),
        Err(_) => Ordering::Less,
    }
}

/// Order of two values of any numeric types (or two bools); `Err` when CEL has no ordering
/// between their types; `Ok(None)` when a NaN makes them unordered.
pub(crate) fn order_values(a: Value, b: Value, op: &'static str) -> R<Option<Ordering>> {
    use Value::*;
    Ok(match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(&y)),
        (Uint(x), Uint(y)) => Some(x.cmp(&y)),
        (Double(x), Double(y)) => x.partial_cmp(&y),
        (Bool(x), Bool(y)) => Some(x.cmp(&y)),
        (Int(x), Uint(y)) => Some(order_int_uint(x, y)),
        (Uint(x), Int(y)) => Some(order_int_uint(y, x).reverse()),
        (Double(x), Int(y)) => order_double_int(x, y),
        (Int(x), Double(y)) => order_double_int(y, x).map(Ordering::reverse),
        (Double(x), Uint(y)) => order_double_uint(x, y),
        (Uint(x), Double(y)) => order_double_uint(y, x).map(Ordering::reverse),
        _ => return Err(no_overload(op)),
    })
}

/// A comparison on values of any types: numbers compare by value across types; `==`/`!=`
/// between a bool and a number is simply false/true (CEL's heterogeneous equality); an
/// ordering between them has no overload.
pub(crate) fn compare_values(op: Cmp, a: Value, b: Value) -> R<bool> {
    match order_values(a, b, op.name()) {
        Ok(ord) => Ok(op.test(ord)),
        Err(e) => match op {
            Cmp::Eq => Ok(false),
            Cmp::Ne => Ok(true),
            _ => Err(e),
        },
    }
}

/// Arithmetic on values: both operands must have the same numeric type (CEL has no implicit
/// conversions), else no overload.
pub(crate) fn arith_values(op: Arith, a: Value, b: Value) -> R<Value> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => i64::arith(op, x, y).map(Int),
        (Uint(x), Uint(y)) => u64::arith(op, x, y).map(Uint),
        (Double(x), Double(y)) if op != Arith::Rem => f64::arith(op, x, y).map(Double),
        _ => Err(no_overload(op.name())),
    }
}

pub(crate) fn neg_value(a: Value) -> R<Value> {
    match a {
        Value::Int(x) => i64::neg(x).map(Value::Int),
        Value::Double(x) => Ok(Value::Double(-x)),
        _ => Err(no_overload("-_")),
    }
}

pub(crate) fn abs_value(a: Value) -> R<Value> {
    match a {
        Value::Int(x) => <i64 as Scalar>::abs(x).map(Value::Int),
        Value::Uint(x) => Ok(Value::Uint(x)),
        Value::Double(x) => Ok(Value::Double(x.abs())),
        Value::Bool(_) => Err(no_overload("abs")),
    }
}

/// `math.least` (`greatest == false`) / `math.greatest` over values of mixed numeric types.
/// A NaN argument makes the result NaN; on ties the earlier argument wins.
pub(crate) fn pick_values(greatest: bool, acc: Value, next: Value, op: &'static str) -> R<Value> {
    if matches!(acc, Value::Double(d) if d.is_nan()) {
        return Ok(acc);
    }
    if matches!(next, Value::Double(d) if d.is_nan()) {
        if matches!(acc, Value::Bool(_)) {
            return Err(no_overload(op));
        }
        return Ok(next);
    }
    let ord = order_values(next, acc, op)?;
    let better = if greatest {
        ord == Some(Ordering::Greater)
    } else {
        ord == Some(Ordering::Less)
    };
    if matches!(acc, Value::Bool(_)) || matches!(next, Value::Bool(_)) {
        return Err(no_overload(op));
    }
    Ok(if better { next } else { acc })
}

/// Typed `math.least`/`math.greatest` step with the same NaN and tie rules.
#[inline]
pub(crate) fn pick<T: Scalar>(greatest: bool, acc: T, next: T) -> T {
    if acc.is_nan() {
        return acc;
    }
    if next.is_nan() {
        return next;
    }
    let ord = T::order(next, acc);
    let better = if greatest {
        ord == Some(Ordering::Greater)
    } else {
        ord == Some(Ordering::Less)
    };
    if better { next } else { acc }
}

/// `clamp(x, lo, hi)`: `lo > hi` (or a NaN bound) is a domain error; a NaN `x` stays NaN.
#[inline]
pub(crate) fn clamp<T: Scalar>(x: T, lo: T, hi: T) -> R<T> {
    if !matches!(T::order(lo, hi), Some(Ordering::Less | Ordering::Equal)) {
        return Err(fault(EvalErrorKind::Domain, "clamp"));
    }
    Ok(if T::order(x, lo) == Some(Ordering::Less) {
        lo
    } else if T::order(x, hi) == Some(Ordering::Greater) {
        hi
    } else {
        x
    })
}

pub(crate) fn clamp_values(x: Value, lo: Value, hi: Value) -> R<Value> {
    use Value::*;
    match (x, lo, hi) {
        (Int(x), Int(l), Int(h)) => clamp(x, l, h).map(Int),
        (Uint(x), Uint(l), Uint(h)) => clamp(x, l, h).map(Uint),
        (Double(x), Double(l), Double(h)) => clamp(x, l, h).map(Double),
        _ => Err(no_overload("clamp")),
    }
}

/// A value of type `ty`, or a no-overload fault (the runtime side of `dyn`).
pub(crate) fn expect<T: Scalar>(v: Value) -> R<T> {
    T::read(&v).ok_or_else(|| {
        no_overload(match T::TYPE {
            Type::Int => "int operand",
            Type::Uint => "uint operand",
            Type::Double => "double operand",
            Type::Bool => "bool operand",
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Value::*;

    #[test]
    fn integer_edges() {
        assert_eq!(
            i64::arith(Arith::Div, i64::MIN, -1).unwrap_err().kind,
            EvalErrorKind::Overflow
        );
        assert_eq!(
            i64::arith(Arith::Rem, i64::MIN, -1).unwrap_err().kind,
            EvalErrorKind::Overflow
        );
        assert_eq!(
            i64::arith(Arith::Div, 1, 0).unwrap_err().kind,
            EvalErrorKind::DivisionByZero
        );
        assert_eq!(
            u64::arith(Arith::Rem, 1, 0).unwrap_err().kind,
            EvalErrorKind::ModulusByZero
        );
        assert_eq!(i64::arith(Arith::Rem, -3, 5), Ok(-3));
        assert_eq!(
            u64::arith(Arith::Sub, 0, 1).unwrap_err().kind,
            EvalErrorKind::Overflow
        );
        assert!(<i64 as Scalar>::abs(i64::MIN).is_err());
    }

    #[test]
    fn conversions() {
        assert_eq!(i64::convert(Double(-1.9)), Ok(-1));
        assert!(i64::convert(Double(-9_223_372_036_854_775_808.0)).is_err());
        assert!(i64::convert(Double(9_223_372_036_854_775_808.0)).is_err());
        assert_eq!(
            i64::convert(Double(f64::NAN)).unwrap_err().kind,
            EvalErrorKind::Domain
        );
        assert!(u64::convert(Int(-1)).is_err());
        assert!(u64::convert(Double(-0.5)).is_err());
        assert_eq!(u64::convert(Double(-0.0)), Ok(0));
        assert!(i64::convert(Uint(1 << 63)).is_err());
        assert_eq!(
            f64::convert(Uint(u64::MAX)),
            Ok(18_446_744_073_709_551_616.0)
        );
    }

    #[test]
    fn cross_type_order_as_cel_go() {
        let lt = |a, b| compare_values(Cmp::Lt, a, b).unwrap();
        assert!(lt(Int(1), Uint(9_223_372_036_854_775_808)));
        assert!(lt(Int(-1), Uint(0)));
        assert!(!lt(Int(i64::MAX), Double(9_223_372_036_854_775_808.0)));
        assert!(lt(Int(i64::MAX), Double(9_223_372_036_854_777_857.0)));
        assert!(!lt(Int(i64::MIN), Double(-9_223_372_036_854_775_809.0)));
        assert!(!lt(Uint(u64::MAX), Double(-1.0)));
        assert!(lt(Uint(u64::MAX), Double(18_446_744_073_709_590_000.0)));
        assert!(!lt(Double(18_446_744_073_709_553_665.0), Uint(u64::MAX)));
        assert!(!lt(Double(9_223_372_036_854_775_808.0), Int(i64::MAX)));
        assert!(!lt(Double(f64::NAN), Int(1)));
        assert!(!compare_values(Cmp::Eq, Int(1), Double(f64::NAN)).unwrap());
        assert!(compare_values(Cmp::Ne, Bool(true), Int(1)).unwrap());
        assert!(compare_values(Cmp::Lt, Bool(true), Int(1)).is_err());
        assert!(lt(Bool(false), Bool(true)));
    }

    #[test]
    fn least_and_clamp() {
        assert_eq!(
            pick_values(false, Int(1), Double(0.5), "least"),
            Ok(Double(0.5))
        );
        assert_eq!(pick_values(false, Int(1), Double(1.0), "least"), Ok(Int(1)));
        assert!(pick(true, 1.0, f64::NAN).is_nan());
        assert_eq!(clamp(5i64, 0, 3), Ok(3));
        assert!(clamp(1i64, 3, 0).is_err());
        assert!(clamp(f64::NAN, 0.0, 1.0).unwrap().is_nan());
    }
}
