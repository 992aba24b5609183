//! The individual checks of the gate, as pure functions: each returns why it failed.

use super::compiled::{CompiledBound, CompiledKind};
use super::config::ValueMode;
use super::reason::RejectReason;
use super::text::NumberTexts;
use crate::PerResource;
use crate::contracts::Context;
use crate::expr::Value;
use crate::rules::ParamValue;
use std::collections::BTreeMap;

/// A failed check: the reason code and a message with the numbers involved.
pub type Fail = (RejectReason, String);

fn fail<T>(reason: RejectReason, message: String) -> Result<T, Fail> {
    Err((reason, message))
}

/// A snapshot value as a finite number; `None` when absent, a bool, or not finite.
pub fn finite_number(v: Option<Value>) -> Option<f64> {
    let x = match v? {
        Value::Int(i) => i as f64,
        Value::Uint(u) => u as f64,
        Value::Double(d) => d,
        Value::Bool(_) => return None,
    };
    x.is_finite().then_some(x)
}

/// Reads variable `name` as a finite number, or says why it cannot (`missing_variable`).
pub fn read_number(values: &dyn Context, name: &str, what: &str) -> Result<f64, Fail> {
    match values.get(name) {
        None => fail(
            RejectReason::MissingVariable,
            format!("{what}: the snapshot lacks `{name}`"),
        ),
        Some(v) => finite_number(Some(v)).map_or_else(
            || {
                fail(
                    RejectReason::MissingVariable,
                    format!("{what}: `{name}` = {v} is not a finite number"),
                )
            },
            Ok,
        ),
    }
}

/// The target passes the kind's patterns and exists in the snapshot (when `exists` is set).
/// `name` is scratch for the variable's name.
pub fn target(
    kind: &CompiledKind,
    target: &str,
    target_valid: bool,
    values: &dyn Context,
    name: &mut String,
) -> Result<(), Fail> {
    // `target_valid` says whether it is a valid name (known beforehand); why not is worked
    // out only for an invalid one.
    if !target_valid && let Err(e) = crate::effects::scope::validate_target(target) {
        return fail(RejectReason::UnknownTarget, e.to_string());
    }
    if !kind.targets.iter().any(|p| p.matches(target)) {
        let patterns: Vec<String> = kind.targets.iter().map(ToString::to_string).collect();
        return fail(
            RejectReason::UnknownTarget,
            format!("target {target:?} is not one of [{}]", patterns.join(", ")),
        );
    }
    if let Some(t) = &kind.exists {
        t.expand_into(target, name);
        if values.get(name).is_none() {
            return fail(
                RejectReason::UnknownTarget,
                format!("target {target:?} does not exist: the snapshot lacks `{name}`"),
            );
        }
    }
    Ok(())
}

/// The number a proposal carries in the kind's value parameter.
pub fn param(kind: &CompiledKind, params: &BTreeMap<String, ParamValue>) -> Result<f64, Fail> {
    let name = &kind.config.value.param;
    match params.get(name) {
        None => fail(
            RejectReason::InvalidParam,
            format!("missing parameter `{name}`"),
        ),
        Some(ParamValue::Number(x)) if x.is_finite() => Ok(*x),
        Some(ParamValue::Number(x)) => fail(
            RejectReason::InvalidParam,
            format!("parameter `{name}` is {x}, not a finite number"),
        ),
        Some(other) => fail(
            RejectReason::InvalidParam,
            format!("parameter `{name}` is {other:?}, not a number"),
        ),
    }
}

/// The new absolute value from the proposal's number and the current value.
pub fn new_value(kind: &CompiledKind, x: f64, previous: Option<f64>) -> Result<f64, Fail> {
    let mode = kind.config.value.mode;
    let value = match (mode, previous) {
        (ValueMode::Absolute, _) => x,
        (ValueMode::Delta, Some(p)) => p + x,
        (ValueMode::Factor, Some(p)) => p * x,
        (_, None) => {
            return fail(
                RejectReason::MissingVariable,
                format!(
                    "a {} action needs the current value, which is unknown{}",
                    mode.as_str(),
                    current_hint(kind)
                ),
            );
        }
    };
    if value.is_finite() {
        Ok(value)
    } else {
        fail(
            RejectReason::InvalidParam,
            format!("the new value ({mode:?} of {x}) is not finite"),
        )
    }
}

/// What would tell the current value, for messages.
pub fn current_hint(kind: &CompiledKind) -> String {
    match &kind.current {
        Some(t) => format!(" (nothing approved yet, `{t}` absent, no initial)"),
        None => " (nothing approved yet and no value.current or value.initial configured)".into(),
    }
}

fn resolve(
    b: &Option<CompiledBound>,
    target: &str,
    values: &dyn Context,
    what: &str,
    name: &mut String,
) -> Result<Option<f64>, Fail> {
    match b {
        None => Ok(None),
        Some(CompiledBound::Number(x)) => Ok(Some(*x)),
        Some(CompiledBound::Variable(t)) => {
            t.expand_into(target, name);
            read_number(values, name, what).map(Some)
        }
    }
}

/// The bounds `[lower, upper]` for `target` (−∞/+∞ where none), with `upper` ≤ `cap`.
/// `name` is scratch for the variables' names.
pub fn bounds(
    kind: &CompiledKind,
    target: &str,
    values: &dyn Context,
    name: &mut String,
) -> Result<(f64, f64), Fail> {
    let lower = resolve(&kind.min, target, values, "min bound", name)?.unwrap_or(f64::NEG_INFINITY);
    let mut upper = resolve(&kind.max, target, values, "max bound", name)?.unwrap_or(f64::INFINITY);
    if let Some(cap) = kind.config.cap {
        upper = upper.min(cap);
    }
    Ok((lower, upper))
}

/// The value is inside `[lower, upper]` (an empty range admits nothing). The message of the
/// common failure is written through `numbers` (see [`NumberTexts`]).
pub fn within_bounds(
    value: f64,
    (lower, upper): (f64, f64),
    numbers: &mut NumberTexts,
) -> Result<(), Fail> {
    if lower > upper {
        return fail(
            RejectReason::OutOfBounds,
            format!("no value is allowed: min {lower} is above max {upper} (max includes the cap)"),
        );
    }
    if value < lower || value > upper {
        // "value {value} is outside [{lower}, {upper}]"
        let mut m = String::with_capacity(64);
        m.push_str("value ");
        numbers.push(&mut m, value);
        m.push_str(" is outside [");
        numbers.push(&mut m, lower);
        m.push_str(", ");
        numbers.push(&mut m, upper);
        m.push(']');
        return fail(RejectReason::OutOfBounds, m);
    }
    Ok(())
}

/// |value − previous| ≤ maxStep (when configured; an unknown previous fails closed).
pub fn step(kind: &CompiledKind, value: f64, previous: Option<f64>) -> Result<(), Fail> {
    let Some(max_step) = kind.config.max_step else {
        return Ok(());
    };
    let Some(p) = previous else {
        return fail(
            RejectReason::MissingVariable,
            format!(
                "maxStep {max_step} cannot be checked: the current value is unknown{}",
                current_hint(kind)
            ),
        );
    };
    let change = (value - p).abs();
    if change > max_step {
        return fail(
            RejectReason::StepTooLarge,
            format!("change {p} -> {value} ({change}) exceeds maxStep {max_step}"),
        );
    }
    Ok(())
}

/// |value − previous| ≥ hysteresis (when the previous value is known).
pub fn hysteresis(kind: &CompiledKind, value: f64, previous: Option<f64>) -> Result<(), Fail> {
    let h = kind.config.hysteresis;
    match previous {
        Some(p) if (value - p).abs() < h => fail(
            RejectReason::WithinHysteresis,
            format!(
                "change {p} -> {value} ({}) is below the hysteresis {h}",
                (value - p).abs()
            ),
        ),
        _ => Ok(()),
    }
}

/// Free capacity covers every cost, and the balance covers their price.
pub fn budget(
    kind: &CompiledKind,
    free: &PerResource<f64>,
    balance: Option<f64>,
    prices: &PerResource<f64>,
) -> Result<(), Fail> {
    let mut credits = 0.0;
    for (&resource, &cost) in &kind.config.costs {
        if cost <= 0.0 {
            continue;
        }
        let available = free[resource];
        // `is_none_or(Less)`: a NaN capacity (no ordering) fails closed too.
        if available
            .partial_cmp(&cost)
            .is_none_or(|o| o == std::cmp::Ordering::Less)
        {
            return fail(
                RejectReason::OverBudget,
                format!("needs {cost} {resource}, only {available} free"),
            );
        }
        credits += cost * prices[resource];
    }
    // Only a cost is weighed against the balance (a free action passes an empty balance).
    if let Some(b) = balance
        && credits != 0.0
        && credits
            .partial_cmp(&b)
            .is_none_or(|o| o == std::cmp::Ordering::Greater)
    {
        return fail(
            RejectReason::OverBudget,
            format!("costs {credits} credits at current prices, the agent's balance is {b}"),
        );
    }
    Ok(())
}

/// Credits the kind's costs come to at `prices` (for scoring).
pub fn cost_credits(kind: &CompiledKind, prices: &PerResource<f64>) -> f64 {
    kind.config.costs.iter().map(|(&r, &c)| c * prices[r]).sum()
}
