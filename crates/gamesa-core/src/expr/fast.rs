//! Flat forms of the commonest compiled shapes, for loops that run many small programs per
//! tick (bid amounts `x * 5.0`, rule conditions `x > 0.9 && y >= 0.0`): the presence of the
//! variables, their types and the operations are checked and computed in one place, with no
//! tree to walk and no slot list to scan. Each form gives what the general way (every
//! referenced slot present, then the tree) gives, or `None` where that would fail or the
//! variables are not all doubles; callers then take the general way, which also builds the
//! error.

use super::node::{Bool, Node, Num};
use super::ops::{Arith, Cmp};
use super::types::Value;

/// The double in slot `slot` when it is present and a double.
#[inline(always)]
fn double(values: &[Value], present: &[bool], slot: u32) -> Option<f64> {
    let i = slot as usize;
    if !*present.get(i)? {
        return None;
    }
    match values.get(i)? {
        Value::Double(x) => Some(*x),
        _ => None,
    }
}

/// A double variable compared with a constant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SlotCmp {
    op: Cmp,
    slot: u32,
    c: f64,
}

impl SlotCmp {
    fn of(b: &Bool) -> Option<SlotCmp> {
        match *b {
            Bool::CmpDoubleSlotConst(op, slot, c) => Some(SlotCmp { op, slot, c }),
            _ => None,
        }
    }

    #[inline(always)]
    fn test(&self, values: &[Value], present: &[bool]) -> Option<bool> {
        Some(
            self.op
                .test_f64(double(values, present, self.slot)?, self.c),
        )
    }

    #[inline(always)]
    fn is_present(&self, present: &[bool]) -> bool {
        present.get(self.slot as usize).copied().unwrap_or(false)
    }
}

/// The flat form of a program, when it has one.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fast {
    /// No flat form: the general way only.
    None,
    /// A double result: a double variable.
    Slot(u32),
    /// A double result: one IEEE operation on a double variable and a constant.
    SlotArith(Arith, u32, f64),
    /// A bool result: a comparison of a double variable with a constant.
    Cmp(SlotCmp),
    /// `a && b` of two such comparisons.
    And(SlotCmp, SlotCmp),
    /// `a || b` of two such comparisons.
    Or(SlotCmp, SlotCmp),
}

impl Fast {
    /// The flat form of a compiled (lowered) root.
    pub(crate) fn of(root: &Node) -> Fast {
        match root {
            Node::Double(Num::Slot(slot)) => Fast::Slot(*slot),
            // `Rem` is never built into `SlotConst` (pure nodes have no `%`).
            Node::Double(Num::SlotConst(op, slot, c)) if *op != Arith::Rem => {
                Fast::SlotArith(*op, *slot, *c)
            }
            Node::Bool(b) => match b {
                Bool::And(a, b) => match (SlotCmp::of(a), SlotCmp::of(b)) {
                    (Some(a), Some(b)) => Fast::And(a, b),
                    _ => Fast::None,
                },
                Bool::Or(a, b) => match (SlotCmp::of(a), SlotCmp::of(b)) {
                    (Some(a), Some(b)) => Fast::Or(a, b),
                    _ => Fast::None,
                },
                _ => SlotCmp::of(b).map_or(Fast::None, Fast::Cmp),
            },
            _ => Fast::None,
        }
    }

    /// The double result, when this is a double form whose variable is present and a double.
    #[inline(always)]
    pub(crate) fn f64(&self, values: &[Value], present: &[bool]) -> Option<f64> {
        match *self {
            Fast::Slot(slot) => double(values, present, slot),
            Fast::SlotArith(op, slot, c) => {
                let x = double(values, present, slot)?;
                Some(match op {
                    Arith::Add => x + c,
                    Arith::Sub => x - c,
                    Arith::Mul => x * c,
                    Arith::Div | Arith::Rem => x / c,
                })
            }
            _ => None,
        }
    }

    /// The bool result, when this is a bool form, every variable it reads is present, and
    /// every one it evaluates is a double. `&&` and `||` stop at the first operand that
    /// decides (as CEL does: `false && x` is false whatever `x` holds), but both variables
    /// must be present, as the general way requires of every referenced variable.
    #[inline(always)]
    pub(crate) fn bool(&self, values: &[Value], present: &[bool]) -> Option<bool> {
        match self {
            Fast::Cmp(a) => a.test(values, present),
            Fast::And(a, b) => {
                if !b.is_present(present) {
                    return None;
                }
                if a.test(values, present)? {
                    b.test(values, present)
                } else {
                    Some(false)
                }
            }
            Fast::Or(a, b) => {
                if !b.is_present(present) {
                    return None;
                }
                if a.test(values, present)? {
                    Some(true)
                } else {
                    b.test(values, present)
                }
            }
            _ => None,
        }
    }
}
