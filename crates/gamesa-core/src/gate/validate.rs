//! The semantic rules of a gate configuration, checked in this order (first failure wins):
//! action kinds in key order, and within one kind the fields in the order below. The
//! TypeScript mirror (`src/gate.ts`) applies the same rules in the same order.
//!
//! 1. the kind's name: snake_case (`[a-z][a-z0-9_]*`), at most 64 bytes;
//! 2. `agent`: non-empty, at most 128 bytes, no control characters;
//! 3. `targets`: at least one; each a target pattern (non-empty, ≤ 256 bytes, no control
//!    character, `*` only as the last character);
//! 4. `exists` a variable template; `value.param` non-empty; `value.current` a variable
//!    template; `value.initial` finite;
//! 5. `min`, `max`: finite numbers or variable templates; when both are numbers, min ≤ max
//!    (reported at `max`); `cap` finite and not below a numeric `min` (reported at `cap`);
//! 6. `maxStep` finite and > 0;
//! 7. `rate.burst` finite and ≥ 1, `rate.perSecond` finite and > 0;
//! 8. `cooldownMs` finite and ≥ 0;
//! 9. `hysteresis` finite, ≥ 0 and ≤ `maxStep` (otherwise no change could ever pass);
//! 10. `contract.name` non-empty; each `contract.bind` key non-empty and each source
//!     `$value`, `$previous` or a variable template;
//! 11. `costs`: each finite and ≥ 0;
//! 12. `benefitPerStrength` finite and ≥ 0.
//!
//! Whether the contract exists and declares the bound variables is checked when the gate is
//! built ([`super::ActionGate::new`]), against the engine's contract set, with the same paths.

use super::config::{ActionKindConfig, BIND_PREVIOUS, BIND_VALUE, Bound, GateConfig, key_path};
use super::error::GateError;
use super::template::template_problem;
use crate::effects::checker::MAX_AGENT_LEN;
use crate::effects::scope::MAX_TARGET_LEN;

/// Longest action-kind name accepted, in bytes.
pub const MAX_KIND_LEN: usize = 64;

pub(super) fn validate_config(config: &GateConfig) -> Result<(), GateError> {
    for (kind, action) in &config.actions {
        validate_kind(kind, action, &key_path("$.actions", kind))?;
    }
    Ok(())
}

/// Whether `name` is a valid action-kind name.
pub fn kind_name_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let snake = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !snake {
        Some(format!(
            "action kind {name:?} must be snake_case: a lowercase letter, then lowercase letters, digits or '_'"
        ))
    } else if name.len() > MAX_KIND_LEN {
        Some(format!(
            "action kind {name:?} is longer than {MAX_KIND_LEN} bytes"
        ))
    } else {
        None
    }
}

/// Why `pattern` is not a target pattern, if it is not one.
pub fn target_pattern_problem(pattern: &str) -> Option<String> {
    if pattern.is_empty() {
        Some("a target pattern must not be empty".into())
    } else if pattern.len() > MAX_TARGET_LEN {
        Some(format!(
            "a target pattern must be at most {MAX_TARGET_LEN} bytes"
        ))
    } else if pattern.chars().any(char::is_control) {
        Some(format!(
            "target pattern {pattern:?} contains a control character"
        ))
    } else if pattern.find('*').is_some_and(|i| i + 1 != pattern.len()) {
        Some(format!(
            "target pattern {pattern:?} has a '*' that is not the last character"
        ))
    } else {
        None
    }
}

fn check(
    ok: bool,
    path: impl FnOnce() -> String,
    message: impl FnOnce() -> String,
) -> Result<(), GateError> {
    if ok {
        Ok(())
    } else {
        Err(GateError::at(path(), message()))
    }
}

fn some_problem(problem: Option<String>, path: String) -> Result<(), GateError> {
    problem.map_or(Ok(()), |m| Err(GateError::at(path, m)))
}

fn finite(x: f64, path: String, what: &str) -> Result<(), GateError> {
    check(
        x.is_finite(),
        || path,
        || format!("{what} must be a finite number, got {x}"),
    )
}

fn bound(b: &Option<Bound>, path: String) -> Result<(), GateError> {
    match b {
        None => Ok(()),
        Some(Bound::Number(x)) => finite(*x, path, "a bound"),
        Some(Bound::Variable(t)) => some_problem(template_problem(t), path),
    }
}

fn validate_kind(kind: &str, a: &ActionKindConfig, at: &str) -> Result<(), GateError> {
    let p = |field: &str| format!("{at}.{field}");
    some_problem(kind_name_problem(kind), at.to_string())?;

    let agent = &a.agent;
    check(
        !agent.is_empty(),
        || p("agent"),
        || "agent must not be empty".into(),
    )?;
    check(
        agent.len() <= MAX_AGENT_LEN,
        || p("agent"),
        || format!("agent must be at most {MAX_AGENT_LEN} bytes"),
    )?;
    check(
        !agent.chars().any(char::is_control),
        || p("agent"),
        || format!("agent {agent:?} contains a control character"),
    )?;

    check(
        !a.targets.is_empty(),
        || p("targets"),
        || "at least one target pattern is required".into(),
    )?;
    for (i, t) in a.targets.iter().enumerate() {
        some_problem(target_pattern_problem(t), format!("{at}.targets[{i}]"))?;
    }

    if let Some(t) = &a.exists {
        some_problem(template_problem(t), p("exists"))?;
    }
    check(
        !a.value.param.is_empty(),
        || p("value.param"),
        || "the value parameter name must not be empty".into(),
    )?;
    if let Some(t) = &a.value.current {
        some_problem(template_problem(t), p("value.current"))?;
    }
    if let Some(x) = a.value.initial {
        finite(x, p("value.initial"), "initial")?;
    }

    bound(&a.min, p("min"))?;
    bound(&a.max, p("max"))?;
    if let (Some(Bound::Number(lo)), Some(Bound::Number(hi))) = (&a.min, &a.max) {
        check(
            lo <= hi,
            || p("max"),
            || format!("max {hi} is below min {lo}"),
        )?;
    }
    if let Some(cap) = a.cap {
        finite(cap, p("cap"), "cap")?;
        if let Some(Bound::Number(lo)) = &a.min {
            check(
                *lo <= cap,
                || p("cap"),
                || format!("cap {cap} is below min {lo}"),
            )?;
        }
    }

    if let Some(step) = a.max_step {
        check(
            step.is_finite() && step > 0.0,
            || p("maxStep"),
            || format!("maxStep must be a finite number > 0, got {step}"),
        )?;
    }
    if let Some(rate) = &a.rate {
        check(
            rate.burst.is_finite() && rate.burst >= 1.0,
            || p("rate.burst"),
            || format!("burst must be a finite number >= 1, got {}", rate.burst),
        )?;
        check(
            rate.per_second.is_finite() && rate.per_second > 0.0,
            || p("rate.perSecond"),
            || {
                format!(
                    "perSecond must be a finite number > 0, got {}",
                    rate.per_second
                )
            },
        )?;
    }
    let cd = a.cooldown_ms;
    check(
        cd.is_finite() && cd >= 0.0,
        || p("cooldownMs"),
        || format!("cooldownMs must be a finite number >= 0, got {cd}"),
    )?;
    let h = a.hysteresis;
    check(
        h.is_finite() && h >= 0.0,
        || p("hysteresis"),
        || format!("hysteresis must be a finite number >= 0, got {h}"),
    )?;
    if let Some(step) = a.max_step {
        check(
            h <= step,
            || p("hysteresis"),
            || format!("hysteresis {h} exceeds maxStep {step}: no change could ever pass"),
        )?;
    }

    if let Some(c) = &a.contract {
        check(
            !c.name.is_empty(),
            || p("contract.name"),
            || "the contract name must not be empty".into(),
        )?;
        for (var, source) in &c.bind {
            let path = key_path(&p("contract.bind"), var);
            check(
                !var.is_empty(),
                || path.clone(),
                || "a bound variable name must not be empty".into(),
            )?;
            if source != BIND_VALUE && source != BIND_PREVIOUS {
                let problem = if source.starts_with('$') {
                    Some(format!(
                        "{source:?} is not a binding source: use {BIND_VALUE}, {BIND_PREVIOUS} or a variable template"
                    ))
                } else {
                    template_problem(source)
                };
                some_problem(problem, path)?;
            }
        }
    }

    for (resource, cost) in &a.costs {
        check(
            cost.is_finite() && *cost >= 0.0,
            || format!("{at}.costs.{resource}"),
            || format!("a cost must be a finite number >= 0, got {cost}"),
        )?;
    }
    let b = a.benefit_per_strength;
    check(
        b.is_finite() && b >= 0.0,
        || p("benefitPerStrength"),
        || format!("benefitPerStrength must be a finite number >= 0, got {b}"),
    )
}
